/*
 * input_feed.c - news feeds (RSS 2.0, RSS 1.0/RDF, Atom) as documents.
 *
 * Feeds are parsed with expat, a real XML parser, fed chunk by chunk, so
 * CDATA sections, character references, encodings declared in the prolog
 * and namespaces are handled by the parser and not by string search.  Each
 * <item> or <entry> becomes one JSON document (the same shape as a JSONL
 * input line, so every output format and --fields see it the same way):
 *
 *   {"id": guid|id|link, "title", "link", "published": date as written,
 *    "date": YYYY-MM-DD, "text": title + blank line + body}
 *
 * The body is content:encoded or Atom <content> when present, else the
 * description or summary.  Fields that carry HTML (RSS title/description,
 * Atom type="html") have their markup stripped and their HTML entities
 * decoded; Atom type="xhtml" content is inline XML whose block elements
 * become line breaks.  The item's date is also handed to the scanner as the
 * reference date for relative dates (去年, last quarter).
 *
 * Entities HTML defines but XML does not (&nbsp; in a hand-written feed) are
 * decoded through expat's skipped-entity callback instead of failing the
 * whole feed; no external entity or DTD is ever loaded.
 */
#include <ctype.h>
#include <expat.h>
#include <stdlib.h>
#include <string.h>

#include "input_feed.h"

/* ---- HTML entities and text ------------------------------------------- */

typedef struct entity {
    const char *name;
    uint32_t cp;
} entity;

/* The HTML entities that occur in news feeds; sorted by name. */
static const entity entities[] = {
    {"Prime", 0x2033}, {"aacute", 0xE1}, {"agrave", 0xE0}, {"amp", 0x26},
    {"apos", 0x27}, {"auml", 0xE4}, {"bdquo", 0x201E}, {"bull", 0x2022},
    {"ccedil", 0xE7}, {"cent", 0xA2}, {"copy", 0xA9}, {"darr", 0x2193},
    {"deg", 0xB0}, {"divide", 0xF7}, {"eacute", 0xE9}, {"egrave", 0xE8},
    {"emsp", 0x2003}, {"ensp", 0x2002}, {"euro", 0x20AC}, {"frac12", 0xBD},
    {"frac14", 0xBC}, {"frac34", 0xBE}, {"gt", 0x3E}, {"hellip", 0x2026},
    {"iacute", 0xED}, {"laquo", 0xAB}, {"larr", 0x2190}, {"ldquo", 0x201C},
    {"lrm", 0x200E}, {"lsquo", 0x2018}, {"lt", 0x3C}, {"mdash", 0x2014},
    {"micro", 0xB5}, {"middot", 0xB7}, {"nbsp", 0xA0}, {"ndash", 0x2013},
    {"not", 0xAC}, {"oacute", 0xF3}, {"ouml", 0xF6}, {"para", 0xB6},
    {"permil", 0x2030}, {"plusmn", 0xB1}, {"pound", 0xA3}, {"prime", 0x2032},
    {"quot", 0x22}, {"raquo", 0xBB}, {"rarr", 0x2192}, {"rdquo", 0x201D},
    {"reg", 0xAE}, {"rlm", 0x200F}, {"rsquo", 0x2019}, {"sbquo", 0x201A},
    {"sect", 0xA7}, {"shy", 0xAD}, {"sup2", 0xB2}, {"sup3", 0xB3},
    {"thinsp", 0x2009}, {"times", 0xD7}, {"trade", 0x2122}, {"uacute", 0xFA},
    {"uarr", 0x2191}, {"uuml", 0xFC}, {"yen", 0xA5}, {"zwj", 0x200D},
    {"zwnj", 0x200C},
};

