"""The planning assumptions a user works with (kept for the session), the projection and the
board limits they give, and the limits panel every page shows in the sidebar.

The Strategy page edits two tables, renewals and prospects (the record kinds of
:mod:`graph.schema`). Each edit is checked the way a loaded file is: the table is written as
the CSV file of its kind and read by the loaders (:func:`loaders.readers.read_file`,
:func:`loaders.load.check_rows`), so the page, a downloaded CSV and a loaded file agree on
every rule and message. A table with problems is not used: the projection keeps the last
version without any, and the page lists every problem.

The projection (:func:`graph.analyses.projection.projection`) and the limit checks
(:func:`graph.analyses.limits.check_limits`) are cached per store, period, required level
and assumptions.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from graph.analyses.assumptions import assumption_records, suggested_renewals
from graph.analyses.limits import check_limits, projected_text, read_limits
from graph.analyses.projection import DEFAULT_PERIOD, projection
from graph.analyses.prospecting import prospects, read_prospecting, with_prospect
from graph.analyses.what_it_takes import check, what_it_takes
from graph.codes import CHANNELS, SECTORS
from graph.errors import AnalysisError, SettingsError
from graph.reports.planning import STATUS_WORDS
from loaders.load import check_rows, limits_file, prospecting_file
from loaders.readers import read_file
from views import state
from views.fmt import label_of, md, scheme_name

__all__ = [
    "COLUMNS",
    "assumptions",
    "keep",
    "as_csv",
    "period",
    "remember",
    "required",
    "current",
    "limit_checks",
    "limits_panel",
    "editor_base",
    "edited",
    "editor_key",
    "reset",
    "threshold",
    "board_plan",
    "takes",
    "suggest",
    "region_names",
    "editor_config",
    "EDITOR_HELP",
    "prospect_list",
    "prospect_effect",
]

#: The columns the page edits, in order, per kind (a subset of the kind's columns: the
#: source citation is for loaded records).
COLUMNS = {
    "renewals": (
        "renewal_id",
        "donor_id",
        "channel",
        "project_id",
        "probability",
        "level",
        "amount",
        "currency",
        "basis_year",
        "from_year",
        "to_year",
        "region_id",
        "stated_by",
        "note",
    ),
    "prospects": (
        "prospect_id",
        "title",
        "donor_id",
        "donor_name",
        "donor_sector",
        "amount",
        "amount_low",
        "amount_high",
        "currency",
        "start_year",
        "end_year",
        "probability",
        "region_id",
        "channel",
        "stated_by",
        "note",
    ),
}

#: Columns that hold whole numbers (years, a level stays a number).
YEAR_COLUMNS = {"basis_year", "from_year", "to_year", "start_year", "end_year"}
NUMBER_COLUMNS = {"probability", "level", "amount", "amount_low", "amount_high"}
LABELS = {"renewals": "Renewal", "prospects": "Prospect"}


def _empty(kind: str) -> pd.DataFrame:
    cols = COLUMNS[kind]
    return pd.DataFrame(
        {
            c: pd.Series(
                dtype="float64" if c in NUMBER_COLUMNS else "Int64" if c in YEAR_COLUMNS else object
            )
            for c in cols
        }
    )


def _typed(kind: str, t: pd.DataFrame) -> pd.DataFrame:
    """``t`` with the page's columns in order and types (numbers, whole years, text)."""
    out = _empty(kind)
    t = t.reset_index(drop=True)
    out = out.reindex(range(len(t)))
    for c in COLUMNS[kind]:
        if c not in t:
            continue
        if c in NUMBER_COLUMNS:
            out[c] = pd.to_numeric(t[c], errors="coerce").astype("float64")
        elif c in YEAR_COLUMNS:
            out[c] = pd.to_numeric(t[c], errors="coerce").round().astype("Int64")
        else:
            out[c] = t[c].astype(object).where(t[c].notna(), None)
    return out


