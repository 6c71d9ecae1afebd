"""The partnership network as one self-contained, offline HTML page (pyvis + vis-network).

pyvis builds the node and edge lists and the vis options; this module renders them into
its own page instead of pyvis' template, because that template loads vis-network,
Bootstrap and Tom Select from CDNs and writes the heading and menu options into the page
unescaped. Here:

* the vis-network script and stylesheet that ship inside the pyvis package are inlined,
  so the page needs no network at all;
* node ids are surrogate integers, never names;
* the page is the autoescaped jinja2 template ``graph/reports/templates/network.html.j2``:
  every text from data reaches its script only through ``|tojson`` (``<``, ``>``, ``&`` and
  ``'`` written as ``\\uXXXX``, so ``</script>`` in a name cannot end the script), and the
  page's own script puts it on screen with ``textContent``/``value`` (never ``innerHTML``);
  vis draws labels on the canvas and shows string tooltips with ``innerText``. The heading
  and the legend are escaped by the template.
* positions come from a layout computed once on the whole graph and physics is off, so a
  filter only changes which nodes are highlighted or shown, never where they are.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pandas as pd
import pyvis
from pyvis.network import Network

from graph.reports.templates import render
from views.fmt import usd

__all__ = [
    "TIE_KINDS",
    "SECTOR_COLOURS",
    "KIND_COLOURS",
    "MAX_NODES",
    "vis_assets",
    "build_network_html",
]

#: Above this many nodes the drawing keeps the most central ones and says so.
MAX_NODES = 1000

#: The relationship types of :data:`graph.analyses.network.PARTNERSHIP_RELS`, in words.
TIE_KINDS = {
    "PARTNER_IN": "partner in project",
    "FUNDS": "funds",
    "MEMBER_OF": "member of network",
    "ORGANIZED": "organized event",
    "PART_OF_PROJECT": "event of project",
    "PART_OF": "unit of",
    "POOLS": "pooled donor includes",
}

SECTOR_COLOURS = {
    "government": "#1f77b4",
    "un_system": "#009edb",
    "university": "#9467bd",
    "private_company": "#ff7f0e",
    "foundation": "#2ca02c",
    "ngo": "#8c564b",
    "network": "#e377c2",
    "pool": "#bcbd22",
    "other": "#7f7f7f",
}
KIND_COLOURS = {
    "Organization": "#009edb",
    "Project": "#f2a900",
    "Network": "#e377c2",
    "Event": "#6f9a3b",
}
KIND_SHAPES = {
    "Organization": "dot",
    "Project": "square",
    "Network": "triangle",
    "Event": "diamond",
}
KIND_WORDS = {
    "Organization": "organization",
    "Project": "project",
    "Network": "network",
    "Event": "event",
}
EDGE_COLOURS = {
    "PARTNER_IN": "#8aa4c8",
    "FUNDS": "#d62728",
    "MEMBER_OF": "#e377c2",
    "ORGANIZED": "#6f9a3b",
    "PART_OF_PROJECT": "#f2a900",
    "PART_OF": "#aaaaaa",
    "POOLS": "#bcbd22",
}
DIM = "rgba(200,200,200,0.35)"


@cache
def vis_assets() -> tuple[str, str]:
    """The vis-network script and stylesheet shipped inside the pyvis package."""
    base = Path(pyvis.__file__).resolve().parent / "lib" / "vis-9.1.2"
    js = (base / "vis-network.min.js").read_text(encoding="utf-8")
    css = (base / "vis-network.css").read_text(encoding="utf-8")
    # a literal "</script" inside the library would end our <script> element early
    js = js.replace("</script", "<\\/script")
    return js, css


def node_keys(centrality: pd.DataFrame) -> list[str]:
    """The drawing's node keys (``"Label:id"``) of the rows of a centrality table."""
    return [f"{a}:{b}" for a, b in zip(centrality["label"], centrality["id"], strict=True)]


def _short(text: str, n: int = 28) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _usd(x: float) -> str:
    return usd(x) if x else "no known amount"


def _colour(d: dict, colour_by: str) -> str:
    if colour_by == "sector" and d["label"] == "Organization":
        return SECTOR_COLOURS.get(d.get("sector") or "other", SECTOR_COLOURS["other"])
    return KIND_COLOURS.get(d["label"], "#999999")


