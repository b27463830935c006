"""Seeded damage to the committed camera files, and the code a build runs on each damaged photo.

Used by tests/test_fuzz_camera.py, and runnable on its own (a run in a child process survives a
crash of a C library and is bounded by a timeout):

    python tests/camerafuzz.py --seed 1 --cases 3000 --first 0

prints one JSON line per case. Two kinds of case, both reproducible from (seed, index):

- random byte changes inside one metadata segment of a real file (JPEG APPn/COM, PNG ancillary
  chunks, WebP EXIF/XMP/ICCP chunks, HEIF/AVIF meta box and the Exif/XMP/ICC blobs it points to,
  TIFF tags), PNG checksums mostly made right again so that the change reaches the parsers;
- classic malformed values crafted on purpose (zero-denominator and NaN/inf rationals, wrong
  types, counts past the data, offsets outside the segment, IFD loops, UTF-16/latin-1 text where
  ASCII is expected, damaged ICC profiles, XMP and PNG text), written into the real files in place
  or as a whole EXIF block in place of theirs.
"""

from __future__ import annotations

import io
import json
import math
import random
import struct
import sys
import tempfile
import time
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CAMERA = REPO / "tests" / "data" / "camera"
FILES = [entry["file"] for entry in json.loads((CAMERA / "manifest.json").read_text())]

# the marked values a crafted EXIF block carries next to its damaged ones: they must always be found
MARK_MODEL = "Fuzzcam Z9 Mk2"
MARK_SERIAL = "SNFUZZ4417QX"
MARK_XMP = "xmp.did:FUZZDOC5512"


@dataclass(frozen=True)
class Segment:
    part: str           # which needles it can carry: EXIF, XMP, IPTC, COMMENT, TEXT, NONE, ANY
    kind: str           # e.g. "JPEG APP1 Exif", "PNG iTXt"
    start: int          # payload bytes data[start:end]
    end: int
    chunk: int = -1     # PNG: where the chunk starts (its checksum is made right again)


@dataclass(frozen=True)
class Case:
    index: int
    source: str         # the camera file it was made from
    suffix: str
    data: bytes
    what: str           # how it was damaged, for the report
    part: str           # the part of the metadata that was damaged (needles of other parts must survive)


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


# ---- random byte changes --------------------------------------------------------------------------

INTERESTING = [0, 1, 2, 7, 8, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFFFFFF,
               0x80000000, 0xFFFFFFF0, 0xFFFFFFFF]


def random_damage(rng: random.Random, data: bytes, seg: Segment) -> tuple[bytes, str]:
    """1-8 random changes inside seg (in IFD entries more often than chance, for an EXIF segment)."""
    buf = bytearray(data)
    entries = _entries_in(data, seg) if seg.part in ("EXIF", "ANY") else []
    ops = []
    for _ in range(rng.choice((1, 1, 1, 2, 3, 8))):
        if entries and rng.random() < 0.6:
            entry = rng.choice(entries)
            field = rng.choice((2, 4, 8, 8, "value"))
            pos = entry.value if field == "value" else entry.at + field
            ops.append(f"{entry.ifd} tag 0x{entry.tag:04X} {'value' if field == 'value' else 'field'} @{pos}")
        else:
            pos = rng.randrange(seg.start, max(seg.start + 1, seg.end))
            ops.append(f"@{pos}")
        _poke(rng, buf, pos, seg.end)
    if seg.chunk >= 0 and rng.random() < 0.9:
        fix_png_crc(buf, seg.chunk)
    return bytes(buf), f"{seg.kind} [{seg.start}:{seg.end}]: " + ", ".join(ops)


def _poke(rng: random.Random, buf: bytearray, pos: int, end: int) -> None:
    """One change at pos, never past end (the segment's structure around it stays as it was)."""
    end = min(end, len(buf))
    if pos >= end:
        return
    kind = rng.choice(("flip", "byte", "u16", "u32", "run"))
    if kind == "flip":
        buf[pos] ^= 1 << rng.randrange(8)
    elif kind == "byte":
        buf[pos] = rng.choice((0x00, 0xFF, 0x7F, 0x80, rng.randrange(256)))
    elif kind in ("u16", "u32"):
        width = 2 if kind == "u16" else 4
        value = rng.choice(INTERESTING + [end - pos, rng.randrange(1 << 16)]) & ((1 << 8 * width) - 1)
        packed = value.to_bytes(width, rng.choice(("big", "little")))[:end - pos]
        buf[pos:pos + len(packed)] = packed
    else:
        length = min(rng.randrange(1, 64), end - pos)
        buf[pos:pos + length] = bytes([rng.choice((0, 0xFF, 0x20))]) * length


def _entries_in(data: bytes, seg: Segment) -> list[Entry]:
    base = tiff_block(data, seg)
    if base < 0:
        return []
    try:
        return [e for e in tiff_entries(data, base, seg.end) if e.value < seg.end]
    except struct.error:
        return []


def fix_png_crc(buf: bytearray, chunk: int) -> None:
    length = struct.unpack(">I", buf[chunk:chunk + 4])[0]
    end = chunk + 8 + length
    if end + 4 <= len(buf):
        buf[end:end + 4] = struct.pack(">I", zlib.crc32(bytes(buf[chunk + 4:end])))


