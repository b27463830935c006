"""The register (`python build.py export register.csv`): one row per caption file, for a data manager
or an ethics auditor: who, on what consent, in which state, and where the item is now.

The state is the web gate's decision as `check` sees it; where the item is comes from the records
the tool keeps (the last build's report, the print record). Every column `import` needs is there
too, so the register can be the team's working spreadsheet: import reads it back (sheet.py).
It holds participant ids and consent, so it is never written where a web server publishes it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path

from .cache import write_atomic
from .captions import Item, caption_files
from .check import CheckResult, check
from .content import Decision
from .errors import OutputError, Problem, display_path
from .options import BuildOptions
from .output import MANIFEST
from .printing import record
from .report import REPORT_FORMAT, report_path
from .sheet import COLUMNS, UNREADABLE, neutral
from .yamlutil import load_yaml

PUBLISHED, LEFT_OUT, WITHDRAWN, HAS_ERRORS = "published", "left out", "withdrawn", "has errors"
STATES = (PUBLISHED, LEFT_OUT, WITHDRAWN, HAS_ERRORS, UNREADABLE)
# who and on what consent first, then where it is, then the rest of what import needs
HEADER = ("id", "participant", "prompt", "kind", "caption file", "photo", "state", "reason",
          "consent.publish", "consent.scope", "consent.date", "consent.withdrawn", "review.by", "review.date",
          "web", "print packs", "exhibition panels",
          "title", "caption", "alt", "long_description", "content_note", "credit", "order", "redact",
          "review.photo", "review.redact", "review.accepted", "notes")
WHERE_KINDS = {"print packs": "pack", "exhibition panels": "panel"}   # column -> the print record's kind
UNKNOWN = "unknown: {} (see the export's message)"
SOURCE = "holds the gallery's sources"


@dataclass(frozen=True)
class Exported:
    """What `export` wrote."""

    path: Path
    counts: dict[str, int]           # rows by state
    notes: tuple[Problem, ...]       # what the register could not tell (a damaged record)
    stops: bool                      # check found errors: a build would publish nothing


@dataclass(frozen=True)
class Where:
    """Where each item is now: on the site as last built, in the print folders as last printed."""

    web: dict[str, str]                  # item id -> "site/ (built 2026-12-01)"
    printed: tuple[record.Printed, ...]  # the PDFs in each print folder now
    web_unknown: str | None = None       # the build report cannot be read: why
    print_unknown: str | None = None     # the print record is damaged: why

    def cells(self, item_id: str) -> dict[str, str]:
        found = {"web": UNKNOWN.format(self.web_unknown) if self.web_unknown else self.web.get(item_id, "")}
        for column, kind in WHERE_KINDS.items():
            held = [f"{p.where} ({p.day})" for p in self.printed if p.kind == kind and item_id in p.items]
            if self.print_unknown:
                held.append(UNKNOWN.format(self.print_unknown))
            found[column] = "; ".join(held)
        return found


def export_register(options: BuildOptions, path: Path) -> Exported:
    """Write the register to path (atomically, replacing a file there); refused inside a published
    or source folder before anything is read."""
    guard_register(path, options)
    checked = check(options)
    where, notes = where_now(options)
    rows = register_rows(checked, options, where)
    write_atomic(path, encode(rows))
    counts = {state: sum(1 for r in rows if r["state"] == state) for state in STATES}
    return Exported(path, counts, tuple(notes), bool(checked.errors))


def guard_register(path: Path, options: BuildOptions) -> None:
    """Refuse a register inside the output folder (a web server publishes it), inside any site this
    tool built, or inside photos/, captions/ or templates/; refuse a name that is not a .csv file."""
    places = {Path(os.path.realpath(path.parent)) / path.name, Path(os.path.realpath(path))}
    folders = {"output folder": (options.out, "a web server publishes"), "photos folder": (options.photos, SOURCE),
               "captions folder": (options.captions, SOURCE), "templates folder": (options.templates, SOURCE)}
    why = "the register holds participant ids and consent: write it elsewhere, e.g. register.csv in the project folder"
    problems = [Problem(path, None, f"is inside the {label} ({display_path(folder)}/), which {what}; {why}")
                for label, (folder, what) in folders.items() if any(_inside(p, folder.resolve()) for p in places)]
    built = sorted({parent for place in places for parent in place.parents if (parent / MANIFEST).is_file()
                    and parent != options.out.resolve()})       # the output folder is named above
    problems += [Problem(path, None, f"is inside {display_path(site)}/, a site this tool built (it holds {MANIFEST}), "
                                     f"which a web server publishes; {why}") for site in built]
    if path.suffix.lower() != ".csv":
        problems.append(Problem(path, None, "the register is CSV; give a file name ending in .csv, e.g. register.csv"))
    elif path.is_dir():
        problems.append(Problem(path, None, "is a folder; give the register's file name, e.g. register.csv"))
    if problems:
        raise OutputError(problems=problems)


def _inside(place: Path, folder: Path) -> bool:
    return place == folder or folder in place.parents


def where_now(options: BuildOptions) -> tuple[Where, list[Problem]]:
    """Where each item is now, and what could not be read (named in every row it concerns, never blank)."""
    web, web_problem = _web(options)
    printed, print_problems = record.load(options.private)
    notes = [p for p in (web_problem, *print_problems) if p is not None]
    return Where(web, tuple(record.latest(printed)),
                 "the build report cannot be read" if web_problem and web_problem.path != options.out else None,
                 "the print record is damaged" if print_problems else None), notes


def _web(options: BuildOptions) -> tuple[dict[str, str], Problem | None]:
    """Each item the last build published -> "site/ (built YYYY-MM-DD)", from its build report."""
    path = report_path(options)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:            # never built, or built into another folder: said, the column empty
        return {}, Problem(options.out, None, "has no build report (never built, or the site was built into "
                                              "another folder: give that folder with --out), so the register's "
                                              "'web' column is empty: no item is recorded as published")
    except (OSError, ValueError) as exc:
        return {}, _unreadable_report(path, str(exc))
    try:
        if data["format"] != REPORT_FORMAT:
            return {}, _unreadable_report(path, "not a build report this version wrote")
        built = f"{data['output']}/ (built {str(data['generated'])[:10]})"
        return {str(entry["id"]): built for entry in data["published"]}, None
    except (KeyError, TypeError) as exc:
        return {}, _unreadable_report(path, f"no {exc}")


def _unreadable_report(path: Path, why: str) -> Problem:
    return Problem(path, None, f"the build report cannot be read ({why}), so the register's 'web' column says "
                               "unknown; build the site again (python build.py) to record what it publishes")


def register_rows(checked: CheckResult, options: BuildOptions, where: Where) -> list[dict[str, str]]:
    """One row per caption file, by id."""
    decisions = {d.item.source: d for d in checked.decisions}
    root = options.private.parent
    rows = []
    for path in sorted(caption_files(options.captions), key=lambda p: (p.stem, p.name)):     # by id
        decision = decisions.get(path)
        if decision is None:
            row = {**_raw_cells(path), "state": UNREADABLE,
                   "reason": _reasons([p for p in checked.errors if p.path == path]) or "it cannot be read"}
        else:
            row = _item_row(decision, checked.errors)
        rows.append({**row, "id": path.stem, "caption file": _shown(path, root), **where.cells(path.stem)})
    return rows


def _item_row(d: Decision, errors: tuple[Problem, ...]) -> dict[str, str]:
    item = d.item
    own = [p for p in errors if p.path == item.source or (item.photo is not None and p.path == item.photo)]
    if item.consent.withdrawn is not None:
        state, reason = WITHDRAWN, d.reason or ""
    elif own:
        state, reason = HAS_ERRORS, "a build stops on it: " + _reasons(own)
    else:
        state, reason = (PUBLISHED, "") if d.published else (LEFT_OUT, d.reason or "")
    return {**item_cells(item), "notes": _notes(item.source), "state": state, "reason": reason}


def item_cells(item: Item) -> dict[str, str]:
    """The item's caption keys as import reads them back (sheet.py COLUMNS)."""
    c, r = item.consent, item.review
    return {"participant": item.participant, "prompt": item.prompt, "kind": item.kind, "photo": item.photo_name or "",
            "title": item.title or "", "caption": item.caption, "alt": item.alt or "",
            "long_description": item.long_description or "", "content_note": item.content_note or "",
            "credit": item.credit, "order": "" if item.order is None else str(item.order),
            "redact": _json([list(region) for region in item.redact]),
            "consent.publish": ("yes" if c.publish else "no") if c.recorded else "",
            "consent.scope": ";".join(c.scope), "consent.date": _day(c.date),
            "consent.withdrawn": "" if c.withdrawn is None else _day(c.withdrawn) or "yes",
            "review.by": r.by or "" if r else "", "review.date": _day(r.date) if r else "",
            "review.photo": r.photo or "" if r else "",
            "review.redact": _json([list(region) for region in r.redact]) if r else "",
            "review.accepted": _json([{"kind": a.kind, "box": list(a.box), "reason": a.reason}
                                      for a in r.accepted]) if r else ""}


