/*
 * chunk.c - tags one long document in pieces (ft_stream), so that a 100 MB
 * JSONL line or text file costs a window of memory, not its own size.
 *
 * The document arrives in writes of any size and is kept in a buffer that
 * starts CTX bytes before the first byte not yet settled (`committed`).
 * Once a window's worth plus CTX bytes of right margin is buffered, a cut
 * is chosen near committed + window, preferably after a newline or a
 * sentence end, never inside a valid UTF-8 sequence.  The scanner then runs
 * over the buffer up to cut + CTX: the left context lets matches start
 * before `committed` and win or lose overlaps as they would in one scan, the
 * right margin lets an entity crossing the cut be found whole.  Entities
 * starting in [committed, cut) and not overlapping one already handed out
 * are final; their offsets are shifted to the whole document's (code
 * points and UTF-16 units before the buffer are counted as it slides) and
 * passed to the caller.  The buffer then drops everything before cut - CTX.
 * The document context (a declared unit) is carried from window to window.
 */
#include <stdlib.h>
#include <string.h>

#include "fintag_int.h"

#define CTX 4096u                  /* left context and right margin */
#define DEFAULT_WINDOW (1u << 20)
#define MIN_WINDOW 64u

struct ft_stream {
    ft_scanner *sc;
    ft_scan_opts opts;
    char *ref_date;                /* our copy of opts.ref_date */
    ft_doc_ctx carry;              /* context declared so far */
    size_t window;
    ft_stream_fn fn;
    void *user;
    char *buf;                     /* buf[0] is document byte `base` */
    size_t len, cap;
    size_t base;
    size_t base_cp, base_u16;      /* code points and UTF-16 units before base */
    size_t committed;              /* entities starting before it are handed out */
    size_t last_end;               /* end of the last entity handed out */
    ft_span *spans;                /* the current part's spans */
    size_t cap_spans;
    int error;                     /* sticky error after a failure or abort */
};

int ft_stream_create(ft_scanner *s, const ft_scan_opts *opts, size_t window_bytes,
                     ft_stream_fn fn, void *user, ft_stream **out)
{
    if (!s || !fn || !out || (opts && opts->explain))
        return FT_ERR_ARG;
    ft_stream *st = calloc(1, sizeof *st);
    if (!st)
        return FT_ERR_NOMEM;
    if (opts)
        st->opts = *opts;
    else
        ft_scan_opts_init(&st->opts);
    if (st->opts.ref_date) {
        st->ref_date = ft_strdup(st->opts.ref_date);
        if (!st->ref_date) {
            free(st);
            return FT_ERR_NOMEM;
        }
        st->opts.ref_date = st->ref_date;
    }
    st->sc = s;
    st->fn = fn;
    st->user = user;
    st->window = window_bytes ? window_bytes : DEFAULT_WINDOW;
    if (st->window < MIN_WINDOW)
        st->window = MIN_WINDOW;
    st->cap = 2 * st->window + 4 * CTX;
    st->buf = malloc(st->cap);
    if (!st->buf) {
        ft_stream_destroy(st);
        return FT_ERR_NOMEM;
    }
    *out = st;
    return FT_OK;
}

void ft_stream_destroy(ft_stream *st)
{
    if (!st)
        return;
    free(st->ref_date);
    free(st->buf);
    free(st->spans);
    free(st);
}

static int is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

/* A position at or just before index i of b[0..n) that is not inside a
 * valid UTF-8 sequence: i itself when it is a boundary, else the start of
 * the sequence containing it.  A sequence cut short by the end of the
 * buffer counts as one that may still be valid. */
static size_t char_floor(const char *b, size_t n, size_t i)
{
    size_t p = i;
    for (int k = 0; k < 3 && p > 0 && p < n && is_cont((unsigned char)b[p]); k++)
        p--;
    if (p == i || is_cont((unsigned char)b[p]))
        return i;
    int l = ft_utf8_seq_len((const unsigned char *)b + p, n - p);
    if (l > 0)
        return p + (size_t)l > i ? p : i;
    return n - p < 4 ? p : i;
}

/* Where to cut the window that should end near buffer index target: after
 * the last newline in its second half, else after the last sentence end
 * (。！？；, or ". "), else at a character boundary at target. */
static size_t choose_cut(const char *b, size_t n, size_t from, size_t target)
{
    size_t lo = from + (target - from) / 2;
    for (size_t i = target; i > lo; i--)
        if (b[i - 1] == '\n')
            return i;
    for (size_t i = target; i >= lo + 3; i--) {
        const unsigned char *u = (const unsigned char *)b + i - 3;
        if ((u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x82) ||                 /* 。 */
            (u[0] == 0xEF && u[1] == 0xBC && (u[2] == 0x81 || u[2] == 0x9F || /* ！？ */
                                              u[2] == 0x9B)) ||               /* ； */
            (u[1] == '.' && u[2] == ' '))
            return i;
    }
    return char_floor(b, n, target);
}

