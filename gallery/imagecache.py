"""The image stage: every published image, made once per photo content and settings, in a pool.

Each photo's files live in <cache>/<key>/, where the key is a digest of the photo's bytes, the
item id and every setting that shapes the files (job_key); a folder is written whole and renamed
into place, so it is either complete or absent, with a meta.json saying what it holds (images.json
keeps every folder's in one file, so that a rebuild reads one file, not one per photo). A photo's
hash is remembered by its stat_key (sources.json), so an unchanged photo is not read again.
Photos not in the cache are made by encoding.make_files in worker processes (pool.py), or by the
screen's worker from the picture it decoded (store_from). Cached
images no longer published are deleted.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from . import encoding, images, pool
from .cache import Store, stat_key
from .captions import Item
from .config import ImageSettings, SiteConfig
from .errors import ContentError, Problem
from .images import ImageError, ImageResult, Variant
from .options import BuildOptions
from .paths import PhotoMoved, open_photo, pause, real_path

log = logging.getLogger(__name__)

# 2: shrink before orientation, sizes chained, file sizes in meta; 3: Hamming for small last steps;
# 4: box-reduce then Lanczos for the smaller sizes
PIPELINE_VERSION = 4
HASHES = "sources.json"
INDEX = "images.json"
KEY_RE = re.compile(r"[0-9a-f]{64}")   # an image cache folder (other folders there: pages/)
WHOLE_READ_LIMIT = 64 << 20            # photos up to this size are read once, then hashed and decoded from memory
META_FORMAT = 1


@dataclass(frozen=True)
class ImageJob:
    item_id: str
    source: str                 # path of the photo
    key: str | None             # cache key: source hash + every setting that shapes the output;
                                # None: the photo is new, the worker hashes the bytes it decodes
    settings: ImageSettings
    redact: tuple[tuple[float, float, float, float], ...] = ()
    photos: str | None = None   # the folder the photo must be inside when it is read (paths.open_photo);
                                # None (tests): anywhere


def file_hash(fh: io.BufferedReader) -> str:
    """The SHA-256 of an open file, read from its start in blocks."""
    digest = hashlib.sha256()
    fh.seek(0)
    for block in iter(lambda: fh.read(1 << 20), b""):
        digest.update(block)
    return digest.hexdigest()


def job_key(item_id: str, source_hash: str, settings: ImageSettings, redact: tuple) -> str:
    """The cache key: everything that shapes the output files, their names included."""
    shape = json.dumps([PIPELINE_VERSION, item_id, source_hash, _settings_fields(settings), redact], sort_keys=True)
    return hashlib.sha256(shape.encode()).hexdigest()


@functools.lru_cache(maxsize=8)
def _settings_fields(settings: ImageSettings) -> dict:
    return asdict(settings)


# ---- the build's side ---------------------------------------------------------------------------

def image_items(items: Iterable[Item], errors: Iterable[Problem] = ()) -> list[Item]:
    """The items whose photo the image stage makes: not one missing its photo (an error of its own),
    nor one whose caption file has an error (its id or photo may change: nothing is made for it)."""
    wrong = {p.path for p in errors}
    return [i for i in items if i.has_image and i.photo is not None and i.photo.is_file() and i.source not in wrong]



def photo_hashes(cache: Path | None) -> Store:
    """sources.json: each photo's SHA-256 by its real path and stat_key."""
    return Store(cache / HASHES if cache else None, 1, valid=lambda path, entry: isinstance(entry, list))


def image_index(cache: Path | None) -> Store:
    """images.json: every image folder's meta.json, by its key."""
    return Store(cache / INDEX if cache else None, META_FORMAT, valid=lambda key, entry: isinstance(entry, dict))


