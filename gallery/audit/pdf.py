"""The privacy audit of a print folder: the PDFs `print` wrote, each read object by object (pdfdoc).

A print folder holds PDFs and the manifest, nothing else: any other file (an image, a stray text)
is a finding, as an unknown file in a site is. Each PDF is judged by pdfdoc.check_pdf (its
document info, XMP, images, attachments, scripts and forms), and every text it holds (strings,
decompressed streams, each page's text) is searched for the sources' metadata with the site's
search (search.Search); file names follow the site's rule (names.check_print_names).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from ..errors import Problem
from ..paths import is_litter
from .findings import Finding
from .kinds import TEXT, head_of, sniff
from .memo import Memo
from .names import check_print_names
from .search import Search

PDF = "a PDF document"      # what kinds.sniff calls a file that starts with %PDF-
MANIFEST = ".gallery-manifest.json"
LITTER = ("operating-system litter (a file manager's thumbnail cache or folder settings), not part of the print "
          "folder; delete it")


def is_print_folder(folder: Path) -> bool:
    """A folder the print command wrote: no index.html, and at least one PDF (by its first bytes) at its top."""
    if not folder.is_dir() or (folder / "index.html").exists():
        return False
    with os.scandir(folder) as entries:
        return any(entry.is_file(follow_symlinks=False) and sniff(head_of(entry.path)) == PDF for entry in entries)


def audit_print(folder: Path, sources: Iterable[Path] = (), shown_as: Path | None = None,
                photos: Path | None = None) -> list[Problem]:
    """Every finding in the print folder at folder, as problems naming the file (under shown_as).

    sources: the source photos whose metadata must not appear (each read inside photos, the photos
    folder, as the site's audit reads them). Usable with raise_if_findings.
    """
    from ..output import files_under
    folder = Path(folder)
    if not folder.is_dir():
        return [Problem(folder, None, "not a folder; print first or name the folder the PDFs were printed into")]
    sources = [Path(s) for s in sources]
    needles, unreadable = Memo(None).needles(sources, photos)
    search = Search(needles)
    rels = files_under(folder)
    findings = check_print_names(rels, sources)
    for rel in rels:
        path = os.path.join(folder, rel)
        if os.path.islink(path):
            continue    # never followed, as in a site (the print command writes none)
        findings.extend(_check_file(folder, rel, search))
    root = shown_as or folder
    return unreadable + [f.problem(root) for f in findings]


def _check_file(folder: Path, rel: str, search: Search) -> list[Finding]:
    path = os.path.join(folder, rel)
    if is_litter(rel.rsplit("/", 1)[-1]):
        return [Finding(rel, "file", LITTER)]
    kind = sniff(head_of(path))
    if rel == MANIFEST and kind == TEXT:
        with open(path, "rb") as fh:
            return search.findings(rel, fh.read().decode("utf-8", "replace"))
    if kind != PDF:
        what = "text" if kind == TEXT else kind
        return [Finding(rel, "file", f"holds {what}, not a PDF: a print folder holds only the PDFs the print "
                                     f"command writes and its {MANIFEST}; remove it from the print folder")]
    found = [] if rel.lower().endswith(".pdf") else [
        Finding(rel, "file", f"holds PDF data under a name that does not end in .pdf; rename it to "
                             f"{os.path.splitext(rel.rsplit('/', 1)[-1])[0]}.pdf")]
    return found + audit_pdf(path, rel, search)


def audit_pdf(path: str, rel: str, search: Search) -> list[Finding]:
    """The findings in one PDF (the file rel): its structure, then its texts searched for the needles."""
    from .pdfdoc import check_pdf
    with open(path, "rb") as fh:
        checked = check_pdf(fh.read())
    found = [Finding(rel, where, what) for where, what in checked.found]
    for where, text in checked.texts:
        found.extend(replace(f, where=where, line=None) for f in search.findings(rel, text))
    return found
