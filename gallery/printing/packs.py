"""What is printed: the documents of a print run and their HTML (Jinja2 templates, overridable file
by file as templates/print/*.html and templates/print/print.css).

    discussion packs   one per prompt with printable items (pack-<prompt>.pdf) and one of every
                       prompt (pack-all.pdf): the question, each item, the discussion questions
    exhibition panels  one A3 page per item consented for exhibition (panel-<id>.pdf)

File names are made of prompt and item ids only (neutral, checked when captions are read), never
of a source photo's name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .. import __version__, render, words
from ..captions import Item
from ..config import SiteConfig
from ..images import ImageResult

GENERATOR = f"photo-elicitation gallery {__version__}"
FONTS = '"DejaVu Sans", "Liberation Sans", "Noto Sans", Arial, sans-serif'
PAPER = {"a4": "A4", "letter": "letter", "a3": "A3"}


@dataclass(frozen=True)
class Document:
    """One PDF to print: its file name, kind (pack or panel), title and the sections it holds."""

    name: str
    kind: str
    title: str
    heading: str
    sections: tuple[render.Section, ...]

    @property
    def items(self) -> tuple[str, ...]:
        return tuple(e.item.id for s in self.sections for e in s.entries)


def plan(config: SiteConfig, packed: list[Item], panelled: list[Item], images: dict[str, ImageResult],
         large: bool = False) -> tuple[list[Document], list[str]]:
    """The documents to print, and the prompt ids with no printable item (skipped: said once)."""
    sections = render.make_site(config, packed, images).sections
    suffix = "-large-print" if large else ""
    docs, empty = [], []
    for section in sections:
        if not section.entries:
            empty.append(section.prompt.id)
            continue
        docs.append(Document(f"pack-{section.prompt.id}{suffix}.pdf", "pack",
                             f"{config.title}: {section.prompt.title}, discussion pack",
                             f"Discussion pack: {section.prompt.title}", (section,)))
    chosen = tuple(s for s in sections if s.entries)
    if len(chosen) > 1:
        docs.append(Document(f"pack-all{suffix}.pdf", "pack", f"{config.title}: every question, discussion pack",
                             "Discussion pack: every question", chosen))
    for section in render.make_site(config, panelled, images).sections:
        for entry in section.entries:
            docs.append(Document(f"panel-{entry.item.id}.pdf", "panel", f"{config.title}: {entry.title}",
                                 entry.title, (render.Section(section.prompt, (entry,)),)))
    return docs, empty


def html(doc: Document, config: SiteConfig, templates: Path | None, sources: dict[str, str], paper: str,
         large: bool, printed: dt.date) -> str:
    """The document's HTML (sources: item id -> the address of its picture for the PDF writer)."""
    from markupsafe import Markup
    counts = words.Counts.of(e.item.has_image for s in doc.sections for e in s.entries)
    name = "print/panel.html" if doc.kind == "panel" else "print/pack.html"
    context = dict(kind=doc.kind, config=config, title=doc.title, heading=doc.heading, sections=doc.sections,
                   sources=sources, paper=PAPER["a3" if doc.kind == "panel" else paper], large=large, printed=printed,
                   summary=counts.phrase[0].upper() + counts.phrase[1:], generator=GENERATOR, fonts=Markup(FONTS),
                   html=Markup)
    with render.template_problems(templates, templates / "print" if templates else render.THEME, name):
        return render.environment(templates).get_template(name).render(**context)
