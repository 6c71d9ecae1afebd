"""The partnership graph as arrays: node columns and a sparse adjacency matrix.

networkx keeps a dict per node and per edge; a partnership graph of 65,000 nodes and
200,000 pairs takes seconds to build and to copy, and its algorithms walk it node by node in
Python. :class:`Adjacency` holds the same graph as columns (key, label, id, name, sector,
country per node) and one symmetric 0/1 matrix (no self-loops), so that components,
degrees, reach after removing nodes and eigenvector centrality are array operations, and a
scenario removes nodes with a mask instead of a copy. The networkx graph is built from it
when a page draws or a caller asks for one (:func:`graph.analyses.network.partnership_graph`).

Examples
--------
>>> import networkx as nx
>>> a = from_networkx(nx.path_graph(["Organization:a", "Organization:b", "Organization:c"]))
>>> a.size, a.degrees().tolist(), a.position("Organization:c")
(3, [1, 2, 1], 2)
>>> sorted(a.articulation_points())
[1]
>>> a.reach(a.position("Organization:a"), keep=a.mask_without(["Organization:b"])).tolist()
[0]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse import csgraph
from scipy.sparse.linalg import ArpackError, ArpackNoConvergence, eigs

__all__ = ["Adjacency", "from_networkx", "members", "depth_first", "DENSE_UP_TO", "ROW_WIDTH"]

#: Components up to this many nodes get their eigenvector from a dense solver, stacked by
#: size (one call for all components of a size); larger ones from ARPACK, as networkx does.
DENSE_UP_TO = 64


@dataclass(frozen=True)
class Adjacency:
    """An undirected simple graph as node columns and a CSR matrix (see the module notes).

    Attributes
    ----------
    keys, labels, ids, names : numpy object arrays
        Per node, in the order the nodes were added.
    attrs : dict
        Other node columns (``sector``, ``country``: text or None), same order.
    u, v, weight, types : numpy arrays
        Per edge (positions of the ends, how many relationships, a bit mask of
        ``type_names``), in the order the edges were first seen.
    type_names : tuple of str
    matrix : scipy.sparse.csr_array
        Symmetric, 1 where two nodes are tied.
    """

    keys: np.ndarray
    labels: np.ndarray
    ids: np.ndarray
    names: np.ndarray
    attrs: dict
    u: np.ndarray
    v: np.ndarray
    weight: np.ndarray
    types: np.ndarray
    type_names: tuple
    matrix: sp.csr_array = field(repr=False)
    _index: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(cls, nodes: dict, u, v, weight, types, type_names) -> Adjacency:
        """From node columns (``keys``, ``labels``, ``ids``, ``names`` and any others) and
        edges as positions; self-loops are left out."""
        u, v = np.asarray(u, dtype=np.int64), np.asarray(v, dtype=np.int64)
        keep = u != v
        u, v = u[keep], v[keep]
        n = len(nodes["keys"])
        ones = np.ones(2 * len(u), dtype=np.float64)
        m = sp.csr_array((ones, (np.r_[u, v], np.r_[v, u])), shape=(n, n))
        m.sum_duplicates()
        m.data[:] = 1.0
        cols = {k: np.asarray(c, dtype=object) for k, c in nodes.items()}
        return cls(
            keys=cols.pop("keys"),
            labels=cols.pop("labels"),
            ids=cols.pop("ids"),
            names=cols.pop("names"),
            attrs=cols,
            u=u,
            v=v,
            weight=np.asarray(weight, dtype=np.int64)[keep],
            types=np.asarray(types, dtype=np.int64)[keep],
            type_names=tuple(type_names),
            matrix=m,
        )

    @property
    def size(self) -> int:
        """Number of nodes."""
        return len(self.keys)

    def position(self, key) -> int | None:
        """The row of node ``key`` (None when it is not in the graph)."""
        if not self._index:
            self._index.update({k: i for i, k in enumerate(self.keys.tolist())})
        return self._index.get(key)

    def mask_without(self, keys) -> np.ndarray:
        """True for every node but ``keys`` (those not in the graph are ignored)."""
        keep = np.ones(self.size, dtype=bool)
        at = [p for p in (self.position(k) for k in keys) if p is not None]
        keep[at] = False
        return keep

    def degrees(self) -> np.ndarray:
        """Number of neighbours of each node."""
        return np.diff(self.matrix.indptr)

    def components(self, keep: np.ndarray | None = None) -> tuple[int, np.ndarray]:
        """Connected components (of the nodes in ``keep``): how many, and each node's
        component (-1 for nodes left out)."""
        m = self.matrix if keep is None else _restricted(self.matrix, keep)
        count, comp = csgraph.connected_components(m, directed=False)
        if keep is None:
            return int(count), comp
        # nodes left out are singletons of the restricted matrix: not counted
        out = np.full(self.size, -1, dtype=np.int64)
        _, out[keep] = np.unique(comp[keep], return_inverse=True)
        return int(out.max() + 1) if keep.any() else 0, out

    def reach(self, start: int, keep: np.ndarray | None = None) -> np.ndarray:
        """Positions of the nodes connected to ``start`` (itself included), in order."""
        return members(self.components(keep)[1], start)

    def articulation_points(self, keep: np.ndarray | None = None, within=None) -> set:
        """Positions of the cut vertices (of the nodes in ``keep``; only in the
        components holding a node of ``within``, when given): Tarjan's low-point search,
        iterative, over the matrix's arrays. The search starts from every kept node (or
        every node of ``within``) in turn, so it needs no count of the components first.

        >>> g = nx.Graph([("O:a", "O:b"), ("O:b", "O:c"), ("O:d", "O:e"), ("O:e", "O:f")])
        >>> a = from_networkx(g)
        >>> sorted(a.articulation_points()), sorted(a.articulation_points(within=[3]))
        ([1, 4], [4])
        """
        keep = np.ones(self.size, dtype=bool) if keep is None else keep
        if within is None:
            roots = np.flatnonzero(keep)
        else:
            roots = np.unique(np.asarray(list(within), dtype=np.int64))
            roots = roots[keep[roots]]
        return _cut_vertices(self.matrix, keep, roots)

    def eigenvector(self) -> np.ndarray:
        """Eigenvector centrality per component (as networkx's
        ``eigenvector_centrality_numpy`` finds it for each component: unit length,
        positive), ``1/sqrt(size)`` in components under 3 nodes and 0 where ARPACK does
        not converge; not rescaled."""
        count, comp = self.components()
        out = np.zeros(self.size)
        sizes = np.bincount(comp, minlength=count)
        order = np.argsort(comp, kind="stable")
        starts = np.r_[0, np.cumsum(sizes)]
        local = np.empty(self.size, dtype=np.int64)
        local[order] = np.arange(self.size) - starts[comp[order]]
        small = sizes < 3
        out[small[comp]] = 1.0 / np.sqrt(sizes[comp[small[comp]]])
        for s in np.unique(sizes[(sizes >= 3) & (sizes <= DENSE_UP_TO)]).tolist():
            which = np.flatnonzero(sizes == s)
            slot = np.full(count, -1, dtype=np.int64)
            slot[which] = np.arange(len(which))
            stack = np.zeros((len(which), s, s))
            eu, ev = self.u, self.v
            at = sizes[comp[eu]] == s
            eu, ev = eu[at], ev[at]
            stack[slot[comp[eu]], local[eu], local[ev]] = 1.0
            stack[slot[comp[eu]], local[ev], local[eu]] = 1.0
            vectors = np.linalg.eigh(stack)[1][:, :, -1]  # the largest eigenvalue's
            nodes = order[starts[which][:, None] + np.arange(s)[None, :]]
            out[nodes] = np.abs(vectors)
        for c in np.flatnonzero(sizes > DENSE_UP_TO).tolist():
            nodes = order[starts[c] : starts[c + 1]]
            sub = self.matrix[nodes][:, nodes]
            try:
                _, vec = eigs(sub.T, k=1, which="LR", maxiter=50, tol=0)
            except (ArpackNoConvergence, ArpackError):
                continue
            largest = vec.flatten().real
            out[nodes] = np.abs(largest / np.linalg.norm(largest))
        return out


def members(comp: np.ndarray, start: int) -> np.ndarray:
    """Positions in the component of ``start``, given each node's component as
    :meth:`Adjacency.components` numbers them (none when ``start`` was left out).

    >>> members(np.array([0, 1, 0, -1]), 2).tolist(), members(np.array([0, -1]), 1).tolist()
    ([0, 2], [])
    """
    if comp[start] < 0:
        return np.array([], dtype=np.int64)
    return np.flatnonzero(comp == comp[start])


def _restricted(m: sp.csr_array, keep: np.ndarray) -> sp.csr_array:
    """``m`` with the rows and columns of nodes not in ``keep`` emptied (same shape): its
    entries between kept nodes, picked out of its arrays (no product of matrices).

    >>> m = sp.csr_array(np.array([[0, 1, 1], [1, 0, 0], [1, 0, 0]]))
    >>> _restricted(m, np.array([True, False, True])).toarray().tolist()
    [[0, 0, 1], [0, 0, 0], [1, 0, 0]]
    """
    m = sp.csr_array(m)
    rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
    kept = keep[rows] & keep[m.indices] & (m.data != 0)
    indptr = np.r_[0, np.cumsum(np.bincount(rows[kept], minlength=m.shape[0]))]
    return sp.csr_array((m.data[kept], m.indices[kept], indptr), shape=m.shape)


def _cut_vertices(m: sp.csr_array, keep: np.ndarray, roots) -> set:
    """Articulation points of the components of ``roots`` (nodes not in ``keep`` left
    out), by Tarjan's low points over one depth-first search done by SciPy, its long
    rows chained (:func:`depth_first`).

    The search starts at a hub tied to each root, so one call covers every component
    (a root already reached from an earlier one is not a tree root);
    its tree gives each node's discovery time and parent. A node's own low point is the
    earliest discovery among its ties other than its parent (in a depth-first tree every
    other tie joins an ancestor and a descendant), taken per row of the matrix at once;
    low points then climb the tree, children before parents (one pass over the nodes,
    never over the ties). A root is a cut vertex with two children or more, any other
    node when a child's low point does not reach above it.

    >>> m = sp.csr_array(np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]]))
    >>> sorted(_cut_vertices(m, np.ones(3, dtype=bool), [0, 2]))
    [1]
    """
    if not len(roots):
        return set()
    n = m.shape[0]
    sub = m if keep.all() else _restricted(m, keep)
    indptr, indices = sub.indptr.astype(np.int64), sub.indices.astype(np.int64)
    hub = n  # an extra row listing the roots; no row lists the hub
    order, parent = depth_first(
        np.r_[indptr, indptr[-1] + len(roots)], np.r_[indices, np.asarray(roots, dtype=np.int64)]
    )
    disc = np.full(n + 1, n + 1, dtype=np.int64)
    disc[order] = np.arange(len(order))
    # each row's earliest tie, its tie to its parent left out
    rows = np.repeat(np.arange(n), np.diff(indptr))
    seen = np.where(indices == parent[rows], n + 1, disc[indices])
    low = disc.copy()
    filled = np.flatnonzero(np.diff(indptr) > 0)
    low[filled] = np.minimum(low[filled], np.minimum.reduceat(seen, indptr[filled]))
    low_l, parent_l = low.tolist(), parent.tolist()
    for v in order[:0:-1].tolist():  # children before parents
        p = parent_l[v]
        if low_l[v] < low_l[p]:
            low_l[p] = low_l[v]
    low = np.asarray(low_l, dtype=np.int64)
    child = order[1:]
    up = parent[child]
    inner = child[up != hub]
    above = parent[inner]
    is_root = parent[above] == hub
    cut = set(above[~is_root & (low[inner] >= disc[above])].tolist())
    counts = np.bincount(above[is_root], minlength=n + 1)
    cut |= set(np.flatnonzero(counts > 1).tolist())
    return cut


#: Longest row SciPy's depth-first search is given (see :func:`depth_first`).
ROW_WIDTH = 32


def depth_first(indptr: np.ndarray, indices: np.ndarray, width: int = ROW_WIDTH):
    """A depth-first search from the last row's node over the rows of ``indptr`` and
    ``indices`` (read as directed ties): the nodes in the order it reaches them and each
    one's parent (-9999 for the start and the nodes not reached).

    SciPy's search scans a node's row from its first tie each time it comes back to the
    node, so a node with k children in the tree and d ties costs up to k·d steps: an
    organization with 7,955 ties and 7,755 children cost 31 million at a million flows.
    Here a row longer than ``width`` is cut into pieces of ``width`` ties, each piece but
    the last ending with a tie to an extra node that holds the next piece: a return
    rescans one piece, and the search still takes the ties in the same order, so it is
    the same depth-first search. The extra nodes are then left out of the order and
    stand for their row's node as a parent.

    >>> ptr, ind = np.array([0, 3, 4, 5, 6]), np.array([1, 2, 3, 0, 0, 0])
    >>> order, parent = depth_first(ptr, ind, width=2)  # node 0's row cut in two pieces
    >>> order.tolist(), parent.tolist()
    ([3, 0, 1, 2], [3, 0, 0, -9999])
    """
    n = len(indptr) - 1
    lengths = np.diff(indptr)
    extra = np.maximum(lengths - 1, 0) // width  # pieces after the first, per row
    first = n + np.r_[0, np.cumsum(extra)[:-1]]  # each row's first extra node
    size = n + int(extra.sum())
    rows = np.repeat(np.arange(n), lengths)
    at = np.arange(len(indices)) - indptr[rows]  # each tie's place in its row
    piece = at // width
    row_of = np.where(piece == 0, rows, first[rows] + piece - 1)
    owner = np.repeat(np.arange(n), extra)  # the node each extra node stands for
    nxt = np.arange(n, size)  # each extra node, listed at the end of the piece before it
    before = np.where(nxt == first[owner], owner, nxt - 1)
    ptr = np.r_[0, np.cumsum(np.bincount(np.r_[row_of, before], minlength=size))]
    out = np.empty(len(indices) + len(nxt), dtype=np.int64)
    out[ptr[row_of] + at % width] = indices
    out[ptr[before] + width] = nxt  # a piece with a next one is full
    chained = sp.csr_array((np.ones(len(out)), out, ptr), shape=(size, size))
    order, parent = csgraph.depth_first_order(
        chained, n - 1, directed=True, return_predecessors=True
    )
    order, parent = order.astype(np.int64), parent.astype(np.int64)
    stands = np.r_[np.arange(n), owner]  # what each node stands for
    parent = np.where(parent >= 0, stands[np.maximum(parent, 0)], parent)[:n]
    return order[order < n], parent


def from_networkx(g: nx.Graph) -> Adjacency:
    """The arrays of a networkx graph whose nodes may carry ``label``, ``id`` and ``name``
    (taken from a ``"Label:id"`` key when they do not).

    >>> a = from_networkx(nx.Graph([("Organization:x", "Project:p")]))
    >>> a.labels.tolist(), a.ids.tolist(), a.names.tolist()
    (['Organization', 'Project'], ['x', 'p'], ['x', 'p'])
    """
    keys = list(g.nodes)
    data = [g.nodes[k] for k in keys]
    split = [str(k).split(":", 1) if ":" in str(k) else ["", str(k)] for k in keys]
    ids = [d.get("id", s[1]) for d, s in zip(data, split, strict=True)]
    nodes = {
        "keys": keys,
        "labels": [d.get("label", s[0]) for d, s in zip(data, split, strict=True)],
        "ids": ids,
        "names": [d.get("name", i) for d, i in zip(data, ids, strict=True)],
    }
    index = {k: i for i, k in enumerate(keys)}
    edges = list(g.edges(data="weight", default=1))
    u = [index[a] for a, _b, _w in edges]
    v = [index[b] for _a, b, _w in edges]
    w = [int(x) for _a, _b, x in edges]
    return Adjacency.build(nodes, u, v, w, np.zeros(len(edges), dtype=np.int64), ())
