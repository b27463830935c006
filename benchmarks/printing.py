"""`python build.py print` timed on a pack of up to 60 corpus photos (issue 17: ≤ 20 s): a project of
its own whose items all answer one prompt with print consent, its photos hard-linked from the corpus."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from . import corpus as corpora
from .measure import Run, run

REPO = Path(__file__).resolve().parent.parent
PACK = 60


def project(c: corpora.Corpus, work: Path, count: int) -> Path:
    """work/ with count of the corpus's photos and their captions, all for typical-day, scope web and print."""
    shutil.rmtree(work, ignore_errors=True)
    for folder in ("photos", "captions", "templates"):
        (work / folder).mkdir(parents=True)
    for n in range(count):
        name = corpora.photo_name(n)
        try:
            os.link(c.photos / name, work / "photos" / name)
        except OSError:
            shutil.copyfile(c.photos / name, work / "photos" / name)
        text = (c.captions / f"{corpora.item_id(n)}.yaml").read_text(encoding="utf-8")
        text = text.replace("scope: [web]", "scope: [web, print]")
        text = "\n".join("prompt: typical-day" if line.startswith("prompt:") else line for line in text.splitlines())
        (work / "captions" / f"{corpora.item_id(n)}.yaml").write_text(text + "\n", encoding="utf-8")
    (work / "gallery.yaml").write_text("title: Benchmark gallery\n", encoding="utf-8")
    return work


def command(work: Path) -> list[str]:
    return [sys.executable, str(REPO / "build.py"), "print", "--photos", str(work / "photos"), "--captions",
            str(work / "captions"), "--config", str(work / "gallery.yaml"), "--templates", str(work / "templates"),
            "--site", str(work / "site"), "--out", str(work / "print")]


def pack_seconds(c: corpora.Corpus, work: Path, log) -> tuple[int, Run, Run, Run]:
    """(items, the print run from nothing: the screen, pictures and PDF; the run with the photos screened
    before, as a site's build leaves them, its pictures made; the same pack again, pictures cached)."""
    count = min(PACK, c.count)
    work = project(c, work, count)
    log(f"print: a pack of {count} items, from nothing, then with the photos screened, then again")
    first = run(command(work), sample=True)
    shutil.rmtree(work / ".gallery" / "print")          # the print folder's pictures; the screen's record stays
    screened = run(command(work), sample=True)
    again = run(command(work), sample=True)
    for r in (first, screened, again):
        if r.returncode != 0:
            raise SystemExit(f"print failed ({r.returncode}):\n{r.stderr[-3000:]}")
    return count, first, screened, again
