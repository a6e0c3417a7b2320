/*
 * lexicon.c - user pronunciations: lexicon files (format in
 * voices/lexicon/README.md) and their replacement in a sentence.
 *
 * Matching is by hash on the first word: each entry is filed under the
 * case-folded first run of word characters of its match (or its first
 * character, when that is punctuation), and a sentence is read once, word
 * by word, trying only the entries filed under the word at hand, longest
 * first. A lexicon of thousands of entries costs about as much per word as
 * one of ten.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aloud.h"
#include "ascii.h"
#include "file_read.h"
#include "lexicon.h"
#include "text_norm.h"
#include "vec.h"

/* A lexicon file may hold at most this many bytes. */
#define LEXICON_FILE_MAX (16u << 20)

typedef struct lexicon_entry {
    char *match;           /* blanks collapsed; one block with the replacement */
    size_t match_len;
    char *replacement;     /* blanks collapsed, a space before an inner "[[" */
    size_t replacement_len;
    const char *file;      /* owned by the lexicon's file list */
    unsigned line;
    unsigned column;       /* where the match starts on its line */
    bool exact_case;       /* "==": matches only as written */
    bool word_first;       /* the match starts with a word character */
    bool word_last;        /* ... and ends with one */
    uint32_t key;          /* hash of the folded first word (see lexicon_key_hash) */
    size_t fired;
    size_t pending;
} lexicon_entry;

struct aloud_lexicon {
    lexicon_entry *entries;
    size_t count;
    size_t cap;
    char **files;
    size_t file_count;
    size_t file_cap;
    /* The index, rebuilt when entries were added: entry numbers grouped by bucket. */
    size_t *order;
    size_t *bucket_start;  /* bucket_count + 1 offsets into order */
    size_t bucket_count;   /* a power of two; 0 when the index is stale */
    bool punct_keys;       /* some match starts with punctuation */
};

/* ------------------------------------------------------------- characters */

/*
 * Lower case for the scripts where aloud knows case (ASCII, Latin-1, Latin
 * Extended-A, Greek, Cyrillic). Keeps the length in UTF-8.
 */
static uint32_t lexicon_fold(uint32_t cp)
{
    if (ascii_is_upper(cp))
        return cp + 32;
    if (cp < 0xC0)
        return cp;
    if (cp <= 0xDE)
        return cp == 0xD7 ? cp : cp + 32;
    if (cp >= 0x100 && cp <= 0x137)
        return cp == 0x130 ? cp : cp | 1u;
    if (cp >= 0x139 && cp <= 0x148)
        return (cp & 1u) ? cp + 1 : cp;
    if (cp >= 0x14A && cp <= 0x177)
        return cp | 1u;
    if (cp == 0x178)
        return 0xFF;
    if (cp >= 0x179 && cp <= 0x17E)
        return (cp & 1u) ? cp + 1 : cp;
    if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2)
        return cp + 32;
    if (cp == 0x386)
        return 0x3AC;
    if (cp >= 0x388 && cp <= 0x38A)
        return cp + 37;
    if (cp == 0x38C)
        return 0x3CC;
    if (cp == 0x38E || cp == 0x38F)
        return cp + 63;
    if (cp >= 0x410 && cp <= 0x42F)
        return cp + 32;
    if (cp >= 0x400 && cp <= 0x40F)
        return cp + 80;
    return cp;
}

static uint32_t lexicon_hash_mix(uint32_t h, uint32_t cp)
{
    return (h ^ cp) * 16777619u;
}

/*
 * The key at s[p..n) (p < n): the case-folded run of word characters that
 * starts there, or the one character when it is not a word character.
 * *key_end is where the key ends.
 */
static uint32_t lexicon_key_hash(const char *s, size_t n, size_t p, size_t *key_end)
{
    uint32_t h = 2166136261u;
    size_t len;
    uint32_t cp = utf8_at(s, n, p, &len);
    if (!utf8_is_word_char(cp)) {
        *key_end = p + len;
        return lexicon_hash_mix(h, cp);
    }
    while (p < n) {
        cp = utf8_at(s, n, p, &len);
        if (!utf8_is_word_char(cp))
            break;
        h = lexicon_hash_mix(h, lexicon_fold(cp));
        p += len;
    }
    *key_end = p;
    return h;
}

