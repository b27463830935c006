"""Site configuration (gallery.yaml) as a typed, frozen dataclass; every error collected at once."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError, Problem
from .ids import ID_RE
from .reviewblock import parse_date
from .yamlutil import Doc, Reader, load_yaml, not_regular

LANG_RE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*\Z")
COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}\Z")
FORMATS = ("webp", "jpeg", "avif")


# The SHOWeD questions (Wang, photovoice): what a printed pack asks a group when a prompt lists none
SHOWED = ("What do you See here?", "What is really Happening here?", "How does this relate to Our lives?",
          "Why does this situation exist?", "What can we Do about it?")


@dataclass(frozen=True)
class Prompt:
    id: str
    title: str
    question: str
    discussion: tuple[str, ...] = SHOWED     # printed after the prompt's pictures in a discussion pack


DEFAULT_PROMPTS = (
    Prompt("typical-day", "A typical day", "Take a picture of a typical part of your working day."),
    Prompt("confidence", "Confidence in the role",
           "Take a picture of something that gives you confidence in your role."),
    Prompt("unexpected", "The unexpected",
           "Take a picture of an unexpected part of your role, something not in your job description."),
)


@dataclass(frozen=True)
class ImageSettings:
    """Everything that shapes the published image bytes (part of the cache key)."""

    # long-side bounds; the smallest is the thumbnail. 1280 px covers the widest picture the theme
    # shows (60rem on the item page, 68rem in the viewer) at 1.2x pixel density and phones at 3x;
    # it costs two thirds of 1600 px to build and ~half the bytes to load (README: Performance)
    sizes: tuple[int, ...] = (480, 1280)
    formats: tuple[str, ...] = ("webp", "jpeg")  # the last one is the fallback <img src>
    jpeg_quality: int = 82
    webp_quality: int = 80
    webp_method: int = 0                        # fastest effort: half the time of 2, ~2% larger files
    max_pixels: int = 250_000_000               # decompression-bomb limit; admits 200 MP phone photos
    background: str = "#ffffff"                 # transparency is flattened onto this colour


@dataclass(frozen=True)
class ScreeningSettings:
    """gallery.yaml's screening: what the screen looks for (None: the engine's default, measured on
    real photos: gallery/screening ScreenSettings). Part of the screening cache's key."""

    faces: bool = True
    text: bool = True
    face_threshold: float | None = None
    text_threshold: float | None = None

    @property
    def on(self) -> bool:
        return self.faces or self.text


# The day the built-in pages were last tested (tests/test_browser.py, tests/test_site_words.py and the
# outside audit): the accessibility statement's dates until the team sets its own.
THEME_TESTED = dt.date(2026, 12, 1)
THEME_TESTER = "the makers of the gallery software"
STATUSES = ("full", "partial", "not")


@dataclass(frozen=True)
class Accessibility:
    """gallery.yaml's accessibility: the facts of the statement (GOV.UK's sample statement), or, as
    text, a statement of the team's own (Markdown) that replaces the built-in one."""

    text: str = ""                        # the team's own statement; empty: the built-in one
    organisation: str = "the research team"
    contact: str = ""                     # where to report a problem; empty: the site's contact
    phone: str = ""
    reply_days: int = 5                   # working days
    status: str = "full"                  # full | partial | not (compliant with WCAG 2.2 AA)
    problems: str = ""                    # Markdown: the content that is not accessible, and why
    tested: dt.date = THEME_TESTED
    tested_by: str = THEME_TESTER
    prepared: dt.date = THEME_TESTED
    reviewed: dt.date = THEME_TESTED


@dataclass(frozen=True)
class PrintSettings:
    """gallery.yaml's print: what every printed pack and panel carries."""

    footer: str = "For discussion in this meeting only: please do not copy, share or take away."
    paper: str = "a4"                     # a4 | letter (python build.py print --paper overrides it)


PAPERS = ("a4", "letter")


