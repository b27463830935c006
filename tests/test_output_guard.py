"""The output folder: refused when it would hold the sources, only our own files removed, and a
build killed part-way leaves the previous site as it was."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, Project, run_cli
from PIL import Image
from test_bad_input import snapshot


def installed_copy(root: Path) -> Path:
    """build.py and the package copied into root, so root is the project folder of that copy."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "build.py", root / "build.py")
    shutil.copytree(REPO / "gallery", root / "gallery", ignore=shutil.ignore_patterns("__pycache__"))
    return root / "build.py"


@pytest.mark.parametrize("out, reason", [
    ("photos", "the output folder would contain the photos folder (photos)"),
    ("captions", "the output folder would contain the captions folder (captions)"),
    ("templates", "the output folder would contain the templates folder (templates)"),
    ("photos/site", "the output folder is inside the photos folder (photos); choose a folder outside it"),
    ("captions/out", "the output folder is inside the captions folder (captions); choose a folder outside it"),
    (".", "the output folder would contain the photos folder (photos)"),
    ("..", "the output folder would contain the captions folder (captions)"),
    ("photo-link", "the output folder would contain the photos folder (photos)"),
])
def test_out_that_is_or_holds_a_source_folder_is_refused(project: Project, out: str, reason: str):
    project.item("lw01-day")
    (project.root / "photo-link").symlink_to(project.photos)
    before = snapshot(project.root.parent)
    result = run_cli("build", "--photos", "photos", "--captions", "captions", "--templates", "templates",
                     "--out", out, cwd=project.root)
    assert result.returncode == 1
    assert any(line.startswith(f"{out}: {reason}") for line in result.stderr.splitlines()), result.stderr
    assert snapshot(project.root.parent) == before


