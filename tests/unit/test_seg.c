/* test_seg.c - the sentence segmenter: one group of cases per rule. */
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

/* The sentences of `text`, joined by " | ", in a static buffer. */
static const char *split_with(seg *s, const char *text)
{
    static char out[8192];
    const seg_span *spans;
    size_t count;
    size_t n = 0;

    assert_int_equal(seg_split(s, text, strlen(text), &spans, &count), ALOUD_OK);
    out[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        int w = snprintf(out + n, sizeof out - n, "%s%.*s", i ? " | " : "",
                         (int)(spans[i].end - spans[i].start), text + spans[i].start);
        assert_true(w >= 0 && (size_t)w < sizeof out - n);
        n += (size_t)w;
    }
    return out;
}

/* Splits with the built-in English rules. */
static const char *split(const char *text)
{
    seg *s;
    static char copy[8192];
    assert_int_equal(seg_create("en", SEG_DEFAULT_MAX_CHARS, &s, NULL), ALOUD_OK);
    snprintf(copy, sizeof copy, "%s", split_with(s, text));
    seg_free(s);
    return copy;
}

/* Splits with the rules of language `lang` (a BCP-47 code). */
static const char *split_lang(const char *lang, const char *text)
{
    seg *s;
    static char copy[8192];
    assert_int_equal(seg_create(lang, SEG_DEFAULT_MAX_CHARS, &s, NULL), ALOUD_OK);
    snprintf(copy, sizeof copy, "%s", split_with(s, text));
    seg_free(s);
    return copy;
}

static void test_end_marks(void **state)
{
    (void)state;
    assert_string_equal(split("Hello World. My name is Jonas."),
                        "Hello World. | My name is Jonas.");
    assert_string_equal(split("What is your name? My name is Jonas."),
                        "What is your name? | My name is Jonas.");
    assert_string_equal(split("There it is! I found it."), "There it is! | I found it.");
    /* Runs of marks stay with their sentence. */
    assert_string_equal(split("Hello!! Long time no see."), "Hello!! | Long time no see.");
    assert_string_equal(split("Hello?! Is that you?"), "Hello?! | Is that you?");
    assert_string_equal(split("Really\xE2\x80\xBD Yes."), "Really\xE2\x80\xBD | Yes.");
    /* A lower-case word after the mark continues the sentence. */
    assert_string_equal(split("She works at Yahoo! in the accounting department."),
                        "She works at Yahoo! in the accounting department.");
    assert_string_equal(split("It was late. then it rained."), "It was late. then it rained.");
    /* A clause mark never starts a sentence. */
    assert_string_equal(split("It said so. , and more."), "It said so. , and more.");
    /* The last sentence needs no mark; spaces around are trimmed. */
    assert_string_equal(split("  One. Two  "), "One. | Two");
    assert_string_equal(split("One.\tTwo.\nThree."), "One. | Two. | Three.");
}

static void test_titles_never_end(void **state)
{
    (void)state;
    assert_string_equal(split("Mr. Smith went to Washington. Dr. Jones stayed."),
                        "Mr. Smith went to Washington. | Dr. Jones stayed.");
    assert_string_equal(split("I can see Mt. Fuji from here."), "I can see Mt. Fuji from here.");
    assert_string_equal(split("St. Michael's Church is on 5th st. near the light."),
                        "St. Michael's Church is on 5th st. near the light.");
    /* Even before a starter word: "e.g." introduces what follows. */
    assert_string_equal(split("Use fruit, e.g. The apples we grew."),
                        "Use fruit, e.g. The apples we grew.");
    assert_string_equal(split("Ask Prof. Anna Lee. She knows."), "Ask Prof. Anna Lee. | She knows.");
}

static void test_abbreviations_before_starters(void **state)
{
    (void)state;
    assert_string_equal(split("They closed the deal with Pitt, Briggs & Co. at noon."),
                        "They closed the deal with Pitt, Briggs & Co. at noon.");
    assert_string_equal(split("They closed the deal with Pitt, Briggs & Co. It closed yesterday."),
                        "They closed the deal with Pitt, Briggs & Co. | It closed yesterday.");
    assert_string_equal(split("Let's ask Jane and co. They should know."),
                        "Let's ask Jane and co. | They should know.");
    /* Not a starter: a name goes on. */
    assert_string_equal(split("Shares of Acme Inc. Chief Executive Ann Roe rose."),
                        "Shares of Acme Inc. Chief Executive Ann Roe rose.");
    assert_string_equal(split("We met on Jan. 5 and again in Feb. The talks failed."),
                        "We met on Jan. 5 and again in Feb. | The talks failed.");
    assert_string_equal(split("That is JFK Jr.'s book."), "That is JFK Jr.'s book.");
}

