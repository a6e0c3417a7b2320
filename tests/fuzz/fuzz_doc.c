/*
 * fuzz_doc.c - libFuzzer target for the text front end: parses arbitrary
 * bytes with aloud_doc_parse_opts(), in a language picked by the input's
 * length, and checks what every document promises
 * (see aloud.h and seg.h), then computes the spoken forms with a small
 * fixed lexicon (lexicon.h) and checks those, in English and again in
 * another language. Any broken promise aborts.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aloud.h"
#include "doc.h"
#include "seg.h"
#include "lexicon.h"
#include "speak.h"
#include "text_norm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok)
        abort();
}

/* A text the document hands out: NUL-terminated, valid UTF-8, normalised. */
static void check_text(const char *text, size_t length)
{
    check(text != NULL && strlen(text) == length && length > 0);
    check(utf8_validate(text, length, NULL) == ALOUD_OK);
    check(text[0] != ' ' && text[length - 1] != ' ');
    for (size_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)text[i];
        check(c >= 0x20 && c != 0x7F);
        check(!(c == ' ' && text[i + 1] == ' '));
    }
}

/* Characters (not bytes) in valid UTF-8. */
static size_t count_chars(const char *text, size_t length)
{
    size_t n = 0;
    for (size_t i = 0; i < length; i++)
        n += ((unsigned char)text[i] & 0xC0u) != 0x80u;
    return n;
}

/* The languages a run is read in: with data of their own, by region, and without. */
static const char *const langs[] = {"en", "de", "fr", "es", "it", "pt-BR", "pl", "nl", "ru",
                                    "cs", "da", "sv", "nb", "zh", "ja", "hi", "tlh"};
#define LANG_COUNT (sizeof langs / sizeof langs[0])

static void walk(const aloud_doc *doc)
{
    size_t paragraphs = aloud_doc_paragraph_count(doc);
    size_t sentences = aloud_doc_sentence_count(doc);
    size_t next = 0;
    unsigned last_line = 0;

    check(paragraphs > 0 && sentences >= paragraphs);
    check(aloud_doc_paragraph(doc, paragraphs) == NULL);
    check(aloud_doc_sentence(doc, sentences) == NULL);
    for (size_t i = 0; i < paragraphs; i++) {
        const aloud_paragraph *p = aloud_doc_paragraph(doc, i);
        check(p != NULL && p->sentence_count > 0 && p->first_sentence == next);
        check(p->line >= 1 && p->line >= last_line);
        check(p->kind == ALOUD_PARA_BODY || p->kind == ALOUD_PARA_TITLE ||
              p->kind == ALOUD_PARA_HEADING || p->kind == ALOUD_PARA_BYLINE);
        check(p->kind != ALOUD_PARA_TITLE || i == 0);
        check_text(p->chapter_title, strlen(p->chapter_title));
        for (size_t k = 0; k < p->sentence_count; k++) {
            const aloud_sentence *s = aloud_doc_sentence(doc, next + k);
            check(s != NULL);
            check_text(s->text, s->length);
            check(count_chars(s->text, s->length) <= SEG_DEFAULT_MAX_CHARS);
            check(s->line >= p->line && s->column >= 1);
            check(k == 0 || s->line >= aloud_doc_sentence(doc, next + k - 1)->line);
        }
        next += p->sentence_count;
        last_line = p->line;
    }
    check(next == sentences);
    if (aloud_doc_title(doc))
        check(strcmp(aloud_doc_title(doc), aloud_doc_paragraph(doc, 0)->chapter_title) == 0);
    if (aloud_doc_author(doc))
        check_text(aloud_doc_author(doc), strlen(aloud_doc_author(doc)));
}

/* A few entries of each kind: words, a phrase, exact case, punctuation, phonemes. */
static const char fuzz_lexicon_text[] =
    "Natanz = [[n@t'A:nz]]\n"
    "Ulyanov = ool yah nof\n"
    "New York = [[nu: j'O@k]] city\n"
    "New York Times = the times\n"
    "WHO == W.H.O\n"
    "@decampdave = at de camp dave\n"
    "C++ = c plus plus\n"
    "$ = dollar\n"
    "a = [[eI]]\n";

/*
 * A spoken form: valid UTF-8 without control characters, single spaces
 * inside, none at the ends, every "[[" closed by "]]" before the next one
 * (only the lexicon's phonemes are phonemes), and not much longer than the
 * text.
 */
static void check_spoken(const aloud_sentence *s)
{
    const char *t = s->spoken;
    size_t n;
    bool open = false;

    check(t != NULL);
    n = strlen(t);
    check(utf8_validate(t, n, NULL) == ALOUD_OK);
    check(n <= 32 * s->length + 64);
    check(n == 0 || (t[0] != ' ' && t[n - 1] != ' '));
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)t[i];
        check(c >= 0x20 && c != 0x7F);
        check(!(c == ' ' && t[i + 1] == ' '));
        if (c == '[' && t[i + 1] == '[') {
            check(!open);
            open = true;
            i++;
        } else if (c == ']' && t[i + 1] == ']') {
            check(open);
            open = false;
            i++;
        }
    }
    check(!open);
}

