"""Markdown rendering: the plain-prose shortcut gives exactly what Markdown and the cleaner give."""

from __future__ import annotations

import random

import pytest

from gallery import markup

PLAIN = "abcxyzAZé ß 09 .,;:!?'\"()/%+=@£€$…–—‘’“”-"
SYNTAX = "*_`[]<>&\\#{}|~\t\u00a0 \n>-+=123."


def _texts(seed: int, alphabet: str, count: int):
    rng = random.Random(seed)
    for _ in range(count):
        words = []
        for _ in range(rng.randint(1, 12)):
            first = rng.choice("abcZé“(" if rng.random() < 0.9 else alphabet)     # mostly prose-like
            word = first + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 5)))
            words.append(word + rng.choice([" ", " ", " ", "\n", "\n\n", "\n\n\n"]))
        yield rng.choice(["", "", "", "\n", "  "]) + "".join(words).rstrip(" ")


@pytest.mark.parametrize("headings", [False, True])
def test_the_shortcut_agrees_with_markdown_on_random_texts(headings: bool):
    taken = 0
    for alphabet, seed in ((PLAIN, 1), (PLAIN + SYNTAX, 2), (PLAIN + "\n" * 5, 3)):
        for text in _texts(seed, alphabet, 1500):
            fast = markup.plain_html(text)
            if fast is not None:
                taken += 1
                assert fast == markup.render_markdown(text, headings), repr(text)
    assert taken > 300, "the shortcut should apply to most plain prose"


@pytest.mark.parametrize("text", [
    "Nobody told me how much of the job is finding a parking space.\n",
    "It's the “little things” (really) — 100% of them… £5, €3, 2+2=4, me@home/away!\n\nSecond paragraph?\n",
    "Line one\nline two\n",
])
def test_captions_of_plain_prose_take_the_shortcut(text: str):
    assert markup.plain_html(text) == markup.render_markdown(text, False)


@pytest.mark.parametrize("text", [
    "1. a list", "- a list", "* a list", "+ a list", "# Heading", "> quote", "    code", "Title\n=====",
    "Title\n---", "a *b*", "a _b_", "a `b`", "[a](http://x)", "a <b>", "a &amp; b", "a\\*", "line  \nbreak",
    "a {#id}", "tab\there", "a\u00a0b", "2024 was a year", "",
])
def test_anything_markdown_might_read_is_left_to_markdown(text: str):
    assert markup.plain_html(text) is None
