/*
 * test_inputs.c - the input front ends (Markdown, HTML, EPUB): the corpus in
 * tests/data/inputs/ against its expected title, author, language and
 * paragraph and chapter counts (corpus.tsv), and small cases of each rule.
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
#include "testutil.h"

static aloud_doc *parse(aloud_input_kind kind, const char *text)
{
    aloud_doc *doc = NULL;
    aloud_error err = {0};
    aloud_status st = aloud_doc_parse_as(kind, text, strlen(text), NULL, &doc, &err);
    if (st != ALOUD_OK)
        fail_msg("parse failed: %s", err.message);
    return doc;
}

/* Every sentence, one per line, a blank line between paragraphs. */
static char *sentences(const aloud_doc *doc)
{
    size_t cap = 1;
    for (size_t i = 0; i < aloud_doc_sentence_count(doc); i++)
        cap += aloud_doc_sentence(doc, i)->length + 2;
    char *out = calloc(cap, 1);
    assert_non_null(out);
    for (size_t p = 0; p < aloud_doc_paragraph_count(doc); p++) {
        const aloud_paragraph *para = aloud_doc_paragraph(doc, p);
        if (p > 0)
            strcat(out, "\n");
        for (size_t i = 0; i < para->sentence_count; i++) {
            strcat(out, aloud_doc_sentence(doc, para->first_sentence + i)->text);
            strcat(out, "\n");
        }
    }
    return out;
}

static size_t chapters(const aloud_doc *doc)
{
    size_t n = 0;
    for (size_t p = 0; p < aloud_doc_paragraph_count(doc); p++)
        n += aloud_doc_paragraph(doc, p)->starts_chapter != 0;
    return n;
}

static void test_markdown_rules(void **state)
{
    (void)state;
    aloud_doc *doc = parse(ALOUD_INPUT_MARKDOWN,
                           "---\ntitle: \"Front Title\"\nauthor: Jane Roe\nlang: fr\n---\n"
                           "# Heading One\n\nSome *emphasis*, a [link](https://example.org/x) "
                           "and &amp; &#8217;s.\nNext line.\n\n"
                           "## Sub heading\n\n- one item here\n- two `code` item\n\n"
                           "```\nint x;\n```\n\n    indented code\n\n<div>html</div>\n\n"
                           "![alt text](a.png) After image.\n");
    char *text = sentences(doc);
    assert_string_equal(text, "Heading One\n\n"
                              "Some emphasis, a link and & \xE2\x80\x99s.\nNext line.\n\n"
                              "Sub heading\n\none item here\n\ntwo code item\n\nAfter image.\n");
    assert_string_equal(aloud_doc_title(doc), "Front Title");
    assert_string_equal(aloud_doc_author(doc), "Jane Roe");
    assert_string_equal(aloud_doc_declared_lang(doc), "fr");
    assert_string_equal(aloud_doc_input_note(doc),
                        "skipped 2 code blocks, 1 HTML block, 1 image");
    assert_int_equal(aloud_doc_paragraph(doc, 0)->kind, ALOUD_PARA_TITLE);
    assert_int_equal(aloud_doc_paragraph(doc, 2)->kind, ALOUD_PARA_HEADING);
    assert_int_equal(aloud_doc_paragraph(doc, 1)->kind, ALOUD_PARA_BODY);
    /* Positions: the second paragraph's first sentence is at line 8, column 1;
     * "Next line." at line 9. */
    const aloud_sentence *s = aloud_doc_sentence(doc, 1);
    assert_int_equal(s->line, 8);
    assert_int_equal(s->column, 1);
    s = aloud_doc_sentence(doc, 2);
    assert_int_equal(s->line, 9);
    assert_int_equal(chapters(doc), aloud_doc_paragraph_count(doc));
    free(text);
    aloud_doc_free(doc);

    /* Bad UTF-8 is named by line and column, as in a text. */
    aloud_error err = {0};
    doc = NULL;
    assert_int_equal(aloud_doc_parse_as(ALOUD_INPUT_MARKDOWN, "# A\n\nb\xff c\n", 10, NULL, &doc,
                                        &err),
                     ALOUD_ERR_UTF8);
    assert_int_equal(err.line, 3);
    assert_int_equal(err.column, 2);
    assert_null(doc);
    /* Only code: no words. */
    assert_int_equal(aloud_doc_parse_as(ALOUD_INPUT_MARKDOWN, "```\nx\n```\n", 10, NULL, &doc, &err),
                     ALOUD_ERR_EMPTY);
}

