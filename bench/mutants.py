"""Mutation testing of the modules that compute what people rely on, each against only the test
files that cover it, on SQLite, with mutmut in one process.

    .venv/bin/python bench/mutants.py [MODULE ...] [--resume] [--report] [--only NAME]...
                                      [--max-children 1]

MODULE is a key of MODULES below (default: all of them). For each one mutmut runs in its own
work directory, mutants/<MODULE>/ (not committed): a pyproject.toml made of ours plus the
[tool.mutmut] settings of that module, and links to webapp/, tests/ and what the app reads next
to webapp/ (templates/, translations/ with the compiled catalogs, migrations/). mutmut copies
them into mutants/<MODULE>/mutants/ and mutates the copy; the checkout is never touched. Every
run starts afresh unless --resume is given (to finish an interrupted run: Ctrl-C stops a run and
prints what was tested so far); --report only prints the last run's results again; --only NAME
tests only the mutants whose mutmut name has NAME (a function: x_rollup, xǁCountsǁadd; given
several times, those of any).

Prints, per module, how many mutants were killed, survived, timed out or had no test running the
code, the time it took, and every survivor: file:line, its mutmut name and the diff. To look at
or re-test one survivor: `cd mutants/<MODULE> && ../../.venv/bin/mutmut browse`.

A report, not a test: nothing here fails on a score.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "mutants"
MUTMUT = Path(sys.executable).parent / "mutmut"

# What the app and the tests read next to webapp/ and tests/ (webapp.ROOT is webapp/..).
# bench/: the national structure tests run its data generator.
LINKED = ["webapp", "tests", "templates", "translations", "migrations", "babel.cfg", "bench"]
ALSO_COPY = ["templates", "translations", "migrations", "babel.cfg", "bench"]

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
            "tests/test_translation_review.py",  # approved campaign words laid over the names
            "tests/test_language_labels.py",  # languages.yaml: tags, scripts, fallbacks
            "tests/test_language_choice.py",  # the choice, the file's fields, words per request
            "tests/test_coverage_sixth_content.py",  # English names of the contents
        ),
    ),
    "reports": Module(
        mutate=("webapp/reports/queries.py",),
        tests=("tests/test_reports_rollup.py", "tests/test_reports.py"),
    ),
    "policy": Module(
        mutate=("webapp/policy/*.py", "webapp/*/permissions.py"),
        tests=("tests/test_policy.py", "tests/test_policy_engine.py"),
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
            "tests/test_national_structure.py",  # the national root's rows per province
        ),
    ),
    "registrations": Module(
        mutate=("webapp/registrations/services.py",),
        tests=(
            "tests/test_registrations.py",
            "tests/test_review.py",  # the list's state follows the reviewers' decisions
        ),
    ),
    "review": Module(
        mutate=("webapp/review/services.py",),
        tests=("tests/test_review.py",),
    ),
}


# mutmut's statuses, grouped as the report counts them.
@dataclass(frozen=True)
class Equivalent:
    """A survivor that no test can kill, with the reason: the mutant computes the same thing.
    It matches a survivor in `function` of `file` whose changed line had `before` and now has
    `after` (substrings; "" matches anything)."""

    file: str
    function: str
    before: str
    after: str
    reason: str


# Each survivor below was read and found equivalent; the report lists them apart, with their
# reason. A survivor not matched here is a gap in the tests: write the test, or the reason.
# "XX…XX" in a pattern is mutmut's own string mutation (it wraps a literal in XX), not a
# placeholder: the pattern names that mutant exactly.
EQUIVALENT = [
    Equivalent(
        "webapp/reports/queries.py", "rollup", '"accepted"', "",
        "the subquery's alias: any name (or none) gives the same query",
    ),
    Equivalent(
        "webapp/reports/queries.py", "rollup", ".join(", "",
        "SQLAlchemy infers the ON clause from the one foreign key between the two tables: "
        "the same join",
    ),
    Equivalent(
        "webapp/reports/queries.py", "rollup", "sa.case((ProgressLine.status == status, 1)", "",
        "each group has at least one line and the CASE gives 0 or 1, so SUM is never NULL "
        "and COALESCE's default never applies; with ELSE NULL, SUM skips the NULLs and "
        "COALESCE gives the same 0",
    ),
    Equivalent(
        "webapp/reports/queries.py", "rollup", "sa.func.count(Entry.id)", "sa.func.count(None)",
        "func.count(None) is COUNT(*), and Entry.id is never NULL in the inner join",
    ),
    Equivalent(
        "webapp/reports/queries.py", "rollup", "] += int(", "] = int(",
        "GROUP BY gives each (organization, content) once per query and each cell starts at "
        "0: adding and setting are the same",
    ),
    Equivalent(
        "webapp/reports/queries.py", "rollup", ".registered += int(", ".registered = int(",
        "GROUP BY gives each (organization, content) once, and `registered` starts at 0",
    ),
    Equivalent(
        "webapp/reports/queries.py", "rollup", "if organization_ids else []", "",
        "the guard only saves a query: the organizations of no ids are none",
    ),
    Equivalent(
        "webapp/reports/queries.py", "_organizations", "MemberOrganization.sort_order, ",
        "MemberOrganization.sort_order, ",
        "the id only breaks ties of sort_order, and SQLite returns ties in id order anyway "
        "(PostgreSQL may not: not killable on the SQLite runs)",
    ),
    Equivalent(
        "webapp/reports/queries.py", "units_in_year", 'name="report_tree"', "name=",
        "another name unique in the statement (None is SQLAlchemy's anonymous one); the default "
        "'subtree' would clash with the viewer's scope and is killed by a large-tree test",
    ),
    Equivalent(
        "webapp/reports/queries.py", "units_in_year", "Unit.level != Level.AREA", "",
        "no list nor report is ever at a residential area (they hold no roles and the services "
        "start lists and reports at committees): the condition only shortens the unit list",
    ),
    Equivalent(
        "webapp/reports/queries.py", "units_in_year", "active_on(year_day(year))", "",
        "lists and reports of a year are made only at units valid in that year "
        "(valid_in_year): units outside the year's structure have none to count",
    ),
    # The policy.
    # The policy.
    # The policy.
    Equivalent(
        "webapp/admin/permissions.py", "_event_unit", "top_unit_of(event)", "top_unit_of(None)",
        "top_unit_of ignores its argument: the top of the tree, whatever the object",
    ),
    Equivalent(
        "webapp/auth/permissions.py", "_holds_no_role_beyond", "a.unit, None)", "a.unit, )",
        "None is covers()'s default organization",
    ),
    Equivalent(
        "webapp/auth/permissions.py", "role_holders", "", "",
        "who_can asks can() of every holder again: the SQL conditions only spare loading the "
        "users who cannot (test_policy_engine checks the join, the order and each user once)",
    ),
    Equivalent(
        "webapp/policy/engine.py", "signed_in", "user.is_authenticated and user.is_active",
        "user.is_authenticated or user.is_active",
        "Flask-Login's UserMixin.is_authenticated is is_active, and a visitor is neither",
    ),
    Equivalent(
        "webapp/policy/engine.py", "check", 'refusal = ""', "refusal = None",
        "`not refusal` and `refusal or …` read None and \"\" alike",
    ),
    Equivalent(
        "webapp/policy/engine.py", "_name", '.strip("_")', "",
        "strip() takes a set of characters: no predicate's name begins or ends with an X",
    ),
    Equivalent(
        "webapp/policy/engine.py", "can", "rule.state(user, obj)", "",
        "no public rule has a state condition: the default accepts any user and object",
    ),
    Equivalent(
        "webapp/policy/engine.py", "scope", "pair[1] or 0", "pair[1] or 1",
        "ids start at 1: only the order of a unit's unnarrowed pair and its narrowed pair for "
        "organization 1 can change, and no caller reads the pairs' order within a unit",
    ),
    Equivalent(
        "webapp/policy/engine.py", "visible", 'cte_name: str = "subtree"', "",
        "the subtree query's alias: any name gives the same query",
    ),
    Equivalent(
        "webapp/policy/engine.py", "visible", "stmt.where(sa.false())", "stmt.where(None)",
        "WHERE NULL selects nothing, as WHERE false does",
    ),
    Equivalent(
        "webapp/policy/engine.py", "visible", "if roots else []", "(roots) or True",
        "an empty subtree adds a branch that matches nothing to the OR",
    ),
    Equivalent(
        "webapp/policy/engine.py", "visible", "subtree_ids(roots, name=cte_name)", "name=None",
        "the roots' subtree query keeps a name apart from the narrowed ones' either way",
    ),
    Equivalent(
        "webapp/policy/engine.py", "visible", 'name=f"{cte_name}_{number}"', "name=None",
        "subtree_ids(name=None) gets SQLAlchemy's anonymous name, unique in the statement too",
    ),
    Equivalent(
        "webapp/policy/engine.py", "", 'raise ValueError(f"', "raise ValueError(None)",
        "the message of an error that only a programming mistake raises",
    ),
    Equivalent(
        "webapp/jobs/permissions.py", "_own_or_administered", "a.unit, None)", "a.unit, )",
        "None is covers()'s default organization",
    ),
    Equivalent(
        "webapp/opinions/permissions.py", "_current_commune", "is_current_commune(user,",
        "is_current_commune(None,", "is_current_commune does not read the user",
    ),
    Equivalent(
        "webapp/pages/permissions.py", "_not_own_translation", "_not_the_original(user,",
        "_not_the_original(None,", "_not_the_original does not read the user",
    ),
    Equivalent(
        "webapp/pages/permissions.py", "_sent_for_review", "_page_published(user,",
        "_page_published(None,", "_page_published does not read the user",
    ),
    Equivalent(
        "webapp/registrations/permissions.py", "_entry_in_year", "in_year(user,", "in_year(None,",
        "in_year does not read the user",
    ),
    Equivalent(
        "webapp/registrations/permissions.py", "list_organization",
        "organization.id if organization is not None", "or True",
        "a saved list always has its organization, whose id is the list's organization_id",
    ),
    Equivalent(
        "webapp/units/permissions.py", "can_hold_roles", "unit.level != Level.AREA and",
        "unit.level != Level.AREA or",
        "a unit's kind follows its level (the area kinds are the AREA level's): either half "
        "decides alone",
    ),
    Equivalent(
        "webapp/units/permissions.py", "top_unit", '"top_unit" in g', "",
        "only the request cache's key: a miss asks the database again, with the same answer",
    ),
    Equivalent(
        "webapp/units/permissions.py", "top_unit", ".order_by(Unit.id)", ".order_by(None)",
        "one current root: the order of one row is moot",
    ),
    # Review decisions.
    Equivalent(
        "webapp/review/services.py", "_apply", "flush_or_stale(entry)", "flush_or_stale(None)",
        "the entry is locked and reloaded just before (lock_entry; lock_list in approve_all, "
        "which also compares the versions seen), so this flush cannot be stale: only the "
        "object an impossible error would name changes",
    ),
    Equivalent(
        "webapp/review/services.py", "_decide", "clean(reason) if reason else None",
        "(reason) or True",
        "clean(None) is None, and an empty reason ends the same way: refused for a return or "
        "a reopening, never given with an approval",
    ),
    # The languages and their words.
    *(
        Equivalent(
            "webapp/i18n/content.py", "approved_words", 'g.setdefault("approved_words"', key,
            "only the request cache's key: nothing else reads it",
        )
        for key in ("g.setdefault(None", '"XXapproved_wordsXX"', '"APPROVED_WORDS"')
    ),
    Equivalent(
        "webapp/i18n/content.py", "approved_words", "WordTranslation.approved_text.is_not(None)",
        "WordTranslation.language == code, )",
        "the rows without an approved text are dropped again below (`if text`)",
    ),
    Equivalent(
        "webapp/i18n/languages.py", "tag_of", 'get(code or "")', 'get(code or "XXXX")',
        "no language has the code 'XXXX', nor an empty one: either key finds none",
    ),
    # Registrations.
    *(
        Equivalent(
            "webapp/registrations/services.py", function, "flush_or_stale(", "flush_or_stale(None)",
            "the row was locked and its version checked just before (lock_entry, lock_list), "
            "so this flush cannot be stale: only the object an impossible error would name "
            "changes",
        )
        for function in ("update_entry", "update_header", "settle_state")
    ),
    # Coverage: likely duplicates.
    Equivalent(
        "webapp/coverage/overlaps.py", "reopen", "raise StaleVersion(decision)",
        "raise StaleVersion(None)",
        "the view answers a stale reopening with the pair as it is saved now, read afresh "
        "(_stale): the error's object is never read",
    ),
    Equivalent(
        "webapp/coverage/overlaps.py", "_take_back_partner", "partner_added = False",
        "partner_added = True",
        "both callers delete the decision right after (reopen, or with its entry)",
    ),
    Equivalent(
        "webapp/coverage/overlaps.py", "take_back_joint_works", "OverlapKind.JOINT", "",
        "only a joint decision ever has partner_added, and _take_back_partner checks the kind",
    ),
    Equivalent(
        "webapp/coverage/overlaps.py", "take_back_joint_works",
        "OverlapDecision.lead_entry_id != entry.id", "",
        "when the entry going away is the lead, the partner is taken from that entry itself, "
        "which is deleted with it",
    ),
    Equivalent(
        "webapp/coverage/overlaps.py", "communes_of_list", 'name="location"', "",
        "the alias's name: any name (or none) gives the same query",
    ),
    *(
        Equivalent(
            "webapp/coverage/overlaps.py", "communes_of_list", "location.id == Entry.location_id",
            joined,
            "SQLAlchemy infers the ON clause from the one foreign key from entries to units: "
            "the same join",
        )
        for joined in (".join(location, None)", ".join(location, )")
    ),
]  # fmt: skip


def equivalent(place: str, function: str, before: str, after: str) -> Equivalent | None:
    file = place.partition(":")[0]
    return next(
        (
            known
            for known in EQUIVALENT
            if known.file == file
            and known.function in ("", function)
            and known.before in before
            and known.after in after
        ),
        None,
    )


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


def _functions(path: Path) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    """Every function and method of a file by name (mutmut's generated names are unique)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef)
    return {node.name: node for node in ast.walk(tree) if isinstance(node, kinds)}


def _def_line(path: Path, cls: str | None, func: str) -> int | None:
    """The line of `def func` in the file (within class cls when given)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    body = tree.body
    if cls:
        classes = (node for node in body if isinstance(node, ast.ClassDef) and node.name == cls)
        body = next(classes, ast.ClassDef(body=[])).body
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef)
    return next((n.lineno for n in body if isinstance(n, kinds) and n.name == func), None)


def _function(name: str) -> str:
    """module.Class.function or module.function of a mutant."""
    match = _MUTANT.match(name)
    if not match:
        return name
    return ".".join(part for part in (match["module"], match["cls"], match["func"]) if part)


@dataclass(frozen=True)
class Survivor:
    place: str  # file:line
    function: str
    before: str  # the changed line, unmutated and mutated
    after: str
    diff: str


def survivor(work: Path, name: str) -> Survivor:
    """file:line of a mutant, the line it changed and its diff against the unmutated function,
    read from the copy mutmut made: it keeps the unmutated function (…__mutmut_orig) next to
    each mutant."""
    match = _MUTANT.match(name)
    if not match:
        return Survivor("?", "", "", "", "")
    relative = Path(match["module"].replace(".", "/") + ".py")
    if not (ROOT / relative).exists():
        relative = relative.with_suffix("") / "__init__.py"
    generated = name[len(match["module"]) + 1 :]
    original = generated.rpartition("__mutmut_")[0] + "__mutmut_orig"
    functions = _functions(work / "mutants" / relative)
    lines = (work / "mutants" / relative).read_text(encoding="utf-8").splitlines()

    def text(node_name: str) -> list[str]:
        node = functions[node_name]
        body = textwrap.dedent("\n".join(lines[node.lineno - 1 : node.end_lineno]))
        return body.replace(node_name, match["func"], 1).splitlines()

    before, after = text(original), text(generated)
    pairs = enumerate(zip(before, after, strict=False))
    changed = next((i for i, (a, b) in pairs if a != b), min(len(before), len(after)))
    diff = "\n".join(
        difflib.unified_diff(before, after, str(relative), str(relative), n=2, lineterm="")
    )
    start = _def_line(ROOT / relative, match["cls"], match["func"])
    place = f"{relative}:{start + changed}" if start else str(relative)
    line = lambda lines: lines[changed] if changed < len(lines) else ""  # noqa: E731
    return Survivor(place, match["func"], line(before), line(after), diff)


def run(
    name: str, module: Module, *, resume: bool, max_children: int, only: list[str] | None
) -> bool:
    """mutmut run in the module's work directory; False when it failed or was interrupted.
    The time it took is added to mutants/<name>/run.json (a resumed run adds to it)."""
    print(f"== {name}: {', '.join(module.mutate)}")
    print(f"   against {', '.join(module.tests)}", flush=True)
    work = prepare(name, module, resume=resume)
    env = {**os.environ, "TEST_DB": "sqlite"}
    env.pop("TEST_DATABASE_URL", None)
    started = time.monotonic()
    command = [str(MUTMUT), "run", "--max-children", str(max_children)]
    # mutmut's own filter: globs over mutant names (module.x_function__mutmut_N)
    command.extend(f"*{part}*" for part in only or ())
    with subprocess.Popen(command, cwd=work, env=env) as mutmut:
        try:
            returncode = mutmut.wait()
        except KeyboardInterrupt:  # Ctrl-C reached mutmut too: let it save and stop
            returncode = mutmut.wait()
            print("\n   interrupted: what was tested so far is below; --resume goes on")
            returncode = returncode or 1
    seconds = time.monotonic() - started + (_timing(work)["seconds"] if resume else 0)
    _timing_file(work).write_text(json.dumps({"seconds": seconds, "finished": not returncode}))
    if returncode:
        print(f"   mutmut run stopped (exit {returncode}) after {_duration(seconds)}")
    return not returncode


def _timing_file(work: Path) -> Path:
    return work / "run.json"


def _timing(work: Path) -> dict:
    path = _timing_file(work)
    return json.loads(path.read_text()) if path.exists() else {"seconds": 0, "finished": False}


def report(name: str) -> tuple[Counter, float]:
    """Per-status counts of the module's last run, the time it took, and every survivor."""
    work = WORK / name
    if not (work / "mutants").exists():
        print(f"== {name}: not run yet")
        return Counter(), 0
    statuses = results(work)
    counts = Counter(statuses.values())
    timing = _timing(work)
    unfinished = "" if timing["finished"] else " (unfinished)"
    print(f"\n== {name}: {_counts(counts)} in {_duration(timing['seconds'])}{unfinished}")
    untested = Counter(_function(n) for n, s in statuses.items() if s == NO_TESTS)
    for function, count in sorted(untested.items()):
        print(f"   no test runs {function} ({count} mutants)")
    explained = []
    for mutant in sorted(n for n, s in statuses.items() if s == SURVIVED):
        found = survivor(work, mutant)
        known = equivalent(found.place, found.function, found.before, found.after)
        if known:
            explained.append(f"   {found.place}  {found.after.strip()}\n      {known.reason}")
            continue
        print(f"\n   survived: {found.place}  ({mutant})")
        print("\n".join(f"      {line}" for line in found.diff.splitlines() if line.strip()))
    if explained:
        print(f"\n   {len(explained)} survivors are equivalent (bench/mutants.py EQUIVALENT):")
        print("\n".join(explained))
    counts["equivalent"] = len(explained)
    print(flush=True)
    return counts, timing["seconds"]


def _counts(counts: Counter) -> str:
    tested = counts[KILLED] + counts[SURVIVED] + counts[TIMEOUT]
    score = f"{100 * (counts[KILLED] + counts[TIMEOUT]) / tested:.0f}%" if tested else "-"
    counted = (KILLED, SURVIVED, TIMEOUT, NO_TESTS, "equivalent")
    others = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()) if s not in counted)
    return (
        f"killed {counts[KILLED]}, survived {counts[SURVIVED]} "
        f"({counts['equivalent']} of them equivalent), timeout {counts[TIMEOUT]}, "
        f"no tests {counts[NO_TESTS]}" + (f", {others}" if others else "") + f" (score {score})"
    )


