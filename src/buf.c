/*
 * buf.c - a growable byte buffer, the JSON string escaper and the number
 * printer every writer shares.
 *
 * The buffer doubles its capacity and keeps a NUL after the data so that its
 * contents can be handed to C string functions.  Functions return 0 on
 * success and FT_ERR_NOMEM when memory runs out (the buffer is unchanged).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fintag_int.h"

/* Makes room for extra more bytes plus the terminating NUL. */
int ft_buf_reserve(ft_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p)
        return FT_ERR_NOMEM;
    b->p = p;
    b->cap = cap;
    return 0;
}

int ft_buf_add(ft_buf *b, const char *s, size_t n)
{
    if (ft_buf_reserve(b, n))
        return FT_ERR_NOMEM;
    if (n)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
    return 0;
}

int ft_buf_adds(ft_buf *b, const char *s)
{
    return ft_buf_add(b, s, strlen(s));
}

int ft_buf_addc(ft_buf *b, char c)
{
    return ft_buf_add(b, &c, 1);
}

int ft_buf_addf(ft_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || ft_buf_reserve(b, (size_t)n))
        return FT_ERR_NOMEM;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

/* Writes the body of s (n bytes) as a JSON string (no quotes) at o. */
static char *json_body_at(char *o, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned char c = u[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            *o++ = (char)c;
            i++;
            continue;
        }
        if (c >= 0x80) {
            /* a CJK character (the common case) is checked inline */
            int l = c >= 0xE1 && c <= 0xEF && c != 0xED && n - i >= 3 &&
                            (u[i + 1] & 0xC0) == 0x80 && (u[i + 2] & 0xC0) == 0x80
                        ? 3
                        : ft_utf8_seq_len(u + i, n - i);
            if (l > 0) {
                memcpy(o, u + i, (size_t)l);
                o += l;
                i += (size_t)l;
                continue;
            }
            memcpy(o, "\\ufffd", 6);
            o += 6;
            i++;
            continue;
        }
        *o++ = '\\';
        switch (c) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '\n': *o++ = 'n'; break;
        case '\r': *o++ = 'r'; break;
        case '\t': *o++ = 't'; break;
        case '\b': *o++ = 'b'; break;
        case '\f': *o++ = 'f'; break;
        default:
            memcpy(o, "u00", 3);
            o[3] = hex[c >> 4];
            o[4] = hex[c & 15];
            o += 5;
        }
        i++;
    }
    return o;
}

char *ft_json_str_at(char *o, const char *s, size_t n)
{
    *o++ = '"';
    o = json_body_at(o, s, n);
    *o++ = '"';
    return o;
}

size_t ft_json_room(size_t n)
{
    return 6 * n + 2;
}

/* Writes s as a JSON string literal (invalid UTF-8 becomes U+FFFD, so the
 * output is always valid JSON).  A long string goes in pieces of 64 KiB,
 * each ending before a byte that is no continuation byte (so no character
 * is cut), to keep the room reserved small. */
int ft_buf_add_json_str(ft_buf *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    if (ft_buf_reserve(b, 2))   /* the quotes (the terminating NUL is counted) */
        return FT_ERR_NOMEM;
    b->p[b->len++] = '"';
    for (size_t i = 0; i < n;) {
        size_t e = n - i > 65536 ? i + 65536 : n;
        while (e < n && e > i && (u[e] & 0xC0) == 0x80)
            e--;
        if (e == i)
            e = i + 65536;
        if (ft_buf_reserve(b, 6 * (e - i) + 1))   /* and the closing quote */
            return FT_ERR_NOMEM;
        b->len = (size_t)(json_body_at(b->p + b->len, s + i, e - i) - b->p);
        i = e;
    }
    b->p[b->len++] = '"';
    b->p[b->len] = 0;
    return 0;
}

/* Finds the decimal D = m / 10^k (k = 1..6, m < 1e15 integral) whose
 * nearest double is a, for 1e-3 <= a < 1e9 (amounts like 6.06 or 177.88 as
 * strtod reads them); returns k, or 0 when a is no such number.  Such a D is
 * what "%.15g" prints for a: a lies within 2^-53 a of D, while 15-digit
 * rounding moves a to the nearest 15-digit decimal and any other one is at
 * least 5e-16 a away; the smallest k leaves no trailing zero in m. */
static int short_decimal(double a, unsigned long long *m)
{
    static const double p10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6};
    if (!(a >= 1e-3 && a < 1e9))
        return 0;
    for (int k = 1; k <= 6; k++) {
        double d = nearbyint(a * p10[k]);
        if (d >= 1e15)
            return 0;
        if (d / p10[k] == a) {
            *m = (unsigned long long)d;
            return k;
        }
    }
    return 0;
}

