/*
 * test_chapter_plan.c - grouping paragraphs into chapters (chapter_plan.h):
 * every paragraph while they fit, exactly `max` groups past it, headings
 * starting groups, groups of about equal estimated duration.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aloud.h"
#include "chapter_plan.h"

/* A document from text; asserts it parses. */
static aloud_doc *doc_of(const char *text)
{
    aloud_doc *doc = NULL;
    aloud_error err = {0};
    assert_int_equal(aloud_doc_parse(text, strlen(text), &doc, &err), ALOUD_OK);
    return doc;
}

/* `n` paragraphs "Word k." with a heading line before every `every`th (0: none). */
static char *paragraphs(size_t n, size_t every, size_t long_every)
{
    size_t size = n * 64 + 64, used = 0;
    char *s = malloc(size);
    assert_non_null(s);
    used += (size_t)snprintf(s, size, "Some title\n\n");
    for (size_t i = 0; i < n; i++) {
        if (every && i % every == 0 && i > 0)
            used += (size_t)snprintf(s + used, size - used, "Heading %zu\n\n", i / every);
        used += (size_t)snprintf(s + used, size - used, "Word %zu%s.\n\n", i,
                                 long_every && i % long_every == 0 ? " and more and more" : "");
    }
    return s;
}

static void test_fits_one_per_paragraph(void **state)
{
    aloud_voice v;
    chapter_plan plan;
    char *text = paragraphs(10, 0, 0);
    aloud_doc *doc = doc_of(text);

    (void)state;
    aloud_voice_defaults(&v);
    assert_int_equal(chapter_plan_make(doc, &v, 999, &plan, NULL), ALOUD_OK);
    assert_int_equal(plan.count, aloud_doc_paragraph_count(doc));
    for (size_t c = 0; c < plan.count; c++)
        assert_int_equal(plan.first[c], c);
    chapter_plan_free(&plan);
    chapter_plan_free(&plan); /* a freed plan frees again as nothing */
    chapter_plan_free(NULL);
    aloud_doc_free(doc);
    free(text);
}

static void test_exactly_max_groups_ascending(void **state)
{
    aloud_voice v;
    char *text = paragraphs(400, 0, 0);
    aloud_doc *doc = doc_of(text);
    size_t n = aloud_doc_paragraph_count(doc);

    (void)state;
    aloud_voice_defaults(&v);
    for (size_t max = 1; max <= n; max += max < 20 ? 1 : 37) {
        chapter_plan plan;
        assert_int_equal(chapter_plan_make(doc, &v, max, &plan, NULL), ALOUD_OK);
        assert_int_equal(plan.count, max);
        assert_int_equal(plan.first[0], 0);
        for (size_t c = 1; c < plan.count; c++)
            assert_true(plan.first[c] > plan.first[c - 1] && plan.first[c] < n);
        chapter_plan_free(&plan);
    }
    aloud_doc_free(doc);
    free(text);
}

static void test_headings_start_groups(void **state)
{
    aloud_voice v;
    chapter_plan plan;
    char *text = paragraphs(200, 20, 0); /* title, 200 paragraphs, headings 1..9 */
    aloud_doc *doc = doc_of(text);
    size_t headings = 0;

    (void)state;
    aloud_voice_defaults(&v);
    assert_int_equal(chapter_plan_make(doc, &v, 30, &plan, NULL), ALOUD_OK);
    for (size_t c = 0; c < plan.count; c++)
        headings += aloud_doc_paragraph(doc, plan.first[c])->kind == ALOUD_PARA_HEADING;
    assert_int_equal(headings, 9);
    chapter_plan_free(&plan);
    /* Fewer chapters than sections: every chapter after the first starts at a heading. */
    assert_int_equal(chapter_plan_make(doc, &v, 4, &plan, NULL), ALOUD_OK);
    assert_int_equal(plan.count, 4);
    for (size_t c = 1; c < plan.count; c++)
        assert_int_equal(aloud_doc_paragraph(doc, plan.first[c])->kind, ALOUD_PARA_HEADING);
    chapter_plan_free(&plan);
    aloud_doc_free(doc);
    free(text);
}

/* Long paragraphs weigh more: a group holds fewer of them. */
static void test_about_equal_duration(void **state)
{
    aloud_voice v;
    chapter_plan plan;
    char *text = malloc(300 * 32 + 16); /* every other paragraph four times longer; no digits,
                                           which weigh as their spoken words */
    assert_non_null(text);
    strcpy(text, "Some title\n\n");
    for (size_t i = 0; i < 300; i++)
        strcat(text, i % 2 ? "Word and more and more.\n\n" : "Wordy.\n\n");
    aloud_doc *doc = doc_of(text);
    size_t n = aloud_doc_paragraph_count(doc), biggest = 0, smallest = SIZE_MAX;

    (void)state;
    aloud_voice_defaults(&v);
    v.sentence_pause_ms = v.paragraph_pause_ms = 0;
    assert_int_equal(chapter_plan_make(doc, &v, 10, &plan, NULL), ALOUD_OK);
    for (size_t c = 0; c < plan.count; c++) {
        size_t end = c + 1 < plan.count ? plan.first[c + 1] : n, bytes = 0;
        for (size_t p = plan.first[c]; p < end; p++) {
            const aloud_paragraph *para = aloud_doc_paragraph(doc, p);
            for (size_t s = 0; s < para->sentence_count; s++)
                bytes += aloud_doc_sentence(doc, para->first_sentence + s)->length;
        }
        biggest = bytes > biggest ? bytes : biggest;
        smallest = bytes < smallest ? bytes : smallest;
    }
    assert_true(biggest * 10 < smallest * 11); /* within 10% */
    chapter_plan_free(&plan);
    aloud_doc_free(doc);
    free(text);
}

static void test_bad_arguments(void **state)
{
    aloud_voice v;
    chapter_plan plan;
    aloud_error err = {0};
    char *text = paragraphs(3, 0, 0);
    aloud_doc *doc = doc_of(text);

    (void)state;
    aloud_voice_defaults(&v);
    assert_int_equal(chapter_plan_make(doc, &v, 0, &plan, &err), ALOUD_ERR_ARG);
    assert_null(plan.first);
    assert_int_equal(chapter_plan_make(NULL, &v, 5, &plan, &err), ALOUD_ERR_ARG);
    assert_int_equal(chapter_plan_make(doc, NULL, 5, &plan, &err), ALOUD_ERR_ARG);
    assert_int_equal(chapter_plan_make(doc, &v, 5, NULL, &err), ALOUD_ERR_ARG);
    aloud_doc_free(doc);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fits_one_per_paragraph),
        cmocka_unit_test(test_exactly_max_groups_ascending),
        cmocka_unit_test(test_headings_start_groups),
        cmocka_unit_test(test_about_equal_duration),
        cmocka_unit_test(test_bad_arguments),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
