/*
 * flac_writer.c - FLAC output with chapters, through libFLAC's encoder.
 *
 * Chapters are carried twice, as FORMATS.md explains: a CUESHEET (sample
 * exact, up to 254 tracks, no titles) and Xiph CHAPTERnnn / CHAPTERnnnNAME
 * Vorbis comments (what players show). ffprobe merges the two by number
 * and the block read later wins, so the CUESHEET comes before the
 * VORBIS_COMMENT and both number chapters from 1.
 *
 * Titles and the chapter count are known at open, positions only at close.
 * So the blocks go out up front with placeholder positions of the same
 * byte size, followed by PADDING, and close() rewrites them in place with
 * the metadata chain API: same-size blocks mean no audio is moved.
 *
 * Pieces. libFLAC encodes on one thread, but the frames of a fixed-blocksize
 * stream are independent: all of FLAC_BLOCK_FRAMES frames but the last, each
 * numbered in its header. So a piece that starts on a block boundary is
 * encoded by an encoder of its own (in any thread) into memory, where its
 * frames, handed over one at a time by libFLAC's write callback, get the
 * stream's numbers: the number in the header (coded like UTF-8), then the
 * header's CRC-8 and the frame's CRC-16 again. Joined in order they are the
 * frames one encoder would have made. The main encoder writes only the
 * metadata, and close() puts STREAMINFO right: frame sizes, samples, and the
 * MD5 of the audio (nettle's, libFLAC does not export its own), taken as the
 * pieces are joined.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <FLAC/format.h>
#include <FLAC/metadata.h>
#include <FLAC/stream_encoder.h>
#include <nettle/md5.h>

/* Exported by libFLAC (FLAC_API) but declared only in its include/share/private.h;
 * upstream keeps it for outside users (xiph/flac issue 547, pull request 548). */
FLAC_API FLAC__bool FLAC__stream_encoder_set_do_md5(FLAC__StreamEncoder *encoder,
                                                    FLAC__bool value);

#include "ascii.h"
#include "clock.h"
#include "cover.h"
#include "vec.h"
#include "writer.h"

/*
 * libFLAC's compression level, chosen by bench/flac_levels.py on espeak-ng
 * speech (22050 Hz mono): levels 0-2 are the same for mono (they differ only
 * in stereo decorrelation) and the fastest; level 5 is 3.2% smaller for
 * about 20-45% more encoder time, level 8 7.6% smaller for twice the time.
 * The encoder runs in the one process that writes the file, beside the
 * workers, so its time is render time: speed wins over 3%.
 */
#define FLAC_COMPRESSION_LEVEL 0u

/* The block size: level 0's, set explicitly because pieces start on multiples of it. */
#define FLAC_BLOCK_FRAMES 1152u

/* Room left for later same-size or small metadata edits (flac's own default). */
#define FLAC_PADDING_BYTES 8192u

/* CUESHEET tracks are numbered 1..254 (0 is not allowed, 255 is the lead-out). */
#define FLAC_CUESHEET_MAX_CHAPTERS 254u
#define FLAC_LEAD_OUT_TRACK 255u

/* Frames converted to int32 per encoder call; bounds the buffer, not the audio. */
#define FLAC_CHUNK_FRAMES 4096u

/* Encoded bytes gathered before a write(): libFLAC hands over one frame
 * (about 1-2 KB of speech) at a time, and its own file I/O asks the stdio
 * stream for its position after every one of them. */
#define FLAC_IO_BYTES ((size_t)1 << 18)

struct writer {
    FLAC__StreamEncoder *enc;
    char *path;                      /* owned copy, for the metadata rewrite */
    FLAC__StreamMetadata *cuesheet;  /* owned; NULL beyond 254 chapters or with none */
    FLAC__StreamMetadata *comments;  /* owned */
    FLAC__StreamMetadata *picture;   /* owned; NULL without a cover */
    FLAC__StreamMetadata *padding;   /* owned */
    FLAC__StreamMetadata *blocks[4]; /* the above in file order, borrowed by the encoder */
    unsigned channels;
    unsigned sample_rate;
    size_t chapter_count;
    uint64_t frames;                 /* written so far */
    FLAC__int32 *buf;                /* FLAC_CHUNK_FRAMES * channels samples */
    int fd;                          /* the file, -1 once closed */
    uint64_t offset;                 /* stream position: the file's plus what `io` holds */
    unsigned char *io;               /* FLAC_IO_BYTES of encoded output not yet written */
    size_t io_len;
    int io_errno;                    /* why a write or seek failed, 0 if none did */
    /* with pieces (write_piece) */
    bool pieces;                     /* the stream is made of pieces: STREAMINFO is ours */
    struct md5_ctx md5;              /* of the audio joined so far */
    uint32_t min_frame, max_frame;   /* sizes in bytes of the frames joined so far */
    uint8_t crc8[256];               /* the frame header's CRC (polynomial x^8+x^2+x+1) */
    uint16_t crc16[256];             /* the frame's (x^16+x^15+x^2+1) */
    uint16_t crc16_pow[64];          /* x^(8 * 2^k) modulo that polynomial */
};

