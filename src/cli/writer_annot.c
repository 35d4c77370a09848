/*
 * writer_annot.c - formats for annotation and NLP tools: spacy, doccano,
 * labelstudio and brat.  All offsets are code points (Python's str
 * indices), which is what these tools count in; labelstudio uses UTF-16
 * units instead with --offsets utf16 (its browser front end counts in
 * JavaScript string indices, which differ only outside the BMP).
 *
 *   spacy        JSONL {"text", "ents": [[start, end, label]], "meta": {"id"}};
 *                ents never overlap, as Doc.ents requires, so
 *                doc.char_span(start, end, label) accepts each one.
 *   doccano      JSONL {"text", "label": [[start, end, label]], "doc_id"} - the
 *                sequence-labelling import format (extra keys become metadata).
 *   labelstudio  one JSON array of tasks {"data": {"text", "doc_id"},
 *                "predictions": [{"model_version", "result": [...]}]}, each
 *                result a "labels" region from "label" to "text"; import it
 *                into a project whose config has <Labels name="label"
 *                toName="text"> and <Text name="text" value="$text">.
 *   brat         --out-dir DIR gets NNNNNN_ID.txt and NNNNNN_ID.ann per
 *                document (standoff T lines; the normalised value, unit and
 *                rule as AnnotatorNotes) and an annotation.conf listing the
 *                rule set's entity types.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "writers.h"

/* ---- spacy and doccano --------------------------------------------------- */

static void add_label_triples(ft_buf *out, const ft_span *const *v, size_t n)
{
    ft_buf_addc(out, '[');
    for (size_t i = 0; i < n; i++) {
        ft_buf_addf(out, "%s[%zu,%zu,", i ? "," : "", v[i]->start, v[i]->end);
        ft_buf_add_json_str(out, v[i]->type, strlen(v[i]->type));
        ft_buf_addc(out, ']');
    }
    ft_buf_addc(out, ']');
}

static int spacy_doc(cli_ctx *ctx, cli_doc *doc, const ft_result *res, ft_buf *out)
{
    FT_UNUSED(ctx);
    size_t n;
    const ft_span **v = cli_flat_spans(res, &n);
    ft_buf_adds(out, "{\"text\":");
    ft_buf_add_json_str(out, doc->text, doc->text_len);
    ft_buf_adds(out, ",\"ents\":");
    add_label_triples(out, v, n);
    ft_buf_adds(out, ",\"meta\":{\"id\":");
    if (doc->id)
        ft_buf_add_json_str(out, doc->id, strlen(doc->id));
    else
        ft_buf_adds(out, "null");
    free(v);
    return ft_buf_adds(out, "}}\n");
}

static int doccano_doc(cli_ctx *ctx, cli_doc *doc, const ft_result *res, ft_buf *out)
{
    FT_UNUSED(ctx);
    const ft_span **v = res->n_spans ? malloc(res->n_spans * sizeof *v) : NULL;
    if (res->n_spans && !v)
        return -1;
    for (size_t i = 0; i < res->n_spans; i++)
        v[i] = &res->spans[i];
    ft_buf_adds(out, "{\"text\":");
    ft_buf_add_json_str(out, doc->text, doc->text_len);
    ft_buf_adds(out, ",\"label\":");
    add_label_triples(out, v, res->n_spans);
    free(v);
    if (doc->id) {
        ft_buf_adds(out, ",\"doc_id\":");
        ft_buf_add_json_str(out, doc->id, strlen(doc->id));
    }
    return ft_buf_adds(out, "}\n");
}

/* ---- labelstudio ------------------------------------------------------------ */

typedef struct ls_state {
    size_t written;
} ls_state;

static int ls_begin(cli_ctx *ctx, FILE *f)
{
    ctx->wstate = calloc(1, sizeof(ls_state));
    if (!ctx->wstate)
        return -1;
    return fputs("[\n", f) < 0 ? -1 : 0;
}

