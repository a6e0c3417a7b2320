/* test_text.c - UTF-8 reading: BOM, line ends, invalid input with its position, normalisation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "text_norm.h"

/* Validates a byte string with an explicit size (it may hold NUL bytes). */
static aloud_status validate(const char *data, size_t size, aloud_error *err)
{
    memset(err, 0, sizeof *err);
    return utf8_validate(data, size, err);
}

/* Expects data to fail at (line, column) with `message`. */
static void expect_bad(const char *data, size_t size, unsigned line, unsigned column,
                       const char *message)
{
    aloud_error err;
    aloud_doc *doc = (aloud_doc *)(uintptr_t)1;
    assert_int_equal(validate(data, size, &err), ALOUD_ERR_UTF8);
    assert_int_equal(err.status, ALOUD_ERR_UTF8);
    assert_int_equal(err.line, line);
    assert_int_equal(err.column, column);
    assert_string_equal(err.message, message);
    /* The document parser reports the same and gives no document. */
    memset(&err, 0, sizeof err);
    assert_int_equal(aloud_doc_parse(data, size, &doc, &err), ALOUD_ERR_UTF8);
    assert_null(doc);
    assert_int_equal(err.line, line);
    assert_int_equal(err.column, column);
    assert_string_equal(err.message, message);
}

#define BAD(lit, line, column, message) expect_bad(lit, sizeof lit - 1, line, column, message)

static void test_valid(void **state)
{
    (void)state;
    aloud_error err;
    static const char ok[] = "plain ASCII\n"
                             "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"  /* é € 😀 */
                             "\xED\x9F\xBF\xEE\x80\x80"              /* U+D7FF U+E000 */
                             "\xF4\x8F\xBF\xBF\xF0\x90\x80\x80"      /* U+10FFFF U+10000 */
                             "\xC2\x80\xDF\xBF\xE0\xA0\x80";         /* smallest of each length */
    assert_int_equal(validate(ok, sizeof ok - 1, &err), ALOUD_OK);
    assert_int_equal(validate("", 0, &err), ALOUD_OK);
    assert_int_equal(validate("a\0b", 3, &err), ALOUD_OK);
}

static void test_invalid_kinds(void **state)
{
    (void)state;
    BAD("ab\xC3(", 1, 3, "invalid UTF-8 (byte 0xC3 not followed by a continuation byte)");
    BAD("x\xE2\x82(", 1, 2, "invalid UTF-8 (byte 0xE2 not followed by a continuation byte)");
    BAD("x\x80", 1, 2, "invalid UTF-8 (unexpected continuation byte 0x80)");
    BAD("\xBF", 1, 1, "invalid UTF-8 (unexpected continuation byte 0xBF)");
    BAD("\xC0\xAF", 1, 1, "invalid UTF-8 (byte 0xC0 starts an overlong encoding)");
    BAD("\xC1\xBF", 1, 1, "invalid UTF-8 (byte 0xC1 starts an overlong encoding)");
    BAD("a\xE0\x80\xAF", 1, 2, "invalid UTF-8 (overlong encoding 0xE0 0x80)");
    BAD("a\xE0\x9F\xBF", 1, 2, "invalid UTF-8 (overlong encoding 0xE0 0x9F)");
    BAD("\xF0\x8F\xBF\xBF", 1, 1, "invalid UTF-8 (overlong encoding 0xF0 0x8F)");
    BAD("\xED\xA0\x80", 1, 1, "invalid UTF-8 (encoded surrogate U+D800)");
    BAD("\xED\xBF\xBF", 1, 1, "invalid UTF-8 (encoded surrogate U+DFFF)");
    BAD("\xF4\x90\x80\x80", 1, 1, "invalid UTF-8 (code point U+110000 above U+10FFFF)");
    BAD("\xF5\x80\x80\x80", 1, 1, "invalid UTF-8 (byte 0xF5 never appears in UTF-8)");
    BAD("\xFF", 1, 1, "invalid UTF-8 (byte 0xFF never appears in UTF-8)");
    BAD("abc\xE2\x82", 1, 4,
        "invalid UTF-8 (byte 0xE2 starts a sequence cut off by the end of the input)");
    BAD("\xF0\x9F\x98", 1, 1,
        "invalid UTF-8 (byte 0xF0 starts a sequence cut off by the end of the input)");
}

