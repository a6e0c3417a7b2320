/*
 * test_engine_guard.c - the text guard in front of espeak-ng: exact output
 * of each rule, ordinary text untouched, limits, counts; and the inputs that
 * crash espeak-ng 1.51 spoken through speech_say() in child processes.
 *
 * Run as `test_engine_guard --speak TEXT`, the program speaks TEXT with the
 * default voice and exits 0 when it made audio: the valgrind test runs
 * itself that way, since the use-after-free and the uninitialised reads
 * these inputs cause do not always crash a plain process.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "aloud.h"
#include "engine_guard.h"
#include "speech.h"

/* ------------------------------------------------------------- helpers */

/* A string of `count` copies of `unit`; the caller frees it. */
static char *repeat(const char *unit, size_t count)
{
    size_t n = strlen(unit);
    char *s = malloc(n * count + 1);
    assert_non_null(s);
    for (size_t i = 0; i < count; i++)
        memcpy(s + i * n, unit, n);
    s[n * count] = '\0';
    return s;
}

/* The concatenation of NULL-terminated arguments; the caller frees it. */
static char *join(const char *first, ...)
{
    va_list ap;
    size_t total = 0;
    va_start(ap, first);
    for (const char *p = first; p; p = va_arg(ap, const char *))
        total += strlen(p);
    va_end(ap);
    char *s = malloc(total + 1);
    assert_non_null(s);
    s[0] = '\0';
    va_start(ap, first);
    for (const char *p = first; p; p = va_arg(ap, const char *))
        strcat(s, p);
    va_end(ap);
    return s;
}

static bool stats_zero(const guard_stats *st)
{
    return st->words_split == 0 && st->digit_runs_split == 0 && st->chars_dropped == 0 &&
           st->digits_replaced == 0 && st->brackets_parted == 0;
}

/* Checks guard_text(in) == want, and that guarding the result again changes
 * nothing; returns the stats of the first call. */
static guard_stats expect(const char *in, const char *want)
{
    guard_stats st, again;
    char *out = guard_text(in, strlen(in), &st);
    assert_non_null(out);
    assert_string_equal(out, want);
    char *twice = guard_text(out, strlen(out), &again);
    assert_non_null(twice);
    assert_string_equal(twice, out);
    assert_true(stats_zero(&again));
    free(twice);
    free(out);
    return st;
}

/* ------------------------------------------------------ ordinary text */

static void test_ordinary_text_unchanged(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "Hello, world.",
        "\xE2\x80\x9CHe said \xE2\x80\x98hi\xE2\x80\x99 \xE2\x80\x94 it\xE2\x80\x99s fine,\xE2\x80\x9D "
        "she wrote.",
        "Cr\xC3\xA8me br\xC3\xBBl\xC3\xA9" "e \xC3\xA0 la fran\xC3\xA7" "aise, na\xC3\xAFve "
        "caf\xC3\xA9, \xC3\x85ngstr\xC3\xB6m, \xC5\x81\xC3\xB3" "d\xC5\xBA.",
        "See https://www.example.com/2024/05/how-to-read-an-article-aloud-with-espeak-ng"
        "?utm_source=newsletter&utm_medium=email&id=1234567890#section-2 now.",
        "Write to jane.doe+lists@mail.example.org or @jane_doe.",
        "In 2024, 1,234,567.89 people paid $3.50 each; call +1 (555) 123-4567.",
        "Pi is 3.14159265358979323846264338327950288419716939937510582097494459.",
        "pneumonoultramicroscopicsilicovolcanoconiosis and "
        "Donaudampfschifffahrtsgesellschaftskapit\xC3\xA4n.",
        "It's the dogs' bowls' owner's. Rock 'n' roll.",
        "\xCE\x95\xCE\xBB\xCE\xBB\xCE\xB7\xCE\xBD\xCE\xB9\xCE\xBA\xCE\xAC, "
        "\xD1\x80\xD1\x83\xD1\x81\xD1\x81\xD0\xBA\xD0\xB8\xD0\xB9, "
        "\xE0\xA6\xAC\xE0\xA6\xBE\xE0\xA6\x82\xE0\xA6\xB2\xE0\xA6\xBE, "
        "\xE0\xAE\xA4\xE0\xAE\xAE\xE0\xAE\xBF\xE0\xAE\xB4\xE0\xAF\x8D, "
        "\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4, "
        "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E, \xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD.",
        "...!?;:()[]{}<>\"'`~-_=+*/\\|#%^&",
        "",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        guard_stats st = expect(texts[i], texts[i]);
        assert_true(stats_zero(&st));
    }
}

