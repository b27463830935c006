"""Strings from a source photo's metadata that must never appear in the site's text (the only Pillow user)."""

from __future__ import annotations

import logging
import math
import os
import re
import struct
import warnings
import zlib
from pathlib import Path

from ..ids import camera_like
from .findings import Needle

log = logging.getLogger(__name__)

# EXIF tags (IFD0, Exif IFD) whose values identify a camera, a person, a place or a moment.
IFD0_TAGS = {0x010E: "EXIF ImageDescription", 0x0110: "EXIF Model", 0x0131: "EXIF Software",
             0x0132: "EXIF DateTime", 0x013B: "EXIF Artist", 0x013C: "EXIF HostComputer",
             0x8298: "EXIF Copyright", 0x9C9B: "EXIF XPTitle", 0x9C9C: "EXIF XPComment", 0x9C9D: "EXIF XPAuthor",
             0x9C9F: "EXIF XPSubject", 0xC62F: "EXIF CameraSerialNumber"}
EXIF_TAGS = {0x9003: "EXIF DateTimeOriginal", 0x9004: "EXIF DateTimeDigitized", 0x9286: "EXIF UserComment",
             0xA420: "EXIF ImageUniqueID", 0xA430: "EXIF CameraOwnerName", 0xA431: "EXIF BodySerialNumber",
             0xA434: "EXIF LensModel", 0xA435: "EXIF LensSerialNumber"}
XMP_NAMES = {"Model", "SerialNumber", "LensSerialNumber", "InternalSerialNumber", "CameraSerialNumber",
             "BodySerialNumber", "ImageUniqueID", "Lens", "LensModel", "LensInfo", "Software", "CreatorTool",
             "softwareAgent", "creator", "rights", "Artist", "City", "State", "Country", "Location",
             "Sublocation", "GPSLatitude", "GPSLongitude", "DocumentID", "InstanceID", "OriginalDocumentID",
             "DateCreated", "DateTimeOriginal", "CreateDate", "ModifyDate", "MetadataDate", "when", "Credit",
             "Source", "AuthorsPosition", "CaptionWriter", "OwnerName", "CameraOwnerName", "description",
             "title", "Headline", "UserComment", "HostComputer", "CiAdrExtadr", "CiAdrCity", "CiEmailWork",
             "CiTelWork", "CiUrlWork", "Owner", "History", "DerivedFrom", "documentID", "instanceID", "parameters"}
IPTC_DATASETS = {5: "object name", 80: "by-line", 85: "by-line title", 90: "city", 92: "sub-location",
                 95: "province/state", 101: "country", 103: "transmission reference", 105: "headline",
                 110: "credit", 115: "source", 116: "copyright", 118: "contact", 120: "caption",
                 122: "caption writer"}
GENERIC = {"unknown", "none", "default", "untitled", "copyright", "digital camera", "olympus digital camera",
           "sony dsc", "camera", "picasa", "image/jpeg", "image/png", "saved", "converted", "created",
           "derived", "true", "false"}
_XMP_ELEMENT = re.compile(r"<(?:[\w.-]+:)?([\w.-]+)(?:\s[^>]*)?>([^<]+)</(?:[\w.-]+:)?\1>")
_XMP_ATTRIBUTE = re.compile(r"(?:[\w.-]+:)?([\w.-]+)\s*=\s*\"([^\"]*)\"")
_XMP_ITEM = re.compile(r"<(?:[\w.-]+:)?([\w.-]+)(?:\s[^>]*)?>\s*<rdf:(?:Seq|Bag|Alt)[^>]*>(.*?)</rdf:(?:Seq|Bag|Alt)>",
                       re.S)
_XMP_LI = re.compile(r"<rdf:li[^>]*>([^<]+)</rdf:li>")


class Unreadable(Exception):
    """A source photo whose metadata cannot be read: the audit cannot say that none of it is published."""


# what Pillow and our parsers raise on a damaged file or value (anything else is a bug, and raised)
DAMAGED = (OSError, ValueError, TypeError, KeyError, IndexError, SyntaxError, struct.error, zlib.error,
           ZeroDivisionError, OverflowError, EOFError)


