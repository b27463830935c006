"""The build: read config and captions, apply the consent gate, make images, render, swap in."""

from __future__ import annotations

import json
import logging
import os
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import fingerprint, lint, markup, output
from .captions import Decision, Item, decide, forget_real_paths, load_items, real_path
from .config import SiteConfig, load_config
from .errors import CleanupError, ContentError, Problem
from .options import BuildOptions, options_for  # noqa: F401 (re-exported)
from .images import ImageError, ImageJob, ImageResult, job_key

log = logging.getLogger(__name__)
IMAGE_INDEX = "images.json"             # every cached image folder's meta.json in one file
KEY_RE = re.compile(r"[0-9a-f]{64}")   # an image cache folder (other folders there: pages/)


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


def load_content(options: BuildOptions, cached: bool = False) -> tuple[SiteConfig, list[Decision], list[Problem]]:
    """Config, gate decisions and warnings; raises ContentError listing every error at once.

    cached: reuse caption files parsed by the last build (a build; not check, which writes nothing).
    """
    config, decisions, errors, warnings = collect_content(options, cached)
    if options.strict and warnings:
        errors.extend(Problem(w.path, w.line, f"{w.message} (an error with --strict)") for w in warnings)
    if errors:
        raise ContentError(problems=errors)
    return config, decisions, warnings


def collect_content(options: BuildOptions, cached: bool = False
                    ) -> tuple[SiteConfig, list[Decision], list[Problem], list[Problem]]:
    """Config, gate decisions, errors and warnings (the check command shows both at once)."""
    config = load_config(options.config, required=options.config_required)
    items, errors, warnings = load_items(options.captions, options.photos, config,
                                         cache=options.cache / "captions.pickle" if cached else None)
    decisions = decide(items, config)
    for d in decisions:
        if d.published and d.item.has_image and not d.item.photo.is_file():
            errors.append(Problem(d.item.source, d.item.photo_line,
                                  f"photo '{d.item.photo_name}' does not exist in {options.photos.name}/; "
                                  "check the spelling or add the file"))
        elif not d.published and d.item.has_image and not d.item.photo.exists():
            warnings.append(Problem(d.item.source, d.item.photo_line,
                                    f"photo '{d.item.photo_name}' does not exist (item is not published)"))
    warnings.extend(_markup_warnings(d.item for d in decisions if d.published))
    warnings.extend(lint.content_warnings(config, items, options.photos, options.captions))
    return config, decisions, errors, warnings


def _markup_warnings(items) -> list[Problem]:
    found = []
    for item in items:
        for key in ("caption", "long_description", "content_note"):
            for reason in markup.unsafe_reasons(getattr(item, key)):
                found.append(Problem(item.source, item.line(key), f"'{key}': {reason}; write plain Markdown instead"))
    return found


def build(options: BuildOptions, stamp: str | None = None) -> BuildReport:
    """Build the site into options.out. On any error the previous site is left untouched.

    stamp: fingerprint.inputs(options) taken just before (build.py has it from its no-op check).
    """
    started = time.perf_counter()
    forget_real_paths()                      # folders may have moved since the last build (serve)
    # taken before any input is read: an edit made during the build is seen by the next one
    stamp = stamp or fingerprint.inputs(options)
    output.guard(options.out, {"photos folder": options.photos, "captions folder": options.captions,
                               "templates folder": options.templates}, options.root)
    config, decisions, warnings = load_content(options, cached=True)
    published = [d.item for d in decisions if d.published]
    drafts = draft_items(decisions) if options.drafts else []
    images, made = make_images(published + drafts, config, options)
    report = BuildReport(published, [d for d in decisions if not d.published], warnings, images_made=made)
    report.drafts = drafts
    staging = output.new_staging(options.out)
    try:
        written = write_site(staging, config, published + drafts, images, options,
                             drafts=frozenset(i.id for i in drafts))
        report.removed = removed_items(options.out, decisions, {i.id for i in published + drafts})
        report.foreign = output.finish(staging, options.out,
                                       check=lambda: run_audit(staging, decisions, options), written=written)
    finally:
        if staging.exists():
            import shutil
            shutil.rmtree(staging, ignore_errors=True)
    try:    # the new site is live: what follows only tidies up
        collect_garbage(options.cache, {r.key for r in images.values()})
        output.wait_for_removals()       # the previous site, deleted meanwhile on another core
        fingerprint.save(options, stamp, [p for p in (config.site_image,) if p], len(published))
    except BaseException as exc:
        _failed_after_swap(options, exc)
    report.seconds = time.perf_counter() - started
    return report


