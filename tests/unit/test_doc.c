/* test_doc.c - the document model: paragraphs, title, byline, headings, chapter titles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aloud.h"

#define SEED_ARTICLE ALOUD_SOURCE_DIR "/../shared/seeds/000_8dbececf641d20b2.txt"
#define GPL3 "/usr/share/common-licenses/GPL-3"

static aloud_doc *parse(const char *text)
{
    aloud_doc *doc = NULL;
    aloud_error err;
    aloud_status st = aloud_doc_parse(text, strlen(text), &doc, &err);
    if (st != ALOUD_OK)
        fail_msg("parse failed: %s", err.message);
    assert_non_null(doc);
    return doc;
}

/* Reads a whole file into a malloc'd buffer, or returns NULL when it is absent. */
static char *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (!f)
        return NULL;
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *size = (size_t)n;
    return buf;
}

static const aloud_paragraph *para(const aloud_doc *doc, size_t i)
{
    const aloud_paragraph *p = aloud_doc_paragraph(doc, i);
    assert_non_null(p);
    return p;
}

/* The text of sentence k of paragraph i. */
static const char *sent(const aloud_doc *doc, size_t i, size_t k)
{
    const aloud_paragraph *p = para(doc, i);
    assert_true(k < p->sentence_count);
    return aloud_doc_sentence(doc, p->first_sentence + k)->text;
}

static void test_paragraphs_and_wrapping(void **state)
{
    (void)state;
    aloud_doc *doc = parse("  First line of a\n"
                           "\thard-wrapped   paragraph\n"
                           "   ends here.\n"
                           "\n"
                           " \t \n"
                           "Second paragraph.\n"
                           "\n\n\n"
                           "    Third, indented.\n");
    assert_int_equal(aloud_doc_paragraph_count(doc), 3);
    assert_int_equal(aloud_doc_sentence_count(doc), 3);
    assert_string_equal(sent(doc, 0, 0), "First line of a hard-wrapped paragraph ends here.");
    assert_string_equal(sent(doc, 1, 0), "Second paragraph.");
    assert_string_equal(sent(doc, 2, 0), "Third, indented.");
    assert_int_equal(para(doc, 0)->line, 1);
    assert_int_equal(para(doc, 1)->line, 6);
    assert_int_equal(para(doc, 2)->line, 10);
    assert_int_equal(para(doc, 1)->first_sentence, 1);
    assert_int_equal(para(doc, 2)->first_sentence, 2);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(para(doc, i)->kind, ALOUD_PARA_BODY);
        assert_int_equal(para(doc, i)->sentence_count, 1);
    }
    aloud_doc_free(doc);

    /* Paragraphs of marks alone hold no words and are left out. */
    doc = parse("One.\n\n* * *\n\n\xE2\x80\x94\n\nTwo.");
    assert_int_equal(aloud_doc_paragraph_count(doc), 2);
    assert_string_equal(sent(doc, 1, 0), "Two.");
    assert_int_equal(para(doc, 1)->line, 7);
    aloud_doc_free(doc);

    /* A line of zero-width and control characters is blank. */
    doc = parse("One.\n\xE2\x80\x8B\x01\nTwo.");
    assert_int_equal(aloud_doc_paragraph_count(doc), 2);
    aloud_doc_free(doc);
}

static void test_gpl3(void **state)
{
    (void)state;
    size_t size;
    char *text = slurp(GPL3, &size);
    aloud_doc *doc = NULL;
    if (!text) {
        skip();
        return;
    }
    assert_int_equal(aloud_doc_parse(text, size, &doc, NULL), ALOUD_OK);
    assert_int_equal(aloud_doc_paragraph_count(doc), 122);
    assert_string_equal(para(doc, 2)->chapter_title, "Preamble");
    assert_int_equal(para(doc, 2)->kind, ALOUD_PARA_HEADING);
    assert_int_equal(para(doc, 2)->line, 8);
    assert_string_equal(para(doc, 3)->chapter_title, "The GNU General Public License is a free\xE2\x80\xA6");
    aloud_doc_free(doc);
    free(text);
}

