"""Run the benchmarks: ``python -m bench [--sizes S,M,L] [--bolt S,M] [--write]``.

Each size's portfolio is generated first (``python -m loaders generate``, seed 1), then
every step runs in a fresh process (:mod:`bench.steps`) so that its peak memory is its own.
Each figure is printed next to a baseline measured in the same run:

* loading: the bare pandas read + networkx build of the same files (``read``);
* analyses: one pandas group-by over the same flows;
* Bolt: the same server's best case (pre-built rows, one ``UNWIND … MERGE`` per batch);
  the app side's memory also on each larger size's flows over S's donors and projects
  (``generate --structure``), which shows what grows with the flows alone.

``--write`` keeps the tables in ``bench/RESULTS.md`` with the command that produced them.
Nothing here asserts: benchmarks print, tests do not time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.steps import ANALYSES, COLD_RUNS, PAGES
from loaders.generate import SIZES, generate

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SEED = 1
#: The size whose donors, projects and networks the Bolt app side is also measured on
#: with each larger size's flows.
SMALLEST = "S"


def _step(step: str, folder: Path, timeout: float) -> dict:
    """Run one step in its own process; its JSON, or ``{"error": ...}``."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    # A session of its own, so that a step that runs out of time is stopped whole; the Bolt
    # step stops the server it started (in a session of its own) when it gets SIGTERM.
    child = subprocess.Popen(
        [sys.executable, "-m", "bench.steps", step, str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        out, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGTERM)  # the Bolt step stops its server on SIGTERM
        out = ""
        try:
            out, _err = child.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            out, _err = child.communicate()
        # A step that reports as it goes (the Bolt step) keeps the figures it had.
        lines = [x for x in (out or "").strip().splitlines() if x.startswith("{")]
        partial = json.loads(lines[-1]) if lines else {}
        return {**partial, "error": f"did not finish in {timeout:.0f} s"}
    done = subprocess.CompletedProcess(child.args, child.returncode, out, err)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:]
        return {"error": tail[0] if tail else f"exit {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _s(v) -> str:
    if v is None:
        return "—"
    return f"{v:.3f} s" if v < 1 else f"{v:.1f} s"


def _mb(v) -> str:
    return "—" if v is None else f"{v:,.0f} MB"


def _x(a, b) -> str:
    return "—" if a is None or not b else f"{a / b:.1f}×"


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _get(results: dict, size: str, *path):
    v = results.get(size, {})
    for p in path:
        if not isinstance(v, dict):
            return None
        v = v.get(p)
    return v


def _rate(results: dict, size: str, key: str) -> float | None:
    """Rows per second of a Bolt write (``<key>_seconds``; ``<key>_rows`` when it was
    stopped by its time budget, else every row of the batch)."""
    seconds = _get(results, size, "bolt", f"{key}_seconds")
    rows = _get(results, size, "bolt", f"{key}_rows") or _get(results, size, "bolt", "rows")
    return rows / seconds if seconds and rows else None


def _written(results: dict, size: str, key: str) -> str:
    """A Bolt write's time, and how far it got when its time budget ran out."""
    seconds = _get(results, size, "bolt", f"{key}_seconds")
    rows, every = _get(results, size, "bolt", f"{key}_rows"), _get(results, size, "bolt", "rows")
    if seconds is None or rows is None or not every or rows >= every:
        return _s(seconds)
    return f"stopped at {_s(seconds)}: {rows:,} of {every:,} rows, {rows / seconds:,.0f} rows/s"


def _both(results: dict, size: str, name: str) -> str:
    """An analysis on the Bolt store: from a cold start; in sequence."""
    cold = _get(results, size, "bolt", "analyses", name)
    seq = _get(results, size, "bolt", "in_sequence", name)
    return _s(cold) + (f"; {_s(seq)}" if seq is not None else "")


def report(results: dict, sizes: list[str], bolt_sizes: list[str]) -> str:
    """Markdown tables of the figures, with their baselines and ratios."""
    flows = [f"{s} = {SIZES[s]:,} flows" for s in sizes]
    out = []
    rows = []
    for label, step, memory in (
        ("validate + load, in-memory store", "memory", "load_rss_mb"),  # the peak of the load
        ("baseline: pandas read + bare networkx graph", "read", "rss_mb"),
    ):
        cells = []
        for s in sizes:
            secs, mb = _get(results, s, step, "seconds"), _get(results, s, step, memory)
            err = _get(results, s, step, "error")
            cells.append(err or f"{_s(secs)}, {mb:,.0f} MB" if secs is not None else err or "—")
        rows.append([label, *cells])
    rows.append(
        [
            "load ÷ baseline",
            *[
                _x(_get(results, s, "memory", "seconds"), _get(results, s, "read", "seconds"))
                for s in sizes
            ],
        ]
    )
    rows.append(
        [
            "rows loaded per second",
            *[
                f"{SIZES[s] / _get(results, s, 'memory', 'seconds'):,.0f}"
                if _get(results, s, "memory", "seconds")
                else "—"
                for s in sizes
            ],
        ]
    )
    rows.append(
        [
            "peak memory of the load and then every analysis",
            *[_mb(_get(results, s, "memory", "rss_mb")) for s in sizes],
        ]
    )
    out += ["## Loading", "", _table(["step", *flows], rows), ""]

    rows = []
    for name in ANALYSES:
        cells = []
        for s in sizes:
            v = _get(results, s, "memory", "analyses", name)
            g = _get(results, s, "memory", "groupby")
            seq = _get(results, s, "memory", "in_sequence", name)
            cell = f"{_s(v)} ({_x(v, g)})" if v is not None else "—"
            cells.append(cell + (f"; {_s(seq)}" if seq is not None else ""))
        rows.append([name, *cells])
    rows.append(
        ["baseline: pandas group-by", *[_s(_get(results, s, "memory", "groupby")) for s in sizes]]
    )
    out += [
        "## Analyses on the in-memory store (× the group-by baseline)",
        "",
        "Each cell: the analysis from a cold start (nothing kept from the one before, so "
        "each pays for the institute's portfolio and the sums it reads; the quicker of "
        f"{COLD_RUNS} cold starts) and its ratio to the group-by; after the semicolon, the "
        "same analysis run once in this order after the ones above it, using what they "
        "kept, as the app's pages do after a load.",
        "",
        _table(["analysis", *flows], rows),
        "",
    ]

    rows = []
    for page in PAGES:
        rows.append([page, *[_s(_get(results, s, "pages", "pages", page)) for s in sizes]])
    rows.append(
        ["(first load of the store)", *[_s(_get(results, s, "pages", "seconds")) for s in sizes]]
    )
    rows.append(["peak memory", *[_mb(_get(results, s, "pages", "rss_mb")) for s in sizes]])
    out += [
        "## Pages in AppTest (after the store is loaded)",
        "",
        _table(["page", *flows], rows),
        "",
    ]

    if bolt_sizes:
        bflows = [f"{s} = {SIZES[s]:,} flows" for s in bolt_sizes]
        rows = []
        for label, key in (
            ("project load (validate, MERGE nodes, CREATE new ties)", "load"),
            ("server best case: pre-built UNWIND … MERGE, a transaction per batch", "best"),
            ("server best case, all in one transaction", "best_one_tx"),
            ("server best case, one transaction, UNWIND … CREATE", "best_create"),
            ("re-load of unchanged data", "reload"),
        ):
            rows.append([label, *[_written(results, s, key) for s in bolt_sizes]])
        for label, key in (
            ("project ÷ best case (rows/s ratio)", "best"),
            ("project ÷ best case in one transaction", "best_one_tx"),
            ("project ÷ best case with CREATE", "best_create"),
        ):
            rows.append(
                [
                    label,
                    *[_x(_rate(results, s, "load"), _rate(results, s, key)) for s in bolt_sizes],
                ]
            )
        for name in ANALYSES:
            rows.append([name, *[_both(results, s, name) for s in bolt_sizes]])
        rows.append(
            [
                "app-side peak memory (the aggregate analyses, in a process of their own)",
                *[_mb(_get(results, s, "bolt", "reader_rss_mb")) for s in bolt_sizes],
            ]
        )
        rows.append(
            [
                f"the same, these flows over {SMALLEST}'s donors, projects and networks",
                *[
                    _mb(_get(results, s, "bolt_fixed", "reader_rss_mb")) if s != SMALLEST else "—"
                    for s in bolt_sizes
                ],
            ]
        )
        rows.append(
            [
                "the same, after listing every flow (funding_flows)",
                *[_mb(_get(results, s, "bolt", "listing_rss_mb")) for s in bolt_sizes],
            ]
        )
        rows.append(
            [
                "loader's peak memory (validation and load)",
                *[_mb(_get(results, s, "bolt", "rss_mb")) for s in bolt_sizes],
            ]
        )
        errors = [
            f"{s}: {_get(results, s, 'bolt', 'error')}"
            for s in bolt_sizes
            if _get(results, s, "bolt", "error")
        ]
        out += ["## Bolt server (ArcadeDB)", "", _table(["step", *bflows], rows), ""]
        out += [f"error {e}" for e in errors]
    return "\n".join(out)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="S,M,L", help="memory-store sizes (default S,M,L)")
    p.add_argument("--bolt", default="", help="Bolt-server sizes, e.g. S,M (default none)")
    p.add_argument("--pages", default="S,M,L", help="sizes to render the pages at")
    p.add_argument("--timeout", type=float, default=1800, help="seconds per step")
    p.add_argument("--write", action="store_true", help="keep the tables in bench/RESULTS.md")
    args = p.parse_args(argv)
    sizes = [s for s in args.sizes.split(",") if s]
    bolt_sizes = [s for s in args.bolt.split(",") if s]
    page_sizes = {s for s in args.pages.split(",") if s}
    results: dict = {}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        for s in dict.fromkeys(sizes + bolt_sizes):
            folder = Path(tmp) / s
            t0 = time.perf_counter()
            generate(folder, flows=SIZES[s], seed=SEED)
            print(
                f"{s}: generated {SIZES[s]:,} flows in {time.perf_counter() - t0:.1f} s", flush=True
            )
            steps = ["read", "memory"] if s in sizes else []
            steps += ["pages"] if s in sizes and s in page_sizes else []
            steps += ["bolt"] if s in bolt_sizes else []
            for step in steps:
                results.setdefault(s, {})[step] = r = _step(step, folder, args.timeout)
                print(f"{s} {step}: {json.dumps(r)}", flush=True)
            if s in bolt_sizes and SIZES[s] > SIZES[SMALLEST]:
                # the same flows over the smallest size's donors, projects and networks:
                # what grows on the app side with the flows alone
                fixed = Path(tmp) / f"{s}-over-{SMALLEST}"
                generate(fixed, flows=SIZES[s], seed=SEED, structure=SIZES[SMALLEST])
                r = _step("bolt_reader", fixed, args.timeout)
                results[s]["bolt_fixed"] = r
                print(f"{s} over {SMALLEST}'s structure, bolt_reader: {json.dumps(r)}", flush=True)
    text = report(results, sizes, bolt_sizes)
    print()
    print(text)
    if args.write:
        command = "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:])
        head = [
            "# Benchmark results",
            "",
            f"Command: `{command.strip()}` (seed {SEED}), {time.perf_counter() - started:.0f} s in all.",
            f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}.",
            "Each step ran in a fresh process; memory is that process's peak resident set.",
            "",
            "",
        ]
        (HERE / "RESULTS.md").write_text("\n".join(head) + text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
