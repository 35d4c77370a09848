/*
 * fintag.h - the one public header of libfintag, a rule-based tagger for
 * financial news.
 *
 * Three objects, as in yara:
 *
 *   ft_compiler  collects YAML rule files (one thread, build time) and turns
 *                them into
 *   ft_rules     an immutable, compiled rule set that any number of threads
 *                may share, scanned by
 *   ft_scanner   one per thread: holds every piece of mutable state (PCRE2
 *                match data, candidate arrays, string storage).
 *
 * Errors are integers from enum ft_error (0 = success); ft_strerror() gives
 * their text.  The library never prints: problems found while loading rules
 * are reported through a diagnostic callback with file, line, column and
 * rule id.
 *
 * Offsets.  Every span carries UTF-8 byte offsets into the scanned buffer and
 * Unicode code-point offsets (what Python's str slicing expects), plus UTF-16
 * offsets for JavaScript/Java consumers.  All ranges are end-exclusive.  An
 * invalid UTF-8 byte counts as one code point (U+FFFD) in the default
 * "replace" mode.
 *
 * Ownership (the whole contract, stated once):
 *  - Every object made by ft_X_create() is freed by ft_X_destroy(); destroy
 *    functions accept NULL.
 *  - ft_compiler_compile() hands a new ft_rules to the caller; the compiler
 *    may then only be destroyed.  An ft_rules must outlive every scanner
 *    created from it.
 *  - Strings passed in (paths, YAML text, documents) are borrowed only for the
 *    duration of the call; the library copies what it keeps.
 *  - An ft_result and everything it points to (spans, attribute strings,
 *    warnings) is owned by the scanner and stays valid until the next
 *    ft_scanner_scan() on that scanner or its destruction.
 *  - Strings in ft_rule_info and ft_diag are owned by the rule set (or, for
 *    diagnostics, live only during the callback).
 *  - Memory returned as char * by ft_result_to_json() is freed with
 *    ft_free().
 *
 * Threads: an ft_rules may be used by many threads at once; a scanner or a
 * compiler by one thread at a time.  There is no global mutable state.
 */
#ifndef FINTAG_H
#define FINTAG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FT_VERSION_STRING "0.1.0"
#define FT_VERSION_MAJOR 0
#define FT_VERSION_MINOR 1
#define FT_VERSION_PATCH 0

/* Error codes returned by every fallible function. */
typedef enum ft_error {
    FT_OK = 0,
    FT_ERR_NOMEM,      /* out of memory */
    FT_ERR_IO,         /* a file could not be read */
    FT_ERR_YAML,       /* a rule file is not valid YAML */
    FT_ERR_RULE,       /* a rule file is valid YAML but not a valid rule file */
    FT_ERR_PATTERN,    /* PCRE2 rejected a pattern */
    FT_ERR_ARG,        /* a bad argument (NULL handle, unknown option value) */
    FT_ERR_STATE,      /* call not allowed now (compiler already compiled) */
    FT_ERR_UTF8,       /* invalid UTF-8 and the mode is FT_UTF8_FAIL */
    FT_ERR_LIMIT,      /* a size limit was exceeded */
    FT_ERR_MATCH,      /* PCRE2 match failed with an internal error */
    FT_ERR_EMPTY,      /* the rule set holds no rules */
    FT_ERR_ABORTED,    /* a callback asked to stop */
    FT_ERR__COUNT
} ft_error;

/* Returns a static English text for an ft_error code (never NULL). */
const char *ft_strerror(int code);

/* Library version, e.g. "0.1.0". */
const char *ft_version(void);

/* ---- diagnostics ------------------------------------------------------ */

typedef enum ft_diag_level {
    FT_DIAG_ERROR = 0,
    FT_DIAG_WARNING = 1,
    FT_DIAG_NOTE = 2
} ft_diag_level;

/* One diagnostic.  line and column count from 1 (0 = unknown); column counts
 * code points.  rule_id is NULL when the problem is not inside a rule. */
typedef struct ft_diag {
    ft_diag_level level;
    const char *file;
    int line;
    int column;
    const char *rule_id;
    const char *message;
} ft_diag;

