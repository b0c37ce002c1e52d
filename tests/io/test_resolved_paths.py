"""A file's resolved path (for its custody and synthetic look-ups) is what ``os.path.realpath`` gives, links anywhere on the way."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flighttrace import _paths
from flighttrace.io.api import clear_lookup_caches


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    """real/a/b/f.json; link -> real; real/a/b/alias.json -> f.json; real/a/up -> .. (a loop back up); hop -> real/a/b (relative)."""
    (tmp_path / "real" / "a" / "b").mkdir(parents=True)
    (tmp_path / "real" / "a" / "b" / "f.json").write_text("{}")
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    (tmp_path / "real" / "a" / "b" / "alias.json").symlink_to("f.json")
    (tmp_path / "real" / "a" / "up").symlink_to("..", target_is_directory=True)
    (tmp_path / "hop").symlink_to(Path("real") / "a" / "b", target_is_directory=True)
    return tmp_path


def test_resolved_file_agrees_with_realpath_through_links(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clear_lookup_caches()
    cases = [
        tree / "real" / "a" / "b" / "f.json",
        tree / "link" / "a" / "b" / "f.json",  # a linked folder high up
        tree / "real" / "a" / "b" / "alias.json",  # the file itself a link
        tree / "real" / "a" / "up" / "a" / "b" / "f.json",  # a link to the parent, then down again
        tree / "hop" / "f.json",  # a relative link to a deep folder
        tree / "link" / "a" / ".." / "a" / "b" / "f.json",  # '..' after a link
        tree / "real" / "a" / "b" / "missing.json",  # not there (yet)
        tree / "link" / "nowhere" / "x.json",  # nor its folder
    ]
    for p in cases:
        assert _paths.resolved_file(p) == Path(os.path.realpath(p)), p
        assert _paths.resolved_file(str(p)) == Path(os.path.realpath(p)), p  # the second ask (cached) too
    monkeypatch.chdir(tree / "link" / "a")
    assert _paths.resolved_file(Path("b") / "f.json") == tree.resolve() / "real" / "a" / "b" / "f.json"
    assert _paths.resolved_file(Path("..") / "a" / "b" / "alias.json") == tree.resolve() / "real" / "a" / "b" / "f.json"


def test_a_folder_turned_into_a_link_is_seen_after_the_caches_are_cleared(tree: Path) -> None:
    clear_lookup_caches()
    f = tree / "work" / "f.json"
    f.parent.mkdir()
    f.write_text("{}")
    assert _paths.resolved_file(f) == tree.resolve() / "work" / "f.json"
    (tree / "work").rename(tree / "old")
    (tree / "work").symlink_to(tree / "real" / "a" / "b", target_is_directory=True)
    clear_lookup_caches()  # what every read does first
    assert _paths.resolved_file(f) == tree.resolve() / "real" / "a" / "b" / "f.json"
