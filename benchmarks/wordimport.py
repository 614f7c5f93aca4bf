"""Benchmark `issuepress import`: a 10,000-word Word file with 20 photographs, against pandoc converting it alone.

The writer's file is made first (not timed) by pandoc's Word writer from the
Strand corpus: the first 10,000 words of the stories, in paragraphs as
written, with 20 photographs (1600 x 1200 JPEG of a smooth picture under
noise, 100-200 KB each, as a phone's photograph scaled down), 12 footnotes,
a table, a French passage, a tracked insertion and deletion, and a comment.

Each round then times two child processes (wall time, peak RSS from
os.wait4):

- **import**: `issuepress import 1891-07 writer.docx --accept-changes --as
  big --force` into a temp magazine (reading, checking, converting, writing
  the article, 20 pictures and the manifest);
- **pandoc alone**: `pandoc writer.docx --track-changes=accept -t gfm
  --extract-media DIR -o out.md`, the converter with no checks: the floor.

It prints the medians, the ratio of the two (median of each round's ratio),
and whether the import stays under the issue's 3 seconds.

    .venv/bin/python benchmarks/wordimport.py [--runs 5] [--keep]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import pypandoc
from PIL import Image, ImageFilter

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from conftest import STRAND_ORDER, corpus_dir, make_strand_magazine  # noqa: E402
from subscribers import run  # noqa: E402  (wall seconds, peak RSS, stderr of one child process)

ISSUEPRESS = Path(sys.executable).parent / "issuepress"
PANDOC = pypandoc.get_pandoc_path()
WORDS, PICTURES, NOTES = 10_000, 20, 12
LIMIT = 3.0  # seconds: the issue's target


def photograph(path: Path, seed: int) -> None:
    """A 1600 x 1200 JPEG that compresses like a photograph: smooth shapes, fine noise."""
    rng = random.Random(seed)
    small = Image.new("RGB", (16, 12))
    small.putdata([tuple(rng.randrange(256) for _ in range(3)) for _ in range(16 * 12)])
    picture = small.resize((1600, 1200), Image.BICUBIC).filter(ImageFilter.GaussianBlur(30))
    noise = Image.effect_noise((1600, 1200), 24).convert("RGB")
    Image.blend(picture, noise, 0.12).save(path, quality=80)


def writer_markdown(folder: Path) -> tuple[str, int]:
    """The text pandoc turns into the writer's file, and how many words of prose it has."""
    paragraphs: list[str] = []
    count = 0
    for name in STRAND_ORDER:
        text = (corpus_dir() / f"{name}.md").read_text(encoding="utf-8").split("---\n", 2)[2]
        for paragraph in text.split("\n\n"):
            paragraph = paragraph.strip()
            if not paragraph or paragraph.startswith(("#", "!", "<", "|")):
                continue
            paragraphs.append(paragraph)
            count += len(paragraph.split())
            if count >= WORDS:
                break
        if count >= WORDS:
            break
    every = len(paragraphs) // PICTURES
    lines = ['---\ntitle: "Two Adventures"\nauthor: Arthur Conan Doyle\n---\n']
    for index, paragraph in enumerate(paragraphs):
        if index % (len(paragraphs) // NOTES) == 5:
            paragraph += f"[^n{index}]\n\n[^n{index}]: A note on paragraph {index}, as an editor adds them."
        if index == 10:
            paragraph += (' [Elle ne le savait pas encore]{lang=fr}. [In this, he was '
                          'right.]{.insertion author="Ed Itor" date="2024-10-01T09:00:00Z"} [An idle remark '
                          'struck out.]{.deletion author="Ed Itor" date="2024-10-01T09:01:00Z"} [Check this '
                          'date]{.comment-start id="1" author="Ed Itor" date="2024-10-01T09:02:00Z"}Baker '
                          'Street[]{.comment-end id="1"}.')
        lines.append(paragraph)
        if index % every == every - 1 and index // every < PICTURES:
            number = index // every + 1
            photograph(folder / f"photo-{number}.jpg", number)
            lines.append(f"![Photograph {number}: Baker Street at dusk, as the story has it](photo-{number}.jpg)")
        if index == 40:
            lines.append("| Day | Client | Fee |\n|---|---|---|\n| Monday | A king | 1,000 |\n"
                         "| Tuesday | A clerk | nothing |")
    return "\n\n".join(lines) + "\n", count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="rounds of measurements (default 5)")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder and say where it is")
    arguments = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="issuepress-wordimport-"))
    try:
        markdown, words = writer_markdown(folder)
        (folder / "writer.md").write_text(markdown, encoding="utf-8")
        subprocess.run([PANDOC, "writer.md", "-o", "writer.docx"], cwd=folder, check=True, timeout=300)
        docx = folder / "writer.docx"
        root = make_strand_magazine(folder / "magazine")
        imports, floors, ratios, memory = [], [], [], []
        for round_number in range(arguments.runs):
            wall, rss, _said = run([str(ISSUEPRESS), "import", "1891-07", str(docx), "--accept-changes", "--as", "big",
                             "--force"], root)
            media = folder / f"media-{round_number}"
            floor, _rss, _said = run([PANDOC, str(docx), "--track-changes=accept", "-t", "gfm", "--extract-media",
                            str(media), "-o", str(folder / "pandoc.md")], folder)
            imports.append(wall)
            floors.append(floor)
            ratios.append(wall / floor)
            memory.append(rss)
        article = (root / "issues/1891-07/articles/big.md").read_text(encoding="utf-8")
        body = article.split("\n---\n", 1)[1]
        imported_words = len(re.sub(r"!\[[^\]]*\]\([^)]*\)|<[^>]+>|\[\^n\d+\]:?", " ", body).split())
        pictures = sorted((root / "issues/1891-07/images").glob("big-*.jpg"))
        print(f"cores: {os.cpu_count()}; file: {docx.stat().st_size / 1e6:.1f} MB, {words:,} words of prose, "
              f"{len(pictures)} pictures saved; article: {imported_words:,} words (prose, notes, table, alt "
              f"text); {arguments.runs} rounds\n")
        print("| measurement | median wall s | min s | max s | peak RSS MB |")
        print("|---|---|---|---|---|")
        print(f"| issuepress import | {statistics.median(imports):.2f} | {min(imports):.2f} | {max(imports):.2f} "
              f"| {max(memory):.0f} |")
        print(f"| pandoc alone | {statistics.median(floors):.2f} | {min(floors):.2f} | {max(floors):.2f} | |")
        print(f"\nimport / pandoc alone: {statistics.median(ratios):.1f}x (median of the rounds' ratios)")
        verdict = "under" if statistics.median(imports) < LIMIT else "OVER"
        print(f"import median {statistics.median(imports):.2f} s: {verdict} the {LIMIT:.0f} s target")
    finally:
        if arguments.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
