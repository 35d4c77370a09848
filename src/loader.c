/*
 * loader.c - reads YAML rule files into rule definitions.
 *
 * libyaml's document loader gives a node tree in which every node keeps its
 * start mark; the loader walks it, checks every key against the schema and
 * keeps the source position of each rule, pattern, define and table so that
 * later stages (pattern compilation, example checking) can point at the
 * exact line and column.  All of a file's problems are reported, not just
 * the first.  Nothing here runs or opens anything a rule names: a rule file
 * can only define patterns, word tables and examples.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "fintag_int.h"

typedef struct load_ctx {
    ft_ruledefs *defs;
    const char *file;      /* interned */
    const char *text;
    size_t len;
    yaml_document_t *doc;
    ft_diag_sink *sink;
    int errors;
} load_ctx;

/* Converts a libyaml mark (0-based line; column in characters) to 1-based. */
static void mark_pos(const yaml_mark_t *m, int *line, int *col)
{
    *line = (int)m->line + 1;
    *col = (int)m->column + 1;
}

static void err_at(load_ctx *lc, const yaml_node_t *node, const char *rule_id,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Reports an error at a node's position (or the file's when node is NULL). */
static void err_at(load_ctx *lc, const yaml_node_t *node, const char *rule_id,
                   const char *fmt, ...)
{
    int line = 0, col = 0;
    if (node)
        mark_pos(&node->start_mark, &line, &col);
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ft_diag_emit(lc->sink, FT_DIAG_ERROR, lc->file, line, col, rule_id, "%s", msg);
    lc->errors++;
}

static yaml_node_t *node_at(load_ctx *lc, int i)
{
    return yaml_document_get_node(lc->doc, i);
}

/* Returns a scalar node's value (NUL-terminated by libyaml) or NULL. */
static const char *scalar(const yaml_node_t *n)
{
    if (!n || n->type != YAML_SCALAR_NODE)
        return NULL;
    return (const char *)n->data.scalar.value;
}

/* Byte offset in the file of a 0-based line and column (in characters). */
static size_t byte_of_mark(const load_ctx *lc, const yaml_mark_t *m)
{
    size_t i = 0, line = 0;
    while (i < lc->len && line < m->line) {
        if (lc->text[i] == '\n')
            line++;
        i++;
    }
    size_t col = 0;
    while (i < lc->len && col < m->column) {
        int l = ft_utf8_seq_len((const unsigned char *)lc->text + i, lc->len - i);
        i += l > 0 ? (size_t)l : 1;
        col++;
    }
    return i;
}

static void set_pos(load_ctx *lc, const yaml_node_t *n, ft_srcpos *p)
{
    p->file = lc->file;
    mark_pos(&n->start_mark, &p->line, &p->col);
    p->index = byte_of_mark(lc, &n->start_mark);
    p->style = n->type == YAML_SCALAR_NODE ? (int)n->data.scalar.style : 0;
}

static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : 16;
    void *p = realloc(*arr, nc * size);
    if (!p)
        return FT_ERR_NOMEM;
    *arr = p;
    *cap = nc;
    return 0;
}

/* Parses a YAML scalar as a number when it looks like one (plain style). */
static int scalar_number(const yaml_node_t *n, double *out)
{
    const char *s = scalar(n);
    if (!s || !*s || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*end || errno)
        return 0;
    *out = v;
    return 1;
}

/* ---- examples ----------------------------------------------------------- */

