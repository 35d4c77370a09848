/*
 * writer.c - the table of output formats.
 *
 * Every format is a cli_writer: a doc() function that renders one document
 * into that document's buffer (in a worker thread), and optional begin(),
 * merge() and end() functions that run in the main thread in input order.
 * Adding a format means adding one entry to the table below.
 */
#include <string.h>

#include "cli.h"

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

/* The JSONL record: for JSON input the input object (its bytes kept as they
 * were) plus "entities"; for text input {"id": FILE, "entities": [...]}. */
int cli_json_record(cli_ctx *ctx, cli_doc *doc, const ft_result *res, ft_buf *out)
{
    char *ents = ft_result_to_json(res, doc->text, doc->text_len, ctx->opts->utf16);
    if (!ents)
        return -1;
    if (doc->is_json && doc->obj) {
        int clash = cJSON_HasObjectItem(doc->obj, "entities") ||
                    (res->n_warnings && cJSON_HasObjectItem(doc->obj, "warnings"));
        char *base = NULL;
        const char *src = doc->raw;
        size_t n = doc->raw_len;
        if (clash) {
            cJSON_DeleteItemFromObjectCaseSensitive(doc->obj, "entities");
            if (res->n_warnings)
                cJSON_DeleteItemFromObjectCaseSensitive(doc->obj, "warnings");
            base = cJSON_PrintUnformatted(doc->obj);
            src = base;
            n = base ? strlen(base) : 0;
        }
        while (n && src[n - 1] != '}')
            n--;
        if (n == 0) {
            free(base);
            free(ents);
            return -1;
        }
        ft_buf_add(out, src, n - 1);
        ft_buf_adds(out, doc->obj->child ? ",\"entities\":" : "\"entities\":");
        free(base);
    } else {
        ft_buf_adds(out, "{\"id\":");
        if (doc->id)
            ft_buf_add_json_str(out, doc->id, strlen(doc->id));
        else
            ft_buf_adds(out, "null");
        ft_buf_adds(out, ",\"entities\":");
    }
    ft_buf_adds(out, ents);
    free(ents);
    add_warnings(res, out);
    return ft_buf_adds(out, "}\n");
}

static int jsonl_doc(cli_ctx *ctx, cli_doc *doc, const ft_result *res, ft_buf *out)
{
    return cli_json_record(ctx, doc, res, out);
}

static const cli_writer writers[] = {
    {"jsonl", "one JSON object per document with its \"entities\" (default)", NULL,
     jsonl_doc, NULL, NULL},
};

const cli_writer *cli_writer_find(const char *name)
{
    for (size_t i = 0; i < sizeof writers / sizeof writers[0]; i++)
        if (!strcmp(writers[i].name, name))
            return &writers[i];
    return NULL;
}

void cli_writer_list(FILE *f)
{
    for (size_t i = 0; i < sizeof writers / sizeof writers[0]; i++)
        fprintf(f, "  %-12s %s\n", writers[i].name, writers[i].help);
}
