/*
 * test_lang.c - languages: detection on real prose (a short paragraph per
 * language, from the articles in text/languages/ and written for this
 * test), its bounded cost, a document's paragraphs in another language,
 * the language gate of the spoken-text rules, and the espeak-ng voice for
 * a language and the language of a voice.
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
#include "lang_id.h"
#include "lexicon.h"
#include "testutil.h"

static const struct {
    const char *lang;
    const char *text;
} samples[] = {
    {"de", "Die Stadtwerke rechnen mit rund achtzehntausend Fahrgästen am Tag. Bisher fuhren auf "
           "derselben Strecke Busse, die im Berufsverkehr oft im Stau standen."},
    {"fr", "Le bâtiment, construit en pierre au début du siècle dernier, menaçait ruine. Il a "
           "fallu refaire la toiture et installer une cave d'affinage moderne."},
    {"ru", "Старый паром сняли с линии осенью: корпус проржавел, а двигатель выходил из строя "
           "почти каждую неделю. Новое судно построили на верфи."},
    {"zh", "这个村子海拔一千六百米，常年云雾缭绕，种茶的历史超过两百年。过去，村民把鲜叶卖给外地的"
           "收购商，价格很低。"},
    {"ja", "駅前の商店街では、週末になると朝から多くの人が集まり、地元の野菜や果物を買い求めていた。"},
    {"es", "El ayuntamiento aprobó ayer el nuevo plan de movilidad, que reduce el tráfico en el "
           "centro histórico y amplía los carriles para bicicletas."},
    {"it", "Il consiglio comunale ha approvato ieri il nuovo piano per la mobilità, che riduce il "
           "traffico nel centro storico della città."},
    {"pt", "A câmara municipal aprovou ontem o novo plano de mobilidade, que reduz o trânsito no "
           "centro histórico e alarga as ciclovias da cidade."},
    {"nl", "De gemeenteraad heeft gisteren het nieuwe verkeersplan goedgekeurd, dat het verkeer in "
           "het historische centrum flink moet verminderen."},
    {"pl", "Rada miasta zatwierdziła wczoraj nowy plan komunikacyjny, który ma ograniczyć ruch "
           "samochodów w zabytkowym centrum miasta."},
    {"en", "The city council approved the new transport plan yesterday, which is meant to cut "
           "traffic in the historic centre and widen the cycle lanes."},
};
#define SAMPLE_COUNT (sizeof samples / sizeof samples[0])

static void test_detects_each_language(void **state)
{
    (void)state;
    for (size_t i = 0; i < SAMPLE_COUNT; i++) {
        aloud_lang_guess g;
        aloud_lang_detect(samples[i].text, strlen(samples[i].text), &g);
        if (strcmp(g.lang, samples[i].lang) != 0 || !g.reliable)
            fail_msg("%s detected as '%s' (%d%%, %s)", samples[i].lang, g.lang, g.percent,
                     g.reliable ? "sure" : "not sure");
    }
}

static void test_unsure_text(void **state)
{
    (void)state;
    aloud_lang_guess g;
    const char *digits = "12 34 56 78 90 -- 1999.";
    aloud_lang_detect(digits, strlen(digits), &g);
    assert_false(g.reliable);
    const char *empty = "";
    aloud_lang_detect(empty, 0, &g);
    assert_string_equal(g.lang, "");
    assert_false(g.reliable);
}

/* Where CLD2 by default finds no language (figures and units), its best
 * effort names one, not sure on its own: here it even says English. On
 * text this short libexttextcat is not asked. */
static void test_best_effort_is_not_sure(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "Mide 12 km (7,5 millas) de largo, 3 km (1,9 millas) de ancho y 450 m (1.476 pies) de "
        "altura.",
        "Het meer is 12 km (7,5 mijl) lang, 3 km (1,9 mijl) breed en 45 m (148 voet) diep.",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        aloud_lang_guess g;
        aloud_lang_detect(texts[i], strlen(texts[i]), &g);
        if (g.lang[0] == '\0' || g.reliable)
            fail_msg("'%s': '%s' (%s), expected a best guess, not sure", texts[i], g.lang,
                     g.reliable ? "sure" : "not sure");
    }
}

