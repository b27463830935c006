"""The privacy audit: re-read what a build wrote; anything but pixels and our own text is a finding.

Image files are checked by parsing their container structure byte by byte (not by asking Pillow,
which ignores what it does not understand): JPEG markers, PNG chunks, WebP RIFF chunks and AVIF
(ISO-BMFF) boxes must be the ones needed to decode the picture and nothing else. File names must
reveal nothing the page address does not, and no text file of the site may contain text taken
from the sources' metadata (camera model, serial numbers, GPS position, software, author, dates
with a time, XMP/IPTC/PNG text). `python build.py audit [DIR]` runs it on a built site; every
build runs it on the staging folder before the swap, so a finding leaves the previous site as it was.
"""

from __future__ import annotations

import functools
import json
import os
import re
import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from .errors import AuditError, Problem
from .fingerprint import settled, stat_key

# ---- what is allowed --------------------------------------------------------------------------

JPEG_ALLOWED = {0xC0: "SOF0", 0xC1: "SOF1", 0xC2: "SOF2", 0xC4: "DHT", 0xDB: "DQT", 0xDD: "DRI", 0xDA: "SOS"}
PNG_ALLOWED = {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND", b"sRGB", b"gAMA", b"cHRM"}
WEBP_ALLOWED = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH"}
WEBP_FLAGS = {0x20: "an ICC profile", 0x08: "EXIF metadata", 0x04: "XMP metadata", 0x02: "an animation"}
AVIF_TOP = {b"ftyp", b"meta", b"mdat", b"free", b"skip"}
AVIF_META = {b"hdlr", b"pitm", b"iloc", b"iinf", b"iprp", b"iref", b"idat", b"dinf"}
AVIF_ITEMS = {b"av01", b"grid"}
AVIF_PROPERTIES = {b"ispe", b"pixi", b"av1C", b"colr", b"auxC", b"irot", b"imir", b"pasp", b"clap", b"clli",
                   b"mdcv", b"a1op", b"a1lx", b"lsel"}
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".avif", ".gif", ".tif", ".tiff", ".heic", ".heif", ".bmp",
                  ".ico", ".jxl", ".mpo"}
TEXT_SUFFIXES = {".html", ".htm", ".xml", ".txt", ".css", ".js", ".mjs", ".json", ".svg", ".webmanifest", ".map"}
PUBLISHED_IMAGE = re.compile(r"^(?P<id>[a-z0-9]+(?:-[a-z0-9]+)*)-[0-9a-f]{10}-[0-9]+\.(?:jpg|webp|avif)$")
# names cameras and phones give their files: IMG_1234, DSC01234, PXL_20240501_..., 20240501_093012...
CAMERA_NAME = re.compile(r"(?i)(?:^|[^a-z])(?:img|dsc[fn]?|dcim|pxl|mvimg|vid|imag|pict?|cimg|sam|wp|p|"
                         r"photo|screenshot|whatsapp|signal|fb-img|dji|gopr|gp)[-_ ]?[0-9]{3,}"
                         r"|(?:^|[^0-9])(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:[0-2][0-9]|3[01])(?:[^0-9]|$)")
SVG_METADATA = re.compile(r"(?i)<metadata|rdf:rdf|sodipodi:|inkscape:|xmlns:dc=|adobe:ns:meta")
TEXT_BATCH = 200    # text files searched together (a shared vocabulary; bounded memory)
VOCABULARY_FROM = 100   # needles from which a word vocabulary of the pages pays for itself
VOCABULARY_TEXT = 20_000  # ... and characters of text (less is searched directly, faster)
MIN_STEM = 4        # shorter source names ("a", "cat") are too common to be searched for


@dataclass(frozen=True)
class Finding:
    """One thing the audit found: a file of the site, where in it, and what is wrong."""

    path: str           # relative to the site folder
    where: str          # e.g. "JPEG segment COM at byte 20"
    message: str
    line: int | None = None

    def problem(self, root: Path) -> Problem:
        return Problem(root / self.path, self.line, f"{self.where}: {self.message}")


# ---- entry points -----------------------------------------------------------------------------