# ---- malformed values, in place ---------------------------------------------------------------------

def in_place_damage(rng: random.Random, data: bytes, seg: Segment) -> tuple[bytes, str] | None:
    """One classic malformed value written over an existing IFD entry (same length: nothing moves)."""
    base = tiff_block(data, seg)
    entries = _entries_in(data, seg)
    if base < 0 or not entries:
        return None
    order = "<" if data[base:base + 2] == b"II" else ">"
    buf = bytearray(data)
    pick = rng.choice
    gps = [e for e in entries if e.ifd == "GPS" and e.tag in (2, 4)]
    rationals = [e for e in entries if e.type in (5, 10)]
    texts = [e for e in entries if e.type == 2 and e.count > 4]
    choices = ["type", "count", "offset", "loop", "orientation", "ifd count"]
    choices += ["gps"] * 3 * bool(gps) + ["rational"] * bool(rationals) + ["text"] * bool(texts)
    how = pick(choices)
    if how == "gps" or how == "rational":
        entry = pick(gps if how == "gps" else rationals)
        value = pick(((0, 0), (1, 0), (0xFFFFFFFF, 0), (51, 0xFFFFFFFF)))
        double = how == "gps" and rng.random() < 0.4
        for i in range(min(entry.count, 3)):
            at = entry.value + 8 * i
            if at + 8 <= seg.end:
                buf[at:at + 8] = struct.pack(order + "d", pick((math.nan, math.inf, -math.inf))) if double \
                    else struct.pack(order + "II", *value)
        if double:
            buf[entry.at + 2:entry.at + 4] = struct.pack(order + "H", 12)
        return bytes(buf), f"{seg.kind}: {entry.ifd} tag 0x{entry.tag:04X} = {'NaN/inf doubles' if double else value}"
    if how == "text":
        entry = pick(texts)
        text = pick(("Café Müller", "東京都 新宿区", "Jürgen Weiß"))
        raw = text.encode(pick(("utf-16-le", "utf-16", "latin-1", "utf-8")), errors="replace")
        raw = raw[:max(0, min(entry.count, seg.end - entry.value))]
        buf[entry.value:entry.value + len(raw)] = raw
        return bytes(buf), f"{seg.kind}: {entry.ifd} tag 0x{entry.tag:04X} text {text!r} in another encoding"
    if how == "orientation":
        entry = next((e for e in entries if e.tag == 0x0112), None) or pick(entries)
        typ, value = pick(((3, 0), (3, 9), (3, 0xFFFF), (2, 0x36000000), (5, 0xFFFFFF00), (4, 6), (1, 6)))
        buf[entry.at:entry.at + 12] = struct.pack(order + "HHI", 0x0112, typ, pick((1, 2))) + \
            struct.pack(order + "I", value)
        return bytes(buf), f"{seg.kind}: {entry.ifd} entry at {entry.at} made Orientation type {typ} value {value}"
    entry = pick(entries)
    if how == "type":
        typ = pick((0, 1, 2, 3, 4, 5, 7, 10, 11, 12, 13, 14, 255))
        buf[entry.at + 2:entry.at + 4] = struct.pack(order + "H", typ)
        return bytes(buf), f"{seg.kind}: {entry.ifd} tag 0x{entry.tag:04X} type {entry.type} -> {typ}"
    if how == "count":
        count = pick((0, 0xFFFFFFFF, 0x7FFFFFFF, 0x10000000, seg.end - base))
        buf[entry.at + 4:entry.at + 8] = struct.pack(order + "I", count)
        return bytes(buf), f"{seg.kind}: {entry.ifd} tag 0x{entry.tag:04X} count -> {count} (past the data)"
    if how == "offset":
        offset = pick((0xFFFFFFF0, 0x80000000, seg.end - base + 1, seg.end - base - 2))
        buf[entry.at + 8:entry.at + 12] = struct.pack(order + "I", offset)
        return bytes(buf), f"{seg.kind}: {entry.ifd} tag 0x{entry.tag:04X} offset -> {offset} (outside)"
    if how == "loop":
        pointers = [e for e in entries if e.tag in (0x8769, 0x8825, 0xA005)] or [entry]
        entry = pick(pointers)
        target = pick((8, entry.at - base - 2 - 12 * rng.randrange(4), 0xFFFFFFF0))
        buf[entry.at + 8:entry.at + 12] = struct.pack(order + "I", max(0, target))
        return bytes(buf), f"{seg.kind}: {entry.ifd} pointer 0x{entry.tag:04X} -> {target} (a loop or outside)"
    ifd_start = entry.ifd_at
    buf[ifd_start:ifd_start + 2] = struct.pack(order + "H", pick((0xFFFF, 0x1000, 0)))
    return bytes(buf), f"{seg.kind}: IFD entry count at {ifd_start} -> past the data"


# ---- malformed values, crafted: a whole EXIF block --------------------------------------------------

@dataclass
class Tag:
    tag: int
    type: int
    count: int
    data: bytes = b""           # the value's bytes (inline when 4 or fewer)
    field: int | None = None    # the raw offset field instead (an offset outside, a pointer loop)
    ifd: str | None = None      # a pointer to this IFD (Exif, GPS, Interop)


