/*
 * unit.h - a tiny unit-test harness.  Each test is a function; CHECK records
 * a failure with its line and keeps going; RUN prints one line per test,
 * "PASS suite/name" or "FAIL suite/name: file:line: expression", which
 * tests/run.sh counts.
 */
#ifndef FT_UNIT_H
#define FT_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_failed_checks;
static char unit_first_failure[512];

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (!(cond)) {                                                           \
            if (!unit_failed_checks++)                                           \
                snprintf(unit_first_failure, sizeof unit_first_failure,          \
                         "%s:%d: %s", __FILE__, __LINE__, #cond);                \
        }                                                                        \
    } while (0)

#define CHECK_STR(a, b) CHECK((a) && (b) && strcmp((a), (b)) == 0)

#define RUN(suite, fn)                                                           \
    do {                                                                         \
        unit_failed_checks = 0;                                                  \
        fn();                                                                    \
        if (unit_failed_checks)                                                  \
            printf("FAIL %s/%s: %s\n", suite, #fn, unit_first_failure);          \
        else                                                                     \
            printf("PASS %s/%s\n", suite, #fn);                                  \
    } while (0)

#endif
