/*
 * test_output.c - the number and JSON printers every output format uses.
 *
 * ft_buf_add_num prints most values without printf (integers, and decimals
 * with up to six fraction digits), and ft_round15 knows such decimals
 * without printf too; these tests hold them to what the
 * "%.15g" and "%.0f" formats print for the same rounded value, over edge
 * cases and a few hundred thousand pseudo-random values; ft_buf_add_uint
 * against "%zu"; ft_buf_add_json_str, which escapes long strings in pieces,
 * against a plain escaper, around the piece size.  And ft_calloc_lines,
 * which gives per-thread scanner state cache lines of its own.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fintag_int.h"
#include "unit.h"

/* What ft_buf_add_num printed with printf only (the reference). */
static void reference_num(double v, char *out, size_t n)
{
    if (!isfinite(v)) {
        snprintf(out, n, "null");
        return;
    }
    double r = ft_round15(v);
    if (r == floor(r) && fabs(r) < 1e15)
        snprintf(out, n, "%lld", (long long)r);
    else if (r == floor(r) && fabs(r) < 1e17)
        snprintf(out, n, "%.0f", r);
    else
        snprintf(out, n, "%.15g", r);
}

/* 1 when ft_buf_add_num(v) prints the reference text and ft_round15(v)
 * is what printing 15 digits and reading them back gives. */
static int num_ok(double v)
{
    if (isfinite(v)) {
        char t[64];
        snprintf(t, sizeof t, "%.15g", v);
        double want = strtod(t, NULL), got = ft_round15(v);
        if (!(got == want || (got == 0 && want == 0))) {
            fprintf(stderr, "ft_round15(%.17g): got %.17g, want %.17g\n", v, got, want);
            return 0;
        }
    }
    char want[64];
    reference_num(v, want, sizeof want);
    ft_buf b = {0};
    ft_buf_add_num(&b, v);
    int ok = b.p && !strcmp(b.p, want);
    if (!ok)
        fprintf(stderr, "ft_buf_add_num(%.17g): got %s, want %s\n", v, b.p ? b.p : "(null)", want);
    ft_buf_free(&b);
    return ok;
}

/* A deterministic 64-bit generator (xorshift64*). */
static unsigned long long rnd(void)
{
    static unsigned long long x = 0x9E3779B97F4A7C15ull;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    return x * 2685821657736338717ull;
}

/* Edge cases: zeros, the ends of the fast paths, values with binary noise. */
static void num_edges(void)
{
    static const double v[] = {
        0, -0.0, 1, -1, 0.5, -0.5, 0.1, 0.2, 0.3, 6.06, 177.88, -3.5, 12.345, 1e-3, 9.99e-4,
        0.001, 0.0015, 1e-4, 123456.789, 999999999.999999, 1e9 - 0.5, 1e9 + 0.5, 99999999999999.99,
        1e15, 1e15 + 2, 1e16, 1e17, 1e17 + 16, 123456789012.345678, 0.1 + 0.2, 6.06 * 1e8,
        2.675, 1.005, 1.0000005, 0.9999995, 1234567.1234567, 3.14159265358979, 1.5e300, -2.5e-7,
        HUGE_VAL, -HUGE_VAL, NAN,
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        CHECK(num_ok(v[i]));
}

/* Decimals with 1 to 8 fraction digits over many magnitudes, as strtod
 * reads them and after arithmetic noise. */
static void num_random_decimals(void)
{
    int bad = 0;
    for (int i = 0; i < 300000 && bad < 5; i++) {
        unsigned long long u = rnd();
        int digits = 1 + (int)(u % 16), frac = 1 + (int)((u >> 8) % 8);
        unsigned long long lim = 1;
        for (int d = 0; d < digits; d++)
            lim *= 10;
        unsigned long long m = (u >> 16) % lim, p = 1;
        for (int d = 0; d < frac; d++)
            p *= 10;
        char txt[64];
        snprintf(txt, sizeof txt, "%s%llu.%0*llu", (u >> 62) & 1 ? "-" : "", m / p, frac, m % p);
        double v = strtod(txt, NULL);
        if (!num_ok(v))
            bad++;
        if (!num_ok(v * 1.1))
            bad++;
        if (!num_ok(v / 3))
            bad++;
    }
    CHECK(bad == 0);
}

/* Arbitrary doubles (random bit patterns) fall back to printf correctly. */
static void num_random_bits(void)
{
    int bad = 0;
    for (int i = 0; i < 100000 && bad < 5; i++) {
        unsigned long long u = rnd();
        double v;
        memcpy(&v, &u, sizeof v);
        if (!num_ok(v))
            bad++;
    }
    CHECK(bad == 0);
}

/* Unsigned integers without printf. */
static void uint_output(void)
{
    static const size_t v[] = {0, 7, 10, 99, 100, 123456789, (size_t)-1};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char want[32];
        snprintf(want, sizeof want, "%zu", v[i]);
        ft_buf b = {0};
        ft_buf_adds(&b, "x");
        ft_buf_add_uint(&b, v[i]);
        CHECK(b.p && b.p[0] == 'x' && !strcmp(b.p + 1, want));
        ft_buf_free(&b);
    }
}

