"""The Strategy page and the board limits panel under Streamlit's AppTest, and the board
report's projection sections: the figures are the analyses' (checked in
tests/test_projection.py), so these tests check that the page, the sidebar, the download and
the report say the same, that edits are validated like loaded files, and that what the page
downloads loads back as records giving the same projection."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from graph.analyses.limits import check_limits, read_limits
from graph.analyses.projection import projection
from graph.reports import board
from graph.store.memory import MemoryStore
from loaders.load import limits_file, load, load_memory
from loaders.readers import read_file
from views.fmt import csv_bytes

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
EXAMPLE = ROOT / "examples" / "planning" / "renewals.csv"


@pytest.fixture(autouse=True)
def _fresh(monkeypatch):
    for name in ("NEO4J_URI", "EXPLORER_DATA_DIR", "EXPLORER_LIMITS"):
        monkeypatch.delenv(name, raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def strategy(renewals: pd.DataFrame | None = None, **state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page("views/strategy.py")
    if renewals is not None:
        at.session_state["plan-renewals"] = renewals
        at.session_state["plan-renewals-base"] = renewals
    for k, v in state.items():
        at.session_state[k] = v
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [m.value for m in at.sidebar.markdown] + [c.value for c in at.sidebar.caption]
    parts += (
        [e.value for e in at.error] + [w.value for w in at.warning] + [i.value for i in at.info]
    )
    return "\n".join(parts).replace("\\", "")  # markdown escapes (views.fmt.md) away


def example() -> pd.DataFrame:
    return pd.read_csv(EXAMPLE, dtype={"basis_year": "Int64"})


def test_bundled_data_alone_says_nothing_is_secured_and_draws_nothing():
    at = strategy()
    said = texts(at)
    assert "Nothing is secured for 2026–2029" in said
    assert "3 of the institute's agreements run into the period" in said
    assert "there is nothing to draw yet" in said
    # the sidebar shows every board limit, now and in the projection
    assert "Now: **breached** (HHI 4,050–4,443)" in said
    assert "cannot be projected for 2026–2029" in said or "not projected" in said
    assert "None" not in [c.value for c in at.caption]


def test_example_renewals_project_check_the_limits_and_say_what_it_takes():
    at = strategy(example())
    said = texts(at)
    assert "expected USD 1,785,788 a year" in said
    assert "every combination of 4 uncertain items (16 outcomes)" in said
    # the sidebar: the top-donor and HHI limits break from the first year
    assert "projected to break in 2026" in said
    assert "Middle East -9.3 points" in said
    # what it takes in 2029 over the expected money (the figure tests/test_projection.py
    # checks against the closed form)
    assert "it takes at least USD 755,891 a year of new money from about 2 new donors" in said
    assert "Checked: with this money added, the projection of 2029 gives HHI 2,305" in said
    frames = [d.value for d in at.dataframe]
    years = next(f for f in frames if "Low – high (10th–90th percentile)" in f.columns)
    assert years["Expected"].tolist() == ["USD 1,785,788"] * 4
    assert years["Low – high (10th–90th percentile)"].iloc[0] == "USD 837,163 – USD 2,349,251"


def test_a_required_level_gives_the_gap_and_a_period_moves_everything():
    at = strategy(example(), **{"plan-required": 2_000_000, "plan-period": (2027, 2028)})
    said = texts(at)
    assert "Nothing is secured for 2027–2028" in said
    assert "Ahead: projected to break in 2027" in said
    frames = [d.value for d in at.dataframe]
    years = next(f for f in frames if "Gap (required − expected)" in f.columns)
    assert years["Year"].tolist() == ["2027", "2028"]
    assert years["Gap (required − expected)"].tolist() == ["USD 214,213"] * 2


def test_a_bad_edit_is_reported_like_a_loaded_file_and_not_used():
    bad = example()
    bad.loc[1, "donor_id"] = "nobody"
    bad.loc[2, "stated_by"] = None
    at = strategy(bad)
    errors = [e.value.replace("\\", "") for e in at.error]
    assert any("renewals.csv, line 3, column 'donor_id', value 'nobody'" in e for e in errors), (
        errors
    )
    assert any("line 4, column 'stated_by'" in e for e in errors), errors
    assert "the projection uses the last version of those tables without any" in texts(at)
    # nothing valid was seen in this session: the projection assumes nothing
    assert "No renewals or prospects are assumed" in texts(at)


def test_suggested_renewals_ask_for_their_chance():
    at = strategy()
    at.button(key="plan-suggest").click().run()
    assert not at.exception
    table = at.session_state["plan-renewals"]
    assert set(table["channel"]) == {
        "extrabudgetary",
        "host_country",
        "decentralized",
        "regular_budget",
    }
    errors = " ".join(e.value for e in at.error).replace("\\", "")
    assert "column 'probability'" in errors and "column 'stated_by'" in errors
    at.button(key="plan-clear-renewals").click().run()
    assert not len(at.session_state["plan-renewals"].dropna(how="all"))


def test_what_the_page_downloads_loads_back_as_records_with_the_same_projection(tmp_path):
    at = strategy(example())
    kept = at.session_state["plan-renewals"]
    data = csv_bytes(kept.dropna(how="all"))  # what the download button gives
    (tmp_path / "renewals.csv").write_bytes(data)
    rows, problems = read_file(tmp_path / "renewals.csv")
    assert not problems
    store = load_memory()
    load(tmp_path, store, source="strategy page")
    assert len(store.node_table("Renewal")) == 5
    p = projection(store)  # the store's own renewals
    assert round(float(p.years["expected"].iloc[0])) == 1_785_788
    # and a session starting on that store begins from those records
    assert isinstance(store, MemoryStore)


def test_the_board_report_gains_the_limits_and_the_projection():
    store = load_memory()
    p = projection(store, renewals=example(), prospects=pd.DataFrame(), required=2_000_000)
    checks = check_limits(store, read_limits(limits_file()), projection=p)
    rep = board.build(store, plan=(p, checks))
    html = rep.html
    assert "<h2>Board limits</h2>" in html and "<h2>Projection for 2026–2029</h2>" in html
    assert "projected to break in 2026" in html
    assert "USD 837,163 – USD 2,349,251" in html
    assert "Required: USD 2,000,000 every year." in html
    assert "4,104 (3,525–6,222)" in html  # projected HHI with its band
    assert "README example (not a document fact)" in html  # who states each assumption
    assert rep.pdf.startswith(b"%PDF-")
    plain = board.build(store)
    assert "Projection for" not in plain.html


def test_the_editors_changes_are_applied_as_streamlit_applies_them():
    """The editor's on_change: cell edits, new rows, deleted rows, applied to what the
    editor started from (Streamlit's own order), kept for the session."""
    from views import planning

    base = pd.read_csv(EXAMPLE)
    try:
        planning.reset("renewals", base)
        st.session_state["w"] = {
            "edited_rows": {"2": {"probability": 0.3}},
            "added_rows": [
                {"renewal_id": "r-new", "donor_id": "unaids", "probability": 0.5, "stated_by": "me"}
            ],
            "deleted_rows": [4],
        }
        planning.edited("renewals", "w")
        t = st.session_state["plan-renewals"]
        assert t["renewal_id"].tolist() == [
            "r-regular-budget",
            "r-host-country",
            "r-decentralized",
            "r-iite-donors",
            "r-new",
        ]
        assert t.loc[2, "probability"] == 0.3 and t.loc[4, "stated_by"] == "me"
        assert str(t["basis_year"].dtype) == "Int64"  # years stay whole numbers
    finally:
        for k in list(st.session_state.keys()):
            del st.session_state[k]


def test_published_data_loaded_as_external_gives_prospects_and_moves_no_figure():
    """Issue 13, part 3, as a user does it: upload a real IATI file on the Data page as
    published data about other funders; the Prospects page names its funder; the Overview
    and the sidebar's limits read as before."""
    real = ROOT / "tests" / "fixtures" / "real" / "iati"
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page("views/overview.py")
    at.run()
    before = [m.value for m in at.metric], [c.value for c in at.sidebar.caption]
    at.switch_page("views/prospects.py")
    at.run()
    assert "No published data is loaded as external yet" in texts(at)
    at.switch_page("views/data.py")
    at.run()
    files = [(p.name, p.read_bytes(), "application/xml") for p in (real / "CD.xml",)]
    at.file_uploader(key="upload-files").set_value(files).run()
    at.checkbox(key="upload-external").check().run()
    at.button(key="upload-load").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.success][-1].startswith("Loaded.")
    at.switch_page("views/prospects.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    said = texts(at)
    assert "**1 funder** in the published data funds Education" in said
    assert "17 of 17 commitments and grants to the themes serve a focus region" in said
    shown = next(d.value for d in at.dataframe if "Funder" in d.value.columns)
    assert shown["Funder"].tolist() == ["Department for International Development"]
    assert "the expected HHI goes from" in said
    at.switch_page("views/overview.py")
    at.run()
    assert ([m.value for m in at.metric], [c.value for c in at.sidebar.caption]) == before
    assert "Published data about other funders is loaded too (205 projects" in texts(at)
