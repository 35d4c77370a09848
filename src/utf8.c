/*
 * utf8.c - UTF-8 validation and offset arithmetic.
 *
 * A document is validated once; when it holds invalid bytes the scanner
 * matches a sanitised copy in which each bad byte is replaced by 0x1A (one
 * byte, one code point), so byte offsets stay true to the input and each bad
 * byte counts as one code point, as U+FFFD would.  PCRE2 then runs with
 * PCRE2_NO_UTF_CHECK on every call.
 */
#include <string.h>

#include "fintag_int.h"

/* Counts the invalid bytes.  The common three-byte sequences (leads E1-EC
 * and EE-EF, whose continuation bytes have no further limits: all CJK and
 * full-width punctuation) are accepted first, with one test, and runs of
 * ASCII are skipped eight bytes at a time. */
size_t ft_utf8_count_invalid(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t bad = 0, i = 0;
    while (i < n) {
        unsigned c = u[i];
        if (c - 0xE1u <= 0x0Eu && c != 0xED && n - i >= 3 &&
            ((u[i + 1] ^ 0x80u) | (u[i + 2] ^ 0x80u)) < 0x40u) {
            i += 3;
            continue;
        }
        if (c < 0x80) {
            i++;
            uint64_t w;
            while (i + 8 <= n && (memcpy(&w, u + i, 8), !(w & 0x8080808080808080ull)))
                i += 8;
            continue;
        }
        int l = ft_utf8_seq_len(u + i, n - i);
        if (l == 0) {
            bad++;
            i++;
        } else {
            i += (size_t)l;
        }
    }
    return bad;
}

void ft_utf8_sanitize(const char *s, size_t n, char *dst)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        if (u[i] < 0x80) {
            dst[i] = s[i];
            i++;
            continue;
        }
        int l = ft_utf8_seq_len(u + i, n - i);
        if (l == 0) {
            dst[i++] = 0x1A;
        } else {
            memcpy(dst + i, s + i, (size_t)l);
            i += (size_t)l;
        }
    }
}

size_t ft_utf8_prev(const char *s, size_t i)
{
    const unsigned char *u = (const unsigned char *)s;
    if (i == 0)
        return 0;
    size_t j = i - 1;
    size_t lim = i >= 4 ? i - 4 : 0;
    while (j > lim && (u[j] & 0xC0) == 0x80)
        j--;
    int l = ft_utf8_seq_len(u + j, i - j);
    if (l > 0 && j + (size_t)l == i)
        return j;
    return i - 1;
}

size_t ft_utf8_cp_count(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t cp = 0, i = 0;
    while (i < n) {
        if (u[i] < 0x80) {
            i++;
        } else {
            int l = ft_utf8_seq_len(u + i, n - i);
            i += l > 0 ? (size_t)l : 1;
        }
        cp++;
    }
    return cp;
}

int ft_utf8_column(const char *s, size_t line_start, size_t off)
{
    return (int)ft_utf8_cp_count(s + line_start, off - line_start) + 1;
}
