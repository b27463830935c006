"""Image containers walked byte by byte: anything but what is needed to show the pixels is a finding.

Pure functions over bytes (no Pillow, which ignores what it does not understand): JPEG markers,
PNG chunks, WebP RIFF chunks and AVIF (ISO-BMFF) boxes must be the ones needed to decode the
picture and nothing else. Each returns (where, what) pairs, and never raises: a truncated or
damaged file is a finding (the audit cannot say what the missing or garbled bytes held).
"""

from __future__ import annotations

import re
import struct
import zlib

from .kinds import HEAD, TEXT, cannot_check, mismatch, sniff

JPEG_ALLOWED = {0xC0: "SOF0", 0xC1: "SOF1", 0xC2: "SOF2", 0xC4: "DHT", 0xDB: "DQT", 0xDD: "DRI", 0xDA: "SOS"}
PNG_ALLOWED = {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND", b"sRGB", b"gAMA", b"cHRM"}
WEBP_ALLOWED = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH"}
WEBP_FLAGS = {0x20: "an ICC profile", 0x08: "EXIF metadata", 0x04: "XMP metadata", 0x02: "an animation"}
AVIF_TOP = {b"ftyp", b"meta", b"mdat", b"free", b"skip"}
AVIF_META = {b"hdlr", b"pitm", b"iloc", b"iinf", b"iprp", b"iref", b"idat", b"dinf"}
AVIF_ITEMS = {b"av01", b"grid"}
AVIF_PROPERTIES = {b"ispe", b"pixi", b"av1C", b"colr", b"auxC", b"irot", b"imir", b"pasp", b"clap", b"clli",
                   b"mdcv", b"a1op", b"a1lx", b"lsel"}


def check_image(data: bytes, suffix: str) -> list[tuple[str, str]]:
    """(where, what) for everything in an image file that is not needed to show its pixels; the file is
    read as what its bytes are (kinds.sniff), and a name that says otherwise is named too."""
    kind = sniff(data[:HEAD])
    walk = {"JPEG": check_jpeg, "PNG": check_png, "WebP": check_webp, "AVIF": check_avif}.get(kind)
    if walk is None:
        return [("file", cannot_check(kind if kind != TEXT else "text, not an image"))]
    try:
        found = walk(data)
    except (struct.error, IndexError) as exc:     # the walkers check their bounds; this is the net under them
        found = [("file", f"its structure is damaged ({exc}); replace it with a re-encoded image")]
    wrong = mismatch(f"file{suffix}", kind)
    if wrong:
        found.append(("file", wrong))
    return found


_JPEG_NAMES = {0xC3: "SOF3", 0xC8: "JPG", 0xCC: "DAC", 0xD8: "SOI", 0xD9: "EOI", 0xDC: "DNL", 0xDE: "DHP",
               0xDF: "EXP", 0xFE: "COM", 0x01: "TEM"}
_ENTROPY_END = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def _jpeg_name(marker: int, payload: bytes = b"") -> str:
    if 0xE0 <= marker <= 0xEF:
        kinds = [(b"Exif\x00", "EXIF"), (b"http://ns.adobe.com/xap/1.0/", "XMP"),
                 (b"http://ns.adobe.com/xmp/extension/", "extended XMP"), (b"ICC_PROFILE\x00", "ICC profile"),
                 (b"MPF\x00", "multi-picture index"), (b"Photoshop 3.0\x00", "Photoshop/IPTC"),
                 (b"Adobe", "Adobe"), (b"JFXX\x00", "JFIF thumbnail"), (b"JFIF\x00", "JFIF"),
                 (b"Ducky", "Ducky"), (b"FLIR\x00", "FLIR")]
        kind = next((k for prefix, k in kinds if payload.startswith(prefix)), None)
        return f"APP{marker - 0xE0}" + (f" ({kind})" if kind else "")
    if 0xC0 <= marker <= 0xCF:
        return JPEG_ALLOWED.get(marker) or _JPEG_NAMES.get(marker) or f"SOF{marker - 0xC0}"
    if 0xD0 <= marker <= 0xD7:
        return f"RST{marker - 0xD0}"
    return JPEG_ALLOWED.get(marker) or _JPEG_NAMES.get(marker) or f"0xFF{marker:02X}"


def _jpeg_reason(marker: int, payload: bytes) -> str:
    if marker == 0xFE:
        return "a comment can carry any text (camera, software, names); only image data may be published"
    if marker == 0xE0 and payload.startswith(b"JFIF\x00"):
        return "a JFIF header with an embedded thumbnail (a second, unredacted copy of the picture)"
    if 0xE0 <= marker <= 0xEF:
        return "application segments carry metadata (EXIF, XMP, ICC, IPTC, thumbnails); only image data " \
               "may be published"
    return "not a segment needed to decode a baseline or progressive JPEG"


def check_jpeg(data: bytes) -> list[tuple[str, str]]:
    """Walk the markers: SOI, DQT/SOFn/DHT/DRI/SOS(+entropy data, RSTn), a plain APP0 JFIF, EOI, end."""
    found: list[tuple[str, str]] = []
    pos, end, scans = 2, len(data), 0
    while True:
        if pos >= end:
            found.append(("end of file", "the JPEG ends without an EOI marker (truncated)"))
            return found
        if data[pos] != 0xFF:
            found.append((f"byte {pos}", "expected a JPEG marker; the file structure is damaged"))
            return found
        while pos < end and data[pos] == 0xFF:
            pos += 1
        if pos >= end:
            continue
        marker, start = data[pos], pos - 1
        pos += 1
        if marker == 0xD9:
            break
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            found.append((f"JPEG marker {_jpeg_name(marker)} at byte {start}", "a marker out of place"))
            continue
        if pos + 2 > end:
            continue
        length = struct.unpack(">H", data[pos:pos + 2])[0]
        payload = data[pos + 2:pos + length]
        if length < 2 or pos + length > end:
            found.append((f"JPEG segment {_jpeg_name(marker, payload)} at byte {start}",
                          "its length runs past the end of the file (damaged)"))
            return found
        if marker == 0xE0 and _plain_jfif(payload):
            pass
        elif marker not in JPEG_ALLOWED:
            found.append((f"JPEG segment {_jpeg_name(marker, payload)} at byte {start}", _jpeg_reason(marker, payload)))
        pos += length
        if marker == 0xDA:
            scans += 1
            match = _ENTROPY_END.search(data, pos)
            pos = match.start() if match else end
    if scans == 0:
        found.append(("JPEG", "no image data (no SOS segment)"))
    if pos < end:
        rest = data[pos:]
        what = "an appended second JPEG image" if b"\xff\xd8\xff" in rest else "data after the image"
        found.append((f"{len(rest)} bytes after the EOI marker at byte {pos - 2}",
                      f"{what}; nothing may follow the end of the picture"))
    return found


def _plain_jfif(payload: bytes) -> bool:
    """APP0 holding only the 14-byte JFIF header with a 0x0 thumbnail."""
    return len(payload) == 14 and payload.startswith(b"JFIF\x00") and payload[12] == 0 and payload[13] == 0


_PNG_REASONS = {b"tEXt": "a text chunk (author, comment, software, XMP...)", b"zTXt": "a compressed text chunk",
                b"iTXt": "an international text chunk (often XMP)", b"eXIf": "an EXIF chunk",
                b"iCCP": "an embedded ICC profile (a display profile can identify one machine)",
                b"tIME": "the time the file was last changed", b"pHYs": "the physical pixel size (scanner/DPI)"}


def check_png(data: bytes) -> list[tuple[str, str]]:
    """Walk the chunks: only IHDR, PLTE, tRNS, IDAT, IEND and the colour chunks sRGB, gAMA, cHRM."""
    found: list[tuple[str, str]] = []
    pos, end = 8, len(data)
    while pos + 12 <= end:
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        name = kind.decode("latin-1")
        if pos + 12 + length > end:
            found.append((f"PNG chunk {name} at byte {pos}", "runs past the end of the file (damaged)"))
            return found
        crc = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0]
        if zlib.crc32(kind + body) != crc:
            found.append((f"PNG chunk {name} at byte {pos}", "checksum mismatch (damaged)"))
        if kind not in PNG_ALLOWED:
            label = name
            if kind in (b"tEXt", b"zTXt", b"iTXt"):
                keyword = body.split(b"\x00", 1)[0].decode("latin-1")[:40]
                label += f" '{keyword}'"
            found.append((f"PNG chunk {label} at byte {pos}",
                          f"{_PNG_REASONS.get(kind, 'not needed to show the image')}; only pixels may be published"))
        pos += 12 + length
        if kind == b"IEND":
            if pos < end:
                found.append((f"{end - pos} bytes after the IEND chunk", "data after the image"))
            return found
    found.append(("end of file", "the PNG ends without an IEND chunk (truncated)"))
    return found


