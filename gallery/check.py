"""The check command: everything a build would refuse or warn about, without writing anything.

A build stops on the same errors, and reports them all at once too: the content's, every photo to
be published that its image stage cannot make, and every source photo the privacy audit cannot
read. check finds the photo errors as the build would: a photo the build's image cache already
made from these bytes and settings is good; any other is read and decoded by the build's own code.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import content, imagecache, screens
from .captions import Item, caption_files
from .config import ImageSettings, SiteConfig
from .content import Decision
from .errors import Problem
from .options import BuildOptions
from .paths import real_path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckResult:
    """What `check` found: errors (content that cannot be built) and warnings; nothing was written."""

    config: SiteConfig
    decisions: tuple[content.Decision, ...]
    errors: tuple[Problem, ...]
    warnings: tuple[Problem, ...]
    caption_files: int = 0
    screening: screens.Screening | None = field(default=None, compare=False)   # the flags found


def check(options: BuildOptions) -> CheckResult:
    """Validate settings, captions and photos like a build, without writing anything."""
    from .output import guard_build
    guard_build(options)
    found = content.collect(options)
    screening = screens.screen_found(found, options, save=False)
    found = screens.apply(found, screening)
    photos = probe_photos(found.published, found.config, options.cache, found.errors, options.photos)
    unreadable = unreadable_sources(found.decisions, options.cache, [*photos, *screens.reported(found, screening)],
                                    options.photos)
    errors = found.errors + tuple(photos) + tuple(unreadable)
    files = len(caption_files(options.captions))
    return CheckResult(found.config, found.decisions, errors, found.warnings, files, screening)


def unreadable_sources(decisions: Iterable[Decision], cache: Path, reported: Iterable[Problem] = (),
                       photos: Path | None = None) -> list[Problem]:
    """The audit's problem for each source photo whose metadata cannot be read (its memo read, never
    written), except a photo the image stage already reported (reported: its problems, by caption file)."""
    from .audit.memo import Memo
    decisions = list(decisions)
    failed = {p.path for p in reported}
    skip = {d.item.photo for d in decisions if d.item.source in failed}
    sources = [p for p in content.source_photos(decisions) if p not in skip]
    return Memo(cache / "audit-memo.json").needles(sources, photos)[1]


def probe_photos(items: Iterable[Item], config: SiteConfig, cache: Path | None = None,
                 errors: Iterable[Problem] = (), photos: Path | None = None) -> list[Problem]:
    """The image stage's problem for each photo to be published that it cannot make."""
    from .imagecache import ImageJob
    made = _MadeBefore(cache)
    todo = [item for item in imagecache.image_items(items, errors) if not made.knows(item, config)]
    inside = str(photos) if photos is not None else None
    jobs = [ImageJob(item.id, str(item.photo), None, config.images, item.redact, inside) for item in todo]
    return [Problem(item.source, item.photo_line, f"photo '{item.photo_name}' {failure}")
            for item, failure in zip(todo, _decode_all(jobs, frozenset(made.index.old)), strict=True)
            if failure is not None]


def _decode_all(jobs: list, known: frozenset[str]) -> list[str | None]:
    """decode_failure for every job, in a process pool over all cores when there are two or more."""
    if len(jobs) < 2 or (os.cpu_count() or 1) < 2:
        return [decode_failure(job, known) for job in jobs]
    from concurrent.futures import ProcessPoolExecutor
    from itertools import repeat
    with ProcessPoolExecutor(max_workers=min(os.cpu_count() or 1, len(jobs))) as pool:
        return list(pool.map(decode_failure, jobs, repeat(known)))


def decode_failure(job, known: frozenset[str] = frozenset()) -> str | None:
    """What the image stage would say about the photo of job (an imagecache.ImageJob without a key),
    reading and decoding it as a worker does; None: it decodes. known: the keys of images already
    made (the bytes, once hashed, may be among them under another stat)."""
    from . import images
    from .imagecache import read_source
    try:
        with read_source(job) as (keyed, data, _):
            if keyed.key in known:
                return None
            with images.library_warnings([]):      # damaged metadata is the build's -v note, not an error
                images.decode_largest(Path(job.source), job.settings, job.redact, data)
    except images.ImageError as exc:
        return str(exc)
    except MemoryError:
        return "is too large to decode in memory; resize it first"
    return None


class _MadeBefore:
    """The build's image cache, read only: photos (by stat) already hashed, and results already made."""

    def __init__(self, cache: Path | None):
        self.hashes = imagecache.photo_hashes(cache)
        self.index = imagecache.image_index(cache)

    def knows(self, item: Item, config: SiteConfig) -> bool:
        """True when the build would take the item's images from its cache without decoding the photo."""
        assert item.photo is not None
        try:
            digest = self.hashes.get_stamped(real_path(item.photo), item.photo.stat())
        except OSError:
            return False
        return isinstance(digest, str) and \
            imagecache.job_key(item.id, digest, config.images, item.redact) in self.index.old


def probe_photo(path: Path, settings: ImageSettings) -> tuple[str | None, list[str]]:
    """The header read of check and add: (why the photo cannot be published or None, Pillow's
    warnings about its damaged metadata, which never reach the terminal as they are)."""
    from .images import ImageError, library_warnings, open_image
    notes: list[str] = []
    try:
        with library_warnings(notes):
            open_image(path, settings).close()
    except ImageError as exc:
        return str(exc), notes
    return None, notes
