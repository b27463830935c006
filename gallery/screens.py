"""The screening stage: every image item's photo screened for faces and text, once per photo content,
and the consent gate's last word: a flag nobody resolved keeps its item out.

    screen_items   each item's flags: gallery/screening run in the image workers (pool.py) on the
                   decoded upright picture; remembered in the project's screens.json by the photo's
                   SHA-256, valid for one engine stamp (the screening code, the settings, the installed
                   libraries and model files), so that a photo is screened once, for every output
    apply          an item with a flag neither covered by a redaction nor accepted by its reviewer is
                   left out (with require_review: false, a warning); an image item the screen could
                   not run on is left out too: nothing is published unscreened

Items withdrawn are never screened, and their photos' flags are dropped from screens.json.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from . import imagecache, pool, review
from .cache import Store
from .captions import Item
from .config import ImageSettings, ScreeningSettings, SiteConfig
from .content import Content, Decision
from .errors import Problem
from .imagecache import ImageJob
from .options import BuildOptions
from .paths import real_path

if TYPE_CHECKING:  # pragma: no cover
    from .screening import Flag, ScreenSettings

SCREENS = "screens.json"
FORMAT = 1


@dataclass(frozen=True)
class ScreenJob:
    """One photo to screen in a worker (pickled): decoded as the image stage decodes it."""

    item_id: str
    source: str
    settings: ImageSettings             # decoding: max_pixels, background
    screening: ScreeningSettings
    photos: str | None = None           # the folder the photo must be inside when it is read
    known: frozenset[str] = frozenset()  # SHA-256 of photos screened before: not screened again
    regions: tuple = ()                 # the item's redactions: with a damaged orientation, refused as
                                        # the image stage refuses them (which way up they cover is unsure)
    make: Making | None = None          # an item the consent gate publishes: its images made here too


@dataclass(frozen=True)
class Making:
    """The images of an item the consent gate publishes, made by the worker from the picture it screened."""

    job: ImageJob
    gated: str                          # the SHA-256 the gate checked the review against: only these bytes
    item: Item | None = None            # with require_review: none is made while a flag is unresolved (the
                                        # item is then left out)


@dataclass(frozen=True)
class Screened:
    """A worker's answer: the flags found, or None when the photo's content was screened before."""

    flags: tuple[Flag, ...] | None
    images: bool = False                # the item's images are in the cache, from the bytes screened
    made: bool = False                  # ...made now


@dataclass(frozen=True)
class Screening:
    flags: dict[str, tuple[Flag, ...]]        # item id -> the flags found in its photo
    failed: dict[str, str]                    # item id -> why its photo cannot be screened (decoding)
    unavailable: str | None = None            # why the screen cannot run (then no image item is published)
    off: bool = False                         # gallery.yaml turned faces and text off
    digests: dict[str, str] = field(default_factory=dict)   # item id -> the SHA-256 of the bytes screened
                                                            # (the image stage refuses any other bytes)
    images_ready: frozenset[str] = frozenset()  # items whose images the screen's workers put in the cache,
                                                # from the bytes screened (the gate's)
    images_made: frozenset[str] = frozenset()   # ...those of them made now


def engine_settings(settings: ScreeningSettings) -> ScreenSettings:
    """gallery.yaml's screening settings as the engine takes them (its defaults where not given)."""
    from .screening import ScreenSettings
    given = {k: v for k, v in asdict(settings).items() if v is not None}
    return ScreenSettings(**given)


def engine_stamp(settings: ScreeningSettings, decoding: ImageSettings) -> str:
    """What decides what the screen finds, cheaply (no import of the libraries, no model read): the
    settings (decoding: the background transparency is flattened onto), and the identity (size,
    mtime) of the screening code and of this stage's and the decoder's, of each library's package and
    of each model file. Raises ScreeningError naming what to install when one is missing."""
    import importlib.util

    from .screening.models import INSTALL, LIBRARIES, ScreeningError
    here = Path(__file__).parent
    files = sorted((here / "screening").glob("*.py")) + [here / "screens.py", here / "images.py"]
    for name in LIBRARIES:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):        # a finder that refuses the name: not to be had either
            spec = None
        if spec is None or spec.origin is None:
            raise ScreeningError(f"screening photos needs the Python package {LIBRARIES[name]}, which is not "
                                 f"installed; {INSTALL}")
        files.append(Path(spec.origin))
    files += engine_settings(settings).models()      # the files inside the packages (models.packaged)
    try:
        stamps = [(str(f), st.st_size, st.st_mtime_ns) for f in files for st in [f.stat()]]
    except OSError as exc:
        raise ScreeningError(f"{exc.filename}: a screening model or library file is missing; {INSTALL}") from None
    return repr((settings, decoding.background, decoding.max_pixels, stamps))


