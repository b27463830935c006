"""Real paths, resolved once per build, whether one lies inside a folder (a photo inside photos/), and
opening a photo so that what is read is what was checked."""

from __future__ import annotations

import functools
import io
import os
import stat
import time
from pathlib import Path

PAUSE = "GALLERY_TEST_PAUSE"    # tests only: a folder; the build waits at each pause() point until told to go on


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


class PhotoMoved(Exception):
    """The photo is no longer the file inside photos/ that was checked (str: why, for the user)."""


MOVED = ("was replaced while the build was reading it, by a link or through a folder that now leads outside "
         "the photos folder; nothing of it was published: check the photos folder and build again")


def open_photo(path: Path | str, photos_dir: Path | str | None, reader: str | None = "read") -> io.BufferedReader:
    """The photo opened for reading, checked to be inside photos_dir now, at the moment it is opened.

    Its real path is resolved again (not from the memo: it may have changed since the captions
    were loaded) and must be inside photos_dir; it is opened without following a symlink in its
    last part (O_NOFOLLOW: a file swapped for a link since is refused), and after opening, the path
    must still resolve to the same place and that place be the file that was opened (device and
    inode), so a folder on the way swapped for a link is found too. Raises PhotoMoved, or OSError
    when it cannot be read. Every byte the build reads of a photo comes from the one file this returns.
    photos_dir None: no folder to stay inside (`build.py audit` reading every file under --photos).
    reader: who reads (for pause(): "read", the image stage; "metadata", the audit; None, the consent
    gate hashing a reviewed photo: no pause point).
    """
    path = os.fspath(path)
    if photos_dir is None:
        return open(path, "rb")     # the caller closes it
    root = os.path.realpath(photos_dir)
    real = os.path.realpath(path)
    if not within(real, root):
        raise PhotoMoved(MOVED)
    if reader is not None:
        pause(f"{reader}-{os.path.basename(path)}")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(real, flags)
    except OSError as exc:
        if os.path.islink(real):               # O_NOFOLLOW's ELOOP: the file became a link since
            raise PhotoMoved(MOVED) from None
        raise exc from None
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            raise PhotoMoved("is no longer a regular file (it was replaced while the build was reading it); "
                             "nothing of it was published: check the photos folder and build again")
        now = os.stat(real) if os.path.realpath(path) == real else None
        if now is None or (now.st_dev, now.st_ino) != (opened.st_dev, opened.st_ino):
            raise PhotoMoved(MOVED)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def pause(label: str) -> None:
    """For tests of races, where GALLERY_TEST_PAUSE names a folder: say we are at label (label.paused
    there) and wait, at most 60 s, until the test says go on (label.go). Nothing otherwise."""
    folder = os.environ.get(PAUSE)
    if not folder:
        return
    with open(os.path.join(folder, f"{label}.paused"), "w"):
        pass
    end = time.monotonic() + 60
    while not os.path.exists(os.path.join(folder, f"{label}.go")) and time.monotonic() < end:
        time.sleep(0.01)
LITTER = {"thumbs.db", "ehthumbs.db", "ehthumbs_vista.db", "desktop.ini", ".ds_store", ".localized", "icon\r"}


def is_litter(name: str) -> bool:
    """A file an operating system leaves in folders (Explorer's Thumbs.db and desktop.ini, the Finder's
    .DS_Store and ._ AppleDouble files): never the user's content, never copied or published."""
    return name.lower() in LITTER or name.startswith("._")
