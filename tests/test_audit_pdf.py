"""The privacy audit of printed PDFs: real PDFs written by WeasyPrint, leaks planted, each one found.

Every PDF here is made by WeasyPrint 70 (`pdf_variant="pdf/ua-1"`, as the print command writes
them) from HTML with real JPEGs: made by Pillow, or the committed camera files (tests/data/camera),
whose real metadata is what must never reach paper. pdfinfo, pdfimages and exiftool confirm what
the tests assert about the files.
"""

from __future__ import annotations

import io
import json
import random
import shutil
import subprocess
import time
from pathlib import Path

import pypdf
import pytest
from conftest import REPO, require_tool, run_cli
from PIL import Image, ImageCms
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from gallery import audit
from gallery.audit.metadata import source_needles
from gallery.audit.pdfdoc import check_pdf
from gallery.lint import PHOTO_SUFFIXES

CAMERA = REPO / "tests" / "data" / "camera"
SOURCES = sorted(p for p in CAMERA.iterdir() if p.suffix.lower() in PHOTO_SUFFIXES)
GPS_PHONE = CAMERA / "iphone6plus_gps_orient6.jpg"          # GPS, Apple maker notes, Orientation 6
OLYMPUS = CAMERA / "olympus_ep3_serials.jpg"                 # body serial B9V508278 in its maker notes
KITCHEN_SINK = CAMERA / "exiftool_kitchen_sink_adobergb.jpg"  # EXIF Artist "Phil Harvey"
AS_STORED = "img { image-orientation: none }"   # WeasyPrint then embeds a JPEG with EXIF as it is


@pytest.fixture(autouse=True)
def pillow_stays_strict():
    """Importing WeasyPrint sets Pillow's ImageFile.LOAD_TRUNCATED_IMAGES = True for the whole process
    (weasyprint/images.py): put it back, so that later tests see a truncated photo refused as the gallery
    refuses it."""
    from PIL import ImageFile
    before = ImageFile.LOAD_TRUNCATED_IMAGES
    yield
    ImageFile.LOAD_TRUNCATED_IMAGES = before


def clean_jpeg(path: Path, colour=(180, 120, 60), **save) -> Path:
    """A JPEG as the gallery publishes it: pixels only (Pillow writes a plain JFIF header)."""
    Image.new("RGB", (96, 64), colour).save(path, quality=85, **save)
    return path


def write_pdf(path: Path, body: str, *, title: str = "Discussion pack: a typical day", css: str = "",
              head: str = "") -> Path:
    import weasyprint
    html = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>{head}'
            f"<style>{css}</style></head><body>{body}</body></html>")
    weasyprint.HTML(string=html, base_url=str(path.parent)).write_pdf(path, pdf_variant="pdf/ua-1")
    return path


def pack_body(images: list[str]) -> str:
    pages = [f'<section style="break-after: page"><h2 id="p{i}">Picture {i}</h2>'
             f'<img src="{name}" alt="A kitchen table, picture {i}" style="width: 8cm">'
             f'<p>What does a typical day look like? <a href="#p0">Back to the start</a>, '
             f'<a href="https://gallery.example.org/items/lw07-day.html">online</a>.</p></section>'
             for i, name in enumerate(images)]
    return "<h1>A typical day</h1>" + "".join(pages)


def print_folder(tmp_path: Path) -> Path:
    """A print folder as the print command leaves it: PDFs and the manifest."""
    folder = tmp_path / "print"
    folder.mkdir()
    clean_jpeg(tmp_path / "lw07-day-0123456789-960.jpg")
    clean_jpeg(tmp_path / "lw08-day-9876543210-960.jpg", colour=(40, 90, 160))
    images = ["../lw07-day-0123456789-960.jpg", "../lw08-day-9876543210-960.jpg"]
    write_pdf(folder / "pack-typical-day.pdf", pack_body(images))
    write_pdf(folder / "panel-lw07-day.pdf", pack_body(images[:1]), title="LW07: a typical day")
    (folder / ".gallery-manifest.json").write_text(json.dumps({"files": ["pack-typical-day.pdf",
                                                                         "panel-lw07-day.pdf"]}))
    return folder


def found(folder: Path, sources=SOURCES) -> list[str]:
    return [str(p) for p in audit.audit_print(folder, sources)]


