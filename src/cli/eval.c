/*
 * eval.c - `fintag eval`: scores the tagger against gold JSONL.
 * (Being written; see issue 3.)
 */
#include "cli.h"

int cli_eval(const cli_opts *opts, const ft_rules *rules)
{
    FT_UNUSED(opts);
    FT_UNUSED(rules);
    fprintf(stderr, "fintag: eval is not available yet\n");
    return EXIT_USAGE;
}
