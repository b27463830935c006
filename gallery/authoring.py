"""Writing caption files for researchers: `add` (one photo) and `import` (a spreadsheet saved as CSV).

Both refuse to overwrite, validate with the same loader the build uses (so what they write always
loads), and write nothing at all when anything is wrong.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from .captions import CAPTION_SUFFIXES, CONSENT_KEYS, KEYS, KINDS, PARTICIPANT_RE, REVIEW_KEYS, load_item
from .config import ID_RE, SiteConfig, load_config
from .errors import AuthoringError, Problem, UsageError, display_path
from .lint import PHOTO_SUFFIXES, PLACEHOLDER
from .yamlutil import did_you_mean

if TYPE_CHECKING:  # pragma: no cover
    from .options import BuildOptions

NEUTRAL_SUFFIX = {".jpeg": ".jpg", ".tif": ".tiff", ".heif": ".heic"}


# ---- add ----------------------------------------------------------------------------------------

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
            "numbers, fill in review: by and date." if self.photo else
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
    item_id = item_id or neutral_id(participant, prompt)
    if not ID_RE.match(item_id):
        raise UsageError(problems=[Problem(None, None, f"'{item_id}' is not a valid item id; use lower-case "
                                                       "letters, digits and hyphens, e.g. lw07-confidence")])
    target = options.photos / f"{item_id}{_neutral_suffix(photo)}" if photo is not None else None
    caption = options.captions / f"{item_id}.yaml"
    _refuse_existing(caption, target, photo)
    text = caption_template(item_id, participant, prompt, kind, target.name if target else None, config)
    _write_new(caption, target, photo, text)
    return Added(item_id, caption, kind, target, photo)


def _check_add_arguments(config: SiteConfig, photo: Path | None, participant: str, prompt: str,
                         kind: str) -> tuple[str, str]:
    problems = []
    full_kind = KINDS.get(kind.lower())
    if full_kind is None:
        problems.append(f"unknown kind '{kind}'{did_you_mean(kind.lower(), ('original', 'illustration', 'reported'))}"
                        "; use original, illustration or reported")
    if not PARTICIPANT_RE.match(participant):
        problems.append(f"participant '{participant}' must be a pseudonymous code such as LW07, never a name")
    if config.prompt(prompt) is None:
        ids = [p.id for p in config.prompts]
        problems.append(f"unknown prompt '{prompt}'{did_you_mean(prompt, ids)}; use one of {', '.join(ids)}")
    if full_kind == "reported" and photo is not None:
        problems.append("a reported item has no image; leave out PHOTO or choose another --kind")
    elif full_kind not in (None, "reported") and photo is None:
        problems.append("give the PHOTO to add (only --kind reported needs none)")
    if problems:
        raise UsageError(problems=[Problem(None, None, p) for p in problems])
    if photo is not None:
        _check_photo(photo, config)
    return full_kind, participant.upper()


def _check_photo(photo: Path, config: SiteConfig) -> None:
    from .images import ImageError, open_image
    if not photo.is_file():
        raise UsageError(problems=[Problem(photo, None, "photo not found; check the path")])
    if photo.suffix.lower() not in PHOTO_SUFFIXES:
        raise UsageError(problems=[Problem(photo, None, f"'{photo.suffix}' is not a photo type the gallery "
                                                        "reads; use a JPEG, PNG, WebP, TIFF, HEIC or AVIF file")])
    try:
        open_image(photo, config.images).close()
    except ImageError as exc:
        raise UsageError(problems=[Problem(photo, None, f"this file {exc}")]) from None


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
        if copied:
            target.unlink(missing_ok=True)
        raise AuthoringError(problems=[Problem(caption, None, f"cannot write ({exc.strerror}); check the "
                                                              "folder exists and is writable")]) from None


def caption_template(item_id: str, participant: str, prompt: str, kind: str, photo: str | None,
                     config: SiteConfig) -> str:
    """A caption file with every key present and explained; consent.publish is false."""
    prompts = " | ".join(p.id for p in config.prompts)
    photo_line = _pad(f"photo: {photo}", "the file in photos/ (a neutral name; published files are renamed)") \
        if photo else _pad("photo:", "none: a reported item is described in words, without an image")
    alt = (f'alt: "{PLACEHOLDER}: describe what the picture shows, for people who cannot see it."'
           if photo else "alt:")
    return "\n".join([
        f"# {item_id}: one item of the gallery, written by `python build.py add`.",
        "# Lines starting with # are comments. Replace each TODO, then record consent and the review.",
        "# Published only when consent.publish is true, consent.scope includes web, consent is not",
        "# withdrawn, and the review is filled in. See README.md, \"For researchers\".",
        "",
        _pad(f"participant: {participant}", "pseudonymous participant ID, never a real name"),
        _pad(f"prompt: {prompt}", f"the question this answers: {prompts}"),
        _pad(f"kind: {kind}", "original (O) | illustration (I: made by the team in place of a photo"),
        _pad("", "that could identify someone) | reported (R: described in words, no image)"),
        photo_line,
        _pad("title:", "optional short title; empty: the prompt title and participant"),
        _pad("caption: |", "the participant's own words (Markdown); required"),
        f"  {PLACEHOLDER}: the participant's words about this {'picture' if photo else 'answer'}.",
        _pad(alt, "one or two plain sentences; not the caption" if photo else "not needed without an image"),
        _pad("long_description:", "optional (Markdown): when the alt text cannot carry the meaning"),
        _pad("content_note:", "optional: a short warning shown before the image"),
        _pad("credit: none", "none | pseudonym (credits the participant ID) | the name they chose"),
        _pad("consent:", "publication consent, separate from consent to take part"),
        _pad("  publish: false", "true once the participant has agreed to publication"),
        _pad("  scope: []", "where it may appear: web, print, exhibition; e.g. [web, print]"),
        _pad("  date:", "the date consent was given, YYYY-MM-DD (needed once publish is true)"),
        _pad("  # withdrawn: 2024-09-01", "if consent is withdrawn, remove the '# ': never published again"),
        _pad("review:", "after checking for faces, third parties, name badges, documents,"),
        _pad("  # by: ST", "screens, house numbers and reflections: remove the '# ' and give"),
        _pad("  # date: 2024-05-02", "the reviewer's initials and the date (YYYY-MM-DD)"),
        _pad("order:", "optional whole number: position within its prompt (lowest first)"),
        _pad("redact:", "optional areas to paint over, as fractions of the upright image:"),
        _pad("", "[[x, y, width, height]], e.g. [[0.1, 0.2, 0.3, 0.25]]"),
        _pad("notes:", "optional notes for the team; never published"),
        "",
    ])


def _pad(code: str, comment: str, width: int = 28) -> str:
    return f"{code.ljust(width - 1)} # {comment}" if len(code) < width - 1 else f"{code}   # {comment}"


# ---- import -------------------------------------------------------------------------------------

NESTED = {"consent": CONSENT_KEYS, "review": REVIEW_KEYS}
COLUMNS = ("id",) + tuple(k for k in KEYS if k not in NESTED) + tuple(
    f"{group}.{key}" for group, keys in NESTED.items() for key in keys)
REQUIRED_COLUMNS = ("participant", "prompt", "kind", "caption")
TRUE_WORDS = ("true", "yes", "y", "1")
FALSE_WORDS = ("false", "no", "n", "0")


@dataclass
class Imported:
    """What `import` wrote."""

    sheet: Path
    captions: Path
    written: list[Path] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class Row:
    number: int                 # as the spreadsheet numbers it: the header is row 1
    item_id: str
    data: dict


def import_sheet(options: BuildOptions, sheet: Path, overwrite: bool = False) -> Imported:
    """Turn every row of the CSV into captions/<id>.yaml; all rows or none."""
    config = load_config(options.config, required=options.config_required)
    header, records = read_sheet(sheet)
    errors: list[Problem] = []
    _check_header(sheet, header, errors)
    if errors:
        raise AuthoringError(problems=errors)
    rows = []
    for number, record in records:
        row = parse_row(sheet, number, dict(zip(header, record)), errors)
        if row is not None:
            rows.append(row)
    result = Imported(sheet, options.captions)
    texts = _validate_rows(sheet, rows, options, config, overwrite, errors, result.warnings)
    if errors:
        raise AuthoringError(problems=errors)
    options.captions.mkdir(parents=True, exist_ok=True)
    for row in rows:
        result.written.append(_write_atomic(options.captions / f"{row.item_id}.yaml", texts[row.item_id]))
    return result


def read_sheet(sheet: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the non-empty records, each with its spreadsheet row number."""
    try:
        raw = sheet.read_bytes()
    except OSError as exc:
        raise UsageError(problems=[Problem(sheet, None, f"cannot read the sheet ({exc.strerror}); check the "
                                                        "path")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AuthoringError(problems=[Problem(sheet, None, "the file is not UTF-8 text; in the spreadsheet "
                                                            "save it as 'CSV UTF-8'")]) from None
    first_line = text.split("\n", 1)[0]
    try:
        dialect = csv.Sniffer().sniff(first_line or ",", delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    records = list(csv.reader(io.StringIO(text, newline=""), dialect))
    if not records:
        raise AuthoringError(problems=[Problem(sheet, None, "the sheet is empty; the first row must name the "
                                                            "columns, e.g. participant,prompt,caption")])
    header = [name.strip() for name in records[0]]
    body = [(n, rec) for n, rec in enumerate(records[1:], 2) if any(cell.strip() for cell in rec)]
    return header, body


def _check_header(sheet: Path, header: list[str], errors: list[Problem]) -> None:
    for name in header:
        if name and name not in COLUMNS:
            errors.append(Problem(sheet, 1, f"unknown column '{name}'{did_you_mean(name, COLUMNS)}; "
                                            "columns are named after caption keys (see README, Commands)"))
    for name in REQUIRED_COLUMNS:
        if name not in header:
            errors.append(Problem(sheet, 1, f"missing column '{name}'; add it to the first row"))
    for name in {n for n in header if n and header.count(n) > 1}:
        errors.append(Problem(sheet, 1, f"column '{name}' appears twice; keep one"))


def parse_row(sheet: Path, number: int, cells: dict[str, str], errors: list[Problem]) -> Row | None:
    """One record as caption data (typed values, nested consent/review); None if it has errors."""
    before = len(errors)
    data: dict = {}
    for column, raw in cells.items():
        value = (raw or "").strip()
        if not column or not value or column == "id":
            continue
        try:
            converted = _convert(column, value)
        except ValueError as exc:
            errors.append(Problem(sheet, number, f"column '{column}': {exc}"))
            continue
        group, _, key = column.partition(".")
        if key:
            data.setdefault(group, {})[key] = converted
        else:
            data[column] = converted
    for name in REQUIRED_COLUMNS:
        if name not in data:
            errors.append(Problem(sheet, number, f"the '{name}' cell is empty; fill it in"))
    item_id = (cells.get("id") or "").strip() or (
        neutral_id(str(data.get("participant", "")), str(data.get("prompt", ""))) if "participant" in data
        and "prompt" in data else "")
    if item_id and not ID_RE.match(item_id):
        errors.append(Problem(sheet, number, f"id '{item_id}' is not valid; use lower-case letters, digits and "
                                             "hyphens, e.g. lw07-day"))
    return Row(number, item_id, data) if len(errors) == before else None


def _convert(column: str, value: str):
    if column == "consent.publish":
        if value.lower() in TRUE_WORDS:
            return True
        if value.lower() in FALSE_WORDS:
            return False
        raise ValueError(f"'{value}' must be yes or no (or true/false)")
    if column == "consent.scope":
        return [part.strip().lower() for part in re.split(r"[;,]", value) if part.strip()]
    if column in ("consent.date", "review.date"):
        return _date(value)
    if column == "consent.withdrawn":
        return True if value.lower() in TRUE_WORDS else _date(value)
    if column == "order":
        if not re.fullmatch(r"-?\d+", value):
            raise ValueError(f"'{value}' must be a whole number")
        return int(value)
    if column == "redact":
        try:
            return yaml.safe_load(value)
        except yaml.YAMLError:
            raise ValueError(f"'{value}' must look like [[0.1, 0.2, 0.3, 0.25]]") from None
    return value.replace("\r\n", "\n")


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"'{value}' is not a date written YYYY-MM-DD, e.g. 2024-05-01") from None


def _validate_rows(sheet: Path, rows: list[Row], options: BuildOptions, config: SiteConfig, overwrite: bool,
                   errors: list[Problem], warnings: list[Problem]) -> dict[str, str]:
    """Each row's caption text, checked by the build's own loader; problems named by row number."""
    texts: dict[str, str] = {}
    first: dict[str, int] = {}
    photos: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="gallery-import-") as tmp:
        for row in rows:
            if row.item_id in first:
                errors.append(Problem(sheet, row.number, f"id '{row.item_id}' is also the id of row "
                                                         f"{first[row.item_id]}; add an 'id' column to tell them "
                                                         "apart"))
                continue
            first[row.item_id] = row.number
            existing = [p for p in (options.captions / f"{row.item_id}{s}" for s in CAPTION_SUFFIXES) if p.exists()]
            if existing and not overwrite:
                errors.append(Problem(sheet, row.number, f"{display_path(existing[0])} already exists; pass "
                                                         "--overwrite to replace it, or remove the row"))
            photo = row.data.get("photo")
            if isinstance(photo, str):
                if photo in photos:
                    errors.append(Problem(sheet, row.number, f"photo '{photo}' is also used by row "
                                                             f"{photos[photo]}; each photo belongs to one item"))
                photos.setdefault(photo, row.number)
                if not (options.photos / photo).is_file():
                    warnings.append(Problem(sheet, row.number, f"photo '{photo}' is not in "
                                                               f"{display_path(options.photos)}/ yet; add it "
                                                               "before building"))
            text = caption_yaml(row, sheet)
            _check_with_loader(Path(tmp) / f"{row.item_id}.yaml", text, row, sheet, options, config, errors)
            texts[row.item_id] = text
    return texts


def _check_with_loader(path: Path, text: str, row: Row, sheet: Path, options: BuildOptions, config: SiteConfig,
                       errors: list[Problem]) -> None:
    path.write_text(text, encoding="utf-8")
    found: list[Problem] = []
    load_item(path, options.photos, config, found, [])
    errors.extend(Problem(sheet, row.number, p.message) for p in found)


class _CaptionDumper(yaml.SafeDumper):
    """Multi-line text as readable | blocks."""


def _str(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_CaptionDumper.add_representer(str, _str)


def caption_yaml(row: Row, sheet: Path) -> str:
    order = [k for k in KEYS if k in row.data]
    data = {k: row.data[k] for k in order}
    body = yaml.dump(data, Dumper=_CaptionDumper, sort_keys=False, allow_unicode=True, default_flow_style=None,
                     width=100)
    return f"# {row.item_id}: imported from {sheet.name} row {row.number} by `python build.py import`.\n{body}"


def _write_atomic(path: Path, text: str) -> Path:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path
