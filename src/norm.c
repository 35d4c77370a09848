/*
 * norm.c - the named value normalisers a rule can ask for with
 * `normalize: NAME`.
 *
 * A normaliser reads the named captures of a match (amount, scale, cur,
 * num, code, y, m, d, ...), looks words up in the rule pack's tables
 * (currency, scale, growth_direction, exchange_alias, ...) and sets the
 * span's attributes.  It may reject the candidate (a six-digit number that
 * is no listed code range, a 13th month) by returning FT_NORM_REJECT.  Every
 * vocabulary lives in the rules/ YAML files; this file holds only the logic.
 * docs/entities.md lists the captures each normaliser reads.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fintag_int.h"

/* Looks a word up in a table: exact first, then ASCII-lowercased, then with
 * ASCII spaces collapsed. */
static const ft_tab_entry *lookup(const ft_norm_ctx *ctx, const char *table,
                                  const char *s, size_t n)
{
    const ft_table *t = ft_norm_table(ctx, table);
    if (!t || n == 0)
        return NULL;
    const ft_tab_entry *e = ft_table_get(t, s, n);
    if (e)
        return e;
    char low[128];
    if (n >= sizeof low)
        return NULL;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        char c = (char)tolower((unsigned char)s[i]);
        if (c == ' ' && m && low[m - 1] == ' ')
            continue;
        low[m++] = c;
    }
    e = ft_table_get(t, low, m);
    if (e)
        return e;
    for (size_t i = 0; i < t->n; i++)
        if (t->e[i].klen == m && !strncasecmp(t->e[i].key, low, m))
            return &t->e[i];
    return NULL;
}

/* Parses a numeral capture with the pack's numeral tables. */
static int parse_num(const ft_norm_ctx *ctx, const char *s, size_t n, double *v)
{
    return ft_numeral_parse(ft_norm_table(ctx, "numeral_digits"),
                            ft_norm_table(ctx, "numeral_units"), s, n, v) == 0;
}

static int group_num(const ft_norm_ctx *ctx, const char *name, double *v)
{
    const char *s;
    size_t n;
    return ft_norm_group(ctx, name, &s, &n) && parse_num(ctx, s, n, v);
}

static int has_group(const ft_norm_ctx *ctx, const char *name)
{
    const char *s;
    size_t n;
    return ft_norm_group(ctx, name, &s, &n) && n > 0;
}

/* Multiplier of the scale word in group `name` (1 when absent); 0 when the
 * word is not in the scale table. */
static double group_scale(const ft_norm_ctx *ctx, const char *name)
{
    const char *s;
    size_t n;
    if (!ft_norm_group(ctx, name, &s, &n) || n == 0)
        return 1;
    const ft_tab_entry *e = lookup(ctx, "scale", s, n);
    if (e && e->kind == FT_VAL_NUM)
        return e->num;
    double v;
    if (parse_num(ctx, s, n, &v) && v > 0)
        return v;
    return 0;
}

/* Value of numeral group `num` times scale group `scale`.  When the scale
 * word directly follows the number and the two read as one numeral (6.06亿,
 * 1.2万亿, 3亿5000万) they are parsed together; otherwise the scale comes
 * from the scale table (million, bn). */
static int scaled(const ft_norm_ctx *ctx, const char *num, const char *scale, double *v)
{
    const char *a, *b;
    size_t an, bn;
    if (!ft_norm_group(ctx, num, &a, &an) || !an)
        return 0;
    if (ft_norm_group(ctx, scale, &b, &bn) && bn && b == a + an &&
        parse_num(ctx, a, an + bn, v))
        return 1;
    double m = group_scale(ctx, scale);
    if (m == 0 || !parse_num(ctx, a, an, v))
        return 0;
    *v *= m;
    return 1;
}

/* The low end of a range whose low side has no scale word of its own, given
 * the scaled high end hi.  The high side's scale applies to both (3至5亿元 is
 * 3亿 to 5亿), unless that would put the low end above the high one (5000至
 * 1.2万台 is 5000 to 12000). */
