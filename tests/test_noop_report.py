"""A rebuild with nothing changed still reports: the left-out list and warnings of the build it stands for.

Through the real command line, on real files: the no-op answer prints the lines the real build
printed, at the same verbosity, and imports nothing heavy.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from conftest import BUILD, NO_RACY_WINDOW, Project

UNCHANGED = re.compile(r"^Nothing changed since the last build; site/ is up to date: (\d+) items? published, "
                       r"(\d+) left out, (\d+) warnings?\.$")
SUMMARY = re.compile(r"^Published \d+ items? to site/ in ")


def content(project: Project) -> None:
    """Published, left out (no consent; withdrawn) and warned-about items, and an unused photo."""
    for prompt in ("typical-day", "confidence"):
        project.item(f"lw01-{prompt}", participant="LW01", prompt=prompt)
    project.item("lw01-unexpected", participant="LW01", prompt="unexpected", alt="Photo of a kettle on a counter.")
    project.item("lw02-day", participant="LW02", publish="false")
    project.item("lw03-day", participant="LW03", extra="")
    path = project.captions / "lw03-day.yaml"
    path.write_text(path.read_text().replace("  date: 2024-05-01\n", "  date: 2024-05-01\n  withdrawn: true\n"))
    project.photo("spare.jpg")


def build(project: Project, *extra: str):
    return project.build(*extra, env=NO_RACY_WINDOW)


def said(result) -> list[str]:
    """What a build said about the content: everything but its last lines (summary, report file) and
    its progress lines (printed when the images take over 2 s, as screening them can)."""
    lines = result.stderr.splitlines()
    return [line for line in lines if not SUMMARY.match(line) and not line.startswith("Build report ")
            and not UNCHANGED.match(line) and not line.startswith("Processing images")]


def test_a_rebuild_with_nothing_changed_prints_the_same_left_out_list_and_warnings(project):
    content(project)
    real = build(project)
    assert not UNCHANGED.match(real.stderr.splitlines()[-1])
    lines = said(real)
    assert "left out: captions/lw02-day.yaml: no consent to publish (consent.publish is not true)" in lines
    assert "left out: captions/lw03-day.yaml: consent withdrawn" in lines
    assert any(line.startswith("captions/lw01-unexpected.yaml:6: warning: 'alt' starts with") for line in lines)
    assert any(line.startswith("photos/spare.jpg: warning: no caption file uses this photo") for line in lines)
    again = build(project)
    assert said(again) == lines
    counts = UNCHANGED.match(again.stderr.splitlines()[-1])
    assert counts is not None, again.stderr
    report = json.loads(project.report.read_text())["counts"]
    assert counts.groups() == (str(report["published"]), str(report["left_out"]), str(report["warnings"]))


def test_the_no_op_answer_keeps_the_verbosity(project):
    content(project)
    build(project)
    assert build(project, "-q").stderr == ""
    verbose = build(project, "-v").stderr.splitlines()
    assert UNCHANGED.match(verbose[-1])
    assert ("published: captions/lw01-confidence.yaml: consent to publish on web given 2024-05-01; reviewed by ST "
            "on 2024-05-02") in verbose
    project.caption("lw01-confidence", participant="LW01", prompt="confidence", caption="Edited, rebuilt.")
    real = build(project, "-v")           # a real build again: the same lines, with -v, as the no-op after it
    assert not UNCHANGED.match(real.stderr.splitlines()[-1])
    published = [line for line in real.stderr.splitlines() if line.startswith("published: ")]
    assert [line for line in build(project, "-v").stderr.splitlines() if line.startswith("published: ")] == published


def test_a_file_added_to_the_site_is_warned_about_by_the_no_op_answer_too(project):
    content(project)
    build(project)
    (project.out / ".htaccess").write_text("ErrorDocument 404 /404.html\n")
    warning = "warning: site/.htaccess was not written by this tool; kept as it was"
    noop = build(project).stderr.splitlines()
    assert UNCHANGED.match(noop[-1]) and warning in noop
    project.caption("lw01-confidence", participant="LW01", prompt="confidence", caption="Edited, rebuilt.")
    real = build(project).stderr.splitlines()
    assert not UNCHANGED.match(real[-1]) and warning in real
    (project.out / ".htaccess").unlink()
    noop = build(project).stderr.splitlines()
    assert UNCHANGED.match(noop[-1]) and warning not in noop


def test_the_no_op_answer_imports_no_pillow_jinja2_or_pool(project):
    content(project)
    build(project)
    result = subprocess.run([sys.executable, "-X", "importtime", str(BUILD), *project.args()], cwd=project.root,
                            capture_output=True, text=True, timeout=60, env={**os.environ, **NO_RACY_WINDOW})
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert UNCHANGED.match([line for line in lines if not line.startswith("import time:")][-1]), result.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in lines if line.startswith("import time:")}
    assert "gallery.fingerprint" in imported and "gallery.report" in imported
    heavy = {name for name in imported if name.split(".")[0] in ("PIL", "jinja2", "markdown", "nh3", "yaml")
             or name in ("concurrent.futures.process", "gallery.site", "gallery.imagecache", "gallery.captions")}
    assert heavy == set()
