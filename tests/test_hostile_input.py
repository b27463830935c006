"""Input that once gave a traceback or hung: each is one line naming the file (and line), exit 1,
nothing published. Through the real command line, on real files (named pipes made with mkfifo);
every run has a timeout, so a hang fails the test instead of stopping the suite."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import Project, copy_of, run_cli

from gallery.errors import Problem
from gallery.ids import ID_RE

HANG = 60           # seconds: far longer than any of these runs takes; only a hang reaches it
CONSENT_DATE_LINE = 10     # of the conftest caption template
REVIEW_DATE_LINE = 13


@pytest.fixture(scope="module")
def built_once(tmp_path_factory) -> Path:
    project = Project(tmp_path_factory.mktemp("hostile") / "proj")
    project.item("lw01-day")
    project.build()
    return project.root


@pytest.fixture
def proj(built_once: Path, tmp_path: Path) -> Project:
    return copy_of(built_once, tmp_path)


def site_files(project: Project) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(project.out)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(project.out.rglob("*")) if p.is_file()}


def cli(project: Project, command: str, *extra: str):
    args = project.args() if command == "build" else ["--photos", str(project.photos), "--captions",
                                                        str(project.captions), "--config", str(project.config)]
    return run_cli(command, *args, *extra, cwd=project.root, timeout=HANG)


def refused(project: Project, expected: str, commands=("check", "build")) -> None:
    """Each command: exit 1, the expected line among its errors, no traceback, the site unchanged."""
    before = site_files(project)
    for command in commands:
        result = cli(project, command)
        lines = result.stderr.splitlines()
        assert result.returncode == 1, (command, result.stderr)
        assert "Traceback" not in result.stderr
        assert expected in lines, (command, lines)
        assert site_files(project) == before


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# ---- dates that do not exist --------------------------------------------------------------------

@pytest.mark.parametrize("old, new, line, why", [
    ("  date: 2024-05-01", "  date: 2024-02-30", CONSENT_DATE_LINE, "February 2024 has 29 days"),
    ("  date: 2024-05-01", "  date: 2023-02-29", CONSENT_DATE_LINE, "February 2023 has 28 days"),
    ("  date: 2024-05-01", "  date: 2024-13-01", CONSENT_DATE_LINE, "there is no month 13"),
    ("  date: 2024-05-02", "  date: 2024-04-31", REVIEW_DATE_LINE, "April 2024 has 30 days"),
])
def test_a_date_that_does_not_exist_in_a_caption_file(proj: Project, old: str, new: str, line: int, why: str):
    edit(proj.captions / "lw01-day.yaml", old, new)
    value = new.split(": ")[1]
    refused(proj, f"captions/lw01-day.yaml:{line}: {value} is not a date that exists ({why}); "
                  "write a real date as YYYY-MM-DD")


def test_a_date_that_does_not_exist_in_a_flow_mapping(proj: Project):
    path = proj.captions / "lw01-day.yaml"
    text = path.read_text().replace("consent:\n  publish: true\n  scope: [web]\n  date: 2024-05-01\n",
                                    "consent: {publish: true, scope: [web], date: 2024-02-30}\n")
    path.write_text(text)
    refused(proj, "captions/lw01-day.yaml:7: 2024-02-30 is not a date that exists (February 2024 has 29 days); "
                  "write a real date as YYYY-MM-DD")


def test_a_date_that_does_not_exist_in_gallery_yaml(proj: Project):
    proj.config.write_text("title: Test gallery\ncontact: 2024-02-30\n")
    refused(proj, "gallery.yaml:2: 2024-02-30 is not a date that exists (February 2024 has 29 days); "
                  "write a real date as YYYY-MM-DD")


def test_a_date_that_does_not_exist_in_a_spreadsheet_cell(proj: Project):
    sheet = proj.root / "sheet.csv"
    sheet.write_text("participant,prompt,kind,caption,consent.publish,consent.date,redact\n"
                     "LW02,typical-day,R,Words.,yes,2024-02-30,\n"
                     "LW03,typical-day,R,Words.,yes,2024-05-01,2024-02-30\n", encoding="utf-8")
    result = run_cli("import", str(sheet), *cli_sources(proj), cwd=proj.root, timeout=HANG)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "sheet.csv:2: column 'consent.date': '2024-02-30' is not a date that exists (February 2024 has 29 days); "
        "write a real date as YYYY-MM-DD",
        "sheet.csv:3: column 'redact': '2024-02-30' must look like [[0.1, 0.2, 0.3, 0.25]]"]
    assert sorted(p.name for p in proj.captions.iterdir()) == ["lw01-day.yaml"]


def cli_sources(project: Project) -> list[str]:
    return ["--photos", str(project.photos), "--captions", str(project.captions), "--config", str(project.config)]


# ---- aliases, merge keys, values YAML cannot make -----------------------------------------------

@pytest.mark.parametrize("extra", ["notes: &n [*n]\n", "notes: &n\n  again: *n\n",
                                   "notes: &n {a: [1, {b: *n}]}\n"])
def test_an_anchor_that_refers_to_itself(proj: Project, extra: str):
    path = proj.captions / "lw01-day.yaml"
    path.write_text(path.read_text() + extra)
    refused(proj, "captions/lw01-day.yaml:15: a YAML alias (*name) is used inside the value its anchor (&name) "
                  "names, so the value never ends; write the value out instead")


def laughs(levels: int = 9, width: int = 9) -> str:
    """'Billion laughs': width**levels strings from a file of under 1 KB (mappings, which a walk of the
    document expands; lists of lists are shared by the constructor but not by everything after it)."""
    lines = ["a0: &a0 {" + ", ".join(f"k{j}: lol" for j in range(width)) + "}"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} {{" + ", ".join(f"k{j}: *a{i - 1}" for j in range(width)) + "}")
    return "\n".join(lines) + f"\nnotes: *a{levels - 1}\n"


def test_a_small_file_that_expands_enormously_through_aliases_is_refused(proj: Project):
    path = proj.captions / "lw01-day.yaml"
    path.write_text(path.read_text() + laughs())
    assert path.stat().st_size < 1500
    limit = 10_000 + 10 * len(path.read_text())
    refused(proj, f"captions/lw01-day.yaml: the file grows to over {limit:,} characters once its YAML aliases "
                  "(*name) are expanded; write the values out instead")


def test_aliases_that_expand_a_little_still_load(proj: Project):
    path = proj.captions / "lw01-day.yaml"
    text = path.read_text().replace("  by: ST\n", "  by: &who ST\n")
    path.write_text(text + "notes: [*who, *who, *who]\nredact: &r [[0.1, 0.1, 0.2, 0.2]]\n")
    assert cli(proj, "check").returncode == 0
    assert cli(proj, "build").returncode == 0


@pytest.mark.parametrize("extra, found", [("notes: {<<: 1}\n", "scalar"), ("notes: {<<: [1, 2]}\n", "scalar"),
                                          ("notes: &s text\nalt2: {<<: *s}\n", "scalar"),
                                          ("notes: {<<: [[1]]}\n", "sequence")])
def test_a_merge_key_that_is_not_a_mapping(proj: Project, extra: str, found: str):
    path = proj.captions / "lw01-day.yaml"
    path.write_text(path.read_text() + extra)
    result = cli(proj, "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if "merge key" in line]
    assert len(errors) == 1 and errors[0].startswith("captions/lw01-day.yaml:")
    assert errors[0].endswith(f"a merge key '<<' must name a mapping of 'key: value' lines (or a list of "
                              f"them), not a {found}; write the keys out instead")


def test_a_merge_key_that_is_a_mapping_works(proj: Project):
    path = proj.captions / "lw01-day.yaml"
    edit(path, "review:\n  by: ST\n  date: 2024-05-02\n", "review:\n  <<: {by: ST}\n  date: 2024-05-02\n")
    assert cli(proj, "check").returncode == 0


@pytest.mark.parametrize("extra, expected", [
    ("title: !!int abc\n", '15: abc cannot be read as a number; if it is text, put it in quotes: "abc"'),
    ("title: 0x_\n", '15: 0x_ cannot be read as a number; if it is text, put it in quotes: "0x_"'),
    ("title: !!bool maybe\n", '15: maybe cannot be read as true or false; if it is text, put it in quotes: "maybe"'),
    ("notes: " + "[" * 60 + "]" * 60 + "\n", "15: the values are nested more than 50 levels deep; check the "
                                             "indentation and brackets"),
])
def test_a_value_yaml_cannot_make(proj: Project, extra: str, expected: str):
    path = proj.captions / "lw01-day.yaml"
    path.write_text(path.read_text() + extra)
    refused(proj, f"captions/lw01-day.yaml:{expected}")


# ---- spreadsheets -------------------------------------------------------------------------------

def import_sheet(project: Project, data: bytes):
    sheet = project.root / "sheet.csv"
    sheet.write_bytes(data)
    result = run_cli("import", str(sheet), *cli_sources(project), cwd=project.root, timeout=HANG)
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in project.captions.iterdir()) == ["lw01-day.yaml"]   # nothing written
    return result


HEADER = b"participant,prompt,kind,caption\n"


@pytest.mark.parametrize("body, expected", [
    (b'LW02,typical-day,R,"Words.\nLW03,typical-day,R,More words.\n',
     "sheet.csv:2: row 2 opens a quote (\") that is never closed, so the rest of the sheet would be read as one "
     "cell; close the quote, or save the sheet again from the spreadsheet as 'CSV UTF-8'"),
    (b'LW02,typical-day,R,Fine.\nLW03,typical-day,R,"Words" more\n',
     "sheet.csv:3: row 3 has text after the closing quote (\") of a cell; put the whole cell in quotes, with "
     "each quote inside it written twice (\"\")"),
    (b'LW02,typical-day,R,"' + b"x" * 200_000 + b'"\n',
     "sheet.csv:2: row 2 has a cell over 131,072 characters; shorten it (or close a quote left open before it)"),
    (b"LW02,typical-day,R,Wor\x00ds.\n",
     "sheet.csv:2: the file holds a NUL byte, so it is not CSV text (damaged, saved as UTF-16 'Unicode text', "
     "or a spreadsheet file renamed .csv); in the spreadsheet save it as 'CSV UTF-8'"),
    (b"LW02,typical-day,R,Caf\xe9\n",
     "sheet.csv: the file is not UTF-8 text; in the spreadsheet save it as 'CSV UTF-8'"),
])
def test_a_damaged_spreadsheet(proj: Project, body: bytes, expected: str):
    result = import_sheet(proj, HEADER + body)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [expected]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_quotes_written_twice_inside_a_quoted_cell_are_quotes(proj: Project, delimiter: str):
    """As every spreadsheet writes them (the delimiter is guessed from the header, nothing else)."""
    sheet = proj.root / "sheet.csv"
    sheet.write_text(delimiter.join(["participant", "prompt", "kind", "caption"]) + "\n" +
                     delimiter.join(["LW02", "typical-day", "R", '"She said ""not today"", twice."']) + "\n",
                     encoding="utf-8")
    result = run_cli("import", str(sheet), *cli_sources(proj), cwd=proj.root, timeout=HANG)
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load((proj.captions / "lw02-typical-day.yaml").read_text(encoding="utf-8"))
    assert data["caption"] == 'She said "not today", twice.'


def test_a_spreadsheet_saved_as_utf16_is_refused(proj: Project):
    result = import_sheet(proj, (HEADER + b"LW02,typical-day,R,Words.\n").decode().encode("utf-16"))
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["sheet.csv: the file is not UTF-8 text; in the spreadsheet save it as "
                                          "'CSV UTF-8'"]


# ---- named pipes and folders where a file should be ---------------------------------------------

PIPE = ("photo 'lw01-day.jpg' is a named pipe (FIFO), not a regular file; name the photo file itself (a JPEG, "
        "PNG, WebP, TIFF, HEIC or AVIF file)")


def test_a_photo_that_is_a_named_pipe(proj: Project):
    (proj.photos / "lw01-day.jpg").unlink()
    os.mkfifo(proj.photos / "lw01-day.jpg")
    refused(proj, f"captions/lw01-day.yaml:4: {PIPE}")


def test_a_photo_that_is_a_folder(proj: Project):
    (proj.photos / "lw01-day.jpg").unlink()
    (proj.photos / "lw01-day.jpg").mkdir()
    refused(proj, "captions/lw01-day.yaml:4: photo 'lw01-day.jpg' is a folder, not a regular file; name the photo "
                  "file itself (a JPEG, PNG, WebP, TIFF, HEIC or AVIF file)")


def test_a_named_pipe_as_the_photo_of_an_item_not_published_is_an_error_too(proj: Project):
    os.mkfifo(proj.photos / "lw02-day.jpg")
    proj.caption("lw02-day", participant="LW02", publish="false")
    refused(proj, "captions/lw02-day.yaml:4: photo 'lw02-day.jpg' is a named pipe (FIFO), not a regular file; "
                  "name the photo file itself (a JPEG, PNG, WebP, TIFF, HEIC or AVIF file)")


def test_a_caption_file_that_is_a_named_pipe_or_links_to_one(proj: Project):
    os.mkfifo(proj.captions / "lw02-day.yaml")
    refused(proj, "captions/lw02-day.yaml: is a named pipe (FIFO), not a regular file; a caption file must be "
                  "a text file")
    (proj.captions / "lw02-day.yaml").unlink()
    os.mkfifo(proj.root / "pipe")
    (proj.captions / "lw03-day.yaml").symlink_to(proj.root / "pipe")
    refused(proj, "captions/lw03-day.yaml: is a named pipe (FIFO), not a regular file; replace it with the file "
                  "itself")


def test_settings_that_are_a_named_pipe(proj: Project):
    proj.config.unlink()
    os.mkfifo(proj.config)
    refused(proj, "gallery.yaml: is a named pipe (FIFO), not a regular file; replace it with the file itself")


def test_add_a_named_pipe_or_a_folder(proj: Project):
    os.mkfifo(proj.root / "IMG_1234.jpg")
    (proj.root / "DCIM.jpg").mkdir()
    for name, kind in (("IMG_1234.jpg", "a named pipe (FIFO)"), ("DCIM.jpg", "a folder")):
        result = run_cli("add", str(proj.root / name), "--participant", "LW02", "--prompt", "confidence",
                         *cli_sources(proj), cwd=proj.root, timeout=HANG)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert result.stderr.splitlines() == [f"{name}: is {kind}, not a regular file; give the photo file itself "
                                              "(a JPEG, PNG, WebP, TIFF, HEIC or AVIF)"]
    assert sorted(p.name for p in proj.captions.iterdir()) == ["lw01-day.yaml"]


def test_import_a_named_pipe_as_a_photo_or_as_the_sheet(proj: Project):
    os.mkfifo(proj.photos / "lw02-day.jpg")
    result = import_sheet(proj, b"participant,prompt,kind,photo,caption,alt\n"
                                b"LW02,typical-day,O,lw02-day.jpg,Words.,A desk with a laptop and papers.\n")
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["sheet.csv:2: photo 'lw02-day.jpg' is a named pipe (FIFO), not a "
                                          "regular file; name the photo file itself"]
    os.mkfifo(proj.root / "pipe.csv")
    piped = run_cli("import", str(proj.root / "pipe.csv"), *cli_sources(proj), cwd=proj.root, timeout=HANG)
    assert piped.returncode == 1
    assert piped.stderr.splitlines() == ["pipe.csv: is a named pipe (FIFO), not a regular file; save the "
                                         "spreadsheet as 'CSV UTF-8' and give that file"]


# ---- newlines in file names ---------------------------------------------------------------------

def test_a_caption_file_named_with_a_newline_is_one_line_and_never_a_page(proj: Project):
    shutil.copy(proj.captions / "lw01-day.yaml", proj.captions / "lw02-day\n.yaml")
    refused(proj, "captions/lw02-day\\n.yaml: 'lw02-day\\n.yaml' is not a valid item id; name caption files with "
                  "lower-case letters, digits and hyphens, e.g. lw07-day.yaml")
    assert ID_RE.match("lw02-day\n") is None and ID_RE.match("lw02-day") is not None


def test_a_photo_named_with_a_newline_builds_and_every_message_stays_on_one_line(proj: Project):
    (proj.photos / "lw01-day.jpg").rename(proj.photos / "lw01\nday.jpg")
    edit(proj.captions / "lw01-day.yaml", "photo: lw01-day.jpg", 'photo: "lw01\\nday.jpg"')
    proj.photo("lw02\nspare.jpg")
    build = cli(proj, "build")
    assert build.returncode == 0, build.stderr
    assert ("photos/lw02\\nspare.jpg: warning: no caption file uses this photo, so it is not published; write a "
            "caption for it (python build.py add) or move it out of the photos folder") in build.stderr.splitlines()
    assert not any("\n" in path.name for path in proj.out.rglob("*"))
    edit(proj.captions / "lw01-day.yaml", 'photo: "lw01\\nday.jpg"', 'photo: "lw01\\nnight.jpg"')
    refused(proj, "captions/lw01-day.yaml:4: photo 'lw01\\nnight.jpg' does not exist in photos/; check the "
                  "spelling or add the file")


def test_a_problem_is_always_one_line():
    problem = Problem(Path("captions/a\nb.yaml"), 3, "participant 'x\ny' \x1b[31mred\u202e")
    assert str(problem) == "captions/a\\nb.yaml:3: participant 'x\\ny' \\x1b[31mred\\u202e"


# ---- seeded fuzzing: no input makes a traceback -------------------------------------------------

FRAGMENTS = ["&a ", "*a", "&b ", "*b", "<<: ", "<<: *a", "2024-02-30", "2023-02-29", "2024-13-01", "!!int ",
             "!!bool ", "!!timestamp ", "!!binary ", "!!python/name:os.system ", "0x_", "010", "10:30", "yes", "~",
             "[", "]", "{", "}", ": ", ":", ",", "- ", "? ", "'", '"', "|", ">", "#", "\n", "\n  ", "  ", "\t",
             "\x00", "\u2028", "é", "\\", "%YAML 1.1\n", "---\n", "...\n", "participant: ", "consent:\n  date: ",
             "notes: &a [*a]\n", "x: &a {y: *a}\n", "1e999", ".nan", "-.inf", "9" * 30]


def mutations(seed: int, base: str, count: int):
    """count texts made from base by inserting fragments, deleting spans and repeating spans."""
    import random
    rng = random.Random(seed)
    for _ in range(count):
        text = base
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(text) + 1)
            roll = rng.random()
            if roll < 0.6:
                text = text[:at] + rng.choice(FRAGMENTS) + text[at:]
            elif roll < 0.8:
                text = text[:at] + text[at + rng.randint(1, 20):]
            else:
                text = text[:at] + text[at:at + rng.randint(1, 30)] * rng.randint(2, 5) + text[at:]
        yield text


def test_random_caption_files_give_problems_never_a_traceback(project: Project):
    """3,000 mutations of a valid caption file (seeded), each read as the build reads one: every
    outcome is an item or one-line problems naming the file."""
    from gallery.captions import load_item
    from gallery.config import SiteConfig
    project.item("lw01-day")
    path = project.captions / "lw01-day.yaml"
    base = path.read_text() + "title: &a Paperwork\nnotes: [*a, *a]\n"
    outcomes = {"item": 0, "problems": 0}
    for text in mutations(12, base, 3000):
        errors: list[Problem] = []
        item = load_item(path, project.photos, SiteConfig(), errors, [], raw=text.encode("utf-8", "surrogatepass"))
        assert (item is None) == bool(errors), text
        assert all("\n" not in str(p) and str(p).startswith(str(path)) for p in errors), (text, errors)
        outcomes["item" if item else "problems"] += 1
    assert outcomes["item"] > 100 and outcomes["problems"] > 1000, outcomes


def test_random_spreadsheets_give_problems_never_a_traceback(project: Project):
    """1,000 mutations of a valid sheet (seeded), each imported as `import` does (every row checked
    by the build's own loader): every outcome is caption files written or one-line problems."""
    from gallery.errors import AuthoringError, UsageError
    from gallery.options import options_for
    from gallery.sheet import import_sheet
    options = options_for(project.root, config=project.config)
    sheet = project.root / "sheet.csv"
    base = ("participant,prompt,kind,photo,caption,alt,consent.publish,consent.date,redact\n"
            'LW01,typical-day,R,,"Words, ""quoted"".",,yes,2024-05-01,\n'
            "LW02,confidence,O,lw01-day.jpg,More words.,A desk with a laptop and papers.,no,,"
            '"[[0.1, 0.1, 0.2, 0.2]]"\n')
    outcomes = {"written": 0, "refused": 0}
    for text in mutations(13, base, 1000):
        sheet.write_bytes(text.encode("utf-8", "surrogatepass"))
        try:
            import_sheet(options, sheet, overwrite=True)
        except (AuthoringError, UsageError) as exc:
            assert all("\n" not in line for line in exc.lines()), text
            outcomes["refused"] += 1
        else:
            outcomes["written"] += 1
    assert outcomes["written"] > 40 and outcomes["refused"] > 300, outcomes
