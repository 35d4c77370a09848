/*
 * rules.c - queries on a compiled rule set and the example checker.
 *
 * The checker is what `fintag check` runs: every rule's `match` examples must
 * produce a winning span of the rule's type (with the expected text and
 * attributes when given) when scanned with the whole rule set, and its
 * `no_match` examples must produce no span of that type.
 */
#include <stdlib.h>
#include <string.h>

#include "fintag_int.h"

void ft_rules_destroy(ft_rules *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_rules; i++)
        ft_rule_free(&r->rules[i]);
    free(r->rules);
    for (size_t i = 0; i < r->n_tables; i++)
        ft_table_free(&r->tables[i]);
    free(r->tables);
    free(r->table_by_name);
    for (size_t i = 0; i < r->n_defines; i++) {
        free(r->defines[i].name);
        free(r->defines[i].value);
    }
    free(r->defines);
    for (size_t i = 0; i < r->n_files; i++)
        free(r->files[i]);
    free(r->files);
    ft_prefilter_free(r->pf);
    free(r);
}

size_t ft_rules_count(const ft_rules *r)
{
    return r ? r->n_rules : 0;
}

int ft_rules_info(const ft_rules *r, size_t index, ft_rule_info *out)
{
    if (!r || !out || index >= r->n_rules)
        return FT_ERR_ARG;
    const ft_rule *ru = &r->rules[index];
    out->id = ru->id;
    out->type = ru->type;
    out->pattern = ru->dump;
    out->file = ru->file;
    out->line = ru->line;
    out->priority = ru->priority;
    out->normalize = ru->normalize;
    out->n_examples = ru->n_ex;
    return FT_OK;
}

/* Binary search over the tables sorted by name (names are unique). */
const ft_table *ft_rules_table(const ft_rules *r, const char *name)
{
    if (!r)
        return NULL;
    size_t lo = 0, hi = r->n_tables;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const ft_table *t = r->table_by_name[mid];
        int c = strcmp(t->name, name);
        if (c == 0)
            return t;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Formats an attribute the way examples write expected values. */
static void attr_text(const ft_attr *a, char *buf, size_t n)
{
    switch (a->kind) {
    case FT_VAL_NUM: {
        ft_buf b = {0};
        ft_buf_add_num(&b, a->num);
        snprintf(buf, n, "%s", b.p ? b.p : "");
        ft_buf_free(&b);
        break;
    }
    case FT_VAL_STR: snprintf(buf, n, "%s", a->str); break;
    case FT_VAL_BOOL: snprintf(buf, n, "%s", a->boolean ? "true" : "false"); break;
    default: snprintf(buf, n, "null");
    }
}

/* Compares an expected value with an attribute; numbers compare numerically. */
static int value_equal(const ft_attr *a, const char *want)
{
    if (a->kind == FT_VAL_NUM) {
        char *end;
        double w = strtod(want, &end);
        if (*want && !*end)
            return ft_round15(w) == ft_round15(a->num);
    }
    char got[256];
    attr_text(a, got, sizeof got);
    return !strcmp(got, want);
}

static void fail(ft_diag_fn fn, void *user, const ft_rule *r, const ft_example *ex,
                 const char *msg)
{
    if (!fn)
        return;
    ft_diag d = {FT_DIAG_ERROR, r->file, ex->line, 0, r->id, msg};
    fn(&d, user);
}

/* Checks one example; returns 1 when it fails. */
static int check_example(ft_scanner *sc, const ft_rule *r, const ft_example *ex,
                         ft_diag_fn fn, void *user)
{
    const ft_result *res;
    char msg[1024];
    size_t tl = strlen(ex->text);
    if (ft_scanner_scan(sc, ex->text, tl, NULL, &res) != FT_OK) {
        fail(fn, user, r, ex, "example could not be scanned");
        return 1;
    }
    if (!ex->is_match) {
        for (size_t i = 0; i < res->n_spans; i++) {
            const ft_span *s = &res->spans[i];
            if (!strcmp(s->type, r->type)) {
                snprintf(msg, sizeof msg,
                         "no_match example \"%s\" produced %s \"%.*s\" (rule '%s')",
                         ex->text, s->type, (int)(s->byte_end - s->byte_start),
                         ex->text + s->byte_start, s->rule_id);
                fail(fn, user, r, ex, msg);
                return 1;
            }
        }
        return 0;
    }
    const char *want = ex->span ? ex->span : ex->text;
    size_t wl = strlen(want);
    const ft_span *hit = NULL;
    for (size_t i = 0; i < res->n_spans && !hit; i++) {
        const ft_span *s = &res->spans[i];
        if (!strcmp(s->type, r->type) && s->byte_end - s->byte_start == wl &&
            !memcmp(ex->text + s->byte_start, want, wl))
            hit = s;
    }
    if (!hit) {
        ft_buf b = {0};
        for (size_t i = 0; i < res->n_spans; i++) {
            const ft_span *s = &res->spans[i];
            ft_buf_addf(&b, "%s%s \"%.*s\"", i ? ", " : "", s->type,
                        (int)(s->byte_end - s->byte_start), ex->text + s->byte_start);
        }
        snprintf(msg, sizeof msg, "match example \"%s\": expected %s \"%s\", got %s",
                 ex->text, r->type, want, b.len ? b.p : "nothing");
        ft_buf_free(&b);
        fail(fn, user, r, ex, msg);
        return 1;
    }
    for (size_t k = 0; k < ex->n_kv; k++) {
        const ft_attr *a = ft_span_attr(hit, ex->kv[k].key);
        if (!a || !value_equal(a, ex->kv[k].val)) {
            char got[256] = "absent";
            if (a)
                attr_text(a, got, sizeof got);
            snprintf(msg, sizeof msg, "match example \"%s\": %s should be %s, got %s",
                     ex->text, ex->kv[k].key, ex->kv[k].val, got);
            fail(fn, user, r, ex, msg);
            return 1;
        }
    }
    return 0;
}

/* Warns about patterns the prefilter cannot gate: they run over every
 * document in full, whatever it contains, which is what makes a rule slow.
 * A rule with `requires:` is exempt: it only runs in the documents where
 * its context was found (money.doc_unit after 单位：亿元). */
static void warn_ungated(const ft_rules *r, ft_diag_fn fn, void *user)
{
    if (!fn || !r->pf)
        return;
    for (size_t i = 0; i < r->n_rules; i++) {
        const ft_rule *ru = &r->rules[i];
        for (size_t k = 0; k < ru->n_pat && !ru->requires; k++) {
            size_t back;
            if (ft_prefilter_gate(r->pf, i, k, &back) >= 0)
                continue;
            ft_diag d = {FT_DIAG_WARNING, ru->raw_pos[k].file, ru->raw_pos[k].line,
                         ru->raw_pos[k].col, ru->id,
                         "slow: the pattern contains no literal the prefilter can require, "
                         "so it is tried at every position of every document"};
            fn(&d, user);
        }
    }
}

int ft_rules_check(const ft_rules *r, ft_diag_fn fn, void *user)
{
    if (!r)
        return -FT_ERR_ARG;
    warn_ungated(r, fn, user);
    ft_scanner *sc;
    int rc = ft_scanner_create(r, &sc);
    if (rc)
        return -rc;
    int failures = 0;
    for (size_t i = 0; i < r->n_rules; i++)
        for (size_t j = 0; j < r->rules[i].n_ex; j++)
            failures += check_example(sc, &r->rules[i], &r->rules[i].ex[j], fn, user);
    ft_scanner_destroy(sc);
    return failures;
}
