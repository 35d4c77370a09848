/*
 * scanner.c - the per-thread scanner: runs every rule over a document,
 * normalises each candidate, resolves overlaps and converts offsets.
 *
 * All mutable state of a scan lives here (PCRE2 match data, match context
 * with the match/depth limits, JIT stack, candidate and attribute arrays,
 * a string arena), so one ft_rules can serve many threads, each with its own
 * scanner.  A document is validated as UTF-8 once; matching then runs with
 * PCRE2_NO_UTF_CHECK.  Rules whose type begins with '_' are context rules:
 * they run first, their normalisers record document-level facts (such as a
 * declared unit, 单位：亿元) and they produce no spans.
 */
#include <stdlib.h>
#include <string.h>

#include "fintag_int.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define DEFAULT_MATCH_LIMIT 1000000u
#define DEFAULT_DEPTH_LIMIT 10000u

/* An attribute while the scan runs: strings live in the arena. */
typedef struct pattr {
    const char *key;
    ft_value_kind kind;
    double num;
    size_t soff, slen;
    int boolean;
} pattr;

/* What the scan has worked out about the hits of a gate for one walk class
 * or one check class of patterns (ft_pf_pat_classes()): per hit, the window
 * start ft_pf_walk_lo() gives (SIZE_MAX until computed) or whether the hit
 * passes ft_pf_hit_ok() (-1 until computed).  Windows are revisited after
 * each match and patterns of a class share the answers, so each hit is
 * looked at once per class and document.  `doc` stamps the document the
 * values belong to. */
typedef struct memo {
    void *v;
    size_t cap;
    unsigned long doc;
} memo;

/* A name-table lookup of ft_norm_group(), kept for the next call with the
 * same compiled pattern and the same name pointer (normalisers pass string
 * literals): a match is normalised with some eight lookups, each a binary
 * search of the pattern's name table with strcmp(). */
#define NAME_SLOTS 1024
typedef struct name_slot {
    const pcre2_code *code;
    const char *name;
    PCRE2_SPTR first, last;
    int size;              /* entry size; 0: the name is not in the table */
} name_slot;

/* A table lookup of ft_norm_table(), by the name's address (normalisers
 * pass literals): several per match, each a binary search by strcmp(). */
#define TABLE_SLOTS 64
typedef struct table_slot {
    const char *name;      /* NULL: empty slot */
    const ft_table *t;     /* NULL: no such table */
} table_slot;

struct ft_scanner {
    const ft_rules *rules;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jstack;
    ft_cand *cands;
    size_t n_cands, cap_cands;
    pattr *pattrs;
    size_t n_pattrs, cap_pattrs;
    ft_buf arena;
    ft_span *spans;
    size_t cap_spans;
    ft_attr *attrs;
    size_t cap_attrs;
    char *san;
    size_t cap_san;
    ft_buf warn_text;
    size_t *warn_off;
    const char **warn_ptr;
    size_t n_warn, cap_warn, cap_warn_ptr;
    size_t *bounds;
    size_t cap_bounds;
    ft_pf_state *pf;       /* prefilter hit lists */
    memo *wmemo, *cmemo;   /* per walk class and check class */
    size_t n_memo;
    unsigned char *runnable; /* per pattern: can match in this document (ft_pf_runnable) */
    size_t *rule_list;     /* the rules to run on this document, ascending */
    unsigned long doc_no;  /* scans so far, stamps the memos */
    int gated;             /* this scan uses the prefilter */
    name_slot names[NAME_SLOTS];  /* ft_norm_group() lookups seen before */
    table_slot tables[TABLE_SLOTS];   /* ft_norm_table() lookups seen before */
    ft_result res;
};

void ft_scan_opts_init(ft_scan_opts *o)
{
    memset(o, 0, sizeof *o);
    o->utf8_mode = FT_UTF8_REPLACE;
}