/* ------------------------------------------------------------ rule 1 */

static void test_word_limit(void **state)
{
    (void)state;
    char *at = repeat("a", GUARD_WORD_MAX);
    guard_stats st = expect(at, at);
    assert_true(stats_zero(&st));

    /* One more: two near-equal pieces, the longer first. */
    char *over = repeat("a", GUARD_WORD_MAX + 1);
    char *a25 = repeat("a", 25), *a24 = repeat("a", 24);
    char *want = join(a25, " ", a24, NULL);
    st = expect(over, want);
    assert_int_equal(st.words_split, 1);
    assert_int_equal(st.digit_runs_split + st.chars_dropped + st.digits_replaced, 0);
    free(want);

    /* Characters, not bytes: 48 two-byte letters stay whole. */
    char *e48 = repeat("\xC3\xA9", GUARD_WORD_MAX);
    st = expect(e48, e48);
    assert_true(stats_zero(&st));
    char *e49 = repeat("\xC3\xA9", GUARD_WORD_MAX + 1);
    char *e25 = repeat("\xC3\xA9", 25), *e24 = repeat("\xC3\xA9", 24);
    want = join(e25, " ", e24, NULL);
    st = expect(e49, want);
    assert_int_equal(st.words_split, 1);

    free(want);
    free(at);
    free(over);
    free(a25);
    free(a24);
    free(e48);
    free(e49);
    free(e25);
    free(e24);
}

static void test_word_crasher(void **state)
{
    (void)state;
    /* 136 characters: three pieces of 46, 45 and 45. */
    char *in = repeat("s'", 68);
    char *want = malloc(200);
    assert_non_null(want);
    memcpy(want, in, 46);
    want[46] = ' ';
    memcpy(want + 47, in + 46, 45);
    want[92] = ' ';
    memcpy(want + 93, in + 91, 45);
    want[138] = '\0';
    guard_stats st = expect(in, want);
    assert_int_equal(st.words_split, 1);
    free(in);
    free(want);

    /* With U+2019: the same cuts, by characters. */
    in = repeat("s\xE2\x80\x99", 68);
    char *out = guard_text(in, strlen(in), &st);
    assert_non_null(out);
    assert_int_equal(st.words_split, 1);
    size_t pieces = 1, longest = 0, run = 0;
    for (const char *p = out; *p; p++) {
        if (*p == ' ') {
            pieces++;
            run = 0;
        } else if (((unsigned char)*p & 0xC0u) != 0x80u && ++run > longest) {
            longest = run;
        }
    }
    assert_int_equal(pieces, 3);
    assert_int_equal(longest, 46);
    assert_int_equal(strlen(out), strlen(in) + 2);
    free(out);
    free(in);
}

static void test_word_cuts_respect_marks(void **state)
{
    (void)state;
    /* 50 characters, target 25: "ab", 11 pairs and an "e" make 25, and the
     * 26th is a combining acute, so the cut moves on past it. */
    char *pairs = repeat("e\xCC\x81", 24);
    char *in = join("ab", pairs, NULL);
    char *eleven = repeat("e\xCC\x81", 11);
    char *twelve = repeat("e\xCC\x81", 12);
    char *want = join("ab", twelve, " ", eleven, "e\xCC\x81", NULL);
    guard_stats st = expect(in, want);
    assert_int_equal(st.words_split, 1);
    free(want);

    /* Nothing but marks after the first letter: cut anyway, at the limit. */
    char *marks = repeat("\xCC\x81", 60);
    char *zalgo = join("a", marks, NULL);
    char *m47 = repeat("\xCC\x81", 47), *m13 = repeat("\xCC\x81", 13);
    want = join("a", m47, " ", m13, NULL);
    st = expect(zalgo, want);
    assert_int_equal(st.words_split, 1);

    free(want);
    free(m47);
    free(m13);
    free(marks);
    free(zalgo);
    free(eleven);
    free(twelve);
    free(pairs);
    free(in);
}

