"""Redaction: every region is solid in every published size and format, on the upright picture."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from conftest import Project
from PIL import Image, ImageDraw

SIZES = (160, 480, 1000)
REGIONS = ((0.1, 0.2, 0.3, 0.25), (0.62, 0.55, 0.2, 0.3))
UPRIGHT = (1200, 800)            # the picture as a person sees it (landscape)
MARGIN = 3                       # pixels left for resampling and JPEG ringing at a region's edge


def upright_picture() -> Image.Image:
    """A bright, detailed picture: any unredacted pixel inside a region is far from black."""
    im = Image.new("RGB", UPRIGHT)
    draw = ImageDraw.Draw(im)
    for x in range(0, UPRIGHT[0], 8):
        for y in range(0, UPRIGHT[1], 8):
            bright = 170 + ((x // 8 + y // 8) % 2) * 60
            draw.rectangle((x, y, x + 7, y + 7), fill=(bright, 255 - x * 80 // UPRIGHT[0], 140 + y * 100 // UPRIGHT[1]))
    return im


def regions_yaml() -> str:
    return "redact:\n" + "".join(f"  - [{x}, {y}, {w}, {h}]\n" for x, y, w, h in REGIONS)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Project:
    """Two items, one stored upright and one stored sideways with EXIF orientation 6, both redacted."""
    project = Project(tmp_path_factory.mktemp("redact") / "proj")
    project.config.write_text(f"images:\n  sizes: {list(SIZES)}\n  formats: [avif, webp, jpeg]\n")
    picture = upright_picture()
    picture.save(project.photos / "lw01-day.jpg", quality=95)
    sideways = picture.transpose(Image.Transpose.ROTATE_90)     # orientation 6 turns it back clockwise
    exif = Image.Exif()
    exif[0x0112] = 6
    sideways.save(project.photos / "lw02-day.jpg", quality=95, exif=exif.tobytes())
    project.caption("lw01-day", extra=regions_yaml())
    project.caption("lw02-day", participant="LW02", extra=regions_yaml())
    project.caption("lw03-day", participant="LW03", photo="lw03-day.jpg")   # control: not redacted
    picture.save(project.photos / "lw03-day.jpg", quality=95)
    project.build("--config", str(project.config))
    return project


def published(project: Project, item_id: str) -> list[Path]:
    files = sorted((project.out / "images").glob(f"{item_id}-*"))
    assert len(files) == 3 * len(SIZES), files
    return files


def inner_box(region, size) -> tuple[int, int, int, int]:
    x, y, w, h = region
    width, height = size
    return (math.ceil(x * width) + MARGIN, math.ceil(y * height) + MARGIN,
            math.floor((x + w) * width) - MARGIN, math.floor((y + h) * height) - MARGIN)


def brightest(im: Image.Image, box) -> int:
    return max(high for _low, high in im.crop(box).getextrema())


@pytest.mark.parametrize("item_id", ["lw01-day", "lw02-day"])
def test_regions_are_solid_in_every_size_and_format(site: Project, item_id: str):
    for path in published(site, item_id):
        with Image.open(path) as im:
            im = im.convert("RGB")
            assert im.width > im.height, f"{path.name} is not upright"
            for region in REGIONS:
                box = inner_box(region, im.size)
                assert box[2] - box[0] >= 4 and box[3] - box[1] >= 4
                assert brightest(im, box) <= 40, f"{path.name}: something shows through region {region}"


@pytest.mark.parametrize("item_id", ["lw01-day", "lw02-day"])
def test_only_the_regions_are_painted(site: Project, item_id: str):
    """Just outside each region the picture is intact: the fractions were applied to the upright image."""
    for path in published(site, item_id):
        with Image.open(path) as im:
            im = im.convert("RGB")
            width, height = im.size
            for x, y, w, h in REGIONS:
                below = (math.ceil(x * width) + MARGIN, math.ceil((y + h) * height) + MARGIN,
                         math.floor((x + w) * width) - MARGIN, math.ceil((y + h) * height) + 2 * MARGIN + 2)
                darkest = min(low for low, _high in im.crop(below).getextrema())
                assert darkest > 60, f"{path.name}: the picture below region {(x, y, w, h)} is painted too"


def test_control_item_shows_the_picture_in_those_places(site: Project):
    """The judge can fail: without redact the same places are bright."""
    for path in published(site, "lw03-day"):
        with Image.open(path) as im:
            im = im.convert("RGB")
            for region in REGIONS:
                assert brightest(im, inner_box(region, im.size)) > 150


def test_redaction_is_painted_before_resizing(site: Project):
    """Even the largest size holds no trace: no pixel in the region differs from its neighbours' black."""
    largest = max(published(site, "lw02-day"), key=lambda p: (p.suffix == ".webp", int(p.stem.rsplit("-", 1)[1])))
    with Image.open(largest) as im:
        im = im.convert("L")
        for region in REGIONS:
            low, high = im.crop(inner_box(region, im.size)).getextrema()
            assert high - low <= 12, f"{largest.name}: region {region} is not uniform"
