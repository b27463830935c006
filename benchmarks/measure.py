"""Run a command, timing it and sampling the resident memory of its whole process tree."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float          # the largest sum of resident memory over the process and all its children
    returncode: int
    stdout: str
    stderr: str


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def tree_rss(pid: int) -> int:
    """Bytes resident in pid and all its descendants (shared pages counted in each: an upper bound)."""
    tree = _children()
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            pass
        todo.extend(tree.get(current, []))
    return total


def tool_environment() -> dict[str, str]:
    """The environment both tools run in: this one, except that Python may cache compiled modules.

    Some machines (this project's CI and sandboxes) set PYTHONDONTWRITEBYTECODE, which makes Python
    compile every module of a program that is not pip-installed on every start (~40 ms for ours;
    sigal is pip-installed, so its modules were compiled at install time). A researcher's machine
    caches them, so both tools are measured as they would run there.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run(cmd: list[str], cwd: Path | None = None, sample: bool = False, env: dict | None = None) -> Run:
    """Time cmd; with sample=True also poll the memory of its process tree every 20 ms."""
    env = tool_environment() if env is None else env
    peak = 0
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    if sample:
        done = threading.Event()

        def poll() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, tree_rss(proc.pid))
                done.wait(0.02)

        sampler = threading.Thread(target=poll, daemon=True)
        sampler.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    if sample:
        done.set()
        sampler.join()
    return Run(seconds, peak / 1e6, proc.returncode, out, err)
