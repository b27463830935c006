"""The committed camera files' structure: where each one keeps its metadata, and how to put a
crafted part (an EXIF block, an XMP packet, an ICC profile, a PNG chunk) into one.

Used by tests/camerafuzz.py. Pure byte walking, except where the HEIF/AVIF data are found through
the library (the meta box says where they are, Pillow and pillow-heif already read it).
"""

from __future__ import annotations

import io
import json
import struct
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CAMERA = REPO / "tests" / "data" / "camera"
FILES = [entry["file"] for entry in json.loads((CAMERA / "manifest.json").read_text())]
BY_FORMAT = {fmt: [n for n in FILES if n.lower().endswith(ext)] for fmt, ext in
             (("jpeg", (".jpg", ".mpo")), ("png", (".png",)), ("webp", (".webp",)), ("heic", (".heic",)),
              ("avif", (".avif",)), ("tiff", (".tiff",)))}


@dataclass(frozen=True)
class Segment:
    part: str           # which needles it can carry: EXIF, XMP, IPTC, COMMENT, TEXT, NONE, ANY
    kind: str           # e.g. "JPEG APP1 Exif", "PNG iTXt"
    start: int          # payload bytes data[start:end]
    end: int
    chunk: int = -1     # PNG: where the chunk starts (its checksum is made right again)


# ---- where the metadata is ----------------------------------------------------------------------

