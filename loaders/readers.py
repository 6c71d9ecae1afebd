"""Read raw rows of each record kind from CSV, XLSX and JSON files.

Readers yield :class:`RawRow` items: the record kind, the cell texts by column and the
:class:`~loaders.records.Location` of the row. They do not judge values (that is
:mod:`loaders.validate`); they only report what stops a file from being read at all (wrong
encoding, broken JSON, an unknown sheet) as :class:`~loaders.records.Problem` items.

Accepted layouts
----------------
* a folder with one file per kind: ``organizations.csv``, ``funding.xlsx``, ``events.json``;
* one workbook with a sheet per kind (sheet names are kind names);
* one JSON document ``{"organizations": [...], "funding": [...]}``, or a JSON list in a file
  named after its kind.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "networks.csv").write_text(
...     'network_id,name,source_id,quote\\nn1,"Smart, Education\\nNetwork",s1,"It said so."\\n',
...     encoding="utf-8-sig")
>>> rows, problems = read_path(d)
>>> rows[0].kind, rows[0].values["name"], str(rows[0].location)
('networks', 'Smart, Education\\nNetwork', 'networks.csv, line 2')
>>> problems
[]
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from graph.schema import KINDS
from loaders.records import Location, Problem

__all__ = [
    "csv_records",
    "RawRow",
    "read_path",
    "read_file",
    "TABULAR_SUFFIXES",
    "READABLE_SUFFIXES",
]

TABULAR_SUFFIXES = (".csv", ".xlsx", ".json")
#: Every suffix a folder scan (and an upload) reads: record files plus IATI XML.
READABLE_SUFFIXES = (*TABULAR_SUFFIXES, ".xml")


@dataclass(frozen=True)
class RawRow:
    """One record as read: kind, cell texts (``None`` for an empty cell), location."""

    kind: str
    values: dict
    location: Location


def read_path(path, *, name: str | None = None, rates=None) -> tuple[list[RawRow], list[Problem]]:
    """Read every record file in a folder, or one file.

    Parameters
    ----------
    path : str or Path
        A folder of record files, or one CSV/XLSX/JSON file.
    name : str, optional
        Name to show in messages instead of the file name (for uploads).
    rates : loaders.currency.RateTable, optional
        Exchange rates for IATI and 360Giving files (the bundled table by default).

    Returns
    -------
    rows : list of RawRow
    problems : list of Problem
        Files that could not be read; every one is reported.
    """
    path = Path(path)
    rows: list[RawRow] = []
    problems: list[Problem] = []
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in READABLE_SUFFIXES)
        if not files:
            problems.append(
                Problem(
                    Location(str(path)),
                    None,
                    None,
                    "no record files (.csv, .xlsx, .json, .xml) in this folder",
                    "put files named after their kind here, e.g. organizations.csv",
                )
            )
        for f in files:
            r, p = read_file(f, rates=rates)
            rows.extend(r)
            problems.extend(p)
    elif path.exists():
        return read_file(path, name=name, rates=rates)
    else:
        problems.append(
            Problem(Location(str(path)), None, None, "no such file or folder", "check the path")
        )
    return rows, problems


def read_file(path, *, name: str | None = None, data: bytes | None = None, rates=None):
    """Read one CSV, XLSX or JSON file, an IATI activity file (``.xml``) or a 360Giving file.

    IATI XML and 360Giving CSV on disk are streamed (see :mod:`loaders.standards.iati`,
    :mod:`loaders.standards.giving360`); a 360Giving file is told from a record file by its header
    (``Identifier`` and ``Amount Awarded``) or, for JSON, by its ``grants`` array.

    Parameters
    ----------
    path : str or Path
        The file; its stem names the kind for CSV and list-shaped JSON.
    name : str, optional
        Name to show in messages.
    data : bytes, optional
        The file's content, when it is not on disk (an upload).
    rates : loaders.currency.RateTable, optional
        Exchange rates for IATI and 360Giving amounts (the bundled table by default).

    Returns
    -------
    rows : list of RawRow
    problems : list of Problem
    """
    path = Path(path)
    shown = name or path.name
    suffix = path.suffix.lower()
    if suffix == ".xml":
        from loaders.standards.iati import read_iati

        source = path if data is None else io.BytesIO(data)
        return _collect(read_iati(source, name=shown, rates=rates))
    if suffix == ".csv":
        from loaders.standards import giving360

        if giving360.is_360_csv(path if data is None else data):
            source = path if data is None else io.BytesIO(data)
            return _collect(giving360.read_360_csv(source, name=shown, rates=rates))
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as e:
            return [], [Problem(Location(shown), None, None, f"cannot read file: {e.strerror}")]
    if suffix == ".csv":
        return _collect(_read_csv(data, _kind_from_stem(path.stem), shown))
    if suffix == ".xlsx":
        return _collect(_read_xlsx(data, shown, path.stem))
    if suffix == ".json":
        return _collect(_read_json(data, shown, path.stem, rates=rates))
    return [], [
        Problem(
            Location(shown),
            None,
            None,
            f"unsupported file type {suffix or '(none)'}",
            "give .csv, .xlsx or .json record files, IATI .xml or 360Giving .csv/.json",
        )
    ]


def _collect(items) -> tuple[list[RawRow], list[Problem]]:
    rows, problems = [], []
    for item in items:
        (rows if isinstance(item, RawRow) else problems).append(item)
    return rows, problems


def _kind_from_stem(stem: str) -> str:
    return stem.strip().lower().replace("-", "_").replace(" ", "_")


def _unknown_kind(loc: Location, kind: str) -> Problem:
    known = ", ".join(KINDS)
    return Problem(
        loc,
        None,
        kind,
        "not a known record kind",
        f"name the file or sheet after one of: {known}",
    )


def decode_text(data: bytes, shown: str) -> tuple[str | None, Problem | None]:
    """Decode UTF-8 (with or without BOM); a clear problem for anything else.

    Examples
    --------
    >>> decode_text("é".encode("utf-8-sig"), "a.csv")
    ('é', None)
    >>> text, problem = decode_text("name\\nCôte".encode("cp1252"), "a.csv")
    >>> print(problem)
    a.csv, line 2, value 'C\ufffdte': the file is not UTF-8 text (byte 0xf4 at position 6). Fix: save it as UTF-8 (in Excel: "CSV UTF-8"; in LibreOffice: character set Unicode (UTF-8))
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        start = data.rfind(b"\n", 0, e.start) + 1
        end = data.find(b"\n", e.start)
        snippet = data[start : end if end != -1 else len(data)]
        shown_value = snippet.decode("utf-8", errors="replace").strip()[:60]
        return None, Problem(
            Location(shown, line=line),
            None,
            shown_value,
            f"the file is not UTF-8 text (byte 0x{data[e.start]:02x} at position {e.start})",
            'save it as UTF-8 (in Excel: "CSV UTF-8"; in LibreOffice: character set '
            "Unicode (UTF-8))",
        )


