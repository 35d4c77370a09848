/*
 * test_stream.c - tagging one document in pieces (ft_stream, src/chunk.c)
 * must give the spans one ft_scanner_scan of the whole text gives: same
 * offsets in bytes, code points and UTF-16 units, same rules and values.
 * The document is the shipped corpus run together with text that puts
 * pressure on the cuts (a long stretch without newlines or sentence ends,
 * 4-byte characters, invalid bytes, entities across every kind of
 * boundary); it is fed with many window sizes and write sizes.
 */
#include <dirent.h>
#include <stdlib.h>

#include "fintag_int.h"
#include "unit.h"

static ft_rules *rules;
static ft_scanner *sc;

/* Appends one span as a line of text to b: offsets, type, rule, attributes. */
static void describe(ft_buf *b, const ft_span *s, const char *text)
{
    ft_buf_addf(b, "%zu-%zu %zu-%zu %zu-%zu %s %s '%.*s'", s->byte_start, s->byte_end, s->start,
                s->end, s->u16_start, s->u16_end, s->type, s->rule_id,
                (int)(s->byte_end - s->byte_start), text + s->byte_start);
    for (size_t k = 0; k < s->n_attrs; k++) {
        const ft_attr *a = &s->attrs[k];
        ft_buf_addf(b, " %s=", a->key);
        if (a->kind == FT_VAL_NUM)
            ft_buf_addf(b, "%.17g", a->num);
        else if (a->kind == FT_VAL_STR)
            ft_buf_adds(b, a->str);
        else if (a->kind == FT_VAL_BOOL)
            ft_buf_adds(b, a->boolean ? "true" : "false");
        else
            ft_buf_adds(b, "null");
    }
    ft_buf_addc(b, '\n');
}

typedef struct collected {
    ft_buf text;       /* the span lines */
    size_t parts;
    size_t invalid;
    size_t last_start;
    int ordered;
    int stop_after;    /* abort after this many parts (0 = never) */
} collected;

/* ft_stream callback: describes each span; checks the window text really
 * holds it and that parts arrive in document order. */
static int on_part(const ft_result *part, const char *text, size_t base, size_t len, void *user)
{
    collected *c = user;
    c->parts++;
    c->invalid += (size_t)part->invalid_utf8;
    for (size_t i = 0; i < part->n_spans; i++) {
        const ft_span *s = &part->spans[i];
        if (s->byte_start < base || s->byte_end > base + len || s->byte_start < c->last_start)
            c->ordered = 0;
        c->last_start = s->byte_start;
        describe(&c->text, s, text - base);
    }
    return c->stop_after && c->parts >= (size_t)c->stop_after;
}

/* The test document: every corpus article plus hand-made stress text. */
static void build_doc(ft_buf *doc)
{
    const char *root = getenv("ROOT") ? getenv("ROOT") : ".";
    char path[4096];
    snprintf(path, sizeof path, "%s/corpus", root);
    DIR *d = opendir(path);
    CHECK(d != NULL);
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) && n < 256) {
        size_t l = strlen(e->d_name);
        if (l > 4 && !strcmp(e->d_name + l - 4, ".txt"))
            names[n++] = ft_strdup(e->d_name);
    }
    if (d)
        closedir(d);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(names[j], names[i]) < 0) {
                char *t = names[i];
                names[i] = names[j];
                names[j] = t;
            }
        snprintf(path, sizeof path, "%s/corpus/%s", root, names[i]);
        FILE *f = fopen(path, "rb");
        char blk[4096];
        size_t r;
        while (f && (r = fread(blk, 1, sizeof blk, f)) > 0)
            ft_buf_add(doc, blk, r);
        if (f)
            fclose(f);
        free(names[i]);
        /* alternate: some articles run straight into the next one */
        ft_buf_adds(doc, i % 3 ? "\n" : "");
    }
    /* a long stretch without any newline or sentence end */
    for (int i = 0; i < 300; i++)
        ft_buf_addf(doc, "营收%d.%d亿元增长%d%%净利润%d万元😀", i, i % 10, i % 97, i * 7);
    /* invalid bytes (stray, truncated) between entities */
    for (int i = 0; i < 100; i++)
        ft_buf_addf(doc, "股价涨%d%%\xff中科曙光(603019)\xe4\xbd 6.06亿元。", i % 50);
    /* long digit runs and an English stretch */
    for (int i = 0; i < 200; i++)
        ft_buf_addf(doc, "Revenue rose %d.5%% to $%d million. 1234567890123456789 ", i, i * 3);
}

static void setup(void)
{
    const char *root = getenv("ROOT") ? getenv("ROOT") : ".";
    char path[4096];
    snprintf(path, sizeof path, "%s/rules", root);
    ft_compiler *c;
    ft_compiler_create(&c);
    ft_compiler_add_path(c, path);
    ft_compiler_compile(c, &rules);
    ft_compiler_destroy(c);
    if (rules)
        ft_scanner_create(rules, &sc);
}

/* Streams doc with the given window and write size into c. */
static int stream_doc(const ft_buf *doc, size_t window, size_t step, const ft_scan_opts *o,
                      collected *c)
{
    memset(c, 0, sizeof *c);
    c->ordered = 1;
    ft_stream *st;
    int rc = ft_stream_create(sc, o, window, on_part, c, &st);
    if (rc)
        return rc;
    for (size_t off = 0; off < doc->len && !rc; off += step)
        rc = ft_stream_write(st, doc->p + off, doc->len - off < step ? doc->len - off : step);
    if (!rc)
        rc = ft_stream_finish(st);
    ft_stream_destroy(st);
    return rc;
}

