"""Optional progress reporting shared by long-running stages.

``progress`` arguments across flighttrace accept ``False`` (silent, the
default in scripts and tests), ``True`` (a rich progress bar on stderr, or in
Jupyter), or a callable ``f(description, done, total)`` for custom reporting.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID

__all__ = ["ProgressArg", "Progress"]

ProgressArg = bool | Callable[[str, float, float | None], None]


class Progress:
    """A progress reporter: a rich bar, a callback, or nothing.

    Parameters
    ----------
    progress
        ``False``, ``True`` or a callable ``f(description, done, total)``.
    description
        What is being done.
    total
        Total amount of work (any unit), or ``None`` when unknown.
    """

    def __init__(self, progress: ProgressArg, description: str, total: float | None = None) -> None:
        self._callback = progress if callable(progress) else None
        self._enabled = progress is True
        self._description = description
        self._total = total
        self._done = 0.0
        self._bar: RichProgress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> Progress:
        if self._enabled:
            from rich.progress import BarColumn, TaskProgressColumn, TextColumn, TimeRemainingColumn
            from rich.progress import Progress as RichProgress

            bar = RichProgress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                TaskProgressColumn(),
                TimeRemainingColumn(),
                transient=False,
            )
            bar.__enter__()
            self._bar, self._task = bar, bar.add_task(self._description, total=self._total)
        return self

    def advance(self, amount: float = 1.0, description: str | None = None) -> None:
        """Record ``amount`` more work done, optionally changing the description."""
        self._done += amount
        if description is not None:
            self._description = description
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, advance=amount, description=self._description)
        if self._callback is not None:
            self._callback(self._description, self._done, self._total)

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.__exit__(et, ev, tb)
