"""Damaged images and a broken environment: one message naming the file and what to do, never a
traceback, the previous site untouched. Real files, real worker processes, a real interpreter."""

from __future__ import annotations

import io
import os
import random
import re
import shutil
import signal
import struct
import threading
import time
from pathlib import Path

import pytest
from conftest import BLOCKER, BUILD, REPO, Project, copy_of, run_cli
from PIL import Image

from gallery.audit import check_image
from gallery.images import target_sizes

CAMERA = REPO / "tests" / "data" / "camera"
PHOTO_LINE = 4                          # line of 'photo:' in the conftest caption template
NOTHING = "Nothing was published; site/ is unchanged."
FUZZ_CASES = int(os.environ.get("GALLERY_FUZZ_CASES", "300"))


@pytest.fixture(scope="module")
def built_once(tmp_path_factory) -> Path:
    """A project with two published items and its built site (copied for each test)."""
    project = Project(tmp_path_factory.mktemp("damaged") / "proj")
    for n in (1, 2):
        project.photo(f"lw0{n}-day.jpg", size=(640, 480))
        project.caption(f"lw0{n}-day", participant=f"LW0{n}")
    project.build()
    return project.root


@pytest.fixture
def proj(built_once: Path, tmp_path: Path) -> Project:
    return copy_of(built_once, tmp_path)


def site_files(project: Project) -> dict[str, bytes]:
    return project.tree()


def refused(project: Project, *extra: str, env: dict[str, str] | None = None) -> list[str]:
    """Build; assert exit 1, no traceback, the site unchanged; the lines printed."""
    before = site_files(project)
    result = project.build("-q", *extra, check=False, env=env)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert site_files(project) == before
    return result.stderr.splitlines()


def encoded(fmt: str, size=(96, 64), **save) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (30, 140, 200)).save(buf, fmt, **save)
    return buf.getvalue()


# ---- static files: truncated or garbage images are audit findings ------------------------------------

@pytest.mark.parametrize("ext, fmt", [("png", "PNG"), ("jpg", "JPEG"), ("webp", "WEBP"), ("avif", "AVIF")])
@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_damaged_static_image_is_a_finding_naming_it(proj: Project, ext: str, fmt: str, damage: str):
    data = encoded(fmt)
    if damage == "truncated":
        data = data[:len(data) * 2 // 3]
    else:                                  # the right signature, then noise
        noise = random.Random(ext).randbytes(len(data))
        data = data[:16] + noise[16:]
    static = proj.templates / "static"
    static.mkdir(parents=True, exist_ok=True)
    (static / f"logo.{ext}").write_bytes(data)
    lines = refused(proj)
    findings = [line for line in lines if re.match(rf"site/assets/logo\.[0-9a-f]{{10}}\.{ext}: ", line)]
    assert findings, lines
    assert lines[-2].startswith("privacy audit: ") and lines[-1] == NOTHING, lines


def test_webp_cut_after_its_vp8x_header_is_a_finding():
    """An IndexError in the walker before: the chunk header was there, its flags byte was not."""
    data = encoded("WEBP", lossless=True, exif=Image.Exif().tobytes())
    assert data[12:16] == b"VP8X"
    found = check_image(data[:20], ".webp")
    assert ("WebP chunk VP8X at byte 12", "runs past the end of the file (damaged)") in found


def test_avif_with_a_damaged_property_box_is_a_finding():
    """A struct.error in the walker before: a box inside iprp whose size runs past iprp."""
    data = bytearray(encoded("AVIF"))
    at = data.find(b"ipco")
    data[at - 4:at] = struct.pack(">I", 0x7FFFFFF0)
    found = check_image(bytes(data), ".avif")
    assert any(where.startswith("AVIF box iprp/ipco") and "damaged" in what for where, what in found), found


def test_avif_cut_between_boxes_is_a_finding():
    """Cut right after the meta box: no box runs past the end, but there are no pixels."""
    data = encoded("AVIF")
    cut = data[:data.find(b"mdat") - 4]
    assert check_image(data, ".avif") == []
    assert check_image(cut, ".avif") == [("AVIF", "no image data (no mdat box): the file is truncated or damaged")]


def fuzz_samples() -> list[tuple[str, bytes, bool]]:
    """Real bytes to damage: (suffix, bytes, published by us and so clean)."""
    samples = [(".jpg", encoded("JPEG", (200, 150)), True), (".webp", encoded("WEBP", (200, 150)), True),
               (".webp", encoded("WEBP", (64, 48), lossless=True), True), (".avif", encoded("AVIF"), True),
               (".png", encoded("PNG"), True)]
    samples += [(p.suffix, p.read_bytes(), False) for p in sorted(CAMERA.iterdir())
                if p.suffix in (".jpg", ".png", ".webp", ".avif")]
    return samples


def test_container_walkers_on_damaged_bytes_return_findings_never_raise():
    """Seeded: random truncations and byte changes of real JPEG, PNG, WebP and AVIF bytes (camera
    files and the generator's own output). Every truncation of a clean file is a finding."""
    samples = fuzz_samples()
    rng = random.Random(20261201)
    truncations = 0
    for case in range(FUZZ_CASES * 10):
        suffix, data, clean = samples[case % len(samples)]
        if clean:
            assert check_image(data, suffix) == [], suffix
        if rng.random() < 0.5:
            damaged, truncations = data[:rng.randrange(len(data))], truncations + 1
        else:
            buf = bytearray(data)
            for _ in range(rng.choice((1, 2, 4, 16))):
                buf[rng.randrange(len(buf))] = rng.randrange(256)
            damaged = bytes(buf)
        found = check_image(damaged, suffix)
        assert all(isinstance(w, str) and isinstance(m, str) for w, m in found), (case, found)
        if clean and len(damaged) < len(data):
            assert found, f"case {case}: {suffix} cut to {len(damaged)} of {len(data)} bytes passed the audit"
    assert truncations > FUZZ_CASES


# ---- an image worker killed by the operating system ----------------------------------------------------

def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(p) for p in task.read_text().split()]
        except OSError:
            pass
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""


def rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
    return int(match.group(1)) / 1024 if match else 0.0


class OomKiller(threading.Thread):
    """What the kernel's out-of-memory killer does, for real: SIGKILL to any image worker of the
    build (a child of the build process) whose resident memory passes a limit."""

    def __init__(self, limit_mb: float):
        super().__init__(daemon=True)
        self.limit_mb, self.killed, self.done = limit_mb, [], threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            for build in children(os.getpid()):
                for worker in children(build) if str(BUILD) in cmdline(build) else ():
                    if rss_mb(worker) > self.limit_mb:
                        try:
                            os.kill(worker, signal.SIGKILL)
                            self.killed.append(worker)
                        except ProcessLookupError:
                            pass
            time.sleep(0.005)


def no_screening(proj: Project) -> None:
    """The screen off: its workers hold ~390 MB at their peak (the models and their buffers), more than
    the 300 MB at which these tests' OomKiller kills an image worker."""
    proj.config.write_text("title: Test gallery\nscreening: {faces: false, text: false}\n")


def test_worker_killed_for_lack_of_memory_names_the_photo(proj: Project):
    """A photo that decompresses to ~400 MB: its worker is killed (twice: once in the pool, once
    when it is made again alone); the message names it and the setting; exit 1; site untouched."""
    big = proj.photos / "lw03-day.png"
    Image.new("RGB", (10000, 10000), (90, 90, 90)).save(big, compress_level=1)
    proj.caption("lw03-day", participant="LW03", photo="lw03-day.png")
    no_screening(proj)
    for n in (4, 5):                                   # others, made alongside it
        proj.item(f"lw0{n}-day", participant=f"LW0{n}")
    killer = OomKiller(limit_mb=300)
    killer.start()
    try:
        lines = refused(proj, "--jobs", "2")
    finally:
        killer.done.set()
        killer.join()
    assert len(killer.killed) >= 2, ("the worker was not killed twice: the test proves nothing", killer.killed, lines)
    assert lines == [
        f"captions/lw03-day.yaml:{PHOTO_LINE}: photo 'lw03-day.png' could not be made into images: the operating "
        "system killed the process decoding it, most likely for lack of memory (it is 10000x10000 = "
        "100,000,000 pixels); resize the photo, or lower images.max_pixels in gallery.yaml (now 250,000,000) "
        "so that photos this large are refused", NOTHING], lines


