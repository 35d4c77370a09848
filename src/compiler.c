/*
 * compiler.c - the ft_compiler: collects rule files, expands {{name}}
 * references and compiles every pattern with PCRE2 (UTF mode, JIT) into an
 * immutable ft_rules.
 *
 * Expansion keeps a map from the expanded pattern back to the pattern as
 * written, so that an error PCRE2 reports at an offset of the expanded text
 * is shown at the line and column of the YAML file where the offending
 * character was typed (or at the {{reference}} that brought it in).
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fintag_int.h"

struct ft_compiler {
    ft_ruledefs defs;
    ft_diag_sink sink;
    int done;
};

int ft_compiler_create(ft_compiler **out)
{
    if (!out)
        return FT_ERR_ARG;
    *out = calloc(1, sizeof **out);
    return *out ? FT_OK : FT_ERR_NOMEM;
}

void ft_compiler_destroy(ft_compiler *c)
{
    if (!c)
        return;
    ft_ruledefs_free(&c->defs);
    free(c);
}

void ft_compiler_set_diag(ft_compiler *c, ft_diag_fn fn, void *user)
{
    if (!c)
        return;
    c->sink.fn = fn;
    c->sink.user = user;
}

int ft_compiler_error_count(const ft_compiler *c)
{
    return c ? c->sink.errors : 0;
}

int ft_compiler_add_string(ft_compiler *c, const char *name, const char *yaml,
                           size_t len)
{
    if (!c || !yaml)
        return FT_ERR_ARG;
    if (c->done)
        return FT_ERR_STATE;
    int errs = ft_load_yaml(&c->defs, name ? name : "<string>", yaml, len, &c->sink);
    return errs ? FT_ERR_RULE : FT_OK;
}

/* Reads a whole file into a malloc'd buffer. */
static int read_file(const char *path, char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return FT_ERR_IO;
    ft_buf b = {0};
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        if (ft_buf_add(&b, tmp, n)) {
            fclose(f);
            ft_buf_free(&b);
            return FT_ERR_NOMEM;
        }
    int err = ferror(f);
    fclose(f);
    if (err) {
        ft_buf_free(&b);
        return FT_ERR_IO;
    }
    if (!b.p && ft_buf_reserve(&b, 0))
        return FT_ERR_NOMEM;
    *data = b.p;
    *len = b.len;
    return FT_OK;
}

static int add_file(ft_compiler *c, const char *path)
{
    char *data;
    size_t len;
    int rc = read_file(path, &data, &len);
    if (rc) {
        ft_diag_emit(&c->sink, FT_DIAG_ERROR, path, 0, 0, NULL, "cannot read: %s",
                     strerror(errno));
        return rc;
    }
    int errs = ft_load_yaml(&c->defs, path, data, len, &c->sink);
    free(data);
    return errs ? FT_ERR_RULE : FT_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n > m && !strcmp(s + n - m, suf);
}

int ft_compiler_add_path(ft_compiler *c, const char *path)
{
    if (!c || !path)
        return FT_ERR_ARG;
    if (c->done)
        return FT_ERR_STATE;
    struct stat st;
    if (stat(path, &st) != 0) {
        ft_diag_emit(&c->sink, FT_DIAG_ERROR, path, 0, 0, NULL, "cannot open: %s",
                     strerror(errno));
        return FT_ERR_IO;
    }
    if (!S_ISDIR(st.st_mode))
        return add_file(c, path);
    DIR *d = opendir(path);
    if (!d) {
        ft_diag_emit(&c->sink, FT_DIAG_ERROR, path, 0, 0, NULL, "cannot open: %s",
                     strerror(errno));
        return FT_ERR_IO;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' ||
            !(has_suffix(e->d_name, ".yaml") || has_suffix(e->d_name, ".yml")))
            continue;
        char **nn = realloc(names, (n + 1) * sizeof *nn);
        if (!nn)
            break;
        names = nn;
        size_t need = strlen(path) + strlen(e->d_name) + 2;
        names[n] = malloc(need);
        if (!names[n])
            break;
        snprintf(names[n], need, "%s%s%s", path,
                 has_suffix(path, "/") ? "" : "/", e->d_name);
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    int rc = FT_OK;
    for (size_t i = 0; i < n; i++) {
        int r = add_file(c, names[i]);
        if (r && !rc)
            rc = r;
        free(names[i]);
    }
    free(names);
    return rc;
}