static void load_example(load_ctx *lc, ft_rule *r, yaml_node_t *n, int is_match)
{
    ft_example ex;
    memset(&ex, 0, sizeof ex);
    ex.is_match = is_match;
    ex.line = (int)n->start_mark.line + 1;
    if (n->type == YAML_SCALAR_NODE) {
        ex.text = ft_strdup(scalar(n));
    } else if (n->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
             p < n->data.mapping.pairs.top; p++) {
            yaml_node_t *k = node_at(lc, p->key), *v = node_at(lc, p->value);
            const char *key = scalar(k), *val = scalar(v);
            if (!key || !val) {
                err_at(lc, k, r->id, "example keys and values must be scalars");
                continue;
            }
            if ((!strcmp(key, "text") && ex.text) || (!strcmp(key, "span") && ex.span)) {
                err_at(lc, k, r->id, "duplicate key '%s' in example", key);
            } else if (!strcmp(key, "text")) {
                ex.text = ft_strdup(val);
            } else if (!strcmp(key, "span")) {
                if (!is_match)
                    err_at(lc, k, r->id, "'span' only makes sense in a match example");
                ex.span = ft_strdup(val);
            } else {
                if (!is_match) {
                    err_at(lc, k, r->id, "no_match examples take only 'text'");
                    continue;
                }
                ft_example_kv *kv = realloc(ex.kv, (ex.n_kv + 1) * sizeof *kv);
                if (!kv)
                    continue;
                ex.kv = kv;
                kv[ex.n_kv].key = ft_strdup(key);
                kv[ex.n_kv].val = ft_strdup(val);
                ex.n_kv++;
            }
        }
        if (!ex.text)
            err_at(lc, n, r->id, "example has no 'text'");
    } else {
        err_at(lc, n, r->id, "an example is a string or a mapping with 'text'");
    }
    if (!ex.text) {
        for (size_t i = 0; i < ex.n_kv; i++) {
            free(ex.kv[i].key);
            free(ex.kv[i].val);
        }
        free(ex.kv);
        free(ex.span);
        return;
    }
    ft_example *arr = realloc(r->ex, (r->n_ex + 1) * sizeof *arr);
    if (!arr)
        return;
    r->ex = arr;
    r->ex[r->n_ex++] = ex;
}

static void load_examples(load_ctx *lc, ft_rule *r, yaml_node_t *n)
{
    if (n->type != YAML_MAPPING_NODE) {
        err_at(lc, n, r->id, "'examples' must be a mapping with 'match' and/or 'no_match'");
        return;
    }
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
         p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node_at(lc, p->key), *v = node_at(lc, p->value);
        const char *key = scalar(k);
        int is_match;
        if (key && !strcmp(key, "match"))
            is_match = 1;
        else if (key && !strcmp(key, "no_match"))
            is_match = 0;
        else {
            err_at(lc, k, r->id, "unknown key '%s' in examples (expected match, no_match)", key);
            continue;
        }
        if (v->type != YAML_SEQUENCE_NODE) {
            err_at(lc, v, r->id, "'%s' must be a list", key);
            continue;
        }
        for (yaml_node_item_t *it = v->data.sequence.items.start;
             it < v->data.sequence.items.top; it++)
            load_example(lc, r, node_at(lc, *it), is_match);
    }
}

/* ---- rules -------------------------------------------------------------- */

static const struct {
    const char *name;
    uint32_t bit;
} flag_names[] = {
    {"caseless", PCRE2_CASELESS}, {"i", PCRE2_CASELESS},
    {"multiline", PCRE2_MULTILINE}, {"dotall", PCRE2_DOTALL},
    {"extended", PCRE2_EXTENDED}, {"ungreedy", PCRE2_UNGREEDY},
    {"ucp", PCRE2_UCP},
};

static void add_flag(load_ctx *lc, ft_rule *r, yaml_node_t *n)
{
    const char *s = scalar(n);
    if (s) {
        for (size_t i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++)
            if (!strcmp(s, flag_names[i].name)) {
                r->pcre_flags |= flag_names[i].bit;
                return;
            }
    }
    err_at(lc, n, r->id,
           "unknown flag '%s' (expected caseless, multiline, dotall, extended, ungreedy, ucp)",
           s ? s : "?");
}

