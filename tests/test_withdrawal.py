"""Withdrawal: one edit, one rebuild, and every trace of the item is gone, with a checklist."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Project

WITHDRAWN = "lw02-day"
TITLE = "Bravo kettle"
PHRASE = "kettle-and-biscuits moment"
ALT = "A kettle beside a plate of biscuits on a windowsill."
CHECKLIST = [
    "Removed from site/: lw02-day (consent withdrawn on 2024-09-01). Every page, image size and mention is gone "
    "from the new build and from the image cache. To finish the removal:",
    "  [ ] redeploy site/ now (rsync -a --delete, so the old files are deleted on the server)",
    "  [ ] purge the CDN or proxy cache for the whole site, if one is used",
    "  [ ] ask search engines to remove cached copies (Google: Remove outdated content; Bing: Content Removal "
    "Tool) of the removed pages and images",
]


def make(project: Project) -> None:
    project.config.write_text("base_url: https://example.org/link-workers/\n")
    items = [("lw01-day", "LW01", "typical-day", "Alpha desk", "My desk.", "A desk with a laptop."),
             (WITHDRAWN, "LW02", "typical-day", TITLE, f"The {PHRASE}.", ALT),
             ("lw03-day", "LW03", "typical-day", "Charlie car", "My car.", "A car park in the rain."),
             ("lw02-confidence", "LW02", "confidence", "Delta badge", "My badge.", "A lanyard on a hook.")]
    for order, (item, participant, prompt, title, caption, alt) in enumerate(items, 1):
        project.photo(f"{item}.jpg", colour=(40 * order, 90, 200 - 30 * order))
        project.caption(item, participant=participant, prompt=prompt, caption=caption, alt=alt,
                        extra=f"title: {title}\norder: {order}\n")


def withdraw(project: Project, item: str) -> None:
    path = project.captions / f"{item}.yaml"
    text = path.read_text()
    path.write_text(text.replace("  date: 2024-05-01\n", "  date: 2024-05-01\n  withdrawn: 2024-09-01\n", 1))


def cache_entries(project: Project) -> dict[str, str]:
    """{cache folder: item id} of every cached image set."""
    cache = project.cache
    return {p.name: json.loads((p / "meta.json").read_text())["entries"]["result"]["item_id"]
            for p in cache.iterdir() if (p / "meta.json").is_file()}


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory):
    """(project, site before, site after, stderr of the withdrawing build)."""
    project = Project(tmp_path_factory.mktemp("withdraw") / "proj")
    make(project)
    project.build("--config", str(project.config))
    before = project.tree()
    cache_before = cache_entries(project)
    withdraw(project, WITHDRAWN)
    result = project.build("--config", str(project.config))
    return project, before, project.tree(), result.stderr, cache_before


def test_the_item_was_published_before(rebuilt):
    _project, before, *_ = rebuilt
    assert f"items/{WITHDRAWN}.html" in before
    assert [p for p in before if p.startswith(f"images/{WITHDRAWN}-")]
    assert f"items/{WITHDRAWN}.html".encode() in before["sitemap.xml"]
    assert f'href="../items/{WITHDRAWN}.html" rel="next"'.encode() in before["items/lw01-day.html"]


def test_page_and_every_image_size_are_gone(rebuilt):
    _project, before, after, *_ = rebuilt
    gone = [p for p in before if WITHDRAWN in p]
    assert len(gone) >= 3                      # the page and its images (every size and format)
    assert not [p for p in after if WITHDRAWN in p]


def test_no_mention_anywhere_in_the_site(rebuilt):
    _project, before, after, *_ = rebuilt
    image_names = [p.split("/")[1] for p in before if p.startswith(f"images/{WITHDRAWN}-")]
    hashes = {name.split("-")[2] for name in image_names}
    needles = [WITHDRAWN, TITLE, PHRASE, ALT, *hashes]
    for rel, data in after.items():
        text = data.decode("utf-8", errors="replace")
        for needle in needles:
            assert needle not in text, f"{rel} still mentions '{needle}'"


def test_neighbours_link_past_the_withdrawn_item(rebuilt):
    _project, _before, after, *_ = rebuilt
    first, third = after["items/lw01-day.html"].decode(), after["items/lw03-day.html"].decode()
    assert 'href="../items/lw03-day.html" rel="next"' in first
    assert 'href="../items/lw01-day.html" rel="prev"' in third


def test_home_prompt_participant_pages_and_sitemap_drop_it(rebuilt):
    _project, before, after, *_ = rebuilt
    for page in ("index.html", "prompts/typical-day.html", "participants/lw02.html", "sitemap.xml"):
        assert page in before and page in after, page
        assert TITLE.encode() in before[page] or WITHDRAWN.encode() in before[page], page
        assert TITLE.encode() not in after[page] and WITHDRAWN.encode() not in after[page], page
    assert b"Delta badge" in after["participants/lw02.html"]       # the participant's other item stays


def test_cache_entries_are_removed(rebuilt):
    project, _before, _after, _stderr, cache_before = rebuilt
    assert WITHDRAWN in cache_before.values()
    assert WITHDRAWN not in cache_entries(project).values()
    record = project.cache / "sources.json"    # absent when every photo is brand new
    hashes = record.read_text() if record.exists() else ""  # (hashes of photos changed < 2 s ago are not kept)
    assert f"{WITHDRAWN}.jpg" not in hashes


def test_the_build_prints_the_checklist(rebuilt):
    _project, _before, _after, stderr, _cache = rebuilt
    lines = stderr.splitlines()
    assert f"left out: captions/{WITHDRAWN}.yaml: consent withdrawn on 2024-09-01" in lines
    start = lines.index(CHECKLIST[0])
    assert lines[start:start + len(CHECKLIST)] == CHECKLIST


def test_the_source_files_are_kept(rebuilt):
    """Withdrawal unpublishes; deleting the research data is the team's decision, not the tool's."""
    project, *_ = rebuilt
    assert (project.photos / f"{WITHDRAWN}.jpg").is_file()
    assert (project.captions / f"{WITHDRAWN}.yaml").is_file()


def test_no_checklist_when_nothing_was_online(tmp_path: Path):
    project = Project(tmp_path / "proj")
    make(project)
    withdraw(project, WITHDRAWN)
    result = project.build("--config", str(project.config))
    assert "Removed from" not in result.stderr
    project.caption("lw01-day", caption="My desk, again.")
    result = project.build("--config", str(project.config))
    assert "Removed from" not in result.stderr


def test_checklist_even_when_the_manifest_is_damaged(tmp_path: Path):
    project = Project(tmp_path / "proj")
    make(project)
    project.build("--config", str(project.config))
    (project.out / ".gallery-manifest.json").write_text("{ damaged")
    withdraw(project, WITHDRAWN)
    result = project.build("--config", str(project.config))
    assert CHECKLIST[0] in result.stderr.splitlines()
    assert not [p for p in project.tree() if WITHDRAWN in p]
