/*
 * speak_abbrev.c - abbreviations, units, Roman numerals and what is not
 * speech, between the lexicon and the token rules of speak.c.
 *
 * Two passes, each linear in the sentence:
 *   1. marks that are not speech are left out (citation marks, emoji,
 *      footnote marks, leftover Markdown), character by character;
 *   2. words are rewritten by their neighbours (the tables below): a title
 *      before a name, a street word after one, a reference word before a
 *      number, a unit after a number, a Roman numeral after a name or a
 *      numbered word.
 * Spans the lexicon replaced are copied as they are and stay kept; every
 * rewrite is kept too, so the token rules leave it alone. What espeak-ng 1.51
 * (en-us, `espeak-ng -q -x`) says without each rule is noted at the rule;
 * ambiguous cases ("St." with no name, "5 m", "5k", "Henry I", "Malcolm X")
 * are left to espeak-ng.
 */
#include "speak_abbrev.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "utf8.h"
#include "vec.h"

/* ------------------------------------------------------------------ tables */

/* Where an abbreviation is read out. */
typedef enum abbrev_ctx {
    ABBREV_TITLE,   /* before a capitalised name: "Dr. Smith" */
    ABBREV_AFTER,   /* after a capitalised name: "John Smith Jr." */
    ABBREV_STREET,  /* after a street name: "Elm St." */
    ABBREV_REF,     /* before a number: "p. 5", "No. 3", "est. 1901" */
    ABBREV_ANY,     /* anywhere: "cf.", "vs." */
    ABBREV_MONTH,   /* a month, anywhere, its period kept at the end: "in Jan. and Feb." */
    ABBREV_WEEKDAY  /* a weekday before a comma, a date or a month: "Mon., Jan. 5" */
} abbrev_ctx;

typedef struct abbrev_entry {
    const char *written;  /* without its period; matched with its case */
    abbrev_ctx ctx;
    const char *spoken;
} abbrev_entry;

/*
 * Abbreviations written with a period. Without the rule espeak-ng pauses at
 * every one of these periods ("d'0kt3 | sm'IT" for "Dr. Smith") and spells
 * or misreads many: "Lt." is "L T", "Sgt." "S G T", "Ms." "M S", "Rd." "R
 * D", "Ave." "ah-vay", "Jr." "J R", "p." "P", "cf." "C F", "vs." "V S",
 * "est." "E S T", "No." "no"; "Jan." is "jan" and a pause, "Thurs." "thurs".
 */
static const abbrev_entry abbrev_table[] = {
    {"Dr", ABBREV_TITLE, "Doctor"},       {"Prof", ABBREV_TITLE, "Professor"},
    {"Mr", ABBREV_TITLE, "Mister"},       {"Mrs", ABBREV_TITLE, "Mrs"},
    {"Ms", ABBREV_TITLE, "Miz"},          {"Messrs", ABBREV_TITLE, "Messrs"},
    {"Lt", ABBREV_TITLE, "Lieutenant"},   {"Col", ABBREV_TITLE, "Colonel"},
    {"Gen", ABBREV_TITLE, "General"},     {"Capt", ABBREV_TITLE, "Captain"},
    {"Cmdr", ABBREV_TITLE, "Commander"},  {"Sgt", ABBREV_TITLE, "Sergeant"},
    {"Cpl", ABBREV_TITLE, "Corporal"},    {"Pvt", ABBREV_TITLE, "Private"},
    {"Maj", ABBREV_TITLE, "Major"},       {"Adm", ABBREV_TITLE, "Admiral"},
    {"Brig", ABBREV_TITLE, "Brigadier"},  {"Rev", ABBREV_TITLE, "Reverend"},
    {"Fr", ABBREV_TITLE, "Father"},       {"Gov", ABBREV_TITLE, "Governor"},
    {"Sen", ABBREV_TITLE, "Senator"},     {"Rep", ABBREV_TITLE, "Representative"},
    {"Pres", ABBREV_TITLE, "President"},  {"Supt", ABBREV_TITLE, "Superintendent"},
    {"Insp", ABBREV_TITLE, "Inspector"},  {"Det", ABBREV_TITLE, "Detective"},
    {"Hon", ABBREV_TITLE, "Honorable"},   {"Msgr", ABBREV_TITLE, "Monsignor"},
    {"Atty", ABBREV_TITLE, "Attorney"},   {"Amb", ABBREV_TITLE, "Ambassador"},
    {"St", ABBREV_TITLE, "Saint"},        {"Mt", ABBREV_TITLE, "Mount"},
    {"Ft", ABBREV_TITLE, "Fort"},
    {"Jr", ABBREV_AFTER, "Junior"},       {"Sr", ABBREV_AFTER, "Senior"},
    {"St", ABBREV_STREET, "Street"},      {"Rd", ABBREV_STREET, "Road"},
    {"Ave", ABBREV_STREET, "Avenue"},     {"Blvd", ABBREV_STREET, "Boulevard"},
    {"Ln", ABBREV_STREET, "Lane"},        {"Hwy", ABBREV_STREET, "Highway"},
    {"Pkwy", ABBREV_STREET, "Parkway"},   {"Expy", ABBREV_STREET, "Expressway"},
    {"Ct", ABBREV_STREET, "Court"},       {"Pl", ABBREV_STREET, "Place"},
    {"Sq", ABBREV_STREET, "Square"},      {"Ter", ABBREV_STREET, "Terrace"},
    {"p", ABBREV_REF, "page"},            {"pp", ABBREV_REF, "pages"},
    {"Vol", ABBREV_REF, "Volume"},        {"vol", ABBREV_REF, "volume"},
    {"Vols", ABBREV_REF, "Volumes"},      {"vols", ABBREV_REF, "volumes"},
    {"No", ABBREV_REF, "number"},         {"no", ABBREV_REF, "number"},
    {"Nos", ABBREV_REF, "numbers"},       {"nos", ABBREV_REF, "numbers"},
    {"Ch", ABBREV_REF, "Chapter"},        {"ch", ABBREV_REF, "chapter"},
    {"Chap", ABBREV_REF, "Chapter"},      {"Fig", ABBREV_REF, "Figure"},
    {"fig", ABBREV_REF, "figure"},        {"Figs", ABBREV_REF, "Figures"},
    {"Art", ABBREV_REF, "Article"},       {"Sec", ABBREV_REF, "Section"},
    {"Para", ABBREV_REF, "Paragraph"},    {"para", ABBREV_REF, "paragraph"},
    {"Eq", ABBREV_REF, "Equation"},       {"est", ABBREV_REF, "established"},
    {"Est", ABBREV_REF, "Established"},   {"approx", ABBREV_REF, "approximately"},
    {"ca", ABBREV_REF, "circa"},
    {"cf", ABBREV_ANY, "compare"},        {"vs", ABBREV_ANY, "versus"},
    {"viz", ABBREV_ANY, "namely"},
    {"Jan", ABBREV_MONTH, "January"},     {"Feb", ABBREV_MONTH, "February"},
    {"Mar", ABBREV_MONTH, "March"},       {"Apr", ABBREV_MONTH, "April"},
    {"Jun", ABBREV_MONTH, "June"},        {"Jul", ABBREV_MONTH, "July"},
    {"Aug", ABBREV_MONTH, "August"},      {"Sep", ABBREV_MONTH, "September"},
    {"Sept", ABBREV_MONTH, "September"},  {"Oct", ABBREV_MONTH, "October"},
    {"Nov", ABBREV_MONTH, "November"},    {"Dec", ABBREV_MONTH, "December"},
    {"Mon", ABBREV_WEEKDAY, "Monday"},    {"Tue", ABBREV_WEEKDAY, "Tuesday"},
    {"Tues", ABBREV_WEEKDAY, "Tuesday"},  {"Wed", ABBREV_WEEKDAY, "Wednesday"},
    {"Thu", ABBREV_WEEKDAY, "Thursday"},  {"Thur", ABBREV_WEEKDAY, "Thursday"},
    {"Thurs", ABBREV_WEEKDAY, "Thursday"}, {"Fri", ABBREV_WEEKDAY, "Friday"},
    {"Sat", ABBREV_WEEKDAY, "Saturday"},  {"Sun", ABBREV_WEEKDAY, "Sunday"},
};

