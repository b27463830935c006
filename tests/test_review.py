"""A review covers exactly what it approved: the photo's bytes and the redaction regions it saw
(issue 14, part 2). Real files, the real command line."""

from __future__ import annotations

import hashlib
import json

import pytest
from conftest import Project, run_cli

from gallery import reviewing
from gallery.captions import load_items
from gallery.config import SiteConfig
from gallery.errors import GalleryError

AGAIN = "review it again: python build.py review lw07-day --by ST"


def review(project: Project, *args: str):
    return run_cli("review", *args, "--photos", str(project.photos), "--captions", str(project.captions),
                   "--config", str(project.config), cwd=project.root)


def check(project: Project):
    return run_cli("check", *project.args()[:6], cwd=project.root)


def reviewed_item(project: Project, item_id: str = "lw07-day", **kw) -> None:
    """An item with consent, reviewed by the review command (not by the fixture)."""
    project.item(item_id, participant="LW07", **kw)
    done = review(project, item_id, "--by", "ST", "--date", "2024-05-02")
    assert done.returncode == 0, done.stderr


def left_out(project: Project) -> dict[str, str]:
    report = json.loads(project.report.read_text())
    return {entry["id"]: entry["reason"] for entry in report["left_out"]}


def test_review_records_the_photo_hash_and_then_the_item_is_published(project):
    path = project.item("lw07-day", participant="LW07")
    path.write_text(path.read_text().replace("  photo: sha", "  # photo: sha"))
    assert "records no photo (written by hand, or by a version of this tool" in check(project).stderr
    done = review(project, "lw07-day", "--by", "ST", "--date", "2024-05-02")
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == ("captions/lw07-day.yaml: reviewed by ST on 2024-05-02: "
                                   "photo lw07-day.jpg (1200x900 pixels), no redactions")
    digest = hashlib.sha256((project.photos / "lw07-day.jpg").read_bytes()).hexdigest()
    (item,), errors, _ = load_items(project.captions, project.photos, SiteConfig())
    assert errors == [] and item.review.photo == f"sha256:{digest}" and item.review.date.isoformat() == "2024-05-02"
    assert "Published 1 item" in project.build().stderr
    assert left_out(project) == {}


def test_a_photo_changed_after_its_review_is_left_out_by_check_and_build(project):
    reviewed_item(project)
    project.photo("lw07-day.jpg", colour=(20, 200, 90))      # a new picture under the same name
    expected = ("left out: captions/lw07-day.yaml: the photo changed after its review on 2024-05-02 (ST); " + AGAIN)
    assert expected in check(project).stderr.splitlines()
    built = project.build()
    assert expected in built.stderr.splitlines()
    assert left_out(project) == {"lw07-day": expected.split(": ", 2)[2]}
    assert "lw07-day" not in (project.out / "index.html").read_text()
    assert review(project, "lw07-day", "--by", "ST").returncode == 0
    project.build()
    assert left_out(project) == {}


@pytest.mark.parametrize("before, after", [
    ("", "redact: [[0.1, 0.1, 0.2, 0.2]]\n"),                                       # added
    ("redact: [[0.1, 0.1, 0.2, 0.2]]\n", "redact: [[0.5, 0.1, 0.2, 0.2]]\n"),        # moved
    ("redact: [[0.1, 0.1, 0.2, 0.2]]\n", ""),                                       # removed
])
def test_a_redaction_added_moved_or_removed_after_review_leaves_the_item_out(project, before, after):
    reviewed_item(project, extra=before)
    path = project.captions / "lw07-day.yaml"
    text = path.read_text()
    path.write_text(text.replace("\n" + before, "\n" + after) if before else text + after)
    expected = ("left out: captions/lw07-day.yaml: the redactions changed after its review on 2024-05-02 (ST); "
                + AGAIN)
    assert expected in check(project).stderr.splitlines()
    assert expected in project.build().stderr.splitlines()


def test_regions_written_in_another_order_are_the_same_redactions(project):
    reviewed_item(project, extra="redact: [[0.1, 0.1, 0.2, 0.2], [0.5, 0.5, 0.1, 0.1]]\n")
    path = project.captions / "lw07-day.yaml"
    path.write_text(path.read_text().replace("\nredact: [[0.1, 0.1, 0.2, 0.2], [0.5, 0.5, 0.1, 0.1]]",
                                             "\nredact:\n  - [0.5, 0.5, 0.1, 0.1]\n  - [0.1, 0.1, 0.2, 0.2]"))
    project.build()
    assert left_out(project) == {}


