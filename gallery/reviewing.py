"""The review command: record in a caption file that a reviewer approved the item's photo (its
SHA-256), its redaction regions and its screening flags as they are now.

Every flag the screen found (screens.py) must be resolved first: covered by a redact region
(--redact-faces drafts one over each face, with a margin) or accepted with a reason (--accept N
--reason TEXT, N as the command numbers the flags); while one is not, nothing is written and the
command names it.

The caption file is edited line by line, as a researcher wrote it: only the review block's key lines
are replaced (its comments and every other line are kept byte for byte), the result is parsed again
before it is written, the file must not have changed since it was read, and the write is atomic.
A review is independent of consent: an item without consent, or withdrawn, can be reviewed (and
stays left out by the gate until its consent allows it); the command says so.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass, replace
from pathlib import Path

from . import review, screens
from .cache import write_atomic
from .captions import Accepted, Item, Region, Review, load_item, load_items
from .config import SiteConfig, load_config
from .content import gate
from .errors import ContentError, GalleryError, Problem
from .options import BuildOptions
from .review import normal, photo_ref, read_hash
from .screening import Flag
from .yamlutil import load_yaml


class ReviewError(GalleryError):
    """The review command cannot record a review (an unknown id, a photo it cannot read, a flag not
    resolved, a caption file changed meanwhile); nothing was written for that item. reviewed: the
    items of the same command that were recorded."""

    def __init__(self, message: str = "", problems: tuple[Problem, ...] | list[Problem] = (),
                 reviewed: tuple[Reviewed, ...] = ()):
        super().__init__(message, problems)
        self.reviewed = reviewed


@dataclass(frozen=True)
class Reviewed:
    item: Item
    by: str
    date: dt.date
    size: tuple[int, int] | None        # the photo's pixels (None: a reported item)
    consent: str | None                 # why the gate still leaves it out (None: it is published)
    flags: tuple[tuple[Flag, str], ...] = ()    # each flag the screen found, and how it is resolved


@dataclass(frozen=True)
class Asked:
    """What the reviewer resolved on the command line."""

    accept: tuple[tuple[int, str], ...] = ()    # (flag number, reason)
    redact_faces: bool = False


FACE_MARGIN = 0.25      # --redact-faces, the desk's "cover": a flag's box grown by this share of its size on every side


def review_items(options: BuildOptions, ids: list[str], by: str, date: dt.date, every: bool = False,
                 asked: Asked = Asked()) -> list[Reviewed]:
    """Record a review of each item (every item with every) whose flags are all resolved; the others
    are named in one ReviewError once the rest are recorded. Raises ReviewError or ContentError."""
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
    targets = [by_id[i] for i in (sorted(by_id) if every else dict.fromkeys(ids))]
    screening = screens.screen_items(targets, config, options, every=every)
    done: list[Reviewed] = []
    refused: list[Problem] = []
    for item in targets:
        try:
            done.append(review_one(item, options, config, by, date, screening, asked))
        except ReviewError as exc:
            refused.extend(exc.problems)
    if refused:
        raise ReviewError(problems=refused, reviewed=tuple(done))
    return done


def _flags(item: Item, screening: screens.Screening) -> tuple[Flag, ...]:
    """The item's flags; a ReviewError when its photo could not be screened (nothing is approved unseen)."""
    if not item.has_image or screening.off or item.id in screening.flags or item.consent.withdrawn is not None:
        return screening.flags.get(item.id, ())   # a withdrawn photo is not screened (screened again if it returns)
    why = screening.failed.get(item.id) or screening.unavailable or "could not be screened"
    raise ReviewError(problems=[Problem(item.source, item.photo_line, f"photo '{item.photo_name}' was not "
                                                                      f"screened for faces and text ({why}); "
                                                                      "nothing was reviewed")])


