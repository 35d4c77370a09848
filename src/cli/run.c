/*
 * run.c - the tagging pipeline.
 *
 * The main thread reads a batch of documents (bounded in count and bytes, so
 * memory stays flat however long the input), N worker threads each take
 * documents from the batch with an atomic counter and render them with their
 * own scanner into the document's own buffer, and the main thread then
 * writes the buffers in input order.  Output therefore never depends on the
 * thread count.  -o writes to a temporary file beside the target and renames
 * it only after everything was written and flushed, so a failed run never
 * leaves half a file.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define BATCH_DOCS 512
#define BATCH_BYTES (8u << 20)

/* ---- JSON text field decoding ------------------------------------------- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static void put_utf8(ft_buf *b, uint32_t c)
{
    char t[4];
    if (c < 0x80) {
        ft_buf_addc(b, (char)c);
    } else if (c < 0x800) {
        t[0] = (char)(0xC0 | (c >> 6)); t[1] = (char)(0x80 | (c & 0x3F));
        ft_buf_add(b, t, 2);
    } else if (c < 0x10000) {
        t[0] = (char)(0xE0 | (c >> 12)); t[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        t[2] = (char)(0x80 | (c & 0x3F));
        ft_buf_add(b, t, 3);
    } else {
        t[0] = (char)(0xF0 | (c >> 18)); t[1] = (char)(0x80 | ((c >> 12) & 0x3F));
        t[2] = (char)(0x80 | ((c >> 6) & 0x3F)); t[3] = (char)(0x80 | (c & 0x3F));
        ft_buf_add(b, t, 4);
    }
}

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

/* Decodes the JSON string starting at s[i] == '"'; keeps NULs (\u0000) and
 * turns lone surrogates into U+FFFD.  Returns the index after the closing
 * quote, or 0 on malformed input. */
static size_t decode_string(const char *s, size_t n, size_t i, ft_buf *out)
{
    i++;
    size_t run = i;
    while (i < n) {
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
                put_utf8(out, u);
        } else if (out) {
            char r = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == 'b' ? '\b'
                   : e == 'f' ? '\f' : e;
            ft_buf_addc(out, r);
        }
        run = i;
    }
    return 0;
}

/* Skips one JSON value (already validated by cJSON) starting at s[i]. */
static size_t skip_value(const char *s, size_t n, size_t i)
{
    int depth = 0;
    while (i < n) {
        char c = s[i];
        if (c == '"') {
            i = decode_string(s, n, i, NULL);
            if (!i)
                return n;
            if (depth == 0)
                return i;
            continue;
        }
        if (c == '{' || c == '[')
            depth++;
        else if (c == '}' || c == ']') {
            if (depth == 0)
                return i;
            depth--;
            if (depth == 0)
                return i + 1;
        } else if (depth == 0 && (c == ',')) {
            return i;
        }
        i++;
    }
    return i;
}

/* Finds top-level member `key` of the object in s and decodes its string
 * value into out.  Returns 1 when found as a string. */
static int find_string_member(const char *s, size_t n, const char *key, ft_buf *out)
{
    size_t i = 0, klen = strlen(key);
    while (i < n && s[i] != '{')
        i++;
    i++;
    ft_buf k = {0};
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == ',' || s[i] == '\n' || s[i] == '\r'))
            i++;
        if (i >= n || s[i] != '"')
            break;
        k.len = 0;
        i = decode_string(s, n, i, &k);
        if (!i)
            break;
        while (i < n && s[i] != ':')
            i++;
        i++;
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        if (k.len == klen && !memcmp(k.p, key, klen)) {
            ft_buf_free(&k);
            if (i < n && s[i] == '"')
                return decode_string(s, n, i, out) != 0;
            return 0;
        }
        i = skip_value(s, n, i);
    }
    ft_buf_free(&k);
    return 0;
}

/* ---- documents ------------------------------------------------------------ */

void cli_doc_free(cli_doc *doc)
{
    free(doc->raw);
    free(doc->name);
    free(doc->input_error);
    free(doc->ref_date);
    cJSON_Delete(doc->obj);
    free(doc->id);
    free(doc->warnings);
    if (doc->text && doc->is_json)
        free((char *)doc->text);
    ft_buf_free(&doc->out);
    memset(doc, 0, sizeof *doc);
}

