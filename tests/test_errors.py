"""Broken issues: every problem reported at once as `path:line: message`, exit 1, nothing written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, problem_lines, run_cli

CASES = sorted(p.name for p in (FIXTURES / "bad").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("command", ["check", "build"])
def test_bad_issue_reports_every_problem(case: str, command: str, tmp_path: Path) -> None:
    root = shutil.copytree(FIXTURES / "bad" / case, tmp_path / case, symlinks=True)  # keep the escaping link
    expected = (root / "expected.txt").read_text(encoding="utf-8").splitlines()
    result = run_cli(command, "x", cwd=root)
    assert result.returncode == 1
    assert problem_lines(result.stderr) == expected
    assert not (root / "build").exists(), "a failed build must not write anything"


def test_every_case_expects_problems() -> None:
    for case in CASES:
        assert (FIXTURES / "bad" / case / "expected.txt").read_text().strip(), case


def test_unknown_issue_names_the_issues_there(sample: Path) -> None:
    result = run_cli("build", "2025-01", cwd=sample)
    assert result.returncode == 1
    assert "no issue '2025-01': folder issues/2025-01 does not exist (issues here: 2024-11)" in result.stderr


def test_issue_id_cannot_escape_issues_folder(sample: Path) -> None:
    result = run_cli("check", "../..", cwd=sample)
    assert result.returncode == 1
    assert "is not an issue id" in result.stderr


def test_unknown_format_is_a_usage_error(sample: Path) -> None:
    result = run_cli("build", "2024-11", "--format", "docx", cwd=sample)
    assert result.returncode == 2
    assert "unknown format docx" in result.stderr
    assert not (sample / "build").exists()


def test_missing_argument_is_a_usage_error(sample: Path) -> None:
    assert run_cli("build", cwd=sample).returncode == 2


def test_failed_build_keeps_previous_edition(sample: Path) -> None:
    assert run_cli("build", "2024-11", "--format", "html", cwd=sample).returncode == 0
    index = sample / "build/2024-11/html/index.html"
    before = index.read_bytes()
    manifest = sample / "issues/2024-11/issue.yaml"
    manifest.write_text(manifest.read_text().replace("volume: 6", "volume: six"))
    result = run_cli("build", "2024-11", "--format", "html", cwd=sample)
    assert result.returncode == 1
    assert "issues/2024-11/issue.yaml:3: 'volume' must be a whole number, not 'six'" in problem_lines(result.stderr)
    assert index.read_bytes() == before
    leftovers = [p.name for p in (sample / "build/2024-11").iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_a_bug_is_one_line_not_a_traceback(sample: Path, monkeypatch) -> None:
    from click.testing import CliRunner

    from issuepress import build, cli

    def broken(*arguments):
        raise RuntimeError("something inside issuepress went wrong")

    monkeypatch.setattr(build, "load", broken)
    monkeypatch.delenv("ISSUEPRESS_DEBUG", raising=False)
    result = CliRunner().invoke(cli.main, ["check", "2024-11", "--root", str(sample)])
    assert result.exit_code == 70
    assert "internal error: RuntimeError: something inside issuepress went wrong" in result.output
    assert "Traceback" not in result.output
