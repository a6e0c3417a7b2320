/*
 * speak_web.c - web and e-mail addresses read in the text's language (see
 * speak_web.h).
 *
 * Measured with `espeak-ng -q -x -v LANG` (1.51), "Siehe ... heute" around:
 *   de  www.stadtwerke-beispiel.de -> "v,e:v,e:v'e: St'atvErk@b'aISpi:l d'e:":
 *       "we we we", the dot silent; after: "St'atvErk@b'aISpi:l p'UNkt d'e:".
 *       "@" is read "Et" (German "ät") on its own: kept.
 *   fr  www.fromagerie-saint-aubin.fr -> "dubl@v,e... fromaZr'is'E~ob'E~ ,Ef'Er",
 *       dot silent; after: "... pw,E~ ,Ef'Er". "@" is read "arobase" after a
 *       pause (_::); the word reads it without.
 *   it  www.comune.roma.it -> "v,U _vU _v'u kom'une_| @-*'oma_| 'it", dots
 *       silent; after: "kom'une p'unto_| @-*'oma p'unto_| 'it".
 *   ru  www.yandex.ru -> "... j'andEks r'u:", dot silent; after: "t'otS;ka#".
 *   es, pt, nl, pl read the dot and "@" themselves ("p'unto", "aRR2'oBa",
 *       "p'oNtU", "kR'Opka", "m'awpa"), but also "www" letter by letter and
 *       a scheme's "h t t p s colon slash slash" (es): left out.
 * A bare domain ("beispiel.de") is not taken for an address: too many
 * abbreviations look like one.
 */
#include "speak_web.h"

#include <string.h>
#include <strings.h>

#include "ascii.h"

/* The words, by primary language subtag. `at` is NULL where espeak-ng reads
 * "@" well itself. */
static const struct {
    const char *lang;
    const char *dot;
    const char *at;
} speak_web_words[] = {
    {"de", "Punkt", NULL},   {"fr", "point", "arobase"}, {"it", "punto", "chiocciola"},
    {"ru", "точка", "собака"}, {"es", "punto", "arroba"},  {"pt", "ponto", "arroba"},
    {"nl", "punt", NULL},    {"pl", "kropka", "małpa"},
};

int speak_web_lang(const char *lang)
{
    if (!lang)
        return -1;
    size_t n = strcspn(lang, "-");
    for (size_t i = 0; i < sizeof speak_web_words / sizeof speak_web_words[0]; i++) {
        if (strlen(speak_web_words[i].lang) == n && strncasecmp(lang, speak_web_words[i].lang, n) == 0)
            return (int)i;
    }
    return -1;
}

static bool speak_web_host_char(char c)
{
    return ascii_is_alnum(c) || c == '-' || c == '.';
}

/* The length of the host at s[0..n): letters, digits, '-' and dots, with a
 * dot inside, a letter after the last one and no empty label ("a..b").
 * 0 when there is none. */
static size_t speak_web_host(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && speak_web_host_char(s[i]))
        i++;
    while (i > 0 && (s[i - 1] == '.' || s[i - 1] == '-'))
        i--;
    const char *dot = NULL;
    for (size_t k = 0; k < i; k++) {
        if (s[k] == '.' && (k == 0 || s[k - 1] == '.'))
            return 0;
        if (s[k] == '.')
            dot = s + k;
    }
    if (!dot || dot == s || !ascii_is_alpha(dot[1]))
        return 0;
    return i;
}

/* Appends the host with its dots as words. */
static bool speak_web_put_host(const char *host, size_t n, const char *dot, speak_buf *out)
{
    bool ok = true;
    size_t from = 0;
    for (size_t i = 0; i <= n && ok; i++) {
        if (i < n && host[i] != '.')
            continue;
        ok = speak_buf_append(out, host + from, i - from);
        if (ok && i < n)
            ok = speak_buf_append(out, " ", 1) && speak_buf_append(out, dot, strlen(dot)) &&
                 speak_buf_append(out, " ", 1);
        from = i + 1;
    }
    return ok;
}

size_t speak_web_address(int words, const char *t, size_t n, speak_buf *out, bool *ok)
{
    size_t at = 0;
    if (n >= 8 && strncasecmp(t, "https://", 8) == 0)
        at = 8;
    else if (n >= 7 && strncasecmp(t, "http://", 7) == 0)
        at = 7;
    bool web = at > 0;
    if (n - at >= 4 && strncasecmp(t + at, "www.", 4) == 0) {
        at += 4;
        web = true;
    }
    if (web) {
        size_t host = speak_web_host(t + at, n - at);
        if (host == 0)
            return 0;
        size_t end = at + host;
        /* The path, query and fragment are left out, as far as the word goes. */
        if (end < n && (t[end] == '/' || t[end] == '?' || t[end] == '#' || t[end] == ':')) {
            while (end < n && t[end] != ' ')
                end++;
            while (end > at + host && strchr(".,;:!?)]}\"'", t[end - 1]))
                end--;
        }
        *ok = speak_web_put_host(t + at, host, speak_web_words[words].dot, out);
        return end;
    }
    /* An e-mail address: a local part, '@', a host. */
    size_t local = 0;
    while (local < n && (ascii_is_alnum(t[local]) || strchr("._%+-", t[local])))
        local++;
    if (local == 0 || local >= n || t[local] != '@')
        return 0;
    size_t host = speak_web_host(t + local + 1, n - local - 1);
    if (host == 0)
        return 0;
    const char *word = speak_web_words[words].at;
    *ok = speak_buf_append(out, t, local);
    if (*ok && word)
        *ok = speak_buf_append(out, " ", 1) && speak_buf_append(out, word, strlen(word)) &&
              speak_buf_append(out, " ", 1);
    else if (*ok)
        *ok = speak_buf_append(out, "@", 1);
    if (*ok)
        *ok = speak_web_put_host(t + local + 1, host, speak_web_words[words].dot, out);
    return local + 1 + host;
}