def _ascii(text: str | bytes) -> tuple[int, int, bytes]:
    raw = (text.encode() if isinstance(text, str) else text) + b"\x00"
    return 2, len(raw), raw


def _rationals(order: str, *pairs: tuple[int, int], signed: bool = False) -> tuple[int, int, bytes]:
    return (10 if signed else 5), len(pairs), b"".join(struct.pack(order + ("ii" if signed else "II"), *p)
                                                       for p in pairs)


def standard_ifds(order: str) -> dict[str, list[Tag]]:
    """What a phone held upright writes (orientation 6), the marked model and serial first (damage
    goes after them)."""
    return {
        "IFD0": [Tag(0x010F, *_ascii("Fuzzcam")), Tag(0x0110, *_ascii(MARK_MODEL)), Tag(0x8769, 4, 1, ifd="Exif"),
                 Tag(0x0112, 3, 1, struct.pack(order + "H", 6)), Tag(0x011A, *_rationals(order, (72, 1))),
                 Tag(0x0131, *_ascii("FuzzWare 2.1")), Tag(0x0132, *_ascii("2024:05:01 09:30:12")),
                 Tag(0x8825, 4, 1, ifd="GPS")],
        "Exif": [Tag(0xA431, *_ascii(MARK_SERIAL)), Tag(0x9003, *_ascii("2024:05:01 09:30:12")),
                 Tag(0x829A, *_rationals(order, (1, 100))), Tag(0x829D, *_rationals(order, (28, 10)))],
        "GPS": [Tag(1, *_ascii("N")), Tag(2, *_rationals(order, (51, 1), (30, 1), (2664, 100))),
                Tag(3, *_ascii("W")), Tag(4, *_rationals(order, (0, 1), (7, 1), (3912, 100)))],
        "IFD1": [],
    }


def _set(ifds: dict[str, list[Tag]], where: str, tag: Tag) -> None:
    ifds[where] = [t for t in ifds[where] if t.tag != tag.tag] + [tag]


def _doubles(order: str, *values: float, single: bool = False) -> tuple[int, int, bytes]:
    return (11 if single else 12), len(values), b"".join(struct.pack(order + ("f" if single else "d"), v)
                                                         for v in values)


