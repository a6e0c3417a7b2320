/*
 * wav_writer.c - WAV output: RIFF, or RF64 past 4 GiB, with chapter markers.
 *
 * libsndfile writes the audio and the LIST/INFO tags. The markers are ours:
 * libsndfile's SFC_SET_CUE drops the names, does nothing for RF64 and
 * corrupts the header past ~1500 labels (see FORMATS.md). So on close we
 * append a `cue ` chunk and a LIST/adtl chunk of `labl`s after the audio,
 * in that order (ffprobe needs `cue ` first and stops at the first
 * sub-chunk that is not `labl`), and patch the RIFF size.
 *
 * Also on close: the fmt chunk becomes plain WAVE_FORMAT_PCM (libsndfile's
 * RF64 mode always writes WAVE_FORMAT_EXTENSIBLE, which shntool and
 * Python's wave refuse), and an `id3 ` chunk follows the markers with the
 * tags again: INFO has no defined encoding and mediainfo and exiftool read
 * it as Latin-1, while they read ID3 text as what it says it is.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sndfile.h>

#include "cover.h"
#include "id3v2.h"
#include "writer.h"

/*
 * A cue point holds its position as a 32-bit frame count (54 hours at
 * 22050 Hz). Chapters that start later are left out of the `cue ` and
 * adtl chunks rather than clamped: a clamped marker would put several
 * chapters at one wrong place, while leaving them out keeps every marker
 * a reader shows correct. The audio itself is unaffected (RF64).
 */
#define WAV_CUE_MAX_FRAME UINT32_MAX

/* Sizes of the fixed parts of what we append, in bytes. */
#define WAV_CHUNK_HEADER 8u
#define WAV_CUE_POINT 24u
#define WAV_LABL_ID 4u

struct writer {
    SNDFILE *sf;
    int fd;               /* ours, not libsndfile's; -1 once closed */
    char *path;           /* owned copy: close() reopens the file to append */
    unsigned channels;
    uint64_t frames;      /* frames written so far */
    size_t chapter_count;
    char **titles;        /* owned copies, chapter_count entries, never NULL */
    unsigned char *id3;   /* owned: the ID3v2 tag of the `id3 ` chunk; NULL without tags */
    size_t id3_size;
};

/* ---------------------------------------------------------------- helpers */

static void wav_put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v & 0xffu);
    p[1] = (unsigned char)((v >> 8) & 0xffu);
    p[2] = (unsigned char)((v >> 16) & 0xffu);
    p[3] = (unsigned char)((v >> 24) & 0xffu);
}

static void wav_put_u64(unsigned char *p, uint64_t v)
{
    wav_put_u32(p, (uint32_t)(v & 0xffffffffu));
    wav_put_u32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t wav_get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}


/* Frees everything `w` owns, without touching the file. NULL is a no-op. */
static void wav_free(writer *w)
{
    if (!w)
        return;
    writer_free_titles(w->titles, w->chapter_count);
    free(w->id3);
    if (w->fd >= 0)
        close(w->fd);
    free(w->path);
    free(w);
}

/* Copies the chapter titles: they are needed at close, after the caller's may be gone. */
static aloud_status wav_copy_titles(writer *w, const writer_params *params, aloud_error *err)
{
    w->titles = writer_copy_titles(params);
    if (!w->titles)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for chapter titles");
    w->chapter_count = params->chapter_count;
    return ALOUD_OK;
}

/*
 * Sets INAM / IART / ISFT. Before any audio, so that libsndfile puts the
 * LIST/INFO ahead of `data` (set later, it would append a second LIST).
 * libsndfile appends " (libsndfile-x.y.z)" to the software string.
 */
static aloud_status wav_set_tags(writer *w, const writer_params *params, aloud_error *err)
{
    static const struct {
        int type;
        const char *what;
    } tags[] = {
        {SF_STR_TITLE, "title"},
        {SF_STR_ARTIST, "artist"},
        {SF_STR_SOFTWARE, "software"},
    };
    const char *values[] = {params->title, params->author, params->software};

    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
        int rc;

        if (!values[i])
            continue;
        rc = sf_set_string(w->sf, tags[i].type, values[i]);
        if (rc != 0)
            return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot set the WAV %s tag: %s",
                                   tags[i].what, sf_error_number(rc));
    }
    return ALOUD_OK;
}

/*
 * Builds the tag of the `id3 ` chunk from the same tags as INFO; none
 * without tags. No CHAP frames: ffprobe reads an `id3 ` chunk's chapters
 * as well as the cue points and would list every chapter twice.
 */
