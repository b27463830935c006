"""The add command: one photo copied into photos/ under a neutral name, and its caption file.

Refuses to overwrite, validates with the same loader the build uses (so what it writes always
loads), and writes nothing at all when anything is wrong. (import, for a spreadsheet: sheet.py.)
"""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from .captions import KINDS
from .config import SiteConfig, load_config
from .errors import AuthoringError, Problem, UsageError, display_path
from .ids import ID_RE, camera_id_problem, participant_problem
from .lint import PHOTO_SUFFIXES, PLACEHOLDER
from .yamlutil import did_you_mean, not_regular

if TYPE_CHECKING:  # pragma: no cover
    from .options import BuildOptions

log = logging.getLogger(__name__)
NEUTRAL_SUFFIX = {".jpeg": ".jpg", ".tif": ".tiff", ".heif": ".heic"}


@dataclass(frozen=True)
class Added:
    """What `add` wrote."""

    item_id: str
    caption: Path
    kind: str
    photo: Path | None = None      # the copy in photos/
    source: Path | None = None     # the file it was copied from (left unchanged)

    def next_steps(self) -> list[str]:
        caption = display_path(self.caption)
        what = "and a description of the picture" if self.photo else "(this item has no image)"
        steps = [f"Open {caption} and replace each TODO with the participant's words {what}."]
        if self.source is not None and self.photo is not None and self.source.resolve().parent == \
                self.photo.resolve().parent and self.source.resolve() != self.photo.resolve():
            steps.append(f"Delete {display_path(self.source)} (or move it out of the photos folder): the copy "
                         f"{self.photo.name} has a neutral name.")
        steps += [
            "When the participant has agreed to publication, set consent.publish: true, consent.scope "
            "(e.g. [web]) and consent.date.",
            "After checking the image for faces, third parties, name badges, documents, screens and house "
            f"numbers, record the review: python build.py review {self.item_id} --by INITIALS (it records the "
            "photo and redactions you checked)." if self.photo else
            "After checking the words for anything that identifies someone, fill in review: by and date.",
            "Run python build.py check, then python build.py (or python build.py serve --drafts to preview).",
        ]
        return steps


def neutral_id(participant: str, prompt: str) -> str:
    """An item id from participant and prompt, e.g. lw07-confidence (never from a camera file name)."""
    return f"{participant.lower()}-{prompt}"


def add_item(options: BuildOptions, photo: Path | None, participant: str, prompt: str, kind: str = "original",
             item_id: str | None = None) -> Added:
    """Copy the photo into photos/ under a neutral name and write captions/<id>.yaml with every key."""
    config = load_config(options.config, required=options.config_required)
    kind, participant = _check_add_arguments(config, photo, participant, prompt, kind)
    chosen = item_id is not None
    item_id = item_id or neutral_id(participant, prompt)
    if not ID_RE.match(item_id):
        raise UsageError(problems=[Problem(None, None, f"'{item_id}' is not a valid item id; use lower-case "
                                                       "letters, digits and hyphens, e.g. lw07-confidence")])
    if camera := camera_id_problem(item_id):
        fix = "give a neutral one with --id" if chosen else "give the item a neutral id with --id, e.g. --id lw07-day"
        raise UsageError(problems=[Problem(None, None, f"{camera}; {fix}")])
    _refuse_withdrawn_id(options, item_id)
    target = options.photos / f"{item_id}{_neutral_suffix(photo)}" if photo is not None else None
    caption = options.captions / f"{item_id}.yaml"
    _refuse_existing(caption, target, photo)
    text = caption_template(item_id, participant, prompt, kind, target.name if target else None, config)
    _write_new(caption, target, photo, text)
    return Added(item_id, caption, kind, target, photo)


