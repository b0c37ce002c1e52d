"""Help texts a reader can use: plain text (no ``<bool>`` type tags, no markup), usage lines with plain argument names.

Typer's rich help lists every option's Python type (``<bool>``,
``<list[Path]>``) and writes required arguments as ``{scenario}``.
:func:`plain_help` switches every command of the application, and of its
sub-groups, to plain help (``rich_markup_mode=None``), whose option list shows
flags as flags, and to :class:`PlainUsageCommand`, whose usage line names
arguments in capitals (``SCENARIO``, ``[REPORT]`` when optional). Each
command's docstring ends with an ``Example:`` block (kept as written by
click's ``\\b`` marker).
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperArgument, TyperCommand

__all__ = ["PlainUsageCommand", "plain_help"]


class PlainUsageCommand(TyperCommand):
    """A command whose usage line names its arguments ``NAME`` (required) or ``[NAME]`` (optional), not ``{name}``."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        """``[OPTIONS]`` then each argument by its name in capitals."""
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                name = (param.metavar or param.name or "").upper()
                name = name if param.required else f"[{name}]"
                pieces.append(name + ("..." if param.nargs != 1 else ""))
        return pieces


def plain_help(app: typer.Typer) -> None:
    """Plain help for every command of ``app`` and of its sub-groups (see the module docs)."""
    app.rich_markup_mode = None
    for info in app.registered_commands:
        if info.cls is None or info.cls is TyperCommand:
            info.cls = PlainUsageCommand
    for group in app.registered_groups:
        if group.typer_instance is not None:
            plain_help(group.typer_instance)