int cli_error_record(cli_doc *doc, const char *msg, ft_buf *out)
{
    doc->failed = 1;
    if (doc->input_error != msg) {
        free(doc->input_error);
        doc->input_error = ft_strdup(msg);
    }
    ft_buf_adds(out, "{\"error\":");
    ft_buf_add_json_str(out, msg, strlen(msg));
    if (doc->line)
        ft_buf_addf(out, ",\"line\":%ld", doc->line);
    if (doc->name) {
        ft_buf_adds(out, ",\"file\":");
        ft_buf_add_json_str(out, doc->name, strlen(doc->name));
    }
    return ft_buf_adds(out, "}\n");
}

int cli_doc_prepare(const cli_opts *opts, cli_doc *doc)
{
    char msg[256];
    if (doc->input_error)
        return cli_error_record(doc, doc->input_error, &doc->out), -1;
    if (!doc->is_json) {
        doc->text = doc->raw;
        doc->text_len = doc->raw_len;
        doc->id = ft_strdup(doc->name);
        return 0;
    }
    if (doc->raw_len >= 3 && !memcmp(doc->raw, "\xEF\xBB\xBF", 3)) {
        /* a byte-order mark (file start, or files concatenated): not JSON */
        memmove(doc->raw, doc->raw + 3, doc->raw_len - 3);
        doc->raw_len -= 3;
        doc->raw[doc->raw_len] = 0;
    }
    const char *end = NULL;
    doc->obj = cJSON_ParseWithLengthOpts(doc->raw, doc->raw_len, &end, 0);
    /* only white space may follow the object: the output record reuses the
     * line's bytes up to its last '}' */
    while (doc->obj && end < doc->raw + doc->raw_len && strchr(" \t\r", *end) && *end)
        end++;
    if (doc->obj && end != doc->raw + doc->raw_len) {
        cJSON_Delete(doc->obj);
        doc->obj = NULL;
    }
    if (!doc->obj || !cJSON_IsObject(doc->obj)) {
        if (doc->obj)
            snprintf(msg, sizeof msg, "line is JSON but not an object");
        else
            snprintf(msg, sizeof msg, "invalid JSON at column %ld",
                     end ? (long)(end - doc->raw) + 1 : 1L);
        return cli_error_record(doc, msg, &doc->out), -1;
    }
    ft_buf t = {0};
    if (!find_string_member(doc->raw, doc->raw_len, opts->text_field, &t)) {
        ft_buf_free(&t);
        snprintf(msg, sizeof msg, "no string field \"%s\"", opts->text_field);
        return cli_error_record(doc, msg, &doc->out), -1;
    }
    if (!t.p)
        ft_buf_reserve(&t, 0);
    doc->text = t.p;
    doc->text_len = t.len;
    cJSON *id = cJSON_GetObjectItemCaseSensitive(doc->obj, opts->id_field);
    if (cJSON_IsString(id))
        doc->id = ft_strdup(id->valuestring);
    else if (cJSON_IsNumber(id)) {
        char tmp[64];
        snprintf(tmp, sizeof tmp, "%.17g", id->valuedouble);
        doc->id = ft_strdup(tmp);
    }
    return 0;
}

/* ---- workers -------------------------------------------------------------- */

typedef struct batch {
    cli_doc *docs;
    size_t n;
    atomic_size_t next;
    cli_ctx *ctx;
} batch;

typedef struct worker {
    pthread_t th;
    ft_scanner *sc;
    batch *b;
} worker;