def review_one(item: Item, options: BuildOptions, config: SiteConfig, by: str, date: dt.date,
               screening: screens.Screening | None = None, asked: Asked = Asked()) -> Reviewed:
    raw = item.source.read_bytes()
    if load_item(item.source, options.photos, config, [], [], raw=raw) != item:
        raise ReviewError(problems=[_changed(item)])
    digest, size = _photo(item, options)
    flags = _flags(item, screening) if screening is not None else ()
    regions = item.redact + (face_regions(flags, item.redact) if asked.redact_faces else ())
    accepted = _accepted(item, flags, regions, asked, digest)
    probe = replace(item, redact=regions, review=Review(by, date, None, regions, accepted))
    still = review.unresolved(probe, flags)
    if still:
        raise ReviewError(problems=[_unresolved(item, n, flag) for n, flag in still])
    text = raw.decode("utf-8")
    if regions != item.redact:
        text = with_block(text, item, "redact", f"redact: {normal(regions)}", [])
    new = with_block(text, replace(item, redact=regions), "review", "review:",
                     review_lines(by, date, digest, regions, accepted))
    errors: list[Problem] = []
    done = load_item(item.source, options.photos, config, errors, [], raw=new.encode("utf-8"))
    if done is None or done.review is None or not done.review.signed \
            or done.review.photo != (photo_ref(digest) if digest else None) \
            or done.redact != regions or done.review.accepted != accepted or _rest(done) != _rest(item):
        raise ReviewError(problems=errors or [Problem(item.source, None, "the review could not be recorded in "
                                                      "this file's layout; write it by hand (README: review)")])
    if item.source.read_bytes() != raw:
        raise ReviewError(problems=[_changed(item)])
    write_atomic(item.source, new.encode("utf-8"))
    resolved = tuple((flag, review.resolution(done, flag) or "") for flag in flags)
    return Reviewed(done, by, date, size, gate(done, config), resolved)


def _rest(item: Item) -> Item:
    """The item but for what the review command writes (and the lines keys are on): a caption file whose
    other keys read differently after the edit is never written."""
    return replace(item, review=None, redact=(), key_lines=(), photo_line=None)


def _accepted(item: Item, flags: tuple[Flag, ...], regions: tuple[Region, ...], asked: Asked,
              digest: str | None = None) -> tuple[Accepted, ...]:
    """The earlier review's acceptances that still match a flag not covered now (when that review, signed
    or a draft, was of this photo: an acceptance of another picture's flag accepts nothing here), then
    the new ones."""
    for n, _ in asked.accept:
        if not 1 <= n <= len(flags):
            have = f"flags 1 to {len(flags)}" if flags else "no flags"
            raise ReviewError(problems=[Problem(item.source, None, f"--accept {n}: the photo has {have}; "
                                                                   f"run python build.py screen to see them")])
    open_flags = [f for f in flags if not review.covered(f.box, regions)]
    same = item.review is not None and digest is not None and item.review.photo == photo_ref(digest)
    earlier = item.review.accepted if same and item.review is not None else ()
    kept = [a for a in earlier if any(review.acceptance(f, (a,)) for f in open_flags)]
    new = [Accepted(flags[n - 1].kind, flags[n - 1].box, reason) for n, reason in asked.accept]
    return tuple(a for a in kept if not any(review.acceptance(flags[n - 1], (a,)) for n, _ in asked.accept)) \
        + tuple(new)


def _unresolved(item: Item, n: int, flag: Flag) -> Problem:
    return Problem(item.source, None, f"flag {n}: {review.describe(flag)} is not resolved; cover it with a redact "
                                      f"region (--redact-faces drafts one over each face) or accept it: "
                                      f"--accept {n} --reason TEXT; nothing was written")


def face_regions(flags: tuple[Flag, ...], regions: tuple[Region, ...]) -> tuple[Region, ...]:
    """A redact region over each face flag not covered yet (cover_region)."""
    return tuple(cover_region(flag.box) for flag in flags
                 if flag.kind == "face" and not review.covered(flag.box, regions))


def cover_region(box: Region) -> Region:
    """A region over a flag's box grown by FACE_MARGIN on every side, cut to the picture, rounded
    outwards to 4 places (so that it still covers the flag)."""
    x, y, w, h = box
    return outwards((x - FACE_MARGIN * w, y - FACE_MARGIN * h, x + w + FACE_MARGIN * w, y + h + FACE_MARGIN * h))


