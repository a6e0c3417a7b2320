/*
 * input_md.c - Markdown to the document model, with md4c.
 *
 * md4c calls back for each block, span and run of text, with text pointing
 * into the input, so every character keeps its line and column. What is
 * read: headings (the first level-1 heading is the title), paragraphs, list
 * items, quotes and table rows, each one paragraph; the text of emphasis and
 * links (never a link's address). What is not: code blocks, HTML blocks and
 * inline HTML, images (their alt text too), counted for -v.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <md4c.h>

#include "input.h"
#include "input_pos.h"
#include "utf8.h"

/* md4c keeps a stack of open blocks and spans: nesting costs memory but no
 * recursion. A limit still bounds what a hostile file costs us. */
#define MD_MAX_DEPTH 256u

typedef struct md_state {
    doc_builder *b;
    const char *data;
    size_t size;
    input_pos pos;
    doc_block kind;        /* of the block being read */
    unsigned skip;         /* inside code, HTML or an image: read nothing */
    unsigned depth;
    size_t code_blocks;
    size_t html_blocks;
    size_t images;
    bool title_seen;
    aloud_status status;
} md_state;

static int md_fail(md_state *s, aloud_status st)
{
    s->status = st;
    return -1;
}

/* Ends the block being read, if it holds anything. */
static int md_block_end(md_state *s)
{
    aloud_status st = doc_builder_end(s->b, s->kind);
    s->kind = DOC_BLOCK_BODY;
    return st == ALOUD_OK ? 0 : md_fail(s, st);
}

static int md_enter_block(MD_BLOCKTYPE type, void *detail, void *ctx)
{
    md_state *s = ctx;
    if (++s->depth > MD_MAX_DEPTH)
        return md_fail(s, ALOUD_ERR_MEDIA);
    switch (type) {
    case MD_BLOCK_CODE:
        s->code_blocks++;
        s->skip++;
        return md_block_end(s);
    case MD_BLOCK_HTML:
        s->html_blocks++;
        s->skip++;
        return md_block_end(s);
    case MD_BLOCK_H: {
        int r = md_block_end(s);
        const MD_BLOCK_H_DETAIL *h = detail;
        s->kind = h->level == 1 && !s->title_seen ? DOC_BLOCK_TITLE : DOC_BLOCK_HEADING;
        if (h->level == 1)
            s->title_seen = true;
        return r;
    }
    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
        doc_builder_space(s->b);
        return 0;
    case MD_BLOCK_DOC:
    case MD_BLOCK_THEAD:
    case MD_BLOCK_TBODY:
    case MD_BLOCK_TABLE:
        return 0;
    case MD_BLOCK_QUOTE:
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
    case MD_BLOCK_LI:
    case MD_BLOCK_HR:
    case MD_BLOCK_P:
    case MD_BLOCK_TR:
    default:
        /* A paragraph, list, item, quote, rule, row: a new block. A list
         * inside an item ends the item's own text. */
        return md_block_end(s);
    }
}

static int md_leave_block(MD_BLOCKTYPE type, void *detail, void *ctx)
{
    md_state *s = ctx;
    (void)detail;
    s->depth--;
    switch (type) {
    case MD_BLOCK_CODE:
    case MD_BLOCK_HTML:
        s->skip--;
        return 0;
    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
        doc_builder_space(s->b);
        return 0;
    case MD_BLOCK_DOC:
    case MD_BLOCK_THEAD:
    case MD_BLOCK_TBODY:
    case MD_BLOCK_TABLE:
        return 0;
    case MD_BLOCK_QUOTE:
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
    case MD_BLOCK_LI:
    case MD_BLOCK_HR:
    case MD_BLOCK_H:
    case MD_BLOCK_P:
    case MD_BLOCK_TR:
    default:
        return md_block_end(s);
    }
}