static void test_dotted_letters(void **state)
{
    (void)state;
    assert_string_equal(split("I work for the U.S. Government in Virginia."),
                        "I work for the U.S. Government in Virginia.");
    assert_string_equal(split("I live in the U.S. How about you?"),
                        "I live in the U.S. | How about you?");
    assert_string_equal(split("I visited the U.S.A. last year."), "I visited the U.S.A. last year.");
    assert_string_equal(split("I live in the E.U. How about you?"),
                        "I live in the E.U. | How about you?");
    assert_string_equal(split("She has a Ph.D. in physics."), "She has a Ph.D. in physics.");
    /* Not listed anywhere, still an abbreviation by its shape. */
    assert_string_equal(split("Ask the Q.X.Z. Board today."), "Ask the Q.X.Z. Board today.");
}

static void test_initials(void **state)
{
    (void)state;
    assert_string_equal(split("My name is Jonas E. Smith."), "My name is Jonas E. Smith.");
    assert_string_equal(split("J. R. R. Tolkien wrote it. He was English."),
                        "J. R. R. Tolkien wrote it. | He was English.");
    assert_string_equal(split("We make a good team, you and I. Did you see Albert I. Jones yesterday?"),
                        "We make a good team, you and I. | Did you see Albert I. Jones yesterday?");
    /* A run of initials does not end before "A". */
    assert_string_equal(split("It is the U. A. E. team."), "It is the U. A. E. team.");
    assert_string_equal(split("Please turn to p. 55."), "Please turn to p. 55.");
}

static void test_numbers(void **state)
{
    (void)state;
    assert_string_equal(split("Pi is 3.14 or so. It never ends."), "Pi is 3.14 or so. | It never ends.");
    assert_string_equal(split("She has $100.00 in her bag."), "She has $100.00 in her bag.");
    assert_string_equal(split("She has $100.00. It is in her bag."),
                        "She has $100.00. | It is in her bag.");
    assert_string_equal(split("About 1.5m people came in 2019. 2020 was quieter."),
                        "About 1.5m people came in 2019. | 2020 was quieter.");
    assert_string_equal(split("You can find it at N\xC2\xB0. 1026.253.553. That is where it is."),
                        "You can find it at N\xC2\xB0. 1026.253.553. | That is where it is.");
    assert_string_equal(split("See No. 3 and Fig. 2 in Vol. 4. Then rest."),
                        "See No. 3 and Fig. 2 in Vol. 4. | Then rest.");
    /* "No." before a word is the word no. */
    assert_string_equal(split("He said No. Then he left."), "He said No. | Then he left.");
}

static void test_units_and_times(void **state)
{
    (void)state;
    assert_string_equal(
        split("At 5 a.m. Mr. Smith went to the bank. He left the bank at 6 P.M. Mr. Smith then "
              "went to the store."),
        "At 5 a.m. Mr. Smith went to the bank. | He left the bank at 6 P.M. | Mr. Smith then "
        "went to the store.");
    assert_string_equal(split("We meet at 9 a.m. on Monday."), "We meet at 9 a.m. on Monday.");
    assert_string_equal(split("Rome was founded in 753 B.C. Augustus came later."),
                        "Rome was founded in 753 B.C. | Augustus came later.");
    assert_string_equal(split("She weighed 5 lb. Tom was impressed."),
                        "She weighed 5 lb. | Tom was impressed.");
    assert_string_equal(split("It is 5 ft. 3 inches tall."), "It is 5 ft. 3 inches tall.");
}

static void test_ellipses(void **state)
{
    (void)state;
    assert_string_equal(split("I never meant that.... She left the store."),
                        "I never meant that.... | She left the store.");
    assert_string_equal(split("I thought... I would go."), "I thought... I would go.");
    assert_string_equal(split("Happy\xE2\x80\xA6 No one said so."),
                        "Happy\xE2\x80\xA6 | No one said so.");
    assert_string_equal(split("Happy . . . no one said so."), "Happy . . . no one said so.");
    assert_string_equal(split("Pausing... for... thought... should not?"),
                        "Pausing... for... thought... should not?");
    /* The spaced ellipsis belongs to the sentence it ends... */
    assert_string_equal(split("End with a period . . . . Next sentence."),
                        "End with a period . . . . | Next sentence.");
    /* ...but after a period it marks an omission at the start of the next. */
    assert_string_equal(split("It was compounds. . . . The practice stayed. . . ."),
                        "It was compounds. | . . . The practice stayed. . . .");
    assert_string_equal(split("Happy! . . . No one said so."), "Happy! . . . | No one said so.");
}

