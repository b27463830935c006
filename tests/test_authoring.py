"""`build.py add` and `build.py import` through the real command line, on real files."""

from __future__ import annotations

import hashlib

import yaml
from conftest import Project, run_cli

from gallery.captions import KEYS


def sources(project: Project) -> list[str]:
    return ["--photos", str(project.photos), "--captions", str(project.captions)]


def camera_photo(project: Project, name: str = "IMG_1234.JPG"):
    """A phone photo outside the project, with a camera file name."""
    from PIL import Image
    folder = project.root.parent / "camera"
    folder.mkdir(exist_ok=True)
    path = folder / name
    Image.new("RGB", (640, 480), (30, 140, 90)).save(path, "JPEG")
    return path


# ---- add ----------------------------------------------------------------------------------------

def test_add_copies_under_a_neutral_name_and_writes_a_full_caption(project):
    source = camera_photo(project)
    before = source.read_bytes()
    result = run_cli("add", str(source), "--participant", "lw07", "--prompt", "confidence", *sources(project),
                     cwd=project.root)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "Added lw07-confidence:",
        f"  photos/lw07-confidence.jpg (a copy of {source}; the original is unchanged)",
        "  captions/lw07-confidence.yaml",
        "Next:",
        "  1. Open captions/lw07-confidence.yaml and replace each TODO with the participant's words and a "
        "description of the picture.",
        "  2. When the participant has agreed to publication, set consent.publish: true, consent.scope "
        "(e.g. [web]) and consent.date.",
        "  3. After checking the image for faces, third parties, name badges, documents, screens and house "
        "numbers, record the review: python build.py review lw07-confidence --by INITIALS (it records the photo "
        "and redactions you checked).",
        "  4. Run python build.py check, then python build.py (or python build.py serve --drafts to preview).",
    ]
    assert [p.name for p in project.photos.iterdir()] == ["lw07-confidence.jpg"]
    assert (project.photos / "lw07-confidence.jpg").read_bytes() == before == source.read_bytes()
    text = (project.captions / "lw07-confidence.yaml").read_text()
    data = yaml.safe_load(text)
    assert tuple(data) == KEYS                       # every key present, in the documented order
    assert data["participant"] == "LW07" and data["photo"] == "lw07-confidence.jpg"
    assert data["consent"] == {"publish": False, "scope": [], "date": None}
    assert "IMG_1234" not in text
    for key in KEYS:                                 # and each one explained by a comment on its line
        assert any(line.startswith(f"{key}:") and "#" in line for line in text.splitlines()), key
    assert "# withdrawn:" in text and "# by:" in text and "# date:" in text


def test_an_added_caption_loads_and_is_left_out_until_consent_is_recorded(project):
    source = camera_photo(project)
    run_cli("add", str(source), "--participant", "LW07", "--prompt", "confidence", *sources(project),
            cwd=project.root)
    check = run_cli("check", *sources(project), cwd=project.root)
    assert check.returncode == 0, check.stderr
    assert "left out: captions/lw07-confidence.yaml: no consent to publish (consent.publish is not true)" \
        in check.stderr.splitlines()
    assert "captions/lw07-confidence.yaml:12: warning: 'caption' still holds the placeholder from " \
           "'build.py add'; replace the TODO text" in check.stderr.splitlines()
    build = project.build()
    assert "Published 0 items" in build.stderr
    assert not [n for n in project.tree() if "lw07" in n]
    # the researcher fills it in: now it is published
    path = project.captions / "lw07-confidence.yaml"
    text = path.read_text()
    text = text.replace("TODO: the participant's words about this picture.", "Our team's noticeboard.")
    text = text.replace('"TODO: describe what the picture shows, for people who cannot see it."',
                        "A cork board covered in leaflets and thank-you cards.")
    text = text.replace("  publish: false ", "  publish: true  ").replace("  scope: []", "  scope: [web]")
    text = text.replace("  date:  ", "  date: 2024-05-01  ", 1)
    path.write_text(text)
    reviewed = run_cli("review", "lw07-confidence", "--by", "ST", *sources(project), cwd=project.root)
    assert reviewed.returncode == 0, reviewed.stderr
    build = project.build()
    assert "Published 1 item to site/" in build.stderr
    assert "items/lw07-confidence.html" in project.tree()


