"""Every command and option of the command line is documented in README.md."""

from __future__ import annotations

import argparse
import re

import pytest
from conftest import REPO

import build


def commands_section() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.search(r"^## Commands\n(.*?)(?=^## )", text, flags=re.S | re.M)
    assert found, "README.md has no '## Commands' section"
    return found.group(1)


def subcommands() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in build.parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_the_parser_knows_every_command():
    assert set(subcommands()) == set(build.COMMANDS)


@pytest.mark.parametrize("command", sorted(build.COMMANDS))
def test_every_command_and_option_is_in_the_readme(command):
    section = commands_section()
    assert re.search(rf"python build\.py (\[)?{command}\b", section), f"'python build.py {command}' is not in README"
    subsection = re.search(rf"^### `{command}`.*?(?=^### |\Z)", section, flags=re.S | re.M)
    where = subsection.group(0) if subsection else section
    for action in subcommands()[command]._actions:
        for option in action.option_strings:
            if option in ("-h", "--help"):
                continue
            assert re.search(rf"`{re.escape(option)}\b", where), f"{command} {option} is not documented in README"
        if not action.option_strings and action.metavar:
            assert action.metavar in where, f"{command} {action.metavar} is not documented in README"
