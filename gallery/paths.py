"""Real paths, resolved once per build, and whether one lies inside a folder (a photo inside photos/)."""

from __future__ import annotations

import functools
import os
from pathlib import Path


def resolve_photo(photos_dir: Path, name: str) -> Path | None:
    """The photo's path if it stays inside photos_dir (after following symlinks), else None."""
    if os.path.isabs(name) or name.startswith("~") or "\\" in name:
        return None
    root = real_path(photos_dir)
    candidate = photos_dir / name
    if not within(real_path(candidate), root):
        return None
    return candidate


def within(real: str, root: str) -> bool:
    """True when the real path real is root or inside it (both from real_path)."""
    return real == root or real.startswith(os.path.join(root, ""))


@functools.cache
def _real_folder(folder: str) -> str:
    return os.path.realpath(folder)


def forget_real_paths() -> None:
    _real_folder.cache_clear()
    _real_path.cache_clear()


def real_path(path: Path | str) -> str:
    """os.path.realpath, once per path and each folder once per build (a gallery's photos share a
    few folders; every stage asks about the same photos): site.build() clears the memo."""
    return _real_path(os.fspath(path))


@functools.cache
def _real_path(path: str) -> str:
    folder, name = os.path.split(os.path.abspath(path))
    if not name:
        return _real_folder(folder)
    full = os.path.join(_real_folder(folder), name)
    return os.path.realpath(full) if os.path.islink(full) or name in (".", "..") else full


LITTER = {"thumbs.db", "ehthumbs.db", "ehthumbs_vista.db", "desktop.ini", ".ds_store", ".localized", "icon\r"}


def is_litter(name: str) -> bool:
    """A file an operating system leaves in folders (Explorer's Thumbs.db and desktop.ini, the Finder's
    .DS_Store and ._ AppleDouble files): never the user's content, never copied or published."""
    return name.lower() in LITTER or name.startswith("._")