/*
 * Street words without a period count only in an address: a house number,
 * one to three name words, then the street word ("2788 San Tomas Expy").
 * There any case is taken ("12 S 1st st"). Without it espeak-ng says "St"
 * as "saint", "Expy" and "Hwy" letter by letter.
 */

typedef struct unit_entry {
    const char *written;   /* matched with its case unless nocase */
    const char *one;       /* after "1" */
    const char *many;
    bool nocase;
} unit_entry;

/*
 * Units after a number, glued ("12kg") or not ("12 kg"). Without the rule
 * espeak-ng spells them: "5 km" is "five K M", "12kg" "twelve K G", "3 mbps"
 * "three M B P S", "20°C" "twenty degrees C". Left out as ambiguous: "m"
 * (metres or million), "in", "g" apart, "k"/"K" and "B" (thousand, a grade,
 * a pencil), "cc".
 */
static const unit_entry unit_table[] = {
    {"mm", "millimeter", "millimeters", false},  {"cm", "centimeter", "centimeters", false},
    {"km", "kilometer", "kilometers", true},     {"nm", "nanometer", "nanometers", false},
    {"\xC2\xB5m", "micrometer", "micrometers", false},
    {"\xCE\xBCm", "micrometer", "micrometers", false},
    {"kg", "kilogram", "kilograms", true},       {"mg", "milligram", "milligrams", false},
    {"ml", "milliliter", "milliliters", false},  {"mL", "milliliter", "milliliters", false},
    {"ft", "foot", "feet", false},               {"oz", "ounce", "ounces", false},
    {"lb", "pound", "pounds", false},            {"lbs", "pound", "pounds", false},
    {"yd", "yard", "yards", false},              {"gal", "gallon", "gallons", false},
    {"mcg", "microgram", "micrograms", false},   {"\xC2\xB5g", "microgram", "micrograms", false},
    {"kcal", "kilocalorie", "kilocalories", false},
    {"m2", "square meter", "square meters", false}, {"km2", "square kilometer", "square kilometers", false},
    {"cm2", "square centimeter", "square centimeters", false},
    {"ft2", "square foot", "square feet", false}, {"m3", "cubic meter", "cubic meters", false},
    {"mph", "mile per hour", "miles per hour", true},
    {"kph", "kilometer per hour", "kilometers per hour", true},
    {"kmh", "kilometer per hour", "kilometers per hour", false},
    {"mbps", "megabit per second", "megabits per second", true},
    {"kbps", "kilobit per second", "kilobits per second", true},
    {"gbps", "gigabit per second", "gigabits per second", true},
    {"KB", "kilobyte", "kilobytes", false},      {"kB", "kilobyte", "kilobytes", false},
    {"MB", "megabyte", "megabytes", false},      {"GB", "gigabyte", "gigabytes", false},
    {"TB", "terabyte", "terabytes", false},
    {"kW", "kilowatt", "kilowatts", false},      {"MW", "megawatt", "megawatts", false},
    {"GW", "gigawatt", "gigawatts", false},      {"kWh", "kilowatt hour", "kilowatt hours", false},
    {"Hz", "hertz", "hertz", false},             {"kHz", "kilohertz", "kilohertz", false},
    {"MHz", "megahertz", "megahertz", false},    {"GHz", "gigahertz", "gigahertz", false},
    {"hrs", "hour", "hours", false},             {"hr", "hour", "hours", false},
    {"mins", "minute", "minutes", false},        {"min", "minute", "minutes", false},
    {"secs", "second", "seconds", false},
    {"h", "hour", "hours", false},               {"s", "second", "seconds", false},
    {"m", "meter", "meters", false},
    {"km\xC2\xB2", "square kilometer", "square kilometers", false},
    {"m\xC2\xB2", "square meter", "square meters", false},
    {"km\xC2\xB3", "cubic kilometer", "cubic kilometers", false},
    {"m\xC2\xB3", "cubic meter", "cubic meters", false},
    {"\xC2\xB0" "C", "degree Celsius", "degrees Celsius", false},
    {"\xC2\xB0" "F", "degree Fahrenheit", "degrees Fahrenheit", false},
    {"\xC2\xBA" "C", "degree Celsius", "degrees Celsius", false},
    {"\xC2\xBA" "F", "degree Fahrenheit", "degrees Fahrenheit", false},
    {"bn", "billion", "billion", false},         {"tn", "trillion", "trillion", false},
};

