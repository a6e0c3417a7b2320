/*
 * lang_cld2.cc - lang_cld2_detect() over CLD2 (see lang_cld2.h). The only
 * C++ in the library: compiled without exceptions and RTTI and calling no
 * C++ runtime of its own, so libaloud still links as C (libcld2.so brings
 * its own libstdc++).
 */
#include "lang_cld2.h"

#include <climits>
#include <cstdio>

#include <cld2/public/compact_lang_det.h>

extern "C" void lang_cld2_detect(const char *text, size_t size, lang_cld2_result *out)
{
    CLD2::Language top3[3];
    int percent3[3] = {0, 0, 0};
    int text_bytes = 0;
    bool is_reliable = false;
    int length = size > INT_MAX ? INT_MAX : static_cast<int>(size);
    CLD2::Language lang = CLD2::ExtDetectLanguageSummary(text, length, true, top3, percent3,
                                                         &text_bytes, &is_reliable);
    std::snprintf(out->code, sizeof out->code, "%s", CLD2::LanguageCode(lang));
    out->percent = percent3[0];
    std::snprintf(out->second, sizeof out->second, "%s", CLD2::LanguageCode(top3[1]));
    out->second_percent = percent3[1];
    out->reliable = is_reliable ? 1 : 0;
}
