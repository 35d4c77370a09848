/*
 * fintag_int.h - private structures shared by the library's modules.
 *
 * Nothing here is installed.  The modules are:
 *   error.c     error texts, version, diagnostic helper
 *   buf.c       growable byte buffer and JSON string escaping
 *   utf8.c      UTF-8 validation/sanitising and offset conversion
 *   loader.c    YAML rule files -> rule definitions (with source positions)
 *   compiler.c  definitions -> expanded, PCRE2-compiled immutable rule set
 *   rules.c     rule-set queries and the example checker
 *   scanner.c   per-thread matching, normalisation and overlap resolution
 *   chunk.c     ft_stream: one long document scanned in windows
 *   prefilter.c required-literal gates: which windows each pattern runs on
 *   resolve.c   the overlap resolver (pure function, unit-tested)
 *   numeral.c   Arabic / Chinese / financial numerals -> double
 *   norm.c      the named value normalisers (money, percent, ...)
 *   json.c      entity array rendering
 */
#ifndef FINTAG_INT_H
#define FINTAG_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>

#include "fintag.h"

#define FT_UNUSED(x) ((void)(x))

/* ---- buf.c ------------------------------------------------------------- */

/* A growable byte buffer; p is always NUL-terminated when cap > 0. */
typedef struct ft_buf {
    char *p;
    size_t len, cap;
} ft_buf;

int ft_buf_reserve(ft_buf *b, size_t extra);
int ft_buf_add(ft_buf *b, const char *s, size_t n);
int ft_buf_adds(ft_buf *b, const char *s);
int ft_buf_addc(ft_buf *b, char c);
int ft_buf_addf(ft_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends s[0..n) as a quoted JSON string; invalid UTF-8 bytes become
 * \ufffd, control characters are escaped. */
int ft_buf_add_json_str(ft_buf *b, const char *s, size_t n);
/* Writes s (n bytes) at o as a JSON string literal, as ft_buf_add_json_str()
 * does; returns the end.  o must have room for ft_json_room(n) bytes. */
char *ft_json_str_at(char *o, const char *s, size_t n);
size_t ft_json_room(size_t n);
/* Appends a number the way fintag prints values: integral values without a
 * fraction or exponent, others with up to 15 significant digits. */
int ft_buf_add_num(ft_buf *b, double v);
/* Appends code point c (at most U+10FFFF) encoded as UTF-8. */
int ft_buf_add_cp(ft_buf *b, uint32_t c);
/* Appends an unsigned integer in decimal (without printf). */
int ft_buf_add_uint(ft_buf *b, size_t v);
/* Writes v in decimal at o (room for 20 bytes); returns the end. */
char *ft_uint_at(char *o, size_t v);
void ft_buf_free(ft_buf *b);
char *ft_strndup(const char *s, size_t n);
char *ft_strdup(const char *s);
/* Zeroed memory for n objects of size bytes that shares no cache line with
 * any other allocation (aligned to 64 bytes, size rounded up to them):
 * state a scanner writes while it scans, so that scanners in different
 * threads never write to one line.  Freed with free(); NULL when out of
 * memory. */
void *ft_calloc_lines(size_t n, size_t size);
/* Rounds v to 15 significant digits (removes binary noise: 6.06*1e8). */
double ft_round15(double v);

/* ---- json.c ------------------------------------------------------------ */

/* Appends the JSON array of res's entities (ft_result_to_json's text) to b;
 * returns 0 or FT_ERR_NOMEM. */
int ft_json_add_entities(ft_buf *b, const struct ft_result *res, const char *text, size_t len,
                         int utf16_offsets);

/* ---- utf8.c ------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when the byte at s
 * does not start a valid sequence within n bytes (RFC 3629: no overlongs,
 * no surrogates, nothing above U+10FFFF).  Inline: it is on every hot path. */
static inline int ft_utf8_seq_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    if (c < 0xC2 || c > 0xF4)
        return 0;
    if (c < 0xE0)
        return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c < 0xF0) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F))
            return 0;
        return 3;
    }
    if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
        (s[3] & 0xC0) != 0x80)
        return 0;
    if ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] > 0x8F))
        return 0;
    return 4;
}

/* Decodes the valid sequence at s (length from ft_utf8_seq_len). */
static inline uint32_t ft_utf8_decode(const unsigned char *s, int len)
{
    switch (len) {
    case 1: return s[0];
    case 2: return ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
    case 3:
        return ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) |
               (s[2] & 0x3F);
    default:
        return ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
               ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
    }
}