def assumptions(store, kind: str) -> pd.DataFrame:
    """The session's table of ``kind`` (``renewals`` or ``prospects``): at first the
    store's records of that kind (none in the bundled data)."""
    key = f"plan-{kind}"
    if key not in st.session_state:
        st.session_state[key] = _typed(kind, assumption_records(store, LABELS[kind]))
    return st.session_state[key]


def keep(kind: str, table: pd.DataFrame) -> None:
    """Keep an edited table for the session."""
    st.session_state[f"plan-{kind}"] = _typed(kind, table)


def edited(kind: str, widget: str) -> None:
    """The editor's ``on_change``: apply its edits (``edited_rows``, ``added_rows``,
    ``deleted_rows`` in ``st.session_state[widget]``, the way Streamlit applies them: cell
    edits, then new rows, then deletions) to what it started from, and keep the result.
    It runs before the page, so the sidebar's limits see the edit in the same run."""
    delta = st.session_state.get(widget) or {}
    t = st.session_state[f"plan-{kind}-base"].copy().reset_index(drop=True)
    for row, change in (delta.get("edited_rows") or {}).items():
        for col, value in change.items():
            if col in t:
                t.loc[int(row), col] = value
    added = delta.get("added_rows") or []
    if added:
        t = pd.concat([t, pd.DataFrame(added).reindex(columns=t.columns)], ignore_index=True)
    gone = [int(i) for i in delta.get("deleted_rows") or [] if int(i) < len(t)]
    keep(kind, t.drop(index=gone))


def editor_base(store, kind: str) -> pd.DataFrame:
    """What the page's editor of ``kind`` starts from (the edits are the editor's own
    until :func:`reset` starts it again)."""
    key = f"plan-{kind}-base"
    if key not in st.session_state:
        st.session_state[key] = assumptions(store, kind)
    return st.session_state[key]


def editor_key(kind: str) -> str:
    """The editor's widget key (a new one after each :func:`reset`)."""
    return f"edit-{kind}-{st.session_state.get(f'plan-{kind}-version', 0)}"


def reset(kind: str, table: pd.DataFrame | None = None) -> None:
    """Start the editor of ``kind`` again from ``table`` (empty by default)."""
    t = _typed(kind, _empty(kind) if table is None else table)
    st.session_state[f"plan-{kind}-base"] = t
    st.session_state[f"plan-{kind}"] = t
    st.session_state[f"plan-{kind}-version"] = st.session_state.get(f"plan-{kind}-version", 0) + 1


def as_csv(kind: str, table: pd.DataFrame) -> bytes:
    """The table as the CSV file of its kind: what the loaders read and the download
    gives (empty rows left out, years as whole numbers)."""
    t = _typed(kind, table).dropna(how="all")
    return t.to_csv(index=False).encode("utf-8")


@st.cache_data(**state.CACHED)
def _records(store, kind: str, data: bytes) -> tuple[pd.DataFrame, list]:
    """The records of the CSV ``data`` of ``kind`` and every problem, checked once per
    text and store (references are checked against the store's ids: every page's sidebar
    asks)."""
    rows, problems = read_file(f"{kind}.csv", name=f"{kind}.csv", data=data)
    records, problems = check_rows(rows, problems, store=store)
    found = [{k: v for k, v in r.items() if k != "_location"} for r in records[kind]]
    return pd.DataFrame(found, columns=list(COLUMNS[kind]) if not found else None), problems


def remember(widget: str, key: str) -> None:
    """Keep a widget's value under ``key`` (a widget's own value is dropped when another
    page runs; the sidebar's limits, on every page, use the kept one)."""
    st.session_state[key] = st.session_state[widget]


def period() -> tuple[int, int]:
    """The planning period picked on the Strategy page (the strategy period by default)."""
    return tuple(st.session_state.get("plan-period", DEFAULT_PERIOD))


def required() -> float | None:
    """The money a year needs, as given on the Strategy page (None: not given)."""
    v = st.session_state.get("plan-required")
    return float(v) if v else None


def _usable(store, kind: str) -> tuple[bytes, list]:
    """The CSV of the session's table of ``kind`` when it has no problems, else of the
    last version that had none; and the current problems."""
    data = as_csv(kind, assumptions(store, kind))
    _found, problems = _records(store, kind, data)
    good = f"plan-{kind}-good"
    if not problems:
        st.session_state[good] = data
    return st.session_state.get(good, as_csv(kind, _empty(kind))), problems


