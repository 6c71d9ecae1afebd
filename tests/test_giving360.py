"""360Giving grants (CSV and JSON): the loaded graph node by node, multi-funder grants, date
forms, both stores, and every bad-input rule with its message."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.errors import ValidationFailed
from graph.store.memory import MemoryStore
from loaders.currency import notices
from loaders.load import check, load, load_rows
from loaders.readers import read_file, read_path
from loaders.records import parse_date
from loaders.standards.giving360 import is_360_csv, org_sector, read_360_csv
from tests.helpers import ecb_usd, nodes, rels

FIXTURES = Path(__file__).parent / "fixtures" / "giving360"
CSV = FIXTURES / "grants.csv"
JSON = FIXTURES / "grants-multi-funder.json"
BAD = FIXTURES / "bad-grants.csv"


@pytest.fixture
def csv_store() -> MemoryStore:
    store = MemoryStore()
    load(CSV, store)
    return store


@pytest.fixture
def json_store() -> MemoryStore:
    store = MemoryStore()
    load(JSON, store)
    return store


# -- CSV, node by node -------------------------------------------------------------------------


def test_csv_source(csv_store):
    assert nodes(csv_store, "Source") == {
        "360giving:grants.csv": {
            "file": "grants.csv",
            "title": "360Giving grants file grants.csv",
            "kind": "360Giving grants file (CSV)",
        }
    }


def test_csv_projects_are_the_grants(csv_store):
    projects = nodes(csv_store, "Project")
    keep = ("title", "status", "start_year", "end_year", "budget", "currency", "budget_usd")
    assert {k: tuple(v.get(c) for c in keep) for k, v in projects.items()} == {
        "360G-exf-2019-001": (
            "Coding clubs for girls",
            "completed",
            2019,
            2021,
            24500,
            "GBP",
            round(24500 * ecb_usd("GBP", "2019-02-14"), 2),
        ),
        # start 2020-09 plus 18 months' duration → ends 2022
        "360G-exf-2020-014": (
            "Teacher exchange with Kazakhstan",
            "completed",
            2020,
            2022,
            60000,
            "GBP",
            round(60000 * ecb_usd("GBP", "2020-07-01"), 2),
        ),
        "360G-exf-2021-101": (
            "Community radio on climate",
            "completed",
            2021,
            2022,
            15000,
            "EUR",
            round(15000 * ecb_usd("EUR", "2021-11-30"), 2),
        ),
    }
    # a quoted description over two lines, with doubled quotes, survives whole
    assert projects["360G-exf-2019-001"]["description"] == (
        "Weekly after-school coding clubs in ten schools.\n"
        'Includes laptops, "Scratch" lessons and a summer showcase.'
    )
    assert projects["360G-exf-2019-001"]["quote"] == (
        "grant 360G-exf-2019-001 (Amount Awarded 24500 GBP, Award Date 2019-02-14, planned "
        "2019-04-01 to 2021-03-31)"
    )


def test_csv_organizations_and_sectors(csv_store):
    orgs = nodes(csv_store, "Organization")
    assert {
        k: (v["name"], v["sector"], v["org_type"], v.get("country")) for k, v in orgs.items()
    } == {
        "GB-CHC-1000147": ("Example Education Foundation", "foundation", "foundation", "GBR"),
        "GB-CHC-1190001": ("Code Sisters", "ngo", "ngo", "GBR"),
        "GB-GOR-PB123": ("Department for Education", "government", "government_agency", "GBR"),
        "GB-COH-09876543": ("Exchange Works Ltd", "private_company", "company", "GBR"),
        "360G-exf-ORG-77": ("Steppe Voices", "other", "other", None),
    }


def test_csv_flows_dates_and_funders(csv_store):
    flows = rels(csv_store, "FUNDS")
    keep = ("start", "end", "project_id", "flow_type", "amount", "currency", "year", "date")
    assert {k: tuple(v.get(c) for c in keep) for k, v in flows.items()} == {
        # DD/MM/YYYY
        "360G-exf-2019-001#f1": (
            "GB-CHC-1000147",
            "GB-CHC-1190001",
            "360G-exf-2019-001",
            "grant",
            24500,
            "GBP",
            2019,
            "2019-02-14",
        ),
        # ISO date-time; two funders (Funding Org:0 and Funding Org:1): amount left empty
        "360G-exf-2020-014#f1": (
            "GB-CHC-1000147",
            "GB-COH-09876543",
            "360G-exf-2020-014",
            "grant",
            None,
            "GBP",
            2020,
            "2020-07-01",
        ),
        "360G-exf-2020-014#f2": (
            "GB-GOR-PB123",
            "GB-COH-09876543",
            "360G-exf-2020-014",
            "grant",
            None,
            "GBP",
            2020,
            "2020-07-01",
        ),
        # date with a time after a space
        "360G-exf-2021-101#f1": (
            "GB-CHC-1000147",
            "360G-exf-ORG-77",
            "360G-exf-2021-101",
            "grant",
            15000,
            "EUR",
            2021,
            "2021-11-30",
        ),
    }
    assert flows["360G-exf-2019-001#f1"]["amount_usd"] == round(
        24500 * ecb_usd("GBP", "2019-02-14"), 2
    )
    assert flows["360G-exf-2021-101#f1"]["usd_rate"] == ecb_usd("EUR", "2021-11-30")
    assert flows["360G-exf-2021-101#f1"]["rate_source"] == "ECB reference rate of 2021-11-30"
    assert "amount_usd" not in flows["360G-exf-2020-014#f1"]
    assert flows["360G-exf-2020-014#f2"]["quote"] == (
        "grant 360G-exf-2020-014 (Amount Awarded 60000 GBP, Award Date 2020-07-01); 2 funders "
        "share one amount, each flow's part is not stated, so its amount is left empty (the "
        "total is the project budget)"
    )
    assert {(f["kind"], f["channel"]) for f in flows.values()} == {("cash", "extrabudgetary")}


def test_csv_partnerships_and_targets(csv_store):
    roles = {(r["start"], r["end"], r["role"]) for r in rels(csv_store, "PARTNER_IN").values()}
    assert roles == {
        ("GB-CHC-1000147", "360G-exf-2019-001", "donor"),
        ("GB-CHC-1190001", "360G-exf-2019-001", "implementer"),
        ("GB-CHC-1000147", "360G-exf-2020-014", "donor"),
        ("GB-GOR-PB123", "360G-exf-2020-014", "donor"),
        ("GB-COH-09876543", "360G-exf-2020-014", "implementer"),
        ("GB-CHC-1000147", "360G-exf-2021-101", "donor"),
        ("360G-exf-ORG-77", "360G-exf-2021-101", "implementer"),
    }
    targets = {(r["start"], r["end"]) for r in rels(csv_store, "TARGETS").values()}
    assert targets == {
        ("360G-exf-2019-001", "GBR"),
        ("360G-exf-2020-014", "GBR"),
        ("360G-exf-2020-014", "KAZ"),
    }
    assert set(nodes(csv_store, "Country")) == {"GBR", "KAZ"}


def test_csv_notice_for_the_multi_funder_grant():
    rows, problems = read_path(CSV)
    assert problems == []
    assert [str(n) for n in notices(rows)] == [
        "grants.csv, line 4, 360G-exf-2020-014, column 'Amount Awarded', value '60000 GBP': "
        "grant with 2 funders: one flow each, amount left empty (the standard gives one amount "
        "for the grant; it is not split); the total is kept as the project budget"
    ]


# -- JSON ------------------------------------------------------------------------------------


def test_json_multi_funder(json_store):
    flows = rels(json_store, "FUNDS")
    keep = ("start", "end", "amount", "currency", "date")
    assert {k: tuple(v.get(c) for c in keep) for k, v in flows.items()} == {
        "360G-jt-0001#f1": ("GB-CHC-1000147", "GB-CHC-1180000", None, "GBP", "2022-03-15"),
        "360G-jt-0001#f2": ("GB-SC-SC012345", "GB-CHC-1180000", None, "GBP", "2022-03-15"),
        "360G-jt-0002#f1": ("GB-SC-SC012345", "US-EIN-123456789", 12500.5, "USD", "2023-01-09"),
    }
    assert flows["360G-jt-0002#f1"]["amount_usd"] == 12500.5
    projects = nodes(json_store, "Project")
    assert projects["360G-jt-0001"]["budget"] == 80000
    assert projects["360G-jt-0001"]["budget_usd"] == round(80000 * ecb_usd("GBP", "2022-03-15"), 2)
    assert projects["360G-jt-0001"]["budget_rate_source"] == "ECB reference rate of 2022-03-15"
    assert (projects["360G-jt-0002"]["start_year"], projects["360G-jt-0002"]["end_year"]) == (
        2023,
        2024,
    )
    orgs = nodes(json_store, "Organization")
    assert {k: v["sector"] for k, v in orgs.items()} == {
        "GB-CHC-1000147": "foundation",
        "GB-SC-SC012345": "foundation",
        "GB-CHC-1180000": "ngo",
        "US-EIN-123456789": "other",
    }
    assert orgs["US-EIN-123456789"]["country"] == "USA"
    donors = {(r["start"], r["end"]) for r in rels(json_store, "PARTNER_IN").values()}
    assert ("GB-SC-SC012345", "360G-jt-0001") in donors
    assert {(r["start"], r["end"]) for r in rels(json_store, "TARGETS").values()} == {
        ("360G-jt-0001", "GBR"),
        ("360G-jt-0002", "KEN"),
    }


def test_json_notice_names_the_json_field():
    rows, _ = read_path(JSON)
    assert [str(n) for n in notices(rows)] == [
        "grants-multi-funder.json, 360G-jt-0001, column 'amountAwarded', value '80000 GBP': "
        "grant with 2 funders: one flow each, amount left empty (the standard gives one amount "
        "for the grant; it is not split); the total is kept as the project budget"
    ]


def test_json_bad_grants(tmp_path):
    doc = json.loads(JSON.read_text(encoding="utf-8"))
    doc["grants"][0]["amountAwarded"] = -3
    doc["grants"][1]["currency"] = "ABC"
    doc["grants"][1]["beneficiaryLocation"][0]["countryCode"] = "KX"
    doc["grants"].append({"id": "360G-jt-0003", "title": "No money"})
    path = tmp_path / "g.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    _, problems = check(path, strict=True)
    assert [str(p) for p in problems] == [
        "g.json, 360G-jt-0001, column 'amountAwarded', value '-3': negative amount. Fix: "
        "amounts must be zero or more",
        "g.json, 360G-jt-0002, column 'currency', value 'ABC': not an ISO 4217 currency code. "
        "Fix: use e.g. GBP, EUR or USD",
        "g.json, 360G-jt-0002, column 'beneficiaryLocation[0].countryCode', value 'KX': unknown "
        "ISO 3166-1 alpha-2 country code. Fix: use the two-letter code, e.g. GB for the United "
        "Kingdom",
        "g.json, 360G-jt-0003, column 'currency': a value is required. Fix: give the currency, "
        "e.g. GBP",
        "g.json, 360G-jt-0003, column 'amountAwarded': a value is required. Fix: give the "
        "amount, e.g. 5000",
        "g.json, 360G-jt-0003, column 'awardDate': a value is required. Fix: write YYYY-MM-DD "
        "(DD/MM/YYYY and date-times such as 2024-03-01T00:00:00+00:00 work too)",
        "g.json, 360G-jt-0003, column 'fundingOrganization[0].id': a value is required. Fix: "
        "give the funding org's identifier and name",
        "g.json, 360G-jt-0003, column 'recipientOrganization[0].id': a value is required. Fix: "
        "give the recipient org's identifier and name",
    ]


def test_json_grants_must_be_a_list():
    rows, problems = read_file("g.json", data=b'{"grants": {"id": "x"}}')
    assert [str(p) for p in problems] == [
        "g.json, grants, column 'grants': 'grants' must be a list of grant objects. Fix: use "
        '{"grants": [{...}, ...]}'
    ]


# -- bad CSV ---------------------------------------------------------------------------------


def test_every_bad_grant_in_one_report_and_nothing_written():
    store = MemoryStore()
    with pytest.raises(ValidationFailed) as e:
        load(BAD, store, strict=True)
    assert [str(p) for p in e.value.problems] == [
        "bad-grants.csv, line 2, 360G-bad-1, column 'Amount Awarded', value '-500': negative "
        "amount. Fix: amounts must be zero or more",
        "bad-grants.csv, line 3, 360G-bad-2, column 'Amount Awarded', value '£5,000': not a "
        "number. Fix: write digits only, without currency signs or thousands separators, e.g. "
        "5000",
        "bad-grants.csv, line 4, 360G-bad-3, column 'Currency', value 'GBX': not an ISO 4217 "
        "currency code. Fix: use e.g. GBP, EUR or USD",
        "bad-grants.csv, line 5, 360G-bad-4, column 'Award Date', value '03/25/2021': not a "
        "real date (month must be in 1..12). Fix: write YYYY-MM-DD (DD/MM/YYYY and date-times "
        "such as 2024-03-01T00:00:00+00:00 work too)",
        "bad-grants.csv, line 6, 360G-bad-5, column 'Recipient Org:Identifier': a value is "
        "required. Fix: give the recipient org's identifier and name",
        "bad-grants.csv, line 7, 360G-bad-6, column 'Beneficiary Location:Country Code', value "
        "'UK': unknown ISO 3166-1 alpha-2 country code. Fix: use the two-letter code, e.g. GB "
        "for the United Kingdom",
        "bad-grants.csv, line 8, 360G-bad-6, column 'Identifier', value '360G-bad-6': duplicate "
        "grant identifier (first at line 7). Fix: give each grant its own identifier, or remove "
        "the repeated one",
    ]
    assert store.load_history().empty
    assert sum(store.counts()["nodes"].values()) == 0


def test_missing_columns_are_reported_once(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text("Identifier,Title,Amount Awarded\n1,x,5\n", encoding="utf-8")
    assert [str(p) for p in check(path)[1]] == [
        "g.csv, line 1, column 'Currency': required column 'Currency' is missing. Fix: use the "
        "360Giving column titles, e.g. Identifier, Title, Currency, Amount Awarded, Award Date",
        "g.csv, line 1, column 'Award Date': required column 'Award Date' is missing. Fix: use "
        "the 360Giving column titles, e.g. Identifier, Title, Currency, Amount Awarded, Award "
        "Date",
        "g.csv, line 1, column 'Funding Org:Identifier': required column 'Funding "
        "Org:Identifier' is missing. Fix: add 'Funding Org:Identifier' and 'Funding Org:Name' "
        "columns",
        "g.csv, line 1, column 'Recipient Org:Identifier': required column 'Recipient "
        "Org:Identifier' is missing. Fix: add 'Recipient Org:Identifier' and 'Recipient "
        "Org:Name' columns",
    ]


def test_non_utf8_csv_is_read_as_windows_1252_and_refused_under_strict(tmp_path):
    path = tmp_path / "g.csv"
    path.write_bytes(CSV.read_bytes().replace(b"Code Sisters", "Côde Sisters".encode("cp1252")))
    records, problems = check(path)
    assert problems == []
    assert "Côde Sisters" in {o["name"] for o in records["organizations"]}
    rows, _ = read_file(path)
    assert any("read as Windows-1252" in str(n) for n in notices(rows))
    problems = check(path, strict=True)[1]
    assert [str(p) for p in problems] == [
        'g.csv: the file is not UTF-8 text (byte 0xf4). Fix: save it as UTF-8 (in Excel: "CSV '
        'UTF-8")'
    ]


# -- detection and shared pieces --------------------------------------------------------------


def test_a_360_csv_is_told_from_a_record_file_by_its_header(tmp_path):
    odd = tmp_path / "export-2024.csv"
    shutil.copy(CSV, odd)
    assert is_360_csv(odd) and is_360_csv(CSV.read_bytes())
    assert not is_360_csv(Path(__file__).parent / "fixtures" / "minimal" / "projects.csv")
    assert check(odd)[1] == []
    assert not is_360_csv(tmp_path / "missing.csv")


def test_upload_bytes_read_the_same_as_the_file_on_disk():
    a = read_file(CSV)
    b = read_file("grants.csv", data=CSV.read_bytes())
    assert [(r.kind, r.values) for r in a[0]] == [(r.kind, r.values) for r in b[0]]
    streamed = list(read_360_csv(CSV, name="grants.csv"))
    assert [r.values for r in streamed] == [r.values for r in a[0]]


def test_org_sector_rules():
    assert org_sector("GB-LAE-LDS", funder=True)[:2] == ("government", "government_agency")
    assert org_sector("GB-UKPRN-10007795", funder=False)[:2] == ("university", "university")
    assert org_sector("GB-EDU-123456", funder=False)[:2] == ("other", "school")
    assert org_sector("GB-NIC-100001", funder=True)[:2] == ("foundation", "foundation")
    assert org_sector("XX-1", funder=False, organisation_type="Registered Company")[:2] == (
        "private_company",
        "company",
    )
    assert org_sector("XX-1", funder=False) == ("other", "other", False)


@given(st.dates(min_value=__import__("datetime").date(1950, 1, 1)))
def test_date_forms_agree(d):
    iso = d.isoformat()
    assert parse_date(iso) == iso
    assert parse_date(f"{d.day:02d}/{d.month:02d}/{d.year}") == iso
    assert parse_date(f"{d.day}/{d.month}/{d.year} 14:05") == iso
    assert parse_date(f"{iso}T00:00:00+00:00") == iso
    assert parse_date(f"{iso}T23:59:59.123Z") == iso
    assert parse_date(f"{iso} 09:30:00") == iso


# -- both stores -----------------------------------------------------------------------------


@pytest.mark.bolt
def test_both_stores_hold_the_same_graph(neo):
    mem = MemoryStore()
    for path in (CSV, JSON):
        load(path, mem)
        load(path, neo)
    a, b = mem.snapshot(), neo.snapshot()
    assert a["nodes"].keys() == b["nodes"].keys()
    assert a["relationships"].keys() == b["relationships"].keys()
    assert a == b
    assert mem.counts() == neo.counts()


def test_a_negative_grant_loads_signed_with_a_notice(tmp_path):
    doc = json.loads(JSON.read_text(encoding="utf-8"))
    doc["grants"][1]["amountAwarded"] = -500
    path = tmp_path / "g.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    rows, problems = read_path(path)
    assert problems == []
    said = [str(n) for n in notices(rows)]
    assert any("negative amount: loaded as given" in n for n in said)
    store = MemoryStore()
    load_rows(rows, problems, store, source="g.json")
    flow = rels(store, "FUNDS")["360G-jt-0002#f1"]
    assert flow["amount"] == -500 and flow["amount_usd"] == -500


def test_grants_to_individuals_go_to_one_anonymous_node_per_funder(tmp_path):
    doc = json.loads(JSON.read_text(encoding="utf-8"))
    grant = doc["grants"][1]
    funder = grant["fundingOrganization"][0]["id"]
    del grant["recipientOrganization"]
    grant["recipientIndividual"] = {"id": "360G-x-IND-7", "name": "A. Person"}
    path = tmp_path / "g.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    rows, problems = read_path(path)
    assert problems == []
    store = MemoryStore()
    load_rows(rows, problems, store, source="g.json")
    orgs = nodes(store, "Organization")
    anon = orgs[f"individuals:{funder}"]
    assert anon["name"] == f"Individual recipients of {funder}"
    text = repr(store.snapshot())
    assert "A. Person" not in text and "360G-x-IND-7" not in text  # no personal data
    assert any("a grant to an individual" in str(n) for n in notices(rows))
    _, strict = check(path, strict=True)
    assert any("recipientIndividual" in p.message for p in strict)


def test_a_360giving_json_file_is_streamed_grant_by_grant(tmp_path, monkeypatch):
    import json as _json

    doc = _json.loads(JSON.read_text(encoding="utf-8"))
    path = tmp_path / "g.json"
    path.write_text(_json.dumps({"license": "CC-BY", **doc}), encoding="utf-8")

    def no_whole_parse(*a, **k):
        raise AssertionError("a 360Giving file on disk must not be parsed whole")

    monkeypatch.setattr("loaders.readers.parse_json", no_whole_parse)
    rows, problems = read_file(path)
    assert problems == [] and sum(r.kind == "funding" for r in rows) == 3
    path.write_text('{"grants": [{"id": "x", "title": ', encoding="utf-8")
    rows, problems = read_file(path)
    assert [p.message.split(":")[0] for p in problems] == ["not valid JSON"]
