"""One benchmark step, run in a process of its own so that its peak memory is its own.

``python -m bench.steps STEP DIR`` prints one JSON object: ``seconds`` (or one figure per
analysis), ``rss_mb`` (the process's peak resident memory) and what the step counted.

Steps
-----
``read``
    Baseline: read every CSV of ``DIR`` with pandas and build a bare networkx graph of the
    organizations and their funding flows (no validation, no store).
``memory``
    Validate and load ``DIR`` into the in-memory store, then time each analysis on it, and
    the baseline: one pandas group-by over the same flows.
``pages``
    Render every page of the app in Streamlit's AppTest on ``DIR`` (after the store is
    loaded once).
``bolt``
    Load ``DIR`` into a fresh ArcadeDB over Bolt with the project's loader, the server's best
    case (pre-built rows, one ``UNWIND … MERGE`` per batch, no validation) and time the
    analyses on the Bolt store in a process of their own (``reader_rss_mb``: the app
    side's memory; ``rss_mb``: the loader's).
``bolt_reader``
    Only the app side of ``bolt``: load ``DIR`` into a fresh server and time the analyses
    in a process of their own, with its peak memory (the bench gives it M's flows over S's
    donors and projects).
"""

from __future__ import annotations

import gc
import json
import resource
import sys
import time
from pathlib import Path

import networkx as nx
import pandas as pd

#: Cold starts timed per analysis; the figure is the quickest (this 2-core machine varies
#: by about a third between runs of the same work).
COLD_RUNS = 2

#: The analyses timed on each store: name → function of the store.
ANALYSES = (
    "funding_flows",
    "coverage",
    "donor_totals",
    "concentration_by_year",
    "concentration_by_channel",
    "concentration_by_sector",
    "donor_diversity",
    "funding_cliff",
    "donor_concentration",
    "donors_ending",
    "regional_balance",
    "donor_exit",
    "centrality",
)


def rss_mb() -> float:
    """Peak resident memory of this process so far, in MB: Linux's high-water mark of
    this program (``VmHWM``; ``ru_maxrss`` would also count the process it was started
    from, whose memory a child shares until it runs a program of its own)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn) -> tuple[object, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def read_baseline(folder: Path) -> dict:
    """Read the CSVs with pandas and build a bare graph: the floor under any loader."""

    def run():
        tables = {p.stem: pd.read_csv(p, dtype=str) for p in sorted(folder.glob("*.csv"))}
        g = nx.MultiDiGraph()
        g.add_nodes_from(tables["organizations"]["org_id"])
        flows = tables["funding"]
        g.add_edges_from(zip(flows["donor_id"], flows["recipient_id"], strict=True))
        return g.number_of_edges()

    edges, seconds = timed(run)
    return {"seconds": seconds, "edges": edges}


def groupby_baseline(folder: Path) -> float:
    """Seconds of one pandas group-by (donor × year sum of USD) over the flows: the best of
    three, on a table already in memory."""
    flows = pd.read_csv(folder / "funding.csv", usecols=["donor_id", "year", "amount_usd"])
    best = float("inf")
    for _ in range(3):
        _, s = timed(lambda: flows.groupby(["donor_id", "year"])["amount_usd"].sum())
        best = min(best, s)
    return best


def analyses(store, *, cold: bool = True, names=ANALYSES) -> dict[str, float]:
    """Seconds of each analysis in :data:`ANALYSES` on ``store`` (defaults as the app
    calls them). ``cold``: each from a cold start (nothing kept from the analysis
    before); else one after the other in that order, each using what the ones before it
    kept (the institute's portfolio, the sums by key), as the app's pages do after a load.
    ``names``: which of them, in that order."""
    from graph import analyses as a
    from graph.analyses.institute import recipient_of

    recipient = recipient_of(store)
    totals = a.donor_totals(store, recipient=recipient)
    largest = str(totals.iloc[0]["donor_id"]) if len(totals) else None
    calls = {
        "funding_flows": lambda: store.funding_flows(),
        "coverage": lambda: a.coverage(store, recipient=recipient),
        "donor_totals": lambda: a.donor_totals(store, recipient=recipient),
        "concentration_by_year": lambda: a.concentration_by(store, "year", recipient=recipient),
        "concentration_by_channel": lambda: a.concentration_by(
            store, "channel", recipient=recipient
        ),
        "concentration_by_sector": lambda: a.concentration_by(
            store, "donor_sector", recipient=recipient
        ),
        "donor_diversity": lambda: a.donor_diversity(store, recipient=recipient),
        "funding_cliff": lambda: a.funding_cliff(store),
        "donor_concentration": lambda: a.donor_concentration(store, recipient=recipient),
        "donors_ending": lambda: a.donors_ending(store, by="2026-12-31"),
        "regional_balance": lambda: a.regional_balance(store),
        "donor_exit": lambda: a.donor_exit(store, [largest], recipient=recipient),
        "centrality": lambda: a.centrality(store),
    }
    out = {}
    forget = getattr(store, "forget_reads", lambda: None)
    forget()
    for name in names:
        if not cold:
            _, out[name] = timed(calls[name])
            continue
        runs = []
        for _ in range(COLD_RUNS):
            # each figure from a cold start: nothing kept from the analysis before, not even
            # its garbage (a load ends the same way: collected once), so one analysis does
            # not pay the collector's walk over the objects the one before it left
            forget()
            gc.collect()
            runs.append(timed(calls[name])[1])
        out[name] = min(runs)
    return out


def memory(folder: Path) -> dict:
    from loaders.load import load_memory

    store, seconds = timed(lambda: load_memory(folder))
    loaded_rss = rss_mb()
    return {
        "seconds": seconds,
        "load_rss_mb": loaded_rss,
        "flows": store.counts()["relationships"].get("FUNDS", 0),
        "analyses": analyses(store),
        "in_sequence": analyses(store, cold=False),
        "groupby": groupby_baseline(folder),
    }


#: The app's pages, as AppTest switches to them.
PAGES = (
    "views/overview.py",
    "views/concentration.py",
    "views/regional.py",
    "views/network.py",
    "views/scenarios.py",
    "views/collaborations.py",
    "views/strategy.py",
    "views/prospects.py",
    "views/data.py",
)


def pages(folder: Path) -> dict:
    import os

    from streamlit.testing.v1 import AppTest

    os.environ["EXPLORER_DATA_DIR"] = str(folder)
    app = str(Path(__file__).resolve().parent.parent / "app.py")

    def render(page: str):
        at = AppTest.from_file(app, default_timeout=1800)
        at.switch_page(page)
        at.run()
        if at.exception:
            raise RuntimeError(f"{page}: {at.exception[0].message}")

    _, load_seconds = timed(lambda: render("views/data.py"))  # loads the store once
    out = {}
    for page in PAGES:
        _, out[page] = timed(lambda page=page: render(page))
    return {"seconds": load_seconds, "pages": out}


STEPS = {"read": read_baseline, "memory": memory, "pages": pages}


def main(argv: list[str]) -> int:
    step, folder = argv[0], Path(argv[1])
    if step == "bolt":
        from bench.bolt import bolt

        result = bolt(folder, report=lambda figures: print(json.dumps(figures), flush=True))
    elif step == "bolt_reader":
        from bench.bolt import reader_alone

        result = reader_alone(folder)
    else:
        result = STEPS[step](folder)
    result["rss_mb"] = rss_mb()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
