"""The dependency rule of ARCHITECTURE.md, checked on the source: a package imports only from
packages below it, and no imports go in circles (between packages or between modules).

Every `import` in webapp/ counts — at the top, inside functions, under TYPE_CHECKING, relative
ones too. Modules map to packages: webapp/<package>/… is <package>; webapp/policy/ and the other
root modules of webapp/ are the foundation, except the app itself (webapp/__init__.py,
templating, errors, models), which sits on top.

KNOWN lists the violations other work on issue 16 still has to remove, each with its reason. The
list only shrinks: an entry that no longer occurs fails the test too, so it is removed with the
fix.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEBAPP = ROOT / "webapp"

# Bottom to top; a package may import its own modules and any package listed before it. Kept in
# step with the table in ARCHITECTURE.md (test_architecture_lists_the_same_layers).
LAYERS: list[tuple[str, list[str]]] = [
    ("L0 foundation", ["foundation"]),
    ("L1 journal, languages", ["audit", "i18n"]),
    (
        "L2 campaign, structure, accounts",
        ["campaign", "units", "auth", "notifications", "jobs"],
    ),
    (
        "L3 capabilities",
        [
            "registrations",
            "exports",
            "review",
            "coverage",
            "commendations",
            "reports",
            "pages",
            "opinions",
            "fund",
            "showcase",
        ],
    ),
    ("L4 screens across capabilities", ["home", "admin", "seed", "backup", "deploy"]),
    ("L5 the app", ["app"]),
]
APP_MODULES = {"webapp", "webapp.templating", "webapp.errors", "webapp.models"}

# (importing module, imported module) -> why it is still there.
KNOWN: dict[tuple[str, str], str] = {}

# Module circles (as sets of modules) still to break, with the reason.
KNOWN_CIRCLES: dict[frozenset[str], str] = {}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in WEBAPP.rglob("*.py")}


def _resolve(name: str) -> str:
    """The module an imported name lives in: the longest prefix that is a module of webapp/."""
    while name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def _imports(module: str, path: Path) -> set[str]:
    """The webapp modules `module` imports anywhere in its file."""
    found: set[str] = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            # `from webapp import policy` imports a module; `from webapp import ROOT` a name.
            names = [f"{source}.{alias.name}" for alias in node.names]
        else:
            continue
        found |= {_resolve(name) for name in names if name.split(".")[0] == "webapp"}
    return found - {module}


GRAPH = {module: _imports(module, path) for module, path in MODULES.items()}


def package_of(module: str) -> str:
    parts = module.split(".")
    if module in APP_MODULES:
        return "app"
    if len(parts) == 1 or parts[1] == "policy" or not (WEBAPP / parts[1]).is_dir():
        return "foundation"
    return parts[1]


RANK = {package: rank for rank, package in enumerate(p for _, ps in LAYERS for p in ps)}


def _upward() -> dict[tuple[str, str], str]:
    """Each import from a lower package to a higher one, with the two packages."""
    return {
        (module, target): f"{package_of(module)} -> {package_of(target)}"
        for module, targets in GRAPH.items()
        for target in targets
        if RANK[package_of(module)] < RANK[package_of(target)]
    }


def _circles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """Strongly connected components with more than one member (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return found


def test_every_package_has_a_layer():
    packages = {package_of(module) for module in MODULES}
    assert packages == set(RANK), (
        f"packages without a layer: {sorted(packages - set(RANK))}; "
        f"layers without a package: {sorted(set(RANK) - packages)}"
    )


def test_no_package_imports_a_higher_one():
    upward = _upward()
    new = sorted(set(upward) - set(KNOWN))
    gone = sorted(set(KNOWN) - set(upward))
    report = [f"  {module} imports {target}  ({upward[module, target]})" for module, target in new]
    if gone:
        report.append("No longer there, remove from KNOWN (the list only shrinks):")
        report += [f"  {module} -> {target}" for module, target in gone]
    assert not report, (
        "A lower package imports a higher one (see ARCHITECTURE.md: move the piece down to "
        "the lower package, or let the higher one subscribe to an event of webapp.events):\n"
        + "\n".join(report)
    )


def test_no_circles_between_packages():
    graph: dict[str, set[str]] = defaultdict(set)
    for module, targets in GRAPH.items():
        for target in targets:
            if (module, target) not in KNOWN:
                graph[package_of(module)].add(package_of(target))
    for package, targets in graph.items():
        targets.discard(package)
    circles = _circles(graph)
    assert not circles, "Packages importing each other:\n" + "\n".join(
        "  " + " <-> ".join(sorted(circle)) for circle in circles
    )


def test_no_circles_between_modules():
    circles = set(_circles(GRAPH))
    new = circles - set(KNOWN_CIRCLES)
    gone = set(KNOWN_CIRCLES) - circles
    report = ["  " + " <-> ".join(sorted(circle)) for circle in new]
    report += ["  no longer a circle, remove from KNOWN_CIRCLES: " + str(sorted(c)) for c in gone]
    assert not report, "Modules importing each other (directly or around):\n" + "\n".join(report)


def test_architecture_lists_the_same_layers():
    """ARCHITECTURE.md's table names the packages of each layer in the same order."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (L\d) [^|]*\| ([^|]+) \|", text, flags=re.MULTILINE)
    documented = [(layer, re.findall(r"`([a-z0-9_]+)`", cell)) for layer, cell in rows]
    assert documented == [(name.split()[0], packages) for name, packages in LAYERS]


def _is_view_module(module: str) -> bool:
    parts = module.split(".")
    return "views" in parts or parts[-1].endswith("_views")


def test_view_modules_import_no_other_package_views():
    """Shared pieces of a screen live in the package's non-view modules (or a macro)."""
    crossing = sorted(
        f"  {module} imports {target}"
        for module, targets in GRAPH.items()
        for target in targets
        if _is_view_module(target) and package_of(module) not in ("app", package_of(target))
    )
    assert not crossing, "Imports of another package's views:\n" + "\n".join(crossing)


def test_one_blueprint_per_package_named_after_it():
    """Every Blueprint("name", …) of webapp/ is its package's, and there is one per package."""
    found: dict[str, list[str]] = defaultdict(list)
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "Blueprint"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found[package_of(module)].append(f"{node.args[0].value} ({module})")
    wrong = [
        f"  {package}: {', '.join(names)}"
        for package, names in sorted(found.items())
        if len(names) != 1 or names[0].split()[0] != package
    ]
    assert not wrong, "Blueprints not one per package, named after it:\n" + "\n".join(wrong)


def test_the_checks_see_what_they_look_for(tmp_path):
    """The parser and the circle search on known cases: relative imports inside a function, a
    name imported from a package, and a circle of three modules beside a module on its own."""
    source = tmp_path / "views.py"
    source.write_text(
        "from webapp import policy, ROOT\n"
        "def f():\n"
        "    from ..registrations import services\n"
        "    from .queries import active_on\n"
    )
    assert _imports("webapp.units.views", source) == {
        "webapp.policy",
        "webapp",
        "webapp.registrations.services",
        "webapp.units.queries",
    }
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _circles(graph) == [frozenset("abc")]
    assert package_of("webapp.policy") == package_of("webapp.text") == "foundation"
    assert package_of("webapp") == package_of("webapp.templating") == "app"
    assert package_of("webapp.coverage.views.common") == "coverage"