def audit_site(folder: Path, sources: Iterable[Path] = (), shown_as: Path | None = None,
               memo: Path | None = None, previous: Path | None = None) -> list[Problem]:
    """Every finding in the built site at folder, as problems naming the file (under shown_as).

    With memo (a file beside the image cache), what the last clean audit already checked is not
    read again: see Memo. Without it (`build.py audit`) every file is checked in full. previous is
    the site this one replaces: a changed page is compared with its previous version there.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return [Problem(folder, None, "not a folder; build the site first or name the built site folder")]
    sources = [Path(s) for s in sources]
    remembered = Memo(memo)
    needles = [n for s in sources for n in remembered.needles_of(s)]
    from .output import files_under
    rels = files_under(folder)
    unseen = remembered.unseen(sources)
    findings: list[Finding] = []
    texts: list[str] = []
    base = os.path.join(str(folder), "")      # strings, not Paths: ~1,000 files on every build
    for rel in rels:
        findings.extend(remembered.check_name(rel, sources, unseen))
        suffix = os.path.splitext(rel)[1].lower()
        if suffix in IMAGE_SUFFIXES:
            findings.extend(remembered.check_image(base + rel, rel, suffix))
        elif suffix in TEXT_SUFFIXES:
            texts.append(rel)
            if suffix == ".svg":
                findings.extend(check_svg(rel, (folder / rel).read_text("utf-8", errors="replace")))
    findings.extend(remembered.check_texts(folder, texts, needles, previous))
    if not findings:
        remembered.save(sources, needles)
    root = shown_as or folder
    return [f.problem(root) for f in findings]


class Memo:
    """What the last clean audit checked, so a rebuild reads only what is new or changed.

    Files are remembered by device, inode, size and modification time (the site's images and pages
    are hard links to files in the image and page caches, so an unchanged file keeps all four);
    text files only for the needles they were checked against; file names for the
    source names they were checked against; each source photo's needles by path and
    fingerprint.stat_key (recorded only once the photo is fingerprint.settled).
    A new needle or source name is checked against every remembered file; a changed text file
    against the known needles only where it differs from its previous version, when that version
    was checked clean; anything else new or changed is checked in full. No memo file (or a damaged
    one) means a full audit.
    """

    def __init__(self, path: Path | None):
        self.path = path
        data: dict = {}
        if path is not None:
            try:
                data = json.loads(path.read_text())
            except (OSError, ValueError):
                data = {}
        try:
            self.images = _strings(data["images"])
            self.texts = _strings(data["texts"])
            self.names = _strings(data["names"])
            self.stems = _strings(data["stems"])
            self.needles = {(n[0], n[1]) for n in data["needles"] if _pair(n)}
            self.sources = {k: v for k, v in data["sources"].items() if isinstance(v, list) and all(map(_pair, v))}
        except (KeyError, TypeError, AttributeError):      # damaged: a full audit
            data, self.images, self.texts, self.names, self.stems = {}, set(), set(), set(), set()
            self.needles, self.sources = set(), {}
        self.loaded = data
        self.seen: dict[str, set] = {"images": set(), "texts": set(), "names": set()}
        self.seen_sources: dict[str, list] = {}

    def needles_of(self, source: Path) -> list[Needle]:
        """The source's metadata strings, read again unless its stat_key is as recorded."""
        try:
            st = source.stat()
        except OSError:
            return source_needles(source)
        key = "|".join(map(str, [source, *stat_key(st)]))
        pairs = self.sources.get(key)
        if pairs is None:
            pairs = [[n.text, n.what] for n in source_needles(source)]
        if settled(st):
            self.seen_sources[key] = pairs
        return [Needle(text, what, source) for text, what in pairs]

    def unseen(self, sources: list[Path]) -> list[Path]:
        """The sources whose names the remembered file names were not checked against."""
        return [s for s in sources if normal_stem(s.name) not in self.stems]

    def check_name(self, rel: str, sources: list[Path], unseen: list[Path]) -> list[Finding]:
        """check_name, against only the unseen sources when rel was already checked."""
        if rel in self.names:
            found = check_name(rel, unseen) if unseen else []
        else:
            found = check_name(rel, sources)
        if not found:
            self.seen["names"].add(rel)
        return found

    def check_image(self, path: str, rel: str, suffix: str) -> list[Finding]:
        key = _identity(path)
        found = [] if key in self.images else [Finding(rel, where, msg)
                                               for where, msg in check_image(_read(path), suffix)]
        if not found:
            self.seen["images"].add(key)
        return found

    def check_texts(self, folder: Path, files: list[str], needles: list[Needle],
                    previous: Path | None = None) -> list[Finding]:
        """Search the text files for the needles, reading only what the memo cannot vouch for.

        A file checked before (same identity) is searched for new needles only. A changed file
        whose previous version (same path under previous, the site being replaced) was checked
        clean is searched for the known needles only where it differs from that version (see
        changed_span), and in full for new ones. Anything else is searched in full. files are
        paths relative to folder.
        """
        # a needle is searched for as its lowered text (as a whole name for a file name): one whose
        # search the memo already covers (the same text from another tag) is not new
        covered = {(low, what == "file name") for low, what in self.needles}
        known_needles, fresh = [], []
        for n in needles:
            (known_needles if (n.text.lower(), n.what == "file name") in covered else fresh).append(n)
        margin = max((len(n.text.lower()) for n in known_needles), default=0) + 2
        base = os.path.join(str(folder), "")
        before = os.path.join(str(previous), "") if previous is not None else None
        pending: list[tuple[str, str, bool]] = []
        for rel in files:
            key = _identity(base + rel)
            known = key in self.texts
            if known and not fresh:        # checked before, unchanged, and no new needle: not read
                self.seen["texts"].add(key)
            else:
                pending.append((rel, key, known))
        found: list[Finding] = []
        for start in range(0, len(pending), TEXT_BATCH):   # in batches: memory stays flat as the site grows
            whole, spans, only_fresh = [], [], []
            batch = pending[start:start + TEXT_BATCH]
            for rel, key, known in batch:
                low = _lowered(base + rel)
                if known:
                    only_fresh.append((rel, low, 0, len(low)))
                    continue
                old = self._checked_before(before + rel) if before is not None else None
                if old is None:
                    whole.append((rel, low, 0, len(low)))
                else:
                    spans.append((rel, low, *changed_span(old, low, margin)))
                    only_fresh.append((rel, low, 0, len(low)))
            checked = (search_texts(whole, needles) + search_texts(spans, known_needles)
                       + search_texts(only_fresh, fresh))
            bad = {f.path for f in checked}
            self.seen["texts"].update(key for rel, key, _ in batch if rel not in bad)
            found.extend(checked)
        return found

    def _checked_before(self, path: str) -> str | None:
        """The lowered text of a file of the previous site, if this memo saw it checked clean."""
        try:
            if _identity(path) not in self.texts:
                return None
            return _lowered(path)
        except OSError:
            return None

    def save(self, sources: list[Path], needles: list[Needle]) -> None:
        if self.path is None:
            return
        data = {"images": sorted(self.seen["images"]), "texts": sorted(self.seen["texts"]),
                "names": sorted(self.seen["names"]), "stems": sorted({normal_stem(s.name) for s in sources}),
                "needles": [list(n) for n in sorted({(n.text.lower(), n.what) for n in needles})],
                "sources": self.seen_sources}
        if data == self.loaded:     # nothing new was checked (sorted lists compare as loaded)
            return
        tmp = self.path.with_suffix(".tmp")
        try:
            tmp.write_text(json.dumps(data))
            os.replace(tmp, self.path)
        except OSError:  # the memo only saves time; without it the next audit is a full one
            pass


