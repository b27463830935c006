"""The text search sees what a reader of the page sees: entities, URL and script escapes decoded,
Unicode normalised and case-folded, invisible characters and wrapped lines read as a reader reads them."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Project
from PIL import Image

from gallery import audit

SOURCE = Path("cam.jpg")


def found(text: str, *needles: str, rel: str = "p.html", what: str = "EXIF Artist") -> list[tuple[str, int | None]]:
    """(needle text, line) for every needle the search finds in text, as written to the file rel."""
    pairs = audit.search_texts([(rel, text)], [audit.Needle(n, what, SOURCE) for n in needles])
    return [(f.message.split("'")[1] if "'" in f.message else f.message, f.line) for f in pairs]


def hits(text: str, needle: str, rel: str = "p.html", what: str = "EXIF Artist") -> bool:
    return bool(audit.search_texts([(rel, text)], [audit.Needle(needle, what, SOURCE)]))


@pytest.mark.parametrize("page", [
    "<h1>Siobhan O&#39;Brien-Kelly</h1>",           # what Jinja's autoescape writes
    "<h1>Siobhan O&#039;Brien-Kelly</h1>",
    "<h1>Siobhan O&#x27;Brien-Kelly</h1>",
    "<h1>Siobhan O&#39Brien-Kelly</h1>",             # no semicolon: browsers accept it
    "<h1>Siobhan O&#X27;Brien&#x2D;Kelly</h1>",
    "<h1>Siobhan O&apos;Brien&#45;Kelly</h1>",
    "<h1>Siobhan O&rsquo;Brien-Kelly</h1>",          # not the same apostrophe: not found (see below)
    "<h1>Siobhan&nbsp;O'Brien-Kelly</h1>",           # a reader sees a space
    "<h1>Siobhan\n    O'Brien-Kelly</h1>",           # a wrapped line
    "<img alt=\"Siobhan O&#39;Brien-Kelly\" src=x>",
    "<a href=\"/find?who=Siobhan+O%27Brien-Kelly\">x</a>",
    "<a href=\"/find?who=Siobhan%20O%27Brien%2DKelly\">x</a>",
    "<a href=\"/find?who=Siobhan%20O&#37;27Brien-Kelly\">x</a>",   # an entity, then a percent escape
    "<img srcset=\"a.jpg?c=Siobhan%20O%27Brien-Kelly 2x\">",
    "<p>Sio&shy;bhan O'Brien-Kelly</p>",             # a soft hyphen: a reader sees the name
    "<p>Sio\u00adbhan O'Bri\u200ben-Kel\u2060ly</p>",  # soft hyphen, zero-width space, word joiner
    "<p>SIOBHAN O'BRIEN-KELLY</p>",
    "<p><strong>Siobhan</strong> O&#39;Brien-<em>Kelly</em></p>",   # Markdown's emphasis, inside the name
    "<p>Sio<b>bhan</b> O'Brien-Kelly</p>",
    "<p>Siobhan<br>O'Brien-Kelly</p>",
    "<td>Siobhan</td>\n  <td>O'Brien-Kelly</td>",
    "<span class=\"given\">Siobhan</span> <a href=\"/p/\">O'Brien</a>-Kelly",
    "<!-- Siobhan O'Brien-Kelly -->",
    "<script>if (a<b) { who = 'Siobhan O\\'Brien-Kelly'; }</script>",
])
def test_a_name_is_found_as_a_reader_sees_it(page):
    expected = "rsquo" not in page
    assert hits(page, "Siobhan O'Brien-Kelly") == expected


@pytest.mark.parametrize("page", [
    "<p>&copy; Smith &amp; Jones</p>",
    "<p>&copy; Smith &amp Jones</p>",
    "<p>&copy; Smith &#38; Jones</p>",
    "<p>&copy; Smith &#x26; Jones</p>",
    "<a href=\"https://example.org/?q=Smith+%26+Jones\">",
    "<a href=\"https://example.org/?q=Smith%20%26%20Jones\">",
    "<p>Smith & Jones</p>",
])
def test_a_copyright_with_an_ampersand_is_found(page):
    assert hits(page, "Smith & Jones")


@pytest.mark.parametrize("rel, text", [
    ("viewer.js", "const who = 'Siobhan O\\'Brien-Kelly';"),
    ("viewer.js", "const who = \"Siobhan O\\u0027Brien-Kelly\";"),
    ("viewer.js", "const who = \"Siobhan O\\x27Brien\\u002dKelly\";"),
    ("viewer.js", "const who = \"Siobhan O\\u{27}Brien-Kelly\";"),
    ("data.json", "{\"who\": \"Siobhan O\\u0027Brien-Kelly\"}"),
    ("search.json", "{\"who\": \"Siobh\\u00e1n O'Brien-Kelly\"}"),
    ("style.css", "a::after { content: 'Siobhan O\\27 Brien-Kelly'; }"),
    ("style.css", "a::after { content: 'Siobhan O\\000027Brien-Kelly'; }"),
    ("style.css", "a { background: url(\"/img/Siobhan%20O%27Brien-Kelly.png\"); }"),
    ("page.html", "<script>var who = 'Siobhan O\\u0027Brien-Kelly';</script>"),
    ("page.html", "<div style=\"background: url(/x/Siobhan%20O%27Brien-Kelly.png)\"></div>"),
])
def test_script_json_and_css_escapes_are_decoded(rel, text):
    needle = "Siobhán O'Brien-Kelly" if "00e1" in text else "Siobhan O'Brien-Kelly"
    assert hits(text, needle, rel=rel)


def test_unicode_forms_and_case_folding():
    nfc, nfd = "Siobh\u00e1n Ni\u00e9", "Siobha\u0301n Nie\u0301"
    assert hits(f"<p>{nfd}</p>", nfc)
    assert hits(f"<p>{nfc}</p>", nfd)
    assert hits("<p>Siobh&aacute;n Ni&#233;</p>", nfd)
    assert hits("<a href=\"?q=Siobh%C3%A1n%20Ni%C3%A9\">", nfd)           # UTF-8 percent escapes
    # Greek: the final sigma, the capital and the small are one letter to a reader
    assert hits("<p>ΟΔΥΣΣΕΑΣ</p>", "Οδυσσέας".replace("έ", "ε"))
    assert hits("<p>Οδυσσεας</p>", "ΟΔΥΣΣΕΑΣ")
    assert hits("<p>Strasse</p>", "STRAßE")
    # and no false alarm from the decoding itself
    assert not hits("<p>Siobhan O&#39;Connor</p>", "Siobhan O'Brien")
    assert not hits("<p>Smith &amp; Co</p>", "Smith & Jones")


def test_line_numbers_are_those_of_the_file_as_written():
    """Case folding, normalisation and decoding change lengths; the line is still the file's own."""
    page = ("<p>ßßßß İİİİ ﬁﬁﬁ</p>\n"                       # casefold makes each of these longer
            "<p>e\u0301e\u0301e\u0301 &amp;&amp;&#39;&#x27; %41%42</p>\n"   # NFC and decoding make these shorter
            "<p>one\n\n\n     two</p>\n"                   # collapsed whitespace spanning lines
            "<p>ΣΣΣ\u00ad\u200b</p>\n"
            "<p>Siobhan O&#39;Brien-Kelly</p>\n"          # line 8
            "<p>ßß &copy; Smith &amp;\n      Jones</p>\n")   # line 9: the match starts here, ends on 10
    assert sorted(found(page, "Siobhan O'Brien-Kelly", "Smith & Jones"), key=lambda f: f[1]) == [
        ("Siobhan O", 8), ("Smith & Jones", 9)]


