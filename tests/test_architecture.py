"""The dependency rule of docs/architecture.md, checked over every import in ``src/omp``
(at module level and inside functions alike)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "omp"

#: The rooms, lowest first: each may import only rooms before it (and itself).
ORDER = ("rules", "clock", "config", "bulk_sql", "id_sets", "prepared_reads", "process_pool",
         "api_errors",
         "csv_safe",
         "access", "commandline", "interchange", "cases", "decisions", "custody", "referrals",
         "outcomes", "commissioning", "demo", "web", "cli", "__main__")
#: Rooms that must not import Django at all: the policy and the published file format.
WITHOUT_DJANGO = ("rules", "interchange", "clock", "process_pool", "csv_safe")
#: The analytics read the case store through one adapter only; the rest of ``outcomes``
#: (outside its ``web`` pages) imports neither Django nor a domain.
OUTCOMES_ADAPTER = "omp.outcomes.snapshot"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in PACKAGE.rglob("*.py")
            if "migrations" not in path.parts}


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """Every module ``name`` imports, resolved to a module of the project where it is one."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in MODULES else base)
    return found


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _room(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "omp" and len(parts) > 1 else None


def test_every_room_is_in_the_order() -> None:
    rooms = {_room(name) for name in MODULES} - {None}
    assert rooms <= set(ORDER), f"rooms missing from ORDER: {rooms - set(ORDER)}"


def test_rooms_import_only_rooms_below_them() -> None:
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items() for target in targets
        if (low := _room(target)) is not None and (high := _room(module)) is not None
        and ORDER.index(low) > ORDER.index(high))
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("room", WITHOUT_DJANGO)
def test_room_imports_no_django(room: str) -> None:
    wrong = sorted(f"{module} imports {target}" for module, targets in GRAPH.items()
                   if _room(module) == room for target in targets
                   if target.split(".")[0] in ("django", "ninja"))
    assert not wrong, "\n".join(wrong)


def test_rules_import_nothing_else_of_the_project() -> None:
    wrong = sorted(f"{module} imports {target}" for module, targets in GRAPH.items()
                   if _room(module) == "rules" for target in targets
                   if _room(target) not in (None, "rules"))
    assert not wrong, "\n".join(wrong)


def test_analytics_reach_the_case_store_through_one_adapter() -> None:
    wrong = sorted(
        f"{module} imports {target}" for module, targets in GRAPH.items()
        if module.startswith("omp.outcomes") and not module.startswith("omp.outcomes.web")
        and module != OUTCOMES_ADAPTER for target in targets
        if target.split(".")[0] == "django"
        or _room(target) in ("cases", "decisions", "web", "access"))
    assert not wrong, "\n".join(wrong)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in graph:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_two_modules_import_each_other() -> None:
    # A package's __init__ importing its own modules is how a package exports; the cycle
    # rule is about modules that need each other.
    graph = {name: {t for t in targets if not (name.startswith(t + ".") and t in MODULES)}
             for name, targets in GRAPH.items()}
    assert _cycles(graph) == []


def test_no_two_rooms_import_each_other() -> None:
    rooms: dict[str, set[str]] = defaultdict(set)
    for module, targets in GRAPH.items():
        for target in targets:
            if (a := _room(module)) and (b := _room(target)) and a != b:
                rooms[a].add(b)
    assert _cycles(dict(rooms)) == []


def test_the_checks_can_fail() -> None:
    """The cycle finder and the order check see a planted circle and a planted upward
    import."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert ORDER.index("web") > ORDER.index("cases")
    assert "omp.decisions.recompute" in GRAPH["omp.decisions.actions"]


def test_test_modules_have_unique_names() -> None:
    """Tests mirror the source tree without packages, so two test files with one name would
    stop the run at collection."""
    names = [path.name for path in (SRC.parent / "tests").rglob("test_*.py")]
    assert sorted({name for name in names if names.count(name) > 1}) == []
