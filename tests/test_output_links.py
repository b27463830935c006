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


def test_symlinks_and_folders_the_web_team_put_in_site_are_kept_with_a_warning(project: Project, tmp_path: Path):
    project.config.write_text("title: Test gallery\n")    # no base_url: the site has no robots.txt of its own
    project.item("lw01-day")
    project.item("lw02-day", participant="LW02")
    project.build()
    docs = tmp_path / "srv" / "docs"
    docs.mkdir(parents=True)
    (docs / "guide.html").write_text("<p>the web team's docs</p>")
    (project.out / "docs").symlink_to(docs, target_is_directory=True)        # a symlinked folder
    (project.out / "robots.txt").symlink_to(docs / "guide.html")              # a symlink to a file
    (project.out / "gone").symlink_to(tmp_path / "nowhere")                   # a dangling symlink
    (project.out / "uploads" / "2024").mkdir(parents=True)                    # an empty folder
    withdraw(project, "lw02-day")
    result = project.build()
    assert (project.out / "docs").is_symlink() and os.readlink(project.out / "docs") == str(docs)
    assert os.readlink(project.out / "robots.txt") == str(docs / "guide.html")
    assert os.readlink(project.out / "gone") == str(tmp_path / "nowhere")
    assert (project.out / "uploads" / "2024").is_dir()
    assert (docs / "guide.html").read_text() == "<p>the web team's docs</p>"   # never followed, never deleted
    assert sorted(os.listdir(docs)) == ["guide.html"]
    warnings = sorted(line for line in result.stderr.splitlines() if "was not written by this tool" in line)
    assert warnings == [f"warning: site/{rel} was not written by this tool; kept as it was"
                        for rel in ("docs", "gone", "robots.txt", "uploads/2024/")]
    assert not (project.out / "items" / "lw02-day.html").exists()
    again = project.build()                      # nothing changed: the same warnings, the same links
    assert "Nothing changed" in again.stderr
    assert sorted(line for line in again.stderr.splitlines() if "was not written by this tool" in line) == warnings
    assert (project.out / "docs").is_symlink()
