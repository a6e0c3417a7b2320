/*
 * lang_cld2.h - the calls into CLD2, Compact Language Detector 2 (libcld2,
 * C++), behind C functions (private to libaloud).
 */
#ifndef ALOUD_LANG_CLD2_H
#define ALOUD_LANG_CLD2_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What CLD2 says of a text. Codes are CLD2's ("de", "zh-Hant", "iw"; "un"
 * for none). */
typedef struct lang_cld2_result {
    char code[16];     /* its answer for the whole text: usually top[0], but CLD2
                          passes over English or French, German, Italian,
                          Spanish boilerplate to the language after it */
    char top[3][16];   /* the three languages with most of the text, "un" for none */
    int percent[3];    /* their shares of the text's letters, 0..100 */
    int reliable;      /* CLD2's own verdict: the answer well ahead and most of the text */
    int best_effort;   /* the answer is a best effort: by default CLD2 gave none */
} lang_cld2_result;

/*
 * Detects the language of text[0..size) (valid UTF-8, at most INT_MAX
 * bytes) into *out. `hints` (NULL for none) is a comma-separated list of
 * CLD2 codes that the context makes likely ("es,pt"), as CLD2 takes an
 * HTTP Content-Language. When CLD2 finds no language it is asked again for
 * its best effort (kCLDFlagBestEffort): that answer is never reliable.
 * Never fails.
 */
void lang_cld2_detect(const char *text, size_t size, const char *hints, lang_cld2_result *out);

/*
 * The languages CLD2 itself finds hard to tell from `code` (its "close
 * sets": gl es pt; bs hr sr; no nn da; cs sk; id ms; hi mr ne...), as CLD2
 * codes, each passed to keep(ctx, code); `code` itself is not. Returns how
 * many were passed; 0 for a language in no such set or unknown to CLD2.
 */
int lang_cld2_close(const char *code, void (*keep)(void *ctx, const char *code), void *ctx);

#ifdef __cplusplus
}
#endif
#endif /* ALOUD_LANG_CLD2_H */
