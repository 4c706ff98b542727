#!/usr/bin/python3
"""xlsx_inspect — prints a line summary of a workbook for the writer tests (openpyxl).

Usage: xlsx_inspect.py FILE.xlsx

One fact per line, tab-separated, in a stable order:
  props    created <ISO time>
  sheet    <index> <name> <state>
  freeze   <sheet> <top-left cell or ->
  print    <sheet> <orientation> <paper size> <fit width> <fit height>
  width    <sheet> <column letter> <width>
  merge    <sheet> <range>
  autofilter <sheet> <range>
  cell     <sheet> <ref> <type n|s|d|b> <value> <number format> <b|->
  cf       <sheet> <range> <type> <formula> <fill colour>
  chart    <sheet> <kind> <bar direction> <series count> <title>
  series   <sheet> <index> <categories ref> <values ref> <name ref>
Text has \\, TAB and newlines escaped as \\\\, \\t and \\n.
"""
import datetime
import sys

import openpyxl
from openpyxl.utils import get_column_letter


def esc(v):
    s = str(v)
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def out(*fields):
    print("\t".join(esc(f) for f in fields))


def rich_title(chart):
    t = chart.title
    if t is None:
        return "-"
    try:
        parts = []
        for p in t.tx.rich.p:
            for r in (p.r or []):
                parts.append(r.t)
        return "".join(parts)
    except AttributeError:
        return "?"


def ref(x):
    if x is None:
        return "-"
    for attr in ("numRef", "strRef"):
        r = getattr(x, attr, None)
        if r is not None and r.f:
            return r.f
    return "-"


def main():
    if len(sys.argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    wb = openpyxl.load_workbook(sys.argv[1])
    created = wb.properties.created
    out("props", "created", created.isoformat() if created else "-")
    for i, ws in enumerate(wb.worksheets):
        out("sheet", i, ws.title, ws.sheet_state)
    for ws in wb.worksheets:
        name = ws.title
        out("freeze", name, ws.freeze_panes or "-")
        ps = ws.page_setup
        fit = ws.sheet_properties.pageSetUpPr
        fitting = fit is not None and fit.fitToPage
        # OOXML defaults: fitToWidth and fitToHeight are 1 when absent.
        fw = (1 if ps.fitToWidth is None else ps.fitToWidth) if fitting else "-"
        fh = (1 if ps.fitToHeight is None else ps.fitToHeight) if fitting else "-"
        out("print", name, ps.orientation or "-", ps.paperSize or "-", fw, fh)
        for key in sorted(ws.column_dimensions.keys(), key=lambda k: (len(k), k)):
            d = ws.column_dimensions[key]
            if d.customWidth or d.width:
                lo = d.min or 0
                hi = d.max or 0
                for c in range(lo, hi + 1) if lo and hi else [None]:
                    letter = get_column_letter(c) if c else key
                    out("width", name, letter, "%.2f" % d.width)
        for rng in sorted(str(r) for r in ws.merged_cells.ranges):
            out("merge", name, rng)
        if ws.auto_filter and ws.auto_filter.ref:
            out("autofilter", name, ws.auto_filter.ref)
        for row in ws.iter_rows():
            for c in row:
                v = c.value
                if v is None:
                    continue
                if isinstance(v, bool):
                    t = "b"
                elif isinstance(v, (int, float)):
                    t = "n"
                    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
                        v = int(v)
                elif isinstance(v, (datetime.datetime, datetime.date)):
                    t = "d"
                    v = v.date().isoformat() if isinstance(v, datetime.datetime) else v.isoformat()
                else:
                    t = "s"
                bold = "b" if c.font is not None and c.font.b else "-"
                out("cell", name, c.coordinate, t, v, c.number_format, bold)
        for cf in ws.conditional_formatting:
            for rule in cf.rules:
                fill = "-"
                if rule.dxf is not None and rule.dxf.fill is not None:
                    f = rule.dxf.fill
                    col = f.bgColor if f.bgColor is not None and f.bgColor.rgb not in (None, "00000000") else f.fgColor
                    fill = col.rgb if col is not None else "-"
                out("cf", name, str(cf.sqref), rule.type, ";".join(rule.formula or []), fill)
        for ch in getattr(ws, "_charts", []):
            out("chart", name, ch.tagname, getattr(ch, "type", "-") or "-", len(ch.series),
                rich_title(ch))
            for k, s in enumerate(ch.series):
                out("series", name, k, ref(s.cat), ref(s.val), ref(s.tx) if s.tx is not None else "-")
    return 0


if __name__ == "__main__":
    sys.exit(main())
