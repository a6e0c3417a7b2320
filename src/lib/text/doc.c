/*
 * doc.c - the document model: paragraphs from lines, the title, byline and
 * headings, chapter titles, and sentences (via seg.c).
 *
 * Reading is one pass over the normalised characters (text_norm.c). The
 * paragraph being read is collected in a scratch buffer, with anchors that
 * map its bytes back to input lines and columns so that each sentence can
 * say where it starts; then it is classified, split into sentences and
 * copied into the document.
 * Memory is proportional to the text; time is linear.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "doc.h"
#include "seg.h"
#include "text_norm.h"
#include "vec.h"

/* Limits of a title or heading: one line of at most this many... */
#define HEADLINE_MAX_CHARS 150u
#define HEADLINE_MAX_WORDS 20u
/* ...and of a byline. */
#define BYLINE_MAX_CHARS 100u
#define BYLINE_MAX_WORDS 12u
/* A body paragraph's chapter title: its first words, within a byte budget. */
#define CHAPTER_WORDS 8u
#define CHAPTER_MAX_BYTES 80u

struct aloud_doc {
    aloud_paragraph *paragraphs;
    size_t paragraph_count;
    aloud_sentence *sentences;
    size_t sentence_count;
    char *strings;       /* every text of the document, NUL-terminated, one block */
    char *spoken;        /* the spoken forms, one block; NULL before aloud_doc_speak */
    aloud_guard_note *notes; /* what the engine guard changed, NULL for nothing */
    size_t note_count;
    const char *title;   /* into strings, or NULL */
    const char *author;  /* into strings, or NULL */
    const char *declared_lang; /* into strings, or NULL: the language the input declares */
    const char *note;    /* into strings, or NULL: what a front end left out */
    const char *encoding; /* static: "UTF-8", "UTF-16LE" or "UTF-16BE" */
    char lang[DOC_LANG_SIZE]; /* read with, or set by doc_set_lang */
    char (*para_langs)[DOC_LANG_SIZE]; /* one per paragraph */
};

/*
 * Where a stretch of the paragraph buffer came from: the character at
 * `offset` is at (line, column) of the input, and each following character
 * up to the next anchor at the next column. A new anchor starts wherever
 * that stops being true (a new line, removed characters, collapsed spaces),
 * so there are few.
 */
typedef struct doc_anchor {
    size_t offset;
    unsigned line;
    unsigned column;
} doc_anchor;

/* Parse state. Texts are offsets into `strings` until the block stops growing. */
struct doc_builder {
    /* The paragraph being read: normalised text and where it came from. */
    char *text;
    size_t length;
    size_t cap;
    doc_anchor *anchors;
    size_t anchor_count;
    size_t anchor_cap;
    unsigned next_line;    /* where the next character continues the last anchor */
    unsigned next_column;
    /* A cursor for doc_position_of(): anchor index, and a byte and its column. */
    size_t cursor;
    size_t cursor_offset;
    unsigned cursor_column;
    unsigned first_line;
    unsigned line_count;  /* lines holding a character */
    bool line_has_char;
    bool pending_space;     /* a space or line end since the last character */
    unsigned space_line;    /* where that space was; line 0 for a line end */
    unsigned space_column;
    bool has_word;

    char *strings;
    size_t strings_length;
    size_t strings_cap;
    aloud_paragraph *paragraphs;
    size_t *chapter_offsets;
    size_t paragraph_count;
    size_t paragraph_cap;
    aloud_sentence *sentences;
    size_t *sentence_offsets;
    size_t sentence_count;
    size_t sentence_cap;
    size_t title_offset;   /* SIZE_MAX when none */
    size_t author_offset;  /* SIZE_MAX when none */
    size_t meta_offsets[DOC_META_COUNT]; /* SIZE_MAX when none */
    /* A front end's blocks: the kind of the block being ended, or -1 to
     * classify it as plain text does; a title paragraph is taken once. */
    int block_kind;
    bool have_title_para;
    /* Chapters: without a mark every paragraph starts one; with, the
     * paragraph after each mark does (titled by the mark), and the first. */
    bool chapters_marked;
    size_t pending_chapter; /* the mark's title for the next paragraph, SIZE_MAX for none */
    char lang[DOC_LANG_SIZE]; /* the language the text is read in */
    seg *seg;
    /* Paragraphs in other languages (doc_builder_paragraph_langs): paragraph
     * p is read in para_langs[p] when it is not NULL, with a segmenter of
     * that language's (one per language, made when first needed). */
    const char *const *para_langs;
    size_t para_lang_count;
    struct doc_other_seg {
        char lang[DOC_LANG_SIZE];
        seg *seg;
    } *other_segs;
    size_t other_seg_count;
    size_t other_seg_cap;
};


/*
 * Appends one character's bytes, from (line, column) of the input, to the
 * paragraph buffer. line 0 marks the space that joins two lines: it has no
 * place of its own in the input and no sentence starts on it.
 */
