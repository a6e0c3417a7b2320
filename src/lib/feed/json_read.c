/* json_read.c - a small, strict JSON reader into a tree (json_read.h). */
#include "json_read.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "vec.h"

struct jsonr_value {
    jsonr_type type;
    double number;
    char *text;            /* a string's decoded text */
    jsonr_value **items;   /* an array's items, an object's member values */
    char **keys;           /* an object's member names, parallel to items */
    size_t count, cap, key_cap;
};

typedef struct jsonr_parser {
    const char *data;
    size_t size, pos;
    const char *why;      /* the first fault's reason; NULL while there is none */
    size_t why_pos;
    bool nomem;
} jsonr_parser;

static jsonr_value *jsonr_parse_value(jsonr_parser *p, unsigned depth);

/* Notes the first fault, at the current position; always returns NULL. */
static void *jsonr_fail(jsonr_parser *p, const char *why)
{
    if (!p->why) {
        p->why = why;
        p->why_pos = p->pos;
    }
    return NULL;
}

static void *jsonr_nomem(jsonr_parser *p)
{
    p->nomem = true;
    return jsonr_fail(p, "out of memory");
}

void jsonr_free(jsonr_value *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->count; i++) {
        jsonr_free(v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->text);
    free(v);
}

static jsonr_value *jsonr_new(jsonr_parser *p, jsonr_type type)
{
    jsonr_value *v = calloc(1, sizeof *v);
    if (!v)
        return jsonr_nomem(p);
    v->type = type;
    return v;
}

/* RFC 8259's white space: space, tab, LF, CR. */
static void jsonr_skip_space(jsonr_parser *p)
{
    while (p->pos < p->size) {
        char c = p->data[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        p->pos++;
    }
}

static bool jsonr_literal(jsonr_parser *p, const char *word)
{
    size_t len = strlen(word);
    if (p->size - p->pos < len || memcmp(p->data + p->pos, word, len) != 0)
        return false;
    p->pos += len;
    return true;
}

static bool jsonr_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/*
 * A number, by the grammar -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?,
 * computed here rather than by strtod(), whose decimal point is the
 * host's locale's. The first 19 significant digits count; that is far past
 * a double's precision.
 */
static jsonr_value *jsonr_parse_number(jsonr_parser *p)
{
    const char *d = p->data;
    bool negative = d[p->pos] == '-';
    uint64_t mantissa = 0;
    unsigned digits = 0;
    long exp10 = 0;
    if (negative)
        p->pos++;
    if (p->pos >= p->size || !jsonr_is_digit(d[p->pos]))
        return jsonr_fail(p, "a number needs a digit here");
    if (d[p->pos] == '0' && p->pos + 1 < p->size && jsonr_is_digit(d[p->pos + 1]))
        return jsonr_fail(p, "a number does not start with 0 followed by digits");
    for (; p->pos < p->size && jsonr_is_digit(d[p->pos]); p->pos++) {
        if (digits < 19) {
            mantissa = mantissa * 10u + (uint64_t)(d[p->pos] - '0');
            digits += mantissa > 0;
        } else {
            exp10++;
        }
    }
    if (p->pos < p->size && d[p->pos] == '.') {
        p->pos++;
        if (p->pos >= p->size || !jsonr_is_digit(d[p->pos]))
            return jsonr_fail(p, "a number needs a digit after its '.'");
        for (; p->pos < p->size && jsonr_is_digit(d[p->pos]); p->pos++) {
            if (digits < 19) {
                mantissa = mantissa * 10u + (uint64_t)(d[p->pos] - '0');
                digits += mantissa > 0;
                exp10--;
            }
        }
    }
    if (p->pos < p->size && (d[p->pos] == 'e' || d[p->pos] == 'E')) {
        bool eneg = false;
        long e = 0;
        p->pos++;
        if (p->pos < p->size && (d[p->pos] == '+' || d[p->pos] == '-'))
            eneg = d[p->pos++] == '-';
        if (p->pos >= p->size || !jsonr_is_digit(d[p->pos]))
            return jsonr_fail(p, "a number needs a digit in its exponent");
        for (; p->pos < p->size && jsonr_is_digit(d[p->pos]); p->pos++)
            if (e < 100000)
                e = e * 10 + (d[p->pos] - '0');
        exp10 += eneg ? -e : e;
    }
    double value = (double)mantissa;
    /* Past these a double is infinite or zero anyway. */
    for (long i = 0; i < exp10 && i < 400 && value != 0.0; i++)
        value *= 10.0;
    for (long i = 0; i > exp10 && i > -400 && value != 0.0; i--)
        value /= 10.0;
    jsonr_value *v = jsonr_new(p, JSONR_NUMBER);
    if (v)
        v->number = negative ? -value : value;
    return v;
}

static int jsonr_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The four hex digits of a \u escape at p->pos; -1 when they are not. */
static long jsonr_hex4(jsonr_parser *p)
{
    long cp = 0;
    if (p->size - p->pos < 4)
        return -1;
    for (int i = 0; i < 4; i++) {
        int h = jsonr_hex(p->data[p->pos + (size_t)i]);
        if (h < 0)
            return -1;
        cp = cp * 16 + h;
    }
    p->pos += 4;
    return cp;
}

/* jsonr_fail() for the code point functions: returns -1. */
static long jsonr_fail_cp(jsonr_parser *p, const char *why)
{
    jsonr_fail(p, why);
    return -1;
}

/* The code point of a \u escape (p->pos past the 'u'), pairing surrogates;
 * -1 after a fault. */
static long jsonr_escape_u(jsonr_parser *p)
{
    long cp = jsonr_hex4(p);
    if (cp < 0)
        return jsonr_fail_cp(p, "\\u needs four hex digits");
    if (cp >= 0xDC00 && cp <= 0xDFFF)
        return jsonr_fail_cp(p, "a lone low surrogate");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (p->size - p->pos < 2 || p->data[p->pos] != '\\' || p->data[p->pos + 1] != 'u')
            return jsonr_fail_cp(p, "a high surrogate without its low one");
        p->pos += 2;
        long lo = jsonr_hex4(p);
        if (lo < 0xDC00 || lo > 0xDFFF)
            return jsonr_fail_cp(p, "a high surrogate without its low one");
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    }
    if (cp == 0)
        return jsonr_fail_cp(p, "a NUL character (\\u0000) in a string");
    return cp;
}

