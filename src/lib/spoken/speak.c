/*
 * speak.c - the spoken-text rules: what espeak-ng is handed for a sentence.
 *
 * The display text of a sentence (sidecars, --sentences) stays as written;
 * its spoken form reads better. Every rule here was kept because it
 * measurably improves on espeak-ng 1.51's own reading (en-us, checked with
 * `espeak-ng -q -x`, whose output also shows each clause break as a line
 * break, and with sample offsets from the library); each says what espeak-ng
 * does without it. Measured and dropped, because espeak-ng already reads
 * them well:
 *   - percentages: "61.4%" is "sixty one point four percent";
 *   - ellipses: "Wait... what", "Wait…what", "I thought . . . maybe" all end
 *     a clause (a pause of about 230 ms) already;
 *   - @handles: "@nytimes" is "at nytimes", camel case and underscores split;
 *   - plain domains: "antiwar.com" is "antiwar dot com";
 *   - spaced en dashes: "left – and" already pauses.
 * What would crash espeak-ng itself (very long words, long digit runs,
 * some characters) is not handled here: speech.c guards everything it
 * hands the engine (engine_guard.h).
 *
 * One pass over the space-separated tokens of the lexicon's output; tokens
 * inside a lexicon replacement are copied as they are. Time and memory are
 * linear in the sentence.
 */
#include "speak.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "lexicon.h"
#include "speak_abbrev.h"
#include "speak_buf.h"
#include "speak_data.h"
#include "speak_num.h"
#include "speak_time.h"
#include "utf8.h"
#include "vec.h"

/* -------------------------------------------------------------- characters */

/* Marks that open a token before its core: brackets, quotes. */
static bool speak_is_opener(uint32_t cp)
{
    switch (cp) {
    case '(': case '[': case '{': case '<': case '"': case '\'': case 0x201C: case 0x2018:
    case 0xAB: case 0x2039: case 0xBF: case 0xA1:
        return true;
    default:
        return false;
    }
}

/* Marks that close a token after its core: punctuation, brackets, quotes. */
static bool speak_is_closer(uint32_t cp)
{
    switch (cp) {
    case '.': case ',': case ';': case ':': case '!': case '?': case ')': case ']': case '}':
    case '>': case '"': case '\'': case 0x201D: case 0x2019: case 0xBB: case 0x203A:
    case 0x2026:
        return true;
    default:
        return false;
    }
}

/* Length of a dash at t[p..e): '-', U+2013 or U+2014; 0 when none. */
static size_t speak_dash_len(const char *t, size_t p, size_t e)
{
    if (p < e && t[p] == '-')
        return 1;
    if (p + 3 <= e && (unsigned char)t[p] == 0xE2 && (unsigned char)t[p + 1] == 0x80 &&
        ((unsigned char)t[p + 2] == 0x93 || (unsigned char)t[p + 2] == 0x94))
        return 3;
    return 0;
}

/* True when t[p..) starts with the C string s. */
static bool speak_starts_with(const char *t, size_t p, size_t e, const char *s)
{
    size_t k = strlen(s);
    return e - p >= k && memcmp(t + p, s, k) == 0;
}

/* ----------------------------------------------------------------- context */

typedef struct speak_tok {
    size_t start;
    size_t end;
    bool kept;          /* inside a lexicon replacement */
    bool space_before;
} speak_tok;

typedef struct speak_ctx {
    const char *text;   /* the lexicon's output (or the sentence) */
    size_t length;
    speak_tok *toks;
    size_t count;
    bool caps_text;     /* written mostly in capitals: no initialisms */
    size_t *counts;     /* SPEAK_RULE_COUNT counters, or NULL */
    size_t ti;          /* the index of the token being read */
    size_t ts;          /* the token being read */
    size_t te;
    speak_buf out;
    bool failed;        /* out of memory */
} speak_ctx;

static void speak_put(speak_ctx *c, const char *s, size_t n)
{
    if (!c->failed && !speak_buf_append(&c->out, s, n))
        c->failed = true;
}

static void speak_put_str(speak_ctx *c, const char *s)
{
    speak_put(c, s, strlen(s));
}

static char speak_last_out(const speak_ctx *c)
{
    return c->out.length ? c->out.data[c->out.length - 1] : '\0';
}

/* A word between spaces, with one space where two would meet ("a++b" -> "a plus plus b"). */
static void speak_put_spaced(speak_ctx *c, const char *word)
{
    if (c->out.length > 0 && speak_last_out(c) != ' ')
        speak_put(c, " ", 1);
    speak_put_str(c, word);
    speak_put(c, " ", 1);
}

/* ---------------------------------------------------------------- numbers */

/* A number as written: digits, optional ",ddd" groups, optional ".d+". */
typedef struct speak_num {
    size_t start;
    size_t end;
    size_t int_end;       /* end of the integer part */
    unsigned int_digits;  /* digits in the integer part */
    bool leading_zero;    /* "07": more than one digit, the first a zero */
} speak_num;

/* Parses a number at t[p..e); false when there is none. */
static bool speak_num_parse(const char *t, size_t p, size_t e, speak_num *num)
{
    size_t q = p;
    unsigned lead = 0;
    num->start = p;
    while (q < e && ascii_is_digit(t[q]))
        q++;
    if (q == p)
        return false;
    lead = (unsigned)(q - p);
    num->int_digits = lead;
    num->leading_zero = lead > 1 && t[p] == '0';
    /* Thousands groups only after one to three digits, each exactly three. */
    while (lead <= 3 && q + 4 <= e && t[q] == ',' && ascii_is_digit(t[q + 1]) &&
           ascii_is_digit(t[q + 2]) && ascii_is_digit(t[q + 3]) &&
           (q + 4 == e || !ascii_is_digit(t[q + 4]))) {
        q += 4;
        num->int_digits += 3;
    }
    num->int_end = q;
    if (q + 1 < e && t[q] == '.' && ascii_is_digit(t[q + 1])) {
        q++;
        while (q < e && ascii_is_digit(t[q]))
            q++;
    }
    num->end = q;
    return true;
}

/* Emits a number without its thousands commas ("4,200" -> "4200"). */
static void speak_put_num_plain(speak_ctx *c, const char *t, const speak_num *num)
{
    for (size_t q = num->start; q < num->end; q++)
        if (t[q] != ',')
            speak_put(c, t + q, 1);
}

/* The integer digits of num without commas into d (cap bytes); their count, 0 when too long. */
static size_t speak_num_digits(const char *t, const speak_num *num, char *d, size_t cap)
{
    size_t n = 0;
    for (size_t q = num->start; q < num->int_end; q++) {
        if (t[q] == ',')
            continue;
        if (n + 1 >= cap)
            return 0;
        d[n++] = t[q];
    }
    d[n] = '\0';
    return n;
}

/*
 * Rule: an amount of a hundred or more is said with "and" before its last
 * part, as newsreaders say it ("one hundred and twenty-three", "eighteen
 * thousand and fifty-two"). espeak-ng 1.51 en-us leaves the "and" out:
 *   before: "$18,854" -> "eighteen thousand eight hundred fifty four dollars"
 *   after:  "eighteen thousand eight hundred and fifty-four dollars"
 * Only where the number is whole (not before "million": "460 billion" has
 * no "and") and only for amounts: money, measures, counts with thousands
 * separators, three-digit and long numbers. Bare four-digit numbers may be
 * years and are left to espeak-ng. Writes num (integer words, then "point"
 * and its decimals digit by digit); false when nothing changes (then
 * nothing is written).
 */
static bool speak_put_amount_words(speak_ctx *c, const char *t, const speak_num *num)
{
    char d[32];
    char words[512];
    size_t n = speak_num_digits(t, num, d, sizeof d);
    if (n == 0 || num->leading_zero || !speak_num_says_and(d, n) ||
        speak_num_cardinal(d, n, true, words, sizeof words) == 0)
        return false;
    speak_put_str(c, words);
    if (num->end > num->int_end) {
        speak_put_str(c, " point");
        for (size_t q = num->int_end + 1; q < num->end; q++) {
            speak_put(c, " ", 1);
            speak_put(c, t + q, 1);
        }
    }
    return true;
}

/* An amount: with "and" (speak_put_amount_words) when whole, else as digits without commas. */
static void speak_put_amount(speak_ctx *c, const char *t, const speak_num *num, bool whole)
{
    if (whole && speak_put_amount_words(c, t, num))
        return;
    speak_put_num_plain(c, t, num);
}

/* A whole token core t[s..e) of NUM with an optional '%'. */
static bool speak_is_number_token(const char *t, size_t s, size_t e)
{
    speak_num num;
    if (!speak_num_parse(t, s, e, &num))
        return false;
    return num.end == e || (num.end + 1 == e && t[num.end] == '%');
}

/* ------------------------------------------------------------- the walker */

