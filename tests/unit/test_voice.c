/* test_voice.c - voice defaults, preset files, lookups, checks and the list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "aloud.h"
#include "testutil.h"

#define PRESETS ALOUD_SOURCE_DIR "/voices"

/* A scratch folder for preset files, removed after each test. */
typedef struct scratch {
    char dir[64];
    char path[128];
} scratch;

static int scratch_setup(void **state)
{
    scratch *s = calloc(1, sizeof *s);
    if (!s)
        return -1;
    snprintf(s->dir, sizeof s->dir, "/tmp/aloud-test-voice-XXXXXX");
    if (!mkdtemp(s->dir)) {
        free(s);
        return -1;
    }
    *state = s;
    return 0;
}

static int scratch_teardown(void **state)
{
    scratch *s = *state;
    tu_tempdir_remove(s->dir);
    free(s);
    return 0;
}

/* Writes `size` bytes to scratch/NAME and returns its path (in s->path). */
static const char *scratch_file(scratch *s, const char *name, const char *data, size_t size)
{
    snprintf(s->path, sizeof s->path, "%s/%s", s->dir, name);
    FILE *f = fopen(s->path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, size, f), size);
    assert_int_equal(fclose(f), 0);
    return s->path;
}

/* Loads `text` as the preset file scratch/test.voice. */
static aloud_status load_text(scratch *s, const char *text, size_t size, aloud_voice *v,
                              aloud_error *err)
{
    memset(err, 0, sizeof *err);
    return aloud_voice_load(scratch_file(s, "test.voice", text, size), NULL, v, err);
}

/* ------------------------------------------------------------ defaults */

static void test_defaults(void **state)
{
    (void)state;
    aloud_voice v;
    memset(&v, 0xAB, sizeof v);
    aloud_voice_defaults(&v);
    assert_string_equal(v.name, "narrator");
    assert_string_equal(v.espeak, "en-us");
    assert_int_equal(v.rate, 175);
    assert_int_equal(v.pitch, 50);
    assert_int_equal(v.range, 50);
    assert_int_equal(v.volume, 100);
    assert_int_equal(v.word_gap, 0);
    assert_int_equal(v.sentence_pause_ms, 300);
    assert_int_equal(v.paragraph_pause_ms, 550);
    assert_int_equal(aloud_voice_check(&v, NULL), ALOUD_OK);
    aloud_voice_defaults(NULL); /* no crash */
}

/* ------------------------------------------------------------- parsing */

static void test_parse_good(void **state)
{
    scratch *s = *state;
    static const char text[] =
        "\xEF\xBB\xBF# a comment\r\n"
        "\r\n"
        "   # an indented comment\n"
        "voice\t=\ten-us+f1  \n"
        "description = Warm #1 voice, caf\xC3\xA9 = fine\n"
        "rate=200\n"
        "pitch = +40\n"
        "range = 0\n"
        "volume = 200\n"
        "word-gap = 3\n"
        "sentence-pause = 0\n"
        "paragraph-pause = 60000"; /* no final line end */
    aloud_voice v;
    aloud_error err;
    assert_int_equal(load_text(s, text, sizeof text - 1, &v, &err), ALOUD_OK);
    assert_string_equal(v.name, "test");
    assert_string_equal(v.espeak, "en-us+f1");
    assert_string_equal(v.description, "Warm #1 voice, caf\xC3\xA9 = fine");
    assert_int_equal(v.rate, 200);
    assert_int_equal(v.pitch, 40);
    assert_int_equal(v.range, 0);
    assert_int_equal(v.volume, 200);
    assert_int_equal(v.word_gap, 3);
    assert_int_equal(v.sentence_pause_ms, 0);
    assert_int_equal(v.paragraph_pause_ms, 60000);
}

