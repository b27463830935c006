"""Incremental builds are exactly right: the cache and the no-op fast path never serve stale output.

Correctness only (speed is measured by `python -m benchmarks`, not asserted here). Every test runs
the real command line on real image files.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import Project
from PIL import Image

UNCHANGED = "Nothing changed since the last build"


def cache_of(project: Project) -> Path:
    return project.cache


def images_of(project: Project, item: str) -> set[str]:
    return {n for n in project.tree() if n.startswith(f"images/{item}-")}


def made(result) -> int:
    return int(re.search(r"(\d+) made", result.stderr).group(1))


def colour_of(project: Project, rel: str) -> tuple[int, int, int]:
    with Image.open(project.out / rel) as im:
        return im.convert("RGB").resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))


def near(a, b, tolerance=12) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=False))


def test_unchanged_tree_is_answered_without_building(project):
    project.item("lw01-day")
    project.build()
    before = project.tree()
    result = project.build()
    assert UNCHANGED in result.stderr
    assert project.tree() == before


def test_fast_path_notices_every_kind_of_change(project):
    """Caption, photo, config, template override, a new caption, a damaged output folder."""
    project.item("lw01-day")
    project.item("lw02-day", participant="LW02")
    project.config.write_text("title: A gallery\n")
    config = ("--config", str(project.config))
    project.build(*config)

    def rebuilt() -> str:
        result = project.build(*config)
        assert UNCHANGED not in result.stderr, "a change was missed by the fast path"
        again = project.build(*config)
        assert UNCHANGED in again.stderr, "an unchanged tree was rebuilt"
        return result.stderr

    project.caption("lw01-day", caption="Words changed by the participant.")
    rebuilt()
    assert "Words changed by the participant." in project.tree()["items/lw01-day.html"].decode()

    old = images_of(project, "lw02-day")
    project.photo("lw02-day.jpg", colour=(20, 40, 220))
    rebuilt()
    assert images_of(project, "lw02-day") != old

    project.config.write_text("title: A retitled gallery\n")
    rebuilt()
    assert "A retitled gallery" in project.tree()["index.html"].decode()

    (project.templates / "item.html").write_text('{% extends "default/item.html" %}'
                                                 "{% block title %}OVERRIDE-MARK{% endblock %}")
    rebuilt()
    assert "OVERRIDE-MARK" in project.tree()["items/lw01-day.html"].decode()

    project.item("lw03-day", participant="LW03")
    rebuilt()
    assert "items/lw03-day.html" in project.tree()

    (project.out / "items" / "lw03-day.html").unlink()        # someone deleted a published page
    rebuilt()
    assert "items/lw03-day.html" in project.tree()

    (project.out / ".gallery-manifest.json").write_text("{not json")
    rebuilt()
    assert json.loads((project.out / ".gallery-manifest.json").read_text())["files"]


def test_edited_photo_is_reprocessed_and_its_old_images_are_gone(project):
    project.item("lw01-day")
    project.item("lw02-day", participant="LW02")
    project.build()
    old = images_of(project, "lw01-day")
    kept = {n: project.tree()[n] for n in images_of(project, "lw02-day")}
    project.photo("lw01-day.jpg", colour=(30, 160, 40))        # same size and name, new pixels
    result = project.build()
    assert made(result) == 1
    new = images_of(project, "lw01-day")
    assert new and not new & old
    assert all(near(colour_of(project, n), (30, 160, 40)) for n in new)
    assert {n: project.tree()[n] for n in images_of(project, "lw02-day")} == kept
    cached = {p.name for p in cache_of(project).rglob("*") if p.is_file()}
    assert not {Path(n).name for n in old} & cached, "the old images stayed in the cache"


def test_edited_caption_rerenders_and_reuses_the_images(project):
    project.item("lw01-day")
    project.build()
    images = {n: d for n, d in project.tree().items() if n.startswith("images/")}
    project.caption("lw01-day", caption="A second thought about the day.")
    result = project.build()
    assert made(result) == 0
    tree = project.tree()
    assert "A second thought about the day." in tree["items/lw01-day.html"].decode()
    assert {n: d for n, d in tree.items() if n.startswith("images/")} == images


def test_caption_edited_to_the_same_size_is_read_again(project):
    """An edit that keeps the size (one letter), with its old mtime put back, must still be seen:
    by the no-op fast path (the change time gives it away) and by the build."""
    import os
    import time
    path = project.item("lw01-day", caption="Phone calls all morning.")
    old = time.time() - 3600
    os.utime(path, (old, old))
    project.build()
    size, mtime = path.stat().st_size, path.stat().st_mtime_ns
    project.caption("lw01-day", caption="Phone calls all evening.")
    os.utime(path, ns=(mtime, mtime))          # same size, same mtime: only the ctime tells
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (size, mtime)
    project.build()
    assert "Phone calls all evening." in project.tree()["items/lw01-day.html"].decode()


def test_changed_image_setting_remakes_exactly_the_configured_files(project):
    project.item("lw01-day")                                     # 1200 x 900
    project.config.write_text("title: A gallery\n")
    project.build("--config", str(project.config))
    project.config.write_text("images:\n  sizes: [300, 600]\n  formats: [jpeg]\n")
    result = project.build("--config", str(project.config))
    assert made(result) == 1
    names = sorted(images_of(project, "lw01-day"))
    assert [re.sub(r"-[0-9a-f]{10}-", "-HASH-", n) for n in names] == [
        "images/lw01-day-HASH-300.jpg", "images/lw01-day-HASH-600.jpg"]
    sizes = {}
    for n in names:
        with Image.open(project.out / n) as im:
            sizes[n] = im.size
    assert sorted(sizes.values()) == [(300, 225), (600, 450)]


def test_withdrawn_item_leaves_site_and_cache_and_is_not_resurrected(project):
    project.item("lw01-day")
    path = project.item("lw02-gone", participant="LW02", caption="Words to withdraw")
    project.build()
    assert images_of(project, "lw02-gone")
    path.write_text(path.read_text().replace("  date: 2024-05-01\n", "  date: 2024-05-01\n  withdrawn: 2024-09-01\n"))
    project.build()
    tree = project.tree()
    assert not [n for n in tree if "lw02" in n]
    assert b"Words to withdraw" not in b"".join(tree.values())
    leftovers = [p for p in cache_of(project).rglob("*") if "lw02" in p.name or
                 (p.name == "meta.json" and "lw02" in p.read_text())]
    assert not leftovers, "the withdrawn item's images stayed in the cache"
    again = project.build()                                      # the no-op answer must not bring it back
    assert UNCHANGED in again.stderr
    assert not [n for n in project.tree() if "lw02" in n]


def test_withdrawal_with_a_damaged_manifest_keeps_no_old_page_or_image(project):
    project.item("lw01-day")
    path = project.item("lw02-gone", participant="LW02")
    (project.out).mkdir(parents=True, exist_ok=True)
    project.build()
    (project.out / ".htaccess").write_text("Options -Indexes\n")   # the web team's own file
    project.build()
    (project.out / ".gallery-manifest.json").write_text("damaged")
    path.write_text(path.read_text().replace("  date: 2024-05-01\n", "  date: 2024-05-01\n  withdrawn: 2024-09-01\n"))
    project.build()
    tree = project.tree()
    assert not [n for n in tree if "lw02" in n], "a damaged manifest let old files of a withdrawn item survive"
    assert tree[".htaccess"] == b"Options -Indexes\n"


def test_damaged_cache_is_made_again_not_trusted(project):
    project.item("lw01-day")
    project.item("lw02-day", participant="LW02", )
    project.build()
    cache = cache_of(project)
    folders = sorted(p for p in cache.iterdir() if p.is_dir())
    victim = next(p for p in folders[0].iterdir() if p.suffix == ".jpg")
    victim.write_bytes(victim.read_bytes()[:100])                # truncated image
    (folders[1] / "meta.json").write_text("{broken")              # damaged metadata
    (cache / "sources.json").write_text("[1, 2")                  # damaged hash cache
    (cache / "last-build.json").write_text("nonsense")            # damaged fast-path record
    result = project.build()
    assert UNCHANGED not in result.stderr
    assert made(result) == 2
    for name in (n for n in project.tree() if n.startswith("images/")):
        with Image.open(project.out / name) as im:
            im.load()                                            # every published image decodes whole


def test_deleted_cache_is_rebuilt(project):
    project.item("lw01-day")
    project.build()
    import shutil
    shutil.rmtree(cache_of(project))
    result = project.build()
    assert UNCHANGED not in result.stderr
    assert made(result) == 1
    assert images_of(project, "lw01-day")


# ---- the page cache: only what shows an edit is rendered again, and never anything stale ----------

def inodes(project: Project, folder: Path | None = None) -> dict[str, tuple[int, int]]:
    """Each page's file identity: inode and modification time (an inode alone can be reused by the
    file system for a page written after the old one was deleted)."""
    folder = folder or project.out
    return {str(p.relative_to(folder)): (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.rglob("*.html")}


def full_build(project: Project) -> dict[str, bytes]:
    """The same sources built from nothing into another folder (no cache): what a rebuild must equal."""
    fresh = project.root / "fresh"
    import shutil
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.rmtree(project.root / ".gallery" / "fresh", ignore_errors=True)
    project.build("--out", str(fresh))
    return {str(p.relative_to(fresh)): p.read_bytes() for p in sorted(fresh.rglob("*")) if p.is_file()
            if p.name != ".gallery-manifest.json"}


def site_files(project: Project) -> dict[str, bytes]:
    return {n: d for n, d in project.tree().items() if n != ".gallery-manifest.json"}


def pages_showing(project: Project, text: str) -> set[str]:
    return {n for n, d in project.tree().items() if n.endswith(".html") and text.encode() in d}


def three_items(project: Project) -> None:
    project.item("lw01-day", caption="Phone calls all morning.")
    project.item("lw01-confidence", prompt="confidence", caption="My supervisor listens.")
    project.item("lw02-day", participant="LW02", caption="A walk to the allotment.")


def test_caption_edit_rerenders_only_the_pages_that_show_it(project):
    three_items(project)
    project.build()
    before, identity = project.tree(), inodes(project)
    project.caption("lw02-day", participant="LW02", caption="A walk to the community garden.")
    project.build()
    after, now = project.tree(), inodes(project)
    changed = {n for n in identity if before[n] != after[n]}
    assert changed == pages_showing(project, "community garden")     # exactly the pages that show the words
    assert {"items/lw02-day.html", "participants/lw02.html", "prompts/typical-day.html"} <= changed
    rendered = {n for n in identity if now[n] != identity[n]}         # a reused page keeps its file
    assert changed <= rendered
    unrelated = {"about.html", "accessibility.html", "404.html", "items/lw01-confidence.html",
                 "participants/lw01.html", "prompts/confidence.html", "participants/index.html"}
    assert not rendered & unrelated, "pages that do not show the item were rendered again"
    assert site_files(project) == full_build(project)                # byte for byte what a full build makes


def test_page_shows_a_neighbours_title_and_is_rerendered_when_it_changes(project):
    three_items(project)
    project.build()
    path = project.captions / "lw02-day.yaml"
    path.write_text(path.read_text() + "title: The allotment path\n")
    project.build()
    assert "items/lw01-day.html" in pages_showing(project, "The allotment path")   # its "next" link
    assert site_files(project) == full_build(project)


def test_edited_photo_rerenders_the_pages_that_show_it_and_no_page_keeps_the_old_image(project):
    three_items(project)
    project.build()
    old = images_of(project, "lw01-day")
    project.photo("lw01-day.jpg", colour=(20, 40, 200))
    project.build()
    pages = b"".join(d for n, d in project.tree().items() if n.endswith(".html"))
    assert not any(Path(n).name.encode() in pages for n in old)
    assert site_files(project) == full_build(project)


def test_template_or_setting_change_rerenders_every_page(project):
    three_items(project)
    project.build()
    identity = inodes(project)
    (project.templates / "item.html").write_text('{% extends "default/item.html" %}\n'
                                                 '{% block description %}Overridden{% endblock %}\n')
    project.build()
    assert "Overridden" in project.tree()["items/lw01-day.html"].decode()
    project.config.write_text("title: A renamed gallery\n")
    project.build()
    now = inodes(project)
    assert all(now[n] != identity[n] for n in identity)
    assert all(b"A renamed gallery" in d for n, d in project.tree().items() if n.endswith(".html"))
    assert site_files(project) == full_build(project)


def test_withdrawal_rerenders_every_page_and_the_page_cache_forgets_the_words(project):
    three_items(project)
    path = project.item("lw03-gone", participant="LW03", caption="Words only this participant said.")
    project.build()
    assert pages_showing(project, "Words only this participant said")
    path.write_text(path.read_text().replace("  date: 2024-05-01\n", "  date: 2024-05-01\n  withdrawn: 2024-09-01\n"))
    project.build()
    assert not pages_showing(project, "Words only this participant said")
    assert not [n for n, d in project.tree().items() if b"lw03" in d or "lw03" in n]
    cached = b"".join(p.read_bytes() for p in (cache_of(project) / "pages").iterdir())
    assert b"Words only this participant said" not in cached, "the page cache kept the withdrawn words"
    assert b"lw03" not in cached
    assert site_files(project) == full_build(project)


def test_damaged_page_cache_is_rendered_again_not_trusted(project):
    three_items(project)
    project.build()
    pages = cache_of(project) / "pages"
    victim = next(p for p in pages.glob("*.html") if b"Phone calls all morning" in p.read_bytes())
    victim.write_bytes(victim.read_bytes().replace(b"Phone calls", b"Hacked call"))   # changed in place
    project.caption("lw02-day", participant="LW02", caption="Another walk.")         # so the build runs
    project.build()
    assert not pages_showing(project, "Hacked call")
    assert site_files(project) == full_build(project)
    (pages / "index.json").write_text("{broken")
    project.caption("lw02-day", participant="LW02", caption="A third walk.")
    project.build()
    assert site_files(project) == full_build(project)
