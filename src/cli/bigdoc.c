/*
 * bigdoc.c - documents larger than --chunk-over: tagged from a spool file
 * in windows, so that a 100 MB JSONL line costs a few megabytes of memory.
 *
 * The reader (input.c) writes such a document to an unlinked temporary
 * file instead of memory.  Here, for the JSONL output format:
 *   1. a JSON tokenizer that takes its input in pieces validates the line
 *      and notes where its top-level members are (the text field's string,
 *      the id and date fields, members named "entities" or "warnings");
 *   2. the output record is started in a second temporary file: the line's
 *      own bytes up to its closing brace;
 *   3. the text field is decoded piece by piece (escapes may straddle two
 *      reads) into an ft_stream (src/chunk.c), whose callback appends each
 *      window's entities to the record;
 *   4. the record is closed; the writer thread copies the file to the
 *      output in input order.
 * A text document skips steps 1 and 3's decoding.  Other output formats
 * need the whole text (markup, CoNLL) or are rarely used on such documents;
 * for them the spooled document is read back into memory (cli_big_load).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define PIECE 65536
#define MAX_DEPTH 1000         /* cJSON's nesting limit */
#define MAX_MEMBERS 100000     /* kept for re-serialising a clashing record */
#define SMALL 1024             /* longest key or id/date value we decode */

FILE *cli_spool_open(void)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/fintag-spool-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    unlink(path);
    FILE *f = fdopen(fd, "w+b");
    if (!f)
        close(fd);
    return f;
}

int cli_big_load(cli_doc *doc)
{
    ft_buf b = {0};
    char blk[PIECE];
    size_t n;
    rewind(doc->spool);
    while ((n = fread(blk, 1, sizeof blk, doc->spool)) > 0)
        if (ft_buf_add(&b, blk, n)) {
            ft_buf_free(&b);
            doc->input_error = ft_strdup("out of memory reading a spooled document back");
            return -1;
        }
    int err = ferror(doc->spool);
    fclose(doc->spool);
    doc->spool = NULL;
    if (err) {
        ft_buf_free(&b);
        doc->input_error = ft_strdup("cannot read a spooled document back");
        return -1;
    }
    if (!b.p)
        ft_buf_reserve(&b, 0);
    doc->raw = b.p;
    doc->raw_len = b.len;
    return 0;
}

/* ---- JSON string decoding in pieces ------------------------------------- */

