/*
 * input.c - turns the command line's inputs into a stream of documents.
 *
 * A plain-text file is one document; a JSONL file (--jsonl, or a name ending
 * in .jsonl) gives one document per line; `-` or no input reads stdin.
 * Directories are walked recursively in sorted order, taking *.txt and
 * *.jsonl files.  Lines are read with getline, so a line of any length is
 * handled; a document larger than --max-doc-bytes is reported (as an error
 * record in its place) and its bytes are skipped, never silently truncated.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

struct cli_input {
    const cli_opts *opts;
    char **files;           /* expanded list of inputs ("-" = stdin) */
    size_t n_files, cur;
    FILE *f;                /* open JSONL stream */
    const char *fname;
    long line;
    size_t total, done;
    char block[65536];      /* read-ahead buffer of the JSONL stream */
    size_t bpos, blen;
};

static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && !strcmp(s + n - m, suf);
}

static int wanted(const char *name)
{
    return has_suffix(name, ".txt") || has_suffix(name, ".jsonl");
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
        snprintf(names[n], len, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISDIR(st.st_mode))
            rc |= add_dir(in, names[i]);
        else if (wanted(names[i]))
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

void cli_input_close(cli_input *in)
{
    if (!in)
        return;
    if (in->f && in->f != stdin)
        fclose(in->f);
    for (size_t i = 0; i < in->n_files; i++)
        free(in->files[i]);
    free(in->files);
    free(in);
}

static int is_jsonl(const cli_input *in, const char *name)
{
    return in->opts->jsonl || has_suffix(name, ".jsonl");
}

/* Reads a whole stream as one document, respecting the size limit. */
static int read_whole(cli_input *in, FILE *f, cli_doc *doc)
{
    ft_buf b = {0};
    char tmp[65536];
    size_t n, total = 0;
    int too_big = 0;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) {
        total += n;
        if (total > in->opts->max_doc_bytes) {
            too_big = 1;
            continue;
        }
        if (ft_buf_add(&b, tmp, n)) {
            ft_buf_free(&b);
            return -1;
        }
    }
    in->done += total;
    if (ferror(f)) {
        ft_buf_free(&b);
        return -1;
    }
    if (too_big) {
        ft_buf_free(&b);
        char msg[160];
        snprintf(msg, sizeof msg, "document of %zu bytes exceeds --max-doc-bytes %zu",
                 total, in->opts->max_doc_bytes);
        doc->input_error = ft_strdup(msg);
        return 0;
    }
    if (!b.p)
        ft_buf_reserve(&b, 0);
    doc->raw = b.p;
    doc->raw_len = b.len;
    return 0;
}

/* Reads one line of any length through the input's own block buffer
 * (NUL bytes are kept); lines over the limit are consumed and reported.
 * Returns 1 for a line, 0 at EOF, -1 on error. */
static int read_line(cli_input *in, cli_doc *doc)
{
    ft_buf b = {0};
    size_t total = 0;
    int too_big = 0, got = 0;
    for (;;) {
        if (in->bpos == in->blen) {
            in->blen = fread(in->block, 1, sizeof in->block, in->f);
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
        if (total > in->opts->max_doc_bytes)
            too_big = 1;
        else if (ft_buf_add(&b, p, n)) {
            ft_buf_free(&b);
            return -1;
        }
        if (nl)
            break;
    }
    if (ferror(in->f)) {
        ft_buf_free(&b);
        return -1;
    }
    if (!got)
        return 0;
    in->done += total;
    in->line++;
    doc->line = in->line;
    if (too_big) {
        ft_buf_free(&b);
        char msg[160];
        snprintf(msg, sizeof msg, "line of %zu bytes exceeds --max-doc-bytes %zu", total,
                 in->opts->max_doc_bytes);
        doc->input_error = ft_strdup(msg);
        return 1;
    }
    while (b.len && (b.p[b.len - 1] == '\n' || b.p[b.len - 1] == '\r'))
        b.p[--b.len] = 0;
    if (!b.p)
        ft_buf_reserve(&b, 0);
    doc->raw = b.p;
    doc->raw_len = b.len;
    return 1;
}

int cli_input_next(cli_input *in, cli_doc *doc)
{
    for (;;) {
        if (in->f) {
            int r = read_line(in, doc);
            if (r < 0) {
                fprintf(stderr, "fintag: %s: read error: %s\n", in->fname, strerror(errno));
                return -1;
            }
            if (r == 1) {
                doc->is_json = 1;
                doc->name = ft_strdup(in->fname);
                return 1;
            }
            if (in->f != stdin)
                fclose(in->f);
            in->f = NULL;
        }
        if (in->cur >= in->n_files)
            return 0;
        const char *name = in->files[in->cur++];
        int std = !strcmp(name, "-");
        FILE *f = std ? stdin : fopen(name, "rb");
        if (!f) {
            fprintf(stderr, "fintag: %s: %s\n", name, strerror(errno));
            return -1;
        }
        in->fname = std ? "<stdin>" : name;
        if (is_jsonl(in, name)) {
            in->f = f;
            in->line = 0;
            in->bpos = in->blen = 0;
            continue;
        }
        int rc = read_whole(in, f, doc);
        if (!std)
            fclose(f);
        if (rc < 0) {
            fprintf(stderr, "fintag: %s: read error: %s\n", in->fname, strerror(errno));
            return -1;
        }
        doc->name = ft_strdup(in->fname);
        return 1;
    }
}
