"""`build.py export REGISTER.csv` (the register) and `build.py import` reading it back, through the real
command line on real files; the CSV is read back with the csv module."""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import json
from pathlib import Path

from conftest import Project, photo_ref, run_cli

from gallery.captions import load_items
from gallery.config import load_config
from gallery.printing import record
from gallery.sheet import COLUMNS, REGISTER_ONLY

HEADER = ["id", "participant", "prompt", "kind", "caption file", "photo", "state", "reason",
          "consent.publish", "consent.scope", "consent.date", "consent.withdrawn", "review.by", "review.date",
          "web", "print packs", "exhibition panels",
          "title", "caption", "alt", "long_description", "content_note", "credit", "order", "redact",
          "review.photo", "review.redact", "review.accepted", "notes"]


def sources(project: Project, captions: Path | None = None) -> list[str]:
    return ["--photos", str(project.photos), "--captions", str(captions or project.captions),
            "--config", str(project.config)]


def export(project: Project, name: str = "register.csv", *extra: str):
    return run_cli("export", str(project.root / name), *project.args(*extra), cwd=project.root)


def read_register(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """The header and the rows, as a spreadsheet program reads the file (after checking its BOM)."""
    raw = path.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8), raw[:10]
    records = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    return records[0], [dict(zip(records[0], r, strict=True)) for r in records[1:]]


def write_caption(project: Project, item_id: str, text: str) -> Path:
    path = project.captions / f"{item_id}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def consented(photo: Path | None, extra: str = "", consent: str = "") -> str:
    """The consent and review lines of a caption (review bound to photo, when there is one)."""
    bound = f"  photo: {photo_ref(photo)}\n" if photo is not None else ""
    return (f"consent:\n  publish: true\n  scope: [web]\n  date: 2024-05-01\n{consent}"
            f"review:\n  by: ST\n  date: 2024-05-02\n{bound}{extra}")


def items_of(project: Project, captions: Path) -> dict:
    """Every caption file of captions, loaded by the build's own loader, without what says where it is."""
    items, errors, _ = load_items(captions, project.photos, load_config(project.config))
    return {i.id: dataclasses.replace(i, source=Path(), key_lines=(), photo_line=None) for i in items}, errors


def test_the_register_names_every_column_import_reads():
    assert set(HEADER) == set(COLUMNS) | set(REGISTER_ONLY) and len(HEADER) == len(set(HEADER))


# ---- rows, columns and states ------------------------------------------------------------------

