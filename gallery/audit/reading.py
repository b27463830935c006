"""What a reader sees: the view of a text file that the text search runs over.

A page holds `O&#39;Brien`, a link `?who=O%27Brien`, a script `'O\\u0027Brien'`; a reader (or a
search engine) sees O'Brien. The view decodes, in order, as a browser does:

1. character references (named, decimal, hex; with or without the semicolon) in HTML, XML, SVG
   and text files, in text and attribute values alike;
2. percent escapes (as UTF-8) and `+` as a space, and backslash escapes: JavaScript/JSON's
   (`\\u0027`, `\\u{27}`, `\\x27`, `\\'`) in scripts, CSS's (`\\27 `) in stylesheets, both in pages;
3. invisible characters (soft hyphens, zero-width spaces and joiners, bidi controls) are dropped,
   and every run of white space (line breaks, `&nbsp;`) is one space, as a reader sees it;
4. Unicode is normalised (NFC) and case-folded (`str.casefold`, for what is not ASCII: it is
   slow), so that "Siobhán" typed with a combining accent and σ/ς/Σ are each one thing, and
   everything is lower case.

The decoding is done everywhere, not only inside links or scripts: decoding more than a browser
would finds more, and a needle holding a character the decoding could change (`&`, `%`, a
backslash) is also looked for in the text as written (search.py). A page is read twice: with its
markup (attribute values are text too) and with its tags taken out, so that `<b>Siob</b>han` and
`Siobhan <em>O'Brien</em>` are seen as a reader sees them. Each stage is a regular expression
substitution; a position in the view is traced back to the file as written only for what was found
(`View.origin`).
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import unquote

Replace = Callable[[re.Match], str] | str

_ENTITY = re.compile(r"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]{1,31};?)")
_URL = r"%[0-9a-fA-F]{2}(?:%[0-9a-fA-F]{2})*|\+"                     # percent escapes (UTF-8); + as a space
_JS = r"u\{[0-9a-fA-F]{1,6}\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}"       # \u{27} \u0027 \x27
_CSS = r"[0-9a-fA-F]{1,6}[ \t\r\n\f]?"                                # \27 and one white space
_ESCAPES = {    # percent escapes and + in every file; backslash escapes as scripts, stylesheets or both write them
    "css": re.compile(rf"{_URL}|\\(?:{_CSS}|[\s\S])"),
    "script": re.compile(rf"{_URL}|\\(?:{_JS}|[\s\S])"),
    "page": re.compile(rf"{_URL}|\\(?:{_JS}|{_CSS}|[\s\S])"),
}
_SCRIPTS = {".js", ".mjs", ".json", ".map", ".webmanifest"}
_INVISIBLE_CHARS = ("\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180e\u180f\u200b\u200c\u200d"
                    "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068"
                    "\u2069\ufe00\ufe01\ufe02\ufe03\ufe04\ufe05\ufe06\ufe07\ufe08\ufe09\ufe0a\ufe0b\ufe0c\ufe0d"
                    "\ufe0e\ufe0f\ufeff")
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]+")
_INVISIBLE_SET = set(_INVISIBLE_CHARS)
_ASCII = bytes(range(128))
_SPACE = re.compile(r"\s+")
_COMPOSED = re.compile(r"\S?[^\x00-\x7f]+")     # a run of non-ASCII characters and the letter before it
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_INLINE = ("a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "font", "i", "ins", "kbd",
           "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "tspan", "u", "var", "wbr")
_INLINE_TAG = re.compile(rf"</?(?:{'|'.join(_INLINE)})(?:\s[^<>]*)?/?>")   # nothing (run on lower-case text)
_BLOCK_TAG = re.compile(r"<(?:!--|/?[a-z][a-z0-9-]*(?:\s[^<>]*)?/?>)|-->")     # a space: between words
_LETTERS = {"n": " ", "r": " ", "t": " ", "f": " ", "v": " ", "b": "", "\n": "", "\r": ""}


@dataclass(frozen=True)
class Stage:
    """One substitution, kept with its input so that a position in its output can be traced back."""

    pattern: re.Pattern
    replace: Replace
    before: str

    def origin(self, pos: int) -> int:
        """The position in before of what is at pos in the output (the start of a replaced match)."""
        delta = 0
        for match in self.pattern.finditer(self.before):
            start = match.start() + delta
            if pos < start:
                break
            new = len(self.replace if isinstance(self.replace, str) else self.replace(match))
            if pos < start + new:
                return match.start()
            delta += new - (match.end() - match.start())
        return pos - delta


@dataclass(frozen=True)
class View:
    text: str
    stages: tuple[Stage, ...]

    def origin(self, pos: int) -> int:
        """The offset in the file as written of what is at pos in the view."""
        for stage in reversed(self.stages):
            pos = stage.origin(pos)
        return pos


def views(text: str, suffix: str) -> list[View]:
    """What a reader of text (a file ending in suffix) sees, case-folded: for a page, with its markup
    (attribute values are read too) and with its tags taken out (`<b>Siobhan</b> O'Brien`).

    Each stage runs only when the text holds what it changes; the white space and case stages run
    at C speed (str.split, str.lower) and are traced back by an equivalent expression.
    """
    kind = "css" if suffix == ".css" else "script" if suffix in _SCRIPTS else "page"
    decoded = _Stages(text)
    if kind == "page" and "&" in text:
        decoded.run(_ENTITY, _entity)
    if "%" in text or "+" in text or "\\" in text:
        decoded.run(_ESCAPES[kind], _escape)
    rare = _non_ascii(decoded.text)
    if rare & _INVISIBLE_SET:
        decoded.run(_INVISIBLE, "")
    seen = [_finish(decoded, rare)]
    if kind == "page" and "<" in decoded.text:     # a comment's marks are taken out, what it says stays
        untagged = _Stages(seen[0].text, seen[0].stages)    # folded and lower case (lower() is 1:1)
        untagged.run(_INLINE_TAG, "")
        untagged.run(_BLOCK_TAG, " ")
        untagged.run(_SPACE, _space, _collapse)
        seen.append(View(untagged.text, tuple(untagged.stages)))
    return seen


class _Stages:
    """A text and the substitutions that made it, so that a position in it can be traced back."""

    def __init__(self, text: str, stages: Iterable[Stage] = ()):
        self.text = text
        self.stages = list(stages)

    def run(self, pattern: re.Pattern, replace: Replace, fast: Callable[[str], str] | None = None) -> None:
        """Substitute (with fast, a quicker function that gives the same result, if given)."""
        self.stages.append(Stage(pattern, replace, self.text))
        self.text = fast(self.text) if fast else pattern.sub(replace, self.text)


def _finish(text: _Stages, rare: set[str]) -> View:
    """White space collapsed, Unicode normalised and folded (rare: the text's characters beyond ASCII)."""
    text.run(_SPACE, _space, _collapse)
    if rare:
        composed = not unicodedata.is_normalized("NFC", text.text)
        if composed:
            text.run(_COMPOSED, _compose)
        if composed or any(_folds(c) for c in rare):
            text.run(_NON_ASCII, _fold)
    return View(text.text.lower(), tuple(text.stages))


def _non_ascii(text: str) -> set[str]:
    """The characters of text beyond ASCII (C speed: its UTF-8 with the ASCII bytes deleted)."""
    if text.isascii():
        return set()
    return set(text.encode("utf-8", "surrogatepass").translate(None, _ASCII).decode("utf-8", "surrogatepass"))


@functools.cache
def _folds(char: str) -> bool:
    """True when str.lower() is not the case folding of char: ß, ς, ﬁ, İ (longer), Σ (ς at a word's end)."""
    return char.casefold() != char.lower() or len(char.lower()) != 1 or char == "\u03a3"


@functools.cache
def needle_view(text: str) -> str:
    """A needle as the view shows it: `+` as a space, invisible characters dropped, white space, case and
    Unicode form as in `view` (each needle is asked for several times in a build)."""
    if text.isascii():              # nothing invisible, nothing to compose or fold
        return _collapse(text.replace("+", " ")).lower()
    text = _collapse(_INVISIBLE.sub("", text.replace("+", " ")))
    return _NON_ASCII.sub(_fold, _COMPOSED.sub(_compose, text)).lower()


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _space(match: re.Match) -> str:
    """What _collapse makes of a run of white space: nothing at either end, one space inside."""
    return "" if match.start() == 0 or match.end() == len(match.string) else " "


def _entity(match: re.Match) -> str:
    return html.unescape(match.group())


def _escape(match: re.Match) -> str:
    token = match.group()
    if token == "+":
        return " "
    if token[0] == "%":
        return unquote(token, errors="replace")
    body = token[1:]
    if len(body) == 1:                      # \' \" \n \\ ...: the character, or the white space it stands for
        return _LETTERS.get(body, body)
    code = int(body.strip("ux{} \t\r\n\f"), 16)    # \u0027 \u{27} \x27 (scripts), \27 (stylesheets)
    return chr(code) if 0 < code <= 0x10FFFF else "\ufffd"


def _compose(match: re.Match) -> str:
    return unicodedata.normalize("NFC", match.group())


def _fold(match: re.Match) -> str:
    return match.group().casefold()