/* Characters that join a word to the next one in an address ("natanz.ir", "x_y"). */
static bool lexicon_glues_right(uint32_t cp)
{
    return cp == '.' || cp == '/' || cp == '@' || cp == '_' || cp == ':';
}

/* ...and to the one before ("www.natanz", "@natanz", "#natanz"). */
static bool lexicon_glues_left(uint32_t cp)
{
    return cp == '.' || cp == '/' || cp == '_' || cp == ':';
}

/* ------------------------------------------------------------------- index */

typedef struct lexicon_slot {
    size_t bucket;
    size_t length;
    bool exact_case;
    size_t index;
} lexicon_slot;

/* By bucket; within one, longest match first, exact case first, last loaded first. */
static int lexicon_slot_cmp(const void *pa, const void *pb)
{
    const lexicon_slot *a = pa;
    const lexicon_slot *b = pb;
    if (a->bucket != b->bucket)
        return a->bucket < b->bucket ? -1 : 1;
    if (a->length != b->length)
        return a->length > b->length ? -1 : 1;
    if (a->exact_case != b->exact_case)
        return a->exact_case ? -1 : 1;
    return a->index > b->index ? -1 : a->index < b->index ? 1 : 0;
}

static bool lexicon_index_build(aloud_lexicon *lex)
{
    size_t buckets = 16;
    lexicon_slot *slots;
    size_t *order;
    size_t *starts;

    while (buckets < lex->count * 2) {
        if (buckets > SIZE_MAX / 4)
            return false;
        buckets *= 2;
    }
    if (lex->count > SIZE_MAX / sizeof *slots || buckets + 1 > SIZE_MAX / sizeof *starts)
        return false;
    slots = malloc((lex->count ? lex->count : 1) * sizeof *slots);
    order = malloc((lex->count ? lex->count : 1) * sizeof *order);
    starts = calloc(buckets + 1, sizeof *starts);
    if (!slots || !order || !starts) {
        free(slots);
        free(order);
        free(starts);
        return false;
    }
    lex->punct_keys = false;
    for (size_t i = 0; i < lex->count; i++) {
        const lexicon_entry *e = &lex->entries[i];
        slots[i].bucket = e->key & (buckets - 1);
        slots[i].length = e->match_len;
        slots[i].exact_case = e->exact_case;
        slots[i].index = i;
        if (!e->word_first)
            lex->punct_keys = true;
    }
    qsort(slots, lex->count, sizeof *slots, lexicon_slot_cmp);
    for (size_t i = 0; i < lex->count; i++) {
        order[i] = slots[i].index;
        starts[slots[i].bucket + 1]++;
    }
    for (size_t b = 0; b < buckets; b++)
        starts[b + 1] += starts[b];
    free(slots);
    free(lex->order);
    free(lex->bucket_start);
    lex->order = order;
    lex->bucket_start = starts;
    lex->bucket_count = buckets;
    return true;
}

/* ---------------------------------------------------------------- matching */

/*
 * True when entry e matches t[p..n) and ends at a word boundary; *end is
 * where the match ends in t. The start boundary is the caller's.
 */
static bool lexicon_entry_matches(const lexicon_entry *e, const char *t, size_t n, size_t p, size_t *end)
{
    size_t i = 0;
    size_t q = p;
    while (i < e->match_len) {
        size_t la;
        size_t lb;
        uint32_t a;
        uint32_t b;
        if (q >= n)
            return false;
        a = utf8_at(e->match, e->match_len, i, &la);
        b = utf8_at(t, n, q, &lb);
        if (a != b && (e->exact_case || lexicon_fold(a) != lexicon_fold(b)))
            return false;
        i += la;
        q += lb;
    }
    if (q < n) {
        size_t len;
        uint32_t next = utf8_at(t, n, q, &len);
        if (utf8_is_word_char(next))
            return false;
        if (e->word_last && lexicon_glues_right(next) && q + len < n &&
            utf8_is_word_char(utf8_at(t, n, q + len, &len)))
            return false;
    }
    *end = q;
    return true;
}

