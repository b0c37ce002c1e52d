"""Render the report's HTML pages from the jinja2 templates kept beside this module.

Autoescaping is on for every template: any string that came from a data file
(callsigns, registrations, file names, reasons) is HTML-escaped, so a hostile
value is shown as text and never becomes markup.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = ["render", "css"]


@lru_cache(maxsize=1)
def _env() -> Any:
    import jinja2

    folder = resources.files("flighttrace.report") / "templates"
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "j2"), default=True),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def css() -> str:
    """The report's stylesheet (inlined into every page, so the report works offline)."""
    return (resources.files("flighttrace.report") / "templates" / "style.css").read_text(encoding="utf-8")


def render(template: str, **context: Any) -> str:
    """Render one template with ``context`` (autoescaped)."""
    import markupsafe

    context = dict(context)
    context["css"] = markupsafe.Markup(css())
    return _env().get_template(template).render(**context)