static aloud_status wav_build_id3(writer *w, const writer_params *params, aloud_error *err)
{
    const cover_image *c = params->cover;
    id3_tag_spec spec = {
        .title = params->title,
        .artist = params->author,
        .software = params->software,
        .picture = c ? c->data : NULL, /* the cover as an APIC: the only place WAV has */
        .picture_size = c ? c->size : 0,
        .picture_mime = c ? c->mime : NULL,
    };

    if (!params->title && !params->author && !params->software && !c)
        return ALOUD_OK;
    return id3_tag_build(&spec, &w->id3, &w->id3_size, err);
}

/* How many leading chapters a 32-bit cue position can mark (they ascend). */
static size_t wav_markable(const writer *w, const uint64_t *frames)
{
    size_t n = 0;

    while (n < w->chapter_count && frames[n] <= WAV_CUE_MAX_FRAME)
        n++;
    return n;
}

static uint64_t wav_labl_size(const char *title)
{
    return WAV_LABL_ID + (uint64_t)strlen(title) + 1; /* the NUL is counted, the pad is not */
}

/*
 * Sizes (as stored in the chunk headers) of the `cue ` chunk and the LIST
 * chunk for the first `count` chapters. ALOUD_ERR_ARG when they do not fit
 * a 32-bit chunk size.
 */
static aloud_status wav_marker_sizes(const writer *w, size_t count, uint32_t *cue_size,
                                     uint32_t *list_size, aloud_error *err)
{
    uint64_t cue = 4 + (uint64_t)count * WAV_CUE_POINT;
    uint64_t list = 4; /* "adtl" */

    for (size_t i = 0; i < count; i++) {
        uint64_t labl = wav_labl_size(w->titles[i]);

        list += WAV_CHUNK_HEADER + labl + (labl & 1u);
    }
    if (cue > UINT32_MAX || list > UINT32_MAX)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0,
                               "%zu chapter markers do not fit in a WAV chunk", count);
    *cue_size = (uint32_t)cue;
    *list_size = (uint32_t)list;
    return ALOUD_OK;
}

/* ------------------------------------------------------- appending markers */

static bool wav_write_bytes(FILE *f, const void *p, size_t n)
{
    return fwrite(p, 1, n, f) == n;
}

static bool wav_write_chunk_header(FILE *f, const char id[4], uint32_t size)
{
    unsigned char h[WAV_CHUNK_HEADER];

    memcpy(h, id, 4);
    wav_put_u32(h + 4, size);
    return wav_write_bytes(f, h, sizeof h);
}

/* One cue point per chapter, ids 1..count, position and sample offset in frames. */
static bool wav_write_cue(FILE *f, const uint64_t *frames, size_t count, uint32_t size)
{
    unsigned char n[4];

    wav_put_u32(n, (uint32_t)count);
    if (!wav_write_chunk_header(f, "cue ", size) || !wav_write_bytes(f, n, sizeof n))
        return false;
    for (size_t i = 0; i < count; i++) {
        unsigned char p[WAV_CUE_POINT] = {0};

        wav_put_u32(p, (uint32_t)(i + 1));          /* dwName: the id labl refers to */
        wav_put_u32(p + 4, (uint32_t)frames[i]);    /* dwPosition (no playlist) */
        memcpy(p + 8, "data", 4);                   /* fccChunk */
        /* dwChunkStart and dwBlockStart stay 0: uncompressed data, one data chunk. */
        wav_put_u32(p + 20, (uint32_t)frames[i]);   /* dwSampleOffset */
        if (!wav_write_bytes(f, p, sizeof p))
            return false;
    }
    return true;
}

/* LIST/adtl holding only `labl`s, each padded to an even size. */
static bool wav_write_adtl(FILE *f, char *const *titles, size_t count, uint32_t size)
{
    static const unsigned char zero = 0;

    if (!wav_write_chunk_header(f, "LIST", size) || !wav_write_bytes(f, "adtl", 4))
        return false;
    for (size_t i = 0; i < count; i++) {
        uint64_t labl = wav_labl_size(titles[i]);
        unsigned char id[WAV_LABL_ID];

        wav_put_u32(id, (uint32_t)(i + 1));
        if (!wav_write_chunk_header(f, "labl", (uint32_t)labl) || !wav_write_bytes(f, id, 4)
            || !wav_write_bytes(f, titles[i], (size_t)labl - WAV_LABL_ID))
            return false;
        if ((labl & 1u) && !wav_write_bytes(f, &zero, 1))
            return false;
    }
    return true;
}

