"""The privacy audit: leaks planted into a really built site are found, named by file and segment."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest
from conftest import Project, run_cli
from PIL import Image, PngImagePlugin

from gallery import audit


def exif_bytes(**tags) -> bytes:
    """Real EXIF: Make/Model/serial/GPS, as a camera writes them."""
    exif = Image.Exif()
    exif[0x010F] = tags.get("make", "Google")
    exif[0x0110] = tags.get("model", "Pixel 8 Pro")
    exif[0x0131] = tags.get("software", "HDR+ 1.0.612345678zd")
    exif.get_ifd(0x8769)[0xA431] = tags.get("serial", "SN4417XQ93")
    exif.get_ifd(0x8769)[0x9003] = "2024:05:01 09:30:12"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (51.0, 30.0, 26.64), "W", (0.0, 7.0, 39.12)
    return exif.tobytes()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Project:
    """One real site with every format (AVIF, WebP, JPEG), from a photo full of metadata."""
    project = Project(tmp_path_factory.mktemp("audit") / "proj")
    project.config.write_text("images:\n  sizes: [200, 400]\n  formats: [avif, webp, jpeg]\n")
    project.photo("lw07-day.jpg", size=(600, 400), exif=exif_bytes())
    project.caption("lw07-day")
    project.item("lw08-day", participant="LW08")
    project.build("--config", str(project.config))
    return project


def fresh_copy(built: Project, tmp_path: Path) -> Path:
    import shutil
    site = tmp_path / "site"
    shutil.copytree(built.out, site)
    return site


def first(site: Path, pattern: str) -> Path:
    return sorted(site.glob(pattern))[0]


def audit_cli(site: Path, photos: Path | None = None):
    extra = ["--photos", str(photos)] if photos else []
    return run_cli("audit", str(site), *extra)


def test_a_real_build_is_clean(built: Project):
    result = audit_cli(built.out, built.photos)
    assert result.returncode == 0, result.stderr
    assert audit.audit_site(built.out, sorted(built.photos.iterdir())) == []


def test_com_segment_is_found(built: Project, tmp_path: Path):
    site = fresh_copy(built, tmp_path)
    jpeg = first(site, "images/lw07-day-*-200.jpg")
    data = jpeg.read_bytes()
    comment = b"shot by Jane at 12 Elm Road"
    jpeg.write_bytes(data[:2] + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + data[2:])
    result = audit_cli(site)
    assert result.returncode == 1
    assert f"{jpeg}: JPEG segment COM at byte 2: a comment can carry any text" in result.stderr
    assert "Traceback" not in result.stderr


def test_appended_second_jpeg_is_found(built: Project, tmp_path: Path):
    site = fresh_copy(built, tmp_path)
    jpeg = first(site, "images/lw08-day-*-400.jpg")
    data = jpeg.read_bytes()
    original = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 10, 10)).save(original, "JPEG", exif=exif_bytes())
    jpeg.write_bytes(data + original.getvalue())
    result = audit_cli(site)
    assert result.returncode == 1
    assert f"{jpeg}: {len(original.getvalue())} bytes after the EOI marker at byte {len(data) - 2}: " \
           "an appended second JPEG image" in result.stderr


def test_text_chunk_in_png_is_found(built: Project, tmp_path: Path):
    site = fresh_copy(built, tmp_path)
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Jane Smith")
    logo = site / "assets" / "logo.png"
    Image.new("RGB", (16, 16), (0, 90, 160)).save(logo, pnginfo=info)
    result = audit_cli(site)
    assert result.returncode == 1
    assert f"{logo}: PNG chunk tEXt 'Author' at byte 33: a text chunk" in result.stderr


def test_exif_chunk_in_webp_is_found(built: Project, tmp_path: Path):
    site = fresh_copy(built, tmp_path)
    webp = first(site, "images/lw07-day-*-400.webp")
    with Image.open(webp) as im:
        im.save(webp, "WEBP", exif=exif_bytes())
    result = audit_cli(site)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith(str(webp))]
    assert any("WebP chunk EXIF at byte" in line and "an EXIF chunk" in line for line in lines), lines
    assert any("WebP chunk VP8X" in line and "its flags announce EXIF metadata" in line for line in lines)


def test_exif_item_in_avif_is_found(built: Project, tmp_path: Path):
    site = fresh_copy(built, tmp_path)
    avif = first(site, "images/lw07-day-*-200.avif")
    with Image.open(avif) as im:
        im.save(avif, "AVIF", exif=exif_bytes())
    result = audit_cli(site)
    assert result.returncode == 1
    assert f"{avif}: AVIF item Exif at byte" in result.stderr


def test_icc_profile_in_webp_and_jpeg_is_found(built: Project, tmp_path: Path):
    from PIL import ImageCms
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    site = fresh_copy(built, tmp_path)
    jpeg = first(site, "images/lw08-day-*-200.jpg")
    webp = first(site, "images/lw08-day-*-200.webp")
    for path, fmt in ((jpeg, "JPEG"), (webp, "WEBP")):
        with Image.open(path) as im:
            im.save(path, fmt, icc_profile=icc)
    found = [str(p) for p in audit.audit_site(site)]
    assert any(f.startswith(f"{jpeg}: JPEG segment APP2 (ICC profile) at byte") for f in found), found
    assert any(f.startswith(f"{webp}: WebP chunk ICCP at byte") for f in found), found


def test_jfif_thumbnail_and_exif_segment_are_named():
    buf = io.BytesIO()
    Image.new("RGB", (32, 32)).save(buf, "JPEG", exif=exif_bytes())
    data = buf.getvalue()
    assert [w for w, _ in audit.check_jpeg(data)] == ["JPEG segment APP1 (EXIF) at byte 20"]
    thumb = data[:4] + b"\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x01\x01" + data[20:]
    assert [m for _, m in audit.check_jpeg(thumb)][0].startswith("a JFIF header with an embedded thumbnail")


def test_copied_original_and_camera_named_files_are_found(built: Project, tmp_path: Path):
    site = fresh_copy(built, tmp_path)
    (site / "images" / "IMG_1234.jpg").write_bytes(first(site, "images/lw08-day-*-200.jpg").read_bytes())
    (site / "items" / "pxl-20240501-093012.html").write_text("<p>hello</p>")
    found = [str(p) for p in audit.audit_site(site)]
    assert f"{site}/images/IMG_1234.jpg: file name: not a name the generator writes " \
           "(<id>-<hash>-<width>.<ext>); a copied original? Remove it from the site" in found
    assert any(f.startswith(f"{site}/items/pxl-20240501-093012.html: file name: the item id "
                            "'pxl-20240501-093012' looks like a camera file name") for f in found)


def test_item_named_like_its_photo_is_not_a_finding(built: Project):
    """lw07-day.jpg published as item lw07-day: the id is the researcher's choice, already in the URL."""
    assert audit.check_name("images/lw07-day-0123456789-480.jpg", [built.photos / "lw07-day.jpg"]) == []
    named = audit.check_name("assets/lw07-day.css", [built.photos / "lw07-day.jpg"])
    assert [f.message for f in named] == ["contains the name of the source photo lw07-day.jpg"]