/* Adds the code points and UTF-16 units of b[0..n) to *cp and *u16 (an
 * invalid byte is one of each, as in the scanner's offsets). */
static void count_units(const char *b, size_t n, size_t *cp, size_t *u16)
{
    const unsigned char *u = (const unsigned char *)b;
    size_t i = 0, c = 0, w = 0;
    while (i < n) {
        if (u[i] < 0x80) {
            i++;
            c++;
            w++;
            continue;
        }
        int l = ft_utf8_seq_len(u + i, n - i);
        i += l > 0 ? (size_t)l : 1;
        c++;
        w += l == 4 ? 2 : 1;
    }
    *cp += c;
    *u16 += w;
}

/* Scans the buffer up to cut + CTX (or its end when final), hands out the
 * entities starting in [committed, cut) and slides the buffer. */
static int run_window(ft_stream *st, size_t cut, int final)
{
    size_t rel_cut = cut - st->base;
    size_t send = final ? st->len
                       : char_floor(st->buf, st->len,
                                    rel_cut + CTX < st->len ? rel_cut + CTX : st->len);
    if (send < rel_cut)
        send = rel_cut;
    const ft_result *res;
    int rc = ft_scanner_scan_doc(st->sc, st->buf, send, &st->opts, &st->carry, &res);
    if (rc != FT_OK)
        return rc;
    if (st->cap_spans < res->n_spans + 1) {
        ft_span *p = realloc(st->spans, (res->n_spans + 1) * sizeof *p);
        if (!p)
            return FT_ERR_NOMEM;
        st->spans = p;
        st->cap_spans = res->n_spans + 1;
    }
    size_t n = 0, end = st->last_end;
    for (size_t i = 0; i < res->n_spans; i++) {
        ft_span sp = res->spans[i];
        size_t bs = st->base + sp.byte_start;
        if (bs < st->committed || bs >= cut)
            continue;
        if (!st->opts.keep_overlaps && bs < st->last_end)
            continue;
        sp.byte_start = bs;
        sp.byte_end += st->base;
        sp.start += st->base_cp;
        sp.end += st->base_cp;
        sp.u16_start += st->base_u16;
        sp.u16_end += st->base_u16;
        sp.lost_to = -1;
        if (sp.byte_end > end)
            end = sp.byte_end;
        st->spans[n++] = sp;
    }
    ft_result part = *res;
    part.n_spans = n;
    part.spans = st->spans;
    size_t bad = ft_utf8_count_invalid(st->buf + (st->committed - st->base), cut - st->committed);
    part.invalid_utf8 = (int)(bad > (size_t)INT32_MAX ? INT32_MAX : bad);
    if (st->fn(&part, st->buf, st->base, send, st->user))
        return FT_ERR_ABORTED;
    st->last_end = end;
    st->committed = cut;
    /* keep CTX bytes before the cut as the next window's left context */
    size_t keep_from = rel_cut > CTX ? char_floor(st->buf, st->len, rel_cut - CTX) : 0;
    if (keep_from > 0) {
        count_units(st->buf, keep_from, &st->base_cp, &st->base_u16);
        memmove(st->buf, st->buf + keep_from, st->len - keep_from);
        st->len -= keep_from;
        st->base += keep_from;
    }
    return FT_OK;
}

/* Runs every window that has its full right margin buffered. */
static int run_ready(ft_stream *st)
{
    while (st->len - (st->committed - st->base) >= st->window + CTX) {
        size_t from = st->committed - st->base;
        size_t cut = choose_cut(st->buf, st->len, from, from + st->window);
        if (cut <= from)
            cut = from + st->window;
        int rc = run_window(st, st->base + cut, 0);
        if (rc)
            return rc;
    }
    return FT_OK;
}

int ft_stream_write(ft_stream *st, const char *data, size_t len)
{
    if (!st || (!data && len))
        return FT_ERR_ARG;
    if (st->error)
        return st->error;
    while (len) {
        size_t n = st->cap - st->len;
        if (n > len)
            n = len;
        memcpy(st->buf + st->len, data, n);
        st->len += n;
        data += n;
        len -= n;
        int rc = run_ready(st);
        if (rc)
            return st->error = rc;
    }
    return FT_OK;
}

int ft_stream_finish(ft_stream *st)
{
    if (!st)
        return FT_ERR_ARG;
    if (st->error)
        return st->error;
    int rc = run_ready(st);
    if (!rc)
        rc = run_window(st, st->base + st->len, 1);
    if (rc)
        st->error = rc;
    else
        st->error = FT_ERR_STATE; /* the document is over */
    return rc;
}