def model_files(settings: ScreeningSettings) -> list[Path]:
    """The model files the screen reads (none when it is off or cannot be set up: the build says why)."""
    from .screening import ScreeningError
    if not settings.on:
        return []
    try:
        return list(engine_settings(settings).models())
    except ScreeningError:
        return []


def screens_store(options: BuildOptions, stamp: str, save: bool) -> Store:
    return Store(options.private / SCREENS if save or (options.private / SCREENS).is_file() else None, FORMAT,
                 context=stamp, valid=lambda key, entry: _valid(entry))


def _valid(entry: object) -> bool:
    """A stored list of flags as flag_json writes them (anything else: that photo is screened again)."""
    return isinstance(entry, list) and all(
        isinstance(f, dict) and f.get("kind") in ("face", "text") and isinstance(f.get("score"), (int, float))
        and isinstance(f.get("box"), list) and len(f["box"]) == 4
        and all(isinstance(v, (int, float)) for v in f["box"]) and isinstance(f.get("text"), (str, type(None)))
        for f in entry)


def screen_found(found: Content, options: BuildOptions, save: bool = True, images: bool = False) -> Screening:
    """screen_items for the content stage's items, with the photo hashes the gate read. images (a
    build, a print): the photos of the items the gate publishes are made into images by the worker
    that screens them (one decode: the image stage then finds them in its cache)."""
    seen = found.hashes.seen if found.hashes is not None and images else {}
    made = imagecache.image_items(found.published, found.errors)     # as the image stage would make them
    return screen_items((d.item for d in found.decisions), found.config, options,
                        found.hashes.store if found.hashes is not None else None, save,
                        make={i.id: seen[i.id] for i in made if i.id in seen})


