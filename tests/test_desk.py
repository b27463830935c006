"""The review desk (issue 15): `serve`'s /_desk/ pages over a real project with real screened photos,
a real server process and watcher, real HTTP requests, and real Chromium for the drawing, the forms
and axe-core. One project and one server for the module: each test works on its own item."""

from __future__ import annotations

import hashlib
import re
import shutil
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest
from conftest import Project
from test_browser import AXE_TAGS, axe_source  # noqa: F401 (a fixture)
from test_serve import Server

SCREEN = Path(__file__).parent / "data" / "screen"
TOKEN = re.compile(r'name="token" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="([0-9a-f]{64})"')
SEEN = re.compile(r'name="seen" value="([0-9a-f]{64})"')
NO_REVIEW = re.compile(r"^review:\n(  .*\n)*", re.M)


def unreviewed(path: Path, consent: bool = True) -> None:
    """The caption file without its review block (and without consent when consent is False)."""
    text = NO_REVIEW.sub("", path.read_text())
    if not consent:
        text = re.sub(r"^consent:\n(  .*\n)*", "", text, flags=re.M)
    path.write_text(text)


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    project = Project(tmp_path_factory.mktemp("desk"))
    shutil.copy(SCREEN / "astronaut.png", project.photos / "lw07-day.png")
    project.caption("lw07-day", participant="LW07", photo="lw07-day.png")
    unreviewed(project.captions / "lw07-day.yaml")
    import skimage.data  # a scanned page of print (not copied into tests/data: see SOURCES.md there)
    shutil.copy(Path(skimage.data.__file__).parent / "page.png", project.photos / "lw08-day.png")
    project.caption("lw08-day", participant="LW08", photo="lw08-day.png")
    unreviewed(project.captions / "lw08-day.yaml")
    project.item("lw09-day", participant="LW09")
    unreviewed(project.captions / "lw09-day.yaml", consent=False)
    project.item("lw10-day", participant="LW10")                          # published: withdrawn by a test
    project.item("lw12-day", participant="LW12", prompt="confidence")      # no flag, no review: signed off
    unreviewed(project.captions / "lw12-day.yaml")
    for item in ("lw07-day", "lw08-day", "lw12-day"):
        path = project.captions / f"{item}.yaml"
        path.write_text("# a researcher's comment, kept\n" + path.read_text())
    server = Server(project)
    server.wait_for("index.html", lambda p: "lw10-day" in p, deadline=60)
    yield project, server
    server.stop()


def page(server: Server, path: str) -> tuple[int, str]:
    return server.get(path.lstrip("/"))


def post(server: Server, item: str, fields: dict[str, str], headers: dict[str, str] | None = None,
         body: bytes | None = None) -> tuple[int, str, dict[str, str]]:
    """A form posted to the desk as its page would post it (token and version from the page)."""
    _, html = page(server, f"/_desk/item/{item}")
    form = {**hidden(html), **fields}
    data = body if body is not None else urlencode(form).encode()
    request = urllib.request.Request(server.url + f"_desk/item/{item}", data=data, method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded",
                                              "Origin": server.url.rstrip("/"), **(headers or {})})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), dict(exc.headers)


def hidden(html: str) -> dict[str, str]:
    """The hidden fields every form of an item page carries."""
    return {"token": TOKEN.search(html).group(1), "version": VERSION.search(html).group(1),
            "seen": SEEN.search(html).group(1)}


def caption(project: Project, item: str) -> str:
    return (project.captions / f"{item}.yaml").read_text()


# ---- the list --------------------------------------------------------------------------------------