/* Finds a named entity (binary search); returns its code point or 0. */
static uint32_t entity_find(const char *name, size_t n)
{
    size_t lo = 0, hi = sizeof entities / sizeof entities[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strncmp(entities[mid].name, name, n);
        if (c == 0 && entities[mid].name[n])
            c = 1;
        if (c == 0)
            return entities[mid].cp;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* Decodes the entity at s[0] == '&' into out; returns the bytes consumed,
 * or 0 when it is not a well-formed reference (the '&' is then literal). */
static size_t decode_entity(const char *s, size_t n, ft_buf *out)
{
    size_t i = 1;
    uint32_t cp = 0;
    if (i < n && s[i] == '#') {
        int hex = i + 1 < n && (s[i + 1] == 'x' || s[i + 1] == 'X');
        i += hex ? 2 : 1;
        size_t digits = 0;
        unsigned long v = 0;
        while (i < n && digits < 8 && (hex ? isxdigit((unsigned char)s[i]) : isdigit((unsigned char)s[i]))) {
            int d = isdigit((unsigned char)s[i]) ? s[i] - '0' : (tolower((unsigned char)s[i]) - 'a' + 10);
            v = v * (hex ? 16u : 10u) + (unsigned long)d;
            i++;
            digits++;
        }
        if (!digits || i >= n || s[i] != ';')
            return 0;
        cp = (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) ? 0xFFFD : (uint32_t)v;
    } else {
        while (i < n && i < 12 && isalnum((unsigned char)s[i]))
            i++;
        if (i == 1 || i >= n || s[i] != ';')
            return 0;
        cp = entity_find(s + 1, i - 1);
        if (!cp)
            return 0;
    }
    ft_buf_add_cp(out, cp);
    return i + 1;
}

/* Block-level HTML elements: their tags separate lines of text. */
static int is_block(const char *name)
{
    static const char *const blocks[] = {
        "p", "br", "div", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5",
        "h6", "blockquote", "pre", "section", "article", "header", "footer", "hr", "dd",
        "dt", "figcaption"};
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        if (!strcmp(name, blocks[i]))
            return 1;
    return 0;
}

/* Finds needle (ASCII, lower case) in s[from..n) ignoring case. */
static size_t find_ci(const char *s, size_t n, size_t from, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = from; i + m <= n; i++) {
        size_t k = 0;
        while (k < m && tolower((unsigned char)s[i + k]) == needle[k])
            k++;
        if (k == m)
            return i;
    }
    return n;
}

/* Appends s[0..n) with runs of blanks collapsed to one space, runs holding a
 * line break to one line break, and the ends trimmed.  U+00A0 is a blank. */
static void collapse_blanks(const char *s, size_t n, ft_buf *out)
{
    size_t start = out->len;
    int pend_space = 0, pend_nl = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t w = 1;
        int blank = c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
        if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] == 0xA0) {
            blank = 1;
            w = 2;
        }
        if (blank) {
            if (c == '\n')
                pend_nl = 1;
            else
                pend_space = 1;
            i += w;
            continue;
        }
        if (out->len > start && (pend_nl || pend_space))
            ft_buf_addc(out, pend_nl ? '\n' : ' ');
        pend_nl = pend_space = 0;
        ft_buf_addc(out, (char)c);
        i++;
    }
}

void cli_html_to_text(const char *s, size_t n, ft_buf *out)
{
    ft_buf t = {0};
    size_t i = 0;
    while (i < n) {
        char c = s[i];
        if (c == '&') {
            size_t k = decode_entity(s + i, n - i, &t);
            if (k) {
                i += k;
                continue;
            }
        } else if (c == '<' && i + 1 < n) {
            if (n - i >= 4 && !memcmp(s + i, "<!--", 4)) {
                size_t e = find_ci(s, n, i + 4, "-->");
                i = e < n ? e + 3 : n;
                continue;
            }
            char d = s[i + 1];
            if (isalpha((unsigned char)d) || d == '/' || d == '!' || d == '?') {
                size_t j = i + 1 + (d == '/');
                char name[16];
                size_t k = 0;
                while (j < n && isalnum((unsigned char)s[j]) && k + 1 < sizeof name)
                    name[k++] = (char)tolower((unsigned char)s[j++]);
                name[k] = 0;
                char q = 0;
                while (j < n && (q || s[j] != '>')) {
                    if (q && s[j] == q)
                        q = 0;
                    else if (!q && (s[j] == '"' || s[j] == '\''))
                        q = s[j];
                    j++;
                }
                i = j < n ? j + 1 : n;
                if (d != '/' && (!strcmp(name, "script") || !strcmp(name, "style"))) {
                    size_t e = find_ci(s, n, i, !strcmp(name, "script") ? "</script" : "</style");
                    size_t gt = e < n ? find_ci(s, n, e, ">") : n;
                    i = gt < n ? gt + 1 : n;
                }
                if (is_block(name))
                    ft_buf_addc(&t, '\n');
                continue;
            }
        }
        ft_buf_addc(&t, c);
        i++;
    }
    if (t.p)
        collapse_blanks(t.p, t.len, out);
    ft_buf_free(&t);
}

/* ---- dates -------------------------------------------------------------- */

/* Normalises an ISO 8601 (2024-03-05T...) or RFC 822 (Tue, 5 Mar 2024 ...)
 * date to "YYYY-MM-DD" in out[11]; returns 0, or -1 when s is neither. */