/*
 * A string (p->pos at its opening quote) decoded into a fresh buffer. The
 * decoded text is never longer than the escaped one (\uXXXX is 6 bytes
 * for at most 3, a surrogate pair 12 for 4), so one allocation of the
 * source's length does.
 */
static char *jsonr_parse_string_text(jsonr_parser *p)
{
    const char *d = p->data;
    size_t end = ++p->pos;
    while (end < p->size && d[end] != '"')
        end += d[end] == '\\' ? 2 : 1;
    if (end >= p->size) {
        p->pos = p->size;
        return jsonr_fail(p, "a string without its closing quote");
    }
    char *out = malloc(end - p->pos + 1);
    size_t n = 0;
    if (!out)
        return jsonr_nomem(p);
    while (d[p->pos] != '"') {
        unsigned char c = (unsigned char)d[p->pos];
        if (c < 0x20u) {
            free(out);
            return jsonr_fail(p, "a control character in a string (write it escaped)");
        }
        if (c != '\\') {
            uint32_t cp;
            size_t len = utf8_next(d + p->pos, p->size - p->pos, &cp);
            if (len == 0) {
                free(out);
                return jsonr_fail(p, "invalid UTF-8");
            }
            memcpy(out + n, d + p->pos, len);
            n += len;
            p->pos += len;
            continue;
        }
        p->pos++;
        char e = d[p->pos++];
        const char *simple = strchr("\"\\/bfnrt", e);
        if (e == 'u') {
            long cp = jsonr_escape_u(p);
            if (cp < 0) {
                free(out);
                return NULL;
            }
            n += utf8_encode((uint32_t)cp, out + n);
        } else if (e != '\0' && simple) {
            out[n++] = "\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"];
        } else {
            p->pos -= 2; /* at its backslash */
            free(out);
            return jsonr_fail(p, "an unknown escape in a string");
        }
    }
    p->pos++;
    out[n] = '\0';
    return out;
}

static jsonr_value *jsonr_parse_string(jsonr_parser *p)
{
    char *text = jsonr_parse_string_text(p);
    if (!text)
        return NULL;
    jsonr_value *v = jsonr_new(p, JSONR_STRING);
    if (!v) {
        free(text);
        return NULL;
    }
    v->text = text;
    return v;
}

/* Appends `item` (taken over) and, for an object, `key` (taken over). */
static bool jsonr_append(jsonr_parser *p, jsonr_value *v, char *key, jsonr_value *item)
{
    if (!vec_reserve(&v->items, &v->cap, v->count + 1, sizeof *v->items, 8)
        || (key && !vec_reserve(&v->keys, &v->key_cap, v->count + 1, sizeof *v->keys, 8))) {
        free(key);
        jsonr_free(item);
        jsonr_nomem(p);
        return false;
    }
    v->items[v->count] = item;
    if (key)
        v->keys[v->count] = key;
    v->count++;
    return true;
}

