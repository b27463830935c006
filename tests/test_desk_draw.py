"""The review desk's drawing widget and stylesheet (gallery/desk/static/) in Debian's Chromium.

A small http.server serves the static files at /static/, the fixture pages of tests/data/desk/ (the
markup the desk's templates produce) at /, a real JPEG (the astronaut) at the picture's address,
and records every request and every form posted to it, with the desk's Content-Security-Policy.
The tests drag with the mouse, draw with the keyboard alone, type the numbers, draw with a real
touch on a 768px tablet (CDP touch events, so a missing touch-action would cancel the drag), post
the form with Enter, post it without JavaScript, and run axe-core at 1280px and 768px. Every page
must end with no console error, no CSP violation and no request outside this server's files.
"""

from __future__ import annotations

import http.server
import io
import json
import threading
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import REPO
from PIL import Image
from test_browser import axe_source  # noqa: F401 (a fixture)

STATIC = REPO / "gallery" / "desk" / "static"
FIXTURES = REPO / "tests" / "data" / "desk"
CSP = "default-src 'self'; img-src 'self' blob:; style-src 'self' 'unsafe-inline'"
PICTURE = "/_desk/picture/lw01-day"
POST_TO = "/_desk/item/lw01-day"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
TABLET = {"viewport": {"width": 768, "height": 1024}, "has_touch": True, "is_mobile": True,
          "device_scale_factor": 2}
FIELDS = ("x", "y", "w", "h")
CSP_PROBE = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def astronaut_jpeg() -> bytes:
    """A real 1280x960 photo with a face: the astronaut, cut to 4:3 and enlarged."""
    with Image.open(REPO / "tests" / "data" / "screen" / "astronaut.png") as im:
        picture = im.convert("RGB").crop((0, 0, 512, 384)).resize((1280, 960))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85)
    return out.getvalue()


class Desk(http.server.BaseHTTPRequestHandler):
    """The desk's static files, the fixture pages and the picture; records requests and posts."""

    files: dict[str, tuple[str, bytes]] = {}
    requests: list[str] = []
    posts: list[dict[str, str]] = []

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        Desk.requests.append(self.path)
        found = Desk.files.get(urlsplit(self.path).path)
        if self.path == "/favicon.ico":          # the browser asks on its own; the desk has none
            self.send_response(204)
            self.end_headers()
            return
        if found is None:
            self.send_error(404)
            return
        self.reply(*found)

    def do_POST(self) -> None:  # noqa: N802 - the base class's name
        Desk.requests.append("POST " + self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode("utf-8")
        Desk.posts.append({key: values[0] for key, values in parse_qs(body, keep_blank_values=True).items()})
        self.reply("text/html; charset=utf-8", b"<!doctype html><html lang=en><title>Added</title><p>Added.</p>")

    def reply(self, kind: str, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", CSP)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="module")
def base_url() -> str:
    Desk.files = {
        "/": ("text/html; charset=utf-8", (FIXTURES / "draw.html").read_bytes()),
        "/styles.html": ("text/html; charset=utf-8", (FIXTURES / "styles.html").read_bytes()),
        "/static/desk.css": ("text/css; charset=utf-8", (STATIC / "desk.css").read_bytes()),
        "/static/desk.js": ("text/javascript; charset=utf-8", (STATIC / "desk.js").read_bytes()),
        PICTURE: ("image/jpeg", astronaut_jpeg()),
    }
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Desk)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def contexts(browser):
    """Browser contexts by name (desktop, tablet, nojs), made on first use and shared by the module."""
    made = {}

    def get(name: str):
        if name not in made:
            options = {"desktop": DESKTOP, "tablet": TABLET, "nojs": {**DESKTOP, "java_script_enabled": False}}
            ctx = browser.new_context(**options[name])
            ctx.set_default_timeout(5000)
            ctx.add_init_script(CSP_PROBE)
            made[name] = ctx
        return made[name]

    yield get
    for ctx in made.values():
        ctx.close()


@pytest.fixture
def open_page(contexts, base_url):
    """A fixture page, loaded with its picture; checks at the end for errors, violations and requests."""
    opened = []

    def go(path: str = "/", context: str = "desktop"):
        page = contexts(context).new_page()
        errors: list[str] = []
        opened.append((page, errors, context != "nojs"))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: None if r.url.startswith(base_url) else errors.append("request " + r.url))
        page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.goto(base_url + path)
        if context != "nojs":
            page.wait_for_function("() => [...document.images].every(img => img.complete && img.naturalWidth)")
        return page

    yield go
    for page, errors, js in opened:
        if js:
            errors.extend(page.evaluate("window.__csp"))
        assert errors == [], f"{page.url}: {errors}"
        page.close()