def outwards(corners: tuple[float, float, float, float]) -> Region:
    """(x0, y0, x1, y1) cut to the picture and rounded outwards to 4 places, as (x, y, w, h)."""
    x0, y0 = math.floor(max(0.0, corners[0]) * 1e4) / 1e4, math.floor(max(0.0, corners[1]) * 1e4) / 1e4
    x1, y1 = math.ceil(min(1.0, corners[2]) * 1e4) / 1e4, math.ceil(min(1.0, corners[3]) * 1e4) / 1e4
    return x0, y0, round(x1 - x0, 4), round(y1 - y0, 4)


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


def review_lines(by: str | None, date: dt.date | None, digest: str | None, redact: tuple[Region, ...],
                 accepted: tuple[Accepted, ...] = ()) -> list[str]:
    """The review block's key lines; by and date None: a draft (the review desk's acceptances before a sign-off)."""
    lines = [] if by is None or date is None else [f"  by: {_plain_or_quoted(by)}", f"  date: {date.isoformat()}"]
    if digest is not None:
        lines.append(f"  photo: {photo_ref(digest)}")
        if redact:
            lines.append(f"  redact: {normal(redact)}")
        if accepted:
            lines.append("  accepted:")
            lines += [f"    - {{kind: {a.kind}, box: {list(a.box)}, reason: {_quoted(a.reason)}}}" for a in accepted]
    return lines


YAML_WORDS = {"y", "yes", "n", "no", "true", "false", "on", "off", "null", "~"}


def _plain_or_quoted(text: str) -> str:
    """text as YAML reads it back as the same string: plain when it is letters (not a word YAML reads as
    true, false or null: "ON", "No"), else quoted."""
    plain = re.fullmatch(r"[A-Za-z][A-Za-z0-9.\- ]*", text) and text.lower() not in YAML_WORDS and text == text.strip()
    return text if plain else _quoted(text)


def _quoted(text: str) -> str:
    """text as a YAML double-quoted scalar (a JSON string is one; characters beyond the BMP are written
    as they are, since the YAML reader refuses JSON's surrogate-pair escapes)."""
    return json.dumps(text, ensure_ascii=False)


TOP = re.compile(r"[^\s#]")     # a line that starts a top-level key (or any other top-level content)


def with_block(text: str, item: Item, key: str, head: str, lines: list[str]) -> str:
    """The caption text with the top-level key's block replaced: its first line by head (its comment
    kept), its key lines by lines (the block added at the end when there is none); comment lines
    inside the block and every other line are kept as they are."""
    newline = "\r\n" if "\r\n" in text else "\n"
    rows = text.splitlines(keepends=True)
    block = [f"{line}{newline}" for line in lines]
    doc, _ = load_yaml(item.source, text.encode("utf-8"))
    start = doc.lines.get((key,)) if doc is not None else None
    if start is None:
        ending = _document_end(rows)        # a block added at the end goes before YAML's "..." end marker
        body, tail = "".join(rows[:ending]), "".join(rows[ending:])
        end = "" if not body or body.endswith(("\n", "\r")) else newline
        return body + end + f"{head}{newline}" + "".join(block) + tail
    before, rest = rows[:start - 1], rows[start:]
    bare = re.fullmatch(rf"{key}:[^#'\"]*?(\s+#.*)?\s*", rows[start - 1].rstrip("\r\n"))  # its comment is kept
    first = f"{head}{bare.group(1) or '' if bare else ''}{newline}"
    n = next((k for k, row in enumerate(rest) if TOP.match(row) and not row.startswith("-")), len(rest))
    kept = [row if row.strip().startswith("#") or not row.strip() else f"  {comment}{newline}"
            for row in rest[:n] if row.strip().startswith("#") or not row.strip() or (comment := trailing_comment(row))]
    return "".join(before + [first] + block + kept + rest[n:])


def _document_end(rows: list[str]) -> int:
    """The index of the row where the document ends: a "..." marker followed only by blank lines and
    comments, or the end of the file."""
    for k in range(len(rows) - 1, -1, -1):
        row = rows[k].strip()
        if row == "..." or row.startswith("... "):
            return k
        if row and not row.startswith("#"):
            break
    return len(rows)


def trailing_comment(row: str) -> str | None:
    """The comment at the end of a YAML line ('# ...'), outside quotes; None when there is none."""
    quote = None
    for k, ch in enumerate(row):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (k == 0 or row[k - 1] in " \t"):
            return row[k:].rstrip("\r\n")
    return None