def test_one_row_per_caption_file_by_id_in_every_state(project):
    project.item("lw01-day")
    project.item("lw02-day", participant="LW02", publish="false")
    withdrawn = project.photo("lw03-day.jpg")
    write_caption(project, "lw03-day", "participant: LW03\nprompt: typical-day\nkind: original\nphoto: lw03-day.jpg\n"
                                       "caption: Mine.\nalt: A bus stop in the rain at night.\n"
                                       + consented(withdrawn))
    project.caption("lw04-unexpected", participant="LW04", prompt="unexpected", kind="reported", photo=None,
                    alt=None, caption="I fixed a bike, and nobody asked me to.")
    project.build()
    built = json.loads(project.report.read_text())["generated"][:10]
    # after the build: lw03 withdrawn (still on the site until the next build), a broken file, a missing photo
    (project.captions / "lw03-day.yaml").write_text(
        (project.captions / "lw03-day.yaml").read_text().replace("date: 2024-05-01\n",
                                                                 "date: 2024-05-01\n  withdrawn: 2024-09-01\n", 1))
    write_caption(project, "lw00-day", "participant: LW00\nprompt: typical-day\ntitel: Oops\n")
    project.caption("lw05-day", participant="LW05")          # its photo is not there
    result = export(project)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[0] == (
        "Wrote the register of 6 caption files to register.csv (2 published, 1 left out, 1 withdrawn, 1 has errors, "
        "1 cannot be read). It holds participant ids and consent: keep it with the study's records, never on the web.")
    raw = (project.root / "register.csv").read_bytes()
    assert raw.startswith(codecs.BOM_UTF8 + b"id,participant,prompt,kind,caption file,photo,state,reason,")
    assert raw.count(b"\r\n") == 7                        # CRLF records, as spreadsheet programs write them
    header, rows = read_register(project.root / "register.csv")
    assert header == HEADER
    assert [r["id"] for r in rows] == ["lw00-day", "lw01-day", "lw02-day", "lw03-day", "lw04-unexpected", "lw05-day"]
    by_id = {r["id"]: r for r in rows}
    assert {i: (r["state"], r["web"]) for i, r in by_id.items()} == {
        "lw00-day": ("cannot be read", ""), "lw01-day": ("published", f"site/ (built {built})"),
        "lw02-day": ("left out", ""), "lw03-day": ("withdrawn", f"site/ (built {built})"),
        "lw04-unexpected": ("published", f"site/ (built {built})"), "lw05-day": ("has errors", "")}
    assert by_id["lw00-day"]["reason"].startswith("line 3: unknown key 'titel' (did you mean 'title'?)")
    assert (by_id["lw00-day"]["participant"], by_id["lw00-day"]["caption file"]) == ("LW00", "captions/lw00-day.yaml")
    assert by_id["lw02-day"]["reason"] == "no consent to publish (consent.publish is not true)"
    assert by_id["lw03-day"]["reason"] == "consent withdrawn on 2024-09-01"
    assert by_id["lw03-day"]["consent.withdrawn"] == "2024-09-01"
    assert by_id["lw05-day"]["reason"] == ("a build stops on it: line 4: photo 'lw05-day.jpg' does not exist in "
                                           "photos/; check the spelling or add the file")
    assert by_id["lw01-day"] | {"review.photo": ""} == {
        "id": "lw01-day", "participant": "LW01", "prompt": "typical-day", "kind": "original",
        "caption file": "captions/lw01-day.yaml", "photo": "lw01-day.jpg", "state": "published", "reason": "",
        "consent.publish": "yes", "consent.scope": "web", "consent.date": "2024-05-01", "consent.withdrawn": "",
        "review.by": "ST", "review.date": "2024-05-02", "web": f"site/ (built {built})", "print packs": "",
        "exhibition panels": "", "title": "", "caption": "My working day.", "alt": "A desk with a laptop and papers.",
        "long_description": "", "content_note": "", "credit": "none", "order": "", "redact": "", "review.photo": "",
        "review.redact": "", "review.accepted": "", "notes": ""}
    assert by_id["lw01-day"]["review.photo"] == photo_ref(project.photos / "lw01-day.jpg")
    assert by_id["lw04-unexpected"]["photo"] == "" and by_id["lw04-unexpected"]["kind"] == "reported"
    assert "a build now would stop and publish nothing" in result.stderr
    assert not list(project.out.rglob("*.csv"))


def test_where_it_is_comes_from_the_build_report_and_the_print_record(project):
    project.item("lw01-day")
    project.item("lw02-confidence", participant="LW02", prompt="confidence")
    project.build()
    built = json.loads(project.report.read_text())["generated"][:10]
    private = project.options().private
    record.add(private, [record.Printed("pack-all.pdf", "print", "2026-11-02T09:00:00+00:00", "pack",
                                        ("lw01-day", "lw02-confidence"))])
    record.add(private, [
        record.Printed("pack-typical-day.pdf", "print", "2026-12-01T10:00:00+00:00", "pack", ("lw01-day",)),
        record.Printed("pack-all.pdf", "print", "2026-12-01T10:00:00+00:00", "pack", ("lw01-day",)),
        record.Printed("panel-1.pdf", "exhibition", "2026-12-03T08:30:00+00:00", "panel", ("lw02-confidence",))])
    result = export(project)
    assert result.returncode == 0, result.stderr
    _, rows = read_register(project.root / "register.csv")
    assert [(r["web"], r["print packs"], r["exhibition panels"]) for r in rows] == [
        (f"site/ (built {built})", "print/pack-typical-day.pdf (2026-12-01); print/pack-all.pdf (2026-12-01)", ""),
        (f"site/ (built {built})", "", "exhibition/panel-1.pdf (2026-12-03)")]     # the November pack-all is gone


