"""The whole path through the real command line: photos + captions -> a published site."""

from __future__ import annotations

import re
import shutil

import pytest
from conftest import REPO, Project, run_cli


def html_of(project: Project) -> str:
    return "\n".join(d.decode() for n, d in project.tree().items() if n.endswith(".html"))


def test_build_publishes_pages_and_images(project):
    project.item("lw01-day", participant="LW01")
    project.caption("lw01-unexpected", participant="LW01", prompt="unexpected", kind="reported", photo=None,
                    alt=None, caption="I ended up *fixing a bike*.")
    result = project.build()
    tree = project.tree()
    assert {"index.html", "items/lw01-day.html", "items/lw01-unexpected.html", "prompts/typical-day.html",
            "prompts/confidence.html", "prompts/unexpected.html", "participants/index.html",
            "participants/lw01.html", "about.html", "accessibility.html", "404.html"} <= set(tree)
    images = [n for n in tree if n.startswith("images/")]
    assert images and all(re.fullmatch(r"images/lw01-day-[0-9a-f]{10}-\d+\.(jpg|webp)", n) for n in images)
    assert "<em>fixing a bike</em>" in tree["items/lw01-unexpected.html"].decode()
    assert "Published 2 items" in result.stderr


def test_unconsented_and_withdrawn_items_appear_nowhere(project):
    project.item("lw01-day")
    project.item("lw02-secret", participant="LW02", publish="false", caption="Unconsented words")
    project.item("lw03-gone", participant="LW03", caption="Withdrawn words", extra="")
    path = project.captions / "lw03-gone.yaml"
    path.write_text(path.read_text().replace("  date: 2024-05-01\n", "  date: 2024-05-01\n  withdrawn: 2024-09-01\n"))
    result = project.build()
    tree = project.tree()
    everything = b"\n".join(tree.values())
    for word in (b"lw02", b"LW02", b"lw03", b"LW03", b"Unconsented words", b"Withdrawn words"):
        assert word not in everything
    assert not [n for n in tree if "lw02" in n or "lw03" in n]
    assert "lw02-secret.yaml: no consent to publish" in result.stderr
    assert "lw03-gone.yaml: consent withdrawn on 2024-09-01" in result.stderr


def test_caption_markup_is_neutralised(project):
    project.item("lw01-day", caption='"Hi <script>alert(1)</script> [x](javascript:alert(1)) '
                                     '<img src=x onerror=alert(2)> [ok](https://example.org)"')
    result = project.build()
    page = project.tree()["items/lw01-day.html"].decode()
    assert "<script>alert" not in page and "javascript:" not in page and "onerror" not in page
    assert 'href="https://example.org"' in page
    assert "raw HTML was removed" in result.stderr


def test_content_error_exits_1_names_file_and_line_and_leaves_site_untouched(project):
    project.item("lw01-day")
    project.build()
    before = project.tree()
    stats = {p: p.stat().st_mtime_ns for p in project.out.rglob("*")}
    project.caption("lw02-day", participant="LW02", photo="missing.jpg", extra="colour: blue\n")
    result = project.build(check=False)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert any(re.search(r"captions/lw02-day\.yaml:15: unknown key 'colour'", line) for line in lines), lines
    assert "Traceback" not in result.stderr
    assert lines[-1] == "Nothing was published; site/ is unchanged."
    assert project.tree() == before
    assert {p: p.stat().st_mtime_ns for p in project.out.rglob("*")} == stats


def test_missing_photo_of_a_published_item_is_an_error(project):
    project.caption("lw01-day", photo="nope.jpg")
    result = project.build(check=False)
    assert result.returncode == 1
    assert "captions/lw01-day.yaml:4: photo 'nope.jpg' does not exist in photos/" in result.stderr
    assert not project.out.exists()


def test_withdrawal_removes_every_file_of_the_item(project):
    project.item("lw01-day")
    project.item("lw02-day", participant="LW02")
    project.build()
    assert any("lw02-day" in n for n in project.tree())
    path = project.captions / "lw02-day.yaml"
    path.write_text(path.read_text().replace("  date: 2024-05-01\n", "  date: 2024-05-01\n  withdrawn: 2024-10-01\n"))
    project.build()
    tree = project.tree()
    assert not [n for n in tree if "lw02" in n]
    assert b"lw02" not in b"".join(tree.values()) and b"LW02" not in b"".join(tree.values())
    cache = project.cache
    assert not [p for p in cache.rglob("*") if "lw02" in p.name]


def test_sources_are_never_modified(project):
    project.item("lw01-day")
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in [*project.photos.iterdir(),
                                                                  *project.captions.iterdir()]}
    project.build()
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in before} == before


def test_wrong_usage_exits_2(project):
    result = run_cli("build", "--jobs", "zero", cwd=project.root)
    assert result.returncode == 2
    assert "--jobs: 'zero' is not a whole number" in result.stderr


def test_help_documents_every_build_option():
    result = run_cli("build", "--help")
    assert result.returncode == 0
    for option in ("--photos", "--captions", "--config", "--templates", "--out", "--jobs", "--strict", "-q", "-v"):
        assert option in result.stdout


@pytest.fixture(scope="module")
def demo_build(tmp_path_factory):
    """The shipped demo, built from a copy of the repository's files by the real command."""
    root = tmp_path_factory.mktemp("demo")
    shutil.copytree(REPO / "photos", root / "photos")
    shutil.copytree(REPO / "captions", root / "captions")
    shutil.copy(REPO / "gallery.yaml", root / "gallery.yaml")
    result = run_cli("build", "--photos", str(root / "photos"), "--captions", str(root / "captions"),
                     "--config", str(root / "gallery.yaml"), "--out", str(root / "site"), cwd=root)
    assert result.returncode == 0, result.stderr
    return root, result


def test_demo_builds_and_leaves_out_the_unconsented_and_withdrawn_items(demo_build):
    import yaml
    root, result = demo_build
    held_back = []
    for path in sorted((root / "captions").glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        consent = data.get("consent") or {}
        if not consent.get("publish") or "withdrawn" in consent:
            held_back.append((path.stem, data.get("photo")))
    assert len(held_back) >= 2, "the demo must show the gate at work"
    site = root / "site"
    everything = b"".join(p.read_bytes() for p in site.rglob("*") if p.is_file())
    names = [str(p.relative_to(site)) for p in site.rglob("*")]
    for item_id, photo in held_back:
        assert f"{item_id}: " in result.stderr or item_id in result.stderr
        assert item_id.encode() not in everything
        assert not [n for n in names if item_id in n]
        if photo:
            assert photo.rsplit(".", 1)[0].encode() not in everything


def test_top_level_help_documents_every_command_and_option():
    import build
    result = run_cli("--help")
    assert result.returncode == 0
    sub = next(a for a in build.parser()._actions if a.dest == "command")
    for name, command in sub.choices.items():
        assert f"usage: python build.py {name}" in result.stdout
        for action in command._actions:
            for option in action.option_strings:
                assert option in result.stdout, (name, option)
