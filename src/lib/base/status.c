/* status.c - status names and the error helper. */
#include <stdarg.h>
#include <stdio.h>

#include "aloud.h"

const char *aloud_strerror(aloud_status status)
{
    switch (status) {
    case ALOUD_OK: return "success";
    case ALOUD_ERR_NOMEM: return "out of memory";
    case ALOUD_ERR_READ: return "cannot read input";
    case ALOUD_ERR_WRITE: return "cannot write output";
    case ALOUD_ERR_UTF8: return "invalid UTF-8";
    case ALOUD_ERR_EMPTY: return "no words to read";
    case ALOUD_ERR_VOICE: return "bad voice";
    case ALOUD_ERR_ENGINE: return "speech engine failed";
    case ALOUD_ERR_FORMAT: return "unknown output format";
    case ALOUD_ERR_MEDIA: return "unrecognised media file";
    case ALOUD_ERR_LEXICON: return "bad lexicon";
    case ALOUD_ERR_LIMIT: return "input exceeds a limit";
    case ALOUD_ERR_CANCELLED: return "cancelled";
    case ALOUD_ERR_ARG: return "bad argument";
    }
    return "unknown status";
}

aloud_status aloud_error_set(aloud_error *err, aloud_status status, unsigned line,
                             unsigned column, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->status = status;
        err->line = line;
        err->column = column;
        err->message[0] = '\0';
        if (fmt) {
            va_start(ap, fmt);
            vsnprintf(err->message, sizeof err->message, fmt, ap);
            va_end(ap);
        }
    }
    return status;
}
