/*
 * test_norm.c - unit tests of the named value normalisers (src/norm.c).
 *
 * Each test compiles a small rule set from a string: the tables the
 * normaliser consults and one or two rules whose named captures feed it.
 * It then scans short texts and checks the attributes of the span found.
 * The shipped rule pack is not used here, so a failure points at the
 * normaliser itself rather than at a pattern in rules/.
 */
#include <math.h>
#include <stdlib.h>

#include "fintag_int.h"
#include "unit.h"

/* Numeral tables shared by the rule sets below (YAML flow mappings). */
#define NUMERAL_TABLES                                                             \
    "  numeral_digits: {零: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6,\n" \
    "                   七: 7, 八: 8, 九: 9, 壹: 1, 贰: 2, 肆: 4, 玖: 9}\n"          \
    "  numeral_units: {十: 10, 拾: 10, 百: 100, 佰: 100, 千: 1000, 仟: 1000,\n"      \
    "                  万: 10000, 亿: 100000000}\n"

/* A compiled rule set and a scanner over it. */
typedef struct fixture {
    ft_rules *rules;
    ft_scanner *sc;
    const ft_result *res;
} fixture;

static int setup(fixture *f, const char *yaml)
{
    ft_compiler *c;
    memset(f, 0, sizeof *f);
    if (ft_compiler_create(&c) != FT_OK)
        return -1;
    ft_compiler_add_string(c, "norm.yaml", yaml, strlen(yaml));
    int rc = ft_compiler_compile(c, &f->rules);
    ft_compiler_destroy(c);
    if (rc != FT_OK || ft_scanner_create(f->rules, &f->sc) != FT_OK)
        return -1;
    return 0;
}

static void teardown(fixture *f)
{
    ft_scanner_destroy(f->sc);
    ft_rules_destroy(f->rules);
}

/* Scans text (with an optional document date) and returns the only span,
 * or NULL when there is not exactly one. */
static const ft_span *scan1(fixture *f, const char *text, const char *ref_date)
{
    ft_scan_opts o;
    ft_scan_opts_init(&o);
    o.ref_date = ref_date;
    if (!f->sc || ft_scanner_scan(f->sc, text, strlen(text), &o, &f->res) != FT_OK)
        return NULL;
    return f->res->n_spans == 1 ? &f->res->spans[0] : NULL;
}

static double num(const ft_span *s, const char *key)
{
    const ft_attr *a = s ? ft_span_attr(s, key) : NULL;
    return a && a->kind == FT_VAL_NUM ? ft_round15(a->num) : NAN;
}

static const char *str(const ft_span *s, const char *key)
{
    const ft_attr *a = s ? ft_span_attr(s, key) : NULL;
    return a && a->kind == FT_VAL_STR ? a->str : NULL;
}

static int is_true(const ft_span *s, const char *key)
{
    const ft_attr *a = s ? ft_span_attr(s, key) : NULL;
    return a && a->kind == FT_VAL_BOOL && a->boolean;
}

static int is_null(const ft_span *s, const char *key)
{
    const ft_attr *a = s ? ft_span_attr(s, key) : NULL;
    return a && a->kind == FT_VAL_NULL;
}

/* Span text of s in the text just scanned. */
static int span_is(const ft_span *s, const char *text, const char *want)
{
    return s && s->byte_end - s->byte_start == strlen(want) &&
           !memcmp(text + s->byte_start, want, strlen(want));
}

static void number_scales(void)
{
    fixture f;
    static const char yaml[] = "tables:\n" NUMERAL_TABLES
        "  scale: {万: 10000, 亿: 100000000, 万亿: 1000000000000, million: 1000000}\n"
        "rules:\n"
        "  - id: n\n    type: number\n    normalize: number\n"
        "    pattern: '(?<num>[0-9.,]+|[零一二两三四五六七八九十百千万亿]+?)"
        "(?:\\s?(?<scale>万亿|亿|万|million))?(?=个)'\n";
    CHECK(setup(&f, yaml) == 0);
    CHECK(num(scan1(&f, "二十万亿个", NULL), "value") == 2e13);
    CHECK(num(scan1(&f, "一万五千亿个", NULL), "value") == 1.5e12);
    CHECK(num(scan1(&f, "1,100.9亿个", NULL), "value") == 110090000000.0);
    CHECK(num(scan1(&f, "3541.07万个", NULL), "value") == 35410700);
    CHECK(num(scan1(&f, "2.5 million个", NULL), "value") == 2500000);
    CHECK(num(scan1(&f, "1,23个", NULL), "value") != 123);
    teardown(&f);
}

