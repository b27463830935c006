"""Build options: the light part of a build that the command line needs before anything heavy is imported."""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class BuildOptions:
    photos: Path
    captions: Path
    config: Path
    templates: Path
    out: Path
    root: Path                       # the project folder (never to be overwritten)
    jobs: int | None = None          # None: all cores
    strict: bool = False
    config_required: bool = False    # True when --config was given explicitly
    drafts: bool = False             # preview only: also show unconsented items, marked as drafts
    progress: Callable[[int, int], None] | None = field(default=None, compare=False)  # (done, total) images

    @functools.cached_property
    def private(self) -> Path:
        """The project's own folder (git-ignored) for what is not the site: never beside the output.

        .gallery/ beside the settings file (the project's folder: build.py's by default)."""
        return self.config.parent / ".gallery"

    @functools.cached_property     # a frozen dataclass: computed once (a build asks ~800 times)
    def workspace(self) -> Path:
        """This output folder's own folder in private: its caches, build report and drafts preview.

        One per output folder (two --out folders of one project never share their page cache,
        no-op record or image cache, whose garbage collection keeps only what its output uses): named
        after the output's path from the project's folder (its absolute path when outside it), with
        '/' written as %2F, so that two outputs never get one name: .gallery/site, .gallery/www%2Fgallery.
        """
        home = os.path.abspath(self.private.parent)
        out = os.path.abspath(self.out)
        rel = os.path.relpath(out, home)
        name = out if rel == ".." or rel.startswith(".." + os.sep) else rel
        return self.private / name.replace("%", "%25").replace(os.sep, "%2F")

    @functools.cached_property
    def cache(self) -> Path:
        return self.workspace / "cache"


def options_for(root: Path, **overrides: Any) -> BuildOptions:
    """BuildOptions with the project's default folders, overridden where given (not None)."""
    defaults = BuildOptions(photos=root / "photos", captions=root / "captions", config=root / "gallery.yaml",
                            templates=root / "templates", out=root / "site", root=root)
    return dataclasses.replace(defaults, **{k: v for k, v in overrides.items() if v is not None})
