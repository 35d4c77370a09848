/*
 * writer_markup.c - the inline and html formats: the text itself with the
 * entities marked up in place.
 *
 *   inline  one <doc id="..."> element per line-group: the document text,
 *           XML-escaped, with each entity wrapped in a tag named after its
 *           type and carrying its attributes:
 *           <money value="606000000" unit="CNY">6.06亿元</money>.
 *           The whole output is an XML fragment; removing the tags and
 *           unescaping gives back the text.
 *   html    one self-contained page for review (no scripts, no external
 *           files, nothing fetched): every document with its entities
 *           highlighted in a colour per type, a tooltip with type, value,
 *           unit and rule, and a legend with per-type counts whose
 *           checkboxes hide a type's highlighting (CSS :has, no script).
 *           Sections use content-visibility so that pages with thousands
 *           of documents stay quick to scroll.  The legend is written
 *           last, once the counts are known, and shown first by CSS order.
 *
 * Both show one span of each overlapping group (--overlaps all), as markup
 * cannot cross.
 */
#include <stdlib.h>
#include <string.h>

#include "writers.h"

/* Appends name made safe as an XML element name or CSS class part. */
static void add_name(ft_buf *out, const char *name)
{
    if (!((*name >= 'a' && *name <= 'z') || (*name >= 'A' && *name <= 'Z') || *name == '_'))
        ft_buf_addc(out, '_');
    for (const char *p = name; *p; p++) {
        char c = *p;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '-' || c == '.';
        ft_buf_addc(out, ok ? c : '_');
    }
}

/* ---- inline ---------------------------------------------------------------- */

static int inline_doc(cli_ctx *ctx, cli_doc *doc, const ft_result *res, ft_buf *out)
{
    FT_UNUSED(ctx);
    size_t n;
    const ft_span **v = cli_flat_spans(res, &n);
    const char *t = doc->text;
    ft_buf_adds(out, "<doc");
    if (doc->id) {
        ft_buf_adds(out, " id=\"");
        cli_add_xml(out, doc->id, strlen(doc->id));
        ft_buf_addc(out, '"');
    }
    ft_buf_addc(out, '>');
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        const ft_span *sp = v[i];
        cli_add_xml(out, t + pos, sp->byte_start - pos);
        ft_buf_addc(out, '<');
        add_name(out, sp->type);
        for (size_t a = 0; a < sp->n_attrs; a++) {
            if (sp->attrs[a].kind == FT_VAL_NULL)
                continue;
            ft_buf val = {0};
            cli_attr_text(&sp->attrs[a], &val);
            ft_buf_addc(out, ' ');
            add_name(out, sp->attrs[a].key);
            ft_buf_adds(out, "=\"");
            cli_add_xml(out, val.p ? val.p : "", val.len);
            ft_buf_addc(out, '"');
            ft_buf_free(&val);
        }
        ft_buf_addc(out, '>');
        cli_add_xml(out, t + sp->byte_start, sp->byte_end - sp->byte_start);
        ft_buf_adds(out, "</");
        add_name(out, sp->type);
        ft_buf_addc(out, '>');
        pos = sp->byte_end;
    }
    cli_add_xml(out, t + pos, doc->text_len - pos);
    free(v);
    return ft_buf_adds(out, "</doc>\n");
}

/* ---- html ------------------------------------------------------------------ */

typedef struct html_state {
    const char **types;
    size_t n_types;
    size_t *counts;         /* per type, then one slot for unknown types */
    size_t docs;
} html_state;

static const char *const palette[] = {
    "#ffd166", "#8ecae6", "#b5e48c", "#f4a6c6", "#cdb4db", "#ffb38a",
    "#a0e7e5", "#e9c46a", "#c7f9cc", "#ffadad", "#bdb2ff", "#d4a373",
};

/* The index of type t in the rule set's types (n_types when unknown). */
static size_t type_index(const html_state *st, const char *t)
{
    size_t i = 0;
    while (i < st->n_types && strcmp(st->types[i], t))
        i++;
    return i;
}

