/*
 * speak_time.c - times, dates, decades, phone numbers, IP addresses,
 * fractions and ratios as a newsreader says them.
 *
 * Each rule below says what espeak-ng 1.51 (en-us, `espeak-ng -q -x`) says
 * without it. Numbers are left as digits wherever espeak-ng reads them
 * right ("4 oh 7", "25th", "19 94" are "four oh seven", "twenty fifth",
 * "nineteen ninety four"); words are written only where it cannot
 * ("eighties", "quarters").
 *
 * Left to espeak-ng, which reads them well already: "5pm", "1 a.m." (alone;
 * in a range they are rewritten), plain numbers, scores ("3-2"), versions
 * ("v1.2.3").
 * Left alone because they are ambiguous: bare four-digit numbers (a year or
 * an amount), "555-1234" (a phone number or a range), "a/b" with other
 * denominators or a numerator not below the denominator ("24/7", "9/11").
 *
 * One pass over the text; every matcher looks at a bounded number of bytes
 * from where it starts, so time and memory are linear in the sentence.
 */
#include "speak_time.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ascii.h"
#include "speak_num.h"

/* A rewrite being built: short by construction (every match is bounded). */
typedef struct st_out {
    char s[256];
    size_t n;
    bool full;
} st_out;

static void st_put(st_out *w, const char *s)
{
    size_t n = strlen(s);
    if (w->n + n >= sizeof w->s) {
        w->full = true;
        return;
    }
    memcpy(w->s + w->n, s, n);
    w->n += n;
}

static void st_put_num(st_out *w, unsigned v)
{
    char b[16];
    snprintf(b, sizeof b, "%u", v);
    st_put(w, b);
}

/* Each digit of t[p..q) on its own, separated by spaces ("1 2 3"). */
static void st_put_digits(st_out *w, const char *t, size_t p, size_t q)
{
    for (size_t i = p; i < q; i++) {
        char b[3] = {t[i], ' ', '\0'};
        if (i + 1 == q)
            b[1] = '\0';
        st_put(w, b);
    }
}

/* "1st", "22nd", "13th": espeak-ng reads these as ordinals. */
static void st_put_ordinal(st_out *w, unsigned d)
{
    const char *suffix = "th";
    if (d % 100 < 11 || d % 100 > 13) {
        if (d % 10 == 1)
            suffix = "st";
        else if (d % 10 == 2)
            suffix = "nd";
        else if (d % 10 == 3)
            suffix = "rd";
    }
    st_put_num(w, d);
    st_put(w, suffix);
}

/*
 * A year said in pairs: "19 94", "15 oh 6", "19 hundred", "2 thousand 6",
 * "20 12". espeak-ng says "one thousand nine hundred ninety four".
 */
static void st_put_year(st_out *w, unsigned y)
{
    if (y % 1000 == 0) {
        st_put_num(w, y);
    } else if (y >= 2000 && y < 2010) {
        st_put(w, "2 thousand ");
        st_put_num(w, y % 10);
    } else {
        st_put_num(w, y / 100);
        if (y % 100 == 0) {
            st_put(w, " hundred");
        } else {
            st_put(w, y % 100 < 10 ? " oh " : " ");
            st_put_num(w, y % 100);
        }
    }
}

/* A two-digit year ("98", "oh 5"). */
static void st_put_short_year(st_out *w, unsigned y)
{
    if (y < 10)
        st_put(w, "oh ");
    st_put_num(w, y);
}

/* ------------------------------------------------------------- scanning */

/* Digits at t[p..lim): how many (at most 9), their value in *val. */
static size_t st_digits(const char *t, size_t p, size_t lim, unsigned *val)
{
    size_t n = 0;
    *val = 0;
    while (p + n < lim && n < 9 && ascii_is_digit(t[p + n])) {
        *val = *val * 10 + (unsigned)(t[p + n] - '0');
        n++;
    }
    if (p + n < lim && ascii_is_digit(t[p + n]))
        return 0; /* too long to be any of these forms */
    return n;
}

/* A match may start at p: the start, or after a space, bracket or quote. */
static bool st_start_ok(const char *t, size_t p)
{
    if (p == 0)
        return true;
    char c = t[p - 1];
    if (c == ' ' || c == '(' || c == '[' || c == '"')
        return true;
    /* after a curly opening quote, U+201C or U+2018 */
    return p >= 3 && (unsigned char)t[p - 3] == 0xE2 && (unsigned char)t[p - 2] == 0x80 &&
           ((unsigned char)c == 0x9C || (unsigned char)c == 0x98);
}

/* A match may end at p: the end, a space, or punctuation not inside a word. */
static bool st_end_ok(const char *t, size_t p, size_t lim)
{
    if (p >= lim)
        return true;
    char c = t[p];
    if (c == ' ' || c == ',' || c == ';' || c == '!' || c == '?' || c == ')' || c == ']' ||
        c == '"' || c == '\'')
        return true;
    if (c == '.' || c == ':')
        return p + 1 >= lim || !ascii_is_alnum(t[p + 1]);
    /* a curly closing quote, U+201D or U+2019 */
    return p + 2 < lim && (unsigned char)c == 0xE2 && (unsigned char)t[p + 1] == 0x80 &&
           ((unsigned char)t[p + 2] == 0x9D || (unsigned char)t[p + 2] == 0x99);
}

