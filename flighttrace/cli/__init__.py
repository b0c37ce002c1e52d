"""The ``flighttrace`` command: a thin layer over the library.

Each sub-command lives in a module of its own and only calls public
functions. Errors a user can fix are printed as one line and exit with code 2.
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="flighttrace",
    help="Flight-tracking evidence for journalists: read ADS-B files, rebuild legs and sorties, test claims.",
    epilog="\b\nExample:\n    flighttrace report seeds/azerbaijan-ovda.yaml --data fixtures/ovda/data --out out/ovda",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

def _load() -> None:
    """Import every command module of this package (each registers its commands on ``app``), and make every help text plain."""
    import pkgutil

    from flighttrace.cli._help import plain_help

    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"flighttrace.cli.{info.name}")
    plain_help(app)


def _print_version(value: bool) -> None:
    """``--version``: print the version and exit before any command is looked for."""
    if value:
        from flighttrace import __version__

        typer.echo(f"flighttrace {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", help="Print the flighttrace version and exit.", is_eager=True,
                                 callback=_print_version),
) -> None:
    """Flight-tracking evidence for journalists: read ADS-B files, rebuild legs and sorties, test claims.

    \b
    Example:
        flighttrace report seeds/azerbaijan-ovda.yaml --data fixtures/ovda/data --out out/ovda
    """


ARROW_POOL_ENV = "ARROW_DEFAULT_MEMORY_POOL"
"""The variable by which pyarrow chooses its allocator when it first allocates (``system``, ``mimalloc`` or ``jemalloc``)."""


def main() -> None:
    """Entry point of the console script.

    The command owns its process, so it has pyarrow allocate with the C
    library's allocator (unless :data:`ARROW_POOL_ENV` is set already):
    pyarrow's default, mimalloc, keeps freed pages for reuse, and a command
    that reads many files and then builds pages held on to them
    (``flighttrace report`` on the Ovda world peaked about 50 MB higher).
    With glibc, every thread then allocates from one arena
    (:func:`flighttrace._gc.one_malloc_arena`: memory pyarrow's reader
    threads free serves the rest of the command; about 7 MB lower).
    A library call never makes these choices for its caller.

    When the command ends, every object it made is frozen
    (:func:`gc.freeze`): the interpreter's last garbage collection, as the
    process exits, then skips them. That collection walked every object a
    report had made, to free memory the operating system takes back anyway:
    0.29–0.41 s after ``flighttrace report`` on the Ovda world (0.07 s frozen).
    Objects are still freed by reference counting and files are closed as
    before; only reference cycles are left to the end of the process.
    """
    import gc
    import os

    from flighttrace._gc import one_malloc_arena

    os.environ.setdefault(ARROW_POOL_ENV, "system")  # read by pyarrow on its first allocation, which comes later
    one_malloc_arena()  # before any thread allocates
    _load()
    try:
        app()
    finally:
        gc.freeze()  # the process ends here (typer exits with SystemExit): nothing left needs collecting
