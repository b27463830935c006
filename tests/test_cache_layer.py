"""The one cache layer: a store that is never trusted when damaged, and one rule for "unchanged"."""

from __future__ import annotations

import json
import os

import pytest

from gallery import cache


def test_a_store_keeps_what_was_read_or_put_and_drops_the_rest(tmp_path):
    path = tmp_path / "store.json"
    first = cache.Store(path, 1)
    first.put("a", [1, 2])
    first.put("b", {"x": "y"})
    first.save()
    second = cache.Store(path, 1)
    assert second.get("a") == [1, 2]          # read: kept for the next build
    second.save()
    assert cache.Store(path, 1).old == {"a": [1, 2]}, "an entry neither read nor put is dropped"


@pytest.mark.parametrize("damage", [b"{not json", b"[1, 2]", b'{"format": 1, "context": "", "entries": 5}',
                                    b'{"format": 2, "context": "", "entries": {"a": 1}}',
                                    b'{"format": 1, "context": "other", "entries": {"a": 1}}', b""])
def test_a_damaged_older_or_foreign_store_is_empty(tmp_path, damage):
    path = tmp_path / "store.json"
    path.write_bytes(damage)
    assert cache.Store(path, 1).old == {}


def test_entries_that_fail_validation_are_not_there(tmp_path):
    path = tmp_path / "store.json"
    path.write_text(json.dumps({"format": 1, "context": "", "entries": {"good": [1], "bad": "x"}}))
    assert cache.Store(path, 1, valid=lambda key, value: isinstance(value, list)).old == {"good": [1]}


def test_an_unchanged_store_is_not_written_again(tmp_path):
    path = tmp_path / "store.json"
    store = cache.Store(path, 1)
    store.put("a", 1)
    store.save()
    before = path.stat().st_mtime_ns, path.stat().st_ino
    again = cache.Store(path, 1)
    again.get("a")
    again.save()
    assert (path.stat().st_mtime_ns, path.stat().st_ino) == before
    assert [p.name for p in tmp_path.iterdir()] == ["store.json"], "no temporary file is left behind"


def test_a_file_changed_within_the_racy_window_is_not_remembered(tmp_path, monkeypatch):
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"first")
    path = tmp_path / "hashes.json"
    monkeypatch.setenv(cache.RACY_ENV, "2")
    store = cache.Store(path, 1)
    store.put_stamped("photo", photo.stat(), "digest-1")
    store.save()
    assert cache.Store(path, 1).get_stamped("photo", photo.stat()) is None, "written a moment ago: not settled"
    monkeypatch.setenv(cache.RACY_ENV, "0")
    store = cache.Store(path, 1)
    store.put_stamped("photo", photo.stat(), "digest-1")
    store.save()
    assert cache.Store(path, 1).get_stamped("photo", photo.stat()) == "digest-1"


def test_an_input_rewritten_with_its_old_size_and_mtime_is_changed(tmp_path):
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"first")
    before = photo.stat()
    photo.write_bytes(b"other")
    os.utime(photo, ns=(before.st_atime_ns, before.st_mtime_ns))     # touch -r, exiftool -P
    after = photo.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert cache.stat_key(after) != cache.stat_key(before)


def test_identity_of_a_written_file_survives_a_hard_link(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<p>page</p>")
    before = cache.identity(page)
    os.link(page, tmp_path / "linked.html")          # what the build does with every cached page
    assert cache.identity(page) == before
