"""Accessibility checkers as a reader's tools would run them: axe-core in Chromium on web pages (WCAG 2.2 A and AA,
and best practice), and Ace by DAISY on an EPUB (axe-core on every content document, plus the EPUB's own checks:
package language, accessibility metadata, page list and page-break source...), run on Debian's chromium."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from browser import chromium_path
from conftest import REPO

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]


def _tool(relative: str) -> Path:
    path = REPO / ".tools/node_modules" / relative
    if not path.exists():
        pytest.fail(f"{relative} is missing: run `make tools` (make test does)")
    return path


def axe_violations(browser, address: str) -> list[str]:
    """axe-core's violations on the page at `address`, each as 'rule: the elements'."""
    browser.goto(address)
    browser.add_script_tag(path=str(_tool("axe-core/axe.min.js")))
    return browser.evaluate("async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
                            ".violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))",
                            AXE_TAGS)


def ace_violations(epub: Path) -> list[str]:
    """Ace by DAISY's violations in an EPUB, each as 'document: rule (impact): where: what'."""
    with tempfile.TemporaryDirectory() as folder:
        result = subprocess.run([str(_tool(".bin/ace-cli")), "--force", "--silent", "--outdir", folder, str(epub)],
                                capture_output=True, text=True, timeout=600,
                                env={**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium_path()})
        report_path = Path(folder) / "report.json"
        assert report_path.is_file(), f"Ace wrote no report (status {result.returncode}): {result.stderr[-2000:]}"
        report = json.loads(report_path.read_text(encoding="utf-8"))
    found = []
    for document in report["assertions"]:
        for assertion in document.get("assertions", []):
            test, outcome = assertion["earl:test"], assertion["earl:result"]
            where = ", ".join(outcome.get("earl:pointer", {}).get("css", [])[:1])
            found.append(f"{document['earl:testSubject']['url']}: {test['dct:title']} ({test['earl:impact']}): "
                         f"{where}: {outcome['dct:description']}")
    assert found or report["earl:result"]["earl:outcome"] == "pass", report["earl:result"]
    return found