#define MONEY_TABLES                                                               \
    "tables:\n" NUMERAL_TABLES                                                     \
    "  scale: {万: 10000, 亿: 100000000, billion: 1000000000}\n"                    \
    "  currency: {元: CNY, 人民币: CNY, 美元: USD, $: USD, 港币: HKD}\n"

static void money_amounts(void)
{
    fixture f;
    static const char yaml[] = MONEY_TABLES
        "rules:\n"
        "  - id: m\n    type: money\n    normalize: money\n"
        "    pattern: '(?<approx>约|逾)?(?<cur_pre>\\$|港币|人民币)?(?<amount>[0-9.,]+|"
        "[零一二两三四五六七八九十百千万亿壹贰肆玖拾佰仟]+)(?:\\s?(?<scale>万|亿|billion))?"
        "(?<cur>元|美元)?(?:/(?<per>股|克))?(?![0-9])'\n";
    CHECK(setup(&f, yaml) == 0);
    const ft_span *s = scan1(&f, "3541.07万元", NULL);
    CHECK(num(s, "value") == 35410700);
    CHECK_STR(str(s, "unit"), "CNY");
    CHECK(!ft_span_attr(s, "approx"));
    s = scan1(&f, "约5亿美元", NULL);
    CHECK(num(s, "value") == 5e8);
    CHECK_STR(str(s, "unit"), "USD");
    CHECK(is_true(s, "approx"));
    s = scan1(&f, "$2.5 billion", NULL);
    CHECK(num(s, "value") == 2.5e9);
    CHECK_STR(str(s, "unit"), "USD");
    s = scan1(&f, "28.11元/股", NULL);
    CHECK(num(s, "value") == 28.11);
    CHECK_STR(str(s, "per"), "股");
    s = scan1(&f, "港币15亿元", NULL);
    CHECK_STR(str(s, "unit"), "HKD");
    CHECK(num(s, "value") == 1.5e9);
    s = scan1(&f, "肆亿玖仟万元", NULL);
    CHECK(num(s, "value") == 4.9e8);
    /* no currency and no document unit: rejected */
    CHECK(scan1(&f, "12.5", NULL) == NULL && f.res->n_spans == 0);
    teardown(&f);
}

static void money_ranges(void)
{
    fixture f;
    static const char yaml[] = MONEY_TABLES
        "rules:\n"
        "  - id: r\n    type: money\n    normalize: money\n"
        "    pattern: '(?<cur_pre>\\$)?(?<low>[0-9.]+)(?:\\s?(?<low_scale>亿|万|billion))?"
        "(?<cur2>元)?(?:—|至|-)(?:\\$)?(?<high>[0-9.]+)(?:\\s?(?<scale>亿|万|billion))?(?<cur>元)?'\n";
    CHECK(setup(&f, yaml) == 0);
    const ft_span *s = scan1(&f, "3.21亿元—3.51亿元", NULL);
    CHECK(num(s, "low") == 321000000);
    CHECK(num(s, "high") == 351000000);
    CHECK(is_null(s, "value"));
    CHECK_STR(str(s, "unit"), "CNY");
    /* the high side's scale applies to a bare low side */
    s = scan1(&f, "3至5亿元", NULL);
    CHECK(num(s, "low") == 3e8);
    CHECK(num(s, "high") == 5e8);
    s = scan1(&f, "5000万元至1亿元", NULL);
    CHECK(num(s, "low") == 5e7);
    CHECK(num(s, "high") == 1e8);
    s = scan1(&f, "$2-3 billion", NULL);
    CHECK(num(s, "low") == 2e9);
    CHECK(num(s, "high") == 3e9);
    CHECK_STR(str(s, "unit"), "USD");
    teardown(&f);
}

