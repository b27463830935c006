"""Render the static pages with Jinja2: user templates first, then the built-in theme."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from . import markup, pagecache, words
from .captions import Item
from .config import Prompt, SiteConfig
from .errors import GalleryError, Problem
from .images import MIME, ImageResult
from .paths import is_litter

log = logging.getLogger(__name__)


class TemplateProblem(GalleryError):
    """A template (usually a user override) cannot be rendered."""

THEME = Path(__file__).parent / "theme"
INDEX_CARDS = 6   # pictures per question on the home page; the question's own page has them all
KIND_LABELS = {
    "original": ("Original photo", "A photo the participant took."),
    "illustration": ("Illustration", "A picture the research team made in place of a photo that could have "
                                     "identified someone."),
    "reported": ("Described in words", "The participant told us about a picture in words. There is no image."),
}

DRAFT_MARK = "DRAFT — not published"   # preview (serve --drafts) only; never in site/


@dataclass(frozen=True)
class Entry:
    """One published item as the templates see it (through a View, which records that it was read)."""

    item: Item
    prompt: Prompt
    image: ImageResult | None
    draft: bool = False           # preview only: not published, shown marked "DRAFT — not published"

    def digest(self) -> str:
        """Everything the entry holds (item, prompt, image, draft), as the page cache compares it."""
        return pagecache.digest_of(self.item, self.prompt, self.image, self.draft)

    # Markdown is rendered when a page first needs it, so reused pages cost nothing here.
    @functools.cached_property
    def caption_html(self) -> str:
        return markup.render(self.item.caption)

    @functools.cached_property
    def long_html(self) -> str:
        return markup.render(self.item.long_description)

    @functools.cached_property
    def note_html(self) -> str:
        return markup.inline(self.item.content_note)

    @property
    def id(self) -> str:
        return self.item.id

    @property
    def url(self) -> str:
        return f"items/{self.item.id}.html"

    @property
    def title(self) -> str:
        title = self.item.title or f"{self.prompt.title}, participant {self.item.participant}"
        return f"{DRAFT_MARK}: {title}" if self.draft else title

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.item.kind][0]

    @property
    def participant_url(self) -> str:
        return participant_url(self.item.participant)

    @property
    def shape(self) -> str:
        """portrait | landscape | square: the item page limits tall pictures to the screen height."""
        if self.image is None:
            return "none"
        ratio = self.image.width / self.image.height
        return "portrait" if ratio < 0.9 else "landscape" if ratio > 1.1 else "square"

    @property
    def credit(self) -> str:
        credit = self.item.credit
        if credit == "none":
            return ""
        if credit == "pseudonym":
            return f"Participant {self.item.participant}"
        return credit


@dataclass(frozen=True)
class Participant:
    code: str
    entries: tuple[Entry, ...]

    @property
    def url(self) -> str:
        return participant_url(self.code)

    @property
    def counts(self) -> words.Counts:
        """Pictures and words-only items (from the site's shape, which every page's cache key holds)."""
        return words.Counts.of(e.item.has_image for e in self.entries)


def participant_url(code: str) -> str:
    return f"participants/{code.lower()}.html"


@dataclass(frozen=True)
class Section:
    prompt: Prompt
    entries: tuple[Entry, ...]

    @property
    def url(self) -> str:
        return f"prompts/{self.prompt.id}.html"

    @property
    def counts(self) -> words.Counts:
        return words.Counts.of(e.item.has_image for e in self.entries)


@dataclass
class Site:
    """Everything the pages are made from."""

    config: SiteConfig
    sections: tuple[Section, ...]
    participants: tuple[Participant, ...]
    assets: dict[str, str] = field(default_factory=dict)   # logical name -> hashed path

    @property
    def entries(self) -> list[Entry]:
        return [e for s in self.sections for e in s.entries]


def sort_key(item: Item) -> tuple:
    return (item.order is None, item.order or 0, item.participant, item.id)


def make_site(config: SiteConfig, items: list[Item], images: dict[str, ImageResult],
              drafts: frozenset[str] = frozenset()) -> Site:
    sections = []
    for prompt in config.prompts:
        chosen = sorted((i for i in items if i.prompt == prompt.id), key=sort_key)
        sections.append(Section(prompt, tuple(Entry(i, prompt, images.get(i.id), i.id in drafts) for i in chosen)))
    by_code: dict[str, list[Entry]] = {}
    for section in sections:
        for entry in section.entries:
            by_code.setdefault(entry.item.participant, []).append(entry)
    participants = tuple(Participant(code, tuple(by_code[code])) for code in sorted(by_code))
    return Site(config, tuple(sections), participants)


class View:
    """A page's view of one object of the site: each entry it hands out an attribute of, directly or
    through the sections, participants and lists it leads to, is recorded in read (see pagecache)."""

    __slots__ = ("_target", "_read")

    def __init__(self, target: object, read: set[str]):
        self._target = target
        self._read = read

    def __getattr__(self, name: str):
        if isinstance(self._target, Entry):
            self._read.add(self._target.item.id)
        return view(getattr(self._target, name), self._read)

    def __eq__(self, other: object) -> bool:
        return self._target == (other._target if isinstance(other, View) else other)

    def __hash__(self) -> int:
        return hash(self._target)


def view(value, read: set[str]):
    """value as a page may see it: entries, sections, participants and the site (and lists of them) as Views."""
    if isinstance(value, (Entry, Section, Participant, Site)):
        return View(value, read)
    if isinstance(value, (list, tuple)) and any(isinstance(v, (Entry, Section, Participant)) for v in value):
        return tuple(view(v, read) for v in value)
    return value


def site_context(site: Site, code: str) -> str:
    """The digest of everything pages may read besides the entries (see pagecache); code is
    pagecache.code_digest() of the package, templates and libraries."""
    shape = ([(s.prompt.id, [(e.id, e.item.has_image) for e in s.entries]) for s in site.sections],
             [(p.code, [e.id for e in p.entries]) for p in site.participants],
             sorted(e.id for e in site.entries if e.draft))
    return pagecache.digest_of(code, site.config, sorted(site.assets.items()),
                               shape, INDEX_CARDS)


def placeholder_class(colour: str) -> str:
    """The class of the colour shown while a picture loads: the nearest of 64 fixed colours.

    The theme's stylesheet always holds all 64, so it (and with it every page, which links it by
    its content hash) does not change when a photo does.
    """
    r, g, b = (round(int(colour[i:i + 2], 16) / 85) * 85 for i in (1, 3, 5))
    return f"ph-{r:02x}{g:02x}{b:02x}"


def placeholder_css() -> str:
    levels = range(0, 256, 85)
    return "".join(f".ph-{r:02x}{g:02x}{b:02x}{{background-color:#{r:02x}{g:02x}{b:02x}}}\n"
                   for r in levels for g in levels for b in levels)


def asset_files(templates_dir: Path | None) -> dict[str, Path]:
    """Static files of the theme, each overridable by a file of the same name in templates/static/
    (operating-system litter such as Thumbs.db or .DS_Store is never copied)."""
    files = {p.name: p for p in sorted((THEME / "static").iterdir()) if p.is_file()}
    user_static = templates_dir / "static" if templates_dir else None
    if user_static and user_static.is_dir():
        files.update({p.name: p for p in sorted(user_static.iterdir()) if p.is_file() and not is_litter(p.name)})
    return files


def hashed_name(name: str, data: bytes) -> str:
    stem, dot, ext = name.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:10]
    return f"assets/{stem}.{digest}.{ext}" if dot else f"assets/{name}.{digest}"


def environment(templates_dir: Path | None):
    """The Jinja2 environment, reused while the overrides are unchanged (fast rebuilds in serve)."""
    return _environment(templates_dir, _overrides_state(templates_dir))


def _overrides_state(templates_dir: Path | None) -> tuple:
    if not templates_dir or not templates_dir.is_dir():
        return ()
    return tuple(sorted((str(p), p.stat().st_mtime_ns) for p in templates_dir.rglob("*") if p.is_file()))


@functools.lru_cache(maxsize=4)
def _environment(templates_dir: Path | None, _state: tuple):
    import jinja2
    loaders = []
    if templates_dir and templates_dir.is_dir():
        loaders.append(jinja2.FileSystemLoader(str(templates_dir)))
    default = jinja2.FileSystemLoader(str(THEME / "templates"))
    loaders.append(default)
    loader = jinja2.ChoiceLoader([*loaders, jinja2.PrefixLoader({"default": default})])
    # compiled templates are kept in a private per-user temp folder, keyed by their source checksum
    env = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             bytecode_cache=jinja2.FileSystemBytecodeCache())
    env.globals["kind_labels"] = KIND_LABELS
    env.filters["srcset"] = srcset
    env.filters["placeholder_class"] = placeholder_class
    env.filters["mailto"] = words.mailto
    env.filters["long_date"] = words.long_date
    env.filters["css_string"] = css_string
    env.globals["mime"] = MIME
    return env


def css_string(text: str):
    """text as a CSS string literal, safe inside a <style> element (a printed page's footer): every
    character but letters, digits, spaces and plain punctuation written as a CSS escape."""
    from markupsafe import Markup
    plain = set(" .,:;!?()'-_/")
    return Markup('"' + "".join(ch if ch.isalnum() or ch in plain else f"\\{ord(ch):x} " for ch in text) + '"')


def srcset(image: ImageResult, fmt: str, root: str) -> str:
    return ", ".join(f"{root}images/{v.name} {v.width}w" for v in image.of_format(fmt))


def render_pages(site: Site, templates_dir: Path | None, cache: Path | None = None) -> dict[str, bytes | Path]:
    """Every page of the site as {relative path: bytes}. Template mistakes raise TemplateProblem.

    With cache (a folder), each page is instead the path of its file in the cache (to be linked,
    not copied), and pages whose inputs did not change since the last build are not rendered
    again (see pagecache).
    """
    pages = None
    if cache is not None:
        context = site_context(site, pagecache.code_digest(templates_dir))
        pages = pagecache.PageCache(cache, context, {e.id: e.digest() for e in site.entries})
    with template_problems(templates_dir, templates_dir):
        rendered = _render_pages(site, templates_dir, pages)
        if pages is not None:
            pages.save()
            log.debug("pages: %d rendered, %d reused", pages.rendered, pages.reused)
        return rendered


@contextlib.contextmanager
def template_problems(templates_dir: Path | None, folder: Path | None, name: str | None = None):
    """Jinja2's errors inside as a TemplateProblem: a syntax error at its template's file and line,
    any other error naming folder (and the template name, when given)."""
    import jinja2
    try:
        yield
    except jinja2.TemplateSyntaxError as exc:
        where = Path(exc.filename) if exc.filename else (templates_dir or THEME)
        problem = Problem(where, exc.lineno, f"template error: {exc.message}; fix the template or remove the override")
        raise TemplateProblem(problems=[problem]) from None
    except jinja2.TemplateError as exc:
        what = f" in {name}" if name else ""
        raise TemplateProblem(problems=[Problem(folder, None, f"template error{what}: {exc}; fix the "
                                                              "template override or remove it")]) from None


def canonical_path(path: str) -> str:
    """The address a page is best known by: folders rather than their index.html."""
    return path[: -len("index.html")] if path == "index.html" or path.endswith("/index.html") else path


def page_root(path: str, config: SiteConfig) -> str:
    """The prefix that turns a site path into a link from the page at `path`.

    Relative everywhere, so the site works under any sub-path and from disk; except the 404 page,
    which a server shows at whatever depth the missing address had: with base_url it links absolutely.
    """
    if path == "404.html" and config.base_url:
        return config.base_url
    return "../" * path.count("/")


def _render_pages(site: Site, templates_dir: Path | None, cache: pagecache.PageCache | None
                  ) -> dict[str, bytes | Path]:
    from markupsafe import Markup
    env = environment(templates_dir)
    pages: dict[str, bytes | Path] = {}

    def page(path: str, template: str, markdown: dict[str, str] | None = None, **context) -> None:
        """Render one page (unless the cache has it); markdown: the site's own texts it shows, by
        the name the template knows them by, rendered only when the page is."""
        if cache is not None and (kept := cache.get(path)) is not None:
            pages[path] = kept
            return
        read: set[str] = set()
        root = page_root(path, site.config)
        context = {name: view(value, read) for name, value in context.items()}
        context.update({name: words.link_addresses(markup.render(text, headings=True))
                        for name, text in (markdown or {}).items()})
        context.update(site=view(site, read), config=site.config, root=root, page_path=path,
                       canonical_path=canonical_path(path), index_cards=INDEX_CARDS,
                       asset=lambda name: root + site.assets[name],
                       url=lambda target: root + target,
                       html=Markup)
        data = env.get_template(template).render(**context).encode("utf-8")
        pages[path] = cache.put(path, data, read) if cache is not None else data

    page("index.html", "index.html", markdown={"intro_html": site.config.introduction})
    for section in site.sections:
        page(section.url, "prompt.html", section=section)
        for n, entry in enumerate(section.entries):
            prev = section.entries[n - 1] if n > 0 else None
            nxt = section.entries[n + 1] if n + 1 < len(section.entries) else None
            page(entry.url, "item.html", entry=entry, section=section, prev=prev, next=nxt, position=n + 1)
    page("participants/index.html", "participants.html")
    for participant in site.participants:
        page(participant.url, "participant.html", participant=participant)
    page("about.html", "about.html", markdown={"body_html": site.config.about})
    statement = site.config.accessibility
    page("accessibility.html", "accessibility.html",
         markdown={"body_html": statement.text, "problems_html": statement.problems})
    page("404.html", "404.html")
    if site.config.base_url:
        pages["robots.txt"] = env.get_template("robots.txt").render(site=site, config=site.config).encode()
        if not site.config.noindex:
            urls = sorted(canonical_path(p) for p in pages if p.endswith(".html") and p != "404.html")
            pages["sitemap.xml"] = env.get_template("sitemap.xml").render(
                config=site.config, urls=urls).encode("utf-8")
    return pages