def test_exif_text_on_a_page_is_found(built: Project, tmp_path: Path):
    site = fresh_copy(built, tmp_path)
    page = site / "items" / "lw07-day.html"
    page.write_text(page.read_text() + "\n<p>Taken on my Pixel 8 Pro at 51.5074, serial SN4417XQ93</p>\n")
    result = audit_cli(site, built.photos)
    assert result.returncode == 1
    line = page.read_text().count("\n")
    for text, what in (("Pixel 8 Pro", "EXIF Model"), ("SN4417XQ93", "EXIF BodySerialNumber"),
                       ("51.507", "GPS latitude")):
        assert f"{page}:{line}: text: contains '{text}', the {what} of lw07-day.jpg" in result.stderr, \
            result.stderr


def test_build_fails_on_a_leak_and_keeps_the_previous_site(tmp_path: Path):
    """The audit runs on the staging folder before the swap: a finding publishes nothing."""
    project = Project(tmp_path / "proj")
    project.photo("lw07-day.jpg", size=(300, 200), exif=exif_bytes(model="Pixel 8 Pro"))
    project.caption("lw07-day")
    project.build()
    before = project.tree()
    static = project.templates / "static"
    static.mkdir()
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "exported from /home/jane/study")
    Image.new("RGB", (8, 8)).save(static / "logo.png", pnginfo=info)
    project.caption("lw07-day", caption="Taken on my Pixel 8 Pro.")
    result = project.build(check=False)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert any(line.startswith("site/assets/logo.") and ": PNG chunk tEXt 'Comment' at byte 33" in line
               for line in lines), lines
    assert any(line.startswith("site/items/lw07-day.html:") and "'Pixel 8 Pro', the EXIF Model of lw07-day.jpg"
               in line for line in lines), lines
    assert "Nothing was published; site/ is unchanged." in lines
    assert project.tree() == before
    assert not list(project.root.glob(".gallery-staging-*"))
