/*
 * seg.c - the rule-based sentence segmenter.
 *
 * One pass over the space-separated tokens of a paragraph. At each token
 * that ends in end marks (. ! ? … and their runs), together with the
 * punctuation-only tokens after it (closing quotes, spaced ellipses,
 * citation marks "[1]"), the rules look at the word before the marks and
 * at the next word and decide whether a sentence ends there. Words and
 * marks come from the language data (lang/NAME.abbrev, the format at the top
 * of lang/en.abbrev); the rules are the same for every language. Inside a
 * token, text written without spaces ends a sentence after a full-width
 * end mark or a danda (seg_wide_cut).
 */
#include "seg.h"
#include "vec.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "utf8.h"

/* ------------------------------------------------------------ language data */

enum {
    KIND_TITLE = 1u << 0,
    KIND_ABBREV = 1u << 1,
    KIND_NUMBER = 1u << 2,
    KIND_UNIT = 1u << 3,
    KIND_LEAD = 1u << 4,
    KIND_STARTER = 1u << 5,
    KIND_CONTINUER = 1u << 6,
    KIND_FINAL = 1u << 7,
    KIND_ORDINAL = 1u << 8,
    KIND_ORDLEAD = 1u << 9,
    KIND_BANG = 1u << 10,
    KIND_INFORMAL = 1u << 11,
    KIND_UNFINISHED = 1u << 15,
    KIND_GREETING = 1u << 16,
    KIND_SPEECH = 1u << 17,
    /* Marks rather than words: kept in their own short lists. */
    KIND_OPEN = 1u << 12,
    KIND_CLOSE = 1u << 13,
    KIND_DASH = 1u << 14
};

static const struct {
    const char *name;
    unsigned bit;
} kind_names[] = {
    {"title", KIND_TITLE},     {"abbrev", KIND_ABBREV},     {"number", KIND_NUMBER},
    {"unit", KIND_UNIT},       {"lead", KIND_LEAD},         {"starter", KIND_STARTER},
    {"continuer", KIND_CONTINUER}, {"final", KIND_FINAL},   {"ordinal", KIND_ORDINAL},
    {"ordlead", KIND_ORDLEAD}, {"bang", KIND_BANG},         {"informal", KIND_INFORMAL}, {"unfinished", KIND_UNFINISHED},
    {"greeting", KIND_GREETING}, {"speech", KIND_SPEECH},
    {"open", KIND_OPEN},       {"close", KIND_CLOSE},       {"dash", KIND_DASH},
};

#define KIND_MARKS (KIND_OPEN | KIND_CLOSE | KIND_DASH)
/* Marks of one kind a language may list (open, close, dash). */
#define MARKS_MAX 12u

#define WORD_MAX 63u

typedef struct seg_word {
    const char *text;  /* points into seg.rules, not NUL-terminated */
    size_t length;
    unsigned kinds;
    bool lower;        /* all lower case: also matches capitalised */
} seg_word;

typedef struct seg_tok {
    size_t start;
    size_t end;
} seg_tok;

/* A growable array of T; the scratch space a segmenter reuses per call. */
#define SEG_VEC(T) struct { T *items; size_t count; size_t cap; }

/* The marks of one kind: opening quotes, closing quotes or dialogue dashes. */
typedef struct seg_marks {
    seg_word items[MARKS_MAX];
    size_t count;
} seg_marks;

struct seg {
    char *rules;        /* owned copy of the rules text */
    seg_word *words;    /* sorted by bytes, then length */
    size_t word_count;
    size_t word_cap;
    seg_marks open;     /* the language's opening quotes ("„", ",,") */
    seg_marks close;    /* its closing quotes ("“", "''") */
    seg_marks dash;     /* its dialogue dashes ("–", "-") */
    seg_marks endings;  /* word endings with their kinds ("-str": "Hauptstr.") */
    bool has_informal;  /* the data lists informal words: the language is written informally */
    size_t max_chars;
    SEG_VEC(seg_tok) toks;
    SEG_VEC(unsigned char) flags;  /* per byte: matched bracket marks */
    SEG_VEC(size_t) stack;
    SEG_VEC(seg_span) raw;         /* sentences before the length cap */
    SEG_VEC(seg_span) spans;
};


#define VEC_RESERVE(v, need) \
    vec_reserve(&(v).items, &(v).cap, (need), sizeof *(v).items, 16)

static int seg_word_compare(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    if (c != 0)
        return c;
    return alen < blen ? -1 : alen > blen ? 1 : 0;
}

static int seg_word_sort_cmp(const void *pa, const void *pb)
{
    const seg_word *a = pa;
    const seg_word *b = pb;
    return seg_word_compare(a->text, a->length, b->text, b->length);
}

