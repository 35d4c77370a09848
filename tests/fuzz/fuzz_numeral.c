/*
 * fuzz_numeral.c - libFuzzer target for the numeral parser.
 *
 * Arbitrary bytes go through ft_numeral_parse twice: with the shipped rule
 * pack's numeral_digits / numeral_units tables (loaded once) and with the
 * built-in defaults (NULL tables).  The input buffer is exactly the fuzzer's
 * bytes, without a terminating NUL, so any read past the given length is
 * caught by AddressSanitizer.  A successful parse must give a finite,
 * non-negative number.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fintag_int.h"
#include "fuzz_shipped.h"

static ft_rules *shipped;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Compiles the shipped rule pack once; the tables come from it. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_load_shipped(&shipped, NULL);
    return 0;
}

/* Checks the result of one parse. */
static void check(const ft_table *digits, const ft_table *units, const char *s, size_t n)
{
    double v = -1;
    if (ft_numeral_parse(digits, units, s, n, &v) == 0 && (!isfinite(v) || v < 0))
        abort();
}

/* Parses the input with the shipped tables and with the defaults. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size ? size : 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    check(ft_rules_table(shipped, "numeral_digits"), ft_rules_table(shipped, "numeral_units"),
          s, size);
    check(NULL, NULL, s, size);
    free(s);
    return 0;
}
