/*
 * eval.c - `fintag eval`: scores the tagger against gold JSONL.
 *
 * The gold file holds one record per document, {"id": ..., "entities":
 * [...]}, each entity with type, start and end (code points, end-exclusive)
 * and the normalised attributes.  Every input document is tagged with the
 * loaded rules and paired with the gold record of the same id (a text file
 * by its base name, a JSONL document by its id field).  A predicted span
 * matches a gold span of the same type when the offsets are equal (strict)
 * or when they overlap (--lenient); pairing is one-to-one.  For each type we
 * count gold, predicted and matched spans and report precision, recall, F1
 * and the share of matched spans whose value/unit/low/high agree.  --errors
 * lists misses, extras and value mismatches first, so a rule author can
 * read what went wrong; --json prints the table as one JSON object.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The attributes compared for value accuracy. */
static const char *const value_keys[] = {"value", "unit", "low", "high"};
#define N_VALUE_KEYS (sizeof value_keys / sizeof value_keys[0])

/* One attribute value, from gold (cJSON) or from a span (ft_attr). */
typedef struct ev_val {
    ft_value_kind kind;
    double num;
    const char *str;
    int boolean;
} ev_val;

/* Counts of one entity type. */
typedef struct ev_type {
    char *name;
    size_t gold, pred, tp, value_ok;
} ev_type;

/* A gold document: its id and its entity array (owned by the parsed JSON). */
typedef struct ev_gold {
    const char *id;
    cJSON *rec;
    cJSON *ents;
} ev_gold;

typedef struct ev_state {
    const cli_opts *opts;
    ev_gold *gold;
    size_t n_gold;
    cJSON **lines;            /* parsed gold records, freed at the end */
    size_t n_lines;
    ev_type *types;
    size_t n_types;
    size_t docs, failed, unmatched_docs;
    ft_buf errors;            /* --errors listing */
} ev_state;

static int cmp_gold(const void *a, const void *b)
{
    return strcmp(((const ev_gold *)a)->id, ((const ev_gold *)b)->id);
}

/* Reads the gold JSONL file; each line must be an object with a string id
 * and an entities array.  Returns 0, or -1 after printing the problem. */
static int load_gold(ev_state *st, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "fintag eval: cannot open gold file '%s'\n", path);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0;
    int rc = 0;
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        if (n == 0)
            continue;
        cJSON *rec = cJSON_ParseWithLength(line, (size_t)n);
        cJSON *id = rec ? cJSON_GetObjectItemCaseSensitive(rec, "id") : NULL;
        cJSON *ents = rec ? cJSON_GetObjectItemCaseSensitive(rec, "entities") : NULL;
        if (!cJSON_IsString(id) || !cJSON_IsArray(ents)) {
            fprintf(stderr, "fintag eval: %s:%ld: not a gold record {\"id\": ..., \"entities\": [...]}\n",
                    path, lineno);
            cJSON_Delete(rec);
            rc = -1;
            break;
        }
        cJSON **nl = realloc(st->lines, (st->n_lines + 1) * sizeof *nl);
        ev_gold *ng = realloc(st->gold, (st->n_gold + 1) * sizeof *ng);
        if (nl)
            st->lines = nl;
        if (ng)
            st->gold = ng;
        if (!nl || !ng) {
            cJSON_Delete(rec);
            rc = -1;
            break;
        }
        st->lines[st->n_lines++] = rec;
        st->gold[st->n_gold++] = (ev_gold){id->valuestring, rec, ents};
    }
    free(line);
    fclose(f);
    if (rc == 0 && st->n_gold)
        qsort(st->gold, st->n_gold, sizeof *st->gold, cmp_gold);
    return rc;
}

/* Finds the gold record of a document: by its id, else by its base name. */
static ev_gold *find_gold(ev_state *st, const char *id)
{
    if (!id || !st->n_gold)
        return NULL;
    for (int pass = 0; pass < 2; pass++) {
        ev_gold key = {id, NULL, NULL};
        ev_gold *g = bsearch(&key, st->gold, st->n_gold, sizeof *st->gold, cmp_gold);
        if (g)
            return g;
        const char *slash = strrchr(id, '/');
        if (!slash)
            break;
        id = slash + 1;
    }
    return NULL;
}