/* Where CLD2 is not sure, libexttextcat's agreement makes the guess sure
 * (lang_confirm()), and its disagreement leaves it unsure. */
static void test_second_opinion(void **state)
{
    (void)state;
    aloud_lang_guess g;
    /* Names and figures: CLD2 finds no language, its best effort Dutch,
     * and so does libexttextcat. */
    const char *dutch = "Kees Bakker is de nieuwe kampioen dammen. De Groningse dammer versloeg in "
                        "de finale in Emmen de Rus Alexander Georgiev. Bakker won met 12 punten "
                        "uit 9 partijen (score 1,33).";
    aloud_lang_detect(dutch, strlen(dutch), &g);
    assert_string_equal(g.lang, "nl");
    assert_true(g.reliable);
    lang_detect(dutch, strlen(dutch), NULL, NULL, &g, NULL);
    assert_string_equal(g.lang, "nl");
    assert_false(g.reliable);
    /* Portuguese figures: CLD2's best effort says English, libexttextcat
     * Portuguese; nobody is sure. */
    const char *rates = "O euro e a libra fecharam respectivamente a 1,0825 e 0,8631 dólares face "
                        "aos 1,0791 e 0,8604 da sessão anterior.";
    aloud_lang_detect(rates, strlen(rates), &g);
    assert_string_equal(g.lang, "en");
    assert_false(g.reliable);
    /* Too short for a second opinion: both would say Serbian. */
    const char *short_ru = "Он не пришёл.";
    aloud_lang_detect(short_ru, strlen(short_ru), &g);
    assert_false(g.reliable);
}

/* espeak-ng 1.51 has no Galician voice. */
static int no_galician(void *ctx, const char *lang)
{
    (void)ctx;
    return strcmp(lang, "gl") != 0;
}

/* A language without a voice is no answer: Spanish that CLD2 narrowly
 * takes for Galician is Spanish, when asked again with Spanish and
 * Portuguese (voiced, and hard to tell from Galician) as hints; Galician
 * prose stays Galician, for the caller to say it has no voice. */
static void test_language_without_voice(void **state)
{
    (void)state;
    static const char spanish[] =
        "El grupo Hochtief compró la constructora en 2001 y su sede se mudó a Essen desde 2003.";
    static const char galician[] =
        "O Concello da Coruña aprobou onte o orzamento municipal para o vindeiro ano, que "
        "inclúe novas axudas para as familias e para o comercio local.";
    aloud_lang_guess g;
    lang_detect(spanish, strlen(spanish), NULL, NULL, &g, NULL);
    assert_string_equal(g.lang, "gl");
    lang_detect(spanish, strlen(spanish), no_galician, NULL, &g, NULL);
    assert_string_equal(g.lang, "es");
    assert_true(g.reliable);
    lang_detect(galician, strlen(galician), no_galician, NULL, &g, NULL);
    assert_string_equal(g.lang, "gl");
    assert_true(g.reliable);
}

/* A long text is judged by slices over all of it, not by its start alone,
 * and reads at most LANG_SLICES slices. */
static void test_long_text_is_sampled(void **state)
{
    (void)state;
    size_t de = strlen(samples[0].text), ru = strlen(samples[2].text);
    /* A short German opening, then a megabyte of Russian. */
    size_t size = de + 1 + ((size_t)1 << 20) / ru * (ru + 1);
    char *text = malloc(size + 1);
    tu_require(text);
    size_t at = 0;
    memcpy(text, samples[0].text, de);
    at = de;
    text[at++] = ' ';
    while (at + ru + 1 <= size) {
        memcpy(text + at, samples[2].text, ru);
        at += ru;
        text[at++] = ' ';
    }
    aloud_lang_guess g;
    aloud_lang_detect(text, at, &g);
    assert_string_equal(g.lang, "ru");
    assert_true(g.reliable);
    /* A text cut inside a character is read up to it. */
    aloud_lang_detect(text, at - 1, &g);
    assert_string_equal(g.lang, "ru");
    free(text);
}