static const char *const st_month_names[12] = {
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
};

/*
 * A month name at t[p..lim), whole or abbreviated ("Jan", "jan.", "Sept.",
 * "SEPTEMBER"): its number 1-12 and the bytes used in *used, 0 if none.
 * *weak is set for "may", "march" and "mar" written in lower case, which
 * are words too and count only when a year follows.
 */
static unsigned st_month(const char *t, size_t p, size_t lim, size_t *used, bool *weak)
{
    size_t n = 0;
    while (p + n < lim && ascii_is_alpha(t[p + n]))
        n++;
    if (n < 3)
        return 0;
    for (unsigned m = 0; m < 12; m++) {
        const char *name = st_month_names[m];
        bool whole = ascii_eq_nocase(t + p, n, name);
        bool abbr = !whole && (n == 3 || (m == 8 && n == 4)) && strlen(name) > n;
        if (abbr) {
            for (size_t i = 0; i < n; i++)
                if (ascii_to_lower(t[p + i]) != ascii_to_lower(name[i]))
                    abbr = false;
        }
        if (!whole && !abbr)
            continue;
        *used = n;
        if (abbr && p + n < lim && t[p + n] == '.')
            (*used)++;
        *weak = (m == 2 || m == 4) && ascii_is_lower(t[p]);
        return m + 1;
    }
    return 0;
}

/* "st", "nd", "rd", "th" in any case at t[p..lim): its length, else 0. */
static size_t st_ordinal_suffix(const char *t, size_t p, size_t lim)
{
    static const char *const suffixes[] = {"st", "nd", "rd", "th"};
    if (p + 2 > lim)
        return 0;
    for (size_t i = 0; i < 4; i++)
        if (ascii_eq_nocase(t + p, 2, suffixes[i]))
            return 2;
    return 0;
}

/* A day of the month, 1-31, with an optional ordinal suffix; bytes used. */
static size_t st_day(const char *t, size_t p, size_t lim, unsigned *day)
{
    size_t n = st_digits(t, p, lim, day);
    if (n < 1 || n > 2 || *day < 1 || *day > 31)
        return 0;
    return n + st_ordinal_suffix(t, p + n, lim);
}

/* A four-digit year 1000-2099 ending at a word end; bytes used. */
static size_t st_year(const char *t, size_t p, size_t lim, unsigned *year)
{
    size_t n = st_digits(t, p, lim, year);
    if (n != 4 || *year < 1000 || *year > 2099 || !st_end_ok(t, p + n, lim))
        return 0;
    return n;
}

/* True when the word before p is "the" ("on the 26th May"). */
static bool st_after_the(const char *t, size_t p)
{
    return p >= 4 && t[p - 1] == ' ' && ascii_eq_nocase(t + p - 4, 3, "the") &&
           (p == 4 || t[p - 5] == ' ' || t[p - 5] == '(' || t[p - 5] == '"');
}

/* ------------------------------------------------------------------ rules */

/*
 * Month then day, and an optional year: "July 25 2012", "Jan. 15, 2020",
 * "Jan-15", "March 1" read "July 25th 20 12", "March 1st"; "July 1876"
 * reads "July 18 76". espeak-ng says "march one", "july twenty five two
 * thousand twelve", "jan fifteen".
 */
static size_t st_month_day(const char *t, size_t p, size_t lim, st_out *w)
{
    size_t used;
    bool weak;
    unsigned month = st_month(t, p, lim, &used, &weak);
    unsigned day = 0;
    unsigned year = 0;
    size_t q = p + used;
    if (!month || q >= lim || (t[q] != ' ' && t[q] != '-'))
        return 0;
    size_t dn = st_day(t, q + 1, lim, &day);
    size_t r = q + 1 + dn;
    size_t yn = 0;
    bool comma = false;
    if (dn && t[q] == '-' && r < lim && t[r] == '-')
        yn = st_year(t, r + 1, lim, &year); /* "Jan-15-2020" */
    if (dn && (yn || st_end_ok(t, r, lim))) {
        comma = !yn && r < lim && t[r] == ',';
        if (!yn && r + comma < lim && t[r + comma] == ' ')
            yn = st_year(t, r + comma + 1, lim, &year);
        if (weak && !yn)
            return 0;
        st_put(w, st_month_names[month - 1]);
        st_put(w, " ");
        st_put_ordinal(w, day);
        if (!yn)
            return r - p;
        st_put(w, comma ? ", " : " ");
        st_put_year(w, year);
        return r + comma + 1 + yn - p;
    }
    if (t[q] == ' ') {
        yn = st_year(t, q + 1, lim, &year);
        if (!yn)
            return 0;
        st_put(w, st_month_names[month - 1]);
        st_put(w, " ");
        st_put_year(w, year);
        return q + 1 + yn - p;
    }
    return 0;
}

/*
 * Day then month, and an optional year: "25 July 2012", "26th May",
 * "15 january" read "the 25th of July 20 12" ("the" is not doubled after
 * "the"). espeak-ng says "twenty five july two thousand twelve".
 */