NAN, INF = math.nan, math.inf
# name -> (changes to the standard block, which marks must still be found)
EXIF_DAMAGE = {
    "GPS 0/0 rationals": lambda o, d: (_set(d, "GPS", Tag(2, *_rationals(o, (51, 1), (30, 0), (0, 0)))),
                                       _set(d, "GPS", Tag(4, *_rationals(o, (0, 0), (0, 0), (0, 0))))),
    "GPS 1/0 rationals": lambda o, d: _set(d, "GPS", Tag(2, *_rationals(o, (1, 0), (1, 0), (1, 0)))),
    "GPS NaN/inf doubles": lambda o, d: (_set(d, "GPS", Tag(2, *_doubles(o, NAN, 30, 0))),
                                         _set(d, "GPS", Tag(4, *_doubles(o, INF, -INF, NAN)))),
    "GPS NaN floats": lambda o, d: _set(d, "GPS", Tag(2, *_doubles(o, NAN, INF, 1, single=True))),
    "GPS as text": lambda o, d: _set(d, "GPS", Tag(2, *_ascii("51.5074 N"))),
    "GPS as one short": lambda o, d: _set(d, "GPS", Tag(2, 3, 1, struct.pack(o + "HH", 51, 0))),
    "GPS signed -1/0": lambda o, d: _set(d, "GPS", Tag(2, *_rationals(o, (-1, 0), (0, 0), (5, -1), signed=True))),
    "GPS two values": lambda o, d: _set(d, "GPS", Tag(2, *_rationals(o, (51, 1), (30, 1)))),
    "GPS count past the data": lambda o, d: _set(d, "GPS", Tag(2, 5, 0x10000000, b"\x00" * 24)),
    "GPS offset outside": lambda o, d: _set(d, "GPS", Tag(2, 5, 3, field=0xFFFFFF00)),
    "GPS IFD outside": lambda o, d: _set(d, "IFD0", Tag(0x8825, 4, 1, field=0xFFFFFFF0)),
    "GPS IFD loop to IFD0": lambda o, d: _set(d, "IFD0", Tag(0x8825, 4, 1, field=8)),
    "GPS pointer as text": lambda o, d: _set(d, "IFD0", Tag(0x8825, *_ascii("GPS!"))),
    "GPS ref in UTF-16": lambda o, d: _set(d, "GPS", Tag(1, 7, 4, "N".encode("utf-16"))),
    "resolution 0/0 and 1/0": lambda o, d: (_set(d, "IFD0", Tag(0x011A, *_rationals(o, (0, 0)))),
                                            _set(d, "IFD0", Tag(0x011B, *_rationals(o, (1, 0)))),
                                            _set(d, "IFD0", Tag(0x0128, 3, 1, struct.pack(o + "H", 2)))),
    "exposure 1/0, f-number 0/0, NaN focal length": lambda o, d: (
        _set(d, "Exif", Tag(0x829A, *_rationals(o, (1, 0)))), _set(d, "Exif", Tag(0x829D, *_rationals(o, (0, 0)))),
        _set(d, "Exif", Tag(0x9204, *_rationals(o, (-1, 0), signed=True))),
        _set(d, "Exif", Tag(0x920A, *_doubles(o, NAN)))),
    "resolution unit as text": lambda o, d: _set(d, "IFD0", Tag(0x0128, *_ascii("inch"))),
    "orientation 0": lambda o, d: _set(d, "IFD0", Tag(0x0112, 3, 1, struct.pack(o + "H", 0))),
    "orientation 9": lambda o, d: _set(d, "IFD0", Tag(0x0112, 3, 1, struct.pack(o + "H", 9))),
    "orientation 65535": lambda o, d: _set(d, "IFD0", Tag(0x0112, 3, 1, struct.pack(o + "H", 65535))),
    "orientation as text": lambda o, d: _set(d, "IFD0", Tag(0x0112, *_ascii("6"))),
    "orientation 6/1 rational": lambda o, d: _set(d, "IFD0", Tag(0x0112, *_rationals(o, (6, 1)))),
    "orientation 0/0 rational": lambda o, d: _set(d, "IFD0", Tag(0x0112, *_rationals(o, (0, 0)))),
    "orientation two shorts": lambda o, d: _set(d, "IFD0", Tag(0x0112, 3, 2, struct.pack(o + "HH", 6, 8))),
    "orientation long 6": lambda o, d: _set(d, "IFD0", Tag(0x0112, 4, 1, struct.pack(o + "I", 6))),
    "orientation byte 3": lambda o, d: _set(d, "IFD0", Tag(0x0112, 1, 1, b"\x03")),
    "orientation offset outside": lambda o, d: _set(d, "IFD0", Tag(0x0112, 3, 3, field=0xFFFFFF00)),
    "orientation 8 (valid)": lambda o, d: _set(d, "IFD0", Tag(0x0112, 3, 1, struct.pack(o + "H", 8))),
    "software in UTF-16": lambda o, d: _set(d, "IFD0", Tag(0x0131, *_ascii("FuzzWare 2.1".encode("utf-16")))),
    "artist in latin-1": lambda o, d: _set(d, "IFD0", Tag(0x013B, *_ascii("Jürgen Weiß".encode("latin-1")))),
    "artist with NULs": lambda o, d: _set(d, "IFD0", Tag(0x013B, *_ascii(b"J\xc3\xbcrgen\x00\x00Wei\xc3\x9f"))),
    "date-time garbage": lambda o, d: (_set(d, "IFD0", Tag(0x0132, *_ascii("2024:13:45 99:99:99"))),
                                       _set(d, "Exif", Tag(0x9003, *_ascii(b"\xff" * 19)))),
    "XPTitle odd length": lambda o, d: _set(d, "IFD0", Tag(0x9C9B, 1, 7, b"F\x00u\x00z\x00z")),
    "UserComment UNICODE odd": lambda o, d: _set(d, "Exif", Tag(0x9286, 7, 13, b"UNICODE\x00\x00F\x00u\x00z")),
    "UserComment JIS": lambda o, d: _set(d, "Exif", Tag(0x9286, 7, 12,
                                                        b"JIS\x00\x00\x00\x00\x00" + "東京".encode("shift_jis"))),
    "text count past the data": lambda o, d: _set(d, "IFD0", Tag(0x010E, 2, 0xFFFFFFFF, b"Kitchen table")),
    "text without a NUL": lambda o, d: _set(d, "IFD0", Tag(0x8298, 2, 12, b"(c) Fuzz Ltd")),
    "unknown types": lambda o, d: (_set(d, "IFD0", Tag(0x0213, 0, 1, b"\x00\x00\x00\x01")),
                                   _set(d, "Exif", Tag(0xA420, 14, 3, b"abcdefghijkl")),
                                   _set(d, "GPS", Tag(5, 255, 2, b"\x01\x02"))),
    "IFD0 entry count past the data": "ifd0 count",
    "Exif IFD entry count past the data": "exif count",
    "next IFD outside": "next outside",
    "next IFD loop": "next loop",
    "thumbnail offset outside": lambda o, d: d["IFD1"].extend(
        [Tag(0x0201, 4, 1, struct.pack(o + "I", 0xFFFFFF00)), Tag(0x0202, 4, 1, struct.pack(o + "I", 0x7FFFFFFF))]),
    "thumbnail length past the data": lambda o, d: d["IFD1"].extend(
        [Tag(0x0201, 4, 1, struct.pack(o + "I", 8)), Tag(0x0202, 4, 1, struct.pack(o + "I", 0x00FFFFFF))]),
    "Exif IFD loop": lambda o, d: _set(d, "Exif", Tag(0x8769, 4, 1, field=8)),
    "Interop pointer loop": lambda o, d: _set(d, "Exif", Tag(0xA005, 4, 1, ifd="Exif")),
    "maker note garbage": lambda o, d: _set(d, "Exif", Tag(0x927C, 7, 64, b"Nikon\x00\x02\x10\x00\x00MM\x00*\x00\x00"
                                                          b"\x00\x08\xff\xff" + b"\xee" * 42)),
    "maker note offset outside": lambda o, d: _set(d, "Exif", Tag(0x927C, 7, 4096, field=0xFFFFFF00)),
}
# damage that loses the IFD the marked serial is in: only the model must still be found
LOSES_SERIAL = {"Exif IFD entry count past the data"}


