/*
 * speak_num.c - numbers written out as words (speak_num.h).
 *
 * espeak-ng reads digits well on its own, so the rules hand it digits
 * wherever they can. Words are written only for what it cannot say from
 * digits: the "and" of an amount, ordinals of fractions ("sevenths").
 */
#include "speak_num.h"

#include <string.h>

static const char *const num_units[20] = {
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
};

static const char *const num_tens[10] = {
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
};

static const char *const num_scales[7] = {
    "", "thousand", "million", "billion", "trillion", "quadrillion", "quintillion",
};

typedef struct num_out {
    char *buf;
    size_t cap;
    size_t n;
    bool full;
} num_out;

static void num_put(num_out *o, const char *s)
{
    size_t k = strlen(s);
    if (o->n + k + 1 > o->cap) {
        o->full = true;
        return;
    }
    memcpy(o->buf + o->n, s, k);
    o->n += k;
    o->buf[o->n] = '\0';
}

static void num_space(num_out *o)
{
    if (o->n > 0)
        num_put(o, " ");
}

/* 1..99 */
static void num_put_below_100(num_out *o, unsigned v)
{
    if (v < 20) {
        num_put(o, num_units[v]);
        return;
    }
    num_put(o, num_tens[v / 10]);
    if (v % 10) {
        num_put(o, "-");
        num_put(o, num_units[v % 10]);
    }
}

/* Strips leading zeros; false when nothing significant fits the scales. */
static bool num_digits(const char **d, size_t *n)
{
    while (*n > 1 && **d == '0') {
        (*d)++;
        (*n)--;
    }
    if (*n == 0 || *n > 21)
        return false;
    for (size_t i = 0; i < *n; i++)
        if ((*d)[i] < '0' || (*d)[i] > '9')
            return false;
    return true;
}

static unsigned num_group(const char *d, size_t n, size_t g)
{
    /* group g counts from the right: 0 is units, 1 thousands, ... */
    unsigned v = 0;
    size_t end = n - 3 * g;
    size_t start = end >= 3 ? end - 3 : 0;
    for (size_t i = start; i < end; i++)
        v = v * 10 + (unsigned)(d[i] - '0');
    return v;
}

bool speak_num_says_and(const char *d, size_t n)
{
    unsigned last;
    if (!num_digits(&d, &n) || n < 3)
        return false;
    last = num_group(d, n, 0);
    if (last % 100 == 0)
        return false;
    return last >= 100 || (n > 3 && num_group(d, n, 1) != 0);
}

size_t speak_num_cardinal(const char *d, size_t n, bool and_final, char *buf, size_t cap)
{
    num_out o = {buf, cap, 0, false};
    size_t groups;
    bool say_and;

    if (cap == 0 || !num_digits(&d, &n))
        return 0;
    buf[0] = '\0';
    if (n == 1 && d[0] == '0') {
        num_put(&o, "zero");
        return o.full ? 0 : o.n;
    }
    say_and = and_final && speak_num_says_and(d, n);
    groups = (n + 2) / 3;
    for (size_t g = groups; g-- > 0;) {
        unsigned v = num_group(d, n, g);
        if (v == 0)
            continue;
        if (v >= 100) {
            num_space(&o);
            num_put(&o, num_units[v / 100]);
            num_put(&o, " hundred");
        }
        if (v % 100) {
            num_space(&o);
            if (g == 0 && say_and)
                num_put(&o, "and ");
            num_put_below_100(&o, v % 100);
        }
        if (g > 0) {
            num_put(&o, " ");
            num_put(&o, num_scales[g]);
        }
    }
    return o.full ? 0 : o.n;
}

/* The ordinal of a word that ends a cardinal: "one" -> "first". */
static const struct {
    const char *card;
    const char *ord;
} num_ord_words[] = {
    {"zero", "zeroth"}, {"one", "first"}, {"two", "second"}, {"three", "third"},
    {"five", "fifth"}, {"eight", "eighth"}, {"nine", "ninth"}, {"twelve", "twelfth"},
};

size_t speak_num_ordinal(const char *d, size_t n, bool plural, char *buf, size_t cap)
{
    size_t len = speak_num_cardinal(d, n, false, buf, cap);
    size_t last;
    char tail[16];
    size_t tail_len;

    if (len == 0)
        return 0;
    last = len;
    while (last > 0 && buf[last - 1] != ' ' && buf[last - 1] != '-')
        last--;
    tail_len = len - last;
    if (tail_len >= sizeof tail)
        return 0;
    memcpy(tail, buf + last, tail_len);
    tail[tail_len] = '\0';
    buf[last] = '\0';
    {
        num_out o = {buf, cap, last, false};
        const char *ord = NULL;
        for (size_t i = 0; i < sizeof num_ord_words / sizeof num_ord_words[0]; i++)
            if (strcmp(tail, num_ord_words[i].card) == 0)
                ord = num_ord_words[i].ord;
        if (ord) {
            num_put(&o, ord);
        } else if (tail[tail_len - 1] == 'y') {
            tail[tail_len - 1] = '\0';
            num_put(&o, tail);
            num_put(&o, "ieth");
        } else {
            num_put(&o, tail);
            num_put(&o, "th");
        }
        if (plural)
            num_put(&o, "s");
        return o.full ? 0 : o.n;
    }
}