def _failed_after_swap(options: BuildOptions, exc: BaseException) -> None:
    """Raise CleanupError for a failure (or Ctrl-C) after the new site went live: reported as such,
    never as "nothing was published", and with no record that would let the next build skip its work."""
    fingerprint.forget(options)
    try:
        output.wait_for_removals()
    except CleanupError as cleanup:
        raise cleanup from exc
    if isinstance(exc, CleanupError):
        raise exc
    what = "was interrupted" if isinstance(exc, KeyboardInterrupt) else f"failed ({exc})"
    raise CleanupError(problems=[Problem(options.out, None, f"the new site is published, but the build "
                                                           f"{what} while tidying up; run the build again")]) from exc


def run_audit(staging: Path, decisions: list[Decision], options: BuildOptions) -> None:
    """The privacy audit on the finished staging folder; a finding stops the swap (AuditError)."""
    from . import audit
    sources = [d.item.photo for d in decisions if d.item.has_image and d.item.photo.is_file()]
    audit.raise_if_findings(audit.audit_site(staging, sources, shown_as=options.out,
                                             memo=options.cache / "audit-memo.json", previous=options.out))


def removed_items(out: Path, decisions: list[Decision], shown: set[str]) -> list[tuple[str, str]]:
    """(id, reason) of items the previous site published that this build no longer shows."""
    try:
        listed = {f"items/{name}" for name in os.listdir(out / "items") if name.endswith(".html")}
    except OSError:
        listed = set()
    pages = set(output.read_manifest(out)) | listed
    previous = {rel[len("items/"):-len(".html")] for rel in pages if rel.startswith("items/") and rel.endswith(".html")}
    reasons = {d.item.id: d.reason or "" for d in decisions}
    return [(i, reasons.get(i, "its caption file was removed")) for i in sorted(previous - shown)]


def draft_items(decisions: list[Decision]) -> list[Item]:
    """Preview only: items left out by the gate that can be shown as drafts (never withdrawn ones)."""
    return [d.item for d in decisions if not d.published and d.item.consent.withdrawn is None
            and (not d.item.has_image or d.item.photo.is_file())]


def write_site(folder: Path, config: SiteConfig, published: list[Item], images: dict[str, ImageResult],
               options: BuildOptions, drafts: frozenset[str] = frozenset()) -> set[str]:
    """Write every page, asset and image into folder; returns the relative paths written."""
    from . import render
    staging = output.Staging(folder)
    site = render.make_site(config, published, images, drafts=drafts)
    assets = render.asset_files(options.templates)
    for name, path in assets.items():
        data = path.read_bytes()
        if name == "style.css":
            data += render.placeholder_css().encode()
        site.assets[name] = render.hashed_name(name, data)
        staging.write(site.assets[name], data)
    if config.site_image is not None:
        data = site_image_bytes(config.site_image)
        site.assets["site-image"] = render.hashed_name("site-image.png", data)
        staging.write(site.assets["site-image"], data)
    for rel, page in render.render_pages(site, options.templates, cache=options.cache / "pages").items():
        if isinstance(page, Path):
            staging.link(rel, page)       # the page cache's file: unchanged pages keep their identity
        else:
            staging.write(rel, page)
    cache = str(options.cache)
    for result in images.values():
        for variant in result.variants:
            staging.link(f"images/{variant.name}", os.path.join(cache, result.key, variant.name))
    return staging.files


