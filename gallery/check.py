"""The check command: everything a build would refuse or warn about, without writing anything."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from . import content
from .captions import CAPTION_SUFFIXES, Item
from .config import ImageSettings, SiteConfig
from .errors import Problem
from .options import BuildOptions

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckResult:
    """What `check` found: errors (content that cannot be built) and warnings; nothing was written."""

    config: SiteConfig
    decisions: tuple[content.Decision, ...]
    errors: tuple[Problem, ...]
    warnings: tuple[Problem, ...]
    caption_files: int = 0


def check(options: BuildOptions) -> CheckResult:
    """Validate settings, captions and photos like a build, without writing anything."""
    found = content.collect(options)
    errors = found.errors + tuple(probe_photos(found.published, found.config))
    return CheckResult(found.config, found.decisions, errors, found.warnings, _caption_files(options))


def _caption_files(options: BuildOptions) -> int:
    if not options.captions.is_dir():
        return 0
    return sum(1 for name in os.listdir(options.captions)
               if not name.startswith(".") and os.path.splitext(name)[1].lower() in CAPTION_SUFFIXES)


def probe_photos(items: Iterable[Item], config: SiteConfig) -> list[Problem]:
    """Open each photo to be published (header only): the check finds unreadable files fast."""
    problems = []
    for item in items:
        if not item.has_image or item.photo is None or not item.photo.is_file():
            continue
        error, notes = probe_photo(item.photo, config.images)
        for note in notes:
            log.debug("%s", Problem(item.source, item.photo_line, f"photo '{item.photo_name}': damaged metadata "
                                                                   f"ignored ({note}); only its pixels are published"))
        if error is not None:
            problems.append(Problem(item.source, item.photo_line, f"photo '{item.photo_name}' {error}"))
    return problems


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
