"""The desk's pages and forms, answered for `serve` (watch.PreviewHandler hands it every /_desk/ request).

Security, because these forms write files: the preview answers only 127.0.0.1 (and refuses a Host
that is not 127.0.0.1:PORT or localhost:PORT before anything runs: watch.py); every change is a
POST whose body is size-limited, form-encoded, from no other Origin, and carries this run's random
token (embedded in the page, never a cookie); an item id is only ever the name of a caption file
the survey found in captions/; and edits.py writes only that file, atomically.
"""

from __future__ import annotations

import datetime as dt
import hmac
import io
import logging
import re
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .. import output
from ..config import SiteConfig
from ..errors import GalleryError
from ..options import BuildOptions
from . import edits, pictures
from .survey import STATES, Row, Survey, percent, survey, version

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
MAX_BODY = 16 * 1024
STATIC = {"desk.css": "text/css; charset=utf-8", "desk.js": "text/javascript; charset=utf-8",
          "favicon.svg": "image/svg+xml"}
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' blob:; style-src 'self' 'unsafe-inline'; "
                               "script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",                   # no-referrer would make a form's Origin "null"
    "Cross-Origin-Resource-Policy": "same-origin",      # no page of another site shows a desk picture
}
ITEM = re.compile(r"/_desk/item/([^/]+)")
PICTURE = re.compile(r"/_desk/picture/([^/]+)")


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


