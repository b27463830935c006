"""Issue 16, points 1, 2, 3, 9 and the viewer's bar: the public gallery in real Chromium.

Warnings that protect (the picture behind a warning is neither drawn nor in Chromium's own
accessibility tree until the visitor chooses "Show the picture", with JavaScript on and off, on the
item page, in the viewer reached with Next and the arrow keys, and through a shared #picture- link);
Previous before Next at 1280, 390 and 320 px; card headings before their pictures; and the viewer:
announcements, focus return, forced colours, hover only where hover exists, a words-only item, and
a bar that does not stay on screen when the screen is short. The fixture site is test_browser's
(sitefixture.py); a warned item described in words is built here on its own.
"""

from __future__ import annotations

import re

import pytest
from conftest import Project
from playwright.sync_api import expect
from sitefixture import ALTS, CAPTIONS
from test_browser import FOCUS_STATE, base_url, contexts, focus_card, open_page, requests_log, site, tab_walk

FIXTURES = (site, base_url, requests_log, contexts, open_page)   # test_browser's, used here by name

WARNED = "lw01-confidence"
NOTE = "This picture shows an empty hospital corridor at night."
WARNING = f"Warning: {NOTE}"
SHOWS = "The picture will show when you choose “Show the picture”."
WIDTHS = {"1280": (1280, 800), "390": "mobile", "320": (320, 640)}


# ---- what Chromium shows and tells a screen reader --------------------------------------------------

def accessible_names(page) -> list[tuple[str, str]]:
    """(role, name) of every node of Chromium's own accessibility tree that is not ignored."""
    cdp = page.context.new_cdp_session(page)
    try:
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        cdp.detach()
    return [(n.get("role", {}).get("value", ""), str(n.get("name", {}).get("value", "")))
            for n in nodes if not n.get("ignored")]


def exposed(page, text: str) -> list[str]:
    """The roles of the accessibility tree's nodes whose name holds text."""
    return [role for role, name in accessible_names(page) if text in name]


PICTURE_STATE = """sel => { const img = document.querySelector(sel);
    return img && {drawn: img.getClientRects().length > 0 && img.checkVisibility(),
                   loaded: img.complete && img.naturalWidth > 0};
}"""


def picture_state(page, selector: str) -> dict:
    return page.evaluate(PICTURE_STATE, selector)


def fetched_images(page, item_id: str) -> list[str]:
    return page.evaluate("id => performance.getEntriesByType('resource').map(e => e.name)"
                         ".filter(n => n.includes('/images/' + id + '-'))", item_id)


def assert_hidden(page, scope: str, item_id: str, js: bool) -> None:
    """The item's picture and words are neither drawn nor exposed; with JavaScript its image is not
    even fetched (without it, Chromium loads lazy images at once, still not drawn)."""
    state = picture_state(page, f"{scope} img")
    assert state is not None and not state["drawn"], state
    assert exposed(page, ALTS[item_id]) == [], "the picture is in the accessibility tree"
    assert exposed(page, CAPTIONS[item_id]) == [], "the participant's words are in the accessibility tree"
    assert page.get_by_role("img", name=ALTS[item_id]).count() == 0
    if js:
        assert fetched_images(page, item_id) == [], "the picture was fetched before it was chosen"


def assert_shown(page, scope: str, item_id: str) -> None:
    page.wait_for_function("sel => { const i = document.querySelector(sel); return i.complete && i.naturalWidth > 0; }",
                           arg=f"{scope} img")
    state = picture_state(page, f"{scope} img")
    assert state["drawn"] and state["loaded"], state
    assert "image" in exposed(page, ALTS[item_id])
    expect(page.get_by_role("img", name=ALTS[item_id])).to_be_visible()


# ---- 1: warnings that protect -----------------------------------------------------------------------

