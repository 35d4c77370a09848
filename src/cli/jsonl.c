/*
 * jsonl.c - a one-pass, validating scanner for one JSONL input line, and the
 * JSON string decoder the CLI uses for the members it takes from a line.
 *
 * The tagger needs at most three top-level members of each line (the text,
 * the id, the --date-field value) and whether an "entities" or "warnings"
 * key is already there; the rest of the line is copied to the output as it
 * is.  Building a cJSON tree for that costs a malloc per member, a copy of
 * every string and a strtod per number.  cli_jsonl_scan() instead checks the
 * line in one pass against a strict subset of RFC 8259 and records where the
 * wanted members are, without allocating (except for a key written with
 * escapes, which is decoded to be compared).
 *
 * The subset is chosen so that every line it accepts is accepted by cJSON
 * with the same members, and the CLI's older member lookup reads it the same
 * way: white space inside the line is only space and tab, strings hold no raw
 * control characters and only valid escapes with paired surrogates, numbers
 * follow the RFC grammar and are short, nesting is shallow.  Anything else -
 * invalid JSON, but also unusual valid JSON - is declined, and the caller
 * falls back to cJSON, which then also produces the exact error message.
 */
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "cli.h"

/* Deepest nesting accepted (cJSON allows 1000; deeper lines fall back). */
#define MAX_DEPTH 256
/* Longest number accepted (cJSON 1.7 reads at most 63 characters). */
#define MAX_NUMBER 48

/* 1 for the bytes that end a plain run inside a string: '"', '\\' and the
 * control characters. */
static const unsigned char string_stop[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, ['\\'] = 1,
};

/* Returns the index of the first byte at or after s[i] that ends a plain run
 * of a string (see string_stop), or n.  Strings are most of a news line, so
 * this goes 16 bytes at a time where SSE2 is there. */
static size_t plain_run(const char *s, size_t n, size_t i)
{
    const unsigned char *u = (const unsigned char *)s;
#ifdef __SSE2__
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
    const __m128i ctl = _mm_set1_epi8(0x1F);
    while (i + 16 <= n) {
        __m128i v = _mm_loadu_si128((const __m128i *)(u + i));
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
                                   _mm_cmpeq_epi8(_mm_min_epu8(v, ctl), v));
        unsigned m = (unsigned)_mm_movemask_epi8(hit);
        if (m)
            return i + (size_t)__builtin_ctz(m);
        i += 16;
    }
#endif
    while (i < n && !string_stop[u[i]])
        i++;
    return i;
}

/* The value of hex digit c, or -1. */
static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Reads the four hex digits at s[i..i+4) into *out; 0 when they are not. */
static int read_u4(const char *s, size_t n, size_t i, uint32_t *out)
{
    if (i + 4 > n)
        return 0;
    uint32_t v = 0;
    for (int k = 0; k < 4; k++) {
        int h = hexval((unsigned char)s[i + (size_t)k]);
        if (h < 0)
            return 0;
        v = v * 16 + (uint32_t)h;
    }
    *out = v;
    return 1;
}

