/*
 * test_speech.c - the espeak-ng wrapper: audio, where it ends, failures,
 * reproducibility.
 *
 * The tests that fork run first, while this process has not started
 * espeak-ng: their children are fresh processes, as the worker pool's are.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <locale.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "aloud.h"
#include "speech.h"

#define RATE 22050

/* Audio collected by a sink. */
typedef struct pcm_buf {
    int16_t *data;
    size_t frames, cap;
    size_t calls;
    size_t largest;  /* frames in the largest piece */
    size_t stop_at;  /* return non-zero on this call (1-based), 0 never */
} pcm_buf;

static int pcm_sink(void *ctx, const int16_t *pcm, size_t frames)
{
    pcm_buf *b = ctx;
    b->calls++;
    if (b->stop_at && b->calls == b->stop_at)
        return 1;
    if (frames > b->largest)
        b->largest = frames;
    if (b->frames + frames > b->cap) {
        size_t cap = (b->frames + frames) * 2;
        int16_t *grown = realloc(b->data, cap * sizeof *grown);
        if (!grown)
            return 1;
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->frames, pcm, frames * sizeof *pcm);
    b->frames += frames;
    return 0;
}

static void pcm_reset(pcm_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

/* Speaks `text` with the defaults in a forked child and returns its audio.
 * The child sends it through a pipe; any failure is its exit status. */
static void say_in_child(const char *voice_name, const char *text, pcm_buf *out)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        aloud_voice v;
        aloud_voice_defaults(&v);
        snprintf(v.espeak, sizeof v.espeak, "%s", voice_name);
        speech *sp;
        pcm_buf b = {0};
        if (speech_create(&v, &sp, NULL) != ALOUD_OK)
            _exit(2);
        if (speech_say(sp, text, pcm_sink, &b, NULL) != ALOUD_OK)
            _exit(3);
        size_t bytes = b.frames * sizeof *b.data;
        const char *p = (const char *)b.data;
        while (bytes > 0) {
            ssize_t n = write(fds[1], p, bytes);
            if (n <= 0)
                _exit(4);
            p += n;
            bytes -= (size_t)n;
        }
        _exit(0); /* no speech_free(), no atexit: like a pool worker */
    }
    close(fds[1]);
    memset(out, 0, sizeof *out);
    char buf[8192];
    size_t have = 0;
    char *all = NULL;
    for (;;) {
        ssize_t n = read(fds[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        assert_true(n >= 0);
        if (n == 0)
            break;
        char *grown = realloc(all, have + (size_t)n);
        assert_non_null(grown);
        all = grown;
        memcpy(all + have, buf, (size_t)n);
        have += (size_t)n;
    }
    close(fds[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(have % 2, 0);
    out->data = (int16_t *)(void *)all;
    out->frames = have / 2;
    out->cap = out->frames;
}

/* ------------------------------------------------- in fresh processes */

static void test_fresh_processes_agree(void **state)
{
    (void)state;
    static const char text[] = "The same sentence, spoken twice, in two fresh processes.";
    pcm_buf a, b;
    say_in_child("en-us", text, &a);
    say_in_child("en-us", text, &b);
    assert_true(a.frames > RATE); /* about 3.4 s */
    assert_int_equal(a.frames, b.frames);
    assert_memory_equal(a.data, b.data, a.frames * sizeof *a.data);
    pcm_reset(&a);
    pcm_reset(&b);

    /* A breathy variant draws on rand(): still the same from a fresh start. */
    say_in_child("en-us+f3", text, &a);
    say_in_child("en-us+f3", text, &b);
    assert_int_equal(a.frames, b.frames);
    assert_memory_equal(a.data, b.data, a.frames * sizeof *a.data);
    pcm_reset(&a);
    pcm_reset(&b);
}

/* Reads the samples of a 16-bit mono WAV file; NULL when it cannot. */
static int16_t *read_wav(const char *path, size_t *frames)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char head[12];
    int16_t *samples = NULL;
    if (fread(head, 1, 12, f) == 12 && memcmp(head, "RIFF", 4) == 0 &&
        memcmp(head + 8, "WAVE", 4) == 0) {
        unsigned char chunk[8];
        while (fread(chunk, 1, 8, f) == 8) {
            uint32_t size = (uint32_t)chunk[4] | (uint32_t)chunk[5] << 8 |
                            (uint32_t)chunk[6] << 16 | (uint32_t)chunk[7] << 24;
            if (memcmp(chunk, "data", 4) != 0) {
                if (fseek(f, (long)(size + (size & 1)), SEEK_CUR) != 0)
                    break;
                continue;
            }
            samples = malloc(size ? size : 1);
            if (samples) {
                size_t got = fread(samples, 1, size, f);
                *frames = got / 2; /* the file is little-endian, as is this host */
            }
            break;
        }
    }
    fclose(f);
    return samples;
}

/*
 * The espeak-ng program with its end pause: our audio must be exactly its
 * audio up to where the speech ends, and all it has after that must be
 * silence (the pause we leave out, 301 ms after a full stop at 175 wpm).
 */
static void test_matches_espeak_program(void **state)
{
    (void)state;
    static const char text[] = "Tomorrow we go home.";
    char wav[] = "/tmp/aloud-test-speech-XXXXXX";
    int fd = mkstemp(wav);
    assert_true(fd >= 0);
    close(fd);

    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execlp("espeak-ng", "espeak-ng", "-v", "en-us", "-w", wav, text, (char *)NULL);
        _exit(127);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) == 127) {
        unlink(wav);
        skip(); /* no espeak-ng program */
    }
    size_t cli_frames = 0;
    int16_t *cli = read_wav(wav, &cli_frames);
    unlink(wav);
    assert_non_null(cli);

    pcm_buf ours;
    say_in_child("en-us", text, &ours);
    assert_true(ours.frames > RATE / 2);
    assert_true(cli_frames > ours.frames);
    assert_memory_equal(cli, ours.data, ours.frames * sizeof *cli);
    for (size_t i = ours.frames; i < cli_frames; i++) {
        if (cli[i] != 0)
            fail_msg("espeak-ng has sound at %zu, after our end at %zu", i, ours.frames);
    }
    /* Ours ends on sound, and the silence after it is all of espeak-ng's end
     * pause: 301.0 ms after a full stop at 175 wpm in 1.51 (6637 frames; it
     * would be 7 ms less had we kept espeak-ng's closing silence). */
    assert_int_not_equal(ours.data[ours.frames - 1], 0);
    double pause_ms = (double)(cli_frames - ours.frames) * 1000.0 / RATE;
    if (pause_ms < 299.0 || pause_ms > 303.0)
        fail_msg("espeak-ng's end pause is %.1f ms, not 301", pause_ms);
    free(cli);
    pcm_reset(&ours);
}