static size_t st_day_month(const char *t, size_t p, size_t lim, st_out *w)
{
    unsigned day;
    unsigned year = 0;
    size_t dn = st_day(t, p, lim, &day);
    size_t used;
    bool weak;
    if (!dn || p + dn >= lim || t[p + dn] != ' ')
        return 0;
    unsigned month = st_month(t, p + dn + 1, lim, &used, &weak);
    size_t r = p + dn + 1 + used;
    if (!month || !st_end_ok(t, r, lim))
        return 0;
    size_t yn = 0;
    if (r < lim && t[r] == ' ')
        yn = st_year(t, r + 1, lim, &year);
    if (weak && !yn)
        return 0;
    if (!st_after_the(t, p))
        st_put(w, "the ");
    st_put_ordinal(w, day);
    st_put(w, " of ");
    st_put(w, st_month_names[month - 1]);
    if (!yn)
        return r - p;
    st_put(w, " ");
    st_put_year(w, year);
    return r + 1 + yn - p;
}

/*
 * Numeric dates: ISO "2016-11-03" and "1998/2/30" (year first), US
 * "10/06/2005", "01.10.2010", "11/17/05" (month first), and day first when
 * the first number cannot be a month ("15-01-2020"). They read "November
 * 3rd, 20 16", "the 15th of January 20 20". espeak-ng says "two thousand
 * sixteen eleven zero three", "ten slash zero six slash ...". Two-digit
 * years only with slashes ("3-4-05" may be anything).
 */
static size_t st_numeric_date(const char *t, size_t p, size_t lim, st_out *w)
{
    unsigned a, b, c;
    size_t an = st_digits(t, p, lim, &a);
    if (!an || p + an >= lim)
        return 0;
    char sep = t[p + an];
    if (sep != '/' && sep != '-' && sep != '.')
        return 0;
    size_t q = p + an + 1;
    size_t bn = st_digits(t, q, lim, &b);
    if (bn < 1 || bn > 2 || q + bn >= lim || t[q + bn] != sep)
        return 0;
    q += bn + 1;
    size_t cn = st_digits(t, q, lim, &c);
    size_t end = q + cn;
    if (!cn || !st_end_ok(t, end, lim))
        return 0;
    if (end + 1 < lim && t[end] == sep && ascii_is_digit(t[end + 1]))
        return 0; /* a longer chain */
    if (an == 4 && a >= 1000 && a <= 2099 && b >= 1 && b <= 12 && cn <= 2 && c >= 1 &&
        c <= 31) {
        st_put(w, st_month_names[b - 1]);
        st_put(w, " ");
        st_put_ordinal(w, c);
        st_put(w, " ");
        st_put_year(w, a);
        return end - p;
    }
    if (an > 2 || !(cn == 4 || (cn == 2 && sep == '/')))
        return 0;
    if (cn == 4 && (c < 1000 || c > 2099))
        return 0;
    if (a >= 1 && a <= 12 && b >= 1 && b <= 31) {
        st_put(w, st_month_names[a - 1]);
        st_put(w, " ");
        st_put_ordinal(w, b);
        st_put(w, " ");
    } else if (a >= 13 && a <= 31 && b >= 1 && b <= 12) {
        st_put(w, "the ");
        st_put_ordinal(w, a);
        st_put(w, " of ");
        st_put(w, st_month_names[b - 1]);
        st_put(w, " ");
    } else {
        return 0;
    }
    if (cn == 4)
        st_put_year(w, c);
    else
        st_put_short_year(w, c);
    return end - p;
}

/* True when a dash and a digit or an apostrophe follow at p ("-5pm", "–80s", "-'80s"). */
static bool st_dash_digit_follows(const char *t, size_t p, size_t lim)
{
    size_t q = p;
    if (q < lim && t[q] == '-')
        q++;
    else if (q + 3 <= lim && (unsigned char)t[q] == 0xE2 && (unsigned char)t[q + 1] == 0x80 &&
             ((unsigned char)t[q + 2] == 0x93 || (unsigned char)t[q + 2] == 0x94))
        q += 3;
    else
        return false;
    return q < lim && (ascii_is_digit(t[q]) || t[q] == '\'');
}

/* "am", "a.m.", "a.m", "PM", ... at t[p..lim) ending a word: bytes used, *pm. */
static size_t st_meridiem(const char *t, size_t p, size_t lim, bool *pm)
{
    if (p + 2 > lim)
        return 0;
    char c = ascii_to_lower(t[p]);
    if (c != 'a' && c != 'p')
        return 0;
    *pm = c == 'p';
    size_t n = 0;
    if (ascii_to_lower(t[p + 1]) == 'm')
        n = 2;
    else if (p + 3 <= lim && t[p + 1] == '.' && ascii_to_lower(t[p + 2]) == 'm')
        n = p + 3 < lim && t[p + 3] == '.' ? 4 : 3;
    if (!n)
        return 0;
    if (n == 4 && (p + 4 >= lim || t[p + 4] == ' '))
        return 4;
    if (st_dash_digit_follows(t, p + n, lim))
        return n;  /* "2pm-5pm": a range */
    return st_end_ok(t, p + n, lim) ? n : 0;
}

