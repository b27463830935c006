"""The command line as a researcher meets it: exit status, exact messages, progress and the build report."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import subprocess
import sys

from conftest import BUILD, REPO, Project, run_cli

from gallery.report import Progress

SUMMARY = re.compile(r"Published (\d+) items? to site/ in \d+\.\d s: (\d+) left out, (\d+) warnings?; "
                     r"images: (\d+) made, (\d+) from cache\.")


def gate_project(project: Project) -> None:
    """Published, unconsented and withdrawn items for one participant, every prompt covered."""
    project.item("lw01-day", participant="LW01")
    project.caption("lw01-confidence", participant="LW01", prompt="confidence", kind="reported", photo=None,
                    alt=None, caption="Knowing the local groups by name.")
    project.item("lw01-unexpected", participant="LW01", prompt="unexpected", publish="false")
    project.item("lw02-day", participant="LW02")
    path = project.captions / "lw02-day.yaml"
    path.write_text(path.read_text().replace("  date: 2024-05-01\n", "  date: 2024-05-01\n  withdrawn: 2024-09-01\n"))


def test_build_prints_decisions_and_a_summary(project):
    gate_project(project)
    result = project.build()
    # a build whose images (and their screening) take over 2 s says how far it got: not checked here
    lines = [line for line in result.stderr.splitlines() if not line.startswith("Processing images: ")]
    assert lines[:2] == [
        "left out: captions/lw01-unexpected.yaml: no consent to publish (consent.publish is not true)",
        "left out: captions/lw02-day.yaml: consent withdrawn on 2024-09-01",
    ]
    assert SUMMARY.fullmatch(lines[2]).groups() == ("2", "2", "0", "1", "0")
    assert lines[3:] == ["Build report (for the team's records, never published): .gallery/site/build-report.json"]


def test_build_writes_a_json_report_outside_the_site(project):
    gate_project(project)
    project.item("lw03-day", participant="LW03", alt="Photo of a kettle on a counter.")
    project.build()
    path = project.report
    report = json.loads(path.read_text())
    assert report["counts"] == {"published": 3, "left_out": 2, "withdrawn": 1, "warnings": 3}
    assert [i["id"] for i in report["published"]] == ["lw01-confidence", "lw01-day", "lw03-day"]
    day = report["published"][1]
    assert day == {"id": "lw01-day", "participant": "LW01", "prompt": "typical-day", "kind": "original",
                   "caption_file": "captions/lw01-day.yaml", "photo": "lw01-day.jpg", "consent_date": "2024-05-01",
                   "scope": ["web"], "review_by": "ST", "review_date": "2024-05-02"}
    assert report["left_out"] == [
        {"id": "lw01-unexpected", "participant": "LW01", "prompt": "unexpected", "kind": "original",
         "caption_file": "captions/lw01-unexpected.yaml", "photo": "lw01-unexpected.jpg",
         "reason": "no consent to publish (consent.publish is not true)"},
        {"id": "lw02-day", "participant": "LW02", "prompt": "typical-day", "kind": "original",
         "caption_file": "captions/lw02-day.yaml", "photo": "lw02-day.jpg",
         "reason": "consent withdrawn on 2024-09-01"},
    ]
    assert report["withdrawn"] == [{"id": "lw02-day", "participant": "LW02", "prompt": "typical-day",
                                    "kind": "original", "caption_file": "captions/lw02-day.yaml",
                                    "photo": "lw02-day.jpg", "withdrawn": "2024-09-01"}]
    assert {"file": "captions/lw03-day.yaml", "line": 6,
            "message": "'alt' starts with \"photo of\"; screen readers already say it is an image, so start "
                       "with what it shows"} in report["warnings"]
    site_files = project.tree()
    assert not [name for name in site_files if "report" in name]
    assert not any(b"lw02-day" in data or b"build-report" in data for data in site_files.values())


def test_a_failed_build_keeps_the_previous_report_and_site(project):
    gate_project(project)
    project.build()
    before_report = project.report.read_bytes()
    before_site = project.tree()
    project.caption("lw01-day", participant="LW01", prompt="typical-dya")
    result = project.build(check=False)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "captions/lw01-day.yaml:2: unknown prompt 'typical-dya' (did you mean 'typical-day'?); use one of "
        "typical-day, confidence, unexpected",
        "Nothing was published; site/ is unchanged.",
    ]
    assert project.report.read_bytes() == before_report
    assert project.tree() == before_site


def test_quiet_prints_nothing_and_verbose_explains_each_decision(project):
    gate_project(project)
    assert project.build("-q").stderr == ""
    project.caption("lw01-confidence", participant="LW01", prompt="confidence", kind="reported", photo=None,
                    alt=None, caption="Knowing every local group by name.")
    lines = project.build("-v").stderr.splitlines()
    assert "published: captions/lw01-confidence.yaml: consent to publish on web given 2024-05-01; reviewed by ST " \
           "on 2024-05-02" in lines
    assert "left out: captions/lw02-day.yaml: consent withdrawn on 2024-09-01" in lines


def test_usage_errors_exit_2(project):
    for args, message in [
        (("build", "--jobs", "0"), "argument --jobs: must be 1 or more"),
        (("serve", "--port", "http"), "argument --port: 'http' is not a port number (0-65535)"),
        (("import",), "the following arguments are required: SHEET.csv"),
        (("check", "-q", "-v"), "argument -v/--verbose: not allowed with argument -q/--quiet"),
    ]:
        result = run_cli(*args, cwd=project.root)
        assert result.returncode == 2, args
        assert result.stderr.splitlines()[-1].endswith(message), result.stderr


def test_every_command_has_help():
    for command in ("build", "audit", "add", "import", "check", "serve"):
        result = run_cli(command, "--help")
        assert result.returncode == 0 and result.stdout.startswith(f"usage: python build.py {command}")


def test_progress_bar_on_a_terminal(project):
    for n in range(3):
        project.item(f"lw0{n + 1}-day", participant=f"LW0{n + 1}")
    controller, terminal = pty.openpty()
    proc = subprocess.Popen([sys.executable, str(BUILD), *project.args(), "--jobs", "1"], cwd=project.root,
                            stdin=subprocess.DEVNULL, stdout=terminal, stderr=terminal)
    os.close(terminal)
    output = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closed
            break
        if not chunk:
            break
        output += chunk
    assert proc.wait(timeout=120) == 0
    text = output.decode()
    assert "\rProcessing images [##########--------------------] 1/3" in text
    assert "\rProcessing images [##############################] 3/3" in text


def test_progress_lines_when_not_a_terminal():
    stream = io.StringIO()
    progress = Progress(stream, interval=0)
    for done in (1, 2, 3):
        progress(done, 3)
    assert stream.getvalue().splitlines() == ["Processing images: 1/3 done", "Processing images: 2/3 done",
                                              "Processing images: 3/3 done"]
    quiet = io.StringIO()
    Progress(quiet, enabled=False)(1, 1)
    assert quiet.getvalue() == ""


def test_a_folder_with_a_gallery_of_its_own_is_told_the_defaults_are_the_gallery_beside_build_py(project):
    """Run from a study's own folder without naming it, the commands work on the demo: they say so."""
    note = (f"note: this folder has a gallery.yaml of its own, but without --config the commands work on the "
            f"gallery beside build.py ({REPO}); for this folder's gallery, pass --config gallery.yaml --photos "
            f"photos --captions captions (and --out site)")
    assert note in run_cli("check", cwd=project.root).stderr.splitlines()
    named = run_cli("check", "--config", "gallery.yaml", "--photos", "photos", "--captions", "captions",
                    cwd=project.root)
    assert "note: this folder" not in named.stderr
    assert "note: this folder" not in run_cli("check", cwd=REPO).stderr