/* A minus sign in capture neg makes an amount negative (净利润-2.5万元);
 * the ends of a range are not affected by it. */
static void money_negative(void)
{
    fixture f;
    static const char yaml[] = MONEY_TABLES
        "rules:\n"
        "  - id: m\n    type: money\n    normalize: money\n"
        "    pattern: '(?<neg>-)?(?<amount>[0-9.,]+)(?<scale>万|亿)?(?<cur>元)'\n";
    CHECK(setup(&f, yaml) == 0);
    const ft_span *s = scan1(&f, "净利润-2.5万元", NULL);
    CHECK(num(s, "value") == -25000);
    CHECK_STR(str(s, "unit"), "CNY");
    CHECK(span_is(s, "净利润-2.5万元", "-2.5万元"));
    CHECK(num(scan1(&f, "净利润2.5万元", NULL), "value") == 25000);
    teardown(&f);
    static const char yaml_range[] = MONEY_TABLES
        "rules:\n"
        "  - id: m\n    type: money\n    normalize: money\n"
        "    pattern: '(?<low_neg>-)?(?<low>[0-9.]+)(?<low_scale>万)?至(?<high_neg>-)?"
        "(?<high>[0-9.]+)(?<scale>万)(?<cur>元)'\n";
    CHECK(setup(&f, yaml_range) == 0);
    /* a loss range written by size: the ends come out ordered */
    s = scan1(&f, "-3000万至-4500万元", NULL);
    CHECK(num(s, "low") == -45000000);
    CHECK(num(s, "high") == -30000000);
    s = scan1(&f, "-500至800万元", NULL);
    CHECK(num(s, "low") == -5000000);
    CHECK(num(s, "high") == 8000000);
    teardown(&f);
}

static void money_document_unit(void)
{
    fixture f;
    static const char yaml[] = MONEY_TABLES
        "rules:\n"
        "  - id: decl\n    type: _context\n    normalize: unit_decl\n"
        "    pattern: '单位[：:](?<scale>万|亿)?(?<cur>元|美元)'\n"
        "  - id: bare\n    type: money\n    normalize: money\n"
        "    pattern: '(?<![0-9.])(?<amount>[0-9]+(?:\\.[0-9]+)?)(?![0-9.])'\n";
    CHECK(setup(&f, yaml) == 0);
    const char *t = "单位：亿元\n营业收入 12.5";
    const ft_span *s = scan1(&f, t, NULL);
    CHECK(span_is(s, t, "12.5"));
    CHECK(num(s, "value") == 1.25e9);
    CHECK_STR(str(s, "unit"), "CNY");
    CHECK(is_true(s, "unit_from_document"));
    s = scan1(&f, "单位：万美元 3", NULL);
    CHECK(num(s, "value") == 30000);
    CHECK_STR(str(s, "unit"), "USD");
    /* the declaration belongs to its document only */
    CHECK(scan1(&f, "营业收入 12.5", NULL) == NULL && f.res->n_spans == 0);
    teardown(&f);
}

/* `requires: _context`: the rule runs only in documents where a context
 * rule of that type kept a match, also when that match was in an earlier
 * piece of the document (ft_scanner_scan_doc's carried context). */
