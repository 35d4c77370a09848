# formats.mk - libraries of the input readers: zlib (.gz inputs) and expat
# (RSS/Atom feeds), needed by the fintag program only, not by libfintag.
# scripts/deps.sh installs their -dev packages.
PKG_CFLAGS += $(shell pkg-config --cflags zlib expat)
CLI_LIBS   += $(shell pkg-config --libs zlib expat)
