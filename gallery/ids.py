"""Identifiers: item ids, participant codes, and the names a published file must not look like.

One rule each, used everywhere: caption files, `add`, `import` and the privacy audit all ask
this module. It imports nothing of the package, so any stage may use it.
"""

from __future__ import annotations

import functools
import os
import re

# an item or prompt id: lower-case letters and digits in runs joined by single hyphens (\Z, not $:
# `$` also matches before a final newline, and an id becomes a page name)
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z")

# a pseudonymous participant code: letters, then digits, optionally one hyphen between them
PARTICIPANT_RE = re.compile(r"^(?:[A-Za-z]{1,6}-?)?[0-9]{1,5}\Z")
PARTICIPANT_FORM = "letters then digits, optionally one hyphen between them, e.g. LW07 or LW-07"
_MAX_LETTERS, _MAX_DIGITS = 6, 5

# What cameras and phones name their files, seen in a name lowered with every run of other
# characters made a hyphen (normal_stem). A study code is not one: cameras number their files with
# at least four digits after a fixed prefix (IMG_1234, DSC01234, DSCN/DSCF1234, SAM_1234, DJI_0001,
# GOPR1234), with six or more digits (GP010001, Panasonic and Olympus P1010001, PA010001, counters
# and timestamps, 8-digit dates as in PXL_20240501_..., VID_20240501_..., IMG-20240501-WA0001), with
# a date written with separators (WhatsApp Image 2024-05-01 at ..., Screenshot 2024-05-01 ...),
# an app's word followed by a number (Screenshot_3), or Kodak's 100_1234. Participant codes have at
# most five digits and none of these prefixes with four: P001, P0001, P100, SAM001, GP012, VID101,
# WP001 and LW07 are not camera names.
_CAMERA = re.compile(
    r"(?<![a-z])(?:img(?:-?e)?|dsc[fn]?|sam|dji|gopr|cimg|imgp|sdim|hpim|pict|imag|mvimg|mvi)-?[0-9]{4,}"
    r"|(?<![a-z])(?:screenshot|screen-shot|whatsapp|pxl|fb-img)-?[0-9]+"
    r"|(?<![0-9])[0-9]{6,}"
    r"|(?<![0-9])(?:19|20)[0-9]{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])(?![0-9])"
    r"|(?<![a-z0-9])[1-9][0-9]{2}-[0-9]{4}(?![0-9])")
_SEPARATORS = re.compile(r"[^a-z0-9]+")


def normal_stem(name: str) -> str:
    """A file name without its extension, lowered, every run of other characters a hyphen."""
    return _SEPARATORS.sub("-", os.path.splitext(name)[0].lower()).strip("-")


@functools.lru_cache(maxsize=4096)     # asked for every published image of an item
def camera_like(name: str) -> str | None:
    """The part of a file name or id that looks like a camera's file name or a date (e.g. 'img-1234'),
    or None. The name is compared as normal_stem makes it, so IMG_1234.JPG and img-1234 are alike."""
    match = _CAMERA.search(normal_stem(name))
    return match.group() if match else None


def camera_id_problem(item_id: str) -> str | None:
    """Why an item id may not be used (every page and image address of the item publishes it), or None."""
    looks = camera_like(item_id)
    return (f"the item id '{item_id}' looks like a camera file name or a date ('{looks}'), and the item's page "
            "and image addresses would publish it") if looks else None


def participant_problem(value: str) -> str | None:
    """Why value is not a participant code, said so that it can be fixed; None when it is one."""
    if PARTICIPANT_RE.match(value):
        return None
    if not any(c.isdigit() for c in value):
        return f"participant '{value}' must be a pseudonymous code such as LW07, never a name"
    return f"participant '{value}' {_what_is_wrong(value)}; a participant ID is {PARTICIPANT_FORM}"


def _what_is_wrong(value: str) -> str:
    for char, name in (("\n", "a line break"), ("\r", "a line break"), ("\t", "a tab"), (" ", "a space")):
        if char in value:
            return f"contains {name}"
    odd = next((c for c in value if not (c.isascii() and (c.isalnum() or c == "-"))), None)
    if odd is not None:
        return f"contains {odd!r}" if odd.isprintable() else f"contains the character {odd!r}"
    if re.search(r"[0-9][A-Za-z]", value):
        return "has letters after the digits"
    if "-" in value and not re.fullmatch(r"[A-Za-z]+-[0-9]+", value):
        return "has a hyphen that is not between the letters and the digits"
    letters, digits = re.fullmatch(r"([A-Za-z]*)-?([0-9]*)", value).groups()   # type: ignore[union-attr]
    if len(letters) > _MAX_LETTERS:
        return f"starts with {len(letters)} letters (at most {_MAX_LETTERS})"
    if len(digits) > _MAX_DIGITS:
        return f"has {len(digits)} digits (at most {_MAX_DIGITS})"
    return "is not in that form"


def participant_key(code: str) -> tuple[str, int] | None:
    """What a participant code means, ignoring case, hyphens and leading zeros (LW-07, lw07 and LW7
    are one person): (letters, number), or None for a value that is not a code."""
    match = re.fullmatch(r"([A-Za-z]*)([0-9]+)", re.sub(r"[\s-]+", "", code))
    return (match.group(1).upper(), int(match.group(2))) if match else None