static void test_parse_missing_keys_take_defaults(void **state)
{
    scratch *s = *state;
    aloud_voice v, d;
    aloud_error err;
    aloud_voice_defaults(&d);

    assert_int_equal(load_text(s, "", 0, &v, &err), ALOUD_OK);
    assert_string_equal(v.name, "test");
    assert_string_equal(v.espeak, d.espeak);
    assert_string_equal(v.description, "");
    assert_int_equal(v.rate, d.rate);
    assert_int_equal(v.paragraph_pause_ms, d.paragraph_pause_ms);

    assert_int_equal(load_text(s, "pitch = 10\n", 11, &v, &err), ALOUD_OK);
    assert_int_equal(v.pitch, 10);
    assert_int_equal(v.rate, d.rate);
    assert_int_equal(v.range, d.range);
    assert_int_equal(v.volume, d.volume);
    assert_int_equal(v.word_gap, d.word_gap);
    assert_int_equal(v.sentence_pause_ms, d.sentence_pause_ms);
    assert_string_equal(v.espeak, d.espeak);

    /* An empty description is allowed (and clears nothing else). */
    assert_int_equal(load_text(s, "description =\n", 14, &v, &err), ALOUD_OK);
    assert_string_equal(v.description, "");
}

/* One bad preset and where its fault must be reported. */
typedef struct bad_case {
    const char *text;
    unsigned line, column;
    const char *message; /* a part of the message */
} bad_case;

static void test_parse_bad(void **state)
{
    scratch *s = *state;
    static const bad_case cases[] = {
        {"rate = 175\nspeed = 3\n", 2, 1, "unknown key 'speed'"},
        {"Rate = 175\n", 1, 1, "unknown key 'Rate'"},
        {"rate 175\n", 1, 6, "expected '=' after 'rate'"},
        {"rate\n", 1, 5, "expected '='"},
        {"  rate: 175\n", 1, 3, "expected 'key = value'"},
        {"  rate: = 175\n", 1, 3, "expected 'key = value'"},
        /* Not key-like: not quoted back. */
        {"rate = 175\nroot:x:0:0:root:/root:/bin/bash\n", 2, 1,
         "expected 'key = value' (a key is letters and '-')"},
        {"= 5\n", 1, 1, "missing key"},
        {"# c\n\nrate = 175\nrate = 180\n", 4, 1, "duplicate key 'rate' (set on line 3"},
        {"voice = en\n  voice = de\n", 2, 3, "duplicate key 'voice'"},
        {"rate =\n", 1, 7, "missing value for 'rate'"},
        {"voice =   \n", 1, 11, "missing value for 'voice'"},
        {"rate = 17x5\n", 1, 8, "'17x5' is not a whole number"},
        {"rate = 1.5\n", 1, 8, "not a whole number"},
        {"rate = -\n", 1, 8, "not a whole number"},
        {"rate = 175 # fast\n", 1, 8, "not a whole number"},
        {"  pitch = 120\n", 1, 11, "pitch 120 is out of range 0..99"},
        {"rate = 79\n", 1, 8, "rate 79 is out of range 80..450"},
        {"rate = 451\n", 1, 8, "out of range 80..450"},
        {"rate = 99999999999999999999999\n", 1, 8, "out of range"},
        {"word-gap = -1\n", 1, 12, "out of range 0..100"},
        {"sentence-pause = 60001\n", 1, 18, "out of range 0..60000"},
        /* Columns count characters: the 4-byte emoji and the 2-byte é are one each. */
        {"description = \xF0\x9F\x9A\x80 caf\xC3\xA9\nvolume = -1\n", 2, 10, "volume -1"},
        {"description = caf\xC3\xA9\xFF\n", 1, 19, "invalid UTF-8"},
        {"description = \xC3\xA9\t\x01\n", 1, 17, "control character 0x01"},
        {"description = ok\nrate = 1\x7F\n", 2, 9, "control character 0x7F"},
        {"voice = en\xC0\xAF\n", 1, 11, "invalid UTF-8"}, /* overlong '/' */
        {"description = \xED\xA0\x80\n", 1, 15, "invalid UTF-8"}, /* a surrogate */
        {"\xEF\xBB\xBF" "foo = 1\n", 1, 1, "unknown key 'foo'"},
        {"rate = 175\r\npitch = 100\r\n", 2, 9, "pitch 100"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        aloud_voice v;
        aloud_error err;
        aloud_status st = load_text(s, cases[i].text, strlen(cases[i].text), &v, &err);
        if (st != ALOUD_ERR_VOICE || err.line != cases[i].line ||
            err.column != cases[i].column || !strstr(err.message, cases[i].message))
            fail_msg("case %zu: status %d at %u:%u \"%s\"; expected %u:%u \"%s\"", i, (int)st,
                     err.line, err.column, err.message, cases[i].line, cases[i].column,
                     cases[i].message);
        assert_int_equal(err.status, ALOUD_ERR_VOICE);
    }
}

/* --voice /etc/passwd: a file not named .voice that fails before any key is
 * no preset at all, said so without quoting it; the fault keeps its place. */
static void test_not_a_preset_file(void **state)
{
    scratch *s = *state;
    aloud_voice v;
    aloud_error err = {0};
    static const char *const texts[] = {"root:x:0:0:root:/root:/bin/bash\n",
                                        "# a comment\n\nhello world\n", "speed = 3\n",
                                        "\x7F" "ELF\x02\x01"};
    static const unsigned lines[] = {1, 3, 1, 1}, columns[] = {1, 7, 1, 1};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        const char *path = scratch_file(s, "passwd", texts[i], strlen(texts[i]));
        assert_int_equal(aloud_voice_load(path, NULL, &v, &err), ALOUD_ERR_VOICE);
        assert_string_equal(err.message, "not a voice preset file (one 'key = value' a line, see "
                                         "voices/README.md)");
        assert_int_equal(err.line, lines[i]);
        assert_int_equal(err.column, columns[i]);
    }
    /* Binary: a NUL, at its place. */
    const char *path = scratch_file(s, "bin", "ab\0cd", 5);
    assert_int_equal(aloud_voice_load(path, NULL, &v, &err), ALOUD_ERR_VOICE);
    assert_string_equal(err.message, "not a voice preset file (a NUL byte: binary data)");
    assert_int_equal(err.column, 3);
    /* Past a good key, or in a NAME.voice file, faults are a preset's. */
    path = scratch_file(s, "passwd", "rate = 175\nspeed = 3\n", 21);
    assert_int_equal(aloud_voice_load(path, NULL, &v, &err), ALOUD_ERR_VOICE);
    assert_string_equal(err.message, "unknown key 'speed'");
    path = scratch_file(s, "x.voice", "speed = 3\n", 10);
    assert_int_equal(aloud_voice_load(path, NULL, &v, &err), ALOUD_ERR_VOICE);
    assert_string_equal(err.message, "unknown key 'speed'");
}