@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_the_item_page_shows_the_picture_only_when_the_visitor_chooses_it(open_page, js):
    page = open_page(f"items/{WARNED}.html", js=js)
    warning = page.locator("main .warning-text")
    expect(warning).to_be_visible()
    assert warning.locator(".warning-body").inner_text() == WARNING
    assert warning.locator(".warning-icon").get_attribute("aria-hidden") == "true"     # "!" is not read
    assert page.evaluate("document.querySelector('main details.gate').open") is False
    assert_hidden(page, "main", WARNED, js)
    assert not page.locator(".long-description").is_visible()      # its description waits too
    assert "wheelchair" not in " ".join(name for _, name in accessible_names(page))
    assert page.locator("meta[name=description]").get_attribute("content") == WARNING   # link previews
    show = page.get_by_text("Show the picture", exact=True)
    expect(show).to_be_visible()
    show.click()
    assert_shown(page, "main", WARNED)
    expect(page.locator(".long-description")).to_be_visible()
    expect(page.locator("main figcaption")).to_contain_text(CAPTIONS[WARNED])
    # Closing the warning's control hides the picture again (before, it hid only the note).
    page.get_by_text("Hide the picture", exact=True).click()
    assert not picture_state(page, "main img")["drawn"]
    assert exposed(page, ALTS[WARNED]) == []


def test_the_control_is_a_keyboard_disclosure_described_by_the_warning(open_page):
    page = open_page(f"items/{WARNED}.html")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == "SUMMARY":
            break
    focus = page.evaluate(FOCUS_STATE)
    assert focus["tag"] == "SUMMARY" and focus["ring"] and focus["onScreen"], focus
    summary = page.locator("main summary")
    expect(summary).to_have_accessible_description(WARNING)
    page.keyboard.press("Enter")
    assert_shown(page, "main", WARNED)


def test_the_viewer_reached_with_next_keeps_the_warned_picture_hidden_and_announces_the_warning(open_page):
    page = open_page("participants/lw01.html")           # lw01-day, then the warned lw01-confidence
    page.click("a[data-viewer='lw01-day']")
    page.wait_for_selector("dialog.viewer[open] img")
    page.get_by_role("button", name="Next picture").click()
    dialog = page.locator("dialog.viewer")
    expect(dialog.locator("h2")).to_have_text("The long corridor")
    assert dialog.locator("[aria-live]").text_content() == (
        f"Picture 2 of 2: The long corridor. Original photo. {WARNING} {SHOWS}")
    expect(dialog.locator(".warning-text")).to_have_text(re.compile(re.escape(NOTE)))
    assert_hidden(page, "dialog.viewer", WARNED, js=True)
    dialog.get_by_text("Show the picture", exact=True).click()
    assert_shown(page, "dialog.viewer", WARNED)
    # The arrow keys away and back: the warning holds again, its choice is not carried over. Focus
    # was on "Show the picture", which goes with the picture: it moves to the button of the move.
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("document.activeElement.className") == "viewer-prev"
    assert dialog.locator("[aria-live]").text_content() == "Picture 1 of 2: Paperwork and tea. Original photo."
    page.keyboard.press("ArrowRight")
    expect(dialog.locator("h2")).to_have_text("The long corridor")
    assert not picture_state(page, "dialog.viewer img")["drawn"]
    assert exposed(page, ALTS[WARNED]) == []


def test_a_shared_picture_link_opens_the_warning_not_the_picture(open_page):
    page = open_page(f"prompts/confidence.html#picture-{WARNED}")
    page.wait_for_selector("dialog.viewer[open]")
    dialog = page.locator("dialog.viewer")
    expect(dialog).to_have_accessible_name("The long corridor")
    expect(dialog).to_have_accessible_description(f"Original photo. {WARNING} {SHOWS}")
    assert_hidden(page, "dialog.viewer", WARNED, js=True)
    assert page.locator(f"#picture-{WARNED} img").count() == 0      # nor on the card behind it
    dialog.get_by_text("Show the picture", exact=True).click()
    assert_shown(page, "dialog.viewer", WARNED)


