"""Live preview: build, serve on 127.0.0.1, watch the sources, rebuild on change, reload the browser.

The watchdog callback only records that something changed; the main loop waits for a quiet
moment (debounce), rebuilds, and on an error keeps serving the last good build with an overlay
naming the problem. The reload script and the overlay are added to pages as they are served; the
files in the output folder are never changed by the preview. With drafts, unconsented items are
built into a preview folder in the project's own .gallery/ (never into site/, nor beside it) and
marked "DRAFT — not published".
"""

from __future__ import annotations

import dataclasses
import errno
import functools
import html
import json
import logging
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from .desk.server import HEADERS as DESK_HEADERS
from .desk.server import MAX_BODY, Desk, Reply
from .errors import CleanupError, GalleryError, UsageError, display_path

if TYPE_CHECKING:  # pragma: no cover
    from .options import BuildOptions

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
DEBOUNCE = 0.1           # seconds without changes before a rebuild starts
WATCHED_EVENTS = ("created", "deleted", "modified", "moved")
IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".tmp", ".part", ".crdownload")

RELOAD_JS = b"""// Added by `build.py serve` only; never part of the built site.
(function () {
  var seen = new URL(document.currentScript.src).searchParams.get("g");
  function poll() {
    fetch("/__status", {cache: "no-store"})
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (String(s.generation) !== seen) { location.reload(); } else { setTimeout(poll, 200); }
      })
      .catch(function () { setTimeout(poll, 1000); });
  }
  setTimeout(poll, 200);
})();
"""

OVERLAY_CSS = b"""/* Added by `build.py serve` only; never part of the built site. */
.gallery-preview-error { position: fixed; inset: 0; z-index: 2147483647; overflow: auto; margin: 0;
  padding: 2rem; background: rgba(20, 20, 20, 0.94); color: #fff; font: 1rem/1.5 system-ui, sans-serif; }
.gallery-preview-error h2 { margin-top: 0; color: #ffb4a8; font-size: 1.5rem; }
.gallery-preview-error pre { white-space: pre-wrap; background: #000; color: #ffdede; padding: 1rem;
  border-left: 4px solid #ff6b57; font: 0.95rem/1.5 ui-monospace, monospace; }
.gallery-preview-drafts { position: sticky; bottom: 0; z-index: 2147483646; margin: 0; padding: 0.5rem 1rem;
  background: #7a1f00; color: #fff; font: bold 1rem/1.4 system-ui, sans-serif; text-align: center; }
"""

NO_SITE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Gallery preview</title></head>
<body><h1>Gallery preview</h1><p>There is no successful build to show yet.</p></body></html>
"""


# ---- build state --------------------------------------------------------------------------------

class BuildState:
    """The generation of the last build and its error lines (None when it succeeded); thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.generation = 0
        self.errors: list[str] | None = None

    def record(self, errors: list[str] | None) -> None:
        with self._lock:
            self.generation += 1
            self.errors = errors

    def snapshot(self) -> tuple[int, list[str] | None]:
        with self._lock:
            return self.generation, self.errors


def rebuild(options: BuildOptions, state: BuildState) -> None:
    """Build once; report an error in the terminal and in the browser, never stop on it."""
    from . import lock, report, site
    try:
        with lock.hold(options.private, "serve"):   # per rebuild, never for the whole session
            result = site.build(options)
    except GalleryError as exc:
        lines = exc.lines()
        for line in lines:
            log.error("%s", line)
        if isinstance(exc, CleanupError):      # the new build is live; only tidying up failed
            log.error("The preview shows the new build; fix the problem above.")
            if exc.removed:
                report.print_removal_checklist(list(exc.removed), options)
        else:
            log.error("The preview keeps showing the last good build until this is fixed.")
        state.record(lines)
        return
    except Exception as exc:  # a bug must not stop the preview either
        log.exception("The build failed unexpectedly")
        state.record([f"the build failed unexpectedly ({type(exc).__name__}: {exc}); see the terminal"])
        return
    state.record(None)                         # first: the new build is already being served
    report.print_build(result, options, result.record)


# ---- watching -----------------------------------------------------------------------------------

