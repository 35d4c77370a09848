# tsan.mk - the CLI's threads under ThreadSanitizer.
#
#   make tsan
#       builds the CLI with -fsanitize=thread into build-tsan/ and runs
#       tests/tsan.sh: every output format with 1, 2 and 4 threads on the
#       test corpus, long documents in windows, a stalled live input and a
#       closed pipe; any report of ThreadSanitizer fails it, and each output
#       must equal the normal build's -j 1 output byte for byte.

TSAN_BUILD ?= build-tsan

.PHONY: tsan
tsan: all
	$(MAKE) BUILD=$(TSAN_BUILD) OPT="-O1 -g -fsanitize=thread" LDFLAGS="-fsanitize=thread" \
	        $(TSAN_BUILD)/fintag
	@sh tests/tsan.sh $(TSAN_BUILD) $(BUILD)
