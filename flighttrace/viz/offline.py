"""The front-end libraries of the maps, shipped in the package and written into each page.

folium links Leaflet, jQuery, Bootstrap and a few icon fonts from five
CDNs; a page that loads them tells those servers that it was opened, and
offline it shows a blank panel. flighttrace's maps carry what they need
inside the page instead (``<script>`` and ``<style>`` blocks), from
``flighttrace/viz/static/vendor/`` (copied unchanged from the npm registry
by ``scripts/vendor_web_assets.py``, licences beside each file):

* Leaflet 1.9.4 (BSD-2-Clause), for every map;
* Leaflet.TimeDimension 1.1.1 (MIT), iso8601-js-period 0.2.1 (Apache-2.0)
  and Moment.js 2.30.1 (MIT), for a map with a time slider.

jQuery and Bootstrap are not needed (no element of these maps uses them)
and are not written. The images that Leaflet's stylesheet refers to are
written into it as ``data:`` URLs; the time slider's icon font (Glyphicons,
from a CDN) is replaced by plain Unicode symbols.

Nothing here is compiled as a template: :class:`RawHTML` writes its text as
it is, where a :class:`branca.element.Element` would compile it with Jinja.
"""

from __future__ import annotations

import base64
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from branca.element import Element, Figure

if TYPE_CHECKING:  # pragma: no cover
    from importlib.resources.abc import Traversable

__all__ = ["LEAFLET", "LICENCES", "TIME_DIMENSION", "VENDORED", "RawHTML", "add_assets", "asset_text", "licence_text", "shipped", "write_licences"]

_PACKAGE: Final = "flighttrace.viz"
VENDORED: Final = ("leaflet", "timedimension", "iso8601", "moment")
"""The folders of ``static/vendor/``: the npm packages' files, unchanged. The rest of ``static/`` is flighttrace's
(its README, and the basemap built from world-atlas); a file is named by its path below one or the other."""

LEAFLET: Final = (("leaflet_css", "leaflet/leaflet.css"), ("leaflet", "leaflet/leaflet.js"))
"""Header entries of every map: (name in the page's header, file as :func:`shipped` names it)."""
TIME_DIMENSION: Final = (
    ("iso8601", "iso8601/iso8601.js"),
    ("moment", "moment/moment.min.js"),
    ("leaflet.timedimension", "timedimension/leaflet.timedimension.min.js"),
    ("leaflet.timedimension_css", "timedimension/leaflet.timedimension.control.min.css"),
)
"""Header entries of a map with a time slider, after :data:`LEAFLET`."""

_TIME_ICONS: Final = (
    ".leaflet-bar-timecontrol .leaflet-control-timecontrol:before{font-family:sans-serif}"
    '.timecontrol-play:before{content:"\\25B6"}.timecontrol-play.pause:before{content:"\\2016"}'
    '.timecontrol-backward:before{content:"\\25C0"}.timecontrol-forward:before{content:"\\25B6\\25B6";letter-spacing:-3px}'
    '.timecontrol-stop:before{content:"\\25A0"}.timecontrol-loop:before{content:"\\21BB"}'
    '.timecontrol-speed:before{content:"\\00BB"}a.timecontrol-play.loading:before,.timecontrol-date.loading:before{content:"\\231B"}'
)
"""The time slider's button symbols, in place of the Glyphicons font its stylesheet would fetch."""

LICENCES: Final = (
    "README.md", "leaflet/LICENSE", "timedimension/LICENSE", "iso8601/LICENSE", "moment/LICENSE", "basemap/LICENSE-world-atlas",
)
"""The licence texts of what the pages embed, and the table naming each package, version and licence (as :func:`shipped` names them)."""
_BASEMAP_NOTICE: Final = "Basemap: Natural Earth (public domain), made with Natural Earth; converted from the npm package world-atlas 2.0.2"
"""What the page says of the basemap data it carries, before world-atlas's ISC notice."""

_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}", re.DOTALL)
_CSS_URL = re.compile(r"url\(\s*['\"]?(images/[A-Za-z0-9_.-]+\.png)['\"]?\s*\)")