/* "bn", "tn": magnitudes, never in a compound. */
static bool unit_is_magnitude(const unit_entry *u)
{
    return strcmp(u->many, "billion") == 0 || strcmp(u->many, "trillion") == 0;
}

/* Units that count only as the second half of "km/h" or "m/s", never alone. */
static bool unit_only_after_slash(const unit_entry *u)
{
    return strcmp(u->written, "h") == 0 || strcmp(u->written, "s") == 0 ||
           strcmp(u->written, "m") == 0;
}

/*
 * Words after which a Roman numeral is a cardinal ("World War II" -> "World
 * War 2", "Chapter IV" -> "Chapter 4"); the word must be capitalised, any
 * case after that ("PART XL"). Without the rule espeak-ng says "roman two".
 */
static const char *const roman_cardinal_words[] = {
    "chapter", "part", "volume", "vol.", "book", "act", "scene", "section", "article",
    "war", "phase", "stage", "episode", "season", "series", "level", "type", "class",
    "category", "bowl", "olympiad", "mark", "mk", "apollo", "vatican", "canto", "psalm",
    "tier", "division", "schedule", "title", "amendment",
};

/*
 * Names and ranks after which a Roman numeral is regnal ("Henry VIII" ->
 * "Henry the Eighth", "Pope Benedict XVI"). Without the rule espeak-ng says
 * "Henry roman eight". Other names are left: "Final Fantasy VII", "Malcolm
 * X", "Rocky II" are not regnal; "Henry I" may be the pronoun.
 */
static const char *const regnal_names[] = {
    "Henry", "Edward", "George", "William", "Charles", "James", "Richard", "Louis",
    "Pius", "Leo", "Gregory", "Philip", "Frederick", "Alexander", "Nicholas", "Peter",
    "Paul", "John", "Elizabeth", "Mary", "Anne", "Napoleon", "Ramesses", "Constantine",
    "Clement", "Innocent", "Boniface", "Benedict", "Urban", "Alfonso", "Ferdinand",
    "Carlos", "Juan", "Pedro", "Gustav", "Christian", "Olav", "Haakon", "Harald",
    "Wilhelm", "Otto", "Ivan", "Felipe", "Rama", "Mehmed", "Murad", "Selim", "Sixtus",
    "Francis", "Stephen", "David", "Robert", "Alexios", "Michael", "Basil",
    "Amenhotep", "Thutmose", "Ptolemy", "Antiochus", "Darius", "Xerxes", "Artaxerxes",
};

static const char *const ordinal_units[] = {
    "", "First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth",
    "Tenth", "Eleventh", "Twelfth", "Thirteenth", "Fourteenth", "Fifteenth", "Sixteenth",
    "Seventeenth", "Eighteenth", "Nineteenth",
};

/* ------------------------------------------------------------------ output */

typedef struct abbrev_out {
    speak_buf *b;
    bool failed;
    bool read_emoji;   /* emoji stay */
    size_t *counts;    /* SPEAK_RULE_COUNT counters, or NULL */
} abbrev_out;

static void out_put(abbrev_out *o, const char *s, size_t n)
{
    if (!o->failed && !speak_buf_append(o->b, s, n))
        o->failed = true;
}

/* Appends s[0..n) marked kept (merged with a kept span it touches). */
static void out_put_kept(abbrev_out *o, const char *s, size_t n)
{
    speak_buf *b = o->b;
    if (n == 0 || o->failed)
        return;
    if (b->kept_count > 0 && b->kept[b->kept_count - 1].end == b->length) {
        out_put(o, s, n);
        if (!o->failed)
            b->kept[b->kept_count - 1].end = b->length;
    } else if (!speak_buf_append_kept(b, s, n)) {
        o->failed = true;
    }
}

static char out_last(const abbrev_out *o)
{
    return o->b->length ? o->b->data[o->b->length - 1] : '\0';
}

/* ------------------------------------------------------- pass 1: not speech */

/* Emoji and pictographs, read by espeak-ng by their Unicode names ("grinning face"). */
static bool abbrev_is_emoji(uint32_t cp)
{
    if (cp >= 0x2776 && cp <= 0x2793)   /* dingbat circled digits: numbers */
        return false;
    return (cp >= 0x1F000 && cp <= 0x1FAFF) || (cp >= 0x2600 && cp <= 0x27BF) ||
           cp == 0x2B50 || cp == 0x2B55 || cp == 0x2B1B || cp == 0x2B1C || cp == 0x231A ||
           cp == 0x231B || (cp >= 0x23E9 && cp <= 0x23FA) || (cp >= 0xE0020 && cp <= 0xE007F);
}

static bool abbrev_is_superscript_digit(uint32_t cp)
{
    return cp == 0xB9 || cp == 0xB2 || cp == 0xB3 || cp == 0x2070 ||
           (cp >= 0x2074 && cp <= 0x2079);
}

/* Words that make a bracketed note a Wikipedia maintenance tag. */
static const char *const citation_tags[] = {
    "who?", "when?", "which?", "where?", "why?", "by whom?", "according to whom?", "dubious",
    "dubious \xE2\x80\x93 discuss", "failed verification", "update", "original research?",
    "not in citation given", "citation needed", "clarification needed",
};

/*
 * True when t[s..e) (inside brackets) is a citation or note mark: "6",
 * "6, 7", "12-14", "a", "note 3", "nb 2", or a maintenance tag such as
 * "citation needed". espeak-ng reads "[6]" as a pause, "six" and a pause.
 */