/* An array or object, p->pos at its opening bracket. */
static jsonr_value *jsonr_parse_container(jsonr_parser *p, unsigned depth)
{
    bool object = p->data[p->pos] == '{';
    char close = object ? '}' : ']';
    if (depth >= JSONR_MAX_DEPTH)
        return jsonr_fail(p, "nested too deep");
    jsonr_value *v = jsonr_new(p, object ? JSONR_OBJECT : JSONR_ARRAY);
    if (!v)
        return NULL;
    p->pos++;
    jsonr_skip_space(p);
    if (p->pos < p->size && p->data[p->pos] == close) {
        p->pos++;
        return v;
    }
    for (;;) {
        char *key = NULL;
        jsonr_skip_space(p);
        if (object) {
            if (p->pos >= p->size || p->data[p->pos] != '"')
                break;
            key = jsonr_parse_string_text(p);
            if (!key)
                break;
            jsonr_skip_space(p);
            if (p->pos >= p->size || p->data[p->pos] != ':') {
                free(key);
                jsonr_fail(p, "expected ':' after a member's name");
                break;
            }
            p->pos++;
        }
        jsonr_value *item = jsonr_parse_value(p, depth + 1);
        if (!item) {
            free(key);
            break;
        }
        if (!jsonr_append(p, v, key, item))
            break;
        jsonr_skip_space(p);
        if (p->pos < p->size && p->data[p->pos] == ',') {
            p->pos++;
            continue;
        }
        if (p->pos < p->size && p->data[p->pos] == close) {
            p->pos++;
            return v;
        }
        jsonr_fail(p, object ? "expected ',' or '}'" : "expected ',' or ']'");
        break;
    }
    jsonr_fail(p, "expected a member name in double quotes");
    jsonr_free(v);
    return NULL;
}

static jsonr_value *jsonr_parse_value(jsonr_parser *p, unsigned depth)
{
    jsonr_skip_space(p);
    if (p->pos >= p->size)
        return jsonr_fail(p, "expected a value, found the end");
    char c = p->data[p->pos];
    if (c == '{' || c == '[')
        return jsonr_parse_container(p, depth);
    if (c == '"')
        return jsonr_parse_string(p);
    if (c == '-' || jsonr_is_digit(c))
        return jsonr_parse_number(p);
    if (jsonr_literal(p, "null"))
        return jsonr_new(p, JSONR_NULL);
    if (jsonr_literal(p, "true"))
        return jsonr_new(p, JSONR_TRUE);
    if (jsonr_literal(p, "false"))
        return jsonr_new(p, JSONR_FALSE);
    return jsonr_fail(p, "expected a value");
}

/* The 1-based line and column (in characters) of byte `pos`. */
static void jsonr_where(const char *data, size_t pos, unsigned *line, unsigned *column)
{
    *line = 1;
    *column = 1;
    for (size_t i = 0; i < pos; i++) {
        unsigned char c = (unsigned char)data[i];
        if (c == '\n') {
            (*line)++;
            *column = 1;
        } else if ((c & 0xC0u) != 0x80u && !(c == '\r' && i + 1 < pos && data[i + 1] == '\n')) {
            (*column)++;
        }
    }
}

aloud_status jsonr_parse(const char *data, size_t size, jsonr_value **out, aloud_error *err)
{
    if (!out || (!data && size))
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "jsonr_parse: missing argument");
    *out = NULL;
    jsonr_parser p = {data ? data : "", size, 0, NULL, 0, false};
    jsonr_value *v = jsonr_parse_value(&p, 0);
    if (v) {
        jsonr_skip_space(&p);
        if (p.pos < p.size) {
            jsonr_free(v);
            v = jsonr_fail(&p, "more after the value");
        }
    }
    if (!v) {
        unsigned line, column;
        if (p.nomem)
            return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
        jsonr_where(p.data, p.why_pos, &line, &column);
        return aloud_error_set(err, ALOUD_ERR_MEDIA, line, column, "%s", p.why);
    }
    *out = v;
    return ALOUD_OK;
}

jsonr_type jsonr_type_of(const jsonr_value *v)
{
    return v ? v->type : JSONR_NULL;
}

const jsonr_value *jsonr_get(const jsonr_value *v, const char *key)
{
    if (!v || v->type != JSONR_OBJECT || !key)
        return NULL;
    for (size_t i = 0; i < v->count; i++)
        if (strcmp(v->keys[i], key) == 0)
            return v->items[i];
    return NULL;
}

size_t jsonr_count(const jsonr_value *v)
{
    return v && (v->type == JSONR_ARRAY || v->type == JSONR_OBJECT) ? v->count : 0;
}

const jsonr_value *jsonr_at(const jsonr_value *v, size_t index)
{
    return index < jsonr_count(v) ? v->items[index] : NULL;
}

const char *jsonr_string(const jsonr_value *v)
{
    return v && v->type == JSONR_STRING ? v->text : NULL;
}

double jsonr_number(const jsonr_value *v, double fallback)
{
    return v && v->type == JSONR_NUMBER ? v->number : fallback;
}
