/*
 * speak_data.h - the spoken room's language data (src/lib/spoken/data/),
 * compiled in by cmake/embed.cmake (private to libaloud).
 */
#ifndef ALOUD_SPEAK_DATA_H
#define ALOUD_SPEAK_DATA_H

#include <stddef.h>

/* One data file: its base name ("en") and its NUL-terminated contents. */
typedef struct speak_data_file {
    const char *name;
    const char *text;
    size_t size;
} speak_data_file;

/* The *.acronyms files (format in data/en.acronyms), generated. */
extern const speak_data_file speak_acronym_table[];
extern const size_t speak_acronym_table_count;

/*
 * Looks the word w[0..n) up in the acronym data of language "en". Returns
 * its reading ("-", "." or a respelling, *reading_len bytes, not
 * NUL-terminated), or NULL when it is not listed.
 */
const char *speak_acronym_find(const char *w, size_t n, size_t *reading_len);

#endif /* ALOUD_SPEAK_DATA_H */
