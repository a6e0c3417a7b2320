/*
 * fuzz_id3v2.c - libFuzzer target for the ID3v2 parser: id3_tag_parse()
 * over the input bytes, with the promises of id3v2.h checked.
 *
 * On success: the version of the header, a tag that fits the input, every
 * string valid UTF-8, every element id present, counts the input could
 * hold, and a CTOC of at most 255 children. Then a round trip: the parsed
 * strings and times are built into a new tag (id3_tag_build) and parsed
 * again, and must come back the same. On failure: MEDIA or NOMEM with a
 * reason, and MEDIA exactly when the header is bad or the tag cut short
 * (or its extended header is bad). Any broken promise aborts.
 */
#include <stdint.h>

#include "fuzz_util.h"
#include "id3v2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The smallest CHAP frame: header, an empty element id, four times. */
#define FUZZ_MIN_CHAP_BYTES (10u + 1u + 16u)
/* The smallest CTOC frame: header, an empty element id, flags, count. */
#define FUZZ_MIN_CTOC_BYTES (10u + 1u + 2u)

static void check_tag(const id3_tag *tag, const uint8_t *data, size_t size)
{
    fuzz_check(tag->version == data[3]);
    fuzz_check(id3_tag_total_size(data, size) <= size);
    fuzz_check_optional_text(tag->title);
    fuzz_check_optional_text(tag->artist);
    fuzz_check_optional_text(tag->software);
    if (tag->version == 2) {
        /* Version 2.2 parses as empty. */
        fuzz_check(!tag->title && !tag->artist && !tag->software);
        fuzz_check(tag->chapter_count == 0 && tag->toc_count == 0);
    }
    fuzz_check(tag->chapter_count <= size / FUZZ_MIN_CHAP_BYTES);
    fuzz_check(tag->chapter_count == 0 || tag->chapters != NULL);
    for (size_t i = 0; i < tag->chapter_count; i++) {
        fuzz_check_text(tag->chapters[i].id);
        fuzz_check_optional_text(tag->chapters[i].title);
    }
    fuzz_check(tag->toc_count <= size / FUZZ_MIN_CTOC_BYTES);
    fuzz_check(tag->toc_count == 0 || tag->tocs != NULL);
    for (size_t i = 0; i < tag->toc_count; i++) {
        const id3_toc *toc = &tag->tocs[i];

        fuzz_check_text(toc->id);
        fuzz_check(toc->child_count <= ID3_TOC_MAX_ENTRIES);
        fuzz_check(toc->child_count == 0 || toc->children != NULL);
        for (size_t j = 0; j < toc->child_count; j++)
            fuzz_check_text(toc->children[j]);
    }
}

static bool same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Builds the parsed tag again and parses the result: strings and times survive. */
static void check_round_trip(const id3_tag *tag)
{
    id3_chapter_spec *specs = calloc(tag->chapter_count ? tag->chapter_count : 1, sizeof *specs);
    id3_tag_spec spec = {tag->title, tag->artist, tag->software, tag->chapter_count, specs, 0, NULL, 0, NULL};
    unsigned char *built = NULL;
    size_t built_size = 0;
    id3_tag *again = NULL;
    aloud_error err;

    fuzz_check(specs != NULL);
    if (tag->chapter_count > ID3_MAX_CHAPTERS) {
        free(specs);
        return;
    }
    for (size_t i = 0; i < tag->chapter_count; i++) {
        specs[i].title = tag->chapters[i].title;
        specs[i].start_ms = tag->chapters[i].start_ms;
        specs[i].end_ms = tag->chapters[i].end_ms;
    }
    fuzz_check(id3_tag_build(&spec, &built, &built_size, &err) == ALOUD_OK);
    fuzz_check(id3_tag_total_size(built, built_size) == built_size);
    fuzz_check(id3_tag_parse(built, built_size, &again, &err) == ALOUD_OK);
    fuzz_check(again->version == 3);
    fuzz_check(same_text(again->title, tag->title));
    fuzz_check(same_text(again->artist, tag->artist));
    fuzz_check(same_text(again->software, tag->software));
    fuzz_check(again->chapter_count == tag->chapter_count);
    for (size_t i = 0; i < tag->chapter_count; i++) {
        fuzz_check(same_text(again->chapters[i].title, tag->chapters[i].title));
        fuzz_check(again->chapters[i].start_ms == tag->chapters[i].start_ms);
        fuzz_check(again->chapters[i].end_ms == tag->chapters[i].end_ms);
        fuzz_check(again->chapters[i].start_offset == ID3_NO_OFFSET);
    }
    /* Chapters bring a top-level, ordered CTOC first. */
    fuzz_check(tag->chapter_count == 0
               || (again->toc_count > 0 && again->tocs[0].top_level && again->tocs[0].ordered));
    id3_tag_free(again);
    free(built);
    free(specs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const aloud_status allowed[] = {ALOUD_ERR_MEDIA, ALOUD_ERR_NOMEM};
    uint64_t total = id3_tag_total_size(data, size);
    static id3_tag sentinel;
    id3_tag *tag = &sentinel; /* not NULL: a failed parse must clear it */
    aloud_error err;

    memset(&err, 0, sizeof err);
    aloud_status st = id3_tag_parse(data, size, &tag, &err);
    if (st == ALOUD_OK) {
        fuzz_check(tag != NULL);
        fuzz_check(total != 0 && total <= size);
        check_tag(tag, data, size);
        check_round_trip(tag);
    } else {
        fuzz_check(tag == NULL);
        fuzz_check_failure(st, &err, allowed, sizeof allowed / sizeof allowed[0]);
        /* A sound header that fits fails only on its extended header or memory. */
        fuzz_check(total == 0 || total > size || st == ALOUD_ERR_NOMEM
                   || (data[5] & 0x40u) != 0);
    }
    id3_tag_free(tag);
    return 0;
}