/* A piece's frames, renumbered (see the top). */
struct writer_piece {
    const writer *w;
    unsigned char *data;
    size_t len, cap;
    uint64_t first_number;           /* the stream's number of its first frame */
    uint64_t number;                 /* and of its next */
    uint32_t min_frame, max_frame;
    bool bad;                        /* out of memory, or a frame not as expected */
};

/* ---------------------------------------------------------------- helpers */

/* Frees everything `w` owns; deleting an initialised encoder finishes it. NULL is a no-op. */
static void flac_free(writer *w)
{
    if (!w)
        return;
    if (w->enc)
        FLAC__stream_encoder_delete(w->enc);
    if (w->cuesheet)
        FLAC__metadata_object_delete(w->cuesheet);
    if (w->comments)
        FLAC__metadata_object_delete(w->comments);
    if (w->picture)
        FLAC__metadata_object_delete(w->picture);
    if (w->padding)
        FLAC__metadata_object_delete(w->padding);
    free(w->buf);
    free(w->io);
    if (w->fd >= 0)
        close(w->fd);
    free(w->path);
    free(w);
}

/*
 * A copy of `value` (caller frees) with U+FFFE and U+FFFF as U+FFFD, or
 * NULL when it holds neither (or without memory: *nomem then says so).
 * They are valid UTF-8, Unicode noncharacters, but libFLAC's comment check
 * (utf8len_ in format.c, behind every vorbiscomment call that takes an
 * entry) refuses exactly these two, so a title holding one could not be
 * stored at all. All three encode in three bytes: only the last changes.
 */
static char *flac_replace_nonchars(const char *value, bool *nomem)
{
    size_t len = strlen(value);
    char *copy = NULL;

    *nomem = false;
    for (size_t i = 0; i + 2 < len; i++) {
        if ((unsigned char)value[i] != 0xefu || (unsigned char)value[i + 1] != 0xbfu
            || ((unsigned char)value[i + 2] & 0xfeu) != 0xbeu)
            continue;
        if (!copy && !(copy = writer_strdup(value))) {
            *nomem = true;
            return NULL;
        }
        copy[i + 2] = (char)0xbd;
        i += 2;
    }
    return copy;
}

/*
 * Appends NAME=value (copied), U+FFFE and U+FFFF in it stored as U+FFFD.
 * ALOUD_ERR_ARG when libFLAC rejects it (bad UTF-8), ALOUD_ERR_NOMEM.
 */
static aloud_status flac_add_comment(FLAC__StreamMetadata *vc, const char *name, const char *value,
                                     aloud_error *err)
{
    FLAC__StreamMetadata_VorbisComment_Entry entry;
    FLAC__bool ok;
    bool nomem;
    char *replaced = flac_replace_nonchars(value, &nomem);

    if (nomem)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for FLAC comments");
    ok = FLAC__metadata_object_vorbiscomment_entry_from_name_value_pair(
        &entry, name, replaced ? replaced : value);
    free(replaced);
    if (!ok)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0,
                               "cannot store %s in FLAC: not valid UTF-8 or out of memory", name);
    ok = FLAC__metadata_object_vorbiscomment_append_comment(vc, entry, true);
    free(entry.entry);
    if (!ok)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for FLAC comments");
    return ALOUD_OK;
}

/* Builds the VORBIS_COMMENT block: tags, then a time/name pair per chapter up to the
 * format's cap; later chapters get no comment. */
static aloud_status flac_build_comments(writer *w, const writer_params *params, aloud_error *err)
{
    const char *tag_names[] = {"TITLE", "ARTIST", "ENCODER"};
    const char *tag_values[] = {params->title, params->author, params->software};
    size_t named = params->chapter_count;
    aloud_status st = ALOUD_OK;
    char time[32];

    w->comments = FLAC__metadata_object_new(FLAC__METADATA_TYPE_VORBIS_COMMENT);
    if (!w->comments)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for FLAC comments");
    for (size_t i = 0; i < 3 && st == ALOUD_OK; i++) {
        if (tag_values[i])
            st = flac_add_comment(w->comments, tag_names[i], tag_values[i], err);
    }
    if (params->gain && st == ALOUD_OK) {
        char db[32], peak[32];

        writer_replaygain(params->gain, db, sizeof db, peak, sizeof peak);
        st = flac_add_comment(w->comments, "REPLAYGAIN_TRACK_GAIN", db, err);
        if (st == ALOUD_OK)
            st = flac_add_comment(w->comments, "REPLAYGAIN_TRACK_PEAK", peak, err);
    }
    if (named > formats_flac.chapter_cap)
        named = formats_flac.chapter_cap;
    /* A placeholder time: the same byte size as any real one under 100 hours. */
    clock_format(0, '.', time, sizeof time);
    for (size_t i = 0; i < named && st == ALOUD_OK; i++) {
        const char *title = params->chapter_titles ? params->chapter_titles[i] : NULL;
        char name[32];

        snprintf(name, sizeof name, "CHAPTER%03zu", i + 1);
        st = flac_add_comment(w->comments, name, time, err);
        /* The NAME entry must follow its time entry for ffprobe. */
        snprintf(name, sizeof name, "CHAPTER%03zuNAME", i + 1);
        if (st == ALOUD_OK)
            st = flac_add_comment(w->comments, name, title ? title : "", err);
    }
    if (st == ALOUD_OK && w->comments->length >= (1u << FLAC__STREAM_METADATA_LENGTH_LEN))
        st = aloud_error_set(err, ALOUD_ERR_ARG, 0, 0,
                             "tags and chapter titles exceed a FLAC metadata block");
    return st;
}

