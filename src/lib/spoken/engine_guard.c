/*
 * engine_guard.c - makes text safe to hand to espeak-ng 1.51 (see
 * engine_guard.h for the rules and how their limits were measured).
 *
 * Two passes over the sentence: the first drops or replaces the characters
 * of rule 3 (a dropped character can join two words into one, so words are
 * only measured after it), the second cuts long words and digit runs.
 */
#include "ascii.h"
#include "engine_guard.h"

#include <stdlib.h>
#include <string.h>

#include "utf8.h"

_Static_assert(GUARD_DIGITS_MAX >= 2 * GUARD_DIGITS_GROUP_MIN,
               "near-equal groups of a run longer than GUARD_DIGITS_MAX must reach the minimum");
_Static_assert(GUARD_DIGITS_GROUP_MIN > 33, "groups of 33 digits or fewer read as one number");

/* A range of code points rule 3 applies to. `zero` is the code point of the
 * digit zero when the range is decimal digits (replaced by ASCII digits),
 * 0 when the range is dropped. */
typedef struct guard_range {
    uint32_t first, last;
    uint32_t zero;
} guard_range;

/*
 * Rule 3's characters: those that made espeak-ng 1.51 (voice en-us) read
 * freed memory, found by speaking every code point of U+0370..U+11FF,
 * U+A700..U+ABFF and U+D7A4..U+D7FF alone (and part of U+1200..U+1FFF,
 * where it switches no language), each in a child forked from an
 * initialised engine, under valgrind --error-exitcode.
 * Names from Unicode 14. Sorted, disjoint. Found in: Armenian, Devanagari,
 * Bengali, Gurmukhi, Gujarati, Tamil, Kannada, Malayalam, Sinhala,
 * Georgian and Hangul Jamo; none in Greek, Cyrillic, Hebrew, Arabic,
 * Syriac, Thaana, Oriya, Telugu, Thai, Lao, Tibetan, Myanmar or U+A700..
 */