static int norm_date(const char *s, char out[11])
{
    static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
    int y = 0, m = 0, d = 0;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    if (isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) && isdigit((unsigned char)s[2]) &&
        isdigit((unsigned char)s[3]) && (s[4] == '-' || s[4] == '/')) {
        char *e;
        y = (int)strtol(s, &e, 10);
        m = (int)strtol(e + 1, &e, 10);
        if (*e != s[4])
            return -1;
        d = (int)strtol(e + 1, &e, 10);
    } else {
        const char *p = strchr(s, ',');
        p = p ? p + 1 : s;
        while (*p == ' ')
            p++;
        char *e;
        d = (int)strtol(p, &e, 10);
        if (e == p)
            return -1;
        while (*e == ' ')
            e++;
        char mon[4] = {0};
        for (int k = 0; k < 3 && e[k]; k++)
            mon[k] = (char)tolower((unsigned char)e[k]);
        const char *hit = strlen(mon) == 3 ? strstr(months, mon) : NULL;
        if (!hit || (hit - months) % 3)
            return -1;
        m = (int)(hit - months) / 3 + 1;
        e += 3;
        while (*e && !isdigit((unsigned char)*e) && *e != ' ')
            e++;
        const char *yp = e;
        y = (int)strtol(yp, &e, 10);
        if (e - yp == 2 || (e - yp == 3 && *yp == ' '))
            y += y < 50 ? 2000 : 1900;
    }
    if (y < 1000 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
    return 0;
}

/* ---- the feed parser ---------------------------------------------------- */

enum { F_TITLE, F_BODY, F_SUMMARY, F_ID, F_LINK, F_PUB, F_UPD, F_COUNT };

typedef struct item {
    ft_buf f[F_COUNT];
    int html[F_COUNT];      /* field holds HTML to strip */
    long line;
    int too_big;
} item;

struct cli_feed {
    const cli_opts *opts;
    const char *fname;
    XML_Parser p;
    int depth;              /* current element depth */
    int item_depth;         /* depth of the open item, 0 = none */
    int field;              /* field being captured, -1 = none */
    int field_depth;
    item it;
    cli_doc *queue;         /* finished items */
    size_t q_head, q_len, q_cap;
    int dead;               /* a parse error ended this feed */
};

/* The local part of an expat name "URI local" (namespace processing). */
static const char *local_name(const char *name)
{
    const char *sp = strrchr(name, ' ');
    return sp ? sp + 1 : name;
}

static const char *attr_get(const char **atts, const char *key)
{
    for (size_t i = 0; atts[i]; i += 2)
        if (!strcmp(local_name(atts[i]), key))
            return atts[i + 1];
    return NULL;
}

/* Appends a finished document to the queue. */
static int queue_push(cli_feed *f, cli_doc *doc)
{
    if (f->q_head + f->q_len == f->q_cap) {
        if (f->q_head) {
            memmove(f->queue, f->queue + f->q_head, f->q_len * sizeof *f->queue);
            f->q_head = 0;
        } else {
            size_t cap = f->q_cap ? f->q_cap * 2 : 16;
            cli_doc *q = realloc(f->queue, cap * sizeof *q);
            if (!q)
                return -1;
            f->queue = q;
            f->q_cap = cap;
        }
    }
    f->queue[f->q_head + f->q_len++] = *doc;
    return 0;
}

static void item_reset(item *it)
{
    for (int i = 0; i < F_COUNT; i++)
        ft_buf_free(&it->f[i]);
    memset(it, 0, sizeof *it);
}

/* A field's text: HTML stripped, or plain text with blanks collapsed. */
static void field_text(const item *it, int k, ft_buf *out)
{
    const ft_buf *b = &it->f[k];
    if (!b->len)
        return;
    if (it->html[k])
        cli_html_to_text(b->p, b->len, out);
    else
        collapse_blanks(b->p, b->len, out);
}

/* Adds key: s to o unless the key is the text field (which is set last). */
static void add_meta(const cli_feed *f, cJSON *o, const char *key, const ft_buf *s)
{
    if (!s->len || !strcmp(key, f->opts->text_field) || cJSON_HasObjectItem(o, key))
        return;
    cJSON_AddStringToObject(o, key, s->p);
}