/* Length of the sequence that starts with lead byte c of valid UTF-8. */
static inline int ft_utf8_lead_len(unsigned char c)
{
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* The code point ending at byte pos (> 0) of valid UTF-8 text (no checks:
 * the scanner's text is validated or sanitised); sets *prev to where it
 * starts. */
static inline uint32_t ft_utf8_before(const char *text, size_t pos, size_t *prev)
{
    const unsigned char *u = (const unsigned char *)text;
    size_t j = pos - 1;
    if (u[j] < 0x80) {
        *prev = j;
        return u[j];
    }
    size_t lim = pos >= 4 ? pos - 4 : 0;
    while (j > lim && (u[j] & 0xC0) == 0x80)
        j--;
    *prev = j;
    return ft_utf8_decode(u + j, (int)(pos - j));
}
/* The code point starting at byte pos (< len) of text; sets *next to the
 * byte after it.  A byte that starts no valid sequence (none does in the
 * scanner's validated or sanitised text) counts as itself, one byte. */
static inline uint32_t ft_utf8_at(const char *text, size_t len, size_t pos, size_t *next)
{
    const unsigned char *u = (const unsigned char *)text;
    int l = u[pos] < 0x80 ? 1 : ft_utf8_seq_len(u + pos, len - pos);
    if (l <= 1) {
        *next = pos + 1;
        return u[pos];
    }
    *next = pos + (size_t)l;
    return ft_utf8_decode(u + pos, l);
}
/* Counts invalid bytes of s[0..n) (AVX2 or base code, chosen at run time). */
size_t ft_utf8_count_invalid(const char *s, size_t n);
/* The same with the SSE2/scalar code only. */
size_t ft_utf8_count_invalid_base(const char *s, size_t n);
#if defined(__x86_64__) && defined(__GNUC__)
#define FT_UTF8_AVX2 1
/* The same with AVX2 (only where ft_utf8_avx2_usable() says so). */
size_t ft_utf8_count_invalid_avx2(const char *s, size_t n);
/* Whether this CPU and OS run AVX2 code. */
int ft_utf8_avx2_usable(void);
#endif
/* Copies s into dst (n bytes), replacing every invalid byte with 0x1A so that
 * byte offsets stay true and each bad byte is one code point. */
void ft_utf8_sanitize(const char *s, size_t n, char *dst);
/* Step back from byte offset i to the start of the previous code point. */
size_t ft_utf8_prev(const char *s, size_t i);
/* Code-point length of s[0..n) (invalid bytes count one each). */
size_t ft_utf8_cp_count(const char *s, size_t n);
/* Column (1-based, in code points) of byte offset off within the line that
 * starts at line_start. */
int ft_utf8_column(const char *s, size_t line_start, size_t off);

/* ---- diagnostics (error.c) ---------------------------------------------- */

typedef struct ft_diag_sink {
    ft_diag_fn fn;
    void *user;
    int errors;
    int warnings;
} ft_diag_sink;

void ft_diag_emit(ft_diag_sink *sink, ft_diag_level level, const char *file,
                  int line, int col, const char *rule_id, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* ---- tables ------------------------------------------------------------ */

/* A named table from a rule file (`lists:` entries have no values, `tables:`
 * entries map a word to a number or a string).  Entries are kept sorted by
 * key bytes for binary search; `order` lists them longest first for
 * alternations. */
typedef struct ft_tab_entry {
    char *key;
    size_t klen;
    ft_value_kind kind;     /* FT_VAL_NULL for plain list items */
    double num;
    char *str;
} ft_tab_entry;

typedef struct ft_table {
    char *name;
    char *file;
    int line, col;
    ft_tab_entry *e;
    size_t n;
    int is_list;
    /* after ft_table_sort(): the keys starting with byte b (sorted, so
     * together) are e[by_first[b]] .. e[by_first[b + 1] - 1] */
    uint32_t by_first[257];
} ft_table;

/* Finds a key exactly; NULL when absent. */
const ft_tab_entry *ft_table_get(const ft_table *t, const char *key, size_t klen);
/* Finds the longest key that is a prefix of s[0..n). */
const ft_tab_entry *ft_table_prefix(const ft_table *t, const char *s, size_t n);
/* Finds the longest key that is a suffix of s[0..n). */
const ft_tab_entry *ft_table_suffix(const ft_table *t, const char *s, size_t n);

/* ---- rules ------------------------------------------------------------- */

/* A position inside a YAML file, used to map a pattern error back. */
typedef struct ft_srcpos {
    const char *file;      /* interned in the rule set */
    int line, col;         /* 1-based; col in code points */
    size_t index;          /* byte index of the scalar in the file */
    int style;             /* yaml_scalar_style_t */
} ft_srcpos;

typedef struct ft_example_kv {
    char *key;
    char *val;            /* expected value, as text */
} ft_example_kv;

typedef struct ft_example {
    int is_match;
    char *text;           /* the example input */
    char *span;           /* expected span text (match only; NULL = whole text) */
    ft_example_kv *kv;    /* expected attributes */
    size_t n_kv;
    int line;
} ft_example;

struct ft_norm_ctx;
typedef int (*ft_norm_fn)(struct ft_norm_ctx *ctx);

typedef struct ft_rule {
    char *id;
    char *type;
    char *description;
    char *normalize;      /* normaliser name */
    ft_norm_fn norm;
    int priority;
    uint32_t pcre_flags;
    char **raw;           /* patterns as written */
    ft_srcpos *raw_pos;
    size_t n_pat;
    char **expanded;      /* after {{name}} expansion */
    pcre2_code **code;
    char *dump;           /* expanded alternatives joined for `rules --dump` */
    ft_example *ex;
    size_t n_ex;
    const char *file;
    int line, col;
    size_t index;
    int hidden;           /* type starts with '_': context rule, not emitted */
    char *requires;       /* `requires:` a context type; NULL = always run */
    int fact_bit;         /* context rule: bit of its type in ft_doc_ctx.facts */
    int req_bit;          /* bit that must be set for the rule to run, or -1 */
} ft_rule;

typedef struct ft_define {
    char *name;
    char *value;
    ft_srcpos pos;
} ft_define;

struct ft_rules {
    ft_rule *rules;
    size_t n_rules;
    ft_table *tables;
    size_t n_tables;
    const ft_table **table_by_name; /* the tables sorted by name */
    ft_define *defines;
    size_t n_defines;
    char **files;         /* interned file names */
    size_t n_files;
    uint32_t max_pairs;   /* largest ovector needed */
    int jit;
    struct ft_prefilter *pf;  /* required-literal gates (prefilter.c) */
};

const ft_table *ft_rules_table(const ft_rules *r, const char *name);

/* ---- loader.c ---------------------------------------------------------- */

/* Everything read from rule files before compilation. */
typedef struct ft_ruledefs {
    ft_rule *rules;
    size_t n_rules, cap_rules;
    ft_table *tables;
    size_t n_tables, cap_tables;
    ft_define *defines;
    size_t n_defines, cap_defines;
    char **files;
    size_t n_files, cap_files;
    char **sources;       /* file contents, parallel to files (for positions) */
    size_t *source_lens;
} ft_ruledefs;

/* Parses one YAML rule file held in memory and appends its contents to defs.
 * Reports every problem through sink; returns the number of errors. */
int ft_load_yaml(ft_ruledefs *defs, const char *file, const char *text,
                 size_t len, ft_diag_sink *sink);
void ft_ruledefs_free(ft_ruledefs *defs);
void ft_rule_free(ft_rule *r);
void ft_table_free(ft_table *t);
/* Sorts a table's entries by key (after loading). */
void ft_table_sort(ft_table *t);
/* Maps a byte offset inside a scalar's value back to line/column. */
void ft_srcpos_map(const ft_ruledefs *defs, const ft_srcpos *pos,
                   const char *value, size_t off, int *line, int *col);

/* ---- scanner / normalisers --------------------------------------------- */

/* A candidate span during a scan.  Attribute strings are offsets into the
 * scanner's string arena until the scan is finished. */
typedef struct ft_cand {
    size_t bs, be;         /* byte offsets */
    const ft_rule *rule;
    size_t attr_off;       /* first attribute in the scanner's attr array */
    size_t n_attrs;
    int kept;
    long lost_to;
    const char *why;
} ft_cand;

typedef struct ft_doc_ctx {
    const char *ref_date;          /* "YYYY-MM-DD" or NULL */
    int ref_y, ref_m, ref_d;       /* parsed ref_date, 0 when unknown */
    double default_scale;          /* from 单位：亿元, 0 = none */
    char default_currency[8];      /* from 单位：亿元 */
    uint64_t facts;                /* context types whose rules kept a match */
} ft_doc_ctx;

/* What a normaliser sees: the document, the match, its captures. */
typedef struct ft_norm_ctx {
    const ft_rules *rules;
    const ft_rule *rule;
    const char *text;          /* whole document (sanitised) */
    size_t len;
    size_t start, end;         /* match; a normaliser may narrow it */
    pcre2_code *code;
    PCRE2_SIZE *ovector;
    uint32_t n_pairs;
    ft_doc_ctx *doc;
    struct ft_scanner *sc;
    ft_cand *cand;
} ft_norm_ctx;

/* ft_scanner_scan with a document context carried between the pieces of
 * one long document (chunk.c); carry == NULL is a whole document. */
int ft_scanner_scan_doc(struct ft_scanner *s, const char *text, size_t len,
                        const struct ft_scan_opts *opts, ft_doc_ctx *carry,
                        const struct ft_result **out);

/* json.c: appends the entity objects of res to b, comma-separated (none
 * before the first when *first is set, which it then clears).  text holds
 * the document's bytes [base, base + len); spans outside are skipped. */
int ft_json_add_spans(ft_buf *b, const struct ft_result *res, const char *text, size_t base,
                      size_t len, int utf16_offsets, int *first);

/* Normaliser return values. */
#define FT_NORM_KEEP 0
#define FT_NORM_REJECT 1

/* Finds a normaliser by name; NULL when there is none. */
ft_norm_fn ft_norm_find(const char *name);
/* Comma-separated list of normaliser names (for diagnostics). */
const char *ft_norm_names(void);

/* Capture access: sets s and n, returns 1 when group `name` matched.  The
 * name-table lookup is cached in the scanner by the name's address, so name
 * must not change while the scanner lives (normalisers pass literals). */
int ft_norm_group(const ft_norm_ctx *ctx, const char *name, const char **s,
                  size_t *n);
/* ft_rules_table() of the context's rules, cached in the scanner by the
 * name's address as ft_norm_group() caches its lookups (names must be
 * literals). */
const ft_table *ft_norm_table(const ft_norm_ctx *ctx, const char *name);
/* Attribute setters (copy their strings). */
int ft_norm_set_num(ft_norm_ctx *ctx, const char *key, double v);
int ft_norm_set_str(ft_norm_ctx *ctx, const char *key, const char *s, size_t n);
int ft_norm_set_bool(ft_norm_ctx *ctx, const char *key, int v);
int ft_norm_set_null(ft_norm_ctx *ctx, const char *key);

/* ---- numeral.c --------------------------------------------------------- */

/* Parses a whole numeral: ASCII or full-width Arabic digits with optional
 * thousands separators (, ， ,) and decimal point (. ． 点), Chinese numerals
 * (零〇一二两三四五六七八九 十百千万亿, 壹贰叁肆伍陆柒捌玖拾佰仟) and mixed
 * forms such as 1.2万亿 or 3万5千.  digits maps numeral characters to values
 * 0-9; units maps 十/百/千/万/亿 (and financial forms) to their multiples;
 * either may be NULL for built-in defaults.  Returns 0 and sets *out on
 * success, -1 when s is not a complete numeral. */
int ft_numeral_parse(const ft_table *digits, const ft_table *units,
                     const char *s, size_t n, double *out);

/* ---- prefilter.c ------------------------------------------------------- */

/* Required-literal gates, built once per rule set (immutable), and the
 * per-scanner hit lists. */
typedef struct ft_prefilter ft_prefilter;
typedef struct ft_pf_state ft_pf_state;

/* Analyses every expanded pattern of rs and builds the gates. */
int ft_prefilter_build(const ft_rules *rs, ft_prefilter **out);
void ft_prefilter_free(ft_prefilter *pf);
/* Gate of pattern k of rule `rule`, or -1 (run plainly); *back is the most
 * bytes between a match attempt's start and its gate hit (SIZE_MAX when
 * unbounded). */
int ft_prefilter_gate(const ft_prefilter *pf, size_t rule, size_t k, size_t *back);
/* The gate of pattern k of rule `rule` as the scanner uses it; NULL when the
 * pattern runs plainly. */
typedef struct ft_pf_pat ft_pf_pat;
const ft_pf_pat *ft_prefilter_pat(const ft_prefilter *pf, size_t rule, size_t k);
int ft_pf_pat_gate(const ft_pf_pat *p);
/* A second gate one of whose atoms every match of p has between its start
 * and its gate hit (at or after ft_pf_walk_lo() of the hit, before the
 * hit), or -1. */
int ft_pf_pat_also(const ft_pf_pat *p);
/* Number of patterns (gated or not) of the rule set. */
size_t ft_prefilter_pats(const ft_prefilter *pf);
/* The number of pattern k of rule `rule` among them (below
 * ft_prefilter_pats()), the order ft_pf_runnable() uses. */
size_t ft_prefilter_pat_index(const ft_prefilter *pf, size_t rule, size_t k);
/* Classes of p, each below ft_prefilter_pats(): patterns of one walk class
 * get the same ft_pf_walk_lo(), patterns of one check class the same
 * ft_pf_hit_ok(), for every hit of their (common) gate. */
void ft_pf_pat_classes(const ft_pf_pat *p, size_t *wcls, size_t *ccls);
/* The lowest offset >= start at which a match attempt whose gate hit is at
 * byte h can begin (look-back bound, then the characters allowed before the
 * hit, walked back from h). */
size_t ft_pf_window_lo(const ft_pf_pat *p, const char *text, size_t start, size_t h);
/* The same bound before the scan's position is applied: for a start that
 * is a character boundary no later than h, ft_pf_window_lo() is the larger
 * of start and this, so the scanner can compute it once per hit. */
size_t ft_pf_walk_lo(const ft_pf_pat *p, const char *text, size_t h);
/* Whether gate is lazy: only ever an also gate, its hits are not recorded
 * by ft_prefilter_scan() (ft_pf_hits() gives none); ft_pf_also_in() looks
 * for them where needed. */
int ft_pf_gate_lazy(const ft_prefilter *pf, int gate);
/* Whether an atom of gate starts at a character boundary in [lo, h) of
 * text (len bytes; lo a character boundary). */
int ft_pf_also_in(const ft_prefilter *pf, int gate, const char *text, size_t len, size_t lo,
                  size_t h);
/* Whether a hit of p's gate at byte h of text (len bytes) can be the gate
 * occurrence of a match: the text before it has what every match has there
 * (e.g. a digit before a unit word) and so has the text from it on (a digit
 * after "年").  1 when the pattern has no such checks. */
int ft_pf_hit_ok(const ft_pf_pat *p, const char *text, size_t len, size_t h);
size_t ft_prefilter_gates(const ft_prefilter *pf);
size_t ft_prefilter_atoms(const ft_prefilter *pf);
/* Appends the atoms of a gate as JSON strings separated by spaces. */
int ft_prefilter_describe(const ft_prefilter *pf, int gate, ft_buf *out);
int ft_pf_state_create(const ft_prefilter *pf, ft_pf_state **out);
void ft_pf_state_free(ft_pf_state *st);
/* Finds every atom occurrence in text (valid UTF-8) and fills the hit
 * lists; returns 0 or FT_ERR_NOMEM. */
int ft_prefilter_scan(const ft_prefilter *pf, ft_pf_state *st, const char *text,
                      size_t len);
/* The same with the AVX-512 loop (simd, where the CPU has it) or without:
 * the hits are the same either way (the tests compare them). */
int ft_pf_scan_path(const ft_prefilter *pf, ft_pf_state *st, const char *text, size_t len,
                    int simd);
/* Whether the AVX-512 loop runs on this CPU. */
int ft_pf_simd(const ft_prefilter *pf);
/* Sorted byte offsets where gate's atoms start, from the last scan. */
const size_t *ft_pf_hits(const ft_pf_state *st, int gate, size_t *n);
/* Which patterns can match in the document of the last scan, all at once
 * (one call per document instead of several per pattern): run[i] is 1 for
 * pattern i (ft_prefilter_pat_index()) when it runs plainly, or when its
 * gate has hits and so has its also gate (unless that one is lazy), else
 * 0.  The rules with such a pattern go to rules[], in ascending order;
 * returns their number.  run has ft_prefilter_pats() bytes, rules room
 * for every rule. */
size_t ft_pf_runnable(const ft_prefilter *pf, const ft_pf_state *st, unsigned char *run,
                      size_t *rules);

/* ---- resolve.c --------------------------------------------------------- */

/* Sorts candidates (start asc, end desc, priority desc, rule index asc) and
 * marks winners: leftmost-longest, then higher priority, then earlier rule.
 * With keep_all every candidate is kept.  Losers get lost_to (index of the
 * winner in the sorted array) and a reason. */
void ft_resolve(ft_cand *c, size_t n, int keep_all);

#endif