/* Where a name's preset file is, for naming it in errors. */
static void test_preset_path(void **state)
{
    char buf[64];
    (void)state;
    assert_string_equal(aloud_voice_preset_path("deep", "/p", buf, sizeof buf), "/p/deep.voice");
    assert_string_equal(aloud_voice_preset_path("./x", "/p", buf, sizeof buf), "./x");
    assert_string_equal(aloud_voice_preset_path("my.voice", NULL, buf, sizeof buf), "my.voice");
    assert_null(aloud_voice_preset_path("deep", NULL, buf, sizeof buf));
    assert_null(aloud_voice_preset_path("deep", "", buf, sizeof buf));
    assert_null(aloud_voice_preset_path("deep", "/a/long/folder", buf, 8));
    assert_null(aloud_voice_preset_path("", "/p", buf, sizeof buf));
    assert_null(aloud_voice_preset_path(NULL, "/p", buf, sizeof buf));
    assert_null(aloud_voice_preset_path("deep", "/p", NULL, 0));
}

static void test_parse_long_values(void **state)
{
    scratch *s = *state;
    char text[512];
    aloud_voice v;
    aloud_error err;

    /* 127 bytes fit the voice field (aloud_voice_check refuses them later). */
    int n = snprintf(text, sizeof text, "voice = %0127d\n", 0);
    assert_int_equal(load_text(s, text, (size_t)n, &v, &err), ALOUD_OK);
    assert_int_equal(strlen(v.espeak), 127);
    assert_int_equal(aloud_voice_check(&v, &err), ALOUD_ERR_VOICE);
    assert_non_null(strstr(err.message, "at most 39"));

    n = snprintf(text, sizeof text, "\nvoice = %0128d\n", 0);
    assert_int_equal(load_text(s, text, (size_t)n, &v, &err), ALOUD_ERR_VOICE);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.column, 9);
    assert_non_null(strstr(err.message, "voice is 128 bytes long"));

    n = snprintf(text, sizeof text, "description = %0160d\n", 0);
    assert_int_equal(load_text(s, text, (size_t)n, &v, &err), ALOUD_ERR_VOICE);
    assert_int_equal(err.column, 15);
    n = snprintf(text, sizeof text, "description = %0159d\n", 0);
    assert_int_equal(load_text(s, text, (size_t)n, &v, &err), ALOUD_OK);
}