int ft_scanner_create(const ft_rules *rules, ft_scanner **out)
{
    if (!rules || !out)
        return FT_ERR_ARG;
    /* the scanner and its hit lists and memos are written on every scan:
     * on lines of their own, away from another thread's scanner */
    ft_scanner *s = ft_calloc_lines(1, sizeof *s);
    if (!s)
        return FT_ERR_NOMEM;
    s->rules = rules;
    s->md = pcre2_match_data_create(rules->max_pairs, NULL);
    s->mctx = pcre2_match_context_create(NULL);
    s->jstack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL);
    if (!s->md || !s->mctx) {
        ft_scanner_destroy(s);
        return FT_ERR_NOMEM;
    }
    if (s->jstack)
        pcre2_jit_stack_assign(s->mctx, NULL, s->jstack);
    s->rule_list = ft_calloc_lines(rules->n_rules + 1, sizeof *s->rule_list);
    if (!s->rule_list) {
        ft_scanner_destroy(s);
        return FT_ERR_NOMEM;
    }
    if (rules->pf && ft_pf_state_create(rules->pf, &s->pf) != FT_OK) {
        ft_scanner_destroy(s);
        return FT_ERR_NOMEM;
    }
    if (rules->pf) {
        s->n_memo = ft_prefilter_pats(rules->pf);
        s->wmemo = ft_calloc_lines(s->n_memo + 1, sizeof *s->wmemo);
        s->cmemo = ft_calloc_lines(s->n_memo + 1, sizeof *s->cmemo);
        s->runnable = ft_calloc_lines(s->n_memo + 1, 1);
        if (!s->wmemo || !s->cmemo || !s->runnable) {
            ft_scanner_destroy(s);
            return FT_ERR_NOMEM;
        }
    }
    *out = s;
    return FT_OK;
}

void ft_scanner_destroy(ft_scanner *s)
{
    if (!s)
        return;
    pcre2_match_data_free(s->md);
    pcre2_match_context_free(s->mctx);
    pcre2_jit_stack_free(s->jstack);
    free(s->cands);
    free(s->pattrs);
    ft_buf_free(&s->arena);
    free(s->spans);
    free(s->attrs);
    free(s->san);
    ft_buf_free(&s->warn_text);
    free(s->warn_off);
    free(s->warn_ptr);
    free(s->bounds);
    for (size_t i = 0; i < s->n_memo; i++) {
        free(s->wmemo[i].v);
        free(s->cmemo[i].v);
    }
    free(s->wmemo);
    free(s->cmemo);
    free(s->runnable);
    free(s->rule_list);
    ft_pf_state_free(s->pf);
    free(s);
}

static int grow(void **arr, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap : 16;
    while (nc < need)
        nc *= 2;
    void *p = realloc(*arr, nc * size);
    if (!p)
        return FT_ERR_NOMEM;
    *arr = p;
    *cap = nc;
    return 0;
}

/* Records a warning for this document. */
static void warn(ft_scanner *s, const char *msg)
{
    if (grow((void **)&s->warn_off, &s->cap_warn, s->n_warn + 1, sizeof(size_t)))
        return;
    s->warn_off[s->n_warn++] = s->warn_text.len;
    ft_buf_add(&s->warn_text, msg, strlen(msg) + 1);
}

/* ---- normaliser support ------------------------------------------------- */

int ft_norm_group(const ft_norm_ctx *ctx, const char *name, const char **str,
                  size_t *n)
{
    uint64_t h = ((uint64_t)(uintptr_t)ctx->code * 0x9E3779B97F4A7C15ull) ^
                 ((uint64_t)(uintptr_t)name * 0xC2B2AE3D27D4EB4Full);
    name_slot *sl = &ctx->sc->names[(h >> 40) & (NAME_SLOTS - 1)];
    if (sl->code != ctx->code || sl->name != name) {
        sl->size = pcre2_substring_nametable_scan(ctx->code, (PCRE2_SPTR)name, &sl->first,
                                                  &sl->last);
        if (sl->size < 0)
            sl->size = 0;
        sl->code = ctx->code;
        sl->name = name;
    }
    PCRE2_SPTR first = sl->first, last = sl->last;
    int size = sl->size;
    if (size <= 0)
        return 0;
    /* with (?J) several groups share a name: take the first that is set */
    for (PCRE2_SPTR e = first; e <= last; e += size) {
        uint32_t num = ((uint32_t)e[0] << 8) | e[1];
        if (num >= ctx->n_pairs)
            continue;
        PCRE2_SIZE a = ctx->ovector[2 * num], b = ctx->ovector[2 * num + 1];
        if (a == PCRE2_UNSET || b < a)
            continue;
        *str = ctx->text + a;
        *n = b - a;
        return 1;
    }
    return 0;
}

