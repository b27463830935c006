"""The output folder: guarded, written aside, swapped in whole; only our own files are ever removed."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import CleanupError, OutputError, Problem
from .options import BuildOptions

MANIFEST = ".gallery-manifest.json"
STAGING_PREFIX = ".gallery-staging-"
OLD_PREFIX = ".gallery-old-"
GENERATED_FOLDERS = ("images/", "items/", "prompts/", "participants/", "assets/")
_RENAME_EXCHANGE = 2
MAY_HOLD_OUTPUT = ("project root", "project's own folder")   # the drafts preview is built in .gallery/


def guard_build(options: BuildOptions) -> None:
    """guard() for a build's (or check's) output folder and its source folders."""
    guard(options.out, {"photos folder": options.photos, "captions folder": options.captions,
                        "templates folder": options.templates, "project's own folder": options.private},
          options.root)


def guard(out: Path, protected: dict[str, Path], root: Path, example: str = "site/") -> None:
    """Refuse an output folder that is, or contains, a source folder or the project root (or is inside
    one that may not hold it). example: the folder the messages suggest instead."""
    target = out.resolve()
    problems = []
    for label, path in {**protected, "project root": root}.items():
        source = path.resolve()
        if target == source or target in source.parents:
            problems.append(Problem(out, None, f"the output folder would contain the {label} ({path}); "
                                               f"choose another --out, such as {example}"))
        elif source in target.parents and label not in MAY_HOLD_OUTPUT:
            problems.append(Problem(out, None, f"the output folder is inside the {label} ({path}); "
                                               f"choose a folder outside it, such as {example}"))
    if target.exists() and not target.is_dir():
        problems.append(Problem(out, None, "the output path is a file, not a folder; choose another --out"))
    elif target.is_dir() and any(target.iterdir()) and not (target / MANIFEST).is_file():
        problems.append(Problem(out, None, "the output folder is not empty and was not made by this tool "
                                           f"(no {MANIFEST}); empty it or choose another --out"))
    if problems:
        raise OutputError(problems=problems)


def served(out: Path) -> Path:
    """The folder a build replaces: out, or the folder it links to when it is a symlink (a common
    deployment: site -> /var/www/gallery), so the served folder is the one swapped and the symlink stays."""
    return Path(os.path.realpath(out)) if os.path.islink(out) else out


def read_manifest(out: Path) -> list[str]:
    try:
        data = json.loads((out / MANIFEST).read_text())
        return [str(p) for p in data["files"]]
    except (OSError, ValueError, KeyError, TypeError):
        return []


@contextlib.contextmanager
def staging(out: Path) -> Iterator[Path]:
    """A fresh folder beside out (same filesystem, so the swap is a rename), deleted afterwards
    unless it was swapped in; folders left by a killed build are removed first."""
    out.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(out)
    folder = out.parent / f"{STAGING_PREFIX}{out.name}-{os.getpid()}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    try:
        yield folder
    finally:
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)


def clean_stale(out: Path) -> None:
    """Remove staging/old folders left by a build that was killed part-way (or that could not delete
    them: they may hold a withdrawn item's files, so failing to delete one stops the build)."""
    for prefix in (STAGING_PREFIX, OLD_PREFIX):
        for leftover in out.parent.glob(f"{prefix}{out.name}-*"):
            if leftover.is_dir() and not leftover.is_symlink():
                try:
                    shutil.rmtree(leftover)
                except OSError as exc:
                    raise OutputError(problems=[Problem(leftover, None, "a folder left by an earlier build could "
                                                       f"not be deleted ({exc.strerror or exc}); delete it by hand: "
                                                       "it may hold pages and images of withdrawn items")]) from None


def files_under(folder: Path) -> list[str]:
    """Every file under folder, as sorted relative paths with / (os.walk: ~5x faster than rglob)."""
    found: list[str] = []
    cut = len(os.path.join(str(folder), ""))
    for root, _dirs, files in os.walk(folder):
        found.extend(os.path.join(root, name)[cut:] for name in files)
    if os.sep != "/":  # pragma: no cover - POSIX only in practice
        found = [f.replace(os.sep, "/") for f in found]
    return sorted(found)


class Staging:
    """The folder a build writes into, and the relative path of every file written there."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.files: set[str] = set()
        self._dirs: set[str] = {""}

    def _target(self, rel: str) -> str:
        parent = rel.rpartition("/")[0]
        if parent not in self._dirs:
            os.makedirs(os.path.join(self.folder, parent), exist_ok=True)
            self._dirs.add(parent)
        self.files.add(rel)
        return os.path.join(self.folder, rel)

    def write(self, rel: str, data: bytes) -> None:
        with open(self._target(rel), "wb") as fh:
            fh.write(data)

    def link(self, rel: str, source: Path) -> None:
        """Place one of our own cached files (hard link when possible, else copy)."""
        path = self._target(rel)
        try:
            os.link(source, path)
        except OSError:
            shutil.copyfile(source, path)


def finish(staging: Path, out: Path, written: set[str],
           check: Callable[[], None] | None = None) -> tuple[list[str], Path | None]:
    """Carry over files of out that we did not write, record the manifest, swap staging in whole.

    check (the privacy audit) runs on the complete staging folder just before the swap; if it
    raises, the previous site stays as it was. written: the files the build wrote. Returns the
    foreign files that were carried over, and the folder now holding the previous site (to be
    deleted with remove_previous).
    """
    ours = set(written)
    foreign = _carry_foreign(out, staging, ours)
    files = sorted(ours)
    (staging / MANIFEST).write_text(json.dumps({"files": files}, indent=0))
    if check is not None:
        check()
    return foreign, swap(staging, out)


def _carry_foreign(out: Path, staging: Path, ours: set[str]) -> list[str]:
    """Copy into staging what in out this tool did not write: files as they are, symlinks as
    symlinks (never followed into the tree they point to), empty folders as folders; returns them."""
    if not out.is_dir():
        return []
    damaged = not read_manifest(out)
    carried = []
    for rel in foreign_entries(out):
        if rel in ours or (damaged and _generated(rel)):   # damaged manifest: never keep an old page or image
            continue
        path, dest = out / rel, staging / rel
        if os.path.lexists(dest):                 # one of ours stands there now
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink():
            os.symlink(os.readlink(path), dest)
        elif path.is_dir():
            dest.mkdir()
        else:
            shutil.copy2(path, dest)
        carried.append(rel)
    return carried


def foreign_entries(out: Path) -> list[str]:
    """What in out this tool did not write (not in its manifest), as sorted relative paths: files,
    symlinks (to a file or a folder: listed, never followed) and empty folders (as 'name/')."""
    listed = set(read_manifest(out)) | {MANIFEST}
    found: list[str] = []
    cut = len(os.path.join(str(out), ""))
    for root, dirs, files in os.walk(out):
        here = root[cut:].replace(os.sep, "/")
        prefix = f"{here}/" if here else ""
        links = [d for d in dirs if os.path.islink(os.path.join(root, d))]   # os.walk does not enter them
        found.extend(prefix + name for name in links + files if prefix + name not in listed)
        if here and not dirs and not files:
            found.append(prefix)
    return sorted(found)


def _generated(rel: str) -> bool:
    """A path this tool writes (or wrote in an earlier build, or print did: a pack)."""
    return rel.startswith(GENERATED_FOLDERS) or ("/" not in rel and rel.endswith((".html", ".xml", ".txt", ".pdf")))


def swap(staging: Path, out: Path) -> Path | None:
    """Put staging at out, atomically (renameat2 RENAME_EXCHANGE) where the system allows it;
    returns the folder now holding the previous site (None when there was none)."""
    if not out.exists():
        os.rename(staging, out)
        return None
    old = out.parent / f"{OLD_PREFIX}{out.name}-{os.getpid()}"
    if _exchange(staging, out):
        try:                         # staging now holds the previous site: name it as such
            os.rename(staging, old)
        except OSError:
            return staging
        return old
    os.rename(out, old)
    try:
        os.rename(staging, out)
    except OSError:
        os.rename(old, out)
        raise
    return old


def remove_previous(old: Path | None) -> None:
    """Delete the previous site; raise CleanupError if it cannot be (it may hold a withdrawn item's
    pages and images)."""
    if old is None:
        return
    try:
        shutil.rmtree(old)
    except OSError as exc:
        raise CleanupError(problems=[Problem(old, None, f"the previous site could not be deleted "
                                                        f"({exc.strerror or exc}); the new site is published, but "
                                                        "delete this folder by hand: it may hold pages and images "
                                                        "of withdrawn items")]) from None


def _exchange(a: Path, b: Path) -> bool:
    import ctypes
    try:    # the C library Python itself is linked with (find_library would run ldconfig: ~15 ms)
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0