static void test_title(void **state)
{
    (void)state;
    aloud_doc *doc = parse("A Short Title\n\nBody text here. More.\n");
    assert_int_equal(para(doc, 0)->kind, ALOUD_PARA_TITLE);
    assert_string_equal(aloud_doc_title(doc), "A Short Title");
    assert_string_equal(para(doc, 0)->chapter_title, "A Short Title");
    assert_int_equal(para(doc, 0)->sentence_count, 1);
    assert_int_equal(para(doc, 1)->kind, ALOUD_PARA_BODY);
    assert_null(aloud_doc_author(doc));
    aloud_doc_free(doc);

    /* Closing quotes after the last word are allowed. */
    doc = parse("The \xE2\x80\x9CHope\xE2\x80\x9D Memo\n\nBody.");
    assert_string_equal(aloud_doc_title(doc), "The \xE2\x80\x9CHope\xE2\x80\x9D Memo");
    aloud_doc_free(doc);
    doc = parse("Why \xE2\x80\x9CMaybe\xE2\x80\x9D\n\nBody.");
    assert_int_equal(para(doc, 0)->kind, ALOUD_PARA_TITLE);
    aloud_doc_free(doc);

    /* Not a title: final punctuation (also inside quotes), two lines, too long, a list. */
    static const char *const not_titles[] = {
        "Is this a title?\n\nBody.",
        "Ends with a period.\n\nBody.",
        "Ends with a colon:\n\nBody.",
        "He said \xE2\x80\x9Cstop.\xE2\x80\x9D\n\nBody.",
        "Ends with a comma,\n\nBody.",
        "Two lines\nof title\n\nBody.",
        "One two three four five six seven eight nine ten 11 12 13 14 15 16 17 18 19 20 21\n\nBody.",
        "1. The first item 2. The second item\n\nBody.",
    };
    for (size_t i = 0; i < sizeof not_titles / sizeof not_titles[0]; i++) {
        doc = parse(not_titles[i]);
        assert_int_equal(para(doc, 0)->kind, ALOUD_PARA_BODY);
        assert_null(aloud_doc_title(doc));
        aloud_doc_free(doc);
    }

    /* 150 characters is still short; 151 is not. */
    char line[256];
    memset(line, 'x', 150);
    line[150] = '\0';
    doc = parse(line);
    assert_int_equal(para(doc, 0)->kind, ALOUD_PARA_TITLE);
    aloud_doc_free(doc);
    memset(line, 'x', 151);
    line[151] = '\0';
    doc = parse(line);
    assert_int_equal(para(doc, 0)->kind, ALOUD_PARA_BODY);
    aloud_doc_free(doc);
}

static void test_headings(void **state)
{
    (void)state;
    aloud_doc *doc = parse("Body comes first.\n\nA Heading\n\nMore body.\n\n"
                           "Another heading with \xE2\x80\x98quotes\xE2\x80\x99\n\nEnd.");
    assert_int_equal(aloud_doc_paragraph_count(doc), 5);
    assert_null(aloud_doc_title(doc));
    assert_int_equal(para(doc, 0)->kind, ALOUD_PARA_BODY);
    assert_int_equal(para(doc, 1)->kind, ALOUD_PARA_HEADING);
    assert_string_equal(para(doc, 1)->chapter_title, "A Heading");
    assert_int_equal(para(doc, 2)->kind, ALOUD_PARA_BODY);
    assert_int_equal(para(doc, 3)->kind, ALOUD_PARA_HEADING);
    assert_int_equal(para(doc, 4)->kind, ALOUD_PARA_BODY);
    aloud_doc_free(doc);

    /* Full-width end marks end a paragraph as a period does: no heading, no title. */
    doc = parse("北京国安再次锁定联赛季军。\n\n地元の農家の方が作った野菜が好きです！\n\n"
                "「元気？」\n\nयह अच्छा है।\n\n第一章");
    assert_int_equal(aloud_doc_paragraph_count(doc), 5);
    assert_null(aloud_doc_title(doc));
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(para(doc, i)->kind, ALOUD_PARA_BODY);
    assert_int_equal(para(doc, 4)->kind, ALOUD_PARA_HEADING);
    aloud_doc_free(doc);

    /* Only the first paragraph can be the title. */
    doc = parse("Title\n\nSubtitle line\n\nBody.");
    assert_int_equal(para(doc, 0)->kind, ALOUD_PARA_TITLE);
    assert_int_equal(para(doc, 1)->kind, ALOUD_PARA_HEADING);
    assert_string_equal(aloud_doc_title(doc), "Title");
    aloud_doc_free(doc);
}

