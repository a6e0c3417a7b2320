/*
 * mp4_writer.c - M4B and M4A output for iPhone audiobook apps: AAC-LC in
 * MP4 through FFmpeg's libavcodec (its native AAC encoder; Debian has no
 * FDK, FAAC or mp4v2) and libavformat's "ipod" muxer.
 *
 * Chapters are written twice by the muxer, from the AVChapters we hand it
 * at close: a QuickTime chapter text track (`tref/chap`, what Apple Books,
 * BookPlayer and Voice read) and a Nero `moov/udta/chpl` box (the only one
 * AntennaPod reads). libavformat adds chapters that appear only at
 * av_write_trailer() (movenc.c: "If there were no chapters when the header
 * was written, but there are chapters now, write them in the trailer"), so
 * the positions need not be known before the audio is.
 *
 * The duration is exact to the sample: the encoder's 1024 samples of delay
 * start the stream at a negative time, which the muxer records as an edit
 * list that skips them, and the last packet carries only the samples left,
 * so the edit ends at the last input sample. movie_timescale is the sample
 * rate, so the edit list (and mvhd) count samples, not milliseconds.
 *
 * Parallel encoding. write() spools the PCM to an unlinked temporary file
 * beside the output (2 bytes a sample of disk, never memory); close() cuts
 * the spool inside runs of digital silence (segenc.h: cuts at least 10 s
 * apart, on a multiple of AAC's frame of 1024 samples), encodes each
 * segment with a fresh AAC encoder (AVCodecContext) in a thread of its
 * own, and hands the packets to the muxer in order, on this thread.
 * AAC frames decode on their own (the encoder's bit reservoir is rate
 * control, not shared bits as in MP3), so joined packets are one valid
 * stream.
 *
 * Exact times. Each encoder primes with 1024 samples (initial_padding):
 * its packet k carries its input samples [(k - 1) 1024, k 1024), and it
 * makes ceil(n / 1024) + 1 packets for n samples. So a segment starting at
 * input sample a (a multiple of 1024) has its packets placed at a + their
 * own time stamps, and every segment but the last is fed its span less
 * 1024 samples (silence: the cut lies at least 3 frames inside a silent
 * run), so that its packets end exactly where the next segment's priming
 * packet, which carries the silence before the cut, begins. Each
 * encoder's packet count is checked. The joined stream then has the
 * packets, the time stamps and the one priming of one encoder through:
 * the edit list skips the first segment's priming only, and chapter times
 * and the duration are exact.
 *
 * What differs from one encoder through: each encoder after a cut starts
 * with fresh state (rate control, psychoacoustic model), so its packets
 * are a different encoding of the same speech (bench/encode_cuts.py
 * --format m4b measures the decode against one encoder's).
 *
 * Determinism: the encoders and the muxer run with their bitexact flags
 * (no "Lavf"/"Lavc" version strings) and no creation time is set, so mvhd
 * and mdhd hold 0; each encoder is single-threaded, the cuts depend on the
 * audio alone, and the packets are muxed in order. The output is a pure
 * function of the PCM, the tags, the chapters and the cover.
 *
 * Memory: the muxer keeps one index entry (about 48 bytes) per AAC packet
 * of 1024 samples until it writes the moov box at the end: 3.6 MB for an
 * hour at 22050 Hz. That is the container's sample table, which MP4 keeps
 * at the end; a fragmented file would bound it, but no audiobook app reads
 * chapters from one.
 *
 * FFmpeg is loaded on the first open (libav.h: linking it slowed every run
 * of aloud). It logs through a process-wide callback; the library never
 * prints, so the log level is set to quiet then.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cover.h"
#include "libav.h"
#include "segenc.h"
#include "writer.h"

/* Bytes of the I/O buffer between libavformat and the file. */
#define MP4_IO_BUFFER 65536

/* The cuts (see the top of the file and segenc.h): silence each side, in
 * milliseconds and at least 3 frames; the least audio between two cuts. */
#define MP4_CUT_MARGIN_MS 100u
#define MP4_CUT_MARGIN_FRAMES 3u
#define MP4_SEGMENT_MIN_S 10u

