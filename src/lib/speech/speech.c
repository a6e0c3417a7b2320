/*
 * speech.c - the wrapper around espeak-ng (see speech.h).
 *
 * The only file that includes espeak-ng's headers. espeak-ng keeps all of
 * its state in process globals, so this file does too: one engine per
 * process. espeak-ng is initialised on first need and never terminated:
 * in 1.51, espeak_ng_Terminate() after a second espeak_ng_Initialize() and
 * a voice change deadlocks on its background thread (measured: the call
 * sequences Init-Term-Init-SetVoice-Term and Init-SetVoice-Term-Init-
 * SetVoice-Term hang, Init-SetVoice-Term does not), and in a forked child
 * it would wait for a thread the child does not have. It costs about 8 MB
 * until the process exits; forked children use the parent's copy as is.
 *
 * Where a sentence ends. Synthesised without espeakENDPAUSE, a call ends in
 * espeak-ng's short clause pause. Measured with espeak-ng 1.51 on
 * "Tomorrow we go home." (en-us), that pause is exactly zero samples:
 *   rate (wpm)        80   120   175   250..370   450
 *   zero tail (smp)  485   286   154     110     102..165
 * (154 samples = 7.0 ms at 22050 Hz). The events do not mark the end of the
 * speech: the final END event's `sample` is the total length, pause
 * included, and WORD events mark only where words start. So speech_say()
 * trims the trailing run of exact zeros, and nothing else. That never cuts
 * speech and cannot add a click: only digital silence goes, and the caller
 * puts its own silence in its place. The last non-zero sample is where
 * espeak-ng itself stops (e.g. "test." stops at a sample of 1260).
 * A threshold above zero was rejected: quiet speech is not quieter than
 * what it would have to remove (the final "m" of "home" runs at 250-330 for
 * its last 10 ms). The exception is the variants with an echo (f2..f5,
 * Alicia, anikaRobot, ...): espeak-ng fills every pause with the echo and
 * runs it to the end of its output buffer, so their audio ends in 8..42 ms
 * of echo (170..925 samples measured on five sentences with f2, f3, f4)
 * at about -45 dBFS (peaks 100..250), which is kept and ends in a step of
 * that size. The presets use variants without echo.
 *
 * Streaming: trailing zeros are not stored, only counted, and are handed on
 * as soon as a non-zero sample follows them; everything else goes to the
 * sink in the buffers espeak-ng fills.
 */
/* MAP_ANONYMOUS is Linux and BSD, not POSIX. */
#define _DEFAULT_SOURCE

#include "speech.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <espeak-ng/espeak_ng.h>
#include <espeak-ng/speak_lib.h>

#include "ascii.h"
#include "engine_guard.h"

#ifndef ALOUD_ESPEAK_DATA
#error "ALOUD_ESPEAK_DATA must name espeak-ng's data folder"
#endif

/* espeak-ng's output buffer, in ms. 0 is its default and its smallest: 1081
 * samples (49 ms) a callback. Voices with an echo end at the end of a
 * buffer, so a larger one lengthens their tails (100 ms gave up to 101 ms
 * of echo after the speech instead of up to 42 ms) and changes their
 * length: keep it fixed for reproducible output. */
#define SPEECH_BUFFER_MS 0
/* Symbol soup can expand a few KB of text into hours of audio: no sentence
 * may produce more than this. */
#define SPEECH_MAX_SECONDS 600u
/* Longest variant name; the longest stock one ("RicishayMax3") has 12. */
#define SPEECH_VARIANT_MAX 32

struct speech {
    aloud_voice voice;     /* a copy, to select it again after a check */
    unsigned sample_rate;
    /* State of the speech_say() call in progress. */
    speech_sink sink;
    void *sink_ctx;
    uint64_t produced;     /* frames espeak-ng produced, trimmed ones included */
    uint64_t limit;        /* at most this many */
    uint64_t zeros;        /* trailing zero frames held back (not stored) */
    aloud_status failure;  /* why the callback stopped espeak-ng */
};

/* The process-wide espeak-ng instance. */
static struct {
    bool ready;       /* espeak-ng is initialised in this address space */
    locale_t locale;  /* C.UTF-8 for espeak-ng's calls, or (locale_t)0 */
    speech *active;   /* the engine of this process, or NULL */
} speech_engine;

/* ------------------------------------------------------------- helpers */

/* espeak-ng's message for a status code, for aloud_error messages. */
static void speech_status_message(espeak_ng_STATUS status, char *buf, size_t size)
{
    espeak_ng_GetStatusCodeMessage(status, buf, size);
    if (buf[0] == '\0')
        snprintf(buf, size, "status 0x%x", (unsigned)status);
}

/*
 * espeak-ng needs a UTF-8 LC_CTYPE (its wctype calls) and sets the global
 * one to C.UTF-8 when it starts. We give the caller back its own locale and
 * switch this thread to C.UTF-8 only around calls into espeak-ng. Without
 * a C.UTF-8 locale object, espeak-ng's global setting is left in place.
 */
