"""Rendered pages kept between builds, so an edit re-renders only the pages that show what changed.

A cached page is reused only when two things are unchanged:

- the *context*: everything any page may read besides the items themselves. That is this package's
  code, every template and static file (the theme's and the user's), the libraries that render,
  the site settings, the asset names, the drafts, and the site's shape: which items are published,
  in which section and order, under which participant. Publishing, withdrawing or re-ordering any
  item changes the shape, so every page is rendered again: a cached page can never keep a
  withdrawn item, or a link to it, alive.
- every item the page *read*. While a page renders, every attribute read of an entry (by a
  template, a macro, a filter, or the entry's own properties) is recorded (render.reading), and
  the page is stored with a digest of each entry it read: its caption, image and every other field.

The cached bytes are checked against their SHA-256 before reuse; a missing, damaged or foreign
index means every page is rendered. Pages no longer produced are deleted from the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

INDEX = "index.json"
FORMAT = 1
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
    import importlib
    digest = hashlib.sha256(f"{FORMAT}\n".encode())
    _files_digest([PACKAGE] + ([templates_dir] if templates_dir else []), digest)
    for name in LIBRARIES:           # each library's installed files' identity (not __version__,
        module = importlib.import_module(name)    # which imports importlib.metadata: ~25 ms)
        origin = getattr(module, "__file__", None) or "builtin"
        try:
            st = os.stat(origin)
            where = [st.st_size, st.st_mtime_ns, st.st_ino]
        except OSError:
            where = []
        digest.update(f"{name}\0{origin}\0{where}\n".encode())
    return digest.hexdigest()


class PageCache:
    """Pages of the last build in folder/, with what each one read."""

    def __init__(self, folder: Path, context: str, entries: dict[str, str]):
        self.folder = folder
        self.context = context
        self.entries = entries          # entry id -> digest of everything about the entry
        self.kept: dict[str, dict] = {}
        self.rendered = 0
        self.reused = 0
        self.pages = self._load()

    def _load(self) -> dict[str, dict]:
        try:
            data = json.loads((self.folder / INDEX).read_text())
            if data.get("format") != FORMAT or data.get("context") != self.context:
                return {}
            pages = data["pages"]
            return pages if isinstance(pages, dict) else {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}

    def get(self, path: str) -> bytes | None:
        """The cached page when neither the context nor any entry it read has changed."""
        record = self.pages.get(path)
        try:
            read = record["read"]
            if any(self.entries.get(i) != d for i, d in read.items()):
                return None
            data = (self.folder / f"{record['sha']}.html").read_bytes()
        except (OSError, KeyError, TypeError, AttributeError):
            return None
        if hashlib.sha256(data).hexdigest() != record["sha"]:
            return None                   # damaged or changed in place: render it again
        self.kept[path] = {"sha": record["sha"], "read": read}
        self.reused += 1
        return data

    def put(self, path: str, data: bytes, read: set[str]) -> None:
        sha = hashlib.sha256(data).hexdigest()
        target = self.folder / f"{sha}.html"
        if not target.is_file():
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, target)
        self.kept[path] = {"sha": sha, "read": {i: self.entries[i] for i in sorted(read) if i in self.entries}}
        self.rendered += 1

    def save(self) -> None:
        """Record this build's pages; delete cached pages no longer produced."""
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / f"{INDEX}.tmp"
        tmp.write_text(json.dumps({"format": FORMAT, "context": self.context, "pages": self.kept}, sort_keys=True))
        os.replace(tmp, self.folder / INDEX)
        keep = {f"{r['sha']}.html" for r in self.kept.values()} | {INDEX}
        for entry in os.scandir(self.folder):
            if entry.name not in keep:
                try:
                    os.unlink(entry.path)
                except OSError:
                    pass
