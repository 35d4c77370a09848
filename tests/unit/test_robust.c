/*
 * test_robust.c - regression tests for problems found by fuzzing and for the
 * bounded-work guarantees (issue 6).
 *
 * Each fuzzing finding is pinned here with the smallest input that showed
 * it: the numeral parser reading past a buffer that ends inside a
 * multi-byte character, and rule-file keys given twice leaking the first
 * value.  A review of what a hostile rule file can do added the define
 * expansion bomb.  The leaks and over-reads are only visible under `make asan` (and
 * valgrind); the checks below also hold in the plain build.  The bounded-work
 * tests compile a catastrophically backtracking rule next to a normal one and
 * check that a scan ends with a warning naming the bad rule while the other
 * rule's entities are kept, with the JIT and with the interpreter.
 */
#include <stdlib.h>

#include "fintag_int.h"
#include "unit.h"
#include "unit_rules.h"

/* Parses s[0..n) from a heap copy of exactly n bytes (no terminator), so
 * that ASan sees any read past the end; digits may be NULL. */
static int parse_exact(const ft_table *digits, const char *s, size_t n, double *v)
{
    char *p = malloc(n);
    memcpy(p, s, n);
    int rc = ft_numeral_parse(digits, NULL, p, n, v);
    free(p);
    return rc;
}

/* fuzz_numeral: a lone 0xEF byte (first byte of the full-width comma) was
 * compared with strncmp before the length check. */
static void numeral_partial_fullwidth_comma(void)
{
    double v = -1;
    CHECK(parse_exact(NULL, "\xEF", 1, &v) == -1);
    CHECK(parse_exact(NULL, "1\xEF\xBC", 3, &v) == -1);
    CHECK(parse_exact(NULL, "1\xEF\xBC\x8C" "234", 7, &v) == 0 && v == 1234);
}

/* The same pattern for 点 (E7 82 B9) as a decimal point after 二. */
static void numeral_partial_dian(void)
{
    diags g;
    ft_rules *r = compile("tables:\n  numeral_digits: {\"\xE4\xBA\x8C\": 2, \"\xE4\xBA\x94\": 5}\n"
                          "rules:\n  - id: a\n    type: t\n    pattern: x\n", &g);
    CHECK(r != NULL);
    if (!r)
        return;
    const ft_table *digits = ft_rules_table(r, "numeral_digits");
    CHECK(digits != NULL);
    double v = -1;
    CHECK(parse_exact(digits, "\xE4\xBA\x8C\xE7\x82", 5, &v) == -1);
    CHECK(parse_exact(digits, "\xE4\xBA\x8C\xE7\x82\xB9\xE4\xBA\x94", 9, &v) == 0 && v == 2.5);
    ft_rules_destroy(r);
}

/* fuzz_rules: {text: x, text: y} leaked the first text. */
static void example_duplicate_key_reported(void)
{
    diags g;
    ft_rules *r = compile("rules:\n  - id: a\n    type: t\n    pattern: x\n"
                          "    examples:\n      match:\n        - {text: x, text: y, span: x, span: x}\n",
                          &g);
    CHECK(r == NULL);
    CHECK(strstr(g.text, "duplicate key 'text'") != NULL);
    CHECK(strstr(g.text, "duplicate key 'span'") != NULL);
    ft_rules_destroy(r);
}

/* fuzz_rules: a rule with more than 16 keys stopped detecting duplicates,
 * and a second 'type' or 'description' leaked the first. */
static void rule_duplicate_key_after_many_keys(void)
{
    char yaml[1024] = "rules:\n  - id: r\n";
    for (int i = 0; i < 20; i++)
        snprintf(yaml + strlen(yaml), sizeof yaml - strlen(yaml), "    k%d: x\n", i);
    strcat(yaml, "    type: a\n    type: b\n    description: a\n    description: b\n"
                 "    pattern: x\n");
    diags g;
    ft_rules *r = compile(yaml, &g);
    CHECK(r == NULL);
    CHECK(strstr(g.text, "duplicate key 'type'") != NULL);
    CHECK(strstr(g.text, "duplicate key 'description'") != NULL);
    ft_rules_destroy(r);
}

