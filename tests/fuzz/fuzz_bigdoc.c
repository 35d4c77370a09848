/*
 * fuzz_bigdoc.c - libFuzzer target for the path of documents over
 * --chunk-over (src/cli/bigdoc.c: a JSON tokenizer fed in pieces, string
 * decoding across reads, record assembly; src/chunk.c: windows).
 *
 * Each line of the input is tagged twice: in memory (cli_doc_prepare, one
 * scan) and spooled (cli_big_process with 64-byte windows).  The spooled
 * record must be one line of JSON holding an object; an error record must
 * name the line; and when both paths accept the line, their "entities" and
 * "warnings" must be equal.  (The two JSON parsers may disagree on lines
 * at the edge of validity, such as numbers with leading zeros, which cJSON
 * lets through; that is not a finding.  Lines declaring a unit are not
 * compared, since a declaration applies from its window on by design.)
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_cli.h"
#include "fuzz_shipped.h"

FUZZ_SHIPPED_TARGET

/* Reads a whole FILE into a buffer. */
static void slurp(FILE *f, ft_buf *b)
{
    char blk[4096];
    size_t n;
    rewind(f);
    while ((n = fread(blk, 1, sizeof blk, f)) > 0)
        ft_buf_add(b, blk, n);
}

/* Tags one line both ways and compares. */
static void one_line(cli_ctx *ctx, const char *line, size_t len)
{
    cli_doc a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    a.is_json = b.is_json = 1;
    a.line = b.line = 1;
    a.raw = malloc(len + 1);
    memcpy(a.raw, line, len);
    a.raw[len] = 0;
    a.raw_len = len;
    int ok_a = 0;
    if (cli_doc_prepare(ctx->opts, &a, NULL) == 0) {
        ft_scan_opts so;
        cli_scan_opts(ctx->opts, &a, &so);
        const ft_result *res;
        if (ft_scanner_scan(scanner, a.text, a.text_len, &so, &res) == FT_OK) {
            ctx->writer->doc(ctx, &a, res, &a.out);
            ok_a = 1;
        }
    }
    b.spool = cli_spool_open();
    if (!b.spool || fwrite(line, 1, len, b.spool) != len || fflush(b.spool))
        abort();
    b.raw_len = len;
    if (!cli_big_process(ctx, scanner, &b))
        abort();
    ft_buf out_b = {0};
    if (b.out_spool)
        slurp(b.out_spool, &out_b);
    else
        ft_buf_add(&out_b, b.out.p, b.out.len);
    cJSON *jb = fuzz_parse_record(out_b.p ? out_b.p : "", out_b.len);
    if (b.failed) {
        cJSON *l = cJSON_GetObjectItemCaseSensitive(jb, "line");
        if (!cJSON_IsNumber(l) || l->valuedouble != 1)
            abort();
    } else if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(jb, "entities"))) {
        abort();
    }
    if (ok_a && !b.failed && !memmem(a.text, a.text_len, "单位", strlen("单位"))) {
        cJSON *ja = fuzz_doc_record(&a);
        static const char *const keys[] = {"entities", "warnings"};
        for (int k = 0; k < 2; k++)
            if (!cJSON_Compare(cJSON_GetObjectItemCaseSensitive(ja, keys[k]),
                               cJSON_GetObjectItemCaseSensitive(jb, keys[k]), 1) &&
                (cJSON_GetObjectItemCaseSensitive(ja, keys[k]) ||
                 cJSON_GetObjectItemCaseSensitive(jb, keys[k])))
                abort();
        cJSON_Delete(ja);
    }
    cJSON_Delete(jb);
    ft_buf_free(&out_b);
    cli_doc_free(&a);
    cli_doc_free(&b);
}

/* Every line of the input is one test. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cli_opts o;
    fuzz_jsonl_opts(&o);
    o.chunk_window = 64;
    cli_ctx ctx;
    fuzz_jsonl_ctx(&ctx, &o, shipped);
    const char *p = (const char *)data, *end = p + size;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        one_line(&ctx, p, n);
        p += n + 1;
    }
    return 0;
}
