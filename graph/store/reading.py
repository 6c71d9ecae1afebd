"""Reads kept for the length of one block (:meth:`graph.store.GraphStore.reading`).

A server's data can change under the app, so a server store builds every table anew on
each call. Inside a block, on one thread, what :meth:`~graph.store.GraphStore.memo` builds
is kept until the outermost block ends: an analysis that needs one aggregate in several
places reads it once, and sees one state of the data.

Examples
--------
>>> kept() is None
True
>>> with block():
...     kept() == {}
True
"""

from __future__ import annotations

import contextlib
import functools
import threading
from concurrent.futures import ThreadPoolExecutor

__all__ = ["block", "keep", "kept", "read_ahead", "reads_once", "side_by_side"]

_READING = threading.local()  # per thread: each app session runs on its own
_BUILDING = threading.Lock()  # guards the making of one lock per key being built


def kept() -> dict | None:
    """What the current block keeps (None outside a block)."""
    return getattr(_READING, "kept", None)


def keep(held: dict, key, build):
    """``held[key]``, made by ``build()`` if it is not there yet, and made once: parts of
    an analysis that run side by side (:func:`side_by_side`) and ask for the same key
    at once wait for the one that builds it.

    >>> with block():
    ...     keep(kept(), "sums", lambda: "read"), keep(kept(), "sums", lambda: "not read")
    ('read', 'read')
    """
    if key in held:
        return held[key]
    with _BUILDING:
        lock = held.setdefault(("building", key), threading.Lock())
    with lock:
        if key not in held:
            held[key] = build()
    return held[key]


@contextlib.contextmanager
def block():
    """Keep what is built until this block ends (nested blocks share the outermost)."""
    outer = kept()
    if outer is None:
        _READING.kept = {}
    try:
        yield
    finally:
        if outer is None:
            _READING.kept = None


def reads_once(analysis):
    """Run ``analysis(store, ...)`` inside ``store.reading()`` (see
    :meth:`GraphStore.reading`): what it reads from a server in several places, it reads
    once.

    >>> @reads_once
    ... def flows(store):
    ...     return len(store.funding_totals(("donor",)))
    >>> flows(example_store())
    7
    """

    @functools.wraps(analysis)
    def run(store, *args, **kwargs):
        with store.reading():
            return analysis(store, *args, **kwargs)

    return run


def side_by_side(store, *parts):
    """The results of ``parts`` (callables of no argument), in their order.

    A server store spends an analysis waiting: each aggregate is a pass of the server over
    the funding ties, and the client is idle meanwhile. Where the store can have several
    reads in flight (``store.read_sessions`` above 1: a Neo4j store, one session each),
    the parts run on that many threads at once, each inside this thread's reading block,
    so what one of them reads (:meth:`~graph.store.GraphStore.memo`) the others and the
    rest of the analysis find kept. Elsewhere (the embedded store, which computes rather
    than waits) they run one after the other. Either way every part has ended when this
    returns; the first part that failed raises its error.

    Examples
    --------
    >>> side_by_side(example_store(), lambda: 1, lambda: "two")
    [1, 'two']
    >>> class Server:
    ...     read_sessions = 2
    >>> with block():
    ...     side_by_side(Server(), lambda: kept().setdefault("read", 1), lambda: 2)
    ...     kept()
    [1, 2]
    {'read': 1}
    """
    workers = min(int(getattr(store, "read_sessions", 1)), len(parts))
    if workers < 2:
        return [part() for part in parts]
    held = kept()

    def run(part):
        _READING.kept = held  # the caller's block: one set of kept reads
        try:
            return part()
        finally:
            _READING.kept = None

    with ThreadPoolExecutor(workers, thread_name_prefix="read") as pool:
        running = [pool.submit(run, part) for part in parts]
    return [r.result() for r in running]


def read_ahead(store, *parts) -> None:
    """Run ``parts`` (reads of no argument) side by side where ``store`` can have several
    reads in flight, for the rest of the caller's reading block to find kept; elsewhere
    nothing (the caller reads each where it needs it, and a store that reads one thing at
    a time would only hand out copies twice). What a part reads must be what the caller
    asks for later, with the same arguments, or the read is made twice.

    >>> class Server:
    ...     read_sessions = 2
    >>> asked = []
    >>> read_ahead(Server(), lambda: asked.append("a"), lambda: asked.append("b"))
    >>> sorted(asked), read_ahead(example_store(), lambda: asked.append("c")), len(asked)
    (['a', 'b'], None, 2)
    """
    if int(getattr(store, "read_sessions", 1)) > 1:
        side_by_side(store, *parts)