static void add_pattern(load_ctx *lc, ft_rule *r, yaml_node_t *n)
{
    const char *s = scalar(n);
    if (!s) {
        err_at(lc, n, r->id, "a pattern must be a string");
        return;
    }
    if (!*s) {
        err_at(lc, n, r->id, "empty pattern");
        return;
    }
    char **raw = realloc(r->raw, (r->n_pat + 1) * sizeof *raw);
    if (raw)
        r->raw = raw;
    ft_srcpos *pos = realloc(r->raw_pos, (r->n_pat + 1) * sizeof *pos);
    if (pos)
        r->raw_pos = pos;
    if (!raw || !pos)
        return;
    r->raw[r->n_pat] = ft_strdup(s);
    set_pos(lc, n, &r->raw_pos[r->n_pat]);
    r->n_pat++;
}

/* Finds the id of a rule mapping first so that every message can name it. */
static const char *rule_id_of(load_ctx *lc, yaml_node_t *n)
{
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
         p < n->data.mapping.pairs.top; p++) {
        const char *key = scalar(node_at(lc, p->key));
        if (key && !strcmp(key, "id"))
            return scalar(node_at(lc, p->value));
    }
    return NULL;
}

static void load_rule(load_ctx *lc, yaml_node_t *n)
{
    if (n->type != YAML_MAPPING_NODE) {
        err_at(lc, n, NULL, "a rule must be a mapping with id, type and pattern");
        return;
    }
    ft_ruledefs *d = lc->defs;
    if (grow((void **)&d->rules, &d->cap_rules, d->n_rules, sizeof(ft_rule)))
        return;
    ft_rule *r = &d->rules[d->n_rules];
    memset(r, 0, sizeof *r);
    const char *id = rule_id_of(lc, n);
    r->id = ft_strdup(id ? id : "");
    r->file = lc->file;
    mark_pos(&n->start_mark, &r->line, &r->col);
    const char *rid = id ? r->id : NULL;
    int seen_pattern = 0, seen_patterns = 0;

    for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
         p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node_at(lc, p->key), *v = node_at(lc, p->value);
        const char *key = scalar(k);
        if (!key) {
            err_at(lc, k, rid, "rule keys must be strings");
            continue;
        }
        int dup = 0;
        for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p && !dup; q++) {
            const char *earlier = scalar(node_at(lc, q->key));
            dup = earlier && !strcmp(earlier, key);
        }
        if (dup) {
            err_at(lc, k, rid, "duplicate key '%s'", key);
            continue;
        }
        if (!strcmp(key, "id")) {
            if (!scalar(v) || !*scalar(v))
                err_at(lc, v, NULL, "'id' must be a non-empty string");
        } else if (!strcmp(key, "type")) {
            if (!scalar(v) || !*scalar(v))
                err_at(lc, v, rid, "'type' must be a non-empty string");
            else
                r->type = ft_strdup(scalar(v));
        } else if (!strcmp(key, "description")) {
            if (!scalar(v))
                err_at(lc, v, rid, "'description' must be a string");
            else
                r->description = ft_strdup(scalar(v));
        } else if (!strcmp(key, "normalize")) {
            if (!scalar(v))
                err_at(lc, v, rid, "'normalize' must be a normaliser name");
            else if (!ft_norm_find(scalar(v)))
                err_at(lc, v, rid, "unknown normaliser '%s' (known: %s)", scalar(v),
                       ft_norm_names());
            else
                r->normalize = ft_strdup(scalar(v));
        } else if (!strcmp(key, "priority")) {
            double pr;
            if (!scalar_number(v, &pr) || pr != (int)pr)
                err_at(lc, v, rid, "'priority' must be an integer");
            else
                r->priority = (int)pr;
        } else if (!strcmp(key, "flags")) {
            if (v->type == YAML_SEQUENCE_NODE) {
                for (yaml_node_item_t *it = v->data.sequence.items.start;
                     it < v->data.sequence.items.top; it++)
                    add_flag(lc, r, node_at(lc, *it));
            } else {
                add_flag(lc, r, v);
            }
        } else if (!strcmp(key, "pattern")) {
            seen_pattern = 1;
            add_pattern(lc, r, v);
        } else if (!strcmp(key, "patterns")) {
            seen_patterns = 1;
            if (v->type != YAML_SEQUENCE_NODE || v->data.sequence.items.start ==
                                                     v->data.sequence.items.top) {
                err_at(lc, v, rid, "'patterns' must be a non-empty list");
                continue;
            }
            for (yaml_node_item_t *it = v->data.sequence.items.start;
                 it < v->data.sequence.items.top; it++)
                add_pattern(lc, r, node_at(lc, *it));
        } else if (!strcmp(key, "requires")) {
            if (!scalar(v) || scalar(v)[0] != '_' || !scalar(v)[1])
                err_at(lc, v, rid, "'requires' must be a context rule type (starting with '_')");
            else
                r->requires = ft_strdup(scalar(v));
        } else if (!strcmp(key, "examples")) {
            load_examples(lc, r, v);
        } else {
            err_at(lc, k, rid,
                   "unknown key '%s' (expected id, type, pattern, patterns, priority, flags, normalize, requires, examples, description)", key);
        }
    }
    if (!id)
        err_at(lc, n, NULL, "rule has no 'id'");
    if (!r->type)
        err_at(lc, n, rid, "rule has no 'type'");
    if (!seen_pattern && !seen_patterns)
        err_at(lc, n, rid, "rule has no 'pattern' or 'patterns'");
    if (seen_pattern && seen_patterns)
        err_at(lc, n, rid, "use either 'pattern' or 'patterns', not both");
    r->hidden = r->type && r->type[0] == '_';
    d->n_rules++;
}