static void requires_context_fact(void)
{
    fixture f;
    static const char yaml[] = MONEY_TABLES
        "rules:\n"
        "  - id: decl\n    type: _context\n    normalize: unit_decl\n"
        "    pattern: '单位[：:](?<scale>万|亿)?(?<cur>元|美元)'\n"
        "  - id: bare\n    type: num\n    requires: _context\n"
        "    pattern: '(?<![0-9.])[0-9]+(?:\\.[0-9]+)?(?![0-9.])'\n";
    CHECK(setup(&f, yaml) == 0);
    /* no normaliser rejects: without the fact the rule is simply not run */
    CHECK(scan1(&f, "营业收入 12.5", NULL) == NULL && f.res->n_spans == 0);
    const char *t = "单位：亿元\n营业收入 12.5";
    CHECK(span_is(scan1(&f, t, NULL), t, "12.5"));
    ft_doc_ctx carry;
    memset(&carry, 0, sizeof carry);
    const ft_result *res;
    CHECK(ft_scanner_scan_doc(f.sc, "单位：万元", strlen("单位：万元"), NULL, &carry, &res) == FT_OK);
    CHECK(ft_scanner_scan_doc(f.sc, "收入 3", strlen("收入 3"), NULL, &carry, &res) == FT_OK);
    CHECK(res->n_spans == 1);
    memset(&carry, 0, sizeof carry);
    CHECK(ft_scanner_scan_doc(f.sc, "收入 3", strlen("收入 3"), NULL, &carry, &res) == FT_OK);
    CHECK(res->n_spans == 0);
    teardown(&f);
}

static void percent_forms(void)
{
    fixture f;
    static const char yaml[] = "tables:\n" NUMERAL_TABLES "rules:\n"
        "  - id: p\n    type: percent\n    normalize: percent\n"
        "    patterns:\n"
        "      - '(?<num>[0-9.]+)%'\n"
        "      - '百分之(?<num>[零一二三四五六七八九十点]+)'\n"
        "      - '(?<cheng>[一二两三四五六七八九])成'\n"
        "      - '(?<permille>[0-9.]+)‰'\n"
        "      - '(?<low_neg>-)?(?<low>[0-9.]+)%?至(?<high_neg>-)?(?<high>[0-9.]+)%'\n"
        "      - '(?<low>[0-9.]+)%?-(?<high>[0-9.]+)%'\n"
        "      - '(?<neg>−)(?<num>[0-9.]+)%'\n";
    CHECK(setup(&f, yaml) == 0);
    const ft_span *s = scan1(&f, "20.5%", NULL);
    CHECK(num(s, "value") == 20.5);
    CHECK_STR(str(s, "unit"), "%");
    CHECK(num(scan1(&f, "百分之二点三", NULL), "value") == 2.3);
    CHECK(num(scan1(&f, "八成", NULL), "value") == 80);
    CHECK(num(scan1(&f, "两成", NULL), "value") == 20);
    CHECK(num(scan1(&f, "5‰", NULL), "value") == 0.5);
    s = scan1(&f, "5-20%", NULL);
    CHECK(num(s, "low") == 5);
    CHECK(num(s, "high") == 20);
    CHECK(is_null(s, "value"));
    /* negative levels: a sign in neg, low_neg, high_neg */
    CHECK(num(scan1(&f, "−0.43%", NULL), "value") == -0.43);
    s = scan1(&f, "-0.12%至-0.05%", NULL);
    CHECK(num(s, "low") == -0.12);
    CHECK(num(s, "high") == -0.05);
    s = scan1(&f, "-1%至2%", NULL);
    CHECK(num(s, "low") == -1);
    CHECK(num(s, "high") == 2);
    /* the ends are ordered: low <= high */
    s = scan1(&f, "1%至-2%", NULL);
    CHECK(num(s, "low") == -2);
    CHECK(num(s, "high") == 1);
    teardown(&f);
}