const ft_table *ft_norm_table(const ft_norm_ctx *ctx, const char *name)
{
    uint64_t h = (uint64_t)(uintptr_t)name * 0x9E3779B97F4A7C15ull;
    table_slot *sl = &ctx->sc->tables[(h >> 40) & (TABLE_SLOTS - 1)];
    if (sl->name != name) {
        sl->t = ft_rules_table(ctx->rules, name);
        sl->name = name;
    }
    return sl->t;
}

static pattr *new_attr(ft_norm_ctx *ctx, const char *key)
{
    ft_scanner *s = ctx->sc;
    ft_cand *c = ctx->cand;
    for (size_t i = 0; i < c->n_attrs; i++) {
        const char *k = s->pattrs[c->attr_off + i].key;
        /* keys are literals: the same address, or at least the same first byte */
        if (k == key || (k[0] == key[0] && !strcmp(k, key)))
            return &s->pattrs[c->attr_off + i];
    }
    if (grow((void **)&s->pattrs, &s->cap_pattrs, s->n_pattrs + 1, sizeof(pattr)))
        return NULL;
    pattr *a = &s->pattrs[s->n_pattrs++];
    memset(a, 0, sizeof *a);
    a->key = key;
    c->n_attrs++;
    return a;
}

int ft_norm_set_num(ft_norm_ctx *ctx, const char *key, double v)
{
    pattr *a = new_attr(ctx, key);
    if (!a)
        return FT_ERR_NOMEM;
    a->kind = FT_VAL_NUM;
    a->num = ft_round15(v);
    return 0;
}

int ft_norm_set_str(ft_norm_ctx *ctx, const char *key, const char *str, size_t n)
{
    pattr *a = new_attr(ctx, key);
    if (!a)
        return FT_ERR_NOMEM;
    a->kind = FT_VAL_STR;
    a->soff = ctx->sc->arena.len;
    a->slen = n;
    if (ft_buf_add(&ctx->sc->arena, str, n) || ft_buf_addc(&ctx->sc->arena, 0))
        return FT_ERR_NOMEM;
    return 0;
}

int ft_norm_set_bool(ft_norm_ctx *ctx, const char *key, int v)
{
    pattr *a = new_attr(ctx, key);
    if (!a)
        return FT_ERR_NOMEM;
    a->kind = FT_VAL_BOOL;
    a->boolean = v != 0;
    return 0;
}

int ft_norm_set_null(ft_norm_ctx *ctx, const char *key)
{
    pattr *a = new_attr(ctx, key);
    if (!a)
        return FT_ERR_NOMEM;
    a->kind = FT_VAL_NULL;
    return 0;
}

/* ---- matching ------------------------------------------------------------ */

static size_t next_char(const char *t, size_t len, size_t i)
{
    if (i >= len)
        return len + 1;
    int l = ft_utf8_seq_len((const unsigned char *)t + i, len - i);
    return i + (l > 0 ? (size_t)l : 1);
}

/* The values of memo m for this document and n hits, all bytes 0xFF (not
 * computed) when the memo held another document's; NULL when out of memory. */
static void *memo_get(ft_scanner *s, memo *m, size_t n, size_t size)
{
    if (m->doc != s->doc_no) {
        if (grow(&m->v, &m->cap, n, size))
            return NULL;
        memset(m->v, 0xFF, n * size);
        m->doc = s->doc_no;
    }
    return m->v;
}

/* The memos a gated pattern works with, and the hits of its also gate. */
typedef struct hit_memo {
    size_t *lo;            /* per hit: ft_pf_walk_lo(), SIZE_MAX = not yet */
    signed char *ok;       /* per hit: ft_pf_hit_ok() and the also test, -1 = not yet */
    const size_t *also;    /* sorted also-gate hits, NULL when none is needed */
    size_t n_also;
    const ft_prefilter *pf;  /* with a lazy also gate: looked for in the text */
    int lazy;                /* that gate, or -1 */
} hit_memo;

static size_t bound_index(const size_t *b, size_t n, size_t off);