static bool doc_para_append(doc_builder *b, const char *bytes, size_t n, unsigned line,
                        unsigned column)
{
    if (!vec_reserve(&b->text, &b->cap, b->length + n, 1, 64))
        return false;
    if (line != 0 && (b->anchor_count == 0 || line != b->next_line || column != b->next_column)) {
        doc_anchor *a;
        if (!vec_reserve(&b->anchors, &b->anchor_cap, b->anchor_count + 1, sizeof *b->anchors,
                         64))
            return false;
        a = &b->anchors[b->anchor_count++];
        a->offset = b->length;
        a->line = line;
        a->column = column;
    }
    if (line != 0) {
        b->next_line = line;
        b->next_column = column + 1;
    }
    memcpy(b->text + b->length, bytes, n);
    b->length += n;
    return true;
}

/*
 * The input position of the paragraph byte at `offset`, which starts a
 * character. Offsets must come in increasing order within a paragraph: the
 * cursor only moves forward, so a paragraph costs linear time in all.
 */
static void doc_position_of(doc_builder *b, size_t offset, unsigned *line, unsigned *column)
{
    bool moved = false;
    while (b->cursor + 1 < b->anchor_count && b->anchors[b->cursor + 1].offset <= offset) {
        b->cursor++;
        moved = true;
    }
    if (moved || b->cursor_column == 0 || b->cursor_offset > offset) {
        b->cursor_offset = b->anchors[b->cursor].offset;
        b->cursor_column = b->anchors[b->cursor].column;
    }
    for (; b->cursor_offset < offset; b->cursor_offset++)
        b->cursor_column += ((unsigned char)b->text[b->cursor_offset] & 0xC0u) != 0x80u;
    *line = b->anchors[b->cursor].line;
    *column = b->cursor_column;
}

/*
 * Copies text[0..n), then suffix (a C string, may be empty), then a NUL
 * into the string block; *offset says where.
 */
static bool doc_strings_add_with(doc_builder *b, const char *text, size_t n, const char *suffix,
                             size_t *offset)
{
    size_t k = strlen(suffix);
    if (n > SIZE_MAX - b->strings_length - k - 1 ||
        !vec_reserve(&b->strings, &b->strings_cap, b->strings_length + n + k + 1, 1, 64))
        return false;
    *offset = b->strings_length;
    if (n)
        memcpy(b->strings + b->strings_length, text, n);
    memcpy(b->strings + b->strings_length + n, suffix, k + 1);
    b->strings_length += n + k + 1;
    return true;
}

static bool doc_strings_add(doc_builder *b, const char *text, size_t n, size_t *offset)
{
    return doc_strings_add_with(b, text, n, "", offset);
}

/* Adds the sentence text[start..end) of the current paragraph. */
static bool doc_sentence_add(doc_builder *b, size_t start, size_t end)
{
    aloud_sentence *s;
    size_t cap_sentences = b->sentence_cap;
    size_t cap_offsets = b->sentence_cap;
    size_t offset;
    if (!vec_reserve(&b->sentences, &cap_sentences, b->sentence_count + 1, sizeof *b->sentences,
                     64) ||
        !vec_reserve(&b->sentence_offsets, &cap_offsets, b->sentence_count + 1,
                     sizeof *b->sentence_offsets, 64))
        return false;
    b->sentence_cap = cap_sentences;
    if (!doc_strings_add(b, b->text + start, end - start, &offset))
        return false;
    s = &b->sentences[b->sentence_count];
    s->text = NULL;
    s->spoken = NULL;
    s->length = end - start;
    doc_position_of(b, start, &s->line, &s->column);
    b->sentence_offsets[b->sentence_count++] = offset;
    return true;
}

/* ------------------------------------------------------------ classification */

static size_t doc_count_chars(const char *text, size_t n)
{
    size_t chars = 0;
    for (size_t i = 0; i < n; i++)
        chars += ((unsigned char)text[i] & 0xC0u) != 0x80u;
    return chars;
}

static size_t doc_count_words(const char *text, size_t n)
{
    size_t words = 0;
    for (size_t i = 0; i < n; i++)
        words += text[i] != ' ' && (i == 0 || text[i - 1] == ' ');
    return words;
}

static bool doc_is_closing_mark(uint32_t cp)
{
    switch (cp) {
    case '"': case '\'': case ')': case ']': case '}': case 0x2019: case 0x201D: case 0xBB:
    case 0x203A: case 0x300D: case 0x300F: case 0x3011: case 0x300B: case 0x3009: case 0xFF09:
    case 0x201C: case 0xAB:
        return true;
    default:
        return false;
    }
}

static bool doc_is_final_punctuation(uint32_t cp)
{
    switch (cp) {
    case '.': case '!': case '?': case ':': case ';': case ',': case 0x2026: case 0x203D:
    /* Full-width forms (。！？．，；：、) and the dandas. */
    case 0x3002: case 0xFF01: case 0xFF1F: case 0xFF0E: case 0xFF61: case 0xFF0C: case 0xFF1B:
    case 0xFF1A: case 0x3001: case 0x0964: case 0x0965:
        return true;
    default:
        return false;
    }
}

