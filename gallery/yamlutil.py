"""Safe YAML loading that remembers the line of every key, for messages that name the place."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

import yaml

from .errors import Problem

MAX_YAML_BYTES = 1_000_000
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)   # libyaml: ~10x faster, same marks


@dataclass
class Doc:
    """A parsed YAML mapping plus the line (1-based) of each key path, e.g. ("consent", "date")."""

    path: Path
    data: dict[str, Any]
    lines: dict[tuple[str, ...], int] = field(default_factory=dict)

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


def _record_lines(node: yaml.Node, prefix: tuple[str, ...], lines: dict, path: Path,
                  problems: list[Problem]) -> None:
    if not isinstance(node, yaml.MappingNode):
        return
    seen: set[str] = set()
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        key = prefix + (str(key_node.value),)
        line = key_node.start_mark.line + 1
        if key_node.value in seen:
            problems.append(Problem(path, line, f"key '{'.'.join(key)}' appears twice; keep one"))
        seen.add(key_node.value)
        lines[key] = line
        _record_lines(value_node, key, lines, path, problems)


def read_bytes(path: Path) -> tuple[bytes | None, list[Problem]]:
    """The file's bytes, or None and the problem saying why it cannot be read."""
    try:
        return path.read_bytes(), []
    except OSError as exc:
        return None, [Problem(path, None, f"cannot read the file ({exc.strerror}); check it exists and is readable")]


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
    loader = SAFE_LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, [Problem(path, 1, "the file is empty; it must hold 'key: value' lines")]
        if not isinstance(node, yaml.MappingNode):
            return None, [Problem(path, node.start_mark.line + 1,
                                  "the file must be a mapping of 'key: value' lines, not a list or a single value")]
        data = loader.construct_document(node)     # from the same nodes: the text is parsed once
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        tag = f" ({exc.problem})" if exc.problem else ""
        return None, [Problem(path, mark.line + 1 if mark else None,
                              f"unsupported YAML tag{tag}; remove the '!!' tag and write a plain value")]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        reason = exc.problem or exc.context or "invalid YAML"
        return None, [Problem(path, line, f"invalid YAML: {reason}; check indentation, colons and quotes")]
    except yaml.YAMLError as exc:
        return None, [Problem(path, None, f"invalid YAML: {exc}")]
    finally:
        loader.dispose()
    problems = []
    lines: dict[tuple[str, ...], int] = {(): node.start_mark.line + 1}
    _record_lines(node, (), lines, path, problems)
    return Doc(path, data, lines), problems


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
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.error(f"'{name}' must be text", *keys)
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
