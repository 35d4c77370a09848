/*
 * run.c - the tagging pipeline.
 *
 * The calling thread reads batches of documents (bounded in count and
 * bytes) into a ring of four slots, each with a slab that holds its
 * documents' bytes, so memory stays flat however long the input; N persistent worker threads claim documents one at a time and
 * render each with their own scanner into the document's own buffer; one
 * writer thread writes finished batches in input order (a JSONL record as
 * the input line, then that buffer) and frees their slots.  Reading, tagging and writing overlap, and the output never depends
 * on the thread count.  -o writes to a temporary file beside the target and renames
 * it only after everything was written and flushed, so a failed run never
 * leaves half a file.
 */
#include <errno.h>
#include <pthread.h>
#include <sys/mman.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define BATCH_DOCS 256
#define BATCH_BYTES (1u << 20)
/* stdio buffer of the output */
#define OUT_BUF_BYTES (1u << 16)

/* ---- workers -------------------------------------------------------------- */

/* Tags one document into doc->out with the given scanner; scratch is the
 * worker's buffer for decoded text (see cli_doc_prepare). */
static void process(cli_ctx *ctx, ft_scanner *sc, cli_doc *doc, ft_buf *scratch)
{
    const cli_opts *o = ctx->opts;
    if (doc->spool && !doc->input_error && cli_big_process(ctx, sc, doc))
        return;
    if (cli_doc_prepare(o, doc, ctx->writer->merge_reads_text ? NULL : scratch) != 0)
        return;
    ft_scan_opts so;
    cli_scan_opts(o, doc, &so);
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

/* Finishes the output: flush, and for -o rename into place (ok) or remove.
 * write_errno is the error of an earlier failed write (0 when none): errno
 * is per thread and the writes happen in the writer thread.  Returns 0, 1
 * for a closed pipe (end quietly), -1 after printing an error. */
static int out_close(outfile *of, int ok, int write_errno)
{
    int err = write_errno;
    errno = 0;
    if ((fflush(of->f) != 0 || ferror(of->f)) && !err)
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

/* ---- the pipeline ------------------------------------------------------------ */

/* A ring of batches moves through three stages: the reader (the calling
 * thread) fills a free slot, the workers claim its documents one by one, and
 * the writer thread writes a slot once all its documents are done, in input
 * order, then frees it.  At most NSLOTS batches exist at once, which bounds
 * memory whatever the input size, and reading, tagging and writing overlap. */
#define NSLOTS 4

/* A batch's slab: its bytes limit, room for the line that crosses it, and
 * the terminating NULs. */
#define SLAB_BYTES (BATCH_BYTES + BATCH_BYTES / 8 + BATCH_DOCS)
#define HUGE_PAGE ((size_t)2 << 20)

typedef struct slot {
    cli_doc docs[BATCH_DOCS];
    cli_slab slab;     /* the documents' bytes, where they fit */
    size_t n;          /* documents in the batch */
    size_t next;       /* next document to claim */
    size_t done;       /* documents finished */
    int filled;        /* 1 from the reader's hand-over to the writer's release */
    int flush;         /* handed over early because input stalled: flush after */
} slot;

typedef struct pipeline {
    cli_ctx *ctx;
    slot *slots;
    char *slabs;                /* the slots' slabs, one region (or NULL) */
    pthread_mutex_t mu;
    pthread_cond_t cv;          /* any state change; waiters re-check */
    size_t read_seq;            /* batches handed over by the reader */
    size_t work_seq;            /* first batch that may have unclaimed documents */
    size_t write_seq;           /* next batch to write */
    int eof;                    /* the reader is finished */
    int stop;                   /* the writer failed: stop reading */
    FILE *out;
    int write_failed;
    int write_errno;            /* errno of the failed write */
    int show;
    double t0, last;
    atomic_size_t in_done;      /* input bytes consumed (progress line) */
    size_t in_total;
} pipeline;

typedef struct worker {
    pthread_t th;
    ft_scanner *sc;
    pipeline *p;
    ft_buf scratch; /* decoded text of the document being tagged */
} worker;

/* Worker thread: claims documents in batch order and tags them. */
static void *worker_main(void *arg)
{
    worker *w = arg;
    pipeline *p = w->p;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        if (p->work_seq < p->read_seq) {
            slot *s = &p->slots[p->work_seq % NSLOTS];
            if (s->next < s->n) {
                cli_doc *d = &s->docs[s->next++];
                pthread_mutex_unlock(&p->mu);
                process(p->ctx, w->sc, d, &w->scratch);
                pthread_mutex_lock(&p->mu);
                if (++s->done == s->n)
                    pthread_cond_broadcast(&p->cv);
            } else {
                p->work_seq++;
            }
            continue;
        }
        if (p->eof)
            break;
        pthread_cond_wait(&p->cv, &p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    ft_buf_free(&w->scratch);
    return NULL;
}

/* Reports a failed document and the scan's warnings on stderr. */
static void report_doc(const cli_doc *d)
{
    const char *name = d->name ? d->name : "";
    if (d->failed) {
        if (d->line)
            fprintf(stderr, "fintag: %s:%ld: %s\n", name, d->line,
                    d->input_error ? d->input_error : "failed");
        else
            fprintf(stderr, "fintag: %s: %s\n", name, d->input_error ? d->input_error : "failed");
    }
    for (const char *w = d->warnings; w && *w;) {
        size_t wl = strcspn(w, "\n");
        if (d->line)
            fprintf(stderr, "fintag: %s:%ld: warning: %.*s\n", name, d->line, (int)wl, w);
        else
            fprintf(stderr, "fintag: %s: warning: %.*s\n", name, (int)wl, w);
        w += wl + (w[wl] == '\n');
    }
}

/* Prints the progress line on a terminal (writer thread, or at the end). */
static void progress(const pipeline *p, int final)
{
    double dt = now_sec() - p->t0;
    double mb = (double)atomic_load(&p->in_done) / 1e6;
    fprintf(stderr, "\r\033[Kfintag: %zu docs, %.1f MB, %.1f MB/s", p->ctx->docs, mb,
            dt > 0 ? mb / dt : 0);
    if (p->in_total && !final && mb > 0) {
        double left = ((double)p->in_total / 1e6 - mb) / (mb / dt);
        if (left >= 0)
            fprintf(stderr, ", ETA %.0fs", left);
    }
    if (final)
        fputc('\n', stderr);
}

/* Copies a spooled output record (a document over --chunk-over) to out. */
static int copy_spool(FILE *f, FILE *out)
{
    char blk[65536];
    size_t n;
    rewind(f);
    while ((n = fread(blk, 1, sizeof blk, f)) > 0)
        if (fwrite(blk, 1, n, out) != n)
            return -1;
    return ferror(f) ? -1 : 0;
}

/* Writer thread: writes finished batches in input order and frees them. */
static void *writer_main(void *arg)
{
    pipeline *p = arg;
    cli_ctx *ctx = p->ctx;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        slot *s = &p->slots[p->write_seq % NSLOTS];
        if (p->write_seq < p->read_seq && s->done == s->n) {
            pthread_mutex_unlock(&p->mu);
            for (size_t i = 0; i < s->n; i++) {
                cli_doc *d = &s->docs[i];
                ctx->docs++;
                ctx->bytes += d->text_len;
                ctx->entities += d->n_entities;
                ctx->failed += d->failed != 0;
                report_doc(d);
                if (!p->write_failed) {
                    errno = 0;
                    if (d->out_spool) {
                        if (copy_spool(d->out_spool, p->out))
                            p->write_failed = 1;
                    } else if (ctx->writer->merge) {
                        if (ctx->writer->merge(ctx, d, p->out))
                            p->write_failed = 1;
                    } else if ((d->out_head_len &&
                                fwrite(d->out_head, 1, d->out_head_len, p->out) != d->out_head_len) ||
                               (d->out.len &&
                                fwrite(d->out.p, 1, d->out.len, p->out) != d->out.len)) {
                        p->write_failed = 1;
                    }
                    if (p->write_failed)
                        p->write_errno = errno ? errno : EIO;
                }
                cli_doc_free(d);
            }
            if (s->flush && !p->write_failed && fflush(p->out) != 0) {
                p->write_failed = 1;
                p->write_errno = errno ? errno : EIO;
            }
            if (p->show && now_sec() - p->last > 1) {
                progress(p, 0);
                p->last = now_sec();
            }
            pthread_mutex_lock(&p->mu);
            s->filled = 0;
            s->n = s->next = s->done = 0;
            p->write_seq++;
            if (p->write_failed)
                p->stop = 1;
            pthread_cond_broadcast(&p->cv);
            continue;
        }
        if (p->eof && p->write_seq == p->read_seq)
            break;
        pthread_cond_wait(&p->cv, &p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Gives slot s its slab.  The slabs of all slots are one region, in
 * transparent huge pages where the kernel offers them: a first touch of
 * each 4 KiB page costs a page fault, about 10 us on the virtual machines
 * fintag was measured on, over 1,100 faults (10 ms) for the four slabs.
 * On failure the slot gets a malloc'ed slab, or none (documents then go to
 * their own buffers). */
static void slab_get(pipeline *p, slot *s)
{
    size_t total = ((size_t)NSLOTS * SLAB_BYTES + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    if (!p->slabs && posix_memalign((void **)&p->slabs, HUGE_PAGE, total) == 0) {
#ifdef MADV_HUGEPAGE
        madvise(p->slabs, total, MADV_HUGEPAGE);
#endif
    }
    if (p->slabs)
        s->slab.p = p->slabs + (size_t)(s - p->slots) * SLAB_BYTES;
    else
        s->slab.p = malloc(SLAB_BYTES);
    if (s->slab.p)
        s->slab.cap = SLAB_BYTES;
}

/* Reader (the calling thread): fills free slots until the input ends.
 * Returns EXIT_OK or EXIT_IO when an input could not be read. */
static int read_all(pipeline *p, cli_input *in)
{
    int status = EXIT_OK;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        slot *s = &p->slots[p->read_seq % NSLOTS];
        while (s->filled && !p->stop)
            pthread_cond_wait(&p->cv, &p->mu);
        int stop = p->stop;
        pthread_mutex_unlock(&p->mu);
        if (stop)
            break;
        size_t n = 0, bytes = 0;
        int eof = 0;
        if (!s->slab.p)
            slab_get(p, s);
        s->slab.used = 0;
        while (n < BATCH_DOCS && bytes < BATCH_BYTES) {
            int r = cli_input_next(in, &s->docs[n], &s->slab);
            if (r == 0) {
                eof = 1;
                break;
            }
            if (r < 0) {
                status = EXIT_IO;
                cli_doc_free(&s->docs[n]);
                continue;
            }
            bytes += s->docs[n].raw_len;
            n++;
            /* a live feed: pass on what we have instead of waiting */
            if (!cli_input_ready(in))
                break;
        }
        atomic_store(&p->in_done, cli_input_done(in));
        pthread_mutex_lock(&p->mu);
        if (n) {
            s->n = n;
            s->next = s->done = 0;
            s->filled = 1;
            s->flush = n < BATCH_DOCS && bytes < BATCH_BYTES && !eof;
            p->read_seq++;
        }
        if (eof)
            p->eof = 1;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        if (eof)
            break;
    }
    pthread_mutex_lock(&p->mu);
    p->eof = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return status;
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
    pipeline p;
    memset(&p, 0, sizeof p);
    p.slots = calloc(NSLOTS, sizeof *p.slots);
    if (!ws || !p.slots) {
        fprintf(stderr, "fintag: out of memory\n");
        return EXIT_IO;
    }
    for (int i = 0; i < nthreads; i++)
        if (ft_scanner_create(rules, &ws[i].sc) != FT_OK) {
            fprintf(stderr, "fintag: out of memory\n");
            return EXIT_IO;
        }
    /* records are written a few KiB at a time: a larger stdio buffer than
     * the default saves most of the write calls (not on a terminal, which
     * stays line-buffered for whoever watches the output); static, as
     * stdout outlives this function, and given to one stream only */
    static char out_buf[OUT_BUF_BYTES];
    static int out_buf_used;
    if (!out_buf_used && !isatty(fileno(of.f))) {
        out_buf_used = 1;
        setvbuf(of.f, out_buf, _IOFBF, sizeof out_buf);
    }
    p.ctx = &ctx;
    p.out = of.f;
    p.show = !o->quiet && isatty(2);
    p.t0 = p.last = now_sec();
    p.in_total = cli_input_total(in);
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    if (ctx.writer->begin && ctx.writer->begin(&ctx, of.f))
        p.write_failed = p.stop = 1;
    pthread_t writer;
    pthread_create(&writer, NULL, writer_main, &p);
    pthread_setname_np(writer, "fintag-write"); /* for top -H and perf */
    for (int i = 0; i < nthreads; i++) {
        ws[i].p = &p;
        pthread_create(&ws[i].th, NULL, worker_main, &ws[i]);
        pthread_setname_np(ws[i].th, "fintag-work");
    }
    int rs = read_all(&p, in);
    if (rs != EXIT_OK)
        status = rs;
    for (int i = 0; i < nthreads; i++)
        pthread_join(ws[i].th, NULL);
    pthread_join(writer, NULL);
    int write_failed = p.write_failed;
    if (ctx.writer->end && ctx.writer->end(&ctx, write_failed ? NULL : of.f))
        write_failed = 1;
    if (p.show && now_sec() - p.t0 > 1)
        progress(&p, 1);
    int oc = out_close(&of, !write_failed && status != EXIT_IO, p.write_errno);
    if (oc < 0 || (write_failed && oc == 0))
        status = EXIT_IO;
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.cv);
    for (int i = 0; i < NSLOTS && !p.slabs; i++)
        free(p.slots[i].slab.p);
    free(p.slabs);
    free(p.slots);
    for (int i = 0; i < nthreads; i++)
        ft_scanner_destroy(ws[i].sc);
    free(ws);
    cli_input_close(in);
    if (status == EXIT_OK && ctx.failed)
        status = EXIT_DOC_FAILED;
    return status;
}