def segments(data: bytes) -> list[Segment]:
    if data.startswith(b"\xff\xd8"):
        return _jpeg_segments(data)
    if data.startswith(b"\x89PNG"):
        return _png_segments(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_segments(data)
    if data[4:8] == b"ftyp":
        return _bmff_segments(data)
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return _tiff_segments(data)
    return []


_JPEG_PARTS = [(b"Exif\x00", "EXIF"), (b"http://ns.adobe.com/xap/1.0/\x00", "XMP"), (b"Photoshop 3.0\x00", "IPTC"),
               (b"ICC_PROFILE\x00", "NONE"), (b"MPF\x00", "NONE"), (b"JFIF\x00", "NONE"), (b"Adobe", "NONE")]


def _jpeg_segments(data: bytes) -> list[Segment]:
    found, pos = [], 2
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        length = struct.unpack(">H", data[pos + 2:pos + 4])[0]
        start, end = pos + 4, pos + 2 + length
        if marker == 0xDA or end > len(data):
            break
        payload = data[start:end]
        if marker == 0xFE:
            found.append(Segment("COMMENT", "JPEG COM", start, end))
        elif 0xE0 <= marker <= 0xEF:
            part = next((p for prefix, p in _JPEG_PARTS if payload.startswith(prefix)), "ANY")
            found.append(Segment(part, f"JPEG APP{marker - 0xE0} {payload[:12]!r}", start, end))
        pos = end
    return found


_PNG_STRUCTURE = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS"}
_PNG_PARTS = {b"eXIf": "EXIF", b"iCCP": "NONE", b"tEXt": "TEXT", b"zTXt": "TEXT", b"iTXt": "TEXT"}


def _png_segments(data: bytes) -> list[Segment]:
    found, pos = [], 8
    while pos + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind not in _PNG_STRUCTURE:
            part = _PNG_PARTS.get(kind, "NONE")
            if kind == b"iTXt" and data[pos + 8:pos + 25] == b"XML:com.adobe.xmp":
                part = "XMP"
            found.append(Segment(part, f"PNG {kind.decode('latin-1')}", pos + 8, pos + 8 + length, pos))
        pos += 12 + length
    return found


_WEBP_PARTS = {b"EXIF": "EXIF", b"XMP ": "XMP", b"ICCP": "NONE"}


def _webp_segments(data: bytes) -> list[Segment]:
    found, pos = [], 12
    while pos + 8 <= len(data):
        fourcc, size = struct.unpack("<4sI", data[pos:pos + 8])
        if fourcc in _WEBP_PARTS:
            found.append(Segment(_WEBP_PARTS[fourcc], f"WebP {fourcc.decode('latin-1')}", pos + 8, pos + 8 + size))
        elif fourcc == b"VP8X":
            found.append(Segment("ANY", "WebP VP8X flags", pos + 8, pos + 9))
        pos += 8 + size + (size & 1)
    return found


def _bmff_segments(data: bytes) -> list[Segment]:
    """The meta box, and the Exif, XMP and ICC data the library finds through it."""
    found, pos = [], 0
    while pos + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if size < 8:
            break
        if kind == b"meta":
            found.append(Segment("ANY", "HEIF/AVIF meta box", pos + 8, pos + size))
        pos += size
    for key, part in (("exif", "EXIF"), ("xmp", "XMP"), ("icc_profile", "NONE")):
        blob = _library_info(data).get(key)
        at = data.find(blob[:40]) if blob else -1
        if at >= 0:
            found.append(Segment(part, f"HEIF/AVIF {key} item", at, min(len(data), at + len(blob))))
    return found


def _library_info(data: bytes) -> dict:
    from PIL import Image

    from gallery.images import register_plugins
    register_plugins(Path("."), data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Image.open(io.BytesIO(data)) as im:
            return {k: v for k, v in im.info.items() if isinstance(v, bytes)}


def _tiff_segments(data: bytes) -> list[Segment]:
    """A TIFF file: everything but its strips of pixels is tags."""
    from PIL import Image
    with Image.open(io.BytesIO(data)) as im:
        offsets, counts = im.tag_v2.get(273, ()), im.tag_v2.get(279, ())
    strips = sorted(zip(offsets, counts, strict=False))
    found, pos = [], 0
    for offset, count in strips:
        if offset > pos:
            found.append(Segment("ANY", "TIFF tags", pos, offset))
        pos = max(pos, offset + count)
    if pos < len(data):
        found.append(Segment("ANY", "TIFF tags", pos, len(data)))
    return found


def tiff_block(data: bytes, seg: Segment) -> int:
    """Where the TIFF header of an EXIF segment starts, or -1."""
    for at in (data.find(b"MM\x00*", seg.start, seg.end), data.find(b"II*\x00", seg.start, seg.end)):
        if at >= 0:
            return at
    return -1


# ---- TIFF structure, for damage in place ----------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    at: int             # absolute position of the 12-byte entry
    tag: int
    type: int
    count: int
    value: int          # absolute position of the value (inline or at its offset)
    ifd: str
    ifd_at: int         # absolute position of its IFD (the entry count)


TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}


def tiff_entries(data: bytes, base: int, end: int) -> list[Entry]:
    """Every IFD entry of the TIFF structure at data[base:end] (IFD0, IFD1, Exif, GPS, Interop)."""
    order = "<" if data[base:base + 2] == b"II" else ">"
    entries: list[Entry] = []
    pending = [("IFD0", struct.unpack(order + "I", data[base + 4:base + 8])[0])]
    seen = set()
    while pending:
        name, offset = pending.pop()
        pos = base + offset
        if offset in seen or pos + 2 > end:
            continue
        seen.add(offset)
        count = struct.unpack(order + "H", data[pos:pos + 2])[0]
        for i in range(count):
            at = pos + 2 + 12 * i
            if at + 12 > end:
                break
            tag, typ, n, raw = struct.unpack(order + "HHI4s", data[at:at + 12])
            size = TYPE_SIZES.get(typ, 1) * n
            value = at + 8 if size <= 4 else base + struct.unpack(order + "I", raw)[0]
            entries.append(Entry(at, tag, typ, n, value, name, pos))
            if tag in (0x8769, 0x8825, 0xA005) and typ in (4, 13) and n == 1:
                pending.append(({0x8769: "Exif", 0x8825: "GPS", 0xA005: "Interop"}[tag],
                                struct.unpack(order + "I", raw)[0]))
        nxt = pos + 2 + 12 * count
        if name == "IFD0" and nxt + 4 <= end:
            pending.append(("IFD1", struct.unpack(order + "I", data[nxt:nxt + 4])[0]))
    return entries


# ---- putting crafted parts into the real files ------------------------------------------------------

def jpeg_with(data: bytes, marker: int, payloads: list[bytes], replaces: bytes | None) -> bytes:
    """data with the APPn/COM segments whose payload starts with `replaces` removed and payloads
    inserted after SOI and any APP0 (each payload is one segment)."""
    kept, pos, insert_at = [b"\xff\xd8"], 2, 1
    while pos + 4 <= len(data) and data[pos] == 0xFF and data[pos + 1] != 0xDA:
        length = struct.unpack(">H", data[pos + 2:pos + 4])[0]
        segment = data[pos:pos + 2 + length]
        if not (data[pos + 1] == marker and replaces is not None and segment[4:].startswith(replaces)):
            kept.append(segment)
            if data[pos + 1] == 0xE0 and len(kept) == 2:
                insert_at = 2
        pos += 2 + length
    new = [b"\xff" + bytes([marker]) + struct.pack(">H", len(p) + 2) + p for p in payloads]
    return b"".join(kept[:insert_at] + new + kept[insert_at:]) + data[pos:]


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_with(data: bytes, chunks: list[bytes], drop: set[bytes]) -> bytes:
    """data without the chunks of the kinds in drop, and with chunks inserted before the first IDAT."""
    out, pos, inserted = [data[:8]], 8, False
    while pos + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT" and not inserted:
            out.extend(chunks)
            inserted = True
        if kind not in drop:
            out.append(data[pos:pos + 12 + length])
        pos += 12 + length
    return b"".join(out) + data[pos:]


_WEBP_FLAG = {b"ICCP": 0x20, b"EXIF": 0x08, b"XMP ": 0x04}


def webp_with(data: bytes, fourcc: bytes, body: bytes) -> bytes | None:
    """data with its fourcc chunk replaced by body (ICCP after VP8X, EXIF/XMP at the end); None
    for a simple (VP8-only) WebP."""
    chunks, pos = [], 12
    while pos + 8 <= len(data):
        kind, size = struct.unpack("<4sI", data[pos:pos + 8])
        chunks.append((kind, data[pos + 8:pos + 8 + size]))
        pos += 8 + size + (size & 1)
    if not chunks or chunks[0][0] != b"VP8X":
        return None
    chunks = [(k, b) for k, b in chunks if k != fourcc]
    new = (fourcc, body)
    chunks.insert(1, new) if fourcc == b"ICCP" else chunks.append(new)
    flags = chunks[0][1][0] | _WEBP_FLAG[fourcc]
    chunks[0] = (b"VP8X", bytes([flags]) + chunks[0][1][1:])
    payload = b"".join(k + struct.pack("<I", len(b)) + b + b"\x00" * (len(b) & 1) for k, b in chunks)
    return b"RIFF" + struct.pack("<I", 4 + len(payload)) + b"WEBP" + payload


_SMALL: dict[str, object] = {}


def small_pixels(name: str):
    """The camera file's first picture, at most 200 px (a carrier for a re-encoded HEIF or AVIF)."""
    if name not in _SMALL:
        from PIL import Image

        from gallery.images import register_plugins
        register_plugins(CAMERA / name)
        with Image.open(CAMERA / name) as im:
            im.draft("RGB", (200, 200))
            small = im.convert("RGB")
            small.thumbnail((200, 200))
        _SMALL[name] = small
    return _SMALL[name]


def reencoded(name: str, fmt: str, exif: bytes | None = None, **info: bytes) -> bytes:
    """The camera file's pixels as a new HEIF or AVIF file carrying the given exif/xmp/icc_profile.

    The writers parse and rewrite the EXIF they are given, so a plain block of the same size goes in
    and the crafted bytes are written over it in the file (the item keeps its length).
    """
    from PIL import Image
    im = small_pixels(name)
    placeholder = b""
    if exif is not None:
        stand_in = Image.Exif()
        stand_in[0x010E] = "P" * (len(exif) + 16)
        info["exif"] = stand_in.tobytes()
        placeholder = info["exif"][6:]
    buf = io.BytesIO()
    if fmt == "heic":
        import pillow_heif
        pillow_heif.from_pillow(im).save(buf, quality=60, **info)
    else:
        im.save(buf, "AVIF", quality=60, speed=10, **info)
    data = buf.getvalue()
    if exif is not None:
        at = data.find(placeholder)
        assert at > 0, "the writer changed the EXIF it was given"
        data = data[:at] + exif[6:].ljust(len(placeholder), b"\x00") + data[at + len(placeholder):]
    return data