def test_a_single_photo_killed_for_lack_of_memory_is_named_too(proj: Project):
    """The usual case: one huge photo added and built on its own. It is made in a process of its
    own too, never in the build's, so the build survives the kill and names the photo."""
    big = proj.photos / "lw03-day.png"
    Image.new("RGB", (10000, 10000), (90, 90, 90)).save(big, compress_level=1)
    proj.caption("lw03-day", participant="LW03", photo="lw03-day.png")
    killer = OomKiller(limit_mb=300)
    killer.start()
    try:
        lines = refused(proj)
    finally:
        killer.done.set()
        killer.join()
    assert killer.killed, ("no worker was killed: the test proves nothing", lines)
    assert lines[0].startswith(f"captions/lw03-day.yaml:{PHOTO_LINE}: photo 'lw03-day.png' could not be made "
                               "into images: the operating system killed the process decoding it"), lines
    assert lines[-1] == NOTHING


# ---- a Python without the dependencies ---------------------------------------------------------------



def without(tmp_path: Path, *modules: str) -> dict[str, str]:
    """Environment variables for a real interpreter that cannot import the given modules."""
    shim = tmp_path / "shim"
    shim.mkdir(exist_ok=True)
    (shim / "sitecustomize.py").write_text(BLOCKER)
    return {"PYTHONPATH": str(shim), "GALLERY_TEST_BLOCKED": ",".join(modules)}


def missing(module: str, package: str) -> str:
    import sys
    return (f"this Python ({sys.executable}) cannot import the module '{module}' (package {package}), which the "
            "gallery needs, so nothing was done; install the dependencies inside the virtual environment: "
            ". .venv/bin/activate && pip install -r requirements.txt (create it first with python3 -m venv .venv)")


@pytest.mark.parametrize("module, package", [("PIL", "pillow"), ("yaml", "pyyaml"), ("jinja2", "jinja2")])
def test_build_without_a_dependency_names_it_and_the_install_command(proj: Project, tmp_path: Path, module: str,
                                                                      package: str):
    proj.item("lw03-day", participant="LW03")          # two photos to make: the pool is used
    proj.item("lw04-day", participant="LW04")
    assert refused(proj, env=without(tmp_path, module)) == [missing(module, package)]


def test_heic_photo_without_pillow_heif_names_it(proj: Project, tmp_path: Path):
    shutil.copy(CAMERA / "iphonexs_gps.heic", proj.photos / "lw03-day.heic")
    proj.caption("lw03-day", participant="LW03", photo="lw03-day.heic")
    proj.item("lw04-day", participant="LW04")
    assert refused(proj, env=without(tmp_path, "pillow_heif")) == [missing("pillow_heif", "pillow-heif")]


@pytest.mark.parametrize("command", ["check", "add", "audit"])
def test_other_commands_without_pillow_name_it(proj: Project, tmp_path: Path, command: str):
    args = {"check": ["check", "--photos", str(proj.photos), "--captions", str(proj.captions), "--config",
                      str(proj.config)],
            "add": ["add", str(proj.photos / "lw01-day.jpg"), "--participant", "LW09", "--prompt", "confidence",
                    "--photos", str(proj.photos), "--captions", str(proj.captions), "--config", str(proj.config)],
            "audit": ["audit", str(proj.out), "--photos", str(proj.photos)]}[command]
    result = run_cli(*args, cwd=proj.root, env=without(tmp_path, "PIL"))
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [missing("PIL", "pillow")]


# ---- extreme shapes ------------------------------------------------------------------------------------

def test_extreme_aspect_ratios_give_one_size_per_width():
    assert target_sizes((1, 65000), (480, 1280)) == [(1, 1280)]
    assert target_sizes((65000, 1), (480, 1280)) == [(480, 1), (1280, 1)]
    assert target_sizes((300, 65000), (480, 960, 1280)) == [(2, 480), (4, 960), (6, 1280)]
    for size in ((1, 65000), (2, 65000), (30, 65000), (65000, 1), (7, 9000), (3000, 4000)):
        dims = target_sizes(size, (160, 480, 960, 1280, 1600))
        widths = [w for w, _ in dims]
        assert widths == sorted(set(widths)), (size, dims)
        assert max(max(d) for d in dims) == min(1600, max(size)), (size, dims)


