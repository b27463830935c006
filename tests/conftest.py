"""Shared fixtures: tiny real projects (real image bytes, real YAML) in tmp_path."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BUILD = REPO / "build.py"
IN_CI = bool(os.environ.get("CI"))


def require_tool(name: str) -> str:
    """The path of an external tool; skips locally when missing, fails in CI (CI=true)."""
    path = shutil.which(name)
    if path is None:
        if IN_CI:
            pytest.fail(f"{name} is not installed; .ci/run must install it")
        pytest.skip(f"{name} is not installed")
    return path


CAPTION = """\
participant: {participant}
prompt: {prompt}
kind: {kind}
{photo_line}caption: {caption}
{alt_line}consent:
  publish: {publish}
  scope: [web]
  date: 2024-05-01
review:
  by: ST
  date: 2024-05-02
{review_photo}{review_redact}"""
UNSEEN = "sha256:" + "0" * 64     # a review of a photo not written yet (stamped before the CLI runs)
FIXTURE_REVIEW = "  # the test fixture stands in for the reviewer"
STAMPED = re.compile(r"^  photo: sha256:[0-9a-f]{64}" + re.escape(FIXTURE_REVIEW) + "$", re.M)


def photo_ref(path: Path) -> str:
    """A review's record of a photo (gallery/review.py): its SHA-256."""
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else UNSEEN


def stamp_reviews(photos: Path, captions: Path) -> None:
    """Record each photo as reviewed anew in every caption file the fixture wrote a review into (marked
    FIXTURE_REVIEW), as `build.py review` would: the tests written before reviews recorded the photo
    change photos freely. A review without the mark (written by a test, or by the review command)
    is left as it is."""
    if not captions.is_dir():
        return
    for caption in captions.glob("*.yaml"):
        if not caption.is_file():         # a folder or a named pipe a test made: never opened
            continue
        try:
            text = caption.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        name = re.search(r"^photo: (.+)$", text, re.M)
        if name and STAMPED.search(text):
            ref = photo_ref(photos / name.group(1))
            new = STAMPED.sub(f"  photo: {ref}{FIXTURE_REVIEW}", text)
            if new != text:
                caption.write_text(new, encoding="utf-8")


def reviewed_regions(extra: str) -> str:
    """The review's record of the redact regions an extra text adds (a reviewer saw them)."""
    import yaml
    try:
        data = yaml.safe_load(extra)
    except yaml.YAMLError:
        return ""
    regions = data.get("redact") if isinstance(data, dict) else None
    return f"  redact: {[[float(v) for v in r] for r in regions]}\n" if isinstance(regions, list) and all(
        isinstance(r, list) and all(isinstance(v, (int, float)) for v in r) for r in regions) else ""


# A project's own settings: the address and contact a published site needs (check warns without them)
DEFAULT_CONFIG = """\
title: Test gallery
base_url: https://www.example.ac.uk/test-gallery/
contact: gallery-team@example.ac.uk
"""


