"""The public gallery's words, second pass (issue 16, points 4-7 and part of 8), in real Chromium.

The "page not found" page from any depth with base_url (and, without it, check's warning through the
real command line), the accessibility statement's sections and the facts gallery.yaml gives it,
contact addresses as mailto: links, counts that say what they count, the header's Menu button at
320 px with and without JavaScript, button labels that never break inside a word, and the breadcrumb
separator kept out of the accessibility tree.

Most tests use test_browser's session site (its fixture project, served under a sub-path with the
strict CSP); the "words" project below is built here, served by a server that answers a missing
address with the site's 404.html (as a web server's ErrorDocument does), once with base_url and once
without.
"""

from __future__ import annotations

import functools
import http.server
import re
import textwrap
import threading
from pathlib import Path

import pytest
import test_browser
from conftest import Project, run_cli
from sitefixture import build, make_photo, make_project
from test_browser import CSP, axe

# test_browser's fixtures (its session site, server and browser contexts), found here by pytest
site, base_url, requests_log, contexts = test_browser.site, test_browser.base_url, test_browser.requests_log, \
    test_browser.contexts
open_page, axe_source = test_browser.open_page, test_browser.axe_source

WORDS = "/research/words/"         # the words project, built with base_url
PLAIN = "/research/plain/"         # the same project, built without base_url
DEEP = ["nothing-here", "items/lw07-withdrawn.html", "participants/lw99.html", "a/b/c/d/gone.html"]
ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


# ---- the words project: its own server (404.html for a missing address) and two builds -------------

class ErrorDocument(http.server.SimpleHTTPRequestHandler):
    """Static files with the strict CSP; a missing file is answered with its site's 404.html, status 404."""

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", CSP)
        super().end_headers()

    def send_error(self, code, message=None, explain=None) -> None:
        prefix = next((p for p in (WORDS, PLAIN) if self.path.startswith(p)), None)
        page = Path(self.directory) / prefix.strip("/") / "404.html" if prefix else None
        if code != 404 or page is None or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass


STATEMENT = """\
accessibility:
  organisation: the Example Research Unit
  contact: access@example.ac.uk
  phone: 0100 000 0000
  reply_days: 10
  status: partial
  problems: |
    - The interview recordings have no transcripts yet. We will add them by June 2027.
  tested: 2026-11-20
  tested_by: the Example Research Unit
  prepared: 2026-11-21
  reviewed: 2026-11-30
about: |
  ## How the pictures were gathered
  Write to the team at stories@example.ac.uk, or to <post@example.ac.uk>.

  ## Asking for a picture to be withdrawn {#withdraw}
  Email the research team.
"""


