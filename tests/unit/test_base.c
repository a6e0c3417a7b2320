/* test_base.c - the ground floor's small tools: UTF-8 steps on unchecked and
 * valid bytes, ASCII classes, growing arrays, capped file reading, the clock. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#include "ascii.h"
#include "clock.h"
#include "file_read.h"
#include "utf8.h"
#include "vec.h"

/* ------------------------------------------------------------------ UTF-8 */

/* utf8_next on a literal: its length, and the code point when valid. */
static size_t next_of(const char *lit, size_t size, uint32_t *cp)
{
    *cp = 0xDEADu;
    return utf8_next(lit, size, cp);
}

#define NEXT(lit, cp) next_of(lit, sizeof lit - 1, cp)

static void test_utf8_next_valid(void **state)
{
    uint32_t cp;
    (void)state;
    assert_int_equal(NEXT("a", &cp), 1);
    assert_int_equal(cp, 'a');
    assert_int_equal(NEXT("\0", &cp), 1);
    assert_int_equal(cp, 0);
    assert_int_equal(NEXT("\xC2\x80", &cp), 2); /* the smallest of each length */
    assert_int_equal(cp, 0x80);
    assert_int_equal(NEXT("\xE0\xA0\x80", &cp), 3);
    assert_int_equal(cp, 0x800);
    assert_int_equal(NEXT("\xF0\x90\x80\x80", &cp), 4);
    assert_int_equal(cp, 0x10000);
    assert_int_equal(NEXT("\xED\x9F\xBF", &cp), 3); /* just below the surrogates */
    assert_int_equal(cp, 0xD7FF);
    assert_int_equal(NEXT("\xF4\x8F\xBF\xBF", &cp), 4); /* the last code point */
    assert_int_equal(cp, 0x10FFFF);
    assert_int_equal(NEXT("\xC3\xA9z", &cp), 2); /* only the first character */
    assert_int_equal(cp, 0xE9);
}

static void test_utf8_next_invalid(void **state)
{
    uint32_t cp;
    (void)state;
    /* Each kind utf8_validate refuses; *cp is left alone. */
    assert_int_equal(NEXT("\x80", &cp), 0);             /* a lone continuation byte */
    assert_int_equal(cp, 0xDEAD);
    assert_int_equal(NEXT("\xC0\xAF", &cp), 0);         /* overlong two bytes */
    assert_int_equal(NEXT("\xC1\xBF", &cp), 0);
    assert_int_equal(NEXT("\xE0\x9F\xBF", &cp), 0);     /* overlong three */
    assert_int_equal(NEXT("\xF0\x8F\xBF\xBF", &cp), 0); /* overlong four */
    assert_int_equal(NEXT("\xED\xA0\x80", &cp), 0);     /* surrogates */
    assert_int_equal(NEXT("\xED\xBF\xBF", &cp), 0);
    assert_int_equal(NEXT("\xF4\x90\x80\x80", &cp), 0); /* past U+10FFFF */
    assert_int_equal(NEXT("\xF5\x80\x80\x80", &cp), 0);
    assert_int_equal(NEXT("\xFF", &cp), 0);
    assert_int_equal(NEXT("\xC3(", &cp), 0);            /* no continuation */
    assert_int_equal(NEXT("\xE2\x82(", &cp), 0);
    assert_int_equal(cp, 0xDEAD);
    /* Cut off by `avail`, though the bytes after would complete it. */
    assert_int_equal(next_of("\xE2\x82\xAC", 2, &cp), 0);
    assert_int_equal(next_of("\xF0\x9F\x98\x80", 3, &cp), 0);
    assert_int_equal(next_of("\xC3\xA9", 1, &cp), 0);
    assert_int_equal(next_of("\xE2\x82\xAC", 3, &cp), 3);
    assert_int_equal(cp, 0x20AC);
}

