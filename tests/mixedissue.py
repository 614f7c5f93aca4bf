"""A test issue that puts in one place what accessibility checkers look hardest at: tables (a wide one, one with a
caption, one in Urdu), images (figures with captions, a photograph, one inside a note), footnotes (holding a list
and a table's source), links in running text, block quotes, and an Urdu article with English words in it."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import copy_sample

ISSUE = "2025-01"

TABLES = """---
title: What the harbour charges
subtitle: Tolls, berths and the arithmetic of a small port
authors: [samira-qadir]
section: Analysis
---
The port's tolls were last set in 2019, and the [harbour board](https://example.org/board) has argued about them
ever since.[^tolls] What a boat pays depends on its length, its cargo and the season:

| Vessel | Length (m) | Cargo | Summer toll | Winter toll | Berth a night |
| ------ | ---------: | ----- | ----------: | ----------: | ------------: |
| Ferry | 32 | Passengers | 1,200 | 900 | 150 |
| Dhow | 18 | Dates, cloth | 640 | 480 | 90 |
| Trawler | 24 | Fish | 720 | 720 | 110 |
| Yacht | 14 | None | 2,000 | 1,500 | 400 |

The board's own accounts tell a simpler story.

<table>
<caption>Income of the harbour board, in thousands</caption>
<thead><tr><th scope="col">Year</th><th scope="col">Tolls</th><th scope="col">Berths</th></tr></thead>
<tbody><tr><th scope="row">2022</th><td>310</td><td>95</td></tr>
<tr><th scope="row">2023</th><td>298</td><td>102</td></tr></tbody>
</table>

> A harbour is a promise that the sea can be bargained with.

Tolls are one thing, *dredging* another: the channel silts up every monsoon, and the board's second note says
what it cost.[^dredging]

[^tolls]: The board's minutes list three reasons:

    - the ferries carry most of the town's workers;
    - the fishing fleet has shrunk by a third;
    - yachts pay what they are asked.

[^dredging]: About 140,000 a year since 2020, from the [board's accounts](https://example.org/accounts).
"""

PICTURES = """---
title: Pictures from the quay
authors: [bilal-anwar]
section: Culture
---
The quay at dusk, as a photographer on the night ferry saw it.

![The old quay at dusk: a row of moored boats under a violet sky, the town's lights behind them](../images/cover.jpg "The quay from the night ferry")

The board's chart of the channel's depth shows the silt coming back each year.[^chart]

![A chart of the channel's depth from 1830 to 2021, falling after every monsoon](../images/timeline.png "Depth of the channel")

What the chart does not show:

1. the dredger's own breakdowns,
2. the tides, and
   - the spring tides especially,
   - which move the sandbanks;
3. the weather.

[^chart]: Drawn from the board's soundings, a small copy of which is here:
    ![The same chart, small](../images/timeline.png)
"""

URDU = """---
title: "بندرگاہ کی شام"
subtitle: "کشتیاں، محصول اور ایک پرانا گھاٹ"
authors: [nadia-hussain]
section: Urdu Page
language: ur
---
شام ڈھلے کشتیاں گھاٹ پر لوٹ آتی ہیں اور ملاح جال سمیٹنے لگتے ہیں۔[^1] بورڈ کے دفتر پر <span lang="en">Harbour Board</span> کی تختی
اب بھی لگی ہے۔

| کشتی | لمبائی | محصول |
| ---- | -----: | ----: |
| فیری | 32 | 1,200 |
| دھاؤ | 18 | 640 |

مچھیرے کہتے ہیں کہ محصول ہر سال بڑھتا ہے مگر گھاٹ وہی پرانا ہے۔[^2]

[^1]: گھاٹ کی پرانی سیڑھیاں انیسویں صدی کی ہیں۔

[^2]: بورڈ کے حساب کے مطابق، <span lang="en">2023</span> میں آمدنی کم ہوئی۔
"""

NOTE = """---
title: From the editor
---
This issue is about a harbour: what it charges, what it looks like at dusk, and how it sounds in Urdu.
"""


def make_mixed_issue(root: Path) -> Path:
    """The sample magazine with a second issue, `2025-01`, of the pieces above and the sample's images."""
    copy_sample(root)
    folder = root / "issues" / ISSUE
    (folder / "articles").mkdir(parents=True)
    shutil.copytree(root / "issues/2024-11/images", folder / "images")
    for name, text in {"tables": TABLES, "pictures": PICTURES, "urdu": URDU}.items():
        (folder / "articles" / f"{name}.md").write_text(text, encoding="utf-8")
    (folder / "editors-note.md").write_text(NOTE, encoding="utf-8")
    (folder / "issue.yaml").write_text(
        "volume: 7\nnumber: 1\ndate: 2025-01-01\neditor: Rashed Rahman\nlanguage: en\ncover: images/cover.jpg\n"
        "description: A harbour's tolls, its quay at dusk, and an Urdu page.\neditors_note: editors-note.md\n"
        "articles:\n  - articles/tables.md\n  - articles/pictures.md\n  - articles/urdu.md\n", encoding="utf-8")
    return root
