"""Images inside text: every data: URI of a page, style sheet, SVG or script is decoded and checked.

A `data:` URI puts a whole file inside text (`<image href="data:image/jpeg;base64,...">`,
`url(data:...)` in CSS, `src`, `srcset`, `style`); a JPEG carried that way publishes its EXIF as
surely as a file would. Each one, base64 or percent-encoded, upper or lower case, with whitespace
inside its base64, is decoded and checked as what its bytes are (kinds.sniff): an image or font
by its container, text (an embedded SVG) for editor metadata, its own data: URIs (to MAX_DEPTH)
and, by the caller, the needles. A payload that cannot be decoded, or of a kind the audit cannot
check, is a finding.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
import urllib.parse

from .containers import check_font, check_image, check_svg
from .kinds import FONTS, HEAD, IMAGES, TEXT, UNKNOWN, cannot_check, sniff

MAX_DEPTH = 4
MARKUP = (".html", ".htm", ".svg", ".xml", ".xhtml")
_TOKEN = r"[a-z0-9!#$&^_.+-]+"
DATA_URI = re.compile(rf"(?i)(?<![\w-])data:(?P<type>{_TOKEN}/{_TOKEN})?(?P<params>(?:;[^,;\s\"'()<>]*)*),")
_BARE_END = re.compile(r"[\s\"'<>)]")

Found = tuple[str, str, int]          # (where, what, line)


def check_text(rel: str, text: str) -> tuple[list[Found], list[tuple[int, str]]]:
    """The findings of a text file of the site (SVG editor metadata, embedded files), and the texts
    embedded in it as (line of its data: URI, decoded text), to be searched for needles too."""
    found: list[Found] = []
    if rel.lower().endswith(".svg"):
        found.extend(check_svg(text))
    texts: list[tuple[int, str]] = []
    for line, where, what in _embedded(text, rel.lower().endswith(MARKUP), 1, texts):
        found.append((where, what, line))
    return found, texts


def _embedded(text: str, markup: bool, depth: int, texts: list[tuple[int, str]],
              line: int | None = None) -> list[tuple[int, str, str]]:
    """(line, where, what) for each data: URI in text; line, when given, is that of the enclosing URI."""
    found: list[tuple[int, str, str]] = []
    counted, lines = 0, 1
    for match in DATA_URI.finditer(text):
        lines += text.count("\n", counted, match.start())
        counted = match.start()
        at = line or lines
        kind_named = match.group("type") or "no type"
        label = f"data: URI ({kind_named.lower()})"
        data = _decode(_payload(text, match), "base64" in match.group("params").lower(), markup)
        if data is None:
            found.append((at, label, "its content cannot be decoded (damaged base64 or percent-encoding), so it "
                                     "cannot be checked; remove it or replace it with a file"))
            continue
        found.extend((at, f"{label}: {where}", what) for where, what in _check_payload(data, depth, texts, at))
    return found


def _check_payload(data: bytes, depth: int, texts: list[tuple[int, str]], line: int) -> list[tuple[str, str]]:
    kind = sniff(data[:HEAD])
    if kind in IMAGES:
        return check_image(data, {"JPEG": ".jpg", "PNG": ".png", "WebP": ".webp", "AVIF": ".avif"}[kind])
    if kind in FONTS:
        return check_font(data)
    if kind != TEXT:
        return [("content", cannot_check(kind))]
    try:
        inner = data.decode("utf-8")
    except UnicodeDecodeError:
        inner = "\x00"
    if "\x00" in inner:
        return [("content", cannot_check(UNKNOWN))]
    if depth >= MAX_DEPTH and DATA_URI.search(inner):
        return [("content", f"data: URIs nested more than {MAX_DEPTH} deep; replace them with files")]
    texts.append((line, inner))
    found = [(where, what) for where, what, _line in check_svg(inner)]
    found.extend((where, what) for _l, where, what in _embedded(inner, True, depth + 1, texts, line))
    return found


def _payload(text: str, match: re.Match) -> str:
    """The URI's payload: up to the quote that opened it, the `)` of a CSS url(, or else the first
    whitespace or markup character; never into the next data: URI (a srcset lists several)."""
    start = match.end()
    before = text[max(0, match.start() - 64):match.start()].rstrip()
    if before[-1:] in ("\"", "'"):
        end = text.find(before[-1], start)
    elif before[-4:].lower() == "url(":
        end = text.find(")", start)
    else:
        bare = _BARE_END.search(text, start)
        end = bare.start() if bare else len(text)
    end = len(text) if end < 0 else end
    following = DATA_URI.search(text, start, end)
    return text[start:following.start() if following else end]


def _decode(payload: str, is_base64: bool, markup: bool) -> bytes | None:
    """The bytes of a payload as a browser reads them (percent-decoded; base64 forgiving of whitespace
    and missing padding); None when they cannot be decoded."""
    if markup:
        payload = html.unescape(payload)
    if not is_base64:
        return urllib.parse.unquote_to_bytes(payload)
    words = payload.split()
    for candidate in (payload, words[0] if words else ""):    # a srcset entry: the URI, then " 2x,"
        compact = "".join(urllib.parse.unquote(candidate).split())
        if len(compact) % 4 == 1:
            continue
        try:
            return base64.b64decode(compact + "=" * (-len(compact) % 4), validate=True)
        except (binascii.Error, ValueError):
            continue
    return None
