#!/usr/bin/env bash
# bench_xlsx.sh — reading cases as .xlsx against reading the same cases as CSV (issue 16: at
# most 3x). A sample of XLSX_CASES cases (default 1000000) is made with `thongke sample`, its
# cases.csv written as cases.xlsx with real dates and numbers (tests/tools/csv2xlsx.py fast,
# slow: minutes at 1M), then `thongke report` runs XLSX_REPS times (default 3) on each folder,
# alternating; the medians of the "đọc" stage (reading cases and events) and of the whole run
# are printed and appended to $BENCH_DIR/results-xlsx.txt. Outputs must be identical.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
THONGKE=${THONGKE:-./thongke}
BENCH_DIR=${BENCH_DIR:-build/bench}
N=${XLSX_CASES:-1000000}
REPS=${XLSX_REPS:-3}
W=$BENCH_DIR/xlsx-$N
mkdir -p "$W"
if [[ ! -f $W/xlsx/cases.xlsx ]]; then
    rm -rf "$W/csv" "$W/xlsx"
    "$THONGKE" sample --out "$W/csv" --cases "$N" >/dev/null
    mkdir -p "$W/xlsx"
    cp "$W/csv/events.csv" "$W/csv/thahc.csv" "$W/xlsx/"
    /usr/bin/python3 tests/tools/csv2xlsx.py fast "$W/csv/cases.csv" "$W/xlsx/cases.xlsx"
fi
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
: >"$W/read-csv" >"$W/read-xlsx" >"$W/all-csv" >"$W/all-xlsx"
for ((i = 0; i < REPS; i++)); do
    for f in csv xlsx; do
        log=$W/log-$f
        "$THONGKE" report --year 2026 --months 12 --input "$W/$f" --out "$W/out-$f" 2>"$log"
        # "thongke: đọc: N ms; ..." is the read stage; "tổng N ms" the whole run
        grep -o 'đọc: [0-9]* ms' "$log" | grep -o '[0-9]*' >>"$W/read-$f"
        grep -o 'tổng [0-9]* ms' "$log" | grep -o '[0-9]*' >>"$W/all-$f"
    done
done
for o in cells.csv cases.csv; do
    cmp -s "$W/out-csv/$o" "$W/out-xlsx/$o" || { echo "bench_xlsx: $o differs" >&2; exit 1; }
done
rc=$(median <"$W/read-csv"); rx=$(median <"$W/read-xlsx")
tc=$(median <"$W/all-csv"); tx=$(median <"$W/all-xlsx")
line="xlsx bench, $N cases, $REPS runs: read stage csv ${rc:-?} ms, xlsx ${rx:-?} ms; whole report csv $tc ms, xlsx $tx ms; cases.csv $(stat -c %s "$W/csv/cases.csv") B, cases.xlsx $(stat -c %s "$W/xlsx/cases.xlsx") B"
echo "$line" | tee -a "$BENCH_DIR/results-xlsx.txt"
