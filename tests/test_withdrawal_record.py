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
    assert '"item:lw02-day": ["2024-09-01"]' in record.read_text()
    site = {p: p.read_bytes() for p in gallery.out.rglob("*") if p.is_file()}
    for damage in (record.read_bytes()[:100], b'{"format": 1, "context": "", "entries": {"picture:x": 3}}'):
        record.write_bytes(damage)
        gallery.caption("lw03-day", participant="LW03", photo=None, kind="reported")    # something to build
        for result in (check(gallery), gallery.build(check=False)):
            assert result.returncode == 1, result.stderr
            assert (".gallery/withdrawn.json: the withdrawal record cannot be read in full (damaged, unreadable, "
                    "or written by another version of this tool), so the tool cannot tell which items and pictures "
                    "were withdrawn; nothing is published until it is restored from a backup") in result.stderr, \
                result.stderr
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


def recorded(gallery: Project, kind: str = "original") -> bytes:
    """lw02-day published, then withdrawn and built (the record names it); its consented caption text."""
    if kind == "original":
        gallery.photo("lw02-day.jpg", size=(300, 200), colour=(10, 200, 30))
    gallery.caption("lw02-day", participant="LW02", kind=kind, photo=None if kind == "reported" else "")
    consented = (gallery.captions / "lw02-day.yaml").read_bytes()
    withdraw(gallery, "lw02-day")
    gallery.build()
    return consented


def test_the_record_knows_the_item_by_id_whatever_its_caption_file_is_called(gallery: Project):
    consented = recorded(gallery, "reported")
    (gallery.captions / "lw02-day.yaml").unlink()
    (gallery.captions / "lw02-day.yml").write_bytes(consented)          # restored under the other suffix
    for result in (check(gallery), gallery.build()):
        assert "left out: captions/lw02-day.yml: consent withdrawn on 2024-09-01 (the project's withdrawal record" \
            in result.stderr, result.stderr
    assert not (gallery.out / "items" / "lw02-day.html").exists()


def test_a_record_copied_in_or_damaged_after_a_build_is_seen_by_the_next_one(gallery: Project, tmp_path):
    """The record is among what the no-op answer checks: 'nothing changed' never stands for a build that
    would now keep an item out, or stop."""
    consented = recorded(gallery)
    record = gallery.root / RECORD
    kept = tmp_path / "withdrawn.json"
    kept.write_bytes(record.read_bytes())
    record.unlink()                                    # another machine's project: the record not copied yet
    (gallery.captions / "lw02-day.yaml").write_bytes(consented)
    gallery.build()
    assert (gallery.out / "items" / "lw02-day.html").is_file()
    assert "Nothing changed" in gallery.build().stderr
    record.write_bytes(kept.read_bytes())              # the record copied in, nothing else changed
    again = gallery.build()
    assert "Nothing changed" not in again.stderr and LEFT_OUT in again.stderr, again.stderr
    assert not (gallery.out / "items" / "lw02-day.html").exists()
    assert "Nothing changed" in gallery.build().stderr
    record.write_bytes(b"{")                           # then damaged
    stopped = gallery.build(check=False)
    assert stopped.returncode == 1 and "the withdrawal record cannot be read in full" in stopped.stderr


@pytest.mark.parametrize("how", ["an entry this version does not know", "a dangling link"])
def test_a_record_that_cannot_be_read_in_full_stops_the_build(gallery: Project, tmp_path, how: str):
    recorded(gallery)
    record = gallery.root / RECORD
    if how == "a dangling link":
        record.unlink()
        record.symlink_to(tmp_path / "gone.json")
    else:
        record.write_text(record.read_text().replace('"entries": {', '"entries": {"person:lw02": ["x"], ', 1))
    gallery.caption("lw03-day", participant="LW03", photo=None, kind="reported")
    for result in (check(gallery), gallery.build(check=False)):
        assert result.returncode == 1, result.stderr
        assert ".gallery/withdrawn.json: the withdrawal record cannot be read in full (damaged, unreadable, or " \
               "written by another version of this tool)" in result.stderr, result.stderr
    assert record.is_symlink() if how == "a dangling link" else '"person:lw02"' in record.read_text()   # kept