def test_add_refuses_to_overwrite(project):
    source = camera_photo(project)
    args = ("add", str(source), "--participant", "LW07", "--prompt", "confidence", *sources(project))
    assert run_cli(*args, cwd=project.root).returncode == 0
    caption = project.captions / "lw07-confidence.yaml"
    caption.write_text(caption.read_text() + "# my edits\n")
    again = run_cli(*args, cwd=project.root)
    assert again.returncode == 1
    assert again.stderr.splitlines() == [
        "captions/lw07-confidence.yaml: already exists; edit it instead, or give another id with --id "
        "(add never overwrites)",
        "photos/lw07-confidence.jpg: already exists; give another id with --id (add never overwrites a photo)",
    ]
    assert caption.read_text().endswith("# my edits\n")
    other = run_cli(*args, "--id", "lw07-confidence-2", cwd=project.root)
    assert other.returncode == 0, other.stderr
    assert (project.photos / "lw07-confidence-2.jpg").is_file()


def test_add_a_reported_item_needs_no_photo(project):
    result = run_cli("add", "--participant", "LW07", "--prompt", "unexpected", "--kind", "reported",
                     *sources(project), cwd=project.root)
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load((project.captions / "lw07-unexpected.yaml").read_text())
    assert data["kind"] == "reported" and data["photo"] is None and data["alt"] is None
    assert list(project.photos.iterdir()) == []
    check = run_cli("check", *sources(project), cwd=project.root)
    assert check.returncode == 0, check.stderr


def test_add_explains_wrong_arguments(project):
    source = camera_photo(project)
    result = run_cli("add", str(source), "--participant", "Jane Smith", "--prompt", "confidance", "--kind",
                     "orignal", *sources(project), cwd=project.root)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "unknown kind 'orignal' (did you mean 'original'?); use original, illustration or reported",
        "participant 'Jane Smith' must be a pseudonymous code such as LW07, never a name",
        "unknown prompt 'confidance' (did you mean 'confidence'?); use one of typical-day, confidence, unexpected",
    ]
    missing = run_cli("add", "--participant", "LW07", "--prompt", "confidence", *sources(project),
                      cwd=project.root)
    assert missing.returncode == 2
    assert missing.stderr.splitlines() == ["give the PHOTO to add (only --kind reported needs none)"]
    reported = run_cli("add", str(source), "--participant", "LW07", "--prompt", "confidence", "--kind", "R",
                       *sources(project), cwd=project.root)
    assert reported.returncode == 2
    assert reported.stderr.splitlines() == ["a reported item has no image; leave out PHOTO or choose another --kind"]
    not_image = project.root / "notes.jpg"
    not_image.write_text("not a picture")
    bad = run_cli("add", str(not_image), "--participant", "LW07", "--prompt", "confidence", *sources(project),
                  cwd=project.root)
    assert bad.returncode == 2
    assert bad.stderr.splitlines() == ["notes.jpg: this file cannot be read as an image (UnidentifiedImageError); "
                                       "use a JPEG, PNG, WebP, TIFF, HEIC or AVIF file"]
    assert list(project.captions.iterdir()) == [] and list(project.photos.iterdir()) == []


def test_add_without_required_options_is_a_usage_error(project):
    result = run_cli("add", "photo.jpg", cwd=project.root)
    assert result.returncode == 2
    assert "the following arguments are required: --participant, --prompt" in result.stderr


# ---- import -------------------------------------------------------------------------------------

GOOD_SHEET = """\
id,participant,prompt,kind,photo,title,caption,alt,consent.publish,consent.scope,consent.date,review.by,review.date
lw01-day,LW01,typical-day,original,lw01-day.jpg,Paperwork,"The paperwork never stops.
It is how people get help.",A desk covered in forms and a mug of tea.,yes,web;print,2024-05-01,ST,2024-05-02
,LW02,unexpected,reported,,,I ended up fixing a bike.,,yes,web,2024-05-03,ST,2024-05-04
,LW03,confidence,original,lw03.jpg,,My notebook.,A worn notebook on a park bench.,no,,,,
"""


def write_sheet(project: Project, text: str, name: str = "sheet.csv"):
    path = project.root / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_writes_caption_files_that_build(project):
    project.photo("lw01-day.jpg")
    project.photo("lw03.jpg")
    sheet = write_sheet(project, GOOD_SHEET)
    result = run_cli("import", str(sheet), *sources(project), cwd=project.root)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "Imported 3 caption files into captions/ from sheet.csv. Next: python build.py check"]
    assert sorted(p.name for p in project.captions.iterdir()) == [
        "lw01-day.yaml", "lw02-unexpected.yaml", "lw03-confidence.yaml"]
    first = yaml.safe_load((project.captions / "lw01-day.yaml").read_text())
    assert first["caption"] == "The paperwork never stops.\nIt is how people get help."
    assert first["consent"]["scope"] == ["web", "print"] and first["consent"]["publish"] is True
    assert str(first["consent"]["date"]) == "2024-05-01" and first["review"] == {
        "by": "ST", "date": first["review"]["date"], "photo": first["review"]["photo"]}   # bound to the photo
    digest = hashlib.sha256((project.photos / "lw01-day.jpg").read_bytes()).hexdigest()
    assert first["review"]["photo"] == f"sha256:{digest}"
    assert "|" in (project.captions / "lw01-day.yaml").read_text()   # multi-line text stays readable
    build = project.build()
    assert "Published 2 items to site/" in build.stderr
    assert "left out: captions/lw03-confidence.yaml: no consent to publish (consent.publish is not true)" \
        in build.stderr.splitlines()