@st.cache_data(**(state.CACHED | {"show_spinner": "Projecting the funding…"}))
def _projection(store, period_, required_, renewals_csv: bytes, prospects_csv: bytes):
    renewals, _ = _records(store, "renewals", renewals_csv)
    prospects, _ = _records(store, "prospects", prospects_csv)
    return projection(store, period_, renewals=renewals, prospects=prospects, required=required_)


def current(store):
    """The projection for the session's period, required level and usable assumptions;
    and the problems of the tables as they are now (kind → problems)."""
    renewals, rp = _usable(store, "renewals")
    prospects, pp = _usable(store, "prospects")
    p = _projection(store, period(), required(), renewals, prospects)
    return p, {"renewals": rp, "prospects": pp}


@st.cache_data(ttl=state.SERVER_TTL, show_spinner=False)
def _limits(path: str):
    """The limits of the file at ``path``, read once (the app reads it again after
    :data:`views.state.SERVER_TTL` seconds, so an edited file shows up)."""
    return read_limits(path)


@st.cache_data(**(state.CACHED | {"show_spinner": "Checking the board limits…"}))
def _checks(store, _p, key, path: str):
    return check_limits(store, _limits(path), projection=_p)


def limit_checks(store, p=None):
    """The board limits (:func:`loaders.load.limits_file`) checked now and in ``p`` (the
    session's projection by default)."""
    if p is None:
        p, _ = current(store)
    key = (p.period, p.years.to_json(), p.regions.to_json())
    return _checks(store, p, key, str(limits_file()))


def board_plan(store):
    """The board report's projection and limit checks (None when the limits file cannot
    be read: the sidebar says why, and the report leaves the limits out)."""
    p, _ = current(store)
    try:
        return p, limit_checks(store, p)
    except SettingsError:
        return p, None


ICONS = {"holds": ":green[:material/check_circle:]", "breached": ":red[:material/error:]"}


def limits_panel(store) -> None:
    """The sidebar's board limits: each one holds, is breached or unclear now, and the
    first year of the planning period it is projected to break."""
    with st.sidebar:
        st.markdown("**Board limits**")
        try:
            p, _ = current(store)
            checks = limit_checks(store, p)
        except SettingsError as e:
            st.warning(f"The board limits file has a problem: {md(str(e))}")
            return
        except AnalysisError as e:
            st.caption(f"The limits cannot be checked: {md(str(e))}")
            return
        for c in checks:
            icon = ICONS.get(c.status, ":orange[:material/help:]")
            st.markdown(f"{icon} {md(c.what)}", help=c.why or None)
            st.caption(
                f"Now: **{STATUS_WORDS[c.status]}** ({md(c.now)}). Ahead: "
                f"{md(projected_text(c, p.period))}."
            )
        st.caption(
            "Projected with the renewals and prospects of the Strategy page; the limits "
            "are the board's, in data/reference/limits.toml."
        )


def threshold(measure: str, default: float) -> float:
    """The threshold of the board's first limit on ``measure`` (the default when the file
    has none, or cannot be read: the sidebar says why)."""
    try:
        limits = _limits(str(limits_file()))
    except SettingsError:
        return default
    return next((lim.threshold for lim in limits if lim.measure == measure), default)


def takes(p, **options):
    """:func:`graph.analyses.what_it_takes.what_it_takes` on ``p`` and the projection of
    its year run again with the new money added (``None`` when nothing is added)."""
    w = what_it_takes(p, **options)
    again = check(w, p) if w.feasible and w.total > 0 else None
    return w, again


def suggest(store, kind: str = "renewals") -> None:
    """Start the session's renewals from one per donor and channel with known money
    (:func:`graph.analyses.assumptions.suggested_renewals`), kept after the rows already
    there; the chance and who states it are left for the user."""
    have = assumptions(store, kind)
    new = suggested_renewals(store)
    new = new[~new["renewal_id"].isin(have["renewal_id"].dropna())]
    reset(kind, pd.concat([have.dropna(how="all"), _typed(kind, new)]))


