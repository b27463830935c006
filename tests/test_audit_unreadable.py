"""The privacy audit fails closed: a photo whose metadata it cannot read is a finding, never a pass."""

from __future__ import annotations

from conftest import Project


def test_a_photo_the_audit_cannot_read_stops_the_build(project: Project):
    """Not yet published, but its metadata (a GPS position, an owner's name) could still have been
    typed into a published caption: an unreadable file cannot be checked, so nothing is published."""
    project.item("lw01-day")
    (project.photos / "lw02-day.jpg").write_bytes(b"\x00\x01 not an image at all " * 40)
    project.caption("lw02-day", participant="LW02", publish="false")
    result = project.build(check=False)
    assert result.returncode == 1, result.stderr
    assert "photos/lw02-day.jpg: cannot be opened as an image" in result.stderr
    assert "the privacy audit cannot read its metadata" in result.stderr
    assert "Traceback" not in result.stderr
    assert not project.out.exists(), "nothing may be published"
    (project.photos / "lw02-day.jpg").unlink()
    project.photo("lw02-day.jpg")
    assert project.build().returncode == 0