def test_import_reports_every_bad_row_and_writes_nothing(project):
    sheet = write_sheet(project, """\
participant,prompt,kind,photo,caption,alt,consent.publish,consent.date
LW01,typical-day,original,a.jpg,Fine words.,A desk with a laptop and papers.,yes,2024-05-01
LW02,confidance,original,b.jpg,Words.,A bus stop in the rain at night.,yes,2024-05-01
LW03,unexpected,original,c.jpg,Words.,A park bench under a tall tree.,maybe,01/05/2024

Jane,unexpected,reported,,,,,
LW05,typical-day,original,a.jpg,Words.,A kettle next to a pile of mugs.,no,
""")
    result = run_cli("import", str(sheet), *sources(project), cwd=project.root)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if ": warning: " not in line]
    assert lines == [                     # in row order
        "sheet.csv:3: unknown prompt 'confidance' (did you mean 'confidence'?); use one of typical-day, "
        "confidence, unexpected",
        "sheet.csv:4: column 'consent.publish': 'maybe' must be yes or no (or true/false)",
        "sheet.csv:4: column 'consent.date': '01/05/2024' is not a date written YYYY-MM-DD, e.g. 2024-05-01",
        "sheet.csv:6: the 'caption' cell is empty; fill it in",
        "sheet.csv:7: photo 'a.jpg' is also used by row 2; each photo belongs to one item",
    ]
    assert list(project.captions.iterdir()) == []


def test_import_checks_the_header(project):
    sheet = write_sheet(project, "participant,prompt,consent.publsh\nLW01,typical-day,yes\n")
    result = run_cli("import", str(sheet), *sources(project), cwd=project.root)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "sheet.csv:1: unknown column 'consent.publsh' (did you mean 'consent.publish'?); columns are named "
        "after caption keys (see README, Commands)",
        "sheet.csv:1: missing column 'kind'; add it to the first row",
        "sheet.csv:1: missing column 'caption'; add it to the first row",
    ]


def test_import_refuses_to_overwrite_unless_asked(project):
    project.item("lw01-day")
    before = (project.captions / "lw01-day.yaml").read_text()
    sheet = write_sheet(project, "id,participant,prompt,kind,caption\nlw01-day,LW01,typical-day,reported,New words.\n")
    refused = run_cli("import", str(sheet), *sources(project), cwd=project.root)
    assert refused.returncode == 1
    assert refused.stderr.splitlines() == [
        "sheet.csv:2: captions/lw01-day.yaml already exists; pass --overwrite to replace it, or remove the row"]
    assert (project.captions / "lw01-day.yaml").read_text() == before
    done = run_cli("import", str(sheet), "--overwrite", *sources(project), cwd=project.root)
    assert done.returncode == 0, done.stderr
    assert yaml.safe_load((project.captions / "lw01-day.yaml").read_text())["caption"] == "New words."


def test_import_warns_about_photos_not_yet_in_the_folder_and_rejects_non_utf8(project):
    sheet = write_sheet(project, "participant,prompt,kind,photo,caption,alt\n"
                                 "LW01,typical-day,O,later.jpg,Words.,A desk with a laptop and papers.\n")
    result = run_cli("import", str(sheet), *sources(project), cwd=project.root)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[0] == ("sheet.csv:2: warning: photo 'later.jpg' is not in photos/ yet; "
                                             "add it before building")
    latin = project.root / "latin.csv"
    latin.write_bytes("participant,prompt,kind,caption\nLW01,typical-day,R,Caf\xe9\n".encode("latin-1"))
    bad = run_cli("import", str(latin), *sources(project), cwd=project.root)
    assert bad.returncode == 1
    assert bad.stderr.splitlines() == ["latin.csv: the file is not UTF-8 text; in the spreadsheet save it as "
                                       "'CSV UTF-8'"]
