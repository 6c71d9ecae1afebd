"""What a server store keeps between analyses while the server's data stands still.

A page of the app runs several analyses, and each works out the same aggregates from the
server: the institute's portfolio, funding sums by project, by donor and project. On a
server that makes each pass over the funding ties several times per page. The embedded
store keeps such objects until it is written (:meth:`graph.store.MemoryStore.memo`); a
server's data can change under the app, so a server store keeps them only while

- the server's write clock has not moved (every load and retraction of this project ticks
  it in the transaction that writes; it is read once per analysis), and
- they are younger than ``seconds`` (writes made by other tools do not tick the clock: the
  app's own cached results live as long, so nothing shows older data than a page would), and
- this store has not written since.

At most ``entries`` objects are kept (the least recently used go first); they are
aggregates, never one row per flow.

Examples
--------
>>> clock = iter([7, 7, 8]).__next__
>>> kept = KeptReads(seconds=60)
>>> kept.get("sums", lambda: "read once", clock)
'read once'
>>> kept.get("sums", lambda: "not read again", clock)
'read once'
>>> kept.get("sums", lambda: "read after a write", clock)
'read after a write'
>>> KeptReads(seconds=0).get("sums", lambda: "always read", clock)
'always read'
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from graph.store.reading import keep, kept

__all__ = ["KeptReads"]


class KeptReads:
    """Objects built from a server's data, kept while its write clock stands still.

    Parameters
    ----------
    seconds : float
        How long an object may be kept; 0 keeps nothing (every call builds anew).
    entries : int
        Most objects kept at once.
    """

    def __init__(
        self, seconds: float, entries: int = 64, now: Callable[[], float] = time.monotonic
    ):
        self.seconds = float(seconds)
        self.entries = int(entries)
        self._now = now
        self._items: OrderedDict = OrderedDict()
        self._clock = None
        self._since = 0.0
        self._lock = threading.Lock()

    def get(self, key, build: Callable, clock: Callable[[], object]):
        """The object kept for ``key``, or ``build()`` kept; ``clock()`` reads the server's
        write clock (once per :meth:`GraphStore.reading` block)."""
        if self.seconds <= 0:
            return build()
        self._check(clock)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = build()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.entries:
                self._items.popitem(last=False)
        return value

    def forget(self) -> None:
        """Keep nothing from now on until the next build (after this store wrote)."""
        with self._lock:
            self._items.clear()
            self._clock = None

    def _check(self, clock: Callable[[], object]) -> None:
        held = kept()
        if held is None:
            self._compare(clock)
        else:  # once per reading block, even by parts read side by side
            keep(held, ("clock read", id(self)), lambda: self._compare(clock) or True)

    def _compare(self, clock: Callable[[], object]) -> None:
        """Read the write clock; forget everything if it moved or what is kept is too old."""
        now_clock, now = clock(), self._now()
        with self._lock:
            if now_clock != self._clock or now - self._since > self.seconds:
                self._items.clear()
                self._clock, self._since = now_clock, now