static bool abbrev_is_citation(const char *t, size_t s, size_t e)
{
    size_t n = e - s;
    bool digits = n > 0 && ascii_is_digit(t[s]);
    for (size_t p = s; p < e && digits; p++)
        digits = ascii_is_digit(t[p]) || t[p] == ',' || t[p] == '-' || t[p] == ' ';
    if (digits)
        return true;
    if (n == 1 && ascii_is_lower(t[s]))
        return true;
    if ((n > 5 && memcmp(t + s, "note ", 5) == 0) || (n > 3 && memcmp(t + s, "nb ", 3) == 0)) {
        size_t p = s + (t[s + 1] == 'o' ? 5 : 3);
        while (p < e && ascii_is_alnum(t[p]))
            p++;
        return p == e;
    }
    if (n > 7 && memcmp(t + e - 7, " needed", 7) == 0)
        return true;
    for (size_t i = 0; i < sizeof citation_tags / sizeof citation_tags[0]; i++)
        if (strlen(citation_tags[i]) == n && ascii_eq_nocase(t + s, n, citation_tags[i]))
            return true;
    return false;
}

/*
 * After something left out, drops the space that would double another, or
 * stand before punctuation ("clear [a]." -> "clear.").
 */
static size_t abbrev_skip_space(abbrev_out *o, const char *t, size_t p, size_t end)
{
    char last = out_last(o);
    size_t kept_end = o->b->kept_count ? o->b->kept[o->b->kept_count - 1].end : 0;
    if (p < end && t[p] == ' ' && (last == ' ' || last == '\0'))
        return p + 1;
    if (last == ' ' && o->b->length > kept_end && p < end && strchr(".,;:!?)", t[p]) != NULL)
        o->b->length--;
    return p;
}

/*
 * Pass 1: copies text to o without citation marks, emoji, footnote marks
 * (daggers; superscript digits after punctuation) and Markdown (backticks,
 * runs of "**" "__" "~~", a "*" or "_" at a word's edge, a "#" heading
 * mark). espeak-ng reads "**" as "asterisk asterisk", a backtick as a pause,
 * "#" as "hash", "¹" after a period as "one".
 */
static void abbrev_clean(const char *t, size_t length, const speak_span *kept,
                         size_t kept_count, abbrev_out *o)
{
    size_t k = 0;
    size_t p = 0;
    bool after_emoji = false;

    /* A heading mark: "## Title". */
    while (p < length && t[p] == ' ')
        p++;
    if (!(kept_count > 0 && kept[0].start <= p)) {
        size_t q = p;
        while (q < length && t[q] == '#')
            q++;
        if (q > p && q - p <= 6 && q < length && t[q] == ' ')
            p = q + 1;
        else
            p = 0;
    } else {
        p = 0;
    }
    while (p < length && !o->failed) {
        size_t limit = k < kept_count ? kept[k].start : length;
        uint32_t cp;
        size_t len;
        if (k < kept_count && p == kept[k].start) {
            out_put_kept(o, t + p, kept[k].end - kept[k].start);
            p = kept[k].end;
            k++;
            after_emoji = false;
            continue;
        }
        if (t[p] == '[') {
            size_t q = p + 1;
            while (q < limit && q - p < 64 && t[q] != ']' && t[q] != '[')
                q++;
            /* Not "[[x]]": phoneme codes, which speak.c spaces apart. */
            if (q < limit && t[q] == ']' && out_last(o) != '[' &&
                !(q + 1 < limit && t[q + 1] == ']') && abbrev_is_citation(t, p + 1, q)) {
                speak_count(o->counts, SPEAK_RULE_MARKS);
                p = abbrev_skip_space(o, t, q + 1, limit);
                continue;
            }
        }
        if (t[p] == '`') {
            speak_count(o->counts, SPEAK_RULE_MARKS);
            p = abbrev_skip_space(o, t, p + 1, limit);
            continue;
        }
        if ((t[p] == '*' || t[p] == '_' || t[p] == '~') && p + 1 < limit && t[p + 1] == t[p]) {
            /* At a word's edge ("**bold**"), not inside one ("2**3"). */
            size_t q = p;
            char before = out_last(o);
            while (q < limit && t[q] == t[p])
                q++;
            if (before == '\0' || before == ' ' || q == limit || t[q] == ' ' ||
                strchr(".,;:!?)", t[q]) != NULL) {
                speak_count(o->counts, SPEAK_RULE_MARKS);
                p = abbrev_skip_space(o, t, q, limit);
                continue;
            }
            out_put(o, t + p, q - p);
            p = q;
            continue;
        }
        if (t[p] == '*' || t[p] == '_') {
            /* At a word's edge: "*word*", "word*" (a footnote mark). */
            char before = out_last(o);
            bool word_before = before != '\0' && before != ' ';
            bool word_after = p + 1 < limit && t[p + 1] != ' ';
            if (word_before != word_after && (t[p] == '*' || !ascii_is_alnum(before))) {
                speak_count(o->counts, SPEAK_RULE_MARKS);
                p++;
                continue;
            }
        }
        cp = (unsigned char)t[p];
        len = 1;
        if ((unsigned char)t[p] >= 0x80) {
            len = utf8_next(t + p, limit - p, &cp);
            if (len == 0) {
                out_put(o, t + p, 1);
                p++;
                continue;
            }
        }
        if (!o->read_emoji && (abbrev_is_emoji(cp) || ((cp == 0xFE0F || cp == 0x200D) && after_emoji) ||
                               (cp >= 0x1F3FB && cp <= 0x1F3FF))) {
            if (!after_emoji)
                speak_count(o->counts, SPEAK_RULE_EMOJI);
            after_emoji = true;
            p = abbrev_skip_space(o, t, p + len, limit);
            continue;
        }
        after_emoji = false;
        /* Trademark signs after a name: espeak-ng says "trade mark", "registered". */
        if ((cp == 0x2122 || cp == 0xAE || cp == 0x2120) && out_last(o) != ' ' && out_last(o) != '\0') {
            speak_count(o->counts, SPEAK_RULE_MARKS);
            p += len;
            continue;
        }
        if ((cp == 0x2020 || cp == 0x2021) && out_last(o) != ' ' && out_last(o) != '\0') {
            speak_count(o->counts, SPEAK_RULE_MARKS);
            p += len;
            continue;
        }
        if (abbrev_is_superscript_digit(cp) && o->b->length > 0 &&
            strchr(".,;:)\"'", out_last(o)) != NULL) {
            speak_count(o->counts, SPEAK_RULE_MARKS);
            p += len;
            continue;
        }
        out_put(o, t + p, len);
        p += len;
    }
}