/* An untrusted rule file must not make the compiler build a gigabyte
 * pattern: each define doubles the previous one, 2^30 copies in all. */
static void define_expansion_bomb_is_refused(void)
{
    char yaml[4096] = "defines:\n  d0: 'ab'\n";
    for (int i = 1; i <= 30; i++)
        snprintf(yaml + strlen(yaml), sizeof yaml - strlen(yaml),
                 "  d%d: '{{d%d}}{{d%d}}'\n", i, i - 1, i - 1);
    strcat(yaml, "rules:\n  - id: bomb\n    type: t\n    pattern: '{{d30}}'\n");
    diags g;
    ft_rules *r = compile(yaml, &g);
    CHECK(r == NULL);
    CHECK(strstr(g.text, "bomb:pattern longer than") != NULL);
    ft_rules_destroy(r);
}

static const char catastrophic_yaml[] =
    "rules:\n"
    "  - id: bad.nested\n    type: junk\n    pattern: '(a+)+$'\n"
    "  - id: pct\n    type: percent\n    pattern: '(?<num>[0-9]+)%'\n    normalize: percent\n";

/* Scans "5% aaa…a! 6%" and checks the warning and the other rule's spans. */
static void check_bounded(ft_rules *r, uint32_t match_limit, uint32_t depth_limit)
{
    char text[128] = "5% ";
    memset(text + 3, 'a', 60);
    strcpy(text + 63, "! 6%");
    ft_scanner *sc;
    CHECK(ft_scanner_create(r, &sc) == FT_OK);
    ft_scan_opts so;
    ft_scan_opts_init(&so);
    so.match_limit = match_limit;
    so.depth_limit = depth_limit;
    const ft_result *res = NULL;
    CHECK(ft_scanner_scan(sc, text, strlen(text), &so, &res) == FT_OK);
    if (res) {
        CHECK(res->n_warnings == 1);
        CHECK(res->n_warnings == 1 && strstr(res->warnings[0], "'bad.nested'") != NULL);
        CHECK(res->n_spans == 2);
        for (size_t i = 0; i < res->n_spans; i++)
            CHECK_STR(res->spans[i].rule_id, "pct");
    }
    ft_scanner_destroy(sc);
}

/* With the JIT (when PCRE2 has one): the match limit stops the rule. */
static void catastrophic_rule_jit(void)
{
    diags g;
    ft_rules *r = compile(catastrophic_yaml, &g);
    CHECK(r != NULL);
    if (!r)
        return;
    uint32_t has_jit = 0;
    pcre2_config(PCRE2_CONFIG_JIT, &has_jit);
    CHECK(r->jit == (int)has_jit);
    check_bounded(r, 0, 0);
    check_bounded(r, 5000, 0);
    ft_rules_destroy(r);
}

/* With the interpreter: the match limit and, on its own, the depth limit. */
static void catastrophic_rule_interpreter(void)
{
    diags g;
    ft_rules *r = compile(catastrophic_yaml, &g);
    CHECK(r != NULL);
    if (!r)
        return;
    r->jit = 0;
    check_bounded(r, 0, 0);
    check_bounded(r, 0xFFFFFFFFu, 50);
    ft_rules_destroy(r);
}

int main(void)
{
    RUN("robust", numeral_partial_fullwidth_comma);
    RUN("robust", numeral_partial_dian);
    RUN("robust", example_duplicate_key_reported);
    RUN("robust", rule_duplicate_key_after_many_keys);
    RUN("robust", define_expansion_bomb_is_refused);
    RUN("robust", catastrophic_rule_jit);
    RUN("robust", catastrophic_rule_interpreter);
    return 0;
}