/* ---- expansion ---------------------------------------------------------- */

/* One piece of an expanded pattern: bytes [out, out_end) came from raw
 * offset `raw` onwards (literal) or were inserted for the reference written
 * at raw offset `raw` (inserted). */
typedef struct seg {
    size_t out, out_end, raw;
    int literal;
} seg;

/* Longest pattern a rule may expand to (bytes). */
#define EXPANDED_MAX (1u << 20)

typedef struct expander {
    ft_compiler *c;
    ft_buf out;
    seg *segs;
    size_t n_segs;
    int depth;
    int failed;
    const ft_rule *rule;
} expander;

static const ft_define *find_define(const ft_ruledefs *d, const char *name, size_t n)
{
    for (size_t i = 0; i < d->n_defines; i++)
        if (strlen(d->defines[i].name) == n && !memcmp(d->defines[i].name, name, n))
            return &d->defines[i];
    return NULL;
}

static const ft_table *find_table(const ft_ruledefs *d, const char *name, size_t n)
{
    for (size_t i = 0; i < d->n_tables; i++)
        if (strlen(d->tables[i].name) == n && !memcmp(d->tables[i].name, name, n))
            return &d->tables[i];
    return NULL;
}

static void add_seg(expander *x, size_t out, size_t raw, int literal)
{
    if (out == x->out.len)
        return;
    seg *s = realloc(x->segs, (x->n_segs + 1) * sizeof *s);
    if (!s)
        return;
    x->segs = s;
    s[x->n_segs++] = (seg){out, x->out.len, raw, literal};
}

/* Appends a word from a list as a PCRE2 literal. */
static void add_quoted(ft_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strchr("\\^$.|?*+()[]{}#- ", s[i]) && s[i])
            ft_buf_addc(b, '\\');
        ft_buf_addc(b, s[i]);
    }
}

static int by_len_desc(const void *a, const void *b)
{
    const ft_tab_entry *x = *(const ft_tab_entry *const *)a;
    const ft_tab_entry *y = *(const ft_tab_entry *const *)b;
    if (x->klen != y->klen)
        return x->klen > y->klen ? -1 : 1;
    return memcmp(x->key, y->key, x->klen);
}

static void expand_table(expander *x, const ft_table *t)
{
    const ft_tab_entry **ord = malloc(t->n * sizeof *ord);
    if (!ord) {
        x->failed = 1;
        return;
    }
    for (size_t i = 0; i < t->n; i++)
        ord[i] = &t->e[i];
    qsort(ord, t->n, sizeof *ord, by_len_desc);
    ft_buf_adds(&x->out, "(?:");
    for (size_t i = 0; i < t->n; i++) {
        if (i)
            ft_buf_addc(&x->out, '|');
        add_quoted(&x->out, ord[i]->key, ord[i]->klen);
    }
    ft_buf_addc(&x->out, ')');
    free(ord);
}

/* Expands text into x->out.  top is non-zero for the rule's own pattern
 * (whose segments are recorded); references inside defines are expanded
 * recursively and recorded as inserted at the top-level reference. */