@pytest.fixture(autouse=True)
def fresh_log():
    Desk.requests.clear()
    Desk.posts.clear()


# ---- helpers ---------------------------------------------------------------------------------

def values(page) -> dict[str, str]:
    return {name: page.input_value(f"#region-{name}") for name in FIELDS}


def numbers(page) -> dict[str, float]:
    texts = values(page)
    assert all(texts.values()), f"a field is empty: {texts}"
    return {name: float(text) for name, text in texts.items()}


def picture_box(page) -> dict[str, float]:
    page.locator("#desk-picture").scroll_into_view_if_needed()
    box = page.locator("#desk-image").bounding_box()
    assert box is not None
    return box


def point(box: dict[str, float], x: float, y: float) -> tuple[float, float]:
    """The viewport point x% from the left and y% from the top of the picture."""
    return box["x"] + box["width"] * x / 100, box["y"] + box["height"] * y / 100


def drag(page, start: tuple[float, float], end: tuple[float, float]) -> None:
    box = picture_box(page)
    page.mouse.move(*point(box, *start))
    page.mouse.down()
    page.mouse.move(*point(box, *end), steps=8)
    page.mouse.up()


def draft(page) -> dict | None:
    """Where the draft is drawn, in percent of the picture; None when it is not shown."""
    return page.evaluate("""() => {
        const d = document.getElementById('desk-draft'), img = document.getElementById('desk-image');
        if (!d || d.hidden || !d.getClientRects().length) return null;
        const a = d.getBoundingClientRect(), b = img.getBoundingClientRect();
        return {x: (a.left - b.left) / b.width * 100, y: (a.top - b.top) / b.height * 100,
                w: a.width / b.width * 100, h: a.height / b.height * 100};
    }""")


def assert_near(got: dict[str, float] | None, want: dict[str, float], within: float = 0.5) -> None:
    assert got is not None, f"nothing drawn, wanted {want}"
    far = {k: (round(got[k], 2), want[k]) for k in want if abs(got[k] - want[k]) > within}
    assert far == {}, f"got {got}, wanted {want}"


def status(page) -> str:
    return page.text_content("#desk-draw-status") or ""


def focused(page) -> str:
    return page.evaluate("() => document.activeElement.id || document.activeElement.tagName")


def tab_to(page, element_id: str, limit: int = 20) -> list[str]:
    """Press Tab (as a keyboard user) until element_id has focus; the ids met on the way."""
    met = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        met.append(focused(page))
        if met[-1] == element_id:
            return met
    raise AssertionError(f"Tab never reached #{element_id}: {met}")


