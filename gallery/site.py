"""The build: content, images, pages, audit, swap; each stage a module of its own.

    content.collect        settings, caption files, the consent gate         (content.py)
    screens.screen_items   faces and text found in every photo, once per content (the worker that
                           screens a photo the gate publishes makes its images from the same decode), and
      screens.apply        an unresolved flag keeps its item out              (screens.py, screening/)
    make_images            published pixels, made once per photo content     (imagecache.py, images.py,
                           encoding.py); any error so far stops the build, every one reported (as check does)
    write_site             pages and assets into a staging folder             (render.py, pagecache.py)
    audit.audit_site       the privacy audit of the finished staging folder   (audit/)
    output.finish          the staging folder swapped in whole                (output.py)

Any error before the swap leaves the previous site as it was.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import audit, content, fingerprint, imagecache, legacy, lock, output, photoid, render, screens
from .captions import Item
from .config import ImageSettings, SiteConfig
from .content import Decision
from .desk import pictures as desk_pictures
from .errors import CleanupError, ContentError, Problem, display_path
from .images import ImageResult
from .options import BuildOptions
from .paths import forget_real_paths
from .report import outcome as report_outcome
from .report import write_json


@dataclass
class BuildReport:
    published: list[Item] = field(default_factory=list)
    left_out: list[Decision] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    images_made: int = 0
    seconds: float = 0.0
    drafts: list[Item] = field(default_factory=list)   # preview only
    removed: list[tuple[str, str]] = field(default_factory=list)  # (id, reason): were online, now gone
    record: Path | None = None          # the JSON build report written (none for a preview with drafts)
    withdrawn: list[str] = field(default_factory=list)   # every item ever withdrawn (the withdrawal record too)


def build(options: BuildOptions, stamp: str | None = None) -> BuildReport:
    """Build the site into options.out. On any error the previous site is left untouched.

    stamp: fingerprint.inputs(options) taken just before (build.py has it from its no-op check).
    """
    with lock.hold(options.private):          # one build at a time (build.py took it already: re-entrant)
        return _build(options, stamp)


def _build(options: BuildOptions, stamp: str | None) -> BuildReport:
    started = time.perf_counter()
    forget_real_paths()                      # folders may have moved since the last build (serve)
    stamp = stamp or fingerprint.inputs(options)   # before any input is read: a later edit is seen next time
    output.guard_build(options)
    legacy.remove_old_layout(options)        # an earlier version's report, caches, preview beside out
    found = content.collect(options, cached=True)
    screening = screens.screen_found(found, options, images=True)
    found = screens.apply(found, screening)
    drafts = draft_items(found.decisions) if options.drafts else []
    shown = found.published + drafts
    images, made = make_images(found, shown, options, screening)
    made += sum(i.id in screening.images_made for i in shown)     # (the image stage found them in the cache)
    report = BuildReport(found.published, found.left_out, list(found.warnings), images_made=made, drafts=drafts)
    report.removed = removed_items(options.out, found.decisions, {i.id for i in shown})
    report.withdrawn = sorted(found.withdrawn)
    target = output.served(options.out)      # a symlinked site/: its target is swapped, beside it
    with output.staging(target) as staging:
        written = write_site(staging, found.config, shown, images, options, drafts={i.id for i in drafts})
        report.foreign, previous = output.finish(staging, target, written,
                                                 check=lambda: run_audit(staging, found.decisions, options))
    try:    # the new site is live: what follows only tidies up and records it
        imagecache.collect_garbage(options.cache, {r.key for r in images.values()})
        imagecache.forget_items(options.private, options.cache, found.withdrawn)
        desk_pictures.prune(options.cache, set(screening.digests.values()))   # a withdrawn photo's go too
        output.remove_previous(previous)
        report.seconds = time.perf_counter() - started
        report.record = None if options.drafts else write_json(report, options)
        read = [p for p in (found.config.site_image,) if p] + screens.model_files(found.config.screening) + [
            options.private / photoid.RECORD]    # the withdrawal record, as this build left it: a copy put in is seen
        fingerprint.save(options, stamp, read, len(found.published), report_outcome(report))
    except BaseException as exc:
        raise _failed_after_swap(options, exc, report) from exc
    return report


def make_images(found: content.Content, shown: list[Item], options: BuildOptions, screening: screens.Screening
                ) -> tuple[dict[str, ImageResult], int]:
    """The image stage, run even when the content has errors, so that a build that stops reports every
    error at once, as check does: the content's, the photos it cannot make, the sources the audit
    cannot read (the audit itself runs only on a site that was made). screening: what the screen
    found (the photos it could not decode are reported already; the image stage makes images only of
    the bytes it screened). Raises ContentError."""
    failed: tuple[Problem, ...] = ()
    images: dict[str, ImageResult] = {}
    made = 0
    try:
        images, made = imagecache.make_images(imagecache.image_items(shown, found.errors), found.config, options,
                                              found.hashes.store if found.hashes is not None else None,
                                              screening.digests, screening.images_ready)
    except ContentError as exc:
        failed = exc.problems
    if found.errors or failed:
        from .check import unreadable_sources  # the errors' path only
        raise ContentError(problems=[*found.errors, *failed,
                                     *unreadable_sources(found.decisions, options.cache,
                                                         [*failed, *screens.reported(found, screening)],
                                                         options.photos)])
    return images, made


def _failed_after_swap(options: BuildOptions, exc: BaseException, report: BuildReport) -> CleanupError:
    """The CleanupError for a failure (or Ctrl-C) after the new site went live: reported as such,
    never as "nothing was published", saying what is live, with the items it took offline (for the
    withdrawal checklist), and with no record that would let the next build skip its work."""
    fingerprint.forget(options)
    if isinstance(exc, CleanupError):
        error = exc
    else:
        what = "was interrupted" if isinstance(exc, KeyboardInterrupt) else f"failed ({_reason(exc)})"
        error = CleanupError(problems=[Problem(options.out, None, f"the new site is published, but the build "
                                                                  f"{what} while tidying up; run the build again")])
    n = len(report.published)
    gone = f" ({', '.join(i for i, _ in report.removed)} removed)" if report.removed else ""
    error.problems += (Problem(options.out, None, f"the new site is live: {n} item{'' if n == 1 else 's'} "
                                                  f"published{gone}"),)
    error.removed = tuple(report.removed)
    return error


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror and (exc.filename2 or exc.filename):
        return f"{exc.strerror}: {display_path(exc.filename2 or exc.filename)}"
    return str(exc)


def run_audit(staging: Path, decisions: tuple[Decision, ...], options: BuildOptions) -> None:
    """The privacy audit on the finished staging folder; a finding stops the swap (AuditError)."""
    audit.raise_if_findings(audit.audit_site(staging, content.source_photos(decisions), shown_as=options.out,
                                             memo=options.cache / "audit-memo.json", photos=options.photos))


def removed_items(out: Path, decisions: tuple[Decision, ...], shown: set[str]) -> list[tuple[str, str]]:
    """(id, reason) of items the previous site published that this build no longer shows."""
    try:
        listed = {f"items/{name}" for name in os.listdir(out / "items") if name.endswith(".html")}
    except OSError:
        listed = set()
    pages = set(output.read_manifest(out)) | listed
    previous = {rel[len("items/"):-len(".html")] for rel in pages if rel.startswith("items/") and rel.endswith(".html")}
    reasons = {d.item.id: d.reason or "" for d in decisions}
    return [(i, reasons.get(i, "its caption file was removed")) for i in sorted(previous - shown)]


def draft_items(decisions: tuple[Decision, ...]) -> list[Item]:
    """Preview only: items left out by the gate that can be shown as drafts (never withdrawn ones)."""
    return [d.item for d in decisions if not d.published and d.item.consent.withdrawn is None
            and (not d.item.has_image or (d.item.photo is not None and d.item.photo.is_file()))]


def write_site(folder: Path, config: SiteConfig, items: list[Item], images: dict[str, ImageResult],
               options: BuildOptions, drafts: set[str] | None = None) -> set[str]:
    """Write every page, asset and image into folder; returns the relative paths written."""
    staging = output.Staging(folder)
    site = render.make_site(config, items, images, drafts=frozenset(drafts or ()))
    for name, path in render.asset_files(options.templates).items():
        data = path.read_bytes()
        if name == "style.css":
            data += render.placeholder_css().encode()
        site.assets[name] = render.hashed_name(name, data)
        staging.write(site.assets[name], data)
    if config.site_image is not None:
        data = site_image_bytes(config.site_image, config.images)
        site.assets["site-image"] = render.hashed_name("site-image.png", data)
        staging.write(site.assets["site-image"], data)
    for rel, page in render.render_pages(site, options.templates, cache=options.cache / "pages").items():
        if isinstance(page, Path):
            staging.link(rel, page)       # the page cache's file: unchanged pages keep their identity
        else:
            staging.write(rel, page)
    for result in images.values():
        for variant in result.variants:
            staging.link(f"images/{variant.name}", options.cache / result.key / variant.name)
    return staging.files


def site_image_bytes(path: Path, settings: ImageSettings) -> bytes:
    """The optional generic sharing image, made as photos are (images.decode_upright: decoded pixels
    only, upright, colours converted from its profile to sRGB, transparency flattened onto
    images.background), saved as a PNG holding nothing else: no ICC profile, no EXIF, no text."""
    import io

    from .images import ImageError, decode_upright, library_warnings
    try:
        with library_warnings([]):      # its metadata is never published, so its damage is no matter
            pixels = decode_upright(path, settings)
    except ImageError as exc:
        raise ContentError(problems=[Problem(path, None, f"site_image {exc}")]) from None
    buf = io.BytesIO()
    pixels.save(buf, "PNG", optimize=True)
    return buf.getvalue()
