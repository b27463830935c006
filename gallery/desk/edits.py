"""What the desk's forms do to a caption file: each action is new text for the file, or the errors
that say why not (field by field, in plain words), and a write that happens only when the new
text parses as the caption loader reads it, changes nothing but what was asked, and the file is
still what the page was made from.

Edits are line edits (reviewing.with_block), as the review command makes them: comments and every
other line are kept byte for byte. Changing what a review approved (a region, an acceptance)
leaves the review a draft (no initials, no date): the item needs signing off again.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, replace

from .. import review
from ..cache import write_atomic
from ..captions import SCOPES, Item, Region, load_item
from ..config import SiteConfig
from ..errors import GalleryError, Problem
from ..options import BuildOptions
from ..reviewing import Asked, ReviewError, _accepted, cover_region, outwards, review_lines, review_one, with_block
from ..screens import Screening
from .survey import Row, version

INITIALS = re.compile(r"[A-Za-z][A-Za-z.\- ]{0,19}")
MAX_REASON = 500


class EditError(GalleryError):
    """A form the desk cannot carry out; nothing was written. fields: (form field, message)."""

    def __init__(self, fields: list[tuple[str, str]], status: int = 400):
        super().__init__("; ".join(m for _, m in fields))
        self.fields = fields
        self.status = status


@dataclass(frozen=True)
class Done:
    """A write made: what to tell the researcher."""

    notice: str


def apply(action: str, form: dict[str, str], row: Row, options: BuildOptions, config: SiteConfig,
          screening: Screening | None, today: dt.date) -> Done:
    """Carry out one form on the row's caption file; raises EditError (nothing written)."""
    item = row.item
    if item is None:
        raise EditError([("", "this caption file has errors, so the desk does not change it; fix them in the file")])
    raw = item.source.read_bytes()
    if form.get("version") != version(raw):
        raise EditError([("", f"{item.source.name} changed since this page was loaded (another window or an "
                              "editor saved it); nothing was written: the page now shows the file as it is, "
                              "make the change again")], status=409)
    if form.get("seen") != row.seen:
        raise EditError([("", "the photo or the screen's flags changed since this page was loaded; nothing was "
                              "written: the page now shows the picture as it is, check it again")], status=409)
    live = load_item(item.source, options.photos, config, [], [], raw=raw) or item
    if action == "signoff":
        return _sign_off(live, form, options, config, screening, today)
    if action not in ACTIONS:
        raise EditError([("", f"unknown action {action[:40]!r}; use the page's buttons")])
    handler, key = ACTIONS[action]
    text, notice = handler(live, raw.decode("utf-8"), form, row, today)
    _write(live, raw, text, options, config, key)
    return Done(notice)


# ---- regions ------------------------------------------------------------------------------------

def _add_region(item: Item, text: str, form: dict[str, str], row: Row, today: dt.date) -> tuple[str, str]:
    region = region_from(form)
    regions = item.redact + (region,)
    return _with_regions(item, text, regions), f"Region {len(regions)} added. {_again(item)}"


def _remove_region(item: Item, text: str, form: dict[str, str], row: Row, today: dt.date) -> tuple[str, str]:
    n = _number(form, "region", len(item.redact), "region")
    regions = item.redact[:n - 1] + item.redact[n:]
    return _with_regions(item, text, regions), f"Region {n} removed. {_again(item)}"


def _cover(item: Item, text: str, form: dict[str, str], row: Row, today: dt.date) -> tuple[str, str]:
    n = _number(form, "flag", len(row.flags), "flag")
    region = cover_region(row.flags[n - 1].flag.box)        # as review --redact-faces draws one
    regions = item.redact + (region,)
    return _with_regions(item, text, regions), f"Flag {n} covered by region {len(regions)}. {_again(item)}"


