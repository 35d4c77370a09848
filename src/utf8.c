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

/* Returns the length of the well-formed sequence at s (RFC 3629: no
 * overlongs, no surrogates, nothing above U+10FFFF), or 0. */
int ft_utf8_seq_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    if (c < 0xC2 || c > 0xF4)
        return 0;
    if (c < 0xE0) {
        if (n < 2 || (s[1] & 0xC0) != 0x80)
            return 0;
        return 2;
    }
    if (c < 0xF0) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        if (c == 0xE0 && s[1] < 0xA0)
            return 0;
        if (c == 0xED && s[1] > 0x9F)
            return 0;
        return 3;
    }
    if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
        (s[3] & 0xC0) != 0x80)
        return 0;
    if (c == 0xF0 && s[1] < 0x90)
        return 0;
    if (c == 0xF4 && s[1] > 0x8F)
        return 0;
    return 4;
}

uint32_t ft_utf8_decode(const unsigned char *s, int len)
{
    switch (len) {
    case 1: return s[0];
    case 2: return ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
    case 3:
        return ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) |
               (s[2] & 0x3F);
    default:
        return ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
               ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
    }
}

size_t ft_utf8_count_invalid(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t bad = 0, i = 0;
    while (i < n) {
        if (u[i] < 0x80) {
            i++;
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
