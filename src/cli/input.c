/*
 * input.c - turns the command line's inputs into a stream of documents.
 *
 * A plain-text file is one document; a JSONL file (--jsonl or --in jsonl, or
 * a name ending in .jsonl) gives one document per line; an RSS or Atom feed
 * (--in rss, or a name ending in .xml, .rss or .atom) gives one document per
 * item (input_feed.c); `-` or no input reads stdin.  Every input is read
 * through stream.c, so gzip data (NAME.gz files, gzip-compressed stdin) is
 * decompressed on the fly, and the format is chosen from the name without
 * its .gz.  Directories are walked recursively in sorted order, taking
 * *.txt, *.jsonl, *.xml, *.rss, *.atom and their .gz forms.
 *
 * Lines are read through a block buffer, so a line of any length is
 * handled; a document's bytes go to the caller's slab while they fit
 * there, which spares a buffer per document; a document larger than --max-doc-bytes is reported (as an error
 * record in its place) and its bytes are skipped, never silently truncated.
 * Progress counts compressed bytes, so it matches the file sizes summed up
 * front for the ETA.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "input_feed.h"

enum { IN_TEXT, IN_JSONL, IN_FEED };

struct cli_input {
    const cli_opts *opts;
    char **files;           /* expanded list of inputs ("-" = stdin) */
    size_t n_files, cur;
    cli_stream *stream;     /* open JSONL or feed stream */
    int kind;               /* IN_JSONL or IN_FEED while stream is open */
    cli_feed *feed;
    int feed_eof;
    const char *fname;
    long line;
    size_t total;           /* sum of the file sizes */
    size_t done_files;      /* compressed bytes of the finished files */
    size_t done;
    char block[65536];      /* read-ahead buffer of the open stream */
    size_t bpos, blen;
};

static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && !strcmp(s + n - m, suf);
}

/* The kind of input a file name announces, looking through ".gz";
 * -1 for names that directory walks skip. */
static int kind_of_name(const char *name)
{
    size_t n = strlen(name);
    char base[32];
    if (has_suffix(name, ".gz"))
        n -= 3;
    size_t m = n > sizeof base - 1 ? sizeof base - 1 : n;
    memcpy(base, name + n - m, m);
    base[m] = 0;
    if (has_suffix(base, ".jsonl"))
        return IN_JSONL;
    if (has_suffix(base, ".xml") || has_suffix(base, ".rss") || has_suffix(base, ".atom"))
        return IN_FEED;
    if (has_suffix(base, ".txt"))
        return IN_TEXT;
    return -1;
}

/* The kind of a named input: --in or --jsonl first, then the name. */
static int kind_of(const cli_input *in, const char *name)
{
    const char *f = in->opts->in_format;
    if (f && !strcmp(f, "rss"))
        return IN_FEED;
    if ((f && !strcmp(f, "jsonl")) || in->opts->jsonl)
        return IN_JSONL;
    if (f && !strcmp(f, "text"))
        return IN_TEXT;
    int k = kind_of_name(name);
    return k < 0 ? IN_TEXT : k;
}

static int add_file(cli_input *in, const char *path)
{
    char **f = realloc(in->files, (in->n_files + 1) * sizeof *f);
    if (!f)
        return -1;
    in->files = f;
    in->files[in->n_files++] = ft_strdup(path);
    struct stat st;
    if (strcmp(path, "-") && stat(path, &st) == 0)
        in->total += (size_t)st.st_size;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the wanted files below dir, sorted, recursively. */
static int add_dir(cli_input *in, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "fintag: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char **nn = realloc(names, (n + 1) * sizeof *nn);
        if (!nn)
            break;
        names = nn;
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        if (!names[n])
            break;
        snprintf(names[n], len, "%s%s%s", dir, dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/",
                 e->d_name);
        n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISDIR(st.st_mode))
            rc |= add_dir(in, names[i]);
        else if (kind_of_name(names[i]) >= 0)
            rc |= add_file(in, names[i]);
        free(names[i]);
    }
    free(names);
    return rc;
}

int cli_input_open(const cli_opts *opts, cli_input **out)
{
    cli_input *in = calloc(1, sizeof *in);
    if (!in)
        return -1;
    in->opts = opts;
    int rc = 0;
    const char *f = opts->in_format;
    if (f && strcmp(f, "rss") && strcmp(f, "jsonl") && strcmp(f, "text")) {
        fprintf(stderr, "fintag: --in takes text, jsonl or rss, not '%s'\n", f);
        rc = -1;
    }
    if (opts->n_inputs == 0)
        rc |= add_file(in, "-");
    for (size_t i = 0; i < opts->n_inputs; i++) {
        struct stat st;
        const char *p = opts->inputs[i];
        if (strcmp(p, "-") && stat(p, &st) == 0 && S_ISDIR(st.st_mode))
            rc |= add_dir(in, p);
        else
            rc |= add_file(in, p);
    }
    *out = in;
    return rc;
}

size_t cli_input_total(const cli_input *in)
{
    return in->total;
}