def test_without_javascript_a_shared_link_leads_to_the_card_with_its_warning(open_page):
    page = open_page(f"prompts/confidence.html#picture-{WARNED}", js=False)
    card = page.locator(f"#picture-{WARNED}")
    assert page.evaluate("document.querySelector(':target').id") == f"picture-{WARNED}"
    expect(card.locator(".warning-text")).to_have_text(re.compile(re.escape(WARNING)))
    assert page.locator("dialog").count() == 0
    assert exposed(page, ALTS[WARNED]) == []
    assert page.get_by_role("img", name=ALTS[WARNED]).count() == 0


@pytest.mark.parametrize("path", ["index.html", "prompts/confidence.html", "participants/lw01.html"])
def test_cards_show_the_warning_instead_of_the_thumbnail(open_page, path):
    page = open_page(path)
    card = page.locator(f"#picture-{WARNED}")
    expect(card.locator(".card-note .warning-text")).to_be_visible()
    assert card.locator(".warning-body").inner_text() == WARNING
    assert card.locator("img").count() == 0 and exposed(page, ALTS[WARNED]) == []
    assert "Content note" not in page.content()      # the word lay readers do not know is gone


# A warned item described in words: its words wait behind "Show the words", on its page, on its card
# and in the viewer. Its own small site (no photos), opened from disk.
WORDS_NOTE = "This description is about a funeral."
WORDS = "I went to the funeral of a man I had helped for a year. His daughter thanked me."


@pytest.fixture(scope="module")
def words_site(tmp_path_factory):
    project = Project(tmp_path_factory.mktemp("words") / "proj")
    project.caption("lw05-day", participant="LW05", kind="reported", photo=None, alt=None,
                    caption=f'"{WORDS}"', extra=f"title: The funeral\ncontent_note: {WORDS_NOTE}\n")
    project.build()
    return project.out


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_a_warned_item_in_words_hides_its_words_until_chosen(contexts, words_site, js):
    page = contexts("desktop", js=js).new_page()
    page.goto(words_site.joinpath("items/lw05-day.html").as_uri())
    expect(page.locator("main .warning-text")).to_have_text(re.compile(re.escape(WORDS_NOTE)))
    assert not page.locator("main blockquote").is_visible()
    assert exposed(page, WORDS) == [] and WORDS not in page.locator("main").aria_snapshot()
    page.get_by_text("Show the words", exact=True).click()
    expect(page.locator("main blockquote")).to_have_text(WORDS)
    expect(page.locator("main .reported-label")).to_have_text(re.compile("there is no picture"))
    page.goto(words_site.joinpath("prompts/typical-day.html").as_uri())
    card = page.locator("#picture-lw05-day")
    expect(card.locator(".warning-text")).to_be_visible()
    assert WORDS[:20] not in card.inner_text() and exposed(page, WORDS[:20]) == []   # no excerpt either
    page.close()


def test_the_viewer_keeps_a_warned_item_in_words_behind_its_warning(contexts, words_site):
    page = contexts("desktop").new_page()
    page.goto(words_site.joinpath("prompts/typical-day.html").as_uri() + "#picture-lw05-day")
    page.wait_for_selector("dialog.viewer[open]")
    dialog = page.locator("dialog.viewer")
    expect(dialog).to_have_accessible_description(
        f"Described in words, there is no picture. Warning: {WORDS_NOTE} "
        "The words will show when you choose “Show the words”.")
    assert not dialog.locator("blockquote").is_visible() and exposed(page, WORDS) == []
    dialog.get_by_text("Show the words", exact=True).click()
    expect(dialog.locator("blockquote")).to_have_text(WORDS)
    page.close()


# ---- 2: Previous, then Next ------------------------------------------------------------------------

PAGER = """() => { const p = document.querySelector('.pager .prev a'), n = document.querySelector('.pager .next a');
    const a = p.getBoundingClientRect(), b = n.getBoundingClientRect();
    return {domFirst: !!(p.compareDocumentPosition(n) & Node.DOCUMENT_POSITION_FOLLOWING),
            above: a.bottom <= b.top, leftOf: a.right <= b.left && Math.abs(a.top - b.top) < 1,
            overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth};
}"""