/* ---- defines, lists, tables ------------------------------------------- */

static int name_ok(const char *s)
{
    if (!s || !*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' || *s == '-'))
            return 0;
    return 1;
}

static void load_defines(load_ctx *lc, yaml_node_t *n)
{
    if (n->type != YAML_MAPPING_NODE) {
        err_at(lc, n, NULL, "'defines' must be a mapping of name: pattern");
        return;
    }
    ft_ruledefs *d = lc->defs;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
         p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node_at(lc, p->key), *v = node_at(lc, p->value);
        const char *name = scalar(k), *val = scalar(v);
        if (!name_ok(name)) {
            err_at(lc, k, NULL, "bad define name '%s' (letters, digits, _ . -)", name);
            continue;
        }
        if (!val) {
            err_at(lc, v, NULL, "define '%s' must be a string", name);
            continue;
        }
        if (grow((void **)&d->defines, &d->cap_defines, d->n_defines, sizeof(ft_define)))
            return;
        ft_define *df = &d->defines[d->n_defines++];
        df->name = ft_strdup(name);
        df->value = ft_strdup(val);
        set_pos(lc, v, &df->pos);
    }
}

static int add_entry(ft_table *t, const char *key, ft_value_kind kind, double num,
                     const char *str)
{
    ft_tab_entry *e = realloc(t->e, (t->n + 1) * sizeof *e);
    if (!e)
        return FT_ERR_NOMEM;
    t->e = e;
    e[t->n].key = ft_strdup(key);
    e[t->n].klen = strlen(key);
    e[t->n].kind = kind;
    e[t->n].num = num;
    e[t->n].str = str ? ft_strdup(str) : NULL;
    t->n++;
    return 0;
}

