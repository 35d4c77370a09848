/*
 * run.c - the tagging pipeline.
 *
 * Batches of documents (bounded in count and bytes) are read into a ring
 * of four slots, each with a slab that holds its documents' bytes, so
 * memory stays flat however long the input.  Their documents are claimed
 * one at a time and rendered, each with the claiming thread's scanner, into
 * the document's own buffer; finished batches are written in input order
 * (a JSONL record as the input line, then that buffer) and their slots
 * freed.  The -j threads (the calling thread is the first) share the three
 * jobs, one reader and one writer at a time, so reading, tagging and
 * writing overlap without a thread of their own, and the output never
 * depends on the thread count.  -o writes to a temporary file beside the
 * target and renames it only after everything was written and flushed, so
 * a failed run never leaves half a file.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <limits.h>
#include <unistd.h>

#include "cli.h"

#define BATCH_DOCS 256
#define BATCH_BYTES (1u << 20)
#define FIRST_BATCH_DOCS 16
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
 * is per thread and the writes happen in whichever thread wrote a batch.  Returns 0, 1
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

/* A ring of batches moves through three stages: a free slot is filled with
 * documents read from the input, its documents are claimed and tagged one
 * by one, and once all of them are done the slot is written, in input
 * order, and freed.  At most NSLOTS batches exist at once, which bounds
 * memory whatever the input size.
 *
 * The -j N threads (the calling thread and N - 1 more) share all three
 * stages: a thread takes whatever is to be done, writing first (it frees a
 * slot), then reading (one thread at a time, while a slot is free), then
 * tagging.  There is no reader or writer thread of its own: with N equal
 * to the cores, no thread waits for a core that another holds, and with
 * N = 1 one thread does everything in turn, with no hand-offs.  Output
 * order never depends on N. */
#define NSLOTS 4

/* A batch's slab: its bytes limit, room for the line that crosses it, and
 * the terminating NULs. */
#define SLAB_BYTES (BATCH_BYTES + BATCH_BYTES / 8 + BATCH_DOCS)
/* A batch's output region: the records of its documents, copied there as
 * each is finished (a document whose record does not fit keeps its own
 * buffer).  The entities of a batch of news take about half its bytes. */
#define OUT_BYTES BATCH_BYTES
#define SLOT_BYTES (SLAB_BYTES + OUT_BYTES)
#define SLOTS_MAP_BYTES ((size_t)NSLOTS * SLOT_BYTES)

typedef struct slot {
    cli_doc docs[BATCH_DOCS];
    cli_slab slab;     /* the documents' bytes, where they fit */
    char *outr;        /* the output region (or NULL) */
    size_t out_cap;
    atomic_size_t out_used; /* bytes of it taken, by any tagging thread */
    size_t n;          /* documents in the batch */
    size_t next;       /* next document to claim */
    size_t done;       /* documents finished */
    int filled;        /* 1 from its hand-over by the reading thread to its release */
    int flush;         /* handed over early because input stalled: flush after */
} slot;

typedef struct pipeline {
    cli_ctx *ctx;
    cli_input *in;
    slot *slots;
    char *slabs;                /* the slots' memory, one mapping (or NULL) */
    int slabs_failed;           /* the mapping failed: malloc'ed slabs */
    pthread_mutex_t mu;
    pthread_cond_t cv;          /* any state change; waiters re-check */
    size_t read_seq;            /* batches handed over */
    size_t work_seq;            /* first batch that may have unclaimed documents */
    size_t write_seq;           /* next batch to write */
    int reading;                /* a thread is filling slot read_seq */
    int writing;                /* a thread is writing slot write_seq */
    int eof;                    /* the input is finished */
    int stop;                   /* a write failed: stop reading */
    int read_status;            /* EXIT_IO once an input could not be read */
    int nthreads;
    FILE *out;
    int write_failed;
    int write_errno;            /* errno of the failed write */
    int show;
    double t0, last;
    atomic_size_t in_done;      /* input bytes consumed (progress line) */
    size_t in_total;
} pipeline;