def site_image_bytes(path: Path) -> bytes:
    """The optional generic sharing image, re-encoded from pixels (no metadata travels)."""
    import io
    from PIL import Image
    try:
        with Image.open(path) as im:
            im.load()
            pixels = im.convert("RGBA" if "A" in im.getbands() else "RGB")
    except (OSError, ValueError) as exc:
        raise ContentError(problems=[Problem(path, None, f"site_image cannot be read ({exc}); "
                                                         "use a PNG or JPEG file")]) from None
    buf = io.BytesIO()
    pixels.save(buf, "PNG", optimize=True)
    return buf.getvalue()


# ---- images: hashing, cache, pool ---------------------------------------------------------------

def make_images(items: list[Item], config: SiteConfig, options: BuildOptions
                ) -> tuple[dict[str, ImageResult], int]:
    """Every published image, from the cache or made in a process pool. Raises ContentError."""
    options.cache.mkdir(parents=True, exist_ok=True)
    hashes = SourceHashes(options.cache / "sources.json")
    index = _read_json(options.cache / IMAGE_INDEX)
    results: dict[str, ImageResult] = {}
    pending = _pending_jobs([i for i in items if i.has_image], config, hashes, str(options.cache), results, index)
    made_ids = {job.item_id for job in pending}
    failures, made = run_jobs(pending, str(options.cache), options.jobs, results, options.progress, hashes)
    hashes.save()
    remembered = {r.key: index[r.key] if isinstance(index.get(r.key), dict) and r.item_id not in made_ids
                  else _as_json(asdict(r)) for r in results.values()}   # the index's record, when read from it
    if remembered != index:
        _write_json(options.cache / IMAGE_INDEX, remembered)
    if failures:
        by_id = {i.id: i for i in items}
        raise ContentError(problems=[Problem(by_id[i].source, by_id[i].photo_line,
                                             f"photo '{by_id[i].photo_name}' {msg}") for i, msg in failures])
    return results, made


def _as_json(data):
    """data as JSON gives it back (tuples as lists), to compare with what was read."""
    return json.loads(json.dumps(data))


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, sort_keys=True))
    os.replace(tmp, path)


def _pending_jobs(items: list[Item], config: SiteConfig, hashes: SourceHashes, cache: str,
                  results: dict[str, ImageResult], index: dict | None = None) -> list[ImageJob]:
    """Jobs whose images are not cached; cached results go straight into results.

    A photo whose size and modification time are recorded is keyed by its recorded hash and
    looked up in the cache here. A photo not seen before gets a job without a key: the worker
    reads it once, hashes those bytes, and only then looks in the cache or decodes.
    """
    from .images import load_cached
    jobs = []
    for item in items:
        digest = hashes.known_digest(item.photo)
        if digest is None:
            jobs.append(ImageJob(item.id, str(item.photo), None, config.images, item.redact))
            continue
        key = job_key(item.id, digest, config.images, item.redact)
        job = ImageJob(item.id, str(item.photo), key, config.images, item.redact)
        meta = (index or {}).get(key)
        cached = load_cached(job, cache, meta if isinstance(meta, dict) else None)
        if cached is None:
            jobs.append(job)
        else:
            results[job.item_id] = cached
    return jobs


def run_jobs(pending: list[ImageJob], cache: str, workers: int | None, results: dict[str, ImageResult],
             progress=None, hashes: SourceHashes | None = None) -> tuple[list[tuple[str, str]], int]:
    """Process every pending job (in a pool over all cores when there are two or more)."""
    workers = workers or os.cpu_count() or 1
    failures: list[tuple[str, str]] = []
    if len(pending) < 2 or workers == 1:
        threads = min(workers, 4) if len(pending) == 1 else 1    # one photo: its encodes use the cores
        outcomes = ((job, _safe_process(job, cache, threads)) for job in pending)
        return failures, _collect(outcomes, len(pending), results, failures, progress, hashes)
    from concurrent.futures import ProcessPoolExecutor, as_completed   # ~15 ms: only when there is work
    from .images import prepare_worker
    with ProcessPoolExecutor(max_workers=min(workers, len(pending)), initializer=prepare_worker) as pool:
        futures = {pool.submit(_safe_process, job, cache): job for job in pending}
        outcomes = ((futures[f], f.result()) for f in as_completed(futures))
        made = _collect(outcomes, len(futures), results, failures, progress, hashes)
    return failures, made


