/*
 * cli.h - private interfaces of the fintag command-line program.
 *
 * The CLI drives the library through the public API (include/fintag.h);
 * from the private header it borrows only the byte buffer and UTF-8 helpers
 * (buf.c, utf8.c).  Its modules:
 *   main.c     argument parsing, subcommands, exit codes, diagnostics printing
 *   input.c    turns files, directories and stdin into a stream of documents
 *   run.c      the tagging pipeline: batches, the -j threads, ordered output,
 *              atomic -o
 *   heap.c     the malloc heaps in transparent huge pages
 *   doc.c      a document's text, id and date; error records
 *   jsonl.c    the validating one-pass scanner for JSONL lines
 *   bigdoc.c   documents over --chunk-over: spooled, tagged in windows
 *   stream.c   a file or stdin, gzip-decompressed, read as bytes arrive
 *   input_feed.c  RSS and Atom items as documents
 *   writer.c   the table of output formats behind one interface
 *   explain.c  `fintag explain`, `fintag rules --dump`, `fintag check`
 *   eval.c     `fintag eval`: precision, recall and F1 against gold JSONL
 *   writer_*.c the output formats other than JSONL
 */
#ifndef FINTAG_CLI_H
#define FINTAG_CLI_H

#include <stdio.h>
#include <cjson/cJSON.h>

#include "fintag.h"
#include "fintag_int.h"

/* Exit codes (documented in README and fintag.1). */
enum {
    EXIT_OK = 0,
    EXIT_DOC_FAILED = 1,  /* some documents failed (or check found failures) */
    EXIT_USAGE = 2,       /* usage or rule errors */
    EXIT_IO = 3           /* I/O error */
};

typedef struct cli_opts {
    const char **rule_paths;
    size_t n_rule_paths;
    const char **inputs;
    size_t n_inputs;
    int jsonl;                 /* force JSONL input */
    const char *text_field;
    const char *id_field;
    const char *date_field;
    const char *ref_date;
    const char *format;
    const char *output;
    const char *out_dir;
    int keep_overlaps;
    int utf16;
    int threads;
    ft_utf8_mode utf8_mode;
    size_t max_doc_bytes;
    size_t chunk_over;         /* larger documents are spooled and chunked */
    size_t chunk_window;       /* their window size */
    int quiet;
    const char **types;        /* --types filter */
    size_t n_types;
    int context;               /* --context N characters (csv) */
    const char *fields;        /* --fields a,b (csv) */
    int excel;
    const char *scheme;        /* conll: bio or bioes */
    int plain;                 /* disable the prefilter */
    const char *in_format;     /* --in: text, jsonl, rss (default: by file name) */
    const char *gold;          /* eval: --gold FILE */
    int lenient;               /* eval: overlapping spans count */
    int show_errors;           /* eval: list misses and extras */
    int json_stats;            /* stats: --json */
    const char **samples;      /* check: --sample FILE (repeatable) */
    size_t n_samples;
} cli_opts;

/* One document on its way through the pipeline. */
typedef struct cli_doc {
    char *raw;                 /* JSONL line or whole text file */
    size_t raw_len;
    int raw_in_slab;           /* raw lies in its batch's slab (not freed with the document) */
    char *name;                /* source file name */
    long line;                 /* JSONL line number, 0 for text documents */
    int is_json;
    char *input_error;         /* set by the reader (too large, unreadable) */
    char *ref_date;            /* set by the reader: a feed item's date (YYYY-MM-DD) */
    FILE *spool;               /* a document over --chunk-over: its bytes (raw is NULL) */
    FILE *out_spool;           /* its output record, copied out when its batch is written */
    /* filled by the worker */
    cJSON *obj;
    const char *text;          /* in raw, or in text_buf when decoded */
    size_t text_len;
    char *text_buf;            /* the decoded text of a JSON line, or NULL */
    char *id;                  /* document id as text */
    int failed;
    size_t n_entities;
    ft_buf out;
    int out_in_slot;           /* out lies in its batch's output region (not freed with the document) */
    const char *out_head;      /* JSONL: the record's first bytes (in raw), written before out */
    size_t out_head_len;
    char *warnings;            /* the scan's warnings, one line each, for stderr */
    /* set by cli_doc_prepare for a line read by the fast JSONL scanner
     * (doc->obj stays NULL until something needs the tree) */
    int json_fast;
    size_t json_members;       /* top-level members of the line's object */
    int json_entities;         /* a key cJSON_HasObjectItem finds as "entities" */
    int json_warnings;         /* ... as "warnings" */
    char *json_date;           /* the --date-field string (either path), or NULL */
} cli_doc;

