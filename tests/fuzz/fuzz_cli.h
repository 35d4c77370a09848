/*
 * fuzz_cli.h - what the fuzz targets of the CLI's JSONL paths share: the
 * options of `fintag --jsonl` with the usual field names, the JSONL
 * writer's context, and the check that a document's output record (which
 * the pipeline may keep in two parts, the line's bytes in out_head and the
 * rendered rest in out) is one line of JSON holding an object.
 */
#ifndef FUZZ_CLI_H
#define FUZZ_CLI_H

#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Options of `fintag --jsonl`: fields text, id and date, JSONL output. */
static void fuzz_jsonl_opts(cli_opts *o)
{
    memset(o, 0, sizeof *o);
    o->text_field = "text";
    o->id_field = "id";
    o->date_field = "date";
    o->format = "jsonl";
}

/* The JSONL writer's context over rules; aborts when there is no writer. */
static void fuzz_jsonl_ctx(cli_ctx *ctx, const cli_opts *o, const ft_rules *rules)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->opts = o;
    ctx->rules = rules;
    ctx->writer = cli_writer_find("jsonl");
    if (!ctx->writer)
        abort();
}

/* Parses p[0..n) as one record: aborts unless it is one line of JSON that
 * holds an object.  The caller deletes the result. */
static cJSON *fuzz_parse_record(const char *p, size_t n)
{
    if (n < 2 || p[n - 1] != '\n' || memchr(p, '\n', n - 1))
        abort();
    cJSON *j = cJSON_ParseWithLength(p, n);
    if (!cJSON_IsObject(j))
        abort();
    return j;
}

/* The document's whole in-memory record, parsed (see fuzz_parse_record). */
static cJSON *fuzz_doc_record(const cli_doc *doc)
{
    ft_buf rec = {0};
    ft_buf_add(&rec, doc->out_head ? doc->out_head : "", doc->out_head_len);
    ft_buf_add(&rec, doc->out.p ? doc->out.p : "", doc->out.len);
    cJSON *j = fuzz_parse_record(rec.p ? rec.p : "", rec.len);
    ft_buf_free(&rec);
    return j;
}

#endif
