"""Public names of a package loaded on first use (PEP 562), written once for every package that does it.

A package lists where each public name lives; :func:`lazy_exports` returns
the module ``__getattr__`` and ``__dir__`` that import the name's module on
first access and keep the value, so importing the package itself imports
nothing heavy.

>>> __getattr__, __dir__ = lazy_exports(__name__, {"read": "flighttrace.io.api"})  # doctest: +SKIP

:func:`by_module` writes that mapping from each module's names.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["by_module", "lazy_exports"]


def by_module(names: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Public name → its module, from each module's names (the ``exports`` of :func:`lazy_exports`, each module written once).

    >>> by_module({"flighttrace.scenario.load": ("load_scenario", "parse_scenario")})
    {'load_scenario': 'flighttrace.scenario.load', 'parse_scenario': 'flighttrace.scenario.load'}
    """
    return {name: module for module, listed in names.items() for name in listed}


def lazy_exports(
    package: str, exports: Mapping[str, str], modules: Mapping[str, str] | None = None, *, names: Iterable[str] = ()
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of a package whose public names load on first use.

    Parameters
    ----------
    package
        The package's ``__name__``.
    exports
        Public name → the module that defines it (the value is kept in the
        package after the first access).
    modules
        Public name → a module that the name stands for (importing it binds
        it on the package too).
    names
        Further names ``dir()`` lists (those the package defines itself).

    Returns
    -------
    tuple
        ``(__getattr__, __dir__)``, to assign in the package's ``__init__``.
    """
    namespace = sys.modules[package].__dict__
    subs = dict(modules or {})
    listed = sorted({*exports, *subs, *names})

    def __getattr__(name: str) -> Any:
        if name in subs:
            return importlib.import_module(subs[name])
        mod = exports.get(name)
        if mod is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(mod), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return listed

    return __getattr__, __dir__
