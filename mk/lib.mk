# lib.mk - the shared library, its pkg-config file and their installation.
#
# $(BUILD)/libfintag.so.X.Y.Z is linked from the same position-independent
# objects as libfintag.a, with soname libfintag.so.X (X = FT_VERSION_MAJOR of
# include/fintag.h) and the version script src/libfintag.map, which exports
# only the public API.  The usual libfintag.so.X and libfintag.so symlinks sit
# beside it, so the build tree can be used directly (the Python binding and
# its tests load $(BUILD)/libfintag.so).  fintag.pc is generated from
# fintag.pc.in with the install directories; it is rewritten only when its
# content changes, so `make install PREFIX=...` after `make` gets the right
# paths without relinking anything.

FT_VERSION  := $(shell sed -n 's/^[#]define FT_VERSION_STRING "\(.*\)"/\1/p' include/fintag.h)
FT_SO_MAJOR := $(shell sed -n 's/^[#]define FT_VERSION_MAJOR \([0-9]*\).*/\1/p' include/fintag.h)
FT_SONAME    = libfintag.so.$(FT_SO_MAJOR)
FT_SO_REAL   = libfintag.so.$(FT_VERSION)

.PHONY: lib install-lib uninstall-lib ft-pc-always
all: lib
lib: $(BUILD)/libfintag.so $(BUILD)/fintag.pc

$(BUILD)/$(FT_SO_REAL): $(LIB_OBJ) src/libfintag.map
	$(CC) -shared $(CFLAGS) $(LDFLAGS) -Wl,-soname,$(FT_SONAME) \
	      -Wl,--version-script=src/libfintag.map -o $@ $(LIB_OBJ) $(LDLIBS)

$(BUILD)/$(FT_SONAME): $(BUILD)/$(FT_SO_REAL)
	ln -sf $(FT_SO_REAL) $@

$(BUILD)/libfintag.so: $(BUILD)/$(FT_SONAME)
	ln -sf $(FT_SONAME) $@

$(BUILD)/fintag.pc: fintag.pc.in include/fintag.h ft-pc-always
	@mkdir -p $(dir $@)
	@sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	     -e 's|@INCDIR@|$(INCDIR)|g' -e 's|@DATADIR@|$(DATADIR)|g' \
	     -e 's|@VERSION@|$(FT_VERSION)|g' fintag.pc.in > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@; fi

# `make asan` also builds the normal library: a sanitized libfintag.so cannot
# be loaded by an unsanitized Python, so tests/suites/python.sh and dask.sh
# run against $(BUILD)/libfintag.so of the normal build (see python.sh).
asan: $(BUILD)/libfintag.so

# Called by `make install` / `make uninstall` (see the Makefile).  ldconfig
# runs only for a real install as root, so that the loader finds the new
# library in PREFIX/lib; a DESTDIR install (packaging, tests) never runs it.
install-lib: lib
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 755 $(BUILD)/$(FT_SO_REAL) $(DESTDIR)$(LIBDIR)/$(FT_SO_REAL)
	ln -sf $(FT_SO_REAL) $(DESTDIR)$(LIBDIR)/$(FT_SONAME)
	ln -sf $(FT_SONAME) $(DESTDIR)$(LIBDIR)/libfintag.so
	install -m 644 $(BUILD)/fintag.pc $(DESTDIR)$(LIBDIR)/pkgconfig/fintag.pc
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null 2>&1; then \
	    ldconfig; fi

uninstall-lib:
	rm -f $(DESTDIR)$(LIBDIR)/$(FT_SO_REAL) $(DESTDIR)$(LIBDIR)/$(FT_SONAME) \
	      $(DESTDIR)$(LIBDIR)/libfintag.so $(DESTDIR)$(LIBDIR)/pkgconfig/fintag.pc