def _refuse_withdrawn_id(options: BuildOptions, item_id: str) -> None:
    """An id the project's withdrawal record knows stays its withdrawn item's: a new item gets another."""
    from . import photoid
    records, damaged = photoid.load_records(options)
    if damaged:
        raise UsageError(problems=damaged)
    day = photoid.recorded_items(*records).get(item_id)
    if day is not None:
        when = f" on {day}" if day else ""
        raise UsageError(problems=[Problem(None, None, f"the id '{item_id}' is that of an item whose consent was "
                                                       f"withdrawn{when} (the project's withdrawal record), which "
                                                       "never comes back; give this item another id with --id, "
                                                       f"e.g. --id {item_id}-2")])


def _check_add_arguments(config: SiteConfig, photo: Path | None, participant: str, prompt: str,
                         kind: str) -> tuple[str, str]:
    problems = []
    full_kind = KINDS.get(kind.lower())
    if full_kind is None:
        problems.append(f"unknown kind '{kind}'{did_you_mean(kind.lower(), ('original', 'illustration', 'reported'))}"
                        "; use original, illustration or reported")
    participant_wrong = participant_problem(participant)
    if participant_wrong:
        problems.append(participant_wrong)
    if config.prompt(prompt) is None:
        ids = [p.id for p in config.prompts]
        problems.append(f"unknown prompt '{prompt}'{did_you_mean(prompt, ids)}; use one of {', '.join(ids)}")
    if full_kind == "reported" and photo is not None:
        problems.append("a reported item has no image; leave out PHOTO or choose another --kind")
    elif full_kind not in (None, "reported") and photo is None:
        problems.append("give the PHOTO to add (only --kind reported needs none)")
    if problems or full_kind is None:
        raise UsageError(problems=[Problem(None, None, p) for p in problems])
    if photo is not None:
        _check_photo(photo, config)
    return full_kind, participant.upper()


def _check_photo(photo: Path, config: SiteConfig) -> None:
    from .check import probe_photo
    kind = not_regular(photo)
    if kind is not None:        # never opened: reading a named pipe would wait forever
        raise AuthoringError(problems=[Problem(photo, None, f"is {kind}, not a regular file; give the photo "
                                                            "file itself (a JPEG, PNG, WebP, TIFF, HEIC or AVIF)")])
    if not photo.is_file():
        raise UsageError(problems=[Problem(photo, None, "photo not found; check the path")])
    if photo.suffix.lower() not in PHOTO_SUFFIXES:
        raise UsageError(problems=[Problem(photo, None, f"'{photo.suffix}' is not a photo type the gallery "
                                                        "reads; use a JPEG, PNG, WebP, TIFF, HEIC or AVIF file")])
    error, notes = probe_photo(photo, config.images)
    for note in notes:
        log.debug("%s", Problem(photo, None, f"damaged metadata ignored ({note}); only its pixels are published"))
    if error is not None:
        raise UsageError(problems=[Problem(photo, None, f"this file {error}")])


def _neutral_suffix(photo: Path | None) -> str:
    suffix = photo.suffix.lower() if photo else ""
    return NEUTRAL_SUFFIX.get(suffix, suffix)


def _refuse_existing(caption: Path, target: Path | None, source: Path | None) -> None:
    problems = []
    for existing in (caption, caption.with_suffix(".yml")):
        if existing.exists():
            problems.append(Problem(existing, None, "already exists; edit it instead, or give another id "
                                                    "with --id (add never overwrites)"))
    same = target is not None and source is not None and target.exists() and target.resolve() == source.resolve()
    if target is not None and target.exists() and not same:
        problems.append(Problem(target, None, "already exists; give another id with --id "
                                              "(add never overwrites a photo)"))
    if problems:
        raise AuthoringError(problems=problems)


