"""The helper package's imports run one way: from the command line and the build down to the data.

Every module has a floor; a module imports only from lower floors (so there is no cycle and no
import running back up), and an import inside a function is allowed only for a heavy or optional
dependency kept off the fast path, marked `# heavy` on its line.  Read with `ast`, top-level and
function-level imports alike.  A new module needs a floor here.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "analysis"

#: Floors, lowest first.  Data and settings flow up: paths and the calendar at the bottom, the
#: command line at the top.
FLOORS = [
    ["paths", "periods", "problems", "outputs", "charts", "dist", "sources", "linkcheck", "formatting",
     "__init__", "chapters.__init__"],
    ["units", "official_data"],
    ["verdicts", "params", "meaning", "tables"],
    ["figures"],
    ["chapters.recall", "chapters.caseload", "chapters.community"],
    ["claims"],
    ["editions", "validation"],
    ["pages", "updates", "ingest"],
    ["evidence", "catalogue", "site"],
    ["scaffold", "pipeline"],
    ["bench", "lighthouse"],
    ["cli"],
    ["__main__"],
]
FLOOR = {name: i for i, names in enumerate(FLOORS) for name in names}


def module_name(path: Path, package: Path = PACKAGE) -> str:
    return ".".join(path.relative_to(package).with_suffix("").parts)


def imports_of(path: Path, package: Path = PACKAGE) -> list[tuple[str, int, bool, str]]:
    """(imported module within the package, line, inside a function, line text) for each import."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    here = module_name(path, package).split(".")
    found = []

    def visit(node, inside: bool):
        for child in ast.iter_child_nodes(node):
            deeper = inside or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.ImportFrom) and child.level:
                base = here[:-child.level] if len(here) >= child.level else []
                target = ".".join([*base, *(child.module.split(".") if child.module else [])])
                names = [target] if child.module else [f"{target}.{a.name}".lstrip(".") for a in child.names]
                for name in names:
                    found.append((name, child.lineno, inside, lines[child.lineno - 1]))
            elif isinstance(child, ast.ImportFrom) and (child.module or "").startswith("analysis"):
                found.append((child.module.removeprefix("analysis").lstrip("."), child.lineno, inside,
                              lines[child.lineno - 1]))
            elif isinstance(child, (ast.Import, ast.ImportFrom)) and inside:
                found.append(("<external>", child.lineno, inside, lines[child.lineno - 1]))
            visit(child, deeper)

    visit(ast.parse(source), False)
    return found


def problems_in(package: Path = PACKAGE, floors: dict[str, int] = FLOOR) -> list[str]:
    """Every module without a floor, every import to the same or a higher floor, every unmarked
    function-level import."""
    problems = []
    for path in sorted(package.rglob("*.py")):
        name = module_name(path, package)
        if name not in floors:
            problems.append(f"{name}: no floor (add it to FLOORS)")
            continue
        for target, line, inside, text in imports_of(path, package):
            where = f"{path.relative_to(package.parent)}:{line}"
            if inside and "# heavy" not in text:
                problems.append(f"{where}: import inside a function without a '# heavy' reason: {text.strip()}")
            if target == "<external>":
                continue
            if target not in floors and target.rpartition(".")[0] in floors:
                target = target.rpartition(".")[0]  # `from . import figures` names a module, not a symbol
            if target not in floors:
                problems.append(f"{where}: imports {target!r}, which has no floor")
            elif floors[target] >= floors[name]:
                problems.append(f"{where}: {name} (floor {floors[name]}) imports {target} "
                                f"(floor {floors[target]}): an import running back up or across")
    return problems


def cycles_in(package: Path = PACKAGE) -> list[list[str]]:
    """Import cycles among the package's modules, found by depth-first search."""
    graph = {module_name(p, package): {t for t, *_ in imports_of(p, package) if t != "<external>"}
             for p in package.rglob("*.py")}
    seen, stack, cycles = set(), [], []

    def walk(node):
        if node in stack:
            cycles.append(stack[stack.index(node):] + [node])
            return
        if node in seen or node not in graph:
            return
        seen.add(node)
        stack.append(node)
        for nxt in sorted(graph[node]):
            walk(nxt)
        stack.pop()

    for node in sorted(graph):
        walk(node)
    return cycles


def test_imports_run_one_way_with_no_cycle():
    assert problems_in() == []
    assert cycles_in() == []


def test_every_floor_names_a_real_module():
    modules = {module_name(p) for p in PACKAGE.rglob("*.py")}
    assert set(FLOOR) == modules


@pytest.fixture()
def toy(tmp_path):
    pkg = tmp_path / "analysis"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "paths.py").write_text("import os\n")
    (pkg / "claims.py").write_text("from .paths import os\n")
    return pkg


def test_the_check_finds_an_upward_import_a_cycle_and_an_unmarked_inner_import(toy):
    floors = {"__init__": 0, "paths": 0, "claims": 1}
    assert problems_in(toy, floors) == []
    (toy / "paths.py").write_text("def f():\n    from .claims import x\n    return x\n")
    found = problems_in(toy, floors)
    assert any("import inside a function without" in p for p in found)
    assert any("paths (floor 0) imports claims (floor 1)" in p for p in found)
    assert cycles_in(toy) == [["claims", "paths", "claims"]]
    (toy / "paths.py").write_text("def f():\n    import pandas  # heavy: only here\n")
    assert problems_in(toy, floors) == []
    (toy / "new.py").write_text("")
    assert problems_in(toy, floors) == ["new: no floor (add it to FLOORS)"]
