"""The one cache layer: when a file counts as unchanged, and the JSON store every cache file uses.

Two ideas of "the same file", and only these two:

- an *input* (a caption, a photo, a template) is unchanged while its `stat_key` is: size,
  modification and change times, inode. The change time gives away an mtime put back (touch -r,
  exiftool -P). A key is recorded only once the file is `settled`, older than the racy window
  (git's "racy clean": a rewrite within one clock tick that keeps the size keeps all four).
- a file *this tool wrote* and hard-links into the site (a cached page or image) is unchanged while
  its `identity` is: device, inode, size and modification time. Its change time is left out on
  purpose: every hard link made to it changes it.

Every cache file is a `Store`: JSON holding a format number, a context (what the entries are valid
for, such as a digest of the code and settings) and entries; a missing, damaged, older or foreign
file, or an entry that fails validation, is simply not there; writes are atomic. An entry not read
or written again by a build is dropped when the store is saved, so nothing outlives its use.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RACY_ENV = "GALLERY_RACY_SECONDS"      # the racy window in seconds (tests set it to 0)
RACY_SECONDS = 2.0


def stat_key(st: os.stat_result) -> list[int]:
    """What says an input file is unchanged: size, modification and change times, and inode."""
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def racy_window_ns() -> int:
    try:
        seconds = float(os.environ.get(RACY_ENV, RACY_SECONDS))
    except ValueError:
        seconds = RACY_SECONDS
    return int(max(seconds, 0.0) * 1e9)


def settled(st: os.stat_result) -> bool:
    """True when the file last changed before the racy window, so that its stat_key may be recorded."""
    return max(st.st_mtime_ns, st.st_ctime_ns) < time.time_ns() - racy_window_ns()


def identity(path: str | Path) -> str:
    """Device, inode, size and modification time of a file this tool wrote (raises OSError)."""
    st = os.stat(path)
    return f"{st.st_dev}|{st.st_ino}|{st.st_size}|{st.st_mtime_ns}"


def write_atomic(path: Path, data: bytes) -> None:
    """Write data to path by renaming a finished temporary file over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _fresh(path)
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _fresh(path: Path) -> Path:
    """A new temporary file beside path, named by pid and a random token (two writers in one process,
    or in two containers with the same pid, never share one); created here, so never one of another's."""
    while True:
        tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(6)}.tmp")
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))   # the umask applies, as for any file
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue
        return tmp


Valid = Callable[[str, Any], bool]


class Store:
    """One cache file of entries (a key to any JSON value), valid for one format and context.

    get() reads what the last build stored (and keeps it for the next); put() stores anew;
    save() writes the entries this build read or stored, and only when they differ from the file.
    """

    def __init__(self, path: Path | None, version: int, context: str = "", valid: Valid | None = None):
        self.path = path
        self.version = version
        self.context = context
        self.raw = b""                 # the file as read, so that an unchanged store is not written again
        self.old = self._load(valid or (lambda key, value: True))
        self.new: dict[str, Any] = {}

    def _load(self, valid: Valid) -> dict[str, Any]:
        if self.path is None:
            return {}
        try:
            self.raw = self.path.read_bytes()
            data = json.loads(self.raw)
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("format") != self.version \
                or data.get("context") != self.context or not isinstance(data.get("entries"), dict):
            return {}
        return {k: v for k, v in data["entries"].items() if valid(k, v)}

    def get(self, key: str) -> Any | None:
        """The entry stored last time (kept for the next build too), or None."""
        value = self.old.get(key)
        if value is not None:
            self.new[key] = value
        return value

    def put(self, key: str, value: Any) -> None:
        self.new[key] = value

    def drop(self, key: str) -> None:
        self.new.pop(key, None)

    def get_stamped(self, key: str, st: os.stat_result) -> Any | None:
        """The value stored for the input file key when its stat_key is still the one recorded."""
        entry = self.old.get(key)
        if isinstance(entry, list) and len(entry) == 2 and entry[0] == stat_key(st):
            self.new[key] = entry
            return entry[1]
        return None

    def put_stamped(self, key: str, st: os.stat_result, value: Any) -> None:
        """Store a value for the input file key with its stat_key, once the file is settled."""
        if settled(st):
            self.new[key] = [stat_key(st), value]
        else:
            self.new.pop(key, None)

    def save(self, keep_others: bool = False) -> None:
        """Write the entries read or stored (keep_others: and every other entry of the file too)."""
        entries = {**self.old, **self.new} if keep_others else self.new
        if self.path is None or entries == self.old:
            return
        record = {"format": self.version, "context": self.context, "entries": entries}
        encoded = json.dumps(record, sort_keys=True).encode()
        if encoded != self.raw:
            write_atomic(self.path, encoded)

    def forget(self) -> None:
        """Delete the file (the next build starts without it)."""
        if self.path is not None:
            self.path.unlink(missing_ok=True)
