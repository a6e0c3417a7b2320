/*
 * test_seg_cases.c - the sentence segmenter on golden cases kept as text,
 * one file per language: tests/data/sentences/LANG.txt (LANG a BCP-47
 * code, the language the text is split with).
 *
 * A case is a paragraph on a line starting "> ", then each sentence it must
 * be cut into on a line starting "= ", in order. Cases are separated by
 * blank lines; lines starting "#" are comments (say where each convention
 * comes from). Every file is read, so a new language needs no code.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "seg.h"

#define CASES_DIR ALOUD_TEST_DATA "/sentences"
#define LINE_MAX_BYTES 4096
#define SENTENCES_MAX 32

typedef struct seg_case {
    char text[LINE_MAX_BYTES];
    char sentences[SENTENCES_MAX][LINE_MAX_BYTES];
    size_t count;
    int line; /* of the "> " line */
} seg_case;

/* Checks one case; returns false (after printing both cuts) on a mismatch. */
static bool case_check(seg *s, const char *file, const seg_case *c)
{
    const seg_span *spans;
    size_t count;
    assert_int_equal(seg_split(s, c->text, strlen(c->text), &spans, &count), ALOUD_OK);
    bool same = count == c->count;
    for (size_t i = 0; same && i < count; i++) {
        size_t n = spans[i].end - spans[i].start;
        same = strlen(c->sentences[i]) == n &&
               memcmp(c->sentences[i], c->text + spans[i].start, n) == 0;
    }
    if (same)
        return true;
    fprintf(stderr, "%s:%d: cut as\n", file, c->line);
    for (size_t i = 0; i < count; i++)
        fprintf(stderr, "  = %.*s\n", (int)(spans[i].end - spans[i].start),
                c->text + spans[i].start);
    fprintf(stderr, "  expected\n");
    for (size_t i = 0; i < c->count; i++)
        fprintf(stderr, "  = %s\n", c->sentences[i]);
    return false;
}

/* Runs every case of one file; returns how many failed. */
static int file_check(const char *dir, const char *name)
{
    char path[1024], lang[64];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t stem = strcspn(name, ".");
    assert_true(stem > 0 && stem < sizeof lang);
    memcpy(lang, name, stem);
    lang[stem] = '\0';

    seg *s;
    assert_int_equal(seg_create(lang, SEG_DEFAULT_MAX_CHARS, &s, NULL), ALOUD_OK);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    seg_case *c = calloc(1, sizeof *c);
    assert_non_null(c);
    char line[LINE_MAX_BYTES];
    int line_no = 0, failed = 0, cases = 0;
    bool open = false;
    for (;;) {
        bool more = fgets(line, sizeof line, f) != NULL;
        line_no++;
        if (more) {
            size_t n = strlen(line);
            assert_true(n + 1 < sizeof line); /* a line longer than the buffer */
            while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                line[--n] = '\0';
            if (line[0] == '#')
                continue;
            if (strncmp(line, "> ", 2) == 0) {
                if (open)
                    fail_msg("%s:%d: a case without a blank line before it", path, line_no);
                memset(c, 0, sizeof *c);
                snprintf(c->text, sizeof c->text, "%s", line + 2);
                c->line = line_no;
                open = true;
                continue;
            }
            if (strncmp(line, "= ", 2) == 0) {
                if (!open || c->count == SENTENCES_MAX)
                    fail_msg("%s:%d: a sentence without its case, or too many", path, line_no);
                snprintf(c->sentences[c->count++], sizeof c->sentences[0], "%s", line + 2);
                continue;
            }
            if (line[0] != '\0')
                fail_msg("%s:%d: neither \"> \", \"= \", \"#\" nor blank", path, line_no);
        }
        if (open) {
            if (c->count == 0)
                fail_msg("%s:%d: a case without sentences", path, c->line);
            failed += !case_check(s, path, c);
            cases++;
            open = false;
        }
        if (!more)
            break;
    }
    fclose(f);
    free(c);
    seg_free(s);
    assert_true(cases > 0);
    print_message("%s: %d cases, %d failed\n", name, cases, failed);
    return failed;
}

static void test_golden_cases(void **state)
{
    (void)state;
    DIR *d = opendir(CASES_DIR);
    assert_non_null(d);
    int files = 0, failed = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".txt") != 0)
            continue;
        failed += file_check(CASES_DIR, e->d_name);
        files++;
    }
    closedir(d);
    assert_true(files > 0);
    assert_int_equal(failed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