static void test_byline(void **state)
{
    (void)state;
    static const struct {
        const char *line;
        const char *author;
    } bylines[] = {
        {"Author: Dave DeCamp", "Dave DeCamp"},
        {"By Jane Doe", "Jane Doe"},
        {"BY JANE DOE", "JANE DOE"},
        {"by John Smith and Mary Jones", "John Smith and Mary Jones"},
        {"Written by Ana de Souza", "Ana de Souza"},
        {"By J. R. R. Tolkien", "J. R. R. Tolkien"},
        {"By Seán O'Brien, Li Wei & Zoë Kraus", "Seán O'Brien, Li Wei & Zoë Kraus"},
        {"By: Ludwig van Beethoven", "Ludwig van Beethoven"},
        {"Reporting by Martin Luther King Jr.", "Martin Luther King Jr."},
    };
    for (size_t i = 0; i < sizeof bylines / sizeof bylines[0]; i++) {
        char text[256];
        aloud_doc *doc;
        snprintf(text, sizeof text, "Some Title\n\n%s\n\nBody.\n", bylines[i].line);
        doc = parse(text);
        assert_int_equal(para(doc, 1)->kind, ALOUD_PARA_BYLINE);
        assert_string_equal(aloud_doc_author(doc), bylines[i].author);
        assert_string_equal(para(doc, 1)->chapter_title, bylines[i].line);
        assert_string_equal(sent(doc, 1, 0), bylines[i].line);
        aloud_doc_free(doc);
    }

    /* A byline as the first paragraph is not the title. */
    aloud_doc *doc = parse("By Jane Doe\n\nBody.");
    assert_int_equal(para(doc, 0)->kind, ALOUD_PARA_BYLINE);
    assert_null(aloud_doc_title(doc));
    aloud_doc_free(doc);

    /* The first byline gives the author. */
    doc = parse("By Jane Doe\n\nBody.\n\nBy John Roe");
    assert_int_equal(para(doc, 2)->kind, ALOUD_PARA_BYLINE);
    assert_string_equal(aloud_doc_author(doc), "Jane Doe");
    aloud_doc_free(doc);

    static const struct {
        const char *line;
        aloud_para_kind kind;
    } not_bylines[] = {
        {"By the way, this is not one.", ALOUD_PARA_BODY},
        {"By The River", ALOUD_PARA_HEADING},
        {"By Monday Morning", ALOUD_PARA_HEADING},
        {"By 2030 we will know", ALOUD_PARA_HEADING},
        {"Author: unknown", ALOUD_PARA_HEADING},
        {"By Jane Doe.", ALOUD_PARA_BODY},
        {"by and by", ALOUD_PARA_HEADING},
        {"By John and", ALOUD_PARA_HEADING},
        {"Bypass Road", ALOUD_PARA_HEADING},
        {"Author Dave DeCamp", ALOUD_PARA_HEADING},
        {"By Jane\nDoe", ALOUD_PARA_BODY},
    };
    for (size_t i = 0; i < sizeof not_bylines / sizeof not_bylines[0]; i++) {
        char text[256];
        snprintf(text, sizeof text, "Some Title\n\n%s\n\nBody.\n", not_bylines[i].line);
        doc = parse(text);
        assert_int_equal(para(doc, 1)->kind, not_bylines[i].kind);
        assert_null(aloud_doc_author(doc));
        aloud_doc_free(doc);
    }
}

