#!/bin/bash
# bench_rules.sh — how long `thongke check` takes on hostile rule-file shapes (issue "Hardening"
# 13, 14). Each shape is generated into a temporary folder, run BENCH_REPS times (best time and
# peak memory kept), and printed with its exit code: 0 compiled, 2 refused with a located
# message; a signal (>128) is a crash and fails the script. REF_BIN=path adds a column for
# another build (the reference: an older thongke) on the same files, killed after REF_TIMEOUT s.
#
# Usage: bash tests/bench/bench_rules.sh [path/to/thongke]     (make bench-rules)
set -euo pipefail
KEEP=${KEEP:-}
BIN=${1:-build/release-cc/thongke}
REPS=${BENCH_REPS:-3}
REF_BIN=${REF_BIN:-}
REF_TIMEOUT=${REF_TIMEOUT:-120}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
W=$(mktemp -d "${TMPDIR:-/tmp}/thongke-bench-rules-XXXXXX")
[ -n "$KEEP" ] || trap 'rm -rf "$W"' EXIT

form() { # a form counting with expression $1
  printf 'form F "f" {\n  source cases\n  measure count\n  rows ma_don_vi header "x" total "y"\n  column a "a" = count(%s)\n}\n' "$1"
}

gen() { # shape → $W/<shape>.rules
  local f=$W/$1.rules
  echo 'version "bench"' > "$f"
  case $1 in
  and-chain-20k) awk 'BEGIN{printf "let a = "; for(i=0;i<20000;i++) printf "%sstate = xong", (i?" and ":""); print ""}' >> "$f" ;;
  plus-chain-20k) awk 'BEGIN{printf "let a = "; for(i=0;i<20000;i++) printf "%s1", (i?" + ":""); print ""}' >> "$f" ;;
  lets-20k) awk 'BEGIN{for(i=0;i<20000;i++) printf "let l%d = state = xong or new\n", i}' >> "$f"; form "l19999 and l0" >> "$f" ;;
  let-chain-20k) awk 'BEGIN{print "let l0 = new"; for(i=1;i<20000;i++) printf "let l%d = l%d or new\n", i, i-1}' >> "$f"; form l19999 >> "$f" ;;
  in-100k) awk 'BEGIN{printf "let a = ma_viec in ("; for(i=0;i<100000;i++) printf "%s\"v%d\"", (i?", ":""), i; print ")"}' >> "$f"; form a >> "$f" ;;
  one-line-in-10mb) awk 'BEGIN{printf "let a = ma_viec in ("; for(i=0;i<900000;i++) printf "%s\"v%d\"", (i?", ":""), i; print ")"}' >> "$f" ;;
  colsets-300k) awk 'BEGIN{for(i=0;i<300000;i++) printf "columns s%d { column a%d \"a\" = count() }\n", i, i}' >> "$f"; form "new" | sed 's/  column a "a"/  use s299999\n  use s0\n  column a "a"/' >> "$f" ;;
  lets-400k-13mb) awk 'BEGIN{for(i=0;i<400000;i++) printf "let l%d = state = xong or new\n", i}' >> "$f" ;;
  forms-12mb)
    cp "$ROOT/rules/thads-maps.rules" "$W/"
    local s e
    s=$(grep -n '^form TH' "$ROOT/rules/thads.rules" | cut -d: -f1)
    e=$(grep -n '^test ' "$ROOT/rules/thads.rules" | head -1 | cut -d: -f1)
    sed -n "2,$((s - 1))p" "$ROOT/rules/thads.rules" | grep -v -e '^version' -e '^ *first ' >> "$f"
    sed -n "${s},$((e - 1))p" "$ROOT/rules/thads.rules" > "$W/forms.part"
    for k in $(seq 1 470); do sed -E "s/^(form|list|columns) ([A-Za-z0-9_]+)/\1 \2_$k/; s/^( *use) ([A-Za-z0-9_]+)/\1 \2_$k/" "$W/forms.part"; done >> "$f" ;;
  esac
}

# best wall seconds, peak KB and exit code of `$1 check file` over REPS runs (timeout $3)
measure() {
  local bin=$1 file=$2 limit=$3 best="" kb=0 rc=0 t
  for _ in $(seq 1 "$REPS"); do
    rc=0
    /usr/bin/time -f '%e %M' -o "$W/time" timeout "$limit" "$bin" check "$file" > /dev/null 2> "$W/err" || rc=$?
    read -r t k < <(tail -1 "$W/time")
    [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ] && best=$t
    [ "$k" -gt "$kb" ] 2> /dev/null && kb=$k
    [ "$rc" = 124 ] && { best=">$limit"; break; }
  done
  echo "$best $kb $rc"
}

shapes="and-chain-20k plus-chain-20k lets-20k let-chain-20k in-100k one-line-in-10mb lets-400k-13mb forms-12mb colsets-300k"
printf '%-18s %8s %9s %10s %5s' shape size seconds peak_MB exit
[ -n "$REF_BIN" ] && printf ' %12s %5s' ref_seconds exit
echo
fail=0
for s in $shapes; do
  gen "$s"
  size=$(stat -c %s "$W/$s.rules")
  read -r t kb rc < <(measure "$BIN" "$W/$s.rules" 60)
  printf '%-18s %7sk %9s %10s %5s' "$s" $((size / 1024)) "$t" $((kb / 1024)) "$rc"
  if [ -n "$REF_BIN" ]; then
    read -r rt _ rrc < <(REPS=1 measure "$REF_BIN" "$W/$s.rules" "$REF_TIMEOUT")
    printf ' %12s %5s' "$rt" "$rrc"
  fi
  echo
  if [ "$rc" -gt 128 ] || [ "$rc" = 124 ]; then fail=1; fi
done
exit $fail