/* PCM frames read from the spool at a time by an encoding thread. */
#define MP4_CHUNK_FRAMES 8192u

struct writer {
    const libav_api *av;   /* FFmpeg's functions (libav.h) */
    AVFormatContext *oc;
    AVCodecContext *enc;   /* the first encoder: the stream's parameters; freed at close */
    AVStream *audio;
    AVPacket *pkt;         /* for the muxer, on close()'s thread */
    AVIOContext *io;
    FILE *spool;           /* unlinked temporary file holding the PCM */
    segenc_cuts cuts;      /* where the spool may be cut, found as it is written */
    int fd;
    int io_errno;          /* first failure of the I/O callbacks */
    char *path;            /* owned copy, for messages */
    unsigned sample_rate;
    unsigned channels;
    unsigned bitrate;      /* bits per second */
    int frame_size;        /* the encoder's: 1024 */
    int priming;           /* its initial_padding: 1024 */
    uint64_t frames;       /* PCM frames written so far */
    size_t chapter_count;
    char **titles;         /* chapter_count entries, never NULL */
    const volatile sig_atomic_t *stop; /* borrowed from the params; may be NULL */
};

/* ---------------------------------------------------------------- helpers */

static void mp4_free(writer *w)
{
    if (!w)
        return;
    if (w->oc) {
        w->oc->pb = NULL;
        w->av->avformat_free_context(w->oc);
    }
    if (w->io) {
        w->av->av_freep(&w->io->buffer);
        w->av->avio_context_free(&w->io);
    }
    if (w->fd >= 0)
        close(w->fd);
    if (w->spool)
        fclose(w->spool);
    segenc_cuts_free(&w->cuts);
    w->av->avcodec_free_context(&w->enc);
    w->av->av_packet_free(&w->pkt);
    writer_free_titles(w->titles, w->chapter_count);
    free(w->path);
    free(w);
}

static int mp4_io_write(void *opaque, uint8_t *buf, int size)
{
    writer *w = opaque;
    if (size < 0 || !writer_write_all(w->fd, buf, (size_t)size)) {
        if (!w->io_errno)
            w->io_errno = errno ? errno : EIO;
        return AVERROR(EIO);
    }
    return size;
}

static int64_t mp4_io_seek(void *opaque, int64_t offset, int whence)
{
    writer *w = opaque;
    off_t at;

    if (whence & AVSEEK_SIZE) {
        off_t here = lseek(w->fd, 0, SEEK_CUR);
        off_t end = lseek(w->fd, 0, SEEK_END);
        if (here < 0 || end < 0 || lseek(w->fd, here, SEEK_SET) < 0)
            return AVERROR(errno);
        return end;
    }
    at = lseek(w->fd, (off_t)offset, whence & ~AVSEEK_FORCE);
    if (at < 0) {
        if (!w->io_errno)
            w->io_errno = errno;
        return AVERROR(errno);
    }
    return at;
}

/* A message for a libav failure: the file's errno when I/O failed, else libav's reason. */
static aloud_status mp4_fail(const writer *w, int code, const char *what, aloud_error *err)
{
    char why[AV_ERROR_MAX_STRING_SIZE] = "";

    if (w->io_errno)
        return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot %s %s: %s", what, w->path,
                               strerror(w->io_errno));
    if (code == AVERROR(ENOMEM))
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for %s", what);
    w->av->av_strerror(code, why, sizeof why);
    return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot %s %s: %s", what, w->path, why);
}

/*
 * A fresh AAC encoder: native, bitexact, mono or stereo, global header for
 * MP4, single-threaded, the fast coder. Every segment's encoder is made
 * here, so all have the same settings.
 */
