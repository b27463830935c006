"""What versions up to 0.4 left beside the output folder, removed once by the next build.

They wrote the JSON build report (every participant id, consent date and reviewer), the caches and
the drafts preview (unconsented items) beside the output folder, where a web server publishing the
output's parent serves them. Now these live in the project's own folder (options.workspace). Only a
file or folder that is exactly what an old version wrote is deleted (the report by its format and
keys, a cache by its layout, a preview by its manifest); anything else of those names is left as it
was, with a warning.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from pathlib import Path

from .errors import display_path
from .options import BuildOptions
from .output import MANIFEST, files_under, read_manifest
from .paths import real_path, within

log = logging.getLogger(__name__)

REPORT_NAME = "build-report.json"
REPORT_KEYS = {"format", "generated", "output", "seconds", "counts", "published", "left_out", "withdrawn",
               "warnings"}
CACHE_FILES = {"sources.json", "images.json", "captions.json", "audit-memo.json", "last-build.json"}
CACHE_FOLDERS = {"pages"}
IMAGE_FOLDER = re.compile(r"[0-9a-f]{64}|\.[0-9a-f]{10}-.+")      # an image folder, or a worker's temporary one
TEMPORARY = re.compile(r"\..+\.[0-9]+\.tmp")                        # cache.write_atomic's, left by a killed build


def remove_old_layout(options: BuildOptions) -> list[Path]:
    """Delete the old report, caches and preview beside options.out; returns what was deleted."""
    out = options.out
    if within(real_path(out), real_path(options.private)):     # the drafts preview: nothing old beside it
        return []
    parent, name = out.parent, out.name
    candidates = [(parent / REPORT_NAME, _old_report(parent / REPORT_NAME, out)),
                  (parent / f".{name}-cache", _old_cache(parent / f".{name}-cache")),
                  (parent / f"{name}-preview", _old_preview(parent / f"{name}-preview")),
                  (parent / f".{name}-preview-cache", _old_cache(parent / f".{name}-preview-cache"))]
    removed = []
    for path, ours in candidates:
        if not os.path.lexists(path):
            continue
        if not ours:
            log.warning("warning: %s is not what an earlier version of this tool wrote, so it was left as it "
                        "was; if it is a build report, cache or preview of this gallery, delete it: it is beside "
                        "the output folder, where a web server may publish it", display_path(path))
            continue
        _delete(path)
        removed.append(path)
    if removed:
        log.warning("warning: removed what an earlier version wrote beside %s/, where a web server may publish it: "
                    "%s; the build report, caches and preview now live in %s/", display_path(out),
                    ", ".join(display_path(p) for p in removed), display_path(options.private))
    return removed


def _delete(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink()


def _old_report(path: Path, out: Path) -> bool:
    """The JSON build report of an earlier version: format 1, exactly its keys, naming this output."""
    if path.is_symlink() or not path.is_file():
        return False
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and set(data) == REPORT_KEYS and data["format"] == 1 \
        and data["output"] in (out.name, os.path.realpath(out))


def _old_cache(path: Path) -> bool:
    """A cache folder of an earlier version: only its own files and folders."""
    if path.is_symlink() or not path.is_dir():
        return False
    with os.scandir(path) as entries:
        for entry in entries:
            if entry.is_symlink():
                return False
            if entry.is_dir():
                if entry.name not in CACHE_FOLDERS and not IMAGE_FOLDER.fullmatch(entry.name):
                    return False
            elif entry.name not in CACHE_FILES and not TEMPORARY.fullmatch(entry.name):
                return False
    return True


def _old_preview(path: Path) -> bool:
    """A drafts preview of an earlier version: every file in it listed in its manifest."""
    if path.is_symlink() or not (path / MANIFEST).is_file():
        return False
    listed = set(read_manifest(path)) | {MANIFEST}
    return len(listed) > 1 and all(rel in listed for rel in files_under(path))