static void expand(expander *x, const char *text, const ft_srcpos *pos, int top,
                   size_t top_ref)
{
    size_t i = 0, lit = 0, n = strlen(text);
    while (i < n) {
        if (text[i] == '\\' && i + 1 < n) {
            i += 2;
            continue;
        }
        if (text[i] != '{' || text[i + 1] != '{') {
            i++;
            continue;
        }
        const char *close = strstr(text + i + 2, "}}");
        if (!close) {
            i++;
            continue;
        }
        size_t name_s = i + 2, name_n = (size_t)(close - text) - name_s;
        size_t out0 = x->out.len;
        ft_buf_add(&x->out, text + lit, i - lit);
        if (top)
            add_seg(x, out0, lit, 1);
        size_t ref = top ? i : top_ref;
        out0 = x->out.len;
        const ft_define *df = find_define(&x->c->defs, text + name_s, name_n);
        const ft_table *tb = df ? NULL : find_table(&x->c->defs, text + name_s, name_n);
        if (df) {
            if (x->depth > 32) {
                int line, col;
                ft_srcpos_map(&x->c->defs, pos, text, i, &line, &col);
                ft_diag_emit(&x->c->sink, FT_DIAG_ERROR, pos->file, line, col,
                             x->rule ? x->rule->id : NULL,
                             "{{%.*s}} refers to itself (recursion deeper than 32)",
                             (int)name_n, text + name_s);
                x->failed = 1;
                return;
            }
            if (x->out.len > EXPANDED_MAX) {
                /* nested defines can double a pattern at every level */
                int line, col;
                ft_srcpos_map(&x->c->defs, pos, text, i, &line, &col);
                ft_diag_emit(&x->c->sink, FT_DIAG_ERROR, pos->file, line, col,
                             x->rule ? x->rule->id : NULL,
                             "pattern longer than %u bytes after expanding {{%.*s}}",
                             EXPANDED_MAX, (int)name_n, text + name_s);
                x->failed = 1;
                return;
            }
            x->depth++;
            ft_buf_adds(&x->out, "(?:");
            expand(x, df->value, &df->pos, 0, ref);
            ft_buf_addc(&x->out, ')');
            x->depth--;
            if (x->failed)
                return;
        } else if (tb) {
            expand_table(x, tb);
        } else {
            int line, col;
            ft_srcpos_map(&x->c->defs, pos, text, i, &line, &col);
            ft_diag_emit(&x->c->sink, FT_DIAG_ERROR, pos->file, line, col,
                         x->rule ? x->rule->id : NULL,
                         "undefined name {{%.*s}} (not a define, list or table)",
                         (int)name_n, text + name_s);
            x->failed = 1;
        }
        if (top)
            add_seg(x, out0, ref, 0);
        i = (size_t)(close - text) + 2;
        lit = i;
    }
    size_t out0 = x->out.len;
    ft_buf_add(&x->out, text + lit, n - lit);
    if (top)
        add_seg(x, out0, lit, 1);
}

/* Maps an offset in the expanded pattern back to the raw pattern. */
static size_t raw_offset(const expander *x, size_t off)
{
    for (size_t i = 0; i < x->n_segs; i++) {
        const seg *s = &x->segs[i];
        if (off >= s->out && off < s->out_end)
            return s->literal ? s->raw + (off - s->out) : s->raw;
    }
    if (x->n_segs) {
        const seg *s = &x->segs[x->n_segs - 1];
        return s->literal ? s->raw + (s->out_end - s->out) : s->raw;
    }
    return 0;
}

/* ---- compilation -------------------------------------------------------- */

static void check_duplicates(ft_compiler *c)
{
    ft_ruledefs *d = &c->defs;
    for (size_t i = 0; i < d->n_rules; i++) {
        if (!d->rules[i].id[0])
            continue;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(d->rules[i].id, d->rules[j].id)) {
                ft_diag_emit(&c->sink, FT_DIAG_ERROR, d->rules[i].file,
                             d->rules[i].line, d->rules[i].col, d->rules[i].id,
                             "duplicate rule id (first defined at %s:%d:%d)",
                             d->rules[j].file, d->rules[j].line, d->rules[j].col);
                break;
            }
    }
    for (size_t i = 0; i < d->n_defines; i++)
        for (size_t j = 0; j < i; j++)
            if (!strcmp(d->defines[i].name, d->defines[j].name)) {
                ft_diag_emit(&c->sink, FT_DIAG_ERROR, d->defines[i].pos.file,
                             d->defines[i].pos.line, d->defines[i].pos.col, NULL,
                             "define '%s' is defined twice (first at %s:%d)",
                             d->defines[i].name, d->defines[j].pos.file,
                             d->defines[j].pos.line);
                break;
            }
    for (size_t i = 0; i < d->n_tables; i++) {
        for (size_t j = 0; j < i; j++)
            if (!strcmp(d->tables[i].name, d->tables[j].name)) {
                ft_diag_emit(&c->sink, FT_DIAG_ERROR, d->tables[i].file,
                             d->tables[i].line, d->tables[i].col, NULL,
                             "list or table '%s' is defined twice (first at %s:%d)",
                             d->tables[i].name, d->tables[j].file, d->tables[j].line);
                break;
            }
        if (find_define(d, d->tables[i].name, strlen(d->tables[i].name)))
            ft_diag_emit(&c->sink, FT_DIAG_ERROR, d->tables[i].file, d->tables[i].line,
                         d->tables[i].col, NULL,
                         "'%s' is both a define and a list/table", d->tables[i].name);
    }
}