static int range_low(const ft_norm_ctx *ctx, double hi, double *lo)
{
    double h0;
    if (!group_num(ctx, "low", lo) || !group_num(ctx, "high", &h0) || h0 == 0)
        return 0;
    if (*lo * (hi / h0) <= hi || *lo > hi)
        *lo *= hi / h0;
    return 1;
}

/* Sets the attributes of a range: value null, unit (when not NULL), then
 * low and high in ascending order. */
static void set_range(ft_norm_ctx *ctx, const char *unit, size_t unit_len, double a,
                      double b)
{
    ft_norm_set_null(ctx, "value");
    if (unit)
        ft_norm_set_str(ctx, "unit", unit, unit_len);
    ft_norm_set_num(ctx, "low", a < b ? a : b);
    ft_norm_set_num(ctx, "high", a < b ? b : a);
}

static void set_approx(ft_norm_ctx *ctx)
{
    if (has_group(ctx, "approx") || has_group(ctx, "approx_post"))
        ft_norm_set_bool(ctx, "approx", 1);
}

/* ---- number ------------------------------------------------------------ */

static int norm_number(ft_norm_ctx *ctx)
{
    double v;
    if (!scaled(ctx, "num", "scale", &v))
        return FT_NORM_REJECT;
    ft_norm_set_num(ctx, "value", v);
    set_approx(ctx);
    return FT_NORM_KEEP;
}

/* ---- money ------------------------------------------------------------- */

/* Whether a context rule of type t[0..tn) kept a match in this document
 * (the facts that `requires:` reads too). */
static int doc_fact(const ft_norm_ctx *ctx, const char *t, size_t tn)
{
    for (size_t i = 0; i < ctx->rules->n_rules; i++) {
        const ft_rule *r = &ctx->rules->rules[i];
        if (r->hidden && r->fact_bit >= 0 && strlen(r->type) == tn && !memcmp(r->type, t, tn))
            return (int)((ctx->doc->facts >> r->fact_bit) & 1);
    }
    return 0;
}

/* A currency sign whose meaning depends on the document: the table
 * sign_in_context maps "CONTEXT-TYPE SIGN" to a currency code (`_yen ¥:
 * JPY`), used when a context rule of that type matched.  NULL otherwise. */
static const ft_tab_entry *sign_in_context(const ft_norm_ctx *ctx, const char *s, size_t n)
{
    const ft_table *t = ft_norm_table(ctx, "sign_in_context");
    for (size_t i = 0; t && i < t->n; i++) {
        const ft_tab_entry *e = &t->e[i];
        const char *sp = memchr(e->key, ' ', e->klen);
        if (e->kind == FT_VAL_STR && sp && (size_t)(e->key + e->klen - sp - 1) == n &&
            !memcmp(sp + 1, s, n) && doc_fact(ctx, e->key, (size_t)(sp - e->key)))
            return e;
    }
    return NULL;
}

/* Currency code from the cur_pre/cur/cur2 captures (a prefix wins: 港币15亿元
 * is HKD although 元 alone is CNY), or the document's default. */
static int money_currency(ft_norm_ctx *ctx, const char **code, size_t *code_len,
                          int *from_doc)
{
    static const char *const groups[] = {"cur_pre", "cur", "cur2"};
    *from_doc = 0;
    for (size_t i = 0; i < 3; i++) {
        const char *s;
        size_t n;
        if (ft_norm_group(ctx, groups[i], &s, &n) && n) {
            const ft_tab_entry *e = i == 0 ? sign_in_context(ctx, s, n) : NULL;
            if (!e)
                e = lookup(ctx, "currency", s, n);
            if (!e || e->kind != FT_VAL_STR)
                return 0;
            *code = e->str;
            *code_len = strlen(e->str);
            return 1;
        }
    }
    if (ctx->doc->default_currency[0]) {
        *code = ctx->doc->default_currency;
        *code_len = strlen(ctx->doc->default_currency);
        *from_doc = 1;
        return 1;
    }
    return 0;
}