static const guard_range guard_unsafe[] = {
    {0x0558, 0x055A, 0},       /* armenian half ring .. apostrophe, 1 unassigned */
    {0x0560, 0x0560, 0},       /* armenian small letter turned ayb */
    {0x0588, 0x0588, 0},       /* armenian small letter yi with stroke */
    {0x058B, 0x058F, 0},       /* armenian eternity signs, dram sign, 2 unassigned */
    {0x0900, 0x0900, 0},       /* devanagari sign inverted candrabindu */
    {0x0904, 0x0904, 0},       /* devanagari letter short a */
    {0x093A, 0x093B, 0},       /* devanagari vowel sign oe .. ooe */
    {0x094E, 0x094F, 0},       /* devanagari vowel sign prishthamatra e .. aw */
    {0x0953, 0x0957, 0},       /* devanagari grave accent .. vowel sign uue */
    {0x0970, 0x097F, 0},       /* devanagari abbreviation sign .. letter bba */
    {0x09E4, 0x09E5, 0},       /* unassigned */
    {0x09E6, 0x09EF, 0x09E6},  /* bengali digit zero .. nine */
    {0x09F2, 0x09F3, 0},       /* bengali rupee mark .. sign */
    {0x09F7, 0x09F9, 0},       /* bengali currency numerator four .. denominator sixteen */
    {0x09FB, 0x09FB, 0},       /* bengali ganda mark */
    {0x09FD, 0x09FF, 0},       /* bengali abbreviation sign .. sandhi mark, 1 unassigned */
    {0x0A64, 0x0A65, 0},       /* unassigned */
    {0x0A66, 0x0A6F, 0x0A66},  /* gurmukhi digit zero .. nine */
    {0x0A76, 0x0A7F, 0},       /* gurmukhi abbreviation sign, 9 unassigned */
    {0x0AE4, 0x0AE5, 0},       /* unassigned */
    {0x0AE6, 0x0AEF, 0x0AE6},  /* gujarati digit zero .. nine */
    {0x0AF0, 0x0AF8, 0},       /* gujarati abbreviation sign .. rupee sign, 7 unassigned */
    {0x0AFD, 0x0AFF, 0},       /* gujarati sign three-dot nukta above .. two-circle nukta above */
    {0x0B80, 0x0B81, 0},       /* unassigned */
    {0x0B84, 0x0B84, 0},       /* unassigned */
    {0x0B8B, 0x0B8D, 0},       /* unassigned */
    {0x0B91, 0x0B91, 0},       /* unassigned */
    {0x0B96, 0x0B98, 0},       /* unassigned */
    {0x0B9B, 0x0B9B, 0},       /* unassigned */
    {0x0B9D, 0x0B9D, 0},       /* unassigned */
    {0x0BA0, 0x0BA2, 0},       /* unassigned */
    {0x0BA5, 0x0BA7, 0},       /* unassigned */
    {0x0BAB, 0x0BAD, 0},       /* unassigned */
    {0x0BBA, 0x0BBD, 0},       /* unassigned */
    {0x0BC3, 0x0BC5, 0},       /* unassigned */
    {0x0BC9, 0x0BC9, 0},       /* unassigned */
    {0x0BCE, 0x0BCF, 0},       /* unassigned */
    {0x0BD1, 0x0BD6, 0},       /* unassigned */
    {0x0BD8, 0x0BE5, 0},       /* unassigned */
    {0x0BE6, 0x0BEF, 0x0BE6},  /* tamil digit zero .. nine */
    {0x0BFB, 0x0BFF, 0},       /* unassigned */
    {0x0C80, 0x0C81, 0},       /* kannada sign spacing candrabindu .. candrabindu */
    {0x0C84, 0x0C84, 0},       /* kannada sign siddham */
    {0x0C8C, 0x0C8D, 0},       /* kannada letter vocalic l, 1 unassigned */
    {0x0C91, 0x0C91, 0},       /* unassigned */
    {0x0CA9, 0x0CA9, 0},       /* unassigned */
    {0x0CB4, 0x0CB4, 0},       /* unassigned */
    {0x0CBA, 0x0CBB, 0},       /* unassigned */
    {0x0CC5, 0x0CC5, 0},       /* unassigned */
    {0x0CC9, 0x0CC9, 0},       /* unassigned */
    {0x0CCE, 0x0CD4, 0},       /* unassigned */
    {0x0CD7, 0x0CDD, 0},       /* kannada letter nakaara pollu, 6 unassigned */
    {0x0CDF, 0x0CDF, 0},       /* unassigned */
    {0x0CE1, 0x0CE5, 0},       /* kannada vocalic ll letter and sign, 2 unassigned */
    {0x0CE6, 0x0CEF, 0x0CE6},  /* kannada digit zero .. nine */
    {0x0CF0, 0x0D01, 0},       /* kannada signs .. malayalam candrabindu, 14 unassigned */
    {0x0D04, 0x0D04, 0},       /* malayalam letter vedic anusvara */
    {0x0D0C, 0x0D0D, 0},       /* malayalam letter vocalic l, 1 unassigned */
    {0x0D11, 0x0D11, 0},       /* unassigned */
    {0x0D29, 0x0D29, 0},       /* malayalam letter nnna */
    {0x0D3A, 0x0D3C, 0},       /* malayalam letter ttta .. sign circular virama */
    {0x0D45, 0x0D45, 0},       /* unassigned */
    {0x0D49, 0x0D49, 0},       /* unassigned */
    {0x0D4F, 0x0D56, 0},       /* malayalam sign para .. letter chillu lll, 4 unassigned */
    {0x0D58, 0x0D5F, 0},       /* malayalam fractions .. letter archaic ii */
    {0x0D62, 0x0D65, 0},       /* malayalam vowel sign vocalic l .. ll, 2 unassigned */
    {0x0D66, 0x0D6F, 0x0D66},  /* malayalam digit zero .. nine */
    {0x0D70, 0x0D79, 0},       /* malayalam number ten .. date mark */
    {0x0DC7, 0x0DC9, 0},       /* unassigned */
    {0x0DCB, 0x0DCE, 0},       /* unassigned */
    {0x0DD5, 0x0DD5, 0},       /* unassigned */
    {0x0DD7, 0x0DD7, 0},       /* unassigned */
    {0x0DE0, 0x0DE5, 0},       /* unassigned */
    {0x0DE6, 0x0DEF, 0x0DE6},  /* sinhala lith digit zero .. nine */
    {0x0DF0, 0x0DF1, 0},       /* unassigned */
    {0x0DF5, 0x0DFF, 0},       /* unassigned */
    {0x10C6, 0x10C6, 0},       /* unassigned */
    {0x10C8, 0x10CC, 0},       /* unassigned */
    {0x10CE, 0x10CF, 0},       /* unassigned */
    {0x10FB, 0x10FB, 0},       /* georgian paragraph separator */
    {0x1180, 0x11A7, 0},       /* hangul jungseong o-e .. o-yae */
    {0x11C3, 0x11FF, 0},       /* hangul jongseong kiyeok-rieul .. ssangnieun */
};

/* Characters a cut does not go before: combining marks and the dependent
 * signs of the Indic scripts, which belong to the character before them. */
