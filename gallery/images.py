"""Published pixels, never published files: decode, make upright, sRGB, redact, re-encode.

Plain functions that take a source and settings and return pixels or encoded bytes (sigal's
image.py is the model); imagecache runs them in worker processes and keeps what they make.
"""

from __future__ import annotations

import contextlib
import io
import os
import struct
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path

from .config import ImageSettings

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "TIFF", "HEIF", "AVIF")  # JPEG includes MPO
EXTENSIONS = {"jpeg": "jpg", "webp": "webp", "avif": "avif"}
MIME = {"jpeg": "image/jpeg", "webp": "image/webp", "avif": "image/avif"}
REDACT_COLOUR = (0, 0, 0)
# what Pillow raises for a damaged file or value (anything else is a bug of ours, and is raised)
DAMAGED = (OSError, ValueError, TypeError, KeyError, IndexError, SyntaxError, EOFError, struct.error,
           zlib.error, ZeroDivisionError, OverflowError)
UNDECODABLE = (*DAMAGED, RuntimeError)  # around Pillow's own opening and decoding only (AVIF: RuntimeError)


class ImageError(Exception):
    """A photo that cannot be published (unreadable, truncated, too large...)."""


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


HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"mif2")


def _head(path: Path, data: bytes | io.BufferedReader | None) -> bytes:
    """The file's first 16 bytes (b"" when it cannot be read: opening it says why)."""
    if data is not None:   # the bytes read, or the photo open (pread: its position is not moved)
        return data[:16] if isinstance(data, bytes) else os.pread(data.fileno(), 16, 0)
    try:
        with open(path, "rb") as fh:
            return fh.read(16)
    except OSError:
        return b""


def is_heif(path: Path, data: bytes | io.BufferedReader | None = None) -> bool:
    """Whether the file says it is HEIF (HEIC) in its first 12 bytes."""
    head = _head(path, data)
    return head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS


def register_plugins(path: Path, data: bytes | io.BufferedReader | None = None) -> None:
    """pillow-heif costs ~0.1 s to import: load it only for a file that says it is HEIF (if it is
    missing: an ImportError, which build.py names, never "this HEIC file cannot be read")."""
    if is_heif(path, data):
        import pillow_heif
        pillow_heif.register_heif_opener()


def require_libraries(heif: bool) -> None:
    """Import Pillow (and pillow-heif, for HEIF photos) here, before the image workers start: one that
    cannot be imported is an ImportError build.py names, not a broken pool (workers fork from here)."""
    import PIL.Image  # noqa: F401
    if heif:
        import pillow_heif  # noqa: F401


