"""A withdrawal is never taken back. The project's withdrawal record (.gallery/withdrawn.json) keeps an
item out once its caption file loses `withdrawn:` (an import of an older register, a backup restored, a
hand edit), `import` refuses a row that would take a withdrawal back, and a damaged record stops check
and the build (fail closed: it is a record, not a cache), all through the real command line."""

from __future__ import annotations

import pytest
from conftest import Project, run_cli

RECORD = ".gallery/withdrawn.json"
LEFT_OUT = ("left out: captions/lw02-day.yaml: consent withdrawn on 2024-09-01 (the project's withdrawal record "
            "says so, but the caption file no longer does: overwritten by an import or a backup?); put back "
            "'withdrawn: 2024-09-01' under consent: a withdrawal is never taken back")


def withdraw(project: Project, item_id: str) -> None:
    path = project.captions / f"{item_id}.yaml"
    path.write_text(path.read_text().replace("  date: 2024-05-01\n", "  date: 2024-05-01\n  withdrawn: 2024-09-01\n"))


def check(project: Project):
    return run_cli("check", *sources(project), "--out", str(project.out), cwd=project.root)


def sources(project: Project) -> list[str]:
    return ["--photos", str(project.photos), "--captions", str(project.captions), "--config", str(project.config)]


@pytest.fixture
def gallery(project: Project) -> Project:
    project.config.write_text(project.config.read_text() + "images:\n  sizes: [200]\n  formats: [jpeg]\n")
    project.photo("lw01-day.jpg", size=(300, 200), colour=(200, 10, 30))
    project.caption("lw01-day")
    return project


@pytest.mark.parametrize("kind", ["original", "reported"])
def test_an_item_whose_caption_file_loses_its_withdrawal_stays_out(gallery: Project, kind: str):
    if kind == "original":
        gallery.photo("lw02-day.jpg", size=(300, 200), colour=(10, 200, 30))
    gallery.caption("lw02-day", participant="LW02", kind=kind, photo=None if kind == "reported" else "")
    gallery.build()
    assert (gallery.out / "items" / "lw02-day.html").is_file()
    consented = (gallery.captions / "lw02-day.yaml").read_bytes()
    withdraw(gallery, "lw02-day")
    assert "Removed from site/: lw02-day" in gallery.build().stderr
    (gallery.captions / "lw02-day.yaml").write_bytes(consented)       # the line lost again
    checked, built = check(gallery), gallery.build()
    for result in (checked, built):
        assert LEFT_OUT in result.stderr, result.stderr
    assert built.returncode == 0 and not (gallery.out / "items" / "lw02-day.html").exists()
    assert (gallery.out / "items" / "lw01-day.html").is_file()          # the rest of the site is built
    assert "lw02" not in (gallery.out / "index.html").read_text().lower()


def test_import_of_an_older_register_never_takes_a_withdrawal_back(gallery: Project):
    gallery.photo("lw02-day.jpg", size=(300, 200), colour=(10, 200, 30))
    gallery.caption("lw02-day", participant="LW02")
    gallery.build()
    register = gallery.root / "register-may.csv"
    assert run_cli("export", str(register), *sources(gallery), "--out", str(gallery.out),
                   cwd=gallery.root).returncode == 0                                           # in May
    withdraw(gallery, "lw02-day")
    gallery.build()
    withdrawn = (gallery.captions / "lw02-day.yaml").read_bytes()
    result = run_cli("import", str(register), "--overwrite", *sources(gallery), cwd=gallery.root)   # in October
    assert result.returncode == 1
    assert ("the consent for 'lw02-day' was withdrawn on 2024-09-01, and this row does not say so (an older copy of "
            "the register?); an import never takes back a withdrawal: write the date in the row's consent.withdrawn "
            "column, or remove the row") in result.stderr, result.stderr
    assert (gallery.captions / "lw02-day.yaml").read_bytes() == withdrawn      # all rows or none
    # the caption file deleted since: the record still knows the item
    (gallery.captions / "lw02-day.yaml").unlink()
    again = run_cli("import", str(register), "--overwrite", *sources(gallery), cwd=gallery.root)
    assert again.returncode == 1 and "the consent for 'lw02-day' was withdrawn on 2024-09-01" in again.stderr
    assert not (gallery.captions / "lw02-day.yaml").exists()


def test_a_damaged_withdrawal_record_stops_check_and_the_build_and_is_kept(gallery: Project):
    gallery.photo("lw02-day.jpg", size=(300, 200), colour=(10, 200, 30))
    gallery.caption("lw02-day", participant="LW02")
    withdraw(gallery, "lw02-day")
    gallery.build()
    record = gallery.root / RECORD
    assert "item:lw02-day.yaml" in record.read_text()
    site = {p: p.read_bytes() for p in gallery.out.rglob("*") if p.is_file()}
    for damage in (record.read_bytes()[:100], b'{"format": 1, "context": "", "entries": {"picture:x": 3}}'):
        record.write_bytes(damage)
        gallery.caption("lw03-day", participant="LW03", photo=None, kind="reported")    # something to build
        for result in (check(gallery), gallery.build(check=False)):
            assert result.returncode == 1, result.stderr
            assert (".gallery/withdrawn.json: the withdrawal record is damaged or was not written by this version, "
                    "so the tool cannot tell which items and pictures were withdrawn; nothing is published until "
                    "it is restored from a backup") in result.stderr, result.stderr
        assert record.read_bytes() == damage
        assert {p: p.read_bytes() for p in gallery.out.rglob("*") if p.is_file()} == site


def test_a_record_from_before_items_were_recorded_still_keeps_a_withdrawn_picture_out(gallery: Project):
    """Records written before this change name withdrawn items only through their pictures' entries."""
    gallery.photo("lw02-day.jpg", size=(300, 200), colour=(10, 200, 30))
    gallery.caption("lw02-day", participant="LW02")
    consented = (gallery.captions / "lw02-day.yaml").read_bytes()
    withdraw(gallery, "lw02-day")
    gallery.build()
    record = gallery.root / RECORD
    import json
    data = json.loads(record.read_text())
    data["entries"] = {k: v for k, v in data["entries"].items() if not k.startswith("item:")}
    record.write_text(json.dumps(data))
    (gallery.captions / "lw02-day.yaml").write_bytes(consented)
    result = gallery.build()
    assert ("left out: captions/lw02-day.yaml: consent withdrawn (the project's withdrawal record says so, but the "
            "caption file no longer does") in result.stderr, result.stderr
    assert "put back 'withdrawn: <the date>' under consent" in result.stderr
    assert not (gallery.out / "items" / "lw02-day.html").exists()