static aloud_doc *parse(const char *text)
{
    aloud_doc *doc = NULL;
    assert_int_equal(aloud_doc_parse(text, strlen(text), &doc, NULL), ALOUD_OK);
    tu_require(doc);
    return doc;
}

/* A German document with a long French paragraph and a short one. */
static const char mixed[] =
    "Die Stadtwerke rechnen mit rund achtzehntausend Fahrgästen am Tag. Bisher fuhren auf "
    "derselben Strecke Busse, die im Berufsverkehr oft im Stau standen.\n\n"
    "Le bâtiment, construit en pierre au début du siècle dernier, menaçait ruine. Il a fallu "
    "refaire la toiture, changer les cuves et installer une cave d'affinage moderne.\n\n"
    "Merci beaucoup, à bientôt !\n\n"
    "Die Kosten lagen am Ende bei hundertzweiundvierzig Millionen Euro, etwa zwanzig Prozent "
    "über der ersten Schätzung. Den größten Teil tragen Bund und Land.\n";

static int no_french(void *ctx, const char *lang)
{
    (void)ctx;
    return strcmp(lang, "fr") != 0;
}

static aloud_lexicon *french_lexicon(void *ctx, const char *lang)
{
    return strcmp(lang, "fr") == 0 ? ctx : NULL;
}

static void test_paragraph_languages(void **state)
{
    (void)state;
    aloud_doc *doc = parse(mixed);
    aloud_lang_guess g;
    aloud_doc_detect_lang(doc, NULL, NULL, &g);
    assert_string_equal(g.lang, "de");
    assert_true(g.reliable);

    assert_int_equal(aloud_doc_set_lang(doc, "de", 1, NULL, NULL, NULL), ALOUD_OK);
    assert_string_equal(aloud_doc_lang(doc), "de");
    assert_string_equal(aloud_doc_paragraph(doc, 0)->lang, "de");
    assert_string_equal(aloud_doc_paragraph(doc, 1)->lang, "fr");
    /* Short: it keeps the document's language. */
    assert_string_equal(aloud_doc_paragraph(doc, 2)->lang, "de");
    assert_string_equal(aloud_doc_paragraph(doc, 3)->lang, "de");

    /* Without a voice for French, or without per-paragraph detection, German throughout. */
    assert_int_equal(aloud_doc_set_lang(doc, "de", 1, no_french, NULL, NULL), ALOUD_OK);
    assert_string_equal(aloud_doc_paragraph(doc, 1)->lang, "de");
    assert_int_equal(aloud_doc_set_lang(doc, "de", 0, NULL, NULL, NULL), ALOUD_OK);
    assert_string_equal(aloud_doc_paragraph(doc, 1)->lang, "de");
    /* A variety of the document's language is no other language. */
    assert_int_equal(aloud_doc_set_lang(doc, "fr-CH", 1, NULL, NULL, NULL), ALOUD_OK);
    assert_string_equal(aloud_doc_paragraph(doc, 1)->lang, "fr-CH");
    assert_string_equal(aloud_doc_paragraph(doc, 0)->lang, "de");
    aloud_doc_free(doc);
}

/* A paragraph given its own language is cut by that language's rules, keeps
 * that language, and takes that language's lexicon. */
