"""The audit's memo only skips what it really checked: new needles and changed files are re-read."""

from __future__ import annotations

from conftest import Project
from gallery import audit
from test_audit import exif_bytes


def build_with(project: Project, *extra: str):
    return project.build("--config", str(project.config), *extra, check=False)


def test_an_old_page_is_checked_again_when_a_new_photo_brings_new_metadata(project: Project):
    project.config.write_text("images:\n  sizes: [200]\n  formats: [jpeg]\n")
    project.item("lw01-day", caption="We borrowed a Frobnicator Z9 camera for the day.")
    assert build_with(project).returncode == 0
    memo = project.root / ".site-cache" / "audit-memo.json"
    assert memo.is_file(), "the first build should remember what it checked"
    # the unchanged page now holds the model name of a newly added photo
    project.photo("lw02-day.jpg", size=(300, 200), exif=exif_bytes(model="Frobnicator Z9"))
    project.caption("lw02-day", participant="LW02")
    result = build_with(project)
    assert result.returncode == 1
    assert "items/lw01-day.html:" in result.stderr
    assert "contains 'Frobnicator Z9', the EXIF Model of lw02-day.jpg" in result.stderr


def test_a_changed_image_file_is_read_again(project: Project, tmp_path):
    project.config.write_text("images:\n  sizes: [200]\n  formats: [jpeg]\n")
    project.item("lw01-day")
    assert build_with(project).returncode == 0
    memo = project.root / ".site-cache" / "audit-memo.json"
    jpeg = sorted(project.out.glob("images/*.jpg"))[0]
    assert audit.audit_site(project.out, memo=memo) == []
    data = jpeg.read_bytes()
    jpeg.unlink()   # a new file (new inode) with a comment segment planted after SOI
    jpeg.write_bytes(data[:2] + b"\xff\xfe\x00\x0aleak!!!!" + data[2:])
    found = [str(p) for p in audit.audit_site(project.out, memo=memo)]
    assert any(jpeg.name in f and "COM" in f for f in found), found


def test_a_damaged_memo_means_a_full_audit(project: Project):
    project.config.write_text("images:\n  sizes: [200]\n  formats: [jpeg]\n")
    project.item("lw01-day")
    assert build_with(project).returncode == 0
    memo = project.root / ".site-cache" / "audit-memo.json"
    memo.write_text("{not json")
    jpeg = sorted(project.out.glob("images/*.jpg"))[0]
    with open(jpeg, "ab") as fh:
        fh.write(b"trailing bytes")
    found = [str(p) for p in audit.audit_site(project.out, memo=memo)]
    assert any(jpeg.name in f for f in found), found