static int norm_money(ft_norm_ctx *ctx)
{
    const char *code;
    size_t code_len;
    int from_doc;
    if (!money_currency(ctx, &code, &code_len, &from_doc))
        return FT_NORM_REJECT;
    double lo, hi, v;
    double doc_scale = (from_doc && !has_group(ctx, "scale") && ctx->doc->default_scale > 0)
                           ? ctx->doc->default_scale : 1;
    if (has_group(ctx, "low") && has_group(ctx, "high")) {
        if (!scaled(ctx, "high", "scale", &hi))
            return FT_NORM_REJECT;
        if (has_group(ctx, "low_scale")) {
            if (!scaled(ctx, "low", "low_scale", &lo))
                return FT_NORM_REJECT;
        } else if (!range_low(ctx, hi, &lo)) {
            return FT_NORM_REJECT;
        }
        /* -3000万元至-4500万元: signed ends, low <= high */
        if (has_group(ctx, "low_neg"))
            lo = -lo;
        if (has_group(ctx, "high_neg"))
            hi = -hi;
        set_range(ctx, code, code_len, lo * doc_scale, hi * doc_scale);
    } else if (scaled(ctx, "amount", "scale", &v)) {
        /* 净利润-20,759,975.26元: a minus sign in capture neg */
        if (has_group(ctx, "neg"))
            v = -v;
        ft_norm_set_num(ctx, "value", v * doc_scale);
        ft_norm_set_str(ctx, "unit", code, code_len);
    } else {
        return FT_NORM_REJECT;
    }
    set_approx(ctx);
    const char *per;
    size_t pn;
    if (ft_norm_group(ctx, "per", &per, &pn) && pn)
        ft_norm_set_str(ctx, "per", per, pn);
    if (from_doc)
        ft_norm_set_bool(ctx, "unit_from_document", 1);
    return FT_NORM_KEEP;
}

/* Context rule: 单位：亿元 sets the document's default scale and currency. */
static int norm_unit_decl(ft_norm_ctx *ctx)
{
    const char *s;
    size_t n;
    if (!ft_norm_group(ctx, "cur", &s, &n))
        return FT_NORM_REJECT;
    const ft_tab_entry *e = lookup(ctx, "currency", s, n);
    if (!e || e->kind != FT_VAL_STR || strlen(e->str) >= sizeof ctx->doc->default_currency)
        return FT_NORM_REJECT;
    double scale = group_scale(ctx, "scale");
    if (scale == 0)
        return FT_NORM_REJECT;
    ctx->doc->default_scale = scale;
    snprintf(ctx->doc->default_currency, sizeof ctx->doc->default_currency, "%s", e->str);
    return FT_NORM_KEEP;
}

/* ---- percent ----------------------------------------------------------- */

/* Percent levels.  Captures: num (20.5%, 百分之二点三), cheng (八成 = 80),
 * permille (5‰ = 0.5), or low/high for a range (low <= high).  A minus sign
 * in neg (low_neg, high_neg for the ends of a range) makes the level
 * negative: 收益率报-0.043%. */
static int norm_percent(ft_norm_ctx *ctx)
{
    double v, lo, hi;
    if (group_num(ctx, "low", &lo) && group_num(ctx, "high", &hi)) {
        if (has_group(ctx, "low_neg"))
            lo = -lo;
        if (has_group(ctx, "high_neg"))
            hi = -hi;
        /* with the capture `ordered` (the last % of English "X% to Y%"),
         * a descending pair is two levels (41% to 34%), not a range */
        if (lo > hi && has_group(ctx, "ordered"))
            return FT_NORM_REJECT;
        set_range(ctx, "%", 1, lo, hi);
        set_approx(ctx);
        return FT_NORM_KEEP;
    }
    if (group_num(ctx, "cheng", &v))
        v *= 10;
    else if (group_num(ctx, "permille", &v))
        v /= 10;
    else if (!group_num(ctx, "num", &v))
        return FT_NORM_REJECT;
    if (has_group(ctx, "neg"))
        v = -v;
    ft_norm_set_num(ctx, "value", v);
    ft_norm_set_str(ctx, "unit", "%", 1);
    set_approx(ctx);
    return FT_NORM_KEEP;
}