/* One short line without final punctuation (closing quotes aside). */
static bool doc_is_headline(const char *text, size_t n, unsigned line_count)
{
    size_t p = n;
    size_t start;
    uint32_t cp = 0;
    if (line_count != 1 || doc_count_chars(text, n) > HEADLINE_MAX_CHARS ||
        doc_count_words(text, n) > HEADLINE_MAX_WORDS)
        return false;
    while (p > 0) {
        cp = utf8_before(text, p, &start);
        if (!doc_is_closing_mark(cp))
            break;
        p = start;
    }
    return p > 0 && !doc_is_final_punctuation(cp);
}

/* Lower-case words allowed inside a name ("Ludwig van Beethoven"). */
static const char *const name_particles[] = {
    "al", "bin", "da", "de", "del", "della", "der", "di", "du", "el", "ibn", "la", "le",
    "van", "von", "y", "dos", "das", "ten", "ter",
};

/* Capitalised words that begin phrases, never names ("By The River"). */
static const char *const not_names[] = {
    "A", "An", "The", "This", "That", "These", "Those", "Monday", "Tuesday", "Wednesday",
    "Thursday", "Friday", "Saturday", "Sunday", "Today", "Tomorrow", "Tonight", "Now", "Then",
    "Far", "Way", "All", "Any", "Some", "Our", "Your", "My", "His", "Her", "Their", "Its",
};

static bool doc_word_in(const char *w, size_t n, const char *const *list, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (strlen(list[i]) == n && memcmp(list[i], w, n) == 0)
            return true;
    return false;
}

/* Words of a name that end in a period, other than initials. */
static const char *const name_short_forms[] = {
    "Jr.", "Sr.", "St.", "Dr.", "Mr.", "Mrs.", "Ms.", "Prof.", "Rev.",
};

/* Initials: single letters, each followed by a period ("J.", "J.R.R."). */
static bool doc_is_initials(const char *w, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        i += utf8_decode(w + i, n - i, &cp);
        if (!utf8_is_word_char(cp) || i >= n || w[i] != '.')
            return false;
        i++;
    }
    return n > 0;
}

/* A capitalised word of letters, apostrophes, hyphens and periods ("O'Brien", "J.R.R."). */
static bool doc_is_name_word(const char *w, size_t n)
{
    uint32_t cp;
    size_t i = utf8_decode(w, n, &cp);
    if (utf8_case_of(cp) != UTF8_CASE_UPPER)
        return false;
    while (i < n) {
        size_t len = utf8_decode(w + i, n - i, &cp);
        if (!utf8_is_word_char(cp) && cp != '\'' && cp != 0x2019 && cp != '-' && cp != '.')
            return false;
        if (ascii_is_digit(cp))
            return false;
        i += len;
    }
    return true;
}

/*
 * True when text[p..n) is a list of names: capitalised words, particles
 * inside, joined by "and", "&" or commas ("Dave DeCamp", "Ana de Souza and
 * Li Wei"). Ends in a name word; only initials and short forms such as
 * "Jr." may end in a period.
 */
static bool doc_is_name_list(const char *text, size_t p, size_t n)
{
    size_t words = 0;
    bool need_name = true;  /* a connector or the start wants a name next */
    bool last_was_name = false;

    while (p < n) {
        size_t start = p;
        size_t end;
        bool comma = false;
        while (p < n && text[p] != ' ')
            p++;
        end = p;
        while (p < n && text[p] == ' ')
            p++;
        if (end > start && text[end - 1] == ',') {
            comma = true;
            end--;
        }
        if (end == start || ++words > BYLINE_MAX_WORDS)
            return false;
        if ((end - start == 3 && memcmp(text + start, "and", 3) == 0) ||
            (end - start == 1 && text[start] == '&')) {
            if (need_name || comma)
                return false;
            need_name = true;
            last_was_name = false;
            continue;
        }
        if (doc_word_in(text + start, end - start, name_particles,
                    sizeof name_particles / sizeof name_particles[0])) {
            if (need_name)
                return false;
            last_was_name = false;
        } else if (doc_is_name_word(text + start, end - start)) {
            if (need_name && doc_word_in(text + start, end - start, not_names,
                                     sizeof not_names / sizeof not_names[0]))
                return false;
            if (text[end - 1] == '.' && !doc_is_initials(text + start, end - start) &&
                !doc_word_in(text + start, end - start, name_short_forms,
                         sizeof name_short_forms / sizeof name_short_forms[0]))
                return false;
            last_was_name = true;
            need_name = false;
        } else {
            return false;
        }
        if (comma) {
            if (!last_was_name)
                return false;
            need_name = true;
        }
    }
    return words > 0 && last_was_name && !need_name;
}

/* Byline openings, matched without regard to case; each is followed by a space. */
static const char *const byline_prefixes[] = {
    "by:", "by", "written by", "words by", "story by", "text by", "reported by",
    "reporting by", "posted by", "author:", "authors:", "byline:", "written by:",
};

static bool doc_prefix_matches(const char *text, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    if (n <= k || text[k] != ' ')
        return false;
    for (size_t i = 0; i < k; i++)
        if ((text[i] | 0x20) != prefix[i] && text[i] != prefix[i])
            return false;
    return true;
}

/*
 * A one-line byline: "By NAME", "Author: NAME", "Written by NAME and NAME".
 * On success *name is where NAME starts (it runs to the end of the text).
 */
