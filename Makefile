# thongke — build, test, sanitize, fuzz, bench, install.
# Flavours live in separate object folders: build/release, build/test, build/asan.
# `make demo` installs dependencies, builds, and runs the report on input/sample.
# `make test` runs the whole Criterion suite, normally and under ASan+UBSan.

SHELL := /bin/bash
CC ?= cc
PREFIX ?= /usr/local
PKGS := libcsv-dev libminizip-dev libexpat1-dev libfreexl-dev libpcre2-dev libxlsxwriter-dev libcriterion-dev libutf8proc-dev libssl-dev \
        pkg-config make gcc clang libclang-rt-14-dev valgrind python3 python3-openpyxl time

WARN := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wformat=2 \
        -Wstrict-prototypes -Wmissing-prototypes -Werror
DEFS := -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iengine
LIBS := -lcsv -lminizip -lz -lexpat -lfreexl -lpcre2-8 -lxlsxwriter -lutf8proc -lcrypto -lpthread -lm
TLIBS := -lcriterion

SRC := $(sort $(wildcard engine/*.c))
LIBSRC := $(filter-out engine/main.c,$(SRC))
TSRC := $(sort $(wildcard tests/unit/*.c))

# Object folders are per flavour and per compiler so `CC=clang make` never reuses gcc objects.
CCNAME := $(notdir $(firstword $(CC)))
REL := build/release-$(CCNAME)
TST := build/test-$(CCNAME)
ASN := build/asan-$(CCNAME)

REL_CFLAGS := $(WARN) $(DEFS) -O2 -g -MMD -MP
TST_CFLAGS := $(WARN) $(DEFS) -O1 -g -MMD -MP
ASN_CFLAGS := $(WARN) $(DEFS) -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
              -fno-omit-frame-pointer -MMD -MP

BIN := $(REL)/thongke

.PHONY: all deps demo test test-unit test-asan test-visual fuzz clean install uninstall valgrind check-rules bench
all: $(BIN)
	@ln -sf $(BIN) thongke

$(REL)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(REL_CFLAGS) -c $< -o $@
$(TST)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(TST_CFLAGS) -c $< -o $@
$(ASN)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ASN_CFLAGS) -c $< -o $@

$(BIN): $(SRC:%.c=$(REL)/%.o)
	$(CC) $(REL_CFLAGS) -o $@ $^ $(LIBS)

$(TST)/thongke: $(SRC:%.c=$(TST)/%.o)
	$(CC) $(TST_CFLAGS) -o $@ $^ $(LIBS)
$(TST)/unit-tests: $(LIBSRC:%.c=$(TST)/%.o) $(TSRC:%.c=$(TST)/%.o)
	$(CC) $(TST_CFLAGS) -o $@ $^ $(LIBS) $(TLIBS)

$(ASN)/thongke: $(SRC:%.c=$(ASN)/%.o)
	$(CC) $(ASN_CFLAGS) -o $@ $^ $(LIBS)
$(ASN)/unit-tests: $(LIBSRC:%.c=$(ASN)/%.o) $(TSRC:%.c=$(ASN)/%.o)
	$(CC) $(ASN_CFLAGS) -o $@ $^ $(LIBS) $(TLIBS)

# Tests find the binary under test and the repository root through the environment.
CRITERION_ARGS ?= --jobs 2
test-unit: $(TST)/unit-tests $(TST)/thongke
	THONGKE_BIN=$(CURDIR)/$(TST)/thongke THONGKE_ROOT=$(CURDIR) $(TST)/unit-tests $(CRITERION_ARGS)

# Criterion reports a test that leaked as passed (LeakSanitizer speaks after the verdict), so
# the log is scanned too: any sanitizer report fails the target.
test-asan: $(ASN)/unit-tests $(ASN)/thongke
	@set -o pipefail; ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	THONGKE_BIN=$(CURDIR)/$(ASN)/thongke THONGKE_ROOT=$(CURDIR) $(ASN)/unit-tests $(CRITERION_ARGS) \
	  2>&1 | tee $(ASN)/test.log
	@if grep -qE 'ERROR: (LeakSanitizer|AddressSanitizer)|runtime error:' $(ASN)/test.log; then \
	  echo "sanitizer reports in $(ASN)/test.log:"; \
	  grep -E 'ERROR: (LeakSanitizer|AddressSanitizer)|runtime error:' $(ASN)/test.log | head; \
	  exit 1; fi

test: test-unit test-asan

# The printed workbook (LibreOffice → PDF, tests/tools/xlsx_pages.py); part of `make test` where
# soffice and pdftotext exist (skipped otherwise); .ci/run installs them.
test-visual: $(TST)/unit-tests $(TST)/thongke
	THONGKE_BIN=$(CURDIR)/$(TST)/thongke THONGKE_ROOT=$(CURDIR) $(TST)/unit-tests --filter 'visual/*'

# Another apt/dpkg (unattended-upgrades on a fresh machine) may hold the lock: wait for it.
APT_LOCK_TIMEOUT ?= 600
deps:
	@if command -v apt-get >/dev/null 2>&1; then \
	  missing=$$(for p in $(PKGS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	  if [ -n "$$missing" ]; then \
	    echo "installing: $$missing"; \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get -o DPkg::Lock::Timeout=$(APT_LOCK_TIMEOUT) update -qq && \
	      DEBIAN_FRONTEND=noninteractive $$SUDO apt-get -o DPkg::Lock::Timeout=$(APT_LOCK_TIMEOUT) \
	      install -y -qq $$missing; \
	  else echo "all Debian packages present"; fi; \
	else echo "no apt-get: install $(PKGS) by hand" >&2; exit 1; fi

demo: deps
	$(MAKE) all
	./$(BIN) report --year 2026 --months 10 --input input/sample --out output/2026-10thang

# libFuzzer targets (clang only): tests/fuzz/fuzz_<name>.c, corpus in tests/fuzz/corpus/<name>/.
# Rule inputs may be 64 kB, long enough for operand chains and let chains past the limits.
FUZZ_SECONDS ?= 20
FZ := build/fuzz
FUZZ_CFLAGS := -std=c11 $(DEFS) -O1 -g -fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,$(FZ)/%,$(wildcard tests/fuzz/fuzz_*.c))
$(FZ)/%: tests/fuzz/%.c $(LIBSRC)
	@mkdir -p $(FZ)
	clang $(FUZZ_CFLAGS) -Iengine -o $@ $< $(LIBSRC) $(LIBS)
fuzz: $(FUZZ_TARGETS)
	@for t in $(FUZZ_TARGETS); do n=$$(basename $$t); c=tests/fuzz/corpus/$${n#fuzz_}; \
	  mkdir -p $(FZ)/work-$$n; \
	  echo "fuzzing $$n for $(FUZZ_SECONDS)s"; \
	  case $$n in fuzz_rules|fuzz_xlsx) ml=65536;; *) ml=4096;; esac; \
	  $$t -max_total_time=$(FUZZ_SECONDS) -max_len=$$ml -timeout=10 -rss_limit_mb=2048 \
	      -print_final_stats=1 $(FZ)/work-$$n $$c || exit 1; done

clean:
	rm -rf build thongke

# `make install [PREFIX=/usr/local] [DESTDIR=...]`: the release binary, the man page and the
# shipped rules. An installed thongke without --rules and without ./rules/thads.rules reads
# <prefix>/share/thongke/rules/thads.rules, found from its own path (engine/datadir.h), so no
# path is compiled in and DESTDIR staging or a moved prefix keeps working.
BINDIR := $(DESTDIR)$(PREFIX)/bin
MAN1DIR := $(DESTDIR)$(PREFIX)/share/man/man1
RULESDIR := $(DESTDIR)$(PREFIX)/share/thongke/rules
install: $(BIN)
	install -d $(BINDIR) $(MAN1DIR) $(RULESDIR)
	install -m 755 $(BIN) $(BINDIR)/thongke
	install -m 644 engine/thongke.1 $(MAN1DIR)/thongke.1
	install -m 644 rules/*.rules rules/README.md $(RULESDIR)/
uninstall:
	rm -f $(BINDIR)/thongke $(MAN1DIR)/thongke.1
	rm -f $(addprefix $(RULESDIR)/,$(notdir $(wildcard rules/*.rules)) README.md)
	-rmdir $(RULESDIR) $(DESTDIR)$(PREFIX)/share/thongke 2>/dev/null

# `make valgrind`: the release binary on input/sample (10-month report into a temporary folder)
# under memcheck; definite/indirect leaks and any error fail. tests/valgrind.supp silences only
# PCRE2's JIT-compiled code, which valgrind cannot follow.
valgrind: $(BIN)
	@d=$$(mktemp -d -t thongke-valgrind-XXXXXX); \
	valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=1 \
	  --suppressions=tests/valgrind.supp ./$(BIN) report --year 2026 --months 10 \
	  --input input/sample --out $$d/out --quiet; rc=$$?; rm -rf $$d; exit $$rc

-include $(shell find build -name '*.d' 2>/dev/null)

# ---- benchmark (tests/bench/README.md; owned by the benchmark, appended section) --------------
# `make bench`: 1M-case sample (cached in build/bench/1m), BENCH_REPS runs each of the report,
# the DuckDB reference and the libcsv floor; medians, ratios, cell comparison, results.txt.
# `make bench-scale`: one report run at 1M and at 10M cases (build/bench/10m).
# `make bench-floor`: builds the floor alone. BENCH_STRICT=1 fails on a missed target.
BENCH_DIR ?= build/bench
BENCH_REPS ?= 5
BENCH_STRICT ?= 0
BENCH_FLOOR := $(BENCH_DIR)/floor
BENCH_ENV = THONGKE=$(CURDIR)/$(BIN) BENCH_FLOOR=$(CURDIR)/$(BENCH_FLOOR) \
            BENCH_DIR=$(BENCH_DIR) BENCH_REPS=$(BENCH_REPS) BENCH_STRICT=$(BENCH_STRICT)
.PHONY: bench bench-scale bench-floor bench-rules bench-xlsx
bench-floor: $(BENCH_FLOOR)
$(BENCH_FLOOR): tests/bench/floor.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -o $@ $< -lcsv
bench: all bench-floor
	$(BENCH_ENV) bash tests/bench/bench.sh bench
	$(BENCH_ENV) bash tests/bench/bench_xlsx.sh
# `make bench-xlsx [XLSX_CASES=N]`: cases.xlsx against the same cases.csv (issue 16: at most 3x).
bench-xlsx: all
	$(BENCH_ENV) bash tests/bench/bench_xlsx.sh
bench-scale: all
	$(BENCH_ENV) bash tests/bench/bench.sh scale
# `make bench-rules`: `thongke check` on hostile rule-file shapes (REF_BIN=old/thongke compares).
bench-rules: all
	bash tests/bench/bench_rules.sh $(REL)/thongke
