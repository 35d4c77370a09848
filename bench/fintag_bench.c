/*
 * fintag_bench.c - the throughput benchmark behind `make bench`.
 *
 * Loads a JSONL corpus (one {"text": ...} document per line) into memory and
 * measures, in one process and on the same documents:
 *   - start-up: loading and compiling the rule pack;
 *   - the naive loop: every rule's expanded pattern (alternatives joined, as
 *     `fintag rules --dump` shows it) run separately with PCRE2 JIT over every
 *     document, UTF-8 checked once per document;
 *   - Vectorscan (when built with it): all rules it accepts in one database
 *     with start-of-match offsets, and the same in prefilter mode;
 *   - the prefilter pass alone (fintag's literal gates);
 *   - the library's scan (match + normalise + resolve), fast and plain path,
 *     and whether the two give the same spans;
 *   - full tagging in this process: the scan and each document's JSONL
 *     record rendered and written to /dev/null (the work the goals compare
 *     with the naive loop and Vectorscan; they take turns on slices of the
 *     corpus and the goals use the median of the runs' ratios);
 *   - the fintag CLI end to end (JSONL in, JSONL out) with 1 and 2 threads,
 *     its peak RSS, and with ten times the rules (synthetic extra rules);
 *   - Python's re running the translated patterns (bench/pyre.py);
 *   - resident memory while a long generated stream is piped through fintag.
 * Then it prints the ratios the goals of issue 5 are stated in.  Each timing
 * in the table is the best of several runs (the machine may be shared).
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_HS
#include <hs/hs.h>
#endif

#include "fintag_int.h"

typedef struct doc {
    char *text;
    size_t len;
} doc;

typedef struct corpus {
    doc *d;
    size_t n;
    size_t bytes;
} corpus;

typedef struct opts {
    const char *rules;
    const char *fintag;
    const char *corpus;
    const char *pyre;
    const char *tmpdir;
    size_t stream_mb;
    int reps;
} opts;

/* CPU seconds of this process: in-process measurements are one-threaded,
 * and CPU time is far steadier than wall time on a shared machine. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One unit of the host-ceiling loop: arithmetic on registers only, no
 * memory traffic and nothing shared, about 25 ms on the machines measured.
 * arg points to the seed, which gets the result (so the loop is kept). */
static void *spin_unit(void *arg)
{
    uint64_t *io = arg, x = *io | 1, acc = 0;
    for (long i = 0; i < 60000000L; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        acc += x;
    }
    *io = acc;
    return NULL;
}

/* The host's two-CPU ceiling right now: two units of the loop one after the
 * other on one thread, against the same two units on two threads at once
 * (wall time, the one-thread time divided by the two-thread time).  It is
 * 2.0 when the host gives this machine two whole CPUs and less when the
 * virtual CPUs contend for host cores, as they do on shared virtual
 * machines; fintag -j 2 cannot beat it.  Returns 0 if a thread cannot be
 * started. */
static double host_ceiling(void)
{
    uint64_t seed[2] = {1, 2};
    double t0 = wall();
    spin_unit(&seed[0]);
    spin_unit(&seed[1]);
    double one = wall() - t0;
    pthread_t a, b;
    seed[0] = 1;
    seed[1] = 2;
    t0 = wall();
    if (pthread_create(&a, NULL, spin_unit, &seed[0]))
        return 0;
    if (pthread_create(&b, NULL, spin_unit, &seed[1])) {
        pthread_join(a, NULL);
        return 0;
    }
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    return one / (wall() - t0);
}

static void die(const char *msg)
{
    fprintf(stderr, "fintag_bench: %s\n", msg);
    exit(1);
}

/* Reads the corpus; documents are the "text" fields of the JSONL lines. */
static void load_corpus(const char *path, corpus *c)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die("cannot open the corpus");
    char *line = NULL;
    size_t cap = 0, dcap = 0;
    ssize_t n;
    memset(c, 0, sizeof *c);
    while ((n = getline(&line, &cap, f)) > 0) {
        cJSON *o = cJSON_ParseWithLength(line, (size_t)n);
        cJSON *t = o ? cJSON_GetObjectItemCaseSensitive(o, "text") : NULL;
        if (cJSON_IsString(t)) {
            if (c->n == dcap) {
                dcap = dcap ? dcap * 2 : 1024;
                c->d = realloc(c->d, dcap * sizeof *c->d);
                if (!c->d)
                    die("out of memory");
            }
            c->d[c->n].text = ft_strdup(t->valuestring);
            c->d[c->n].len = strlen(t->valuestring);
            c->bytes += c->d[c->n].len;
            c->n++;
        }
        cJSON_Delete(o);
    }
    free(line);
    fclose(f);
    if (!c->n)
        die("no documents in the corpus");
}

static ft_rules *compile_rules(const char *path)
{
    ft_compiler *c;
    ft_rules *r = NULL;
    if (ft_compiler_create(&c) || ft_compiler_add_path(c, path) || ft_compiler_compile(c, &r))
        die("the rules do not compile");
    ft_compiler_destroy(c);
    return r;
}

/* Prints one table row: name, MB/s, docs/s, note. */
static void row(const char *name, const corpus *c, double sec, const char *note)
{
    printf("| %-52s | %8.1f | %9.0f | %s |\n", name, (double)c->bytes / 1e6 / sec,
           (double)c->n / sec, note ? note : "");
    fflush(stdout);
}

/* ---- naive PCRE2 loop --------------------------------------------------- */

typedef struct naive {
    pcre2_code **code;
    size_t n;
    pcre2_match_data *md;
} naive;

static void naive_build(const ft_rules *r, naive *nv)
{
    nv->code = calloc(r->n_rules, sizeof *nv->code);
    nv->n = r->n_rules;
    uint32_t pairs = 1;
    for (size_t i = 0; i < r->n_rules; i++) {
        int ec;
        PCRE2_SIZE eo;
        nv->code[i] = pcre2_compile((PCRE2_SPTR)r->rules[i].dump, PCRE2_ZERO_TERMINATED,
                                    PCRE2_UTF | PCRE2_DUPNAMES | r->rules[i].pcre_flags, &ec, &eo,
                                    NULL);
        if (!nv->code[i])
            die("a rule's dumped pattern does not compile");
        pcre2_jit_compile(nv->code[i], PCRE2_JIT_COMPLETE);
        uint32_t cc = 0;
        pcre2_pattern_info(nv->code[i], PCRE2_INFO_CAPTURECOUNT, &cc);
        if (cc + 1 > pairs)
            pairs = cc + 1;
    }
    nv->md = pcre2_match_data_create(pairs, NULL);
}

