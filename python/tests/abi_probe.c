/*
 * abi_probe.c - prints the layout of the structures that the ctypes binding
 * (python/fintag/_native.py) mirrors, as the C compiler sees them, one
 * "struct.field offset" or "struct size" line each.  test_abi.py compares
 * the output with ctypes, so a field added to include/fintag.h without the
 * matching change in the binding fails the tests instead of corrupting memory.
 */
#include <stddef.h>
#include <stdio.h>

#include "fintag.h"

#define FIELD(s, f) printf(#s "." #f " %zu\n", offsetof(s, f))

int main(void)
{
    printf("ft_diag %zu\n", sizeof(ft_diag));
    FIELD(ft_diag, level);
    FIELD(ft_diag, file);
    FIELD(ft_diag, line);
    FIELD(ft_diag, column);
    FIELD(ft_diag, rule_id);
    FIELD(ft_diag, message);
    printf("ft_scan_opts %zu\n", sizeof(ft_scan_opts));
    FIELD(ft_scan_opts, keep_overlaps);
    FIELD(ft_scan_opts, explain);
    FIELD(ft_scan_opts, utf8_mode);
    FIELD(ft_scan_opts, ref_date);
    FIELD(ft_scan_opts, match_limit);
    FIELD(ft_scan_opts, depth_limit);
    FIELD(ft_scan_opts, plain);
    printf("ft_result %zu\n", sizeof(ft_result));
    FIELD(ft_result, n_spans);
    FIELD(ft_result, spans);
    FIELD(ft_result, n_warnings);
    FIELD(ft_result, warnings);
    FIELD(ft_result, invalid_utf8);
    return 0;
}
