#!/usr/bin/env python3
"""compare — checks thongke's cells.csv against the DuckDB reference (tests/bench/README.md).

Usage: compare.py REFERENCE.csv CELLS.csv [--max N]

Both files have the header `form,row,column,value`. Every cell of REFERENCE must be in CELLS
with the same value (compared as text: integers, đồng, rates with two decimals, empty for an
empty rate). For each form of REFERENCE, CELLS must not have rows that REFERENCE lacks.
Forms and columns that REFERENCE does not compute are ignored.
Prints each mismatch (at most N, default 50) and a summary line; exit 0 when all match,
1 when any differ, 2 on a usage or file error.
"""
import argparse
import csv
import sys


def load(path):
    """Returns ({(form, row, column): value}, [order]) read from a cells.csv-shaped file."""
    cells = {}
    order = []
    with open(path, newline="", encoding="utf-8-sig") as f:
        r = csv.reader(f)
        header = next(r, None)
        if header != ["form", "row", "column", "value"]:
            raise ValueError(f"{path}: header is {header}, want form,row,column,value")
        for n, rec in enumerate(r, start=2):
            if not rec:
                continue
            if len(rec) != 4:
                raise ValueError(f"{path}:{n}: {len(rec)} fields, want 4")
            key = (rec[0], rec[1], rec[2])
            if key in cells:
                raise ValueError(f"{path}:{n}: cell {'/'.join(key)} appears twice")
            cells[key] = rec[3]
            order.append(key)
    return cells, order


def compare(ref, ref_order, got):
    """Returns the list of mismatch messages."""
    out = []
    for key in ref_order:
        want = ref[key]
        if key not in got:
            out.append(f"missing  {key[0]} {key[1]} {key[2]}: reference {want!r}")
        elif got[key] != want:
            out.append(f"differs  {key[0]} {key[1]} {key[2]}: reference {want!r}, "
                       f"cells.csv {got[key]!r}")
    forms = {k[0] for k in ref}
    ref_rows = {(k[0], k[1]) for k in ref}
    extra = sorted({(k[0], k[1]) for k in got if k[0] in forms} - ref_rows)
    for form, row in extra:
        out.append(f"extra    {form} row {row!r} is only in cells.csv")
    return out


def main(argv):
    ap = argparse.ArgumentParser(prog="compare.py",
                                 description="Compare thongke cells.csv with the DuckDB reference.")
    ap.add_argument("reference")
    ap.add_argument("cells")
    ap.add_argument("--max", type=int, default=50, help="mismatches printed (default 50)")
    a = ap.parse_args(argv[1:])
    try:
        ref, ref_order = load(a.reference)
        got, _ = load(a.cells)
    except (OSError, ValueError, UnicodeDecodeError) as e:
        print(f"compare: {e}", file=sys.stderr)
        return 2
    if not ref:
        print(f"compare: {a.reference} has no cells", file=sys.stderr)
        return 2
    bad = compare(ref, ref_order, got)
    for line in bad[:a.max]:
        print(line)
    if len(bad) > a.max:
        print(f"... and {len(bad) - a.max} more")
    forms = ",".join(sorted({k[0] for k in ref}))
    if bad:
        print(f"compare: {len(bad)} of {len(ref)} reference cells ({forms}) differ")
        return 1
    print(f"compare: all {len(ref)} reference cells ({forms}) match")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
