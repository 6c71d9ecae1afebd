"""The one jinja2 environment every HTML page, SVG chart and file the project produces is
rendered by, with autoescape on for every template: a value from data is always escaped, and
reaches a script only through ``|tojson``.

Examples
--------
>>> render_string("<b>{{ name }}</b>", name="<img src=x onerror=alert(1)>")
'<b>&lt;img src=x onerror=alert(1)&gt;</b>'
>>> sorted(ENV.list_templates(extensions=["j2"]))[:2]
['bars.svg.j2', 'board.html.j2']
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

__all__ = ["ENV", "Markup", "render", "render_string"]

#: The templates' folder (shipped with the package).
TEMPLATES = Path(__file__).resolve().parent

ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=False,
)

#: ``|tojson`` (data into a script) keeps the order of keys and writes other types as text.
ENV.policies["json.dumps_kwargs"] = {"sort_keys": False, "default": str}


def render(name: str, **context) -> Markup:
    """Render the template ``name`` (in this folder) with ``context``; the result is markup
    that can be put into another template as it is."""
    return Markup(ENV.get_template(name).render(**context))


def render_string(source: str, **context) -> str:
    """Render a template given as text (tests and doctests)."""
    return ENV.from_string(source).render(**context)