static int ls_doc(cli_ctx *ctx, cli_doc *doc, const ft_result *res, ft_buf *out)
{
    int u16 = ctx->opts->utf16;
    ft_buf_adds(out, "{\"data\":{\"text\":");
    ft_buf_add_json_str(out, doc->text, doc->text_len);
    if (doc->id) {
        ft_buf_adds(out, ",\"doc_id\":");
        ft_buf_add_json_str(out, doc->id, strlen(doc->id));
    }
    ft_buf_adds(out, "},\"predictions\":[{\"model_version\":\"fintag ");
    ft_buf_adds(out, ft_version());
    ft_buf_adds(out, "\",\"result\":[");
    for (size_t i = 0; i < res->n_spans; i++) {
        const ft_span *sp = &res->spans[i];
        ft_buf_addf(out, "%s{\"id\":\"e%zu\",\"from_name\":\"label\",\"to_name\":\"text\","
                         "\"type\":\"labels\",\"value\":{\"start\":%zu,\"end\":%zu,\"text\":",
                    i ? "," : "", i + 1, u16 ? sp->u16_start : sp->start,
                    u16 ? sp->u16_end : sp->end);
        ft_buf_add_json_str(out, doc->text + sp->byte_start, sp->byte_end - sp->byte_start);
        ft_buf_adds(out, ",\"labels\":[");
        ft_buf_add_json_str(out, sp->type, strlen(sp->type));
        ft_buf_adds(out, "]}}");
    }
    return ft_buf_adds(out, "]}]}");
}

/* Separates the tasks with commas (a failed document writes nothing). */
static int ls_merge(cli_ctx *ctx, cli_doc *doc, FILE *f)
{
    ls_state *st = ctx->wstate;
    if (doc->failed || !doc->out.len)
        return 0;
    if (st->written++ && fputs(",\n", f) < 0)
        return -1;
    return fwrite(doc->out.p, 1, doc->out.len, f) == doc->out.len ? 0 : -1;
}

static int ls_end(cli_ctx *ctx, FILE *f)
{
    free(ctx->wstate);
    ctx->wstate = NULL;
    if (!f)
        return 0;
    return fputs("\n]\n", f) < 0 ? -1 : 0;
}

/* ---- brat ------------------------------------------------------------------- */

typedef struct brat_state {
    size_t n;
} brat_state;

/* Writes DIR/NAME with the given bytes; prints the error and returns -1 on
 * failure. */
static int write_file(const char *dir, const char *name, const char *p, size_t n)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *path = malloc(len);
    if (!path)
        return -1;
    snprintf(path, len, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    int rc = f && fwrite(p, 1, n, f) == n ? 0 : -1;
    if (f && fclose(f) != 0)
        rc = -1;
    if (rc)
        fprintf(stderr, "fintag: %s: %s\n", path, strerror(errno));
    free(path);
    return rc;
}

