/*
 * main.c - the fintag command line: argument parsing, the subcommands
 * (tag, check, explain, rules), diagnostics printing and exit codes.
 *
 * Exit codes: 0 success; 1 some documents failed (or `check` found failing
 * examples); 2 usage or rule errors; 3 I/O error.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#ifndef FT_DATADIR
#define FT_DATADIR "/usr/local/share/fintag"
#endif

static const char usage_text[] =
    "usage: fintag [tag] [options] [FILE|DIR|-]...\n"
    "       fintag check [--sample FILE]... [--rules PATH]... [PATH...]\n"
    "       fintag explain [--rules PATH]... TEXT\n"
    "       fintag rules [--dump] [--rules PATH]...\n"
    "       fintag eval --gold GOLD.jsonl [--lenient] [--errors] [options] INPUT...\n"
    "       fintag stats [--json] [options] INPUT...\n"
    "\n"
    "Tags financial entities (stock codes, money, percentages, growth, compute,\n"
    "dates, quantities) in news text and prints them with normalised values.\n"
    "\n"
    "Input:\n"
    "  FILE               a text file is one document; *.jsonl is one document per line;\n"
    "                     *.xml, *.rss, *.atom: one per feed item; gzip data is decompressed;\n"
    "                     a directory is searched for all of these; - or nothing: stdin\n"
    "  --jsonl            read every input as JSONL (same as --in jsonl)\n"
    "  --in FORMAT        text, jsonl or rss, whatever the file names say\n"
    "  --text-field NAME  JSONL field holding the text (default: text)\n"
    "  --id-field NAME    JSONL field holding the id (default: id)\n"
    "  --date-field NAME  JSONL field with the document date, for relative dates\n"
    "  --ref-date DATE    document date (YYYY-MM-DD) for relative dates (今年, 去年)\n"
    "  --invalid-utf8 MODE  replace (default: each bad byte is one U+FFFD), skip, fail\n"
    "  --max-doc-bytes N  larger documents are reported, not tagged (default 1G)\n"
    "  --chunk-over N     documents larger than N (default 16M) are spooled to a\n"
    "                     temporary file and tagged in windows, in bounded memory\n"
    "  --chunk-window N   window size for such documents (default 1M)\n"
    "\n"
    "Rules:\n"
    "  --rules PATH       rule file or directory (repeatable; default ./rules if present,\n"
    "                     else " FT_DATADIR "/rules)\n"
    "  --overlaps MODE    resolve (default: leftmost-longest, then priority, then rule\n"
    "                     order) or all (keep every candidate)\n"
    "  --types LIST       only emit these entity types (comma-separated)\n"
    "\n"
    "Output:\n"
    "  -f, --format FMT   output format (below)\n"
    "  -o, --output FILE  write to FILE atomically (temporary file, then rename)\n"
    "  --offsets utf16    also emit UTF-16 offsets (u16_start, u16_end)\n"
    "  -j, --threads N    threads (default: number of cores)\n"
    "  -q, --quiet        no progress line\n"
    "  --plain            run every rule over the whole text (no prefilter; for testing)\n"
    "  -h, --help         this text;  -V, --version  the version\n"
    "\n"
    "Offsets: start/end are Unicode code points, byte_start/byte_end UTF-8 bytes,\n"
    "all end-exclusive (Python's text[start:end]).\n"
    "Exit status: 0 ok, 1 some documents failed, 2 usage or rule errors, 3 I/O error.\n"
    "\n"
    "Formats:\n";

static void usage(FILE *f)
{
    fputs(usage_text, f);
    cli_writer_list(f);
}

void cli_print_diag(const ft_diag *d, void *user)
{
    FT_UNUSED(user);
    const char *lvl = d->level == FT_DIAG_ERROR ? "error"
                      : d->level == FT_DIAG_WARNING ? "warning" : "note";
    if (d->file && d->line > 0 && d->column > 0)
        fprintf(stderr, "%s:%d:%d: ", d->file, d->line, d->column);
    else if (d->file && d->line > 0)
        fprintf(stderr, "%s:%d: ", d->file, d->line);
    else if (d->file)
        fprintf(stderr, "%s: ", d->file);
    else
        fputs("fintag: ", stderr);
    fprintf(stderr, "%s: ", lvl);
    if (d->rule_id && *d->rule_id)
        fprintf(stderr, "rule '%s': ", d->rule_id);
    fprintf(stderr, "%s\n", d->message);
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int cli_load_rules(const cli_opts *o, ft_rules **out)
{
    ft_compiler *c;
    if (ft_compiler_create(&c) != FT_OK)
        return EXIT_IO;
    ft_compiler_set_diag(c, cli_print_diag, NULL);
    if (o->n_rule_paths == 0) {
        const char *def = is_dir("rules") ? "rules" : FT_DATADIR "/rules";
        ft_compiler_add_path(c, def);
    }
    for (size_t i = 0; i < o->n_rule_paths; i++)
        ft_compiler_add_path(c, o->rule_paths[i]);
    int rc = ft_compiler_compile(c, out);
    ft_compiler_destroy(c);
    return rc == FT_OK ? EXIT_OK : EXIT_USAGE;
}

/* Parses "a,b,c" into a NULL-free array (pointers into a copy of s). */
static const char **split_list(const char *s, size_t *n)
{
    char *copy = ft_strdup(s);
    size_t cap = 1;
    for (const char *p = s; *p; p++)
        cap += *p == ',';
    const char **v = calloc(cap, sizeof *v);
    *n = 0;
    for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ","))
        v[(*n)++] = tok;
    return v;
}