static void test_quotes_and_brackets(void **state)
{
    (void)state;
    assert_string_equal(
        split("a move the US condemned as \xE2\x80\x9Cprovocative.\xE2\x80\x9D But the US has not."),
        "a move the US condemned as \xE2\x80\x9Cprovocative.\xE2\x80\x9D | But the US has not.");
    assert_string_equal(split("She turned to him, \"This is great.\" she said."),
                        "She turned to him, \"This is great.\" she said.");
    assert_string_equal(split("She turned to him, 'This is great.' She held the book."),
                        "She turned to him, 'This is great.' | She held the book.");
    /* A quote that opens the next sentence. */
    assert_string_equal(split("He left. \"Why?\" she asked. \xE2\x80\x9CNo idea.\xE2\x80\x9D"),
                        "He left. | \"Why?\" she asked. | \xE2\x80\x9CNo idea.\xE2\x80\x9D");
    /* Standing alone, a straight quote closes only what is open. */
    assert_string_equal(split("He said , ' Stanley . ' Then he left ."),
                        "He said , ' Stanley . ' | Then he left .");
    assert_string_equal(split("Kokri is a singer . ' Blessings ' is his hit ."),
                        "Kokri is a singer . | ' Blessings ' is his hit .");
    /* Inside brackets. */
    assert_string_equal(
        split("He teaches science (He worked for 5 years as an engineer.) at the University."),
        "He teaches science (He worked for 5 years as an engineer.) at the University.");
    assert_string_equal(split("This function (see. Section 4.2) is important. Let's go."),
                        "This function (see. Section 4.2) is important. | Let's go.");
    assert_string_equal(split("\"Bohr [...] used the stairways [...]\" (Smith 55)."),
                        "\"Bohr [...] used the stairways [...]\" (Smith 55).");
    /* An unbalanced bracket does not hold sentences together. */
    assert_string_equal(split("Odd ( bracket. Then more."), "Odd ( bracket. | Then more.");
}

static void test_citations(void **state)
{
    (void)state;
    assert_string_equal(split("Hydrogen is a gas. [1] It is colorless."),
                        "Hydrogen is a gas. [1] | It is colorless.");
    assert_string_equal(split("He was a martyr.[1][2] The emperor ruled."),
                        "He was a martyr.[1][2] | The emperor ruled.");
    assert_string_equal(split("It is well known [2\xE2\x80\x93" "11]. Leaves are used."),
                        "It is well known [2\xE2\x80\x93" "11]. | Leaves are used.");
}

static void test_addresses(void **state)
{
    (void)state;
    assert_string_equal(split("Her email is Jane.Doe@example.com. I sent her an email."),
                        "Her email is Jane.Doe@example.com. | I sent her an email.");
    assert_string_equal(
        split("The site is: https://www.example.50.com/new-site/awesome_content.html. Please check it out."),
        "The site is: https://www.example.50.com/new-site/awesome_content.html. | Please check it out.");
    assert_string_equal(split("He edits Antiwar.com, follow him on Twitter."),
                        "He edits Antiwar.com, follow him on Twitter.");
    assert_string_equal(split("See www.Example.Org for more."), "See www.Example.Org for more.");
}

static void test_run_together(void **state)
{
    (void)state;
    assert_string_equal(
        split("Hello world.Today is Tuesday.Mr. Smith went to the store and bought 1,000.That is a lot."),
        "Hello world. | Today is Tuesday. | Mr. Smith went to the store and bought 1,000. | That is a lot.");
    /* Not inside abbreviations, chess moves or numbers. */
    assert_string_equal(split("Mr.Smith and the U.S.Army met."), "Mr.Smith and the U.S.Army met.");
    assert_string_equal(split("Then 7.Bg5 is the move."), "Then 7.Bg5 is the move.");
    assert_string_equal(split("It is consultation.11 12 Take care."), "It is consultation.11 12 Take care.");
}

static void test_lists(void **state)
{
    (void)state;
    assert_string_equal(split("1. The first item 2. The second item"),
                        "1. The first item | 2. The second item");
    assert_string_equal(split("1.) The first item. 2.) The second item."),
                        "1.) The first item. | 2.) The second item.");
    assert_string_equal(split("1) The first item 2) The second item 3) The third"),
                        "1) The first item | 2) The second item | 3) The third");
    assert_string_equal(split("a. The first item b. The second item c. The third list item"),
                        "a. The first item | b. The second item | c. The third list item");
    assert_string_equal(split("\xE2\x80\xA2 9. The first item \xE2\x80\xA2 10. The second item"),
                        "\xE2\x80\xA2 9. The first item | \xE2\x80\xA2 10. The second item");
    assert_string_equal(split("\xE2\x81\x83" "9. The first item \xE2\x81\x83" "10. The second item"),
                        "\xE2\x81\x83" "9. The first item | \xE2\x81\x83" "10. The second item");
    /* Out of sequence, or not opening the paragraph: no list. */
    assert_string_equal(split("1) The first item 3) The third item"),
                        "1) The first item 3) The third item");
    assert_string_equal(split("We need 2) more items 3) now"), "We need 2) more items 3) now");
}

static void test_wordless(void **state)
{
    (void)state;
    const seg_span *spans;
    size_t count;
    seg *s;
    assert_int_equal(seg_create(NULL, 100, &s, NULL), ALOUD_OK);
    assert_int_equal(seg_split(s, "   ", 3, &spans, &count), ALOUD_OK);
    assert_int_equal(count, 0);
    assert_int_equal(seg_split(s, "", 0, &spans, &count), ALOUD_OK);
    assert_int_equal(count, 0);
    /* Marks without words never make a sentence of their own. */
    assert_string_equal(split_with(s, "... !!! ?"), "... !!! ?");
    assert_string_equal(split_with(s, "Yes. !!! ... No."), "Yes. !!! ... | No.");
    assert_string_equal(split_with(s, "Done. . . ."), "Done. . . .");
    seg_free(s);
}

