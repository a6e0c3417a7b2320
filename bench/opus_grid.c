/*
 * opus_grid.c - one Opus encode of a WAV with aloud's encoder settings at a
 * given complexity, bitrate, signal and frame length, for
 * bench/codec_settings.py (bench only,
 * not part of the build; the bench compiles it with the library's
 * resample.c, so the PCM the encoder sees is the one opus_writer.c gives it).
 *
 *     opus_grid IN.wav COMPLEXITY BITRATE voice|music FRAME_MS OUT.f32 [SOURCE48.f32]
 *
 * IN.wav: 16-bit PCM mono. Resamples to 24 kHz (resample.c), the rate the
 * writer's encoder takes, encodes in
 * FRAME_MS packets with application AUDIO, the signal named (music lets
 * libopus use its CELT layer alone from about 36 kb/s), VBR (opus_writer.c's
 * settings), decodes the packets with libopus and writes the decode, its
 * pre-skip removed, as raw 32-bit floats at 24 kHz to OUT.f32. Prints
 * "BYTES CPU_SECONDS": the packets' total size and the encoder's CPU time
 * (resampling and decoding not counted). SOURCE48.f32, when named, gets the
 * resampled input the encoder saw, for a waveform SNR at 24 kHz.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <opus.h>

#include "resample.h"

#define RATE 24000u

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The mono 16-bit samples of a WAV; exits on anything else. */
static int16_t *read_wav(const char *path, size_t *n, unsigned *rate)
{
    FILE *f = fopen(path, "rb");
    unsigned char h[12], ch[8], fmt[16];
    if (!f || fread(h, 1, 12, f) != 12 || memcmp(h, "RIFF", 4) || memcmp(h + 8, "WAVE", 4)) {
        fprintf(stderr, "%s: not a WAV file\n", path);
        exit(2);
    }
    *rate = 0;
    while (fread(ch, 1, 8, f) == 8) {
        uint32_t size = le32(ch + 4);
        if (!memcmp(ch, "fmt ", 4) && size >= 16) {
            if (fread(fmt, 1, 16, f) != 16)
                break;
            if (fmt[2] != 1 || fmt[14] != 16) {
                fprintf(stderr, "%s: not 16-bit mono\n", path);
                exit(2);
            }
            *rate = le32(fmt + 4);
            fseek(f, (long)(size - 16 + (size & 1)), SEEK_CUR);
        } else if (!memcmp(ch, "data", 4)) {
            int16_t *s = malloc(size);
            if (!s || fread(s, 1, size, f) != size)
                break;
            fclose(f);
            *n = size / 2;
            return s;
        } else {
            fseek(f, (long)(size + (size & 1)), SEEK_CUR);
        }
    }
    fprintf(stderr, "%s: no data chunk\n", path);
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc != 7 && argc != 8) {
        fprintf(stderr, "usage: opus_grid IN.wav COMPLEXITY BITRATE voice|music FRAME_MS "
                        "OUT.f32 [SOURCE48.f32]\n");
        return 2;
    }
    int signal = strcmp(argv[4], "music") == 0 ? OPUS_SIGNAL_MUSIC : OPUS_SIGNAL_VOICE;
    unsigned frame = RATE / 1000u * (unsigned)atoi(argv[5]);
    if (frame != 240 && frame != 480 && frame != 960) {
        fprintf(stderr, "opus_grid: FRAME_MS is 5, 10 or 20\n");
        return 2;
    }
    size_t n;
    unsigned rate;
    int16_t *in = read_wav(argv[1], &n, &rate);
    int complexity = atoi(argv[2]), bitrate = atoi(argv[3]), rc, lookahead;

    resampler *r = resampler_create(rate, RATE);
    uint64_t m = resample_length(r, n);
    size_t packets = (size_t)((m + frame - 1) / frame) + 1; /* one more for the look-ahead */
    float *pcm = calloc(packets * frame, sizeof *pcm);
    int64_t first;
    size_t count;
    resample_span(r, 0, (size_t)m, &first, &count);
    int16_t *span = calloc(count, sizeof *span);
    for (size_t i = 0; i < count; i++) {
        int64_t k = first + (int64_t)i;
        span[i] = k >= 0 && (uint64_t)k < n ? in[k] : 0;
    }
    resample_run(r, span, 1, 0, (size_t)m, pcm);

    OpusEncoder *enc = opus_encoder_create((opus_int32)RATE, 1, OPUS_APPLICATION_AUDIO, &rc);
    opus_encoder_ctl(enc, OPUS_SET_BITRATE(bitrate));
    opus_encoder_ctl(enc, OPUS_SET_SIGNAL(signal));
    opus_encoder_ctl(enc, OPUS_SET_COMPLEXITY(complexity));
    opus_encoder_ctl(enc, OPUS_GET_LOOKAHEAD(&lookahead));
    OpusDecoder *dec = opus_decoder_create((opus_int32)RATE, 1, &rc);
    float *out = malloc(packets * frame * sizeof *out);
    unsigned char pkt[4000];
    size_t bytes = 0, got = 0;
    clock_t cpu = 0;
    for (size_t p = 0; p < packets; p++) {
        clock_t t = clock();
        opus_int32 len = opus_encode_float(enc, pcm + p * frame, (int)frame, pkt, sizeof pkt);
        cpu += clock() - t;
        if (len < 0) {
            fprintf(stderr, "opus_encode_float: %s\n", opus_strerror(len));
            return 1;
        }
        bytes += (size_t)len;
        int k = opus_decode_float(dec, pkt, len, out + got, (int)frame, 0);
        got += k > 0 ? (size_t)k : 0;
    }
    FILE *o = fopen(argv[6], "wb");
    size_t keep = got - (size_t)lookahead < m ? got - (size_t)lookahead : (size_t)m;
    if (!o || fwrite(out + lookahead, sizeof *out, keep, o) != keep || fclose(o)) {
        fprintf(stderr, "%s: cannot write\n", argv[6]);
        return 1;
    }
    if (argc == 8) {
        FILE *s = fopen(argv[7], "wb");
        if (!s || fwrite(pcm, sizeof *pcm, (size_t)m, s) != m || fclose(s)) {
            fprintf(stderr, "%s: cannot write\n", argv[7]);
            return 1;
        }
    }
    printf("%zu %.3f\n", bytes, (double)cpu / CLOCKS_PER_SEC);
    return 0;
}
