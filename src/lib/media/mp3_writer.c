/*
 * mp3_writer.c - MP3 output for podcast apps: LAME for the audio, encoded
 * in parallel segments, our own ID3v2 tag (id3v2.c) for the title, artist,
 * software and chapters.
 *
 * Why libmp3lame directly and not libsndfile's MPEG support: the chapters
 * live in an ID3v2 tag at the very start of the file, which we must write
 * ourselves and rewrite at close; libsndfile owns the file, writes its own
 * ID3 tag with fixed keys and does not expose LAME's encoder delay, which
 * the chapter times depend on. With LAME we place every byte.
 *
 * Layout: [ID3v2.3 tag][Info frame: Xing + LAME header][MP3 frames]. The
 * tag's size depends only on the strings (id3v2.h), so open() writes it
 * with placeholder times and close() writes it again, same size, in place.
 *
 * Parallel encoding. write() spools the PCM to an unlinked temporary file
 * beside the output (2 bytes a sample of disk, never memory). close() cuts
 * the spool inside runs of digital silence (segenc.h: the pauses between
 * paragraphs and sentences, cuts at least 10 s apart, on a multiple of the
 * frame of 576 samples, MPEG-2, or 1152, MPEG-1), encodes each segment with
 * a fresh LAME encoder in a thread of its own, and writes their frames in
 * order as one stream. Joined frames are valid MP3: a fresh encoder's
 * first frame has main_data_begin 0, so no frame reaches into the bit
 * reservoir of another segment.
 *
 * Exact times. Each encoder delays its input by D (576) samples and pads
 * its end. Decoded frame k of the joined stream must carry input samples
 * [kS - D, (k+1)S - D), as with one encoder: so a segment starting at input
 * sample a (a multiple of S) must start at frame a / S, and every segment
 * but the last must make exactly its span's (b - a) / S frames. LAME makes
 * (n + D + p) / S frames for n samples, p being the padding its flush adds
 * (lame.c, lame_encode_flush(): S - (n + D) % S, plus S when that is under
 * 576); feeding a segment its span less D + 576 samples makes p 576 and
 * the frame count exactly the span's. The samples left out are silence
 * (the cut lies at least 4 frames inside a silent run), which LAME's flush
 * feeds as zeros anyway, and the next encoder's delay is the silence
 * before its cut. Each encoder's frame count is checked after its flush.
 * So the joined stream has the frame count, the delay and the padding of
 * one encoder through the same PCM, and every sample decodes at its place.
 *
 * The Info frame describes the joined stream: LAME writes one only for a
 * stream it encoded whole, so the first segment's is taken and its stream
 * fields (frame and byte counts, TOC, delay and padding, music length and
 * CRC, its own CRC) are rewritten by lametag.c. The first frame of every
 * encoder's output is its placeholder for that frame: the first segment's
 * stays as the place the Info frame is written over, the others' are
 * dropped.
 *
 * What differs from one encoder through: each encoder after a cut starts
 * with an empty bit reservoir and fresh psychoacoustic state, so its
 * frames are a different encoding of the same speech (bench/encode_cuts.py
 * measures the decode against one encoder's: no click in the silence, the
 * same closeness to the source), and CBR's padding-bit cycle restarts, so
 * the byte count differs by a byte or so a segment.
 *
 * CBR by default: podcast apps seek (and so jump to chapters) by byte
 * position, exact only at a constant bitrate; VBR seeks through the Xing
 * table of contents, 1% steps that land seconds off in an hour-long file.
 *
 * Chapter times. LAME delays the audio by its encoder delay (576) plus the
 * decoder's 529 samples and pads the end. Gapless decoders (ffmpeg, Apple,
 * ExoPlayer/Android) read both from the LAME header and drop them, so
 * decoded sample n is input sample n and chapter times are simply the
 * input positions in milliseconds (rounded to nearest). The header fits
 * only in a frame of at least ~180 bytes: at 22050 Hz mono that takes 56
 * kb/s or more, so the default is 64 kb/s. At a lower --bitrate LAME
 * writes no header, every decoder plays the delay first, and the chapter
 * times add it (1105 samples, 50 ms at 22050 Hz) to match what is heard.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <lame/lame.h>

#include "clock.h"
#include "cover.h"
#include "id3v2.h"
#include "lametag.h"
#include "segenc.h"
#include "writer.h"

/*
 * LAME's -q 7, chosen by measurement (bench/codec_settings.py, text/news.txt
 * at 22050 Hz, 64 kb/s CBR): against -q 3 (its command line's default and
 * aloud's before) the decode is closer to the source both by mel
 * log-spectral distance (1.199 against 1.269 dB) and by SNR (24.8 against
 * 22.7 dB), for 29% less of lame's CPU (0.50 against 0.70 s for 95 s of
 * speech); the same holds at 56 and 80 kb/s. -q 8 and 9 give the same
 * file as 7, -q 4 to 6 lie between. -q 7 turns off LAME's noise shaping
 * (the psychoacoustic model still chooses the blocks), so the noise is
 * spread flat rather than hidden under the masking curve: neither measure
 * models masking, which is the case for -q 3 that they cannot weigh.
 */
