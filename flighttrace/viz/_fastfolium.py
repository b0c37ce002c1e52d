"""folium elements that render in plain Python, for maps with thousands of tracks.

folium renders every element through a Jinja macro, then wraps the text it
produced in a new :class:`branca.element.Element`, which compiles that text as
a Jinja template of its own before the page is assembled. A map with 10,000
tracks (each a polyline, a popup with its HTML and a tooltip) spends most of
its time compiling those 40,000 throw-away templates.

The classes here are :class:`folium.PolyLine`, :class:`folium.Popup` and
:class:`folium.Tooltip` (instances of them, with the same options and
children) whose ``render`` writes the same script text with string formatting
and adds it to the page as :class:`Text`, which is never compiled. The text
is byte for byte what folium 0.20 writes (``tests/test_maps.py`` compares the
two), with one difference that is a fix: a data string holding ``{{`` or
``{%`` stays text, where folium would evaluate it as a template.

folium is imported on first use (:func:`classes`), never at import.
"""

from __future__ import annotations

import json
import os
import random
from types import SimpleNamespace
from typing import Any

__all__ = ["classes", "tojson"]

_NS: SimpleNamespace | None = None


def tojson(obj: Any) -> str:
    """JSON as Jinja's ``tojson`` filter writes it (sorted keys, ``<>&'`` escaped), which folium's templates use."""
    return (
        json.dumps(obj, sort_keys=True)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("'", "\\u0027")
    )


def _options_key(options: dict[str, Any]) -> tuple[Any, ...] | None:
    """A hashable key of a flat options dict, types included (``1``, ``1.0`` and ``True`` differ in JSON); None when a value is a container or object."""
    for v in options.values():
        if not (v is None or isinstance(v, (str, int, float, bool))):
            return None
    return tuple((k, type(v), v) for k, v in options.items())


_JSON_CACHE: dict[tuple[Any, ...], str] = {}
_JS_CACHE: dict[tuple[Any, ...], str] = {}


def _options_json(options: dict[str, Any]) -> str:
    """:func:`tojson` of an element's options, remembered (thousands of tracks share a handful of option sets)."""
    key = _options_key(options)
    if key is None:
        return tojson(options)
    text = _JSON_CACHE.get(key)
    if text is None:
        text = _JSON_CACHE[key] = tojson(options)
    return text


def _options_js(options: dict[str, Any]) -> str:
    """folium's ``tojavascript`` of an element's options, remembered."""
    from folium.template import tojavascript

    key = _options_key(options)
    if key is None:
        return str(tojavascript(options))
    text = _JS_CACHE.get(key)
    if text is None:
        text = _JS_CACHE[key] = str(tojavascript(options))
    return text