/* Builds a non-CD CUESHEET: track n at offset 0 for now, index 1 at 0, lead-out 255. */
static aloud_status flac_build_cuesheet(writer *w, aloud_error *err)
{
    uint32_t tracks = (uint32_t)w->chapter_count + 1;
    FLAC__StreamMetadata_CueSheet *cs;

    w->cuesheet = FLAC__metadata_object_new(FLAC__METADATA_TYPE_CUESHEET);
    if (!w->cuesheet || !FLAC__metadata_object_cuesheet_resize_tracks(w->cuesheet, tracks))
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for the FLAC cuesheet");
    cs = &w->cuesheet->data.cue_sheet;
    cs->is_cd = false;
    cs->lead_in = 0;
    for (uint32_t t = 0; t + 1 < tracks; t++) {
        cs->tracks[t].number = (FLAC__byte)(t + 1);
        cs->tracks[t].offset = 0;
        if (!FLAC__metadata_object_cuesheet_track_resize_indices(w->cuesheet, t, 1))
            return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0,
                                   "out of memory for the FLAC cuesheet");
        cs->tracks[t].indices[0].number = 1;
        cs->tracks[t].indices[0].offset = 0;
    }
    cs->tracks[tracks - 1].number = FLAC_LEAD_OUT_TRACK;
    cs->tracks[tracks - 1].offset = 0;
    return ALOUD_OK;
}


/* ------------------------------------------------- rewriting the positions */

/* Puts the real offsets into a CUESHEET read back from the file, and checks it. */
static aloud_status flac_fill_cuesheet(FLAC__StreamMetadata *block, const writer *w,
                                       const uint64_t *frames, aloud_error *err)
{
    FLAC__StreamMetadata_CueSheet *cs = &block->data.cue_sheet;
    const char *violation = NULL;

    if (cs->num_tracks != w->chapter_count + 1)
        return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "the FLAC cuesheet read back differs");
    for (size_t i = 0; i < w->chapter_count; i++)
        cs->tracks[i].offset = frames[i];
    cs->tracks[w->chapter_count].offset = w->frames;
    if (!FLAC__metadata_object_cuesheet_is_legal(block, false, &violation))
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "illegal FLAC cuesheet: %s",
                               violation ? violation : "unknown reason");
    return ALOUD_OK;
}

/* The chapter number of a "CHAPTERnnn=" entry (1..999), or 0 for any other entry. */
static size_t flac_chapter_time_number(const FLAC__StreamMetadata_VorbisComment_Entry *e)
{
    const char *s = (const char *)e->entry;

    if (e->length < 11 || memcmp(s, "CHAPTER", 7) != 0 || s[10] != '=')
        return 0;
    for (int i = 7; i < 10; i++) {
        if (!ascii_is_digit(s[i]))
            return 0;
    }
    return (size_t)((s[7] - '0') * 100 + (s[8] - '0') * 10 + (s[9] - '0'));
}

/* Replaces every CHAPTERnnn time with the real one (same size below 100 hours). */
static aloud_status flac_fill_comments(FLAC__StreamMetadata *block, const writer *w,
                                       const uint64_t *frames, aloud_error *err)
{
    FLAC__StreamMetadata_VorbisComment *vc = &block->data.vorbis_comment;

    for (uint32_t i = 0; i < vc->num_comments; i++) {
        size_t n = flac_chapter_time_number(&vc->comments[i]);
        FLAC__StreamMetadata_VorbisComment_Entry entry;
        char name[32], time[32];
        FLAC__bool ok;

        if (n == 0 || n > w->chapter_count)
            continue;
        snprintf(name, sizeof name, "CHAPTER%03zu", n);
        clock_format(clock_ms(frames[n - 1], w->sample_rate), '.', time, sizeof time);
        if (!FLAC__metadata_object_vorbiscomment_entry_from_name_value_pair(&entry, name, time))
            return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for FLAC comments");
        ok = FLAC__metadata_object_vorbiscomment_set_comment(block, i, entry, false);
        if (!ok) {
            free(entry.entry);
            return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for FLAC comments");
        }
    }
    return ALOUD_OK;
}

static aloud_status flac_chain_error(FLAC__Metadata_Chain *chain, const char *what,
                                     aloud_error *err)
{
    return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot %s the FLAC metadata: %s", what,
                           FLAC__Metadata_ChainStatusString[FLAC__metadata_chain_status(chain)]);
}

