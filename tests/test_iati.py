"""IATI activity files (2.0x and 1.0x): the loaded graph node by node, funding chains, both
stores, every bad-input rule with its message, and streaming in bounded memory."""

from __future__ import annotations

import io
import os
import shutil
import tracemalloc
from pathlib import Path

import pytest

from graph.errors import ValidationFailed
from graph.store.memory import MemoryStore
from loaders.__main__ import main as cli
from loaders.currency import format_notices, notices
from loaders.load import check, load, load_rows
from loaders.readers import read_file, read_path
from loaders.records import Problem, RawRow
from loaders.standards.iati import read_iati
from tests.helpers import ecb_usd, nodes, rels

FIXTURES = Path(__file__).parent / "fixtures" / "iati"
V2 = FIXTURES / "activities-2.03.xml"
V1 = FIXTURES / "activities-1.05.xml"
BAD = FIXTURES / "bad"
SRC2 = "iati:activities-2.03.xml"


def messages(path, *, strict: bool = True) -> list[str]:
    """Every problem of a file; ``strict`` (the default here) refuses what the standard
    allows but the explorer's own records do not, as the bad-input suite expects."""
    _, problems = check(path, strict=strict)
    return [str(p) for p in problems]


@pytest.fixture
def v2_store() -> MemoryStore:
    store = MemoryStore()
    load(V2, store)
    return store


# -- 2.0x, node by node -------------------------------------------------------------------------


def test_v2_source_node(v2_store):
    assert nodes(v2_store, "Source") == {
        SRC2: {
            "file": "activities-2.03.xml",
            "title": "IATI activity file activities-2.03.xml (version 2.03)",
            "date": "2024-05-01",
            "kind": "IATI activity file",
        }
    }


def test_v2_organizations(v2_store):
    orgs = nodes(v2_store, "Organization")
    got = {k: (v["name"], v["sector"], v["org_type"], v.get("country")) for k, v in orgs.items()}
    assert got == {
        "GB-GOV-1": (
            "Foreign, Commonwealth and Development Office",
            "government",
            "government_agency",
            "GBR",
        ),
        "unesco": ("UNESCO", "un_system", "intergovernmental", None),
        "KE-NGC-OP-1234": ("Elimu Digital Trust", "ngo", "ngo", "KEN"),
        "name:nairobi-teachers-college": (
            "Nairobi Teachers College",
            "university",
            "university",
            None,
        ),
        "DE-1": ("Germany", "government", "government_agency", "DEU"),
        "name:open-schools-network": ("Open Schools Network", "ngo", "ngo", None),
    }
    for props in orgs.values():
        assert props["source_id"] == SRC2
        assert props["quote"].startswith("iati-activity ")
    assert orgs["unesco"]["quote"] == (
        "iati-activity GB-GOV-1-300123 / participating-org[3] (role 4, type 40, XM-DAC-41304)"
    )
    based = {(r["start"], r["end"]) for r in rels(v2_store, "BASED_IN").values()}
    assert based == {("GB-GOV-1", "GBR"), ("KE-NGC-OP-1234", "KEN"), ("DE-1", "DEU")}


def test_v2_projects(v2_store):
    projects = nodes(v2_store, "Project")
    keep = ("title", "status", "start_year", "end_year", "budget", "currency", "budget_usd")
    got = {k: tuple(v.get(c) for c in keep) for k, v in projects.items()}
    assert got == {
        # revised 2023 budget (450000) replaces the original (400000); + 2024 (500000)
        "GB-GOV-1-300123": (
            "Girls' Education Challenge: digital learning",
            "ongoing",
            2023,
            2025,
            950000,
            "GBP",
            round(450000 * ecb_usd("GBP", "2023-01-01") + 500000 * ecb_usd("GBP", "2024-01-01"), 2),
        ),
        "XM-DAC-41304-EDU-1": (
            "Digital schools for East Africa",
            "ongoing",
            2023,
            2025,
            600000,
            "USD",
            600000,
        ),
        "KE-NGC-OP-1234-SCH": (
            "Tablets for rural schools",
            "completed",
            2023,
            2024,
            None,
            None,
            None,
        ),
        # cancelled → completed; EUR 100000 (2022) + USD 20000 summed in USD
        "XM-DAC-41304-CA-7": (
            "Teacher networks in Central Asia",
            "completed",
            2022,
            2022,
            round(100000 * ecb_usd("EUR", "2022-01-01") + 20000, 2),
            "USD",
            round(100000 * ecb_usd("EUR", "2022-01-01") + 20000, 2),
        ),
    }
    assert projects["XM-DAC-41304-CA-7"]["quote"] == (
        "iati-activity XM-DAC-41304-CA-7 (activity-status 5 Cancelled, 2022-01-01 to 2022-12-31)"
    )
    assert projects["GB-GOV-1-300123"]["description"] == (
        "Funding to UNESCO for digital learning in East Africa.\n\nIATI sectors: 11110 100%"
    )
    assert projects["XM-DAC-41304-EDU-1"]["description"] == "IATI sectors: 11110 70%, 11220 30%"