/* Checks that the spans of text cover every non-space byte in order, each at most max bytes. */
static void check_cover(const char *text, const seg_span *spans, size_t count, size_t max)
{
    size_t p = 0;
    for (size_t i = 0; i < count; i++) {
        assert_true(spans[i].end - spans[i].start <= max);
        assert_true(spans[i].end > spans[i].start);
        while (text[p] == ' ')
            p++;
        assert_int_equal(spans[i].start, p);
        assert_true(text[spans[i].end - 1] != ' ');
        p = spans[i].end;
    }
    while (text[p] == ' ')
        p++;
    assert_int_equal(text[p], '\0');
}

static void test_language_pick(void **state)
{
    (void)state;
    assert_string_equal(seg_lang_pick(NULL), "en");
    assert_string_equal(seg_lang_pick("de"), "de");
    assert_string_equal(seg_lang_pick("DE"), "de");
    assert_string_equal(seg_lang_pick("pt-BR"), "pt");
    assert_string_equal(seg_lang_pick("de_AT"), "de");
    assert_string_equal(seg_lang_pick("nl-BE"), "nl");
    assert_string_equal(seg_lang_pick("no"), "nb");
    assert_string_equal(seg_lang_pick("NO-x-test"), "nb");
    assert_null(seg_lang_pick("nob"));
    /* No data of their own: the shared rules alone. */
    assert_null(seg_lang_pick("zh-Hans"));
    assert_null(seg_lang_pick("tlh"));
    assert_null(seg_lang_pick(""));
    assert_string_equal(split_lang("zh", "Mr. Smith. He left."), "Mr. | Smith. | He left.");
}

/* Scripts written without spaces: full-width end marks and the danda. */
static void test_wide_end_marks(void **state)
{
    (void)state;
    assert_string_equal(split_lang("zh", "今天下雨。明天晴天！后天呢？"),
                        "今天下雨。 | 明天晴天！ | 后天呢？");
    /* Closing quotes and brackets stay with the sentence; “ opens the next. */
    assert_string_equal(split_lang("zh", "他说：“好。”然后走了。“对。”"),
                        "他说：“好。” | 然后走了。 | “对。”");
    assert_string_equal(split_lang("zh", "（注意。）下一句。"), "（注意。） | 下一句。");
    /* Inside 「」 an end mark ends no sentence. */
    assert_string_equal(split_lang("ja", "「おはよう。元気？」と彼は言った。次の日。"),
                        "「おはよう。元気？」と彼は言った。 | 次の日。");
    /* A digit may start the next sentence; "３．５" is a number. */
    assert_string_equal(split_lang("zh", "他来了。2008年他走了。"), "他来了。 | 2008年他走了。");
    assert_string_equal(split_lang("ja", "長さは３．５メートル。"), "長さは３．５メートル。");
    /* ASCII ! and ? between letters of a caseless script. */
    assert_string_equal(split_lang("ja", "すごい!次は行く?2008年だ。"),
                        "すごい! | 次は行く? | 2008年だ。");
    assert_string_equal(split_lang("en", "Press a!b to go."), "Press a!b to go.");
    /* A web address holds no full-width end mark, so one ends a sentence after it. */
    assert_string_equal(split_lang("ja", "SETI@homeを使った。次だ。"), "SETI@homeを使った。 | 次だ。");
    /* The Devanagari danda, with and without a space after it. */
    assert_string_equal(split_lang("hi", "यह अच्छा है। वह भी है।"), "यह अच्छा है। | वह भी है।");
    assert_string_equal(split_lang("hi", "यह है।वह भी।"), "यह है। | वह भी।");
}

/* German: ordinal numbers are written with a period. */
static void test_german(void **state)
{
    (void)state;
    assert_string_equal(split_lang("de", "Am 17. Dezember sind Wahlen. Es regnet."),
                        "Am 17. Dezember sind Wahlen. | Es regnet.");
    assert_string_equal(split_lang("de", "Sie dauert vom 2. Juli bis 13. August. Dann nicht."),
                        "Sie dauert vom 2. Juli bis 13. August. | Dann nicht.");
    assert_string_equal(split_lang("de", "Fassaden aus dem 18. Jahrhundert machen es schön."),
                        "Fassaden aus dem 18. Jahrhundert machen es schön.");
    /* A number ending a sentence, with no article or ordinal noun around it. */
    assert_string_equal(split_lang("de", "Es waren 18. Die Zahl stieg."),
                        "Es waren 18. | Die Zahl stieg.");
    assert_string_equal(split_lang("de", "Er kam am 5. Mai 2005. Die Feier war kurz."),
                        "Er kam am 5. Mai 2005. | Die Feier war kurz.");
    /* "Mio." is a number word before its noun (German capitalises nouns), a
     * sentence's end only before a word that starts one. */
    assert_string_equal(split_lang("de", "Die Stadt zahlt knapp 30 Mio. Euro. Das reicht."),
                        "Die Stadt zahlt knapp 30 Mio. Euro. | Das reicht.");
    assert_string_equal(split_lang("de", "Die Stadt zahlt 30 Mio. Die Bahn zahlt den Rest."),
                        "Die Stadt zahlt 30 Mio. | Die Bahn zahlt den Rest.");
    assert_string_equal(split_lang("de", "Äpfel, Birnen usw. Dann kam er."),
                        "Äpfel, Birnen usw. | Dann kam er.");
    assert_string_equal(split_lang("de", "Städte wie z.B. Berlin sind groß."),
                        "Städte wie z.B. Berlin sind groß.");
    assert_string_equal(split_lang("de", "St. Peter lädt ein. Prof. Huber kommt."),
                        "St. Peter lädt ein. | Prof. Huber kommt.");
    /* „…“ and »…«: the closing mark stays, the opening one starts the next. */
    assert_string_equal(split_lang("de", "„Er kommt.“ Sie nickte. »Gut.« Er ging."),
                        "„Er kommt.“ | Sie nickte. | »Gut.« | Er ging.");
    /* Without the language, the ordinal ends a sentence. */
    assert_string_equal(split_lang("en", "Am 17. Dezember sind Wahlen."),
                        "Am 17. | Dezember sind Wahlen.");
}