static void test_what_ends_a_word(void **state)
{
    (void)state;
    char *a40 = repeat("a", 40);
    static const char *const ends[] = {" ", "-", "_", ".", "/", ":", ",", ";", "!", "?",
                                       "(", "&", "@", "#", "+", "=", "~", "*", "\"", "1",
                                       "\xE2\x80\x94", "\xE2\x80\x9C"};
    for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
        char *in = join(a40, ends[i], a40, NULL);
        guard_stats st;
        char *out = guard_text(in, strlen(in), &st);
        assert_non_null(out);
        assert_string_equal(out, in);
        assert_true(stats_zero(&st));
        free(out);
        free(in);
    }
    /* Apostrophes and the characters espeak-ng deletes join words. */
    static const char *const joins[] = {"'", "\xE2\x80\x99", "\xC2\xAD", "\xE2\x80\x8C"};
    for (size_t i = 0; i < sizeof joins / sizeof joins[0]; i++) {
        char *in = join(a40, joins[i], a40, NULL);
        guard_stats st;
        char *out = guard_text(in, strlen(in), &st);
        assert_non_null(out);
        assert_int_equal(st.words_split, 1);
        assert_int_equal(strlen(out), strlen(in) + 1);
        free(out);
        free(in);
    }
    free(a40);

    /* Each long word counts once. */
    char *w = repeat("anti", 41);
    char *in = join(w, " and ", w, ".", NULL);
    guard_stats st;
    char *out = guard_text(in, strlen(in), &st);
    assert_non_null(out);
    assert_int_equal(st.words_split, 2);
    free(out);
    free(in);
    free(w);
}

/* ------------------------------------------------------------ rule 2 */

static void test_digit_runs(void **state)
{
    (void)state;
    static const char digits[] = "31415926535897932384626433832795028841971693993751"
                                 "05820974944592307816406286208998628034825342117067"
                                 "98214808651328230664709384460955058223172535940812"
                                 "84811174502841027019385211055596446229489549303819"
                                 "64428810975665933446128475648233786783165271201909";
    char buf[256];
    struct {
        size_t length;
        size_t groups[4];
    } cases[] = {
        {33, {33}},        {34, {34}},          {GUARD_DIGITS_MAX, {GUARD_DIGITS_MAX}},
        {69, {35, 34}},    {97, {49, 48}},      {98, {49, 49}},
        {136, {68, 68}},   {137, {46, 46, 45}}, {162, {54, 54, 54}},
        {200, {67, 67, 66}}, {250, {63, 63, 62, 62}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = cases[i].length;
        memcpy(buf, digits, n);
        buf[n] = '\0';
        char want[320];
        size_t o = 0, from = 0;
        for (size_t g = 0; g < 4 && cases[i].groups[g]; g++) {
            if (g > 0)
                want[o++] = ' ';
            memcpy(want + o, digits + from, cases[i].groups[g]);
            o += cases[i].groups[g];
            from += cases[i].groups[g];
            assert_true(cases[i].groups[g] >= GUARD_DIGITS_GROUP_MIN || g == 0);
        }
        assert_int_equal(from, n);
        want[o] = '\0';
        guard_stats st = expect(buf, want);
        assert_int_equal(st.digit_runs_split, n > GUARD_DIGITS_MAX ? 1 : 0);
        assert_int_equal(st.words_split + st.chars_dropped + st.digits_replaced, 0);
    }

    /* Letters around a run do not count in it; separators end it. */
    char *nines = repeat("9", 100);
    char *n50 = repeat("9", 50);
    char *in = join("abc", nines, "def", NULL);
    char *want = join("abc", n50, " ", n50, "def", NULL);
    guard_stats st = expect(in, want);
    assert_int_equal(st.digit_runs_split, 1);
    free(in);
    free(want);
    char *n60 = repeat("9", 60);
    in = join(n60, ",", n60, ".", n60, NULL);
    st = expect(in, in);
    assert_true(stats_zero(&st));
    free(in);
    free(n60);
    free(n50);
    free(nines);
}

/* ------------------------------------------------------------ rule 3 */

static void test_unsafe_characters(void **state)
{
    (void)state;
    /* U+0B84 (unassigned, Tamil block): dropped, joining its neighbours. */
    guard_stats st = expect("a\xE0\xAE\x84" "b \xE0\xAE\x84.", "ab .");
    assert_int_equal(st.chars_dropped, 2);
    assert_int_equal(st.words_split + st.digit_runs_split + st.digits_replaced, 0);

    /* Nor does it join brackets into espeak-ng's phoneme markers "[[" and "]]". */
    st = expect("[\xE0\xAE\x84[x]\xE0\xAE\x84] [\xE0\xAE\x84]", "[ [x] ] []");
    assert_int_equal(st.chars_dropped, 3);
    assert_int_equal(st.brackets_parted, 2);
    st = expect("[\xFF[", "[ [");
    assert_int_equal(st.chars_dropped, 1);
    assert_int_equal(st.brackets_parted, 1);

    /* Tamil letters around it stay. */
    st = expect("\xE0\xAE\xA4\xE0\xAE\xAE\xE0\xAE\x84\xE0\xAE\xBF\xE0\xAE\xB4\xE0\xAF\x8D",
                "\xE0\xAE\xA4\xE0\xAE\xAE\xE0\xAE\xBF\xE0\xAE\xB4\xE0\xAF\x8D");
    assert_int_equal(st.chars_dropped, 1);

    uint32_t out = 0;
    assert_false(guard_keep(0x0B84, &out));
    assert_true(guard_keep(0x0BA4, &out)); /* TAMIL LETTER TA */
    assert_int_equal(out, 0x0BA4);
    assert_true(guard_keep('a', &out));
    assert_int_equal(out, 'a');
    assert_true(guard_keep(0x2019, &out));
    assert_int_equal(out, 0x2019);
}

static void test_native_digits(void **state)
{
    (void)state;
    /* Bengali digits crash an English voice: they become ASCII digits. */
    guard_stats st = expect("\xE0\xA7\xA7\xE0\xA7\xA8\xE0\xA7\xA9 taka", "123 taka");
    assert_int_equal(st.digits_replaced, 3);
    assert_int_equal(st.chars_dropped + st.words_split + st.digit_runs_split, 0);
    uint32_t out = 0;
    assert_true(guard_keep(0x09E6, &out)); /* BENGALI DIGIT ZERO */
    assert_int_equal(out, '0');
    assert_true(guard_keep(0x09EF, &out)); /* BENGALI DIGIT NINE */
    assert_int_equal(out, '9');

    /* Replaced digits join ASCII ones, and the run is measured after. */
    char *beng = repeat("\xE0\xA7\xAF", 40);
    char *in = join(beng, "999999999999999999999999999999", NULL);
    char *n35 = repeat("9", 35);
    char *want = join(n35, " ", n35, NULL);
    st = expect(in, want);
    assert_int_equal(st.digits_replaced, 40);
    assert_int_equal(st.digit_runs_split, 1);
    free(want);
    free(n35);
    free(in);
    free(beng);
}

/* ------------------------------------------------------ bytes and ends */

static void test_invalid_utf8_dropped(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
        size_t dropped;
    } cases[] = {
        {"a\xFF" "b", "ab", 1},
        {"\xC3", "", 1},
        {"x\xE0\x80\xAF", "x", 3},            /* overlong */
        {"\xED\xA0\x80 surrogate", " surrogate", 3},
        {"\xF4\x90\x80\x80", "", 4},          /* past U+10FFFF */
        {"\xC0\xAF", "", 2},
        {"caf\xC3\xA9\xE2\x80", "caf\xC3\xA9", 2},
        /* Around a dropped U+0B84 the stray bytes must not make a new one. */
        {"\xE0\xAE\xE0\xAE\x84\x84", "", 4},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        guard_stats st = expect(cases[i].in, cases[i].out);
        assert_int_equal(st.chars_dropped, cases[i].dropped);
        assert_int_equal(st.words_split + st.digit_runs_split + st.digits_replaced, 0);
    }
    /* Dropped bytes join what is around them into one word. */
    char *a40 = repeat("a", 40);
    char *in = join(a40, "\xFF", a40, NULL);
    guard_stats st;
    char *out = guard_text(in, strlen(in), &st);
    assert_non_null(out);
    assert_int_equal(st.chars_dropped, 1);
    assert_int_equal(st.words_split, 1);
    assert_int_equal(strlen(out), 81);
    free(out);
    free(in);
    free(a40);
}