/* Tags one document into doc->out with the given scanner. */
static void process(cli_ctx *ctx, ft_scanner *sc, cli_doc *doc)
{
    const cli_opts *o = ctx->opts;
    if (cli_doc_prepare(o, doc) != 0)
        return;
    ft_scan_opts so;
    ft_scan_opts_init(&so);
    so.keep_overlaps = o->keep_overlaps;
    so.utf8_mode = o->utf8_mode;
    so.ref_date = o->ref_date;
    so.plain = o->plain;
    if (doc->ref_date)
        so.ref_date = doc->ref_date;
    if (o->date_field && doc->obj) {
        cJSON *d = cJSON_GetObjectItemCaseSensitive(doc->obj, o->date_field);
        if (cJSON_IsString(d))
            so.ref_date = d->valuestring;
    }
    const ft_result *res;
    int rc = ft_scanner_scan(sc, doc->text, doc->text_len, &so, &res);
    if (rc != FT_OK) {
        cli_error_record(doc, ft_strerror(rc), &doc->out);
        return;
    }
    if (res->n_warnings) {
        ft_buf w = {0};
        for (size_t i = 0; i < res->n_warnings; i++)
            ft_buf_addf(&w, "%s%s", i ? "\n" : "", res->warnings[i]);
        doc->warnings = w.p;
    }
    ft_result filtered;
    ft_span *kept = NULL;
    if (o->n_types) {
        /* --types: keep the spans of the listed types (after resolution) */
        filtered = *res;
        kept = malloc((res->n_spans + 1) * sizeof *kept);
        if (!kept) {
            cli_error_record(doc, ft_strerror(FT_ERR_NOMEM), &doc->out);
            return;
        }
        filtered.n_spans = 0;
        for (size_t i = 0; i < res->n_spans; i++)
            for (size_t t = 0; t < o->n_types; t++)
                if (!strcmp(res->spans[i].type, o->types[t])) {
                    kept[filtered.n_spans++] = res->spans[i];
                    break;
                }
        filtered.spans = kept;
        res = &filtered;
    }
    doc->n_entities = res->n_spans;
    ctx->writer->doc(ctx, doc, res, &doc->out);
    free(kept);
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    batch *b = w->b;
    for (;;) {
        size_t i = atomic_fetch_add(&b->next, 1);
        if (i >= b->n)
            break;
        process(b->ctx, w->sc, &b->docs[i]);
    }
    return NULL;
}

/* ---- output ----------------------------------------------------------------- */

typedef struct outfile {
    FILE *f;
    char *tmp;
    const char *final;
} outfile;

static int out_open(const cli_opts *o, outfile *of)
{
    memset(of, 0, sizeof *of);
    if (!o->output || !strcmp(o->output, "-")) {
        of->f = stdout;
        return 0;
    }
    struct stat st;
    if (stat(o->output, &st) == 0 && !S_ISREG(st.st_mode)) {
        /* a device or FIFO (-o /dev/null): write to it, never replace it */
        of->f = fopen(o->output, "wb");
        if (!of->f)
            fprintf(stderr, "fintag: %s: %s\n", o->output, strerror(errno));
        return of->f ? 0 : -1;
    }
    size_t n = strlen(o->output) + 16;
    of->tmp = malloc(n);
    snprintf(of->tmp, n, "%s.tmpXXXXXX", o->output);
    int fd = mkstemp(of->tmp);
    if (fd < 0) {
        fprintf(stderr, "fintag: %s: %s\n", o->output, strerror(errno));
        free(of->tmp);
        of->tmp = NULL;
        return -1;
    }
    of->f = fdopen(fd, "wb");
    of->final = o->output;
    return of->f ? 0 : -1;
}

/* Finishes the output: flush, and for -o rename into place (ok) or remove. */
static int out_close(outfile *of, int ok)
{
    int err = 0;
    if (fflush(of->f) != 0 || ferror(of->f))
        err = errno ? errno : EIO;
    if (of->tmp) {
        if (fsync(fileno(of->f)) != 0 && !err)
            err = errno;
        if (fclose(of->f) != 0 && !err)
            err = errno;
        if (ok && !err) {
            if (rename(of->tmp, of->final) != 0)
                err = errno;
        }
        if (!ok || err)
            unlink(of->tmp);
        free(of->tmp);
    } else if (of->f != stdout && fclose(of->f) != 0 && !err) {
        err = errno;
    }
    if (err && err != EPIPE) {
        fprintf(stderr, "fintag: write error: %s\n", strerror(err));
        return -1;
    }
    return err == EPIPE ? 1 : 0;
}

static double now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Prints the progress line on a terminal. */
static void progress(const cli_ctx *ctx, cli_input *in, double t0, int final)
{
    double dt = now_sec() - t0;
    double mb = (double)cli_input_done(in) / 1e6;
    size_t total = cli_input_total(in);
    fprintf(stderr, "\r\033[Kfintag: %zu docs, %.1f MB, %.1f MB/s", ctx->docs, mb,
            dt > 0 ? mb / dt : 0);
    if (total && !final && mb > 0) {
        double left = ((double)total / 1e6 - mb) / (mb / dt);
        if (left >= 0)
            fprintf(stderr, ", ETA %.0fs", left);
    }
    if (final)
        fputc('\n', stderr);
}