static locale_t speech_locale_enter(void)
{
    if (speech_engine.locale == (locale_t)0)
        return (locale_t)0;
    return uselocale(speech_engine.locale);
}

static void speech_locale_leave(locale_t previous)
{
    if (previous != (locale_t)0)
        uselocale(previous);
}

/* The synthesis callback; the engine comes back through user_data. */
static int speech_callback(short *wav, int count, espeak_EVENT *events)
{
    speech *sp = events ? events->user_data : NULL;
    if (!sp || sp->failure != ALOUD_OK)
        return 1;
    if (!wav || count <= 0)
        return 0; /* the end of the call, or a buffer of events only */

    size_t n = (size_t)count;
    if (sp->produced + n > sp->limit) {
        sp->failure = ALOUD_ERR_LIMIT;
        return 1;
    }
    sp->produced += n;

    size_t end = n;
    while (end > 0 && wav[end - 1] == 0)
        end--;
    if (end == 0) {
        sp->zeros += n;
        return 0;
    }
    static const int16_t silence[1024];
    while (sp->zeros > 0) {
        size_t chunk = sp->zeros < 1024 ? (size_t)sp->zeros : 1024;
        if (sp->sink(sp->sink_ctx, silence, chunk) != 0) {
            sp->failure = ALOUD_ERR_WRITE;
            return 1;
        }
        sp->zeros -= chunk;
    }
    if (sp->sink(sp->sink_ctx, wav, end) != 0) {
        sp->failure = ALOUD_ERR_WRITE;
        return 1;
    }
    sp->zeros = n - end;
    return 0;
}

/*
 * espeak-ng 1.51's espeak_ng_InitializeOutput() opens an audio device through
 * pcaudiolib whatever the mode (it connects to PulseAudio, which prints its
 * own errors on stderr when it cannot), and synchronous output never uses
 * it. This definition takes the place of pcaudiolib's for the whole program
 * (the dynamic linker looks in the executable first): no device is opened,
 * and espeak-ng, given none, does without.
 */
struct audio_object;
struct audio_object *create_audio_device_object(const char *device, const char *application,
                                                const char *description);
struct audio_object *create_audio_device_object(const char *device, const char *application,
                                                const char *description)
{
    (void)device;
    (void)application;
    (void)description;
    return NULL;
}

/* Free descriptors espeak-ng needs to start and to read a voice's files. */
#define SPEECH_MIN_FILES 8

