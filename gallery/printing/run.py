"""`python build.py print`: discussion packs and exhibition panels as accessible PDFs.

    content.collect        settings, caption files, the consent gate for print   (content.py)
      and for exhibition   (the same gate, exhibition scope: the panels)
    screens.screen_found   the same screen as the site's: a flag nobody resolved keeps the item out
    site.make_images       the pipeline's own re-encoded, redacted pictures, at print size, into this
                           print folder's own cache (never the originals); any error stops the run
    packs.plan, packs.html the documents and their HTML                           (packs.py)
    pdf.write              each document as a tagged PDF/UA-1 file, in a staging folder  (pdf.py)
    audit.audit_print      the privacy audit of the finished folder
    output.finish          the staging folder swapped in whole; the print record added  (record.py)

Any error before the swap leaves the previous print folder as it was.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path

from .. import content, lock, output, screens
from ..captions import Item
from ..config import ImageSettings, SiteConfig
from ..content import Decision
from ..errors import OutputError, Problem, display_path
from ..options import BuildOptions
from ..paths import pause
from ..report import warning_line
from . import packs, pdf, record
from .record import Printed

log = logging.getLogger(__name__)

# one JPEG of 2000 px on the long side: ~290 dpi across a picture 17 cm wide on A4, ~190 dpi across an A3
# panel; just under half a 12-megapixel phone photo, so the JPEG is decoded at half scale (4x fewer pixels)
PRINT_SIZE = 2000
PRINT_QUALITY = 90


@dataclass(frozen=True)
class PrintRequest:
    out: Path
    paper: str | None = None          # a4 | letter (None: gallery.yaml's print.paper)
    large: bool = False               # large print: 18 pt text and more, one item a page
    exhibition: bool = False          # also one A3 panel per item consented for exhibition


@dataclass
class PrintReport:
    out: Path
    made: list[Printed] = field(default_factory=list)
    left_out: list[Decision] = field(default_factory=list)   # not printed, and why (print's gate)
    empty: list[str] = field(default_factory=list)           # prompts with nothing to print
    dropped: list[tuple[str, str, list[Printed]]] = field(default_factory=list)   # (id, why, PDFs that held it)
    warnings: list[Problem] = field(default_factory=list)


def print_all(options: BuildOptions, request: PrintRequest) -> PrintReport:
    """Make every pack (and panel) into request.out; on any error the previous folder stays as it was."""
    guard(options, request.out)
    with lock.hold(options.private, "print"):
        return _print(options, request)


def guard(options: BuildOptions, out: Path) -> None:
    """The site's guard for a print folder, and never the site's output folder, inside it or around
    it: a web server publishes that folder, and a pack holds items consented for print only."""
    site = output.served(options.out)
    output.guard(out, {"photos folder": options.photos, "captions folder": options.captions,
                       "templates folder": options.templates, "project's own folder": options.private,
                       "site's output folder": options.out, "folder the site is served from": site}, options.root)
    target, served = out.resolve(), site.resolve()
    if target == served or served in target.parents:
        raise OutputError(problems=[Problem(out, None, "the print folder would be inside the site's output folder, "
                                                       "which a web server publishes; choose another --out, such "
                                                       "as print/")])
    if any(not name.endswith(".pdf") for name in output.read_manifest(out)):
        raise OutputError(problems=[Problem(out, None, "this folder holds a site built by this tool (its pages are "
                                                       "listed in its manifest), which a web server may publish; "
                                                       "choose another --out, such as print/")])


def _print(options: BuildOptions, request: PrintRequest) -> PrintReport:
    own = dataclasses.replace(options, out=request.out)          # this print folder's own cache
    found, screening, packed, panelled = _decide(own)
    printable, blank = _with_something(packed.published)
    panels = _with_something(panelled.published)[0] if request.exhibition else []
    config = dataclasses.replace(packed.config, images=print_images(packed.config.images))
    from ..site import make_images
    images, _ = make_images(dataclasses.replace(packed, config=config), _unique(printable + panels), own, screening)
    docs, empty = packs.plan(config, printable, panels, images, request.large)
    report = PrintReport(request.out, left_out=packed.left_out + blank, empty=empty, warnings=list(packed.warnings))
    made_at = dt.datetime.now().astimezone().replace(microsecond=0)
    folder = _folder(options, request.out)
    report.made = [Printed(d.name, folder, made_at.isoformat(), d.kind, d.items) for d in docs]
    before, problems = record.load(options.private)
    report.warnings += problems
    report.dropped = dropped(before, report.made, folder, packed.decisions)

    def before_swap(staging: Path) -> None:
        """The audit of the finished folder, then the record: a pack is recorded before anyone can
        print it (a swap that fails then leaves a record of packs that never were: the safe side)."""
        _audit(staging, found, request.out, options.photos)
        record.add(options.private, report.made)

    sources = {i: (own.cache / r.key / r.of_format("jpeg")[-1].name) for i, r in images.items()}
    report.warnings += write(docs, config, sources, request, options.templates, made_at.date(), before_swap)
    return report


def _decide(own: BuildOptions) -> tuple[content.Content, screens.Screening, content.Content, content.Content]:
    """The content read with print's gate, the screen, and the content with the screen's verdicts
    for packs (print scope) and for panels (exhibition scope)."""
    found = content.collect(own, cached=True, use="print")
    screening = screens.screen_found(found, own)
    panelled = dataclasses.replace(found, decisions=tuple(content.decide(
        [d.item for d in found.decisions], found.config, found.hashes, "exhibition")))
    return found, screening, screens.apply(found, screening), screens.apply(panelled, screening)


def write(docs: list[packs.Document], config: SiteConfig, sources: dict[str, Path], request: PrintRequest,
          templates: Path, printed: dt.date, before_swap) -> list[Problem]:
    """Every document as a PDF in a staging folder beside the print folder, swapped in whole after
    before_swap(staging) (which may raise: the previous folder stays); returns WeasyPrint's warnings."""
    urls = {item_id: path.resolve().as_uri() for item_id, path in sources.items()}
    allowed = {url: sources[item_id] for item_id, url in urls.items()}
    paper = request.paper or config.print.paper
    target = output.served(request.out)
    warnings: list[Problem] = []
    with output.staging(target) as staging:
        for doc in docs:
            html = packs.html(doc, config, templates, urls, paper, request.large, printed)
            warnings += [Problem(request.out / doc.name, None, w) for w in pdf.write(html, staging / doc.name, allowed)]
        pause("print-swap")
        _, previous = output.finish(staging, target, {d.name for d in docs}, check=lambda: before_swap(staging))
    output.remove_previous(previous)
    return warnings