static void test_paragraph_read_in_its_language(void **state)
{
    (void)state;
    static const char text[] =
        "Die Bahn fährt seit dem 5. Juli nach Kleinfeld. Sie ist voll.\n\n"
        "« Nous avons refait la toiture. » La présidente montre la cave. Selon M. Girard, "
        "tout est prêt.\n";
    const char *own[] = {NULL, "fr"};
    aloud_doc_opts o = {.lang = "de", .paragraph_langs = own, .paragraph_lang_count = 2};
    aloud_doc *doc = NULL;
    assert_int_equal(aloud_doc_parse_opts(text, sizeof text - 1, &o, &doc, NULL), ALOUD_OK);
    assert_string_equal(aloud_doc_lang(doc), "de");
    const aloud_paragraph *de = aloud_doc_paragraph(doc, 0), *fr = aloud_doc_paragraph(doc, 1);
    assert_string_equal(de->lang, "de");
    assert_int_equal(de->sentence_count, 2);
    assert_string_equal(fr->lang, "fr");
    assert_int_equal(fr->sentence_count, 3);
    assert_string_equal(aloud_doc_sentence(doc, fr->first_sentence)->text,
                        "« Nous avons refait la toiture. »");
    /* Its position in the input is kept: line 3, column 65 for "Selon". */
    assert_int_equal(aloud_doc_sentence(doc, fr->first_sentence + 2)->line, 3);
    assert_int_equal(aloud_doc_sentence(doc, fr->first_sentence + 2)->column, 65);

    /* Read as German throughout, the quotation is cut otherwise. */
    aloud_doc *as_de = NULL;
    aloud_doc_opts plain = {.lang = "de"};
    assert_int_equal(aloud_doc_parse_opts(text, sizeof text - 1, &plain, &as_de, NULL), ALOUD_OK);
    size_t first = aloud_doc_paragraph(as_de, 1)->first_sentence;
    assert_string_not_equal(aloud_doc_sentence(as_de, first)->text,
                            "« Nous avons refait la toiture. »");
    aloud_doc_free(as_de);

    /* Lexicons: the document's on German, lexicon_for's on French. */
    aloud_lexicon *lex_de = aloud_lexicon_create(), *lex_fr = aloud_lexicon_create();
    tu_require(lex_de);
    tu_require(lex_fr);
    static const char de_entries[] = "Kleinfeld = Klein Feld\nGirard = deutsch\n";
    static const char fr_entries[] = "Girard = Jirar\nKleinfeld = français\n";
    assert_int_equal(lexicon_parse(lex_de, "de.lex", de_entries, sizeof de_entries - 1, NULL),
                     ALOUD_OK);
    assert_int_equal(lexicon_parse(lex_fr, "fr.lex", fr_entries, sizeof fr_entries - 1, NULL),
                     ALOUD_OK);
    aloud_speak_opts so = {.lexicon_for = french_lexicon, .lexicon_ctx = lex_fr};
    assert_int_equal(aloud_doc_speak_with(doc, lex_de, &so, NULL, NULL), ALOUD_OK);
    assert_string_equal(aloud_doc_sentence(doc, 0)->spoken,
                        "Die Bahn fährt seit dem 5. Juli nach Klein Feld.");
    assert_string_equal(aloud_doc_sentence(doc, fr->first_sentence + 2)->spoken,
                        "Selon M. Jirar, tout est prêt.");
    aloud_lexicon_entry_info e;
    aloud_lexicon_entry(lex_fr, 0, &e);
    assert_int_equal(e.fired, 1);
    /* Without lexicon_for, a paragraph in another language gets none. */
    assert_int_equal(aloud_doc_speak(doc, lex_de, NULL), ALOUD_OK);
    assert_string_equal(aloud_doc_sentence(doc, fr->first_sentence + 2)->spoken,
                        "Selon M. Girard, tout est prêt.");
    aloud_lexicon_free(lex_de);
    aloud_lexicon_free(lex_fr);
    aloud_doc_free(doc);

    /* An empty code is refused. */
    const char *bad[] = {""};
    aloud_doc_opts b = {.lang = "de", .paragraph_langs = bad, .paragraph_lang_count = 1};
    assert_int_equal(aloud_doc_parse_opts(text, sizeof text - 1, &b, &doc, NULL), ALOUD_ERR_ARG);
    assert_null(doc);
}