/* Returns the counters of a type, adding it on first sight. */
static ev_type *type_stats(ev_state *st, const char *name)
{
    for (size_t i = 0; i < st->n_types; i++)
        if (!strcmp(st->types[i].name, name))
            return &st->types[i];
    ev_type *t = realloc(st->types, (st->n_types + 1) * sizeof *t);
    if (!t)
        return NULL;
    st->types = t;
    t = &st->types[st->n_types];
    memset(t, 0, sizeof *t);
    t->name = ft_strdup(name);
    if (!t->name)
        return NULL;
    st->n_types++;
    return t;
}

static ev_val gold_val(const cJSON *ent, const char *key)
{
    ev_val v = {FT_VAL_NULL, 0, NULL, 0};
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(ent, key);
    if (cJSON_IsNumber(j)) {
        v.kind = FT_VAL_NUM;
        v.num = j->valuedouble;
    } else if (cJSON_IsString(j)) {
        v.kind = FT_VAL_STR;
        v.str = j->valuestring;
    } else if (cJSON_IsBool(j)) {
        v.kind = FT_VAL_BOOL;
        v.boolean = cJSON_IsTrue(j);
    }
    return v;
}

static ev_val span_val(const ft_span *s, const char *key)
{
    ev_val v = {FT_VAL_NULL, 0, NULL, 0};
    const ft_attr *a = ft_span_attr(s, key);
    if (a) {
        v.kind = a->kind;
        v.num = a->num;
        v.str = a->str;
        v.boolean = a->boolean;
    }
    return v;
}

/* Numbers agree to 1e-9 relative (gold 1.8e20 vs 180 * 1e18). */
static int val_equal(const ev_val *a, const ev_val *b)
{
    if (a->kind != b->kind)
        return 0;
    switch (a->kind) {
    case FT_VAL_NUM:
        return fabs(a->num - b->num) <= 1e-9 * fmax(1.0, fmax(fabs(a->num), fabs(b->num)));
    case FT_VAL_STR: return !strcmp(a->str, b->str);
    case FT_VAL_BOOL: return a->boolean == b->boolean;
    default: return 1;
    }
}

static void add_val(ft_buf *b, const ev_val *v)
{
    switch (v->kind) {
    case FT_VAL_NUM: ft_buf_add_num(b, v->num); break;
    case FT_VAL_STR: ft_buf_adds(b, v->str); break;
    case FT_VAL_BOOL: ft_buf_adds(b, v->boolean ? "true" : "false"); break;
    default: ft_buf_adds(b, "null");
    }
}

/* Appends "key=value ..." for the compared keys present on either side. */
static void add_vals(ft_buf *b, const ev_val *v, const ev_val *other)
{
    int first = 1;
    for (size_t k = 0; k < N_VALUE_KEYS; k++) {
        if (v[k].kind == FT_VAL_NULL && other[k].kind == FT_VAL_NULL)
            continue;
        ft_buf_addf(b, "%s%s=", first ? "" : " ", value_keys[k]);
        add_val(b, &v[k]);
        first = 0;
    }
}

/* One error line: KIND<TAB>id<TAB>type<TAB>start-end<TAB>text[<TAB>extra]. */
static void add_error(ev_state *st, const char *kind, const char *id, const char *type,
                      size_t start, size_t end, const char *text, size_t text_len)
{
    ft_buf *b = &st->errors;
    ft_buf_addf(b, "%s\t%s\t%s\t%zu-%zu\t", kind, id, type, start, end);
    for (size_t i = 0; i < text_len; i++)
        ft_buf_addc(b, text[i] == '\n' || text[i] == '\t' ? ' ' : text[i]);
}

static int overlaps(size_t a0, size_t a1, size_t b0, size_t b1)
{
    return a0 < b1 && b0 < a1;
}