/*
 * Clock times: "9:00" reads "9 o'clock", "9:00 am" "9 AM", "4:07" "4 oh
 * 7", "1:59" "1 59", and "1.59 p.m." (a period only before am/pm);
 * "14:10:30" reads "14 hours 10 minutes and 30 seconds". espeak-ng says
 * "nine zero zero", "four zero seven", "fourteen ten thirty".
 */
static size_t st_time(const char *t, size_t p, size_t lim, st_out *w)
{
    unsigned h, m, s = 0;
    size_t hn = st_digits(t, p, lim, &h);
    if (hn < 1 || hn > 2 || p + hn >= lim)
        return 0;
    char sep = t[p + hn];
    if (sep != ':' && sep != '.')
        return 0;
    size_t q = p + hn + 1;
    if (st_digits(t, q, lim, &m) != 2 || m > 59)
        return 0;
    q += 2;
    bool seconds = false;
    if (sep == ':' && q + 1 < lim && t[q] == ':') {
        if (st_digits(t, q + 1, lim, &s) != 2 || s > 59)
            return 0;
        seconds = true;
        q += 3;
    }
    bool pm = false;
    size_t mn = st_meridiem(t, q, lim, &pm);
    size_t gap = 0;
    if (!mn && q + 1 < lim && t[q] == ' ') {
        mn = st_meridiem(t, q + 1, lim, &pm);
        gap = mn ? 1 : 0;
    }
    if (!mn && !st_end_ok(t, q, lim))
        return 0;
    if (sep == '.' && (!mn || seconds))
        return 0;
    if (h > 23 && !seconds)
        return 0;
    if (mn && (h > 12 || seconds))
        mn = 0; /* "14:00 pm" is a mistake; leave the suffix as written */
    if (seconds) {
        if (h > 0) {
            st_put_num(w, h);
            st_put(w, h == 1 ? " hour " : " hours ");
        }
        st_put_num(w, m);
        st_put(w, m == 1 ? " minute and " : " minutes and ");
        st_put_num(w, s);
        st_put(w, s == 1 ? " second" : " seconds");
        return q - p;
    }
    st_put_num(w, h);
    if (m == 0) {
        if (!mn)
            st_put(w, " o'clock");
    } else {
        st_put(w, m < 10 ? " oh " : " ");
        st_put_num(w, m);
    }
    if (!mn)
        return q - p;
    /* "a.m." as written keeps its period (it may end the sentence) */
    if (mn == 4)
        st_put(w, pm ? " p.m." : " a.m.");
    else
        st_put(w, pm ? " PM" : " AM");
    return q + gap + mn - p;
}

/*
 * Ratios: "3:1", "16:9", "1:100" (the part after the colon not two digits,
 * which would be a time) read "3 to 1"; not after a capitalised word inside
 * the sentence (a chapter and verse, "Genesis 1:3"). espeak-ng says "three
 * colon one".
 */
static size_t st_ratio(const char *t, size_t p, size_t lim, st_out *w)
{
    unsigned a, b;
    size_t an = st_digits(t, p, lim, &a);
    if (an < 1 || an > 3 || p + an >= lim || t[p + an] != ':')
        return 0;
    size_t bn = st_digits(t, p + an + 1, lim, &b);
    size_t end = p + an + 1 + bn;
    if (bn < 1 || bn > 3 || bn == 2 || !st_end_ok(t, end, lim))
        return 0;
    if (end + 1 < lim && t[end] == ':' && ascii_is_digit(t[end + 1]))
        return 0;
    /* after a capitalised word it is a chapter and verse ("Genesis 1:3") */
    if (p >= 2 && t[p - 1] == ' ') {
        size_t s = p - 1;
        while (s > 0 && t[s - 1] != ' ')
            s--;
        if (s > 0 && ascii_is_upper(t[s]))
            return 0;
    }
    st_put_num(w, a);
    st_put(w, " to ");
    st_put_num(w, b);
    return end - p;
}

static const char *const st_decade_words[10] = {
    "", "tens", "twenties", "thirties", "forties", "fifties",
    "sixties", "seventies", "eighties", "nineties",
};

/*
 * Decades: "1980s" reads "19 eighties", "1900s" "19 hundreds", "2000s" "2
 * thousands", "'70s" and "70s" "seventies". espeak-ng says "one thousand
 * nine hundred eighty z", "seventy z".
 */
static size_t st_decade(const char *t, size_t p, size_t lim, st_out *w)
{
    size_t q = p;
    if (q < lim && t[q] == '\'')
        q++;
    else if (q + 3 <= lim && (unsigned char)t[q] == 0xE2 && (unsigned char)t[q + 1] == 0x80 &&
             (unsigned char)t[q + 2] == 0x99)
        q += 3;
    unsigned v;
    size_t n = st_digits(t, q, lim, &v);
    if ((n != 2 && n != 4) || v % 10 != 0 || (q > p && n != 2))
        return 0;
    size_t e = q + n;
    if (e + 1 < lim && t[e] == '\'' && t[e + 1] == 's')
        e++;
    if (e >= lim || t[e] != 's' ||
        !(st_end_ok(t, e + 1, lim) || st_dash_digit_follows(t, e + 1, lim)))
        return 0;
    if (n == 2) {
        if (v < 20)
            return 0;
        st_put(w, st_decade_words[v / 10]);
        return e + 1 - p;
    }
    if (v < 1000 || v > 2090)
        return 0;
    if (v % 1000 == 0) {
        st_put_num(w, v / 1000);
        st_put(w, " thousands");
    } else {
        st_put_num(w, v / 100);
        st_put(w, " ");
        st_put(w, v % 100 == 0 ? "hundreds" : st_decade_words[(v / 10) % 10]);
    }
    return e + 1 - p;
}

