"""Readers and validation: formats, encodings, and every bad-input rule with its message."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from graph.errors import ValidationFailed
from graph.store.memory import MemoryStore
from loaders.__main__ import main as cli
from loaders.load import DATA_DIR, check, load
from loaders.readers import read_path
from loaders.records import format_report

FIXTURE = Path(__file__).parent / "fixtures" / "minimal"


@pytest.fixture
def folder(tmp_path) -> Path:
    """A writable copy of the minimal fixture."""
    dst = tmp_path / "records"
    shutil.copytree(FIXTURE, dst)
    return dst


def rewrite(folder: Path, kind: str, edit) -> None:
    """Apply ``edit(rows)`` to the rows (dicts) of one CSV file."""
    path = folder / f"{kind}.csv"
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames
        rows = list(reader)
    rows = edit(rows) or rows
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, header)
        w.writeheader()
        w.writerows(rows)


def messages(folder: Path) -> list[str]:
    _, problems = check(folder)
    return [str(p) for p in problems]


# -- the bundled dataset -------------------------------------------------------------------


def test_bundled_dataset_is_clean():
    records, problems = check(DATA_DIR)
    assert problems == [], format_report(problems)
    assert len(records["organizations"]) > 50
    assert records.count("funding") > 10


def test_minimal_fixture_is_clean():
    _, problems = check(FIXTURE)
    assert problems == []


# -- formats -------------------------------------------------------------------------------


def test_bom_multiline_and_commas_are_read(folder):
    data = (folder / "projects.csv").read_bytes()
    (folder / "projects.csv").write_bytes(b"\xef\xbb\xbf" + data)
    rows, problems = read_path(folder)
    assert problems == []
    p1 = next(r for r in rows if r.kind == "projects" and r.values["project_id"] == "p1")
    assert p1.values["description"] == "Line one\nline two, with comma"
    p2 = next(r for r in rows if r.kind == "projects" and r.values["project_id"] == "p2")
    assert p2.location.line == 4  # p1 spans lines 2-3


def test_other_encoding_gets_a_clear_message(folder):
    text = (folder / "countries.csv").read_text(encoding="utf-8")
    text = text.replace("Kazakhstan", "Côte d'Ivoire")
    (folder / "countries.csv").write_bytes(text.encode("cp1252"))
    msgs = messages(folder)
    assert msgs == [
        'countries.csv, line 2, value "KAZ,C\ufffdte d\'Ivoire,s1,Test sentence.": the file is '
        "not UTF-8 text (byte 0xf4 at position 30). Fix: save it as UTF-8 (in Excel: "
        '"CSV UTF-8"; in LibreOffice: character set Unicode (UTF-8))'
    ] or all("not UTF-8" in m or "unknown" in m for m in msgs)
    assert any("not UTF-8" in m for m in msgs)


def _as_workbook(folder: Path, target: Path) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for path in sorted(folder.glob("*.csv")):
        ws = wb.create_sheet(path.stem)
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.reader(f):
                ws.append(row)
    wb.save(target)


def _as_json(folder: Path, target: Path) -> None:
    doc = {}
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            doc[path.stem] = [{k: v for k, v in r.items() if v != ""} for r in csv.DictReader(f)]
    target.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def test_csv_xlsx_and_json_give_the_same_graph(tmp_path):
    _as_workbook(FIXTURE, tmp_path / "records.xlsx")
    _as_json(FIXTURE, tmp_path / "records.json")
    snaps = []
    for source in (FIXTURE, tmp_path / "records.xlsx", tmp_path / "records.json"):
        store = MemoryStore()
        load(source, store)
        snaps.append(store.snapshot())
    assert snaps[0] == snaps[1] == snaps[2]


def test_workbook_problems_name_sheet_and_row(tmp_path):
    _as_workbook(FIXTURE, tmp_path / "records.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "records.xlsx")
    wb["funding"]["F3"] = "-5"
    wb.save(tmp_path / "records.xlsx")
    _, problems = check(tmp_path / "records.xlsx")
    assert [str(p) for p in problems] == [
        "records.xlsx, sheet 'funding', row 3, column 'amount', value '-5': amounts cannot be "
        "negative. Fix: give the amount as a positive number"
    ]


# -- every rule, with its exact message ------------------------------------------------------

RULES = [
    (
        "required value",
        "organizations",
        lambda rows: rows[0].update(name=""),
        "organizations.csv, line 2, column 'name': a value is required. Fix: fill in name",
    ),
    (
        "number format",
        "funding",
        lambda rows: rows[0].update(amount="1,500,000"),
        "funding.csv, line 2, column 'amount', value '1,500,000': numbers must not contain "
        "thousands separators. Fix: write 1500000 (a dot for decimals)",
    ),
    (
        "text in a number column",
        "funding",
        lambda rows: rows[0].update(amount="about 500"),
        "funding.csv, line 2, column 'amount', value 'about 500': not a number. Fix: write "
        "digits only, e.g. 414000 or 885654.00",
    ),
    (
        "negative amount",
        "funding",
        lambda rows: rows[1].update(amount="-250"),
        "funding.csv, line 3, column 'amount', value '-250': amounts cannot be negative. "
        "Fix: give the amount as a positive number",
    ),
    (
        "unknown currency",
        "funding",
        lambda rows: rows[2].update(currency="RUR"),
        "funding.csv, line 4, column 'currency', value 'RUR': not an ISO 4217 currency code. "
        "Fix: use a code such as USD, EUR or RUB",
    ),
    (
        "amount without currency",
        "funding",
        lambda rows: rows[0].update(currency=""),
        "funding.csv, line 2, column 'currency': an amount needs a currency. Fix: fill in e.g. USD",
    ),
    (
        "country code",
        "organizations",
        lambda rows: rows[1].update(country="KZ"),
        "organizations.csv, line 3, column 'country', value 'KZ': not an ISO 3166-1 alpha-3 "
        "country code. Fix: use the three-letter code, e.g. KAZ for Kazakhstan",
    ),
    (
        "year out of range",
        "funding",
        lambda rows: rows[0].update(year="20245"),
        "funding.csv, line 2, column 'year', value '20245': year out of range 1945–2100. "
        "Fix: write a four-digit year, e.g. 2025",
    ),
    (
        "start after end",
        "projects",
        lambda rows: rows[0].update(start_year="2027"),
        "projects.csv, line 2, column 'end_year', value '2026': end_year is before start_year "
        "(2027). Fix: make start_year ≤ end_year, or swap them",
    ),
    (
        "bad date",
        "events",
        lambda rows: rows[1].update(date="24/04/2025"),
        "events.csv, line 3, column 'date', value '24/04/2025': not a date. Fix: write YYYY, "
        "YYYY-MM or YYYY-MM-DD, e.g. 2025-04-24",
    ),
    (
        "enumeration",
        "organizations",
        lambda rows: rows[0].update(sector="UN sytem"),
        "organizations.csv, line 2, column 'sector', value 'UN sytem': not an allowed value. "
        "Fix: did you mean 'un_system'? allowed: government, un_system, university, "
        "private_company, foundation, ngo, network, pool, other",
    ),
    (
        "duplicate id",
        "projects",
        lambda rows: rows.append(dict(rows[0])),
        "projects.csv, line 5, column 'project_id', value 'p1': duplicate id (first at "
        "projects.csv, line 2). Fix: give each record its own id, or remove the repeated row",
    ),
    (
        "unknown organization",
        "funding",
        lambda rows: rows[0].update(donor_id="evill"),
        "funding.csv, line 2, column 'donor_id', value 'evill': refers to an unknown "
        "organizations id. Fix: did you mean 'evil'? add it to organizations first, or "
        "correct the id",
    ),
    (
        "unknown project",
        "partnerships",
        lambda rows: rows[0].update(project_id="p9"),
        "partnerships.csv, line 2, column 'project_id', value 'p9': refers to an unknown "
        "projects id. Fix: add it to projects first, or correct the id",
    ),
    (
        "unknown network",
        "memberships",
        lambda rows: rows[0].update(network_id="n2"),
        "memberships.csv, line 2, column 'network_id', value 'n2': refers to an unknown "
        "networks id. Fix: add it to networks first, or correct the id",
    ),
    (
        "unknown country",
        "events",
        lambda rows: rows[1].update(country="UZB"),
        "events.csv, line 3, column 'country', value 'UZB': refers to an unknown countries id. "
        "Fix: add it to countries first, or correct the id",
    ),
    (
        "share out of range",
        "targets",
        lambda rows: rows[0].update(share="160%"),
        "targets.csv, line 2, column 'share', value '160%': a share must be between 0 and 1 "
        "(or 0% and 100%). Fix: e.g. 0.4 or 40%",
    ),
    (
        "boolean",
        "events",
        lambda rows: rows[0].update(online="maybe"),
        "events.csv, line 2, column 'online', value 'maybe': not true or false. Fix: write "
        "true or false",
    ),
]


@pytest.mark.parametrize("name,kind,edit,expected", RULES, ids=[r[0] for r in RULES])
def test_each_rule_has_its_message(folder, name, kind, edit, expected):
    rewrite(folder, kind, edit)
    assert messages(folder) == [expected]


def test_every_bad_row_in_one_report_and_nothing_written(folder):
    for _, kind, edit, _ in RULES[:6]:
        rewrite(folder, kind, edit)
    store = MemoryStore()
    with pytest.raises(ValidationFailed) as info:
        load(folder, store)
    found = {str(p) for p in info.value.problems}
    assert {RULES[0][3], RULES[3][3], RULES[4][3]} <= found
    assert store.counts()["relationships"] == {}
    assert sum(store.counts()["nodes"].values()) == 0


def test_header_problems(folder):
    text = (folder / "networks.csv").read_text(encoding="utf-8")
    (folder / "networks.csv").write_text(
        text.replace("network_id,name,scope", "network_id,nam,scope")
    )
    assert messages(folder)[:2] == [
        "networks.csv, line 1, column 'nam', value 'nam': unknown column for networks. "
        "Fix: did you mean 'name'?",
        "networks.csv, line 1, column 'name': required column 'name' is missing. "
        "Fix: add a 'name' column (str)",
    ]


def test_unknown_file_kind(folder):
    (folder / "donors.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    assert messages(folder)[0].startswith(
        "donors.csv, value 'donors': not a known record kind. Fix: name the file or sheet "
        "after one of: sources, regions"
    )


def test_broken_json(tmp_path):
    (tmp_path / "networks.json").write_text('[{"network_id": "n1",}]', encoding="utf-8")
    assert messages(tmp_path) == [
        "networks.json, line 1: not valid JSON: Expecting property name enclosed in double "
        "quotes (column 22). Fix: check brackets, commas and quotes near that place"
    ]


# -- the command line -----------------------------------------------------------------------


def test_cli_validate(folder, capsys):
    assert cli(["validate", str(FIXTURE)]) == 0
    assert capsys.readouterr().out.startswith("OK: 1 sources, 2 regions")
    rewrite(folder, "funding", RULES[3][2])
    assert cli(["validate", str(folder)]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "1 problem found; fix them and run again."
    assert RULES[3][3] in out


def test_cli_load_needs_a_server(capsys, monkeypatch):
    monkeypatch.delenv("NEO4J_URI", raising=False)
    assert cli(["load", str(FIXTURE)]) == 2
    assert "no Neo4j server given" in capsys.readouterr().err


def test_cli_load_server_down_is_quick_and_clear(capsys, monkeypatch):
    import time

    monkeypatch.delenv("NEO4J_URI", raising=False)
    t0 = time.monotonic()
    assert cli(["load", str(FIXTURE), "--uri", "bolt://127.0.0.1:9", "--timeout", "2"]) == 2
    assert time.monotonic() - t0 < 10
    err = capsys.readouterr().err
    assert err.strip() == (
        "error: no Bolt server is answering at bolt://127.0.0.1:9 (waited 2 s); "
        "start the server or check NEO4J_URI"
    )


def test_the_same_country_named_by_two_files_is_one_fact(folder):
    (folder / "more_countries").mkdir()
    rewrite(folder, "countries", lambda rows: rows.append(dict(rows[0], quote="Another file.")))
    assert messages(folder) == []
    rewrite(folder, "countries", lambda rows: rows[-1].update(name="Kazakstan"))
    assert messages(folder) == [
        "countries.csv, line 5, column 'iso3', value 'KAZ': duplicate id (first at "
        "countries.csv, line 2). Fix: give each record its own id, or remove the repeated row"
    ]


def test_an_unclosed_quote_is_reported_where_it_opens(tmp_path):
    (tmp_path / "networks.csv").write_text(
        'network_id,name,source_id,quote\nn1,Net,s1,"It said so.\nn2,Other,s1,Fine.\n'
        "n3,Third,s1,Fine.\n",
        encoding="utf-8",
    )
    rows, problems = read_path(tmp_path)
    assert [str(p) for p in problems] == [
        "networks.csv, line 2: cannot parse CSV: unexpected end of data (a quoted field opens "
        "on this line and does not close). Fix: check the quotes on this line: a quoted field "
        'must end with a quote, and a quote inside it is written twice ("")'
    ]


def test_a_semicolon_separated_file_reads(tmp_path):
    (tmp_path / "networks.csv").write_text(
        "network_id;name;source_id;quote\nn1;Smart, Education;s1;It said so.\n", encoding="utf-8"
    )
    rows, problems = read_path(tmp_path)
    assert problems == [] and rows[0].values["name"] == "Smart, Education"