typedef void (*ft_diag_fn)(const ft_diag *diag, void *user);

/* ---- compiler --------------------------------------------------------- */

typedef struct ft_compiler ft_compiler;
typedef struct ft_rules ft_rules;
typedef struct ft_scanner ft_scanner;

/* Creates an empty compiler. */
int ft_compiler_create(ft_compiler **out);
void ft_compiler_destroy(ft_compiler *c);

/* Sets the diagnostic callback (default: none, diagnostics are counted only). */
void ft_compiler_set_diag(ft_compiler *c, ft_diag_fn fn, void *user);

/* Adds a rule file, or every *.yaml / *.yml file of a directory in sorted
 * byte order.  Problems are reported through the callback; the return value
 * is FT_OK or the code of the first problem.  Loading continues after errors
 * so that all of a file's problems are reported at once. */
int ft_compiler_add_path(ft_compiler *c, const char *path);

/* Adds rules from YAML text in memory; name is used in diagnostics. */
int ft_compiler_add_string(ft_compiler *c, const char *name, const char *yaml,
                           size_t len);

/* Number of errors reported so far. */
int ft_compiler_error_count(const ft_compiler *c);

/* Resolves {{name}} references, compiles every pattern with PCRE2 (JIT when
 * available) and returns the immutable rule set.  Fails (and returns no rule
 * set) when any error was reported, now or while adding files. */
int ft_compiler_compile(ft_compiler *c, ft_rules **out);

/* ---- rule set --------------------------------------------------------- */

void ft_rules_destroy(ft_rules *r);

/* Number of rules. */
size_t ft_rules_count(const ft_rules *r);

/* Read-only description of one rule. */
typedef struct ft_rule_info {
    const char *id;
    const char *type;
    const char *pattern;     /* expanded PCRE2 pattern (alternatives joined by |) */
    const char *file;
    int line;
    int priority;
    const char *normalize;   /* normaliser name or NULL */
    size_t n_examples;       /* match + no_match examples */
} ft_rule_info;

int ft_rules_info(const ft_rules *r, size_t index, ft_rule_info *out);

/* Runs every rule's examples against the whole rule set; each failure is
 * reported through fn (level error, with the example's file and line).
 * Patterns that would be slow (no literal the prefilter can require) are
 * reported as warnings, which do not count as failures.
 * Returns the number of failing examples, or a negative ft_error. */
int ft_rules_check(const ft_rules *r, ft_diag_fn fn, void *user);

/* ---- scanning --------------------------------------------------------- */

typedef enum ft_utf8_mode {
    FT_UTF8_REPLACE = 0, /* each invalid byte is one U+FFFD code point */
    FT_UTF8_SKIP = 1,    /* documents with invalid UTF-8 get no entities, a warning */
    FT_UTF8_FAIL = 2     /* ft_scanner_scan returns FT_ERR_UTF8 */
} ft_utf8_mode;

typedef struct ft_scan_opts {
    int keep_overlaps;        /* non-zero: keep every candidate (--overlaps all) */
    int explain;              /* non-zero: keep losers too, with the reason */
    ft_utf8_mode utf8_mode;
    const char *ref_date;     /* document date "YYYY-MM-DD[...]" or NULL */
    uint32_t match_limit;     /* PCRE2 match limit per call (0 = default) */
    uint32_t depth_limit;     /* PCRE2 depth limit per call (0 = default) */
    int plain;                /* non-zero: disable the prefilter (testing) */
} ft_scan_opts;

/* Fills opts with the defaults. */
void ft_scan_opts_init(ft_scan_opts *opts);

typedef enum ft_value_kind {
    FT_VAL_NULL = 0,
    FT_VAL_NUM,
    FT_VAL_STR,
    FT_VAL_BOOL
} ft_value_kind;

/* A normalised attribute of a span: value, unit, low, high, name, ... */
typedef struct ft_attr {
    const char *key;
    ft_value_kind kind;
    double num;
    const char *str;
    int boolean;
} ft_attr;