/* Numbers the context types (the types of rules starting with '_') and
 * links every `requires:` to the bit of its type in ft_doc_ctx.facts.  A
 * type no context rule has is an error.  Past 64 context types a rule
 * requiring one of the later types simply always runs. */
static void link_facts(ft_compiler *c)
{
    ft_ruledefs *d = &c->defs;
    int n_types = 0;
    for (size_t i = 0; i < d->n_rules; i++) {
        ft_rule *r = &d->rules[i];
        r->fact_bit = r->req_bit = -1;
        if (!r->hidden)
            continue;
        for (size_t j = 0; j < i && r->fact_bit < 0; j++)
            if (d->rules[j].hidden && !strcmp(d->rules[j].type, r->type))
                r->fact_bit = d->rules[j].fact_bit;
        if (r->fact_bit < 0 && n_types < 64)
            r->fact_bit = n_types++;
    }
    for (size_t i = 0; i < d->n_rules; i++) {
        ft_rule *r = &d->rules[i];
        if (!r->requires)
            continue;
        size_t j = 0;
        while (j < d->n_rules && !(d->rules[j].hidden && !strcmp(d->rules[j].type, r->requires)))
            j++;
        if (j == d->n_rules)
            ft_diag_emit(&c->sink, FT_DIAG_ERROR, r->file, r->line, r->col, r->id,
                         "'requires: %s' names no context rule type", r->requires);
        else
            r->req_bit = d->rules[j].fact_bit;
    }
}

/* Expands and compiles pattern k of rule r; reports problems. */
static void compile_pattern(ft_compiler *c, ft_rule *r, size_t k)
{
    expander x;
    memset(&x, 0, sizeof x);
    x.c = c;
    x.rule = r;
    expand(&x, r->raw[k], &r->raw_pos[k], 1, 0);
    if (x.failed || !x.out.p) {
        ft_buf_free(&x.out);
        free(x.segs);
        return;
    }
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)x.out.p, x.out.len,
                                     PCRE2_UTF | PCRE2_NO_UTF_CHECK | PCRE2_USE_OFFSET_LIMIT |
                                         r->pcre_flags,
                                     &ec, &eo, NULL);
    if (!code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(ec, msg, sizeof msg);
        size_t raw = raw_offset(&x, eo);
        int line, col;
        ft_srcpos_map(&c->defs, &r->raw_pos[k], r->raw[k], raw, &line, &col);
        ft_diag_emit(&c->sink, FT_DIAG_ERROR, r->raw_pos[k].file, line, col, r->id,
                     "invalid pattern: %s", (const char *)msg);
        ft_buf_free(&x.out);
        free(x.segs);
        return;
    }
    uint32_t minlen = 0;
    pcre2_pattern_info(code, PCRE2_INFO_MINLENGTH, &minlen);
    if (minlen == 0) {
        pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
        int m = md ? pcre2_match(code, (PCRE2_SPTR) "", 0, 0, 0, md, NULL) : -1;
        int m2 = md ? pcre2_match(code, (PCRE2_SPTR) "a1 ", 3, 0, 0, md, NULL) : -1;
        int empty = m >= 0;
        if (!empty && m2 >= 0) {
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
            empty = ov[0] == ov[1];
        }
        pcre2_match_data_free(md);
        if (empty) {
            ft_diag_emit(&c->sink, FT_DIAG_ERROR, r->raw_pos[k].file,
                         r->raw_pos[k].line, r->raw_pos[k].col, r->id,
                         "pattern matches the empty string");
            pcre2_code_free(code);
            ft_buf_free(&x.out);
            free(x.segs);
            return;
        }
    }
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    r->code[k] = code;
    r->expanded[k] = x.out.p;
    free(x.segs);
}

