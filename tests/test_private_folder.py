"""What is not the site lives in the project's own .gallery/, never beside the output folder (issue 13).

With --out www/gallery inside a web root, everything in www/ is served: the build report (every
participant id, consent date and reviewer), the drafts preview (unconsented items) and the caches
must not be there.
"""

from __future__ import annotations

import json
import os

from conftest import Project
from test_serve import serve  # noqa: F401  (the real server fixture)


def web_root_project(project: Project) -> Project:
    project.out = project.root / "www" / "gallery"
    project.item("lw01-day", caption="Published words.")
    project.item("lw02-day", participant="LW02", caption="Draft words.", publish="false")
    return project


def test_nothing_but_the_site_is_beside_an_output_in_a_web_root(project, serve):  # noqa: F811
    web_root_project(project)
    project.build()
    server = serve("--drafts")
    server.wait_for("items/lw02-day.html", lambda p: "Draft words." in p)
    assert sorted(os.listdir(project.root / "www")) == ["gallery"]
    assert "Draft words." not in (project.out / "index.html").read_text()
    report = json.loads(project.report.read_text())
    assert report["output"] == "www/gallery"
    assert project.report == project.root / ".gallery" / "www%2Fgallery" / "build-report.json"
    assert (project.root / ".gallery" / "www%2Fgallery" / "cache" / "last-build.json").is_file()
    assert (project.root / ".gallery" / "www%2Fgallery" / "preview" / "items" / "lw02-day.html").is_file()


def test_two_outputs_of_one_project_keep_their_own_report_and_cache(project):
    web_root_project(project)
    project.build()
    first = json.loads(project.report.read_text())
    other = Project(project.root)
    other.out = project.root / "print" / "gallery"
    other.build()
    assert project.report != other.report and project.cache != other.cache
    assert json.loads(project.report.read_text()) == first        # the second build did not overwrite it
    assert json.loads(other.report.read_text())["output"] == "print/gallery"
    assert "Nothing changed" in project.build().stderr and "Nothing changed" in other.build().stderr


def old_layout(project: Project) -> None:
    """What version 0.4 left beside site/: its report, its cache and a drafts preview with its cache."""
    beside = project.out.parent
    (beside / "build-report.json").write_text(json.dumps({
        "format": 1, "generated": "2026-11-30T10:00:00+00:00", "output": "site", "seconds": 1.2,
        "counts": {"published": 1, "left_out": 0, "withdrawn": 0, "warnings": 0},
        "published": [{"id": "lw01-day", "participant": "LW01"}], "left_out": [], "withdrawn": [], "warnings": []}))
    cache = beside / ".site-cache"
    (cache / ("a" * 64)).mkdir(parents=True)
    (cache / ("a" * 64) / "lw01-day-aaaaaaaaaa-480.jpg").write_bytes(b"\xff\xd8old")
    (cache / "pages").mkdir()
    (cache / "pages" / "index.html").write_text("old page")
    for name in ("sources.json", "images.json", "captions.json", "audit-memo.json", "last-build.json"):
        (cache / name).write_text("{}")
    preview = beside / "site-preview"
    (preview / "items").mkdir(parents=True)
    (preview / "items" / "lw02-day.html").write_text("DRAFT — not published")
    (preview / ".gallery-manifest.json").write_text(json.dumps({"files": ["items/lw02-day.html"]}))
    (beside / ".site-preview-cache" / "pages").mkdir(parents=True)


def test_a_build_removes_what_the_old_version_wrote_beside_the_output_and_says_so_once(project):
    project.item("lw01-day")
    old_layout(project)
    result = project.build()
    for name in ("build-report.json", ".site-cache", "site-preview", ".site-preview-cache"):
        assert not os.path.lexists(project.root / name), name
    said = [line for line in result.stderr.splitlines() if "earlier version" in line]
    assert len(said) == 1 and "build-report.json" in said[0] and ".site-cache" in said[0], result.stderr
    assert project.report.is_file()
    project.caption("lw01-day", caption="Changed words.")
    assert "earlier version" not in project.build().stderr


def test_files_of_those_names_that_the_old_version_did_not_write_are_kept(project):
    project.item("lw01-day")
    beside = project.root
    (beside / "build-report.json").write_text('{"mine": "a report of my own"}')
    (beside / ".site-cache").mkdir()
    (beside / ".site-cache" / "notes.txt").write_text("not the tool's")
    (beside / "site-preview").mkdir()
    (beside / "site-preview" / "index.html").write_text("a page of my own, no manifest")
    result = project.build()
    assert (beside / "build-report.json").read_text() == '{"mine": "a report of my own"}'
    assert (beside / ".site-cache" / "notes.txt").is_file()
    assert (beside / "site-preview" / "index.html").is_file()
    warned = [line for line in result.stderr.splitlines() if "is not what an earlier version" in line]
    assert len(warned) == 3, result.stderr


def test_the_output_may_not_contain_the_projects_own_folder(tmp_path):
    """An output folder swapped in whole would take .gallery/ (the report, the caches) with it."""
    sources = Project(tmp_path / "sources")
    sources.item("lw01-day")
    project = Project(tmp_path / "proj")                 # gallery.yaml here, so .gallery/ is here too
    project.photos, project.captions, project.templates = sources.photos, sources.captions, sources.templates
    project.out = project.root
    result = project.build(check=False)
    assert result.returncode == 1
    assert "the output folder would contain the project's own folder" in result.stderr, result.stderr