/* ---------------------------------------------------------- pass 2: words */

typedef struct abbrev_tok {
    size_t start;      /* the token, between spaces */
    size_t end;
    size_t core;       /* after the opening marks */
    size_t core_end;   /* before the closing marks, the period included */
    bool dot;          /* a period right after the core */
    bool kept;
} abbrev_tok;

static bool abbrev_is_opener(char c)
{
    return c == '(' || c == '[' || c == '"' || c == '\'';
}

static bool abbrev_is_closer(char c)
{
    return c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == ')' || c == ']' ||
           c == '"' || c == '\'';
}

static void abbrev_tok_parse(const char *t, abbrev_tok *tok)
{
    size_t c = tok->start;
    size_t e = tok->end;
    while (c < e && abbrev_is_opener(t[c]))
        c++;
    while (e > c && abbrev_is_closer(t[e - 1]))
        e--;
    tok->core = c;
    tok->dot = e > c && t[e - 1] == '.';
    tok->core_end = tok->dot ? e - 1 : e;
}

typedef struct abbrev_ctx_s {
    const char *t;
    size_t length;
    abbrev_tok *toks;
    size_t count;
    abbrev_out *o;
} abbrev_pass;

static size_t core_len(const abbrev_tok *k)
{
    return k->core_end - k->core;
}

/* A capitalised word or an initial: "Smith", "J.", "McDonald"; not a number. */
static bool tok_is_name(const abbrev_pass *a, const abbrev_tok *k)
{
    size_t len;
    uint32_t cp;
    if (k->kept)
        return true;   /* a lexicon's name */
    if (core_len(k) == 0)
        return false;
    cp = utf8_at(a->t, a->length, k->core, &len);
    return utf8_case_of(cp) == UTF8_CASE_UPPER;
}

/* A capitalised word with nothing after it: "Elm", "San"; or an ordinal "1st". */
static bool tok_is_street_name(const abbrev_pass *a, const abbrev_tok *k)
{
    const char *c = a->t + k->core;
    size_t n = core_len(k);
    if (k->kept || k->dot || k->end != k->core_end || n == 0)
        return false;
    if (ascii_is_digit(c[0])) {
        size_t d = 0;
        while (d < n && ascii_is_digit(c[d]))
            d++;
        return n - d == 2 && (ascii_eq_nocase(c + d, 2, "st") || ascii_eq_nocase(c + d, 2, "nd") ||
                              ascii_eq_nocase(c + d, 2, "rd") || ascii_eq_nocase(c + d, 2, "th"));
    }
    return tok_is_name(a, k);
}

/* Digits only: a house number. */
static bool tok_is_digits(const abbrev_pass *a, const abbrev_tok *k)
{
    if (k->kept || k->start != k->core || k->end != k->core_end || core_len(k) == 0)
        return false;
    for (size_t p = k->core; p < k->core_end; p++)
        if (!ascii_is_digit(a->t[p]))
            return false;
    return true;
}

/* True when the token starts with a digit (after its opening marks). */
static bool tok_starts_number(const abbrev_pass *a, const abbrev_tok *k)
{
    return !k->kept && core_len(k) > 0 && ascii_is_digit(a->t[k->core]);
}

/* The value of a Roman numeral in capitals at s[0..n), 0 when it is not one. */
static unsigned roman_value(const char *s, size_t n)
{
    static const char *const thousands[] = {"", "M", "MM", "MMM"};
    static const char *const hundreds[] = {"", "C", "CC", "CCC", "CD", "D", "DC", "DCC", "DCCC", "CM"};
    static const char *const tens[] = {"", "X", "XX", "XXX", "XL", "L", "LX", "LXX", "LXXX", "XC"};
    static const char *const units[] = {"", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"};
    unsigned v = 0;
    char canon[32];
    if (n == 0 || n > 15)
        return 0;
    for (size_t i = 0; i < n; i++) {
        static const char digits[] = "IVXLCDM";
        static const unsigned values[] = {1, 5, 10, 50, 100, 500, 1000};
        const char *d = memchr(digits, s[i], 7);
        unsigned cur, next = 0;
        if (d == NULL)
            return 0;
        cur = values[d - digits];
        if (i + 1 < n) {
            const char *d2 = memchr(digits, s[i + 1], 7);
            if (d2 == NULL)
                return 0;
            next = values[d2 - digits];
        }
        if (cur < next)
            v -= cur;
        else
            v += cur;
    }
    if (v == 0 || v > 3999)
        return 0;
    /* Only the canonical spelling ("IV", not "IIII" or "VX"). */
    snprintf(canon, sizeof canon, "%s%s%s%s", thousands[v / 1000], hundreds[v / 100 % 10],
             tens[v / 10 % 10], units[v % 10]);
    return strlen(canon) == n && memcmp(canon, s, n) == 0 ? v : 0;
}

static bool word_in(const char *s, size_t n, const char *const *list, size_t count, bool nocase)
{
    for (size_t i = 0; i < count; i++) {
        if (strlen(list[i]) != n)
            continue;
        if (nocase ? ascii_eq_nocase(s, n, list[i]) : memcmp(s, list[i], n) == 0)
            return true;
    }
    return false;
}

/* Writes the token's opening marks, `word` (kept), then its closing marks; the period only when keep_dot. */
static void put_rewrite(abbrev_pass *a, const abbrev_tok *k, const char *word, size_t n, bool keep_dot)
{
    out_put(a->o, a->t + k->start, k->core - k->start);
    out_put_kept(a->o, word, n);
    if (keep_dot && k->dot)
        out_put(a->o, ".", 1);
    out_put(a->o, a->t + k->core_end + k->dot, k->end - k->core_end - k->dot);
}

static const unit_entry *unit_find(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof unit_table / sizeof unit_table[0]; i++) {
        const unit_entry *u = &unit_table[i];
        if (strlen(u->written) != n)
            continue;
        if (u->nocase ? ascii_eq_nocase(s, n, u->written) : memcmp(s, u->written, n) == 0)
            return u;
    }
    return NULL;
}

/*
 * The spoken words of a unit s[0..n) ("kg", "km/h", "kg/kg") after a number
 * that is "1" when one; false when it is no unit.
 */
