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

from graph.analyses.folding import MAX_NODES, drawn_part
from graph.reports.templates import render
from views.fmt import label_of, usd

__all__ = [
    "TIE_KINDS",
    "TIE_WAYS",
    "SECTOR_COLOURS",
    "KIND_COLOURS",
    "MAX_NODES",
    "vis_assets",
    "build_network_html",
]

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

#: Each kind of tie said from either end: (from the node at its start, from its end).
TIE_WAYS = {
    "PARTNER_IN": ("partner in", "has as partner"),
    "FUNDS": ("gives money to", "receives money from"),
    "MEMBER_OF": ("member of", "has as member"),
    "ORGANIZED": ("organized", "organized by"),
    "PART_OF_PROJECT": ("event of project", "has the event"),
    "PART_OF": ("unit of", "has the unit"),
    "POOLS": ("pooled fund that includes", "in the pooled fund"),
}

SECTOR_COLOURS = {
    "government": "#1f77b4",
    "un_system": "#009edb",
    "university": "#9467bd",
    "private_company": "#ff7f0e",
    "foundation": "#2ca02c",
    "ngo": "#8c564b",
    "network": "#17becf",  # not the pink of the kind "network" (triangles)
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


def _short(text: str, n: int = 28) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _usd(x: float) -> str:
    return usd(x) if x else "no known amount"


def _colour(label: str, sector, colour_by: str) -> str:
    if colour_by == "sector" and label == "Organization":
        return SECTOR_COLOURS.get(sector or "other", SECTOR_COLOURS["other"])
    return KIND_COLOURS.get(label, "#999999")


def build_network_html(
    drawing,
    pos,
    *,
    centrality: pd.DataFrame | None = None,
    colour_by: str = "sector",
    size_by: str = "money",
    highlight: set | None = None,
    visible: set | None = None,
    ties: set | None = None,
    sources: dict | None = None,
    places: dict | None = None,
    marked: set | None = None,
    heading: str = "Partnership network",
    centre: str | None = None,
    height: int = 640,
    max_nodes: int = MAX_NODES,
) -> tuple[str, dict]:
    """Render the network as one self-contained HTML page.

    Parameters
    ----------
    drawing : graph.analyses.drawing.PartnerDrawing
        The nodes and ties (:func:`graph.analyses.drawing.partner_drawing`).
    pos : array of shape (nodes, 2)
        Positions, one row per node of ``drawing.nodes``, computed once on the whole graph
        (:func:`graph.analyses.layout.positions`).
    centrality : DataFrame, optional
        :func:`graph.analyses.network.centrality` (``label``, ``id``, ``betweenness``); needed
        only to size by betweenness.
    colour_by : {"sector", "kind"}
    size_by : {"money", "centrality", "none"}
    highlight : set, optional
        Node keys that match the filters; the others are drawn dim. ``None`` = all.
    visible : set, optional
        Node keys to draw at all (the ego view); ``None`` = all.
    ties : set, optional
        Relationship types to draw; ``None`` = all.
    sources : dict, optional
        Source id → title, shown with each node's provenance.
    places : dict, optional
        Country code → name, for the countries a node is tied to.
    marked : set, optional
        Node keys drawn with a red border (e.g. donors removed in a scenario).
    centre : str, optional
        The node key the first view centres on (the ego view), fitted so every drawn node
        shows; without it the first view fits the largest connected group of drawn nodes,
        whose main nodes carry readable labels.
    max_nodes : int
        Above this many visible nodes, the most important are drawn one by one and the rest
        folded into grey groups (:func:`graph.analyses.folding.drawn_part`).

    Returns
    -------
    html : str
    info : dict
        ``shown``, ``total``, ``capped`` (bool), ``edges``, ``grouped``, ``groups``,
        ``kept_by``, ``outside`` (drawn nodes outside the group the first view fits).
    """
    sources = sources or {}
    places = places or {}
    part = drawn_part(
        drawing,
        pos,
        centrality=centrality,
        size_by=size_by,
        highlight=highlight,
        visible=visible,
        ties=ties,
        marked=marked,
        max_nodes=max_nodes,
    )
    nodes = part.nodes
    main_labels = _main_nodes(nodes, size_by)
    net = Network(height=f"{height}px", width="100%", directed=True, cdn_resources="in_line")
    max_usd = max(float(nodes["usd"].max()) if len(nodes) else 0.0, 1.0)
    max_c = max(float(nodes["betweenness"].max()) if len(nodes) else 0.0, 1e-9)
    max_deg = float(nodes["degree"].max()) if len(nodes) else 0.0
    details = {}
    for i, r in enumerate(nodes.itertuples(index=False)):
        if size_by == "money":
            weight = (r.usd / max_usd) ** 0.5
        elif size_by == "centrality":
            weight = (r.betweenness / max_c) ** 0.5
        else:
            weight = 0.0
        size = 9 + 26 * weight
        if r.label == "Project":
            size *= 0.75  # a square of the same "size" looks much bigger than a circle
        # labels of important nodes are drawn larger, so they stay readable when zoomed out
        # while the rest appear as one zooms in (vis' label drawThreshold)
        importance = max(weight, (r.degree / max_deg) ** 0.5 if max_deg else 0.0)
        colour = _colour(r.label, r.sector, "kind" if colour_by == "kind" else "sector")
        colour = colour if r.lit else DIM
        kind_word = KIND_WORDS.get(r.label, r.label.lower())
        sector = label_of(r.sector) if r.sector else ""
        net.add_node(
            i,
            label=_short(r.short),
            title=_tooltip(r, kind_word, sector, places),
            shape=KIND_SHAPES.get(r.label, "dot"),
            color={"background": colour, "border": "#d62728" if r.marked else colour},
            borderWidth=4 if r.marked else 1,
            size=round(size, 1),
            x=round(r.x, 1),
            y=round(r.y, 1),
            physics=False,
            font={
                "color": "#222222" if r.lit else "#bbbbbb",
                "size": 22 if i in main_labels else round(9 + 5 * importance),
                "strokeWidth": 3 if i in main_labels else 0,
                "strokeColor": "#ffffff",
            },
        )
        details[i] = {
            "name": r.name,
            "kind": kind_word,
            "sector": sector,
            "countries": _places(r.countries, places),
            "money": _usd(r.usd),
            "source": sources.get(r.source_id, r.source_id or ""),
            "quote": r.quote or "",
        }
    for i, group in enumerate(part.groups):
        _add_group(net, len(nodes) + i, group, details)
    lines = part.lines
    for a, b, kind, count, grouped, lit in zip(
        *(lines[c].tolist() for c in ("from", "to", "type", "count", "grouped", "lit")),
        strict=True,
    ):
        words = TIE_KINDS.get(kind, kind.replace("_", " ").lower())
        net.add_edge(
            int(a),
            int(b),
            title=f"{count:,} ties: {words}" if grouped else words,
            color=EDGE_COLOURS.get(kind, "#999999") if lit else "rgba(200,200,200,0.25)",
            width=(2 if kind == "FUNDS" else 1) + (min(4.0, count**0.5 / 3) if grouped else 0),
            arrows="to" if kind == "FUNDS" else "",
        )
    net.options = {
        "physics": {"enabled": False},
        "interaction": {"hover": True, "tooltipDelay": 120, "navigationButtons": False},
        "edges": {"smooth": False},
        # the main nodes' labels (22 px) read in the first view; the rest (9–14 px) appear
        # as one zooms in
        "nodes": {"borderWidth": 1, "scaling": {"label": {"enabled": False, "drawThreshold": 11}}},
    }
    vis_nodes, vis_edges, _h, _hh, _w, options = net.get_network_data()
    legend_items = (
        [(k, KIND_COLOURS[k], KIND_WORDS[k]) for k in KIND_COLOURS]
        if colour_by == "kind"
        else [(k, c, "organization: " + label_of(k)) for k, c in SECTOR_COLOURS.items()]
        + [
            (k, KIND_COLOURS[k], KIND_WORDS[k] + " (" + SHAPE_WORDS[KIND_SHAPES[k]] + ")")
            for k in ("Project", "Network", "Event")
        ]
    )
    if part.groups:
        legend_items.append(
            ("group", GROUP_COLOUR, "a group of nodes not drawn one by one (hexagon)")
        )
    info = {
        "shown": len(nodes),
        "total": part.total,
        "capped": part.capped,
        "edges": len(part.lines),
        "grouped": part.grouped,
        "groups": len(part.groups),
        "kept_by": _KEPT_BY.get(size_by, _KEPT_BY["none"]),
    }
    keys = nodes["key"].tolist()
    centre_id = keys.index(centre) if centre is not None and centre in keys else None
    focus = _focus(len(nodes), part.lines) if centre_id is None else list(range(len(nodes)))
    info["outside"] = len(nodes) - len(focus)
    page = _render(
        heading=heading,
        focus=focus,
        centre=centre_id,
        sizes=_size_key(size_by, max_usd),
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
            f"Showing the {len(nodes):,} of {part.total:,} nodes with {info['kept_by']}; the "
            f"other {part.grouped:,} are drawn as {len(part.groups):,} grey groups (hexagons), "
            "one per kind and sector, with their ties counted. Narrow the filters or use the "
            "ego view to see them one by one."
            if part.capped
            else ""
        ),
    )
    return page, info


