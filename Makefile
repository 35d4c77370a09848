# fintag - build, test, demo, install.
# `make test` and `make demo` work as the first command on a fresh Debian
# machine: scripts/deps.sh installs the libraries when pkg-config lacks them.

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR   = $(PREFIX)/bin
LIBDIR   = $(PREFIX)/lib
INCDIR   = $(PREFIX)/include
DATADIR  = $(PREFIX)/share/fintag
MANDIR   = $(PREFIX)/share/man/man1

CC      ?= cc
PKGS     = libpcre2-8 libcjson yaml-0.1
DEPS_OK := $(shell sh scripts/deps.sh >&2 && echo ok)
ifneq ($(DEPS_OK),ok)
$(error missing libraries: see the message above)
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))

BUILD   ?= build
OPT     ?= -O2 -g
CFLAGS  ?= $(OPT)
WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -fPIC -Iinclude -Isrc $(PKG_CFLAGS) \
             -DFT_DATADIR='"$(DATADIR)"'
LDLIBS   = $(PKG_LIBS) -lpthread -lm

LIB_SRC  = $(sort $(wildcard src/*.c))
CLI_SRC  = $(sort $(wildcard src/cli/*.c))
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  = $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all test unit demo asan install uninstall clean check-rules
all: $(BUILD)/libfintag.a $(BUILD)/fintag

$(BUILD)/%.o: %.c include/fintag.h src/fintag_int.h $(wildcard src/cli/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/libfintag.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/fintag: $(CLI_OBJ) $(BUILD)/libfintag.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libfintag.a $(LDLIBS) $(CLI_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(BUILD)/libfintag.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libfintag.a $(LDLIBS) $(CLI_LIBS)

unit: $(UNIT_BIN)

# The whole suite: unit tests, data-driven CLI and diagnostic cases, the
# rule pack's own examples.  The last line reads "N passed, N failed".
test: all unit
	@sh tests/run.sh $(BUILD)

demo: all
	@echo "== one sentence:"
	@echo '中科曙光(603019)上半年实现营业收入6.06亿元，同比增长177.88%。' | $(BUILD)/fintag --rules rules
	@echo "== the sample articles in corpus/ -> $(BUILD)/demo.jsonl"
	@$(BUILD)/fintag --rules rules -q -o $(BUILD)/demo.jsonl corpus/*.txt
	@$(BUILD)/fintag stats --rules rules -q corpus/*.txt

# AddressSanitizer + UndefinedBehaviorSanitizer build running the same tests.
asan:
	$(MAKE) BUILD=build-asan OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	        LDFLAGS="-fsanitize=address,undefined" test

install: all install-lib
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR) $(DESTDIR)$(DATADIR)/rules $(DESTDIR)$(MANDIR)
	install -m 755 $(BUILD)/fintag $(DESTDIR)$(BINDIR)/fintag
	install -m 644 $(BUILD)/libfintag.a $(DESTDIR)$(LIBDIR)/libfintag.a
	install -m 644 include/fintag.h $(DESTDIR)$(INCDIR)/fintag.h
	install -m 644 rules/*.yaml $(DESTDIR)$(DATADIR)/rules/
	@if [ -f docs/fintag.1 ]; then install -m 644 docs/fintag.1 $(DESTDIR)$(MANDIR)/fintag.1; \
	 else echo "install: docs/fintag.1 does not exist yet: man page not installed"; fi

uninstall: uninstall-lib
	rm -f $(DESTDIR)$(BINDIR)/fintag $(DESTDIR)$(LIBDIR)/libfintag.a $(DESTDIR)$(INCDIR)/fintag.h \
	      $(DESTDIR)$(MANDIR)/fintag.1
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build build-asan build-tsan

# Further targets (formats, fuzzing, benchmarks, shared library, Python)
# live in one fragment per area.
include $(sort $(wildcard mk/*.mk))