static void test_utf8_steps(void **state)
{
    static const char s[] = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z"; /* a é € 😀 z */
    size_t n = sizeof s - 1;
    size_t len = 0;
    size_t start = 99;
    (void)state;
    assert_int_equal(utf8_at(s, n, 0, &len), 'a');
    assert_int_equal(len, 1);
    assert_int_equal(utf8_at(s, n, 1, &len), 0xE9);
    assert_int_equal(len, 2);
    assert_int_equal(utf8_at(s, n, 3, NULL), 0x20AC);
    assert_int_equal(utf8_at(s, n, 6, &len), 0x1F600);
    assert_int_equal(len, 4);

    assert_int_equal(utf8_start_before(s, n), 10);
    assert_int_equal(utf8_start_before(s, 10), 6);
    assert_int_equal(utf8_start_before(s, 6), 3);
    assert_int_equal(utf8_start_before(s, 3), 1);
    assert_int_equal(utf8_start_before(s, 1), 0);
    /* Never before the start, even inside a sequence. */
    assert_int_equal(utf8_start_before("\x80\x80", 2), 0);

    assert_int_equal(utf8_before(s, 10, &start), 0x1F600);
    assert_int_equal(start, 6);
    assert_int_equal(utf8_before(s, 3, NULL), 0xE9);
    assert_int_equal(utf8_before(s, n, &start), 'z');
    assert_int_equal(start, n - 1);
}

static void test_utf8_valid_string(void **state)
{
    (void)state;
    assert_true(utf8_is_valid_string(NULL));
    assert_true(utf8_is_valid_string(""));
    assert_true(utf8_is_valid_string("caf\xC3\xA9"));
    assert_false(utf8_is_valid_string("caf\xC3"));
    assert_false(utf8_is_valid_string("\xED\xA0\x80"));
}

/* ------------------------------------------------------------------ ASCII */

static void test_ascii_classes(void **state)
{
    (void)state;
    for (int c = -128; c < 256; c++) {
        bool digit = c >= '0' && c <= '9';
        bool upper = c >= 'A' && c <= 'Z';
        bool lower = c >= 'a' && c <= 'z';
        assert_int_equal(ascii_is_digit(c), digit);
        assert_int_equal(ascii_is_upper(c), upper);
        assert_int_equal(ascii_is_lower(c), lower);
        assert_int_equal(ascii_is_alpha(c), upper || lower);
        assert_int_equal(ascii_is_alnum(c), upper || lower || digit);
    }
    /* Bytes above 0x7F as a plain char and code points outside ASCII: no class. */
    assert_false(ascii_is_alpha((char)0xC3));
    assert_false(ascii_is_digit((uint32_t)0xFF10u)); /* FULLWIDTH DIGIT ZERO */
    assert_false(ascii_is_upper((uint32_t)0x10FFFFu));
    assert_false(ascii_is_lower((uint32_t)('a' + 0x100u)));
    assert_int_equal(ascii_to_upper('q'), 'Q');
    assert_int_equal(ascii_to_upper('Q'), 'Q');
    assert_int_equal(ascii_to_upper('{'), '{');
    assert_int_equal(ascii_to_lower('Q'), 'q');
    assert_int_equal(ascii_to_lower('@'), '@');
    assert_int_equal(ascii_to_upper((char)0xE9), (char)0xE9);
}

static void test_ascii_eq_nocase(void **state)
{
    (void)state;
    assert_true(ascii_eq_nocase("WWW.x", 4, "www."));
    assert_true(ascii_eq_nocase("Flac", 4, "fLAC"));
    assert_true(ascii_eq_nocase("", 0, ""));
    assert_false(ascii_eq_nocase("fla", 3, "flac")); /* b longer */
    assert_false(ascii_eq_nocase("flacs", 5, "flac")); /* a longer */
    assert_false(ascii_eq_nocase("[", 1, "{")); /* only letters fold */
    assert_false(ascii_eq_nocase("\xC3\xA9", 2, "\xC3\x89"));
}

/* ------------------------------------------------------------------- vec */