def source_needles(path: Path, photos: Path | None = None) -> list[Needle]:
    """Strings from one source photo's metadata that must never appear in the site's text.

    The photo is read through paths.open_photo: inside photos (the photos folder; None: anywhere)
    as it is opened, and every byte read from that one open file. Raises Unreadable when the file cannot be
    opened as an image at all, or is no longer the file inside photos that was checked.
    """
    pairs = [(path.name, "file name")]
    if camera_like(path.stem):      # the rule item ids follow, so a stem that is a valid id is never searched
        pairs.append((path.stem, "file name"))
    pairs.extend(_metadata_pairs(path, photos))
    needles: dict[str, Needle] = {}
    for value, what in pairs:
        for text in _variants(value, what):
            if _distinctive(text) and text.lower() not in needles:
                needles[text.lower()] = Needle(text, what, path)
    return list(needles.values())


def _metadata_pairs(path: Path, photos: Path | None) -> list[tuple[str, str]]:
    """(value, what) for every identifying value; a damaged part or value is skipped, not the rest."""
    from PIL import Image

    from ..images import UNDECODABLE, register_plugins
    from ..paths import PhotoMoved, open_photo
    try:
        fh = open_photo(path, photos, "metadata")
    except PhotoMoved as exc:
        raise Unreadable(str(exc)) from None
    except OSError as exc:
        raise Unreadable(f"cannot be read ({exc.strerror})") from None
    with fh, warnings.catch_warnings():     # Pillow warns about damaged EXIF; a skipped value says enough
        warnings.simplefilter("ignore")
        register_plugins(path, fh)
        try:
            im = Image.open(fh)
        except UNDECODABLE as exc:
            raise Unreadable(f"cannot be opened as an image ({type(exc).__name__})") from None
        with im:
            pairs = [pair for part in (_exif_pairs, _xmp_image_pairs, _iptc_pairs, _png_pairs, _comment_pairs)
                     for pair in _guarded(part, im, path)]
    return [(v, w) for v, w in pairs if v]


def _guarded(part, im, path: Path) -> list[tuple[str, str]]:
    try:
        return part(im, path)
    except DAMAGED as exc:
        log.debug("%s: %s skipped (%s: %s)", path, part.__name__, type(exc).__name__, exc)
        return []


def _value(mapping, tag: int) -> str:
    """One tag's value as text; "" when it is missing or damaged."""
    try:
        return _text(mapping.get(tag))
    except DAMAGED:
        return ""


def _ifd(exif, tag: int):
    try:
        return exif.get_ifd(tag)
    except DAMAGED:
        return {}


def _exif_pairs(im, path: Path) -> list[tuple[str, str]]:
    from PIL import Image
    if im.format == "PNG":
        exif = Image.Exif()
        png_exif = _png_chunks(_whole(im))[0]
        if png_exif:
            exif.load(png_exif)
    else:
        exif = im.getexif()
    pairs = []
    make, model = _value(exif, 0x010F), _value(exif, 0x0110)
    if make and model:
        pairs.append((f"{make} {model}", "EXIF Make and Model"))
    pairs.extend((_value(exif, tag), what) for tag, what in IFD0_TAGS.items())
    sub = _ifd(exif, 0x8769)
    pairs.extend((_value(sub, tag), what) for tag, what in EXIF_TAGS.items())
    pairs.extend(_gps_pairs(_ifd(exif, 0x8825)))
    pairs.extend(_guarded(lambda _im, _path: _maker_note_pairs(sub.get(0x927C)), im, path))
    return pairs


def _xmp_image_pairs(im, path: Path) -> list[tuple[str, str]]:
    return _xmp_pairs(_xmp_bytes(im))


def _png_pairs(im, path: Path) -> list[tuple[str, str]]:
    if im.format != "PNG":
        return []
    pairs = []
    for key, value in _png_chunks(_whole(im))[1]:        # every chunk, even two with the same keyword
        if key == "XML:com.adobe.xmp":
            pairs.extend(_xmp_pairs(value))
        elif not key.startswith("icc:"):
            pairs.append((_text(value), f"PNG text '{key}'"))
    return pairs


def _comment_pairs(im, path: Path) -> list[tuple[str, str]]:
    """Every JPEG COM segment (Pillow's info keeps only the last), or another format's comment."""
    comments = [value for marker, value in getattr(im, "applist", ()) if marker == "COM"]
    if not comments and im.info.get("comment"):
        comments = [im.info["comment"]]
    return [(_text(comment), "JPEG comment") for comment in comments]


def _whole(im) -> bytes:
    """Every byte of the open photo im was opened from (os.pread: Pillow's place in it is not moved)."""
    fd = im.fp.fileno()
    return os.pread(fd, os.fstat(fd).st_size, 0)


