"""The image workers: photos made in processes of their own, over all cores, never in the build's.

A worker runs the image stage's work on one job (imagecache.process_source, handed in, so that this
module needs nothing of the image cache). A photo that cannot be published comes back as a
message, Pillow's warnings about its metadata as notes, and a worker the operating system kills
(out of memory) is found out and its photo named.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from . import images
from .errors import ContentError, Problem
from .images import ImageError

if TYPE_CHECKING:  # pragma: no cover
    from .config import ImageSettings


class Job(Protocol):
    """A photo's job (imagecache.Job, screens.ScreenJob): what the pool itself reads of it."""

    @property
    def item_id(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def settings(self) -> ImageSettings: ...


J = TypeVar("J", bound=Job)


log = logging.getLogger(__name__)

# (job, cache, threads) -> (result, the photo's SHA-256 when hashed, made now): imagecache.process_source
# (an ImageResult), screens.screen_photo (its flags)
Work = Callable[[Any, str, int], "tuple[Any, str | None, bool]"]


@dataclass(frozen=True)
class Outcome:
    """What making one photo's images came to (made in a worker process, so it is pickled)."""

    result: Any                         # None: failed (an ImageResult, or the screen's answer)
    digest: str | None = None           # the photo's SHA-256, when the worker hashed it
    error: str | None = None            # why the photo cannot be published
    made: bool = False                  # False: its images were in the cache
    notes: tuple[str, ...] = ()         # what Pillow warned about (damaged metadata), in one line each


@dataclass
class Done:
    """Every job's outcome, gathered in the build's process."""

    failures: list[tuple[str, str]] = field(default_factory=list)     # (item id, message)
    notes: list[tuple[str, str]] = field(default_factory=list)        # (item id, library warning)
    made: int = 0


def run_jobs(work: Work, pending: list[J], cache: str, workers: int | None, results: dict[str, Any],
             progress: Callable[[int, int], None] | None = None,
             record: Callable[[J, str], None] | None = None) -> Done:
    """Process every pending job in worker processes (a pool over all cores when there are two or
    more; one photo, or --jobs 1, one process per photo, never the build's own, so that one the
    operating system kills is named); returns each photo that cannot be published with its message,
    Pillow's notes, and how many photos were made."""
    workers = workers or os.cpu_count() or 1
    if len(pending) < 2 or workers == 1:
        threads = min(workers, 4) if len(pending) == 1 else 1    # one photo: its encodes use the cores
        outcomes: Iterator[tuple[J, Outcome]] = ((job, _alone(work, job, cache, threads)) for job in pending)
    else:
        outcomes = _pool_outcomes(work, pending, cache, workers)
    done = Done()
    for n, (job, outcome) in enumerate(outcomes, 1):
        done.made += outcome.made
        done.notes.extend((job.item_id, note) for note in outcome.notes)
        if progress is not None:
            progress(n, len(pending))
        if outcome.digest is not None and record is not None:
            record(job, outcome.digest)
        if outcome.error or outcome.result is None:
            done.failures.append((job.item_id, outcome.error or "cannot be processed"))
        else:
            results[job.item_id] = outcome.result
    return done


def _pool_outcomes(work: Work, pending: list[J], cache: str, workers: int) -> Iterator[tuple[J, Outcome]]:
    """Each job's outcome from a pool of worker processes.

    A worker killed by the operating system (out of memory, on a photo that decompresses to
    gigabytes) breaks the pool. The photos that had been started are then made again one at a
    time, each in a process of its own, so that one that kills its worker again is named (the
    others were stopped with the pool); the photos not started yet go on in a new pool.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed, wait
    from concurrent.futures.process import BrokenProcessPool
    remaining = pending
    while remaining:
        started = multiprocessing.RawArray("b", len(remaining))     # a worker sets its job's byte
        seen = set()
        with ProcessPoolExecutor(max_workers=min(workers, len(remaining)), initializer=_start_worker,
                                 initargs=(started, os.getpid())) as pool:
            futures = {pool.submit(_safe_process, work, job, cache, 1, n): job for n, job in enumerate(remaining)}
            try:
                for future in as_completed(futures):
                    outcome = future.result()
                    seen.add(future)
                    yield futures[future], outcome
                return
            except BrokenProcessPool:
                wait(futures)
        lost = []
        for n, (future, job) in enumerate(futures.items()):
            if future in seen:
                continue
            if future.exception() is None:
                yield job, future.result()
            else:
                lost.append((job, started[n]))
        suspects = [job for job, begun in lost if begun]
        if not suspects:
            raise ContentError(problems=[Problem(None, None, "the image worker processes stopped before making "
                                                             "any image (killed by the system?); run the build again")])
        for job in suspects:
            yield job, _alone(work, job, cache)
        remaining = [job for job, begun in lost if not begun]


def _alone(work: Work, job: Job, cache: str, threads: int = 1) -> Outcome:
    """job in a worker process of its own: a photo whose worker is killed is named."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool
    with ProcessPoolExecutor(max_workers=1, initializer=_start_worker,
                             initargs=(None, os.getpid())) as pool:
        try:
            return pool.submit(_safe_process, work, job, cache, threads).result()
        except BrokenProcessPool:
            return Outcome(None, error=_killed(job))


def _killed(job: Job) -> str:
    """The message for a photo whose worker the operating system killed, with its size if known."""
    size = ""
    try:
        with images.library_warnings([]), images.open_image(Path(job.source), job.settings) as im:
            width, height = im.size            # the header only
        size = f" (it is {width}x{height} = {width * height:,} pixels)"
    except (ImageError, OSError):
        pass
    return (f"could not be made into images: the operating system killed the process decoding it, most likely for "
            f"lack of memory{size}; resize the photo, or lower images.max_pixels in gallery.yaml (now "
            f"{job.settings.max_pixels:,}) so that photos this large are refused")


_STARTED = None         # in a pool worker: the shared array where it marks each job it starts


def _start_worker(started, parent: int) -> None:
    global _STARTED
    die_with_parent(parent)
    _STARTED = started
    keep_freed_memory()


_PR_SET_PDEATHSIG = 1
PARENT_POLL = 0.5       # seconds between a worker's looks at its parent where prctl is not to be had


def die_with_parent(parent: int) -> None:
    """End this worker when the build that started it (pid parent) dies, even by SIGKILL.

    Linux: prctl(PR_SET_PDEATHSIG, SIGKILL) has the kernel kill it. Elsewhere, a daemon thread
    looks at os.getppid() every PARENT_POLL seconds. Either way the parent is checked once right
    after, in case it died before this worker asked (then getppid() is another process's id)."""
    import signal
    if not _death_signal(signal.SIGKILL):
        import threading
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="watch-parent").start()
    if os.getppid() != parent:
        os._exit(1)