typedef struct worker {
    _Alignas(64) pthread_t th;
    int index;      /* 0 for the calling thread, then 1, 2, ... */
    ft_scanner *sc;
    pipeline *p;
    ft_buf scratch; /* decoded text of the document being tagged */
    ft_buf render;  /* the record being rendered, before its copy to the slot */
} worker;

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

/* Prints the progress line on a terminal (after a batch is written, or at
 * the end). */
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

/* Writes iov[0..n) to fd whatever the kernel takes per call (partial
 * writes, EINTR).  Returns 0, or -1 with errno set. */
static int write_all(int fd, struct iovec *iov, int n)
{
    while (n > 0) {
        ssize_t w = writev(fd, iov, n < IOV_MAX ? n : IOV_MAX);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = EIO;
            return -1;
        }
        while (n > 0 && (size_t)w >= iov->iov_len) {
            w -= (ssize_t)iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (char *)iov->iov_base + w;
            iov->iov_len -= (size_t)w;
        }
    }
    return 0;
}

/* Hands the records gathered in iov to the kernel, after whatever stdio
 * holds, so that the output keeps its order. */
static void flush_records(pipeline *p, struct iovec *iov, int *n)
{
    if (*n && !p->write_failed) {
        errno = 0;
        if (fflush(p->out) != 0 || write_all(fileno(p->out), iov, *n) != 0) {
            p->write_failed = 1;
            p->write_errno = errno ? errno : EIO;
        }
    }
    *n = 0;
}

/* Writes the finished batch s in input order and frees its documents (the
 * thread that holds the writing role, without the lock).  A JSONL record
 * (the input line, then the document's buffer) goes out with one writev()
 * per batch rather than through stdio: the bytes are not copied in user
 * space first, and the bench corpus takes 26 system calls instead of 413
 * (0.9% fewer instructions in all); the other formats and spooled records
 * go through stdio. */
static void write_batch(pipeline *p, slot *s)
{
    cli_ctx *ctx = p->ctx;
    struct iovec iov[2 * BATCH_DOCS];
    int niov = 0;
    for (size_t i = 0; i < s->n; i++) {
        cli_doc *d = &s->docs[i];
        ctx->docs++;
        ctx->bytes += d->text_len;
        ctx->entities += d->n_entities;
        ctx->failed += d->failed != 0;
        report_doc(d);
        if (p->write_failed)
            continue;
        if (!d->out_spool && !ctx->writer->merge) {
            if (d->out_head_len)
                iov[niov++] = (struct iovec){(void *)d->out_head, d->out_head_len};
            if (d->out.len)
                iov[niov++] = (struct iovec){d->out.p, d->out.len};
            continue;
        }
        flush_records(p, iov, &niov);
        errno = 0;
        if (d->out_spool) {
            if (copy_spool(d->out_spool, p->out))
                p->write_failed = 1;
        } else if (ctx->writer->merge(ctx, d, p->out)) {
            p->write_failed = 1;
        }
        if (p->write_failed)
            p->write_errno = errno ? errno : EIO;
    }
    flush_records(p, iov, &niov);
    for (size_t i = 0; i < s->n; i++)
        cli_doc_free(&s->docs[i]);
    if (s->flush && !p->write_failed && fflush(p->out) != 0) {
        p->write_failed = 1;
        p->write_errno = errno ? errno : EIO;
    }
    if (p->show && now_sec() - p->last > 1) {
        progress(p, 0);
        p->last = now_sec();
    }
}

/* Gives slot s its slab and output region, side by side in the slots'
 * mapping (in huge pages: cli_heap_map).  Without the mapping the slot gets a malloc'ed
 * slab and no output region, or neither (its documents then keep their
 * own buffers).  Called by the reading thread only. */