static const seg_word *seg_word_find(const seg *s, const char *w, size_t len)
{
    size_t lo = 0;
    size_t hi = s->word_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = seg_word_compare(w, len, s->words[mid].text, s->words[mid].length);
        if (c == 0)
            return &s->words[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/*
 * The kinds of the word endings that capitalised word w ends in: a name of
 * three or more letters before the ending ("Hauptstr" for "-str", not the
 * name "Vogt" for "-gt"), or a hyphen before the ending written capitalised
 * ("Karl-Marx-Str").
 */
static unsigned seg_ending_kinds(const seg *s, const char *w, size_t len)
{
    unsigned kinds = 0;
    if (len == 0 || utf8_case_of(utf8_at(w, len, 0, NULL)) != UTF8_CASE_UPPER)
        return 0;
    for (size_t i = 0; i < s->endings.count; i++) {
        const seg_word *e = &s->endings.items[i];
        const char *tail = w + len - e->length;
        if (len < e->length + 3)
            continue;
        if (memcmp(tail, e->text, e->length) == 0 && tail[-1] != '-' && tail[-1] != '.')
            kinds |= e->kinds;
        else if (tail[-1] == '-' && ascii_is_lower(e->text[0]) &&
                 tail[0] == e->text[0] - 'a' + 'A' && memcmp(tail + 1, e->text + 1, e->length - 1) == 0)
            kinds |= e->kinds;
    }
    return kinds;
}

/* The kinds of word w: as written, as a lower-case entry when capitalised, and by its ending. */
static unsigned seg_word_kinds_whole(const seg *s, const char *w, size_t len)
{
    const seg_word *e;
    unsigned kinds = 0;
    char buf[WORD_MAX];

    if (len == 0 || len > WORD_MAX)
        return 0;
    if (s->endings.count > 0)
        kinds |= seg_ending_kinds(s, w, len);
    e = seg_word_find(s, w, len);
    if (e)
        kinds |= e->kinds;
    if (ascii_is_upper(w[0])) {
        memcpy(buf, w, len);
        buf[0] = (char)(buf[0] - 'A' + 'a');
        e = seg_word_find(s, buf, len);
        if (e && e->lower)
            kinds |= e->kinds;
    }
    return kinds;
}

/* The kinds of word w[0..len): as written, else, for a word that elides an
 * article or a preposition into it ("coll'avv.", "dell'art.", "l’art."),
 * those of what follows the apostrophe. */
static unsigned seg_word_kinds(const seg *s, const char *w, size_t len)
{
    unsigned kinds = seg_word_kinds_whole(s, w, len);
    if (kinds != 0 || len > WORD_MAX)
        return kinds;
    for (size_t i = len; i-- > 0;) {
        size_t after = 0;
        if (w[i] == '\'')
            after = i + 1;
        else if (i + 3 <= len && memcmp(w + i, "\xE2\x80\x99", 3) == 0)
            after = i + 3;
        if (after > 0)
            return after > 1 && after < len ? seg_word_kinds_whole(s, w + after, len - after) : 0;
    }
    return 0;
}

static bool seg_is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool seg_word_is_lower(const char *w, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (ascii_is_upper(w[i]))
            return false;
    return true;
}

/* Adds the words of one rules line (line[0..len), 1-based number lineno). */
static aloud_status seg_rules_line(seg *s, const char *line, size_t len, unsigned lineno,
                               aloud_error *err)
{
    size_t i = 0;
    size_t kstart;
    unsigned kind = 0;

    while (i < len && seg_is_blank(line[i]))
        i++;
    if (i == len || line[i] == '#')
        return ALOUD_OK;
    kstart = i;
    while (i < len && !seg_is_blank(line[i]))
        i++;
    for (size_t k = 0; k < sizeof kind_names / sizeof kind_names[0]; k++)
        if (strlen(kind_names[k].name) == i - kstart &&
            memcmp(kind_names[k].name, line + kstart, i - kstart) == 0)
            kind = kind_names[k].bit;
    if (kind == 0)
        return aloud_error_set(err, ALOUD_ERR_ARG, lineno, (unsigned)kstart + 1,
                               "unknown kind \"%.*s\"", (int)(i - kstart > 32 ? 32 : i - kstart),
                               line + kstart);
    for (;;) {
        size_t wstart;
        seg_word *w;
        while (i < len && seg_is_blank(line[i]))
            i++;
        if (i == len)
            return ALOUD_OK;
        wstart = i;
        while (i < len && !seg_is_blank(line[i]))
            i++;
        if (i - wstart > WORD_MAX)
            return aloud_error_set(err, ALOUD_ERR_ARG, lineno, (unsigned)wstart + 1,
                                   "word longer than %u bytes", WORD_MAX);
        /* A word written "-str" is a word ending, kept with the marks. */
        if ((kind & KIND_MARKS) || (line[wstart] == '-' && i - wstart >= 2)) {
            bool ending = !(kind & KIND_MARKS);
            seg_marks *m = ending ? &s->endings
                           : kind == KIND_OPEN ? &s->open : kind == KIND_CLOSE ? &s->close : &s->dash;
            if (m->count == MARKS_MAX)
                return aloud_error_set(err, ALOUD_ERR_ARG, lineno, (unsigned)wstart + 1,
                                       ending ? "more than %u word endings"
                                              : "more than %u marks of one kind",
                                       MARKS_MAX);
            m->items[m->count].text = line + wstart + (ending ? 1 : 0);
            m->items[m->count].length = i - wstart - (ending ? 1 : 0);
            m->items[m->count].kinds = kind;
            m->count++;
            continue;
        }
        if (!vec_reserve(&s->words, &s->word_cap, s->word_count + 1, sizeof *s->words, 16))
            return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
        w = &s->words[s->word_count++];
        w->text = line + wstart;
        w->length = i - wstart;
        w->kinds = kind;
        w->lower = seg_word_is_lower(w->text, w->length);
    }
}

/* Reads s->rules into s->words, sorted, with duplicates merged. */
static aloud_status seg_rules_load(seg *s, size_t size, aloud_error *err)
{
    size_t pos = 0;
    unsigned lineno = 1;
    size_t out = 0;

    while (pos < size) {
        size_t end = pos;
        aloud_status st;
        while (end < size && s->rules[end] != '\n')
            end++;
        st = seg_rules_line(s, s->rules + pos, end - pos, lineno, err);
        if (st != ALOUD_OK)
            return st;
        pos = end + 1;
        lineno++;
    }
    if (s->word_count == 0)
        return ALOUD_OK;
    qsort(s->words, s->word_count, sizeof *s->words, seg_word_sort_cmp);
    for (size_t i = 1; i < s->word_count; i++) {
        if (seg_word_compare(s->words[out].text, s->words[out].length, s->words[i].text,
                         s->words[i].length) == 0)
            s->words[out].kinds |= s->words[i].kinds;
        else
            s->words[++out] = s->words[i];
    }
    s->word_count = out + 1;
    for (size_t i = 0; i < s->word_count; i++)
        s->has_informal = s->has_informal || (s->words[i].kinds & KIND_INFORMAL);
    return ALOUD_OK;
}

aloud_status seg_create_from_rules(const char *rules, size_t size, size_t max_chars, seg **out,
                                   aloud_error *err)
{
    seg *s;
    aloud_status st;

    *out = NULL;
    s = calloc(1, sizeof *s);
    if (!s || !(s->rules = malloc(size + 1))) {
        free(s);
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    }
    if (size)
        memcpy(s->rules, rules, size);
    s->rules[size] = '\0';
    s->max_chars = max_chars < 16 ? 16 : max_chars;
    st = seg_rules_load(s, size, err);
    if (st != ALOUD_OK) {
        seg_free(s);
        return st;
    }
    *out = s;
    return ALOUD_OK;
}

/* The embedded data named name[0..n), compared without regard to ASCII case. */
static const seg_lang_data *seg_lang_find(const char *name, size_t n)
{
    for (size_t i = 0; i < seg_lang_table_count; i++) {
        const char *t = seg_lang_table[i].name;
        size_t k = 0;
        while (k < n && t[k] && ascii_to_lower(t[k]) == ascii_to_lower(name[k] == '_' ? '-' : name[k]))
            k++;
        if (k == n && t[k] == '\0')
            return &seg_lang_table[i];
    }
    return NULL;
}

const char *seg_lang_pick(const char *lang)
{
    const seg_lang_data *d;
    size_t primary = 0;
    if (!lang)
        lang = "en";
    /* Norwegian: the macrolanguage's code is mostly written in Bokmål. */
    if (ascii_eq_nocase(lang, 2, "no") && (lang[2] == '\0' || lang[2] == '-' || lang[2] == '_'))
        lang = "nb";
    if ((d = seg_lang_find(lang, strlen(lang))) != NULL)
        return d->name;
    while (lang[primary] && lang[primary] != '-' && lang[primary] != '_')
        primary++;
    d = primary > 0 ? seg_lang_find(lang, primary) : NULL;
    return d ? d->name : NULL;
}

aloud_status seg_create(const char *lang, size_t max_chars, seg **out, aloud_error *err)
{
    const char *name = seg_lang_pick(lang);
    const seg_lang_data *d = name ? seg_lang_find(name, strlen(name)) : NULL;
    if (!d)
        return seg_create_from_rules("", 0, max_chars, out, err);
    return seg_create_from_rules(d->rules, d->size, max_chars, out, err);
}

void seg_free(seg *s)
{
    if (!s)
        return;
    free(s->rules);
    free(s->words);
    free(s->toks.items);
    free(s->flags.items);
    free(s->stack.items);
    free(s->raw.items);
    free(s->spans.items);
    free(s);
}

/* ------------------------------------------------------- character classes */

static bool seg_is_period(uint32_t cp)
{
    return cp == '.';
}

static bool seg_is_strong_end(uint32_t cp)
{
    switch (cp) {
    case '!': case '?': case 0x203C: case 0x203D: case 0x2047: case 0x2048: case 0x2049:
    case 0xFF01: case 0xFF1F: case 0x3002: case 0xFF0E: case 0xFF61: case 0x0964: case 0x0965:
        return true;
    default:
        return false;
    }
}

static bool seg_is_ellipsis_char(uint32_t cp)
{
    return cp == 0x2026;
}

/* Marks that may follow an end mark and still belong to its sentence. */
static bool seg_is_closer(uint32_t cp)
{
    switch (cp) {
    case '"': case '\'': case ')': case ']': case '}': case '`':
    case 0x2019: case 0x201D: case 0x2018: case 0x201C: case 0xBB: case 0xAB: case 0x203A:
    case 0x300D: case 0x300F: case 0x300B: case 0x3009: case 0xFF09: case 0xFF3D:
    case 0x3011: case 0x3015: case 0x3017: case 0xFF5D: case 0xFF02: case 0xFF07:
        return true;
    default:
        return false;
    }
}

/* Marks that may come before the first word of a sentence. */
static bool seg_is_opener(uint32_t cp)
{
    switch (cp) {
    case '"': case '\'': case '(': case '[': case '{': case '`': case '*': case '_':
    case 0x2018: case 0x201C: case 0x201A: case 0x201E: case 0xAB: case 0xBB: case 0x2039:
    case 0x300C: case 0x300E: case 0x300A: case 0x3008: case 0xFF08: case 0xFF3B:
    case 0xBF: case 0xA1:
        return true;
    default:
        return false;
    }
}

static bool seg_is_bullet(uint32_t cp)
{
    switch (cp) {
    case 0x2022: case 0x25E6: case 0x25AA: case 0x25AB: case 0x2023: case 0x2043:
    case 0x2219: case 0x25CF: case 0x25CB: case 0x25A0: case 0x25A1: case 0x25BA:
    case 0x25B8: case '-': case '*':
        return true;
    default:
        return false;
    }
}

/* True when text[p] starts a word character (decoding multi-byte ones). */
static bool seg_word_char_at(const char *text, size_t len, size_t p)
{
    unsigned char b = (unsigned char)text[p];
    if (b < 0x80u)
        return ascii_is_digit((char)b) || ascii_is_alpha((char)b);
    if (b < 0xC0u)
        return false;
    return utf8_is_word_char(utf8_at(text, len, p, NULL));
}

/* Marks that end a sentence with no space after them: 。！？．｡ and the dandas. */
static bool seg_is_wide_end(uint32_t cp)
{
    switch (cp) {
    case 0x3002: case 0xFF01: case 0xFF1F: case 0xFF0E: case 0xFF61: case 0x0964: case 0x0965:
        return true;
    default:
        return false;
    }
}

/* ---------------------------------------------------------------- brackets */

enum { FLAG_OPEN = 1u, FLAG_CLOSE = 2u };

/* The bracket pair a character opens (positive id) or closes (negative id). */
static int seg_bracket_id(uint32_t cp)
{
    switch (cp) {
    case '(': return 1;
    case ')': return -1;
    case '[': return 2;
    case ']': return -2;
    case '{': return 3;
    case '}': return -3;
    case 0xFF08: return 1;
    case 0xFF09: return -1;
    case 0x300C: return 4;  /* 「 」 */
    case 0x300D: return -4;
    case 0x300E: return 5;  /* 『 』 */
    case 0x300F: return -5;
    case 0x3010: return 6;  /* 【 】 */
    case 0x3011: return -6;
    default: return 0;
    }
}

/*
 * Marks the brackets of text that have a partner (unbalanced ones - list
 * markers "1)", smileys - mean nothing), so that end marks between a pair
 * can be told apart: "(see. section 4.2)" is no boundary.
 */
static bool seg_mark_brackets(seg *s, const char *text, size_t len)
{
    if (!VEC_RESERVE(s->flags, len))
        return false;
    memset(s->flags.items, 0, len);
    s->stack.count = 0;
    for (size_t p = 0; p < len; p++) {
        unsigned char b = (unsigned char)text[p];
        int id;
        if (b >= 0x80u && b != 0xE3u && b != 0xEFu)
            continue;  /* only ASCII, U+30xx and U+FFxx hold brackets */
        id = seg_bracket_id(b < 0x80u ? b : utf8_at(text, len, p, NULL));
        if (id > 0) {
            if (!VEC_RESERVE(s->stack, s->stack.count + 1))
                return false;
            s->stack.items[s->stack.count++] = p;
        } else if (id < 0 && s->stack.count > 0) {
            size_t open = s->stack.items[s->stack.count - 1];
            if (seg_bracket_id(utf8_at(text, len, open, NULL)) == -id) {
                s->stack.count--;
                s->flags.items[open] |= FLAG_OPEN;
                s->flags.items[p] |= FLAG_CLOSE;
            }
        }
    }
    return true;
}

/* ------------------------------------------------------------- token shapes */

/* What a run of end marks and closers at the end of a token holds. */
typedef struct seg_end_marks {
    size_t stem_end;  /* where the marks start: the word before them ends here */
    unsigned periods; /* '.' count */
    bool strong;      /* ! ? and the like */
    bool ellipsis;    /* U+2026 */
} seg_end_marks;

/* True when text[a..b) is a citation mark such as "[1]", "[12]", "[a]", "[2–11]". */
static bool seg_is_citation(const char *text, size_t a, size_t b)
{
    bool digit = false;
    size_t letters = 0;
    if (b - a < 3 || b - a > 14 || text[a] != '[' || text[b - 1] != ']')
        return false;
    for (size_t p = a + 1; p < b - 1; p++) {
        char c = text[p];
        if (ascii_is_digit(c))
            digit = true;
        else if (ascii_is_lower(c))
            letters++;
        else if (c == ',' || c == '-')
            continue;
        else if (b - 1 - p >= 3 && memcmp(text + p, "\xE2\x80\x93", 3) == 0)
            p += 2;  /* en dash, as in "[2–11]" */
        else
            return false;
    }
    return digit || (letters > 0 && letters <= 2);
}

/* Scans the end marks, closers and citation marks at the end of text[a..b). */
static void seg_end_marks_of(const char *text, size_t len, size_t a, size_t b, seg_end_marks *m)
{
    size_t q = b;
    memset(m, 0, sizeof *m);
    while (q > a) {
        size_t p;
        uint32_t cp;
        if (text[q - 1] == ']') {
            size_t open = q - 1;
            while (open > a && q - open < 14 && text[open] != '[')
                open--;
            if (seg_is_citation(text, open, q)) {
                q = open;
                continue;
            }
        }
        p = utf8_start_before(text, q);
        if (p < a)
            break;
        cp = utf8_at(text, len, p, NULL);
        if (seg_is_period(cp))
            m->periods++;
        else if (seg_is_strong_end(cp))
            m->strong = true;
        else if (seg_is_ellipsis_char(cp))
            m->ellipsis = true;
        else if (!seg_is_closer(cp))
            break;
        q = p;
    }
    m->stem_end = q;
}

/* The length of the mark of `m` that text[p..end) starts with, 0 for none. */
static size_t seg_marks_prefix(const seg_marks *m, const char *text, size_t p, size_t end)
{
    for (size_t i = 0; i < m->count; i++)
        if (m->items[i].length <= end - p && memcmp(text + p, m->items[i].text, m->items[i].length) == 0)
            return m->items[i].length;
    return 0;
}

/* True when text[a..b) is one of the marks of `m`. */
static bool seg_marks_is(const seg_marks *m, const char *text, size_t a, size_t b)
{
    for (size_t i = 0; i < m->count; i++)
        if (m->items[i].length == b - a && memcmp(text + a, m->items[i].text, b - a) == 0)
            return true;
    return false;
}

/* Skips opening quotes and brackets at text[p..end), the language's own among them. */
static size_t seg_skip_openers(const seg *s, const char *text, size_t len, size_t p, size_t end)
{
    while (p < end) {
        size_t n = seg_marks_prefix(&s->open, text, p, end);
        if (n == 0 && !seg_is_opener(utf8_at(text, len, p, &n)))
            break;
        p += n;
    }
    return p;
}

static bool seg_token_is(const char *text, seg_tok t, const char *s)
{
    size_t n = strlen(s);
    return t.end - t.start == n && memcmp(text + t.start, s, n) == 0;
}

/* Web addresses and e-mail addresses: their periods never end a sentence inside. */
static bool seg_token_is_address(const char *text, seg_tok t)
{
    for (size_t p = t.start; p < t.end; p++) {
        if (text[p] == '@')
            return true;
        if (text[p] == ':' && t.end - p > 3 && text[p + 1] == '/' && text[p + 2] == '/')
            return true;
        if (p + 4 <= t.end && memcmp(text + p, "www.", 4) == 0)
            return true;
    }
    return false;
}

/* True when token t, without brackets around it, is a web address. */
static bool seg_token_is_link(const char *text, seg_tok t)
{
    size_t a = t.start;
    size_t b = t.end;
    if (a < b && (text[a] == '[' || text[a] == '(' || text[a] == '<'))
        a++;
    return b - a > 7 && (memcmp(text + a, "http://", 7) == 0 || memcmp(text + a, "https://", 8) == 0 ||
                         memcmp(text + a, "www.", 4) == 0);
}

/* Letters joined by periods ("U.S", "Ph.D", "e.g", Russian initials
 * "В.В"): each part 1-3 letters of a script with case. */
static bool seg_is_dotted_letters(const char *w, size_t len)
{
    size_t part = 0, n;
    unsigned parts = 1;
    for (size_t i = 0; i < len; i += n) {
        uint32_t cp = utf8_at(w, len, i, &n);
        if (n == 0)
            return false;
        if (cp == '.') {
            if (part == 0)
                return false;
            parts++;
            part = 0;
        } else if (utf8_case_of(cp) != UTF8_CASE_NONE) {
            if (++part > 3)
                return false;
        } else {
            return false;
        }
    }
    return parts >= 2 && part > 0;
}

/* One letter ("E", "p", "É"). */
static bool seg_is_single_letter(const char *text, size_t len, size_t a, size_t b)
{
    size_t n;
    uint32_t cp;
    if (a >= b)
        return false;
    cp = utf8_at(text, len, a, &n);
    return a + n == b && utf8_is_word_char(cp) && !ascii_is_digit(cp);
}

/* List markers: "1." "1)" "1.)" "(1)" "a." "b)"; *value is 1-based. */
static bool seg_parse_marker(const char *text, size_t a, size_t b, unsigned *style, unsigned *value)
{
    size_t p = a;
    *style = 0;
    *value = 0;
    if (p < b && text[p] == '(') {
        *style |= 1u;
        p++;
    }
    if (p < b && ascii_is_digit(text[p])) {
        size_t digits = 0;
        while (p < b && ascii_is_digit(text[p]) && digits < 4) {
            *value = *value * 10u + (unsigned)(text[p] - '0');
            p++;
            digits++;
        }
        if (digits > 3)
            return false;
        *style |= 8u;
    } else if (p < b && ascii_is_alpha(text[p])) {
        *value = (unsigned)((text[p] | 0x20) - 'a') + 1u;
        *style |= ascii_is_upper(text[p]) ? 32u : 16u;
        p++;
    } else {
        return false;
    }
    if (p < b && text[p] == '.') {
        *style |= 2u;
        p++;
    }
    if (p < b && text[p] == ')') {
        *style |= 4u;
        p++;
    }
    if ((*style & 1u) && !(*style & 4u))
        return false;
    return p == b && (*style & 6u) != 0;
}

/*
 * A token that opens a list item: a marker, a marker after a bullet ("•9."),
 * or a bullet on its own. *bullet is the bullet (0 for none).
 */
static bool seg_token_item(const char *text, size_t len, seg_tok t, uint32_t *bullet, unsigned *style,
                       unsigned *value)
{
    size_t n;
    uint32_t cp = utf8_at(text, len, t.start, &n);
    *bullet = 0;
    if (seg_is_bullet(cp)) {
        *bullet = cp;
        *style = 0;
        *value = 0;
        if (t.start + n == t.end)
            return true;
        /* A hyphen or asterisk glued to a word is no bullet. */
        return cp != '-' && cp != '*' && seg_parse_marker(text, t.start + n, t.end, style, value);
    }
    return seg_parse_marker(text, t.start, t.end, style, value);
}

/* ----------------------------------------------------------------- splitting */

enum list_kind { LIST_NONE = 0, LIST_BULLET, LIST_SEQUENCE };

/* State of one seg_split pass. */
typedef struct seg_split_state {
    seg *s;
    const char *text;
    size_t len;
    const seg_tok *tok;
    size_t n;
    size_t cur_start;   /* byte where the current sentence starts */
    size_t cur_first;   /* index of the token holding cur_start */
    bool cur_has_word;  /* the current sentence holds a word character */
    unsigned depth;     /* matched brackets open at the scan position */
    bool dquote_open;   /* a straight double quote ('"' or '') is open */
    bool squote_open;   /* a straight single quote is open */
    bool informal;      /* the paragraph is written informally (see seg_is_informal) */
    size_t dq_total;    /* straight double quotes (" '' ``) in the paragraph */
    size_t dq_seen;     /* those in the tokens scanned so far */
    enum list_kind list;
    uint32_t bullet;
    unsigned list_style;
    unsigned list_next;
} seg_split_state;

/* The first word of the token at index k, after its opening marks. */
typedef enum seg_next_class {
    NEXT_UPPER = 0, /* a capital letter */
    NEXT_LOWER,     /* a small letter */
    NEXT_DIGIT,
    NEXT_CASELESS,  /* a letter of a script without case */
    NEXT_CLAUSE,    /* , ; : - never the start of a sentence */
    NEXT_OTHER      /* any other mark or symbol */
} seg_next_class;

typedef struct seg_next_word {
    seg_next_class cls;
    size_t start;     /* the word's first byte */
    size_t letters;   /* bytes of its leading run of letters */
    size_t length;    /* bytes of letters and apostrophes ("I'm") */
} seg_next_word;

static void seg_next_word_of(const seg_split_state *st, size_t k, seg_next_word *w)
{
    const char *text = st->text;
    size_t p = seg_skip_openers(st->s, text, st->len, st->tok[k].start, st->tok[k].end);
    size_t end = st->tok[k].end;
    uint32_t cp;

    /* A quote or bracket standing alone belongs to the word after it, and so
     * does a dialogue dash of the language ("... - Kiedyś"). */
    if ((p == end || seg_marks_is(&st->s->dash, text, st->tok[k].start, st->tok[k].end)) &&
        k + 1 < st->n) {
        end = st->tok[k + 1].end;
        p = seg_skip_openers(st->s, text, st->len, st->tok[k + 1].start, end);
    }
    memset(w, 0, sizeof *w);
    w->start = p;
    if (p == end) {
        w->cls = NEXT_OTHER;
        return;
    }
    cp = utf8_at(text, st->len, p, NULL);
    if (seg_token_is_link(text, st->tok[k]))
        w->cls = NEXT_OTHER;  /* a web address may start a sentence */
    else if (ascii_is_digit(cp))
        w->cls = NEXT_DIGIT;
    else if (utf8_case_of(cp) == UTF8_CASE_UPPER)
        w->cls = NEXT_UPPER;
    else if (utf8_case_of(cp) == UTF8_CASE_LOWER)
        w->cls = NEXT_LOWER;
    else if (utf8_is_word_char(cp))
        w->cls = NEXT_CASELESS;
    else if (cp == ',' || cp == ';' || cp == ':')
        w->cls = NEXT_CLAUSE;
    else
        w->cls = NEXT_OTHER;
    /* Letters of any script ("März", "Июль"). */
    while (p + w->length < end) {
        size_t n;
        uint32_t c = utf8_at(text, st->len, p + w->length, &n);
        if (!utf8_is_word_char(c) || ascii_is_digit(c))
            break;
        w->length += n;
    }
    w->letters = w->length;
    while (p + w->length < end) {
        char c = text[p + w->length];
        if (ascii_is_alpha(c) || c == '\'')
            w->length++;
        else if (end - (p + w->length) >= 3 && memcmp(text + p + w->length, "\xE2\x80\x99", 3) == 0)
            w->length += 3;
        else
            break;
    }
}

/* Ends the current sentence at `end`; the next starts at next_start in token next_first. */
static bool seg_push_sentence(seg_split_state *st, size_t end, size_t next_start, size_t next_first)
{
    seg *s = st->s;
    size_t a = st->cur_start;
    while (a < end && seg_is_blank(st->text[a]))
        a++;
    while (end > a && seg_is_blank(st->text[end - 1]))
        end--;
    if (end > a) {
        if (!VEC_RESERVE(s->raw, s->raw.count + 1))
            return false;
        s->raw.items[s->raw.count].start = a;
        s->raw.items[s->raw.count].end = end;
        s->raw.count++;
    }
    st->cur_start = next_start;
    st->cur_first = next_first;
    st->cur_has_word = false;
    return true;
}

/* Starts the list state from the paragraph's first token. */
static void seg_list_init(seg_split_state *st)
{
    uint32_t bullet;
    unsigned style;
    unsigned value;
    st->list = LIST_NONE;
    if (!seg_token_item(st->text, st->len, st->tok[0], &bullet, &style, &value))
        return;
    if (bullet) {
        st->list = LIST_BULLET;
        st->bullet = bullet;
    } else {
        st->list = LIST_SEQUENCE;
        st->list_style = style;
        st->list_next = value + 1;
    }
}

/* True when token i opens the next item of the paragraph's list. */
static bool seg_list_item_at(seg_split_state *st, size_t i)
{
    uint32_t bullet;
    unsigned style;
    unsigned value;
    if (st->list == LIST_NONE || i == 0 ||
        !seg_token_item(st->text, st->len, st->tok[i], &bullet, &style, &value))
        return false;
    if (st->list == LIST_BULLET)
        return bullet == st->bullet;
    if (bullet || style != st->list_style || value != st->list_next)
        return false;
    st->list_next++;
    return true;
}

/* True when token i is a list marker that opens the current sentence. */
static bool seg_marker_opens_sentence(const seg_split_state *st, size_t i)
{
    uint32_t bullet;
    unsigned style;
    unsigned value;
    if (!seg_token_item(st->text, st->len, st->tok[i], &bullet, &style, &value) || style == 0)
        return false;
    if (i == st->cur_first)
        return st->cur_start == st->tok[i].start;
    /* "• 9. The first item": the marker after a bullet standing alone. */
    return i == st->cur_first + 1 && st->cur_start == st->tok[i - 1].start &&
           seg_token_item(st->text, st->len, st->tok[i - 1], &bullet, &style, &value) && bullet &&
           style == 0;
}

/*
 * A period inside a token ends a sentence when a word of two or more
 * characters (not a known abbreviation) runs into a capitalised word:
 * "world.Today", "1,000.That". Not in "U.S.Army", "e.g.Foo", "7.Bg5".
 */
static bool seg_boundary_inside(const seg_split_state *st, seg_tok t, size_t p)
{
    const char *text = st->text;
    size_t q = p;
    bool letters_only = true;

    if (p + 2 >= t.end || !ascii_is_upper(text[p + 1]) || !ascii_is_lower(text[p + 2]))
        return false;
    while (q > t.start && (ascii_is_alnum(text[q - 1]) || text[q - 1] == ',')) {
        if (!ascii_is_alpha(text[q - 1]))
            letters_only = false;
        q--;
    }
    if (p - q < 2 || (q > t.start && text[q - 1] == '.'))
        return false;
    if (letters_only)
        return ascii_is_lower(text[p - 1]) &&
               (seg_word_kinds(st->s, text + q, p - q) & (KIND_TITLE | KIND_ABBREV)) == 0;
    return true;
}

/* The straight double quotes in text[a..b): '"', and "''" and "``" as one each. */
static size_t seg_count_dquotes(const char *text, size_t a, size_t b)
{
    size_t count = 0;
    for (size_t p = a; p < b; p++) {
        if (text[p] == '"') {
            count++;
        } else if (p + 1 < b && (text[p] == '\'' || text[p] == '`') && text[p + 1] == text[p]) {
            count++;
            p++;
        }
    }
    return count;
}

/* Updates the straight-quote state for a token that is not a closing group. */
static void seg_quotes_update(seg_split_state *st, seg_tok t)
{
    const char *text = st->text;
    size_t n = t.end - t.start;
    char first = text[t.start];
    char last = text[t.end - 1];

    if (seg_token_is(text, t, "\"") || seg_token_is(text, t, "''")) {
        st->dquote_open = !st->dquote_open;
        return;
    }
    if (seg_token_is(text, t, "'")) {
        st->squote_open = !st->squote_open;
        return;
    }
    if (first == '"' || (n >= 2 && first == '`' && text[t.start + 1] == '`') ||
        seg_marks_prefix(&st->s->open, text, t.start, t.end) > 0)
        st->dquote_open = true;
    else if (first == '`')
        st->squote_open = true;
    /* "'s", "'re", "'90s" are elisions, not quotes. */
    else if (first == '\'' && !(n <= 4 && n >= 2 && (ascii_is_lower(text[t.start + 1]) ||
                                                   ascii_is_digit(text[t.start + 1]))))
        st->squote_open = true;
    if (n >= 2 && (last == '"' || (last == '\'' && text[t.end - 2] == '\'')))
        st->dquote_open = false;
    else if (n >= 2 && last == '\'')
        st->squote_open = false;
}

/*
 * Where a sentence ends inside token t after the end mark at p, in text
 * written without spaces: after a full-width end mark (。！？．) or a
 * danda, or an ASCII ! or ? right before a letter of a caseless script
 * ("すごい!次"), together with the end marks and closing marks after it,
 * when what follows is outside every bracket and quote pair. 0 for none.
 */
/* True when the character before text[p] (within the token from start) is a caseless letter. */
static bool seg_caseless_before(const char *text, size_t start, size_t p)
{
    uint32_t cp;
    if (p <= start)
        return false;
    cp = utf8_before(text, p, NULL);
    return utf8_is_word_char(cp) && utf8_case_of(cp) == UTF8_CASE_NONE && cp >= 0x80u;
}

static size_t seg_wide_cut(const seg_split_state *st, seg_tok t, size_t p)
{
    const char *text = st->text;
    const unsigned char *flags = st->s->flags.items;
    size_t n;
    uint32_t cp = utf8_at(text, st->len, p, &n);
    bool wide = seg_is_wide_end(cp);
    unsigned depth = st->depth;
    size_t q = p + n;

    bool quote_closed = false;

    if (!wide && cp != '!' && cp != '?')
        return 0;
    while (q < t.end) {
        uint32_t c = utf8_at(text, st->len, q, &n);
        /* 「…。」と言った: a particle after a closing quote goes on with the sentence. */
        if (quote_closed && (c == 0x3068 || c == 0x3063 || c == 0x3092 || c == 0x304C))
            return 0;
        quote_closed = c == 0x300D || c == 0x300F;
        /* “ and ‘ open a quotation in these scripts; ” and ’ close it, unless
         * the language closes with them (German „Kommst du?“). */
        if ((seg_is_closer(c) && c != 0x201C && c != 0x2018) || seg_is_strong_end(c) ||
            seg_is_wide_end(c) || c == '.' || c == 0x2026 ||
            seg_marks_prefix(&st->s->close, text, q, t.end) > 0) {
            if ((flags[q] & FLAG_CLOSE) && depth > 0)
                depth--;
            q += n;
            continue;
        }
        /* "３．５" is a number; a digit after 。 starts a sentence ("。2008年"). */
        if (depth > 0 || ((ascii_is_digit(c) || (c >= 0xFF10 && c <= 0xFF19)) && cp == 0xFF0E) ||
            (!utf8_is_word_char(c) && !seg_is_opener(c)))
            return 0;
        /* After ASCII ! or ?, only between caseless letters or before a digit: "ロビー?2008年". */
        if (!wide && (utf8_case_of(c) != UTF8_CASE_NONE || ascii_is_alpha(c) ||
                      (ascii_is_digit(c) && !seg_caseless_before(text, t.start, p))))
            return 0;
        return q;
    }
    return 0;
}

/* Scans token i: brackets, words, quotes, and sentence ends inside it. */
static bool seg_scan_token(seg_split_state *st, size_t i)
{
    seg_tok t = st->tok[i];
    const unsigned char *flags = st->s->flags.items;
    bool address = seg_token_is_address(st->text, t);
    size_t cut_at = SIZE_MAX;

    for (size_t p = t.start; p < t.end; p++) {
        char c = st->text[p];
        if (p == cut_at) {
            if (!seg_push_sentence(st, p, p, i))
                return false;
            cut_at = SIZE_MAX;
        }
        /* A web address may hold ! or ?, never a full-width mark. */
        if (cut_at == SIZE_MAX && st->cur_has_word &&
            ((unsigned char)c >= 0xE0u || (!address && (c == '!' || c == '?')))) {
            size_t q = seg_wide_cut(st, t, p);
            if (q > 0)
                cut_at = q;
        }
        if (flags[p] & FLAG_OPEN)
            st->depth++;
        if ((flags[p] & FLAG_CLOSE) && st->depth > 0)
            st->depth--;
        if (!st->cur_has_word && seg_word_char_at(st->text, st->len, p))
            st->cur_has_word = true;
        if ((c == '.' || c == '!' || c == '?') && !address && st->depth == 0 &&
            st->cur_has_word && seg_boundary_inside(st, t, p) &&
            !seg_push_sentence(st, p + 1, p + 1, i))
            return false;
    }
    seg_quotes_update(st, t);
    st->dq_seen += seg_count_dquotes(st->text, t.start, t.end);
    return true;
}

/*
 * Token k continues the end marks before it when it holds only end marks,
 * closing marks and citation marks. A straight quote alone closes only if
 * one is open; otherwise it opens the next sentence.
 */
static bool seg_joins_end_marks(seg_split_state *st, size_t k)
{
    const char *text = st->text;
    seg_tok t = st->tok[k];
    seg_end_marks m;
    uint32_t cp;

    if (seg_token_is(text, t, "\"") || seg_token_is(text, t, "''")) {
        /* Not open here: it closes a quotation opened before the paragraph
         * when the quotes after it pair up among themselves. */
        if (!st->dquote_open && (st->dq_total - st->dq_seen - 1) % 2 != 0)
            return false;
        st->dquote_open = false;
        return true;
    }
    if (seg_token_is(text, t, "'")) {
        if (!st->squote_open)
            return false;
        st->squote_open = false;
        return true;
    }
    if (seg_marks_is(&st->s->close, text, t.start, t.end)) {
        st->dquote_open = false;
        return true;
    }
    if (seg_marks_prefix(&st->s->open, text, t.start, t.end) > 0)
        return false;  /* the language's opening quotes: « „ ,, */
    cp = utf8_at(text, st->len, t.start, NULL);
    if ((cp == '`' || cp == 0x201C || cp == 0x2018) &&
        seg_marks_prefix(&st->s->close, text, t.start, t.end) == 0)
        return false;  /* opening marks, unless the language closes with them */
    seg_end_marks_of(text, st->len, t.start, t.end, &m);
    return m.stem_end == t.start;
}

/* The kinds of the word of token k, without the marks around it. */
static unsigned seg_token_word_kinds(const seg_split_state *st, size_t k)
{
    seg_tok t = st->tok[k];
    size_t a = seg_skip_openers(st->s, st->text, st->len, t.start, t.end);
    size_t b = a;
    while (b < t.end) {
        size_t n;
        uint32_t cp = utf8_at(st->text, st->len, b, &n);
        if (!utf8_is_word_char(cp) || ascii_is_digit(cp))
            break;
        b += n;
    }
    return seg_word_kinds(st->s, st->text + a, b - a);
}

/* True when the end of token i, or a token of i+1..j-1, holds a closing quotation mark. */
static bool seg_group_has_quote(const seg_split_state *st, size_t i, size_t j)
{
    for (size_t k = i; k < j; k++) {
        seg_tok t = st->tok[k];
        size_t q = t.end;
        while (q > t.start) {
            size_t p;
            uint32_t cp = utf8_before(st->text, q, &p);
            if (cp == '"' || cp == '\'' || cp == '`' || cp == 0x2019 || cp == 0x201D ||
                cp == 0xBB || cp == 0xAB || cp == 0x203A || cp == 0x2039)
                return true;
            if (!seg_is_strong_end(cp) && cp != '.' && cp != 0x2026 && !seg_is_closer(cp))
                break;
            q = p;
        }
    }
    return false;
}

/*
 * True when tokens k.. name a speaker and the verb of speech after a
 * quotation: one to three capitalised words, not a `starter`, then a
 * `speech` word ("Anna said", "Anna Maria Smith asked").
 */
static bool seg_speaker_follows(const seg_split_state *st, size_t k)
{
    for (size_t m = k; m < st->n && m < k + 4; m++) {
        seg_tok t = st->tok[m];
        unsigned kinds = seg_token_word_kinds(st, m);
        if (m > k && (kinds & KIND_SPEECH))
            return true;
        if (utf8_case_of(utf8_at(st->text, st->len, t.start, NULL)) != UTF8_CASE_UPPER ||
            (kinds & KIND_STARTER) || st->text[t.end - 1] == '.' || st->text[t.end - 1] == ',')
            return false;
    }
    return false;
}

/* How the end marks after a token are resolved. */
typedef enum seg_decision {
    KEEP = 0,          /* no sentence boundary */
    SPLIT_AFTER,       /* the sentence ends after the marks */
    SPLIT_BEFORE_MARKS /* it ends before the punctuation-only tokens */
} seg_decision;

/* A word of two or more letters (apostrophes inside), as an informal sentence may end in. */
static bool seg_is_plain_word(const char *text, size_t len, size_t a, size_t b)
{
    size_t letters = 0;
    for (size_t p = a; p < b;) {
        size_t n;
        uint32_t cp = utf8_at(text, len, p, &n);
        if (utf8_case_of(cp) != UTF8_CASE_NONE)
            letters++;
        else if (cp != '\'' && cp != 0x2019)
            return false;
        p += n;
    }
    return letters >= 2;
}

/* Digits only, at most three: a day or an ordinal before its period ("5.", "18."). */
static bool seg_is_small_number(const char *text, size_t a, size_t b)
{
    if (b <= a || b - a > 3)
        return false;
    for (size_t p = a; p < b; p++)
        if (!ascii_is_digit(text[p]))
            return false;
    return true;
}

/*
 * The kinds of an abbreviation written with spaces ("z. B.", "i. d. R.",
 * "v. Chr."): up to four single letters with their periods in the tokens of
 * the sentence before token i, joined with the word text[a..b) as the list
 * writes it ("z.B", "i.d.R", "v.Chr"). *first is the run's first token (i
 * when there is none); 0 when the joined form is not listed.
 */
static unsigned seg_spaced_kinds(const seg_split_state *st, size_t i, size_t a, size_t b,
                                 size_t *first)
{
    char buf[WORD_MAX];
    size_t n = 0;
    size_t k = i;
    unsigned kinds;

    *first = i;
    while (k > st->cur_first && i - k < 4) {
        seg_tok t = st->tok[k - 1];
        if (t.end - t.start < 2 || st->text[t.end - 1] != '.' ||
            !seg_is_single_letter(st->text, st->len, t.start, t.end - 1))
            break;
        k--;
    }
    if (k == i)
        return 0;
    for (size_t m = k; m < i; m++) {
        size_t len = st->tok[m].end - st->tok[m].start;
        if (n + len > WORD_MAX)
            return 0;
        memcpy(buf + n, st->text + st->tok[m].start, len);
        n += len;
    }
    if (n + (b - a) > WORD_MAX)
        return 0;
    memcpy(buf + n, st->text + a, b - a);
    kinds = seg_word_kinds(st->s, buf, n + (b - a));
    if (kinds)
        *first = k;
    return kinds;
}

/*
 * True when a number comes before token k, or a number and a unit with its
 * period ("5 mill. kr.", "3 Mio. kr."): a unit there follows a number.
 */
static bool seg_number_before(const seg_split_state *st, size_t k)
{
    seg_tok t;
    if (k > 0 && ascii_is_digit(st->text[st->tok[k - 1].start]))
        return true;
    if (k < 2 || !ascii_is_digit(st->text[st->tok[k - 2].start]))
        return false;
    t = st->tok[k - 1];
    return t.end - t.start >= 2 && st->text[t.end - 1] == '.' &&
           (seg_word_kinds(st->s, st->text + t.start, t.end - 1 - t.start) & KIND_UNIT) != 0;
}

/* The next word is a capital letter with a period, an initial ("им. А. А.
 * Жданова"), not the word a sentence may open with ("А", "W"). */
static bool seg_next_is_initial(const seg_split_state *st, const seg_next_word *next)
{
    return next->letters > 0 && seg_is_single_letter(st->text, st->len, next->start,
                                                     next->start + next->letters) &&
           next->start + next->letters < st->len && st->text[next->start + next->letters] == '.';
}

/* Token t is one or two digits with a period: the day or month of a date. */
static bool seg_is_date_part(const char *text, seg_tok t)
{
    return t.end - t.start >= 2 && t.end - t.start <= 3 && text[t.end - 1] == '.' &&
           seg_is_small_number(text, t.start, t.end - 1);
}

/* Token t starts with a year: four digits ("1950", "1950.", "1950,"). */
static bool seg_is_year(const char *text, seg_tok t)
{
    if (t.end - t.start < 4)
        return false;
    for (size_t p = t.start; p < t.start + 4; p++)
        if (!ascii_is_digit(text[p]))
            return false;
    return t.end - t.start == 4 || !ascii_is_digit(text[t.start + 4]);
}

/* The decision for a single period after the word text[a..b). */
static seg_decision seg_after_period(const seg_split_state *st, size_t i, size_t a, size_t b,
                             const seg_next_word *next)
{
    const seg *s = st->s;
    size_t run;  /* the first token of an abbreviation written with spaces */
    unsigned spaced = seg_spaced_kinds(st, i, a, b, &run);
    unsigned kinds = spaced ? spaced : seg_word_kinds(s, st->text + a, b - a);
    unsigned next_kinds = seg_word_kinds(s, st->text + next->start, next->letters);

    if (next->cls == NEXT_CLAUSE || seg_marker_opens_sentence(st, i))
        return KEEP;
    if (next->cls == NEXT_LOWER) {
        /* "i'm out. back monday.": informal text starts sentences in lower case. */
        return st->informal && !(kinds & (KIND_TITLE | KIND_ABBREV | KIND_NUMBER | KIND_UNIT |
                                          KIND_FINAL)) &&
                       seg_is_plain_word(st->text, st->len, a, b)
                   ? SPLIT_AFTER
                   : KEEP;
    }
    if (kinds & KIND_TITLE)
        return KEEP;
    /* An ordinal before its noun: "am 5. Juli", "im 18. Jahrhundert", "5. Mai". */
    if (seg_is_small_number(st->text, a, b) && next->cls == NEXT_UPPER &&
        ((next_kinds & KIND_ORDINAL) || (i > 0 && (seg_token_word_kinds(st, i - 1) & KIND_ORDLEAD))))
        return KEEP;
    /* Abbreviations that mostly close a list or a sentence ("etc.", "usw."). */
    if (kinds & KIND_FINAL)
        return next->cls == NEXT_UPPER || next->cls == NEXT_CASELESS || next->cls == NEXT_OTHER
                   ? SPLIT_AFTER
                   : KEEP;
    if ((kinds & KIND_UNIT) && seg_number_before(st, run)) {
        /* "At 5 a.m. Mr. Smith left": a fronted time phrase, the clause follows. */
        const char *first = st->text + st->tok[st->cur_first].start;
        size_t flen = 0;
        bool intro;
        /* Its letters, of any script ("At", "В"). */
        while (st->tok[st->cur_first].start + flen < st->tok[st->cur_first].end) {
            size_t n;
            uint32_t c = utf8_at(st->text, st->len, st->tok[st->cur_first].start + flen, &n);
            if (n == 0 || utf8_case_of(c) == UTF8_CASE_NONE)
                break;
            flen += n;
        }
        intro = st->cur_start == st->tok[st->cur_first].start && i - st->cur_first <= 3 &&
                (seg_word_kinds(s, first, flen) & KIND_LEAD) != 0;
        return next->cls == NEXT_UPPER && !intro ? SPLIT_AFTER : KEEP;
    }
    if (next->cls == NEXT_DIGIT && (kinds & KIND_NUMBER))
        return KEEP;
    if (seg_is_single_letter(st->text, st->len, a, b) && i + 1 < st->n &&
        st->tok[i + 1].end - st->tok[i + 1].start >= 2 &&
        st->text[st->tok[i + 1].end - 1] == '.' &&
        seg_is_single_letter(st->text, st->len, st->tok[i + 1].start, st->tok[i + 1].end - 1))
        return KEEP;  /* a run of initials: "J. R. R. Tolkien", "U. A. E." */
    if ((kinds & (KIND_ABBREV | KIND_UNIT)) || seg_is_dotted_letters(st->text + a, b - a) ||
        seg_is_single_letter(st->text, st->len, a, b))
        return next->cls == NEXT_UPPER && (next_kinds & KIND_STARTER) &&
                       !seg_next_is_initial(st, next)
                   ? SPLIT_AFTER
                   : KEEP;
    /* A date written with spaces, day. month. year: "12. 3. 1950". */
    if (next->cls == NEXT_DIGIT && seg_is_small_number(st->text, a, b) &&
        ((i + 2 < st->n && seg_is_date_part(st->text, st->tok[i + 1]) &&
          seg_is_year(st->text, st->tok[i + 2])) ||
         (i > 0 && seg_is_date_part(st->text, st->tok[i - 1]) && i + 1 < st->n &&
          seg_is_year(st->text, st->tok[i + 1]))))
        return KEEP;
    return SPLIT_AFTER;
}

/* Whether the sentence ends after token i and the marks-only tokens i+1..j-1. */
static seg_decision seg_decide(const seg_split_state *st, size_t i, size_t j)
{
    const char *text = st->text;
    size_t a = st->tok[i].start > st->cur_start ? st->tok[i].start : st->cur_start;
    seg_end_marks own;
    seg_end_marks group = {0, 0, false, false};
    seg_next_word next;
    size_t stem;

    if (j >= st->n || st->depth > 0 || !st->cur_has_word)
        return KEEP;
    seg_end_marks_of(text, st->len, a, st->tok[i].end, &own);
    for (size_t k = i + 1; k < j; k++) {
        seg_end_marks m;
        seg_end_marks_of(text, st->len, st->tok[k].start, st->tok[k].end, &m);
        group.periods += m.periods;
        group.strong = group.strong || m.strong;
        group.ellipsis = group.ellipsis || m.ellipsis;
    }
    if (own.periods + group.periods == 0 && !own.strong && !group.strong && !own.ellipsis &&
        !group.ellipsis)
        return KEEP;
    stem = seg_skip_openers(st->s, text, st->len, a, own.stem_end);
    /* Marks inside brackets, "[...]", stand for something left out. */
    if (own.stem_end > a && seg_bracket_id(utf8_at(text, st->len, utf8_start_before(text, own.stem_end),
                                               NULL)) > 0)
        return KEEP;
    seg_next_word_of(st, j, &next);
    if (own.strong || group.strong) {
        /* The openers skipped may run past the stem ("(!"): no word then. */
        unsigned kinds = stem < own.stem_end
                             ? seg_word_kinds(st->s, text + stem, own.stem_end - stem)
                             : 0;
        /* A name written with "!" ("Yahoo!") ends a sentence as an abbreviation does. */
        if ((kinds & KIND_BANG) && !group.strong && own.periods == 0)
            return next.cls == NEXT_UPPER &&
                           (seg_word_kinds(st->s, text + next.start, next.length) & KIND_STARTER)
                       ? SPLIT_AFTER
                       : KEEP;
        /* "are you kidding? why would you": a language that writes informally
         * may start a sentence in lower case after ! or ?, but not after a
         * closing quote ("'Stop!' he said"). */
        if (next.cls == NEXT_LOWER && st->informal && !own.ellipsis && !group.ellipsis &&
            group.periods == 0 && !seg_group_has_quote(st, i, j))
            return SPLIT_AFTER;
        if (next.cls == NEXT_UPPER && seg_group_has_quote(st, i, j) && seg_speaker_follows(st, j))
            return KEEP;  /* "'Great!' Anna said." */
        return next.cls == NEXT_LOWER || next.cls == NEXT_CLAUSE ? KEEP : SPLIT_AFTER;
    }
    if (own.ellipsis || group.ellipsis || own.periods + group.periods >= 2) {
        /* "compounds. . . . The practice": the period ends the sentence and
         * the spaced ellipsis marks an omission at the start of the next. */
        if (own.periods == 1 && !own.ellipsis && j > i + 1 && next.cls == NEXT_UPPER &&
            seg_after_period(st, i, stem, own.stem_end, &next) == SPLIT_AFTER)
            return SPLIT_BEFORE_MARKS;
        if (next.cls != NEXT_UPPER && next.cls != NEXT_CASELESS)
            return KEEP;
        /* "I thought... I would go." is one sentence, "I'm tired... I'm off." two. */
        if (seg_word_kinds(st->s, text + next.start, next.length) & KIND_CONTINUER)
            return stem < own.stem_end &&
                           (seg_word_kinds(st->s, text + stem, own.stem_end - stem) &
                            KIND_UNFINISHED)
                       ? KEEP
                       : SPLIT_AFTER;
        /* Informal writing uses runs of two or four and more periods as a pause
         * ("the best.. Italian music", "escaped.... NEED HELP"). */
        return st->informal && !own.ellipsis && !group.ellipsis &&
                       (own.periods + group.periods == 2 || own.periods + group.periods >= 4)
                   ? KEEP
                   : SPLIT_AFTER;
    }
    return seg_after_period(st, i, stem, own.stem_end, &next);
}

/* Appends text[start..end), without blanks at its end, to s->spans. */
static bool seg_span_push(seg *s, const char *text, size_t start, size_t end)
{
    while (end > start && seg_is_blank(text[end - 1]))
        end--;
    if (end == start)
        return true;
    if (!VEC_RESERVE(s->spans, s->spans.count + 1))
        return false;
    s->spans.items[s->spans.count].start = start;
    s->spans.items[s->spans.count].end = end;
    s->spans.count++;
    return true;
}

/* The byte where the first `chars` characters of text[start..end) end. */
static size_t seg_skip_chars(const char *text, size_t start, size_t end, size_t chars)
{
    size_t p = start;
    while (p < end && chars > 0) {
        p++;
        while (p < end && ((unsigned char)text[p] & 0xC0u) == 0x80u)
            p++;
        chars--;
    }
    return p;
}

/* Full-width clause marks, after which a piece of CJK text may be cut: 、，；： */
static bool seg_is_wide_clause_mark(const char *text, size_t q, size_t start)
{
    static const char *const marks[] = {"\xE3\x80\x81", "\xEF\xBC\x8C", "\xEF\xBC\x9B",
                                        "\xEF\xBC\x9A"};
    if (q - start < 3)
        return false;
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (memcmp(text + q - 3, marks[i], 3) == 0)
            return true;
    return false;
}

/*
 * Where to cut text[start..end) so that the piece holds at most max
 * characters: after clause punctuation, else at a space, else between two
 * characters - never inside one.
 */
static size_t seg_cap_cut(const char *text, size_t start, size_t end, size_t max)
{
    size_t limit = seg_skip_chars(text, start, end, max);
    size_t floor = seg_skip_chars(text, start, end, max / 4); /* shorter pieces are not worth a clause cut */
    size_t comma = 0;
    size_t space = 0;

    for (size_t q = limit; q > floor; q--) {
        unsigned char c = (unsigned char)text[q - 1];
        bool space_after = q < end && text[q] == ' ';
        if (q < end && ((unsigned char)text[q] & 0xC0u) == 0x80u)
            continue;  /* q is inside a character */
        if ((c == ';' || c == ':') && space_after)
            return q;
        /* After an em or en dash, spaced or not. */
        if (q - start >= 3 && (unsigned char)text[q - 3] == 0xE2u &&
            (unsigned char)text[q - 2] == 0x80u && (c == 0x94u || c == 0x93u))
            return q;
        if (!comma && ((c == ',' && space_after) || seg_is_wide_clause_mark(text, q, start)))
            comma = q;
        if (c == ' ' && !space)
            space = q - 1;
    }
    return comma ? comma : space ? space : limit;
}

/* Appends a sentence to s->spans, cut into pieces of at most s->max_chars. */
static bool seg_cap_push(seg *s, const char *text, seg_span sp)
{
    size_t start = sp.start;
    while (seg_skip_chars(text, start, sp.end, s->max_chars) < sp.end) {
        size_t cut = seg_cap_cut(text, start, sp.end, s->max_chars);
        if (!seg_span_push(s, text, start, cut))
            return false;
        start = cut;
        while (start < sp.end && seg_is_blank(text[start]))
            start++;
    }
    return seg_span_push(s, text, start, sp.end);
}

static bool seg_tokenize(seg *s, const char *text, size_t len)
{
    size_t p = 0;
    s->toks.count = 0;
    while (p < len) {
        size_t start;
        while (p < len && seg_is_blank(text[p]))
            p++;
        if (p == len)
            break;
        start = p;
        while (p < len && !seg_is_blank(text[p]))
            p++;
        if (!VEC_RESERVE(s->toks, s->toks.count + 1))
            return false;
        s->toks.items[s->toks.count].start = start;
        s->toks.items[s->toks.count].end = p;
        s->toks.count++;
    }
    return true;
}

/*
 * Units of web and e-mail writing that stand on a line of their own, and
 * so end a sentence without an end mark when the lines are joined:
 * - a greeting or closing of a few words ending in a comma, before a
 *   capitalised word ("Hi, Yes it is", "Warm regards, Bill");
 * - a web address that a sentence starts with, before a capitalised word,
 *   or a lower-case one when it is a pasted link with its scheme or the
 *   text is informal ("http://example.org/ try this").
 * Token i is a token of the current sentence with no end marks after it.
 */
static bool seg_unit_ends(const seg_split_state *st, size_t i)
{
    const char *text = st->text;
    seg_tok t = st->tok[i];
    seg_next_word next;
    bool first = i == st->cur_first && st->cur_start == t.start;

    seg_next_word_of(st, i + 1, &next);
    /* A pasted link (with its scheme) is a line of its own even before a
     * lower-case word; a site's name ("www.example.org is") only in informal text. */
    if (first && seg_token_is_link(text, t))
        return next.cls == NEXT_UPPER ||
               (next.cls == NEXT_LOWER && (st->informal || memchr(text + t.start, ':', t.end - t.start)));
    if (text[t.end - 1] != ',' || next.cls != NEXT_UPPER || i - st->cur_first > 2 ||
        st->cur_start != st->tok[st->cur_first].start)
        return false;
    for (size_t k = st->cur_first; k <= i; k++)
        if (seg_token_word_kinds(st, k) & KIND_GREETING)
            return true;
    return false;
}

/*
 * True when the paragraph is written informally, as in chat, e-mail and
 * comments: for a language whose data lists `informal` words, the paragraph
 * starts with a lower-case letter or holds one of those words as written
 * ("i", "dont"). Such text may start a sentence in lower case.
 */
static bool seg_is_informal(const seg_split_state *st)
{
    size_t p;
    if (!st->s->has_informal)
        return false;
    p = seg_skip_openers(st->s, st->text, st->len, st->tok[0].start, st->tok[0].end);
    if (p < st->tok[0].end && !seg_token_is_link(st->text, st->tok[0]) &&
        utf8_case_of(utf8_at(st->text, st->len, p, NULL)) == UTF8_CASE_LOWER)
        return true;
    for (size_t i = 0; i < st->n; i++) {
        seg_tok t = st->tok[i];
        size_t a = seg_skip_openers(st->s, st->text, st->len, t.start, t.end);
        /* Hashtags. */
        if (t.end - t.start >= 2 && st->text[t.start] == '#' && ascii_is_alpha(st->text[t.start + 1]))
            return true;
        /* Marks that careful writing does not use: "..", "!?", "?!", "!!", "??". */
        for (size_t q = t.start; q + 1 < t.end; q++) {
            char c = st->text[q];
            char d = st->text[q + 1];
            if (((c == '!' || c == '?') && (d == '!' || d == '?')) ||
                (c == '.' && d == '.' && (q == t.start || st->text[q - 1] != '.') &&
                 (q + 2 == t.end || st->text[q + 2] != '.') && q > t.start))
                return true;
        }
        size_t b = a;
        const seg_word *w;
        while (b < t.end && (ascii_is_alpha(st->text[b]) || st->text[b] == '\''))
            b++;
        w = b > a && b - a <= WORD_MAX ? seg_word_find(st->s, st->text + a, b - a) : NULL;
        if (w && (w->kinds & KIND_INFORMAL))
            return true;
    }
    return false;
}

/* The boundary pass: fills s->raw. */
static bool seg_find_sentences(seg *s, const char *text, size_t len)
{
    seg_split_state st;
    memset(&st, 0, sizeof st);
    st.s = s;
    st.text = text;
    st.len = len;
    st.tok = s->toks.items;
    st.n = s->toks.count;
    st.cur_start = st.tok[0].start;
    st.informal = seg_is_informal(&st);
    st.dq_total = seg_count_dquotes(text, 0, len);
    seg_list_init(&st);

    for (size_t i = 0; i < st.n;) {
        size_t j = i + 1;
        seg_decision d;
        if (seg_list_item_at(&st, i) && i > st.cur_first && st.cur_has_word &&
            !seg_push_sentence(&st, st.tok[i - 1].end, st.tok[i].start, i))
            return false;
        if (!seg_scan_token(&st, i))
            return false;
        while (j < st.n && seg_joins_end_marks(&st, j)) {
            if (!seg_scan_token(&st, j))
                return false;
            j++;
        }
        d = seg_decide(&st, i, j);
        if (d == KEEP && j == i + 1 && j < st.n && st.depth == 0 && seg_unit_ends(&st, i))
            d = SPLIT_AFTER;
        if (d == SPLIT_AFTER && !seg_push_sentence(&st, st.tok[j - 1].end, st.tok[j].start, j))
            return false;
        if (d == SPLIT_BEFORE_MARKS && !seg_push_sentence(&st, st.tok[i].end, st.tok[i + 1].start, i + 1))
            return false;
        i = j;
    }
    /* What is left - or trailing marks without a word - closes the paragraph. */
    if (!st.cur_has_word && s->raw.count > 0) {
        s->raw.items[s->raw.count - 1].end = st.tok[st.n - 1].end;
        return true;
    }
    return seg_push_sentence(&st, st.tok[st.n - 1].end, len, st.n);
}

aloud_status seg_split(seg *s, const char *text, size_t length, const seg_span **spans,
                       size_t *count)
{
    s->raw.count = 0;
    s->spans.count = 0;
    *spans = NULL;
    *count = 0;
    if (!seg_tokenize(s, text, length))
        return ALOUD_ERR_NOMEM;
    if (s->toks.count == 0)
        return ALOUD_OK;
    if (!seg_mark_brackets(s, text, length) || !seg_find_sentences(s, text, length))
        return ALOUD_ERR_NOMEM;
    for (size_t i = 0; i < s->raw.count; i++)
        if (!seg_cap_push(s, text, s->raw.items[i]))
            return ALOUD_ERR_NOMEM;
    *spans = s->spans.items;
    *count = s->spans.count;
    return ALOUD_OK;
}