@contextlib.contextmanager
def library_warnings(notes: list[str]):
    """Pillow's and pillow-heif's warnings about a damaged file ("Corrupt EXIF data...") as one-line
    notes, never printed: that metadata is never published, and they name a library file."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            for warning in caught:
                text = " ".join(str(warning.message).split())
                if text not in notes:
                    notes.append(text)


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


def open_image(path: Path, settings: ImageSettings, data: bytes | io.BufferedReader | None = None):
    """Open (header only) and check the pixel limit before anything is decoded.

    data, when given, is the file's content read, or the file open (the worker hashes the same bytes).
    """
    from PIL import Image
    register_plugins(path, data)
    Image.MAX_IMAGE_PIXELS = None  # checked here against our own, configurable limit
    if (len(data) if isinstance(data, bytes) else data.seek(0, io.SEEK_END) if data else path.stat().st_size) == 0:
        raise ImageError("is empty (0 bytes); copy the photo again from the original")
    try:
        _load_plugins()
        formats = [f for f in ALLOWED_FORMATS if f in Image.OPEN]
        im = Image.open(io.BytesIO(data) if isinstance(data, bytes) else data or path, formats=formats)
    except UNDECODABLE as exc:  # Pillow raises many types for unreadable input
        raise ImageError(_unopenable(path, data, exc)) from None
    width, height = im.size
    if width * height > settings.max_pixels:
        im.close()
        raise ImageError(f"is {width}x{height} = {width * height:,} pixels, over the limit of "
                         f"{settings.max_pixels:,}; resize it or raise images.max_pixels in gallery.yaml")
    return im


SIGNATURES = ((b"\xff\xd8\xff", "JPEG"), (b"\x89PNG\r\n\x1a\n", "PNG"), (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"))


def _unopenable(path: Path, data: bytes | io.BufferedReader | None, exc: BaseException) -> str:
    """Why Image.open failed, for the user: a damaged file of a type we read, or another type."""
    data = _head(path, data)
    kind = next((kind for signature, kind in SIGNATURES if data.startswith(signature)), None)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        kind = "WebP"
    elif data[4:8] == b"ftyp" and data[8:12] in (b"avif", b"avis", *HEIF_BRANDS):
        kind = "AVIF" if data[8:12] in (b"avif", b"avis") else "HEIC"
    if kind is None:
        return f"cannot be read as an image ({type(exc).__name__}); use a JPEG, PNG, WebP, TIFF, HEIC or AVIF file"
    return (f"is {'an' if kind == 'AVIF' else 'a'} {kind} file that cannot be opened ({type(exc).__name__}): it is "
            "damaged, perhaps only in its metadata; copy it again from the original, or open it in an image editor "
            "and save it as a new file")


def _draft(im, settings: ImageSettings, mode: str, least: int | None = None) -> None:
    """Let libjpeg scale by 1/2, 1/4 or 1/8 while decoding, never below least or the largest published size."""
    scale = (least or max(settings.sizes)) / max(im.size)
    if scale < 1:
        im.draft(mode, (max(1, int(im.size[0] * scale)), max(1, int(im.size[1] * scale))))


@contextlib.contextmanager
def _decoding():
    """A decoder's failure on a damaged file as an ImageError the user can act on (Pillow's own decoding
    only runs inside: a failure of our resizing or colour code is a bug, and raised)."""
    try:
        yield
    except UNDECODABLE as exc:
        raise ImageError(f"cannot be decoded ({exc}); the file may be truncated or damaged, "
                         "copy it again from the original") from None


def _decode(im, settings: ImageSettings, draft: str | None = None, least: int | None = None) -> bytes | None:
    """Load im's pixels (decoded at a reduced scale into the mode draft, when given); returns its ICC profile."""
    with _decoding():
        if draft is not None:
            _draft(im, settings, draft, least)
        icc = im.info.get("icc_profile")
        im.load()
    return icc


def decode_upright(path: Path, settings: ImageSettings, data: bytes | io.BufferedReader | None = None, regions=(),
                   least: int | None = None):  # least: the longer side the caller needs
    """Decode (reduced when the JPEG allows: see _draft), apply orientation, convert to sRGB RGB."""
    with open_image(path, settings, data) as im:
        plain_jpeg = im.format in ("JPEG", "MPO") and im.mode in ("RGB", "L", "YCbCr")
        icc = _decode(im, settings, "RGB" if plain_jpeg else None, least)
        return _to_srgb(upright(im, _turn(im, regions)), icc, settings.background)


def _turn(im, regions) -> int:
    """The EXIF orientation turn of im; with redact regions, a damaged one is refused (fail closed: the
    regions could be painted on the wrong part)."""
    turn = orientation(im)
    if turn is None and regions:
        raise ImageError("has a damaged EXIF orientation, so which way up its redact regions were drawn is not "
                         "certain; turn the photo upright in an image editor and save it, check the regions "
                         "with python build.py serve --drafts, and build again")
    return turn or 1


