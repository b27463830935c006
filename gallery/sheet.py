"""The import command: caption files from a spreadsheet saved as CSV, all rows or none.

Refuses to overwrite (unless asked), validates every row with the same loader the build uses (so
what it writes always loads), and writes nothing at all when any row is wrong.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from . import photoid, review
from .authoring import neutral_id
from .cache import write_atomic
from .captions import CAPTION_SUFFIXES, CONSENT_KEYS, KEYS, load_item
from .config import SiteConfig, load_config
from .errors import AuthoringError, Problem, UsageError, display_path
from .ids import ID_RE, camera_id_problem, participant_problem
from .lint import photo_values
from .paths import real_path, resolve_photo
from .reviewblock import REVIEW_KEYS
from .yamlutil import VALUE_ERRORS, did_you_mean, not_regular, read_bytes, why_not_a_date

if TYPE_CHECKING:  # pragma: no cover
    from .options import BuildOptions

NESTED = {"consent": CONSENT_KEYS, "review": REVIEW_KEYS}   # review.photo empty: import binds the review
COLUMNS = ("id",) + tuple(k for k in KEYS if k not in NESTED) + tuple(
    f"{group}.{key}" for group, keys in NESTED.items() for key in keys)
# the register's own columns (gallery/register.py): accepted and never imported
REGISTER_ONLY = ("caption file", "state", "reason", "web", "print packs", "exhibition panels")
UNREADABLE = "cannot be read"     # the register's state of a caption file it could not read: no caption to import
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")   # a spreadsheet formula (OWASP), or the quote that marks one
REQUIRED_COLUMNS = ("participant", "prompt", "kind", "caption")
TRUE_WORDS = ("true", "yes", "y", "1")
FALSE_WORDS = ("false", "no", "n", "0")


@dataclass
class Imported:
    """What `import` wrote."""

    sheet: Path
    captions: Path
    written: list[Path] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)      # the register's own columns the sheet has


@dataclass(frozen=True)
class Row:
    number: int                 # as the spreadsheet numbers it: the header is row 1
    item_id: str
    data: dict
    bind: bool = True           # record its review as of the photo now (False: a register's, kept as recorded)


def import_sheet(options: BuildOptions, sheet: Path, overwrite: bool = False) -> Imported:
    """Turn every row of the CSV into captions/<id>.yaml; all rows or none."""
    config = load_config(options.config, required=options.config_required)
    header, records = read_sheet(sheet)
    errors: list[Problem] = []
    _check_header(sheet, header, errors)
    if errors:
        raise AuthoringError(problems=errors)
    rows = []
    result = Imported(sheet, options.captions, ignored=[n for n in REGISTER_ONLY if n in header])
    for number, record in records:
        cells = dict(zip(header, record, strict=False))
        if unquote(cells.get("state") or "") == UNREADABLE:
            where = unquote(cells.get("caption file") or "") or "its caption file"
            result.warnings.append(Problem(sheet, number, f"skipped: the register could not read {where}, so the "
                                                          "row holds no caption to import; fix that file itself"))
            continue
        row = parse_row(sheet, number, cells, errors)
        if row is not None:
            rows.append(row)
    texts = _validate_rows(sheet, rows, options, config, overwrite, errors, result.warnings)
    if errors:
        raise AuthoringError(problems=sorted(errors, key=lambda p: p.line or 0))     # in row order
    options.captions.mkdir(parents=True, exist_ok=True)
    for row in rows:
        path = options.captions / f"{row.item_id}.yaml"
        write_atomic(path, texts[row.item_id].encode("utf-8"))
        result.written.append(path)
    return result


def read_sheet(sheet: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the non-empty records, each with its spreadsheet row number."""
    text = _sheet_text(sheet)
    first_line = text.split("\n", 1)[0]
    try:    # only the delimiter: the sniffer also guesses doublequote=False from a header without quotes
        delimiter = csv.Sniffer().sniff(first_line or ",", delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    records = _records(sheet, text, delimiter)
    if not records:
        raise AuthoringError(problems=[Problem(sheet, None, "the sheet is empty; the first row must name the "
                                                            "columns, e.g. participant,prompt,caption")])
    header = [name.strip() for name in records[0]]
    body = [(n, rec) for n, rec in enumerate(records[1:], 2) if any(cell.strip() for cell in rec)]
    return header, body


def _sheet_text(sheet: Path) -> str:
    """The sheet as text: a regular file (a named pipe is never read), UTF-8, without NUL bytes."""
    kind = not_regular(sheet)
    if kind is not None:
        raise AuthoringError(problems=[Problem(sheet, None, f"is {kind}, not a regular file; save the spreadsheet "
                                                            "as 'CSV UTF-8' and give that file")])
    raw, problems = read_bytes(sheet)
    if raw is None:
        raise UsageError(problems=problems)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AuthoringError(problems=[Problem(sheet, None, "the file is not UTF-8 text; in the spreadsheet "
                                                            "save it as 'CSV UTF-8'")]) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise AuthoringError(problems=[Problem(sheet, line, "the file holds a NUL byte, so it is not CSV text "
                                                            "(damaged, saved as UTF-16 'Unicode text', or a "
                                                            "spreadsheet file renamed .csv); in the spreadsheet "
                                                            "save it as 'CSV UTF-8'")])
    return text


def _records(sheet: Path, text: str, delimiter: str) -> list[list[str]]:
    """Every record, read as a spreadsheet writes CSV (a quote in a quoted cell written twice); a quote
    never closed (which would swallow the rest of the sheet into one cell) or text after a closing
    quote is an error naming the row and the line where it starts."""
    reader = csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter, strict=True)
    records: list[list[str]] = []
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return records
        except csv.Error as exc:
            raise AuthoringError(problems=[Problem(sheet, start, _csv_problem(len(records) + 1, str(exc)))]) from None
        records.append(record)


