"""One exception hierarchy; only build.py turns these into messages and exit codes."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

# characters that would break a message's one line or fool a terminal: control characters (a
# newline in a file name, an escape sequence), line and paragraph separators, bidirectional overrides,
# and the surrogates Python uses for the bytes of a file name that is not UTF-8
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def one_line(text: str) -> str:
    """text with every control character written as an escape (a newline as \\n): one line, always."""
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def display_path(path: Path | str) -> str:
    """A path as the user should see it: relative to the working directory when inside it, on one line."""
    path = Path(path)
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return one_line(str(path))
    return one_line(str(path) if rel.startswith("..") else rel)


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) at a place in a file."""

    path: Path | None
    line: int | None
    message: str

    def __str__(self) -> str:
        """file:line: message, always one line (a newline in a file name or a value is escaped)."""
        if self.path is None:
            return one_line(self.message)
        where = display_path(self.path)
        if self.line:
            where = f"{where}:{self.line}"
        return f"{where}: {one_line(self.message)}"


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
    """The new site is in place, but the previous one could not be deleted completely (or the build
    failed in another way after the swap). removed: (id, reason) of the items it took offline, whose
    withdrawal checklist is still to be printed."""

    exit_code = 3
    removed: tuple[tuple[str, str], ...] = ()


class AuditError(GalleryError):
    """The written site failed the privacy audit."""


class UsageError(GalleryError):
    """The command line asked for something impossible."""

    exit_code = 2


class AuthoringError(GalleryError):
    """add or import cannot write the caption files (a bad sheet row, a file already there); nothing was written."""


class BusyError(GalleryError):
    """Another build of the same project holds the build lock; this one did nothing."""

    exit_code = 4
