/*
 * resolve.c - overlap resolution between candidate spans.
 *
 * Candidates are sorted by start (ascending), end (descending), priority
 * (descending) and rule order; a single left-to-right pass then keeps a
 * candidate when it starts at or after the end of the last kept one.  That
 * is leftmost-longest, ties broken by priority and then by the earlier rule.
 * The pass is O(n log n) and needs no extra memory.
 */
#include <stdlib.h>

#include "fintag_int.h"

static int cand_cmp(const void *a, const void *b)
{
    const ft_cand *x = a, *y = b;
    if (x->bs != y->bs)
        return x->bs < y->bs ? -1 : 1;
    if (x->be != y->be)
        return x->be > y->be ? -1 : 1;
    if (x->rule->priority != y->rule->priority)
        return x->rule->priority > y->rule->priority ? -1 : 1;
    if (x->rule->index != y->rule->index)
        return x->rule->index < y->rule->index ? -1 : 1;
    return (x->attr_off > y->attr_off) - (x->attr_off < y->attr_off);
}

/* Names why loser lost against winner (both already sorted). */
static const char *reason(const ft_cand *w, const ft_cand *l)
{
    if (w->bs < l->bs)
        return "overlaps a span that starts earlier";
    if (w->be > l->be)
        return "shorter than a span at the same start";
    if (w->rule->priority > l->rule->priority)
        return "same span, lower priority";
    return "same span and priority, later rule";
}

void ft_resolve(ft_cand *c, size_t n, int keep_all)
{
    if (n > 1)
        qsort(c, n, sizeof *c, cand_cmp);
    long last = -1;
    for (size_t i = 0; i < n; i++) {
        c[i].lost_to = -1;
        c[i].why = NULL;
        if (keep_all || last < 0 || c[i].bs >= c[last].be) {
            c[i].kept = 1;
            last = (long)i;
        } else {
            c[i].kept = 0;
            c[i].lost_to = last;
            c[i].why = reason(&c[last], &c[i]);
        }
    }
}