static void test_romance(void **state)
{
    (void)state;
    /* French guillemets: « opens, » closes. */
    assert_string_equal(split_lang("fr", "Il dit non. « Tu es las ? » Il partit."),
                        "Il dit non. | « Tu es las ? » | Il partit.");
    assert_string_equal(split_lang("fr", "Il fut dédié en 493 av. J.-C. par Spurius."),
                        "Il fut dédié en 493 av. J.-C. par Spurius.");
    assert_string_equal(split_lang("fr", "Des pommes, des poires, etc. Ensuite il partit."),
                        "Des pommes, des poires, etc. | Ensuite il partit.");
    assert_string_equal(split_lang("fr", "M. Dupont arrive. Mme Durand aussi."),
                        "M. Dupont arrive. | Mme Durand aussi.");
    /* A straight quote that closes a quotation opened before the paragraph. */
    assert_string_equal(split_lang("fr", "Tu es une bête ! \" Les serveurs sont là."),
                        "Tu es une bête ! \" | Les serveurs sont là.");
    assert_string_equal(split_lang("fr", "Il part. \" Je reste \", dit-elle."),
                        "Il part. | \" Je reste \", dit-elle.");
    assert_string_equal(split_lang("es", "Era de 7,63 hab. / km². También hubo más."),
                        "Era de 7,63 hab. / km². | También hubo más.");
    assert_string_equal(split_lang("es", "Lo dice su Artículo V. Algunas veces no."),
                        "Lo dice su Artículo V. | Algunas veces no.");
    assert_string_equal(split_lang("es", "¿Qué pasa? ¡Nada! El Sr. Pérez ríe."),
                        "¿Qué pasa? | ¡Nada! | El Sr. Pérez ríe.");
    assert_string_equal(split_lang("pt", "Com «public affairs» q.b. Gosto disto."),
                        "Com «public affairs» q.b. | Gosto disto.");
    assert_string_equal(split_lang("pt-BR", "Klein, Saura, etc. Tendo-se tornado difícil."),
                        "Klein, Saura, etc. | Tendo-se tornado difícil.");
    assert_string_equal(split_lang("it", "Il Sig. Rossi e il Dott. Bianchi, ecc. Poi basta."),
                        "Il Sig. Rossi e il Dott. Bianchi, ecc. | Poi basta.");
}

static void test_dutch(void **state)
{
    (void)state;
    /* ,, opens a quotation and '' closes it, spaced or not. */
    assert_string_equal(split_lang("nl", "Hij wilde niets weten. ,, Het paard gaf alles. '' Daarna ging hij."),
                        "Hij wilde niets weten. | ,, Het paard gaf alles. '' | Daarna ging hij.");
    assert_string_equal(split_lang("nl", "Dat amuseerde Koerts. ,,Ik denk het.'' Zo was het."),
                        "Dat amuseerde Koerts. | ,,Ik denk het.'' | Zo was het.");
    assert_string_equal(split_lang("nl", "Hij sprak met dr. Jansen. Die knikte."),
                        "Hij sprak met dr. Jansen. | Die knikte.");
    assert_string_equal(split_lang("nl", "Appels, peren enz. Daarna niets."),
                        "Appels, peren enz. | Daarna niets.");
}

