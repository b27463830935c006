"""What the last clean audit checked, so that a rebuild reads only what is new or changed.

Only facts that are safe by construction are remembered (README: "Privacy guarantees"):

- a source photo's metadata strings, by its path and `cache.stat_key` (recorded once settled);
- an image or font file of the site found clean, by its `cache.identity` (the site's images and pages
  are hard links to files in the caches, so an unchanged file keeps it) together with the kind its
  first bytes say it is (kinds.sniff, read on every audit): a verdict on a JPEG never vouches for
  text that took its place;
- a text file found clean of a set of needles, by its identity: it is searched again for needles
  not in that set, and in full once it changed.

Anything else is checked in full; a missing or damaged memo means a full audit.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from ..cache import Store, identity
from ..errors import Problem
from .containers import check_font, check_image
from .embedded import check_text
from .findings import Finding, Needle
from .kinds import FONTS, UNKNOWN, cannot_check, mismatch
from .metadata import Unreadable, source_needles
from .search import Search, search_key

FORMAT = 5     # 4: files checked by their content; 5: texts searched as a reader sees them (reading)


def _valid(key: str, value) -> bool:
    if key.startswith("source:"):
        return (isinstance(value, list) and len(value) == 2 and isinstance(value[1], list)
                and all(_pair_of(str, str, pair) for pair in value[1]))
    if key == "needles":
        return isinstance(value, list) and all(_pair_of(str, bool, pair) for pair in value)
    return value is True


def _pair_of(first: type, second: type, value) -> bool:
    return type(value) is list and len(value) == 2 and type(value[0]) is first and type(value[1]) is second


class Memo:
    def __init__(self, path: Path | None):
        self.store = Store(path, FORMAT, valid=_valid)
        self.checked = {tuple(pair) for pair in self.store.old.get("needles", [])}

    def needles(self, sources: list[Path], photos: Path | None = None) -> tuple[list[Needle], list[Problem]]:
        """Every source's needles, and a problem for each source whose metadata cannot be read (each
        read inside photos, the photos folder: metadata.source_needles)."""
        needles: list[Needle] = []
        problems: list[Problem] = []
        for source in sources:
            key = f"source:{source}"
            st = os.stat(source)
            pairs = self.store.get_stamped(key, st)
            if pairs is None:
                try:
                    pairs = [[n.text, n.what] for n in source_needles(source, photos)]
                except Unreadable as exc:
                    problems.append(Problem(source, None, f"{exc}: the privacy audit cannot read its metadata, so "
                                                          "it cannot check that none of it is published; replace "
                                                          "the file with a readable copy or remove it"))
                    continue
                self.store.put_stamped(key, st, pairs)
            needles.extend(Needle(text, what, source) for text, what in pairs)
        return needles, problems

    def check_image(self, folder: Path, rel: str, kind: str) -> list[Finding]:
        """An image or font file (kind: what kinds.sniff says it is), checked by its container."""
        path = os.path.join(folder, rel)
        key = f"image:{kind}:{identity(path)}"
        if self.store.get(key):
            return []
        with open(path, "rb") as fh:
            data = fh.read()
        checked = check_font(data) + _named(rel, kind) if kind in FONTS else check_image(data, os.path.splitext(rel)[1])
        found = [Finding(rel, where, message) for where, message in checked]
        if not found:
            self.store.put(key, True)
        return found

    def check_texts(self, folder: Path, rels: list[str], needles: list[Needle]) -> list[Finding]:
        """Search the text files for the needles, reading only what the memo cannot vouch for."""
        fresh = [n for n in needles if search_key(n) not in self.checked]
        pending: list[tuple[str, str, bool]] = []      # (rel, memo key, known clean of the checked needles)
        for rel in rels:
            key = f"text:{identity(os.path.join(folder, rel))}"
            known = key in self.store.old
            if known and not fresh:
                self.store.get(key)
            else:
                pending.append((rel, key, known))
        searches: dict[bool, Search] = {}     # built when first needed: known files need only the fresh needles
        found: list[Finding] = []
        for rel, key, known in pending:
            text = _read_text(folder, rel)
            if text is None:
                found.append(Finding(rel, "file", cannot_check(UNKNOWN)))
                continue
            own, inside = check_text(rel, text)      # SVG metadata, images inside data: URIs
            checked = [Finding(rel, where, message, line) for where, message, line in own]
            search = searches.get(known) or searches.setdefault(known, Search(fresh if known else needles))
            checked += search.findings(rel, text)
            checked += [replace(f, where="text inside a data: URI", line=line)
                        for line, embedded in inside for f in search.findings(rel, embedded)]
            if not checked:
                self.store.put(key, True)
            found.extend(checked)
        self.store.put("needles", [list(key) for key in sorted({search_key(n) for n in needles})])
        return found

    def save(self) -> None:
        """Remember this audit (called only when it found nothing); the memo only saves time."""
        try:
            self.store.save()
        except OSError:
            pass


def _read_text(folder: Path, rel: str) -> str | None:
    """The file's text; None when it is not UTF-8 without NUL bytes (kinds.sniff saw only its start)."""
    with open(os.path.join(folder, rel), "rb") as fh:
        data = fh.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if "\x00" in text else text


def _named(rel: str, kind: str) -> list[tuple[str, str]]:
    wrong = mismatch(rel, kind)
    return [("file", wrong)] if wrong else []