@pytest.mark.parametrize("width", WIDTHS)
def test_previous_comes_before_next_in_the_page_on_screen_and_for_the_keyboard(open_page, width):
    page = open_page("items/lw02-day.html", WIDTHS[width])
    order = page.evaluate(PAGER)
    assert order["domFirst"], "Next comes before Previous in the page"
    assert order["above"] or order["leftOf"], f"at {width} px Next is drawn before Previous: {order}"
    assert order["leftOf"] == (width == "1280"), order           # side by side only where there is room
    assert order["overflow"] == 0
    stops = [s["text"] for s in tab_walk(page)]
    prev = next(i for i, t in enumerate(stops) if "Previous picture" in t)
    assert "Next picture" in stops[prev + 1], stops              # Tab goes from Previous to Next


# ---- 3: cards, heading first -----------------------------------------------------------------------

CARDS = """() => [...document.querySelectorAll('li.card')].map(card => {
    const h = card.querySelector('.card-title'), pic = card.querySelector('.card-image img, .card-panel');
    const hr = h.getBoundingClientRect(), pr = pic.getBoundingClientRect();
    return {id: card.id, headingFirst: !!(h.compareDocumentPosition(pic) & Node.DOCUMENT_POSITION_FOLLOWING),
            drawnAbove: pr.bottom <= hr.top + 1,
            meta: [...card.querySelectorAll('.card-meta > li')].map(li => li.innerText.replace(/\\s+/g, ' ').trim())};
})"""


@pytest.mark.parametrize("width", ["1280", "320"])
@pytest.mark.parametrize("path", ["index.html", "prompts/typical-day.html", "prompts/confidence.html",
                                  "participants/lw01.html"])
def test_every_card_reads_its_heading_before_its_picture(open_page, path, width):
    page = open_page(path, WIDTHS[width])
    cards = page.evaluate(CARDS)
    assert cards
    for card in cards:
        assert card["headingFirst"] and card["drawnAbove"], card
        assert len(card["meta"]) == 2 and card["meta"][0] in (
            "Original photo", "Illustration", "Described in words"), card
    # What a screen reader moving by heading meets: the heading, then the picture, then the list.
    first = page.locator("li.card:has(.card-image)").first
    lines = [line.strip() for line in first.aria_snapshot().splitlines()]
    heading = next(i for i, line in enumerate(lines) if line.startswith("- heading"))
    img = next(i for i, line in enumerate(lines) if line.startswith("- img"))
    assert heading < img, lines
    assert lines[-3].startswith("- list") and lines[-2] == "- listitem: Original photo", lines
    assert re.fullmatch(r"- listitem: (Participant LW0\d|A typical day)", lines[-1]), lines


# ---- 9: the viewer ---------------------------------------------------------------------------------

def live(page) -> str:
    return page.locator("dialog.viewer [aria-live]").text_content()


def test_each_viewer_change_announces_title_kind_and_that_words_have_no_picture(open_page):
    page = open_page("prompts/typical-day.html")
    page.click("a[data-viewer='lw01-day']")
    page.wait_for_selector("dialog.viewer[open] img")
    dialog = page.locator("dialog.viewer")
    expect(dialog).to_have_accessible_description("Original photo.")
    page.keyboard.press("ArrowRight")
    assert live(page) == "Picture 2 of 3: A typical day, participant LW02. Illustration."
    page.get_by_role("button", name="Next picture").click()
    assert live(page) == "Picture 3 of 3: The phone that never stops. Described in words, there is no picture."
    expect(dialog).to_have_accessible_description("Described in words, there is no picture.")
    expect(dialog.locator(".reported-label")).to_be_visible()
    assert "there is no picture" in dialog.locator(".reported-label").inner_text()
    page.get_by_role("button", name="Previous picture").click()
    assert live(page).startswith("Picture 2 of 3: A typical day, participant LW02.")