static bool doc_is_byline(const char *text, size_t n, unsigned line_count, size_t *name)
{
    if (line_count != 1 || doc_count_chars(text, n) > BYLINE_MAX_CHARS)
        return false;
    for (size_t i = 0; i < sizeof byline_prefixes / sizeof byline_prefixes[0]; i++) {
        if (doc_prefix_matches(text, n, byline_prefixes[i])) {
            size_t p = strlen(byline_prefixes[i]) + 1;
            if (doc_is_name_list(text, p, n)) {
                *name = p;
                return true;
            }
        }
    }
    return false;
}

/* --------------------------------------------------------- chapter titles */

/* Marks stripped before the "…" of a cut title: clause marks, dashes, openers. */
static bool doc_strip_before_ellipsis(uint32_t cp)
{
    switch (cp) {
    case ',': case ';': case ':': case '.': case '-': case '/': case '(': case '[': case '{':
    case 0x2013: case 0x2014: case 0x2026: case 0x201C: case 0x2018: case 0xAB:
        return true;
    default:
        return false;
    }
}

/* Adds the chapter title of a body paragraph: its first words, "…" when cut. */
static bool doc_chapter_title_add(doc_builder *b, size_t *offset)
{
    const char *text = b->text;
    size_t n = b->length;
    size_t end = 0;
    size_t words = 0;
    bool cut;
    size_t start;

    /* The end of the CHAPTER_WORDS-th word, or the last one within budget. */
    for (size_t p = 0; p < n && words < CHAPTER_WORDS;) {
        size_t q = p;
        while (q < n && text[q] != ' ')
            q++;
        if (q > CHAPTER_MAX_BYTES)
            break;
        end = q;
        words++;
        p = q + 1;
    }
    if (end == 0) {
        /* One long first word: cut between two characters. */
        end = CHAPTER_MAX_BYTES < n ? CHAPTER_MAX_BYTES : n;
        while (end > 0 && end < n && ((unsigned char)text[end] & 0xC0u) == 0x80u)
            end--;
    }
    cut = end < n;
    if (!cut)
        return doc_strings_add(b, text, n, offset);
    for (size_t p = end; p > 0;) {
        uint32_t cp = utf8_before(text, p, &start);
        if (!doc_strip_before_ellipsis(cp) && cp != ' ')
            break;
        p = start;
        if (p > 0)
            end = p;
    }
    return doc_strings_add_with(b, text, end, "\xE2\x80\xA6", offset);
}

/* ---------------------------------------------------------------- paragraphs */

/* The paragraph's own language: para_langs' entry, else the text's. */
static const char *doc_paragraph_lang(const doc_builder *b)
{
    size_t p = b->paragraph_count;
    return p < b->para_lang_count && b->para_langs[p] ? b->para_langs[p] : b->lang;
}

/* The segmenter for the paragraph being added: the text's, or one of its
 * own language's when that has other data. NULL when out of memory. */
static seg *doc_paragraph_seg(doc_builder *b)
{
    const char *lang = doc_paragraph_lang(b);
    const char *data = seg_lang_pick(lang), *own = seg_lang_pick(b->lang);
    if (lang == b->lang || (data && own && strcmp(data, own) == 0) || (!data && !own))
        return b->seg;
    for (size_t i = 0; i < b->other_seg_count; i++) {
        if (strcmp(b->other_segs[i].lang, lang) == 0)
            return b->other_segs[i].seg;
    }
    if (!vec_reserve(&b->other_segs, &b->other_seg_cap, b->other_seg_count + 1,
                     sizeof *b->other_segs, 4))
        return NULL;
    struct doc_other_seg *o = &b->other_segs[b->other_seg_count];
    if (seg_create(lang, SEG_DEFAULT_MAX_CHARS, &o->seg, NULL) != ALOUD_OK)
        return NULL;
    snprintf(o->lang, sizeof o->lang, "%s", lang);
    b->other_seg_count++;
    return o->seg;
}

