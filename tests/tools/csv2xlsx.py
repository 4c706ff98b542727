#!/usr/bin/python3
"""csv2xlsx — the same export as an .xlsx written by another program (openpyxl), for tests.

usage: csv2xlsx.py MODE IN.csv OUT.xlsx [ROWS_PER_SHEET]
  typed  dates (dd/mm/yyyy, yyyy-mm-dd) as real dates with a date format, integers as numbers
  text   every cell as a string
  title  typed, two title rows (one merged) above the header, a notes sheet first, the rows split
         over sheets of ROWS_PER_SHEET rows each repeating the header
  1904   typed, with the workbook's 1904 date system
  fast   typed, written in openpyxl's write-only mode (for the benchmark's large files)
  plant  typed, with two bad cells: K17 (so_tien_phai_thi_hanh) the number 12.5 and F20
         (ngay_thu_ly) the text 31/02/2020
"""
import csv
import datetime
import re
import sys

import openpyxl

DMY = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
YMD = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
INT = re.compile(r"^-?[1-9]\d{0,14}$|^0$")


def typed(v):
    m = DMY.match(v)
    if m:
        try:
            return datetime.date(int(m[3]), int(m[2]), int(m[1]))
        except ValueError:
            return v
    m = YMD.match(v)
    if m:
        try:
            return datetime.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return v
    if INT.match(v):
        return int(v)
    return v if v != "" else None


def put(ws, row, mode):
    out = []
    for v in row:
        c = typed(v) if mode != "text" else (v if v != "" else None)
        out.append(c)
    ws.append(out)
    if mode != "text":
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, datetime.date):
                cell.number_format = "dd/mm/yyyy"


def fast(src, dst):
    from openpyxl.cell import WriteOnlyCell
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Sheet1")
    with open(src, newline="", encoding="utf-8-sig") as f:
        rows = csv.reader(f)
        ws.append(next(rows))
        for r in rows:
            out = []
            for v in r:
                t = typed(v)
                if isinstance(t, datetime.date):
                    c = WriteOnlyCell(ws, value=t)
                    c.number_format = "dd/mm/yyyy"
                    t = c
                out.append(t)
            ws.append(out)
    wb.save(dst)


def main():
    mode, src, dst = sys.argv[1], sys.argv[2], sys.argv[3]
    per = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    if mode == "fast":
        fast(src, dst)
        return
    with open(src, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    wb = openpyxl.Workbook()
    if mode == "1904":
        wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    ws = wb.active
    ws.title = "Sheet1"
    header, body = rows[0], rows[1:]
    if mode == "title":
        ws.title = "Ghi chú"
        ws.append(["Danh sách này xuất từ phần mềm quản lý thi hành án"])
        n = 0
        chunks = [body[i:i + per] for i in range(0, len(body), per)] if per else [body]
        for chunk in chunks:
            n += 1
            s = wb.create_sheet("Trang %d" % n)
            if n == 1:
                s.append(["DANH SÁCH VIỆC THI HÀNH ÁN"])
                s.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
                s.append(["Đơn vị:", "Cục THADS"])
            s.append(header)
            for r in chunk:
                put(s, r, "typed")
    else:
        ws.append(header)
        for r in body:
            put(ws, r, "typed" if mode == "plant" else mode)
    if mode == "plant":
        ws["K17"] = 12.5
        ws["F20"] = "31/02/2020"
    wb.save(dst)


main()