static bool unit_words(const char *s, size_t n, bool one, char *buf, size_t cap)
{
    const char *slash = memchr(s, '/', n);
    const unit_entry *u1;
    const unit_entry *u2 = NULL;
    size_t n1 = slash ? (size_t)(slash - s) : n;
    if (n1 == 0)
        return false;
    u1 = unit_find(s, n1);
    if (u1 == NULL)
        return false;
    if (slash == NULL) {
        if (unit_only_after_slash(u1))
            return false;
    } else {
        u2 = unit_find(slash + 1, n - n1 - 1);
        if (u2 == NULL || unit_is_magnitude(u1) || unit_is_magnitude(u2) ||
            (unit_only_after_slash(u1) && strcmp(u1->written, "m") != 0))
            return false;
    }
    if (u2)
        snprintf(buf, cap, "%s per %s", one ? u1->one : u1->many, u2->one);
    else
        snprintf(buf, cap, "%s", one ? u1->one : u1->many);
    return true;
}

/* The ordinal word of 1..49 ("Fifth", "Twenty-First"); false above. */
static bool ordinal_word(unsigned v, char *buf, size_t cap)
{
    static const char *const tens_ord[] = {"", "Tenth", "Twentieth", "Thirtieth", "Fortieth"};
    static const char *const tens_card[] = {"", "Ten", "Twenty", "Thirty", "Forty"};
    if (v == 0 || v >= 50)
        return false;
    if (v < 20)
        snprintf(buf, cap, "the %s", ordinal_units[v]);
    else if (v % 10 == 0)
        snprintf(buf, cap, "the %s", tens_ord[v / 10]);
    else
        snprintf(buf, cap, "the %s-%s", tens_card[v / 10], ordinal_units[v % 10]);
    return true;
}

/* True when no token after i has a letter or digit (i is the sentence's last word). */
static bool tok_is_last(const abbrev_pass *a, size_t i)
{
    return i + 1 >= a->count;
}

static const char *const magnitude_words[] = {"hundred", "thousand", "million", "billion", "trillion"};

/* True when the token is a month, whole or abbreviated ("Jan.", "October"). */
static bool month_abbrev(const abbrev_pass *a, const abbrev_tok *k)
{
    static const char *const months[] = {
        "January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun",
        "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
    };
    return !k->kept && word_in(a->t + k->core, core_len(k), months,
                               sizeof months / sizeof months[0], false);
}

/* Rewrites an abbreviation with a period at token i; false when none applies. */
static bool rule_abbrev(abbrev_pass *a, size_t i)
{
    const abbrev_tok *k = &a->toks[i];
    const abbrev_tok *prev = i > 0 ? &a->toks[i - 1] : NULL;
    const abbrev_tok *next = i + 1 < a->count ? &a->toks[i + 1] : NULL;
    bool last = tok_is_last(a, i);
    const char *c = a->t + k->core;
    size_t n = core_len(k);

    /* An address: house number, one to three name words, street word ("1428 Elm St."). */
    if (i >= 2 && !(k->dot && next && next->core > next->start)) {
        size_t j = i;
        while (j > 0 && i - j < 3 && tok_is_street_name(a, &a->toks[j - 1]))
            j--;
        if (j < i && j > 0 && tok_is_digits(a, &a->toks[j - 1]) && k->start == k->core) {
            for (size_t e = 0; e < sizeof abbrev_table / sizeof abbrev_table[0]; e++) {
                const abbrev_entry *en = &abbrev_table[e];
                if (en->ctx == ABBREV_STREET && strlen(en->written) == n &&
                    ascii_eq_nocase(c, n, en->written)) {
                    put_rewrite(a, k, en->spoken, strlen(en->spoken),
                                last || (next && tok_is_name(a, next)));
                    speak_count(a->o->counts, SPEAK_RULE_ADDRESSES);
                    return true;
                }
            }
            if (ascii_eq_nocase(c, n, "dr") && n == 2) {
                put_rewrite(a, k, "Drive", 5, last || (next && tok_is_name(a, next)));
                speak_count(a->o->counts, SPEAK_RULE_ADDRESSES);
                return true;
            }
        }
    }
    if (!k->dot || k->kept)
        return false;
    for (size_t e = 0; e < sizeof abbrev_table / sizeof abbrev_table[0]; e++) {
        const abbrev_entry *en = &abbrev_table[e];
        bool ok = false;
        if (strlen(en->written) != n || memcmp(en->written, c, n) != 0)
            continue;
        /* The abbreviation must stand alone: "(Dr." yes, "Dr.)" only after it. */
        switch (en->ctx) {
        case ABBREV_TITLE:
            ok = next != NULL && k->end == k->core_end + 1 && tok_is_name(a, next) &&
                 !(prev && tok_is_street_name(a, prev) && strcmp(en->written, "St") == 0);
            break;
        case ABBREV_AFTER:
            ok = prev != NULL && tok_is_name(a, prev) && prev->end == prev->core_end;
            break;
        case ABBREV_STREET:
            ok = prev != NULL && tok_is_street_name(a, prev) &&
                 (next == NULL || !tok_is_name(a, next));
            break;
        case ABBREV_REF:
            ok = next != NULL && k->end == k->core_end + 1 &&
                 (tok_starts_number(a, next) ||
                  (roman_value(a->t + next->core, core_len(next)) > 0 && !next->kept));
            break;
        case ABBREV_ANY:
            ok = next != NULL;
            break;
        case ABBREV_MONTH:
            ok = true;
            break;
        case ABBREV_WEEKDAY:
            /* "Mon., Jan. 5", "Thurs. Oct. 2", "Fri. 13": not "the Sun. is". */
            ok = next != NULL && (k->end > k->core_end + 1 || tok_starts_number(a, next) ||
                                  next->kept || month_abbrev(a, next));
            break;
        }
        if (ok) {
            put_rewrite(a, k, en->spoken, strlen(en->spoken), last);
            speak_count(a->o->counts, SPEAK_RULE_ABBREVIATIONS);
            return true;
        }
    }
    return false;
}

