# fuzz.mk - libFuzzer targets and the valgrind run (issue 6).
#
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="fuzz_rules ..."]
#       builds every tests/fuzz/fuzz_*.c with clang and
#       -fsanitize=fuzzer,address,undefined into build-fuzz/ and runs each
#       for FUZZ_SECONDS, starting from its seed corpus tests/fuzz/NAME/
#       (new inputs go to build-fuzz/corpus/NAME/, crashes to
#       build-fuzz/crashes/).  Fails on the first crash, leak or timeout.
#   make valgrind
#       runs the CLI over the test corpus (corpus/*.txt; the CLI cases'
#       text, JSONL, RSS/Atom and gzip inputs and their stdin files, read as
#       JSONL) and `fintag check` under valgrind --leak-check=full; any error
#       or leak fails the target.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_BUILD   ?= build-fuzz
FUZZ_TARGETS ?= $(patsubst tests/fuzz/%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_OPT      = -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
                -fno-sanitize-recover=undefined

.PHONY: fuzz fuzz-build valgrind

# Library and CLI objects (all but main.o) for linking into fuzz targets.
$(BUILD)/libfintag-cli.a: $(filter-out $(BUILD)/src/cli/main.o,$(CLI_OBJ))
	rm -f $@
	ar rcs $@ $^

$(BUILD)/fuzz/%: tests/fuzz/%.c $(wildcard tests/fuzz/*.h) $(BUILD)/libfintag-cli.a $(BUILD)/libfintag.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc/cli -DFUZZ_RULES='"$(CURDIR)/rules"' -fsanitize=fuzzer -o $@ $< $(BUILD)/libfintag-cli.a \
	      $(BUILD)/libfintag.a $(LDLIBS) $(CLI_LIBS)

fuzz-build: $(addprefix $(BUILD)/fuzz/,$(FUZZ_TARGETS))

fuzz:
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) OPT="$(FUZZ_OPT)" FUZZ_TARGETS="$(FUZZ_TARGETS)" fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_BUILD)/corpus/$$t $(FUZZ_BUILD)/crashes; \
	    dict=; [ -f tests/fuzz/$$t.dict ] && dict=-dict=tests/fuzz/$$t.dict; \
	    log=$(FUZZ_BUILD)/$$t.log; \
	    if $(FUZZ_BUILD)/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -timeout=20 -rss_limit_mb=2048 \
	        -print_final_stats=1 -artifact_prefix=$(FUZZ_BUILD)/crashes/$$t- $$dict \
	        $(FUZZ_BUILD)/corpus/$$t tests/fuzz/$$t > $$log 2>&1; then \
	        echo "fuzz: $$t: $$(grep -o 'number_of_executed_units: *[0-9]*' $$log | grep -o '[0-9]*$$') runs in $(FUZZ_SECONDS)s, no findings"; \
	    else \
	        tail -60 $$log; echo "fuzz: $$t: FAILED (log $$log)"; exit 1; \
	    fi; \
	done

# The CLI under valgrind over the test corpus: the corpus articles, every
# CLI case's text and JSONL inputs (with their bad bytes, NULs, BOMs and
# CRLFs), the same JSONL inputs and the corpus through the spooled path of
# long documents (--chunk-over 64: every document is tagged in windows),
# one multi-threaded run and `fintag check` of the shipped rules.
VALGRIND = valgrind -q --suppressions=tests/fuzz/valgrind.supp --leak-check=full --show-leak-kinds=definite,indirect,possible \
           --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99
valgrind: all
	@command -v valgrind > /dev/null || { echo "valgrind: not installed"; exit 1; }
	$(VALGRIND) $(BUILD)/fintag --rules rules -q -j 1 -o /dev/null corpus/*.txt
	$(VALGRIND) $(BUILD)/fintag --rules rules -q -j 2 -o /dev/null corpus/*.txt
	$(VALGRIND) $(BUILD)/fintag --rules rules -q -j 1 -o /dev/null \
	    $$(ls tests/cases/*/*.txt tests/cases/*/*.jsonl tests/cases/*/*.xml \
	          tests/cases/*/*.atom tests/cases/*/*.gz 2>/dev/null) || [ $$? -eq 1 ]
	$(VALGRIND) $(BUILD)/fintag --rules rules -q -j 1 --jsonl -o /dev/null \
	    $$(ls tests/cases/*/stdin 2>/dev/null) || [ $$? -eq 1 ]
	$(VALGRIND) $(BUILD)/fintag --rules rules -q -j 2 --chunk-over 64 --chunk-window 100 -o /dev/null \
	    corpus/*.txt $$(ls tests/cases/*/*.jsonl 2>/dev/null) || [ $$? -eq 1 ]
	$(VALGRIND) $(BUILD)/fintag --rules rules -q -j 1 --jsonl --chunk-over 64 -o /dev/null \
	    $$(ls tests/cases/*/stdin 2>/dev/null) || [ $$? -eq 1 ]
	$(VALGRIND) $(BUILD)/fintag check rules 2> /dev/null
	@echo "valgrind: no errors, no leaks"

# `make clean` also removes the fuzzing build, corpora and crashes.
.PHONY: clean-fuzz
clean: clean-fuzz
clean-fuzz:
	rm -rf $(FUZZ_BUILD)
