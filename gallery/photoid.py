"""Photos by identity, not by name: one picture whatever it is called.

Two items' photos are the same picture when they are the same file (a hard link; a symlink or a
path through `..` is the same real path, which the caption files' own check refuses first) or hold
the same bytes (a copy). The picture of a withdrawn item used by another caption file is an error
naming both; one picture for two items not withdrawn is a warning (either's withdrawal would then
refuse the other). A build records the content (SHA-256 and
size) of every withdrawn item's photo in the project's private folder (withdrawn.json, never
published), so that a copy is still refused once the photo and its caption file are gone; the image
cache's photo hashes still know the photo of an item that was published, then withdrawn and deleted
at once. A photo is hashed only when another (or a recorded one) has its size, each once, and not
at all when the image cache knows it unchanged.

The record also names every withdrawn item (by its caption file), so that an item whose caption file
loses its `withdrawn:` (an import of an older register, a backup restored) stays out. It is a
record, not a cache: a damaged one is an error (fail closed), never read as empty.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from .cache import Store
from .captions import Item
from .errors import Problem
from .paths import real_path
from .review import PhotoHashes
from .yamlutil import VALUE_ERRORS, read_bytes

RECORD = "withdrawn.json"
FORMAT = 1
RECORDED = ("picture:", "item:")       # the record's own entries (photo: entries are a cache of digests)
KNOWN = (*RECORDED, "photo:")


@dataclass(frozen=True)
class Photo:
    item: Item
    withdrawn: bool
    published: bool
    real: str
    st: os.stat_result


@dataclass(frozen=True)
class Withdrawn:
    """A withdrawn item's picture, as recorded: its size, caption file name and photo name."""

    size: int
    caption: str
    photo: str


def load_record(private: Path) -> tuple[Store, list[Problem]]:
    """The project's withdrawal record (private/withdrawn.json), and an error when it cannot be read in
    full: damaged, unreadable, a dangling link, or holding entries this version does not know (they
    would be lost when it is next written)."""
    path = private / RECORD
    store = Store(path, FORMAT, valid=_valid)
    if not store.raw and not os.path.lexists(path):
        return store, []
    try:
        data = json.loads(store.raw)
        entries = data["entries"]
        intact = (data.get("format") == FORMAT and data.get("context") == "" and isinstance(entries, dict)
                  and all(k.startswith(KNOWN) for k in entries)
                  and all(_valid(k, v) for k, v in entries.items() if k.startswith(RECORDED)))
    except (ValueError, TypeError, KeyError, AttributeError):
        intact = False
    if intact:
        return store, []
    return store, [Problem(path, None, "the withdrawal record cannot be read in full (damaged, unreadable, or "
                                       "written by another version of this tool), so the tool cannot tell which "
                                       "items and pictures were withdrawn; nothing is published until it is "
                                       "restored from a backup of the project's .gallery/ folder. Only if no "
                                       "withdrawn item's caption file or photo was ever deleted, delete it "
                                       "instead: the next build records again every withdrawal the caption "
                                       "files show")]


def load_records(options) -> tuple[list[Store], list[Problem]]:
    """The project's withdrawal record (written by builds), then, read only, the one beside the captions
    folder when that is another project's folder (a study's own, its commands run without --config)."""
    record, problems = load_record(options.private)
    stores = [record]
    beside = options.captions.parent / ".gallery"
    if os.path.abspath(beside) != os.path.abspath(options.private):
        other, more = load_record(beside)
        stores.append(other)
        problems += more
    return stores, problems


def recorded_items(*records: Store) -> dict[str, str]:
    """Every withdrawn item the records know: item id -> withdrawal date ('' when not known). Items are
    known by id (the caption file's name without its suffix, as the site's address is), so a caption
    file restored as lw02-day.yml or LW02-DAY.YAML is the same item."""
    known: dict[str, str] = {}
    for record in records:
        for item_id, day in _item_entries(record).items():
            known[item_id] = known.get(item_id) or day
        for key, value in record.old.items():
            if key.startswith("picture:"):
                known.setdefault(item_of(value[1]), "")
    return known


def _item_entries(record: Store) -> dict[str, str]:
    """The record's item: entries, item id -> withdrawal date."""
    return {key[len("item:"):]: value[0] for key, value in record.old.items() if key.startswith("item:")}


def _day(withdrawn: object) -> str:
    """A withdrawn: value as the record keeps it: the date, '' when it is not one."""
    return withdrawn.isoformat() if isinstance(withdrawn, dt.date) else ""


def item_of(name: str) -> str:
    """The item id a caption file name stands for (as recorded: names written before ids were)."""
    return Path(name).stem.lower()


