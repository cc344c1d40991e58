"""Mutation testing of the modules that compute what people rely on, each against only the test
files that cover it, on SQLite, with mutmut in one process.

    .venv/bin/python bench/mutants.py [MODULE ...] [--resume] [--max-children 1]

MODULE is a key of MODULES below (default: all of them). For each one mutmut runs in its own
work directory, mutants/<MODULE>/ (not committed): a pyproject.toml made of ours plus the
[tool.mutmut] settings of that module, and links to webapp/, tests/ and what the app reads next
to webapp/ (templates/, translations/ with the compiled catalogs, migrations/). mutmut copies
them into mutants/<MODULE>/mutants/ and mutates the copy; the checkout is never touched. Every
run starts afresh unless --resume is given (to finish an interrupted run).

Prints, per module, how many mutants were killed, survived, timed out or had no test running the
code, the time it took, and every survivor: file:line, its mutmut name and the diff. To look at
or re-test one survivor: `cd mutants/<MODULE> && ../../.venv/bin/mutmut show NAME` (or `browse`).

A report, not a test: nothing here fails on a score.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "mutants"
MUTMUT = Path(sys.executable).parent / "mutmut"

# What the app and the tests read next to webapp/ and tests/ (webapp.ROOT is webapp/..).
LINKED = ["webapp", "tests", "templates", "translations", "migrations", "babel.cfg"]
ALSO_COPY = ["templates", "translations", "migrations", "babel.cfg"]

# Tests that read the source tree itself rather than run it: mutmut's copy of a module holds
# every mutant side by side (string mutants inside _() calls included), so they would fail on
# the copy whatever the mutant.
DESELECT = ["tests/test_i18n.py::test_vietnamese_catalog_translates_every_string_in_the_code"]


@dataclass(frozen=True)
class Module:
    mutate: tuple[str, ...]  # globs of the files to mutate, relative to the checkout
    tests: tuple[str, ...]  # the test files that cover them


MODULES = {
    "i18n": Module(
        mutate=("webapp/i18n/content.py", "webapp/i18n/languages.py", "webapp/i18n/choice.py"),
        tests=(
            "tests/test_i18n.py",
            "tests/test_translations.py",
            "tests/test_coverage_sixth_content.py",  # English names of the contents
        ),
    ),
    "reports": Module(
        mutate=("webapp/reports/queries.py",),
        tests=("tests/test_reports_rollup.py", "tests/test_reports.py"),
    ),
    "policy": Module(
        mutate=("webapp/policy/*.py", "webapp/*/permissions.py"),
        tests=("tests/test_policy.py",),
    ),
    "coverage": Module(
        mutate=(
            "webapp/coverage/queries.py",
            "webapp/coverage/summary.py",
            "webapp/coverage/overlaps.py",
            "webapp/coverage/services.py",
            "webapp/coverage/chart.py",
        ),
        tests=(
            "tests/test_coverage.py",
            "tests/test_coverage_summary.py",
            "tests/test_coverage_sixth_content.py",
            "tests/test_overlaps.py",
        ),
    ),
    "registrations": Module(
        mutate=("webapp/registrations/services.py",),
        tests=("tests/test_registrations.py",),
    ),
    "review": Module(
        mutate=("webapp/review/services.py",),
        tests=("tests/test_review.py",),
    ),
}

# mutmut's statuses, grouped as the report counts them.
KILLED, SURVIVED, TIMEOUT, NO_TESTS = "killed", "survived", "timeout", "no tests"
_STATUS = {"killed": KILLED, "survived": SURVIVED, "timeout": TIMEOUT, "no tests": NO_TESTS}
_RESULT_LINE = re.compile(r"^\s*(\S+): (.+)$")
_MUTANT = re.compile(r"^(?P<module>[\w.]+)\.(?:xǁ(?P<cls>\w+)ǁ|x_)(?P<func>\w+?)__mutmut_\d+$")


def _toml(value) -> str:
    """A string or list of strings as TOML (JSON's string syntax is TOML's basic string)."""
    return json.dumps(value, ensure_ascii=False)


def prepare(name: str, module: Module, *, resume: bool) -> Path:
    work = WORK / name
    if work.exists() and not resume:
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    for entry in LINKED:
        link = work / entry
        if not link.is_symlink():
            link.symlink_to(ROOT / entry)
    settings = {
        "source_paths": ["webapp"],
        "only_mutate": list(module.mutate),
        "also_copy": ALSO_COPY,
        "pytest_add_cli_args_test_selection": list(module.tests),
        "pytest_add_cli_args": ["-p", "no:cacheprovider"]
        + [arg for test in DESELECT for arg in ("--deselect", test)],
    }
    config = "\n".join(f"{key} = {_toml(value)}" for key, value in settings.items())
    ours = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    (work / "pyproject.toml").write_text(
        f"{ours}\n[tool.mutmut]\n{config}\nuse_git_change_detection = false\n", encoding="utf-8"
    )
    return work


def results(work: Path) -> dict[str, str]:
    out = subprocess.run(
        [str(MUTMUT), "results", "--all", "true"],
        cwd=work,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = {}
    for line in out.splitlines():
        if match := _RESULT_LINE.match(line):
            found[match[1]] = _STATUS.get(match[2], match[2])
    return found


def _function_span(path: Path, cls: str | None, func: str) -> tuple[int, int] | None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    body = tree.body
    if cls:
        body = next(
            (node.body for node in body if isinstance(node, ast.ClassDef) and node.name == cls), []
        )
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == func:
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            return first, node.end_lineno or node.lineno
    return None


def _function(name: str) -> str:
    """module.Class.function or module.function of a mutant."""
    match = _MUTANT.match(name)
    if not match:
        return name
    return ".".join(part for part in (match["module"], match["cls"], match["func"]) if part)


def where(name: str, diff: str) -> str:
    """file:line of a mutant: the first line its diff removes, found in the function's span."""
    match = _MUTANT.match(name)
    if not match:
        return "?"
    path = ROOT / (match["module"].replace(".", "/") + ".py")
    if not path.exists():
        path = path.with_suffix("") / "__init__.py"
    relative = path.relative_to(ROOT)
    span = _function_span(path, match["cls"], match["func"]) if path.exists() else None
    if not span:
        return str(relative)
    removed = [
        line[1:].strip()
        for line in diff.splitlines()
        if line.startswith("-") and not line.startswith("---") and line[1:].strip()
    ]
    lines = path.read_text(encoding="utf-8").splitlines()
    if removed:
        for number in range(span[0], span[1] + 1):
            if lines[number - 1].strip() == removed[0]:
                return f"{relative}:{number}"
    return f"{relative}:{span[0]}"


