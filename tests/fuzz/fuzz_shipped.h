/*
 * fuzz_shipped.h - the shipped rule pack, compiled once per fuzz target in
 * LLVMFuzzerInitialize (FUZZ_RULES is set by mk/fuzz.mk to the repository's
 * rules/ directory).
 */
#ifndef FUZZ_SHIPPED_H
#define FUZZ_SHIPPED_H

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

#endif