static void test_length_and_nul(void **state)
{
    (void)state;
    guard_stats st;
    char *out = guard_text("abc\0def", 7, &st);
    assert_non_null(out);
    assert_string_equal(out, "abc");
    free(out);
    out = guard_text("abcdef", 3, &st);
    assert_non_null(out);
    assert_string_equal(out, "abc");
    free(out);
    /* A character cut by the length leaves an invalid byte: dropped. */
    out = guard_text("\xC3\xA9", 1, &st);
    assert_non_null(out);
    assert_string_equal(out, "");
    assert_int_equal(st.chars_dropped, 1);
    free(out);
    out = guard_text(NULL, 5, NULL);
    assert_non_null(out);
    assert_string_equal(out, "");
    free(out);
    out = guard_text("", 0, NULL);
    assert_non_null(out);
    assert_string_equal(out, "");
    free(out);
}

static void test_classify(void **state)
{
    (void)state;
    assert_int_equal(guard_classify('0'), GUARD_DIGIT);
    assert_int_equal(guard_classify('9'), GUARD_DIGIT);
    assert_int_equal(guard_classify('a'), GUARD_WORD);
    assert_int_equal(guard_classify('\''), GUARD_WORD);
    assert_int_equal(guard_classify(0x2019), GUARD_WORD);
    assert_int_equal(guard_classify(0x00AD), GUARD_WORD);
    assert_int_equal(guard_classify(0x0301), GUARD_WORD);
    assert_int_equal(guard_classify(0x09E7), GUARD_WORD); /* native digits: words, once kept */
    assert_int_equal(guard_classify(' '), GUARD_OTHER);
    assert_int_equal(guard_classify('-'), GUARD_OTHER);
    assert_int_equal(guard_classify('/'), GUARD_OTHER);
    assert_int_equal(guard_classify(0x201C), GUARD_OTHER);
}