/* --------------------------------------------------- in this process */

static void test_locale_given_back(void **state)
{
    (void)state;
    /* This is the first test to start espeak-ng in this process, which sets
     * LC_CTYPE to C.UTF-8; the caller's setting must come back. */
    assert_non_null(setlocale(LC_CTYPE, "C"));
    aloud_voice v;
    aloud_voice_defaults(&v);
    speech *sp = NULL;
    assert_int_equal(speech_create(&v, &sp, NULL), ALOUD_OK);
    assert_string_equal(setlocale(LC_CTYPE, NULL), "C");

    /* espeak-ng still reads UTF-8 as UTF-8: "é" is one letter, not "Ã©". */
    pcm_buf a = {0}, b = {0};
    assert_int_equal(speech_say(sp, "caf\xC3\xA9", pcm_sink, &a, NULL), ALOUD_OK);
    assert_int_equal(speech_say(sp, "cafe", pcm_sink, &b, NULL), ALOUD_OK);
    assert_true(a.frames > 0 && b.frames > 0);
    double ratio = (double)a.frames / (double)b.frames;
    assert_true(ratio > 0.85 && ratio < 1.3);
    pcm_reset(&a);
    pcm_reset(&b);
    speech_free(sp);
    assert_string_equal(setlocale(LC_CTYPE, NULL), "C");
}

static int engine_setup(void **state)
{
    aloud_voice v;
    aloud_voice_defaults(&v);
    speech *sp = NULL;
    if (speech_create(&v, &sp, NULL) != ALOUD_OK)
        return -1;
    *state = sp;
    return 0;
}

static int engine_teardown(void **state)
{
    speech_free(*state);
    return 0;
}

static void test_sentence_audio(void **state)
{
    speech *sp = *state;
    assert_int_equal(speech_sample_rate(sp), RATE);
    pcm_buf b = {0};
    aloud_error err = {0};
    assert_int_equal(speech_say(sp, "Hello world.", pcm_sink, &b, &err), ALOUD_OK);
    /* 0.75 s in espeak-ng 1.51 (16553 frames) */
    assert_true(b.frames > RATE / 2 && b.frames < RATE);
    size_t loud = 0;
    for (size_t i = 0; i < b.frames; i++)
        loud += b.data[i] > 1000 || b.data[i] < -1000;
    assert_true(loud > b.frames / 10);
    pcm_reset(&b);
}

