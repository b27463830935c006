"""The site's own words that depend on the data: counts that say what they count, dates as people
write them, and contact addresses as links. Used by the templates (render.py registers them)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
# an email address in text: ASCII only, a dot in the domain, never the full stop that ends a sentence
ADDRESS = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")
_TAG = re.compile(r"(<[^>]*>)")
_SKIP_OPEN = re.compile(r"<(?:a|code)[\s>]", re.I)       # text already a link, or code: left as it is
_SKIP_CLOSE = re.compile(r"</(?:a|code)\s*>", re.I)


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


@dataclass(frozen=True)
class Counts:
    """How many pictures and how many answers described in words a list holds."""

    pictures: int
    words: int

    @classmethod
    def of(cls, has_image: Iterable[bool]) -> Counts:
        flags = list(has_image)
        return cls(sum(flags), len(flags) - sum(flags))

    @property
    def total(self) -> int:
        return self.pictures + self.words

    @property
    def phrase(self) -> str:
        """'2 pictures', '1 item, described in words', or '3 items: 2 pictures, 1 described in words'."""
        if not self.words:
            return plural(self.pictures, "picture")
        if not self.pictures:
            return f"{plural(self.words, 'item')}, described in words"
        return f"{plural(self.total, 'item')}: {plural(self.pictures, 'picture')}, {self.words} described in words"

    @property
    def noun(self) -> str:
        """The total with the word that fits it: '8 pictures' when every one is a picture, else '8 items'."""
        return plural(self.total, "item" if self.words else "picture")


def long_date(day: dt.date) -> str:
    """1 December 2026: day, month in words, year (GOV.UK style), whatever the system's locale."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def link_addresses(html: str) -> str:
    """HTML with every email address in its text (not inside a tag, a link or code) made a mailto: link.
    The text is HTML already (escaped); an address holds no character that escaping changes."""
    parts, inside = [], False
    for part in _TAG.split(html):
        if part.startswith("<"):
            inside = bool(_SKIP_OPEN.match(part)) or (inside and not _SKIP_CLOSE.match(part))
            parts.append(part)
        else:
            parts.append(part if inside else ADDRESS.sub(r'<a href="mailto:\g<0>">\g<0></a>', part))
    return "".join(parts)


def mailto(text: str):
    """Text (a contact, a sentence) escaped, with each email address in it a mailto: link (a template filter)."""
    from markupsafe import Markup, escape
    return Markup(link_addresses(str(escape(text))))
