/*
 * lang_cld2.cc - lang_cld2_detect() and lang_cld2_close() over CLD2 (see
 * lang_cld2.h). The only C++ in the library: compiled without exceptions
 * and RTTI and calling no C++ runtime of its own, so libaloud still links
 * as C (libcld2.so brings its own libstdc++).
 */
#include "lang_cld2.h"

#include <climits>
#include <cstdio>

#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>

static void lang_cld2_run(const char *text, int length, const char *hints, int flags,
                          lang_cld2_result *out)
{
    CLD2::CLDHints cld_hints = {hints, nullptr, CLD2::UNKNOWN_ENCODING, CLD2::UNKNOWN_LANGUAGE};
    CLD2::Language top3[3];
    int percent3[3] = {0, 0, 0};
    double scores3[3];
    int text_bytes = 0;
    bool is_reliable = false;
    CLD2::Language lang =
        CLD2::ExtDetectLanguageSummary(text, length, true, &cld_hints, flags, top3, percent3,
                                       scores3, nullptr, &text_bytes, &is_reliable);
    std::snprintf(out->code, sizeof out->code, "%s", CLD2::LanguageCode(lang));
    for (int i = 0; i < 3; i++) {
        std::snprintf(out->top[i], sizeof out->top[i], "%s", CLD2::LanguageCode(top3[i]));
        out->percent[i] = percent3[i];
    }
    out->reliable = is_reliable ? 1 : 0;
    out->best_effort = 0;
}

extern "C" void lang_cld2_detect(const char *text, size_t size, const char *hints,
                                 lang_cld2_result *out)
{
    int length = size > INT_MAX ? INT_MAX : static_cast<int>(size);
    lang_cld2_run(text, length, hints, 0, out);
    /* By default CLD2 drops each language whose stretches of text it could
     * not tell well from another, and answers "un" when nothing is left
     * (a paragraph of figures, a run of names). Its best effort keeps them. */
    if (out->code[0] == 'u' && out->code[1] == 'n' && out->code[2] == '\0' && length > 0) {
        lang_cld2_run(text, length, hints, CLD2::kCLDFlagBestEffort, out);
        out->reliable = 0;
        out->best_effort = 1;
    }
}

extern "C" int lang_cld2_close(const char *code, void (*keep)(void *ctx, const char *code),
                               void *ctx)
{
    CLD2::Language lang = CLD2::GetLanguageFromName(code);
    int set = CLD2::LanguageCloseSet(lang);
    int count = 0;
    if (lang == CLD2::UNKNOWN_LANGUAGE || set == 0)
        return 0;
    for (int i = 0; i < CLD2::NUM_LANGUAGES; i++) {
        CLD2::Language other = static_cast<CLD2::Language>(i);
        if (other != lang && CLD2::LanguageCloseSet(other) == set) {
            keep(ctx, CLD2::LanguageCode(other));
            count++;
        }
    }
    return count;
}