def test_a_register_of_an_output_never_built_says_so(project):
    project.item("lw01-day")
    result = export(project)
    assert result.returncode == 0, result.stderr
    assert ("site: warning: has no build report (never built, or the site was built into another folder: give that "
            "folder with --out), so the register's 'web' column is empty: no item is recorded as published"
            ) in result.stderr.splitlines(), result.stderr
    _, rows = read_register(project.root / "register.csv")
    assert [r["web"] for r in rows] == [""]


def test_a_damaged_build_report_or_print_record_is_unknown_never_blank(project):
    project.item("lw01-day")
    project.build()
    project.report.write_text('{"format": 1, "generated": "2026-12-01T10:00:00+00:00"', encoding="utf-8")
    (project.options().private / "print-record.json").write_text("[1, 2", encoding="utf-8")
    result = export(project)
    assert result.returncode == 0, result.stderr
    _, rows = read_register(project.root / "register.csv")
    assert [(r["web"], r["print packs"], r["exhibition panels"]) for r in rows] == [(
        "unknown: the build report cannot be read (see the export's message)",
        "unknown: the print record is damaged (see the export's message)",
        "unknown: the print record is damaged (see the export's message)")]
    warnings = [line for line in result.stderr.splitlines() if ": warning: " in line]
    assert len(warnings) == 2
    assert warnings[0].startswith(".gallery/site/build-report.json: warning: the build report cannot be read (")
    assert warnings[1].startswith(".gallery/print-record.json: warning: the print record is damaged (")


# ---- CSV injection ------------------------------------------------------------------------------

FORMULAS = {"lw01-day": "=HYPERLINK(\"http://example.com\", \"click\")", "lw02-day": "+44 is not a sum",
            "lw03-day": "-1 for the paperwork", "lw04-day": "@ST knows why", "lw05-day": "'Tis the season"}


def test_cells_a_spreadsheet_would_run_as_formulas_are_neutralised_and_imported_back(project):
    for n, (item_id, caption) in enumerate(FORMULAS.items(), 1):
        project.item(item_id, participant=f"LW0{n}", caption=json.dumps(caption), extra="order: -2\n")
    result = export(project)
    assert result.returncode == 0, result.stderr
    text = (project.root / "register.csv").read_text(encoding="utf-8-sig")
    _, rows = read_register(project.root / "register.csv")
    assert [r["caption"] for r in rows] == [f"'{c}" for c in FORMULAS.values()]
    assert {r["order"] for r in rows} == {"'-2"}
    for row in rows:                    # no cell of the file starts a formula
        assert not [v for v in row.values() if v[:1] in ("=", "+", "-", "@", "\t", "\r")], row
    assert "\"'=HYPERLINK(\"\"http://example.com\"\", \"\"click\"\")\"" in text
    fresh = project.root / "fresh"
    imported = run_cli("import", str(project.root / "register.csv"), *sources(project, fresh), cwd=project.root)
    assert imported.returncode == 0, imported.stderr
    after, errors = items_of(project, fresh)
    assert errors == []
    assert {i: (item.caption, item.order) for i, item in after.items()} == {i: (c, -2) for i, c in FORMULAS.items()}


# ---- where it may be written --------------------------------------------------------------------

def test_the_register_is_refused_inside_the_site_and_the_source_folders(project):
    project.item("lw01-day")
    project.build()
    settings = project.config.read_bytes()
    (project.root / "www").symlink_to(project.out)
    refused = {
        "site/register.csv": "site/register.csv: is inside the output folder (site/), which a web server publishes; "
                             "the register holds participant ids and consent: write it elsewhere, e.g. register.csv "
                             "in the project folder",
        "www/register.csv": "www/register.csv: is inside the output folder (site/), which a web server publishes; "
                            "the register holds participant ids and consent: write it elsewhere, e.g. register.csv "
                            "in the project folder",
        "captions/register.csv": "captions/register.csv: is inside the captions folder (captions/), which holds the "
                                 "gallery's sources; the register holds participant ids and consent: write it "
                                 "elsewhere, e.g. register.csv in the project folder",
        "templates/static/register.csv": "templates/static/register.csv: is inside the templates folder "
                                         "(templates/), which holds the gallery's sources; the register holds "
                                         "participant ids and consent: write it elsewhere, e.g. register.csv in the "
                                         "project folder",
        "gallery.yaml": "gallery.yaml: the register is CSV; give a file name ending in .csv, e.g. register.csv"}
    for name, message in refused.items():
        result = export(project, name)
        assert result.returncode == 1, (name, result.stderr)
        assert result.stderr.splitlines() == [message]
    assert not list(project.root.rglob("register.csv")) and project.config.read_bytes() == settings
    old = project.root / "old-site"           # an earlier --out: a site this tool built is published too
    old.mkdir()
    (old / ".gallery-manifest.json").write_text("{}")
    inside = export(project, "old-site/register.csv")
    assert inside.returncode == 1
    assert inside.stderr.splitlines() == [
        "old-site/register.csv: is inside old-site/, a site this tool built (it holds .gallery-manifest.json), which "
        "a web server publishes; the register holds participant ids and consent: write it elsewhere, e.g. "
        "register.csv in the project folder"]


