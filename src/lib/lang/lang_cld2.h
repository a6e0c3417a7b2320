/*
 * lang_cld2.h - the one call into CLD2, Compact Language Detector 2
 * (libcld2, C++), behind a C function (private to libaloud).
 */
#ifndef ALOUD_LANG_CLD2_H
#define ALOUD_LANG_CLD2_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What CLD2 says of a text: its top two languages. */
typedef struct lang_cld2_result {
    char code[16];    /* CLD2's code ("de", "zh-Hant", "iw"; "un" for unknown) */
    int percent;      /* share of the text's bytes in that language, 0..100 */
    char second[16];  /* the runner-up, "un" when there is none */
    int second_percent;
    int reliable;     /* CLD2's own verdict: the top language well ahead and most of the text */
} lang_cld2_result;

/*
 * Detects the language of text[0..size) (valid UTF-8, at most INT_MAX
 * bytes) into *out. Never fails; no allocation.
 */
void lang_cld2_detect(const char *text, size_t size, lang_cld2_result *out);

#ifdef __cplusplus
}
#endif
#endif /* ALOUD_LANG_CLD2_H */