/*
 * Rewrites CUESHEET and VORBIS_COMMENT with the real positions. The blocks
 * keep their size, so with use_padding the chain writes them in place
 * instead of copying the whole file.
 */
static aloud_status flac_rewrite_positions(const writer *w, const uint64_t *frames,
                                           aloud_error *err)
{
    FLAC__Metadata_Chain *chain = FLAC__metadata_chain_new();
    FLAC__Metadata_Iterator *it = FLAC__metadata_iterator_new();
    aloud_status st = ALOUD_OK;

    if (!chain || !it) {
        st = aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for FLAC metadata");
        goto done;
    }
    if (!FLAC__metadata_chain_read(chain, w->path)) {
        st = flac_chain_error(chain, "read back", err);
        goto done;
    }
    FLAC__metadata_iterator_init(it, chain);
    do {
        FLAC__StreamMetadata *block = FLAC__metadata_iterator_get_block(it);

        if (block->type == FLAC__METADATA_TYPE_CUESHEET)
            st = flac_fill_cuesheet(block, w, frames, err);
        else if (block->type == FLAC__METADATA_TYPE_VORBIS_COMMENT)
            st = flac_fill_comments(block, w, frames, err);
    } while (st == ALOUD_OK && FLAC__metadata_iterator_next(it));
    if (st == ALOUD_OK && !FLAC__metadata_chain_write(chain, true, false))
        st = flac_chain_error(chain, "rewrite", err);
done:
    if (it)
        FLAC__metadata_iterator_delete(it);
    if (chain)
        FLAC__metadata_chain_delete(chain);
    return st;
}

/* ------------------------------------------------------ buffered file output */

static bool flac_io_flush(writer *w)
{
    if (w->io_len > 0 && !writer_write_all(w->fd, w->io, w->io_len)) {
        w->io_errno = errno;
        return false;
    }
    w->io_len = 0;
    return true;
}

static FLAC__StreamEncoderWriteStatus flac_io_write(const FLAC__StreamEncoder *enc,
                                                    const FLAC__byte buffer[], size_t bytes,
                                                    uint32_t samples, uint32_t frame, void *ctx)
{
    writer *w = ctx;
    (void)enc;
    (void)samples;
    (void)frame;
    if (w->io_len + bytes > FLAC_IO_BYTES && !flac_io_flush(w))
        return FLAC__STREAM_ENCODER_WRITE_STATUS_FATAL_ERROR;
    if (bytes > FLAC_IO_BYTES) {
        if (!writer_write_all(w->fd, buffer, bytes)) {
            w->io_errno = errno;
            return FLAC__STREAM_ENCODER_WRITE_STATUS_FATAL_ERROR;
        }
    } else {
        memcpy(w->io + w->io_len, buffer, bytes);
        w->io_len += bytes;
    }
    w->offset += bytes;
    return FLAC__STREAM_ENCODER_WRITE_STATUS_OK;
}

/* libFLAC seeks back only at the end, to finish STREAMINFO. */
static FLAC__StreamEncoderSeekStatus flac_io_seek(const FLAC__StreamEncoder *enc,
                                                  FLAC__uint64 offset, void *ctx)
{
    writer *w = ctx;
    (void)enc;
    if (!flac_io_flush(w))
        return FLAC__STREAM_ENCODER_SEEK_STATUS_ERROR;
    if (offset > (FLAC__uint64)INT64_MAX || lseek(w->fd, (off_t)offset, SEEK_SET) < 0) {
        w->io_errno = offset > (FLAC__uint64)INT64_MAX ? EINVAL : errno;
        return FLAC__STREAM_ENCODER_SEEK_STATUS_ERROR;
    }
    w->offset = offset;
    return FLAC__STREAM_ENCODER_SEEK_STATUS_OK;
}

static FLAC__StreamEncoderTellStatus flac_io_tell(const FLAC__StreamEncoder *enc,
                                                  FLAC__uint64 *offset, void *ctx)
{
    const writer *w = ctx;
    (void)enc;
    *offset = w->offset;
    return FLAC__STREAM_ENCODER_TELL_STATUS_OK;
}

/* ----------------------------------------------------------- frame checks */

/* a * b modulo the CRC-16 polynomial, as polynomials over GF(2). */
static uint16_t flac_crc16_mul(uint16_t a, uint16_t b)
{
    unsigned r = 0;
    for (int i = 15; i >= 0; i--) {
        r = (r & 0x8000u) ? ((r << 1) ^ 0x8005u) & 0xffffu : (r << 1) & 0xffffu;
        if (b & (1u << i))
            r ^= a;
    }
    return (uint16_t)r;
}

static void flac_crc_tables(writer *w)
{
    for (unsigned i = 0; i < 256; i++) {
        unsigned c8 = i, c16 = i << 8;
        for (int b = 0; b < 8; b++) {
            c8 = (c8 & 0x80u) ? (c8 << 1) ^ 0x07u : c8 << 1;
            c16 = (c16 & 0x8000u) ? (c16 << 1) ^ 0x8005u : c16 << 1;
        }
        w->crc8[i] = (uint8_t)c8;
        w->crc16[i] = (uint16_t)c16;
    }
    /* x^8 is the CRC of a one byte followed by a zero byte; then squares. */
    w->crc16_pow[0] = 0x100u;
    for (int k = 1; k < 64; k++)
        w->crc16_pow[k] = flac_crc16_mul(w->crc16_pow[k - 1], w->crc16_pow[k - 1]);
}

