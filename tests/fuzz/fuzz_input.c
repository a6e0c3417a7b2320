/*
 * fuzz_input.c - libFuzzer targets for the input front ends: parses
 * arbitrary bytes as FUZZ_KIND (Markdown, HTML or EPUB, set by the build:
 * fuzz_markdown, fuzz_html, fuzz_epub) with aloud_doc_parse_as() and checks
 * what every document promises: sentences and chapter titles normalised
 * UTF-8, paragraphs covering the sentences in order, the first paragraph
 * starting a chapter, metadata valid UTF-8; a failure leaves no document and
 * says why. Any broken promise aborts.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aloud.h"
#include "utf8.h"

#ifndef FUZZ_KIND
#error "FUZZ_KIND must name an aloud_input_kind"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok)
        abort();
}

static void check_text(const char *text)
{
    size_t length = text ? strlen(text) : 0;
    check(text != NULL && length > 0);
    check(utf8_validate(text, length, NULL) == ALOUD_OK);
    check(text[0] != ' ' && text[length - 1] != ' ');
    for (size_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)text[i];
        check(c >= 0x20 && c != 0x7F);
    }
}

static void check_meta(const char *s)
{
    if (s)
        check_text(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    aloud_doc *doc = (aloud_doc *)&size;
    aloud_error err;
    memset(&err, 0, sizeof err);
    aloud_status st = aloud_doc_parse_as(FUZZ_KIND, (const char *)data, size, NULL, &doc, &err);
    if (st != ALOUD_OK) {
        check(doc == NULL && err.status == st && err.message[0] != '\0');
        check(st == ALOUD_ERR_UTF8 || st == ALOUD_ERR_EMPTY || st == ALOUD_ERR_MEDIA ||
              st == ALOUD_ERR_LIMIT || st == ALOUD_ERR_NOMEM);
        return 0;
    }
    size_t paragraphs = aloud_doc_paragraph_count(doc);
    size_t sentences = aloud_doc_sentence_count(doc);
    size_t next = 0;
    check(paragraphs > 0 && sentences >= paragraphs);
    check(aloud_doc_paragraph(doc, 0)->starts_chapter);
    for (size_t i = 0; i < paragraphs; i++) {
        const aloud_paragraph *p = aloud_doc_paragraph(doc, i);
        check(p->first_sentence == next && p->sentence_count > 0);
        check(p->kind != ALOUD_PARA_TITLE || i == 0);
        check(p->line >= 1);
        check_text(p->chapter_title);
        for (size_t k = 0; k < p->sentence_count; k++) {
            const aloud_sentence *s = aloud_doc_sentence(doc, next + k);
            check_text(s->text);
            check(strlen(s->text) == s->length && s->line >= 1 && s->column >= 1);
        }
        next += p->sentence_count;
    }
    check(next == sentences);
    check_meta(aloud_doc_title(doc));
    check_meta(aloud_doc_author(doc));
    check_meta(aloud_doc_declared_lang(doc));
    check_meta(aloud_doc_input_note(doc));
    aloud_doc_free(doc);
    return 0;
}
