/*
 * opus_writer.c - Ogg Opus output with chapters, through libopusenc.
 *
 * Chapters are Xiph CHAPTERnnn / CHAPTERnnnNAME comments (numbered from
 * 001, HH:MM:SS.mmm, at most 999), which ffprobe, mediainfo and the phone
 * apps that know Opus chapters read (FORMATS.md). They sit in the OpusTags
 * header, before any audio, and libopusenc copies the comments when the
 * encoder is created, so the chapter list must be final by then, and it
 * offers no way to change them afterwards. (Patching its OpusTags pages
 * in place, same size with new page checksums, would work like the FLAC
 * writer's rewrite and let encoding overlap synthesis, but means relying
 * on libopusenc's page layout; see the cost below.)
 *
 * So write() spools the PCM to a temporary file beside the output (same
 * filesystem, not a tmpfs /tmp that may be small) which is unlinked at
 * once: nothing is left behind even if the process is killed. close()
 * creates the encoder with the final comments and encodes from the spool
 * in bounded chunks. The spool costs 2 bytes per sample (159 MB for an
 * hour at 22050 Hz mono) of disk, never memory.
 *
 * Chapter times are output time: the position in the input in
 * milliseconds. libopusenc trims the encoder's pre-skip itself (OpusHead),
 * so decoded sample n is input sample n; no correction is applied.
 *
 * Opus codes at 48 kHz; libopusenc resamples 22050 Hz input itself with
 * the Speex resampler at quality 5. Measured with perf while encoding an
 * hour of espeak-ng speech at 32 kb/s: the resampler (all of libopusenc's
 * own code) is 2.8% of the CPU time, about 2 s an hour, against some 65 s
 * of CPU for libopus itself (complexity 10, on a shared 2-core build box);
 * feeding the same speech at 48 kHz was not measurably faster. So we let
 * libopusenc resample. The encoding itself runs in close(), after the
 * speech is made; that minute an hour is the price of final comments.
 *
 * The Ogg serial number is derived from the comments, not libopusenc's
 * rand(): the output must be a pure function of the input.
 *
 * Names here share libopus's "opus_" prefix, so none of them may be one of
 * its functions (opus_encode, opus_encoder_*, opus_decode*, ...).
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <opus/opusenc.h>

#include "clock.h"
#include "cover.h"
#include "utf8.h"
#include "writer.h"

/* PCM frames read from the spool per encoder call; bounds memory, not the audio. */
#define OPUS_CHUNK_FRAMES 8192u

struct writer {
    FILE *f;               /* the output, created at open and written at close */
    FILE *spool;           /* unlinked temporary file holding the PCM */
    char *path;            /* owned copy, for messages */
    unsigned sample_rate;
    unsigned channels;
    unsigned bitrate;      /* bits per second */
    uint64_t frames;       /* spooled so far */
    char *title;           /* owned copies; may be NULL */
    char *artist;
    char *software;
    size_t chapter_count;
    char **titles;         /* chapter_count entries, never NULL */
    const cover_image *cover; /* borrowed from the params (lives until close); may be NULL */
    bool write_failed;     /* set by the page callback */
    int write_errno;
    const volatile sig_atomic_t *stop; /* borrowed from the params; may be NULL */
};

/* ---------------------------------------------------------------- helpers */


/* Frees everything `w` owns and closes both files. NULL is a no-op. */
static void opus_free(writer *w)
{
    if (!w)
        return;
    if (w->f)
        fclose(w->f);
    if (w->spool)
        fclose(w->spool);
    writer_free_titles(w->titles, w->chapter_count);
    free(w->title);
    free(w->artist);
    free(w->software);
    free(w->path);
    free(w);
}

/* Copies (and checks) tags and chapter titles: the comments are built at close. */
static aloud_status opus_copy_strings(writer *w, const writer_params *p, aloud_error *err)
{
    const char *tags[] = {p->title, p->author, p->software};
    const char *tag_names[] = {"title", "artist", "software tag"};

    for (size_t i = 0; i < 3; i++)
        if (!utf8_is_valid_string(tags[i]))
            return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0,
                                   "cannot store the %s in Opus: not UTF-8", tag_names[i]);
    if ((p->title && !(w->title = writer_strdup(p->title)))
        || (p->author && !(w->artist = writer_strdup(p->author)))
        || (p->software && !(w->software = writer_strdup(p->software))))
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for Opus tags");
    for (size_t i = 0; i < p->chapter_count; i++) {
        if (p->chapter_titles && !utf8_is_valid_string(p->chapter_titles[i]))
            return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0,
                                   "cannot store the chapter title in Opus: not UTF-8");
    }
    w->titles = writer_copy_titles(p);
    if (!w->titles)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for chapter titles");
    w->chapter_count = p->chapter_count;
    return ALOUD_OK;
}

/*
 * Creates the spool beside `path` and unlinks it at once; the open stream
 * keeps it alive until fclose.
 */