/* The spoken form of sentence `i` of `text` read as `lang`. */
static char *spoken_as(const char *text, const char *lang, size_t i)
{
    aloud_doc *doc = parse(text);
    assert_int_equal(aloud_doc_set_lang(doc, lang, 0, NULL, NULL, NULL), ALOUD_OK);
    assert_int_equal(aloud_doc_speak(doc, NULL, NULL), ALOUD_OK);
    char *s = strdup(aloud_doc_sentence(doc, i)->spoken);
    tu_require(s);
    aloud_doc_free(doc);
    return s;
}

/* The English rules run on English only: other languages reach espeak-ng
 * as written, so no English word is added and capitals are not spelt. */
static void test_rules_are_english(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "Gebaut wurde in den Jahren 2021\xE2\x80\x93" "2024, meist nachts.",
        "Die erste Fahrt beginnt um 4:52 Uhr.",
        "Es kostet \xE2\x82\xAC" "25 im Monat.",
        "In großen Buchstaben stand dort: FAHRKARTE PFLICHT AB HIER.",
        "Rada miasta obraduje w SZCZECIN od rana.",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char *de = spoken_as(texts[i], "de", 0);
        char *en = spoken_as(texts[i], "en", 0);
        char *none = spoken_as(texts[i], "pl", 0);
        assert_string_equal(de, texts[i]);
        assert_string_equal(none, texts[i]);
        /* The same text read as English is changed by some rule: the gate
         * is what keeps it. */
        if (strcmp(en, texts[i]) == 0)
            fail_msg("no English rule changes '%s': the test shows nothing", texts[i]);
        free(de);
        free(en);
        free(none);
    }
    /* Literal "[[" is split in every language: only a lexicon's phonemes are phonemes. */
    char *de = spoken_as("Siehe [[Verweis]] hier.", "de", 0);
    assert_string_equal(de, "Siehe [ [Verweis] ] hier.");
    free(de);
}

static int setup(void **state)
{
    return tu_fixture_setup(state, "lang");
}

