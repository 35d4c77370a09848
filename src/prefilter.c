/*
 * prefilter.c - required-literal gates: the fast path of the scanner.
 *
 * At compile time every expanded pattern is analysed (a conservative parser
 * for the PCRE2 syntax the rule pack uses; anything it does not understand
 * leaves the pattern ungated).  The analysis finds a "gate": a small set of
 * literal byte strings (atoms) such that every match of the pattern contains
 * one of them, starting at most `back` bytes after the position where the
 * match attempt began.  Among the possible gates of a pattern (each required
 * piece of a concatenation, cross products of adjacent fixed pieces such as
 * "亿" "元") the cheapest by an estimated hit rate is kept.  With it come a
 * check on the text before a hit (the anchor: a digit before a unit word, a
 * space where a lookbehind asks for "in "), a forward condition on the text
 * from it on (a digit after "年") and, where it pays, an "also" gate: a
 * rarer set every match has before the hit (a range's separator).  A gate
 * that is only ever an also gate is lazy: looked for only between a hit
 * that passed its checks and the start of that hit's walk.
 *
 * Per document, one pass over the bytes finds every occurrence of every
 * atom of the other gates: character starts are tested sixteen bytes at a
 * time against one bitmap (byte pairs, or first code points for CJK
 * characters), then a four-byte hash filter, then a packed four-byte test
 * of the candidate atoms; each occurrence goes to the hit list of each
 * gate that holds the atom, unless the byte before it is one no check of
 * that gate's patterns accepts.  The scanner then runs PCRE2 only on windows [hit - back, hit]
 * (start positions; the match itself may run on), with
 * pcre2_set_offset_limit() bounding where an attempt may start.  A pattern
 * whose gate has no hit is not run at all.  Because every match starting at
 * or after the scanner's current offset must contain a hit no earlier than
 * its start and no later than `back` bytes after it, the first match a
 * window search returns is the first match the plain loop would return:
 * the two paths give identical entities (tests/suites/fastpath.sh,
 * tests/unit/test_prefilter.c).  docs/performance.md has the details.
 *
 * Everything built here is immutable after ft_prefilter_build(); the hit
 * lists live in an ft_pf_state owned by one scanner.
 */
#include <stdlib.h>
#include <string.h>

#include "fintag_int.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__) && defined(__ELF__)
/* the atom pass's AVX-512 VBMI loop (a function with its own target, run
 * where the CPU has it) */
#define FT_HAVE_VBMI 1
#include <immintrin.h>
#endif


#define INF ((size_t)-1)
#define MAXLIT 24          /* longest atom kept, in bytes */
#define SET_CAP 128        /* most strings in one exact or required set */
#define CLASS_EXACT 32     /* classes up to this many code points are exact */
#define GATE_MAX_COST 0.9  /* gates estimated dearer than this are not used */
#define ALSO_MAX_RATE 0.03 /* also sets with more estimated hits are not used */

/* ---- string sets ---------------------------------------------------------- */

/* An atom.  With fold set it stands for every string equal to it under
 * PCRE2's caseless matching of ASCII letters: b holds lowercase letters, and
 * k and s also match the Kelvin sign U+212A and the long s U+017F. */
typedef struct lit {
    unsigned char b[MAXLIT];
    unsigned char n;
    unsigned char fold;
} lit;

typedef struct lset {
    lit *v;
    size_t n;
} lset;

/* A small set of code points (sorted, merged ranges), or "big": anything.
 * The analysis copies pieces' infos (ten of these each) by value: 128
 * ranges give the pack the same gates, checks and hits as 256 did, and a
 * start-up 3-4 ms shorter; a larger set just becomes "big" (no check). */
#define ASET_CAP 128
typedef struct aset {
    uint32_t lo[ASET_CAP], hi[ASET_CAP];
    size_t n;
    int big;
} aset;

/* A necessary condition on the text before a hit, from the last piece that
 * every match has before the atom (the "anchor", e.g. the digits before a
 * unit word): walking back from the atom over at most d bytes of code points
 * of mid (the optional pieces in between), a code point of l (one that can
 * end the anchor) must come.  Hits failing it are never tried. */
typedef struct chk {
    int on;
    size_t d;
    aset l, mid;
} chk;

/* The forward counterpart of chk, a necessary condition on the text from a
 * hit on, a chk walked the other way: from the hit's first byte over at
 * most w.d bytes of code points of w.mid (the atom's own and those of the
 * optional pieces after it), a code point of w.l (one that can begin the
 * next piece every match has: the digit after "年", the separator after a
 * list's first "%") must come.  While open, the pieces after the required
 * set are still being read; an open condition at the end of a pattern
 * asks nothing. */
typedef struct fwd {
    chk w;
    int open;
} fwd;

/* What the analysis knows about a piece of pattern. */
typedef struct info {
    size_t minb, maxb;     /* bytes a match of the piece consumes (maxb INF) */
    aset alpha;            /* code points a match of the piece consumes */
    aset last;             /* code points that can end a non-empty match */
    aset first;            /* code points that can begin a non-empty match */
    int has_exact;         /* exact: every string the piece can match */
    lset exact;
    int has_req;           /* req: one of these occurs in every match, */
    lset req;              /* starting at most off bytes after its start, */
    size_t off;            /* with only code points of pre before it, */
    aset pre;              /* and the text before it passes chk */
    chk chk;
    fwd fwd;               /* and the text from it on passes fwd */
    double cost;
    int has_also;          /* also: one of these occurs in every match */
    lset also;             /* between its start and the req occurrence */
    int has_look;          /* a lookbehind: the text before ends with one */
    aset look;             /* of these code points */
} info;

#define MAX_DEPTH 32       /* deeper group nesting is not analysed */

typedef struct parser {
    const char *p, *end;
    uint32_t flags;
    int fail;
    int depth;
} parser;

static void lset_free(lset *s)
{
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

static int lset_has_empty(const lset *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i].n == 0)
            return 1;
    return 0;
}

static int lit_cmp(const void *a, const void *b)
{
    const lit *x = a, *y = b;
    size_t n = x->n < y->n ? x->n : y->n;
    int c = memcmp(x->b, y->b, n);
    if (c)
        return c;
    if (x->n != y->n)
        return (int)x->n - (int)y->n;
    return (int)x->fold - (int)y->fold;
}

/* Sorts and removes duplicates. */
static void lset_norm(lset *s)
{
    if (s->n < 2)
        return;
    qsort(s->v, s->n, sizeof *s->v, lit_cmp);
    size_t m = 1;
    for (size_t i = 1; i < s->n; i++)
        if (lit_cmp(&s->v[m - 1], &s->v[i]))
            s->v[m++] = s->v[i];
    s->n = m;
}

static int lset_one(lset *s, const unsigned char *b, size_t n)
{
    s->v = calloc(1, sizeof *s->v);
    if (!s->v)
        return -1;
    s->n = 1;
    memcpy(s->v[0].b, b, n);
    s->v[0].n = (unsigned char)n;
    return 0;
}

/* out = a x b (concatenations); -1 when too large. */
static int lset_cross(const lset *a, const lset *b, lset *out)
{
    out->v = NULL;
    out->n = 0;
    if (a->n * b->n > SET_CAP)
        return -1;
    out->v = malloc((a->n * b->n + 1) * sizeof *out->v);
    if (!out->v)
        return -1;
    for (size_t i = 0; i < a->n; i++)
        for (size_t j = 0; j < b->n; j++) {
            if (a->v[i].n + b->v[j].n > MAXLIT) {
                lset_free(out);
                return -1;
            }
            lit *l = &out->v[out->n++];
            memcpy(l->b, a->v[i].b, a->v[i].n);
            memcpy(l->b + a->v[i].n, b->v[j].b, b->v[j].n);
            l->n = (unsigned char)(a->v[i].n + b->v[j].n);
            l->fold = a->v[i].fold | b->v[j].fold;
            if (l->fold)
                for (size_t k = 0; k < l->n; k++)
                    if (l->b[k] >= 'A' && l->b[k] <= 'Z')
                        l->b[k] |= 0x20;
        }
    lset_norm(out);
    return 0;
}

/* a = a u b; -1 when too large. */
static int lset_union(lset *a, const lset *b)
{
    if (a->n + b->n > SET_CAP)
        return -1;
    lit *v = realloc(a->v, (a->n + b->n + 1) * sizeof *v);
    if (!v)
        return -1;
    memcpy(v + a->n, b->v, b->n * sizeof *v);
    a->v = v;
    a->n += b->n;
    lset_norm(a);
    return 0;
}

static int lset_copy(const lset *a, lset *out)
{
    out->n = a->n;
    out->v = malloc((a->n + 1) * sizeof *out->v);
    if (!out->v)
        return -1;
    memcpy(out->v, a->v, a->n * sizeof *out->v);
    return 0;
}

/* ---- code-point sets ------------------------------------------------------ */

/* Adds [lo, hi] to a, merging ranges; a becomes big when full. */
static void aset_add(aset *a, uint32_t lo, uint32_t hi)
{
    if (a->big)
        return;
    size_t i = 0;
    while (i < a->n && a->hi[i] + 1 < lo)
        i++;
    if (i < a->n && a->lo[i] <= hi + 1) {
        if (lo < a->lo[i])
            a->lo[i] = lo;
        if (hi > a->hi[i])
            a->hi[i] = hi;
        while (i + 1 < a->n && a->lo[i + 1] <= a->hi[i] + 1) {
            if (a->hi[i + 1] > a->hi[i])
                a->hi[i] = a->hi[i + 1];
            memmove(a->lo + i + 1, a->lo + i + 2, (a->n - i - 2) * sizeof *a->lo);
            memmove(a->hi + i + 1, a->hi + i + 2, (a->n - i - 2) * sizeof *a->hi);
            a->n--;
        }
        return;
    }
    if (a->n == ASET_CAP) {
        a->big = 1;
        return;
    }
    memmove(a->lo + i + 1, a->lo + i, (a->n - i) * sizeof *a->lo);
    memmove(a->hi + i + 1, a->hi + i, (a->n - i) * sizeof *a->hi);
    a->lo[i] = lo;
    a->hi[i] = hi;
    a->n++;
}

static void aset_union(aset *a, const aset *b)
{
    if (b->big)
        a->big = 1;
    for (size_t i = 0; i < b->n && !a->big; i++)
        aset_add(a, b->lo[i], b->hi[i]);
}