def test_v2_partnerships(v2_store):
    got = {(r["start"], r["end"], r["role"]) for r in rels(v2_store, "PARTNER_IN").values()}
    assert got == {
        ("GB-GOV-1", "GB-GOV-1-300123", "donor"),
        ("GB-GOV-1", "GB-GOV-1-300123", "coordinator"),
        ("unesco", "GB-GOV-1-300123", "implementer"),
        ("GB-GOV-1", "XM-DAC-41304-EDU-1", "donor"),
        ("unesco", "XM-DAC-41304-EDU-1", "lead"),
        ("KE-NGC-OP-1234", "XM-DAC-41304-EDU-1", "implementer"),
        ("unesco", "KE-NGC-OP-1234-SCH", "donor"),
        ("KE-NGC-OP-1234", "KE-NGC-OP-1234-SCH", "implementer"),
        ("name:nairobi-teachers-college", "KE-NGC-OP-1234-SCH", "implementer"),
        ("DE-1", "XM-DAC-41304-CA-7", "donor"),
        ("name:open-schools-network", "XM-DAC-41304-CA-7", "implementer"),
    }


def test_v2_targets_keep_regions_as_regions(v2_store):
    got = {
        (r["start"], r["end"], r["end_label"], r.get("share"))
        for r in rels(v2_store, "TARGETS").values()
    }
    assert got == {
        ("GB-GOV-1-300123", "dac:298", "Region", 1.0),
        ("XM-DAC-41304-EDU-1", "KEN", "Country", 0.6),
        ("XM-DAC-41304-EDU-1", "TZA", "Country", 0.4),
        ("KE-NGC-OP-1234-SCH", "KEN", "Country", None),
        ("XM-DAC-41304-CA-7", "KAZ", "Country", 0.7),
        ("XM-DAC-41304-CA-7", "m49:143", "Region", 0.3),
    }
    regions = nodes(v2_store, "Region")
    assert {k: (v["name"], v["scheme"]) for k, v in regions.items()} == {
        "dac:298": ("Africa, regional", "dac"),
        "m49:143": ("Central Asia", "m49_subregion"),
    }
    countries = nodes(v2_store, "Country")
    assert {k: v["name"] for k, v in countries.items()} == {
        "KEN": "Kenya",
        "TZA": "Tanzania, United Republic of",
        "KAZ": "Kazakhstan",
        "GBR": "United Kingdom",
        "DEU": "Germany",
    }
    assert "dac:298" not in countries and "298" not in countries


def test_v2_funding_flows(v2_store):
    flows = rels(v2_store, "FUNDS")
    keep = ("start", "end", "flow_type", "amount", "currency", "year", "project_id")
    got = {k: tuple(v.get(c) for c in keep) for k, v in flows.items()}
    assert got == {
        "GB-GOV-1-300123#t1": (
            "GB-GOV-1",
            "unesco",
            "commitment",
            900000,
            "GBP",
            2023,
            "XM-DAC-41304-EDU-1",
        ),
        "GB-GOV-1-300123#t2": (
            "GB-GOV-1",
            "unesco",
            "disbursement",
            450000,
            "GBP",
            2023,
            "XM-DAC-41304-EDU-1",
        ),
        "XM-DAC-41304-EDU-1#t1": (
            "GB-GOV-1",
            "unesco",
            "incoming_funds",
            450000,
            "GBP",
            2023,
            "XM-DAC-41304-EDU-1",
        ),
        "XM-DAC-41304-EDU-1#t2": (
            "unesco",
            "KE-NGC-OP-1234",
            "commitment",
            300000,
            "USD",
            2023,
            "KE-NGC-OP-1234-SCH",
        ),
        "XM-DAC-41304-EDU-1#t3": (
            "unesco",
            "KE-NGC-OP-1234",
            "disbursement",
            150000,
            "USD",
            2023,
            "KE-NGC-OP-1234-SCH",
        ),
        "KE-NGC-OP-1234-SCH#t1": (
            "unesco",
            "KE-NGC-OP-1234",
            "incoming_funds",
            150000,
            "USD",
            2023,
            "KE-NGC-OP-1234-SCH",
        ),
        "KE-NGC-OP-1234-SCH#t2": (
            "KE-NGC-OP-1234",
            "name:nairobi-teachers-college",
            "expenditure",
            2500000,
            "KES",
            2023,
            "KE-NGC-OP-1234-SCH",
        ),
        # no provider-org: an incoming commitment comes from the first funding org;
        # no receiver-org: a disbursement goes to the first implementing org
        "XM-DAC-41304-CA-7#t1": (
            "DE-1",
            "unesco",
            "incoming_commitment",
            120000,
            "EUR",
            2022,
            "XM-DAC-41304-CA-7",
        ),
        "XM-DAC-41304-CA-7#t2": (
            "unesco",
            "name:open-schools-network",
            "disbursement",
            60000,
            "EUR",
            2022,
            "XM-DAC-41304-CA-7",
        ),
    }
    t = flows["XM-DAC-41304-EDU-1#t1"]
    assert (t["date"], t["value_date"], t["kind"], t["channel"]) == (
        "2023-03-10",
        "2023-03-01",
        "cash",
        "extrabudgetary",
    )
    assert t["usd_rate"] == pytest.approx(ecb_usd("GBP", "2023-03-01"), rel=1e-12)
    assert t["amount_usd"] == round(450000 * t["usd_rate"], 2)
    assert t["rate_source"] == "ECB reference rate of 2023-03-01"
    assert t["quote"] == (
        "iati-activity XM-DAC-41304-EDU-1 / transaction[1] (type 1, value 450000 GBP, 2023-03-10)"
    )
    assert flows["XM-DAC-41304-CA-7#t1"]["amount_usd"] == round(
        120000 * ecb_usd("EUR", "2022-01-20"), 2
    )
    # no KES rate: the flow is there, with its amount, without a USD figure
    kes = flows["KE-NGC-OP-1234-SCH#t2"]
    assert kes["amount"] == 2500000 and "amount_usd" not in kes and "usd_rate" not in kes
    assert all(f["source_id"] == SRC2 for f in flows.values())


