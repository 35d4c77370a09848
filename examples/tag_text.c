/*
 * tag_text.c - the smallest complete use of libfintag: compile a rule
 * directory, scan one document, print its entities.
 *
 * Build against an installed fintag:
 *
 *     cc -o tag_text tag_text.c $(pkg-config --cflags --libs fintag)
 *     ./tag_text "$(pkg-config --variable=rulesdir fintag)" '营收5亿元，同比增长12%'
 *
 * With no TEXT argument the document is read from standard input.  Output:
 * one line per entity (type, code-point start and end, text, value), then
 * the same entities as the JSON array that `fintag` prints in "entities".
 * Rule problems are printed as file:line:column: message and exit with 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fintag.h>

/* Prints one rule diagnostic; user counts the errors. */
static void print_diag(const ft_diag *d, void *user)
{
    if (d->level == FT_DIAG_ERROR)
        ++*(int *)user;
    fprintf(stderr, "%s:%d:%d: %s\n", d->file ? d->file : "?", d->line, d->column,
            d->message);
}

/* Reads all of standard input into a malloc'ed buffer. */
static char *read_stdin(size_t *len)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, stdin)) > 0) {
        n += got;
        if (n == cap) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                return NULL;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    *len = n;
    return buf;
}

/* Prints the entities of one scan result, as lines and as JSON. */
static void print_result(const ft_result *res, const char *text, size_t len)
{
    for (size_t i = 0; i < res->n_spans; i++) {
        const ft_span *s = &res->spans[i];
        const ft_attr *v = ft_span_attr(s, "value");
        printf("%s\t%zu\t%zu\t%.*s", s->type, s->start, s->end,
               (int)(s->byte_end - s->byte_start), text + s->byte_start);
        if (v && v->kind == FT_VAL_NUM)
            printf("\t%g", v->num);
        else if (v && v->kind == FT_VAL_STR)
            printf("\t%s", v->str);
        putchar('\n');
    }
    char *json = ft_result_to_json(res, text, len, 0);
    if (json)
        printf("%s\n", json);
    ft_free(json);
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s RULES_DIR [TEXT]\n", argv[0]);
        return 2;
    }
    int errors = 0, status = 0;
    ft_compiler *comp = NULL;
    ft_rules *rules = NULL;
    ft_scanner *scanner = NULL;
    char *owned = NULL;
    int rc = ft_compiler_create(&comp);
    if (rc == FT_OK) {
        ft_compiler_set_diag(comp, print_diag, &errors);
        ft_compiler_add_path(comp, argv[1]);
        rc = ft_compiler_compile(comp, &rules);
    }
    ft_compiler_destroy(comp);
    if (rc == FT_OK)
        rc = ft_scanner_create(rules, &scanner);
    if (rc != FT_OK) {
        fprintf(stderr, "tag_text: %s (%d rule errors)\n", ft_strerror(rc), errors);
        status = 2;
    } else {
        const char *text = argc == 3 ? argv[2] : NULL;
        size_t len = text ? strlen(text) : 0;
        if (!text)
            text = owned = read_stdin(&len);
        const ft_result *res;
        rc = text ? ft_scanner_scan(scanner, text, len, NULL, &res) : FT_ERR_NOMEM;
        if (rc == FT_OK) {
            printf("# fintag %s, %zu rules\n", ft_version(), ft_rules_count(rules));
            print_result(res, text, len);
        } else {
            fprintf(stderr, "tag_text: %s\n", ft_strerror(rc));
            status = 1;
        }
    }
    free(owned);
    ft_scanner_destroy(scanner);
    ft_rules_destroy(rules);
    return status;
}
