/*
 * test_speak_time.c - times, dates, decades, phone numbers, IP addresses,
 * fractions and ratios (speak_time.c): each kind pinned with exact spoken
 * forms through speak_sentence, the forms it must leave alone, the kept
 * spans it hands on, and, where espeak-ng is installed, what espeak-ng
 * makes of the text before and after (`espeak-ng -q -x -v en-us`).
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
#include "speak_buf.h"
#include "speak_time.h"
#include "testutil.h"

/* The spoken form of `text` (no lexicon), in a static buffer. */
static const char *spoken(const char *text)
{
    return tu_spoken(text, NULL);
}

#define assert_spoken(text, want) assert_string_equal(spoken(text), want)
#define assert_unchanged(text) assert_string_equal(spoken(text), text)

static void test_times(void **state)
{
    (void)state;
    assert_spoken("It opens at 9:00.", "It opens at 9 o'clock.");
    assert_spoken("It opens at 9:00 am.", "It opens at 9 AM.");
    assert_spoken("at 01:00 a.m. sharp", "at 1 a.m. sharp");
    assert_spoken("at 1:00a.m. sharp", "at 1 a.m. sharp");
    assert_spoken("at 4:07 today", "at 4 oh 7 today");
    assert_spoken("at 10:30 PM.", "at 10 30 PM.");
    assert_spoken("at 1.59 p.m. today", "at 1 59 p.m. today");
    assert_spoken("at 23:00", "at 23 o'clock");
    assert_spoken("in 14:10:30", "in 14 hours 10 minutes and 30 seconds");
    assert_spoken("in 1:01:01", "in 1 hour 1 minute and 1 second");
    /* Left alone: espeak-ng reads these well, or they are not times. */
    assert_unchanged("at 5pm and 1 a.m. today");
    assert_unchanged("it grew 1.59 percent");
    assert_unchanged("at 25:61 and 9:5:3");
    assert_spoken("1:59 p.m.est", "1 59 p.m.est");
}

static void test_dates(void **state)
{
    (void)state;
    assert_spoken("On March 1 we met.", "On March 1st we met.");
    assert_spoken("On July 25 2012 we met.", "On July 25th 20 12 we met.");
    assert_spoken("On Jan. 15, 2020, we met.", "On January 15th, 20 20, we met.");
    assert_spoken("On Jan-15-2020 we met.", "On January 15th 20 20 we met.");
    assert_spoken("in July 1506", "in July 15 oh 6");
    assert_spoken("in August 2002", "in August 2 thousand 2");
    assert_spoken("in May 1900", "in May 19 hundred");
    assert_spoken("on 25 July 2012", "on the 25th of July 20 12");
    assert_spoken("on the 26th May in", "on the 26th of May in");
    assert_spoken("on 17 may 2010", "on the 17th of May 20 10");
    /* Numeric: ISO, year first, US month first, day first when it must be. */
    assert_spoken("on 2025-11-03.", "on November 3rd 20 25.");
    assert_spoken("on 1998/2/30.", "on February 30th 19 98.");
    assert_spoken("on 11/03/2025.", "on November 3rd 20 25.");
    assert_spoken("on 15.01.2020.", "on the 15th of January 20 20.");
    assert_spoken("on 01/07/98.", "on January 7th 98.");
    assert_spoken("on 11/17/05.", "on November 17th oh 5.");
    /* Left alone: "may" and "march" the words, ranges, scores, versions. */
    assert_unchanged("you may 2 times and march 3 miles");
    assert_unchanged("in 2010, 2012 and 1994 the 1,000 people");
    assert_unchanged("version 1.2.3 and v1.2.3 and 1.2.2020.5");
    assert_unchanged("13/13/2020 and 3-4-05 and 1.2.05");
    assert_spoken("from 2010-2015 it was 3-2", "from 20 10 to 20 15 it was 3 to 2");
    /* Year ranges go forward; before a count they are numbers. */
    assert_spoken("1990\xE2\x80\x93" "95 and 1960-80", "19 90 to 95 and 19 60 to 80");
    assert_spoken("1980-1970 and 1500-2000 people", "1980 to 1970 and 1500 to 2000 people");
    assert_spoken("the 1960s-80s, mid-1980s", "the 19 sixties to eighties, mid 19 eighties");
    assert_spoken("2pm-5pm or 4:00 am - 8:12 pm", "2 PM to 5 PM or 4 AM to 8 12 PM");
    assert_spoken("in 340 AD and 44 B.C. and 1066 AD", "in 3 40 AD and 44 B.C. and 10 66 AD");
    assert_spoken("3 5/2, 2 142/1 and 4 5/6", "3 and 5 halves, 2 and 142 over 1 and 4 and 5 sixths");
    /* Quarters need a year. */
    assert_spoken("in Q3 2024, 2Q22 and the Q1 FY25 plan, Q3 results",
                  "in the 3rd quarter of 20 24, the 2nd quarter of 22 and the 1st quarter of fiscal 25 plan, Q3 results");
}

static void test_decades(void **state)
{
    (void)state;
    assert_spoken("the 1980s and the '70s", "the 19 eighties and the seventies");
    assert_spoken("in the 1900s, 1910s, 2000s and 2010s.",
                  "in the 19 hundreds, 19 tens, 2 thousands and 20 tens.");
    assert_spoken("in her 80s", "in her eighties");
    assert_spoken("the \xE2\x80\x99" "60s", "the sixties");
    assert_unchanged("the 1985s and 10s and 1980 s and 1980sx");
}