static int hexv(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static uint32_t hex4(const char *s)
{
    uint32_t v = 0;
    for (int k = 0; k < 4; k++)
        v = v * 16 + (uint32_t)hexv((unsigned char)s[k]);
    return v;
}

static void put_cp(ft_buf *b, uint32_t c)
{
    char t[4];
    if (c < 0x80) {
        ft_buf_addc(b, (char)c);
    } else if (c < 0x800) {
        t[0] = (char)(0xC0 | (c >> 6)); t[1] = (char)(0x80 | (c & 0x3F));
        ft_buf_add(b, t, 2);
    } else if (c < 0x10000) {
        t[0] = (char)(0xE0 | (c >> 12)); t[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        t[2] = (char)(0x80 | (c & 0x3F));
        ft_buf_add(b, t, 3);
    } else {
        t[0] = (char)(0xF0 | (c >> 18)); t[1] = (char)(0x80 | ((c >> 12) & 0x3F));
        t[2] = (char)(0x80 | ((c >> 6) & 0x3F)); t[3] = (char)(0x80 | (c & 0x3F));
        ft_buf_add(b, t, 4);
    }
}

/* Decodes the body of an already validated JSON string from s[0..n) into
 * out, stopping at the closing quote (*closed = 1) or before an escape that
 * does not fit in the piece (unless last).  Returns the bytes consumed.  A
 * lone surrogate becomes U+FFFD, as in the in-memory path. */
static size_t decode_piece(const char *s, size_t n, int last, ft_buf *out, int *closed)
{
    size_t i = 0, run = 0;
    *closed = 0;
    while (i < n) {
        char c = s[i];
        if (c == '"') {
            ft_buf_add(out, s + run, i - run);
            *closed = 1;
            return i + 1;
        }
        if (c != '\\') {
            i++;
            continue;
        }
        /* the longest escape is a surrogate pair, 12 bytes */
        size_t need = i + 1 < n && s[i + 1] == 'u' ? 12 : 2;
        if (i + need > n && !last)
            break;
        ft_buf_add(out, s + run, i - run);
        if (i + 1 >= n)
            return n;
        char e = s[i + 1];
        i += 2;
        if (e == 'u' && i + 4 <= n) {
            uint32_t u = hex4(s + i), lo;
            i += 4;
            if (u >= 0xD800 && u <= 0xDBFF && i + 6 <= n && s[i] == '\\' && s[i + 1] == 'u' &&
                (lo = hex4(s + i + 2)) >= 0xDC00 && lo <= 0xDFFF) {
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
            } else if (u >= 0xD800 && u <= 0xDFFF) {
                u = 0xFFFD;
            }
            put_cp(out, u);
        } else {
            ft_buf_addc(out, e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r'
                             : e == 'b' ? '\b' : e == 'f' ? '\f' : e);
        }
        run = i;
    }
    ft_buf_add(out, s + run, i - run);
    return i;
}

/* ---- the tokenizer ------------------------------------------------------- */

enum { J_VALUE, J_KEY_OR_END, J_KEY, J_COLON, J_AFTER, J_STR, J_ESC, J_HEX, J_NUM, J_LIT,
       J_DONE, J_ERROR };
enum { N_MINUS, N_ZERO, N_INT, N_DOT, N_FRAC, N_E, N_ESIGN, N_EXP };

/* A top-level member the record needs. */
typedef struct member {
    int found;
    int is_str;               /* the value is a string */
    size_t val_start;         /* offset of the value's first byte */
    ft_buf small;             /* raw value bytes (id/date only, up to SMALL) */
} member;

typedef struct jscan {
    int state;
    int top_object;           /* the top-level value is an object */
    int str_is_key;
    int hex_left;
    int num;
    const char *lit;
    int lit_pos;
    unsigned char stack[MAX_DEPTH + 1];
    int depth;
    size_t pos;               /* offset of the byte being looked at */
    size_t err_pos;
    const char *err_msg;
    /* top-level members */
    ft_buf key;               /* raw bytes of the key being read (depth 1) */
    int key_over;
    size_t key_start, val_start;
    int cur;                  /* which member the current value is, -1 none */
    int cur_drop;             /* the current member is "entities"/"warnings" */
    int val_is_str;
    size_t n_members, n_drop;
    size_t *ranges;           /* key start and value end of every member */
    size_t cap_ranges;
    int ranges_over;
    size_t close_pos;         /* offset of the top-level closing brace */
    const char *names[3];     /* text, id, date field names */
    member m[3];
} jscan;

static void j_fail(jscan *j, const char *msg)
{
    if (j->state != J_ERROR) {
        j->state = J_ERROR;
        j->err_pos = j->pos;
        j->err_msg = msg;
    }
}

/* A key at depth 1 ended: which member does the value that follows belong to? */
static void key_done(jscan *j)
{
    ft_buf dec = {0};
    int closed;
    decode_piece(j->key.p ? j->key.p : "", j->key.len, 1, &dec, &closed);
    j->cur = -1;
    j->cur_drop = 0;
    if (!j->key_over) {
        for (int k = 0; k < 3; k++)
            if (j->names[k] && !j->m[k].found && dec.len == strlen(j->names[k]) &&
                !memcmp(dec.p, j->names[k], dec.len)) {
                j->cur = k;
                break;
            }
        if ((dec.len == 8 && !memcmp(dec.p, "entities", 8)) ||
            (dec.len == 8 && !memcmp(dec.p, "warnings", 8)))
            j->cur_drop = 1;
    }
    ft_buf_free(&dec);
}

/* A value ended just before offset end. */
static void value_done(jscan *j, size_t end)
{
    if (j->depth == 0) {
        j->state = J_DONE;
        return;
    }
    j->state = J_AFTER;
    if (j->depth != 1 || !j->top_object)
        return;
    if (j->cur >= 0) {
        member *m = &j->m[j->cur];
        m->found = 1;
        m->is_str = j->val_is_str;
        m->val_start = j->val_start;
    }
    j->n_drop += j->cur_drop;
    if (!j->ranges_over) {
        if (j->n_members >= MAX_MEMBERS) {
            j->ranges_over = 1;
        } else {
            if (2 * j->n_members + 2 > j->cap_ranges) {
                size_t nc = j->cap_ranges ? 2 * j->cap_ranges : 64;
                size_t *p = realloc(j->ranges, nc * sizeof *p);
                if (!p) {
                    j->ranges_over = 1;
                    goto counted;
                }
                j->ranges = p;
                j->cap_ranges = nc;
            }
            /* a dropped member is marked by a key start of SIZE_MAX */
            j->ranges[2 * j->n_members] = j->cur_drop ? SIZE_MAX : j->key_start;
            j->ranges[2 * j->n_members + 1] = end;
        }
    }
counted:
    j->n_members++;
    j->cur = -1;
    j->cur_drop = 0;
}

/* Starts a value with byte c (state J_VALUE). */
static void value_start(jscan *j, unsigned char c)
{
    if (j->depth == 1 && j->top_object) {
        j->val_start = j->pos;
        j->val_is_str = c == '"';
    }
    switch (c) {
    case '{':
    case '[':
        if (j->depth == 0 && c == '{')
            j->top_object = 1;
        if (j->depth >= MAX_DEPTH) {
            j_fail(j, "nested too deeply");
            return;
        }
        /* an array just opened is marked: it may close at once */
        j->stack[j->depth++] = c == '[' ? ('[' | 0x80) : '{';
        j->state = c == '{' ? J_KEY_OR_END : J_VALUE;
        return;
    case '"':
        j->str_is_key = 0;
        j->state = J_STR;
        return;
    case '-':
        j->num = N_MINUS;
        j->state = J_NUM;
        if (j->depth == 1 && j->top_object && j->cur >= 1)
            ft_buf_addc(&j->m[j->cur].small, '-');
        return;
    case 't': j->lit = "true"; break;
    case 'f': j->lit = "false"; break;
    case 'n': j->lit = "null"; break;
    default:
        if (c >= '0' && c <= '9') {
            j->num = c == '0' ? N_ZERO : N_INT;
            j->state = J_NUM;
            if (j->depth == 1 && j->top_object && j->cur >= 1)
                ft_buf_addc(&j->m[j->cur].small, (char)c);
            return;
        }
        j_fail(j, "a value expected");
        return;
    }
    j->lit_pos = 1;
    j->state = J_LIT;
}

/* Closes the innermost container with c (']' or '}'). */
static void close_container(jscan *j, unsigned char c)
{
    unsigned char open = (unsigned char)(j->stack[j->depth - 1] & 0x7F);
    if ((c == ']') != (open == '['))
        return j_fail(j, "mismatched bracket");
    if (j->depth == 1 && j->top_object)
        j->close_pos = j->pos;
    j->depth--;
    value_done(j, j->pos + 1);
}

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Feeds s[0..n) (document offsets from j->pos on) to the tokenizer. */
static void j_feed(jscan *j, const char *s, size_t n)
{
    for (size_t i = 0; i < n && j->state != J_ERROR; i++, j->pos++) {
        unsigned char c = (unsigned char)s[i];
    again:
        switch (j->state) {
        case J_VALUE:
            if (is_ws(c))
                break;
            if (c == ']' && j->depth && j->stack[j->depth - 1] == ('[' | 0x80)) {
                j->stack[j->depth - 1] = '[';
                close_container(j, c);
                break;
            }
            if (j->depth)
                j->stack[j->depth - 1] &= 0x7F;
            value_start(j, c);
            break;
        case J_KEY_OR_END:
        case J_KEY:
            if (is_ws(c))
                break;
            if (c == '}' && j->state == J_KEY_OR_END) {
                close_container(j, c);
                break;
            }
            if (c != '"') {
                j_fail(j, "a member name expected");
                break;
            }
            j->str_is_key = 1;
            if (j->depth == 1 && j->top_object) {
                j->key.len = 0;
                j->key_over = 0;
                j->key_start = j->pos;
            }
            j->state = J_STR;
            break;
        case J_COLON:
            if (is_ws(c))
                break;
            if (c != ':')
                j_fail(j, "':' expected");
            else
                j->state = J_VALUE;
            break;
        case J_AFTER:
            if (is_ws(c))
                break;
            if (c == ',') {
                j->state = j->stack[j->depth - 1] == '{' ? J_KEY : J_VALUE;
            } else if (c == '}' || c == ']') {
                close_container(j, c);
            } else {
                j_fail(j, "',' or a closing bracket expected");
            }
            break;
        case J_STR:
        case J_ESC:
        case J_HEX: {
            int top = j->depth == 1 && j->top_object;
            int closing = j->state == J_STR && c == '"';
            if (closing) {
                /* the closing quote is not part of the value */
            } else if (top && j->str_is_key && !j->key_over) {
                if (j->key.len < SMALL)
                    ft_buf_addc(&j->key, (char)c);
                else
                    j->key_over = 1;
            } else if (top && !j->str_is_key && j->cur >= 1 && j->m[j->cur].small.len < SMALL) {
                ft_buf_addc(&j->m[j->cur].small, (char)c);
            }
            if (j->state == J_ESC) {
                if (c == 'u') {
                    j->state = J_HEX;
                    j->hex_left = 4;
                } else if (strchr("\"\\/bfnrt", c) && c) {
                    j->state = J_STR;
                } else {
                    j_fail(j, "invalid escape");
                }
            } else if (j->state == J_HEX) {
                if (hexv(c) < 0)
                    j_fail(j, "invalid \\u escape");
                else if (--j->hex_left == 0)
                    j->state = J_STR;
            } else if (c == '\\') {
                j->state = J_ESC;
            } else if (c == '"') {
                if (j->str_is_key) {
                    if (top)
                        key_done(j);
                    j->state = J_COLON;
                } else {
                    value_done(j, j->pos + 1);
                }
            } else if (c < 0x20) {
                j_fail(j, "a control character in a string");
            }
            break;
        }
        case J_NUM: {
            int digit = c >= '0' && c <= '9';
            int next = -1;
            switch (j->num) {
            case N_MINUS: next = digit ? (c == '0' ? N_ZERO : N_INT) : -2; break;
            case N_ZERO: next = c == '.' ? N_DOT : (c == 'e' || c == 'E') ? N_E : -1; break;
            case N_INT: next = digit ? N_INT : c == '.' ? N_DOT : (c == 'e' || c == 'E') ? N_E : -1; break;
            case N_DOT: next = digit ? N_FRAC : -2; break;
            case N_FRAC: next = digit ? N_FRAC : (c == 'e' || c == 'E') ? N_E : -1; break;
            case N_E: next = digit ? N_EXP : (c == '+' || c == '-') ? N_ESIGN : -2; break;
            case N_ESIGN: next = digit ? N_EXP : -2; break;
            case N_EXP: next = digit ? N_EXP : -1; break;
            }
            if (next == -2) {
                j_fail(j, "invalid number");
            } else if (next >= 0) {
                j->num = next;
                if (j->depth == 1 && j->top_object && j->cur >= 1 && j->m[j->cur].small.len < SMALL)
                    ft_buf_addc(&j->m[j->cur].small, (char)c);
            } else {
                value_done(j, j->pos);
                goto again;
            }
            break;
        }
        case J_LIT:
            if (c != (unsigned char)j->lit[j->lit_pos]) {
                j_fail(j, "invalid literal");
            } else if (!j->lit[++j->lit_pos]) {
                value_done(j, j->pos + 1);
            }
            break;
        case J_DONE:
            if (!is_ws(c))
                j_fail(j, "text after the JSON value");
            break;
        }
    }
}

/* ---- tagging --------------------------------------------------------------- */

typedef struct bigrun {
    cli_ctx *ctx;
    cli_doc *doc;
    FILE *out;
    ft_buf buf;               /* rendering buffer of one window */
    int first;                /* no entity written yet */
    size_t n_entities;
    ft_buf warnings;          /* JSON array members */
    ft_buf warn_lines;        /* for stderr */
    size_t n_warnings;
    size_t invalid;
} bigrun;

/* ft_stream callback: appends the window's entities to the record. */
static int on_part(const ft_result *part, const char *text, size_t base, size_t len, void *user)
{
    bigrun *b = user;
    const cli_opts *o = b->ctx->opts;
    b->buf.len = 0;
    b->invalid += (size_t)part->invalid_utf8;
    for (size_t i = 0; i < part->n_warnings; i++) {
        const char *w = part->warnings[i];
        ft_buf_adds(&b->warnings, b->n_warnings++ ? "," : "");
        ft_buf_add_json_str(&b->warnings, w, strlen(w));
        ft_buf_addf(&b->warn_lines, "%s%s", b->warn_lines.len ? "\n" : "", w);
    }
    for (size_t i = 0; i < part->n_spans; i++) {
        const ft_span *sp = &part->spans[i];
        if (o->n_types) {
            size_t t = 0;
            while (t < o->n_types && strcmp(sp->type, o->types[t]))
                t++;
            if (t == o->n_types)
                continue;
        }
        ft_result one = *part;
        one.n_spans = 1;
        one.spans = sp;
        one.n_warnings = 0;
        if (ft_json_add_spans(&b->buf, &one, text, base, len, o->utf16, &b->first))
            return 1;
        b->n_entities++;
    }
    return b->buf.len && fwrite(b->buf.p, 1, b->buf.len, b->out) != b->buf.len;
}

/* Copies [from, to) of the spool to out. */
static int copy_range(FILE *in, FILE *out, size_t from, size_t to)
{
    char blk[PIECE];
    if (fseeko(in, (off_t)from, SEEK_SET))
        return -1;
    while (from < to) {
        size_t want = to - from < sizeof blk ? to - from : sizeof blk;
        size_t n = fread(blk, 1, want, in);
        if (n == 0 || fwrite(blk, 1, n, out) != n)
            return -1;
        from += n;
    }
    return 0;
}

/* Streams the text: JSON string at offset `at` (its opening quote) or, for
 * a text document (at == SIZE_MAX), the whole spool. */
static int feed_text(FILE *in, size_t at, ft_stream *st, size_t *text_len)
{
    char blk[PIECE + 16];
    size_t carry = 0;
    ft_buf dec = {0};
    int rc = FT_OK, closed = 0;
    *text_len = 0;
    if (fseeko(in, (off_t)(at == SIZE_MAX ? 0 : at + 1), SEEK_SET))
        return FT_ERR_IO;
    while (!closed && rc == FT_OK) {
        size_t n = fread(blk + carry, 1, PIECE, in);
        if (n == 0 && ferror(in)) {
            rc = FT_ERR_IO;
            break;
        }
        int last = n == 0;
        n += carry;
        if (n == 0)
            break;
        if (at == SIZE_MAX) {
            rc = ft_stream_write(st, blk, n);
            *text_len += n;
            carry = 0;
            continue;
        }
        dec.len = 0;
        size_t used = decode_piece(blk, n, last, &dec, &closed);
        rc = ft_stream_write(st, dec.p ? dec.p : "", dec.len);
        *text_len += dec.len;
        carry = n - used;
        memmove(blk, blk + used, carry);
        if (last)
            break;
    }
    ft_buf_free(&dec);
    return rc;
}

/* Writes the start of the record: the line's members (all of them, or
 * without "entities"/"warnings" when it has them) and the "entities" key. */
static int record_head(jscan *j, FILE *in, FILE *out, size_t start)
{
    if (!j->n_drop) {
        if (copy_range(in, out, start, j->close_pos))
            return -1;
        return fputs(j->n_members ? ",\"entities\":[" : "\"entities\":[", out) < 0 ? -1 : 0;
    }
    if (fputc('{', out) == EOF)
        return -1;
    size_t kept = 0;
    for (size_t i = 0; i < j->n_members; i++) {
        if (j->ranges[2 * i] == SIZE_MAX)
            continue;
        if ((kept++ && fputc(',', out) == EOF) ||
            copy_range(in, out, j->ranges[2 * i], j->ranges[2 * i + 1]))
            return -1;
    }
    return fputs(kept ? ",\"entities\":[" : "\"entities\":[", out) < 0 ? -1 : 0;
}

/* Records a failure of the document in its in-memory output. */
static int big_fail(cli_doc *doc, const char *msg)
{
    if (doc->out_spool) {
        fclose(doc->out_spool);
        doc->out_spool = NULL;
    }
    cli_error_record(doc, msg, &doc->out);
    return 1;
}

int cli_big_process(cli_ctx *ctx, ft_scanner *sc, cli_doc *doc)
{
    const cli_opts *o = ctx->opts;
    if (strcmp(ctx->writer->name, "jsonl"))
        return 0;
    FILE *in = doc->spool;
    char msg[300];
    jscan j;
    memset(&j, 0, sizeof j);
    j.cur = -1;
    j.names[0] = o->text_field;
    j.names[1] = o->id_field;
    j.names[2] = o->date_field;
    size_t start = 0;
    if (doc->is_json) {
        char blk[PIECE];
        size_t n, off = 0;
        rewind(in);
        while (j.state != J_ERROR && (n = fread(blk, 1, sizeof blk, in)) > 0) {
            size_t skip = 0;
            if (off == 0 && n >= 3 && !memcmp(blk, "\xEF\xBB\xBF", 3))
                skip = start = j.pos = 3;   /* a byte-order mark */
            j_feed(&j, blk + skip, n - skip);
            off += n;
        }
        if (ferror(in))
            return big_fail(doc, "cannot read a spooled document back");
        if (j.state == J_ERROR) {
            snprintf(msg, sizeof msg, "invalid JSON at column %zu (%s)", j.err_pos + 1, j.err_msg);
        } else if (j.state != J_DONE && !(j.state == J_NUM && j.depth == 0 &&
                                          j.num != N_MINUS && j.num != N_DOT &&
                                          j.num != N_E && j.num != N_ESIGN)) {
            snprintf(msg, sizeof msg, "invalid JSON at column %zu (truncated)", j.pos + 1);
        } else if (!j.top_object) {
            snprintf(msg, sizeof msg, "line is JSON but not an object");
        } else if (!j.m[0].found || !j.m[0].is_str) {
            snprintf(msg, sizeof msg, "no string field \"%s\"", o->text_field);
        } else if (j.n_drop && j.ranges_over) {
            snprintf(msg, sizeof msg, "a line of over %d members that already has \"entities\" "
                     "or \"warnings\" cannot be rewritten", MAX_MEMBERS);
        } else {
            msg[0] = 0;
        }
        if (msg[0]) {
            for (int k = 0; k < 3; k++)
                ft_buf_free(&j.m[k].small);
            ft_buf_free(&j.key);
            free(j.ranges);
            return big_fail(doc, msg);
        }
    }
    /* id and reference date from the line's own members */
    ft_buf idb = {0}, dateb = {0};
    if (doc->is_json) {
        int closed;
        if (j.m[1].found && j.m[1].is_str) {
            decode_piece(j.m[1].small.p ? j.m[1].small.p : "", j.m[1].small.len, 1, &idb, &closed);
            ft_buf_addc(&idb, 0);
            doc->id = ft_strdup(idb.p);
        } else if (j.m[1].found && j.m[1].small.len) {
            ft_buf_addc(&j.m[1].small, 0);
            snprintf(msg, sizeof msg, "%.17g", strtod(j.m[1].small.p, NULL));
            doc->id = ft_strdup(msg);
        }
        if (j.m[2].found && j.m[2].is_str) {
            decode_piece(j.m[2].small.p ? j.m[2].small.p : "", j.m[2].small.len, 1, &dateb, &closed);
            ft_buf_addc(&dateb, 0);
        }
    } else {
        doc->id = ft_strdup(doc->name);
    }
    ft_scan_opts so;
    cli_scan_opts(o, doc, &so);
    if (dateb.p)
        so.ref_date = dateb.p;

    bigrun b;
    memset(&b, 0, sizeof b);
    b.ctx = ctx;
    b.doc = doc;
    b.first = 1;
    doc->out_spool = b.out = cli_spool_open();
    int fail = !b.out;
    if (!fail && doc->is_json)
        fail = record_head(&j, in, b.out, start) != 0;
    else if (!fail) {
        ft_buf h = {0};
        ft_buf_adds(&h, "{\"id\":");
        ft_buf_add_json_str(&h, doc->id ? doc->id : "", doc->id ? strlen(doc->id) : 0);
        ft_buf_adds(&h, ",\"entities\":[");
        fail = fwrite(h.p, 1, h.len, b.out) != h.len;
        ft_buf_free(&h);
    }
    ft_stream *st = NULL;
    int rc = FT_OK;
    if (!fail) {
        rc = ft_stream_create(sc, &so, o->chunk_window, on_part, &b, &st);
        if (rc == FT_OK)
            rc = feed_text(in, doc->is_json ? j.m[0].val_start : SIZE_MAX, st, &doc->text_len);
        if (rc == FT_OK)
            rc = ft_stream_finish(st);
        ft_stream_destroy(st);
    }
    for (int k = 0; k < 3; k++)
        ft_buf_free(&j.m[k].small);
    ft_buf_free(&j.key);
    free(j.ranges);
    ft_buf_free(&idb);
    ft_buf_free(&dateb);
    if (fail || rc == FT_ERR_ABORTED || rc == FT_ERR_IO) {
        snprintf(msg, sizeof msg, "cannot write or read a temporary file for a document of %zu bytes: %s",
                 doc->raw_len, strerror(errno ? errno : EIO));
        ft_buf_free(&b.buf);
        ft_buf_free(&b.warnings);
        ft_buf_free(&b.warn_lines);
        return big_fail(doc, msg);
    }
    if (rc != FT_OK) {
        ft_buf_free(&b.buf);
        ft_buf_free(&b.warnings);
        ft_buf_free(&b.warn_lines);
        return big_fail(doc, ft_strerror(rc));
    }
    ft_buf tail = {0};
    ft_buf_addc(&tail, ']');
    if (b.n_warnings) {
        ft_buf_adds(&tail, ",\"warnings\":[");
        ft_buf_add(&tail, b.warnings.p, b.warnings.len);
        ft_buf_addc(&tail, ']');
    }
    ft_buf_adds(&tail, "}\n");
    int werr = fwrite(tail.p, 1, tail.len, b.out) != tail.len || fflush(b.out) != 0;
    ft_buf_free(&tail);
    ft_buf_free(&b.buf);
    ft_buf_free(&b.warnings);
    doc->n_entities = b.n_entities;
    doc->warnings = b.warn_lines.p;
    if (werr) {
        snprintf(msg, sizeof msg, "cannot write a temporary file: %s", strerror(errno ? errno : EIO));
        return big_fail(doc, msg);
    }
    return 1;
}
