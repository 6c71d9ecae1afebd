"""Read 360Giving grants files (CSV with the standard column titles, and JSON) into records.

Each grant becomes (the same record kinds the CSV loaders give):

* a ``projects`` row — the grant: identifier, title, description, start and end year from
  ``Planned Dates``, budget = ``Amount Awarded`` in the grant's currency (and in USD when the
  rates table has the award year), status from the planned dates on the day of loading;
* ``organizations`` for the funder(s) and recipient(s): id = the organisation identifier
  (``name:<slug>`` when only a name is given), sector guessed from the identifier's
  registration agency (see :func:`org_sector`);
* a ``funding`` flow per funder (``flow_type`` grant, donor = funding organisation, recipient
  = recipient organisation), id ``<grant id>#f<k>``. With one funder the flow carries the
  amount. With several, **the amount is not split** — the standard gives one amount for the
  grant — so every flow has an empty amount, the quote says why, a
  :class:`~loaders.currency.Notice` reports it, and the total stays on the project budget;
* ``partnerships`` (funders → donor, recipients → implementer) and ``targets`` for every
  ``Beneficiary Location`` country code (ISO 3166-1 alpha-2 → alpha-3).

Dates are read in the forms real files use: ISO dates, ISO date-times
(``2024-03-01T00:00:00+00:00``) and ``DD/MM/YYYY``. Descriptions may span lines inside quotes.
The CSV form streams from disk; the JSON form is parsed whole (the standard library has no
incremental JSON parser).

Examples
--------
>>> csv_text = (
...     "Identifier,Title,Description,Currency,Amount Awarded,Award Date,"
...     "Recipient Org:Identifier,Recipient Org:Name,Funding Org:Identifier,Funding Org:Name,"
...     "Beneficiary Location:Country Code\\n"
...     '360G-ex-1,Reading club,"Weekly sessions,\\nall year",GBP,12000,14/02/2019,'
...     "GB-CHC-1111111,Readers Trust,GB-CHC-2222222,Example Foundation,GB\\n")
>>> import io
>>> items = list(read_360_csv(io.BytesIO(csv_text.encode()), name="grants.csv"))
>>> [i.kind for i in items]  # doctest: +NORMALIZE_WHITESPACE
['sources', 'projects', 'partnerships', 'partnerships', 'targets', 'funding',
 'organizations', 'organizations', 'countries']
>>> flow = items[5].values
>>> flow["flow_id"], flow["donor_id"], flow["recipient_id"], flow["amount"], flow["date"]
('360G-ex-1#f1', 'GB-CHC-2222222', 'GB-CHC-1111111', '12000', '2019-02-14')
>>> items[1].values["description"]
'Weekly sessions,\\nall year'
>>> [(o.values["org_id"], o.values["sector"]) for o in items[6:8]]
[('GB-CHC-2222222', 'foundation'), ('GB-CHC-1111111', 'ngo')]
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from pathlib import Path

from loaders.currency import NOTICES_KEY, Notice, RateTable
from loaders.limits import json_refusal
from loaders.records import Location, Problem, RawRow, clean_cell
from loaders.standards.giving360.grants import Grants, org_sector
from loaders.tabular import csv_records

__all__ = [
    "is_360_csv",
    "read_360_csv",
    "read_360_json",
    "read_360_grants",
    "stream_360_json",
    "is_360_json_file",
    "read_360_xlsx",
    "is_360_xlsx",
    "org_sector",
    "TOP_FIELDS",
    "GROUPS",
]

#: CSV column title → JSON field of a grant.
TOP_FIELDS = {
    "Identifier": "id",
    "Title": "title",
    "Description": "description",
    "Currency": "currency",
    "Amount Awarded": "amountAwarded",
    "Award Date": "awardDate",
}

#: CSV title prefix → (JSON array field, {sub-title: JSON field}).
GROUPS = {
    "Planned Dates": (
        "plannedDates",
        {"Start Date": "startDate", "End Date": "endDate", "Duration (months)": "duration"},
    ),
    "Recipient Org": (
        "recipientOrganization",
        {
            "Identifier": "id",
            "Name": "name",
            "Charity Number": "charityNumber",
            "Company Number": "companyNumber",
            "Organisation Type": "organisationType",
        },
    ),
    "Recipient Ind": ("recipientIndividual", {"Identifier": "id", "Name": "name"}),
    "Funding Org": (
        "fundingOrganization",
        {"Identifier": "id", "Name": "name", "Organisation Type": "organisationType"},
    ),
    "Beneficiary Location": (
        "beneficiaryLocation",
        {"Name": "name", "Country Code": "countryCode"},
    ),
}

#: Columns a 360Giving CSV must have (the standard's required fields that the explorer uses).
REQUIRED_COLUMNS = ("Identifier", "Title", "Currency", "Amount Awarded", "Award Date")


#: Registration agency prefix → (sector, org_type); charities are foundations as funders.
def is_360_csv(source) -> bool:
    """Whether a CSV file (path) or content (bytes) has a 360Giving header.

    Only the head of a file is read.

    >>> is_360_csv(b"Identifier,Title,Amount Awarded\\n1,x,5\\n"), is_360_csv(b"org_id,name\\n")
    (True, False)
    """
    if isinstance(source, bytes | bytearray):
        head = bytes(source[: 1 << 16])
    else:
        try:
            with Path(source).open("rb") as f:
                head = f.read(1 << 16)
        except OSError:
            return False
    text = head.decode("utf-8-sig", errors="replace")
    try:
        first = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error:
        return False
    cols = {c.strip() for c in first}
    return "Identifier" in cols and "Amount Awarded" in cols


# -- CSV -------------------------------------------------------------------------------------


def _header_map(header: list[str]) -> dict[int, tuple]:
    """Column index → ``("top", field)`` or ``(group, index, field)``; unknown columns left
    out (360Giving files may carry more columns than the explorer reads)."""
    out: dict[int, tuple] = {}
    for i, title in enumerate(header):
        if title in TOP_FIELDS:
            out[i] = ("top", TOP_FIELDS[title])
            continue
        parts = title.split(":")
        if len(parts) == 2:
            group, idx, sub = parts[0], 0, parts[1]
        elif len(parts) == 3 and parts[1].isdigit():
            group, idx, sub = parts[0], int(parts[1]), parts[2]
        else:
            continue
        if group in GROUPS and sub in GROUPS[group][1]:
            array, fields = GROUPS[group]
            out[i] = (array, idx, fields[sub])
    return out


def read_360_csv(
    source, *, name: str, rates: RateTable | None = None, strict: bool = False
) -> Iterator[RawRow | Problem]:
    """Stream a 360Giving CSV file; yield raw rows and problems.

    Parameters
    ----------
    source : str, Path or binary file object
    name : str
        File name for messages and the source id ``360giving:<name>``.
    rates : RateTable, optional
        Exchange rates to USD; the bundled table by default.
    """
    if isinstance(source, str | Path):
        try:
            raw = Path(source).open("rb")  # noqa: SIM115 - closed below, streamed meanwhile
        except OSError as e:
            yield Problem(Location(name), None, None, f"cannot read file: {e.strerror}")
            return
    else:
        raw = source
    encoding = "utf-8-sig" if strict else _published_encoding(raw)
    errors = "replace" if encoding == WINDOWS_ENCODING else "strict"  # 5 bytes cp1252 lacks
    text = io.TextIOWrapper(raw, encoding=encoding, errors=errors, newline="")
    g = Grants(name, rates or RateTable.bundled(), strict=strict)
    try:
        reader = csv.reader(text)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            yield Problem(Location(name), None, None, "the file is empty", "add a header row")
            return
        rows = _grant_rows(g, name, header, csv_records(reader, name), "CSV")
        if encoding == WINDOWS_ENCODING:
            rows = _with_encoding_notice(rows, name)
        yield from rows
    except UnicodeDecodeError as e:
        yield Problem(
            Location(name),
            None,
            None,
            f"the file is not UTF-8 text (byte 0x{e.object[e.start]:02x})",
            'save it as UTF-8 (in Excel: "CSV UTF-8")',
        )
        return
    finally:
        text.detach()
        if raw is not source:
            raw.close()
    yield from g.finish()


#: What a published 360Giving CSV that is not UTF-8 is read as: Excel's "CSV" on Windows.
WINDOWS_ENCODING = "cp1252"


def _published_encoding(raw) -> str:
    """``utf-8-sig`` when the whole of a seekable file decodes as UTF-8, else
    :data:`WINDOWS_ENCODING` (a published file is not the user's to re-save).

    The file is scanned once in 1 MiB chunks (memory stays bounded) and rewound. A stream
    that cannot be rewound is read as UTF-8.

    >>> _published_encoding(io.BytesIO("Côte".encode("utf-8"))), _published_encoding(
    ...     io.BytesIO("Côte".encode("cp1252")))
    ('utf-8-sig', 'cp1252')
    """
    if not raw.seekable():
        return "utf-8-sig"
    start = raw.tell()
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := raw.read(1 << 20):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return WINDOWS_ENCODING
    finally:
        raw.seek(start)
    return "utf-8-sig"


def _with_encoding_notice(rows, name: str):
    """The rows of a file read as Windows-1252, the first one carrying the notice."""
    notice = Notice(
        Location(name),
        None,
        None,
        "the file is not UTF-8; it was read as Windows-1252 (Excel's CSV on Windows)",
        'check accented names; the publisher can re-save it as "CSV UTF-8"',
    )
    for row in rows:
        if notice is not None and isinstance(row, RawRow):
            row.values[NOTICES_KEY] = (notice, *(row.values.get(NOTICES_KEY) or ()))
            notice = None
        yield row


def _grant_rows(g: Grants, name: str, header: list[str], records, form: str):
    """Grants of a table with the standard's column titles (CSV or a spreadsheet):
    ``records`` yields ``(line, cells)`` or a Problem that stops the file."""
    problems = _header_problems(name, header)
    if problems:
        yield from problems
        return
    columns = _header_map(header)
    titles = {v: header[i] for i, v in columns.items()}

    def column(path, titles=titles):
        return _csv_title(path, titles)

    yield g.source_row(f"360Giving grants file ({form})")
    for item in records:
        if isinstance(item, Problem):
            yield item
            return
        line, cells = item
        grant = _grant_of_cells(cells, columns)
        yield from g.grant(grant, Location(name, line=line, item=grant.get("id")), column)


def is_360_xlsx(data: bytes) -> bool:
    """Whether a workbook's first sheet has a 360Giving header (Identifier, Amount Awarded)."""
    try:
        header = _xlsx_header(data)
    except Exception:  # not a workbook: the record reader says why
        return False
    return "Identifier" in header and "Amount Awarded" in header


def _xlsx_header(data: bytes) -> list[str]:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        first = next(wb.worksheets[0].iter_rows(values_only=True), ())
        return [clean_cell(h) or "" for h in first]
    finally:
        wb.close()


def read_360_xlsx(
    data: bytes, *, name: str, rates: RateTable | None = None, strict: bool = False
) -> Iterator[RawRow | Problem]:
    """A 360Giving spreadsheet (the form most funders publish): the first sheet, by the
    standard's column titles, read row by row like the CSV form."""
    import openpyxl

    g = Grants(name, rates or RateTable.bundled(), strict=strict)
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        rows = wb.worksheets[0].iter_rows(values_only=True)
        header = [clean_cell(h) or "" for h in next(rows, ())]
        records = (
            (n, [clean_cell(c) or "" for c in row])
            for n, row in enumerate(rows, start=2)
            if any(c is not None for c in row)
        )
        yield from _grant_rows(g, name, header, records, "spreadsheet")
    finally:
        wb.close()
    yield from g.finish()


def _header_problems(name: str, header: list[str]) -> list[Problem]:
    """Every required column or column group the header lacks."""
    out = [
        Problem(
            Location(name, line=1),
            c,
            None,
            f"required column '{c}' is missing",
            "use the 360Giving column titles, e.g. Identifier, Title, Currency, "
            "Amount Awarded, Award Date",
        )
        for c in REQUIRED_COLUMNS
        if c not in header
    ]
    if not any(h.startswith("Funding Org:") for h in header):
        out.append(_missing_group(name, "Funding Org"))
    if not any(h.startswith(("Recipient Org:", "Recipient Ind:")) for h in header):
        out.append(_missing_group(name, "Recipient Org"))
    return out


def _grant_of_cells(cells: list[str], columns: dict[int, tuple]) -> dict:
    """One CSV row as a grant in the JSON shape: top-level fields, and arrays of objects
    for the column groups (``Funding Org:0:Name`` → ``fundingOrganization[0].name``)."""
    grant: dict = {}
    for i, target in columns.items():
        value = cells[i].strip() if i < len(cells) else ""
        if not value:
            continue
        if target[0] == "top":
            grant[target[1]] = value
            continue
        array, idx, fld = target
        items = grant.setdefault(array, [])
        while len(items) <= idx:
            items.append({})
        items[idx][fld] = value
    for array in (
        "plannedDates",
        "recipientOrganization",
        "recipientIndividual",
        "fundingOrganization",
    ):
        if array in grant:
            grant[array] = [x for x in grant[array] if x]
    return grant


def _missing_group(name, group) -> Problem:
    return Problem(
        Location(name, line=1),
        f"{group}:Identifier",
        None,
        f"required column '{group}:Identifier' is missing",
        f"add '{group}:Identifier' and '{group}:Name' columns",
    )


def _csv_title(path: tuple, titles: dict) -> str:
    """The CSV column title of a field path such as ``("fundingOrganization", 1, "id")``."""
    if len(path) == 1:
        hit = titles.get(("top", path[0]))
        if hit:
            return hit
        return next(t for t, f in TOP_FIELDS.items() if f == path[0])
    array, idx, fld = path
    hit = titles.get((array, idx, fld))
    if hit:
        return hit
    group, fields = next((g, v[1]) for g, v in GROUPS.items() if v[0] == array)
    sub = next(t for t, f in fields.items() if f == fld)
    return f"{group}:{sub}" if idx == 0 else f"{group}:{idx}:{sub}"


# -- JSON ------------------------------------------------------------------------------------


def read_360_json(
    doc: dict, *, name: str, rates: RateTable | None = None, strict: bool = False
) -> Iterator[RawRow | Problem]:
    """Rows and problems of a parsed 360Giving JSON document (``{"grants": [...]}``).

    Parameters
    ----------
    doc : dict
        The parsed document.
    name : str
        File name for messages and the source id.
    rates : RateTable, optional
        Exchange rates to USD; the bundled table by default.

    Examples
    --------
    >>> doc = {"grants": [{"id": "360G-ex-2", "title": "Bridges", "currency": "EUR",
    ...     "amountAwarded": 90000, "awardDate": "2021-06-30T00:00:00+00:00",
    ...     "recipientOrganization": [{"id": "GB-COH-01234567", "name": "Bridges Ltd"}],
    ...     "fundingOrganization": [{"id": "GB-CHC-1", "name": "A Trust"},
    ...                             {"id": "GB-CHC-2", "name": "B Trust"}]}]}
    >>> items = list(read_360_json(doc, name="g.json"))
    >>> flows = [i.values for i in items if i.kind == "funding"]
    >>> [(f["flow_id"], f["donor_id"], f.get("amount")) for f in flows]
    [('360G-ex-2#f1', 'GB-CHC-1', None), ('360G-ex-2#f2', 'GB-CHC-2', None)]
    >>> [i.values["budget"] for i in items if i.kind == "projects"]
    ['90000']
    """
    grants = doc.get("grants")
    if not isinstance(grants, list):
        yield Problem(
            Location(name, item="grants"),
            "grants",
            None,
            "'grants' must be a list of grant objects",
            'use {"grants": [{...}, ...]}',
        )
        return
    yield from read_360_grants(grants, name=name, rates=rates, strict=strict)


def read_360_grants(
    grants, *, name: str, rates: RateTable | None = None, strict: bool = False
) -> Iterator[RawRow | Problem]:
    """Rows and problems of an iterable of 360Giving grant objects (a parsed list, or a
    stream from :func:`stream_360_json`)."""
    g = Grants(name, rates or RateTable.bundled(), strict=strict)
    yield g.source_row("360Giving grants file (JSON)")
    for i, grant in enumerate(grants):
        if not isinstance(grant, dict):
            yield Problem(
                Location(name, item=f"grants[{i}]"),
                None,
                str(grant)[:40],
                "a grant must be an object",
            )
            continue
        clean = {}
        for k, v in grant.items():
            if isinstance(v, list):
                clean[k] = [x for x in v if isinstance(x, dict)]
            elif isinstance(v, dict) and k == "recipientIndividual":
                clean[k] = [v]  # an object in the JSON schema; a column group in CSV
            elif v is not None and not isinstance(v, dict):
                clean[k] = v if isinstance(v, str) else _json_scalar(v)
        gid = clean.get("id")
        loc = Location(name, item=str(gid) if gid else f"grants[{i}]")
        yield from g.grant(clean, loc, _json_path)
    yield from g.finish()


def is_360_json_file(path) -> bool:
    """Whether a JSON file on disk is a 360Giving grants document (a top-level ``grants``
    key), read as a stream: only the top level is looked at, nothing is kept."""
    import ijson

    try:
        with Path(path).open("rb") as f:
            if json_refusal(f) is not None:
                return False  # read as a record file, which says why it is refused
            for prefix, event, value in ijson.parse(f):
                if prefix == "" and event == "map_key" and value == "grants":
                    return True
                if prefix == "" and event == "start_array":
                    return False
    except (ijson.JSONError, OSError, UnicodeDecodeError):
        return False
    return False


def stream_360_json(
    path, *, name: str, rates: RateTable | None = None, strict: bool = False
) -> Iterator[RawRow | Problem]:
    """A 360Giving JSON file streamed grant by grant (a GrantNav export is hundreds of MB):
    one grant in memory at a time."""
    import ijson

    with Path(path).open("rb") as f:
        why = json_refusal(f)  # before ijson's C parser sees what could crash it
        if why is not None:
            yield Problem(Location(name), None, None, why, "check that it is the file you meant")
            return
        grants = ijson.items(f, "grants.item", use_float=True)
        try:
            yield from read_360_grants(grants, name=name, rates=rates, strict=strict)
        except ijson.JSONError as e:
            yield Problem(
                Location(name),
                None,
                None,
                f"not valid JSON: {e}",
                "check brackets, commas and quotes; the grants before this point were read",
            )


def _json_scalar(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _json_path(path: tuple) -> str:
    if len(path) == 1:
        return path[0]
    array, idx, fld = path
    return f"{array}[{idx}].{fld}"


# -- one grant -------------------------------------------------------------------------------