/* Scores one tagged document against its gold entities. */
static int score_doc(ev_state *st, const char *id, const cli_doc *doc, const ev_gold *g,
                     const ft_result *res)
{
    size_t ng = (size_t)cJSON_GetArraySize(g->ents);
    long *gold_to = malloc((ng + 1) * sizeof *gold_to);
    long *pred_to = malloc((res->n_spans + 1) * sizeof *pred_to);
    if (!gold_to || !pred_to) {
        free(gold_to);
        free(pred_to);
        return -1;
    }
    for (size_t i = 0; i < ng; i++)
        gold_to[i] = -1;
    for (size_t j = 0; j < res->n_spans; j++)
        pred_to[j] = -1;
    /* pass 0 pairs identical spans; pass 1 (lenient only) overlapping ones */
    for (int pass = 0; pass < (st->opts->lenient ? 2 : 1); pass++) {
        size_t i = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, g->ents) {
            const cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "type");
            size_t gs = (size_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(e, "start"));
            size_t ge = (size_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(e, "end"));
            for (size_t j = 0; gold_to[i] < 0 && cJSON_IsString(t) && j < res->n_spans; j++) {
                const ft_span *s = &res->spans[j];
                if (pred_to[j] >= 0 || strcmp(s->type, t->valuestring))
                    continue;
                if (pass == 0 ? (s->start == gs && s->end == ge)
                              : overlaps(s->start, s->end, gs, ge)) {
                    gold_to[i] = (long)j;
                    pred_to[j] = (long)i;
                }
            }
            i++;
        }
    }
    size_t i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, g->ents) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "type");
        const cJSON *tx = cJSON_GetObjectItemCaseSensitive(e, "text");
        const char *text = cJSON_IsString(tx) ? tx->valuestring : "";
        size_t gs = (size_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(e, "start"));
        size_t ge = (size_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(e, "end"));
        ev_type *ts = type_stats(st, cJSON_IsString(t) ? t->valuestring : "?");
        if (!ts)
            break;
        ts->gold++;
        if (gold_to[i] < 0) {
            add_error(st, "miss", id, ts->name, gs, ge, text, strlen(text));
            ft_buf_addc(&st->errors, '\n');
        } else {
            const ft_span *s = &res->spans[gold_to[i]];
            ev_val gv[N_VALUE_KEYS], pv[N_VALUE_KEYS];
            int ok = 1;
            for (size_t k = 0; k < N_VALUE_KEYS; k++) {
                gv[k] = gold_val(e, value_keys[k]);
                pv[k] = span_val(s, value_keys[k]);
                ok &= val_equal(&gv[k], &pv[k]);
            }
            ts->tp++;
            ts->value_ok += ok;
            if (!ok) {
                add_error(st, "value", id, ts->name, gs, ge, text, strlen(text));
                ft_buf_adds(&st->errors, "\tgold: ");
                add_vals(&st->errors, gv, pv);
                ft_buf_adds(&st->errors, "\tgot: ");
                add_vals(&st->errors, pv, gv);
                ft_buf_addc(&st->errors, '\n');
            }
        }
        i++;
    }
    for (size_t j = 0; j < res->n_spans; j++) {
        const ft_span *s = &res->spans[j];
        ev_type *ts = type_stats(st, s->type);
        if (!ts)
            break;
        ts->pred++;
        if (pred_to[j] < 0) {
            add_error(st, "extra", id, s->type, s->start, s->end, doc->text + s->byte_start,
                      s->byte_end - s->byte_start);
            ft_buf_adds(&st->errors, "\trule ");
            ft_buf_adds(&st->errors, s->rule_id);
            ft_buf_addc(&st->errors, '\n');
        }
    }
    free(gold_to);
    free(pred_to);
    return 0;
}

/* Tags one input document and scores it; returns 0, or -1 when it failed. */
static int eval_doc(ev_state *st, ft_scanner *sc, cli_doc *doc)
{
    const cli_opts *o = st->opts;
    if (cli_doc_prepare(o, doc, NULL) != 0) {
        fprintf(stderr, "fintag eval: %s: %s\n", doc->name ? doc->name : "-",
                doc->input_error ? doc->input_error : "unreadable document");
        return -1;
    }
    ev_gold *g = find_gold(st, doc->id);
    if (!g) {
        fprintf(stderr, "fintag eval: %s: no gold record with id '%s'\n",
                doc->name ? doc->name : "-", doc->id ? doc->id : "");
        st->unmatched_docs++;
        return -1;
    }
    ft_scan_opts so;
    cli_scan_opts(o, doc, &so);
    so.keep_overlaps = 0;
    const ft_result *res;
    int rc = ft_scanner_scan(sc, doc->text, doc->text_len, &so, &res);
    if (rc != FT_OK) {
        fprintf(stderr, "fintag eval: %s: %s\n", doc->name ? doc->name : "-", ft_strerror(rc));
        return -1;
    }
    return score_doc(st, g->id, doc, g, res);
}

static int cmp_type(const void *a, const void *b)
{
    return strcmp(((const ev_type *)a)->name, ((const ev_type *)b)->name);
}

static double ratio(size_t a, size_t b)
{
    return b ? (double)a / (double)b : 0.0;
}

static double f1(double p, double r)
{
    return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
}

