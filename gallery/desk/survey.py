"""What the desk shows: every caption file with its state, its problems and its screening flags.

The survey is `check` (content, screening from its cache, the photos to be published probed), each
caption file sorted into one state, read fresh for every page: the files are the only truth.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from pathlib import Path

from .. import content, imagecache, output, review, screens
from ..captions import Item, caption_files
from ..check import check
from ..config import SiteConfig
from ..errors import Problem
from ..options import BuildOptions
from ..screening import Flag

# state -> what the list calls it; in the order the list sorts by (what needs a person first)
STATES = {"broken": "Cannot be read", "needs-consent": "Needs consent", "flagged": "Flagged",
          "needs-review": "Needs review", "left-out": "Left out", "ready": "Ready to publish",
          "published": "Published", "withdrawn": "Withdrawn"}


@dataclass(frozen=True)
class Marked:
    """One screening flag as the desk shows it: its number (as `review` numbers it) and how it is resolved."""

    number: int
    flag: Flag
    resolution: str | None        # None: open

    @property
    def percent(self) -> tuple[float, float, float, float]:
        return percent(self.flag.box)


@dataclass(frozen=True)
class Row:
    """One caption file."""

    id: str
    source: Path
    item: Item | None                   # None: the file has errors (broken)
    state: str
    reason: str | None                  # why it is left out (None: published or ready)
    problems: tuple[Problem, ...]       # check's errors and warnings about this file
    flags: tuple[Marked, ...] = ()
    screened: bool = True               # False: no flags known (not screened, screening off, reported item)
    digest: str | None = None           # the photo's SHA-256 (None: no photo, or it cannot be read)

    @property
    def label(self) -> str:
        return STATES[self.state]

    @property
    def seen(self) -> str:
        """What a page remembers of the photo and the flags it showed (a form is refused when they changed)."""
        return version(repr((self.digest, [(m.flag.kind, m.flag.box) for m in self.flags])).encode())

    @property
    def need(self) -> str:
        """What the item needs, in plain words (the build's reason, with its commands, is on the item page)."""
        n = len(self.open_flags)
        if self.state == "flagged":
            return f"{n} screening flag{'s' if n > 1 else ''} to cover or accept, then a sign-off"
        if self.state == "needs-review":
            r = self.item.review if self.item is not None else None
            if r is not None and r.signed:
                return "the photo or its regions changed after the sign-off: sign it off again"
            return "a reviewer's sign-off"
        if self.state == "ready":
            return "nothing: the next build publishes it"
        if self.state == "published":
            return "nothing"
        return self.reason or ""

    @property
    def open_flags(self) -> tuple[Marked, ...]:
        return tuple(m for m in self.flags if m.resolution is None)


@dataclass(frozen=True)
class Survey:
    config: SiteConfig
    rows: tuple[Row, ...]
    general: tuple[Problem, ...]        # problems not about one caption file (settings, photos folder)
    screening_note: str | None          # screening off or unavailable, said once
    screening: screens.Screening | None = None

    def row(self, item_id: str) -> Row | None:
        return next((r for r in self.rows if r.id == item_id), None)

    def counts(self) -> dict[str, int]:
        return {state: sum(1 for r in self.rows if r.state == state) for state in STATES}


def percent(box: tuple[float, ...]) -> tuple[float, float, float, float]:
    """A box of fractions as percentages, 2 decimals (what the desk shows and the form takes)."""
    x, y, w, h = (round(v * 100, 2) for v in box)
    return x, y, w, h


def survey(options: BuildOptions, thorough: bool = True) -> Survey:
    """Every caption file in the captions folder, in its state (raises ConfigError for bad settings).

    thorough: everything check finds (the photos to be published probed, the sources' metadata read);
    otherwise the content stage and the screening alone, from the build's caches (an item page)."""
    if thorough:
        checked = check(options)
        config, decided, screening = checked.config, checked.decisions, checked.screening
        problems = (*checked.errors, *checked.warnings)
    else:
        found = content.collect(options, parsed=True)
        screening = screens.screen_found(found, options, save=False)
        found = screens.apply(found, screening)
        config, decided, problems = found.config, found.decisions, (*found.errors, *found.warnings)
    on_site = set(output.read_manifest(options.out)) if options.out.is_dir() else set()
    hashes = review.PhotoHashes(imagecache.photo_hashes(options.cache), options.photos)
    rows = []
    decisions = {d.item.source: d for d in decided}
    for path in (p for p in caption_files(options.captions) if p.is_file()):   # a folder: check's error
        own = tuple(p for p in problems if p.path == path)
        decision = decisions.get(path)
        if decision is None:
            rows.append(Row(path.stem, path, None, "broken", "its caption file has errors", own))
            continue
        item = decision.item
        flags = screening.flags.get(item.id) if screening is not None else None
        digest = hashes(item) if item.has_image and item.photo is not None else None
        now = _bound_to(item, digest)
        marked = tuple(Marked(n, f, review.resolution(now, f)) for n, f in enumerate(flags or (), 1))
        state = state_of(decision, config, marked, hashes, f"items/{item.id}.html" in on_site)
        rows.append(Row(item.id, path, item, state, decision.reason, own, marked, flags is not None, digest))
    note = None
    if screening is not None and screening.off:
        note = "Screening is off in gallery.yaml (screening: {faces: false, text: false}): no flags are shown."
    elif screening is not None and screening.unavailable:
        note = f"Photos cannot be screened: {screening.unavailable}"
    general = tuple(p for p in problems if p.path is None or p.path.parent != options.captions)
    return Survey(config, tuple(rows), general, note, screening)


def _bound_to(item: Item, digest: str | None) -> Item:
    """The item as its flags are resolved now: a review's acceptances count only for the photo it
    reviewed (review --by carries none of another picture's)."""
    r = item.review
    if r is None or not r.accepted or (digest is not None and r.photo == review.photo_ref(digest)):
        return item
    return dataclasses.replace(item, review=dataclasses.replace(r, accepted=()))


def state_of(d: content.Decision, config: SiteConfig, flags: tuple[Marked, ...], hashes: review.PhotoHashes,
             on_site: bool) -> str:
    """The one state the list files an item under."""
    item = d.item
    if item.consent.withdrawn is not None:
        return "withdrawn"
    if content.gate(item, dataclasses.replace(config, require_review=False)) is not None:
        return "needs-consent"
    if config.require_review and any(m.resolution is None for m in flags):
        return "flagged"
    if config.require_review and (item.review is None or not item.review.signed
                                  or content.bound(item, config, hashes) is not None):
        return "needs-review"
    if d.reason is not None:
        return "left-out"
    return "published" if on_site else "ready"


def version(data: bytes) -> str:
    """What a page remembers of the caption file it was made from (a write is refused when it changed)."""
    return hashlib.sha256(data).hexdigest()
