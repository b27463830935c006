"""Safe YAML loading that remembers the line of every key, for messages that name the place."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

import yaml

from .errors import Problem

MAX_YAML_BYTES = 1_000_000
# nodes plus characters once aliases (*name) are expanded: a file without aliases counts about its
# length, so ten times that (and at least 10,000) leaves room for aliases and none for "billion laughs"
MAX_EXPANDED = 2 * MAX_YAML_BYTES
MAX_DEPTH = 50                        # nesting; caption files and settings need 4
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)   # libyaml: ~10x faster, same marks
# what a constructor raises on a value that looks like a number or a date but is not one (2024-02-30, 0x_)
VALUE_ERRORS = (ValueError, TypeError, LookupError, AttributeError, OverflowError)


@dataclass
class Doc:
    """A parsed YAML mapping plus the line (1-based) of each key path, e.g. ("consent", "date")."""

    path: Path
    data: dict[str, Any]
    lines: dict[tuple[str, ...], int] = field(default_factory=dict)
    written: dict[tuple[str, ...], str] = field(default_factory=dict)   # plain scalars as in the file

    def line(self, *keys: str) -> int | None:
        """The line of the deepest known key along keys (or of the document start)."""
        for n in range(len(keys), 0, -1):
            if keys[:n] in self.lines:
                return self.lines[keys[:n]]
        return self.lines.get((), 1)

    def problem(self, message: str, *keys: str) -> Problem:
        return Problem(self.path, self.line(*keys), message)


def _decode(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _Failure(
            Problem(path, line, "the file is not UTF-8 text; save it as UTF-8 in your editor")
        ) from None


class _Failure(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem


class _BadValue(Exception):
    """A scalar its constructor could not make: 2024-02-30, !!int abc."""

    def __init__(self, node: yaml.Node):
        self.node = node


class _Loader(SAFE_LOADER):  # type: ignore[valid-type,misc]
    """The safe loader, with a value that cannot be made (a date that does not exist) as _BadValue."""

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep)
        except VALUE_ERRORS:
            raise _BadValue(node) from None


def _record_lines(node: yaml.Node, prefix: tuple[str, ...], doc: Doc, problems: list[Problem]) -> None:
    """The line of every key path, plain scalars as written, and keys that appear twice."""
    if not isinstance(node, yaml.MappingNode):
        return
    seen: set[str] = set()
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        key = prefix + (str(key_node.value),)
        line = key_node.start_mark.line + 1
        if key_node.value in seen:
            problems.append(Problem(doc.path, line, f"key '{'.'.join(key)}' appears twice; keep one"))
        seen.add(key_node.value)
        doc.lines[key] = line
        if isinstance(value_node, yaml.ScalarNode) and not value_node.style:   # plain: None, or "" (libyaml)
            doc.written[key] = value_node.value
        if isinstance(value_node, yaml.SequenceNode):     # a list's entries by their index: 'prompts', '0', ...
            for n, entry in enumerate(value_node.value):
                doc.lines[key + (str(n),)] = entry.start_mark.line + 1
                _record_lines(entry, key + (str(n),), doc, problems)
        _record_lines(value_node, key, doc, problems)


def _expansion_limit(text: str) -> int:
    return min(MAX_EXPANDED, 10_000 + 10 * len(text))


def _shape_problem(path: Path, root: yaml.Node, limit: int) -> Problem | None:
    """A document that loops (an alias inside its own anchor), nests too deep, or grows too large once
    its aliases are expanded ("billion laughs"). Walks each node as often as it is reached, so the walk
    stops after at most limit steps however the aliases multiply."""
    size, stack = 0, [(root, 1)]
    trail: list[int] = []                    # the collections the current node is inside
    on_trail: set[int] = set()
    while stack:
        node, depth = stack.pop()
        while len(trail) >= depth:           # leave the collections this node is not inside
            on_trail.discard(trail.pop())
        if isinstance(node, yaml.ScalarNode):
            size += 1 + len(node.value)
        elif id(node) in on_trail:
            return Problem(path, node.start_mark.line + 1, "a YAML alias (*name) is used inside the value its "
                                                           "anchor (&name) names, so the value never ends; write "
                                                           "the value out instead")
        elif depth > MAX_DEPTH:
            return Problem(path, node.start_mark.line + 1, f"the values are nested more than {MAX_DEPTH} levels "
                                                           "deep; check the indentation and brackets")
        else:
            trail.append(id(node))
            on_trail.add(id(node))
            size += 1
            children = node.value if isinstance(node, yaml.SequenceNode) else [n for kv in node.value for n in kv]
            stack.extend((child, depth + 1) for child in reversed(children))
        if size > limit:
            return Problem(path, None, f"the file grows to over {limit:,} characters once its YAML "
                                       "aliases (*name) are expanded; write the values out instead")
    return None


def not_regular(path: Path | str) -> str | None:
    """What path is when it exists but is not a regular file (following symlinks): 'a folder',
    'a named pipe (FIFO)', 'a device', 'a socket'; None for a regular file or nothing at all."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    return _kind(mode)


