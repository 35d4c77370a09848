/*
 * doc.c - prepares one document for scanning: finds its text, id and
 * reference date, and writes the error record of a document that cannot be
 * tagged.
 *
 * Text files are their own text.  A JSONL line is read by the fast scanner
 * in jsonl.c, which validates it and locates the wanted members without
 * building a tree; only the members used are decoded, and a text without
 * escapes is not even copied: doc->text then points into the line.  A line the fast
 * scanner declines (invalid JSON, or JSON outside its strict subset) takes
 * the original path: cJSON parses the line, which gives the exact error
 * column for invalid lines, and the text member is found in the raw bytes.
 * Both paths give the same text, id and date for every line the fast scanner
 * accepts.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* ---- the cJSON path -------------------------------------------------------- */

/* Skips one JSON value (already validated by cJSON) starting at s[i]. */
static size_t skip_value(const char *s, size_t n, size_t i)
{
    int depth = 0;
    while (i < n) {
        char c = s[i];
        if (c == '"') {
            i = cli_json_decode(s, n, i, NULL);
            if (!i)
                return n;
            if (depth == 0)
                return i;
            continue;
        }
        if (c == '{' || c == '[')
            depth++;
        else if (c == '}' || c == ']') {
            if (depth == 0)
                return i;
            depth--;
            if (depth == 0)
                return i + 1;
        } else if (depth == 0 && (c == ',')) {
            return i;
        }
        i++;
    }
    return i;
}

/* Finds top-level member `key` of the object in s and decodes its string
 * value into out.  Returns 1 when found as a string. */
static int find_string_member(const char *s, size_t n, const char *key, ft_buf *out)
{
    size_t i = 0, klen = strlen(key);
    while (i < n && s[i] != '{')
        i++;
    i++;
    ft_buf k = {0};
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == ',' || s[i] == '\n' || s[i] == '\r'))
            i++;
        if (i >= n || s[i] != '"')
            break;
        k.len = 0;
        i = cli_json_decode(s, n, i, &k);
        if (!i)
            break;
        while (i < n && s[i] != ':')
            i++;
        i++;
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        if (k.len == klen && !memcmp(k.p, key, klen)) {
            ft_buf_free(&k);
            if (i < n && s[i] == '"')
                return cli_json_decode(s, n, i, out) != 0;
            return 0;
        }
        i = skip_value(s, n, i);
    }
    ft_buf_free(&k);
    return 0;
}

/* Prepares a JSON line with cJSON: the path for every line the fast scanner
 * declines, and the source of the exact error messages. */
static int prepare_cjson(const cli_opts *opts, cli_doc *doc)
{
    char msg[256];
    const char *end = NULL;
    doc->obj = cJSON_ParseWithLengthOpts(doc->raw, doc->raw_len, &end, 0);
    /* only white space may follow the object: the output record reuses the
     * line's bytes up to its last '}' */
    while (doc->obj && end < doc->raw + doc->raw_len && strchr(" \t\r", *end) && *end)
        end++;
    if (doc->obj && end != doc->raw + doc->raw_len) {
        cJSON_Delete(doc->obj);
        doc->obj = NULL;
    }
    if (!doc->obj || !cJSON_IsObject(doc->obj)) {
        if (doc->obj)
            snprintf(msg, sizeof msg, "line is JSON but not an object");
        else
            snprintf(msg, sizeof msg, "invalid JSON at column %ld",
                     end ? (long)(end - doc->raw) + 1 : 1L);
        return cli_error_record(doc, msg, &doc->out), -1;
    }
    ft_buf t = {0};
    if (!find_string_member(doc->raw, doc->raw_len, opts->text_field, &t)) {
        ft_buf_free(&t);
        snprintf(msg, sizeof msg, "no string field \"%s\"", opts->text_field);
        return cli_error_record(doc, msg, &doc->out), -1;
    }
    if (!t.p)
        ft_buf_reserve(&t, 0);
    doc->text = doc->text_buf = t.p;
    doc->text_len = t.len;
    cJSON *id = cJSON_GetObjectItemCaseSensitive(doc->obj, opts->id_field);
    if (cJSON_IsString(id))
        doc->id = ft_strdup(id->valuestring);
    else if (cJSON_IsNumber(id)) {
        char tmp[64];
        snprintf(tmp, sizeof tmp, "%.17g", id->valuedouble);
        doc->id = ft_strdup(tmp);
    }
    if (opts->date_field) {
        cJSON *d = cJSON_GetObjectItemCaseSensitive(doc->obj, opts->date_field);
        if (cJSON_IsString(d))
            doc->json_date = ft_strdup(d->valuestring);
    }
    return 0;
}

/* ---- the fast path -------------------------------------------------------------- */

/* Decodes the string value v of the line into a new C string (cut at a NUL,
 * as cJSON's valuestring is). */
static char *decode_cstr(const cli_doc *doc, const cli_jsonl_val *v)
{
    ft_buf b = {0};
    if (ft_buf_reserve(&b, v->end - v->start))
        return NULL;
    cli_json_decode(doc->raw, v->end, v->start, &b);
    return b.p;
}

/* The id of a JSON number (n bytes at s, validated by the scanner, which
 * bounds their length) as text: what cJSON's strtod and "%.17g" make of it,
 * as the tree path gives.  An integer of up to 15 digits is exact in a
 * double and prints as its own digits, so it is copied; the rest take the
 * long way, which was a tenth of the time of a run over a million
 * one-line documents with numeric ids. */
