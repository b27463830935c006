"""Rendered pages kept between builds, so an edit re-renders only the pages that show what changed.

A cached page is reused only when two things are unchanged:

- the *context*: everything any page may read besides the items themselves. That is this package's
  code, every template and static file (the theme's and the user's), the libraries that render,
  the site settings, the asset names, the drafts, and the site's shape: which items are published,
  in which section and order, under which participant. Publishing, withdrawing or re-ordering any
  item changes the shape, so every page is rendered again: a cached page can never keep a
  withdrawn item, or a link to it, alive.
- every item the page *read*. A page renders from its own view of the site (render.View), which
  records every entry it hands out an attribute of (to a template, a macro or a filter), and the
  page is stored with a digest of each entry it read: its caption, image and every other field.

A cached file is reused only while its cache.identity is the one recorded when it was written; a
missing, damaged or foreign index means every page is rendered. Pages no longer produced are
deleted from the cache.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from . import fingerprint
from .cache import Store, identity, write_atomic

INDEX = "index.json"
FORMAT = 3
PACKAGE = Path(__file__).resolve().parent
LIBRARIES = ("jinja2", "markupsafe", "markdown", "nh3")


def digest_of(*parts: object) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else repr(part).encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _files_digest(folders: list[Path], digest) -> None:
    """Path and content of every file under folders (sorted; __pycache__ skipped)."""
    for folder in folders:
        if not folder.is_dir():
            digest.update(f"{folder}\0absent\n".encode())
            continue
        for root, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                path = os.path.join(root, name)
                digest.update(f"{os.path.relpath(path, folder)}\0".encode())
                with open(path, "rb") as fh:
                    digest.update(hashlib.sha256(fh.read()).digest())


def code_digest(templates_dir: Path | None) -> str:
    """This package (its code and theme), the user's templates, and the rendering libraries."""
    digest = hashlib.sha256(f"{FORMAT}\n".encode())
    _files_digest([PACKAGE] + ([templates_dir] if templates_dir else []), digest)
    fingerprint.libraries(digest, LIBRARIES)
    return digest.hexdigest()


def _valid(path: str, record) -> bool:
    return (isinstance(record, dict) and isinstance(record.get("sha"), str) and isinstance(record.get("read"), dict)
            and isinstance(record.get("identity"), str))


class PageCache:
    """Pages of the last build in folder/, with what each one read."""

    def __init__(self, folder: Path, context: str, entries: dict[str, str]):
        self.folder = folder
        self.entries = entries          # entry id -> digest of everything about the entry
        self.index = Store(folder / INDEX, FORMAT, context=context, valid=_valid)
        self.rendered = 0
        self.reused = 0

    def get(self, path: str) -> Path | None:
        """The cached page's file when neither the context nor any entry it read has changed.

        The file must still be the one written (cache.identity); the site links to it, so an
        unchanged page keeps its identity and the audit need not read it again.
        """
        record = self.index.old.get(path)
        if record is None or any(self.entries.get(i) != d for i, d in record["read"].items()):
            return None
        file = self.folder / f"{record['sha']}.html"
        try:
            if identity(file) != record["identity"]:
                return None               # changed in place or replaced: render it again
        except OSError:
            return None
        self.index.get(path)
        self.reused += 1
        return file

    def put(self, path: str, data: bytes, read: set[str]) -> Path:
        """Store a rendered page; returns its file in the cache."""
        sha = hashlib.sha256(data).hexdigest()
        target = self.folder / f"{sha}.html"
        write_atomic(target, data)        # always a fresh file: never trust one of the same name
        self.index.put(path, {"sha": sha, "read": {i: self.entries[i] for i in sorted(read) if i in self.entries},
                              "identity": identity(target)})
        self.rendered += 1
        return target

    def save(self) -> None:
        """Record this build's pages; delete cached pages no longer produced."""
        self.index.save()
        keep = {f"{r['sha']}.html" for r in self.index.new.values()} | {INDEX}
        with os.scandir(self.folder) as entries:
            for entry in entries:
                if entry.name not in keep:
                    os.unlink(entry.path)
