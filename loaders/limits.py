"""How big an input may be: the limits, as data, and the checks that apply them before the
data is held.

=========================  ===========  ==========================================================
limit                      value        what happens beyond it
=========================  ===========  ==========================================================
``MAX_CELL_CHARS``         100,000      a cell (or an element's text) that long is a problem
``MAX_NAME_CHARS``         1,000        a name, title or acronym that long: a problem in your
                                        own records, cut with a notice in a published file
``MAX_ROWS``               5,000,000    rows of one file; the rest is a problem
``MAX_XLSX_UNPACKED``      200 MB       a workbook's parts, unpacked: refused before reading
``MAX_XLSX_RATIO``         200          unpacked ÷ packed size of one part (a zip bomb)
``MAX_JSON_DEPTH``         64           nesting of a JSON document
``MAX_NUMBER_DIGITS``      40           digits of one number in a JSON document
``MAX_XML_TEXT_CHARS``     1,000,000    one element's text in an IATI file: the file is refused
=========================  ===========  ==========================================================

Invisible characters (NUL and other control characters, the bidirectional overrides and
isolates, zero-width spaces and joiners, the byte-order mark) are removed from every cell,
with a notice (:func:`invisible_removed`).

Examples
--------
>>> invisible_removed("Acme\\u202e Ltd\\x00")
('Acme Ltd', 2)
>>> json_depth("[[[1]]]"), json_depth('{"a": "[[[["}'), json_depth(r'{"a": "x\\"}')
(3, 1, 1)
>>> json_depth(r'["a\\"b[[", [1]]')
2
"""

from __future__ import annotations

import re
import zipfile

import numpy as np

__all__ = [
    "LIMITS",
    "MAX_CELL_CHARS",
    "MAX_NAME_CHARS",
    "NAME_FIELDS",
    "MAX_ROWS",
    "MAX_XLSX_UNPACKED",
    "MAX_XLSX_RATIO",
    "MAX_JSON_DEPTH",
    "MAX_NUMBER_DIGITS",
    "MAX_XML_TEXT_CHARS",
    "INVISIBLE",
    "invisible_removed",
    "json_depth",
    "json_shape",
    "json_refusal",
    "xlsx_refusal",
]

MAX_CELL_CHARS = 100_000
MAX_NAME_CHARS = 1_000
#: The fields a person reads as a name (held to :data:`MAX_NAME_CHARS`).
NAME_FIELDS = ("name", "title", "acronym")
MAX_ROWS = 5_000_000
MAX_XLSX_UNPACKED = 200 * 1024 * 1024
MAX_XLSX_RATIO = 200
MAX_JSON_DEPTH = 64
MAX_NUMBER_DIGITS = 40
MAX_XML_TEXT_CHARS = 1_000_000

#: Every limit: name, value, what it bounds (the table above, as data).
LIMITS = (
    ("MAX_CELL_CHARS", MAX_CELL_CHARS, "characters in one cell or one element's text"),
    ("MAX_NAME_CHARS", MAX_NAME_CHARS, "characters in a name, title or acronym"),
    ("MAX_ROWS", MAX_ROWS, "rows in one file"),
    ("MAX_XLSX_UNPACKED", MAX_XLSX_UNPACKED, "bytes of a workbook's parts, unpacked"),
    ("MAX_XLSX_RATIO", MAX_XLSX_RATIO, "unpacked ÷ packed size of one workbook part"),
    ("MAX_JSON_DEPTH", MAX_JSON_DEPTH, "nesting depth of a JSON document"),
    ("MAX_NUMBER_DIGITS", MAX_NUMBER_DIGITS, "digits of one number in a JSON document"),
    ("MAX_XML_TEXT_CHARS", MAX_XML_TEXT_CHARS, "characters of one element's text in an IATI file"),
)

#: Characters no one can see, or that reorder what is shown: C0 controls but tab, line
#: feed and carriage return (NUL among them), DEL and C1 controls, zero-width spaces and
#: joiners, the word joiner, bidirectional marks, embeddings, overrides and isolates, and
#: the byte-order mark.
INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u2069\ufeff]"
)


def invisible_removed(text: str) -> tuple[str, int]:
    """``text`` without :data:`INVISIBLE` characters, and how many were removed."""
    cleaned, n = INVISIBLE.subn("", text)
    return cleaned, n