typedef struct cli_ctx cli_ctx;

/* An output format.  doc() runs in any of the -j threads, concurrently, and
 * may only write to out (and read ctx); begin() and end() run in the
 * calling thread; merge() runs when a document's batch is written, in
 * input order and never concurrently (in whichever thread writes the
 * batch).  end() is always called, with f == NULL after a write failure,
 * so that it can free ctx->wstate. */
typedef struct cli_writer {
    const char *name;
    const char *help;
    int (*begin)(cli_ctx *ctx, FILE *f);
    int (*doc)(cli_ctx *ctx, cli_doc *doc, const ft_result *res, ft_buf *out);
    int (*merge)(cli_ctx *ctx, cli_doc *doc, FILE *f);
    int (*end)(cli_ctx *ctx, FILE *f);
    int merge_reads_text; /* merge() reads doc->text: the document keeps its own copy */
} cli_writer;

struct cli_ctx {
    const cli_opts *opts;
    const ft_rules *rules;
    const cli_writer *writer;
    void *wstate;              /* writer's own state (begin/merge/end only) */
    size_t docs, failed, entities, bytes;
};

const cli_writer *cli_writer_find(const char *name);
/* Writes the list of formats for --help. */
void cli_writer_list(FILE *f);
/* Common part of JSON writers: the document's record with "entities"
 * (possibly split: doc->out_head, then out). */
int cli_json_record(cli_ctx *ctx, cli_doc *doc, const ft_result *res, ft_buf *out);
/* Error record {"error": ..., "line": N, "file": ...} for a failed document. */
int cli_error_record(cli_doc *doc, const char *msg, ft_buf *out);

/* A batch's memory for the bytes of its documents: a document that fits is
 * read into the free end of the slab (doc->raw_in_slab) instead of a buffer
 * of its own, and the slab is emptied when the whole batch is done. */
typedef struct cli_slab {
    char *p;
    size_t cap, used;
} cli_slab;

/* input.c: a stream of documents from the inputs named in opts. */
typedef struct cli_input cli_input;
int cli_input_open(const cli_opts *opts, cli_input **out);
/* Reads the next document into doc (zeroed by the caller), its bytes into
 * slab when they fit there (slab may be NULL).  Returns 1 when a document
 * was read, 0 at the end, -1 on an I/O error (message printed). */
int cli_input_next(cli_input *in, cli_doc *doc, cli_slab *slab);
void cli_input_close(cli_input *in);
/* Total bytes of the inputs when known in advance (files), else 0. */
size_t cli_input_total(const cli_input *in);
size_t cli_input_done(const cli_input *in);

/* stream.c: a file or stdin, gzip-decompressed when it starts with the
 * gzip magic, delivering bytes as soon as they arrive. */
typedef struct cli_stream cli_stream;
/* Opens a file ("-" = stdin); NULL with errno set on failure. */
cli_stream *cli_stream_open(const char *name);
/* Reads up to n bytes: > 0 bytes read, 0 at the end, -1 on error. */
long cli_stream_read(cli_stream *s, char *buf, size_t n);
/* 1 when a read would not block (data buffered or waiting, or EOF). */
int cli_stream_ready(cli_stream *s);
/* Raw (compressed) bytes read so far, for progress. */
size_t cli_stream_offset(const cli_stream *s);
const char *cli_stream_error(const cli_stream *s);
void cli_stream_close(cli_stream *s);
/* input.c: 1 when the next document can be read without waiting. */
int cli_input_ready(cli_input *in);

/* bigdoc.c: documents over --chunk-over.  An unlinked temporary file in
 * $TMPDIR (or /tmp); NULL with errno set on failure. */
FILE *cli_spool_open(void);
/* Tags a spooled document in windows into doc->out_spool (JSONL format);
 * on failure writes an error record to doc->out instead.  Returns 1 when
 * it handled the document, 0 when the format needs it whole in memory. */
int cli_big_process(cli_ctx *ctx, ft_scanner *sc, cli_doc *doc);
/* Reads a spooled document into doc->raw (for formats that need it whole);
 * returns 0, or -1 after setting doc->input_error. */