def _csv_problem(row: int, reason: str) -> str:
    if "unexpected end of data" in reason:
        return (f"row {row} opens a quote (\") that is never closed, so the rest of the sheet would be read as "
                "one cell; close the quote, or save the sheet again from the spreadsheet as 'CSV UTF-8'")
    if "expected after" in reason:
        return (f"row {row} has text after the closing quote (\") of a cell; put the whole cell in quotes, "
                "with each quote inside it written twice (\"\")")
    if "field larger than field limit" in reason:
        return (f"row {row} has a cell over {csv.field_size_limit():,} characters; shorten it (or close a "
                "quote left open before it)")
    return f"row {row} cannot be read as CSV ({reason}); save the sheet again as 'CSV UTF-8'"


def _check_header(sheet: Path, header: list[str], errors: list[Problem]) -> None:
    for name in header:
        if name and name not in COLUMNS and name not in REGISTER_ONLY:
            errors.append(Problem(sheet, 1, f"unknown column '{name}'{did_you_mean(name, COLUMNS)}; "
                                            "columns are named after caption keys (see README, Commands)"))
    for name in REQUIRED_COLUMNS:
        if name not in header:
            errors.append(Problem(sheet, 1, f"missing column '{name}'; add it to the first row"))
    for name in {n for n in header if n and header.count(n) > 1}:
        errors.append(Problem(sheet, 1, f"column '{name}' appears twice; keep one"))


def parse_row(sheet: Path, number: int, cells: dict[str, str], errors: list[Problem]) -> Row | None:
    """One record as caption data (typed values, nested consent/review); None if it has errors."""
    before = len(errors)
    data: dict = {}
    for column, raw in cells.items():
        value = unquote(raw or "")
        if not column or not value or column == "id" or column in REGISTER_ONLY:
            continue
        try:
            converted = _convert(column, value)
        except ValueError as exc:
            errors.append(Problem(sheet, number, f"column '{column}': {exc}"))
            continue
        group, _, key = column.partition(".")
        if key:
            data.setdefault(group, {})[key] = converted
        else:
            data[column] = converted
    for name in REQUIRED_COLUMNS:
        if name not in data:
            errors.append(Problem(sheet, number, f"the '{name}' cell is empty; fill it in"))
    bind = "review.photo" not in cells      # a register's reviews are kept as recorded, bound or not
    for key in ("redact", "accepted"):
        if bind and key in data.get("review", {}):
            errors.append(Problem(sheet, number, f"column 'review.{key}' without a 'review.photo' column: what a "
                                                 "review approved belongs to the photo it saw; add that column "
                                                 "(as the register writes it) or empty this cell"))
    item_id = _row_id(sheet, number, unquote(cells.get("id") or ""), data, errors)
    return Row(number, item_id, data, bind) if len(errors) == before else None


