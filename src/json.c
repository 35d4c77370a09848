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

int ft_json_add_entities(ft_buf *b, const ft_result *res, const char *text, size_t len,
                         int utf16_offsets)
{
    ft_buf_addc(b, '[');
    for (size_t i = 0; res && i < res->n_spans; i++) {
        const ft_span *s = &res->spans[i];
        if (s->byte_end > len)
            continue;
        ft_buf_adds(b, i ? ",{\"type\":" : "{\"type\":");
        ft_buf_add_json_str(b, s->type, strlen(s->type));
        ft_buf_adds(b, ",\"text\":");
        ft_buf_add_json_str(b, text + s->byte_start, s->byte_end - s->byte_start);
        ft_buf_adds(b, ",\"start\":");
        ft_buf_add_uint(b, s->start);
        ft_buf_adds(b, ",\"end\":");
        ft_buf_add_uint(b, s->end);
        ft_buf_adds(b, ",\"byte_start\":");
        ft_buf_add_uint(b, s->byte_start);
        ft_buf_adds(b, ",\"byte_end\":");
        ft_buf_add_uint(b, s->byte_end);
        if (utf16_offsets) {
            ft_buf_adds(b, ",\"u16_start\":");
            ft_buf_add_uint(b, s->u16_start);
            ft_buf_adds(b, ",\"u16_end\":");
            ft_buf_add_uint(b, s->u16_end);
        }
        const ft_attr *v = ft_span_attr(s, "value"), *u = ft_span_attr(s, "unit");
        ft_buf_adds(b, ",\"value\":");
        if (v)
            add_attr_value(b, v);
        else
            ft_buf_adds(b, "null");
        ft_buf_adds(b, ",\"unit\":");
        if (u)
            add_attr_value(b, u);
        else
            ft_buf_adds(b, "null");
        for (size_t k = 0; k < s->n_attrs; k++) {
            const ft_attr *a = &s->attrs[k];
            if (!strcmp(a->key, "value") || !strcmp(a->key, "unit"))
                continue;
            ft_buf_addc(b, ',');
            ft_buf_add_json_str(b, a->key, strlen(a->key));
            ft_buf_addc(b, ':');
            add_attr_value(b, a);
        }
        ft_buf_adds(b, ",\"rule\":");
        ft_buf_add_json_str(b, s->rule_id, strlen(s->rule_id));
        ft_buf_addc(b, '}');
    }
    return ft_buf_addc(b, ']');
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