/*
 * Phone numbers, digit by digit in their groups: "555-123-4567", "(555)
 * 123-4567", "+1 555 123 4567", "1-800-555-0199", and the 3-2-4 form of a
 * US social security number, read "5 5 5, 1 2 3, 4 5 6 7". espeak-ng says
 * "five hundred fifty five one hundred twenty three four thousand ...".
 * Spaces separate groups only after a "+" country code or "(area)".
 */
static size_t st_phone(const char *t, size_t p, size_t lim, st_out *w)
{
    size_t q = p;
    unsigned v;
    bool plus = false;
    bool paren = false;
    size_t g[6][2];
    size_t groups = 0;

    if (q < lim && t[q] == '+') {
        size_t n = st_digits(t, q + 1, lim, &v);
        if (n < 1 || n > 3 || q + 1 + n >= lim)
            return 0;
        g[groups][0] = q + 1;
        g[groups++][1] = q + 1 + n;
        plus = true;
        q += 1 + n;
        if (t[q] == ' ' || t[q] == '-')
            q++;
        else if (t[q] != '(')
            return 0;
    } else if (q + 2 < lim && t[q] == '1' && t[q + 1] == '-' && ascii_is_digit(t[q + 2])) {
        g[groups][0] = q;
        g[groups++][1] = q + 1;
        q += 2;
    }
    /* area code */
    if (q < lim && t[q] == '(') {
        if (st_digits(t, q + 1, lim, &v) != 3 || q + 4 >= lim || t[q + 4] != ')')
            return 0;
        g[groups][0] = q + 1;
        g[groups++][1] = q + 4;
        paren = true;
        q += 5;
        if (q < lim && (t[q] == ' ' || t[q] == '-'))
            q++;
    } else {
        if (st_digits(t, q, lim, &v) != 3 || q + 3 >= lim)
            return 0;
        g[groups][0] = q;
        g[groups++][1] = q + 3;
        q += 3;
        char sep = t[q];
        if (sep != '-' && sep != '.' && !(sep == ' ' && plus))
            return 0;
        q++;
        /* SSN: 3-2-4 */
        if (groups == 1 && sep == '-' && st_digits(t, q, lim, &v) == 2 && q + 2 < lim &&
            t[q + 2] == '-' && st_digits(t, q + 3, lim, &v) == 4 && st_end_ok(t, q + 7, lim)) {
            st_put_digits(w, t, p, p + 3);
            st_put(w, ", ");
            st_put_digits(w, t, q, q + 2);
            st_put(w, ", ");
            st_put_digits(w, t, q + 3, q + 7);
            return q + 7 - p;
        }
    }
    char sep2 = q > 0 ? t[q - 1] : ' ';
    if (st_digits(t, q, lim, &v) != 3 || q + 3 >= lim)
        return 0;
    g[groups][0] = q;
    g[groups++][1] = q + 3;
    q += 3;
    char sep3 = t[q];
    if (sep3 != '-' && sep3 != '.' && !(sep3 == ' ' && (plus || paren)))
        return 0;
    if (!paren && sep2 != sep3 && !(plus && groups == 3))
        return 0;
    q++;
    if (st_digits(t, q, lim, &v) != 4)
        return 0;
    g[groups][0] = q;
    g[groups++][1] = q + 4;
    q += 4;
    while (groups < 6 && q + 1 < lim && t[q] == '-') {
        size_t n = st_digits(t, q + 1, lim, &v);
        if (n < 1 || n > 4 || !st_end_ok(t, q + 1 + n, lim))
            break;
        g[groups][0] = q + 1;
        g[groups++][1] = q + 1 + n;
        q += 1 + n;
    }
    if (!st_end_ok(t, q, lim))
        return 0;
    if (plus)
        st_put(w, "plus ");
    for (size_t i = 0; i < groups; i++) {
        if (i)
            st_put(w, ", ");
        st_put_digits(w, t, g[i][0], g[i][1]);
    }
    return q - p;
}

/*
 * IP addresses: four dotted groups of at most three digits, the first of
 * two or three ("123.123.0.40"), read digit by digit with "dot": "1 2 3 dot
 * 1 2 3 dot 0 dot 4 0". espeak-ng says "one hundred twenty three point one
 * two three point zero point four zero".
 */