def _pair(value) -> bool:
    return type(value) is list and len(value) == 2 and type(value[0]) is str and type(value[1]) is str


def _strings(values) -> set[str]:
    """values as a set, when it is a list of strings (else TypeError: a damaged memo)."""
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise TypeError("not a list of strings")
    return set(values)


def _read(path: str) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()


def _lowered(path: str) -> str:
    """A text file of the site as the search sees it."""
    return _read(path).decode("utf-8", errors="replace").lower()


def _identity(path: Path | str) -> str:
    """Device, inode, size and modification time: the same for a file not written since."""
    st = os.stat(path)
    return f"{st.st_dev}|{st.st_ino}|{st.st_size}|{st.st_mtime_ns}"


def raise_if_findings(findings: list[Problem]) -> None:
    if findings:
        raise AuditError(problems=[*findings, Problem(None, None, f"privacy audit: {len(findings)} finding(s); "
                                                      "nothing may be published until they are fixed")])


# ---- image containers -------------------------------------------------------------------------

def check_image(data: bytes, suffix: str) -> list[tuple[str, str]]:
    """(where, what) for everything in an image file that is not needed to show its pixels."""
    if data.startswith(b"\xff\xd8"):
        found = check_jpeg(data)
    elif data.startswith(b"\x89PNG\r\n\x1a\n"):
        found = check_png(data)
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        found = check_webp(data)
    elif data[4:8] == b"ftyp" and data[8:12] in (b"avif", b"avis"):
        found = check_avif(data)
    else:
        return [("file", f"not a JPEG, PNG, WebP or AVIF file (the {suffix} file cannot be checked for "
                         "metadata); remove it from the site or replace it with a re-encoded image")]
    expected = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WebP", ".avif": "AVIF"}.get(suffix)
    actual = ("JPEG" if data.startswith(b"\xff\xd8") else "PNG" if data.startswith(b"\x89PNG")
              else "WebP" if data[:4] == b"RIFF" else "AVIF")
    if expected != actual:
        found.append(("file", f"holds {actual} data under a {suffix} name"))
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
        if fourcc not in WEBP_ALLOWED:
            found.append((f"WebP chunk {name} at byte {pos}",
                          f"{_WEBP_REASONS.get(fourcc, 'not needed to show the image')}; only pixels may be published"))
        elif fourcc == b"VP8X" and size >= 1:
            flags = data[pos + 8]
            for bit, what in WEBP_FLAGS.items():
                if flags & bit:
                    found.append((f"WebP chunk VP8X at byte {pos}", f"its flags announce {what}"))
        pos += 8 + size + (size & 1)
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
    for kind, body, box_end, at in _boxes(data, 0, len(data)):
        name = kind.decode("latin-1")
        if body < 0:
            found.append((f"AVIF box {name} at byte {at}", "runs past the end of the file (damaged)"))
        elif kind not in AVIF_TOP:
            found.append((f"AVIF box {name} at byte {at}", "not needed to show the image (uuid boxes carry XMP)"))
        elif kind == b"meta":
            found.extend(_check_avif_meta(data, body + 4, box_end))
    return found


