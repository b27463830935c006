"""Every committed real camera file (tests/data/camera/manifest.json) built into one real site.

Judged independently of the pipeline: orientation from exiftool's tags and the stored pixel size,
metadata by our structural audit AND by exiftool (an allow-list of structural tags), colours
against the embedded profile, transparency against the configured background.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pillow_heif
import pytest
from conftest import REPO, Project, require_tool
from PIL import Image, ImageChops, ImageCms, ImageStat

from gallery import audit

pillow_heif.register_heif_opener()      # a declared dependency: missing it must fail, not skip

CAMERA = REPO / "tests" / "data" / "camera"
MANIFEST = json.loads((CAMERA / "manifest.json").read_text())
FILES = [entry["file"] for entry in MANIFEST]
BACKGROUND = (0x33, 0x66, 0xCC)
HEIF = (".heic", ".heif")

# Every tag exiftool may report for a published image: structure only. System:* is the file system
# (name, size, dates of our own file), not the file's contents.
ALLOWED_TAGS = {
    "SourceFile", "ExifTool:ExifToolVersion", "Composite:ImageSize", "Composite:Megapixels",
    "File:FileType", "File:FileTypeExtension", "File:MIMEType", "File:ImageWidth", "File:ImageHeight",
    "File:BitsPerSample", "File:ColorComponents", "File:EncodingProcess", "File:YCbCrSubSampling",
    "JFIF:JFIFVersion", "JFIF:ResolutionUnit", "JFIF:XResolution", "JFIF:YResolution",
    "RIFF:VP8Version", "RIFF:ImageWidth", "RIFF:ImageHeight", "RIFF:HorizontalScale", "RIFF:VerticalScale",
    "QuickTime:MajorBrand", "QuickTime:MinorVersion", "QuickTime:CompatibleBrands", "QuickTime:HandlerType",
    "QuickTime:ImageSpatialExtent", "QuickTime:ImagePixelDepth", "QuickTime:AV1ConfigurationVersion",
    "QuickTime:ChromaFormat", "QuickTime:ChromaSamplePosition", "QuickTime:ColorProfiles",
    "QuickTime:ColorPrimaries", "QuickTime:TransferCharacteristics", "QuickTime:MatrixCoefficients",
    "QuickTime:MediaDataOffset", "QuickTime:MediaDataSize", "QuickTime:MediaData", "Meta:PrimaryItemReference",
    "QuickTime:SeqProfile", "QuickTime:SeqLevelIdx0", "QuickTime:SeqTier0", "QuickTime:HighBitDepth",
    "QuickTime:TwelveBit", "QuickTime:InitialDelaySamples",   # the AV1 codec configuration
}
ALLOWED_GROUPS = {"System"}

# Our own implementation of the EXIF orientation table (not ImageOps.exif_transpose).
TRANSPOSE = {1: [], 2: [Image.Transpose.FLIP_LEFT_RIGHT], 3: [Image.Transpose.ROTATE_180],
             4: [Image.Transpose.FLIP_TOP_BOTTOM], 5: [Image.Transpose.TRANSPOSE],
             6: [Image.Transpose.ROTATE_270], 7: [Image.Transpose.TRANSVERSE], 8: [Image.Transpose.ROTATE_90]}


def item_id(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", Path(name).stem.lower()).strip("-")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Project:
    """All camera files as items of one real site, in AVIF, WebP and JPEG (one build for the module)."""
    project = Project(tmp_path_factory.mktemp("camera") / "proj")
    project.config.write_text("images:\n  sizes: [256, 800]\n  formats: [avif, webp, jpeg]\n"
                              '  background: "#3366cc"\n')
    for name in FILES:
        shutil.copy(CAMERA / name, project.photos / name)
        project.caption(item_id(name), photo=name)
    project.build("--config", str(project.config))
    return project


@pytest.fixture(scope="module")
def exif_reference() -> dict[str, dict]:
    """exiftool's view of the sources: orientation tags, rotation, stored pixel size."""
    exiftool = require_tool("exiftool")
    out = subprocess.run([exiftool, "-j", "-n", "-G1", "-a", "-IFD0:Orientation", "-XMP-tiff:Orientation",
                          "-QuickTime:Rotation", "-Composite:ImageSize", *[str(CAMERA / f) for f in FILES]],
                         capture_output=True, text=True, check=True).stdout
    return {Path(d["SourceFile"]).name: d for d in json.loads(out)}