def _kind(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    return "a socket" if stat.S_ISSOCK(mode) else "a device"


def read_bytes(path: Path) -> tuple[bytes | None, list[Problem]]:
    """The file's bytes, or None and the problem saying why it cannot be read. Only a regular file is
    read: a named pipe or a device could make the read wait forever (opened without blocking, then
    checked, so that a file swapped for a pipe in between cannot either)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        return None, [Problem(path, None, f"cannot read the file ({reason}); check it exists and is readable")]
    try:
        kind = _kind(os.fstat(fd).st_mode)
        if kind is not None:
            return None, [Problem(path, None, f"is {kind}, not a regular file; replace it with the file itself")]
        with os.fdopen(os.dup(fd), "rb") as fh:
            return fh.read(), []
    except OSError as exc:
        return None, [Problem(path, None, f"cannot read the file ({exc.strerror}); check it exists and is readable")]
    finally:
        os.close(fd)


def why_not_a_date(text: str) -> str:
    """Why text, written like YYYY-MM-DD, is not a date that exists (e.g. 'February 2024 has 29 days')."""
    match = re.match(r"\s*([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", text)
    if not match:
        return "it is not written YYYY-MM-DD"
    year, month, day = (int(g) for g in match.groups())
    if year < 1:
        return "there is no year 0"
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    import calendar  # for this message only
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f"{calendar.month_name[month]} {year} has {days} days"
    return "the time after the date is not a time of day"


def _bad_value(path: Path, node: yaml.Node) -> Problem:
    line, value = node.start_mark.line + 1, _scalar_text(node)
    if node.tag.endswith(":timestamp"):
        return Problem(path, line, f"{value} is not a date that exists ({why_not_a_date(value)}); "
                                   "write a real date as YYYY-MM-DD")
    tag = node.tag.rpartition(":")[2]
    kind = {"int": "a number", "float": "a number", "bool": "true or false"}.get(tag, f"'{tag}'")
    return Problem(path, line, f"{value} cannot be read as {kind}; if it is text, put it in quotes: "
                               f"{json.dumps(value, ensure_ascii=False)}")


def _scalar_text(node: yaml.Node) -> str:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else "the value"


def _constructor_problem(path: Path, exc: yaml.constructor.ConstructorError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    problem = exc.problem or ""
    if "for merging" in problem:
        found = problem.rpartition("found ")[2] or "something else"
        return Problem(path, line, f"a merge key '<<' must name a mapping of 'key: value' lines (or a list of "
                                   f"them), not a {found}; write the keys out instead")
    if "unhashable" in problem:
        return Problem(path, line, "a key must be a word or text, not a list or a mapping; check the "
                                   "brackets and the '?' before it")
    tag = f" ({problem})" if problem else ""
    return Problem(path, line, f"unsupported YAML tag{tag}; remove the '!!' tag and write a plain value")


def load_yaml(path: Path, raw: bytes | None = None) -> tuple[Doc | None, list[Problem]]:
    """Read one YAML file that must hold a mapping. Returns (doc, problems); doc is None on failure.

    raw, when given, is the file's content already read.
    """
    if raw is None:
        raw, problems = read_bytes(path)
        if raw is None:
            return None, problems
    if len(raw) > MAX_YAML_BYTES:
        return None, [Problem(path, None, f"the file is {len(raw):,} bytes, over the {MAX_YAML_BYTES:,}-byte limit; "
                                          "shorten it")]
    try:
        text = _decode(path, raw)
    except _Failure as failure:
        return None, [failure.problem]
    loader = _Loader(text)
    try:
        return _parse(path, loader, _expansion_limit(text))
    except _BadValue as bad:
        return None, [_bad_value(path, bad.node)]
    except yaml.constructor.ConstructorError as exc:
        return None, [_constructor_problem(path, exc)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        reason = exc.problem or exc.context or "invalid YAML"
        return None, [Problem(path, line, f"invalid YAML: {reason}; check indentation, colons and quotes")]
    except yaml.YAMLError as exc:
        return None, [Problem(path, None, f"invalid YAML: {exc}")]
    except VALUE_ERRORS as exc:       # a value made outside construct_object (none is known to be)
        return None, [Problem(path, None, f"invalid YAML value ({exc}); check the values written with '!!'")]
    finally:
        loader.dispose()


def _parse(path: Path, loader: _Loader, limit: int) -> tuple[Doc | None, list[Problem]]:
    node = loader.get_single_node()
    if node is None:
        return None, [Problem(path, 1, "the file is empty; it must hold 'key: value' lines")]
    if not isinstance(node, yaml.MappingNode):
        return None, [Problem(path, node.start_mark.line + 1,
                              "the file must be a mapping of 'key: value' lines, not a list or a single value")]
    shape = _shape_problem(path, node, limit)
    if shape is not None:
        return None, [shape]
    doc = Doc(path, {}, {(): node.start_mark.line + 1})
    problems: list[Problem] = []
    _record_lines(node, (), doc, problems)       # before constructing: merge keys rewrite the nodes
    doc.data = loader.construct_document(node)   # from the same nodes: the text is parsed once
    return doc, problems


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """A ' (did you mean 'x'?)' hint, or ''."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


_MISSING = object()


class Reader:
    """Typed access to a Doc's values that records a Problem instead of raising."""

    def __init__(self, doc: Doc, problems: list[Problem]):
        self.doc = doc
        self.problems = problems

    def error(self, message: str, *keys: str) -> None:
        self.problems.append(self.doc.problem(message, *keys))

    def raw(self, *keys: str, default: Any = _MISSING) -> Any:
        value: Any = self.doc.data
        for key in keys:
            if not isinstance(value, dict) or key not in value:
                return None if default is _MISSING else default
            value = value[key]
        return value

    def has(self, *keys: str) -> bool:
        sentinel = object()
        return self.raw(*keys, default=sentinel) is not sentinel

    def check_keys(self, allowed: tuple[str, ...], *prefix: str) -> None:
        mapping = self.raw(*prefix) if prefix else self.doc.data
        if not isinstance(mapping, dict):
            return
        for key in mapping:
            if str(key) not in allowed:
                name = ".".join(prefix + (str(key),))
                hint = did_you_mean(".".join(prefix + (str(key),)), [".".join(prefix + (a,)) for a in allowed])
                self.error(f"unknown key '{name}'{hint}; "
                           f"allowed keys here: {', '.join(allowed)}", *prefix, str(key))

    def text(self, *keys: str, required: bool = False, max_len: int = 20_000) -> str | None:
        value = self.raw(*keys)
        name = ".".join(keys)
        if value is None:
            if required:
                self.error(f"missing required key '{name}'; add '{keys[-1]}: ...'", *keys)
            return None
        if not isinstance(value, str):
            self.error(self._not_text(keys, value), *keys)
            return None
        value = value.strip()
        if required and not value:
            self.error(f"'{name}' is empty; write the text after '{keys[-1]}:'", *keys)
            return None
        if len(value) > max_len:
            self.error(f"'{name}' is {len(value):,} characters long, over the limit of {max_len:,}; shorten it",
                       *keys)
            return None
        return value

    def _not_text(self, keys: tuple[str, ...], value: Any) -> str:
        """'participant: 010' is read as the number 8, not as text; put it in quotes: participant: "010"."""
        name = ".".join(keys)
        if isinstance(value, bool):
            kind = f"{str(value).lower()} (yes, no, on, off, true and false mean true or false)"
        elif isinstance(value, (int, float)):
            kind = f"the number {value}"
        elif isinstance(value, dt.date):
            kind = "a date"
        else:
            return f"'{name}' must be text"
        written = self.doc.written.get(keys, str(value))
        return (f"'{keys[-1]}: {written}' is read as {kind}, not as text; put it in quotes: "
                f"{keys[-1]}: {json.dumps(written, ensure_ascii=False)}")

    def boolean(self, *keys: str, default: bool | None = None) -> bool | None:
        value = self.raw(*keys)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(f"'{'.'.join(keys)}' must be true or false, not {value!r}", *keys)
            return None
        return value

    @overload
    def integer(self, *keys: str, default: int, minimum: int | None = None, maximum: int | None = None) -> int: ...

    @overload
    def integer(self, *keys: str, default: None = None, minimum: int | None = None,
                maximum: int | None = None) -> int | None: ...

    def integer(self, *keys: str, default: int | None = None, minimum: int | None = None,
                maximum: int | None = None) -> int | None:
        value = self.raw(*keys)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(f"'{'.'.join(keys)}' must be a whole number, not {value!r}", *keys)
            return default
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            self.error(f"'{'.'.join(keys)}' is {value}; it must be between {minimum} and {maximum}", *keys)
            return default
        return value
