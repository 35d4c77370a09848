/*
 * backtrack.c - the catastrophic-backtracking probe behind `fintag check`.
 *
 * A careless pattern such as (a+)+$ takes exponential time on some inputs.
 * The scanner bounds every match with PCRE2's match limit, so such a rule
 * cannot hang a run, but it silently stops tagging the documents that trip
 * it.  `fintag check` therefore scans a few short pathological strings
 * (long runs of one character, or of a character and a separator, ending in
 * a character no rule expects) with the whole rule set and the scanner's
 * default limits; every rule that hits a limit on one of them is reported
 * as a warning at its definition.  The probe only finds rules that blow up
 * on repetitive input; it cannot prove a rule safe.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define PROBE_RUN 200

/* Units repeated to build the probe strings. */
static const char *const probe_units[] = {
    "a", "A", "1", "0", " ", ".", ",", "-", "%", "\t", "\n", "1,", "1.", "1 ", "a ", "a1",
    "\xE4\xB8\x80" /* 一 */, "\xE5\x8D\x81" /* 十 */, "\xE4\xB8\x87" /* 万 */,
    "\xE4\xBA\xBF" /* 亿 */, "\xE5\x85\x83" /* 元 */, "\xE5\xB9\xB4" /* 年 */,
    "\xEF\xBC\x91" /* １ */, "\xE3\x80\x81" /* 、 */,
};

/* Reports the rule named in a scanner warning ("rule 'ID': ...") once. */
static int report(const ft_rules *rules, const char *warning, const char *unit,
                  unsigned char *seen)
{
    const char *p = strstr(warning, "rule '");
    if (!p)
        return 0;
    p += 6;
    const char *q = strstr(p, "': ");
    if (!q)
        return 0;
    for (size_t i = 0; i < ft_rules_count(rules); i++) {
        ft_rule_info info;
        if (ft_rules_info(rules, i, &info) != FT_OK || seen[i] ||
            strlen(info.id) != (size_t)(q - p) || memcmp(info.id, p, (size_t)(q - p)))
            continue;
        seen[i] = 1;
        char msg[512];
        snprintf(msg, sizeof msg,
                 "may backtrack catastrophically: it hits the PCRE2 %s on a run of %d x '%s' "
                 "and would stop tagging such a document",
                 strstr(q, "depth") ? "depth limit" : "match limit", PROBE_RUN, unit[0] == '\n' ? "\\n" : unit[0] == '\t' ? "\\t" : unit);
        ft_diag d = {FT_DIAG_WARNING, info.file, info.line, 0, info.id, msg};
        cli_print_diag(&d, NULL);
        return 1;
    }
    return 0;
}

int cli_check_backtracking(const ft_rules *rules)
{
    ft_scanner *sc;
    if (ft_scanner_create(rules, &sc) != FT_OK)
        return 0;
    unsigned char *seen = calloc(ft_rules_count(rules) + 1, 1);
    ft_buf s = {0};
    int flagged = 0;
    for (size_t u = 0; seen && u < sizeof probe_units / sizeof probe_units[0]; u++) {
        s.len = 0;
        for (int i = 0; i < PROBE_RUN; i++)
            ft_buf_adds(&s, probe_units[u]);
        ft_buf_addc(&s, '\x01');
        const ft_result *res;
        if (ft_scanner_scan(sc, s.p, s.len, NULL, &res) != FT_OK)
            continue;
        for (size_t w = 0; w < res->n_warnings; w++)
            flagged += report(rules, res->warnings[w], probe_units[u], seen);
    }
    ft_buf_free(&s);
    free(seen);
    ft_scanner_destroy(sc);
    return flagged;
}
