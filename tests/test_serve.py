"""`build.py serve`: a real server process, a real watchdog observer, a real HTTP client and browser."""

from __future__ import annotations

import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest
from conftest import BUILD, Project

DEADLINE = 2.0          # the promise: an edit is served within two seconds
STARTUP = 60.0          # the first build (images made) may take longer on a busy machine


class Server:
    """`python build.py serve --port 0` on a project; always stopped by the fixture."""

    def __init__(self, project: Project, *extra: str):
        self.proc = subprocess.Popen([sys.executable, str(BUILD), "serve", "--port", "0", *project.args(), *extra],
                                     cwd=project.root, stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.log: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.url = self._wait_for_url()

    def _read(self) -> None:
        for line in self.proc.stderr:
            self.log.append(line.rstrip("\n"))
            self.lines.put(line)

    def _wait_for_url(self) -> str:
        end = time.monotonic() + STARTUP
        while time.monotonic() < end:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            found = re.search(r"at (http://127\.0\.0\.1:\d+/) ", line)
            if found:
                return found.group(1)
        raise AssertionError("the server did not start:\n" + "\n".join(self.log))

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=5) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8")

    def wait_for(self, path: str, predicate, deadline: float = DEADLINE) -> str:
        """The page once predicate(page) holds; fails after `deadline` seconds."""
        end = time.monotonic() + deadline
        while True:
            status, page = self.get(path)
            if predicate(page):
                return page
            if time.monotonic() > end:
                raise AssertionError(f"not served within {deadline} s ({status}):\n{page[-2000:]}\n---\n"
                                     + "\n".join(self.log))
            time.sleep(0.05)

    def wait_log(self, text: str, deadline: float = DEADLINE) -> None:
        """Wait until the terminal shows a line containing text."""
        end = time.monotonic() + deadline
        while not any(text in line for line in self.log):
            if time.monotonic() > end:
                raise AssertionError(f"{text!r} not in the terminal output:\n" + "\n".join(self.log))
            time.sleep(0.05)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


@pytest.fixture
def serve(project):
    servers: list[Server] = []

    def start(*extra: str) -> Server:
        servers.append(Server(project, *extra))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def test_edit_break_and_fix_a_caption_while_serving(project, serve):
    project.item("lw01-day", caption="First words.")
    server = serve()
    page = server.wait_for("items/lw01-day.html", lambda p: "First words." in p)
    assert re.search(r'<script src="/__reload\.js\?g=\d+"></script>\s*</body>', page)
    on_disk = (project.out / "items" / "lw01-day.html").read_text()
    assert "__reload" not in on_disk and "<script>" not in on_disk      # never written into site/
    assert "First words." in on_disk
    assert "location.reload" in server.get("__reload.js")[1]

    project.caption("lw01-day", caption="Second words.")                 # edit: served within 2 s
    server.wait_for("items/lw01-day.html", lambda p: "Second words." in p)

    project.caption("lw01-day", caption="Third words.", extra="titel: Oops\n")   # break it
    page = server.wait_for("items/lw01-day.html", lambda p: "gallery-preview-error" in p)
    assert "The gallery could not be rebuilt" in page
    assert "captions/lw01-day.yaml:15: unknown key &#x27;titel&#x27; (did you mean &#x27;title&#x27;?)" in page
    assert "Second words." in page and "Third words." not in page       # the last good build stays
    assert "Second words." in (project.out / "items" / "lw01-day.html").read_text()
    server.wait_log("captions/lw01-day.yaml:15: unknown key 'titel'")    # and in the terminal

    project.caption("lw01-day", caption="Fourth words.")                 # fix it: the page is back
    # The new page is on disk a moment before the server learns the build succeeded (the swap
    # happens inside the build); the reload script only reloads once it has, so wait for both.
    page = server.wait_for("items/lw01-day.html",
                           lambda p: "Fourth words." in p and "gallery-preview-error" not in p)
    assert server.proc.poll() is None                                    # the errors did not stop it

    assert server.stop() == 0                                            # Ctrl-C stops cleanly
    assert server.log[-1] == "Stopped the preview server."


def test_drafts_are_marked_and_never_written_to_site(project, serve):
    project.item("lw01-day", caption="Published words.")
    project.item("lw02-day", participant="LW02", caption="Draft words.", publish="false")
    project.item("lw03-day", participant="LW03", caption="Withdrawn words.",
                 extra="")
    path = project.captions / "lw03-day.yaml"
    path.write_text(path.read_text().replace("  date: 2024-05-01\n", "  date: 2024-05-01\n  withdrawn: 2024-09-01\n"))
    server = serve("--drafts")
    page = server.wait_for("items/lw02-day.html", lambda p: "Draft words." in p)
    assert "DRAFT — not published" in page
    assert "Preview with drafts" in page
    home = server.get("index.html")[1]
    assert "DRAFT — not published: " in home
    assert server.get("items/lw03-day.html")[0] == 404                   # withdrawn: not even as a draft
    assert "Withdrawn words." not in home
    preview = project.options().workspace / "preview"
    assert (preview / "items" / "lw02-day.html").is_file()
    assert not project.out.exists()                                      # site/ untouched
    assert not project.report.exists()                                   # a preview is not a build record