def build_network_html(
    g,
    pos: dict,
    *,
    centrality: pd.DataFrame | None = None,
    colour_by: str = "sector",
    size_by: str = "money",
    highlight: set | None = None,
    visible: set | None = None,
    ties: set | None = None,
    sources: dict | None = None,
    marked: set | None = None,
    heading: str = "Partnership network",
    height: int = 640,
    max_nodes: int = MAX_NODES,
) -> tuple[str, dict]:
    """Render the network as one self-contained HTML page.

    Parameters
    ----------
    g : networkx graph from :func:`graph.reports.figures.partner_graph`
    pos : dict
        Node → (x, y), computed once on the whole graph.
    centrality : DataFrame, optional
        :func:`graph.analyses.network.centrality` (``label``, ``id``, ``degree``,
        ``betweenness``); used for sizing and for choosing which nodes to keep above
        ``max_nodes``.
    colour_by : {"sector", "kind"}
    size_by : {"money", "centrality", "none"}
    highlight : set, optional
        Nodes that match the filters; the others are drawn dim. ``None`` = all.
    visible : set, optional
        Nodes to draw at all (the ego view); ``None`` = all.
    ties : set, optional
        Relationship types to draw; ``None`` = all.
    sources : dict, optional
        Source id → title, shown with each node's provenance.
    marked : set, optional
        Nodes drawn with a red border (e.g. donors removed in a scenario).

    Returns
    -------
    html : str
    info : dict
        ``shown``, ``total``, ``capped`` (bool), ``edges``.
    """
    sources = sources or {}
    marked = marked or set()
    keys = node_keys(centrality) if centrality is not None else []
    cent = dict(zip(keys, centrality["betweenness"], strict=True)) if len(keys) else {}
    deg = dict(zip(keys, centrality["degree"], strict=True)) if len(keys) else {}
    nodes = [n for n in g.nodes if visible is None or n in visible]
    total = len(nodes)
    capped = total > max_nodes
    group_of: dict = {}  # node folded into a group → the group's key
    groups: dict = {}  # group key → its members
    if capped:
        nodes, group_of, groups = _fold(g, nodes, highlight, size_by, cent, deg, max_nodes)
    keep = set(nodes)
    ids = {n: i for i, n in enumerate(sorted(keep))}
    ids.update({k: len(ids) + i for i, k in enumerate(sorted(groups))})

    net = Network(height=f"{height}px", width="100%", directed=True, cdn_resources="in_line")
    max_usd = max([g.nodes[n].get("usd", 0.0) for n in keep] + [1.0])
    max_c = max([cent.get(n, 0.0) for n in keep] + [1e-9])
    max_deg = max([deg.get(n, 0.0) for n in keep] + [0.0])
    details = {}
    for n in sorted(keep):
        d = g.nodes[n]
        if size_by == "money":
            weight = (d.get("usd", 0.0) / max_usd) ** 0.5
        elif size_by == "centrality":
            weight = (cent.get(n, 0.0) / max_c) ** 0.5
        else:
            weight = 0.0
        size = 9 + 26 * weight
        if d["label"] == "Project":
            size *= 0.75  # a square of the same "size" looks much bigger than a circle
        # labels of important nodes are drawn larger, so they stay readable when zoomed out
        # while the rest appear as one zooms in (vis' label drawThreshold)
        importance = max(weight, (deg.get(n, 0.0) / max_deg) ** 0.5 if max_deg else 0.0)
        lit = highlight is None or n in highlight
        colour = _colour(d, "kind" if colour_by == "kind" else "sector") if lit else DIM
        x, y = pos.get(n, (0.0, 0.0))
        props = d.get("props", {})
        kind_word = KIND_WORDS.get(d["label"], d["label"].lower())
        lines = [
            d["name"],
            kind_word + (f" · {d['sector'].replace('_', ' ')}" if d.get("sector") else ""),
        ]
        if d.get("countries"):
            lines.append("Countries: " + ", ".join(sorted(d["countries"])))
        if d.get("years"):
            a, b = d["years"]
            lines.append(f"Years: {a}" + (f"–{b}" if b != a else ""))
        lines.append("Known money: " + _usd(d.get("usd", 0.0)))
        src = props.get("source_id")
        net.add_node(
            ids[n],
            label=_short(d["name"]),
            title="\n".join(lines),
            shape=KIND_SHAPES.get(d["label"], "dot"),
            color={"background": colour, "border": "#d62728" if n in marked else colour},
            borderWidth=4 if n in marked else 1,
            size=round(size, 1),
            x=round(x, 1),
            y=round(y, 1),
            physics=False,
            font={"color": "#222222" if lit else "#bbbbbb", "size": round(11 + 13 * importance)},
        )
        details[ids[n]] = {
            "name": d["name"],
            "kind": kind_word,
            "sector": (d.get("sector") or "").replace("_", " "),
            "countries": ", ".join(sorted(d.get("countries") or ())),
            "money": _usd(d.get("usd", 0.0)),
            "source": sources.get(src, src or ""),
            "quote": props.get("quote") or "",
        }
    for k in sorted(groups):
        _add_group(net, ids[k], k, groups[k], g, pos, details)
    n_edges = 0
    seen_pairs = _ties(g, keep, group_of, groups, ids, ties, highlight)
    for e in seen_pairs.values():
        t = e["type"]
        words = TIE_KINDS.get(t, t.replace("_", " ").lower())
        net.add_edge(
            e["from"],
            e["to"],
            title=f"{e['count']:,} ties: {words}" if e["grouped"] else words,
            color=e["color"],
            width=(2 if t == "FUNDS" else 1)
            + (min(4.0, e["count"] ** 0.5 / 3) if e["grouped"] else 0),
            arrows="to" if t == "FUNDS" else "",
        )
        n_edges += 1
    net.options = {
        "physics": {"enabled": False},
        "interaction": {"hover": True, "tooltipDelay": 120, "navigationButtons": False},
        "edges": {"smooth": False},
        "nodes": {"borderWidth": 1, "scaling": {"label": {"enabled": False, "drawThreshold": 7}}},
    }
    vis_nodes, vis_edges, _h, _hh, _w, options = net.get_network_data()
    legend_items = (
        [(k, KIND_COLOURS[k], KIND_WORDS[k]) for k in KIND_COLOURS]
        if colour_by == "kind"
        else [(k, c, k.replace("_", " ")) for k, c in SECTOR_COLOURS.items()]
        + [
            (k, KIND_COLOURS[k], KIND_WORDS[k] + " (" + KIND_SHAPES[k] + ")")
            for k in ("Project", "Network", "Event")
        ]
    )
    if groups:
        legend_items.append(
            ("group", GROUP_COLOUR, "a group of nodes not drawn one by one (hexagon)")
        )
    info = {
        "shown": len(keep),
        "total": total,
        "capped": capped,
        "edges": n_edges,
        "grouped": len(group_of),
        "groups": len(groups),
        "kept_by": _KEPT_BY.get(size_by, _KEPT_BY["none"]),
    }
    page = _render(
        heading=heading,
        nodes=vis_nodes,
        edges=vis_edges,
        options=options,
        details=details,
        legend=legend_items,
        height=height,
        size_note={"money": "known money", "centrality": "betweenness centrality"}.get(
            size_by, "all the same"
        ),
        notice=(
            f"Showing the {len(keep):,} of {total:,} nodes with {info['kept_by']}; the other "
            f"{len(group_of):,} are drawn as {len(groups):,} grey groups (hexagons), one per "
            "kind and sector, with their ties counted. Narrow the filters or use the ego view "
            "to see them one by one."
            if capped
            else ""
        ),
    )
    return page, info


