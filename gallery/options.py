"""Build options: the light part of a build that the command line needs before anything heavy is imported."""

from __future__ import annotations

import dataclasses
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

    @property
    def private(self) -> Path:
        """The project's own folder (git-ignored) for what is not the site: never beside the output.

        .gallery/ beside the settings file (the project's folder: build.py's by default)."""
        return self.config.parent / ".gallery"

    @property
    def cache(self) -> Path:
        return self.out.parent / f".{self.out.name}-cache"



def options_for(root: Path, **overrides: Any) -> BuildOptions:
    """BuildOptions with the project's default folders, overridden where given (not None)."""
    defaults = BuildOptions(photos=root / "photos", captions=root / "captions", config=root / "gallery.yaml",
                            templates=root / "templates", out=root / "site", root=root)
    return dataclasses.replace(defaults, **{k: v for k, v in overrides.items() if v is not None})