static void test_polish_and_russian(void **state)
{
    (void)state;
    /* A dialogue dash: the word after it says whether a sentence starts. */
    assert_string_equal(split_lang("pl", "Kiedy to się skończy... - Kiedyś lubiłeś... - Tak."),
                        "Kiedy to się skończy... | - Kiedyś lubiłeś... | - Tak.");
    assert_string_equal(split_lang("pl", "– Co? – zapytał. – Nic."), "– Co? – zapytał. | – Nic.");
    assert_string_equal(split_lang("pl", "Pękła rura w ul. Matejki w Goleniowie. – Płaciłem."),
                        "Pękła rura w ul. Matejki w Goleniowie. | – Płaciłem.");
    assert_string_equal(split_lang("pl", "Psy, koty itd. Potem ptaki."), "Psy, koty itd. | Potem ptaki.");
    assert_string_equal(split_lang("pl", "Przyszedł np. Jan. Potem Ewa."), "Przyszedł np. Jan. | Potem Ewa.");
    assert_string_equal(split_lang("ru", "Рабы, воины и т. п. Состоянием на 1919 год."),
                        "Рабы, воины и т. п. | Состоянием на 1919 год.");
    assert_string_equal(split_lang("ru", "Плотность 13 чел. / км2. Население растёт."),
                        "Плотность 13 чел. / км2. | Население растёт.");
    assert_string_equal(split_lang("ru", "Население 798 человек (2008 г.), плотность мала."),
                        "Население 798 человек (2008 г.), плотность мала.");
    assert_string_equal(split_lang("ru", "Музыканты Стив Роуч и др. Это было давно."),
                        "Музыканты Стив Роуч и др. | Это было давно.");
}

/* Czech and the Scandinavian languages: ordinals with a period, months in lower case. */
static void test_czech_and_scandinavian(void **state)
{
    (void)state;
    assert_string_equal(split_lang("cs", "Přišel např. Jan. Pak Eva, atd. Potom nic."),
                        "Přišel např. Jan. | Pak Eva, atd. | Potom nic.");
    assert_string_equal(split_lang("cs", "Narodil se 5. května 1900 v Praze."),
                        "Narodil se 5. května 1900 v Praze.");
    assert_string_equal(split_lang("da", "Det var den 5. juni osv. Så gik han."),
                        "Det var den 5. juni osv. | Så gik han.");
    assert_string_equal(split_lang("sv", "Det var t.ex. Anna. Hon kom kl. 5 osv. Sedan inget."),
                        "Det var t.ex. Anna. | Hon kom kl. 5 osv. | Sedan inget.");
    assert_string_equal(split_lang("nb-NO", "Han kom 5. juni, f.eks. i går. Så gikk han."),
                        "Han kom 5. juni, f.eks. i går. | Så gikk han.");
}

/* Informal English: chat, e-mail, comments. */
static void test_informal(void **state)
{
    (void)state;
    assert_string_equal(split("i'm out. back monday."), "i'm out. | back monday.");
    assert_string_equal(split("are you kidding? why would you want that?"),
                        "are you kidding? | why would you want that?");
    assert_string_equal(split("Call me later. i am going out."), "Call me later. | i am going out.");
    /* Careful writing keeps a lower-case word after a period in the sentence. */
    assert_string_equal(split("It was late. then it rained."), "It was late. then it rained.");
    /* But an abbreviation is no end, informal or not. */
    assert_string_equal(split("i like apples, pears etc. and more."), "i like apples, pears etc. and more.");
    /* Two periods, or four and more, are a pause in informal writing... */
    assert_string_equal(split("The place is the best.. Italian music!?"),
                        "The place is the best.. Italian music!?");
    /* ...and an ellipsis before "I" ends a sentence unless the clause is unfinished. */
    assert_string_equal(split("I'm tired... I'm off."), "I'm tired... | I'm off.");
    assert_string_equal(split("I thought... I would go."), "I thought... I would go.");
    /* Names written with "!". */
    assert_string_equal(split("She works at Yahoo! in the accounting department."),
                        "She works at Yahoo! in the accounting department.");
    assert_string_equal(split("I work at Yahoo! It is great."), "I work at Yahoo! | It is great.");
    /* A quoted exclamation before its speaker. */
    assert_string_equal(split("'Great!' Anna said. She left."), "'Great!' Anna said. | She left.");
    assert_string_equal(split("\"Why?\" Tom Smith asked."), "\"Why?\" Tom Smith asked.");
    assert_string_equal(split("\"Great!\" The crowd roared."), "\"Great!\" | The crowd roared.");
    /* Greetings, closings and links on lines of their own. */
    assert_string_equal(split("Hi, Yes it is still there."), "Hi, | Yes it is still there.");
    assert_string_equal(split("Thanks for your time. Warm regards, Bill Gottlieb"),
                        "Thanks for your time. | Warm regards, | Bill Gottlieb");
    assert_string_equal(split("Hi, my name is Bob."), "Hi, my name is Bob.");
    assert_string_equal(split("http://example.org/ try this one."),
                        "http://example.org/ | try this one.");
    assert_string_equal(split("It is very nice. www.example.org"),
                        "It is very nice. | www.example.org");
    assert_string_equal(split("www.example.org is a site."), "www.example.org is a site.");
}

