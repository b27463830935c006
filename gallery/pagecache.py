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

A cached file is reused only while its size, modification time and inode are the ones recorded
when it was written; a missing, damaged or foreign index means every page is rendered. Pages no longer produced are deleted from the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from . import fingerprint, markup

INDEX = "index.json"
MARKDOWN = "markdown.json"         # rendered captions, so reused texts need no Markdown
FORMAT = 2
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


class PageCache:
    """Pages of the last build in folder/, with what each one read."""

    def __init__(self, folder: Path, context: str, entries: dict[str, str], code: str,
                 texts: frozenset[str] = frozenset()):
        self.folder = folder
        self.texts = texts              # markup.Memo keys of the texts the site has now: the memo
                                        # keeps only these (a withdrawn item's words are not kept)
        self.context = context
        self.entries = entries          # entry id -> digest of everything about the entry
        self.code = code                # code_digest(): what the Markdown memo is valid for
        self.kept: dict[str, dict] = {}
        self.rendered = 0
        self.reused = 0
        self.pages = self._load()
        self.markdown = markup.Memo(self._load_markdown())

    def _load_markdown(self) -> dict[str, str]:
        """Captions rendered by the last build, valid while the code and libraries are the same."""
        try:
            data = json.loads((self.folder / MARKDOWN).read_text())
            return data["texts"] if data.get("code") == self.code and isinstance(data["texts"], dict) else {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}

    def _load(self) -> dict[str, dict]:
        try:
            data = json.loads((self.folder / INDEX).read_text())
            if data.get("format") != FORMAT or data.get("context") != self.context:
                return {}
            pages = data["pages"]
            return pages if isinstance(pages, dict) else {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}

    def get(self, path: str) -> Path | None:
        """The cached page's file when neither the context nor any entry it read has changed.

        The file must still be the one written (same size, modification time and inode); the
        site links to it, so an unchanged page keeps its identity and the audit need not re-read it.
        """
        record = self.pages.get(path)
        try:
            read = record["read"]
            if any(self.entries.get(i) != d for i, d in read.items()):
                return None
            file = self.folder / f"{record['sha']}.html"
            st = os.stat(file)
            if [st.st_size, st.st_mtime_ns, st.st_ino] != record["stat"]:
                return None               # changed in place or replaced: render it again
        except (OSError, KeyError, TypeError, AttributeError):
            return None
        self.kept[path] = record
        self.reused += 1
        return file

    def put(self, path: str, data: bytes, read: set[str]) -> Path:
        """Store a rendered page; returns its file in the cache."""
        sha = hashlib.sha256(data).hexdigest()
        target = self.folder / f"{sha}.html"
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)           # always a fresh file: never trust one of the same name
        st = os.stat(target)
        self.kept[path] = {"sha": sha, "read": {i: self.entries[i] for i in sorted(read) if i in self.entries},
                           "stat": [st.st_size, st.st_mtime_ns, st.st_ino]}
        self.rendered += 1
        return target

    def save(self) -> None:
        """Record this build's pages; delete cached pages no longer produced."""
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / f"{INDEX}.tmp"
        tmp.write_text(json.dumps({"format": FORMAT, "context": self.context, "pages": self.kept}))
        os.replace(tmp, self.folder / INDEX)
        texts = {k: v for k, v in {**self.markdown.known, **self.markdown.used}.items() if k in self.texts}
        if texts != self.markdown.known:
            tmp = self.folder / f"{MARKDOWN}.tmp"
            tmp.write_text(json.dumps({"code": self.code, "texts": texts}, sort_keys=True))
            os.replace(tmp, self.folder / MARKDOWN)
        keep = {f"{r['sha']}.html" for r in self.kept.values()} | {INDEX, MARKDOWN}
        for entry in os.scandir(self.folder):
            if entry.name not in keep:
                try:
                    os.unlink(entry.path)
                except OSError:
                    pass