#: Shapes in words, for the legend.
SHAPE_WORDS = {"dot": "circle", "square": "square", "triangle": "triangle", "diamond": "diamond"}
#: How many nodes the first view labels large enough to read.
MAIN_LABELS = 8


def _main_nodes(nodes: pd.DataFrame, size_by: str) -> set[int]:
    """The drawing ids of the few nodes whose labels a first look should read: the most
    money (or betweenness) and the most ties."""
    if not len(nodes):
        return set()
    by = {"money": "usd", "centrality": "betweenness"}.get(size_by, "degree")
    order = nodes.reset_index(drop=True)
    top = order.sort_values([by, "degree"], ascending=False, kind="stable").index[
        : MAIN_LABELS // 2
    ]
    busy = order.sort_values("degree", ascending=False, kind="stable").index[:MAIN_LABELS]
    return {int(i) for i in top} | {int(i) for i in busy[: MAIN_LABELS - len(top)]}


def _focus(n: int, lines: pd.DataFrame) -> list[int]:
    """The drawing ids of the largest connected group of drawn nodes (union–find over the
    lines; at most a thousand nodes): what the first view is fitted to, so a few isolated
    nodes far out do not shrink the picture."""
    parent = list(range(n))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in zip(lines["from"].tolist(), lines["to"].tolist(), strict=True):
        if a < n and b < n:
            parent[root(a)] = root(b)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(root(i), []).append(i)
    return max(groups.values(), key=len) if groups else []


