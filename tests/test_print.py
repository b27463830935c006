"""`python build.py print`: the PDFs read back by independent tools (poppler's pdftotext, pdfinfo,
pdffonts; exiftool) and by pypdf: the right items and only those, in pack order, tagged, language
set, fonts embedded, no source metadata anywhere, withdrawal reaching print and its checklist."""

from __future__ import annotations

import shutil
import subprocess
import zlib
from pathlib import Path

import pytest
from conftest import REPO, Project, copy_of, require_tool, run_cli, start_paused

SHOWED_FIRST = "What do you See here?"
PRINT_SETTINGS = """\
title: Link workers in print
print:
  footer: Only for the March meeting
prompts:
  - id: typical-day
    title: A typical day
    question: Take a picture of a typical part of your working day.
    discussion: [What surprised you in these pictures?, What would you change first?]
  - id: confidence
    title: Confidence in the role
    question: Take a picture of something that gives you confidence in your role.
  - id: unexpected
    title: The unexpected
    question: Take a picture of an unexpected part of your role.
"""
ARTIST = "Quentin Sourcephotographer"


def pdftotext(pdf: Path, *extra: str) -> str:
    return subprocess.run([require_tool("pdftotext"), "-layout", *extra, str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


def pdfinfo(pdf: Path) -> dict[str, str]:
    out = subprocess.run([require_tool("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


def print_args(p: Project, *extra: str) -> list[str]:
    return ["print", "--photos", str(p.photos), "--captions", str(p.captions), "--config", str(p.config),
            "--templates", str(p.templates), "--site", str(p.out), "--out", str(p.root / "print"), *extra]


def run_print(p: Project, *extra: str, check: bool = True, env=None) -> subprocess.CompletedProcess:
    result = run_cli(*print_args(p, *extra), cwd=p.root, env=env, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"print failed ({result.returncode}):\n{result.stderr}")
    return result


def scoped(path: Path, scope: str) -> Path:
    path.write_text(path.read_text(encoding="utf-8").replace("scope: [web]", f"scope: [{scope}]"), encoding="utf-8")
    return path


def printable_project(root: Path) -> Project:
    """Two prompts, items in a set order, and one of each kind the gate keeps off paper."""
    p = Project(root)
    p.photo("a.jpg", colour=(200, 90, 40))
    p.photo("b.jpg", colour=(40, 120, 200), size=(900, 1200))
    p.photo("c.jpg", colour=(60, 160, 90))
    p.photo("web.jpg", colour=(120, 120, 120))
    p.photo("nope.jpg", colour=(90, 60, 160))
    p.photo("gone.jpg", colour=(160, 60, 90))
    scoped(p.caption("lw02-day", participant="LW02", photo="b.jpg", caption="Second in order, the bus stop.",
                     extra="order: 2\ntitle: The bus stop\n"), "web, print")
    scoped(p.caption("lw01-day", participant="LW01", photo="a.jpg", caption="First in order, the desk.",
                     extra="order: 1\ntitle: The desk\ncontent_note: A hospital letter, names covered.\n"),
           "web, print, exhibition")
    scoped(p.caption("lw03-day", participant="LW03", kind="reported", photo=None, alt=None,
                     caption="Third, told in words, the home visit.", extra="order: 3\n"), "print")
    scoped(p.caption("lw01-confidence", participant="LW01", prompt="confidence", photo="c.jpg",
                     caption="Confidence, the team noticeboard.", extra="title: The noticeboard\n"),
           "print, exhibition")
    p.caption("lw04-day", participant="LW04", photo="web.jpg", caption="Only for the web, never printed.")
    scoped(p.caption("lw05-day", participant="LW05", photo="nope.jpg", caption="No consent to publish at all.",
                     publish="false"), "web, print")
    gone = scoped(p.caption("lw06-day", participant="LW06", photo="gone.jpg", caption="Withdrawn before printing."),
                  "web, print")
    gone.write_text(gone.read_text().replace("  date: 2024-05-01\n", "  date: 2024-05-01\n  withdrawn: 2024-06-01\n",
                                             1), encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> Project:
    p = printable_project(tmp_path_factory.mktemp("print") / "proj")
    p.config.write_text(p.config.read_text(encoding="utf-8").replace("title: Test gallery\n", PRINT_SETTINGS),
                        encoding="utf-8")
    result = run_print(p, "--exhibition")
    p.said = result.stderr    # type: ignore[attr-defined]
    return p


def test_one_pack_per_prompt_and_one_of_all_holding_only_printable_items_in_order(printed):
    folder = printed.root / "print"
    assert sorted(f.name for f in folder.iterdir() if f.suffix == ".pdf") == [
        "pack-all.pdf", "pack-confidence.pdf", "pack-typical-day.pdf", "panel-lw01-confidence.pdf",
        "panel-lw01-day.pdf"]
    day = pdftotext(folder / "pack-typical-day.pdf")
    assert "Take a picture of a typical part of your working day." in day
    assert day.index("First in order") < day.index("Second in order") < day.index("Third, told in words")
    assert "Described in words: there is no picture" in day           # the words-only item as a text card
    assert "Warning: A hospital letter, names covered." in day
    assert day.index("Warning:") < day.index("First in order")
    for kept_off in ("Only for the web", "No consent to publish", "Withdrawn before printing", "Confidence,"):
        assert kept_off not in day
    # the prompt's own questions, after its pictures; the SHOWeD questions for a prompt that lists none
    assert day.index("Third, told in words") < day.index("1. What surprised you in these pictures?")
    assert "2. What would you change first?" in day and SHOWED_FIRST not in day
    assert SHOWED_FIRST in pdftotext(folder / "pack-confidence.pdf")
    every = pdftotext(folder / "pack-all.pdf")
    assert every.index("First in order") < every.index("Third, told in words") < every.index("What surprised you")
    assert every.index("What surprised you") < every.index("Confidence,") < every.index(SHOWED_FIRST)
    assert "Participant LW02" in day and "Original photo" in day
    pages = int(pdfinfo(folder / "pack-typical-day.pdf")["Pages"])
    assert day.count("Only for the March meeting") == pages + 1      # every page's foot, and the cover
    assert day.count("Link workers in print") == pages + 1          # atop every page, and the cover
    assert "Page 2 of" in day
    assert "not printed: " in printed.said and "lw04-day.yaml: consent scope does not include print" in printed.said
    assert "lw06-day.yaml: consent withdrawn" in printed.said


def test_the_pdfs_are_tagged_titled_in_the_gallery_language_with_every_font_embedded(printed):
    folder = printed.root / "print"
    for pdf in folder.glob("*.pdf"):
        info = pdfinfo(pdf)
        assert info["Tagged"] == "yes", pdf
        assert info["Title"].startswith("Link workers in print: "), pdf
        fonts = subprocess.run([require_tool("pdffonts"), str(pdf)], capture_output=True, text=True,
                               check=True).stdout.splitlines()[2:]
        assert fonts, f"{pdf.name} has no fonts"
        assert all(line.split()[-5] == "yes" for line in fonts), fonts      # the "emb" column
        meta = subprocess.run([require_tool("exiftool"), "-s", "-Language", "-Title", "-Author", str(pdf)],
                              capture_output=True, text=True, check=True).stdout
        assert "Language" in meta and "en-GB" in meta
        assert "Author" not in meta
    assert pdfinfo(folder / "pack-typical-day.pdf")["Page size"].endswith("(A4)")
    assert "1190" in pdfinfo(folder / "panel-lw01-day.pdf")["Page size"]        # A3: 841.89 x 1190.55 pts


def test_every_picture_has_its_alt_text_in_the_structure_tree(printed):
    from pypdf import PdfReader
    alts: list[str] = []

    def walk(node) -> None:
        node = node.get_object()
        if node.get("/S") == "/Figure":
            alts.append(str(node.get("/Alt", "")))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            if hasattr(kid, "get_object") and hasattr(kid.get_object(), "get"):
                walk(kid)

    reader = PdfReader(printed.root / "print" / "pack-typical-day.pdf")
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    assert alts == ["A desk with a laptop and papers."] * 2


def test_the_print_record_and_file_names_reveal_no_source_name(printed):
    from gallery.printing import record
    made, problems = record.load(printed.root / ".gallery")
    assert problems == []
    assert {p.name: p.items for p in made} == {
        "pack-typical-day.pdf": ("lw01-day", "lw02-day", "lw03-day"), "pack-confidence.pdf": ("lw01-confidence",),
        "pack-all.pdf": ("lw01-day", "lw02-day", "lw03-day", "lw01-confidence"),
        "panel-lw01-day.pdf": ("lw01-day",), "panel-lw01-confidence.pdf": ("lw01-confidence",)}
    assert {p.folder for p in made} == {"print"}
    assert all(p.kind == ("panel" if p.name.startswith("panel") else "pack") for p in made)


def test_no_source_metadata_anywhere_in_the_decompressed_pdf(tmp_path):
    exiftool = require_tool("exiftool")
    p = Project(tmp_path / "proj")
    photo = p.photos / "IMG_4021.jpg"
    shutil.copy(REPO / "tests" / "data" / "camera" / "iphone6plus_gps_orient6.jpg", photo)
    subprocess.run([exiftool, "-q", "-overwrite_original", f"-Artist={ARTIST}", f"-XMP-dc:Creator={ARTIST}",
                    "-ImageDescription=Room 12 Riverside Ward", str(photo)], check=True)
    scoped(p.caption("lw01-day", photo="IMG_4021.jpg"), "print")
    run_print(p)
    pdf = p.root / "print" / "pack-typical-day.pdf"
    raw = _decompressed(pdf)
    for needle in (ARTIST.encode(), b"Riverside Ward", b"IMG_4021", b"Apple", b"iPhone", b"GPS"):
        assert needle not in raw, needle
    listed = subprocess.run([exiftool, "-a", "-G1", "-s", "-ee", str(pdf)], capture_output=True, text=True).stdout
    assert ARTIST not in listed and "GPS" not in listed and "Apple" not in listed
    from pypdf import PdfReader
    info = PdfReader(pdf).metadata
    assert set(info) == {"/Title", "/Creator", "/Producer"}


def _decompressed(pdf: Path) -> bytes:
    """Every object of the PDF, its streams decompressed (pypdf), and the file's own bytes."""
    from pypdf import PdfReader
    reader = PdfReader(pdf)
    parts = [pdf.read_bytes()]
    for number in range(1, len(reader.xref_objStm) + 10_000):
        try:
            obj = reader.get_object(number)
        except Exception:  # noqa: BLE001 - object numbers past the end
            break
        if obj is None:
            continue
        if hasattr(obj, "get_data"):
            data = obj.get_data()
            parts.append(data)
            if obj.get("/Filter") == "/DCTDecode":
                assert b"Exif" not in data[:4096] and b"http://ns.adobe.com/xap" not in data
        parts.append(repr(obj).encode("utf-8", "replace"))
    return b"\n".join(parts + [zlib.compress(b"")])


def test_a_prompt_with_nothing_to_print_is_said_once(printed):
    assert printed.said.count("no pack for the prompt 'unexpected'") == 1


def test_withdrawal_reaches_print_and_both_checklists_name_the_packs_by_file_and_date(printed, tmp_path):
    p = copy_of(printed.root, tmp_path)
    p.build()
    first = run_print(p)
    assert "No longer printed" not in first.stderr
    day = _made_day(p)
    path = p.captions / "lw02-day.yaml"
    path.write_text(path.read_text().replace("  date: 2024-05-01\n", "  date: 2024-05-01\n  withdrawn: 2026-11-30\n",
                                             1), encoding="utf-8")
    def cached(item_id: str) -> list[Path]:      # its pictures in the print folder's image cache
        return list((p.root / ".gallery" / "print" / "cache").glob(f"*/{item_id}-*.jpg"))

    assert cached("lw02-day") and cached("lw01-day")
    built = p.build()
    assert "Removed from site/: lw02-day" in built.stderr
    assert not cached("lw02-day") and cached("lw01-day")     # the build removes a withdrawn item's copies there too
    for name in ("pack-typical-day.pdf", "pack-all.pdf"):
        assert f"recall and destroy the paper copies of print/{name} (printed {day})" in built.stderr
    again = run_print(p)
    assert "No longer printed: lw02-day (consent withdrawn on 2026-11-30)" in again.stderr
    assert f"[ ] print/pack-typical-day.pdf (printed {day})" in again.stderr
    text = pdftotext(p.root / "print" / "pack-typical-day.pdf")
    assert "Second in order" not in text and "First in order" in text
    assert "Second in order" not in pdftotext(p.root / "print" / "pack-all.pdf")
    assert not (p.root / "print" / "panel-lw01-day.pdf").exists()     # this run was without --exhibition


def _made_day(p: Project) -> str:
    from gallery.printing import record
    return record.load(p.root / ".gallery")[0][-1].day


def test_large_print_on_letter_paper_is_18_points_and_more_one_item_a_page(printed, tmp_path):
    p = copy_of(printed.root, tmp_path)
    run_print(p, "--large-print", "--paper", "letter")
    pdf = p.root / "print" / "pack-typical-day-large-print.pdf"
    info = pdfinfo(pdf)
    assert info["Page size"].startswith("612 x 792")
    assert info["Pages"] == "5"            # the cover, one page for each of the three items, the questions
    boxes = subprocess.run([require_tool("pdftotext"), "-bbox", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout
    import re
    heights = [float(b) - float(a) for a, b in re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" '
                                                         r'yMax="([\d.]+)"', boxes)]
    assert heights and min(heights) >= 18 * 1.1    # a word's box is ~1.16 em of DejaVu Sans: 18 pt or more
    assert not (p.root / "print" / "pack-typical-day.pdf").exists()     # the folder is replaced whole


@pytest.mark.parametrize("where", ["site", "site/print", "photos", "captions/packs", ".", "www"])
def test_a_print_folder_that_is_or_is_inside_a_source_or_the_site_is_refused(project, where):
    project.item("lw01-day")
    project.build()
    project.build("--out", str(project.root / "www"))       # another site of this project, beside it
    before = sorted(str(f) for f in project.root.rglob("*"))
    result = run_cli(*print_args(project)[:-1], str(project.root / where), cwd=project.root)
    assert result.returncode == 1, result.stderr
    assert "choose" in result.stderr and "Traceback" not in result.stderr
    assert "such as print/" in result.stderr and "such as site/" not in result.stderr
    assert sorted(str(f) for f in project.root.rglob("*")) == before


def test_a_failed_print_leaves_the_previous_folder_as_it_was(printed, tmp_path):
    p = copy_of(printed.root, tmp_path)
    folder = p.root / "print"
    before = {f.name: f.read_bytes() for f in folder.iterdir()}
    (p.templates / "print").mkdir()
    (p.templates / "print" / "pack.html").write_text(
        '<html lang="en"><head><title>x</title><link rel="stylesheet" href="https://example.org/pack.css">'
        "</head><body>x</body></html>", encoding="utf-8")
    result = run_print(p, check=False)
    assert result.returncode == 1
    assert "a print template asks for https://example.org/pack.css" in result.stderr
    assert "Nothing was printed; print/ is unchanged." in result.stderr
    shutil.rmtree(p.templates / "print")
    (p.captions / "lw02-day.yaml").write_text("participant: [\n", encoding="utf-8")
    broken = run_print(p, check=False)
    assert broken.returncode == 1 and "lw02-day.yaml:" in broken.stderr
    assert {f.name: f.read_bytes() for f in folder.iterdir()} == before
    assert not list(p.root.glob(".gallery-staging-*"))


def test_missing_pango_or_fonts_is_one_line_naming_the_install_command(printed, tmp_path):
    p = copy_of(printed.root, tmp_path)
    broken = tmp_path / "lib"
    broken.mkdir()
    for name in ("libpango-1.0.so.0", "libpango-1.0.so", "libpango-1.0-0.so"):
        (broken / name).write_bytes(b"not a shared library")
    result = run_print(p, check=False, env={"LD_LIBRARY_PATH": str(broken)})
    assert result.returncode == 1, result.stderr
    assert "install it with: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0" in result.stderr
    assert "Traceback" not in result.stderr
    empty = tmp_path / "fonts.conf"
    empty.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                     f"<dir>{tmp_path / 'none'}</dir><cachedir>{tmp_path / 'fc'}</cachedir></fontconfig>")
    result = run_print(p, check=False, env={"FONTCONFIG_FILE": str(empty)})
    assert result.returncode == 1, result.stderr
    assert "Fontconfig finds none; install one with: sudo apt-get install fonts-dejavu-core" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unresolved_flag_or_nothing_to_show_keeps_an_item_off_paper(project):
    shutil.copy(REPO / "tests" / "data" / "screen" / "astronaut.png", project.photos / "lw07-day.png")
    scoped(project.caption("lw07-day", participant="LW07", photo="lw07-day.png"), "print")
    scoped(project.caption("lw08-day", participant="LW08", kind="reported", photo=None, alt=None,
                           caption='"<!-- only a comment -->"'), "print")
    project.item("lw09-day", participant="LW09")
    scoped(project.captions / "lw09-day.yaml", "print")
    result = run_print(project)
    assert "lw07-day.yaml: 1 screening flag not resolved (1: face" in result.stderr
    assert "lw08-day.yaml: nothing to print: it has no picture" in result.stderr
    assert "printed print/pack-typical-day.pdf: 1 item" in result.stderr


def test_a_build_reminds_of_packs_that_still_hold_a_withdrawn_print_only_item(printed, tmp_path):
    p = copy_of(printed.root, tmp_path)
    day = _made_day(p)
    path = p.captions / "lw03-day.yaml"       # a words-only item consented for print, never on the web
    path.write_text(path.read_text().replace("  date: 2024-05-01\n", "  date: 2024-05-01\n  withdrawn: 2026-11-30\n",
                                             1), encoding="utf-8")
    built, again = p.build(), p.build()
    for said in (built.stderr, again.stderr):          # the rebuild with nothing changed reminds too
        assert f"print/pack-typical-day.pdf (printed {day}) still holds lw03-day, withdrawn" in said
        assert f"print/pack-all.pdf (printed {day}) still holds lw03-day" in said
    assert "Nothing changed" in again.stderr
    path.unlink()                                      # its caption file deleted too: the record still knows it
    gone = p.build()
    assert f"print/pack-all.pdf (printed {day}) still holds lw03-day" in gone.stderr, gone.stderr
    run_print(p, "--exhibition")
    assert "still holds" not in p.build().stderr


@pytest.mark.parametrize("how", ["SIGKILL", "SIGINT"])
def test_a_print_killed_before_its_swap_leaves_the_previous_folder_and_the_next_one_tidies(printed, tmp_path, how):
    """SIGKILL: the next print deletes the staging folder; Ctrl-C (SIGINT): this one does, and says so."""
    import signal
    p = copy_of(printed.root, tmp_path)
    folder = p.root / "print"
    before = {f.name: f.read_bytes() for f in folder.iterdir()}
    proc = start_paused(print_args(p), p.root, tmp_path / "pauses", "print-swap")
    staged = list(p.root.glob(".gallery-staging-print-*"))
    assert staged and any(f.suffix == ".pdf" for f in staged[0].iterdir())
    proc.send_signal(getattr(signal, how))
    _, err = proc.communicate(timeout=30)
    assert {f.name: f.read_bytes() for f in folder.iterdir()} == before
    if how == "SIGINT":
        assert proc.returncode == 130 and err.decode().splitlines()[-1] == "Interrupted; print/ is unchanged.", err
        assert not list(p.root.glob(".gallery-staging-print-*"))
    run_print(p)
    assert not list(p.root.glob(".gallery-staging-print-*"))


def test_loading_the_pdf_writer_leaves_pillow_refusing_truncated_images():
    """WeasyPrint's import sets Pillow's LOAD_TRUNCATED_IMAGES for the whole process; print puts it back,
    so that a photo decoded after it (the audit's, a worker's) is still refused when truncated."""
    import sys
    code = ("from PIL import ImageFile; from gallery.printing import pdf; before = ImageFile.LOAD_TRUNCATED_IMAGES; "
            "import weasyprint, importlib; assert ImageFile.LOAD_TRUNCATED_IMAGES, 'WeasyPrint no longer sets it'; "
            "ImageFile.LOAD_TRUNCATED_IMAGES = before; pdf.load(); print(ImageFile.LOAD_TRUNCATED_IMAGES)")
    fresh = ("from PIL import ImageFile; from gallery.printing import pdf; pdf.load(); "
             "print(ImageFile.LOAD_TRUNCATED_IMAGES)")
    for program in (fresh, code):
        out = subprocess.run([sys.executable, "-c", program], cwd=REPO, capture_output=True, text=True, check=True)
        assert out.stdout.strip() == "False", out.stderr


def test_the_printed_folder_passes_the_audit_command(printed):
    result = run_cli("audit", str(printed.root / "print"), "--photos", str(printed.photos), cwd=printed.root)
    assert result.returncode == 0, result.stderr
    assert "is clean" in result.stderr


@pytest.mark.parametrize(("yaml_text", "line", "expected"), [
    ("print:\n  paper: a5\n", 2, "'print.paper' is 'a5'; it must be a4 or letter"),
    ("print: yes please\n", 1, "'print' must be a mapping: footer"),
    ("print:\n  folder: x\n", 2, "folder"),
    ("prompts:\n  - id: day\n    title: Day\n    question: Q?\n    discussion: What now?\n", 5,
     "prompt 1: 'discussion' must be a list of questions"),
])
def test_print_settings_that_are_wrong_name_the_file_and_line(tmp_path, yaml_text, line, expected):
    from gallery.config import load_config
    from gallery.errors import ConfigError
    path = tmp_path / "gallery.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    problem = caught.value.problems[0]
    assert problem.path == path and expected in problem.message
    assert problem.line == line, problem


def test_the_printed_picture_is_the_pipelines_own_redacted_re_encoded_jpeg(project, tmp_path):
    from PIL import Image

    from gallery.images import REDACT_COLOUR
    project.photo("lw01-day.jpg", colour=(200, 90, 40), size=(1200, 900))
    scoped(project.caption("lw01-day", extra="redact:\n  - [0.5, 0.5, 0.4, 0.4]\n"), "print")
    run_print(project)
    subprocess.run([require_tool("pdfimages"), "-j", str(project.root / "print" / "pack-typical-day.pdf"),
                    str(tmp_path / "img")], check=True)
    [jpeg] = sorted(tmp_path.glob("img-*.jpg"))
    with Image.open(jpeg) as im:
        assert im.size == (1200, 900)                  # never upscaled past the photo
        assert not im.getexif() and "icc_profile" not in im.info and "comment" not in im.info
        rgb = im.convert("RGB")
        inside, outside = rgb.getpixel((840, 630)), rgb.getpixel((240, 180))
    assert all(abs(a - b) <= 12 for a, b in zip(inside, REDACT_COLOUR, strict=True)), inside
    assert all(abs(a - b) <= 12 for a, b in zip(outside, (200, 90, 40), strict=True)), outside


def test_an_item_only_for_exhibition_gets_the_same_checks_and_is_never_recalled_for_a_run_without_panels(
        printed, tmp_path):
    p = copy_of(printed.root, tmp_path)
    shutil.copy(p.photos / "gone.jpg", p.photos / "wall.jpg")        # the withdrawn item's picture, renamed
    scoped(p.caption("lw07-day", participant="LW07", photo="wall.jpg", caption="On the wall."), "exhibition")
    refused = run_print(p, "--exhibition", check=False)
    assert refused.returncode == 1
    assert "lw07-day.yaml" in refused.stderr and "whose consent was withdrawn" in refused.stderr
    p.photo("wall.jpg", colour=(10, 200, 200))
    shown = run_print(p, "--exhibition")
    assert (p.root / "print" / "panel-lw07-day.pdf").is_file()
    assert "lw07-day" not in "".join(line for line in shown.stderr.splitlines() if line.startswith("not printed"))
    without = run_print(p)
    assert "No longer printed" not in without.stderr                  # its panel was not made: nothing to recall


def test_a_print_folder_inside_another_site_of_the_project_is_refused(project):
    project.item("lw01-day")
    project.build("--out", str(project.root / "public"))
    result = run_cli(*print_args(project)[:-1], str(project.root / "public" / "handouts"), cwd=project.root)
    assert result.returncode == 1 and "is, or is inside, a site built by this tool" in result.stderr
    assert not (project.root / "public" / "handouts").exists()


def test_a_damaged_print_record_stops_print_and_is_named_by_the_build(printed, tmp_path):
    p = copy_of(printed.root, tmp_path)
    path = p.root / ".gallery" / "print-record.json"
    path.write_text("{not json", encoding="utf-8")
    result = run_print(p, check=False)
    assert result.returncode == 1
    assert "print-record.json: the print record is damaged" in result.stderr
    assert "print refuses to run until then" in result.stderr
    assert path.read_text(encoding="utf-8") == "{not json"
    gone = p.captions / "lw03-day.yaml"
    gone.write_text(gone.read_text().replace("  date: 2024-05-01\n", "  date: 2024-05-01\n  withdrawn: 2026-11-30\n",
                                             1), encoding="utf-8")
    assert "the print record is damaged" in p.build().stderr


def test_a_template_error_in_a_print_override_is_a_message_naming_it(printed, tmp_path):
    p = copy_of(printed.root, tmp_path)
    (p.templates / "print").mkdir()
    (p.templates / "print" / "pack.html").write_text("{% extends 'print/base.html' %}{% block body %}{{ oops( }}"
                                                     "{% endblock %}", encoding="utf-8")
    result = run_print(p, check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "print/pack.html:1: template error:" in result.stderr


def test_a_run_with_nothing_to_print_is_recorded_and_the_pictures_of_withdrawn_items_go(printed, tmp_path):
    p = copy_of(printed.root, tmp_path)
    cache = p.root / ".gallery" / "print" / "cache"
    before = {f.name for f in cache.rglob("*.jpg")}
    assert len(before) == 3                                   # lw01-day, lw02-day, lw01-confidence
    for caption in p.captions.glob("*.yaml"):
        caption.write_text(caption.read_text().replace("print, exhibition", "web").replace("web, print", "web")
                           .replace("scope: [print]", "scope: [web]"), encoding="utf-8")
    emptied = run_print(p)
    assert "Nothing to print" in emptied.stderr and "No longer printed: lw01-day" in emptied.stderr
    assert not list(cache.rglob("*.jpg"))
    assert "still holds" not in p.build().stderr              # print/ holds no pack now: nothing to remind


def test_a_review_of_another_photo_keeps_the_item_off_paper(project):
    from conftest import FIXTURE_REVIEW, UNSEEN
    project.photo("lw01-day.jpg")
    path = scoped(project.caption("lw01-day"), "print")
    text = path.read_text(encoding="utf-8")
    start = text.index("  photo: sha256:")
    path.write_text(text[:start] + f"  photo: {UNSEEN}\n" + text[text.index(FIXTURE_REVIEW, start)
                                                                 + len(FIXTURE_REVIEW) + 1:], encoding="utf-8")
    result = run_print(project)
    assert "not printed: captions/lw01-day.yaml: the photo changed after its review" in result.stderr
    assert "Nothing to print" in result.stderr


def test_a_pack_printed_twice_on_one_day_is_one_line_of_the_checklist():
    from gallery.printing import record
    runs = [record.Printed("pack-all.pdf", "print", made, "pack", ("lw01-day",))
            for made in ("2026-12-01T09:00:00+00:00", "2026-12-01T15:00:00+00:00", "2026-12-02T09:00:00+00:00")]
    held = record.holding(runs + [record.Printed("pack-all.pdf", "print-large", runs[0].made, "pack", ("lw01-day",))],
                          "lw01-day")
    assert [(p.where, p.day) for p in held] == [("print/pack-all.pdf", "2026-12-01"),
                                                ("print/pack-all.pdf", "2026-12-02"),
                                                ("print-large/pack-all.pdf", "2026-12-01")]
