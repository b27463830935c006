"""What the commands tell their user: progress, the build summary, the check, and the JSON build report.

Messages go through logging (configured once in build.py): -q shows only errors, -v adds the
reason for every decision. The JSON report is written into the project's own folder
(options.workspace), never inside the output folder nor beside it.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .cache import write_atomic
from .errors import Problem, display_path

if TYPE_CHECKING:  # pragma: no cover
    import datetime as dt

    from .authoring import Added
    from .captions import Item
    from .check import CheckResult
    from .content import Decision
    from .options import BuildOptions
    from .register import Exported
    from .reviewing import Reviewed
    from .screens import Listing
    from .sheet import Imported
    from .site import BuildReport

log = logging.getLogger(__name__)

REPORT_NAME = "build-report.json"
REPORT_FORMAT = 1


# ---- progress -----------------------------------------------------------------------------------

class Progress:
    """Image progress: a redrawn bar on a terminal, a plain line every few seconds otherwise."""

    def __init__(self, stream: TextIO | None = None, enabled: bool = True, interval: float = 2.0,
                 width: int = 30):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = self.stream.isatty()
        self.interval = interval
        self.width = width
        self.started = time.monotonic()
        self.last_line = self.started
        self.printed = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        if self.tty:
            self._bar(done, total)
        else:
            self._line(done, total)

    def _bar(self, done: int, total: int) -> None:
        filled = round(self.width * done / total)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\rProcessing images [{bar}] {done}/{total}")
        if done >= total:
            self.stream.write("\r" + " " * (self.width + 40) + "\r")
        self.stream.flush()

    def _line(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last_line >= self.interval or (done >= total and self.printed):
            self.stream.write(f"Processing images: {done}/{total} done\n")
            self.stream.flush()
            self.last_line = now
            self.printed = True


# ---- problems -----------------------------------------------------------------------------------

def warning_line(problem: Problem) -> str:
    """A warning as `file:line: warning: message` (just `warning: message` without a file)."""
    return str(Problem(problem.path, problem.line, f"warning: {problem.message}"))


def sort_key(problem: Problem) -> tuple:
    return (str(problem.path or ""), problem.line or 0)


# ---- build --------------------------------------------------------------------------------------

def print_build(report: BuildReport, options: BuildOptions, report_file: Path | None = None) -> None:
    """Warnings, every decision (left out always, published with -v), and the summary."""
    print_outcome(outcome(report), report.foreign, options)
    for item in report.drafts:
        log.info("draft (preview only, not published): %s", display_path(item.source))
    cached = sum(1 for i in report.published + report.drafts if i.has_image) - report.images_made
    log.info("Published %d item%s to %s/ in %.1f s: %d left out, %d warning%s; images: %d made, %d from cache.",
             len(report.published), _s(len(report.published)), display_path(options.out), report.seconds,
             len(report.left_out), len(report.warnings), _s(len(report.warnings)), report.images_made, cached)
    if report_file is not None:
        log.info("Build report (for the team's records, never published): %s", display_path(report_file))
    if getattr(report, "removed", None):
        print_removal_checklist(report.removed, options)
    gone = {i for i, _ in getattr(report, "removed", [])}
    print_still_printed([i for i in report.withdrawn if i not in gone], options)


def outcome(report: BuildReport) -> dict[str, list]:
    """What a build tells its user about the content, as JSON: the no-op fast path keeps it in its
    record (fingerprint.Record.outcome) and prints it again for a rebuild with nothing changed."""
    return {"warnings": [[str(w.path) if w.path is not None else None, w.line, w.message]
                         for w in sorted(report.warnings, key=sort_key)],
            "published": [[str(i.source), why_published(i)] for i in report.published],
            "left_out": [[str(d.item.source), d.reason] for d in report.left_out],
            "withdrawn": list(report.withdrawn)}


def print_outcome(kept: dict[str, list], foreign: list[str], options: BuildOptions) -> None:
    """Warnings (the content's, then files in the output folder this tool did not write) and every
    decision: left out always, published with -v."""
    for path, line, message in kept["warnings"]:
        log.warning("%s", warning_line(Problem(Path(path) if path is not None else None, line, message)))
    for rel in foreign:
        log.warning("warning: %s/%s was not written by this tool; kept as it was", display_path(options.out), rel)
    if log.isEnabledFor(logging.DEBUG):       # -v: the arguments alone cost ~20 us an item
        for source, why in kept["published"]:
            log.debug("published: %s: %s", display_path(source), why)
    for source, reason in kept["left_out"]:
        log.info("left out: %s: %s", display_path(source), reason)


def print_unchanged(kept: dict[str, list], foreign: list[str], options: BuildOptions) -> None:
    """A rebuild with nothing changed: what the build it stands for said, then that nothing was done."""
    print_outcome(kept, foreign, options)
    published, left_out, warnings = len(kept["published"]), len(kept["left_out"]), len(kept["warnings"])
    log.info("Nothing changed since the last build; %s/ is up to date: %d item%s published, %d left out, "
             "%d warning%s.", display_path(options.out), published, _s(published), left_out, warnings, _s(warnings))
    print_still_printed(list(kept.get("withdrawn", [])), options)     # every build reminds, this one too


def print_decisions(published: list[tuple[Item, None]], left_out: list[Decision]) -> None:
    if log.isEnabledFor(logging.DEBUG):       # -v: the arguments alone cost ~20 us an item
        for item, _ in published:
            log.debug("published: %s: %s", display_path(item.source), why_published(item))
    for decision in left_out:
        log.info("left out: %s: %s", display_path(decision.item.source), decision.reason)


def why_published(item: Item) -> str:
    consent = item.consent
    text = f"consent to publish on {', '.join(consent.scope)}"
    if consent.date:
        text += f" given {consent.date.isoformat()}"
    if item.review and item.review.date is not None:     # a draft (require_review: false) is no review
        text += f"; reviewed by {item.review.by} on {item.review.date.isoformat()}"
    return text


def _s(n: int) -> str:
    return "" if n == 1 else "s"


def print_removal_checklist(removed: list[tuple[str, str]], options: BuildOptions) -> None:
    """Removed from site/ is not yet removed from the web: what the team must do next."""
    names = ", ".join(f"{item_id} ({reason})" for item_id, reason in removed)
    log.warning("Removed from %s/: %s. Every page, image size and mention is gone from the new build and "
                "from the image cache. To finish the removal:", display_path(options.out), names)
    log.warning("  [ ] redeploy %s/ now (rsync -a --delete, so the old files are deleted on the server)",
                display_path(options.out))
    log.warning("  [ ] purge the CDN or proxy cache for the whole site, if one is used")
    log.warning("  [ ] ask search engines to remove cached copies (Google: Remove outdated content; "
                "Bing: Content Removal Tool) of the removed pages and images")
    _paper_copies([item_id for item_id, _ in removed], options)
    log.warning("  [ ] record the withdrawal and the date it went offline in the study's consent log")


def print_still_printed(withdrawn: list[str], options: BuildOptions) -> None:
    """Withdrawn items that the packs now in a print folder still hold (the print record): a
    reminder on every build until print is run again."""
    if not withdrawn:
        return
    from .printing import record
    printed, problems = record.load(options.private)
    for problem in problems:
        log.warning("%s", warning_line(problem))
    for p in record.latest(printed):
        held = [i for i in withdrawn if i in p.items]
        if held:
            log.warning("%s (printed %s) still holds %s, withdrawn: run python build.py print, then recall and "
                        "destroy its paper copies", p.where, p.day, ", ".join(held))


def _paper_copies(ids: list[str], options: BuildOptions) -> None:
    """The checklist's lines for the packs and panels print made with these items (the print record)."""
    from .printing import record
    printed, problems = record.load(options.private)
    for problem in problems:
        log.warning("  [ ] %s", problem)
    for item_id in ids:
        for p in record.holding(printed, item_id):
            log.warning("  [ ] recall and destroy the paper copies of %s (printed %s), which holds %s; run "
                        "python build.py print to make the packs again without it", p.where, p.day, item_id)


# ---- the JSON build report ----------------------------------------------------------------------

def report_path(options: BuildOptions) -> Path:
    """In the project's own folder for this output (never inside the output nor beside it, where a web
    server publishing the output's parent would serve it)."""
    return options.workspace / REPORT_NAME


def write_json(report: BuildReport, options: BuildOptions, now: dt.datetime | None = None) -> Path:
    """Write the machine-readable build report atomically; returns its path."""
    path = report_path(options)
    import datetime as dt  # here, not at the top: the no-op fast path imports this module
    record = build_record(report, options, now or dt.datetime.now(dt.timezone.utc))
    write_atomic(path, (json.dumps(record, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    return path


def build_record(report: BuildReport, options: BuildOptions, now: dt.datetime) -> dict:
    root = options.private.parent   # paths relative to the project's folder

    def where(path: Path | None) -> str | None:
        return _relative(path, root) if path is not None else None

    withdrawn = [d for d in report.left_out if d.item.consent.withdrawn is not None]
    return {
        "format": REPORT_FORMAT,
        "generated": now.isoformat(timespec="seconds"),
        "output": where(options.out),
        "seconds": round(report.seconds, 3),
        "counts": {"published": len(report.published), "left_out": len(report.left_out),
                   "withdrawn": len(withdrawn), "warnings": len(report.warnings)},
        "published": [dict(_item_fields(i, where), consent_date=_iso(i.consent.date),
                           scope=list(i.consent.scope), review_by=i.review.by if i.review else None,
                           review_date=_iso(i.review.date) if i.review else None) for i in report.published],
        "left_out": [dict(_item_fields(d.item, where), reason=d.reason) for d in report.left_out],
        "withdrawn": [dict(_item_fields(d.item, where), withdrawn=_iso(d.item.consent.withdrawn))
                      for d in withdrawn],
        "warnings": [{"file": where(w.path), "line": w.line, "message": w.message} for w in report.warnings],
    }


def _item_fields(item: Item, where) -> dict:
    return {"id": item.id, "participant": item.participant, "prompt": item.prompt, "kind": item.kind,
            "caption_file": where(item.source), "photo": item.photo_name}


def _iso(value) -> str | bool | None:
    """A date as YYYY-MM-DD; True for a withdrawal recorded without a date."""
    import datetime as dt
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _relative(path: Path, root: Path) -> str:
    """path relative to root when inside it (both resolved), else its real path."""
    from .paths import real_path, within
    real, base = real_path(path), real_path(root)
    if real == base or not within(real, base):
        return "." if real == base else real
    return real[len(os.path.join(base, "")):]      # os.path.relpath, without its ~10 us per call


# ---- check, add, import -------------------------------------------------------------------------

def print_check(result: CheckResult) -> None:
    """Every error and warning, in file order, then a one-line verdict that says what a build would do:
    with errors, publish nothing (so no item is listed as published or left out); without, what it
    would publish and leave out, listed as a build lists them."""
    problems = [(p, True) for p in result.errors] + [(p, False) for p in result.warnings]
    for problem, is_error in sorted(problems, key=lambda pair: sort_key(pair[0])):
        if is_error:
            log.error("%s", problem)
        else:
            log.warning("%s", warning_line(problem))
    errors, warnings = len(result.errors), len(result.warnings)
    files = f"{result.caption_files} caption file{_s(result.caption_files)}"
    if errors:
        log.error("check: %d error%s, %d warning%s in %s; a build would stop and publish nothing until the "
                  "errors are fixed.", errors, _s(errors), warnings, _s(warnings), files)
        return
    left_out = [d for d in result.decisions if not d.published]
    print_decisions([(d.item, None) for d in result.decisions if d.published], left_out)
    verdict = f"0 errors, {warnings} warning{_s(warnings)}" if warnings else "no problems"
    published = len(result.decisions) - len(left_out)
    log.info("check: %s in %s; %d item%s would be published, %d left out.", verdict, files, published,
             _s(published), len(left_out))


def print_added(added: Added) -> None:
    log.info("Added %s:", added.item_id)
    if added.photo is not None and added.source is not None:
        log.info("  %s (a copy of %s; the original is unchanged)", display_path(added.photo),
                 display_path(added.source))
    log.info("  %s", display_path(added.caption))
    log.info("Next:")
    for n, step in enumerate(added.next_steps(), 1):
        log.info("  %d. %s", n, step)


def print_imported(imported: Imported) -> None:
    for warning in imported.warnings:
        log.warning("%s", warning_line(warning))
    for path in imported.written:
        log.debug("wrote %s", display_path(path))
    if imported.ignored:
        log.info("Not imported (the register's own columns): %s", ", ".join(imported.ignored))
    n = len(imported.written)
    log.info("Imported %d caption file%s into %s/ from %s. Next: python build.py check", n, _s(n),
             display_path(imported.captions), display_path(imported.sheet))


def print_exported(exported: Exported) -> None:
    """What the register holds, what it could not tell, and where it must never go."""
    for note in exported.notes:
        log.warning("%s", warning_line(note))
    rows = sum(exported.counts.values())
    states = ", ".join(f"{n} {state}" for state, n in exported.counts.items() if n)
    log.info("Wrote the register of %d caption file%s to %s%s. It holds participant ids and consent: keep it "
             "with the study's records, never on the web.", rows, _s(rows), display_path(exported.path),
             f" ({states})" if states else "")
    if exported.stops:
        log.warning("warning: check finds errors (python build.py check), so a build now would stop and publish "
                    "nothing; the 'published' rows are what the consent gate allows once they are fixed")


def print_reviewed(reviewed: list[Reviewed]) -> None:
    """One line per item: what the review approved, and what still keeps it out."""
    from .review import describe
    for r in reviewed:
        item = r.item
        what = "its words (a reported item)" if r.size is None else (
            f"photo {item.photo_name} ({r.size[0]}x{r.size[1]} pixels), "
            + (f"{len(item.redact)} redaction{_s(len(item.redact))} "
               + ", ".join(f"[{', '.join(f'{v:g}' for v in region)}]" for region in item.redact)
               if item.redact else "no redactions"))
        after = f"; still left out: {r.consent}" if r.consent else ""
        flags = f", {len(r.flags)} screening flag{_s(len(r.flags))} resolved" if r.flags else ""
        log.info("%s: reviewed by %s on %s: %s%s%s", display_path(item.source), r.by, r.date.isoformat(), what,
                 flags, after)
        for n, (flag, how) in enumerate(r.flags, 1):
            log.info("  flag %d: %s: %s", n, describe(flag), how)


def print_screen(listing: Listing) -> None:
    """Each photo's flags, one line each, with how it is resolved; then the photos not screened."""
    from .review import describe
    if listing.off:
        log.info("screening is off in gallery.yaml (screening: faces: false, text: false): nothing was screened")
    for row in listing.items:
        where = display_path(row.item.source)
        if not row.flags:
            log.info("%s: no flags", where)
        for n, (flag, how) in enumerate(zip(row.flags, row.resolved, strict=True), 1):
            log.info("%s: flag %d: %s: %s", where, n, describe(flag), how or "NOT RESOLVED")
    for problem in listing.failed:
        log.error("%s", problem)
    total = sum(len(r.flags) for r in listing.items)
    open_flags = sum(how is None for r in listing.items for how in r.resolved)
    log.info("Screened %d photo%s: %d flag%s, %d not resolved.", len(listing.items), _s(len(listing.items)),
             total, _s(total), open_flags)


def write_screen_json(listing: Listing, path: Path) -> None:
    """Every item's flags as JSON: {"items": [{"id", "photo", "flags": [{kind, box, score, text, resolved}]}]}."""
    from .screens import flag_json
    items = [{"id": r.item.id, "photo": r.item.photo_name,
              "flags": [{**flag_json(f), "resolved": how} for f, how in zip(r.flags, r.resolved, strict=True)]}
             for r in listing.items]
    write_atomic(path, (json.dumps({"items": items}, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