static bool wav_read_at(FILE *f, uint64_t offset, void *p, size_t n)
{
    if (offset > (uint64_t)INT64_MAX || fseeko(f, (off_t)offset, SEEK_SET) != 0)
        return false;
    return fread(p, 1, n, f) == n;
}

static bool wav_write_at(FILE *f, uint64_t offset, const void *p, size_t n)
{
    if (offset > (uint64_t)INT64_MAX || fseeko(f, (off_t)offset, SEEK_SET) != 0)
        return false;
    return wav_write_bytes(f, p, n);
}

/*
 * libsndfile chose a plain RIFF (the audio is under 4 GiB) but our markers
 * take the file past 4 GiB, where a 32-bit RIFF size would wrap. Turn its
 * header into RF64 in the same bytes, which is what the JUNK chunk it
 * leaves is for:
 *   RIFF | JUNK(24) | fmt (40) | fact(4) | ... | data(n)
 *   RF64 | ds64(28) | fmt (40) | JUNK(0) | ... | data(0xffffffff)
 * The layout is checked byte for byte first; anything else is an error,
 * not a guess. The RIFF size in ds64 is patched by the caller.
 */
static aloud_status wav_riff_to_rf64(FILE *f, uint64_t file_size, uint64_t frames,
                                     aloud_error *err)
{
    unsigned char old[104];
    unsigned char hdr[104];
    uint64_t pos = sizeof old;
    unsigned char chunk[WAV_CHUNK_HEADER];

    if (!wav_read_at(f, 0, old, sizeof old) || memcmp(old + 12, "JUNK", 4) != 0
        || wav_get_u32(old + 16) != 24 || memcmp(old + 44, "fmt ", 4) != 0
        || wav_get_u32(old + 48) != 40 || memcmp(old + 92, "fact", 4) != 0
        || wav_get_u32(old + 96) != 4)
        return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0,
                               "chapter markers take the WAV past 4 GiB and its header "
                               "cannot be turned into RF64");
    for (;;) {
        uint32_t size;

        if (pos + WAV_CHUNK_HEADER > file_size || !wav_read_at(f, pos, chunk, sizeof chunk))
            return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "no data chunk in the WAV header");
        size = wav_get_u32(chunk + 4);
        if (memcmp(chunk, "data", 4) == 0)
            break;
        pos += WAV_CHUNK_HEADER + size + (size & 1u);
    }
    memcpy(hdr, "RF64\xff\xff\xff\xffWAVEds64", 16);
    wav_put_u32(hdr + 16, 28);
    wav_put_u64(hdr + 20, 0); /* riffSize: patched once the markers are written */
    wav_put_u64(hdr + 28, wav_get_u32(chunk + 4));
    wav_put_u64(hdr + 36, frames);
    wav_put_u32(hdr + 44, 0); /* no table */
    memcpy(hdr + 48, old + 44, 48);
    memcpy(hdr + 96, "JUNK", 4);
    wav_put_u32(hdr + 100, 0);
    if (!wav_write_at(f, 0, hdr, sizeof hdr)
        || !wav_write_at(f, pos + 4, "\xff\xff\xff\xff", 4))
        return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot rewrite the WAV header: %s",
                               strerror(errno));
    return ALOUD_OK;
}

/* Patches the RIFF size, or the RF64 riffSize in ds64, to the file's final size. */
static aloud_status wav_patch_size(FILE *f, bool rf64, uint64_t file_size, aloud_error *err)
{
    unsigned char b[8];

    if (rf64) {
        unsigned char ds64[4];

        if (!wav_read_at(f, 12, ds64, sizeof ds64) || memcmp(ds64, "ds64", 4) != 0)
            return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "RF64 file without a ds64 chunk");
        wav_put_u64(b, file_size - 8);
        if (!wav_write_at(f, 20, b, 8))
            return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot patch the RF64 size: %s",
                                   strerror(errno));
        return ALOUD_OK;
    }
    wav_put_u32(b, (uint32_t)(file_size - 8));
    if (!wav_write_at(f, 4, b, 4))
        return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot patch the RIFF size: %s",
                               strerror(errno));
    return ALOUD_OK;
}

/* KSDATAFORMAT_SUBTYPE_PCM as stored: the GUID 00000001-0000-0010-8000-00aa00389b71. */
static const unsigned char wav_subtype_pcm[16] = {1, 0, 0, 0, 0, 0, 0x10, 0,
                                                  0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71};

