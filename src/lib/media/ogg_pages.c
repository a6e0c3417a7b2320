/*
 * ogg_pages.c - Ogg pages for one logical stream (see ogg_pages.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ogg_pages.h"

/* A page holds at most 255 lacing values; audio pages close at about 4 KB,
 * as libogg does, so a player can start and seek finely. */
#define OGGW_MAX_LACING 255u
#define OGGW_PAGE_TARGET 4096u

struct oggw {
    FILE *f;
    uint32_t serial;
    uint32_t sequence;
    bool started;               /* the first page (BOS) is written */
    unsigned char lacing[OGGW_MAX_LACING];
    size_t lacing_count;
    unsigned char *body;
    size_t body_size, body_cap;
    uint64_t granule;           /* of the last packet ending on this page */
    bool continued;             /* the page starts inside a packet */
};

/* The CRC table, built once: the polynomial's remainders of every byte. */
static uint32_t oggw_table[256];

static uint32_t oggw_crc_update(uint32_t crc, const unsigned char *data, size_t size)
{
    if (oggw_table[1] == 0) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t r = i << 24;
            for (int k = 0; k < 8; k++)
                r = r & 0x80000000u ? (r << 1) ^ 0x04c11db7u : r << 1;
            oggw_table[i] = r;
        }
    }
    for (size_t i = 0; i < size; i++)
        crc = (crc << 8) ^ oggw_table[((crc >> 24) ^ data[i]) & 0xffu];
    return crc;
}

uint32_t oggw_crc(const unsigned char *data, size_t size)
{
    return oggw_crc_update(0, data, size);
}

oggw *oggw_create(FILE *f, uint32_t serial)
{
    oggw *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->f = f;
    o->serial = serial;
    return o;
}

void oggw_free(oggw *o)
{
    if (!o)
        return;
    free(o->body);
    free(o);
}

static void oggw_put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* Writes the page gathered so far; `granule_known` is false when no packet ends on it. */
static aloud_status oggw_page_out(oggw *o, bool granule_known, bool eos, aloud_error *err)
{
    unsigned char head[27 + OGGW_MAX_LACING];
    uint64_t granule = granule_known ? o->granule : UINT64_MAX;
    size_t head_size = 27 + o->lacing_count;

    memcpy(head, "OggS", 4);
    head[4] = 0;
    head[5] = (unsigned char)((o->continued ? 1u : 0u) | (o->started ? 0u : 2u) | (eos ? 4u : 0u));
    oggw_put32(head + 6, (uint32_t)(granule & 0xffffffffu));
    oggw_put32(head + 10, (uint32_t)(granule >> 32));
    oggw_put32(head + 14, o->serial);
    oggw_put32(head + 18, o->sequence++);
    oggw_put32(head + 22, 0);
    head[26] = (unsigned char)o->lacing_count;
    memcpy(head + 27, o->lacing, o->lacing_count);
    uint32_t crc = oggw_crc_update(oggw_crc(head, head_size), o->body, o->body_size);
    oggw_put32(head + 22, crc);
    if (fwrite(head, 1, head_size, o->f) != head_size
        || fwrite(o->body, 1, o->body_size, o->f) != o->body_size)
        return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot write an Ogg page: %s",
                               strerror(errno));
    o->started = true;
    o->lacing_count = 0;
    o->body_size = 0;
    return ALOUD_OK;
}

aloud_status oggw_packet(oggw *o, const unsigned char *data, size_t size, uint64_t granule,
                         bool flush, bool eos, aloud_error *err)
{
    size_t lacing = size / 255u + 1u;
    aloud_status st = ALOUD_OK;

    /* A packet that fits on a fresh page does not start on a full one. */
    if (o->lacing_count > 0
        && (o->lacing_count + lacing > OGGW_MAX_LACING || o->body_size + size > OGGW_PAGE_TARGET)) {
        st = oggw_page_out(o, true, false, err);
        if (st != ALOUD_OK)
            return st;
        o->continued = false;
    }
    if (o->body_size + size > o->body_cap) {
        size_t cap = o->body_cap ? o->body_cap : 8192;
        while (cap < o->body_size + size)
            cap *= 2;
        unsigned char *p = realloc(o->body, cap);
        if (!p)
            return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for an Ogg page");
        o->body = p;
        o->body_cap = cap;
    }
    size_t left = size;
    const unsigned char *p = data;
    for (;;) {
        size_t chunk = left;
        bool ends = true;
        if (lacing > OGGW_MAX_LACING - o->lacing_count) {
            /* Larger than the page: fill it and continue on the next. */
            chunk = (OGGW_MAX_LACING - o->lacing_count) * 255u;
            ends = false;
        }
        size_t n = chunk;
        while (n >= 255u) {
            o->lacing[o->lacing_count++] = 255;
            n -= 255u;
        }
        if (ends)
            o->lacing[o->lacing_count++] = (unsigned char)n;
        memcpy(o->body + o->body_size, p, chunk);
        o->body_size += chunk;
        p += chunk;
        left -= chunk;
        if (ends)
            break;
        st = oggw_page_out(o, false, false, err);
        if (st != ALOUD_OK)
            return st;
        o->continued = true;
        lacing = left / 255u + 1u;
    }
    o->granule = granule;
    if (flush || eos) {
        st = oggw_page_out(o, true, eos, err);
        o->continued = false;
    }
    return st;
}