static void test_invalid_positions(void **state)
{
    (void)state;
    /* Columns count characters, not bytes. */
    BAD("h\xC3\xA9llo w\xC3\xB6rld \xC3", 1, 13,
        "invalid UTF-8 (byte 0xC3 starts a sequence cut off by the end of the input)");
    BAD("\xE2\x82\xAC\xF0\x9F\x98\x80\xFE", 1, 3, "invalid UTF-8 (byte 0xFE never appears in UTF-8)");
    /* LF, CRLF and CR each end one line. */
    BAD("one\ntwo\nth\x80", 3, 3, "invalid UTF-8 (unexpected continuation byte 0x80)");
    BAD("one\r\ntwo\r\n\r\nf\x80", 4, 2, "invalid UTF-8 (unexpected continuation byte 0x80)");
    BAD("a\rb\r\x80", 3, 1, "invalid UTF-8 (unexpected continuation byte 0x80)");
    BAD("a\n\rb\x80", 3, 2, "invalid UTF-8 (unexpected continuation byte 0x80)");
    /* The BOM is skipped and not counted; a tab is one column. */
    BAD("\xEF\xBB\xBF\xC3\xA9\x80", 1, 2, "invalid UTF-8 (unexpected continuation byte 0x80)");
    BAD("\t\x80", 1, 2, "invalid UTF-8 (unexpected continuation byte 0x80)");
    /* Only the first fault is reported. */
    BAD("ok\n\xFF\xFE", 2, 1, "invalid UTF-8 (byte 0xFF never appears in UTF-8)");
}

static void test_decode_encode(void **state)
{
    (void)state;
    static const uint32_t cps[] = {0x0, 0x41, 0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000,
                                   0xFFFD, 0x10000, 0x10FFFF};
    for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++) {
        char buf[4];
        uint32_t back = 0;
        size_t n = utf8_encode(cps[i], buf);
        assert_int_equal(n, cps[i] < 0x80 ? 1 : cps[i] < 0x800 ? 2 : cps[i] < 0x10000 ? 3 : 4);
        assert_int_equal(utf8_decode(buf, n, &back), n);
        assert_int_equal(back, cps[i]);
    }
    assert_int_equal(utf8_bom_length("\xEF\xBB\xBFx", 4), 3);
    assert_int_equal(utf8_bom_length("\xEF\xBB", 2), 0);
    assert_int_equal(utf8_bom_length("x\xEF\xBB\xBF", 4), 0);
}

static void test_classify(void **state)
{
    (void)state;
    static const uint32_t spaces[] = {' ', '\t', 0x0B, 0x0C, 0xA0, 0x1680, 0x2000, 0x2005,
                                      0x200A, 0x202F, 0x205F, 0x3000};
    static const uint32_t dropped[] = {0x00, 0x01, 0x07, 0x1B, 0x1F, 0x7F, 0x80, 0x9F, 0xAD,
                                       0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF};
    static const uint32_t kept[] = {'a', '.', 0x2019, 0x201C, 0x2014, 0x2026, 0xE9, 0x2010,
                                    0x20AC, 0x1F600};
    for (size_t i = 0; i < sizeof spaces / sizeof spaces[0]; i++)
        assert_int_equal(text_classify(spaces[i]), TEXT_SPACE);
    for (size_t i = 0; i < sizeof dropped / sizeof dropped[0]; i++)
        assert_int_equal(text_classify(dropped[i]), TEXT_DROP);
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
        assert_int_equal(text_classify(kept[i]), TEXT_KEEP);
    assert_int_equal(text_classify('\n'), TEXT_LINE);
    assert_int_equal(text_classify('\r'), TEXT_LINE);
    assert_int_equal(text_classify(0x85), TEXT_LINE);
    assert_int_equal(text_classify(0x2028), TEXT_LINE);
    assert_int_equal(text_classify(0x2029), TEXT_PARA);

    assert_true(utf8_is_word_char('a'));
    assert_true(utf8_is_word_char('7'));
    assert_true(utf8_is_word_char(0xE9));     /* é */
    assert_true(utf8_is_word_char(0x4E2D));   /* 中 */
    assert_true(utf8_is_word_char(0x0416));   /* Ж */
    assert_false(utf8_is_word_char('.'));
    assert_false(utf8_is_word_char(0xD7));    /* × */
    assert_false(utf8_is_word_char(0x2014));  /* — */
    assert_false(utf8_is_word_char(0x3001));  /* 、 */
    assert_false(utf8_is_word_char(0x1F600)); /* 😀 */

    assert_int_equal(utf8_case_of('A'), UTF8_CASE_UPPER);
    assert_int_equal(utf8_case_of('z'), UTF8_CASE_LOWER);
    assert_int_equal(utf8_case_of(0xC9), UTF8_CASE_UPPER);  /* É */
    assert_int_equal(utf8_case_of(0xDF), UTF8_CASE_LOWER);  /* ß */
    assert_int_equal(utf8_case_of(0x141), UTF8_CASE_UPPER); /* Ł */
    assert_int_equal(utf8_case_of(0x142), UTF8_CASE_LOWER); /* ł */
    assert_int_equal(utf8_case_of(0x160), UTF8_CASE_UPPER); /* Š */
    assert_int_equal(utf8_case_of(0x17E), UTF8_CASE_LOWER); /* ž */
    assert_int_equal(utf8_case_of(0x3A9), UTF8_CASE_UPPER); /* Ω */
    assert_int_equal(utf8_case_of(0x436), UTF8_CASE_LOWER); /* ж */
    assert_int_equal(utf8_case_of(0x4E2D), UTF8_CASE_NONE);
    assert_int_equal(utf8_case_of('3'), UTF8_CASE_NONE);
}

