/*
 * feed_uuid.h - name-based UUIDs (RFC 4122 version 5, SHA-1) for the
 * feed's podcast:guid (private to libaloud).
 */
#ifndef ALOUD_FEED_UUID_H
#define ALOUD_FEED_UUID_H

#include <stddef.h>

/* The Podcasting 2.0 namespace of podcast:guid,
 * ead4c236-bf58-58c6-a2c6-a6b28d128cb6 (docs/tags/guid.md). */
extern const unsigned char feed_uuid_podcast_ns[16];

/* The SHA-1 digest of data[0..size) into out (FIPS 180-4). */
void feed_sha1(const void *data, size_t size, unsigned char out[20]);

/* The version 5 UUID of `name` in namespace `ns`, as 36 lower-case
 * characters and a NUL ("917393e3-1b1e-5cef-ace4-edaa54e1f810"). */
void feed_uuid5(const unsigned char ns[16], const char *name, char out[37]);

/*
 * The podcast:guid of the feed at `url`: the UUIDv5 of the URL with its
 * scheme ("http://", "https://") and trailing slashes stripped off, in
 * the podcast namespace.
 */
void feed_podcast_guid(const char *url, char out[37]);

#endif /* ALOUD_FEED_UUID_H */
