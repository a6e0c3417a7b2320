/*
 * spoken_doc.c - a document's spoken forms: for each sentence, the lexicon
 * and the spoken-text rules (speak.c), then the engine guard (engine_guard.c),
 * so that --speak-text shows exactly what espeak-ng is handed.
 *
 * The spoken-text rules are English: numbers, currencies, ranges and web
 * addresses in English words, initialisms spelt out. They run on paragraphs
 * in English (and on a document whose language was never set); in any
 * other language they would put English words into the text ("25 euros",
 * "dot", "to") and spell out capitalised native words (PFLICHT), so there
 * the sentence reaches espeak-ng as written, with the lexicon applied,
 * literal "[[" split as in English, and web and e-mail addresses read
 * with the language's own words where it has them (speak_web.c), and
 * espeak-ng's own rules for the language read it. The rules and the
 * lexicon follow each paragraph's language.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aloud.h"
#include "doc.h"
#include "engine_guard.h"
#include "lexicon.h"
#include "speak.h"
#include "speak_buf.h"
#include "speak_web.h"
#include "vec.h"

_Static_assert(ALOUD_SPEAK_RULES == SPEAK_RULE_COUNT, "aloud.h and speak_buf.h count the same rules");

static const char *const spoken_rule_names[SPEAK_RULE_COUNT][2] = {
    [SPEAK_RULE_TIMES] = {"time", "times"},
    [SPEAK_RULE_DATES] = {"date", "dates"},
    [SPEAK_RULE_YEARS] = {"year", "years"},
    [SPEAK_RULE_DECADES] = {"decade", "decades"},
    [SPEAK_RULE_PHONES] = {"phone number", "phone numbers"},
    [SPEAK_RULE_IPS] = {"IP address", "IP addresses"},
    [SPEAK_RULE_FRACTIONS] = {"fraction", "fractions"},
    [SPEAK_RULE_RATIOS] = {"ratio", "ratios"},
    [SPEAK_RULE_ABBREVIATIONS] = {"abbreviation", "abbreviations"},
    [SPEAK_RULE_ADDRESSES] = {"address", "addresses"},
    [SPEAK_RULE_UNITS] = {"unit", "units"},
    [SPEAK_RULE_ROMANS] = {"Roman numeral", "Roman numerals"},
    [SPEAK_RULE_MARKS] = {"mark left out", "marks left out"},
    [SPEAK_RULE_EMOJI] = {"emoji left out", "emoji left out"},
    [SPEAK_RULE_URLS] = {"web address", "web addresses"},
    [SPEAK_RULE_EMAILS] = {"e-mail address", "e-mail addresses"},
    [SPEAK_RULE_HASHTAGS] = {"hashtag", "hashtags"},
    [SPEAK_RULE_RANGES] = {"range", "ranges"},
    [SPEAK_RULE_AMOUNTS] = {"amount of money", "amounts of money"},
    [SPEAK_RULE_NUMBERS] = {"number", "numbers"},
    [SPEAK_RULE_ORDINALS] = {"ordinal", "ordinals"},
    [SPEAK_RULE_ACRONYMS] = {"acronym", "acronyms"},
    [SPEAK_RULE_INITIALISMS] = {"initialism", "initialisms"},
    [SPEAK_RULE_DASHES] = {"dash", "dashes"},
    [SPEAK_RULE_PERIODS] = {"abbreviation period", "abbreviation periods"},
};

const char *aloud_speak_rule_name(unsigned k, size_t count)
{
    return k < SPEAK_RULE_COUNT ? spoken_rule_names[k][count != 1] : NULL;
}

/* Whether the rules in speak.c apply to text in `lang`: English, or not set. */
static bool spoken_rules_apply(const char *lang)
{
    return !lang || (strncasecmp(lang, "en", 2) == 0 && (lang[2] == '\0' || lang[2] == '-'));
}

/*
 * The spoken form of a sentence in a language without rules: the
 * lexicon's replacements, and "[[" / "]]" outside them split so that only
 * the lexicon's phoneme blocks are read as phonemes (see speak.c).
 */
static aloud_status spoken_plain(const char *text, size_t length, const char *lang,
                                 aloud_lexicon *lex, char **out)
{
    speak_buf replaced = {0};
    speak_buf b = {0};
    *out = NULL;
    if (lex) {
        if (!lexicon_apply(lex, text, length, &replaced)) {
            speak_buf_free(&replaced);
            return ALOUD_ERR_NOMEM;
        }
        text = replaced.data ? replaced.data : "";
        length = replaced.length;
    }
    bool ok = true;
    size_t k = 0;
    int web = speak_web_lang(lang);
    for (size_t i = 0; i < length && ok; i++) {
        while (k < replaced.kept_count && replaced.kept[k].end <= i)
            k++;
        bool kept = k < replaced.kept_count && replaced.kept[k].start <= i;
        if (web >= 0 && !kept && (i == 0 || strchr(" (\"'<[", text[i - 1]))) {
            /* An address stops short of a lexicon's replacement. */
            size_t limit = k < replaced.kept_count ? replaced.kept[k].start : length;
            size_t used = speak_web_address(web, text + i, limit - i, &b, &ok);
            if (used > 0) {
                i += used - 1;
                continue;
            }
        }
        ok = ok && speak_buf_append(&b, text + i, 1);
        if (ok && !kept && (text[i] == '[' || text[i] == ']') && i + 1 < length &&
            text[i + 1] == text[i])
            ok = speak_buf_append(&b, " ", 1);
    }
    ok = ok && speak_buf_append(&b, "", 1);
    speak_buf_free(&replaced);
    free(b.kept);
    if (!ok) {
        free(b.data);
        return ALOUD_ERR_NOMEM;
    }
    *out = b.data;
    return ALOUD_OK;
}

