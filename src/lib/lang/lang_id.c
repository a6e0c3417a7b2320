/*
 * lang_id.c - language detection over a bounded sample, CLD2's codes as
 * BCP-47, and espeak-ng's own limits per language (see lang_id.h).
 */
#include "lang_id.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lang_cld2.h"
#include "lang_textcat.h"
#include "utf8.h"

/* CLD2's codes that are not BCP-47 (it keeps some ISO 639 codes that were
 * withdrawn), and its "unknown". */
static const struct {
    const char *cld2;
    const char *bcp47;
} lang_renamed[] = {
    {"iw", "he"}, {"jw", "jv"}, {"in", "id"}, {"mo", "ro"},
    {"no", "nb"}, {"un", ""},   {"xxx", ""},
};

/*
 * What espeak-ng 1.51 cannot read well, by primary language subtag: said
 * once per render as a warning. Measured with `espeak-ng -q -x -v LANG`.
 */
static const struct {
    const char *lang;
    const char *limit;
} lang_limits[] = {
    {"ja", "espeak-ng 1.51 reads Japanese kana, but every kanji as the English words "
           "\"Chinese letter\""},
    {"zh", "espeak-ng 1.51 reads many Chinese characters with their tone digits spoken as "
           "English numbers (\"bei three\")"},
    {"cmn", "espeak-ng 1.51 reads many Chinese characters with their tone digits spoken as "
            "English numbers (\"bei three\")"},
};

bool lang_is(const char *lang, const char *primary)
{
    size_t n = strlen(primary);
    return lang && strncasecmp(lang, primary, n) == 0 && (lang[n] == '\0' || lang[n] == '-');
}

/* Appends the whole UTF-8 characters of text[from..from+want) to buf at *used. */
static void lang_take(const char *text, size_t size, size_t from, size_t want, char *buf,
                      size_t *used)
{
    /* Start and end on character boundaries. */
    while (from < size && ((unsigned char)text[from] & 0xC0) == 0x80)
        from++;
    size_t end = from + want < size ? from + want : size;
    size_t at = from;
    while (at < end) {
        uint32_t cp;
        size_t len = utf8_next(text + at, size - at, &cp);
        if (len == 0 || at + len > end)
            break;
        at += len;
    }
    memcpy(buf + *used, text + from, at - from);
    *used += at - from;
    buf[(*used)++] = '\n';
}

/* CLD2's code as BCP-47 ("iw" is "he"; "un" is ""). */
static const char *lang_bcp47(const char *cld2)
{
    for (size_t i = 0; i < sizeof lang_renamed / sizeof lang_renamed[0]; i++) {
        if (strcmp(cld2, lang_renamed[i].cld2) == 0)
            return lang_renamed[i].bcp47;
    }
    return cld2;
}

/* The bounded sample of text[0..size) (see LANG_SLICE_BYTES) into sample. */
static size_t lang_sample(const char *text, size_t size, char *sample)
{
    static const size_t whole = (size_t)LANG_SLICE_BYTES * LANG_SLICES;
    size_t used = 0;
    if (size <= whole) {
        lang_take(text, size, 0, size, sample, &used);
    } else {
        for (size_t i = 0; i < LANG_SLICES; i++)
            lang_take(text, size, (size - LANG_SLICE_BYTES) / (LANG_SLICES - 1) * i,
                      LANG_SLICE_BYTES, sample, &used);
    }
    return used;
}

/* The guess for language `code` (CLD2's) of result r: sure when CLD2 says
 * so of its own answer, or when no other language competes (see
 * LANG_SURE_PERCENT); a best effort never is. */
static void lang_guess_of(const lang_cld2_result *r, const char *code, aloud_lang_guess *out,
                          int *share)
{
    int percent = 0, others = 0;
    for (int i = 0; i < 3; i++) {
        if (strcmp(r->top[i], code) == 0)
            percent = r->percent[i];
        else if (strcmp(r->top[i], "un") != 0)
            others += r->percent[i];
    }
    const char *name = lang_bcp47(code);
    snprintf(out->lang, sizeof out->lang, "%s", name);
    out->percent = percent;
    bool own = strcmp(code, r->code) == 0 && r->reliable;
    bool alone = percent >= LANG_SURE_PERCENT &&
                 percent * 100 >= LANG_SURE_SHARE * (percent + others);
    out->reliable = name[0] != '\0' && !r->best_effort && (own || alone);
    if (share)
        *share = percent > 0 ? percent * 100 / (percent + others) : 0;
}

