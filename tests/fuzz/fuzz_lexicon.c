/*
 * fuzz_lexicon.c - libFuzzer target for the lexicon parser: parses
 * arbitrary bytes with lexicon_parse() (what aloud_lexicon_load() does with
 * a file's contents) and checks what the format promises (see
 * voices/lexicon/README.md and lexicon.h): a bad file is an error with a
 * position and adds nothing; a good one gives clean entries, which are then
 * applied to a fixed text and to the input itself. Any broken promise aborts.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aloud.h"
#include "lexicon.h"
#include "speak.h"
#include "text_norm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok)
        abort();
}

/* A match or replacement: valid UTF-8, no control characters, no blanks at the ends or doubled. */
static void check_field(const char *s)
{
    size_t n;
    check(s != NULL);
    n = strlen(s);
    check(n > 0 && n <= 2 * LEXICON_LINE_MAX);
    check(utf8_validate(s, n, NULL) == ALOUD_OK);
    check(s[0] != ' ' && s[n - 1] != ' ');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        check(c >= 0x20 && c != 0x7F && c != '\t');
        check(!(c == ' ' && s[i + 1] == ' '));
    }
}

/* Phoneme blocks balanced, ASCII inside, not empty. */
static void check_replacement(const char *s)
{
    bool open = false;
    check_field(s);
    for (size_t i = 0; s[i]; i++) {
        if (s[i] == '[' && s[i + 1] == '[') {
            check(!open);
            open = true;
            i++;
            check(s[i + 1] != ']');
        } else if (s[i] == ']' && s[i + 1] == ']') {
            check(open);
            open = false;
            i++;
        } else if (open) {
            check((unsigned char)s[i] < 0x80);
        }
    }
    check(!open);
}

/* Applies the lexicon to text[0..n) and checks the kept spans. */
static void apply(aloud_lexicon *lex, const char *text, size_t n)
{
    speak_buf out = {0};
    size_t last = 0;
    if (!lexicon_apply(lex, text, n, &out)) {
        speak_buf_free(&out);
        lexicon_commit(lex, false);
        return;
    }
    check(out.length == 0 || utf8_validate(out.data, out.length, NULL) == ALOUD_OK);
    for (size_t i = 0; i < out.kept_count; i++) {
        check(out.kept[i].start >= last && out.kept[i].start < out.kept[i].end);
        check(out.kept[i].end <= out.length);
        last = out.kept[i].end;
    }
    speak_buf_free(&out);
    lexicon_commit(lex, true);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char sample[] =
        "Natanz's site (Natanz) and NATANZ-based Ulyanov\xE2\x80\x99s talks in New York, "
        "the WHO said; who knew? #natanz @x C++ \xC3\x9C" "ber a.b.c \xE2\x80\x9C" "x\xE2\x80\x9D.";
    const char *text = (const char *)data;
    aloud_lexicon *lex = aloud_lexicon_create();
    aloud_error err;
    aloud_status st;

    if (!lex)
        return 0;
    memset(&err, 0, sizeof err);
    st = lexicon_parse(lex, "fuzz.lex", text, size, &err);
    /* An if-chain, not a switch: new statuses in aloud.h must not break this build. */
    if (st == ALOUD_OK) {
        for (size_t i = 0; i < aloud_lexicon_entry_count(lex); i++) {
            aloud_lexicon_entry_info info;
            aloud_lexicon_entry(lex, i, &info);
            check_field(info.match);
            check_replacement(info.replacement);
            check(info.line >= 1 && info.fired == 0);
            check(strcmp(info.file, "fuzz.lex") == 0);
        }
        apply(lex, sample, sizeof sample - 1);
        apply(lex, text, size);
    } else if (st == ALOUD_ERR_LEXICON) {
        check(err.status == st && err.line >= 1 && err.column >= 1 && err.message[0] != '\0');
        check(aloud_lexicon_entry_count(lex) == 0);
    } else if (st == ALOUD_ERR_NOMEM) {
        check(aloud_lexicon_entry_count(lex) == 0);
    } else {
        abort();  /* lexicon_parse returns no other status */
    }
    aloud_lexicon_free(lex);
    return 0;
}