static void growth_sign_unit_basis(void)
{
    fixture f;
    static const char yaml[] = "tables:\n" NUMERAL_TABLES
        "  growth_direction: {增长: 1, 下降: -1, 收窄: -1, up: 1, fell: -1}\n"
        "  growth_unit: {'%': '%', 个百分点: pp, basis points: bp, 倍: times}\n"
        "  growth_basis: {同比: yoy, 环比: qoq, year-on-year: yoy}\n"
        "lists:\n  approx: [约]\n"
        "rules:\n"
        "  - id: g\n    type: growth\n    normalize: growth\n"
        "    patterns:\n"
        "      - '(?<basis>同比|环比)?(?<dir>增长|下降|收窄)(?<approx>约)?(?<num>[0-9.]+|[一二两三])"
        "(?<gunit>%|个百分点|倍)'\n"
        "      - '(?<dir>up|fell) (?<num>[0-9.]+) ?(?<gunit>%|basis points)(?: (?<basis>year-on-year))?'\n";
    CHECK(setup(&f, yaml) == 0);
    const ft_span *s = scan1(&f, "同比增长20.83%", NULL);
    CHECK(num(s, "value") == 20.83);
    CHECK_STR(str(s, "unit"), "%");
    CHECK_STR(str(s, "basis"), "yoy");
    s = scan1(&f, "同比收窄23%", NULL);
    CHECK(num(s, "value") == -23);
    s = scan1(&f, "下降3个百分点", NULL);
    CHECK(num(s, "value") == -3);
    CHECK_STR(str(s, "unit"), "pp");
    CHECK(is_null(s, "basis"));
    s = scan1(&f, "环比增长约20%", NULL);
    CHECK_STR(str(s, "basis"), "qoq");
    CHECK(is_true(s, "approx"));
    s = scan1(&f, "增长两倍", NULL);
    CHECK(num(s, "value") == 2);
    CHECK_STR(str(s, "unit"), "times");
    s = scan1(&f, "fell 25 basis points", NULL);
    CHECK(num(s, "value") == -25);
    CHECK_STR(str(s, "unit"), "bp");
    s = scan1(&f, "up 12% year-on-year", NULL);
    CHECK(num(s, "value") == 12);
    CHECK_STR(str(s, "basis"), "yoy");
    teardown(&f);
}

static void compute_units(void)
{
    fixture f;
    static const char yaml[] = "tables:\n" NUMERAL_TABLES
        "  compute_unit: {EFLOPS: EFLOPS, exaflops: EFLOPS, P: PFLOPS, 百亿亿次: EFLOPS, TOPS: TOPS}\n"
        "  compute_scale: {EFLOPS: 1e18, PFLOPS: 1e15, TOPS: 1e12}\n"
        "rules:\n"
        "  - id: c\n    type: compute\n    normalize: compute\n"
        "    pattern: '(?<num>[0-9.,]+)\\s?(?<cunit>EFLOPS|exaflops|P|百亿亿次|TOPS|XFLOPS)'\n";
    CHECK(setup(&f, yaml) == 0);
    const ft_span *s = scan1(&f, "180EFLOPS", NULL);
    CHECK(num(s, "value") == 180);
    CHECK_STR(str(s, "unit"), "EFLOPS");
    CHECK(num(s, "flops") == 1.8e20);
    s = scan1(&f, "算力规模达180百亿亿次", NULL);
    CHECK_STR(str(s, "unit"), "EFLOPS");
    s = scan1(&f, "2,800P", NULL);
    CHECK(num(s, "value") == 2800);
    CHECK(num(s, "flops") == 2.8e18);
    CHECK(num(scan1(&f, "1.4 exaflops", NULL), "flops") == 1.4e18);
    CHECK(num(scan1(&f, "1,000 TOPS", NULL), "flops") == 1e15);
    /* a unit the table does not know is rejected */
    CHECK(scan1(&f, "5XFLOPS", NULL) == NULL && f.res->n_spans == 0);
    teardown(&f);
}

/* 1000-2000TOPS: low and high as written, value null, no flops. */
static void compute_ranges(void)
{
    fixture f;
    static const char yaml[] = "tables:\n" NUMERAL_TABLES
        "  compute_unit: {EFLOPS: EFLOPS, TOPS: TOPS}\n"
        "  compute_scale: {EFLOPS: 1e18, TOPS: 1e12}\n"
        "rules:\n"
        "  - id: c\n    type: compute\n    normalize: compute\n"
        "    pattern: '(?<![0-9])(?<low>[0-9.,]+)[-~](?<high>[0-9.,]+)(?<cunit>EFLOPS|TOPS)'\n";
    CHECK(setup(&f, yaml) == 0);
    const ft_span *s = scan1(&f, "1000-2000TOPS", NULL);
    CHECK(is_null(s, "value"));
    CHECK(num(s, "low") == 1000);
    CHECK(num(s, "high") == 2000);
    CHECK_STR(str(s, "unit"), "TOPS");
    CHECK(s && !ft_span_attr(s, "flops"));
    CHECK_STR(str(scan1(&f, "1,500~2,000EFLOPS", NULL), "unit"), "EFLOPS");
    CHECK(scan1(&f, "2000-1000TOPS", NULL) == NULL && f.res->n_spans == 0);
    teardown(&f);
}