def screen_items(items: Iterable[Item], config: SiteConfig, options: BuildOptions, hashes: Store | None = None,
                 save: bool = True, every: bool = True, make: dict[str, str] | None = None) -> Screening:
    """The flags of every image item that is not withdrawn (save: remember them; check does not).
    hashes: the build's photo_hashes store (default: read here, and saved when save). every: items
    are all the project's items, so that the flags of photos no longer used are dropped (review,
    which screens the items it reviews, keeps the others'). make: item id -> the SHA-256 the consent
    gate checked, of the items whose images the workers make too from the picture they screen
    (into options.cache, as the image stage would), when the bytes they read are those."""
    todo = screenable(items)
    settings = config.screening
    if not settings.on:
        if save and every:          # no flags kept of photos nobody screens now (withdrawn ones' words)
            (options.private / SCREENS).unlink(missing_ok=True)
        return Screening({i.id: () for i in todo}, {}, off=True)
    from .screening import ScreeningError
    try:
        stamp = engine_stamp(settings, config.images)
    except ScreeningError as exc:
        if save and every:          # the stamp cannot be known: nothing of what was kept can be trusted
            (options.private / SCREENS).unlink(missing_ok=True)
        return Screening({}, {}, unavailable=str(exc))
    store = screens_store(options, stamp, save)
    own = hashes is None
    hashes = imagecache.photo_hashes(options.cache) if hashes is None else hashes
    flags: dict[str, tuple[Flag, ...]] = {}
    screened: dict[str, str] = {}
    failed: dict[str, str] = {}
    pending: list[ScreenJob] = []
    stats: dict[str, tuple[str, os.stat_result]] = {}
    for item in todo:
        assert item.photo is not None
        try:
            path, st = real_path(item.photo), item.photo.stat()
        except OSError as exc:      # gone since the content stage looked
            failed[item.id] = (f"could not be read to be screened ({exc.strerror}); check the file is there and "
                               "build again")
            continue
        digest = hashes.get_stamped(path, st)
        known = store.get(digest) if isinstance(digest, str) else None
        if isinstance(digest, str) and known is not None:
            flags[item.id] = tuple(_flag(f) for f in known)
            screened[item.id] = digest
            continue
        stats[item.id] = (path, st)
        making = None
        if make and item.id in make:
            making = Making(ImageJob(item.id, str(item.photo), None, config.images, item.redact, str(options.photos)),
                            make[item.id], item if config.require_review else None)
        pending.append(ScreenJob(item.id, str(item.photo), config.images, settings, str(options.photos),
                                 regions=item.redact, make=making))
    unavailable = None
    results: dict[str, Screened] = {}
    made: frozenset[str] = frozenset()
    if pending:
        from . import images  # Pillow (and pillow-heif) imported here: one missing is named, not a broken pool
        images.require_libraries(heif=any(images.is_heif(Path(job.source)) for job in pending))
        digests: dict[str, str] = {}

        def record(job: ScreenJob, digest: str) -> None:
            hashes.put_stamped(*stats[job.item_id], digest)
            digests[job.item_id] = digest

        try:      # a library or model that cannot be loaded: ScreeningError, from the first worker to load it
            known_digests = frozenset(store.old)
            jobs = [replace(job, known=known_digests) for job in pending]
            if any(job.make for job in jobs):
                options.cache.mkdir(parents=True, exist_ok=True)
            done = pool.run_jobs(screen_photo, jobs, str(options.cache), options.jobs, results,
                                 options.progress if make else None, record)
        except ScreeningError as exc:
            unavailable = str(exc)
        else:
            failed.update(done.failures)
            made = frozenset(i for i, r in results.items() if r.made)     # the image stage does not decode these
            imagecache.log_notes([n for n in done.notes if n[0] in made], {i.id: i for i in todo})
            for item_id, result in results.items():
                digest = screened[item_id] = digests[item_id]
                if result.flags is None:            # screened before: its flags are in the store
                    kept = store.get(digest)
                    if kept is not None:            # (else it stays unscreened: left out)
                        flags[item_id] = tuple(_flag(f) for f in kept)
                else:
                    store.put(digest, [flag_json(f) for f in result.flags])
                    flags[item_id] = result.flags
    if save:
        store.save(keep_others=not every)
        if own:
            hashes.save(keep_others=True)
    return Screening(flags, failed, unavailable, digests=screened,
                     images_ready=frozenset(i for i, r in results.items() if r.images), images_made=made)


def screenable(items: Iterable[Item]) -> list[Item]:
    """The items whose photo is screened: every image item with a photo file, unless withdrawn."""
    found = []
    for item in items:
        if not item.has_image or item.photo is None or item.consent.withdrawn is not None:
            continue
        with contextlib.suppress(OSError):
            if stat.S_ISREG(item.photo.stat().st_mode):
                found.append(item)
    return found


def flag_json(flag: Flag) -> dict:
    """A flag as screens.json and `screen --json` write it."""
    return {"kind": flag.kind, "box": list(flag.box), "score": flag.score, "text": flag.text}


def _flag(data: dict) -> Flag:
    from .screening import Flag
    x, y, w, h = data["box"]
    return Flag(data["kind"], (x, y, w, h), data["score"], data.get("text"))


# ---- the worker's side --------------------------------------------------------------------------

def screen_photo(job: ScreenJob, cache_dir: str, threads: int = 1) -> tuple[Screened, str | None, bool]:
    """Screen one photo (in a worker): (its flags, the photo's SHA-256, whether it was screened now)."""
    from . import images
    from .screening import needed_side, screen
    with imagecache.read_photo(job.source, job.photos) as (data, digest):
        if digest in job.known:
            return Screened(None), digest, False
        engine = engine_settings(job.screening)
        # a JPEG is decoded reduced (draft) to no less than the screen needs to find what the full photo shows
        source, least = Path(job.source), needed_side(engine)
        making = job.make if job.make is not None and digest == job.make.gated else None
        both = images.decode_both(source, job.settings, data, job.regions, least) if making else None
        picture = both[0] if both else images.decode_upright(source, job.settings, data, job.regions, least=least)
        del data
    flags = screen(picture, engine, threads)
    if both is None or making is None or (making.item is not None and review.unresolved(making.item, flags)):
        return Screened(flags), digest, True
    del picture
    made = imagecache.store_from(making.job, digest, both[1](), cache_dir, threads)
    return Screened(flags, images=True, made=made), digest, True


# ---- the gate ---------------------------------------------------------------------------------