static void test_vec_reserve(void **state)
{
    int *items = NULL;
    size_t cap = 0;
    (void)state;
    assert_true(vec_reserve(&items, &cap, 0, sizeof *items, 4));
    assert_null(items);
    assert_true(vec_reserve(&items, &cap, 1, sizeof *items, 4));
    assert_int_equal(cap, 4);
    tu_require(items);
    items[0] = 7;
    assert_true(vec_reserve(&items, &cap, 4, sizeof *items, 4)); /* already fits */
    assert_int_equal(cap, 4);
    assert_true(vec_reserve(&items, &cap, 5, sizeof *items, 4));
    assert_int_equal(cap, 8);
    assert_true(vec_reserve(&items, &cap, 33, sizeof *items, 4)); /* doubles until it fits */
    assert_int_equal(cap, 64);
    assert_int_equal(items[0], 7);

    /* Sizes that overflow are refused and leave the array as it was. */
    int *before = items;
    assert_false(vec_reserve(&items, &cap, SIZE_MAX, sizeof *items, 4));
    assert_false(vec_reserve(&items, &cap, SIZE_MAX / 2 + 2, 1, 4));
    assert_false(vec_reserve(&items, &cap, SIZE_MAX / sizeof *items + 1, sizeof *items, 4));
    assert_ptr_equal(items, before);
    assert_int_equal(cap, 64);
    assert_int_equal(items[0], 7);
    free(items);
}

/* -------------------------------------------------------------- file_read */

static int setup(void **state)
{
    return tu_fixture_setup(state, "base");
}

static int teardown(void **state)
{
    return tu_fixture_teardown(state);
}

/* Writes `n` bytes of 'x' to FX/name and puts the path in out. */
static void write_x(const tu_fixture *fx, const char *name, size_t n, char *out, size_t size)
{
    char *bytes = malloc(n ? n : 1);
    tu_require(bytes);
    memset(bytes, 'x', n);
    tu_path(fx, name, out, size);
    tu_write_bytes(out, bytes, n);
    free(bytes);
}

static void test_file_read_limits(void **state)
{
    const tu_fixture *fx = *state;
    char path[PATH_MAX];
    char *data = NULL;
    size_t size = 99;
    file_read_info info;

    /* Exactly the limit is accepted, NUL-terminated; one byte more is not. */
    write_x(fx, "ten", 10, path, sizeof path);
    assert_int_equal(file_read(path, 10, NULL, &data, &size, &info), FILE_READ_OK);
    tu_require(data);
    assert_int_equal(size, 10);
    assert_int_equal(data[10], '\0');
    assert_memory_equal(data, "xxxxxxxxxx", 10);
    free(data);
    data = NULL;
    size = 99;
    assert_int_equal(file_read(path, 9, NULL, &data, &size, &info), FILE_READ_TOO_LARGE);
    assert_null(data);
    assert_int_equal(size, 99);
    assert_int_equal(info.file_size, 10); /* refused by its size, before reading */

    /* An empty file, even with a limit of 0. */
    write_x(fx, "empty", 0, path, sizeof path);
    assert_int_equal(file_read(path, 0, NULL, &data, &size, NULL), FILE_READ_OK);
    tu_require(data);
    assert_int_equal(size, 0);
    assert_int_equal(data[0], '\0');
    free(data);
    data = NULL;

    /* Larger than the first buffer: the buffer grows. */
    write_x(fx, "big", 200000, path, sizeof path);
    assert_int_equal(file_read(path, SIZE_MAX, NULL, &data, &size, NULL), FILE_READ_OK);
    tu_require(data);
    assert_int_equal(size, 200000);
    assert_int_equal(data[199999], 'x');
    assert_int_equal(data[200000], '\0');
    free(data);
}