/*
 * Rule: obvious initialisms are spelt. espeak-ng spells capitals it cannot
 * pronounce ("FBI", "NHS", "NYPD"), but reads some as words:
 *   before: "JCPOA" -> "J C poa" (dZ,eIs'i:p'oU@), "IAEA" -> "eye-ee-a"
 *           (aI'i@), "IRGC" -> "erg-k" ('3:gk), "OPCW" -> "opkwa" ('0pkw@)
 *   after:  "J.C.P.O.A", "I.A.E.A", "I.R.G.C", "O.P.C.W": letter by letter
 * A word in capitals counts as an initialism when English could not
 * pronounce it: an onset or a final consonant cluster English does not have
 * ("JC-", "-GC"), or three or four vowels in a row that no English word has
 * ("IAEA"). Of 115 common acronyms espeak-ng alone reads 9 wrong, with the
 * rule 5 (ACLU, OSCE, WHO, and ICE and PAC, which espeak-ng spells), and
 * none it read right is made wrong (NATO, NASA, UNESCO, FIFA, ASEAN, UNRWA,
 * NOAA, IKEA stay words); of 1,958 English words written in capitals, one
 * ("ETC") would be spelt. Words with a doubled letter ("NAACP": espeak-ng
 * says "N double A C P"), Roman numerals and text written mostly in
 * capitals are left alone. The dotted form has no final period, which
 * espeak-ng would take as the end of a sentence before a capital.
 */
static const char *const speak_onsets[] = {
    "BL", "BR", "CH", "CHL", "CHR", "CL", "CR", "DJ", "DR", "DW", "FJ", "FL", "FR", "GH", "GL",
    "GN", "GR", "GW", "KH", "KL", "KN", "KR", "MN", "NG", "PF", "PH", "PHL", "PHR", "PL", "PN",
    "PR", "PS", "QU", "RH", "SC", "SCH", "SCHL", "SCHM", "SCHR", "SCHW", "SCR", "SH", "SHR",
    "SK", "SKR", "SL", "SM", "SN", "SP", "SPH", "SPL", "SPR", "SQU", "ST", "STR", "SV", "SW", "TH",
    "THR", "TR", "TS", "TW", "VL", "WH", "WR", "ZH",
};

static const char *const speak_codas[] = {
    "CH", "CHT", "CK", "CT", "DTH", "FT", "FTH", "GH", "GHT", "GHTH", "GM", "GN", "LB", "LCH",
    "LD", "LF", "LFTH", "LK", "LL", "LM", "LN", "LP", "LPH", "LSH", "LT", "LTH", "LTZ", "LV",
    "MB", "MN", "MP", "MPH", "MPST", "MPT", "MTH", "NCH", "ND", "NG", "NGST", "NGTH", "NK",
    "NST", "NT", "NTH", "NX", "NZ", "PH", "PT", "PTH", "RB", "RC", "RCH", "RD", "RF", "RG",
    "RGH", "RK", "RL", "RLD", "RM", "RMTH", "RN", "RP", "RSH", "RST", "RT", "RTH", "RV", "RZ",
    "SC", "SCH", "SH", "SK", "SM", "SP", "SS", "ST", "TCH", "TH", "THM", "TSCH", "TZ", "WD",
    "WK", "WL", "WN", "WT", "WTH", "XT", "XTH", "ZZ",
};

/* Three vowels in a row that English words have ("previous", "beautiful"). */
static const char *const speak_vowel_triples[] = {
    "EAU", "EOU", "IEU", "IOU", "UOU", "IAI", "OUA", "UAI",
};

static bool speak_in_list(const char *const *list, size_t count, const char *w, size_t n)
{
    for (size_t i = 0; i < count; i++)
        if (strlen(list[i]) == n && memcmp(list[i], w, n) == 0)
            return true;
    return false;
}

#define LIST(a) (a), (sizeof(a) / sizeof((a)[0]))

static bool speak_coda_ok(const char *w, size_t n)
{
    if (speak_in_list(LIST(speak_codas), w, n))
        return true;
    /* A plural or third-person "S" after a single consonant or a coda. */
    return w[n - 1] == 'S' && (n == 2 || speak_in_list(LIST(speak_codas), w, n - 1));
}

static bool speak_is_roman(const char *w, size_t n)
{
    /* M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3}) */
    static const char *const units[3][3] = {
        {"C", "D", "M"}, {"X", "L", "C"}, {"I", "V", "X"}};
    size_t p = 0;
    while (p < n && p < 3 && w[p] == 'M')
        p++;
    for (int k = 0; k < 3; k++) {
        char one = units[k][0][0], five = units[k][1][0], ten = units[k][2][0];
        if (p + 1 < n && w[p] == one && (w[p + 1] == ten || w[p + 1] == five)) {
            p += 2;
            continue;
        }
        if (p < n && w[p] == five)
            p++;
        for (int r = 0; r < 3 && p < n && w[p] == one; r++)
            p++;
    }
    return p == n;
}

static bool speak_is_vowel_letter(char c)
{
    return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U';
}

/* Whether w[i] acts as a vowel: AEIOU (not U after Q), and Y after a consonant ("CRY", "NYPD"). */
static bool speak_acts_as_vowel(const char *w, size_t i)
{
    if (w[i] == 'U' && i > 0 && w[i - 1] == 'Q')
        return false;
    if (speak_is_vowel_letter(w[i]))
        return true;
    return w[i] == 'Y' && i > 0 && !speak_is_vowel_letter(w[i - 1]);
}

/* True when the capitals w[0..n) cannot be an English word (see above). */
static bool speak_is_initialism(const char *w, size_t n)
{
    size_t first = n;
    size_t last = n;
    size_t i;

    if (n < 2 || n > 8)
        return false;
    for (i = 0; i + 1 < n; i++)
        if (w[i] == w[i + 1])
            return false;
    if (speak_is_roman(w, n))
        return false;
    for (i = 0; i < n; i++) {
        if (speak_acts_as_vowel(w, i)) {
            if (first == n)
                first = i;
            last = i;
        }
    }
    if (first == n)
        return false;  /* no vowel: espeak-ng spells it itself */
    for (i = 0; i < n;) {
        size_t j = i;
        while (j < n && speak_acts_as_vowel(w, j))
            j++;
        if (j - i >= 4 || (j - i == 3 && !speak_in_list(LIST(speak_vowel_triples), w + i, 3)))
            return true;
        i = j > i ? j : i + 1;
    }
    if (first >= 2 && !speak_in_list(LIST(speak_onsets), w, first))
        return true;
    return n - last - 1 >= 2 && !speak_coda_ok(w + last + 1, n - last - 1);
}

/* Neighbours that make a run of capitals part of something else ("U.S", "AT&T", "G7"). */
static bool speak_glues_word(uint32_t cp)
{
    return ascii_is_digit(cp) || cp == '.' || cp == '&' || cp == '@' || cp == '#' ||
           cp == '/' || cp == '_' || cp == '\'' || cp == 0x2019 || (cp >= 0x80 && utf8_is_word_char(cp));
}

/*
 * Rule: known acronyms read as the data says (data/en.acronyms): words
 * espeak-ng says right stay as written ("JPEG", "CRISPR"), initialisms it
 * reads as words are spelt ("ACLU": "a-clue"), and some are respelt
 * ("IEEE" -> "I triple E", "WWII" -> "World War Two"). At t[p], a capital;
 * returns the bytes read, 0 when the word there is not listed.
 */
static size_t speak_walk_acronym(speak_ctx *c, size_t p, size_t to)
{
    const char *t = c->text;
    size_t q = p;
    size_t n;
    size_t len = 0;
    bool plural = false;
    const char *reading;

    if (p > 0 && (ascii_is_alnum(t[p - 1]) || t[p - 1] == '.' || (unsigned char)t[p - 1] >= 0x80))
        return 0;
    while (q < to && ascii_is_alnum(t[q]))
        q++;
    if (q < c->length && ((unsigned char)t[q] >= 0x80 ||
                          (t[q] == '.' && q + 1 < c->length && ascii_is_alnum(t[q + 1]))))
        return 0;
    n = q - p;
    reading = speak_acronym_find(t + p, n, &len);
    if (!reading && n > 2 && t[q - 1] == 's') {
        plural = true;
        reading = speak_acronym_find(t + p, n - 1, &len);
        n--;
    }
    if (!reading)
        return 0;
    if (len == 1 && reading[0] == '-') {
        speak_put(c, t + p, q - p);
        return q - p;
    }
    speak_count(c->counts, SPEAK_RULE_ACRONYMS);
    if (len == 1 && reading[0] == '.') {
        for (size_t i = 0; i < n; i++) {
            if (i)
                speak_put(c, ".", 1);
            speak_put(c, t + p + i, 1);
        }
    } else {
        speak_put(c, reading, len);
    }
    if (plural)
        speak_put(c, "'s", 2);
    return q - p;
}

/*
 * At t[p], an ASCII capital: emits a spelt initialism, or copies the run of
 * ASCII letters. Returns the bytes read.
 */