def test_the_list_shows_every_caption_file_by_state_with_counts_and_filters(desk):
    project, server = desk
    status, html = page(server, "/_desk/")
    assert status == 200
    row = r'<th scope="row"><a href="/_desk/item/([a-z0-9-]+)">.*?desk-state-([a-z-]+)"'
    states = dict(re.findall(row, html, re.S))
    assert states["lw07-day"] == "flagged" and states["lw09-day"] == "needs-consent", states
    assert states["lw08-day"] == "flagged"
    assert states["lw10-day"] == "published"
    assert states["lw12-day"] == "needs-review"
    assert 'desk-state-flagged">Flagged</span> 2<' in html                    # the face and the text
    _, only = page(server, "/_desk/?state=flagged")
    assert "lw07-day" in only and "lw09-day" not in only
    _, prompt = page(server, "/_desk/?prompt=confidence")
    assert "/_desk/item/lw12-day" in prompt and "/_desk/item/lw07-day" not in prompt
    _, participant = page(server, "/_desk/?participant=LW09")
    assert "/_desk/item/lw09-day" in participant and "/_desk/item/lw10-day" not in participant
    assert "_desk" not in {p.name for p in project.out.iterdir()}              # never written to the site


def test_an_unknown_item_or_page_is_a_404_and_a_broken_file_shows_its_error_without_forms(desk):
    project, server = desk
    assert page(server, "/_desk/item/nobody")[0] == 404
    assert page(server, "/_desk/item/..%2Fgallery")[0] == 404
    assert page(server, "/_desk/picture/nobody")[0] == 404
    assert page(server, "/_desk/nothing-here")[0] == 404
    broken = project.captions / "lw11-day.yaml"
    broken.write_text("participant: LW11\nprompt: typical-day\ncaption: [unclosed\n")
    try:
        status, html = page(server, "/_desk/item/lw11-day")
        assert status == 200
        assert "lw11-day.yaml:4: invalid YAML" in html and "<form method=\"post\"" not in html
        _, listed = page(server, "/_desk/")
        assert re.search(r'lw11-day</a></th>.*?desk-state-broken', listed, re.S)
        assert '<a href="/_desk/item/lw11-day#problems">lw11-day</a>: captions/lw11-day.yaml:4' in listed
    finally:
        broken.unlink()


def test_the_picture_is_served_at_screen_size_without_metadata(desk):
    _, server = desk
    with urllib.request.urlopen(server.url + "_desk/picture/lw07-day", timeout=30) as response:
        data = response.read()
        assert response.headers["Content-Type"] == "image/jpeg"
    from io import BytesIO

    from PIL import Image
    with Image.open(BytesIO(data)) as im:
        assert max(im.size) <= 1280 and not im.info.get("exif") and not im.info.get("icc_profile")


# ---- security ------------------------------------------------------------------------------------