def _check_avif_meta(data: bytes, start: int, end: int) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for kind, body, box_end, at in _boxes(data, start, end):
        name = kind.decode("latin-1")
        if body < 0 or kind not in AVIF_META:
            found.append((f"AVIF box meta/{name} at byte {at}", "not needed to show the image"))
        elif kind == b"iinf":
            found.extend(_check_avif_items(data, body, box_end))
        elif kind == b"iprp":
            for ckind, cbody, cend, cat in _boxes(data, body, box_end):
                if ckind == b"ipco":
                    found.extend(_check_avif_properties(data, cbody, cend))
        elif kind == b"iref":
            for rkind, _b, _e, rat in _boxes(data, body + 4, box_end):
                if rkind in (b"thmb", b"cdsc"):
                    what = "an embedded thumbnail" if rkind == b"thmb" else "a metadata item"
                    found.append((f"AVIF reference iref/{rkind.decode('latin-1')} at byte {rat}", f"links {what}"))
    return found


def _check_avif_items(data: bytes, body: int, end: int) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    version = data[body]
    first = body + 4 + (2 if version == 0 else 4)
    for kind, ibody, _e, at in _boxes(data, first, end):
        if kind != b"infe" or ibody < 0:
            continue
        iversion = data[ibody]
        if iversion < 2:
            continue
        offset = ibody + 4 + (2 if iversion == 2 else 4) + 2
        item_type = data[offset:offset + 4]
        if item_type not in AVIF_ITEMS:
            what = {b"Exif": "an EXIF item", b"mime": "a MIME item (XMP)", b"jpeg": "a JPEG item (thumbnail?)"}
            found.append((f"AVIF item {item_type.decode('latin-1')} at byte {at}",
                          f"{what.get(item_type, 'not a picture item')}; only pixels may be published"))
    return found


