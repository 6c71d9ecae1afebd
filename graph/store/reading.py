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

__all__ = ["block", "kept", "reads_once"]

_READING = threading.local()  # per thread: each app session runs on its own


def kept() -> dict | None:
    """What the current block keeps (None outside a block)."""
    return getattr(_READING, "kept", None)


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