static size_t speak_walk_capitals(speak_ctx *c, size_t p, size_t to)
{
    const char *t = c->text;
    size_t q = p;
    size_t letters;
    bool plural = false;
    bool ok = !c->caps_text;

    while (q < to && ascii_is_alpha(t[q]))
        q++;
    letters = q - p;
    if (letters >= 3 && t[q - 1] == 's') {
        plural = true;
        letters--;
    }
    for (size_t i = p; ok && i < p + letters; i++)
        ok = ascii_is_upper(t[i]);
    if (ok && p > 0) {
        uint32_t before = utf8_before(t, p, NULL);
        ok = !(before < 0x80 && ascii_is_alpha((char)before)) && !speak_glues_word(before);
    }
    if (ok && q < c->length) {
        size_t len;
        uint32_t after = utf8_at(t, c->length, q, &len);
        if (after == '.' || after == '\'' || after == 0x2019) {
            /* "IAEA." ends a sentence and "IAEA's" is a possessive; "U.S" and "DIDN'T" are not. */
            size_t r = q + len;
            if (after != '.' && r < c->length && t[r] == 's')
                r++;
            ok = !plural && (r >= c->length || !ascii_is_alnum(t[r]));
        } else {
            ok = !speak_glues_word(after) && !ascii_is_alpha(t[q]);
        }
    }
    if (ok && speak_is_initialism(t + p, letters)) {
        speak_count(c->counts, SPEAK_RULE_INITIALISMS);
        for (size_t i = 0; i < letters; i++) {
            if (i)
                speak_put(c, ".", 1);
            speak_put(c, t + p + i, 1);
        }
        if (plural)
            speak_put(c, "'s", 2);
        return q - p;
    }
    speak_put(c, t + p, q - p);
    return q - p;
}

/*
 * Copies t[from..to) of the current token, applying the rules that work
 * inside a word:
 *
 * Rule: a dash inside a token is a pause. espeak-ng pauses at a spaced em
 * or en dash but not at one attached to a word, nor at hyphens:
 *   before: "He left—and", "He left--and", "left —and": no clause break
 *           ("hi: l'Eft_:_: and" on one line, no added time)
 *   after:  "He left — and": a clause break, about 200 ms
 * An en dash inside a word is a connector ("the Iran–Iraq war") and stays.
 *
 * Rule: literal "[[" and "]]" are split ("[ [") so that only the lexicon's
 * phoneme blocks are read as phonemes. With espeakPHONEMES,
 *   before: "see [[wiki link]] here" -> "wiki liNk", read as phoneme codes
 *   after:  "see [ [wiki link] ] here" -> "w'Iki l'INk", read as words
 */
static void speak_walk(speak_ctx *c, size_t from, size_t to)
{
    const char *t = c->text;
    size_t p = from;

    while (p < to && !c->failed) {
        size_t len;
        char ch = t[p];

        if ((ch == '[' || ch == ']') && speak_last_out(c) == ch)
            speak_put(c, " ", 1);
        if ((ch == '-' && p + 1 < to && t[p + 1] == '-') || speak_starts_with(t, p, to, "\xE2\x80\x94")) {
            size_t q = p;
            if (ch == '-') {
                while (q < to && t[q] == '-')
                    q++;
            } else {
                q += 3;
            }
            /* Spaces where the dash touches something, also a lexicon replacement. */
            speak_count(c->counts, SPEAK_RULE_DASHES);
            if (c->out.length > 0 && speak_last_out(c) != ' ')
                speak_put(c, " ", 1);
            speak_put_str(c, "\xE2\x80\x94");
            if (q < c->length && t[q] != ' ')
                speak_put(c, " ", 1);
            p = q;
            continue;
        }
        if (ascii_is_upper(ch)) {
            size_t n = c->caps_text ? 0 : speak_walk_acronym(c, p, to);
            p += n ? n : speak_walk_capitals(c, p, to);
            continue;
        }
        if (ascii_is_lower(ch)) {
            /* Copy the rest of a lower-case word at once: its capitals are not initialisms. */
            size_t q = p;
            while (q < to && ascii_is_alpha(t[q]))
                q++;
            speak_put(c, t + p, q - p);
            p = q;
            continue;
        }
        utf8_at(t, c->length, p, &len);
        speak_put(c, t + p, len);
        p += len;
    }
}

/* ------------------------------------------------------- URLs and e-mail */

/* Top-level domains read as words after a bare domain ("antiwar.com"). */
static const char *const speak_gtlds[] = {
    "com", "org", "net", "edu", "gov", "mil", "int", "info", "biz", "name", "pro", "app",
    "dev", "news", "online", "site", "tech", "xyz", "blog", "store",
};

/*
 * Two-letter domains that are also English words: after a bare name
 * ("end.so", "do.it") they are more likely a missing space than a country.
 */
static const char *const speak_word_cctlds[] = {
    "an", "as", "at", "be", "by", "do", "go", "he", "if", "in", "is", "it", "me", "my",
    "no", "of", "on", "or", "so", "to", "up", "us", "we",
};

/* Two-letter final labels read as words, not spelt ("bbc.co", "about.me"). */
static const char *const speak_said_cctlds[] = {"co", "me"};

/*
 * Counts the labels of a host name h[0..n): ASCII letters, digits and
 * hyphens joined by single dots, with a letter somewhere. 0 when h is no
 * host name; *last is where its last label starts.
 */
static size_t speak_host_labels(const char *h, size_t n, size_t *last)
{
    size_t labels = 0;
    bool letter = false;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || h[i] == '.') {
            if (i == start)
                return 0;
            labels++;
            *last = start;
            start = i + 1;
        } else if (ascii_is_alpha(h[i])) {
            letter = true;
        } else if (!ascii_is_digit(h[i]) && h[i] != '-') {
            return 0;
        }
    }
    return letter ? labels : 0;
}

/* "example.co.ir" -> "example dot co dot I.R": the country code is spelt. */
static void speak_put_host(speak_ctx *c, const char *h, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && h[i] != '.')
            continue;
        if (start > 0)
            speak_put_str(c, " dot ");
        if (start > 0 && i == n && i - start == 2 && ascii_is_alpha(h[start]) &&
            ascii_is_alpha(h[start + 1])) {
            char lower[2] = {(char)(h[start] | 0x20), (char)(h[start + 1] | 0x20)};
            if (speak_in_list(LIST(speak_said_cctlds), lower, 2)) {
                speak_put(c, h + start, 2);
            } else {
                char spelt[3] = {ascii_to_upper(h[start]), '.', ascii_to_upper(h[start + 1])};
                speak_put(c, spelt, 3);
            }
        } else {
            speak_put(c, h + start, i - start);
        }
        start = i + 1;
    }
}

/* Web page extensions left out of a spoken path. */
static const char *const speak_page_exts[] = {
    ".html", ".htm", ".shtml", ".php", ".asp", ".aspx", ".jsp", ".cgi",
};

/*
 * A path segment worth reading: words of letters joined by '-' or '_', or
 * a short number; no identifiers such as "dQw4w9WgXcQ" or "56737145".
 */
static bool speak_segment_is_wordy(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        bool letters = false;
        bool digits = false;
        while (j < n && s[j] != '-' && s[j] != '_') {
            if (ascii_is_alpha(s[j]))
                letters = true;
            else if (ascii_is_digit(s[j]))
                digits = true;
            else
                return false;
            j++;
        }
        if ((letters && digits) || (digits && j - i > 4))
            return false;
        i = j + 1;
    }
    return true;
}

#define PATH_MAX_SEGMENTS 3u
#define PATH_MAX_BYTES 48u

/*
 * Rule: URLs read as a listener needs them. espeak-ng spells the scheme and
 * reads every character of the rest:
 *   before: "https://www.example.com/news/today" -> "H T T P S colon slash
 *           slash double-u double-u double-u dot example dot com slash news
 *           slash today"; a query reads "question mark q equals tide plus";
 *           "nytimes.com/2021/04/15/world/iran-nuclear.html" reads every
 *           number and "dot H T M L"; "natanz.ir" ends in "er" ('3:)
 *   after:  "example dot com slash news slash today", "nytimes dot com",
 *           "natanz dot I.R"
 * The scheme, "www.", user, port, query and fragment are left out; a path
 * is read when it is short and made of words (at most three segments),
 * else only the site is; a two-letter country code is spelt. A bare domain
 * needs a known top-level domain or a country code.
 */