def takes_back_withdrawal(item_id: str, consent: object, existing: list[Path], recorded: dict[str, str]
                          ) -> str | None:
    """Why a row of an imported sheet (consent: its consent cells) may not be imported when it would take back
    its item's withdrawal (None: it would not): the caption file it replaces, or the withdrawal record
    (recorded_items), says the item was withdrawn."""
    if isinstance(consent, dict) and consent.get("withdrawn") is not None:
        return None
    day = None
    for path in existing:
        raw, _ = read_bytes(path)
        try:
            data = yaml.safe_load(raw) if raw is not None else None
        except (*VALUE_ERRORS, yaml.YAMLError):
            continue                # a caption file that cannot be read: its own error
        given = data.get("consent") if isinstance(data, dict) else None
        if isinstance(given, dict) and "withdrawn" in given:    # present, any value: withdrawn (as the loader)
            day = _day(given["withdrawn"])
    if day is None and item_id in recorded:
        day = recorded[item_id]
    if day is None:
        return None
    when = f" on {day}" if day else ""
    return (f"the consent for '{item_id}' was withdrawn{when}, and this row does not say so (an older copy of "
            f"the register?); an import never takes back a withdrawal: write the date in the row's "
            f"consent.withdrawn column, or remove the row")


def still_withdrawn(decisions: Sequence, records: list[Store]) -> dict[Path, str]:
    """Caption file -> the withdrawal date ('' when not known) of each item a record knows withdrawn
    though its caption file no longer says so."""
    known = recorded_items(*records)
    return {d.item.source: known[item_of(d.item.source.name)] for d in decisions
            if d.item.consent.withdrawn is None and item_of(d.item.source.name) in known}


def same_pictures(decisions: Sequence, options, record: bool, hashes: PhotoHashes, kept: Store
                  ) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings): an error for each item whose photo is the picture of a withdrawn item under
    another name (in the project now, or as recorded), a warning for each whose photo is another
    item's picture under another name. record: keep the withdrawn pictures' record (a build does).
    hashes: the gate's photo hashes (the image cache's record, and what the gate read). kept: the
    withdrawal record (load_record)."""
    photos = _photos(decisions)
    digests = _Digests(hashes, kept)
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for group in _shared(photos, digests):
        _group_problems(group, errors, warnings)
    known = digests.withdrawn(photos, decisions)
    errors += _recorded([p for p in photos if p.published], known, digests, {p.path for p in errors})
    if record:
        digests.save(known, _withdrawn_items(decisions, kept))
    return errors, warnings


def _withdrawn_items(decisions: Sequence, kept: Store) -> dict[str, str]:
    """Every withdrawn item's id -> its withdrawal date ('' when not a date): recorded, or now."""
    items = _item_entries(kept)
    for d in decisions:
        if d.item.consent.withdrawn is not None:
            items.setdefault(item_of(d.item.source.name), _day(d.item.consent.withdrawn))
    return items


def _photos(decisions: Iterable) -> list[Photo]:
    photos = []
    for d in decisions:
        item = d.item
        if not item.has_image or item.photo is None:
            continue
        try:
            st = os.stat(item.photo)
        except OSError:
            continue                # missing: an error or a warning of its own
        if stat.S_ISREG(st.st_mode):
            withdrawn = item.consent.withdrawn is not None
            photos.append(Photo(item, withdrawn, d.published, real_path(item.photo), st))
    return photos


def _shared(photos: list[Photo], digests: _Digests) -> list[list[Photo]]:
    """The photos, grouped by picture (the same file, or the same bytes of the same size)."""
    by_size: dict[int, list[Photo]] = {}
    for photo in photos:
        by_size.setdefault(photo.st.st_size, []).append(photo)
    groups: dict[object, list[Photo]] = {}
    for same_size in by_size.values():
        files = {(p.st.st_dev, p.st.st_ino) for p in same_size}
        for photo in same_size:
            key = digests.of(photo) if len(files) > 1 else (photo.st.st_dev, photo.st.st_ino)
            groups.setdefault(key, []).append(photo)
    return [group for group in groups.values() if len(group) > 1]