/*
 * Rewrites libsndfile's WAVE_FORMAT_EXTENSIBLE fmt chunk as WAVE_FORMAT_PCM
 * when that says the same: 16-bit integer PCM, one or two channels (more
 * need EXTENSIBLE's channel mask). In the same 48 bytes, so nothing moves:
 *   fmt (40): tag FFFE, ..., cbSize 22, valid bits, mask, subformat GUID
 *   fmt (16): tag 0001, ...              | JUNK(16): zeros
 * The chunk before fmt (JUNK for RIFF, ds64 for RF64) stays where an RF64
 * header needs it. Any other fmt is left as it is.
 */
static aloud_status wav_plain_fmt(FILE *f, aloud_error *err)
{
    unsigned char first[WAV_CHUNK_HEADER], fmt[48], out[48] = {0};
    uint64_t at;

    if (!wav_read_at(f, 12, first, sizeof first))
        return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot read back the WAV header");
    at = 12 + WAV_CHUNK_HEADER + (uint64_t)wav_get_u32(first + 4);
    if (!wav_read_at(f, at, fmt, sizeof fmt) || memcmp(fmt, "fmt ", 4) != 0
        || wav_get_u32(fmt + 4) != 40 || fmt[8] != 0xfe || fmt[9] != 0xff
        || fmt[10] < 1 || fmt[10] > 2 || fmt[11] != 0 || fmt[22] != 16 || fmt[23] != 0
        || memcmp(fmt + 32, wav_subtype_pcm, sizeof wav_subtype_pcm) != 0)
        return ALOUD_OK;
    memcpy(out, "fmt ", 4);
    wav_put_u32(out + 4, 16);
    memcpy(out + 8, fmt + 8, 16); /* channels, rate, byte rate, block align, bits */
    out[8] = 1;
    out[9] = 0;
    memcpy(out + 24, "JUNK", 4);
    wav_put_u32(out + 28, 16);
    if (!wav_write_at(f, at, out, sizeof out))
        return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot rewrite the WAV fmt chunk: %s",
                               strerror(errno));
    return ALOUD_OK;
}

/* The `id3 ` chunk: the tag, padded to an even size. */
static bool wav_write_id3(FILE *f, const unsigned char *tag, size_t size)
{
    return wav_write_chunk_header(f, "id3 ", (uint32_t)size) && wav_write_bytes(f, tag, size)
           && (!(size & 1u) || wav_write_bytes(f, "", 1));
}

/*
 * Finishes the closed file: a plain PCM fmt chunk, then `cue ` + LIST/adtl
 * and the `id3 ` chunk appended, and its size fixed (RF64 when they take
 * it past 4 GiB).
 */
static aloud_status wav_finish(const writer *w, const uint64_t *frames, aloud_error *err)
{
    size_t count = wav_markable(w, frames);
    uint32_t cue_size = 0, list_size = 0;
    unsigned char head[12];
    bool rf64;
    uint64_t end, final_size;
    off_t pos;
    FILE *f;
    aloud_status st;

    if (count > 0) {
        st = wav_marker_sizes(w, count, &cue_size, &list_size, err);
        if (st != ALOUD_OK)
            return st;
    }
    f = fopen(w->path, "r+b");
    if (!f)
        return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot reopen %s: %s", w->path,
                               strerror(errno));
    if (!wav_read_at(f, 0, head, sizeof head) || fseeko(f, 0, SEEK_END) != 0
        || (pos = ftello(f)) < 0) {
        st = aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot read back %s", w->path);
        goto done;
    }
    rf64 = memcmp(head, "RF64", 4) == 0;
    if (!rf64 && memcmp(head, "RIFF", 4) != 0) {
        st = aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "libsndfile wrote no RIFF header");
        goto done;
    }
    end = (uint64_t)pos;
    final_size = end;
    if (count > 0 || w->id3)
        final_size += end & 1u;
    if (count > 0)
        final_size += 2 * WAV_CHUNK_HEADER + (uint64_t)cue_size + list_size;
    if (w->id3)
        final_size += WAV_CHUNK_HEADER + w->id3_size + (w->id3_size & 1u);
    if (!rf64 && final_size - 8 > UINT32_MAX) {
        st = wav_riff_to_rf64(f, end, w->frames, err);
        if (st != ALOUD_OK)
            goto done;
        rf64 = true;
    }
    st = wav_plain_fmt(f, err);
    if (st != ALOUD_OK || final_size == end)
        goto done; /* nothing appended: libsndfile's own sizes are right */
    if (fseeko(f, pos, SEEK_SET) != 0 || ((end & 1u) && !wav_write_bytes(f, "", 1))
        || (count > 0 && (!wav_write_cue(f, frames, count, cue_size)
                          || !wav_write_adtl(f, w->titles, count, list_size)))
        || (w->id3 && !wav_write_id3(f, w->id3, w->id3_size))) {
        st = aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot append chapter markers and tags: %s",
                             strerror(errno));
        goto done;
    }
    st = wav_patch_size(f, rf64, final_size, err);
