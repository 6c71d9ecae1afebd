"""Data: upload record files, see the validation report, load them into the current store,
browse provenance, see the load history.

Files go through the same loaders as the command line (:mod:`loaders.readers`,
:mod:`loaders.load`): every bad cell is reported once with its file, line, column, value and a
hint, and nothing is written unless every row passes.
"""

import pandas as pd
import streamlit as st

from graph.errors import StoreError, ValidationFailed
from graph.reports.loads import load_changes, load_outcome
from graph.schema import KINDS
from graph.text import label
from loaders.load import load_rows
from loaders.readers import iter_file, read_file
from loaders.stream_check import check_stream
from views import state
from views.fmt import SHOWN_ROWS, figure_row, label_of, md, plural, table

store, _ = state.get_store()

st.title("Data")
st.caption(
    "Add records to the store, check where every fact comes from, and see what was loaded when. "
    f"Loads go into the current store: {md(store.describe())}."
)
if store.kind != "neo4j":
    st.info(
        "This is the in-memory store: records you load here last until the app restarts "
        "(nothing is written to disk), and other people using the app do not see them. To "
        "keep them, add the files to the data folder, or load them into a Neo4j server "
        "(`python -m loaders load FILES`) and point the app at it.",
        icon=":material/memory:",
    )

tab_up, tab_prov, tab_hist = st.tabs(["Upload and load", "Provenance", "Load history"])

with tab_up:
    st.markdown(
        "Upload record files named after their kind (`organizations.csv`, `funding.xlsx`, "
        "`events.json`…), one workbook with a sheet per kind, an IATI activity file (`.xml`) or "
        "a 360Giving file (`.csv`, `.xlsx` or `.json`). References may point at records already in the store."
    )
    with st.expander("Record kinds and their columns"):
        kinds = pd.DataFrame(
            [
                {
                    "file": f"{k.name}.csv",
                    "becomes": label(k.label or k.rel_type),
                    "required columns": ", ".join(f.name for f in k.fields if f.required),
                    "what": k.doc,
                }
                for k in KINDS.values()
            ]
        )
        st.dataframe(kinds, hide_index=True, width="stretch")
    files = st.file_uploader(
        "Files",
        type=["csv", "xlsx", "json", "xml"],
        accept_multiple_files=True,
        key="upload-files",
    )
    strict = st.toggle(
        "Strict: refuse what IATI and 360Giving allow but your own records may not",
        key="upload-strict",
        help=(
            "Published files load by their own standard by default: negative values "
            "(reversals), partial percentages, free-text or placeholder dates, flows with no "
            "named recipient and grants to individuals load with a notice for each. Strict "
            "refuses them instead."
        ),
    )
    if files:
        items = (
            item
            for f in files
            for item in iter_file(f.name, name=f.name, data=f.getvalue(), strict=strict)
        )
        checked = check_stream(items, known=store.known_keys())
        counts = checked.counts
        all_problems = checked.all_problems
        upload_notices = checked.notices
        st.markdown("**Validation report**")
        c = figure_row()
        c.metric("Files", len(files))
        c.metric("Records read", f"{sum(counts.values()):,}")
        c.metric("Problems", f"{len(checked.problems) + checked.more_problems:,}")
        if counts:
            st.dataframe(
                pd.DataFrame(
                    {"kind": [label_of(k) for k in counts], "records": list(counts.values())}
                ),
                hide_index=True,
                width="stretch",
            )
        if upload_notices and not all_problems:
            more = f" ({checked.more_notices:,} more not listed)" if checked.more_notices else ""
            st.warning(
                f"{plural(len(upload_notices), 'notice')}{more}: these records load, but read "
                "this first.",
                icon=":material/info:",
            )
            table(
                pd.DataFrame([n.as_dict() for n in upload_notices]),
                "load_notices",
                key="dl-notices",
            )
        if all_problems:
            st.error(
                f"{plural(len(checked.problems) + checked.more_problems, 'problem')} found; "
                "nothing can be loaded until they are fixed.",
                icon=":material/block:",
            )
            report = pd.DataFrame([p.as_dict() for p in all_problems])
            table(
                report.dropna(axis=1, how="all"),  # no empty "sheet" or "item" column
                "validation_report",
                key="dl-validation",
            )
            st.caption(
                "One row per problem: the file, where in it (line, sheet and row, or item), "
                "the column, the value as read, what is wrong and how to fix it. Fix them all "
                "and upload again; nothing is loaded until every row passes."
            )
        elif not counts:
            st.warning("The files hold no records.")
        else:
            st.success(
                "Every row passed. Loading the same files twice creates nothing new; loading "
                "a new version of them updates what changed.",
                icon=":material/check_circle:",
            )
            sync = st.checkbox(
                "Also remove the records an earlier upload of these files held that they no "
                "longer hold",
                key="upload-sync",
            )
            replace = st.checkbox(
                "Take these files' values where another source loaded the same records with "
                "other values (by default those are kept and listed)",
                key="upload-replace",
            )
            external = st.checkbox(
                "Published data about other funders (IATI, 360Giving): keep it for the "
                "Prospects page, never count it in the institute's figures",
                key="upload-external",
            )
            if st.button("Load into the store", type="primary", key="upload-load"):
                bar = st.progress(0.0, text="Writing the records…")

                def progress(done: int, total: int) -> None:
                    bar.progress(
                        done / total if total else 1.0, text=f"{done:,} of {total:,} rows written"
                    )

                rows, problems = [], []
                for f in files:
                    r, p = read_file(f.name, name=f.name, data=f.getvalue(), strict=strict)
                    rows.extend(r)
                    problems.extend(p)
                try:
                    report = load_rows(
                        rows,
                        problems,
                        store,
                        source="upload: " + ", ".join(f.name for f in files),
                        progress=progress,
                        sync=sync,
                        replace=replace,
                        external=external,
                    )
                except ValidationFailed as e:
                    st.error(md(e))
                except StoreError as e:
                    st.error(f"The store could not take the records: {md(e)}")
                else:
                    state.data_changed()
                    st.success(
                        "Loaded. " + report.summary().splitlines()[0],
                        icon=":material/check_circle:",
                    )
                    table(load_outcome(report), "load_report", key="dl-load-report")
                    changes = load_changes(report)
                    if report.conflicting:
                        st.warning(
                            f"{plural(report.conflicting, 'record')} that another source loaded "
                            "with other values kept those values. Tick the second box and load "
                            "again to take these files' values.",
                            icon=":material/warning:",
                        )
                    if len(changes):
                        st.markdown("**Values this load changed or kept**")
                        table(changes, "load_changes", key="dl-load-changes", cap=SHOWN_ROWS)