static void speak(aloud_doc *doc)
{
    static aloud_lexicon *lex;  /* reachable for the whole run: not a leak */
    size_t before = 0;
    size_t after = 0;
    aloud_lexicon_entry_info info;

    if (!lex) {
        lex = aloud_lexicon_create();
        if (!lex || lexicon_parse(lex, "fuzz.lex", fuzz_lexicon_text, sizeof fuzz_lexicon_text - 1,
                                  NULL) != ALOUD_OK)
            abort();
    }
    for (size_t i = 0; i < aloud_lexicon_entry_count(lex); i++) {
        aloud_lexicon_entry(lex, i, &info);
        before += info.fired;
    }
    if (aloud_doc_speak(doc, lex, NULL) != ALOUD_OK)
        return;
    for (size_t i = 0; i < aloud_lexicon_entry_count(lex); i++) {
        aloud_lexicon_entry(lex, i, &info);
        after += info.fired;
    }
    check(after >= before);
    for (size_t i = 0; i < aloud_doc_sentence_count(doc); i++) {
        const aloud_sentence *s = aloud_doc_sentence(doc, i);
        check(s->spoken != s->text);
        check_spoken(s);
    }
}

/*
 * The segmenter alone, on the raw (valid UTF-8) input with a tiny cap so
 * that the length cap is exercised too: spans in order, trimmed, within
 * the cap, on character boundaries.
 */
static void split_raw(const char *text, size_t size, size_t lang)
{
    static seg *segs[LANG_COUNT];  /* reachable for the whole run: not a leak */
    seg *s;
    const seg_span *spans;
    size_t count;
    size_t last = 0;

    if (!segs[lang] && seg_create(langs[lang], 24, &segs[lang], NULL) != ALOUD_OK)
        abort();
    s = segs[lang];
    if (seg_split(s, text, size, &spans, &count) != ALOUD_OK)
        return;
    for (size_t i = 0; i < count; i++) {
        check(spans[i].start >= last && spans[i].start < spans[i].end && spans[i].end <= size);
        check(count_chars(text + spans[i].start, spans[i].end - spans[i].start) <= 24);
        check(text[spans[i].start] != ' ' && text[spans[i].end - 1] != ' ');
        check(((unsigned char)text[spans[i].start] & 0xC0u) != 0x80u);
        check(spans[i].end == size || ((unsigned char)text[spans[i].end] & 0xC0u) != 0x80u);
        last = spans[i].end;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    aloud_doc *doc = NULL;
    aloud_error err;
    /* The language comes from the input's length, so every input keeps its text. */
    size_t lang = size % LANG_COUNT;
    aloud_doc_opts opts = {0};
    aloud_status st;

    opts.lang = langs[lang];
    st = aloud_doc_parse_opts((const char *)data, size, &opts, &doc, &err);

    /* An if-chain, not a switch: new statuses in aloud.h must not break this build. */
    if (st == ALOUD_OK) {
        check(doc != NULL);
        check(strcmp(aloud_doc_lang(doc), langs[lang]) == 0);
        /* A text with a UTF-16 byte order mark parses too, converted. */
        if (utf8_validate((const char *)data, size, NULL) == ALOUD_OK)
            split_raw((const char *)data, size, lang);
        else
            check(size >= 2 && ((data[0] == 0xFF && data[1] == 0xFE) ||
                                (data[0] == 0xFE && data[1] == 0xFF)));
        walk(doc);
        for (size_t i = 0; i < aloud_doc_sentence_count(doc); i++)
            check(aloud_doc_sentence(doc, i)->spoken == aloud_doc_sentence(doc, i)->text);
        speak(doc);
        walk(doc);
        /* Again in a language without the English rules: the lexicon, web
         * addresses with that language's words (or none), as written. */
        static const char *const langs[] = {"de", "fr", "ru", "cs"};
        check(doc_set_lang(doc, langs[size % 4], NULL) == ALOUD_OK);
        speak(doc);
        aloud_doc_free(doc);
    } else if (st == ALOUD_ERR_UTF8) {
        check(doc == NULL && err.status == st && err.line >= 1 && err.column >= 1);
        check(utf8_validate((const char *)data, size, NULL) == ALOUD_ERR_UTF8);
    } else if (st == ALOUD_ERR_EMPTY) {
        check(doc == NULL && err.status == st && err.line == 0);
    } else if (st == ALOUD_ERR_NOMEM) {
        check(doc == NULL);
    } else {
        abort();  /* aloud_doc_parse returns no other status */
    }
    return 0;
}