class Desk:
    """The review desk of one `serve` run (one token, one write at a time)."""

    def __init__(self, options: BuildOptions, port: int, token: str | None = None):
        self.options = options
        self.port = port
        self.token = token or secrets.token_urlsafe(32)
        self.writing = threading.Lock()
        self.notices: dict[str, str] = {}      # what a form did, by a random key the redirect carries
        self.env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True,
                               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        self.env.globals.update(token=self.token, states=STATES, percent=percent)

    # ---- GET ----------------------------------------------------------------------------------

    def get(self, target: str) -> Reply:
        split = urlsplit(target)
        path, query = split.path, parse_qs(split.query)
        if path in ("/_desk", "/_desk/"):
            return self._safely(lambda: self.list_page(query))
        if path.startswith("/_desk/static/") and path.rsplit("/", 1)[1] in STATIC:
            name = path.rsplit("/", 1)[1]
            return Reply(200, (HERE / "static" / name).read_bytes(), STATIC[name])
        if m := ITEM.fullmatch(path):
            return self._safely(lambda: self.item_page(m.group(1), query))
        if m := PICTURE.fullmatch(path):
            return self._safely(lambda: self.picture(m.group(1), query.get("as") == ["published"]))
        return self.not_found("There is no such page on the desk.")

    def list_page(self, query: dict[str, list[str]]) -> Reply:
        found = survey(self.options)
        chosen = {key: (query.get(key) or [""])[0] for key in ("state", "prompt", "participant")}
        valid = {"state": set(STATES), "prompt": {p.id for p in found.config.prompts},
                 "participant": {r.item.participant for r in found.rows if r.item}}
        chosen = {k: v if v in valid[k] else "" for k, v in chosen.items()}
        rows = [r for r in found.rows if _matches(r, chosen)]
        self._prune(found)
        return self.page("list.html", survey=found, rows=rows, chosen=chosen,
                         participants=sorted(valid["participant"]), title="Review desk")

    def item_page(self, item_id: str, query: dict[str, list[str]], status: int = 200,
                  errors: list[tuple[str, str]] | None = None, form: dict[str, str] | None = None) -> Reply:
        found = survey(self.options, thorough=False)
        row = found.row(item_id)
        if row is None:
            return self.not_found(f"There is no item '{item_id[:80]}': no caption file of that name in the "
                                  "captions folder.")
        raw = row.source.read_bytes()
        shown, problem = self._shown(row, found.config)
        notice = self.notices.get((query.get("done") or [""])[0], "")   # never text from the address
        return self.page("item.html", status=status, survey=found, row=row, item=row.item, version=version(raw),
                         picture=shown, picture_problem=problem, errors=errors or [], form=form or {},
                         notice=notice, removes=self._removes(row), today=dt.date.today().isoformat(),
                         title=f"{item_id}: review desk")

    def picture(self, item_id: str, redacted: bool) -> Reply:
        found = survey(self.options, thorough=False)
        row = found.row(item_id)
        if row is None or row.item is None or row.item.photo is None or row.item.consent.withdrawn is not None:
            return self.not_found("There is no picture of that name.")     # a withdrawn one is never shown
        try:
            data = pictures.picture(row.item.photo, self.options.photos, self.options.cache, found.config.images,
                                    row.item.redact, redacted)
        except pictures.ImageError as exc:
            return Reply(422, f"The photo cannot be shown: {exc}".encode(), "text/plain; charset=utf-8")
        return Reply(200, data, "image/jpeg")

    # ---- POST ---------------------------------------------------------------------------------

    def post(self, target: str, headers: dict[str, str], body: bytes | None) -> Reply:
        """A form sent to the desk; body None: it was larger than MAX_BODY (not read)."""
        origin = headers.get("origin")
        allowed = {f"http://127.0.0.1:{self.port}", f"http://localhost:{self.port}"}
        if origin is not None and origin not in allowed:
            return self.refused(403, "This form came from another site, so the desk did nothing.")
        if headers.get("content-type", "").split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
            return self.refused(415, "The desk takes only its own forms; nothing was changed.")
        if body is None:
            return self.refused(413, f"The form was larger than {MAX_BODY // 1024} KB; nothing was changed.")
        try:
            fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=40, strict_parsing=False)
        except (UnicodeDecodeError, ValueError):
            return self.refused(400, "The form could not be read; nothing was changed. Reload the page.")
        form = {k: v[0] for k, v in fields.items() if len(v) == 1}
        if not hmac.compare_digest(form.get("token", "").encode(), self.token.encode()):
            return self.refused(403, "The form did not carry this desk's token (it is new each time serve starts); "
                                     "nothing was changed. Reload the page and try again.")
        m = ITEM.fullmatch(urlsplit(target).path)
        if m is None:
            return self.not_found("There is no such form on the desk.")
        return self._safely(lambda: self._edit(m.group(1), form))

    def _edit(self, item_id: str, form: dict[str, str]) -> Reply:
        with self.writing:
            found = survey(self.options, thorough=False)
            row = found.row(item_id)
            if row is None:
                return self.not_found(f"There is no item '{item_id[:80]}'.")
            try:
                done = edits.apply(form.get("action", ""), form, row, self.options, found.config, found.screening,
                                   dt.date.today())
            except edits.EditError as exc:
                return self.item_page(item_id, {}, exc.status, exc.fields, form)
        if form.get("action") == "withdraw":
            self._prune(survey(self.options, thorough=False))
        key = secrets.token_urlsafe(8)
        self.notices[key] = done.notice
        while len(self.notices) > 100:
            self.notices.pop(next(iter(self.notices)))
        return Reply(303, b"", headers={"Location": f"/_desk/item/{item_id}?done={key}#notice"})

    # ---- pages --------------------------------------------------------------------------------

    def page(self, template: str, status: int = 200, **context) -> Reply:
        html = self.env.get_template(template).render(**context)
        return Reply(status, html.encode("utf-8"))

    def not_found(self, message: str) -> Reply:
        return self.refused(404, message)

    def refused(self, status: int, message: str) -> Reply:
        return self.page("message.html", status=status, title="Review desk: not done", message=message)

    def _safely(self, make) -> Reply:
        try:
            return make()
        except GalleryError as exc:     # settings that cannot be read, an output folder that is not safe
            return self.page("message.html", status=500, title="Review desk: the project has errors",
                             message="The desk cannot read the project: " + " ".join(exc.lines()))
        except Exception as exc:        # a bug must not stop the preview: said on the page and in the terminal
            log.exception("The review desk failed")
            return self.page("message.html", status=500, title="Review desk: something went wrong",
                             message=f"The desk failed ({type(exc).__name__}); the terminal shows the details. "
                                     "Nothing was written unless the page said so.")

    def _shown(self, row: Row, config: SiteConfig) -> tuple[dict | None, str | None]:
        """The picture's address and size for the page, or why it cannot be shown."""
        item = row.item
        if item is None or item.photo is None or item.consent.withdrawn is not None:
            return None, None
        try:
            data = pictures.picture(item.photo, self.options.photos, self.options.cache, config.images)
        except pictures.ImageError as exc:
            return None, f"photo '{item.photo_name}' {exc}"
        from PIL import Image
        with Image.open(io.BytesIO(data)) as im:
            width, height = im.size
        regions = version(repr(item.redact).encode())[:12]
        return {"src": f"/_desk/picture/{item.id}?v={version(data)[:12]}", "width": width, "height": height,
                "published": f"/_desk/picture/{item.id}?as=published&v={regions}"}, None

    def _removes(self, row: Row) -> list[str]:
        """The files of the last build that withdrawing the item removes."""
        if not self.options.out.is_dir():
            return []
        own = re.compile(rf"{re.escape(row.id)}(-[0-9a-f]+-\d+)?\.[a-z]+")   # its page, its images
        return [f for f in output.read_manifest(self.options.out) if own.fullmatch(Path(f).name)]

    def _prune(self, found: Survey) -> None:
        """The desk's pictures of photos that no item shows any more are deleted (withdrawn ones)."""
        pictures.prune(self.options.cache, {r.digest for r in found.rows if r.digest is not None and r.item is not None
                                            and r.item.consent.withdrawn is None})


def _matches(row: Row, chosen: dict[str, str]) -> bool:
    item = row.item
    return (not chosen["state"] or row.state == chosen["state"]) and \
        (not chosen["prompt"] or (item is not None and item.prompt == chosen["prompt"])) and \
        (not chosen["participant"] or (item is not None and item.participant == chosen["participant"]))