/* Phonemes for a possessive after phonemes ending in `last`: "-'s" is /Iz/, /s/ or /z/. */
static const char *lexicon_possessive_phonemes(const char *ph, size_t n)
{
    while (n > 0 && !ascii_is_alpha(ph[n - 1]))
        n--;
    if (n == 0)
        return "z";
    switch (ph[n - 1]) {
    case 's': case 'z': case 'S': case 'Z':
        return "I#z";
    case 'p': case 't': case 'k': case 'f': case 'T': case 'x':
        return "s";
    default:
        return "z";
    }
}

/* Length of "'s" or "’s" at t[q..n) ending a word, else 0. */
static size_t lexicon_possessive_at(const char *t, size_t n, size_t q)
{
    size_t k = 0;
    size_t len;
    if (q < n && t[q] == '\'')
        k = 1;
    else if (q + 3 <= n && memcmp(t + q, "\xE2\x80\x99", 3) == 0)
        k = 3;
    if (k == 0 || q + k >= n || t[q + k] != 's')
        return 0;
    k++;
    if (q + k < n && utf8_is_word_char(utf8_at(t, n, q + k, &len)))
        return 0;
    return k;
}

/* Appends entry e's replacement for the match t[..end); returns where the text goes on. */
static bool lexicon_put_replacement(lexicon_entry *e, const char *t, size_t n, size_t *end,
                            speak_buf *out)
{
    size_t start;
    const char *r = e->replacement;
    size_t rn = e->replacement_len;
    bool phonemes_last = rn >= 4 && memcmp(r + rn - 2, "]]", 2) == 0;
    size_t poss = phonemes_last ? lexicon_possessive_at(t, n, *end) : 0;

    /* espeak-ng drops a phoneme block that follows "(" or a quote directly. */
    if (rn >= 2 && r[0] == '[' && r[1] == '[' && out->length > 0 &&
        out->data[out->length - 1] != ' ' && !speak_buf_append(out, " ", 1))
        return false;
    start = out->length;
    if (poss) {
        const char *ph = lexicon_possessive_phonemes(r, rn - 2);
        if (!speak_buf_append(out, r, rn - 2) || !speak_buf_append(out, ph, strlen(ph)) ||
            !speak_buf_append(out, "]]", 2))
            return false;
        *end += poss;
    } else if (!speak_buf_append(out, r, rn)) {
        return false;
    }
    if (!speak_buf_keep(out, start, out->length))
        return false;
    e->pending++;
    return true;
}

bool lexicon_apply(aloud_lexicon *lex, const char *text, size_t length, speak_buf *out)
{
    size_t p = 0;
    uint32_t prev = ' ';
    uint32_t prev2 = ' ';

    if (!lex || lex->count == 0)
        return speak_buf_append(out, text, length);
    if (lex->bucket_count == 0 && !lexicon_index_build(lex))
        return false;
    while (p < length) {
        size_t len;
        size_t key_end;
        uint32_t cp = utf8_at(text, length, p, &len);
        bool word = utf8_is_word_char(cp);
        bool try_here;

        if (word)
            try_here = !utf8_is_word_char(prev) && prev != '@' && prev != '#' &&
                       !(lexicon_glues_left(prev) && utf8_is_word_char(prev2));
        else
            try_here = cp != ' ' && lex->punct_keys && !utf8_is_word_char(prev);
        if (try_here) {
            uint32_t h = lexicon_key_hash(text, length, p, &key_end);
            size_t b = h & (lex->bucket_count - 1);
            bool replaced = false;
            for (size_t k = lex->bucket_start[b]; k < lex->bucket_start[b + 1]; k++) {
                lexicon_entry *e = &lex->entries[lex->order[k]];
                size_t end;
                if (e->key != h || e->word_first != word || !lexicon_entry_matches(e, text, length, p, &end))
                    continue;
                if (!lexicon_put_replacement(e, text, length, &end, out))
                    return false;
                {
                    /* The last two characters read, for the next word's start. */
                    size_t last = utf8_start_before(text, end);
                    prev2 = last > p ? utf8_before(text, last, NULL) : prev;
                    prev = utf8_before(text, end, NULL);
                }
                p = end;
                replaced = true;
                break;
            }
            if (replaced)
                continue;
        }
        if (word) {
            /* Copy the whole word: no match starts inside it. */
            size_t q = p;
            while (q < length) {
                uint32_t c = utf8_at(text, length, q, &len);
                if (!utf8_is_word_char(c))
                    break;
                prev2 = prev;
                prev = c;
                q += len;
            }
            if (!speak_buf_append(out, text + p, q - p))
                return false;
            p = q;
        } else {
            if (!speak_buf_append(out, text + p, len))
                return false;
            prev2 = prev;
            prev = cp;
            p += len;
        }
    }
    return true;
}