/* ---- growth ------------------------------------------------------------ */

/* Growth (a signed change).  Captures: num (or cheng, tenths: 八成 = 80%),
 * or low/high for a range; dir (table growth_direction gives the sign:
 * 增长 +1, 下降 -1); gunit (table growth_unit: %, pp, bp, times); basis
 * (table growth_basis: yoy, qoq). */
static int norm_growth(ft_norm_ctx *ctx)
{
    double v = 0, lo = 0, hi = 0;
    int range = group_num(ctx, "low", &lo) && group_num(ctx, "high", &hi);
    if (!range && !group_num(ctx, "num", &v)) {
        if (!group_num(ctx, "cheng", &v))
            return FT_NORM_REJECT;
        v *= 10;
    }
    const char *s;
    size_t n;
    double sign = 1;
    if (ft_norm_group(ctx, "dir", &s, &n) && n) {
        const ft_tab_entry *e = lookup(ctx, "growth_direction", s, n);
        if (!e || e->kind != FT_VAL_NUM)
            return FT_NORM_REJECT;
        sign = e->num < 0 ? -1 : 1;
    }
    const char *unit = "%";
    if (ft_norm_group(ctx, "gunit", &s, &n) && n) {
        const ft_tab_entry *e = lookup(ctx, "growth_unit", s, n);
        if (!e || e->kind != FT_VAL_STR)
            return FT_NORM_REJECT;
        unit = e->str;
    }
    if (range) {
        set_range(ctx, NULL, 0, sign * lo, sign * hi);
    } else {
        ft_norm_set_num(ctx, "value", sign * v);
    }
    ft_norm_set_str(ctx, "unit", unit, strlen(unit));
    if (ft_norm_group(ctx, "basis", &s, &n) && n) {
        const ft_tab_entry *e = lookup(ctx, "growth_basis", s, n);
        if (e && e->kind == FT_VAL_STR)
            ft_norm_set_str(ctx, "basis", e->str, strlen(e->str));
        else
            ft_norm_set_null(ctx, "basis");
    } else {
        ft_norm_set_null(ctx, "basis");
    }
    set_approx(ctx);
    return FT_NORM_KEEP;
}

/* ---- compute ----------------------------------------------------------- */

/* Computing power.  Captures: num, or low/high for a range (1000-2000TOPS:
 * value null, low and high as written, no flops); cunit (table
 * compute_unit), whose multiplier comes from the table compute_scale. */
static int norm_compute(ft_norm_ctx *ctx)
{
    double v, lo, hi;
    const char *s;
    size_t n;
    int range = group_num(ctx, "low", &lo) && group_num(ctx, "high", &hi);
    if ((!range && !group_num(ctx, "num", &v)) || !ft_norm_group(ctx, "cunit", &s, &n))
        return FT_NORM_REJECT;
    const ft_tab_entry *u = lookup(ctx, "compute_unit", s, n);
    if (!u || u->kind != FT_VAL_STR)
        return FT_NORM_REJECT;
    if (range) {
        if (lo >= hi)
            return FT_NORM_REJECT;
        set_range(ctx, u->str, strlen(u->str), lo, hi);
        set_approx(ctx);
        return FT_NORM_KEEP;
    }
    const ft_tab_entry *m = lookup(ctx, "compute_scale", u->str, strlen(u->str));
    ft_norm_set_num(ctx, "value", v);
    ft_norm_set_str(ctx, "unit", u->str, strlen(u->str));
    if (m && m->kind == FT_VAL_NUM)
        ft_norm_set_num(ctx, "flops", v * m->num);
    set_approx(ctx);
    return FT_NORM_KEEP;
}