def make_images(items: list[Item], config: SiteConfig, options: BuildOptions, hashes: Store | None = None,
                screened: dict[str, str] | None = None, made_by_screen: frozenset[str] = frozenset()
                ) -> tuple[dict[str, ImageResult], int]:
    """Every image of items, from the cache or made; (item id -> result, photos made). Raises ContentError.

    hashes: the build's photo_hashes, as the gate and the screen read them (saved here: the photos
    not used by this build are dropped). screened: each item's SHA-256 as the screen read it: an
    item whose bytes now differ is refused (what is published is what was screened). made_by_screen:
    the items whose images the screen's workers made in this build, from the bytes they screened
    (which were the bytes the consent gate checked): those images are taken, by that SHA-256."""
    options.cache.mkdir(parents=True, exist_ok=True)
    cache = str(options.cache)
    hashes = hashes if hashes is not None else photo_hashes(options.cache)
    index = image_index(options.cache)
    stats: dict[str, tuple[str, os.stat_result]] = {}
    results: dict[str, ImageResult] = {}
    pending = []
    used: dict[str, str] = {}               # item id -> the SHA-256 of the bytes its images are made from
    pause("image-stage")
    for item in items:
        if not item.has_image or item.photo is None:
            continue
        # a job to make has no key: the worker hashes the bytes it decodes (read once, from one open file)
        job = ImageJob(item.id, str(item.photo), None, config.images, item.redact, str(options.photos))
        path, st = real_path(item.photo), item.photo.stat()   # taken before the photo is read
        stats[item.id] = (path, st)
        digest = stamped = hashes.get_stamped(path, st)
        if digest is None and screened and item.id in made_by_screen:
            digest = screened.get(item.id)
        if digest is not None:
            used[item.id] = digest
        cached = None
        if digest is not None:
            key = job_key(item.id, digest, config.images, item.redact)
            # a photo known only now is checked against its folder's own meta.json, as a worker would
            cached = load_cached(replace(job, key=key), cache, index.get(key) if stamped is not None else None)
        if cached is None:
            pending.append(job)
        else:
            results[item.id] = cached

    read: dict[str, str] = {}

    def record(job: ImageJob, digest: str) -> None:
        hashes.put_stamped(*stats[job.item_id], digest)
        read[job.item_id] = used[job.item_id] = digest

    if pending:
        images.require_libraries(heif=any(images.is_heif(Path(job.source)) for job in pending))
    done = pool.run_jobs(process_source, pending, cache, options.jobs, results, options.progress, record)
    for job in pending:
        if job.item_id in results:
            log.debug("made images for %s", job.item_id)
    for result in results.values():
        if result.key not in index.new:          # made now, or read from its folder
            index.put(result.key, asdict(result))
    hashes.save()
    index.save()
    by_id = {i.id: i for i in items}
    log_notes(done.notes, by_id)
    failed = sorted(done.failures, key=lambda f: by_id[f[0]].source)    # file order, not the workers'
    # the bytes its images are made from, read here or by the screen's workers, are the bytes reviewed
    checked = {**{i: used[i] for i in made_by_screen if i in used}, **read}
    failed += [(i, "was changed after the consent gate checked it against its review, while the build was "
                   "reading it; nothing was published: build again") for i, digest in sorted(checked.items())
               if config.require_review and (r := by_id[i].review) is not None and r.photo is not None
               and r.photo != f"sha256:{digest}"]
    said = {i for i, _ in failed}
    failed += [(i, "was changed after it was screened for faces and text, while the build was reading it; "
                   "nothing was published: build again") for i, digest in sorted(used.items())
               if screened is not None and i in screened and screened[i] != digest and i not in said]
    if failed:
        raise ContentError(problems=[Problem(by_id[i].source, by_id[i].photo_line,
                                             f"photo '{by_id[i].photo_name}' {msg}") for i, msg in failed])
    return results, done.made


def log_notes(notes: list[tuple[str, str]], by_id: dict[str, Item]) -> None:
    """Pillow's warnings about a photo's metadata (item id, warning), said with -v in our words."""
    for item_id, note in notes:
        item = by_id[item_id]
        log.debug("%s", Problem(item.source, item.photo_line, f"photo '{item.photo_name}': damaged metadata "
                                                               f"ignored ({note}); only its pixels are published"))


def collect_garbage(cache: Path, keep: set[str]) -> None:
    """Remove cached images no longer published (withdrawn items leave no copies behind)."""
    if not cache.is_dir():
        return
    with os.scandir(cache) as entries:
        for entry in entries:
            leftover = entry.name.startswith(".")            # a worker's temporary folder (killed build)
            if entry.name not in keep and (leftover or KEY_RE.fullmatch(entry.name)) \
                    and entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)


def forget_items(private: Path, own: Path, item_ids: frozenset[str]) -> None:
    """Remove the cached images of item_ids from every other output's image cache of the project (a print
    folder's, the preview's: private/*/cache), as collect_garbage does from own, so that a withdrawn
    item leaves no copy there either, though nothing is printed or previewed again."""
    if not item_ids:
        return
    for cache in private.glob("*/cache"):
        if cache == own or not cache.is_dir():
            continue
        with os.scandir(cache) as entries:
            for entry in entries:
                if KEY_RE.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False):
                    meta = _meta_store(entry.path, entry.name).get("result")
                    if not isinstance(meta, dict) or meta.get("item_id") in item_ids:   # unknown: not kept either
                        shutil.rmtree(entry.path)


# ---- the worker's side --------------------------------------------------------------------------

