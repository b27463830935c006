"""Withdrawn means withdrawn: a photo is one picture whatever it is called. The same file under
another name (a hard link, a symlink, a path through `..`) or the same bytes (a copy) used by a
second caption file is found, by `check` and by the build alike, also after the withdrawn photo is gone."""

from __future__ import annotations

import os
import shutil

import pytest
from conftest import NO_RACY_WINDOW, Project, run_cli


def withdraw(project: Project, item_id: str) -> None:
    path = project.captions / f"{item_id}.yaml"
    text = path.read_text()
    path.write_text(text.replace("  date: 2024-05-01\n", "  date: 2024-05-01\n  withdrawn: 2024-09-01\n", 1))


def run_check(project: Project):
    return run_cli("check", *project.args()[:6], "--out", str(project.out), cwd=project.root)


def both(project: Project) -> tuple[str, str]:
    """(check's stderr, the build's stderr), each after asserting that it refused."""
    check = run_check(project)
    build = project.build(check=False)
    assert check.returncode == 1, check.stderr
    assert build.returncode == 1, build.stderr
    return check.stderr, build.stderr


@pytest.fixture
def withdrawn(project: Project) -> Project:
    """lw02-day withdrawn, with its photo w.jpg; lw01-day published with a picture of its own."""
    project.config.write_text("images:\n  sizes: [200]\n  formats: [jpeg]\n")
    project.photo("w.jpg", size=(300, 200), colour=(10, 200, 30))
    project.caption("lw02-day", participant="LW02", photo="w.jpg")
    withdraw(project, "lw02-day")
    project.photo("lw01-day.jpg", size=(300, 200), colour=(200, 10, 30))
    project.caption("lw01-day")
    return project


def use(project: Project, photo: str) -> None:
    project.caption("lw03-day", participant="LW03", photo=photo)


@pytest.mark.parametrize("how", ["hard link", "copy"])
def test_a_withdrawn_photo_under_another_name_is_an_error_naming_both_captions(withdrawn: Project, how):
    (os.link if how == "hard link" else shutil.copyfile)(withdrawn.photos / "w.jpg", withdrawn.photos / "other.jpg")
    use(withdrawn, "other.jpg")
    for stderr in both(withdrawn):
        assert ("captions/lw03-day.yaml:4: photo 'other.jpg' is the picture of captions/lw02-day.yaml "
                f"(photo 'w.jpg', line 4; {'the same file' if how == 'hard link' else 'the same bytes'}), "
                "whose consent was withdrawn") in stderr, stderr
    assert not withdrawn.out.exists(), "nothing was published"


@pytest.mark.parametrize("photo", ["alias.jpg", "sub/../w.jpg"])
def test_a_withdrawn_photo_reached_by_a_symlink_or_dotdot_is_an_error(withdrawn: Project, photo):
    (withdrawn.photos / "sub").mkdir()
    (withdrawn.photos / "alias.jpg").symlink_to("w.jpg")
    use(withdrawn, photo)
    for stderr in both(withdrawn):
        assert f"captions/lw03-day.yaml:4: photo '{photo}' is also used by lw02-day.yaml" in stderr, stderr


def test_a_copy_of_a_withdrawn_photo_is_caught_after_the_photo_is_deleted(withdrawn: Project):
    """The build records the content of every withdrawn item's photo in the project's .gallery/ folder."""
    withdrawn.build()
    shutil.copyfile(withdrawn.photos / "w.jpg", withdrawn.root / "kept.jpg")
    (withdrawn.photos / "w.jpg").unlink()
    (withdrawn.captions / "lw02-day.yaml").unlink()          # and its caption file is gone too
    shutil.copyfile(withdrawn.root / "kept.jpg", withdrawn.photos / "innocent.jpg")
    use(withdrawn, "innocent.jpg")
    for stderr in both(withdrawn):
        assert ("captions/lw03-day.yaml:4: photo 'innocent.jpg' has the same bytes as the photo 'w.jpg' of "
                "lw02-day.yaml, whose consent was withdrawn") in stderr, stderr
    assert "lw03-day" not in "".join(p.name for p in withdrawn.out.rglob("*")), "the previous site stays"


def test_a_published_item_withdrawn_with_its_photo_deleted_is_still_known_by_its_content(project: Project):
    """Withdrawn and deleted in one go: the image cache still knows the photo's content."""
    project.config.write_text("images:\n  sizes: [200]\n  formats: [jpeg]\n")
    project.photo("w.jpg", size=(300, 200), colour=(10, 200, 30))
    project.caption("lw02-day", participant="LW02", photo="w.jpg")
    project.build(env=NO_RACY_WINDOW)        # the image cache records the photo's hash (it is not new)
    shutil.copyfile(project.photos / "w.jpg", project.photos / "again.jpg")
    withdraw(project, "lw02-day")
    (project.photos / "w.jpg").unlink()
    use(project, "again.jpg")
    for stderr in both(project):
        assert ("captions/lw03-day.yaml:4: photo 'again.jpg' has the same bytes as the photo 'w.jpg' of "
                "lw02-day.yaml, whose consent was withdrawn") in stderr, stderr


@pytest.mark.parametrize("how", ["hard link", "copy"])
def test_two_items_with_one_picture_under_two_names_is_a_warning_and_an_error_when_strict(withdrawn: Project, how):
    """Each item's consent is its own until one is withdrawn (then the other is refused, as above)."""
    (os.link if how == "hard link" else shutil.copyfile)(withdrawn.photos / "lw01-day.jpg",
                                                         withdrawn.photos / "other.jpg")
    use(withdrawn, "other.jpg")
    warning = ("captions/lw03-day.yaml:4: warning: photo 'other.jpg' is the picture of lw01-day.yaml too (photo "
               f"'lw01-day.jpg', {'the same file' if how == 'hard link' else 'the same bytes'}); if either is "
               "withdrawn, the other is refused: give each item a picture of its own")
    check = run_check(withdrawn)
    build = withdrawn.build()
    assert warning in check.stderr and warning in build.stderr
    strict = run_cli("check", "--strict", *withdrawn.args()[:6], "--out", str(withdrawn.out), cwd=withdrawn.root)
    assert strict.returncode == 1 and "(an error with --strict)" in strict.stderr
    withdraw(withdrawn, "lw01-day")
    for stderr in both(withdrawn):
        assert "captions/lw03-day.yaml:4: photo 'other.jpg' is the picture of captions/lw01-day.yaml" in stderr


def test_pictures_of_the_same_size_that_differ_are_fine(withdrawn: Project):
    withdrawn.photo("lw03-day.jpg", size=(300, 200), colour=(10, 200, 31))
    shutil.copyfile(withdrawn.photos / "w.jpg", withdrawn.root / "w.jpg")
    data = bytearray((withdrawn.photos / "w.jpg").read_bytes())
    data[-3] ^= 1                                   # the same size, one byte different
    (withdrawn.photos / "lw03-day.jpg").write_bytes(bytes(data))
    use(withdrawn, "lw03-day.jpg")
    assert run_check(withdrawn).returncode == 0
    withdrawn.build()