def axe(page, source: str) -> list[dict]:
    page.evaluate(source)
    result = page.evaluate("""tags => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                         resultTypes: ['violations']})""", AXE_TAGS)
    return [{"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]]


# ---- mouse -----------------------------------------------------------------------------------

def test_a_mouse_drag_fills_the_four_fields_and_draws_the_draft_there(open_page):
    page = open_page()
    assert draft(page) is None, "the draft shows before anything is drawn"
    drag(page, (10, 20), (40, 50))
    want = {"x": 10, "y": 20, "w": 30, "h": 30}
    assert_near(numbers(page), want)
    assert_near(draft(page), want)
    assert all(len(text.partition(".")[2]) <= 2 for text in values(page).values()), values(page)
    assert focused(page) == "desk-draw-keys", "focus should be on the keyboard control after drawing"
    assert status(page).startswith("Region from the left 10")


def test_a_drag_from_bottom_right_to_top_left_draws_the_same_region(open_page):
    page = open_page()
    drag(page, (80, 90), (55, 60))
    want = {"x": 55, "y": 60, "w": 25, "h": 30}
    assert_near(numbers(page), want)
    assert_near(draft(page), want)


def test_a_drag_past_the_edge_stops_at_the_edge_of_the_picture(open_page):
    page = open_page()
    box = picture_box(page)
    page.mouse.move(*point(box, 70, 70))
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] + 40, box["y"] + box["height"] + 40, steps=8)
    page.mouse.up()
    assert numbers(page) == {"x": 70, "y": 70, "w": 30, "h": 30}


def test_a_tap_or_a_flat_drag_creates_no_region_and_keeps_the_one_drawn(open_page):
    page = open_page()
    box = picture_box(page)
    page.mouse.click(*point(box, 50, 50))
    assert values(page) == {"x": "", "y": "", "w": "", "h": ""}
    assert draft(page) is None
    drag(page, (20, 30), (60, 30.2))                    # a line, not a rectangle
    assert values(page) == {"x": "", "y": "", "w": "", "h": ""}
    assert draft(page) is None
    drag(page, (20, 20), (30, 40))
    kept = values(page)
    page.mouse.click(*point(box, 70, 70))
    assert values(page) == kept
    assert_near(draft(page), {"x": 20, "y": 20, "w": 10, "h": 20})


# ---- typing ----------------------------------------------------------------------------------

def test_typing_the_four_numbers_moves_the_draft(open_page):
    page = open_page()
    for name, text in zip(FIELDS, ["12.5", "30", "25", "40"], strict=True):
        page.fill(f"#region-{name}", text)
    assert_near(draft(page), {"x": 12.5, "y": 30, "w": 25, "h": 40}, within=0.2)
    page.fill("#region-x", "50")
    assert_near(draft(page), {"x": 50, "y": 30, "w": 25, "h": 40}, within=0.2)
    page.fill("#region-w", "")
    assert draft(page) is None, "a draft with a field empty"


# ---- keyboard --------------------------------------------------------------------------------

def test_the_keyboard_control_comes_right_after_the_picture_and_is_described_by_the_hint(open_page):
    page = open_page()
    met = tab_to(page, "desk-draw-keys")
    assert met == ["A", "desk-draw-keys"], "the header link, then the control"
    page.keyboard.press("Tab")
    assert focused(page) == "region-x"
    control = page.locator("#desk-draw-keys")
    assert control.evaluate("b => b.type") == "button"
    assert control.evaluate("b => b.previousElementSibling.id") == "desk-picture"
    assert control.get_attribute("aria-describedby") == "region-hint"
    assert page.locator("#desk-draw-status").get_attribute("aria-live") == "polite"