def failures(found: Content, screening: Screening) -> list[Problem]:
    """The problem of each photo that could not be screened (apply: an error when its item was to be
    published, a warning otherwise)."""
    return [Problem(d.item.source, d.item.photo_line, f"photo '{d.item.photo_name}' {screening.failed[d.item.id]}")
            for d in found.decisions if d.item.id in screening.failed]


def reported(found: Content, screening: Screening) -> list[Problem]:
    """The errors apply made of photos that could not be screened (the later stages say no more of them)."""
    errors = set(found.errors)
    return [p for p in failures(found, screening) if p in errors]


def apply(found: Content, screening: Screening) -> Content:
    """found with every image item the screen leaves out moved to the left-out list (or, with
    require_review: false, its unresolved flags as warnings), and a photo that could not be screened
    as an error when its item was to be published (a warning otherwise). The photos of withdrawn
    items leave no record in the photo hashes."""
    decisions, errors, warnings = [], list(found.errors), list(found.warnings)
    failed = {p.path: p for p in failures(found, screening)}
    reported = {p.path for p in found.errors}
    for d in found.decisions:
        if d.item.consent.withdrawn is not None and found.hashes is not None:
            found.hashes.forget(d.item)
        reason, problems = _verdict(d, found.config, screening, d.item.source in reported)
        if d.published and reason is not None:
            d = Decision(d.item, reason)           # the left-out line names the flags
        else:
            warnings.extend(problems)
        decisions.append(d)
        if d.item.id in screening.failed:
            (errors if d.published else warnings).append(failed[d.item.source])
    return replace(found, decisions=tuple(decisions), errors=tuple(errors), warnings=tuple(warnings))


def _verdict(d: Decision, config: SiteConfig, screening: Screening, reported: bool
             ) -> tuple[str | None, list[Problem]]:
    """(why the screen leaves the item out or None, warnings about its flags). reported: its caption
    file has an error already (a missing photo, say): the build stops for it."""
    item = d.item
    if not item.has_image or item.consent.withdrawn is not None or screening.off or item.id in screening.failed:
        return None, []
    if item.id not in screening.flags:
        if reported:
            return None, []
        why = screening.unavailable or "the screen did not run on it"
        return f"not screened for faces and text ({why})", []
    open_flags = review.unresolved(item, screening.flags[item.id])
    if not open_flags:
        return None, []
    told = [Problem(item.source, item.photo_line, f"flag {n}: {review.describe(flag)} is not resolved")
            for n, flag in open_flags]
    if not config.require_review:
        return None, told
    n = len(open_flags)
    listed = "; ".join(f"{k}: {review.describe(flag)}" for k, flag in open_flags)
    by = (item.review.by if item.review is not None else None) or "INITIALS"     # None: a draft
    return (f"{n} screening flag{'s' if n > 1 else ''} not resolved ({listed}); cover each with a redact region or "
            f"accept it: python build.py review {item.id} --by {by} --accept N --reason TEXT"), told


# ---- the screen command -----------------------------------------------------------------------

@dataclass(frozen=True)
class Listed:
    item: Item
    flags: tuple[Flag, ...]
    resolved: tuple[str | None, ...]      # each flag's resolution (review.resolution), None: unresolved


@dataclass(frozen=True)
class Listing:
    items: tuple[Listed, ...]
    failed: tuple[Problem, ...]          # photos that could not be screened
    off: bool = False


def screen_all(options: BuildOptions) -> Listing:
    """Screen every image item that is not withdrawn, as a build does. Raises ContentError for
    caption files with errors, ScreeningError when the screen cannot run."""
    from .captions import load_items
    from .config import load_config
    from .errors import ContentError
    from .screening import ScreeningError
    config = load_config(options.config, required=options.config_required)
    items, errors, _ = load_items(options.captions, options.photos, config)
    if errors:
        raise ContentError(problems=errors)
    screening = screen_items(items, config, options)
    if screening.unavailable is not None:
        raise ScreeningError(screening.unavailable)
    listed = tuple(Listed(i, screening.flags[i.id], tuple(review.resolution(i, f) for f in screening.flags[i.id]))
                   for i in items if i.id in screening.flags)
    failed = tuple(Problem(i.source, i.photo_line, f"photo '{i.photo_name}' {screening.failed[i.id]}")
                   for i in items if i.id in screening.failed)
    return Listing(listed, failed, screening.off)