/* Prints one row of the text table. */
static void print_row(const char *name, const ev_type *t)
{
    double p = ratio(t->tp, t->pred), r = ratio(t->tp, t->gold);
    printf("%-12s %6zu %6zu %6zu %9.4f %7.4f %7.4f %9.4f\n", name, t->gold, t->pred, t->tp, p,
           r, f1(p, r), ratio(t->value_ok, t->tp));
}

static cJSON *row_json(const ev_type *t)
{
    double p = ratio(t->tp, t->pred), r = ratio(t->tp, t->gold);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "gold", (double)t->gold);
    cJSON_AddNumberToObject(o, "predicted", (double)t->pred);
    cJSON_AddNumberToObject(o, "matched", (double)t->tp);
    cJSON_AddNumberToObject(o, "precision", p);
    cJSON_AddNumberToObject(o, "recall", r);
    cJSON_AddNumberToObject(o, "f1", f1(p, r));
    cJSON_AddNumberToObject(o, "value_accuracy", ratio(t->value_ok, t->tp));
    return o;
}

/* Prints the per-type table (or JSON) with a micro-averaged total. */
static void report(ev_state *st)
{
    if (st->n_types)
        qsort(st->types, st->n_types, sizeof *st->types, cmp_type);
    ev_type total = {0};
    for (size_t i = 0; i < st->n_types; i++) {
        total.gold += st->types[i].gold;
        total.pred += st->types[i].pred;
        total.tp += st->types[i].tp;
        total.value_ok += st->types[i].value_ok;
    }
    const char *mode = st->opts->lenient ? "lenient" : "strict";
    if (st->opts->json_stats) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "mode", mode);
        cJSON_AddNumberToObject(o, "documents", (double)st->docs);
        cJSON_AddNumberToObject(o, "failed", (double)st->failed);
        cJSON *types = cJSON_AddObjectToObject(o, "types");
        for (size_t i = 0; i < st->n_types; i++)
            cJSON_AddItemToObject(types, st->types[i].name, row_json(&st->types[i]));
        cJSON_AddItemToObject(o, "total", row_json(&total));
        char *s = cJSON_PrintUnformatted(o);
        if (s)
            printf("%s\n", s);
        cJSON_free(s);
        cJSON_Delete(o);
        return;
    }
    printf("# %s match, %zu documents scored\n", mode, st->docs);
    printf("%-12s %6s %6s %6s %9s %7s %7s %9s\n", "type", "gold", "pred", "match",
           "precision", "recall", "f1", "value_acc");
    for (size_t i = 0; i < st->n_types; i++)
        print_row(st->types[i].name, &st->types[i]);
    print_row("total", &total);
}

int cli_eval(const cli_opts *opts, const ft_rules *rules)
{
    if (!opts->gold) {
        fprintf(stderr, "fintag eval: --gold FILE is required\n");
        return EXIT_USAGE;
    }
    ev_state st;
    memset(&st, 0, sizeof st);
    st.opts = opts;
    int rc = EXIT_OK;
    ft_scanner *sc = NULL;
    cli_input *in = NULL;
    if (load_gold(&st, opts->gold) != 0) {
        rc = EXIT_IO;
        goto done;
    }
    if (ft_scanner_create(rules, &sc) != FT_OK || cli_input_open(opts, &in) != 0) {
        rc = EXIT_IO;
        goto done;
    }
    for (;;) {
        cli_doc doc;
        memset(&doc, 0, sizeof doc);
        int got = cli_input_next(in, &doc, NULL);
        if (got < 0) {
            rc = EXIT_IO;
            break;
        }
        if (got == 0)
            break;
        if (eval_doc(&st, sc, &doc) == 0)
            st.docs++;
        else
            st.failed++;
        cli_doc_free(&doc);
    }
    if (rc == EXIT_OK) {
        if (opts->show_errors && st.errors.len)
            fwrite(st.errors.p, 1, st.errors.len, stdout);
        report(&st);
        if (st.failed)
            rc = EXIT_DOC_FAILED;
    }
done:
    cli_input_close(in);
    ft_scanner_destroy(sc);
    for (size_t i = 0; i < st.n_lines; i++)
        cJSON_Delete(st.lines[i]);
    free(st.lines);
    free(st.gold);
    for (size_t i = 0; i < st.n_types; i++)
        free(st.types[i].name);
    free(st.types);
    ft_buf_free(&st.errors);
    return rc;
}
