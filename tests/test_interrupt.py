"""Ctrl-C (a real SIGINT) in the middle of a build: exit 130, the previous site byte for byte, no staging
folder left, and a message naming the folder that is unchanged."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from conftest import REPO, Project


def test_ctrl_c_in_a_build_leaves_the_previous_site_and_says_which_folder(project: Project, tmp_path):
    project.config.write_text(project.config.read_text() + "images:\n  sizes: [200]\n  formats: [jpeg]\n")
    project.item("lw01-day")
    project.build()
    before = {p: p.read_bytes() for p in project.out.rglob("*") if p.is_file()}
    project.item("lw02-day", participant="LW02")           # something to do
    pauses = tmp_path / "pauses"
    pauses.mkdir()
    proc = subprocess.Popen([sys.executable, str(REPO / "build.py"), "build", *project.args()], cwd=project.root,
                            env={**os.environ, "GALLERY_TEST_PAUSE": str(pauses)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not (pauses / "image-stage.paused").exists() and time.monotonic() < deadline and proc.poll() is None:
        for waiting in pauses.glob("*.paused"):        # every other pause point (the photos read) goes on
            (pauses / f"{waiting.stem}.go").touch()
        time.sleep(0.02)
    assert (pauses / "image-stage.paused").exists(), proc.communicate()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err.decode().splitlines()[-1] == "Interrupted; site/ is unchanged.", err
    assert "Traceback" not in err.decode()
    assert {p: p.read_bytes() for p in project.out.rglob("*") if p.is_file()} == before
    assert not list(project.root.glob(".gallery-staging-*"))