@dataclass(frozen=True)
class SiteConfig:
    title: str = "Link workers in pictures"
    language: str = "en-GB"
    introduction: str = ""
    about: str = ""
    accessibility: Accessibility = field(default_factory=Accessibility)
    contact: str = ""
    prompts: tuple[Prompt, ...] = DEFAULT_PROMPTS
    base_url: str | None = None
    noindex: bool = False
    require_review: bool = True
    images: ImageSettings = field(default_factory=ImageSettings)
    screening: ScreeningSettings = field(default_factory=ScreeningSettings)
    site_image: Path | None = None
    print: PrintSettings = field(default_factory=PrintSettings)
    path: Path | None = None

    def prompt(self, prompt_id: str) -> Prompt | None:
        return next((p for p in self.prompts if p.id == prompt_id), None)


TOP_KEYS = ("title", "language", "introduction", "about", "accessibility", "contact", "prompts",
            "base_url", "noindex", "require_review", "images", "screening", "site_image", "print")
SCREENING_KEYS = ("faces", "text", "face_threshold", "text_threshold")
IMAGE_KEYS = ("sizes", "formats", "jpeg_quality", "webp_quality", "webp_method", "max_pixels", "background")
PROMPT_KEYS = ("id", "title", "question", "discussion")
PRINT_KEYS = ("footer", "paper")
ACCESSIBILITY_KEYS = ("organisation", "contact", "phone", "reply_days", "status", "problems", "tested",
                      "tested_by", "prepared", "reviewed")


def load_config(path: Path, required: bool = True) -> SiteConfig:
    """Load gallery.yaml; a missing optional file gives the defaults. Raises ConfigError."""
    if not path.exists():
        if required:
            raise ConfigError(problems=[Problem(path, None, "configuration file not found; create it or pass "
                                                             "--config FILE")])
        return SiteConfig()
    doc, problems = load_yaml(path)
    if doc is None:
        raise ConfigError(problems=problems)
    config = _parse(doc, problems)
    if problems:
        raise ConfigError(problems=problems)
    return config


def _parse(doc: Doc, problems: list[Problem]) -> SiteConfig:
    r = Reader(doc, problems)
    r.check_keys(TOP_KEYS)
    defaults = SiteConfig()
    language = r.text("language") or defaults.language
    if not LANG_RE.match(language):
        r.error(f"language '{language}' is not a language tag such as en-GB or cy", "language")
    base_url = r.text("base_url")
    if base_url and not re.match(r"^https?://[^/\s]+", base_url):
        r.error(f"base_url '{base_url}' must start with https:// and name the host", "base_url")
    site_image = r.text("site_image")
    site_image_path = (doc.path.parent / site_image) if site_image else None
    kind = not_regular(site_image_path) if site_image_path is not None else None
    if kind is not None:
        r.error(f"site_image '{site_image}' is {kind}, not a regular file; name the picture file itself",
                "site_image")
    elif site_image_path is not None and not site_image_path.is_file():
        r.error(f"site_image '{site_image}' does not exist; give a path relative to {doc.path.name}", "site_image")
    return SiteConfig(
        title=r.text("title", max_len=200) or defaults.title,
        language=language,
        introduction=r.text("introduction") or "",
        about=r.text("about") or "",
        accessibility=_accessibility(r),
        contact=r.text("contact", max_len=500) or "",
        prompts=_prompts(r),
        base_url=base_url.rstrip("/") + "/" if base_url else None,
        noindex=bool(r.boolean("noindex", default=False)),
        require_review=r.boolean("require_review", default=True) is not False,
        images=_images(r),
        screening=_screening(r),
        site_image=site_image_path,
        print=_print(r),
        path=doc.path,
    )


def _prompts(r: Reader) -> tuple[Prompt, ...]:
    raw = r.raw("prompts")
    if raw is None:
        return DEFAULT_PROMPTS
    if not isinstance(raw, list) or not raw:
        r.error("'prompts' must be a list of prompts, each with id, title and question", "prompts")
        return DEFAULT_PROMPTS
    prompts: list[Prompt] = []
    for n, entry in enumerate(raw, 1):
        if not isinstance(entry, dict):
            r.error(f"prompt {n} must have 'id', 'title' and 'question'", "prompts", str(n - 1))
            continue
        missing = [k for k in PROMPT_KEYS[:3] if not isinstance(entry.get(k), str) or not str(entry[k]).strip()]
        unknown = [k for k in entry if k not in PROMPT_KEYS]
        if missing or unknown:
            what = f"missing {', '.join(missing)}" if missing else f"unknown key {', '.join(map(str, unknown))}"
            r.error(f"prompt {n}: {what}; each prompt needs id, title and question", "prompts", str(n - 1),
                    *(unknown[:1] or missing[:1]))
            continue
        if not ID_RE.match(entry["id"]):
            r.error(f"prompt id '{entry['id']}' must use lower-case letters, digits and hyphens", "prompts",
                    str(n - 1), "id")
            continue
        if any(p.id == entry["id"] for p in prompts):
            r.error(f"prompt id '{entry['id']}' is used twice", "prompts", str(n - 1), "id")
            continue
        prompts.append(Prompt(entry["id"], entry["title"].strip(), entry["question"].strip(),
                              _discussion(r, n, entry.get("discussion"))))
    return tuple(prompts) or DEFAULT_PROMPTS


