"""One build at a time: a lock on the project's private folder, held from reading the inputs to the
swap and the build record, so that the build that finishes last is the one that read the inputs last.

The lock is `fcntl.flock` on `.gallery/build.lock`. The kernel releases it when its process ends,
however it ends (kill -9 too), so a lock left by a dead build cannot block: the file stays, the
lock does not. The file only says who holds it (pid, command, start time) for the message a second
build prints while it waits, and when it stops waiting. A process forked while the lock is held
(the image workers) closes its copy at once, so a worker that outlives its build holds nothing.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import BusyError, Problem

log = logging.getLogger(__name__)

LOCK_NAME = "build.lock"
WAIT_ENV = "GALLERY_LOCK_WAIT"      # seconds a build waits for another one before it stops
WAIT_SECONDS = 120.0
POLL_SECONDS = 0.05

_held: dict[str, tuple[int, int]] = {}     # lock path -> (file descriptor, depth) held by this process


def lock_path(private: Path) -> Path:
    return private / LOCK_NAME


def wait_seconds() -> float:
    try:
        seconds = float(os.environ.get(WAIT_ENV, WAIT_SECONDS))
    except ValueError:
        seconds = WAIT_SECONDS
    return max(seconds, 0.0)


@contextlib.contextmanager
def hold(private: Path, command: str = "build") -> Iterator[None]:
    """Hold the project's build lock (re-entrant within this process); waits for another holder
    up to wait_seconds(), then raises BusyError naming it."""
    path = lock_path(private)
    key = str(path)
    if key in _held:
        fd, depth = _held[key]
        _held[key] = (fd, depth + 1)
        try:
            yield
        finally:
            _held[key] = (fd, _held[key][1] - 1)
        return
    fd = _acquire(path, command)
    _held[key] = (fd, 1)
    try:
        yield
    finally:
        del _held[key]
        os.close(fd)                   # releases the lock


def _acquire(path: Path, command: str) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        _wait(fd, path)
        os.ftruncate(fd, 0)
        record = {"pid": os.getpid(), "command": command, "started": time.time()}
        os.pwrite(fd, (json.dumps(record) + "\n").encode(), 0)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _wait(fd: int, path: Path) -> None:
    deadline = time.monotonic() + wait_seconds()
    said = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
        if time.monotonic() >= deadline:
            raise BusyError(problems=[Problem(path, None, f"{holder(path)} is running on this project, so this one "
                                              "did nothing; run it again once that one has finished (it waited "
                                              f"{wait_seconds():g} s; {WAIT_ENV} sets how long)")])
        if not said:
            log.info("Waiting for %s to finish...", holder(path))
            said = True
        time.sleep(POLL_SECONDS)


def holder(path: Path) -> str:
    """'another build (pid N, started HH:MM, by python build.py build)', as far as the lock file says."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        pid, command, started = int(record["pid"]), str(record["command"]), float(record["started"])
    except (OSError, ValueError, KeyError, TypeError):
        return "another build"
    when = time.strftime("%H:%M", time.localtime(started))
    return f"another build (pid {pid}, started {when}, by python build.py {command})"


def _forget_in_child() -> None:
    """In a forked process: close the inherited lock, which stays its parent's alone."""
    for fd, _depth in _held.values():
        with contextlib.suppress(OSError):
            os.close(fd)
    _held.clear()


if sys.platform != "win32":  # pragma: no branch
    os.register_at_fork(after_in_child=_forget_in_child)
