/*
 * fuzz_guard.c - libFuzzer target for guard_text() (engine_guard.h): runs
 * arbitrary bytes through it and checks its promises. Any broken promise
 * aborts.
 *
 * - the output is valid UTF-8, whatever the input;
 * - no word is longer than GUARD_WORD_MAX characters and no digit run
 *   longer than GUARD_DIGITS_MAX;
 * - nothing rule 3 drops or replaces is left;
 * - a drop never joins "[" and "[" (or "]" and "]") into a phoneme marker;
 * - nothing else changed: without spaces, the output is the input (up to
 *   its first NUL) with rule 3 applied and the bytes that are not UTF-8
 *   left out (decoded here independently), and the counts match;
 * - guarding the output again changes nothing.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine_guard.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok)
        abort();
}

/* Strict UTF-8 decoding, written apart from engine_guard.c's: the length of
 * the sequence at s[0..avail), or 0 when it is not valid. */
static size_t decode(const unsigned char *s, size_t avail, uint32_t *cp)
{
    static const uint32_t min[5] = {0, 0, 0x80u, 0x800u, 0x10000u};
    size_t need;
    if (s[0] < 0x80u) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xE0u) == 0xC0u)
        need = 2;
    else if ((s[0] & 0xF0u) == 0xE0u)
        need = 3;
    else if ((s[0] & 0xF8u) == 0xF0u)
        need = 4;
    else
        return 0;
    if (need > avail)
        return 0;
    *cp = s[0] & (0x7Fu >> need);
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0u) != 0x80u)
            return 0;
        *cp = (*cp << 6) | (s[i] & 0x3Fu);
    }
    if (*cp < min[need] || *cp > 0x10FFFFu || (*cp >= 0xD800u && *cp <= 0xDFFFu))
        return 0;
    return need;
}

/* Appends s[0..n) to buf at *len unless it is a space. */
static void put(char *buf, size_t *len, const char *s, size_t n)
{
    if (n == 1 && s[0] == ' ')
        return;
    memcpy(buf + *len, s, n);
    *len += n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    guard_stats st;
    char *out = guard_text((const char *)data, size, &st);
    check(out != NULL);
    size_t in_len = strnlen((const char *)data, size);
    size_t out_len = strlen(out);
    const unsigned char *in = data;
    const unsigned char *o = (const unsigned char *)out;

    check(utf8_validate(out, out_len, NULL) == ALOUD_OK);

    /* The input as rule 3 leaves it, and the output, both without spaces. */
    char *want = malloc(in_len + 1), *got = malloc(out_len + 1);
    check(want && got);
    size_t want_len = 0, got_len = 0, dropped = 0, replaced = 0, in_spaces = 0;
    for (size_t i = 0; i < in_len;) {
        uint32_t cp, keep;
        size_t n = decode(in + i, in_len - i, &cp);
        if (n == 0) {
            dropped++;
            i++;
            continue;
        }
        in_spaces += cp == ' ';
        if (!guard_keep(cp, &keep)) {
            dropped++;
        } else if (keep != cp) {
            check(keep >= '0' && keep <= '9');
            char c = (char)keep;
            put(want, &want_len, &c, 1);
            replaced++;
        } else {
            put(want, &want_len, (const char *)in + i, n);
        }
        i += n;
    }
    check(st.chars_dropped == dropped && st.digits_replaced == replaced);

    /* Walk the output: runs within the limits, nothing left for rule 3. */
    size_t run = 0, out_spaces = 0;
    guard_class run_class = GUARD_OTHER;
    for (size_t i = 0; i < out_len;) {
        uint32_t cp, keep;
        size_t n = decode(o + i, out_len - i, &cp);
        check(n > 0);
        check(guard_keep(cp, &keep) && keep == cp);
        guard_class cls = guard_classify(cp);
        out_spaces += cp == ' ';
        run = cls == run_class ? run + 1 : 1;
        run_class = cls;
        check(cls != GUARD_WORD || run <= GUARD_WORD_MAX);
        check(cls != GUARD_DIGIT || run <= GUARD_DIGITS_MAX);
        put(got, &got_len, out + i, n);
        i += n;
    }
    check(got_len == want_len && memcmp(got, want, got_len) == 0);
    /* Every cut is one space, as is every drop that would have joined "[["
     * or "]]"; a word or run that was cut has at least one. */
    check(out_spaces >= in_spaces + st.brackets_parted);
    size_t cuts = out_spaces - in_spaces - st.brackets_parted;
    check(cuts >= st.words_split + st.digit_runs_split);
    check((cuts == 0) == (st.words_split + st.digit_runs_split == 0));
    check(st.brackets_parted <= st.chars_dropped);

    guard_stats again;
    char *twice = guard_text(out, out_len, &again);
    check(twice != NULL && strcmp(twice, out) == 0);
    check(again.words_split == 0 && again.digit_runs_split == 0 && again.chars_dropped == 0 &&
          again.digits_replaced == 0);

    free(twice);
    free(want);
    free(got);
    free(out);
    return 0;
}