/* Prints r as "%.15g" does when short_decimal() knows its digits, without
 * printf; returns 1, or 0 when r is not such a number. */
static int add_short_decimal(ft_buf *b, double r)
{
    static const unsigned long long i10[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
    unsigned long long m;
    int k = short_decimal(fabs(r), &m);
    if (!k)
        return 0;
    unsigned long long ip = m / i10[k], fp = m % i10[k];
    char tmp[40];
    size_t i = sizeof tmp;
    for (int d = 0; d < k; d++) {
        tmp[--i] = (char)('0' + fp % 10);
        fp /= 10;
    }
    tmp[--i] = '.';
    do {
        tmp[--i] = (char)('0' + ip % 10);
        ip /= 10;
    } while (ip);
    if (r < 0)
        tmp[--i] = '-';
    ft_buf_add(b, tmp + i, sizeof tmp - i);
    return 1;
}

double ft_round15(double v)
{
    if (!isfinite(v) || v == 0)
        return v;
    /* fast path: v is within a quarter of its 15th significant digit of an
     * integer, so rounding to 15 digits gives that integer */
    double r = nearbyint(v);
    if (fabs(r) < 1e15 && fabs(v - r) <= fabs(v) * 4e-16)
        return r;
    /* the nearest double to a short decimal rounds to itself */
    unsigned long long m;
    if (short_decimal(fabs(v), &m))
        return v;
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.15g", v);
    return strtod(tmp, NULL);
}

/* Prints v as a JSON number: integral values of reasonable size without a
 * fraction, others with 15 significant digits; non-finite values as null. */
int ft_buf_add_num(ft_buf *b, double v)
{
    if (!isfinite(v))
        return ft_buf_adds(b, "null");
    double r = ft_round15(v);
    if (r == floor(r) && fabs(r) < 1e15) {
        /* integers (most values: amounts in base units, counts) without printf */
        char tmp[24];
        size_t i = sizeof tmp;
        long long n = (long long)r;
        unsigned long long u = n < 0 ? (unsigned long long)(-n) : (unsigned long long)n;
        do {
            tmp[--i] = (char)('0' + u % 10);
            u /= 10;
        } while (u);
        if (n < 0)
            tmp[--i] = '-';
        return ft_buf_add(b, tmp + i, sizeof tmp - i);
    }
    if (r == floor(r) && fabs(r) < 1e17)
        return ft_buf_addf(b, "%.0f", r);
    if (add_short_decimal(b, r))
        return 0;
    return ft_buf_addf(b, "%.15g", r);
}

char *ft_uint_at(char *o, size_t v)
{
    char tmp[24];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    memcpy(o, tmp + i, sizeof tmp - i);
    return o + (sizeof tmp - i);
}

int ft_buf_add_uint(ft_buf *b, size_t v)
{
    if (ft_buf_reserve(b, 24))
        return FT_ERR_NOMEM;
    b->len = (size_t)(ft_uint_at(b->p + b->len, v) - b->p);
    b->p[b->len] = 0;
    return 0;
}

void ft_buf_free(ft_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

char *ft_strndup(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *ft_strdup(const char *s)
{
    return s ? ft_strndup(s, strlen(s)) : NULL;
}

#define CACHE_LINE 64

void *ft_calloc_lines(size_t n, size_t size)
{
    if (size && n > (SIZE_MAX - CACHE_LINE) / size)
        return NULL;
    size_t bytes = (n * size + CACHE_LINE - 1) / CACHE_LINE * CACHE_LINE;
    void *p = aligned_alloc(CACHE_LINE, bytes ? bytes : CACHE_LINE);
    if (p)
        memset(p, 0, bytes);
    return p;
}

int ft_buf_add_cp(ft_buf *b, uint32_t c)
{
    char t[4];
    if (c < 0x80)
        return ft_buf_addc(b, (char)c);
    if (c < 0x800) {
        t[0] = (char)(0xC0 | (c >> 6));
        t[1] = (char)(0x80 | (c & 0x3F));
        return ft_buf_add(b, t, 2);
    }
    if (c < 0x10000) {
        t[0] = (char)(0xE0 | (c >> 12));
        t[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        t[2] = (char)(0x80 | (c & 0x3F));
        return ft_buf_add(b, t, 3);
    }
    t[0] = (char)(0xF0 | (c >> 18));
    t[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    t[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    t[3] = (char)(0x80 | (c & 0x3F));
    return ft_buf_add(b, t, 4);
}
