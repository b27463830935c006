"""The content model: caption files, errors with lines, and the fail-closed consent gate."""

import datetime as dt
from pathlib import Path

import pytest
from conftest import FIXTURE_REVIEW, UNSEEN

from gallery.captions import load_items
from gallery.config import SiteConfig
from gallery.content import decide, gate


def load(project, config=SiteConfig()):
    return load_items(project.captions, project.photos, config)


def messages(problems):
    return [str(p) for p in problems]


def test_a_complete_caption_loads_into_a_typed_item(project):
    project.item("lw07-day", participant="lw07", extra="""\
        title: Paperwork
        content_note: Mentions illness.
        credit: Robin
        order: 2
        redact: [[0.1, 0.1, 0.2, 0.2]]
        notes: internal only
        """)
    items, errors, warnings = load(project)
    assert errors == [] and warnings == []
    (item,) = items
    assert item.id == "lw07-day"
    assert item.participant == "LW07"
    assert item.kind == "original" and item.kind_letter == "O"
    assert item.photo == project.photos / "lw07-day.jpg"
    assert item.title == "Paperwork" and item.credit == "Robin" and item.order == 2
    assert item.consent.publish and item.consent.scope == ("web",)
    assert item.consent.date == dt.date(2024, 5, 1)
    assert item.review.by == "ST"
    assert item.redact == ((0.1, 0.1, 0.2, 0.2),)
    assert gate(item, SiteConfig()) is None


def test_kind_short_letters_are_accepted(project):
    project.caption("lw01-r", kind="R", photo=None, alt=None)
    (item,), errors, _ = load(project)
    assert errors == [] and item.kind == "reported" and not item.has_image


def test_errors_name_file_and_line_and_are_all_collected(project):
    project.photo("a.jpg")
    project.caption("lw01-a", photo="a.jpg")
    project.caption("lw02-b", photo="a.jpg")
    project.caption("lw04-d", prompt="typical-dya", photo="d.jpg", extra="titel: Oops\n")
    (project.captions / "lw03-c.yaml").write_text("participant: LW03\nprompt: [unclosed\n")
    _, errors, _ = load(project)
    found = messages(errors)
    assert any(m.endswith("lw04-d.yaml:15: unknown key 'titel' (did you mean 'title'?); allowed keys here: "
                          "participant, prompt, kind, photo, title, caption, alt, long_description, content_note, "
                          "credit, consent, review, order, redact, notes") for m in found), found
    assert any("lw04-d.yaml:2: unknown prompt 'typical-dya' (did you mean 'typical-day'?)" in m for m in found)
    assert any("lw03-c.yaml:3: invalid YAML" in m for m in found)
    assert any("lw02-b.yaml:4: photo 'a.jpg' is also used by lw01-a.yaml; each photo belongs to one item" in m
               for m in found)


@pytest.mark.parametrize("drop, message", [
    ("participant", "missing required key 'participant'"),
    ("prompt", "missing required key 'prompt'"),
    ("caption", "missing required key 'caption'"),
    ("alt", "missing required key 'alt'"),
    ("photo", "missing required key 'photo'"),
])
def test_missing_required_keys(project, drop, message):
    path = project.caption("lw01-a")
    text = "\n".join(line for line in path.read_text().splitlines() if not line.startswith(f"{drop}:"))
    path.write_text(text)
    _, errors, _ = load(project)
    assert any(message in m for m in messages(errors)), messages(errors)


def test_alt_must_not_equal_caption(project):
    project.caption("lw01-a", caption="A desk.", alt="a desk")
    _, errors, _ = load(project)
    assert any(":6: 'alt' is the same as the caption" in m for m in messages(errors))


def test_reported_item_must_not_have_a_photo(project):
    project.caption("lw01-a", kind="reported", photo="x.jpg")
    _, errors, _ = load(project)
    assert any("a reported item has no image" in m for m in messages(errors))


def test_participant_must_be_a_code_not_a_name(project):
    project.caption("lw01-a", participant="Jane Smith")
    _, errors, _ = load(project)
    assert any("participant 'Jane Smith' must be a pseudonymous code" in m for m in messages(errors))


def test_item_ids_are_lower_case_file_names(project):
    project.caption("LW01-Day")
    _, errors, _ = load(project)
    assert any("'LW01-Day.yaml' is not a valid item id" in m for m in messages(errors))


def test_consent_publish_requires_a_date(project):
    path = project.caption("lw01-a")
    path.write_text(path.read_text().replace("  date: 2024-05-01\n", ""))
    _, errors, _ = load(project)
    assert any("missing 'consent.date'" in m for m in messages(errors))


def test_misspelt_withdrawn_is_an_error_not_silently_published(project):
    project.caption("lw01-a", extra="")
    path = project.captions / "lw01-a.yaml"
    path.write_text(path.read_text().replace("  date: 2024-05-01\n", "  date: 2024-05-01\n  withdrawm: 2024-09-01\n"))
    items, errors, _ = load(project)
    assert items == []
    assert any("unknown key 'consent.withdrawm' (did you mean 'consent.withdrawn'?)" in m for m in messages(errors))


@pytest.mark.parametrize("change, reason", [
    (("publish: true", "publish: false"), "no consent to publish"),
    (("scope: [web]", "scope: [print, exhibition]"), "consent scope does not include web"),
    (("  date: 2024-05-01\n", "  date: 2024-05-01\n  withdrawn: 2024-09-01\n"), "consent withdrawn on 2024-09-01"),
    (("  date: 2024-05-01\n", "  date: 2024-05-01\n  withdrawn:\n"), "consent withdrawn"),
    (("review:\n  by: ST\n  date: 2024-05-02\n  photo: " + UNSEEN + FIXTURE_REVIEW + "\n", ""), "not reviewed"),
])
def test_the_gate_leaves_items_out_with_a_reason(project, change, reason):
    path = project.caption("lw01-a")
    text = path.read_text()
    assert change[0] in text
    path.write_text(text.replace(*change))
    items, errors, _ = load(project)
    assert errors == []
    (decision,) = decide(items, SiteConfig())
    assert not decision.published
    assert decision.reason.startswith(reason)


def test_no_consent_block_means_not_published(project):
    path = project.caption("lw01-a")
    text = path.read_text()
    path.write_text(text[: text.index("consent:")] + text[text.index("review:"):])
    (item,), errors, _ = load(project)
    assert errors == [] and gate(item, SiteConfig()) == "no consent recorded"


def test_review_can_be_switched_off_by_the_team(project):
    path = project.caption("lw01-a")
    block = "review:\n  by: ST\n  date: 2024-05-02\n  photo: " + UNSEEN + FIXTURE_REVIEW + "\n"
    path.write_text(path.read_text().replace(block, ""))
    (item,), _, _ = load(project)
    assert gate(item, SiteConfig()) is not None
    assert gate(item, SiteConfig(require_review=False)) is None


def test_unexpected_files_in_captions_are_warned_about(project):
    (project.captions / "notes.docx").write_bytes(b"x")
    (project.captions / "README.md").write_text("notes")
    _, errors, warnings = load(project)
    assert errors == []
    assert messages(warnings) == [f"{Path(project.captions / 'notes.docx')}: not a caption file (captions end in "
                                  ".yaml); ignored"] or "notes.docx: not a caption file" in messages(warnings)[0]
