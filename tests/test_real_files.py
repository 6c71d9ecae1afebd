"""Real published files (``tests/fixtures/real/``, provenance in the README there) load by
their standard's rules, and the store holds what an independent parse of the same bytes
(:mod:`tests.independent_parse`) counts: activities or grants, transactions by type, amounts
by type and currency. The donor concentration runs on every file that carries funding.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from graph.analyses.concentration import donor_concentration
from graph.errors import EmptySelection
from graph.store.memory import MemoryStore
from loaders.currency import notices
from loaders.load import load_rows
from loaders.readers import read_file
from loaders.standards.iati import TRANSACTION_TYPES
from tests.helpers import nodes
from tests.independent_parse import REAL, figures_of

EXPECTED = json.loads((REAL / "expected.json").read_text(encoding="utf-8"))
FILES = sorted(EXPECTED)
#: Every flow type, so that files holding only disbursements or expenditure are measured too.
ALL_TYPES = ("income", "incoming_funds", "incoming_commitment", "commitment", "grant")
ALL_TYPES += ("disbursement", "expenditure", "other")


def load_real(name: str) -> tuple[MemoryStore, list]:
    rows, problems = read_file(REAL / name)
    store = MemoryStore()
    load_rows(rows, problems, store, source=name)
    return store, notices(rows)


def test_the_corpus_is_wide():
    publishers = json.loads((REAL / "publishers.json").read_text(encoding="utf-8"))
    assert set(publishers) == set(FILES)
    assert len(FILES) >= 20 and len(set(publishers.values())) >= 12
    kinds = {Path(f).suffix for f in FILES}
    assert kinds == {".xml", ".json", ".xlsx", ".csv"}


def test_expected_figures_are_the_independent_parse():
    assert {f: figures_of(REAL / f) for f in FILES} == EXPECTED


@pytest.mark.parametrize("name", [f for f in FILES if f.endswith(".xml")])
def test_iati_file_loads_with_the_independent_figures(name):
    store, _ = load_real(name)
    want = EXPECTED[name]
    assert len(nodes(store, "Project")) == want["activities"]
    flows = store.rel_table("FUNDS")
    got_types = Counter(flows["flow_type"]) if len(flows) else Counter()
    want_types: Counter = Counter()
    for code, n in want["transactions"].items():
        want_types[TRANSACTION_TYPES[code][1]] += n
    assert got_types == want_types
    got_sums: dict = defaultdict(float)
    for r in flows.to_dict("records") if len(flows) else []:
        if r.get("amount") == r.get("amount"):  # NaN: no amount
            got_sums[(r["flow_type"], r["currency"])] += float(r["amount"])
    want_sums: dict = defaultdict(float)
    for key, total in want["sums"].items():
        code, cur = key.split(" ")
        want_sums[(TRANSACTION_TYPES[code][1], cur)] += float(total)
    assert set(got_sums) == set(want_sums)
    for k, v in want_sums.items():
        assert got_sums[k] == pytest.approx(v, abs=0.01), k


@pytest.mark.parametrize("name", [f for f in FILES if f.startswith("giving360/")])
def test_360giving_file_loads_with_the_independent_figures(name):
    store, said = load_real(name)
    want = EXPECTED[name]
    projects = nodes(store, "Project")
    assert len(projects) == want["grants"]
    budgets: dict = defaultdict(float)
    for p in projects.values():
        budgets[p["currency"]] += float(p["budget"])
    assert {k: round(v, 2) for k, v in budgets.items()} == {
        k: round(float(v), 2) for k, v in want["sums"].items()
    }
    individuals = sum("a grant to an individual" in str(n) for n in said)
    assert individuals == want["individuals"]


@pytest.mark.parametrize("name", FILES)
def test_donor_concentration_runs_on_every_file(name):
    store, _ = load_real(name)
    try:  # the default flow types (commitments, incoming funds, grants), else every type
        c = donor_concentration(store)
    except EmptySelection:
        try:
            c = donor_concentration(store, flow_types=ALL_TYPES)
        except EmptySelection as e:  # said, never guessed
            flows = store.rel_table("FUNDS")
            own = bool(len(flows)) and bool((flows["start"] == flows["end"]).all())
            assert "known USD amount" in str(e) or "net to" in str(e) or own, str(e)
            return
    assert 0 < c["low"]["hhi"] <= c["high"]["hhi"] <= 10_000 + 1e-6
    assert c["coverage"]["flows"] > 0


def test_files_that_are_not_grants_or_activities_say_what_they_are():
    _, problems = read_file(REAL / "other" / "registry-metadata.json")
    assert [p.message for p in problems] == [
        "this is 360Giving registry metadata (publishers, licences, download links), not grant data"
    ]
    _, problems = read_file(Path(__file__).parent / "fixtures/iati/bad/organisation-file.xml")
    assert "this is an IATI organisation file" in str(problems[0])


@pytest.mark.bolt
def test_every_real_file_gives_the_same_graph_on_the_bolt_server(neo):
    for name in FILES:
        mem, _ = load_real(name)
        rows, problems = read_file(REAL / name)
        load_rows(rows, problems, neo, source=name)
        assert neo.counts() == mem.counts(), name
        keys = ("flow_type", "currency", "donor")
        assert neo.funding_totals(keys, flow_types=ALL_TYPES).equals(
            mem.funding_totals(keys, flow_types=ALL_TYPES)
        ), name
        neo.clear()


def test_a_published_csv_in_windows_1252_loads_with_a_notice_and_strict_refuses_it():
    name = "giving360/fundingproviders-grants_2_grants_cp1252.csv"
    store, said = load_real(name)
    assert any("read as Windows-1252" in str(n) for n in said)
    assert any("€funding€providers" in pid for pid in nodes(store, "Project"))
    _, problems = read_file(REAL / name, strict=True)
    assert [p.message for p in problems] == ["the file is not UTF-8 text (byte 0x80)"]
