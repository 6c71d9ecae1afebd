"""Pure formulas on numbers: no store, no flows, no pandas frames of records.

:mod:`.concentration` (shares, HHI and its bands, CR_k, Gini, Shannon, evenness, effective
numbers, merger delta), :mod:`.pooled` (the low-high range pooled money leaves open) and
:mod:`.balance` (normalised entropy, distance to target shares, even and stated splits).

Examples
--------
>>> hhi({"A": 500, "B": 250, "C": 150, "D": 100})
3450.0
>>> round(normalized_entropy([1, 1, 1]), 3)
1.0
"""

from graph.metrics.balance import (
    balance_score,
    normalized_entropy,
    split_by_shares,
    split_evenly,
    target_shares_check,
)
from graph.metrics.concentration import (
    METRICS,
    HHIBand,
    Summary,
    concentration_ratio,
    concentration_summary,
    effective_number,
    evenness,
    gini,
    hhi,
    hhi_band,
    lorenz_curve,
    merger_delta,
    shannon,
    shares,
)
from graph.metrics.pooled import POOLED_NOTE, PooledRange, low_high, pooled_range

__all__ = [
    "METRICS",
    "POOLED_NOTE",
    "HHIBand",
    "PooledRange",
    "Summary",
    "balance_score",
    "concentration_ratio",
    "concentration_summary",
    "effective_number",
    "evenness",
    "gini",
    "hhi",
    "hhi_band",
    "lorenz_curve",
    "low_high",
    "merger_delta",
    "normalized_entropy",
    "pooled_range",
    "shannon",
    "shares",
    "split_by_shares",
    "split_evenly",
    "target_shares_check",
]