def _png_chunks(data: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    """A PNG's eXIf chunk and its text chunks as (keyword, text bytes), found by walking the chunks
    (Pillow would decode every pixel to reach those after the image data). A damaged chunk is
    skipped, not the others."""
    exif, texts, pos = b"", [], 8
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        try:
            if kind == b"eXIf":
                exif = body
            elif kind in (b"tEXt", b"zTXt", b"iTXt"):
                key, _, rest = body.partition(b"\x00")
                texts.append((key.decode("latin-1"), _png_text(kind, rest)))
        except DAMAGED as exc:
            log.debug("PNG chunk %r at byte %d skipped (%s)", kind, pos, exc)
        pos += 12 + length
    return exif, texts


def _png_text(kind: bytes, rest: bytes) -> bytes:
    if kind == b"tEXt":
        return rest
    if kind == b"zTXt":
        return _inflate(rest[1:])
    compressed, rest = rest[0], rest[2:]
    _lang, _, rest = rest.partition(b"\x00")
    _translated, _, text = rest.partition(b"\x00")
    return _inflate(text) if compressed else text


def _inflate(data: bytes) -> bytes:
    """zlib data, at most 1 MB of it (a compressed text chunk can be a decompression bomb)."""
    return zlib.decompressobj().decompress(data, 1 << 20)


def _text(value) -> str:
    """A metadata value as the text a page would show: bytes in whatever encoding the device used."""
    if isinstance(value, str) and max(value, default="\x00") <= "\xff":
        value = value.encode("latin-1")     # Pillow reads EXIF ASCII as latin-1: often UTF-8 or UTF-16
    if isinstance(value, bytes):
        value = _decode(value)
    if isinstance(value, (list, tuple)):
        return " ".join(_text(v) for v in value)
    if value is None:
        return ""
    return " ".join(str(value).replace("\x00", " ").split())


_USER_COMMENT = {b"ASCII\x00\x00\x00": "latin-1", b"UNICODE\x00": "utf-16", b"\x00" * 8: "latin-1",
                 b"JIS\x00\x00\x00\x00\x00": "shift_jis"}


def _decode(raw: bytes) -> str:
    """UTF-8, else UTF-16 (with a byte-order mark, or as XP* tags write it: every other byte 0),
    else latin-1; an EXIF UserComment says its own character code in its first 8 bytes."""
    if raw[:8] in _USER_COMMENT:
        return raw[8:].decode(_USER_COMMENT[raw[:8]], errors="ignore").lstrip("\ufeff")
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return raw.decode("utf-16", errors="ignore")
    if len(raw) > 1 and raw[1::2].count(0) > len(raw) // 4:
        return raw.decode("utf-16-le", errors="ignore")
    if len(raw) > 1 and raw[0::2].count(0) > len(raw) // 4:
        return raw.decode("utf-16-be", errors="ignore")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


_MAKER_TEXT = re.compile(rb"[A-Za-z0-9 ._/=#-]{6,}")


def _maker_note_pairs(note) -> list[tuple[str, str]]:
    """Serial-number-like text in a maker note (Olympus, Canon, Nikon keep serials as ASCII there)."""
    if not isinstance(note, bytes):
        return []
    pairs = []
    for run in _MAKER_TEXT.findall(note):
        text = run.decode("ascii").strip()
        has_digit, has_alpha = any(c.isdigit() for c in text), any(c.isalpha() for c in text)
        hexish = re.fullmatch(r"[0-9a-fA-F]+", text) is not None
        if (has_digit and has_alpha and not (hexish and len(text) < 12)) or (text.isdigit() and len(text) >= 8):
            pairs.append((text, "maker note text (serial number?)"))
    return pairs


def _gps_pairs(gps) -> list[tuple[str, str]]:
    pairs = []
    for tag, what in ((2, "GPS latitude"), (4, "GPS longitude")):
        try:
            value = gps.get(tag)
            degrees = float(value[0]) + float(value[1]) / 60 + float(value[2]) / 3600
        except DAMAGED:
            continue
        if math.isfinite(degrees):          # a rational 0/0 (no fix) reads as NaN: not a position
            pairs.append((f"{degrees:.6f}", what))
    return pairs


def _xmp_bytes(im) -> bytes:
    for key in ("xmp", "XML:com.adobe.xmp"):
        value = im.info.get(key)
        if value:
            return value if isinstance(value, bytes) else str(value).encode()
    tags = getattr(im, "tag_v2", None)
    if tags is not None and 700 in tags:
        value = tags[700]
        return value if isinstance(value, bytes) else str(value).encode()
    return b""


def _xmp_pairs(xmp: bytes) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for text in _xmp_texts(xmp):
        for regex in (_XMP_ELEMENT, _XMP_ATTRIBUTE):
            pairs.extend((value, f"XMP {name}") for name, value in regex.findall(text) if name in XMP_NAMES)
        for name, body in _XMP_ITEM.findall(text):
            if name in XMP_NAMES:
                pairs.extend((value, f"XMP {name}") for value in _XMP_LI.findall(body))
    return [(_unescape(v), w) for v, w in pairs]


_WIDE = (("utf-32-le", b"<\x00\x00\x00"), ("utf-32-be", b"\x00\x00\x00<"), ("utf-16-le", b"<\x00"),
         ("utf-16-be", b"\x00<"))


def _xmp_texts(xmp: bytes) -> list[str]:
    """The XMP packet as text in every encoding it may be in: UTF-8 (latin-1 too when it is not
    valid UTF-8), and UTF-16 or UTF-32 when its first characters say so (the XMP standard allows
    them). A wrong guess finds nothing; a missed one would hide every value."""
    if not xmp:
        return []
    try:
        texts = [xmp.decode("utf-8")]
    except UnicodeDecodeError:
        texts = [xmp.decode("utf-8", errors="ignore"), xmp.decode("latin-1")]
    codec = next((codec for codec, signature in _WIDE if signature in xmp[:64]), None)
    if codec is not None:
        texts.append(xmp.decode(codec, errors="ignore").lstrip("\ufeff"))
    return texts


def _unescape(value: str) -> str:
    import html
    return " ".join(html.unescape(value).split())


def _iptc_pairs(im, path: Path) -> list[tuple[str, str]]:
    return [(_text(value), f"IPTC {IPTC_DATASETS[dataset]}") for record, dataset, value in _iim(_iptc_bytes(im))
            if record == 2 and dataset in IPTC_DATASETS]


def _iptc_bytes(im) -> bytes:
    """The IPTC-NAA (IIM) block: in a JPEG's Photoshop resource 0x0404, or a TIFF's tag 33723 (raw:
    Photoshop tags it as 4-byte integers, hence Pillow's own getiptcinfo reads _tagdata too)."""
    photoshop = im.info.get("photoshop")
    if isinstance(photoshop, dict):
        return photoshop.get(0x0404) or b""
    tags = getattr(im, "tag_v2", None)
    return getattr(tags, "_tagdata", {}).get(33723, b"") if tags is not None else b""


def _iim(data: bytes):
    """(record, dataset, value) of each IIM dataset. Pillow's reader gives up at the first damaged
    one; here a damaged length gives what is there and bytes that are not a dataset are skipped to
    the next tag marker, so one damaged value does not hide the others."""
    pos = data.find(b"\x1c")
    while 0 <= pos and pos + 5 <= len(data):
        record, dataset, size = data[pos + 1], data[pos + 2], struct.unpack(">H", data[pos + 3:pos + 5])[0]
        pos += 5
        if size & 0x8000:                  # an extended dataset: the length is in the next bytes
            count = size & 0x7FFF
            size, pos = int.from_bytes(data[pos:pos + min(count, 8)], "big"), pos + count
        yield record, dataset, data[pos:pos + size]
        pos = data.find(b"\x1c", pos + size) if pos + size < len(data) else -1


_DATETIME = re.compile(r"^(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2})")


def _variants(value: str, what: str) -> list[str]:
    """The forms in which a value could show up on a page."""
    value = value.strip()
    match = _DATETIME.match(value)
    if match:
        y, mo, d, h, mi = match.groups()
        return [value, f"{y}:{mo}:{d} {h}:{mi}", f"{y}-{mo}-{d} {h}:{mi}", f"{y}-{mo}-{d}T{h}:{mi}"]
    if what.startswith("GPS"):
        number = float(value)
        if abs(number) < 0.001 or abs(number - round(number)) < 0.0005:
            return []  # 0 or whole degrees: placeholders, not a position
        return [f"{int(abs(number) * 1000) / 1000:.3f}", f"{abs(number):.3f}"]
    if re.fullmatch(r"\d{4}[:-]\d{2}[:-]\d{2}", value):
        return []  # a date alone also appears in sitemaps and captions; only date-times are searched
    return [value]


def _distinctive(text: str) -> bool:
    low = text.lower()
    if low in GENERIC or len(low) < 4:
        return False
    return any(c.isalpha() for c in low) or len(low) >= 6 or bool(re.fullmatch(r"\d+\.\d{3}", low))