static uint8_t flac_crc8(const writer *w, const unsigned char *p, size_t n)
{
    unsigned crc = 0;
    for (size_t i = 0; i < n; i++)
        crc = w->crc8[crc ^ p[i]];
    return (uint8_t)crc;
}

static uint16_t flac_crc16(const writer *w, const unsigned char *p, size_t n)
{
    unsigned crc = 0;
    for (size_t i = 0; i < n; i++)
        crc = ((crc << 8) & 0xffffu) ^ w->crc16[(crc >> 8) ^ p[i]];
    return (uint16_t)crc;
}

/* The CRC-16 of `c`'s message followed by `zeros` zero bytes: c * x^(8 zeros). */
static uint16_t flac_crc16_zeros(const writer *w, uint16_t c, size_t zeros)
{
    for (int k = 0; zeros > 0 && k < 64; k++, zeros >>= 1) {
        if (zeros & 1u)
            c = flac_crc16_mul(c, w->crc16_pow[k]);
    }
    return c;
}

/* The bytes of a frame number coded as FLAC codes it (UTF-8's scheme,
 * stretched to 36 bits): in `out` (room for 7), the count returned. */
static size_t flac_number_put(uint64_t n, unsigned char *out)
{
    if (n < 0x80) {
        out[0] = (unsigned char)n;
        return 1;
    }
    size_t len = 2;
    while (len < 7 && n >= (uint64_t)1 << (5 * len + 1))
        len++;
    for (size_t i = len - 1; i > 0; i--) {
        out[i] = (unsigned char)(0x80u | (n & 0x3fu));
        n >>= 6;
    }
    out[0] = (unsigned char)((0xff00u >> len) | n);
    return len;
}

/* How many bytes the coded number starting with `b` takes; 0 for a bad first byte. */
static size_t flac_number_len(unsigned char b)
{
    size_t len = 0;
    while (len < 8 && (b & (0x80u >> len)))
        len++;
    return len == 0 ? 1 : len == 1 || len > 7 ? 0 : len;
}

/*
 * Copies the frame `in` (`n` bytes, from libFLAC) to `out` (room for n + 6)
 * with `number` as its number and both CRCs made again; returns its new
 * size, 0 when it is not a fixed-blocksize frame as libFLAC makes them.
 */
static size_t flac_renumber(const writer *w, const unsigned char *in, size_t n, uint64_t number,
                            unsigned char *out)
{
    if (n < 8 || in[0] != 0xffu || in[1] != 0xf8u)
        return 0;
    unsigned block_code = in[2] >> 4, rate_code = in[2] & 0x0fu;
    size_t extra = (block_code == 6 ? 1u : block_code == 7 ? 2u : 0u)
                   + (rate_code == 12 ? 1u : rate_code == 13 || rate_code == 14 ? 2u : 0u);
    size_t old_len = flac_number_len(in[4]);
    size_t head = 4 + old_len + extra;   /* where the CRC-8 is */
    if (old_len == 0 || head + 1 + 2 > n)
        return 0;
    memcpy(out, in, 4);
    size_t k = 4 + flac_number_put(number, out + 4);
    memcpy(out + k, in + 4 + old_len, extra);
    k += extra;
    out[k] = flac_crc8(w, out, k);
    k++;
    size_t body = n - (head + 1) - 2;
    memcpy(out + k, in + head + 1, body);
    /* The CRC is linear, and leading zero bytes leave it alone: the new one
     * is the old one plus that of the two headers' difference (the shorter
     * one led by zeros) followed by as many zero bytes as the rest has. */
    unsigned char diff[32] = {0};
    size_t width = k > head + 1 ? k : head + 1;
    for (size_t i = 0; i < head + 1; i++)
        diff[width - (head + 1) + i] ^= in[i];
    for (size_t i = 0; i < k; i++)
        diff[width - k + i] ^= out[i];
    uint16_t crc = (uint16_t)((in[n - 2] << 8) | in[n - 1]);
    crc ^= flac_crc16_zeros(w, flac_crc16(w, diff, width), body);
    k += body;
    out[k++] = (unsigned char)(crc >> 8);
    out[k++] = (unsigned char)(crc & 0xffu);
    return k;
}

/* ------------------------------------------------------------- the writer */

/* A CLIENT_ERROR is our output failing, and io_errno says why (disk full,
 * file too large). */
static aloud_status flac_encoder_error(const writer *w, const char *what, aloud_error *err)
{
    FLAC__StreamEncoderState state = FLAC__stream_encoder_get_state(w->enc);
    if (w->io_errno != 0)
        return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot %s %s: %s", what, w->path,
                               strerror(w->io_errno));
    return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot %s %s: %s", what, w->path,
                           FLAC__StreamEncoderStateString[state]);
}