size_t cli_input_done(const cli_input *in)
{
    return in->done;
}

/* Records how far the open stream has read (in compressed bytes). */
static void note_progress(cli_input *in, cli_stream *st)
{
    in->done = in->done_files + cli_stream_offset(st);
}

static void close_stream(cli_input *in)
{
    if (in->stream) {
        note_progress(in, in->stream);
        in->done_files = in->done;
        cli_stream_close(in->stream);
        in->stream = NULL;
    }
    cli_feed_free(in->feed);
    in->feed = NULL;
}

void cli_input_close(cli_input *in)
{
    if (!in)
        return;
    close_stream(in);
    for (size_t i = 0; i < in->n_files; i++)
        free(in->files[i]);
    free(in->files);
    free(in);
}

/* One document's bytes as they are read: in the batch's slab while they fit
 * there, else in a buffer of their own, and over --chunk-over in a spool
 * file (bigdoc.c tags it in windows). */
typedef struct acc {
    cli_slab *slab;         /* the bytes are at slab->p + slab->used (NULL: in b) */
    size_t len;             /* bytes in the slab */
    ft_buf b;
    FILE *spool;
    int err;                /* errno of a failed spool write */
} acc;

/* Moves the bytes out of the slab into the accumulator's own buffer;
 * returns -1 when out of memory. */
static int acc_unslab(acc *a)
{
    const char *p = a->slab->p + a->slab->used;
    a->slab = NULL;
    return a->len ? ft_buf_add(&a->b, p, a->len) : 0;
}

/* Adds n bytes to the document; returns -1 when out of memory. */
static int acc_add(const cli_input *in, acc *a, const char *p, size_t n)
{
    if (a->err)
        return 0;
    if (!a->spool && (a->slab ? a->len : a->b.len) + n > in->opts->chunk_over) {
        if (a->slab && acc_unslab(a))
            return -1;
        a->spool = cli_spool_open();
        if (!a->spool || (a->b.len && fwrite(a->b.p, 1, a->b.len, a->spool) != a->b.len)) {
            a->err = errno ? errno : EIO;
            return 0;
        }
        ft_buf_free(&a->b);
    }
    if (a->spool) {
        if (fwrite(p, 1, n, a->spool) != n)
            a->err = errno ? errno : EIO;
        return 0;
    }
    if (a->slab) {
        /* room for the bytes and the terminating NUL */
        if (a->slab->cap - a->slab->used - a->len > n) {
            memcpy(a->slab->p + a->slab->used + a->len, p, n);
            a->len += n;
            return 0;
        }
        if (acc_unslab(a))
            return -1;
    }
    return ft_buf_add(&a->b, p, n) ? -1 : 0;
}

/* Starts a document, in slab when it has room left (slab may be NULL). */
static void acc_init(acc *a, cli_slab *slab)
{
    memset(a, 0, sizeof *a);
    if (slab && slab->p && slab->used < slab->cap)
        a->slab = slab;
}

/* Drops the document's bytes (bytes in the slab are simply not kept). */
static void acc_free(acc *a)
{
    ft_buf_free(&a->b);
    if (a->spool)
        fclose(a->spool);
    memset(a, 0, sizeof *a);
}

/* Hands the document over to doc (raw bytes or spool file). */
static void acc_finish(acc *a, cli_doc *doc, size_t total)
{
    if (a->err || (a->spool && fflush(a->spool) != 0)) {
        char msg[200];
        snprintf(msg, sizeof msg, "cannot spool a document of %zu bytes to a temporary file: %s",
                 total, strerror(a->err ? a->err : errno));
        doc->input_error = ft_strdup(msg);
        acc_free(a);
        return;
    }
    if (a->spool) {
        doc->spool = a->spool;
        doc->raw_len = total;
        return;
    }
    if (a->slab) {
        doc->raw = a->slab->p + a->slab->used;
        doc->raw[a->len] = 0;
        doc->raw_len = a->len;
        doc->raw_in_slab = 1;
        a->slab->used += a->len + 1;
        return;
    }
    if (!a->b.p)
        ft_buf_reserve(&a->b, 0);
    doc->raw = a->b.p;
    doc->raw_len = a->b.len;
}

/* Reads a whole stream as one document, respecting the size limit. */
static int read_whole(cli_input *in, cli_stream *st, cli_doc *doc, cli_slab *slab)
{
    acc a;
    acc_init(&a, slab);
    size_t total = 0;
    int too_big = 0;
    long n;
    while ((n = cli_stream_read(st, in->block, sizeof in->block)) > 0) {
        total += (size_t)n;
        note_progress(in, st);
        if (total > in->opts->max_doc_bytes) {
            too_big = 1;
            continue;
        }
        if (acc_add(in, &a, in->block, (size_t)n)) {
            acc_free(&a);
            return -1;
        }
    }
    if (n < 0) {
        acc_free(&a);
        return -1;
    }
    if (too_big) {
        acc_free(&a);
        char msg[160];
        snprintf(msg, sizeof msg, "document of %zu bytes exceeds --max-doc-bytes %zu",
                 total, in->opts->max_doc_bytes);
        doc->input_error = ft_strdup(msg);
        return 0;
    }
    acc_finish(&a, doc, total);
    return 0;
}

