/*
 * error.c - error codes to text, the library version, and the one helper
 * through which every module reports a diagnostic.
 *
 * The library never prints: a diagnostic is formatted into a stack buffer
 * and handed to the caller's callback (or only counted when there is none).
 */
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>

#include "fintag_int.h"

static const char *const error_text[FT_ERR__COUNT] = {
    [FT_OK] = "success",
    [FT_ERR_NOMEM] = "out of memory",
    [FT_ERR_IO] = "cannot read file",
    [FT_ERR_YAML] = "invalid YAML",
    [FT_ERR_RULE] = "invalid rule file",
    [FT_ERR_PATTERN] = "invalid pattern",
    [FT_ERR_ARG] = "invalid argument",
    [FT_ERR_STATE] = "operation not allowed in this state",
    [FT_ERR_UTF8] = "invalid UTF-8 in input",
    [FT_ERR_LIMIT] = "size limit exceeded",
    [FT_ERR_MATCH] = "internal matching error",
    [FT_ERR_EMPTY] = "no rules loaded",
    [FT_ERR_ABORTED] = "stopped by the callback",
};

const char *ft_strerror(int code)
{
    if (code < 0 || code >= FT_ERR__COUNT || !error_text[code])
        return "unknown error";
    return error_text[code];
}

const char *ft_version(void)
{
    return FT_VERSION_STRING;
}

void ft_free(void *p)
{
    free(p);
}

/* Formats one diagnostic and passes it to the sink's callback; counts errors
 * and warnings either way. */
void ft_diag_emit(ft_diag_sink *sink, ft_diag_level level, const char *file,
                  int line, int col, const char *rule_id, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (level == FT_DIAG_ERROR)
        sink->errors++;
    else if (level == FT_DIAG_WARNING)
        sink->warnings++;
    if (sink->fn) {
        ft_diag d = {level, file, line, col, rule_id, msg};
        sink->fn(&d, sink->user);
    }
}