static void test_html_rules(void **state)
{
    (void)state;
    aloud_doc *doc = parse(
        ALOUD_INPUT_HTML,
        "<html lang=\"de-AT\"><head><title>Page Title | Site</title>"
        "<meta property=\"article:author\" content=\"Ana Souza\"><style>p{}</style>"
        "<script>var x = 'never read';</script></head><body>"
        "<nav><a href=/>Home</a> <a href=/news>News</a></nav>"
        "<article><h1>Page Title</h1><p>First paragraph of the story, long enough to count "
        "as one, with commas, and more words.<sup><a href=\"#fn1\">1</a></sup></p>"
        "<figure><img src=x><figcaption>A caption that is not read.</figcaption></figure>"
        "<h2>Second part</h2><p>Second paragraph, also long enough to count, of the story "
        "here.</p><ul><li>An item of a list.</li></ul><blockquote>A quoted line.</blockquote>"
        "<pre>code();</pre><div class=\"share-buttons\">Share on Facebook</div></article>"
        "<footer>All rights reserved.</footer></body></html>");
    char *text = sentences(doc);
    assert_string_equal(text,
                        "Page Title\n\n"
                        "First paragraph of the story, long enough to count as one, with "
                        "commas, and more words.\n\n"
                        "Second part\n\n"
                        "Second paragraph, also long enough to count, of the story here.\n\n"
                        "An item of a list.\n\nA quoted line.\n");
    assert_string_equal(aloud_doc_title(doc), "Page Title");
    assert_string_equal(aloud_doc_author(doc), "Ana Souza");
    assert_string_equal(aloud_doc_declared_lang(doc), "de-AT");
    assert_int_equal(aloud_doc_paragraph(doc, 0)->kind, ALOUD_PARA_TITLE);
    assert_int_equal(aloud_doc_paragraph(doc, 2)->kind, ALOUD_PARA_HEADING);
    free(text);
    aloud_doc_free(doc);

    /* A declared charset other than UTF-8 is converted. */
    doc = parse(ALOUD_INPUT_HTML,
                "<meta charset=\"iso-8859-1\"><p>Caf\xe9 cr\xe8me, \x93quoted\x94.</p>");
    text = sentences(doc);
    assert_string_equal(text, "Caf\xC3\xA9 cr\xC3\xA8me, \xE2\x80\x9Cquoted\xE2\x80\x9D.\n");
    free(text);
    aloud_doc_free(doc);

    /* Declared UTF-8 that is not: the position of the bad byte. */
    aloud_error err = {0};
    const char bad[] = "<meta charset=utf-8>\n<p>ab\xc3(</p>";
    doc = NULL;
    assert_int_equal(aloud_doc_parse_as(ALOUD_INPUT_HTML, bad, sizeof bad - 1, NULL, &doc, &err),
                     ALOUD_ERR_UTF8);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.column, 6);
    /* An unknown charset is named. */
    const char unknown[] = "<meta charset=x-nonesuch><p>words</p>";
    assert_int_equal(aloud_doc_parse_as(ALOUD_INPUT_HTML, unknown, sizeof unknown - 1, NULL, &doc,
                                        &err),
                     ALOUD_ERR_MEDIA);
    assert_non_null(strstr(err.message, "x-nonesuch"));
    /* Nothing but boilerplate: no words. */
    const char empty[] = "<nav>Home</nav><script>x()</script>";
    assert_int_equal(aloud_doc_parse_as(ALOUD_INPUT_HTML, empty, sizeof empty - 1, NULL, &doc, &err),
                     ALOUD_ERR_EMPTY);
}

static void test_epub_refusals(void **state)
{
    (void)state;
    aloud_doc *doc = NULL;
    aloud_error err = {0};
    const char notzip[] = "<html><p>not a zip</p></html>";
    assert_int_equal(aloud_doc_parse_as(ALOUD_INPUT_EPUB, notzip, sizeof notzip - 1, NULL, &doc,
                                        &err),
                     ALOUD_ERR_MEDIA);
    assert_non_null(strstr(err.message, "not a zip file"));
    assert_null(doc);
}

/* corpus.tsv: file, kind, title, author, lang ("-" for none), paragraphs, chapters. */
static void test_corpus(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s/inputs/corpus.tsv", ALOUD_TEST_DATA);
    char *tsv = tu_read_text(path);
    assert_non_null(tsv);
    size_t checked = 0;
    for (char *line = strtok(tsv, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#')
            continue;
        char *f[7];
        char *save = NULL;
        size_t n = 0;
        for (char *t = strtok_r(line, "\t", &save); t && n < 7; t = strtok_r(NULL, "\t", &save))
            f[n++] = t;
        assert_int_equal(n, 7);
        aloud_input_kind kind;
        assert_int_equal(aloud_input_kind_by_name(f[1], &kind, NULL), ALOUD_OK);
        snprintf(path, sizeof path, "%s/inputs/%s", ALOUD_TEST_DATA, f[0]);
        size_t size = 0;
        unsigned char *data = tu_read_all(path, &size);
        assert_non_null(data);
        aloud_doc *doc = NULL;
        aloud_error err = {0};
        aloud_status st = aloud_doc_parse_as(kind, (const char *)data, size, NULL, &doc, &err);
        if (st != ALOUD_OK)
            fail_msg("%s: %s", f[0], err.message);
        const char *got[3] = {aloud_doc_title(doc), aloud_doc_author(doc), aloud_doc_declared_lang(doc)};
        if (getenv("ALOUD_CORPUS_SHOW")) /* to write a new line of corpus.tsv, then check it */
            printf("%s\t%s\t%s\t%s\t%s\t%zu\t%zu\n", f[0], f[1], got[0] ? got[0] : "-",
                   got[1] ? got[1] : "-", got[2] ? got[2] : "-", aloud_doc_paragraph_count(doc),
                   chapters(doc));
        for (size_t i = 0; i < 3 && !getenv("ALOUD_CORPUS_SHOW"); i++) {
            const char *want = strcmp(f[2 + i], "-") == 0 ? NULL : f[2 + i];
            if ((want == NULL) != (got[i] == NULL) || (want && strcmp(want, got[i]) != 0))
                fail_msg("%s: field %zu is '%s', expected '%s'", f[0], i + 2,
                         got[i] ? got[i] : "-", want ? want : "-");
        }
        size_t paras = aloud_doc_paragraph_count(doc);
        if (!getenv("ALOUD_CORPUS_SHOW") &&
            (paras != strtoul(f[5], NULL, 10) || chapters(doc) != strtoul(f[6], NULL, 10)))
            fail_msg("%s: %zu paragraphs and %zu chapters, expected %s and %s", f[0], paras,
                     chapters(doc), f[5], f[6]);
        aloud_doc_free(doc);
        free(data);
        checked++;
    }
    assert_true(checked >= 8);
    free(tsv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_markdown_rules),
        cmocka_unit_test(test_html_rules),
        cmocka_unit_test(test_epub_refusals),
        cmocka_unit_test(test_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
