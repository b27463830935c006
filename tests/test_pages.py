"""The generated HTML without a browser: structure, links, images, privacy and deployment settings.

Parsed with the standard library's html.parser; the browser tests (test_browser.py) check what a
browser makes of the same pages.
"""

from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import pytest
from sitefixture import ALTS, ITEMS, UNPUBLISHED, build, make_project

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Node | None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    def iter(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        return [n for n in self.iter() if (tag is None or n.tag == tag)
                and (cls is None or cls in (n.attrs.get("class") or "").split())]

    def find(self, tag: str | None = None, cls: str | None = None) -> Node | None:
        found = self.find_all(tag, cls)
        return found[0] if found else None

    def text(self) -> str:
        return " ".join(" ".join(c.text() if isinstance(c, Node) else c for c in self.children).split())

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("#document", {}, None)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(data: bytes) -> Node:
    builder = TreeBuilder()
    builder.feed(data.decode("utf-8"))
    return builder.root


# ---- fixtures: a few real builds -----------------------------------------------------------------

def built(tmp_path_factory, name: str, extra_config: str = "", site_image: bool = False):
    project = make_project(tmp_path_factory.mktemp(name) / "proj")
    if site_image:
        from PIL import Image
        im = Image.new("RGB", (1200, 630), (23, 80, 125))
        exif = Image.Exif()
        exif[0x010F] = "SecretCam"       # Make: must not reach the published copy
        im.save(project.root / "share.jpg", exif=exif.tobytes())
        extra_config += "site_image: share.jpg\n"
    project.config.write_text(project.config.read_text() + extra_config)
    build(project)
    return project


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    return built(tmp_path_factory, "plain")


@pytest.fixture(scope="module")
def tree(plain) -> dict[str, bytes]:
    return plain.tree()


@pytest.fixture(scope="module")
def pages(tree) -> dict[str, Node]:
    return {path: parse(data) for path, data in tree.items() if path.endswith(".html")}


@pytest.fixture(scope="module")
def public(tmp_path_factory):
    return built(tmp_path_factory, "public", "base_url: https://research.example.ac.uk/link-workers\n",
                 site_image=True)


@pytest.fixture(scope="module")
def hidden(tmp_path_factory):
    return built(tmp_path_factory, "hidden", "base_url: https://research.example.ac.uk/lw\nnoindex: true\n")


# ---- structure -------------------------------------------------------------------------------------

def test_every_page_type_is_built(pages):
    expected = {"index.html", "about.html", "accessibility.html", "404.html", "participants/index.html",
                "prompts/typical-day.html", "prompts/confidence.html", "prompts/unexpected.html",
                *(f"items/{i}.html" for i in ITEMS), "participants/lw01.html", "participants/lw02.html",
                "participants/lw03.html"}
    assert set(pages) == expected


def test_every_page_has_language_title_landmarks_skip_link_and_one_h1(pages):
    for path, doc in pages.items():
        html = doc.find("html")
        assert html.attrs.get("lang") == "en-GB", path
        assert doc.find("title").text(), path
        body = doc.find("body")
        first = next(n for n in body.children if isinstance(n, Node))
        assert first.tag == "a" and first.attrs["href"] == "#main" and "Skip" in first.text(), path
        assert doc.find("main").attrs.get("id") == "main", path
        assert doc.find("header") and doc.find("footer") and doc.find("nav"), path
        assert len(doc.find_all("h1")) == 1, path
        assert doc.find("meta") and any(m.attrs.get("name") == "viewport" for m in doc.find_all("meta")), path


def test_headings_never_skip_a_level(pages):
    for path, doc in pages.items():
        levels = [int(n.tag[1]) for n in doc.iter() if re.fullmatch(r"h[1-6]", n.tag)
                  and not any(a.tag == "template" for a in n.ancestors())]
        assert levels[0] == 1, path
        for before, after in zip(levels, levels[1:], strict=False):
            assert after <= before + 1, f"{path}: h{before} then h{after}"


def test_each_page_has_its_own_title_naming_the_page(pages):
    titles = {path: doc.find("title").text() for path, doc in pages.items()}
    assert len(set(titles.values())) == len(titles)
    assert titles["items/lw01-day.html"] == "Paperwork and tea – A typical day – Link workers in pictures"
    assert titles["participants/lw02.html"].startswith("Participant LW02")


def test_breadcrumbs_everywhere_but_home_and_404(pages):
    for path, doc in pages.items():
        crumbs = [n for n in doc.find_all("nav") if n.attrs.get("aria-label") == "Breadcrumb"]
        if path in ("index.html", "404.html"):
            assert not crumbs, path
            continue
        assert crumbs, path
        current = [n for n in crumbs[0].iter() if n.attrs.get("aria-current") == "page"]
        assert len(current) == 1 and current[0].tag != "a", path
        assert crumbs[0].find("a").text() == "Home"
    item = [n for n in pages["items/lw01-confidence.html"].find_all("nav")
            if n.attrs.get("aria-label") == "Breadcrumb"][0]
    assert item.text() == "Home › Confidence in the role › The long corridor".replace(" › ", " ")


def test_items_link_to_previous_and_next_within_their_question(pages):
    def rel(path, name):
        return [a.attrs["href"] for a in pages[path].find_all("a") if a.attrs.get("rel") == name]
    assert rel("items/lw01-day.html", "prev") == []
    assert rel("items/lw01-day.html", "next") == ["../items/lw02-day.html"]
    assert rel("items/lw02-day.html", "prev") == ["../items/lw01-day.html"]
    assert rel("items/lw02-day.html", "next") == ["../items/lw03-day.html"]
    assert rel("items/lw03-day.html", "next") == []


def test_browse_by_question_and_by_participant(pages):
    nav = pages["index.html"].find("nav", "site-nav").text()
    for label in ("A typical day", "Confidence in the role", "The unexpected", "Participants"):
        assert label in nav
    listing = pages["participants/index.html"].find("ul", "participant-list")
    assert [a.attrs["href"] for a in listing.find_all("a")] == [
        "../participants/lw01.html", "../participants/lw02.html", "../participants/lw03.html"]
    lw01 = pages["participants/lw01.html"]
    assert {a.attrs["href"] for a in lw01.find_all("a", "card-link")} == {
        "../items/lw01-day.html", "../items/lw01-confidence.html"}


def test_a_question_without_pictures_says_so(pages):
    assert "No pictures have been published for this question yet" in pages["prompts/unexpected.html"].text()
    home = pages["index.html"].text()
    assert "The unexpected" in home and "No pictures have been published for this question yet" in home


def test_kind_is_written_in_words_and_explained_on_the_home_page(pages):
    legend = pages["index.html"].find("section", "legend")
    # issue 16: the letters (O, I, R) went: "R" beside "Described in words" explained nothing
    assert [dt.text() for dt in legend.find_all("dt")] == ["Original photo", "Illustration", "Described in words"]
    for item_id, (_, _, kind, *_rest) in ITEMS.items():
        words = {"original": "Original photo", "illustration": "Illustration", "reported": "Described in words"}
        badge = pages[f"items/{item_id}.html"].find("span", "kind")
        assert badge.text() == words[kind]
    assert not [n for doc in pages.values() for n in doc.find_all(cls="kind-letter")]


def test_a_warning_comes_before_a_closed_details_holding_the_picture(pages):
    """Issue 16 changed this: the note is a warning, and the picture waits behind a closed <details>."""
    doc = pages["items/lw01-confidence.html"]
    article = doc.find("article")
    order = [n.tag if n.tag != "p" else "warning" for n in article.iter()
             if n.tag in ("details", "figure", "img") or "warning-text" in (n.attrs.get("class") or "")]
    assert order[:3] == ["warning", "details", "figure"]
    details = article.find("details")
    assert "open" not in details.attrs and details.find("span", "gate-show").text() == "Show the picture"
    assert "empty hospital corridor at night" in article.find("p", "warning-text").text()
    assert article.find("p", "warning-text").text().startswith("! Warning:")
    # On listing pages the card shows the note instead of the picture.
    card = next(li for li in pages["prompts/confidence.html"].find_all("li", "card")
                if li.attrs["id"] == "picture-lw01-confidence")
    visible = [n for n in card.iter() if not any(a.tag == "template" for a in n.ancestors())]
    assert not any(n.tag == "img" for n in visible)
    assert "Warning:" in card.find("div", "card-note").text()


def test_captions_are_figcaptions_and_long_descriptions_are_visible(pages):
    doc = pages["items/lw01-confidence.html"]
    figure = doc.find("figure")
    assert figure.find("img") and "make a difference" in figure.find("figcaption").text()
    long = doc.find("section", "long-description")
    assert long.find("h2").text() == "Description of the picture" and "wheelchair" in long.text()
    reported = pages["items/lw03-day.html"]
    assert reported.find("main").find("img") is None
    assert "It rings all day" in reported.find("blockquote").text()


def test_images_offer_webp_with_jpeg_fallback_sizes_dimensions_and_lazy_loading(pages, tree):
    home = pages["index.html"]
    pictures = [p for p in home.find_all("picture") if not any(a.tag == "template" for a in p.ancestors())]
    assert len(pictures) == 3                                   # lw01-day, lw02-day, lw02-confidence
    for n, picture in enumerate(pictures):
        source, img = picture.find("source"), picture.find("img")
        assert source.attrs["type"] == "image/webp" and ".webp " in source.attrs["srcset"]
        assert img.attrs["src"].endswith(".jpg") and ".jpg " in img.attrs["srcset"]
        assert source.attrs["sizes"] == img.attrs["sizes"]
        assert int(img.attrs["width"]) > 0 and int(img.attrs["height"]) > 0
        assert img.attrs["alt"] in ALTS.values()
        assert re.fullmatch(r"ph-[0-9a-f]{6}", img.attrs["class"])
        assert (img.attrs.get("loading") == "lazy") == (n > 0), "only the first picture loads at once"
        for candidate in source.attrs["srcset"].split(", ") + img.attrs["srcset"].split(", "):
            assert candidate.split()[0] in tree or candidate.split()[0].removeprefix("../") in tree
    css = next(data for path, data in tree.items() if path.startswith("assets/style.")).decode()
    for picture in pictures:
        cls = picture.find("img").attrs["class"]
        assert f".{cls}{{background-color:#{cls[3:]}}}" in css
    hero = pages["items/lw01-day.html"].find("main").find("img")
    assert "loading" not in hero.attrs and hero.attrs.get("fetchpriority") == "high"


def test_no_inline_script_style_or_event_handler(pages, tree):
    for path, doc in pages.items():
        scripts = doc.find_all("script")
        # the menu's script (issue 16) runs in <head>, before the page is drawn; the viewer's is deferred
        assert [re.sub(r"^(\.\./)*assets/|\.[0-9a-f]{10}(?=\.js$)", "", n.attrs.get("src", "")) for n in scripts] == [
            "menu.js", "viewer.js"], path
        assert "defer" not in scripts[0].attrs and "defer" in scripts[1].attrs, path
        assert not any(n.children for n in scripts), path
        assert not doc.find_all("style"), path
        for node in doc.iter():
            assert "style" not in node.attrs, f"{path}: style= on <{node.tag}>"
            assert not [a for a in node.attrs if a.startswith("on")], f"{path}: event handler on <{node.tag}>"


def test_cards_carry_what_the_viewer_shows(pages):
    for path in ("index.html", "prompts/typical-day.html", "participants/lw02.html"):
        for card in pages[path].find_all("li", "card"):
            link = card.find("a", "card-link")
            template = card.find("template")
            assert template is not None and template.attrs["data-title"] == link.text(), path
            assert card.attrs["id"] == f"picture-{link.attrs['data-viewer']}"
            assert link.attrs["href"].endswith(f"items/{link.attrs['data-viewer']}.html")


def targets(doc: Node) -> list[str]:
    found = []
    for node in doc.iter():
        for attr in ("href", "src"):
            if node.attrs.get(attr):
                found.append(node.attrs[attr])
        if node.attrs.get("srcset"):
            found += [c.split()[0] for c in node.attrs["srcset"].split(", ")]
    return found


# the accessibility statement's links elsewhere (issue 16): the enforcement procedure the regulations
# ask for, the standard, and AbilityNet's advice, as in GOV.UK's sample statement
STATEMENT_LINKS = {"https://www.equalityadvisoryservice.com/", "https://www.w3.org/TR/WCAG22/",
                   "https://mcmw.abilitynet.org.uk/"}


def test_every_link_is_relative_and_leads_to_a_file_or_anchor_in_the_site(pages, tree):
    external_ok = re.compile(r"^mailto:")
    for path, doc in pages.items():
        for target in targets(doc):
            if external_ok.match(target) or (path == "accessibility.html" and target in STATEMENT_LINKS):
                continue
            parts = urlsplit(target)
            assert not parts.scheme and not parts.netloc and not target.startswith("/"), f"{path}: {target}"
            if not parts.path:                                   # same-page anchor
                ids = {n.attrs.get("id") for n in doc.iter()}
                assert parts.fragment in ids, f"{path}: no #{parts.fragment}"
                continue
            resolved = str(PurePosixPath(posix_normpath(PurePosixPath(path).parent / parts.path)))
            assert resolved in tree, f"{path}: {target} -> {resolved} does not exist"
            if parts.fragment and resolved.endswith(".html"):
                ids = {n.attrs.get("id") for n in pages[resolved].iter()}
                assert parts.fragment in ids, f"{path}: {target}: no such anchor"


def posix_normpath(path: PurePosixPath) -> str:
    import posixpath
    return posixpath.normpath(str(path))


def test_assets_are_named_by_their_content_hash(tree):
    assets = [p for p in tree if p.startswith("assets/")]
    assert {re.sub(r"\.[0-9a-f]{10}\.", ".", p) for p in assets} == {
        "assets/style.css", "assets/viewer.js", "assets/menu.js", "assets/favicon.svg"}
    for path in assets:
        digest = re.search(r"\.([0-9a-f]{10})\.", path).group(1)
        assert hashlib.sha256(tree[path]).hexdigest()[:10] == digest


def test_unpublished_items_leave_no_trace(tree):
    for path, data in tree.items():
        for item_id in UNPUBLISHED:
            assert item_id.encode() not in data and item_id not in path
        assert b"LW09" not in data and b"Not for publication" not in data


def test_two_builds_of_the_same_input_are_byte_identical(plain, tree, tmp_path):
    """A fresh copy of the project, built with a fresh image cache, gives the same bytes."""
    import shutil

    from conftest import Project
    shutil.copytree(plain.root, tmp_path / "again", ignore=shutil.ignore_patterns("site", ".gallery"))
    again = Project(tmp_path / "again")
    build(again)
    assert sorted(again.tree()) == sorted(tree)
    differ = [path for path, data in again.tree().items() if tree[path] != data]
    assert differ == []


# ---- deployment settings ---------------------------------------------------------------------------

def test_without_base_url_there_is_no_sitemap_canonical_or_social_image(tree, pages):
    assert "sitemap.xml" not in tree and "robots.txt" not in tree
    for doc in pages.values():
        assert not [n for n in doc.find_all("link") if n.attrs.get("rel") == "canonical"]
        assert not [n for n in doc.find_all("meta") if (n.attrs.get("property") or "").startswith("og:")]
        assert not [n for n in doc.find_all("meta") if n.attrs.get("name") == "robots"]


def test_base_url_gives_canonical_links_sitemap_and_robots(public):
    tree = public.tree()
    base = "https://research.example.ac.uk/link-workers/"
    sitemap = tree["sitemap.xml"].decode()
    locs = re.findall(r"<loc>(.*?)</loc>", sitemap)
    assert base in locs and base + "participants/" in locs and base + "items/lw01-day.html" in locs
    assert not any("404" in loc for loc in locs) and len(locs) == len(set(locs)) == 15
    assert f"Sitemap: {base}sitemap.xml" in tree["robots.txt"].decode()
    canonical = {path: [n.attrs["href"] for n in parse(data).find_all("link") if n.attrs.get("rel") == "canonical"]
                 for path, data in tree.items() if path.endswith(".html")}
    assert canonical["index.html"] == [base]
    assert canonical["items/lw02-day.html"] == [base + "items/lw02-day.html"]
    assert canonical["404.html"] == []
    assert sorted(href for hrefs in canonical.values() for href in hrefs) == sorted(locs)


def test_404_links_absolutely_with_base_url_so_it_works_at_any_depth(public, tree):
    doc = parse(public.tree()["404.html"])
    for target in targets(doc):
        assert target.startswith(("https://research.example.ac.uk/link-workers/", "#", "mailto:")), target
    relative = parse(tree["404.html"])
    assert doc.find("link").attrs and all(not t.startswith("http") for t in targets(relative))


def test_only_a_generic_site_image_is_offered_to_social_networks(public):
    tree = public.tree()
    images = set()
    for path, data in tree.items():
        if path.endswith(".html") and path != "404.html":
            metas = {n.attrs.get("property"): n.attrs.get("content") for n in parse(data).find_all("meta")}
            images.add(metas.get("og:image"))
    assert len(images) == 1
    image = images.pop()
    assert re.fullmatch(r"https://research\.example\.ac\.uk/link-workers/assets/site-image\.[0-9a-f]{10}\.png", image)
    data = tree[image.removeprefix("https://research.example.ac.uk/link-workers/")]
    assert data.startswith(b"\x89PNG") and b"SecretCam" not in data and b"Exif" not in data


def test_noindex_adds_robots_meta_and_drops_the_sitemap(hidden):
    tree = hidden.tree()
    assert "sitemap.xml" not in tree
    assert "Sitemap" not in tree["robots.txt"].decode()
    for path, data in tree.items():
        if path.endswith(".html"):
            metas = {n.attrs.get("name"): n.attrs.get("content") for n in parse(data).find_all("meta")}
            assert metas.get("robots") == "noindex, nofollow", path