size_t cli_json_decode(const char *s, size_t n, size_t i, ft_buf *out)
{
    i++;
    size_t run = i;
    while (i < n) {
        i = plain_run(s, n, i);
        if (i >= n)
            break;
        char c = s[i];
        if (c == '"') {
            if (out)
                ft_buf_add(out, s + run, i - run);
            return i + 1;
        }
        if (c != '\\') {
            i++;
            continue;
        }
        if (out)
            ft_buf_add(out, s + run, i - run);
        if (i + 1 >= n)
            return 0;
        char e = s[i + 1];
        i += 2;
        if (e == 'u') {
            uint32_t u, lo;
            if (!read_u4(s, n, i, &u))
                return 0;
            i += 4;
            if (u >= 0xD800 && u <= 0xDBFF && i + 6 <= n && s[i] == '\\' && s[i + 1] == 'u' &&
                read_u4(s, n, i + 2, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
            } else if (u >= 0xD800 && u <= 0xDFFF) {
                u = 0xFFFD;
            }
            if (out)
                ft_buf_add_cp(out, u);
        } else if (out) {
            char r = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == 'b' ? '\b'
                   : e == 'f' ? '\f' : e;
            ft_buf_addc(out, r);
        }
        run = i;
    }
    return 0;
}

/* ---- the validating scanner ------------------------------------------------ */

/* Skips the white space the fast path accepts inside a line. */
static size_t skip_ws(const char *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i;
}

/* Checks the string whose opening quote is s[i]: valid escapes only, every
 * \u high surrogate followed by an escaped low one, no raw control bytes.
 * Returns the index after the closing quote, or 0; *esc tells whether the
 * string holds any escape. */
static size_t scan_string(const char *s, size_t n, size_t i, int *esc)
{
    const unsigned char *u = (const unsigned char *)s;
    *esc = 0;
    i++;
    for (;;) {
        i = plain_run(s, n, i);
        if (i >= n || u[i] < 0x20)
            return 0;
        if (u[i] == '"')
            return i + 1;
        *esc = 1;
        if (i + 1 >= n)
            return 0;
        char e = s[i + 1];
        if (e == 'u') {
            uint32_t c, lo;
            if (!read_u4(s, n, i + 2, &c) || (c >= 0xDC00 && c <= 0xDFFF))
                return 0;
            i += 6;
            if (c >= 0xD800 && c <= 0xDBFF) {
                if (i + 6 > n || s[i] != '\\' || s[i + 1] != 'u' || !read_u4(s, n, i + 2, &lo) ||
                    lo < 0xDC00 || lo > 0xDFFF)
                    return 0;
                i += 6;
            }
        } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' ||
                   e == 'r' || e == 't') {
            i += 2;
        } else {
            return 0;
        }
    }
}

/* Checks the number at s[i] against -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
 * and the length limit.  Returns the index after it, or 0. */
static size_t scan_number(const char *s, size_t n, size_t i)
{
    size_t start = i;
    if (i < n && s[i] == '-')
        i++;
    if (i < n && s[i] == '0') {
        i++;
    } else if (i < n && s[i] >= '1' && s[i] <= '9') {
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    } else {
        return 0;
    }
    if (i < n && s[i] == '.') {
        i++;
        if (i >= n || s[i] < '0' || s[i] > '9')
            return 0;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || s[i] < '0' || s[i] > '9')
            return 0;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    return i - start <= MAX_NUMBER ? i : 0;
}

/* Checks the literal word w at s[i]; returns the index after it, or 0. */
static size_t scan_literal(const char *s, size_t n, size_t i, const char *w)
{
    size_t l = strlen(w);
    return i + l <= n && !memcmp(s + i, w, l) ? i + l : 0;
}

/* Checks one value starting at s[i] (objects and arrays with an explicit
 * stack of open brackets).  Returns the index after it, or 0; *kind is the
 * value's first byte class: '"' string, '0' number, 'x' anything else, and
 * for a string *str_esc tells whether it holds any escape. */
static size_t scan_value(const char *s, size_t n, size_t i, char *kind, int *str_esc)
{
    char stack[MAX_DEPTH];
    int depth = 0;
    int esc = 0;
    if (i < n && s[i] == '"')
        *kind = '"';
    else if (i < n && (s[i] == '-' || (s[i] >= '0' && s[i] <= '9')))
        *kind = '0';
    else
        *kind = 'x';
    for (;;) {
        /* a value at s[i] */
        if (i >= n)
            return 0;
        char c = s[i];
        if (c == '"') {
            i = scan_string(s, n, i, &esc);
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            i = scan_number(s, n, i);
        } else if (c == 't') {
            i = scan_literal(s, n, i, "true");
        } else if (c == 'f') {
            i = scan_literal(s, n, i, "false");
        } else if (c == 'n') {
            i = scan_literal(s, n, i, "null");
        } else if (c == '{' || c == '[') {
            if (depth == MAX_DEPTH)
                return 0;
            stack[depth++] = c == '{' ? '}' : ']';
            i = skip_ws(s, n, i + 1);
            if (i < n && s[i] == stack[depth - 1]) {
                depth--;
                i++;
            } else if (c == '{') {
                goto key;
            } else {
                continue;
            }
        } else {
            return 0;
        }
        if (!i)
            return 0;
        /* after a value: the end, a comma or a closing bracket */
        for (;;) {
            if (depth == 0) {
                *str_esc = esc;
                return i;
            }
            i = skip_ws(s, n, i);
            if (i < n && s[i] == stack[depth - 1]) {
                depth--;
                i++;
                continue;
            }
            if (i >= n || s[i] != ',')
                return 0;
            i = skip_ws(s, n, i + 1);
            break;
        }
        if (stack[depth - 1] == ']')
            continue;
    key:
        /* an object member: "key" : value */
        if (i >= n || s[i] != '"' || !(i = scan_string(s, n, i, &esc)))
            return 0;
        i = skip_ws(s, n, i);
        if (i >= n || s[i] != ':')
            return 0;
        i = skip_ws(s, n, i + 1);
    }
}

