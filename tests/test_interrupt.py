"""Ctrl-C (a real SIGINT) in the middle of a build: exit 130, the previous site byte for byte, no staging
folder left, and a message naming the folder that is unchanged."""

from __future__ import annotations

import signal

from conftest import Project, start_paused


def test_ctrl_c_in_a_build_leaves_the_previous_site_and_says_which_folder(project: Project, tmp_path):
    project.config.write_text(project.config.read_text() + "images:\n  sizes: [200]\n  formats: [jpeg]\n")
    project.item("lw01-day")
    project.build()
    before = {p: p.read_bytes() for p in project.out.rglob("*") if p.is_file()}
    project.item("lw02-day", participant="LW02")           # something to do
    proc = start_paused(["build", *project.args()], project.root, tmp_path / "pauses", "image-stage")
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err.decode().splitlines()[-1] == "Interrupted; site/ is unchanged.", err
    assert "Traceback" not in err.decode()
    assert {p: p.read_bytes() for p in project.out.rglob("*") if p.is_file()} == before
    assert not list(project.root.glob(".gallery-staging-*"))
