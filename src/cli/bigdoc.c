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
 *   4. the record is closed; the file is copied to the output when its
 *      batch is written, in input order.
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
            ft_buf_add_cp(out, u);
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

enum { J_VALUE, J_KEY_OR_END, J_KEY, J_COLON, J_AFTER, J_STR, J_ESC, J_HEX, J_LOW1, J_LOW2,
       J_NUM, J_LIT, J_DONE, J_ERROR };
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
    uint32_t hex;             /* the \u escape being read */
    int low;                  /* it must be a low surrogate (second of a pair) */
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
    int cur_kind;             /* the current member: 1 "entities", 2 "warnings" */
    int val_is_str;
    size_t n_members, n_ent, n_warn;
    size_t *ranges;           /* key start, value end, kind of every member */
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
    j->cur_kind = 0;
    if (!j->key_over) {
        for (int k = 0; k < 3; k++)
            if (j->names[k] && !j->m[k].found && dec.len == strlen(j->names[k]) &&
                (dec.len == 0 || !memcmp(dec.p, j->names[k], dec.len))) {
                j->cur = k;
                break;
            }
        if (dec.len == 8 && !memcmp(dec.p, "entities", 8))
            j->cur_kind = 1;
        else if (dec.len == 8 && !memcmp(dec.p, "warnings", 8))
            j->cur_kind = 2;
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
    j->n_ent += j->cur_kind == 1;
    j->n_warn += j->cur_kind == 2;
    if (!j->ranges_over) {
        if (j->n_members >= MAX_MEMBERS) {
            j->ranges_over = 1;
        } else {
            if (3 * j->n_members + 3 > j->cap_ranges) {
                size_t nc = j->cap_ranges ? 2 * j->cap_ranges : 96;
                size_t *p = realloc(j->ranges, nc * sizeof *p);
                if (!p) {
                    j->ranges_over = 1;
                    goto counted;
                }
                j->ranges = p;
                j->cap_ranges = nc;
            }
            j->ranges[3 * j->n_members] = j->key_start;
            j->ranges[3 * j->n_members + 1] = end;
            j->ranges[3 * j->n_members + 2] = (size_t)j->cur_kind;
        }
    }
counted:
    j->n_members++;
    j->cur = -1;
    j->cur_kind = 0;
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
        case J_HEX:
        case J_LOW1:
        case J_LOW2: {
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
                    j->hex = 0;
                } else if (strchr("\"\\/bfnrt", c) && c) {
                    j->state = J_STR;
                } else {
                    j_fail(j, "invalid escape");
                }
            } else if (j->state == J_HEX) {
                /* as cJSON: a surrogate must be a high one followed by a low one */
                if (hexv(c) < 0) {
                    j_fail(j, "invalid \\u escape");
                } else {
                    j->hex = j->hex * 16 + (uint32_t)hexv(c);
                    if (--j->hex_left == 0) {
                        int high = j->hex >= 0xD800 && j->hex <= 0xDBFF;
                        int lowv = j->hex >= 0xDC00 && j->hex <= 0xDFFF;
                        if (j->low ? !lowv : lowv) {
                            j_fail(j, "invalid UTF-16 surrogate");
                        } else {
                            j->state = !j->low && high ? J_LOW1 : J_STR;
                            j->low = 0;
                        }
                    }
                }
            } else if (j->state == J_LOW1 || j->state == J_LOW2) {
                if (c != (j->state == J_LOW1 ? '\\' : 'u')) {
                    j_fail(j, "a lone UTF-16 surrogate");
                } else if (j->state == J_LOW1) {
                    j->state = J_LOW2;
                } else {
                    j->state = J_HEX;
                    j->hex_left = 4;
                    j->hex = 0;
                    j->low = 1;
                }
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

/* Writes the start of the record: the line as it is up to its closing
 * brace, or, when it has members the output replaces ("entities", and
 * "warnings" when drop_warnings), its other members re-joined; then the
 * "entities" key. */
static int record_head(const jscan *j, FILE *in, FILE *out, size_t start, int drop_warnings)
{
    if (!j->n_ent && !(drop_warnings && j->n_warn)) {
        if (copy_range(in, out, start, j->close_pos))
            return -1;
        return fputs(j->n_members ? ",\"entities\":[" : "\"entities\":[", out) < 0 ? -1 : 0;
    }
    if (fputc('{', out) == EOF)
        return -1;
    size_t kept = 0;
    for (size_t i = 0; i < j->n_members; i++) {
        size_t kind = j->ranges[3 * i + 2];
        if (kind == 1 || (kind == 2 && drop_warnings))
            continue;
        if ((kept++ && fputc(',', out) == EOF) ||
            copy_range(in, out, j->ranges[3 * i], j->ranges[3 * i + 1]))
            return -1;
    }
    return fputs(kept ? ",\"entities\":[" : "\"entities\":[", out) < 0 ? -1 : 0;
}

/* The scan gave warnings and the line has its own "warnings": writes the
 * record again into a new spool without them, moving the entities over
 * (they start at offset ents in the old one).  Rare, so a copy is fine. */
static int redo_head(const jscan *j, FILE *in, cli_doc *doc, size_t start, long ents)
{
    FILE *nf = cli_spool_open();
    if (!nf)
        return -1;
    long end = ftell(doc->out_spool);
    if (end < 0 || record_head(j, in, nf, start, 1) ||
        copy_range(doc->out_spool, nf, (size_t)ents, (size_t)end)) {
        fclose(nf);
        return -1;
    }
    fclose(doc->out_spool);
    doc->out_spool = nf;
    return 0;
}

/* Records a failure of the document in its in-memory output. */
static void big_fail(cli_doc *doc, const char *msg)
{
    if (doc->out_spool) {
        fclose(doc->out_spool);
        doc->out_spool = NULL;
    }
    cli_error_record(doc, msg, &doc->out);
}

/* Pass 1 over a spooled JSONL line: validates it and finds its members.
 * Returns 0, or -1 with the error record's message in msg. */
static int scan_line(const cli_opts *o, FILE *in, jscan *j, size_t *start, char *msg, size_t n_msg)
{
    char blk[PIECE];
    size_t n, off = 0;
    j->cur = -1;
    j->names[0] = o->text_field;
    j->names[1] = o->id_field;
    j->names[2] = o->date_field;
    rewind(in);
    while (j->state != J_ERROR && (n = fread(blk, 1, sizeof blk, in)) > 0) {
        size_t skip = 0;
        if (off == 0 && n >= 3 && !memcmp(blk, "\xEF\xBB\xBF", 3))
            skip = *start = j->pos = 3;   /* a byte-order mark */
        j_feed(j, blk + skip, n - skip);
        off += n;
    }
    int num_end = j->state == J_NUM && j->depth == 0 && j->num != N_MINUS &&
                  j->num != N_DOT && j->num != N_E && j->num != N_ESIGN;
    if (ferror(in))
        snprintf(msg, n_msg, "cannot read a spooled document back");
    else if (j->state == J_ERROR)
        snprintf(msg, n_msg, "invalid JSON at column %zu (%s)", j->err_pos + 1, j->err_msg);
    else if (j->state != J_DONE && !num_end)
        snprintf(msg, n_msg, "invalid JSON at column %zu (truncated)", j->pos + 1);
    else if (!j->top_object)
        snprintf(msg, n_msg, "line is JSON but not an object");
    else if (!j->m[0].found || !j->m[0].is_str)
        snprintf(msg, n_msg, "no string field \"%s\"", o->text_field);
    else if ((j->n_ent || j->n_warn) && j->ranges_over)
        snprintf(msg, n_msg, "a line of over %d members that already has \"entities\" or "
                 "\"warnings\" cannot be rewritten", MAX_MEMBERS);
    else
        return 0;
    return -1;
}

/* Sets doc->id and *date from the line's id and date members. */
static void line_id_date(jscan *j, cli_doc *doc, ft_buf *date)
{
    int closed;
    ft_buf idb = {0};
    if (j->m[1].found && j->m[1].is_str) {
        decode_piece(j->m[1].small.p ? j->m[1].small.p : "", j->m[1].small.len, 1, &idb, &closed);
        ft_buf_addc(&idb, 0);
        doc->id = ft_strdup(idb.p);
    } else if (j->m[1].found && j->m[1].small.len) {
        char num[64];
        ft_buf_addc(&j->m[1].small, 0);
        snprintf(num, sizeof num, "%.17g", strtod(j->m[1].small.p, NULL));
        doc->id = ft_strdup(num);
    }
    ft_buf_free(&idb);
    if (j->m[2].found && j->m[2].is_str) {
        decode_piece(j->m[2].small.p ? j->m[2].small.p : "", j->m[2].small.len, 1, date, &closed);
        ft_buf_addc(date, 0);
    }
}

/* Writes the whole record of a spooled document into doc->out_spool.
 * Returns FT_OK, FT_ERR_IO for a temporary-file failure, or the scan's
 * error. */
static int tag_spooled(cli_ctx *ctx, ft_scanner *sc, cli_doc *doc, const jscan *j,
                       size_t start, const ft_scan_opts *so, bigrun *b)
{
    FILE *in = doc->spool;
    doc->out_spool = b->out = cli_spool_open();
    if (!b->out)
        return FT_ERR_IO;
    if (doc->is_json) {
        if (record_head(j, in, b->out, start, 0))
            return FT_ERR_IO;
    } else {
        ft_buf h = {0};
        ft_buf_adds(&h, "{\"id\":");
        ft_buf_add_json_str(&h, doc->id ? doc->id : "", doc->id ? strlen(doc->id) : 0);
        ft_buf_adds(&h, ",\"entities\":[");
        int bad = fwrite(h.p, 1, h.len, b->out) != h.len;
        ft_buf_free(&h);
        if (bad)
            return FT_ERR_IO;
    }
    long ents = ftell(b->out);
    ft_stream *st = NULL;
    int rc = ft_stream_create(sc, so, ctx->opts->chunk_window, on_part, b, &st);
    if (rc == FT_OK)
        rc = feed_text(in, doc->is_json ? j->m[0].val_start : SIZE_MAX, st, &doc->text_len);
    if (rc == FT_OK)
        rc = ft_stream_finish(st);
    ft_stream_destroy(st);
    if (rc == FT_ERR_ABORTED)
        return FT_ERR_IO;          /* the callback's write failed */
    if (rc != FT_OK)
        return rc;
    if (b->n_warnings && doc->is_json && j->n_warn) {
        if (ents < 0 || redo_head(j, in, doc, start, ents))
            return FT_ERR_IO;
        b->out = doc->out_spool;
    }
    ft_buf tail = {0};
    ft_buf_addc(&tail, ']');
    if (b->n_warnings) {
        ft_buf_adds(&tail, ",\"warnings\":[");
        ft_buf_add(&tail, b->warnings.p, b->warnings.len);
        ft_buf_addc(&tail, ']');
    }
    ft_buf_adds(&tail, "}\n");
    int bad = fwrite(tail.p, 1, tail.len, b->out) != tail.len || fflush(b->out) != 0;
    ft_buf_free(&tail);
    return bad ? FT_ERR_IO : FT_OK;
}

int cli_big_process(cli_ctx *ctx, ft_scanner *sc, cli_doc *doc)
{
    const cli_opts *o = ctx->opts;
    if (strcmp(ctx->writer->name, "jsonl"))
        return 0;
    char msg[300];
    jscan j;
    memset(&j, 0, sizeof j);
    size_t start = 0;
    ft_buf date = {0};
    bigrun b;
    memset(&b, 0, sizeof b);
    b.ctx = ctx;
    b.doc = doc;
    b.first = 1;
    if (doc->is_json && scan_line(o, doc->spool, &j, &start, msg, sizeof msg)) {
        big_fail(doc, msg);
        goto done;
    }
    if (doc->is_json)
        line_id_date(&j, doc, &date);
    else
        doc->id = ft_strdup(doc->name);
    ft_scan_opts so;
    cli_scan_opts(o, doc, &so);
    if (date.p)
        so.ref_date = date.p;
    errno = 0;
    int rc = tag_spooled(ctx, sc, doc, &j, start, &so, &b);
    if (rc == FT_ERR_IO) {
        snprintf(msg, sizeof msg, "cannot write or read a temporary file for a document of %zu bytes: %s",
                 doc->raw_len, strerror(errno ? errno : EIO));
        big_fail(doc, msg);
    } else if (rc != FT_OK) {
        big_fail(doc, ft_strerror(rc));
    } else {
        doc->n_entities = b.n_entities;
        doc->warnings = b.warn_lines.p;
        b.warn_lines.p = NULL;
    }
done:
    for (int k = 0; k < 3; k++)
        ft_buf_free(&j.m[k].small);
    ft_buf_free(&j.key);
    free(j.ranges);
    ft_buf_free(&date);
    ft_buf_free(&b.buf);
    ft_buf_free(&b.warnings);
    ft_buf_free(&b.warn_lines);
    return 1;
}