static aloud_status opus_create_spool(writer *w, aloud_error *err)
{
    size_t n = strlen(w->path) + sizeof ".spool-XXXXXX";
    char *name = malloc(n);
    int fd, e;

    if (!name)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    snprintf(name, n, "%s.spool-XXXXXX", w->path);
    fd = mkstemp(name);
    if (fd < 0) {
        e = errno;
        free(name);
        return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0,
                               "cannot create a spool file beside %s: %s", w->path, strerror(e));
    }
    unlink(name);
    free(name);
    w->spool = fdopen(fd, "w+b");
    if (!w->spool) {
        e = errno;
        close(fd);
        return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot open the spool file: %s",
                               strerror(e));
    }
    return ALOUD_OK;
}


static aloud_status opus_ope_error(int code, const char *what, aloud_error *err)
{
    aloud_status st = code == OPE_ALLOC_FAIL ? ALOUD_ERR_NOMEM
                      : code == OPE_BAD_ARG  ? ALOUD_ERR_ARG
                                             : ALOUD_ERR_WRITE;

    return aloud_error_set(err, st, 0, 0, "cannot %s: %s", what, ope_strerror(code));
}

/* TITLE, ARTIST, ENCODER, then a time/name pair per chapter up to the format's cap
 * (NAME after time). */
static aloud_status opus_build_comments(const writer *w, const uint64_t *frames,
                                        OggOpusComments **out, aloud_error *err)
{
    OggOpusComments *c = ope_comments_create();
    const char *names[] = {"TITLE", "ARTIST", "ENCODER"};
    const char *values[] = {w->title, w->artist, w->software};
    size_t cap = formats_opus.chapter_cap;
    size_t named = w->chapter_count < cap ? w->chapter_count : cap;
    int rc = OPE_OK;

    *out = NULL;
    if (!c)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for Opus comments");
    for (size_t i = 0; i < 3 && rc == OPE_OK; i++) {
        if (values[i])
            rc = ope_comments_add(c, names[i], values[i]);
    }
    for (size_t i = 0; i < named && rc == OPE_OK; i++) {
        char name[32], time[32];

        snprintf(name, sizeof name, "CHAPTER%03zu", i + 1);
        clock_format(clock_ms(frames[i], w->sample_rate), '.', time, sizeof time);
        rc = ope_comments_add(c, name, time);
        snprintf(name, sizeof name, "CHAPTER%03zuNAME", i + 1);
        if (rc == OPE_OK)
            rc = ope_comments_add(c, name, w->titles[i]);
    }
    /* The front cover (type 3), as METADATA_BLOCK_PICTURE in base64. */
    if (rc == OPE_OK && w->cover)
        rc = ope_comments_add_picture_from_memory(c, (const char *)w->cover->data,
                                                  w->cover->size, 3, NULL);
    if (rc != OPE_OK) {
        ope_comments_destroy(c);
        return opus_ope_error(rc, "build the Opus comments", err);
    }
    *out = c;
    return ALOUD_OK;
}

/* FNV-1a over the tags and chapters: a serial number that is the same for the same input. */
static int opus_serial(const writer *w, const uint64_t *frames)
{
    uint32_t h = 2166136261u;
    const char *parts[] = {w->title, w->artist, w->software};

    for (size_t i = 0; i < 3 + w->chapter_count; i++) {
        const char *s = i < 3 ? parts[i] : w->titles[i - 3];

        for (; s && *s; s++)
            h = (h ^ (unsigned char)*s) * 16777619u;
        h = (h ^ 0xffu) * 16777619u;
    }
    for (size_t i = 0; i < w->chapter_count; i++)
        h = (h ^ (uint32_t)(frames[i] & 0xffffffffu)) * 16777619u;
    h = (h ^ (uint32_t)(w->frames & 0xffffffffu)) * 16777619u;
    return (int)(h & 0x7fffffffu);
}

static int opus_page_write(void *user, const unsigned char *p, opus_int32 len)
{
    writer *w = user;

    if (len < 0 || fwrite(p, 1, (size_t)len, w->f) != (size_t)len) {
        if (!w->write_failed)
            w->write_errno = errno;
        w->write_failed = true;
        return 1;
    }
    return 0;
}

/* The stream ends; the file stays open for close() to check and close. */
static int opus_page_close(void *user)
{
    (void)user;
    return 0;
}

static aloud_status opus_stream_error(const writer *w, int code, aloud_error *err)
{
    if (w->write_failed)
        return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot write %s: %s", w->path,
                               strerror(w->write_errno));
    return opus_ope_error(code, "encode Opus", err);
}

