/*
 * writer_stats.c - `fintag stats` (or -f stats): counts instead of
 * entities.  Prints, once the input is done, the number of documents (and
 * failed ones), text bytes, entities, wall time and throughput, then the
 * entities per type and per rule - every type and rule of the rule set,
 * so that a rule which never fires shows up with 0.  A table by default,
 * one JSON object with --json.
 *
 * doc() only lists "TYPE<TAB>RULE" per entity in the document's buffer;
 * merge() adds them up when the batch is written, in input order.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "writers.h"

typedef struct counter {
    const char *key;        /* owned by the rule set */
    const char *type;
    size_t n;
} counter;

typedef struct stats_state {
    counter *types, *rules;
    size_t n_types, n_rules;
    double t0;
} stats_state;

static double now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int stats_begin(cli_ctx *ctx, FILE *f)
{
    FT_UNUSED(f);
    stats_state *st = calloc(1, sizeof *st);
    if (!st)
        return -1;
    ctx->wstate = st;
    st->t0 = now_sec();
    size_t nt, nr = ft_rules_count(ctx->rules);
    const char **types = cli_rule_types(ctx->rules, &nt);
    st->types = calloc(nt + 1, sizeof *st->types);
    st->rules = calloc(nr + 1, sizeof *st->rules);
    if (!types || !st->types || !st->rules) {
        free(types);
        return -1;
    }
    for (size_t i = 0; i < nt; i++)
        st->types[st->n_types++].key = types[i];
    free(types);
    for (size_t i = 0; i < nr; i++) {
        ft_rule_info info;
        if (ft_rules_info(ctx->rules, i, &info) == FT_OK && info.type && info.type[0] != '_') {
            st->rules[st->n_rules].key = info.id;
            st->rules[st->n_rules++].type = info.type;
        }
    }
    return 0;
}

static int stats_doc(cli_ctx *ctx, cli_doc *doc, const ft_result *res, ft_buf *out)
{
    FT_UNUSED(ctx);
    FT_UNUSED(doc);
    for (size_t i = 0; i < res->n_spans; i++)
        ft_buf_addf(out, "%s\t%s\n", res->spans[i].type, res->spans[i].rule_id);
    return 0;
}

/* Counts key in v (keys are compared by content). */
static void bump(counter *v, size_t n, const char *key, size_t klen)
{
    for (size_t i = 0; i < n; i++)
        if (!strncmp(v[i].key, key, klen) && !v[i].key[klen]) {
            v[i].n++;
            return;
        }
}

static int stats_merge(cli_ctx *ctx, cli_doc *doc, FILE *f)
{
    FT_UNUSED(f);
    stats_state *st = ctx->wstate;
    if (doc->failed)
        return 0;
    const char *p = doc->out.p, *end = p + doc->out.len;
    while (p && p < end) {
        const char *tab = memchr(p, '\t', (size_t)(end - p));
        const char *nl = tab ? memchr(tab, '\n', (size_t)(end - tab)) : NULL;
        if (!nl)
            break;
        bump(st->types, st->n_types, p, (size_t)(tab - p));
        bump(st->rules, st->n_rules, tab + 1, (size_t)(nl - tab - 1));
        p = nl + 1;
    }
    return 0;
}

/* Most frequent first, then by name. */
static int cmp_counter(const void *a, const void *b)
{
    const counter *x = a, *y = b;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1;
    return strcmp(x->key, y->key);
}

static void free_state(cli_ctx *ctx)
{
    stats_state *st = ctx->wstate;
    if (st) {
        free(st->types);
        free(st->rules);
        free(st);
    }
    ctx->wstate = NULL;
}

static int stats_end(cli_ctx *ctx, FILE *f)
{
    stats_state *st = ctx->wstate;
    if (!f || !st) {
        free_state(ctx);
        return 0;
    }
    double secs = now_sec() - st->t0;
    double mbs = secs > 0 ? (double)ctx->bytes / 1e6 / secs : 0;
    double dps = secs > 0 ? (double)ctx->docs / secs : 0;
    qsort(st->types, st->n_types, sizeof *st->types, cmp_counter);
    qsort(st->rules, st->n_rules, sizeof *st->rules, cmp_counter);
    ft_buf o = {0};
    if (ctx->opts->json_stats) {
        ft_buf_addf(&o, "{\"documents\":%zu,\"failed\":%zu,\"bytes\":%zu,\"entities\":%zu,"
                        "\"seconds\":%.3f,\"mb_per_s\":%.2f,\"docs_per_s\":%.1f,\"types\":{",
                    ctx->docs, ctx->failed, ctx->bytes, ctx->entities, secs, mbs, dps);
        for (size_t i = 0; i < st->n_types; i++) {
            if (i)
                ft_buf_addc(&o, ',');
            ft_buf_add_json_str(&o, st->types[i].key, strlen(st->types[i].key));
            ft_buf_addf(&o, ":%zu", st->types[i].n);
        }
        ft_buf_adds(&o, "},\"rules\":{");
        for (size_t i = 0; i < st->n_rules; i++) {
            if (i)
                ft_buf_addc(&o, ',');
            ft_buf_add_json_str(&o, st->rules[i].key, strlen(st->rules[i].key));
            ft_buf_adds(&o, ":{\"type\":");
            ft_buf_add_json_str(&o, st->rules[i].type, strlen(st->rules[i].type));
            ft_buf_addf(&o, ",\"entities\":%zu}", st->rules[i].n);
        }
        ft_buf_adds(&o, "}}\n");
    } else {
        ft_buf_addf(&o, "documents   %12zu\nfailed      %12zu\nbytes       %12zu\n"
                        "entities    %12zu\nseconds     %12.3f\nMB/s        %12.2f\n"
                        "docs/s      %12.1f\n\n%-24s %10s\n",
                    ctx->docs, ctx->failed, ctx->bytes, ctx->entities, secs, mbs, dps,
                    "type", "entities");
        for (size_t i = 0; i < st->n_types; i++)
            ft_buf_addf(&o, "%-24s %10zu\n", st->types[i].key, st->types[i].n);
        ft_buf_addf(&o, "\n%-32s %-14s %10s\n", "rule", "type", "entities");
        for (size_t i = 0; i < st->n_rules; i++)
            ft_buf_addf(&o, "%-32s %-14s %10zu\n", st->rules[i].key, st->rules[i].type,
                        st->rules[i].n);
    }
    int rc = fwrite(o.p, 1, o.len, f) == o.len ? 0 : -1;
    ft_buf_free(&o);
    free_state(ctx);
    return rc;
}

const cli_writer cli_writer_stats = {
    "stats", "entities per type and rule, documents, bytes, throughput (--json)",
    stats_begin, stats_doc, stats_merge, stats_end, 0};
