/*
 * lang_textcat.c - lang_textcat_first() over libexttextcat (see
 * lang_textcat.h).
 */
#include "lang_textcat.h"

#include <pthread.h>
#include <string.h>

#include <textcat.h>

/* Where Debian's libexttextcat-data keeps fpdb.conf and the fingerprints
 * it lists (pkg-config's pkgdatadir of libexttextcat, with a slash). */
#ifndef ALOUD_TEXTCAT_DIR
#define ALOUD_TEXTCAT_DIR "/usr/share/libexttextcat/"
#endif

static pthread_once_t textcat_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t textcat_lock = PTHREAD_MUTEX_INITIALIZER;
static void *textcat_handle; /* NULL when the fingerprints cannot be read */

static void textcat_load(void)
{
    textcat_handle = special_textcat_Init(ALOUD_TEXTCAT_DIR "fpdb.conf", ALOUD_TEXTCAT_DIR);
}

bool lang_textcat_first(const char *text, size_t size, char *out, size_t out_size)
{
    if (out_size == 0)
        return false;
    out[0] = '\0';
    pthread_once(&textcat_once, textcat_load);
    if (!textcat_handle || !text || size == 0)
        return false;
    pthread_mutex_lock(&textcat_lock);
    /* "[nl--utf8][fy--utf8]...": the best first; "UNKNOWN" or "SHORT" for none. */
    const char *answer = textcat_Classify(textcat_handle, text, size);
    if (answer && answer[0] == '[') {
        size_t n = strcspn(answer + 1, "-]");
        if (n > 0 && n < out_size) {
            memcpy(out, answer + 1, n);
            out[n] = '\0';
        }
    }
    pthread_mutex_unlock(&textcat_lock);
    return out[0] != '\0';
}