def _check_avif_properties(data: bytes, start: int, end: int) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for kind, body, _e, at in _boxes(data, start, end):
        name = kind.decode("latin-1")
        if kind not in AVIF_PROPERTIES:
            found.append((f"AVIF property {name} at byte {at}", "not needed to show the image"))
        elif kind == b"colr" and body >= 0 and data[body:body + 4] != b"nclx":
            found.append((f"AVIF property colr/{data[body:body + 4].decode('latin-1')} at byte {at}",
                          "an embedded ICC profile (a display profile can identify one machine)"))
    return found


def check_svg(rel: str, text: str) -> list[Finding]:
    match = SVG_METADATA.search(text)
    if not match:
        return []
    line = text.count("\n", 0, match.start()) + 1
    return [Finding(rel, f"SVG '{match.group(0)}'", "editor metadata (author, file paths, licence); save the "
                                                     "SVG as plain SVG without metadata", line)]


# ---- names ------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)   # called for every (site file, source photo) pair
def normal_stem(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", Path(name).stem.lower()).strip("-")


def check_name(rel: str, sources: list[Path]) -> list[Finding]:
    """Names reveal nothing the page address does not: see the README's "Privacy guarantees"."""
    found = []
    name = rel.rsplit("/", 1)[-1]
    free = ""           # the part of the name that is the item id (public anyway, as the page address)
    if rel.startswith("images/"):
        match = PUBLISHED_IMAGE.match(name)
        if not match:
            return [Finding(rel, "file name", "not a name the generator writes (<id>-<hash>-<width>.<ext>); "
                                              "a copied original? Remove it from the site")]
        free = match.group("id")
    elif rel.startswith("items/") and name.endswith(".html"):
        free = name[:-5]
    if rel.startswith(("images/", "items/")) and CAMERA_NAME.search(free):
        return [Finding(rel, "file name", f"the item id '{free}' looks like a camera file name or a date; "
                                          "rename the caption file to a neutral id such as lw07-day")]
    for source in sources:
        stem = normal_stem(source.name)
        if len(stem) >= MIN_STEM and stem in normal_stem(name) and stem not in free:
            found.append(Finding(rel, "file name", f"contains the name of the source photo {source.name}"))
    return found


# ---- text derived from the sources' metadata -------------------------------------------------

class Needle(NamedTuple):      # ~2,000 on every build: a tuple is made 4x faster than a frozen dataclass
    text: str           # as it might appear on a page
    what: str           # e.g. "EXIF Model"
    source: Path


def check_texts(folder: Path, texts: list[tuple[Path, str]], needles: list[Needle]) -> list[Finding]:
    """No text file of the site (path, content) contains a string taken from a source photo's metadata."""
    lowered = [(path.relative_to(folder).as_posix(), text.lower()) for path, text in texts]
    return search_texts([(rel, low, 0, len(low)) for rel, low in lowered], needles)


def search_texts(spans: list[tuple[str, str, int, int]], needles: list[Needle]) -> list[Finding]:
    """check_texts on (relative path, lowered text, start, end): only text[start:end] is searched."""
    if not needles or not spans:
        return []
    pieces = [low[start:end] for _, low, start, end in spans]
    everything = "\x00".join(pieces)
    if len(needles) > VOCABULARY_FROM and len(everything) > VOCABULARY_TEXT:
        lines = "\n".join(set(everything.split("\n")))   # pages share most lines (navigation, footer)
        words = set(_WORD.findall(lines))
        vocabulary = "\x00".join(sorted(words))   # far shorter than the pages: a quick first filter
        # a needle of digits and separators only (a GPS position, a date-time) lies inside one run
        # of such characters: these runs are a far shorter haystack than the pages
        numbers = "\x00".join(set(_NUMBER_RUN.findall(lines)))
    else:   # few needles or little text: searching the text directly is cheaper than the vocabulary
        words, vocabulary, numbers = set(), "", ""
    found = []
    searched: set[tuple[str, bool]] = set()
    for needle in needles:
        low = needle.text.lower()
        key = (low, needle.what == "file name")
        if key in searched:     # the same model name or place in many photos: one search is enough
            continue
        searched.add(key)
        if vocabulary and (low not in numbers if _NUMBER_RUN.fullmatch(low) else
                           not _may_occur(low, words, vocabulary)):
            continue
        if low not in everything:
            continue
        for rel, text, start, end in spans:
            match = _needle_match(low, text, needle.what, start, end)
            if match is not None:
                line = text.count("\n", 0, match) + 1
                found.append(Finding(rel, "text",
                                     f"contains '{needle.text}', the {needle.what} of {needle.source.name}; "
                                     "remove it from the caption, settings or template", line))
    return found


def changed_span(before: str, after: str, margin: int) -> tuple[int, int]:
    """The part of after that any string of up to margin - 2 characters found in after but not in
    before must overlap: where the two texts differ, widened by margin on each side.

    An occurrence (with the character on each side, which a file-name search looks at) lying
    wholly in the common beginning or the common end is also in before, at the same place.
    """
    limit = min(len(before), len(after))
    head = _common_length(before, after, limit, lambda text, n: text[:n])
    tail = _common_length(before, after, limit - head, lambda text, n: text[len(text) - n:])
    return max(0, head - margin), min(len(after), len(after) - tail + margin)


def _common_length(a: str, b: str, limit: int, part) -> int:
    """The largest n <= limit with part(a, n) == part(b, n) (a binary search on C comparisons)."""
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if part(a, middle) == part(b, middle):
            low = middle
        else:
            high = middle - 1
    return low


_WORD = re.compile(r"[^\W_]+")
_NUMBER_RUN = re.compile(r"[0-9.:/ -]+")


def _may_occur(low: str, words: set[str], vocabulary: str) -> bool:
    """False when low cannot be in the pages: a word inside it is not a page word, or its longest
    word is not part of any page word. (A necessary condition only; the caller then searches.)"""
    parts = _WORD.findall(low)
    if not parts:
        return True
    if any(part not in words for part in parts[1:-1]):
        return False
    return max(parts, key=len) in vocabulary


def _needle_match(low: str, text: str, what: str, start: int = 0, end: int | None = None) -> int | None:
    """Where low first occurs wholly inside text[start:end] (a file name only as a whole name)."""
    end = len(text) if end is None else end
    index = text.find(low, start, end)
    if what != "file name":
        return None if index < 0 else index
    whole = _whole_name(low)
    while index >= 0:
        if whole.match(text, index):       # the characters around it are read from the whole text
            return index
        index = text.find(low, index + 1, end)
    return None


@functools.lru_cache(maxsize=4096)
def _whole_name(low: str) -> re.Pattern:
    return re.compile(rf"(?<![\w-]){re.escape(low)}(?!\w)")


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


def source_needles(path: Path) -> list[Needle]:
    """Strings from one source photo's metadata that must never appear in the site's text."""
    pairs = [(path.name, "file name")]
    if CAMERA_NAME.search(path.stem):
        pairs.append((path.stem, "file name"))
    try:
        pairs.extend(_metadata_pairs(path))
    except Exception:  # an unreadable source has no metadata to search for (the build reports it)
        pass
    needles: dict[str, Needle] = {}
    for value, what in pairs:
        for text in _variants(value, what):
            if _distinctive(text) and text.lower() not in needles:
                needles[text.lower()] = Needle(text, what, path)
    return list(needles.values())


def _metadata_pairs(path: Path) -> list[tuple[str, str]]:
    from PIL import Image

    from .images import _register_plugins
    _register_plugins(path)
    pairs: list[tuple[str, str]] = []
    with Image.open(path) as im:
        png_exif, png_texts = _png_chunks(path) if im.format == "PNG" else (b"", {})
        exif = im.getexif() if im.format != "PNG" else Image.Exif()
        if png_exif:
            exif.load(png_exif)
        make = _text(exif.get(0x010F))
        if make and _text(exif.get(0x0110)):
            pairs.append((f"{make} {_text(exif.get(0x0110))}", "EXIF Make and Model"))
        pairs.extend((_text(exif.get(tag)), what) for tag, what in IFD0_TAGS.items() if tag in exif)
        sub = exif.get_ifd(0x8769)
        pairs.extend((_text(sub.get(tag)), what) for tag, what in EXIF_TAGS.items() if tag in sub)
        pairs.extend(_gps_pairs(exif.get_ifd(0x8825)))
        pairs.extend(_xmp_pairs(_xmp_bytes(im)))
        pairs.extend(_iptc_pairs(im))
        pairs.extend(_maker_note_pairs(sub.get(0x927C)))
        if "XML:com.adobe.xmp" in png_texts:
            pairs.extend(_xmp_pairs(png_texts["XML:com.adobe.xmp"].encode()))
        for key, value in png_texts.items():
            if not key.startswith(("XML:com.adobe.xmp", "icc:")):
                pairs.append((_text(value), f"PNG text '{key}'"))
        if im.info.get("comment"):
            pairs.append((_text(im.info["comment"]), "JPEG comment"))
    return [(v, w) for v, w in pairs if v]


def _png_chunks(path: Path) -> tuple[bytes, dict[str, str]]:
    """A PNG's eXIf chunk and text chunks, found by walking the chunks (Pillow would decode every
    pixel to reach those after the image data)."""
    data = path.read_bytes()
    exif, texts, pos = b"", {}, 8
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        try:
            if kind == b"eXIf":
                exif = body
            elif kind in (b"tEXt", b"zTXt", b"iTXt"):
                key, _, rest = body.partition(b"\x00")
                texts[key.decode("latin-1")] = _png_text(kind, rest)
        except (zlib.error, ValueError):
            pass
        pos += 12 + length
    return exif, texts


def _png_text(kind: bytes, rest: bytes) -> str:
    if kind == b"tEXt":
        return rest.decode("latin-1")
    if kind == b"zTXt":
        return _inflate(rest[1:]).decode("latin-1")
    compressed, rest = rest[0], rest[2:]
    _lang, _, rest = rest.partition(b"\x00")
    _translated, _, text = rest.partition(b"\x00")
    return (_inflate(text) if compressed else text).decode("utf-8", errors="ignore")


def _inflate(data: bytes) -> bytes:
    """zlib data, at most 1 MB of it (a compressed text chunk can be a decompression bomb)."""
    return zlib.decompressobj().decompress(data, 1 << 20)


def _text(value) -> str:
    if isinstance(value, bytes):
        if value[:8] in (b"ASCII\x00\x00\x00", b"UNICODE\x00", b"\x00" * 8):  # UserComment header
            value = value[8:].decode("utf-16" if value[:7] == b"UNICODE" else "latin-1", errors="ignore")
        elif len(value) > 1 and value[1::2].count(0) > len(value) // 4:  # XP* tags: UTF-16LE
            value = value.decode("utf-16-le", errors="ignore")
        else:
            value = value.decode("utf-8", errors="ignore")
    if isinstance(value, (list, tuple)):
        return " ".join(_text(v) for v in value)
    if value is None:
        return ""
    return " ".join(str(value).replace("\x00", " ").split())


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
        value = gps.get(tag)
        try:
            degrees = float(value[0]) + float(value[1]) / 60 + float(value[2]) / 3600
        except (TypeError, ValueError, IndexError, ZeroDivisionError):
            continue
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
    if not xmp:
        return []
    text = xmp.decode("utf-8", errors="ignore")
    pairs = []
    for regex in (_XMP_ELEMENT, _XMP_ATTRIBUTE):
        pairs.extend((value, f"XMP {name}") for name, value in regex.findall(text) if name in XMP_NAMES)
    for name, body in _XMP_ITEM.findall(text):
        if name in XMP_NAMES:
            pairs.extend((value, f"XMP {name}") for value in _XMP_LI.findall(body))
    return [(_unescape(v), w) for v, w in pairs]


def _unescape(value: str) -> str:
    import html
    return " ".join(html.unescape(value).split())


def _iptc_pairs(im) -> list[tuple[str, str]]:
    from PIL import IptcImagePlugin
    try:
        info = IptcImagePlugin.getiptcinfo(im) or {}
    except Exception:
        return []
    pairs = []
    for (record, dataset), value in info.items():
        if record == 2 and dataset in IPTC_DATASETS:
            for one in value if isinstance(value, list) else [value]:
                pairs.append((_text(one), f"IPTC {IPTC_DATASETS[dataset]}"))
    return pairs


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
