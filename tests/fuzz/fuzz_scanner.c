/*
 * fuzz_scanner.c - libFuzzer target for the scanner with the shipped rules.
 *
 * The shipped rule pack is compiled once.  The first input byte picks the
 * scan options (invalid-UTF-8 mode, overlaps, explain, a reference date);
 * the rest is the document, in a buffer of exactly its length.  Every scan
 * is checked for consistent results: spans lie inside the document, are
 * sorted, their code-point and UTF-16 offsets are ordered like their byte
 * offsets, and every span has a type and rule.  The document is scanned a
 * second time with the prefilter disabled; the prefilter is only a speed-up,
 * so both scans must render the same JSON.
 */
#include <stdlib.h>
#include <string.h>

#include "fintag.h"
#include "fuzz_shipped.h"

FUZZ_SHIPPED_TARGET

/* Aborts when a result breaks the documented invariants. */
static void check_result(const ft_result *res, size_t len)
{
    for (size_t i = 0; i < res->n_spans; i++) {
        const ft_span *s = &res->spans[i];
        if (!s->type || !s->rule_id || s->byte_start > s->byte_end || s->byte_end > len ||
            s->start > s->end || s->end > len || s->u16_start > s->u16_end ||
            s->start > s->byte_start || s->u16_start < s->start || s->u16_end < s->end)
            abort();
        if (i && res->spans[i - 1].byte_start > s->byte_start)
            abort();
        for (size_t k = 0; k < s->n_attrs; k++)
            if (!s->attrs[k].key || (s->attrs[k].kind == FT_VAL_STR && !s->attrs[k].str))
                abort();
    }
    for (size_t i = 0; i < res->n_warnings; i++)
        if (!res->warnings[i])
            abort();
}

/* Scans once and returns the rendered JSON (NULL when the scan failed). */
static char *scan(const char *text, size_t len, const ft_scan_opts *so, int *rc)
{
    const ft_result *res;
    *rc = ft_scanner_scan(scanner, text, len, so, &res);
    if (*rc != FT_OK)
        return NULL;
    check_result(res, len);
    char *js = ft_result_to_json(res, text, len, 1);
    if (!js)
        abort();
    return js;
}

/* Scans the document with and without the prefilter and compares. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    static const char *const dates[] = {NULL, "2024-03-15", "2019", "bogus"};
    unsigned o = data[0];
    ft_scan_opts so;
    ft_scan_opts_init(&so);
    so.utf8_mode = (ft_utf8_mode)(o % 3);
    so.keep_overlaps = (o >> 2) & 1;
    so.explain = (o >> 3) & 1;
    so.ref_date = dates[(o >> 4) & 3];
    size_t len = size - 1;
    char *text = malloc(len ? len : 1);
    if (!text)
        return 0;
    memcpy(text, data + 1, len);
    int rc1, rc2;
    char *a = scan(text, len, &so, &rc1);
    so.plain = 1;
    char *b = scan(text, len, &so, &rc2);
    if (rc1 != rc2 || (a && strcmp(a, b)))
        abort(); /* the prefilter changed the result */
    ft_free(a);
    ft_free(b);
    free(text);
    return 0;
}
