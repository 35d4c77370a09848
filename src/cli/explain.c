/*
 * explain.c - the rule-author subcommands: `fintag explain` (every
 * candidate, the winner of each overlap and why), `fintag rules --dump`
 * (expanded patterns), and `fintag check --sample`, which flags rules that
 * fire too often on sample text to be cheap.
 */
#include <string.h>

#include "cli.h"

static void print_attrs(const ft_span *s, FILE *f)
{
    for (size_t k = 0; k < s->n_attrs; k++) {
        const ft_attr *a = &s->attrs[k];
        fprintf(f, " %s=", a->key);
        switch (a->kind) {
        case FT_VAL_NUM: {
            ft_buf b = {0};
            ft_buf_add_num(&b, a->num);
            fputs(b.p, f);
            ft_buf_free(&b);
            break;
        }
        case FT_VAL_STR: fputs(a->str, f); break;
        case FT_VAL_BOOL: fputs(a->boolean ? "true" : "false", f); break;
        default: fputs("null", f);
        }
    }
}

int cli_explain(const cli_opts *o, const ft_rules *rules, const char *text)
{
    ft_scanner *sc;
    if (ft_scanner_create(rules, &sc) != FT_OK)
        return EXIT_IO;
    ft_scan_opts so;
    ft_scan_opts_init(&so);
    so.explain = 1;
    so.ref_date = o->ref_date;
    so.utf8_mode = o->utf8_mode;
    const ft_result *res;
    size_t len = strlen(text);
    if (ft_scanner_scan(sc, text, len, &so, &res) != FT_OK) {
        ft_scanner_destroy(sc);
        return EXIT_DOC_FAILED;
    }
    size_t kept = 0;
    for (size_t i = 0; i < res->n_spans; i++)
        kept += res->spans[i].kept != 0;
    printf("%zu candidate%s, %zu kept\n", res->n_spans, res->n_spans == 1 ? "" : "s", kept);
    for (size_t i = 0; i < res->n_spans; i++) {
        const ft_span *s = &res->spans[i];
        printf("#%-3zu %-5s [%zu,%zu) %-10s \"%.*s\"  rule %s (priority %d)", i,
               s->kept ? "KEPT" : "lost", s->start, s->end, s->type,
               (int)(s->byte_end - s->byte_start), text + s->byte_start, s->rule_id,
               s->priority);
        print_attrs(s, stdout);
        if (!s->kept && s->lost_to >= 0)
            printf("\n      lost to #%ld: %s", s->lost_to, s->why);
        putchar('\n');
    }
    for (size_t i = 0; i < res->n_warnings; i++)
        printf("warning: %s\n", res->warnings[i]);
    ft_scanner_destroy(sc);
    return EXIT_OK;
}

int cli_dump_rules(const ft_rules *rules, FILE *f)
{
    for (size_t i = 0; i < ft_rules_count(rules); i++) {
        ft_rule_info info;
        ft_rules_info(rules, i, &info);
        fprintf(f, "%s\t%s\t%s\n", info.id, info.type, info.pattern);
    }
    return EXIT_OK;
}

/* Reads a whole file; returns a malloc'd buffer or NULL. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    ft_buf b = {0};
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        ft_buf_add(&b, tmp, n);
    fclose(f);
    if (!b.p)
        ft_buf_reserve(&b, 0);
    *len = b.len;
    return b.p;
}

int cli_check_sample(const cli_opts *o, const ft_rules *rules)
{
    size_t nr = ft_rules_count(rules), bytes = 0;
    size_t *count = calloc(nr + 1, sizeof *count);
    ft_scanner *sc;
    if (!count || ft_scanner_create(rules, &sc) != FT_OK) {
        free(count);
        return -1;
    }
    ft_scan_opts so;
    ft_scan_opts_init(&so);
    so.keep_overlaps = 1;
    for (size_t f = 0; f < o->n_samples; f++) {
        size_t len;
        char *text = slurp(o->samples[f], &len);
        if (!text) {
            fprintf(stderr, "fintag: %s: cannot read sample\n", o->samples[f]);
            ft_scanner_destroy(sc);
            free(count);
            return -1;
        }
        const ft_result *res;
        if (ft_scanner_scan(sc, text, len, &so, &res) == FT_OK) {
            bytes += len;
            for (size_t i = 0; i < res->n_spans; i++)
                for (size_t r = 0; r < nr; r++) {
                    ft_rule_info info;
                    ft_rules_info(rules, r, &info);
                    if (info.id == res->spans[i].rule_id) {
                        count[r]++;
                        break;
                    }
                }
        }
        free(text);
    }
    int warnings = 0;
    for (size_t r = 0; r < nr; r++) {
        ft_rule_info info;
        ft_rules_info(rules, r, &info);
        if (bytes && count[r] * 100 > bytes) {
            fprintf(stderr,
                    "%s:%d: warning: rule '%s': slow: %zu candidates in %zu bytes of sample "
                    "text (more than 1 per 100 bytes)\n",
                    info.file, info.line, info.id, count[r], bytes);
            warnings++;
        }
    }
    fprintf(stderr, "fintag check: sample of %zu bytes, %d rule%s over 1 candidate per 100 bytes\n",
            bytes, warnings, warnings == 1 ? "" : "s");
    ft_scanner_destroy(sc);
    free(count);
    return warnings;
}
