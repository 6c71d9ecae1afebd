"""Names every doctest in ``graph/`` and ``loaders/`` may use, wherever pytest runs from.

``MINIMAL`` is the absolute path of the small record fixture (``tests/fixtures/minimal``)
and ``example_store`` builds the worked-example portfolio of :mod:`tests.examples`.
"""

from __future__ import annotations

import pytest

from tests.examples import MINIMAL, example_records, example_store


@pytest.fixture(autouse=True)
def _doctest_names(doctest_namespace):
    doctest_namespace.update(
        MINIMAL=MINIMAL, example_store=example_store, example_records=example_records
    )