/* Adds the paragraph in the buffer (which holds a word) to the document. */
static aloud_status doc_paragraph_add(doc_builder *b)
{
    aloud_paragraph *para;
    size_t cap_paras = b->paragraph_cap;
    size_t cap_offsets = b->paragraph_cap;
    size_t name = 0;
    size_t chapter;
    const seg_span *spans = NULL;
    size_t count = 0;
    aloud_para_kind kind = ALOUD_PARA_BODY;

    if (!vec_reserve(&b->paragraphs, &cap_paras, b->paragraph_count + 1, sizeof *b->paragraphs,
                     64) ||
        !vec_reserve(&b->chapter_offsets, &cap_offsets, b->paragraph_count + 1,
                     sizeof *b->chapter_offsets, 64))
        return ALOUD_ERR_NOMEM;
    b->paragraph_cap = cap_paras;

    /* A front end's heading is one line however it was written; a long one
     * is read as a body paragraph, cut into sentences. */
    bool short_line = doc_count_chars(b->text, b->length) <= HEADLINE_MAX_CHARS &&
                      doc_count_words(b->text, b->length) <= HEADLINE_MAX_WORDS;
    if (b->block_kind >= 0 && b->block_kind != DOC_BLOCK_BODY && short_line) {
        kind = b->block_kind == DOC_BLOCK_TITLE && !b->have_title_para &&
                       b->paragraph_count == 0
                   ? ALOUD_PARA_TITLE
                   : ALOUD_PARA_HEADING;
    } else if (b->block_kind <= DOC_BLOCK_BODY &&
               doc_is_byline(b->text, b->length, b->block_kind < 0 ? b->line_count : 1,
                             &name)) {
        kind = ALOUD_PARA_BYLINE;
    } else {
        seg *sg = doc_paragraph_seg(b);
        if (!sg || seg_split(sg, b->text, b->length, &spans, &count) != ALOUD_OK)
            return ALOUD_ERR_NOMEM;
        /* A heading is one sentence: list items run into one line are a list. */
        if (b->block_kind < 0 && count == 1 &&
            doc_is_headline(b->text, b->length, b->line_count))
            kind = b->paragraph_count == 0 ? ALOUD_PARA_TITLE : ALOUD_PARA_HEADING;
    }
    if (kind == ALOUD_PARA_TITLE)
        b->have_title_para = true;

    para = &b->paragraphs[b->paragraph_count];
    para->kind = kind;
    para->chapter_title = NULL;
    para->first_sentence = b->sentence_count;
    para->lang = NULL;
    para->line = b->first_line;

    if (kind == ALOUD_PARA_BODY) {
        for (size_t i = 0; i < count; i++)
            if (!doc_sentence_add(b, spans[i].start, spans[i].end))
                return ALOUD_ERR_NOMEM;
        if (!doc_chapter_title_add(b, &chapter))
            return ALOUD_ERR_NOMEM;
    } else {
        /* A title, heading or byline is short: one sentence, and its own chapter title. */
        if (!doc_sentence_add(b, 0, b->length))
            return ALOUD_ERR_NOMEM;
        chapter = b->sentence_offsets[b->sentence_count - 1];
    }
    para->sentence_count = b->sentence_count - para->first_sentence;
    para->starts_chapter = !b->chapters_marked || b->pending_chapter != SIZE_MAX ||
                           b->paragraph_count == 0;
    if (b->pending_chapter != SIZE_MAX) {
        chapter = b->pending_chapter;
        b->pending_chapter = SIZE_MAX;
    }
    b->chapter_offsets[b->paragraph_count] = chapter;
    if (kind == ALOUD_PARA_TITLE)
        b->title_offset = chapter;
    if (kind == ALOUD_PARA_BYLINE && b->author_offset == SIZE_MAX &&
        !doc_strings_add(b, b->text + name, b->length - name, &b->author_offset))
        return ALOUD_ERR_NOMEM;
    b->paragraph_count++;
    return ALOUD_OK;
}

/* Ends the paragraph being read: kept when it holds a word, else dropped. */
static aloud_status doc_paragraph_end(doc_builder *b)
{
    aloud_status st = ALOUD_OK;
    if (b->line_has_char) {
        b->line_count++;
        b->line_has_char = false;
    }
    if (b->length > 0 && b->has_word)
        st = doc_paragraph_add(b);
    b->length = 0;
    b->anchor_count = 0;
    b->cursor = 0;
    b->cursor_offset = 0;
    b->cursor_column = 0;
    b->line_count = 0;
    b->pending_space = false;
    b->has_word = false;
    return st;
}

/* Adds one kept character; a pending space becomes one ' ' between words. */
static bool doc_paragraph_char(doc_builder *b, const text_item *item)
{
    if (b->length == 0) {
        b->first_line = item->line;
    } else if (b->pending_space &&
               !doc_para_append(b, " ", 1, b->space_line, b->space_column)) {
        return false;
    }
    b->pending_space = false;
    b->line_has_char = true;
    if (!b->has_word && utf8_is_word_char(item->cp))
        b->has_word = true;
    return doc_para_append(b, item->bytes, item->length, item->line, item->column);
}

/* Reads the validated input into paragraphs and sentences. */
static aloud_status doc_read(doc_builder *b, const char *data, size_t size)
{
    text_reader reader;
    text_item item;

    text_reader_init(&reader, data, size);
    for (;;) {
        aloud_status st = ALOUD_OK;
        switch (text_reader_next(&reader, &item)) {
        case TEXT_ITEM_CHAR:
            if (!doc_paragraph_char(b, &item))
                return ALOUD_ERR_NOMEM;
            break;
        case TEXT_ITEM_SPACE:
            if (!b->pending_space) {
                b->pending_space = true;
                b->space_line = item.line;
                b->space_column = item.column;
            }
            break;
        case TEXT_ITEM_LINE:
            /* A line without characters is blank and ends the paragraph. */
            if (b->line_has_char) {
                b->line_count++;
                b->line_has_char = false;
                if (!b->pending_space) {
                    b->pending_space = true;
                    b->space_line = 0;
                    b->space_column = 0;
                }
            } else {
                st = doc_paragraph_end(b);
            }
            break;
        case TEXT_ITEM_PARA:
            st = doc_paragraph_end(b);
            break;
        case TEXT_ITEM_END:
            return doc_paragraph_end(b);
        }
        if (st != ALOUD_OK)
            return st;
    }
}

