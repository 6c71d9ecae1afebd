"""Command line: ``python -m graph report`` prints the board's headline findings;
``python -m graph check`` checks the board limits now and in the projection.

Usage::

    python -m graph report [--data FOLDER] [--neo4j] [--as-of YYYY-MM-DD] [--scheme focus]
                           [--recipient ID] [--network]
    python -m graph check [--data FOLDER] [--neo4j] [--limits FILE] [--period 2026-2029]
    python -m graph prospects [--data FOLDER] [--neo4j] [--external FILE ...] [--top N]

``prospects`` lists the funders of published data (loaded as external, or the files given
with ``--external``) who fund the institute's themes in its focus regions and are not yet
its donors. ``check`` exits 1 when a limit is breached now (for a scheduled job), 0 otherwise, and 2
when the limits file cannot be read or makes no sense.

Without ``--neo4j`` the records of ``--data`` (default: the bundled ``data/``) are loaded
into the in-memory store; with it, the Neo4j store named by ``NEO4J_URI`` is read. An
unknown scheme, recipient or a date not written YYYY-MM-DD is an error (exit status 2 for
a wrong option, 1 for what the data does not have).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from graph.errors import ExplorerError, SettingsError
from graph.schema import REGION_SCHEMES
from graph.text import plural

__all__ = ["main"]

DESCRIPTION = (
    "Print the headline findings for the board, or check the board limits, from the bundled "
    "data or a Neo4j store."
)


def _period(text: str) -> tuple[int, int]:
    a, _, b = text.partition("-")
    try:
        first, last = int(a), int(b or a)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a period; write it as YYYY-YYYY, e.g. 2026-2029"
        ) from None
    if first > last:
        raise argparse.ArgumentTypeError(f"{text!r}: the first year comes after the last")
    return first, last


def _source_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", default=None, help="folder of record files (default: data/)")
    p.add_argument("--neo4j", action="store_true", help="read the Neo4j store of NEO4J_URI")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date; write it as YYYY-MM-DD, e.g. 2025-08-15"
        ) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m graph", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True)
    rep = sub.add_parser("report", help="print the headline findings for the board")
    _source_args(rep)
    rep.add_argument(
        "--as-of",
        default=None,
        type=_date,
        metavar="YYYY-MM-DD",
        help="date the funding cliff counts from (default: 1 January of the latest year)",
    )
    rep.add_argument(
        "--scheme",
        default="focus",
        choices=REGION_SCHEMES,
        help="region scheme of the regional balance (default: focus)",
    )
    rep.add_argument(
        "--recipient",
        default=None,
        metavar="ID",
        help="the institute's organization id (default: the one receiving the most flows)",
    )
    rep.add_argument(
        "--network",
        action="store_true",
        help="count the wider network in the regional balance and the funding cliff, "
        "not only the institute's own portfolio",
    )
    chk = sub.add_parser(
        "check",
        help="check the board limits now and in the projection; exit 1 when one is breached",
        description="Check the board limits (data/reference/limits.toml) now and in the "
        "projection for the planning period, with the store's prospects and renewals. Exit "
        "status 1 when a limit is breached now, 0 otherwise.",
    )
    _source_args(chk)
    chk.add_argument("--limits", default=None, metavar="FILE", help="limits file (TOML)")
    chk.add_argument(
        "--period",
        default=None,
        type=_period,
        metavar="YYYY-YYYY",
        help="planning period of the projection (default: 2026-2029, the strategy period)",
    )
    pro = sub.add_parser(
        "prospects",
        help="funders of the institute's themes in published data, not yet its donors",
        description="Funders in published IATI and 360Giving data (loaded as external) "
        "who fund the institute's themes (data/reference/prospecting.toml) in its focus "
        "regions and are not yet its donors, most money there first.",
    )
    _source_args(pro)
    pro.add_argument(
        "--external",
        nargs="*",
        default=[],
        metavar="FILE",
        help="published files to load as external first (into the in-memory store only)",
    )
    pro.add_argument("--top", type=int, default=20, help="how many to list (default 20)")
    return parser


def _prospects(store, args) -> int:
    """Print the prospects and what was counted."""
    from graph.analyses.prospecting import prospects, read_prospecting
    from graph.text import num, usd
    from loaders.load import load, prospecting_file

    if args.external and args.neo4j:
        print(
            "error: --external loads into the in-memory store; use python -m loaders "
            "load FILE --external for a server",
            file=sys.stderr,
        )
        return 2
    for path in args.external:
        load(path, store, external=True)
    found = prospects(store, read_prospecting(prospecting_file()))
    c = found.counted
    if not c["external_flows"]:
        print(
            "No published data is loaded as external: give files with --external, or load "
            "them with python -m loaders load FILE --external."
        )
        return 0
    print(
        f"{len(found.table)} funder(s) in published data fund the institute's themes in its "
        f"focus regions and are not its donors ({num(c['in_focus'])} of "
        f"{num(c['themed'])} themed commitments and grants serve a focus region; "
        f"{num(c['external_flows'])} commitments and grants in the published data)."
    )
    for r in found.table.head(args.top).itertuples():
        print(
            f"  {r.name} ({r.sector}): {usd(r.focus_usd)} in the themes and focus regions, "
            f"{r.themed_flows} grant(s), typical {usd(r.typical_usd)}; {r.regions}; "
            f"{r.themes}"
            + (f"; also funds {r.other_sectors}" if r.other_sectors else "")
            + (f"; co-funds with {r.cofunds_with}" if r.cofunds_with else "")
        )
    return 0


def _store(args):
    """The store the command reads."""
    if args.neo4j:
        from graph.store.neo4j import Neo4jStore
        from graph.store.settings import Neo4jSettings

        settings = Neo4jSettings.from_env()
        if settings is None:
            return None
        return Neo4jStore(settings)
    from loaders.load import DATA_DIR, load_memory

    return load_memory(args.data or DATA_DIR)


#: How each status reads in the check's output.
MARKS = {"holds": "holds   ", "breached": "BREACHED", "unclear": "unclear "}


def _check(store, args) -> int:
    """Print every limit now and in the projection; 1 when one is breached now."""
    from graph.analyses.limits import breached, check_limits, projected_text, read_limits
    from graph.analyses.projection import DEFAULT_PERIOD, projection
    from loaders.load import limits_file

    path = limits_file(args.limits)
    limits = read_limits(path)
    p = projection(store, args.period or DEFAULT_PERIOD)
    checks = check_limits(store, limits, projection=p)
    print(f"Board limits ({path}), now and projected for {p.period[0]}–{p.period[1]}:")
    for c in checks:
        print(f"  {MARKS[c.status]}  {c.what}: {c.now}{f' ({c.why})' if c.why else ''}")
        print(f"            {projected_text(c, p.period)}")
    n = len(p.lines[p.lines["kind"].isin(["renewal", "prospect"])])
    print(
        f"The projection counts {plural(n, 'planning assumption')} "
        "(renewals, prospects) of the store: assumptions, not facts of the documents."
    )
    bad = breached(checks)
    print(f"{len(bad)} of {len(checks)} limits breached now." if bad else "Every limit holds now.")
    return 1 if bad else 0


def _check_recipient(store, recipient: str | None) -> None:
    from graph.analyses.institute import recipients
    from graph.errors import UnknownEntity

    if recipient is None:
        return
    orgs = store.node_table("Organization")
    if not len(orgs) or recipient not in set(orgs["id"]):
        known = ", ".join(recipients(store)) or "(none)"
        raise UnknownEntity(
            f"--recipient {recipient!r} is not an organization in the data; "
            f"organizations that receive money: {known}"
        )


def main(argv: list[str] | None = None) -> int:
    """Run the command; return the exit status (0 ok, 1 a clear error, 2 usage)."""
    args = _parser().parse_args(argv)
    from graph.reports.findings import board_report

    try:
        store = _store(args)
        if store is None:
            print("error: --neo4j needs NEO4J_URI to be set", file=sys.stderr)
            return 1
        with store:
            if args.command == "check":
                return _check(store, args)
            if args.command == "prospects":
                return _prospects(store, args)
            _check_recipient(store, args.recipient)
            sys.stdout.write(
                board_report(
                    store,
                    as_of=args.as_of,
                    scheme=args.scheme,
                    recipient=args.recipient,
                    scope="network" if args.network else "institute",
                )
            )
    except SettingsError as e:  # a broken limits file is not a breached limit
        print(f"error: {e}", file=sys.stderr)
        return 2
    except ExplorerError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