static void test_parse_file_limits(void **state)
{
    scratch *s = *state;
    aloud_voice v;
    aloud_error err = {0};
    size_t size = 64 * 1024 + 1;
    char *big = malloc(size);
    assert_non_null(big);
    memset(big, '\n', size);
    assert_int_equal(load_text(s, big, size, &v, &err), ALOUD_ERR_VOICE);
    assert_non_null(strstr(err.message, "larger than 64 KiB"));
    assert_int_equal(load_text(s, big, size - 1, &v, &err), ALOUD_OK);
    free(big);

    /* A NUL byte is a control character like any other. */
    assert_int_equal(load_text(s, "rate = 1\0" "75\n", 12, &v, &err), ALOUD_ERR_VOICE);
    assert_int_equal(err.column, 9);
}

/* ------------------------------------------------------------- lookups */

static void test_load_preset_by_name(void **state)
{
    (void)state;
    aloud_voice v, d;
    aloud_error err = {0};
    aloud_voice_defaults(&d);

    assert_int_equal(aloud_voice_load("narrator", PRESETS, &v, &err), ALOUD_OK);
    assert_string_equal(v.name, "narrator");
    assert_string_equal(v.espeak, d.espeak);
    assert_int_equal(v.rate, d.rate);
    assert_int_equal(v.pitch, d.pitch);
    assert_int_equal(v.range, d.range);
    assert_int_equal(v.volume, d.volume);
    assert_int_equal(v.word_gap, d.word_gap);
    assert_int_equal(v.sentence_pause_ms, d.sentence_pause_ms);
    assert_int_equal(v.paragraph_pause_ms, d.paragraph_pause_ms);
    assert_true(strlen(v.description) > 0);

    assert_int_equal(aloud_voice_load("deep", PRESETS, &v, &err), ALOUD_OK);
    assert_string_equal(v.name, "deep");
    assert_string_equal(v.espeak, "en-gb+m3");
    assert_int_equal(v.rate, 150);
}

static void test_load_preset_by_path(void **state)
{
    scratch *s = *state;
    aloud_voice v;
    aloud_error err = {0};

    assert_int_equal(aloud_voice_load(PRESETS "/brisk.voice", NULL, &v, &err), ALOUD_OK);
    assert_string_equal(v.name, "brisk");
    assert_int_equal(v.rate, 250);
    /* A path is a path even when a presets folder is given. */
    assert_int_equal(aloud_voice_load(PRESETS "/brisk.voice", "/nonexistent", &v, &err), ALOUD_OK);
    assert_string_equal(v.name, "brisk");

    /* A '/' without the extension is still a file. */
    scratch_file(s, "plain", "rate = 90\n", 10);
    assert_int_equal(aloud_voice_load(s->path, NULL, &v, &err), ALOUD_OK);
    assert_string_equal(v.name, "plain");
    assert_int_equal(v.rate, 90);

    /* And a missing one is an error, not an espeak-ng voice. */
    char missing[160];
    snprintf(missing, sizeof missing, "%s/missing.voice", s->dir);
    assert_int_equal(aloud_voice_load(missing, NULL, &v, &err), ALOUD_ERR_VOICE);
    assert_non_null(strstr(err.message, "cannot open preset"));
    assert_int_equal(aloud_voice_load("missing.voice", PRESETS, &v, &err), ALOUD_ERR_VOICE);
    assert_int_equal(aloud_voice_load("./", NULL, &v, &err), ALOUD_ERR_VOICE);
}