#define DATE_TABLES                                                                \
    "tables:\n" NUMERAL_TABLES                                                     \
    "  month_names: {Jan: 1, January: 1, July: 7, Aug: 8, Sept: 9, September: 9}\n" \
    "  date_period: {上半年: '01/06', 年底: '12', 前三季度: '01/09'}\n"              \
    "  relative_year: {今年: 0, 去年: -1}\n"                                         \
    "  ordinal: {third: 3}\n"

static void date_forms(void)
{
    fixture f;
    static const char yaml[] = DATE_TABLES
        "rules:\n"
        "  - id: d\n    type: date\n    normalize: date\n"
        "    patterns:\n"
        "      - '(?<y>\\d{4})年(?<m>\\d{1,2})月(?<d>\\d{1,2})日'\n"
        "      - '(?<y>\\d{4})年(?<m1>\\d{1,2})月?[—至-](?<m2>\\d{1,2})月'\n"
        "      - '(?<y>\\d{4})年前(?<mfirst>\\d{1,2}|[一二三四五六七八九十两])个月'\n"
        "      - '(?J)(?<y>\\d{4})(?:年(?<period>上半年|前三季度)|(?<period>年底))'\n"
        "      - '(?<mon1>January|Jan)-(?<mon2>July|September|Sept) (?<y>\\d{4})'\n"
        "      - '(?<mon>Aug|September)\\. (?<d>\\d{1,2}), (?<y>\\d{4})'\n"
        "      - 'the (?<q>third|[1-4]) quarter of (?<y>\\d{4})'\n"
        "      - '(?<rel>今年|去年)(?:(?<m>\\d{1,2}|[一二三四五六七八九十]+)月)?'\n";
    CHECK(setup(&f, yaml) == 0);
    CHECK_STR(str(scan1(&f, "2023年8月18日", NULL), "value"), "2023-08-18");
    CHECK_STR(str(scan1(&f, "2024年2月29日", NULL), "value"), "2024-02-29");
    CHECK(scan1(&f, "2023年2月29日", NULL) == NULL);
    CHECK(scan1(&f, "2023年13月1日", NULL) == NULL);
    CHECK_STR(str(scan1(&f, "2024年1—8月", NULL), "value"), "2024-01/2024-08");
    CHECK_STR(str(scan1(&f, "2024年1月至9月", NULL), "value"), "2024-01/2024-09");
    CHECK(scan1(&f, "2024年8-1月", NULL) == NULL);
    CHECK_STR(str(scan1(&f, "2024年前8个月", NULL), "value"), "2024-01/2024-08");
    CHECK_STR(str(scan1(&f, "2024年前两个月", NULL), "value"), "2024-01/2024-02");
    CHECK_STR(str(scan1(&f, "2024年上半年", NULL), "value"), "2024-01/2024-06");
    CHECK_STR(str(scan1(&f, "2022年底", NULL), "value"), "2022-12");
    CHECK_STR(str(scan1(&f, "2024年前三季度", NULL), "value"), "2024-01/2024-09");
    CHECK_STR(str(scan1(&f, "January-July 2024", NULL), "value"), "2024-01/2024-07");
    CHECK_STR(str(scan1(&f, "Jan-Sept 2024", NULL), "value"), "2024-01/2024-09");
    CHECK_STR(str(scan1(&f, "Aug. 18, 2023", NULL), "value"), "2023-08-18");
    CHECK(scan1(&f, "September. 31, 2023", NULL) == NULL);
    CHECK_STR(str(scan1(&f, "the third quarter of 2024", NULL), "value"), "2024-07/2024-09");
    CHECK_STR(str(scan1(&f, "the 1 quarter of 2024", NULL), "value"), "2024-01/2024-03");
    teardown(&f);
}