static int aset_has(const aset *a, uint32_t c)
{
    size_t lo = 0, hi = a->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (a->hi[mid] < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < a->n && a->lo[lo] <= c;
}

/* Adds the code points of every string of s. */
static void aset_add_lits(aset *a, const lset *s)
{
    for (size_t i = 0; i < s->n; i++)
        for (size_t j = 0; j < s->v[i].n;) {
            int l = ft_utf8_seq_len(s->v[i].b + j, s->v[i].n - j);
            if (l <= 0) {
                a->big = 1;
                return;
            }
            uint32_t c = ft_utf8_decode(s->v[i].b + j, l);
            aset_add(a, c, c);
            j += (size_t)l;
        }
}

/* Adds the last code point of every non-empty string of s. */
static void aset_add_last(aset *a, const lset *s)
{
    for (size_t i = 0; i < s->n; i++) {
        size_t n = s->v[i].n;
        if (n == 0)
            continue;
        size_t j = n - 1;
        while (j > 0 && (s->v[i].b[j] & 0xC0) == 0x80)
            j--;
        int l = ft_utf8_seq_len(s->v[i].b + j, n - j);
        if (l <= 0) {
            a->big = 1;
            return;
        }
        uint32_t c = ft_utf8_decode(s->v[i].b + j, l);
        aset_add(a, c, c);
    }
}

/* Adds the first code point of every non-empty string of s. */
static void aset_add_first(aset *a, const lset *s)
{
    for (size_t i = 0; i < s->n; i++) {
        if (s->v[i].n == 0)
            continue;
        int l = ft_utf8_seq_len(s->v[i].b, s->v[i].n);
        if (l <= 0) {
            a->big = 1;
            return;
        }
        uint32_t c = ft_utf8_decode(s->v[i].b, l);
        aset_add(a, c, c);
    }
}

/* ---- cost model ----------------------------------------------------------- */

/* Estimated share of text positions holding the first character of atom
 * l.  The figures are byte-position shares measured on Chinese and English
 * financial news (the bench corpus and corpus/): each digit about 0.2-0.9%,
 * each lower-case letter 0.7-1%, each capital under 0.1%, `$` 0.01-0.2%;
 * a given CJK character rarely more than 0.3-0.5%, and currency signs,
 * Latin-1 letters and dashes far less.  Over-rating rare signs once made
 * money.en gate on every digit (300,000 hits on 16 MB) instead of on its
 * currency sign (3,000). */
static double first_rate(const lit *l)
{
    if (l->n == 0)
        return 1.0;
    unsigned char c = l->b[0];
    if (c < 0x80) {
        if (c == ' ' || c == '\n')
            return 0.06;
        if (c >= '0' && c <= '9')
            return 0.005;
        if (c >= 'a' && c <= 'z')
            return 0.01;
        if (c >= 'A' && c <= 'Z')
            return 0.002;
        if (strchr(",.-()/:%", c))
            return 0.004;
        return 0.0008;
    }
    int len = ft_utf8_seq_len(l->b, l->n);
    uint32_t cp = len > 0 ? ft_utf8_decode(l->b, len) : 0xFFFD;
    if (cp >= 0xFF10 && cp <= 0xFF5A)
        return 0.0003;   /* full-width digits and letters */
    if (cp >= 0x2000 && cp <= 0x206F)
        return 0.002;    /* general punctuation: “” ‘’ — … */
    if (cp < 0x2E80)
        return 0.0003;   /* Latin-1 and other letters, currency signs, symbols */
    return 0.003;        /* CJK characters and punctuation */
}

/* Estimated share of text positions where atom l starts: each character
 * after the first divides the rate of the first. */
static double atom_rate(const lit *l)
{
    double r = first_rate(l);
    size_t i = 0;
    int first = 1;
    while (i < l->n) {
        int len = ft_utf8_seq_len(l->b + i, l->n - i);
        i += len > 0 ? (size_t)len : 1;
        if (!first)
            r *= 0.08;
        first = 0;
    }
    return r;
}

/* Estimated cost per text byte of gating with set s and look-back off, in
 * units of the plain scan (1.0): one PCRE2 call per hit plus the window.
 * With a known alphabet before the atom the window is the run of those
 * characters before the hit, usually short.  A check (k) costs a short walk
 * per hit and spares the call for most hits: a unit word is rarely preceded
 * by a digit.  The atom pass compares each atom wherever its first
 * character occurs: many atoms starting with a digit or a space cost. */
static double gate_cost(const lset *s, size_t off, const aset *pre, const chk *k)
{
    double rate = 0, scan = 0;
    for (size_t i = 0; i < s->n; i++) {
        rate += atom_rate(&s->v[i]);
        scan += first_rate(&s->v[i]) * 0.3;
    }
    double walk = 0, pass = 1;
    if (k && k->on) {
        walk = 1;
        pass = 0.1;
    }
    if (!pre->big && off > 24)
        off = 24;
    double c = off == INF ? rate * (walk + pass * 4000)
                          : rate * (walk + pass * (12.0 + (double)(off < 200 ? off : 200) * 0.5));
    c += scan;
    return c < 1 ? c : 1.0;
}

/* ---- info operations ------------------------------------------------------ */

static void info_free(info *x)
{
    lset_free(&x->exact);
    lset_free(&x->req);
    lset_free(&x->also);
    x->has_exact = x->has_req = x->has_also = 0;
}

/* Replaces x's also set with s (taken; NULL or empty: none). */
static void set_also(info *x, lset *s)
{
    lset_free(&x->also);
    x->has_also = 0;
    if (s && s->v && s->n) {
        x->also = *s;
        x->has_also = 1;
        s->v = NULL;
        s->n = 0;
    }
}

static size_t add_sat(size_t a, size_t b)
{
    return a == INF || b == INF || a + b < a ? INF : a + b;
}

static size_t mul_sat(size_t a, size_t m)
{
    if (a == 0 || m == 0)
        return 0;
    if (a == INF || m == INF || a > INF / m)
        return INF;
    return a * m;
}

static void fwd_start(fwd *f, const lset *s);

/* Offers (s, off, pre, k) as x's required set; keeps the cheaper one.  Takes
 * s.  k may be NULL: no check.  Returns 1 when s became the required set
 * (the caller then says what x's also set is). */
static int offer_req(info *x, lset *s, size_t off, const aset *pre, const chk *k)
{
    if (!s->v || s->n == 0 || lset_has_empty(s)) {
        lset_free(s);
        return 0;
    }
    double c = gate_cost(s, off, pre, k);
    if (x->has_req && x->cost <= c) {
        lset_free(s);
        return 0;
    }
    lset_free(&x->req);
    x->req = *s;
    x->off = off;
    x->pre = *pre;
    if (k && k->on)
        x->chk = *k;
    else
        x->chk.on = 0;
    fwd_start(&x->fwd, s);
    x->cost = c;
    x->has_req = 1;
    s->v = NULL;
    s->n = 0;
    return 1;
}

/* Empties a (its range arrays are left as they are: only n counts). */
static void aset_clear(aset *a)
{
    a->n = 0;
    a->big = 0;
}

/* Empties k and turns it off. */
static void chk_clear(chk *k)
{
    k->on = 0;
    k->d = 0;
    aset_clear(&k->l);
    aset_clear(&k->mid);
}

/* *d = *s, copying only the ranges in use (a set is 1 KB, and most hold a
 * few ranges). */
static void aset_set(aset *d, const aset *s)
{
    d->n = s->n;
    d->big = s->big;
    memcpy(d->lo, s->lo, s->n * sizeof s->lo[0]);
    memcpy(d->hi, s->hi, s->n * sizeof s->hi[0]);
}

/* *d = *s the same way. */
static void chk_set(chk *d, const chk *s)
{
    d->on = s->on;
    d->d = s->d;
    aset_set(&d->l, &s->l);
    aset_set(&d->mid, &s->mid);
}

/* What memset(x, 0, ...) would make of x, without writing its ~20 KB of
 * range arrays: the analysis clears an info for every atom of every
 * pattern, and the start-up time of the pack went by a quarter to it. */
static void info_clear(info *x)
{
    static const lset none = {0};
    x->minb = x->maxb = 0;
    aset_clear(&x->alpha);
    aset_clear(&x->last);
    aset_clear(&x->first);
    x->has_exact = x->has_req = x->has_also = x->has_look = 0;
    x->exact = x->req = x->also = none;
    x->off = 0;
    aset_clear(&x->pre);
    chk_clear(&x->chk);
    chk_clear(&x->fwd.w);
    x->fwd.open = 0;
    x->cost = 0;
    aset_clear(&x->look);
}

/* *d = *s field by field, the sets by their ranges in use; the string
 * sets (exact, req, also) pass to d.  A new field of info goes here and
 * into info_clear(). */
static void info_move(info *d, const info *s)
{
    d->minb = s->minb;
    d->maxb = s->maxb;
    aset_set(&d->alpha, &s->alpha);
    aset_set(&d->last, &s->last);
    aset_set(&d->first, &s->first);
    d->has_exact = s->has_exact;
    d->exact = s->exact;
    d->has_req = s->has_req;
    d->req = s->req;
    d->off = s->off;
    aset_set(&d->pre, &s->pre);
    chk_set(&d->chk, &s->chk);
    chk_set(&d->fwd.w, &s->fwd.w);
    d->fwd.open = s->fwd.open;
    d->cost = s->cost;
    d->has_also = s->has_also;
    d->also = s->also;
    d->has_look = s->has_look;
    aset_set(&d->look, &s->look);
}

/* A piece matching exactly the strings of s (takes s). */
static void info_exact(info *x, lset *s)
{
    info_clear(x);
    x->minb = INF;
    x->maxb = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (s->v[i].n < x->minb)
            x->minb = s->v[i].n;
        if (s->v[i].n > x->maxb)
            x->maxb = s->v[i].n;
    }
    if (s->n == 0)
        x->minb = 0;
    x->has_exact = 1;
    x->exact = *s;
    aset_add_lits(&x->alpha, s);
    aset_add_last(&x->last, s);
    aset_add_first(&x->first, s);
    static const aset none;
    lset copy;
    if (lset_copy(s, &copy) == 0)
        offer_req(x, &copy, 0, &none, NULL);
}

/* A piece consuming between minb and maxb bytes about which nothing else is
 * known. */
static void info_width(info *x, size_t minb, size_t maxb)
{
    info_clear(x);
    x->minb = minb;
    x->maxb = maxb;
    x->alpha.big = maxb > 0;
    x->last.big = maxb > 0;
    x->first.big = maxb > 0;
}

/* A zero-width piece (assertion, lookaround, option setting). */
static void info_empty(info *x)
{
    lset s = {0};
    unsigned char z = 0;
    if (lset_one(&s, &z, 0) == 0)
        info_exact(x, &s);
    else
        info_width(x, 0, 0);
}

/* ---- the pattern parser --------------------------------------------------- */

static void parse_alt(parser *ps, info *out);
static int read_braces(parser *ps, size_t *mn, size_t *mx);