#define MP3_QUALITY 7

/* The decoder's own delay (528 + 1 samples) that gapless players also remove. */
#define MP3_DECODER_DELAY 529u


/* PCM frames per LAME call; bounds the buffers, not the audio. */
#define MP3_CHUNK_FRAMES 4096u

/* LAME's worst case for n samples: 1.25 n + 7200 bytes (lame.h). */
#define MP3_OUT_BYTES(n) ((n) * 5u / 4u + 7200u)

/* The cuts (see the top of the file and segenc.h): silence each side, in
 * milliseconds and at least 4 frames; the least audio between two cuts. */
#define MP3_CUT_MARGIN_MS 100u
#define MP3_CUT_MARGIN_FRAMES 4u
#define MP3_SEGMENT_MIN_S 10u

/* The least padding LAME's flush adds (lame_encode_flush(): 576 samples). */
#define MP3_MIN_PADDING 576u

/* The largest Layer III frame is 1441 bytes; LAME's buffer for its header. */
#define MP3_INFO_MAX 2880u

struct writer {
    FILE *f;
    FILE *spool;           /* unlinked temporary file holding the PCM */
    segenc_cuts cuts;      /* where the spool may be cut, found as it is written */
    char *path;            /* owned copy, for messages */
    unsigned sample_rate;
    unsigned channels;
    unsigned bitrate;      /* bits per second */
    uint64_t frames;       /* PCM frames written so far */
    char *title;           /* owned copies for the second build of the tag; may be NULL */
    char *artist;
    char *software;
    size_t chapter_count;
    char **titles;         /* chapter_count entries, never NULL */
    const cover_image *cover; /* borrowed from the params (lives until close); may be NULL */
    size_t tag_size;       /* bytes of the ID3 tag at offset 0 */
    bool has_gain;         /* ReplayGain TXXX frames, from the params' gain */
    char rg_gain[32];
    char rg_peak[32];
    bool cuttable;         /* LAME keeps the rate: segments may be cut */
    unsigned spf;          /* samples per frame at the output rate: 576 or 1152 */
    unsigned delay;        /* LAME's encoder delay, samples */
    unsigned out_rate;     /* LAME's output rate */
    const volatile sig_atomic_t *stop; /* borrowed from the params; may be NULL */
};

/* ---------------------------------------------------------------- helpers */


/* Frees everything `w` owns; closes the file without finishing it. NULL is a no-op. */
static void mp3_free(writer *w)
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

/* The library never prints: LAME's messages go nowhere. */
static void mp3_quiet(const char *format, va_list ap)
{
    (void)format;
    (void)ap;
}