/* Bidi controls, variation selectors and tag characters are dropped like
 * zero-width ones, so they reach neither titles nor sidecars. */
static void test_classify_drops_format_characters(void **state)
{
    (void)state;
    static const uint32_t dropped[] = {0x200E, 0x200F, 0x202A, 0x202C, 0x202E, 0x2066, 0x2069,
                                       0xFE00, 0xFE0F, 0xE0000, 0xE0001, 0xE0067, 0xE007F,
                                       0xE0100, 0xE01EF};
    static const uint32_t kept[] = {0x2065, 0x206A, 0xFDFF, 0xFE10, 0xE0080,
                                    0xE00FF, 0xE01F0, 0x1F3F4};
    for (size_t i = 0; i < sizeof dropped / sizeof dropped[0]; i++)
        assert_int_equal(text_classify(dropped[i]), TEXT_DROP);
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
        assert_int_equal(text_classify(kept[i]), TEXT_KEEP);

    /* A title with an RLO, U+FE0F after a heart and a flag's tag sequence. */
    static const char text[] = "\xE2\x80\xAETitle \xE2\x9D\xA4\xEF\xB8\x8F "
                               "\xF0\x9F\x8F\xB4\xF3\xA0\x81\xA7\xF3\xA0\x81\xBF\n\n"
                               "Some words here.\n";
    aloud_doc *doc = NULL;
    assert_int_equal(aloud_doc_parse(text, sizeof text - 1, &doc, NULL), ALOUD_OK);
    assert_string_equal(aloud_doc_title(doc), "Title \xE2\x9D\xA4 \xF0\x9F\x8F\xB4");
    aloud_doc_free(doc);
}

/* A text with a UTF-16 BOM is converted; positions count characters alike. */
static void test_doc_parse_utf16(void **state)
{
    (void)state;
    /* "Title\n\n\U0001F600 Some words.\n" in UTF-16LE. */
    static const char le[] = "\xFF\xFE" "T\0i\0t\0l\0e\0\n\0\n\0\x3D\xD8\x00\xDE \0S\0o\0m\0e\0"
                             " \0w\0o\0r\0d\0s\0.\0\n\0";
    aloud_doc *doc = NULL;
    aloud_error err = {0};
    assert_int_equal(aloud_doc_parse(le, sizeof le - 1, &doc, &err), ALOUD_OK);
    assert_string_equal(aloud_doc_encoding(doc), "UTF-16LE");
    assert_string_equal(aloud_doc_title(doc), "Title");
    const aloud_sentence *s = aloud_doc_sentence(doc, 1);
    assert_non_null(s);
    assert_string_equal(s->text, "\xF0\x9F\x98\x80 Some words.");
    assert_int_equal(s->line, 3);
    assert_int_equal(s->column, 1);
    aloud_doc_free(doc);

    static const char be[] = "\xFE\xFF" "\0H\0i\0.\0\n\0b\xDC\x00\0.";
    assert_int_equal(aloud_doc_parse(be, sizeof be - 1, &doc, &err), ALOUD_ERR_UTF8);
    assert_null(doc);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.column, 2);
    assert_int_equal(aloud_doc_parse("Hi.", 3, &doc, &err), ALOUD_OK);
    assert_string_equal(aloud_doc_encoding(doc), "UTF-8");
    aloud_doc_free(doc);
}