/* 2016-2023年: a range of whole years, YYYY/YYYY; a reversed or empty
 * range is rejected, and no document date is needed. */
static void date_year_ranges(void)
{
    fixture f;
    static const char yaml[] = DATE_TABLES
        "rules:\n"
        "  - id: d\n    type: date\n    normalize: date\n"
        "    pattern: '(?<yfrom>\\d{4})年?[-—至](?<yto>\\d{4})年'\n";
    CHECK(setup(&f, yaml) == 0);
    CHECK_STR(str(scan1(&f, "2016-2023年", NULL), "value"), "2016/2023");
    CHECK_STR(str(scan1(&f, "2013年至2024年", NULL), "value"), "2013/2024");
    CHECK(scan1(&f, "2023-2016年", NULL) == NULL && f.res->n_spans == 0);
    CHECK(scan1(&f, "2023-2023年", NULL) == NULL && f.res->n_spans == 0);
    CHECK(scan1(&f, "1800-1850年", NULL) == NULL && f.res->n_spans == 0);
    teardown(&f);
}

static void date_relative(void)
{
    fixture f;
    static const char yaml[] = DATE_TABLES
        "rules:\n"
        "  - id: d\n    type: date\n    normalize: date\n"
        "    pattern: '(?<rel>今年|去年)(?:(?<m>\\d{1,2}|[一二三四五六七八九十]+)月份?)?'\n";
    CHECK(setup(&f, yaml) == 0);
    /* without a document date a relative date is not tagged */
    CHECK(scan1(&f, "今年7月份", NULL) == NULL && f.res->n_spans == 0);
    CHECK_STR(str(scan1(&f, "今年7月份", "2024-08-19"), "value"), "2024-07");
    CHECK_STR(str(scan1(&f, "去年", "2024-08-19T10:00:00Z"), "value"), "2023");
    CHECK_STR(str(scan1(&f, "去年十二月", "2025-01-02"), "value"), "2024-12");
    teardown(&f);
}

static void quantity_scale_unit(void)
{
    fixture f;
    static const char yaml[] = "tables:\n" NUMERAL_TABLES
        "  scale: {万: 10000, million: 1000000}\n"
        "rules:\n"
        "  - id: q\n    type: quantity\n    normalize: quantity\n"
        "    pattern: '(?<approx>约)?(?<num>[0-9.,]+|[一二三四五六七八九十百千万两]+?)"
        "(?:\\s?(?<scale>万|million))?(?:多|余)?\\s?(?<qunit>股|辆|台|名|vehicles)'\n";
    CHECK(setup(&f, yaml) == 0);
    const ft_span *s = scan1(&f, "1050.3万股", NULL);
    CHECK(num(s, "value") == 10503000);
    CHECK_STR(str(s, "unit"), "股");
    CHECK(num(scan1(&f, "三千名", NULL), "value") == 3000);
    s = scan1(&f, "约5万辆", NULL);
    CHECK(num(s, "value") == 50000);
    CHECK(is_true(s, "approx"));
    s = scan1(&f, "1.2 million vehicles", NULL);
    CHECK(num(s, "value") == 1200000);
    CHECK_STR(str(s, "unit"), "vehicles");
    teardown(&f);
}

/* 8000-15000吨, 3至5万辆 (the high side's scale applies to the low side),
 * 5000至1.2万台 (each side with its own scale). */