static size_t st_ip(const char *t, size_t p, size_t lim, st_out *w)
{
    size_t g[4][2];
    size_t q = p;
    unsigned v;
    for (size_t i = 0; i < 4; i++) {
        size_t n = st_digits(t, q, lim, &v);
        if (n < 1 || n > 3 || (i == 0 && n < 2))
            return 0;
        g[i][0] = q;
        g[i][1] = q + n;
        q += n;
        if (i < 3) {
            if (q + 1 >= lim || t[q] != '.')
                return 0;
            q++;
        }
    }
    if (!st_end_ok(t, q, lim) || (q + 1 < lim && t[q] == '.' && ascii_is_digit(t[q + 1])))
        return 0;
    for (size_t i = 0; i < 4; i++) {
        if (i)
            st_put(w, " dot ");
        st_put_digits(w, t, g[i][0], g[i][1]);
    }
    return q - p;
}

/* The name of 1/d and of n/d for n > 1, for the denominators read as fractions. */
static bool st_denominator(unsigned d, const char **one, const char **many)
{
    switch (d) {
    case 2: *one = "half"; *many = "halves"; return true;
    case 3: *one = "third"; *many = "thirds"; return true;
    case 4: *one = "quarter"; *many = "quarters"; return true;
    case 5: *one = "fifth"; *many = "fifths"; return true;
    case 8: *one = "eighth"; *many = "eighths"; return true;
    case 16: *one = "sixteenth"; *many = "sixteenths"; return true;
    case 32: *one = "thirty-second"; *many = "thirty-seconds"; return true;
    case 64: *one = "sixty-fourth"; *many = "sixty-fourths"; return true;
    default: return false;
    }
}

/*
 * Fractions: "3/4", "1/2", "2 1/2", "1/4th" read "3 quarters", "1 half",
 * "2 and a half", "1 quarter"; only proper fractions with a denominator of
 * 2, 3, 4, 5, 8, 16, 32 or 64 (other a/b are dates, ratings, "24/7").
 * espeak-ng says "three slash four".
 */
static size_t st_fraction(const char *t, size_t p, size_t lim, st_out *w)
{
    unsigned whole = 0, num, den;
    size_t q = p;
    bool mixed = false;
    size_t wn = st_digits(t, q, lim, &whole);
    if (wn >= 1 && wn <= 3 && q + wn + 1 < lim && t[q + wn] == ' ' &&
        ascii_is_digit(t[q + wn + 1])) {
        mixed = true;
        q += wn + 1;
    }
    size_t nn = st_digits(t, q, lim, &num);
    if (nn < 1 || nn > (mixed ? 3u : 2u) || q + nn >= lim || t[q + nn] != '/')
        return 0;
    q += nn + 1;
    size_t dn = st_digits(t, q, lim, &den);
    const char *one, *many;
    char ord_one[32];
    char ord_many[32];
    if (dn < 1 || dn > 2 || num < 1 || den < 1)
        return 0;
    if (!st_denominator(den, &one, &many)) {
        /* After a whole number any denominator is a fraction's: "3 5/6", "2 7/1". */
        char d[4];
        size_t k = (size_t)snprintf(d, sizeof d, "%u", den);
        if (!mixed || (den > 1 && (speak_num_ordinal(d, k, false, ord_one, sizeof ord_one) == 0 ||
                                   speak_num_ordinal(d, k, true, ord_many, sizeof ord_many) == 0)))
            return 0;
        one = ord_one;
        many = ord_many;
    } else if (!mixed && num >= den) {
        return 0;
    }
    q += dn;
    q += st_ordinal_suffix(t, q, lim);
    if (!st_end_ok(t, q, lim) || (q + 1 < lim && t[q] == '/' && ascii_is_digit(t[q + 1])))
        return 0;
    if (mixed) {
        st_put_num(w, whole);
        st_put(w, " and ");
        if (den == 1) {
            st_put_num(w, num);
            st_put(w, " over 1");
            return q - p;
        }
        if (num == 1)
            st_put(w, "a ");
    }
    if (num > 1 || !mixed) {
        st_put_num(w, num);
        st_put(w, " ");
    }
    st_put(w, num == 1 ? one : many);
    return q - p;
}

/* A dash between two forms, with or without spaces (" - ", "–", "—"): bytes used, 0 if none. */
static size_t st_range_dash(const char *t, size_t p, size_t lim)
{
    size_t q = p;
    bool spaced = q < lim && t[q] == ' ';
    if (spaced)
        q++;
    if (q < lim && t[q] == '-')
        q++;
    else if (q + 3 <= lim && (unsigned char)t[q] == 0xE2 && (unsigned char)t[q + 1] == 0x80 &&
             ((unsigned char)t[q + 2] == 0x93 || (unsigned char)t[q + 2] == 0x94))
        q += 3;
    else
        return 0;
    if (spaced) {
        if (q >= lim || t[q] != ' ')
            return 0;
        q++;
    }
    return q - p;
}

/* An hour with am or pm: "5pm", "7 pm", "11 a.m."; only as a side of a range. */
static size_t st_hour(const char *t, size_t p, size_t lim, st_out *w)
{
    unsigned h;
    bool pm = false;
    size_t hn = st_digits(t, p, lim, &h);
    size_t gap = 0;
    size_t mn;
    if (hn < 1 || hn > 2 || h < 1 || h > 12)
        return 0;
    if (p + hn < lim && t[p + hn] == ' ')
        gap = 1;
    mn = st_meridiem(t, p + hn + gap, lim, &pm);
    if (!mn)
        return 0;
    st_put_num(w, h);
    st_put(w, pm ? " PM" : " AM");
    return hn + gap + mn;
}

