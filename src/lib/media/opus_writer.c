/*
 * opus_writer.c - Ogg Opus output with chapters, encoded in parallel.
 *
 * Chapters are Xiph CHAPTERnnn / CHAPTERnnnNAME comments (numbered from
 * 001, HH:MM:SS.mmm, at most 999), which ffprobe, mediainfo and the phone
 * apps that know Opus chapters read (FORMATS.md). They sit in the OpusTags
 * header, before any audio, so the chapter list must be final before the
 * first audio page is written.
 *
 * So write() spools the PCM to a temporary file beside the output (same
 * filesystem, not a tmpfs /tmp that may be small) which is unlinked at
 * once: nothing is left behind even if the process is killed. close()
 * writes OpusHead and OpusTags, then encodes the spool: cut into segments
 * inside silence, each encoded by a fresh libopus encoder in a thread of
 * its own (segenc.h; see "segments" below), their packets written in
 * order as one Ogg stream (ogg_pages.c). The spool costs 2 bytes per sample (159 MB for
 * an hour at 22050 Hz mono) of disk, never memory; segments in flight are
 * bounded (two per thread).
 *
 * Why libopus and not libopusenc: libopusenc owns the stream from its
 * first sample (its pre-skip, its resampler's state, its padding at the
 * end), so segments of it cannot be joined. Here the 22050 Hz input is
 * resampled to 24 kHz by resample.c, stateless, so each segment's stretch
 * equals the same stretch of the whole. With the encoder at complexity 0
 * the resampler costs a fifth of the encoder's time (5.9 ns an output
 * sample); at 24 kHz it has half the samples to make.
 *
 * Chapter times are output time: the position in the input in
 * milliseconds. OpusHead's pre-skip is the encoder's look-ahead (at 48 kHz) and the
 * last granule position is pre-skip + the input's length at 48 kHz
 * (rounded up), so decoded sample n is input sample n.
 *
 * Settings (bench/codec_settings.py, on espeak-ng speech at 22050 Hz,
 * quality as the mel log-spectral distance of libopus's decode from the
 * source, lower is better; application AUDIO, VBR at the bitrate asked,
 * a default of 44 kb/s in formats.c). Two regimes, by bitrate:
 *
 * - From 40 kb/s: the CELT layer alone (signal MUSIC), complexity 0, 10 ms
 *   frames. On text/news.txt at 44 kb/s: 1.806 dB, 525 KB, 0.13 s of
 *   encoder CPU; on 18 minutes of the GPL-3: 1.826 dB for 1.7 s.
 * - Below: SILK and CELT together (signal VOICE), complexity 4, 20 ms
 *   frames, which CELT cannot match there (24 kb/s: 2.86 against 3.45 dB;
 *   32 kb/s: 2.39 against 2.51).
 *
 * The speech mode at 44 kb/s (signal VOICE, complexity 4, 20 ms), this
 * writer's former setting, gives 1.885 dB, 499 KB for 0.78 s on news.txt
 * and 1.946 dB for 10.5 s on the GPL-3: CELT alone at complexity 0 is as
 * close to the source for 5 to 6 times less CPU and about 5% more bytes.
 * Higher CELT complexities cost more and score worse on this measure
 * (2.4 to 2.9 dB); 10 ms frames score better than 20 ms at the same
 * bitrate (1.806 against 1.953 dB). aloud's first Opus writer (libopusenc,
 * complexity 10, 32 kb/s) gave 1.954 dB.
 *
 * The Ogg serial number is derived from the comments, not random: the
 * output must be a pure function of the input.
 *
 * Names here share libopus's "opus_" prefix, so none of them may be one of
 * its functions (opus_encode, opus_encoder_*, opus_decode*, ...).
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/types.h>

#include <opus.h>

#include "clock.h"
#include "ogg_pages.h"
#include "resample.h"
#include "segenc.h"
#include "cover.h"
#include "utf8.h"
#include "writer.h"

/* The two regimes, chosen by measurement (see the top of the file). */
#define OPUS_CELT_MIN_BITRATE 40000u  /* from here on, CELT alone... */
#define OPUS_CELT_COMPLEXITY 0
#define OPUS_CELT_FRAME 240u          /* ...in 10 ms frames at OPUS_RATE */
#define OPUS_SPEECH_COMPLEXITY 4
#define OPUS_SPEECH_FRAME 480u        /* 20 ms */