int cli_run_tag(const cli_opts *o, const ft_rules *rules)
{
    cli_ctx ctx = {0};
    ctx.opts = o;
    ctx.rules = rules;
    ctx.writer = cli_writer_find(o->format);
    if (!ctx.writer) {
        fprintf(stderr, "fintag: unknown format '%s' (see fintag --help)\n", o->format);
        return EXIT_USAGE;
    }
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN); /* a file-size limit then fails the write (EFBIG) */
    cli_input *in;
    int status = EXIT_OK;
    if (cli_input_open(o, &in) != 0)
        status = EXIT_IO;
    outfile of;
    if (out_open(o, &of) != 0) {
        cli_input_close(in);
        return EXIT_IO;
    }
    int nthreads = o->threads > 0 ? o->threads : 1;
    worker *ws = calloc((size_t)nthreads, sizeof *ws);
    for (int i = 0; i < nthreads; i++)
        if (ft_scanner_create(rules, &ws[i].sc) != FT_OK) {
            fprintf(stderr, "fintag: out of memory\n");
            return EXIT_IO;
        }
    cli_doc *docs = calloc(BATCH_DOCS, sizeof *docs);
    int write_failed = 0, eof = 0, show = !o->quiet && isatty(2);
    double t0 = now_sec(), last = t0;
    if (ctx.writer->begin && ctx.writer->begin(&ctx, of.f))
        write_failed = 1;
    while (!eof && !write_failed) {
        size_t n = 0, bytes = 0;
        while (n < BATCH_DOCS && bytes < BATCH_BYTES) {
            int r = cli_input_next(in, &docs[n]);
            if (r == 0) {
                eof = 1;
                break;
            }
            if (r < 0) {
                status = EXIT_IO;
                cli_doc_free(&docs[n]);
                continue;
            }
            bytes += docs[n].raw_len;
            n++;
        }
        batch b = {docs, n, 0, &ctx};
        if (nthreads == 1 || n < 2) {
            for (size_t i = 0; i < n; i++)
                process(&ctx, ws[0].sc, &docs[i]);
        } else {
            for (int i = 0; i < nthreads; i++) {
                ws[i].b = &b;
                pthread_create(&ws[i].th, NULL, worker_main, &ws[i]);
            }
            for (int i = 0; i < nthreads; i++)
                pthread_join(ws[i].th, NULL);
        }
        for (size_t i = 0; i < n; i++) {
            cli_doc *d = &docs[i];
            ctx.docs++;
            ctx.bytes += d->text_len;
            ctx.entities += d->n_entities;
            if (d->failed) {
                ctx.failed++;
                if (d->line)
                    fprintf(stderr, "fintag: %s:%ld: %s\n", d->name ? d->name : "", d->line,
                            d->input_error ? d->input_error : "failed");
                else
                    fprintf(stderr, "fintag: %s: %s\n", d->name ? d->name : "",
                            d->input_error ? d->input_error : "failed");
            }
            for (char *w = d->warnings; w && *w;) {
                size_t wl = strcspn(w, "\n");
                if (d->line)
                    fprintf(stderr, "fintag: %s:%ld: warning: %.*s\n", d->name ? d->name : "",
                            d->line, (int)wl, w);
                else
                    fprintf(stderr, "fintag: %s: warning: %.*s\n", d->name ? d->name : "",
                            (int)wl, w);
                w += wl + (w[wl] == '\n');
            }
            if (!write_failed) {
                if (ctx.writer->merge) {
                    if (ctx.writer->merge(&ctx, d, of.f))
                        write_failed = 1;
                } else if (d->out.len && fwrite(d->out.p, 1, d->out.len, of.f) != d->out.len) {
                    write_failed = 1;
                }
            }
            cli_doc_free(d);
        }
        if (show && now_sec() - last > 1) {
            progress(&ctx, in, t0, 0);
            last = now_sec();
        }
    }
    if (ctx.writer->end && ctx.writer->end(&ctx, write_failed ? NULL : of.f))
        write_failed = 1;
    if (show && now_sec() - t0 > 1)
        progress(&ctx, in, t0, 1);
    int oc = out_close(&of, !write_failed && status != EXIT_IO);
    if (oc < 0 || (write_failed && oc == 0))
        status = EXIT_IO;
    else if (oc == 1)
        status = status == EXIT_OK ? EXIT_OK : status; /* closed pipe: end quietly */
    for (int i = 0; i < nthreads; i++)
        ft_scanner_destroy(ws[i].sc);
    free(ws);
    free(docs);
    cli_input_close(in);
    if (status == EXIT_OK && ctx.failed)
        status = EXIT_DOC_FAILED;
    return status;
}