_WEBP_REASONS = {b"EXIF": "an EXIF chunk", b"XMP ": "an XMP chunk", b"ICCP": "an ICC profile chunk",
                 b"ANIM": "an animation chunk", b"ANMF": "an animation frame"}


def check_webp(data: bytes) -> list[tuple[str, str]]:
    """Walk the RIFF chunks: only VP8, VP8L, VP8X (announcing no metadata) and ALPH."""
    found: list[tuple[str, str]] = []
    riff_end = 8 + struct.unpack("<I", data[4:8])[0]
    if riff_end < len(data):
        found.append((f"{len(data) - riff_end} bytes after the RIFF container", "data after the image"))
    elif riff_end > len(data):
        found.append(("RIFF header", "the file is shorter than its header says (truncated)"))
    pos, end = 12, min(riff_end, len(data))
    while pos + 8 <= end:
        fourcc, size = struct.unpack("<4sI", data[pos:pos + 8])
        name = fourcc.decode("latin-1").strip()
        if pos + 8 + size > end:
            found.append((f"WebP chunk {name} at byte {pos}", "runs past the end of the file (damaged)"))
            return found
        if fourcc not in WEBP_ALLOWED:
            found.append((f"WebP chunk {name} at byte {pos}",
                          f"{_WEBP_REASONS.get(fourcc, 'not needed to show the image')}; only pixels may be published"))
        elif fourcc == b"VP8X" and size >= 1:
            flags = data[pos + 8]
            for bit, what in WEBP_FLAGS.items():
                if flags & bit:
                    found.append((f"WebP chunk VP8X at byte {pos}", f"its flags announce {what}"))
        pos += 8 + size + (size & 1)
    if pos < end:
        found.append((f"WebP at byte {pos}", f"{end - pos} bytes that are not a whole chunk (damaged)"))
    return found