static void doc_builder_release(doc_builder *b)
{
    free(b->text);
    free(b->anchors);
    free(b->strings);
    free(b->paragraphs);
    free(b->chapter_offsets);
    free(b->sentences);
    free(b->sentence_offsets);
    seg_free(b->seg);
    for (size_t i = 0; i < b->other_seg_count; i++)
        seg_free(b->other_segs[i].seg);
    free(b->other_segs);
}

/* Moves the results into a document and turns offsets into pointers. */
static aloud_doc *doc_finish(doc_builder *b)
{
    aloud_doc *doc = calloc(1, sizeof *doc);
    if (!doc)
        return NULL;
    doc->strings = b->strings;
    doc->paragraphs = b->paragraphs;
    doc->paragraph_count = b->paragraph_count;
    doc->sentences = b->sentences;
    doc->sentence_count = b->sentence_count;
    for (size_t i = 0; i < doc->paragraph_count; i++)
        doc->paragraphs[i].chapter_title = doc->strings + b->chapter_offsets[i];
    for (size_t i = 0; i < doc->sentence_count; i++) {
        doc->sentences[i].text = doc->strings + b->sentence_offsets[i];
        doc->sentences[i].spoken = doc->sentences[i].text;
    }
    /* What the input's metadata says wins over what the text looks like. */
    if (b->meta_offsets[DOC_META_TITLE] != SIZE_MAX)
        b->title_offset = b->meta_offsets[DOC_META_TITLE];
    if (b->meta_offsets[DOC_META_AUTHOR] != SIZE_MAX)
        b->author_offset = b->meta_offsets[DOC_META_AUTHOR];
    doc->title = b->title_offset == SIZE_MAX ? NULL : doc->strings + b->title_offset;
    doc->author = b->author_offset == SIZE_MAX ? NULL : doc->strings + b->author_offset;
    doc->declared_lang = b->meta_offsets[DOC_META_LANG] == SIZE_MAX
                    ? NULL
                    : doc->strings + b->meta_offsets[DOC_META_LANG];
    doc->note = b->meta_offsets[DOC_META_NOTE] == SIZE_MAX
                    ? NULL
                    : doc->strings + b->meta_offsets[DOC_META_NOTE];
    doc->encoding = "UTF-8";
    b->strings = NULL;
    b->paragraphs = NULL;
    b->sentences = NULL;
    return doc;
}

/* An empty builder for text in `lang` (NULL or "" for English). */
static aloud_status doc_builder_init(doc_builder *b, const char *lang, aloud_error *err)
{
    memset(b, 0, sizeof *b);
    if (!lang || !lang[0])
        lang = "en";
    if (strlen(lang) >= DOC_LANG_SIZE)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "language code too long: %.20s...", lang);
    memcpy(b->lang, lang, strlen(lang) + 1);
    b->title_offset = SIZE_MAX;
    b->author_offset = SIZE_MAX;
    for (size_t i = 0; i < DOC_META_COUNT; i++)
        b->meta_offsets[i] = SIZE_MAX;
    b->block_kind = -1;
    b->pending_chapter = SIZE_MAX;
    return seg_create(b->lang, SEG_DEFAULT_MAX_CHARS, &b->seg, err);
}

/* ------------------------------------------------------ the front ends' seam */

doc_builder *doc_builder_create(const char *lang)
{
    doc_builder *b = malloc(sizeof *b);
    if (b && doc_builder_init(b, lang, NULL) != ALOUD_OK) {
        doc_builder_release(b);
        free(b);
        return NULL;
    }
    return b;
}

void doc_builder_free(doc_builder *b)
{
    if (!b)
        return;
    doc_builder_release(b);
    free(b);
}

bool doc_builder_text(doc_builder *b, const char *text, size_t n, unsigned line, unsigned column)
{
    text_item item;
    if (line == 0)
        line = 1;
    if (column == 0)
        column = 1;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t len = utf8_next(text + i, n - i, &cp);
        if (len == 0) {
            /* Not UTF-8: the front end converts what it knows; a stray byte is skipped. */
            i++;
            column++;
            continue;
        }
        switch (text_classify(cp)) {
        case TEXT_KEEP:
            item = (text_item){TEXT_ITEM_CHAR, cp, text + i, len, line, column};
            if (!doc_paragraph_char(b, &item))
                return false;
            break;
        case TEXT_SPACE:
        case TEXT_LINE:
        case TEXT_PARA:
            if (b->length > 0 && !b->pending_space) {
                b->pending_space = true;
                b->space_line = line;
                b->space_column = column;
            }
            break;
        case TEXT_DROP:
            break;
        }
        if (cp == '\n') {
            line++;
            column = 1;
        } else {
            column++;
        }
        i += len;
    }
    return true;
}

void doc_builder_space(doc_builder *b)
{
    if (b->length > 0 && !b->pending_space) {
        b->pending_space = true;
        b->space_line = 0;
        b->space_column = 0;
    }
}