#: What the drawing keeps above its cap, by what the nodes are sized by.
_KEPT_BY = {
    "money": "the most known money",
    "centrality": "the highest betweenness",
    "none": "the most ties",
}
GROUP_COLOUR = "#9e9e9e"


def _fold(g, nodes: list, highlight, size_by: str, cent: dict, deg: dict, max_nodes: int):
    """Keep the ``max_nodes`` most important of ``nodes`` (those that match the filters
    first, then by money, betweenness or ties, as the drawing is sized), less one slot per
    group, and fold the rest into one group per kind (and sector, for organizations).

    Returns the kept nodes, each folded node's group key and each group's members."""

    def score(n):
        d = g.nodes[n]
        money, between, ties = d.get("usd", 0.0), cent.get(n, 0.0), deg.get(n, 0.0)
        first = {"money": money, "centrality": between}.get(size_by, ties)
        return (highlight is None or n in highlight, first, ties, money, n)

    ranked = sorted(nodes, key=score, reverse=True)

    def group_key(n):
        d = g.nodes[n]
        return (
            ("group", d["label"], d.get("sector") or "")
            if d["label"] == "Organization"
            else (
                "group",
                d["label"],
                "",
            )
        )

    slots = max_nodes
    while True:  # the groups take slots of their own
        rest = ranked[slots:]
        n_groups = len({group_key(n) for n in rest})
        if slots + n_groups <= max_nodes or slots <= 1:
            break
        slots = max_nodes - n_groups
    kept, rest = ranked[:slots], ranked[slots:]
    group_of = {n: group_key(n) for n in rest}
    groups: dict = {}
    for n, k in group_of.items():
        groups.setdefault(k, []).append(n)
    return kept, group_of, groups


