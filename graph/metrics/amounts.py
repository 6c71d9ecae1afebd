"""Donor totals as the formulas take them: checked once, with errors that name the donor.

Every formula of :mod:`graph.metrics` takes donor totals first: a dict ``donor -> amount``,
a pandas Series indexed by donor, or a plain sequence (donors are then known by position).
Amounts must be numbers >= 0; :class:`~graph.errors.AnalysisError` names the one that is not,
:class:`~graph.errors.EmptySelection` says when nothing is given or the amounts sum to 0.

Examples
--------
>>> as_amounts({"A": 500, "B": 0}).tolist()
[500.0, 0.0]
>>> positive_values([3, 0, 2]).tolist()
[3.0, 2.0]
>>> check_number(-1, "amount of pool 0")
Traceback (most recent call last):
...
graph.errors.AnalysisError: amount of pool 0 is negative (-1); it must be >= 0
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from graph.errors import AnalysisError, EmptySelection

__all__ = ["Amounts", "as_amounts", "check_number", "plain_values", "positive", "positive_values"]

Amounts: TypeAlias = Mapping[Hashable, float] | pd.Series | Sequence[float] | np.ndarray


def check_number(v: Any, name: str) -> float:
    """``v`` as a finite float >= 0, or AnalysisError naming it (``name`` starts the text)."""
    if isinstance(v, (bool, np.bool_, str, bytes)):
        raise AnalysisError(f"{name} is {v!r}; it must be a number >= 0")
    try:
        x = float(v)
    except (TypeError, ValueError) as e:
        raise AnalysisError(f"{name} is {v!r}; it must be a number >= 0") from e
    if math.isnan(x):
        raise AnalysisError(f"{name} is NaN; it must be a number >= 0")
    if math.isinf(x):
        raise AnalysisError(f"{name} is infinite; it must be a finite number >= 0")
    if x < 0:
        raise AnalysisError(f"{name} is negative ({x:g}); it must be >= 0")
    return x


#: Types whose values :func:`as_amounts` checks as one array (booleans are refused one by one).
_PLAIN_NUMBERS = {int, float, np.float64, np.int64, np.float32, np.int32}


def plain_values(raw: list) -> np.ndarray | None:
    """``raw`` as one float array when every value is a plain finite number >= 0; else None
    (and the caller checks them one by one, to say which and why)."""
    if not set(map(type, raw)) <= _PLAIN_NUMBERS:
        return None
    values = np.array(raw, dtype=float)
    return values if np.isfinite(values).all() and (values >= 0).all() else None


def _checked_already(amounts: Any) -> bool:
    """A float Series of finite, non-negative amounts with distinct labels (what
    :func:`as_amounts` returns): nothing to check value by value."""
    if not isinstance(amounts, pd.Series) or amounts.dtype != np.float64 or not len(amounts):
        return False
    values = amounts.to_numpy()
    return bool(np.isfinite(values).all() and (values >= 0).all() and amounts.index.is_unique)


def _labelled(amounts: Any, what: str) -> tuple[list, list, bool]:
    """Labels, raw values and whether the labels are positions (a plain sequence)."""
    if amounts is None:
        return [], [], False
    if isinstance(amounts, (str, bytes)):
        raise AnalysisError(f"{what}s must be numbers, not the text {amounts!r}")
    if isinstance(amounts, pd.Series):
        return amounts.index.tolist(), amounts.to_numpy().tolist(), False
    if isinstance(amounts, Mapping):
        return list(amounts.keys()), list(amounts.values()), False
    if isinstance(amounts, Iterable):
        raw = list(amounts)
        return list(range(len(raw))), raw, True
    raise AnalysisError(
        f"{what}s must be a dict, a pandas Series or a sequence of numbers, "
        f"not {type(amounts).__name__}"
    )


def as_amounts(
    amounts: Any, *, what: str = "amount", of: str = "donor", allow_empty: bool = False
) -> pd.Series:
    """Validated amounts as a float Series; labels kept, zeros kept.

    ``what`` and ``of`` only shape the error messages ("amount for donor 'A' ...").
    """
    if _checked_already(amounts):
        return pd.Series(amounts.to_numpy(), index=amounts.index, dtype=float)
    labels, raw, positional = _labelled(amounts, what)
    if not raw:
        if allow_empty:
            return pd.Series([], dtype=float)
        raise EmptySelection(f"no {what}s given; there is nothing to compute over")

    def where(label: Hashable) -> str:
        return f"at position {label}" if positional else f"for {of} {label!r}"

    values = plain_values(raw)
    if values is None:
        values = np.array(
            [
                check_number(v, f"{what} {where(label)}")
                for label, v in zip(labels, raw, strict=True)
            ],
            dtype=float,
        )
    index = pd.Index(labels, tupleize_cols=False)
    if index.has_duplicates:
        dup = index[index.duplicated()][0]
        raise AnalysisError(f"{of} {dup!r} is listed more than once; add its {what}s up first")
    return pd.Series(values, index=index, dtype=float)


def positive(amounts: Any) -> pd.Series:
    """Validated amounts with the zeros dropped; EmptySelection if they sum to 0."""
    s = as_amounts(amounts)
    s = s[s > 0]
    if s.empty:
        raise EmptySelection(
            "the donor amounts sum to 0; shares (and every measure built on them) are undefined"
        )
    return s


def positive_values(amounts: Any) -> np.ndarray:
    """The positive amounts as one array, checked as :func:`positive` checks them; a dict
    of plain numbers (the allocations of a pooled range) without labelling them again."""
    if isinstance(amounts, Mapping) and amounts:
        values = plain_values(list(amounts.values()))
        if values is not None and (values > 0).any():
            return values[values > 0]
    return positive(amounts).to_numpy()