aloud_status doc_builder_end(doc_builder *b, doc_block kind)
{
    aloud_status st;
    b->block_kind = (int)kind;
    b->line_has_char = false;
    b->line_count = 1;
    if (b->length > 0 && b->has_word)
        st = doc_paragraph_add(b);
    else
        st = ALOUD_OK;
    b->block_kind = -1;
    b->length = 0;
    b->anchor_count = 0;
    b->cursor = 0;
    b->cursor_offset = 0;
    b->cursor_column = 0;
    b->line_count = 0;
    b->pending_space = false;
    b->has_word = false;
    return st;
}

void doc_builder_drop(doc_builder *b)
{
    b->length = 0;
    b->anchor_count = 0;
    b->cursor = 0;
    b->cursor_offset = 0;
    b->cursor_column = 0;
    b->line_count = 0;
    b->line_has_char = false;
    b->pending_space = false;
    b->has_word = false;
}

bool doc_builder_meta(doc_builder *b, doc_meta which, const char *text, size_t n)
{
    /* Kept as one normalised line: spaces collapsed, controls dropped. */
    size_t offset, end;
    bool space = false;
    if (which >= DOC_META_COUNT || !doc_strings_add(b, "", 0, &offset))
        return false;
    end = offset;
    b->strings_length = offset;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t len = utf8_next(text + i, n - i, &cp);
        if (len == 0) {
            i++;
            continue;
        }
        text_class cls = text_classify(cp);
        if (cls == TEXT_KEEP) {
            if (space && end > offset) {
                if (!vec_reserve(&b->strings, &b->strings_cap, end + 2, 1, 64))
                    return false;
                b->strings[end++] = ' ';
            }
            space = false;
            if (!vec_reserve(&b->strings, &b->strings_cap, end + len + 1, 1, 64))
                return false;
            memcpy(b->strings + end, text + i, len);
            end += len;
        } else if (cls != TEXT_DROP) {
            space = true;
        }
        i += len;
    }
    if (!vec_reserve(&b->strings, &b->strings_cap, end + 1, 1, 64))
        return false;
    b->strings[end] = '\0';
    b->strings_length = end + 1;
    if (end > offset)
        b->meta_offsets[which] = offset;
    else
        b->strings_length = offset; /* nothing but spaces: no value */
    return true;
}

bool doc_builder_chapter(doc_builder *b, const char *title, size_t n)
{
    size_t before = b->meta_offsets[DOC_META_NOTE];
    /* Normalised as metadata is, then kept aside for the next paragraph. */
    if (!doc_builder_meta(b, DOC_META_NOTE, title, n))
        return false;
    if (b->meta_offsets[DOC_META_NOTE] != before) {
        b->pending_chapter = b->meta_offsets[DOC_META_NOTE];
        b->meta_offsets[DOC_META_NOTE] = before;
        b->chapters_marked = true;
    }
    return true;
}

bool doc_builder_has_meta(const doc_builder *b, doc_meta which)
{
    return which < DOC_META_COUNT && b->meta_offsets[which] != SIZE_MAX;
}

size_t doc_builder_paragraph_count(const doc_builder *b)
{
    return b->paragraph_count;
}

bool doc_builder_paragraph_langs(doc_builder *b, const char *const *langs, size_t count)
{
    for (size_t p = 0; langs && p < count; p++) {
        if (langs[p] && (langs[p][0] == '\0' || strlen(langs[p]) >= DOC_LANG_SIZE))
            return false;
    }
    b->para_langs = langs;
    b->para_lang_count = langs ? count : 0;
    return true;
}

aloud_status doc_builder_finish(doc_builder *b, aloud_doc **out, aloud_error *err)
{
    aloud_status st = ALOUD_OK;
    const char **langs = NULL;
    *out = NULL;
    if (b->paragraph_count == 0)
        st = aloud_error_set(err, ALOUD_ERR_EMPTY, 0, 0, "no words to read");
    else if (b->para_lang_count > 0 && !(langs = calloc(b->paragraph_count, sizeof *langs)))
        st = aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    else if (!(*out = doc_finish(b)))
        st = aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    /* Every paragraph is in the language it was read in until
     * aloud_doc_set_lang() says otherwise. */
    else {
        for (size_t p = 0; langs && p < b->paragraph_count && p < b->para_lang_count; p++)
            langs[p] = b->para_langs[p];
        if (doc_set_lang(*out, b->lang, langs) != ALOUD_OK) {
            aloud_doc_free(*out);
            *out = NULL;
            st = aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
        }
    }
    free(langs);
    doc_builder_release(b);
    memset(b, 0, sizeof *b);
    return st;
}

/* Parses a UTF-16 text (with its BOM) through a UTF-8 copy: positions in
 * characters are the same in both. */
static aloud_status doc_parse_utf16(const char *data, size_t size, const aloud_doc_opts *opts,
                                    aloud_doc **out, aloud_error *err)
{
    utf16_order order = utf16_bom(data, size);
    char *utf8 = malloc(size / 2 * 3 + 1);
    size_t len = 0;
    aloud_status st;

    if (!utf8)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    st = utf16_to_utf8(data, size, utf8, &len, err);
    if (st == ALOUD_OK)
        st = aloud_doc_parse_opts(utf8, len, opts, out, err);
    if (st == ALOUD_OK)
        (*out)->encoding = order == UTF16_LE ? "UTF-16LE" : "UTF-16BE";
    free(utf8);
    return st;
}