/* Writes "<number> <unit words>" for a number glued to a unit, or the unit after a number token. */
static bool rule_unit(abbrev_pass *a, size_t i)
{
    const abbrev_tok *k = &a->toks[i];
    const char *t = a->t;
    char words[96];
    size_t p;
    size_t num_start;

    if (k->kept || core_len(k) == 0)
        return false;
    /* Glued: "12kg", "20°C", "1234-123kg". */
    p = k->core;
    if (ascii_is_digit(t[p]) || (t[p] == '-' && p + 1 < k->core_end && ascii_is_digit(t[p + 1]))) {
        size_t q = p + 1;
        while (q < k->core_end && (ascii_is_digit(t[q]) || t[q] == ',' || t[q] == '-' ||
                                   (t[q] == '.' && q + 1 < k->core_end && ascii_is_digit(t[q + 1]))))
            q++;
        if (q + 1 < k->core_end && t[q] == '/' && ascii_is_digit(t[q - 1]) &&
            unit_words(t + q + 1, k->core_end - q - 1, true, words, sizeof words) &&
            !memchr(t + q + 1, '/', k->core_end - q - 1)) {
            /* "12/kg": "12 per kilogram". */
            out_put(a->o, t + k->start, q - k->start);
            out_put(a->o, " ", 1);
            out_put_kept(a->o, "per ", 4);
            out_put_kept(a->o, words, strlen(words));
            out_put(a->o, t + k->core_end, k->end - k->core_end);
            speak_count(a->o->counts, SPEAK_RULE_UNITS);
            return true;
        }
        if (q < k->core_end && ascii_is_digit(t[q - 1])) {
            bool one = q - p == 1 && t[p] == '1';
            /* A trailing period after a unit is the sentence's: keep it as written. */
            size_t uend = k->core_end;
            if (unit_words(t + q, uend - q, one, words, sizeof words)) {
                num_start = k->start;
                out_put(a->o, t + num_start, q - num_start);
                out_put(a->o, " ", 1);
                out_put_kept(a->o, words, strlen(words));
                out_put(a->o, t + k->core_end, k->end - k->core_end);
                speak_count(a->o->counts, SPEAK_RULE_UNITS);
                return true;
            }
        }
        return false;
    }
    /* Apart: "5 km", "2 °C"; the number is the previous token, ending in a digit. */
    if (i > 0 && k->start == k->core) {
        const abbrev_tok *prev = &a->toks[i - 1];
        size_t pe = prev->end;
        bool one;
        /* "100 million kg": a magnitude word between number and unit. */
        if (i > 1 && !prev->kept && prev->start == prev->core && prev->end == prev->core_end &&
            word_in(t + prev->core, core_len(prev), magnitude_words,
                    sizeof magnitude_words / sizeof magnitude_words[0], false)) {
            prev = &a->toks[i - 2];
            pe = prev->end;
        }
        if (prev->kept || prev->end != prev->core_end || pe == prev->core ||
            !ascii_is_digit(t[pe - 1]) || !ascii_is_digit(t[prev->core]) ||
            prev->start != prev->core)
            return false;
        for (size_t q = prev->core; q < pe; q++)
            if (!ascii_is_digit(t[q]) && t[q] != ',' && t[q] != '.' &&
                !((t[q] == 'x' || t[q] == '-') && q > prev->core && ascii_is_digit(t[q - 1])))
                return false;
        one = pe - prev->core == 1 && t[prev->core] == '1' && prev == &a->toks[i - 1];
        if (unit_words(t + k->core, core_len(k), one, words, sizeof words)) {
            /* "2 lb. of": the period is the abbreviation's unless the sentence ends. */
            put_rewrite(a, k, words, strlen(words), tok_is_last(a, i));
            speak_count(a->o->counts, SPEAK_RULE_UNITS);
            return true;
        }
    }
    return false;
}

/* Rewrites a Roman numeral after a numbered word or a regnal name. */
static bool rule_roman(abbrev_pass *a, size_t i)
{
    const abbrev_tok *k = &a->toks[i];
    const abbrev_tok *prev = i > 0 ? &a->toks[i - 1] : NULL;
    const char *t = a->t;
    size_t n = core_len(k);
    unsigned v;
    char words[48];

    if (k->kept || prev == NULL || prev->kept || k->start != k->core || n == 0)
        return false;
    v = roman_value(t + k->core, n);
    if (v == 0 || !ascii_is_upper(t[prev->core]) || prev->end != prev->core_end + prev->dot)
        return false;
    /* "Chapter IV", "World War I", "PART XL"; a lone C, D, L or M is a letter ("Class C"). */
    if (word_in(t + prev->core, prev->core_end + prev->dot - prev->core, roman_cardinal_words,
                sizeof roman_cardinal_words / sizeof roman_cardinal_words[0], true) &&
        !(n == 1 && strchr("CDLM", t[k->core]) != NULL)) {
        snprintf(words, sizeof words, "%u", v);
        put_rewrite(a, k, words, strlen(words), true);
        speak_count(a->o->counts, SPEAK_RULE_ROMANS);
        return true;
    }
    /* "Henry VIII", "Elizabeth II"; not "I" (the pronoun: "told Henry I would"). */
    if (!prev->dot && prev->end == prev->core_end && !(n == 1 && t[k->core] == 'I') &&
        word_in(t + prev->core, core_len(prev), regnal_names,
                sizeof regnal_names / sizeof regnal_names[0], false) &&
        ordinal_word(v, words, sizeof words)) {
        put_rewrite(a, k, words, strlen(words), true);
        speak_count(a->o->counts, SPEAK_RULE_ROMANS);
        return true;
    }
    return false;
}

/* Street words written out, after which a number and a name are an address. */
static const char *const street_words[] = {
    "Street", "Road", "Avenue", "Boulevard", "Lane", "Drive", "Court", "Place", "Square",
    "Terrace", "Highway", "Parkway", "Expressway", "Way",
};

/* True when token i is a street word, abbreviated (any case) or written out. */
static bool tok_is_street_word(const abbrev_pass *a, const abbrev_tok *k)
{
    const char *c = a->t + k->core;
    size_t n = core_len(k);
    if (k->kept || n == 0)
        return false;
    for (size_t e = 0; e < sizeof abbrev_table / sizeof abbrev_table[0]; e++)
        if (abbrev_table[e].ctx == ABBREV_STREET && strlen(abbrev_table[e].written) == n &&
            ascii_eq_nocase(c, n, abbrev_table[e].written))
            return true;
    return (n == 2 && ascii_eq_nocase(c, n, "dr")) ||
           word_in(c, n, street_words, sizeof street_words / sizeof street_words[0], false);
}