with tab_prov:
    sources = state.table(store, "Source")
    if sources.empty:
        st.info("The store holds no sources.")
    else:
        st.markdown("**Documents the records come from**")
        shown = pd.DataFrame(
            {
                "document": sources.get("title", sources["id"]),
                "kind": sources["kind"].map(label_of) if "kind" in sources else "",
                "dated": sources.get("date", ""),
            }
        )
        table(shown, "sources", key="dl-sources")
        titles = dict(zip(sources["id"], sources.get("title", sources["id"]), strict=False))
        src = st.selectbox(
            "Show the facts taken from",
            list(sources["id"]),
            format_func=lambda s: str(titles.get(s, s)),
            key="prov-source",
        )
        facts = state.facts(store, src)
        st.caption(
            f"{plural(len(facts), 'fact')} cite this document, each with the sentence it comes from."
        )
        if len(facts):
            table(
                pd.DataFrame(
                    {
                        "what": facts["what"].map(label_of),
                        "name": facts["name"],
                        "the sentence": facts["quote"],
                    }
                ),
                f"provenance_{src}",
                key="dl-provenance",
                cap=SHOWN_ROWS,
            )

with tab_hist:
    hist = store.load_history()
    if hist.empty:
        st.info("No loads recorded yet.")
    else:
        table(state.history(store), "load_history", key="dl-history")
        st.caption(
            "Each load, newest first: when it ran, what was loaded, how it ended, how many "
            "records (nodes) and ties (relationships) it wrote and of those how many were "
            "new, how many records it updated, kept because another source had loaded them "
            "with other values, and removed. A load that did not finish left the store as it "
            "was; the next complete load of the same files closes it."
        )
        bad = store.incomplete_loads()
        if len(bad):
            st.warning(
                f"{plural(len(bad), 'load')} started but did not finish. Loading the same files "
                "again completes it and closes the unfinished one.",
                icon=":material/warning:",
            )
