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
from typing import TYPE_CHECKING

from .cache import Store
from .captions import Accepted, Item, Region
from .paths import PhotoMoved, open_photo, real_path

if TYPE_CHECKING:  # pragma: no cover
    from .screening import Flag

Digest = Callable[[Item], "str | None"]


def normal(regions: tuple[Region, ...]) -> list[list[float]]:
    """Redaction regions as a review records and compares them: floats, in a fixed order (the order
    regions are written in covers nothing more or less)."""
    return sorted([float(v) for v in region] for region in regions)


def photo_ref(digest: str) -> str:
    return f"sha256:{digest}"


def again(item: Item, by: str) -> str:
    return f"review it again: python build.py review {item.id} --by {by}"


def unsigned(item: Item) -> str:
    """Why a draft review (reviewblock.py: no by, no date) does not let its item out."""
    n = len(item.review.accepted) if item.review is not None else 0
    what = f"{n} screening flag{'' if n == 1 else 's'} accepted, but " if n else ""
    return (f"review not signed off ({what}no reviewer's initials and date); sign it off in the review desk "
            f"(python build.py serve, then /_desk/) or with python build.py review {item.id} --by INITIALS")


def stale(item: Item, digest: str | None) -> str | None:
    """Why the item's review no longer covers it (None: it does, or there is nothing to bind).

    Only a signed review can cover anything: content.gate leaves a draft's item out before asking,
    and a draft reaching here is refused all the same (fails closed).
    digest: the photo's SHA-256 now, None when it cannot be read (that photo is an error of its own:
    content._photo_problems and the image stage report it, and the build stops)."""
    review = item.review
    if review is None or not item.has_image:     # a reported item has no picture to bind
        return None
    if review.by is None or review.date is None:
        return unsigned(item)
    when = f"{review.date.isoformat()} ({review.by})"
    if review.photo is None:
        return (f"its review ({review.date.isoformat()}, {review.by}) records no photo (written by hand, or by a "
                f"version of this tool from before reviews named their picture); {again(item, review.by)}")
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
        self.seen: dict[str, str] = {}      # item id -> the first SHA-256 given for its photo: the one
                                            # the consent gate checked its review against

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
            self.seen.setdefault(item.id, known)
            return known
        digest = read_hash(item.photo, self.photos)
        if digest is not None:
            self.store.put_stamped(path, st, digest)
            self.seen.setdefault(item.id, digest)
        return digest

    def forget(self, item: Item) -> None:
        """Keep no record of the item's photo (a withdrawn item's: withdrawal leaves no trace)."""
        if item.photo is not None:
            self.store.drop(real_path(item.photo))

    def save(self) -> None:
        """Write what was read now, keeping the other photos' entries: the image stage, which saves
        the record after, drops those no longer used."""
        self.store.save(keep_others=True)


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



# ---- screening flags: each must be covered by a redaction or accepted by the reviewer ------------

TOLERANCE = 1e-3        # a region drawn to the flag's edge (rounded to 4 places) still covers it
SAME_FLAG = 0.5         # an accepted box overlapping a flag's by more than this (IoU) accepted that flag


def covered(box: Region, regions: tuple[Region, ...]) -> bool:
    """True when the flag's box lies inside one redaction region (the region hides all of it)."""
    x, y, w, h = box
    return any(rx - TOLERANCE <= x and ry - TOLERANCE <= y and x + w <= rx + rw + TOLERANCE
               and y + h <= ry + rh + TOLERANCE for rx, ry, rw, rh in regions)


def overlap(a: Region, b: Region) -> float:
    """Intersection over union of two (x, y, w, h) boxes."""
    iw = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    union = a[2] * a[3] + b[2] * b[3] - iw * ih
    return iw * ih / union if union > 0 else float(a == b)


def acceptance(flag: Flag, accepted: tuple[Accepted, ...]) -> Accepted | None:
    """The reviewer's acceptance of this flag: the same kind, and (nearly) the same box."""
    return next((a for a in accepted if a.kind == flag.kind and overlap(a.box, flag.box) > SAME_FLAG), None)


def resolution(item: Item, flag: Flag) -> str | None:
    """How the flag is resolved for item: 'covered by a redaction', 'accepted: <reason>', or None."""
    if covered(flag.box, item.redact):
        return "covered by a redaction"
    found = acceptance(flag, item.review.accepted) if item.review is not None else None
    return f"accepted: {found.reason}" if found is not None else None


def unresolved(item: Item, flags: tuple[Flag, ...]) -> list[tuple[int, Flag]]:
    """(number from 1, flag) of each flag neither covered by a redaction nor accepted."""
    return [(n, flag) for n, flag in enumerate(flags, 1) if resolution(item, flag) is None]


def describe(flag: Flag) -> str:
    """'face at x 0.41, y 0.12 (score 0.91)', 'text "St Mary's Surgery" at x 0.10, y 0.55 (score 0.97)'."""
    x, y, w, h = flag.box
    what = f'text "{flag.text}"' if flag.kind == "text" and flag.text else flag.kind
    return f"{what} at x {x:.2f}, y {y:.2f}, {w:.2f} wide, {h:.2f} high (score {flag.score:.2f})"