static void test_reader(void **state)
{
    (void)state;
    /* BOM, NBSP, CRLF, zero-width space, CR, U+2028, U+2029, a control, NUL. */
    static const char in[] = "\xEF\xBB\xBF" "a\xC2\xA0\xC3\xA9\r\n\xE2\x80\x8B" "b\rc"
                             "\xE2\x80\xA8" "d\xE2\x80\xA9\x01" "e\0f";
    static const struct {
        text_item_kind kind;
        uint32_t cp;
        unsigned line, column;
    } want[] = {
        {TEXT_ITEM_CHAR, 'a', 1, 1},      {TEXT_ITEM_SPACE, 0xA0, 1, 2},
        {TEXT_ITEM_CHAR, 0xE9, 1, 3},     {TEXT_ITEM_LINE, '\r', 1, 4},
        {TEXT_ITEM_CHAR, 'b', 2, 2},      {TEXT_ITEM_LINE, '\r', 2, 3},
        {TEXT_ITEM_CHAR, 'c', 3, 1},      {TEXT_ITEM_LINE, 0x2028, 3, 2},
        {TEXT_ITEM_CHAR, 'd', 3, 3},      {TEXT_ITEM_PARA, 0x2029, 3, 4},
        {TEXT_ITEM_CHAR, 'e', 3, 6},      {TEXT_ITEM_CHAR, 'f', 3, 8},
        {TEXT_ITEM_END, 0, 3, 9},         {TEXT_ITEM_END, 0, 3, 9},
    };
    text_reader r;
    text_item item;
    assert_int_equal(utf8_validate(in, sizeof in - 1, NULL), ALOUD_OK);
    text_reader_init(&r, in, sizeof in - 1);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_int_equal(text_reader_next(&r, &item), want[i].kind);
        assert_int_equal(item.kind, want[i].kind);
        assert_int_equal(item.cp, want[i].cp);
        assert_int_equal(item.line, want[i].line);
        assert_int_equal(item.column, want[i].column);
    }
    /* A CRLF item covers both bytes. */
    text_reader_init(&r, "x\r\ny", 4);
    text_reader_next(&r, &item);
    assert_int_equal(text_reader_next(&r, &item), TEXT_ITEM_LINE);
    assert_int_equal(item.length, 2);
}

/* Parses `size` bytes and returns the text of sentence i (the doc is kept in *doc). */
static const char *sentence(aloud_doc **doc, const char *data, size_t size, size_t i)
{
    aloud_doc_free(*doc);
    assert_int_equal(aloud_doc_parse(data, size, doc, NULL), ALOUD_OK);
    assert_non_null(aloud_doc_sentence(*doc, i));
    return aloud_doc_sentence(*doc, i)->text;
}

#define SENTENCE(doc, lit, i) sentence(doc, lit, sizeof lit - 1, i)

static void test_normalised_text(void **state)
{
    (void)state;
    aloud_doc *doc = NULL;
    /* Every space separator and tab is one space; runs collapse. */
    assert_string_equal(SENTENCE(&doc, "a\xC2\xA0" "b\xE1\x9A\x80" "c\xE2\x80\x80" "d\xE2\x80\x8A"
                                       "e\xE2\x80\xAF" "f\xE2\x81\x9F" "g\xE3\x80\x80" "h\ti \t \xC2\xA0 j.", 0),
                        "a b c d e f g h i j.");
    /* Zero-width characters and soft hyphens vanish inside words. */
    assert_string_equal(SENTENCE(&doc, "zero\xE2\x80\x8Bwidth jo\xE2\x80\x8Diner "
                                       "co\xC2\xADoperate wo\xE2\x81\xA0rd fe\xEF\xBB\xBF" "ff.", 0),
                        "zerowidth joiner cooperate word feff.");
    /* Controls (NUL too) are removed; DEL and C1 as well. */
    assert_string_equal(SENTENCE(&doc, "bell\a ring\x01s n\0ul d\x7F" "el c\xC2\x81one.", 0),
                        "bell rings nul del cone.");
    /* Punctuation stays as written. */
    assert_string_equal(SENTENCE(&doc, "\xE2\x80\x9CIt\xE2\x80\x99s \xE2\x80\x94 fine\xE2\x80\xA6\xE2\x80\x9D "
                                       "she said -- 'ok'.", 0),
                        "\xE2\x80\x9CIt\xE2\x80\x99s \xE2\x80\x94 fine\xE2\x80\xA6\xE2\x80\x9D she said -- 'ok'.");
    /* NEL and the line separator join lines like a line end; the paragraph separator splits. */
    assert_string_equal(SENTENCE(&doc, "one\xC2\x85two\xE2\x80\xA8three.", 0), "one two three.");
    assert_string_equal(SENTENCE(&doc, "One.\xE2\x80\xA9Two.", 1), "Two.");
    assert_int_equal(aloud_doc_paragraph_count(doc), 2);
    aloud_doc_free(doc);
}