def test_an_item_the_record_keeps_out_is_withdrawn_for_the_register_and_its_export_imports_back(gallery: Project):
    consented = recorded(gallery)
    (gallery.captions / "lw02-day.yaml").write_bytes(consented)
    register = gallery.root / "register.csv"
    done = run_cli("export", str(register), *sources(gallery), "--out", str(gallery.out), cwd=gallery.root)
    assert done.returncode == 0, done.stderr
    import csv
    rows = {r["id"]: r for r in csv.DictReader(register.read_text(encoding="utf-8-sig").splitlines())}
    assert rows["lw02-day"]["state"] == "withdrawn" and rows["lw02-day"]["consent.withdrawn"] == "2024-09-01"
    back = run_cli("import", str(register), "--overwrite", *sources(gallery), cwd=gallery.root)
    assert back.returncode == 0, back.stderr
    assert "withdrawn: 2024-09-01" in (gallery.captions / "lw02-day.yaml").read_text()   # put back by the import


def test_import_and_add_refuse_while_the_record_is_damaged_or_knows_the_id(gallery: Project):
    recorded(gallery)
    (gallery.captions / "lw02-day.yaml").unlink()
    added = run_cli("add", "--participant", "LW02", "--prompt", "typical-day", "--kind", "reported", "--id",
                    "lw02-day", *sources(gallery), cwd=gallery.root)
    assert added.returncode != 0
    assert ("the id 'lw02-day' is that of an item whose consent was withdrawn on 2024-09-01 (the project's "
            "withdrawal record), which never comes back; give this item another id with --id, e.g. --id "
            "lw02-day-2") in added.stderr, added.stderr
    assert not (gallery.captions / "lw02-day.yaml").exists()
    sheet = gallery.root / "sheet.csv"
    sheet.write_text("participant,prompt,kind,caption,consent.publish,consent.scope,consent.date\n"
                     "LW03,typical-day,reported,Words.,true,web,2024-05-01\n", encoding="utf-8")
    (gallery.root / RECORD).write_bytes(b"{")
    imported = run_cli("import", str(sheet), *sources(gallery), cwd=gallery.root)
    assert imported.returncode == 1 and "the withdrawal record cannot be read in full" in imported.stderr
    assert not (gallery.captions / "lw03-typical-day.yaml").exists()


def test_the_record_beside_the_captions_is_read_too_when_the_settings_are_another_projects(gallery: Project):
    """A study in a folder of its own, checked without --config: the settings are the gallery beside
    build.py, the study's own record (beside its captions) still keeps its withdrawn item out."""
    consented = recorded(gallery)
    (gallery.captions / "lw02-day.yaml").write_bytes(consented)
    checked = run_cli("check", "--photos", str(gallery.photos), "--captions", str(gallery.captions), cwd=gallery.root)
    assert ("left out: captions/lw02-day.yaml: consent withdrawn on 2024-09-01 (the project's withdrawal record says "
            "so") in checked.stderr, checked.stderr


def test_an_item_the_record_keeps_out_is_never_a_draft_nor_screened(gallery: Project):
    from gallery import content, screens, site
    consented = recorded(gallery)
    (gallery.captions / "lw02-day.yaml").write_bytes(consented)
    found = content.collect(gallery.options())
    assert [d.item.id for d in found.decisions if d.item.consent.withdrawn is not None] == ["lw02-day"]
    assert found.withdrawn == {"lw02-day"}
    assert "lw02-day" not in {i.id for i in site.draft_items(found.decisions)}
    assert "lw02-day" not in {i.id for i in screens.screenable(d.item for d in found.decisions)}
    assert "lw01-day" in {i.id for i in screens.screenable(d.item for d in found.decisions)}


def test_import_reads_a_withdrawal_as_the_loader_does_present_with_any_value(gallery: Project):
    """withdrawn: with no value is withdrawn for the build (captions.py), so for import too."""
    gallery.photo("lw02-day.jpg", size=(300, 200), colour=(10, 200, 30))
    gallery.caption("lw02-day", participant="LW02")
    register = gallery.root / "register.csv"
    assert run_cli("export", str(register), *sources(gallery), "--out", str(gallery.out),
                   cwd=gallery.root).returncode == 0
    path = gallery.captions / "lw02-day.yaml"
    path.write_text(path.read_text().replace("  date: 2024-05-01\n", "  date: 2024-05-01\n  withdrawn:\n"))
    result = run_cli("import", str(register), "--overwrite", *sources(gallery), cwd=gallery.root)
    assert result.returncode == 1 and "the consent for 'lw02-day' was withdrawn, and this row does not say so" \
        in result.stderr, result.stderr