def focused_card(page, item: str) -> str:
    """The card link focus lands on once the dialog's close event has run (the browser first gives focus
    back to the opener, synchronously, then queues the event that moves it to the card shown last)."""
    from playwright.sync_api import TimeoutError as NotThere
    try:
        page.wait_for_function("id => document.activeElement.dataset.viewer === id", arg=item, timeout=3000)
    except NotThere:        # the assertion that follows says where focus is instead
        pass
    return page.evaluate("document.activeElement.dataset.viewer")


def test_closing_the_viewer_returns_focus_to_the_card_shown_last(open_page):
    page = open_page("prompts/typical-day.html")
    focus_card(page, "lw01-day")
    page.keyboard.press("Enter")
    page.wait_for_selector("dialog.viewer[open]")
    for shown in ("lw02-day", "lw03-day"):        # each change lands before the next key (a busy machine)
        page.keyboard.press("ArrowRight")
        page.wait_for_function("id => location.hash === '#picture-' + id", arg=shown)
    page.keyboard.press("Escape")
    assert focused_card(page, "lw03-day") == "lw03-day"
    page.wait_for_function("() => location.hash === ''")
    # With the Close button, and with the browser's Back button.
    page.click("a[data-viewer='lw03-day']")
    page.wait_for_selector("dialog.viewer[open]")
    page.get_by_role("button", name="Previous picture").click()
    page.get_by_role("button", name="Close").click()
    assert focused_card(page, "lw02-day") == "lw02-day"
    page.wait_for_function("() => location.hash === ''")
    page.click("a[data-viewer='lw01-day']")
    page.wait_for_selector("dialog.viewer[open]")
    page.keyboard.press("ArrowRight")
    page.go_back()
    page.wait_for_function("() => !document.querySelector('dialog.viewer').open")
    assert focused_card(page, "lw02-day") == "lw02-day"


COLOURS = """el => { const s = getComputedStyle(el);
    let opacity = 1;
    for (let n = el; n; n = n.parentElement) opacity *= parseFloat(getComputedStyle(n).opacity);
    let bg = 'rgba(0, 0, 0, 0)';
    for (let n = el; n && /rgba\\(.*, 0\\)$|transparent/.test(bg); n = n.parentElement) {
        bg = getComputedStyle(n).backgroundColor;
    }
    return {color: s.color, background: bg, border: s.borderTopColor, borderWidth: parseFloat(s.borderTopWidth),
            borderStyle: s.borderTopStyle, opacity};
}"""