def test_a_post_without_the_token_from_another_origin_or_to_another_host_changes_nothing(desk):
    project, server = desk
    before = caption(project, "lw09-day")
    form = {"action": "consent", "publish": "yes", "scope-web": "on", "date": "2024-05-01"}
    _, html = page(server, "/_desk/item/lw09-day")
    good = {**hidden(html), **form}
    no_token = urlencode({k: v for k, v in good.items() if k != "token"}).encode()
    assert post(server, "lw09-day", form, body=no_token)[0] == 403
    wrong = urlencode({**good, "token": "x" * 43}).encode()
    assert post(server, "lw09-day", form, body=wrong)[0] == 403
    assert post(server, "lw09-day", form, headers={"Origin": "http://evil.example"})[0] == 403
    assert post(server, "lw09-day", form, headers={"Host": "evil.example:80"})[0] == 403
    assert post(server, "lw09-day", form, headers={"Content-Type": "text/plain"})[0] == 415
    huge = urlencode({**good, "padding": "x" * 20000}).encode()
    assert post(server, "lw09-day", form, body=huge)[0] == 413
    request = urllib.request.Request(server.url + "_desk/", headers={"Host": f"rebind.example:{server.url[-5:-1]}"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 403
    assert caption(project, "lw09-day") == before
    with urllib.request.urlopen(urllib.request.Request(server.url + "_desk/", method="HEAD"), timeout=5) as head:
        assert head.status == 200 and head.read() == b""
        assert head.headers["Cross-Origin-Resource-Policy"] == "same-origin"   # no other site shows a picture
        assert "frame-ancestors 'none'" in head.headers["Content-Security-Policy"]


def test_bad_form_values_get_a_message_and_leave_the_file_as_it_was(desk):
    project, server = desk
    before = caption(project, "lw08-day")
    status, html, _ = post(server, "lw08-day", {"action": "add-region", "x": "abc", "y": "10", "w": "10", "h": "10"})
    assert status == 400 and "From the left edge: enter a number from 0 to 100" in html
    status, html, _ = post(server, "lw08-day", {"action": "add-region", "x": "95", "y": "10", "w": "10", "h": "10"})
    assert status == 400 and "goes past the right edge" in html
    status, html, _ = post(server, "lw08-day", {"action": "accept", "flag": "1", "reason": "  "})
    assert status == 400 and "Say why this flag may be published" in html
    status, html, _ = post(server, "lw08-day", {"action": "accept", "flag": "99", "reason": "fine"})
    assert status == 400 and "there is no flag" in html
    status, html, _ = post(server, "lw09-day", {"action": "consent", "publish": "yes", "scope-web": "on",
                                                "date": "2999-01-01"})
    assert status == 400 and "cannot be after today" in html
    status, html, _ = post(server, "lw08-day", {"action": "signoff", "by": "ST; rm"})
    assert status == 400 and "Enter your initials" in html
    assert caption(project, "lw08-day") == before


def test_a_file_changed_since_the_page_was_loaded_is_refused(desk):
    project, server = desk
    path = project.captions / "lw09-day.yaml"
    _, html = page(server, "/_desk/item/lw09-day")
    stale = {**hidden(html), "action": "consent", "publish": "no", "scope-web": "on"}
    path.write_text(path.read_text() + "# edited in another window\n")
    status, html, _ = post(server, "lw09-day", {}, body=urlencode(stale).encode())
    assert status == 409 and "changed since this page was loaded" in html
    assert path.read_text().endswith("# edited in another window\n") and "consent:" not in path.read_text()


# ---- the actions, through HTTP --------------------------------------------------------------------

def test_a_photo_replaced_since_the_page_was_loaded_is_refused(desk):
    project, server = desk
    _, html = page(server, "/_desk/item/lw12-day")
    before = caption(project, "lw12-day")
    photo = project.photos / "lw12-day.jpg"
    kept = photo.read_bytes()
    try:
        project.photo("lw12-day.jpg", colour=(20, 200, 90))           # another picture, same name
        form = {**hidden(html), "action": "signoff", "by": "ST"}
        status, html, _ = post(server, "lw12-day", {}, body=urlencode(form).encode())
        assert status == 409 and "the photo or the screen&#39;s flags changed" in html
        assert caption(project, "lw12-day") == before
    finally:
        photo.write_bytes(kept)


def test_initials_yaml_would_read_as_a_word_are_written_quoted(desk):
    project, server = desk
    path = project.captions / "lw14-day.yaml"
    project.item("lw14-day", participant="LW14")
    unreviewed(path)
    status, html, _ = post(server, "lw14-day", {"action": "signoff", "by": "ON"})
    assert status == 303, html
    assert '  by: "ON"\n' in path.read_text()


def test_consent_is_recorded_from_the_paper_form(desk):
    project, server = desk
    status, _, headers = post(server, "lw09-day", {"action": "consent", "publish": "yes", "scope-web": "on",
                                                   "scope-print": "on", "date": "2024-05-03"})
    assert status == 303 and re.fullmatch(r"/_desk/item/lw09-day\?done=[\w-]+#notice", headers["Location"])
    assert "consent:\n  publish: true\n  scope: [web, print]\n  date: 2024-05-03\n" in caption(project, "lw09-day")
    _, html = page(server, headers["Location"])
    assert "Consent recorded." in html and "needs-review" in html
    _, forged = page(server, "/_desk/item/lw09-day?done=Signed%20off%20by%20ST")     # never text from the address
    assert "Signed off by ST" not in forged and 'id="notice"' not in forged


def test_withdrawal_asks_for_confirmation_says_what_goes_and_the_next_build_removes_it(desk):
    project, server = desk
    _, html = page(server, "/_desk/item/lw10-day")
    assert "<code>items/lw10-day.html</code>" in html                    # what the next build removes
    with urllib.request.urlopen(server.url + "_desk/picture/lw10-day", timeout=30) as response:
        assert response.status == 200                                    # the desk's copy, in the cache
    desk_copies = project.cache / "desk"
    assert any(desk_copies.iterdir())
    before = caption(project, "lw10-day")
    status, html, _ = post(server, "lw10-day", {"action": "withdraw", "withdrawn": "2024-09-01"})
    assert status == 400 and "Tick the box to confirm" in html and caption(project, "lw10-day") == before
    status, _, _ = post(server, "lw10-day", {"action": "withdraw", "withdrawn": "2024-09-01", "confirm": "yes"})
    assert status == 303
    assert "  withdrawn: 2024-09-01\n" in caption(project, "lw10-day")
    end = time.monotonic() + 30
    while (project.out / "items" / "lw10-day.html").exists() and time.monotonic() < end:
        time.sleep(0.1)
    assert not (project.out / "items" / "lw10-day.html").exists()
    digest = hashlib.sha256((project.photos / "lw10-day.jpg").read_bytes()).hexdigest()
    assert not [p for p in desk_copies.iterdir() if p.name.startswith(digest)]   # no trace left in the cache
    assert page(server, "/_desk/item/lw10-day")[0] == 200
    with pytest.raises(urllib.error.HTTPError) as gone:                  # and none made again
        urllib.request.urlopen(server.url + "_desk/picture/lw10-day", timeout=30)
    assert gone.value.code == 404
    assert not [p for p in desk_copies.iterdir() if p.name.startswith(digest)]
    _, html = page(server, "/_desk/?state=withdrawn")
    assert "/_desk/item/lw10-day" in html


# ---- in Chromium: drawing, flags, consent, sign-off, axe -------------------------------------------

@pytest.fixture
def tab(browser, desk):
    """A desk page in a fresh 1280 px tab; checks it had no console errors and no CSP violations."""
    _, server = desk
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    errors: list[str] = []
    opened = context.new_page()
    refused = re.compile(r"status of 40[09] ")        # a refused form's page (the tests make some)
    opened.on("console", lambda m: errors.append(m.text) if m.type == "error" and not refused.search(m.text)
              else None)
    opened.on("pageerror", lambda e: errors.append(str(e)))

    def go(path: str):
        opened.goto(server.url + path.lstrip("/"))
        return opened

    yield go
    context.close()
    assert errors == []


def submitted(page, text: str) -> None:
    """Wait for the page the form led to (after its redirect) to say text."""
    page.wait_for_selector(f"text={text}")


def test_draw_a_region_with_the_mouse_and_see_it_in_the_file_with_comments_kept(desk, tab):
    project, _ = desk
    page = tab("/_desk/item/lw08-day")
    box = page.locator("#desk-image").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.10, box["y"] + box["height"] * 0.20)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.40, box["y"] + box["height"] * 0.50, steps=8)
    page.mouse.up()
    assert abs(float(page.input_value("#region-x")) - 10) < 1 and abs(float(page.input_value("#region-w")) - 30) < 1
    page.get_by_role("button", name="Add this region", exact=True).click()
    submitted(page, "Region 1 added.")
    text = caption(project, "lw08-day")
    assert text.startswith("# a researcher's comment, kept\n")
    x, y, w, h = (float(v) for v in re.search(r"^redact: \[\[(.*)\]\]$", text, re.M).group(1).split(", "))
    assert abs(x - 0.10) < 0.01 and abs(y - 0.20) < 0.01 and abs(w - 0.30) < 0.01 and abs(h - 0.30) < 0.01
    assert page.locator(".desk-region").count() == 1