void lexicon_commit(aloud_lexicon *lex, bool keep)
{
    if (!lex)
        return;
    for (size_t i = 0; i < lex->count; i++) {
        if (keep)
            lex->entries[i].fired += lex->entries[i].pending;
        lex->entries[i].pending = 0;
    }
}

/* ----------------------------------------------------------------- parsing */

/* The 1-based column of byte `off` of a line. */
static unsigned lexicon_column_of(const char *line, size_t off)
{
    unsigned col = 1;
    for (size_t i = 0; i < off; i++)
        col += ((unsigned char)line[i] & 0xC0u) != 0x80u;
    return col;
}

static bool lexicon_is_blank_at(const char *s, size_t n, size_t p, size_t *len)
{
    return text_classify(utf8_at(s, n, p, len)) == TEXT_SPACE;
}

/* s[a..b) without blanks at either end. */
static void lexicon_trim(const char *s, size_t n, size_t *a, size_t *b)
{
    size_t len;
    while (*a < *b && lexicon_is_blank_at(s, n, *a, &len))
        *a += len;
    while (*b > *a) {
        size_t q = *b;
        do
            q--;
        while (q > *a && ((unsigned char)s[q] & 0xC0u) == 0x80u);
        if (!lexicon_is_blank_at(s, n, q, &len))
            break;
        *b = q;
    }
}

/*
 * Copies s[a..b) to dst with each run of blanks as one space and, when
 * `phonemes`, a space before each "[[" that does not start the text or
 * follow one. Returns the length written (dst has room for 2 * (b - a)).
 */
static size_t lexicon_collapse(const char *s, size_t n, size_t a, size_t b, bool phonemes, char *dst)
{
    size_t k = 0;
    bool blank = false;
    while (a < b) {
        size_t len;
        if (lexicon_is_blank_at(s, n, a, &len)) {
            blank = true;
            a += len;
            continue;
        }
        if (blank || (phonemes && k > 0 && dst[k - 1] != ' ' && a + 1 < b && s[a] == '[' &&
                      s[a + 1] == '[' && !(k >= 1 && dst[k - 1] == '[')))
            dst[k++] = ' ';
        blank = false;
        memcpy(dst + k, s + a, len);
        k += len;
        a += len;
    }
    return k;
}