static int brat_begin(cli_ctx *ctx, FILE *f)
{
    FT_UNUSED(f);
    const char *dir = ctx->opts->out_dir;
    if (!dir) {
        fprintf(stderr, "fintag: -f brat writes files: give --out-dir DIR\n");
        return -1;
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "fintag: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    ctx->wstate = calloc(1, sizeof(brat_state));
    if (!ctx->wstate)
        return -1;
    size_t nt;
    const char **types = cli_rule_types(ctx->rules, &nt);
    ft_buf conf = {0};
    ft_buf_adds(&conf, "# entity types of the fintag rule set\n[entities]\n");
    for (size_t i = 0; i < nt; i++)
        ft_buf_addf(&conf, "%s\n", types[i]);
    ft_buf_adds(&conf, "[relations]\n<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\n"
                       "[events]\n[attributes]\n");
    free(types);
    int rc = write_file(dir, "annotation.conf", conf.p, conf.len);
    ft_buf_free(&conf);
    return rc;
}

/* Appends s with tabs and line breaks as spaces (one .ann field). */
static void add_field(ft_buf *out, const char *s, size_t n)
{
    size_t start = out->len;
    cli_add_utf8(out, s, n);
    for (size_t i = start; i < out->len; i++)
        if (out->p[i] == '\t' || out->p[i] == '\n' || out->p[i] == '\r')
            out->p[i] = ' ';
}

/* One T line: the span cut into fragments at line breaks, as brat wants. */
static void brat_span(ft_buf *out, const char *t, const ft_span *sp, size_t k)
{
    ft_buf_addf(out, "T%zu\t%s ", k, sp->type);
    ft_buf frag_text = {0};
    size_t cp = sp->start, i = sp->byte_start, frags = 0;
    while (i < sp->byte_end) {
        while (i < sp->byte_end && (t[i] == '\n' || t[i] == '\r')) {
            i++;
            cp++;
        }
        if (i >= sp->byte_end)
            break;
        size_t a = i, cpa = cp;
        while (i < sp->byte_end && t[i] != '\n' && t[i] != '\r') {
            int l = ft_utf8_seq_len((const unsigned char *)t + i, sp->byte_end - i);
            i += l > 0 ? (size_t)l : 1;
            cp++;
        }
        ft_buf_addf(out, "%s%zu %zu", frags ? ";" : "", cpa, cp);
        if (frags++)
            ft_buf_addc(&frag_text, ' ');
        add_field(&frag_text, t + a, i - a);
    }
    ft_buf_addc(out, '\t');
    ft_buf_add(out, frag_text.p ? frag_text.p : "", frag_text.len);
    ft_buf_addc(out, '\n');
    ft_buf_free(&frag_text);
}

static int brat_doc(cli_ctx *ctx, cli_doc *doc, const ft_result *res, ft_buf *out)
{
    FT_UNUSED(ctx);
    for (size_t i = 0; i < res->n_spans; i++) {
        const ft_span *sp = &res->spans[i];
        brat_span(out, doc->text, sp, i + 1);
        ft_buf_addf(out, "#%zu\tAnnotatorNotes T%zu\t", i + 1, i + 1);
        for (size_t a = 0; a < sp->n_attrs; a++) {
            if (sp->attrs[a].kind == FT_VAL_NULL)
                continue;
            ft_buf v = {0};
            cli_attr_text(&sp->attrs[a], &v);
            ft_buf_addf(out, "%s=", sp->attrs[a].key);
            add_field(out, v.p ? v.p : "", v.len);
            ft_buf_addc(out, ' ');
            ft_buf_free(&v);
        }
        ft_buf_addf(out, "rule=%s\n", sp->rule_id);
    }
    return 0;
}

/* Writes the document's .txt and .ann files, named by position and id. */
static int brat_merge(cli_ctx *ctx, cli_doc *doc, FILE *f)
{
    FT_UNUSED(f);
    brat_state *st = ctx->wstate;
    if (doc->failed)
        return 0;
    char name[160];
    int k = snprintf(name, sizeof name, "%06zu", ++st->n);
    if (doc->id && *doc->id) {
        name[k++] = '_';
        for (const char *p = doc->id; *p && k < 140; p++) {
            char c = *p;
            int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '-' || c == '.';
            name[k++] = ok ? c : '_';
        }
        name[k] = 0;
    }
    char *dot = name + k;
    ft_buf txt = {0};
    cli_add_utf8(&txt, doc->text ? doc->text : "", doc->text_len);
    strcpy(dot, ".txt");
    int rc = write_file(ctx->opts->out_dir, name, txt.p ? txt.p : "", txt.len);
    ft_buf_free(&txt);
    strcpy(dot, ".ann");
    if (!rc)
        rc = write_file(ctx->opts->out_dir, name, doc->out.p ? doc->out.p : "", doc->out.len);
    return rc;
}

static int brat_end(cli_ctx *ctx, FILE *f)
{
    FT_UNUSED(f);
    free(ctx->wstate);
    ctx->wstate = NULL;
    return 0;
}

const cli_writer cli_writer_spacy = {
    "spacy", "JSONL {\"text\", \"ents\": [[start, end, label]]} for spaCy's Doc.char_span",
    NULL, spacy_doc, cli_merge_ok, NULL, 0};

const cli_writer cli_writer_doccano = {
    "doccano", "JSONL {\"text\", \"label\": [[start, end, label]]} for doccano import",
    NULL, doccano_doc, cli_merge_ok, NULL, 0};

const cli_writer cli_writer_labelstudio = {
    "labelstudio", "Label Studio tasks with predictions (one JSON array)",
    ls_begin, ls_doc, ls_merge, ls_end, 0};

const cli_writer cli_writer_brat = {
    "brat", "brat standoff: NAME.txt + NAME.ann per document in --out-dir DIR",
    brat_begin, brat_doc, brat_merge, brat_end, 1};
