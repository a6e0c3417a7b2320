/*
 * test_speak_abbrev.c - the abbreviation, unit, Roman numeral and
 * not-speech stage (speak_abbrev.c), through speak_sentence and on its own:
 * exact outputs, the cases each rule must leave alone, and, where espeak-ng
 * is installed, what espeak-ng makes of the text before and after.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "aloud.h"
#include "speak.h"
#include "speak_abbrev.h"
#include "speak_buf.h"
#include "testutil.h"

/* The spoken form of `text` (no lexicon), in a static buffer. */
static const char *spoken(const char *text)
{
    return tu_spoken(text, NULL);
}

static void assert_unchanged(const char *text)
{
    assert_string_equal(spoken(text), text);
}

static void test_titles_and_streets(void **state)
{
    (void)state;
    assert_string_equal(spoken("Dr. Smith came."), "Doctor Smith came.");
    assert_string_equal(spoken("Prof. Jones met Lt. Dan and Gen. J. Lee."),
                        "Professor Jones met Lieutenant Dan and General J Lee.");
    assert_string_equal(spoken("\xE2\x80\x9CI came early,\xE2\x80\x9D said Mr. Alan Pryce."),
                        "\xE2\x80\x9CI came early,\xE2\x80\x9D said Mister Alan Pryce.");
    assert_string_equal(spoken("Mrs. Norris and Ms. Lee"), "Mrs Norris and Miz Lee");
    assert_string_equal(spoken("John Smith Jr. said"), "John Smith Junior said");
    assert_string_equal(spoken("in St. Louis"), "in Saint Louis");
    assert_string_equal(spoken("She lives on Elm St. now"), "She lives on Elm Street now");
    assert_string_equal(spoken("She lives on Elm St."), "She lives on Elm Street.");
    assert_string_equal(spoken("at 1428 Elm St. It was late."), "at 14 28 Elm Street. It was late.");
    assert_string_equal(spoken("123 Laguna Ct and 708 N 1st St"), "1 23 Laguna Court and 7 oh 8 N 1st Street");
    assert_string_equal(spoken("a house on Abbey Rd. and 5th Ave."),
                        "a house on Abbey Road and 5th Avenue.");
    assert_string_equal(spoken("123 Smth St, City"), "1 23 Smth Street, City");
    assert_string_equal(spoken("2788 San Tomas Expy, Santa Clara"),
                        "27 88 San Tomas Expressway, Santa Clara");
    /* Left alone: a title at the end, "St." with no name, street words with no address. */
    assert_unchanged("He called the Dr.");
    assert_unchanged("the St. is closed");
    assert_unchanged("Elm St is closed");
    assert_unchanged("He met Dr Smith.");
    assert_unchanged("Polls opened at 7 a.m. and the first voters were waiting.");
    assert_unchanged("About half of that comes from a U.S. heritage grant, e.g. by a turbine.");
    assert_unchanged("He lives in Washington D.C.");
}

static void test_references(void **state)
{
    (void)state;
    assert_string_equal(spoken("See p. 5 and pp. 10 to 12."), "See page 5 and pages 10 to 12.");
    assert_string_equal(spoken("in Vol. 3, No. 4, Fig. 2"), "in Volume 3, number 4, Figure 2");
    assert_string_equal(spoken("a firm est. 1901"), "a firm established 1901");
    assert_string_equal(spoken("cf. the report, red vs. blue"),
                        "compare the report, red versus blue");
    /* Not before a number: left to espeak-ng. */
    assert_unchanged("I said no. Then");
    assert_unchanged("the p. value");
}

static void test_units(void **state)
{
    (void)state;
    assert_string_equal(spoken("12kg"), "12 kilograms");
    assert_string_equal(spoken("12KG"), "12 kilograms");
    assert_string_equal(spoken("1 kg of flour"), "1 kilogram of flour");
    assert_string_equal(spoken("a 5 km run at 10 km/h."),
                        "a 5 kilometers run at 10 kilometers per hour.");
    assert_string_equal(spoken("It was 20\xC2\xB0" "C, then 1\xC2\xB0" "C."),
                        "It was 20 degrees Celsius, then 1 degree Celsius.");
    assert_string_equal(spoken("3 mbps"), "3 megabits per second");
    assert_string_equal(spoken("12kg/kg"), "12 kilograms per kilogram");
    assert_string_equal(spoken("12/kg"), "12 per kilogram");
    assert_string_equal(spoken("100 million kg"), "100 million kilograms");
    assert_string_equal(spoken("10 \xC2\xB5m wide"), "10 micrometers wide");
    assert_string_equal(spoken("a 5bn deal"), "a 5 billion deal");
    assert_string_equal(spoken("41,459.00 km\xC2\xB3"),
                        "forty-one thousand four hundred and fifty-nine point 0 0 cubic kilometers");
    /* Months and weekdays: a weekday only before a comma, a date or a month. */
    assert_string_equal(spoken("on Mon., Jan. 5 and Thurs. Oct. 2"), "on Monday, January 5th and Thursday October 2nd");
    assert_string_equal(spoken("in Jan. and Feb. prices rose in Sept."), "in January and February prices rose in September.");
    assert_string_equal(spoken("the Sun. is a paper"), "the Sun. is a paper");
    /* Trademark signs after a name are not read. */
    assert_string_equal(spoken("Acme\xE2\x84\xA2 and Apple\xC2\xAE, \xC2\xAE alone"), "Acme and Apple, \xC2\xAE alone");
    assert_string_equal(spoken("2 lb. of flour and 5 lb."), "2 pounds of flour and 5 pounds.");
    assert_string_equal(spoken("2-5lb"), "2 to 5 pounds");
    assert_string_equal(spoken("a 2x8 m2 room"), "a 2 by 8 square meters room");
    assert_string_equal(spoken("a 2x8 beam"), "a 2x8 beam");
    /* Left alone: "m" and "in" after a number, a letter alone, units with no number. */
    assert_unchanged("5 m");
    assert_unchanged("at 5 in the morning");
    assert_unchanged("the m is silent");
    assert_unchanged("km and kg");
    assert_unchanged("a 5k run and a 2B pencil");
    assert_unchanged("the US and the UK");
    /* Money stays with the currency rule. */
    assert_string_equal(spoken("$5bn"), "5 billion dollars");
}

