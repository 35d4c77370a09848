/*
 * writer.c - the table of output formats, the JSONL format and the helpers
 * the other formats share (writers.h).
 *
 * Every format is a cli_writer: a doc() function that renders one document
 * into that document's buffer (in any of the -j threads), and optional begin(),
 * merge() and end() functions that run one at a time, in input order.
 * Adding a format means adding one entry to the table below.  A JSONL
 * record that keeps its input line is not copied: the buffer holds what
 * follows the line's bytes, which are written first.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "writers.h"

/* ---- shared helpers ------------------------------------------------------ */

int cli_merge_ok(cli_ctx *ctx, cli_doc *doc, FILE *f)
{
    FT_UNUSED(ctx);
    if (doc->failed || !doc->out.len)
        return 0;
    return fwrite(doc->out.p, 1, doc->out.len, f) == doc->out.len ? 0 : -1;
}

void cli_add_utf8(ft_buf *out, const char *s, size_t n)
{
    size_t i = 0, run = 0;
    while (i < n) {
        int k = ft_utf8_seq_len((const unsigned char *)s + i, n - i);
        if (k > 0) {
            i += (size_t)k;
            continue;
        }
        ft_buf_add(out, s + run, i - run);
        ft_buf_adds(out, "\xEF\xBF\xBD");
        run = ++i;
    }
    ft_buf_add(out, s + run, i - run);
}

void cli_add_xml(ft_buf *out, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        const unsigned char *u = (const unsigned char *)s + i;
        int k = ft_utf8_seq_len(u, n - i);
        uint32_t c = k > 0 ? ft_utf8_decode(u, k) : 0xFFFD;
        if (k <= 0)
            k = 1;
        if (c == '&')
            ft_buf_adds(out, "&amp;");
        else if (c == '<')
            ft_buf_adds(out, "&lt;");
        else if (c == '>')
            ft_buf_adds(out, "&gt;");
        else if (c == '"')
            ft_buf_adds(out, "&quot;");
        else if (c == '\'')
            ft_buf_adds(out, "&#39;");
        else if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0xFFFE ||
                 c == 0xFFFF || c == 0xFFFD)
            ft_buf_adds(out, "\xEF\xBF\xBD");
        else
            ft_buf_add(out, s + i, (size_t)k);
        i += (size_t)k;
    }
}

int cli_attr_text(const ft_attr *a, ft_buf *out)
{
    switch (a->kind) {
    case FT_VAL_NUM:
        ft_buf_add_num(out, a->num);
        return 1;
    case FT_VAL_STR:
        cli_add_utf8(out, a->str, strlen(a->str));
        return 0;
    case FT_VAL_BOOL:
        ft_buf_adds(out, a->boolean ? "true" : "false");
        return 0;
    default:
        return 0;
    }
}

const ft_span **cli_flat_spans(const ft_result *res, size_t *n)
{
    *n = 0;
    if (!res->n_spans)
        return NULL;
    const ft_span **v = malloc(res->n_spans * sizeof *v);
    if (!v)
        return NULL;
    size_t end = 0;
    for (size_t i = 0; i < res->n_spans; i++) {
        const ft_span *sp = &res->spans[i];
        if (*n && sp->byte_start < end)
            continue;
        v[(*n)++] = sp;
        end = sp->byte_end;
    }
    return v;
}

const char **cli_rule_types(const ft_rules *rules, size_t *n)
{
    size_t nr = ft_rules_count(rules);
    const char **v = calloc(nr + 1, sizeof *v);
    *n = 0;
    if (!v)
        return NULL;
    for (size_t i = 0; i < nr; i++) {
        ft_rule_info info;
        if (ft_rules_info(rules, i, &info) != FT_OK || !info.type || info.type[0] == '_')
            continue;
        size_t k = 0;
        while (k < *n && strcmp(v[k], info.type))
            k++;
        if (k == *n)
            v[(*n)++] = info.type;
    }
    return v;
}

/* ---- JSONL ------------------------------------------------------------------ */

/* Appends the "warnings" member when the scan produced any. */
static void add_warnings(const ft_result *res, ft_buf *out)
{
    if (!res->n_warnings)
        return;
    ft_buf_adds(out, ",\"warnings\":[");
    for (size_t i = 0; i < res->n_warnings; i++) {
        if (i)
            ft_buf_addc(out, ',');
        ft_buf_add_json_str(out, res->warnings[i], strlen(res->warnings[i]));
    }
    ft_buf_addc(out, ']');
}