/* The front cover as a PICTURE block (copied). */
static aloud_status flac_build_picture(writer *w, const cover_image *cover, aloud_error *err)
{
    FLAC__StreamMetadata *b = FLAC__metadata_object_new(FLAC__METADATA_TYPE_PICTURE);
    const char *violation = NULL;

    w->picture = b;
    if (!b || cover->size > UINT32_MAX
        || !FLAC__metadata_object_picture_set_mime_type(b, (char *)(uintptr_t)cover->mime, true)
        || !FLAC__metadata_object_picture_set_description(b, (FLAC__byte *)(uintptr_t)"", true)
        || !FLAC__metadata_object_picture_set_data(b, cover->data, (FLAC__uint32)cover->size,
                                                   true))
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for the FLAC picture");
    b->data.picture.type = FLAC__STREAM_METADATA_PICTURE_TYPE_FRONT_COVER;
    b->data.picture.width = cover->width;
    b->data.picture.height = cover->height;
    b->data.picture.depth = cover->depth;
    if (!FLAC__metadata_object_picture_is_legal(b, &violation))
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "the cover cannot go in FLAC: %s",
                               violation ? violation : "refused");
    return ALOUD_OK;
}

/* The stream's format on an encoder: the main one and each piece's alike. */
static bool flac_set_format(FLAC__StreamEncoder *enc, const writer *w)
{
    return FLAC__stream_encoder_set_channels(enc, w->channels)
           && FLAC__stream_encoder_set_bits_per_sample(enc, 16)
           && FLAC__stream_encoder_set_sample_rate(enc, w->sample_rate)
           && FLAC__stream_encoder_set_compression_level(enc, FLAC_COMPRESSION_LEVEL)
           && FLAC__stream_encoder_set_blocksize(enc, FLAC_BLOCK_FRAMES);
}

/* Feeds `frames` interleaved frames to `enc` through buf (FLAC_CHUNK_FRAMES
 * frames of samples); false when the encoder fails. */
static bool flac_feed(FLAC__StreamEncoder *enc, unsigned channels, FLAC__int32 *buf,
                      const int16_t *pcm, size_t frames)
{
    while (frames > 0) {
        size_t n = frames < FLAC_CHUNK_FRAMES ? frames : FLAC_CHUNK_FRAMES;
        size_t samples = n * channels;
        for (size_t i = 0; i < samples; i++)
            buf[i] = pcm[i];
        if (!FLAC__stream_encoder_process_interleaved(enc, buf, (uint32_t)n))
            return false;
        pcm += samples;
        frames -= n;
    }
    return true;
}

/* Creates the encoder, sets the stream format and hands it the metadata blocks. */
static aloud_status flac_start_encoder(writer *w, aloud_error *err)
{
    uint32_t count = 0;
    FLAC__StreamEncoderInitStatus init;

    w->enc = FLAC__stream_encoder_new();
    if (!w->enc)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for the FLAC encoder");
    if (w->cuesheet)
        w->blocks[count++] = w->cuesheet;
    w->blocks[count++] = w->comments;
    if (w->picture)
        w->blocks[count++] = w->picture;
    w->blocks[count++] = w->padding;
    if (!flac_set_format(w->enc, w)
        || !FLAC__stream_encoder_set_metadata(w->enc, w->blocks, count))
        return flac_encoder_error(w, "set up the encoder for", err);
    w->fd = writer_create_fd(w->path);
    if (w->fd < 0)
        return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot create %s: %s", w->path,
                               strerror(errno));
    init = FLAC__stream_encoder_init_stream(w->enc, flac_io_write, flac_io_seek, flac_io_tell,
                                            NULL, w);
    if (init == FLAC__STREAM_ENCODER_INIT_STATUS_ENCODER_ERROR)
        return flac_encoder_error(w, "create", err);
    if (init != FLAC__STREAM_ENCODER_INIT_STATUS_OK)
        return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot create %s: %s", w->path,
                               FLAC__StreamEncoderInitStatusString[init]);
    return ALOUD_OK;
}