def test_draw_a_region_with_the_keyboard_only(desk, tab):
    project, _ = desk
    page = tab("/_desk/item/lw12-day")
    page.focus("#desk-draw-keys")
    page.keyboard.press("ArrowRight")          # the first key starts a 20% square in the middle
    assert [page.input_value(f"#region-{k}") for k in "xywh"] == ["40", "40", "20", "20"]
    for key in ["ArrowRight"] * 5 + ["ArrowDown"] * 3 + ["Shift+ArrowRight"] * 2:
        page.keyboard.press(key)
    assert [page.input_value(f"#region-{k}") for k in "xywh"] == ["45", "43", "22", "20"]
    page.keyboard.press("Enter")
    submitted(page, "Region 1 added.")
    assert "redact: [[0.45, 0.43, 0.22, 0.2]]" in caption(project, "lw12-day")


def test_cover_a_flag_sign_off_and_the_gallery_preview_publishes_it(desk, tab):
    project, server = desk
    page = tab("/_desk/item/lw07-day")
    assert page.locator(".desk-flag").count() == 1 and "Flag 1: face" in page.inner_text("#flag-1")
    page.fill("#signoff-by", "ST")
    page.get_by_role("button", name="Sign off lw07-day", exact=True).click()
    page.wait_for_selector("#error-summary")
    assert "Sign-off refused: 1 flag is not resolved" in page.inner_text("#error-summary")
    assert "review:" not in caption(project, "lw07-day")
    page.get_by_role("button", name="Cover flag 1 with a region", exact=True).click()
    submitted(page, "Flag 1 covered by region 1.")
    assert "Resolved: covered by a redaction" in page.inner_text("#flag-1")
    published = page.locator("img.desk-published")        # the picture as the build will paint it
    published.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=published.element_handle())
    with urllib.request.urlopen(server.url + published.get_attribute("src").lstrip("/"), timeout=30) as response:
        painted = response.read()
    from io import BytesIO

    from PIL import Image

    from gallery.images import REDACT_COLOUR
    x, y, w, h = (float(v) for v in re.search(r"^redact: \[\[(.*)\]\]$", caption(project, "lw07-day"),
                                               re.M).group(1).split(", "))
    with Image.open(BytesIO(painted)) as im:
        middle = im.convert("RGB").getpixel((int((x + w / 2) * im.width), int((y + h / 2) * im.height)))
    assert all(abs(a - b) <= 8 for a, b in zip(middle, REDACT_COLOUR, strict=True))
    page.fill("#signoff-by", "ST")
    page.get_by_role("button", name="Sign off lw07-day", exact=True).click()
    submitted(page, "Signed off by ST")
    text = caption(project, "lw07-day")
    assert text.startswith("# a researcher's comment, kept\n") and "review:\n  by: ST\n" in text
    assert re.search(r"^  photo: sha256:[0-9a-f]{64}$", text, re.M)
    server.wait_for("items/lw07-day.html", lambda p: "lw07-day" in p and "<h1" in p, deadline=60)
    page.goto(server.url + "_desk/item/lw07-day")
    assert "desk-state-published" in page.content()