def test_an_existing_register_is_replaced_as_help_says(project):
    project.item("lw01-day")
    (project.root / "records").mkdir()
    target = project.root / "records" / "register.csv"
    target.write_text("an old export\n")
    assert export(project, "records/register.csv").returncode == 0
    assert [r["id"] for r in read_register(target)[1]] == ["lw01-day"]
    help_text = run_cli("export", "--help").stdout
    assert "An existing file is replaced" in " ".join(help_text.split())


# ---- the round trip through import --------------------------------------------------------------

def round_trip_project(project: Project) -> None:
    """Every kind of value a caption file holds, in files that load cleanly."""
    one = project.photo("lw01-day.jpg")
    review = consented(one, "  redact: [[0.5, 0.5, 0.25, 0.25], [0.1, 0.2, 0.3, 0.25]]\n  accepted:\n    - {kind: "
                            "text, box: [0.6, 0.1, 0.2, 0.05], reason: 'a public sign, it names nobody'}\n")
    write_caption(project, "lw01-day", f"""\
participant: lw01
prompt: typical-day
kind: O
photo: lw01-day.jpg
title: "=1+2 is not a sum"
caption: |
  - a list item first
  - then a second, with "quotes", a comma and Ça va, naïve, 日本語
alt: A desk covered in forms and a mug of tea.
long_description: |
  Line one.

  Line three, after an empty line.
content_note: This picture is about a hospital stay.
credit: Pseudonym
order: -1
redact: [[0.1, 0.2, 0.3, 0.25], [0.5, 0.5, 0.25, 0.25]]
notes: "@ST: asked LW01 about the poster"
{review}""")
    write_caption(project, "lw02-unexpected", """\
participant: LW02
prompt: unexpected
kind: reported
caption: "'Tis the season; she said no."
consent:
  publish: true
  scope: [web, print, exhibition]
  date: 2024-05-01
  withdrawn: yes
""")
    three = project.photo("lw03-confidence.jpg")
    write_caption(project, "lw03-confidence", "participant: LW-03\nprompt: confidence\nkind: illustration\n"
                                              "photo: lw03-confidence.jpg\ncaption: My notebook.\n"
                                              "alt: A worn notebook on a park bench.\n"
                                              + consented(three, consent="  withdrawn: 2024-09-01\n"))
    project.photo("lw04-day.jpg")
    write_caption(project, "lw04-day", f"""\
participant: LW04
prompt: typical-day
kind: original
photo: lw04-day.jpg
caption: A draft, no consent yet.
alt: A kettle next to a pile of mugs.
review:
  photo: {photo_ref(project.photos / "lw04-day.jpg")}
  accepted:
    - {{kind: face, box: [0.2, 0.2, 0.1, 0.1], reason: "the participant's own face, with consent"}}
""")
    write_caption(project, "lw05-unexpected", "participant: LW05\nprompt: unexpected\nkind: R\ncaption: Words only.\n"
                                              "consent:\n  publish: false\n  scope: [web]\n")


