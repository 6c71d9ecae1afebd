"""A big record file read as columns: one :class:`RawFrame` instead of a million rows.

A donor agency's funding file is a million flows; as :class:`~loaders.records.RawRow` items
each costs a dict of cell texts, and reading alone takes most of a minute. A CSV file of a
kind in :data:`FRAME_KINDS` is instead parsed by pandas' C reader into a table of cell texts
(missing for an empty or blank cell, as :func:`~loaders.records.clean_cell` says), with the
line each record starts on, and checked column-wise (:mod:`loaders.columns`) with the very
messages of the row-by-row path.

The column path is taken only when it reads exactly what the row-by-row reader would: every
record on a line of its own (no quoted line breaks), no more cells than the header, a header
with no unknown, empty or repeated names, no NUL byte, no lone carriage return, and no field
over Python's CSV field limit; quotes are checked by Python's own CSV parser in strict mode,
as the row path parses them. Any other file is read row by row, which reports what is wrong
with it.

Examples
--------
>>> data = b"flow_id,donor_id,amount\\nf1, a ,10\\n\\nf2,b,\\n"
>>> f = read_csv_frame(data, data.decode(), "funding", "funding.csv")
>>> f.table.fillna("(none)").to_dict("records"), f.lines.tolist()
([{'flow_id': 'f1', 'donor_id': 'a', 'amount': '10'}, {'flow_id': 'f2', 'donor_id': 'b', 'amount': '(none)'}], [2, 4])
>>> str(f.location(1))
'funding.csv, line 4'
>>> read_csv_frame(b'flow_id\\n"f\\n1"\\n', 'flow_id\\n"f\\n1"\\n', "funding", "f.csv") is None
True
"""

from __future__ import annotations

import collections
import csv
import functools
import io
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from graph.schema import KINDS
from loaders.records import Location

__all__ = ["FRAME_KINDS", "RawFrame", "delimiter_of", "read_csv_frame"]

#: Record kinds whose CSV files are read and checked as columns: the ones that grow with a
#: portfolio (every other kind is a few thousand rows at most).
FRAME_KINDS = ("funding",)


@dataclass(frozen=True)
class RawFrame:
    """The records of one file as a table of cell texts.

    Parameters
    ----------
    kind : str
        The record kind.
    table : DataFrame
        One column per header name, cell texts stripped, missing for no value; one row per
        non-blank record, in file order.
    lines : ndarray of int
        The line each row starts on (the header is line 1).
    file : str
        The file's name as the user gave it.
    """

    kind: str
    table: pd.DataFrame
    lines: np.ndarray
    file: str
    published: bool = False

    def __len__(self) -> int:
        return len(self.table)

    def location(self, pos: int) -> Location:
        """Where row ``pos`` (0-based, in :attr:`table`) sits in its file."""
        return Location(self.file, line=int(self.lines[pos]))


def read_csv_frame(data: bytes, text: str, kind: str, shown: str) -> RawFrame | None:
    """The records of a CSV file of ``kind`` as a :class:`RawFrame`, or None when the file
    is one the row-by-row reader must read (see the module's notes).

    Parameters
    ----------
    data, text : bytes, str
        The file's bytes and their (checked) UTF-8 text.
    """
    if kind not in FRAME_KINDS or "\x00" in text:
        return None
    crlf = text.count("\r\n")
    if text.count("\r") != crlf:
        return None
    first = text.split("\n", 1)[0].rstrip("\r")
    delimiter = delimiter_of(first)
    try:
        header = [h.strip() for h in next(csv.reader([first], delimiter=delimiter, strict=True))]
    except (csv.Error, StopIteration):
        return None
    columns = KINDS[kind].columns
    if len(set(header)) != len(header) or any(not h or h not in columns for h in header):
        return None
    if ('"' in text or _longest_line(data) > csv.field_size_limit()) and not _strict_csv(
        text, delimiter
    ):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            table = pd.read_csv(
                io.BytesIO(data),
                sep=delimiter,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                skip_blank_lines=False,
                index_col=False,
                encoding="utf-8-sig",
                engine="c",
            )
    except (ValueError, Warning, pd.errors.ParserError, MemoryError):
        return None
    lines_in_file = text.count("\n") + text.count("\r") - crlf + (not text.endswith(("\n", "\r")))
    if len(table) + 1 != lines_in_file:  # a record spans lines: the row path counts them
        return None
    table.columns = header
    for c in header:
        cells = table[c].str.strip(_whitespace())
        table[c] = cells.where(cells != "", None)
    lines = np.arange(2, len(table) + 2)
    keep = table.notna().any(axis=1).to_numpy()
    if not keep.all():
        table, lines = table[keep].reset_index(drop=True), lines[keep]
    return RawFrame(kind, table, lines, shown)


def delimiter_of(text: str) -> str:
    r"""``;`` for a file whose header is separated by semicolons (as European spreadsheets
    save "CSV"), else ``,``.

    >>> delimiter_of("org_id;name;sector\n"), delimiter_of("org_id,name\n")
    (';', ',')
    """
    first = text.split("\n", 1)[0]
    return ";" if first.count(";") > first.count(",") else ","


@functools.cache
def _whitespace() -> str:
    """Every character Python's ``str.strip()`` removes (Unicode's white space and the four
    ASCII separators), so that the column path strips cells as the row path does."""
    return "".join(chr(i) for i in range(0x3001) if chr(i).isspace())


def _longest_line(data: bytes) -> int:
    """The length in bytes of the longest line of ``data`` (at least any field's length)."""
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    bounds = np.concatenate(([-1], ends, [len(data)]))
    return int(np.diff(bounds).max()) if len(data) else 0


def _strict_csv(text: str, delimiter: str) -> bool:
    """Whether Python's CSV parser, strict as the row-by-row reader is, reads ``text``
    without an error (its quotes are well formed, no field is over the field limit)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        collections.deque(reader, maxlen=0)
    except csv.Error:
        return False
    return True
