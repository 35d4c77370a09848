/*
 * test_core.c - unit tests of the loader, the compiler's diagnostics, the
 * overlap resolver, offset conversion and the numeral parser.
 */
#include <math.h>
#include <stdlib.h>

#include "fintag_int.h"
#include "unit.h"
#include "unit_rules.h"

static void loader_accepts_minimal_rule(void)
{
    diags g;
    ft_rules *r = compile("rules:\n  - id: a\n    type: t\n    pattern: 'abc'\n", &g);
    CHECK(r != NULL);
    CHECK(g.n == 0);
    CHECK(ft_rules_count(r) == 1);
    ft_rule_info info;
    CHECK(ft_rules_info(r, 0, &info) == FT_OK);
    CHECK_STR(info.id, "a");
    CHECK_STR(info.type, "t");
    CHECK(info.line == 2);
    ft_rules_destroy(r);
}

/* `requires:` must name the type of a context rule of the rule set. */
static void requires_is_checked(void)
{
    diags g;
    ft_rules *r = compile("rules:\n  - id: a\n    type: t\n    requires: ctx\n"
                          "    pattern: 'abc'\n",
                          &g);
    CHECK(r == NULL);
    CHECK(strstr(g.text, "4:15:a:'requires' must be a context rule type") != NULL);
    r = compile("rules:\n  - id: a\n    type: t\n    requires: _ctx\n    pattern: 'abc'\n"
                "  - id: b\n    type: _other\n    pattern: 'x'\n",
                &g);
    CHECK(r == NULL);
    CHECK(strstr(g.text, "2:5:a:'requires: _ctx' names no context rule type") != NULL);
    r = compile("rules:\n  - id: a\n    type: t\n    requires: _ctx\n    pattern: 'abc'\n"
                "  - id: b\n    type: _ctx\n    pattern: 'x'\n",
                &g);
    CHECK(r != NULL && g.n == 0);
    ft_rules_destroy(r);
}

static void loader_reports_all_problems(void)
{
    diags g;
    ft_rules *r = compile("rules:\n"
                          "  - id: a\n"
                          "    type: t\n"
                          "    pattren: 'x'\n"
                          "  - type: t\n"
                          "    pattern: 'y'\n",
                          &g);
    CHECK(r == NULL);
    CHECK(strstr(g.text, "4:5:a:unknown key 'pattren'") != NULL);
    CHECK(strstr(g.text, "rule has no 'pattern'") != NULL);
    CHECK(strstr(g.text, "rule has no 'id'") != NULL);
    CHECK(g.n == 3);
}

static void pattern_error_maps_to_yaml_position(void)
{
    diags g;
    ft_rules *r = compile("rules:\n  - id: bad\n    type: t\n    pattern: 'ab(c'\n", &g);
    CHECK(r == NULL);
    /* PCRE2 reports the missing ) at the end of the pattern: column 19 */
    CHECK(strstr(g.text, "4:19:bad:invalid pattern:") != NULL);
}

static void undefined_reference_is_reported(void)
{
    diags g;
    ft_rules *r = compile("rules:\n  - id: u\n    type: t\n    pattern: 'x{{nope}}'\n", &g);
    CHECK(r == NULL);
    CHECK(strstr(g.text, "4:16:u:undefined name {{nope}}") != NULL);
}

static void empty_match_is_rejected(void)
{
    diags g;
    ft_rules *r = compile("rules:\n  - id: e\n    type: t\n    pattern: 'a*'\n", &g);
    CHECK(r == NULL);
    CHECK(strstr(g.text, "matches the empty string") != NULL);
}

static void duplicate_ids_are_rejected(void)
{
    diags g;
    ft_rules *r = compile("rules:\n  - {id: d, type: t, pattern: a}\n  - {id: d, type: t, pattern: b}\n", &g);
    CHECK(r == NULL);
    CHECK(strstr(g.text, "3:5:d:duplicate rule id") != NULL);
}