/* ---- quantity ---------------------------------------------------------- */

/* Quantities.  Captures: num and scale, or low/high for a range
 * (15000-25000吨; in 3至5万吨 the high side's scale also applies to the low
 * side unless low_scale is written); qunit, the measure word as written. */
static int norm_quantity(ft_norm_ctx *ctx)
{
    double v, lo, hi;
    const char *s;
    size_t n;
    if (!ft_norm_group(ctx, "qunit", &s, &n) || !n)
        return FT_NORM_REJECT;
    if (has_group(ctx, "low") && has_group(ctx, "high")) {
        if (!scaled(ctx, "high", "scale", &hi))
            return FT_NORM_REJECT;
        if (has_group(ctx, "low_scale")) {
            if (!scaled(ctx, "low", "low_scale", &lo))
                return FT_NORM_REJECT;
        } else if (!range_low(ctx, hi, &lo)) {
            return FT_NORM_REJECT;
        }
        if (lo >= hi)
            return FT_NORM_REJECT;
        set_range(ctx, s, n, lo, hi);
        set_approx(ctx);
        return FT_NORM_KEEP;
    }
    if (!scaled(ctx, "num", "scale", &v))
        return FT_NORM_REJECT;
    ft_norm_set_num(ctx, "value", v);
    ft_norm_set_str(ctx, "unit", s, n);
    set_approx(ctx);
    return FT_NORM_KEEP;
}

/* ---- stock code -------------------------------------------------------- */

static int is_han(uint32_t c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF);
}

/* Is c a character of a company short name: Han, Latin or full-width
 * letters (京东方Ａ), or the '*' of *ST? */
static int name_char(uint32_t c)
{
    return is_han(c) || (c < 0x80 && isalpha((int)c)) || (c >= 0xFF21 && c <= 0xFF3A) ||
           c == '*';
}

/* Looks back from byte `from` for the company name written before a code:
 * skips one opening bracket, then takes name characters, at most 12.  A
 * candidate longer than four characters is cut after the last stop word
 * (公告, 近日, 的 ...) that leaves at least two; short ones (和仁科技, 宏和科技)
 * are names as they stand. */
static void stock_name(ft_norm_ctx *ctx, size_t from)
{
    const char *t = ctx->text;
    size_t p = from;
    while (p > 0 && (t[p - 1] == ' '))
        p--;
    size_t q = ft_utf8_prev(t, p);
    int len;
    if (p == 0)
        return;
    len = ft_utf8_seq_len((const unsigned char *)t + q, p - q);
    uint32_t c = len > 0 ? ft_utf8_decode((const unsigned char *)t + q, len) : 0;
    if (c != '(' && c != 0xFF08 && c != '[' && c != 0x3010)
        return;
    p = q;
    while (p > 0 && t[p - 1] == ' ')
        p--;
    size_t end = p;
    int count = 0;
    while (p > 0 && count < 12) {
        q = ft_utf8_prev(t, p);
        len = ft_utf8_seq_len((const unsigned char *)t + q, p - q);
        c = len > 0 ? ft_utf8_decode((const unsigned char *)t + q, len) : 0;
        if (!name_char(c))
            break;
        p = q;
        count++;
    }
    if (end - p < 2)
        return;
    /* a '*' belongs to the name only as the start of *ST */
    for (size_t i = p; i < end; i++)
        if (t[i] == '*' && (end - i < 3 || strncmp(t + i + 1, "ST", 2)))
            p = i + 1;
    const ft_table *stop = ft_norm_table(ctx, "name_stop");
    size_t start = p;
    if (stop && ft_table_get(stop, t + p, end - p))
        return;
    if (stop && count > 4) {
        /* cut after the last stop word inside the candidate */
        for (size_t i = p; i < end;) {
            const ft_tab_entry *e = ft_table_prefix(stop, t + i, end - i);
            if (e && ft_utf8_cp_count(t + i + e->klen, end - i - e->klen) >= 2) {
                start = i + e->klen;
                i += e->klen;
            } else {
                int l = ft_utf8_seq_len((const unsigned char *)t + i, end - i);
                i += l > 0 ? (size_t)l : 1;
            }
        }
    }
    const ft_table *bad = ft_norm_table(ctx, "name_not");
    if (bad && ft_table_suffix(bad, t + start, end - start))
        return;
    if (ft_utf8_cp_count(t + start, end - start) < 2)
        return;
    ft_norm_set_str(ctx, "name", t + start, end - start);
}

