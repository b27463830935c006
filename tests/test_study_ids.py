"""Participant ids as studies write them: real `add`, `import`, `check` and builds through the CLI.

A study code (P001, SAM001, GP012...) is public on purpose, and so is the item id made from it; a
camera's file name (IMG_1234, PXL_2024...) or a date is kept out of every published name, and an id
that looks like one is refused when the caption files are loaded, before any image is made.
"""

from __future__ import annotations

import json
import re

import pytest
import yaml
from conftest import Project, run_cli

from gallery.ids import camera_like, participant_problem

STUDY_CODES = ["P001", "P0001", "P100", "SAM001", "GP012", "VID101", "WP001", "LW07"]


def sources(project: Project) -> list[str]:
    return ["--photos", str(project.photos), "--captions", str(project.captions), "--config", str(project.config)]


def camera_photo(project: Project, name: str = "IMG_1234.jpg"):
    """A phone photo outside the project, with a camera file name."""
    from PIL import Image
    folder = project.root.parent / "camera"
    folder.mkdir(exist_ok=True)
    path = folder / name
    Image.new("RGB", (640, 480), (30, 140, 90)).save(path, "JPEG")
    return path


def fill_in(caption) -> None:
    """What the researcher does after `add`: the words, the alt text, consent and the review."""
    text = caption.read_text(encoding="utf-8")
    text = text.replace("  TODO: the participant's words about this picture.", "  My working day.")
    text = re.sub(r'^alt: "TODO[^"]*"', 'alt: "A desk with a laptop and papers."', text, flags=re.M)
    text = text.replace("  publish: false", "  publish: true").replace("  scope: []", "  scope: [web]")
    text = re.sub(r"^  date:(\s+#)", r"  date: 2024-05-01\1", text, count=1, flags=re.M)
    caption.write_text(text, encoding="utf-8")
    root = caption.parent.parent          # the Project's folder: its photos/ and gallery.yaml
    reviewed = run_cli("review", caption.stem, "--by", "ST", "--date", "2024-05-02", "--photos", str(root / "photos"),
                       "--captions", str(caption.parent), "--config", str(root / "gallery.yaml"), cwd=root)
    assert reviewed.returncode == 0, reviewed.stderr


def errors_of(result) -> list[str]:
    """The error lines of a check or build (not warnings, left-out lines or summaries)."""
    return [line for line in result.stderr.splitlines()
            if ": " in line and ": warning: " not in line and not line.startswith(("left out:", "check:"))
            and "Nothing was published" not in line]


@pytest.mark.parametrize("code", STUDY_CODES)
def test_a_study_code_added_checked_and_built_through_the_cli(project: Project, code: str):
    photo = camera_photo(project)
    added = run_cli("add", str(photo), "--participant", code, "--prompt", "confidence", *sources(project),
                    cwd=project.root)
    assert added.returncode == 0, added.stderr
    item_id = f"{code.lower()}-confidence"
    caption = project.captions / f"{item_id}.yaml"
    assert (project.photos / f"{item_id}.jpg").is_file()
    fill_in(caption)
    check = run_cli("check", *sources(project), cwd=project.root)
    assert check.returncode == 0, check.stderr
    assert errors_of(check) == []
    build = project.build()
    assert "privacy audit" not in build.stderr and "camera" not in build.stderr, build.stderr
    assert "Published 1 item" in build.stderr, build.stderr
    tree = project.tree()
    assert f"items/{item_id}.html" in tree and f"participants/{code.lower()}.html" in tree
    assert any(name.startswith(f"images/{item_id}-") for name in tree)
    assert code.encode() in tree[f"items/{item_id}.html"]
    assert not any(b"IMG_1234" in data or b"img-1234" in data.lower() for data in tree.values())


def test_a_camera_named_photo_is_published_under_the_item_id_and_its_name_is_still_searched(project: Project):
    """IMG_1234.jpg as the caption's photo is fine (the published names never reuse it); the audit
    still refuses the name when a caption repeats it (defence in depth)."""
    project.photo("IMG_1234.jpg")
    project.caption("lw07-day", participant="LW07", photo="IMG_1234.jpg")
    build = project.build()
    assert "Published 1 item" in build.stderr
    assert not any("img_1234" in name.lower() or "img-1234" in name.lower() for name in project.tree())
    project.caption("lw07-day", participant="LW07", photo="IMG_1234.jpg", caption="See IMG_1234 on my phone.")
    leak = project.build(check=False)
    assert leak.returncode == 1
    assert any("text: contains 'IMG_1234', the file name of IMG_1234.jpg" in line
               for line in leak.stderr.splitlines()), leak.stderr


def test_a_photo_named_after_its_participant_code_or_prompt_builds(project: Project):
    """P001.jpg for item p001-day: the participant page participants/p001.html is named after the same
    code, which the researcher chose to publish; that is no leak of the photo's name."""
    project.photo("P001.jpg")
    project.caption("p001-day", participant="P001", photo="P001.jpg")
    project.photo("confidence.jpg")
    project.caption("p001-confidence", participant="P001", prompt="confidence", photo="confidence.jpg")
    build = project.build()
    assert "Published 2 items" in build.stderr, build.stderr
    assert {"participants/p001.html", "prompts/confidence.html"} <= set(project.tree())