static void slab_get(pipeline *p, slot *s)
{
    if (!p->slabs && !p->slabs_failed) {
        p->slabs = cli_heap_map(SLOTS_MAP_BYTES);
        p->slabs_failed = !p->slabs;
    }
    if (p->slabs) {
        s->slab.p = p->slabs + (size_t)(s - p->slots) * SLOT_BYTES;
        s->outr = s->slab.p + SLAB_BYTES;
        s->out_cap = OUT_BYTES;
    } else {
        s->slab.p = malloc(SLAB_BYTES);
    }
    if (s->slab.p)
        s->slab.cap = SLAB_BYTES;
}

/* Fills the free slot s with documents until its limits, the end of the
 * input, or (a live feed) input that is not there yet (the thread that
 * holds the reading role, without the lock).  Returns the documents read
 * and sets *eof. */
static size_t read_batch(pipeline *p, slot *s, int *eof)
{
    size_t n = 0, bytes = 0;
    *eof = 0;
    if (!s->slab.p)
        slab_get(p, s);
    s->slab.used = 0;
    /* the first batch is small, so that the other threads start sooner */
    size_t max_docs = p->read_seq ? BATCH_DOCS : FIRST_BATCH_DOCS;
    while (n < max_docs && bytes < BATCH_BYTES) {
        int r = cli_input_next(p->in, &s->docs[n], &s->slab);
        if (r == 0) {
            *eof = 1;
            break;
        }
        if (r < 0) {
            p->read_status = EXIT_IO;
            cli_doc_free(&s->docs[n]);
            continue;
        }
        bytes += s->docs[n].raw_len;
        n++;
        /* a live feed: pass on what we have instead of waiting */
        if (!cli_input_ready(p->in))
            break;
    }
    atomic_store(&p->in_done, cli_input_done(p->in));
    s->flush = n < max_docs && bytes < BATCH_BYTES && !*eof;
    return n;
}

/* Whether a handed-over batch has a document no thread has claimed yet. */
static int unclaimed(const pipeline *p)
{
    for (size_t q = p->work_seq; q < p->read_seq; q++)
        if (p->slots[q % NSLOTS].next < p->slots[q % NSLOTS].n)
            return 1;
    return 0;
}

/* Takes n bytes of slot s's output region for any tagging thread;
 * returns their start, or NULL when the rest of the region is too small. */
static char *out_take(slot *s, size_t n)
{
    size_t at = atomic_load(&s->out_used);
    do {
        if (n > s->out_cap - at)
            return NULL;
    } while (!atomic_compare_exchange_weak(&s->out_used, &at, at + n));
    return s->outr + at;
}

/* Tags d of slot s (the thread that claimed it, without the lock).  The
 * record is rendered into the worker's buffer, which keeps its size from
 * document to document, and copied into the slot's output region: no
 * allocation per document, and no page of a thread's own heap touched for
 * output.  Before, a second thread's records took some 300 first-touch
 * page faults per bench run (docs/performance.md). */
static void tag_doc(pipeline *p, worker *w, slot *s, cli_doc *d)
{
    if (!s->outr) {
        process(p->ctx, w->sc, d, &w->scratch);
        return;
    }
    d->out = w->render;
    d->out.len = 0;
    w->render = (ft_buf){0};
    process(p->ctx, w->sc, d, &w->scratch);
    size_t n = d->out.len;
    char *at = n ? out_take(s, n) : NULL;
    if (n && !at)
        return; /* too large for the rest of the region: it keeps the buffer */
    if (at)
        memcpy(at, d->out.p, n);
    w->render = d->out;
    d->out = (ft_buf){at, n, n};
    d->out_in_slot = at != NULL;
}

/* One of the -j threads: writes, reads or tags, whichever is to be done,
 * until the input is finished and every batch written.  The lock guards
 * the ring's counters and roles; the work itself runs without it. */