def _row_id(sheet: Path, number: int, given: str, data: dict, errors: list[Problem]) -> str:
    """The row's item id: its 'id' cell, else made from participant and prompt; checked."""
    item_id = given or (neutral_id(str(data.get("participant", "")), str(data.get("prompt", "")))
                        if "participant" in data and "prompt" in data else "")
    if not item_id:
        return ""
    participant_wrong = None if given else participant_problem(str(data["participant"]))
    if not ID_RE.match(item_id):     # a participant 'lw 07' is what is wrong, not the id 'lw 07-day' from it
        errors.append(Problem(sheet, number, participant_wrong or f"id '{item_id}' is not valid; use lower-case "
                                                                  "letters, digits and hyphens, e.g. lw07-day"))
    elif camera := camera_id_problem(item_id):
        errors.append(Problem(sheet, number, f"{camera}; write a neutral id such as lw07-day in the 'id' column"))
    return item_id


def _convert(column: str, value: str):
    if column == "consent.publish":
        if value.lower() in TRUE_WORDS:
            return True
        if value.lower() in FALSE_WORDS:
            return False
        raise ValueError(f"'{value}' must be yes or no (or true/false)")
    if column == "consent.scope":
        return [part.strip().lower() for part in re.split(r"[;,]", value) if part.strip()]
    if column in ("consent.date", "review.date"):
        return _date(value)
    if column == "consent.withdrawn":
        return True if value.lower() in TRUE_WORDS else _date(value)
    if column == "order":
        if not re.fullmatch(r"-?\d+", value):
            raise ValueError(f"'{value}' must be a whole number")
        return int(value)
    if column in ("redact", "review.redact", "review.accepted"):
        try:
            return yaml.safe_load(value)
        except (yaml.YAMLError, *VALUE_ERRORS):
            raise ValueError(f"'{value}' must look like " + ("[{kind: text, box: [0.1, 0.2, 0.3, 0.25], reason: "
                             "a public sign}]" if column == "review.accepted" else "[[0.1, 0.2, 0.3, 0.25]]")) from None
    return value.replace("\r\n", "\n")


def unquote(cell: str) -> str:
    """A cell as the register means it: stripped, without the one quote that keeps a formula from running."""
    value = cell.strip()
    return value[1:] if value.startswith("'") else value


def neutral(value: str) -> str:
    """A cell a spreadsheet never runs as a formula (OWASP CSV injection): a leading quote where one could
    start (=, +, -, @, tab, CR) or where the value starts with a quote itself (unquote takes one away)."""
    return f"'{value}" if value.startswith(FORMULA_START) else value


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            raise ValueError(f"'{value}' is not a date that exists ({why_not_a_date(value)}); write a real date "
                             "as YYYY-MM-DD") from None
        raise ValueError(f"'{value}' is not a date written YYYY-MM-DD, e.g. 2024-05-01") from None