/* Checks the "[[...]]" blocks of a replacement s[a..b) of a line. */
static aloud_status lexicon_check_phonemes(const char *s, size_t n, size_t a, size_t b, unsigned lineno,
                                   aloud_error *err)
{
    bool open = false;
    size_t open_at = 0;
    bool content = false;
    size_t p = a;
    while (p < b) {
        size_t len;
        uint32_t cp = utf8_at(s, n, p, &len);
        if (p + 1 < b && s[p] == '[' && s[p + 1] == '[') {
            if (open)
                return aloud_error_set(err, ALOUD_ERR_LEXICON, lineno, lexicon_column_of(s, p),
                                       "\"[[\" inside a phoneme block");
            open = true;
            open_at = p;
            content = false;
            p += 2;
            continue;
        }
        if (p + 1 < b && s[p] == ']' && s[p + 1] == ']') {
            if (!open)
                return aloud_error_set(err, ALOUD_ERR_LEXICON, lineno, lexicon_column_of(s, p),
                                       "\"]]\" without \"[[\"");
            if (!content)
                return aloud_error_set(err, ALOUD_ERR_LEXICON, lineno, lexicon_column_of(s, open_at),
                                       "empty phoneme block \"[[]]\"");
            open = false;
            p += 2;
            continue;
        }
        if (open) {
            if (cp >= 0x80)
                return aloud_error_set(err, ALOUD_ERR_LEXICON, lineno, lexicon_column_of(s, p),
                                       "phonemes are ASCII (espeak-ng's phoneme mnemonics), "
                                       "not U+%04X",
                                       (unsigned)cp);
            if (cp == '[' || cp == ']')
                return aloud_error_set(err, ALOUD_ERR_LEXICON, lineno, lexicon_column_of(s, p),
                                       "a single \"%c\" inside a phoneme block", (char)cp);
            if (text_classify(cp) != TEXT_SPACE)
                content = true;
        }
        p += len;
    }
    if (open)
        return aloud_error_set(err, ALOUD_ERR_LEXICON, lineno, lexicon_column_of(s, open_at),
                               "\"[[\" without \"]]\"");
    return ALOUD_OK;
}

/* Adds the entry of one line s[0..n) (line number lineno); blank and comment lines add none. */
static aloud_status lexicon_parse_line(aloud_lexicon *lex, const char *file, const char *s, size_t n,
                               unsigned lineno, aloud_error *err)
{
    size_t a = 0;
    size_t b = n;
    size_t eq;
    size_t ma;
    size_t mb;
    size_t ra;
    size_t rb;
    bool exact;
    aloud_status st;
    lexicon_entry *e;
    char *block;
    size_t key_end;
    size_t len;

    lexicon_trim(s, n, &a, &b);
    if (a == b || s[a] == '#')
        return ALOUD_OK;
    for (size_t p = a; p < b; p += len) {
        uint32_t cp = utf8_at(s, n, p, &len);
        text_class k = text_classify(cp);
        if (k == TEXT_DROP || k == TEXT_LINE || k == TEXT_PARA)
            return aloud_error_set(err, ALOUD_ERR_LEXICON, lineno, lexicon_column_of(s, p),
                                   "control or invisible character U+%04X", (unsigned)cp);
    }
    for (eq = a; eq < b && s[eq] != '='; eq++)
        ;
    if (eq == b)
        return aloud_error_set(err, ALOUD_ERR_LEXICON, lineno, lexicon_column_of(s, b),
                               "missing \"=\" between the word and its replacement");
    exact = eq + 1 < b && s[eq + 1] == '=';
    ma = a;
    mb = eq;
    lexicon_trim(s, n, &ma, &mb);
    if (ma == mb)
        return aloud_error_set(err, ALOUD_ERR_LEXICON, lineno, lexicon_column_of(s, eq),
                               "nothing to match before \"%s\"", exact ? "==" : "=");
    ra = eq + (exact ? 2 : 1);
    rb = b;
    lexicon_trim(s, n, &ra, &rb);
    if (ra == rb)
        return aloud_error_set(err, ALOUD_ERR_LEXICON, lineno, lexicon_column_of(s, eq + (exact ? 2 : 1)),
                               "no replacement after \"%s\"", exact ? "==" : "=");
    st = lexicon_check_phonemes(s, n, ra, rb, lineno, err);
    if (st != ALOUD_OK)
        return st;

    if (!vec_reserve(&lex->entries, &lex->cap, lex->count + 1, sizeof *lex->entries, 32))
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    /* Collapsing never grows the match; a replacement at most doubles. */
    block = malloc((mb - ma) + 1 + 2 * (rb - ra) + 1);
    if (!block)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    e = &lex->entries[lex->count];
    memset(e, 0, sizeof *e);
    e->match = block;
    e->match_len = lexicon_collapse(s, n, ma, mb, false, block);
    block[e->match_len] = '\0';
    e->replacement = block + e->match_len + 1;
    e->replacement_len = lexicon_collapse(s, n, ra, rb, true, e->replacement);
    e->replacement[e->replacement_len] = '\0';
    e->file = file;
    e->line = lineno;
    e->column = lexicon_column_of(s, ma);
    e->exact_case = exact;
    e->word_first = utf8_is_word_char(utf8_at(e->match, e->match_len, 0, &len));
    e->word_last = utf8_is_word_char(utf8_before(e->match, e->match_len, NULL));
    e->key = lexicon_key_hash(e->match, e->match_len, 0, &key_end);
    lex->count++;
    return ALOUD_OK;
}

