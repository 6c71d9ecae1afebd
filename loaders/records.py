"""Where a value came from, and what is wrong with it.

A :class:`Location` names the file and the line (CSV), the sheet and row (XLSX) or the item
(JSON) of a record. A :class:`Problem` adds the column, the value and a hint how to fix it.
Loaders collect *every* problem before they give up, so a user fixes a file in one pass.

Examples
--------
>>> loc = Location("organizations.csv", line=12)
>>> p = Problem(loc, "country", "XKX", "unknown ISO 3166-1 alpha-3 country code",
...             "use a code such as KAZ or RUS")
>>> print(p)
organizations.csv, line 12, column 'country', value 'XKX': unknown ISO 3166-1 alpha-3 country code. Fix: use a code such as KAZ or RUS
>>> print(format_report([p]))
1 problem found; nothing was written.
  organizations.csv, line 12, column 'country', value 'XKX': unknown ISO 3166-1 alpha-3 country code. Fix: use a code such as KAZ or RUS
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Location", "Problem", "format_report"]


@dataclass(frozen=True, order=True)
class Location:
    """Where a record sits in its file.

    Parameters
    ----------
    file : str
        File name as the user gave it.
    line : int, optional
        1-based line of a CSV file where the record starts (the header is line 1).
    sheet : str, optional
        Worksheet of an XLSX workbook; ``line`` is then the row number.
    item : str, optional
        For JSON and XML: a path such as ``organizations[3]`` or an activity identifier.
    """

    file: str
    line: int | None = None
    sheet: str | None = None
    item: str | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.sheet is not None:
            parts.append(f"sheet '{self.sheet}'")
            if self.line is not None:
                parts.append(f"row {self.line}")
        elif self.line is not None:
            parts.append(f"line {self.line}")
        if self.item is not None:
            parts.append(self.item)
        return ", ".join(parts)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one value.

    Parameters
    ----------
    location : Location
        Where the record is.
    column : str or None
        The column (or element/attribute) at fault; None for a whole-file problem.
    value : object
        The offending value as read (None when the value is missing).
    message : str
        What is wrong.
    hint : str
        What to do about it.
    """

    location: Location
    column: str | None
    value: object
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = str(self.location)
        if self.column is not None:
            where += f", column '{self.column}'"
        if self.value is not None and self.value != "":
            shown = str(self.value)
            if len(shown) > 80:
                shown = shown[:77] + "..."
            where += f", value {shown!r}"
        text = f"{where}: {self.message}"
        if self.hint:
            text += f". Fix: {self.hint}"
        return text

    def as_dict(self) -> dict:
        """Plain data for tables and JSON output."""
        loc = self.location
        return {
            "file": loc.file,
            "sheet": loc.sheet,
            "line": loc.line,
            "item": loc.item,
            "column": self.column,
            "value": None if self.value is None else str(self.value),
            "problem": self.message,
            "fix": self.hint,
        }


def format_report(problems) -> str:
    """Every problem, one a line, under a count.

    Parameters
    ----------
    problems : iterable of Problem

    Returns
    -------
    str
    """
    problems = list(problems)
    if not problems:
        return "No problems found."
    n = len(problems)
    head = f"{n} problem{'s' if n != 1 else ''} found; nothing was written."
    return "\n".join([head, *(f"  {p}" for p in problems)])
