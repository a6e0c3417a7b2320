/* input_epub.c - EPUB books (libzip): not yet. */
#include "input.h"

aloud_status epub_read(doc_builder *b, const char *data, size_t size, aloud_error *err)
{
    (void)b;
    (void)data;
    (void)size;
    return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "EPUB is not read yet");
}
