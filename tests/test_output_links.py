"""Symlinks at and inside the output folder: a symlinked site/ (the served folder) is the folder
replaced, and a symlink the web team put inside site/ is kept, never followed, never deleted."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import Project
from test_build_lock import withdraw


def served_site(project: Project, tmp_path: Path) -> Path:
    """site/ -> a served folder elsewhere, as in a common deployment; two items built into it."""
    target = tmp_path / "x" / "www" / "gallery"
    target.mkdir(parents=True)
    project.out.symlink_to(target, target_is_directory=True)
    project.item("lw01-day")
    project.item("lw02-day", participant="LW02")
    project.build()
    assert project.out.is_symlink()
    assert (target / "items" / "lw02-day.html").is_file()
    return target


def test_a_symlinked_site_is_built_into_the_served_folder(project: Project, tmp_path: Path):
    target = served_site(project, tmp_path)
    withdraw(project, "lw02-day")
    result = project.build()
    assert "Removed from site/: lw02-day" in result.stderr
    assert project.out.is_symlink() and os.readlink(project.out) == str(target)
    left = sorted(str(p.relative_to(target)) for p in target.rglob("*lw02*"))
    assert left == []
    assert (target / "items" / "lw01-day.html").is_file()
    beside = sorted(p.name for p in target.parent.iterdir())
    assert beside == ["gallery"], beside          # no staging or previous-site folder left beside it
    assert sorted(p.name for p in project.root.iterdir() if p.name.startswith(".gallery-")) == []
    assert "Nothing changed" in project.build().stderr


def test_a_leftover_beside_the_served_folder_is_never_answered_by_the_no_op_path(project: Project, tmp_path: Path):
    target = served_site(project, tmp_path)
    leftover = target.parent / ".gallery-old-gallery-999999"
    (leftover / "items").mkdir(parents=True)
    (leftover / "items" / "lw09-day.html").write_text("<p>a withdrawn item</p>")
    result = project.build()
    assert "Nothing changed" not in result.stderr
    assert not leftover.exists()


def test_a_symlinked_site_whose_folder_is_missing_gets_it_made(project: Project, tmp_path: Path):
    target = tmp_path / "x" / "www" / "gallery"          # not made yet: the link dangles
    project.out.symlink_to(target, target_is_directory=True)
    project.item("lw01-day")
    project.build()
    assert project.out.is_symlink()
    assert (target / "items" / "lw01-day.html").is_file()
