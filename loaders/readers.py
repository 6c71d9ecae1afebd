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
from loaders.tabular import json_records, kind_from_stem, parse_json, read_csv, read_xlsx

__all__ = [
    "RawRow",
    "read_path",
    "read_file",
    "TABULAR_SUFFIXES",
    "READABLE_SUFFIXES",
]

TABULAR_SUFFIXES = (".csv", ".xlsx", ".json")
#: Every suffix a folder scan (and an upload) reads: record files plus IATI XML.
READABLE_SUFFIXES = (*TABULAR_SUFFIXES, ".xml")


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
    rows : list of RawRow or RawFrame
    problems : list of Problem
    """
    path = Path(path)
    shown = name or path.name
    suffix = path.suffix.lower()
    if suffix == ".xml":
        source = path if data is None else io.BytesIO(data)
        return _collect(read_iati(source, name=shown, rates=rates, strict=strict))
    if suffix == ".csv":
        if giving360.is_360_csv(path if data is None else data):
            source = path if data is None else io.BytesIO(data)
            return _collect(giving360.read_360_csv(source, name=shown, rates=rates, strict=strict))
    if suffix == ".json" and data is None and giving360.is_360_json_file(path):
        return _collect(giving360.stream_360_json(path, name=shown, rates=rates, strict=strict))
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as e:
            return [], [Problem(Location(shown), None, None, f"cannot read file: {e.strerror}")]
    if suffix == ".csv":
        return _collect(read_csv(data, kind_from_stem(path.stem), shown))
    if suffix == ".xlsx":
        if giving360.is_360_xlsx(data):
            return _collect(giving360.read_360_xlsx(data, name=shown, rates=rates, strict=strict))
        return _collect(read_xlsx(data, shown, path.stem))
    if suffix == ".json":
        return _collect(_read_json(data, shown, path.stem, rates=rates, strict=strict))
    return [], [
        Problem(
            Location(shown),
            None,
            None,
            f"unsupported file type {suffix or '(none)'}",
            "give .csv, .xlsx or .json record files, IATI .xml or 360Giving .csv/.json",
        )
    ]


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
