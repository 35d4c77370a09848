/*
 * fuzz_shipped.h - the shipped rule pack, compiled once per fuzz target in
 * LLVMFuzzerInitialize (FUZZ_RULES is set by mk/fuzz.mk to the repository's
 * rules/ directory).
 */
#ifndef FUZZ_SHIPPED_H
#define FUZZ_SHIPPED_H

#include <stdint.h>
#include <stdlib.h>

#include "fintag.h"

#ifndef FUZZ_RULES
#define FUZZ_RULES "rules"
#endif

/* Compiles the shipped rules into *rules and, when sc is not NULL, makes a
 * scanner for them; aborts the target when that fails. */
static void fuzz_load_shipped(ft_rules **rules, ft_scanner **sc)
{
    ft_compiler *c;
    if (ft_compiler_create(&c) != FT_OK || ft_compiler_add_path(c, FUZZ_RULES) != FT_OK ||
        ft_compiler_compile(c, rules) != FT_OK || (sc && ft_scanner_create(*rules, sc) != FT_OK))
        abort();
    ft_compiler_destroy(c);
}

/* Defines what a target that tags text with the shipped rules needs: the
 * rules (shipped), one scanner (scanner), the two libFuzzer entry points'
 * prototypes, and LLVMFuzzerInitialize, which compiles them once per
 * process.  The target then defines LLVMFuzzerTestOneInput. */
#define FUZZ_SHIPPED_TARGET                                                    \
    static ft_rules *shipped;                                                  \
    static ft_scanner *scanner;                                                \
    int LLVMFuzzerInitialize(int *argc, char ***argv);                         \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);              \
    int LLVMFuzzerInitialize(int *argc, char ***argv)                          \
    {                                                                          \
        (void)argc;                                                            \
        (void)argv;                                                            \
        fuzz_load_shipped(&shipped, &scanner);                                 \
        return 0;                                                              \
    }

#endif