def test_three_level_chain_is_visible_through_project_ids(v2_store):
    flows = rels(v2_store, "FUNDS")
    links = {(f.get("provider_project_id"), f["project_id"]) for f in flows.values()}
    donor, agency, implementer = "GB-GOV-1-300123", "XM-DAC-41304-EDU-1", "KE-NGC-OP-1234-SCH"
    assert (donor, agency) in links and (agency, implementer) in links
    # walk the chain from the donor's activity
    chain, here = [donor], donor
    while True:
        nxt = {p for s, p in links if s == here and p != here}
        if not nxt:
            break
        (here,) = nxt
        chain.append(here)
    assert chain == [donor, agency, implementer]
    # both ends of the first link report it: outgoing by the donor, incoming by the agency
    reported = {
        k: (f["flow_type"], f["amount"])
        for k, f in flows.items()
        if (f.get("provider_project_id"), f["project_id"]) == (donor, agency)
    }
    assert reported == {
        "GB-GOV-1-300123#t1": ("commitment", 900000),
        "GB-GOV-1-300123#t2": ("disbursement", 450000),
        "XM-DAC-41304-EDU-1#t1": ("incoming_funds", 450000),
    }


def test_receiver_activity_outside_the_file_keeps_the_flow_on_its_own_activity():
    xml = (V2.read_text(encoding="utf-8")).replace(
        'receiver-activity-id="KE-NGC-OP-1234-SCH"/>\n  </transaction>\n  <transaction>\n'
        '   <transaction-type code="3"/>',
        'receiver-activity-id="KE-NGC-OP-1234-ELSEWHERE"/>\n  </transaction>\n  <transaction>\n'
        '   <transaction-type code="3"/>',
        1,
    )
    assert "ELSEWHERE" in xml
    rows, problems = read_file("a.xml", data=xml.encode())
    assert problems == []
    flow = next(r.values for r in rows if r.values.get("flow_id") == "XM-DAC-41304-EDU-1#t2")
    assert flow["project_id"] == "XM-DAC-41304-EDU-1"
    assert "provider_project_id" not in flow
    assert flow["quote"].endswith(
        "; receiver-activity-id KE-NGC-OP-1234-ELSEWHERE is not in this file"
    )


def test_notices_report_the_missing_rate_and_the_mixed_budget():
    rows, problems = read_path(V2)
    assert problems == []
    assert [str(n) for n in notices(rows)] == [
        "activities-2.03.xml, line 127, KE-NGC-OP-1234-SCH, column "
        "'transaction[2]/value/@currency', value 'KES 2023-09-30': no exchange rate to USD for "
        "KES on 2023-09-30 (the ECB reference rates and the rates file have none): amount_usd "
        "is left empty, so the flow is loaded but not counted in USD totals. "
        "Fix: load with --rates FILE holding a row KES,2023,<USD per KES>,<source>",
        "activities-2.03.xml, line 132, XM-DAC-41304-CA-7, column 'budget/value/@currency', "
        "value 'EUR, USD': budgets in several currencies: the project budget is their sum in "
        "USD, each at the rate of its value date (else its period start)",
    ]