@pytest.mark.parametrize("item_id", ["img-1234", "pxl-20240501-093012", "dsc01234", "lw07-20240501"])
def test_an_item_id_like_a_camera_name_is_refused_when_captions_are_loaded(project: Project, item_id: str):
    project.item(item_id)
    expected = (f"captions/{item_id}.yaml: the item id '{item_id}' looks like a camera file name or a date "
                f"('{camera_like(item_id)}'), and the item's page and image addresses would publish it; "
                "rename the caption file to a neutral id such as lw07-day")
    check = run_cli("check", *sources(project), cwd=project.root)
    assert check.returncode == 1
    assert errors_of(check) == [expected]
    build = project.build(check=False)
    assert build.returncode == 1
    assert errors_of(build) == [expected]               # one error, not one per image and page
    assert not project.out.exists()
    cache = project.cache
    assert not cache.exists() or not any(p.is_dir() and p.name != "pages" for p in cache.iterdir()), \
        "images were made before the id was refused"


def test_add_refuses_an_id_that_would_look_like_a_camera_name(project: Project):
    photo = camera_photo(project)
    derived = run_cli("add", str(photo), "--participant", "SAM1234", "--prompt", "confidence", *sources(project),
                      cwd=project.root)
    assert derived.returncode == 2
    assert derived.stderr.splitlines() == [
        "the item id 'sam1234-confidence' looks like a camera file name or a date ('sam1234'), and the item's "
        "page and image addresses would publish it; give the item a neutral id with --id, e.g. --id lw07-day"]
    chosen = run_cli("add", str(photo), "--participant", "LW07", "--prompt", "confidence", "--id", "img-5678",
                     *sources(project), cwd=project.root)
    assert chosen.returncode == 2 and "give a neutral one with --id" in chosen.stderr
    assert list(project.photos.iterdir()) == [] and list(project.captions.iterdir()) == []


@pytest.mark.parametrize("name", [
    "IMG_1234.JPG", "IMG_E1234.HEIC", "PXL_20240501_093012345.jpg", "DSC01234.JPG", "DSC_1234.JPG",
    "DSCN1234.JPG", "DSCF1234.JPG", "SAM_1234.JPG", "GOPR1234.JPG", "GP011234.JPG", "DJI_0001.JPG",
    "P1010001.JPG", "PA010001.JPG", "VID_20240501_123456.mp4", "IMG-20240501-WA0001.jpg",
    "WhatsApp Image 2024-05-01 at 12.34.56.jpeg", "Screenshot_20240501-123456.png",
    "Screenshot 2024-05-01 at 12.34.56.png", "Screenshot (3).png", "20240501_093012.jpg", "100_1234.JPG",
    "FB_IMG_1714560000000.jpg", "lw07-2024-05-01.jpg", "img-1234"])
def test_camera_names_and_dates_are_camera_like(name: str):
    assert camera_like(name)


@pytest.mark.parametrize("code", [*STUDY_CODES, "LW-07", "GP-012", "SAM-001", "P00001"])
def test_study_codes_and_the_ids_made_from_them_are_not(code: str):
    for prompt in ("typical-day", "confidence", "unexpected"):
        assert camera_like(f"{code.lower()}-{prompt}") is None
    assert camera_like(f"{code.lower()}-confidence-2") is None and participant_problem(code) is None


def test_a_participant_code_is_text_even_when_it_looks_like_a_number(project: Project):
    photo = camera_photo(project)
    added = run_cli("add", str(photo), "--participant", "010", "--prompt", "confidence", *sources(project),
                    cwd=project.root)
    assert added.returncode == 0, added.stderr
    caption = project.captions / "010-confidence.yaml"
    assert caption.read_text().splitlines()[5].startswith('participant: "010"')
    assert yaml.safe_load(caption.read_text())["participant"] == "010"
    fill_in(caption)
    project.build()
    page = project.tree()["items/010-confidence.html"].decode()
    assert "010" in page and "Participant 8" not in page
    report = json.loads(project.report.read_text())
    assert [item["participant"] for item in report["published"]] == ["010"]


def test_import_writes_a_numeric_looking_participant_as_text(project: Project):
    project.photo("010-day.jpg")
    sheet = project.root / "sheet.csv"
    sheet.write_text("participant,prompt,kind,photo,caption,alt,consent.publish,consent.scope,consent.date,"
                     "review.by,review.date\n010,typical-day,O,010-day.jpg,My working day.,"
                     "A desk with a laptop and papers.,yes,web,2024-05-01,ST,2024-05-02\n", encoding="utf-8")
    result = run_cli("import", str(sheet), *sources(project), cwd=project.root)
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load((project.captions / "010-typical-day.yaml").read_text())["participant"] == "010"
    project.build()
    report = json.loads(project.report.read_text())
    assert [item["participant"] for item in report["published"]] == ["010"]


