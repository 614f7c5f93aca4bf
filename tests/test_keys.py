"""Each manifest key is declared once: the README's tables, the model, the loader and the templates agree with
the declarations in load/keys.py."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from issuepress.errors import Problems
from issuepress.load import keys
from issuepress.load.fields import Fields
from issuepress.load.yamlsource import parse_yaml
from issuepress.model import ArticleEntry, Contributor, Issue, Magazine, OutputIntent, PrintSettings
from issuepress.workflow import templates

REPO = Path(__file__).resolve().parents[1]
MODELS = [(keys.MAGAZINE, Magazine), (keys.PRINT, PrintSettings), (keys.OUTPUT_INTENT, OutputIntent), (keys.ISSUE, Issue),
          (keys.ARTICLE_ENTRY, ArticleEntry), (keys.CONTRIBUTOR, Contributor)]


def test_the_readme_tables_are_the_declarations() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for group in keys.GROUPS:
        assert keys.README_START.format(group.where) in readme, f"the README has no table for {group.where}"
    assert keys.readme_with_tables(readme) == readme, "the README's key tables differ: run scripts/readme-keys"


@pytest.mark.parametrize("group, model", MODELS, ids=[group.where for group, _ in MODELS])
def test_every_declared_key_is_a_field_of_its_model(group: keys.Keys, model: type) -> None:
    fields = {field.name: field for field in dataclasses.fields(model)}
    for key in group:
        assert key.field in fields, f"{group.where}: {key.name} has no field {key.field} in {model.__name__}"
        field = fields[key.field]
        has_default = field.default is not dataclasses.MISSING or field.default_factory is not dataclasses.MISSING
        assert has_default == ((not key.required or group.model_defaults) and key.default is not keys.NO_DEFAULT), \
            key.name


def test_the_loader_knows_exactly_the_declared_keys(tmp_path: Path) -> None:
    problems = Problems(tmp_path)
    text = "\n".join(f"{key.name}: 1" for key in keys.ISSUE) + "\nvolumne: 2\n"
    Fields(parse_yaml(text, tmp_path / "issue.yaml", problems), tmp_path / "issue.yaml", problems,
           keys.ISSUE.names)
    unknown = [str(problem) for problem in problems.errors]
    line = len(keys.ISSUE.keys) + 1  # the line after one per declared key
    assert unknown == [f"issue.yaml:{line}: unknown key 'volumne'; did you mean 'volume'?"]


def test_the_templates_show_every_key_with_its_doc() -> None:
    written = {"magazine": templates.magazine_yaml("Title"), "contributors": templates.contributors_yaml(),
               "issue": templates.example_issue_yaml()}
    for group, text in ((keys.MAGAZINE, written["magazine"]), (keys.PRINT, written["magazine"]),
                        (keys.CONTRIBUTOR, written["contributors"]), (keys.ISSUE, written["issue"])):
        for key in group:
            assert f"{key.name}: " in text or f"{key.name}:\n" in text or f"{key.name}:  " in text, key.name
            assert key.doc in text, f"{key.name}'s doc is missing from a template"
    for text in written.values():
        yaml.safe_load(text)  # and each is YAML


def test_the_article_cache_key_follows_the_keys_that_render_articles() -> None:
    declared = {key.field for key in keys.ISSUE if key.renders_articles}
    assert declared == {"editor", "language", "contributors"}