aloud_status aloud_doc_parse(const char *data, size_t size, aloud_doc **out, aloud_error *err)
{
    return aloud_doc_parse_opts(data, size, NULL, out, err);
}

aloud_status aloud_doc_parse_opts(const char *data, size_t size, const aloud_doc_opts *opts,
                                  aloud_doc **out, aloud_error *err)
{
    doc_builder b;
    aloud_status st;
    const char *lang = opts && opts->lang && opts->lang[0] ? opts->lang : "en";

    if (!out)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no place for the document");
    *out = NULL;
    if (!data && size > 0)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no input buffer");
    if (!data)
        data = "";
    if (utf16_bom(data, size) != UTF16_NONE)
        return doc_parse_utf16(data, size, opts, out, err);
    st = utf8_validate(data, size, err);
    if (st != ALOUD_OK)
        return st;

    st = doc_builder_init(&b, lang, err);
    if (st == ALOUD_OK && opts &&
        !doc_builder_paragraph_langs(&b, opts->paragraph_langs, opts->paragraph_lang_count))
        st = aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "a paragraph's language code is empty "
                                                       "or too long");
    if (st == ALOUD_OK)
        st = doc_read(&b, data, size);
    if (st == ALOUD_ERR_NOMEM)
        aloud_error_set(err, st, 0, 0, "out of memory");
    if (st == ALOUD_OK)
        return doc_builder_finish(&b, out, err);
    doc_builder_release(&b);
    return st;
}

void aloud_doc_free(aloud_doc *doc)
{
    if (!doc)
        return;
    free(doc->paragraphs);
    free(doc->sentences);
    free(doc->strings);
    free(doc->spoken);
    free(doc->notes);
    free(doc->para_langs);
    free(doc);
}

aloud_status doc_set_lang(aloud_doc *doc, const char *lang, const char *const *para_langs)
{
    if (!lang || lang[0] == '\0' || strlen(lang) >= DOC_LANG_SIZE)
        return ALOUD_ERR_ARG;
    for (size_t p = 0; para_langs && p < doc->paragraph_count; p++) {
        if (para_langs[p] && (para_langs[p][0] == '\0' || strlen(para_langs[p]) >= DOC_LANG_SIZE))
            return ALOUD_ERR_ARG;
    }
    char(*langs)[DOC_LANG_SIZE] = calloc(doc->paragraph_count ? doc->paragraph_count : 1,
                                         sizeof *langs);
    if (!langs)
        return ALOUD_ERR_NOMEM;
    free(doc->para_langs);
    doc->para_langs = langs;
    snprintf(doc->lang, sizeof doc->lang, "%s", lang);
    for (size_t p = 0; p < doc->paragraph_count; p++) {
        const char *own = para_langs && para_langs[p] ? para_langs[p] : lang;
        snprintf(langs[p], sizeof langs[p], "%s", own);
        doc->paragraphs[p].lang = langs[p];
    }
    return ALOUD_OK;
}

void doc_set_spoken(aloud_doc *doc, char *block, const size_t *offsets, aloud_guard_note *notes,
                    size_t note_count)
{
    free(doc->spoken);
    doc->spoken = block;
    free(doc->notes);
    doc->notes = notes;
    doc->note_count = note_count;
    for (size_t i = 0; i < doc->sentence_count; i++)
        doc->sentences[i].spoken = block + offsets[i];
}

size_t aloud_doc_guard_notes(const aloud_doc *doc, const aloud_guard_note **notes)
{
    if (notes)
        *notes = doc ? doc->notes : NULL;
    return doc ? doc->note_count : 0;
}

size_t aloud_doc_paragraph_count(const aloud_doc *doc)
{
    return doc ? doc->paragraph_count : 0;
}

const aloud_paragraph *aloud_doc_paragraph(const aloud_doc *doc, size_t index)
{
    return doc && index < doc->paragraph_count ? &doc->paragraphs[index] : NULL;
}

size_t aloud_doc_sentence_count(const aloud_doc *doc)
{
    return doc ? doc->sentence_count : 0;
}

const aloud_sentence *aloud_doc_sentence(const aloud_doc *doc, size_t index)
{
    return doc && index < doc->sentence_count ? &doc->sentences[index] : NULL;
}

const char *aloud_doc_encoding(const aloud_doc *doc)
{
    return doc ? doc->encoding : NULL;
}

const char *aloud_doc_title(const aloud_doc *doc)
{
    return doc ? doc->title : NULL;
}

const char *aloud_doc_author(const aloud_doc *doc)
{
    return doc ? doc->author : NULL;
}

const char *aloud_doc_lang(const aloud_doc *doc)
{
    return doc ? doc->lang : NULL;
}

const char *aloud_doc_declared_lang(const aloud_doc *doc)
{
    return doc ? doc->declared_lang : NULL;
}

const char *aloud_doc_input_note(const aloud_doc *doc)
{
    return doc ? doc->note : NULL;
}