def _boxes(data: bytes, start: int, end: int):
    """(type, payload start, box end, box start) of each ISO-BMFF box in data[start:end]."""
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        header = 8
        if size == 1 and pos + 16 <= end:
            size, header = struct.unpack(">Q", data[pos + 8:pos + 16])[0], 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            yield kind, -1, end, pos
            return
        yield kind, pos + header, pos + size, pos
        pos += size


def check_avif(data: bytes) -> list[tuple[str, str]]:
    """Walk the boxes: items only av01/grid, properties without ICC profiles, no Exif/XMP/uuid boxes."""
    found: list[tuple[str, str]] = []
    kinds = set()
    for kind, body, box_end, at in _boxes(data, 0, len(data)):
        name = kind.decode("latin-1")
        kinds.add(kind)
        if body < 0:
            found.append((f"AVIF box {name} at byte {at}", "runs past the end of the file (damaged)"))
        elif kind not in AVIF_TOP:
            found.append((f"AVIF box {name} at byte {at}", "not needed to show the image (uuid boxes carry XMP)"))
        elif kind == b"meta":
            found.extend(_check_avif_meta(data, body + 4, box_end))
    if b"mdat" not in kinds and not found:
        found.append(("AVIF", "no image data (no mdat box): the file is truncated or damaged"))
    return found


def _damaged(where: str, body: int) -> list[tuple[str, str]]:
    return [(where, "runs past the end of the box that holds it (damaged)")] if body < 0 else []


def _check_avif_meta(data: bytes, start: int, end: int) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for kind, body, box_end, at in _boxes(data, start, end):
        name = kind.decode("latin-1")
        if body < 0 or kind not in AVIF_META:
            found.append((f"AVIF box meta/{name} at byte {at}", "not needed to show the image" if body >= 0 else
                          "runs past the end of the box that holds it (damaged)"))
        elif kind == b"iinf":
            found.extend(_check_avif_items(data, body, box_end))
        elif kind == b"iprp":
            for ckind, cbody, cend, cat in _boxes(data, body, box_end):
                found.extend(_damaged(f"AVIF box iprp/{ckind.decode('latin-1')} at byte {cat}", cbody))
                if ckind == b"ipco" and cbody >= 0:
                    found.extend(_check_avif_properties(data, cbody, cend))
        elif kind == b"iref":
            for rkind, rbody, _e, rat in _boxes(data, body + 4, box_end):
                found.extend(_damaged(f"AVIF reference iref/{rkind.decode('latin-1')} at byte {rat}", rbody))
                if rkind in (b"thmb", b"cdsc"):
                    what = "an embedded thumbnail" if rkind == b"thmb" else "a metadata item"
                    found.append((f"AVIF reference iref/{rkind.decode('latin-1')} at byte {rat}", f"links {what}"))
    return found