# -- 1.0x ------------------------------------------------------------------------------------


def test_v1_text_codes_map_to_the_same_records():
    store = MemoryStore()
    load(V1, store)
    projects = nodes(store, "Project")
    assert {
        k: (v["title"], v["status"], v["start_year"], v["end_year"]) for k, v in projects.items()
    } == {
        "NL-1-PPR-25001": ("Vocational training for young women", "ongoing", 2014, 2016),
        "NL-KVK-41150298-SWB-9": ("Training centres in Ethiopia", "completed", 2015, 2016),
    }
    roles = {(r["start"], r["end"], r["role"]) for r in rels(store, "PARTNER_IN").values()}
    assert roles == {
        ("NL-1", "NL-1-PPR-25001", "donor"),
        ("NL-1", "NL-1-PPR-25001", "coordinator"),
        ("NL-KVK-41150298", "NL-1-PPR-25001", "implementer"),
        ("NL-1", "NL-KVK-41150298-SWB-9", "donor"),
        ("NL-KVK-41150298", "NL-KVK-41150298-SWB-9", "lead"),
        ("name:addis-skills-centre", "NL-KVK-41150298-SWB-9", "implementer"),
    }
    flows = rels(store, "FUNDS")
    got = {
        k: (f["start"], f["end"], f["flow_type"], f["amount"], f["currency"], f["project_id"])
        for k, f in flows.items()
    }
    assert got == {
        # C with a receiver activity in the file: for that activity
        "NL-1-PPR-25001#t1": (
            "NL-1",
            "NL-KVK-41150298",
            "commitment",
            250000,
            "EUR",
            "NL-KVK-41150298-SWB-9",
        ),
        "NL-1-PPR-25001#t2": (
            "NL-1",
            "NL-KVK-41150298",
            "disbursement",
            125000,
            "EUR",
            "NL-1-PPR-25001",
        ),
        "NL-KVK-41150298-SWB-9#t1": (
            "NL-1",
            "NL-KVK-41150298",
            "incoming_funds",
            125000,
            "EUR",
            "NL-KVK-41150298-SWB-9",
        ),
        "NL-KVK-41150298-SWB-9#t2": (
            "NL-KVK-41150298",
            "name:addis-skills-centre",
            "expenditure",
            40000,
            "USD",
            "NL-KVK-41150298-SWB-9",
        ),
    }
    assert flows["NL-KVK-41150298-SWB-9#t1"]["provider_project_id"] == "NL-1-PPR-25001"
    assert flows["NL-1-PPR-25001#t1"]["quote"] == (
        "iati-activity NL-1-PPR-25001 / transaction[1] (type C, value 250000 EUR, 2015-01-15)"
    )
    orgs = nodes(store, "Organization")
    assert orgs["NL-1"]["name"] == "Ministry of Foreign Affairs (Netherlands)"
    assert {k: v["sector"] for k, v in orgs.items()} == {
        "NL-1": "government",
        "NL-KVK-41150298": "ngo",
        "name:addis-skills-centre": "ngo",
    }
    targets = {(r["start"], r["end"], r.get("share")) for r in rels(store, "TARGETS").values()}
    assert targets == {
        ("NL-1-PPR-25001", "ETH", 0.5),
        ("NL-1-PPR-25001", "UGA", 0.5),
        ("NL-KVK-41150298-SWB-9", "ETH", None),
    }


def test_bare_iati_activity_root():
    xml = b"""<iati-activity default-currency="USD">
      <iati-identifier>XM-EX-BARE</iati-identifier>
      <reporting-org ref="XM-EX" type="40"><narrative>Example</narrative></reporting-org>
      <title><narrative>Alone</narrative></title>
      <activity-status code="1"/>
    </iati-activity>"""
    store = MemoryStore()
    rows, problems = read_file("bare.xml", data=xml)
    assert problems == []
    from loaders.load import load_rows

    load_rows(rows, problems, store, source="bare.xml")
    assert nodes(store, "Project")["XM-EX-BARE"]["status"] == "planned"


def test_a_name_only_mention_takes_the_ref_of_the_same_name():
    xml = b"""<iati-activities version="2.03"><iati-activity default-currency="USD">
      <iati-identifier>XM-EX-1</iati-identifier>
      <reporting-org ref="XM-EX" type="40"><narrative>Example Agency</narrative></reporting-org>
      <title><narrative>t</narrative></title>
      <participating-org ref="GB-CHC-123" role="4" type="21"><narrative>Helpers</narrative></participating-org>
      <activity-status code="2"/>
      <transaction><transaction-type code="3"/><transaction-date iso-date="2024-01-02"/>
       <value>5</value><receiver-org><narrative>  helpers </narrative></receiver-org></transaction>
    </iati-activity></iati-activities>"""
    rows, problems = read_file("n.xml", data=xml)
    assert problems == []
    flow = next(r.values for r in rows if r.kind == "funding")
    assert flow["recipient_id"] == "GB-CHC-123"