static void test_length_cap(void **state)
{
    (void)state;
    seg *s;
    const seg_span *spans;
    size_t count;
    char *text = malloc(200001);
    assert_non_null(text);
    assert_int_equal(seg_create("en", 64, &s, NULL), ALOUD_OK);

    /* No punctuation at all: cut at spaces, every piece near the cap. */
    for (size_t i = 0; i < 200000; i++)
        text[i] = i % 6 == 5 ? ' ' : 'w';
    text[200000] = '\0';
    assert_int_equal(seg_split(s, text, 200000, &spans, &count), ALOUD_OK);
    check_cover(text, spans, count, 64);
    assert_true(count >= 200000 / 64 && count <= 200000 / 48 + 1);

    /* Clause marks win over plain spaces. */
    assert_string_equal(split_with(s, "alpha beta gamma delta; epsilon zeta eta theta iota kappa lambda mu nu xi"),
                        "alpha beta gamma delta; | epsilon zeta eta theta iota kappa lambda mu nu xi");
    assert_string_equal(split_with(s, "alpha beta gamma delta, epsilon zeta eta theta iota kappa lambda mu nu xi"),
                        "alpha beta gamma delta, | epsilon zeta eta theta iota kappa lambda mu nu xi");
    assert_string_equal(split_with(s, "alpha beta gamma delta\xE2\x80\x94" "epsilon zeta eta theta iota kappa lambda mu"),
                        "alpha beta gamma delta\xE2\x80\x94 | epsilon zeta eta theta iota kappa lambda mu");
    /* "3:00" and "1,000" are no clause marks. */
    assert_string_equal(split_with(s, "aaaaaaaaaaaaaaaaaaaaaaaaaa 3:00 1,000 bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"),
                        "aaaaaaaaaaaaaaaaaaaaaaaaaa 3:00 1,000 | bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");

    /* One huge word of two-byte characters: cut between characters, 64 to a piece. */
    for (size_t i = 0; i < 1000; i += 2)
        memcpy(text + i, "\xC3\xA9", 2);
    assert_int_equal(seg_split(s, text, 1000, &spans, &count), ALOUD_OK);
    assert_int_equal(count, 500 / 64 + 1);
    for (size_t i = 0; i < count; i++) {
        assert_int_equal(spans[i].start % 2, 0);
        assert_int_equal(spans[i].end % 2, 0);
        assert_int_equal(spans[i].end - spans[i].start, i + 1 < count ? 128 : 1000 % 128);
    }
    /* Three-byte CJK characters: cut after a full-width comma, never inside a character. */
    {
        size_t n = 0;
        for (size_t i = 0; i < 50; i++, n += 3)
            memcpy(text + n, "\xE5\xAD\x97", 3);  /* 字 */
        memcpy(text + n, "\xEF\xBC\x8C", 3);  /* ， */
        n += 3;
        for (size_t i = 0; i < 50; i++, n += 3)
            memcpy(text + n, "\xE5\xAD\x97", 3);
        assert_int_equal(seg_split(s, text, n, &spans, &count), ALOUD_OK);
        assert_int_equal(count, 2);
        assert_int_equal(spans[0].end, 51 * 3);
        assert_int_equal(spans[1].start, 51 * 3);
        assert_int_equal(spans[1].end, n);
    }
    seg_free(s);
    free(text);
}

static void test_rules_format(void **state)
{
    (void)state;
    seg *s;
    aloud_error err;
    const char rules[] = "# comment\n\n  # indented comment\ntitle Foo\nabbrev bar\n"
                         "starter Then\r\ncontinuer Me\nunfinished wait\n";
    assert_int_equal(seg_create_from_rules(rules, sizeof rules - 1, 600, &s, &err), ALOUD_OK);
    assert_string_equal(split_with(s, "Ask Foo. Bar knows."), "Ask Foo. Bar knows.");
    /* Lower-case entries match capitalised words too. */
    assert_string_equal(split_with(s, "Ask the Bar. Bob knows."), "Ask the Bar. Bob knows.");
    assert_string_equal(split_with(s, "Ask the Bar. Then go."), "Ask the Bar. | Then go.");
    /* Other entries match only as written. */
    assert_string_equal(split_with(s, "Ask foo. Bob knows."), "Ask foo. | Bob knows.");
    assert_string_equal(split_with(s, "Wait... Me too."), "Wait... Me too.");
    seg_free(s);

    assert_int_equal(seg_create_from_rules("title A\n  bogus B\n", 18, 600, &s, &err), ALOUD_ERR_ARG);
    assert_null(s);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.column, 3);
    assert_string_equal(err.message, "unknown kind \"bogus\"");

    char long_rule[128] = "abbrev ";
    memset(long_rule + 7, 'x', 64);
    assert_int_equal(seg_create_from_rules(long_rule, strlen(long_rule), 600, &s, &err),
                     ALOUD_ERR_ARG);
    assert_int_equal(err.line, 1);
    assert_int_equal(err.column, 8);

    /* A language without data of its own gets the shared rules, no words. */
    assert_int_equal(seg_create("xx", 600, &s, &err), ALOUD_OK);
    assert_string_equal(split_with(s, "Ask Mr. Bob. He knows."), "Ask Mr. | Bob. | He knows.");
    seg_free(s);
    seg_free(NULL);
}