@pytest.mark.parametrize("line, shown", [
    ("participant: 010", """'participant: 010' is read as the number 8, not as text; put it in quotes: \
participant: "010\""""),
    ("title: yes", """'title: yes' is read as true (yes, no, on, off, true and false mean true or false), not as \
text; put it in quotes: title: "yes\""""),
    ("caption: 10:30", """'caption: 10:30' is read as the number 630, not as text; put it in quotes: \
caption: "10:30\""""),
    ("alt: 2024-05-01", """'alt: 2024-05-01' is read as a date, not as text; put it in quotes: \
alt: "2024-05-01\""""),
    ("credit: 1.50", """'credit: 1.50' is read as the number 1.5, not as text; put it in quotes: \
credit: "1.50\""""),
    ("photo: 1234", """'photo: 1234' is read as the number 1234, not as text; put it in quotes: \
photo: "1234\""""),
])
def test_a_text_field_yaml_reads_as_a_number_a_boolean_or_a_date_is_an_error(project: Project, line: str,
                                                                                  shown: str):
    project.photo("lw07-day.jpg")
    path = project.caption("lw07-day", participant="LW07")
    key = line.split(":")[0]
    lines = [line if text.startswith(f"{key}:") else text for text in path.read_text().splitlines()]
    if not any(text == line for text in lines):
        lines.append(line)
    path.write_text("\n".join(lines) + "\n")
    number = lines.index(line) + 1
    check = run_cli("check", *sources(project), cwd=project.root)
    assert check.returncode == 1
    assert f"captions/lw07-day.yaml:{number}: {shown}" in errors_of(check), check.stderr


def test_review_by_written_as_a_number_is_an_error_with_its_line(project: Project):
    project.photo("lw07-day.jpg")
    path = project.caption("lw07-day", participant="LW07")
    path.write_text(path.read_text().replace("  by: ST", "  by: 007"))
    check = run_cli("check", *sources(project), cwd=project.root)
    assert errors_of(check) == ["captions/lw07-day.yaml:12: 'by: 007' is read as the number 7, not as text; "
                                'put it in quotes: by: "007"']


def test_two_spellings_of_one_participant_are_pointed_out(project: Project):
    project.item("lw07-day", participant="LW07")
    project.item("lw-07-confidence", participant="LW-07", prompt="confidence")
    project.item("lw007-unexpected", participant="LW007", prompt="unexpected")
    check = run_cli("check", *sources(project), cwd=project.root)
    assert check.returncode == 0, check.stderr
    expected = [f"captions/{file}:1: warning: participant '{code}' and 'LW-07' (in lw-07-confidence.yaml) "
                "differ only in hyphens or leading zeros, so the site shows them as two participants; write the "
                "code the same way in every caption file"
                for file, code in (("lw007-unexpected.yaml", "LW007"), ("lw07-day.yaml", "LW07"))]
    for line in expected:
        assert line in check.stderr.splitlines(), check.stderr
    build = project.build()
    for line in expected:
        assert line in build.stderr.splitlines()
    strict = run_cli("check", "--strict", *sources(project), cwd=project.root)
    assert strict.returncode == 1


SPACE = ("participant 'lw 07' contains a space; a participant ID is letters then digits, optionally one hyphen "
         "between them, e.g. LW07 or LW-07")


def test_a_participant_with_a_space_is_explained_in_add_import_and_caption_files(project: Project):
    photo = camera_photo(project)
    added = run_cli("add", str(photo), "--participant", "lw 07", "--prompt", "confidence", *sources(project),
                    cwd=project.root)
    assert added.returncode == 2 and added.stderr.splitlines() == [SPACE]
    sheet = project.root / "sheet.csv"
    sheet.write_text("participant,prompt,kind,caption\nlw 07,typical-day,R,Words.\n", encoding="utf-8")
    imported = run_cli("import", str(sheet), *sources(project), cwd=project.root)
    assert imported.returncode == 1 and imported.stderr.splitlines() == [f"sheet.csv:2: {SPACE}"]
    project.item("lw07-day", participant="lw 07")
    check = run_cli("check", *sources(project), cwd=project.root)
    assert errors_of(check) == [f"captions/lw07-day.yaml:1: {SPACE}"]


@pytest.mark.parametrize("value, wrong", [
    ("LW_07", "contains '_'"), ("L-W07", "has a hyphen that is not between the letters and the digits"),
    ("07LW", "has letters after the digits"), ("LW123456", "has 6 digits (at most 5)"),
    ("ABCDEFG07", "starts with 7 letters (at most 6)"), ("LW\n07", "contains a line break"),
])
def test_a_participant_code_says_what_is_wrong(value: str, wrong: str):
    assert participant_problem(value) == (f"participant '{value}' {wrong}; a participant ID is letters then "
                                          "digits, optionally one hyphen between them, e.g. LW07 or LW-07")