def classes() -> SimpleNamespace:
    """The fast element classes: ``PolyLine``, ``Popup``, ``Tooltip``, ``Html``, ``Text`` (made on first use).

    Returns
    -------
    types.SimpleNamespace
        ``PolyLine``, ``Popup``, ``Tooltip`` and ``Html`` subclass folium's
        classes of the same names (``isinstance`` checks and options are
        unchanged);
        ``Text`` is a :class:`branca.element.Element` holding finished text.
    """
    global _NS
    if _NS is not None:
        return _NS
    import folium
    from branca.element import Element, Figure, Html
    from markupsafe import escape

    class Text(Element):  # type: ignore[misc]
        """Finished page text: rendered as it is, where folium would compile it as a Jinja template first.

        A template source loses one final line break, and Jinja turns
        ``\\r\\n`` and ``\\r`` into ``\\n``: the text is stored that way, so
        that it reads as folium's did.
        """

        def __init__(self, text: str) -> None:
            super().__init__()
            self._name = "Text"
            if "\r" in text:
                text = text.replace("\r\n", "\n").replace("\r", "\n")
            self.text = text.removesuffix("\n")

        def render(self, **kwargs: Any) -> str:
            return str(self.text)

    prefixes: dict[str, str] = {}

    ids = random.Random(os.urandom(16))  # a private generator: the user's random module state is left alone

    class Named:
        """``get_name`` with the camel-cased class name worked out once per class name, not on every call.

        Element ids (which :func:`flighttrace.viz.maps.render_map` renames in
        order of appearance anyway) come from a private generator seeded by
        ``os.urandom``, not from one ``os.urandom`` call per element.
        """

        _id: str
        _name: str

        @classmethod
        def _generate_id(cls) -> str:
            return f"{ids.getrandbits(128):032x}"

        def get_name(self) -> str:
            prefix = prefixes.get(self._name)
            if prefix is None:
                full = str(super().get_name())  # type: ignore[misc]
                prefixes[self._name] = full[: len(full) - len(self._id)]
                return full
            return prefix + self._id

    def _figure(el: Any) -> Any:
        figure = el.get_root()
        if not isinstance(figure, Figure):
            raise AssertionError("You cannot render this Element if it is not in a Figure.")  # noqa: TRY004 (folium's own check)
        return figure

    def _html_text(el: Any, kwargs: dict[str, Any]) -> str:
        """What a popup's content element renders to (branca's Html template, or the element's own render)."""
        if type(el) is Html or type(el) is FastHtml:
            data = el.data if el.script else str(escape(el.data))
            return (f'<div id="{el.get_name()}" style="width: {el.width[0]}{el.width[1]}; '
                    f'height: {el.height[0]}{el.height[1]};">{data}</div>')
        return str(el.render(**kwargs))

    class FastHtml(Named, Html):  # type: ignore[misc]
        """A :class:`branca.element.Html` whose name is quick to make (its text is written by :class:`Popup`)."""

    class PolyLine(Named, folium.PolyLine):  # type: ignore[misc]
        """A :class:`folium.PolyLine` that renders without Jinja.

        With ``validated=True`` the locations are taken as they are: lists of
        ``[lat, lon]`` Python floats, all finite (or lists of such lists),
        which folium would otherwise check one point at a time.
        """

        def __init__(self, locations: Any, popup: Any = None, tooltip: Any = None, *, validated: bool = False, **kwargs: Any) -> None:
            if not validated:
                super().__init__(locations, popup=popup, tooltip=tooltip, **kwargs)
                return
            super().__init__([[0.0, 0.0], [0.0, 0.0]], popup=popup, tooltip=tooltip, **kwargs)  # everything but the check of each point
            self.locations = locations

        def render(self, **kwargs: Any) -> None:
            figure = _figure(self)
            text = (f"\n            var {self.get_name()} = L.polyline(\n                {tojson(self.locations)},\n"
                    f"                {_options_json(self.options)}\n            ).addTo({self._parent.get_name()});\n        ")
            figure.script.add_child(Text(text), name=self.get_name())
            for child in list(self._children.values()):
                child.render(**kwargs)

    class Tooltip(Named, folium.Tooltip):  # type: ignore[misc]
        """A :class:`folium.Tooltip` that renders without Jinja."""

        def render(self, **kwargs: Any) -> None:
            figure = _figure(self)
            style = getattr(self, "style", None)
            attr = f" style={tojson(style)}" if style else ""
            text = (f"\n            {self._parent.get_name()}.bindTooltip(\n                `<div{attr}>\n                     {self.text}\n"
                    f"                 </div>`,\n                {_options_js(self.options)}\n            );\n        ")
            figure.script.add_child(Text(text), name=self.get_name())
            for child in list(self._children.values()):
                child.render(**kwargs)

    class Popup(Named, folium.Popup):  # type: ignore[misc]
        """A :class:`folium.Popup` that renders without Jinja."""

        def render(self, **kwargs: Any) -> None:
            for child in list(self._children.values()):
                child.render(**kwargs)
            figure = _figure(self)
            name, parent = self.get_name(), self._parent.get_name()
            parts = [f"\n        var {name} = L.popup({_options_js(self.options)});\n\n        "]
            for key, el in self.html._children.items():
                content = _html_text(el, kwargs).replace("\n", " ")
                if self.lazy:
                    parts.append(f"\n            \n                {parent}.once('click', function() {{\n"
                                 f"                    {name}.setContent($(`{content}`)[0]);\n                }});\n            \n        ")
                else:
                    parts.append(f"\n            \n                var {key} = $(`{content}`)[0];\n"
                                 f"                {name}.setContent({key});\n            \n        ")
            parts.append(f"\n\n        {parent}.bindPopup({name})\n        {'.openPopup()' if self.show else ''};\n\n        ")
            for el in self.script._children.values():
                parts.append(f"\n            {el.render()}\n        ")
            parts.append("\n    ")
            figure.script.add_child(Text("".join(parts)), name=name)

    ns = SimpleNamespace(PolyLine=PolyLine, Popup=Popup, Tooltip=Tooltip, Html=FastHtml, Text=Text)
    for cls in (PolyLine, Popup, Tooltip, FastHtml, Text):  # picklable by reference, like SortieMap
        cls.__module__ = __name__
        cls.__qualname__ = cls.__name__
        globals()[cls.__name__] = cls
    _NS = ns
    return ns
