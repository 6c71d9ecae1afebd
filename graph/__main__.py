"""Command line: ``python -m graph report`` prints the board's headline findings.

Usage::

    python -m graph report [--data FOLDER] [--neo4j] [--as-of YYYY-MM-DD] [--scheme focus]
                           [--recipient ID] [--network]

Without ``--neo4j`` the records of ``--data`` (default: the bundled ``data/``) are loaded
into the in-memory store; with it, the Neo4j store named by ``NEO4J_URI`` is read. An
unknown scheme, recipient or a date not written YYYY-MM-DD is an error (exit status 2 for
a wrong option, 1 for what the data does not have).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from graph.errors import ExplorerError
from graph.schema import REGION_SCHEMES

__all__ = ["main"]

DESCRIPTION = "Print the headline findings for the board from the bundled data or a Neo4j store."


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
    rep.add_argument("--data", default=None, help="folder of record files (default: data/)")
    rep.add_argument("--neo4j", action="store_true", help="read the Neo4j store of NEO4J_URI")
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
    return parser


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
        if args.neo4j:
            from graph.store.neo4j import Neo4jStore
            from graph.store.settings import Neo4jSettings

            settings = Neo4jSettings.from_env()
            if settings is None:
                print("error: --neo4j needs NEO4J_URI to be set", file=sys.stderr)
                return 1
            store = Neo4jStore(settings)
        else:
            from loaders.load import DATA_DIR, load_memory

            store = load_memory(args.data or DATA_DIR)
        with store:
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
    except ExplorerError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