def test_upload_bytes_read_the_same_as_the_file_on_disk():
    on_disk = read_file(V2)
    uploaded = read_file("activities-2.03.xml", data=V2.read_bytes())
    assert [(r.kind, r.values.get("quote")) for r in on_disk[0]] == [
        (r.kind, r.values.get("quote")) for r in uploaded[0]
    ]


def test_folder_scan_reads_xml_with_other_files(tmp_path):
    shutil.copy(V2, tmp_path / "activities.xml")
    shutil.copy(V1, tmp_path / "old.xml")
    records, problems = check(tmp_path)
    assert problems == []
    assert len(records["projects"]) == 6
    assert {r["source_id"] for r in records["sources"]} == {
        "iati:activities.xml",
        "iati:old.xml",
    }


def test_loading_again_creates_nothing():
    store = MemoryStore()
    first = load(V2, store)
    assert first.created == {"nodes": 18, "relationships": 29}
    again = load(V2, store)
    assert again.created == {"nodes": 0, "relationships": 0}


# -- both stores -----------------------------------------------------------------------------


@pytest.mark.bolt
def test_both_stores_hold_the_same_graph(neo):
    mem = MemoryStore()
    for path in (V2, V1):
        load(path, mem)
        load(path, neo)
    a, b = mem.snapshot(), neo.snapshot()
    assert a["nodes"].keys() == b["nodes"].keys()
    assert a["relationships"].keys() == b["relationships"].keys()
    assert a == b
    assert mem.counts() == neo.counts()


@pytest.mark.bolt
def test_a_rejected_file_writes_nothing_to_the_bolt_store(neo):
    with pytest.raises(ValidationFailed):
        load(BAD / "values.xml", neo)
    assert sum(neo.counts()["nodes"].values()) == 0


# -- bad input ---------------------------------------------------------------------------------


def test_malformed_xml():
    assert messages(BAD / "malformed.xml") == [
        "malformed.xml, line 12, XM-EX-MAL-1, column 'iati-activity/transaction': malformed "
        "XML: mismatched tag (column 5). Fix: check the tags near that place: every element "
        "must be closed, and & written as &amp;"
    ]


def test_missing_required_elements():
    assert messages(BAD / "missing-element.xml") == [
        "missing-element.xml, line 3, iati-activity[1], column 'iati-identifier': missing "
        "required element <iati-identifier>. Fix: add <iati-identifier> with the activity's "
        "identifier (the reporting organisation's ref, a hyphen, its own id)",
        "missing-element.xml, line 8, XM-EX-MISS-2, column 'title': missing required element "
        "<title>. Fix: add <title><narrative>…</narrative></title>",
        "missing-element.xml, line 13, XM-EX-MISS-2, column 'transaction[1]/transaction-date': "
        'missing required element <transaction-date>. Fix: add <transaction-date iso-date="'
        'YYYY-MM-DD"/>',
        "missing-element.xml, line 17, XM-EX-MISS-2, column 'transaction[2]/value': missing "
        'required element <value>. Fix: add <value currency="…">amount</value>',
    ]


def test_unknown_codes():
    got = messages(BAD / "unknown-code.xml")
    assert [m.split(": ", 1)[0] for m in got] == [
        "unknown-code.xml, line 7, XM-EX-CODE-1, column 'participating-org[1]/@role', value '7'",
        "unknown-code.xml, line 8, XM-EX-CODE-1, column 'participating-org[2]/@type', value '55'",
        "unknown-code.xml, line 9, XM-EX-CODE-1, column 'activity-status/@code', value '9'",
        "unknown-code.xml, line 10, XM-EX-CODE-1, column 'activity-date[1]/@type', value "
        "'start-planed'",
        "unknown-code.xml, line 11, XM-EX-CODE-1, column 'recipient-region[1]/@code', value "
        "'12345'",
        "unknown-code.xml, line 13, XM-EX-CODE-1, column 'transaction[1]/transaction-type/@code', "
        "value 'DX'",
    ]
    assert got[0].endswith(
        ": unknown OrganisationRole code. Fix: use 1 Funding, 2 Accountable, 3 Extending or 4 "
        "Implementing (1.0x: the names themselves)"
    )
    assert got[5].endswith(
        ": unknown TransactionType code. Fix: use 1–13 (2.0x) or IF, C, D, E, IR, LR, R, QP, QS, "
        "CG (1.0x)"
    )
    assert ": unknown OrganisationType code. Fix: use one of: 10 Government, " in got[1]
    assert ": unknown ActivityStatus code. Fix: use one of: 1 Pipeline/identification, " in got[2]
    assert got[3].endswith(
        ": unknown ActivityDateType code. Fix: use 1 start-planned, 2 start-actual, 3 "
        "end-planned or 4 end-actual"
    )
    assert got[4].endswith(
        ": unknown OECD DAC region code. Fix: use a code of IATI's Region codelist, e.g. 298 "
        "Africa, regional"
    )