/* Runs rule i over the document the way the plain loop does; returns the
 * number of matches. */
static size_t naive_rule(const naive *nv, size_t i, const doc *d)
{
    size_t start = 0, n = 0;
    while (start <= d->len) {
        int rc = pcre2_jit_match(nv->code[i], (PCRE2_SPTR)d->text, d->len, start,
                                 PCRE2_NO_UTF_CHECK, nv->md, NULL);
        if (rc < 0)
            break;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(nv->md);
        n++;
        start = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
        while (start < d->len && ((unsigned char)d->text[start] & 0xC0) == 0x80)
            start++;
    }
    return n;
}

static double naive_run(const naive *nv, const corpus *c, double *per_rule, size_t *matches)
{
    double t0 = now();
    *matches = 0;
    char *valid = malloc(c->n + 1);
    if (!valid)
        die("out of memory");
    for (size_t j = 0; j < c->n; j++)
        valid[j] = ft_utf8_count_invalid(c->d[j].text, c->d[j].len) == 0;
    for (size_t i = 0; i < nv->n; i++) {
        double r0 = now();
        for (size_t j = 0; j < c->n; j++)
            if (valid[j])
                *matches += naive_rule(nv, i, &c->d[j]);
        if (per_rule)
            per_rule[i] += now() - r0;
    }
    double t = now() - t0;
    free(valid);
    return t;
}

/* ---- library scans ------------------------------------------------------- */

/* Scans every document (plain: without the gates); returns seconds and sets
 * a checksum of the spans and their count.  With jsonl, full tagging in this
 * process, the work the naive loop is compared with: each document's JSONL
 * record, {"id":N,"entities":[...]}, is also rendered and written there
 * through stdio, *bytes counting it. */
static double lib_run(const ft_rules *r, const corpus *c, int plain, FILE *jsonl, uint64_t *sum,
                      size_t *spans, size_t *bytes)
{
    ft_scanner *s;
    if (ft_scanner_create(r, &s))
        die("scanner");
    ft_scan_opts o;
    ft_scan_opts_init(&o);
    o.plain = plain;
    uint64_t h = 1469598103934665603ull;
    ft_buf line = {0};
    *spans = *bytes = 0;
    double t0 = now();
    for (size_t j = 0; j < c->n; j++) {
        const ft_result *res;
        if (ft_scanner_scan(s, c->d[j].text, c->d[j].len, &o, &res))
            die("scan failed");
        *spans += res->n_spans;
        for (size_t k = 0; k < res->n_spans; k++) {
            const ft_span *sp = &res->spans[k];
            h = (h ^ (uint64_t)sp->byte_start) * 1099511628211ull;
            h = (h ^ (uint64_t)sp->byte_end) * 1099511628211ull;
            h = (h ^ (uint64_t)(uintptr_t)sp->rule_id) * 1099511628211ull;
            h = (h ^ (uint64_t)sp->n_attrs) * 1099511628211ull;
        }
        if (!jsonl)
            continue;
        line.len = 0;
        ft_buf_adds(&line, "{\"id\":");
        ft_buf_add_uint(&line, j);
        ft_buf_adds(&line, ",\"entities\":");
        if (ft_json_add_entities(&line, res, c->d[j].text, c->d[j].len, 0) ||
            ft_buf_adds(&line, "}\n"))
            die("out of memory");
        fwrite(line.p, 1, line.len, jsonl);
        *bytes += line.len;
    }
    if (jsonl)
        fflush(jsonl);
    double t = now() - t0;
    ft_buf_free(&line);
    ft_scanner_destroy(s);
    *sum = h;
    return t;
}

/* Full tagging (lib_run() writing JSONL to null) of c; *bytes gets the
 * bytes written. */
static double full_run(const ft_rules *r, const corpus *c, FILE *null, size_t *bytes)
{
    uint64_t sum;
    size_t spans;
    return lib_run(r, c, 0, null, &sum, &spans, bytes);
}

#define MAX_REPS 64
/* A round counts as quiet when the host ceiling is at least this. */
#define QUIET_CEILING 1.9
/* rounds of the 1- and 2-thread CLI runs, at least, and the runs of each
 * configuration in a round */
#define THREAD_ROUNDS 9
#define RUNS_PER_ROUND 3
#define SLICES 16

/* The first sentence of each of c's documents (up to the first 。！？ or
 * ". ", "! ", "? ", at most 200 bytes, cut at a character boundary), as a
 * corpus of short documents in *out (the texts are copies). */
static void first_sentences(const corpus *c, corpus *out)
{
    out->d = malloc((c->n + 1) * sizeof *out->d);
    out->n = out->bytes = 0;
    if (!out->d)
        die("out of memory");
    for (size_t i = 0; i < c->n; i++) {
        const char *t = c->d[i].text;
        size_t n = c->d[i].len, e = 0;
        while (e < n && e < 200) {
            if (!strncmp(t + e, "\xe3\x80\x82", 3) || !strncmp(t + e, "\xef\xbc\x81", 3) ||
                !strncmp(t + e, "\xef\xbc\x9f", 3)) {
                e += 3;
                break;
            }
            if ((t[e] == '.' || t[e] == '!' || t[e] == '?') && (e + 1 == n || t[e + 1] == ' ')) {
                e++;
                break;
            }
            e++;
        }
        while (e < n && ((unsigned char)t[e] & 0xC0) == 0x80)
            e--; /* back to a character boundary */
        if (!e)
            continue;
        char *p = malloc(e + 1);
        if (!p)
            die("out of memory");
        memcpy(p, t, e);
        p[e] = 0;
        out->d[out->n].text = p;
        out->d[out->n++].len = e;
        out->bytes += e;
    }
}

