"""A review block without `by` and `date` is a draft review (issue 15): the review desk writes the flags
a researcher accepted into it before anyone signs off. It is validated as a review is, it keeps its
item out (it is no sign-off), and `python build.py review ID --by INITIALS` signs it off keeping its
acceptances. Real pictures (scikit-image's page.png: two text flags), the real command line."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from conftest import NO_RACY_WINDOW, REPO, Project, run_cli

from gallery.captions import item_from_json, item_json, load_items
from gallery.config import SiteConfig

SCREEN = REPO / "tests" / "data" / "screen"
FLAG_1 = {"kind": "text", "box": [0.0087, 0.0628, 0.9792, 0.6735]}     # "Region-based segmentation ..."
FLAG_2 = {"kind": "text", "box": [0.0451, 0.8689, 0.5868, 0.1256]}     # ">>markers np.zeros like(coins)"
DRAFT = ("review not signed off (2 screening flags accepted, but no reviewer's initials and date); sign it off in "
         "the review desk (python build.py serve, then /_desk/) or with python build.py review lw08-day --by INITIALS")


def cli(project: Project, command: str, *args: str, env: dict[str, str] | None = None):
    return run_cli(command, *args, "--photos", str(project.photos), "--captions", str(project.captions),
                   "--config", str(project.config), cwd=project.root, env=env)


def left_out(project: Project) -> dict[str, str]:
    report = json.loads(project.report.read_text())
    return {entry["id"]: entry["reason"] for entry in report["left_out"]}


def published(project: Project) -> list[str]:
    return [entry["id"] for entry in json.loads(project.report.read_text())["published"]]


def sha(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def accepted(flag: dict, reason: str) -> str:
    return f"    - {{kind: {flag['kind']}, box: {flag['box']}, reason: \"{reason}\"}}\n"


def with_review(path: Path, block: str) -> Path:
    """The caption file with its review block (the fixture's, the last one) replaced by block."""
    path.write_text(path.read_text().split("review:\n")[0] + block)
    return path


def page(project: Project) -> Path:
    """A printed page as the photo of lw08-day (two text flags)."""
    import skimage.data
    return Path(shutil.copy(Path(skimage.data.__file__).parent / "page.png", project.photos / "lw08-day.png"))


def draft(project: Project, *flags: tuple[dict, str], photo: str | None = None) -> Path:
    """lw08-day with a draft review as the review desk writes it: the photo's hash and the accepted
    flags, no by, no date."""
    block = f"review:\n  photo: {photo or sha(page(project))}\n"
    block += "  accepted:\n" + "".join(accepted(f, reason) for f, reason in flags) if flags else ""
    return with_review(project.caption("lw08-day", participant="LW08", photo="lw08-day.png"), block)


@pytest.fixture
def desk(project: Project) -> Project:
    """A page accepted in a draft (both flags), and a plain picture signed off (by the fixture)."""
    project.item("lw07-day", participant="LW07")
    draft(project, (FLAG_1, "a textbook page, no person named"), (FLAG_2, "code, no name"))
    return project


def test_a_draft_parses_with_its_acceptances_and_no_reviewer(desk):
    items, errors, warnings = load_items(desk.captions, desk.photos, SiteConfig())
    assert errors == [] and warnings == []
    review = {i.id: i for i in items}["lw08-day"].review
    assert review is not None and review.by is None and review.date is None and not review.signed
    assert review.photo == sha(desk.photos / "lw08-day.png")
    assert [(a.kind, list(a.box), a.reason) for a in review.accepted] == [
        ("text", FLAG_1["box"], "a textbook page, no person named"), ("text", FLAG_2["box"], "code, no name")]
    signed = {i.id: i for i in items}["lw07-day"].review
    assert signed is not None and signed.signed and signed.by == "ST"


def test_an_empty_review_block_is_a_draft_with_nothing_accepted(project):
    with_review(project.item("lw07-day", participant="LW07"), "review: {}\n")
    checked = run_cli("check", *project.args()[:6], cwd=project.root)
    assert checked.returncode == 0, checked.stderr
    assert ("left out: captions/lw07-day.yaml: review not signed off (no reviewer's initials and date); sign it "
            "off in the review desk (python build.py serve, then /_desk/) or with python build.py review "
            "lw07-day --by INITIALS") in checked.stderr.splitlines()


def test_check_and_build_leave_a_draft_out_and_say_so_once(desk):
    expected = f"left out: captions/lw08-day.yaml: {DRAFT}"
    checked = cli(desk, "check")
    assert checked.returncode == 0, checked.stderr
    assert checked.stderr.splitlines().count(expected) == 1
    assert [line for line in checked.stderr.splitlines() if "lw08-day" in line] == [expected]   # no flag warnings
    built = run_cli("build", *desk.args(), cwd=desk.root)
    assert built.returncode == 0, built.stderr
    assert [line for line in built.stderr.splitlines() if "lw08-day" in line] == [expected]
    assert "None" not in checked.stderr + built.stderr
    assert published(desk) == ["lw07-day"] and left_out(desk) == {"lw08-day": DRAFT}
    assert not (desk.out / "items" / "lw08-day.html").exists()
    assert not any("lw08-day" in p.name for p in (desk.out / "images").iterdir())


def test_review_signs_off_a_draft_of_the_same_photo_keeping_its_acceptance(project):
    path = draft(project, (FLAG_1, "a textbook page, no person named"))
    refused = cli(project, "review", "lw08-day", "--by", "AB")       # flag 1 accepted in the draft, flag 2 open
    assert refused.returncode == 1
    assert [line.split(" is not resolved")[0] for line in refused.stderr.splitlines()] == [
        'captions/lw08-day.yaml: flag 2: text ">>markers np.zeros like(coins)" at x 0.05, y 0.87, 0.59 wide, '
        '0.13 high (score 0.93)']
    done = cli(project, "review", "lw08-day", "--by", "AB", "--date", "2024-06-01", "--accept", "2", "--reason",
               "code, no name")
    assert done.returncode == 0, done.stderr
    assert path.read_text().split("review:\n")[1] == (
        f"  by: AB\n  date: 2024-06-01\n  photo: {sha(project.photos / 'lw08-day.png')}\n  accepted:\n"
        + accepted(FLAG_1, "a textbook page, no person named") + accepted(FLAG_2, "code, no name"))
    built = run_cli("build", *project.args(), cwd=project.root)
    assert built.returncode == 0, built.stderr
    assert published(project) == ["lw08-day"] and left_out(project) == {}


def test_a_draft_of_another_photo_carries_no_acceptance(project):
    page(project)
    draft(project, (FLAG_1, "a textbook page"), (FLAG_2, "code"), photo=sha(SCREEN / "coffee.png"))
    assert "2 screening flags accepted" in cli(project, "check").stderr       # the gate's reason, not the flags'
    refused = cli(project, "review", "lw08-day", "--by", "AB")
    assert refused.returncode == 1
    assert [line.split(":")[1] for line in refused.stderr.splitlines()] == [" flag 1", " flag 2"]
    assert "  by:" not in (project.captions / "lw08-day.yaml").read_text()      # nothing written


def test_a_draft_never_counts_as_covering_its_photo(desk):
    """content.bound asks review.stale only after the gate, which leaves a draft out; asked anyway,
    stale refuses a draft too (fails closed)."""
    from gallery import content, review
    items, _, _ = load_items(desk.captions, desk.photos, SiteConfig())
    item = {i.id: i for i in items}["lw08-day"]
    digest = sha(desk.photos / "lw08-day.png").removeprefix("sha256:")
    assert content.gate(item, SiteConfig()) == DRAFT
    assert review.stale(item, digest) == DRAFT
    assert content.gate(item, SiteConfig(require_review=False)) is None


def test_with_require_review_false_a_draft_is_published_and_its_acceptances_count(desk):
    desk.config.write_text("title: Test gallery\nrequire_review: false\n")
    built = run_cli("build", "-v", *desk.args(), cwd=desk.root)
    assert built.returncode == 0, built.stderr
    assert sorted(published(desk)) == ["lw07-day", "lw08-day"]
    assert ("published: captions/lw08-day.yaml: consent to publish on web given 2024-05-01"
            in built.stderr.splitlines())                    # no "reviewed by None"
    assert "flag 1" not in built.stderr and "flag 2" not in built.stderr     # both accepted: no warning
    entry = next(e for e in json.loads(desk.report.read_text())["published"] if e["id"] == "lw08-day")
    assert entry["review_by"] is None and entry["review_date"] is None


@pytest.mark.parametrize("block, message", [
    ("review:\n  by: ST\n  accepted: []\n", "captions/lw07-day.yaml:11: missing 'review.date'; add the date as "
                                            "YYYY-MM-DD"),
    ("review:\n  date: 2024-05-02\n", "captions/lw07-day.yaml:11: missing required key 'review.by'; add 'by: ...'"),
    ("review:\n  by:\n  date:\n", "captions/lw07-day.yaml:12: missing required key 'review.by'; add 'by: ...'"),
])
def test_one_of_by_and_date_alone_is_still_an_error_with_its_line(project, block, message):
    with_review(project.item("lw07-day", participant="LW07"), block)
    checked = run_cli("check", *project.args()[:6], cwd=project.root)
    assert checked.returncode == 1
    assert message in checked.stderr.splitlines()
    assert "Traceback" not in checked.stderr
    built = project.build(check=False)
    assert built.returncode == 1 and message in built.stderr.splitlines()
    assert not project.out.exists()


def test_the_parsed_caption_cache_keeps_a_draft(desk):
    first = run_cli("build", *desk.args(), cwd=desk.root, env=NO_RACY_WINDOW)
    assert first.returncode == 0, first.stderr
    cache = desk.cache / "captions.json"
    record = json.loads(cache.read_text())
    (key,) = [key for key in record["entries"] if key.endswith("lw08-day.yaml")]
    kept = record["entries"][key][1]["review"]
    assert kept["by"] is None and kept["date"] is None and len(kept["accepted"]) == 2
    del kept["accepted"][1]          # a mark: the next build says what the cache holds, not the file
    cache.write_text(json.dumps(record))
    lw07 = desk.captions / "lw07-day.yaml"
    lw07.write_text(lw07.read_text().replace("My working day.", "My day."))     # a build, not the no-op path
    second = run_cli("build", *desk.args(), cwd=desk.root, env=NO_RACY_WINDOW)
    assert second.returncode == 0, second.stderr
    assert left_out(desk) == {"lw08-day": DRAFT.replace("2 screening flags", "1 screening flag")}
    items, _, _ = load_items(desk.captions, desk.photos, SiteConfig())
    for item in items:                                                   # a draft and a signed review
        assert item_from_json(json.loads(json.dumps(item_json(item)))) == item
