"""A review bound to what it approved: the photo's bytes and the redaction regions the reviewer saw.

The consent gate (content.decide) asks `stale` whether an item's review still covers it; the
`review` command (reviewing.py) records one. A photo's hash is the image cache's (imagecache.file_hash,
read through paths.open_photo), remembered by its stat_key in the image cache's sources.json, so that
an unchanged photo is not read again, by the gate or by the image stage.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

from .cache import Store
from .captions import Item, Region
from .paths import PhotoMoved, open_photo, real_path

Digest = Callable[[Item], "str | None"]


def normal(regions: tuple[Region, ...]) -> list[list[float]]:
    """Redaction regions as a review records and compares them: floats, in a fixed order (the order
    regions are written in covers nothing more or less)."""
    return sorted([float(v) for v in region] for region in regions)


def photo_ref(digest: str) -> str:
    return f"sha256:{digest}"


def again(item: Item, by: str) -> str:
    return f"review it again: python build.py review {item.id} --by {by}"


def stale(item: Item, digest: str | None) -> str | None:
    """Why the item's review no longer covers it (None: it does, or there is nothing to bind).

    digest: the photo's SHA-256 now, None when it cannot be read (that photo is an error of its own:
    content._photo_problems and the image stage report it, and the build stops)."""
    review = item.review
    if review is None or not item.has_image:     # a reported item has no picture to bind
        return None
    when = f"{review.date.isoformat()} ({review.by})"
    if review.photo is None:
        return (f"was reviewed before reviews recorded the photo ({review.date.isoformat()}, {review.by}); "
                f"{again(item, review.by)}")
    if digest is not None and review.photo != photo_ref(digest):
        return f"the photo changed after its review on {when}; {again(item, review.by)}"
    if normal(item.redact) != normal(review.redact):
        return f"the redactions changed after its review on {when}; {again(item, review.by)}"
    return None


class PhotoHashes:
    """Each photo's SHA-256, from the image cache's record (sources.json) while the photo's stat_key
    is the one recorded, else read and recorded. save() writes the record (a build; check does not)."""

    def __init__(self, store: Store, photos: Path):
        self.store = store
        self.photos = photos

    def __call__(self, item: Item) -> str | None:
        if item.photo is None:
            return None
        try:
            path, st = real_path(item.photo), os.stat(item.photo)
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode):      # a folder or a pipe: an error of its own, never opened
            return None
        known = self.store.get_stamped(path, st)
        if isinstance(known, str):
            return known
        digest = read_hash(item.photo, self.photos)
        if digest is not None:
            self.store.put_stamped(path, st, digest)
        return digest

    def save(self) -> None:
        """Write what was read now, keeping the other photos' entries: the image stage, which saves
        the record after, drops those no longer used."""
        if self.store.new.keys() - self.store.old.keys() or any(self.store.new[k] != self.store.old[k]
                                                                 for k in self.store.new):
            for key, entry in self.store.old.items():
                self.store.new.setdefault(key, entry)
            self.store.save()


def read_hash(photo: Path, photos: Path | None) -> str | None:
    """The photo's SHA-256 read now (None when it cannot be read, or is not a regular file: reported
    elsewhere). photos: the folder it must be inside (None: anywhere)."""
    from .imagecache import file_hash
    try:
        if not stat.S_ISREG(os.stat(photo).st_mode):
            return None
        with open_photo(photo, photos, reader=None) as fh:
            return file_hash(fh)
    except (OSError, PhotoMoved):
        return None