static int norm_stock_code(ft_norm_ctx *ctx)
{
    const char *code, *s;
    size_t cn, n;
    if (!ft_norm_group(ctx, "code", &code, &cn) || !cn)
        return FT_NORM_REJECT;
    char digits[16];
    size_t dn = 0;
    int all_digits = 1;
    for (size_t i = 0; i < cn;) {
        unsigned char c = (unsigned char)code[i];
        if (c >= '0' && c <= '9') {
            if (dn < sizeof digits - 1)
                digits[dn++] = (char)c;
            i++;
        } else if (c == 0xEF && i + 2 < cn && (unsigned char)code[i + 1] == 0xBC &&
                   (unsigned char)code[i + 2] >= 0x90 && (unsigned char)code[i + 2] <= 0x99) {
            if (dn < sizeof digits - 1)
                digits[dn++] = (char)('0' + (unsigned char)code[i + 2] - 0x90);
            i += 3;
        } else {
            all_digits = 0;
            if (dn < sizeof digits - 1)
                digits[dn++] = (char)toupper(c);
            i++;
        }
    }
    digits[dn] = 0;
    const char *exch = NULL;
    static const char *const groups[] = {"suffix", "prefix", "market"};
    for (size_t g = 0; g < 3 && !exch; g++) {
        if (ft_norm_group(ctx, groups[g], &s, &n) && n) {
            while (n && (*s == '.' || *s == ' ')) {
                s++;
                n--;
            }
            const ft_tab_entry *e = lookup(ctx, "exchange_alias", s, n);
            if (!e || e->kind != FT_VAL_STR)
                return FT_NORM_REJECT;
            exch = e->str;
        }
    }
    if (!exch) {
        if (!all_digits || dn != 6)
            return FT_NORM_REJECT;
        const ft_tab_entry *e = ft_table_prefix(ft_norm_table(ctx, "a_share_prefix"),
                                                digits, dn);
        if (!e || e->kind != FT_VAL_STR)
            return FT_NORM_REJECT;
        exch = e->str;
    }
    char value[40];
    if (!strcmp(exch, "HK")) {
        if (!all_digits || dn > 5)
            return FT_NORM_REJECT;
        snprintf(value, sizeof value, "%05d.HK", atoi(digits));
    } else if (!strcmp(exch, "SH") || !strcmp(exch, "SZ") || !strcmp(exch, "BJ")) {
        if (!all_digits || dn != 6)
            return FT_NORM_REJECT;
        snprintf(value, sizeof value, "%s.%s", digits, exch);
    } else {
        snprintf(value, sizeof value, "%s.%s", digits, exch);
    }
    ft_norm_set_str(ctx, "value", value, strlen(value));
    ft_norm_set_str(ctx, "exchange", exch, strlen(exch));
    size_t from = ctx->start;
    if (ft_norm_group(ctx, "market", &s, &n) && (size_t)(s - ctx->text) < from)
        from = (size_t)(s - ctx->text);
    if (ft_norm_group(ctx, "label", &s, &n) && (size_t)(s - ctx->text) < from)
        from = (size_t)(s - ctx->text);
    stock_name(ctx, from);
    return FT_NORM_KEEP;
}

/* ---- date -------------------------------------------------------------- */

static int days_in(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return d[m - 1];
}