def _size_key(size_by: str, max_usd: float) -> list[tuple[int, str]]:
    """The size legend: a few circle diameters (px, at a zoom that shows the whole drawing
    at about 0.6) and what each stands for (a node's area grows with its money)."""
    if size_by == "money":
        return [(11, "no known money"), (26, usd(max_usd / 4)), (42, usd(max_usd))]
    if size_by == "centrality":
        return [(11, "no broker role"), (42, "the strongest broker")]
    return []


def _places(codes: str, places: dict) -> str:
    """ISO3 codes joined by ", " as the countries' names.

    >>> _places("KAZ, RUS", {"KAZ": "Kazakhstan"})
    'Kazakhstan, RUS'
    """
    if not codes:
        return ""
    return ", ".join(places.get(c, c) for c in str(codes).split(", "))


def _tooltip(r, kind_word: str, sector: str, places: dict) -> str:
    """What hovering over a node says: name, kind and sector, countries, years, money."""
    lines = [r.name, kind_word + (f" · {sector}" if sector else "")]
    if r.countries:
        lines.append("Countries: " + _places(r.countries, places))
    if not pd.isna(r.first_year):
        a, b = int(r.first_year), int(r.last_year)
        lines.append(f"Years: {a}" + (f"–{b}" if b != a else ""))
    lines.append("Known money: " + _usd(r.usd))
    return "\n".join(lines)


#: What the drawing keeps above its cap, by what the nodes are sized by.
_KEPT_BY = {
    "money": "the most known money",
    "centrality": "the highest betweenness",
    "none": "the most ties",
}
GROUP_COLOUR = "#9e9e9e"


def _add_group(net, node_id: int, group, details: dict):
    """One grey hexagon for a group of folded nodes, at their centre, sized by their count."""
    word = KIND_WORDS.get(group.label, group.label.lower())
    plural = word if group.members == 1 else word + "s"
    sector = label_of(group.sector) if group.sector else ""
    what = f"{group.members:,} other {plural}" + (f" ({sector})" if sector else "")
    names = ", ".join(group.top)
    net.add_node(
        node_id,
        label=what,
        title=f"{what}, grouped to keep the drawing readable\nKnown money: {_usd(group.usd)}\n"
        f"Among them: {names}",
        shape="hexagon",
        color={"background": GROUP_COLOUR, "border": GROUP_COLOUR},
        size=round(16 + 5 * min(group.members, 10_000) ** 0.25, 1),
        x=round(group.x, 1),
        y=round(group.y, 1),
        physics=False,
        font={"color": "#222222", "size": 14},
    )
    details[node_id] = {
        "name": what,
        "kind": f"group of {word}s",
        "sector": sector,
        "countries": "",
        "money": _usd(group.usd),
        "source": "",
        "quote": f"Among them: {names}",
    }


def _render(
    *,
    heading,
    nodes,
    edges,
    options,
    details,
    legend,
    height,
    notice,
    size_note,
    focus,
    centre,
    sizes,
) -> str:
    js, css = vis_assets()
    data = {
        "nodes": nodes,
        "edges": edges,
        "options": json.loads(options),
        "details": details,
        "notice": notice,
        "focus": focus,
        "centre": centre,
    }
    return str(
        render(
            "network.html.j2",
            title=heading,
            css=css,
            js=js,
            legend=legend,
            size_note=size_note,
            sizes=sizes,
            height=height,
            data=data,
        )
    )