/* Feeds the spool to the encoder in chunks of OPUS_CHUNK_FRAMES. */
static aloud_status opus_encode_spool(writer *w, OggOpusEnc *enc, aloud_error *err)
{
    int16_t *buf = malloc(sizeof *buf * OPUS_CHUNK_FRAMES * w->channels);
    uint64_t left = w->frames;
    aloud_status st = ALOUD_OK;

    if (!buf)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    if (fflush(w->spool) != 0 || fseeko(w->spool, 0, SEEK_SET) != 0)
        st = aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot rewind the spool file: %s",
                             strerror(errno));
    while (st == ALOUD_OK && left > 0) {
        size_t n = left < OPUS_CHUNK_FRAMES ? (size_t)left : OPUS_CHUNK_FRAMES;
        int rc;

        /* An hour of speech takes about a minute to encode: a signal must not wait for it. */
        if (w->stop && *w->stop) {
            st = aloud_error_set(err, ALOUD_ERR_CANCELLED, 0, 0, "stopped by a signal");
            break;
        }
        if (fread(buf, sizeof *buf * w->channels, n, w->spool) != n) {
            st = aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot read back the spool file");
            break;
        }
        rc = ope_encoder_write(enc, buf, (int)n);
        if (rc != OPE_OK)
            st = opus_stream_error(w, rc, err);
        left -= n;
    }
    free(buf);
    return st;
}

/* Creates the encoder with the final comments, encodes the spool and drains. */
static aloud_status opus_run_encoder(writer *w, const uint64_t *frames, aloud_error *err)
{
    static const OpusEncCallbacks callbacks = {opus_page_write, opus_page_close};
    OggOpusComments *comments = NULL;
    OggOpusEnc *enc;
    aloud_status st = opus_build_comments(w, frames, &comments, err);
    int rc = OPE_OK;

    if (st != ALOUD_OK)
        return st;
    enc = ope_encoder_create_callbacks(&callbacks, w, comments, (opus_int32)w->sample_rate,
                                       (int)w->channels, 0, &rc);
    ope_comments_destroy(comments); /* the encoder keeps its own copy */
    if (!enc || rc != OPE_OK)
        return opus_ope_error(rc, "create the Opus encoder", err);
    rc = ope_encoder_ctl(enc, OPE_SET_SERIALNO(opus_serial(w, frames)));
    if (rc == OPE_OK)
        rc = ope_encoder_ctl(enc, OPUS_SET_BITRATE((opus_int32)w->bitrate));
    if (rc == OPE_OK)
        rc = ope_encoder_ctl(enc, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
    if (rc != OPE_OK)
        st = opus_ope_error(rc, "set up the Opus encoder", err);
    if (st == ALOUD_OK)
        st = opus_encode_spool(w, enc, err);
    if (st == ALOUD_OK && (rc = ope_encoder_drain(enc)) != OPE_OK)
        st = opus_stream_error(w, rc, err);
    ope_encoder_destroy(enc);
    return st;
}

/* ------------------------------------------------------------- the writer */

static aloud_status opus_open(const char *path, const writer_params *params, writer **out,
                              aloud_error *err)
{
    writer *w;
    aloud_status st;

    if (!out)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no place for the writer");
    *out = NULL;
    if (!path || !params || params->channels == 0 || params->channels > 2
        || params->sample_rate == 0 || params->sample_rate > INT_MAX)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "bad Opus writer parameters");
    w = calloc(1, sizeof *w);
    if (!w || !(w->path = writer_strdup(path))) {
        opus_free(w);
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    }
    w->sample_rate = params->sample_rate;
    w->channels = params->channels;
    w->stop = params->stop;
    w->cover = params->cover;
    st = writer_bitrate(&formats_opus, params->sample_rate, params->bitrate, &w->bitrate, err);
    if (st == ALOUD_OK)
        st = opus_copy_strings(w, params, err);
    /* Created now so that an unwritable place fails before any speech is made. */
    if (st == ALOUD_OK && !(w->f = writer_create_file(path)))
        st = aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot create %s: %s", path,
                             strerror(errno));
    if (st == ALOUD_OK)
        st = opus_create_spool(w, err);
    if (st != ALOUD_OK) {
        opus_free(w);
        return st;
    }
    *out = w;
    return ALOUD_OK;
}

static aloud_status opus_write(writer *w, const int16_t *pcm, size_t frames, aloud_error *err)
{
    if (!w || (!pcm && frames))
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "bad arguments to the Opus writer");
    if (frames == 0)
        return ALOUD_OK;
    if (fwrite(pcm, sizeof *pcm * w->channels, frames, w->spool) != frames)
        return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot spool audio for %s: %s",
                               w->path, strerror(errno));
    w->frames += frames;
    return ALOUD_OK;
}

static aloud_status opus_close(writer *w, const uint64_t *chapter_frames, aloud_error *err)
{
    aloud_status st;
    int rc;

    if (!w)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no Opus writer to close");
    st = writer_check_chapters(w->chapter_count, chapter_frames, w->frames, err);
    if (st == ALOUD_OK)
        st = opus_run_encoder(w, chapter_frames, err);
    rc = fclose(w->f);
    w->f = NULL;
    if (st == ALOUD_OK && rc != 0)
        st = aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot finish %s: %s", w->path,
                             strerror(errno));
    opus_free(w);
    return st;
}

static void opus_abort(writer *w)
{
    opus_free(w);
}

/* Its limits and names are in its entry of the format table (formats.c). */
const writer_ops writer_opus = {
    .open = opus_open,
    .write = opus_write,
    .close = opus_close,
    .abort = opus_abort,
};