def print_images(settings: ImageSettings) -> ImageSettings:
    """The site's image settings at print size: one JPEG, its decoding limits and background kept."""
    return dataclasses.replace(settings, sizes=(PRINT_SIZE,), formats=("jpeg",), jpeg_quality=PRINT_QUALITY)


def _with_something(items: list[Item]) -> tuple[list[Item], list[Decision]]:
    """The items with something to print (a picture, or words: a text card), and the others left
    out, saying why (a caption is required, so only one whose Markdown shows nothing: a comment)."""
    from .. import markup
    blank = [i for i in items if not i.has_image and not markup.render(i.caption).strip()]
    reason = "nothing to print: it has no picture and its caption shows no words; write the participant's words"
    return [i for i in items if i not in blank], [Decision(i, reason) for i in blank]


def _unique(items: list[Item]) -> list[Item]:
    return list({i.id: i for i in items}.values())


def _folder(options: BuildOptions, out: Path) -> str:
    """The print folder as the record names it: relative to the project's folder when inside it."""
    home, where = options.private.parent.resolve(), out.resolve()
    return str(where.relative_to(home)) if home in where.parents else str(where)


def _audit(staging: Path, found: content.Content, shown_as: Path, photos: Path) -> None:
    """The privacy audit of the finished print folder: a finding stops the swap (AuditError)."""
    from .. import audit
    audit.raise_if_findings(audit.audit_print(staging, content.source_photos(found.decisions), shown_as=shown_as,
                                              photos=photos))


def dropped(before: list[Printed], now: list[Printed], folder: str, decisions: tuple[Decision, ...]
            ) -> list[tuple[str, str, list[Printed]]]:
    """The items the last run into this folder printed and this one does not: (id, why, every PDF
    ever printed that held it), so that its paper copies can be recalled."""
    had = {i for p in record.latest([p for p in before if p.folder == folder]) for i in p.items}
    has = {i for p in now for i in p.items}
    reasons = {d.item.id: d.reason or "" for d in decisions}
    return [(i, reasons.get(i, "its caption file was removed") or "no longer printed", record.holding(before, i))
            for i in sorted(had - has)]


# ---- what print tells its user ----------------------------------------------------------------

def tell(printed: PrintReport) -> None:
    """What print made, what it left out and why, and the paper copies to recall."""
    for p in printed.made:
        log.info("printed %s/%s: %s", display_path(printed.out), p.name, _s_items(len(p.items)))
    for prompt in printed.empty:
        log.info("no pack for the prompt '%s': none of its items may be printed", prompt)
    for d in printed.left_out:
        log.info("not printed: %s: %s", display_path(d.item.source), d.reason)
    for w in printed.warnings:
        log.warning("%s", warning_line(w))
    if not printed.made:
        log.warning("Nothing to print: no item may be printed (consent.scope must include print); "
                    "%s/ holds no packs now", display_path(printed.out))
    for item_id, why, held in printed.dropped:
        log.warning("No longer printed: %s (%s). Recall and destroy every paper copy of:", item_id, why)
        for p in held:
            log.warning("  [ ] %s (printed %s)", p.where, p.day)


def _s_items(n: int) -> str:
    return f"{n} item{'' if n == 1 else 's'}"