def exif_block(damage: str, order: str = ">") -> bytes:
    """A whole TIFF structure (what follows "Exif\\0\\0") with one kind of damage."""
    ifds = standard_ifds(order)
    change = EXIF_DAMAGE[damage]
    if callable(change):
        change(order, ifds)
    names = [n for n in ("IFD0", "Exif", "GPS", "IFD1") if ifds[n] or n != "IFD1"]
    at, offsets = 8, {}
    for name in names:
        offsets[name] = at
        at += 2 + 12 * len(ifds[name]) + 4
    data_at, blobs = at, b""
    out = bytearray((b"MM\x00*" if order == ">" else b"II*\x00") + struct.pack(order + "I", 8))
    for name in names:
        out += struct.pack(order + "H", len(ifds[name]))
        for tag in ifds[name]:
            if tag.ifd is not None:
                field = struct.pack(order + "I", offsets[tag.ifd])
            elif tag.field is not None:
                field = struct.pack(order + "I", tag.field)
            elif len(tag.data) <= 4:
                field = tag.data.ljust(4, b"\x00")
            else:
                field = struct.pack(order + "I", data_at + len(blobs))
                blobs += tag.data + b"\x00" * (len(tag.data) & 1)
            out += struct.pack(order + "HHI", tag.tag, tag.type, tag.count) + field
        nxt = offsets["IFD1"] if name == "IFD0" and "IFD1" in offsets else 0
        out += struct.pack(order + "I", nxt)
    out += blobs
    _structural(change, order, out, offsets)
    return bytes(out)


def _structural(change, order: str, out: bytearray, offsets: dict[str, int]) -> None:
    if change == "ifd0 count":
        out[8:10] = struct.pack(order + "H", 0xFFFF)
    elif change == "exif count":
        out[offsets["Exif"]:offsets["Exif"] + 2] = struct.pack(order + "H", 0x1000)
    elif change in ("next outside", "next loop"):
        count = struct.unpack(order + "H", out[8:10])[0]
        at = 8 + 2 + 12 * count
        out[at:at + 4] = struct.pack(order + "I", 0xFFFFFFF0 if change == "next outside" else 8)


# ---- XMP, ICC, PNG text, JPEG comments and IPTC, crafted --------------------------------------------

def xmp_packet(orientation: str = "1", creator: str = "Fuzz Creator") -> str:
    return ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
            'xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/" xmlns:tiff="http://ns.adobe.com/tiff/1.0/" '
            f'xmlns:dc="http://purl.org/dc/elements/1.1/" xmpMM:DocumentID="{MARK_XMP}" '
            f'tiff:Orientation="{orientation}"><dc:creator><rdf:Seq><rdf:li>{creator}</rdf:li></rdf:Seq>'
            '</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>')


XMP_DAMAGE = {
    "orientation 0": lambda: xmp_packet("0").encode(),
    "orientation 9": lambda: xmp_packet("9").encode(),
    "orientation abc": lambda: xmp_packet("abc").encode(),
    "orientation 6.5": lambda: xmp_packet("6.5").encode(),
    "orientation huge": lambda: xmp_packet("99999999999999999999").encode(),
    "orientation empty": lambda: xmp_packet("").encode(),
    "UTF-16 with BOM": lambda: xmp_packet().encode("utf-16"),
    "UTF-16LE without BOM": lambda: xmp_packet().encode("utf-16-le"),
    "UTF-32": lambda: xmp_packet().encode("utf-32"),
    "latin-1 value": lambda: xmp_packet(creator="Jürgen Weiß").replace("\ufeff", "").encode("latin-1"),
    "truncated": lambda: xmp_packet().encode()[:400],
    "NUL bytes inside": lambda: xmp_packet().encode().replace(b"><", b">\x00\x00<"),
    "garbage after": lambda: xmp_packet().encode() + bytes(range(256)) * 4,
    "deep nesting": lambda: xmp_packet(creator="<rdf:li>" * 3000 + "x" + "</rdf:li>" * 3000).encode(),
}
XMP_LOSES_MARK = {"truncated"}


def icc_damage(name: str) -> bytes:
    from PIL import ImageCms
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    if name == "truncated":
        return srgb[:200]
    if name == "size field past the data":
        return struct.pack(">I", 0x7FFFFFFF) + srgb[4:]
    if name == "tag count past the data":
        return srgb[:128] + struct.pack(">I", 0xFFFFFFFF) + srgb[132:]
    if name == "tag offsets outside":
        count = struct.unpack(">I", srgb[128:132])[0]
        table = b"".join(srgb[132 + 12 * i:136 + 12 * i] + struct.pack(">II", 0xFFFFFF00, 0x100) for i in range(count))
        return srgb[:132] + table + srgb[132 + 12 * count:]
    if name == "Lab profile for RGB pixels":
        return ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    if name == "garbage with a header":
        return srgb[:36] + bytes((i * 37) & 0xFF for i in range(600))
    return b"\x00" * 16                                              # "empty"


ICC_DAMAGE = ("truncated", "size field past the data", "tag count past the data", "tag offsets outside",
              "Lab profile for RGB pixels", "garbage with a header", "empty")