static int md_enter_span(MD_SPANTYPE type, void *detail, void *ctx)
{
    md_state *s = ctx;
    (void)detail;
    if (++s->depth > MD_MAX_DEPTH)
        return md_fail(s, ALOUD_ERR_MEDIA);
    if (type == MD_SPAN_IMG) {
        s->images++;
        s->skip++;
    }
    return 0;
}

static int md_leave_span(MD_SPANTYPE type, void *detail, void *ctx)
{
    md_state *s = ctx;
    (void)detail;
    s->depth--;
    if (type == MD_SPAN_IMG)
        s->skip--;
    return 0;
}

/*
 * md4c 0.4.8 looks past the end of its input, and at the end of some
 * unfinished links reports text that reaches past it, by what it found
 * there (fuzz_markdown found it; tests/fuzz/corpus/markdown keeps the
 * inputs). So md_read() hands it a copy followed by MD_PAD zero bytes,
 * and md_feed() keeps only what lies inside the text.
 */
#define MD_PAD 64u

/* Feeds text[0..n), which md4c took from the input, with its position. */
static int md_feed(md_state *s, const char *text, size_t n, const char *from)
{
    unsigned line = 1, column = 1;
    const char *end = s->data + s->size;
    if (text >= s->data && text <= end + MD_PAD && n > (size_t)(end - text))
        n = text < end ? (size_t)(end - text) : 0;
    if (n == 0)
        return 0;
    if (from >= s->data && from <= end)
        input_pos_at(&s->pos, (size_t)(from - s->data), &line, &column);
    return doc_builder_text(s->b, text, n, line, column) ? 0 : md_fail(s, ALOUD_ERR_NOMEM);
}

static int md_text(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *ctx)
{
    md_state *s = ctx;
    char buf[4];
    size_t n;
    if (s->skip)
        return 0;
    switch (type) {
    case MD_TEXT_NORMAL:
    case MD_TEXT_CODE:  /* inline code: a word or two, read as written */
        return md_feed(s, text, size, text);
    case MD_TEXT_ENTITY:
        n = input_entity_decode(text, size, buf);
        return n ? md_feed(s, buf, n, text) : 0;
    case MD_TEXT_BR:
    case MD_TEXT_SOFTBR:
        doc_builder_space(s->b);
        return 0;
    case MD_TEXT_NULLCHAR:
    case MD_TEXT_HTML:     /* inline tags: markup, not words */
    case MD_TEXT_LATEXMATH:
        return 0;
    }
    return 0;
}

/* The end of a front matter line "key: value" with the value trimmed and
 * unquoted, or false when the line is not that key. */
static bool md_front_value(const char *line, size_t n, const char *key, const char **value,
                           size_t *value_length)
{
    size_t k = strlen(key);
    if (n <= k || strncmp(line, key, k) != 0 || line[k] != ':')
        return false;
    const char *v = line + k + 1;
    const char *end = line + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        end--;
    if (end - v >= 2 && (*v == '"' || *v == '\'') && end[-1] == *v) {
        v++;
        end--;
    }
    *value = v;
    *value_length = (size_t)(end - v);
    return true;
}

/*
 * YAML front matter: a first line "---", then "key: value" lines up to a
 * line "---" or "...". Only title, author and lang are read (plain
 * scalars, one line each). Returns where the Markdown starts: 0 without
 * front matter.
 */
static size_t md_front_matter(md_state *s)
{
    const char *d = s->data;
    size_t n = s->size;
    size_t p = utf8_bom_length(d, n);
    if (n - p < 4 || memcmp(d + p, "---", 3) != 0 || (d[p + 3] != '\n' && d[p + 3] != '\r'))
        return 0;
    p += 3;
    p += d[p] == '\r' && p + 1 < n && d[p + 1] == '\n' ? 2 : 1;
    while (p < n) {
        size_t e = p;
        while (e < n && d[e] != '\n')
            e++;
        size_t len = e - p;
        while (len > 0 && d[p + len - 1] == '\r')
            len--;
        if ((len == 3 && (memcmp(d + p, "---", 3) == 0 || memcmp(d + p, "...", 3) == 0)))
            return e < n ? e + 1 : e;
        const char *v;
        size_t vn;
        if ((md_front_value(d + p, len, "title", &v, &vn) &&
             !doc_builder_meta(s->b, DOC_META_TITLE, v, vn)) ||
            (md_front_value(d + p, len, "author", &v, &vn) &&
             !doc_builder_meta(s->b, DOC_META_AUTHOR, v, vn)) ||
            (md_front_value(d + p, len, "lang", &v, &vn) &&
             !doc_builder_meta(s->b, DOC_META_LANG, v, vn))) {
            s->status = ALOUD_ERR_NOMEM;
            return 0;
        }
        p = e + 1;
    }
    return 0; /* never closed: not front matter but a rule and text */
}