static aloud_status mp4_new_encoder(const writer *w, AVCodecContext **out, aloud_error *err)
{
    const AVCodec *codec = w->av->avcodec_find_encoder_by_name("aac");
    AVDictionary *opts = NULL;
    AVCodecContext *enc;
    int rc;

    *out = NULL;
    if (!codec)
        return aloud_error_set(err, ALOUD_ERR_FORMAT, 0, 0,
                               "this FFmpeg has no AAC encoder (libavcodec \"aac\")");
    enc = w->av->avcodec_alloc_context3(codec);
    if (!enc)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for the AAC encoder");
    enc->sample_fmt = AV_SAMPLE_FMT_FLTP;
    enc->sample_rate = (int)w->sample_rate;
    w->av->av_channel_layout_default(&enc->ch_layout, (int)w->channels);
    enc->bit_rate = w->bitrate;
    enc->time_base = (AVRational){1, (int)w->sample_rate};
    enc->profile = FF_PROFILE_AAC_LOW;
    enc->thread_count = 1;
    enc->flags |= AV_CODEC_FLAG_BITEXACT | AV_CODEC_FLAG_GLOBAL_HEADER;
    /* The fast coder: 6 times less CPU than the default two-loop search, and on
     * speech at 40 kb/s closer to the input than two-loop at 64 (README). */
    if (w->av->av_dict_set(&opts, "aac_coder", "fast", 0) < 0) {
        w->av->avcodec_free_context(&enc);
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for the AAC encoder");
    }
    rc = w->av->avcodec_open2(enc, codec, &opts);
    w->av->av_dict_free(&opts);
    if (rc < 0) {
        w->av->avcodec_free_context(&enc);
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0,
                               "the AAC encoder refuses %u Hz, %u channel(s) at %u kb/s",
                               w->sample_rate, w->channels, w->bitrate / 1000u);
    }
    *out = enc;
    return ALOUD_OK;
}

/* The first encoder, for the stream's parameters (it also fills FFmpeg's
 * shared tables on this thread, before any encoding thread starts). */
static aloud_status mp4_start_encoder(writer *w, aloud_error *err)
{
    aloud_status st = mp4_new_encoder(w, &w->enc, err);

    if (st != ALOUD_OK)
        return st;
    w->pkt = w->av->av_packet_alloc();
    if (!w->pkt)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for the AAC encoder");
    w->frame_size = w->enc->frame_size;
    w->priming = w->enc->initial_padding;
    if (w->frame_size <= 0 || w->priming < 0 || w->priming % w->frame_size != 0)
        return aloud_error_set(err, ALOUD_ERR_FORMAT, 0, 0,
                               "the AAC encoder's frame (%d) or priming (%d) is not what "
                               "aloud joins", w->frame_size, w->priming);
    return ALOUD_OK;
}

/* Tags as the muxer's iTunes names them: ©nam, ©ART, ©alb (the title again:
 * audiobook apps group and list by album), ©too. */
static aloud_status mp4_set_tags(writer *w, const writer_params *p, aloud_error *err)
{
    int rc = 0;

    if (p->title) {
        rc |= w->av->av_dict_set(&w->oc->metadata, "title", p->title, 0);
        rc |= w->av->av_dict_set(&w->oc->metadata, "album", p->title, 0);
    }
    if (p->author)
        rc |= w->av->av_dict_set(&w->oc->metadata, "artist", p->author, 0);
    if (p->software)
        rc |= w->av->av_dict_set(&w->oc->metadata, "encoder", p->software, 0);
    rc |= w->av->av_dict_set(&w->oc->metadata, "genre", "Audiobook", 0);
    if (rc < 0)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for MP4 tags");
    return ALOUD_OK;
}

/* The cover as an attached picture stream: the muxer writes it as `covr`. */
static AVStream *mp4_add_cover(writer *w, const cover_image *cover, aloud_error *err)
{
    AVStream *st = w->av->avformat_new_stream(w->oc, NULL);

    if (!st) {
        aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for the cover");
        return NULL;
    }
    st->disposition = AV_DISPOSITION_ATTACHED_PIC;
    st->time_base = (AVRational){1, 90000};
    st->codecpar->codec_type = AVMEDIA_TYPE_VIDEO;
    st->codecpar->codec_id = cover->kind == COVER_PNG ? AV_CODEC_ID_PNG : AV_CODEC_ID_MJPEG;
    st->codecpar->width = (int)cover->width;
    st->codecpar->height = (int)cover->height;
    return st;
}

