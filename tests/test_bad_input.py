"""Bad input: one line naming the file (and YAML line), exit 1, the previous site byte for byte,
photos/ and captions/ untouched. One test per kind of bad input."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import Project, copy_of
from PIL import Image

PHOTO_LINE = 4      # line of 'photo:' in the conftest caption template
CAPTION_LINE = 5


@pytest.fixture(scope="module")
def built_once(tmp_path_factory) -> Path:
    """A project with one published item and its built site (copied for each test)."""
    project = Project(tmp_path_factory.mktemp("bad") / "proj")
    project.photo("lw01-day.jpg", size=(800, 600))
    project.caption("lw01-day")
    project.build()
    return project.root


@pytest.fixture
def proj(built_once: Path, tmp_path: Path) -> Project:
    return copy_of(built_once, tmp_path)


def snapshot(folder: Path) -> dict[str, object]:
    """Every entry under folder: bytes of files, targets of symlinks, modification times."""
    found: dict[str, object] = {}
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        if path.is_symlink():
            found[rel] = ("link", os.readlink(path))
        elif path.is_file():
            found[rel] = (path.read_bytes(), path.stat().st_mtime_ns)
        else:
            found[rel] = "dir"
    return found


def fails_cleanly(project: Project, expected: str | None, *extra: str) -> list[str]:
    """Build; assert exit 1, the expected line (one line per problem), and nothing changed anywhere."""
    site, photos, captions = snapshot(project.out), snapshot(project.photos), snapshot(project.captions)
    result = project.build(*extra, check=False)
    # the progress line a slow machine shows after 2 s (report.Progress) is not a problem line
    lines = [line for line in result.stderr.splitlines() if not line.startswith("Processing images:")]
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert len(lines) == 2, lines    # the problem, then "Nothing was published"
    assert expected is None or expected == lines[0], lines
    assert lines[-1] == "Nothing was published; site/ is unchanged."
    assert snapshot(project.out) == site
    assert snapshot(project.photos) == photos
    assert snapshot(project.captions) == captions
    assert not list(project.root.glob(".gallery-staging-*"))
    return lines


def photo_problem(item: str, message: str, photo: str | None = None) -> str:
    return f"captions/{item}.yaml:{PHOTO_LINE}: photo '{photo or item + '.jpg'}' {message}"


def test_truncated_jpeg(proj: Project):
    path = proj.photo("lw02-day.jpg", size=(800, 600))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    proj.caption("lw02-day", participant="LW02")
    line = fails_cleanly(proj, None)[0]
    assert line.startswith(photo_problem("lw02-day", "cannot be decoded (image file is truncated")), line
    assert line.endswith("the file may be truncated or damaged, copy it again from the original"), line


def test_zero_byte_image(proj: Project):
    (proj.photos / "lw02-day.jpg").write_bytes(b"")
    proj.caption("lw02-day", participant="LW02")
    fails_cleanly(proj, photo_problem("lw02-day", "is empty (0 bytes); copy the photo again from the original"))


def test_text_file_named_jpg(proj: Project):
    (proj.photos / "lw02-day.jpg").write_text("Notes from the interview, not a photo.\n")
    proj.caption("lw02-day", participant="LW02")
    fails_cleanly(proj, photo_problem("lw02-day", "cannot be read as an image (UnidentifiedImageError); "
                                                  "use a JPEG, PNG, WebP, TIFF, HEIC or AVIF file"))


def test_image_over_the_pixel_limit(proj: Project):
    """A decompression bomb is refused from its header, before decoding; the limit is a setting."""
    proj.config.write_text("images:\n  max_pixels: 1000000\n")
    proj.photo("lw02-day.jpg", size=(1250, 1000))
    proj.caption("lw02-day", participant="LW02")
    fails_cleanly(proj, photo_problem("lw02-day", "is 1250x1000 = 1,250,000 pixels, over the limit of 1,000,000; "
                                                  "resize it or raise images.max_pixels in gallery.yaml"),
                  "--config", str(proj.config))


def test_default_pixel_limit_admits_200_megapixel_phone_photos():
    from gallery.config import ImageSettings
    assert ImageSettings().max_pixels >= 16320 * 12240     # a 200 MP phone sensor (Samsung HP2)


@pytest.mark.parametrize("photo", ["../secret.jpg", "../../etc/passwd", "/etc/passwd", "~/secret.jpg"])
def test_photo_path_leaving_the_photos_folder(proj: Project, photo: str):
    proj.photo("lw02-day.jpg")
    shutil.copy(proj.photos / "lw02-day.jpg", proj.root / "secret.jpg")
    proj.caption("lw02-day", participant="LW02", photo=photo)
    fails_cleanly(proj, photo_problem("lw02-day", "is outside the photos folder; give a file name inside it", photo))


def test_symlink_pointing_outside_photos(proj: Project):
    outside = proj.root / "private" / "home.jpg"
    outside.parent.mkdir()
    Image.new("RGB", (300, 200), (10, 200, 10)).save(outside)
    (proj.photos / "lw02-day.jpg").symlink_to(outside)
    proj.caption("lw02-day", participant="LW02")
    fails_cleanly(proj, photo_problem("lw02-day", "is outside the photos folder; give a file name inside it"))
    assert outside.read_bytes()   # still there, untouched


def test_two_ids_differing_only_by_case(proj: Project):
    """Ids are lower-case by rule, so 'LW01-Day' can never shadow 'lw01-day' on a case-blind disk."""
    shutil.copy(proj.captions / "lw01-day.yaml", proj.captions / "LW01-Day.yaml")
    fails_cleanly(proj, "captions/LW01-Day.yaml: 'LW01-Day.yaml' is not a valid item id; name caption files "
                        "with lower-case letters, digits and hyphens, e.g. lw07-day.yaml")


def test_two_caption_files_for_one_id(proj: Project):
    shutil.copy(proj.captions / "lw01-day.yaml", proj.captions / "lw01-day.yml")
    fails_cleanly(proj, "captions/lw01-day.yml: item id 'lw01-day' is also used by lw01-day.yaml; rename one of them")


def test_yaml_not_utf8(proj: Project):
    path = proj.caption("lw02-day", participant="LW02", caption="Cafe time.")
    proj.photo("lw02-day.jpg")
    path.write_bytes(path.read_bytes().replace(b"Cafe", b"Caf\xe9"))   # Latin-1, as an old editor saves it
    fails_cleanly(proj, f"captions/lw02-day.yaml:{CAPTION_LINE}: the file is not UTF-8 text; "
                        "save it as UTF-8 in your editor")


def test_yaml_python_tags_are_refused_not_run(proj: Project):
    marker = proj.root / "pwned"
    proj.photo("lw02-day.jpg")
    proj.caption("lw02-day", participant="LW02",
                 extra=f"title: !!python/object/apply:os.system ['touch {marker}']\n")
    fails_cleanly(proj, "captions/lw02-day.yaml:15: unsupported YAML tag (could not determine a constructor for "
                        "the tag 'tag:yaml.org,2002:python/object/apply:os.system'); remove the '!!' tag and "
                        "write a plain value")
    assert not marker.exists()


@pytest.mark.parametrize("text", ["- participant: LW02\n- prompt: typical-day\n", "just a sentence\n"])
def test_yaml_not_a_mapping(proj: Project, text: str):
    proj.photo("lw02-day.jpg")
    (proj.captions / "lw02-day.yaml").write_text(text)
    fails_cleanly(proj, "captions/lw02-day.yaml:1: the file must be a mapping of 'key: value' lines, "
                        "not a list or a single value")


def test_very_long_text(proj: Project):
    proj.photo("lw02-day.jpg")
    proj.caption("lw02-day", participant="LW02", caption="word " * 5000)
    fails_cleanly(proj, f"captions/lw02-day.yaml:{CAPTION_LINE}: 'caption' is 24,999 characters long, "
                        "over the limit of 20,000; shorten it")


def test_huge_caption_file(proj: Project):
    proj.photo("lw02-day.jpg")
    path = proj.caption("lw02-day", participant="LW02")
    path.write_text(path.read_text() + "notes: |\n" + ("  " + "x" * 998 + "\n") * 1100)
    size = path.stat().st_size
    fails_cleanly(proj, f"captions/lw02-day.yaml: the file is {size:,} bytes, over the 1,000,000-byte limit; "
                        "shorten it")


def test_raw_html_and_script_links_are_neutralised_with_a_warning(proj: Project):
    caption = ('"Hello <script>alert(1)</script> <img src=x onerror=alert(2)> '
               '[click](javascript:alert(3)) [pic](data:text/html;base64,PHNjcmlwdD4=) '
               '<a href=\\"jav&#x09;ascript:alert(4)\\">x</a> [ok](https://example.org)"')
    proj.photo("lw02-day.jpg")
    proj.caption("lw02-day", participant="LW02", caption=caption)
    result = proj.build()
    assert result.returncode == 0
    warnings = [line for line in result.stderr.splitlines() if line.startswith("captions/lw02-day.yaml")]
    assert any(w.startswith("captions/lw02-day.yaml:5: ") and "'caption': raw HTML was removed" in w
               for w in warnings), warnings
    assert any("'caption': javascript:/data: links were removed" in w for w in warnings), warnings
    page = (proj.out / "items" / "lw02-day.html").read_text()
    low = page.lower()
    for bad in ("<script>alert", "onerror", "javascript:", "data:text", "jav&#x09;", "<img src=x"):
        assert bad not in low, bad
    assert 'href="https://example.org"' in page


def test_strict_makes_neutralised_html_an_error(proj: Project):
    proj.photo("lw02-day.jpg")
    proj.caption("lw02-day", participant="LW02", caption='"Hello <b onclick=x>there</b>"')
    site = snapshot(proj.out)
    result = proj.build("--strict", check=False)
    assert result.returncode == 1
    assert "captions/lw02-day.yaml:5: 'caption': raw HTML was removed; write plain Markdown instead " \
           "(an error with --strict)" in result.stderr.splitlines()
    assert snapshot(proj.out) == site