def region_names(store) -> dict:
    """Region id → its name, with its scheme where two schemes use the same name."""
    names = state.names(store, "Region")
    schemes = state.names(store, "Region", "scheme")
    seen = pd.Series(list(names.values())).value_counts()
    return {
        r: f"{n} ({scheme_name(schemes.get(r), one=True)})" if seen.get(n, 0) > 1 else str(n)
        for r, n in names.items()
    }


#: What each editor is for, above it.
EDITOR_HELP = {
    "renewals": "An agreement that ends is extended: pick a donor and channel (or a project), "
    "the chance it is extended, and its level (1 = as much as its latest whole year) or an "
    "amount a year. A renewal starts the year after its basis year unless From year says.",
    "prospects": "A possible new agreement: an existing donor (or a new one's name), an "
    "amount a year (or a low–high range), the years, the chance it is signed and the "
    "region it would serve.",
}


def _pick(label: str, options: dict, help: str) -> st.column_config.SelectboxColumn:
    ids = sorted(options, key=lambda i: str(options[i]).casefold())
    return st.column_config.SelectboxColumn(
        label, options=ids, format_func=lambda i: str(options.get(i, i)), help=help
    )


def editor_config(names: dict, projects: dict, regions: dict) -> dict:
    """The editors' columns (kind → column name → column config): names, titles and
    words in the pickers, ids in the CSV."""
    num = st.column_config.NumberColumn
    text = st.column_config.TextColumn
    year = {"min_value": 1990, "max_value": 2100, "step": 1, "format": "%d"}
    money = {"min_value": 0.0, "format": "localized"}
    common = {
        "donor_id": _pick("Donor", names, "An organisation in the data"),
        "channel": _pick("Channel", {c: label_of(c) for c in CHANNELS}, "How the money arrives"),
        "probability": num("Chance", min_value=0.0, max_value=1.0, step=0.05, format="percent"),
        "amount": num("Amount a year", **money),
        "currency": text("Currency", max_chars=3, help="ISO 4217, e.g. USD; USD when empty"),
        "region_id": _pick("Region", regions, "The region the money would serve"),
        "stated_by": text("Stated by", max_chars=200, help="Who makes this assumption"),
        "note": text("Note", max_chars=500),
    }
    renewals = {
        "renewal_id": text("Id", max_chars=120, help="A short name of your own"),
        "project_id": _pick("Project", projects, "A project whose agreement is extended"),
        "level": num("Level", min_value=0.0, step=0.1, help="1 = as much as the basis year"),
        "basis_year": num("Basis year", **year),
        "from_year": num("From year", **year),
        "to_year": num("To year", **year),
    }
    prospects = {
        "prospect_id": text("Id", max_chars=120, help="A short name of your own"),
        "title": text("What", max_chars=300),
        "donor_name": text("New donor's name", max_chars=300),
        "donor_sector": _pick(
            "New donor's sector", {s: label_of(s) for s in SECTORS}, "What kind of donor"
        ),
        "amount_low": num("Low", **money),
        "amount_high": num("High", **money),
        "start_year": num("Start", **year),
        "end_year": num("End", **year),
    }
    return {"renewals": common | renewals, "prospects": common | prospects}


@st.cache_data(**(state.CACHED | {"show_spinner": "Looking for funders in published data…"}))
def _prospects(store, path: str):
    settings = read_prospecting(path)
    return settings, prospects(store, settings)


def prospect_list(store):
    """The prospecting settings (:func:`loaders.load.prospecting_file`) and the prospects
    they give on ``store`` (:func:`graph.analyses.prospecting.prospects`), cached."""
    return _prospects(store, str(prospecting_file()))


def prospect_effect(store, row: dict):
    """What adding the prospect ``row`` at its typical grant does to the session's
    projection (:func:`graph.analyses.prospecting.with_prospect`)."""
    p, _ = current(store)
    return with_prospect(p, row)
