"""Read raw rows of each record kind from CSV, XLSX and JSON files.

Readers yield :class:`RawRow` items: the record kind, the cell texts by column and the
:class:`~loaders.records.Location` of the row; a CSV file of funding flows comes as one
:class:`~loaders.frames.RawFrame` (the same cells as columns, see :mod:`loaders.frames`).
They do not judge values (that is :mod:`loaders.validate`); they only report what stops a
file from being read at all (wrong encoding, broken JSON, an unknown sheet) as
:class:`~loaders.records.Problem` items.

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

import io
from collections.abc import Iterator
from pathlib import Path

from loaders.frames import RawFrame
from loaders.records import Location, Problem, RawRow
from loaders.standards import giving360
from loaders.standards.iati import read_iati
from loaders.tabular import (
    json_records,
    kind_from_stem,
    parse_json,
    read_csv,
    read_xlsx,
    xlsx_problem,
)

__all__ = [
    "RawRow",
    "read_path",
    "read_file",
    "iter_path",
    "iter_file",
    "read_one",
    "TABULAR_SUFFIXES",
    "READABLE_SUFFIXES",
]

TABULAR_SUFFIXES = (".csv", ".xlsx", ".json")
#: Every suffix a folder scan (and an upload) reads: record files plus IATI XML.
READABLE_SUFFIXES = (*TABULAR_SUFFIXES, ".xml")


def _standard_last(files: list[Path]) -> list[Path]:
    """Record files first, published standard files (IATI XML, 360Giving) after: so a
    stream meets the load's own organisations before the aliases of published files."""

    def published(p: Path) -> bool:
        if p.suffix.lower() == ".xml":
            return True
        if p.suffix.lower() == ".csv":
            return giving360.is_360_csv(p)
        return p.suffix.lower() == ".json" and giving360.is_360_json_file(p)

    return sorted(files, key=lambda p: (published(p), p.name))


def iter_path(path, *, name: str | None = None, rates=None, strict: bool = False):
    """:func:`read_path` as a stream: every row, frame and problem of a folder (own record
    files first, published standard files after) or one file, as they are read, so a big
    file never sits in memory as a whole list of rows."""
    path = Path(path)
    if path.is_dir():
        files = [p for p in path.iterdir() if p.suffix.lower() in READABLE_SUFFIXES]
        if not files:
            yield Problem(
                Location(str(path)),
                None,
                None,
                "no record files (.csv, .xlsx, .json, .xml) in this folder",
                "put files named after their kind here, e.g. organizations.csv",
            )
        for f in _standard_last(files):
            yield from iter_file(f, rates=rates, strict=strict)
    elif path.exists():
        yield from iter_file(path, name=name, rates=rates, strict=strict)
    else:
        yield Problem(Location(str(path)), None, None, "no such file or folder", "check the path")