class RawHTML(Element):
    """Finished page text (a ``<script>``, ``<style>`` or HTML block), written as it is.

    A plain :class:`branca.element.Element` compiles its text as a Jinja
    template: a title or a registration holding ``{{ … }}`` would be
    evaluated and ``{#`` would stop the page. This one is never compiled.

    Parameters
    ----------
    text
        The text; the caller escapes what came from data.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "RawHTML"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        """The text, unchanged."""
        return self.text


def shipped(path: str) -> Traversable:
    """A file of the package's ``static/`` folder, by name.

    Parameters
    ----------
    path
        ``leaflet/leaflet.js`` (a folder of :data:`VENDORED`: under
        ``static/vendor/``), ``basemap/LICENSE-world-atlas``, ``README.md``
        (under ``static/``). The name is also the file's path in a report's
        ``licences/`` folder.

    Returns
    -------
    importlib.resources.abc.Traversable
        The file in the installed package.
    """
    parts = path.split("/")
    static = resources.files(_PACKAGE).joinpath("static")
    return (static.joinpath("vendor") if parts[0] in VENDORED else static).joinpath(*parts)


@lru_cache(maxsize=16)
def asset_text(path: str) -> str:
    """A library's file as it goes into a page.

    Parameters
    ----------
    path
        As :func:`shipped` names it (``leaflet/leaflet.js`` …).

    Returns
    -------
    str
        JavaScript as shipped; CSS with its ``images/*.png`` as ``data:``
        URLs and its ``@font-face`` rules (web fonts from a CDN) left out.
        ``</`` never appears in it, so it cannot end the block it goes in.
    """
    text = shipped(path).read_text(encoding="utf-8")
    if path.endswith(".css"):
        folder = shipped(path.rsplit("/", 1)[0])

        def data_url(m: re.Match[str]) -> str:
            png = folder.joinpath(*m.group(1).split("/")).read_bytes()
            return f"url(data:image/png;base64,{base64.b64encode(png).decode('ascii')})"

        text = _CSS_URL.sub(data_url, _FONT_FACE.sub("", text))
    return text.replace("</", "<\\/")


@lru_cache(maxsize=8)
def licence_text(path: str) -> str:
    """A licence file of :data:`LICENCES`, as text with ``\\n`` line ends."""
    return shipped(path).read_text(encoding="utf-8").replace("\r\n", "\n")


def _block(path: str) -> str:
    """A library as a ``<style>`` or ``<script>`` block; a script starts with its folder's whole licence in a comment."""
    body = asset_text(path)
    if path.endswith(".css"):
        return f"<style>{body}</style>"
    folder = path.split("/")[0]
    lic = f"{folder}/LICENSE"
    head = f"/*! {path}: the licence it is used under ({lic})\n\n{licence_text(lic).rstrip()}\n*/\n" if lic in LICENCES else ""
    return f"<script>{head}{body}</script>"


def write_licences(folder: Path) -> list[Path]:
    """Write the licences of the libraries and the map data the pages embed into ``folder`` (created), as :data:`LICENCES` names them.

    Parameters
    ----------
    folder
        A new folder of the report (``licences/``).

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    out = []
    for rel in LICENCES:  # a few small files
        target = folder.joinpath(*rel.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(shipped(rel).read_bytes())  # as shipped, byte for byte
        out.append(target)
    return out


def add_assets(figure: Figure, entries: tuple[tuple[str, str], ...]) -> None:
    """Write libraries into a page's header, once each (an entry of the same name is replaced).

    Parameters
    ----------
    figure
        The page (a map's root).
    entries
        ``(name, path)`` pairs: :data:`LEAFLET`, :data:`TIME_DIMENSION`.
    """
    for name, path in entries:
        figure.header.add_child(RawHTML(_block(path)), name=name)
    if entries is LEAFLET:
        notice = f"{_BASEMAP_NOTICE}:\n\n{licence_text('basemap/LICENSE-world-atlas').rstrip()}"
        figure.header.add_child(RawHTML(f"<!--\n{notice}\n-->"), name="basemap_licence")
    if entries is TIME_DIMENSION:
        figure.header.add_child(RawHTML(f"<style>{_TIME_ICONS}</style>"), name="leaflet.timedimension_icons")


def offline_timestamped_geojson(data: dict[str, Any], **kwargs: Any) -> Element:
    """A :class:`folium.plugins.TimestampedGeoJson` whose libraries are written into the page, not linked.

    Parameters
    ----------
    data
        The GeoJSON of the moving features (``properties.times``).
    **kwargs
        Options of :class:`folium.plugins.TimestampedGeoJson`.

    Returns
    -------
    folium.plugins.TimestampedGeoJson
        With no ``default_js``/``default_css`` (folium would link jQuery,
        jQuery UI, Moment and TimeDimension from CDNs): its render writes
        :data:`TIME_DIMENSION` into the header instead.
    """
    return _timestamped_class()(data, **kwargs)


@lru_cache(maxsize=1)
def _timestamped_class() -> type:
    from folium.plugins import TimestampedGeoJson

    class OfflineTimestampedGeoJson(TimestampedGeoJson):
        """:class:`folium.plugins.TimestampedGeoJson` with its libraries inlined."""

        default_js: list[tuple[str, str]] = []  # noqa: RUF012 (folium's own annotation)
        default_css: list[tuple[str, str]] = []  # noqa: RUF012

        def render(self, **kwargs: Any) -> str:
            root = self.get_root()
            if isinstance(root, Figure):
                add_assets(root, TIME_DIMENSION)
            return str(super().render(**kwargs))

    OfflineTimestampedGeoJson.__module__ = __name__
    return OfflineTimestampedGeoJson