def _raw_cells(path: Path) -> dict[str, str]:
    """What can be told of a caption file that does not load: its plain values, as written."""
    doc, _ = load_yaml(path) if path.is_file() else (None, [])
    if doc is None or not isinstance(doc.data, dict):
        return {}
    cells = {}
    for column in COLUMNS:
        group, _, key = column.partition(".")
        value = doc.data.get(group)
        if key:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
            value = ";".join(str(v) for v in value)
        if isinstance(value, (str, int, float, dt.date)):   # a bool is an int: yes/no come out as True/False
            cells[column] = str(value).strip()
    return cells


def _notes(source: Path) -> str:
    """The team's notes (the loader keeps no notes: they are never published), as written."""
    doc, _ = load_yaml(source)
    notes = doc.data.get("notes") if doc is not None and isinstance(doc.data, dict) else None
    if notes is None:
        return ""
    return notes.strip() if isinstance(notes, str) else json.dumps(notes, ensure_ascii=False, default=str)


def _reasons(problems: list[Problem]) -> str:
    return "; ".join(f"line {p.line}: {p.message}" if p.line else p.message for p in problems)


def _json(value: list) -> str:
    return json.dumps(value, ensure_ascii=False) if value else ""


def _day(value: object) -> str:
    return value.isoformat() if isinstance(value, dt.date) else ""


def _shown(path: Path, root: Path) -> str:
    """path relative to the project's folder when inside it, else absolute."""
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    return str(path.absolute()) if rel == os.pardir or rel.startswith(os.pardir + os.sep) else rel


def encode(rows: list[dict[str, str]]) -> bytes:
    """The register as CSV: UTF-8 with a BOM (spreadsheet programs then read it as UTF-8), CRLF
    records, and every cell a spreadsheet would run as a formula neutralised (sheet.neutral)."""
    text = io.StringIO(newline="")
    writer = csv.writer(text, dialect="excel")
    writer.writerow(HEADER)
    writer.writerows([neutral(row.get(column, "")) for column in HEADER] for row in rows)
    return text.getvalue().encode("utf-8-sig")
