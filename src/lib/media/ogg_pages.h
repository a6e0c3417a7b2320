/*
 * ogg_pages.h - an Ogg page writer for one logical stream (private to
 * libaloud): packets in, pages out, with lacing, sequence numbers, granule
 * positions and CRCs (RFC 3533).
 *
 * Every packet ends on the page it starts on unless it is larger than a
 * page holds (a long comment header): a page is closed before a packet that
 * would not fit, and when asked. A page's granule position is that of its
 * last packet.
 */
#ifndef ALOUD_OGG_PAGES_H
#define ALOUD_OGG_PAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "aloud.h"

typedef struct oggw oggw;

/* A writer appending to `f` (borrowed) with this serial number; NULL when
 * out of memory. Free with oggw_free(). */
oggw *oggw_create(FILE *f, uint32_t serial);
void oggw_free(oggw *o);

/*
 * Adds one packet that ends at `granule`. `flush` closes the page after it
 * (the header packets each end a page); `eos` marks it the stream's last.
 * ALOUD_ERR_WRITE with errno's reason when the file cannot be written.
 */
aloud_status oggw_packet(oggw *o, const unsigned char *data, size_t size, uint64_t granule,
                         bool flush, bool eos, aloud_error *err);

/* The Ogg CRC-32 (polynomial 0x04c11db7, no reflection) of `size` bytes. */
uint32_t oggw_crc(const unsigned char *data, size_t size);

#endif /* ALOUD_OGG_PAGES_H */