static void test_load_espeak_names(void **state)
{
    (void)state;
    aloud_voice v, d;
    aloud_error err = {0};
    aloud_voice_defaults(&d);

    /* No preset of that name: an espeak-ng voice, with the defaults. */
    assert_int_equal(aloud_voice_load("en-gb+m3", PRESETS, &v, &err), ALOUD_OK);
    assert_string_equal(v.name, "en-gb+m3");
    assert_string_equal(v.espeak, "en-gb+m3");
    assert_string_equal(v.description, "");
    assert_int_equal(v.rate, d.rate);
    assert_int_equal(v.sentence_pause_ms, d.sentence_pause_ms);

    /* Without a presets folder, and with one that does not exist. */
    assert_int_equal(aloud_voice_load("narrator", NULL, &v, &err), ALOUD_OK);
    assert_string_equal(v.espeak, "narrator");
    assert_int_equal(aloud_voice_load("de", "/nonexistent/folder", &v, &err), ALOUD_OK);
    assert_string_equal(v.espeak, "de");
    /* Loading does not check; the check does. */
    assert_int_equal(aloud_voice_load("nosuchvoice", PRESETS, &v, &err), ALOUD_OK);
    assert_int_equal(aloud_voice_check(&v, &err), ALOUD_ERR_VOICE);

    char long_name[100];
    memset(long_name, 'x', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    assert_int_equal(aloud_voice_load(long_name, PRESETS, &v, &err), ALOUD_ERR_VOICE);
    assert_int_equal(aloud_voice_load("", PRESETS, &v, &err), ALOUD_ERR_VOICE);
    assert_int_equal(aloud_voice_load(NULL, PRESETS, &v, &err), ALOUD_ERR_ARG);
    assert_int_equal(aloud_voice_load("en", PRESETS, NULL, &err), ALOUD_ERR_ARG);
}

/* --------------------------------------------------------------- checks */

static void test_check_ranges(void **state)
{
    (void)state;
    static const struct {
        size_t offset;
        int bad;
        const char *what;
    } ints[] = {
        {offsetof(aloud_voice, rate), 79, "rate 79"},
        {offsetof(aloud_voice, rate), 451, "rate 451"},
        {offsetof(aloud_voice, pitch), -1, "pitch -1"},
        {offsetof(aloud_voice, pitch), 100, "pitch 100"},
        {offsetof(aloud_voice, range), 100, "range 100"},
        {offsetof(aloud_voice, volume), 201, "volume 201"},
        {offsetof(aloud_voice, volume), -5, "volume -5"},
        {offsetof(aloud_voice, word_gap), -1, "word gap -1"},
    };
    aloud_error err;
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        aloud_voice v;
        aloud_voice_defaults(&v);
        memcpy((char *)&v + ints[i].offset, &ints[i].bad, sizeof(int));
        memset(&err, 0, sizeof err);
        assert_int_equal(aloud_voice_check(&v, &err), ALOUD_ERR_VOICE);
        if (!strstr(err.message, ints[i].what))
            fail_msg("case %zu: \"%s\"", i, err.message);
    }
    aloud_voice v;
    aloud_voice_defaults(&v);
    v.rate = 80;
    v.pitch = 0;
    v.range = 99;
    v.volume = 0;
    v.word_gap = 100;
    v.sentence_pause_ms = 60000;
    assert_int_equal(aloud_voice_check(&v, &err), ALOUD_OK);
    v.rate = 450;
    v.paragraph_pause_ms = 60001;
    assert_int_equal(aloud_voice_check(&v, &err), ALOUD_ERR_VOICE);
    assert_non_null(strstr(err.message, "paragraph pause"));
    assert_int_equal(aloud_voice_check(NULL, &err), ALOUD_ERR_ARG);
}

/* aloud_voice_check() on the espeak-ng voice `name`. */
static aloud_status check_name(const char *name, aloud_error *err)
{
    aloud_voice v;
    aloud_voice_defaults(&v);
    snprintf(v.espeak, sizeof v.espeak, "%s", name);
    memset(err, 0, sizeof *err);
    return aloud_voice_check(&v, err);
}

