"""What the audit looks for and what it reports."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from ..errors import AuditError, Problem


@dataclass(frozen=True)
class Finding:
    """One thing the audit found: a file of the site, where in it, and what is wrong."""

    path: str           # relative to the site folder
    where: str          # e.g. "JPEG segment COM at byte 20"
    message: str
    line: int | None = None

    def problem(self, root: Path) -> Problem:
        return Problem(root / self.path, self.line, f"{self.where}: {self.message}")


class Needle(NamedTuple):
    """A string from a source photo's metadata that must not appear in the site's text."""

    text: str           # as it might appear on a page
    what: str           # e.g. "EXIF Model"
    source: Path


def raise_if_findings(findings: list[Problem]) -> None:
    if findings:
        raise AuditError(problems=[*findings, Problem(None, None, f"privacy audit: {len(findings)} finding(s); "
                                                      "nothing may be published until they are fixed")])
