"""Arrow's memory pool: jemalloc once :mod:`graph.store` is imported, unless the user chose.

Each case runs in a fresh interpreter: the pool is process-wide and chosen on import."""

import os
import subprocess
import sys

import pyarrow as pa
import pytest

from graph.store.arrow_pool import POOL_SETTING

SHOW = (
    "import pyarrow as pa; before = pa.default_memory_pool().backend_name; "
    "import graph.store; print(before, pa.default_memory_pool().backend_name)"
)


def _pools(**env) -> list[str]:
    environ = {k: v for k, v in os.environ.items() if k != POOL_SETTING} | env
    done = subprocess.run(
        [sys.executable, "-c", SHOW], capture_output=True, text=True, env=environ, check=True
    )
    return done.stdout.split()


def _has(pool: str) -> bool:
    try:
        getattr(pa, f"{pool}_memory_pool")()
    except NotImplementedError:
        return False
    return True


@pytest.mark.skipif(not _has("jemalloc"), reason="this pyarrow is built without jemalloc")
def test_importing_the_stores_puts_arrow_in_jemalloc():
    before, after = _pools()
    assert after == "jemalloc"
    assert before in {"mimalloc", "jemalloc", "system"}


@pytest.mark.parametrize("chosen", [p for p in ("system", "mimalloc") if _has(p)])
def test_a_pool_the_user_named_is_left_alone(chosen):
    before, after = _pools(**{POOL_SETTING: chosen})
    assert before == after == chosen


def test_tables_built_after_the_choice_live_in_the_chosen_pool():
    script = (
        "import pyarrow as pa, pandas as pd, graph.store; "
        "s = pd.Series(['a' * 100] * 10_000, dtype='string[pyarrow]'); "
        "print(pa.default_memory_pool().backend_name, pa.default_memory_pool().bytes_allocated())"
    )
    environ = {k: v for k, v in os.environ.items() if k != POOL_SETTING}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=environ, check=True
    ).stdout.split()
    assert int(out[1]) >= 100 * 10_000  # the text's bytes are in the pool now in use