static aloud_status mp4_write_cover(writer *w, AVStream *st, const cover_image *cover,
                                    aloud_error *err)
{
    int rc;

    if (cover->size > INT_MAX)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "the cover is too large for MP4");
    rc = w->av->av_new_packet(w->pkt, (int)cover->size);
    if (rc < 0)
        return mp4_fail(w, rc, "store the cover in", err);
    memcpy(w->pkt->data, cover->data, cover->size);
    w->pkt->stream_index = st->index;
    w->pkt->flags |= AV_PKT_FLAG_KEY;
    w->pkt->pts = w->pkt->dts = 0;
    rc = w->av->av_write_frame(w->oc, w->pkt);
    w->av->av_packet_unref(w->pkt);
    return rc < 0 ? mp4_fail(w, rc, "store the cover in", err) : ALOUD_OK;
}

/* Creates the file and the muxer, writes the header (and the cover). */
static aloud_status mp4_start_muxer(writer *w, const writer_params *p, const char *brand,
                                    aloud_error *err)
{
    AVDictionary *opts = NULL;
    AVStream *cover = NULL;
    unsigned char *buf;
    char timescale[16];
    aloud_status st;
    int rc;

    rc = w->av->avformat_alloc_output_context2(&w->oc, NULL, "ipod", NULL);
    if (rc < 0 || !w->oc)
        return aloud_error_set(err, ALOUD_ERR_FORMAT, 0, 0, "this FFmpeg has no MP4 muxer");
    w->oc->flags |= AVFMT_FLAG_BITEXACT;
    w->audio = w->av->avformat_new_stream(w->oc, NULL);
    if (!w->audio)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for the MP4 muxer");
    w->audio->time_base = (AVRational){1, (int)w->sample_rate};
    rc = w->av->avcodec_parameters_from_context(w->audio->codecpar, w->enc);
    if (rc < 0)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for the MP4 muxer");
    st = mp4_set_tags(w, p, err);
    if (st != ALOUD_OK)
        return st;
    if (p->cover && !(cover = mp4_add_cover(w, p->cover, err)))
        return ALOUD_ERR_NOMEM;

    w->fd = writer_create_fd(w->path);
    if (w->fd < 0)
        return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot create %s: %s", w->path,
                               strerror(errno));
    buf = w->av->av_malloc(MP4_IO_BUFFER);
    w->io = buf ? w->av->avio_alloc_context(buf, MP4_IO_BUFFER, 1, w, NULL, mp4_io_write, mp4_io_seek)
                : NULL;
    if (!w->io) {
        w->av->av_free(buf);
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for the MP4 muxer");
    }
    w->oc->pb = w->io;

    snprintf(timescale, sizeof timescale, "%u", w->sample_rate);
    if (w->av->av_dict_set(&opts, "brand", brand, 0) < 0
        || w->av->av_dict_set(&opts, "movie_timescale", timescale, 0) < 0) {
        w->av->av_dict_free(&opts);
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for the MP4 muxer");
    }
    rc = w->av->avformat_write_header(w->oc, &opts);
    w->av->av_dict_free(&opts);
    if (rc < 0)
        return mp4_fail(w, rc, "write the MP4 header of", err);
    return cover ? mp4_write_cover(w, cover, p->cover, err) : ALOUD_OK;
}

/*
 * Hands the chapters to the muxer: chapter i runs from its start to the
 * next one's, the last to the end, in samples. Freed with the context.
 */
static aloud_status mp4_set_chapters(writer *w, const uint64_t *frames, aloud_error *err)
{
    AVChapter **list;

    if (w->chapter_count == 0)
        return ALOUD_OK;
    if (w->chapter_count > UINT_MAX / sizeof *list)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "too many chapters for MP4");
    list = w->av->av_calloc(w->chapter_count, sizeof *list);
    if (!list)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for MP4 chapters");
    w->oc->chapters = list;
    for (size_t i = 0; i < w->chapter_count; i++) {
        AVChapter *ch = w->av->av_mallocz(sizeof *ch);
        if (!ch)
            return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for MP4 chapters");
        list[i] = ch;
        w->oc->nb_chapters = (unsigned)i + 1;
        ch->id = (int64_t)i + 1;
        ch->time_base = (AVRational){1, (int)w->sample_rate};
        ch->start = (int64_t)frames[i];
        ch->end = (int64_t)(i + 1 < w->chapter_count ? frames[i + 1] : w->frames);
        if (w->av->av_dict_set(&ch->metadata, "title", w->titles[i], 0) < 0)
            return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for MP4 chapters");
    }
    return ALOUD_OK;
}

