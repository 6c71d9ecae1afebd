"""Published data loaded as external (issue 13, part 3): it never moves the institute's own
figures, in either store; prospecting over it agrees with an independent parse of the
published files (``xml.etree`` and ``csv`` only, none of the project's code)."""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from graph.analyses.collaborations import collaborations
from graph.analyses.concentration import donor_concentration
from graph.analyses.drawing import partner_drawing
from graph.analyses.funding import coverage
from graph.analyses.institute import INSTITUTE, recipient_of
from graph.analyses.limits import check_limits, read_limits
from graph.analyses.projection import projection
from graph.analyses.prospecting import (
    PROSPECTING_EXAMPLE,
    parse_prospecting,
    prospects,
    read_prospecting,
    with_prospect,
)
from graph.analyses.regional import regional_balance, regional_picture
from graph.errors import SettingsError
from graph.store import Filters
from loaders.load import DATA_DIR, limits_file, load

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "fixtures" / "real"
PUBLISHED = [
    REAL / "iati" / f
    for f in (
        "CD.xml",
        "aet-activities.xml",
        "complex_example_dfid.xml",
        "missing_dates.xml",
        "big_value.xml",
        "MAEC_IATI_INDONESIA.xml",
    )
] + [REAL / "giving360" / "a002400000KeYdsAAF.json"]


def _plain(x):
    """A result as plain values (tables as rounded records) to compare."""
    if isinstance(x, pd.DataFrame):
        return x.round(9).astype(object).where(x.notna(), None).to_dict("records")
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, float):
        return round(x, 9)
    return x


def institute_figures(store) -> dict:
    checks = check_limits(store, read_limits(limits_file()))
    return {
        "recipient": recipient_of(store, INSTITUTE),
        "concentration": _plain(donor_concentration(store)),
        "coverage": _plain(coverage(store)),
        "balance": _plain(regional_balance(store, scheme="focus")),
        # the wider network: everything in the data but the published data about others
        "network": _plain(regional_picture(store, scheme="focus", scope="network")),
        "africa": sorted(
            collaborations(store, Filters(region="focus:africa"), scope="network")["projects"]["id"]
        ),
        "limits": [(k.id, k.status, k.now) for k in checks],
        "drawing": _plain(partner_drawing(store).nodes.drop(columns=["countries"])),
    }


def test_external_data_never_counts_in_the_institutes_figures(either_store):
    store = either_store
    load(DATA_DIR, store, source="data")
    before = institute_figures(store)
    for path in PUBLISHED:
        report = load(path, store, external=True)
        assert report.source.startswith("external:")
    ext = store.funding_totals(("donor",), external_filter())
    assert int(ext["flows"].sum()) > 500  # the published flows are in the store
    assert institute_figures(store) == before
    # the history names the published sources as external
    history = store.load_history()
    assert history["source"].str.startswith("external:").sum() == len(PUBLISHED)


def external_filter():
    from graph.store import Filters

    return Filters(external=True)


# -------------------------------------------------------------- independent parse

THEME = re.compile(r"^(11[1-4]\d\d|22040|12261)$")


def _africa() -> set:
    with open(DATA_DIR / "reference" / "m49.csv", encoding="utf-8") as f:
        return {r["alpha-2"] for r in csv.DictReader(f) if r["region-code"] == "002"}


def _theme_share(act) -> Decimal:
    """The activity's share in the themes: the percentages of its DAC (vocabulary 1)
    sectors, else an even split; sectors of the transactions when the activity has none."""
    own = [s for s in act.findall("sector") if (s.get("vocabulary") or "1").upper() in ("1", "DAC")]
    sectors = own or [
        s
        for s in act.findall("transaction/sector")
        if (s.get("vocabulary") or "1").upper() in ("1", "DAC")
    ]
    codes = {}
    for s in sectors:
        codes.setdefault(s.get("code", "").strip(), s.get("percentage") if own else None)
    if not codes:
        return Decimal(0)
    themed = [c for c in codes if THEME.match(c)]
    pcts = list(codes.values())
    if all(p not in (None, "") for p in pcts) and sum(Decimal(p) for p in pcts) > 0:
        return sum(Decimal(codes[c]) for c in themed) / sum(Decimal(p) for p in pcts)
    return Decimal(len(themed)) / Decimal(len(codes))


