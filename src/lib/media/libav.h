/*
 * libav.h - FFmpeg's libavformat, libavcodec and libavutil, loaded when
 * first needed (private to libaloud; only the M4B/M4A writer uses them).
 *
 * Why dlopen and not plain linking: Debian's libavcodec pulls in some 115
 * more shared libraries (codecs, X11, GPU runtimes). Linked, they made
 * every run of aloud, a WAV render or `--version`, start in 0.12-0.2 s
 * instead of 0.01 s, with 30 MB resident instead of 6 and about 200 MB of
 * address space (under `ulimit -v` the loader failed before main). Loaded
 * on demand, only an M4B/M4A render pays, once. The headers still give
 * every function its exact type (the table below is built from them).
 */
#ifndef ALOUD_LIBAV_H
#define ALOUD_LIBAV_H

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/log.h>

#include "aloud.h"

/* Every FFmpeg function the writer calls, with the library it is in. */
#define LIBAV_FUNCTIONS(X)                                                                      \
    X(util, av_calloc) X(util, av_channel_layout_copy) X(util, av_channel_layout_default)      \
    X(util, av_dict_free) X(util, av_dict_set) X(util, av_frame_alloc) X(util, av_frame_free)  \
    X(util, av_frame_get_buffer) X(util, av_frame_make_writable) X(util, av_free)              \
    X(util, av_freep) X(util, av_log_set_level) X(util, av_malloc) X(util, av_mallocz)         \
    X(util, av_strerror)                                                                        \
    X(codec, av_new_packet) X(codec, av_packet_alloc) X(codec, av_packet_free)                 \
    X(codec, av_packet_rescale_ts) X(codec, av_packet_unref) X(codec, avcodec_alloc_context3)  \
    X(codec, avcodec_find_encoder_by_name) X(codec, avcodec_free_context)                      \
    X(codec, avcodec_open2) X(codec, avcodec_parameters_from_context)                          \
    X(codec, avcodec_receive_packet) X(codec, avcodec_send_frame)                              \
    X(format, av_write_frame) X(format, av_write_trailer) X(format, avformat_alloc_output_context2) \
    X(format, avformat_free_context) X(format, avformat_new_stream)                             \
    X(format, avformat_write_header) X(format, avio_alloc_context) X(format, avio_context_free) \
    X(format, avio_flush)

#define LIBAV_MEMBER(lib, fn) __typeof__(fn) *fn;
typedef struct libav_api {
    LIBAV_FUNCTIONS(LIBAV_MEMBER)
} libav_api;
#undef LIBAV_MEMBER

/*
 * The functions, loading the libraries of the major versions the headers
 * are of (libavformat.so.59 ...) on the first call; later calls return the
 * same table. NULL, with ALOUD_ERR_FORMAT naming the missing library or
 * function, when they cannot be loaded. Not thread-safe: call it from the
 * thread that renders. The libraries stay loaded until the process ends.
 */
const libav_api *libav_load(aloud_error *err);

#endif /* ALOUD_LIBAV_H */
