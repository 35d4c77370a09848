/*
 * writer_csv.c - the csv and tsv formats, for analysts' spreadsheets.
 *
 * One row per entity, after a header row:
 *   id, type, text, value, unit, low, high, start, end, rule
 * then `context` when --context N is given (N code points either side of
 * the span, the span included, line breaks as spaces) and one column per
 * --fields name (a pass-through field of the JSONL or feed document).
 * Quoting follows RFC 4180 (cells holding the delimiter, a quote or a line
 * break are quoted, quotes doubled, rows end in CRLF); tsv is the same
 * with a tab.  --excel writes a UTF-8 byte-order mark, so Excel reads the
 * Chinese text as UTF-8, and makes text cells that start with = + - @ (or
 * a tab or carriage return) inert by prefixing an apostrophe, so a hostile
 * headline cannot become a formula.  Numeric cells are never altered.
 */
#include <stdlib.h>
#include <string.h>

#include "writers.h"

typedef struct csv_state {
    char delim;
    char *fields_copy;
    const char **fields;
    size_t n_fields;
} csv_state;

/* Appends one cell; text cells are neutralised under --excel. */
static void cell(const cli_ctx *ctx, ft_buf *out, const char *s, size_t n, int is_text, int first)
{
    const csv_state *st = ctx->wstate;
    if (!first)
        ft_buf_addc(out, st->delim);
    ft_buf v = {0};
    if (is_text && ctx->opts->excel && n &&
        (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r'))
        ft_buf_addc(&v, '\'');
    cli_add_utf8(&v, s, n);
    int quote = 0;
    for (size_t i = 0; i < v.len && !quote; i++)
        quote = v.p[i] == st->delim || v.p[i] == '"' || v.p[i] == '\n' || v.p[i] == '\r';
    if (!quote) {
        ft_buf_add(out, v.p ? v.p : "", v.len);
    } else {
        ft_buf_addc(out, '"');
        for (size_t i = 0; i < v.len; i++) {
            if (v.p[i] == '"')
                ft_buf_addc(out, '"');
            ft_buf_addc(out, v.p[i]);
        }
        ft_buf_addc(out, '"');
    }
    ft_buf_free(&v);
}

static void cells(const cli_ctx *ctx, ft_buf *out, const char *s, int first)
{
    cell(ctx, out, s, strlen(s), 1, first);
}

/* A span attribute as a cell: numbers verbatim, strings as text. */
static void attr_cell(const cli_ctx *ctx, ft_buf *out, const ft_span *sp, const char *key)
{
    const ft_attr *a = ft_span_attr(sp, key);
    ft_buf v = {0};
    int num = a ? cli_attr_text(a, &v) : 0;
    cell(ctx, out, v.p ? v.p : "", v.len, !num, 0);
    ft_buf_free(&v);
}

/* The span with up to n code points either side; blanks become spaces. */
static void context_cell(const cli_ctx *ctx, ft_buf *out, const cli_doc *doc, const ft_span *sp)
{
    const char *t = doc->text;
    size_t a = sp->byte_start, b = sp->byte_end;
    for (int k = 0; k < ctx->opts->context && a > 0; k++)
        a = ft_utf8_prev(t, a);
    for (int k = 0; k < ctx->opts->context && b < doc->text_len; k++) {
        int l = ft_utf8_seq_len((const unsigned char *)t + b, doc->text_len - b);
        b += l > 0 ? (size_t)l : 1;
    }
    ft_buf c = {0};
    ft_buf_add(&c, t + a, b - a);
    for (size_t i = 0; i < c.len; i++)
        if (c.p[i] == '\n' || c.p[i] == '\r' || c.p[i] == '\t')
            c.p[i] = ' ';
    cell(ctx, out, c.p ? c.p : "", c.len, 1, 0);
    ft_buf_free(&c);
}

/* A pass-through document field as a cell (objects and arrays as JSON). */
static void field_cell(const cli_ctx *ctx, ft_buf *out, const cli_doc *doc, const char *name)
{
    cJSON *v = doc->obj ? cJSON_GetObjectItemCaseSensitive(doc->obj, name) : NULL;
    if (cJSON_IsString(v)) {
        cells(ctx, out, v->valuestring, 0);
    } else if (cJSON_IsNumber(v)) {
        ft_buf n = {0};
        ft_buf_add_num(&n, v->valuedouble);
        cell(ctx, out, n.p, n.len, 0, 0);
        ft_buf_free(&n);
    } else if (v && !cJSON_IsNull(v)) {
        char *j = cJSON_PrintUnformatted(v);
        cells(ctx, out, j ? j : "", 0);
        free(j);
    } else {
        cells(ctx, out, "", 0);
    }
}

static int csv_begin_delim(cli_ctx *ctx, FILE *f, char delim)
{
    csv_state *st = calloc(1, sizeof *st);
    if (!st)
        return -1;
    st->delim = delim;
    ctx->wstate = st;
    if (ctx->opts->fields && *ctx->opts->fields) {
        st->fields_copy = ft_strdup(ctx->opts->fields);
        size_t cap = 1;
        for (const char *p = st->fields_copy; *p; p++)
            cap += *p == ',';
        st->fields = calloc(cap, sizeof *st->fields);
        char *save = NULL;
        for (char *tok = strtok_r(st->fields_copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
            st->fields[st->n_fields++] = tok;
    }
    ft_buf h = {0};
    if (ctx->opts->excel)
        ft_buf_adds(&h, "\xEF\xBB\xBF");
    static const char *const cols[] = {"id", "type", "text", "value", "unit", "low",
                                       "high", "start", "end", "rule"};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        cells(ctx, &h, cols[i], i == 0);
    if (ctx->opts->context > 0)
        cells(ctx, &h, "context", 0);
    for (size_t i = 0; i < st->n_fields; i++)
        cells(ctx, &h, st->fields[i], 0);
    ft_buf_adds(&h, "\r\n");
    int rc = fwrite(h.p, 1, h.len, f) == h.len ? 0 : -1;
    ft_buf_free(&h);
    return rc;
}

static int csv_begin(cli_ctx *ctx, FILE *f)
{
    return csv_begin_delim(ctx, f, ',');
}

static int tsv_begin(cli_ctx *ctx, FILE *f)
{
    return csv_begin_delim(ctx, f, '\t');
}

/* One row per entity of the document. */
static int csv_doc(cli_ctx *ctx, cli_doc *doc, const ft_result *res, ft_buf *out)
{
    const csv_state *st = ctx->wstate;
    for (size_t i = 0; i < res->n_spans; i++) {
        const ft_span *sp = &res->spans[i];
        char num[32];
        cells(ctx, out, doc->id ? doc->id : "", 1);
        cells(ctx, out, sp->type, 0);
        cell(ctx, out, doc->text + sp->byte_start, sp->byte_end - sp->byte_start, 1, 0);
        attr_cell(ctx, out, sp, "value");
        attr_cell(ctx, out, sp, "unit");
        attr_cell(ctx, out, sp, "low");
        attr_cell(ctx, out, sp, "high");
        snprintf(num, sizeof num, "%zu", sp->start);
        cell(ctx, out, num, strlen(num), 0, 0);
        snprintf(num, sizeof num, "%zu", sp->end);
        cell(ctx, out, num, strlen(num), 0, 0);
        cells(ctx, out, sp->rule_id, 0);
        if (ctx->opts->context > 0)
            context_cell(ctx, out, doc, sp);
        for (size_t k = 0; k < st->n_fields; k++)
            field_cell(ctx, out, doc, st->fields[k]);
        ft_buf_adds(out, "\r\n");
    }
    return 0;
}

static int csv_end(cli_ctx *ctx, FILE *f)
{
    FT_UNUSED(f);
    csv_state *st = ctx->wstate;
    if (st) {
        free(st->fields);
        free(st->fields_copy);
        free(st);
    }
    ctx->wstate = NULL;
    return 0;
}

const cli_writer cli_writer_csv = {
    "csv", "one row per entity, RFC 4180 (--context N, --fields a,b, --excel)",
    csv_begin, csv_doc, cli_merge_ok, csv_end, 0};

const cli_writer cli_writer_tsv = {
    "tsv", "as csv, separated by tabs",
    tsv_begin, csv_doc, cli_merge_ok, csv_end, 0};