static void defines_and_lists_expand(void)
{
    diags g;
    ft_rules *r = compile("defines:\n  n: '[0-9]+'\n"
                          "lists:\n  w: [a, abc, 'a.b']\n"
                          "rules:\n  - {id: x, type: t, pattern: '{{n}}{{w}}'}\n",
                          &g);
    CHECK(r != NULL);
    ft_rule_info info;
    ft_rules_info(r, 0, &info);
    /* lists become alternations, longest first, metacharacters quoted */
    CHECK_STR(info.pattern, "(?:[0-9]+)(?:a\\.b|abc|a)");
    ft_rules_destroy(r);
}

static ft_cand mk(size_t bs, size_t be, const ft_rule *r)
{
    ft_cand c;
    memset(&c, 0, sizeof c);
    c.bs = bs;
    c.be = be;
    c.rule = r;
    return c;
}

static void resolver_leftmost_longest(void)
{
    ft_rule r0, r1;
    memset(&r0, 0, sizeof r0);
    memset(&r1, 0, sizeof r1);
    r1.index = 1;
    r1.priority = 5;
    ft_cand c[] = {mk(5, 8, &r0), mk(0, 4, &r0), mk(2, 9, &r0), mk(0, 6, &r0), mk(10, 12, &r0),
                   mk(10, 12, &r1)};
    ft_resolve(c, 6, 0);
    /* sorted: [0,6) [0,4) [2,9) [5,8) [10,12)r1 [10,12)r0 */
    CHECK(c[0].bs == 0 && c[0].be == 6 && c[0].kept);
    CHECK(!c[1].kept && c[1].lost_to == 0);
    CHECK(!c[2].kept);
    CHECK(!c[3].kept);
    CHECK(c[4].kept && c[4].rule == &r1);
    CHECK(!c[5].kept && c[5].lost_to == 4);
    CHECK_STR(c[5].why, "same span, lower priority");
    ft_resolve(c, 6, 1);
    for (int i = 0; i < 6; i++)
        CHECK(c[i].kept);
}

/* Code-point and UTF-16 offsets against a plain count, on random text of
 * one- to four-byte characters with matches ("b" runs) at every distance
 * from each other and from the end (the conversion counts sixteen bytes
 * at a time, the rest with one masked load while the text allows it). */
static void offsets_match_plain_count(void)
{
    ft_rules *r = compile("rules:\n  - {id: x, type: t, pattern: 'b+'}\n", NULL);
    ft_scanner *s;
    CHECK(r && ft_scanner_create(r, &s) == FT_OK);
    if (!r)
        return;
    static const char *const ch[] = {"a", "b", "\xc3\xa9", "\xe4\xb8\xad", "\xf0\x9f\x98\x80", " "};
    unsigned seed = 7;
    /* every 50th text is long: gaps of thousands of bytes between spans
     * (the SSE2 counters are summed every 255 blocks) */
    static char text[4 * 6000];
    size_t spans = 0;
    for (int iter = 0; iter < 2000; iter++) {
        size_t len = 0, nch = iter % 50 == 49 ? 4000 + (size_t)iter : (size_t)(iter % 120);
        for (size_t k = 0; k < nch; k++) {
            seed = seed * 1103515245u + 12345u;
            const char *c = ch[(seed >> 16) % 6];
            if (nch > 400) /* long text: a "b" only every 3,000 characters */
                c = k % 3000 == 2999 ? "b" : ch[(seed >> 16) % 6 == 1 ? 3 : (seed >> 16) % 6];
            memcpy(text + len, c, strlen(c));
            len += strlen(c);
        }
        const ft_result *res;
        CHECK(ft_scanner_scan(s, text, len, NULL, &res) == FT_OK);
        for (size_t k = 0; k < res->n_spans; k++) {
            const ft_span *sp = &res->spans[k];
            size_t cp[2] = {0, 0}, u16[2] = {0, 0}, at[2] = {sp->byte_start, sp->byte_end};
            for (int e = 0; e < 2; e++)
                for (size_t i = 0; i < at[e]; i++) {
                    unsigned char b = (unsigned char)text[i];
                    cp[e] += (b & 0xC0) != 0x80;
                    u16[e] += ((b & 0xC0) != 0x80) + ((b & 0xF8) == 0xF0);
                }
            CHECK(sp->start == cp[0] && sp->end == cp[1]);
            CHECK(sp->u16_start == u16[0] && sp->u16_end == u16[1]);
            spans++;
        }
    }
    CHECK(spans > 5000);
    ft_scanner_destroy(s);
    ft_rules_destroy(r);
}