def rewritten(path: Path, change) -> None:
    """path written again by pypdf after change(writer): a copy of the PDF with one thing added."""
    writer = pypdf.PdfWriter(clone_from=path)
    change(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    path.write_bytes(buffer.getvalue())


def test_weasyprint_copies_a_jpeg_into_the_pdf_as_it_is(tmp_path: Path):
    """Why the embedded images must be walked: a source photo's bytes, GPS and all, reach the PDF."""
    require_tool("pdfimages")
    exiftool = require_tool("exiftool")
    shutil.copy(GPS_PHONE, tmp_path / "photo.jpg")
    pdf = write_pdf(tmp_path / "pack.pdf", '<img src="photo.jpg" alt="a surface">', css=AS_STORED)
    subprocess.run(["pdfimages", "-j", str(pdf), str(tmp_path / "out")], check=True)
    assert (tmp_path / "out-000.jpg").read_bytes() == GPS_PHONE.read_bytes()
    tags = subprocess.run([exiftool, "-s", "-GPSLatitude", "-Model", str(tmp_path / "out-000.jpg")],
                          capture_output=True, text=True, check=True).stdout
    assert "GPSLatitude" in tags and "iPhone 6 Plus" in tags
    # with EXIF orientation applied (the CSS default) WeasyPrint re-encodes it, and the EXIF goes...
    write_pdf(tmp_path / "turned.pdf", '<img src="photo.jpg" alt="a surface">')
    subprocess.run(["pdfimages", "-j", str(tmp_path / "turned.pdf"), str(tmp_path / "turned")], check=True)
    assert b"Exif\x00" not in (tmp_path / "turned-000.jpg").read_bytes()
    # ...but an ICC profile or a comment in a JPEG without EXIF is always copied as it is
    clean_jpeg(tmp_path / "icc.jpg", icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    write_pdf(tmp_path / "icc.pdf", '<img src="icc.jpg" alt="a square">')
    subprocess.run(["pdfimages", "-j", str(tmp_path / "icc.pdf"), str(tmp_path / "icc")], check=True)
    assert (tmp_path / "icc-000.jpg").read_bytes() == (tmp_path / "icc.jpg").read_bytes()


def test_a_clean_print_folder_passes(tmp_path: Path):
    folder = print_folder(tmp_path)
    assert found(folder) == []
    info = subprocess.run([require_tool("pdfinfo"), str(folder / "pack-typical-day.pdf")], capture_output=True,
                          text=True, check=True).stdout
    keys = {line.split(":", 1)[0] for line in info.splitlines()}
    assert {"Title", "Producer"} <= keys and not keys & {"Author", "Subject", "Keywords", "Creator", "CreationDate",
                                                         "ModDate"}
    result = run_cli("audit", str(folder), "--photos", str(CAMERA))
    assert result.returncode == 0, result.stderr
    assert result.stderr == f"audit: {folder} is clean\n"


def test_what_weasyprint_writes_by_itself_is_only_the_title_and_the_generator(tmp_path: Path):
    reader = pypdf.PdfReader(print_folder(tmp_path) / "pack-typical-day.pdf")
    assert sorted(reader.metadata) == ["/Producer", "/Title"]
    assert reader.metadata["/Producer"].startswith("WeasyPrint ")


def test_an_embedded_jpeg_with_exif_and_gps_is_a_finding(tmp_path: Path):
    folder = print_folder(tmp_path)
    shutil.copy(GPS_PHONE, tmp_path / "kitchen.jpg")
    write_pdf(folder / "pack-all.pdf", pack_body(["../kitchen.jpg"]), css=AS_STORED)
    problems = found(folder)
    assert len(problems) == 1 and problems[0].startswith(f"{folder}/pack-all.pdf: image (object "), problems
    assert problems[0].endswith("), embedded JPEG: JPEG segment APP1 (EXIF) at byte 2: application segments carry "
                                "metadata (EXIF, XMP, ICC, IPTC, thumbnails); only image data may be published")


@pytest.mark.parametrize("save, segment", [
    ({"icc_profile": ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()}, "APP2 (ICC profile)"),
    ({"comment": b"Phil Harvey, Kingston"}, "COM"),
])
def test_an_embedded_jpeg_with_an_icc_profile_or_a_comment_is_a_finding(tmp_path: Path, save, segment):
    folder = print_folder(tmp_path)
    clean_jpeg(tmp_path / "other.jpg", **save)
    write_pdf(folder / "pack-all.pdf", pack_body(["../other.jpg"]))
    problems = found(folder)
    assert len(problems) == 1 and problems[0].startswith(f"{folder}/pack-all.pdf: image (object "), problems
    assert f"embedded JPEG: JPEG segment {segment} at byte 20: " in problems[0]


def test_an_info_key_holding_the_artist_is_a_finding(tmp_path: Path):
    folder = print_folder(tmp_path)
    artist = next(n.text for n in source_needles(KITCHEN_SINK) if n.what == "EXIF Artist")
    assert artist == "Phil Harvey"
    rewritten(folder / "pack-typical-day.pdf", lambda w: w.add_metadata({"/Author": artist}))
    info = subprocess.run([require_tool("pdfinfo"), str(folder / "pack-typical-day.pdf")], capture_output=True,
                          text=True, check=True).stdout
    assert "Author:          Phil Harvey" in info
    where = f"{folder}/pack-typical-day.pdf"
    assert found(folder, [KITCHEN_SINK]) == [
        f"{where}: document info /Author: only the title and the generator (Title, Producer, Creator) may be "
        "written; anything else can carry a name, a date or a place; print it again with the print command "
        "(it writes none)",
        f"{where}: document info: contains 'Phil Harvey', the EXIF Artist of exiftool_kitchen_sink_adobergb.jpg; "
        "remove it from the caption, settings or template"]


def test_an_author_in_the_html_reaches_the_info_and_the_xmp_and_both_are_findings(tmp_path: Path):
    folder = print_folder(tmp_path)
    write_pdf(folder / "pack-all.pdf", "<p>Hello</p>", head='<meta name="author" content="Phil Harvey">'
              '<meta name="dcterms.created" content="2024-05-01T09:30:00Z">')
    problems = [p.split(": ", 2)[1:] for p in found(folder, [KITCHEN_SINK])]
    assert ["document info /Author", problems[0][1]] in problems
    assert ["document info /CreationDate", problems[0][1]] in problems
    assert ["XMP metadata", "holds the property http://purl.org/dc/elements/1.1/ creator; only the title and the "
                            "generator may be written; print it again with the print command (it writes none)"] \
        in problems
    assert ["XMP metadata", "holds the property http://ns.adobe.com/xap/1.0/ CreateDate; only the title and the "
                            "generator may be written; print it again with the print command (it writes none)"] \
        in problems
    assert any(where == "XMP metadata (stream)" and "'Phil Harvey'" in what for where, what in problems)


def test_a_serial_number_or_an_artist_in_the_page_text_is_found_in_the_page_text(tmp_path: Path):
    """Content streams draw glyphs: only the page's extracted text shows the words."""
    folder = print_folder(tmp_path)
    write_pdf(folder / "pack-all.pdf", "<h1>Pack</h1><p>Taken with body B9V508278.</p>"
              '<p style="break-before: page">Photo: Phil Harvey</p>')
    problems = found(folder, [OLYMPUS, KITCHEN_SINK])
    where = f"{folder}/pack-all.pdf"
    assert problems == [
        f"{where}: page 1 text: contains 'B9V508278', the maker note text (serial number?) of "
        "olympus_ep3_serials.jpg; remove it from the caption, settings or template",
        f"{where}: page 2 text: contains 'Phil Harvey', the EXIF Artist of exiftool_kitchen_sink_adobergb.jpg; "
        "remove it from the caption, settings or template"], problems
    raw = b"".join(p.get_contents().get_data() for p in pypdf.PdfReader(folder / "pack-all.pdf").pages)
    assert b"B9V508278" not in raw and b"Harvey" not in raw


def test_an_attachment_is_a_finding(tmp_path: Path):
    folder = print_folder(tmp_path)
    rewritten(folder / "panel-lw07-day.pdf", lambda w: w.add_attachment("notes.txt", b"participant LW07"))
    problems = found(folder)
    assert f"{folder}/panel-lw07-day.pdf: document catalog: holds a list of embedded files (attachments); print " \
           "it again with the print command (it writes none)" in problems
    assert any(": is an embedded file or a file attachment;" in p for p in problems)
    assert all(p.startswith(f"{folder}/panel-lw07-day.pdf: ") for p in problems)


def test_javascript_and_an_action_that_launches_are_findings(tmp_path: Path):
    folder = print_folder(tmp_path)

    def script(writer: pypdf.PdfWriter) -> None:
        writer.root_object[NameObject("/OpenAction")] = DictionaryObject({
            NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")})
        writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): DictionaryObject({
            NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")})})
    rewritten(folder / "pack-typical-day.pdf", script)
    problems = [p.split(": ", 1)[1] for p in found(folder)]
    assert "document catalog: holds JavaScript; print it again with the print command (it writes none)" in problems
    assert any(p.startswith("document catalog: is an action of type /JavaScript") for p in problems)
    assert any(p.startswith("page 1: is an action of type /Launch") for p in problems)
    assert any(p.startswith("page 1: holds additional actions") for p in problems)


def test_an_image_the_audit_cannot_check_is_a_finding(tmp_path: Path):
    folder = print_folder(tmp_path)

    def jpeg_2000(writer: pypdf.PdfWriter) -> None:
        for image in writer.pages[0]["/Resources"]["/XObject"].values():
            image.get_object()[NameObject("/Filter")] = NameObject("/JPXDecode")
    rewritten(folder / "pack-typical-day.pdf", jpeg_2000)
    problems = found(folder)
    assert len(problems) == 2, problems      # both pictures of the pack
    assert all("compressed as JPXDecode, which the privacy audit cannot check for metadata" in p for p in problems)


def test_a_truncated_pdf_is_a_finding_not_a_traceback(tmp_path: Path):
    folder = print_folder(tmp_path)
    pdf = folder / "pack-typical-day.pdf"
    pdf.write_bytes(pdf.read_bytes()[: pdf.stat().st_size // 2])
    problems = found(folder)
    assert problems[0] == f"{pdf}: end of file: the PDF does not end with %%EOF (truncated, or data after its end)"
    assert problems[1].startswith(f"{pdf}: document: cannot be read as a PDF (")
    result = run_cli("audit", str(folder), "--photos", str(CAMERA))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{pdf}: end of file: the PDF does not end with %%EOF" in result.stderr
    assert "privacy audit: 2 finding(s); nothing may be published until they are fixed" in result.stderr


@pytest.mark.parametrize("name, content, what", [
    ("picture.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "a GIF image"),
    ("notes.txt", b"to do: print the panels\n", "text"),
    ("pack-all.pdf", b"\xff\xd8\xff\xe0 not really a PDF", "JPEG"),
])
def test_a_stray_file_in_the_print_folder_is_a_finding(tmp_path: Path, name, content, what):
    folder = print_folder(tmp_path)
    (folder / name).write_bytes(content)
    assert found(folder) == [f"{folder}/{name}: file: holds {what}, not a PDF: a print folder holds only the PDFs "
                             "the print command writes and its .gallery-manifest.json; remove it from the print folder"]


def test_litter_and_a_pdf_under_another_name_are_findings(tmp_path: Path):
    folder = print_folder(tmp_path)
    (folder / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    shutil.copy(folder / "panel-lw07-day.pdf", folder / "panel-lw08-day.txt")
    assert found(folder) == [
        f"{folder}/Thumbs.db: file: operating-system litter (a file manager's thumbnail cache or folder settings), "
        "not part of the print folder; delete it",
        f"{folder}/panel-lw08-day.txt: file: holds PDF data under a name that does not end in .pdf; rename it to "
        "panel-lw08-day.pdf"]


def test_a_pdf_named_after_a_source_photo_is_a_finding(tmp_path: Path):
    folder = print_folder(tmp_path)
    shutil.copy(folder / "panel-lw07-day.pdf", folder / "olympus_ep3_serials.pdf")
    shutil.copy(folder / "panel-lw07-day.pdf", folder / "panel-img-20240501-093012.pdf")
    lw07 = tmp_path / "lw07-day.jpg"      # a source named like its item: public already, not a leak
    clean_jpeg(lw07)
    assert found(folder, [OLYMPUS, lw07]) == [
        f"{folder}/olympus_ep3_serials.pdf: file name: contains the name of the source photo olympus_ep3_serials.jpg",
        f"{folder}/panel-img-20240501-093012.pdf: file name: the item id 'img-20240501-093012' looks like a camera "
        "file name or a date ('img-20240501'), and the item's page and image addresses would publish it; give the "
        "item or prompt it is named after a neutral id such as lw07-day"]


def test_an_incremental_update_is_a_finding(tmp_path: Path):
    """What an edit replaced stays in the file's bytes, where no reader shows it."""
    folder = print_folder(tmp_path)
    pdf = folder / "pack-typical-day.pdf"
    writer = pypdf.PdfWriter(pdf, incremental=True)
    writer.add_metadata({"/Title": "Discussion pack"})
    buffer = io.BytesIO()
    writer.write(buffer)
    pdf.write_bytes(buffer.getvalue())
    assert [p.split(": ", 2)[1] for p in found(folder)] == ["document"]
    assert "incremental updates" in found(folder)[0]


def test_audit_of_a_site_folder_is_still_the_site_audit(tmp_path: Path):
    folder = print_folder(tmp_path)
    assert audit.is_print_folder(folder)
    (folder / "index.html").write_text("<!doctype html><title>x</title>")
    assert not audit.is_print_folder(folder)
    result = run_cli("audit", str(folder), "--photos", str(CAMERA))
    assert result.returncode == 1
    assert f"{folder}/pack-typical-day.pdf: file: holds a PDF document, which the privacy audit cannot check" \
        in result.stderr


def test_cli_names_every_finding_and_exits_1(tmp_path: Path):
    folder = print_folder(tmp_path)
    rewritten(folder / "pack-typical-day.pdf", lambda w: w.add_metadata({"/Keywords": "B9V508278"}))
    (folder / "picture.gif").write_bytes(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")
    result = run_cli("audit", str(folder), "--photos", str(CAMERA))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines == [
        f"{folder}/pack-typical-day.pdf: document info /Keywords: only the title and the generator (Title, "
        "Producer, Creator) may be written; anything else can carry a name, a date or a place; print it again "
        "with the print command (it writes none)",
        f"{folder}/pack-typical-day.pdf: document info: contains 'B9V508278', the maker note text (serial "
        "number?) of olympus_ep3_serials.jpg; remove it from the caption, settings or template",
        f"{folder}/picture.gif: file: holds a GIF image, not a PDF: a print folder holds only the PDFs the print "
        "command writes and its .gallery-manifest.json; remove it from the print folder",
        "privacy audit: 3 finding(s); nothing may be published until they are fixed"], result.stderr


FUZZ_CASES = 150
FUZZ_SECONDS = 60


def test_damaged_pdfs_are_findings_never_tracebacks(tmp_path: Path):
    """Seeded damage (bytes flipped, cut, spliced) to a real PDF: check_pdf reports, never raises."""
    folder = print_folder(tmp_path)
    data = (folder / "pack-typical-day.pdf").read_bytes()
    rng = random.Random(17)
    started, damaged = time.monotonic(), 0
    for case in range(FUZZ_CASES):
        broken = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            at = rng.randrange(len(broken))
            if rng.random() < 0.7:
                broken[at] = rng.randrange(256)
            else:
                broken[at:at + rng.randint(1, 64)] = b""
        checked = check_pdf(bytes(broken))      # must not raise
        damaged += bool(checked.found)
        assert time.monotonic() - started < FUZZ_SECONDS, f"case {case} of seed 17 is too slow"
    assert damaged > 0


def test_a_number_a_page_draws_with_is_not_a_finding_but_the_same_number_as_text_is(tmp_path: Path):
    """A page's content stream is full of numbers (coordinates, sizes, colours); a short numeric needle
    such as a GPS value matched one of them by chance in a benchmark pack (object 5: '3.733', the GPS
    longitude of a photo). Numbers drawn with are not text; the same number on the page is found."""
    folder = print_folder(tmp_path)
    reader = pypdf.PdfReader(folder / "pack-typical-day.pdf")
    drawn = reader.pages[0].get_contents().get_data().decode("latin-1")
    import re
    number = max(re.findall(r"(?<![\w.])\d+\.\d+(?![\w.])", drawn), key=len)   # the page height, 841.889764
    exiftool = require_tool("exiftool")
    source = tmp_path / "source.jpg"
    shutil.copy(OLYMPUS, source)
    subprocess.run([exiftool, "-q", "-overwrite_original", f"-ImageDescription=Room {number}", f"-Artist={number}",
                    str(source)], check=True)
    assert not [p for p in found(folder, [source]) if number in p]
    write_pdf(folder / "pack-all.pdf", f"<h1>Pack</h1><p>Seen at {number} today.</p>")
    assert any(f"page 1 text: contains '{number}'" in p for p in found(folder, [source]))
