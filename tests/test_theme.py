"""The built-in theme ships inside the package; a magazine's own layouts override it file by file."""

from __future__ import annotations

from pathlib import Path

import issuepress
from issuepress.layouts import builtin_theme_dir

from conftest import REPO, run_cli


def test_installed_package_carries_the_repository_theme() -> None:
    theme = builtin_theme_dir()
    assert theme == Path(issuepress.__file__).parent / "theme", "tests must run against the installed package"
    for folder in ("layouts", "fonts"):
        shipped = {p.relative_to(theme / folder): p.read_bytes() for p in (theme / folder).rglob("*") if p.is_file()}
        source = {p.relative_to(REPO / folder): p.read_bytes() for p in (REPO / folder).rglob("*") if p.is_file()}
        assert shipped == source, f"the installed {folder}/ differs from the repository's; reinstall"


def test_magazine_with_only_issues_builds(sample: Path) -> None:
    for name in ("magazine.yaml", "contributors.yaml"):
        (sample / name).unlink()
    (sample / "issues/2024-11/issue.yaml").write_text(
        "volume: 6\nnumber: 11\ndate: 2024-11-01\narticles: [articles/letter-from-lahore.md]\n"
        "contributors:\n  bilal-anwar:\n    name: Bilal Anwar\n")
    result = run_cli("build", "2024-11", "--format", "html", cwd=sample)
    assert result.returncode == 0, result.stderr
    index = (sample / "build/2024-11/html/index.html").read_text()
    assert "Untitled Magazine" in index and "November 2024" in index


def test_magazine_layout_overrides_builtin(sample: Path) -> None:
    own = sample / "layouts/html"
    own.mkdir(parents=True)
    builtin = (builtin_theme_dir() / "layouts/html/contributors.html").read_text()
    (own / "contributors.html").write_text(builtin.replace("<h1>Contributors</h1>", "<h1>Our writers</h1>"))
    assert run_cli("build", "2024-11", "--format", "html", cwd=sample).returncode == 0
    assert "<h1>Our writers</h1>" in (sample / "build/2024-11/html/contributors.html").read_text()


def test_template_typo_is_reported_not_blank(sample: Path) -> None:
    own = sample / "layouts/html"
    own.mkdir(parents=True)
    builtin = (builtin_theme_dir() / "layouts/html/contributors.html").read_text()
    (own / "contributors.html").write_text(builtin.replace("{{ person.name }}", "{{ person.nmae }}"))
    result = run_cli("build", "2024-11", "--format", "html", cwd=sample)
    assert result.returncode == 1
    assert "layouts/html/contributors.html" in result.stderr and "nmae" in result.stderr