/* Whether a hit of sorted list a lies in [lo, h). */
static int hit_between(const size_t *a, size_t n, size_t lo, size_t h)
{
    size_t l = bound_index(a, n, lo);
    return l < n && a[l] < h;
}

/* ft_pf_walk_lo() of hit j, memoised. */
static size_t memo_walk(const ft_pf_pat *g, const char *text, const size_t *hits,
                        const hit_memo *m, size_t j)
{
    if (m->lo[j] == SIZE_MAX)
        m->lo[j] = ft_pf_walk_lo(g, text, hits[j]);
    return m->lo[j];
}

/* Whether hit j passes the pattern's check and, when the pattern has an
 * also gate, has one of its hits between its walk start and itself
 * (memoised). */
static int memo_ok(const ft_pf_pat *g, const char *text, size_t len, const size_t *hits,
                   const hit_memo *m, size_t j)
{
    if (m->ok[j] < 0) {
        int ok = ft_pf_hit_ok(g, text, len, hits[j]);
        if (ok && m->also)
            ok = hit_between(m->also, m->n_also, memo_walk(g, text, hits, m, j), hits[j]);
        else if (ok && m->lazy >= 0)
            ok = ft_pf_also_in(m->pf, m->lazy, text, len, memo_walk(g, text, hits, m, j), hits[j]);
        m->ok[j] = (signed char)ok;
    }
    return m->ok[j];
}

/* ft_pf_window_lo() for hit j and a scan position `start` (a character
 * boundary, at most the hit), with the walk memoised. */
static size_t memo_lo(const ft_pf_pat *g, const char *text, const size_t *hits,
                      const hit_memo *m, size_t j, size_t start)
{
    size_t lo = memo_walk(g, text, hits, m, j);
    return lo > start ? lo : start;
}

/* Where the next match attempt of a gated pattern may start.  Every match
 * that starts at or after `start` contains a gate hit h >= its start that
 * passes ft_pf_hit_ok(), and ft_pf_window_lo() bounds how far before h it
 * can start.  So the first such hit h >= start gives a window of start
 * positions [lo, h], widened over the following hits whose windows touch
 * it.  Sets *lo and *limit; returns 0 when no hit is left. */
static int next_window(const ft_pf_pat *g, const char *text, size_t len, size_t start,
                       const size_t *hits, const hit_memo *m, size_t n, size_t *hi,
                       size_t *lo, size_t *limit)
{
    while (*hi < n && (hits[*hi] < start || !memo_ok(g, text, len, hits, m, *hi)))
        (*hi)++;
    if (*hi >= n)
        return 0;
    size_t h = hits[*hi];
    *lo = memo_lo(g, text, hits, m, *hi, start);
    /* *hi stays at the first hit: a match may end inside the widened window */
    size_t after = next_char(text, len, h);
    for (size_t j = *hi + 1; j < n; j++) {
        /* a later hit's window starts no earlier than this one's */
        if (memo_lo(g, text, hits, m, j, after) > after)
            break;
        if (memo_ok(g, text, len, hits, m, j)) {
            h = hits[j];
            after = next_char(text, len, h);
        }
    }
    *limit = h;
    return 1;
}

/* Runs one pattern of a rule over the document, appending accepted
 * candidates.  With a gate (hits != NULL) PCRE2 only searches the windows
 * next_window() gives, with the offset limit set; otherwise the whole text. */
