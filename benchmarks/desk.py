"""The review desk's item page, timed as `serve` answers it: in one long-running process, on the
corpus the default build made, each page the first time its item is opened (the screen-size picture
made from the 12-megapixel photo), plus the picture's own request."""

from __future__ import annotations

import re
import shutil
import statistics
import time
from pathlib import Path

from . import corpus as corpora


def item_page_seconds(c: corpora.Corpus, config: Path, out: Path, count: int, log) -> float:
    """The median seconds to answer an item page and its picture for count items opened for the first time."""
    from gallery.desk import pictures
    from gallery.desk.server import Desk
    from gallery.options import options_for
    options = options_for(c.root, photos=c.photos, captions=c.captions, templates=c.templates, config=config,
                          out=out)
    desk = Desk(options, 8000)
    log(f"the review desk: {count} item pages, each opened for the first time")
    first = corpora.item_id(0)
    if desk.get("/_desk/").status != 200 or desk.get(f"/_desk/item/{first}").status != 200:
        raise SystemExit("the desk's pages failed")      # templates compiled, modules imported: as in a running serve
    shutil.rmtree(options.cache / pictures.FOLDER, ignore_errors=True)
    spent = []
    total = sum(1 for _ in c.captions.iterdir())
    for n in range(count):
        item = corpora.item_id(n * 29 % total + 1)
        started = time.perf_counter()
        page = desk.get(f"/_desk/item/{item}")
        src = re.search(r'id="desk-image" src="([^"]+)"', page.body.decode())
        if page.status != 200 or src is None or desk.get(src.group(1).replace("&amp;", "&")).status != 200:
            raise SystemExit(f"the desk's page of {item} has no picture ({page.status})")
        spent.append(time.perf_counter() - started)
    return statistics.median(spent)
