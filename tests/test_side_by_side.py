"""Independent reads side by side on a server (:func:`graph.store.reading.side_by_side`).

On the real Bolt server, every analysis that reads side by side must answer exactly as it
does reading one query after the other, and send exactly the same queries: a part that reads
ahead what the analysis asks for later must read what it asks for, or the read would be made
twice. The parts must also really run at once (more than one thread sends queries).
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from graph.analyses.cliff import donors_ending, funding_cliff
from graph.analyses.network import centrality
from graph.analyses.regional import regional_balance, regional_picture
from graph.analyses.scenarios import donor_exit
from graph.store.neo4j import Neo4jStore
from graph.store.reading import block, kept, side_by_side
from loaders.load import DATA_DIR, load
from tests.conftest import neo_settings
from tests.helpers import same_result

pytestmark = pytest.mark.bolt


class CountingStore(Neo4jStore):
    """A Neo4j store that counts the queries it sends and the threads that send them."""

    def __init__(self, settings):
        self.sent: Counter = Counter()
        self.threads: set = set()
        self._lock = threading.Lock()
        super().__init__(settings)

    def _run(self, query, routing, **params):
        with self._lock:
            self.sent[(query, repr(sorted(params.items())))] += 1
            self.threads.add(threading.current_thread().name)
        return super()._run(query, routing, **params)


ANALYSES = {
    "regional balance": lambda s: regional_balance(s),
    "regional balance, partners": lambda s: regional_balance(s, measure="partners"),
    "regional picture, network": lambda s: regional_picture(s, scope="network"),
    "funding cliff": lambda s: funding_cliff(s),
    "donors ending": lambda s: donors_ending(s, by="2026-12-31"),
    "donor exit": lambda s: donor_exit(s, ["unesco"], recipient="iite"),
    "centrality (the partnership graph's tables)": lambda s: centrality(s),
    "donor exit with a new donor": lambda s: donor_exit(
        s,
        ["jpik"],
        add={"amount": 250_000, "sector": "foundation", "country": "KEN", "project": "jpik-africa"},
    ),
}


@pytest.fixture(scope="module")
def loaded(bolt):
    with Neo4jStore(neo_settings(bolt)) as store:
        store.clear()
        load(DATA_DIR, store)
        yield bolt
        store.clear()


@pytest.mark.parametrize("name", list(ANALYSES))
def test_side_by_side_reads_answer_the_same_with_the_same_queries(loaded, name):
    runs = {}
    for sessions in (1, 2):
        with CountingStore(neo_settings(loaded, read_sessions=sessions)) as store:
            runs[sessions] = (ANALYSES[name](store), store.sent, store.threads)
    (one, sent_one, threads_one), (two, sent_two, threads_two) = runs[1], runs[2]
    same_result(one, two)
    assert sent_two == sent_one  # nothing read twice, nothing left out
    assert len(threads_one) == 1
    assert len(threads_two) > 1  # the reads did run side by side


def test_parts_share_the_callers_block_and_all_end_before_an_error():
    class Server:
        read_sessions = 2

    ended = threading.Event()

    def fails():
        raise ValueError("the first part failed")

    def slow():
        kept()["seen"] = True
        ended.wait(0.05)
        ended.set()
        return "done"

    with block():
        with pytest.raises(ValueError, match="first part failed"):
            side_by_side(Server(), fails, slow)
        assert ended.is_set() and kept() == {"seen": True}
    assert kept() is None  # the block ended; the threads left nothing behind here
    assert side_by_side(Server(), lambda: 1, lambda: 2, lambda: 3) == [1, 2, 3]
