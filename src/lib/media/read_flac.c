/*
 * read_flac.c - reads FLAC back through libFLAC's metadata API: STREAMINFO,
 * the Vorbis comments (read_comments.c) and a CUESHEET, whose tracks give
 * sample-exact chapter starts. An ID3v2 tag before the stream is skipped.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <FLAC/format.h>
#include <FLAC/metadata.h>

#include "aloud.h"
#include "id3v2.h"
#include "media_read.h"

/* A cuesheet's lead-out track, which starts no chapter. */
#define READ_FLAC_LEAD_OUT_TRACK 255u

typedef struct read_flac_state {
    bool have_info;
    read_comments *comments;
} read_flac_state;

static aloud_status read_flac_comments(read_flac_state *mf, const FLAC__StreamMetadata *b,
                                        aloud_media *m, aloud_error *err)
{
    const FLAC__StreamMetadata_VorbisComment *vc = &b->data.vorbis_comment;
    aloud_status st = ALOUD_OK;

    for (uint32_t i = 0; st == ALOUD_OK && i < vc->num_comments; i++)
        st = read_comments_add(mf->comments, (const char *)vc->comments[i].entry,
                               vc->comments[i].length, m, err);
    return st;
}

/* Track n starts at its offset plus that of index 1 (or its first index). */
static void read_flac_cuesheet(read_flac_state *mf, const FLAC__StreamMetadata *b)
{
    const FLAC__StreamMetadata_CueSheet *cs = &b->data.cue_sheet;

    for (uint32_t t = 0; t < cs->num_tracks; t++) {
        const FLAC__StreamMetadata_CueSheet_Track *tr = &cs->tracks[t];
        uint64_t index_offset;

        if (tr->number == 0 || tr->number >= READ_FLAC_LEAD_OUT_TRACK || tr->num_indices == 0)
            continue;
        index_offset = tr->indices[0].offset;
        for (uint32_t i = 0; i < tr->num_indices; i++) {
            if (tr->indices[i].number == 1)
                index_offset = tr->indices[i].offset;
        }
        read_comments_track(mf->comments, tr->number, tr->offset + index_offset);
    }
}

static aloud_status read_flac_block(read_flac_state *mf, const FLAC__StreamMetadata *b,
                                     aloud_media *m, aloud_error *err)
{
    if (b->type == FLAC__METADATA_TYPE_STREAMINFO) {
        m->sample_rate = b->data.stream_info.sample_rate;
        m->channels = b->data.stream_info.channels;
        m->frames = b->data.stream_info.total_samples;
        mf->have_info = true;
        if (m->sample_rate == 0)
            return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "FLAC STREAMINFO with rate 0");
    } else if (b->type == FLAC__METADATA_TYPE_VORBIS_COMMENT) {
        return read_flac_comments(mf, b, m, err);
    } else if (b->type == FLAC__METADATA_TYPE_CUESHEET) {
        read_flac_cuesheet(mf, b);
    }
    return ALOUD_OK;
}

static aloud_status read_flac_iter_error(FLAC__Metadata_SimpleIterator *it, aloud_error *err)
{
    FLAC__Metadata_SimpleIteratorStatus s = FLAC__metadata_simple_iterator_status(it);

    if (s == FLAC__METADATA_SIMPLE_ITERATOR_STATUS_ERROR_OPENING_FILE)
        return aloud_error_set(err, ALOUD_ERR_READ, 0, 0, "cannot open the FLAC file");
    if (s == FLAC__METADATA_SIMPLE_ITERATOR_STATUS_MEMORY_ALLOCATION_ERROR)
        return media_nomem(err);
    return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "bad FLAC metadata: %s",
                           FLAC__Metadata_SimpleIteratorStatusString[s]);
}

/* Reads every metadata block; the audio must start after the last one. */
static aloud_status read_flac_blocks(const char *path, read_flac_state *mf, aloud_media *m,
                                      uint64_t file_size, aloud_error *err)
{
    FLAC__Metadata_SimpleIterator *it = FLAC__metadata_simple_iterator_new();
    aloud_status st = ALOUD_OK;

    if (!it)
        return media_nomem(err);
    if (!FLAC__metadata_simple_iterator_init(it, path, true, false))
        st = read_flac_iter_error(it, err);
    while (st == ALOUD_OK) {
        FLAC__MetadataType type = FLAC__metadata_simple_iterator_get_block_type(it);

        if (type == FLAC__METADATA_TYPE_STREAMINFO || type == FLAC__METADATA_TYPE_VORBIS_COMMENT
            || type == FLAC__METADATA_TYPE_CUESHEET) {
            FLAC__StreamMetadata *b = FLAC__metadata_simple_iterator_get_block(it);

            if (!b)
                st = read_flac_iter_error(it, err);
            else
                st = read_flac_block(mf, b, m, err);
            if (b)
                FLAC__metadata_object_delete(b);
        }
        if (st != ALOUD_OK)
            break;
        if (FLAC__metadata_simple_iterator_is_last(it)) {
            uint64_t end = (uint64_t)FLAC__metadata_simple_iterator_get_block_offset(it) + 4u
                           + FLAC__metadata_simple_iterator_get_block_length(it);

            if (end >= file_size)
                st = aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0,
                                     "truncated FLAC: no audio after the metadata");
            break;
        }
        if (!FLAC__metadata_simple_iterator_next(it))
            st = read_flac_iter_error(it, err);
    }
    FLAC__metadata_simple_iterator_delete(it);
    if (st == ALOUD_OK && !mf->have_info)
        st = aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "FLAC without STREAMINFO");
    return st;
}

/* "fLaC", or an ID3v2 tag followed by it (a bad or cut tag is left to the MP3 reader). */
bool read_flac_sniff(const media_file *file)
{
    uint64_t tag;
    unsigned char after[4];

    if (file->head_size >= 4 && memcmp(file->head, "fLaC", 4) == 0)
        return true;
    if (file->head_size < ID3_HEADER_SIZE || memcmp(file->head, "ID3", 3) != 0)
        return false;
    tag = id3_tag_total_size(file->head, file->head_size);
    return tag && tag + 4 <= file->size && media_read_at(file->f, tag, after, 4)
           && memcmp(after, "fLaC", 4) == 0;
}

/* libFLAC opens the file itself (and skips an ID3v2 prefix). */
aloud_status read_flac_read(const media_file *file, aloud_media *m, aloud_error *err)
{
    read_flac_state mf = {false, read_comments_create()};
    aloud_status st;

    if (!mf.comments)
        return media_nomem(err);
    st = read_flac_blocks(file->path, &mf, m, file->size, err);
    if (st == ALOUD_OK)
        st = read_comments_chapters(mf.comments, m, err);
    read_comments_free(mf.comments);
    return st;
}