static void test_check_espeak_names(void **state)
{
    (void)state;
    aloud_error err;
    static const char *const good[] = {
        "en-us", "en", "en-US", "de", "English (America)", "en-us+f3", "en-us+3",
        "en-us+RicishayMax3", "en-us+Mr serious",
        "en-gb",      /* only espeak-ng's voice properties resolve it */
        "en-gb+m3",   /* ... and then the variant goes on the file found */
        "en-GB-x-rp", "en-gb-x-rp+m1",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        if (check_name(good[i], &err) != ALOUD_OK)
            fail_msg("'%s' refused: %s", good[i], err.message);
    }
    static const struct {
        const char *name;
        const char *why;
    } bad[] = {
        {"nosuchvoice", "unknown espeak-ng voice 'nosuchvoice'"},
        {"en-xx", "unknown espeak-ng voice 'en-xx'"}, /* properties would give English */
        {"en-us+nosuchvariant", "unknown espeak-ng variant 'nosuchvariant'"},
        {"en-us+F3", "unknown espeak-ng variant 'F3'"}, /* variants are case-sensitive */
        {"en-us+", "unknown espeak-ng variant ''"},
        {"+f3", "no voice before '+'"},
        {"en-us+f3+m1", "unknown espeak-ng variant"},
        {"en-us+../f3", "unknown espeak-ng variant"},
        {"../lang/gmw/en", "unknown espeak-ng voice"},
        {"/etc/passwd", "unknown espeak-ng voice"},
        {"f3", "is a variant, not a voice"},
        {"female3", "en-us+f3"},
        {"mb-en1", "MBROLA"},
        {"mb/mb-en1", "MBROLA"},
        {"english-mb-en1", "MBROLA"}, /* an MBROLA voice's name: espeak-ng would hang */
        {"", "empty"},
        {"en-us\tx", "character"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        aloud_status st = check_name(bad[i].name, &err);
        if (st != ALOUD_ERR_VOICE || !strstr(err.message, bad[i].why))
            fail_msg("'%s': status %d \"%s\"", bad[i].name, (int)st, err.message);
    }
}

static void test_check_long_names(void **state)
{
    (void)state;
    aloud_error err;
    char name[128];

    /* Past 39 bytes the name never reaches espeak-ng (a long variant aborts it). */
    snprintf(name, sizeof name, "en-us+%0100d", 0);
    assert_int_equal(check_name(name, &err), ALOUD_ERR_VOICE);
    assert_non_null(strstr(err.message, "106 bytes long; espeak-ng takes at most 39"));
    snprintf(name, sizeof name, "%0127d", 0);
    assert_int_equal(check_name(name, &err), ALOUD_ERR_VOICE);

    /* At the limit it does, and is refused as unknown, without harm. */
    snprintf(name, sizeof name, "en+%032d", 0);
    assert_int_equal(strlen(name), 35);
    assert_int_equal(check_name(name, &err), ALOUD_ERR_VOICE);
    assert_non_null(strstr(err.message, "unknown espeak-ng variant"));
    /* The variant goes on the voice's file name ("sit/yue-Latn-jyutping"),
     * which can make a short name too long. */
    snprintf(name, sizeof name, "yue-Latn-jyutping+%020d", 0);
    assert_int_equal(strlen(name), 38);
    assert_int_equal(check_name(name, &err), ALOUD_ERR_VOICE);
    assert_non_null(strstr(err.message, "too long for espeak-ng"));

    /* A name not terminated inside its field. */
    aloud_voice v;
    aloud_voice_defaults(&v);
    memset(v.espeak, 'a', sizeof v.espeak);
    assert_int_equal(aloud_voice_check(&v, &err), ALOUD_ERR_VOICE);
}

/* Every preset shipped in voices/ loads, passes the check and is distinct. */
static void test_shipped_presets(void **state)
{
    (void)state;
    DIR *d = opendir(PRESETS);
    assert_non_null(d);
    struct dirent *ent;
    size_t count = 0;
    char espeak[16][128];
    while ((ent = readdir(d)) != NULL) {
        size_t len = strlen(ent->d_name);
        if (len <= 6 || strcmp(ent->d_name + len - 6, ".voice") != 0)
            continue;
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(len - 6), ent->d_name);
        aloud_voice v;
        aloud_error err = {0};
        if (aloud_voice_load(name, PRESETS, &v, &err) != ALOUD_OK)
            fail_msg("%s: %u:%u: %s", ent->d_name, err.line, err.column, err.message);
        if (aloud_voice_check(&v, &err) != ALOUD_OK)
            fail_msg("%s: %s", ent->d_name, err.message);
        assert_string_equal(v.name, name);
        assert_true(strlen(v.description) > 0);
        assert_true(count < 16);
        for (size_t i = 0; i < count; i++)
            assert_string_not_equal(espeak[i], v.espeak);
        snprintf(espeak[count++], sizeof espeak[0], "%s", v.espeak);
    }
    closedir(d);
    assert_true(count >= 4); /* narrator, bright, deep, brisk */
}

/* -------------------------------------------------------------- listing */

typedef struct listing {
    size_t presets, espeak, variants;
    bool espeak_before_preset; /* order broken */
    char first_presets[8][64];
    bool saw_en_us, saw_f3, saw_mbrola, saw_broken;
} listing;

