"""`build.py check`: every error and warning at once, as file:line: message, writing nothing."""

from __future__ import annotations

import pytest
from conftest import Project, run_cli

KEYS_LIST = ("participant, prompt, kind, photo, title, caption, alt, long_description, content_note, credit, "
             "consent, review, order, redact, notes")


def check(project: Project, *extra: str):
    return run_cli("check", "--photos", str(project.photos), "--captions", str(project.captions), *extra,
                   cwd=project.root)


def full_set(project: Project, participant: str = "LW01", **kw) -> None:
    """One published item per prompt, so no 'missing answer' warning gets in the way."""
    for prompt in ("typical-day", "confidence", "unexpected"):
        project.item(f"{participant.lower()}-{prompt}", participant=participant, prompt=prompt, **kw)


def test_a_clean_project_checks_clean_and_nothing_is_written(project):
    full_set(project)
    result = check(project)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "check: no problems in 3 caption files; 3 items would be published, 0 left out."]
    assert not project.out.exists()
    assert not project.report.exists()


def test_every_problem_is_reported_at_once_with_hints(project):
    full_set(project)
    project.item("lw02-day", participant="LW02", prompt="confidance")
    project.item("lw03-day", participant="LW03", extra="titel: Tea\n")
    project.item("lw04-day", participant="LW04", alt="Photo of a kettle on a counter.", publish="false")
    (project.captions / "lw05-day.yaml").write_text("")
    result = check(project)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "captions/lw02-day.yaml:2: unknown prompt 'confidance' (did you mean 'confidence'?); use one of "
        "typical-day, confidence, unexpected",
        f"captions/lw03-day.yaml:15: unknown key 'titel' (did you mean 'title'?); allowed keys here: {KEYS_LIST}",
        "captions/lw04-day.yaml:6: warning: 'alt' starts with \"photo of\"; screen readers already say it is an "
        "image, so start with what it shows",
        "captions/lw05-day.yaml:1: the file is empty; it must hold 'key: value' lines",
        "check: 3 errors, 1 warning in 7 caption files; a build would stop and publish nothing until the errors "
        "are fixed.",
    ]
    assert not project.out.exists()


@pytest.mark.parametrize("kw, line, message", [
    (dict(caption="Tea breaks with the team keep me going.", alt="Tea breaks with the team keep us going."), 6,
     "'alt' repeats the caption; describe what the picture shows, not what the participant said"),
    (dict(caption="Tea breaks with the team keep me going, every single day.", alt="Tea breaks with the team"), 6,
     "'alt' repeats the caption; describe what the picture shows, not what the participant said"),
    (dict(alt="Kettle."), 6,
     "'alt' has only 1 word; describe what the picture shows in a sentence (at least 3 words)"),
    (dict(alt="A kettle " + "and a mug " * 30), 6,
     "'alt' is 308 characters long; keep it under 250 and move the detail to long_description"),
    (dict(alt="An image of a kettle on a counter."), 6,
     "'alt' starts with \"image of\"; screen readers already say it is an image, so start with what it shows"),
    (dict(extra='title: "TODO: a title"\n'), 15,
     "'title' still holds the placeholder from 'build.py add'; replace the TODO text"),
])
def test_alt_text_and_placeholder_warnings(project, kw, line, message):
    full_set(project)
    project.item("lw02-day", participant="LW02", publish="false", **kw)
    result = check(project)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[0] == f"captions/lw02-day.yaml:{line}: warning: {message}"
    assert "1 warning in 4 caption files" in result.stderr


def test_date_warnings(project):
    full_set(project)
    project.item("lw02-day", participant="LW02", publish="false")
    path = project.captions / "lw02-day.yaml"
    path.write_text(path.read_text().replace("  date: 2024-05-01", "  date: 2099-01-01"))
    project.item("lw03-day", participant="LW03", publish="false")
    path = project.captions / "lw03-day.yaml"
    path.write_text(path.read_text().replace("  date: 2024-05-02", "  date: 2024-04-01"))
    result = check(project)
    assert result.returncode == 0
    assert result.stderr.splitlines()[:3] == [
        "captions/lw02-day.yaml:10: warning: consent.date 2099-01-01 is in the future; write the date the "
        "participant gave consent",
        "captions/lw02-day.yaml:13: warning: review.date 2024-05-02 is before consent.date 2099-01-01; review "
        "the image after consent is recorded, or correct the dates",
        "captions/lw03-day.yaml:13: warning: review.date 2024-04-01 is before consent.date 2024-05-01; review "
        "the image after consent is recorded, or correct the dates",
    ]