static bool speak_rule_url(speak_ctx *c, size_t s, size_t e)
{
    const char *t = c->text;
    size_t p = s;
    size_t host;
    size_t host_end;
    size_t last = 0;
    size_t labels;
    bool scheme = false;
    bool www = false;
    size_t segs[PATH_MAX_SEGMENTS][2];
    size_t seg_count = 0;
    bool read_path = true;
    size_t path_bytes = 0;

    while (p < e && ascii_is_alpha(t[p]))
        p++;
    if (p > s && speak_starts_with(t, p, e, "://")) {
        scheme = true;
        p += 3;
    } else {
        p = s;
    }
    host = p;
    while (p < e && t[p] != '/' && t[p] != '?' && t[p] != '#')
        p++;
    host_end = p;
    if (scheme) {
        /* user:password@ and :port are not read. */
        for (size_t q = host; q < host_end; q++)
            if (t[q] == '@')
                host = q + 1;
        for (size_t q = host; q < host_end; q++) {
            if (t[q] == ':') {
                host_end = q;
                break;
            }
        }
    }
    if (host_end - host > 4 && ascii_eq_nocase(t + host, 4, "www.")) {
        www = true;
        host += 4;
    }
    labels = speak_host_labels(t + host, host_end - host, &last);
    if (labels == 0 || (!scheme && labels < 2))
        return false;
    if (!scheme && !www) {
        const char *tld = t + host + last;
        size_t tld_len = host_end - host - last;
        for (size_t q = 0; q < tld_len; q++)
            if (!ascii_is_lower(tld[q]))
                return false;
        if (!(tld_len == 2 || speak_in_list(LIST(speak_gtlds), tld, tld_len)))
            return false;
        if (tld_len == 2 && speak_in_list(LIST(speak_word_cctlds), tld, 2) &&
            !(host_end < e && t[host_end] == '/'))
            return false;
    }

    /* The path, up to a query or fragment. */
    p = host_end;
    if (scheme)
        while (p < e && t[p] != '/' && t[p] != '?' && t[p] != '#')
            p++;  /* a port */
    while (p < e && t[p] == '/') {
        size_t a = ++p;
        size_t b;
        while (p < e && t[p] != '/' && t[p] != '?' && t[p] != '#')
            p++;
        b = p;
        if (b == a)
            continue;
        if (p >= e || t[p] != '/') {
            for (size_t k = 0; k < sizeof speak_page_exts / sizeof speak_page_exts[0]; k++) {
                size_t n = strlen(speak_page_exts[k]);
                if (b - a > n && ascii_eq_nocase(t + b - n, n, speak_page_exts[k])) {
                    b -= n;
                    break;
                }
            }
        }
        path_bytes += b - a + 1;
        if (seg_count == PATH_MAX_SEGMENTS || path_bytes > PATH_MAX_BYTES ||
            !speak_segment_is_wordy(t + a, b - a)) {
            read_path = false;
        } else {
            segs[seg_count][0] = a;
            segs[seg_count][1] = b;
            seg_count++;
        }
    }
    if (p < e && t[p] != '?' && t[p] != '#')
        return false;

    speak_count(c->counts, SPEAK_RULE_URLS);
    speak_put_host(c, t + host, host_end - host);
    for (size_t k = 0; read_path && k < seg_count; k++) {
        speak_put_str(c, " slash ");
        speak_put(c, t + segs[k][0], segs[k][1] - segs[k][0]);
    }
    return true;
}

/*
 * Rule: e-mail addresses read as said. espeak-ng already reads
 * "jane.doe@example.org" as "jane dot doe at example dot org", but
 *   before: "mailto:a@b.com" -> "mailto colon a at ..."; "mid.ru" -> "mid
 *           dot roo" (r'u:); "press@un.org" -> "press at un dot org" with
 *           a pause before "at"; "jane123@" -> "jane one hundred twenty
 *           three at"
 *   after:  "a at b dot com", "mid dot R.U", no pause, "jane 1 2 3 at"
 */
static bool speak_rule_email(speak_ctx *c, size_t s, size_t e)
{
    const char *t = c->text;
    size_t at = e;
    size_t last = 0;

    if (e - s > 7 && ascii_eq_nocase(t + s, 7, "mailto:"))
        s += 7;
    for (size_t q = s; q < e; q++) {
        if (t[q] == '@') {
            if (at != e)
                return false;
            at = q;
        } else if (at == e && !ascii_is_alnum(t[q]) && t[q] != '.' && t[q] != '_' && t[q] != '-' &&
                   t[q] != '+' && t[q] != '%') {
            return false;
        }
    }
    if (at == e || at == s || t[s] == '.' || t[at - 1] == '.')
        return false;
    if (speak_host_labels(t + at + 1, e - at - 1, &last) < 2)
        return false;
    last += at + 1;
    if (e - last < 2)
        return false;
    for (size_t q = last; q < e; q++)
        if (!ascii_is_alpha(t[q]))
            return false;
    for (size_t q = s; q < at; q++) {
        if (t[q] == '.') {
            speak_put_spaced(c, "dot");
        } else if (t[q] == '+') {
            speak_put_spaced(c, "plus");
        } else if (ascii_is_digit(t[q]) && ((q > s && ascii_is_digit(t[q - 1])) ||
                                            (q + 1 < at && ascii_is_digit(t[q + 1])))) {
            /* Digits in a name are said one by one: "jane123" -> "jane 1 2 3". */
            if (speak_last_out(c) != ' ')
                speak_put(c, " ", 1);
            speak_put(c, t + q, 1);
        } else {
            if (q > s + 1 && ascii_is_digit(t[q - 1]) && ascii_is_digit(t[q - 2]))
                speak_put(c, " ", 1);  /* after digits said one by one */
            speak_put(c, t + q, 1);
        }
    }
    speak_count(c->counts, SPEAK_RULE_EMAILS);
    speak_put_spaced(c, "at");
    speak_put_host(c, t + at + 1, e - at - 1);
    return true;
}

/*
 * Rule: hashtags. espeak-ng reads '#' as "hash":
 *   before: "#MeToo" -> "hash me too"; "#1" -> "hash one"
 *   after:  "hashtag MeToo" -> "hashtag me too"; "number 1" -> "number one"
 * (espeak-ng splits the camel case itself.)
 */
static bool speak_rule_hashtag(speak_ctx *c, size_t s, size_t e)
{
    const char *t = c->text;
    bool digits = true;
    if (e - s < 2 || t[s] != '#')
        return false;
    for (size_t q = s + 1; q < e;) {
        size_t len;
        uint32_t cp = utf8_at(t, c->length, q, &len);
        if (!utf8_is_word_char(cp) && cp != '_')
            return false;
        if (!ascii_is_digit(cp))
            digits = false;
        q += len;
    }
    speak_count(c->counts, SPEAK_RULE_HASHTAGS);
    if (digits) {
        speak_put_str(c, "number ");
        speak_put(c, t + s + 1, e - s - 1);
        return true;
    }
    if (!ascii_is_alpha(t[s + 1]) && (unsigned char)t[s + 1] < 0x80)
        return false;
    speak_put_str(c, "hashtag ");
    speak_walk(c, s + 1, e);
    return true;
}

/*
 * Rule: number ranges and scores. espeak-ng reads the dash as nothing,
 * "dash" or a pause:
 *   before: "52–48" -> "fifty two forty eight"; "52-48" -> "fifty two dash
 *           forty eight"; "52 – 48" -> "fifty two", pause, "forty eight"
 *   after:  "52 to 48" -> "fifty two to forty eight"
 * An en or em dash between numbers always reads "to". A hyphen only
 * between two numbers of at most four digits, neither with a leading zero,
 * and not three digits then four (a phone number, "555-1234"); dates
 * ("2024-01-15") and codes ("F-16", "COVID-19") are not ranges.
 */
static bool speak_rule_range(speak_ctx *c, size_t s, size_t e)
{
    const char *t = c->text;
    speak_num a;
    speak_num b;
    size_t p;
    size_t dash;
    size_t a_end;
    bool unit;

    if (!speak_num_parse(t, s, e, &a))
        return false;
    p = a.end;
    if (p < e && t[p] == '%')
        p++;
    a_end = p;
    dash = speak_dash_len(t, p, e);
    if (!dash || !speak_num_parse(t, p + dash, e, &b))
        return false;
    if (!(b.end == e || (b.end + 1 == e && t[b.end] == '%')))
        return false;
    if (dash == 1 && (a.int_digits > 4 || b.int_digits > 4 || a.leading_zero ||
                      b.leading_zero || (a.int_digits == 3 && b.int_digits == 4)))
        return false;
    speak_count(c->counts, SPEAK_RULE_RANGES);
    /* A bare four-digit number may be a year: left to espeak-ng, unless a unit follows. */
    unit = e == c->te && c->ti + 1 < c->count && c->toks[c->ti + 1].kept &&
           ascii_is_lower(t[c->toks[c->ti + 1].start]);
    speak_put_amount(c, t, &a, unit || a.int_end - a.start != 4);
    speak_put(c, t + a.end, a_end - a.end);
    speak_put_str(c, " to ");
    speak_put_amount(c, t, &b, unit || b.int_end - b.start != 4);
    speak_put(c, t + b.end, e - b.end);
    return true;
}

/* ------------------------------------------------------------- currencies */

/*
 * Rule: currencies read in the order said. espeak-ng reads the symbol
 * first:
 *   before: "$4.2 million" -> "dollar four point two million"; "$4.20" ->
 *           "dollar four point two zero"; "€25" -> "euros twenty five";
 *           "$5-10" -> "dollar five dash ten"; "$20/mo" -> "dollar twenty
 *           slash mo"; "5 USD" -> "five U S D"
 *   after:  "4.2 million dollars", "4 dollars 20 cents", "25 euros",
 *           "5 to 10 dollars", "20 dollars per month", "5 US dollars"
 * Symbols $ £ € ¥ ₹ ₩ ₽ ₺ ₪ ₱ ₦ and US$, A$, C$, NZ$, HK$, S$, and ISO codes
 * before or after the amount; magnitudes as words ("million") or suffixes
 * ("$5bn", "£3m", "$40k", "¥30 b"); after "a"/"an" the unit is singular ("a
 * $5 bill" -> "a 5 dollar bill"). Cents: "$20.5" and "$20.50" are "20
 * dollars 50 cents", "$.01" "1 cent"; more decimals than two that are not
 * zeros are read as decimals ("$1.234 dollars"). A range with the symbol on
 * both sides says the unit twice ("$250-$300"). Thousands commas are
 * dropped: espeak-ng puts a catch (_!) after "thousand" for "4,200".
 */