/* Turns the finished item into a queued JSON document. */
static void item_finish(cli_feed *f)
{
    item *it = &f->it;
    cli_doc doc;
    memset(&doc, 0, sizeof doc);
    doc.is_json = 1;
    doc.name = ft_strdup(f->fname);
    doc.line = it->line;
    ft_buf title = {0}, body = {0}, text = {0}, link = {0}, id = {0}, pub = {0};
    field_text(it, F_TITLE, &title);
    field_text(it, F_BODY, &body);
    if (!body.len)
        field_text(it, F_SUMMARY, &body);
    collapse_blanks(it->f[F_LINK].p ? it->f[F_LINK].p : "", it->f[F_LINK].len, &link);
    collapse_blanks(it->f[F_ID].p ? it->f[F_ID].p : "", it->f[F_ID].len, &id);
    const ft_buf *date = it->f[F_PUB].len ? &it->f[F_PUB] : &it->f[F_UPD];
    collapse_blanks(date->p ? date->p : "", date->len, &pub);
    ft_buf_add(&text, title.p ? title.p : "", title.len);
    if (title.len && body.len)
        ft_buf_adds(&text, "\n\n");
    ft_buf_add(&text, body.p ? body.p : "", body.len);
    char day[11];
    int have_day = pub.len && norm_date(pub.p, day) == 0;
    if (it->too_big || text.len > f->opts->max_doc_bytes) {
        char msg[160];
        snprintf(msg, sizeof msg, "feed item exceeds --max-doc-bytes %zu", f->opts->max_doc_bytes);
        doc.input_error = ft_strdup(msg);
    } else {
        cJSON *o = cJSON_CreateObject();
        ft_buf day_b = {0};
        if (have_day)
            ft_buf_adds(&day_b, day);
        add_meta(f, o, f->opts->id_field, id.len ? &id : &link);
        add_meta(f, o, "title", &title);
        add_meta(f, o, "link", &link);
        add_meta(f, o, "published", &pub);
        add_meta(f, o, "date", &day_b);
        cJSON_AddStringToObject(o, f->opts->text_field, text.p ? text.p : "");
        ft_buf_free(&day_b);
        doc.raw = cJSON_PrintUnformatted(o);
        doc.raw_len = doc.raw ? strlen(doc.raw) : 0;
        cJSON_Delete(o);
        if (!doc.raw)
            doc.input_error = ft_strdup("out of memory");
        if (have_day)
            doc.ref_date = ft_strdup(day);
    }
    ft_buf_free(&title);
    ft_buf_free(&body);
    ft_buf_free(&text);
    ft_buf_free(&link);
    ft_buf_free(&id);
    ft_buf_free(&pub);
    if (queue_push(f, &doc))
        cli_doc_free(&doc);
}

/* Which item field an element is, from its local name; sets *html. */
static int field_of(const char *name, const char *local, const char **atts, int *html)
{
    const char *type = attr_get(atts, "type");
    int atom = strncmp(name, "http://www.w3.org/2005/Atom ", 28) == 0;
    /* Atom text constructs say what they hold; RSS fields hold HTML */
    *html = atom ? (type && (!strcmp(type, "html") || !strcmp(type, "text/html"))) : 1;
    if (!strcmp(local, "title"))
        return F_TITLE;
    if (!strcmp(local, "encoded") || !strcmp(local, "content"))
        return F_BODY;
    if (!strcmp(local, "description") || !strcmp(local, "summary"))
        return F_SUMMARY;
    *html = 0;
    if (!strcmp(local, "guid") || !strcmp(local, "id"))
        return F_ID;
    if (!strcmp(local, "link"))
        return F_LINK;
    if (!strcmp(local, "pubDate") || !strcmp(local, "published") || !strcmp(local, "date") ||
        !strcmp(local, "issued"))
        return F_PUB;
    if (!strcmp(local, "updated") || !strcmp(local, "modified"))
        return F_UPD;
    return -1;
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    cli_feed *f = ud;
    const char *local = local_name(name);
    f->depth++;
    if (!f->item_depth) {
        if (!strcmp(local, "item") || !strcmp(local, "entry")) {
            f->item_depth = f->depth;
            f->it.line = (long)XML_GetCurrentLineNumber(f->p);
        }
        return;
    }
    if (f->field >= 0) {
        /* markup inside a field: Atom xhtml content */
        if (is_block(local))
            ft_buf_addc(&f->it.f[f->field], '\n');
        return;
    }
    if (f->depth != f->item_depth + 1)
        return;
    int html;
    int k = field_of(name, local, atts, &html);
    if (k < 0)
        return;
    if (k == F_LINK) {
        const char *href = attr_get(atts, "href");
        const char *rel = attr_get(atts, "rel");
        if (href) {
            if ((!rel || !strcmp(rel, "alternate")) && !f->it.f[F_LINK].len)
                ft_buf_adds(&f->it.f[F_LINK], href);
            return;
        }
    }
    if (f->it.f[k].len)     /* first occurrence wins */
        return;
    f->field = k;
    f->field_depth = f->depth;
    f->it.html[k] = html;
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    cli_feed *f = ud;
    const char *local = local_name(name);
    if (f->field >= 0 && f->depth == f->field_depth)
        f->field = -1;
    else if (f->field >= 0 && is_block(local))
        ft_buf_addc(&f->it.f[f->field], '\n');
    if (f->item_depth && f->depth == f->item_depth) {
        item_finish(f);
        item_reset(&f->it);
        f->item_depth = 0;
        f->field = -1;
    }
    f->depth--;
}