/*
 * Rule: a house number is read in pairs, as Americans say an address:
 * "1428 Elm St." -> "14 28 Elm Street", "123 Laguna Ct" -> "1 23 Laguna
 * Court", "708 N 1st St" -> "7 oh 8 North ...". espeak-ng says "one thousand
 * four hundred twenty eight". Three or four digits, then one to three name
 * words and a street word.
 */
static bool rule_house_number(abbrev_pass *a, size_t i)
{
    const abbrev_tok *k = &a->toks[i];
    const char *d = a->t + k->core;
    size_t n = core_len(k);
    size_t j = i + 1;
    char words[32];
    size_t w;

    if (!tok_is_digits(a, k) || (n != 3 && n != 4) || d[0] == '0')
        return false;
    while (j < a->count && j - i <= 3 && tok_is_street_name(a, &a->toks[j]) &&
           !tok_is_street_word(a, &a->toks[j]))
        j++;
    if (j == i + 1 || j >= a->count || !tok_is_street_word(a, &a->toks[j]))
        return false;
    w = n == 3 ? (size_t)snprintf(words, sizeof words, "%c", d[0])
               : (size_t)snprintf(words, sizeof words, "%c%c", d[0], d[1]);
    d += n - 2;
    if (d[0] == '0' && d[1] == '0')
        snprintf(words + w, sizeof words - w, " hundred");
    else if (d[0] == '0')
        snprintf(words + w, sizeof words - w, " oh %c", d[1]);
    else
        snprintf(words + w, sizeof words - w, " %c%c", d[0], d[1]);
    put_rewrite(a, k, words, strlen(words), true);
    speak_count(a->o->counts, SPEAK_RULE_ADDRESSES);
    return true;
}

/*
 * Rule: dimensions "2x8", "1920x1080" read "2 by 8"; espeak-ng says "two
 * x eight" ("Eks").
 */
static bool rule_dims(abbrev_pass *a, size_t i)
{
    const abbrev_tok *k = &a->toks[i];
    const char *t = a->t;
    size_t p = k->core;
    size_t x;
    char words[32];

    if (k->kept || k->dot)
        return false;
    while (p < k->core_end && ascii_is_digit(t[p]))
        p++;
    x = p;
    if (x == k->core || x - k->core > 4 || x >= k->core_end || t[x] != 'x')
        return false;
    p++;
    while (p < k->core_end && ascii_is_digit(t[p]))
        p++;
    if (p != k->core_end || p - x - 1 == 0 || p - x - 1 > 4 || i + 1 >= a->count)
        return false;
    /* Only before a unit ("2x8 m2"): alone, "2x8" may be a product or a size. */
    {
        const abbrev_tok *next = &a->toks[i + 1];
        if (next->kept || !unit_words(t + next->core, core_len(next), false, words, sizeof words))
            return false;
    }
    snprintf(words, sizeof words, "%.*s by %.*s", (int)(x - k->core), t + k->core,
             (int)(p - x - 1), t + x + 1);
    put_rewrite(a, k, words, strlen(words), true);
    speak_count(a->o->counts, SPEAK_RULE_UNITS);
    return true;
}

/* Pass 2 over the cleaned text: tokens, then the rules in order. */
static bool abbrev_words(const char *t, size_t length, const speak_span *kept, size_t kept_count,
                         abbrev_out *o)
{
    abbrev_pass a;
    size_t cap = 0;
    size_t k = 0;
    size_t p = 0;
    size_t copied = 0;

    memset(&a, 0, sizeof a);
    a.t = t;
    a.length = length;
    a.o = o;
    while (p < length) {
        abbrev_tok tok;
        if (t[p] == ' ' && !(k < kept_count && kept[k].start == p)) {
            p++;
            continue;
        }
        memset(&tok, 0, sizeof tok);
        tok.start = p;
        if (k < kept_count && kept[k].start == p) {
            tok.end = kept[k].end;
            tok.core = tok.start;
            tok.core_end = tok.end;
            tok.kept = true;
            k++;
        } else {
            size_t limit = k < kept_count ? kept[k].start : length;
            tok.end = p;
            while (tok.end < limit && t[tok.end] != ' ')
                tok.end++;
            abbrev_tok_parse(t, &tok);
        }
        if (!vec_reserve(&a.toks, &cap, a.count + 1, sizeof *a.toks, 32)) {
            free(a.toks);
            return false;
        }
        a.toks[a.count++] = tok;
        p = tok.end;
    }
    for (size_t i = 0; i < a.count && !o->failed; i++) {
        const abbrev_tok *tok = &a.toks[i];
        out_put(o, t + copied, tok->start - copied);
        copied = tok->end;
        if (tok->kept) {
            out_put_kept(o, t + tok->start, tok->end - tok->start);
            continue;
        }
        if (rule_house_number(&a, i) || rule_dims(&a, i) || rule_abbrev(&a, i) ||
            rule_unit(&a, i) || rule_roman(&a, i))
            continue;
        out_put(o, t + tok->start, tok->end - tok->start);
    }
    out_put(o, t + copied, length - copied);
    free(a.toks);
    return !o->failed;
}

bool speak_abbrev_apply(const char *text, size_t length, const speak_span *kept,
                        size_t kept_count, bool read_emoji, size_t *counts, speak_buf *out)
{
    speak_buf mid = {0};
    abbrev_out o1 = {&mid, false, read_emoji, counts};
    abbrev_out o2 = {out, false, read_emoji, counts};
    bool ok;

    abbrev_clean(text, length, kept, kept_count, &o1);
    if (o1.failed) {
        speak_buf_free(&mid);
        return false;
    }
    ok = abbrev_words(mid.data ? mid.data : "", mid.length, mid.kept, mid.kept_count, &o2);
    speak_buf_free(&mid);
    if (ok)
        out_put(&o2, "", 0);
    return ok && !o2.failed;
}
