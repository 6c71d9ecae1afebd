"""Which allocator holds the Arrow memory behind the stores' text columns.

pandas keeps text in Arrow arrays, so every table the stores build or read is allocated
in Arrow's default memory pool. On Linux the pyarrow wheels default to mimalloc, which
keeps the pages it has freed: measured with the project's bench data, jemalloc (also
built into the wheels; it hands freed pages back at once) gave

* the embedded store, validate + load at L (1,000,000 flows): peak 1,707–1,719 MB
  against 1,913–1,929 MB, in the same time (23–26 s either way) and with every analysis
  as fast;
* the app side of a Bolt store at M (all the aggregate analyses in one process): peak
  245 MB against 273 MB; at S 188 against 192 MB.

:func:`choose_pool` makes jemalloc the default when this pyarrow has it and the user has
not chosen a pool with ``ARROW_DEFAULT_MEMORY_POOL`` (Arrow's own setting, which wins).
:mod:`graph.store` calls it once when it is imported.
"""

from __future__ import annotations

import contextlib
import os

import pyarrow as pa

__all__ = ["POOL_SETTING", "choose_pool"]

#: Arrow's own setting of its default pool; when it is set, it is left alone.
POOL_SETTING = "ARROW_DEFAULT_MEMORY_POOL"


def choose_pool(environ=os.environ) -> str:
    """Make jemalloc Arrow's default memory pool, unless ``environ`` names a pool.

    Parameters
    ----------
    environ : mapping
        Where to look for :data:`POOL_SETTING` (the process's environment).

    Returns
    -------
    str
        The name of the pool now in use: ``"jemalloc"`` where this pyarrow is built with
        it, else the pool Arrow chose (``"mimalloc"`` or ``"system"``), or the one the
        setting named.

    Examples
    --------
    >>> choose_pool() in {"jemalloc", "mimalloc", "system"}
    True
    >>> before = pa.default_memory_pool().backend_name
    >>> choose_pool({POOL_SETTING: "system"}) == before  # the user's choice: left alone
    True
    """
    if not environ.get(POOL_SETTING):
        # a pyarrow built without jemalloc (the Windows wheels) keeps its own default
        with contextlib.suppress(NotImplementedError):
            pa.set_memory_pool(pa.jemalloc_memory_pool())
    return pa.default_memory_pool().backend_name