def independent_prospecting(paths) -> tuple[Counter, dict, dict]:
    """Per funder (the transaction's provider-org ref, else the reporting org's), how many
    commitments of activities with an education, ICT or health-education DAC sector that
    target an African country; the value of those commitments per currency; and that value
    times the activity's share in the themes and the share of its countries in Africa."""
    africa = _africa()
    flows, money, weighted = Counter(), {}, {}
    for path in paths:
        root = ET.parse(path).getroot()
        for act in root.iter("iati-activity"):
            share = _theme_share(act)
            countries = [
                c.get("code", "").strip().upper() for c in act.findall("recipient-country")
            ]
            countries = list(dict.fromkeys(countries))
            in_africa = sum(c in africa for c in countries)
            if not share or not in_africa:
                continue
            reporter = act.find("reporting-org").get("ref")
            default = act.get("default-currency")
            for tx in act.findall("transaction"):
                if tx.find("transaction-type").get("code") not in ("2", "C"):
                    continue
                provider = tx.find("provider-org")
                funder = provider.get("ref") if provider is not None else None
                flows[funder or reporter] += 1
                v = tx.find("value")
                cur = v.get("currency") or default
                amount = Decimal(v.text.strip())
                money[cur] = money.get(cur, Decimal(0)) + amount
                w = amount * share * Decimal(in_africa) / Decimal(len(countries))
                weighted[cur] = weighted.get(cur, Decimal(0)) + w
    return flows, money, weighted


def independent_other_sectors(paths) -> set:
    """The DAC 3-digit categories (in words, from IATI's codelist) of the other sectors of
    the themed activities in Africa that have a commitment."""
    names = {
        i.findtext("code"): i.find("name/narrative").text
        for i in ET.parse(DATA_DIR / "reference" / "SectorCategory.xml")
        .getroot()
        .iter("codelist-item")
    }
    africa, found = _africa(), set()
    for path in paths:
        for act in ET.parse(path).getroot().iter("iati-activity"):
            countries = {c.get("code", "").upper() for c in act.findall("recipient-country")}
            commits = [
                t
                for t in act.findall("transaction")
                if t.find("transaction-type").get("code") in ("2", "C")
            ]
            if not _theme_share(act) or not countries & africa or not commits:
                continue
            for s in act.findall("sector") or act.findall("transaction/sector"):
                code = s.get("code", "").strip()
                if (s.get("vocabulary") or "1").upper() in ("1", "DAC") and not THEME.match(code):
                    found.add(names.get(code[:3], f"DAC {code[:3]}"))
    return found


