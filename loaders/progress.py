"""Progress of a load while its rows are sent: rows written, rate, time left.

Examples
--------
>>> import io
>>> clock = iter([0.0, 0.0, 2.0, 4.0, 5.0]).__next__
>>> out = io.StringIO()
>>> p = LoadProgress(out, every=1.0, clock=clock)
>>> p(0, 4000); p(1000, 4000); p(2000, 4000); p(4000, 4000)
>>> print(out.getvalue().strip())
written 1,000 of 4,000 rows (500 rows/s, about 6 s left)
written 2,000 of 4,000 rows (500 rows/s, about 4 s left)
written 4,000 rows in 5 s (800 rows/s)
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TextIO

__all__ = ["LoadProgress"]


@dataclass
class LoadProgress:
    """A ``progress(rows_written, rows_in_all)`` callback that prints a line at most every
    ``every`` seconds, and one when the last row is written.

    Parameters
    ----------
    out : text stream
        Where the lines go (the CLI's standard error).
    every : float
        Seconds between two lines.
    clock : callable
        Seconds now (``time.monotonic``; a test gives its own).
    """

    out: TextIO
    every: float = 2.0
    clock: object = time.monotonic
    _start: float = field(default=0.0, init=False)
    _last: float = field(default=float("-inf"), init=False)

    def __post_init__(self) -> None:
        self._start = self.clock()  # the write starts when the callback is made

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        if done == 0:  # the first row is about to be sent: time from here
            self._start = now
            return
        elapsed = max(now - self._start, 1e-9)
        rate = done / elapsed
        if done >= total:
            print(
                f"written {total:,} rows in {elapsed:,.0f} s ({rate:,.0f} rows/s)",
                file=self.out,
                flush=True,
            )
            return
        if now - self._last < self.every:
            return
        self._last = now
        left = (total - done) / rate if rate else float("nan")
        print(
            f"written {done:,} of {total:,} rows ({rate:,.0f} rows/s, about {left:,.0f} s left)",
            file=self.out,
            flush=True,
        )