/* Loads `lists:` (is_list) or `tables:`. */
static void load_tables(load_ctx *lc, yaml_node_t *n, int is_list)
{
    const char *what = is_list ? "lists" : "tables";
    if (n->type != YAML_MAPPING_NODE) {
        err_at(lc, n, NULL, "'%s' must be a mapping", what);
        return;
    }
    ft_ruledefs *d = lc->defs;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
         p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node_at(lc, p->key), *v = node_at(lc, p->value);
        const char *name = scalar(k);
        if (!name_ok(name)) {
            err_at(lc, k, NULL, "bad %s name '%s'", what, name);
            continue;
        }
        if (grow((void **)&d->tables, &d->cap_tables, d->n_tables, sizeof(ft_table)))
            return;
        ft_table *t = &d->tables[d->n_tables];
        memset(t, 0, sizeof *t);
        t->name = ft_strdup(name);
        t->file = (char *)lc->file;
        t->is_list = is_list;
        mark_pos(&k->start_mark, &t->line, &t->col);
        if (is_list) {
            if (v->type != YAML_SEQUENCE_NODE) {
                err_at(lc, v, NULL, "list '%s' must be a sequence of words", name);
                ft_table_free(t);
                continue;
            }
            for (yaml_node_item_t *it = v->data.sequence.items.start;
                 it < v->data.sequence.items.top; it++) {
                yaml_node_t *w = node_at(lc, *it);
                if (!scalar(w) || !*scalar(w)) {
                    err_at(lc, w, NULL, "list '%s': items must be non-empty strings", name);
                    continue;
                }
                add_entry(t, scalar(w), FT_VAL_NULL, 0, NULL);
            }
        } else {
            if (v->type != YAML_MAPPING_NODE) {
                err_at(lc, v, NULL, "table '%s' must be a mapping word: value", name);
                ft_table_free(t);
                continue;
            }
            for (yaml_node_pair_t *q = v->data.mapping.pairs.start;
                 q < v->data.mapping.pairs.top; q++) {
                yaml_node_t *wk = node_at(lc, q->key), *wv = node_at(lc, q->value);
                double num;
                if (!scalar(wk) || !*scalar(wk) || !scalar(wv)) {
                    err_at(lc, wk, NULL, "table '%s': keys and values must be scalars", name);
                    continue;
                }
                if (scalar_number(wv, &num))
                    add_entry(t, scalar(wk), FT_VAL_NUM, num, NULL);
                else
                    add_entry(t, scalar(wk), FT_VAL_STR, 0, scalar(wv));
            }
        }
        if (t->n == 0) {
            err_at(lc, v, NULL, "%s '%s' is empty", what, name);
            ft_table_free(t);
            continue;
        }
        ft_table_sort(t);
        for (size_t i = 1; i < t->n; i++)
            if (t->e[i].klen == t->e[i - 1].klen &&
                !memcmp(t->e[i].key, t->e[i - 1].key, t->e[i].klen))
                err_at(lc, v, NULL, "'%s' has a duplicate entry '%s'", name, t->e[i].key);
        d->n_tables++;
    }
}

/* ---- file --------------------------------------------------------------- */

static const char *intern_file(ft_ruledefs *d, const char *file, const char *text,
                               size_t len)
{
    if (grow((void **)&d->files, &d->cap_files, d->n_files, sizeof(char *)))
        return NULL;
    size_t cap = d->cap_files;
    char **src = realloc(d->sources, cap * sizeof(char *));
    if (!src)
        return NULL;
    d->sources = src;
    size_t *lens = realloc(d->source_lens, cap * sizeof(size_t));
    if (!lens)
        return NULL;
    d->source_lens = lens;
    d->files[d->n_files] = ft_strdup(file);
    d->sources[d->n_files] = ft_strndup(text, len);
    d->source_lens[d->n_files] = len;
    return d->files[d->n_files++];
}

