"""Writing a simulated file's bytes: plain, or gzipped with a header that holds no name and no time (the same bytes every run)."""

from __future__ import annotations

import gzip
import os

__all__ = ["write_file"]


def write_file(data: bytes, path: str | os.PathLike[str], *, compress: bool = False) -> None:
    """Write ``data`` to ``path`` (its folder created), gzipped when ``compress``.

    ``filename=""`` and ``mtime=0`` keep the gzip header free of name and
    time, so the same data always gives the same bytes.
    """
    os.makedirs(os.path.dirname(os.fspath(path)) or ".", exist_ok=True)
    with open(path, "wb") as fh:
        if compress:
            with gzip.GzipFile(filename="", fileobj=fh, mode="wb", compresslevel=9, mtime=0) as gz:
                gz.write(data)
        else:
            fh.write(data)
