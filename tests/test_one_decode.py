"""One decode for the screen and the image stage: the same pixels as two decodes, or no sharing.

A build's screening worker makes the images of the photos the consent gate publishes from the
picture it decoded to screen (images.decode_both): what it makes must be byte for byte what the
image stage makes on its own, for every kind of photo, and a photo it cannot share a decode for
is decoded twice, never approximated.
"""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pytest
from PIL import Image
from test_images import camera_exif, marked_image

from gallery import encoding, images
from gallery.config import ImageSettings
from gallery.screening import NEEDED_SIDE, freesize

DATA = Path(__file__).parent / "data" / "screen"
SETTINGS = ImageSettings()
REGIONS = ((0.1, 0.2, 0.3, 0.25),)


def jpeg(size: tuple[int, int], orientation: int = 1, mode: str = "RGB") -> bytes:
    """A photo-like JPEG (the astronaut, scaled) of size, with a camera's EXIF."""
    with Image.open(DATA / "astronaut.png") as im:
        picture = im.convert("RGB").resize(size)
    buf = io.BytesIO()
    picture.convert(mode).save(buf, "JPEG", quality=90, exif=camera_exif(orientation).tobytes())
    return buf.getvalue()


def png() -> bytes:
    buf = io.BytesIO()
    marked_image((2400, 1800)).convert("RGBA").save(buf, "PNG")
    return buf.getvalue()


def both_or_none(tmp_path: Path, data: bytes, regions=()):
    path = tmp_path / "photo"
    path.write_bytes(data)
    return path, images.decode_both(path, SETTINGS, data, regions, NEEDED_SIDE)


@pytest.mark.parametrize("name, data, regions", [
    ("phone JPEG, upright", jpeg((4032, 3024)), ()),
    ("phone JPEG, turned by EXIF", jpeg((4032, 3024), orientation=6), ()),
    ("phone JPEG with redactions", jpeg((4032, 3024), orientation=8), REGIONS),
    ("greyscale JPEG with redactions", jpeg((3200, 2400), mode="L"), REGIONS),
    ("PNG with transparency", png(), ()),
    ("PNG with redactions", png(), REGIONS),
])
def test_one_decode_gives_both_stages_their_own_pixels(tmp_path: Path, name: str, data: bytes, regions):
    path, both = both_or_none(tmp_path, data, regions)
    assert both is not None, name
    picture, largest = both
    alone = images.decode_upright(path, SETTINGS, data, regions, least=NEEDED_SIDE)
    assert picture.size == alone.size and picture.tobytes() == alone.tobytes(), name
    made = largest()
    expected = images.decode_largest(path, SETTINGS, regions, data)
    assert made.size == expected.size and made.tobytes() == expected.tobytes(), name
    assert encoding.encode_sizes(made, SETTINGS, "x")[0] == encoding.make_files(path, SETTINGS, regions, "x", data)[0]


@pytest.mark.parametrize("name, data", [
    # the image stage decodes a 3000 px JPEG at half scale (1500 px >= 1280); the screen needs 1600: full scale
    ("a JPEG the image stage decodes smaller", jpeg((3000, 2000))),
    ("a greyscale JPEG (the image stage decodes it in grey)", jpeg((4032, 3024), mode="L")),
])
def test_no_shared_decode_when_the_stages_decode_differently(tmp_path: Path, name: str, data: bytes):
    assert both_or_none(tmp_path, data)[1] is None, name