def outputs(project: Project, name: str, ext: str) -> list[Path]:
    """The published files of one source, smallest first."""
    pattern = re.compile(rf"^{item_id(name)}-[0-9a-f]{{10}}-[0-9]+\.{ext}$")
    found = [p for p in (project.out / "images").iterdir() if pattern.match(p.name)]
    return sorted(found, key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def largest(project: Project, name: str, ext: str = "jpg") -> Image.Image:
    with Image.open(outputs(project, name, ext)[-1]) as im:
        return im.convert("RGB")


def raw_pixels(path: Path, background=BACKGROUND) -> Image.Image:
    """The stored pixels of the first frame, as written: not turned, not colour-converted."""
    with Image.open(path) as im:
        im.seek(0)
        if im.mode in ("I;16", "I;16B", "I;16L", "I"):
            return im.convert("I").point(lambda v: v * (1 / 256)).convert("RGB")
        if im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info:
            rgba = im.convert("RGBA")
            flat = Image.new("RGB", rgba.size, background)
            flat.paste(rgba, mask=rgba.getchannel("A"))
            return flat
        return im.convert("RGB")


def to_srgb(im: Image.Image, path: Path) -> Image.Image:
    """im converted from the source's embedded ICC profile (if any) to sRGB."""
    with Image.open(path) as source:
        icc = source.info.get("icc_profile")
    if not icc:
        return im
    return ImageCms.profileToProfile(im, ImageCms.ImageCmsProfile(io.BytesIO(icc)),
                                     ImageCms.createProfile("sRGB"), outputMode="RGB")


def turned(im: Image.Image, orientation: int) -> Image.Image:
    for step in TRANSPOSE[orientation]:
        im = im.transpose(step)
    return im


def difference(a: Image.Image, b: Image.Image, size=(32, 32)) -> float:
    """Mean absolute difference of two pictures scaled to the same small grid (0-255)."""
    a, b = a.convert("RGB").resize(size, Image.Resampling.BOX), b.convert("RGB").resize(size, Image.Resampling.BOX)
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3


def expected_orientation(ref: dict, name: str) -> int:
    """EXIF orientation, else XMP tiff:Orientation, else 1. HEIF turns by its irot box instead."""
    if name.endswith(HEIF):
        return 1
    return int(ref.get("IFD0:Orientation") or ref.get("XMP-tiff:Orientation") or 1)


def expected_upright_size(ref: dict, name: str) -> tuple[int, int]:
    width, height = (int(v) for v in str(ref["Composite:ImageSize"]).split())
    if name.endswith(HEIF):
        turn = int(ref.get("QuickTime:Rotation") or 0) in (90, 270)
    else:
        turn = expected_orientation(ref, name) >= 5
    return (height, width) if turn else (width, height)


def test_committed_files_are_unchanged():
    for entry in MANIFEST:
        digest = hashlib.sha256((CAMERA / entry["file"]).read_bytes()).hexdigest()
        assert digest == entry["sha256"], f"{entry['file']} was changed; restore it from its source"


@pytest.mark.parametrize("name", FILES)
def test_published_upright(site: Project, exif_reference: dict, name: str):
    ref = exif_reference[name]
    want_w, want_h = expected_upright_size(ref, name)
    out = largest(site, name)
    # the same shape as the upright picture (within rounding of the resize)
    assert abs(out.width * want_h - out.height * want_w) <= max(want_w, want_h), (out.size, (want_w, want_h))
    assert max(out.size) == min(800, max(want_w, want_h))
    if name.endswith(HEIF):
        return  # pillow-heif applies irot itself: the size check above is the independent judge
    raw = to_srgb(raw_pixels(CAMERA / name), CAMERA / name)
    orientation = expected_orientation(ref, name)
    scores = {o: difference(out, turned(raw, o)) for o in TRANSPOSE}
    assert scores[orientation] < 12, scores
    assert scores[orientation] <= min(scores.values()) + 0.01, scores


def test_orientation_is_judged_on_real_rotations(site: Project, exif_reference: dict):
    """The pixel judge can tell: for the turned files, any other orientation is clearly worse."""
    for name in ("iphone6plus_gps_orient6.jpg", "nikon_d70_orient6_serial.jpg", "xmp_orient3_colormatch.avif",
                 "xmp_orient3_colormatch_rgba.png"):
        raw, out = to_srgb(raw_pixels(CAMERA / name), CAMERA / name), largest(site, name)
        right = expected_orientation(exif_reference[name], name)
        assert right != 1
        assert difference(out, raw) > difference(out, turned(raw, right)) + 5, name


def test_no_metadata_by_our_audit(site: Project):
    assert audit.audit_site(site.out, sorted(site.photos.iterdir())) == []


def test_no_metadata_by_exiftool(site: Project):
    exiftool = require_tool("exiftool")
    images = sorted((site.out / "images").iterdir())
    assert len(images) == 3 * sum(len(outputs(site, n, "jpg")) for n in FILES)
    result = subprocess.run([exiftool, "-j", "-a", "-G1", "-u", *map(str, images)],
                            capture_output=True, text=True, check=True)
    reports = json.loads(result.stdout)
    assert len(reports) == len(images)
    for report in reports:
        extra = {k: v for k, v in report.items()
                 if k not in ALLOWED_TAGS and k.split(":", 1)[0] not in ALLOWED_GROUPS}
        assert not extra, f"{report['SourceFile']}: exiftool reports non-structural tags {extra}"
        if "QuickTime:ColorProfiles" in report:
            assert report["QuickTime:ColorProfiles"] == "nclx"  # colour by code points, never an ICC profile


def icc_description(path: Path) -> str | None:
    with Image.open(path) as im:
        icc = im.info.get("icc_profile")
    return ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc))).strip() if icc else None


