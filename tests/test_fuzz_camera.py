"""Camera files as they really are: a seeded, bounded fuzz over the committed camera files.

Every damaged photo is either published clean (the privacy audit passes, no metadata in any
published file) or refused with one line, never a traceback or a raw library warning; and a
damaged value never hides the rest of the file's metadata from the audit's text search.

tests/camerafuzz.py makes the cases (random byte changes inside the metadata segments, classic
malformed values crafted on purpose) and runs on each the code a build runs: check's and add's
header probe, the image worker, the audit's reading of the source and its audit of what was
published. The cases run in child processes (a crash of a C library fails the test and names the
case, instead of killing pytest) with a time limit. A few go through the real command line.

    GALLERY_FUZZ_CASES=3000 python -m pytest tests/test_fuzz_camera.py     # thousands, on demand
    GALLERY_FUZZ_SEED=7 ...                                                  # another set of cases
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import camerafuzz as fuzz
import pytest
from conftest import REPO, Project, run_cli

CASES = int(os.environ.get("GALLERY_FUZZ_CASES", "300"))
SEED = int(os.environ.get("GALLERY_FUZZ_SEED", "1"))
RUNNERS = 2
SECONDS_PER_CASE = 3.0          # the bound on a run; cases take ~0.05 s on average, a HEIC ~0.4 s
PROBLEM_LINE = re.compile(r"^[^\s:][^:]*(?::\d+)?: \S.*$")     # path:line: message or path: message
NOTHING = "Nothing was published; site/ is unchanged."


@pytest.fixture(scope="module")
def results() -> list[dict]:
    """Every case's outcome, from RUNNERS child processes (each runs every RUNNERS-th case)."""
    procs = [subprocess.Popen([sys.executable, str(Path(fuzz.__file__)), "--seed", str(SEED), "--first", str(k),
                               "--cases", str(CASES), "--step", str(RUNNERS)], cwd=REPO, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for k in range(RUNNERS)]
    timeout = 60 + CASES * SECONDS_PER_CASE / RUNNERS
    rows: list[dict] = []
    for proc in procs:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            pytest.fail(f"the fuzz run took over {timeout:.0f} s; stuck in case {last_started(out)}")
        if proc.returncode != 0:
            pytest.fail(f"the fuzz runner died ({proc.returncode}) in case {last_started(out)}:\n{err[-3000:]}")
        rows += [json.loads(line) for line in out.splitlines() if line.startswith('{"index"')]
    return sorted(rows, key=lambda r: r["index"])


def last_started(out: str) -> str:
    started = [json.loads(line)["start"] for line in out.splitlines() if line.startswith('{"start"')]
    return f"{started[-1]} (seed {SEED}: python tests/camerafuzz.py --seed {SEED} --first {started[-1]} --cases 1)" \
        if started else "none"


def where(row: dict) -> str:
    return f"case {row['index']} ({row['source']}, {row['what'][:200]})"


def test_every_case_ran(results: list[dict]):
    assert [r["index"] for r in results] == list(range(CASES))


def test_no_case_gives_a_traceback(results: list[dict]):
    crashed = [f"{where(r)}:\n{r['crash']}" for r in results if "crash" in r]
    assert not crashed, "\n".join(crashed[:3])


def test_no_library_warning_reaches_the_terminal(results: list[dict]):
    warned = [f"{where(r)}: {r['warnings']}" for r in results if r["warnings"]]
    assert not warned, "\n".join(warned[:5])


def test_a_refused_photo_is_one_line_saying_what_to_do(results: list[dict]):
    for row in results:
        for message in [row["error"], row["probe"], *row["unreadable"]]:
            if message is None:
                continue
            assert "\n" not in message and "Traceback" not in message, (where(row), message)
            assert re.search(r"; .*\b(copy|use|resize|replace|open|raise)\b", message), (where(row), message)


def test_a_published_photo_carries_no_metadata(results: list[dict]):
    published = [r for r in results if r["error"] is None]
    for row in published:
        assert row["published"], where(row)
        assert row["findings"] == [] and row["leaks"] == [], (where(row), row["findings"], row["leaks"])
    assert len(published) >= 0.85 * len(results), "damaged metadata must not refuse photos whose pixels decode"


def test_damaged_metadata_does_not_hide_the_rest_from_the_audit(results: list[dict]):
    hidden = [f"{where(r)}: {r['missing']}" for r in results if r.get("missing")]
    assert not hidden, "\n".join(hidden[:5])


@pytest.mark.skipif(CASES < 200, reason="coverage is checked on runs of 200 cases or more")
def test_the_cases_cover_every_kind_of_damage_and_every_file(results: list[dict]):
    modes = {r["what"].split(":", 1)[0].split(" (")[0] for r in results}
    assert set(fuzz.MODES) <= modes, set(fuzz.MODES) - modes
    assert {r["source"] for r in results} == set(fuzz.FILES)
    kinds = {r["what"].split(": ", 2)[1].split(" [")[0].split(" b'")[0].strip() for r in results
             if r["what"].startswith("random bytes")}
    for segment in ("JPEG APP1", "JPEG APP13", "PNG iTXt", "PNG tEXt", "WebP EXIF", "WebP XMP", "HEIF/AVIF meta box",
                    "HEIF/AVIF exif item", "TIFF tags"):
        assert segment in kinds, (segment, kinds)


# ---- every crafted malformed EXIF value, in each kind of file -----------------------------------------

CARRIERS = ["nikon_d70_orient6_serial.jpg", "exif_chunk.png", "photoshop_exif_xmp_icc.webp", "iphonexs_gps.heic"]
AS_STORED = {"orientation 0", "orientation 9", "orientation 65535", "orientation as text", "orientation 0/0 rational",
             "orientation 6/1 rational", "orientation offset outside"}     # two shorts: Pillow takes the first


@pytest.mark.parametrize("carrier", CARRIERS)
def test_every_crafted_exif_damage_is_skipped_and_the_photo_published(tmp_path: Path, carrier: str):
    """Zero-denominator and NaN/inf rationals, wrong types, counts and offsets outside the data, IFD
    loops, text in other encodings: the photo is published, the marked model and serial written
    before the damaged value are still searched for, and a damaged orientation shows the photo as
    stored while the undamaged orientation 6 (and 8) turns it."""
    for n, damage in enumerate(sorted(fuzz.EXIF_DAMAGE)):
        case = fuzz.exif_case(damage, carrier, "<>"[n % 2])
        work = tmp_path / str(n)
        work.mkdir()
        row = fuzz.run_case(case, work)
        label = f"{carrier}: {damage}"
        assert "crash" not in row, f"{label}:\n{row.get('crash')}"
        assert row["warnings"] == [] and row["error"] is None and row["probe"] is None, (label, row)
        assert row["unreadable"] == [] and row["missing"] == [], (label, row["unreadable"], row.get("missing"))
        assert row["findings"] == [] and row["leaks"] == [], label
        if carrier.endswith(".jpg"):        # 150x91 as stored, 91x150 turned by orientation 6 or 8
            turned = damage not in AS_STORED and damage != "orientation byte 3"     # 3: half a turn
            assert row["size"] == ([91, 150] if turned else [150, 91]), (label, row["size"])


def test_a_damaged_exif_orientation_no_longer_refuses_the_photo(tmp_path: Path):
    """Pillow's exif_transpose wrote the damaged EXIF back after turning and failed on a NaN
    rational; the photo was refused as "cannot be decoded ... truncated"."""
    row = fuzz.run_case(fuzz.exif_case("GPS NaN/inf doubles", "nikon_d70_orient6_serial.jpg"), tmp_path)
    assert row["error"] is None and row["size"] == [91, 150], row["error"]


# ---- through the real command line -------------------------------------------------------------------

def cli_cases() -> list[fuzz.Case]:
    zTXt = fuzz.PNG_TEXT_DAMAGE["zTXt unknown method"]
    png = fuzz.png_with((fuzz.CAMERA / "exif_chunk.png").read_bytes(), [fuzz.png_chunk(*zTXt)], set())
    return [fuzz.exif_case("GPS NaN/inf doubles", "nikon_d70_orient6_serial.jpg"),
            fuzz.exif_case("GPS 0/0 rationals", "samsung_s25ultra_gps.heic"),
            fuzz.exif_case("orientation 0/0 rational", "xmp_orient3_colormatch.avif"),
            fuzz.Case(-1, "exif_chunk.png", ".png", png, "crafted PNG text: zTXt unknown method", "TEXT"),
            *(fuzz.make_case(SEED, index) for index in range(3))]


@pytest.mark.parametrize("case", cli_cases(), ids=lambda c: f"{c.source}: {c.what}"[:80])
def test_through_the_command_line(tmp_path: Path, case: fuzz.Case):
    """The real build, as a user runs it (-q: only errors): exit 0 with nothing printed (no raw
    library warning, from the worker processes either), or exit 1 with one `file:line: message`
    line per problem; never a traceback. The outcome is the one the in-process run found."""
    (tmp_path / "expected").mkdir()
    expected = fuzz.run_case(case, tmp_path / "expected")
    project = Project(tmp_path / "proj")
    project.config.write_text("images:\n  sizes: [64, 160]\n  formats: [avif, webp, jpeg]\n"
                              "  max_pixels: 40000000\n")
    for n in (1, 2):                        # two photos: made in the worker processes
        (project.photos / f"lw0{n}-day{case.suffix}").write_bytes(case.data)
        project.caption(f"lw0{n}-day", participant=f"LW0{n}", photo=f"lw0{n}-day{case.suffix}")
    result = project.build("-q", "--jobs", "2", check=False)
    assert "Traceback" not in result.stderr, result.stderr
    published = expected["error"] is None and not expected["unreadable"]
    if published:
        assert result.returncode == 0 and result.stderr == "", result.stderr
        audit = run_cli("audit", str(project.out), "--photos", str(project.photos), "-q", cwd=project.root)
        assert audit.returncode == 0 and audit.stderr == "", audit.stderr
    else:
        lines = result.stderr.splitlines()
        assert result.returncode == 1 and lines[-1] == NOTHING, result.stderr
        assert lines[:-1] and all(PROBLEM_LINE.match(line) for line in lines[:-1]), lines
        assert lines[0].startswith(("captions/lw01-day.yaml:4: photo 'lw01-day", "photos/lw0")), lines