typedef struct speak_currency {
    const char *symbol;
    const char *one;        /* "dollar" */
    const char *many;       /* "dollars" */
    const char *minor_one;  /* "cent"; NULL when amounts are not read in a minor unit */
    const char *minor_many;
} speak_currency;

static const speak_currency speak_currencies[] = {
    {"US$", "US dollar", "US dollars", "cent", "cents"},
    {"AU$", "Australian dollar", "Australian dollars", "cent", "cents"},
    {"A$", "Australian dollar", "Australian dollars", "cent", "cents"},
    {"CA$", "Canadian dollar", "Canadian dollars", "cent", "cents"},
    {"C$", "Canadian dollar", "Canadian dollars", "cent", "cents"},
    {"NZ$", "New Zealand dollar", "New Zealand dollars", "cent", "cents"},
    {"HK$", "Hong Kong dollar", "Hong Kong dollars", "cent", "cents"},
    {"S$", "Singapore dollar", "Singapore dollars", "cent", "cents"},
    {"$", "dollar", "dollars", "cent", "cents"},
    {"\xC2\xA3", "pound", "pounds", "penny", "pence"},
    {"\xE2\x82\xAC", "euro", "euros", "cent", "cents"},
    {"\xC2\xA5", "yen", "yen", NULL, NULL},
    {"\xE2\x82\xB9", "rupee", "rupees", NULL, NULL},
    {"\xE2\x82\xA9", "won", "won", NULL, NULL},
    {"\xE2\x82\xBD", "ruble", "rubles", NULL, NULL},
    {"\xE2\x82\xBA", "lira", "lira", NULL, NULL},
    {"\xE2\x82\xAA", "shekel", "shekels", NULL, NULL},
    {"\xE2\x82\xB1", "peso", "pesos", NULL, NULL},
    {"\xE2\x82\xA6", "naira", "naira", NULL, NULL},
};

/* ISO 4217 codes, before ("USD 5") or after ("5 USD", "2.5 million EUR") the amount. */
static const speak_currency speak_iso_codes[] = {
    {"USD", "US dollar", "US dollars", "cent", "cents"},
    {"EUR", "euro", "euros", "cent", "cents"},
    {"GBP", "pound", "pounds", "penny", "pence"},
    {"JPY", "yen", "yen", NULL, NULL},
    {"CNY", "yuan", "yuan", NULL, NULL},
    {"RMB", "yuan", "yuan", NULL, NULL},
    {"CHF", "Swiss franc", "Swiss francs", NULL, NULL},
    {"CAD", "Canadian dollar", "Canadian dollars", "cent", "cents"},
    {"AUD", "Australian dollar", "Australian dollars", "cent", "cents"},
    {"NZD", "New Zealand dollar", "New Zealand dollars", "cent", "cents"},
    {"HKD", "Hong Kong dollar", "Hong Kong dollars", "cent", "cents"},
    {"SGD", "Singapore dollar", "Singapore dollars", "cent", "cents"},
    {"INR", "rupee", "rupees", NULL, NULL},
    {"KRW", "won", "won", NULL, NULL},
    {"RUB", "ruble", "rubles", NULL, NULL},
    {"SEK", "Swedish krona", "Swedish kronor", NULL, NULL},
    {"NOK", "Norwegian krone", "Norwegian kroner", NULL, NULL},
    {"DKK", "Danish krone", "Danish kroner", NULL, NULL},
    {"BRL", "real", "reais", NULL, NULL},
    {"MXN", "Mexican peso", "Mexican pesos", NULL, NULL},
    {"ZAR", "rand", "rand", NULL, NULL},
    {"TRY", "lira", "lira", NULL, NULL},
    {"BTC", "bitcoin", "bitcoins", NULL, NULL},
};

/* Magnitudes written after the amount: "$5bn", "£3m", "$40k". */
static const struct {
    const char *suffix;
    const char *word;
} speak_magnitudes[] = {
    {"k", "thousand"}, {"K", "thousand"}, {"m", "million"}, {"M", "million"},
    {"mn", "million"}, {"mln", "million"}, {"b", "billion"}, {"B", "billion"},
    {"bn", "billion"}, {"bln", "billion"}, {"t", "trillion"}, {"T", "trillion"},
    {"tn", "trillion"}, {"trn", "trillion"},
};

static const char *const speak_magnitude_words[] = {"thousand", "million", "billion", "trillion"};

/* What an amount is per: "$20/mo" -> "per month". */
static const struct {
    const char *written;
    const char *word;
} speak_per_units[] = {
    {"hr", "hour"}, {"h", "hour"}, {"hour", "hour"}, {"d", "day"}, {"day", "day"},
    {"wk", "week"}, {"week", "week"}, {"mo", "month"}, {"mth", "month"}, {"month", "month"},
    {"yr", "year"}, {"year", "year"}, {"y", "year"}, {"min", "minute"}, {"person", "person"},
    {"head", "head"}, {"share", "share"}, {"kg", "kilogram"}, {"lb", "pound"},
    {"barrel", "barrel"}, {"bbl", "barrel"}, {"MWh", "megawatt hour"}, {"kWh", "kilowatt hour"},
};

static const speak_currency *speak_currency_at(const char *t, size_t p, size_t e, size_t *len)
{
    for (size_t k = 0; k < sizeof speak_currencies / sizeof speak_currencies[0]; k++) {
        if (speak_starts_with(t, p, e, speak_currencies[k].symbol)) {
            *len = strlen(speak_currencies[k].symbol);
            return &speak_currencies[k];
        }
    }
    return NULL;
}

/* The ISO code t[s..e) exactly, or NULL. */
static const speak_currency *speak_iso_code(const char *t, size_t s, size_t e)
{
    for (size_t k = 0; k < sizeof speak_iso_codes / sizeof speak_iso_codes[0]; k++)
        if (e - s == 3 && memcmp(t + s, speak_iso_codes[k].symbol, 3) == 0)
            return &speak_iso_codes[k];
    return NULL;
}

/* An amount with its optional magnitude suffix, ending at a dash, a slash or at e. */
typedef struct speak_amount {
    speak_num num;
    bool bare_point;        /* ".01": no integer part */
    const char *magnitude;  /* a word, or NULL */
    size_t end;
} speak_amount;

static bool speak_amount_parse(const char *t, size_t p, size_t e, speak_amount *a)
{
    size_t q;
    a->bare_point = false;
    if (p + 1 < e && t[p] == '.' && ascii_is_digit(t[p + 1])) {
        a->bare_point = true;
        a->num.start = p;
        a->num.int_end = p;
        a->num.int_digits = 0;
        a->num.leading_zero = false;
        q = p + 1;
        while (q < e && ascii_is_digit(t[q]))
            q++;
        a->num.end = q;
    } else if (!speak_num_parse(t, p, e, &a->num)) {
        return false;
    }
    q = a->num.end;
    a->magnitude = NULL;
    if (q < e && ascii_is_alpha(t[q])) {
        size_t r = q;
        while (r < e && ascii_is_alpha(t[r]))
            r++;
        for (size_t k = 0; k < sizeof speak_magnitudes / sizeof speak_magnitudes[0]; k++) {
            if (strlen(speak_magnitudes[k].suffix) == r - q &&
                memcmp(speak_magnitudes[k].suffix, t + q, r - q) == 0)
                a->magnitude = speak_magnitudes[k].word;
        }
        if (!a->magnitude)
            return false;
        q = r;
    }
    a->end = q;
    return q == e || speak_dash_len(t, q, e) > 0 || t[q] == '/';
}

/* "4" dollars or "1" dollar: true when the integer part reads "one". */
static bool speak_amount_is_one(const char *t, const speak_num *num)
{
    return num->int_end - num->start == 1 && t[num->start] == '1' && num->end == num->int_end;
}

/* The magnitude word a token's core t[s..e) is ("million", "bn"), or NULL. */
static const char *speak_magnitude_word(const char *t, size_t s, size_t e)
{
    for (size_t k = 0; k < sizeof speak_magnitude_words / sizeof speak_magnitude_words[0]; k++)
        if (ascii_eq_nocase(t + s, e - s, speak_magnitude_words[k]))
            return speak_magnitude_words[k];
    for (size_t k = 0; k < sizeof speak_magnitudes / sizeof speak_magnitudes[0]; k++)
        if (strlen(speak_magnitudes[k].suffix) == e - s &&
            memcmp(speak_magnitudes[k].suffix, t + s, e - s) == 0)
            return speak_magnitudes[k].word;
    return NULL;
}

