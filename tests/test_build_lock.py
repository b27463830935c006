"""One build at a time: builds that overlap (two terminals, serve and build, a cron job) run one after
the other, the later one reading the later inputs; a lock held by a dead build never blocks."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import BUILD, REPO, Project

HOLD = """
import sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from gallery import lock
with lock.hold(Path(sys.argv[2]), "serve"):
    print("held", flush=True)
    sys.stdin.readline()
"""


def start_holder(project: Project) -> subprocess.Popen:
    """Another process holding the project's build lock until its stdin is closed (or it is killed)."""
    private = str(project.options().private)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(REPO), private], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    return holder


def start_build(project: Project, env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(BUILD), "build", *project.args()], cwd=project.root,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "GALLERY_RACY_SECONDS": "0", **(env or {})})


def withdraw(project: Project, item: str) -> None:
    path = project.captions / f"{item}.yaml"
    path.write_text(path.read_text().replace("  date: 2024-05-01\n", "  date: 2024-05-01\n  withdrawn: 2024-09-01\n"))


def site_items(project: Project) -> list[str]:
    return sorted(p.name for p in (project.out / "items").iterdir())


def test_ten_builds_started_together_all_succeed_and_the_last_inputs_win(project: Project):
    """Five builds, then a withdrawal, then five more, all overlapping: every one exits 0, and the
    site left is the one the final inputs make (the withdrawn item is not online again)."""
    for n in range(1, 4):
        project.item(f"lw0{n}-day", participant=f"LW0{n}")
    first = [start_build(project) for _ in range(5)]
    withdraw(project, "lw02-day")
    later = [start_build(project) for _ in range(5)]
    results = [(p.wait(timeout=300), p.stderr.read() if p.stderr else "") for p in first + later]
    assert [code for code, _ in results] == [0] * 10, "\n".join(err for code, err in results if code)
    assert site_items(project) == ["lw01-day.html", "lw03-day.html"]
    assert not [p for p in project.root.iterdir() if p.name.startswith((".gallery-staging-", ".gallery-old-"))]
    again = project.build()
    assert "Nothing changed" in again.stderr      # the record left is the last build's, of these inputs


def test_a_build_started_while_another_holds_the_lock_waits_then_runs(project: Project):
    project.item("lw01-day")
    holder = start_holder(project)
    try:
        build = start_build(project)
        with pytest.raises(subprocess.TimeoutExpired):
            build.wait(timeout=3)                   # it waits rather than builds beside the holder
        assert not project.out.exists()
    finally:
        holder.communicate("\n", timeout=30)       # the holder finishes
    _out, err = build.communicate(timeout=120)
    assert build.returncode == 0, err
    assert f"Waiting for another build (pid {holder.pid}, started " in err
    assert ", by python build.py serve) to finish..." in err
    assert err.count("Waiting for") == 1
    assert site_items(project) == ["lw01-day.html"]


def test_a_build_that_waits_too_long_stops_naming_the_other_build(project: Project):
    project.item("lw01-day")
    holder = start_holder(project)
    try:
        build = start_build(project, env={"GALLERY_LOCK_WAIT": "0.5"})
        _out, err = build.communicate(timeout=120)
    finally:
        holder.communicate("\n", timeout=30)
    assert build.returncode == 4, err
    (line,) = [line for line in err.splitlines() if "is running" in line]
    assert line.startswith(f".gallery/build.lock: another build (pid {holder.pid}, started ")
    assert ", by python build.py serve) is running" in line
    assert "is running on this project, so this one did nothing; run it again once that one has finished " \
           "(it waited 0.5 s; GALLERY_LOCK_WAIT sets how long)" in line
    assert "Traceback" not in err and "Nothing was published" not in err
    assert not project.out.exists()


def test_a_lock_left_by_a_killed_build_does_not_block(project: Project):
    project.item("lw01-day")
    holder = start_holder(project)
    holder.kill()                                   # kill -9: the lock file stays, naming a dead pid
    holder.wait(timeout=30)
    assert f'"pid": {holder.pid}' in (project.options().private / "build.lock").read_text()
    result = project.build(env={"GALLERY_LOCK_WAIT": "0"})
    assert "Waiting" not in result.stderr
    assert site_items(project) == ["lw01-day.html"]


def test_a_forked_worker_that_outlives_its_build_holds_no_lock(project: Project):
    """The image workers are forked while the lock is held: one left running must not keep it."""
    import multiprocessing

    from gallery import lock
    project.item("lw01-day")
    stop = multiprocessing.get_context("fork").Event()
    with lock.hold(project.options().private):
        worker = multiprocessing.get_context("fork").Process(target=stop.wait, args=(60,))
        worker.start()
    try:
        result = project.build(env={"GALLERY_LOCK_WAIT": "0"})
        assert site_items(project) == ["lw01-day.html"], result.stderr
    finally:
        stop.set()
        worker.join(timeout=30)


def test_temporary_files_have_unique_names_so_writers_never_collide(tmp_path: Path):
    """Two writers of one cache file in one process (or two processes with one pid, in two
    containers) must not share a temporary file: each write is whole, none fails."""
    from gallery.cache import write_atomic
    target = tmp_path / "captions.json"
    failures: list[BaseException] = []

    def write(n: int) -> None:
        for i in range(200):
            try:
                write_atomic(target, f"{n}-{i}".encode() * 1000)
            except OSError as exc:
                failures.append(exc)
    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    text = target.read_text()
    assert text == text[: len(text) // 1000] * 1000          # one write, whole
    assert [p.name for p in tmp_path.iterdir()] == ["captions.json"]
