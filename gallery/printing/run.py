"""`python build.py print`: discussion packs and exhibition panels as accessible PDFs.

    content.collect        settings, caption files, the consent gate for print (and, with
                           --exhibition, exhibition: either scope), every check the web makes
                                                                              (content.py)
    screens.screen_found   the same screen as the site's: a flag nobody resolved keeps the item out
    site.make_images       the pipeline's own re-encoded, redacted pictures, at print size, into this
                           print folder's own cache (never the originals); any error stops the run
    packs.plan, packs.html the documents and their HTML                           (packs.py)
    pdf.write              each document as a tagged PDF/UA-1 file, in a staging folder  (pdf.py)
    audit.audit_print      the privacy audit of the finished folder
    output.finish          the staging folder swapped in whole, then the print record added  (record.py)

Any error before the swap leaves the previous print folder as it was.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path

from .. import content, imagecache, lock, output, screens
from ..captions import Item
from ..config import ImageSettings, SiteConfig
from ..content import Decision
from ..errors import OutputError, Problem, display_path
from ..options import BuildOptions
from ..paths import pause
from ..report import warning_line
from ..words import plural
from . import packs, pdf, record
from .record import Printed

log = logging.getLogger(__name__)

# one JPEG of 2000 px on the long side: ~290 dpi across a picture 17 cm wide on A4, ~190 dpi across an A3
# panel; just under half a 12-megapixel phone photo, so the JPEG is decoded at half scale (4x fewer pixels)
PRINT_SIZE = 2000
PRINT_QUALITY = 90
USES = {"pack": "print", "panel": "exhibition"}     # the consent scope each kind of PDF needs


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
                       "site's output folder": options.out, "folder the site is served from": site}, options.root,
                 example="print/")
    if any(not name.endswith(".pdf") for name in output.read_manifest(out)) or any(
            (parent / output.MANIFEST).is_file() for parent in out.resolve().parents):
        raise OutputError(problems=[Problem(out, None, "this folder is, or is inside, a site built by this tool "
                                                       "(its manifest lists pages), which a web server may publish; "
                                                       "choose another --out, such as print/")])


def _print(options: BuildOptions, request: PrintRequest) -> PrintReport:
    own = dataclasses.replace(options, out=request.out)          # this print folder's own cache
    uses = ("print", "exhibition") if request.exhibition else ("print",)
    found = content.collect(own, cached=True, use=uses)          # every check the web makes, for these uses
    # print's own image settings (decoding as the web's): the screen's workers make these images
    found = dataclasses.replace(found, config=dataclasses.replace(found.config,
                                                                  images=print_images(found.config.images)))
    screening = screens.screen_found(found, own, images=True)
    screened = screens.apply(found, screening)
    shown, blank = _with_something(screened.published)
    printable = [i for i in shown if "print" in i.consent.scope]
    panels = [i for i in shown if "exhibition" in i.consent.scope] if request.exhibition else []
    from ..site import make_images
    images, _ = make_images(screened, shown, own, screening)
    docs, empty = packs.plan(screened.config, printable, panels, images, request.large)
    report = PrintReport(request.out, left_out=screened.left_out + blank, empty=empty,
                         warnings=list(screened.warnings))
    made_at = dt.datetime.now().astimezone().replace(microsecond=0)
    folder = _folder(options, request.out)
    report.made = [Printed(d.name, folder, made_at.isoformat(), d.kind, d.items) for d in docs] or [
        Printed("", folder, made_at.isoformat(), "none", ())]            # an empty run is recorded too
    before, problems = record.load(options.private)
    if problems:      # a damaged record would lose paper copies from every later checklist: fail closed
        raise pdf.PrintError(problems=problems)
    allowed = {"pack": {i.id for i in printable}, "panel": {i.id for i in panels}}
    report.dropped = dropped(before, folder, allowed, {d.item.id: d.reason for d in screened.decisions},
                             request.exhibition)
    sources = {i: (own.cache / r.key / r.of_format("jpeg")[-1].name) for i, r in images.items()}
    report.warnings += write(docs, screened.config, sources, request, options.templates, made_at.date(),
                             lambda staging: _audit(staging, found, request.out, options.photos))
    try:      # the new folder is in place: what follows records it and tidies up
        record.add(options.private, report.made)
    except OSError as exc:
        report.warnings.append(Problem(record.record_path(options.private), None, f"could not be written "
                                       f"({exc.strerror or exc}): note by hand which packs were printed today"))
    imagecache.collect_garbage(own.cache, {r.key for r in images.values()})   # a withdrawn item's pictures go
    imagecache.forget_items(options.private, own.cache, screened.withdrawn)          # from every cache
    return report


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


def _folder(options: BuildOptions, out: Path) -> str:
    """The print folder as the record names it: relative to the project's folder when inside it."""
    home, where = options.private.parent.resolve(), out.resolve()
    return str(where.relative_to(home)) if home in where.parents else str(where)


def _audit(staging: Path, found: content.Content, shown_as: Path, photos: Path) -> None:
    """The privacy audit of the finished print folder: a finding stops the swap (AuditError)."""
    from .. import audit
    audit.raise_if_findings(audit.audit_print(staging, content.source_photos(found.decisions), shown_as=shown_as,
                                              photos=photos))


def dropped(before: list[Printed], folder: str, allowed: dict[str, set[str]], reasons: dict[str, str | None],
            exhibition: bool) -> list[tuple[str, str, list[Printed]]]:
    """The items the last run into this folder printed and may no longer be: (id, why, every PDF ever
    printed that held it), so that its paper copies can be recalled. A panel not made again because
    this run is without --exhibition is not recalled: its item may still be shown."""
    gone: dict[str, str] = {}
    for p in record.latest([p for p in before if p.folder == folder]):
        if p.kind == "panel" and not exhibition:
            continue
        for i in p.items:
            if i not in allowed.get(p.kind, set()) and i not in gone:
                gone[i] = reasons.get(i) or (f"consent scope does not include {USES[p.kind]}" if i in reasons
                                             else "its caption file was removed")
    return [(i, gone[i], record.holding(before, i)) for i in sorted(gone)]


# ---- what print tells its user ----------------------------------------------------------------

def tell(printed: PrintReport) -> None:
    """What print made, what it left out and why, and the paper copies to recall."""
    made = [p for p in printed.made if p.kind != "none"]      # "none": the record of a run that printed nothing
    for p in made:
        log.info("printed %s/%s: %s", display_path(printed.out), p.name, plural(len(p.items), "item"))
    for prompt in printed.empty:
        log.info("no pack for the prompt '%s': none of its items may be printed", prompt)
    for d in printed.left_out:
        log.info("not printed: %s: %s", display_path(d.item.source), d.reason)
    for w in printed.warnings:
        log.warning("%s", warning_line(w))
    if not made:
        log.warning("Nothing to print: no item may be printed (consent.scope must include print); "
                    "%s/ holds no packs now", display_path(printed.out))
    for item_id, why, held in printed.dropped:
        log.warning("No longer printed: %s (%s). Recall and destroy every paper copy of:", item_id, why)
        for p in held:
            log.warning("  [ ] %s (printed %s)", p.where, p.day)

