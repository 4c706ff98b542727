#!/usr/bin/env bash
# bench_xlsx.sh — reading cases as .xlsx against reading the same cases as CSV (issue 16: at
# most 3x). A sample of XLSX_CASES cases (default 1000000; XLSX_PROFILE default or backlog) is
# made with `thongke sample`; its cases.csv is written as cases.xlsx in both string shapes
# (tests/tools/csv2xlsx.py): "inline", every string in its cell as openpyxl writes it (its
# write-only mode, minutes at 1M), and "shared", strings in the shared-string table as Excel
# writes them. Then, XLSX_REPS times (default 3), alternating:
#   - cases alone: each cases file beside a header-only events.csv, `--year 2012` (nothing in
#     scope, so the run is the read): the "đọc" stage is the cost of reading the cases file;
#   - the whole report (--year 2026 --months 12) with the sample's events.csv and thahc.csv.
# Medians and ratios are printed and appended to $BENCH_DIR/results-xlsx.txt; cells.csv and
# cases.csv must be identical between CSV and both workbooks.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
THONGKE=${THONGKE:-./thongke}
BENCH_DIR=${BENCH_DIR:-build/bench}
N=${XLSX_CASES:-1000000}
REPS=${XLSX_REPS:-3}
PROFILE=${XLSX_PROFILE:-default}
W=$BENCH_DIR/xlsx-$N-$PROFILE
mkdir -p "$W"
if [[ ! -f $W/src/cases.csv ]]; then
    rm -rf "$W/src"
    "$THONGKE" sample --out "$W/src" --cases "$N" --profile "$PROFILE" >/dev/null
fi
for shape in inline shared; do
    if [[ ! -f $W/$shape.xlsx ]]; then
        mode=$([[ $shape == inline ]] && echo fast || echo excel)
        /usr/bin/python3 tests/tools/csv2xlsx.py $mode "$W/src/cases.csv" "$W/$shape.tmp"
        mv "$W/$shape.tmp" "$W/$shape.xlsx"
    fi
done
# folders of hard links: alone-{csv,inline,shared} (cases and an empty events.csv), all-{...}
for f in csv inline shared; do
    for k in alone all; do
        rm -rf "$W/$k-$f" && mkdir -p "$W/$k-$f"
        if [[ $f == csv ]]; then ln "$W/src/cases.csv" "$W/$k-$f/cases.csv"
        else ln "$W/$f.xlsx" "$W/$k-$f/cases.xlsx"; fi
    done
    head -1 "$W/src/events.csv" >"$W/alone-$f/events.csv"
    ln "$W/src/events.csv" "$W/src/thahc.csv" "$W/all-$f/"
done
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for k in alone all; do for f in csv inline shared; do : >"$W/ms-$k-$f"; done; done
for ((i = 0; i < REPS; i++)); do
    for k in alone all; do
        year=$([[ $k == alone ]] && echo 2012 || echo 2026)
        for f in csv inline shared; do
            log=$W/log-$k-$f
            "$THONGKE" report --year $year --months 12 --input "$W/$k-$f" --out "$W/out-$k-$f" 2>"$log"
            # "thongke: đọc: N ms; ..." is the read stage; "tổng N ms" the whole run
            if [[ $k == alone ]]; then grep -o 'đọc: [0-9]* ms' "$log" | grep -o '[0-9]*' >>"$W/ms-$k-$f"
            else grep -o 'tổng [0-9]* ms' "$log" | grep -o '[0-9]*' >>"$W/ms-$k-$f"; fi
        done
    done
done
for k in alone all; do for f in inline shared; do for o in cells.csv cases.csv; do
    cmp -s "$W/out-$k-csv/$o" "$W/out-$k-$f/$o" || { echo "bench_xlsx: $k-$f $o differs" >&2; exit 1; }
done; done; done
declare -A M
for k in alone all; do for f in csv inline shared; do M[$k-$f]=$(median <"$W/ms-$k-$f"); done; done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
line="xlsx bench, $N cases ($PROFILE), $REPS runs: reading cases alone csv ${M[alone-csv]} ms, inline xlsx ${M[alone-inline]} ms ($(ratio ${M[alone-inline]} ${M[alone-csv]})x), shared xlsx ${M[alone-shared]} ms ($(ratio ${M[alone-shared]} ${M[alone-csv]})x); whole report csv ${M[all-csv]} ms, inline ${M[all-inline]} ms ($(ratio ${M[all-inline]} ${M[all-csv]})x), shared ${M[all-shared]} ms ($(ratio ${M[all-shared]} ${M[all-csv]})x); cases.csv $(stat -c %s "$W/src/cases.csv") B, inline $(stat -c %s "$W/inline.xlsx") B, shared $(stat -c %s "$W/shared.xlsx") B"
echo "$line" | tee -a "$BENCH_DIR/results-xlsx.txt"
