/*
 * writers.h - the output formats other than JSONL and the helpers they
 * share (defined in writer.c).  Each writer_*.c file defines one or more
 * cli_writer values that writer.c lists in its table.
 */
#ifndef FINTAG_WRITERS_H
#define FINTAG_WRITERS_H

#include "cli.h"

extern const cli_writer cli_writer_csv, cli_writer_tsv;           /* writer_csv.c */
extern const cli_writer cli_writer_conll;                         /* writer_conll.c */
extern const cli_writer cli_writer_spacy, cli_writer_doccano,
    cli_writer_labelstudio, cli_writer_brat;                      /* writer_annot.c */
extern const cli_writer cli_writer_inline, cli_writer_html;       /* writer_markup.c */
extern const cli_writer cli_writer_stats;                         /* writer_stats.c */

/* merge() for formats that only write the document's buffer: failed
 * documents are left out (their error is already on stderr), so the output
 * keeps its format's schema. */
int cli_merge_ok(cli_ctx *ctx, cli_doc *doc, FILE *f);

/* Appends s[0..n) with each invalid UTF-8 byte replaced by U+FFFD (one code
 * point each, so code-point offsets stay true). */
void cli_add_utf8(ft_buf *out, const char *s, size_t n);

/* Appends s[0..n) escaped for XML/HTML text and attribute values; invalid
 * UTF-8 and characters XML 1.0 forbids become U+FFFD. */
void cli_add_xml(ft_buf *out, const char *s, size_t n);

/* Appends an attribute's value as plain text (numbers as fintag prints
 * them, null as nothing).  Returns 1 when the value is a number. */
int cli_attr_text(const ft_attr *a, ft_buf *out);

/* The spans of res that do not overlap an earlier one (for formats that
 * cannot nest: CoNLL, spaCy, inline, HTML).  Returns a malloc'd array of
 * pointers into res and sets *n; NULL with *n = 0 when there are none. */
const ft_span **cli_flat_spans(const ft_result *res, size_t *n);

/* The distinct entity types of the rule set in rule order (hidden types
 * left out); a malloc'd array of strings owned by the rules. */
const char **cli_rule_types(const ft_rules *rules, size_t *n);

#endif