typedef struct ft_span {
    const char *type;
    const char *rule_id;
    size_t byte_start, byte_end;   /* UTF-8 bytes, end-exclusive */
    size_t start, end;             /* code points, end-exclusive */
    size_t u16_start, u16_end;     /* UTF-16 code units, end-exclusive */
    int priority;
    size_t n_attrs;
    const ft_attr *attrs;
    /* explain mode only: kept = 1 for winners; for losers, lost_to is the
     * index of the winning span in the result and why a short reason. */
    int kept;
    long lost_to;
    const char *why;
} ft_span;

typedef struct ft_result {
    size_t n_spans;
    const ft_span *spans;          /* sorted by byte_start, then byte_end */
    size_t n_warnings;
    const char *const *warnings;   /* e.g. a rule hit the match limit */
    int invalid_utf8;              /* number of invalid bytes seen */
} ft_result;

/* Creates a scanner for rules; the rule set must outlive it. */
int ft_scanner_create(const ft_rules *rules, ft_scanner **out);
void ft_scanner_destroy(ft_scanner *s);

/* Tags one document.  opts may be NULL for the defaults.  On success *out
 * points at a result owned by the scanner (valid until the next call). */
int ft_scanner_scan(ft_scanner *s, const char *text, size_t len,
                    const ft_scan_opts *opts, const ft_result **out);

/* ---- long documents in pieces ------------------------------------------ */

/* A document too long to hold in memory (a 100 MB JSONL line, a log-sized
 * text file) is fed to an ft_stream in pieces of any size.  The stream cuts
 * it into windows of about window_bytes, preferably after a line or
 * sentence end, and scans each window with 4 KiB of the text before it (so
 * matches see their left context and overlaps are resolved as in one scan)
 * and 4 KiB after it (so an entity that crosses the cut is found whole).
 * Memory is bounded by the window size, not by the document.
 *
 * Each window's entities are handed to fn as soon as they are final, in
 * document order.  Their offsets (bytes, code points, UTF-16 units) count
 * from the start of the whole document.  text points at the window's bytes
 * and text_base is the document offset of text[0], so an entity's text is
 * text + (span->byte_start - text_base).  part, its spans and text are
 * valid only during the call.  part->invalid_utf8 counts the invalid bytes
 * of this window only; part->warnings are this window's.  A non-zero return
 * from fn stops the stream: ft_stream_write/ft_stream_finish return
 * FT_ERR_ABORTED from then on.
 *
 * Differences from one ft_scanner_scan of the whole text, by design: a
 * declared unit (单位：亿元) applies from the window where it is declared
 * onwards, not to text before it; an entity longer than 4 KiB is not
 * found; FT_UTF8_SKIP skips the windows with invalid bytes, not the whole
 * document.  opts->explain is not supported (FT_ERR_ARG). */
typedef struct ft_stream ft_stream;
typedef int (*ft_stream_fn)(const ft_result *part, const char *text, size_t text_base,
                            size_t text_len, void *user);

/* Starts a stream over scanner s (which it uses exclusively until
 * ft_stream_destroy).  opts is copied (ref_date too); window_bytes 0 means
 * the default of 1 MiB, smaller values (down to 64) are for testing. */
int ft_stream_create(ft_scanner *s, const ft_scan_opts *opts, size_t window_bytes,
                     ft_stream_fn fn, void *user, ft_stream **out);
/* Appends the next len bytes of the document; calls fn for every window
 * that is complete. */
int ft_stream_write(ft_stream *st, const char *data, size_t len);
/* Ends the document: scans what is left and calls fn for it. */
int ft_stream_finish(ft_stream *st);
void ft_stream_destroy(ft_stream *st);

/* Looks up an attribute of a span by key; NULL when absent. */
const ft_attr *ft_span_attr(const ft_span *span, const char *key);

/* Renders a result as a JSON array of entity objects (the "entities" value
 * of the JSONL output).  text/len must be the document just scanned.
 * Returns a NUL-terminated string to free with ft_free(), or NULL. */
char *ft_result_to_json(const ft_result *res, const char *text, size_t len,
                        int utf16_offsets);

void ft_free(void *p);

#ifdef __cplusplus
}
#endif
#endif
