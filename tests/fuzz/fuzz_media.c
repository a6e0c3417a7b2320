/*
 * fuzz_media.c - libFuzzer target for the media reader behind
 * `aloud --chapters`: writes the input to a memory file and reads it with
 * aloud_media_read(), through the public API only (the readers behind it
 * may be split and renamed; this target does not care).
 *
 * The memory file (memfd) is made once and rewritten for every input; the
 * reader opens it by its /proc/self/fd path, as libFLAC does too. What is
 * checked is what the reader promises (aloud.h, media_read.c): on success a
 * known format, at least one channel, chapters sorted by start with
 * titles that are never NULL, every string valid UTF-8, and counts that the
 * input could hold; on failure READ, MEDIA or NOMEM with a reason. Any
 * broken promise aborts; the sanitizers catch the rest.
 */
#define _GNU_SOURCE /* memfd_create */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The fewest input bytes one chapter can take in any format: a WAV cue
 * point is 24, an ID3 CHAP frame 27, a CHAPTERnnn comment 20 with its
 * length, a FLAC cuesheet track 36, an entry of MP4's Nero chpl box 9.
 */
#define FUZZ_MIN_CHAPTER_BYTES 9u

/* CHAPTER000 to CHAPTER999: the most a FLAC or Opus file can name. */
#define FUZZ_MAX_COMMENT_CHAPTERS 1000u

static bool is_format(const aloud_media *m, const char *name)
{
    return strcmp(m->format, name) == 0;
}

static void check_media(const aloud_media *m, size_t size)
{
    fuzz_check(memchr(m->format, '\0', sizeof m->format) != NULL);
    fuzz_check(is_format(m, "wav") || is_format(m, "flac") || is_format(m, "opus")
               || is_format(m, "mp3") || is_format(m, "m4b") || is_format(m, "m4a"));
    fuzz_check(m->channels > 0);
    /* Only WAV takes its rate from the file unchecked; the others never give 0. */
    fuzz_check(m->sample_rate > 0 || is_format(m, "wav"));
    /* A WAV's data chunk lies inside the file, and a frame takes at least a byte. */
    fuzz_check(!is_format(m, "wav") || m->frames <= size);
    fuzz_check_optional_text(m->title);
    fuzz_check_optional_text(m->author);
    fuzz_check_optional_text(m->software);

    fuzz_check(m->chapter_count <= size / FUZZ_MIN_CHAPTER_BYTES);
    fuzz_check(m->chapter_count <= FUZZ_MAX_COMMENT_CHAPTERS
               || !(is_format(m, "flac") || is_format(m, "opus")));
    fuzz_check(m->chapter_count == 0 || m->chapters != NULL);
    for (size_t i = 0; i < m->chapter_count; i++) {
        fuzz_check_text(m->chapters[i].title);
        fuzz_check(i == 0 || m->chapters[i - 1].frame <= m->chapters[i].frame);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    static const aloud_status allowed[] = {ALOUD_ERR_READ, ALOUD_ERR_MEDIA, ALOUD_ERR_NOMEM};

    if (fd < 0) {
        fd = memfd_create("fuzz_media", 0);
        fuzz_check(fd >= 0);
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    fuzz_check(ftruncate(fd, 0) == 0);
    for (size_t done = 0; done < size;) {
        ssize_t n = pwrite(fd, data + done, size - done, (off_t)done);

        fuzz_check(n > 0);
        done += (size_t)n;
    }

    static aloud_media sentinel;
    aloud_media *m = &sentinel; /* not NULL: a failed read must clear it */
    aloud_error err;
    memset(&err, 0, sizeof err);
    aloud_status st = aloud_media_read(path, &m, &err);
    if (st == ALOUD_OK) {
        fuzz_check(m != NULL);
        check_media(m, size);
    } else {
        fuzz_check(m == NULL);
        fuzz_check_failure(st, &err, allowed, sizeof allowed / sizeof allowed[0]);
    }
    aloud_media_free(m);
    return 0;
}
