#!/usr/bin/python3
"""xlsx_pages — what a superior sees on paper: converts a report workbook to PDF with
LibreOffice (headless), finds where each printed sheet starts (its "Đơn vị báo cáo" block, or
the rejects sheet's title), and checks

  * every form's table fits on its first page: the total row ("Tổng cộng") is printed on the
    sheet's first page; a form without officers takes at most two pages (the table, then its
    chart); a form by officer is followed by one chart per unit;
  * no text cell is wider than its column (or its merged range) unless it wraps, and a wrapped
    cell's row is tall enough for its lines (estimated: a column of width w holds about w
    characters of the 11-point font, a line is 15 points high).

Usage: xlsx_pages.py FILE.xlsx [OUTDIR]
Prints a line per sheet (pages, first page, problems) and "OK"; exits 1 when a check fails,
2 when LibreOffice or pdftotext is missing or the conversion fails.
"""
import math
import os
import shutil
import subprocess
import sys
import tempfile

import openpyxl

LINE_PT = 15.0
DEFAULT_ROW_PT = 15.0
SLACK = 1.15  # Vietnamese diacritics are drawn above and below, not wider


def pdf_pages(xlsx, outdir):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice or not shutil.which("pdftotext"):
        print("xlsx_pages: soffice or pdftotext is missing", file=sys.stderr)
        sys.exit(2)
    env = dict(os.environ, HOME=outdir)  # a profile of its own: no lock, no user settings
    r = subprocess.run([soffice, "--headless", "--norestore", "--convert-to", "pdf",
                        "--outdir", outdir, xlsx], capture_output=True, env=env, timeout=300)
    pdf = os.path.join(outdir, os.path.splitext(os.path.basename(xlsx))[0] + ".pdf")
    if r.returncode != 0 or not os.path.exists(pdf):
        print("xlsx_pages: conversion failed: %s" % r.stderr.decode(errors="replace"),
              file=sys.stderr)
        sys.exit(2)
    text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True,
                          check=True).stdout.decode()
    pages = text.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return pages


def text_width(ws, cell, merged):
    """The width in characters the cell's text may take: its column, or its merged range."""
    for rng in merged:
        if cell.coordinate in rng:
            return sum(col_width(ws, c) for c in range(rng.min_col, rng.max_col + 1))
    return col_width(ws, cell.column)


def col_width(ws, col):
    letter = openpyxl.utils.get_column_letter(col)
    d = ws.column_dimensions.get(letter)
    if d is not None and d.width:
        return d.width
    # a range of columns given one width is stored under its first letter
    for key, dim in ws.column_dimensions.items():
        if dim.min and dim.max and dim.min <= col <= dim.max and dim.width:
            return dim.width
    return 8.43


def overflow_problems(ws):
    problems = []
    merged = list(ws.merged_cells.ranges)
    for row in ws.iter_rows():
        for cell in row:
            v = cell.value
            if not isinstance(v, str) or not v.strip():
                continue
            width = text_width(ws, cell, merged)
            longest = max(len(part) for part in v.split("\n"))
            if cell.alignment is not None and cell.alignment.wrap_text:
                lines = sum(max(1, math.ceil(len(part) / (width * SLACK)))
                            for part in v.split("\n"))
                height = ws.row_dimensions[cell.row].height or DEFAULT_ROW_PT
                span = 1
                for rng in merged:
                    if cell.coordinate in rng:
                        span = rng.max_row - rng.min_row + 1
                        height = sum(ws.row_dimensions[r].height or DEFAULT_ROW_PT
                                     for r in range(rng.min_row, rng.max_row + 1))
                if lines > 1 and height + 0.5 < (lines - 0.5) * LINE_PT and span >= 1:
                    problems.append("%s: %d lines in %.0f pt" % (cell.coordinate, lines, height))
            elif longest > width * SLACK + 1:
                problems.append("%s: %d characters in a width of %.1f" %
                                (cell.coordinate, longest, width))
    return problems


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    xlsx = sys.argv[1]
    outdir = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="xlsx_pages")
    wb = openpyxl.load_workbook(xlsx)
    printed = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
    pages = pdf_pages(xlsx, outdir)
    starts = [i for i, p in enumerate(pages)
              if "Đơn vị báo cáo" in p or "DÒNG BỊ LOẠI" in p.upper()]
    failed = False
    if len(starts) != len(printed):
        print("xlsx_pages: %d printed sheets but %d sheet starts found in %d pages" %
              (len(printed), len(starts), len(pages)))
        sys.exit(1)
    for k, ws in enumerate(printed):
        first = starts[k]
        end = starts[k + 1] if k + 1 < len(starts) else len(pages)
        n = end - first
        problems = overflow_problems(ws)
        total_row = any(c.value == "Tổng cộng" for row in ws.iter_rows() for c in row)
        if total_row:
            if "Tổng cộng" not in pages[first]:
                problems.append("the total row is not on the first page")
            by_unit = ws.cell(row=1, column=1).value is not None and not any(
                c.value == "Chấp hành viên" for row in ws.iter_rows(max_row=20) for c in row)
            if by_unit and n > 2:
                problems.append("%d pages (a form prints on one, its chart on a second)" % n)
        print("%-12s %2d page%s from page %d%s" % (ws.title, n, "" if n == 1 else "s", first + 1,
                                                 "" if not problems else ": " +
                                                 "; ".join(problems[:5])))
        failed = failed or bool(problems)
    if failed:
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
