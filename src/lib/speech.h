/*
 * speech.h - the wrapper around espeak-ng (private to libaloud).
 *
 * speech.c is the only file that includes espeak-ng's headers. espeak-ng
 * keeps its state in process globals and is not thread-safe: one process
 * holds at most one speech engine at a time.
 */
#ifndef ALOUD_SPEECH_H
#define ALOUD_SPEECH_H

#include <stddef.h>
#include <stdint.h>

#include "aloud.h"

typedef struct speech speech;

/* Receives PCM (mono, 16-bit, speech_sample_rate() Hz). Non-zero aborts. */
typedef int (*speech_sink)(void *ctx, const int16_t *pcm, size_t frames);

/*
 * Initialises espeak-ng (with an explicit data path, synchronous output) and
 * selects `voice` with its parameters. The voice is checked as
 * aloud_voice_check() does. Fails with ALOUD_ERR_VOICE or ALOUD_ERR_ENGINE.
 * Only one engine may exist per process.
 */
aloud_status speech_create(const aloud_voice *voice, speech **out, aloud_error *err);

/* Output sample rate in Hz (22050 for every stock voice). */
unsigned speech_sample_rate(const speech *sp);

/*
 * Speaks one sentence (NUL-terminated UTF-8, already validated) and hands
 * its audio to `sink` in order. espeak-ng's own end-of-sentence pause is not
 * included: the audio ends where the speech ends, so the caller's pauses
 * are exact. Returns ALOUD_ERR_ENGINE if espeak-ng fails, or ALOUD_ERR_WRITE
 * when the sink aborted.
 */
aloud_status speech_say(speech *sp, const char *text, speech_sink sink, void *ctx,
                        aloud_error *err);

/* Frees the engine; the process may then create another. */
void speech_free(speech *sp);

#endif /* ALOUD_SPEECH_H */
