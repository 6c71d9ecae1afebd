"""Command line: ``python -m graph report`` prints the board's headline findings.

Usage::

    python -m graph report [--data FOLDER] [--neo4j] [--as-of YYYY-MM-DD] [--scheme focus]

Without ``--neo4j`` the records of ``--data`` (default: the bundled ``data/``) are loaded
into the in-memory store; with it, the Neo4j store named by ``NEO4J_URI`` is read.
"""

from __future__ import annotations

import argparse
import sys

from graph.errors import ExplorerError

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run the command; return the exit status (0 ok, 1 a clear error, 2 usage)."""
    parser = argparse.ArgumentParser(prog="python -m graph", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rep = sub.add_parser("report", help="print the headline findings for the board")
    rep.add_argument("--data", default=None, help="folder of record files (default: data/)")
    rep.add_argument("--neo4j", action="store_true", help="read the Neo4j store of NEO4J_URI")
    rep.add_argument("--as-of", default=None, help="date the funding cliff counts from")
    rep.add_argument("--scheme", default="focus", help="region scheme (default: focus)")
    rep.add_argument("--recipient", default=None, help="the institute's organization id")
    args = parser.parse_args(argv)
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
            sys.stdout.write(
                board_report(store, as_of=args.as_of, scheme=args.scheme, recipient=args.recipient)
            )
    except ExplorerError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