int ft_load_yaml(ft_ruledefs *defs, const char *file, const char *text,
                 size_t len, ft_diag_sink *sink)
{
    load_ctx lc = {defs, NULL, text, len, NULL, sink, 0};
    lc.file = intern_file(defs, file, text, len);
    if (!lc.file)
        return 1;
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser))
        return 1;
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        yaml_mark_t m = parser.problem_mark;
        ft_diag_emit(sink, FT_DIAG_ERROR, lc.file, (int)m.line + 1, (int)m.column + 1,
                     NULL, "YAML syntax error: %s%s%s",
                     parser.problem ? parser.problem : "unknown problem",
                     parser.context ? " " : "", parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        return 1;
    }
    lc.doc = &doc;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root) {
        ft_diag_emit(sink, FT_DIAG_WARNING, lc.file, 1, 1, NULL, "empty rule file");
    } else if (root->type != YAML_MAPPING_NODE) {
        err_at(&lc, root, NULL, "a rule file must be a mapping (rules:, defines:, lists:, tables:)");
    } else {
        for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
             p < root->data.mapping.pairs.top; p++) {
            yaml_node_t *k = node_at(&lc, p->key), *v = node_at(&lc, p->value);
            const char *key = scalar(k);
            if (key && !strcmp(key, "rules")) {
                if (v->type != YAML_SEQUENCE_NODE) {
                    err_at(&lc, v, NULL, "'rules' must be a list");
                    continue;
                }
                for (yaml_node_item_t *it = v->data.sequence.items.start;
                     it < v->data.sequence.items.top; it++)
                    load_rule(&lc, node_at(&lc, *it));
            } else if (key && !strcmp(key, "defines")) {
                load_defines(&lc, v);
            } else if (key && !strcmp(key, "lists")) {
                load_tables(&lc, v, 1);
            } else if (key && !strcmp(key, "tables")) {
                load_tables(&lc, v, 0);
            } else if (key && !strcmp(key, "description")) {
                /* free text about the file */
            } else {
                err_at(&lc, k, NULL,
                       "unknown top-level key '%s' (expected rules, defines, lists, tables, description)",
                       key ? key : "?");
            }
        }
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return lc.errors;
}

/* Walks the source from the scalar's start in step with its value to find
 * where value byte `off` was written.  Quotes, escapes, indentation and line
 * breaks exist only in the source and are skipped. */
void ft_srcpos_map(const ft_ruledefs *defs, const ft_srcpos *pos,
                   const char *value, size_t off, int *line, int *col)
{
    *line = pos->line;
    *col = pos->col;
    const char *src = NULL;
    size_t slen = 0;
    for (size_t i = 0; i < defs->n_files; i++)
        if (defs->files[i] == pos->file) {
            src = defs->sources[i];
            slen = defs->source_lens[i];
        }
    if (!src || pos->index >= slen)
        return;
    size_t si = pos->index;
    if (pos->style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
        pos->style == YAML_DOUBLE_QUOTED_SCALAR_STYLE) {
        si++;
    } else if (pos->style == YAML_LITERAL_SCALAR_STYLE ||
               pos->style == YAML_FOLDED_SCALAR_STYLE) {
        while (si < slen && src[si] != '\n')
            si++;
        while (si < slen && (src[si] == '\n' || src[si] == ' '))
            si++;
    }
    size_t vlen = strlen(value);
    if (off > vlen)
        off = vlen;
    for (size_t vi = 0; vi < off && si < slen;) {
        if (src[si] == value[vi] || (value[vi] == ' ' && src[si] == '\n')) {
            si++;
            vi++;
        } else {
            si++;
        }
    }
    size_t ls = si;
    while (ls > 0 && src[ls - 1] != '\n')
        ls--;
    int ln = 1;
    for (size_t i = 0; i < ls; i++)
        if (src[i] == '\n')
            ln++;
    *line = ln;
    *col = ft_utf8_column(src, ls, si);
}

/* ---- freeing and tables ------------------------------------------------- */

void ft_table_free(ft_table *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->e[i].key);
        free(t->e[i].str);
    }
    free(t->e);
    free(t->name);
    t->e = NULL;
    t->name = NULL;
    t->n = 0;
}

