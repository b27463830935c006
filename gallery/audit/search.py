"""The text search: no text file of the site contains a string taken from a source photo's metadata.

Every needle is looked for in one pass over each text with an Aho-Corasick automaton (the
pyahocorasick library): ~280 pages (2 MB) against ~1,500 strings in ~20 ms, where a plain
`needle in text` for each one takes ~0.45 s. Texts and needles are compared lowered.
"""

from __future__ import annotations

import functools
import re

from .findings import Finding, Needle


class Search:
    """An automaton of needles, built once and run over any number of texts."""

    def __init__(self, needles: list[Needle]):
        import ahocorasick
        self.automaton = ahocorasick.Automaton()
        self.empty = True
        for needle in needles:
            low = needle.text.lower()
            found = self.automaton.get(low, None)
            if found is None:
                self.automaton.add_word(low, [needle])
                self.empty = False
            elif all(_key(n) != _key(needle) for n in found):   # the same text as a name and as a value
                found.append(needle)
        if not self.empty:
            self.automaton.make_automaton()

    def findings(self, rel: str, text: str) -> list[Finding]:
        """The first occurrence in text (lowered) of each needle, as findings on the file rel."""
        if self.empty:
            return []
        found = []
        reported: set[tuple[str, bool]] = set()
        for end, needles in self.automaton.iter(text):
            for needle in needles:
                low = needle.text.lower()
                start = end - len(low) + 1
                if _key(needle) in reported or (needle.what == "file name" and not whole_name(low).match(text, start)):
                    continue
                reported.add(_key(needle))
                line = text.count("\n", 0, start) + 1
                found.append(Finding(rel, "text", f"contains '{needle.text}', the {needle.what} of "
                                                  f"{needle.source.name}; remove it from the caption, settings "
                                                  "or template", line))
        return found


def _key(needle: Needle) -> tuple[str, bool]:
    """What a needle is searched for as: its lowered text, as a whole name for a file name."""
    return needle.text.lower(), needle.what == "file name"


def search_texts(texts: list[tuple[str, str]], needles: list[Needle]) -> list[Finding]:
    """Every needle found in the (relative path, lowered text) pairs; a file name only as a whole name."""
    search = Search(needles)
    return [finding for rel, text in texts for finding in search.findings(rel, text)]


@functools.lru_cache(maxsize=4096)
def whole_name(low: str) -> re.Pattern:
    """low as a whole file name: not preceded by a word character or hyphen, nor followed by a word character."""
    return re.compile(rf"(?<![\w-]){re.escape(low)}(?!\w)")
