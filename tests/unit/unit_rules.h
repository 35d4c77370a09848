/*
 * unit_rules.h - compiling a rule set from YAML text in a unit test, with
 * the diagnostics collected as text ("line:col:rule:message" per line) so
 * that tests can look for the messages they expect.
 */
#ifndef FT_UNIT_RULES_H
#define FT_UNIT_RULES_H

#include <stdio.h>
#include <string.h>

#include "fintag.h"

typedef struct diags {
    char text[8192];
    int n;
} diags;

static void collect(const ft_diag *d, void *user)
{
    diags *g = user;
    size_t len = strlen(g->text);
    snprintf(g->text + len, sizeof g->text - len, "%d:%d:%s:%s\n", d->line, d->column,
             d->rule_id ? d->rule_id : "-", d->message);
    g->n++;
}

/* Compiles YAML text; returns the rule set or NULL.  Diagnostics go to g
 * when it is not NULL. */
static ft_rules *compile(const char *yaml, diags *g)
{
    ft_compiler *c;
    ft_rules *r = NULL;
    if (g)
        memset(g, 0, sizeof *g);
    ft_compiler_create(&c);
    if (g)
        ft_compiler_set_diag(c, collect, g);
    ft_compiler_add_string(c, "t.yaml", yaml, strlen(yaml));
    ft_compiler_compile(c, &r);
    ft_compiler_destroy(c);
    return r;
}

#endif