static const guard_range guard_marks[] = {
    {0x0300, 0x036F, 0}, {0x0483, 0x0489, 0}, {0x0591, 0x05BD, 0}, {0x05BF, 0x05C7, 0},
    {0x0610, 0x061A, 0}, {0x064B, 0x065F, 0}, {0x0670, 0x0670, 0}, {0x06D6, 0x06ED, 0},
    {0x0900, 0x0903, 0}, {0x093A, 0x094F, 0}, {0x0951, 0x0957, 0}, {0x0962, 0x0963, 0},
    {0x0981, 0x0983, 0}, {0x09BC, 0x09D7, 0}, {0x09E2, 0x09E3, 0}, {0x0A01, 0x0A03, 0},
    {0x0A3C, 0x0A51, 0}, {0x0A70, 0x0A71, 0}, {0x0A75, 0x0A75, 0}, {0x0A81, 0x0A83, 0},
    {0x0ABC, 0x0ACD, 0}, {0x0AE2, 0x0AE3, 0}, {0x0B01, 0x0B03, 0}, {0x0B3C, 0x0B57, 0},
    {0x0B82, 0x0B82, 0}, {0x0BBE, 0x0BD7, 0}, {0x0C00, 0x0C04, 0}, {0x0C3C, 0x0C56, 0},
    {0x0C81, 0x0C83, 0}, {0x0CBC, 0x0CD6, 0}, {0x0D00, 0x0D03, 0}, {0x0D3B, 0x0D57, 0},
    {0x0D81, 0x0D83, 0}, {0x0DCA, 0x0DDF, 0}, {0x0E31, 0x0E31, 0}, {0x0E34, 0x0E3A, 0},
    {0x0E47, 0x0E4E, 0}, {0x1AB0, 0x1AFF, 0}, {0x1DC0, 0x1DFF, 0}, {0x200C, 0x200D, 0},
    {0x20D0, 0x20FF, 0}, {0xFE00, 0xFE0F, 0}, {0xFE20, 0xFE2F, 0}, {0xE0100, 0xE01EF, 0},
};

/* The range holding cp in a sorted table, or NULL. */
static const guard_range *guard_find(const guard_range *table, size_t count, uint32_t cp)
{
    size_t lo = 0, hi = count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < table[mid].first)
            hi = mid;
        else if (cp > table[mid].last)
            lo = mid + 1;
        else
            return &table[mid];
    }
    return NULL;
}

#define GUARD_COUNT(table) (sizeof(table) / sizeof((table)[0]))

bool guard_keep(uint32_t cp, uint32_t *out)
{
    const guard_range *r = guard_find(guard_unsafe, GUARD_COUNT(guard_unsafe), cp);
    if (!r) {
        *out = cp;
        return true;
    }
    if (r->zero == 0)
        return false;
    *out = '0' + (cp - r->zero);
    return true;
}

guard_class guard_classify(uint32_t cp)
{
    if (ascii_is_digit(cp))
        return GUARD_DIGIT;
    /* Apostrophes join a word's parts ("s's"); espeak-ng deletes the soft
     * hyphen and ZWNJ, joining what is around them. The other invisible
     * ones are counted in too: a longer word only means an earlier cut. */
    if (cp == '\'' || cp == 0x2019 || cp == 0x02BC || cp == 0x00AD || cp == 0x200C ||
        cp == 0x200D || cp == 0x2060 || cp == 0xFEFF)
        return GUARD_WORD;
    return utf8_is_word_char(cp) ? GUARD_WORD : GUARD_OTHER;
}

/* Whether a cut may come right before cp. */
static bool guard_cut_before(uint32_t cp)
{
    return guard_find(guard_marks, GUARD_COUNT(guard_marks), cp) == NULL;
}

/* The character at s[pos] of VALID UTF-8 and its class. */
typedef struct guard_char {
    size_t len;
    uint32_t cp;
    guard_class cls;
} guard_char;

static guard_char guard_at(const unsigned char *s, size_t size, size_t pos)
{
    guard_char c;
    c.cp = utf8_at((const char *)s, size, pos, &c.len);
    c.cls = guard_classify(c.cp);
    return c;
}

/* Pass 1 (rule 3): copies src[0..size) into dst (at least size bytes),
 * dropping or replacing characters, and dropping bytes that are not UTF-8;
 * returns the bytes written, which are valid UTF-8. */
/* After a drop at src[next]: a space when the drop would join "[" and "["
 * or "]" and "]" into espeak-ng's phoneme brackets. Returns the bytes written. */