def test_percentages_far_from_100():
    assert messages(BAD / "percentages.xml") == [
        "percentages.xml, line 3, XM-EX-PCT-1, column 'recipient-country/@percentage + "
        "recipient-region/@percentage', value '90': percentages of recipient-country and "
        "recipient-region add up to 90, not 100. Fix: make them add up to 100 (±1)"
    ]


def test_percentages_within_one_point_are_accepted():
    xml = (BAD / "percentages.xml").read_bytes().replace(b'percentage="30"', b'percentage="39.5"')
    assert read_file("p.xml", data=xml)[1] == []


def test_negative_and_non_numeric_values():
    assert messages(BAD / "values.xml") == [
        "values.xml, line 12, XM-EX-VAL-1, column 'transaction[1]/value', value '-500': "
        "negative value. Fix: amounts must be zero or more under --strict",
        "values.xml, line 17, XM-EX-VAL-1, column 'transaction[2]/value', value '12,000': not a "
        "number. Fix: write digits only, e.g. 50000 or 1234.56",
    ]


def test_unknown_and_missing_currency():
    assert messages(BAD / "currency.xml") == [
        "currency.xml, line 12, XM-EX-CUR-1, column 'transaction[1]/value/@currency', value "
        "'XYZ': not an ISO 4217 currency code. Fix: use a code such as USD, EUR or GBP",
        "currency.xml, line 17, XM-EX-CUR-1, column 'transaction[2]/value/@currency': no "
        "currency: the value has no @currency and the activity no @default-currency. Fix: add "
        'currency="USD" (or the right code) to the value, or default-currency to the activity',
    ]


def test_doctype_is_refused_and_entities_never_expanded():
    rows, problems = read_file(BAD / "doctype.xml")
    assert [str(p) for p in problems] == [
        "doctype.xml, line 2: the file declares a DOCTYPE; IATI files never do, and it is "
        "refused for safety (entity expansion). Fix: remove the <!DOCTYPE …> declaration"
    ]
    assert rows == []


def test_an_organisation_file_is_not_an_activity_file():
    assert messages(BAD / "organisation-file.xml") == [
        "organisation-file.xml, line 2, value 'iati-organisations': not an IATI activity file "
        "(the root element is <iati-organisations>). Fix: this is an IATI organisation file; "
        "give the activity file instead"
    ]


def test_empty_and_activity_less_files():
    assert [str(p) for p in read_file("e.xml", data=b"  \n")[1]] == [
        "e.xml: the file is empty. Fix: give an IATI file"
    ]
    assert [str(p) for p in read_file("n.xml", data=b"<iati-activities/>")[1]] == [
        "n.xml, column 'iati-activity': no <iati-activity> in the file. Fix: give an IATI "
        "activity file with at least one activity"
    ]


def test_duplicate_activity_identifier():
    xml = V1.read_text(encoding="utf-8").replace(
        "NL-KVK-41150298-SWB-9</iati", "NL-1-PPR-25001</iati"
    )
    got = [str(p) for p in read_file("d.xml", data=xml.encode())[1]]
    assert got == [
        "d.xml, line 38, NL-1-PPR-25001, column 'iati-identifier', value 'NL-1-PPR-25001': "
        "duplicate iati-identifier (first at line 5). Fix: give each activity its own "
        "identifier, or remove the repeated one"
    ]


def test_every_problem_in_one_report_and_nothing_written(tmp_path):
    """Activities with different faults in one file: one report, every fault, no write."""
    parts = []
    for name in ("percentages.xml", "values.xml", "currency.xml", "unknown-code.xml"):
        text = (BAD / name).read_text(encoding="utf-8")
        body = text.split('<iati-activities version="2.03">', 1)[1].rsplit("</iati-activities>", 1)[
            0
        ]
        parts.append(body)
    path = tmp_path / "several.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<iati-activities version="2.03">'
        + "".join(parts)
        + "</iati-activities>\n",
        encoding="utf-8",
    )
    store = MemoryStore()
    with pytest.raises(ValidationFailed) as e:
        load(path, store, strict=True)
    got = [(p.location.item, p.column, p.value) for p in e.value.problems]
    assert got == [
        (
            "XM-EX-PCT-1",
            "recipient-country/@percentage + recipient-region/@percentage",
            "90",
        ),
        ("XM-EX-VAL-1", "transaction[1]/value", "-500"),
        ("XM-EX-VAL-1", "transaction[2]/value", "12,000"),
        ("XM-EX-CUR-1", "transaction[1]/value/@currency", "XYZ"),
        ("XM-EX-CUR-1", "transaction[2]/value/@currency", None),
        ("XM-EX-CODE-1", "participating-org[1]/@role", "7"),
        ("XM-EX-CODE-1", "participating-org[2]/@type", "55"),
        ("XM-EX-CODE-1", "activity-status/@code", "9"),
        ("XM-EX-CODE-1", "activity-date[1]/@type", "start-planed"),
        ("XM-EX-CODE-1", "recipient-region[1]/@code", "12345"),
        ("XM-EX-CODE-1", "transaction[1]/transaction-type/@code", "DX"),
    ]
    assert all(p.location.file == "several.xml" for p in e.value.problems)
    assert store.counts()["nodes"] == {} or sum(store.counts()["nodes"].values()) == 0
    assert store.load_history().empty