def show(work: Path, name: str) -> str:
    out = subprocess.run(
        [str(MUTMUT), "show", name], cwd=work, capture_output=True, text=True, check=False
    ).stdout
    return "\n".join(line for line in out.splitlines() if not line.startswith("# "))


def run(name: str, module: Module, *, resume: bool, max_children: int) -> tuple[Counter, float]:
    print(f"== {name}: {', '.join(module.mutate)}")
    print(f"   against {', '.join(module.tests)}", flush=True)
    work = prepare(name, module, resume=resume)
    env = {**os.environ, "TEST_DB": "sqlite"}
    env.pop("TEST_DATABASE_URL", None)
    started = time.monotonic()
    done = subprocess.run(
        [str(MUTMUT), "run", "--max-children", str(max_children)], cwd=work, env=env, check=False
    )
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        print(f"   mutmut run failed (exit {done.returncode}) after {_duration(elapsed)}")
        return Counter({"error": 1}), elapsed
    statuses = results(work)
    counts = Counter(statuses.values())
    survivors = sorted(n for n, s in statuses.items() if s == SURVIVED)
    print(f"\n== {name}: {_counts(counts)} in {_duration(elapsed)}")
    untested = Counter(_function(n) for n, s in statuses.items() if s == NO_TESTS)
    for function, count in sorted(untested.items()):
        print(f"   no test runs {function} ({count} mutants)")
    for survivor in survivors:
        diff = show(work, survivor)
        print(f"\n   survived: {where(survivor, diff)}  ({survivor})")
        print("\n".join(f"      {line}" for line in diff.splitlines() if line.strip()))
    print(flush=True)
    return counts, elapsed


def _counts(counts: Counter) -> str:
    tested = counts[KILLED] + counts[SURVIVED] + counts[TIMEOUT]
    score = f"{100 * (counts[KILLED] + counts[TIMEOUT]) / tested:.0f}%" if tested else "-"
    counted = (KILLED, SURVIVED, TIMEOUT, NO_TESTS)
    others = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()) if s not in counted)
    return (
        f"killed {counts[KILLED]}, survived {counts[SURVIVED]}, timeout {counts[TIMEOUT]}, "
        f"no tests {counts[NO_TESTS]}" + (f", {others}" if others else "") + f" (score {score})"
    )


def _duration(seconds: float) -> str:
    return f"{int(seconds // 60)} min {seconds % 60:.0f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", metavar="MODULE", help=", ".join(MODULES))
    parser.add_argument("--resume", action="store_true", help="continue the previous run")
    parser.add_argument("--max-children", type=int, default=1, help="mutants tested at once")
    args = parser.parse_args()
    names = args.modules or list(MODULES)
    unknown = [n for n in names if n not in MODULES]
    if unknown:
        parser.error(f"unknown module {', '.join(unknown)}; one of {', '.join(MODULES)}")
    summary = {}
    for name in names:
        summary[name] = run(name, MODULES[name], resume=args.resume, max_children=args.max_children)
    print("== summary")
    for name, (counts, elapsed) in summary.items():
        print(f"   {name:<14} {_counts(counts)} in {_duration(elapsed)}")
    total = sum(elapsed for _, elapsed in summary.values())
    print(f"   total time {_duration(total)}")


if __name__ == "__main__":
    main()