def words_project(root: Path) -> Project:
    """The fixture project plus seven answers to "The unexpected" (one photo, six in words), more than
    the home page shows, a statement's facts and an about text with addresses in it."""
    project = make_project(root)
    config = re.sub(r"(?m)^about: \|\n(?:  .*\n|\n)*", "", project.config.read_text())
    project.config.write_text(config + STATEMENT)
    make_photo(project.photos / "lw04-unexpected.jpg", (800, 600), (120, 90, 60))
    project.caption("lw04-unexpected", participant="LW04", prompt="unexpected", caption="A flat tyre.",
                    alt="A bicycle with a flat tyre against a wall.")
    for n in range(5, 11):
        project.caption(f"lw{n:02d}-unexpected", participant=f"LW{n:02d}", prompt="unexpected", kind="reported",
                        photo=None, alt=None, caption=f"Something nobody told me about, number {n}.")
    return project


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The words project's two builds, served; yields the server's address (http://127.0.0.1:PORT)."""
    root = tmp_path_factory.mktemp("words")
    serve = root / "serve"
    handler = functools.partial(ErrorDocument, directory=str(serve))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    project = words_project(root / "proj")
    config = project.config.read_text()
    for prefix, extra in ((WORDS, f"base_url: {origin}{WORDS}\n"), (PLAIN, "")):
        project.config.write_text(config + extra)
        project.out = serve / prefix.strip("/")
        project.out.parent.mkdir(parents=True, exist_ok=True)
        build(project)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield origin
    server.shutdown()
    server.server_close()


def addresses_of(page) -> list[str]:
    """Every address the page links to or loads (href, src, srcset), as the browser resolved it."""
    return page.evaluate("""() => {
        const found = [];
        for (const el of document.querySelectorAll('[href], [src], [srcset]')) {
            if (el.href) found.push(el.href);
            if (el.src) found.push(el.src);
            if (el.srcset) found.push(...el.srcset.split(',').map(
                c => new URL(c.trim().split(' ')[0], document.baseURI).href));
        }
        return found;
    }""")


# ---- point 4: the page not found ------------------------------------------------------------------

@pytest.mark.parametrize("missing", DEEP)
def test_the_404_page_works_from_any_depth_when_base_url_is_set(served, browser, missing):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    failed: list[str] = []
    target = served + WORDS + missing
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 and r.url != target
            else None)
    response = page.goto(target)
    assert response.status == 404 and page.title().startswith("Page not found")
    page.wait_for_load_state("load")
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "20px"          # its stylesheet loaded
    assert page.evaluate("document.documentElement.classList.contains('menu-js')")     # its script ran
    addresses = [a for a in addresses_of(page) if not a.startswith("mailto:")]
    assert addresses and all(a.startswith(served + WORDS) for a in addresses), addresses
    for address in set(addresses):
        where, _, anchor = address.partition("#")
        if where == target:                                                   # the skip link: this page
            assert page.locator(f"#{anchor}").count() == 1, address
        else:
            assert page.request.get(where).status == 200, address
    assert failed == []
    page.click("text=Go to the home page of the gallery")
    assert page.url == served + WORDS + "index.html" and page.locator("h1").inner_text() == "Link workers in pictures"
    context.close()