struct writer {
    FILE *f;               /* the output, created at open and written at close */
    FILE *spool;           /* unlinked temporary file holding the PCM */
    segenc_cuts cuts;      /* where the spool may be cut, found as it is written */
    char *path;            /* owned copy, for messages */
    unsigned sample_rate;
    unsigned channels;
    unsigned bitrate;      /* bits per second */
    unsigned frame;        /* samples per packet at OPUS_RATE: OPUS_CELT_FRAME or OPUS_SPEECH_FRAME */
    uint64_t frames;       /* spooled so far */
    char *title;           /* owned copies; may be NULL */
    char *artist;
    char *software;
    size_t chapter_count;
    char **titles;         /* chapter_count entries, never NULL */
    bool has_gain;         /* R128_TRACK_GAIN, from the params' gain */
    int r128_gain;         /* Q7.8 dB */
    const cover_image *cover; /* borrowed from the params (lives until close); may be NULL */
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
    segenc_cuts_free(&w->cuts);
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


/* ------------------------------------------------------------ comments */

/* A growing byte buffer for the OpusTags packet. */
typedef struct opus_bytes {
    unsigned char *p;
    size_t n, cap;
    bool nomem;
} opus_bytes;

static void opus_put(opus_bytes *b, const void *data, size_t size)
{
    if (b->nomem)
        return;
    if (b->n + size > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->n + size)
            cap *= 2;
        unsigned char *q = realloc(b->p, cap);
        if (!q) {
            b->nomem = true;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->n, data, size);
    b->n += size;
}

static void opus_put32(opus_bytes *b, uint32_t v)
{
    unsigned char q[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    opus_put(b, q, 4);
}

static void opus_put_comment(opus_bytes *b, uint32_t *count, const char *name, const char *value)
{
    size_t n = strlen(name), v = strlen(value);
    opus_put32(b, (uint32_t)(n + 1 + v));
    opus_put(b, name, n);
    opus_put(b, "=", 1);
    opus_put(b, value, v);
    (*count)++;
}

/* A big-endian 32-bit number, as a FLAC picture block has them. */
static void opus_put_be32(opus_bytes *b, uint32_t v)
{
    unsigned char q[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};
    opus_put(b, q, 4);
}

/*
 * The cover as a METADATA_BLOCK_PICTURE comment: a FLAC PICTURE block
 * (type 3, the front cover; MIME type, no description, size and depth from
 * the image's header) in base64, as the Xiph comment convention has it.
 */
static void opus_put_picture(opus_bytes *b, uint32_t *count, const cover_image *cover)
{
    static const char digits[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    opus_bytes block = {0};
    opus_put_be32(&block, 3);
    opus_put_be32(&block, (uint32_t)strlen(cover->mime));
    opus_put(&block, cover->mime, strlen(cover->mime));
    opus_put_be32(&block, 0);
    opus_put_be32(&block, cover->width);
    opus_put_be32(&block, cover->height);
    opus_put_be32(&block, cover->depth);
    opus_put_be32(&block, 0);
    opus_put_be32(&block, (uint32_t)cover->size);
    opus_put(&block, cover->data, cover->size);
    char *text = block.nomem ? NULL : malloc((block.n + 2) / 3 * 4 + 1);
    if (!text) {
        b->nomem = true;
        free(block.p);
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < block.n; i += 3) {
        uint32_t v = (uint32_t)block.p[i] << 16;
        if (i + 1 < block.n)
            v |= (uint32_t)block.p[i + 1] << 8;
        if (i + 2 < block.n)
            v |= block.p[i + 2];
        text[n++] = digits[v >> 18 & 63];
        text[n++] = digits[v >> 12 & 63];
        text[n++] = i + 1 < block.n ? digits[v >> 6 & 63] : '=';
        text[n++] = i + 2 < block.n ? digits[v & 63] : '=';
    }
    text[n] = '\0';
    opus_put_comment(b, count, "METADATA_BLOCK_PICTURE", text);
    free(text);
    free(block.p);
}

/*
 * OpusTags (RFC 7845): the vendor, then TITLE, ARTIST, ENCODER, the gain,
 * and a time/name pair per chapter up to the format's cap (NAME after time).
 */
static aloud_status opus_build_tags(const writer *w, const uint64_t *frames, opus_bytes *b,
                                    aloud_error *err)
{
    const char *names[] = {"TITLE", "ARTIST", "ENCODER"};
    const char *values[] = {w->title, w->artist, w->software};
    const char *vendor = opus_get_version_string();
    size_t cap = formats_opus.chapter_cap;
    size_t named = w->chapter_count < cap ? w->chapter_count : cap;
    uint32_t count = 0;

    opus_put(b, "OpusTags", 8);
    opus_put32(b, (uint32_t)strlen(vendor));
    opus_put(b, vendor, strlen(vendor));
    size_t count_at = b->n;
    opus_put32(b, 0);
    for (size_t i = 0; i < 3; i++) {
        if (values[i])
            opus_put_comment(b, &count, names[i], values[i]);
    }
    if (w->has_gain) {
        char gain[16];

        snprintf(gain, sizeof gain, "%d", w->r128_gain);
        opus_put_comment(b, &count, "R128_TRACK_GAIN", gain);
    }
    for (size_t i = 0; i < named; i++) {
        char name[32], time[32];

        snprintf(name, sizeof name, "CHAPTER%03zu", i + 1);
        clock_format(clock_ms(frames[i], w->sample_rate), '.', time, sizeof time);
        opus_put_comment(b, &count, name, time);
        snprintf(name, sizeof name, "CHAPTER%03zuNAME", i + 1);
        opus_put_comment(b, &count, name, w->titles[i]);
    }
    /* The front cover (type 3), as METADATA_BLOCK_PICTURE in base64. */
    if (w->cover)
        opus_put_picture(b, &count, w->cover);
    if (b->nomem)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for Opus comments");
    for (int i = 0; i < 4; i++)
        b->p[count_at + (size_t)i] = (unsigned char)(count >> (8 * i));
    return ALOUD_OK;
}

/* FNV-1a over the tags and chapters: a serial number that is the same for the same input. */
static uint32_t opus_serial(const writer *w, const uint64_t *frames)
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
    return h & 0x7fffffffu;
}

/* ------------------------------------------------------------ segments */

/*
 * The audio is cut into segments inside runs of digital silence (the
 * pauses between paragraphs and sentences), and each segment is encoded by
 * its own fresh encoder in a thread of its own; their packets, in order,
 * make one stream. Where the cuts fall depends on the audio alone, never
 * on the number of threads, so the file is the same for any.
 *
 * Why a cut is inaudible: a fresh encoder assumes silence before its first
 * sample, which is true here for OPUS_CUT_MARGIN on either side; its
 * look-ahead (the stream's pre-skip) is silence too. The only difference
 * from one encoder running through is the encoders' adaptive state, which
 * shows in the decoded silence next to the cut, and nowhere else
 * (bench/opus_cuts.py measures it).
 *
 * A cut sits on a packet boundary of the encoder's stream that is also a
 * whole input sample, so that the segment's packets start exactly there.
 */
/*
 * The encoder takes 24 kHz: all the speech (espeak-ng's 22050 Hz holds
 * nothing above 11 kHz) for half the resampling of 48 kHz, at the same
 * encoder CPU and as close to the source (mel LSD 1.73 against 1.81 dB on
 * text/news.txt at 44 kb/s). Ogg Opus counts granule positions and the
 * pre-skip at 48 kHz whatever the encoder's rate (RFC 7845, 4).
 */
#define OPUS_RATE 24000u
#define OPUS_GRANULE_RATE 48000u
#define OPUS_GRANULES (OPUS_GRANULE_RATE / OPUS_RATE) /* per sample at OPUS_RATE */
#define OPUS_CUT_MARGIN_MS 100u        /* silence each side of a cut */
#define OPUS_SEGMENT_MIN_S 10u         /* the least audio between two cuts */
#define OPUS_CHUNK_S 1u                /* seconds encoded per read from the spool */

/* What the segments' callbacks share (segenc.h). */
typedef struct opus_job {
    writer *w;
    resampler *rs;
    int fd;                    /* the spool, read with pread by every thread */
    uint64_t *bounds;          /* segment s is [bounds[s], bounds[s + 1]), at OPUS_RATE */
    size_t seg_count;
    oggw *og;
    uint64_t packets;          /* written so far */
    uint64_t end_granule;      /* pre-skip + the input's length, at 48 kHz */
} opus_job;

/* The input frames that make a whole number of packets: 441 at 22050 Hz. */
static uint64_t opus_cut_unit(unsigned rate, unsigned frame)
{
    uint64_t g = rate, b = OPUS_RATE / frame; /* packets a second */
    while (b) {
        uint64_t t = g % b;
        g = b;
        b = t;
    }
    return rate / g;
}

/* A fresh encoder with aloud's settings (see the top of the file). */
static OpusEncoder *opus_new_encoder(const writer *w, int *lookahead, int *rc)
{
    OpusEncoder *enc = opus_encoder_create((opus_int32)OPUS_RATE, (int)w->channels,
                                           OPUS_APPLICATION_AUDIO, rc);
    if (!enc || *rc != OPUS_OK)
        return NULL;
    bool celt = w->frame == OPUS_CELT_FRAME;
    *rc = opus_encoder_ctl(enc, OPUS_SET_BITRATE((opus_int32)w->bitrate));
    if (*rc == OPUS_OK)
        *rc = opus_encoder_ctl(enc, OPUS_SET_SIGNAL(celt ? OPUS_SIGNAL_MUSIC : OPUS_SIGNAL_VOICE));
    if (*rc == OPUS_OK)
        *rc = opus_encoder_ctl(enc, OPUS_SET_COMPLEXITY(celt ? OPUS_CELT_COMPLEXITY
                                                             : OPUS_SPEECH_COMPLEXITY));
    if (*rc == OPUS_OK && lookahead)
        *rc = opus_encoder_ctl(enc, OPUS_GET_LOOKAHEAD(lookahead));
    if (*rc != OPUS_OK) {
        opus_encoder_destroy(enc);
        return NULL;
    }
    return enc;
}

/* A segenc_encode_fn: segment `index` through a fresh encoder, into its packets. */
static aloud_status opus_encode_segment(void *ctx, size_t index, segenc_out *out,
                                        aloud_error *err)
{
    opus_job *job = ctx;
    const writer *w = job->w;
    uint64_t first = job->bounds[index], end = job->bounds[index + 1];
    int rc = OPUS_OK;
    OpusEncoder *enc = opus_new_encoder(w, NULL, &rc);
    size_t frame = w->frame;
    size_t chunk = (size_t)OPUS_CHUNK_S * OPUS_RATE;
    int64_t span_first;
    size_t span_count;
    resample_span(job->rs, 0, chunk, &span_first, &span_count);
    int16_t *in = malloc(sizeof *in * (span_count + 2) * w->channels);
    float *pcm = malloc(sizeof *pcm * chunk * w->channels);
    unsigned char packet[4000];
    aloud_status st = ALOUD_OK;

    if (!enc || !in || !pcm) {
        st = !enc && rc != OPUS_ALLOC_FAIL
                 ? aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "cannot set up the Opus encoder: %s",
                                   opus_strerror(rc))
                 : aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    }
    for (uint64_t at = first; st == ALOUD_OK && at < end; at += chunk) {
        size_t n = end - at < chunk ? (size_t)(end - at) : chunk;
        resample_span(job->rs, at, n, &span_first, &span_count);
        st = segenc_read_part(job->fd, w->frames, w->channels, span_first, span_count, in,
                              w->stop, err);
        if (st != ALOUD_OK)
            break;
        resample_run(job->rs, in, w->channels, at, n, pcm);
        for (size_t f = 0; st == ALOUD_OK && f + frame <= n; f += frame) {
            opus_int32 len = opus_encode_float(enc, pcm + f * w->channels, (int)frame, packet,
                                               (opus_int32)sizeof packet);
            if (len < 0)
                st = aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot encode Opus: %s",
                                     opus_strerror(len));
            else if (!segenc_put_packet(out, packet, (size_t)len, 0))
                st = aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
        }
    }
    free(in);
    free(pcm);
    if (enc)
        opus_encoder_destroy(enc);
    return st;
}

