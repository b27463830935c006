"""One true message each: check's verdict, a YAML slip, and a photo two captions claim (at import).

Through the real command line, on real files.
"""

from __future__ import annotations

from conftest import Project, run_cli


def check(project: Project, *extra: str):
    return run_cli("check", "--photos", str(project.photos), "--captions", str(project.captions), *extra,
                   cwd=project.root)


def full_set(project: Project, participant: str = "LW01") -> None:
    for prompt in ("typical-day", "confidence", "unexpected"):
        project.item(f"{participant.lower()}-{prompt}", participant=participant, prompt=prompt)


# ---- check's verdict ----------------------------------------------------------------------------

def test_with_errors_check_does_not_say_items_would_be_published(project):
    full_set(project)
    project.item("lw02-day", participant="LW02", publish="false")
    project.item("lw03-day", participant="LW03", prompt="confidance")
    project.item("lw04-day", participant="LW04", extra="titel: Tea\n")
    result = check(project)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[-1] == ("check: 2 errors, 0 warnings in 6 caption files; a build would stop and publish nothing "
                         "until the errors are fixed.")
    assert not any("would be published" in line or line.startswith(("left out: ", "published: "))
                   for line in lines), result.stderr
    assert not any(line.startswith("published: ") for line in check(project, "-v").stderr.splitlines())


def test_without_errors_check_counts_what_a_build_would_publish(project):
    full_set(project)
    project.item("lw02-day", participant="LW02", publish="false")
    result = check(project)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "left out: captions/lw02-day.yaml: no consent to publish (consent.publish is not true)",
        "check: no problems in 4 caption files; 3 items would be published, 1 left out."]


# ---- a YAML slip --------------------------------------------------------------------------------

def test_a_yaml_indentation_slip_is_the_only_message_about_its_caption(project):
    """The caption's photo was also reported as used by no caption file."""
    full_set(project)
    project.photo("lw02-day.jpg")
    (project.captions / "lw02-day.yaml").write_text(
        "participant: LW02\nprompt: typical-day\nkind: original\n  photo: lw02-day.jpg\ncaption: Tea.\n")
    project.photo("lw03-day.jpg")
    (project.captions / "lw03-day.yaml").write_text(
        'participant: LW03\n prompt: typical-day\nphoto: "lw03-day.jpg"   # the desk\n')
    result = check(project)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "captions/lw02-day.yaml:4: invalid YAML: mapping values are not allowed in this context; check indentation, "
        "colons and quotes",
        "captions/lw03-day.yaml:2: invalid YAML: mapping values are not allowed in this context; check indentation, "
        "colons and quotes",
        "check: 2 errors, 0 warnings in 5 caption files; a build would stop and publish nothing until the errors "
        "are fixed.",
    ]


def test_a_photo_no_caption_names_is_still_reported_beside_a_broken_caption(project):
    full_set(project)
    project.photo("spare.jpg")
    (project.captions / "lw02-day.yaml").write_text("participant: LW02\n prompt: typical-day\nphoto: other.jpg\n")
    lines = check(project).stderr.splitlines()
    assert ("photos/spare.jpg: warning: no caption file uses this photo, so it is not published; write a caption "
            "for it (python build.py add) or move it out of the photos folder") in lines


# ---- import: one photo, one item ----------------------------------------------------------------

def import_sheet(project: Project, text: str, *extra: str):
    sheet = project.root / "sheet.csv"
    sheet.write_text(text, encoding="utf-8")
    return run_cli("import", str(sheet), "--photos", str(project.photos), "--captions", str(project.captions),
                   *extra, cwd=project.root)


HEADER = "participant,prompt,kind,photo,caption,alt\n"


def test_import_refuses_a_photo_an_existing_caption_file_uses(project):
    project.item("lw01-day")
    (project.captions / "lw05-day.yaml").write_text("participant: LW05\n prompt: oops\nphoto: lw05.jpg\n")
    project.photo("lw05.jpg")
    result = import_sheet(project, HEADER + "LW02,confidence,O,lw01-day.jpg,Words.,A desk with a laptop.\n"
                                            "LW03,confidence,O,./lw05.jpg,Words.,A park bench under a tree.\n")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "sheet.csv:2: photo 'lw01-day.jpg' is also used by captions/lw01-day.yaml; each photo belongs to one item",
        "sheet.csv:3: photo './lw05.jpg' is also used by captions/lw05-day.yaml; each photo belongs to one item",
    ]
    assert sorted(p.name for p in project.captions.iterdir()) == ["lw01-day.yaml", "lw05-day.yaml"]


def test_import_refuses_a_photo_another_row_uses_under_another_spelling(project):
    (project.photos / "sub").mkdir()
    project.photo("sub/a.jpg")
    result = import_sheet(project, HEADER + "LW01,confidence,O,sub/a.jpg,Words.,A desk with a laptop.\n"
                                            "LW02,confidence,O,sub/../sub/a.jpg,Words.,A bus stop at night.\n")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "sheet.csv:3: photo 'sub/../sub/a.jpg' is also used by row 2; each photo belongs to one item"]
    assert list(project.captions.iterdir()) == []


def test_import_may_give_a_caption_it_replaces_the_same_photo(project):
    project.item("lw01-day")
    result = import_sheet(project, "id," + HEADER + "lw01-day,LW01,typical-day,O,lw01-day.jpg,New words.,"
                                                    "A desk with a laptop and papers.\n", "--overwrite")
    assert result.returncode == 0, result.stderr
    assert "New words." in (project.captions / "lw01-day.yaml").read_text()