/* The core of a token: without the quotes and brackets that open it and the marks that close it. */
static void speak_core_of(const speak_ctx *c, size_t ts, size_t te, size_t *cs, size_t *ce)
{
    const char *t = c->text;
    size_t s = ts;
    size_t e = te;
    while (s < e) {
        size_t len;
        if (!speak_is_opener(utf8_at(t, c->length, s, &len)))
            break;
        s += len;
    }
    while (e > s) {
        uint32_t cp = utf8_before(t, e, NULL);
        size_t len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        if (!speak_is_closer(cp))
            break;
        e -= len;
    }
    *cs = s;
    *ce = e;
}

/*
 * The cents of an amount in a currency with a minor unit, when the amount
 * is said in them: one or two decimals, or more that are all zeros after
 * the second ("$20.500"). False when the decimals are read as decimals.
 */
static bool speak_amount_minor(const char *t, const speak_amount *a, unsigned *minor)
{
    size_t p = a->num.int_end + 1;
    size_t n = a->num.end > a->num.int_end ? a->num.end - p : 0;
    if (n == 0 || a->magnitude)
        return false;
    for (size_t q = p + 2; q < a->num.end; q++)
        if (t[q] != '0')
            return false;
    *minor = (unsigned)(t[p] - '0') * 10u + (n > 1 ? (unsigned)(t[p + 1] - '0') : 0u);
    return true;
}

/* One amount with its unit: "4 dollars 20 cents", "50 cents", "4.2 million dollars". */
static void speak_put_money(speak_ctx *c, const char *t, const speak_amount *a,
                            const speak_currency *cur, const char *magnitude, bool singular)
{
    unsigned minor = 0;
    if (!magnitude && cur->minor_one && speak_amount_minor(t, a, &minor)) {
        bool zero_major = true;
        speak_num major = a->num;
        major.end = major.int_end;
        for (size_t q = a->num.start; q < a->num.int_end; q++)
            if (t[q] != '0' && t[q] != ',')
                zero_major = false;
        if (!zero_major || minor == 0) {
            if (a->bare_point)
                speak_put_str(c, "0");
            else
                speak_put_amount(c, t, &major, true);
            speak_put(c, " ", 1);
            speak_put_str(c, speak_amount_is_one(t, &major) || singular ? cur->one : cur->many);
        }
        if (minor != 0) {
            char m[12];
            snprintf(m, sizeof m, "%u", minor);
            if (!zero_major)
                speak_put(c, " ", 1);
            speak_put_str(c, m);
            speak_put(c, " ", 1);
            speak_put_str(c, minor == 1 ? cur->minor_one : cur->minor_many);
        }
        return;
    }
    if (a->bare_point) {
        speak_put_str(c, "point");
        for (size_t q = a->num.start + 1; q < a->num.end; q++) {
            speak_put(c, " ", 1);
            speak_put(c, t + q, 1);
        }
    } else {
        speak_put_amount(c, t, &a->num, !magnitude);
    }
    if (magnitude) {
        speak_put(c, " ", 1);
        speak_put_str(c, magnitude);
    }
    speak_put(c, " ", 1);
    speak_put_str(c, singular || (!magnitude && speak_amount_is_one(t, &a->num)) ? cur->one : cur->many);
}

/* After an amount, "/mo", "/yr", "/person": the unit it is per, or NULL; *len its bytes. */
static const char *speak_per_unit(const char *t, size_t p, size_t e, size_t *len)
{
    if (p + 1 >= e || t[p] != '/')
        return NULL;
    for (size_t k = 0; k < sizeof speak_per_units / sizeof speak_per_units[0]; k++) {
        size_t n = strlen(speak_per_units[k].written);
        if (e - p - 1 == n && memcmp(t + p + 1, speak_per_units[k].written, n) == 0) {
            *len = n + 1;
            return speak_per_units[k].word;
        }
    }
    return NULL;
}

static bool speak_rule_currency(speak_ctx *c, size_t i, size_t s, size_t e, size_t *used)
{
    const char *t = c->text;
    const speak_currency *cur;
    size_t len = 0;
    size_t p;
    speak_amount a;
    speak_amount b;
    bool range = false;
    bool both = false;
    const char *magnitude = NULL;
    const char *per = NULL;
    size_t tail_start = e;
    size_t tail_end = c->te;
    bool singular = false;
    size_t next = i + 1;

    cur = speak_currency_at(t, s, e, &len);
    if (!cur && (cur = speak_iso_code(t, s, e)) != NULL && e == c->te && i + 1 < c->count &&
        !c->toks[i + 1].kept) {
        /* "USD 5": the amount is the next token. */
        size_t ns;
        size_t ne;
        speak_core_of(c, c->toks[i + 1].start, c->toks[i + 1].end, &ns, &ne);
        if (ns != c->toks[i + 1].start || !speak_amount_parse(t, ns, ne, &a) || a.end != ne)
            return false;
        *used = 2;
        magnitude = a.magnitude;
        if (!magnitude && ne == c->toks[i + 1].end && i + 2 < c->count && !c->toks[i + 2].kept) {
            size_t ms;
            size_t me;
            speak_core_of(c, c->toks[i + 2].start, c->toks[i + 2].end, &ms, &me);
            if (ms == c->toks[i + 2].start && (magnitude = speak_magnitude_word(t, ms, me)) != NULL) {
                *used = 3;
                ne = me;
            }
        }
        speak_walk(c, c->ts, s);
        speak_put_money(c, t, &a, cur, magnitude, false);
        speak_walk(c, ne, c->toks[i + *used - 1].end);
        speak_count(c->counts, SPEAK_RULE_AMOUNTS);
        return true;
    }
    if (!cur) {
        /* "5 USD", "2.5 million EUR": an amount, then the code. */
        size_t k = i + 1;
        size_t cs;
        size_t ce;
        if (e != c->te || !speak_amount_parse(t, s, e, &a) || a.end != e || a.bare_point)
            return false;
        if (k < c->count && !c->toks[k].kept && c->toks[k].end - c->toks[k].start > 0) {
            speak_core_of(c, c->toks[k].start, c->toks[k].end, &cs, &ce);
            if (cs == c->toks[k].start && !a.magnitude && (magnitude = speak_magnitude_word(t, cs, ce)) != NULL &&
                ce == c->toks[k].end)
                k++;
            else
                magnitude = NULL;
        }
        if (k >= c->count || c->toks[k].kept)
            return false;
        speak_core_of(c, c->toks[k].start, c->toks[k].end, &cs, &ce);
        if (cs != c->toks[k].start || (cur = speak_iso_code(t, cs, ce)) == NULL)
            return false;
        speak_walk(c, c->ts, s);
        speak_put_money(c, t, &a, cur, magnitude ? magnitude : a.magnitude, false);
        speak_walk(c, ce, c->toks[k].end);
        speak_count(c->counts, SPEAK_RULE_AMOUNTS);
        *used = k - i + 1;
        return true;
    }
    if (!speak_amount_parse(t, s + len, e, &a))
        return false;
    p = a.end;
    if (p < e && t[p] != '/') {
        size_t dash = speak_dash_len(t, p, e);
        size_t len2;
        p += dash;
        if (speak_currency_at(t, p, e, &len2) == cur) {
            p += len2;
            both = true;
        }
        if (!speak_amount_parse(t, p, e, &b))
            return false;
        range = true;
        p = b.end;
    }
    if (p < e) {
        size_t plen = 0;
        per = speak_per_unit(t, p, e, &plen);
        if (!per || p + plen != e)
            return false;
    }
    if (!per && !(range ? b.magnitude : a.magnitude) && e == c->te && next < c->count &&
        !c->toks[next].kept) {
        size_t ms;
        size_t me;
        speak_core_of(c, c->toks[next].start, c->toks[next].end, &ms, &me);
        if (ms == c->toks[next].start && (magnitude = speak_magnitude_word(t, ms, me)) != NULL) {
            *used = 2;
            tail_start = me;
            tail_end = c->toks[next].end;
        }
    }
    if (!magnitude)
        magnitude = range ? b.magnitude : a.magnitude;
    if (i > 0 && !c->toks[i - 1].kept) {
        const speak_tok *prev = &c->toks[i - 1];
        singular = ascii_eq_nocase(t + prev->start, prev->end - prev->start, "a") ||
                   ascii_eq_nocase(t + prev->start, prev->end - prev->start, "an");
    }

    speak_walk(c, c->ts, s);
    if (range && both && !magnitude && !a.magnitude) {
        speak_put_money(c, t, &a, cur, a.magnitude, false);
        speak_put_str(c, " to ");
        speak_put_money(c, t, &b, cur, magnitude, false);
    } else if (range) {
        speak_put_amount(c, t, &a.num, !a.magnitude && !magnitude);
        if (a.magnitude && a.magnitude != b.magnitude) {
            speak_put(c, " ", 1);
            speak_put_str(c, a.magnitude);
        }
        speak_put_str(c, " to ");
        speak_put_amount(c, t, &b.num, !magnitude);
        if (magnitude) {
            speak_put(c, " ", 1);
            speak_put_str(c, magnitude);
        }
        speak_put(c, " ", 1);
        speak_put_str(c, singular ? cur->one : cur->many);
    } else {
        speak_put_money(c, t, &a, cur, magnitude, singular);
    }
    if (per) {
        speak_put_str(c, " per ");
        speak_put_str(c, per);
    }
    speak_walk(c, tail_start, tail_end);
    speak_count(c->counts, SPEAK_RULE_AMOUNTS);
    return true;
}