/* A plain JSON escaper (the reference): byte by byte, each invalid byte as
 * \ufffd. */
static void reference_json(const unsigned char *u, size_t n, ft_buf *out)
{
    ft_buf_addc(out, '"');
    for (size_t i = 0; i < n;) {
        unsigned char c = u[i];
        int l = c >= 0x80 ? ft_utf8_seq_len(u + i, n - i) : 1;
        if (c >= 0x80 && l > 0) {
            ft_buf_add(out, (const char *)u + i, (size_t)l);
            i += (size_t)l;
            continue;
        }
        if (c >= 0x80)
            ft_buf_adds(out, "\\ufffd");
        else if (c == '"' || c == '\\')
            ft_buf_addf(out, "\\%c", c);
        else if (c == '\n')
            ft_buf_adds(out, "\\n");
        else if (c == '\r')
            ft_buf_adds(out, "\\r");
        else if (c == '\t')
            ft_buf_adds(out, "\\t");
        else if (c == '\b')
            ft_buf_adds(out, "\\b");
        else if (c == '\f')
            ft_buf_adds(out, "\\f");
        else if (c < 0x20)
            ft_buf_addf(out, "\\u%04x", c);
        else
            ft_buf_addc(out, (char)c);
        i++;
    }
    ft_buf_addc(out, '"');
}

/* Strings of 65,530 to 65,545 bytes and a few of 200,000, of CJK text
 * with ASCII, escapes and broken sequences placed so that the 64 KiB pieces
 * end inside characters, each in a heap block of its exact size. */
static void json_str_in_pieces(void)
{
    static const char *const tok[] = {"\xe4\xb8\xad", "a", "\"", "\n", "\xf0\x9f\x98\x80",
                                      "\xe4\xb8", "\x80", "\xff", "\xc3\xa9", "\x01"};
    unsigned seed = 99;
    size_t bad = 0, cases = 0;
    for (int t = 0; t < 40; t++) {
        size_t n = t < 16 ? 65530 + (size_t)t : t < 20 ? 200000 : (size_t)(t - 20) * 3;
        unsigned char *p = malloc(n + 1);
        size_t len = 0;
        while (len < n) {
            seed = seed * 1103515245u + 12345u;
            size_t k = (seed >> 16) % 100 < 80 ? 0 : (seed >> 8) % (sizeof tok / sizeof tok[0]);
            size_t wl = strlen(tok[k]);
            if (wl > n - len)
                wl = n - len;
            memcpy(p + len, tok[k], wl);
            len += wl;
        }
        ft_buf got = {0}, want = {0};
        ft_buf_adds(&got, "x");   /* the string goes after other bytes */
        ft_buf_adds(&want, "x");
        CHECK(ft_buf_add_json_str(&got, (const char *)p, n) == 0);
        reference_json(p, n, &want);
        bad += got.len != want.len || memcmp(got.p, want.p, got.len) != 0;
        cases++;
        ft_buf_free(&got);
        ft_buf_free(&want);
        free(p);
    }
    CHECK(bad == 0);
    CHECK(cases == 40);
}

/* ft_calloc_lines: zeroed, aligned to 64 bytes, and no two blocks share a
 * line (each ends where its rounded size ends); an overflowing size is
 * refused. */
static void calloc_lines(void)
{
    unsigned char *b[40];
    size_t sz[40];
    for (int i = 0; i < 40; i++) {
        sz[i] = (size_t)(i * 37 % 200) + (i == 5 ? 0 : 1);
        b[i] = ft_calloc_lines(3, sz[i]);
        CHECK(b[i] && (uintptr_t)b[i] % 64 == 0);
        if (!b[i])
            continue;
        int zero = 1;
        for (size_t k = 0; k < 3 * sz[i]; k++)
            zero &= b[i][k] == 0;
        CHECK(zero);
        memset(b[i], 0xAB, (3 * sz[i] + 63) / 64 * 64); /* the whole rounded size is usable */
    }
    for (int i = 0; i < 40; i++)
        for (int j = 0; j < 40; j++) {
            uintptr_t ai = (uintptr_t)b[i], aj = (uintptr_t)b[j];
            uintptr_t ei = ai + (3 * sz[i] + 63) / 64 * 64;
            CHECK(i == j || !b[i] || !b[j] || aj < ai || aj >= ei);
        }
    for (int i = 0; i < 40; i++)
        free(b[i]);
    CHECK(ft_calloc_lines(SIZE_MAX / 2, 3) == NULL);
    CHECK(ft_calloc_lines(2, SIZE_MAX - 10) == NULL);
}

int main(void)
{
    RUN("output", calloc_lines);
    RUN("output", json_str_in_pieces);
    RUN("output", num_edges);
    RUN("output", num_random_decimals);
    RUN("output", num_random_bits);
    RUN("output", uint_output);
    return 0;
}