def test_without_base_url_the_404_page_breaks_below_the_top_folder(served, browser):
    """Why check warns: the same page, built without base_url, is fine at the top and broken deeper."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(served + PLAIN + "nothing-here")
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "20px"
    page.goto(served + PLAIN + "items/lw07-withdrawn.html")
    assert page.evaluate("getComputedStyle(document.body).fontSize") != "20px"          # no stylesheet
    home = page.get_attribute("text=Go to the home page of the gallery", "href")
    assert page.request.get(page.url.rsplit("/", 1)[0] + "/" + home).status == 404      # leads to another 404
    context.close()


def project_answering_everything(root: Path, config: str) -> Project:
    project = Project(root)
    project.config.write_text(config)
    for prompt in ("typical-day", "confidence", "unexpected"):   # no missing-answer warning in the way
        project.caption(f"lw01-{prompt}", prompt=prompt, kind="reported", photo=None, alt=None)
    return project


BASE_URL_WARNING = (
    "gallery.yaml: warning: base_url is not set, so the page shown for a missing address (404.html) works only in "
    "the site's top folder: deeper, as at an old link to a withdrawn picture (items/...), it has no styles and its "
    "links lead to more missing pages; set base_url to the address the site is published at, e.g. base_url: "
    "https://www.example.ac.uk/research/link-workers/ (your web team knows it)")
CONTACT_WARNING = (
    "gallery.yaml: warning: contact is not set, so the site cannot say how to ask for a picture to be withdrawn, "
    "nor the accessibility statement how to report a problem; add the team's email address, e.g. contact: "
    "gallery-team@example.ac.uk")


def test_check_and_the_build_warn_without_base_url_and_say_why(tmp_path):
    project = project_answering_everything(tmp_path / "proj", "title: T\ncontact: team@example.ac.uk\n")
    check = run_cli("check", *project.args()[:6], cwd=project.root)
    assert check.returncode == 0
    assert check.stderr.splitlines() == [BASE_URL_WARNING, "check: 0 errors, 1 warning in 3 caption files; "
                                                           "3 items would be published, 0 left out."]
    built = project.build()
    assert BASE_URL_WARNING in built.stderr.splitlines() and ", 1 warning;" in built.stderr
    strict = run_cli("check", *project.args()[:6], "--strict", cwd=project.root)
    assert strict.returncode == 1
    assert BASE_URL_WARNING.replace(": warning: ", ": ") + " (an error with --strict)" in strict.stderr.splitlines()
    project.config.write_text("title: T\ncontact: team@example.ac.uk\nbase_url: https://www.example.ac.uk/lw/\n")
    again = run_cli("check", *project.args()[:6], cwd=project.root)
    assert again.returncode == 0 and "warning" not in again.stderr


def test_check_warns_without_a_contact(tmp_path):
    project = project_answering_everything(tmp_path / "proj", "title: T\nbase_url: https://www.example.ac.uk/lw/\n")
    check = run_cli("check", *project.args()[:6], cwd=project.root)
    assert check.returncode == 0 and check.stderr.splitlines()[0] == CONTACT_WARNING


# ---- point 6: the accessibility statement --------------------------------------------------------

SECTIONS = ["h1 Accessibility statement for Link workers in pictures", "h2 Looking at the pictures",
            "h2 How accessible this website is", "h2 Feedback and contact information",
            "h2 Reporting accessibility problems with this website", "h2 Enforcement procedure",
            "h2 Technical information about this website’s accessibility", "h3 Compliance status",
            "h3 Non-accessible content", "h2 What we are doing to improve accessibility",
            "h2 Preparation of this accessibility statement"]


def statement(page) -> dict:
    return page.evaluate("""() => {
        const main = document.querySelector('main');
        const section = name => {
            const h = [...main.querySelectorAll('h2, h3')].find(h => h.textContent === name), parts = [];
            for (let n = h.nextElementSibling; n && !/^H[23]$/.test(n.tagName); n = n.nextElementSibling)
                parts.push(n.innerText);
            return parts.join(' ').replace(/\\s+/g, ' ');
        };
        return {headings: [...main.querySelectorAll('h1, h2, h3')].map(
                    h => h.tagName.toLowerCase() + ' ' + h.textContent),
                intro: [...main.querySelector('.prose').children].slice(0, 2).map(p => p.innerText).join(' '),
                how: section('How accessible this website is'), feedback: section('Feedback and contact information'),
                reporting: section('Reporting accessibility problems with this website'),
                enforcement: section('Enforcement procedure'), status: section('Compliance status'),
                problems: section('Non-accessible content'),
                preparation: section('Preparation of this accessibility statement'),
                links: [...main.querySelectorAll('a')].map(a => a.textContent + ' ' + a.href)};
    }""")


def test_the_statement_has_the_sections_of_the_gov_uk_sample_with_good_defaults(open_page, axe_source):
    page = open_page("accessibility.html")
    found = statement(page)
    assert found["headings"] == SECTIONS
    assert found["intro"].startswith("This accessibility statement applies to this website. This website is run by "
                                     "the research team.")
    assert found["status"] == ("This website is fully compliant with the Web Content Accessibility Guidelines "
                               "version 2.2 AA standard.")
    assert found["problems"].startswith("None known.")
    assert "We do not know of any part of this website that is not accessible" in found["how"]
    assert "contact gallery-team@example.ac.uk" in found["feedback"] and "within 5 working days" in found["feedback"]
    assert "within 5 working days" in found["reporting"]
    assert "Equality and Human Rights Commission (EHRC)" in found["enforcement"]
    assert ("contact the Equality Advisory and Support Service (EASS) https://www.equalityadvisoryservice.com/"
            in found["links"])
    assert found["preparation"].startswith(
        "This statement was prepared on 1 December 2026. It was last reviewed on 1 December 2026. This website was "
        "last tested on 1 December 2026 against the WCAG 2.2 AA standard. The test was carried out by the makers "
        "of the gallery software.")
    assert "axe-core, the Nu Html Checker and Lighthouse" in found["preparation"]
    assert axe(page, axe_source) == []


def test_the_statement_takes_its_facts_from_gallery_yaml(served, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(served + WORDS + "accessibility.html")
    found = statement(page)
    assert found["headings"] == SECTIONS
    assert found["intro"].startswith(f"This accessibility statement applies to the website at {served}{WORDS}. This "
                                     "website is run by the Example Research Unit.")
    assert found["status"].startswith("This website is partially compliant with the Web Content Accessibility "
                                      "Guidelines version 2.2 AA standard, due to the non-compliances listed below.")
    assert "The interview recordings have no transcripts yet." in found["problems"]
    assert "We know some parts of this website are not fully accessible." in found["how"]
    assert "contact access@example.ac.uk or call 0100 000 0000" in found["feedback"]
    assert "within 10 working days" in found["feedback"] and "within 10 working days" in found["reporting"]
    assert found["preparation"].startswith(
        "This statement was prepared on 21 November 2026. It was last reviewed on 30 November 2026. This website "
        "was last tested on 20 November 2026 against the WCAG 2.2 AA standard. The test was carried out by the "
        "Example Research Unit.")
    assert "access@example.ac.uk mailto:access@example.ac.uk" in found["links"]
    context.close()


def test_the_statements_settings_are_checked_with_file_and_line(tmp_path):
    project = project_answering_everything(tmp_path / "proj", textwrap.dedent("""\
        title: T
        contact: team@example.ac.uk
        base_url: https://www.example.ac.uk/lw/
        accessibility:
          status: mostly
          reply_days: 0
          tested: 2026-11-20
          prepared: 2026-11-21
          reviewed: 2026-11-01
          organization: Example
        """))
    check = run_cli("check", *project.args()[:6], cwd=project.root)
    assert check.returncode == 1
    assert check.stderr.splitlines() == [        # all at once, in the order the settings are read
        "gallery.yaml:10: unknown key 'accessibility.organization' (did you mean 'accessibility.organisation'?); "
        "allowed keys here: organisation, contact, phone, reply_days, status, problems, tested, tested_by, prepared, "
        "reviewed",
        "gallery.yaml:5: 'accessibility.status' is 'mostly'; it must be full, partial or not (compliant with WCAG "
        "2.2 AA)",
        "gallery.yaml:7: 'accessibility.tested' is set without 'accessibility.tested_by'; give both: the day the site "
        "was last tested and who tested it (tested: 2026-11-20, tested_by: the research team)",
        "gallery.yaml:9: 'accessibility.reviewed' (2026-11-01) is before 'accessibility.prepared' (2026-11-21); a "
        "statement is reviewed after it is prepared",
        "gallery.yaml:6: 'accessibility.reply_days' is 0; it must be between 1 and 60",
    ]


# ---- points 5 and 7: plain words, honest counts, mailto links -------------------------------------

MAILTO_CHECK = """() => [...document.querySelectorAll('body *')].flatMap(el => [...el.childNodes]
    .filter(n => n.nodeType === Node.TEXT_NODE && /@/.test(n.textContent))
    .flatMap(n => (n.textContent.match(/[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+/g) || []).map(address => {
        const link = n.parentElement.closest('a');
        return {address, link: link ? link.getAttribute('href') : null};
    })))"""


@pytest.mark.parametrize("path", ["index.html", "about.html", "accessibility.html", "404.html",
                                  "items/lw01-day.html", "participants/index.html"])
def test_contact_addresses_are_mailto_links_wherever_they_appear(open_page, path):
    found = open_page(path).evaluate(MAILTO_CHECK)
    assert found and all(f["link"] == f"mailto:{f['address']}" for f in found), found


def test_addresses_in_the_sites_own_texts_are_linked_too(served, browser):
    context = browser.new_context()
    page = context.new_page()
    page.goto(served + WORDS + "about.html")
    found = {f["address"]: f["link"] for f in page.evaluate(MAILTO_CHECK)}
    assert found == {a: f"mailto:{a}" for a in ("stories@example.ac.uk", "post@example.ac.uk",
                                                "gallery-team@example.ac.uk")}
    context.close()


def test_an_address_becomes_a_link_once_and_never_inside_a_link_or_code():
    from gallery.words import link_addresses
    html = ('<p>Write to a.b+c@example.ac.uk. Or <a href="mailto:q@example.org">q@example.org</a>, not '
            '<code>z@example.com</code>; me@localhost is no address.</p>')
    assert link_addresses(html) == (
        '<p>Write to <a href="mailto:a.b+c@example.ac.uk">a.b+c@example.ac.uk</a>. Or <a href="mailto:q@example.org">'
        'q@example.org</a>, not <code>z@example.com</code>; me@localhost is no address.</p>')


def test_counts_say_what_they_count(open_page):
    assert open_page("prompts/typical-day.html").locator("main > p").nth(1).inner_text().startswith(
        "3 items: 2 pictures, 1 described in words.")
    assert open_page("prompts/confidence.html").locator("main > p").nth(1).inner_text().startswith("2 pictures.")
    listing = open_page("participants/index.html").locator(".participant-list li").all_inner_texts()
    assert listing == ["Participant LW01 (2 pictures)", "Participant LW02 (2 pictures)",
                       "Participant LW03 (1 item, described in words)"]
    assert open_page("participants/lw03.html").locator("main > p").first.inner_text() == (
        "Participant LW03 shared 1 item, described in words.")
    meta = open_page("items/lw01-confidence.html").locator(".item-meta li").all_inner_texts()
    assert meta[2] == "Question: Confidence in the role"


def test_see_all_appears_only_when_the_home_page_shows_fewer_than_there_are(served, browser, open_page):
    home = open_page("index.html")
    assert home.locator("text=See all").count() == 0                          # every question shows all its cards
    context = browser.new_context()
    page = context.new_page()
    page.goto(served + WORDS + "index.html")
    assert page.locator(".prompt-section").nth(2).locator(".card").count() == 6
    assert page.locator("text=See all").all_inner_texts() == ["See all 7 items for “The unexpected”"]
    page.click("text=See all 7 items")
    assert page.locator("main > p").nth(1).inner_text().startswith("7 items: 1 picture, 6 described in words.")
    context.close()


def test_the_legend_explains_every_label_and_no_letter_is_left(open_page):
    page = open_page("index.html")
    legend = page.locator(".legend dt").all_inner_texts()
    assert legend == ["Original photo", "Illustration", "Described in words"]
    labels = set(page.locator("main .kind").all_inner_texts())
    assert labels <= set(legend) and page.locator(".kind-letter").count() == 0


# ---- point 8: the header menu, buttons and breadcrumbs at 320 px ---------------------------------

NAV_LINKS = ["Home", "A typical day", "Confidence in the role", "The unexpected", "Participants", "About"]
LAYOUT_SHIFT = """() => new Promise(done => new PerformanceObserver(list => done(
    list.getEntries().reduce((sum, e) => sum + e.value, 0))).observe({type: 'layout-shift', buffered: true})
    || setTimeout(() => done(0), 500))"""


def nav_state(page) -> dict:
    links = page.locator(".site-nav a")
    return {"button": page.locator(".menu-button").is_visible(),
            "expanded": page.get_attribute(".menu-button", "aria-expanded"),
            "visible": [a for a, shown in zip(links.all_inner_texts(), [x.is_visible() for x in links.all()],
                                               strict=True) if shown],
            "overflow": page.evaluate("document.documentElement.scrollWidth - innerWidth")}


def test_the_menu_at_320px_folds_the_links_behind_a_button_with_javascript(open_page):
    page = open_page("prompts/typical-day.html", width=(320, 640))
    assert nav_state(page) == {"button": True, "expanded": "false", "visible": [], "overflow": 0}
    assert page.evaluate(LAYOUT_SHIFT) == 0                                   # the list never showed, then folded
    button = page.get_by_role("button", name="Menu")
    button.click()
    assert nav_state(page) == {"button": True, "expanded": "true", "visible": NAV_LINKS, "overflow": 0}
    page.keyboard.press("Tab")                                                # into the list, then Escape
    assert page.evaluate("document.activeElement.textContent") == "Home"
    page.keyboard.press("Escape")
    assert nav_state(page)["visible"] == [] and page.evaluate("document.activeElement.className") == "menu-button"
    page.keyboard.press("Enter")
    assert nav_state(page)["expanded"] == "true"
    button.click()
    assert nav_state(page) == {"button": True, "expanded": "false", "visible": [], "overflow": 0}


def test_the_menu_at_320px_shows_every_link_without_javascript(open_page):
    page = open_page("prompts/typical-day.html", width=(320, 640), js=False)
    assert nav_state(page) == {"button": False, "expanded": "false", "visible": NAV_LINKS, "overflow": 0}


def test_wide_screens_show_every_link_and_no_menu_button(open_page):
    page = open_page("prompts/typical-day.html")
    assert nav_state(page) == {"button": False, "expanded": "false", "visible": NAV_LINKS, "overflow": 0}
    page.set_viewport_size({"width": 320, "height": 640})                     # narrowed: folds; widened: shows
    assert nav_state(page)["visible"] == [] and nav_state(page)["button"]
    page.set_viewport_size({"width": 1280, "height": 800})
    assert nav_state(page)["visible"] == NAV_LINKS and not nav_state(page)["button"]


BROKEN_WORDS = """() => [...document.querySelectorAll('button')].filter(b => b.getClientRects().length).flatMap(b => {
    const broken = [], walker = document.createTreeWalker(b, NodeFilter.SHOW_TEXT);
    for (let node; (node = walker.nextNode());)
        for (const m of node.textContent.matchAll(/\\S+/g)) {
            const range = document.createRange();
            range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
            if (range.getClientRects().length > 1) broken.push(m[0]);           // the word runs over two lines
        }
    const overflow = b.scrollWidth > b.clientWidth + 1;
    return broken.length || overflow ? [{button: b.textContent.trim(), broken, overflow}] : [];
})"""


@pytest.mark.parametrize("path", ["prompts/typical-day.html", "prompts/confidence.html"])
def test_button_labels_never_break_inside_a_word_at_320px(open_page, path):
    page = open_page(path, width=(320, 640))
    assert page.evaluate("document.querySelectorAll('button').length") == 1   # the menu button
    assert page.evaluate(BROKEN_WORDS) == []
    page.click("a[data-viewer]")
    page.wait_for_selector("dialog.viewer[open]")
    labels = page.evaluate("[...document.querySelectorAll('dialog button')].map(b => b.textContent)")
    assert {"Previous", "Next", "Close"} <= set(labels)
    assert page.evaluate(BROKEN_WORDS) == []


def ax_texts(page, selector: str) -> list[str]:
    """The names of the text nodes Chromium's accessibility tree holds inside selector (what a screen
    reader reads), through the DevTools protocol."""
    cdp = page.context.new_cdp_session(page)
    tree = cdp.send("Accessibility.getFullAXTree")["nodes"]
    root = cdp.send("DOM.describeNode", {"objectId": cdp.send("Runtime.evaluate", {
        "expression": f"document.querySelector({selector!r})"})["result"]["objectId"]})["node"]["backendNodeId"]
    by_id = {n["nodeId"]: n for n in tree}
    start = next(n for n in tree if n.get("backendDOMNodeId") == root)
    texts, todo = [], [start]
    while todo:
        node = todo.pop()
        if node.get("role", {}).get("value") in ("StaticText", "text") and not node.get("ignored"):
            texts.append(node.get("name", {}).get("value", ""))
        todo += [by_id[c] for c in reversed(node.get("childIds", [])) if c in by_id]
    return texts


def test_the_breadcrumb_separator_is_not_in_the_accessibility_tree(browser, base_url):
    context = browser.new_context(bypass_csp=True)          # for the control below: a style element
    page = context.new_page()
    page.goto(base_url + "items/lw01-confidence.html")
    crumbs = "nav[aria-label=Breadcrumb]"
    assert page.evaluate(f"getComputedStyle(document.querySelector('{crumbs} li + li'), '::before').width") != "0px"
    assert ax_texts(page, crumbs) == ["Home", "Confidence in the role", "The long corridor"]
    # The control: the separator written as text (as before) is read aloud, and this test sees it.
    page.add_style_tag(content=f'{crumbs} li + li::before {{ content: "›" !important; }}')
    assert ax_texts(page, crumbs) == ["Home", "›", "Confidence in the role", "›", "The long corridor"]
    context.close()