def test_a_file_name_is_still_found_only_as_a_whole_name():
    name = "IMG_1234.jpg"
    assert hits("<a href=\"/x/IMG%5F1234.jpg\">", name, what="file name")
    assert hits("<p>IMG&#95;1234.jpg</p>", name, what="file name")
    assert not hits("<p>xIMG&#95;1234.jpg</p>", name, what="file name")
    assert not hits("<p>IMG_1234.jpgs</p>", name, what="file name")
    assert hits("<p>see\n IMG_1234.jpg.</p>", name, what="file name")


def exif(artist: str, copyright: str) -> bytes:
    data = Image.Exif()
    data[0x010F], data[0x0110] = "Google", "Pixel 8 Pro"
    data[0x013B], data[0x8298] = artist, copyright
    return data.tobytes()


def test_metadata_typed_into_a_title_or_caption_stops_the_build(project: Project):
    """The outside review's example: the names reach the page only through Jinja's and Markdown's escaping."""
    project.config.write_text("images:\n  sizes: [200]\n  formats: [jpeg]\n")
    project.photo("lw02-day.jpg", size=(300, 200), exif=exif("Siobhan O'Brien-Kelly", "Smith & Jones"))
    project.caption("lw02-day", participant="LW02")
    project.item("lw01-day", extra="title: Siobhan O'Brien-Kelly\n",
                 caption="\"Photo: Smith & Jones, who kindly lent it.\"")
    result = project.build(check=False)
    assert result.returncode == 1, result.stderr
    assert "contains 'Siobhan O'Brien-Kelly', the EXIF Artist of lw02-day.jpg" in result.stderr
    assert "contains 'Smith & Jones', the EXIF Copyright of lw02-day.jpg" in result.stderr
    page = (project.root / "site").exists()
    assert not page, "nothing is published"


def test_planted_names_are_found_on_their_own_line():
    """Seeded: a name written in a random one of its encoded forms, on a random line of a page full of
    text that decoding, normalising and folding lengthen or shorten; the finding names that line."""
    import random
    rng = random.Random(13)
    name = "Siobhán O'Brien-Kelly"
    forms = ["Siobhán O&#39;Brien-Kelly", "Siobha\u0301n O&#x27;Brien-Kelly", "SIOBH&Aacute;N O'BRIEN-KELLY",
             "Siobh%C3%A1n+O%27Brien-Kelly", "Sio&shy;bhán\n   O'Brien-Kelly", "Siobhán&nbsp;O\\u0027Brien-Kelly",
             "Siobh\\e1 n O\\27 Brien-Kelly", "<strong>Siobhán</strong>\n O&#39;Brien-<em>Kelly</em>",
             "<span class=x>Sio</span>bhán O'<b\n>Brien-Kelly"]
    filler = ["<p>", "</p>", "<br>", "<b>", "</em>", "<a href='x'>", "<!--", "-->",
              "ß", "İ", "ﬁ", "e\u0301", "&amp;", "&#39;", "%41%42", "  \n  ", "\u00ad", "\u200b",
              "Σ", "ς", "word", " ", "\\u0041", "+", "&", "%", "\\"]
    for case in range(300):
        lines = ["".join(rng.choice(filler) for _ in range(rng.randint(0, 12))).replace("\n", " ")
                 for _ in range(rng.randint(1, 30))]
        at = rng.randrange(len(lines))
        lines[at] += " " + rng.choice(forms) + " "
        page = "\n".join(lines)
        assert found(page, name) == [("Siobhán O", at + 1)], f"case {case}: {page!r}"
