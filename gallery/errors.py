"""One exception hierarchy; only build.py turns these into messages and exit codes."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def display_path(path: Path | str) -> str:
    """A path as the user should see it: relative to the working directory when inside it."""
    path = Path(path)
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)
    return str(path) if rel.startswith("..") else rel


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) at a place in a file."""

    path: Path | None
    line: int | None
    message: str

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = display_path(self.path)
        if self.line:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}"


class GalleryError(Exception):
    """Base of every error the gallery reports to its user."""

    exit_code = 1

    def __init__(self, message: str = "", problems: tuple[Problem, ...] | list[Problem] = ()):
        self.problems = tuple(problems)
        super().__init__(message or "\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        """The messages to show, one per line."""
        if self.problems:
            return [str(p) for p in self.problems]
        return [str(self)]


class ConfigError(GalleryError):
    """gallery.yaml is missing, unreadable or invalid."""


class ContentError(GalleryError):
    """Captions or photos have errors; nothing was published."""


class OutputError(GalleryError):
    """The output directory cannot be used or written safely."""


class CleanupError(GalleryError):
    """The new site is in place, but the previous one could not be deleted completely."""

    exit_code = 3


class AuditError(GalleryError):
    """The written site failed the privacy audit."""


class UsageError(GalleryError):
    """The command line asked for something impossible."""

    exit_code = 2


class AuthoringError(GalleryError):
    """add or import cannot write the caption files (a bad sheet row, a file already there); nothing was written."""