def test_a_review_from_before_this_change_is_left_out_until_reviewed_again(project):
    project.item("lw07-day", participant="LW07")
    path = project.captions / "lw07-day.yaml"
    path.write_text("".join(line for line in path.read_text().splitlines(keepends=True)
                            if not line.startswith("  photo:")))
    expected = ("left out: captions/lw07-day.yaml: its review (2024-05-02, ST) records no photo (written by hand, or "
                "by a version of this tool from before reviews named their picture); " + AGAIN)
    assert expected in check(project).stderr.splitlines()
    assert expected in project.build().stderr.splitlines()


def test_a_reported_item_needs_no_photo_hash(project):
    project.caption("lw07-unexpected", participant="LW07", prompt="unexpected", kind="reported", photo=None)
    project.build()
    assert left_out(project) == {}
    done = review(project, "lw07-unexpected", "--by", "AK", "--date", "2024-06-01")
    assert done.returncode == 0 and "its words (a reported item)" in done.stderr
    assert "photo:" not in (project.captions / "lw07-unexpected.yaml").read_text().split("review:")[1]


CAREFUL = """\
# Caption for LW07, typical day.   Written by hand: keep my layout!
participant: LW07   # pseudonym
prompt: typical-day
kind: original
photo: lw07-day.jpg
caption: |
  My working day.

    An indented line.
alt: A desk with a laptop and papers.
review:      # AK checked faces and badges
  # the first review was on paper
  by: XX
  date: 2023-01-01

consent: {publish: true, scope: [web], date: 2024-05-01}
notes: >
  review: this is not the review block
"""


def test_review_keeps_comments_order_and_layout_byte_for_byte(project):
    project.photo("lw07-day.jpg")
    path = project.captions / "lw07-day.yaml"
    path.write_bytes(CAREFUL.replace("\n", "\r\n").encode())
    done = review(project, "lw07-day", "--by", "ST", "--date", "2024-05-02")
    assert done.returncode == 0, done.stderr
    digest = hashlib.sha256((project.photos / "lw07-day.jpg").read_bytes()).hexdigest()
    expected = CAREFUL.replace("  by: XX\n  date: 2023-01-01\n",
                               f"  by: ST\n  date: 2024-05-02\n  photo: sha256:{digest}\n")
    lines = expected.splitlines()
    # the key lines come first in the block, the researcher's comment after them
    lines.remove("  # the first review was on paper")
    lines.insert(lines.index(f"  photo: sha256:{digest}") + 1, "  # the first review was on paper")
    assert path.read_bytes() == ("\r\n".join(lines) + "\r\n").encode()
    project.build()
    assert left_out(project) == {}


def test_review_adds_a_block_to_a_file_without_one(project):
    project.item("lw07-day", participant="LW07")
    path = project.captions / "lw07-day.yaml"
    before = path.read_text().split("review:")[0]
    path.write_text(before + "order: 3")       # no newline at the end
    assert review(project, "lw07-day", "--by", "ST", "--date", "2024-05-02").returncode == 0
    text = path.read_text()
    assert text.startswith(before + "order: 3\nreview:\n  by: ST\n  date: 2024-05-02\n  photo: sha256:")


def test_review_adds_its_block_before_the_yaml_document_end_marker(project):
    project.item("lw07-day", participant="LW07")
    path = project.captions / "lw07-day.yaml"
    before = path.read_text().split("review:")[0]
    path.write_text(before + "order: 3\n...\n# the end\n")
    done = review(project, "lw07-day", "--by", "ST", "--date", "2024-05-02")
    assert done.returncode == 0, done.stderr
    text = path.read_text()
    assert text.startswith(before + "order: 3\nreview:\n  by: ST\n  date: 2024-05-02\n  photo: sha256:"), text
    assert text.endswith("\n...\n# the end\n")
    project.build()
    assert left_out(project) == {}


def test_review_refuses_an_unknown_id_without_a_traceback(project):
    reviewed_item(project)
    done = review(project, "lw07-night", "--by", "ST")
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "captions/lw07-night.yaml: no item 'lw07-night' (no caption file lw07-night.yaml); give "
        "the id of a caption file in the captions folder"]