/* Web and e-mail addresses with the language's own words. */
static void test_web_addresses(void **state)
{
    (void)state;
    static const struct {
        const char *lang, *text, *spoken;
    } cases[] = {
        {"de", "Mehr unter www.stadtwerke-beispiel.de heute.",
         "Mehr unter stadtwerke-beispiel Punkt de heute."},
        {"de", "Schreiben Sie an service@stadtwerke-beispiel.de.",
         "Schreiben Sie an service@stadtwerke-beispiel Punkt de."},
        {"fr", "Voir https://www.fromagerie.fr/boutique/tommes?id=3, ou contact@fromagerie.fr !",
         "Voir fromagerie point fr, ou contact arobase fromagerie point fr !"},
        {"ru", "Пишите на parom@example.ru сегодня.",
         "Пишите на parom собака example точка ru сегодня."},
        {"it", "(www.comune.roma.it)", "(comune punto roma punto it)"},
        /* A bare domain, an abbreviation, a lone "www." or "@": left alone. */
        {"de", "Siehe beispiel.de und z.B. das.", "Siehe beispiel.de und z.B. das."},
        {"de", "Ein www. allein und ein @ allein.", "Ein www. allein und ein @ allein."},
        /* An empty label is no host (found by fuzz_doc: it left two spaces). */
        {"de", "An jane@mi..ru heute.", "An jane@mi..ru heute."},
        /* No words for Czech: as written. */
        {"cs", "Viz www.example.cz dnes.", "Viz www.example.cz dnes."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = spoken_as(cases[i].text, cases[i].lang, 0);
        if (strcmp(got, cases[i].spoken) != 0)
            fail_msg("%s: '%s' -> '%s', expected '%s'", cases[i].lang, cases[i].text, got,
                     cases[i].spoken);
        free(got);
    }
}

/* A lexicon applies in any language. */
static void test_lexicon_in_any_language(void **state)
{
    const tu_fixture *fx = *state;
    char path[4096];
    static const char entry[] = "Kleinfeld = Klein Feld\n";
    tu_path(fx, "de.lex", path, sizeof path);
    tu_write_bytes(path, entry, sizeof entry - 1);
    aloud_lexicon *lex = aloud_lexicon_create();
    tu_require(lex);
    assert_int_equal(aloud_lexicon_load(lex, path, NULL), ALOUD_OK);
    aloud_doc *doc = parse("Die Bahn fährt nach Kleinfeld [[x]].");
    assert_int_equal(aloud_doc_set_lang(doc, "de", 0, NULL, NULL, NULL), ALOUD_OK);
    assert_int_equal(aloud_doc_speak(doc, lex, NULL), ALOUD_OK);
    assert_string_equal(aloud_doc_sentence(doc, 0)->spoken, "Die Bahn fährt nach Klein Feld [ [x] ].");
    aloud_doc_free(doc);
    aloud_lexicon_free(lex);
}

static void test_voice_for_language(void **state)
{
    (void)state;
    static const struct {
        const char *lang, *voice;
    } cases[] = {
        {"de", "de"},       {"DE-at", "de"}, {"fr", "fr"},       {"pt", "pt"},
        {"pt-BR", "pt-BR"}, {"zh", "cmn"},   {"zh-Hant", "cmn"}, {"zh-HK", "yue"},
        {"no", "nb"},       {"ru", "ru"},    {"ja", "ja"},       {"en-GB", "en"},
    };
    char espeak[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(aloud_voice_for_lang(cases[i].lang, espeak, sizeof espeak, NULL),
                         ALOUD_OK);
        if (strcmp(espeak, cases[i].voice) != 0)
            fail_msg("%s: voice '%s', expected '%s'", cases[i].lang, espeak, cases[i].voice);
    }
    aloud_error err;
    assert_int_equal(aloud_voice_for_lang("tlh", espeak, sizeof espeak, &err), ALOUD_ERR_VOICE);
    assert_non_null(strstr(err.message, "no voice for the language 'tlh'"));
    assert_int_equal(aloud_voice_for_lang("de/../x", espeak, sizeof espeak, NULL),
                     ALOUD_ERR_VOICE);

    static const struct {
        const char *voice, *lang;
    } back[] = {
        {"en-us+Annie", "en-US"}, {"de", "de"}, {"cmn", "zh"}, {"pt-BR", "pt-BR"},
        {"fr-fr", "fr-FR"},       {"en-gb", "en-GB"},
    };
    for (size_t i = 0; i < sizeof back / sizeof back[0]; i++) {
        aloud_voice v;
        aloud_voice_defaults(&v);
        snprintf(v.espeak, sizeof v.espeak, "%s", back[i].voice);
        char lang[16];
        assert_int_equal(aloud_voice_lang(&v, lang, sizeof lang, NULL), ALOUD_OK);
        if (strcmp(lang, back[i].lang) != 0)
            fail_msg("%s: language '%s', expected '%s'", back[i].voice, lang, back[i].lang);
    }
}

static void test_limits(void **state)
{
    (void)state;
    assert_non_null(strstr(aloud_lang_limit("ja"), "Japanese"));
    assert_non_null(strstr(aloud_lang_limit("zh-Hant"), "Chinese"));
    assert_null(aloud_lang_limit("de"));
    assert_null(aloud_lang_limit("jav"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detects_each_language),
        cmocka_unit_test(test_unsure_text),
        cmocka_unit_test(test_best_effort_is_not_sure),
        cmocka_unit_test(test_second_opinion),
        cmocka_unit_test(test_language_without_voice),
        cmocka_unit_test(test_long_text_is_sampled),
        cmocka_unit_test(test_paragraph_languages),
        cmocka_unit_test(test_paragraph_read_in_its_language),
        cmocka_unit_test(test_rules_are_english),
        cmocka_unit_test(test_web_addresses),
        cmocka_unit_test_setup_teardown(test_lexicon_in_any_language, setup, tu_fixture_teardown),
        cmocka_unit_test(test_voice_for_language),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
