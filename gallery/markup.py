"""Markdown to sanitised HTML: a caption can never inject markup, scripts or unsafe links."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import markdown as md

ALLOWED_TAGS = {"p", "br", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "q", "abbr"}
ALLOWED_ATTRS = {"a": {"href", "title"}, "abbr": {"title"}}
SITE_HEADINGS = {"h2", "h3", "h4"}
SITE_ATTRS = {**ALLOWED_ATTRS, **{h: {"id"} for h in SITE_HEADINGS}}
URL_SCHEMES = {"http", "https", "mailto"}
_HEADING_OPEN = re.compile(r"<h[1-6][^>]*>")
_HEADING_CLOSE = re.compile(r"</h[1-6]>")
_RAW_HTML = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")
_UNSAFE_LINK = re.compile(r"(?i)\b(?:javascript|vbscript|data)\s*:")
# A line Markdown leaves as it is: it starts with a letter or an opening quote or bracket (no list,
# heading, quote or code block), holds only letters, digits, spaces and punctuation that is neither
# Markdown nor HTML (no * _ ` [ ] < > & \\ # { } | ~ or tab), and does not end with a space (a line break).
_PLAIN_LINE = re.compile("(?:[^\\W\\d_]|[\"'(\u2018\u201c])"                       # first: a letter, quote or (
                         "(?:[^\\W_]|[ .,;:!?'\"()/%+=@\u00a3\u20ac$\u2026\u2013\u2014\u2018\u2019\u201c\u201d-])*"
                         "(?<! )")
_PARAGRAPHS = re.compile(r"\n{2,}")


@functools.lru_cache(maxsize=2)
def _converter(headings: bool) -> md.Markdown:
    """One Markdown instance per flavour, reset between texts (building one costs more than converting).
    Markdown and nh3 are imported on first use: a rebuild whose texts are all remembered needs neither."""
    import markdown as md
    return md.Markdown(output_format="html", extensions=["attr_list"] if headings else [])


def _markdown(text: str, headings: bool) -> str:
    converter = _converter(headings)
    try:
        return converter.convert(text)
    finally:
        converter.reset()


def render(text: str | None, headings: bool = False) -> str:
    """Render Markdown and keep only harmless tags and http(s)/mailto links.

    Participants' words get no headings (they would break the page outline); the site's own texts
    (about, introduction) may use ## and ### headings with {#anchor} ids.
    """
    if not text:
        return ""
    return _render(text, headings)


def plain_html(text: str) -> str | None:
    """What Markdown and the cleaner make of plain prose (the usual caption), without either; None
    when the text holds anything Markdown might read as syntax (see _PLAIN_LINE)."""
    body = text.strip("\n")
    paragraphs = _PARAGRAPHS.split(body)
    if not body or not all(_PLAIN_LINE.fullmatch(line) for p in paragraphs for line in p.split("\n")):
        return None
    return "\n".join(f"<p>{p}</p>" for p in paragraphs)


def _render(text: str, headings: bool) -> str:
    plain = plain_html(text)
    if plain is not None:       # no Markdown or nh3 import (~25 ms) for a caption of plain prose
        return plain
    return render_markdown(text, headings)


def render_markdown(text: str, headings: bool) -> str:
    """Markdown, then the cleaner (always: the plain-prose shortcut is checked against this)."""
    import nh3
    if headings:
        return nh3.clean(_markdown(text, True), tags=ALLOWED_TAGS | SITE_HEADINGS, attributes=SITE_ATTRS,
                         url_schemes=URL_SCHEMES, link_rel="noopener noreferrer").strip()
    html = _markdown(text, False)
    html = _HEADING_OPEN.sub("<p><strong>", _HEADING_CLOSE.sub("</strong></p>", html))
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRS, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer").strip()


def inline(text: str | None) -> str:
    """Render a one-paragraph text without the surrounding <p>."""
    html = render(text)
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html


def unsafe_reasons(text: str | None) -> list[str]:
    """What in the text will be neutralised (for a warning): raw HTML, or script/data links."""
    if not text:
        return []
    reasons = []
    if _RAW_HTML.search(text):
        reasons.append("raw HTML was removed")
    if _UNSAFE_LINK.search(text):
        reasons.append("javascript:/data: links were removed")
    return reasons