/* Slice k of SLICES of c's documents (consecutive, about equal counts). */
static corpus slice(const corpus *c, size_t k)
{
    size_t a = c->n * k / SLICES, b = c->n * (k + 1) / SLICES;
    corpus s = {c->d + a, b - a, 0};
    for (size_t j = a; j < b; j++)
        s.bytes += c->d[j].len;
    return s;
}

/* The median of v[0..n) (sorts v). */
static double median(double *v, int n)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
            double x = v[j];
            v[j] = v[j - 1];
            v[j - 1] = x;
        }
    return n == 0 ? 0 : n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double prefilter_run(const ft_rules *r, const corpus *c)
{
    ft_pf_state *st;
    if (ft_pf_state_create(r->pf, &st))
        die("prefilter state");
    double t0 = now();
    for (size_t j = 0; j < c->n; j++)
        if (ft_prefilter_scan(r->pf, st, c->d[j].text, c->d[j].len))
            die("prefilter");
    double t = now() - t0;
    ft_pf_state_free(st);
    return t;
}

/* ---- Vectorscan ---------------------------------------------------------- */

#ifdef HAVE_HS
static int hs_count(unsigned id, unsigned long long from, unsigned long long to,
                    unsigned flags, void *ctx)
{
    (void)id, (void)from, (void)to, (void)flags;
    (*(size_t *)ctx)++;
    return 0;
}

/* Skips the group starting at p[0] == '(' (nested groups, classes and
 * escapes included); returns the position after its ')'. */
static const char *skip_group(const char *p)
{
    int depth = 0, in_class = 0;
    for (; *p; p++) {
        if (*p == '\\' && p[1]) {
            p++;
        } else if (in_class) {
            if (*p == ']')
                in_class = 0;
        } else if (*p == '[') {
            in_class = 1;
            if (p[1] == ']' || (p[1] == '^' && p[2] == ']'))
                p += p[1] == '^' ? 2 : 1;
        } else if (*p == '(') {
            depth++;
        } else if (*p == ')' && --depth == 0) {
            return p + 1;
        }
    }
    return p;
}

/* Vectorscan has no lookarounds, \K or (?J): drop them (the patterns then
 * match a superset, which only makes the baseline's job easier) and make
 * named groups plain groups.  Returns a malloc'd pattern. */
static char *hs_translate(const char *pat)
{
    ft_buf b = {0};
    int in_class = 0;
    for (const char *p = pat; *p;) {
        if (*p == '\\' && p[1]) {
            if (p[1] != 'K' || in_class)
                ft_buf_add(&b, p, 2);
            p += 2;
        } else if (in_class) {
            if (*p == ']')
                in_class = 0;
            ft_buf_addc(&b, *p++);
        } else if (*p == '[') {
            in_class = 1;
            ft_buf_addc(&b, *p++);
            if (*p == '^')
                ft_buf_addc(&b, *p++);
            if (*p == ']')
                ft_buf_addc(&b, *p++);
        } else if (!strncmp(p, "(?J)", 4)) {
            p += 4;
        } else if (!strncmp(p, "(?=", 3) || !strncmp(p, "(?!", 3) || !strncmp(p, "(?<=", 4) ||
                   !strncmp(p, "(?<!", 4)) {
            p = skip_group(p);
        } else if (!strncmp(p, "(?<", 3) || !strncmp(p, "(?P<", 4)) {
            ft_buf_adds(&b, "(?:");
            p = strchr(p, '>');
            p = p ? p + 1 : pat + strlen(pat);
        } else {
            ft_buf_addc(&b, *p++);
        }
    }
    if (!b.p)
        ft_buf_reserve(&b, 0);
    return b.p;
}

/* Compiles the rules Vectorscan accepts with the given flags into one
 * database (lookarounds dropped, see hs_translate); reports how many it
 * took. */
static hs_database_t *hs_build(const ft_rules *r, unsigned flags, size_t *accepted)
{
    char **pats = calloc(r->n_rules, sizeof *pats);
    unsigned *fl = calloc(r->n_rules, sizeof *fl), *ids = calloc(r->n_rules, sizeof *ids);
    size_t n = 0;
    for (size_t i = 0; i < r->n_rules; i++) {
        hs_database_t *db = NULL;
        hs_compile_error_t *err = NULL;
        unsigned f = flags | ((r->rules[i].pcre_flags & PCRE2_CASELESS) ? HS_FLAG_CASELESS : 0);
        char *t = hs_translate(r->rules[i].dump);
        if (t && hs_compile(t, f, HS_MODE_BLOCK, NULL, &db, &err) == HS_SUCCESS) {
            hs_free_database(db);
            pats[n] = t;
            fl[n] = f;
            ids[n] = (unsigned)i;
            n++;
        } else {
            hs_free_compile_error(err);
            free(t);
        }
    }
    hs_database_t *db = NULL;
    hs_compile_error_t *err = NULL;
    if (n && hs_compile_multi((const char *const *)pats, fl, ids, (unsigned)n, HS_MODE_BLOCK,
                              NULL, &db, &err) != HS_SUCCESS) {
        hs_free_compile_error(err);
        db = NULL;
    }
    for (size_t i = 0; i < n; i++)
        free(pats[i]);
    free(pats);
    free(fl);
    free(ids);
    *accepted = n;
    return db;
}

static double hs_run(hs_database_t *db, const corpus *c, size_t *matches)
{
    hs_scratch_t *scr = NULL;
    if (hs_alloc_scratch(db, &scr) != HS_SUCCESS)
        die("hs scratch");
    *matches = 0;
    double t0 = now();
    for (size_t j = 0; j < c->n; j++)
        hs_scan(db, c->d[j].text, (unsigned)c->d[j].len, 0, scr, hs_count, matches);
    double t = now() - t0;
    hs_free_scratch(scr);
    return t;
}
#endif

/* ---- child processes ----------------------------------------------------- */

/* Runs argv with stdin from in_path (or a pipe fed by `feed`), stdout to
 * /dev/null; returns wall seconds and sets *rss_kb to the peak RSS and
 * *faults (when not NULL) to the program's page faults.
 * The child's own ru_maxrss would include the pages of this (large)
 * process that the fork copied before exec, so when GNU time is installed
 * the program runs under `/usr/bin/time -f %M`, whose small fork measures
 * the program alone. */
