"""Classic malformed metadata values, crafted on purpose: the catalogue tests/camerafuzz.py draws from.

A whole EXIF block (zero-denominator and NaN/inf rationals, wrong types, counts past the data,
offsets outside the segment, IFD loops, text in other encodings), XMP packets, ICC profiles, PNG
text chunks, JPEG comments and IPTC datasets. Each carries marked values next to its damaged one:
the audit must still find those.
"""

from __future__ import annotations

import math
import struct
import zlib
from dataclasses import dataclass

# the marked values a crafted part carries next to its damaged ones: they must always be found
MARK_MODEL = "Fuzzcam Z9 Mk2"
MARK_SERIAL = "SNFUZZ4417QX"
MARK_XMP = "xmp.did:FUZZDOC5512"
MARK_TEXT = "Kestrel Fuzzfield"     # a PNG text, comment or IPTC value before the damaged one


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