/* --------------------------------------------------------------- segments */

/* The plan of the encode, shared by the threads (read only) and the sink. */
typedef struct mp4_job {
    writer *w;
    int fd;                    /* the spool, read with pread by every thread */
    uint64_t *starts;          /* segment s: input [starts[s], starts[s + 1]) */
    size_t count;
} mp4_job;

/* The input samples segment `s` is fed: its span less the next segment's
 * priming (see the top of the file); the last gets all it has. */
static uint64_t mp4_segment_input(const mp4_job *job, size_t s)
{
    uint64_t span = job->starts[s + 1] - job->starts[s];

    return s + 1 == job->count ? span : span - (uint64_t)job->w->priming;
}

/* A message for a libav failure in a thread: libav's reason (no file I/O there). */
static aloud_status mp4_codec_fail(const writer *w, int code, aloud_error *err)
{
    char why[AV_ERROR_MAX_STRING_SIZE] = "";

    if (code == AVERROR(ENOMEM))
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for AAC");
    w->av->av_strerror(code, why, sizeof why);
    return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot encode AAC for %s: %s", w->path,
                           why);
}

/* Moves every packet `enc` has ready into `out`, its own time stamp kept. */
static aloud_status mp4_take_packets(const writer *w, AVCodecContext *enc, AVPacket *pkt,
                                     segenc_out *out, aloud_error *err)
{
    for (;;) {
        int rc = w->av->avcodec_receive_packet(enc, pkt);
        if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF)
            return ALOUD_OK;
        if (rc < 0)
            return mp4_codec_fail(w, rc, err);
        bool kept = segenc_put_packet(out, pkt->data, (size_t)pkt->size, pkt->pts);
        w->av->av_packet_unref(pkt);
        if (!kept)
            return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    }
}

/* A segenc_encode_fn: segment `s` through a fresh encoder. */
static aloud_status mp4_encode_segment(void *ctx, size_t s, segenc_out *out, aloud_error *err)
{
    mp4_job *job = ctx;
    const writer *w = job->w;
    const libav_api *av = w->av;
    uint64_t first = job->starts[s], n = mp4_segment_input(job, s);
    size_t fs = (size_t)w->frame_size;
    AVCodecContext *enc = NULL;
    AVFrame *frame = av->av_frame_alloc();
    AVPacket *pkt = av->av_packet_alloc();
    int16_t *pcm = malloc(sizeof *pcm * fs * w->channels);
    aloud_status st = frame && pkt && pcm ? mp4_new_encoder(w, &enc, err)
                                          : aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0,
                                                            "out of memory");
    int rc = 0;

    if (st == ALOUD_OK) {
        frame->format = AV_SAMPLE_FMT_FLTP;
        frame->sample_rate = (int)w->sample_rate;
        frame->nb_samples = (int)fs;
        rc = av->av_channel_layout_copy(&frame->ch_layout, &enc->ch_layout);
        if (rc >= 0)
            rc = av->av_frame_get_buffer(frame, 0);
        if (rc < 0)
            st = mp4_codec_fail(w, rc, err);
    }
    for (uint64_t at = 0; st == ALOUD_OK && at < n; at += fs) {
        size_t k = n - at < fs ? (size_t)(n - at) : fs;

        st = segenc_read_part(job->fd, w->frames, w->channels, (int64_t)(first + at), k, pcm,
                              w->stop, err);
        if (st != ALOUD_OK)
            break;
        rc = av->av_frame_make_writable(frame);
        if (rc < 0) {
            st = mp4_codec_fail(w, rc, err);
            break;
        }
        for (unsigned c = 0; c < w->channels; c++) {
            /* libavutil aligns frame planes for SIMD: a float plane is float-aligned. */
            float *plane = (float *)(void *)frame->extended_data[c];
            for (size_t i = 0; i < k; i++)
                plane[i] = (float)pcm[i * w->channels + c] * (1.0f / 32768.0f);
        }
        frame->nb_samples = (int)k;
        frame->pts = (int64_t)at;
        rc = av->avcodec_send_frame(enc, frame);
        st = rc < 0 ? mp4_codec_fail(w, rc, err) : mp4_take_packets(w, enc, pkt, out, err);
    }
    if (st == ALOUD_OK) {
        rc = av->avcodec_send_frame(enc, NULL);
        st = rc < 0 ? mp4_codec_fail(w, rc, err) : mp4_take_packets(w, enc, pkt, out, err);
    }
    /* ceil(n / 1024) + 1 packets, the first at -1024: the segments then join exactly
     * (none for no input, which only a file without audio has). */
    if (st == ALOUD_OK) {
        size_t want = n == 0 ? 0 : (size_t)((n + fs - 1) / fs + (uint64_t)w->priming / fs);
        bool placed = out->count == want;
        for (size_t i = 0; placed && i < out->count; i++)
            placed = out->stamps[i] == (int64_t)(i * fs) - w->priming;
        if (!placed)
            st = aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0,
                                 "the AAC encoder made %zu packets of a segment, not %zu, or "
                                 "not 1024 apart: cannot join the segments exactly",
                                 out->count, want);
    }
    free(pcm);
    av->av_packet_free(&pkt);
    av->av_frame_free(&frame);
    av->avcodec_free_context(&enc);
    return st;
}