static size_t guard_after_drop(const unsigned char *src, size_t size, size_t next,
                               unsigned char *dst, size_t o, guard_stats *st)
{
    if (o > 0 && next < size && (dst[o - 1] == '[' || dst[o - 1] == ']')
        && src[next] == dst[o - 1]) {
        dst[o] = ' ';
        st->brackets_parted++;
        return 1;
    }
    return 0;
}

static size_t guard_pass_chars(const unsigned char *src, size_t size, unsigned char *dst,
                               guard_stats *st)
{
    size_t o = 0;
    for (size_t i = 0; i < size;) {
        uint32_t cp, out;
        size_t n = utf8_next((const char *)src + i, size - i, &cp);
        if (n == 0) {
            /* Not UTF-8, it means nothing to espeak-ng; kept, it could
             * combine with the bytes around a dropped character into the
             * very character that was dropped. */
            st->chars_dropped++;
            i++;
            o += guard_after_drop(src, size, i, dst, o, st);
            continue;
        }
        if (!guard_keep(cp, &out)) {
            st->chars_dropped++;
            o += guard_after_drop(src, size, i + n, dst, o, st);
        } else if (out != cp) {
            /* Only ever an ASCII digit, shorter than what it replaces. */
            dst[o++] = (unsigned char)out;
            st->digits_replaced++;
        } else {
            memcpy(dst + o, src + i, n);
            o += n;
        }
        i += n;
    }
    return o;
}

/*
 * Copies one word or digit run, s[0..size) of `count` characters, to dst,
 * with a space between pieces of at most `max` characters. Pieces are
 * near-equal, the longer ones first: `count` over the fewest pieces that
 * fit. A digit run (`digits`) is cut exactly so; a word's cut moves on past
 * combining marks, up to the limit. Returns the bytes written: more than
 * `size` exactly when the run was cut.
 */
static size_t guard_emit_run(const unsigned char *s, size_t size, size_t count, size_t max,
                             bool digits, unsigned char *dst)
{
    if (count <= max) {
        memcpy(dst, s, size);
        return size;
    }
    size_t pieces = (count + max - 1) / max;
    size_t base = count / pieces, extra = count % pieces;
    size_t target = extra ? base + 1 : base; /* this piece's length */
    size_t piece = 0, done = 0, o = 0;
    for (size_t i = 0; i < size;) {
        guard_char c = guard_at(s, size, i);
        if (piece > 0 && (piece == max || (piece >= target && (digits || guard_cut_before(c.cp))))) {
            dst[o++] = ' ';
            done++;
            piece = 0;
            target = done < extra ? base + 1 : base;
        }
        memcpy(dst + o, s + i, c.len);
        o += c.len;
        i += c.len;
        piece++;
    }
    return o;
}

/* Pass 2 (rules 1 and 2): copies src[0..size) to dst (at least 2 * size
 * bytes), cutting long words and digit runs; returns the bytes written. */
static size_t guard_pass_runs(const unsigned char *src, size_t size, unsigned char *dst,
                              guard_stats *st)
{
    size_t o = 0;
    for (size_t i = 0; i < size;) {
        guard_char c = guard_at(src, size, i);
        if (c.cls == GUARD_OTHER) {
            memcpy(dst + o, src + i, c.len);
            o += c.len;
            i += c.len;
            continue;
        }
        size_t end = i, count = 0;
        while (end < size) {
            guard_char d = guard_at(src, size, end);
            if (d.cls != c.cls)
                break;
            end += d.len;
            count++;
        }
        bool digits = c.cls == GUARD_DIGIT;
        size_t n = guard_emit_run(src + i, end - i, count,
                                  digits ? GUARD_DIGITS_MAX : GUARD_WORD_MAX, digits, dst + o);
        if (n != end - i && digits)
            st->digit_runs_split++;
        else if (n != end - i)
            st->words_split++;
        o += n;
        i = end;
    }
    return o;
}

char *guard_text(const char *text, size_t len, guard_stats *stats)
{
    guard_stats local;
    guard_stats *st = stats ? stats : &local;
    memset(st, 0, sizeof *st);
    if (!text)
        len = 0;
    else
        len = strnlen(text, len);
    /* Each space pass 2 adds follows at least one byte of the run it cuts. */
    if (len > (SIZE_MAX - 1) / 3)
        return NULL;
    unsigned char *chars = malloc(len + 1);
    unsigned char *out = malloc(2 * len + 1);
    if (!chars || !out) {
        free(chars);
        free(out);
        return NULL;
    }
    size_t kept = guard_pass_chars((const unsigned char *)text, len, chars, st);
    size_t n = guard_pass_runs(chars, kept, out, st);
    out[n] = '\0';
    free(chars);
    return (char *)out;
}