static void test_phone_numbers(void **state)
{
    (void)state;
    assert_spoken("Call 555-123-4567 now.", "Call 5 5 5, 1 2 3, 4 5 6 7 now.");
    assert_spoken("Call (555) 123-4567.", "Call 5 5 5, 1 2 3, 4 5 6 7.");
    assert_spoken("Call (555)555-5555.", "Call 5 5 5, 5 5 5, 5 5 5 5.");
    assert_spoken("Call +1 555 123 4567.", "Call plus 1, 5 5 5, 1 2 3, 4 5 6 7.");
    assert_spoken("Call +1(123) 123-5678.", "Call plus 1, 1 2 3, 1 2 3, 5 6 7 8.");
    assert_spoken("Call 1-800-555-0199.", "Call 1, 8 0 0, 5 5 5, 0 1 9 9.");
    assert_spoken("Call 555.555.5555.", "Call 5 5 5, 5 5 5, 5 5 5 5.");
    assert_spoken("Call 123-123-5678-1111.", "Call 1 2 3, 1 2 3, 5 6 7 8, 1 1 1 1.");
    assert_spoken("my ssn is 111-11-1111", "my ssn is 1 1 1, 1 1, 1 1 1 1");
    /* Left alone: a local number is also a range; spaced digits may be a list. */
    assert_unchanged("Call 555 123 4567 or 5551234567.");
    assert_spoken("Call 555-1234.", "Call 555-1234.");
}

static void test_ip_addresses(void **state)
{
    (void)state;
    assert_spoken("IP address is 123.123.0.40.", "IP address is 1 2 3 dot 1 2 3 dot 0 dot 4 0.");
    assert_unchanged("version 1.2.3.4 and 12.3.4.5.6");
}

static void test_fractions_and_ratios(void **state)
{
    (void)state;
    assert_spoken("add 3/4 cup", "add 3 quarters cup");
    assert_spoken("add 1/2 cup", "add 1 half cup");
    assert_spoken("add 2 1/2 cups", "add 2 and a half cups");
    assert_spoken("add 3 2/3 cups", "add 3 and 2 thirds cups");
    assert_spoken("a 1/4th share", "a 1 quarter share");
    assert_spoken("a 7/16 bolt", "a 7 sixteenths bolt");
    assert_spoken("a 3:1 ratio and 16:9 screens", "a 3 to 1 ratio and 16 to 9 screens");
    /* Left alone: improper, other denominators, chains, dates, ratings. */
    assert_unchanged("24/7, 9/11, 22/3, 7/10, 1/2007, 31/31/100 and 3/4/2");
    assert_unchanged("1:2:3 and 12:345:6 and in Genesis 1:3");
    assert_spoken("3:1 it was", "3 to 1 it was");
}

/* Kept spans from the lexicon are copied as they are; rewrites are kept. */
static void test_kept_spans(void **state)
{
    (void)state;
    const char *text = "9:00 and 9:00 and 3/4";
    speak_span kept[] = {{9, 13}};
    speak_buf out = {0};
    assert_true(speak_time_apply(text, strlen(text), kept, 1, NULL, &out));
    assert_string_equal(out.data, "9 o'clock and 9:00 and 3 quarters");
    assert_int_equal(out.kept_count, 3);
    assert_int_equal(out.kept[0].start, 0);
    assert_int_equal(out.kept[0].end, 9);
    assert_int_equal(out.kept[1].start, 14);
    assert_int_equal(out.kept[1].end, 18);
    assert_int_equal(out.kept[2].start, 23);
    assert_int_equal(out.kept[2].end, 33);
    speak_buf_free(&out);

    /* A long sentence of digits and words stays linear and intact. */
    {
        size_t n = 200000;
        char *big = malloc(n + 1);
        assert_non_null(big);
        for (size_t i = 0; i < n; i++)
            big[i] = "9:00 1/2 "[i % 9];
        big[n] = '\0';
        assert_true(speak_time_apply(big, n, NULL, 0, NULL, &out));
        assert_true(out.length > n);
        speak_buf_free(&out);
        free(big);
    }
}

/* ------------------------------------------------- espeak-ng's own reading */

static void test_espeak_reading(void **state)
{
    (void)state;
    if (!tu_have_tool("espeak-ng"))
        skip();
    /* "nine zero zero", "four zero seven" */
    tu_check_reading("at 9:00 today", "z'i@roU z'i@roU", "@kl'0k");
    tu_check_reading("at 4:07 today", "z'i@roU s'Ev@n", "'oU s'Ev@n");
    /* "march one", "two thousand twelve" */
    tu_check_reading("on March 1 then", "m'A@tS w'Vn", "m'A@tS f'3:st");
    tu_check_reading("on July 25 2012 then", "t'u: T'aUz@nd tw'Elv", "tw'Ent2i tw'Elv");
    /* "slash" */
    tu_check_reading("on 11/03/2025 then", "sl'aS", "noUv'Emb3");
    /* "eighty z" */
    tu_check_reading("the 1980s then", "'eIt#i z", "'eIt#iz");
    /* "five hundred fifty five" */
    tu_check_reading("call 555-123-4567 now", "h'VndrI2d", "f'aIv f'aIv f'aIv");
    /* "three slash four", "three colon one" */
    tu_check_reading("add 3/4 cup", "sl'aS", "kw'O@t#3z");
    tu_check_reading("a 3:1 ratio", "k'oUl@n", "t@ w'Vn");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_decades),
        cmocka_unit_test(test_phone_numbers),
        cmocka_unit_test(test_ip_addresses),
        cmocka_unit_test(test_fractions_and_ratios),
        cmocka_unit_test(test_kept_spans),
        cmocka_unit_test(test_espeak_reading),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