def test_review_refuses_a_photo_that_cannot_be_read(project):
    project.item("lw07-day", participant="LW07")
    (project.photos / "lw07-day.jpg").write_text("not a picture")
    project.options()       # the fixture's review stamped first: what the command must leave as it is
    before = (project.captions / "lw07-day.yaml").read_bytes()
    done = review(project, "lw07-day", "--by", "ST")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        "captions/lw07-day.yaml:4: photo 'lw07-day.jpg' cannot be read as an image; nothing was "
        "reviewed: check the file is there and is a photo, then review again"]
    assert (project.captions / "lw07-day.yaml").read_bytes() == before


def test_review_refuses_a_malformed_review_block_naming_file_and_line(project):
    project.item("lw07-day", participant="LW07")
    path = project.captions / "lw07-day.yaml"
    path.write_text(path.read_text().replace("  photo: sha256:", "  photo: md5:"))
    done = review(project, "lw07-day", "--by", "ST")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.splitlines()[0].startswith(
        "captions/lw07-day.yaml:14: 'review.photo' must be the photo's hash as the review command writes it")
    assert "captions/lw07-day.yaml:14: 'review.photo' must be the photo's hash" in check(project).stderr


def test_review_refuses_a_caption_file_changed_since_it_was_read(project):
    project.item("lw07-day", participant="LW07")
    options = project.options()
    (item,), errors, _ = load_items(project.captions, project.photos, SiteConfig())
    path = project.captions / "lw07-day.yaml"
    path.write_text(path.read_text() + "order: 2\n")      # the researcher saves meanwhile
    edited = path.read_bytes()
    with pytest.raises(reviewing.ReviewError) as refused:
        reviewing.review_one(item, options, SiteConfig(), "ST", item.review.date)
    assert [str(p) for p in refused.value.problems] == [
        f"{path}: changed since it was read; nothing was written: run the review again"]
    assert isinstance(refused.value, GalleryError) and path.read_bytes() == edited


def test_review_all_records_every_item_one_line_each(project):
    project.item("lw07-day", participant="LW07")
    project.item("lw08-day", participant="LW08", publish="false")
    project.caption("lw07-unexpected", participant="LW07", prompt="unexpected", kind="reported", photo=None)
    for item_id in ("lw07-day", "lw08-day"):
        path = project.captions / f"{item_id}.yaml"
        path.write_text(path.read_text().replace("  # the test fixture stands in for the reviewer", ""))
        project.photo(f"{item_id}.jpg", colour=(10, 90, 200))
    assert "the photo changed after its review" in check(project).stderr
    done = review(project, "--all", "--by", "ST", "--date", "2024-06-01")
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert [line.split(": ")[0].rsplit("/", 1)[1] for line in lines] == [
        "lw07-day.yaml", "lw07-unexpected.yaml", "lw08-day.yaml"]
    assert lines[2].endswith("; still left out: no consent to publish (consent.publish is not true)")
    project.build()
    assert left_out(project) == {"lw08-day": "no consent to publish (consent.publish is not true)"}


def test_review_needs_ids_or_all_not_both(project):
    reviewed_item(project)
    assert review(project, "--by", "ST").returncode == 2
    assert review(project, "lw07-day", "--all", "--by", "ST").returncode == 2
    assert review(project, "lw07-day", "--by", "ST", "--date", "2024-02-30").returncode == 2


def test_without_required_review_a_changed_photo_is_still_published(project):
    project.config.write_text("title: Test gallery\nrequire_review: false\n")
    reviewed_item(project)
    project.photo("lw07-day.jpg", colour=(20, 200, 90))
    project.build()
    assert left_out(project) == {}


def test_a_photo_changed_after_the_gate_checked_it_is_not_published(project, tmp_path):
    """The gate hashed the reviewed photo; the image stage then read other bytes: the build stops."""
    from test_swapped_photo import go_on, started, wait_paused
    reviewed_item(project, "lw01-day")
    pause = tmp_path / "pause"
    proc = started(project, "build", pause, "read-lw01-day.jpg")
    wait_paused(proc, pause, "read-lw01-day.jpg")          # after the gate, before the image stage reads
    project.photo("lw01-day.jpg", colour=(0, 200, 0))       # a picture nobody reviewed
    code, stderr = go_on(proc, pause, "read-lw01-day.jpg")
    assert code == 1, stderr
    assert ("captions/lw01-day.yaml:4: photo 'lw01-day.jpg' was changed after the consent gate checked it against "
            "its review, while the build was reading it; nothing was published: build again") in stderr.splitlines()
    assert not project.out.exists()