/* ------------------------------------------- through espeak-ng itself */

/*
 * Speaks `text` with the default voice in this process and returns 0 when
 * it made audio, 2 if the engine did not start, 3 if speaking failed, 4
 * when there was no audio.
 */
static int count_sink(void *ctx, const int16_t *pcm, size_t frames)
{
    (void)pcm;
    *(size_t *)ctx += frames;
    return 0;
}

static int speak_here(const char *text)
{
    aloud_voice v;
    aloud_voice_defaults(&v);
    speech *sp;
    if (speech_create(&v, &sp, NULL) != ALOUD_OK)
        return 2;
    size_t frames = 0;
    if (speech_say(sp, text, count_sink, &frames, NULL) != ALOUD_OK)
        return 3;
    return frames > 0 ? 0 : 4;
}

/* The inputs that crash or corrupt espeak-ng 1.51 unguarded. */
static char **crashers(size_t *count)
{
    static char *list[8];
    if (!list[0]) {
        list[0] = repeat("s'", 68);
        list[1] = repeat("s'", 220);
        char *w = repeat("anti", 41);
        list[2] = join("The ", w, "cover story.", NULL);
        free(w);
        list[3] = repeat("9", 162);
        list[4] = repeat("0", 98);
        list[5] = join("Tamil \xE0\xAE\x84 sign.", NULL);
        list[6] = join("Bengali \xE0\xA7\xA7\xE0\xA7\xA8\xE0\xA7\xA9 taka.", NULL);
        list[7] = join("Jamo \xE1\x86\x80 and Armenian \xD5\x99 signs.", NULL);
    }
    *count = sizeof list / sizeof list[0];
    return list;
}

static void test_crashers_speak_in_child(void **state)
{
    (void)state;
    size_t count;
    char **texts = crashers(&count);
    for (size_t i = 0; i < count; i++) {
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
            _exit(speak_here(texts[i])); /* like a pool worker: no espeak-ng teardown */
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            fail_msg("crasher %zu (%.40s...) gave wait status 0x%x", i, texts[i], status);
    }
}

#if defined(__SANITIZE_ADDRESS__)
#define GUARD_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GUARD_UNDER_ASAN 1
#endif
#endif

/* The same under valgrind, which also sees the reads of freed or
 * uninitialised memory that do not crash. Skipped without valgrind, and in
 * sanitizer builds (the two do not mix). */
static void test_crashers_clean_under_valgrind(void **state)
{
    (void)state;
#ifdef GUARD_UNDER_ASAN
    skip();
#else
    if (system("valgrind --version >/dev/null 2>&1") != 0)
        skip();
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    assert_true(n > 0);
    self[n] = '\0';
    size_t count;
    char **texts = crashers(&count);
    for (size_t i = 0; i < count; i++) {
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            execlp("valgrind", "valgrind", "-q", "--error-exitcode=99", "--log-fd=2",
                   self, "--speak", texts[i], (char *)NULL);
            _exit(127);
        }
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            fail_msg("crasher %zu (%.40s...) under valgrind gave wait status 0x%x", i, texts[i],
                     status);
    }
#endif
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--speak") == 0)
        _exit(speak_here(argv[2]));

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ordinary_text_unchanged),
        cmocka_unit_test(test_word_limit),
        cmocka_unit_test(test_word_crasher),
        cmocka_unit_test(test_word_cuts_respect_marks),
        cmocka_unit_test(test_what_ends_a_word),
        cmocka_unit_test(test_digit_runs),
        cmocka_unit_test(test_unsafe_characters),
        cmocka_unit_test(test_native_digits),
        cmocka_unit_test(test_invalid_utf8_dropped),
        cmocka_unit_test(test_length_and_nul),
        cmocka_unit_test(test_classify),
        /* This process never starts espeak-ng: every child is a fresh one. */
        cmocka_unit_test(test_crashers_speak_in_child),
        cmocka_unit_test(test_crashers_clean_under_valgrind),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    size_t count;
    char **texts = crashers(&count);
    for (size_t i = 0; i < count; i++)
        free(texts[i]);
    return failed;
}
