"""Image workers die with their build: a build killed with SIGKILL leaves no worker process behind.

Real processes: the build runs in a session of its own (so its workers share its process group),
is killed while its workers make large photos, and /proc is read for what is left of the group.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import BUILD, Project

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")


def _stat(pid: str) -> tuple[str, int, int] | None:
    """(state, parent pid, process group) of a process from /proc/<pid>/stat, None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return fields[0], int(fields[1]), int(fields[2])


def group_members(group: int) -> list[int]:
    """Living processes (not zombies) in a process group."""
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            stat = _stat(pid)
            if stat is not None and stat[2] == group and stat[0] not in ("Z", "X"):
                found.append(int(pid))
    return found


def children_of(parent: int) -> list[int]:
    return [int(pid) for pid in os.listdir("/proc") if pid.isdigit()
            and (stat := _stat(pid)) is not None and stat[1] == parent and stat[0] not in ("Z", "X")]


def large_photos(project: Project, count: int) -> None:
    from PIL import Image
    gradient = Image.linear_gradient("L").resize((6000, 4500))
    for n in range(count):
        item = f"lw{n + 1:02d}-day"
        Image.merge("RGB", (gradient, gradient.rotate(90 * (n % 2)), gradient)).save(project.photos / f"{item}.jpg",
                                                                                 quality=90)
        project.caption(item, participant=f"LW{n + 1:02d}")


def running_workers(build: subprocess.Popen, end: float) -> list[int]:
    """The build's worker processes, once there is at least one (fails if the build ends first)."""
    while not (workers := children_of(build.pid)):
        assert build.poll() is None, "the build ended before it started a worker"
        assert time.monotonic() < end, "no worker process started within 60 s"
        time.sleep(0.01)
    return workers


@pytest.mark.parametrize("jobs", ["2", "1"])
def test_a_killed_build_leaves_no_image_worker_alive(project, jobs):
    large_photos(project, 6)
    build = subprocess.Popen([sys.executable, str(BUILD), "build", *project.args("--jobs", jobs)], cwd=project.root,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        end = time.monotonic() + 60
        workers = running_workers(build, end)
        time.sleep(0.3)                                  # the workers are decoding now
        workers = running_workers(build, end)            # with --jobs 1, one photo's worker may have just ended
        os.kill(build.pid, signal.SIGKILL)
        build.wait()
        end = time.monotonic() + 5
        while group_members(build.pid) and time.monotonic() < end:
            time.sleep(0.05)
        left = group_members(build.pid)
        assert left == [], f"worker processes {left} outlived their build (workers were {workers})"
    finally:
        for pid in group_members(build.pid):             # never leave one running, even when the test fails
            os.kill(pid, signal.SIGKILL)


WATCHED = """
import os, sys, threading, time
sys.path.insert(0, sys.argv[1])
from gallery import pool
child = os.fork()
if child == 0:      # a worker where prctl is not to be had: only the portable watch
    threading.Thread(target=pool._watch_parent, args=(os.getppid(),), daemon=True).start()
    time.sleep(60)
    os._exit(0)
print(child, flush=True)
time.sleep(60)
"""


def test_the_portable_watch_ends_a_worker_whose_parent_died():
    """Where prctl is missing, the worker's thread watching getppid() ends it (within PARENT_POLL)."""
    parent = subprocess.Popen([sys.executable, "-c", WATCHED, str(BUILD.parent)], stdout=subprocess.PIPE, text=True,
                              start_new_session=True)
    try:
        child = int(parent.stdout.readline())
        assert child in children_of(parent.pid)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        end = time.monotonic() + 5
        while group_members(parent.pid) and time.monotonic() < end:
            time.sleep(0.05)
        assert group_members(parent.pid) == []
    finally:
        parent.stdout.close()
        for pid in group_members(parent.pid):
            os.kill(pid, signal.SIGKILL)