static void build_dump(ft_rule *r)
{
    ft_buf b = {0};
    if (r->n_pat == 1) {
        ft_buf_adds(&b, r->expanded[0]);
    } else {
        for (size_t k = 0; k < r->n_pat; k++) {
            if (k)
                ft_buf_addc(&b, '|');
            ft_buf_adds(&b, "(?:");
            ft_buf_adds(&b, r->expanded[k]);
            ft_buf_addc(&b, ')');
        }
    }
    r->dump = b.p;
}

/* Orders two table pointers by table name. */
static int table_name_cmp(const void *a, const void *b)
{
    return strcmp((*(const ft_table *const *)a)->name, (*(const ft_table *const *)b)->name);
}

int ft_compiler_compile(ft_compiler *c, ft_rules **out)
{
    if (!c || !out)
        return FT_ERR_ARG;
    *out = NULL;
    if (c->done)
        return FT_ERR_STATE;
    ft_ruledefs *d = &c->defs;
    check_duplicates(c);
    link_facts(c);
    for (size_t i = 0; i < d->n_rules; i++) {
        ft_rule *r = &d->rules[i];
        r->index = i;
        r->code = calloc(r->n_pat ? r->n_pat : 1, sizeof *r->code);
        r->expanded = calloc(r->n_pat ? r->n_pat : 1, sizeof *r->expanded);
        if (!r->code || !r->expanded)
            return FT_ERR_NOMEM;
        if (r->normalize)
            r->norm = ft_norm_find(r->normalize);
        for (size_t k = 0; k < r->n_pat; k++)
            compile_pattern(c, r, k);
    }
    if (c->sink.errors)
        return FT_ERR_RULE;
    if (d->n_rules == 0) {
        ft_diag_emit(&c->sink, FT_DIAG_ERROR, NULL, 0, 0, NULL, "no rules loaded");
        return FT_ERR_EMPTY;
    }
    ft_rules *rs = calloc(1, sizeof *rs);
    if (!rs)
        return FT_ERR_NOMEM;
    uint32_t max_pairs = 1;
    int jit = 1;
    for (size_t i = 0; i < d->n_rules; i++) {
        ft_rule *r = &d->rules[i];
        build_dump(r);
        for (size_t k = 0; k < r->n_pat; k++) {
            uint32_t cc = 0;
            size_t jitsize = 0;
            pcre2_pattern_info(r->code[k], PCRE2_INFO_CAPTURECOUNT, &cc);
            if (pcre2_pattern_info(r->code[k], PCRE2_INFO_JITSIZE, &jitsize) != 0 ||
                jitsize == 0)
                jit = 0;
            if (cc + 1 > max_pairs)
                max_pairs = cc + 1;
        }
    }
    rs->rules = d->rules;
    rs->n_rules = d->n_rules;
    rs->tables = d->tables;
    rs->n_tables = d->n_tables;
    rs->table_by_name = calloc(d->n_tables + 1, sizeof *rs->table_by_name);
    if (!rs->table_by_name) {
        free(rs);
        return FT_ERR_NOMEM;
    }
    for (size_t i = 0; i < d->n_tables; i++)
        rs->table_by_name[i] = &d->tables[i];
    qsort(rs->table_by_name, d->n_tables, sizeof *rs->table_by_name, table_name_cmp);
    rs->defines = d->defines;
    rs->n_defines = d->n_defines;
    rs->files = d->files;
    rs->n_files = d->n_files;
    rs->max_pairs = max_pairs;
    rs->jit = jit;
    /* the fast path: per-pattern literal gates (see prefilter.c) */
    if (ft_prefilter_build(rs, &rs->pf) != FT_OK) {
        free(rs->table_by_name);
        free(rs);
        return FT_ERR_NOMEM;
    }
    for (size_t i = 0; i < d->n_files; i++)
        free(d->sources[i]);
    free(d->sources);
    free(d->source_lens);
    memset(d, 0, sizeof *d);
    c->done = 1;
    *out = rs;
    return FT_OK;
}