/* ---------------------------------------------------------------- numbers */

/* The suffix "st", "nd", "rd" or "th" that the number d[0..n) takes. */
static const char *speak_ordinal_suffix_of(const char *d, size_t n)
{
    unsigned last = (unsigned)(d[n - 1] - '0');
    unsigned tens = n > 1 ? (unsigned)(d[n - 2] - '0') : 0;
    if (tens == 1)
        return "th";
    return last == 1 ? "st" : last == 2 ? "nd" : last == 3 ? "rd" : "th";
}

/*
 * Rule: numbers espeak-ng misreads on their own.
 *   - A decimal without its zero: ".1665" -> "point 1 6 6 5"; espeak-ng
 *     says "dot one thousand six hundred sixty five".
 *   - Powers: "2^10" -> "2 to the power of 10", "5^2" -> "5 squared";
 *     espeak-ng says "two ten" (the caret is silent).
 *   - Ordinals it reads wrong: "0th" -> "zeroth" (espeak-ng: "zero-th"),
 *     and a suffix that does not fit the number, a typing slip, is read as
 *     the number's ordinal: "21th" -> "twenty-first", "11st" ->
 *     "eleventh" (espeak-ng: "twenty furth", "eleven-st").
 *   - The "and" of an amount (speak_put_amount_words): "123", "18,854",
 *     "41,459.00", "a 123.2-millimeter rod"; not bare four-digit numbers
 *     (years), nor a number before "million" ("460 billion").
 */
static bool speak_rule_number(speak_ctx *c, size_t s, size_t e)
{
    const char *t = c->text;
    speak_num num;
    size_t rest;
    bool minus = false;

    if (t[s] == '.' && s + 1 < e && ascii_is_digit(t[s + 1]) &&
        (s == 0 || t[s - 1] == ' ' || speak_is_opener((uint32_t)(unsigned char)t[s - 1]))) {
        size_t q = s + 1;
        while (q < e && ascii_is_digit(t[q]))
            q++;
        if (q != e)
            return false;
        speak_put_str(c, "point");
        for (q = s + 1; q < e; q++) {
            speak_put(c, " ", 1);
            speak_put(c, t + q, 1);
        }
        speak_count(c->counts, SPEAK_RULE_NUMBERS);
        return true;
    }
    /* "-123": a minus before the number, not a hyphen inside a word. */
    if (t[s] == '-' && s + 1 < e && ascii_is_digit(t[s + 1]) &&
        (s == 0 || t[s - 1] == ' ' || speak_is_opener((uint32_t)(unsigned char)t[s - 1])))
        minus = true;
    if (!speak_num_parse(t, s + minus, e, &num) || (!minus && s > 0 && t[s - 1] == '-'))
        return false;
    /* Powers: "2^10" -> "2 to the power of 10", "x^2" is not a number's. */
    if (!minus && num.end < e && t[num.end] == '^' && num.end + 1 < e) {
        size_t q = num.end + 1;
        while (q < e && ascii_is_digit(t[q]))
            q++;
        if (q != e || q == num.end + 1 || q - num.end > 4)
            return false;
        speak_put(c, t + s, num.end - s);
        if (q - num.end == 2 && t[num.end + 1] == '2') {
            speak_put_str(c, " squared");
        } else if (q - num.end == 2 && t[num.end + 1] == '3') {
            speak_put_str(c, " cubed");
        } else {
            speak_put_str(c, " to the power of ");
            speak_put(c, t + num.end + 1, q - num.end - 1);
        }
        speak_count(c->counts, SPEAK_RULE_NUMBERS);
        return true;
    }
    if (!minus && num.end == num.int_end && e - num.end == 2 && !num.leading_zero) {
        char d[32];
        char words[512];
        size_t n = speak_num_digits(t, &num, d, sizeof d);
        const char *want;
        bool zero;
        if (n == 0)
            return false;
        want = speak_ordinal_suffix_of(d, n);
        zero = n == 1 && d[0] == '0';
        if (!ascii_eq_nocase(t + num.end, 2, "st") && !ascii_eq_nocase(t + num.end, 2, "nd") &&
            !ascii_eq_nocase(t + num.end, 2, "rd") && !ascii_eq_nocase(t + num.end, 2, "th"))
            return false;
        if ((ascii_eq_nocase(t + num.end, 2, want) && !zero) ||
            speak_num_ordinal(d, n, false, words, sizeof words) == 0)
            return false;
        speak_put_str(c, words);
        speak_count(c->counts, SPEAK_RULE_ORDINALS);
        return true;
    }
    rest = num.end;
    if (rest < e && !(t[rest] == '-' && rest + 1 < e && ascii_is_lower(t[rest + 1])))
        return false;
    /* A bare four-digit number may be a year, a longer one a code: left to espeak-ng. */
    if (num.int_end - num.start == num.int_digits && num.int_digits != 3)
        return false;
    /*
     * Without separators, three digits are a count only before a word ("123
     * people", "a 131-page report") and not after a capitalised word or a
     * word that names ("Highway 190 at", "page 753", "the 747"), or when the
     * number is the whole sentence; else they are a label or a year.
     */
    if (num.int_end - num.start == 3 && c->count > 1) {
        static const char *const naming[] = {
            "the", "page", "pages", "case", "no", "number", "room", "flight", "route", "line",
            "chapter", "year", "in", "since", "until", "by", "from", "around", "circa", "died",
            "born", "of", "version", "model", "bus", "platform", "gate", "channel", "exit",
        };
        const speak_tok *prev = c->ti > 0 ? &c->toks[c->ti - 1] : NULL;
        const speak_tok *next = c->ti + 1 < c->count ? &c->toks[c->ti + 1] : NULL;
        bool counted = rest < e || (c->te == e && next && !next->kept && ascii_is_lower(t[next->start]));
        if (!counted || (prev && !prev->kept && ascii_is_upper(t[prev->start])))
            return false;
        for (size_t k = 0; prev && k < sizeof naming / sizeof naming[0]; k++)
            if (ascii_eq_nocase(t + prev->start, prev->end - prev->start, naming[k]))
                return false;
    }
    /* Numbers in a row are digits in groups ("555 123 4567"), not amounts. */
    if ((c->ti > 0 && !c->toks[c->ti - 1].kept &&
         speak_is_number_token(t, c->toks[c->ti - 1].start, c->toks[c->ti - 1].end)) ||
        (c->ti + 1 < c->count && !c->toks[c->ti + 1].kept &&
         ascii_is_digit(t[c->toks[c->ti + 1].start])))
        return false;
    if (rest == e && c->te == e && c->ti + 1 < c->count && !c->toks[c->ti + 1].kept) {
        const speak_tok *next = &c->toks[c->ti + 1];
        for (size_t k = 0; k < sizeof speak_magnitude_words / sizeof speak_magnitude_words[0]; k++)
            if (ascii_eq_nocase(t + next->start, next->end - next->start, speak_magnitude_words[k]))
                return false;
    }
    {
        size_t mark = c->out.length;
        if (minus)
            speak_put_str(c, "minus ");
        if (!speak_put_amount_words(c, t, &num)) {
            if (!c->failed)
                c->out.length = mark;
            return false;
        }
    }
    speak_count(c->counts, SPEAK_RULE_NUMBERS);
    if (rest < e) {
        speak_put(c, " ", 1);
        speak_walk(c, rest + 1, e);
    }
    return true;
}

/* ------------------------------------------------------------------ tokens */

/* A token of two or three hyphens ("--"), a typed dash. */
static bool speak_is_hyphens(const speak_ctx *c, const speak_tok *tok)
{
    if (tok->end - tok->start < 2 || tok->end - tok->start > 3)
        return false;
    for (size_t p = tok->start; p < tok->end; p++)
        if (c->text[p] != '-')
            return false;
    return true;
}

/* Abbreviations that stay written (the others are spelt out by speak_abbrev.c). */
static const char *const speak_written_abbrevs[] = {
    "Inc", "Corp", "Ltd", "Co", "Bros", "Plc", "LLC", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul",
    "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "Mon", "Tue", "Tues", "Wed", "Thu", "Thur",
    "Thurs", "Fri", "Sat", "Sun", "etc", "approx", "dept", "Dept", "Univ", "Assn", "Ave", "Mt",
    "ed", "eds", "al", "op", "Op", "ft", "in", "min", "max", "misc",
};

/*
 * True when t[s..e) (a word before its period) is an abbreviation: in the
 * list above, a single letter ("J"), or letters with periods inside ("U.S",
 * "e.g", "Ph.D").
 */
