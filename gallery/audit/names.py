"""File names of the site reveal nothing the page address does not (README: "Privacy guarantees")."""

from __future__ import annotations

import os
import re
from pathlib import Path

from .findings import Finding

PUBLISHED_IMAGE = re.compile(r"^(?P<id>[a-z0-9]+(?:-[a-z0-9]+)*)-[0-9a-f]{10}-[0-9]+\.(?:jpg|webp|avif)$")
# names cameras and phones give their files: IMG_1234, DSC01234, PXL_20240501_..., 20240501_093012...
CAMERA_NAME = re.compile(r"(?i)(?:^|[^a-z])(?:img|dsc[fn]?|dcim|pxl|mvimg|vid|imag|pict?|cimg|sam|wp|p|"
                         r"photo|screenshot|whatsapp|signal|fb-img|dji|gopr|gp)[-_ ]?[0-9]{3,}"
                         r"|(?:^|[^0-9])(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:[0-2][0-9]|3[01])(?:[^0-9]|$)")
_SEPARATORS = re.compile(r"[^a-z0-9]+")
MIN_STEM = 4        # shorter source names ("a", "cat") are too common to be searched for


def normal_stem(name: str) -> str:
    """A file name without its extension, lowered, every run of other characters a hyphen."""
    return _SEPARATORS.sub("-", os.path.splitext(name)[0].lower()).strip("-")


def check_names(rels: list[str], sources: list[Path]) -> list[Finding]:
    """check_name for every file of the site: each source name is looked for in all the names at once."""
    found: list[Finding] = []
    names: list[tuple[str, str, str]] = []       # (rel, normal stem of its name, the part that is the id)
    for rel in rels:
        own, free = _own_name(rel)
        if own is not None:
            found.append(own)
        else:
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


def _own_name(rel: str) -> tuple[Finding | None, str]:
    """A finding about the name itself (not one the generator writes; an id like a camera file name),
    else None and the part of the name that tells nothing of a source photo: the generator's own
    words and hashes, and the public identifiers it names pages after (item id, participant code,
    prompt id, all shown on the pages anyway), as a normal stem. A source named like one of them
    (lw07-day.jpg, lw07.jpg for participant LW07, about.jpg) is a coincidence, not a leak."""
    name = rel.rsplit("/", 1)[-1]
    free = ""
    if rel.startswith("images/"):
        match = PUBLISHED_IMAGE.match(name)
        if not match:
            return Finding(rel, "file name", "not a name the generator writes (<id>-<hash>-<width>.<ext>); "
                                             "a copied original? Remove it from the site"), ""
        free = match.group("id")
    elif rel.startswith("items/") and name.endswith(".html"):
        free = name[:-5]
    if rel.startswith(("images/", "items/")) and CAMERA_NAME.search(free):
        return Finding(rel, "file name", f"the item id '{free}' looks like a camera file name or a date; "
                                         "rename the caption file to a neutral id such as lw07-day"), free
    return None, _generated_part(rel, name) or free


PAGES = ("index.html", "about.html", "accessibility.html", "404.html", "sitemap.xml", "robots.txt",
         ".gallery-manifest.json", "participants/index.html")
NAMED_PAGE = re.compile(r"^(?:participants|prompts)/[a-z0-9]+(?:-[a-z0-9]+)*\.html$")
ASSET = re.compile(r"^assets/(?P<stem>[^/]+)\.(?P<hash>[0-9a-f]{10})(?:\.[a-z0-9]+)?$")
THEME_ASSETS = ("style", "viewer", "favicon", "site-image")     # gallery/theme/static/ and the site_image copy


def _generated_part(rel: str, name: str) -> str:
    """The normal stem of the part of rel's name the generator made (all of it for its own pages and
    published images), "" when none."""
    if rel in PAGES or NAMED_PAGE.match(rel) or (rel.startswith("images/") and PUBLISHED_IMAGE.match(name)):
        return normal_stem(name)
    asset = ASSET.match(rel)
    if asset is None:
        return ""
    return normal_stem(name) if asset.group("stem") in THEME_ASSETS else asset.group("hash")
