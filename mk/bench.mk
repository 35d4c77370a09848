# bench.mk - `make bench`: the throughput benchmark of issue 5.
#
#   make bench [BENCH_STREAM_MB=1024] [BENCH_REPS=3]
#       builds build/fintag_bench and runs bench/run.sh: tags the real news
#       of ../shared/data when present (else a generated corpus) and prints
#       MB/s and docs/s for fintag (1 and 2 threads), the naive PCRE2 loop,
#       Vectorscan (when libvectorscan-dev is installed; it is optional and
#       used by the benchmark only), the prefilter pass, Python's re, peak
#       RSS, start-up time, ten times the rules, and the goal ratios.

BENCH_HS := $(shell pkg-config --exists libhs 2>/dev/null && echo yes)
ifeq ($(BENCH_HS),yes)
BENCH_CFLAGS = -DHAVE_HS $(shell pkg-config --cflags libhs)
BENCH_LIBS   = $(shell pkg-config --libs libhs)
endif

.PHONY: bench
$(BUILD)/fintag_bench: bench/fintag_bench.c $(BUILD)/libfintag.a include/fintag.h src/fintag_int.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(BENCH_CFLAGS) -o $@ $< $(BUILD)/libfintag.a $(BENCH_LIBS) $(LDLIBS)

bench: all $(BUILD)/fintag_bench
	sh bench/run.sh $(BUILD)