def test_prospects_agree_with_an_independent_parse_of_the_published_files(tmp_path):
    from graph.store.memory import MemoryStore

    store = MemoryStore()
    load(DATA_DIR, store, source="data")
    iati = [p for p in PUBLISHED if p.suffix == ".xml"]
    for path in iati:
        load(path, store, external=True)
    p = prospects(store, read_prospecting(PROSPECTING_EXAMPLE))
    flows, money, weighted = independent_prospecting(iati)
    assert p.counted["in_focus"] == sum(flows.values()) > 0
    got = p.flows.groupby("funder").size().to_dict()
    assert got == dict(flows)
    by_cur = p.flows.groupby("currency")["amount"].sum()
    assert {k: round(float(v), 2) for k, v in by_cur.items()} == {
        k: round(float(v), 2) for k, v in money.items()
    }
    # the money in the themes and in Africa, in each currency as published
    f = p.flows
    w = (f["amount"] * f["theme_share"] * f["focus_share"]).groupby(f["currency"]).sum()
    assert {k: round(float(v), 2) for k, v in w.items()} == {
        k: round(float(v), 2) for k, v in weighted.items()
    }
    # none of them gives the institute anything: every one is a prospect, ranked by money
    assert set(p.table["funder"]) == set(flows)
    top = p.table.iloc[0]
    assert top["name"] == "Department for International Development"
    assert "Africa" in top["regions"] and "Education" in top["themes"]
    assert set(top["other_sectors"].split("; ")) == independent_other_sectors(iati)
    # its typical grant is the median USD amount of its themed flows in Africa
    mine = p.flows[p.flows["funder"] == top["funder"]]
    assert top["typical_usd"] == pytest.approx(mine["amount_usd"].median())
    # adding it at that size moves the projected concentration and balance
    plan = projection(
        store, renewals=pd.read_csv(ROOT / "examples/planning/renewals.csv"), prospects=None
    )
    effect = with_prospect(plan, top.to_dict())
    assert effect.hhi_after < effect.hhi_before
    africa = effect.shares.set_index("region").loc["focus:africa"]
    assert africa["after"] > 0 and effect.region == "focus:africa"


def test_a_current_donor_in_published_data_is_not_a_prospect(tmp_path):
    """A funder that already gives the institute money is left out (and counted)."""
    from graph.store.memory import MemoryStore

    store = MemoryStore()
    load(DATA_DIR, store, source="data")
    iati = REAL / "iati" / "CD.xml"
    text = iati.read_text(encoding="utf-8")
    # the same file, as if the institute's host country had published it
    (tmp_path / "CD.xml").write_text(text.replace('ref="GB-1"', 'ref="rus-gov"'), "utf-8")
    load(tmp_path / "CD.xml", store, external=True)
    p = prospects(store, read_prospecting(PROSPECTING_EXAMPLE))
    assert "rus-gov" not in set(p.table["funder"])
    assert p.counted["current_donors_left_out"] > 0


def test_bad_settings_are_named():
    with pytest.raises(SettingsError, match="no \\[\\[theme\\]\\]"):
        parse_prospecting("[[region]]\nid = 'focus:africa'")
    with pytest.raises(SettingsError, match="not valid TOML"):
        parse_prospecting("[[theme]\n")


def test_the_command_line_lists_the_prospects(capsys):
    from graph.__main__ import main

    assert main(["prospects"]) == 0
    assert "No published data is loaded as external" in capsys.readouterr().out
    assert main(["prospects", "--external", str(REAL / "iati" / "CD.xml")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 funder(s) in published data fund the institute's themes")
    assert "Department for International Development (government): USD 35,803,043" in out


def test_prospects_read_only_the_themed_projects_flows_and_agree_on_both_stores(neo):
    """On a server the published flows outside the themes are counted, not listed: the
    prospects, their flows and every count are the same as in the embedded store, and the
    count of published flows is that of a listing of every one of them."""
    from graph.analyses.prospecting import PROSPECT_FLOW_TYPES
    from graph.store.memory import MemoryStore

    mem = MemoryStore()
    for store in (mem, neo):
        load(DATA_DIR, store, source="data")
        for path in PUBLISHED:
            load(path, store, external=True)
    settings = read_prospecting(PROSPECTING_EXAMPLE)
    a, b = prospects(mem, settings), prospects(neo, settings)
    assert a.counted == b.counted
    every = mem.funding_flows(Filters(external=True))
    kinds = every["flow_type"].fillna("income").isin(PROSPECT_FLOW_TYPES)
    assert a.counted["external_flows"] == int(kinds.sum()) > a.counted["themed"] > 0
    assert _plain(a.table) == _plain(b.table)
    order = ["flow_id"]
    assert _plain(a.flows.sort_values(order, ignore_index=True)) == _plain(
        b.flows.sort_values(order, ignore_index=True)
    )
