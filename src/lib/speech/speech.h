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

/*
 * Limits of a voice's parameters, as aloud_voice_check() enforces them and
 * the preset parser reports them. Rate: espeak-ng clamps below 80 wpm
 * silently; pitch and range are 0..99; volume 0 is silence and from about
 * 400 it clips. Word gap is in 10 ms units; pauses in ms.
 */
#define SPEECH_RATE_MIN 80
#define SPEECH_RATE_MAX 450
#define SPEECH_PITCH_MAX 99
#define SPEECH_RANGE_MAX 99
#define SPEECH_VOLUME_MAX 200
#define SPEECH_WORD_GAP_MAX 100
#define SPEECH_PAUSE_MAX_MS 60000u
/* Longest espeak-ng voice name, "voice+variant" included: espeak-ng 1.51
 * keeps it in 40-byte buffers and aborts (or overflows) past them. */
#define SPEECH_NAME_MAX 39

/* Receives PCM (mono, 16-bit, speech_sample_rate() Hz). Non-zero aborts. */
typedef int (*speech_sink)(void *ctx, const int16_t *pcm, size_t frames);

/*
 * Initialises espeak-ng (with an explicit data path, synchronous output) and
 * selects `voice` with its parameters. The voice is checked as
 * aloud_voice_check() does. Fails with ALOUD_ERR_VOICE or ALOUD_ERR_ENGINE.
 * Only one engine may exist per process.
 */
aloud_status speech_create(const aloud_voice *voice, speech **out, aloud_error *err);

/*
 * Names the limit that most likely made starting a process or thread fail
 * with `errnum` (0 when unknown, as for a crash): "too many processes
 * (RLIMIT_NPROC, ulimit -u, is 3)", or strerror() when no limit fits.
 * Writes into `buf` (160 bytes are enough) and returns it.
 */
const char *speech_limit_text(int errnum, char *buf, size_t size);

/* Output sample rate in Hz (22050 for every stock voice). */
unsigned speech_sample_rate(const speech *sp);

/*
 * Speaks one sentence (NUL-terminated UTF-8, already validated) and hands
 * its audio to `sink` in order. espeak-ng's own end-of-sentence pause is not
 * included: the audio ends where the speech ends, so the caller's pauses
 * are exact. Returns ALOUD_ERR_ENGINE if espeak-ng fails or the sentence
 * would make more than 10 minutes of audio, or ALOUD_ERR_WRITE when the sink
 * aborted. A sentence with nothing to say ("", "...") gives no frames.
 */
aloud_status speech_say(speech *sp, const char *text, speech_sink sink, void *ctx,
                        aloud_error *err);

/*
 * Selects the espeak-ng voice `espeak` (a voice for a paragraph's own
 * language), with the variant and parameters of the engine's voice: "de"
 * for an engine created with "en-us+Annie" speaks "de+Annie". For a worker
 * about to speak its unit; the engine stays so until the process ends.
 * ALOUD_ERR_VOICE when espeak-ng refuses it.
 */
aloud_status speech_use_voice(speech *sp, const char *espeak, aloud_error *err);

/*
 * Frees the engine; the process may then create another. espeak-ng itself
 * stays initialised until the process exits (terminating it and starting
 * it again deadlocks espeak-ng 1.51), so this is safe in a forked child too.
 */
void speech_free(speech *sp);

/*
 * Lists espeak-ng's voices for aloud_voice_list(): kind "espeak-ng", name
 * (what --voice takes, e.g. "en-US"), its first language and espeak-ng's
 * own name for it as the description; then the variants, each named
 * "+VARIANT" with language "variant". MBROLA voices are left out (not
 * supported). ALOUD_ERR_ENGINE when espeak-ng cannot start.
 */
aloud_status speech_voices_list(aloud_voice_list_fn fn, void *ctx, aloud_error *err);

#endif /* ALOUD_SPEECH_H */
