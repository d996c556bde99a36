"""The specification of ``taskkit lint``, by example (in the style of yamllint's and
check-jsonschema's suites).

``tests/examples/valid/<case>/``
    A small, complete library (pack.yaml, tools/, tasks/, and content inside the pack or in
    a sibling ``content_datasets/<pack>/``) that lints with no diagnostic at all, not even a
    warning (``--strict`` passes).

``tests/examples/invalid/<RULE>-<short-name>/``
    A minimal library with the offending document(s), and ``expected.txt``: every diagnostic
    the linter must report, one a line, as ``relative/path:line:col RULE`` (paths relative to
    the case folder, POSIX separators; blank lines and ``# comments`` are ignored). The
    comparison is exact and order-insensitive, and counts repeats: no diagnostic may be
    missing, and none may be extra.

Compile-phase rules (``TK7xx``: rendering every entry and replaying the gold actions) are
found only by ``taskkit lint --deep``, so their cases are linted with ``deep=True``; valid
examples must be clean both ways.

``tests/examples/_pending/<case>/``
    Cases in the same format that the linter gets wrong today (see the README there). They are
    not run; move a case into ``invalid/`` or ``valid/`` when its bug is fixed.

Adding a case is adding a folder. Files that cannot be stored sanely (tens of megabytes) are
generated into ``tmp_path`` by the dedicated tests at the end.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from taskkit.cli.main import cli
from taskkit.compiler.deep import compile_findings
from taskkit.io.yamlio import MAX_FILE_BYTES
from taskkit.lint import RULES, lint

EXAMPLES = Path(__file__).parent / "examples"
VALID = sorted(p for p in (EXAMPLES / "valid").iterdir() if p.is_dir())
INVALID = sorted(p for p in (EXAMPLES / "invalid").iterdir() if p.is_dir())

_EXPECTED_LINE = re.compile(
    r"^(?P<path>\S+):(?P<line>[1-9]\d*):(?P<col>[1-9]\d*) (?P<rule>TK\d{3})$"
)


COMPILE_PHASE = "TK7"
"""Rule ids of the compile phase start with this (see ``taskkit.lint.registry``)."""


def findings(case: Path, *, deep: bool = False, max_bytes: int = MAX_FILE_BYTES) -> list[str]:
    """What the linter reports for ``case``, as sorted ``path:line:col RULE`` lines."""
    result = lint([case], compile_phase=compile_findings if deep else None, max_bytes=max_bytes)
    return sorted(
        f"{Path(os.path.relpath(d.path, case)).as_posix()}:{d.line}:{d.col} {d.rule}"
        for d in result.diagnostics
    )


def expected(case: Path) -> list[str]:
    """The sorted lines of ``expected.txt``, comments and blank lines left out."""
    lines = []
    source = case / "expected.txt"
    for number, raw in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not _EXPECTED_LINE.match(line):
            raise ValueError(f"{source}:{number}: expected 'path:line:col TK123', got {raw!r}")
        lines.append(line)
    return sorted(lines)


# --- the examples -------------------------------------------------------------------------


@pytest.mark.parametrize("deep", [False, True], ids=["lint", "lint-deep"])
@pytest.mark.parametrize("case", VALID, ids=lambda p: p.name)
def test_valid_example_lints_clean(case: Path, deep: bool, yaml_reader: str) -> None:
    assert not (case / "expected.txt").exists(), "valid examples expect nothing"
    assert findings(case, deep=deep) == []  # not even a warning: `--strict` passes


@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.name)
def test_invalid_example_reports_exactly_the_expected_diagnostics(
    case: Path, yaml_reader: str
) -> None:
    got, want = findings(case, deep=case.name.startswith(COMPILE_PHASE)), expected(case)
    missing, extra = Counter(want) - Counter(got), Counter(got) - Counter(want)
    assert got == want, f"missing: {sorted(missing.elements())}, extra: {sorted(extra.elements())}"


@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.name)
def test_deep_finds_what_lint_finds_and_never_fails_on_it(case: Path) -> None:
    """``--deep`` compiles only what the other rules vouch for: a task calling a tool it
    does not offer, or offering one whose schema is invalid, is theirs to report, not a
    compile-phase crash."""
    assert Counter(findings(case)) <= Counter(findings(case, deep=True))


@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.name)
def test_invalid_example_is_named_after_a_rule_it_expects(case: Path) -> None:
    rule = case.name.split("-", 1)[0]
    assert rule in RULES, f"{case.name}: folder names start with a rule id, then '-'"
    assert any(line.endswith(" " + rule) for line in expected(case))


def test_every_rule_has_an_invalid_example() -> None:
    covered = {case.name.split("-", 1)[0] for case in INVALID}
    assert sorted(set(RULES) - covered) == [], "add tests/examples/invalid/<RULE>-<name>/"


# --- files too large to store -------------------------------------------------------------


def _copy_case(name: str, tmp_path: Path) -> Path:
    return Path(shutil.copytree(EXAMPLES / "valid" / name, tmp_path / name))


def _sparse_file(path: Path, size: int) -> None:
    with path.open("wb") as f:
        f.truncate(size)


def test_yaml_file_over_16_mib_is_refused_unread(tmp_path: Path) -> None:
    case = _copy_case("inline-entries", tmp_path)
    _sparse_file(case / "mini" / "content" / "huge.yaml", 17 * 2**20)
    assert findings(case) == ["mini/content/huge.yaml:1:1 TK003"]


def test_jsonl_entries_file_over_16_mib_is_refused_unread(tmp_path: Path) -> None:
    case = _copy_case("jsonl-entries-file", tmp_path)
    _sparse_file(case / "content_datasets" / "grocer" / "restock_requests.jsonl", 17 * 2**20)
    assert findings(case) == ["content_datasets/grocer/restock_requests.jsonl:1:1 TK003"]


def test_the_size_limit_is_an_option(tmp_path: Path) -> None:
    case = _copy_case("inline-entries", tmp_path)
    (case / "mini" / "content" / "big.yaml").write_text("# padding\n" * 120_000)  # 1.2 MB
    assert findings(case, max_bytes=2**20) == ["mini/content/big.yaml:1:1 TK003"]
    # read under the default limit: a file of comments holds no document, and says so
    assert findings(case) == ["mini/content/big.yaml:1:1 TK101"]


# --- the command line ---------------------------------------------------------------------


def run_cli(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["lint", *map(str, args)], catch_exceptions=False)
    return result.exit_code, result.stdout


def test_cli_exit_0_on_a_clean_library() -> None:
    code, out = run_cli("--strict", EXAMPLES / "valid" / "home-starter-pack")
    assert (code, out) == (0, "")


def test_cli_exit_1_on_errors() -> None:
    code, out = run_cli(EXAMPLES / "invalid" / "TK302-misspelled-field")
    assert code == 1
    assert re.search(r"buy\.yaml:9:39: TK302 error .*'itme'.*did you mean 'item'", out)


def test_cli_warnings_fail_only_with_strict() -> None:
    case = EXAMPLES / "invalid" / "TK501-tool-offered-but-unused"
    assert run_cli(case)[0] == 0
    assert run_cli("--strict", case)[0] == 1


def rules_in(text_output: str) -> list[str]:
    """The rule ids of ``path:line:col: RULE severity message`` lines."""
    return re.findall(r"^.+?:\d+:\d+: (TK\d{3}) ", text_output, re.M)


def test_cli_select_and_ignore_take_rule_ids_and_prefixes() -> None:
    case = EXAMPLES / "invalid" / "TK203-unknown-content-did-you-mean"
    assert rules_in(run_cli(case)[1]) == ["TK502", "TK203"]
    assert rules_in(run_cli("--select", "TK2", case)[1]) == ["TK203"]
    assert rules_in(run_cli("--ignore", "TK502", case)[1]) == ["TK203"]
    assert run_cli("--ignore", "TK203", case)[0] == 0  # TK502 alone is a warning


def test_cli_compile_phase_rules_need_deep() -> None:
    case = EXAMPLES / "invalid" / "TK702-gold-action-fails-on-an-entry"
    assert run_cli(case) == (0, "")
    code, out = run_cli("--deep", case)
    assert code == 1
    assert rules_in(out) == ["TK702"]


@pytest.mark.parametrize(
    "args",
    [["--no-such-option"], ["--select", "TK999"], ["--ignore", "XX"], ["--format", "xml"], []],
    ids=[
        "unknown-option",
        "unknown-select-rule",
        "unknown-ignore-rule",
        "unknown-format",
        "no-path",
    ],
)
def test_cli_exit_2_on_usage_errors(args: list[str]) -> None:
    paths = [str(EXAMPLES / "valid" / "inline-entries")] if args else []
    result = CliRunner().invoke(cli, ["lint", *args, *paths], catch_exceptions=False)
    assert result.exit_code == 2


def test_cli_json_format_is_a_versioned_document() -> None:
    case = EXAMPLES / "invalid" / "TK203-unknown-content-did-you-mean"
    code, out = run_cli("--format", "json", case)
    assert code == 1
    doc = json.loads(out)
    assert doc["version"] == 2
    assert doc["summary"] == {"errors": 1, "warnings": 1, "folded": 0}
    warning, error = doc["diagnostics"]  # sorted by path, line, column
    assert set(error) == {
        "path",
        "line",
        "col",
        "rule",
        "severity",
        "message",
        "hint",
        "pointer",
        "consequences",
    }
    assert error["consequences"] == warning["consequences"] == []
    assert Path(warning["path"]).name == "purchases.yaml"
    assert (warning["line"], warning["col"], warning["rule"]) == (3, 7, "TK502")
    assert warning["severity"] == "warning"
    assert Path(error["path"]).name == "buy.yaml"
    assert (error["line"], error["col"], error["rule"]) == (8, 10, "TK203")
    assert error["severity"] == "error"
    assert error["pointer"] == "/content"
    assert error["message"] == "unknown content dataset 'purchase'"
    assert error["hint"] == "did you mean 'purchases'?"


def test_cli_github_format_is_workflow_commands() -> None:
    code, out = run_cli(
        "--format", "github", EXAMPLES / "invalid" / "TK202-check-and-faults-name-unoffered-tools"
    )
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 3
    for line in lines:
        assert line.startswith("::error file=")
        assert re.match(r"::error file=[^,]+buy\.yaml,line=\d+,col=\d+,title=TK202::\S", line)


def test_cli_nonexistent_path_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    code, out = run_cli(tmp_path / "missing")
    assert code == 1
    assert " TK003 " in out


# --- acceptance: hostile input ------------------------------------------------------------

BILLION_LAUGHS = """\
kind: task
a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def _lint_in_a_child(library: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "taskkit", "lint", str(library)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_hostile_files_give_one_diagnostic_each_quickly_and_never_run_code(tmp_path: Path) -> None:
    pwned = tmp_path / "pwned"
    library = tmp_path / "library"
    library.mkdir()
    (library / "bomb.yaml").write_text(BILLION_LAUGHS)
    (library / "exploit.yaml").write_text(
        f"kind: task\ninitial_state: !!python/object/apply:os.system ['touch {pwned}']\n"
    )
    with (library / "huge.yaml").open("wb") as f:
        f.write(b"- padding padding padding padding padding padding padding padding\n" * 800_000)
    assert (library / "huge.yaml").stat().st_size > 50 * 10**6
    (library / "latin1.yaml").write_bytes("kind: task\nuser_command: Un café\n".encode("latin-1"))

    started = time.monotonic()
    done = _lint_in_a_child(library)
    elapsed = time.monotonic() - started

    assert done.returncode == 1, done.stderr
    assert elapsed < 20, f"hostile input took {elapsed:.1f}s to refuse"
    assert "Traceback" not in done.stderr
    assert not pwned.exists()
    reported = Counter(
        (Path(m["path"]).name, m["rule"])
        for m in re.finditer(r"^(?P<path>.+?):\d+:\d+: (?P<rule>TK\d{3}) ", done.stdout, re.M)
    )
    assert reported == Counter(
        {
            ("bomb.yaml", "TK006"): 1,
            ("exploit.yaml", "TK005"): 1,
            ("huge.yaml", "TK003"): 1,
            ("latin1.yaml", "TK004"): 1,
        }
    )
    # Again, with what the first run put in the lint cache: the same findings.
    again = _lint_in_a_child(library)
    assert (again.returncode, again.stdout) == (done.returncode, done.stdout)
    assert not pwned.exists()