static void test_embedded_data(void **state)
{
    (void)state;
    bool found = false;
    for (size_t i = 0; i < seg_lang_table_count; i++) {
        if (strcmp(seg_lang_table[i].name, "en") == 0) {
            found = true;
            assert_int_equal(strlen(seg_lang_table[i].rules), seg_lang_table[i].size);
            assert_non_null(strstr(seg_lang_table[i].rules, "\ntitle Mr "));
        }
    }
    assert_true(found);
}

/* Word endings ("-str") and abbreviations written with spaces ("z. B."). */
static void test_endings_and_spaced(void **state)
{
    (void)state;
    seg *s;
    aloud_error err;
    const char rules[] = "abbrev -str\ntitle z.B\nfinal u.Ä\nunit v.Chr mill kr\nstarter Er Dort\n";
    assert_int_equal(seg_create_from_rules(rules, sizeof rules - 1, 600, &s, &err), ALOUD_OK);
    /* A capitalised word ending in "str" is an abbreviation: no end before a
     * number or a word that is not a starter, an end before a starter. */
    assert_string_equal(split_with(s, "In der Hauptstr. 5 wohnt Anna."),
                        "In der Hauptstr. 5 wohnt Anna.");
    assert_string_equal(split_with(s, "In der Karl-Marx-Str. 5 wohnt Anna."),
                        "In der Karl-Marx-Str. 5 wohnt Anna.");
    assert_string_equal(split_with(s, "Sie wohnt in der Bahnhofstr. Dort ist es laut."),
                        "Sie wohnt in der Bahnhofstr. | Dort ist es laut.");
    /* Not a lower-case word, not the ending alone, not after a hyphen in lower case. */
    assert_string_equal(split_with(s, "Das ist ein wort mit str. 5 Leute kamen."),
                        "Das ist ein wort mit str. | 5 Leute kamen.");
    assert_string_equal(split_with(s, "Wir sahen Abcstr. Anna kam."), "Wir sahen Abcstr. Anna kam.");
    assert_string_equal(split_with(s, "Wir sahen Abstr. Anna kam."), "Wir sahen Abstr. | Anna kam.");
    assert_string_equal(split_with(s, "Wir sahen Karl-str. Anna kam."),
                        "Wir sahen Karl-str. | Anna kam.");
    /* Spaced forms take the kinds of the joined form. */
    assert_string_equal(split_with(s, "Tiere, z. B. Hunde, schlafen. Er nicht."),
                        "Tiere, z. B. Hunde, schlafen. | Er nicht.");
    assert_string_equal(split_with(s, "Tische, Stühle u. Ä. Anna kam."),
                        "Tische, Stühle u. Ä. | Anna kam.");
    assert_string_equal(split_with(s, "Rom entstand 753 v. Chr. Romulus war es."),
                        "Rom entstand 753 v. Chr. | Romulus war es.");
    /* A unit after a number and another unit ends a sentence as after a number. */
    assert_string_equal(split_with(s, "Det kostet 5 mill. kr. Pengene kom."),
                        "Det kostet 5 mill. kr. | Pengene kom.");
    assert_string_equal(split_with(s, "Det kostet mange kr. Pengene kom."),
                        "Det kostet mange kr. Pengene kom.");
    /* Unlisted runs keep the rules of single letters. */
    assert_string_equal(split_with(s, "Es war J. R. R. Tolkien."), "Es war J. R. R. Tolkien.");
    assert_string_equal(split_with(s, "Sie sagte z. B. Er kommt."), "Sie sagte z. B. Er kommt.");
    assert_string_equal(split_with(s, "Sie sagte x. B. Er kommt."), "Sie sagte x. B. | Er kommt.");
    seg_free(s);

    /* Endings count against their own limit. */
    char many[512] = "";
    for (int i = 0; i < 13; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "abbrev -e%c\n", 'a' + i);
    assert_int_equal(seg_create_from_rules(many, strlen(many), 600, &s, &err), ALOUD_ERR_ARG);
    assert_int_equal(err.line, 13);
    assert_string_equal(err.message, "more than 12 word endings");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_end_marks),
        cmocka_unit_test(test_titles_never_end),
        cmocka_unit_test(test_abbreviations_before_starters),
        cmocka_unit_test(test_dotted_letters),
        cmocka_unit_test(test_initials),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_units_and_times),
        cmocka_unit_test(test_ellipses),
        cmocka_unit_test(test_quotes_and_brackets),
        cmocka_unit_test(test_citations),
        cmocka_unit_test(test_addresses),
        cmocka_unit_test(test_run_together),
        cmocka_unit_test(test_lists),
        cmocka_unit_test(test_wordless),
        cmocka_unit_test(test_length_cap),
        cmocka_unit_test(test_rules_format),
        cmocka_unit_test(test_embedded_data),
        cmocka_unit_test(test_language_pick),
        cmocka_unit_test(test_wide_end_marks),
        cmocka_unit_test(test_german),
        cmocka_unit_test(test_romance),
        cmocka_unit_test(test_dutch),
        cmocka_unit_test(test_polish_and_russian),
        cmocka_unit_test(test_czech_and_scandinavian),
        cmocka_unit_test(test_informal),
        cmocka_unit_test(test_endings_and_spaced),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