static void test_file_read_failures(void **state)
{
    const tu_fixture *fx = *state;
    char path[PATH_MAX];
    char *data = NULL;
    size_t size = 0;
    file_read_info info;

    tu_path(fx, "missing", path, sizeof path);
    assert_int_equal(file_read(path, 100, NULL, &data, &size, &info), FILE_READ_OPEN);
    assert_int_equal(info.errno_value, ENOENT);
    assert_null(data);

    tu_path(fx, "folder", path, sizeof path);
    assert_int_equal(mkdir(path, 0700), 0);
    assert_int_equal(file_read(path, 100, NULL, &data, &size, &info), FILE_READ_DIRECTORY);
    assert_int_equal(info.errno_value, EISDIR);
    assert_null(data);
    rmdir(path);
}

/* A stream that is not a regular file: the excess is found by reading. */
static void test_file_read_stream_limit(void **state)
{
    char *data = NULL;
    size_t size = 0;
    file_read_info info;
    (void)state;
    if (!freopen("/dev/zero", "rb", stdin))
        skip();
    assert_int_equal(file_read(NULL, 1000, NULL, &data, &size, &info), FILE_READ_TOO_LARGE);
    assert_int_equal(info.file_size, -1);
    assert_null(data);
}

static void test_read_input(void **state)
{
    const tu_fixture *fx = *state;
    char path[PATH_MAX];
    char *data = NULL;
    size_t size = 0;
    aloud_error err;

    write_x(fx, "five", 5, path, sizeof path);
    assert_int_equal(aloud_read_input(path, 5, NULL, &data, &size, &err), ALOUD_OK);
    assert_int_equal(size, 5);
    free(data);
    data = NULL;
    assert_int_equal(aloud_read_input(path, 4, NULL, &data, &size, &err), ALOUD_ERR_LIMIT);
    assert_string_equal(err.message, "5 bytes is more than the input limit of 4");
    assert_null(data);

    tu_path(fx, "missing", path, sizeof path);
    assert_int_equal(aloud_read_input(path, 5, NULL, &data, &size, &err), ALOUD_ERR_READ);
    assert_string_equal(err.message, "cannot open: No such file or directory");
    assert_int_equal(aloud_read_input(fx->dir, 5, NULL, &data, &size, &err), ALOUD_ERR_READ);
    assert_string_equal(err.message, "is a directory, not a text file");

    assert_int_equal(aloud_read_input(NULL, 5, NULL, &data, &size, &err), ALOUD_ERR_ARG);
    assert_int_equal(aloud_read_input(path, 5, NULL, NULL, &size, NULL), ALOUD_ERR_ARG);
    assert_int_equal(aloud_read_input(path, 5, NULL, &data, NULL, NULL), ALOUD_ERR_ARG);

    /* /dev/zero is binary from its first byte, under any limit. */
    if (!freopen("/dev/zero", "rb", stdin))
        skip();
    assert_int_equal(aloud_read_input("-", 64, NULL, &data, &size, &err), ALOUD_ERR_UTF8);
    assert_string_equal(err.message, "a NUL byte: this is a binary file, not text");
    assert_int_equal(err.line, 1);
    assert_int_equal(err.column, 1);
}

/* A text read stops at its first NUL byte and says where it is; /dev/zero
 * is refused after one block, not at the limit. UTF-16 goes through. */
static void test_file_read_text_stops_at_nul(void **state)
{
    const tu_fixture *fx = *state;
    char path[PATH_MAX];
    char *data = NULL;
    size_t size = 0;
    file_read_info info;

    tu_path(fx, "nul", path, sizeof path);
    tu_write_bytes(path, "\xEF\xBB\xBF" "ab\r\nc\xC3\xA9\rd\0e", 14);
    assert_int_equal(file_read_text(path, 100, NULL, &data, &size, &info), FILE_READ_BINARY);
    assert_null(data);
    assert_int_equal(info.nul_line, 3);
    assert_int_equal(info.nul_column, 2);
    /* Bytes mode does not look. */
    assert_int_equal(file_read(path, 100, NULL, &data, &size, &info), FILE_READ_OK);
    assert_int_equal(size, 14);
    free(data);
    data = NULL;
    /* A NUL alone. */
    tu_write_bytes(path, "\0", 1);
    assert_int_equal(file_read_text(path, 100, NULL, &data, &size, &info), FILE_READ_BINARY);
    /* UTF-16 with its BOM is full of NULs and read whole. */
    tu_write_bytes(path, "\xFF\xFEh\0i\0", 6);
    assert_int_equal(file_read_text(path, 100, NULL, &data, &size, &info), FILE_READ_OK);
    assert_int_equal(size, 6);
    free(data);
    data = NULL;

    if (!freopen("/dev/zero", "rb", stdin))
        skip();
    assert_int_equal(file_read_text(NULL, SIZE_MAX, NULL, &data, &size, &info), FILE_READ_BINARY);
    assert_int_equal(ftello(stdin) <= 65536, 1); /* one block, not the limit */
}