# -- CLI and streaming -------------------------------------------------------------------------


def test_cli_validate_prints_counts_and_notices(capsys):
    assert cli(["validate", str(V2)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: 1 sources, 2 regions, 5 countries, 6 organizations, 4 projects, ")
    assert "3 notices (loaded anyway):" in out
    assert "organisation XM-DAC-41304 is the explorer's 'unesco'" in out
    assert "no exchange rate to USD for KES on 2023-09-30" in out


def test_cli_validate_reports_bad_xml(capsys):
    assert cli(["validate", str(BAD / "values.xml"), "--strict"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("2 problems found; fix them and run again.")
    assert cli(["validate", str(BAD / "values.xml")]) == 1  # 12,000 is no number either way
    assert capsys.readouterr().out.startswith("1 problem found; fix them and run again.")


def _activity(n: int) -> str:
    return f""" <iati-activity default-currency="EUR">
  <iati-identifier>XM-EX-{n}</iati-identifier>
  <reporting-org ref="XM-EX" type="40"><narrative>Example Agency</narrative></reporting-org>
  <title><narrative>Activity {n}</narrative></title>
  <description><narrative>{"A long description of what the activity does. " * 60}</narrative></description>
  <participating-org ref="DE-1" role="1" type="10"><narrative>Germany</narrative></participating-org>
  <participating-org ref="XM-EX-P{n % 40}" role="4" type="21"/>
  <activity-status code="2"/>
  <recipient-country code="KZ" percentage="50"/>
  <recipient-country code="KG" percentage="50"/>
  <transaction><transaction-type code="11"/><transaction-date iso-date="2022-01-20"/><value>120000</value></transaction>
  <transaction><transaction-type code="3"/><transaction-date iso-date="2022-03-01"/><value>60000</value></transaction>
 </iati-activity>
"""


def test_streaming_keeps_memory_far_below_the_file_size(tmp_path):
    """8,000 activities (~25 MB) parsed with a peak of a small fraction of the file: only the
    activity being read is in memory, plus the identifiers seen (for duplicates and chains)."""
    path = tmp_path / "big.xml"
    with path.open("w", encoding="utf-8") as f:
        f.write('<iati-activities version="2.03">\n')
        for n in range(8_000):
            f.write(_activity(n))
        f.write("</iati-activities>\n")
    size = os.path.getsize(path)
    assert size > 20_000_000
    list(read_iati(V2, name="warm-up.xml"))  # load pycountry's tables before measuring
    tracemalloc.start()
    try:
        count = problems = 0
        for item in read_iati(path, name="big.xml"):
            count += 1
            problems += isinstance(item, Problem)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert problems == 0
    assert count == 1 + 8_000 * 7 + 42 + 3  # source, 7 rows an activity, orgs, countries
    assert peak < size / 8, f"peak {peak:,} bytes for a {size:,}-byte file"


def test_rows_are_raw_rows_of_known_kinds():
    kinds = {i.kind for i in read_iati(io.BytesIO(V2.read_bytes()), name="x.xml")}
    assert kinds == {
        "sources",
        "projects",
        "partnerships",
        "targets",
        "funding",
        "organizations",
        "countries",
        "regions",
    }
    assert all(isinstance(i, RawRow) for i in read_iati(V2, name="x.xml"))
    assert format_notices([]) == ""


# -- what the standard allows loads, with notices -------------------------------------------


def _notice_texts(path) -> list[str]:
    rows, problems = read_file(path)
    return [str(n) for n in notices(rows)], [str(p) for p in problems]


def test_negative_values_load_signed_with_a_notice():
    rows, _ = read_file(BAD / "values.xml", strict=False)
    assert not any(r.kind == "funding" for r in rows)  # the activity has another problem
    assert messages(BAD / "values.xml", strict=False) == [
        "values.xml, line 17, XM-EX-VAL-1, column 'transaction[2]/value', value '12,000': not a "
        "number. Fix: write digits only, e.g. 50000 or 1234.56"
    ]


def test_an_unknown_organisation_type_is_a_notice():
    assert any("participating-org[2]/@type" in m for m in messages(BAD / "unknown-code.xml"))
    assert not any(
        "participating-org[2]/@type" in m for m in messages(BAD / "unknown-code.xml", strict=False)
    )


def test_partial_percentages_missing_receiver_placeholder_and_free_text_dates(tmp_path):
    xml = """<iati-activities version="1.05"><iati-activity default-currency="USD">
 <iati-identifier>XM-EX-LEN-1</iati-identifier>
 <reporting-org ref="XM-EX" type="10">Example Ministry</reporting-org>
 <title>Lenient</title><activity-status code="2"/>
 <activity-date type="start-actual" iso-date="1900-01-01"/>
 <activity-date type="start-planned" iso-date="2012-01-01"/>
 <recipient-country code="KE" percentage="60"/><recipient-country code="UG"/>
 <recipient-country code="TZ"/>
 <budget><period-start>Q1 2012</period-start><value>1000</value></budget>
 <transaction><transaction-type code="D"/><transaction-date iso-date="2012-03-01"/>
  <value>-200</value></transaction>
</iati-activity></iati-activities>"""
    path = tmp_path / "lenient.xml"
    path.write_text(xml, encoding="utf-8")
    said, problems = _notice_texts(path)
    assert problems == []
    text = "\n".join(said)
    assert "the 2 without one share the remaining 40% evenly (20% each)" in text
    assert "a placeholder date (outside 1945–2100): left out" in text
    assert "not a date: read as the year 2012" in text
    assert "recorded as 'unpublished:recipient'" in text
    store = MemoryStore()
    load(path, store)
    targets = {r["end"]: r["share"] for r in store.rel_table("TARGETS").to_dict("records")}
    assert targets == {"KEN": 0.6, "UGA": 0.2, "TZA": 0.2}
    flow = rels(store, "FUNDS")["XM-EX-LEN-1#t1"]
    assert (flow["end"], flow["amount"]) == ("unpublished:recipient", -200)
    assert nodes(store, "Project")["XM-EX-LEN-1"]["start_year"] == 2012
    with pytest.raises(ValidationFailed):
        load(path, MemoryStore(), strict=True)


def test_an_aliased_organisation_joins_the_bundled_one(tmp_path):
    from loaders.load import DATA_DIR, load_memory

    store = load_memory(DATA_DIR)
    before = nodes(store, "Organization")["unesco"]
    rows, problems = read_path(V2)
    load_rows(rows, problems, store, source="v2")
    orgs = nodes(store, "Organization")
    assert "XM-DAC-41304" not in orgs and orgs["unesco"] == before  # the bundled row stands
    flows = rels(store, "FUNDS")
    assert flows["KE-NGC-OP-1234-SCH#t1"]["start"] == "unesco"
    said = [str(n) for n in notices(rows)]
    assert sum("organisation XM-DAC-41304 is the explorer's 'unesco'" in n for n in said) == 1


def test_a_users_alias_file_adds_to_the_bundled_one(tmp_path):
    from loaders.aliases import AliasTable

    mine = tmp_path / "aliases.csv"
    mine.write_text("alias,org_id,source\nGB-GOV-1,fcdo,my records\n", encoding="utf-8")
    table = AliasTable.bundled().overlay(AliasTable.load(mine))
    assert (table.target("GB-GOV-1"), table.target("XM-DAC-41304")) == ("fcdo", "unesco")
    mine.write_text("alias,org_id\nGB-GOV-1,fcdo\nGB-GOV-1,dfid\n,x\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as e:
        AliasTable.load(mine)
    assert [str(p) for p in e.value.problems] == [
        "aliases.csv, line 3, column 'alias', value 'GB-GOV-1': already an alias of 'fcdo'. "
        "Fix: an identifier can stand for one organisation only",
        "aliases.csv, line 4, column 'alias': a value is required. Fix: give the identifier as "
        "files write it and the explorer's id",
    ]


def test_cli_aliases_option(tmp_path, capsys):
    mine = tmp_path / "aliases.csv"
    mine.write_text("alias,org_id,source\nGB-GOV-1,fcdo,my records\n", encoding="utf-8")
    assert cli(["validate", str(V2), "--aliases", str(mine)]) == 0
    assert "organisation GB-GOV-1 is the explorer's 'fcdo'" in capsys.readouterr().out
    mine.write_text("alias,org_id\n,x\n", encoding="utf-8")
    assert cli(["validate", str(V2), "--aliases", str(mine)]) == 1
    assert "a value is required" in capsys.readouterr().out