static void pieces_equal_whole(void)
{
    CHECK(sc != NULL);
    if (!sc)
        return;
    ft_buf doc = {0}, whole = {0};
    build_doc(&doc);
    CHECK(doc.len > 60000);
    for (int overlaps = 0; overlaps < 2; overlaps++) {
        ft_scan_opts o;
        ft_scan_opts_init(&o);
        o.keep_overlaps = overlaps;
        o.ref_date = "2025-06-30";
        const ft_result *res;
        CHECK(ft_scanner_scan(sc, doc.p, doc.len, &o, &res) == FT_OK);
        whole.len = 0;
        for (size_t i = 0; i < res->n_spans; i++)
            describe(&whole, &res->spans[i], doc.p);
        int bad = res->invalid_utf8;
        CHECK(res->n_spans > 1000);
        /* window and write sizes: byte by byte, odd sizes, whole blocks */
        static const size_t windows[] = {64, 300, 300, 4096, 50000, 0};
        static const size_t steps[] = {65536, 1, 977, 977, 65536, 65536};
        for (size_t w = 0; w < sizeof windows / sizeof *windows; w++) {
            collected c;
            CHECK(stream_doc(&doc, windows[w], steps[w], &o, &c) == FT_OK);
            CHECK(c.ordered);
            CHECK(c.invalid == (size_t)bad);
            CHECK(c.text.len == whole.len && !memcmp(c.text.p, whole.p, whole.len));
            if (windows[w] == 300)
                CHECK(c.parts > doc.len / 300 / 2);
            if (c.text.len != whole.len || memcmp(c.text.p, whole.p, whole.len)) {
                size_t i = 0;
                while (i < whole.len && i < c.text.len && whole.p[i] == c.text.p[i])
                    i++;
                fprintf(stderr, "window %zu step %zu overlaps %d: first difference at\n"
                                "  whole:  %.200s\n  stream: %.200s\n",
                        windows[w], steps[w], overlaps, whole.p + i, c.text.p + i);
            }
            ft_buf_free(&c.text);
        }
    }
    ft_buf_free(&doc);
    ft_buf_free(&whole);
}

/* A unit declared in one window still applies in the later ones. */
static void declared_unit_carries_on(void)
{
    if (!sc)
        return;
    ft_buf doc = {0};
    ft_buf_adds(&doc, "单位：亿元\n");
    for (int i = 0; i < 400; i++)
        ft_buf_adds(&doc, "本段没有数字，只是填充文字。\n");
    ft_buf_adds(&doc, "| 营业收入 | 12.5 |\n");
    const ft_result *res;
    CHECK(ft_scanner_scan(sc, doc.p, doc.len, NULL, &res) == FT_OK);
    ft_buf whole = {0};
    for (size_t i = 0; i < res->n_spans; i++)
        describe(&whole, &res->spans[i], doc.p);
    collected c;
    CHECK(stream_doc(&doc, 1000, 333, NULL, &c) == FT_OK);
    CHECK(c.parts > 5);
    CHECK(whole.len > 0 && c.text.len == whole.len && !memcmp(c.text.p, whole.p, whole.len));
    ft_buf_free(&whole);
    ft_buf_free(&c.text);
    ft_buf_free(&doc);
}

/* Empty documents, explain mode, a callback that stops, writes after the end. */
static void edges(void)
{
    if (!sc)
        return;
    ft_buf empty = {0};
    collected c;
    CHECK(stream_doc(&empty, 0, 1, NULL, &c) == FT_OK);
    CHECK(c.parts == 1 && c.text.len == 0);
    ft_scan_opts o;
    ft_scan_opts_init(&o);
    o.explain = 1;
    ft_stream *st = NULL;
    CHECK(ft_stream_create(sc, &o, 0, on_part, &c, &st) == FT_ERR_ARG);
    CHECK(ft_stream_create(sc, NULL, 0, NULL, &c, &st) == FT_ERR_ARG);
    ft_buf doc = {0};
    for (int i = 0; i < 100; i++)
        ft_buf_adds(&doc, "净利润6.06亿元，同比增长20.83%。\n");
    ft_buf_free(&c.text);
    memset(&c, 0, sizeof c);
    c.stop_after = 2;
    CHECK(ft_stream_create(sc, NULL, 100, on_part, &c, &st) == FT_OK);
    CHECK(ft_stream_write(st, doc.p, doc.len) == FT_ERR_ABORTED);
    CHECK(c.parts == 2);
    CHECK(ft_stream_write(st, "x", 1) == FT_ERR_ABORTED);
    CHECK(ft_stream_finish(st) == FT_ERR_ABORTED);
    ft_stream_destroy(st);
    ft_buf_free(&c.text);
    memset(&c, 0, sizeof c);
    CHECK(ft_stream_create(sc, NULL, 0, on_part, &c, &st) == FT_OK);
    CHECK(ft_stream_write(st, doc.p, doc.len) == FT_OK);
    CHECK(c.parts == 0);
    CHECK(ft_stream_finish(st) == FT_OK);
    CHECK(c.parts == 1);
    CHECK(ft_stream_write(st, "x", 1) == FT_ERR_STATE);
    ft_stream_destroy(st);
    ft_buf_free(&c.text);
    ft_buf_free(&doc);
}

int main(void)
{
    setup();
    RUN("stream", pieces_equal_whole);
    RUN("stream", declared_unit_carries_on);
    RUN("stream", edges);
    ft_scanner_destroy(sc);
    ft_rules_destroy(rules);
    return 0;
}
