"""Read, validate and write: the one path from files to a graph store.

Nothing is written unless every row of every file passes; then the whole batch is written
in one go (see :meth:`graph.store.GraphStore.write`). Loading the same files again creates
nothing new.

Examples
--------
>>> from pathlib import Path
>>> store = load_memory(Path(__file__).resolve().parent.parent / "data")
>>> store.counts()["nodes"]["Organization"] > 50
True
"""

from __future__ import annotations

from pathlib import Path

from graph.errors import ValidationFailed
from graph.pause import collection_paused
from graph.store import (
    GraphBatch,
    GraphStore,
    LoadReport,
    MemoryStore,
    Neo4jSettings,
    Neo4jStore,
    build_batch,
)
from loaders.aliases import AliasTable, apply_aliases
from loaders.readers import read_path
from loaders.records import Problem, RawRow
from loaders.validate import Records, validate_rows

__all__ = [
    "check",
    "check_rows",
    "checked_batch",
    "load",
    "load_rows",
    "load_memory",
    "open_store",
    "DATA_DIR",
    "LIMITS_FILE",
    "limits_file",
    "PROSPECTING_FILE",
    "prospecting_file",
    "EXTERNAL_PREFIX",
    "external_source",
    "mark_external",
]

#: The bundled dataset.
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
#: The board limits the app and ``python -m graph check`` read unless told otherwise.
LIMITS_FILE = DATA_DIR / "reference" / "limits.toml"


#: Which published funding prospecting counts (themes, focus-region rules).
PROSPECTING_FILE = DATA_DIR / "reference" / "prospecting.toml"


def prospecting_file(path=None) -> Path:
    """The prospecting settings: ``path``, else ``EXPLORER_PROSPECTING``, else
    :data:`PROSPECTING_FILE`."""
    import os

    return Path(path or os.environ.get("EXPLORER_PROSPECTING") or PROSPECTING_FILE)


def limits_file(path=None) -> Path:
    """The board limits file: ``path``, else ``EXPLORER_LIMITS``, else :data:`LIMITS_FILE`."""
    import os

    return Path(path or os.environ.get("EXPLORER_LIMITS") or LIMITS_FILE)


def check_rows(
    rows: list[RawRow],
    read_problems: list[Problem],
    *,
    store: GraphStore | None = None,
    aliases: AliasTable | None = None,
) -> tuple[Records, list[Problem]]:
    """Validate rows already read; references may point at nodes already in ``store``.

    Organisations of published files that the alias table names (the bundled one by
    default) are renamed to the explorer's ids first, in ``rows`` itself, each merge with a
    notice (see :func:`loaders.aliases.apply_aliases`)."""
    known = store.known_keys() if store is not None else None
    apply_aliases(
        rows,
        aliases if aliases is not None else AliasTable.bundled(),
        (known or {}).get("organizations", set()),
    )
    records, problems = validate_rows(rows, known=known)
    return records, list(read_problems) + problems


def check(
    path, *, store: GraphStore | None = None, strict: bool = False
) -> tuple[Records, list[Problem]]:
    """Read and validate a folder or file; return records and every problem.

    Parameters
    ----------
    path : str or Path
        Folder of record files, or one file.
    store : GraphStore, optional
        Store whose existing nodes references may point at.
    strict : bool
        Refuse in IATI and 360Giving files what their standard allows but the explorer's own
        records do not (see :func:`loaders.standards.iati.read_iati`).
    """
    rows, read_problems = read_path(path, strict=strict)
    return check_rows(rows, read_problems, store=store)


def checked_batch(
    rows: list[RawRow],
    read_problems: list[Problem],
    store: GraphStore,
    *,
    aliases: AliasTable | None = None,
) -> GraphBatch:
    """Validate ``rows`` and build what :meth:`graph.store.GraphStore.write` takes; raise
    :class:`ValidationFailed` with every problem if any row is bad."""
    with collection_paused():  # many small records, none of them garbage
        records, problems = check_rows(rows, read_problems, store=store, aliases=aliases)
        if problems:
            raise ValidationFailed(problems)
        return build_batch(records)


def load_rows(
    rows: list[RawRow],
    read_problems: list[Problem],
    store: GraphStore,
    *,
    source: str,
    aliases: AliasTable | None = None,
    progress=None,
    sync: bool = False,
    replace: bool = False,
    external: bool = False,
) -> LoadReport:
    """Validate ``rows`` and write them to ``store``; raise :class:`ValidationFailed` if any
    row is bad, having written nothing. ``progress(rows_written, rows_in_all)`` is called
    while the rows are sent; ``sync`` and ``replace`` as for
    :meth:`graph.store.GraphStore.write`; ``external`` as for :func:`load`."""
    if external:
        source = mark_external(rows, source)
    batch = checked_batch(rows, read_problems, store, aliases=aliases)
    return store.write(batch, source=source, progress=progress, sync=sync, replace=replace)


#: How the source of an external load begins (``--external``): the load history and every
#: record's sources say so.
EXTERNAL_PREFIX = "external:"

#: The record kinds an external load marks ``external`` (organisations are shared: a
#: funder in published data may already be one of the institute's partners).
EXTERNAL_KINDS = ("projects", "funding")


def external_source(source: str) -> str:
    """The name of an external load's source.

    >>> external_source("CD.xml"), external_source("external:CD.xml")
    ('external:CD.xml', 'external:CD.xml')
    """
    return source if source.startswith(EXTERNAL_PREFIX) else EXTERNAL_PREFIX + source


def mark_external(rows: list[RawRow], source: str) -> str:
    """Mark the projects and funding flows of ``rows`` as external (in place): published
    data about other funders, never counted in the institute's figures; the source's
    name as an external load (:func:`external_source`)."""
    for r in rows:
        if r.kind in EXTERNAL_KINDS:
            r.values["external"] = "true"
    return external_source(source)


def load(
    path,
    store: GraphStore,
    *,
    source: str | None = None,
    strict: bool = False,
    sync: bool = False,
    replace: bool = False,
    external: bool = False,
) -> LoadReport:
    """Read, validate and write a folder or file into ``store`` as a load from ``source``
    (the path as given by default).

    A record this source loaded before is updated where its values changed; with
    ``sync``, the source's records the files no longer hold are removed; a record another
    source loaded with different values is kept and reported unless ``replace`` (see
    :meth:`graph.store.GraphStore.write`). With ``external``, the files are published data
    about other funders: their projects and flows are marked external (see
    :func:`mark_external`) and the source is named ``external:…``.

    Raises
    ------
    ValidationFailed
        With every problem; nothing was written.
    """
    rows, read_problems = read_path(path, strict=strict)
    source = source or str(path)
    if external:
        source = mark_external(rows, source)
    batch = checked_batch(rows, read_problems, store)
    del rows  # the batch holds what is written: the rows as read need not stay too
    return store.write(batch, source=source, sync=sync, replace=replace)


def load_memory(path=DATA_DIR) -> MemoryStore:
    """A new in-memory store holding the records of ``path`` (the bundled data by default),
    loaded as the source ``"<folder name>/"`` (what the app's sidebar shows)."""
    store = MemoryStore(name=Path(path).name)
    load(path, store, source=f"{Path(path).name}/")
    return store


def open_store(settings: Neo4jSettings | None = None, *, data_dir=None) -> GraphStore:
    """The Neo4j store when settings are given, else an in-memory store of ``data_dir``
    (the bundled data by default).

    Raises
    ------
    graph.errors.StoreError
        When the server is down, refuses the credentials or lacks the database.
    """
    if settings is not None:
        return Neo4jStore(settings)
    return load_memory(data_dir or DATA_DIR)