def test_unused_photo_and_missing_answer_warnings(project):
    project.item("lw01-day", participant="LW01")
    project.item("lw01-confidence", participant="LW01", prompt="confidence")
    project.photo("IMG_2024.jpg")
    project.item("lw02-day", participant="LW02", publish="false")       # not published: no nagging
    result = check(project)
    assert result.returncode == 0
    assert result.stderr.splitlines()[:2] == [
        "captions/lw01-confidence.yaml: warning: participant LW01 has no item for prompt 'unexpected'; if they "
        "answered it only in words, add a reported item: python build.py add --participant LW01 --prompt "
        "unexpected --kind reported",
        "photos/IMG_2024.jpg: warning: no caption file uses this photo, so it is not published; write a caption "
        "for it (python build.py add) or move it out of the photos folder",
    ]
    assert "2 warnings" in result.stderr


def test_strict_turns_warnings_into_errors_and_the_build_shows_the_same_warnings(project):
    full_set(project)
    project.item("lw02-day", participant="LW02", publish="false", alt="Photo of a kettle on a counter.")
    warning = ("captions/lw02-day.yaml:6: warning: 'alt' starts with \"photo of\"; screen readers already say "
               "it is an image, so start with what it shows")
    build = project.build()
    assert warning in build.stderr.splitlines()
    strict = check(project, "--strict")
    assert strict.returncode == 1
    assert strict.stderr.splitlines()[0] == (
        "captions/lw02-day.yaml:6: 'alt' starts with \"photo of\"; screen readers already say it is an image, "
        "so start with what it shows (an error with --strict)")
    strict_build = project.build("--strict", check=False)
    assert strict_build.returncode == 1
    assert strict_build.stderr.splitlines()[-1] == "Nothing was published; site/ is unchanged."


def test_quiet_shows_only_errors_and_verbose_explains_decisions(project):
    full_set(project)
    project.item("lw02-day", participant="LW02", publish="false", alt="Photo of a kettle on a counter.")
    assert check(project, "-q").stderr == ""
    verbose = check(project, "-v").stderr.splitlines()
    assert ("published: captions/lw01-confidence.yaml: consent to publish on web given 2024-05-01; reviewed by "
            "ST on 2024-05-02") in verbose
    (project.captions / "lw03-day.yaml").write_text("participant: LW03\n")
    quiet = check(project, "-q")
    assert quiet.returncode == 1
    assert quiet.stderr.splitlines() == [
        "captions/lw03-day.yaml:1: missing required key 'prompt'; add 'prompt: ...'",
        "captions/lw03-day.yaml:1: missing required key 'kind'; add 'kind: ...'",
        "captions/lw03-day.yaml:1: missing required key 'photo'; name a file in the photos folder (or use kind: "
        "reported)",
        "captions/lw03-day.yaml:1: missing required key 'caption'; add 'caption: ...'",
        "captions/lw03-day.yaml:1: missing required key 'alt'; describe the picture for people who cannot see it",
        "check: 5 errors, 1 warning in 5 caption files; a build would stop and publish nothing until the errors "
        "are fixed.",
    ]


def test_check_finds_a_photo_that_cannot_be_read(project):
    full_set(project)
    project.caption("lw02-day", participant="LW02")
    (project.photos / "lw02-day.jpg").write_bytes(b"this is not a picture")
    result = check(project)
    assert result.returncode == 1
    assert result.stderr.splitlines()[2] == (
        "captions/lw02-day.yaml:4: photo 'lw02-day.jpg' cannot be read as an image (UnidentifiedImageError); "
        "use a JPEG, PNG, WebP, TIFF, HEIC or AVIF file")
