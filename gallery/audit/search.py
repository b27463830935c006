"""The text search: no text file of the site contains a string taken from a source photo's metadata.

A plain search of ~280 pages (2 MB) for ~1,500 strings takes ~0.45 s; two prefilters make it ~0.13 s
and find exactly the same (tests/test_audit_memo.py checks them against a plain search): a needle
is first looked for in the pages' vocabulary of distinct words, and a needle of digits and
separators only (a GPS position, a date-time) in the pages' runs of such characters.
"""

from __future__ import annotations

import functools
import re

from .findings import Finding, Needle

VOCABULARY_FROM = 100     # needles from which a word vocabulary of the pages pays for itself
VOCABULARY_TEXT = 20_000  # ... and characters of text (less is searched directly, faster)
_WORD = re.compile(r"[^\W_]+")
_NUMBER_RUN = re.compile(r"[0-9.:/ -]+")


def search_texts(texts: list[tuple[str, str]], needles: list[Needle]) -> list[Finding]:
    """Every needle found in the (relative path, lowered text) pairs; a file name only as a whole name."""
    if not needles or not texts:
        return []
    everything = "\x00".join(low for _, low in texts)
    words, vocabulary, numbers = _prefilters(everything) if len(needles) > VOCABULARY_FROM \
        and len(everything) > VOCABULARY_TEXT else (set(), "", "")
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
        for rel, text in texts:
            match = _needle_match(low, text, needle.what)
            if match is not None:
                line = text.count("\n", 0, match) + 1
                found.append(Finding(rel, "text",
                                     f"contains '{needle.text}', the {needle.what} of {needle.source.name}; "
                                     "remove it from the caption, settings or template", line))
    return found


def _prefilters(everything: str) -> tuple[set[str], str, str]:
    """The pages' words, those words joined, and their runs of digits and separators joined."""
    lines = "\n".join(set(everything.split("\n")))   # pages share most lines (navigation, footer)
    words = set(_WORD.findall(lines))
    return words, "\x00".join(sorted(words)), "\x00".join(set(_NUMBER_RUN.findall(lines)))


def _may_occur(low: str, words: set[str], vocabulary: str) -> bool:
    """False when low cannot be in the pages: a word inside it is not a page word, or its longest
    word is not part of any page word. (A necessary condition only; the caller then searches.)"""
    parts = _WORD.findall(low)
    if not parts:
        return True
    if any(part not in words for part in parts[1:-1]):
        return False
    return max(parts, key=len) in vocabulary


def _needle_match(low: str, text: str, what: str) -> int | None:
    """Where low first occurs in text (a file name only as a whole name)."""
    index = text.find(low)
    if what != "file name":
        return None if index < 0 else index
    match = whole_name(low).search(text)
    return match.start() if match else None


@functools.lru_cache(maxsize=4096)
def whole_name(low: str) -> re.Pattern:
    """low as a whole file name: not preceded by a word character or hyphen, nor followed by a word character."""
    return re.compile(rf"(?<![\w-]){re.escape(low)}(?!\w)")