static void *worker_main(void *arg)
{
    worker *w = arg;
    pipeline *p = w->p;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        slot *ws = &p->slots[p->write_seq % NSLOTS];
        if (!p->writing && p->write_seq < p->read_seq && ws->done == ws->n) {
            p->writing = 1;
            pthread_mutex_unlock(&p->mu);
            write_batch(p, ws);
            pthread_mutex_lock(&p->mu);
            ws->filled = 0;
            ws->n = ws->next = ws->done = 0;
            atomic_store(&ws->out_used, 0);
            p->write_seq++;
            p->writing = 0;
            if (p->write_failed)
                p->stop = 1;
            pthread_cond_broadcast(&p->cv);
            continue;
        }
        /* a lone thread tags what it has before it reads on: on a live
         * feed the read may wait for input, and the output must not */
        slot *rs = &p->slots[p->read_seq % NSLOTS];
        if (!p->reading && !p->eof && !p->stop && !rs->filled &&
            (p->nthreads > 1 || !unclaimed(p))) {
            p->reading = 1;
            pthread_mutex_unlock(&p->mu);
            int eof;
            size_t n = read_batch(p, rs, &eof);
            pthread_mutex_lock(&p->mu);
            if (n) {
                rs->n = n;
                rs->next = rs->done = 0;
                rs->filled = 1;
                p->read_seq++;
            }
            p->eof |= eof;
            p->reading = 0;
            pthread_cond_broadcast(&p->cv);
            continue;
        }
        if (p->work_seq < p->read_seq) {
            slot *s = &p->slots[p->work_seq % NSLOTS];
            if (s->next < s->n) {
                cli_doc *d = &s->docs[s->next++];
                pthread_mutex_unlock(&p->mu);
                tag_doc(p, w, s, d);
                pthread_mutex_lock(&p->mu);
                /* the batch is ready to write: wake a thread to write it */
                if (++s->done == s->n)
                    pthread_cond_broadcast(&p->cv);
            } else {
                p->work_seq++;
            }
            continue;
        }
        if ((p->eof || p->stop) && !p->reading && !p->writing && p->write_seq == p->read_seq)
            break;
        pthread_cond_wait(&p->cv, &p->mu);
    }
    /* the others may be waiting for the end this thread saw */
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    ft_buf_free(&w->scratch);
    ft_buf_free(&w->render);
    return NULL;
}

/* The entry of the -j threads other than the calling one: the thread's
 * malloc arena in huge pages (heap.c), then the worker. */
static void *thread_main(void *arg)
{
    worker *w = arg;
    void *heap = cli_heap_thread_begin(w->index);
    worker_main(arg);
    cli_heap_thread_end(heap);
    return NULL;
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
    /* each worker on cache lines of its own: its buffers' lengths change
     * with every document */
    worker *ws = ft_calloc_lines((size_t)nthreads, sizeof *ws);
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
    p.in = in;
    p.out = of.f;
    p.show = !o->quiet && isatty(2);
    p.t0 = p.last = now_sec();
    p.in_total = cli_input_total(in);
    p.read_status = EXIT_OK;
    p.nthreads = nthreads;
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    if (ctx.writer->begin && ctx.writer->begin(&ctx, of.f))
        p.write_failed = p.stop = 1;
    /* the calling thread is the first of the -j threads */
    for (int i = 0; i < nthreads; i++) {
        ws[i].p = &p;
        ws[i].index = i;
    }
    for (int i = 1; i < nthreads; i++) {
        pthread_create(&ws[i].th, NULL, thread_main, &ws[i]);
        pthread_setname_np(ws[i].th, "fintag-work"); /* for top -H and perf */
    }
    worker_main(&ws[0]);
    for (int i = 1; i < nthreads; i++)
        pthread_join(ws[i].th, NULL);
    if (p.read_status != EXIT_OK)
        status = p.read_status;
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
    if (p.slabs)
        cli_heap_unmap(p.slabs, SLOTS_MAP_BYTES);
    free(p.slots);
    for (int i = 0; i < nthreads; i++)
        ft_scanner_destroy(ws[i].sc);
    free(ws);
    cli_input_close(in);
    if (status == EXIT_OK && ctx.failed)
        status = EXIT_DOC_FAILED;
    return status;
}