static void test_audio_ends_with_speech(void **state)
{
    speech *sp = *state;
    static const char *const sentences[] = {
        "Tomorrow we go home.", "What is your name?", "Stop!", "He is strong, yes.",
        "I am here.", "She sells sea shells.", "The cat sat on the mat",
    };
    for (size_t s = 0; s < sizeof sentences / sizeof sentences[0]; s++) {
        pcm_buf b = {0};
        assert_int_equal(speech_say(sp, sentences[s], pcm_sink, &b, NULL), ALOUD_OK);
        assert_true(b.frames > 2205);
        /* espeak-ng's own 7 ms of closing silence is gone: the last sample
         * is speech, and so is the last 2 ms. (test_matches_espeak_program
         * shows that nothing but silence was cut.) */
        assert_int_not_equal(b.data[b.frames - 1], 0);
        int peak = 0;
        for (size_t i = b.frames - 44; i < b.frames; i++)
            peak = abs(b.data[i]) > peak ? abs(b.data[i]) : peak;
        if (peak < 20)
            fail_msg("'%s' ends in near silence (peak %d)", sentences[s], peak);
        pcm_reset(&b);
    }
}

static void test_streams(void **state)
{
    speech *sp = *state;
    pcm_buf b = {0};
    static const char text[] =
        "A longer sentence comes out in many pieces as espeak-ng makes it, "
        "and none of them is held back longer than it must be.";
    assert_int_equal(speech_say(sp, text, pcm_sink, &b, NULL), ALOUD_OK);
    assert_true(b.frames > 5 * RATE);
    /* espeak-ng fills 1081 frames a time; pieces of silence held back come
     * out in pieces of at most 1024. */
    assert_true(b.calls > 50);
    assert_true(b.largest <= 1081);
    pcm_reset(&b);
}

static void test_empty_and_silent_text(void **state)
{
    speech *sp = *state;
    pcm_buf b = {0};
    assert_int_equal(speech_say(sp, "", pcm_sink, &b, NULL), ALOUD_OK);
    assert_int_equal(b.frames, 0);
    assert_int_equal(speech_say(sp, "...", pcm_sink, &b, NULL), ALOUD_OK);
    assert_int_equal(b.frames, 0); /* only silence, all of it trimmed */
    pcm_reset(&b);
    aloud_error err = {0};
    assert_int_equal(speech_say(sp, NULL, pcm_sink, &b, &err), ALOUD_ERR_ARG);
    assert_int_equal(speech_say(sp, "x", NULL, &b, &err), ALOUD_ERR_ARG);
}

static void test_sink_abort(void **state)
{
    speech *sp = *state;
    aloud_error err = {0};
    pcm_buf b = {0};
    b.stop_at = 3;
    assert_int_equal(speech_say(sp, "This sentence is stopped after two pieces of audio.",
                                pcm_sink, &b, &err),
                     ALOUD_ERR_WRITE);
    assert_int_equal(err.status, ALOUD_ERR_WRITE);
    assert_int_equal(b.calls, 3); /* no call after the refusal */
    assert_true(strlen(err.message) > 0);
    pcm_reset(&b);
    /* The engine goes on working. */
    assert_int_equal(speech_say(sp, "Still here.", pcm_sink, &b, &err), ALOUD_OK);
    assert_true(b.frames > RATE / 4);
    pcm_reset(&b);
}

static void test_length_cap(void **state)
{
    speech *sp = *state;
    /* 600 numbers of nine digits: about 40 minutes of audio from 6 KB. */
    char *text = malloc(6001);
    assert_non_null(text);
    for (size_t i = 0; i < 600; i++)
        memcpy(text + i * 10, "123456789 ", 10);
    text[6000] = '\0';
    pcm_buf b = {0};
    aloud_error err = {0};
    assert_int_equal(speech_say(sp, text, pcm_sink, &b, &err), ALOUD_ERR_LIMIT);
    assert_non_null(strstr(err.message, "more than 10 minutes"));
    assert_true(b.frames <= 600u * RATE);
    assert_true(b.frames > 590u * RATE);
    free(text);
    pcm_reset(&b);
    assert_int_equal(speech_say(sp, "Still here.", pcm_sink, &b, &err), ALOUD_OK);
    pcm_reset(&b);
}

