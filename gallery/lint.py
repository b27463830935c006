"""Warnings about content that builds but should be improved.

Every build and every check shows them (content.collect calls content_warnings), and --strict
turns them into errors. Nothing here writes a file.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from difflib import SequenceMatcher
from pathlib import Path

from .captions import CAPTION_SUFFIXES, Item
from .config import SiteConfig
from .errors import Problem
from .ids import participant_key
from .output import files_under
from .paths import real_path, resolve_photo
from .yamlutil import load_yaml, read_bytes

ALT_MIN_WORDS = 3
ALT_MAX_CHARS = 250
ALT_SIMILARITY = 0.8          # alt this close to the caption (0..1) merely repeats it
REDUNDANT_OPENINGS = ("image of", "photo of", "picture of", "photograph of")
PLACEHOLDER = "TODO"          # the marker `build.py add` writes where text is still to come
PLACEHOLDER_KEYS = ("caption", "alt", "title", "long_description", "content_note")
_OPENING = re.compile(rf"(?:an? |the )?({'|'.join(REDUNDANT_OPENINGS)})\b")
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".heic", ".heif", ".avif")


def content_warnings(config: SiteConfig, items: list[Item], published: set[str], photos_dir: Path,
                     captions_dir: Path, today: dt.date | None = None) -> list[Problem]:
    """Every warning about the loaded items, the photos folder and participants' answers.

    published: the codes of the participants with at least one published item.
    """
    today = today or dt.date.today()
    warnings: list[Problem] = []
    for item in items:
        found = alt_warnings(item) + placeholder_warnings(item) + date_warnings(item, today)
        if found:  # the file is read again only to name the line of each warning
            doc, _ = load_yaml(item.source)
            warnings.extend(doc.problem(message, *keys) if doc else Problem(item.source, None, message)
                            for message, keys in found)
    warnings.extend(settings_warnings(config))
    warnings.extend(unused_photos(photos_dir, captions_dir, items))
    warnings.extend(missing_answers(config, items, published))
    warnings.extend(participant_variants(items))
    return warnings


Found = list[tuple[str, tuple[str, ...]]]   # (message, key path naming the line)


def settings_warnings(config: SiteConfig) -> list[Problem]:
    """Settings a published site needs: its address (for the page-not-found page) and a contact; and
    the screen turned off (the team's choice, said on every check and build)."""
    where = config.path or Path("gallery.yaml")
    found = []
    if not config.base_url:
        found.append(Problem(where, None, "base_url is not set, so the page shown for a missing address (404.html) "
                                          "works only in the site's top folder: deeper, as at an old link to a "
                                          "withdrawn picture (items/...), it has no styles and its links lead to "
                                          "more missing pages; set base_url to the address the site is published "
                                          "at, e.g. base_url: https://www.example.ac.uk/research/link-workers/ "
                                          "(your web team knows it)"))
    if not config.contact:
        found.append(Problem(where, None, "contact is not set, so the site cannot say how to ask for a picture to "
                                          "be withdrawn, nor the accessibility statement how to report a "
                                          "problem; add the team's email address, e.g. contact: "
                                          "gallery-team@example.ac.uk"))
    off = [name for name, on in (("faces", config.screening.faces), ("text", config.screening.text)) if not on]
    if off:
        what = " and ".join(off)
        found.append(Problem(where, None, f"screening for {what} is off (screening: {': false, '.join(off)}: "
                                          f"false), so no photo is checked for {what} before the reviewer looks; "
                                          "the review alone must find every one (remove the setting to screen "
                                          "again)"))
    return found


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def _similar(a: str, b: str) -> bool:
    """SequenceMatcher's ratio, after its cheap upper bounds say it could reach the threshold (the
    first, real_quick_ratio, computed here: building a matcher indexes b, which costs more)."""
    if not a and not b:
        return True
    if 2 * min(len(a), len(b)) / (len(a) + len(b)) < ALT_SIMILARITY:
        return False
    matcher = SequenceMatcher(None, a, b)
    return matcher.quick_ratio() >= ALT_SIMILARITY and matcher.ratio() >= ALT_SIMILARITY


def alt_warnings(item: Item) -> Found:
    """Alt text that repeats the caption, is too short or too long, or announces itself as an image."""
    if not item.has_image or not item.alt:
        return []
    alt, caption = _normal(item.alt), _normal(item.caption)
    found = []
    if alt != caption and (alt in caption or _similar(alt, caption)):
        found.append("'alt' repeats the caption; describe what the picture shows, not what the participant said")
    words = len(alt.split())
    if words < ALT_MIN_WORDS:
        found.append(f"'alt' has only {words} word{'s' if words != 1 else ''}; describe what the picture shows "
                     f"in a sentence (at least {ALT_MIN_WORDS} words)")
    if len(item.alt) > ALT_MAX_CHARS:
        found.append(f"'alt' is {len(item.alt)} characters long; keep it under {ALT_MAX_CHARS} and move the "
                     "detail to long_description")
    match = _OPENING.match(alt)
    opening = match.group(1) if match else None
    if opening:
        found.append(f"'alt' starts with \"{opening}\"; screen readers already say it is an image, "
                     "so start with what it shows")
    return [(message, ("alt",)) for message in found]


def placeholder_warnings(item: Item) -> Found:
    """Text still holding the TODO placeholder that `build.py add` writes."""
    found: Found = []
    for key in PLACEHOLDER_KEYS:
        value = getattr(item, key)
        if isinstance(value, str) and value.startswith(PLACEHOLDER):
            found.append((f"'{key}' still holds the placeholder from 'build.py add'; replace the TODO text", (key,)))
    return found


def date_warnings(item: Item, today: dt.date) -> Found:
    """Consent dated in the future; a review dated before the consent."""
    found: Found = []
    consent = item.consent.date
    if consent is not None and consent > today:
        found.append((f"consent.date {consent.isoformat()} is in the future; "
                      "write the date the participant gave consent", ("consent", "date")))
    review = item.review.date if item.review else None
    if consent is not None and review is not None and review < consent:
        found.append((f"review.date {review.isoformat()} is before consent.date {consent.isoformat()}; "
                      "review the image after consent is recorded, or correct the dates", ("review", "date")))
    return found


def referenced_photos(photos_dir: Path, captions_dir: Path, items: list[Item]) -> set[str]:
    """Real paths of the photos named by any caption file, even one with errors (so no photo is
    reported twice), and even one that is not valid YAML (its `photo:` line is looked for)."""
    names = {real_path(item.photo) for item in items if item.photo is not None}
    loaded = {item.source.name for item in items}
    if not captions_dir.is_dir():
        return names
    for name in os.listdir(captions_dir):
        if name in loaded or name.startswith(".") or not name.lower().endswith(CAPTION_SUFFIXES):
            continue
        for photo in photo_values(captions_dir / name):
            resolved = resolve_photo(photos_dir, photo)
            if resolved is not None:
                names.add(real_path(resolved))
    return names


_PHOTO_LINE = re.compile(r"""^\s*photo\s*:\s*(?:"([^"]*)"|'([^']*)'|([^#]*?))\s*(?:#.*)?$""", re.M)


def photo_values(path: Path) -> list[str]:
    """The photo a caption file names: its `photo` value, or, when the file is not valid YAML (an
    indentation slip), every `photo:` line in its text."""
    doc, _ = load_yaml(path)
    if doc is not None:
        photo = doc.data.get("photo")
        return [photo.strip()] if isinstance(photo, str) and photo.strip() else []
    raw, _ = read_bytes(path)          # never a named pipe: reading one would wait forever
    if raw is None:
        return []
    text = raw.decode("utf-8", errors="replace")
    return [value.strip() for match in _PHOTO_LINE.finditer(text)
            if (value := next(v for v in match.groups() if v is not None)).strip()]


def unused_photos(photos_dir: Path, captions_dir: Path, items: list[Item]) -> list[Problem]:
    """Image files in photos/ that no caption file uses (they are never published)."""
    if not photos_dir.is_dir():
        return []
    used = referenced_photos(photos_dir, captions_dir, items)
    found = []
    base = os.path.join(str(photos_dir), "")
    for rel in files_under(photos_dir):
        if any(part.startswith(".") for part in rel.split("/")) or not rel.lower().endswith(PHOTO_SUFFIXES):
            continue
        if real_path(base + rel) in used:
            continue
        path = photos_dir / rel
        if path.is_file():
            found.append(Problem(path, None, "no caption file uses this photo, so it is not published; "
                                             "write a caption for it (python build.py add) or move it "
                                             "out of the photos folder"))
    return found


def missing_answers(config: SiteConfig, items: list[Item], published: set[str]) -> list[Problem]:
    """A published participant with no item at all for one of the prompts.

    Participants were asked every prompt; one they did not photograph they usually answered in
    words, and that answer belongs in the gallery as a reported item. Only participants with at
    least one published item are considered (not those who withdrew or have not consented), and
    an item in any state (even withdrawn) counts as an answer. The warning names the first caption
    file of that participant, since the missing caption has no file yet.
    """
    by_participant: dict[str, list[Item]] = {}
    for item in sorted(items, key=lambda i: i.source.name):
        by_participant.setdefault(item.participant, []).append(item)
    found = []
    for code, own in sorted(by_participant.items()):
        if code not in published:
            continue
        answered = {i.prompt for i in own}
        for prompt in config.prompts:
            if prompt.id not in answered:
                found.append(Problem(own[0].source, None,
                                     f"participant {code} has no item for prompt '{prompt.id}'; if they "
                                     "answered it only in words, add a reported item: python build.py add "
                                     f"--participant {code} --prompt {prompt.id} --kind reported"))
    return found


def participant_variants(items: list[Item]) -> list[Problem]:
    """Participant codes written two ways (LW-07 and LW07, P1 and P001): the site would show two
    participants with a page each. One warning for each other spelling, on its first caption file,
    naming the first caption file of the first spelling."""
    spellings: dict[tuple[str, int], dict[str, Item]] = {}
    for item in sorted(items, key=lambda i: i.source.name):
        key = participant_key(item.participant)
        if key is not None:
            spellings.setdefault(key, {}).setdefault(item.participant, item)
    found: list[Problem] = []
    for first_items in spellings.values():
        (first, model), *others = sorted(first_items.items(), key=lambda pair: pair[1].source.name)
        found.extend(Problem(item.source, item.line("participant"),
                             f"participant '{code}' and '{first}' (in {model.source.name}) differ only in hyphens "
                             "or leading zeros, so the site shows them as two participants; write the code the "
                             "same way in every caption file") for code, item in others)
    return found
