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
  or as a whole EXIF block in place of theirs (the catalogue: tests/malformed.py).

Where each file keeps its metadata, and how a crafted part goes in: tests/camerafiles.py.
"""

from __future__ import annotations

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

from camerafiles import (
    BY_FORMAT,
    CAMERA,
    FILES,
    REPO,
    Entry,
    Segment,
    jpeg_with,
    png_chunk,
    png_with,
    reencoded,
    segments,
    tiff_block,
    tiff_entries,
    webp_with,
)
from malformed import (
    COMMENT_DAMAGE,
    EXIF_DAMAGE,
    ICC_DAMAGE,
    IPTC_DAMAGE,
    LOSES_SERIAL,
    MARK_MODEL,
    MARK_SERIAL,
    MARK_TEXT,
    MARK_XMP,
    PNG_TEXT_DAMAGE,
    XMP_DAMAGE,
    XMP_LOSES_MARK,
    exif_block,
    icc_damage,
    iim,
    photoshop_irb,
)

__all__ = ["CAMERA", "FILES", "MODES", "EXIF_DAMAGE", "PNG_TEXT_DAMAGE", "Case", "make_case", "exif_case",
           "run_case", "png_chunk", "png_with"]


@dataclass(frozen=True)
class Case:
    index: int
    source: str         # the camera file it was made from
    suffix: str
    data: bytes
    what: str           # how it was damaged, for the report
    part: str           # the part of the metadata that was damaged (needles of other parts must survive)


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


# ---- the cases --------------------------------------------------------------------------------------

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
    from gallery.imagecache import ImageJob, process_source
    from gallery.pool import _safe_process
    settings = ImageSettings(**SETTINGS)
    out: dict = {}
    out["probe"], out["probe_notes"] = probe_photo(path, settings)      # check and add
    cache = work / "cache"
    cache.mkdir(exist_ok=True)
    outcome = _safe_process(process_source, ImageJob("fuzz-item", str(path), None, settings), str(cache))
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