/* Reads a month from numeric group `num` (8, 08, 八, 十一) or name group
 * `name` (Aug, August, via month_names).  Returns 1 and sets *m when one of
 * them matched, 0 when neither did, -1 when the text is no month. */
static int group_month(const ft_norm_ctx *ctx, const char *num, const char *name, double *m)
{
    const char *s;
    size_t n;
    if (name && ft_norm_group(ctx, name, &s, &n) && n) {
        const ft_tab_entry *e = lookup(ctx, "month_names", s, n);
        if (!e || e->kind != FT_VAL_NUM)
            return -1;
        *m = e->num;
    } else if (has_group(ctx, num)) {
        if (!group_num(ctx, num, m))
            return -1;
    } else {
        return 0;
    }
    return *m >= 1 && *m <= 12 && *m == floor(*m) ? 1 : -1;
}

/* The year of a date: group y (two-digit years with group y2 are 20xx), or
 * the relative word in group rel resolved against the document date, or
 * the document's year when only a month is written.  0 when unknown. */
static int date_year(const ft_norm_ctx *ctx, double *y)
{
    const char *s;
    size_t n;
    *y = 0;
    if (group_num(ctx, "y", y)) {
        if (*y < 100 && has_group(ctx, "y2"))
            *y += 2000;
        return 1;
    }
    if (ft_norm_group(ctx, "rel", &s, &n) && n) {
        const ft_tab_entry *e = lookup(ctx, "relative_year", s, n);
        if (!e || e->kind != FT_VAL_NUM || !ctx->doc->ref_y)
            return -1;
        *y = ctx->doc->ref_y + e->num;
        return 1;
    }
    return 0;
}

/* Month range within year y from the first and last month: YYYY-MM/YYYY-MM. */
static int month_range(char *v, size_t vn, int y, double a, double b)
{
    if (a < 1 || b > 12 || b <= a || a != floor(a) || b != floor(b))
        return -1;
    snprintf(v, vn, "%04d-%02d/%04d-%02d", y, (int)a, y, (int)b);
    return 0;
}

/* Calendar dates.  Captures: y (y2 for two-digit years) or rel (今年, 去年:
 * table relative_year, needs the document date); m or mon (month_names); d;
 * yfrom/yto (a range of whole years: 2016-2023年 is 2016/2023); m1/m2 or
 * mon1/mon2 (month range); mfirst (前8个月: months 1..N); period
 * (date_period table: 上半年, 年底, H1); q (quarter number or ordinal word)
 * and qfirst (前三季度 style).  Values are ISO: YYYY, YYYY-MM, YYYY-MM-DD
 * or a range A/B.  Impossible dates (13th month, 2月30日) are rejected. */