/* Compares the NUL-terminated prefix of k[0..n) with w ignoring ASCII case,
 * as cJSON_GetObjectItem does. */
static int key_ieq(const char *k, size_t n, const char *w)
{
    size_t l = strlen(w);
    if (strnlen(k, n) != l)
        return 0;
    for (size_t i = 0; i < l; i++) {
        unsigned char a = (unsigned char)k[i], b = (unsigned char)w[i];
        if (a >= 'A' && a <= 'Z')
            a = (unsigned char)(a - 'A' + 'a');
        if (a != b)
            return 0;
    }
    return 1;
}

/* Compares the NUL-terminated prefix of k[0..n) with w (strcmp, as
 * cJSON_GetObjectItemCaseSensitive does); w may be NULL. */
static int key_zeq(const char *k, size_t n, const char *w)
{
    return w && strnlen(k, n) == strlen(w) && !memcmp(k, w, strlen(w));
}

/* Records the value at [vs, ve) of kind in *v unless v is already set. */
static void note(cli_jsonl_val *v, size_t vs, size_t ve, char kind, int esc)
{
    if (v->found)
        return;
    v->found = 1;
    v->kind = kind;
    v->esc = kind == '"' && esc;
    v->start = vs;
    v->end = ve;
}

int cli_jsonl_scan(const char *s, size_t n, const char *text_key, const char *id_key,
                   const char *date_key, cli_jsonl_line *out)
{
    memset(out, 0, sizeof *out);
    size_t tl = strlen(text_key);
    ft_buf dk = {0};
    int ok = 0, esc;
    size_t i = skip_ws(s, n, 0);
    if (i >= n || s[i] != '{')
        return 0;
    i = skip_ws(s, n, i + 1);
    if (i < n && s[i] == '}') {
        i++;
    } else {
        for (;;) {
            size_t ks = i;
            if (i >= n || s[i] != '"' || !(i = scan_string(s, n, i, &esc)))
                goto done;
            const char *k = s + ks + 1;
            size_t kl = i - ks - 2;
            if (esc) {
                dk.len = 0;
                cli_json_decode(s, n, ks, &dk);
                if (!dk.p)
                    goto done;
                k = dk.p;
                kl = dk.len;
            }
            i = skip_ws(s, n, i);
            if (i >= n || s[i] != ':')
                goto done;
            size_t vs = skip_ws(s, n, i + 1);
            char kind;
            int vesc;
            if (!(i = scan_value(s, n, vs, &kind, &vesc)))
                goto done;
            out->members++;
            if (kl == tl && !memcmp(k, text_key, tl))
                note(&out->text, vs, i, kind, vesc);
            if (key_zeq(k, kl, id_key))
                note(&out->id, vs, i, kind, vesc);
            if (key_zeq(k, kl, date_key))
                note(&out->date, vs, i, kind, vesc);
            if (key_ieq(k, kl, "entities"))
                out->has_entities = 1;
            if (key_ieq(k, kl, "warnings"))
                out->has_warnings = 1;
            i = skip_ws(s, n, i);
            if (i < n && s[i] == ',') {
                i = skip_ws(s, n, i + 1);
                continue;
            }
            if (i < n && s[i] == '}') {
                i++;
                break;
            }
            goto done;
        }
    }
    /* only what the record may keep after the object: see cli_doc_prepare */
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
        i++;
    ok = i == n;
done:
    ft_buf_free(&dk);
    return ok;
}
