"""Published pixels, never published files: metadata never survives, orientation is applied."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageCms

from gallery.config import ImageSettings
from gallery.imagecache import ImageJob, job_key, process
from gallery.images import ImageError, target_sizes

XMP = (b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
       b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
       b'xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/" xmpMM:DocumentID="xmp.did:SECRETDOC"/>'
       b'</rdf:RDF></x:xmpmeta><?xpacket end="w"?>')
SECRETS = [b"DemoCam", b"SN-998877", b"SECRETDOC", b"Kitchen table", b"Exif\x00\x00", b"ICC_PROFILE",
           b"http://ns.adobe.com/xap", b"2024:05:01 10:11:12"]


def camera_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "DemoCam"                 # Make
    exif[0x0110] = "DemoCam X100"            # Model
    exif[0x0112] = orientation
    exif[0x0131] = "DemoCam firmware 1.0"    # Software
    ifd = exif.get_ifd(0x8769)
    ifd[0x9003] = "2024:05:01 10:11:12"      # DateTimeOriginal
    ifd[0xA431] = "SN-998877"                # BodySerialNumber
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (51.0, 30.0, 12.5)
    gps[3], gps[4] = "E", (0.0, 7.0, 39.0)
    return exif


def marked_image(size=(400, 300)) -> Image.Image:
    """Left half red, right half blue, a green strip along the top: orientation is checkable."""
    im = Image.new("RGB", size, (0, 0, 255))
    im.paste((255, 0, 0), (0, 0, size[0] // 2, size[1]))
    im.paste((0, 255, 0), (0, 0, size[0], size[1] // 10))
    return im


def srgb_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def make_job(tmp_path: Path, src: Path, item_id="lw01-day", settings=ImageSettings(), redact=()) -> ImageJob:
    return ImageJob(item_id, str(src), job_key(item_id, "0" * 64, settings, redact), settings, redact)


def run(tmp_path, src, **kw):
    cache = tmp_path / "cache"
    cache.mkdir(exist_ok=True)
    job = make_job(tmp_path, src, **kw)
    result = process(job, str(cache))
    return result, {v.name: (cache / job.key / v.name).read_bytes() for v in result.variants}


@pytest.fixture
def camera_jpeg(tmp_path) -> Path:
    path = tmp_path / "IMG_20240501_101112.jpg"
    marked_image().save(path, "JPEG", exif=camera_exif(orientation=1), comment=b"Kitchen table",
                        icc_profile=srgb_profile(), xmp=XMP, quality=90)
    raw = path.read_bytes()
    for secret in SECRETS:
        assert secret in raw, f"the test input should carry {secret!r}"
    return path


def test_no_metadata_reaches_any_output(tmp_path, camera_jpeg):
    result, files = run(tmp_path, camera_jpeg)
    assert len(files) == 2 * len(target_sizes((400, 300), ImageSettings().sizes))
    for name, data in files.items():
        for secret in SECRETS:
            assert secret not in data, f"{name} leaks {secret!r}"
        with Image.open(io.BytesIO(data)) as im:
            assert not im.getexif(), name
            assert "icc_profile" not in im.info and "xmp" not in im.info and "comment" not in im.info, name


def test_output_names_come_from_id_and_hash_not_source_name(tmp_path, camera_jpeg):
    result, files = run(tmp_path, camera_jpeg)
    for name in files:
        assert name.startswith("lw01-day-"), name
        assert "IMG" not in name and "20240501" not in name
    assert result.key[:10] in next(iter(files))


@pytest.mark.parametrize("orientation, expected_size, red_corner", [
    (1, (400, 300), (5, 299)),     # red on the left
    (3, (400, 300), (395, 5)),     # rotated 180: red on the right
    (6, (300, 400), (5, 5)),       # rotated 90 CW when displayed: red at the top
    (8, (300, 400), (150, 395)),     # rotated 90 CCW when displayed: red at the bottom
])
def test_exif_orientation_is_applied(tmp_path, orientation, expected_size, red_corner):
    src = tmp_path / "phone.jpg"
    marked_image().save(src, "JPEG", exif=camera_exif(orientation), quality=95)
    result, files = run(tmp_path, src)
    largest = max((v for v in result.variants if v.format == "jpeg"), key=lambda v: v.width)
    with Image.open(io.BytesIO(files[largest.name])) as im:
        assert im.size == expected_size
        r, g, b = im.convert("RGB").getpixel(red_corner)
        assert r > 200 and g < 60 and b < 60, (orientation, im.getpixel(red_corner))


def test_heic_from_a_phone_is_decoded_upright(tmp_path):
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    src = tmp_path / "IMG_0001.HEIC"
    marked_image().save(src, exif=camera_exif(orientation=6).tobytes(), quality=90)
    assert b"ftypheic" in src.read_bytes()[:32]
    result, files = run(tmp_path, src)
    assert (result.width, result.height) == (300, 400)
    for name, data in files.items():
        assert b"DemoCam" not in data and b"SN-998877" not in data, name


def test_png_transparency_is_flattened_onto_the_background(tmp_path):
    src = tmp_path / "cut-out.png"
    im = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    im.paste((200, 0, 0, 255), (0, 0, 100, 100))
    im.save(src, pnginfo=None)
    result, files = run(tmp_path, src, settings=ImageSettings(background="#ffffff"))
    jpeg = next(d for n, d in files.items() if n.endswith(".jpg"))
    with Image.open(io.BytesIO(jpeg)) as out:
        assert out.mode == "RGB"
        assert all(c > 245 for c in out.getpixel((190, 50)))      # transparent -> white
        assert out.getpixel((10, 50))[0] > 180                      # opaque red stays red


def test_sizes_never_upscale_and_do_not_repeat():
    assert target_sizes((4032, 3024), (480, 960, 1600)) == [(480, 360), (960, 720), (1600, 1200)]
    assert target_sizes((800, 600), (480, 960, 1600)) == [(480, 360), (800, 600)]
    assert target_sizes((300, 200), (480, 960)) == [(300, 200)]


@pytest.mark.parametrize("content, message", [
    (b"", r"is empty \(0 bytes\)"),
    (b"this is a text file, not a photo\n", "cannot be read as an image"),
])
def test_unreadable_files_raise_a_clear_error(tmp_path, content, message):
    src = tmp_path / "broken.jpg"
    src.write_bytes(content)
    with pytest.raises(ImageError, match=message):
        run(tmp_path, src)


def test_source_is_never_modified(tmp_path, camera_jpeg):
    before = camera_jpeg.read_bytes()
    stat = camera_jpeg.stat()
    run(tmp_path, camera_jpeg)
    assert camera_jpeg.read_bytes() == before
    assert camera_jpeg.stat().st_mtime_ns == stat.st_mtime_ns


def test_encoding_in_threads_makes_the_same_bytes(tmp_path, camera_jpeg):
    """A build with one photo to make encodes its files in threads; the files must not depend on it."""
    from gallery.imagecache import process_source
    settings = ImageSettings(sizes=(120, 300), formats=("webp", "jpeg", "avif"))
    files = []
    for threads in (1, 2, 3):
        cache = tmp_path / f"cache{threads}"
        cache.mkdir()
        job = make_job(tmp_path, camera_jpeg, settings=settings)
        result, _, made = process_source(job, str(cache), threads)
        assert made
        files.append({v.name: (cache / job.key / v.name).read_bytes() for v in result.variants})
    assert len(files[0]) == 6
    assert files[0] == files[1] == files[2]


def test_a_bug_in_our_own_pixel_code_is_raised_not_blamed_on_the_photo(tmp_path, monkeypatch):
    """Only Pillow's own decoding of a damaged file is "the file may be truncated or damaged": a
    failure in our resizing or colour code is a bug, raised as itself (the build shows the
    traceback), never reported to a researcher as a damaged photo."""
    from gallery import images
    src = tmp_path / "lw01-day.jpg"
    Image.new("RGB", (1200, 900), (120, 80, 40)).save(src, quality=90)

    def broken(*args, **kwargs):
        raise ValueError("a bug in _to_srgb")
    monkeypatch.setattr(images, "_to_srgb", broken)
    with pytest.raises(ValueError, match="a bug in _to_srgb"):
        images.decode_largest(src, ImageSettings())
    monkeypatch.undo()
    truncated = tmp_path / "lw02-day.jpg"
    truncated.write_bytes(src.read_bytes()[:2000])
    with pytest.raises(ImageError, match="may be truncated or damaged"):
        images.decode_largest(truncated, ImageSettings())