/* "2 code blocks, 1 HTML block and 3 images" into buf; empty for none. */
static void md_note(const md_state *s, char *buf, size_t size)
{
    const struct {
        size_t n;
        const char *one, *many;
    } parts[] = {
        {s->code_blocks, "code block", "code blocks"},
        {s->html_blocks, "HTML block", "HTML blocks"},
        {s->images, "image", "images"},
    };
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < 3; i++) {
        if (parts[i].n == 0)
            continue;
        int k = snprintf(buf + used, size - used, "%s%zu %s", used ? ", " : "skipped ",
                         parts[i].n, parts[i].n == 1 ? parts[i].one : parts[i].many);
        if (k < 0 || (size_t)k >= size - used)
            break;
        used += (size_t)k;
    }
}

static aloud_status md_read_copy(doc_builder *b, const char *data, size_t size, aloud_error *err);

aloud_status md_read(doc_builder *b, const char *data, size_t size, aloud_error *err)
{
    aloud_status st = utf8_validate(data, size, err);
    if (st != ALOUD_OK)
        return st;
    if (size > SIZE_MAX - MD_PAD)
        return aloud_error_set(err, ALOUD_ERR_LIMIT, 0, 0, "a Markdown text too large to read");
    char *copy = malloc(size + MD_PAD);
    if (!copy)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    memcpy(copy, data, size);
    memset(copy + size, 0, MD_PAD);
    st = md_read_copy(b, copy, size, err);
    free(copy);
    return st;
}

/* md_read() on `data`, which MD_PAD zero bytes follow. */
static aloud_status md_read_copy(doc_builder *b, const char *data, size_t size, aloud_error *err)
{
    md_state s;
    MD_PARSER parser;
    memset(&s, 0, sizeof s);
    s.b = b;
    s.data = data;
    s.size = size;
    s.status = ALOUD_OK;
    input_pos_init(&s.pos, data, size);
    size_t start = md_front_matter(&s);
    if (s.status != ALOUD_OK)
        return aloud_error_set(err, s.status, 0, 0, "out of memory");
    if (start == 0)
        start = utf8_bom_length(data, size);

    if (size - start > UINT32_MAX)  /* md4c counts in 32 bits */
        return aloud_error_set(err, ALOUD_ERR_LIMIT, 0, 0,
                               "a Markdown text of %zu bytes is more than md4c reads", size);
    memset(&parser, 0, sizeof parser);
    parser.flags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_TASKLISTS;
    parser.enter_block = md_enter_block;
    parser.leave_block = md_leave_block;
    parser.enter_span = md_enter_span;
    parser.leave_span = md_leave_span;
    parser.text = md_text;
    int r = md_parse(data + start, (MD_SIZE)(size - start), &parser, &s);
    if (s.status == ALOUD_ERR_MEDIA)
        return aloud_error_set(err, s.status, 0, 0,
                               "blocks and spans nested more than %u deep", MD_MAX_DEPTH);
    if (s.status != ALOUD_OK || r != 0)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    if (md_block_end(&s) != 0)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    char note[160];
    md_note(&s, note, sizeof note);
    if (!doc_builder_meta(b, DOC_META_NOTE, note, strlen(note)))
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    return ALOUD_OK;
}