/* Copies tags and chapter titles: the tag is built again at close. */
static aloud_status mp3_copy_strings(writer *w, const writer_params *p, aloud_error *err)
{
    if ((p->title && !(w->title = writer_strdup(p->title)))
        || (p->author && !(w->artist = writer_strdup(p->author)))
        || (p->software && !(w->software = writer_strdup(p->software))))
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for MP3 tags");
    w->titles = writer_copy_titles(p);
    if (!w->titles)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for chapter titles");
    w->chapter_count = p->chapter_count;
    return ALOUD_OK;
}

/*
 * Builds the tag. With `frames` NULL every time is 0 (the placeholder);
 * otherwise chapter i runs from its start to the next one's, the last to
 * `total`, all shifted by `lead` frames (see the top of the file). The
 * chapters fit the one flat CTOC: the render groups paragraphs past 255.
 */
static aloud_status mp3_build_tag(const writer *w, const uint64_t *frames, uint64_t total,
                                  uint64_t lead, unsigned char **tag, size_t *size,
                                  aloud_error *err)
{
    size_t count = w->chapter_count;
    id3_chapter_spec *ch = calloc(count ? count : 1, sizeof *ch);
    const id3_txxx gain[] = {{"REPLAYGAIN_TRACK_GAIN", w->rg_gain},
                             {"REPLAYGAIN_TRACK_PEAK", w->rg_peak}};
    id3_tag_spec spec = {
        .title = w->title,
        .artist = w->artist,
        .software = w->software,
        .chapter_count = count,
        .chapters = ch,
        .txxx_count = w->has_gain ? 2u : 0u,
        .txxx = gain,
        .picture = w->cover ? w->cover->data : NULL,
        .picture_size = w->cover ? w->cover->size : 0,
        .picture_mime = w->cover ? w->cover->mime : NULL,
    };
    aloud_status st;

    if (!ch)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for MP3 chapters");
    for (size_t i = 0; i < count; i++) {
        size_t first = i, next = i + 1;
        uint64_t start = frames ? clock_ms(frames[first] + lead, w->sample_rate) : 0;
        uint64_t end = !frames                    ? 0
                       : next < w->chapter_count ? clock_ms(frames[next] + lead, w->sample_rate)
                                                  : clock_ms(total + lead, w->sample_rate);

        if (end > UINT32_MAX) {
            free(ch);
            return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0,
                                   "chapter %zu ends past the 49 days an ID3 chapter can mark",
                                   i + 1);
        }
        ch[i] = (id3_chapter_spec){w->titles[first], (uint32_t)start, (uint32_t)end};
    }
    st = id3_tag_build(&spec, tag, size, err);
    free(ch);
    return st;
}

static aloud_status mp3_io_error(const writer *w, const char *what, aloud_error *err)
{
    return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot %s %s: %s", what, w->path,
                           strerror(errno));
}

static bool mp3_write_at(FILE *f, uint64_t offset, const void *p, size_t n)
{
    if (offset > (uint64_t)INT64_MAX || fseeko(f, (off_t)offset, SEEK_SET) != 0)
        return false;
    return fwrite(p, 1, n, f) == n;
}

/* An MPEG sample rate LAME can write without resampling. */
static bool mp3_rate_is_mpeg(unsigned rate)
{
    static const unsigned rates[] = {8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000};

    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        if (rates[i] == rate)
            return true;
    }
    return false;
}

/*
 * A LAME encoder with aloud's settings: CBR, no ID3 of its own, the Info
 * frame reserved. NULL with `err` set on failure. Every segment's encoder
 * is made here, so all have the same settings.
 */