void ft_rule_free(ft_rule *r)
{
    free(r->id);
    free(r->type);
    free(r->requires);
    free(r->description);
    free(r->normalize);
    for (size_t i = 0; i < r->n_pat; i++) {
        free(r->raw[i]);
        if (r->expanded)
            free(r->expanded[i]);
        if (r->code)
            pcre2_code_free(r->code[i]);
    }
    free(r->raw);
    free(r->raw_pos);
    free(r->expanded);
    free(r->code);
    free(r->dump);
    for (size_t i = 0; i < r->n_ex; i++) {
        free(r->ex[i].text);
        free(r->ex[i].span);
        for (size_t j = 0; j < r->ex[i].n_kv; j++) {
            free(r->ex[i].kv[j].key);
            free(r->ex[i].kv[j].val);
        }
        free(r->ex[i].kv);
    }
    free(r->ex);
}

void ft_ruledefs_free(ft_ruledefs *d)
{
    for (size_t i = 0; i < d->n_rules; i++)
        ft_rule_free(&d->rules[i]);
    free(d->rules);
    for (size_t i = 0; i < d->n_tables; i++)
        ft_table_free(&d->tables[i]);
    free(d->tables);
    for (size_t i = 0; i < d->n_defines; i++) {
        free(d->defines[i].name);
        free(d->defines[i].value);
    }
    free(d->defines);
    for (size_t i = 0; i < d->n_files; i++) {
        free(d->files[i]);
        free(d->sources[i]);
    }
    free(d->files);
    free(d->sources);
    free(d->source_lens);
    memset(d, 0, sizeof *d);
}

static int entry_cmp(const void *a, const void *b)
{
    const ft_tab_entry *x = a, *y = b;
    size_t n = x->klen < y->klen ? x->klen : y->klen;
    int c = memcmp(x->key, y->key, n);
    if (c)
        return c;
    return (x->klen > y->klen) - (x->klen < y->klen);
}

/* Sorts the entries by key and indexes them by first byte (an empty key
 * sorts first and is in no byte's range). */
void ft_table_sort(ft_table *t)
{
    qsort(t->e, t->n, sizeof *t->e, entry_cmp);
    size_t i = 0;
    for (unsigned b = 0; b < 256; b++) {
        while (i < t->n && (t->e[i].klen == 0 || (unsigned char)t->e[i].key[0] < b))
            i++;
        t->by_first[b] = (uint32_t)i;
    }
    t->by_first[256] = (uint32_t)t->n;
}

const ft_tab_entry *ft_table_get(const ft_table *t, const char *key, size_t klen)
{
    if (!t)
        return NULL;
    ft_tab_entry k = {(char *)key, klen, FT_VAL_NULL, 0, NULL};
    return bsearch(&k, t->e, t->n, sizeof *t->e, entry_cmp);
}

/* Only the keys with s's first byte can be prefixes of s (and an empty
 * key, which sorts first). */
const ft_tab_entry *ft_table_prefix(const ft_table *t, const char *s, size_t n)
{
    if (!t)
        return NULL;
    const ft_tab_entry *best = t->n && t->e[0].klen == 0 ? &t->e[0] : NULL;
    if (n == 0)
        return best;
    unsigned char b = (unsigned char)s[0];
    for (size_t i = t->by_first[b]; i < t->by_first[b + 1]; i++) {
        const ft_tab_entry *e = &t->e[i];
        if (e->klen <= n && (!best || e->klen > best->klen) && !memcmp(e->key, s, e->klen))
            best = e;
    }
    return best;
}

/* Every key is compared (suffix lookups are rare: one per candidate name). */
const ft_tab_entry *ft_table_suffix(const ft_table *t, const char *s, size_t n)
{
    const ft_tab_entry *best = NULL;
    if (!t)
        return NULL;
    for (size_t i = 0; i < t->n; i++) {
        const ft_tab_entry *e = &t->e[i];
        if (e->klen <= n && (!best || e->klen > best->klen) &&
            !memcmp(e->key, s + n - e->klen, e->klen))
            best = e;
    }
    return best;
}