def test_a_port_in_use_is_a_usage_error(project, serve):
    project.item("lw01-day")
    first = serve()
    port = first.url.rsplit(":", 1)[1].strip("/")
    second = subprocess.run([sys.executable, str(BUILD), "serve", "--port", port, *project.args()],
                            cwd=project.root, capture_output=True, text=True, timeout=60)
    assert second.returncode == 2
    assert second.stderr.splitlines()[-1] == (f"port {port} is already in use; stop the other server or choose "
                                              "another with --port N")


def test_the_browser_reloads_by_itself(project, serve, browser):
    project.item("lw01-day", caption="Before the edit.")
    server = serve()
    page = browser.new_page()
    try:
        page.goto(server.url + "items/lw01-day.html")
        page.wait_for_selector("text=Before the edit.")
        project.caption("lw01-day", caption="After the edit.")
        page.wait_for_selector("text=After the edit.", timeout=DEADLINE * 1000)
        project.caption("lw01-day", caption="Broken.", extra="titel: x\n")
        overlay = page.wait_for_selector("#gallery-preview-error", timeout=DEADLINE * 1000)
        assert overlay.is_visible()
        assert "unknown key 'titel'" in overlay.inner_text()
    finally:
        page.close()


def test_a_build_beside_an_idle_serve_runs_at_once(project, serve):
    """serve holds the build lock for each rebuild, never for the whole session: a build in
    another terminal does not wait for the server to stop."""
    project.item("lw01-day", caption="First words.")
    server = serve()
    server.wait_for("items/lw01-day.html", lambda p: "First words." in p)
    project.caption("lw01-day", caption="Second words.")
    server.wait_for("items/lw01-day.html", lambda p: "Second words." in p)
    project.build(env={"GALLERY_LOCK_WAIT": "10"})   # exit 4 if serve held the lock for its session
    assert server.proc.poll() is None


def raw_request(server: Server, request: bytes) -> tuple[int, str]:
    """Send request as written (any Host header, or none) to the server; (status, body)."""
    import socket
    port = int(server.url.rsplit(":", 1)[1].strip("/"))
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body.decode("utf-8", "replace")


@pytest.mark.parametrize("drafts", [True, False])
def test_serve_answers_only_its_own_host_name(project, serve, drafts):
    """DNS rebinding: a page on another site, its name pointed at 127.0.0.1, must not read the preview."""
    project.item("lw01-day", caption="Published words.")
    project.item("lw02-day", participant="LW02", caption="Draft words.", publish="false")
    server = serve(*(["--drafts"] if drafts else []))
    wanted = "Draft words." if drafts else "Published words."
    page = "items/lw02-day.html" if drafts else "items/lw01-day.html"
    server.wait_for(page, lambda p: wanted in p)
    port = server.url.rsplit(":", 1)[1].strip("/")
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}"):
        request = f"GET /{page} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        status, body = raw_request(server, request.encode())
        assert (status, wanted in body) == (200, True), host
    foreign = [f"Host: evil.example:{port}\r\n", "Host: evil.example\r\n", f"Host: 127.0.0.1:{int(port) + 1}\r\n",
               "Host: 127.0.0.1\r\n", "Host: localhost\r\n", f"Host: [::1]:{port}\r\n", f"Host: 127.0.0.2:{port}\r\n",
               f"Host: localhost.evil.example:{port}\r\n", "",
               f"Host: 127.0.0.1:{port}\r\nHost: evil.example:{port}\r\n"]
    for header in foreign:
        for method in ("GET", "HEAD", "POST"):
            for target in (f"/{page}", "/__status", "/__reload.js", "/"):
                request = f"{method} {target} HTTP/1.1\r\n{header}Connection: close\r\nContent-Length: 0\r\n\r\n"
                status, body = raw_request(server, request.encode())
                assert status == 403, (header, method, target, status)
                assert wanted not in body and "generation" not in body
                if method != "HEAD":
                    assert f"only http://127.0.0.1:{port}/ and http://localhost:{port}/" in body, body
    status, body = raw_request(server, f"GET /{page} HTTP/1.0\r\n\r\n".encode())      # HTTP/1.0, no Host
    assert status == 403 and wanted not in body