def decode_both(path: Path, settings: ImageSettings, data: bytes | io.BufferedReader, regions=(),
                least: int | None = None):
    """One decode for the screen and the image stage: (the picture decode_upright(path, settings,
    data, regions, least) gives, a function giving the largest published size as decode_largest
    gives it, to be called once the picture is screened), or None when the two stages would decode
    the photo differently (a JPEG the image stage decodes at a smaller scale or in greyscale, a
    file too large to hold in memory). Either way the pixels are exactly the two functions' own."""
    if not isinstance(data, bytes):
        return None
    with open_image(path, settings, data) as im, open_image(path, settings, data) as probe:
        plain = im.format in ("JPEG", "MPO") and im.mode in ("RGB", "L", "YCbCr")
        shrink_first = not regions and im.format in ("JPEG", "MPO") and im.mode in ("RGB", "L")   # decode_largest's
        if shrink_first and im.mode != "RGB":
            return None
        if plain:                              # the scales each stage decodes it at (headers only, nothing decoded)
            with _decoding():
                _draft(probe, settings, "RGB")
                _draft(im, settings, "RGB", least)
            if im.size != probe.size:
                return None
        icc = _decode(im, settings)
        turn = _turn(im, regions)
        picture = _to_srgb(upright(im, turn), icc, settings.background)
        if shrink_first:
            largest = _to_srgb(upright(_shrink(im, settings), turn), icc, settings.background)
            return picture, lambda: largest

    def redacted_largest():
        if regions:
            redact(picture, regions)
        return _shrink(picture, settings)
    return picture, redacted_largest


def decode_largest(path: Path, settings: ImageSettings, regions=(), data: bytes | io.BufferedReader | None = None):
    """The largest published size, upright, sRGB, redacted, from one decode.

    A plain RGB or greyscale JPEG (nearly every phone photo) is decoded at the smallest JPEG draft
    scale that still covers the largest size, shrunk, and only then turned upright and converted,
    so those steps touch a quarter of the pixels or fewer. Anything else, and any photo with
    redactions (painted before shrinking, so nothing of a redacted region blurs into its edge), is
    made upright first.
    """
    if not regions:
        with open_image(path, settings, data) as im:
            if im.format in ("JPEG", "MPO") and im.mode in ("RGB", "L"):
                icc = _decode(im, settings, im.mode)
                # shrunk is ours (the decode or its resize); _to_srgb copies the pixels alone into a
                # fresh image, so nothing of the file's metadata travels on
                return _to_srgb(upright(_shrink(im, settings), orientation(im) or 1), icc, settings.background)
    im = decode_upright(path, settings, data, regions)
    if regions:
        redact(im, regions)
    return _shrink(im, settings)


# EXIF orientation -> the turn that shows the picture upright (1, and any other value: as stored)
TURNS = {2: "FLIP_LEFT_RIGHT", 3: "ROTATE_180", 4: "FLIP_TOP_BOTTOM", 5: "TRANSPOSE", 6: "ROTATE_270",
         7: "TRANSVERSE", 8: "ROTATE_90"}


def orientation(im) -> int | None:
    """A decoded image's EXIF orientation (or XMP tiff:Orientation, which Pillow also reads): 1-8, 1
    when there is none, None when it is damaged (0, 9, text, a fraction, an EXIF block Pillow cannot
    read). A damaged one is shown as stored, as browsers and photo viewers show it, not refused
    (Pillow's exif_transpose would also write the damaged EXIF back, and fail on a NaN rational)."""
    try:
        value = im.getexif().get(0x0112, 1)
    except DAMAGED:
        return None
    return value if type(value) is int and 1 <= value <= 8 else None


def upright(im, turn: int):
    """im turned by an EXIF orientation (im itself for 1); no metadata is read or written."""
    from PIL import Image
    method = TURNS.get(turn)
    return im if method is None else im.transpose(Image.Transpose[method])


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
    except (ImageCms.PyCMSError, *DAMAGED):  # an unusable profile: the pixels are taken as sRGB
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
    """Output dimensions for each long-side bound, never upscaling, one per width.

    Files are named by their width and a srcset tells sizes apart by width alone, so two sizes may
    not share one: for a very tall, thin picture (1x65000) several bounds give the same width,
    and only the largest of them is kept.
    """
    width, height = size
    long_side = max(width, height)
    dims: list[tuple[int, int]] = []
    for bound in sorted(bounds):
        scale = min(1.0, bound / long_side)
        dim = (max(1, round(width * scale)), max(1, round(height * scale)))
        if dims and dims[-1][0] == dim[0]:
            dims[-1] = dim
        else:
            dims.append(dim)
    return dims