static aloud_status flac_open(const char *path, const writer_params *params, writer **out,
                              aloud_error *err)
{
    writer *w;
    aloud_status st = ALOUD_OK;

    if (!out)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no place for the writer");
    *out = NULL;
    if (!path || !params || params->channels == 0 || params->channels > FLAC__MAX_CHANNELS
        || !FLAC__format_sample_rate_is_valid(params->sample_rate))
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "bad FLAC writer parameters");
    w = calloc(1, sizeof *w);
    if (w)
        w->fd = -1;
    if (!w || !(w->path = malloc(strlen(path) + 1)) || !(w->io = malloc(FLAC_IO_BYTES))
        || !(w->buf = malloc(sizeof *w->buf * FLAC_CHUNK_FRAMES * params->channels))) {
        flac_free(w);
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    }
    strcpy(w->path, path);
    flac_crc_tables(w);
    md5_init(&w->md5);
    w->min_frame = UINT32_MAX;
    w->channels = params->channels;
    w->sample_rate = params->sample_rate;
    w->chapter_count = params->chapter_count;
    if (w->chapter_count > 0 && w->chapter_count <= FLAC_CUESHEET_MAX_CHAPTERS)
        st = flac_build_cuesheet(w, err);
    if (st == ALOUD_OK)
        st = flac_build_comments(w, params, err);
    if (st == ALOUD_OK && params->cover)
        st = flac_build_picture(w, params->cover, err);
    if (st == ALOUD_OK) {
        w->padding = FLAC__metadata_object_new(FLAC__METADATA_TYPE_PADDING);
        if (!w->padding)
            st = aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
        else
            w->padding->length = FLAC_PADDING_BYTES;
    }
    if (st == ALOUD_OK)
        st = flac_start_encoder(w, err);
    if (st != ALOUD_OK) {
        flac_free(w);
        return st;
    }
    *out = w;
    return ALOUD_OK;
}

static aloud_status flac_write(writer *w, const int16_t *pcm, size_t frames, aloud_error *err)
{
    if (!w || (!pcm && frames) || w->pieces)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "bad arguments to the FLAC writer");
    if (!flac_feed(w->enc, w->channels, w->buf, pcm, frames))
        return flac_encoder_error(w, "encode", err);
    w->frames += frames;
    return ALOUD_OK;
}

/* ------------------------------------------------------------------ pieces */

static void flac_free_piece(writer_piece *p)
{
    if (!p)
        return;
    free(p->data);
    free(p);
}

/* A piece encoder's output: its own "fLaC" and metadata (no samples) are
 * dropped; each frame is renumbered into the piece's buffer. */
static FLAC__StreamEncoderWriteStatus flac_piece_write(const FLAC__StreamEncoder *enc,
                                                       const FLAC__byte buffer[], size_t bytes,
                                                       uint32_t samples, uint32_t frame,
                                                       void *ctx)
{
    writer_piece *p = ctx;
    (void)enc;
    (void)frame;
    if (samples == 0)
        return FLAC__STREAM_ENCODER_WRITE_STATUS_OK;
    /* A renumbered frame is at most 8 bytes longer (flac_renumber()). */
    if (!vec_reserve(&p->data, &p->cap, p->len + bytes + 8, 1, (size_t)1 << 16)) {
        p->bad = true;
        return FLAC__STREAM_ENCODER_WRITE_STATUS_FATAL_ERROR;
    }
    size_t n = flac_renumber(p->w, buffer, bytes, p->number, p->data + p->len);
    if (n == 0 || n > UINT32_MAX) {
        p->bad = true;
        return FLAC__STREAM_ENCODER_WRITE_STATUS_FATAL_ERROR;
    }
    p->number++;
    p->len += n;
    p->min_frame = (uint32_t)n < p->min_frame ? (uint32_t)n : p->min_frame;
    p->max_frame = (uint32_t)n > p->max_frame ? (uint32_t)n : p->max_frame;
    return FLAC__STREAM_ENCODER_WRITE_STATUS_OK;
}

static aloud_status flac_encode_piece(const writer *w, uint64_t first, const int16_t *pcm,
                                      size_t frames, writer_piece **out, aloud_error *err)
{
    *out = NULL;
    if (first % FLAC_BLOCK_FRAMES != 0 || (!pcm && frames))
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "bad arguments to the FLAC writer");
    writer_piece *p = calloc(1, sizeof *p);
    FLAC__int32 *buf = malloc(sizeof *buf * FLAC_CHUNK_FRAMES * w->channels);
    FLAC__StreamEncoder *enc = FLAC__stream_encoder_new();
    bool ok = p && buf && enc;
    if (ok) {
        p->w = w;
        p->first_number = p->number = first / FLAC_BLOCK_FRAMES;
        p->min_frame = UINT32_MAX;
        /* The main encoder's settings, but no MD5 of the piece: the join
         * takes the stream's. */
        ok = flac_set_format(enc, w) && FLAC__stream_encoder_set_do_md5(enc, false)
             && FLAC__stream_encoder_init_stream(enc, flac_piece_write, NULL, NULL, NULL, p)
                    == FLAC__STREAM_ENCODER_INIT_STATUS_OK;
    }
    ok = ok && flac_feed(enc, w->channels, buf, pcm, frames);
    if (enc && !FLAC__stream_encoder_finish(enc))
        ok = false;
    bool nomem = !p || !buf || !enc || p->bad;
    if (enc)
        FLAC__stream_encoder_delete(enc);
    free(buf);
    if (!ok) {
        flac_free_piece(p);
        return nomem ? aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory")
                     : aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot encode %s", w->path);
    }
    *out = p;
    return ALOUD_OK;
}