static double run_child(char *const argv_in[], const char *in_path, const corpus *feed,
                        size_t feed_bytes, long *rss_kb, double *cpu, long *faults)
{
    char rss_file[64] = "";
    char *argv[40];
    size_t a = 0;
    if (access("/usr/bin/time", X_OK) == 0) {
        snprintf(rss_file, sizeof rss_file, "/tmp/fintag_bench_rss.%ld", (long)getpid());
        argv[a++] = "/usr/bin/time";
        argv[a++] = "-f";
        argv[a++] = "%M %R";
        argv[a++] = "-o";
        argv[a++] = rss_file;
    }
    for (size_t i = 0; argv_in[i] && a < 39; i++)
        argv[a++] = argv_in[i];
    argv[a] = NULL;
    int pfd[2] = {-1, -1};
    if (feed && pipe(pfd))
        die("pipe");
    double t0 = wall();
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        int out = open("/dev/null", O_WRONLY);
        dup2(out, 1);
        if (feed) {
            dup2(pfd[0], 0);
            close(pfd[0]);
            close(pfd[1]);
        } else if (in_path) {
            int in = open(in_path, O_RDONLY);
            dup2(in, 0);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    if (feed) {
        /* write JSONL lines built from the corpus until feed_bytes */
        close(pfd[0]);
        signal(SIGPIPE, SIG_IGN);
        FILE *w = fdopen(pfd[1], "w");
        size_t sent = 0, j = 0;
        ft_buf line = {0};
        while (sent < feed_bytes && w) {
            line.len = 0;
            ft_buf_addf(&line, "{\"id\":\"g%zu\",\"text\":", j);
            ft_buf_add_json_str(&line, feed->d[j % feed->n].text, feed->d[j % feed->n].len);
            ft_buf_adds(&line, "}\n");
            if (fwrite(line.p, 1, line.len, w) != line.len)
                break;
            sent += line.len;
            j++;
        }
        ft_buf_free(&line);
        if (w)
            fclose(w);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0)
        die("wait");
    double t = wall() - t0;
    if (cpu)
        *cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
               (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fprintf(stderr, "fintag_bench: %s exited with status %d\n", argv[0],
                WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    *rss_kb = ru.ru_maxrss;
    if (faults)
        *faults = ru.ru_minflt + ru.ru_majflt;
    if (rss_file[0]) {
        FILE *f = fopen(rss_file, "r");
        long kb, fl;
        if (f && fscanf(f, "%ld", &kb) == 1)
            *rss_kb = kb;
        if (f && faults && fscanf(f, "%ld", &fl) == 1)
            *faults = fl;
        if (f)
            fclose(f);
        unlink(rss_file);
    }
    return t;
}

/* Start-up as a user meets it: load and compile of the rules in a fresh
 * process (this program run with --startup-probe), wall time, so that the
 * first touch of every page the compiler allocates is in the figure (in a
 * process that compiled before, freed memory is reused).  Runs it reps
 * times; returns the median and sets *best.  Returns -1 if a probe fails. */
static double startup_cold(const char *rules, int reps, double *best)
{
    double t[MAX_REPS];
    int n = 0;
    *best = 1e30;
    for (int i = 0; i < reps && i < MAX_REPS; i++) {
        int pfd[2];
        if (pipe(pfd))
            return -1;
        pid_t pid = fork();
        if (pid < 0)
            return -1;
        if (pid == 0) {
            dup2(pfd[1], 1);
            close(pfd[0]);
            close(pfd[1]);
            char *argv[] = {"fintag_bench", "--startup-probe", (char *)rules, NULL};
            execv("/proc/self/exe", argv);
            _exit(127);
        }
        close(pfd[1]);
        char buf[64] = "";
        ssize_t k = read(pfd[0], buf, sizeof buf - 1);
        close(pfd[0]);
        int status;
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) || k <= 0)
            return -1;
        t[n] = atof(buf);
        if (t[n] < *best)
            *best = t[n];
        n++;
    }
    return median(t, n);
}

/* Best time of reps runs of the CLI over the corpus file: CPU time for one
 * thread, wall time for more (what parallelism buys); *wall (when not
 * NULL) gets the best wall time, *faults (when not NULL) the fewest page
 * faults. */
static double cli_best(const opts *o, const char *threads, const char *extra, int plain,
                       int reps, long *rss, const char *input, double *wall, long *faults)
{
    char *argv[16];
    int a = 0;
    argv[a++] = (char *)o->fintag;
    argv[a++] = "-q";
    argv[a++] = "-j";
    argv[a++] = (char *)threads;
    argv[a++] = "--rules";
    argv[a++] = (char *)o->rules;
    if (extra) {
        argv[a++] = "--rules";
        argv[a++] = (char *)extra;
    }
    if (plain)
        argv[a++] = "--plain";
    argv[a++] = "--jsonl";
    argv[a++] = (char *)(input ? input : o->corpus);
    argv[a] = NULL;
    double best = 1e30;
    *rss = 0;
    if (wall)
        *wall = 1e30;
    for (int i = 0; i < reps; i++) {
        long r;
        double cpu;
        long fl;
        double t = run_child(argv, NULL, NULL, 0, &r, &cpu, &fl);
        if (faults && (i == 0 || fl < *faults))
            *faults = fl;
        if (wall && t < *wall)
            *wall = t;
        if (!strcmp(threads, "1"))
            t = cpu;
        if (t < best)
            best = t;
        if (r > *rss)
            *rss = r;
    }
    return best;
}

/* Writes n_extra synthetic rules into dir/extra.yaml: variations of the
 * pack's shapes (a number, a unit word, optional words) with made-up unit
 * words, so they cost what real rules cost without matching real text. */
static void write_extra_rules(const char *dir, size_t n_extra)
{
    char path[1024];
    snprintf(path, sizeof path, "%.900s/extra.yaml", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        die("cannot write the extra rules");
    static const char *const zh[] = {"桶", "吨公里", "标箱", "千瓦", "兆瓦时", "亩", "户", "架次",
                                     "人次", "万吨", "台套", "平方公里", "艘", "座", "笔"};
    static const char *const en[] = {"barrels", "tonnes", "TEU", "megawatts", "acres", "households",
                                     "flights", "visitors", "vessels", "units", "contracts"};
    fprintf(f, "rules:\n");
    for (size_t i = 0; i < n_extra; i++) {
        fprintf(f, "  - id: synthetic.r%zu\n    type: synthetic\n", i);
        switch (i % 4) {
        case 0:
            fprintf(f, "    pattern: '(?<![0-9])[0-9]+(?:\\.[0-9]+)?\\s?(?:万|亿)?%s%zu'\n",
                    zh[i % 15], i);
            break;
        case 1:
            fprintf(f, "    pattern: '(?<![A-Za-z0-9])[0-9][0-9,]*(?:\\.[0-9]+)?\\s+(?:million\\s+|billion\\s+)?%s-x%zu\\b'\n",
                    en[i % 11], i);
            break;
        case 2:
            fprintf(f, "    pattern: '(?:约|近|超过)?[一二三四五六七八九十百千万亿]+%s第%zu类'\n",
                    zh[(i + 3) % 15], i);
            break;
        default:
            fprintf(f, "    pattern: 'Z%zuQ-(?<code>[0-9]{3,6})\\.(?:XX|YY)'\n", i);
            break;
        }
    }
    fclose(f);
}

/* Runs bench/pyre.py; returns its seconds or -1, fills note. */
static double python_re(const opts *o, const ft_rules *r, char *note, size_t nn)
{
    char pats[1024];
    snprintf(pats, sizeof pats, "%.900s/patterns.tsv", o->tmpdir);
    FILE *f = fopen(pats, "w");
    if (!f)
        return -1;
    for (size_t i = 0; i < r->n_rules; i++)
        fprintf(f, "%s\t%d\t%s\n", r->rules[i].id,
                (r->rules[i].pcre_flags & PCRE2_CASELESS) ? 1 : 0, r->rules[i].dump);
    fclose(f);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "python3 '%s' '%s' '%s' 2>&1", o->pyre, pats, o->corpus);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    char line[512];
    double sec = -1;
    int acc = 0, tot = 0;
    snprintf(note, nn, "python3 not available");
    while (fgets(line, sizeof line, p))
        if (sscanf(line, "RESULT seconds=%lf accepted=%d total=%d", &sec, &acc, &tot) == 3)
            snprintf(note, nn, "Python re, %d of %d rules translated", acc, tot);
    pclose(p);
    return sec;
}

static void usage(void)
{
    fprintf(stderr, "usage: fintag_bench --rules DIR --fintag PATH --pyre PATH --tmp DIR "
                    "[--stream-mb N] [--reps N] CORPUS.jsonl\n");
    exit(2);
}

int main(int argc, char **argv)
{
    opts o = {"rules", "build/fintag", NULL, "bench/pyre.py", "/tmp", 1024, 3};
    if (argc == 3 && !strcmp(argv[1], "--startup-probe")) {
        /* a fresh process: load and compile once, print the wall seconds */
        double t0 = wall();
        ft_rules *tmp = compile_rules(argv[2]);
        printf("%.6f\n", wall() - t0);
        ft_rules_destroy(tmp);
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--rules") && i + 1 < argc)
            o.rules = argv[++i];
        else if (!strcmp(argv[i], "--fintag") && i + 1 < argc)
            o.fintag = argv[++i];
        else if (!strcmp(argv[i], "--pyre") && i + 1 < argc)
            o.pyre = argv[++i];
        else if (!strcmp(argv[i], "--tmp") && i + 1 < argc)
            o.tmpdir = argv[++i];
        else if (!strcmp(argv[i], "--stream-mb") && i + 1 < argc)
            o.stream_mb = (size_t)atol(argv[++i]);
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
            o.reps = atoi(argv[++i]);
        else if (argv[i][0] != '-' && !o.corpus)
            o.corpus = argv[i];
        else
            usage();
    }
    if (!o.corpus)
        usage();
    if (o.reps < 1 || o.reps > MAX_REPS)
        o.reps = o.reps < 1 ? 1 : MAX_REPS;
    corpus c;
    load_corpus(o.corpus, &c);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    printf("corpus: %s: %zu documents, %.1f MB of text; %ld CPUs; best of %d runs;\n"
           "one-thread rows are CPU time, the -j 2 row wall time\n\n",
           o.corpus, c.n, (double)c.bytes / 1e6, ncpu, o.reps);

    /* start-up */
    double t_start = 1e30;
    for (int i = 0; i < 5; i++) {
        double t0 = now();
        ft_rules *tmp = compile_rules(o.rules);
        double t = now() - t0;
        ft_rules_destroy(tmp);
        if (t < t_start)
            t_start = t;
    }
    ft_rules *r = compile_rules(o.rules);
    size_t npat = 0, ngated = 0;
    for (size_t i = 0; i < r->n_rules; i++)
        for (size_t k = 0; k < r->rules[i].n_pat; k++) {
            size_t back;
            npat++;
            if (ft_prefilter_gate(r->pf, i, k, &back) >= 0)
                ngated++;
        }
    double cold_best, t_cold = startup_cold(o.rules, 7, &cold_best);
    if (t_cold < 0)
        die("the start-up probe failed");
    printf("rules: %zu rules, %zu patterns, %zu gated (%zu gates, %zu atoms)\n"
           "start-up (load + compile): %.1f ms in a fresh process (wall, median of 7, best %.1f);"
           " %.1f ms when repeated in one process (CPU, memory reused)\n\n",
           r->n_rules, npat, ngated, ft_prefilter_gates(r->pf), ft_prefilter_atoms(r->pf),
           t_cold * 1e3, cold_best * 1e3, t_start * 1e3);

    printf("| %-52s | %8s | %9s | %s |\n", "approach (one thread unless stated)", "MB/s",
           "docs/s", "notes");
    printf("|%s|---------:|----------:|---|\n", "------------------------------------------------------");

    /* naive */
    naive nv;
    naive_build(r, &nv);
    double *per_rule = calloc(r->n_rules, sizeof *per_rule), t_naive = 1e30;
    size_t nm = 0;
    /* The baselines and full tagging in this process take turns on slices
     * of the corpus (SLICES of them, each run on all documents in the
     * end), so that a slow spell of this shared machine, which lasts a
     * second or so, slows both alike: the goals use, over the runs, the
     * median of the ratio of the two summed times; the table, each one's
     * best time. */
    double pr_naive[MAX_REPS], pr_hs[MAX_REPS], t_full = 1e30;
    FILE *null = fopen("/dev/null", "w");
    if (!null)
        die("cannot open /dev/null");
    int n_pr_naive = 0, n_pr_hs = 0;
    size_t full_out = 0;
    for (int i = 0; i < o.reps; i++) {
        double t = 0, f = 0;
        size_t out_sum = 0;
        nm = 0;
        for (size_t k = 0; k < SLICES; k++) {
            corpus sub = slice(&c, k);
            size_t m, out;
            t += naive_run(&nv, &sub, i == 0 ? per_rule : NULL, &m);
            nm += m;
            f += full_run(r, &sub, null, &out);
            out_sum += out;
        }
        full_out = out_sum;
        if (t < t_naive)
            t_naive = t;
        if (f < t_full)
            t_full = f;
        pr_naive[n_pr_naive++] = t / f;
    }
    char note[256];
    snprintf(note, sizeof note, "%zu raw matches", nm);
    row("naive: PCRE2 JIT, each rule separately", &c, t_naive, note);

    /* Vectorscan */
    double t_hs = 0;
#ifdef HAVE_HS
    size_t acc = 0, hm = 0;
    hs_database_t *db = hs_build(r, HS_FLAG_UTF8 | HS_FLAG_SOM_LEFTMOST, &acc);
    if (db) {
        t_hs = 1e30;
        for (int i = 0; i < o.reps; i++) {
            double t = 0, f = 0;
            hm = 0;
            for (size_t k = 0; k < SLICES; k++) {
                corpus sub = slice(&c, k);
                size_t m, out;
                t += hs_run(db, &sub, &m);
                hm += m;
                f += full_run(r, &sub, null, &out);
            }
            if (t < t_hs)
                t_hs = t;
            if (f < t_full)
                t_full = f;
            pr_hs[n_pr_hs++] = t / f;
        }
        snprintf(note, sizeof note, "%zu of %zu rules accepted (lookarounds dropped); %zu matches",
                 acc, r->n_rules, hm);
        row("Vectorscan: all rules, one database, start offsets", &c, t_hs, note);
        hs_free_database(db);
    }
    db = hs_build(r, HS_FLAG_UTF8 | HS_FLAG_PREFILTER, &acc);
    if (db) {
        double t = 1e30;
        for (int i = 0; i < o.reps; i++) {
            double x = hs_run(db, &c, &hm);
            if (x < t)
                t = x;
        }
        snprintf(note, sizeof note, "%zu of %zu rules accepted (HS_FLAG_PREFILTER)", acc, r->n_rules);
        row("Vectorscan: prefilter pass alone", &c, t, note);
        hs_free_database(db);
    }
#else
    printf("| %-52s | %8s | %9s | %s |\n", "Vectorscan", "-", "-",
           "not built: install libvectorscan-dev");
#endif

    /* the prefilter pass */
    double t_pf = 1e30;
    for (int i = 0; i < o.reps; i++) {
        double t = prefilter_run(r, &c);
        if (t < t_pf)
            t_pf = t;
    }
    row("fintag prefilter pass alone (literal gates)", &c, t_pf, NULL);

    /* library scans */
    uint64_t sum_fast = 0, sum_plain = 0;
    size_t sp_fast = 0, sp_plain = 0;
    double t_fast = 1e30, t_plain = 1e30;
    for (int i = 0; i < o.reps; i++) {
        size_t nb;
        double t = lib_run(r, &c, 0, NULL, &sum_fast, &sp_fast, &nb);
        if (t < t_fast)
            t_fast = t;
        t = lib_run(r, &c, 1, NULL, &sum_plain, &sp_plain, &nb);
        if (t < t_plain)
            t_plain = t;
    }
    snprintf(note, sizeof note, "%zu spans", sp_plain);
    row("library scan, plain path (--plain)", &c, t_plain, note);
    snprintf(note, sizeof note, "%zu spans, %s the plain path's", sp_fast,
             sum_fast == sum_plain && sp_fast == sp_plain ? "identical to" : "DIFFERENT FROM");
    row("library scan, fast path", &c, t_fast, note);
    snprintf(note, sizeof note, "scan + JSONL records (%.1f MB) written to /dev/null",
             (double)full_out / 1e6);
    row("full tagging in process (library + JSONL out)", &c, t_full, note);

    /* short documents (headlines, one-sentence items): what a document
     * costs besides its bytes */
    corpus sc;
    first_sentences(&c, &sc);
    double t_snaive = 1e30, t_sfull = 1e30, pr_short[MAX_REPS];
    for (int i = 0; i < o.reps; i++) {
        size_t m, out;
        double a = naive_run(&nv, &sc, NULL, &m), b = full_run(r, &sc, null, &out);
        t_snaive = a < t_snaive ? a : t_snaive;
        t_sfull = b < t_sfull ? b : t_sfull;
        pr_short[i] = a / b;
    }
    snprintf(note, sizeof note, "each document's first sentence: %zu documents of %.0f bytes on average",
             sc.n, (double)sc.bytes / (double)sc.n);
    row("naive loop, short documents", &sc, t_snaive, note);
    row("full tagging in process, short documents", &sc, t_sfull, NULL);

    /* Python re */
    double t_py = python_re(&o, r, note, sizeof note);
    if (t_py > 0)
        row("Python re, same patterns (translated)", &c, t_py, note);
    else
        printf("| %-52s | %8s | %9s | %s |\n", "Python re", "-", "-", note);

    /* the CLI.  Each run also pays the process start and the rule compile,
     * which the in-process rows above do not (their patterns and databases
     * are compiled before the clock starts).  So the same command on an
     * empty input is timed too, and the CLI rows show tagging time net of
     * that fixed cost, the gross figure in the note; the goals use the net
     * figures, and the fixed cost is its own row (start-up goal). */
    char empty[1024];
    snprintf(empty, sizeof empty, "%.900s/empty.jsonl", o.tmpdir);
    FILE *ef = fopen(empty, "w");
    if (!ef)
        die("cannot write the empty input");
    fclose(ef);
    char extra_dir[1024];
    snprintf(extra_dir, sizeof extra_dir, "%.900s/extra-rules", o.tmpdir);
    mkdir(extra_dir, 0755);
    write_extra_rules(extra_dir, 10 * r->n_rules);
    /* every configuration in every round, so that a slow spell of the
     * machine hits all of a round; the tables take each one's best time,
     * the ratio goals the median of the rounds' ratios.  The thread
     * comparison, the noisiest ratio, gets THREAD_ROUNDS rounds at least
     * (the ten-times-rules runs only the first reps), and in each round
     * RUNS_PER_ROUND runs of each of its four configurations, interleaved:
     * the round's ratio takes each configuration's best run (a slow spell
     * of the host only ever adds time), and the first runs alone give the
     * single-run ratio beside it */
    int rounds = o.reps > THREAD_ROUNDS ? o.reps : THREAD_ROUNDS;
    long rss1 = 0, rss2 = 0, rssp, rssx = 0, rss0, rr;
    double e1[MAX_REPS], e2[MAX_REPS], e10[MAX_REPS], c1[MAX_REPS], c2[MAX_REPS], c10[MAX_REPS];
    double f1 = 1e30, f2 = 1e30, f10 = 1e30, g_cli1 = 1e30, g_cli2 = 1e30, g_cli10 = 1e30;
    double pr_threads[MAX_REPS], pr_rules[MAX_REPS], ceil2[MAX_REPS], round_threads[MAX_REPS];
    double w1[MAX_REPS], we1[MAX_REPS], pr_wall[MAX_REPS], pr_single[MAX_REPS];
    long fe1[MAX_REPS], fc1[MAX_REPS], fe2[MAX_REPS], fc2[MAX_REPS];
    for (int i = 0; i < rounds; i++) {
        double h = 0;
        for (int k = 0; k < RUNS_PER_ROUND; k++) {
            double te1, tw1, tc1, twe1, te2, tc2;
            long fl[4];
            te1 = cli_best(&o, "1", NULL, 0, 1, &rss0, empty, &twe1, &fl[0]);
            tc1 = cli_best(&o, "1", NULL, 0, 1, &rr, NULL, &tw1, &fl[1]);
            rss1 = rr > rss1 ? rr : rss1;
            /* the host's ceiling just before and just after the -j 2 runs */
            h += host_ceiling();
            te2 = cli_best(&o, "2", NULL, 0, 1, &rss0, empty, NULL, &fl[2]);
            tc2 = cli_best(&o, "2", NULL, 0, 1, &rr, NULL, NULL, &fl[3]);
            h += host_ceiling();
            rss2 = rr > rss2 ? rr : rss2;
            if (k == 0) {
                e1[i] = te1, c1[i] = tc1, w1[i] = tw1, we1[i] = twe1, e2[i] = te2, c2[i] = tc2;
                fe1[i] = fl[0], fc1[i] = fl[1], fe2[i] = fl[2], fc2[i] = fl[3];
                pr_single[i] = (tc1 - te1) / (tc2 - te2);
                continue;
            }
#define KEEP_MIN(a, v) ((a) = (v) < (a) ? (v) : (a))
            KEEP_MIN(e1[i], te1), KEEP_MIN(c1[i], tc1), KEEP_MIN(w1[i], tw1);
            KEEP_MIN(we1[i], twe1), KEEP_MIN(e2[i], te2), KEEP_MIN(c2[i], tc2);
            KEEP_MIN(fe1[i], fl[0]), KEEP_MIN(fc1[i], fl[1]), KEEP_MIN(fe2[i], fl[2]);
            KEEP_MIN(fc2[i], fl[3]);
#undef KEEP_MIN
        }
        ceil2[i] = h / (2 * RUNS_PER_ROUND);
        f1 = e1[i] < f1 ? e1[i] : f1;
        f2 = e2[i] < f2 ? e2[i] : f2;
        g_cli1 = c1[i] < g_cli1 ? c1[i] : g_cli1;
        g_cli2 = c2[i] < g_cli2 ? c2[i] : g_cli2;
        pr_threads[i] = (c1[i] - e1[i]) / (c2[i] - e2[i]);
        round_threads[i] = pr_threads[i]; /* median() sorts pr_threads */
        pr_wall[i] = (w1[i] - we1[i]) / (c2[i] - e2[i]);
        if (i >= o.reps)
            continue;
        e10[i] = cli_best(&o, "1", extra_dir, 0, 1, &rss0, empty, NULL, NULL);
        c10[i] = cli_best(&o, "1", extra_dir, 0, 1, &rr, NULL, NULL, NULL);
        rssx = rr > rssx ? rr : rssx;
        f10 = e10[i] < f10 ? e10[i] : f10;
        g_cli10 = c10[i] < g_cli10 ? c10[i] : g_cli10;
        pr_rules[i] = (c10[i] - e10[i]) / (c1[i] - e1[i]);
    }
    double t_cli1 = g_cli1 - f1;
    /* page faults: the fewest of the rounds (a first touch of a page is a
     * fault, 10-12 us on the VMs fintag was measured on) */
    long mf[4] = {fc1[0], fe1[0], fc2[0], fe2[0]};
    for (int i = 1; i < rounds; i++) {
        mf[0] = fc1[i] < mf[0] ? fc1[i] : mf[0];
        mf[1] = fe1[i] < mf[1] ? fe1[i] : mf[1];
        mf[2] = fc2[i] < mf[2] ? fc2[i] : mf[2];
        mf[3] = fe2[i] < mf[3] ? fe2[i] : mf[3];
    }
    snprintf(note, sizeof note, "JSONL in and out; peak RSS %.1f MB; gross %.1f MB/s; %ld page faults (empty input %ld)",
             (double)rss1 / 1024, (double)c.bytes / 1e6 / g_cli1, mf[0], mf[1]);
    row("fintag CLI -j 1 (full tagging)", &c, t_cli1, note);
    double g_clip = cli_best(&o, "1", NULL, 1, o.reps, &rssp, NULL, NULL, NULL);
    snprintf(note, sizeof note, "gross %.1f MB/s", (double)c.bytes / 1e6 / g_clip);
    row("fintag CLI -j 1 --plain", &c, g_clip - f1, note);
    double t_cli2 = g_cli2 - f2;
    snprintf(note, sizeof note, "peak RSS %.1f MB; gross %.1f MB/s; %ld page faults (empty input %ld)",
             (double)rss2 / 1024, (double)c.bytes / 1e6 / g_cli2, mf[2], mf[3]);
    row("fintag CLI -j 2", &c, t_cli2, note);
    double t_cli10 = g_cli10 - f10;
    snprintf(note, sizeof note, "pack + %zu synthetic rules; gross %.1f MB/s",
             10 * r->n_rules, (double)c.bytes / 1e6 / g_cli10);
    row("fintag CLI -j 1, ten times the rules", &c, t_cli10, note);
    printf("| %-52s | %8.1f | %9s | %s |\n", "fintag CLI fixed cost, empty input (ms)", f1 * 1e3, "-",
           "process start + rule load and compile; -j 2 wall / ten times the rules:");
    printf("| %-52s | %8.1f | %9s | %s |\n", "", f2 * 1e3, "-", "-j 2 (wall)");
    printf("| %-52s | %8.1f | %9s | %s |\n", "", f10 * 1e3, "-", "ten times the rules");

    /* memory on a long stream */
    long rss_stream = 0;
    double t_stream = 0;
    if (o.stream_mb) {
        char *argv2[] = {(char *)o.fintag, "-q", "--rules", (char *)o.rules, "--jsonl", "-", NULL};
        t_stream = run_child(argv2, NULL, &c, o.stream_mb << 20, &rss_stream, NULL, NULL);
    }

    double per_sum = 0;
    for (size_t i = 0; i < r->n_rules; i++)
        per_sum += per_rule[i];
    printf("\nper-rule cost in the naive loop (slowest first, %% of its time):\n");
    for (int k = 0; k < 8; k++) {
        size_t best = 0;
        for (size_t i = 1; i < r->n_rules; i++)
            if (per_rule[i] > per_rule[best])
                best = i;
        if (per_rule[best] <= 0)
            break;
        printf("  %-24s %5.1f%%\n", r->rules[best].id, 100 * per_rule[best] / per_sum);
        per_rule[best] = -1;
    }

    printf("\ngoals (issue 5):\n");
    printf("  full tagging vs naive loop:        %6.1fx  (goal >= 10x)   [in process; median of %d"
           " interleaved runs, best times %.1fx]\n",
           median(pr_naive, n_pr_naive), n_pr_naive, t_naive / t_full);
    printf("  full tagging CLI -j 1 vs naive:    %6.1fx  (also JSONL parsing and file I/O)\n",
           t_naive / t_cli1);
    printf("  full tagging -j 2 vs naive loop:   %6.1fx\n", t_naive / t_cli2);
    if (t_hs > 0) {
        printf("  full tagging vs Vectorscan:        %6.2fx  (goal >= 1x)    [in process; median of %d"
               " interleaved runs, best times %.2fx]\n",
               median(pr_hs, n_pr_hs), n_pr_hs, t_hs / t_full);
        printf("  full tagging CLI -j 1 vs Vectorscan: %4.2fx\n", t_hs / t_cli1);
        printf("  full tagging -j 2 vs Vectorscan:   %6.2fx\n", t_hs / t_cli2);
    }
    printf("  library fast path vs naive loop:   %6.1fx\n", t_naive / t_fast);
    printf("  short documents, full vs naive:    %6.1fx  (in process; median of %d interleaved runs,"
           " best times %.1fx)\n",
           median(pr_short, o.reps), o.reps, t_snaive / t_sfull);
    printf("  2 threads vs 1:                    %6.2fx  (goal >= 1.8x; median of %d rounds, each"
           " the best of %d runs; best times %.2fx, gross %.2fx)\n",
           median(pr_threads, rounds), rounds, RUNS_PER_ROUND, t_cli1 / t_cli2, g_cli1 / g_cli2);
    printf("    2 threads vs 1, single runs:      %6.2fx  (median of %d rounds, each round's first"
           " runs only)\n",
           median(pr_single, rounds), rounds);
    /* -j 1 is one thread: its wall time is the other fair baseline (a slow
     * spell of the host stretches both sides alike) */
    printf("    2 threads vs 1, both wall time:   %6.2fx  (median of %d rounds)\n",
           median(pr_wall, rounds), rounds);
    /* the rounds in which the host itself gave two whole CPUs */
    double quiet[MAX_REPS];
    int n_quiet = 0;
    printf("    rounds (2 threads vs 1 / host ceiling):");
    for (int i = 0; i < rounds; i++) {
        printf(" %.2f/%.2f", round_threads[i], ceil2[i]);
        if (ceil2[i] >= QUIET_CEILING)
            quiet[n_quiet++] = round_threads[i];
    }
    printf("\n    host two-CPU ceiling:             %6.2fx  (median; a register-only loop on two"
           " threads vs one, 2.0 on two free CPUs)\n",
           median(ceil2, rounds)); /* ceil2 is not read after this */
    if (n_quiet)
        printf("    2 threads vs 1, quiet rounds:     %6.2fx  (median of the %d rounds with a ceiling"
               " >= %.1fx)\n",
               median(quiet, n_quiet), n_quiet, QUIET_CEILING);
    else
        printf("    2 threads vs 1, quiet rounds:          -   (no round had a ceiling >= %.1fx:"
               " the host was contended throughout)\n",
               QUIET_CEILING);
    printf("  ten times the rules costs:         %6.2fx  (goal < 2x; median of %d rounds;"
           " best times %.2fx, gross %.2fx)\n",
           median(pr_rules, o.reps), o.reps, t_cli10 / t_cli1, g_cli10 / g_cli1);
    printf("  gross full tagging vs naive loop:  %6.1fx  (with start-up)\n", t_naive / g_cli1);
    printf("  start-up:                          %6.1f ms (goal < 50 ms; load + compile in a fresh"
           " process, median of 7; the CLI's whole fixed cost is in the table)\n",
           t_cold * 1e3);
    if (o.stream_mb)
        printf("  %zu MB JSONL stream, peak RSS:    %6.1f MB (goal < 64 MB; %.1f MB/s)\n",
               o.stream_mb, (double)rss_stream / 1024, (double)o.stream_mb / t_stream);
    if (sum_fast != sum_plain || sp_fast != sp_plain)
        printf("  WARNING: the fast path's spans differ from the plain path's\n");
    fclose(null);
    ft_rules_destroy(r);
    return 0;
}