def _check_avif_items(data: bytes, body: int, end: int) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if body + 4 > end:
        return [(f"AVIF box iinf at byte {body - 8}", "too short to list its items (damaged)")]
    first = body + 4 + (2 if data[body] == 0 else 4)
    for kind, ibody, ibox_end, at in _boxes(data, first, end):
        found.extend(_damaged(f"AVIF box iinf/{kind.decode('latin-1')} at byte {at}", ibody))
        if kind != b"infe" or ibody < 0 or ibody >= ibox_end or data[ibody] < 2:
            continue
        offset = ibody + 4 + (2 if data[ibody] == 2 else 4) + 2
        item_type = data[offset:min(offset + 4, ibox_end)]
        if item_type not in AVIF_ITEMS:
            what = {b"Exif": "an EXIF item", b"mime": "a MIME item (XMP)", b"jpeg": "a JPEG item (thumbnail?)"}
            found.append((f"AVIF item {item_type.decode('latin-1')} at byte {at}",
                          f"{what.get(item_type, 'not a picture item')}; only pixels may be published"))
    return found


def _check_avif_properties(data: bytes, start: int, end: int) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for kind, body, _e, at in _boxes(data, start, end):
        name = kind.decode("latin-1")
        if body < 0:
            found.extend(_damaged(f"AVIF property {name} at byte {at}", body))
        elif kind not in AVIF_PROPERTIES:
            found.append((f"AVIF property {name} at byte {at}", "not needed to show the image"))
        elif kind == b"colr" and data[body:body + 4] != b"nclx":
            found.append((f"AVIF property colr/{data[body:body + 4].decode('latin-1')} at byte {at}",
                          "an embedded ICC profile (a display profile can identify one machine)"))
    return found


SVG_METADATA = re.compile(r"(?i)<metadata|rdf:rdf|sodipodi:|inkscape:|xmlns:dc=|adobe:ns:meta")


def check_svg(text: str) -> list[tuple[str, str, int]]:
    """(where, what, line) for editor metadata in an SVG file."""
    match = SVG_METADATA.search(text)
    if not match:
        return []
    line = text.count("\n", 0, match.start()) + 1
    return [(f"SVG '{match.group(0)}'", "editor metadata (author, file paths, licence); save the SVG as plain "
                                        "SVG without metadata", line)]


FONT_HEADERS = {b"wOFF": ">4sIIHHIHHIIIII", b"wOF2": ">4sIIHHIIHHIIIII"}     # WOFF 1.0 (44 bytes), WOFF2 (48)
SFNT_TABLES = {b"cmap", b"head", b"hhea", b"hmtx", b"maxp", b"name", b"OS/2", b"post", b"cvt ", b"fpgm", b"glyf",
               b"loca", b"prep", b"CFF ", b"CFF2", b"VORG", b"EBDT", b"EBLC", b"gasp", b"hdmx", b"kern", b"LTSH",
               b"PCLT", b"VDMX", b"vhea", b"vmtx", b"BASE", b"GDEF", b"GPOS", b"GSUB", b"JSTF", b"MATH", b"EBSC",
               b"COLR", b"CPAL", b"SVG ", b"sbix", b"CBDT", b"CBLC", b"avar", b"fvar", b"gvar", b"HVAR", b"MVAR",
               b"STAT", b"VVAR", b"cvar", b"DSIG", b"meta", b"feat", b"morx", b"trak", b"ltag"}


def check_font(data: bytes) -> list[tuple[str, str]]:
    """A WOFF or WOFF2 font: its header must match the file, with no extended metadata block (XML that
    can hold any text) and no private data block; a WOFF's tables must be standard OpenType tables.
    The tables themselves (the name table: the font maker's designer, vendor and licence strings) are
    not read."""
    layout = FONT_HEADERS[data[:4]]
    size = struct.calcsize(layout)
    if len(data) < size:
        return [("font header", "the file is shorter than a font header (truncated or damaged)")]
    fields = struct.unpack(layout, data[:size])
    length, tables, meta_length, private_length = fields[2], fields[3], fields[-4], fields[-1]
    found: list[tuple[str, str]] = []
    if length != len(data):
        found.append(("font header", f"says the file is {length} bytes, but it is {len(data)} (damaged, or data "
                                     "added after the font)"))
    if meta_length:
        found.append(("font header", "announces an extended metadata block (XML: vendor, credits, licence, any "
                                     "text); remove it, e.g. by converting the font again"))
    if private_length:
        found.append(("font header", "announces a private data block (any data); remove it, e.g. by converting "
                                     "the font again"))
    if data[:4] == b"wOFF":
        for n in range(tables):
            at = size + 20 * n
            tag = data[at:at + 4]
            if len(tag) < 4:
                found.append(("font tables", "the table directory runs past the end of the file (damaged)"))
                break
            if tag not in SFNT_TABLES:
                found.append((f"font table '{tag.decode('latin-1')}'", "not a standard OpenType table"))
    return found