static void test_roman(void **state)
{
    (void)state;
    assert_string_equal(spoken("Henry VIII and Louis XIV met Elizabeth II."),
                        "Henry the Eighth and Louis the Fourteenth met Elizabeth the Second.");
    assert_string_equal(spoken("Henry V"), "Henry the Fifth");
    assert_string_equal(spoken("after World War II and World War I"),
                        "after World War 2 and World War 1");
    assert_string_equal(spoken("Chapter IV"), "Chapter 4");
    assert_string_equal(spoken("PART XL"), "PART 40");
    assert_string_equal(spoken("Super Bowl LIV"), "Super Bowl 54");
    /* Left alone: the pronoun, letters, names that are not regnal. */
    assert_unchanged("Sam and I");
    assert_unchanged("I told Henry I would come.");
    assert_unchanged("Plan B and Class C");
    assert_unchanged("Malcolm X spoke.");
    assert_unchanged("Final Fantasy VII");
    assert_unchanged("in part I think so");
    assert_unchanged("MIX IT");
}

static void test_not_speech(void **state)
{
    (void)state;
    assert_string_equal(spoken("He said[6] that it was true.[12][13]"),
                        "He said that it was true.");
    assert_string_equal(spoken("It was true [citation needed] and clear [a]."),
                        "It was true and clear.");
    assert_string_equal(spoken("Great \xF0\x9F\x98\x80 news \xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD!"),
                        "Great news!");
    assert_string_equal(spoken("a **bold** and `code` word"), "a bold and code word");
    assert_string_equal(spoken("an *emphasised* word*"), "an emphasised word");
    assert_string_equal(spoken("## Heading here"), "Heading here");
    assert_string_equal(spoken("as he said.\xC2\xB9 Then"), "as he said. Then");
    /* Left alone: brackets with words, sums, snake case, superscripts in maths. */
    assert_unchanged("a [note] here");
    assert_unchanged("3 * 4 and snake_case and 2**3");
    assert_unchanged("E = mc\xC2\xB2");
    assert_string_equal(spoken("the #1 song"), "the number 1 song"); /* speak.c's hashtags */
    assert_string_equal(spoken("see [[wiki link]] here"), "see [ [wiki link] ] here");
    assert_string_equal(spoken("[[[x]]]"), "[ [ [x] ] ]");
}

/* Spans kept on input (a lexicon's) are copied as they are and stay kept. */
static void test_kept_spans(void **state)
{
    static const char text[] = "Dr. [[sm'IT]] and Dr. Jones";
    speak_span kept = {4, 13};
    speak_buf out = {0};
    (void)state;
    assert_true(speak_abbrev_apply(text, strlen(text), &kept, 1, false, NULL, &out));
    assert_string_equal(out.data, "Doctor [[sm'IT]] and Doctor Jones");
    assert_int_equal(out.kept_count, 3);
    assert_int_equal(out.kept[0].start, 0);
    assert_int_equal(out.kept[0].end, 6);
    assert_int_equal(out.kept[1].start, 7);
    assert_int_equal(out.kept[1].end, 16);
    speak_buf_free(&out);
    assert_true(speak_abbrev_apply("", 0, NULL, 0, false, NULL, &out));
    assert_int_equal(out.length, 0);
    speak_buf_free(&out);
}

/* ------------------------------------------------- espeak-ng's own reading */

static void test_espeak_reading(void **state)
{
    (void)state;
    if (!tu_have_tool("espeak-ng"))
        skip();
    /* A clause break inside "Doctor | Smith" goes. */
    tu_check_reading("Dr. Smith came", "d'0kt3\n", "d'0kt3 sm'IT");
    tu_check_reading("Lt. Dan came", ",Elt'i:", "lu:t'En@nt d'an");
    tu_check_reading("She lives on Elm St. now", "s@nt", "str'i:t n'aU");
    tu_check_reading("See p. 5 now", "p'i:\n", "p'eIdZ f'aIv");
    tu_check_reading("It weighs 12kg", "k,eIdZ'i:", "k'Il@gr,amz");
    tu_check_reading("It was 20\xC2\xB0" "C", "s'i:", "s'ElsI2;@s");
    tu_check_reading("after World War II", "r,oUm@n", "w'O@ t'u:");
    tu_check_reading("Henry VIII", "r,oUm@n", "'eItT");
    tu_check_reading("He said[6] so", "s'Iks", "s'Ed s'oU");
    tu_check_reading("Great \xF0\x9F\x98\x80 news", "gr'InIN", "gr'eIt n'u:z");
    tu_check_reading("a **bold** word", "'ast3r", "b'oUld");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_titles_and_streets),
        cmocka_unit_test(test_references),
        cmocka_unit_test(test_units),
        cmocka_unit_test(test_roman),
        cmocka_unit_test(test_not_speech),
        cmocka_unit_test(test_kept_spans),
        cmocka_unit_test(test_espeak_reading),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
