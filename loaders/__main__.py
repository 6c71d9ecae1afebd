"""Command line: ``python -m loaders validate PATH``, ``load PATH``, ``retract``,
``history`` and ``generate``.

Exit codes: 0 success, 1 the input has problems (every one is printed; nothing written),
2 the store could not be reached or refused the request, 3 other loads kept writing the
same records and this one could not get through (run it again).
"""

from __future__ import annotations

import argparse
import sys

from graph.errors import ConcurrentWrite, StoreError, ValidationFailed
from graph.store.settings import SETTINGS, Neo4jSettings
from graph.store.writing import close_stale
from loaders.aliases import AliasTable
from loaders.currency import RateTable, format_notices, notices
from loaders.load import external_source, load_rows
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
  python -m loaders load partners.csv --source partners --sync --diff
  python -m loaders retract --source partners       # take a source's records out again
  python -m loaders history                         # every load, and the unfinished ones

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
    sub = p.add_subparsers(
        dest="command", required=True, metavar="{validate,load,retract,history,generate}"
    )
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
        "Records this source loaded before are updated where the files changed them; "
        "re-running the same load changes nothing.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ld.add_argument("path", help="folder of record files, or one file")
    _server_args(ld)
    ld.add_argument("--source", help=SOURCE_HELP)
    ld.add_argument("--sync", action="store_true", help=SYNC_HELP)
    ld.add_argument("--replace", action="store_true", help=REPLACE_HELP)
    ld.add_argument(
        "--external",
        action="store_true",
        help="the files are published data about other funders (IATI, 360Giving): their "
        "projects and flows are kept for prospecting and never counted in the institute's "
        "figures; the source is named external:…",
    )
    ld.add_argument(
        "--diff", action="store_true", help="list every value changed and every conflict"
    )
    ld.add_argument("--rates", help=RATES_HELP)
    ld.add_argument("--strict", action="store_true", help=STRICT_HELP)
    ld.add_argument("--aliases", help=ALIASES_HELP)
    rt = sub.add_parser(
        "retract",
        help="remove a source's records, or records by id",
        description="Remove every record a source loaded (records other sources loaded too "
        "only lose its name), or the records with the ids given (a node with all its ties). "
        "Recorded in the load history.",
        epilog="examples:\n  python -m loaders retract --source partners.csv\n"
        "  python -m loaders retract --id f17 --id f18",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    what = rt.add_mutually_exclusive_group(required=True)
    what.add_argument("--source", help="the source, as the load history names it")
    what.add_argument("--id", action="append", help="a record id (repeat for more)")
    _server_args(rt)
    hs = sub.add_parser(
        "history",
        help="list the loads of the store",
        description="List every load of the store: source, status, when, what it did. A load "
        "'started' and never finished died part-way; the next complete load of the same "
        "source closes it, or --close closes them all.",
        epilog="example:\n  python -m loaders history --close",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    hs.add_argument("--close", action="store_true", help="mark unfinished loads as closed")
    _server_args(hs)
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
    gen.add_argument(
        "--structure",
        type=int,
        metavar="N",
        help="size donors, projects, networks and events as for N flows (default: --flows)",
    )
    return p


def _server_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--uri", help="Bolt URI (else NEO4J_URI)")
    p.add_argument("--user", help="user name (else NEO4J_USER, default neo4j)")
    p.add_argument("--password", help="password (else NEO4J_PASSWORD)")
    p.add_argument("--database", help="database (else NEO4J_DATABASE, default neo4j)")
    p.add_argument("--timeout", type=float, help="seconds to wait for the server (default 5)")


SOURCE_HELP = (
    "the name this load's records remember as their source (default: the path as given); "
    "give the same name each time you load a new version of the same records"
)

SYNC_HELP = (
    "remove the records this source loaded before that the files no longer hold (a record "
    "another source also loaded only loses this source's name; a node other records still "
    "tie to is kept)"
)

REPLACE_HELP = (
    "overwrite records that another source loaded with other values (by default they are "
    "kept as they were and reported)"
)

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

        sizes = generate(args.out, flows=args.flows, seed=args.seed, structure=args.structure)
        print(f"Wrote {args.out}: {', '.join(f'{n} {k}' for k, n in sizes.items())}.")
        return 0
    if args.command == "validate":
        return _validate(args)
    settings = _settings(args)
    if settings is None:
        print(
            "error: no Neo4j server given. Set NEO4J_URI (and NEO4J_USER, NEO4J_PASSWORD, "
            "NEO4J_DATABASE) or pass --uri. Without a server the app loads data/ in memory.",
            file=sys.stderr,
        )
        return 2
    from graph.store.neo4j import Neo4jStore

    command = {"load": _load, "retract": _retract, "history": _history}[args.command]
    try:
        with Neo4jStore(settings) as store:
            return command(args, store)
    except ValidationFailed as e:
        print(format_report(e.problems))
        return 1
    except ConcurrentWrite as e:
        print(f"error: {e}", file=sys.stderr)
        return 3
    except StoreError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


def _validate(args) -> int:
    try:
        report = check_stream(_stream(args), aliases=_aliases(args))
    except ValidationFailed as e:
        print(format_report(e.problems).replace("nothing was written", "fix them and run again"))
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


def _load(args, store) -> int:
    source = args.source or str(args.path)
    if args.external:
        source = external_source(source)
    unfinished = store.incomplete_loads()
    if len(unfinished):
        print(
            f"note: {len(unfinished)} earlier load(s) did not finish "
            f"({', '.join(unfinished['source'].astype(str))}); a complete load of the same "
            "source closes them (python -m loaders history lists them)."
        )
    rows, read_problems = _read(args)
    report = load_rows(
        rows,
        read_problems,
        store,
        source=source,
        aliases=_aliases(args),
        progress=LoadProgress(sys.stderr),
        sync=args.sync,
        replace=args.replace,
        external=args.external,
    )
    print(
        f"Loaded {args.path} into {store.describe()} as source '{source}' (load {report.load_id})."
    )
    print(report.summary())
    if args.diff:
        print(report.diff())
    if notes := format_notices(notices(rows)):
        print(notes)
    return 0


def _retract(args, store) -> int:
    report = store.retract(source=args.source, ids=args.id or ())
    gone = sum(report.removed.values())
    what = f"source '{args.source}'" if args.source else f"{len(args.id)} id(s)"
    print(f"Retracted {what} from {store.describe()}: removed {gone:,} record(s).")
    for k, n in sorted(report.removed.items()):
        print(f"  {k}: {n:,} removed")
    if report.kept:
        print(
            f"Kept {sum(report.kept.values()):,} node(s) that records of other sources still "
            "tie to (retract those sources too, or their ids, to remove them)."
        )
    return 0


def _history(args, store) -> int:
    if args.close:
        h = store.load_history()
        sources = set(h.loc[h["status"] == "started", "source"]) if len(h) else set()
        closed = [x for s in sorted(sources, key=str) for x in close_stale(store, s)]
        print(f"Closed {len(closed)} unfinished load(s).")
    from graph.reports.loads import load_history

    table = load_history(store)
    shown = table.astype(object).where(table.notna(), "")
    print(shown.to_string(index=False) if len(table) else "No loads yet.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