static void offsets_are_code_points(void)
{
    diags g;
    ft_rules *r = compile("rules:\n  - {id: x, type: t, pattern: 'b+'}\n", &g);
    ft_scanner *s;
    ft_scanner_create(r, &s);
    const ft_result *res;
    /* é (2 bytes), 中 (3 bytes), 😀 (4 bytes, 2 UTF-16 units) before "bb" */
    const char *text = "\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80" "bb";
    CHECK(ft_scanner_scan(s, text, strlen(text), NULL, &res) == FT_OK);
    CHECK(res->n_spans == 1);
    CHECK(res->spans[0].byte_start == 9 && res->spans[0].byte_end == 11);
    CHECK(res->spans[0].start == 3 && res->spans[0].end == 5);
    CHECK(res->spans[0].u16_start == 4 && res->spans[0].u16_end == 6);
    /* an invalid byte counts as one code point, byte offsets stay true */
    const char *bad = "a\xff" "bb";
    CHECK(ft_scanner_scan(s, bad, 4, NULL, &res) == FT_OK);
    CHECK(res->invalid_utf8 == 1);
    CHECK(res->n_spans == 1 && res->spans[0].byte_start == 2 && res->spans[0].start == 2);
    ft_scan_opts o;
    ft_scan_opts_init(&o);
    o.utf8_mode = FT_UTF8_FAIL;
    CHECK(ft_scanner_scan(s, bad, 4, &o, &res) == FT_ERR_UTF8);
    ft_scanner_destroy(s);
    ft_rules_destroy(r);
}

static ft_table *numeral_table(const char *const *keys, const double *vals, size_t n)
{
    ft_table *t = calloc(1, sizeof *t);
    t->e = calloc(n, sizeof *t->e);
    t->n = n;
    for (size_t i = 0; i < n; i++) {
        t->e[i].key = ft_strdup(keys[i]);
        t->e[i].klen = strlen(keys[i]);
        t->e[i].kind = FT_VAL_NUM;
        t->e[i].num = vals[i];
    }
    ft_table_sort(t);
    return t;
}

static double parse(const ft_table *d, const ft_table *u, const char *s)
{
    double v;
    if (ft_numeral_parse(d, u, s, strlen(s), &v) != 0)
        return NAN;
    return ft_round15(v);
}

static void numerals(void)
{
    static const char *const dk[] = {"零", "〇", "一", "二", "两", "三", "四", "五", "六",
                                     "七", "八", "九", "壹", "贰", "叁", "伍", "陆"};
    static const double dv[] = {0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3, 5, 6};
    static const char *const uk[] = {"十", "百", "千", "万", "亿", "拾", "佰", "仟"};
    static const double uv[] = {10, 100, 1000, 1e4, 1e8, 10, 100, 1000};
    ft_table *d = numeral_table(dk, dv, sizeof dv / sizeof dv[0]);
    ft_table *u = numeral_table(uk, uv, sizeof uv / sizeof uv[0]);
    CHECK(parse(d, u, "6.06") == 6.06);
    CHECK(parse(d, u, "1,234.5") == 1234.5);
    CHECK(parse(d, u, "1，234") == 1234);
    CHECK(parse(d, u, "１２３") == 123);
    CHECK(parse(d, u, "6.06亿") == 606000000);
    CHECK(parse(d, u, "1.2万亿") == 1.2e12);
    CHECK(parse(d, u, "十八万零九百二十") == 180920);
    CHECK(parse(d, u, "二十万亿") == 2e13);
    CHECK(parse(d, u, "一万五千亿") == 1.5e12);
    CHECK(parse(d, u, "3亿5000万") == 3.5e8);
    CHECK(parse(d, u, "二〇二三") == 2023);
    CHECK(parse(d, u, "十") == 10);
    CHECK(parse(d, u, "两") == 2);
    CHECK(parse(d, u, "二点三") == 2.3);
    CHECK(parse(d, u, "叁佰伍拾") == 350);
    CHECK(parse(d, u, "陆亿叁仟万") == 630000000);
    CHECK(isnan(parse(d, u, "1,23")));
    CHECK(isnan(parse(d, u, "abc")));
    CHECK(isnan(parse(d, u, "")));
    CHECK(isnan(parse(d, u, "1二")));
    ft_table_free(d);
    ft_table_free(u);
    free(d);
    free(u);
}