def _ties(g, keep: set, group_of: dict, groups: dict, ids: dict, ties, highlight) -> dict:
    """One line per pair of drawn nodes (a folded node stands for its group) and kind of
    tie, with how many ties it stands for."""
    out: dict = {}
    for u, v, d in g.edges(data=True):
        u, v = (u if u in keep else group_of.get(u)), (v if v in keep else group_of.get(v))
        if u is None or v is None or u == v:
            continue
        t = d.get("type")
        if ties is not None and t not in ties:
            continue
        pair = (min(ids[u], ids[v]), max(ids[u], ids[v]), t)
        if pair in out:
            out[pair]["count"] += 1  # flows are listed in the node details
            continue
        lit = highlight is None or (u in highlight and v in highlight)
        out[pair] = {
            "from": ids[u],
            "to": ids[v],
            "type": t,
            "count": 1,
            "grouped": u in groups or v in groups,
            "color": EDGE_COLOURS.get(t, "#999999") if lit else "rgba(200,200,200,0.25)",
        }
    return out


def _add_group(net, node_id: int, key: tuple, members: list, g, pos: dict, details: dict):
    """One grey hexagon for a group of folded nodes, at their centre, sized by their count."""
    _, label, sector = key
    word = KIND_WORDS.get(label, label.lower())
    plural = word if len(members) == 1 else word + "s"
    what = f"{len(members):,} other {plural}" + (f" ({sector.replace('_', ' ')})" if sector else "")
    xs = [pos.get(n, (0.0, 0.0)) for n in members]
    x = sum(p[0] for p in xs) / len(xs)
    y = sum(p[1] for p in xs) / len(xs)
    money = sum(g.nodes[n].get("usd", 0.0) for n in members)
    top = sorted(members, key=lambda n: g.nodes[n].get("usd", 0.0), reverse=True)[:5]
    names = ", ".join(g.nodes[n]["name"] for n in top)
    net.add_node(
        node_id,
        label=what,
        title=f"{what}, grouped to keep the drawing readable\nKnown money: {_usd(money)}\n"
        f"Among them: {names}",
        shape="hexagon",
        color={"background": GROUP_COLOUR, "border": GROUP_COLOUR},
        size=round(16 + 5 * min(len(members), 10_000) ** 0.25, 1),
        x=round(x, 1),
        y=round(y, 1),
        physics=False,
        font={"color": "#222222", "size": 14},
    )
    details[node_id] = {
        "name": what,
        "kind": f"group of {word}s",
        "sector": sector.replace("_", " "),
        "countries": "",
        "money": _usd(money),
        "source": "",
        "quote": f"Among them: {names}",
    }


def _render(*, heading, nodes, edges, options, details, legend, height, notice, size_note) -> str:
    js, css = vis_assets()
    data = {
        "nodes": nodes,
        "edges": edges,
        "options": json.loads(options),
        "details": details,
        "notice": notice,
    }
    return str(
        render(
            "network.html.j2",
            title=heading,
            css=css,
            js=js,
            legend=legend,
            size_note=size_note,
            height=height,
            data=data,
        )
    )