def _validate_rows(sheet: Path, rows: list[Row], options: BuildOptions, config: SiteConfig, overwrite: bool,
                   errors: list[Problem], warnings: list[Problem]) -> dict[str, str]:
    """Each row's caption text, checked by the build's own loader; problems named by row number."""
    texts: dict[str, str] = {}
    first: dict[str, int] = {}
    photos: dict[str, int] = {}                     # photo -> the row that uses it
    in_use = photos_in_use(options, {row.item_id for row in rows})   # photo -> the caption file that uses it
    records, damaged = photoid.load_records(options)
    errors.extend(damaged)                            # unreadable: no row may be imported (fail closed)
    withdrawn = photoid.recorded_items(*records)      # item id -> date
    with tempfile.TemporaryDirectory(prefix="gallery-import-") as tmp:
        for row in rows:
            if row.item_id in first:
                errors.append(Problem(sheet, row.number, f"id '{row.item_id}' is also the id of row "
                                                         f"{first[row.item_id]}; add an 'id' column to tell them "
                                                         "apart"))
                continue
            first[row.item_id] = row.number
            existing = [p for p in (options.captions / f"{row.item_id}{s}" for s in CAPTION_SUFFIXES) if p.exists()]
            if existing and not overwrite:
                errors.append(Problem(sheet, row.number, f"{display_path(existing[0])} already exists; pass "
                                                         "--overwrite to replace it, or remove the row"))
            taken_back = photoid.takes_back_withdrawal(row.item_id, row.data.get("consent"), existing, withdrawn)
            if taken_back:
                errors.append(Problem(sheet, row.number, taken_back))
            photo = row.data.get("photo")
            if isinstance(photo, str):
                key = photo_key(options.photos, photo)
                other = f"row {photos[key]}" if key in photos else display_path(in_use[key]) if key in in_use else None
                if other is not None:
                    errors.append(Problem(sheet, row.number, f"photo '{photo}' is also used by {other}; each photo "
                                                             "belongs to one item"))
                photos.setdefault(key, row.number)
                kind = not_regular(options.photos / photo)
                if kind is not None:
                    errors.append(Problem(sheet, row.number, f"photo '{photo}' is {kind}, not a regular file; "
                                                             "name the photo file itself"))
                elif not (options.photos / photo).is_file():
                    warnings.append(Problem(sheet, row.number, f"photo '{photo}' is not in "
                                                               f"{display_path(options.photos)}/ yet; add it "
                                                               "before building"))
            _bind_review(row, options)
            text = caption_yaml(row, sheet)
            _check_with_loader(Path(tmp) / f"{row.item_id}.yaml", text, row, sheet, options, config, errors)
            texts[row.item_id] = text
    return texts


def _bind_review(row: Row, options: BuildOptions) -> None:
    """A row that records a review records what it approved (gallery/review.py): the photo as it is in
    the photos folder now, and the row's redactions. Without a readable photo the review stays
    unbound, so the item is left out until `python build.py review` records it. A sheet with a
    review.photo column (a register) keeps each review as recorded: a photo changed since stays unapproved."""
    photo, given = row.data.get("photo"), row.data.get("review")
    if not isinstance(given, dict) or not isinstance(photo, str) or not row.bind:
        return
    path = resolve_photo(options.photos, photo)
    digest = review.read_hash(path, options.photos) if path is not None else None
    if digest is None:
        return
    given["photo"] = review.photo_ref(digest)
    regions = row.data.get("redact")
    if isinstance(regions, list) and regions:
        given["redact"] = review.normal(tuple(tuple(r) for r in regions))


def photo_key(photos_dir: Path, name: str) -> str:
    """What tells two photo names apart: the file they lead to (its real path), else the name."""
    resolved = resolve_photo(photos_dir, name.strip())
    return real_path(resolved) if resolved is not None else name.strip()


def photos_in_use(options: BuildOptions, replaced: set[str]) -> dict[str, Path]:
    """The photo of every caption file already in the captions folder (valid or not, and not one the
    sheet replaces: its id in replaced), by photo_key."""
    if not options.captions.is_dir():
        return {}
    used: dict[str, Path] = {}
    for path in sorted(options.captions.iterdir()):
        if path.suffix.lower() in CAPTION_SUFFIXES and not path.name.startswith(".") and path.is_file() \
                and path.stem not in replaced:
            for photo in photo_values(path):
                used.setdefault(photo_key(options.photos, photo), path)
    return used


def _check_with_loader(path: Path, text: str, row: Row, sheet: Path, options: BuildOptions, config: SiteConfig,
                       errors: list[Problem]) -> None:
    path.write_text(text, encoding="utf-8")
    found: list[Problem] = []
    load_item(path, options.photos, config, found, [])
    errors.extend(Problem(sheet, row.number, p.message) for p in found)


class _CaptionDumper(yaml.SafeDumper):
    """Multi-line text as readable | blocks."""


def _str(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_CaptionDumper.add_representer(str, _str)


def caption_yaml(row: Row, sheet: Path) -> str:
    order = [k for k in KEYS if k in row.data]
    data = {k: row.data[k] for k in order}
    body = yaml.dump(data, Dumper=_CaptionDumper, sort_keys=False, allow_unicode=True, default_flow_style=None,
                     width=100)
    return f"# {row.item_id}: imported from {sheet.name} row {row.number} by `python build.py import`.\n{body}"

