/*
 * numeral.c - turns a written number into a double.
 *
 * Handles ASCII and full-width Arabic digits with thousands separators
 * (',' '，' only before groups of three digits) and a decimal point ('.' or
 * '．'), Chinese numerals with the positional characters 十百千 and the
 * section characters 万亿 (万亿 = 10^12), 点 as a decimal point, and mixed
 * forms such as 1.2万亿 or 3万5千.  Which characters are digits and which are
 * multipliers comes from two tables of the rule pack (numeral_digits,
 * numeral_units), so the financial forms 壹贰…拾佰仟 are data, not code.
 *
 * The algorithm keeps three accumulators: the part already multiplied by
 * 亿, the part multiplied by 万, and the current section below 万.
 */
#include <math.h>
#include <string.h>

#include "fintag_int.h"

/* The value of buf, ASCII digits with at most one '.', as strtod() gives it.
 * When the digits as an integer m stay below 2^53 and there are at most 22
 * after the point, m and 10^k are exact doubles and m / 10^k is the
 * correctly rounded quotient, which is what strtod() returns; otherwise
 * strtod() itself is called. */
static double dec_value(const char *buf)
{
    static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    uint64_t m = 0;
    int k = -1;
    for (const char *p = buf; *p; p++) {
        if (*p == '.') {
            k = 0;
            continue;
        }
        if (m >= ((uint64_t)1 << 53) / 10)
            return strtod(buf, NULL);
        m = m * 10 + (uint64_t)(*p - '0');
        if (k >= 0)
            k++;
    }
    if (k > 22)
        return strtod(buf, NULL);
    return (double)m / p10[k > 0 ? k : 0];
}

/* Reads an Arabic number at s[*i]: digits (ASCII or full-width), separators,
 * decimal point.  Returns 1 and advances *i on success. */
static int arabic(const char *s, size_t n, size_t *i, double *out)
{
    char buf[128];
    size_t bl = 0, j = *i;
    int digits = 0, seen_point = 0, since_sep = -1;
    while (j < n && bl < sizeof buf - 2) {
        unsigned char c = (unsigned char)s[j];
        int d = -1, adv = 1;
        if (c >= '0' && c <= '9') {
            d = c - '0';
        } else if (c == 0xEF && j + 2 < n && (unsigned char)s[j + 1] == 0xBC &&
                   (unsigned char)s[j + 2] >= 0x90 && (unsigned char)s[j + 2] <= 0x99) {
            d = (unsigned char)s[j + 2] - 0x90;
            adv = 3;
        }
        if (d >= 0) {
            buf[bl++] = (char)('0' + d);
            digits++;
            if (since_sep >= 0)
                since_sep++;
            j += (size_t)adv;
            continue;
        }
        int sep_len = 0;
        if (c == ',')
            sep_len = 1;
        else if (j + 3 <= n && !memcmp(s + j, "\xEF\xBC\x8C", 3))
            sep_len = 3; /* ， */
        if (sep_len && !seen_point && digits) {
            if (since_sep >= 0 && since_sep != 3)
                break;
            /* a separator must be followed by exactly three digits */
            size_t k = j + (size_t)sep_len;
            int cnt = 0;
            while (k < n && s[k] >= '0' && s[k] <= '9' && cnt < 4) {
                k++;
                cnt++;
            }
            if (cnt != 3)
                break;
            since_sep = 0;
            j += (size_t)sep_len;
            continue;
        }
        int pt_len = 0;
        if (c == '.')
            pt_len = 1;
        else if (j + 3 <= n && !strncmp(s + j, "\xEF\xBC\x8E", 3))
            pt_len = 3; /* ． */
        if (pt_len && !seen_point && digits && j + (size_t)pt_len < n) {
            unsigned char nx = (unsigned char)s[j + (size_t)pt_len];
            int next_digit = (nx >= '0' && nx <= '9') || nx == 0xEF;
            if (!next_digit)
                break;
            if (since_sep >= 0 && since_sep != 3)
                break;
            buf[bl++] = '.';
            seen_point = 1;
            since_sep = -1;
            j += (size_t)pt_len;
            continue;
        }
        break;
    }
    if (!digits)
        return 0;
    if (since_sep >= 0 && since_sep != 3)
        return 0;
    buf[bl] = 0;
    *out = dec_value(buf);
    *i = j;
    return 1;
}

int ft_numeral_parse(const ft_table *digits, const ft_table *units, const char *s,
                     size_t n, double *out)
{
    double yi = 0, wan = 0, sec = 0, num = 0;
    int have_num = 0, any = 0, last_digit = 0, frac = 0;
    double frac_scale = 0.1;
    size_t i = 0;
    while (i < n) {
        double v;
        size_t j = i;
        if (arabic(s, n, &j, &v)) {
            if (have_num || frac)
                return -1;
            num = v;
            have_num = any = 1;
            last_digit = 0;
            i = j;
            continue;
        }
        const ft_tab_entry *d = ft_table_prefix(digits, s + i, n - i);
        if (d && d->kind == FT_VAL_NUM) {
            if (frac) {
                num += d->num * frac_scale;
                frac_scale /= 10;
            } else if (last_digit) {
                num = num * 10 + d->num;
            } else {
                if (have_num)
                    return -1;
                num = d->num;
            }
            have_num = any = last_digit = 1;
            i += d->klen;
            continue;
        }
        if (n - i >= strlen("点") && !memcmp(s + i, "点", strlen("点")) && have_num && !frac) {
            frac = 1;
            frac_scale = 0.1;
            i += strlen("点");
            last_digit = 0;
            continue;
        }
        const ft_tab_entry *u = ft_table_prefix(units, s + i, n - i);
        if (u && u->kind == FT_VAL_NUM && u->num > 0) {
            double m = u->num;
            frac = 0;
            if (m < 1e4) {
                if (!have_num)
                    num = 1;
                sec += num * m;
            } else if (m < 1e8) {
                double part = sec + (have_num ? num : 0);
                if (part == 0)
                    part = 1;
                wan += part * m;
                sec = 0;
            } else {
                double part = wan + sec + (have_num ? num : 0);
                if (part == 0 && yi == 0)
                    part = 1;
                yi = (yi + part) * m;
                wan = sec = 0;
            }
            num = 0;
            have_num = last_digit = 0;
            any = 1;
            i += u->klen;
            continue;
        }
        return -1;
    }
    if (!any)
        return -1;
    double r = yi + wan + sec + (have_num ? num : 0);
    if (!isfinite(r))
        return -1;
    *out = r;
    return 0;
}