class ChangeRecorder(FileSystemEventHandler):
    """The watchdog callback: only records that a relevant file changed."""

    def __init__(self, folders: list[Path], files: list[Path]):
        super().__init__()
        self.folders = [f.resolve() for f in folders]
        self.files = {f.resolve() for f in files}
        self.changed = threading.Event()
        self.last = 0.0

    def relevant(self, name: str | bytes) -> bool:
        path = Path(name.decode() if isinstance(name, bytes) else name)
        if path.name.startswith(".") or path.name.endswith(IGNORED_SUFFIXES):
            return False
        resolved = path.resolve()
        return resolved in self.files or any(f == resolved or f in resolved.parents for f in self.folders)

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in WATCHED_EVENTS:
            return
        paths = [event.src_path] + ([event.dest_path] if getattr(event, "dest_path", "") else [])
        if any(self.relevant(p) for p in paths):
            self.last = time.monotonic()
            self.changed.set()

    def wait_for_change(self, timeout: float) -> bool:
        """True once a change has been followed by DEBOUNCE seconds of quiet; False on timeout."""
        if not self.changed.wait(timeout):
            return False
        while True:
            self.changed.clear()
            remaining = DEBOUNCE - (time.monotonic() - self.last)
            if remaining > 0:
                time.sleep(remaining)
            if not self.changed.is_set():
                return True


def watched(options: BuildOptions) -> tuple[list[Path], list[Path]]:
    """The folders (recursively) and single files whose changes trigger a rebuild."""
    folders = [p for p in (options.photos, options.captions, options.templates) if p.is_dir()]
    return folders, [options.config]


def start_observer(recorder: ChangeRecorder) -> BaseObserver:
    observer = Observer()
    for folder in recorder.folders:
        observer.schedule(recorder, str(folder), recursive=True)
    for parent in {f.parent for f in recorder.files if f.parent.is_dir()}:
        observer.schedule(recorder, str(parent), recursive=False)
    observer.daemon = True
    observer.start()
    return observer


# ---- serving ------------------------------------------------------------------------------------

class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, folder: Path, state: BuildState, drafts: bool, site_label: str):
        self.folder = folder
        self.state = state
        self.drafts = drafts
        self.site_label = site_label
        self.desk: Desk | None = None         # the review desk at /_desk/ (set once the port is known)
        super().__init__((HOST, port), functools.partial(PreviewHandler, directory=str(folder)))