class Project:
    """A throwaway gallery project: photos/, captions/, gallery.yaml, templates/, site/."""

    def __init__(self, root: Path):
        self.root = root
        self.photos = root / "photos"
        self.captions = root / "captions"
        self.templates = root / "templates"
        self.config = root / "gallery.yaml"
        self.out = root / "site"
        for folder in (self.photos, self.captions, self.templates):
            folder.mkdir(parents=True, exist_ok=True)
        if not self.config.exists():   # its own settings, never the repository's demo gallery.yaml
            self.config.write_text(DEFAULT_CONFIG, encoding="utf-8")

    def photo(self, name: str, size=(1200, 900), colour=(180, 120, 60), fmt=None, **save) -> Path:
        from PIL import Image
        path = self.photos / name
        im = Image.new("RGB", size, colour)
        if min(size) >= 16:     # each name its own picture: one picture under two names is an error (photoid.py)
            import zlib
            block = zlib.crc32(name.encode()) % ((size[0] // 8) * (size[1] // 8))
            x, y = block % (size[0] // 8) * 8, block // (size[0] // 8) * 8
            im.paste(tuple((c + 64) % 256 for c in colour), (x, y, x + 8, y + 8))
        im.save(path, format=fmt, **save)
        stamp_reviews(self.photos, self.captions)
        return path

    def caption(self, item_id: str, *, participant="LW01", prompt="typical-day", kind="original",
                photo: str | None = "", caption="My working day.", alt="A desk with a laptop and papers.",
                publish="true", extra: str = "") -> Path:
        if photo == "":
            photo = f"{item_id}.jpg"
        text = CAPTION.format(
            participant=participant, prompt=prompt, kind=kind, caption=caption, publish=publish,
            photo_line=f"photo: {photo}\n" if photo else "",
            alt_line=f"alt: {alt}\n" if alt else "",
            review_photo=f"  photo: {photo_ref(self.photos / photo)}{FIXTURE_REVIEW}\n"
            if photo and kind not in ("reported", "R", "r") else "",
            review_redact=reviewed_regions(textwrap.dedent(extra)),
        ) + textwrap.dedent(extra)
        path = self.captions / f"{item_id}.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    def item(self, item_id: str, **kw) -> Path:
        """A photo plus its caption, published."""
        self.photo(f"{item_id}.jpg")
        return self.caption(item_id, **kw)

    def args(self, *extra: str) -> list[str]:
        return ["--photos", str(self.photos), "--captions", str(self.captions), "--config", str(self.config),
                "--templates", str(self.templates), "--out", str(self.out), *extra]

    def build(self, *extra: str, check: bool = True, env: dict[str, str] | None = None
              ) -> subprocess.CompletedProcess:
        """Run the real command line, as a user would (env: variables to add to the environment)."""
        result = run_cli("build", *self.args(*extra), cwd=self.root, env=env)
        if check and result.returncode != 0:
            raise AssertionError(f"build failed ({result.returncode}):\n{result.stderr}")
        return result

    @property
    def cache(self) -> Path:
        """The build's cache folder for this output (in the project's own .gallery/)."""
        return self.options().cache

    @property
    def report(self) -> Path:
        """The JSON build report for this output (in the project's own .gallery/)."""
        return self.options().workspace / "build-report.json"

    def options(self):
        stamp_reviews(self.photos, self.captions)
        from gallery.options import options_for
        return options_for(REPO, photos=self.photos, captions=self.captions, config=self.config,
                           templates=self.templates, out=self.out)

    def tree(self) -> dict[str, bytes]:
        """Every file of the built site: {relative path: bytes}."""
        return {str(p.relative_to(self.out)): p.read_bytes() for p in sorted(self.out.rglob("*")) if p.is_file()}


def start_paused(args: list[str], cwd: Path, pauses: Path, label: str) -> subprocess.Popen:
    """build.py args started with GALLERY_TEST_PAUSE=pauses, returned once it waits at the pause point
    label (every other pause point it reaches first, such as the photos read, goes on)."""
    import time
    pauses.mkdir(exist_ok=True)
    proc = subprocess.Popen([sys.executable, str(BUILD), *args], cwd=cwd,
                            env={**os.environ, "GALLERY_TEST_PAUSE": str(pauses)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not (pauses / f"{label}.paused").exists() and time.monotonic() < deadline and proc.poll() is None:
        for waiting in pauses.glob("*.paused"):
            if waiting.stem != label:
                (pauses / f"{waiting.stem}.go").touch()
        time.sleep(0.02)
    assert (pauses / f"{label}.paused").exists(), proc.communicate()
    return proc


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 120, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess:
    if "--captions" in args and "--photos" in args:      # a Project's: its fixture reviews see its photos now
        stamp_reviews(Path(args[args.index("--photos") + 1]), Path(args[args.index("--captions") + 1]))
    return subprocess.run([sys.executable, str(BUILD), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **env} if env else None)


NO_RACY_WINDOW = {"GALLERY_RACY_SECONDS": "0"}   # a file just written may be remembered by its stat at once


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path / "proj")


def copy_of(built: Path, tmp_path: Path) -> Project:
    """A test's own copy of a project a module built once (copying is faster than building again)."""
    root = tmp_path / "proj"
    shutil.copytree(built, root, symlinks=True)
    return Project(root)


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-default-apps", "--disable-extensions"]


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the whole session, driven by Playwright.

    Playwright's sync API allows one instance per process, so every browser test shares this one.
    """
    chromium = require_tool("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if IN_CI:
            pytest.fail("playwright is not installed; run ./tests/setup.sh")
        pytest.skip("playwright is not installed")
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


# A sitecustomize.py for a Python that cannot import the modules named in GALLERY_TEST_BLOCKED
# (comma-separated), as if they were not installed: tests of the missing-dependency messages.
BLOCKER = '''
import os, sys
BLOCKED = set(os.environ["GALLERY_TEST_BLOCKED"].split(","))
class Blocked:
    """This Python cannot import the blocked modules, as if they were not installed."""
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, Blocked())
'''