/*
 * Time ranges: "5pm-7 pm", "2pm-5pm", "4:00 am - 8:12 pm" read "5 PM to 7
 * PM", "4 AM to 8 12 PM". espeak-ng reads the hyphen as nothing or a pause.
 */
static size_t st_time_range(const char *t, size_t p, size_t lim, st_out *w)
{
    size_t a = st_time(t, p, lim, w);
    size_t dash;
    size_t b;
    if (!a)
        a = st_hour(t, p, lim, w);
    if (!a || (dash = st_range_dash(t, p + a, lim)) == 0)
        return 0;
    st_put(w, " to ");
    b = st_time(t, p + a + dash, lim, w);
    if (!b)
        b = st_hour(t, p + a + dash, lim, w);
    return b ? a + dash + b : 0;
}

/* Words after which a four-digit number is more likely a count than a year ("1500-2000 people"). */
static bool st_count_follows(const char *t, size_t p, size_t lim)
{
    static const char *const function_words[] = {
        "and", "or", "when", "in", "at", "on", "the", "a", "an", "was", "were", "is", "are",
        "to", "with", "for", "by", "as", "but", "while", "of", "that", "which", "he", "she",
        "they", "we", "it", "there", "period", "era", "war", "season", "government",
    };
    size_t q = p;
    if (q >= lim || t[q] != ' ' || q + 1 >= lim || !ascii_is_lower(t[q + 1]))
        return false;
    q++;
    size_t n = 0;
    while (q + n < lim && ascii_is_alpha(t[q + n]))
        n++;
    for (size_t i = 0; i < sizeof function_words / sizeof function_words[0]; i++)
        if (strlen(function_words[i]) == n && ascii_eq_nocase(t + q, n, function_words[i]))
            return false;
    return true;
}

/*
 * Year ranges: "1980-1986", "1990–95", "1960-80" read "19 80 to 19 86",
 * "19 90 to 95". espeak-ng says "nineteen hundred eighty to nineteen
 * hundred eighty six", "nineteen hundred ninety ninety five". Only years
 * going forward, and not before a word that a count takes ("1500-2000
 * people").
 */
static size_t st_year_range(const char *t, size_t p, size_t lim, st_out *w)
{
    unsigned a, b;
    size_t an = st_digits(t, p, lim, &a);
    size_t dash;
    size_t bn;
    if (an != 4 || a < 1000 || a > 2099 || p + an >= lim)
        return 0;
    dash = t[p + an] == '-' ? 1 : st_range_dash(t, p + an, lim);
    if (!dash || t[p + an] == ' ')
        return 0;
    bn = st_digits(t, p + an + dash, lim, &b);
    size_t end = p + an + dash + bn;
    if (!st_end_ok(t, end, lim) || st_count_follows(t, end, lim))
        return 0;
    if (bn == 4) {
        if (b <= a || b > 2099)
            return 0;
        st_put_year(w, a);
        st_put(w, " to ");
        st_put_year(w, b);
    } else if (bn == 2 && b > a % 100 && a % 100 != 0) {
        st_put_year(w, a);
        st_put(w, " to ");
        st_put_short_year(w, b);
    } else {
        return 0;
    }
    return end - p;
}

/* "1960s-80s", "1960s–1980s": decades joined by a dash read "19 sixties to eighties". */
static size_t st_decade_range(const char *t, size_t p, size_t lim, st_out *w)
{
    size_t a = st_decade(t, p, lim, w);
    size_t dash;
    size_t b;
    if (!a || (dash = st_range_dash(t, p + a, lim)) == 0)
        return 0;
    st_put(w, " to ");
    b = st_decade(t, p + a + dash, lim, w);
    return b ? a + dash + b : 0;
}

/*
 * Years with an era: "340 AD", "753 BC", "44 B.C." read in pairs as years
 * are ("3 40 AD", "7 53 BC"); espeak-ng says "three hundred forty".
 */
static size_t st_era(const char *t, size_t p, size_t lim, st_out *w)
{
    static const char *const eras[] = {"AD", "BC", "BCE", "CE", "A.D.", "B.C.", "A.D", "B.C",
                                       "B.C.E.", "C.E."};
    unsigned y;
    size_t n = st_digits(t, p, lim, &y);
    size_t q = p + n + 1;
    if (n < 3 || n > 4 || y < 100 || q >= lim || t[p + n] != ' ')
        return 0;
    for (size_t i = 0; i < sizeof eras / sizeof eras[0]; i++) {
        size_t k = strlen(eras[i]);
        if (q + k <= lim && memcmp(t + q, eras[i], k) == 0 &&
            (st_end_ok(t, q + k, lim) || (t[q + k - 1] == '.' && (q + k == lim || t[q + k] == ' ')))) {
            if (y < 1000) {
                st_put_num(w, y / 100);
                if (y % 100 == 0) {
                    st_put(w, " hundred");
                } else {
                    st_put(w, y % 100 < 10 ? " oh " : " ");
                    st_put_num(w, y % 100);
                }
            } else {
                st_put_year(w, y);
            }
            st_put(w, " ");
            st_put(w, eras[i]);
            return q + k - p;
        }
    }
    return 0;
}