def _duration(seconds: float) -> str:
    return f"{int(seconds // 60)} min {seconds % 60:.0f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", metavar="MODULE", help=", ".join(MODULES))
    parser.add_argument("--resume", action="store_true", help="continue the previous run")
    parser.add_argument("--max-children", type=int, default=1, help="mutants tested at once")
    parser.add_argument("--report", action="store_true", help="only print the last run's results")
    parser.add_argument(
        "--only", action="append", help="test only the mutants whose name has this, e.g. x_rollup"
    )
    args = parser.parse_args()
    names = args.modules or list(MODULES)
    unknown = [n for n in names if n not in MODULES]
    if unknown:
        parser.error(f"unknown module {', '.join(unknown)}; one of {', '.join(MODULES)}")
    summary = {}
    for name in names:
        if not args.report:
            ok = run(
                name,
                MODULES[name],
                resume=args.resume,
                max_children=args.max_children,
                only=args.only,
            )
        summary[name] = report(name)
        if not args.report and not ok:
            break
    print("== summary")
    for name, (counts, elapsed) in summary.items():
        print(f"   {name:<14} {_counts(counts)} in {_duration(elapsed)}")
    total = sum(elapsed for _, elapsed in summary.values())
    print(f"   total time {_duration(total)}")


if __name__ == "__main__":
    main()