MARK_TEXT = "Kestrel Fuzzfield"     # a PNG text / comment / IPTC value before the damaged one
PNG_TEXT_DAMAGE = {
    "tEXt without a NUL": (b"tEXt", b"AuthorJurgen"),
    "tEXt empty keyword": (b"tEXt", b"\x00Jurgen"),
    "tEXt keyword of 100 bytes": (b"tEXt", b"K" * 100 + b"\x00Jurgen"),
    "tEXt latin-1 value": (b"tEXt", b"Author\x00J\xfcrgen Wei\xdf"),
    "zTXt unknown method": (b"zTXt", b"Comment\x00\x01" + zlib.compress(b"hello")),
    "zTXt garbage data": (b"zTXt", b"Comment\x00\x00" + b"\x78\x9c\xff\xff\xff" * 20),
    "zTXt bomb": (b"zTXt", b"Comment\x00\x00" + zlib.compress(b"A" * (16 << 20), 9)),
    "iTXt compressed garbage": (b"iTXt", b"Title\x00\x01\x00en\x00Title\x00" + b"\x00\xff" * 30),
    "iTXt unknown compression": (b"iTXt", b"Title\x00\x02\x07en\x00Title\x00hello"),
    "iTXt invalid UTF-8": (b"iTXt", b"Title\x00\x00\x00en\x00Title\x00J\xfcrgen \xc3\x28"),
    "iTXt without NULs": (b"iTXt", b"Title"),
    "iTXt XMP in latin-1": (b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00"
                            + xmp_packet(creator="Jürgen").replace("\ufeff", "").encode("latin-1")),
    "iTXt XMP in UTF-16": (b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + xmp_packet().encode("utf-16")),
}

COMMENT_DAMAGE = {
    "UTF-16": "Jürgen's kitchen".encode("utf-16"),
    "latin-1": "Jürgen's kitchen".encode("latin-1"),
    "NULs": b"J\x00\x00rgen\x00",
    "empty": b"",
    "binary": bytes(range(256)),
}


def iim(record: int, dataset: int, value: bytes, length: int | None = None) -> bytes:
    length = len(value) if length is None else length
    return b"\x1c" + bytes([record, dataset]) + struct.pack(">H", length) + value


IPTC_DAMAGE = {
    "length past the data": iim(2, 120, b"A caption", 0x7FFF),
    "extended length": b"\x1c\x02\x78" + struct.pack(">HI", 0x8004, 0xFFFFFFF0) + b"caption",
    "no tag marker": b"\x1d\x02\x78\x00\x05hello",
    "UTF-16 value": iim(2, 120, "Jürgen's caption".encode("utf-16")),
    "zero length": iim(2, 80, b""),
    "record 9": iim(9, 10, b"nine"),
}


def photoshop_irb(iim_data: bytes, size: int | None = None) -> bytes:
    size = len(iim_data) if size is None else size
    body = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", size) + iim_data
    return b"Photoshop 3.0\x00" + body + b"\x00" * (len(iim_data) & 1)


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


# ---- the cases --------------------------------------------------------------------------------------

BY_FORMAT = {fmt: [n for n in FILES if n.lower().endswith(ext)] for fmt, ext in
             (("jpeg", (".jpg", ".mpo")), ("png", (".png",)), ("webp", (".webp",)), ("heic", (".heic",)),
              ("avif", (".avif",)), ("tiff", (".tiff",)))}
MODES = {"random bytes": 40, "in place": 20, "crafted EXIF": 18, "crafted XMP": 7, "crafted ICC": 6,
         "crafted PNG text": 4, "crafted comment": 2, "crafted IPTC": 3}


def make_case(seed: int, index: int) -> Case:
    rng = random.Random(f"camera-fuzz:{seed}:{index}")
    mode = rng.choices(list(MODES), weights=list(MODES.values()))[0]
    for _ in range(20):
        made = _attempt(rng, mode, index)
        if made is not None:
            return made
        mode = "random bytes"
    raise AssertionError(f"case {index}: no case could be made")


def _attempt(rng: random.Random, mode: str, index: int) -> Case | None:
    if mode in ("random bytes", "in place"):
        name = rng.choice(FILES)
        data = (CAMERA / name).read_bytes()
        segs = segments(data)
        if mode == "in place":
            segs = [s for s in segs if tiff_block(data, s) >= 0 or s.kind == "TIFF tags"]
        if not segs:
            return None
        seg = rng.choices(segs, weights=[1 if s.part in ("NONE", "ANY") else 3 for s in segs])[0]
        if mode == "in place" and seg.kind == "TIFF tags":
            seg = Segment("ANY", "TIFF IFDs", 0, len(data))
        made = random_damage(rng, data, seg) if mode == "random bytes" else in_place_damage(rng, data, seg)
        if made is None:
            return None
        part = seg.part if mode == "random bytes" else ("EXIF" if seg.part == "EXIF" else "ANY")
        return Case(index, name, Path(name).suffix, made[0], f"{mode}: {made[1]}", part)
    return _crafted(rng, mode, index)


