"""`check` predicts exactly what `build` does, on generated content (a seeded property test).

Each case writes a random small project of real files (tests/contentgen.py: odd ids and
participants, every kind and consent state, photos missing, shared, outside photos/, damaged or
not images at all, caption files with unknown keys, bad YAML or missing keys), runs the real
`check` and the real `build` through the command line, and compares their exit status, their
error lines, the items published (check's list against the pages written and the build report),
the items left out with their reasons, and the warnings. Then it changes the project as a
researcher would and compares again, with the build's caches in place.

GALLERY_AGREE_CASES sets the number of cases (default 12, ~30 s), GALLERY_AGREE_SEED the seed.
"""

from __future__ import annotations

import json
import os
import random
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import NO_RACY_WINDOW, Project, run_cli
from contentgen import generate, mutate

CASES = int(os.environ.get("GALLERY_AGREE_CASES", "12"))
SEED = os.environ.get("GALLERY_AGREE_SEED", "0")
ROUNDS = 2

# lines that are not errors: warnings, decisions, verdicts, summaries
WARNING = re.compile(r"^(?:[^:]+(?::\d+)?: )?warning: ")
PUBLISHED = re.compile(r"^published: (\S+): ")
LEFT_OUT = re.compile(r"^left out: (\S+): (.*)$")
CHECK_COUNT = re.compile(r"^check: .*; (\d+) items? would be published, (\d+) left out\.$")
BUILD_SUMMARY = re.compile(r"^Published (\d+) items? to ")
NOT_ERRORS = (re.compile(r"^check: "), re.compile(r"^Nothing was published; "), re.compile(r"^Build report "),
              re.compile(r"^privacy audit: \d+ finding"), BUILD_SUMMARY, PUBLISHED, LEFT_OUT, WARNING,
              re.compile(r"^Removed from |^  \[ \] "),   # the build's checklist after a withdrawal
              re.compile(r"^Processing images: \d+/\d+ done$"))   # a build over 2 s (a busy machine)


@dataclass(frozen=True)
class Outcome:
    code: int
    errors: list[str]
    warnings: list[str]
    left_out: list[str]          # the "left out: ..." lines
    published: set[str] | None   # item ids, when the command says


def id_of(caption: str) -> str:
    return Path(caption).stem


def outcome(code: int, stderr: str, published: set[str] | None) -> Outcome:
    lines = stderr.splitlines()
    errors = sorted(line for line in lines if not any(p.match(line) for p in NOT_ERRORS))
    return Outcome(code, errors, sorted(line for line in lines if WARNING.match(line)),
                   [line for line in lines if LEFT_OUT.match(line)], published)


def run_check(project: Project, strict: bool) -> tuple[Outcome, str]:
    args = ["check", "-v", *project.args()[:6], "--out", str(project.out)] + (["--strict"] if strict else [])
    result = run_cli(*args, cwd=project.root, env=NO_RACY_WINDOW)
    lines = result.stderr.splitlines()
    published = {id_of(m.group(1)) for line in lines if (m := PUBLISHED.match(line))}
    count = [m for line in lines if (m := CHECK_COUNT.match(line))]
    if count:   # the count line agrees with the list
        assert int(count[0].group(1)) == len(published), result.stderr
        assert int(count[0].group(2)) == len([line for line in lines if LEFT_OUT.match(line)]), result.stderr
    else:       # no count: nothing would be published
        assert result.returncode == 1 and not published, result.stderr
    verbose_only = [line for line in lines if PUBLISHED.match(line)]
    return outcome(result.returncode, "\n".join(line for line in lines if line not in verbose_only),
                   published), result.stderr


def run_build(project: Project, strict: bool) -> tuple[Outcome, str]:
    result = project.build("--jobs", "1", *(["--strict"] if strict else []), check=False, env=NO_RACY_WINDOW)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    published = None
    if result.returncode == 0:
        pages = {p.stem for p in (project.out / "items").glob("*.html")}
        report = json.loads(project.report.read_text(encoding="utf-8"))
        assert {i["id"] for i in report["published"]} == pages, result.stderr
        assert int(BUILD_SUMMARY.match(next(line for line in result.stderr.splitlines()
                                            if BUILD_SUMMARY.match(line))).group(1)) == len(pages)
        left = [f"left out: {i['caption_file']}: {i['reason']}" for i in report["left_out"]]
        assert left == [line for line in result.stderr.splitlines() if LEFT_OUT.match(line)], result.stderr
        published = pages
    else:
        assert result.stderr.splitlines()[-1] == "Nothing was published; site/ is unchanged.", result.stderr
    return outcome(result.returncode, result.stderr, published), result.stderr