/*
 * A segenc_sink_fn: the segment's packets to the muxer at their place in
 * the stream. Each lasts a frame but the stream's last, which ends at the
 * last input sample: the edit list ends there.
 */
static aloud_status mp4_sink_segment(void *ctx, size_t s, const segenc_out *out, aloud_error *err)
{
    mp4_job *job = ctx;
    writer *w = job->w;
    size_t off = 0;

    for (size_t i = 0; i < out->count; i++) {
        int64_t pts = (int64_t)job->starts[s] + out->stamps[i];
        int64_t left = (int64_t)w->frames - pts;
        int rc = w->av->av_new_packet(w->pkt, (int)out->lens[i]);

        if (rc < 0)
            return mp4_fail(w, rc, "write", err);
        memcpy(w->pkt->data, out->data + off, out->lens[i]);
        off += out->lens[i];
        w->pkt->pts = w->pkt->dts = pts;
        w->pkt->duration = left < w->frame_size ? (left > 0 ? left : 0) : w->frame_size;
        w->pkt->flags |= AV_PKT_FLAG_KEY;
        w->pkt->stream_index = w->audio->index;
        w->av->av_packet_rescale_ts(w->pkt, (AVRational){1, (int)w->sample_rate},
                                    w->audio->time_base);
        rc = w->av->av_write_frame(w->oc, w->pkt);
        w->av->av_packet_unref(w->pkt);
        if (rc < 0)
            return mp4_fail(w, rc, "write", err);
    }
    return ALOUD_OK;
}

/* Where the spool may be cut (see the top of the file), once the encoder's
 * frame and priming are known. */
static void mp4_cuts_init(writer *w)
{
    uint64_t unit = (uint64_t)w->frame_size;
    uint64_t margin = (uint64_t)w->sample_rate * MP4_CUT_MARGIN_MS / 1000u;

    if (margin < MP4_CUT_MARGIN_FRAMES * unit)
        margin = MP4_CUT_MARGIN_FRAMES * unit;
    if (margin < (uint64_t)w->priming + unit)
        margin = (uint64_t)w->priming + unit;
    segenc_cuts_init(&w->cuts, w->channels, unit, margin,
                     (uint64_t)w->sample_rate * MP4_SEGMENT_MIN_S);
}

/* Encodes the segments of the spool in threads and muxes their packets in order. */
static aloud_status mp4_encode_all(writer *w, aloud_error *err)
{
    mp4_job job = {.w = w};
    aloud_status st = segenc_plan(w->spool, &w->cuts, w->frames, &job.fd, &job.starts,
                                  &job.count, err);
    if (st == ALOUD_OK)
        st = segenc_run(job.count, segenc_thread_count(job.count), mp4_encode_segment,
                        mp4_sink_segment, &job, w->stop, err);
    free(job.starts);
    return st;
}