def _crafted(rng: random.Random, mode: str, index: int) -> Case | None:
    if mode == "crafted EXIF":
        damage = rng.choice(sorted(EXIF_DAMAGE))
        block = b"Exif\x00\x00" + exif_block(damage, rng.choice("<>"))
        return _carry(rng, index, f"crafted EXIF: {damage}", "EXIF", exif=block)
    if mode == "crafted XMP":
        damage = rng.choice(sorted(XMP_DAMAGE))
        return _carry(rng, index, f"crafted XMP: {damage}", "XMP", xmp=XMP_DAMAGE[damage]())
    if mode == "crafted ICC":
        damage = rng.choice(ICC_DAMAGE)
        return _carry(rng, index, f"crafted ICC: {damage}", "NONE", icc_profile=icc_damage(damage))
    if mode == "crafted PNG text":
        name = rng.choice(BY_FORMAT["png"])
        damage = rng.choice(sorted(PNG_TEXT_DAMAGE))
        kind, body = PNG_TEXT_DAMAGE[damage]
        chunks = [png_chunk(b"tEXt", b"Author\x00" + MARK_TEXT.encode()), png_chunk(kind, body)]
        data = png_with((CAMERA / name).read_bytes(), chunks, set())
        return Case(index, name, ".png", data, f"crafted PNG text: {damage}", "TEXT")
    name = rng.choice(BY_FORMAT["jpeg"])
    data = (CAMERA / name).read_bytes()
    if mode == "crafted comment":
        damage = rng.choice(sorted(COMMENT_DAMAGE))
        data = jpeg_with(data, 0xFE, [MARK_TEXT.encode(), COMMENT_DAMAGE[damage]], b"")
        return Case(index, name, Path(name).suffix, data, f"crafted comment: {damage}", "COMMENT")
    damage = rng.choice(sorted(IPTC_DAMAGE))
    good = iim(2, 0, b"\x00\x04") + iim(2, 90, MARK_TEXT.encode())
    size = rng.choice((None, None, 0x7FFFFFF0))
    data = jpeg_with(data, 0xED, [photoshop_irb(good + IPTC_DAMAGE[damage], size)], b"Photoshop 3.0\x00")
    what = f"crafted IPTC: {damage}" + (" in an 8BIM block whose size runs past the data" if size else "")
    return Case(index, name, Path(name).suffix, data, what, "IPTC" if size is None else "IPTC?")


def _carry(rng: random.Random, index: int, what: str, part: str, **info: bytes) -> Case | None:
    """A real file of a random format carrying the crafted exif / xmp / icc_profile."""
    fmt = rng.choice(("jpeg", "jpeg", "png", "webp", "heic", "avif"))
    name = rng.choice(BY_FORMAT[fmt])
    if fmt in ("heic", "avif"):
        return Case(index, name, f".{fmt}", reencoded(name, fmt, **info), f"{what} (in a new {fmt} file)",
                    part + "+")
    data = (CAMERA / name).read_bytes()
    (key, value), = info.items()
    if fmt == "jpeg":
        marker, prefix, payloads = {
            "exif": (0xE1, b"Exif\x00", [value]),
            "xmp": (0xE1, b"http://ns.adobe.com/xap/1.0/\x00", [b"http://ns.adobe.com/xap/1.0/\x00" + value[:60000]]),
            "icc_profile": (0xE2, b"ICC_PROFILE\x00", [b"ICC_PROFILE\x00\x01\x01" + value]),
        }[key]
        made: bytes | None = jpeg_with(data, marker, payloads, prefix)
    elif fmt == "png":
        chunk = {"exif": (b"eXIf", value[6:]), "xmp": (b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + value),
                 "icc_profile": (b"iCCP", b"icc\x00\x00" + zlib.compress(value))}[key]
        drop = {b"eXIf"} if key == "exif" else {b"iCCP"} if key == "icc_profile" else set()
        if key == "xmp":
            data = _png_without_xmp(data)
        made = png_with(data, [png_chunk(*chunk)], drop)
    else:
        fourcc = {"exif": b"EXIF", "xmp": b"XMP ", "icc_profile": b"ICCP"}[key]
        made = webp_with(data, fourcc, value[6:] if key == "exif" and rng.random() < 0.5 else value)
    return None if made is None else Case(index, name, Path(name).suffix, made, what, part)


def exif_case(damage: str, source: str, order: str = ">") -> Case:
    """One crafted EXIF damage in one camera file (a JPEG, PNG or WebP carries it in place of its
    own EXIF; a HEIC or AVIF is re-encoded from its pixels with it)."""
    block = b"Exif\x00\x00" + exif_block(damage, order)
    what = f"crafted EXIF: {damage}"
    fmt = next(f for f, names in BY_FORMAT.items() if source in names)
    if fmt in ("heic", "avif"):
        return Case(-1, source, f".{fmt}", reencoded(source, fmt, exif=block), f"{what} (in a new {fmt} file)",
                    "EXIF+")
    data = (CAMERA / source).read_bytes()
    if fmt == "jpeg":
        made = jpeg_with(data, 0xE1, [block], b"Exif\x00")
    elif fmt == "png":
        made = png_with(data, [png_chunk(b"eXIf", block[6:])], {b"eXIf"})
    else:
        made = webp_with(data, b"EXIF", block)
    assert made is not None, source
    return Case(-1, source, Path(source).suffix, made, what, "EXIF")


def _png_without_xmp(data: bytes) -> bytes:
    out, pos = [data[:8]], 8
    while pos + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if not (kind == b"iTXt" and data[pos + 8:pos + 25] == b"XML:com.adobe.xmp"):
            out.append(data[pos:pos + 12 + length])
        pos += 12 + length
    return b"".join(out) + data[pos:]