def compare(check: tuple[Outcome, str], build: tuple[Outcome, str], what: str) -> None:
    (c, check_text), (b, build_text) = check, build
    context = f"{what}\n--- check said:\n{check_text}\n--- build said:\n{build_text}"
    assert c.code == b.code, f"exit status: check {c.code}, build {b.code}\n{context}"
    assert c.errors == b.errors, f"error lines differ\n{context}"
    if b.code == 0:
        assert c.published == b.published, f"published items differ\n{context}"
        assert c.left_out == b.left_out, f"left-out lists differ\n{context}"
        assert c.warnings == b.warnings, f"warnings differ\n{context}"
    else:
        assert c.left_out == [] and not c.published, f"check lists decisions for a build that stops\n{context}"


@pytest.mark.parametrize("case", range(CASES))
def test_check_predicts_the_build(tmp_path, case):
    seed = f"{SEED}-{case}"
    rng = random.Random(seed)
    project = Project(tmp_path / "proj")
    spec = generate(rng, project, seed)
    what = spec.describe()
    for round_ in range(ROUNDS):
        if round_:
            what += f"\n=== then: {mutate(rng, project, spec)}"
        compare(run_check(project, spec.strict), run_build(project, spec.strict), what)


# ---- the disagreements the property test found, each kept as an example ----------------------------

def full_set(project: Project, participant: str = "LW01") -> None:
    for prompt in ("typical-day", "confidence", "unexpected"):
        project.item(f"{participant.lower()}-{prompt}", participant=participant, prompt=prompt)


def both(project: Project, strict: bool = False) -> tuple[tuple[Outcome, str], tuple[Outcome, str]]:
    """check, then build, compared as the property test compares them."""
    check, build = run_check(project, strict), run_build(project, strict)
    compare(check, build, "example")
    return check, build


def test_a_truncated_photo_is_an_error_for_check_too(project):
    """check read only the header, which a truncated file still has; the build's decode failed."""
    full_set(project)
    path = project.photo("lw02-day.jpg")
    path.write_bytes(path.read_bytes()[:2000])
    project.caption("lw02-day", participant="LW02", prompt="confidence")
    (check, _), (build, _) = both(project)
    assert build.code == 1
    assert len(check.errors) == 1
    assert re.fullmatch(r"captions/lw02-day\.yaml:4: photo 'lw02-day\.jpg' cannot be decoded \(image file is "
                        r"truncated.*\); the file may be truncated or damaged, copy it again from the original",
                        check.errors[0])


def test_an_unpublished_photo_the_audit_cannot_read_is_an_error_for_check_too(project):
    """The audit reads the metadata of every item's photo, published or not."""
    full_set(project)
    project.caption("lw02-day", participant="LW02", publish="false")
    (project.photos / "lw02-day.jpg").write_bytes(b"not a picture at all")
    (check, _), _ = both(project)
    assert check.errors == [
        "photos/lw02-day.jpg: cannot be opened as an image (UnidentifiedImageError): the privacy audit cannot read "
        "its metadata, so it cannot check that none of it is published; replace the file with a readable copy or "
        "remove it"]


def test_an_id_like_a_camera_file_name_is_a_content_error_not_eleven_audit_findings(project):
    full_set(project)
    project.item("img-1234", participant="LW02")
    project.item("lw03-20240501", participant="LW03", publish="false")
    (check, _), _ = both(project)
    assert check.errors == [
        f"captions/{name}.yaml: the item id '{name}' looks like a camera file name or a date ('{looks}'), and the "
        "item's page and image addresses would publish it; rename the caption file to a neutral id such as lw07-day"
        for name, looks in (("img-1234", "img-1234"), ("lw03-20240501", "20240501"))]


def test_a_build_that_stops_reports_every_error_check_reports(project):
    """The build stopped at the first stage with errors: a YAML slip hid a photo it cannot make."""
    full_set(project)
    project.caption("lw02-day", participant="LW02")
    (project.photos / "lw02-day.jpg").write_text("a text file")
    (project.captions / "lw03-day.yaml").write_text("participant: LW03\n prompt: typical-day\n")
    (check, _), (build, text) = both(project)
    assert len(check.errors) == 2 and build.errors == check.errors
    assert "cannot be read as an image" in text and "invalid YAML" in text


@pytest.mark.parametrize("photo", ["lw02.jpg", "typical-day.png", "about.jpg", "style.jpg", "index.png"])
def test_a_photo_named_like_a_participant_prompt_or_page_publishes(project, photo):
    """The audit took participants/lw02.html for a file named after photos/lw02.jpg, and failed the build."""
    full_set(project)
    project.photo(photo)
    project.caption("lw02-day", participant="LW02", photo=photo, publish="false")
    project.caption("lw02-confidence", participant="LW02", prompt="confidence", kind="reported", photo=None,
                    alt=None)
    (check, _), (build, _) = both(project)
    assert check.code == build.code == 0
    assert "lw02-confidence" in build.published