static aloud_status mp3_new_lame(const writer *w, lame_global_flags **out, aloud_error *err)
{
    lame_global_flags *l = lame_init();

    *out = NULL;
    if (!l)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for the MP3 encoder");
    lame_set_errorf(l, mp3_quiet);
    lame_set_debugf(l, mp3_quiet);
    lame_set_msgf(l, mp3_quiet);
    lame_set_in_samplerate(l, (int)w->sample_rate);
    /* Keep the rate when MPEG has it (espeak-ng's 22050 Hz does); LAME resamples otherwise. */
    lame_set_out_samplerate(l, mp3_rate_is_mpeg(w->sample_rate) ? (int)w->sample_rate : 0);
    lame_set_num_channels(l, (int)w->channels);
    lame_set_mode(l, w->channels == 1 ? MONO : JOINT_STEREO);
    lame_set_VBR(l, vbr_off);
    lame_set_brate(l, (int)(w->bitrate / 1000u));
    lame_set_quality(l, MP3_QUALITY);
    lame_set_bWriteVbrTag(l, 1);
    lame_set_write_id3tag_automatic(l, 0);
    if (lame_init_params(l) < 0) {
        lame_close(l);
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0,
                               "LAME cannot encode %u Hz, %u channel(s) at %u kb/s",
                               w->sample_rate, w->channels, w->bitrate / 1000u);
    }
    /* LAME rounds a bitrate its output rate lacks to a neighbour, silently;
     * writer_bitrate() knows the steps, and this catches a resampled rate. */
    if ((unsigned)lame_get_brate(l) * 1000u != w->bitrate) {
        int brate = lame_get_brate(l), rate = lame_get_out_samplerate(l);
        lame_close(l);
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "LAME would write %d kb/s, not %u, at %d Hz",
                               brate, w->bitrate / 1000u, rate);
    }
    *out = l;
    return ALOUD_OK;
}

/*
 * Checks the settings with a first encoder (which also fills LAME's shared
 * tables here, before any thread does) and keeps its frame size and delay.
 */
static aloud_status mp3_probe_lame(writer *w, aloud_error *err)
{
    lame_global_flags *l;
    aloud_status st = mp3_new_lame(w, &l, err);

    if (st != ALOUD_OK)
        return st;
    w->spf = (unsigned)lame_get_framesize(l);
    w->delay = (unsigned)lame_get_encoder_delay(l);
    w->out_rate = (unsigned)lame_get_out_samplerate(l);
    w->cuttable = w->out_rate == w->sample_rate && w->spf > 0;
    lame_close(l);
    return ALOUD_OK;
}

/* Writes the chapter-less placeholder tag that close() overwrites. */
static aloud_status mp3_write_placeholder(writer *w, aloud_error *err)
{
    unsigned char *tag = NULL;
    size_t size = 0;
    aloud_status st = mp3_build_tag(w, NULL, 0, 0, &tag, &size, err);

    if (st != ALOUD_OK)
        return st;
    if (fwrite(tag, 1, size, w->f) != size)
        st = mp3_io_error(w, "write", err);
    w->tag_size = size;
    free(tag);
    return st;
}

/* --------------------------------------------------------------- segments */

/* The plan of the encode, shared by the threads (read only) and the sink. */
typedef struct mp3_job {
    writer *w;
    int fd;                    /* the spool, read with pread by every thread */
    uint64_t *starts;          /* segment s: input [starts[s], starts[s + 1]) */
    size_t count;
    uint32_t *made;            /* frames each segment's encoder made (its thread writes) */
    size_t *skip;              /* bytes of its placeholder Info frame, 0 for none */
    unsigned char info[MP3_INFO_MAX]; /* the first segment's Info frame */
    size_t info_size;
    /* The sink's running counts. */
    uint64_t frames_out;       /* audio frames written */
    uint64_t bytes_out;        /* bytes of the stream written, the Info frame's included */
    uint16_t music_crc;
} mp3_job;

/* The byte size of the Layer III frame whose header is at `h`; 0 for no header. */
static size_t mp3_frame_bytes(const unsigned char *h, size_t avail)
{
    static const unsigned kbps_v1[16] = {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224,
                                         256, 320, 0};
    static const unsigned kbps_v2[16] = {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144,
                                         160, 0};
    static const unsigned rates[3] = {44100, 48000, 32000};

    if (avail < 4 || h[0] != 0xffu || (h[1] & 0xe6u) != 0xe2u || ((h[2] >> 2) & 3u) == 3u)
        return 0;
    unsigned ver = (h[1] >> 3) & 3u; /* 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5 */
    unsigned kbps = (ver == 3 ? kbps_v1 : kbps_v2)[h[2] >> 4];
    unsigned rate = rates[(h[2] >> 2) & 3u] >> (ver == 3 ? 0 : ver == 2 ? 1 : 2);
    return (size_t)((ver == 3 ? 144000u : 72000u) * kbps / rate + ((h[2] >> 1) & 1u));
}

