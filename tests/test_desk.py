"""The review desk (issue 15): `serve`'s /_desk/ pages over a real project with real screened photos,
a real server process and watcher, real HTTP requests, and real Chromium for the drawing, the forms
and axe-core. One project and one server for the module: each test works on its own item."""

from __future__ import annotations

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
    import skimage.data         # a scanned page of print (not copied into tests/data: see SOURCES.md there)
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
    form = {"token": TOKEN.search(html).group(1), "version": VERSION.search(html).group(1), **fields}
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


def caption(project: Project, item: str) -> str:
    return (project.captions / f"{item}.yaml").read_text()


# ---- the list --------------------------------------------------------------------------------------

def test_the_list_shows_every_caption_file_by_state_with_counts_and_filters(desk):
    project, server = desk
    status, html = page(server, "/_desk/")
    assert status == 200
    states = dict(re.findall(r'<th scope="row"><a href="/_desk/item/([a-z0-9-]+)">.*?desk-state-([a-z-]+)"', html, re.S))
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
    good = {"token": TOKEN.search(html).group(1), "version": VERSION.search(html).group(1), **form}
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
    stale = {"token": TOKEN.search(html).group(1), "version": VERSION.search(html).group(1), "action": "consent",
             "publish": "no", "scope-web": "on"}
    path.write_text(path.read_text() + "# edited in another window\n")
    status, html, _ = post(server, "lw09-day", {}, body=urlencode(stale).encode())
    assert status == 409 and "changed since this page was loaded" in html
    assert path.read_text().endswith("# edited in another window\n") and "consent:" not in path.read_text()


# ---- the actions, through HTTP --------------------------------------------------------------------

def test_consent_is_recorded_from_the_paper_form(desk):
    project, server = desk
    status, _, headers = post(server, "lw09-day", {"action": "consent", "publish": "yes", "scope-web": "on",
                                                   "scope-print": "on", "date": "2024-05-03"})
    assert status == 303 and "Consent%20recorded" in headers["Location"]
    assert "consent:\n  publish: true\n  scope: [web, print]\n  date: 2024-05-03\n" in caption(project, "lw09-day")
    _, html = page(server, headers["Location"])
    assert "Consent recorded." in html and "needs-review" in html


def test_withdrawal_asks_for_confirmation_says_what_goes_and_the_next_build_removes_it(desk):
    project, server = desk
    _, html = page(server, "/_desk/item/lw10-day")
    assert "<code>items/lw10-day.html</code>" in html                    # what the next build removes
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
    _, html = page(server, "/_desk/?state=withdrawn")
    assert "/_desk/item/lw10-day" in html
