/*
 * input_feed.h - the RSS 2.0 / RSS 1.0 / Atom reader used by input.c.
 *
 * A feed is parsed incrementally with expat: input.c hands it chunks of the
 * (possibly gzip-decompressed) file and takes finished items off a queue, so
 * a feed of any size is read in bounded memory and its first item is tagged
 * before its last one is read.
 */
#ifndef FINTAG_INPUT_FEED_H
#define FINTAG_INPUT_FEED_H

#include "cli.h"

typedef struct cli_feed cli_feed;

/* A parser for one feed file; fname is borrowed for the feed's lifetime. */
cli_feed *cli_feed_new(const cli_opts *opts, const char *fname);
/* Parses the next n bytes (final = 1 after the last chunk).  Returns 0, or
 * -1 when the XML is malformed (the error is queued as a failed document and
 * the rest of the file is ignored). */
int cli_feed_parse(cli_feed *f, const char *buf, size_t n, int final);
/* Moves the next finished item into doc (zeroed by the caller): 1 when one
 * was queued, 0 otherwise. */
int cli_feed_next(cli_feed *f, cli_doc *doc);
void cli_feed_free(cli_feed *f);

/* Appends the text of an HTML fragment: tags removed (block elements become
 * line breaks, script/style dropped), entities decoded, blanks collapsed. */
void cli_html_to_text(const char *s, size_t n, ft_buf *out);

#endif