/*
 * The input samples segment `s` is fed: all of its span but the last
 * D + 576, so that LAME's frames cover the span exactly (see the top of
 * the file); the last segment gets all it has.
 */
static uint64_t mp3_segment_input(const mp3_job *job, size_t s)
{
    uint64_t span = job->starts[s + 1] - job->starts[s];

    if (s + 1 == job->count)
        return span;
    return span - job->w->delay - MP3_MIN_PADDING;
}

/* Appends what LAME produced; a negative count is its error code (-2: no memory). */
static aloud_status mp3_keep(segenc_out *out, const unsigned char *buf, int produced,
                             aloud_error *err)
{
    if (produced < 0)
        return aloud_error_set(err, produced == -2 ? ALOUD_ERR_NOMEM : ALOUD_ERR_WRITE, 0, 0,
                               "LAME failed to encode (error %d)", produced);
    if (produced > 0 && !segenc_put(out, buf, (size_t)produced))
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    return ALOUD_OK;
}

/* A segenc_encode_fn: segment `s` through a fresh encoder. */
static aloud_status mp3_encode_segment(void *ctx, size_t s, segenc_out *out, aloud_error *err)
{
    mp3_job *job = ctx;
    const writer *w = job->w;
    uint64_t first = job->starts[s], n = mp3_segment_input(job, s);
    size_t out_cap = MP3_OUT_BYTES(MP3_CHUNK_FRAMES);
    short *pcm = malloc(sizeof *pcm * MP3_CHUNK_FRAMES * w->channels);
    unsigned char *buf = malloc(out_cap);
    lame_global_flags *l = NULL;
    aloud_status st = pcm && buf ? mp3_new_lame(w, &l, err)
                                 : aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");

    for (uint64_t at = 0; st == ALOUD_OK && at < n; at += MP3_CHUNK_FRAMES) {
        size_t k = n - at < MP3_CHUNK_FRAMES ? (size_t)(n - at) : MP3_CHUNK_FRAMES;
        int produced;

        st = segenc_read_part(job->fd, w->frames, w->channels, (int64_t)(first + at), k, pcm,
                              w->stop, err);
        if (st != ALOUD_OK)
            break;
        if (w->channels == 1)
            produced = lame_encode_buffer(l, pcm, pcm, (int)k, buf, (int)out_cap);
        else
            produced = lame_encode_buffer_interleaved(l, pcm, (int)k, buf, (int)out_cap);
        st = mp3_keep(out, buf, produced, err);
    }
    if (st == ALOUD_OK)
        st = mp3_keep(out, buf, lame_encode_flush(l, buf, (int)out_cap), err);
    if (st == ALOUD_OK) {
        unsigned char info[MP3_INFO_MAX];
        size_t info_size = lame_get_lametag_frame(l, info, sizeof info);
        uint64_t want = (job->starts[s + 1] - first) / w->spf;

        job->made[s] = (uint32_t)lame_get_frameNum(l);
        /* With a header, the encoder's first frame is its placeholder. */
        job->skip[s] = info_size > 0 ? mp3_frame_bytes(out->data, out->size) : 0;
        if (info_size > sizeof info || (info_size > 0 && job->skip[s] != info_size))
            st = aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0,
                                 "LAME's Info frame is not the size of its first frame");
        else if (s + 1 < job->count && job->made[s] != want)
            st = aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0,
                                 "LAME made %u frames of a segment, not %llu: cannot join "
                                 "the segments exactly",
                                 (unsigned)job->made[s], (unsigned long long)want);
        if (st == ALOUD_OK && s == 0) {
            memcpy(job->info, info, info_size);
            job->info_size = info_size;
        }
    }
    if (l)
        lame_close(l);
    free(pcm);
    free(buf);
    return st;
}