const char *speech_limit_text(int errnum, char *buf, size_t size)
{
    struct rlimit rl;
    if ((errnum == 0 || errnum == EMFILE) && getrlimit(RLIMIT_NOFILE, &rl) == 0
        && rl.rlim_cur != RLIM_INFINITY && (errnum == EMFILE || rl.rlim_cur < 3 + SPEECH_MIN_FILES))
        snprintf(buf, size, "too many open files (RLIMIT_NOFILE, ulimit -n, is %llu)",
                 (unsigned long long)rl.rlim_cur);
    else if ((errnum == 0 || errnum == ENOMEM || errnum == EAGAIN)
             && getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        snprintf(buf, size, "out of memory (RLIMIT_AS, ulimit -v, is %llu kB)",
                 (unsigned long long)rl.rlim_cur / 1024);
    else if ((errnum == 0 || errnum == EAGAIN) && geteuid() != 0
             && getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        snprintf(buf, size, "too many processes (RLIMIT_NPROC, ulimit -u, is %llu)",
                 (unsigned long long)rl.rlim_cur);
    else if (errnum == EAGAIN)
        snprintf(buf, size, "too many processes or threads (%s)", strerror(errnum));
    else if (errnum != 0)
        snprintf(buf, size, "%s", strerror(errnum));
    else
        snprintf(buf, size, "out of memory, processes or threads");
    return buf;
}

/* Address space espeak-ng's start needs besides its thread's stack: its
 * data (about 8 MB once spoken with) and the rest, with room to spare. */
#define SPEECH_START_ROOM ((size_t)24 << 20)

static void *speech_probe_thread(void *arg)
{
    return arg;
}

/*
 * espeak-ng starts a thread in espeak_ng_Initialize() and abort()s when it
 * cannot (an assertion in its fifo.c), as under a low ulimit -v or -u. So
 * before it starts, this process shows that it can: with SPEECH_START_ROOM
 * of address space held, it starts and joins a thread of the default size,
 * as espeak-ng's will be. Failing that is an error that names the limit,
 * not an abort. (It used to start espeak-ng in a child first, which cost a
 * fork and a second start of espeak-ng in every run.)
 */
static aloud_status speech_engine_probe(aloud_error *err)
{
    char why[160];
    int files[SPEECH_MIN_FILES];
    size_t held = 0;
    /* Without descriptors espeak-ng cannot read a voice and says the voice is unknown. */
    while (held < SPEECH_MIN_FILES
           && (files[held] = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
        held++;
    int e = errno;
    for (size_t i = 0; i < held; i++)
        close(files[i]);
    if (held < SPEECH_MIN_FILES && e == EMFILE)
        return aloud_error_set(err, ALOUD_ERR_ENGINE, 0, 0, "cannot start espeak-ng: %s",
                               speech_limit_text(EMFILE, why, sizeof why));
    void *room = mmap(NULL, SPEECH_START_ROOM, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
                      0);
    if (room == MAP_FAILED)
        return aloud_error_set(err, ALOUD_ERR_ENGINE, 0, 0, "cannot start espeak-ng: %s",
                               speech_limit_text(errno, why, sizeof why));
    pthread_t thread;
    e = pthread_create(&thread, NULL, speech_probe_thread, NULL);
    if (e == 0)
        pthread_join(thread, NULL);
    munmap(room, SPEECH_START_ROOM);
    if (e != 0)
        return aloud_error_set(err, ALOUD_ERR_ENGINE, 0, 0, "cannot start espeak-ng: %s",
                               speech_limit_text(e, why, sizeof why));
    return ALOUD_OK;
}

/* Initialises espeak-ng unless this address space has it already. */
static aloud_status speech_engine_start(aloud_error *err)
{
    if (speech_engine.ready)
        return ALOUD_OK;

    /* espeak-ng falls back to ~/espeak-ng-data and its built-in path when the
     * one it is given does not exist; make sure ours does. */
    struct stat sb;
    if (stat(ALOUD_ESPEAK_DATA "/phontab", &sb) != 0)
        return aloud_error_set(err, ALOUD_ERR_ENGINE, 0, 0, "espeak-ng data not found in %s",
                               ALOUD_ESPEAK_DATA);

    aloud_status probed = speech_engine_probe(err);
    if (probed != ALOUD_OK)
        return probed;

    char saved[256] = "";
    const char *current = setlocale(LC_CTYPE, NULL);
    bool restore = current && strlen(current) < sizeof saved;
    if (restore)
        memcpy(saved, current, strlen(current) + 1);

    char msg[160];
    espeak_ng_InitializePath(ALOUD_ESPEAK_DATA);
    espeak_ng_STATUS st = espeak_ng_Initialize(NULL);
    if (st != ENS_OK) {
        speech_status_message(st, msg, sizeof msg);
        if (restore)
            setlocale(LC_CTYPE, saved);
        return aloud_error_set(err, ALOUD_ERR_ENGINE, 0, 0, "espeak-ng failed to start: %s", msg);
    }
    st = espeak_ng_InitializeOutput(ENOUTPUT_MODE_SYNCHRONOUS, SPEECH_BUFFER_MS, NULL);
    const char *data = NULL;
    espeak_Info(&data);
    if (st != ENS_OK || !data || strcmp(data, ALOUD_ESPEAK_DATA) != 0) {
        if (st != ENS_OK)
            speech_status_message(st, msg, sizeof msg);
        else
            snprintf(msg, sizeof msg, "it uses %s, not %s", data ? data : "?", ALOUD_ESPEAK_DATA);
        /* Not terminated (see the top): this process cannot speak. */
        if (restore)
            setlocale(LC_CTYPE, saved);
        return aloud_error_set(err, ALOUD_ERR_ENGINE, 0, 0, "espeak-ng failed to start: %s", msg);
    }
    espeak_SetSynthCallback(speech_callback);

    speech_engine.locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    if (speech_engine.locale != (locale_t)0 && restore)
        setlocale(LC_CTYPE, saved);
    speech_engine.ready = true;
    return ALOUD_OK;
}

/* ------------------------------------------------------ choosing voices */

/* Checks the parameters of `v` against the limits in speech.h. */
static aloud_status speech_check_ranges(const aloud_voice *v, aloud_error *err)
{
    if (v->rate < SPEECH_RATE_MIN || v->rate > SPEECH_RATE_MAX)
        return aloud_error_set(err, ALOUD_ERR_VOICE, 0, 0, "rate %d is out of range %d..%d",
                               v->rate, SPEECH_RATE_MIN, SPEECH_RATE_MAX);
    if (v->pitch < 0 || v->pitch > SPEECH_PITCH_MAX)
        return aloud_error_set(err, ALOUD_ERR_VOICE, 0, 0, "pitch %d is out of range 0..%d",
                               v->pitch, SPEECH_PITCH_MAX);
    if (v->range < 0 || v->range > SPEECH_RANGE_MAX)
        return aloud_error_set(err, ALOUD_ERR_VOICE, 0, 0, "range %d is out of range 0..%d",
                               v->range, SPEECH_RANGE_MAX);
    if (v->volume < 0 || v->volume > SPEECH_VOLUME_MAX)
        return aloud_error_set(err, ALOUD_ERR_VOICE, 0, 0, "volume %d is out of range 0..%d",
                               v->volume, SPEECH_VOLUME_MAX);
    if (v->word_gap < 0 || v->word_gap > SPEECH_WORD_GAP_MAX)
        return aloud_error_set(err, ALOUD_ERR_VOICE, 0, 0, "word gap %d is out of range 0..%d",
                               v->word_gap, SPEECH_WORD_GAP_MAX);
    if (v->sentence_pause_ms > SPEECH_PAUSE_MAX_MS)
        return aloud_error_set(err, ALOUD_ERR_VOICE, 0, 0,
                               "sentence pause %u ms is out of range 0..%u", v->sentence_pause_ms,
                               SPEECH_PAUSE_MAX_MS);
    if (v->paragraph_pause_ms > SPEECH_PAUSE_MAX_MS)
        return aloud_error_set(err, ALOUD_ERR_VOICE, 0, 0,
                               "paragraph pause %u ms is out of range 0..%u",
                               v->paragraph_pause_ms, SPEECH_PAUSE_MAX_MS);
    return ALOUD_OK;
}

/*
 * A voice name split into its voice and variant, checked before espeak-ng
 * sees it: espeak-ng copies names into 40-byte buffers (a long variant
 * aborts it), opens them as paths below its data folder, and hangs for
 * good on an MBROLA voice when mbrola is missing.
 */
typedef struct speech_name {
    char base[SPEECH_NAME_MAX + 1];
    char variant[SPEECH_NAME_MAX + 1]; /* empty when none */
} speech_name;

static aloud_status speech_parse_name(const char *espeak, size_t field, speech_name *out,
                                      aloud_error *err)
{
    const char *nul = memchr(espeak, '\0', field);
    if (!nul)
        return aloud_error_set(err, ALOUD_ERR_VOICE, 0, 0, "voice name is not terminated");
    size_t len = (size_t)(nul - espeak);
    if (len == 0)
        return aloud_error_set(err, ALOUD_ERR_VOICE, 0, 0, "voice name is empty");
    if (len > SPEECH_NAME_MAX)
        return aloud_error_set(err, ALOUD_ERR_VOICE, 0, 0,
                               "voice name is %zu bytes long; espeak-ng takes at most %d", len,
                               SPEECH_NAME_MAX);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)espeak[i];
        if (c < 0x20 || c == 0x7f || c == '\\')
            return aloud_error_set(err, ALOUD_ERR_VOICE, 0, 0,
                                   "voice name '%s' holds a character espeak-ng does not take",
                                   espeak);
    }

    const char *plus = strchr(espeak, '+');
    size_t base_len = plus ? (size_t)(plus - espeak) : len;
    memcpy(out->base, espeak, base_len);
    out->base[base_len] = '\0';
    out->variant[0] = '\0';
    if (plus)
        memcpy(out->variant, plus + 1, len - base_len); /* with the NUL */

    if (base_len == 0)
        return aloud_error_set(err, ALOUD_ERR_VOICE, 0, 0,
                               "voice name '%s' has no voice before '+'", espeak);
    /* Each '/'-separated part must be a plain name: no "..", no hidden files. */
    for (const char *part = out->base; part; ) {
        if (*part == '\0' || *part == '/' || *part == '.')
            return aloud_error_set(err, ALOUD_ERR_VOICE, 0, 0, "unknown espeak-ng voice '%s'",
                                   out->base);
        part = strchr(part, '/');
        if (part)
            part++;
    }
    if (strncasecmp(out->base, "mb-", 3) == 0 || strncasecmp(out->base, "mb/", 3) == 0)
        return aloud_error_set(err, ALOUD_ERR_VOICE, 0, 0,
                               "MBROLA voices such as '%s' are not supported", out->base);
    if (plus) {
        size_t vlen = strlen(out->variant);
        if (vlen == 0 || vlen > SPEECH_VARIANT_MAX || strpbrk(out->variant, "/+") ||
            out->variant[0] == '.')
            return aloud_error_set(err, ALOUD_ERR_VOICE, 0, 0, "unknown espeak-ng variant '%s'",
                                   out->variant);
    }
    return ALOUD_OK;
}

/* The last '/'-separated part of an espeak-ng voice identifier. */
static const char *speech_id_leaf(const char *identifier)
{
    const char *slash = strrchr(identifier, '/');
    return slash ? slash + 1 : identifier;
}

/* What kind of voice file a name resolves to. */
typedef enum { SPEECH_PLAIN, SPEECH_VARIANT, SPEECH_MBROLA } speech_kind;

/*
 * Whether espeak-ng would resolve `base` to an MBROLA voice or a variant,
 * matching names the way its SelectVoiceByName() does: by name, identifier
 * or the identifier's last part, ignoring case. A spec without a language
 * lists every voice file, MBROLA voices ("mb/...") and variants ("!v/...")
 * too, in one scan. For a variant, `leaf` gets its file name.
 */
static speech_kind speech_kind_of(const char *base, char *leaf, size_t leaf_size)
{
    espeak_VOICE spec;
    memset(&spec, 0, sizeof spec);
    const espeak_VOICE **list = espeak_ListVoices(&spec);
    speech_kind kind = SPEECH_PLAIN;
    for (size_t i = 0; list && list[i]; i++) {
        const espeak_VOICE *v = list[i];
        if (!v->identifier)
            continue;
        speech_kind k = strncmp(v->identifier, "mb/", 3) == 0   ? SPEECH_MBROLA
                        : strncmp(v->identifier, "!v/", 3) == 0 ? SPEECH_VARIANT
                                                                : SPEECH_PLAIN;
        if (k <= kind)
            continue;
        if ((v->name && strcasecmp(base, v->name) == 0) || strcasecmp(base, v->identifier) == 0 ||
            strcasecmp(base, speech_id_leaf(v->identifier)) == 0) {
            kind = k;
            if (k == SPEECH_VARIANT)
                snprintf(leaf, leaf_size, "%s", speech_id_leaf(v->identifier));
        }
    }
    return kind;
}

/* Whether the current voice lists `language` (e.g. "en-gb") among its own. */
static bool speech_current_speaks(const char *language)
{
    const espeak_VOICE *v = espeak_GetCurrentVoice();
    if (!v || !v->languages)
        return false;
    /* A list of (priority byte, name, NUL), ended by an empty name. */
    for (const char *p = v->languages; p[0] != '\0' && p[1] != '\0'; p += strlen(p + 1) + 2) {
        if (strcasecmp(p + 1, language) == 0)
            return true;
    }
    return false;
}

/*
 * Selects the voice `espeak` ("voice" or "voice+variant") in espeak-ng,
 * which must be running. ALOUD_ERR_VOICE when it is unknown.
 */
static aloud_status speech_select(const char *espeak, size_t field, aloud_error *err)
{
    speech_name nm;
    aloud_status status = speech_parse_name(espeak, field, &nm, err);
    if (status != ALOUD_OK)
        return status;
    /* An MBROLA voice without mbrola installed hangs espeak-ng 1.51 for
     * good; a variant on its own is no voice. Each look costs a scan of every
     * voice file (about 6 ms), so the last name that passed is remembered:
     * a render checks its voice and then selects it. */
    static char passed[SPEECH_NAME_MAX + 1];
    char leaf[SPEECH_NAME_MAX + 1];
    if (strcmp(passed, nm.base) != 0) {
        speech_kind kind = speech_kind_of(nm.base, leaf, sizeof leaf);
        if (kind == SPEECH_MBROLA)
            return aloud_error_set(err, ALOUD_ERR_VOICE, 0, 0,
                                   "MBROLA voices such as '%s' are not supported", nm.base);
        if (kind == SPEECH_VARIANT)
            return aloud_error_set(err, ALOUD_ERR_VOICE, 0, 0,
                                   "'%s' is a variant, not a voice: add it to one, as in en-us+%s",
                                   nm.base, leaf);
        snprintf(passed, sizeof passed, "%s", nm.base);
    }

    /* By name, file or language code first; "en-gb" and other codes that no
     * file is named after only resolve through the voice properties, and
     * those match loosely ("en-xx" gives English), so insist on the code. */
    if (espeak_ng_SetVoiceByName(nm.base) != ENS_OK) {
        espeak_VOICE spec;
        memset(&spec, 0, sizeof spec);
        spec.languages = nm.base;
        if (espeak_ng_SetVoiceByProperties(&spec) != ENS_OK || !speech_current_speaks(nm.base))
            return aloud_error_set(err, ALOUD_ERR_VOICE, 0, 0, "unknown espeak-ng voice '%s'",
                                   nm.base);
    }
    if (nm.variant[0] == '\0')
        return ALOUD_OK;

    /* Add the variant to the file the voice resolved to: that name is what
     * espeak-ng copies into its buffers, and it finds it again exactly. */
    const espeak_VOICE *cur = espeak_GetCurrentVoice();
    const char *id = cur && cur->identifier ? cur->identifier : "";
    char full[SPEECH_NAME_MAX + 1];
    size_t id_len = strlen(id), variant_len = strlen(nm.variant);
    if (id_len == 0 || id_len + 1 + variant_len > SPEECH_NAME_MAX)
        return aloud_error_set(err, ALOUD_ERR_VOICE, 0, 0,
                               "voice name '%s+%s' is too long for espeak-ng", id, nm.variant);
    memcpy(full, id, id_len);
    full[id_len] = '+';
    memcpy(full + id_len + 1, nm.variant, variant_len + 1);
    /* espeak-ng ignores a variant it cannot find; only a loaded one shows up
     * in the current voice's identifier. */
    if (espeak_ng_SetVoiceByName(full) != ENS_OK)
        return aloud_error_set(err, ALOUD_ERR_VOICE, 0, 0, "unknown espeak-ng voice '%s'", full);
    cur = espeak_GetCurrentVoice();
    if (!cur || !cur->identifier || !strchr(cur->identifier, '+'))
        return aloud_error_set(err, ALOUD_ERR_VOICE, 0, 0, "unknown espeak-ng variant '%s'",
                               nm.variant);
    return ALOUD_OK;
}

/* Selects `v` and applies its parameters. */
static aloud_status speech_apply(const aloud_voice *v, aloud_error *err)
{
    aloud_status status = speech_select(v->espeak, sizeof v->espeak, err);
    if (status != ALOUD_OK)
        return status;
    const struct {
        espeak_PARAMETER parameter;
        int value;
    } params[] = {
        {espeakRATE, v->rate},     {espeakPITCH, v->pitch},      {espeakRANGE, v->range},
        {espeakVOLUME, v->volume}, {espeakWORDGAP, v->word_gap},
    };
    for (size_t i = 0; i < sizeof params / sizeof params[0]; i++) {
        espeak_ng_STATUS st = espeak_ng_SetParameter(params[i].parameter, params[i].value, 0);
        if (st != ENS_OK) {
            char msg[160];
            speech_status_message(st, msg, sizeof msg);
            return aloud_error_set(err, ALOUD_ERR_ENGINE, 0, 0,
                                   "espeak-ng refused a parameter: %s", msg);
        }
    }
    return ALOUD_OK;
}

/* Ranges and a well-formed espeak-ng name: what needs no engine to check. */
static aloud_status speech_check_voice(const aloud_voice *voice, aloud_error *err)
{
    speech_name nm;
    aloud_status status = speech_check_ranges(voice, err);
    if (status == ALOUD_OK)
        status = speech_parse_name(voice->espeak, sizeof voice->espeak, &nm, err);
    return status;
}

/* ----------------------------------------------------------- languages */

/* BCP-47 codes whose espeak-ng voice lists another code. */
static const struct {
    const char *bcp47;
    const char *espeak;
} speech_lang_alias[] = {
    {"zh", "cmn"},      {"zh-hans", "cmn"}, {"zh-hant", "cmn"}, {"zh-cn", "cmn"},
    {"zh-tw", "cmn"},   {"zh-hk", "yue"},   {"no", "nb"},
};

/* espeak-ng's codes that are not the BCP-47 a user writes. */
static const struct {
    const char *espeak;
    const char *bcp47;
} speech_lang_name[] = {
    {"cmn", "zh"},
};

/* The priority of `language` in a voice's list (lower is preferred), or -1. */
static int speech_voice_lists(const espeak_VOICE *v, const char *language)
{
    if (!v->languages)
        return -1;
    for (const char *p = v->languages; p[0] != '\0' && p[1] != '\0'; p += strlen(p + 1) + 2) {
        if (strcasecmp(p + 1, language) == 0)
            return (unsigned char)p[0];
    }
    return -1;
}

/* The voice espeak-ng ranks first for `language`, MBROLA voices aside. */
static const espeak_VOICE *speech_voice_of(const char *language)
{
    const espeak_VOICE **list = espeak_ListVoices(NULL);
    const espeak_VOICE *best = NULL;
    int best_priority = 0;
    for (size_t i = 0; list && list[i]; i++) {
        const espeak_VOICE *v = list[i];
        if (!v->identifier || strncmp(v->identifier, "mb/", 3) == 0)
            continue;
        int priority = speech_voice_lists(v, language);
        if (priority >= 0 && (!best || priority < best_priority)) {
            best = v;
            best_priority = priority;
        }
    }
    return best;
}

aloud_status aloud_voice_for_lang(const char *lang, char *espeak, size_t size, aloud_error *err)
{
    if (!lang || !espeak || size == 0)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no language or result");
    char code[32];
    if (lang[0] == '\0' || strlen(lang) >= sizeof code)
        return aloud_error_set(err, ALOUD_ERR_VOICE, 0, 0, "'%.40s' is no language code", lang);
    for (size_t i = 0; lang[i]; i++) {
        char c = lang[i];
        if (!ascii_is_alnum(c) && c != '-' && c != '_')
            return aloud_error_set(err, ALOUD_ERR_VOICE, 0, 0, "'%s' is no language code", lang);
        code[i] = c == '_' ? '-' : ascii_to_lower(c);
        code[i + 1] = '\0';
    }
    for (size_t i = 0; i < sizeof speech_lang_alias / sizeof speech_lang_alias[0]; i++) {
        if (strcmp(code, speech_lang_alias[i].bcp47) == 0)
            snprintf(code, sizeof code, "%s", speech_lang_alias[i].espeak);
    }
    /* Each look scans every voice file (milliseconds): a mixed text asks
     * for the same few languages paragraph after paragraph. */
    static struct {
        char code[32];
        char voice[SPEECH_NAME_MAX + 1]; /* "" for none */
    } known[32];
    static size_t known_count, known_next;
    const char *found = NULL;
    for (size_t i = 0; i < known_count && !found; i++) {
        if (strcmp(known[i].code, code) == 0)
            found = known[i].voice;
    }
    if (!found) {
        aloud_status status = speech_engine_start(err);
        if (status != ALOUD_OK)
            return status;
        locale_t previous = speech_locale_enter();
        char primary[32];
        snprintf(primary, sizeof primary, "%s", code);
        const espeak_VOICE *v = speech_voice_of(primary);
        if (!v) {
            /* "de-AT" has no voice of its own: German will do. */
            primary[strcspn(primary, "-")] = '\0';
            v = speech_voice_of(primary);
        }
        size_t at = known_next;
        snprintf(known[at].code, sizeof known[at].code, "%s", code);
        snprintf(known[at].voice, sizeof known[at].voice, "%s",
                 v ? speech_id_leaf(v->identifier) : "");
        speech_locale_leave(previous);
        known_next = (known_next + 1) % (sizeof known / sizeof known[0]);
        if (known_count < sizeof known / sizeof known[0])
            known_count++;
        found = known[at].voice;
    }
    if (!found[0])
        return aloud_error_set(err, ALOUD_ERR_VOICE, 0, 0,
                               "espeak-ng has no voice for the language '%s'", lang);
    snprintf(espeak, size, "%s", found);
    return ALOUD_OK;
}

aloud_status aloud_voice_lang(const aloud_voice *voice, char *lang, size_t size, aloud_error *err)
{
    if (!voice || !lang || size == 0)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no voice or result");
    speech_name nm;
    aloud_status status = speech_parse_name(voice->espeak, sizeof voice->espeak, &nm, err);
    if (status == ALOUD_OK)
        status = speech_engine_start(err);
    if (status != ALOUD_OK)
        return status;
    locale_t previous = speech_locale_enter();
    const espeak_VOICE **list = espeak_ListVoices(NULL);
    const char *found = NULL;
    for (size_t i = 0; list && list[i] && !found; i++) {
        const espeak_VOICE *v = list[i];
        if (!v->identifier || !v->languages || !v->languages[0])
            continue;
        if ((v->name && strcasecmp(nm.base, v->name) == 0) ||
            strcasecmp(nm.base, v->identifier) == 0 ||
            strcasecmp(nm.base, speech_id_leaf(v->identifier)) == 0 ||
            speech_voice_lists(v, nm.base) >= 0)
            found = speech_voice_lists(v, nm.base) >= 0 ? nm.base : v->languages + 1;
    }
    char code[SPEECH_NAME_MAX + 1] = "";
    if (found)
        snprintf(code, sizeof code, "%s", found);
    speech_locale_leave(previous);
    if (!found)
        return aloud_error_set(err, ALOUD_ERR_VOICE, 0, 0, "unknown espeak-ng voice '%s'",
                               nm.base);
    for (size_t i = 0; i < sizeof speech_lang_name / sizeof speech_lang_name[0]; i++) {
        if (strcasecmp(code, speech_lang_name[i].espeak) == 0)
            snprintf(code, sizeof code, "%s", speech_lang_name[i].bcp47);
    }
    /* BCP-47 writes a region in capitals: "en-US", "pt-BR". */
    char *dash = strchr(code, '-');
    if (dash && strlen(dash + 1) == 2) {
        dash[1] = ascii_to_upper(dash[1]);
        dash[2] = ascii_to_upper(dash[2]);
    }
    snprintf(lang, size, "%s", code);
    return ALOUD_OK;
}

aloud_status speech_use_voice(speech *sp, const char *espeak, aloud_error *err)
{
    aloud_voice v = sp->voice;
    const char *plus = strchr(sp->voice.espeak, '+');
    int n = snprintf(v.espeak, sizeof v.espeak, "%s%s", espeak, plus ? plus : "");
    if (n < 0 || (size_t)n >= sizeof v.espeak)
        return aloud_error_set(err, ALOUD_ERR_VOICE, 0, 0, "voice name too long");
    locale_t previous = speech_locale_enter();
    aloud_status status = speech_apply(&v, err);
    speech_locale_leave(previous);
    return status;
}

/* ------------------------------------------------------------- public */

aloud_status aloud_voice_check(const aloud_voice *voice, aloud_error *err)
{
    if (!voice)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no voice");
    aloud_status status = speech_check_voice(voice, err);
    if (status != ALOUD_OK)
        return status;

    status = speech_engine_start(err);
    if (status != ALOUD_OK)
        return status;
    locale_t previous = speech_locale_enter();
    status = speech_select(voice->espeak, sizeof voice->espeak, err);
    if (speech_engine.active) {
        /* Leave the engine of this process as it was. */
        aloud_error ignored;
        speech_apply(&speech_engine.active->voice, &ignored);
    }
    speech_locale_leave(previous);
    return status;
}

aloud_status speech_create(const aloud_voice *voice, speech **out, aloud_error *err)
{
    if (!out)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no result pointer");
    *out = NULL;
    if (!voice)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no voice");
    if (speech_engine.active)
        return aloud_error_set(err, ALOUD_ERR_ENGINE, 0, 0,
                               "this process has a speech engine already");
    aloud_status status = speech_check_voice(voice, err);
    if (status != ALOUD_OK)
        return status;

    speech *sp = calloc(1, sizeof *sp);
    if (!sp)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    sp->voice = *voice;

    status = speech_engine_start(err);
    if (status != ALOUD_OK) {
        free(sp);
        return status;
    }
    locale_t previous = speech_locale_enter();
    status = speech_apply(voice, err);
    int rate = espeak_ng_GetSampleRate();
    speech_locale_leave(previous);
    if (status == ALOUD_OK && rate <= 0)
        status = aloud_error_set(err, ALOUD_ERR_ENGINE, 0, 0, "espeak-ng has no sample rate");
    if (status != ALOUD_OK) {
        free(sp);
        return status;
    }
    sp->sample_rate = (unsigned)rate;
    speech_engine.active = sp;
    *out = sp;
    return ALOUD_OK;
}

unsigned speech_sample_rate(const speech *sp)
{
    return sp ? sp->sample_rate : 0;
}

aloud_status speech_say(speech *sp, const char *text, speech_sink sink, void *ctx,
                        aloud_error *err)
{
    if (!sp || !text || !sink)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0,
                               "speech_say needs an engine, text and sink");
    if (!speech_engine.ready)
        return aloud_error_set(err, ALOUD_ERR_ENGINE, 0, 0, "espeak-ng is not running");

    /* Inputs that crash espeak-ng 1.51 never reach it (see engine_guard.h). */
    char *safe = guard_text(text, strlen(text), NULL);
    if (!safe)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");

    sp->sink = sink;
    sp->sink_ctx = ctx;
    sp->produced = 0;
    sp->limit = (uint64_t)sp->sample_rate * SPEECH_MAX_SECONDS;
    sp->zeros = 0;
    sp->failure = ALOUD_OK;

    locale_t previous = speech_locale_enter();
    /* No espeakENDPAUSE: the caller's pauses follow the speech exactly.
     * espeakPHONEMES reads "[[...]]" as phonemes, as lexicon entries write
     * them; the spoken-text rules break up any "[[" the article itself has. */
    espeak_ng_STATUS st = espeak_ng_Synthesize(safe, strlen(safe) + 1, 0, POS_CHARACTER, 0,
                                               espeakCHARS_UTF8 | espeakPHONEMES, NULL, sp);
    speech_locale_leave(previous);
    free(safe);

    aloud_status failure = sp->failure;
    sp->sink = NULL;
    sp->sink_ctx = NULL;
    /* The callback stops espeak-ng only for these two reasons. */
    if (failure == ALOUD_ERR_WRITE)
        return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "the audio output stopped the speech");
    if (failure != ALOUD_OK)
        return aloud_error_set(err, ALOUD_ERR_LIMIT, 0, 0,
                               "the sentence makes more than %u minutes of audio; stopped",
                               SPEECH_MAX_SECONDS / 60);
    if (st != ENS_OK) {
        char msg[160];
        speech_status_message(st, msg, sizeof msg);
        return aloud_error_set(err, ALOUD_ERR_ENGINE, 0, 0, "espeak-ng failed: %s", msg);
    }
    return ALOUD_OK;
}