def region_from(form: dict[str, str]) -> Region:
    """The x, y, width and height fields (percent of the picture) as a region of fractions."""
    names = {"x": "From the left edge", "y": "From the top edge", "w": "Width", "h": "Height"}
    values: dict[str, float] = {}
    errors = []
    for key, label in names.items():
        raw = form.get(key, "").strip().replace(",", ".")
        try:
            value = float(raw)
        except ValueError:
            errors.append((key, f"{label}: enter a number from 0 to 100" if raw else f"{label}: enter a number"))
            continue
        if not math.isfinite(value) or not 0 <= value <= 100:
            errors.append((key, f"{label}: enter a number from 0 to 100, not {raw[:20]}"))
            continue
        values[key] = value
    if errors:
        raise EditError(errors)
    x, y, w, h = (values[k] / 100 for k in ("x", "y", "w", "h"))
    if w <= 0 or h <= 0:
        raise EditError([("w" if w <= 0 else "h", "A region needs a width and a height above 0")])
    if x + w > 1.00001 or y + h > 1.00001:
        wide = x + w > 1.00001
        sums = "from the left plus width" if wide else "from the top plus height"
        raise EditError([("w" if wide else "h", f"The region goes past the {'right' if wide else 'bottom'} edge of "
                                                f"the picture: {sums} must be 100 or less")])
    return outwards((x, y, x + w, y + h))


def _with_regions(item: Item, text: str, regions: tuple[Region, ...]) -> str:
    """The text with the top-level redact list set to regions (a review of the old ones goes stale)."""
    if regions:
        return with_block(text, item, "redact", f"redact: {review.normal(regions)}", [])
    return _without(text, item, "redact")


# ---- flags ---------------------------------------------------------------------------------------

def _accept(item: Item, text: str, form: dict[str, str], row: Row, today: dt.date) -> tuple[str, str]:
    n = _number(form, "flag", len(row.flags), "flag")
    reason = " ".join(form.get("reason", "").split())
    if not reason:
        raise EditError([(f"reason-{n}", "Say why this flag may be published as it is (for example: the poster "
                                         "is public and names nobody)")])
    if len(reason) > MAX_REASON:
        raise EditError([(f"reason-{n}", f"The reason is {len(reason)} characters long; keep it under {MAX_REASON}")])
    if row.digest is None:          # the photo the page showed (row.seen holds it)
        raise EditError([("", f"photo '{item.photo_name}' cannot be read; check the file is there")])
    flags = tuple(m.flag for m in row.flags)
    accepted = _accepted(item, flags, item.redact, Asked(accept=((n, reason),)), row.digest)
    # the review block as a draft: no initials, no date (a signed review needs signing off again)
    return with_block(text, item, "review", "review:", review_lines(None, None, row.digest, item.redact, accepted)), \
        f"Flag {n} accepted. {_again(item)}"


def _without(text: str, item: Item, key: str) -> str:
    """The text without the top-level key's block (its comment lines kept)."""
    if item.line(key) is None:
        return text
    marker = "\x00desk: removed\x00"
    edited = with_block(text, item, key, marker, [])
    return "".join(row[len(marker):].lstrip() if row.startswith(marker) else row   # its comment kept, alone
                   for row in edited.splitlines(keepends=True) if row.strip() != marker)


# ---- consent -------------------------------------------------------------------------------------

def _consent(item: Item, text: str, form: dict[str, str], row: Row, today: dt.date) -> tuple[str, str]:
    if item.consent.withdrawn is not None:
        raise EditError([("", "consent was withdrawn; a withdrawn item is not published again. If the participant "
                              "gave new consent, add the picture again as a new item")])
    publish = form.get("publish")
    if publish not in ("yes", "no"):
        raise EditError([("publish", "Choose whether the participant agreed to publish the picture")])
    scope = tuple(s for s in SCOPES if form.get(f"scope-{s}") == "on")
    when = _date(form.get("date", ""), "date", today, "the date on the consent form")
    if publish == "yes" and when is None:
        raise EditError([("date", "Enter the date on the consent form, for example 2024-05-01")])
    if publish == "yes" and not scope:
        raise EditError([("scope-web", "Choose at least one use the participant agreed to (web, print, exhibition)")])
    lines = [f"  publish: {'true' if publish == 'yes' else 'false'}", f"  scope: [{', '.join(scope)}]"]
    if when is not None:
        lines.append(f"  date: {when.isoformat()}")
    return with_block(text, item, "consent", "consent:", lines), "Consent recorded."