static void add_field_text(cli_feed *f, const char *s, size_t n)
{
    ft_buf *b = &f->it.f[f->field];
    if (b->len + n > f->opts->max_doc_bytes) {
        f->it.too_big = 1;
        return;
    }
    ft_buf_add(b, s, n);
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
    cli_feed *f = ud;
    if (f->item_depth && f->field >= 0 && len > 0)
        add_field_text(f, s, (size_t)len);
}

/* An entity the document uses but does not declare (&nbsp; without a DTD):
 * decoded when HTML defines it, else kept as written. */
static void XMLCALL on_skipped(void *ud, const XML_Char *name, int is_param)
{
    cli_feed *f = ud;
    if (is_param || !f->item_depth || f->field < 0)
        return;
    ft_buf tmp = {0};
    size_t n = strlen(name);
    uint32_t cp = entity_find(name, n);
    if (cp) {
        ft_buf_add_cp(&tmp, cp);
    } else {
        ft_buf_addc(&tmp, '&');
        ft_buf_adds(&tmp, name);
        ft_buf_addc(&tmp, ';');
    }
    add_field_text(f, tmp.p, tmp.len);
    ft_buf_free(&tmp);
}

cli_feed *cli_feed_new(const cli_opts *opts, const char *fname)
{
    cli_feed *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->opts = opts;
    f->fname = fname;
    f->field = -1;
    f->p = XML_ParserCreateNS(NULL, ' ');
    if (!f->p) {
        free(f);
        return NULL;
    }
    XML_SetUserData(f->p, f);
    XML_SetElementHandler(f->p, on_start, on_end);
    XML_SetCharacterDataHandler(f->p, on_text);
    XML_SetSkippedEntityHandler(f->p, on_skipped);
    /* pretend an (unread) external DTD exists so undeclared entities are
     * skipped, not fatal */
    XML_SetParamEntityParsing(f->p, XML_PARAM_ENTITY_PARSING_UNLESS_STANDALONE);
    XML_UseForeignDTD(f->p, XML_TRUE);
    return f;
}

int cli_feed_parse(cli_feed *f, const char *buf, size_t n, int final)
{
    if (f->dead)
        return 0;
    while (n || final) {
        int chunk = n > (1u << 30) ? 1 << 30 : (int)n;
        int last = final && (size_t)chunk == n;
        if (XML_Parse(f->p, buf, chunk, last) == XML_STATUS_ERROR) {
            cli_doc doc;
            memset(&doc, 0, sizeof doc);
            char msg[200];
            snprintf(msg, sizeof msg, "XML error at column %lu: %s",
                     (unsigned long)XML_GetCurrentColumnNumber(f->p) + 1,
                     XML_ErrorString(XML_GetErrorCode(f->p)));
            doc.input_error = ft_strdup(msg);
            doc.name = ft_strdup(f->fname);
            doc.line = (long)XML_GetCurrentLineNumber(f->p);
            if (queue_push(f, &doc))
                cli_doc_free(&doc);
            f->dead = 1;
            return -1;
        }
        buf += chunk;
        n -= (size_t)chunk;
        if (last)
            break;
    }
    return 0;
}

int cli_feed_next(cli_feed *f, cli_doc *doc)
{
    if (!f->q_len)
        return 0;
    *doc = f->queue[f->q_head++];
    if (--f->q_len == 0)
        f->q_head = 0;
    return 1;
}

void cli_feed_free(cli_feed *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->q_len; i++)
        cli_doc_free(&f->queue[f->q_head + i]);
    free(f->queue);
    item_reset(&f->it);
    XML_ParserFree(f->p);
    free(f);
}