def test_arrows_move_and_shift_arrows_resize_the_draft_updating_fields_and_live_region(open_page):
    page = open_page()
    tab_to(page, "desk-draw-keys")
    press = page.keyboard.press
    press("ArrowRight")                                  # the first key: a 20% square in the middle
    assert values(page) == {"x": "40", "y": "40", "w": "20", "h": "20"}
    assert status(page) == "Region from the left 40%, from the top 40%, width 20%, height 20%"
    assert_near(draft(page), {"x": 40, "y": 40, "w": 20, "h": 20})
    press("ArrowRight")
    press("ArrowUp")
    assert numbers(page) == {"x": 41, "y": 39, "w": 20, "h": 20}
    press("Control+ArrowDown")
    press("Control+ArrowLeft")
    assert numbers(page) == {"x": 31, "y": 49, "w": 20, "h": 20}
    press("PageUp")
    assert numbers(page)["y"] == 39
    press("PageDown")
    assert numbers(page)["y"] == 49
    press("Shift+ArrowRight")
    press("Shift+ArrowDown")
    press("Shift+ArrowDown")
    assert numbers(page) == {"x": 31, "y": 49, "w": 21, "h": 22}
    press("Shift+ArrowUp")
    press("Shift+ArrowLeft")
    press("Control+Shift+ArrowLeft")
    assert numbers(page) == {"x": 31, "y": 49, "w": 10, "h": 21}
    assert status(page) == "Region from the left 31%, from the top 49%, width 10%, height 21%"
    assert_near(draft(page), {"x": 31, "y": 49, "w": 10, "h": 21})
    assert focused(page) == "desk-draw-keys", "a key took focus away"


def test_the_keyboard_draft_never_leaves_the_picture_nor_shrinks_below_one_point(open_page):
    page = open_page()
    tab_to(page, "desk-draw-keys")
    press = page.keyboard.press
    press("ArrowLeft")
    for _ in range(8):
        press("Control+ArrowRight")
        press("Control+ArrowDown")
    assert numbers(page) == {"x": 80, "y": 80, "w": 20, "h": 20}
    assert status(page).endswith(", at the edge of the picture")
    press("Shift+ArrowRight")
    press("Shift+ArrowDown")
    assert numbers(page) == {"x": 80, "y": 80, "w": 20, "h": 20}, "grew past the edge"
    for _ in range(3):
        press("Control+Shift+ArrowLeft")
        press("Control+Shift+ArrowUp")
    assert numbers(page) == {"x": 80, "y": 80, "w": 1, "h": 1}
    assert status(page).endswith(", the smallest size")
    for _ in range(9):
        press("Control+ArrowLeft")
        press("Control+ArrowUp")
    assert numbers(page) == {"x": 0, "y": 0, "w": 1, "h": 1}


def test_escape_clears_the_draft_and_the_fields_and_space_starts_again(open_page):
    page = open_page()
    tab_to(page, "desk-draw-keys")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Escape")
    assert values(page) == {"x": "", "y": "", "w": "", "h": ""}
    assert draft(page) is None
    assert status(page) == "Region cleared"
    page.keyboard.press("Space")                         # the button itself starts a draft again
    assert values(page) == {"x": "40", "y": "40", "w": "20", "h": "20"}


def test_the_keyboard_starts_from_a_typed_region_and_brings_it_inside_the_picture(open_page):
    page = open_page()
    for name, text in zip(FIELDS, ["95", "10", "20", "30"], strict=True):
        page.fill(f"#region-{name}", text)
    page.focus("#desk-draw-keys")
    page.keyboard.press("ArrowDown")
    assert numbers(page) == {"x": 95, "y": 11, "w": 5, "h": 30}


def test_enter_posts_the_region_drawn_with_the_keyboard(open_page):
    page = open_page()
    tab_to(page, "desk-draw-keys")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("ArrowDown")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert Desk.posts == [{"token": "t0k3n", "version": "v1", "action": "add-region",
                           "x": "40", "y": "41", "w": "21", "h": "20"}]
    assert f"POST {POST_TO}" in Desk.requests


def test_without_javascript_the_typed_numbers_are_posted(open_page):
    page = open_page(context="nojs")
    assert page.locator("#desk-draw-keys, #desk-draft").count() == 0
    for name, text in zip(FIELDS, ["5", "6", "7.25", "8"], strict=True):
        page.fill(f"#region-{name}", text)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert Desk.posts[0] | {"token": ""} == {"token": "", "version": "v1", "action": "add-region",
                                             "x": "5", "y": "6", "w": "7.25", "h": "8"}


# ---- a tablet ---------------------------------------------------------------------------------