# Not sRGB. The Adobe RGB file is left out: its 8x8 pixels are neutral grey, which no profile changes.
WIDE_GAMUT = [e["file"] for e in MANIFEST if e["has_icc"] and not str(e["icc_description"]).startswith("sRGB")
              and e["file"] != "exiftool_kitchen_sink_adobergb.jpg"]


@pytest.mark.parametrize("name", WIDE_GAMUT)
def test_colours_converted_from_embedded_profile(site: Project, exif_reference: dict, name: str):
    """Display P3 / DCI-P3 / ColorMatch pixels are converted to sRGB, not published as if they were sRGB."""
    raw = turned(raw_pixels(CAMERA / name), expected_orientation(exif_reference[name], name))
    converted = to_srgb(raw, CAMERA / name)
    out = largest(site, name)
    profile_matters = difference(raw, converted, (8, 8))
    assert profile_matters > 0.3, "the profile must change the picture for this test to mean anything"
    assert difference(out, converted, (8, 8)) < difference(out, raw, (8, 8)), name
    if profile_matters > 5:  # ColorMatch RGB: a large shift, so the match can be tight
        assert difference(out, converted, (8, 8)) < 1.5


def test_wide_gamut_files_are_in_the_set():
    described = {icc_description(CAMERA / n) for n in WIDE_GAMUT}
    assert {"Display P3", "ColorMatch RGB", "DCI-P3 D65 Gamut with sRGB Transfer"} <= described


def test_transparency_flattened_onto_background(site: Project):
    """Transparent pixels show the configured background (#3366cc), not black or white."""
    name = "palette_trns_xmp_history.png"
    with Image.open(CAMERA / name) as im:
        assert im.convert("RGBA").getchannel("A").getextrema()[0] == 0, "the source must have transparent pixels"
    for ext in ("jpg", "webp", "avif"):
        out = largest(site, name, ext)
        on_background = difference(out, raw_pixels(CAMERA / name), (4, 4))
        for other in ((255, 255, 255), (0, 0, 0)):
            assert on_background + 5 < difference(out, raw_pixels(CAMERA / name, other), (4, 4)), (ext, other)


def test_multi_picture_files_publish_the_first_picture_only(site: Project):
    """MPO: the second image (gain map, other eye) is neither published nor blended in."""
    name = "iphone14promax_displayp3.mpo"
    with Image.open(CAMERA / name) as im:
        im.seek(1)
        second = im.convert("RGB")
    out = largest(site, name)
    first = raw_pixels(CAMERA / name)
    assert difference(out, first) < difference(out, second)


def test_data_after_the_end_marker_is_gone(site: Project):
    for name in ("nokia_lumia820_gps_trailer.jpg", "exiftool_kitchen_sink_adobergb.jpg"):
        source = (CAMERA / name).read_bytes()
        assert audit.check_jpeg(source), "the source itself has trailing data or metadata"
        for path in outputs(site, name, "jpg"):
            assert audit.check_jpeg(path.read_bytes()) == []
            assert path.read_bytes().rstrip(b"\x00").endswith(b"\xff\xd9")


def test_sources_metadata_text_is_collected_for_the_page_check():
    """The strings the page check searches for include the model, serials, GPS, IPTC and XMP history."""
    def texts(name: str) -> set[str]:
        return {n.text for n in audit.source_needles(CAMERA / name)}
    assert {"iPhone 6 Plus", "40.004"} <= texts("iphone6plus_gps_orient6.jpg")
    assert {"B9V508278", "ABG366769", "4124207000283102"} <= texts("olympus_ep3_serials.jpg")
    assert {"Budapest", "Hungary"} <= texts("nokia_n70_iptc.jpg")
    assert "278290" in texts("flir_duopror_gps_serial_xmp.tiff")
    assert "Galaxy S25 Ultra" in texts("samsung_s25ultra_gps.heic")
    assert "Adobe Photoshop CC 2017 (Windows)" in texts("palette_trns_xmp_history.png")
    assert "2019-01-07 10:13" in texts("exif_chunk.png")       # a PNG text chunk after the image data