def _discussion(r: Reader, n: int, raw: object) -> tuple[str, ...]:
    """A prompt's discussion questions for a printed pack (none given: the SHOWeD questions)."""
    if raw is None:
        return SHOWED
    if not isinstance(raw, list) or not raw or not all(isinstance(q, str) and q.strip() for q in raw):
        r.error(f"prompt {n}: 'discussion' must be a list of questions for a group, e.g. [What do you see here?]; "
                "leave it out for the SHOWeD questions", "prompts", str(n - 1), "discussion")
        return SHOWED
    return tuple(q.strip() for q in raw)


def _print(r: Reader) -> PrintSettings:
    raw = r.raw("print")
    d = PrintSettings()
    if raw is None:
        return d
    if not isinstance(raw, dict):
        r.error("'print' must be a mapping: footer (the text at the foot of every printed page) and paper "
                "(a4 or letter)", "print")
        return d
    r.check_keys(PRINT_KEYS, "print")
    paper = r.text("print", "paper") or d.paper
    if paper.lower() not in PAPERS:
        r.error(f"'print.paper' is '{paper}'; it must be a4 or letter", "print", "paper")
        paper = d.paper
    return PrintSettings(footer=r.text("print", "footer", max_len=300) or d.footer, paper=paper.lower())


def _images(r: Reader) -> ImageSettings:
    d = ImageSettings()
    if r.raw("images") is None:
        return d
    if not isinstance(r.raw("images"), dict):
        r.error("'images' must be a mapping of image settings", "images")
        return d
    r.check_keys(IMAGE_KEYS, "images")
    sizes = r.raw("images", "sizes")
    if sizes is not None and (not isinstance(sizes, list) or not sizes
                              or not all(isinstance(s, int) and 64 <= s <= 4096 for s in sizes)):
        r.error("'images.sizes' must be a list of pixel sizes between 64 and 4096, e.g. [480, 960, 1600]",
                "images", "sizes")
        sizes = None
    formats = r.raw("images", "formats")
    if formats is not None and (not isinstance(formats, list) or not formats
                                or not all(f in FORMATS for f in formats)):
        r.error(f"'images.formats' must be a list from {', '.join(FORMATS)}, e.g. [webp, jpeg]",
                "images", "formats")
        formats = None
    if formats is not None and formats[-1] != "jpeg":
        r.error("'images.formats' must end with jpeg, the fallback every browser shows", "images", "formats")
        formats = None
    background = r.text("images", "background") or d.background
    if not COLOUR_RE.match(background):
        r.error(f"'images.background' must be a colour like #ffffff, not '{background}'", "images", "background")
        background = d.background
    return ImageSettings(
        sizes=tuple(sorted(set(sizes))) if sizes else d.sizes,
        formats=tuple(dict.fromkeys(formats)) if formats else d.formats,
        jpeg_quality=r.integer("images", "jpeg_quality", default=d.jpeg_quality, minimum=30, maximum=95),
        webp_quality=r.integer("images", "webp_quality", default=d.webp_quality, minimum=30, maximum=95),
        webp_method=r.integer("images", "webp_method", default=d.webp_method, minimum=0, maximum=6),
        max_pixels=r.integer("images", "max_pixels", default=d.max_pixels, minimum=1_000_000,
                             maximum=2_000_000_000),
        background=background,
    )