def read_path(
    path, *, name: str | None = None, rates=None, strict: bool = False
) -> tuple[list[RawRow | RawFrame], list[Problem]]:
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
    rows : list of RawRow or RawFrame
    problems : list of Problem
        Files that could not be read; every one is reported.
    """
    path = Path(path)
    rows: list[RawRow | RawFrame] = []
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
            r, p = read_file(f, rates=rates, strict=strict)
            rows.extend(r)
            problems.extend(p)
    elif path.exists():
        return read_file(path, name=name, rates=rates, strict=strict)
    else:
        problems.append(
            Problem(Location(str(path)), None, None, "no such file or folder", "check the path")
        )
    return rows, problems


def read_file(
    path, *, name: str | None = None, data: bytes | None = None, rates=None, strict: bool = False
):
    """Read one file into lists of rows and problems (see :func:`iter_file`)."""
    return _collect(iter_file(path, name=name, data=data, rates=rates, strict=strict))


def iter_file(
    path, *, name: str | None = None, data: bytes | None = None, rates=None, strict: bool = False
):
    """Every row, frame and problem of one file as it is read (see :func:`read_one`); a
    file that is too deep, too big or too odd for the reader to hold (``RecursionError``,
    ``MemoryError``, a ``ValueError`` from a parser) ends with one problem that says so,
    never a traceback.

    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "organizations.json"
    >>> _ = p.write_text("[" * 100_000 + "]" * 100_000)
    >>> [str(x) for x in iter_file(p)]  # doctest: +ELLIPSIS
    ['organizations.json: the JSON nests more than 64 levels deep, ...']
    """
    shown = name or Path(path).name
    try:
        yield from read_one(path, name=name, data=data, rates=rates, strict=strict)
    except RecursionError:
        yield Problem(
            Location(shown),
            None,
            None,
            "the file nests its elements too deeply to read",
            "check that it is the file you meant",
        )
    except MemoryError:
        yield Problem(
            Location(shown),
            None,
            None,
            "the file is too big to read in the memory this machine has",
            "split it into smaller files, or load it from the command line on a bigger machine",
        )
    except (ValueError, OverflowError) as e:
        yield Problem(
            Location(shown),
            None,
            None,
            f"the file could not be read: {str(e)[:200]}",
            "check that it is the file you meant, and that it was saved whole",
        )


def read_one(
    path, *, name: str | None = None, data: bytes | None = None, rates=None, strict: bool = False
):
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

    Yields
    ------
    RawRow, RawFrame or Problem
        As they are read.
    """
    path = Path(path)
    shown = name or path.name
    suffix = path.suffix.lower()
    if suffix == ".xml":
        source = path if data is None else io.BytesIO(data)
        yield from read_iati(source, name=shown, rates=rates, strict=strict)
        return
    if suffix == ".csv" and giving360.is_360_csv(path if data is None else data):
        source = path if data is None else io.BytesIO(data)
        yield from giving360.read_360_csv(source, name=shown, rates=rates, strict=strict)
        return
    if suffix == ".json" and data is None and giving360.is_360_json_file(path):
        yield from giving360.stream_360_json(path, name=shown, rates=rates, strict=strict)
        return
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as e:
            yield Problem(Location(shown), None, None, f"cannot read file: {e.strerror}")
            return
    if suffix == ".csv":
        yield from read_csv(data, kind_from_stem(path.stem), shown)
        return
    if suffix == ".xlsx":
        refused = xlsx_problem(data, shown)
        if refused is not None:
            yield refused
        elif giving360.is_360_xlsx(data):
            yield from giving360.read_360_xlsx(data, name=shown, rates=rates, strict=strict)
        else:
            yield from read_xlsx(data, shown, path.stem)
        return
    if suffix == ".json":
        yield from _read_json(data, shown, path.stem, rates=rates, strict=strict)
        return
    yield Problem(
        Location(shown),
        None,
        None,
        f"unsupported file type {suffix or '(none)'}",
        "give .csv, .xlsx or .json record files, IATI .xml or 360Giving .csv/.json",
    )


def _collect(items) -> tuple[list[RawRow | RawFrame], list[Problem]]:
    rows, problems = [], []
    for item in items:
        (problems if isinstance(item, Problem) else rows).append(item)
    return rows, problems


def _read_json(
    data: bytes, shown: str, stem: str, *, rates=None, strict: bool = False
) -> Iterator[RawRow | Problem]:
    doc, problem = parse_json(data, shown)
    if problem is not None:
        yield problem
    elif isinstance(doc, dict) and "grants" in doc:  # 360Giving JSON
        yield from giving360.read_360_json(doc, name=shown, rates=rates, strict=strict)
    elif _is_registry_metadata(doc):
        yield Problem(
            Location(shown),
            None,
            None,
            "this is 360Giving registry metadata (publishers, licences, download links), "
            "not grant data",
            "download the grants file its 'distribution' / 'downloadURL' points to and give that",
        )
    else:
        yield from json_records(doc, shown, stem)


def _is_registry_metadata(doc) -> bool:
    """A 360Giving registry (or datagetter) metadata file: a list of datasets, each with a
    ``distribution`` and a ``publisher``."""
    items = doc if isinstance(doc, list) else [doc]
    return bool(items) and all(
        isinstance(d, dict) and "distribution" in d and "publisher" in d for d in items[:5]
    )