static int parse_size(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s)
        return -1;
    if (*end == 'k' || *end == 'K') { v <<= 10; end++; }
    else if (*end == 'm' || *end == 'M') { v <<= 20; end++; }
    else if (*end == 'g' || *end == 'G') { v <<= 30; end++; }
    if (*end)
        return -1;
    *out = (size_t)v;
    return 0;
}

static int bad_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "fintag: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'fintag --help'.\n");
    return EXIT_USAGE;
}

/* Parses the arguments into o and runs the subcommand; returns the exit
 * status.  main() frees what this allocates in o. */
static int cli_main(int argc, char **argv, cli_opts *op)
{
    cli_opts o;
    memset(&o, 0, sizeof o);
    o.text_field = "text";
    o.id_field = "id";
    o.format = "jsonl";
    o.max_doc_bytes = (size_t)1 << 30;
    o.chunk_over = (size_t)16 << 20;
    o.chunk_window = (size_t)1 << 20;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    o.threads = ncpu > 0 ? (int)(ncpu > 64 ? 64 : ncpu) : 1;
    o.rule_paths = op->rule_paths;
    o.inputs = op->inputs;

    int argi = 1;
    const char *cmd = "tag";
    if (argi < argc && (!strcmp(argv[argi], "tag") || !strcmp(argv[argi], "check") ||
                        !strcmp(argv[argi], "explain") || !strcmp(argv[argi], "rules") ||
                        !strcmp(argv[argi], "eval") || !strcmp(argv[argi], "stats")))
        cmd = argv[argi++];
    int dump = 0, only_args = 0;
    for (; argi < argc; argi++) {
        const char *a = argv[argi];
        const char *val = NULL;
#define NEEDS_VALUE()                                                           \
    do {                                                                        \
        if (argi + 1 >= argc)                                                   \
            return bad_usage("option %s needs a value", a);                     \
        val = argv[++argi];                                                     \
    } while (0)
        if (only_args || a[0] != '-' || !strcmp(a, "-")) {
            o.inputs[o.n_inputs++] = a;
        } else if (!strcmp(a, "--")) {
            only_args = 1;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return EXIT_OK;
        } else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
            printf("fintag %s\n", ft_version());
            return EXIT_OK;
        } else if (!strcmp(a, "--rules")) {
            NEEDS_VALUE();
            o.rule_paths[o.n_rule_paths++] = val;
        } else if (!strcmp(a, "--jsonl")) {
            o.jsonl = 1;
        } else if (!strcmp(a, "--text-field")) {
            NEEDS_VALUE();
            o.text_field = val;
        } else if (!strcmp(a, "--id-field")) {
            NEEDS_VALUE();
            o.id_field = val;
        } else if (!strcmp(a, "--date-field")) {
            NEEDS_VALUE();
            o.date_field = val;
        } else if (!strcmp(a, "--ref-date")) {
            NEEDS_VALUE();
            o.ref_date = val;
        } else if (!strcmp(a, "-f") || !strcmp(a, "--format")) {
            NEEDS_VALUE();
            o.format = val;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            NEEDS_VALUE();
            o.output = val;
        } else if (!strcmp(a, "--overlaps")) {
            NEEDS_VALUE();
            if (!strcmp(val, "all"))
                o.keep_overlaps = 1;
            else if (strcmp(val, "resolve"))
                return bad_usage("--overlaps takes 'all' or 'resolve', not '%s'", val);
        } else if (!strcmp(a, "--offsets")) {
            NEEDS_VALUE();
            if (!strcmp(val, "utf16"))
                o.utf16 = 1;
            else if (strcmp(val, "codepoints"))
                return bad_usage("--offsets takes 'utf16', not '%s'", val);
        } else if (!strcmp(a, "-j") || !strcmp(a, "--threads")) {
            NEEDS_VALUE();
            o.threads = atoi(val);
            if (o.threads < 1 || o.threads > 256)
                return bad_usage("-j takes a number from 1 to 256, not '%s'", val);
        } else if (!strcmp(a, "--invalid-utf8")) {
            NEEDS_VALUE();
            if (!strcmp(val, "replace"))
                o.utf8_mode = FT_UTF8_REPLACE;
            else if (!strcmp(val, "skip"))
                o.utf8_mode = FT_UTF8_SKIP;
            else if (!strcmp(val, "fail"))
                o.utf8_mode = FT_UTF8_FAIL;
            else
                return bad_usage("--invalid-utf8 takes replace, skip or fail, not '%s'", val);
        } else if (!strcmp(a, "--chunk-over") || !strcmp(a, "--chunk-window")) {
            NEEDS_VALUE();
            size_t *dst = a[8] == 'o' ? &o.chunk_over : &o.chunk_window;
            if (parse_size(val, dst) || *dst < 64)
                return bad_usage("%s takes a size of at least 64 bytes, such as 16M", a);
        } else if (!strcmp(a, "--max-doc-bytes")) {
            NEEDS_VALUE();
            if (parse_size(val, &o.max_doc_bytes) || o.max_doc_bytes == 0)
                return bad_usage("--max-doc-bytes takes a size such as 64M, not '%s'", val);
        } else if (!strcmp(a, "--types")) {
            NEEDS_VALUE();
            if (!o.types)
                op->types = o.types = split_list(val, &o.n_types);
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            o.quiet = 1;
        } else if (!strcmp(a, "--plain")) {
            o.plain = 1;
        } else if (!strcmp(a, "--dump")) {
            dump = 1;
        } else if (!strcmp(a, "--in")) {
            NEEDS_VALUE();
            o.in_format = val;
        } else if (!strcmp(a, "--context")) {
            NEEDS_VALUE();
            o.context = atoi(val);
            if (o.context < 0)
                return bad_usage("--context takes a number of characters, not '%s'", val);
        } else if (!strcmp(a, "--fields")) {
            NEEDS_VALUE();
            o.fields = val;
        } else if (!strcmp(a, "--excel")) {
            o.excel = 1;
        } else if (!strcmp(a, "--scheme")) {
            NEEDS_VALUE();
            if (strcmp(val, "bio") && strcmp(val, "bioes"))
                return bad_usage("--scheme takes bio or bioes, not '%s'", val);
            o.scheme = val;
        } else if (!strcmp(a, "--out-dir")) {
            NEEDS_VALUE();
            o.out_dir = val;
        } else if (!strcmp(a, "--gold")) {
            NEEDS_VALUE();
            o.gold = val;
        } else if (!strcmp(a, "--lenient")) {
            o.lenient = 1;
        } else if (!strcmp(a, "--errors")) {
            o.show_errors = 1;
        } else if (!strcmp(a, "--sample")) {
            NEEDS_VALUE();
            o.samples = op->samples;
            o.samples[o.n_samples++] = val;
        } else if (!strcmp(a, "--json")) {
            o.json_stats = 1;
        } else {
            return bad_usage("unknown option '%s'", a);
        }
#undef NEEDS_VALUE
    }

    if (!strcmp(cmd, "check")) {
        for (size_t i = 0; i < o.n_inputs; i++)
            o.rule_paths[o.n_rule_paths++] = o.inputs[i];
        ft_rules *rules;
        if (cli_load_rules(&o, &rules) != EXIT_OK)
            return EXIT_USAGE;
        int fails = ft_rules_check(rules, cli_print_diag, NULL);
        cli_check_backtracking(rules);
        if (o.n_samples && cli_check_sample(&o, rules) < 0) {
            ft_rules_destroy(rules);
            return EXIT_IO;
        }
        size_t n_ex = 0;
        for (size_t i = 0; i < ft_rules_count(rules); i++) {
            ft_rule_info info;
            ft_rules_info(rules, i, &info);
            n_ex += info.n_examples;
        }
        fprintf(stderr, "fintag check: %zu rules, %zu examples, %d failed\n",
                ft_rules_count(rules), n_ex, fails < 0 ? 0 : fails);
        ft_rules_destroy(rules);
        return fails == 0 ? EXIT_OK : EXIT_DOC_FAILED;
    }

    ft_rules *rules;
    if (cli_load_rules(&o, &rules) != EXIT_OK)
        return EXIT_USAGE;
    int rc;
    if (!strcmp(cmd, "rules")) {
        if (!dump) {
            for (size_t i = 0; i < ft_rules_count(rules); i++) {
                ft_rule_info info;
                ft_rules_info(rules, i, &info);
                printf("%-28s %-11s %s:%d\n", info.id, info.type, info.file, info.line);
            }
            rc = EXIT_OK;
        } else {
            rc = cli_dump_rules(rules, stdout);
        }
    } else if (!strcmp(cmd, "eval")) {
        rc = cli_eval(&o, rules);
    } else if (!strcmp(cmd, "stats")) {
        o.format = "stats";
        rc = cli_run_tag(&o, rules);
    } else if (!strcmp(cmd, "explain")) {
        if (o.n_inputs != 1) {
            ft_rules_destroy(rules);
            return bad_usage("explain takes one TEXT argument%s", "");
        }
        rc = cli_explain(&o, rules, o.inputs[0]);
    } else {
        rc = cli_run_tag(&o, rules);
    }
    ft_rules_destroy(rules);
    return rc;
}

int main(int argc, char **argv)
{
    cli_heap_tune();
    cli_opts o;
    memset(&o, 0, sizeof o);
    o.rule_paths = calloc((size_t)argc + 1, sizeof(char *));
    o.inputs = calloc((size_t)argc + 1, sizeof(char *));
    o.samples = calloc((size_t)argc + 1, sizeof(char *));
    if (!o.rule_paths || !o.inputs || !o.samples)
        return EXIT_IO;
    int rc = cli_main(argc, argv, &o);
    free(o.rule_paths);
    free(o.inputs);
    free(o.samples);
    if (o.types) {
        free((void *)o.types[0]);
        free(o.types);
    }
    return rc;
}