done:
    if (fclose(f) != 0 && st == ALOUD_OK)
        st = aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot finish %s: %s", w->path,
                             strerror(errno));
    return st;
}

/* ------------------------------------------------------------- the writer */

static aloud_status wav_open(const char *path, const writer_params *params, writer **out,
                             aloud_error *err)
{
    SF_INFO info;
    writer *w;
    aloud_status st;

    if (!out)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no place for the writer");
    *out = NULL;
    if (!path || !params || params->channels == 0 || params->channels > INT_MAX
        || params->sample_rate == 0 || params->sample_rate > INT_MAX)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "bad WAV writer parameters");
    if (params->chapter_count > formats_wav.chapter_cap)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "too many chapters for WAV: %zu",
                               params->chapter_count);
    w = calloc(1, sizeof *w);
    if (w)
        w->fd = -1;
    if (!w || !(w->path = writer_strdup(path))) {
        wav_free(w);
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    }
    w->channels = params->channels;
    st = wav_copy_titles(w, params, err);
    if (st == ALOUD_OK)
        st = wav_build_id3(w, params, err);
    if (st != ALOUD_OK) {
        wav_free(w);
        return st;
    }
    memset(&info, 0, sizeof info);
    info.samplerate = (int)params->sample_rate;
    info.channels = (int)params->channels;
    info.format = SF_FORMAT_RF64 | SF_FORMAT_PCM_16;
    w->fd = writer_create_fd(path);
    if (w->fd < 0) {
        st = aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot create %s: %s", path,
                             strerror(errno));
        wav_free(w);
        return st;
    }
    w->sf = sf_open_fd(w->fd, SFM_WRITE, &info, SF_FALSE);
    if (!w->sf) {
        st = aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot create %s: %s", path,
                             sf_strerror(NULL));
        wav_free(w);
        return st;
    }
    /* Must precede any audio: a plain RIFF under 4 GiB, RF64 past it. */
    if (sf_command(w->sf, SFC_RF64_AUTO_DOWNGRADE, NULL, SF_TRUE) != SF_TRUE)
        st = aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "libsndfile refused RF64 auto-downgrade");
    else
        st = wav_set_tags(w, params, err);
    if (st != ALOUD_OK) {
        sf_close(w->sf);
        wav_free(w);
        return st;
    }
    *out = w;
    return ALOUD_OK;
}

static aloud_status wav_write(writer *w, const int16_t *pcm, size_t frames, aloud_error *err)
{
    sf_count_t done;

    if (!w || (!pcm && frames))
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "bad arguments to the WAV writer");
    if (frames == 0)
        return ALOUD_OK;
    if (frames > (size_t)INT64_MAX / w->channels)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "too many frames in one write");
    done = sf_writef_short(w->sf, pcm, (sf_count_t)frames);
    if (done < 0 || (uint64_t)done != frames)
        return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot write audio: %s",
                               sf_strerror(w->sf));
    w->frames += frames;
    return ALOUD_OK;
}

static aloud_status wav_close(writer *w, const uint64_t *chapter_frames, aloud_error *err)
{
    aloud_status st;
    int rc;

    if (!w)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no WAV writer to close");
    st = writer_check_chapters(w->chapter_count, chapter_frames, w->frames, err);
    rc = sf_close(w->sf);
    w->sf = NULL;
    if (st == ALOUD_OK && rc != 0)
        st = aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot finish %s: %s", w->path,
                             sf_error_number(rc));
    rc = close(w->fd);
    w->fd = -1;
    if (st == ALOUD_OK && rc != 0)
        st = aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot finish %s: %s", w->path,
                             strerror(errno));
    if (st == ALOUD_OK)
        st = wav_finish(w, chapter_frames, err);
    wav_free(w);
    return st;
}

static void wav_abort(writer *w)
{
    if (!w)
        return;
    sf_close(w->sf);
    wav_free(w);
}

/* Its limits and names are in its entry of the format table (formats.c). */
const writer_ops writer_wav = {
    .open = wav_open,
    .write = wav_write,
    .close = wav_close,
    .abort = wav_abort,
};
