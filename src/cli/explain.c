/*
 * explain.c - the rule-author subcommands: `fintag explain` (every
 * candidate, the winner of each overlap and why), `fintag rules --dump`
 * (expanded patterns) and the example checker behind `fintag check`.
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
