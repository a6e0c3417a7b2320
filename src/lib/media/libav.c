/*
 * libav.c - FFmpeg's libraries, loaded on first use (libav.h).
 */
#include <dlfcn.h>
#include <stdbool.h>
#include <string.h>

#include "libav.h"

#define LIBAV_STR2(x) #x
#define LIBAV_STR(x) LIBAV_STR2(x)

static libav_api libav_table;
static bool libav_loaded;

/* The function `name` of `lib` into *slot (a function pointer of any type). */
static bool libav_sym(void *lib, const char *name, void *slot, size_t size, aloud_error *err)
{
    void *sym = dlsym(lib, name);

    if (!sym) {
        aloud_error_set(err, ALOUD_ERR_FORMAT, 0, 0, "FFmpeg has no %s: %s", name, dlerror());
        return false;
    }
    /* POSIX: a data pointer from dlsym() converts to a function pointer. */
    memcpy(slot, &sym, size);
    return true;
}

const libav_api *libav_load(aloud_error *err)
{
    static const char *const names[3] = {
        "libavutil.so." LIBAV_STR(LIBAVUTIL_VERSION_MAJOR),
        "libavcodec.so." LIBAV_STR(LIBAVCODEC_VERSION_MAJOR),
        "libavformat.so." LIBAV_STR(LIBAVFORMAT_VERSION_MAJOR),
    };
    void *libs[3];
    libav_api api;

    if (libav_loaded)
        return &libav_table;
    for (int i = 0; i < 3; i++) {
        libs[i] = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        if (!libs[i]) {
            aloud_error_set(err, ALOUD_ERR_FORMAT, 0, 0,
                            "M4B and M4A need FFmpeg's %s (Debian: libavformat59, libavcodec59, "
                            "libavutil57): %s",
                            names[i], dlerror());
            return NULL;
        }
    }
    void *util = libs[0], *codec = libs[1], *format = libs[2];
    (void)util;
    (void)codec;
    (void)format;
#define LIBAV_LOAD(lib, fn)                                                                     \
    if (!libav_sym(lib, #fn, &api.fn, sizeof api.fn, err))                                     \
        return NULL;
    LIBAV_FUNCTIONS(LIBAV_LOAD)
#undef LIBAV_LOAD
    libav_table = api;
    libav_loaded = true;
    return &libav_table;
}