/* The definition: invalid bytes of p[0..len), one ft_utf8_seq_len() step
 * at a time. */
static size_t plain_invalid(const char *p, size_t len)
{
    size_t want = 0;
    for (size_t i = 0; i < len;) {
        int l = ft_utf8_seq_len((const unsigned char *)p + i, len - i);
        if (l <= 0) {
            want++;
            i++;
        } else {
            i += (size_t)l;
        }
    }
    return want;
}

/* 1 when some implementation of the count (the dispatched one, the base
 * one, the AVX2 one when avx2) differs from plain_invalid() on src[0..len).
 * The text is copied to a block of exactly len bytes, so that a read past
 * the end shows under ASan.  *bad gets the plain count. */
static int count_differs(const char *src, size_t len, int avx2, size_t *bad)
{
    char *p = malloc(len ? len : 1);
    if (len)
        memcpy(p, src, len);
    size_t want = plain_invalid(p, len);
    int differs = ft_utf8_count_invalid(p, len) != want ||
                  ft_utf8_count_invalid_base(p, len) != want;
#ifdef FT_UTF8_AVX2
    if (avx2)
        differs |= ft_utf8_count_invalid_avx2(p, len) != want;
#else
    (void)avx2;
#endif
    free(p);
    *bad = want;
    return differs;
}

/* Every kind of valid and invalid sequence, at every alignment relative to
 * 32- and 64-byte blocks, inside long valid stretches (ASCII, CJK, a mix of
 * two- and four-byte characters) and cut off by the end of the buffer; then
 * random mixes.  The AVX2 code is checked when the CPU has AVX2, the base
 * code always. */
