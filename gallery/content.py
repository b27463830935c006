"""The content stage: settings, caption files and photos read, and the consent gate applied.

`collect` is what `check` shows and what a build takes (it stops on any error, after the image
stage has added its own: site.make_images). It reads and never writes, except the parsed caption
files a build keeps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import lint, markup, photoid, review
from .captions import Item, load_items
from .config import SiteConfig, load_config
from .errors import Problem, display_path
from .options import BuildOptions
from .yamlutil import not_regular


@dataclass(frozen=True)
class Decision:
    item: Item
    reason: str | None   # None: published

    @property
    def published(self) -> bool:
        return self.reason is None


@dataclass(frozen=True)
class Content:
    config: SiteConfig
    decisions: tuple[Decision, ...]
    errors: tuple[Problem, ...]
    warnings: tuple[Problem, ...]
    hashes: review.PhotoHashes | None = field(default=None, compare=False)   # the photos' SHA-256 read so far
    withdrawn: frozenset[str] = frozenset()     # every item withdrawn, now or ever (the withdrawal record's too)

    @property
    def published(self) -> list[Item]:
        return [d.item for d in self.decisions if d.published]

    @property
    def left_out(self) -> list[Decision]:
        return [d for d in self.decisions if not d.published]


def source_photos(decisions: Iterable[Decision]) -> list[Path]:
    """The photos the privacy audit reads the metadata of: every item's, published or not."""
    return [d.item.photo for d in decisions if d.item.has_image and d.item.photo is not None
            and d.item.photo.is_file()]


def gate(item: Item, config: SiteConfig, use: str | tuple[str, ...] = "web") -> str | None:
    """Why the item must not be published for a use (web, print, exhibition: the consent's scope;
    several: any of them), or None when it may be. Fails closed."""
    c = item.consent
    if c.withdrawn is not None:
        when = f" on {c.withdrawn.isoformat()}" if isinstance(c.withdrawn, dt.date) else ""
        return f"consent withdrawn{when}"
    if not c.recorded:
        return "no consent recorded"
    if not c.publish:
        return "no consent to publish (consent.publish is not true)"
    uses = (use,) if isinstance(use, str) else use
    if not any(u in c.scope for u in uses):
        return f"consent scope does not include {' or '.join(uses)}"
    if config.require_review and item.review is None:
        return (f"not reviewed; once it has been checked, record the review: python build.py review {item.id} "
                "--by INITIALS")
    if config.require_review and item.review is not None and not item.review.signed:   # a draft
        return review.unsigned(item)
    return None


def decide(items: list[Item], config: SiteConfig, digest: review.Digest | None = None,
           use: str | tuple[str, ...] = "web") -> list[Decision]:
    """The gate's decision for each item, its review checked against the photo and redactions now.

    digest: the photo's SHA-256 for an item (default: read now). use: what the consent must cover."""
    return [Decision(item, gate(item, config, use) or bound(item, config, digest)) for item in items]


def bound(item: Item, config: SiteConfig, digest: review.Digest | None = None) -> str | None:
    """Why the item's review no longer covers its photo or redactions (None: it does, or reviews are off).
    Asked only after gate: a review here is signed (review.stale refuses a draft all the same)."""
    if not config.require_review or item.review is None or not item.has_image:
        return None
    read = digest or (lambda i: review.read_hash(i.photo, None) if i.photo else None)
    return review.stale(item, read(item) if item.review.photo else None)


