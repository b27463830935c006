"""A photo swapped while the build runs: what is read is what was checked (issue 13).

A photo checked to be inside photos/ when the captions are loaded, then replaced by a link to a
file outside photos/ (or a folder on its path replaced by a link leading outside) before it is read,
must never be published. The race is made deterministic with the build's test pause
(GALLERY_TEST_PAUSE: the build waits at a named point until the test tells it to go on); the swap
itself is a real rename on disk.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from conftest import BUILD, Project

GREEN = (0, 200, 0)         # the outside file's pixels: must never be published
RED = (200, 0, 0)


def started(project: Project, command: str, pause: Path, at: str) -> subprocess.Popen:
    """The command, run to pause at the point named at (and at no other)."""
    pause.mkdir(exist_ok=True)
    for label in ("image-stage", "read-lw01-day.jpg", "metadata-lw01-day.jpg"):
        if label != at:
            (pause / f"{label}.go").touch()
    args = project.args() if command == "build" else [a for a in project.args() if a != "--templates"
                                                       and a != str(project.templates)]
    return subprocess.Popen([sys.executable, str(BUILD), command, *args], cwd=project.root, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "GALLERY_TEST_PAUSE": str(pause)})


def wait_paused(proc: subprocess.Popen, pause: Path, label: str) -> None:
    end = time.monotonic() + 60
    while not (pause / f"{label}.paused").exists():
        if proc.poll() is not None:
            raise AssertionError(f"the build ended before pausing at {label}:\n{proc.stderr.read()}")
        assert time.monotonic() < end, f"the build did not pause at {label}"
        time.sleep(0.01)


def go_on(proc: subprocess.Popen, pause: Path, label: str) -> tuple[int, str]:
    (pause / f"{label}.go").touch()
    _, stderr = proc.communicate(timeout=120)
    return proc.returncode, stderr


def swap_for_link(path: Path, target: Path) -> None:
    """Replace path by a symlink to target in one rename, as an attacker (or a sync tool) would."""
    link = path.with_name(f".{path.name}.link")
    link.symlink_to(target)
    os.replace(link, path)


def published_colours(project: Project) -> set[tuple[int, int, int]]:
    """The centre pixel of every JPEG in the site and in the project's caches."""
    from PIL import Image
    found = set()
    for folder in (project.out, project.root / ".gallery"):
        for path in folder.rglob("*.jpg") if folder.exists() else ():
            with Image.open(path) as im:
                found.add(im.convert("RGB").getpixel((im.width // 2, im.height // 2)))
    return found


def near(colour, target) -> bool:
    return all(abs(a - b) < 30 for a, b in zip(colour, target, strict=True))


def outside_photo(tmp_path: Path) -> Path:
    from PIL import Image
    folder = tmp_path / "outside"
    folder.mkdir(exist_ok=True)
    Image.new("RGB", (800, 600), GREEN).save(folder / "lw01-day.jpg")
    return folder / "lw01-day.jpg"


def swapped_at(project: Project, tmp_path: Path, command: str, label: str, outside: Path) -> tuple[int, str]:
    """Run command, swap the photo lw01-day.jpg for a link to outside when it pauses at label, let it
    finish; (exit code, stderr)."""
    pause = tmp_path / "pause"
    proc = started(project, command, pause, label)
    wait_paused(proc, pause, label)
    swap_for_link(project.photos / "lw01-day.jpg", outside)
    return go_on(proc, pause, label)


def assert_refused(project: Project, code: int, stderr: str, photo: str = "lw01-day.jpg") -> None:
    assert code == 1, stderr
    assert f"captions/lw01-day.yaml:4: photo '{photo}' was replaced while the build was reading it" in stderr, stderr
    assert "outside" in stderr and "Traceback" not in stderr, stderr
    assert not any(near(c, GREEN) for c in published_colours(project))


def test_a_photo_swapped_for_a_link_outside_photos_before_it_is_read_is_not_published(project, tmp_path):
    project.photo("lw01-day.jpg", colour=RED)
    project.caption("lw01-day")
    outside = outside_photo(tmp_path)
    assert_refused(project, *swapped_at(project, tmp_path, "build", "read-lw01-day.jpg", outside))
    assert not project.out.exists()


def test_a_folder_on_the_photos_path_swapped_for_a_link_outside_is_not_published(project, tmp_path):
    (project.photos / "day").mkdir()
    project.photo("day/lw01-day.jpg", colour=RED)
    project.caption("lw01-day", photo="day/lw01-day.jpg")
    outside = outside_photo(tmp_path)
    pause = tmp_path / "pause"
    proc = started(project, "build", pause, "read-lw01-day.jpg")
    wait_paused(proc, pause, "read-lw01-day.jpg")
    os.rename(project.photos / "day", project.photos / "day-before")
    (project.photos / "day").symlink_to(outside.parent)     # O_NOFOLLOW alone would not see this one
    assert_refused(project, *go_on(proc, pause, "read-lw01-day.jpg"), photo="day/lw01-day.jpg")


def test_a_cached_photo_swapped_during_the_build_is_not_published(project, tmp_path):
    """The photo's images are in the cache: it is swapped after the captions are checked and before
    the image stage looks at it; its images are not taken from the cache, and it is not read."""
    project.photo("lw01-day.jpg", colour=RED)
    project.caption("lw01-day")
    project.build()
    project.caption("lw01-day", caption="New words, so that the build runs.")
    outside = outside_photo(tmp_path)
    code, stderr = swapped_at(project, tmp_path, "build", "image-stage", outside)
    assert_refused(project, code, stderr)
    assert "My working day." in (project.out / "items" / "lw01-day.html").read_text()   # the previous site


def test_check_reads_what_it_checked(project, tmp_path):
    project.photo("lw01-day.jpg", colour=RED)
    project.caption("lw01-day")
    outside = outside_photo(tmp_path)
    code, stderr = swapped_at(project, tmp_path, "check", "read-lw01-day.jpg", outside)
    assert code == 1 and "photo 'lw01-day.jpg'" in stderr and "outside" in stderr, stderr


def test_a_link_made_on_purpose_inside_photos_still_works(project):
    (project.photos / "originals").mkdir()
    project.photo("originals/IMG_0001.jpg", colour=RED)
    project.photo("originals/IMG_0002.jpg", colour=RED)
    (project.photos / "lw01-day.jpg").symlink_to(Path("originals") / "IMG_0001.jpg")
    (project.photos / "sub").symlink_to("originals")
    project.caption("lw01-day")
    project.caption("lw01-confidence", prompt="confidence", photo="sub/IMG_0002.jpg")
    project.build()
    assert (project.out / "items" / "lw01-day.html").is_file()
    assert (project.out / "items" / "lw01-confidence.html").is_file()
    assert all(near(c, RED) for c in published_colours(project))


def test_a_large_photo_is_hashed_and_decoded_from_one_open_file(project, tmp_path, monkeypatch):
    """A photo over the whole-read limit is hashed by streaming and decoded from the same open file
    (not opened again by its path): the key names the bytes that were decoded."""
    import hashlib

    from gallery import imagecache
    from gallery.config import ImageSettings
    monkeypatch.setattr(imagecache, "WHOLE_READ_LIMIT", 0)           # every photo counts as large here
    src = project.photo("lw01-day.jpg", colour=RED)
    job = imagecache.ImageJob("lw01-day", str(src), None, ImageSettings(), photos=str(project.photos))
    (tmp_path / "cache").mkdir()
    result, digest, made = imagecache.process_source(job, str(tmp_path / "cache"))
    assert made and digest == hashlib.sha256(src.read_bytes()).hexdigest()
    assert result.key == imagecache.job_key("lw01-day", digest, ImageSettings(), ())
    assert {v.width for v in result.variants} == {480, 1200}


def test_the_audit_reads_the_metadata_of_the_photo_it_checked(project, tmp_path):
    """The caption repeats the photo's camera model, which the audit must find. The photo is swapped
    for a link to a file without metadata just before the audit reads it: reading that file instead
    would let the model through. The audit refuses the swapped photo instead; nothing is published."""
    from PIL import Image
    exif = Image.Exif()
    exif[0x0110] = "SecretCam 9000"
    project.photo("lw01-day.jpg", colour=RED, exif=exif)
    project.caption("lw01-day", caption="Taken with my SecretCam 9000.")
    outside = outside_photo(tmp_path)
    code, stderr = swapped_at(project, tmp_path, "build", "metadata-lw01-day.jpg", outside)
    assert code == 1, stderr
    assert "lw01-day.jpg: was replaced while the build was reading it" in stderr, stderr
    assert not project.out.exists()