# ---- the code a build runs on one photo ---------------------------------------------------------------

SETTINGS = {"sizes": (64, 160), "formats": ("webp", "jpeg"), "max_pixels": 40_000_000}


def run_case(case: Case, work: Path) -> dict:
    """What the build's code does with one damaged photo: the header probe of check and add, the
    image worker, the audit's reading of its metadata, the audit of what was published. Any other
    exception, or a library warning that reaches us, is reported (it would be a traceback or a raw
    library line on the user's terminal)."""
    import traceback
    path = work / f"fuzz-photo{case.suffix}"
    path.write_bytes(case.data)
    out: dict = {"index": case.index, "source": case.source, "what": case.what, "part": case.part}
    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out.update(_pipeline(path, work))
            if not out["unreadable"]:
                out["missing"] = sorted(required_needles(case) - set(out["needles"]))
        except Exception:           # noqa: BLE001 - the point: anything else is a crash to report
            out["crash"] = traceback.format_exc()
    out["warnings"] = [f"{w.category.__name__}: {w.message} ({w.filename}:{w.lineno})" for w in caught]
    out["seconds"] = round(time.perf_counter() - started, 3)
    return out


def _pipeline(path: Path, work: Path) -> dict:
    from gallery.audit.containers import check_image
    from gallery.audit.memo import Memo
    from gallery.check import probe_photo
    from gallery.config import ImageSettings
    from gallery.imagecache import ImageJob, _safe_process
    settings = ImageSettings(**SETTINGS)
    out: dict = {}
    out["probe"], out["probe_notes"] = probe_photo(path, settings)      # check and add
    cache = work / "cache"
    cache.mkdir(exist_ok=True)
    outcome = _safe_process(ImageJob("fuzz-item", str(path), None, settings), str(cache))
    result = outcome.result
    out["error"], out["notes"] = outcome.error, list(outcome.notes)
    needles, problems = Memo(None).needles([path])  # the audit's reading of the source
    out["needles"] = sorted({n.text for n in needles})
    out["needle_parts"] = sorted({(n.text, n.what) for n in needles})
    out["unreadable"] = [p.message for p in problems]
    out["published"], out["findings"], out["leaks"] = [], [], []
    if result is not None:
        for variant in result.variants:
            data = (cache / result.key / variant.name).read_bytes()
            out["published"].append(variant.name)
            out["findings"].extend(f"{variant.name}: {w}: {m}" for w, m in check_image(data, Path(variant.name).suffix))
            low = data.lower()
            out["leaks"].extend(f"{variant.name}: {n.text!r}" for n in needles if n.text.lower().encode() in low)
        out["size"] = [result.width, result.height]
    return out


def part_of(what: str) -> str:
    """Which part of a file's metadata a needle came from (its `what`)."""
    if what.startswith(("EXIF", "GPS", "maker note")):
        return "EXIF"
    for prefix, part in (("XMP", "XMP"), ("IPTC", "IPTC"), ("JPEG comment", "COMMENT"), ("PNG text", "TEXT")):
        if what.startswith(prefix):
            return part
    return "FILE"


_BASELINE: dict[str, list[tuple[str, str]]] = {}


def required_needles(case: Case) -> set[str]:
    """What the audit must still find in a damaged file it can read: every needle of the parts that
    were not damaged, and the marked values a crafted part carries next to its damaged ones."""
    from gallery.audit.metadata import source_needles
    if case.source not in _BASELINE:
        _BASELINE[case.source] = [(n.text, n.what) for n in source_needles(CAMERA / case.source)]
    required = set()
    if case.part not in ("ANY", "IPTC?") and not case.part.endswith("+"):
        required = {text for text, what in _BASELINE[case.source] if part_of(what) not in (case.part, "FILE")}
    damage = case.what.split(": ", 1)[-1].split(" (in a new")[0]
    if case.what.startswith("crafted EXIF"):
        required |= {MARK_MODEL} | (set() if damage in LOSES_SERIAL else {MARK_SERIAL})
    elif case.what.startswith("crafted XMP") and damage not in XMP_LOSES_MARK:
        required.add(MARK_XMP)
    elif case.what.startswith(("crafted PNG text", "crafted comment")) or \
            (case.what.startswith("crafted IPTC") and case.part == "IPTC"):
        required.add(MARK_TEXT)
    return required


def main(argv: list[str]) -> int:
    import argparse
    p = argparse.ArgumentParser(description="Run seeded camera-file fuzz cases; one JSON line per case.")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--first", type=int, default=0)
    p.add_argument("--cases", type=int, default=100)
    p.add_argument("--step", type=int, default=1, help="run every step-th case (to split a run in two)")
    args = p.parse_args(argv)
    sys.path.insert(0, str(REPO))
    with tempfile.TemporaryDirectory(prefix="camerafuzz-") as tmp:
        for index in range(args.first, args.first + args.cases, args.step):
            print(json.dumps({"start": index}), flush=True)
            case = make_case(args.seed, index)
            work = Path(tmp) / str(index)
            work.mkdir()
            print(json.dumps(run_case(case, work)), flush=True)
            import shutil
            shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