static void test_chapter_titles(void **state)
{
    (void)state;
    aloud_doc *doc = parse("Short body paragraph.\n\n"
                           "One two three four five six seven eight nine ten.\n\n"
                           "One two three four five six seven eight, nine ten.\n\n"
                           "One two three four five six seven eight.\n\n"
                           "Well \xE2\x80\x94 one two three four five six \xE2\x80\x94 seven.\n\n"
                           "A b c d e f g \xE2\x80\x9Cquoted words here.\xE2\x80\x9D\n\n"
                           "Supercalifragilisticexpialidocious-supercalifragilisticexpialidocious-"
                           "supercalifragilisticexpialidocious is long.\n\n"
                           "Internationalisation, institutionalisation, counterrevolutionaries, "
                           "compartmentalisation are long.");
    assert_string_equal(para(doc, 0)->chapter_title, "Short body paragraph.");
    assert_string_equal(para(doc, 1)->chapter_title,
                        "One two three four five six seven eight\xE2\x80\xA6");
    /* Trailing punctuation goes before the "…". */
    assert_string_equal(para(doc, 2)->chapter_title,
                        "One two three four five six seven eight\xE2\x80\xA6");
    assert_string_equal(para(doc, 3)->chapter_title, "One two three four five six seven eight.");
    assert_string_equal(para(doc, 4)->chapter_title,
                        "Well \xE2\x80\x94 one two three four five six\xE2\x80\xA6");
    assert_string_equal(para(doc, 5)->chapter_title, "A b c d e f g \xE2\x80\x9Cquoted\xE2\x80\xA6");
    /* One word longer than the budget is cut between characters. */
    assert_string_equal(para(doc, 6)->chapter_title,
                        "Supercalifragilisticexpialidocious-supercalifragilisticexpialidocious-"
                        "supercalif\xE2\x80\xA6");
    /* Long words: fewer of them, cut at a word boundary, without the comma. */
    assert_string_equal(para(doc, 7)->chapter_title,
                        "Internationalisation, institutionalisation, counterrevolutionaries\xE2\x80\xA6");
    aloud_doc_free(doc);
}

static void test_seed_article(void **state)
{
    (void)state;
    size_t size;
    char *text = slurp(SEED_ARTICLE, &size);
    aloud_doc *doc = NULL;
    static const aloud_para_kind kinds[] = {
        ALOUD_PARA_TITLE, ALOUD_PARA_HEADING, ALOUD_PARA_BODY, ALOUD_PARA_BODY,
        ALOUD_PARA_BODY,  ALOUD_PARA_BODY,    ALOUD_PARA_BODY, ALOUD_PARA_BODY,
        ALOUD_PARA_BYLINE, ALOUD_PARA_BODY,
    };
    static const size_t counts[] = {1, 1, 2, 3, 2, 2, 1, 3, 1, 1};
    if (!text) {
        skip();
        return;
    }
    assert_int_equal(aloud_doc_parse(text, size, &doc, NULL), ALOUD_OK);
    assert_int_equal(aloud_doc_paragraph_count(doc), 10);
    assert_int_equal(aloud_doc_sentence_count(doc), 17);
    for (size_t i = 0; i < 10; i++) {
        assert_int_equal(para(doc, i)->kind, kinds[i]);
        assert_int_equal(para(doc, i)->sentence_count, counts[i]);
        assert_int_equal(para(doc, i)->line, 2 * i + 1);
    }
    assert_string_equal(aloud_doc_title(doc),
                        "Indirect US-Iran Talks Resume in Vienna After Natanz Attack");
    assert_string_equal(aloud_doc_author(doc), "Dave DeCamp");
    assert_string_equal(sent(doc, 3, 0),
                        "Iran responded to the Natanz attack by announcing it will begin enriching "
                        "some uranium at 60 percent, a move the US condemned as "
                        "\xE2\x80\x9Cprovocative.\xE2\x80\x9D");
    assert_string_equal(sent(doc, 3, 1), "But the US has not condemned the sabotage at the Natanz facility.");
    assert_int_equal(aloud_doc_sentence(doc, para(doc, 3)->first_sentence + 1)->line, 7);
    assert_int_equal(aloud_doc_sentence(doc, para(doc, 3)->first_sentence + 1)->column, 145);
    assert_string_equal(sent(doc, 9, 0),
                        "Dave DeCamp is the news editor of Antiwar.com, follow him on Twitter @decampdave.");
    assert_string_equal(para(doc, 2)->chapter_title,
                        "Talks between Iran and other signatories to the\xE2\x80\xA6");
    assert_string_equal(para(doc, 9)->chapter_title,
                        "Dave DeCamp is the news editor of Antiwar.com\xE2\x80\xA6");
    assert_string_equal(para(doc, 8)->chapter_title, "Author: Dave DeCamp");
    aloud_doc_free(doc);
    free(text);
}