static bool speak_is_abbreviation(const char *t, size_t s, size_t e)
{
    const char *w = t + s;
    size_t n = e - s;
    while (n > 0 && speak_is_opener((uint32_t)(unsigned char)*w)) {
        w++;
        n--;
    }
    if (n == 1 && ascii_is_alpha(w[0]))
        return true;
    if (n >= 3 && memchr(w, '.', n) != NULL) {
        for (size_t k = 0; k < n; k++)
            if (!ascii_is_alpha(w[k]) && w[k] != '.')
                return false;
        return true;
    }
    for (size_t k = 0; k < sizeof speak_written_abbrevs / sizeof speak_written_abbrevs[0]; k++)
        if (strlen(speak_written_abbrevs[k]) == n && memcmp(speak_written_abbrevs[k], w, n) == 0)
            return true;
    return false;
}

/* Openers, a rewritten core, then closers: for the rules that rewrite a whole core. */
typedef bool (*speak_core_rule)(speak_ctx *c, size_t s, size_t e);

/*
 * Applies the rules to token i (not kept); *used is how many tokens it
 * read (2 when a currency takes the magnitude word after it).
 */
static void speak_token_rules(speak_ctx *c, size_t i, size_t *used)
{
    static const speak_core_rule core_rules[] = {speak_rule_url, speak_rule_email, speak_rule_hashtag,
                                                 speak_rule_range, speak_rule_number};
    const char *t = c->text;
    const speak_tok *tok = &c->toks[i];
    size_t s;
    size_t e;

    *used = 1;
    c->ti = i;
    c->ts = tok->start;
    c->te = tok->end;

    /* A dash standing alone: "52 – 48" is a range, "left - and" a pause. */
    if (speak_dash_len(t, tok->start, tok->end) == tok->end - tok->start || speak_is_hyphens(c, tok)) {
        if (i > 0 && i + 1 < c->count && tok->space_before && c->toks[i + 1].space_before) {
            const speak_tok *prev = &c->toks[i - 1];
            const speak_tok *next = &c->toks[i + 1];
            size_t ns;
            size_t ne;
            speak_core_of(c, next->start, next->end, &ns, &ne);
            if (!prev->kept && !next->kept && speak_is_number_token(t, prev->start, prev->end) &&
                ns == next->start && speak_is_number_token(t, ns, ne)) {
                /* In an equation ("5 - 3 = 2") a spaced hyphen is a minus. */
                bool equation = false;
                for (size_t k = 0; k < c->count && t[tok->start] == '-'; k++)
                    if (c->toks[k].end - c->toks[k].start == 1 && t[c->toks[k].start] == '=')
                        equation = true;
                speak_count(c->counts, SPEAK_RULE_RANGES);
                speak_put_str(c, equation ? "minus" : "to");
                return;
            }
            if (t[tok->start] == '-') {
                speak_put_str(c, "\xE2\x80\x94");
                return;
            }
        }
        speak_put(c, t + tok->start, tok->end - tok->start);
        return;
    }

    speak_core_of(c, tok->start, tok->end, &s, &e);
    if (e > s) {
        size_t mark = c->out.length;
        if (speak_rule_currency(c, i, s, e, used))
            return;
        for (size_t k = 0; k < sizeof core_rules / sizeof core_rules[0]; k++) {
            speak_walk(c, tok->start, s);
            if (core_rules[k](c, s, e)) {
                speak_walk(c, e, tok->end);
                return;
            }
            if (!c->failed)
                c->out.length = mark;
        }
    }
    /*
     * Rule: the period of an abbreviation that stays written is dropped
     * inside a sentence. The segmenter has decided that it ends no
     * sentence, but espeak-ng pauses at it before a capital or a digit:
     *   before: "approx. 5", "Inc. Chief", "Corp. In" -> a clause break
     *   after:  "approx 5", "Inc Chief": read on
     * Not an ellipsis, not before a lower-case word (no pause there), and not
     * the sentence's first word (a list mark, "a. The first item").
     */
    if (i > 0 && tok->end - tok->start >= 2 && t[tok->end - 1] == '.' && ascii_is_alpha(t[tok->end - 2]) &&
        speak_is_abbreviation(t, tok->start, tok->end - 1) && i + 1 < c->count && !c->toks[i + 1].kept &&
        (ascii_is_upper(t[c->toks[i + 1].start]) || ascii_is_digit(t[c->toks[i + 1].start]))) {
        speak_walk(c, tok->start, tok->end - 1);
        speak_count(c->counts, SPEAK_RULE_PERIODS);
        return;
    }
    speak_walk(c, tok->start, tok->end);
}

/* Splits text at spaces and at the edges of kept spans. */
static bool speak_tokenize(speak_ctx *c, const speak_span *kept, size_t kept_count)
{
    const char *t = c->text;
    size_t cap = 0;
    size_t k = 0;
    size_t p = 0;
    bool space = false;

    while (p < c->length) {
        speak_tok tok;
        if (t[p] == ' ' && !(k < kept_count && kept[k].start == p)) {
            space = true;
            p++;
            continue;
        }
        tok.start = p;
        tok.space_before = space;
        if (k < kept_count && kept[k].start == p) {
            tok.end = kept[k].end;
            tok.kept = true;
            k++;
        } else {
            size_t limit = k < kept_count ? kept[k].start : c->length;
            tok.end = p;
            tok.kept = false;
            while (tok.end < limit && t[tok.end] != ' ')
                tok.end++;
        }
        if (!vec_reserve(&c->toks, &cap, c->count + 1, sizeof *c->toks, 32))
            return false;
        c->toks[c->count++] = tok;
        p = tok.end;
        space = false;
    }
    return true;
}

/* Most words in capitals ("NEW YORK (AP) —"): capitals are not initialisms then. */
static bool speak_mostly_capitals(const speak_ctx *c)
{
    size_t caps = 0;
    size_t words = 0;
    for (size_t i = 0; i < c->count; i++) {
        unsigned upper = 0;
        unsigned lower = 0;
        if (c->toks[i].kept)
            continue;
        for (size_t p = c->toks[i].start; p < c->toks[i].end;) {
            size_t len;
            utf8_case k = utf8_case_of(utf8_at(c->text, c->length, p, &len));
            upper += k == UTF8_CASE_UPPER;
            lower += k == UTF8_CASE_LOWER;
            p += len;
        }
        if (lower > 0) {
            words++;
        } else if (upper >= 2) {
            words++;
            caps++;
        }
    }
    return caps >= 3 && caps * 2 > words;
}

aloud_status speak_sentence(const char *text, size_t length, aloud_lexicon *lex, char **out)
{
    return speak_sentence_with(text, length, lex, NULL, NULL, out);
}

aloud_status speak_sentence_with(const char *text, size_t length, aloud_lexicon *lex,
                                 const speak_opts *opts, size_t *counts, char **out)
{
    speak_buf replaced = {0};
    speak_buf timed = {0};
    speak_buf abbrev = {0};
    speak_ctx c;

    *out = NULL;
    memset(&c, 0, sizeof c);
    c.counts = counts;
    if (lex) {
        if (!lexicon_apply(lex, text, length, &replaced)) {
            speak_buf_free(&replaced);
            return ALOUD_ERR_NOMEM;
        }
        text = replaced.data ? replaced.data : "";
        length = replaced.length;
    }
    /* Times, dates and number forms (speak_time.c), then abbreviations, units,
     * Roman numerals and marks that are not speech (speak_abbrev.c): each stage
     * marks what it rewrote kept, so the stages after it leave that alone. */
    if (!speak_time_apply(text, length, replaced.kept, replaced.kept_count, counts, &timed) ||
        !speak_abbrev_apply(timed.data ? timed.data : "", timed.length, timed.kept,
                            timed.kept_count, opts && opts->read_emoji, counts, &abbrev)) {
        speak_buf_free(&abbrev);
        speak_buf_free(&timed);
        speak_buf_free(&replaced);
        return ALOUD_ERR_NOMEM;
    }
    speak_buf_free(&replaced);
    speak_buf_free(&timed);
    c.text = abbrev.data ? abbrev.data : "";
    c.length = abbrev.length;
    if (!speak_tokenize(&c, abbrev.kept, abbrev.kept_count)) {
        c.failed = true;
    } else {
        c.caps_text = speak_mostly_capitals(&c);
        for (size_t i = 0; i < c.count && !c.failed;) {
            size_t used = 1;
            if (c.toks[i].space_before && c.out.length > 0)
                speak_put(&c, " ", 1);
            if (c.toks[i].kept) {
                c.ts = c.toks[i].start;
                c.te = c.toks[i].end;
                speak_put(&c, c.text + c.ts, c.te - c.ts);
            } else {
                speak_token_rules(&c, i, &used);
            }
            i += used;
        }
    }
    free(c.toks);
    speak_buf_free(&abbrev);
    speak_buf_free(&replaced);
    speak_put(&c, "", 0);
    if (c.failed) {
        speak_buf_free(&c.out);
        return ALOUD_ERR_NOMEM;
    }
    *out = c.out.data;
    free(c.out.kept);
    return ALOUD_OK;
}
