"""Markdown to sanitised HTML: a caption can never inject markup, scripts or unsafe links."""

from __future__ import annotations

import functools
import re

import markdown as md
import nh3

ALLOWED_TAGS = {"p", "br", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "q", "abbr"}
ALLOWED_ATTRS = {"a": {"href", "title"}, "abbr": {"title"}}
SITE_HEADINGS = {"h2", "h3", "h4"}
SITE_ATTRS = {**ALLOWED_ATTRS, **{h: {"id"} for h in SITE_HEADINGS}}
URL_SCHEMES = {"http", "https", "mailto"}
_HEADING_OPEN = re.compile(r"<h[1-6][^>]*>")
_HEADING_CLOSE = re.compile(r"</h[1-6]>")
_RAW_HTML = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")
_UNSAFE_LINK = re.compile(r"(?i)\b(?:javascript|vbscript|data)\s*:")


@functools.lru_cache(maxsize=2)
def _converter(headings: bool) -> md.Markdown:
    """One Markdown instance per flavour, reset between texts (building one costs more than converting)."""
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