static void test_check_leaves_engine_alone(void **state)
{
    speech *sp = *state;
    static const char text[] = "Checking another voice must not change this one.";
    pcm_buf before = {0}, after = {0};
    assert_int_equal(speech_say(sp, text, pcm_sink, &before, NULL), ALOUD_OK);
    aloud_voice fast;
    aloud_voice_defaults(&fast);
    snprintf(fast.espeak, sizeof fast.espeak, "en-us+f1");
    fast.rate = 400;
    assert_int_equal(aloud_voice_check(&fast, NULL), ALOUD_OK);
    assert_int_equal(speech_say(sp, text, pcm_sink, &after, NULL), ALOUD_OK);
    /* The same voice again: equal but for espeak-ng's history (< 1%); at
     * 400 wpm it would be less than half as long. */
    double ratio = (double)after.frames / (double)before.frames;
    assert_true(ratio > 0.99 && ratio < 1.01);
    pcm_reset(&before);
    pcm_reset(&after);
}

static void test_one_engine_per_process(void **state)
{
    (void)state; /* the engine of engine_setup() exists */
    aloud_voice v;
    aloud_voice_defaults(&v);
    speech *sp2 = (speech *)&v;
    aloud_error err = {0};
    assert_int_equal(speech_create(&v, &sp2, &err), ALOUD_ERR_ENGINE);
    assert_null(sp2);
}

/* ------------------------------------------------- creating engines */

/* speech_create() on the espeak-ng voice `name`; the engine is freed. */
static aloud_status create_name(const char *name, aloud_error *err)
{
    aloud_voice v;
    aloud_voice_defaults(&v);
    snprintf(v.espeak, sizeof v.espeak, "%s", name);
    speech *sp = (speech *)&v;
    memset(err, 0, sizeof *err);
    aloud_status st = speech_create(&v, &sp, err);
    if (st == ALOUD_OK) {
        assert_non_null(sp);
        speech_free(sp);
    } else {
        assert_null(sp);
    }
    return st;
}

static void test_create_bad_voices(void **state)
{
    (void)state;
    aloud_error err;
    assert_int_equal(create_name("nosuchvoice", &err), ALOUD_ERR_VOICE);
    assert_non_null(strstr(err.message, "unknown espeak-ng voice"));
    assert_int_equal(create_name("en-us+nosuchvariant", &err), ALOUD_ERR_VOICE);
    assert_non_null(strstr(err.message, "unknown espeak-ng variant 'nosuchvariant'"));

    /* A long variant aborts espeak-ng 1.51; it must not get there. */
    char name[128];
    snprintf(name, sizeof name, "en-us+%0121d", 0);
    assert_int_equal(create_name(name, &err), ALOUD_ERR_VOICE);
    snprintf(name, sizeof name, "en+%032d", 0);
    assert_int_equal(create_name(name, &err), ALOUD_ERR_VOICE);

    aloud_voice v;
    aloud_voice_defaults(&v);
    v.rate = 20;
    speech *sp = (speech *)&v;
    assert_int_equal(speech_create(&v, &sp, &err), ALOUD_ERR_VOICE);
    assert_null(sp);
    assert_int_equal(speech_create(NULL, &sp, &err), ALOUD_ERR_ARG);

    /* After all that, a good voice still works, and "en-gb" too. */
    assert_int_equal(create_name("en-gb+m3", &err), ALOUD_OK);
    assert_int_equal(create_name("en-us", &err), ALOUD_OK);
    speech_free(NULL);
}

static void test_rate_changes_length(void **state)
{
    (void)state;
    static const char text[] = "The rate of the voice sets the length of the audio.";
    size_t frames[2];
    const int rates[2] = {175, 350};
    for (int i = 0; i < 2; i++) {
        aloud_voice v;
        aloud_voice_defaults(&v);
        v.rate = rates[i];
        speech *sp;
        assert_int_equal(speech_create(&v, &sp, NULL), ALOUD_OK);
        pcm_buf b = {0};
        assert_int_equal(speech_say(sp, text, pcm_sink, &b, NULL), ALOUD_OK);
        frames[i] = b.frames;
        pcm_reset(&b);
        speech_free(sp);
    }
    double ratio = (double)frames[1] / (double)frames[0];
    assert_true(ratio > 0.4 && ratio < 0.6);
}

