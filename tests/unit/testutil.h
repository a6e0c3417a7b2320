/*
 * testutil.h - helpers shared by the cmocka unit tests (tests/unit/test_*.c):
 * a temporary folder per test, whole-file reads and writes, synthetic PCM
 * written through a writer_format, little/big-endian readers, running
 * external tools (ffprobe, metaflac) and parsing ffprobe's chapter JSON.
 *
 * Every helper asserts with cmocka, so they may only be called from inside
 * a running test (or its setup/teardown where noted).
 */
#ifndef ALOUD_TESTUTIL_H
#define ALOUD_TESTUTIL_H

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>

#include <cmocka.h>

#include "aloud.h"
#include "writer.h"

/*
 * assert_non_null() for pointers used afterwards: cmocka's failure path is
 * not marked noreturn, so -Wnull-dereference needs to see the abort().
 */
#define tu_require(p)                              \
    do {                                           \
        if ((p) == NULL) {                         \
            fail_msg("%s is NULL", #p);            \
            abort();                               \
        }                                          \
    } while (0)

/* ------------------------------------------------------ temporary folder */

/*
 * Creates a fresh folder $TMPDIR/aloud-test-NAME-XXXXXX (/tmp when TMPDIR is
 * unset or empty) and stores its path in dir. Returns 0, or -1 on failure
 * (no cmocka assertion, so it is safe in a setup function).
 */
int tu_tempdir_make(char *dir, size_t size, const char *name);

/*
 * Removes the folder made by tu_tempdir_make() with the files (and empty
 * sub-folders) directly inside it. Never fails; safe in teardown.
 */
void tu_tempdir_remove(const char *dir);

/* The usual per-test state: just a temporary folder. */
typedef struct tu_fixture {
    char dir[PATH_MAX];
} tu_fixture;

/* Setup: allocates a tu_fixture with a folder aloud-test-NAME-XXXXXX into *state. */
int tu_fixture_setup(void **state, const char *name);

/* Teardown for tu_fixture_setup(): removes the folder and frees the fixture. */
int tu_fixture_teardown(void **state);

/* Writes "FX->dir/NAME" into out (size bytes, truncated if need be). */
void tu_path(const tu_fixture *fx, const char *name, char *out, size_t size);

/* --------------------------------------------------------- whole files */

/*
 * Reads the whole file (fails the test if it cannot be opened). The buffer
 * (caller frees) holds *size bytes plus a terminating NUL not counted in it.
 */
unsigned char *tu_read_all(const char *path, size_t *size);

/* tu_read_all() as a NUL-terminated string (caller frees). */
char *tu_read_text(const char *path);

/* Creates or replaces path with exactly the n bytes at p; asserts success. */
void tu_write_bytes(const char *path, const void *p, size_t n);

/* ---------------------------------------------------------- byte order */

/* The little-endian 32-bit value at p. */
uint32_t tu_le32(const unsigned char *p);

/* The little-endian 64-bit value at p. */
uint64_t tu_le64(const unsigned char *p);

/* The big-endian 32-bit value at p. */
uint32_t tu_be32(const unsigned char *p);

/* -------------------------------------------------------- synthetic PCM */

/* A deterministic signal that visits the whole 16-bit range, extremes included. */
int16_t tu_sample(uint64_t i);

/*
 * Fills buf with `frames` interleaved frames of `channels` samples, the first
 * being frame number `first` of the stream; ctx is tu_pcm.ctx.
 */
typedef void (*tu_fill_fn)(int16_t *buf, uint64_t first, size_t frames, unsigned channels,
                           void *ctx);

/* How tu_write_audio() feeds a writer; a zeroed struct gives the defaults. */
typedef struct tu_pcm {
    size_t block;                    /* frames per write() call; 0 means 1001 */
    tu_fill_fn fill;                 /* NULL: tu_sample() of each interleaved sample index */
    void *ctx;                       /* passed to fill and before_close */
    void (*before_close)(void *ctx); /* NULL, or run after the last write(), before close() */
    ino_t *open_inode;               /* NULL, or receives the file's inode right after open() */
} tu_pcm;

/*
 * Writes `total` frames through the writer fmt (open, write in blocks, close with
 * `chapters`). Asserts that open and every write succeed; returns close()'s
 * status, printing the error message when it is not ALOUD_OK. how may be NULL.
 */
aloud_status tu_write_audio(const writer_ops *fmt, const char *path, const writer_params *params,
                            uint64_t total, const uint64_t *chapters, const tu_pcm *how);

/* ------------------------------------------------------ external tools */

/* Whether `name` is a command on PATH. */
bool tu_have_tool(const char *name);

/*
 * What `espeak-ng -q -x -v en-us` prints for `text`: phonemes, one clause
 * per line, the final line end dropped (so the count of '\n' is the count of
 * clause breaks). The espeak-ng program reads [[...]] as phonemes, as
 * aloud's engine does. Caller frees. Needs espeak-ng (tu_have_tool).
 */
char *tu_phonemes(const char *text);

/* What aloud hands espeak-ng for one sentence `text` with lexicon `lex`
 * (may be NULL), in a static buffer overwritten by the next call. */
const char *tu_spoken(const char *text, aloud_lexicon *lex);

/*
 * Fails the test unless `before` is in espeak-ng's reading of `text`, and
 * `after` but not `before` is in its reading of tu_spoken(text, NULL): a
 * spoken-text rule measurably changes the reading.
 */
void tu_check_reading(const char *text, const char *before, const char *after);

/*
 * Runs a shell command and returns its whole stdout (caller frees), storing
 * its length in *len unless len is NULL. Fails the test if the command exits
 * with a non-zero status.
 */
char *tu_run(const char *cmd, size_t *len);

/* tu_run() that returns NULL instead of failing when the command exits non-zero. */
char *tu_run_try(const char *cmd);

/* One chapter as ffprobe -show_chapters -of json reports it. */
typedef struct tu_probe_chapter {
    uint64_t num, den; /* time base */
    int64_t start;
    char title[256];
} tu_probe_chapter;

/*
 * Decodes a JSON string starting just after its opening quote into out
 * (size bytes); ffprobe escapes only what it must, and \u only below 0x80.
 */
void tu_json_string(const char *s, char *out, size_t size);

/*
 * Runs ffprobe -show_chapters on path and parses each chapter's time base,
 * start and title into out (at most max, asserted). Returns the count.
 */
size_t tu_probe_chapters(const char *path, tu_probe_chapter *out, size_t max);

#endif
