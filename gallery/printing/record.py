"""The print record: every PDF `print` has made, when, where and with which items, kept for good.

A paper copy outlives the file it was printed from, so the record is never pruned: when an item
is withdrawn, the withdrawal checklist names every pack and panel that ever held it (by file and
date), so that paper copies can be recalled and destroyed. It lives in the project's own folder
(`.gallery/print-record.json`, never in an output folder) and is written atomically.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from ..cache import write_atomic
from ..errors import Problem

RECORD = "print-record.json"
FORMAT = 1


@dataclass(frozen=True)
class Printed:
    """One PDF made by one print run."""

    name: str                   # the file's name in its folder, e.g. pack-typical-day.pdf
    folder: str                 # the print folder, relative to the project's folder (else absolute)
    made: str                   # when, ISO 8601 with the time zone (seconds)
    kind: str                   # "pack", "panel", or "none" (a run that printed nothing)
    items: tuple[str, ...]      # the item ids it holds, in page order

    @property
    def day(self) -> str:
        return self.made[:10]

    @property
    def where(self) -> str:
        return f"{self.folder}/{self.name}"


def record_path(private: Path) -> Path:
    return private / RECORD


def load(private: Path) -> tuple[list[Printed], list[Problem]]:
    """Every PDF ever printed, oldest first; a damaged record is a problem (never silently empty:
    the checklist would then miss paper copies), returned with what could be read."""
    path = record_path(private)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return [], []
    except (OSError, ValueError) as exc:
        return [], [_damaged(path, str(exc))]
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("printed"), list):
        return [], [_damaged(path, "not a print record this version wrote")]
    found, bad = [], 0
    for entry in data["printed"]:
        try:
            found.append(Printed(str(entry["name"]), str(entry["folder"]), str(entry["made"]), str(entry["kind"]),
                                 tuple(str(i) for i in entry["items"])))
        except (KeyError, TypeError):
            bad += 1
    return found, [_damaged(path, f"{bad} entries could not be read")] if bad else []


def _damaged(path: Path, why: str) -> Problem:
    return Problem(path, None, f"the print record is damaged ({why}), so the packs printed before cannot all be "
                               "named when an item is withdrawn; restore it from a backup, or list the paper "
                               "copies by hand and then delete it (print refuses to run until then)")


def add(private: Path, made: list[Printed]) -> None:
    """Append a run's PDFs to the record (atomically); print refuses to run on a damaged one (load)."""
    path = record_path(private)
    before, problems = load(private)
    if problems:
        raise OSError(f"the print record {path} is damaged")
    entries = [{"name": p.name, "folder": p.folder, "made": p.made, "kind": p.kind, "items": list(p.items)}
               for p in [*before, *made]]
    private.mkdir(parents=True, exist_ok=True)
    write_atomic(path, (json.dumps({"format": FORMAT, "printed": entries}, indent=1, ensure_ascii=False)
                        + "\n").encode("utf-8"))


def _when(p: Printed) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(p.made)
    except ValueError:
        return dt.datetime.min.replace(tzinfo=dt.timezone.utc)


def holding(printed: list[Printed], item_id: str) -> list[Printed]:
    """Every PDF ever printed that held the item, oldest first; a file printed more than once a day once
    (a checklist line names the file and the day)."""
    seen: dict[tuple[str, str], Printed] = {}
    for p in printed:
        if item_id in p.items:
            seen.setdefault((p.where, p.day), p)
    return list(seen.values())


def latest(printed: list[Printed]) -> list[Printed]:
    """The PDFs of the last run into each print folder: what is in those folders now."""
    last: dict[str, Printed] = {}
    for p in printed:      # compared as moments: a run's time carries its UTC offset (summer time)
        if p.folder not in last or _when(p) >= _when(last[p.folder]):
            last[p.folder] = p
    return [p for p in printed if p.made == last[p.folder].made and p.kind != "none"]