class PreviewHandler(SimpleHTTPRequestHandler):
    server: PreviewServer

    def parse_request(self) -> bool:
        """Refuse, before any method runs, a request not addressed to this server by its own name: a page
        on another site whose name is pointed at 127.0.0.1 (DNS rebinding) must not read the preview."""
        if not super().parse_request():
            return False
        port = self.server.server_address[1]
        allowed = {f"{HOST}:{port}", f"localhost:{port}"}
        hosts = self.headers.get_all("Host") or []
        if len(hosts) == 1 and hosts[0].strip().lower() in allowed:
            return True
        asked = ", ".join(repr(host[:80]) for host in hosts) or "no host"
        body = (f"403 Forbidden: this preview answers only http://{HOST}:{port}/ and http://localhost:{port}/, "
                f"and this request was addressed to {asked}. A page on another site must not read the preview; "
                f"open http://{HOST}:{port}/ instead.\n").encode()
        self.close_connection = True
        self.send_response(HTTPStatus.FORBIDDEN)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return False

    def _desk(self) -> Desk | None:
        """The review desk, when the request is one of its pages."""
        path = urlsplit(self.path).path
        return self.server.desk if path == "/_desk" or path.startswith("/_desk/") else None

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if desk := self._desk():
            return self._reply(desk.get(self.path))
        path = urlsplit(self.path).path
        special = {"/__reload.js": (RELOAD_JS, "text/javascript; charset=utf-8"),
                   "/__overlay.css": (OVERLAY_CSS, "text/css; charset=utf-8")}
        if path in special:
            return self._send(HTTPStatus.OK, *special[path])
        if path == "/__status":
            generation, errors = self.server.state.snapshot()
            body = json.dumps({"generation": generation, "errors": errors}).encode()
            return self._send(HTTPStatus.OK, body, "application/json")
        target = Path(self.translate_path(self.path))
        if target.is_dir():
            if not path.endswith("/"):
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", path + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            target = target / "index.html"
        if target.is_file() and target.suffix == ".html":
            return self._send_page(HTTPStatus.OK, target.read_bytes())
        if target.is_file():
            return super().do_GET()
        missing = self.server.folder / "404.html"
        page = missing.read_bytes() if missing.is_file() else NO_SITE.encode()
        return self._send_page(HTTPStatus.NOT_FOUND, page)

    def do_HEAD(self) -> None:  # noqa: N802 (http.server's naming)
        if desk := self._desk():
            return self._reply(desk.get(self.path))
        return super().do_HEAD()

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        """Only the desk's forms are posted; a body over MAX_BODY is not read (and the connection closed)."""
        desk = self.server.desk
        if desk is None or not urlsplit(self.path).path.startswith("/_desk/"):
            return self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"405: only the review desk takes forms\n",
                              "text/plain; charset=utf-8")
        length = self.headers.get("Content-Length", "")
        body = None
        if length.isdigit() and int(length) <= MAX_BODY and "Transfer-Encoding" not in self.headers:
            body = self.rfile.read(int(length))
        else:
            self.close_connection = True
        headers = {k.lower(): v for k, v in self.headers.items()}
        return self._reply(desk.post(self.path, headers, body))

    def _reply(self, reply: Reply) -> None:
        self.send_response(reply.status)
        for name, value in {**DESK_HEADERS, **reply.headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    def _send_page(self, status: HTTPStatus, page: bytes) -> None:
        generation, errors = self.server.state.snapshot()
        extra = decorate(generation, errors, self.server.drafts, self.server.site_label)
        self._send(status, inject(page, extra), "text/html; charset=utf-8")

    def _send(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (http.server's signature)
        log.debug("serve: " + format, *args)


def decorate(generation: int, errors: list[str] | None, drafts: bool, site_label: str) -> str:
    """The markup the preview adds to every served page: overlay, drafts banner, reload script."""
    parts = ['<link rel="stylesheet" href="/__overlay.css">']
    if errors:
        lines = html.escape("\n".join(errors))
        parts.append('<div class="gallery-preview-error" role="alert" id="gallery-preview-error">'
                     "<h2>The gallery could not be rebuilt</h2>"
                     f"<p>Fix the problem below and save the file: this page reloads by itself. Until then "
                     f"{html.escape(site_label)} keeps the last good build.</p>"
                     f"<pre>{lines}</pre></div>")
    if drafts:
        parts.append('<p class="gallery-preview-drafts">Preview with drafts: items marked “DRAFT — not '
                     "published” are not on the public site.</p>")
    parts.append(f'<script src="/__reload.js?g={generation}"></script>')
    return "".join(parts)


def inject(page: bytes, extra: str) -> bytes:
    """Insert extra before </body> (or at the end when there is none)."""
    data = extra.encode("utf-8")
    at = page.lower().rfind(b"</body>")
    return page + data if at < 0 else page[:at] + data + page[at:]


def start_server(port: int, folder: Path, state: BuildState, drafts: bool, site_label: str) -> PreviewServer:
    try:
        server = PreviewServer(port, folder, state, drafts, site_label)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(f"port {port} is already in use; stop the other server or choose another "
                             "with --port N") from None
        raise UsageError(f"cannot serve on {HOST}:{port} ({exc.strerror}); choose another --port") from None
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
    return server


# ---- the command --------------------------------------------------------------------------------

def preview_options(options: BuildOptions) -> BuildOptions:
    """With drafts, build into the project's own folder (options.workspace / "preview"): never into
    the output folder, nor beside it, where a web server publishing its parent would serve drafts."""
    if not options.drafts:
        return options
    return dataclasses.replace(options, out=options.workspace / "preview")


def serve(options: BuildOptions, port: int = 8000, ready: Callable[[str], None] | None = None) -> None:
    """Build, serve and rebuild on every change until interrupted (KeyboardInterrupt propagates)."""
    if options.drafts:       # the site's own build does this too; a drafts preview does not build it
        from . import legacy
        legacy.remove_old_layout(options)
    desk_options = options                 # the desk tells what the site (not the drafts preview) publishes
    options = preview_options(options)
    state = BuildState()
    recorder = ChangeRecorder(*watched(options))
    observer = start_observer(recorder)
    try:
        rebuild(options, state)
        server = start_server(port, options.out, state, options.drafts, display_path(options.out) + "/")
        server.desk = Desk(desk_options, server.server_address[1])
        try:
            url = f"http://{HOST}:{server.server_address[1]}/"
            log.info("Serving %s at %s (Ctrl-C to stop); watching %s for changes.", display_path(options.out),
                     url, ", ".join(display_path(p) for p in recorder.folders + sorted(recorder.files)))
            log.info("The review desk is at %s_desk/ (only on this computer).", url)
            if ready is not None:
                ready(url)
            while True:
                if recorder.wait_for_change(timeout=0.5):
                    log.info("Change detected; rebuilding.")
                    rebuild(options, state)
        finally:
            server.shutdown()
            server.server_close()
    finally:
        observer.stop()
        observer.join(timeout=5)
