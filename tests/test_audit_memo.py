"""The audit's memo only skips what it really checked: new needles and changed files are re-read."""

from __future__ import annotations

from pathlib import Path

from conftest import NO_RACY_WINDOW, Project
from test_audit import exif_bytes

from gallery import audit


def build_with(project: Project, *extra: str):
    return project.build("--config", str(project.config), *extra, check=False)


def test_an_old_page_is_checked_again_when_a_new_photo_brings_new_metadata(project: Project):
    project.config.write_text("images:\n  sizes: [200]\n  formats: [jpeg]\n")
    project.item("lw01-day", caption="We borrowed a Frobnicator Z9 camera for the day.")
    assert build_with(project).returncode == 0
    memo = project.cache / "audit-memo.json"
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
    memo = project.cache / "audit-memo.json"
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
    memo = project.cache / "audit-memo.json"
    memo.write_text("{not json")
    jpeg = sorted(project.out.glob("images/*.jpg"))[0]
    with open(jpeg, "ab") as fh:
        fh.write(b"trailing bytes")
    found = [str(p) for p in audit.audit_site(project.out, memo=memo)]
    assert any(jpeg.name in f for f in found), found


def test_a_changed_page_is_searched_again_for_known_metadata(project: Project):
    """A page that changed is searched in full, also for metadata already checked before."""
    project.config.write_text("images:\n  sizes: [200]\n  formats: [jpeg]\n")
    project.photo("lw02-day.jpg", size=(300, 200), exif=exif_bytes(model="Frobnicator Z9"))
    project.caption("lw02-day", participant="LW02")
    project.item("lw01-day", caption="We borrowed a Frobnicator for the day.")
    assert build_with(project).returncode == 0
    # the edit completes the model name: the match starts before the changed text
    project.caption("lw01-day", caption="We borrowed a Frobnicator Z9 for the day.")
    result = build_with(project)
    assert result.returncode == 1
    assert "contains 'Frobnicator Z9', the EXIF Model of lw02-day.jpg" in result.stderr
    page = next(p for p in (project.out / "items").glob("lw01-day.html"))   # the previous page: still online
    line = next(n for n, text in enumerate(page.read_text().splitlines(), 1) if "Frobnicator for" in text)
    assert f"items/lw01-day.html:{line}:" in result.stderr


def test_a_file_name_is_found_only_as_a_whole_name():
    needle = [audit.Needle("shot-1.jpg", "file name", Path("shot-1.jpg"))]
    text = "see xshot-1.jpg and shot-1.jpgs"
    assert audit.search_texts([("p", text)], needle) == []
    found = audit.search_texts([("p", "a\nb shot-1.jpg.")], needle)
    assert [(f.path, f.line) for f in found] == [("p", 2)]


def test_the_search_finds_exactly_what_a_plain_search_finds():
    """Many needles in much text, planted with and without word boundaries: the automaton finds
    exactly what a plain search of each needle finds."""
    import random
    rng = random.Random(11)
    source = Path("cam.jpg")

    def numeric() -> str:
        day, hour, minute = rng.randint(10, 28), rng.randint(10, 23), rng.randint(10, 59)
        return rng.choice([f"{rng.randint(0, 89)}.{rng.randint(0, 999):03d}",
                           f"2024:0{rng.randint(1, 9)}:{day} {hour}:{minute}",
                           f"2024-0{rng.randint(1, 9)}-{day}T{hour}:{minute}"])

    def wordy() -> str:
        return rng.choice(["BenchPhone BP-", "Frobnicator Z", "shot-", "HDR+ 1.0."]) + str(rng.randint(1, 400))

    needles = [audit.Needle(numeric() if rng.random() < 0.6 else wordy(),
                            rng.choice(["GPS latitude", "EXIF DateTime", "EXIF Model", "file name"]), source)
               for _ in range(400)]
    filler = ["<p>", "</p>\n", " ", "a", "1", "2.5", ":", "-", "x9", "lat=", ";", "\n", "0", "picture "]
    parts = []
    size = 0
    while size < 60_000:
        if rng.random() < 0.02:      # a needle, with a random character or none on each side
            before, after = rng.choice(["", " ", "x", "-", "1"]), rng.choice(["", " ", "9", "s", "."])
            part = before + rng.choice(needles).text + after
        else:
            part = rng.choice(filler)
        parts.append(part)
        size += len(part)
    text = "".join(parts).lower()
    found = {f.message for f in audit.search_texts([("p", text)], needles)}
    expected = set()
    seen = set()
    for n in needles:
        low = n.text.lower()
        if (low, n.what == "file name") in seen:
            continue
        seen.add((low, n.what == "file name"))
        hit = audit.search.whole_name(low).search(text) if n.what == "file name" else low in text
        if hit:
            expected.add(f"contains '{n.text}', the {n.what} of cam.jpg; remove it from the caption, "
                         "settings or template")
    assert len(expected) > 20, "the test should plant many needles"
    assert found == expected


def test_a_photo_rewritten_with_its_old_size_and_date_is_read_again(project: Project):
    """Metadata rewritten in place with values of the same length and the date put back (exiftool -P,
    touch -r): the memo must not serve the old values; the change time gives the rewrite away."""
    import os
    project.config.write_text("images:\n  sizes: [200]\n  formats: [jpeg]\n")
    photo = project.photo("lw02-day.jpg", size=(300, 200), exif=exif_bytes(serial="SN-AAAA-1111"))
    project.caption("lw02-day", participant="LW02")
    project.item("lw01-day", caption="The spare camera is SN-BBBB-2222.")
    assert project.build("--config", str(project.config), env=NO_RACY_WINDOW).returncode == 0
    size, mtime = photo.stat().st_size, photo.stat().st_mtime_ns
    project.photo("lw02-day.jpg", size=(300, 200), exif=exif_bytes(serial="SN-BBBB-2222"))
    os.utime(photo, ns=(mtime, mtime))
    assert (photo.stat().st_size, photo.stat().st_mtime_ns) == (size, mtime)
    result = build_with(project)
    assert result.returncode == 1
    assert "contains 'SN-BBBB-2222', the EXIF BodySerialNumber of lw02-day.jpg" in result.stderr


def test_a_damaged_memo_entry_means_a_full_audit_not_a_crash(project: Project):
    project.config.write_text("images:\n  sizes: [200]\n  formats: [jpeg]\n")
    project.item("lw01-day")
    assert build_with(project).returncode == 0
    memo = project.cache / "audit-memo.json"
    for damage in ('{"images": [], "texts": [], "names": [], "stems": [], "needles": [["a", "b", "c"]], "sources": {}}',
                   '{"images": "x", "texts": [], "names": [], "stems": [], "needles": [], "sources": []}',
                   '{"needles": ["abc"]}', "[1, 2]"):
        memo.write_text(damage)
        assert audit.audit_site(project.out, memo=memo) == [], damage