/* A segenc_sink_fn: the segment's frames to the file, its placeholder Info frame
 * kept only for the first (the place of the real one). */
static aloud_status mp3_sink_segment(void *ctx, size_t s, const segenc_out *out, aloud_error *err)
{
    mp3_job *job = ctx;
    const unsigned char *p = out->data;
    size_t n = out->size;

    if (job->skip[s] > n)
        return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "LAME's output is shorter than a frame");
    if (s == 0 && job->skip[s] > 0) {
        if (fwrite(p, 1, job->skip[s], job->w->f) != job->skip[s])
            return mp3_io_error(job->w, "write", err);
        job->bytes_out += job->skip[s];
    }
    p += job->skip[s];
    n -= job->skip[s];
    if (n > 0 && fwrite(p, 1, n, job->w->f) != n)
        return mp3_io_error(job->w, "write", err);
    job->music_crc = lametag_crc16(job->music_crc, p, n);
    job->bytes_out += n;
    job->frames_out += job->made[s];
    return ALOUD_OK;
}

/* Where the spool may be cut (see the top of the file), once LAME's frame is known. */
static void mp3_cuts_init(writer *w)
{
    uint64_t margin = (uint64_t)w->sample_rate * MP3_CUT_MARGIN_MS / 1000u;

    if (margin < (uint64_t)MP3_CUT_MARGIN_FRAMES * w->spf)
        margin = (uint64_t)MP3_CUT_MARGIN_FRAMES * w->spf;
    segenc_cuts_init(&w->cuts, w->channels, w->cuttable ? w->spf : 0, margin,
                     (uint64_t)w->sample_rate * MP3_SEGMENT_MIN_S);
}

/* Plans the segments (segenc_plan()) and the room for what each encoder says. */
static aloud_status mp3_plan(writer *w, mp3_job *job, aloud_error *err)
{
    aloud_status st = segenc_plan(w->spool, &w->cuts, w->frames, &job->fd, &job->starts,
                                  &job->count, err);
    if (st != ALOUD_OK)
        return st;
    job->made = calloc(job->count, sizeof *job->made);
    job->skip = calloc(job->count, sizeof *job->skip);
    if (!job->made || !job->skip)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    return ALOUD_OK;
}

/*
 * Encodes the spool in segments after the placeholder tag, fills the Info
 * frame and rewrites the tag with the real times, both in place.
 */
static aloud_status mp3_finish(writer *w, const uint64_t *chapter_frames, aloud_error *err)
{
    mp3_job job;
    unsigned char *tag = NULL;
    size_t tag_size = 0;
    uint64_t lead = 0;
    aloud_status st;

    memset(&job, 0, sizeof job);
    job.w = w;
    st = mp3_plan(w, &job, err);
    if (st == ALOUD_OK)
        st = segenc_run(job.count, segenc_thread_count(job.count), mp3_encode_segment,
                        mp3_sink_segment, &job, w->stop, err);
    if (st == ALOUD_OK && job.info_size > 0) {
        /* The stream's padding: its frames' samples less the delay and the input. */
        uint64_t covered = job.frames_out * w->spf;
        lametag_stream ls = {
            .frames = (uint32_t)job.frames_out,
            .bytes = (uint32_t)job.bytes_out,
            .delay = w->delay,
            .padding = (unsigned)(covered - w->delay - w->frames),
            .music_crc = job.music_crc,
        };
        if (job.frames_out > UINT32_MAX || job.bytes_out > UINT32_MAX
            || covered < w->delay + w->frames || !lametag_patch(job.info, job.info_size, &ls))
            st = aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0,
                                 "cannot describe the MP3 stream in its Info frame");
        else if (!mp3_write_at(w->f, w->tag_size, job.info, job.info_size))
            st = mp3_io_error(w, "write the Info frame of", err);
    } else if (st == ALOUD_OK) {
        /* No LAME header: every decoder plays the delay, so the chapters include it. */
        uint64_t delay = (uint64_t)w->delay + MP3_DECODER_DELAY;
        uint64_t out_rate = w->out_rate;

        lead = out_rate ? (delay * w->sample_rate + out_rate / 2u) / out_rate : 0;
    }
    free(job.starts);
    free(job.made);
    free(job.skip);
    if (st != ALOUD_OK)
        return st;
    st = mp3_build_tag(w, chapter_frames, w->frames, lead, &tag, &tag_size, err);
    if (st == ALOUD_OK && tag_size != w->tag_size)
        st = aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0,
                             "the ID3 tag changed size (%zu, was %zu)", tag_size, w->tag_size);
    if (st == ALOUD_OK && !mp3_write_at(w->f, 0, tag, tag_size))
        st = mp3_io_error(w, "rewrite the ID3 tag of", err);
    free(tag);
    return st;
}