static char *number_id(const char *s, size_t n)
{
    size_t i = n && s[0] == '-';
    int digits = n > i && n - i <= 15 && !(n - i == 1 && s[i] == '0' && i);
    for (size_t k = i; digits && k < n; k++)
        digits = s[k] >= '0' && s[k] <= '9';
    if (digits)
        return ft_strndup(s, n);
    char num[64], tmp[64];
    if (n >= sizeof num)
        n = sizeof num - 1;
    memcpy(num, s, n);
    num[n] = 0;
    snprintf(tmp, sizeof tmp, "%.17g", strtod(num, NULL));
    return ft_strdup(tmp);
}

/* Prepares a line the fast scanner accepted: decodes the text, the id and
 * the date exactly as prepare_cjson would have. */
static int prepare_fast(const cli_opts *opts, cli_doc *doc, const cli_jsonl_line *ln,
                        ft_buf *scratch)
{
    doc->json_fast = 1;
    doc->json_members = ln->members;
    doc->json_entities = ln->has_entities;
    doc->json_warnings = ln->has_warnings;
    if (!ln->text.found || ln->text.kind != '"') {
        char msg[256];
        snprintf(msg, sizeof msg, "no string field \"%s\"", opts->text_field);
        return cli_error_record(doc, msg, &doc->out), -1;
    }
    if (!ln->text.esc) {
        /* no escape: the text is the string's bytes, read in place */
        doc->text = doc->raw + ln->text.start + 1;
        doc->text_len = ln->text.end - ln->text.start - 2;
    } else {
        /* the caller's scratch buffer saves a malloc, its first-touch page
         * faults and a free in another thread per document */
        ft_buf own = {0}, *t = scratch ? scratch : &own;
        t->len = 0;
        if (ft_buf_reserve(t, ln->text.end - ln->text.start))
            return cli_error_record(doc, ft_strerror(FT_ERR_NOMEM), &doc->out), -1;
        cli_json_decode(doc->raw, ln->text.end, ln->text.start, t);
        doc->text = t->p;
        doc->text_len = t->len;
        if (!scratch)
            doc->text_buf = own.p;
    }
    if (ln->id.found && ln->id.kind == '"') {
        doc->id = decode_cstr(doc, &ln->id);
    } else if (ln->id.found && ln->id.kind == '0') {
        doc->id = number_id(doc->raw + ln->id.start, ln->id.end - ln->id.start);
    }
    if (opts->date_field && ln->date.found && ln->date.kind == '"')
        doc->json_date = decode_cstr(doc, &ln->date);
    /* csv/tsv --fields read other members from the tree */
    if (opts->fields && *opts->fields && !cli_doc_tree(doc))
        return cli_error_record(doc, ft_strerror(FT_ERR_NOMEM), &doc->out), -1;
    return 0;
}

/* ---- documents ------------------------------------------------------------------ */

cJSON *cli_doc_tree(cli_doc *doc)
{
    if (!doc->obj && doc->is_json && doc->json_fast)
        doc->obj = cJSON_ParseWithLengthOpts(doc->raw, doc->raw_len, NULL, 0);
    return doc->obj;
}

void cli_doc_free(cli_doc *doc)
{
    if (!doc->raw_in_slab)
        free(doc->raw);
    free(doc->name);
    free(doc->input_error);
    free(doc->ref_date);
    cJSON_Delete(doc->obj);
    free(doc->id);
    free(doc->warnings);
    free(doc->json_date);
    if (doc->spool)
        fclose(doc->spool);
    if (doc->out_spool)
        fclose(doc->out_spool);
    free(doc->text_buf);
    if (!doc->out_in_slot)
        ft_buf_free(&doc->out);
    memset(doc, 0, sizeof *doc);
}

int cli_error_record(cli_doc *doc, const char *msg, ft_buf *out)
{
    doc->failed = 1;
    if (doc->input_error != msg) {
        free(doc->input_error);
        doc->input_error = ft_strdup(msg);
    }
    ft_buf_adds(out, "{\"error\":");
    ft_buf_add_json_str(out, msg, strlen(msg));
    if (doc->line)
        ft_buf_addf(out, ",\"line\":%ld", doc->line);
    if (doc->name) {
        ft_buf_adds(out, ",\"file\":");
        ft_buf_add_json_str(out, doc->name, strlen(doc->name));
    }
    return ft_buf_adds(out, "}\n");
}

int cli_doc_prepare(const cli_opts *opts, cli_doc *doc, ft_buf *scratch)
{
    if (doc->input_error)
        return cli_error_record(doc, doc->input_error, &doc->out), -1;
    if (doc->spool && cli_big_load(doc) != 0)
        return cli_error_record(doc, doc->input_error, &doc->out), -1;
    if (!doc->is_json) {
        doc->text = doc->raw;
        doc->text_len = doc->raw_len;
        doc->id = ft_strdup(doc->name);
        return 0;
    }
    if (doc->raw_len >= 3 && !memcmp(doc->raw, "\xEF\xBB\xBF", 3)) {
        /* a byte-order mark (file start, or files concatenated): not JSON */
        memmove(doc->raw, doc->raw + 3, doc->raw_len - 3);
        doc->raw_len -= 3;
        doc->raw[doc->raw_len] = 0;
    }
    cli_jsonl_line ln;
    if (cli_jsonl_scan(doc->raw, doc->raw_len, opts->text_field, opts->id_field, opts->date_field,
                       &ln))
        return prepare_fast(opts, doc, &ln, scratch);
    return prepare_cjson(opts, doc);
}

void cli_scan_opts(const cli_opts *o, const cli_doc *doc, ft_scan_opts *so)
{
    ft_scan_opts_init(so);
    so->keep_overlaps = o->keep_overlaps;
    so->utf8_mode = o->utf8_mode;
    so->ref_date = o->ref_date;
    so->plain = o->plain;
    if (doc->ref_date)
        so->ref_date = doc->ref_date;
    if (o->date_field && doc->json_date)
        so->ref_date = doc->json_date;
}