def test_out_that_is_or_holds_the_project_root_is_refused(tmp_path: Path):
    build = installed_copy(tmp_path / "install")
    project = Project(tmp_path / "install")
    project.item("lw01-day")
    before = snapshot(tmp_path)
    for out in (tmp_path / "install", tmp_path):
        result = subprocess.run([sys.executable, str(build), "--out", str(out)], cwd=tmp_path,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 1
        shown = os.path.relpath(out, tmp_path)
        assert f"{shown}: the output folder would contain the project root ({tmp_path / 'install'}); " \
               "choose another --out, such as site/" in result.stderr.splitlines(), result.stderr
    assert snapshot(tmp_path) == before


def test_a_folder_we_did_not_make_is_refused_and_kept(project: Project):
    project.item("lw01-day")
    project.out.mkdir()
    (project.out / "thesis.docx").write_bytes(b"three years of work")
    result = project.build(check=False)
    assert result.returncode == 1
    assert "site: the output folder is not empty and was not made by this tool (no .gallery-manifest.json); " \
           "empty it or choose another --out" in result.stderr.splitlines()
    assert (project.out / "thesis.docx").read_bytes() == b"three years of work"
    assert sorted(p.name for p in project.out.iterdir()) == ["thesis.docx"]


def test_only_files_we_wrote_are_removed_and_foreign_files_are_kept(project: Project):
    project.item("lw01-day")
    project.item("lw02-day", participant="LW02")
    project.build()
    (project.out / ".htaccess").write_text("Header set X-Robots-Tag noindex\n")
    (project.out / "downloads").mkdir()
    (project.out / "downloads" / "consent-form.txt").write_text("the web team's file\n")
    (project.captions / "lw02-day.yaml").unlink()
    result = project.build()
    tree = project.tree()
    assert tree[".htaccess"] == b"Header set X-Robots-Tag noindex\n"
    assert tree["downloads/consent-form.txt"] == b"the web team's file\n"
    assert not [p for p in tree if "lw02-day" in p]
    warnings = [line for line in result.stderr.splitlines() if "was not written by this tool" in line]
    assert sorted(warnings) == ["warning: site/.htaccess was not written by this tool; kept as it was",
                                "warning: site/downloads/consent-form.txt was not written by this tool; kept as it was"]


def big_photos(project: Project, count: int) -> None:
    """Enough real work to kill a build in the middle of it: large detailed photos."""
    base = Image.effect_mandelbrot((2400, 1600), (-2.2, -1.2, 1.0, 1.2), 60).convert("RGB")
    for n in range(count):
        item = f"lw{n + 10:02d}-day"
        base.rotate(n * 7).save(project.photos / f"{item}.jpg", quality=92)
        project.caption(item, participant=f"LW{n + 10:02d}")


def test_build_killed_during_image_processing_leaves_the_previous_site(project: Project):
    project.item("lw01-day")
    project.build()
    before = snapshot(project.out)
    big_photos(project, 12)
    cache = project.cache
    process = subprocess.Popen([sys.executable, str(REPO / "build.py"), *project.args("--jobs", "2")],
                               cwd=project.root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            made = [p for p in cache.iterdir() if (p / "meta.json").exists()] if cache.is_dir() else []
            if len(made) >= 3:      # the old item plus at least two new ones: images are being made
                break
            time.sleep(0.01)
        assert process.poll() is None, "the build finished before it could be killed; use more photos"
        os.killpg(process.pid, signal.SIGKILL)    # the build and its image workers, as an OOM killer would
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert snapshot(project.out) == before
    unfinished = len([p for p in cache.iterdir() if (p / "meta.json").exists()])
    assert unfinished < 13, "everything was already made: the kill did not interrupt image processing"

    result = project.build()
    assert "Published 13 items" in result.stderr
    assert len([p for p in project.tree() if p.startswith("items/")]) == 13
    leftovers = [p.name for p in project.root.iterdir() if p.name.startswith((".gallery-staging-", ".gallery-old-"))]
    assert leftovers == []
    assert sorted(p.name for p in cache.iterdir() if p.name.startswith(".")) == []


def test_leftovers_of_a_build_killed_while_writing_are_cleaned(project: Project):
    """A kill between staging and swap leaves .gallery-staging-site-<pid>; the next build removes it."""
    project.item("lw01-day")
    project.build()
    stale = project.root / ".gallery-staging-site-999999"
    (stale / "items").mkdir(parents=True)
    (stale / "items" / "half-written.html").write_text("<p>half")
    project.item("lw02-day", participant="LW02")       # a change, so the build really runs
    project.build()
    assert not stale.exists()
    assert "items/lw02-day.html" in project.tree()


def test_a_previous_site_that_cannot_be_deleted_fails_the_build_loudly(tmp_path, monkeypatch):
    """The old site may hold a withdrawn item's files: if it cannot be deleted after the swap, the
    build must say so (exit 3, naming the folder that holds it), not report success."""
    from gallery import errors, output
    out = tmp_path / "site"
    (out / "items").mkdir(parents=True)
    (out / "items" / "lw01-day.html").write_text("<p>withdrawn</p>")
    staging = tmp_path / ".gallery-staging-site-1"
    staging.mkdir()
    (staging / "index.html").write_text("<p>new</p>")

    def refuse(path, *a, **kw):
        raise PermissionError(1, "Operation not permitted", str(path))
    monkeypatch.setattr(output.shutil, "rmtree", refuse)
    previous = output.swap(staging, out)
    with pytest.raises(errors.CleanupError) as raised:
        output.remove_previous(previous)
    monkeypatch.undo()
    assert raised.value.exit_code == 3
    (problem,) = raised.value.problems
    assert (problem.path / "items" / "lw01-day.html").read_text() == "<p>withdrawn</p>"
    assert "the previous site could not be deleted (Operation not permitted)" in problem.message
    assert "delete this folder by hand" in problem.message
    assert (out / "index.html").read_text() == "<p>new</p>"


def test_the_previous_site_is_deleted_by_the_time_build_returns(project: Project):
    """By the time the command returns nothing of the previous site is left: no old folder, no
    page or image of a removed item."""
    project.item("lw01-day")
    project.item("lw02-day", participant="LW02")
    project.build()
    (project.captions / "lw02-day.yaml").unlink()
    project.build()
    assert not [p for p in project.root.iterdir() if p.name.startswith((".gallery-old-", ".gallery-staging-"))]
    left = [str(p.relative_to(project.root)) for p in project.root.rglob("*lw02*")
            if p.parts[len(project.root.parts)] != "photos"]
    assert left == []


def test_a_leftover_previous_site_is_never_answered_by_the_no_op_path(project: Project):
    """A previous site that a build could not delete (exit 3) stays beside site/: the next build
    must run (not say "nothing changed") and delete it."""
    project.item("lw01-day")
    project.build()
    leftover = project.root / ".gallery-old-site-999999"
    (leftover / "items").mkdir(parents=True)
    (leftover / "items" / "lw09-day.html").write_text("<p>a withdrawn item</p>")
    result = project.build()
    assert "Nothing changed" not in result.stderr
    assert not leftover.exists()
    assert "Nothing changed" in project.build().stderr


def test_a_failure_after_the_swap_says_the_site_is_published(project: Project, monkeypatch):
    """The new site is live once swapped in: a failure after that (a full disk while writing the
    build record) must not be reported as "nothing was published", and no record is kept."""
    from gallery import errors, fingerprint, site
    from gallery.options import options_for
    project.item("lw01-day")
    options = options_for(project.root, config=project.config)

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(fingerprint, "save", full_disk)
    with pytest.raises(errors.CleanupError) as raised:
        site.build(options)
    assert raised.value.exit_code == 3
    assert "the new site is published, but the build failed ([Errno 28] No space left on device)" \
        in raised.value.lines()[0]
    assert (project.out / "items" / "lw01-day.html").is_file()
    assert not (options.cache / fingerprint.RECORD).exists()


def test_a_build_report_that_cannot_be_written_is_reported_after_the_swap(project: Project):
    """The build report is written once the new site is live: if it cannot be (here a folder stands
    where it goes), the command says the site is published (exit 3), not "nothing was published",
    and the next build does not answer "nothing changed" with no report for the site it stands for."""
    project.item("lw01-day")
    blocker = project.report
    blocker.mkdir(parents=True)
    (blocker / "keep").write_text("a folder in the way")
    result = project.build(check=False)
    assert result.returncode == 3, result.stderr
    assert "the new site is published, but the build failed" in result.stderr
    assert "Nothing was published" not in result.stderr and "Traceback" not in result.stderr
    assert (project.out / "items" / "lw01-day.html").is_file()
    (blocker / "keep").unlink()
    blocker.rmdir()
    again = project.build()
    assert "Nothing changed" not in again.stderr
    assert project.report.is_file()


def test_a_failure_after_the_swap_says_what_is_live_and_prints_the_withdrawal_checklist(project: Project):
    """A withdrawal whose build report cannot be written (a folder in the way, as a full disk would
    fail it): the withdrawn item is already offline, so the command says what is live, prints the
    checklist the team needs to finish the removal, exits 3, and the next build redoes the record."""
    from test_build_lock import withdraw
    project.item("lw01-day")
    project.item("lw02-day", participant="LW02")
    project.build()
    withdraw(project, "lw02-day")
    blocker = project.report
    blocker.unlink()
    blocker.mkdir()
    (blocker / "keep").write_text("a folder in the way")
    result = project.build(check=False)
    assert result.returncode == 3, result.stderr
    lines = result.stderr.splitlines()
    assert "site: the new site is live: 1 item published (lw02-day removed)" in lines, result.stderr
    assert any(line.startswith("Removed from site/: lw02-day (consent withdrawn on 2024-09-01).") for line in lines)
    assert "  [ ] redeploy site/ now (rsync -a --delete, so the old files are deleted on the server)" in lines
    assert "Nothing was published" not in result.stderr and "Traceback" not in result.stderr
    assert not (project.out / "items" / "lw02-day.html").exists()
    (blocker / "keep").unlink()
    blocker.rmdir()
    again = project.build()
    assert "Nothing changed" not in again.stderr
    assert json.loads(blocker.read_text())["counts"]["published"] == 1


def test_serve_prints_the_withdrawal_checklist_after_a_failure_after_the_swap(project: Project, caplog):
    from test_build_lock import withdraw

    from gallery import watch
    from gallery.options import options_for
    project.item("lw01-day")
    project.item("lw02-day", participant="LW02")
    options = options_for(project.root, config=project.config)
    state = watch.BuildState()
    watch.rebuild(options, state)
    assert state.snapshot() == (1, None)
    withdraw(project, "lw02-day")
    blocker = project.report
    blocker.unlink()
    blocker.mkdir()
    (blocker / "keep").write_text("a folder in the way")
    with caplog.at_level("INFO", logger="gallery"):
        watch.rebuild(options, state)
    _generation, errors = state.snapshot()
    assert errors is not None and f"{project.out}: the new site is live: 1 item published (lw02-day removed)" in errors
    messages = [r.getMessage() for r in caplog.records]
    assert "The preview shows the new build; fix the problem above." in messages
    assert any(m.startswith(f"Removed from {project.out}/: lw02-day (consent withdrawn on 2024-09-01).")
               for m in messages), messages