def _write_new(caption: Path, target: Path | None, source: Path | None, text: str) -> None:
    """Copy the photo (bytes only) and create the caption; on any failure leave nothing behind."""
    caption.parent.mkdir(parents=True, exist_ok=True)
    copied = False
    try:
        if target is not None and source is not None and not (target.exists() and target.samefile(source)):
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(source, "rb") as src, open(target, "xb") as dst:
                copied = True
                shutil.copyfileobj(src, dst)
        with open(caption, "x", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        if copied and target is not None:
            target.unlink(missing_ok=True)
        raise AuthoringError(problems=[Problem(caption, None, f"cannot write ({exc.strerror}); check the "
                                                              "folder exists and is writable")]) from None


def caption_template(item_id: str, participant: str, prompt: str, kind: str, photo: str | None,
                     config: SiteConfig) -> str:
    """A caption file with every key present and explained; consent.publish is false."""
    prompts = " | ".join(p.id for p in config.prompts)
    photo_line = _pad(f"photo: {_plain(photo)}", "the file in photos/ (a neutral name; published files are renamed)") \
        if photo else _pad("photo:", "none: a reported item is described in words, without an image")
    alt = (f'alt: "{PLACEHOLDER}: describe what the picture shows, for people who cannot see it."'
           if photo else "alt:")
    return "\n".join([
        f"# {item_id}: one item of the gallery, written by `python build.py add`.",
        "# Lines starting with # are comments. Replace each TODO, then record consent and the review.",
        "# Published only when consent.publish is true, consent.scope includes web, consent is not",
        "# withdrawn, and the review is filled in. See README.md, \"For researchers\".",
        "",
        _pad(f"participant: {_quoted(participant)}", "pseudonymous participant ID (text), never a real name"),
        _pad(f"prompt: {_plain(prompt)}", f"the question this answers: {prompts}"),
        _pad(f"kind: {kind}", "original (O) | illustration (I: made by the team in place of a photo"),
        _pad("", "that could identify someone) | reported (R: described in words, no image)"),
        photo_line,
        _pad("title:", "optional short title; empty: the prompt title and participant"),
        _pad("caption: |", "the participant's own words (Markdown); required"),
        f"  {PLACEHOLDER}: the participant's words about this {'picture' if photo else 'answer'}.",
        _pad(alt, "one or two plain sentences; not the caption" if photo else "not needed without an image"),
        _pad("long_description:", "optional (Markdown): when the alt text cannot carry the meaning"),
        _pad("content_note:", "optional warning, in plain words: the picture stays hidden until chosen"),
        _pad("credit: none", "none | pseudonym (credits the participant ID) | the name they chose"),
        _pad("consent:", "publication consent, separate from consent to take part"),
        _pad("  publish: false", "true once the participant has agreed to publication"),
        _pad("  scope: []", "where it may appear: web, print, exhibition; e.g. [web, print]"),
        _pad("  date:", "the date consent was given, YYYY-MM-DD (needed once publish is true)"),
        _pad("  # withdrawn: 2024-09-01", "if consent is withdrawn, remove the '# ': never published again"),
        _pad("review:", "after checking for faces, third parties, name badges, documents,"),
        _pad("  # by: ST", "screens, house numbers and reflections, record it with"),
        _pad("  # date: 2024-05-02", f"python build.py review {item_id} --by INITIALS (it writes these lines)"),
        _pad("order:", "optional whole number: position within its prompt (lowest first)"),
        _pad("redact:", "optional areas to paint over, as fractions of the upright image:"),
        _pad("", "[[x, y, width, height]], e.g. [[0.1, 0.2, 0.3, 0.25]]"),
        _pad("notes:", "optional notes for the team; never published"),
        "",
    ])


def _quoted(text: str) -> str:
    """text in double quotes: YAML reads it as text whatever it looks like (unquoted, participant 010
    is the number 8, 2024 a number, yes true)."""
    return json.dumps(text, ensure_ascii=False)


def _plain(text: str) -> str:
    """text as it is when YAML reads it back as the same text, else in quotes."""
    try:
        same = yaml.safe_load(text) == text
    except (yaml.YAMLError, ValueError):      # e.g. a date that does not exist
        same = False
    return text if same else _quoted(text)


def _pad(code: str, comment: str, width: int = 28) -> str:
    return f"{code.ljust(width - 1)} # {comment}" if len(code) < width - 1 else f"{code}   # {comment}"