/* A rough median pitch (Hz) of loud, periodic stretches of `b`. */
static double median_pitch(const pcm_buf *b)
{
    enum { WIN = 600, LO = RATE / 400, HI = RATE / 60, MAXF = 512 };
    double found[MAXF];
    size_t count = 0;
    for (size_t at = 0; at + WIN + HI < b->frames && count < MAXF; at += 1500) {
        const int16_t *x = b->data + at;
        double energy = 0;
        for (size_t i = 0; i < WIN; i++)
            energy += (double)x[i] * x[i];
        if (energy < (double)WIN * 1500.0 * 1500.0)
            continue;
        double best = 0;
        size_t best_lag = 0;
        for (size_t lag = LO; lag < HI; lag++) {
            double c = 0;
            for (size_t i = 0; i < WIN; i++)
                c += (double)x[i] * x[i + lag];
            if (c > best) {
                best = c;
                best_lag = lag;
            }
        }
        if (best_lag && best > 0.4 * energy)
            found[count++] = (double)RATE / (double)best_lag;
    }
    if (count == 0)
        return 0;
    for (size_t i = 1; i < count; i++) /* insertion sort: a few dozen values */
        for (size_t j = i; j > 0 && found[j - 1] > found[j]; j--) {
            double t = found[j];
            found[j] = found[j - 1];
            found[j - 1] = t;
        }
    return found[count / 2];
}

/* The shipped presets speak, and sound as their descriptions promise. */
static void test_presets_sound_different(void **state)
{
    (void)state;
    static const char text[] =
        "The quick brown fox jumps over the lazy dog, and then it runs away.";
    static const char *const names[] = {"narrator", "bright", "deep", "brisk"};
    double seconds[4], pitch[4];
    for (size_t i = 0; i < 4; i++) {
        aloud_voice v;
        aloud_error err = {0};
        assert_int_equal(aloud_voice_load(names[i], ALOUD_SOURCE_DIR "/voices", &v, &err),
                         ALOUD_OK);
        speech *sp;
        if (speech_create(&v, &sp, &err) != ALOUD_OK)
            fail_msg("%s: %s", names[i], err.message);
        pcm_buf b = {0};
        assert_int_equal(speech_say(sp, text, pcm_sink, &b, &err), ALOUD_OK);
        seconds[i] = (double)b.frames / RATE;
        pitch[i] = median_pitch(&b);
        pcm_reset(&b);
        speech_free(sp);
    }
    /* Measured with espeak-ng 1.51: 4.00 s at 98 Hz, 3.79 s at 258 Hz,
     * 4.34 s at 78 Hz, 2.77 s at 94 Hz. */
    assert_true(seconds[0] > 3.5 && seconds[0] < 4.5);
    assert_true(pitch[0] > 80 && pitch[0] < 120);
    assert_true(pitch[1] > 1.8 * pitch[0]);    /* bright: much higher */
    assert_true(pitch[2] < 0.9 * pitch[0]);    /* deep: lower ... */
    assert_true(seconds[2] > 1.05 * seconds[0]); /* ... and slower */
    assert_true(seconds[3] < 0.8 * seconds[0]);  /* brisk: faster */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* Forking tests first: this process has not started espeak-ng yet. */
        cmocka_unit_test(test_fresh_processes_agree),
        cmocka_unit_test(test_matches_espeak_program),
        cmocka_unit_test(test_locale_given_back),
        cmocka_unit_test_setup_teardown(test_sentence_audio, engine_setup, engine_teardown),
        cmocka_unit_test_setup_teardown(test_audio_ends_with_speech, engine_setup,
                                        engine_teardown),
        cmocka_unit_test_setup_teardown(test_streams, engine_setup, engine_teardown),
        cmocka_unit_test_setup_teardown(test_empty_and_silent_text, engine_setup,
                                        engine_teardown),
        cmocka_unit_test_setup_teardown(test_sink_abort, engine_setup, engine_teardown),
        cmocka_unit_test_setup_teardown(test_length_cap, engine_setup, engine_teardown),
        cmocka_unit_test_setup_teardown(test_check_leaves_engine_alone, engine_setup,
                                        engine_teardown),
        cmocka_unit_test_setup_teardown(test_one_engine_per_process, engine_setup,
                                        engine_teardown),
        cmocka_unit_test(test_create_bad_voices),
        cmocka_unit_test(test_rate_changes_length),
        cmocka_unit_test(test_presets_sound_different),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