/* A regular file cut between the open (its fstat) and the read is no whole
 * text: FILE_READ_CHANGED. One that grew, or whose size was only nominal
 * and stays so (sysfs), reads as it is. */
static void test_file_read_truncated_while_read(void **state)
{
    const tu_fixture *fx = *state;
    char path[PATH_MAX];
    char *data = NULL;
    size_t size = 0;
    file_read_info info;
    struct stat opened;

    write_x(fx, "cut", 100000, path, sizeof path);
    FILE *f = fopen(path, "rb");
    tu_require(f);
    assert_int_equal(fstat(fileno(f), &opened), 0);
    assert_int_equal(truncate(path, 30000), 0); /* another program cuts it */
    assert_int_equal(file_read_from(f, &opened, false, SIZE_MAX, NULL, &data, &size, &info),
                     FILE_READ_CHANGED);
    assert_null(data);
    assert_int_equal(info.file_size, 100000);
    assert_int_equal(info.bytes_read, 30000);
    fclose(f);

    f = fopen(path, "rb");
    tu_require(f);
    assert_int_equal(fstat(fileno(f), &opened), 0);
    FILE *grow = fopen(path, "ab");
    tu_require(grow);
    assert_int_equal(fputs("more", grow) >= 0, 1);
    assert_int_equal(fclose(grow), 0);
    assert_int_equal(file_read_from(f, &opened, true, SIZE_MAX, NULL, &data, &size, &info),
                     FILE_READ_OK);
    assert_int_equal(size, 30004);
    free(data);
    data = NULL;
    fclose(f);

    /* sysfs gives a nominal size larger than the content, and keeps it: not a cut. */
    struct stat sb;
    if (stat("/sys/kernel/mm/transparent_hugepage/enabled", &sb) == 0 && sb.st_size == 4096) {
        assert_int_equal(file_read("/sys/kernel/mm/transparent_hugepage/enabled", 8192, NULL,
                                   &data, &size, &info), FILE_READ_OK);
        assert_true(size < 4096);
        free(data);
    }
}

/* UTF-16 with either BOM becomes UTF-8; pairs join; a lone surrogate or an
 * odd byte is refused at its line and column. */
