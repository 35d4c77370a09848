/*
 * fuzz_feed.c - libFuzzer target for the CLI's RSS / Atom reader.
 *
 * The first input byte picks a chunk size; the rest is a feed file.  It is
 * parsed twice with cli_feed (expat underneath): in one piece, and in chunks
 * of that size, so every element, entity and UTF-8 sequence gets split at
 * some point.  Both parses must yield the same items, since chunk boundaries
 * are an accident of reading; for malformed XML only the failure itself must
 * agree, because expat words and places its error differently depending on
 * where the chunk ends.  Every item of the whole-file parse is then
 * prepared with cli_doc_prepare, tagged with the shipped rules and rendered;
 * its output record must be one line holding a JSON object.  The HTML-to-text
 * helper also gets the raw bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "input_feed.h"
#include "fuzz_cli.h"
#include "fuzz_shipped.h"

#define MAX_ITEMS 256

FUZZ_SHIPPED_TARGET

/* Parses s[0..n) in chunks of `chunk` bytes and collects up to MAX_ITEMS
 * items into docs; returns their number. */
static size_t parse(const cli_opts *o, const char *s, size_t n, size_t chunk, cli_doc *docs)
{
    cli_feed *f = cli_feed_new(o, "fuzz.xml");
    if (!f)
        abort();
    size_t got = 0, off = 0;
    int failed = 0;
    do {
        size_t k = n - off < chunk ? n - off : chunk;
        if (!failed && cli_feed_parse(f, s + off, k, off + k == n) != 0)
            failed = 1;
        off += k;
        cli_doc d;
        memset(&d, 0, sizeof d);
        while (cli_feed_next(f, &d)) {
            if (got < MAX_ITEMS)
                docs[got++] = d;
            else
                cli_doc_free(&d);
            memset(&d, 0, sizeof d);
        }
    } while (off < n);
    cli_feed_free(f);
    return got;
}

/* 1 when two strings (either may be NULL) are equal. */
static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Tags one item and checks its output record. */
static void tag_and_check(cli_ctx *ctx, cli_doc *doc)
{
    if (cli_doc_prepare(ctx->opts, doc, NULL) == 0) {
        ft_scan_opts so;
        ft_scan_opts_init(&so);
        so.ref_date = doc->ref_date;
        const ft_result *res;
        int rc = ft_scanner_scan(scanner, doc->text, doc->text_len, &so, &res);
        if (rc != FT_OK)
            cli_error_record(doc, ft_strerror(rc), &doc->out);
        else
            ctx->writer->doc(ctx, doc, res, &doc->out);
    }
    cJSON_Delete(fuzz_doc_record(doc));
}

/* Parses whole and chunked, compares, tags the items. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t chunk = 1 + data[0] % 64;
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    cli_opts o;
    fuzz_jsonl_opts(&o);
    o.date_field = NULL;     /* an item's date comes from the feed */
    o.max_doc_bytes = 1 << 16;
    static cli_doc whole[MAX_ITEMS], parts[MAX_ITEMS];
    size_t nw = parse(&o, s, n, n ? n : 1, whole);
    size_t np = parse(&o, s, n, chunk, parts);
    if (nw != np)
        abort(); /* chunking changed the number of items */
    for (size_t i = 0; i < nw; i++)
        if (!same(whole[i].raw, parts[i].raw) || !whole[i].input_error != !parts[i].input_error)
            abort(); /* chunking changed an item */
    cli_ctx ctx;
    fuzz_jsonl_ctx(&ctx, &o, shipped);
    for (size_t i = 0; i < nw; i++) {
        tag_and_check(&ctx, &whole[i]);
        cli_doc_free(&whole[i]);
        cli_doc_free(&parts[i]);
    }
    ft_buf t = {0};
    cli_html_to_text(s, n, &t);
    ft_buf_free(&t);
    return 0;
}