/* Orders entries by case flag, then match (case-folded unless exact). */
static int lexicon_match_cmp(const lexicon_entry *a, const lexicon_entry *b)
{
    size_t i = 0;
    size_t j = 0;
    if (a->exact_case != b->exact_case)
        return a->exact_case ? 1 : -1;
    while (i < a->match_len && j < b->match_len) {
        size_t la;
        size_t lb;
        uint32_t x = utf8_at(a->match, a->match_len, i, &la);
        uint32_t y = utf8_at(b->match, b->match_len, j, &lb);
        if (!a->exact_case) {
            x = lexicon_fold(x);
            y = lexicon_fold(y);
        }
        if (x != y)
            return x < y ? -1 : 1;
        i += la;
        j += lb;
    }
    if (i < a->match_len || j < b->match_len)
        return i < a->match_len ? 1 : -1;
    return 0;
}

/* lexicon_match_cmp, then by line. */
static int lexicon_dup_cmp(const void *pa, const void *pb)
{
    const lexicon_entry *a = *(const lexicon_entry *const *)pa;
    const lexicon_entry *b = *(const lexicon_entry *const *)pb;
    int c = lexicon_match_cmp(a, b);
    if (c != 0)
        return c;
    return a->line < b->line ? -1 : a->line > b->line ? 1 : 0;
}

/* Entries [first, count) of one file: the same match twice is an error. */
static aloud_status lexicon_check_duplicates(aloud_lexicon *lex, size_t first, aloud_error *err)
{
    size_t n = lex->count - first;
    const lexicon_entry **sorted;
    const lexicon_entry *dup = NULL;
    const lexicon_entry *orig = NULL;
    if (n < 2)
        return ALOUD_OK;
    sorted = malloc(n * sizeof *sorted);
    if (!sorted)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    for (size_t i = 0; i < n; i++)
        sorted[i] = &lex->entries[first + i];
    qsort(sorted, n, sizeof *sorted, lexicon_dup_cmp);
    /* Report the earliest line that repeats an entry, against the entry's first line. */
    for (size_t i = 1; i < n; i++) {
        if (lexicon_match_cmp(sorted[i - 1], sorted[i]) == 0 && (!dup || sorted[i]->line < dup->line)) {
            size_t k = i - 1;
            while (k > 0 && lexicon_match_cmp(sorted[k - 1], sorted[i]) == 0)
                k--;
            dup = sorted[i];
            orig = sorted[k];
        }
    }
    free(sorted);
    if (dup)
        return aloud_error_set(err, ALOUD_ERR_LEXICON, dup->line, dup->column,
                               "\"%.100s\" is already on line %u", dup->match, orig->line);
    return ALOUD_OK;
}

static void lexicon_drop_entries(aloud_lexicon *lex, size_t first)
{
    while (lex->count > first)
        free(lex->entries[--lex->count].match);
}