static int html_begin(cli_ctx *ctx, FILE *f)
{
    html_state *st = calloc(1, sizeof *st);
    if (!st)
        return -1;
    ctx->wstate = st;
    st->types = cli_rule_types(ctx->rules, &st->n_types);
    st->counts = calloc(st->n_types + 1, sizeof *st->counts);
    if (!st->types || !st->counts)
        return -1;
    ft_buf h = {0};
    ft_buf_adds(&h,
        "<!DOCTYPE html>\n<html lang=\"zh\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>fintag entities</title>\n<style>\n"
        "body{display:flex;flex-direction:column;margin:0;font:15px/1.6 system-ui,"
        "\"Noto Sans CJK SC\",sans-serif;color:#222;background:#fafafa}\n"
        "main{order:1;padding:0 1.5em 2em}\n"
        "#legend{order:0;position:sticky;top:0;z-index:1;background:#fff;"
        "border-bottom:1px solid #ccc;padding:.5em 1.5em}\n"
        "#legend h1{font-size:1.1em;margin:0 0 .3em}\n"
        "#legend label{display:inline-block;margin:0 1em .2em 0;cursor:pointer}\n"
        "section.doc{content-visibility:auto;contain-intrinsic-size:auto 8em;"
        "background:#fff;border:1px solid #ddd;border-radius:4px;margin:1em 0;padding:.5em 1em}\n"
        "section.doc h2{font-size:.85em;color:#666;margin:0 0 .3em;font-weight:normal}\n"
        ".text{white-space:pre-wrap;overflow-wrap:anywhere}\n"
        "mark{border-radius:3px;padding:0 1px;cursor:help}\n"
        ".swatch{padding:0 .4em;border-radius:3px}\n"
        ".none{color:#999;font-style:italic}\n");
    for (size_t i = 0; i <= st->n_types; i++) {
        const char *colour = i < st->n_types ? palette[i % (sizeof palette / sizeof palette[0])]
                                             : "#dddddd";
        ft_buf_addf(&h, ".t%zu{background:%s}\nbody:has(#show%zu:not(:checked)) mark.t%zu"
                        "{background:none;padding:0}\n", i, colour, i, i);
    }
    ft_buf_adds(&h, "</style>\n</head>\n<body>\n<main>\n");
    int rc = fwrite(h.p, 1, h.len, f) == h.len ? 0 : -1;
    ft_buf_free(&h);
    return rc;
}

/* The tooltip: type, then every non-null attribute, then the rule. */
static void add_tooltip(ft_buf *out, const ft_span *sp)
{
    cli_add_xml(out, sp->type, strlen(sp->type));
    for (size_t a = 0; a < sp->n_attrs; a++) {
        if (sp->attrs[a].kind == FT_VAL_NULL)
            continue;
        ft_buf v = {0};
        cli_attr_text(&sp->attrs[a], &v);
        ft_buf_adds(out, "&#10;");
        cli_add_xml(out, sp->attrs[a].key, strlen(sp->attrs[a].key));
        ft_buf_adds(out, ": ");
        cli_add_xml(out, v.p ? v.p : "", v.len);
        ft_buf_free(&v);
    }
    ft_buf_adds(out, "&#10;rule: ");
    cli_add_xml(out, sp->rule_id, strlen(sp->rule_id));
}

/* Renders the document; its buffer starts with the type index of each
 * rendered span (one per line) and a NUL, which merge() counts and drops. */