static void test_bom_and_line_ends(void **state)
{
    (void)state;
    aloud_doc *doc = NULL;
    const aloud_sentence *s;
    static const char crlf[] = "\xEF\xBB\xBFHi. Yo there,\r\nfriend.\r\n\r\nNext one.\r\n";
    static const char cr[] = "Hi. Yo there,\rfriend.\r\rNext one.\r";
    static const char *const inputs[] = {crlf, cr};
    static const size_t sizes[] = {sizeof crlf - 1, sizeof cr - 1};

    for (size_t k = 0; k < 2; k++) {
        assert_int_equal(aloud_doc_parse(inputs[k], sizes[k], &doc, NULL), ALOUD_OK);
        assert_int_equal(aloud_doc_paragraph_count(doc), 2);
        assert_int_equal(aloud_doc_sentence_count(doc), 3);
        s = aloud_doc_sentence(doc, 0);
        assert_string_equal(s->text, "Hi.");
        assert_int_equal(s->line, 1);
        assert_int_equal(s->column, 1);  /* after the BOM, which does not count */
        s = aloud_doc_sentence(doc, 1);
        assert_string_equal(s->text, "Yo there, friend.");
        assert_int_equal(s->length, 17);
        assert_int_equal(s->line, 1);
        assert_int_equal(s->column, 5);
        s = aloud_doc_sentence(doc, 2);
        assert_string_equal(s->text, "Next one.");
        assert_int_equal(s->line, 4);
        assert_int_equal(s->column, 1);
        assert_int_equal(aloud_doc_paragraph(doc, 1)->line, 4);
        aloud_doc_free(doc);
    }
    /* A BOM alone holds no words. */
    assert_int_equal(aloud_doc_parse("\xEF\xBB\xBF", 3, &doc, NULL), ALOUD_ERR_EMPTY);
    /* Only the first BOM is special: a later U+FEFF is a zero-width character. */
    assert_string_equal(SENTENCE(&doc, "\xEF\xBB\xBF\xEF\xBB\xBFOk.", 0), "Ok.");
    assert_int_equal(aloud_doc_sentence(doc, 0)->column, 2);
    aloud_doc_free(doc);
}

static void test_positions_in_characters(void **state)
{
    (void)state;
    aloud_doc *doc = NULL;
    /* "Ça va. " is 7 characters (8 bytes); zero-width and collapsed spaces count. */
    assert_string_equal(SENTENCE(&doc, "\xC3\x87" "a va.\xE2\x80\x8B  \t\xC2\xA0Oui.", 1), "Oui.");
    assert_int_equal(aloud_doc_sentence(doc, 1)->line, 1);
    assert_int_equal(aloud_doc_sentence(doc, 1)->column, 12);
    /* A sentence that starts on a continuation line of a paragraph. */
    assert_string_equal(SENTENCE(&doc, "  First line ends\n    here. \xE2\x82\xAC" "5 more.", 1), "\xE2\x82\xAC" "5 more.");
    assert_int_equal(aloud_doc_sentence(doc, 1)->line, 2);
    assert_int_equal(aloud_doc_sentence(doc, 1)->column, 11);
    assert_int_equal(aloud_doc_sentence(doc, 0)->column, 3);
    aloud_doc_free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_invalid_kinds),
        cmocka_unit_test(test_invalid_positions),
        cmocka_unit_test(test_decode_encode),
        cmocka_unit_test(test_classify),
        cmocka_unit_test(test_classify_drops_format_characters),
        cmocka_unit_test(test_doc_parse_utf16),
        cmocka_unit_test(test_reader),
        cmocka_unit_test(test_normalised_text),
        cmocka_unit_test(test_bom_and_line_ends),
        cmocka_unit_test(test_positions_in_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
