/*
 * lametag.h - the Xing/Info + LAME header of an MP3 stream joined from
 * segments that separate LAME encoders made (private to libaloud).
 *
 * LAME writes this header (its "LAME tag", lame_get_lametag_frame()) for
 * a stream it encoded whole. The MP3 writer encodes in segments, each by
 * its own encoder, and joins their frames; so it takes the header of one
 * of them, whose settings fields (version, quality, lowpass, flags,
 * bitrate) are those of every one, and lametag_patch() rewrites the fields
 * that describe the stream. The layout (http://gabriel.mp3-tech.org/
 * mp3infotag.html; LAME 3.100 VbrTag.c), after the 4-byte frame header and
 * the side information (MPEG-1: 17 bytes mono, 32 stereo; MPEG-2 and 2.5:
 * 9 and 17), all big-endian:
 *
 *   +0    "Info" (CBR) or "Xing"      +4    flags (0x0f: the four below)
 *   +8    frames, the header's own not counted
 *   +12   bytes of the stream, the header's frame included
 *   +16   TOC: 100 entries, entry i the stream's byte at i% of its time,
 *         in 256ths (patched: frames and bitrate decide it)
 *   +116  quality                     +120  the LAME extension:
 *   L+0   "LAME3.100" version         L+9   revision and VBR method
 *   L+10  lowpass / 100 Hz            L+11  peak (float), L+15 and L+17
 *                                           ReplayGain (0: not measured)
 *   L+19  flags and ATH type          L+20  bitrate
 *   L+21  encoder delay (12 bits), padding (12 bits)  (patched)
 *   L+24  misc, L+25 MP3 gain, L+26 preset and surround
 *   L+28  music length: the bytes at +12 again        (patched)
 *   L+32  music CRC: CRC-16 of the frames after the header's (patched)
 *   L+34  CRC-16 of the header frame's bytes before this field (patched)
 *
 * The CRC is LAME's: the polynomial x^16 + x^15 + x^2 + 1, bits reflected
 * (0xA001), starting at 0. unit/test_mp3.c checks that lametag_patch()
 * with a serial encode's counts gives LAME's own header byte for byte.
 */
#ifndef ALOUD_LAMETAG_H
#define ALOUD_LAMETAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the header says of the joined stream. */
typedef struct lametag_stream {
    uint32_t frames;      /* audio frames, the header's frame not counted */
    uint32_t bytes;       /* the stream's bytes, the header's frame included */
    unsigned delay;       /* encoder delay, samples (< 4096) */
    unsigned padding;     /* samples after the last input sample (< 4096) */
    uint16_t music_crc;   /* lametag_crc16() of the audio frames' bytes */
} lametag_stream;

/* LAME's CRC-16 of `size` bytes, continuing from `crc` (0 to start). */
uint16_t lametag_crc16(uint16_t crc, const unsigned char *data, size_t size);

/*
 * Rewrites the stream fields of the header frame `frame` (`size` bytes, a
 * CBR or VBR header of LAME's with all four Xing fields and the LAME
 * extension) to describe `s`. False, leaving `frame` alone, when it is not
 * such a header or a value does not fit its field.
 */
bool lametag_patch(unsigned char *frame, size_t size, const lametag_stream *s);

#endif /* ALOUD_LAMETAG_H */