static bool lang_usable(const char *code, lang_usable_fn usable, void *ctx)
{
    const char *name = lang_bcp47(code);
    return name[0] != '\0' && (!usable || usable(ctx, name));
}

/* The voiced languages CLD2 finds hard to tell from an answer, as hints. */
typedef struct lang_hints {
    char list[128];
    size_t used;
    lang_usable_fn usable;
    void *ctx;
} lang_hints;

static void lang_hint_keep(void *ctx, const char *code)
{
    lang_hints *h = ctx;
    size_t n = strlen(code);
    if (!lang_usable(code, h->usable, h->ctx) || h->used + n + 2 > sizeof h->list)
        return;
    if (h->used > 0)
        h->list[h->used++] = ',';
    memcpy(h->list + h->used, code, n + 1);
    h->used += n;
}

void lang_detect(const char *text, size_t size, lang_usable_fn usable, void *ctx,
                 aloud_lang_guess *out, int *share)
{
    char sample[LANG_SLICE_BYTES * LANG_SLICES + LANG_SLICES];
    lang_cld2_result r;

    memset(out, 0, sizeof *out);
    if (share)
        *share = 0;
    if (!text || size == 0)
        return;
    size_t used = lang_sample(text, size, sample);
    lang_cld2_detect(sample, used, NULL, &r);
    lang_guess_of(&r, r.code, out, share);
    if (!usable || lang_usable(r.code, usable, ctx) || out->lang[0] == '\0')
        return;
    /*
     * A language espeak-ng has no voice for is no answer for aloud. First
     * the next of CLD2's three with a voice, if it is sure of its own...
     */
    for (int i = 0; i < 3; i++) {
        aloud_lang_guess g;
        int g_share;
        if (strcmp(r.top[i], r.code) == 0 || !lang_usable(r.top[i], usable, ctx))
            continue;
        lang_guess_of(&r, r.top[i], &g, &g_share);
        if (g.reliable) {
            *out = g;
            if (share)
                *share = g_share;
            return;
        }
    }
    /*
     * ...else the text again with the voiced languages CLD2 itself finds
     * hard to tell from its answer as hints, as CLD2 takes a page's
     * Content-Language: Spanish that it narrowly took for Galician (no
     * voice) is then Spanish, while Galician prose stays Galician. The
     * answer stands only when it has a voice; else the first one is kept
     * (the caller says the text is in a language without a voice).
     */
    lang_hints h = {.used = 0, .usable = usable, .ctx = ctx};
    h.list[0] = '\0';
    if (lang_cld2_close(r.code, lang_hint_keep, &h) == 0 || h.used == 0)
        return;
    lang_cld2_result again;
    lang_cld2_detect(sample, used, h.list, &again);
    if (lang_usable(again.code, usable, ctx))
        lang_guess_of(&again, again.code, out, share);
}

void lang_confirm(const char *text, size_t size, aloud_lang_guess *g)
{
    char sample[LANG_SLICE_BYTES * LANG_SLICES + LANG_SLICES];
    char second[16];

    if (!text || size == 0 || g->lang[0] == '\0' || g->reliable)
        return;
    size_t used = lang_sample(text, size, sample);
    size_t chars = 0;
    for (size_t i = 0; i < used && chars < LANG_CONFIRM_MIN_CHARS; i++)
        chars += ((unsigned char)sample[i] & 0xC0) != 0x80;
    if (chars < LANG_CONFIRM_MIN_CHARS)
        return;
    if (lang_textcat_first(sample, used, second, sizeof second) && lang_is(g->lang, second))
        g->reliable = 1;
}

void aloud_lang_detect(const char *text, size_t size, aloud_lang_guess *out)
{
    if (!out)
        return;
    lang_detect(text, size, NULL, NULL, out, NULL);
    lang_confirm(text, size, out);
}

const char *aloud_lang_limit(const char *lang)
{
    for (size_t i = 0; lang && i < sizeof lang_limits / sizeof lang_limits[0]; i++) {
        if (lang_is(lang, lang_limits[i].lang))
            return lang_limits[i].limit;
    }
    return NULL;
}