/* A character the engine guard dropped leaves its spaces behind: one space
 * between words again, none at the ends. */
static void spoken_tidy_spaces(char *s)
{
    size_t o = 0;
    for (size_t i = 0; s[i] != '\0'; i++) {
        if (s[i] == ' ' && (o == 0 || s[o - 1] == ' '))
            continue;
        s[o++] = s[i];
    }
    if (o > 0 && s[o - 1] == ' ')
        o--;
    s[o] = '\0';
}

/*
 * The spoken forms (speak.c) go into one block like the texts: all or
 * nothing, so a failure leaves the document and the lexicon's counts as
 * they were.
 */
aloud_status aloud_doc_speak(aloud_doc *doc, aloud_lexicon *lex, aloud_error *err)
{
    return aloud_doc_speak_with(doc, lex, NULL, NULL, err);
}

aloud_status aloud_doc_speak_with(aloud_doc *doc, aloud_lexicon *lex, const aloud_speak_opts *opts,
                                  aloud_speak_stats *stats, aloud_error *err)
{
    speak_opts so = {opts && opts->read_emoji};
    size_t counts[SPEAK_RULE_COUNT] = {0};
    /* The lexicons of other languages used, to commit with lex. */
    aloud_lexicon **others = NULL;
    size_t other_count = 0, other_cap = 0;
    char *block = NULL;
    size_t length = 0;
    size_t cap = 0;
    size_t *offsets;
    aloud_guard_note *notes = NULL;
    size_t note_count = 0, note_cap = 0;
    aloud_status st = ALOUD_OK;

    if (!doc)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no document");
    offsets = malloc((aloud_doc_sentence_count(doc) ? aloud_doc_sentence_count(doc) : 1) * sizeof *offsets);
    if (!offsets)
        st = ALOUD_ERR_NOMEM;
    size_t para = 0;
    for (size_t i = 0; st == ALOUD_OK && i < aloud_doc_sentence_count(doc); i++) {
        char *spoken, *safe;
        size_t n;
        guard_stats gs = {0, 0, 0, 0, 0};
        const aloud_sentence *sen = aloud_doc_sentence(doc, i);
        while (para + 1 < aloud_doc_paragraph_count(doc) &&
               aloud_doc_paragraph(doc, para + 1)->first_sentence <= i)
            para++;
        const aloud_paragraph *pp = aloud_doc_paragraph(doc, para);
        const char *lang = pp ? pp->lang : NULL;
        aloud_lexicon *plex = lex;
        if (lang && aloud_doc_lang(doc) && strcmp(lang, aloud_doc_lang(doc)) != 0) {
            plex = opts && opts->lexicon_for ? opts->lexicon_for(opts->lexicon_ctx, lang) : NULL;
            bool known = false;
            for (size_t k = 0; k < other_count && !known; k++)
                known = others[k] == plex;
            if (plex && !known) {
                if (!vec_reserve(&others, &other_cap, other_count + 1, sizeof *others, 4)) {
                    st = ALOUD_ERR_NOMEM;
                    break;
                }
                others[other_count++] = plex;
            }
        }
        if (spoken_rules_apply(lang))
            st = speak_sentence_with(sen->text, sen->length, plex, &so, counts, &spoken);
        else
            st = spoken_plain(sen->text, sen->length, lang, plex, &spoken);
        if (st != ALOUD_OK)
            break;
        /* The guard runs here as well as before espeak-ng itself, so that what it
         * changes shows in --speak-text and can be reported with a position. */
        safe = guard_text(spoken, strlen(spoken), &gs);
        free(spoken);
        if (!safe) {
            st = ALOUD_ERR_NOMEM;
            break;
        }
        if (gs.words_split || gs.digit_runs_split || gs.chars_dropped || gs.digits_replaced) {
            if (!vec_reserve(&notes, &note_cap, note_count + 1, sizeof *notes, 4)) {
                free(safe);
                st = ALOUD_ERR_NOMEM;
                break;
            }
            notes[note_count++] = (aloud_guard_note){i, gs.words_split, gs.digit_runs_split,
                                                     gs.chars_dropped, gs.digits_replaced};
        }
        if (gs.chars_dropped)
            spoken_tidy_spaces(safe);
        n = strlen(safe);
        if (n > SIZE_MAX - length - 1 || !vec_reserve(&block, &cap, length + n + 1, 1, 64)) {
            free(safe);
            st = ALOUD_ERR_NOMEM;
            break;
        }
        memcpy(block + length, safe, n + 1);
        offsets[i] = length;
        length += n + 1;
        free(safe);
    }
    lexicon_commit(lex, st == ALOUD_OK);
    for (size_t k = 0; k < other_count; k++)
        lexicon_commit(others[k], st == ALOUD_OK);
    free(others);
    if (st != ALOUD_OK) {
        free(block);
        free(offsets);
        free(notes);
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    }
    doc_set_spoken(doc, block, offsets, notes, note_count);
    free(offsets);
    for (size_t k = 0; stats && k < SPEAK_RULE_COUNT; k++)
        stats->count[k] += counts[k];
    return ALOUD_OK;
}
