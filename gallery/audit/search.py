"""The text search: no text file of the site contains a string taken from a source photo's metadata.

Every needle is looked for in one pass over each text with an Aho-Corasick automaton (the
pyahocorasick library): ~280 pages (2 MB) against ~1,500 strings in ~20 ms, where a plain
`needle in text` for each one takes ~0.45 s. The search runs over what a reader sees
(`reading.view`: entities and escapes decoded, Unicode normalised and case-folded), and the needles
are put in the same form; a needle that holds a character the decoding could change (`&`, `%`, a
backslash) is also looked for in the text as written, lowered.
"""

from __future__ import annotations

import functools
import os
import re

from .findings import Finding, Needle
from .reading import needle_view, views

_DECODED = re.compile(r"[&%\\]")


class Search:
    """Automata of needles, built once and run over any number of texts."""

    def __init__(self, needles: list[Needle]):
        self.decoded = _automaton([(search_key(n)[0], n) for n in needles])
        self.written = _automaton([(n.text.lower(), n) for n in needles if _DECODED.search(n.text)])

    def findings(self, rel: str, text: str) -> list[Finding]:
        """The first occurrence of each needle in what a reader of text (the file rel) sees, and in text
        as written for a needle the decoding changes, as findings on the file rel."""
        if self.decoded is None:
            return []
        reported: set[tuple[str, bool]] = set()
        found = [self._finding(rel, needle, text.count("\n", 0, seen.origin(start)) + 1)
                 for seen in views(text, os.path.splitext(rel)[1].lower())
                 for needle, start in _matches(self.decoded, seen.text, needle_view, reported)]
        if self.written is not None:
            low = text.lower()     # counted in low itself: lower() keeps every line break
            found += [self._finding(rel, needle, low.count("\n", 0, start) + 1)
                      for needle, start in _matches(self.written, low, str.lower, reported)]
        return found

    @staticmethod
    def _finding(rel: str, needle: Needle, line: int) -> Finding:
        return Finding(rel, "text", f"contains '{needle.text}', the {needle.what} of {needle.source.name}; remove "
                                    "it from the caption, settings or template", line)


def _automaton(words: list[tuple[str, Needle]]):
    """An Aho-Corasick automaton of the words (each word's needles as its value), or None if there are none."""
    import ahocorasick
    automaton = ahocorasick.Automaton()
    for word, needle in words:
        if not word:
            continue
        found = automaton.get(word, None)
        if found is None:
            automaton.add_word(word, [needle])
        elif all(search_key(n) != search_key(needle) for n in found):   # the same text as a name and as a value
            found.append(needle)
    if len(automaton) == 0:
        return None
    automaton.make_automaton()
    return automaton


def _matches(automaton, text: str, form, reported: set[tuple[str, bool]]):
    """(needle, start) for the first occurrence in text of each needle not yet reported; a file name only
    as a whole name."""
    for end, needles in automaton.iter(text):
        for needle in needles:
            word = form(needle.text)
            start = end - len(word) + 1
            key = search_key(needle)
            if key in reported or (needle.what == "file name" and not whole_name(word).match(text, start)):
                continue
            reported.add(key)
            yield needle, start


def search_key(needle: Needle) -> tuple[str, bool]:
    """What a needle is searched for as: what a reader sees of it, as a whole name for a file name."""
    return needle_view(needle.text), needle.what == "file name"


def search_texts(texts: list[tuple[str, str]], needles: list[Needle]) -> list[Finding]:
    """Every needle found in the (relative path, text) pairs; a file name only as a whole name."""
    search = Search(needles)
    return [finding for rel, text in texts for finding in search.findings(rel, text)]


@functools.lru_cache(maxsize=4096)
def whole_name(low: str) -> re.Pattern:
    """low as a whole file name: not preceded by a word character or hyphen, nor followed by a word character."""
    return re.compile(rf"(?<![\w-]){re.escape(low)}(?!\w)")