/* The MD5 of 16-bit samples as FLAC takes it: little-endian, interleaved. */
static void flac_md5_pcm(writer *w, const int16_t *pcm, size_t samples)
{
    const uint16_t one = 1;
    if (*(const unsigned char *)&one == 1) {
        md5_update(&w->md5, samples * sizeof *pcm, (const uint8_t *)pcm);
        return;
    }
    uint8_t le[2 * FLAC_CHUNK_FRAMES];
    while (samples > 0) {
        size_t n = samples < FLAC_CHUNK_FRAMES ? samples : FLAC_CHUNK_FRAMES;
        for (size_t i = 0; i < n; i++) {
            le[2 * i] = (uint8_t)((uint16_t)pcm[i] & 0xffu);
            le[2 * i + 1] = (uint8_t)((uint16_t)pcm[i] >> 8);
        }
        md5_update(&w->md5, 2 * n, le);
        pcm += n;
        samples -= n;
    }
}

static aloud_status flac_write_piece(writer *w, writer_piece *p, const int16_t *pcm,
                                     size_t frames, aloud_error *err)
{
    aloud_status st = ALOUD_OK;
    if (!p || (!pcm && frames) || w->frames % FLAC_BLOCK_FRAMES != 0
        || p->first_number != w->frames / FLAC_BLOCK_FRAMES
        || p->number - p->first_number != (frames + FLAC_BLOCK_FRAMES - 1) / FLAC_BLOCK_FRAMES)
        st = aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "a FLAC piece out of place");
    if (st == ALOUD_OK
        && flac_io_write(NULL, p->data, p->len, 0, 0, w) != FLAC__STREAM_ENCODER_WRITE_STATUS_OK)
        st = aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot write %s: %s", w->path,
                             strerror(w->io_errno));
    if (st == ALOUD_OK) {
        w->pieces = true;
        flac_md5_pcm(w, pcm, frames * w->channels);
        w->frames += frames;
        w->min_frame = p->min_frame < w->min_frame ? p->min_frame : w->min_frame;
        w->max_frame = p->max_frame > w->max_frame ? p->max_frame : w->max_frame;
    }
    flac_free_piece(p);
    return st;
}

/* STREAMINFO's body for a stream of pieces, over what the main encoder
 * wrote (it saw no audio): right after "fLaC" and the block's header. */
static bool flac_write_streaminfo(writer *w)
{
    unsigned char b[FLAC__STREAM_METADATA_STREAMINFO_LENGTH];
    uint32_t min_frame = w->frames ? w->min_frame : 0, max_frame = w->max_frame;
    uint64_t total = w->frames;
    unsigned rate = w->sample_rate, ch = w->channels - 1, bps = 16 - 1;

    b[0] = b[2] = (unsigned char)(FLAC_BLOCK_FRAMES >> 8);
    b[1] = b[3] = (unsigned char)(FLAC_BLOCK_FRAMES & 0xffu);
    for (int i = 0; i < 3; i++) {
        b[4 + i] = (unsigned char)(min_frame >> (16 - 8 * i));
        b[7 + i] = (unsigned char)(max_frame >> (16 - 8 * i));
    }
    b[10] = (unsigned char)(rate >> 12);
    b[11] = (unsigned char)(rate >> 4);
    b[12] = (unsigned char)(((rate & 0x0fu) << 4) | (ch << 1) | (bps >> 4));
    b[13] = (unsigned char)(((bps & 0x0fu) << 4) | ((total >> 32) & 0x0fu));
    for (int i = 0; i < 4; i++)
        b[14 + i] = (unsigned char)(total >> (24 - 8 * i));
    md5_digest(&w->md5, MD5_DIGEST_SIZE, b + 18);
    if (pwrite(w->fd, b, sizeof b, 8) != (ssize_t)sizeof b) {
        w->io_errno = errno ? errno : EIO;
        return false;
    }
    return true;
}

static aloud_status flac_close(writer *w, const uint64_t *chapter_frames, aloud_error *err)
{
    aloud_status st;

    if (!w)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no FLAC writer to close");
    st = writer_check_chapters(w->chapter_count, chapter_frames, w->frames, err);
    if (!FLAC__stream_encoder_finish(w->enc) && st == ALOUD_OK)
        st = flac_encoder_error(w, "finish", err);
    if (!flac_io_flush(w) && st == ALOUD_OK)
        st = flac_encoder_error(w, "finish", err);
    if (w->pieces && st == ALOUD_OK && !flac_write_streaminfo(w))
        st = flac_encoder_error(w, "finish", err);
    if (close(w->fd) != 0 && st == ALOUD_OK)
        st = aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot finish %s: %s", w->path,
                             strerror(errno));
    w->fd = -1;
    if (st == ALOUD_OK && w->chapter_count > 0)
        st = flac_rewrite_positions(w, chapter_frames, err);
    flac_free(w);
    return st;
}

static void flac_abort(writer *w)
{
    flac_free(w);
}

/* Its limits and names are in its entry of the format table (formats.c). */
const writer_ops writer_flac = {
    .open = flac_open,
    .write = flac_write,
    .close = flac_close,
    .abort = flac_abort,
    .piece_frames = FLAC_BLOCK_FRAMES,
    .encode_piece = flac_encode_piece,
    .write_piece = flac_write_piece,
    .free_piece = flac_free_piece,
};
