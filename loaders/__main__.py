"""Command line: ``python -m loaders validate PATH`` and ``python -m loaders load PATH``.

Exit codes: 0 success, 1 the input has problems (every one is printed; nothing written),
2 the store could not be reached or refused the request.
"""

from __future__ import annotations

import argparse
import sys

from graph.errors import StoreError, ValidationFailed
from graph.store.settings import SETTINGS, Neo4jSettings
from loaders.aliases import AliasTable
from loaders.currency import RateTable, format_notices, notices
from loaders.load import load_rows
from loaders.progress import LoadProgress
from loaders.readers import iter_path, read_path
from loaders.records import format_report
from loaders.stream_check import check_stream

EPILOG = """\
examples:
  python -m loaders validate data/
  python -m loaders load data/                      # uses NEO4J_URI, NEO4J_USER, ...
  python -m loaders load partners.xlsx --uri bolt://localhost:7687 --user neo4j \\
      --password secret --database neo4j
  python -m loaders load activities.xml --rates my_rates.csv   # IATI, 360Giving too

settings (environment variables; flags win):
""" + "\n".join(
    f"  {name:<16} {doc}" + (f" (default: {default})" if default else " (no default)")
    for name, default, doc in SETTINGS
)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m loaders",
        description="Check record files (CSV, XLSX, JSON) and load them into the graph store.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="{validate,load,generate}")
    v = sub.add_parser(
        "validate",
        help="check a folder or file and print every problem",
        description="Check a folder or file of records; print every problem; write nothing.",
        epilog="example:\n  python -m loaders validate data/",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    v.add_argument("path", help="folder of record files, or one file")
    v.add_argument("--rates", help=RATES_HELP)
    v.add_argument("--strict", action="store_true", help=STRICT_HELP)
    v.add_argument("--aliases", help=ALIASES_HELP)
    ld = sub.add_parser(
        "load",
        help="validate, then load into Neo4j (constraints first)",
        description="Validate a folder or file; if it is clean, load it into Neo4j. "
        "Re-running the same load changes nothing.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ld.add_argument("path", help="folder of record files, or one file")
    ld.add_argument("--uri", help="Bolt URI (else NEO4J_URI)")
    ld.add_argument("--user", help="user name (else NEO4J_USER, default neo4j)")
    ld.add_argument("--password", help="password (else NEO4J_PASSWORD)")
    ld.add_argument("--database", help="database (else NEO4J_DATABASE, default neo4j)")
    ld.add_argument("--timeout", type=float, help="seconds to wait for the server (default 5)")
    ld.add_argument("--rates", help=RATES_HELP)
    ld.add_argument("--strict", action="store_true", help=STRICT_HELP)
    ld.add_argument("--aliases", help=ALIASES_HELP)
    gen = sub.add_parser(
        "generate",
        help="write a synthetic portfolio (for benchmarks and scale tests)",
        description="Write a synthetic portfolio in the record format: donors with skewed "
        "sizes, projects, networks, events and N funding flows. The same N and seed give the "
        "same files. Every record says it is synthetic.",
        epilog="example:\n  python -m loaders generate --flows 100000 --seed 1 /tmp/portfolio-m",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    gen.add_argument("out", help="folder to write the record files into")
    gen.add_argument("--flows", type=int, required=True, help="number of funding flows")
    gen.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    return p


ALIASES_HELP = (
    "CSV (alias, org_id, source) naming organisations of published files that are ones you "
    "already have, e.g. XM-DAC-41304,unesco; added to data/reference/aliases.csv"
)

STRICT_HELP = (
    "refuse in IATI and 360Giving files what their standard allows but your own records may "
    "not (negative values, partial percentages, free-text or placeholder dates, flows with no "
    "recipient, grants to individuals) instead of loading them with notices"
)

RATES_HELP = (
    "CSV of annual exchange rates (currency, year, usd_per_unit, source) put on top of the "
    "ECB reference rates for IATI and 360Giving amounts (see data/reference/README.md)"
)


def _aliases(args) -> AliasTable:
    """The bundled alias table, with the user's file on top."""
    table = AliasTable.bundled()
    return table.overlay(AliasTable.load(args.aliases)) if args.aliases else table


def _rates(args) -> RateTable:
    rates = RateTable.bundled()
    return rates.overlay(RateTable.load(args.rates)) if args.rates else rates


def _read(args):
    """Rows and read problems of ``args.path``, with the rates asked for."""
    return read_path(args.path, rates=_rates(args), strict=args.strict)


def _stream(args):
    """The rows of ``args.path`` as they are read (for a check in bounded memory)."""
    return iter_path(args.path, rates=_rates(args), strict=args.strict)


def _settings(args) -> Neo4jSettings | None:
    import os

    merged = {k: v for k, v in os.environ.items() if k.startswith("NEO4J_")}
    for name in ("uri", "user", "password", "database", "timeout"):
        value = getattr(args, name)
        if value is not None:
            merged[f"NEO4J_{name.upper()}"] = value
    return Neo4jSettings.from_mapping(merged)


def _counts_line(records) -> str:
    parts = [f"{n} {k}" for k, n in records.counts().items()]
    return ", ".join(parts) if parts else "no records"


def main(argv=None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    if args.command == "generate":
        from loaders.generate import generate

        sizes = generate(args.out, flows=args.flows, seed=args.seed)
        print(f"Wrote {args.out}: {', '.join(f'{n} {k}' for k, n in sizes.items())}.")
        return 0
    if args.command == "validate":
        try:
            report = check_stream(_stream(args), aliases=_aliases(args))
        except ValidationFailed as e:
            print(
                format_report(e.problems).replace("nothing was written", "fix them and run again")
            )
            return 1
        if report.problems:
            print(
                format_report(report.all_problems).replace(
                    "nothing was written", "fix them and run again"
                )
            )
            return 1
        parts = [f"{n} {k}" for k, n in report.counts.items()]
        print(f"OK: {', '.join(parts) if parts else 'no records'}.")
        if notes := format_notices(report.notices):
            print(notes)
        if report.more_notices:
            print(f"… and {report.more_notices:,} more notices, not listed.")
        return 0

    settings = _settings(args)
    if settings is None:
        print(
            "error: no Neo4j server given. Set NEO4J_URI (and NEO4J_USER, NEO4J_PASSWORD, "
            "NEO4J_DATABASE) or pass --uri. Without a server the app loads data/ in memory.",
            file=sys.stderr,
        )
        return 2
    from graph.store.neo4j import Neo4jStore

    try:
        with Neo4jStore(settings) as store:
            unfinished = store.incomplete_loads()
            if len(unfinished):
                print(
                    f"note: {len(unfinished)} earlier load(s) did not finish "
                    f"({', '.join(unfinished['source'].astype(str))}); loading again completes them."
                )
            rows, read_problems = _read(args)
            report = load_rows(
                rows,
                read_problems,
                store,
                source=str(args.path),
                aliases=_aliases(args),
                progress=LoadProgress(sys.stderr),
            )
            print(f"Loaded {args.path} into {store.describe()} (load {report.load_id}).")
            print(report.summary())
            if notes := format_notices(notices(rows)):
                print(notes)
    except ValidationFailed as e:
        print(format_report(e.problems))
        return 1
    except StoreError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
