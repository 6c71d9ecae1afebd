"""Record files: CSV, XLSX (a sheet per kind) and JSON, read into :class:`RawRow` items.

These readers do not judge values (that is :mod:`loaders.validate`); they only report what
stops a file from being read at all (wrong encoding, broken JSON, an unknown sheet or kind,
unknown or missing columns) as :class:`~loaders.records.Problem` items.

>>> data = "network_id,name,source_id,quote\\nn1,Net,s1,Said.\\n".encode()
>>> rows = list(read_csv(data, "networks", "n.csv"))
>>> rows[0].values["name"], str(rows[0].location)
('Net', 'n.csv, line 2')
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from graph.schema import KINDS
from loaders.frames import RawFrame, delimiter_of, read_csv_frame
from loaders.limits import (
    MAX_CELL_CHARS,
    MAX_NUMBER_DIGITS,
    MAX_ROWS,
    json_refusal,
    xlsx_refusal,
)
from loaders.records import Location, Problem, RawRow, clean_cell

__all__ = [
    "check_header",
    "csv_records",
    "delimiter_of",
    "decode_text",
    "json_records",
    "kind_from_stem",
    "parse_json",
    "read_csv",
    "read_xlsx",
    "unknown_kind",
    "xlsx_problem",
]


def kind_from_stem(stem: str) -> str:
    return stem.strip().lower().replace("-", "_").replace(" ", "_")


def unknown_kind(loc: Location, kind: str) -> Problem:
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


def read_csv(
    data: bytes, kind: str, shown: str, *, frames: bool = True
) -> Iterator[RawRow | RawFrame | Problem]:
    """The records of a CSV file of ``kind``: rows, or (``frames``, for a kind of
    :data:`loaders.frames.FRAME_KINDS` and a file it can read) one :class:`RawFrame`."""
    if kind not in KINDS:
        yield unknown_kind(Location(shown), kind)
        return
    text, problem = decode_text(data, shown)
    if problem:
        yield problem
        return
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(text), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        yield Problem(Location(shown), None, None, "the file is empty", "add a header row")
        return
    except csv.Error as e:
        yield Problem(Location(shown, line=1), None, None, f"cannot parse CSV: {e}")
        return
    header = [h.strip() for h in header]
    header_problems = list(check_header(header, kind, Location(shown, line=1)))
    yield from header_problems
    if not header_problems and frames:
        frame = read_csv_frame(data, text, kind, shown)
        if frame is not None:
            yield frame
            return
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
        values = {h: clean_cell(c) for h, c in zip(header, cells, strict=False) if h}
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
            if "field larger than field limit" in str(e):
                yield Problem(
                    Location(shown, line=start),
                    None,
                    None,
                    f"a cell on this line is longer than {csv.field_size_limit():,} characters, "
                    f"more than a cell may hold ({MAX_CELL_CHARS:,})",
                    "shorten it; if the file should not hold such a cell, check that it is the "
                    "file you meant",
                )
                return
            yield Problem(
                Location(shown, line=start),
                None,
                None,
                f"cannot parse CSV: {e} (a quoted field opens on this line and does not close)"
                if "end of data" in str(e)
                else f"cannot parse CSV: {e}",
                "check the quotes on this line: a quoted field must end with a quote, and a "
                'quote inside it is written twice ("")',
            )
            return
        if reader.line_num > MAX_ROWS + 1:
            yield _too_many_rows(shown, reader.line_num)
            return
        line, start = start, reader.line_num + 1
        if any(c.strip() for c in cells):
            yield line, cells


def check_header(header, kind: str, loc: Location) -> Iterator[Problem]:
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


def _too_many_rows(shown: str, line: int, sheet: str | None = None) -> Problem:
    return Problem(
        Location(shown, line=line, sheet=sheet),
        None,
        None,
        f"the file has more than {MAX_ROWS:,} rows, the most one file may hold",
        "split it into several files",
    )


def xlsx_problem(data, shown: str) -> Problem | None:
    """A workbook refused before it is read (:func:`loaders.limits.xlsx_refusal`)."""
    why = xlsx_refusal(data)
    if why is None:
        return None
    return Problem(
        Location(shown),
        None,
        None,
        why,
        "give the data as CSV, or check that it is the file you meant",
    )


def read_xlsx(data: bytes, shown: str, stem: str) -> Iterator[RawRow | Problem]:
    import zipfile

    import openpyxl

    refused = xlsx_problem(data, shown)
    if refused is not None:
        yield refused
        return
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
    single = kind_from_stem(stem)
    sheets = wb.sheetnames
    for sheet_name in sheets:
        kind = kind_from_stem(sheet_name)
        if kind not in KINDS:
            if len(sheets) == 1 and single in KINDS:
                kind = single
            else:
                yield unknown_kind(Location(shown, sheet=sheet_name), sheet_name)
                continue
        ws = wb[sheet_name]
        it = ws.iter_rows(values_only=True)
        try:
            header = [(clean_cell(h) or "") for h in next(it)]
        except StopIteration:
            continue
        yield from check_header(header, kind, Location(shown, sheet=sheet_name, line=1))
        for n, cells in enumerate(it, start=2):
            if n > MAX_ROWS + 1:
                yield _too_many_rows(shown, n, sheet_name)
                break
            values = {h: clean_cell(c) for h, c in zip(header, cells, strict=False) if h}
            if any(v is not None for v in values.values()):
                yield RawRow(kind, values, Location(shown, sheet=sheet_name, line=n))
    wb.close()


def parse_json(data: bytes, shown: str):
    """The JSON document in ``data``, or the :class:`Problem` that stops it being read."""
    why = json_refusal(data)
    if why is not None:
        return None, Problem(
            Location(shown), None, None, why, "check that it is the file you meant"
        )
    text, problem = decode_text(data, shown)
    if problem:
        return None, problem
    try:
        doc = json.loads(text, parse_int=_number, parse_float=_number)
    except json.JSONDecodeError as e:
        return None, Problem(
            Location(shown, line=e.lineno),
            None,
            None,
            f"not valid JSON: {e.msg} (column {e.colno})",
            "check brackets, commas and quotes near that place",
        )
    except _TooLong as e:
        return None, Problem(
            Location(shown),
            None,
            e.text[:40] + "…",
            f"a number has {len(e.text):,} digits, more than the {MAX_NUMBER_DIGITS} a number "
            "may have",
            "check that it is the file you meant",
        )
    return doc, None


class _TooLong(ValueError):
    def __init__(self, text: str):
        super().__init__(text[:40])
        self.text = text


def _number(text: str):
    """A JSON number, refused when it has more digits than any amount or year (Python
    would spend time on a 5,000-digit integer, or refuse it with a ValueError)."""
    if len(text) > MAX_NUMBER_DIGITS:
        raise _TooLong(text)
    return float(text) if any(c in text for c in ".eE") else int(text)


def json_records(doc, shown: str, stem: str) -> Iterator[RawRow | Problem]:
    """Rows of a record document: ``{kind: [records]}``, or a list named by the file's stem."""
    if isinstance(doc, list):
        groups = {kind_from_stem(stem): doc}
    elif isinstance(doc, dict):
        groups = {kind_from_stem(k): v for k, v in doc.items()}
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
            yield unknown_kind(loc, kind)
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
            values = {k: clean_cell(v) for k, v in item.items() if k in KINDS[kind].columns}
            yield RawRow(kind, values, iloc)
