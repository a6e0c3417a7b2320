/*
 * fuzz_util.h - checks shared by the fuzz targets of the binary parsers
 * (fuzz_media, fuzz_id3v2). Header-only: each target is one program.
 */
#ifndef ALOUD_FUZZ_UTIL_H
#define ALOUD_FUZZ_UTIL_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aloud.h"
#include "utf8.h"

/* A broken promise aborts, so libFuzzer keeps the input that broke it, and
 * says which promise it was. */
static inline void fuzz_check_at(bool ok, const char *file, int line)
{
    if (!ok) {
        fprintf(stderr, "%s:%d: broken promise\n", file, line);
        abort();
    }
}
#define fuzz_check(ok) fuzz_check_at((ok), __FILE__, __LINE__)

/* A string the library hands out: NUL-terminated (by strlen) and valid UTF-8. */
static inline void fuzz_check_text(const char *s)
{
    fuzz_check(s != NULL);
    fuzz_check(utf8_validate(s, strlen(s), NULL) == ALOUD_OK);
}

/* The same for a string that may be absent. */
static inline void fuzz_check_optional_text(const char *s)
{
    if (s)
        fuzz_check_text(s);
}

/*
 * A failure as the parsers promise it: one of the statuses allowed, the
 * same in `err`, and a reason, terminated within the buffer.
 */
static inline void fuzz_check_failure(aloud_status st, const aloud_error *err,
                                      const aloud_status *allowed, size_t allowed_count)
{
    bool known = false;
    size_t len = strnlen(err->message, sizeof err->message);

    for (size_t i = 0; i < allowed_count; i++)
        known = known || st == allowed[i];
    fuzz_check(known);
    fuzz_check(err->status == st);
    fuzz_check(len > 0 && len < sizeof err->message);
}

#endif /* ALOUD_FUZZ_UTIL_H */