static int utf8_put(uint32_t c, unsigned char *b)
{
    if (c < 0x80) {
        b[0] = (unsigned char)c;
        return 1;
    }
    if (c < 0x800) {
        b[0] = (unsigned char)(0xC0 | (c >> 6));
        b[1] = (unsigned char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        b[0] = (unsigned char)(0xE0 | (c >> 12));
        b[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
        b[2] = (unsigned char)(0x80 | (c & 0x3F));
        return 3;
    }
    b[0] = (unsigned char)(0xF0 | (c >> 18));
    b[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
    b[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
    b[3] = (unsigned char)(0x80 | (c & 0x3F));
    return 4;
}

static size_t utf8_width(uint32_t c)
{
    return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
}

/* Code points known to have no case variants under PCRE2_CASELESS (a
 * whitelist: ASCII non-letters, CJK, punctuation, currency and full-width
 * signs); ASCII letters are handled by the caller. */
static int caseless_safe(uint32_t c)
{
    if (c < 0x80)
        return !((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
    return (c >= 0x2E80 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
           (c >= 0xFF01 && c <= 0xFF20) || (c >= 0xFF3B && c <= 0xFF40) ||
           (c >= 0xFF5B && c <= 0xFF65) || (c >= 0xFFE0 && c <= 0xFFEE) ||
           (c >= 0x3000 && c <= 0x303F) ||
           (c >= 0x2000 && c <= 0x206F) || (c >= 0x00A0 && c <= 0x00BF && c != 0x00B5) ||
           c == 0x00D7 || c == 0x00F7 || (c >= 0x20A0 && c <= 0x20CF);
}

/* Decodes one UTF-8 code point at ps->p (advancing); fails on bad input. */
static uint32_t next_cp(parser *ps)
{
    size_t left = (size_t)(ps->end - ps->p);
    int l = ft_utf8_seq_len((const unsigned char *)ps->p, left);
    if (l <= 0) {
        ps->fail = 1;
        ps->p++;
        return 0;
    }
    uint32_t c = ft_utf8_decode((const unsigned char *)ps->p, l);
    ps->p += l;
    return c;
}

/* Adds the code points caseless matching equates with ASCII letter c. */
static void aset_add_case(aset *a, uint32_t c)
{
    aset_add(a, c | 0x20, c | 0x20);
    aset_add(a, c & ~0x20u, c & ~0x20u);
    if ((c | 0x20) == 'k')
        aset_add(a, 0x212A, 0x212A);
    if ((c | 0x20) == 's')
        aset_add(a, 0x017F, 0x017F);
}

/* The forward condition of a required set s just chosen: open, its
 * alphabet the atoms' code points (both cases of a folded letter, and the
 * Kelvin sign and long s), d their longest length as text (a folded k
 * or s may take three or two bytes). */
static void fwd_start(fwd *f, const lset *s)
{
    chk_clear(&f->w);
    f->w.on = f->open = 1;
    for (size_t i = 0; i < s->n; i++) {
        const lit *l = &s->v[i];
        size_t n = 0;
        for (size_t j = 0; j < l->n;) {
            int cl = ft_utf8_seq_len(l->b + j, l->n - j);
            if (cl <= 0) {
                f->w.on = 0;
                return;
            }
            uint32_t c = ft_utf8_decode(l->b + j, cl);
            if (l->fold && c >= 'a' && c <= 'z') {
                aset_add_case(&f->w.mid, c);
                n += c == 'k' ? 3 : c == 's' ? 2 : 1;
            } else {
                aset_add(&f->w.mid, c, c);
                n += (size_t)cl;
            }
            j += (size_t)cl;
        }
        if (n > f->w.d)
            f->w.d = n;
    }
    if (f->w.mid.big)
        f->w.on = 0;
}

/* Whether a and b share a code point. */
static int aset_meets(const aset *a, const aset *b)
{
    if (a->big || b->big)
        return a->n || b->n || (a->big && b->big);
    for (size_t i = 0, j = 0; i < a->n && j < b->n;) {
        if (a->hi[i] < b->lo[j])
            i++;
        else if (b->hi[j] < a->lo[i])
            j++;
        else
            return 1;
    }
    return 0;
}

/* Widens k's walk (a check's or a forward condition's) over `bytes` more
 * bytes of the code points of `add`; a walk over anything, unbounded,
 * tests nothing and is dropped. */
static void chk_widen(chk *k, const aset *add, size_t bytes)
{
    aset_union(&k->mid, add);
    k->d = add_sat(k->d, bytes);
    if (k->mid.big && k->d == INF)
        k->on = 0;
}

/* The condition of two alternatives' united required sets: what either
 * branch's allows (off when either is off). */
static void chk_merge(chk *a, const chk *b)
{
    if (!a->on || !b->on) {
        a->on = 0;
        return;
    }
    aset_union(&a->l, &b->l);
    aset_union(&a->mid, &b->mid);
    if (b->d > a->d)
        a->d = b->d;
    if (a->l.big || (a->mid.big && a->d == INF))
        a->on = 0;
}

/* Moves an open forward condition past piece y, which follows what it has
 * read.  A piece every match has closes it with y's first code points (or
 * drops it when they are unknown) unless they overlap what the walk
 * already crosses: then a test for them would pass almost anywhere, and a
 * short piece of known alphabet is crossed too (the two digits after
 * "20" in 2025-01-02, so that the separator becomes the test).  An
 * optional piece widens the walk. */
static void fwd_after(fwd *f, const info *y)
{
    if (!f->w.on || !f->open)
        return;
    if (y->minb > 0) {
        if (y->first.big || y->first.n == 0) {
            f->w.on = 0;
            return;
        }
        if (!aset_meets(&y->first, &f->w.mid) || y->alpha.big || y->maxb == INF) {
            aset_set(&f->w.l, &y->first);
            f->open = 0;
            return;
        }
    }
    chk_widen(&f->w, &y->alpha, y->maxb);
}

/* The forward condition of two alternatives' united required sets: an
 * open and a closed one do not combine. */
static void fwd_merge(fwd *a, const fwd *b)
{
    if (a->open != b->open)
        a->w.on = 0;
    chk_merge(&a->w, &b->w);
}

/* Info for one literal code point. */
static void literal(parser *ps, uint32_t c, info *out)
{
    unsigned char b[4];
    int n = utf8_put(c, b);
    int fold = 0;
    if ((ps->flags & PCRE2_CASELESS) && !caseless_safe(c)) {
        if (c >= 0x80) {
            info_width(out, 1, 4);   /* other letters are left unknown */
            return;
        }
        /* an ASCII letter: a folded atom; k and s also match the Kelvin
         * sign and the long s (3 and 2 bytes) */
        b[0] = (unsigned char)(c | 0x20);
        fold = 1;
    }
    lset s = {0};
    if (lset_one(&s, b, (size_t)n))
        ps->fail = 1;
    else
        s.v[0].fold = (unsigned char)fold;
    info_exact(out, &s);
    if (fold) {
        out->maxb = (c | 0x20) == 'k' ? 3 : (c | 0x20) == 's' ? 2 : 1;
        aset_add_case(&out->alpha, c);
        aset_add_case(&out->last, c);
        aset_add_case(&out->first, c);
    }
}

/* A set of code-point ranges, for classes. */
typedef struct cpset {
    uint32_t lo[CLASS_EXACT + 1], hi[CLASS_EXACT + 1];
    size_t n;
    size_t count;          /* code points, saturating past CLASS_EXACT */
    size_t maxb;           /* widest member in bytes */
    int big;               /* members not enumerated */
} cpset;

static void cpset_add(cpset *s, uint32_t lo, uint32_t hi)
{
    if (utf8_width(hi) > s->maxb)
        s->maxb = utf8_width(hi);
    s->count += hi - lo + 1;
    if (s->big || s->count > CLASS_EXACT || s->n >= CLASS_EXACT) {
        s->big = 1;
        return;
    }
    s->lo[s->n] = lo;
    s->hi[s->n] = hi;
    s->n++;
}

/* Describes a small code-point set exactly: one single-character literal
 * per code point. */
static void cpset_exact(parser *ps, const cpset *s, info *out)
{
    lset set = {0};
    set.v = calloc(s->count + 1, sizeof *set.v);
    if (!set.v) {
        ps->fail = 1;
        info_width(out, 1, 4);
        return;
    }
    for (size_t i = 0; i < s->n; i++)
        for (uint32_t c = s->lo[i]; c <= s->hi[i]; c++) {
            lit *l = &set.v[set.n++];
            l->n = (unsigned char)utf8_put(c, l->b);
        }
    lset_norm(&set);
    info_exact(out, &set);
}

/* Adds the members of an escape class such as \d or \s to s; returns 0 when
 * the escape is not one.  `letter` is the character after the backslash. */
static int class_escape(parser *ps, char letter, cpset *s)
{
    int ucp = (ps->flags & PCRE2_UCP) != 0;
    switch (letter) {
    case 'd':
        if (ucp) {
            s->big = 1;
            s->maxb = 4;
        } else {
            cpset_add(s, '0', '9');
        }
        return 1;
    case 's':
        if (ucp) {
            s->big = 1;
            s->maxb = 4;
        } else {
            cpset_add(s, '\t', '\r');
            cpset_add(s, ' ', ' ');
        }
        return 1;
    case 'w':
        s->big = 1;
        if (s->maxb < (size_t)(ucp ? 4 : 1))
            s->maxb = ucp ? 4 : 1;
        return 1;
    case 'h':
        /* horizontal white space (patterns are compiled in UTF mode) */
        cpset_add(s, '\t', '\t');
        cpset_add(s, ' ', ' ');
        cpset_add(s, 0xA0, 0xA0);
        cpset_add(s, 0x1680, 0x1680);
        cpset_add(s, 0x180E, 0x180E);
        cpset_add(s, 0x2000, 0x200A);
        cpset_add(s, 0x202F, 0x202F);
        cpset_add(s, 0x205F, 0x205F);
        cpset_add(s, 0x3000, 0x3000);
        return 1;
    case 'v':
        cpset_add(s, '\n', '\r');
        cpset_add(s, 0x85, 0x85);
        cpset_add(s, 0x2028, 0x2029);
        return 1;
    case 'N':
        if (ps->p < ps->end && *ps->p == '{')
            ps->fail = 1;   /* \N{U+hhhh} */
        s->big = 1;
        s->maxb = 4;
        return 1;
    case 'D': case 'S': case 'W': case 'H': case 'V':
        s->big = 1;
        s->maxb = 4;
        return 1;
    case 'p':
    case 'P':
        if (ps->p < ps->end && *ps->p == '{') {
            const char *e = memchr(ps->p, '}', (size_t)(ps->end - ps->p));
            if (!e) {
                ps->fail = 1;
                return 1;
            }
            ps->p = e + 1;
        } else if (ps->p < ps->end) {
            ps->p++;
        }
        s->big = 1;
        s->maxb = 4;
        return 1;
    default:
        return 0;
    }
}

/* Parses a hexadecimal escape body after \x. */
static uint32_t hex_escape(parser *ps)
{
    uint32_t v = 0;
    int digits = 0;
    int braced = ps->p < ps->end && *ps->p == '{';
    if (braced)
        ps->p++;
    while (ps->p < ps->end && (braced || digits < 2)) {
        char c = *ps->p;
        int h = c >= '0' && c <= '9' ? c - '0'
              : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
        if (h < 0)
            break;
        v = v * 16 + (uint32_t)h;
        digits++;
        ps->p++;
        if (v > 0x10FFFF)
            ps->fail = 1;
    }
    if (braced) {
        if (ps->p < ps->end && *ps->p == '}')
            ps->p++;
        else
            ps->fail = 1;
    }
    return v;
}

/* A single-character escape (after the backslash and its letter) that stands
 * for one code point; sets *c and returns 1, or returns 0. */
static int char_escape(parser *ps, uint32_t letter, uint32_t *c)
{
    switch (letter) {
    case 'n': *c = '\n'; return 1;
    case 't': *c = '\t'; return 1;
    case 'r': *c = '\r'; return 1;
    case 'f': *c = '\f'; return 1;
    case 'e': *c = 0x1B; return 1;
    case 'a': *c = 0x07; return 1;
    case 'x': *c = hex_escape(ps); return 1;
    default:
        if (letter < 0x80 && ((letter | 0x20) >= 'a' && (letter | 0x20) <= 'z'))
            return 0;
        if (letter >= '0' && letter <= '9')
            return 0;
        *c = letter;
        return 1;
    }
}

/* Parses a class after its '['. */
static void parse_class(parser *ps, info *out)
{
    cpset s;
    memset(&s, 0, sizeof s);
    int neg = 0, first = 1;
    if (ps->p < ps->end && *ps->p == '^') {
        neg = 1;
        ps->p++;
    }
    while (!ps->fail) {
        if (ps->p >= ps->end) {
            ps->fail = 1;
            break;
        }
        if (*ps->p == ']' && !first) {
            ps->p++;
            break;
        }
        first = 0;
        if (*ps->p == '[' && ps->p + 1 < ps->end && (ps->p[1] == ':' || ps->p[1] == '.' ||
                                                       ps->p[1] == '=')) {
            ps->fail = 1;   /* POSIX classes: not needed by the pack */
            break;
        }
        uint32_t lo;
        if (*ps->p == '\\') {
            ps->p++;
            if (ps->p >= ps->end) {
                ps->fail = 1;
                break;
            }
            uint32_t letter = next_cp(ps);
            if (letter < 0x80 && class_escape(ps, (char)letter, &s))
                continue;
            if (letter == 'b')
                lo = '\b';
            else if (!char_escape(ps, letter, &lo)) {
                ps->fail = 1;
                break;
            }
        } else {
            lo = next_cp(ps);
        }
        uint32_t hi = lo;
        if (ps->p + 1 < ps->end && *ps->p == '-' && ps->p[1] != ']') {
            ps->p++;
            if (*ps->p == '\\') {
                ps->p++;
                uint32_t letter = ps->p < ps->end ? next_cp(ps) : 0;
                if (letter == 'b')
                    hi = '\b';
                else if (!char_escape(ps, letter, &hi)) {
                    ps->fail = 1;
                    break;
                }
            } else {
                hi = next_cp(ps);
            }
            if (hi < lo) {
                ps->fail = 1;
                break;
            }
        }
        if (ps->flags & PCRE2_CASELESS) {
            for (uint32_t c = lo; c <= hi && c - lo <= CLASS_EXACT; c++)
                if (!caseless_safe(c)) {
                    s.big = 1;
                    s.maxb = 4;
                }
        }
        cpset_add(&s, lo, hi);
    }
    if (ps->fail) {
        info_width(out, 1, 4);
        return;
    }
    if (neg || s.big) {
        info_width(out, 1, neg ? 4 : s.maxb);
        return;
    }
    cpset_exact(ps, &s, out);
}

/* Applies the letters of an option setting (?...) or (?...: to *flags.
 * J, m, s, U and n change nothing the analysis relies on; i sets or (after
 * '-') clears caseless matching.  Returns 0 for anything else (x, ^). */
static int apply_options(const char *s, const char *e, uint32_t *flags)
{
    int off = 0;
    for (; s < e; s++) {
        if (*s == '-')
            off = 1;
        else if (*s == 'i')
            *flags = off ? *flags & ~(uint32_t)PCRE2_CASELESS : *flags | PCRE2_CASELESS;
        else if (!strchr("JmsUn", *s))
            return 0;
    }
    return 1;
}

/* Skips the rest of a lookaround after its opening, up to and including the
 * ')' that closes it.  Its contents are zero-width, so they are not
 * analysed (any option setting inside stays inside); the pattern compiled,
 * so only escapes, classes and comments need care. */
static void skip_look(parser *ps)
{
    int depth = 0;
    while (ps->p < ps->end) {
        char c = *ps->p++;
        if (c == '\\') {
            if (ps->p < ps->end && (*ps->p == 'Q' || *ps->p == 'E'))
                break;   /* quoting: not worth the care */
            if (ps->p < ps->end)
                ps->p++;
        } else if (c == '[') {
            if (ps->p < ps->end && *ps->p == '^')
                ps->p++;
            if (ps->p < ps->end && *ps->p == ']')
                ps->p++;
            while (ps->p < ps->end && *ps->p != ']') {
                if (*ps->p == '\\' && ps->p + 1 < ps->end) {
                    if (ps->p[1] == 'Q' || ps->p[1] == 'E') {
                        ps->p = ps->end;
                        break;
                    }
                    ps->p++;
                } else if (*ps->p == '[' && ps->p + 1 < ps->end && ps->p[1] == ':') {
                    /* [:name:] when ":]" comes before any ']' */
                    const char *q = ps->p + 2;
                    while (q + 1 < ps->end && *q != ']' && !(q[0] == ':' && q[1] == ']'))
                        q++;
                    if (q + 1 < ps->end && q[0] == ':')
                        ps->p = q + 1;
                }
                ps->p++;
            }
            if (ps->p < ps->end)
                ps->p++;
        } else if (c == '(') {
            if (ps->p + 1 < ps->end && ps->p[0] == '?' && ps->p[1] == '#') {
                while (ps->p < ps->end && *ps->p != ')')
                    ps->p++;
                if (ps->p < ps->end)
                    ps->p++;
            } else {
                depth++;
            }
        } else if (c == ')') {
            if (depth-- == 0)
                return;
        }
    }
    ps->fail = 1;
}

/* Skips a group name up to its terminator. */
static void skip_name(parser *ps, char term)
{
    while (ps->p < ps->end && *ps->p != term)
        ps->p++;
    if (ps->p >= ps->end)
        ps->fail = 1;
    else
        ps->p++;
}

/* Parses a group's alternatives and its closing ')'.  Option settings
 * inside end with the group. */
static void parse_group_body(parser *ps, info *out)
{
    if (ps->fail || ps->depth >= MAX_DEPTH) {
        ps->fail = 1;
        info_width(out, 0, INF);
        return;
    }
    uint32_t flags = ps->flags;
    ps->depth++;
    parse_alt(ps, out);
    ps->depth--;
    ps->flags = flags;
    if (ps->p >= ps->end || *ps->p != ')')
        ps->fail = 1;
    else
        ps->p++;
}

/* A positive lookbehind after its "(?<=": zero-width, but when every
 * alternative ends with a known code point (`(?<=\bin |\bfor )`: a
 * space) the text before the position must end with one, which the check
 * of a following hit can use as its anchor.  Contents the analysis does not
 * understand are skipped as before. */
static void parse_lookbehind(parser *ps, info *out)
{
    parser save = *ps;
    info in;
    parse_group_body(ps, &in);
    int ok = !ps->fail && in.minb > 0 && !in.last.big && in.last.n > 0;
    aset last;
    aset_set(&last, &in.last);
    info_free(&in);
    if (ps->fail) {
        *ps = save;
        skip_look(ps);
    }
    info_empty(out);
    if (ok) {
        out->has_look = 1;
        out->look = last;
    }
}

/* Parses a group after its '('; consumes the closing ')'. */
static void parse_group(parser *ps, info *out)
{
    int look = 0;
    const char *p = ps->p;
    if (p < ps->end && *p == '*') {
        ps->fail = 1;   /* verbs and (*pla:...) forms */
    } else if (p < ps->end && *p == '?') {
        p++;
        if (p >= ps->end) {
            ps->fail = 1;
        } else if (*p == ':' || *p == '>' || *p == '|') {
            ps->p = p + 1;
        } else if (*p == '=' || *p == '!') {
            look = 1;
            ps->p = p + 1;
        } else if (*p == '<' && p + 1 < ps->end && (p[1] == '=' || p[1] == '!')) {
            look = 1;
            ps->p = p + 2;
        } else if (*p == '<' || *p == '\'') {
            ps->p = p + 1;
            skip_name(ps, *p == '<' ? '>' : '\'');
        } else if (*p == 'P' && p + 1 < ps->end && p[1] == '<') {
            ps->p = p + 2;
            skip_name(ps, '>');
        } else if (*p == '#') {
            ps->p = p;
            skip_name(ps, ')');
            info_empty(out);
            return;
        } else {
            const char *e = p;
            while (e < ps->end && *e != ')' && *e != ':')
                e++;
            uint32_t fl = ps->flags;
            if (e >= ps->end || e == p || !apply_options(p, e, &fl)) {
                ps->fail = 1;
            } else if (*e == ')') {
                /* (?i): up to the end of the enclosing group */
                ps->flags = fl;
                ps->p = e + 1;
                info_empty(out);
                return;
            } else {
                /* (?i:...): inside this group only */
                uint32_t outer = ps->flags;
                ps->flags = fl;
                ps->p = e + 1;
                parse_group_body(ps, out);
                ps->flags = outer;
                return;
            }
        }
    }
    if (look && !ps->fail) {
        if (ps->p[-1] == '=' && ps->p[-2] == '<')
            parse_lookbehind(ps, out);
        else {
            skip_look(ps);
            info_empty(out);
        }
        return;
    }
    parse_group_body(ps, out);
}

/* Parses one atom (without its quantifier). */
static void parse_atom(parser *ps, info *out)
{
    char c = *ps->p;
    size_t qa, qb;
    const char *save = ps->p;
    if (c == '*' || c == '+' || c == '?' || (c == '{' && read_braces(ps, &qa, &qb))) {
        ps->p = save;
        ps->fail = 1;   /* a quantifier on a quantifier */
        info_width(out, 0, INF);
        return;
    }
    if (c == '(') {
        ps->p++;
        parse_group(ps, out);
        return;
    }
    if (c == '[') {
        ps->p++;
        parse_class(ps, out);
        return;
    }
    if (c == '.') {
        ps->p++;
        info_width(out, 1, 4);
        return;
    }
    if (c == '^' || c == '$') {
        ps->p++;
        info_empty(out);
        return;
    }
    if (c != '\\') {
        literal(ps, next_cp(ps), out);
        return;
    }
    ps->p++;
    if (ps->p >= ps->end) {
        ps->fail = 1;
        info_width(out, 0, INF);
        return;
    }
    uint32_t letter = next_cp(ps);
    cpset s;
    memset(&s, 0, sizeof s);
    if (letter < 0x80 && class_escape(ps, (char)letter, &s)) {
        if (s.big) {
            info_width(out, 1, s.maxb);
            return;
        }
        cpset_exact(ps, &s, out);
        return;
    }
    switch (letter) {
    case 'b': case 'B': case 'A': case 'z': case 'Z': case 'K':
        info_empty(out);
        return;
    case 'R':
        info_width(out, 1, 3);
        return;
    case 'X':
        info_width(out, 1, INF);
        return;
    case 'k':
        /* a back-reference: its text is not known here */
        if (ps->p < ps->end && (*ps->p == '<' || *ps->p == '{' || *ps->p == '\'')) {
            char open = *ps->p++;
            skip_name(ps, open == '<' ? '>' : open == '{' ? '}' : '\'');
        } else {
            ps->fail = 1;
        }
        info_width(out, 0, INF);
        return;
    default:
        break;
    }
    uint32_t ch;
    if (!char_escape(ps, letter, &ch)) {
        ps->fail = 1;
        info_width(out, 0, INF);
        return;
    }
    literal(ps, ch, out);
}

/* Reads a {n}, {n,} or {n,m} quantifier at ps->p; returns 0 when the brace
 * is a literal. */
static int read_braces(parser *ps, size_t *mn, size_t *mx)
{
    const char *p = ps->p + 1;
    size_t a = 0, b = 0;
    int da = 0, db = 0;
    while (p < ps->end && *p >= '0' && *p <= '9' && da < 6) {
        a = a * 10 + (size_t)(*p++ - '0');
        da++;
    }
    if (!da)
        return 0;
    if (p < ps->end && *p == '}') {
        *mn = *mx = a;
        ps->p = p + 1;
        return 1;
    }
    if (p >= ps->end || *p != ',')
        return 0;
    p++;
    while (p < ps->end && *p >= '0' && *p <= '9' && db < 6) {
        b = b * 10 + (size_t)(*p++ - '0');
        db++;
    }
    if (p >= ps->end || *p != '}')
        return 0;
    *mn = a;
    *mx = db ? b : INF;
    ps->p = p + 1;
    return 1;
}

/* Applies a quantifier {mn,mx} to x. */
static void repeat(info *x, size_t mn, size_t mx)
{
    info r;
    info_clear(&r);
    r.minb = mul_sat(x->minb, mn);
    r.maxb = mx == 0 ? 0 : mx == INF ? (x->maxb == 0 ? 0 : INF) : mul_sat(x->maxb, mx);
    if (mx != 0) {
        aset_set(&r.alpha, &x->alpha);
        aset_set(&r.last, &x->last);
        aset_set(&r.first, &x->first);
    }
    if (x->has_exact && mx != INF && mx <= 8) {
        /* union of x^k for k in [mn, mx] */
        lset acc = {0}, pw = {0};
        unsigned char z = 0;
        int ok = lset_one(&pw, &z, 0) == 0;
        for (size_t k = 0; ok && k <= mx; k++) {
            if (k >= mn && lset_union(&acc, &pw))
                ok = 0;
            if (ok && k < mx) {
                lset nx;
                if (lset_cross(&pw, &x->exact, &nx))
                    ok = 0;
                else {
                    lset_free(&pw);
                    pw = nx;
                }
            }
        }
        lset_free(&pw);
        if (ok) {
            r.has_exact = 1;
            r.exact = acc;
        } else {
            lset_free(&acc);
        }
    }
    if (mn >= 1 && x->has_req) {
        r.has_req = 1;
        r.req = x->req;
        r.off = x->off;
        aset_set(&r.pre, &x->pre);
        chk_set(&r.chk, &x->chk);
        chk_set(&r.fwd.w, &x->fwd.w);
        r.fwd.open = x->fwd.open;
        /* an open condition would go on into the next repetition */
        if (r.fwd.open && mx != 1)
            r.fwd.w.on = 0;
        r.cost = x->cost;
        x->req.v = NULL;
        x->req.n = 0;
    }
    if (r.has_exact) {
        static const aset none;
        lset copy;
        if (lset_copy(&r.exact, &copy) == 0)
            offer_req(&r, &copy, 0, &none, NULL);
    }
    info_free(x);     /* the also set is not kept under a quantifier */
    info_move(x, &r);
}

/* Parses an optional quantifier after an atom and applies it. */
static void parse_quant(parser *ps, info *x)
{
    if (ps->p >= ps->end)
        return;
    size_t mn, mx;
    char c = *ps->p;
    if (c == '?') {
        mn = 0, mx = 1;
        ps->p++;
    } else if (c == '*') {
        mn = 0, mx = INF;
        ps->p++;
    } else if (c == '+') {
        mn = 1, mx = INF;
        ps->p++;
    } else if (c == '{') {
        if (!read_braces(ps, &mn, &mx))
            return;
    } else {
        return;
    }
    if (ps->p < ps->end && (*ps->p == '?' || *ps->p == '+'))
        ps->p++;
    if (mx != INF && mn > mx) {
        ps->fail = 1;
        return;
    }
    repeat(x, mn, mx);
}

/* Concatenation state: the prefix parsed so far plus the trailing run of
 * pieces with exact sets (their cross product is a candidate gate), and the
 * check that holds for a hit right after the prefix. */
typedef struct concat {
    info acc;
    int run_on;
    lset run;
    size_t run_off;
    aset run_pre;
    chk run_chk;
    lset run_also;         /* low when the run began */
    lset low;              /* the rarest set some piece of the prefix requires */
    double low_rate;
    chk here;
} concat;

static double set_rate(const lset *s);

/* What memset(c, 0, ...) and an empty acc would make of c, without
 * writing its range arrays (as info_clear() does): about 40 MB of writes
 * per compile of the pack went to clearing them. */
static void concat_init(concat *c)
{
    static const lset none = {0};
    info_empty(&c->acc);
    c->run_on = 0;
    c->run = c->run_also = c->low = none;
    c->run_off = 0;
    aset_clear(&c->run_pre);
    chk_clear(&c->run_chk);
    c->low_rate = 0;
    chk_clear(&c->here);
}

/* Keeps a copy of s as c->low when it is rarer (by set_rate()): the also
 * set of a later gate is the rarest set required before it, not
 * necessarily the gate the prefix would pick (a number with a check may
 * gate better than the direction word before it, but makes a poor also
 * set). */
static void consider_low(concat *c, const lset *s)
{
    if (!s->v || s->n == 0 || lset_has_empty(s))
        return;
    double r = set_rate(s);
    if (c->low.n && r >= c->low_rate)
        return;
    lset cp;
    if (lset_copy(s, &cp))
        return;
    lset_free(&c->low);
    c->low = cp;
    c->low_rate = r;
}

/* A copy of c->low (empty when there is none or memory is short). */
static lset low_copy(const concat *c)
{
    lset cp = {0};
    if (c->low.n && lset_copy(&c->low, &cp))
        memset(&cp, 0, sizeof cp);
    return cp;
}

/* Offers the run (or its part so far, s) as the required set; the rarest
 * set required before the run began becomes the also set. */
static void offer_run(concat *c, lset *s)
{
    consider_low(c, s);
    if (offer_req(&c->acc, s, c->run_off, &c->run_pre, &c->run_chk)) {
        lset a = {0};
        if (c->run_also.n && lset_copy(&c->run_also, &a))
            memset(&a, 0, sizeof a);
        set_also(&c->acc, &a);
    }
}

static void run_close(concat *c)
{
    if (!c->run_on)
        return;
    offer_run(c, &c->run);
    lset_free(&c->run);
    c->run_on = 0;
}

/* The check for a hit at offset x->off inside piece x, which follows the
 * prefix: x's own, or the prefix's extended over x's part before the hit. */
static void chk_inside(const concat *c, const info *x, chk *k)
{
    if (x->chk.on) {
        chk_set(k, &x->chk);
        return;
    }
    chk_set(k, &c->here);
    if (!k->on)
        return;
    chk_widen(k, &x->pre, x->off);
}

/* Updates the check after piece x is appended: a piece every match has
 * becomes the anchor when its last code points are known; an optional one
 * widens the part between the anchor and the hit. */
static void chk_after(chk *k, const info *x)
{
    if (x->has_look && x->maxb == 0) {
        k->on = 1;
        aset_set(&k->l, &x->look);
        aset_clear(&k->mid);
        k->d = 0;
        return;
    }
    if (x->minb > 0) {
        k->on = !x->last.big && x->last.n > 0;
        aset_set(&k->l, &x->last);
        aset_clear(&k->mid);
        k->d = 0;
        return;
    }
    if (!k->on)
        return;
    chk_widen(k, &x->alpha, x->maxb);
}

/* Appends piece x (taken) to the concatenation. */
static void concat_add(concat *c, info *x)
{
    size_t before = c->acc.maxb;
    if (x->has_exact) {
        lset nr, cur;
        if (c->run_on && lset_cross(&c->run, &x->exact, &nr) == 0) {
            /* the run so far is a candidate too: "算力" before an optional
             * (?:规模|总规模)? */
            if (lset_copy(&c->run, &cur) == 0)
                offer_run(c, &cur);
            lset_free(&c->run);
            c->run = nr;
        } else {
            run_close(c);
            /* an optional piece does not start a run: \\s?亿元 gives 亿元,
             * not 亿元 plus a variant after each white-space character */
            if (!lset_has_empty(&x->exact) && lset_copy(&x->exact, &c->run) == 0) {
                c->run_on = 1;
                c->run_off = before;
                aset_set(&c->run_pre, &c->acc.alpha);
                chk_set(&c->run_chk, &c->here);
                lset_free(&c->run_also);
                c->run_also = low_copy(c);
            }
        }
    } else {
        run_close(c);
    }
    if (c->acc.has_exact && x->has_exact) {
        lset ne;
        if (lset_cross(&c->acc.exact, &x->exact, &ne) == 0) {
            lset_free(&c->acc.exact);
            c->acc.exact = ne;
        } else {
            lset_free(&c->acc.exact);
            c->acc.has_exact = 0;
        }
    } else if (c->acc.has_exact) {
        lset_free(&c->acc.exact);
        c->acc.has_exact = 0;
    }
    int from_x = 0;
    if (x->has_req) {
        aset pre;
        aset_set(&pre, &c->acc.alpha);
        aset_union(&pre, &x->pre);
        chk k;
        chk_inside(c, x, &k);
        /* what the prefix requires lies wholly before x, so before the hit */
        lset prev = low_copy(c);
        consider_low(c, &x->req);
        if (offer_req(&c->acc, &x->req, add_sat(before, x->off), &pre, &k)) {
            set_also(&c->acc, prev.n ? &prev : x->has_also ? &x->also : NULL);
            chk_set(&c->acc.fwd.w, &x->fwd.w);
            c->acc.fwd.open = x->fwd.open;
            from_x = 1;
        }
        lset_free(&prev);
    }
    /* the required set chosen before x (or the run just offered) is
     * followed by x */
    if (!from_x)
        fwd_after(&c->acc.fwd, x);
    chk_after(&c->here, x);
    if (x->minb > 0)
        aset_set(&c->acc.last, &x->last);
    else if (x->maxb > 0)
        aset_union(&c->acc.last, &x->last);
    if (c->acc.minb == 0)
        aset_union(&c->acc.first, &x->first);
    aset_union(&c->acc.alpha, &x->alpha);
    c->acc.minb = add_sat(c->acc.minb, x->minb);
    c->acc.maxb = add_sat(c->acc.maxb, x->maxb);
    info_free(x);
}

/* Parses a sequence of quantified atoms up to '|' or ')'. */
static void parse_concat(parser *ps, info *out)
{
    concat c;
    concat_init(&c);
    while (!ps->fail && ps->p < ps->end && *ps->p != '|' && *ps->p != ')') {
        info x;
        parse_atom(ps, &x);
        parse_quant(ps, &x);
        concat_add(&c, &x);
    }
    run_close(&c);
    lset_free(&c.run);
    lset_free(&c.run_also);
    lset_free(&c.low);
    info_move(out, &c.acc);
}

/* Parses alternatives up to ')' or the end. */
static void parse_alt(parser *ps, info *out)
{
    parse_concat(ps, out);
    while (!ps->fail && ps->p < ps->end && *ps->p == '|') {
        ps->p++;
        info b;
        parse_concat(ps, &b);
        set_also(out, NULL);   /* not kept across alternatives */
        if (b.minb < out->minb)
            out->minb = b.minb;
        if (b.maxb > out->maxb)
            out->maxb = b.maxb;
        aset_union(&out->alpha, &b.alpha);
        aset_union(&out->last, &b.last);
        aset_union(&out->first, &b.first);
        if (out->has_exact && b.has_exact && lset_union(&out->exact, &b.exact) == 0) {
            /* still exact */
        } else if (out->has_exact) {
            lset_free(&out->exact);
            out->has_exact = 0;
        }
        if (out->has_req && b.has_req && lset_union(&out->req, &b.req) == 0) {
            if (b.off > out->off)
                out->off = b.off;
            aset_union(&out->pre, &b.pre);
            /* either branch's checks hold: the union of the two */
            chk_merge(&out->chk, &b.chk);
            fwd_merge(&out->fwd, &b.fwd);
            out->cost = gate_cost(&out->req, out->off, &out->pre, &out->chk);
        } else if (out->has_req) {
            lset_free(&out->req);
            out->has_req = 0;
        }
        info_free(&b);
    }
    if (out->has_exact) {
        static const aset none;
        lset copy;
        if (lset_copy(&out->exact, &copy) == 0 && offer_req(out, &copy, 0, &none, NULL))
            set_also(out, NULL);
    }
}

/* ---- the compiled prefilter ----------------------------------------------- */

typedef struct pf_atom {
    lit l;
    uint32_t q, qm;        /* quick test: (first 4 text bytes & qm) == q */
    int qfull;             /* the quick test is the whole comparison */
    uint32_t first;        /* first code point */
    uint32_t *gates;
    size_t n_gates;
} pf_atom;

/* A code-point set as the walks test it: ASCII members in a bitmap, the
 * others in a small open-addressing table when there are at most
 * QSET_MAX of them (a test is then a probe or two instead of a binary
 * search of the ranges), else the ranges. */
#define QSET_MAX 1024
typedef struct qset {
    uint32_t ascii[4];
    uint32_t *tab;         /* members >= 128, 0 = empty slot; NULL: use a */
    uint32_t mask;         /* slots - 1 */
    const aset *a;
} qset;

struct ft_pf_pat {
    int gate;              /* -1: run plainly */
    int also;              /* a gate one of whose atoms every match has
                            * between its start and the gate hit, or -1 */
    size_t back;           /* INF: unbounded */
    int has_pre;           /* only code points of pre precede the hit */
    aset pre;
    chk chk;               /* what must precede a hit (see struct chk) */
    fwd fwd;               /* what must follow it (see struct fwd) */
    qset pre_q, l_q, mid_q;               /* pre, chk.l and chk.mid for the walks */
    qset r_q, fmid_q;                     /* fwd.w.l and fwd.w.mid */
    size_t wcls, ccls;     /* first pattern with the same gate and walk / check */
};
typedef struct ft_pf_pat pf_pat;

/* Fills bits (128, one per ASCII code point) with what aset_has() says. */
static void ascii_bits(const aset *a, uint32_t bits[4])
{
    for (uint32_t c = 0; c < 128; c++)
        if (aset_has(a, c))
            bits[c >> 5] |= 1u << (c & 31);
}

/* The slot where c is or would go in a table of mask + 1 slots. */
static inline uint32_t qset_slot(uint32_t c, uint32_t mask)
{
    return ((c * 2654435761u) >> 12) & mask;
}

/* Builds q for a (which must outlive q); 0 or FT_ERR_NOMEM. */
static int qset_build(qset *q, const aset *a)
{
    memset(q, 0, sizeof *q);
    q->a = a;
    ascii_bits(a, q->ascii);
    if (a->big)
        return 0;
    size_t count = 0;
    for (size_t i = 0; i < a->n && count <= QSET_MAX; i++)
        if (a->hi[i] >= 128)
            count += a->hi[i] - (a->lo[i] < 128 ? 128 : a->lo[i]) + 1;
    if (count > QSET_MAX)
        return 0;
    uint32_t slots = 16;
    while (slots < 2 * count)
        slots *= 2;
    q->tab = calloc(slots, sizeof *q->tab);
    if (!q->tab)
        return FT_ERR_NOMEM;
    q->mask = slots - 1;
    for (size_t i = 0; i < a->n; i++)
        for (uint32_t c = a->lo[i] < 128 ? 128 : a->lo[i]; c <= a->hi[i] && a->hi[i] >= 128; c++) {
            uint32_t h = qset_slot(c, q->mask);
            while (q->tab[h])
                h = (h + 1) & q->mask;
            q->tab[h] = c;
        }
    return 0;
}

/* Whether c is in q. */
static inline int qset_has(const qset *q, uint32_t c)
{
    if (c < 128)
        return (q->ascii[c >> 5] >> (c & 31)) & 1;
    if (!q->tab)
        return aset_has(q->a, c);
    for (uint32_t h = qset_slot(c, q->mask);; h = (h + 1) & q->mask) {
        uint32_t v = q->tab[h];
        if (v == c)
            return 1;
        if (!v)
            return 0;
    }
}

/* A slot of the open-addressing table from a non-ASCII first code point to
 * its atoms [lo, hi) (hi == 0: empty slot). */
#define FIRST_SLOTS 512
typedef struct first_slot {
    uint32_t cp;
    uint32_t lo, hi;
} first_slot;

/* The slot where code point c is or would go. */
static size_t first_hash(uint32_t c)
{
    return (size_t)((c * 2654435761u) >> 23) & (FIRST_SLOTS - 1);
}

/* A lazy gate's atoms by key byte: the first byte, lowercased for a
 * folded atom; those with key b are at[lo[b]] .. at[hi[b] - 1]. */
typedef struct lazy_index {
    const lit **at;
    uint16_t lo[256], hi[256];
} lazy_index;

#define PAIR_BITS(pf) ((pf)->pb)
#define BMP_BITS(pf) ((pf)->pb + 0x10000 / 32)

struct ft_prefilter {
    lset *gates;           /* atom sets, one per gate */
    size_t n_gates;
    pf_atom *atoms;        /* sorted by first code point */
    size_t n_atoms;
    /* one bitmap, two halves: pairs of first bytes of atoms (indexed by a
     * byte and the next), then the first code points below 0x10000; see
     * PAIR_BITS and BMP_BITS */
    uint32_t pb[2 * 0x10000 / 32];
    /* bit b of byte k: a first code point lies in the 64 code points from
     * (k * 8 + b) * 64 (the three-byte characters' blocks, for the
     * AVX-512 pass; the index is the lead's low four bits and the second
     * byte's six) */
    unsigned char blk3[128];
    /* bit g of byte c: a pair (c, d) with d >> 5 == g is in the pair
     * bitmap (for ASCII c, the same pass) */
    unsigned char asc2[128];
    int simd;              /* the AVX-512 VBMI pass runs on this CPU */
    size_t ascii_lo[128], ascii_hi[128];
    unsigned char fold_first[128];  /* a folded atom starts with this letter */
    uint32_t spair[0x10000 / 32];   /* the same for atoms under four bytes */
    uint32_t h4[0x10000 / 32];      /* h4_index() of the long atoms' first four bytes */
    first_slot first[FIRST_SLOTS];  /* atoms by non-ASCII first code point */
    size_t *rule_base;     /* first pf_pat of each rule, and n_pats after the last */
    size_t n_rules;
    pf_pat *pats;
    size_t n_pats;
    /* per gate: the bytes that may stand right before a hit worth keeping
     * (the last bytes of the code points every check of the gate's
     * patterns lets come first on its walk back), and whether a hit at
     * the very start is worth keeping (see gate_prev()) */
    uint32_t (*prev)[8];
    unsigned char *prev_start;
    /* per gate: only ever an also gate, so not in the atom pass; looked
     * for on demand between a walk's start and a hit (ft_pf_also_in()),
     * starting at a code point of lazy_first */
    unsigned char *lazy;
    aset *lazy_first_a;
    qset *lazy_first;
    lazy_index *lazy_ix;
};

struct ft_pf_state {
    size_t n_gates;
    size_t **pos;
    size_t *n, *cap;
};

/* Analyses one pattern; sets *gate_set and, when the pattern has one,
 * *also_set (both taken by the caller) and pp's walk and check, or returns
 * -1 when the pattern gets no gate. */
static int analyse(const char *pat, uint32_t flags, lset *gate_set, lset *also_set,
                   pf_pat *pp)
{
    if (flags & (PCRE2_EXTENDED | PCRE2_EXTENDED_MORE))
        return -1;
    parser ps = {pat, pat + strlen(pat), flags, 0, 0};
    info top;
    parse_alt(&ps, &top);
    if (ps.p != ps.end)
        ps.fail = 1;
    int ok = !ps.fail && top.has_req && top.cost < GATE_MAX_COST;
    if (ok) {
        pp->back = top.off;
        pp->pre = top.pre;
        pp->has_pre = !top.pre.big;
        pp->chk = top.chk;
        pp->fwd = top.fwd;
        if (pp->fwd.open)
            pp->fwd.w.on = 0;
        /* out of memory: no gate (the tables built are freed with pf) */
        ok = !qset_build(&pp->pre_q, &pp->pre) && !qset_build(&pp->l_q, &pp->chk.l) &&
             !qset_build(&pp->mid_q, &pp->chk.mid) && !qset_build(&pp->r_q, &pp->fwd.w.l) &&
             !qset_build(&pp->fmid_q, &pp->fwd.w.mid);
    }
    if (ok) {
        *gate_set = top.req;
        top.req.v = NULL;
        top.req.n = 0;
        if (top.has_also) {
            *also_set = top.also;
            top.also.v = NULL;
            top.also.n = 0;
        }
    }
    info_free(&top);
    return ok ? 0 : -1;
}

/* Whether two code point sets are equal as aset_has() sees them. */
static int aset_equal(const aset *a, const aset *b)
{
    return a->n == b->n && a->big == b->big && !memcmp(a->lo, b->lo, a->n * sizeof a->lo[0]) &&
           !memcmp(a->hi, b->hi, a->n * sizeof a->hi[0]);
}

/* Whether two checks (or forward conditions) judge every hit alike. */
static int chk_equal(const chk *a, const chk *b)
{
    return a->on == b->on && (!a->on || (a->d == b->d && aset_equal(&a->l, &b->l) &&
                                         aset_equal(&a->mid, &b->mid)));
}

/* Numbers the gated patterns' walks and checks: patterns with the same gate
 * and the same look-back bound and pre set walk alike (wcls), those with
 * the same gate and check judge hits alike (ccls); each class is the index
 * of its first pattern. */
static void set_classes(ft_prefilter *pf)
{
    for (size_t q = 0; q < pf->n_pats; q++) {
        pf_pat *p = &pf->pats[q];
        p->wcls = p->ccls = q;
        if (p->gate < 0)
            continue;
        int wdone = 0, cdone = 0;
        for (size_t e = 0; e < q && !(wdone && cdone); e++) {
            const pf_pat *o = &pf->pats[e];
            if (o->gate != p->gate)
                continue;
            if (!wdone && o->back == p->back && o->has_pre == p->has_pre &&
                (!p->has_pre || aset_equal(&o->pre, &p->pre))) {
                p->wcls = o->wcls;
                wdone = 1;
            }
            if (!cdone && o->also == p->also && chk_equal(&o->chk, &p->chk) &&
                chk_equal(&o->fwd.w, &p->fwd.w)) {
                p->ccls = o->ccls;
                cdone = 1;
            }
        }
    }
}

static int lset_equal(const lset *a, const lset *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (lit_cmp(&a->v[i], &b->v[i]))
            return 0;
    return 1;
}

static int atom_cmp(const void *a, const void *b)
{
    const pf_atom *x = a, *y = b;
    if (x->first != y->first)
        return x->first < y->first ? -1 : 1;
    return lit_cmp(&x->l, &y->l);
}

/* The bytes an occurrence of atom l can start with at byte j of the atom
 * (j < l->n): the byte itself, for a folded letter its other case, and the
 * first bytes of U+212A (for k) and U+017F (for s).  Returns how many. */
static size_t fold_bytes(const lit *l, size_t j, unsigned char out[3])
{
    unsigned char b = l->b[j];
    size_t n = 0;
    out[n++] = b;
    if (l->fold && b >= 'a' && b <= 'z') {
        out[n++] = (unsigned char)(b - 0x20);
        if (b == 'k')
            out[n++] = 0xE2;
        else if (b == 's')
            out[n++] = 0xC5;
    }
    return n;
}

/* Four bytes (the first in the low bits) with ASCII capitals made small:
 * each byte's high bit is set before the subtractions, so no borrow
 * crosses bytes, and bytes of 0x80 and above are left alone. */
static inline uint32_t fold4(uint32_t x)
{
    uint32_t h = x | 0x80808080u;
    uint32_t up = (h - 0x41414141u) & ~(h - 0x5B5B5B5Bu) & ~x & 0x80808080u;
    return x | up >> 2;
}

/* Bit of the four-byte filter for the bytes w (see fold4()). */
static inline unsigned h4_index(uint32_t w)
{
    return (fold4(w) * 2654435761u) >> 16;
}

/* Marks in h4 the first four bytes of every form an occurrence of atom l
 * (four bytes or more) can take in the text, from byte j of l on, after the
 * bytes w (got of them) already fixed: a folded k or s may also be U+212A
 * or U+017F, which caseless matching equates with them (at most two forms
 * for each of the first four bytes). */
static void add_h4(ft_prefilter *pf, const lit *l, size_t j, uint32_t w, unsigned got)
{
    if (got >= 4 || j >= l->n) {
        if (got < 4)
            return;   /* cannot happen: forms are no shorter than l */
        unsigned h = h4_index(w);
        pf->h4[h >> 5] |= 1u << (h & 31);
        return;
    }
    unsigned char b = l->b[j];
    add_h4(pf, l, j + 1, w | (uint32_t)b << (8 * got), got + 1);
    if (l->fold && (b == 'k' || b == 's')) {
        static const unsigned char kelvin[] = {0xE2, 0x84, 0xAA}, long_s[] = {0xC5, 0xBF};
        const unsigned char *f = b == 'k' ? kelvin : long_s;
        size_t fn = b == 'k' ? 3 : 2;
        for (size_t q = 0; q < fn && got < 4; q++)
            w |= (uint32_t)f[q] << (8 * got++);
        add_h4(pf, l, j + 1, w, got);
    }
}

/* Marks in bitmap bm (PAIR_BITS(pf) or pf->spair) every pair of bytes an
 * occurrence of l can start with.  A one-byte atom marks its byte followed
 * by any byte; a folded k or s first also marks the first two bytes of
 * U+212A or U+017F. */
static void add_pairs(uint32_t *bm, const lit *l)
{
    unsigned char f[3], s[3];
    size_t nf = l->n ? fold_bytes(l, 0, f) : (f[0] = 0, 1);
    for (size_t a = 0; a < nf; a++) {
        if (f[a] == 0xE2 || f[a] == 0xC5) {
            unsigned k = f[a] == 0xE2 ? 0xE284u : 0xC5BFu;
            if (l->n >= 1 && l->b[0] >= 'a' && l->b[0] <= 'z') {
                bm[k >> 5] |= 1u << (k & 31);
                continue;
            }
        }
        if (l->n < 2) {
            for (unsigned x = 0; x < 256; x++) {
                unsigned k = (unsigned)f[a] << 8 | x;
                bm[k >> 5] |= 1u << (k & 31);
            }
            continue;
        }
        size_t ns = fold_bytes(l, 1, s);
        for (size_t b = 0; b < ns; b++) {
            unsigned k = (unsigned)f[a] << 8 | s[b];
            bm[k >> 5] |= 1u << (k & 31);
        }
    }
}

/* Sets the quick test of atom a: its first (up to) four bytes and a mask,
 * byte j in bits 8j..8j+7 as try_atoms() packs the text.  A folded letter
 * is compared without its case bit; from a folded k or s on, which may
 * also be a longer non-ASCII character, nothing is compared.  qfull: the
 * test compares the whole atom, no further comparison is needed. */
static void set_quick(pf_atom *a)
{
    const lit *l = &a->l;
    a->q = a->qm = 0;
    a->qfull = l->n <= 4;
    for (size_t j = 0; j < l->n && j < 4; j++) {
        unsigned char b = l->b[j], m = 0xFF;
        if (l->fold && (b == 'k' || b == 's')) {
            a->qfull = 0;
            break;
        }
        if (l->fold && b >= 'a' && b <= 'z')
            m = 0xDF;
        a->q |= (uint32_t)(b & m) << (8 * j);
        a->qm |= (uint32_t)m << (8 * j);
    }
}

/* Enters atom i (atoms sorted by first code point) in the table of
 * non-ASCII first code points.  A full table leaves the code point out:
 * atoms_at() then falls back to a binary search. */
static void add_first(ft_prefilter *pf, size_t i)
{
    uint32_t c = pf->atoms[i].first;
    if (c < 128)
        return;
    for (size_t k = 0, h = first_hash(c); k < FIRST_SLOTS; k++, h = (h + 1) & (FIRST_SLOTS - 1)) {
        first_slot *sl = &pf->first[h];
        if (sl->hi && sl->cp != c)
            continue;
        if (!sl->hi) {
            sl->cp = c;
            sl->lo = (uint32_t)i;
        }
        sl->hi = (uint32_t)i + 1;
        return;
    }
}

/* Adds gate g's atoms to the atom table (deduplicated later). */
static int collect_atoms(ft_prefilter *pf)
{
    size_t total = 0;
    for (size_t g = 0; g < pf->n_gates; g++)
        total += pf->gates[g].n;
    pf->atoms = calloc(total + 1, sizeof *pf->atoms);
    if (!pf->atoms)
        return -1;
    size_t n = 0;
    for (size_t g = 0; g < pf->n_gates; g++)
        for (size_t i = 0; i < pf->gates[g].n && !pf->lazy[g]; i++) {
            pf_atom *a = &pf->atoms[n++];
            a->l = pf->gates[g].v[i];
            int len = ft_utf8_seq_len(a->l.b, a->l.n);
            a->first = ft_utf8_decode(a->l.b, len > 0 ? len : 1);
            a->gates = malloc(sizeof *a->gates);
            if (!a->gates)
                return -1;
            a->gates[0] = (uint32_t)g;
            a->n_gates = 1;
        }
    qsort(pf->atoms, n, sizeof *pf->atoms, atom_cmp);
    /* merge equal atoms, joining their gate lists */
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m && !atom_cmp(&pf->atoms[m - 1], &pf->atoms[i])) {
            pf_atom *d = &pf->atoms[m - 1];
            uint32_t *ng = realloc(d->gates, (d->n_gates + 1) * sizeof *ng);
            if (!ng)
                return -1;
            d->gates = ng;
            d->gates[d->n_gates++] = pf->atoms[i].gates[0];
            free(pf->atoms[i].gates);
            pf->atoms[i].gates = NULL;
        } else {
            pf->atoms[m++] = pf->atoms[i];
        }
    }
    pf->n_atoms = m;
    for (size_t i = 0; i < m; i++) {
        uint32_t c = pf->atoms[i].first;
        if (c < 0x10000)
            BMP_BITS(pf)[c >> 5] |= 1u << (c & 31);
        if (c < 128) {
            if (pf->ascii_hi[c] == 0)
                pf->ascii_lo[c] = i;
            pf->ascii_hi[c] = i + 1;
            if (pf->atoms[i].l.fold && c >= 'a' && c <= 'z')
                pf->fold_first[c] = 1;
        }
    }
    /* folded atoms starting with k or s are also looked for at the Kelvin
     * sign and the long s */
    if (pf->fold_first['k'])
        BMP_BITS(pf)[0x212A >> 5] |= 1u << (0x212A & 31);
    if (pf->fold_first['s'])
        BMP_BITS(pf)[0x017F >> 5] |= 1u << (0x017F & 31);
    for (size_t i = 0; i < m; i++) {
        const lit *l = &pf->atoms[i].l;
        add_pairs(PAIR_BITS(pf), l);
        if (l->n < 4)
            add_pairs(pf->spair, l);
        else
            add_h4(pf, l, 0, 0, 0);
        set_quick(&pf->atoms[i]);
        add_first(pf, i);
    }
    for (unsigned w = 0; w < 0x10000 / 32; w++)
        if (BMP_BITS(pf)[w])
            pf->blk3[w >> 4] |= (unsigned char)(1u << ((w >> 1) & 7));
    /* pair words 8c .. 8c + 7 hold the pairs (c, 0..255), 32 per word */
    for (unsigned w = 0; w < 128 * 8; w++)
        if (PAIR_BITS(pf)[w])
            pf->asc2[w >> 3] |= (unsigned char)(1u << (w & 7));
    return 0;
}

void ft_prefilter_free(ft_prefilter *pf)
{
    if (!pf)
        return;
    for (size_t g = 0; g < pf->n_gates; g++)
        lset_free(&pf->gates[g]);
    free(pf->gates);
    for (size_t i = 0; i < pf->n_atoms; i++)
        free(pf->atoms[i].gates);
    free(pf->atoms);
    free(pf->rule_base);
    for (size_t q = 0; pf->pats && q < pf->n_pats; q++) {
        free(pf->pats[q].pre_q.tab);
        free(pf->pats[q].l_q.tab);
        free(pf->pats[q].mid_q.tab);
        free(pf->pats[q].r_q.tab);
        free(pf->pats[q].fmid_q.tab);
    }
    free(pf->pats);
    free(pf->prev);
    free(pf->prev_start);
    for (size_t g = 0; pf->lazy_first && g < pf->n_gates; g++)
        free(pf->lazy_first[g].tab);
    for (size_t g = 0; pf->lazy_ix && g < pf->n_gates; g++)
        free(pf->lazy_ix[g].at);
    free(pf->lazy_ix);
    free(pf->lazy);
    free(pf->lazy_first_a);
    free(pf->lazy_first);
    free(pf);
}

/* The index of a gate equal to set, or n_gates. */
static size_t find_gate(const ft_prefilter *pf, const lset *set)
{
    size_t g = 0;
    while (g < pf->n_gates && !lset_equal(&pf->gates[g], set))
        g++;
    return g;
}

/* The gate for set (taken): an equal one, or a new one unless only_share.
 * -1 when there is none. */
static int gate_for(ft_prefilter *pf, lset *set, int only_share)
{
    size_t g = find_gate(pf, set);
    if (g == pf->n_gates && only_share) {
        lset_free(set);
        return -1;
    }
    if (g == pf->n_gates)
        pf->gates[pf->n_gates++] = *set;
    else
        lset_free(set);
    memset(set, 0, sizeof *set);
    return (int)g;
}

/* Estimated share of text positions where some atom of s starts. */
static double set_rate(const lset *s)
{
    double r = 0;
    for (size_t i = 0; i < s->n; i++)
        r += atom_rate(&s->v[i]);
    return r;
}

/* Whether also set a is worth testing for the hits of gate g: it is a gate
 * already (its hits are found anyway), or its atoms are rare (at most
 * ALSO_MAX_RATE, and at most four times as common as g's), so the hits it
 * adds to the atom pass cost less than the PCRE2 calls it saves.  An also
 * set made of digits, which the check before most hits already asks for,
 * is not: it would add every digit of the text. */
static int also_worth(const ft_prefilter *pf, int g, const lset *a)
{
    size_t e = find_gate(pf, a);
    if (e == (size_t)g)
        return 0;
    if (e < pf->n_gates)
        return 1;
    double r = set_rate(a);
    return r <= ALSO_MAX_RATE && r <= 4 * set_rate(&pf->gates[g]);
}

/* Analyses every pattern.  A rule with `requires:` runs in few documents
 * (those with its context fact), so its patterns get no gate of their own:
 * one would add its atoms' hits to the pass over every document.  They
 * share a gate another pattern already needs, and otherwise run plainly
 * (money.doc_unit would gate on every digit).  A pattern's also set becomes
 * a gate too (it is usually one already: the range separators, the
 * direction words before a percentage). */
/* Marks in bits the last UTF-8 byte of every code point of a (every
 * continuation byte for a long range of multi-byte ones). */
static void add_last_bytes(uint32_t bits[8], const aset *a)
{
    if (a->big) {
        memset(bits, 0xFF, 8 * sizeof bits[0]);
        return;
    }
    for (size_t i = 0; i < a->n; i++) {
        uint32_t lo = a->lo[i], hi = a->hi[i];
        for (uint32_t c = lo; c <= hi && c < 0x80; c++)
            bits[c >> 5] |= 1u << (c & 31);
        if (hi < 0x80)
            continue;
        if (lo < 0x80)
            lo = 0x80;
        if (hi - lo >= 64) {
            bits[0x80 >> 5] = bits[0xA0 >> 5] = 0xFFFFFFFFu;
            continue;
        }
        for (uint32_t c = lo; c <= hi; c++) {
            unsigned char b[4];
            int n = utf8_put(c, b);
            bits[b[n - 1] >> 5] |= 1u << (b[n - 1] & 31);
        }
    }
}

/* Fills pf->prev and pf->prev_start.  A hit every pattern of its gate
 * would reject at once is not recorded: the first code point before it
 * must be one of the check's anchor (l) or, when the check allows
 * anything between, of mid, for some pattern gated there, and a hit at
 * offset 0 fails every check.  A gate without checks on all its patterns,
 * or serving as another pattern's also gate, keeps every hit. */
static int gate_prev(ft_prefilter *pf)
{
    pf->prev = calloc(pf->n_gates + 1, sizeof *pf->prev);
    pf->prev_start = calloc(pf->n_gates + 1, 1);
    unsigned char *keep_all = calloc(pf->n_gates + 1, 1);
    if (!pf->prev || !pf->prev_start || !keep_all) {
        free(keep_all);
        return FT_ERR_NOMEM;
    }
    for (size_t q = 0; q < pf->n_pats; q++) {
        const pf_pat *p = &pf->pats[q];
        if (p->also >= 0)
            keep_all[p->also] = 1;
        if (p->gate < 0)
            continue;
        if (!p->chk.on) {
            keep_all[p->gate] = 1;
            continue;
        }
        add_last_bytes(pf->prev[p->gate], &p->chk.l);
        if (p->chk.d > 0)
            add_last_bytes(pf->prev[p->gate], &p->chk.mid);
    }
    for (size_t g = 0; g < pf->n_gates; g++)
        if (keep_all[g]) {
            memset(pf->prev[g], 0xFF, sizeof pf->prev[g]);
            pf->prev_start[g] = 1;
        }
    free(keep_all);
    return 0;
}

/* Marks the gates that are only ever also gates as lazy and builds their
 * first code point sets (both cases of a folded letter, the Kelvin sign
 * and long s for k and s).  Their occurrences are few that matter (one
 * before each hit that passes its check) against many in the text: the
 * direction words and range separators of the pack. */
static int mark_lazy(ft_prefilter *pf)
{
    pf->lazy = calloc(pf->n_gates + 1, 1);
    pf->lazy_first_a = calloc(pf->n_gates + 1, sizeof *pf->lazy_first_a);
    pf->lazy_first = calloc(pf->n_gates + 1, sizeof *pf->lazy_first);
    pf->lazy_ix = calloc(pf->n_gates + 1, sizeof *pf->lazy_ix);
    if (!pf->lazy || !pf->lazy_first_a || !pf->lazy_first || !pf->lazy_ix)
        return FT_ERR_NOMEM;
    for (size_t q = 0; q < pf->n_pats; q++)
        if (pf->pats[q].also >= 0)
            pf->lazy[pf->pats[q].also] = 1;
    for (size_t q = 0; q < pf->n_pats; q++)
        if (pf->pats[q].gate >= 0)
            pf->lazy[pf->pats[q].gate] = 0;
    for (size_t g = 0; g < pf->n_gates; g++) {
        if (!pf->lazy[g])
            continue;
        aset *a = &pf->lazy_first_a[g];
        for (size_t i = 0; i < pf->gates[g].n; i++) {
            const lit *l = &pf->gates[g].v[i];
            int n = ft_utf8_seq_len(l->b, l->n);
            uint32_t c = ft_utf8_decode(l->b, n > 0 ? n : 1);
            if (l->fold && c >= 'a' && c <= 'z')
                aset_add_case(a, c);
            else
                aset_add(a, c, c);
        }
        if (qset_build(&pf->lazy_first[g], a))
            return FT_ERR_NOMEM;
        /* the index: a counting sort of the atoms by key byte */
        lazy_index *ix = &pf->lazy_ix[g];
        const lset *ls = &pf->gates[g];
        ix->at = calloc(ls->n + 1, sizeof *ix->at);
        if (!ix->at)
            return FT_ERR_NOMEM;
        size_t n = 0;
        for (unsigned b = 0; b < 256; b++) {
            ix->lo[b] = (uint16_t)n;
            for (size_t i = 0; i < ls->n && ls->n < 0xFFFF; i++)
                if (ls->v[i].n && ls->v[i].b[0] == b)
                    ix->at[n++] = &ls->v[i];
            ix->hi[b] = (uint16_t)n;
        }
    }
    return 0;
}

int ft_prefilter_build(const ft_rules *rs, ft_prefilter **out)
{
    *out = NULL;
    ft_prefilter *pf = calloc(1, sizeof *pf);
    if (!pf)
        return FT_ERR_NOMEM;
#ifdef FT_HAVE_VBMI
    __builtin_cpu_init();
    pf->simd = __builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("avx512bw");
#endif
    size_t npat = 0;
    for (size_t i = 0; i < rs->n_rules; i++)
        npat += rs->rules[i].n_pat;
    pf->rule_base = calloc(rs->n_rules + 1, sizeof *pf->rule_base);
    pf->pats = calloc(npat + 1, sizeof *pf->pats);
    pf->gates = calloc(2 * npat + 1, sizeof *pf->gates);
    lset *later = calloc(npat + 1, sizeof *later);
    lset *also = calloc(npat + 1, sizeof *also);
    unsigned char *share = calloc(npat + 1, 1);
    if (!pf->rule_base || !pf->pats || !pf->gates || !later || !also || !share) {
        free(later);
        free(also);
        free(share);
        ft_prefilter_free(pf);
        return FT_ERR_NOMEM;
    }
    for (size_t i = 0; i < rs->n_rules; i++) {
        const ft_rule *r = &rs->rules[i];
        pf->rule_base[i] = pf->n_pats;
        for (size_t k = 0; k < r->n_pat; k++) {
            size_t at = pf->n_pats++;
            pf_pat *pp = &pf->pats[at];
            lset set = {0};
            pp->gate = pp->also = -1;
            if (analyse(r->expanded[k], r->pcre_flags, &set, &also[at], pp))
                continue;
            share[at] = r->requires != NULL;
            if (share[at])
                later[at] = set;
            else
                pp->gate = gate_for(pf, &set, 0);
        }
    }
    pf->n_rules = rs->n_rules;
    pf->rule_base[rs->n_rules] = pf->n_pats;
    for (size_t at = 0; at < pf->n_pats; at++)
        if (later[at].v)
            pf->pats[at].gate = gate_for(pf, &later[at], 1);
    for (size_t at = 0; at < pf->n_pats; at++)
        if (also[at].v && pf->pats[at].gate >= 0 && also_worth(pf, pf->pats[at].gate, &also[at]))
            pf->pats[at].also = gate_for(pf, &also[at], share[at]);
    for (size_t at = 0; at < pf->n_pats; at++) {
        lset_free(&later[at]);
        lset_free(&also[at]);
    }
    free(later);
    free(also);
    free(share);
    set_classes(pf);
    if (gate_prev(pf) || mark_lazy(pf) || collect_atoms(pf)) {
        ft_prefilter_free(pf);
        return FT_ERR_NOMEM;
    }
    *out = pf;
    return FT_OK;
}

int ft_prefilter_gate(const ft_prefilter *pf, size_t rule, size_t k, size_t *back)
{
    const pf_pat *pp = &pf->pats[pf->rule_base[rule] + k];
    *back = pp->back;
    return pp->gate;
}

const ft_pf_pat *ft_prefilter_pat(const ft_prefilter *pf, size_t rule, size_t k)
{
    const pf_pat *pp = &pf->pats[pf->rule_base[rule] + k];
    return pp->gate >= 0 ? pp : NULL;
}

int ft_pf_pat_gate(const ft_pf_pat *p)
{
    return p->gate;
}

int ft_pf_pat_also(const ft_pf_pat *p)
{
    return p->also;
}

size_t ft_prefilter_pats(const ft_prefilter *pf)
{
    return pf->n_pats;
}

size_t ft_prefilter_pat_index(const ft_prefilter *pf, size_t rule, size_t k)
{
    return pf->rule_base[rule] + k;
}

void ft_pf_pat_classes(const ft_pf_pat *p, size_t *wcls, size_t *ccls)
{
    *wcls = p->wcls;
    *ccls = p->ccls;
}

size_t ft_pf_walk_lo(const ft_pf_pat *p, const char *text, size_t h)
{
    size_t floor = 0;
    if (p->back != INF && h > p->back)
        floor = h - p->back;
    if (!p->has_pre) {
        while (floor > 0 && ((unsigned char)text[floor] & 0xC0) == 0x80)
            floor--;
        return floor;
    }
    /* walk back over the characters that may precede the hit */
    size_t lo = h;
    while (lo > floor) {
        size_t prev;
        uint32_t c = ft_utf8_before(text, lo, &prev);
        if (prev < floor || !qset_has(&p->pre_q, c))
            break;
        lo = prev;
    }
    return lo;
}

size_t ft_pf_window_lo(const ft_pf_pat *p, const char *text, size_t start, size_t h)
{
    size_t lo = ft_pf_walk_lo(p, text, h);
    return lo > start ? lo : start;
}

/* Whether the text from hit h on passes the pattern's forward condition
 * (see struct fwd). */
static int fwd_ok(const pf_pat *p, const char *text, size_t len, size_t h)
{
    const chk *f = &p->fwd.w;
    for (size_t pos = h, next; pos < len; pos = next) {
        uint32_t c = ft_utf8_at(text, len, pos, &next);
        if (qset_has(&p->r_q, c))
            return 1;
        if ((f->d != INF && next - h > f->d) || !(f->mid.big || qset_has(&p->fmid_q, c)))
            return 0;
    }
    return 0;
}

int ft_pf_hit_ok(const ft_pf_pat *p, const char *text, size_t len, size_t h)
{
    if (p->fwd.w.on && !fwd_ok(p, text, len, h))
        return 0;
    const chk *k = &p->chk;
    if (!k->on)
        return 1;
    size_t pos = h;
    while (pos > 0) {
        size_t prev;
        uint32_t c = ft_utf8_before(text, pos, &prev);
        if (qset_has(&p->l_q, c))
            return 1;
        if ((k->d != INF && h - prev > k->d) || !(k->mid.big || qset_has(&p->mid_q, c)))
            return 0;
        pos = prev;
    }
    return 0;
}

size_t ft_prefilter_gates(const ft_prefilter *pf)
{
    return pf->n_gates;
}

size_t ft_prefilter_atoms(const ft_prefilter *pf)
{
    return pf->n_atoms;
}

int ft_prefilter_describe(const ft_prefilter *pf, int gate, ft_buf *out)
{
    if (gate < 0 || (size_t)gate >= pf->n_gates)
        return ft_buf_adds(out, "(none)");
    const lset *s = &pf->gates[gate];
    for (size_t i = 0; i < s->n; i++) {
        if (i && ft_buf_addc(out, ' '))
            return FT_ERR_NOMEM;
        if (ft_buf_add_json_str(out, (const char *)s->v[i].b, s->v[i].n))
            return FT_ERR_NOMEM;
        if (s->v[i].fold && ft_buf_adds(out, "/i"))
            return FT_ERR_NOMEM;
    }
    return 0;
}

/* ---- per-scan state ------------------------------------------------------- */

int ft_pf_state_create(const ft_prefilter *pf, ft_pf_state **out)
{
    ft_pf_state *st = ft_calloc_lines(1, sizeof *st);
    if (!st)
        return FT_ERR_NOMEM;
    st->n_gates = pf->n_gates;
    st->pos = ft_calloc_lines(pf->n_gates + 1, sizeof *st->pos);
    st->n = ft_calloc_lines(pf->n_gates + 1, sizeof *st->n);
    st->cap = ft_calloc_lines(pf->n_gates + 1, sizeof *st->cap);
    if (!st->pos || !st->n || !st->cap) {
        ft_pf_state_free(st);
        return FT_ERR_NOMEM;
    }
    *out = st;
    return FT_OK;
}

void ft_pf_state_free(ft_pf_state *st)
{
    if (!st)
        return;
    for (size_t g = 0; g < st->n_gates; g++)
        free(st->pos[g]);
    free(st->pos);
    free(st->n);
    free(st->cap);
    free(st);
}

/* Records a hit of gate g at byte offset i (once per offset). */
static int add_hit(ft_pf_state *st, uint32_t g, size_t i)
{
    size_t n = st->n[g];
    if (n && st->pos[g][n - 1] == i)
        return 0;
    if (n == st->cap[g]) {
        size_t nc = st->cap[g] ? st->cap[g] * 2 : 64;
        size_t *p = realloc(st->pos[g], nc * sizeof *p);
        if (!p)
            return FT_ERR_NOMEM;
        st->pos[g] = p;
        st->cap[g] = nc;
    }
    st->pos[g][st->n[g]++] = i;
    return 0;
}

/* Whether atom l occurs at t[i] (text of len bytes).  A folded atom's
 * letters match in either case, k and s also as U+212A and U+017F. */
static int atom_at(const lit *l, const unsigned char *t, size_t len, size_t i)
{
    if (!l->fold)
        return l->n <= len - i && !memcmp(t + i, l->b, l->n);
    for (size_t j = 0; j < l->n; j++, i++) {
        if (i >= len)
            return 0;
        unsigned char a = l->b[j], x = t[i];
        if (x == a || (a >= 'a' && a <= 'z' && (x | 0x20) == a))
            continue;
        if (a == 'k' && len - i >= 3 && x == 0xE2 && t[i + 1] == 0x84 && t[i + 2] == 0xAA)
            i += 2;
        else if (a == 's' && len - i >= 2 && x == 0xC5 && t[i + 1] == 0xBF)
            i += 1;
        else
            return 0;
    }
    return 1;
}

/* Checks the atoms [lo, hi) against the text at i. */
static int try_atoms(const ft_prefilter *pf, ft_pf_state *st, size_t lo, size_t hi,
                     const unsigned char *t, size_t len, size_t i)
{
    int quick = len - i >= 4;
    uint32_t w = 0;
    if (quick)
        w = (uint32_t)t[i] | (uint32_t)t[i + 1] << 8 | (uint32_t)t[i + 2] << 16 |
            (uint32_t)t[i + 3] << 24;
    for (size_t a = lo; a < hi; a++) {
        const pf_atom *at = &pf->atoms[a];
        if (quick && (w & at->qm) != at->q)
            continue;
        if (!(quick && at->qfull) && !atom_at(&at->l, t, len, i))
            continue;
        for (size_t g = 0; g < at->n_gates; g++) {
            uint32_t gi = at->gates[g];
            if (i ? !((pf->prev[gi][t[i - 1] >> 5] >> (t[i - 1] & 31)) & 1) : !pf->prev_start[gi])
                continue;
            if (add_hit(st, gi, i))
                return FT_ERR_NOMEM;
        }
    }
    return 0;
}

/* First atom whose first code point is c (binary search); n_atoms if none. */
static size_t atoms_from(const ft_prefilter *pf, uint32_t c)
{
    size_t lo = 0, hi = pf->n_atoms;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (pf->atoms[mid].first < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Sets [*a, *b) to the atoms whose first code point is c (non-ASCII). */
static void atoms_of(const ft_prefilter *pf, uint32_t c, size_t *a, size_t *b)
{
    for (size_t k = 0, h = first_hash(c); k < FIRST_SLOTS; k++, h = (h + 1) & (FIRST_SLOTS - 1)) {
        const first_slot *sl = &pf->first[h];
        if (!sl->hi) {
            *a = *b = 0;
            return;
        }
        if (sl->cp == c) {
            *a = sl->lo;
            *b = sl->hi;
            return;
        }
    }
    *a = *b = atoms_from(pf, c);
    while (*b < pf->n_atoms && pf->atoms[*b].first == c)
        (*b)++;
}

/* Tries every atom that can start at byte i, a character boundary or not
 * (a continuation byte starts no atom). */
static int atoms_at(const ft_prefilter *pf, ft_pf_state *st, const unsigned char *t,
                    size_t len, size_t i)
{
    unsigned char c = t[i];
    if (c < 0x80) {
        if (pf->ascii_hi[c] && try_atoms(pf, st, pf->ascii_lo[c], pf->ascii_hi[c], t, len, i))
            return FT_ERR_NOMEM;
        if (c >= 'A' && c <= 'Z' && pf->fold_first[c | 0x20] &&
            try_atoms(pf, st, pf->ascii_lo[c | 0x20], pf->ascii_hi[c | 0x20], t, len, i))
            return FT_ERR_NOMEM;
        return 0;
    }
    int l = ft_utf8_seq_len(t + i, len - i);
    if (l <= 0)
        return 0;
    uint32_t cp = ft_utf8_decode(t + i, l);
    if (cp >= 0x10000 || (BMP_BITS(pf)[cp >> 5] >> (cp & 31)) & 1) {
        size_t a, b;
        atoms_of(pf, cp, &a, &b);
        if (b > a && try_atoms(pf, st, a, b, t, len, i))
            return FT_ERR_NOMEM;
        unsigned char f = cp == 0x212A ? 'k' : cp == 0x017F ? 's' : 0;
        if (f && pf->fold_first[f] &&
            try_atoms(pf, st, pf->ascii_lo[f], pf->ascii_hi[f], t, len, i))
            return FT_ERR_NOMEM;
    }
    return 0;
}

/* Whether atoms_at() can find anything at byte i (i + 2 < len): the pair
 * bitmap on t[i] t[i+1] or, when t[i] starts a three-byte character (CJK),
 * the code point bitmap.  Computed without branches. */
static inline int may_start(const ft_prefilter *pf, const unsigned char *t, size_t i)
{
    unsigned c0 = t[i], c1 = t[i + 1], c2 = t[i + 2];
    unsigned k = c0 << 8 | c1;
    unsigned cp = (c0 & 0x0F) << 12 | (c1 & 0x3F) << 6 | (c2 & 0x3F);
    /* a first code point in the bitmap has its first two bytes among the
     * pairs, so one lookup in pb does: the code point for a three-byte
     * character, the pair otherwise */
    unsigned idx = (c0 & 0xF0) == 0xE0 ? 0x10000 | cp : k;
    return (int)((pf->pb[idx >> 5] >> (idx & 31)) & 1);
}

/* The second filter, for a position where may_start() passed and four
 * bytes are left: an atom of four bytes or more can only start where the
 * (case-folded) first four bytes hash to a bit of h4, a shorter one where
 * its pair is in spair.  This rejects most English letters and the common
 * CJK characters (公, 上, 美) that merely begin some longer atom. */
static inline unsigned four_byte_ok(const ft_prefilter *pf, const unsigned char *t, size_t i)
{
    unsigned c0 = t[i], c1 = t[i + 1];
    unsigned k = c0 << 8 | c1;
    unsigned h = h4_index(c0 | c1 << 8 | (uint32_t)t[i + 2] << 16 | (uint32_t)t[i + 3] << 24);
    return ((pf->spair[k >> 5] >> (k & 31)) | (pf->h4[h >> 5] >> (h & 31))) & 1;
}

/* The positions i + j for the set bits j of m (character starts, j < 64,
 * at least four bytes left after each): may_start(), then four_byte_ok(),
 * then atoms_at() for those that pass, each stage over a mask so that its
 * loop has no other branches.  Returns 0 or FT_ERR_NOMEM. */
static inline int starts_at(const ft_prefilter *pf, ft_pf_state *st, const unsigned char *t,
                            size_t len, size_t i, uint64_t m)
{
    uint64_t first = 0, pass = 0;
    while (m) {
        unsigned j = (unsigned)__builtin_ctzll(m);
        m &= m - 1;
        first |= (uint64_t)may_start(pf, t, i + j) << j;
    }
    while (first) {
        unsigned j = (unsigned)__builtin_ctzll(first);
        first &= first - 1;
        pass |= (uint64_t)four_byte_ok(pf, t, i + j) << j;
    }
    while (pass) {
        unsigned j = (unsigned)__builtin_ctzll(pass);
        pass &= pass - 1;
        if (atoms_at(pf, st, t, len, i + j))
            return FT_ERR_NOMEM;
    }
    return 0;
}

#ifdef FT_HAVE_VBMI
/* Sixty-four bytes at a time with AVX-512: the character starts, and for
 * the three-byte characters among them (CJK) whether their code point's
 * block of 64 holds any first code point (blk3, 128 bytes in two
 * registers, looked up with one byte permute), for the ASCII ones whether
 * the pair bitmap has a pair of that byte and a byte of the next one's
 * 32-byte range (asc2, the same way).  Half the characters of news fail
 * these tests and skip the bitmap lookup of may_start().  Returns
 * the offset where it stopped (the rest is left to the caller), or
 * (size_t)-1 when out of memory. */
__attribute__((target("avx512f,avx512bw,avx512vbmi")))
static size_t scan_vbmi(const ft_prefilter *pf, ft_pf_state *st, const unsigned char *t,
                        size_t len)
{
    const __m512i tlo = _mm512_loadu_si512(pf->blk3), thi = _mm512_loadu_si512(pf->blk3 + 64);
    const __m512i alo = _mm512_loadu_si512(pf->asc2), ahi = _mm512_loadu_si512(pf->asc2 + 64);
    /* in each 128-bit lane, byte b (b < 8) is 1 << b */
    const __m512i bit = _mm512_set4_epi32(0, 0, (int)0x80402010, 0x08040201);
    const __m512i cont = _mm512_set1_epi8(-64), hi4 = _mm512_set1_epi8((char)0xF0),
                  e0 = _mm512_set1_epi8((char)0xE0), m78 = _mm512_set1_epi8(0x78),
                  m07 = _mm512_set1_epi8(0x07);
    size_t i = 0;
    /* each start reads up to three bytes past itself */
    for (; i + 67 <= len; i += 64) {
        __m512i v0 = _mm512_loadu_si512(t + i), v1 = _mm512_loadu_si512(t + i + 1);
        __mmask64 start = ~_mm512_cmplt_epi8_mask(v0, cont);
        __mmask64 lead3 = _mm512_cmpeq_epi8_mask(_mm512_and_si512(v0, hi4), e0);
        /* block byte: the lead's low four bits and the second byte's bits
         * 3-5 (16-bit shifts, masked to bits that stay in their byte) */
        __m512i idx = _mm512_or_si512(_mm512_and_si512(_mm512_slli_epi16(v0, 3), m78),
                                      _mm512_and_si512(_mm512_srli_epi16(v1, 3), m07));
        __m512i blk = _mm512_permutex2var_epi8(tlo, idx, thi);
        __mmask64 in3 = _mm512_test_epi8_mask(blk, _mm512_shuffle_epi8(bit, _mm512_and_si512(v1, m07)));
        /* ASCII: the byte itself indexes asc2, the next one's top three
         * bits pick the bit */
        __mmask64 ascii = ~_mm512_movepi8_mask(v0);
        __m512i pair = _mm512_permutex2var_epi8(alo, v0, ahi);
        __mmask64 in1 = _mm512_test_epi8_mask(
            pair, _mm512_shuffle_epi8(bit, _mm512_and_si512(_mm512_srli_epi16(v1, 5), m07)));
        uint64_t m = (uint64_t)(start & ((lead3 & in3) | (ascii & in1) | (~lead3 & ~ascii)));
        if (m && starts_at(pf, st, t, len, i, m))
            return (size_t)-1;
    }
    return i;
}
#endif

/* One pass over the bytes: the pair bitmap, indexed by a byte and the next
 * one, and for three-byte characters the code point bitmap reject almost
 * every position; the rest go to atoms_at().  No pair starting with a
 * continuation byte is marked (no atom occurrence starts with one), so
 * every atom occurrence at a character boundary is found, as a pass
 * decoding each character would find it.  simd: the AVX-512 loop first
 * (where pf->simd says the CPU has it; tests compare both). */
int ft_pf_scan_path(const ft_prefilter *pf, ft_pf_state *st, const char *text, size_t len,
                    int simd)
{
    for (size_t g = 0; g < st->n_gates; g++)
        st->n[g] = 0;
    const unsigned char *t = (const unsigned char *)text;
    size_t i = 0;
#ifdef FT_HAVE_VBMI
    if (simd && pf->simd && (i = scan_vbmi(pf, st, t, len)) == (size_t)-1)
        return FT_ERR_NOMEM;
#else
    FT_UNUSED(simd);
#endif
#ifdef __SSE2__
    /* sixteen bytes at a time: the character starts (bytes not in
     * 0x80-0xBF) are tested without branches, then the few that pass */
    const __m128i cont = _mm_set1_epi8(-64);
    for (; i + 19 <= len; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(t + i));
        unsigned m = ~(unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(v, cont)) & 0xFFFFu;
        if (m && starts_at(pf, st, t, len, i, m))
            return FT_ERR_NOMEM;
    }
#endif
    for (; i + 4 <= len; i++)
        if (may_start(pf, t, i) && four_byte_ok(pf, t, i) && atoms_at(pf, st, t, len, i))
            return FT_ERR_NOMEM;
    for (; i + 2 < len; i++)
        if (may_start(pf, t, i) && atoms_at(pf, st, t, len, i))
            return FT_ERR_NOMEM;
    /* the last two bytes: no three-byte character starts there */
    for (; i < len; i++) {
        unsigned k = (unsigned)t[i] << 8 | (i + 1 < len ? t[i + 1] : 0);
        if (((PAIR_BITS(pf)[k >> 5] >> (k & 31)) & 1) && atoms_at(pf, st, t, len, i))
            return FT_ERR_NOMEM;
    }
    return 0;
}

int ft_prefilter_scan(const ft_prefilter *pf, ft_pf_state *st, const char *text,
                      size_t len)
{
    return ft_pf_scan_path(pf, st, text, len, 1);
}

int ft_pf_simd(const ft_prefilter *pf)
{
    return pf->simd;
}

int ft_pf_gate_lazy(const ft_prefilter *pf, int gate)
{
    return pf->lazy[gate];
}

int ft_pf_also_in(const ft_prefilter *pf, int gate, const char *text, size_t len, size_t lo,
                  size_t h)
{
    const unsigned char *t = (const unsigned char *)text;
    const lazy_index *ix = &pf->lazy_ix[gate];
    for (size_t i = lo, next; i < h && i < len; i = next) {
        uint32_t c = ft_utf8_at(text, len, i, &next);
        if (qset_has(&pf->lazy_first[gate], c)) {
            /* the atoms keyed by this byte, and the folded ones keyed by
             * its lower case (or k, s for the Kelvin sign, the long s) */
            unsigned k1 = t[i];
            unsigned k2 = c >= 'A' && c <= 'Z' ? c | 0x20 : c == 0x212A ? 'k' : c == 0x017F ? 's' : k1;
            for (unsigned k = ix->lo[k1]; k < ix->hi[k1]; k++)
                if (atom_at(ix->at[k], t, len, i))
                    return 1;
            for (unsigned k = k2 != k1 ? ix->lo[k2] : 0; k2 != k1 && k < ix->hi[k2]; k++)
                if (atom_at(ix->at[k], t, len, i))
                    return 1;
        }
    }
    return 0;
}

const size_t *ft_pf_hits(const ft_pf_state *st, int gate, size_t *n)
{
    *n = st->n[gate];
    return st->pos[gate];
}

size_t ft_pf_runnable(const ft_prefilter *pf, const ft_pf_state *st, unsigned char *run,
                      size_t *rules)
{
    size_t n = 0, r = 0;
    for (size_t i = 0; i < pf->n_pats; i++) {
        const pf_pat *pp = &pf->pats[i];
        while (i >= pf->rule_base[r + 1])
            r++; /* pattern i is rule r's */
        run[i] = pp->gate < 0 ||
                 (st->n[pp->gate] && (pp->also < 0 || pf->lazy[pp->also] || st->n[pp->also]));
        if (run[i] && (n == 0 || rules[n - 1] != r))
            rules[n++] = r;
    }
    return n;
}
