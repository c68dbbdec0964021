"""app.files.write_atomic: whole files or none, and no temporary file left behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.files import write_atomic


def test_writes_creating_the_folder_and_replaces_whole(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "cache.json"
    write_atomic(target, b"first")
    write_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert [p.name for p in target.parent.iterdir()] == ["cache.json"]


def test_a_failed_write_raises_and_leaves_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(OSError):
        write_atomic(blocker / "cache.json", b"x")
    folder = tmp_path / "dir"
    folder.mkdir()
    (folder / "cache.json").mkdir()  # a folder where the file should go: the rename fails
    with pytest.raises(OSError):
        write_atomic(folder / "cache.json", b"x")
    assert [p.name for p in folder.iterdir()] == ["cache.json"]  # the temporary file is gone