def luminance(colour: str) -> float:
    r, g, b = (int(v) / 255 for v in re.findall(r"[\d.]+", colour)[:3])
    return sum(k * (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
               for k, c in zip((0.2126, 0.7152, 0.0722), (r, g, b), strict=True))


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_disabled_buttons_and_card_panels_stay_visible_in_forced_colours(open_page, scheme):
    for path in ("prompts/typical-day.html", "prompts/confidence.html"):   # words and warning panels
        page = open_page(path, scheme=scheme)
        page.emulate_media(forced_colors="active")
        assert page.evaluate("matchMedia('(forced-colors: active)').matches")
        panels = page.locator(".card-panel")
        assert panels.count() >= 1, path
        for n in range(panels.count()):
            panel = panels.nth(n).evaluate(COLOURS)
            assert panel["borderStyle"] == "solid" and panel["borderWidth"] >= 1, panel
            assert contrast(panel["border"], panel["background"]) >= 3, f"the panel's edge is not visible: {panel}"
    icon = page.locator(f"#picture-{WARNED} .warning-icon").evaluate(COLOURS)
    assert contrast(icon["color"], icon["background"]) >= 4.5 and contrast(icon["border"], icon["background"]) >= 3
    page.click(f"a[data-viewer='{WARNED}']")                    # the first picture: Previous is disabled
    page.wait_for_selector("dialog.viewer[open]")
    page.wait_for_function("() => document.getAnimations().every(a => a.playState === 'finished')")
    disabled, enabled = (page.locator(f"dialog .viewer-{b}").evaluate(COLOURS) for b in ("prev", "next"))
    assert page.locator("dialog .viewer-prev").get_attribute("aria-disabled") == "true"
    assert disabled["opacity"] == 1, "opacity would fade the system colours"
    assert contrast(disabled["color"], disabled["background"]) >= 3, disabled
    assert contrast(disabled["border"], disabled["background"]) >= 3, disabled
    assert disabled["color"] != enabled["color"], "a disabled button must look unavailable"
    gray = page.evaluate("""() => { const p = document.createElement('span'); p.style.color = 'GrayText';
        document.body.append(p); const c = getComputedStyle(p).color; p.remove(); return c; }""")
    assert disabled["color"] == gray


HOVER_RULES = """() => { const found = [];
    const walk = (rules, media) => { for (const r of rules) {
        if (r.selectorText && r.selectorText.includes(':hover')) found.push([r.selectorText, media]);
        if (r.cssRules) walk(r.cssRules, r.conditionText ? media.concat(r.conditionText) : media);
    } };
    for (const sheet of document.styleSheets) walk(sheet.cssRules, []);
    return found;
}"""


def test_hover_styles_apply_only_where_there_is_hover(open_page):
    page = open_page("prompts/typical-day.html")
    rules = page.evaluate(HOVER_RULES)
    assert rules, "no hover styles found"
    outside = [selector for selector, media in rules if not any("(hover: hover)" in m for m in media)]
    assert outside == [], f"hover styles outside @media (hover: hover): {outside}"
    border = "() => getComputedStyle(document.querySelector('#picture-lw01-day')).borderTopColor"
    changed = {}
    for width in ("desktop", "mobile"):                         # mobile: a touch screen, (hover: none)
        page = open_page("prompts/typical-day.html", width)
        before = page.evaluate(border)
        page.hover("#picture-lw01-day .card-link")
        changed[width] = page.evaluate(border) != before
    assert changed == {"desktop": True, "mobile": False}


@pytest.mark.parametrize("size", [(320, 200), (844, 390)], ids=["400%-zoom", "phone-on-its-side"])
def test_the_viewer_bar_scrolls_away_on_short_viewports(open_page, size):
    page = open_page("prompts/typical-day.html", size)
    page.click("a[data-viewer='lw01-day']")
    page.wait_for_selector("dialog.viewer[open]")
    page.wait_for_function("() => document.getAnimations().every(a => a.playState === 'finished')")
    bar = page.evaluate("""() => {
        const d = document.querySelector('dialog.viewer'), bar = d.querySelector('.viewer-bar');
        const room = d.scrollHeight - d.clientHeight; d.scrollTop = bar.offsetHeight + 10;
        return {position: getComputedStyle(bar).position, room, barHeight: bar.offsetHeight,
                barBottom: bar.getBoundingClientRect().bottom, dialogTop: d.getBoundingClientRect().top};
    }""")
    assert bar["position"] == "static" and bar["room"] > bar["barHeight"], bar
    assert bar["barBottom"] <= bar["dialogTop"] + 1, f"the bar stayed on screen: {bar}"
    # The controls are still there for the keyboard: focus brings Close back into view.
    page.evaluate("document.activeElement.blur()")        # opening focused it: focus it anew
    page.locator("dialog .viewer-close").focus()
    assert page.evaluate(FOCUS_STATE)["onScreen"]
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.dataset.viewer") == "lw01-day"


def test_the_viewer_bar_stays_on_screen_where_there_is_room(open_page):
    page = open_page("prompts/typical-day.html")
    page.click("a[data-viewer='lw01-day']")
    page.wait_for_selector("dialog.viewer[open]")
    assert page.evaluate("getComputedStyle(document.querySelector('.viewer-bar')).position") == "sticky"