/* The OpusHead packet (RFC 7845): version 1, channels, pre-skip, input rate, no gain. */
static void opus_head(const writer *w, unsigned preskip, unsigned char head[19])
{
    memcpy(head, "OpusHead", 8);
    head[8] = 1;
    head[9] = (unsigned char)w->channels;
    head[10] = (unsigned char)(preskip & 0xffu);
    head[11] = (unsigned char)(preskip >> 8);
    for (int i = 0; i < 4; i++)
        head[12 + i] = (unsigned char)(w->sample_rate >> (8 * i));
    head[16] = 0;
    head[17] = 0;
    head[18] = 0;
}

/* A segenc_sink_fn: the segment's packets into the Ogg stream, in order; the
 * last one ends it. */
static aloud_status opus_sink_segment(void *ctx, size_t index, const segenc_out *out,
                                      aloud_error *err)
{
    opus_job *job = ctx;
    aloud_status st = ALOUD_OK;
    size_t off = 0;
    for (size_t i = 0; st == ALOUD_OK && i < out->count; i++) {
        bool last = index + 1 == job->seg_count && i + 1 == out->count;
        uint64_t granule = ++job->packets * job->w->frame * OPUS_GRANULES;
        if (last || granule > job->end_granule)
            granule = job->end_granule;
        st = oggw_packet(job->og, out->data + off, out->lens[i], granule, false, last, err);
        off += out->lens[i];
    }
    if (st == ALOUD_OK && !(job->w->stop && *job->w->stop) && ferror(job->w->f))
        st = aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot write %s: %s", job->w->path,
                             strerror(errno));
    return st;
}