def _group_problems(group: list[Photo], errors: list[Problem], warnings: list[Problem]) -> None:
    """One picture under two names or more (one real path twice is the caption files' own error): the
    picture of a withdrawn item is an error for every other item; else a warning, the items' consent
    being each their own until one is withdrawn."""
    withdrawn = next((p for p in group if p.withdrawn), None)
    first = withdrawn or group[0]
    seen = {first.real}
    for photo in group:
        if photo.real in seen or (withdrawn is not None and photo.withdrawn):
            seen.add(photo.real)
            continue
        seen.add(photo.real)
        how = "the same file" if (photo.st.st_dev, photo.st.st_ino) == (first.st.st_dev, first.st.st_ino) \
            else "the same bytes"
        item, other = photo.item, first.item
        if withdrawn is not None:
            errors.append(Problem(item.source, item.photo_line,
                                  f"photo '{item.photo_name}' is the picture of {_shown(other.source)} (photo "
                                  f"'{other.photo_name}', line {other.photo_line}; {how}), whose consent was "
                                  "withdrawn; a withdrawn picture is never published under another name: remove "
                                  "this photo"))
        else:
            warnings.append(Problem(item.source, item.photo_line,
                                    f"photo '{item.photo_name}' is the picture of {other.source.name} too (photo "
                                    f"'{other.photo_name}', {how}); if either is withdrawn, the other is refused: "
                                    "give each item a picture of its own"))


def _recorded(published: list[Photo], known: dict[str, Withdrawn], digests: _Digests,
              reported: set[Path | None]) -> list[Problem]:
    """Published photos with the bytes of a withdrawn item's photo no longer in the project."""
    sizes = {w.size for w in known.values()}
    problems = []
    for photo in published:
        if photo.item.source in reported or photo.st.st_size not in sizes:
            continue
        gone = known.get(digests.of(photo))
        if gone is not None and item_of(gone.caption) != item_of(photo.item.source.name):
            problems.append(Problem(photo.item.source, photo.item.photo_line,
                                    f"photo '{photo.item.photo_name}' has the same bytes as the photo "
                                    f"'{gone.photo}' of {gone.caption}, whose consent was withdrawn; a withdrawn "
                                    "picture is never published under another name: remove this photo"))
    return problems


def _shown(path: Path) -> str:
    """A caption file as messages show it: captions/<name>."""
    return f"{path.parent.name}/{path.name}"


def _valid(key: str, value) -> bool:
    if key.startswith("item:"):
        return type(value) is list and len(value) == 1 and type(value[0]) is str
    if key.startswith("picture:"):
        return (type(value) is list and len(value) == 3 and type(value[0]) is int
                and all(type(v) is str for v in value[1:]))
    return key.startswith("photo:") and type(value) is list and len(value) == 2


class _Digests:
    """Photos' SHA-256, each computed once: from the image cache's record when the photo is unchanged,
    from the withdrawn record's own, or read."""

    def __init__(self, hashes: PhotoHashes, record: Store):
        self.hashes = hashes        # the gate's: the image cache's sources.json, read through it
        self.record = record
        self.done: dict[str, str] = {}

    def of(self, photo: Photo) -> str:
        digest = self.done.get(photo.real)
        if digest is None:
            digest = self.record.get_stamped(f"photo:{photo.real}", photo.st)
            if not isinstance(digest, str):
                digest = self.hashes(photo.item)
                if digest is None:
                    return f"unreadable:{photo.real}"   # one picture of its own; the image stage names the error
            self.done[photo.real] = digest
        return digest

    def withdrawn(self, photos: list[Photo], decisions: Iterable) -> dict[str, Withdrawn]:
        """Every withdrawn picture known: recorded, in the project now, or in the image cache's memory
        of a withdrawn item's photo that is gone."""
        known = {key[len("picture:"):]: Withdrawn(*value) for key, value in self.record.old.items()
                 if key.startswith("picture:")}
        for photo in photos:
            if photo.withdrawn:
                digest = self.of(photo)
                self.record.put_stamped(f"photo:{photo.real}", photo.st, digest)
                known[digest] = Withdrawn(photo.st.st_size, photo.item.source.name, photo.item.photo_name or "")
        present = {photo.item.source for photo in photos}
        for d in decisions:
            item = d.item
            if item.consent.withdrawn is None or item.photo is None or item.source in present:
                continue
            entry = self.hashes.store.old.get(real_path(item.photo))      # published once, now withdrawn and gone
            if isinstance(entry, list) and len(entry) == 2 and isinstance(entry[1], str) \
                    and isinstance(entry[0], list) and entry[0] and type(entry[0][0]) is int:
                known.setdefault(entry[1], Withdrawn(entry[0][0], item.source.name, item.photo_name or ""))
        return known

    def save(self, known: dict[str, Withdrawn], items: dict[str, str]) -> None:
        """Keep every withdrawn picture and item ever seen (the record only grows)."""
        for digest, w in known.items():
            self.record.put(f"picture:{digest}", [w.size, w.caption, w.photo])
        for name, day in items.items():
            self.record.put(f"item:{name}", [day])
        if self.record.path is not None and self.record.new != self.record.old:
            self.record.path.parent.mkdir(parents=True, exist_ok=True)
        self.record.save()