def test_export_then_import_into_the_same_folder_gives_the_same_items_and_register(project):
    round_trip_project(project)
    write_caption(project, "lw09-day", "participant: LW09\nprompt: typical-day\nkind: original\n")   # broken
    before, errors = items_of(project, project.captions)
    assert len(before) == 5 and [p.path.name for p in errors] == ["lw09-day.yaml"] * 3
    assert export(project).returncode == 0
    first = (project.root / "register.csv").read_bytes()
    broken = (project.captions / "lw09-day.yaml").read_bytes()
    result = run_cli("import", str(project.root / "register.csv"), "--overwrite", *sources(project),
                     cwd=project.root)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "register.csv:7: warning: skipped: the register could not read captions/lw09-day.yaml, so the row holds no "
        "caption to import; fix that file itself",
        "Not imported (the register's own columns): caption file, state, reason, web, print packs, exhibition panels",
        "Imported 5 caption files into captions/ from register.csv. Next: python build.py check"]
    after, _ = items_of(project, project.captions)
    assert after == before
    assert (project.captions / "lw09-day.yaml").read_bytes() == broken
    assert export(project, "again.csv").returncode == 0
    assert (project.root / "again.csv").read_bytes() == first


def test_export_then_import_into_a_fresh_folder_gives_the_same_items(project):
    round_trip_project(project)
    before, errors = items_of(project, project.captions)
    assert errors == [] and len(before) == 5
    assert export(project).returncode == 0
    _, rows = read_register(project.root / "register.csv")
    assert [r["state"] for r in rows] == ["published", "withdrawn", "withdrawn", "left out", "left out"]
    fresh = project.root / "fresh"
    result = run_cli("import", str(project.root / "register.csv"), *sources(project, fresh), cwd=project.root)
    assert result.returncode == 0, result.stderr
    after, errors = items_of(project, fresh)
    assert errors == [] and after == before
    assert after["lw01-day"].review.accepted[0].reason == "a public sign, it names nobody"
    assert after["lw02-unexpected"].consent.withdrawn is True and after["lw05-unexpected"].review is None


def test_a_registers_review_is_kept_as_recorded_not_bound_to_a_photo_changed_since(project):
    photo = project.photo("lw01-day.jpg")
    write_caption(project, "lw01-day", "participant: LW01\nprompt: typical-day\nkind: original\nphoto: lw01-day.jpg\n"
                                       "caption: Mine.\nalt: A bus stop in the rain at night.\n" + consented(photo))
    project.photo("lw01-day.jpg", colour=(20, 200, 90))      # replaced after its review
    project.item("lw02-day", participant="LW02")
    (project.captions / "lw02-day.yaml").write_text(        # reviewed before reviews recorded the photo
        "\n".join(line for line in (project.captions / "lw02-day.yaml").read_text().splitlines()
                  if "sha256:" not in line) + "\n")
    assert export(project).returncode == 0
    _, rows = read_register(project.root / "register.csv")
    reasons = [r["reason"] for r in rows]
    assert reasons[0].startswith("the photo changed after its review on 2024-05-02 (ST)")
    assert reasons[1].startswith("its review (2024-05-02, ST) records no photo")
    done = run_cli("import", str(project.root / "register.csv"), "--overwrite", *sources(project), cwd=project.root)
    assert done.returncode == 0, done.stderr
    assert export(project, "again.csv").returncode == 0
    assert [r["reason"] for r in read_register(project.root / "again.csv")[1]] == reasons


def test_a_hand_made_sheet_cannot_bind_accepted_flags_to_whatever_photo_is_there(project):
    project.photo("lw01-day.jpg")
    sheet = project.root / "sheet.csv"
    sheet.write_text("id,participant,prompt,kind,photo,caption,alt,review.by,review.date,review.accepted\n"
                     "lw01-day,LW01,typical-day,O,lw01-day.jpg,Words.,A desk with a laptop and papers.,ST,2024-05-02,"
                     "\"[{kind: face, box: [0.2, 0.2, 0.1, 0.1], reason: fine}]\"\n", encoding="utf-8")
    result = run_cli("import", str(sheet), *sources(project), cwd=project.root)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "sheet.csv:2: column 'review.accepted' without a 'review.photo' column: what a review approved belongs to "
        "the photo it saw; add that column (as the register writes it) or empty this cell"]
    assert list(project.captions.iterdir()) == []