static int html_doc(cli_ctx *ctx, cli_doc *doc, const ft_result *res, ft_buf *out)
{
    const html_state *st = ctx->wstate;
    size_t n;
    const ft_span **v = cli_flat_spans(res, &n);
    for (size_t i = 0; i < n; i++)
        ft_buf_addf(out, "%zu\n", type_index(st, v[i]->type));
    ft_buf_addc(out, '\0');
    ft_buf_adds(out, "<section class=\"doc\"><h2>");
    if (doc->id)
        cli_add_xml(out, doc->id, strlen(doc->id));
    ft_buf_addf(out, " &middot; %zu entit%s</h2><div class=\"text\">", n, n == 1 ? "y" : "ies");
    const char *t = doc->text;
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        const ft_span *sp = v[i];
        cli_add_xml(out, t + pos, sp->byte_start - pos);
        ft_buf_addf(out, "<mark class=\"t%zu\" data-type=\"", type_index(st, sp->type));
        cli_add_xml(out, sp->type, strlen(sp->type));
        ft_buf_adds(out, "\" title=\"");
        add_tooltip(out, sp);
        ft_buf_adds(out, "\">");
        cli_add_xml(out, t + sp->byte_start, sp->byte_end - sp->byte_start);
        ft_buf_adds(out, "</mark>");
        pos = sp->byte_end;
    }
    cli_add_xml(out, t + pos, doc->text_len - pos);
    free(v);
    return ft_buf_adds(out, "</div></section>\n");
}

static int html_merge(cli_ctx *ctx, cli_doc *doc, FILE *f)
{
    html_state *st = ctx->wstate;
    if (doc->failed || !doc->out.len)
        return 0;
    st->docs++;
    const char *p = doc->out.p, *end = p + doc->out.len;
    while (p < end && *p) {
        size_t k = (size_t)strtoul(p, NULL, 10);
        st->counts[k <= st->n_types ? k : st->n_types]++;
        p = memchr(p, '\n', (size_t)(end - p));
        p = p ? p + 1 : end;
    }
    p = p < end ? p + 1 : end;
    size_t n = (size_t)(end - p);
    return fwrite(p, 1, n, f) == n ? 0 : -1;
}

static void html_free(cli_ctx *ctx)
{
    html_state *st = ctx->wstate;
    if (st) {
        free(st->types);
        free(st->counts);
        free(st);
    }
    ctx->wstate = NULL;
}

/* Writes the legend (per-type counts, toggles) and closes the page. */
static int html_end(cli_ctx *ctx, FILE *f)
{
    html_state *st = ctx->wstate;
    if (!f || !st) {
        html_free(ctx);
        return 0;
    }
    size_t total = 0;
    for (size_t i = 0; i <= st->n_types; i++)
        total += st->counts[i];
    ft_buf h = {0};
    ft_buf_adds(&h, "</main>\n<header id=\"legend\">\n");
    ft_buf_addf(&h, "<h1>fintag: %zu entities in %zu documents</h1>\n", total, st->docs);
    for (size_t i = 0; i <= st->n_types; i++) {
        if (i == st->n_types && !st->counts[i])
            break;
        const char *name = i < st->n_types ? st->types[i] : "other";
        ft_buf_addf(&h, "<label><input type=\"checkbox\" id=\"show%zu\" checked> "
                        "<span class=\"swatch t%zu\">", i, i);
        cli_add_xml(&h, name, strlen(name));
        ft_buf_addf(&h, "</span> <span class=\"count\" data-type=\"");
        cli_add_xml(&h, name, strlen(name));
        ft_buf_addf(&h, "\">%zu</span></label>\n", st->counts[i]);
    }
    if (!st->docs)
        ft_buf_adds(&h, "<p class=\"none\">no documents</p>\n");
    ft_buf_adds(&h, "</header>\n</body>\n</html>\n");
    int rc = fwrite(h.p, 1, h.len, f) == h.len ? 0 : -1;
    ft_buf_free(&h);
    html_free(ctx);
    return rc;
}

const cli_writer cli_writer_inline = {
    "inline", "the text with XML tags around each entity: <money value=\"..\" unit=\"..\">",
    NULL, inline_doc, cli_merge_ok, NULL, 0};

const cli_writer cli_writer_html = {
    "html", "one self-contained review page: colours per type, tooltips, legend with counts",
    html_begin, html_doc, html_merge, html_end, 0};