def _collect(outcomes, total: int, results, failures, progress=None, hashes: SourceHashes | None = None) -> int:
    """Take each job's outcome into results or failures; returns how many jobs made images."""
    made = 0
    for done, (job, (result, digest, error, fresh)) in enumerate(outcomes, 1):
        made += fresh
        if progress is not None:
            progress(done, total)
        if digest is not None and hashes is not None:
            hashes.record(Path(job.source), digest)
        if error:
            failures.append((job.item_id, error))
        else:
            results[job.item_id] = result
            log.debug("made images for %s", job.item_id)
    return made


def _safe_process(job: ImageJob, cache: str, threads: int = 1
                  ) -> tuple[ImageResult | None, str | None, str | None, bool]:
    """(result, the photo's hash when this worker computed it, error message, whether images were made)."""
    from .images import process_source
    try:
        result, digest, fresh = process_source(job, cache, threads)
        return result, digest, None, fresh
    except ImageError as exc:
        return None, None, str(exc), False
    except MemoryError:
        return None, None, "is too large to decode in memory; resize it first", False
    except Exception as exc:  # a file that crashes a decoder is reported, not a crash
        return None, None, (f"cannot be processed ({type(exc).__name__}: {exc}); "
                            "check the file opens in an image viewer"), False


class SourceHashes:
    """Content hashes of photos, re-hashed only when size, modification or change time or inode changed.

    A photo's size and modification time are read before its bytes are hashed (here or in a
    worker), so an edit made in between leaves a stale record that the next build re-hashes.
    """

    def __init__(self, path: Path):
        self.path = path
        try:
            self.known = json.loads(path.read_text())
            if not isinstance(self.known, dict):
                self.known = {}
        except (OSError, ValueError):
            self.known = {}
        self.seen: dict[str, list] = {}
        self.stats: dict[str, os.stat_result] = {}

    def _entry(self, photo: Path) -> tuple[str, os.stat_result, str | None]:
        stat = photo.stat()
        key = real_path(photo)
        entry = self.known.get(key)
        fresh = isinstance(entry, list) and len(entry) == 5 and entry[:4] == fingerprint.stat_key(stat)
        return key, stat, entry[4] if fresh else None

    def known_digest(self, photo: Path) -> str | None:
        """The recorded hash when size, times and inode match, else None (stat kept for record)."""
        key, stat, digest = self._entry(photo)
        if digest is None:
            self.stats[key] = stat
        else:
            self.seen[key] = [*fingerprint.stat_key(stat), digest]
        return digest

    def record(self, photo: Path, digest: str) -> None:
        """Remember a hash just computed, unless the photo is not yet fingerprint.settled."""
        key = real_path(photo)
        stat = self.stats.get(key)
        if stat is not None and fingerprint.settled(stat):
            self.seen[key] = [*fingerprint.stat_key(stat), digest]

    def save(self) -> None:
        if self.seen != self.known:
            _write_json(self.path, self.seen)


def collect_garbage(cache: Path, keep: set[str]) -> None:
    """Remove cached images no longer published (withdrawn items leave no copies behind)."""
    import shutil
    if not cache.is_dir():
        return
    with os.scandir(cache) as entries:
        for entry in entries:
            leftover = entry.name.startswith(".")            # a worker's temporary folder (killed build)
            if entry.name not in keep and (leftover or KEY_RE.fullmatch(entry.name)) \
                    and entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