@contextlib.contextmanager
def read_photo(source: str, photos: str | None) -> Iterator[tuple[bytes | io.BufferedReader, str]]:
    """The photo opened once (paths.open_photo: inside photos/ as it is opened) and its bytes hashed,
    so that the bytes decoded are the bytes hashed: yields (data, SHA-256).

    data is the file's content, or for a very large file the open file itself (hashed by streaming,
    then decoded from the same file; a file written to in the meantime is refused)."""
    try:
        fh = open_photo(source, photos)
    except PhotoMoved as exc:
        raise ImageError(str(exc)) from None
    except OSError as exc:
        raise ImageError(f"cannot be read ({exc.strerror}); check the file is there and readable") from None
    with fh:
        before = os.fstat(fh.fileno())
        try:
            data: bytes | io.BufferedReader = fh if before.st_size > WHOLE_READ_LIMIT else fh.read()
            digest = file_hash(fh) if data is fh else hashlib.sha256(data).hexdigest()   # type: ignore[arg-type]
        except OSError as exc:
            raise ImageError(f"cannot be read ({exc.strerror}); check the file is there and readable") from None
        yield data, digest
        if data is fh and stat_key(os.fstat(fh.fileno())) != stat_key(before):
            raise ImageError("was changed while the build was reading it; nothing of it was published: build again")


@contextlib.contextmanager
def read_source(job: ImageJob) -> Iterator[tuple[ImageJob, bytes | io.BufferedReader, str | None]]:
    """read_photo for an image job, keyed by the bytes read: yields (job, data, digest). A job with a
    key already (tests) keeps it; digest is then None."""
    with read_photo(job.source, job.photos) as (data, digest):
        keyed = job if job.key is not None else replace(job, key=job_key(job.item_id, digest, job.settings,
                                                                         job.redact))
        yield keyed, data, digest if job.key is None else None


def process(job: ImageJob, cache_dir: str) -> ImageResult:
    """Make every published size and format of one photo into cache_dir/<key>/."""
    return process_source(job, cache_dir)[0]


def process_source(job: ImageJob, cache_dir: str, threads: int = 1) -> tuple[ImageResult, str | None, bool]:
    """process(), also returning the photo's SHA-256 when the worker computed it (job.key None),
    and whether the images were made (False: a photo hashed again found them in the cache)."""
    with read_source(job) as (job, data, digest):
        assert job.key is not None
        done = load_cached(job, cache_dir)
        if done is not None:
            return done, digest, False
        made = encoding.make_files(Path(job.source), job.settings, job.redact, f"{job.item_id}-{job.key[:10]}",
                                   data, threads)
        del data
    return _store(cache_dir, job.key, job.item_id, made), digest, True


def store_from(job: ImageJob, digest: str, largest, cache_dir: str, threads: int = 1) -> bool:
    """Make and store job's files from largest, its largest published size decoded already (by the
    screen, from the bytes whose SHA-256 is digest), as process_source would have made them; False
    when they were in the cache already."""
    key = job_key(job.item_id, digest, job.settings, job.redact)
    if load_cached(replace(job, key=key), cache_dir) is not None:
        return False
    _store(cache_dir, key, job.item_id, encoding.encode_sizes(largest, job.settings, f"{job.item_id}-{key[:10]}",
                                                               threads))
    return True


def _meta_store(folder: str | Path, key: str) -> Store:
    return Store(Path(folder) / "meta.json", META_FORMAT, context=key)


def _store(cache_dir: str, key: str, item_id: str, made: tuple) -> ImageResult:
    """Write the files encoding made and their meta.json into a new folder, then rename it into place."""
    files, (width, height), colour, variants = made
    result = ImageResult(item_id, key, width, height, colour, variants)
    tmp = Path(tempfile.mkdtemp(prefix=f".{key[:10]}-", dir=cache_dir))
    for name, data in files.items():
        (tmp / name).write_bytes(data)
    meta = _meta_store(tmp, key)
    meta.put("result", asdict(result))
    meta.save()
    try:
        os.rename(tmp, Path(cache_dir) / key)
    except OSError:  # another worker stored the same key first
        shutil.rmtree(tmp, ignore_errors=True)
    return result


def load_cached(job: ImageJob, cache_dir: str, meta: dict | None = None) -> ImageResult | None:
    """The cached result for job.key, or None when missing or damaged (then it is made again).

    meta: the folder's meta.json as images.json has it (else the folder's own is read).
    """
    assert job.key is not None
    folder = os.path.join(cache_dir, job.key)
    if meta is None:
        meta = _meta_store(folder, job.key).get("result")
    try:
        if not isinstance(meta, dict):
            raise ValueError("no meta.json")
        variants = tuple(Variant(**v) for v in meta["variants"])
        result = ImageResult(meta["item_id"], meta["key"], meta["width"], meta["height"], meta["colour"], variants)
        if result.key != job.key or result.item_id != job.item_id:
            raise ValueError("mismatch")
        for v in variants:
            actual = os.stat(os.path.join(folder, v.name)).st_size
            if actual == 0 or actual != v.size:
                raise ValueError("truncated or replaced")
        return result
    except (OSError, ValueError, KeyError, TypeError):
        shutil.rmtree(folder, ignore_errors=True)
        return None
