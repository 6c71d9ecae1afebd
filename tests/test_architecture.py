"""The layout's rules, checked on the source (see ``docs/architecture.md``).

Data flows one way: file → records (``loaders``) → store (``graph.store``) → analyses
(``graph.analyses`` over the formulas of ``graph.metrics``) → reports and pages
(``graph.reports``, ``views``). These tests read every module's syntax tree, so they count
imports inside functions too, and fail with the offending module and line.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("graph", "loaders", "views")
MAX_LINES = 600


@cache
def modules() -> dict[str, Path]:
    """Every project module: dotted name → file."""
    out = {"app": ROOT / "app.py"}
    for pkg in PACKAGES:
        for p in sorted((ROOT / pkg).rglob("*.py")):
            parts = p.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = p
    return out


@cache
def tree(name: str) -> ast.Module:
    return ast.parse(modules()[name].read_text(encoding="utf-8"))


def imports(name: str):
    """``(line, imported module, imported name or None)`` for every import in ``name``."""
    mods = modules()
    is_pkg = mods[name].name == "__init__.py"
    for node in ast.walk(tree(name)):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield node.lineno, a.name, None
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_pkg else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for a in node.names:
                sub = f"{target}.{a.name}"
                if sub in mods:
                    yield node.lineno, sub, None
                else:
                    yield node.lineno, target, a.name


def project_edges() -> dict[str, set[str]]:
    mods = modules()
    edges: dict[str, set[str]] = {m: set() for m in mods}
    for m in mods:
        for _line, target, _name in imports(m):
            t = target
            while t not in mods and "." in t:
                t = t.rsplit(".", 1)[0]
            if t in mods and t != m and t.split(".")[0] in (*PACKAGES, "app"):
                edges[m].add(t)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_the_checker_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle():
    assert cycles(project_edges()) == []


# Which top-level packages each layer may import (a ``__main__`` entry point may load files).
FORBIDDEN = {
    "graph": ("loaders", "views", "streamlit", "app"),
    "loaders": ("views", "streamlit", "app"),
}


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layers_import_only_downwards(layer):
    bad = []
    for m in modules():
        if m.split(".")[0] != layer or m == f"{layer}.__main__":
            continue
        for line, target, _ in imports(m):
            if target.split(".")[0] in FORBIDDEN[layer]:
                bad.append(f"{modules()[m].relative_to(ROOT)}:{line} imports {target}")
    assert bad == []


def test_the_store_layer_does_not_read_analyses_or_reports():
    bad = [
        f"{m}:{line} imports {t}"
        for m in modules()
        if m.startswith(("graph.store", "graph.metrics"))
        for line, t, _ in imports(m)
        if t.startswith(("graph.analyses", "graph.reports"))
        or (m.startswith("graph.metrics") and t.startswith("graph.store"))
    ]
    assert bad == []


def test_analyses_do_not_import_reports():
    bad = [
        f"{m}:{line} imports {t}"
        for m in modules()
        if m.startswith("graph.analyses")
        for line, t, _ in imports(m)
        if t.startswith("graph.reports")
    ]
    assert bad == []


def test_no_private_name_crosses_a_module():
    bad = []
    mods = modules()
    for m in mods:
        for line, target, name in imports(m):
            if name and name.startswith("_") and not name.startswith("__"):
                bad.append(f"{mods[m].relative_to(ROOT)}:{line} imports {target}.{name}")
        # ``module._name`` on a module imported under an alias
        aliases = {
            (a.asname or a.name.split(".")[-1])
            for node in ast.walk(tree(m))
            if isinstance(node, ast.ImportFrom | ast.Import)
            for a in node.names
        }
        for node in ast.walk(tree(m)):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                bad.append(
                    f"{mods[m].relative_to(ROOT)}:{node.lineno} uses {node.value.id}.{node.attr}"
                )
    assert bad == []


def test_no_module_over_600_lines():
    long = {
        str(p.relative_to(ROOT)): n
        for p in modules().values()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


CYPHER = re.compile(r"\b(MATCH|MERGE|UNWIND|DETACH DELETE)\b\s*[\(\$a-z]")


def test_pages_hold_no_cypher_and_no_formulas():
    bad = []
    for m, p in modules().items():
        if not m.startswith("views") and m != "app":
            continue
        for line, t, _ in imports(m):
            if t in ("graph.store.cypher", "numpy", "math", "scipy") or t.startswith(
                "graph.metrics"
            ):
                bad.append(f"{p.relative_to(ROOT)}:{line} imports {t}")
        for node in ast.walk(tree(m)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if CYPHER.search(node.value) and m != "views.collaborations":
                    bad.append(f"{p.relative_to(ROOT)}:{node.lineno} holds Cypher")
    assert bad == []


MARKUP = re.compile(r"<(html|body|table|tr|td|div|p|h[1-6]|script|svg|span|b)\b[^>]*>", re.I)


def test_html_is_rendered_by_templates_only():
    """No Python string builds HTML: markup lives in jinja2 templates (autoescaped)."""
    bad = []
    for m, p in modules().items():
        for node in ast.walk(tree(m)):
            if isinstance(node, ast.JoinedStr):
                text = "".join(
                    v.value
                    for v in node.values
                    if isinstance(v, ast.Constant) and isinstance(v.value, str)
                )
                if MARKUP.search(text):
                    bad.append(f"{p.relative_to(ROOT)}:{node.lineno}")
    assert bad == []


def test_every_template_environment_autoescapes():
    from graph.reports.templates import ENV

    names = ENV.list_templates(extensions=["j2"])
    assert names and all(n.endswith(".j2") for n in names)
    auto = ENV.autoescape
    assert all((auto(n) if callable(auto) else auto) is True for n in names)
    assert "<b>" not in ENV.from_string("{{ x }}").render(x="<b>")


def test_views_state_caches_one_function_per_query():
    src = (ROOT / "views" / "state.py").read_text(encoding="utf-8")
    t = ast.parse(src)
    funcs = [n for n in t.body if isinstance(n, ast.FunctionDef)]
    pairs = [f.name for f in funcs if any(a.arg == "_store" for a in f.args.args)]
    assert pairs == [], "cache through hash_funcs, not _x(key, _store) wrappers"
    cached = [
        f.name
        for f in funcs
        if any(
            isinstance(d, ast.Call) and ast.unparse(d.func).startswith("st.cache_")
            for d in f.decorator_list
        )
    ]
    assert len(cached) >= 10
