"""Published pixels, never published files: decode, make upright, sRGB, redact, re-encode.

Plain functions that take a source path and options and write image files; they run in worker
processes, so a job carries only paths and a small frozen options object.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from .config import ImageSettings

PIPELINE_VERSION = 4              # 2: shrink before orientation, sizes chained, file sizes in meta; 3: Hamming for
                                  # small last steps; 4: box-reduce then Lanczos for the smaller sizes
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "TIFF", "HEIF", "AVIF")  # JPEG includes MPO
EXTENSIONS = {"jpeg": "jpg", "webp": "webp", "avif": "avif"}
MIME = {"jpeg": "image/jpeg", "webp": "image/webp", "avif": "image/avif"}
REDACT_COLOUR = (0, 0, 0)


class ImageError(Exception):
    """A photo that cannot be published (unreadable, truncated, too large...)."""


@dataclass(frozen=True)
class ImageJob:
    item_id: str
    source: str                 # path of the photo
    key: str | None             # cache key: source hash + every setting that shapes the output;
                                # None: the photo is new, the worker hashes the bytes it decodes
    settings: ImageSettings
    redact: tuple[tuple[float, float, float, float], ...] = ()


@dataclass(frozen=True)
class Variant:
    format: str                 # jpeg | webp | avif
    width: int
    height: int
    name: str                   # output file name: <id>-<hash>-<width>.<ext>
    size: int = 0               # bytes; a cached file of another size is damaged and made again


@dataclass(frozen=True)
class ImageResult:
    item_id: str
    key: str
    width: int                  # of the largest published size
    height: int
    colour: str                 # placeholder colour, #rrggbb
    variants: tuple[Variant, ...]

    def of_format(self, fmt: str) -> list[Variant]:
        return [v for v in self.variants if v.format == fmt]


WHOLE_READ_LIMIT = 64 << 20      # photos up to this size are read once, then hashed and decoded from memory


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def job_key(item_id: str, source_hash: str, settings: ImageSettings, redact: tuple) -> str:
    """The cache key: everything that shapes the output files, their names included."""
    shape = json.dumps([PIPELINE_VERSION, item_id, source_hash, _settings_fields(settings), redact], sort_keys=True)
    return hashlib.sha256(shape.encode()).hexdigest()


@functools.lru_cache(maxsize=8)
def _settings_fields(settings: ImageSettings) -> dict:
    """asdict(settings), once per settings (it is called for every photo on every build)."""
    return asdict(settings)


HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"mif2")


def _register_plugins(path: Path, data: bytes | None = None) -> None:
    """pillow-heif costs ~0.1 s to import: load it only for a file that says it is HEIF."""
    if data is not None:
        head = data[:12]
    else:
        with open(path, "rb") as fh:
            head = fh.read(12)
    if head[4:8] != b"ftyp" or head[8:12] not in HEIF_BRANDS:
        return
    try:
        import pillow_heif
    except ImportError:  # pragma: no cover - HEIC then fails as "cannot be read"
        return
    pillow_heif.register_heif_opener()


MEMORY_BLOCKS = 4               # freed 16 MB pixel blocks Pillow keeps for the next photo


def prepare_worker() -> None:
    """A pool worker's set-up: the garbage collector on (build.py turns it off for its own short
    life) and freed memory kept for the next photo."""
    import gc
    gc.enable()
    keep_freed_memory()


def keep_freed_memory() -> None:
    """Keep the memory a photo frees for the next one (in a pool worker: a build making a single
    photo has no next one, and measured slower with it).

    Each photo allocates ~40 MB of pixels and buffers and frees them again. By default Pillow and
    the C library return that memory to the system and fault it back in, zeroed, for the next photo:
    ~15% of a cold build's CPU went to the kernel. Keeping it (Pillow's block cache, glibc's
    malloc thresholds) costs no more than the largest photo's working set.
    """
    from PIL import Image
    Image.core.set_blocks_max(MEMORY_BLOCKS)
    try:
        import ctypes
        libc = ctypes.CDLL(None)
        libc.mallopt(-3, 32 << 20)    # M_MMAP_THRESHOLD: photo-sized buffers come from the heap...
        libc.mallopt(-1, 256 << 20)   # M_TRIM_THRESHOLD: ...which is not handed back after each photo
    except Exception:  # not glibc (or no C library to load): only Pillow's cache applies; a failure
        pass           # here must never break the pool


def _load_plugins() -> None:
    """The decoders and encoders we use, not every plugin Pillow has (Image.init() costs ~25 ms)."""
    import importlib

    from PIL import Image
    Image.preinit()                   # JPEG and PNG (and BMP, GIF, PPM, which we never open)
    for name in ("WebPImagePlugin", "TiffImagePlugin", "AvifImagePlugin"):
        try:
            importlib.import_module(f"PIL.{name}")
        except ImportError:           # an older Pillow without AVIF: such files are "cannot be read"
            pass


def open_image(path: Path, settings: ImageSettings, data: bytes | None = None):
    """Open (header only) and check the pixel limit before anything is decoded.

    data, when given, is the file's content already read (the worker hashes the same bytes).
    """
    from PIL import Image
    _register_plugins(path, data)
    Image.MAX_IMAGE_PIXELS = None  # checked here against our own, configurable limit
    if (len(data) if data is not None else path.stat().st_size) == 0:
        raise ImageError("is empty (0 bytes); copy the photo again from the original")
    try:
        _load_plugins()
        im = Image.open(io.BytesIO(data) if data is not None else path, formats=[f for f in ALLOWED_FORMATS if f in Image.OPEN])
    except Exception as exc:  # Pillow raises many types for unreadable input
        raise ImageError(f"cannot be read as an image ({type(exc).__name__}); "
                         "use a JPEG, PNG, WebP, TIFF, HEIC or AVIF file") from None
    width, height = im.size
    if width * height > settings.max_pixels:
        im.close()
        raise ImageError(f"is {width}x{height} = {width * height:,} pixels, over the limit of "
                         f"{settings.max_pixels:,}; resize it or raise images.max_pixels in gallery.yaml")
    return im


def _draft(im, settings: ImageSettings, mode: str) -> None:
    """Let libjpeg scale by 1/2, 1/4 or 1/8 while decoding, never below the largest published size."""
    scale = max(settings.sizes) / max(im.size)
    if scale < 1:
        im.draft(mode, (max(1, int(im.size[0] * scale)), max(1, int(im.size[1] * scale))))


@contextlib.contextmanager
def _decoding(im):
    """Turn any decoder failure into an ImageError the user can act on; always close the file."""
    try:
        yield im
    except ImageError:
        raise
    except Exception as exc:
        raise ImageError(f"cannot be decoded ({exc}); the file may be truncated or damaged, "
                         "copy it again from the original") from None
    finally:
        im.close()


def decode_upright(path: Path, settings: ImageSettings, data: bytes | None = None):
    """Decode (at reduced size when the JPEG allows), apply orientation, convert to sRGB RGB."""
    from PIL import ImageOps
    with _decoding(open_image(path, settings, data)) as im:
        if im.format in ("JPEG", "MPO") and im.mode in ("RGB", "L", "YCbCr"):
            _draft(im, settings, "RGB")
        icc = im.info.get("icc_profile")
        im.load()
        upright = ImageOps.exif_transpose(im)
    return _to_srgb(upright, icc, settings.background)


def decode_largest(path: Path, settings: ImageSettings, regions=(), data: bytes | None = None):
    """The largest published size, upright, sRGB, redacted, from one decode.

    A plain RGB or greyscale JPEG (nearly every phone photo) is decoded at the smallest JPEG draft
    scale that still covers the largest size, shrunk, and only then turned upright and converted,
    so those steps touch a quarter of the pixels or fewer. Anything else, and any photo with
    redactions (painted before shrinking, so nothing of a redacted region blurs into its edge), is
    made upright first.
    """
    from PIL import ImageOps
    if not regions:
        with _decoding(open_image(path, settings, data)) as im:
            if im.format in ("JPEG", "MPO") and im.mode in ("RGB", "L"):
                _draft(im, settings, im.mode)
                icc = im.info.get("icc_profile")
                im.load()
                shrunk = _shrink(im, settings)
                # in place: no copy for an upright photo (shrunk is ours: the decode or its resize);
                # _to_srgb then copies the pixels alone into a fresh image
                ImageOps.exif_transpose(shrunk, in_place=True)
                return _to_srgb(shrunk, icc, settings.background)
    im = decode_upright(path, settings, data)
    if regions:
        redact(im, regions)
    return _shrink(im, settings)


def _shrink(im, settings: ImageSettings):
    """im resized to the largest published size (im itself when it is no larger)."""
    from PIL import Image
    dim = target_sizes(im.size, settings.sizes)[-1]
    if dim == im.size:
        return im
    # After JPEG draft decoding the last step is small (2016 -> 1280 px for a 12 MP photo): a Hamming
    # filter is as clean there and half the cost of Lanczos. Larger reductions keep Lanczos.
    small_step = max(im.size) < 2 * max(dim)
    return im.resize(dim, Image.Resampling.HAMMING if small_step else Image.Resampling.LANCZOS, reducing_gap=3.0)


def _to_srgb(im, icc: bytes | None, background: str):
    from PIL import Image
    if im.mode.startswith("I;16") or im.mode == "I":
        im = im.point(lambda v: v * (1 / 256)).convert("L")
    elif im.mode == "F":
        im = im.convert("L")
    if "transparency" in im.info or im.mode in ("LA", "La", "PA", "RGBa"):
        im = im.convert("RGBA")
    elif im.mode not in ("RGB", "RGBA", "CMYK", "L"):
        im = im.convert("RGB")
    if icc:
        im = _apply_profile(im, icc)
    if im.mode == "RGBA":
        flat = Image.new("RGB", im.size, background)
        flat.paste(im, mask=im.getchannel("A"))
        im = flat
    # a fresh image holding only pixels: no info, no EXIF, no profile travels on
    fresh = Image.new("RGB", im.size)
    fresh.paste(im if im.mode == "RGB" else im.convert("RGB"))
    return fresh


def _apply_profile(im, icc: bytes):
    from PIL import ImageCms
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        out_mode = "RGBA" if im.mode == "RGBA" else "RGB"
        if im.mode == "L" and source.profile.xcolor_space.strip() != "GRAY":
            return im
        return ImageCms.profileToProfile(im, source, ImageCms.createProfile("sRGB"),
                                         renderingIntent=ImageCms.Intent.PERCEPTUAL, outputMode=out_mode)
    except Exception:  # an unusable profile: the pixels are taken as sRGB
        return im


def redact(im, regions) -> None:
    """Paint each [x, y, w, h] fraction region solid, rounding outwards so nothing peeks through."""
    import math

    from PIL import ImageDraw
    draw = ImageDraw.Draw(im)
    width, height = im.size
    for x, y, w, h in regions:
        box = (math.floor(x * width), math.floor(y * height),
               math.ceil((x + w) * width) - 1, math.ceil((y + h) * height) - 1)
        draw.rectangle(box, fill=REDACT_COLOUR)


def target_sizes(size: tuple[int, int], bounds: tuple[int, ...]) -> list[tuple[int, int]]:
    """Output dimensions for each long-side bound, never upscaling, without duplicates."""
    width, height = size
    long_side = max(width, height)
    dims: list[tuple[int, int]] = []
    for bound in sorted(bounds):
        scale = min(1.0, bound / long_side)
        dim = (max(1, round(width * scale)), max(1, round(height * scale)))
        if dim not in dims:
            dims.append(dim)
    return dims


def encode(im, fmt: str, settings: ImageSettings) -> bytes:
    buf = io.BytesIO()
    if fmt == "jpeg":
        im.save(buf, "JPEG", quality=settings.jpeg_quality, subsampling="4:2:0", optimize=False,
                progressive=False)
    elif fmt == "webp":
        im.save(buf, "WEBP", quality=settings.webp_quality, method=settings.webp_method)
    elif fmt == "avif":
        im.save(buf, "AVIF", quality=settings.webp_quality, speed=8)
    else:  # pragma: no cover - config validation prevents this
        raise ValueError(fmt)
    return buf.getvalue()


def placeholder_colour(im) -> str:
    from PIL import Image
    r, g, b = im.resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    return f"#{r:02x}{g:02x}{b:02x}"


def read_source(job: ImageJob) -> tuple[ImageJob, bytes | None, str | None]:
    """For a job without a key (a photo not seen before): read the photo once, hash those bytes and
    key the job by them, so the same bytes are hashed and decoded. Returns (job, data, digest)."""
    if job.key is not None:
        return job, None, None
    path = Path(job.source)
    try:
        size = path.stat().st_size
        if size > WHOLE_READ_LIMIT:             # very large files: hash by streaming, decode from the file
            digest, data = file_hash(path), None
        else:
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
    except OSError as exc:
        raise ImageError(f"cannot be read ({exc.strerror}); check the file is there and readable") from None
    return replace(job, key=job_key(job.item_id, digest, job.settings, job.redact)), data, digest


def process(job: ImageJob, cache_dir: str) -> ImageResult:
    """Make every published size and format of one photo into cache_dir/<key>/. Runs in a worker."""
    return process_source(job, cache_dir)[0]


def process_source(job: ImageJob, cache_dir: str, threads: int = 1) -> tuple[ImageResult, str | None, bool]:
    """process(), also returning the photo's SHA-256 when the worker computed it (job.key None),
    and whether the images were made (False: a photo hashed again found them in the cache).

    threads: encode the files of this one photo in that many threads (Pillow's encoders release
    the GIL): for a build with a single photo to make, where the other cores would sit idle.
    """
    job, data, digest = read_source(job)
    done = load_cached(job, cache_dir)
    if done is not None:
        return done, digest, False
    return _make(job, cache_dir, data, threads), digest, True


def _make(job: ImageJob, cache_dir: str, data: bytes | None, threads: int = 1) -> ImageResult:
    from PIL import Image
    largest = decode_largest(Path(job.source), job.settings, job.redact, data)
    del data
    dims = target_sizes(largest.size, job.settings.sizes)
    encoded = []
    stem = f"{job.item_id}-{job.key[:10]}"
    colour = "#808080"
    sized = largest
    with _encoders(threads) as pool:     # the same bytes either way: only the order of work differs
        for dim in reversed(dims):       # each size from the next larger one
            if dim != sized.size:
                # a box reduction by the whole factor, then Lanczos for the rest: 3-4x faster than
                # Lanczos all the way (13 vs 48 ms for 1600 -> 480 px) and as clean at these sizes
                sized = sized.resize(dim, Image.Resampling.LANCZOS, reducing_gap=1.0)
            if dim == dims[0]:
                colour = placeholder_colour(sized)
            for n, fmt in enumerate(job.settings.formats):
                name = f"{stem}-{dim[0]}.{EXTENSIONS[fmt]}"
                # Image.save keeps its options on the image object: concurrent saves each need their own
                own = sized.copy() if n and threads > 1 else sized
                encoded.append((fmt, dim, name, pool.submit(encode, own, fmt, job.settings)))
        files = {name: future.result() for _, _, name, future in encoded}
    variants = [Variant(fmt, dim[0], dim[1], name, len(files[name])) for fmt, dim, name, _ in encoded]
    variants.sort(key=lambda v: (v.width, job.settings.formats.index(v.format)))
    result = ImageResult(job.item_id, job.key, largest.size[0], largest.size[1], colour, tuple(variants))
    del largest, sized, encoded      # nothing is held once the files are written
    _store(cache_dir, job.key, files, result)
    return result


@contextlib.contextmanager
def _encoders(threads: int):
    """A thread pool for the encodes, or for one thread a stand-in that encodes at once."""
    from concurrent.futures import Future, ThreadPoolExecutor
    if threads < 2:
        class Now:
            def submit(self, fn, *args) -> Future:
                done: Future = Future()
                done.set_result(fn(*args))
                return done
        yield Now()
        return
    with ThreadPoolExecutor(max_workers=threads) as pool:
        yield pool


def _meta(result: ImageResult) -> dict:
    return asdict(result)


def _store(cache_dir: str, key: str, files: dict[str, bytes], result: ImageResult) -> None:
    final = Path(cache_dir) / key
    tmp = Path(tempfile.mkdtemp(prefix=f".{key[:10]}-", dir=cache_dir))
    for name, data in files.items():
        (tmp / name).write_bytes(data)
    (tmp / "meta.json").write_text(json.dumps(_meta(result), sort_keys=True))
    try:
        os.rename(tmp, final)
    except OSError:  # another worker stored the same key first
        shutil.rmtree(tmp, ignore_errors=True)


def load_cached(job: ImageJob, cache_dir: str, meta: dict | None = None) -> ImageResult | None:
    """The cached result for job.key, or None when missing or damaged (then it is made again).

    meta: the folder's meta.json as the build's image index remembers it (saves reading it).
    """
    folder = os.path.join(cache_dir, job.key)
    try:
        if meta is None:
            with open(os.path.join(folder, "meta.json"), encoding="utf-8") as fh:
                meta = json.load(fh)
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
