"""File names of the site reveal nothing the page address does not (README: "Privacy guarantees")."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from ..ids import camera_id_problem, normal_stem
from .findings import Finding

PUBLISHED_IMAGE = re.compile(r"^(?P<id>[a-z0-9]+(?:-[a-z0-9]+)*)-[0-9a-f]{10}-[0-9]+\.(?:jpg|webp|avif)\Z")
MIN_STEM = 4        # shorter source names ("a", "cat") are too common to be searched for


Own = Callable[[str], tuple[Finding | None, str | None]]


def check_names(rels: list[str], sources: list[Path], own_name: Own | None = None) -> list[Finding]:
    """check_name for every file of the site (own_name: the rule for the names the generator writes, by
    default the site's): each source name is looked for in all the names at once."""
    found: list[Finding] = []
    names: list[tuple[str, str, str]] = []   # (rel, normal stem of its name, the part that tells nothing)
    for rel in rels:
        own, free = (own_name or _own_name)(rel)
        if own is not None:
            found.append(own)
        elif free is not None:
            names.append((rel, normal_stem(rel.rsplit("/", 1)[-1]), free))
    joined = "\n".join(name for _, name, _ in names)
    for source in sources:
        stem = normal_stem(source.name)
        if len(stem) < MIN_STEM or stem not in joined:
            continue
        found.extend(Finding(rel, "file name", f"contains the name of the source photo {source.name}")
                     for rel, name, free in names if stem in name and stem not in free)
    return sorted(found, key=lambda f: f.path)


def check_name(rel: str, sources: list[Path]) -> list[Finding]:
    """Names reveal nothing the page address does not: see the README's "Privacy guarantees"."""
    return check_names([rel], sources)


def _own_name(rel: str) -> tuple[Finding | None, str | None]:
    """A finding about the name itself (not one the generator writes; an id like a camera file name),
    else None and the part of the name that tells nothing of a source photo, as a normal stem: the
    generator's own words and hashes, and the public identifiers it names pages after (item id,
    participant code, prompt id, all shown on the pages anyway); None when that is the whole name.
    A source named like one of them (lw07-day.jpg, lw07.jpg for participant LW07, about.jpg) is a
    coincidence, not a leak."""
    name = rel.rsplit("/", 1)[-1]
    if rel.startswith("images/"):
        match = PUBLISHED_IMAGE.match(name)
        if not match:
            return Finding(rel, "file name", "not a name the generator writes (<id>-<hash>-<width>.<ext>); "
                                             "a copied original? Remove it from the site"), ""
        return _camera_id(rel, match.group("id")), None
    page = NAMED_PAGE.match(rel)
    if page is not None:        # an item id, a participant code, a prompt id: each chosen to be public
        return (_camera_id(rel, page.group("id")) if page.group("folder") == "items" else None), None
    if rel in PAGES:
        return None, None
    asset = ASSET.match(rel)
    if asset is None:
        return None, ""
    return None, (None if asset.group("stem") in THEME_ASSETS else asset.group("hash"))


def check_print_names(rels: list[str], sources: list[Path]) -> list[Finding]:
    """check_names for a print folder: a pack or panel is named after the prompt or item it holds."""
    return check_names(rels, sources, _printed_name)


def _printed_name(rel: str) -> tuple[Finding | None, str | None]:
    """Like _own_name, for the print command's names: pack-<id>.pdf and panel-<id>.pdf, where the id is
    a prompt's or an item's (public already); any other name is checked in full."""
    if rel == ".gallery-manifest.json":
        return None, None
    match = PRINTED.match(rel)
    if match is None:
        return None, ""
    camera = camera_id_problem(match.group("id"))
    return (Finding(rel, "file name", f"{camera}; give the item or prompt it is named after a neutral id such "
                                      "as lw07-day") if camera else None), None


def _camera_id(rel: str, item_id: str) -> Finding | None:
    """Caption files refuse such ids when they are loaded: this is defence in depth."""
    camera = camera_id_problem(item_id)
    return Finding(rel, "file name", f"{camera}; rename the caption file to a neutral id such as lw07-day") \
        if camera else None


PAGES = ("index.html", "about.html", "accessibility.html", "404.html", "sitemap.xml", "robots.txt",
         ".gallery-manifest.json", "participants/index.html")
NAMED_PAGE = re.compile(r"^(?P<folder>items|participants|prompts)/(?P<id>[a-z0-9]+(?:-[a-z0-9]+)*)\.html\Z")
PRINTED = re.compile(r"^(?:pack|panel)-(?P<id>[a-z0-9]+(?:-[a-z0-9]+)*)\.pdf\Z")
ASSET = re.compile(r"^assets/(?P<stem>[^/]+)\.(?P<hash>[0-9a-f]{10})(?:\.[a-z0-9]+)?$")
THEME_ASSETS = ("style", "viewer", "favicon", "site-image")     # gallery/theme/static/ and the site_image copy
