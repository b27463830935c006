"""The privacy audit: re-read what a build wrote; anything but pixels and our own text is a finding.

Every file is identified by its content (kinds): image files and fonts are checked by walking their
containers byte by byte (containers), anything the audit cannot check is a finding, file names must
reveal nothing the page address does not (names), and no text file of the site may contain text
taken from the sources' metadata (metadata, search). `python build.py audit [DIR]` runs it on a
built site; every build runs it on the staging folder before the swap, so a finding leaves the
previous site as it was, and remembers what it checked (memo). A print folder (the PDFs
`python build.py print` writes) gets the same checks for what a PDF holds (pdf, pdfdoc, pdfparts):
`audit_print`, which `python build.py audit DIR` runs when DIR is one (pdf.is_print_folder).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ..errors import Problem
from ..paths import is_litter
from .containers import check_avif, check_image, check_jpeg, check_png, check_webp
from .findings import Finding, Needle, raise_if_findings
from .kinds import FONTS, IMAGES, TEXT, cannot_check, head_of, mismatch, sniff
from .memo import Memo
from .metadata import source_needles
from .names import check_name, check_names
from .pdf import audit_print, is_print_folder
from .search import search_texts

__all__ = ["audit_site", "audit_print", "is_print_folder", "raise_if_findings", "Finding", "Needle", "check_image",
           "check_jpeg", "check_png", "check_webp", "check_avif", "check_name", "source_needles", "search_texts"]

LITTER = ("operating-system litter (a file manager's thumbnail cache or folder settings), not part of the site; "
          "delete it")


def audit_site(folder: Path, sources: Iterable[Path] = (), shown_as: Path | None = None,
               memo: Path | None = None, photos: Path | None = None) -> list[Problem]:
    """Every finding in the built site at folder, as problems naming the file (under shown_as).

    Each file is checked as what its first bytes say it is (kinds.sniff), never by its name. With
    memo (a file beside the image cache), what the last clean audit already checked is not read
    again (see memo.Memo). Without it (`build.py audit`) every file is checked in full.
    """
    from ..output import files_under
    folder = Path(folder)
    if not folder.is_dir():
        return [Problem(folder, None, "not a folder; build the site first or name the built site folder")]
    sources = [Path(s) for s in sources]
    remembered = Memo(memo)
    needles, unreadable = remembered.needles(sources, photos)     # each read inside photos (the folder)
    rels = files_under(folder)
    findings = check_names(rels, sources)
    texts = []
    for rel in rels:
        if os.path.islink(os.path.join(folder, rel)):
            continue    # a symlink the web team put in site/ (the build writes none): theirs, never followed
        if is_litter(rel.rsplit("/", 1)[-1]):
            findings.append(Finding(rel, "file", LITTER))
            continue
        kind = sniff(head_of(os.path.join(folder, rel)))
        if kind in IMAGES or kind in FONTS:
            findings.extend(remembered.check_image(folder, rel, kind))
        elif kind == TEXT:
            wrong = mismatch(rel, kind)
            findings.extend([Finding(rel, "file", wrong)] if wrong else [])
            texts.append(rel)
        else:
            findings.append(Finding(rel, "file", cannot_check(kind)))
    findings.extend(remembered.check_texts(folder, texts, needles))
    if not findings and not unreadable:
        remembered.save()
    root = shown_as or folder
    return unreadable + [f.problem(root) for f in findings]