static void utf8_count_matches_plain_count(void)
{
    static const char *const valid[] = {
        "a", "ab12 ", "0123456789abcdef", "\xc2\x80", "\xc3\xa9", "\xc2\xb7", "\xdf\xbf",
        "\xe0\xa0\x80", "\xe4\xb8\xad", "\xe6\x96\x87", "\xec\xbf\xbf", "\xed\x9f\xbf",
        "\xee\x80\x80", "\xef\xbf\xbd", "\xef\xbf\xbf", "\xe2\x80\x9c", "\xf0\x90\x80\x80",
        "\xf0\x9f\x98\x80", "\xf3\xbf\xbf\xbf", "\xf4\x8f\xbf\xbf"};
    static const char *const invalid[] = {
        "\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xc2", "\xc2\x41", "\xc3\xc3\xa9",
        "\xe0\x80\x80", "\xe0\x9f\xbf", "\xed\xa0\x80", "\xed\xbf\xbf", "\xe4\xb8",
        "\xe4", "\xec\xbf", "\xe4\x41\xad", "\xe4\xb8\x41", "\xf0\x80\x80\x80",
        "\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80", "\xf4\xbf\xbf\xbf", "\xf5\x80\x80\x80",
        "\xf7\xbf\xbf\xbf", "\xf8\x88\x80\x80\x80", "\xfe", "\xff", "\xf0\x9f\x98",
        "\xf0\x9f", "\xf0", "\xf0\x9f\x41\x80", "\xc3\xa9\x80", "\xe4\xb8\xad\x80",
        "\xf0\x9f\x98\x80\x80", "\xe4\xb8\xad\x80\x80\x80", "\xc0", "\xc1", "\xc0\xc0"};
    static const char *const filler[] = {"The quick, brown fox ",
                                         "\xe4\xb8\xad\xe6\x96\x87\xef\xbc\x8c",
                                         "\xc2\xb7\xc3\xa9x\xf0\x9f\x98\x80\xe4\xb8\xad"};
    const size_t nvalid = sizeof valid / sizeof valid[0];
    const size_t ninvalid = sizeof invalid / sizeof invalid[0];
    int avx2 = 0;
#ifdef FT_UTF8_AVX2
    avx2 = ft_utf8_avx2_usable();
#endif
    char buf[2048];
    size_t mismatches = 0, with_bad = 0, bad;

    /* each token after pos bytes of valid filler, then more filler; the
     * buffer also cut at every length around the token */
    for (size_t f = 0; f < sizeof filler / sizeof filler[0]; f++) {
        for (size_t t = 0; t < nvalid + ninvalid; t++) {
            const char *tok = t < nvalid ? valid[t] : invalid[t - nvalid];
            size_t tl = strlen(tok);
            for (size_t pos = 0; pos <= 140; pos++) {
                size_t len = 0, fl = strlen(filler[f]);
                while (len + fl <= pos) {
                    memcpy(buf + len, filler[f], fl);
                    len += fl;
                }
                while (len < pos)
                    buf[len++] = ' ';
                memcpy(buf + len, tok, tl);
                len += tl;
                while (len < 260) {
                    memcpy(buf + len, filler[f], fl);
                    len += fl;
                }
                for (size_t cut = pos; cut <= pos + tl + 1; cut++) {
                    mismatches += (size_t)count_differs(buf, cut, avx2, &bad);
                    with_bad += bad > 0;
                }
                mismatches += (size_t)count_differs(buf, len, avx2, &bad);
                CHECK((bad > 0) == (t >= nvalid));
            }
        }
    }
    CHECK(mismatches == 0);

    /* random mixes: mostly valid, so that long clean stretches occur, with
     * a rate of invalid tokens from 1 in 3 to 1 in 300 */
    unsigned seed = 777;
    mismatches = 0;
    size_t random_bad = 0;
    for (int iter = 0; iter < 6000; iter++) {
        size_t len = 0, limit = 1 + (size_t)(iter * 7919) % (sizeof buf - 8);
        unsigned rate = 3u + (unsigned)(iter % 10) * 33u;
        while (len < limit) {
            seed = seed * 1103515245u + 12345u;
            const char *tok = (seed >> 16) % rate == 0 ? invalid[(seed >> 4) % ninvalid]
                                                       : valid[(seed >> 8) % nvalid];
            size_t tl = strlen(tok);
            if (len + tl > limit)
                break;
            memcpy(buf + len, tok, tl);
            len += tl;
        }
        mismatches += (size_t)count_differs(buf, len, avx2, &bad);
        random_bad += bad > 0;
    }
    CHECK(mismatches == 0);
    CHECK(with_bad > 10000);
    CHECK(random_bad > 3000);
}

int main(void)
{
    RUN("core", utf8_count_matches_plain_count);
    RUN("core", loader_accepts_minimal_rule);
    RUN("core", loader_reports_all_problems);
    RUN("core", pattern_error_maps_to_yaml_position);
    RUN("core", undefined_reference_is_reported);
    RUN("core", requires_is_checked);
    RUN("core", empty_match_is_rejected);
    RUN("core", duplicate_ids_are_rejected);
    RUN("core", defines_and_lists_expand);
    RUN("core", resolver_leftmost_longest);
    RUN("core", offsets_are_code_points);
    RUN("core", offsets_match_plain_count);
    RUN("core", numerals);
    return 0;
}
