"""The content stage: settings, caption files and photos read, and the consent gate applied.

`collect` is what `check` shows and what a build takes (it stops on any error, after the image
stage has added its own: site.make_images). It reads and never writes, except the parsed caption
files a build keeps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from . import lint, markup
from .audit.names import CAMERA_NAME
from .captions import Item, load_items
from .config import SiteConfig, load_config
from .errors import Problem
from .options import BuildOptions


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

    @property
    def published(self) -> list[Item]:
        return [d.item for d in self.decisions if d.published]

    @property
    def left_out(self) -> list[Decision]:
        return [d for d in self.decisions if not d.published]


def gate(item: Item, config: SiteConfig) -> str | None:
    """Why the item must not be published, or None when it may be. Fails closed."""
    c = item.consent
    if c.withdrawn is not None:
        when = f" on {c.withdrawn.isoformat()}" if isinstance(c.withdrawn, dt.date) else ""
        return f"consent withdrawn{when}"
    if not c.recorded:
        return "no consent recorded"
    if not c.publish:
        return "no consent to publish (consent.publish is not true)"
    if "web" not in c.scope:
        return "consent scope does not include web"
    if config.require_review and item.review is None:
        return "not reviewed (add review: by and date once the image has been checked)"
    return None


def decide(items: list[Item], config: SiteConfig) -> list[Decision]:
    return [Decision(item, gate(item, config)) for item in items]


def collect(options: BuildOptions, cached: bool = False) -> Content:
    """Settings, gate decisions, errors and warnings (check shows both at once); raises ConfigError.

    cached: keep the parsed caption files in the cache folder for the next build (a build does;
    check, which writes nothing, does not).
    """
    config = load_config(options.config, required=options.config_required)
    items, errors, warnings = load_items(options.captions, options.photos, config,
                                         cache=options.cache / "captions.json" if cached else None)
    decisions = decide(items, config)
    for d in decisions:
        photo = d.item.photo
        if photo is None:
            continue
        if d.published and not photo.is_file():
            errors.append(Problem(d.item.source, d.item.photo_line,
                                  f"photo '{d.item.photo_name}' does not exist in {options.photos.name}/; "
                                  "check the spelling or add the file"))
        elif not d.published and not photo.exists():
            warnings.append(Problem(d.item.source, d.item.photo_line,
                                    f"photo '{d.item.photo_name}' does not exist (item is not published)"))
    published = [d.item for d in decisions if d.published]
    errors.extend(camera_like_ids(d.item for d in decisions if d.item.consent.withdrawn is None))
    warnings.extend(_markup_warnings(published))
    warnings.extend(lint.content_warnings(config, items, {i.participant for i in published},
                                          options.photos, options.captions))
    if options.strict:
        errors.extend(Problem(w.path, w.line, f"{w.message} (an error with --strict)") for w in warnings)
        warnings = []
    return Content(config, tuple(decisions), tuple(errors), tuple(warnings))


def camera_like_ids(items: Iterable[Item]) -> list[Problem]:
    """An id that looks like a camera file name or a date is the address of the item's page and the
    start of its image names: the privacy audit refuses such a site, so the content does first
    (withdrawn items, never shown, aside)."""
    return [Problem(item.source, None, f"the item id '{item.id}' looks like a camera file name or a date; rename "
                                       "the caption file to a neutral id such as lw07-day")
            for item in items if CAMERA_NAME.search(item.id)]


def _markup_warnings(items: list[Item]) -> list[Problem]:
    found = []
    for item in items:
        for key in ("caption", "long_description", "content_note"):
            for reason in markup.unsafe_reasons(getattr(item, key)):
                found.append(Problem(item.source, item.line(key), f"'{key}': {reason}; write plain Markdown instead"))
    return found