def _withdraw(item: Item, text: str, form: dict[str, str], row: Row, today: dt.date) -> tuple[str, str]:
    if form.get("confirm") != "yes":
        raise EditError([("confirm", "Tick the box to confirm the withdrawal")])
    when = _date(form.get("withdrawn", ""), "withdrawn", today, "the date consent was withdrawn") or today
    c = item.consent
    lines = [f"  publish: {'true' if c.publish else 'false'}", f"  scope: [{', '.join(c.scope)}]"]
    if c.date is not None:
        lines.append(f"  date: {c.date.isoformat()}")
    lines.append(f"  withdrawn: {when.isoformat()}")
    return with_block(text, item, "consent", "consent:", lines), \
        "Consent withdrawn. The next build removes the item from the gallery (the preview rebuilds now)."


def _date(raw: str, field: str, today: dt.date, what: str) -> dt.date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        when = dt.date.fromisoformat(raw)
    except ValueError:
        raise EditError([(field, f"Enter {what} as year-month-day, for example 2024-05-01, not {raw[:20]!r}")]) \
            from None
    if when > today:
        raise EditError([(field, f"{what[0].upper()}{what[1:]} cannot be after today ({today.isoformat()})")])
    return when


# ---- sign-off ------------------------------------------------------------------------------------

def _sign_off(item: Item, form: dict[str, str], options: BuildOptions, config: SiteConfig,
              screening: Screening | None, today: dt.date) -> Done:
    by = " ".join(form.get("by", "").split())
    if not INITIALS.fullmatch(by):
        raise EditError([("by", "Enter your initials (letters, up to 20), for example ST")])
    try:
        done = review_one(item, options, config, by, today, screening, Asked())
    except ReviewError as exc:
        open_flags = [p.message.split(" is not resolved")[0] for p in exc.problems if "is not resolved" in p.message]
        if open_flags:
            are = "flags are" if len(open_flags) > 1 else "flag is"
            raise EditError([("by", f"Sign-off refused: {len(open_flags)} {are} "
                                    f"not resolved yet ({'; '.join(open_flags)}). Cover each with a region or "
                                    "accept it with a reason first")]) from None
        raise EditError([("by", p.message) for p in exc.problems] or [("by", str(exc))]) from None
    left = f" It is still left out: {done.consent}." if done.consent else " The preview rebuilds now."
    return Done(f"Signed off by {by} on {today.isoformat()}.{left}")


# ---- writing -------------------------------------------------------------------------------------

def _write(item: Item, raw: bytes, text: str, options: BuildOptions, config: SiteConfig, key: str) -> None:
    """Write text over the caption file when it parses cleanly, reads as before but for key, and the
    file is still raw; else EditError."""
    errors: list[Problem] = []
    new = text.encode("utf-8")
    done = load_item(item.source, options.photos, config, errors, [], raw=new)
    if done is None:
        raise EditError([("", f"the change would make {item.source.name} unreadable ({p}); nothing was written")
                         for p in errors] or [("", "the change could not be made in this file's layout")])
    if _rest(done, key) != _rest(item, key):
        raise EditError([("", f"the change could not be made in {item.source.name}'s layout without changing "
                              "another key; nothing was written: edit the file by hand (README: caption files)")])
    if item.source.read_bytes() != raw:
        raise EditError([("", f"{item.source.name} changed while the change was being made; nothing was written: "
                              "make it again")], status=409)
    if new != raw:
        write_atomic(item.source, new)


def _rest(item: Item, key: str) -> Item:
    """The item but for the key an action writes (and the lines keys are on)."""
    return replace(item, key_lines=(), photo_line=None, **{key: getattr(Item, key)})   # its default


def _number(form: dict[str, str], key: str, count: int, what: str) -> int:
    raw = form.get(key, "")
    if not raw.isdigit() or not 1 <= int(raw) <= count:
        raise EditError([("", f"there is no {what} {raw[:10]!r} (this picture has {count}); reload the page")])
    return int(raw)


def _again(item: Item) -> str:
    signed = item.review is not None and item.review.signed
    return "Sign off again to publish it." if signed else "Sign off when every flag is resolved."


# action -> (what makes the new text, the one Item field it may change)
ACTIONS = {"add-region": (_add_region, "redact"), "remove-region": (_remove_region, "redact"),
           "cover": (_cover, "redact"), "accept": (_accept, "review"), "consent": (_consent, "consent"),
           "withdraw": (_withdraw, "consent")}

__all__ = ["ACTIONS", "Done", "EditError", "apply", "region_from"]
