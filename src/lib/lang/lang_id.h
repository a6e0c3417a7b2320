/*
 * lang_id.h - which language a text is in, and what espeak-ng 1.51 cannot
 * read well in it (private to libaloud; the public face is aloud.h's
 * aloud_lang_detect() and aloud_lang_limit()).
 *
 * Detection is CLD2's (lang_cld2.h), chosen over libexttextcat by
 * measurement (bench/langid.py, README "Languages"): on Universal
 * Dependencies paragraphs of 100 characters or more it was right on 99.7%
 * against 94.2%, knows Chinese (textcat said "unknown" for a third of
 * them), and is five times faster. libexttextcat is only a second opinion
 * where CLD2 is not sure (lang_confirm()). Both read a bounded sample, so a
 * long text costs no more than a short one.
 */
#ifndef ALOUD_LANG_ID_H
#define ALOUD_LANG_ID_H

#include <stdbool.h>
#include <stddef.h>

#include "aloud.h"

/* Bytes of text a detection reads at most: four slices of this over the
 * text (start, a third, two thirds, end), so a long text is judged by more
 * than its opening. */
#define LANG_SLICE_BYTES 4096
#define LANG_SLICES 4

/*
 * A guess is sure when CLD2 calls it reliable, or when no other language
 * competes: the top language holds at least LANG_SURE_PERCENT of the text
 * and LANG_SURE_SHARE percent of what CLD2 gave to any language. CLD2
 * alone calls a paragraph unreliable whenever numbers and names leave less
 * than about 80% of it to the language ("Tiene 4 km (2,5 millas) de
 * largo..."), though nothing else was found: on the Universal Dependencies
 * paragraphs of 100 characters or more (bench/langid.py) its verdict alone
 * left 23 of 1633 unsure (read as English), 17 of them with the right
 * language on top and no other; with this rule 6 are left: 4 where CLD2
 * finds no language, one Spanish taken for Galician, one Dutch paragraph
 * that CLD2 splits evenly with Afrikaans. Galician has no voice, so it is
 * no answer (lang_detect()): 5 are left. CLD2's best effort where it finds
 * no language is not sure on its own: it named the right one in 3 of those
 * 4, and Serbian for the Russian one (and English for Spanish figures of
 * our own, tests/unit/test_lang.c). Where CLD2 is not sure, a second
 * classifier with a model of its own has a say (lang_confirm()): 1 is left.
 */
#define LANG_SURE_PERCENT 40
#define LANG_SURE_SHARE 90
/* A paragraph is taken to be in another language than its document's only
 * when, besides, this share of what CLD2 gave to any language is in that
 * language (numbers, names and titles in no language aside). */
#define LANG_PARAGRAPH_PERCENT 80

/* Whether espeak-ng has a voice for `lang` (a BCP-47 code), as the caller knows. */
typedef int (*lang_usable_fn)(void *ctx, const char *lang);

/*
 * Detects the language of text[0..size) (valid UTF-8; a bad byte ends the
 * slice it is in). out->lang gets a BCP-47 code ("de", "pt", "zh",
 * "zh-Hant"), "" when no language was found. With `usable` (may be NULL),
 * a language without a voice is no answer: CLD2's next language with one
 * is taken when sure, else the text is detected again with the voiced
 * languages CLD2 finds hard to tell from its answer as hints; when that
 * fails too, out keeps CLD2's answer (without a voice). *share (share may
 * be NULL) gets the percentage of the text CLD2 gave to any language that
 * is in out's: numbers and names it places in none do not count.
 */
void lang_detect(const char *text, size_t size, lang_usable_fn usable, void *ctx,
                 aloud_lang_guess *out, int *share);

/*
 * The second opinion on a guess CLD2 is not sure of: libexttextcat
 * (lang_textcat.h), an n-gram classifier with fingerprints of its own, on
 * the same bounded sample of text[0..size), of LANG_CONFIRM_MIN_CHARS
 * characters or more. When its first language is the guess's, the guess is
 * sure (g->reliable set); else g is left as it is. On the Universal
 * Dependencies paragraphs of 100 characters or more (bench/langid.py) the
 * two agreed on 4 of the 5 that CLD2 alone was not sure of, all right (two
 * Dutch paragraphs CLD2 could not tell from Afrikaans, Spanish and
 * Portuguese figures); its Serbian for a Russian paragraph stays unsure,
 * libexttextcat saying Russian, and so does its best effort on figures of
 * our own (Spanish taken for English; libexttextcat: Esperanto). Its first
 * call reads the fingerprints (about 14 ms), so a caller asks only where
 * the answer can change what is read.
 */
void lang_confirm(const char *text, size_t size, aloud_lang_guess *g);

/* The text lang_confirm() needs, in characters: below it both models err
 * on a few words, and agree in their errors ("Он не пришёл." Serbian; of
 * the shorter Universal Dependencies paragraphs, "- to zaby !" English). */
#define LANG_CONFIRM_MIN_CHARS 100

/* The primary subtag of `lang` equals `primary` ("en-GB" is "en"). */
bool lang_is(const char *lang, const char *primary);

#endif /* ALOUD_LANG_ID_H */