static void test_utf16_to_utf8(void **state)
{
    char out[64];
    size_t len = 0;
    aloud_error err;
    (void)state;

    assert_int_equal(utf16_bom("\xFF\xFE", 2), UTF16_LE);
    assert_int_equal(utf16_bom("\xFE\xFF", 2), UTF16_BE);
    assert_int_equal(utf16_bom("\xFF", 1), UTF16_NONE);
    assert_int_equal(utf16_bom("\xEF\xBB\xBF", 3), UTF16_NONE);
    /* "é\n😀" little-endian, then big-endian. */
    assert_int_equal(utf16_to_utf8("\xFF\xFE\xE9\x00\n\x00\x3D\xD8\x00\xDE", 10, out, &len,
                                   &err), ALOUD_OK);
    assert_int_equal(len, 7);
    assert_memory_equal(out, "\xC3\xA9\n\xF0\x9F\x98\x80", 7);
    assert_int_equal(utf16_to_utf8("\xFE\xFF\x00\xE9\x00\n\xD8\x3D\xDE\x00", 10, out, &len,
                                   &err), ALOUD_OK);
    assert_memory_equal(out, "\xC3\xA9\n\xF0\x9F\x98\x80", 7);
    assert_int_equal(utf16_to_utf8("\xFF\xFE", 2, out, &len, &err), ALOUD_OK);
    assert_int_equal(len, 0);
    /* Line 2 (after CRLF), column 2: a low surrogate alone. */
    assert_int_equal(utf16_to_utf8("\xFF\xFE" "a\0\r\0\n\0b\0\x00\xDC" "c\0", 14, out, &len, &err),
                     ALOUD_ERR_UTF8);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.column, 2);
    assert_string_equal(err.message, "invalid UTF-16 (unpaired surrogate 0xDC00)");
    /* A high surrogate at the end. */
    assert_int_equal(utf16_to_utf8("\xFF\xFE" "a\0\x3D\xD8", 6, out, &len, &err), ALOUD_ERR_UTF8);
    assert_int_equal(err.column, 2);
    assert_int_equal(utf16_to_utf8("\xFF\xFE" "a\0b", 5, out, &len, &err), ALOUD_ERR_UTF8);
    assert_int_equal(err.column, 2);
    assert_int_equal(utf16_to_utf8("ab", 2, out, &len, &err), ALOUD_ERR_ARG);
}

/* ------------------------------------------------------------------ clock */

static void test_clock(void **state)
{
    char text[32];
    (void)state;
    assert_int_equal(clock_ms(0, 22050), 0);
    assert_int_equal(clock_ms(11, 22050), 0);       /* 0.4988 ms */
    assert_int_equal(clock_ms(12, 22050), 1);       /* 0.544 ms rounds up */
    assert_int_equal(clock_ms(22050, 22050), 1000);
    assert_int_equal(clock_floor(22049, 22050, 75), 74); /* never after the speech */
    assert_int_equal(clock_floor(22050, 22050, 100), 100);
    assert_int_equal(clock_frames(1000, 22050), 22050);
    assert_int_equal(clock_frames(1, 22050), 22);    /* 22.05 */
    assert_int_equal(clock_frames(3, 22050), 66);    /* 66.15 */
    /* No overflow at the ends of the ranges. */
    assert_int_equal(clock_ms(UINT64_MAX, 1), UINT64_MAX / 1 * 1000u);
    assert_int_equal(clock_ms(UINT64_MAX, UINT_MAX), UINT64_MAX / UINT_MAX * 1000u +
                     ((UINT64_MAX % UINT_MAX) * 1000u + UINT_MAX / 2u) / UINT_MAX);
    assert_int_equal(clock_frames(UINT32_MAX, UINT_MAX),
                     (uint64_t)UINT32_MAX / 1000u * UINT_MAX +
                         ((uint64_t)UINT32_MAX % 1000u * UINT_MAX + 500u) / 1000u);

    assert_string_equal(clock_format(0, '.', text, sizeof text), "00:00:00.000");
    assert_string_equal(clock_format(3005, ',', text, sizeof text), "00:00:03,005");
    assert_string_equal(clock_format(3723004, '.', text, sizeof text), "01:02:03.004");
    assert_string_equal(clock_format(100u * 3600000u, '.', text, sizeof text), "100:00:00.000");
    assert_string_equal(clock_format(3723004, '.', text, 6), "01:02"); /* cut, terminated */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_next_valid),
        cmocka_unit_test(test_utf8_next_invalid),
        cmocka_unit_test(test_utf8_steps),
        cmocka_unit_test(test_utf8_valid_string),
        cmocka_unit_test(test_ascii_classes),
        cmocka_unit_test(test_ascii_eq_nocase),
        cmocka_unit_test(test_vec_reserve),
        cmocka_unit_test_setup_teardown(test_file_read_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_read_failures, setup, teardown),
        cmocka_unit_test(test_file_read_stream_limit),
        cmocka_unit_test_setup_teardown(test_read_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_read_text_stops_at_nul, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_read_truncated_while_read, setup, teardown),
        cmocka_unit_test(test_utf16_to_utf8),
        cmocka_unit_test(test_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
