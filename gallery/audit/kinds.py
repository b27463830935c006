"""What a file is, by its first bytes, never by its name.

The audit checks every file of the site as what it is: an image the container walkers read (JPEG,
PNG, WebP, AVIF), a font whose container can be checked (WOFF, WOFF2), or text (UTF-8 without NUL
bytes, searched and checked as the kind its name says). Anything else is named (a GIF image, a PDF
document, unknown binary data) and is a finding: the audit cannot say what it holds.
"""

from __future__ import annotations

import os

IMAGES = ("JPEG", "PNG", "WebP", "AVIF")
FONTS = ("WOFF", "WOFF2")
TEXT = "text"
HEAD = 32           # bytes read to tell the kind

BY_SUFFIX = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WebP", ".avif": "AVIF",
             ".woff": "WOFF", ".woff2": "WOFF2"}
HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"mif2")
# (signature at byte 0, what the file is): kinds the audit cannot check
OTHERS = ((b"GIF87a", "a GIF image"), (b"GIF89a", "a GIF image"), (b"II*\x00", "a TIFF image"),
          (b"MM\x00*", "a TIFF image"), (b"\x00\x00\x01\x00", "an ICO image"), (b"\x00\x00\x02\x00", "an ICO image"),
          (b"\xff\x0a", "a JPEG XL image"), (b"\x00\x00\x00\x0cJXL ", "a JPEG XL image"),
          (b"\x00\x00\x00\x0cjP  ", "a JPEG 2000 image"), (b"%PDF-", "a PDF document"),
          (b"PK\x03\x04", "a ZIP archive"), (b"\x1f\x8b", "gzip-compressed data"),
          (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an OLE compound file (Thumbs.db, an Office document)"),
          (b"\x00\x01\x00\x00", "an uncompressed TrueType font"), (b"OTTO\x00", "an uncompressed OpenType font"),
          (b"ttcf\x00", "a TrueType font collection"), (b"8BPS\x00", "a Photoshop document"),
          (b"\x00\x00\x00\x01Bud1", "a Finder .DS_Store file"), (b"\x00\x05\x16\x07", "an AppleDouble file"),
          (b"\xff\xfe", "UTF-16 text"), (b"\xfe\xff", "UTF-16 text"))
UNKNOWN = "unknown binary data (not an image, a font or UTF-8 text)"


def sniff(head: bytes) -> str:
    """The kind of a file from its first HEAD bytes: one of IMAGES or FONTS, TEXT (no NUL: it is text
    if the whole file is UTF-8 without NUL, which reading it confirms), or what it is, as words."""
    if head.startswith(b"\xff\xd8"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF":
        return "WebP" if head[8:12] == b"WEBP" else "a RIFF file (audio or video)"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        return "AVIF" if brand in (b"avif", b"avis") else "a HEIC image" if brand in HEIF_BRANDS \
            else "an ISO media file (video)"
    if head[:4] in (b"wOFF", b"wOF2"):
        return "WOFF" if head[:4] == b"wOFF" else "WOFF2"
    if head[:2] == b"BM" and head[6:10] == b"\x00\x00\x00\x00" and len(head) >= 14:
        return "a BMP image"
    for signature, what in OTHERS:
        if head.startswith(signature):
            return what
    return TEXT if b"\x00" not in head else UNKNOWN


def head_of(path: str) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(HEAD)


def expected(rel: str) -> str | None:
    """The kind a file's name says it is (None: a name that does not say, such as CNAME or .htaccess,
    under which text is expected)."""
    return BY_SUFFIX.get(os.path.splitext(rel)[1].lower())


def named(rel: str) -> str:
    suffix = os.path.splitext(rel)[1]
    return f"a {suffix} name" if suffix else "a name without an extension"


def mismatch(rel: str, kind: str) -> str | None:
    """The message for a file whose name says another kind than its content (None when they agree)."""
    says = expected(rel)
    if kind == TEXT and says is None:
        return None
    if says == kind:
        return None
    what = "text" if kind == TEXT else f"{kind} data"
    fix = f"rename it to {_suffix(kind)}" if kind != TEXT else "remove it or give it the name of what it holds"
    return f"holds {what} under {named(rel)}; {fix}"


def _suffix(kind: str) -> str:
    return next(suffix for suffix, k in BY_SUFFIX.items() if k == kind)


def cannot_check(kind: str) -> str:
    """The message for a file of a kind the audit cannot check."""
    return (f"holds {kind}, which the privacy audit cannot check for metadata (it reads JPEG, PNG, WebP and "
            "AVIF images, WOFF/WOFF2 fonts and UTF-8 text); remove it from the site, or convert it (an image "
            "to PNG or WebP, a font to WOFF2, text to UTF-8)")
