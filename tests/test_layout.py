"""The code stays easy to find: small modules, each importing only lower ones (README: "How the code is laid out")."""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "gallery"
MAX_LINES = 400


def modules() -> dict[str, Path]:
    """{dotted module name: file} of every module of the package."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that name imports anywhere (inside functions too), except under
    `if TYPE_CHECKING:` (annotations only, never run)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    typing_only = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
                   and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
                   for n in ast.walk(node)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([node.module] if node.module else []))
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        found.update(t for t in targets if t in known and t != name)
    return found


def test_no_module_is_over_400_lines():
    long = {name: n for name, path in modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}, f"split these modules at their seams: {long}"


def test_no_import_cycle_between_modules():
    found = modules()
    graph = {name: imports_of(name, path, set(found)) for name, path in found.items()}
    # a package's own __init__ importing its submodules is how a package is made, not a cycle
    graph = {name: {t for t in targets if not (t.startswith(f"{name}.") and found[name].name == "__init__.py")}
             for name, targets in graph.items()}
    state: dict[str, str] = {}
    cycles = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                cycles.append(trail[trail.index(target):] + [target] if target in trail else [node, target])
            elif target not in state:
                visit(target, trail + [target])
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == [], "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_the_readme_layout_table_names_every_module():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## How the code is laid out", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"`(gallery/[\w/]+\.py)`", section))
    actual = {str(path.relative_to(REPO)) for path in modules().values() if path.name != "__init__.py"}
    actual |= {"gallery/audit/__init__.py", "gallery/screening/__init__.py", "gallery/desk/__init__.py",
               "gallery/printing/__init__.py"}
    assert actual - listed == set(), "modules missing from the README's layout table"
    assert listed - actual == set(), "the README's layout table names modules that do not exist"
