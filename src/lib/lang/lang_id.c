/*
 * lang_id.c - language detection over a bounded sample, CLD2's codes as
 * BCP-47, and espeak-ng's own limits per language (see lang_id.h).
 */
#include "lang_id.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lang_cld2.h"
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

void lang_detect(const char *text, size_t size, aloud_lang_guess *out)
{
    static const size_t whole = (size_t)LANG_SLICE_BYTES * LANG_SLICES;
    char sample[LANG_SLICE_BYTES * LANG_SLICES + LANG_SLICES];
    size_t used = 0;
    lang_cld2_result r;

    memset(out, 0, sizeof *out);
    if (!text || size == 0)
        return;
    if (size <= whole) {
        lang_take(text, size, 0, size, sample, &used);
    } else {
        for (size_t i = 0; i < LANG_SLICES; i++)
            lang_take(text, size, (size - LANG_SLICE_BYTES) / (LANG_SLICES - 1) * i,
                      LANG_SLICE_BYTES, sample, &used);
    }
    lang_cld2_detect(sample, used, &r);
    const char *name = r.code;
    for (size_t i = 0; i < sizeof lang_renamed / sizeof lang_renamed[0]; i++) {
        if (strcmp(r.code, lang_renamed[i].cld2) == 0)
            name = lang_renamed[i].bcp47;
    }
    snprintf(out->lang, sizeof out->lang, "%s", name);
    out->percent = r.percent;
    int others = strcmp(r.second, "un") == 0 ? 0 : r.second_percent;
    bool alone = r.percent >= LANG_SURE_PERCENT &&
                 r.percent * 100 >= LANG_SURE_SHARE * (r.percent + others);
    out->reliable = name[0] != '\0' && (r.reliable || alone);
}

void aloud_lang_detect(const char *text, size_t size, aloud_lang_guess *out)
{
    if (out)
        lang_detect(text, size, out);
}

const char *aloud_lang_limit(const char *lang)
{
    for (size_t i = 0; lang && i < sizeof lang_limits / sizeof lang_limits[0]; i++) {
        if (lang_is(lang, lang_limits[i].lang))
            return lang_limits[i].limit;
    }
    return NULL;
}