def test_a_photo_read_from_its_open_file_is_not_shared(tmp_path: Path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(jpeg((800, 600)))
    with path.open("rb") as fh:
        assert images.decode_both(path, SETTINGS, fh, (), NEEDED_SIDE) is None


def test_a_damaged_orientation_with_redactions_is_refused_as_the_image_stage_refuses_it(tmp_path: Path):
    exif = camera_exif()
    exif[0x0112] = 9
    buf = io.BytesIO()
    Image.open(io.BytesIO(jpeg((2000, 1500)))).save(buf, "JPEG", exif=exif.tobytes())
    data = buf.getvalue()
    with pytest.raises(images.ImageError, match="damaged EXIF orientation"):
        both_or_none(tmp_path, data, REGIONS)


# ---- the face detector's model, its input size set free -------------------------------------------


def test_the_freed_face_model_finds_what_the_packaged_one_finds():
    """Its heatmaps on a real face equal OpenCV's run of the packaged file (which ignores the
    declared 10 x 3 x 32 x 32 input)."""
    import cv2
    import numpy as np
    import onnxruntime as ort

    from gallery.screening import faces, models
    path = models.packaged(models.FACE_MODEL)
    session = ort.InferenceSession(freesize.free_size(path.read_bytes()), providers=["CPUExecutionProvider"])
    shapes = {i.name: i.shape for i in session.get_inputs()}
    assert shapes == {faces.INPUT: ["batch_input.1", 3, "height_input.1", "width_input.1"]}   # the constants gone
    with Image.open(DATA / "astronaut.png") as im:
        pixels = np.asarray(im.convert("RGB"), dtype=np.float32).transpose(2, 0, 1)[np.newaxis]
    ours = session.run(faces.OUTPUTS, {faces.INPUT: np.ascontiguousarray(pixels)})
    net = cv2.dnn.readNetFromONNX(str(path))
    net.setInput(pixels)
    theirs = net.forward(faces.OUTPUTS)
    assert ours[0].max() > 0.9                                   # the astronaut's face
    for a, b in zip(ours, theirs, strict=True):
        assert a.shape == b.shape and float(np.abs(a - b).max()) < 1e-4


def test_damaged_model_bytes_are_refused_never_a_traceback():
    """Seeded: truncated and bit-flipped model files are Damaged (or still parse), nothing else."""
    from gallery.screening import models
    model = models.packaged(models.FACE_MODEL).read_bytes()
    rng = random.Random(14)
    outcomes = set()
    for _ in range(60):
        data = bytearray(model[:rng.randrange(1, 4096)] if rng.random() < 0.5 else model[:200_000])
        for _ in range(rng.randrange(0, 8)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        try:
            freesize.free_size(bytes(data))
            outcomes.add("parsed")
        except freesize.Damaged:
            outcomes.add("damaged")
    assert "damaged" in outcomes
    with pytest.raises(freesize.Damaged):
        freesize.free_size(b"\x0f")            # a field number 1 of wire type 7: no such type


# ---- in the build ---------------------------------------------------------------------------------


def test_a_build_makes_the_published_images_where_it_screens_them_and_they_are_the_image_stages_own(project):
    """A cold build: the photos the gate publishes are made into images by the screening worker (the
    image stage finds them in the cache); the item a flag keeps out leaves no images in the cache;
    the same build with only the images deleted makes the same bytes in the image stage."""
    import shutil

    from test_screen_gate import astronaut
    (project.photos / "lw01-day.jpg").write_bytes(jpeg((4032, 3024), orientation=6))
    project.caption("lw01-day", extra="redact:\n  - [0.6, 0.3, 0.35, 0.25]\n")    # its face covered
    project.item("lw02-day", participant="LW02")
    astronaut(project)                                        # lw07-day: a face nobody resolved
    first = project.build("-v")
    assert "images: 2 made, 0 from cache" in first.stderr, first.stderr
    assert "made images for" not in first.stderr              # the image stage made none: the screen's workers did
    site = {p.name: p.read_bytes() for p in (project.out / "images").iterdir()}
    assert not any(name.startswith("lw07-day") for name in site)
    kept = {json.loads((folder / "meta.json").read_text())["entries"]["result"]["item_id"]
            for folder in project.cache.iterdir() if (folder / "meta.json").is_file()}
    assert "lw07-day" not in kept and "lw02-day" in kept
    for folder in project.cache.iterdir():                    # the images only: the flags stay known
        if (folder / "meta.json").is_file():
            shutil.rmtree(folder)
    (project.cache / "images.json").unlink()
    second = project.build()
    assert "images: " in second.stderr and "0 from cache" in second.stderr, second.stderr
    assert {p.name: p.read_bytes() for p in (project.out / "images").iterdir()} == site


def test_a_photo_replaced_just_after_the_gate_checked_it_is_refused_not_published_from_the_new_bytes(
        project, monkeypatch):
    """The user copies another photo over lw01's just after the consent gate checked lw01's review
    against it (found by a second reading: the photo-identity stage read the new bytes and the
    screen's worker took them for the gate's). The build must stop, naming the photo."""
    import os

    from gallery import review, site
    from gallery.errors import ContentError
    project.item("lw01-day", participant="LW01")
    project.item("lw02-day", participant="LW02")
    photo, other = project.photos / "lw01-day.jpg", project.photos / "lw02-day.jpg"
    checked = review.PhotoHashes.__call__

    def then_replaced(self, item):
        digest = checked(self, item)
        if item.id == "lw01-day" and not (project.root / ".swapped").exists():
            (project.root / ".swapped").touch()
            copy = project.photos / ".copy"
            copy.write_bytes(other.read_bytes())
            os.replace(copy, photo)
        return digest

    monkeypatch.setattr(review.PhotoHashes, "__call__", then_replaced)
    with pytest.raises(ContentError) as refused:
        site.build(project.options())
    assert any("lw01-day" in str(p.path) for p in refused.value.problems), refused.value.problems
    assert not project.out.exists()                       # nothing published, of either picture


def test_images_found_in_the_cache_by_the_screen_are_not_counted_as_made(project, monkeypatch):
    """Photos screened again (every engine-stamp change does it) whose images are cached: 0 made."""
    from gallery import screens, site
    monkeypatch.setenv("GALLERY_RACY_SECONDS", "0")
    project.item("lw01-day", participant="LW01")
    project.item("lw02-day", participant="LW02")
    assert site.build(project.options()).images_made == 2
    (project.options().private / screens.SCREENS).unlink()
    before = sorted(f.name for f in project.cache.iterdir())
    again = site.build(project.options())
    assert again.images_made == 0 and sorted(f.name for f in project.cache.iterdir()) == before


def test_no_images_are_made_of_a_photo_whose_flags_keep_it_out_even_when_the_build_stops(project):
    """A face nobody resolved: its item is left out, and the screen's worker makes none of its images
    (a build that then stops for another file's error would leave them in the cache till the next)."""
    from test_screen_gate import astronaut
    astronaut(project)                                        # lw07-day: a face nobody resolved
    project.item("lw02-day", participant="LW02")
    (project.captions / "lw03-day.yaml").write_text("participant: [unclosed\n")
    stopped = project.build(check=False)
    assert stopped.returncode == 1 and "lw03-day.yaml" in stopped.stderr, stopped.stderr
    made = {json.loads((f / "meta.json").read_text())["entries"]["result"]["item_id"]
            for f in project.cache.iterdir() if (f / "meta.json").is_file()}
    assert "lw07-day" not in made, made
