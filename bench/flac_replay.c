/*
 * flac_replay.c - the replay after the speech with loudness on, FLAC out:
 * shape_run() over a spool of the audio, the pieces encoded serially by the
 * writer's one libFLAC encoder (as before) or each in its shaping thread
 * (encode_piece), in turn, three rounds (bench only, not part of the build).
 *
 *     build/aloud TEXT --loudness off -o IN.wav
 *     cc -O2 -std=c11 -D_GNU_SOURCE $(find src/lib -mindepth 1 -maxdepth 1 -type d -printf '-I%p ') \
 *        -Iinclude bench/flac_replay.c build/src/lib/libaloud.a \
 *        $(pkg-config --libs flac nettle sndfile opus libebur128 espeak-ng) \
 *        -lmp3lame -lpthread -lm -ldl -o /tmp/flac_replay
 *     /tmp/flac_replay IN.wav DIR
 *
 * IN.wav: 16-bit mono at 22050 Hz (aloud's). DIR gets the spool and the
 * FLAC. Prints, per run, the wall time, the CPU time of the process, that of
 * the thread that writes the file, and the least wall time two free cores
 * could take (the larger of the writing thread's CPU and half of all): a
 * busy machine's wall time says little, the CPU split does.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "shape.h"
#include "writer.h"

#define RATE 22050u

static double seconds(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static aloud_status bench_write(void *ctx, const int16_t *pcm, size_t n, void *coded,
                                aloud_error *err)
{
    return coded ? writer_flac.write_piece(ctx, coded, pcm, n, err)
                 : writer_flac.write(ctx, pcm, n, err);
}

static aloud_status bench_encode(void *ctx, uint64_t first, const int16_t *pcm, size_t n,
                                 void **coded, aloud_error *err)
{
    writer_piece *piece = NULL;
    aloud_status st = writer_flac.encode_piece(ctx, first, pcm, n, &piece, err);
    *coded = piece;
    return st;
}

static void bench_discard(void *ctx, void *coded)
{
    (void)ctx;
    writer_flac.free_piece(coded);
}

/* The samples of the WAV's data chunk; NULL on a file not as expected. */
static int16_t *read_wav(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    unsigned char head[12], chunk[8];
    int16_t *pcm = NULL;
    if (!f || fread(head, 1, 12, f) != 12 || memcmp(head, "RIFF", 4) || memcmp(head + 8, "WAVE", 4))
        goto done;
    while (fread(chunk, 1, 8, f) == 8) {
        size_t size = (size_t)chunk[4] | (size_t)chunk[5] << 8 | (size_t)chunk[6] << 16
                      | (size_t)chunk[7] << 24;
        if (memcmp(chunk, "data", 4) != 0) {
            if (fseek(f, (long)(size + (size & 1)), SEEK_CUR) != 0)
                break;
            continue;
        }
        *n = size / 2;
        pcm = malloc(size ? size : 1);
        if (pcm && fread(pcm, 2, *n, f) != *n) {
            free(pcm);
            pcm = NULL;
        }
        break;
    }
done:
    if (f)
        fclose(f);
    return pcm;
}

int main(int argc, char **argv)
{
    size_t n = 0;
    int16_t *pcm = argc == 3 ? read_wav(argv[1], &n) : NULL;
    char spool[4096], out[4096];
    if (!pcm) {
        fprintf(stderr, "usage: flac_replay IN.wav DIR (16-bit mono PCM)\n");
        return 2;
    }
    snprintf(spool, sizeof spool, "%s/flac_replay.spool", argv[2]);
    snprintf(out, sizeof out, "%s/flac_replay.flac", argv[2]);
    int fd = open(spool, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, pcm, n * 2) != (ssize_t)(n * 2)) {
        fprintf(stderr, "cannot write %s\n", spool);
        return 1;
    }
    for (int round = 0; round < 3; round++) {
        for (int threaded = 0; threaded < 2; threaded++) {
            shape_cuts *cuts = shape_cuts_create(RATE, threaded ? writer_flac.piece_frames : 1);
            writer_params params = {.sample_rate = RATE, .channels = 1};
            writer *w = NULL;
            aloud_error err;
            int peak;
            if (!cuts || !shape_cuts_feed(cuts, pcm, n)
                || writer_flac.open(out, &params, &w, &err) != ALOUD_OK)
                return 1;
            shape_output o = {bench_write, threaded ? bench_encode : NULL,
                              threaded ? bench_discard : NULL, w};
            double wall = seconds(CLOCK_MONOTONIC), cpu = seconds(CLOCK_PROCESS_CPUTIME_ID);
            double own = seconds(CLOCK_THREAD_CPUTIME_ID);
            aloud_status st = shape_run(fd, n, cuts, RATE, -1.0, -1.5, &o, NULL, &peak, &err);
            if (st == ALOUD_OK)
                st = writer_flac.close(w, NULL, &err);
            else
                writer_flac.abort(w);
            wall = seconds(CLOCK_MONOTONIC) - wall;
            cpu = seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu;
            own = seconds(CLOCK_THREAD_CPUTIME_ID) - own;
            shape_cuts_free(cuts);
            if (st != ALOUD_OK) {
                fprintf(stderr, "%s\n", err.message);
                return 1;
            }
            printf("%-24s %5.2f s wall  %5.2f s CPU  writing thread %5.2f s  on 2 free cores "
                   ">= %5.2f s\n", threaded ? "pieces in threads" : "one libFLAC encoder", wall,
                   cpu, own, own > cpu / 2 ? own : cpu / 2);
        }
    }
    close(fd);
    unlink(spool);
    free(pcm);
    return 0;
}