static void list_cb(void *ctx, const char *kind, const char *name, const char *language,
                    const char *description)
{
    listing *l = ctx;
    assert_non_null(name);
    assert_non_null(language);
    assert_non_null(description);
    if (strcmp(kind, "preset") == 0) {
        if (l->espeak + l->variants > 0)
            l->espeak_before_preset = true;
        if (l->presets < 8)
            snprintf(l->first_presets[l->presets], sizeof l->first_presets[0], "%s", name);
        l->presets++;
        if (strstr(description, "(broken: line 2, column 1: unknown key 'bogus')"))
            l->saw_broken = true;
        return;
    }
    assert_string_equal(kind, "espeak-ng");
    if (strcmp(language, "variant") == 0) {
        l->variants++;
        assert_int_equal(name[0], '+');
        if (strcmp(name, "+f3") == 0)
            l->saw_f3 = true;
        return;
    }
    l->espeak++;
    if (strcmp(name, "en-US") == 0 && strcmp(language, "en-us") == 0)
        l->saw_en_us = true;
    if (strstr(name, "mb-") == name)
        l->saw_mbrola = true;
}

static void test_list(void **state)
{
    scratch *s = *state;
    listing l;
    memset(&l, 0, sizeof l);
    aloud_error err = {0};
    assert_int_equal(aloud_voice_list(PRESETS, list_cb, &l, &err), ALOUD_OK);
    assert_true(l.presets >= 4);
    assert_false(l.espeak_before_preset);
    for (size_t i = 1; i < l.presets && i < 8; i++)
        assert_true(strcmp(l.first_presets[i - 1], l.first_presets[i]) < 0);
    assert_true(l.espeak > 100); /* 131 in 1.51 */
    assert_true(l.variants > 50); /* 101 in 1.51 */
    assert_true(l.saw_en_us);
    assert_true(l.saw_f3);
    assert_false(l.saw_mbrola);

    /* Every listed espeak-ng voice name passes the check: spot-check one. */
    assert_int_equal(check_name("yue-Latn-jyutping", &err), ALOUD_OK);

    /* Presets sorted by name whatever the folder's order; a broken one is
     * listed with its fault; other files are ignored. */
    scratch_file(s, "b.voice", "rate = 100\n", 11);
    scratch_file(s, "a.voice", "\nbogus = 1\n", 11);
    scratch_file(s, "c.voice", "", 0);
    scratch_file(s, "notes.txt", "x", 1);
    scratch_file(s, ".hidden.voice", "", 0);
    memset(&l, 0, sizeof l);
    assert_int_equal(aloud_voice_list(s->dir, list_cb, &l, &err), ALOUD_OK);
    assert_int_equal(l.presets, 3);
    assert_string_equal(l.first_presets[0], "a");
    assert_string_equal(l.first_presets[1], "b");
    assert_string_equal(l.first_presets[2], "c");
    assert_true(l.saw_broken);

    /* No presets folder: only espeak-ng's voices. */
    memset(&l, 0, sizeof l);
    assert_int_equal(aloud_voice_list("/nonexistent", list_cb, &l, &err), ALOUD_OK);
    assert_int_equal(l.presets, 0);
    assert_true(l.espeak > 100);
    memset(&l, 0, sizeof l);
    assert_int_equal(aloud_voice_list(NULL, list_cb, &l, &err), ALOUD_OK);
    assert_int_equal(l.presets, 0);
    assert_int_equal(aloud_voice_list(NULL, NULL, NULL, &err), ALOUD_ERR_ARG);
}

static void test_engine_version(void **state)
{
    (void)state;
    const char *v = aloud_engine_version();
    assert_non_null(v);
    assert_true(v[0] >= '1' && v[0] <= '9');
    assert_non_null(strchr(v, '.'));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test_setup_teardown(test_parse_good, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(test_parse_missing_keys_take_defaults, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_parse_bad, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(test_parse_long_values, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(test_not_a_preset_file, scratch_setup, scratch_teardown),
        cmocka_unit_test(test_preset_path),
        cmocka_unit_test_setup_teardown(test_parse_file_limits, scratch_setup, scratch_teardown),
        cmocka_unit_test(test_load_preset_by_name),
        cmocka_unit_test_setup_teardown(test_load_preset_by_path, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test(test_load_espeak_names),
        cmocka_unit_test(test_check_ranges),
        cmocka_unit_test(test_check_espeak_names),
        cmocka_unit_test(test_check_long_names),
        cmocka_unit_test(test_shipped_presets),
        cmocka_unit_test_setup_teardown(test_list, scratch_setup, scratch_teardown),
        cmocka_unit_test(test_engine_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