def test_accept_a_flag_with_a_reason_then_sign_off_once_the_rest_are_resolved(desk, tab):
    project, _ = desk
    page = tab("/_desk/item/lw08-day")
    flags = page.locator(".desk-flag-list > li").count()
    assert flags >= 1
    page.fill("#reason-1", "A public textbook page; it names nobody.")
    page.get_by_role("button", name="Accept flag 1", exact=True).click()
    submitted(page, "Flag 1 accepted.")
    text = caption(project, "lw08-day")
    assert 'reason: "A public textbook page; it names nobody."' in text and "  by:" not in text   # a draft
    for n in range(2, flags + 1):                     # the other flags: covered
        page.get_by_role("button", name=f"Cover flag {n} with a region", exact=True).click()
        submitted(page, f"Flag {n} covered")
    page.fill("#signoff-by", "AB")
    page.get_by_role("button", name="Sign off lw08-day", exact=True).click()
    submitted(page, "Signed off by AB")
    text = caption(project, "lw08-day")
    assert "review:\n  by: AB\n" in text and "A public textbook page; it names nobody." in text


def test_record_consent_in_the_browser(desk, tab):
    project, _ = desk
    path = project.captions / "lw13-day.yaml"
    project.item("lw13-day", participant="LW13")
    unreviewed(path, consent=False)
    page = tab("/_desk/item/lw13-day")
    page.check("#publish-yes")
    page.check("#scope-web")
    page.check("#scope-exhibition")
    page.fill("#consent-date", "2024-05-04")
    page.get_by_role("button", name="Record consent", exact=True).click()
    submitted(page, "Consent recorded.")
    assert "consent:\n  publish: true\n  scope: [web, exhibition]\n  date: 2024-05-04\n" in path.read_text()