/*
 * Quarters with a year: "Q3 2024", "2Q22", "Q1 FY2025" read "the 3rd quarter
 * of 20 24", "the 2nd quarter of 22"; espeak-ng says "Q three two thousand
 * twenty four", "two Q twenty two". Without a year "Q3" is left (it may be
 * an adjective: "Q3 results").
 */
static size_t st_quarter(const char *t, size_t p, size_t lim, st_out *w)
{
    unsigned q = 0;
    unsigned y = 0;
    size_t n = 0;
    size_t yn;
    bool fy = false;
    if (p + 2 < lim && (t[p] == 'Q' || t[p] == 'q') && t[p + 1] >= '1' && t[p + 1] <= '4' &&
        t[p + 2] == ' ') {
        q = (unsigned)(t[p + 1] - '0');
        n = 3;
        if (p + n + 2 < lim && t[p + n] == 'F' && t[p + n + 1] == 'Y') {
            fy = true;
            n += 2;
        }
        yn = st_digits(t, p + n, lim, &y);
        if (!((yn == 4 && y >= 1900 && y <= 2099) || (fy && yn == 2)) ||
            !st_end_ok(t, p + n + yn, lim))
            return 0;
    } else if (p + 3 < lim && t[p] >= '1' && t[p] <= '4' && t[p + 1] == 'Q') {
        q = (unsigned)(t[p] - '0');
        n = 2;
        yn = st_digits(t, p + n, lim, &y);
        if ((yn != 2 && yn != 4) || !st_end_ok(t, p + n + yn, lim))
            return 0;
    } else {
        return 0;
    }
    if (!st_after_the(t, p))
        st_put(w, "the ");
    st_put_ordinal(w, q);
    st_put(w, fy ? " quarter of fiscal " : " quarter of ");
    if (yn == 4)
        st_put_year(w, y);
    else
        st_put_short_year(w, y);
    return n + yn;
}

typedef size_t (*st_rule)(const char *t, size_t p, size_t lim, st_out *w);

/* In this order: longer and more specific forms first. */
static const struct {
    st_rule rule;
    speak_rule kind;
} st_rules[] = {
    {st_phone, SPEAK_RULE_PHONES},        {st_ip, SPEAK_RULE_IPS},
    {st_numeric_date, SPEAK_RULE_DATES},  {st_time_range, SPEAK_RULE_TIMES},
    {st_time, SPEAK_RULE_TIMES},          {st_ratio, SPEAK_RULE_RATIOS},
    {st_year_range, SPEAK_RULE_YEARS},    {st_decade_range, SPEAK_RULE_DECADES},
    {st_decade, SPEAK_RULE_DECADES},      {st_era, SPEAK_RULE_YEARS},
    {st_month_day, SPEAK_RULE_DATES},     {st_day_month, SPEAK_RULE_DATES},
    {st_fraction, SPEAK_RULE_FRACTIONS},  {st_quarter, SPEAK_RULE_DATES},
};

bool speak_time_apply(const char *text, size_t length, const speak_span *kept,
                      size_t kept_count, size_t *counts, speak_buf *out)
{
    size_t k = 0;
    size_t p = 0;
    while (p < length) {
        if (k < kept_count && kept[k].start == p) {
            if (!speak_buf_append_kept(out, text + p, kept[k].end - p))
                return false;
            p = kept[k].end;
            k++;
            continue;
        }
        size_t lim = k < kept_count ? kept[k].start : length;
        char c = text[p];
        /* "mid-1980s", "pre-1990s": the hyphen is read as a space. */
        if (c == '-' && p > 0 && ascii_is_alpha(text[p - 1]) && p + 1 < lim &&
            ascii_is_digit(text[p + 1])) {
            st_out w = {.n = 0, .full = false};
            size_t used;
            st_put(&w, " ");
            used = st_decade(text, p + 1, lim, &w);
            if (used && !w.full) {
                if (!speak_buf_append_kept(out, w.s, w.n))
                    return false;
                speak_count(counts, SPEAK_RULE_DECADES);
                p += 1 + used;
                continue;
            }
        }
        if ((ascii_is_alnum(c) || c == '+' || c == '(' || c == '\'' || c == '\xE2') &&
            st_start_ok(text, p)) {
            size_t used = 0;
            st_out w;
            for (size_t r = 0; r < sizeof st_rules / sizeof st_rules[0] && !used; r++) {
                w.n = 0;
                w.full = false;
                used = st_rules[r].rule(text, p, lim, &w);
                if (w.full)
                    used = 0;
                if (used)
                    speak_count(counts, st_rules[r].kind);
            }
            if (used) {
                if (!speak_buf_append_kept(out, w.s, w.n))
                    return false;
                p += used;
                continue;
            }
        }
        if (!speak_buf_append(out, text + p, 1))
            return false;
        p++;
    }
    return true;
}