def _screening(r: Reader) -> ScreeningSettings:
    raw = r.raw("screening")
    if raw is None:
        return ScreeningSettings()
    if not isinstance(raw, dict):
        r.error("'screening' must be a mapping: faces and text (true or false), face_threshold and "
                "text_threshold (scores between 0.05 and 0.95)", "screening")
        return ScreeningSettings()
    r.check_keys(SCREENING_KEYS, "screening")
    return ScreeningSettings(faces=r.boolean("screening", "faces", default=True) is not False,
                             text=r.boolean("screening", "text", default=True) is not False,
                             face_threshold=_score(r, "face_threshold"), text_threshold=_score(r, "text_threshold"))


def _score(r: Reader, key: str) -> float | None:
    value = r.raw("screening", key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.05 <= value <= 0.95:
        r.error(f"'screening.{key}' must be a score between 0.05 and 0.95 (lower finds more), not {value!r}; "
                "leave it out for the default", "screening", key)
        return None
    return float(value)


def _accessibility(r: Reader) -> Accessibility:
    raw = r.raw("accessibility")
    if raw is None or isinstance(raw, str):
        return Accessibility(text=r.text("accessibility") or "")
    if not isinstance(raw, dict):
        r.error("'accessibility' must be a mapping of the statement's facts (organisation, contact, "
                "status, tested, prepared, reviewed, ...) or the text of a statement of your own", "accessibility")
        return Accessibility()
    r.check_keys(ACCESSIBILITY_KEYS, "accessibility")
    d = Accessibility()
    status, problems = _compliance(r)
    tested, tested_by = _tested(r)
    prepared, reviewed = _prepared(r)
    return Accessibility(
        organisation=r.text("accessibility", "organisation", max_len=200) or d.organisation,
        contact=r.text("accessibility", "contact", max_len=500) or "",
        phone=r.text("accessibility", "phone", max_len=100) or "",
        reply_days=r.integer("accessibility", "reply_days", default=d.reply_days, minimum=1, maximum=60),
        status=status, problems=problems, tested=tested, tested_by=tested_by, prepared=prepared,
        reviewed=reviewed)


def _compliance(r: Reader) -> tuple[str, str]:
    """The compliance status and the content that is not accessible, which must agree."""
    status = r.text("accessibility", "status") or "full"
    if status not in STATUSES:
        r.error(f"'accessibility.status' is '{status}'; it must be full, partial or not (compliant with "
                "WCAG 2.2 AA)", "accessibility", "status")
        status = "full"
    problems = r.text("accessibility", "problems") or ""
    if status != "full" and not problems:
        r.error(f"'accessibility.status' is {status}: list what is not accessible, and why, in "
                "'accessibility.problems'", "accessibility", "status")
    if status == "full" and problems:
        r.error("'accessibility.problems' lists content that is not accessible, so the site is not fully "
                "compliant; set 'status: partial' (or 'not')", "accessibility", "problems")
    return status, problems


def _tested(r: Reader) -> tuple[dt.date, str]:
    """When the site was last tested and by whom: both given, or neither (the built-in pages' test)."""
    has_date, has_tester = r.has("accessibility", "tested"), r.has("accessibility", "tested_by")
    if has_date != has_tester:
        given, other = ("tested", "tested_by") if has_date else ("tested_by", "tested")
        r.error(f"'accessibility.{given}' is set without 'accessibility.{other}'; give both: the day the site "
                "was last tested and who tested it (tested: 2026-11-20, tested_by: the research team)",
                "accessibility", given)
    tested = parse_date(r, "accessibility", "tested")
    tested_by = r.text("accessibility", "tested_by", max_len=200)
    return tested or THEME_TESTED, tested_by or THEME_TESTER


def _prepared(r: Reader) -> tuple[dt.date, dt.date]:
    """When the statement was prepared and last reviewed (reviewed: the day it was prepared unless given)."""
    prepared = parse_date(r, "accessibility", "prepared") or THEME_TESTED
    reviewed = parse_date(r, "accessibility", "reviewed") or prepared
    if reviewed < prepared:
        given = r.has("accessibility", "prepared")
        since = "'accessibility.prepared'" if given else "the day the built-in statement was prepared"
        fix = "a statement is reviewed after it is prepared" if given else "set 'accessibility.prepared' too"
        r.error(f"'accessibility.reviewed' ({reviewed.isoformat()}) is before {since} ({prepared.isoformat()}); "
                f"{fix}", "accessibility", "reviewed")
    return prepared, reviewed