/* Reads one line of any length through the input's own block buffer
 * (NUL bytes are kept); lines over the limit are consumed and reported.
 * Returns 1 for a line, 0 at EOF, -1 on error. */
static int read_line(cli_input *in, cli_doc *doc, cli_slab *slab)
{
    acc a;
    acc_init(&a, slab);
    size_t total = 0;
    int too_big = 0, got = 0;
    /* a \r before the \n is held back until the next byte shows whether
     * the line ends there (spooled lines cannot be trimmed afterwards) */
    int cr = 0;
    for (;;) {
        if (in->bpos == in->blen) {
            long r = cli_stream_read(in->stream, in->block, sizeof in->block);
            if (r < 0) {
                acc_free(&a);
                return -1;
            }
            note_progress(in, in->stream);
            in->blen = (size_t)r;
            in->bpos = 0;
            if (in->blen == 0)
                break;
        }
        got = 1;
        const char *p = in->block + in->bpos;
        size_t avail = in->blen - in->bpos;
        const char *nl = memchr(p, '\n', avail);
        size_t n = nl ? (size_t)(nl - p) + 1 : avail;
        in->bpos += n;
        total += n;
        if (total > in->opts->max_doc_bytes) {
            too_big = 1;
        } else {
            size_t body = nl ? n - 1 : n;      /* without the \n */
            int rc = 0;
            if (cr && (body || !nl))
                rc = acc_add(in, &a, "\r", 1);
            cr = body && p[body - 1] == '\r';
            if (!rc)
                rc = acc_add(in, &a, p, body - (size_t)cr);
            if (rc) {
                acc_free(&a);
                return -1;
            }
        }
        if (nl)
            break;
    }
    if (!got)
        return 0;
    in->line++;
    doc->line = in->line;
    if (too_big) {
        acc_free(&a);
        char msg[160];
        snprintf(msg, sizeof msg, "line of %zu bytes exceeds --max-doc-bytes %zu", total,
                 in->opts->max_doc_bytes);
        doc->input_error = ft_strdup(msg);
        return 1;
    }
    acc_finish(&a, doc, total);
    return 1;
}

/* Next item of the open feed, parsing more of the file as needed.
 * Returns 1 for a document, 0 at the end of the feed, -1 on a read error. */
static int feed_next(cli_input *in, cli_doc *doc)
{
    for (;;) {
        if (cli_feed_next(in->feed, doc))
            return 1;
        if (in->feed_eof)
            return 0;
        long r = cli_stream_read(in->stream, in->block, sizeof in->block);
        if (r < 0)
            return -1;
        note_progress(in, in->stream);
        in->feed_eof = r == 0;
        cli_feed_parse(in->feed, in->block, (size_t)r, in->feed_eof);
    }
}

int cli_input_ready(cli_input *in)
{
    if (!in->stream)
        return 1;
    if (in->kind == IN_JSONL && in->bpos < in->blen &&
        memchr(in->block + in->bpos, '\n', in->blen - in->bpos))
        return 1;
    return cli_stream_ready(in->stream);
}

int cli_input_next(cli_input *in, cli_doc *doc, cli_slab *slab)
{
    for (;;) {
        if (in->stream) {
            int r = in->kind == IN_FEED ? feed_next(in, doc) : read_line(in, doc, slab);
            if (r < 0) {
                fprintf(stderr, "fintag: %s: read error: %s\n", in->fname, cli_stream_error(in->stream));
                close_stream(in);
                return -1;
            }
            if (r == 1) {
                if (in->kind == IN_JSONL) {
                    doc->is_json = 1;
                    doc->name = ft_strdup(in->fname);
                }
                return 1;
            }
            close_stream(in);
        }
        if (in->cur >= in->n_files)
            return 0;
        const char *name = in->files[in->cur++];
        int std = !strcmp(name, "-");
        in->fname = std ? "<stdin>" : name;
        cli_stream *st = cli_stream_open(name);
        if (!st) {
            fprintf(stderr, "fintag: %s: %s\n", name, errno ? strerror(errno) : "out of memory");
            return -1;
        }
        int kind = kind_of(in, name);
        if (kind != IN_TEXT) {
            in->stream = st;
            in->kind = kind;
            in->line = 0;
            in->bpos = in->blen = 0;
            in->feed_eof = 0;
            if (kind == IN_FEED && !(in->feed = cli_feed_new(in->opts, in->fname))) {
                close_stream(in);
                fprintf(stderr, "fintag: %s: out of memory\n", name);
                return -1;
            }
            continue;
        }
        int rc = read_whole(in, st, doc, slab);
        if (rc < 0)
            fprintf(stderr, "fintag: %s: read error: %s\n", in->fname, cli_stream_error(st));
        note_progress(in, st);
        in->done_files = in->done;
        cli_stream_close(st);
        if (rc < 0)
            return -1;
        doc->name = ft_strdup(in->fname);
        return 1;
    }
}