/* 1 when the line already has an "entities" member, or a "warnings" member
 * and the scan has warnings: the record is then rebuilt from the tree. */
static int json_clash(const cli_doc *doc, const ft_result *res)
{
    if (doc->obj)
        return cJSON_HasObjectItem(doc->obj, "entities") ||
               (res->n_warnings && cJSON_HasObjectItem(doc->obj, "warnings"));
    return doc->json_entities || (res->n_warnings && doc->json_warnings);
}

/* The JSONL record: for JSON input the input object (its bytes kept as they
 * were) plus "entities"; for text input {"id": FILE, "entities": [...]}.
 * When the record keeps the line's bytes, out receives only what follows
 * them and doc->out_head points at them in doc->raw. */
int cli_json_record(cli_ctx *ctx, cli_doc *doc, const ft_result *res, ft_buf *out)
{
    if (doc->is_json && (doc->obj || doc->json_fast)) {
        char *base = NULL;
        const char *src = doc->raw;
        size_t n = doc->raw_len;
        if (json_clash(doc, res)) {
            cJSON *obj = cli_doc_tree(doc);
            if (!obj)
                return -1;
            /* every copy: a line may repeat a key */
            while (cJSON_GetObjectItemCaseSensitive(obj, "entities"))
                cJSON_DeleteItemFromObjectCaseSensitive(obj, "entities");
            while (res->n_warnings && cJSON_GetObjectItemCaseSensitive(obj, "warnings"))
                cJSON_DeleteItemFromObjectCaseSensitive(obj, "warnings");
            base = cJSON_PrintUnformatted(obj);
            src = base;
            n = base ? strlen(base) : 0;
        }
        while (n && src[n - 1] != '}')
            n--;
        if (n == 0) {
            free(base);
            return -1;
        }
        int members = doc->obj ? doc->obj->child != NULL : doc->json_members > 0;
        if (base) {
            /* room for the record and a typical entity list in one allocation */
            ft_buf_reserve(out, n + 64 + res->n_spans * 256);
            ft_buf_add(out, base, n - 1);
            free(base);
        } else {
            /* the line itself is the record's head: not copied, the writer
             * thread writes it from the line before out */
            doc->out_head = src;
            doc->out_head_len = n - 1;
            ft_buf_reserve(out, 64 + res->n_spans * 256);
        }
        ft_buf_adds(out, members ? ",\"entities\":" : "\"entities\":");
    } else {
        ft_buf_adds(out, "{\"id\":");
        if (doc->id)
            ft_buf_add_json_str(out, doc->id, strlen(doc->id));
        else
            ft_buf_adds(out, "null");
        ft_buf_adds(out, ",\"entities\":");
    }
    if (ft_json_add_entities(out, res, doc->text, doc->text_len, ctx->opts->utf16))
        return -1;
    add_warnings(res, out);
    return ft_buf_adds(out, "}\n");
}

static int jsonl_doc(cli_ctx *ctx, cli_doc *doc, const ft_result *res, ft_buf *out)
{
    return cli_json_record(ctx, doc, res, out);
}

static const cli_writer jsonl_writer = {
    "jsonl", "one JSON object per document with its \"entities\" (default)", NULL,
    jsonl_doc, NULL, NULL, 0};

/* ---- the table ---------------------------------------------------------------- */

static const cli_writer *const writers[] = {
    &jsonl_writer, &cli_writer_csv, &cli_writer_tsv, &cli_writer_conll, &cli_writer_spacy,
    &cli_writer_doccano, &cli_writer_labelstudio, &cli_writer_brat, &cli_writer_inline,
    &cli_writer_html, &cli_writer_stats,
};

const cli_writer *cli_writer_find(const char *name)
{
    for (size_t i = 0; i < sizeof writers / sizeof writers[0]; i++)
        if (!strcmp(writers[i]->name, name))
            return writers[i];
    return NULL;
}

void cli_writer_list(FILE *f)
{
    for (size_t i = 0; i < sizeof writers / sizeof writers[0]; i++)
        fprintf(f, "  %-12s %s\n", writers[i]->name, writers[i]->help);
}
