/*
 * fuzz_rules.c - libFuzzer target for the rule loader and compiler.
 *
 * The input is taken as the text of one YAML rule file: it goes through
 * ft_compiler_add_string and, when that reports no error, through
 * ft_compiler_compile (pattern expansion, PCRE2 compilation, JIT).  A rule
 * set that compiles is then checked against its own examples and used for
 * one scan of the input itself, so the whole life of a hostile rule file is
 * exercised.  Diagnostics go to a callback that only checks their shape: a
 * diagnostic always has a message.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fintag.h"

/* Diagnostic callback: every diagnostic must carry a message. */
static void on_diag(const ft_diag *d, void *user)
{
    (void)user;
    if (!d->message)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Loads, compiles, checks and uses one rule file. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ft_compiler *c;
    if (ft_compiler_create(&c) != FT_OK)
        return 0;
    ft_compiler_set_diag(c, on_diag, NULL);
    int rc = ft_compiler_add_string(c, "fuzz.yaml", (const char *)data, size);
    if (rc == FT_OK && ft_compiler_error_count(c) != 0)
        abort(); /* success with errors counted is a contradiction */
    ft_rules *r = NULL;
    rc = ft_compiler_compile(c, &r);
    ft_compiler_destroy(c);
    if (rc != FT_OK) {
        if (r)
            abort(); /* a failed compile must not hand out a rule set */
        return 0;
    }
    ft_rules_check(r, on_diag, NULL);
    ft_scanner *sc;
    if (ft_scanner_create(r, &sc) == FT_OK) {
        ft_scan_opts so;
        ft_scan_opts_init(&so);
        so.match_limit = 100000;
        const ft_result *res;
        if (ft_scanner_scan(sc, (const char *)data, size, &so, &res) == FT_OK) {
            char *js = ft_result_to_json(res, (const char *)data, size, 1);
            ft_free(js);
        }
        ft_scanner_destroy(sc);
    }
    ft_rules_destroy(r);
    return 0;
}
