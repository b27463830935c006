"""Caption files (captions/<id>.yaml) as typed, frozen items, every error collected at once."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from .cache import Store
from .config import SiteConfig
from .errors import Problem
from .ids import ID_RE, camera_id_problem, participant_problem
from .paths import is_litter, real_path, resolve_photo
from .reviewblock import Accepted, Region, Review, parse_date, parse_review, regions
from .yamlutil import Doc, Reader, did_you_mean, load_yaml, not_regular

KINDS = {"original": "original", "o": "original", "illustration": "illustration", "i": "illustration",
         "reported": "reported", "r": "reported"}
KIND_LETTER = {"original": "O", "illustration": "I", "reported": "R"}
SCOPES = ("web", "print", "exhibition")
CAPTION_SUFFIXES = (".yaml", ".yml")

KEYS = ("participant", "prompt", "kind", "photo", "title", "caption", "alt", "long_description",
        "content_note", "credit", "consent", "review", "order", "redact", "notes")
CONSENT_KEYS = ("publish", "scope", "date", "withdrawn")


@dataclass(frozen=True)
class Consent:
    publish: bool = False
    scope: tuple[str, ...] = ()
    date: dt.date | None = None
    withdrawn: dt.date | bool | None = None   # present (any value) means withdrawn
    recorded: bool = False                    # a consent block exists at all


@dataclass(frozen=True)
class Item:
    id: str
    source: Path                   # the caption file
    participant: str
    prompt: str
    kind: str                      # original | illustration | reported
    caption: str                   # Markdown
    photo: Path | None = None      # resolved path inside photos/
    photo_name: str | None = None  # as written in the caption
    title: str | None = None
    alt: str | None = None
    long_description: str | None = None
    content_note: str | None = None
    credit: str = "none"
    consent: Consent = Consent()
    review: Review | None = None
    order: int | None = None
    redact: tuple[Region, ...] = ()
    photo_line: int | None = None
    key_lines: tuple[tuple[str, int], ...] = ()   # (top-level key, line) for messages

    def line(self, key: str) -> int | None:
        """The line of a top-level key in the caption file (None if it is not there)."""
        return dict(self.key_lines).get(key)

    @property
    def kind_letter(self) -> str:
        return KIND_LETTER[self.kind]

    @property
    def has_image(self) -> bool:
        return self.kind != "reported"


def caption_files(captions_dir: Path) -> list[Path]:
    """Every name in captions_dir that the build reads as a caption file, sorted by name: a caption
    suffix and not hidden (an operating system's ._ files are hidden too). A folder named like one
    is listed as well: the build reports it as an error."""
    if not captions_dir.is_dir():
        return []
    with os.scandir(captions_dir) as listing:
        return sorted((captions_dir / e.name for e in listing
                       if not e.name.startswith(".") and os.path.splitext(e.name)[1].lower() in CAPTION_SUFFIXES),
                      key=lambda p: p.name)


def load_items(captions_dir: Path, photos_dir: Path, config: SiteConfig, cache: Path | None = None,
               save: bool = True) -> tuple[list[Item], list[Problem], list[Problem]]:
    """Read every caption file. Returns (items, errors, warnings).

    cache: a file where a build keeps the files it parsed (see Parsed); check passes none. save: False
    reads the cache without writing it (the review desk).
    """
    parsed = Parsed(cache, photos_dir, config)
    errors: list[Problem] = []
    warnings: list[Problem] = []
    if not captions_dir.is_dir():
        return [], [Problem(captions_dir, None, "captions folder not found; create it or pass --captions DIR")], []
    items: list[Item] = []
    seen: dict[str, Path] = {}
    with os.scandir(captions_dir) as listing:      # names and types in one call: no Path per file
        entries = sorted((e for e in listing if not e.name.startswith(".") and not is_litter(e.name)),
                         key=lambda e: e.name)
    for entry in entries:
        suffix = os.path.splitext(entry.name)[1].lower()
        path = captions_dir / entry.name
        if not entry.is_file() and not entry.is_symlink():
            if suffix in CAPTION_SUFFIXES:      # a folder or a named pipe named like a caption file
                errors.append(Problem(path, None, f"is {not_regular(path) or 'not a file'}, not a regular file; "
                                                  "a caption file must be a text file"))
            continue
        if suffix not in CAPTION_SUFFIXES:
            if suffix not in (".md", ".txt"):
                warnings.append(Problem(path, None, "not a caption file (captions end in .yaml); ignored"))
            continue
        item_id = path.stem
        if not ID_RE.match(item_id):
            errors.append(Problem(path, None, f"'{path.name}' is not a valid item id; name caption files with "
                                              "lower-case letters, digits and hyphens, e.g. lw07-day.yaml"))
            continue
        if camera := camera_id_problem(item_id):
            errors.append(Problem(path, None, f"{camera}; rename the caption file to a neutral id such as lw07-day"))
        if item_id.lower() in seen:
            errors.append(Problem(path, None, f"item id '{item_id}' is also used by {seen[item_id.lower()].name}; "
                                              "rename one of them"))
            continue
        seen[item_id.lower()] = path
        item = parsed.item(path, photos_dir, config, errors, warnings)
        if item is not None:
            items.append(item)
    _check_shared_photos(items, errors)
    if save and not errors:
        parsed.store.save()
    return items, errors, warnings


class Parsed:
    """Caption files parsed by earlier builds, kept by path and cache.stat_key, so that a build parses
    only the files that changed (~0.3 ms a file). Valid for one version of this parsing code, one
    photos folder and one set of settings; a file that did not parse cleanly is not kept."""

    FORMAT = 1

    def __init__(self, path: Path | None, photos_dir: Path, config: SiteConfig):
        code = [(m, os.stat(Path(__file__).parent / m).st_mtime_ns) for m in PARSING_CODE]
        self.store = Store(path, self.FORMAT, context=repr((str(photos_dir), config, code)))

    def item(self, path: Path, photos_dir: Path, config: SiteConfig, errors: list[Problem],
             warnings: list[Problem]) -> Item | None:
        """load_item, or the item parsed from the same file before."""
        try:
            st = os.stat(path)          # before the file is read: an edit after this is seen next time
        except OSError:
            return load_item(path, photos_dir, config, errors, warnings)
        kept = self.store.get_stamped(str(path), st)
        if kept is not None:
            try:
                item = item_from_json(kept)
            except (KeyError, TypeError, ValueError):
                item = None
            if item is not None and (item.photo_name is None or resolve_photo(photos_dir, item.photo_name)):
                return item
        before = len(errors)
        item = load_item(path, photos_dir, config, errors, warnings)
        if item is not None and len(errors) == before:
            self.store.put_stamped(str(path), st, item_json(item))
        return item


PARSING_CODE = ("captions.py", "reviewblock.py", "yamlutil.py", "config.py", "errors.py", "ids.py", "paths.py")


def item_json(item: Item) -> dict:
    """The item as JSON can hold it (see item_from_json)."""
    data = asdict(item)
    data.update(source=str(item.source), photo=str(item.photo) if item.photo else None,
                consent={**data["consent"], "date": _iso(item.consent.date), "withdrawn": _iso(item.consent.withdrawn)},
                review={**data["review"], "date": _iso(item.review.date)} if item.review else None)
    return data


def item_from_json(data: dict) -> Item:
    consent, review = data["consent"], data["review"]
    return Item(**{**data, "source": Path(data["source"]), "photo": Path(data["photo"]) if data["photo"] else None,
                   "consent": Consent(consent["publish"], tuple(consent["scope"]), _day(consent["date"]),
                                      _day(consent["withdrawn"]), consent["recorded"]),
                   "review": Review(review["by"], _day(review["date"]), review["photo"],
                                    tuple((x, y, w, h) for x, y, w, h in review["redact"]),
                                    tuple(Accepted(a["kind"], tuple(a["box"]), a["reason"])
                                          for a in review["accepted"])) if review else None,
                   "redact": tuple((x, y, w, h) for x, y, w, h in data["redact"]),
                   "key_lines": tuple((key, line) for key, line in data["key_lines"])})


def _iso(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def _day(value):
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def load_item(path: Path, photos_dir: Path, config: SiteConfig, errors: list[Problem],
              warnings: list[Problem], raw: bytes | None = None) -> Item | None:
    """One caption file as an Item, or None (with its errors added) when it has any error."""
    before = len(errors)
    doc, problems = load_yaml(path, raw)
    errors.extend(problems)
    if doc is None:
        return None
    item = _parse(doc, photos_dir, config, Reader(doc, errors))
    return item if len(errors) == before else None


def _parse(doc: Doc, photos_dir: Path, config: SiteConfig, r: Reader) -> Item:
    r.check_keys(KEYS)
    prompt = r.text("prompt", required=True) or ""
    if prompt and config.prompt(prompt) is None:
        ids = [p.id for p in config.prompts]
        r.error(f"unknown prompt '{prompt}'{did_you_mean(prompt, ids)}; use one of {', '.join(ids)}", "prompt")
    kind = _kind(r)
    photo, photo_name = _photo(r, kind, photo_dir=photos_dir)
    caption = r.text("caption", required=True) or ""
    alt = _alt(r, kind, caption)
    return Item(
        id=doc.path.stem, source=doc.path, participant=_participant(r), prompt=prompt, kind=kind,
        caption=caption, photo=photo, photo_name=photo_name, title=r.text("title", max_len=200),
        alt=alt, long_description=r.text("long_description"), content_note=r.text("content_note", max_len=1000),
        credit=_credit(r), consent=_consent(r), review=parse_review(r), order=r.integer("order"),
        redact=_redact(r), photo_line=doc.line("photo"),
        key_lines=tuple((k[0], n) for k, n in doc.lines.items() if len(k) == 1),
    )


def _participant(r: Reader) -> str:
    value = r.text("participant", required=True) or ""
    problem = participant_problem(value) if value else None
    if problem:
        r.error(problem, "participant")
    return value.upper()


def _kind(r: Reader) -> str:
    value = r.text("kind", required=True) or "original"
    kind = KINDS.get(value.lower())
    if kind is None:
        r.error(f"unknown kind '{value}'{did_you_mean(value.lower(), ('original', 'illustration', 'reported'))}; "
                "use original, illustration or reported", "kind")
        return "original"
    return kind


def _photo(r: Reader, kind: str, photo_dir: Path) -> tuple[Path | None, str | None]:
    name = r.text("photo", max_len=500)
    if kind == "reported":
        if name:
            r.error("a reported item has no image; remove 'photo' or change 'kind'", "photo")
        return None, None
    if not name:
        r.error("missing required key 'photo'; name a file in the photos folder (or use kind: reported)", "photo")
        return None, None
    path = resolve_photo(photo_dir, name)
    if path is None:
        r.error(f"photo '{name}' is outside the photos folder; give a file name inside it", "photo")
        return None, name
    return path, name


def _alt(r: Reader, kind: str, caption: str) -> str | None:
    alt = r.text("alt", max_len=1000)
    if kind == "reported":
        return alt
    if not alt:
        r.error("missing required key 'alt'; describe the picture for people who cannot see it", "alt")
        return None
    if _normal(alt) == _normal(caption):
        r.error("'alt' is the same as the caption; describe what the picture shows instead", "alt")
    return alt


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", "", text.lower()).split())


def _credit(r: Reader) -> str:
    value = r.text("credit", max_len=100) or "none"
    return value.lower() if value.lower() in ("none", "pseudonym") else value


def _consent(r: Reader) -> Consent:
    raw = r.raw("consent")
    if raw is None:
        return Consent()
    if not isinstance(raw, dict):
        r.error("'consent' must hold publish, scope and date (and withdrawn if consent was withdrawn)", "consent")
        return Consent(recorded=True)
    r.check_keys(CONSENT_KEYS, "consent")
    publish = r.boolean("consent", "publish", default=False)
    scope = r.raw("consent", "scope")
    if scope is None:
        scope = []
    if isinstance(scope, str):
        scope = [scope]
    if not isinstance(scope, list) or not all(s in SCOPES for s in scope):
        r.error(f"'consent.scope' must be a list from {', '.join(SCOPES)}, e.g. [web, print]", "consent", "scope")
        scope = []
    withdrawn = None
    if r.has("consent", "withdrawn"):
        value = r.raw("consent", "withdrawn")
        withdrawn = value if isinstance(value, (dt.date, bool)) else True
        if isinstance(value, dt.datetime):
            withdrawn = value.date()
    return Consent(publish=bool(publish), scope=tuple(scope),
                   date=parse_date(r, "consent", "date", required=bool(publish)), withdrawn=withdrawn, recorded=True)


def _redact(r: Reader) -> tuple[Region, ...]:
    return regions(r, "redact")


def _check_shared_photos(items: list[Item], errors: list[Problem]) -> None:
    owners: dict[str, Item] = {}
    for item in items:
        if item.photo is None:
            continue
        key = real_path(item.photo)
        if key in owners:
            other = owners[key]
            errors.append(Problem(item.source, item.photo_line,
                                  f"photo '{item.photo_name}' is also used by {other.source.name}; "
                                  "each photo belongs to one item"))
        else:
            owners[key] = item

