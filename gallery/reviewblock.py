"""The review block of a caption file: who reviewed, when, the photo's hash, the redactions and the
screening flags the reviewer accepted, parsed with every error collected (gallery/review.py says
whether a review still covers its item).

A block with neither `by` nor `date` is a draft review: the review desk writes the flags a researcher
accepted into it before anyone signs off. It counts as no sign-off (content.gate leaves its item
out); `python build.py review ID --by INITIALS` signs it off."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .yamlutil import Reader

REVIEW_KEYS = ("by", "date", "photo", "redact", "accepted")
ACCEPTED_KEYS = ("kind", "box", "reason")
FLAG_KINDS = ("face", "text")
PHOTO_HASH_RE = re.compile(r"sha256:[0-9a-f]{64}")
Region = tuple[float, float, float, float]


@dataclass(frozen=True)
class Accepted:
    """A screening flag the reviewer accepted as it is: its kind, its box, and why it may be published."""
    kind: str                   # face | text
    box: Region
    reason: str


@dataclass(frozen=True)
class Review:
    """What a reviewer approved: the photo's bytes (photo: "sha256:<hex>"; None for a review recorded
    before reviews recorded the photo), the redaction regions they saw, and the screening flags they
    accepted (see gallery/review.py). by and date are both None for a draft (not signed off)."""
    by: str | None
    date: dt.date | None
    photo: str | None = None
    redact: tuple[Region, ...] = ()
    accepted: tuple[Accepted, ...] = ()

    @property
    def signed(self) -> bool:
        """True when a reviewer signed it off (initials and date); False for a draft."""
        return self.by is not None and self.date is not None


def parse_date(r: Reader, *keys: str, required: bool = False) -> dt.date | None:
    value = r.raw(*keys)
    if value is None:
        if required:
            r.error(f"missing '{'.'.join(keys)}'; add the date as YYYY-MM-DD", *keys)
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    r.error(f"'{'.'.join(keys)}' must be a date written YYYY-MM-DD, not {value!r}", *keys)
    return None


def parse_review(r: Reader) -> Review | None:
    raw = r.raw("review")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        r.error("'review' must hold 'by' (initials of the reviewer) and 'date'", "review")
        return None
    r.check_keys(REVIEW_KEYS, "review")
    draft = not r.has("review", "by") and not r.has("review", "date")    # one alone (or empty) is an error
    by = None if draft else r.text("review", "by", required=True, max_len=100)
    date = None if draft else parse_date(r, "review", "date", required=True)
    photo = r.text("review", "photo", max_len=100)
    if photo is not None and not PHOTO_HASH_RE.fullmatch(photo):
        r.error("'review.photo' must be the photo's hash as the review command writes it (sha256: and 64 "
                "hex digits); record the review again: python build.py review ID --by INITIALS", "review", "photo")
    redact = regions(r, "review", "redact")
    accepted = _accepted(r)
    return Review(by, date, photo, redact, accepted) if draft or (by and date) else None


def _accepted(r: Reader) -> tuple[Accepted, ...]:
    """review.accepted: the screening flags the reviewer accepted, each {kind, box, reason}."""
    raw = r.raw("review", "accepted")
    if raw is None:
        return ()
    how = ("each accepted flag is {kind: face or text, box: [x, y, width, height], reason: why it may be "
           "published}, as python build.py review --accept N --reason TEXT writes it")
    if not isinstance(raw, list):
        r.error(f"'review.accepted' must be a list; {how}", "review", "accepted")
        return ()
    found = []
    for n, entry in enumerate(raw, 1):
        ok = (isinstance(entry, dict) and set(entry) == set(ACCEPTED_KEYS) and entry["kind"] in FLAG_KINDS
              and _fractions(entry["box"]) and isinstance(entry["reason"], str) and entry["reason"].strip()
              and len(entry["reason"]) <= 500)
        if not ok:
            r.error(f"'review.accepted' entry {n} is not an accepted flag; {how}", "review", "accepted")
            continue
        found.append(Accepted(entry["kind"], tuple(float(v) for v in entry["box"]),  # type: ignore[arg-type]
                              entry["reason"].strip()))
    return tuple(found)


def regions(r: Reader, *keys: str) -> tuple[Region, ...]:
    raw = r.raw(*keys)
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(_region(region) for region in raw):
        r.error(f"'{'.'.join(keys)}' must be a list of [x, y, width, height] regions given as fractions of the "
                "upright image (0 to 1), e.g. [[0.1, 0.2, 0.3, 0.25]]", *keys)
        return ()
    return tuple((float(x), float(y), float(w), float(h)) for x, y, w, h in raw)


def _fractions(box) -> bool:
    """True for a list of four fractions (0 to 1): a flag's box as the screen found it."""
    return isinstance(box, list) and len(box) == 4 and \
        all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1 for v in box)


def _region(region) -> bool:
    """True for [x, y, width, height] fractions of a region inside the picture."""
    if not (isinstance(region, list) and len(region) == 4
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1 for v in region)):
        return False
    x, y, w, h = region
    return w > 0 and h > 0 and x + w <= 1.0001 and y + h <= 1.0001
