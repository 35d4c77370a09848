# formats.mk - libraries of the input readers: zlib (.gz inputs) and expat
# (RSS/Atom feeds).  scripts/deps.sh installs their -dev packages.
PKG_CFLAGS += $(shell pkg-config --cflags zlib expat)
LDLIBS     += $(shell pkg-config --libs zlib expat)