void speech_free(speech *sp)
{
    if (!sp)
        return;
    /* espeak-ng itself stays (see the top of the file). */
    if (speech_engine.active == sp)
        speech_engine.active = NULL;
    free(sp);
}

aloud_status speech_voices_list(aloud_voice_list_fn fn, void *ctx, aloud_error *err)
{
    if (!fn)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no callback");
    aloud_status status = speech_engine_start(err);
    if (status != ALOUD_OK)
        return status;
    locale_t previous = speech_locale_enter();
    /* Without a filter espeak-ng lists its voices by language, leaving out
     * the variants and MBROLA voices; the variants come from their folder. */
    const espeak_VOICE **list = espeak_ListVoices(NULL);
    for (size_t i = 0; list && list[i]; i++) {
        const espeak_VOICE *v = list[i];
        if (!v->identifier || strncmp(v->identifier, "mb/", 3) == 0)
            continue;
        const char *language = v->languages && v->languages[0] ? v->languages + 1 : "";
        fn(ctx, "espeak-ng", speech_id_leaf(v->identifier), language, v->name ? v->name : "");
    }
    espeak_VOICE spec;
    memset(&spec, 0, sizeof spec);
    spec.languages = "!v";
    list = espeak_ListVoices(&spec);
    for (size_t i = 0; list && list[i]; i++) {
        const espeak_VOICE *v = list[i];
        if (!v->identifier || strncmp(v->identifier, "!v/", 3) != 0)
            continue;
        char name[64];
        snprintf(name, sizeof name, "+%s", v->identifier + 3);
        fn(ctx, "espeak-ng", name, "variant", v->name ? v->name : "");
    }
    speech_locale_leave(previous);
    return ALOUD_OK;
}

const char *aloud_engine_version(void)
{
    const char *version = espeak_Info(NULL);
    return version ? version : "unknown";
}