def collect(options: BuildOptions, cached: bool = False, parsed: bool = False,
            use: str | tuple[str, ...] = "web") -> Content:
    """Settings, gate decisions, errors and warnings (check shows both at once); raises ConfigError.

    cached: keep the parsed caption files in the cache folder for the next build, and the record of
    withdrawn pictures (photoid) in the project's private folder (a build does; check, which writes
    nothing, does not). parsed: take the caption files a build parsed from its cache, writing nothing
    (the review desk, which reads the project for every page).
    """
    config = load_config(options.config, required=options.config_required)
    items, errors, warnings = load_items(options.captions, options.photos, config,
                                         cache=options.cache / "captions.json" if cached or parsed else None,
                                         save=cached)
    from .imagecache import photo_hashes
    hashes = review.PhotoHashes(photo_hashes(options.cache), options.photos)
    records, damaged = photoid.load_records(options)
    errors.extend(damaged)
    decisions = decide(items, config, hashes, use)
    kept_out = photoid.still_withdrawn(decisions, records)
    decisions = [_still_withdrawn(d, kept_out[d.item.source]) if d.item.source in kept_out else d for d in decisions]
    withdrawn = frozenset(photoid.recorded_items(*records)) | {d.item.id for d in decisions
                                                               if d.item.consent.withdrawn is not None}
    if cached:
        hashes.save()
    for d in decisions:
        errors.extend(_photo_problems(d, options, warnings))
    shared, twice = photoid.same_pictures(decisions, options, record=cached and not damaged, hashes=hashes,
                                          kept=records[0])
    errors.extend(shared)
    warnings.extend(twice)
    published = [d.item for d in decisions if d.published]
    warnings.extend(_markup_warnings(published))
    warnings.extend(lint.content_warnings(config, items, {i.participant for i in published},
                                          options.photos, options.captions))
    if options.strict:
        errors.extend(Problem(w.path, w.line, f"{w.message} (an error with --strict)") for w in warnings)
        warnings = []
    return Content(config, tuple(decisions), tuple(errors), tuple(warnings), hashes, withdrawn)


def _still_withdrawn(d: Decision, day: str) -> Decision:
    """An item the withdrawal record knows withdrawn (on day, '' when not known) though its caption file no
    longer says so: kept out, and withdrawn for every stage after this one (the screen, the drafts preview,
    the desk, the register, the report), as if its caption file still said so."""
    try:
        when: dt.date | bool = dt.date.fromisoformat(day) if day else True
    except ValueError:
        when = True
    put_back = f"withdrawn: {day}" if day else "withdrawn: <the date>"
    reason = (f"consent withdrawn{f' on {day}' if day else ''} (the project's withdrawal record says so, but the "
              f"caption file no longer does: overwritten by an import or a backup?); put back '{put_back}' under "
              "consent: a withdrawal is never taken back")
    return Decision(replace(d.item, consent=replace(d.item.consent, withdrawn=when)), reason)


def _photo_problems(d: Decision, options: BuildOptions, warnings: list[Problem]) -> list[Problem]:
    """The errors about an item's photo (a warning for a missing photo of an item not published). A
    folder or a named pipe is an error either way, and never opened: reading a pipe waits forever."""
    item = d.item
    if item.photo is None:
        return []
    kind = not_regular(item.photo)
    if kind is not None:
        return [Problem(item.source, item.photo_line, f"photo '{item.photo_name}' is {kind}, not a regular file; "
                                                      "name the photo file itself (a JPEG, PNG, WebP, TIFF, HEIC "
                                                      "or AVIF file)")]
    if d.published and not item.photo.is_file():
        return [Problem(item.source, item.photo_line, f"photo '{item.photo_name}' does not exist in "
                                                      f"{display_path(options.photos)}/; check the spelling or add "
                                                      "the file")]
    if not d.published and not item.photo.exists():
        warnings.append(Problem(item.source, item.photo_line,
                                f"photo '{item.photo_name}' does not exist (item is not published)"))
    return []


def _markup_warnings(items: list[Item]) -> list[Problem]:
    found = []
    for item in items:
        for key in ("caption", "long_description", "content_note"):
            for reason in markup.unsafe_reasons(getattr(item, key)):
                found.append(Problem(item.source, item.line(key), f"'{key}': {reason}; write plain Markdown instead"))
    return found