/* ------------------------------------------------------------- the writer */

static aloud_status mp3_open(const char *path, const writer_params *params, writer **out,
                             aloud_error *err)
{
    unsigned bitrate;
    writer *w;
    aloud_status st;

    if (!out)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no place for the writer");
    *out = NULL;
    if (!path || !params || params->channels == 0 || params->channels > 2
        || params->sample_rate == 0 || params->sample_rate > INT_MAX)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "bad MP3 writer parameters");
    if (writer_bitrate(&formats_mp3, params->sample_rate, params->bitrate, &bitrate, err)
        != ALOUD_OK)
        return ALOUD_ERR_ARG;
    w = calloc(1, sizeof *w);
    if (!w || !(w->path = writer_strdup(path))) {
        mp3_free(w);
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    }
    w->sample_rate = params->sample_rate;
    w->channels = params->channels;
    w->bitrate = bitrate;
    w->stop = params->stop;
    if (params->gain) {
        w->has_gain = true;
        writer_replaygain(params->gain, w->rg_gain, sizeof w->rg_gain, w->rg_peak,
                          sizeof w->rg_peak);
    }
    w->cover = params->cover;
    st = mp3_copy_strings(w, params, err);
    if (st == ALOUD_OK)
        st = mp3_probe_lame(w, err);
    if (st == ALOUD_OK)
        mp3_cuts_init(w);
    if (st == ALOUD_OK && !(w->f = writer_create_file(path)))
        st = mp3_io_error(w, "create", err);
    if (st == ALOUD_OK)
        st = mp3_write_placeholder(w, err);
    if (st == ALOUD_OK)
        st = writer_create_spool(w->path, &w->spool, err);
    if (st != ALOUD_OK) {
        mp3_free(w);
        return st;
    }
    *out = w;
    return ALOUD_OK;
}

static aloud_status mp3_write(writer *w, const int16_t *pcm, size_t frames, aloud_error *err)
{
    if (!w || (!pcm && frames))
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "bad arguments to the MP3 writer");
    return segenc_spool(w->spool, &w->cuts, pcm, frames, w->channels, &w->frames, w->path,
                        err);
}

static aloud_status mp3_close(writer *w, const uint64_t *chapter_frames, aloud_error *err)
{
    aloud_status st;
    int rc;

    if (!w)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no MP3 writer to close");
    st = writer_check_chapters(w->chapter_count, chapter_frames, w->frames, err);
    if (st == ALOUD_OK)
        st = mp3_finish(w, chapter_frames, err);
    rc = fclose(w->f);
    w->f = NULL;
    if (st == ALOUD_OK && rc != 0)
        st = mp3_io_error(w, "finish", err);
    mp3_free(w);
    return st;
}

static void mp3_abort(writer *w)
{
    mp3_free(w);
}

/* Its limits and names are in its entry of the format table (formats.c). */
const writer_ops writer_mp3 = {
    .open = mp3_open,
    .write = mp3_write,
    .close = mp3_close,
    .abort = mp3_abort,
};