/* Cuts, encodes the segments in threads, and writes the stream. */
static aloud_status opus_run_encoder(writer *w, const uint64_t *frames, aloud_error *err)
{
    opus_bytes tags = {NULL, 0, 0, false};
    int lookahead = 0, rc = OPUS_OK;
    unsigned char head[19];
    opus_job job;
    uint64_t total = 0, stream_end = 0;
    aloud_status st;

    memset(&job, 0, sizeof job);
    OpusEncoder *probe = opus_new_encoder(w, &lookahead, &rc);
    if (!probe)
        return aloud_error_set(err, rc == OPUS_ALLOC_FAIL ? ALOUD_ERR_NOMEM : ALOUD_ERR_ARG, 0, 0,
                               "cannot set up the Opus encoder: %s", opus_strerror(rc));
    opus_encoder_destroy(probe);
    job.w = w;
    job.rs = resampler_create(w->sample_rate, OPUS_RATE);
    job.og = oggw_create(w->f, opus_serial(w, frames));
    if (!job.rs || !job.og) {
        st = aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
        goto done;
    }
    st = opus_build_tags(w, frames, &tags, err);
    if (st == ALOUD_OK)
        st = segenc_plan(w->spool, &w->cuts, w->frames, &job.fd, &job.bounds, &job.seg_count,
                         err);
    if (st != ALOUD_OK)
        goto done;

    /* The segments in frames at OPUS_RATE; the last runs on past the input
     * by the look-ahead, to a whole packet, so the decoder gets every input
     * sample. The stream ends at the input's length at 48 kHz, rounded up. */
    total = resample_length(job.rs, w->frames);
    stream_end = ((uint64_t)lookahead + total + w->frame - 1) / w->frame * w->frame;
    if (stream_end == 0)
        stream_end = w->frame;
    job.end_granule = (uint64_t)lookahead * OPUS_GRANULES
                      + (w->frames * OPUS_GRANULE_RATE + w->sample_rate - 1) / w->sample_rate;
    for (size_t s = 1; s < job.seg_count; s++)
        job.bounds[s] = job.bounds[s] * OPUS_RATE / w->sample_rate;
    job.bounds[job.seg_count] = stream_end;

    opus_head(w, (unsigned)lookahead * OPUS_GRANULES, head);
    st = oggw_packet(job.og, head, sizeof head, 0, true, false, err);
    if (st == ALOUD_OK)
        st = oggw_packet(job.og, tags.p, tags.n, 0, true, false, err);
    if (st == ALOUD_OK)
        st = segenc_run(job.seg_count, segenc_thread_count(job.seg_count), opus_encode_segment,
                        opus_sink_segment, &job, w->stop, err);

done:
    free(job.bounds);
    resampler_free(job.rs);
    oggw_free(job.og);
    free(tags.p);
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
    /* RFC 7845: the gain to the EBU R128 reference, in 1/256 dB, after the
     * header's output gain (0 here). */
    if (params->gain && isfinite(params->gain->loudness)) {
        double q = round((WRITER_R128_REFERENCE - params->gain->loudness) * 256.0);
        w->has_gain = true;
        w->r128_gain = (int)(q < -32768 ? -32768 : q > 32767 ? 32767 : q);
    }
    w->cover = params->cover;
    st = writer_bitrate(&formats_opus, params->sample_rate, params->bitrate, &w->bitrate, err);
    w->frame = w->bitrate >= OPUS_CELT_MIN_BITRATE ? OPUS_CELT_FRAME : OPUS_SPEECH_FRAME;
    segenc_cuts_init(&w->cuts, w->channels, opus_cut_unit(w->sample_rate, w->frame),
                     (uint64_t)w->sample_rate * OPUS_CUT_MARGIN_MS / 1000u,
                     (uint64_t)w->sample_rate * OPUS_SEGMENT_MIN_S);
    if (st == ALOUD_OK)
        st = opus_copy_strings(w, params, err);
    /* Created now so that an unwritable place fails before any speech is made. */
    if (st == ALOUD_OK && !(w->f = writer_create_file(path)))
        st = aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot create %s: %s", path,
                             strerror(errno));
    if (st == ALOUD_OK)
        st = writer_create_spool(w->path, &w->spool, err);
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
    return segenc_spool(w->spool, &w->cuts, pcm, frames, w->channels, &w->frames, w->path,
                        err);
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