@pytest.mark.parametrize("width", [1280, 768])
def test_axe_finds_nothing_on_the_desk_pages(desk, browser, axe_source, width):  # noqa: F811 (a fixture)
    _, server = desk
    context = browser.new_context(viewport={"width": width, "height": 1000})
    try:
        for path in ("_desk/", "_desk/item/lw08-day", "_desk/item/lw09-day", "_desk/item/nobody"):
            page = context.new_page()
            page.goto(server.url + path)
            page.evaluate(axe_source)
            found = page.evaluate("""tags => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                     resultTypes: ['violations']})""", AXE_TAGS)["violations"]
            assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in found] == [], path
            if width == 1280 and path == "_desk/item/lw08-day":
                from test_browser import SHOTS
                SHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SHOTS / "desk-item.png"), full_page=False)
            page.close()
    finally:
        context.close()


def test_an_edit_keeps_the_comments_on_the_lines_it_replaces(project):
    """Line edits, without a server: a comment at the end of a replaced line is kept as a line of its own."""
    import datetime as dt

    from gallery.desk import edits, survey
    from gallery.options import options_for
    project.item("lw15-day", participant="LW15")
    path = project.captions / "lw15-day.yaml"
    text = NO_REVIEW.sub("", path.read_text())
    path.write_text(text + "redact:   # hidden on the participant's request\n"
                           "  - [0.1, 0.1, 0.2, 0.2]   # the name badge\n"
                           "  - [0.5, 0.5, 0.1, 0.1]   # a 'quoted # not a comment' reflection\n")
    options = options_for(project.root)

    def apply(action: str, **form: str) -> None:
        row = survey.survey(options, thorough=False).row("lw15-day")
        fields = {"version": survey.version(path.read_bytes()), "seen": row.seen, **form}
        edits.apply(action, fields, row, options, row_config(options), None, dt.date(2024, 6, 1))

    def row_config(options):
        return survey.survey(options, thorough=False).config

    apply("add-region", x="70", y="70", w="10", h="10")
    after = path.read_text()
    assert "redact: [[0.1, 0.1, 0.2, 0.2], [0.5, 0.5, 0.1, 0.1], [0.7, 0.7, 0.1, 0.1]]   # hidden on the" in after
    assert "  # the name badge\n" in after and "  # a 'quoted # not a comment' reflection\n" in after
    for _ in range(3):
        apply("remove-region", region="1")
    after = path.read_text()
    assert "redact" not in after.replace("# hidden", "") and "# hidden on the participant's request\n" in after
    assert "  # the name badge\n" in after