static int norm_date(ft_norm_ctx *ctx)
{
    double y = 0, m = 0, d = 0, m1 = 0, m2 = 0;
    const char *s;
    size_t n;
    char v[40];
    double ya, yb;
    if (group_num(ctx, "yfrom", &ya) && group_num(ctx, "yto", &yb)) {
        /* 2016-2023年: a range of whole years, YYYY/YYYY */
        if (ya < 1900 || yb > 2100 || ya >= yb || ya != floor(ya) || yb != floor(yb))
            return FT_NORM_REJECT;
        snprintf(v, sizeof v, "%04d/%04d", (int)ya, (int)yb);
        ft_norm_set_str(ctx, "value", v, strlen(v));
        return FT_NORM_KEEP;
    }
    int yr = date_year(ctx, &y);
    if (yr < 0)
        return FT_NORM_REJECT;
    int has_m = group_month(ctx, "m", "mon", &m);
    int has_m1 = group_month(ctx, "m1", "mon1", &m1);
    int has_m2 = group_month(ctx, "m2", "mon2", &m2);
    if (has_m < 0 || has_m1 < 0 || has_m2 < 0)
        return FT_NORM_REJECT;
    if (has_group(ctx, "d") && !group_num(ctx, "d", &d))
        return FT_NORM_REJECT;
    if (yr == 0) {
        if (!ctx->doc->ref_y || !(has_m || has_m1))
            return FT_NORM_REJECT;
        y = ctx->doc->ref_y;
    }
    if (y < 1900 || y > 2100 || y != floor(y) || d < 0 || d != floor(d))
        return FT_NORM_REJECT;
    if (d > 0 && (m == 0 || d > days_in((int)y, (int)m)))
        return FT_NORM_REJECT;
    if (has_m1 || has_m2) {
        if (!has_m1 || !has_m2 || month_range(v, sizeof v, (int)y, m1, m2))
            return FT_NORM_REJECT;
    } else if (has_group(ctx, "mfirst")) {
        double last;
        if (!group_num(ctx, "mfirst", &last) || month_range(v, sizeof v, (int)y, 1, last))
            return FT_NORM_REJECT;
    } else if (ft_norm_group(ctx, "period", &s, &n) && n) {
        const ft_tab_entry *e = lookup(ctx, "date_period", s, n);
        int a = 0, b = 0;
        if (!e || e->kind == FT_VAL_NULL)
            return FT_NORM_REJECT;
        if (e->kind == FT_VAL_NUM)
            a = b = (int)e->num;
        else if (sscanf(e->str, "%d/%d", &a, &b) != 2 && sscanf(e->str, "%d", &a) == 1)
            b = a;
        if (a < 1 || a > 12 || b < a || b > 12)
            return FT_NORM_REJECT;
        if (a == b)
            snprintf(v, sizeof v, "%04d-%02d", (int)y, a);
        else
            snprintf(v, sizeof v, "%04d-%02d/%04d-%02d", (int)y, a, (int)y, b);
    } else if (has_group(ctx, "q")) {
        double q;
        if (!group_num(ctx, "q", &q)) {
            const ft_tab_entry *e = NULL;
            if (ft_norm_group(ctx, "q", &s, &n))
                e = lookup(ctx, "ordinal", s, n);
            q = e && e->kind == FT_VAL_NUM ? e->num : 0;
        }
        if (q < 1 || q > 4 || q != floor(q))
            return FT_NORM_REJECT;
        snprintf(v, sizeof v, "%04d-%02d/%04d-%02d", (int)y, (int)q * 3 - 2, (int)y,
                 (int)q * 3);
    } else if (has_group(ctx, "qfirst")) {
        double q;
        if (!group_num(ctx, "qfirst", &q) || q < 1 || q > 4)
            return FT_NORM_REJECT;
        snprintf(v, sizeof v, "%04d-01/%04d-%02d", (int)y, (int)y, (int)q * 3);
    } else if (d > 0) {
        snprintf(v, sizeof v, "%04d-%02d-%02d", (int)y, (int)m, (int)d);
    } else if (m > 0) {
        snprintf(v, sizeof v, "%04d-%02d", (int)y, (int)m);
    } else {
        snprintf(v, sizeof v, "%04d", (int)y);
    }
    ft_norm_set_str(ctx, "value", v, strlen(v));
    return FT_NORM_KEEP;
}

/* ---- registry ---------------------------------------------------------- */

static const struct {
    const char *name;
    ft_norm_fn fn;
} normalisers[] = {
    {"number", norm_number},     {"money", norm_money},
    {"percent", norm_percent},   {"growth", norm_growth},
    {"compute", norm_compute},   {"date", norm_date},
    {"quantity", norm_quantity}, {"stock_code", norm_stock_code},
    {"unit_decl", norm_unit_decl},
};

ft_norm_fn ft_norm_find(const char *name)
{
    for (size_t i = 0; i < sizeof normalisers / sizeof normalisers[0]; i++)
        if (!strcmp(normalisers[i].name, name))
            return normalisers[i].fn;
    return NULL;
}

const char *ft_norm_names(void)
{
    return "number, money, percent, growth, compute, date, quantity, stock_code, unit_decl";
}