def json_shape(source, *, stop_depth: int | None = None, chunk: int = 1 << 24) -> tuple[int, int]:
    """How deeply the arrays and objects of a JSON document nest, and the longest run of
    digits outside its strings, strings and their escapes skipped.

    Checked before any parser sees the document: a deep one makes Python's ``json`` raise
    ``RecursionError`` and blows up ijson's memory, and a number longer than Python's
    4,300-digit limit crashes ijson's C backend outright. ``source`` is text, bytes or a
    binary file, read in chunks and scanned with NumPy (about a GB a second); the scan
    stops once the depth passes ``stop_depth``.

    >>> json_shape('[{"a": 123456}, "99999999"]')
    (2, 6)
    """
    if isinstance(source, str):
        source = source.encode("utf-8", "surrogatepass")
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        parts = (data[i : i + chunk] for i in range(0, len(data), chunk))
    else:
        parts = iter(lambda: source.read(chunk), b"")
    depth = deepest = longest = 0
    in_string = False
    slashes = digits = 0  # backslashes and digits at the end of the previous chunk
    for part in parts:
        a = np.frombuffer(part, dtype=np.uint8)
        idx = np.arange(len(a))
        backslash = a == 0x5C
        run = _runs(backslash, idx, slashes)
        quotes = np.flatnonzero(a == 0x22)
        before = np.where(quotes > 0, run[quotes - 1], slashes)
        toggles = np.zeros(len(a), dtype=np.int64)
        toggles[quotes[before % 2 == 0]] = 1  # an escaped quote does not end a string
        inside = (np.cumsum(toggles) + int(in_string)) % 2 == 1
        opens = ((a == 0x5B) | (a == 0x7B)) & ~inside
        closes = ((a == 0x5D) | (a == 0x7D)) & ~inside
        levels = depth + np.cumsum(opens.astype(np.int64) - closes.astype(np.int64))
        number = (a >= 0x30) & (a <= 0x39) & ~inside
        lengths = _runs(number, idx, digits)
        if len(levels):
            deepest = max(deepest, int(levels.max()))
            longest = max(longest, int(lengths.max()))
            depth = int(levels[-1])
            in_string = bool(inside[-1])
            slashes = int(run[-1]) if backslash[-1] else 0
            digits = int(lengths[-1]) if number[-1] else 0
        if stop_depth is not None and deepest > stop_depth:
            break
    return deepest, longest


def _runs(mask: np.ndarray, idx: np.ndarray, carry: int) -> np.ndarray:
    """At each position, how many ``mask`` positions end there in a row (``carry`` of them
    ended the previous chunk)."""
    last = np.maximum.accumulate(np.where(mask, -1, idx))
    run = idx - last
    run[last < 0] += carry
    return np.where(mask, run, 0)


def json_depth(source, *, stop: int | None = None, chunk: int = 1 << 24) -> int:
    """How deeply a JSON document nests (:func:`json_shape`)."""
    return json_shape(source, stop_depth=stop, chunk=chunk)[0]


def json_refusal(source) -> str | None:
    """Why a JSON document is refused before it is parsed (too deep, or a number with more
    digits than any figure), or None. A file is read from where it is and left there."""
    at = source.tell() if hasattr(source, "tell") else None
    depth, longest = json_shape(source, stop_depth=MAX_JSON_DEPTH)
    if at is not None:
        source.seek(at)
    if depth > MAX_JSON_DEPTH:
        return f"the JSON nests more than {MAX_JSON_DEPTH} levels deep, more than a record document may"
    if longest > MAX_NUMBER_DIGITS:
        return (
            f"a number has {longest:,} digits, more than the {MAX_NUMBER_DIGITS} a number may have"
        )
    return None


def xlsx_refusal(data) -> str | None:
    """Why a workbook is refused before it is read (too big unpacked, or a part packed far
    more than spreadsheets are: a zip bomb), or None. ``data`` is the file or its bytes."""
    import io

    source = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    try:
        with zipfile.ZipFile(source) as z:
            parts = z.infolist()
    except (zipfile.BadZipFile, OSError):
        return None  # not a zip at all: the reader says so in its own words
    total = sum(p.file_size for p in parts)
    if total > MAX_XLSX_UNPACKED:
        return (
            f"the workbook unpacks to {total / 2**20:,.0f} MB, more than the "
            f"{MAX_XLSX_UNPACKED / 2**20:,.0f} MB limit"
        )
    for p in parts:
        if (
            p.compress_size
            and p.file_size / p.compress_size > MAX_XLSX_RATIO
            and p.file_size > 2**20
        ):
            return (
                f"the workbook's part {p.filename} unpacks to {p.file_size / p.compress_size:,.0f} "
                f"times its size, far more than a spreadsheet (a compression bomb)"
            )
    return None
