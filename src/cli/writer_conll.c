/*
 * writer_conll.c - the conll format: one token per line with its BIO (or,
 * with --scheme bioes, BIOES) tag, a blank line after each document; the
 * training-data layout of CoNLL-2003 and of Chinese NER sets such as MSRA.
 *
 * Tokens: a Chinese document - one with at least as many Han characters
 * as Latin words - is tagged character by character, digits and Latin
 * letters included, as MSRA and other Chinese NER corpora are.  Otherwise
 * runs of Latin, Greek or Cyrillic letters and digits form one token (a
 * number keeps its decimal point and thousands separators: 5.2, 1,200) and
 * every other character (Han, punctuation, symbols) is a token of its own.
 * White space separates tokens and is not written.  A token never
 * crosses an entity boundary - it is cut there - so the tags reproduce the
 * entity spans exactly.  Overlapping spans (--overlaps all) cannot be
 * tagged; the first of each overlapping group is kept.  Each line is
 * "TOKEN TAG" with one space, as both corpora use.
 */
#include <stdlib.h>
#include <string.h>

#include "writers.h"

enum { C_SPACE, C_WORD, C_SINGLE };

/* The character class of code point c. */
static int char_class(uint32_t c)
{
    /* the white space of Python's str.split() */
    if ((c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
        c == 0x3000 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
        c == 0x2029 || c == 0x202F || c == 0x205F)
        return C_SPACE;
    if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))
        return C_WORD;
    if ((c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) || (c >= 0x370 && c <= 0x52F))
        return C_WORD;
    return C_SINGLE;
}

/* Decodes the code point at byte i (invalid bytes decode as U+FFFD). */
static uint32_t cp_at(const char *t, size_t n, size_t i, size_t *len)
{
    int k = ft_utf8_seq_len((const unsigned char *)t + i, n - i);
    if (k <= 0) {
        *len = 1;
        return 0xFFFD;
    }
    *len = (size_t)k;
    return ft_utf8_decode((const unsigned char *)t + i, k);
}

static int is_digit_at(const char *t, size_t n, size_t i)
{
    return i < n && t[i] >= '0' && t[i] <= '9';
}

/* True when t[a..b) holds only white space (no token starts there). */
static int only_space(const char *t, size_t n, size_t a, size_t b)
{
    while (a < b) {
        size_t len;
        if (char_class(cp_at(t, n, a, &len)) != C_SPACE)
            return 0;
        a += len;
    }
    return 1;
}

/* Writes one token line; the tag comes from the span covering it (a span
 * that starts or ends with white space still gets its B and E tags). */
static void put_token(ft_buf *out, const char *t, size_t n, size_t a, size_t b,
                      const ft_span *sp, int bioes)
{
    cli_add_utf8(out, t + a, b - a);
    ft_buf_addc(out, ' ');
    if (!sp) {
        ft_buf_adds(out, "O\n");
        return;
    }
    int first = only_space(t, n, sp->byte_start, a);
    int last = only_space(t, n, b, sp->byte_end);
    char tag = first ? 'B' : 'I';
    if (bioes)
        tag = first && last ? 'S' : first ? 'B' : last ? 'E' : 'I';
    ft_buf_addf(out, "%c-%s\n", tag, sp->type);
}

static int is_han(uint32_t c)
{
    return (c >= 0x3400 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
           (c >= 0x20000 && c <= 0x3FFFF);
}

/* True for a Chinese document: Han characters at least as many as Latin
 * words (runs of word characters). */
static int is_chinese(const char *t, size_t n)
{
    size_t han = 0, words = 0;
    int in_word = 0;
    for (size_t i = 0; i < n;) {
        size_t len;
        uint32_t c = cp_at(t, n, i, &len);
        int w = char_class(c) == C_WORD;
        words += w && !in_word;
        in_word = w;
        han += is_han(c);
        i += len;
    }
    return han > 0 && han >= words;
}

static int conll_doc(cli_ctx *ctx, cli_doc *doc, const ft_result *res, ft_buf *out)
{
    int bioes = ctx->opts->scheme && !strcmp(ctx->opts->scheme, "bioes");
    size_t ns;
    const ft_span **spans = cli_flat_spans(res, &ns);
    const char *t = doc->text;
    size_t n = doc->text_len, i = 0, si = 0, ntok = 0;
    int by_char = is_chinese(t, n);
    while (i < n) {
        while (si < ns && spans[si]->byte_end <= i)
            si++;
        const ft_span *cur = si < ns && spans[si]->byte_start <= i ? spans[si] : NULL;
        size_t len;
        uint32_t c = cp_at(t, n, i, &len);
        int cls = char_class(c);
        if (cls == C_SPACE) {
            i += len;
            continue;
        }
        /* the token ends at the next entity boundary at the latest */
        size_t limit = cur ? cur->byte_end : si < ns ? spans[si]->byte_start : n;
        size_t j = i + len;
        if (cls == C_WORD && !by_char) {
            while (j < limit) {
                size_t l2;
                uint32_t c2 = cp_at(t, n, j, &l2);
                if (char_class(c2) == C_WORD) {
                    j += l2;
                } else if ((c2 == '.' || c2 == ',') && is_digit_at(t, n, j - 1) &&
                           j + 1 < limit && is_digit_at(t, n, j + 1)) {
                    j += 1;
                } else {
                    break;
                }
            }
        }
        put_token(out, t, n, i, j, cur, bioes);
        ntok++;
        i = j;
    }
    if (ntok)
        ft_buf_addc(out, '\n');
    free(spans);
    return 0;
}

const cli_writer cli_writer_conll = {
    "conll", "token per line with BIO tags (--scheme bioes); one char per token for Chinese",
    NULL, conll_doc, cli_merge_ok, NULL, 0};