def touch_drag(page, start: tuple[float, float], end: tuple[float, float], steps: int = 8) -> None:
    """A real finger drag, through Chromium's touch input (so touch-action decides whether it pans)."""
    box = picture_box(page)
    (x0, y0), (x1, y1) = point(box, *start), point(box, *end)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y0}]})
    for i in range(1, steps + 1):
        at = {"x": x0 + (x1 - x0) * i / steps, "y": y0 + (y1 - y0) * i / steps}
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [at]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def test_a_finger_drag_on_a_tablet_draws_the_region_without_scrolling_the_page(open_page):
    page = open_page(context="tablet")
    picture_box(page)
    scrolled = page.evaluate("scrollY")
    touch_drag(page, (60, 70), (20, 30))
    want = {"x": 20, "y": 30, "w": 40, "h": 40}
    assert_near(numbers(page), want)
    assert_near(draft(page), want)
    assert page.evaluate("scrollY") == scrolled, "the drag scrolled the page"


def test_a_tap_on_a_tablet_creates_no_region(open_page):
    page = open_page(context="tablet")
    page.tap("#desk-image")
    assert values(page) == {"x": "", "y": "", "w": "", "h": ""}


# ---- layout, accessibility and focus ----------------------------------------------------------

SIDE_BY_SIDE = """() => {
    const a = document.querySelector('.desk-picture').getBoundingClientRect();
    const b = document.querySelector('.desk-flags').getBoundingClientRect();
    const body = getComputedStyle(document.body);
    return {beside: b.left >= a.right, below: b.top >= a.bottom,
            overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
            font: parseFloat(body.fontSize), lineHeight: parseFloat(body.lineHeight) / parseFloat(body.fontSize)};
}"""


def test_the_picture_and_its_flags_are_side_by_side_at_1280px_and_stacked_at_768px(open_page):
    wide = open_page().evaluate(SIDE_BY_SIDE)
    narrow = open_page(context="tablet").evaluate(SIDE_BY_SIDE)
    assert (wide["beside"], wide["below"]) == (True, False)
    assert (narrow["beside"], narrow["below"]) == (False, True)
    for layout in (wide, narrow):
        assert layout["overflow"] == 0, layout
        assert layout["font"] >= 16 and layout["lineHeight"] >= 1.5, layout


@pytest.mark.parametrize("context", ["desktop", "tablet"])
@pytest.mark.parametrize("path", ["/", "/styles.html"])
def test_axe_finds_nothing_with_a_draft_drawn(open_page, axe_source, context, path):  # noqa: F811 (a fixture)
    page = open_page(path, context)
    if path == "/":
        page.focus("#desk-draw-keys")
        page.keyboard.press("ArrowRight")
        assert draft(page) is not None
    found = axe(page, axe_source)
    assert found == [], json.dumps(found, indent=1)


FOCUS_RING = """() => {
    if (document.activeElement === document.body) return null;
    const s = getComputedStyle(document.activeElement);
    return {id: document.activeElement.id || document.activeElement.textContent.trim().slice(0, 30),
            style: s.outlineStyle, width: parseFloat(s.outlineWidth), offset: parseFloat(s.outlineOffset)};
}"""


@pytest.mark.parametrize("path", ["/", "/styles.html"])
def test_every_control_shows_a_3px_offset_focus_outline(open_page, path):
    page = open_page(path)
    rings = []
    for _ in range(30):
        page.keyboard.press("Tab")
        ring = page.evaluate(FOCUS_RING)
        if ring is None or (rings and ring["id"] == rings[0]["id"]):   # past the last control
            break
        rings.append(ring)
    assert len(rings) >= 5, rings
    weak = [r for r in rings if r["style"] == "none" or r["width"] < 3 or r["offset"] < 1]
    assert weak == [], weak
    if path == "/":
        assert "desk-draw-keys" in [r["id"] for r in rings]