static void test_empty(void **state)
{
    (void)state;
    static const char *const empties[] = {
        "", "   \n\n\t\r\n", "... !!! ???", "\x01\x02\x7F", "\xEF\xBB\xBF",
        "\xE2\x80\x8B\xC2\xA0\xE3\x80\x80", "* * *\n\n\xE2\x80\x94 \xE2\x80\x94",
        "\xF0\x9F\x98\x80\xF0\x9F\x8E\x89",
    };
    for (size_t i = 0; i < sizeof empties / sizeof empties[0]; i++) {
        aloud_doc *doc = (aloud_doc *)(uintptr_t)1;
        aloud_error err;
        memset(&err, 0xFF, sizeof err);
        assert_int_equal(aloud_doc_parse(empties[i], strlen(empties[i]), &doc, &err),
                         ALOUD_ERR_EMPTY);
        assert_null(doc);
        assert_int_equal(err.status, ALOUD_ERR_EMPTY);
        assert_int_equal(err.line, 0);
        assert_int_equal(err.column, 0);
        assert_string_equal(err.message, "no words to read");
    }
    /* NUL bytes are control characters: removed, not the end of the text. */
    aloud_doc *doc = NULL;
    assert_int_equal(aloud_doc_parse("\0\0Hi\0 there.", 12, &doc, NULL), ALOUD_OK);
    assert_string_equal(sent(doc, 0, 0), "Hi there.");
    assert_int_equal(aloud_doc_sentence(doc, 0)->column, 3);
    aloud_doc_free(doc);
    /* No buffer and no size is an empty text; a NULL buffer with a size is an error. */
    assert_int_equal(aloud_doc_parse(NULL, 0, &doc, NULL), ALOUD_ERR_EMPTY);
    assert_int_equal(aloud_doc_parse(NULL, 5, &doc, NULL), ALOUD_ERR_ARG);
    assert_int_equal(aloud_doc_parse("x", 1, NULL, NULL), ALOUD_ERR_ARG);
}

static void test_accessors(void **state)
{
    (void)state;
    aloud_doc *doc = parse("One. Two.");
    assert_int_equal(aloud_doc_paragraph_count(doc), 1);
    assert_int_equal(aloud_doc_sentence_count(doc), 2);
    assert_null(aloud_doc_paragraph(doc, 1));
    assert_null(aloud_doc_sentence(doc, 2));
    assert_int_equal(aloud_doc_sentence(doc, 1)->length, 4);
    assert_int_equal(aloud_doc_sentence(doc, 1)->column, 6);
    aloud_doc_free(doc);
    aloud_doc_free(NULL);
    assert_int_equal(aloud_doc_paragraph_count(NULL), 0);
    assert_int_equal(aloud_doc_sentence_count(NULL), 0);
    assert_null(aloud_doc_paragraph(NULL, 0));
    assert_null(aloud_doc_sentence(NULL, 0));
    assert_null(aloud_doc_title(NULL));
    assert_null(aloud_doc_author(NULL));
}

