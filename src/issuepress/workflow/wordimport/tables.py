"""A writer's tables and equations -> what Markdown can hold: one line of text per cell, no merged cells; TeX.

A Markdown (pipe) table has one line per cell and cannot merge cells; pandoc
writes any other table as HTML, where a footnote is no longer a Markdown note
and no edition would number it, and where a careful editor would not have
gone. So a cell's paragraphs are joined with line breaks, and a merged cell is
split, its words in the first of the cells it covered; a table without a
header row gets its first row as the header, as a Markdown table must have
one. Each table changed so is noted. A table with a list or a picture in a cell stays HTML; if it holds a
note, that is said too.
"""

from __future__ import annotations

from ...terminal import counted
from .body import NUMBER, Article
from .facts import Facts
from .pandoc import block_lists, inline_lists, inlines_of, node

TEXT_BLOCKS = {"Para", "Plain", "Header"}
BREAK = node("RawInline", ["html", "<br>"])


def _empty_cell() -> list:
    return [["", [], []], {"t": "AlignDefault"}, 1, 1, []]


def _row_groups(table: dict) -> list[list]:
    """The table's rows, in the groups a merged cell cannot cross: the head, each body's, the foot."""
    _attr, _caption, _columns, head, bodies, foot = table["c"]
    return [head[1], *(rows for body in bodies for rows in (body[2], body[3])), foot[1]]


def _unmerge(rows: list, columns: int) -> bool:
    """Split every merged cell of these rows; whether there was one."""
    merged, covered = False, {}  # column -> rows it is still covered for, by a cell above
    for row in rows:
        cells, new, column = list(row[1]), [], 0
        while column < columns and (cells or covered.get(column)):
            if covered.get(column):
                covered[column] -= 1
                new.append(_empty_cell())
                column += 1
                continue
            cell = cells.pop(0)
            rows_spanned, columns_spanned = cell[2], cell[3]
            merged |= rows_spanned > 1 or columns_spanned > 1
            for spanned in range(column, column + columns_spanned):
                if rows_spanned > 1:
                    covered[spanned] = rows_spanned - 1
            cell[2] = cell[3] = 1
            new += [cell] + [_empty_cell() for _ in range(columns_spanned - 1)]
            column += columns_spanned
        row[1] = new + cells
    return merged


def _header_row(table: dict) -> bool:
    """A Markdown table starts with its header row: a table without one gets its first row as the header."""
    head, bodies = table["c"][3], table["c"][4]
    if head[1] or not bodies:
        return False
    body = bodies[0]
    rows = body[2] if body[2] else body[3]
    if not rows:
        return False
    head[1].append(rows.pop(0))
    return True


def _without_empty_columns(table: dict) -> bool:
    """Leave out columns with nothing in any row (a merged cell's grid, often); whether there were any."""
    rows = [row for rows in _row_groups(table) for row in rows]
    columns = len(table["c"][2])
    empty = [column for column in range(columns) if all(len(row[1]) > column and not row[1][column][4]
                                                         for row in rows)]
    if len(empty) == columns:  # a table with nothing in it stays as the writer made it
        return False
    for column in reversed(empty):
        del table["c"][2][column]
        for row in rows:
            del row[1][column]
    return bool(empty)


def _one_line(cell: list) -> bool:
    """Make the cell one Plain line (paragraphs joined with line breaks); whether it had to be joined."""
    blocks = cell[4]
    if not all(block["t"] in TEXT_BLOCKS for block in blocks):
        return False
    joined: list = []
    for block in blocks:
        joined += ([BREAK] if joined else []) + inlines_of(block)
    for inlines in inline_lists(joined):  # pandoc writes a table whose cell has a line break as HTML; <br> it keeps
        inlines[:] = [BREAK if element["t"] == "LineBreak" else element for element in inlines]
    cell[4] = [node("Plain", joined)] if joined else []
    return len(blocks) > 1


def simple_tables(article: Article, facts: Facts) -> None:
    for block_list in block_lists(article.tree):
        for table in block_list:
            if table["t"] != "Table":
                continue
            columns = len(table["c"][2])
            merged = any([_unmerge(rows, columns) for rows in _row_groups(table)])
            cells = [cell for rows in _row_groups(table) for row in rows for cell in row[1]]
            first = next((block for cell in cells for block in cell[4] if NUMBER in block), None)
            where = facts.paragraph(first.get(NUMBER)).where if first is not None else "a table"
            joined = any([_one_line(cell) for cell in cells])
            headed = _header_row(table)
            emptied = _without_empty_columns(table)
            table["c"][0] = ["", [], []]  # (pandoc's widths would be a style attribute, which no edition keeps)
            table["c"][2] = [[alignment, {"t": "ColWidthDefault"}] for alignment, _width in table["c"][2]]
            if merged or joined or headed or emptied:
                what = " and ".join(part for part, found in (
                    ("its first row is its header", headed), ("merged cells are split (the words in the first)",
                                                              merged),
                    ("a cell's paragraphs are lines of one", joined), ("empty columns are left out", emptied))
                    if found)
                article.note(f"the table starting at {where}: {what}, as a Markdown table has them", table)
            if any(len(cell[4]) > 1 or (cell[4] and cell[4][0]["t"] != "Plain") for cell in cells) and any(
                    element["t"] == "Note" for inlines in inline_lists(cells) for element in inlines):
                article.note(f"the table starting at {where} has a list or a picture in a cell, so it is written "
                             "as HTML, where its footnote is not a note: move the note out of the table", table)


def equations_as_code(article: Article) -> None:
    """Word's equations arrive as TeX; issuepress does not set equations, so each is kept as its TeX source
    in code type (pandoc would write GitHub's $`...`$, which issuepress would print with its dollars)."""
    found = []
    for inlines in inline_lists(article.tree):
        for index, element in enumerate(inlines):
            if element["t"] == "Math":
                found.append(element["c"][1])
                inlines[index] = node("Code", [["", [], []], element["c"][1]])
    if found:
        article.note(f"{counted(len(found), 'equation')} (first: {found[0][:40]}) kept as TeX source, in code "
                     "type: issuepress does not set equations; make them pictures if they must look typeset")