static void quantity_ranges(void)
{
    fixture f;
    static const char yaml[] = "tables:\n" NUMERAL_TABLES
        "  scale: {万: 10000}\n"
        "rules:\n"
        "  - id: q\n    type: quantity\n    normalize: quantity\n"
        "    pattern: '(?<low>[0-9.]+)(?<low_scale>万)?[-至](?<high>[0-9.]+)(?<scale>万)?"
        "(?<qunit>吨|辆|台)'\n";
    CHECK(setup(&f, yaml) == 0);
    const ft_span *s = scan1(&f, "8000-15000吨", NULL);
    CHECK(is_null(s, "value"));
    CHECK(num(s, "low") == 8000);
    CHECK(num(s, "high") == 15000);
    CHECK_STR(str(s, "unit"), "吨");
    s = scan1(&f, "3至5万辆", NULL);
    CHECK(num(s, "low") == 30000);
    CHECK(num(s, "high") == 50000);
    s = scan1(&f, "5000至1.2万台", NULL);
    CHECK(num(s, "low") == 5000);
    CHECK(num(s, "high") == 12000);
    CHECK(scan1(&f, "2万-1万吨", NULL) == NULL && f.res->n_spans == 0);
    teardown(&f);
}

static void stock_code_exchanges(void)
{
    fixture f;
    static const char yaml[] = "tables:\n"
        "  exchange_alias: {SH: SH, SZ: SZ, HK: HK, NASDAQ: US, $: US}\n"
        "  a_share_prefix: {'600': SH, '603': SH, '300': SZ, '000': SZ, '83': BJ}\n"
        "lists:\n  name_stop: [公告, 的]\n  name_not: [代码]\n"
        "rules:\n"
        "  - id: s\n    type: stock_code\n    normalize: stock_code\n"
        "    patterns:\n"
        "      - '[(（]\\K(?<code>\\d{6}|[０-９]{6})(?:\\.(?<suffix>SH|SZ))?(?=[)）])'\n"
        "      - '(?<prefix>SH|SZ)(?<code>\\d{6})'\n"
        "      - '(?<code>\\d{4,5})\\.(?<suffix>HK)'\n"
        "      - '(?<market>NASDAQ): \\K(?<code>[A-Z]{1,5})'\n"
        "      - '(?<prefix>\\$)(?<code>[A-Z]{1,5})'\n";
    CHECK(setup(&f, yaml) == 0);
    const ft_span *s = scan1(&f, "中科曙光(603019)", NULL);
    CHECK_STR(str(s, "value"), "603019.SH");
    CHECK_STR(str(s, "exchange"), "SH");
    CHECK_STR(str(s, "name"), "中科曙光");
    s = scan1(&f, "公告的宁德时代（300750.SZ）", NULL);
    CHECK_STR(str(s, "value"), "300750.SZ");
    CHECK_STR(str(s, "name"), "宁德时代");
    CHECK_STR(str(scan1(&f, "贵州茅台（６００５１９）", NULL), "value"), "600519.SH");
    CHECK_STR(str(scan1(&f, "(830799)", NULL), "value"), "830799.BJ");
    CHECK_STR(str(scan1(&f, "SZ300750", NULL), "value"), "300750.SZ");
    CHECK_STR(str(scan1(&f, "0700.HK", NULL), "value"), "00700.HK");
    s = scan1(&f, "哔哩哔哩(NASDAQ: BILI)", NULL);
    CHECK_STR(str(s, "value"), "BILI.US");
    CHECK_STR(str(s, "name"), "哔哩哔哩");
    CHECK_STR(str(scan1(&f, "$AAPL", NULL), "value"), "AAPL.US");
    /* a six-digit number outside every code range, a postcode in brackets */
    CHECK(scan1(&f, "订单(123456)", NULL) == NULL && f.res->n_spans == 0);
    CHECK(scan1(&f, "邮编(100080)", NULL) == NULL && f.res->n_spans == 0);
    teardown(&f);
}

int main(void)
{
    RUN("norm", number_scales);
    RUN("norm", money_amounts);
    RUN("norm", money_ranges);
    RUN("norm", money_negative);
    RUN("norm", money_document_unit);
    RUN("norm", requires_context_fact);
    RUN("norm", percent_forms);
    RUN("norm", growth_sign_unit_basis);
    RUN("norm", compute_units);
    RUN("norm", compute_ranges);
    RUN("norm", date_forms);
    RUN("norm", date_year_ranges);
    RUN("norm", date_relative);
    RUN("norm", quantity_scale_unit);
    RUN("norm", quantity_ranges);
    RUN("norm", stock_code_exchanges);
    return 0;
}