int cli_big_load(cli_doc *doc);

/* heap.c: the malloc heaps in transparent huge pages.  cli_heap_tune is
 * called first thing in main(); a thread of the CLI's own calls
 * cli_heap_thread_begin with its index (1 for the first after the main
 * thread) first and gives what it returned to cli_heap_thread_end last. */
void cli_heap_tune(void);
void *cli_heap_thread_begin(int index);
void cli_heap_thread_end(void *block);
/* A fresh mapping of at least bytes, zeroed, aligned to a huge page and
 * marked for huge pages before anything touches it (a range with one small
 * page in it never becomes a huge page), or NULL; freed with
 * cli_heap_unmap and the same size. */
void *cli_heap_map(size_t bytes);
void cli_heap_unmap(void *p, size_t bytes);

/* run.c */
int cli_run_tag(const cli_opts *opts, const ft_rules *rules);
/* The scan options for doc: the command line's, with the document's own
 * date (feed item date, --date-field) as reference date when it has one. */
void cli_scan_opts(const cli_opts *opts, const cli_doc *doc, ft_scan_opts *so);
/* Prepares doc for scanning (parses JSON, finds text/id); returns 0 or sets
 * doc->failed and writes an error record.  A JSON string text with escapes
 * is decoded into scratch when it is not NULL (a buffer the caller reuses
 * from document to document: doc->text is then valid until the next call
 * with the same scratch), else into a buffer of the document's own. */
int cli_doc_prepare(const cli_opts *opts, cli_doc *doc, ft_buf *scratch);
void cli_doc_free(cli_doc *doc);
/* doc.c: the cJSON tree of a JSON document, parsed on first use (the fast
 * path leaves doc->obj NULL); NULL when the line is not a JSON object. */
cJSON *cli_doc_tree(cli_doc *doc);

/* jsonl.c: where a wanted top-level member's value is in the line. */
typedef struct cli_jsonl_val {
    int found;
    char kind;                 /* '"' string, '0' number, 'x' anything else */
    int esc;                   /* a string holding an escape (else its bytes are its value) */
    size_t start, end;         /* the value's bytes */
} cli_jsonl_val;

/* What cli_jsonl_scan found in one line: the first member of each wanted
 * key, matched the way the slow path matches it (text: the whole decoded
 * key; id and date: the decoded key up to a NUL, as cJSON compares). */
typedef struct cli_jsonl_line {
    cli_jsonl_val text, id, date;
    size_t members;
    int has_entities, has_warnings;   /* keys equal to these, ignoring case */
} cli_jsonl_line;

/* Validates the line s[0..n) as a JSON object within a strict subset of
 * RFC 8259 that cJSON reads the same way, and fills *out.  Returns 1 when
 * the line was accepted, 0 when the caller must use cJSON instead (invalid
 * JSON, or valid JSON outside the subset).  id_key and date_key may be
 * NULL. */
int cli_jsonl_scan(const char *s, size_t n, const char *text_key, const char *id_key,
                   const char *date_key, cli_jsonl_line *out);
/* Decodes the JSON string whose opening quote is s[i] into out (NULL: only
 * skip it); keeps NULs (\u0000) and turns lone surrogates into U+FFFD.
 * Returns the index after the closing quote, or 0 on malformed input. */
size_t cli_json_decode(const char *s, size_t n, size_t i, ft_buf *out);

/* eval.c: `fintag eval --gold FILE [--lenient] [--errors] INPUT...` */
int cli_eval(const cli_opts *opts, const ft_rules *rules);

/* explain.c */
int cli_explain(const cli_opts *opts, const ft_rules *rules, const char *text);
int cli_dump_rules(const ft_rules *rules, FILE *f);
/* check --sample: warns about rules with more than one candidate per 100
 * bytes of the sample texts; returns the number of warnings, -1 on error. */
int cli_check_sample(const cli_opts *opts, const ft_rules *rules);

/* backtrack.c: scans pathological strings with the rule set and warns about
 * every rule that hits the match limit; returns the number of such rules. */
int cli_check_backtracking(const ft_rules *rules);

/* main.c: prints a library diagnostic as file:line:col: level: rule 'id': msg */
void cli_print_diag(const ft_diag *d, void *user);
/* Loads the rules named in opts (or the default rules); prints diagnostics. */
int cli_load_rules(const cli_opts *opts, ft_rules **out);

#endif