def test_one_by_65000_picture_publishes_unique_names(proj: Project):
    """A real 1x65000 PNG: every published file has its own name, which the audit's rule accepts."""
    from gallery.audit.names import PUBLISHED_IMAGE
    Image.new("RGB", (1, 65000), (200, 30, 30)).save(proj.photos / "lw03-day.png")
    proj.caption("lw03-day", participant="LW03", photo="lw03-day.png")
    proj.config.write_text("images:\n  sizes: [160, 480, 1280]\n  formats: [avif, webp, jpeg]\n")
    result = proj.build("-q")
    assert result.stderr == ""
    names = sorted(p.name for p in (proj.out / "images").iterdir() if p.name.startswith("lw03-day-"))
    assert names and all(PUBLISHED_IMAGE.match(n) for n in names), names
    assert len({n.rsplit(".", 1)[1] for n in names}) == 3 and len(names) == 3, names  # one size, three formats
    page = (proj.out / "items" / "lw03-day.html").read_text()
    for srcset in re.findall(r'srcset="([^"]*)"', page):
        widths = [c.split()[-1] for c in srcset.split(", ")]
        assert len(widths) == len(set(widths)), srcset
    with Image.open(next(proj.out.glob("images/lw03-day-*.jpg"))) as im:
        assert im.size == (1, 1280)


# ---- Pillow's warnings: our own one-line notes, only with -v --------------------------------------------

def test_pillow_warnings_become_our_notes_shown_only_with_verbose(proj: Project):
    """"Corrupt EXIF data" from Pillow, in the image workers (two photos: the pool is used), in
    check's probe and in add: never printed by the library; -v shows our own line naming the
    caption file, -q nothing; the photo is published."""
    from camerafuzz import exif_case
    damaged = exif_case("IFD0 entry count past the data", "nikon_d70_orient6_serial.jpg").data
    for n in (3, 4):      # two pictures (bytes after the end differ), not one picture under two names
        (proj.photos / f"lw0{n}-day.jpg").write_bytes(damaged + b"\x00" * (n - 3))
        proj.caption(f"lw0{n}-day", participant=f"LW0{n}")
    note = ("captions/lw03-day.yaml:4: photo 'lw03-day.jpg': damaged metadata ignored (Corrupt EXIF data. "
            "Expecting to read 12 bytes but only got 0.); only its pixels are published")
    quiet = proj.build("-q", "--jobs", "2")
    assert quiet.stderr == ""
    assert (proj.out / "items" / "lw03-day.html").is_file()
    (proj.photos / "lw03-day.jpg").write_bytes(damaged + b"\x00")      # made again, with -v
    (proj.photos / "lw04-day.jpg").write_bytes(damaged + b"\x00\x00")
    verbose = proj.build("-v", "--jobs", "2").stderr
    assert verbose.splitlines().count(note) == 1, verbose      # said once, by the stage that decoded it
    sources = ["--photos", str(proj.photos), "--captions", str(proj.captions), "--config", str(proj.config)]
    check = run_cli("check", "-v", *sources, cwd=proj.root).stderr
    for output in (verbose, check):
        assert "Warning" not in output and "site-packages" not in output and "Traceback" not in output, output
    assert run_cli("check", "-q", *sources, cwd=proj.root).stderr == ""
    source = proj.root / "IMG_2041.JPG"
    source.write_bytes(damaged)
    added = run_cli("add", str(source), "--participant", "LW09", "--prompt", "confidence", "-q", *sources,
                    cwd=proj.root)
    assert added.returncode == 0 and added.stderr == "", added.stderr


# ---- a damaged EXIF orientation ------------------------------------------------------------------------

def test_damaged_orientation_is_shown_as_stored_but_refused_with_redact_regions(proj: Project):
    """As stored is how browsers show it, so the photo is published; but with redact regions the
    build cannot be sure which way up they were drawn, and a region on the wrong part of the
    picture would publish what it was meant to hide."""
    from camerafuzz import exif_case
    proj.config.write_text("title: Test gallery\nscreening: {text: false}\n")   # it reads "Xiv" in this picture
    (proj.photos / "lw03-day.jpg").write_bytes(exif_case("orientation 0/0 rational",
                                                         "nikon_d70_orient6_serial.jpg").data)   # 150x91
    proj.caption("lw03-day", participant="LW03", extra="redact: [[0.1, 0.1, 0.2, 0.2]]\n")
    assert refused(proj) == [
        f"captions/lw03-day.yaml:{PHOTO_LINE}: photo 'lw03-day.jpg' has a damaged EXIF orientation, so which way "
        "up its redact regions were drawn is not certain; turn the photo upright in an image editor and save it, "
        "check the regions with python build.py serve --drafts, and build again", NOTHING]
    proj.caption("lw03-day", participant="LW03")
    assert proj.build("-q").stderr == ""
    with Image.open(max(proj.out.glob("images/lw03-day-*.jpg"), key=lambda p: p.stat().st_size)) as im:
        assert im.size == (150, 91)