/* ------------------------------------------------------------- the writer */

static aloud_status mp4_open_brand(const char *path, const writer_params *params, writer **out,
                                   const char *brand, aloud_error *err)
{
    const aloud_format *format = strcmp(brand, "M4B ") == 0 ? &formats_m4b : &formats_m4a;
    const libav_api *av;
    unsigned bitrate;
    writer *w;
    aloud_status st;

    if (!out)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no place for the writer");
    *out = NULL;
    if (!path || !params || params->channels == 0 || params->channels > 2
        || params->sample_rate == 0 || params->sample_rate > INT_MAX)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "bad MP4 writer parameters");
    if (writer_bitrate(format, params->sample_rate, params->bitrate, &bitrate, err) != ALOUD_OK)
        return ALOUD_ERR_ARG;
    av = libav_load(err);
    if (!av)
        return ALOUD_ERR_FORMAT;
    av->av_log_set_level(AV_LOG_QUIET);
    w = calloc(1, sizeof *w);
    if (!w)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    w->av = av;
    w->fd = -1;
    w->sample_rate = params->sample_rate;
    w->channels = params->channels;
    w->path = writer_strdup(path);
    w->titles = writer_copy_titles(params);
    if (!w->path || !w->titles) {
        mp4_free(w);
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    }
    w->chapter_count = params->chapter_count;
    w->bitrate = bitrate;
    w->stop = params->stop;
    st = mp4_start_encoder(w, err);
    if (st == ALOUD_OK) {
        mp4_cuts_init(w);
        st = mp4_start_muxer(w, params, brand, err);
    }
    if (st == ALOUD_OK)
        st = writer_create_spool(w->path, &w->spool, err);
    if (st != ALOUD_OK) {
        mp4_free(w);
        return st;
    }
    *out = w;
    return ALOUD_OK;
}

static aloud_status mp4_open_m4b(const char *path, const writer_params *params, writer **out,
                                 aloud_error *err)
{
    return mp4_open_brand(path, params, out, "M4B ", err);
}

static aloud_status mp4_open_m4a(const char *path, const writer_params *params, writer **out,
                                 aloud_error *err)
{
    return mp4_open_brand(path, params, out, "M4A ", err);
}

static aloud_status mp4_write(writer *w, const int16_t *pcm, size_t frames, aloud_error *err)
{
    if (!w || (!pcm && frames))
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "bad arguments to the MP4 writer");
    return segenc_spool(w->spool, &w->cuts, pcm, frames, w->channels, &w->frames, w->path,
                        err);
}

static aloud_status mp4_close(writer *w, const uint64_t *chapter_frames, aloud_error *err)
{
    aloud_status st;
    int rc;

    if (!w)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no MP4 writer to close");
    st = writer_check_chapters(w->chapter_count, chapter_frames, w->frames, err);
    /* The first encoder gave the stream its parameters; each thread makes its own. */
    w->av->avcodec_free_context(&w->enc);
    if (st == ALOUD_OK)
        st = mp4_encode_all(w, err);
    if (st == ALOUD_OK)
        st = mp4_set_chapters(w, chapter_frames, err);
    if (st == ALOUD_OK && (rc = w->av->av_write_trailer(w->oc)) < 0)
        st = mp4_fail(w, rc, "finish", err);
    if (st == ALOUD_OK) {
        w->av->avio_flush(w->io);
        if (w->io->error < 0 || w->io_errno)
            st = mp4_fail(w, w->io->error, "write", err);
    }
    if (st == ALOUD_OK && close(w->fd) != 0)
        st = aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot finish %s: %s", w->path,
                             strerror(errno));
    w->fd = -1;
    mp4_free(w);
    return st;
}

static void mp4_abort(writer *w)
{
    mp4_free(w);
}

/* Their limits and names are in their entries of the format table (formats.c). */
const writer_ops writer_m4b = {
    .open = mp4_open_m4b,
    .write = mp4_write,
    .close = mp4_close,
    .abort = mp4_abort,
};

const writer_ops writer_m4a = {
    .open = mp4_open_m4a,
    .write = mp4_write,
    .close = mp4_close,
    .abort = mp4_abort,
};