static void run_pattern(ft_scanner *s, const ft_rule *r, size_t k, const char *text,
                        size_t len, ft_doc_ctx *doc, const ft_pf_pat *g,
                        const size_t *hits, size_t n_hits)
{
    pcre2_code *code = r->code[k];
    size_t start = 0, hi = 0, limit = 0;
    pcre2_set_offset_limit(s->mctx, PCRE2_UNSET);
    hit_memo m = {NULL, NULL, NULL, 0, s->rules->pf, -1};
    if (hits) {
        size_t wc, cc;
        ft_pf_pat_classes(g, &wc, &cc);
        int also = ft_pf_pat_also(g);
        if (also >= 0 && ft_pf_gate_lazy(s->rules->pf, also))
            m.lazy = also;
        else if (also >= 0)
            m.also = ft_pf_hits(s->pf, also, &m.n_also);
        m.lo = memo_get(s, &s->wmemo[wc], n_hits, sizeof *m.lo);
        m.ok = memo_get(s, &s->cmemo[cc], n_hits, sizeof *m.ok);
        if (!m.lo || !m.ok)
            return;
    }
    while (start <= len) {
        size_t from = start;
        if (hits) {
            if (!next_window(g, text, len, start, hits, &m, n_hits, &hi, &from, &limit))
                break;
            pcre2_set_offset_limit(s->mctx, limit);
        }
        int rc = s->rules->jit
                     ? pcre2_jit_match(code, (PCRE2_SPTR)text, len, from,
                                       PCRE2_NO_UTF_CHECK, s->md, s->mctx)
                     : pcre2_match(code, (PCRE2_SPTR)text, len, from,
                                   PCRE2_NO_UTF_CHECK, s->md, s->mctx);
        if (rc == PCRE2_ERROR_NOMATCH) {
            if (!hits)
                break;
            /* no attempt in [from, limit] matches: go on after the window */
            start = next_char(text, len, limit);
            continue;
        }
        if (rc < 0) {
            PCRE2_UCHAR msg[128];
            char tmp[320];
            pcre2_get_error_message(rc, msg, sizeof msg);
            snprintf(tmp, sizeof tmp,
                     "rule '%s': %s at byte %zu; the rest of this document was not scanned by that rule",
                     r->id, (const char *)msg, from);
            warn(s, tmp);
            break;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
        size_t ms = ov[0], me = ov[1];
        if (me <= ms) {
            start = next_char(text, len, ms > start ? ms : start);
            continue;
        }
        if (grow((void **)&s->cands, &s->cap_cands, s->n_cands + 1, sizeof(ft_cand)))
            return;
        ft_cand *c = &s->cands[s->n_cands];
        memset(c, 0, sizeof *c);
        c->bs = ms;
        c->be = me;
        c->rule = r;
        c->attr_off = s->n_pattrs;
        int keep = FT_NORM_KEEP;
        if (r->norm) {
            ft_norm_ctx ctx = {s->rules, r, text, len, ms, me, code, ov,
                               pcre2_get_ovector_count(s->md), doc, s, c};
            keep = r->norm(&ctx);
            c->bs = ctx.start;
            c->be = ctx.end;
        }
        if (keep == FT_NORM_KEEP && c->be > c->bs) {
            if (r->fact_bit >= 0)
                doc->facts |= (uint64_t)1 << r->fact_bit;
            s->n_cands++;
            start = me;
        } else {
            s->n_pattrs = c->attr_off;
            start = next_char(text, len, ms);
        }
    }
}

/* Runs every pattern of one rule over the document, those that can match
 * in it (s->runnable) when the scan is gated. */
static void run_rule(ft_scanner *s, const ft_rule *r, const char *text, size_t len,
                     ft_doc_ctx *doc)
{
    const unsigned char *run =
        s->gated ? s->runnable + ft_prefilter_pat_index(s->rules->pf, r->index, 0) : NULL;
    for (size_t k = 0; k < r->n_pat; k++) {
        if (run && !run[k])
            continue;
        size_t n_hits = 0;
        const size_t *hits = NULL;
        /* a runnable gated pattern has hits of its gate (and of its also
         * gate, unless that one is lazy): ft_pf_runnable checked */
        const ft_pf_pat *g = s->gated ? ft_prefilter_pat(s->rules->pf, r->index, k) : NULL;
        if (g)
            hits = ft_pf_hits(s->pf, ft_pf_pat_gate(g), &n_hits);
        run_pattern(s, r, k, text, len, doc, g, hits, n_hits);
    }
}

/* Whether rule r may run: a rule with `requires:` runs only when a context
 * rule of that type kept a match in this document (or in an earlier piece
 * of it, through the carried context). */
static int fact_ok(const ft_rule *r, const ft_doc_ctx *doc)
{
    return r->req_bit < 0 || ((doc->facts >> r->req_bit) & 1);
}

/* Parses "YYYY-MM-DD" (or a longer timestamp starting with it). */
static void parse_ref_date(ft_doc_ctx *doc, const char *d)
{
    int y, m, dd;
    doc->ref_date = d;
    if (d && sscanf(d, "%4d-%2d-%2d", &y, &m, &dd) == 3) {
        doc->ref_y = y;
        doc->ref_m = m;
        doc->ref_d = dd;
    } else if (d && sscanf(d, "%4d-%2d", &y, &m) == 2) {
        doc->ref_y = y;
        doc->ref_m = m;
    } else if (d && sscanf(d, "%4d", &y) == 1) {
        doc->ref_y = y;
    }
}

static int size_cmp(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* The index of the first element of the sorted array b that is not below
 * off (n when none is). */
static size_t bound_index(const size_t *b, size_t n, size_t off)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (b[mid] < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

#ifdef __SSE2__
/* The sums of the byte counters nc and nf: nc's in the low 64-bit lane,
 * nf's in the high one. */
static inline __m128i lane_sums(__m128i nc, __m128i nf)
{
    __m128i sc = _mm_sad_epu8(nc, _mm_setzero_si128()), sf = _mm_sad_epu8(nf, _mm_setzero_si128());
    return _mm_add_epi64(_mm_unpacklo_epi64(sc, sf), _mm_unpackhi_epi64(sc, sf));
}
#endif

/* Adds to *cp and *w the code points and UTF-16 units of u[a..b), valid
 * UTF-8 between character boundaries: a code point per byte that is not a
 * continuation byte (10xxxxxx), one more unit per four-byte lead (11110xxx).
 * With SSE2 sixteen bytes at a time (signed compares pick out 80-BF and
 * F0-F7; each flagged byte adds one to its lane's byte counter, and the
 * counters are summed before they can wrap), the rest too when sixteen
 * bytes of the text (len bytes) are left; else eight at a time: bit 7 of
 * each byte of the masks flags the byte. */
static void count_units(const unsigned char *u, size_t len, size_t a, size_t b, size_t *cp,
                        size_t *w)
{
    const uint64_t hi = 0x8080808080808080ull, ones = 0x0101010101010101ull;
    size_t n = b - a, cont = 0, four = 0;
#ifdef __SSE2__
    const __m128i m64 = _mm_set1_epi8(-64), m17 = _mm_set1_epi8(-17), m8 = _mm_set1_epi8(-8);
    const __m128i lane = _mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m128i zero = _mm_setzero_si128();
    __m128i nc = zero, nf = zero, sum = zero;
    int rounds = 0;
    /* the rest of a gap under sixteen bytes (two close span bounds) too,
     * with one load that stays inside the text, masked */
    while (a < b && (a + 16 <= b || a + 16 <= len)) {
        __m128i v = _mm_loadu_si128((const __m128i *)(u + a));
        __m128i keep = b - a >= 16 ? _mm_cmpeq_epi8(zero, zero)
                                   : _mm_cmpgt_epi8(_mm_set1_epi8((char)(b - a)), lane);
        nc = _mm_sub_epi8(nc, _mm_and_si128(_mm_cmplt_epi8(v, m64), keep));
        nf = _mm_sub_epi8(nf, _mm_and_si128(_mm_and_si128(_mm_cmpgt_epi8(v, m17),
                                                          _mm_cmplt_epi8(v, m8)), keep));
        a = b - a >= 16 ? a + 16 : b;
        if (++rounds == 255) {
            sum = _mm_add_epi64(sum, lane_sums(nc, nf));
            nc = nf = zero;
            rounds = 0;
        }
    }
    sum = _mm_add_epi64(sum, lane_sums(nc, nf));
    uint64_t sums[2];
    _mm_storeu_si128((__m128i *)sums, sum);
    cont += (size_t)sums[0];
    four += (size_t)sums[1];
#endif
    for (; a + 8 <= b; a += 8) {
        uint64_t x;
        memcpy(&x, u + a, 8);
        uint64_t mc = x & ~(x << 1) & hi;
        uint64_t m4 = x & (x << 1) & (x << 2) & (x << 3) & ~(x << 4) & hi;
        cont += (size_t)(((mc >> 7) * ones) >> 56);
        four += (size_t)(((m4 >> 7) * ones) >> 56);
    }
    for (; a < b; a++) {
        cont += (u[a] & 0xC0) == 0x80;
        four += (u[a] & 0xF8) == 0xF0;
    }
    *cp += n - cont;
    *w += n - cont + four;
}

/* Converts byte offsets of the emitted spans to code points and UTF-16 units
 * with one pass over the text, which is valid UTF-8 (the sanitised copy
 * when the input was not: each replaced byte is one code point and one
 * UTF-16 unit, as an invalid byte counts). */
static int convert_offsets(ft_scanner *s, const char *text, size_t len, size_t n)
{
    if (grow((void **)&s->bounds, &s->cap_bounds, 2 * n * 3 + 1, sizeof(size_t)))
        return FT_ERR_NOMEM;
    size_t *b = s->bounds;
    for (size_t i = 0; i < n; i++) {
        b[2 * i] = s->spans[i].byte_start;
        b[2 * i + 1] = s->spans[i].byte_end;
    }
    /* kept spans do not overlap, so their bounds usually come sorted */
    int sorted = 1;
    for (size_t i = 1; i < 2 * n && sorted; i++)
        sorted = b[i - 1] <= b[i];
    if (!sorted)
        qsort(b, 2 * n, sizeof *b, size_cmp);
    size_t m = 0;
    for (size_t i = 0; i < 2 * n; i++)
        if (m == 0 || b[m - 1] != b[i])
            b[m++] = b[i];
    size_t *cp = b + m, *u16 = b + 2 * m;
    const unsigned char *u = (const unsigned char *)text;
    size_t pos = 0, c = 0, w = 0;
    for (size_t j = 0; j < m; j++) {
        size_t end = b[j] < len ? b[j] : len;
        if (pos < end) {
            count_units(u, len, pos, end, &c, &w);
            pos = end;
        }
        cp[j] = c;
        u16[j] = w;
    }
    size_t at = 0;   /* spans come by start: the bounds are mostly found in order */
    for (size_t i = 0; i < n; i++) {
        ft_span *sp = &s->spans[i];
        size_t a = at < m && b[at] == sp->byte_start           ? at
                   : at + 1 < m && b[at + 1] == sp->byte_start ? at + 1
                                                              : bound_index(b, m, sp->byte_start);
        size_t e = a + 1 < m && b[a + 1] == sp->byte_end ? a + 1 : bound_index(b, m, sp->byte_end);
        at = e;
        sp->start = cp[a];
        sp->end = cp[e];
        sp->u16_start = u16[a];
        sp->u16_end = u16[e];
    }
    return 0;
}

int ft_scanner_scan(ft_scanner *s, const char *text, size_t len,
                    const ft_scan_opts *opts, const ft_result **out)
{
    return ft_scanner_scan_doc(s, text, len, opts, NULL, out);
}

/* The scan itself.  carry, when not NULL, is the document context of the
 * pieces scanned before (a unit declared earlier in a long document) and
 * receives what this piece declares; NULL starts a fresh document. */
int ft_scanner_scan_doc(ft_scanner *s, const char *text, size_t len,
                        const ft_scan_opts *opts, ft_doc_ctx *carry,
                        const ft_result **out)
{
    if (!s || (!text && len) || !out)
        return FT_ERR_ARG;
    ft_scan_opts defaults;
    if (!opts) {
        ft_scan_opts_init(&defaults);
        opts = &defaults;
    }
    if (!text)
        text = "";
    s->n_cands = s->n_pattrs = s->n_warn = 0;
    s->doc_no++;
    s->arena.len = 0;
    s->warn_text.len = 0;
    memset(&s->res, 0, sizeof s->res);
    pcre2_set_match_limit(s->mctx, opts->match_limit ? opts->match_limit : DEFAULT_MATCH_LIMIT);
    pcre2_set_depth_limit(s->mctx, opts->depth_limit ? opts->depth_limit : DEFAULT_DEPTH_LIMIT);

    const char *subject = text;
    size_t bad = ft_utf8_count_invalid(text, len);
    s->res.invalid_utf8 = (int)(bad > (size_t)INT32_MAX ? INT32_MAX : bad);
    if (bad) {
        if (opts->utf8_mode == FT_UTF8_FAIL)
            return FT_ERR_UTF8;
        if (opts->utf8_mode == FT_UTF8_SKIP) {
            char tmp[96];
            snprintf(tmp, sizeof tmp, "%zu invalid UTF-8 bytes: document skipped", bad);
            warn(s, tmp);
            goto finish;
        }
        if (grow((void **)&s->san, &s->cap_san, len + 1, 1))
            return FT_ERR_NOMEM;
        ft_utf8_sanitize(text, len, s->san);
        s->san[len] = 0;
        subject = s->san;
    }

    ft_doc_ctx doc;
    memset(&doc, 0, sizeof doc);
    if (carry)
        doc = *carry;
    parse_ref_date(&doc, opts->ref_date);
    const ft_rules *R = s->rules;
    size_t n_list;
    s->gated = 0;
    if (!opts->plain && R->pf && s->pf) {
        if (ft_prefilter_scan(R->pf, s->pf, subject, len))
            return FT_ERR_NOMEM;
        n_list = ft_pf_runnable(R->pf, s->pf, s->runnable, s->rule_list);
        s->gated = 1;
    } else {
        for (size_t i = 0; i < R->n_rules; i++)
            s->rule_list[i] = i;
        n_list = R->n_rules;
    }
    /* the rules that can match (a gated scan leaves out those none of
     * whose patterns can), context rules first, each group in pack order */
    for (size_t j = 0; j < n_list; j++) {
        const ft_rule *r = &R->rules[s->rule_list[j]];
        if (r->hidden && fact_ok(r, &doc))
            run_rule(s, r, subject, len, &doc);
    }
    s->n_cands = 0;
    s->n_pattrs = 0;
    for (size_t j = 0; j < n_list; j++) {
        const ft_rule *r = &R->rules[s->rule_list[j]];
        if (!r->hidden && fact_ok(r, &doc))
            run_rule(s, r, subject, len, &doc);
    }

    ft_resolve(s->cands, s->n_cands, opts->keep_overlaps);
    if (carry) {
        *carry = doc;
        carry->ref_date = NULL;
    }

finish:;
    size_t n = 0;
    for (size_t i = 0; i < s->n_cands; i++)
        if (s->cands[i].kept || opts->explain)
            n++;
    if (grow((void **)&s->spans, &s->cap_spans, n + 1, sizeof(ft_span)) ||
        grow((void **)&s->attrs, &s->cap_attrs, s->n_pattrs + 1, sizeof(ft_attr)))
        return FT_ERR_NOMEM;
    for (size_t i = 0; i < s->n_pattrs; i++) {
        pattr *p = &s->pattrs[i];
        ft_attr *a = &s->attrs[i];
        a->key = p->key;
        a->kind = p->kind;
        a->num = p->num;
        a->str = p->kind == FT_VAL_STR ? s->arena.p + p->soff : NULL;
        a->boolean = p->boolean;
    }
    /* map from candidate index to span index, for explain's lost_to */
    size_t j = 0;
    for (size_t i = 0; i < s->n_cands; i++) {
        ft_cand *c = &s->cands[i];
        if (!c->kept && !opts->explain)
            continue;
        ft_span *sp = &s->spans[j];
        memset(sp, 0, sizeof *sp);
        sp->type = c->rule->type;
        sp->rule_id = c->rule->id;
        sp->priority = c->rule->priority;
        sp->byte_start = c->bs;
        sp->byte_end = c->be;
        sp->n_attrs = c->n_attrs;
        sp->attrs = c->n_attrs ? &s->attrs[c->attr_off] : NULL;
        sp->kept = c->kept;
        sp->lost_to = c->lost_to;
        sp->why = c->why;
        j++;
    }
    if (convert_offsets(s, subject, len, n))
        return FT_ERR_NOMEM;
    if (grow((void **)&s->warn_ptr, &s->cap_warn_ptr, s->n_warn + 1, sizeof(char *)))
        return FT_ERR_NOMEM;
    for (size_t i = 0; i < s->n_warn; i++)
        s->warn_ptr[i] = s->warn_text.p + s->warn_off[i];
    s->res.n_spans = n;
    s->res.spans = s->spans;
    s->res.n_warnings = s->n_warn;
    s->res.warnings = s->warn_ptr;
    *out = &s->res;
    return FT_OK;
}

const ft_attr *ft_span_attr(const ft_span *span, const char *key)
{
    for (size_t i = 0; i < span->n_attrs; i++)
        if (!strcmp(span->attrs[i].key, key))
            return &span->attrs[i];
    return NULL;
}
