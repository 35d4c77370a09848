/*
 * json.c - renders a scan result as the JSON array of entity objects that
 * every JSON-based output (JSONL, the Python binding) carries.
 *
 * Field order is fixed: type, text, start, end, byte_start, byte_end,
 * [u16_start, u16_end], value, unit, the normaliser's other attributes in
 * the order it set them, rule.  value and unit are always present (null when
 * the rule has no normaliser).
 */
#include <string.h>

#include "fintag_int.h"

/* Appends the value of attribute a. */
static int add_attr_value(ft_buf *b, const ft_attr *a)
{
    switch (a->kind) {
    case FT_VAL_NUM: return ft_buf_add_num(b, a->num);
    case FT_VAL_STR: return ft_buf_add_json_str(b, a->str, strlen(a->str));
    case FT_VAL_BOOL: return ft_buf_adds(b, a->boolean ? "true" : "false");
    default: return ft_buf_adds(b, "null");
    }
}

/* Appends a string literal (its length known at compile time). */
#define ADD_LIT(b, lit) ft_buf_add((b), (lit), sizeof(lit) - 1)

int ft_json_add_spans(ft_buf *b, const ft_result *res, const char *text, size_t base,
                      size_t len, int utf16_offsets, int *first)
{
    for (size_t i = 0; res && i < res->n_spans; i++) {
        const ft_span *s = &res->spans[i];
        if (s->byte_start < base || s->byte_end > base + len)
            continue;
        /* the usual record fits: one growth at most per entity */
        ft_buf_reserve(b, 256 + 2 * (s->byte_end - s->byte_start));
        if (*first)
            ADD_LIT(b, "{\"type\":");
        else
            ADD_LIT(b, ",{\"type\":");
        *first = 0;
        ft_buf_add_json_str(b, s->type, strlen(s->type));
        ADD_LIT(b, ",\"text\":");
        ft_buf_add_json_str(b, text + (s->byte_start - base), s->byte_end - s->byte_start);
        ADD_LIT(b, ",\"start\":");
        ft_buf_add_uint(b, s->start);
        ADD_LIT(b, ",\"end\":");
        ft_buf_add_uint(b, s->end);
        ADD_LIT(b, ",\"byte_start\":");
        ft_buf_add_uint(b, s->byte_start);
        ADD_LIT(b, ",\"byte_end\":");
        ft_buf_add_uint(b, s->byte_end);
        if (utf16_offsets) {
            ADD_LIT(b, ",\"u16_start\":");
            ft_buf_add_uint(b, s->u16_start);
            ADD_LIT(b, ",\"u16_end\":");
            ft_buf_add_uint(b, s->u16_end);
        }
        /* value and unit first (their first occurrence, as ft_span_attr
         * finds them), then the other attributes in order */
        const ft_attr *v = NULL, *u = NULL;
        for (size_t k = 0; k < s->n_attrs; k++) {
            const char *key = s->attrs[k].key;
            if (!v && !strcmp(key, "value"))
                v = &s->attrs[k];
            else if (!u && !strcmp(key, "unit"))
                u = &s->attrs[k];
        }
        ADD_LIT(b, ",\"value\":");
        if (v)
            add_attr_value(b, v);
        else
            ADD_LIT(b, "null");
        ADD_LIT(b, ",\"unit\":");
        if (u)
            add_attr_value(b, u);
        else
            ADD_LIT(b, "null");
        for (size_t k = 0; k < s->n_attrs; k++) {
            const ft_attr *a = &s->attrs[k];
            if (!strcmp(a->key, "value") || !strcmp(a->key, "unit"))
                continue;
            ft_buf_addc(b, ',');
            ft_buf_add_json_str(b, a->key, strlen(a->key));
            ft_buf_addc(b, ':');
            add_attr_value(b, a);
        }
        ADD_LIT(b, ",\"rule\":");
        ft_buf_add_json_str(b, s->rule_id, strlen(s->rule_id));
        if (ft_buf_addc(b, '}'))
            return FT_ERR_NOMEM;
    }
    return FT_OK;
}

int ft_json_add_entities(ft_buf *b, const ft_result *res, const char *text, size_t len,
                         int utf16_offsets)
{
    int first = 1;
    if (ft_buf_addc(b, '[') || ft_json_add_spans(b, res, text, 0, len, utf16_offsets, &first) ||
        ft_buf_addc(b, ']'))
        return FT_ERR_NOMEM;
    return FT_OK;
}

char *ft_result_to_json(const ft_result *res, const char *text, size_t len,
                        int utf16_offsets)
{
    ft_buf b = {0};
    if (ft_json_add_entities(&b, res, text, len, utf16_offsets)) {
        ft_buf_free(&b);
        return NULL;
    }
    return b.p;
}