def _clean(value) -> str | None:
    """Cell value as text; empty → None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, _dt.datetime):
        value = value.date() if value.time() == _dt.time() else value
    if isinstance(value, _dt.date | _dt.datetime):
        value = value.isoformat()
    text = str(value).strip()
    return text or None


def _read_csv(data: bytes, kind: str, shown: str) -> Iterator[RawRow | Problem]:
    if kind not in KINDS:
        yield _unknown_kind(Location(shown), kind)
        return
    text, problem = decode_text(data, shown)
    if problem:
        yield problem
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        yield Problem(Location(shown), None, None, "the file is empty", "add a header row")
        return
    except csv.Error as e:
        yield Problem(Location(shown, line=1), None, None, f"cannot parse CSV: {e}")
        return
    header = [h.strip() for h in header]
    yield from _check_header(header, kind, Location(shown, line=1))
    for item in csv_records(reader, shown):
        if isinstance(item, Problem):
            yield item
            continue
        line, cells = item
        if len(cells) > len(header):
            extra = [c for c in cells[len(header) :] if c.strip()]
            if extra:
                yield Problem(
                    Location(shown, line=line),
                    None,
                    extra[0],
                    f"this row has {len(cells)} cells but the header has {len(header)}",
                    "quote values that contain commas, or remove the extra cells",
                )
                continue
        values = {h: _clean(c) for h, c in zip(header, cells, strict=False) if h}
        yield RawRow(kind, values, Location(shown, line=line))


def csv_records(reader, shown: str) -> Iterator[tuple[int, list[str]] | Problem]:
    """Each non-empty record of a ``csv.reader`` after its header, with the line it starts on.

    A record that cannot be parsed gives one :class:`Problem` and ends the file.

    Examples
    --------
    >>> r = csv.reader(io.StringIO('a,b\\n1,"x\\ny"\\n\\n2,z\\n', newline=""))
    >>> _ = next(r)
    >>> list(csv_records(r, "t.csv"))
    [(2, ['1', 'x\\ny']), (5, ['2', 'z'])]
    """
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            yield Problem(
                Location(shown, line=start),
                None,
                None,
                f"cannot parse CSV: {e}",
                "check the quotes on this line: a quoted field must end with a quote",
            )
            return
        line, start = start, reader.line_num + 1
        if any(c.strip() for c in cells):
            yield line, cells


def _check_header(header, kind: str, loc: Location) -> Iterator[Problem]:
    import difflib

    spec = KINDS[kind]
    known = set(spec.columns)
    seen = set()
    for h in header:
        if h in seen:
            yield Problem(loc, h, h, "this column appears twice", "keep one of them")
        seen.add(h)
        if h and h not in known:
            close = difflib.get_close_matches(h, spec.columns, n=1)
            hint = (
                f"did you mean '{close[0]}'?"
                if close
                else f"columns are: {', '.join(spec.columns)}"
            )
            yield Problem(loc, h, h, f"unknown column for {kind}", hint)
    for f in spec.fields:
        if f.required and f.name not in seen:
            yield Problem(
                loc,
                f.name,
                None,
                f"required column '{f.name}' is missing",
                f"add a '{f.name}' column ({f.doc or f.type})",
            )


def _read_xlsx(data: bytes, shown: str, stem: str) -> Iterator[RawRow | Problem]:
    import zipfile

    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as e:
        yield Problem(
            Location(shown),
            None,
            None,
            f"not a readable Excel workbook ({type(e).__name__})",
            "save it as .xlsx from Excel or LibreOffice",
        )
        return
    single = _kind_from_stem(stem)
    sheets = wb.sheetnames
    for sheet_name in sheets:
        kind = _kind_from_stem(sheet_name)
        if kind not in KINDS:
            if len(sheets) == 1 and single in KINDS:
                kind = single
            else:
                yield _unknown_kind(Location(shown, sheet=sheet_name), sheet_name)
                continue
        ws = wb[sheet_name]
        it = ws.iter_rows(values_only=True)
        try:
            header = [(_clean(h) or "") for h in next(it)]
        except StopIteration:
            continue
        yield from _check_header(header, kind, Location(shown, sheet=sheet_name, line=1))
        for n, cells in enumerate(it, start=2):
            values = {h: _clean(c) for h, c in zip(header, cells, strict=False) if h}
            if any(v is not None for v in values.values()):
                yield RawRow(kind, values, Location(shown, sheet=sheet_name, line=n))
    wb.close()


def _read_json(data: bytes, shown: str, stem: str, *, rates=None) -> Iterator[RawRow | Problem]:
    text, problem = decode_text(data, shown)
    if problem:
        yield problem
        return
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        yield Problem(
            Location(shown, line=e.lineno),
            None,
            None,
            f"not valid JSON: {e.msg} (column {e.colno})",
            "check brackets, commas and quotes near that place",
        )
        return
    if isinstance(doc, dict) and "grants" in doc:  # 360Giving JSON
        from loaders.standards.giving360 import read_360_json

        yield from read_360_json(doc, name=shown, rates=rates)
        return
    if isinstance(doc, list):
        groups = {_kind_from_stem(stem): doc}
    elif isinstance(doc, dict):
        groups = {_kind_from_stem(k): v for k, v in doc.items()}
    else:
        yield Problem(
            Location(shown),
            None,
            None,
            "the JSON document must be an object of record lists or a list of records",
            'use {"organizations": [{...}, ...], ...}',
        )
        return
    for kind, items in groups.items():
        loc = Location(shown, item=kind)
        if kind not in KINDS:
            yield _unknown_kind(loc, kind)
            continue
        if not isinstance(items, list):
            yield Problem(loc, None, None, f"'{kind}' must be a list of records", "use [ {...} ]")
            continue
        for i, item in enumerate(items):
            iloc = Location(shown, item=f"{kind}[{i}]")
            if not isinstance(item, dict):
                yield Problem(iloc, None, str(item)[:40], "a record must be a JSON object")
                continue
            unknown = [k for k in item if k not in KINDS[kind].columns]
            for k in unknown:
                yield Problem(
                    iloc,
                    k,
                    k,
                    f"unknown field for {kind}",
                    f"fields are: {', '.join(KINDS[kind].columns)}",
                )
            values = {k: _clean(v) for k, v in item.items() if k in KINDS[kind].columns}
            yield RawRow(kind, values, iloc)