aloud_status lexicon_parse(aloud_lexicon *lex, const char *name, const char *data, size_t size,
                           aloud_error *err)
{
    size_t first;
    size_t p;
    unsigned lineno = 1;
    char *file;
    aloud_status st;

    if (!lex || (!data && size > 0))
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no lexicon or no data");
    if (!data)
        data = "";
    st = utf8_validate(data, size, err);
    if (st != ALOUD_OK) {
        if (err)
            err->status = ALOUD_ERR_LEXICON;
        return ALOUD_ERR_LEXICON;
    }
    if (!vec_reserve(&lex->files, &lex->file_cap, lex->file_count + 1, sizeof *lex->files, 4))
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    file = malloc(strlen(name ? name : "") + 1);
    if (!file)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    strcpy(file, name ? name : "");
    lex->files[lex->file_count++] = file;

    first = lex->count;
    p = utf8_bom_length(data, size);
    while (p < size && st == ALOUD_OK) {
        size_t q = p;
        while (q < size && data[q] != '\n' && data[q] != '\r')
            q++;
        if (q - p > LEXICON_LINE_MAX) {
            size_t cut = p + LEXICON_LINE_MAX;
            while (((unsigned char)data[cut] & 0xC0u) == 0x80u)
                cut--;
            st = aloud_error_set(err, ALOUD_ERR_LEXICON, lineno, lexicon_column_of(data + p, cut - p),
                                 "line longer than %u bytes", LEXICON_LINE_MAX);
            break;
        }
        st = lexicon_parse_line(lex, file, data + p, q - p, lineno, err);
        if (q < size)
            q += (data[q] == '\r' && q + 1 < size && data[q + 1] == '\n') ? 2 : 1;
        p = q;
        lineno++;
    }
    if (st == ALOUD_OK)
        st = lexicon_check_duplicates(lex, first, err);
    if (st != ALOUD_OK)
        lexicon_drop_entries(lex, first);
    lex->bucket_count = 0;
    return st;
}

/* ------------------------------------------------------------------ public */

aloud_lexicon *aloud_lexicon_create(void)
{
    return calloc(1, sizeof(aloud_lexicon));
}

void aloud_lexicon_free(aloud_lexicon *lex)
{
    if (!lex)
        return;
    lexicon_drop_entries(lex, 0);
    for (size_t i = 0; i < lex->file_count; i++)
        free(lex->files[i]);
    free(lex->files);
    free(lex->entries);
    free(lex->order);
    free(lex->bucket_start);
    free(lex);
}

aloud_status aloud_lexicon_load(aloud_lexicon *lex, const char *path, aloud_error *err)
{
    char *data = NULL;
    size_t size = 0;
    file_read_info info;
    aloud_status st;

    if (!lex || !path)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no lexicon or no path");
    switch (file_read(path, LEXICON_FILE_MAX, NULL, &data, &size, &info)) {
    case FILE_READ_OK:
        break;
    case FILE_READ_OPEN:
        return aloud_error_set(err, ALOUD_ERR_READ, 0, 0, "cannot open the lexicon (%s)",
                               strerror(info.errno_value));
    case FILE_READ_DIRECTORY:
    case FILE_READ_FAILED:
    case FILE_READ_STOPPED: /* not without a stop flag */
    case FILE_READ_BINARY:  /* not in bytes mode: the parser names a NUL */
        return aloud_error_set(err, ALOUD_ERR_READ, 0, 0, "cannot read the lexicon");
    case FILE_READ_CHANGED:
        return aloud_error_set(err, ALOUD_ERR_READ, 0, 0, "the lexicon changed while being read");
    case FILE_READ_TOO_LARGE:
        return aloud_error_set(err, ALOUD_ERR_LEXICON, 0, 0, "the lexicon is larger than %u MiB",
                               LEXICON_FILE_MAX >> 20);
    case FILE_READ_NOMEM:
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    }
    st = lexicon_parse(lex, path, data, size, err);
    free(data);
    return st;
}

size_t aloud_lexicon_entry_count(const aloud_lexicon *lex)
{
    return lex ? lex->count : 0;
}

void aloud_lexicon_entry(const aloud_lexicon *lex, size_t index, aloud_lexicon_entry_info *out)
{
    if (!out)
        return;
    memset(out, 0, sizeof *out);
    if (!lex || index >= lex->count)
        return;
    out->match = lex->entries[index].match;
    out->replacement = lex->entries[index].replacement;
    out->file = lex->entries[index].file;
    out->line = lex->entries[index].line;
    out->fired = lex->entries[index].fired;
}
