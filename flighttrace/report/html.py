"""Render the report's HTML pages from the jinja2 templates kept beside this module.

Autoescaping is on for every template: any string that came from a data file
(callsigns, registrations, file names, reasons) is HTML-escaped, so a hostile
value is shown as text and never becomes markup.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["PIECES_PER_WRITE", "css", "render", "render_to"]

PIECES_PER_WRITE: int = 4096
"""Pieces of rendered text joined and written at a time by :func:`render_to`."""


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


def _with_css(context: dict[str, Any]) -> dict[str, Any]:
    """``context`` with the stylesheet as ``css`` (markup: inlined as it is, not escaped)."""
    import markupsafe

    return {**context, "css": markupsafe.Markup(css())}


def render(template: str, **context: Any) -> str:
    """Render one template with ``context`` (autoescaped)."""
    return _env().get_template(template).render(**_with_css(context))


def render_to(path: Path, template: str, **context: Any) -> None:
    """Render one template (as :func:`render` does) straight into ``path``, UTF-8, a few thousand pieces at a time.

    The page is never held whole, nor as the list of all its pieces that
    :func:`render` joins: the evidence page of a large report is written with
    the memory of a few thousand pieces. The file's bytes are those of
    ``path.write_text(render(template, **context), encoding="utf-8")``.
    """
    pieces: list[str] = []
    with open(path, "w", encoding="utf-8") as fh:  # as Path.write_text opens it
        for piece in _env().get_template(template).generate(**_with_css(context)):
            pieces.append(piece)
            if len(pieces) >= PIECES_PER_WRITE:
                fh.write("".join(pieces))
                pieces.clear()
        fh.write("".join(pieces))