/* The sample articles in text/, which other tests render. */
static void test_samples(void **state)
{
    (void)state;
    size_t size;
    char *text = slurp(ALOUD_SOURCE_DIR "/text/news.txt", &size);
    aloud_doc *doc = NULL;
    assert_non_null(text);
    assert_int_equal(aloud_doc_parse(text, size, &doc, NULL), ALOUD_OK);
    assert_int_equal(aloud_doc_paragraph_count(doc), 8);
    assert_int_equal(aloud_doc_sentence_count(doc), 19);
    assert_string_equal(aloud_doc_title(doc), "Harbour Town Votes to Rebuild Its Old Tide Mill");
    assert_string_equal(aloud_doc_author(doc), "Miriam Okafor");
    assert_int_equal(para(doc, 1)->kind, ALOUD_PARA_BYLINE);
    assert_string_equal(sent(doc, 3, 0), "Polls opened at 7 a.m. and the first voters were "
                                         "waiting in the rain outside the library.");
    assert_string_equal(sent(doc, 4, 0), "The plan, known locally as Proposal No. 3, will cost "
                                         "an estimated $4.2 million.");
    aloud_doc_free(doc);
    free(text);

    text = slurp(ALOUD_SOURCE_DIR "/text/letter.txt", &size);
    assert_non_null(text);
    assert_int_equal(aloud_doc_parse(text, size, &doc, NULL), ALOUD_OK);
    assert_int_equal(aloud_doc_paragraph_count(doc), 8);
    assert_int_equal(aloud_doc_sentence_count(doc), 18);
    assert_string_equal(aloud_doc_title(doc), "A Letter from the Lighthouse");
    assert_null(aloud_doc_author(doc));
    /* Hard-wrapped and indented: lines joined, indentation gone. */
    assert_string_equal(sent(doc, 2, 1), "The weather has been wild.");
    assert_int_equal(aloud_doc_sentence(doc, para(doc, 2)->first_sentence + 1)->line, 7);
    assert_int_equal(aloud_doc_sentence(doc, para(doc, 2)->first_sentence + 1)->column, 29);
    assert_string_equal(sent(doc, 7, 0), "With love from the rock, Anna");
    aloud_doc_free(doc);
    free(text);
}

/* A paragraph far beyond the cap, with no punctuation: split into bounded units, quickly. */
static void test_long_paragraph(void **state)
{
    (void)state;
    size_t n = 4u << 20;
    char *text = malloc(n);
    aloud_doc *doc = NULL;
    size_t total = 0;
    assert_non_null(text);
    for (size_t i = 0; i < n; i++)
        text[i] = i % 8 == 7 ? (i % 800 == 799 ? '\n' : ' ') : 'a';
    assert_int_equal(aloud_doc_parse(text, n, &doc, NULL), ALOUD_OK);
    assert_int_equal(aloud_doc_paragraph_count(doc), 1);
    for (size_t i = 0; i < aloud_doc_sentence_count(doc); i++) {
        const aloud_sentence *s = aloud_doc_sentence(doc, i);
        assert_true(s->length <= 600);
        if (i + 1 < aloud_doc_sentence_count(doc))
            assert_true(s->length > 590);
        assert_int_equal(strlen(s->text), s->length);
        total += s->length + 1;
    }
    assert_int_equal(total, n);  /* every word kept, one space or line end each */
    /* Each unit says where it starts: words are 8 columns apart, lines 800. */
    const aloud_sentence *last = aloud_doc_sentence(doc, aloud_doc_sentence_count(doc) - 1);
    size_t offset = n - last->length - 1;
    assert_int_equal(last->line, offset / 800 + 1);
    assert_int_equal(last->column, offset % 800 + 1);
    aloud_doc_free(doc);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paragraphs_and_wrapping),
        cmocka_unit_test(test_gpl3),
        cmocka_unit_test(test_title),
        cmocka_unit_test(test_headings),
        cmocka_unit_test(test_byline),
        cmocka_unit_test(test_chapter_titles),
        cmocka_unit_test(test_seed_article),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_accessors),
        cmocka_unit_test(test_samples),
        cmocka_unit_test(test_long_paragraph),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
