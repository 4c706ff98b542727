#!/usr/bin/python3
"""csv2xlsx — the same export as an .xlsx written by another program (openpyxl), for tests.

usage: csv2xlsx.py MODE IN.csv OUT.xlsx [ROWS_PER_SHEET]
  typed  dates (dd/mm/yyyy, yyyy-mm-dd) as real dates with a date format, integers as numbers
  text   every cell as a string
  title  typed, two title rows (one merged) above the header, a notes sheet first, the rows split
         over sheets of ROWS_PER_SHEET rows each repeating the header
  1904   typed, with the workbook's 1904 date system
  fast   typed, written in openpyxl's write-only mode (for the benchmark's large files); openpyxl
         writes every string inline in its cell (<is><t>)
  excel  typed, the XML written directly the way Excel writes it: strings in the shared-string
         table (<c t="s"><v>index</v>), cell references, row spans, dates as serials styled
         with format 14 (for the benchmark: both string shapes must be measured)
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


def col_name(i):
    n = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        n = chr(65 + r) + n
    return n


def xml_text(v):
    return v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def excel(src, dst):
    """The sheet XML streamed into the archive; the shared strings collected on the way."""
    import zipfile
    ns = ('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
    sst, count = {}, 0
    epoch = datetime.date(1899, 12, 30)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        with open(src, newline="", encoding="utf-8-sig") as f, \
                z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as w:
            w.write(('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<worksheet ' + ns +
                     ' xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
                     'mc:Ignorable="x14ac" xmlns:x14ac="http://schemas.microsoft.com/office/'
                     'spreadsheetml/2009/9/ac"><sheetData>').encode())
            names = None
            out = []
            for rn, r in enumerate(csv.reader(f), 1):
                if names is None or len(names) < len(r):
                    names = [col_name(i) for i in range(len(r))]
                cells = []
                for i, v in enumerate(r):
                    t = typed(v) if rn > 1 else (v if v != "" else None)
                    ref = names[i] + str(rn)
                    if t is None:
                        continue
                    if isinstance(t, datetime.date):
                        cells.append('<c r="%s" s="1"><v>%d</v></c>' % (ref, (t - epoch).days))
                    elif isinstance(t, int):
                        cells.append('<c r="%s"><v>%d</v></c>' % (ref, t))
                    else:
                        k = sst.get(t)
                        if k is None:
                            k = sst[t] = len(sst)
                        count += 1
                        cells.append('<c r="%s" t="s"><v>%d</v></c>' % (ref, k))
                out.append('<row r="%d" spans="1:%d" x14ac:dyDescent="0.25">%s</row>'
                           % (rn, len(r), "".join(cells)))
                if len(out) == 4096:
                    w.write("".join(out).encode())
                    out = []
            w.write(("".join(out) + "</sheetData></worksheet>").encode())
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as w:
            w.write(('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<sst ' + ns +
                     ' count="%d" uniqueCount="%d">' % (count, len(sst))).encode())
            out = []
            for t in sst:
                sp = ' xml:space="preserve"' if t != t.strip() else ""
                out.append("<si><t%s>%s</t></si>" % (sp, xml_text(t)))
                if len(out) == 4096:
                    w.write("".join(out).encode())
                    out = []
            w.write(("".join(out) + "</sst>").encode())
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<Types xmlns='
                   '"http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                   'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
                   'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                   '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
                   'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                   '<Override PartName="/xl/styles.xml" ContentType="application/vnd.'
                   'openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
                   '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
                   'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<Relationships '
                   'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
                   '</Relationships>')
        z.writestr("xl/workbook.xml",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<workbook ' + ns +
                   '><workbookPr defaultThemeVersion="166925"/><sheets><sheet name="Sheet1" '
                   'sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<Relationships '
                   'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                   '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/styles" Target="styles.xml"/>'
                   '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                   '</Relationships>')
        z.writestr("xl/styles.xml",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<styleSheet ' + ns +
                   '><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
                   '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
                   '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0"'
                   ' fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf '
                   'numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" '
                   'fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
                   '</styleSheet>')


def main():
    mode, src, dst = sys.argv[1], sys.argv[2], sys.argv[3]
    per = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    if mode == "fast":
        fast(src, dst)
        return
    if mode == "excel":
        excel(src, dst)
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
