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

#include "ascii.h"
#include "clock.h"
#include "cover.h"
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
    if (!FLAC__stream_encoder_set_channels(w->enc, w->channels)
        || !FLAC__stream_encoder_set_bits_per_sample(w->enc, 16)
        || !FLAC__stream_encoder_set_sample_rate(w->enc, w->sample_rate)
        || !FLAC__stream_encoder_set_compression_level(w->enc, FLAC_COMPRESSION_LEVEL)
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
    if (!w || (!pcm && frames))
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "bad arguments to the FLAC writer");
    while (frames > 0) {
        size_t n = frames < FLAC_CHUNK_FRAMES ? frames : FLAC_CHUNK_FRAMES;
        size_t samples = n * w->channels;

        for (size_t i = 0; i < samples; i++)
            w->buf[i] = pcm[i];
        if (!FLAC__stream_encoder_process_interleaved(w->enc, w->buf, (uint32_t)n))
            return flac_encoder_error(w, "encode", err);
        pcm += samples;
        frames -= n;
        w->frames += n;
    }
    return ALOUD_OK;
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
};