def _death_signal(signum: int) -> bool:
    """prctl(PR_SET_PDEATHSIG, signum); False where the system has no prctl."""
    import ctypes
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return False
    return prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0


def _watch_parent(parent: int) -> None:
    import time
    while os.getppid() == parent:
        time.sleep(PARENT_POLL)
    os._exit(1)


def _safe_process(work: Work, job: Job, cache: str, threads: int = 1, slot: int = -1) -> Outcome:
    """work (imagecache.process_source) in a worker, with a photo that cannot be published as a message, not a crash,
    and Pillow's warnings about its metadata as notes (a worker's warnings would reach the terminal)."""
    if _STARTED is not None and slot >= 0:
        _STARTED[slot] = 1
    notes: list[str] = []
    try:
        with images.library_warnings(notes):
            result, digest, fresh = work(job, cache, threads)
        return Outcome(result, digest, None, fresh, tuple(notes))
    except ImageError as exc:
        return Outcome(None, error=str(exc), notes=tuple(notes))
    except MemoryError:
        return Outcome(None, error="is too large to decode in the memory available; resize it, or lower "
                                   "images.max_pixels in gallery.yaml so that photos this large are refused")


MEMORY_BLOCKS = 4               # freed 16 MB pixel blocks Pillow keeps for the next photo


def keep_freed_memory() -> None:
    """Keep the memory a photo frees for the next one (in a pool worker: a build making a single
    photo has no next one, and measured slower with it).

    Each photo allocates ~40 MB of pixels and buffers and frees them again. By default Pillow and
    the C library return that memory to the system and fault it back in, zeroed, for the next photo:
    ~15% of a cold build's CPU went to the kernel. Keeping it (Pillow's block cache, glibc's
    malloc thresholds) costs no more than the largest photo's working set.
    """
    from PIL import Image
    Image.core.set_blocks_max(MEMORY_BLOCKS)
    try:
        import ctypes
        libc = ctypes.CDLL(None)
        libc.mallopt(-3, 32 << 20)    # M_MMAP_THRESHOLD: photo-sized buffers come from the heap...
        libc.mallopt(-1, 256 << 20)   # M_TRIM_THRESHOLD: ...which is not handed back after each photo
    except (OSError, AttributeError):  # not glibc (or no C library to load): only Pillow's cache applies
        pass
