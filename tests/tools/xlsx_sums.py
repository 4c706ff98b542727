#!/usr/bin/python3
"""xlsx_sums — reads a report workbook back (openpyxl) and checks what a superior checks on the
printed forms whose money is rounded (the sheets with the "Ghi chú: số tiền làm tròn" note):
every total row equals the sum of its data rows, and every subtotal the sum of its group, for
every numeric column, on the values shown.

Usage: xlsx_sums.py [--all] FILE.xlsx [IDENTITY ...]
--all: every sheet with a total row, noted or not (to see an unbalanced workbook fail).
IDENTITY: SHEET:LHS=RHS1+RHS2... with column header labels' positions as 1-based column
numbers among the numeric columns, e.g. "B02:6=7+15+16" (phai_thi_hanh = co_dk + hoan_tdc +
chua_co_dk), checked on every data, subtotal and total row.

Prints one line per sheet checked and "OK" at the end; exits 1 on the first mismatch.
"""
import sys

import openpyxl


def numeric(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def sheet_rows(ws):
    """(label, [numbers]) of the table's rows: those whose numeric cells start at the column
    where the total row's numbers start; and which of the columns are rates (decimals)."""
    cells = list(ws.iter_rows())
    rows = [[c.value for c in r] for r in cells]
    total = None
    for i, r in enumerate(rows):
        if r and r[0] == "Tổng cộng":
            total = i
    if total is None:
        return None, None
    first = next(j for j, v in enumerate(rows[total]) if numeric(v))
    last = max(j for j, v in enumerate(rows[total]) if numeric(v))
    table = []
    i = total
    while i >= 0:
        r = rows[i]
        if len(r) <= last or not all(numeric(v) or v is None for v in r[first:last + 1]) or \
           not any(numeric(v) for v in r[first:last + 1]):
            break
        table.append((r[:first], r[first:last + 1]))
        i -= 1
    table.reverse()
    rates = [".0" in (c.number_format or "") for c in cells[total][first:last + 1]]
    return table, rates


def main():
    args = sys.argv[1:]
    every = args[0] == "--all"
    if every:
        args = args[1:]
    wb = openpyxl.load_workbook(args[0])
    identities = {}
    for arg in args[1:]:
        sheet, eq = arg.split(":", 1)
        lhs, rhs = eq.split("=")
        identities.setdefault(sheet, []).append((int(lhs), [int(x) for x in rhs.split("+")]))
    checked = 0
    for ws in wb.worksheets:
        if not every and not any(isinstance(c.value, str) and
                                 c.value.startswith("Ghi chú: số tiền làm tròn")
                                 for r in ws.iter_rows() for c in r):
            continue
        table, rates = sheet_rows(ws)
        if not table:
            print("no total row in", ws.title)
            return 1
        total_labels, total = table[-1]
        data = [(lab, v) for lab, v in table[:-1]]
        # subtotal rows are those whose later label cells are empty while an earlier one is not
        nlab = len(total_labels)
        leaves = [v for lab, v in data if nlab < 2 or lab[-1] not in (None, "")]
        for j, t in enumerate(total):
            if t is None or rates[j]:
                continue
            s = sum(v[j] or 0 for v in leaves)
            if s != t:
                print(f"{ws.title}: column {j + 1}: total {t} != sum of rows {s}")
                return 1
        for lhs, rhs in identities.get(ws.title, []):
            for lab, v in table:
                if v[lhs - 1] != sum(v[k - 1] for k in rhs):
                    print(f"{ws.title}: row {lab}: column {lhs} = {v[lhs - 1]} != "
                          f"{'+'.join(str(v[k - 1]) for k in rhs)}")
                    return 1
        print(f"{ws.title}: {len(leaves)} rows, {len(total) - sum(rates)} columns add up")
        checked += 1
    print("OK", checked)
    return 0


if __name__ == "__main__":
    sys.exit(main())
