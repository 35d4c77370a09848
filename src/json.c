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

/* Whether attribute a is called key (first byte checked before strcmp). */
static int is_key(const ft_attr *a, const char *key)
{
    return a->key[0] == key[0] && !strcmp(a->key, key);
}

/* Writes a string literal (its length known at compile time) at o. */
#define LIT_AT(o, lit) (memcpy((o), (lit), sizeof(lit) - 1), (o) + sizeof(lit) - 1)

/* Most bytes a number takes: ft_buf_add_num() prints at most 17
 * significant digits, a sign, a point and an exponent. */
#define NUM_ROOM 32

/* Writes the value of attribute a at o (in b, which has the room); returns
 * the end. */
static char *attr_value_at(ft_buf *b, char *o, const ft_attr *a)
{
    switch (a->kind) {
    case FT_VAL_NUM:
        b->len = (size_t)(o - b->p);
        ft_buf_add_num(b, a->num);   /* within the room: no reallocation */
        return b->p + b->len;
    case FT_VAL_STR: return ft_json_str_at(o, a->str, strlen(a->str));
    case FT_VAL_BOOL: return a->boolean ? LIT_AT(o, "true") : LIT_AT(o, "false");
    default: return LIT_AT(o, "null");
    }
}

/* Room an attribute's value may need. */
static size_t attr_room(const ft_attr *a)
{
    return a->kind == FT_VAL_STR ? ft_json_room(strlen(a->str)) : NUM_ROOM;
}

/* Each entity is written in one go: its room is reserved first (an upper
 * bound from the lengths of its strings), then the bytes are stored without
 * further checks. */
int ft_json_add_spans(ft_buf *b, const ft_result *res, const char *text, size_t base,
                      size_t len, int utf16_offsets, int *first)
{
    for (size_t i = 0; res && i < res->n_spans; i++) {
        const ft_span *s = &res->spans[i];
        if (s->byte_start < base || s->byte_end > base + len)
            continue;
        size_t tl = strlen(s->type), rl = strlen(s->rule_id), bl = s->byte_end - s->byte_start;
        /* value and unit first (their first occurrence, as ft_span_attr
         * finds them), then the other attributes in order */
        const ft_attr *v = NULL, *u = NULL;
        size_t room = 200 + ft_json_room(tl) + ft_json_room(rl) + ft_json_room(bl) + 8 * 24 + 2 * NUM_ROOM;
        for (size_t k = 0; k < s->n_attrs; k++) {
            const ft_attr *a = &s->attrs[k];
            if (!v && is_key(a, "value"))
                v = a;
            else if (!u && is_key(a, "unit"))
                u = a;
            room += ft_json_room(strlen(a->key)) + 2 + attr_room(a);
        }
        if (ft_buf_reserve(b, room))
            return FT_ERR_NOMEM;
        char *o = b->p + b->len;
        if (*first)
            o = LIT_AT(o, "{\"type\":");
        else
            o = LIT_AT(o, ",{\"type\":");
        *first = 0;
        o = ft_json_str_at(o, s->type, tl);
        o = LIT_AT(o, ",\"text\":");
        o = ft_json_str_at(o, text + (s->byte_start - base), bl);
        o = LIT_AT(o, ",\"start\":");
        o = ft_uint_at(o, s->start);
        o = LIT_AT(o, ",\"end\":");
        o = ft_uint_at(o, s->end);
        o = LIT_AT(o, ",\"byte_start\":");
        o = ft_uint_at(o, s->byte_start);
        o = LIT_AT(o, ",\"byte_end\":");
        o = ft_uint_at(o, s->byte_end);
        if (utf16_offsets) {
            o = LIT_AT(o, ",\"u16_start\":");
            o = ft_uint_at(o, s->u16_start);
            o = LIT_AT(o, ",\"u16_end\":");
            o = ft_uint_at(o, s->u16_end);
        }
        o = LIT_AT(o, ",\"value\":");
        o = v ? attr_value_at(b, o, v) : LIT_AT(o, "null");
        o = LIT_AT(o, ",\"unit\":");
        o = u ? attr_value_at(b, o, u) : LIT_AT(o, "null");
        for (size_t k = 0; k < s->n_attrs; k++) {
            const ft_attr *a = &s->attrs[k];
            if (is_key(a, "value") || is_key(a, "unit"))
                continue;
            *o++ = ',';
            o = ft_json_str_at(o, a->key, strlen(a->key));
            *o++ = ':';
            o = attr_value_at(b, o, a);
        }
        o = LIT_AT(o, ",\"rule\":");
        o = ft_json_str_at(o, s->rule_id, rl);
        *o++ = '}';
        b->len = (size_t)(o - b->p);
        b->p[b->len] = 0;
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
