/*
 * mp3_writer.c - MP3 output for podcast apps: LAME for the audio, our own
 * ID3v2 tag (id3v2.c) for the title, artist, software and chapters.
 *
 * Why libmp3lame directly and not libsndfile's MPEG support: the chapters
 * live in an ID3v2 tag at the very start of the file, which we must write
 * ourselves and rewrite at close; libsndfile owns the file, writes its own
 * ID3 tag with fixed keys and does not expose LAME's encoder delay, which
 * the chapter times depend on. With LAME we place every byte.
 *
 * Layout: [ID3v2.3 tag][Info frame: Xing + LAME header][MP3 frames]. The
 * tag's size depends only on the strings (id3v2.h), so open() writes it
 * with placeholder times and close() writes it again, same size, in place:
 * no spool and no copy of the audio. LAME reserves the first frame for
 * its Info tag; close() fills it with lame_get_lametag_frame(), which
 * holds the frame count, the byte count of the MP3 stream (our tag not
 * included, as in any file where the tag is added after encoding) and the
 * encoder delay and padding.
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

struct writer {
    lame_global_flags *lame;
    FILE *f;
    char *path;            /* owned copy, for messages */
    unsigned sample_rate;
    unsigned channels;
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
    unsigned char *out;    /* MP3_OUT_BYTES(MP3_CHUNK_FRAMES) */
    short *pcm;            /* MP3_CHUNK_FRAMES * 2, for LAME's non-const interleaved call */
};

/* ---------------------------------------------------------------- helpers */


/* Frees everything `w` owns; closes the file without finishing it. NULL is a no-op. */
static void mp3_free(writer *w)
{
    if (!w)
        return;
    if (w->lame)
        lame_close(w->lame);
    if (w->f)
        fclose(w->f);
    writer_free_titles(w->titles, w->chapter_count);
    free(w->title);
    free(w->artist);
    free(w->software);
    free(w->out);
    free(w->pcm);
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

/* Sets up LAME: CBR, no ID3 of its own, the Info frame reserved. */
static aloud_status mp3_start_lame(writer *w, unsigned bitrate, aloud_error *err)
{
    w->lame = lame_init();
    if (!w->lame)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for the MP3 encoder");
    lame_set_errorf(w->lame, mp3_quiet);
    lame_set_debugf(w->lame, mp3_quiet);
    lame_set_msgf(w->lame, mp3_quiet);
    lame_set_in_samplerate(w->lame, (int)w->sample_rate);
    /* Keep the rate when MPEG has it (espeak-ng's 22050 Hz does); LAME resamples otherwise. */
    lame_set_out_samplerate(w->lame, mp3_rate_is_mpeg(w->sample_rate) ? (int)w->sample_rate : 0);
    lame_set_num_channels(w->lame, (int)w->channels);
    lame_set_mode(w->lame, w->channels == 1 ? MONO : JOINT_STEREO);
    lame_set_VBR(w->lame, vbr_off);
    lame_set_brate(w->lame, (int)(bitrate / 1000u));
    lame_set_quality(w->lame, MP3_QUALITY);
    lame_set_bWriteVbrTag(w->lame, 1);
    lame_set_write_id3tag_automatic(w->lame, 0);
    if (lame_init_params(w->lame) < 0)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0,
                               "LAME cannot encode %u Hz, %u channel(s) at %u kb/s",
                               w->sample_rate, w->channels, bitrate / 1000u);
    /* LAME rounds a bitrate its output rate lacks to a neighbour, silently;
     * writer_bitrate() knows the steps, and this catches a resampled rate. */
    if ((unsigned)lame_get_brate(w->lame) * 1000u != bitrate)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0,
                               "LAME would write %d kb/s, not %u, at %d Hz", lame_get_brate(w->lame),
                               bitrate / 1000u, lame_get_out_samplerate(w->lame));
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

/* Appends what LAME produced; a negative count is its error code (-2: no memory). */
static aloud_status mp3_emit(writer *w, int produced, aloud_error *err)
{
    if (produced < 0)
        return aloud_error_set(err, produced == -2 ? ALOUD_ERR_NOMEM : ALOUD_ERR_WRITE, 0, 0,
                               "LAME failed to encode (error %d)", produced);
    if (produced > 0 && fwrite(w->out, 1, (size_t)produced, w->f) != (size_t)produced)
        return mp3_io_error(w, "write", err);
    return ALOUD_OK;
}

/*
 * Flushes LAME, fills the reserved Info frame and rewrites the tag with
 * the real times, both in place.
 */
static aloud_status mp3_finish(writer *w, const uint64_t *chapter_frames, aloud_error *err)
{
    unsigned char info[2880];  /* twice the largest Layer III frame (1441 bytes) */
    unsigned char *tag = NULL;
    size_t info_size, tag_size = 0;
    uint64_t lead = 0;
    aloud_status st;

    st = mp3_emit(w, lame_encode_flush(w->lame, w->out, (int)MP3_OUT_BYTES(MP3_CHUNK_FRAMES)),
                  err);
    if (st != ALOUD_OK)
        return st;
    info_size = lame_get_lametag_frame(w->lame, info, sizeof info);
    if (info_size > sizeof info)
        return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "LAME's Info frame is too large");
    if (info_size > 0 && !mp3_write_at(w->f, w->tag_size, info, info_size))
        return mp3_io_error(w, "write the Info frame of", err);
    if (info_size == 0) {
        /* No LAME header: every decoder plays the delay, so the chapters include it. */
        uint64_t delay = (uint64_t)lame_get_encoder_delay(w->lame) + MP3_DECODER_DELAY;
        uint64_t out_rate = (uint64_t)lame_get_out_samplerate(w->lame);

        lead = out_rate ? (delay * w->sample_rate + out_rate / 2u) / out_rate : 0;
    }
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
    if (!w || !(w->path = writer_strdup(path))
        || !(w->out = malloc(MP3_OUT_BYTES(MP3_CHUNK_FRAMES)))
        || !(w->pcm = malloc(sizeof *w->pcm * MP3_CHUNK_FRAMES * 2u))) {
        mp3_free(w);
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    }
    w->sample_rate = params->sample_rate;
    w->channels = params->channels;
    if (params->gain) {
        w->has_gain = true;
        writer_replaygain(params->gain, w->rg_gain, sizeof w->rg_gain, w->rg_peak,
                          sizeof w->rg_peak);
    }
    w->cover = params->cover;
    st = mp3_copy_strings(w, params, err);
    if (st == ALOUD_OK)
        st = mp3_start_lame(w, bitrate, err);
    if (st == ALOUD_OK && !(w->f = writer_create_file(path)))
        st = mp3_io_error(w, "create", err);
    if (st == ALOUD_OK)
        st = mp3_write_placeholder(w, err);
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
    while (frames > 0) {
        size_t n = frames < MP3_CHUNK_FRAMES ? frames : MP3_CHUNK_FRAMES;
        int produced;
        aloud_status st;

        if (w->channels == 1) {
            produced = lame_encode_buffer(w->lame, pcm, pcm, (int)n, w->out,
                                          (int)MP3_OUT_BYTES(MP3_CHUNK_FRAMES));
        } else {
            memcpy(w->pcm, pcm, n * 2u * sizeof *pcm);
            produced = lame_encode_buffer_interleaved(w->lame, w->pcm, (int)n, w->out,
                                                      (int)MP3_OUT_BYTES(MP3_CHUNK_FRAMES));
        }
        st = mp3_emit(w, produced, err);
        if (st != ALOUD_OK)
            return st;
        pcm += n * w->channels;
        frames -= n;
        w->frames += n;
    }
    return ALOUD_OK;
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
