/* input_pos.c - byte offsets to lines and columns; character references. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "input_pos.h"
#include "utf8.h"

void input_pos_init(input_pos *p, const char *data, size_t size)
{
    p->data = data;
    p->size = size;
    p->offset = utf8_bom_length(data, size);
    p->line = 1;
    p->column = 1;
}

void input_pos_at(input_pos *p, size_t offset, unsigned *line, unsigned *column)
{
    if (offset > p->size)
        offset = p->size;
    if (offset < p->offset)
        input_pos_init(p, p->data, p->size);
    while (p->offset < offset) {
        unsigned char c = (unsigned char)p->data[p->offset++];
        if (c == '\n' || (c == '\r' && (p->offset >= p->size || p->data[p->offset] != '\n'))) {
            p->line++;
            p->column = 1;
        } else if (c != '\r' && (c & 0xC0u) != 0x80u) {
            p->column++;
        }
    }
    *line = p->line;
    *column = p->column;
}

/* The named references people write in Markdown; HTML's are the parser's. */
static const struct {
    const char *name;
    uint32_t cp;
} input_entities[] = {
    {"amp", '&'},       {"lt", '<'},         {"gt", '>'},         {"quot", '"'},
    {"apos", '\''},     {"nbsp", 0xA0},      {"ndash", 0x2013},   {"mdash", 0x2014},
    {"hellip", 0x2026}, {"lsquo", 0x2018},   {"rsquo", 0x2019},   {"ldquo", 0x201C},
    {"rdquo", 0x201D},  {"laquo", 0xAB},     {"raquo", 0xBB},     {"copy", 0xA9},
    {"reg", 0xAE},      {"trade", 0x2122},   {"deg", 0xB0},       {"eacute", 0xE9},
    {"egrave", 0xE8},   {"agrave", 0xE0},    {"ccedil", 0xE7},    {"uuml", 0xFC},
    {"ouml", 0xF6},     {"auml", 0xE4},      {"szlig", 0xDF},     {"euro", 0x20AC},
    {"pound", 0xA3},    {"times", 0xD7},     {"middot", 0xB7},    {"bull", 0x2022},
    {"shy", 0xAD},      {"zwj", 0x200D},     {"zwnj", 0x200C},    {"thinsp", 0x2009},
};

size_t input_entity_decode(const char *s, size_t n, char out[4])
{
    uint32_t cp = 0;
    if (n < 3 || s[0] != '&' || s[n - 1] != ';')
        return 0;
    if (s[1] == '#') {
        bool hex = n > 3 && (s[2] == 'x' || s[2] == 'X');
        size_t i = hex ? 3 : 2;
        if (i >= n - 1)
            return 0;
        for (; i < n - 1; i++) {
            unsigned d;
            char c = s[i];
            if (c >= '0' && c <= '9')
                d = (unsigned)(c - '0');
            else if (hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
                d = (unsigned)((c | 0x20) - 'a' + 10);
            else
                return 0;
            cp = cp * (hex ? 16u : 10u) + d;
            if (cp > 0x10FFFF)
                return 0;
        }
        if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
            cp = 0xFFFD;
        return utf8_encode(cp, out);
    }
    for (size_t i = 0; i < sizeof input_entities / sizeof input_entities[0]; i++) {
        size_t k = strlen(input_entities[i].name);
        if (k == n - 2 && memcmp(input_entities[i].name, s + 1, k) == 0)
            return utf8_encode(input_entities[i].cp, out);
    }
    return 0;
}
