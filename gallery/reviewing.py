"""The review command: record in a caption file that a reviewer approved the item's photo (its
SHA-256) and redaction regions as they are now.

The caption file is edited line by line, as a researcher wrote it: only the review block's key lines
are replaced (its comments and every other line are kept byte for byte), the result is parsed again
before it is written, the file must not have changed since it was read, and the write is atomic.
A review is independent of consent: an item without consent, or withdrawn, can be reviewed (and
stays left out by the gate until its consent allows it); the command says so.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from .cache import write_atomic
from .captions import Item, Region, load_item, load_items
from .config import SiteConfig, load_config
from .content import gate
from .errors import ContentError, GalleryError, Problem
from .options import BuildOptions
from .review import normal, photo_ref, read_hash
from .yamlutil import load_yaml


class ReviewError(GalleryError):
    """The review command cannot record a review (an unknown id, a photo it cannot read, a caption file
    changed meanwhile); nothing was written for that item."""


@dataclass(frozen=True)
class Reviewed:
    item: Item
    by: str
    date: dt.date
    size: tuple[int, int] | None        # the photo's pixels (None: a reported item)
    consent: str | None                 # why the gate still leaves it out (None: it is published)


def review_items(options: BuildOptions, ids: list[str], by: str, date: dt.date, every: bool = False
                 ) -> list[Reviewed]:
    """Record a review of each item (every item with every). Raises ReviewError or ContentError."""
    config = load_config(options.config, required=options.config_required)
    items, errors, _ = load_items(options.captions, options.photos, config)
    if errors:
        raise ContentError(problems=errors)
    by_id = {i.id: i for i in items}
    unknown = [Problem(options.captions / f"{i}.yaml", None, f"no item '{i}' (no caption file {i}.yaml); "
                                                           "give the id of a caption file in the captions folder")
               for i in ids if i not in by_id]
    if unknown:
        raise ReviewError(problems=unknown)
    return [review_one(by_id[i], options, config, by, date) for i in (sorted(by_id) if every else ids)]


def review_one(item: Item, options: BuildOptions, config: SiteConfig, by: str, date: dt.date) -> Reviewed:
    raw = item.source.read_bytes()
    if load_item(item.source, options.photos, config, [], [], raw=raw) != item:
        raise ReviewError(problems=[_changed(item)])
    digest, size = _photo(item, options)
    text = raw.decode("utf-8")
    new = with_review(text, item, review_lines(by, date, digest, item.redact))
    errors: list[Problem] = []
    done = load_item(item.source, options.photos, config, errors, [], raw=new.encode("utf-8"))
    if done is None or done.review is None or done.review.photo != (photo_ref(digest) if digest else None):
        raise ReviewError(problems=errors or [Problem(item.source, None, "the review could not be recorded in "
                                                      "this file's layout; write it by hand (README: review)")])
    if item.source.read_bytes() != raw:
        raise ReviewError(problems=[_changed(item)])
    write_atomic(item.source, new.encode("utf-8"))
    return Reviewed(done, by, date, size, gate(done, config))


def _changed(item: Item) -> Problem:
    return Problem(item.source, None, "changed since it was read; nothing was written: run the review again")


def _photo(item: Item, options: BuildOptions) -> tuple[str | None, tuple[int, int] | None]:
    """The photo's SHA-256 and size in pixels, as the reviewer sees it (upright); (None, None) when reported."""
    if not item.has_image or item.photo is None:
        return None, None
    digest = read_hash(item.photo, options.photos)
    size = _size(item.photo) if digest else None
    if digest is None or size is None:
        raise ReviewError(problems=[Problem(item.source, item.photo_line,
                                            f"photo '{item.photo_name}' cannot be read as an image; nothing was "
                                            "reviewed: check the file is there and is a photo, then review again")])
    return digest, size


def _size(photo: Path) -> tuple[int, int] | None:
    from PIL import Image, ImageOps, UnidentifiedImageError
    try:
        import pillow_heif
        pillow_heif.register_heif_opener()
    except ImportError:    # a HEIC photo then cannot be opened: said as for any unreadable photo
        pass
    try:
        with Image.open(photo) as im:
            return ImageOps.exif_transpose(im).size
    except (OSError, UnidentifiedImageError, ValueError, SyntaxError):
        return None


def review_lines(by: str, date: dt.date, digest: str | None, redact: tuple[Region, ...]) -> list[str]:
    lines = [f"  by: {by}", f"  date: {date.isoformat()}"]
    if digest is not None:
        lines.append(f"  photo: {photo_ref(digest)}")
        if redact:
            lines.append(f"  redact: {normal(redact)}")
    return lines


TOP = re.compile(r"[^\s#]")     # a line that starts a top-level key (or any other top-level content)


def with_review(text: str, item: Item, lines: list[str]) -> str:
    """The caption text with its review block's key lines replaced by lines (the block added at the end
    when there is none); comment lines inside the block and every other line are kept as they are."""
    newline = "\r\n" if "\r\n" in text else "\n"
    rows = text.splitlines(keepends=True)
    block = [f"{line}{newline}" for line in lines]
    doc, _ = load_yaml(item.source, text.encode("utf-8"))
    start = doc.lines.get(("review",)) if doc is not None else None
    if start is None:
        end = "" if not rows or rows[-1].endswith(("\n", "\r")) else newline
        return text + end + f"review:{newline}" + "".join(block)
    head, rest = rows[:start - 1], rows[start:]
    bare = re.fullmatch(r"review:(\s+#.*)?\s*", rows[start - 1].rstrip("\r\n"))   # its comment is kept
    first = f"review:{bare.group(1) or '' if bare else ''}{newline}"
    n = next((k for k, row in enumerate(rest) if TOP.match(row)), len(rest))
    kept = [row for row in rest[:n] if row.strip().startswith("#") or not row.strip()]
    return "".join(head + [first] + block + kept + rest[n:])
