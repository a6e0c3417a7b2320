/* outfile.c - temporary output beside the destination, renamed on success. */
#include "outfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct outfile {
    char *dest;
    char *temp;
    int fd;  /* open on the temporary, holding its flock(); -1 once closed */
};

/* Tries for a free temporary name before giving up: a clash needs another
 * process with our pid, counter and clock reading, so one retry is rare. */
#define OUTFILE_TRIES 100

/* The characters after ".NAME.aloud-" in a temporary name. */
#define OUTFILE_SUFFIX_LEN 10u

/* The longest temporary name: NAME_MAX (255 on every Linux filesystem we
 * write to) less room for a writer's own suffix on it, the Opus spool's
 * ".spool-XXXXXX". */
#define OUTFILE_NAME_MAX (255u - 16u)

/* The longest NAME kept whole in ".NAME.aloud-SUFFIX". */
#define OUTFILE_STEM_MAX (OUTFILE_NAME_MAX - OUTFILE_SUFFIX_LEN - sizeof "..aloud-" + 1)

/*
 * The prefix ".NAME.aloud-" of every temporary of the file named `name` (no
 * folder), into `buf`; the one place that decides it, for the creator and
 * both sweeps. A NAME too long to fit is cut at a character boundary and
 * ended with "~" and a hash of the whole name, so that it stays
 * recognisable and two long names that start alike do not share temporaries.
 * Returns the prefix's length, 0 when `size` is too small.
 */
static size_t outfile_prefix(const char *name, char *buf, size_t size)
{
    size_t len = strlen(name);
    int n;
    if (len <= OUTFILE_STEM_MAX) {
        n = snprintf(buf, size, ".%s.aloud-", name);
    } else {
        uint32_t hash = 2166136261u; /* FNV-1a */
        for (const unsigned char *p = (const unsigned char *)name; *p; p++)
            hash = (hash ^ *p) * 16777619u;
        size_t keep = OUTFILE_STEM_MAX - sizeof "~12345678" + 1;
        while (keep > 0 && ((unsigned char)name[keep] & 0xC0) == 0x80)
            keep--;
        n = snprintf(buf, size, ".%.*s~%08x.aloud-", (int)keep, name, (unsigned)hash);
    }
    return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

/* The folder part of `path` ("" for none, else up to its last '/') and
 * its file name. */
static size_t outfile_dir_len(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? (size_t)(slash - path) + 1 : 0;
}

/* Whether p[0..n) are letters and digits only. */
static bool outfile_alnum(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'z')
              || (p[i] >= 'A' && p[i] <= 'Z')))
            return false;
    return true;
}

/* Whether `entry` (a file name) is one of the temporary names of `prefix`,
 * or a spool file named after one (writer_create_spool() names one for a
 * moment where the filesystem cannot make a file without a name). */
static bool outfile_is_temp_name(const char *entry, const char *prefix, size_t plen)
{
    static const char spool[] = ".spool-";
    const size_t spool_len = sizeof spool - 1, spool_suffix = 6; /* mkstemp's XXXXXX */
    size_t len = strlen(entry);
    if (strncmp(entry, prefix, plen) != 0 || !outfile_alnum(entry + plen, OUTFILE_SUFFIX_LEN))
        return false;
    const char *rest = entry + plen + OUTFILE_SUFFIX_LEN;
    if (len == plen + OUTFILE_SUFFIX_LEN)
        return true;
    return len == plen + OUTFILE_SUFFIX_LEN + spool_len + spool_suffix
           && memcmp(rest, spool, spool_len) == 0 && outfile_alnum(rest + spool_len, spool_suffix);
}

/*
 * Writes the next temporary name beside `dest` into `temp` (`size` bytes),
 * the suffix OUTFILE_SUFFIX_LEN characters from `seed`. Not mkstemp(): it
 * creates the file 0600, and giving it the mode a new file should have
 * means reading the umask, which only umask() can do, and that changes it
 * for every thread of the host for a moment. open(O_CREAT | O_EXCL, 0666) lets the kernel apply the
 * umask (and a default ACL) itself, as for any new file.
 */
static void outfile_temp_name(const char *dest, uint64_t seed, char *temp, size_t size)
{
    static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    char suffix[OUTFILE_SUFFIX_LEN + 1], prefix[OUTFILE_NAME_MAX + 1];
    for (size_t i = 0; i < sizeof suffix - 1; i++) {
        suffix[i] = digits[seed % (sizeof digits - 1)];
        seed /= sizeof digits - 1;
    }
    suffix[sizeof suffix - 1] = '\0';
    /* In the folder of dest, so the final rename stays on one filesystem. */
    size_t dirlen = outfile_dir_len(dest);
    outfile_prefix(dest + dirlen, prefix, sizeof prefix);
    snprintf(temp, size, "%.*s%s%s", (int)dirlen, dest, prefix, suffix);
}

/* Room for any temporary name of `dest`. */
static size_t outfile_temp_size(const char *dest)
{
    return outfile_dir_len(dest) + OUTFILE_NAME_MAX + 1;
}

/* A different seed on every call: the pid, a per-process count and the clock. */
static uint64_t outfile_seed(void)
{
    static atomic_uint_fast64_t counter;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = (uint64_t)getpid() * 0x9e3779b97f4a7c15u;
    x ^= (uint64_t)atomic_fetch_add(&counter, 1) * 0xbf58476d1ce4e5b9u;
    x ^= (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    /* splitmix64's finaliser, so close seeds give unlike names. */
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    return x ^ (x >> 31);
}

const char *outfile_brief(const char *path, char *buf, size_t size)
{
    size_t len = strlen(path);
    if (len < size) {
        memcpy(buf, path, len + 1);
        return buf;
    }
    /* Both ends matter: the folder says where, the name says which. */
    size_t room = size - sizeof "...", head = room / 3, tail = room - head;
    while (head > 0 && ((unsigned char)path[head] & 0xC0) == 0x80)
        head--;
    const char *end = path + len - tail;
    while (*end && ((unsigned char)*end & 0xC0) == 0x80)
        end++;
    snprintf(buf, size, "%.*s...%s", (int)head, path, end);
    return buf;
}

int outfile_folder_open(const char *path)
{
    char dir[4096];
    size_t dirlen = outfile_dir_len(path);
    if (snprintf(dir, sizeof dir, "%.*s", (int)dirlen, dirlen ? path : "./") >= (int)sizeof dir)
        return -1;
    return open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

void outfile_folder_lock(int fd)
{
    /* Retried through signals: the holder only renames a few files. */
    while (fd >= 0 && flock(fd, LOCK_EX) != 0 && errno == EINTR)
        ;
}

void outfile_folder_close(int fd)
{
    if (fd >= 0)
        close(fd);
}

aloud_status outfile_create(const char *dest, outfile **out, aloud_error *err)
{
    char brief[OUTFILE_BRIEF];
    *out = NULL;
    outfile *of = calloc(1, sizeof *of);
    if (!of)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    of->fd = -1;
    of->dest = strdup(dest);
    size_t size = outfile_temp_size(dest);
    of->temp = malloc(size);
    if (!of->dest || !of->temp) {
        outfile_discard(of);
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    }
    /* Created and locked under the folder's lock, which a sweep holds too:
     * no sweep sees this temporary between its creation and its lock. */
    int folder = outfile_folder_open(dest);
    outfile_folder_lock(folder);
    int fd = -1;
    for (int i = 0; i < OUTFILE_TRIES && fd < 0; i++) {
        outfile_temp_name(dest, outfile_seed(), of->temp, size);
        fd = open(of->temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    int e = errno;
    if (fd >= 0)
        (void)flock(fd, LOCK_EX | LOCK_NB); /* no locks here: nothing is swept either */
    outfile_folder_close(folder);
    if (fd < 0) {
        free(of->temp);
        of->temp = NULL;
        outfile_discard(of);
        return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0,
                               "cannot create a temporary file (%s) beside %s", strerror(e),
                               outfile_brief(dest, brief, sizeof brief));
    }
    of->fd = fd;
    *out = of;
    return ALOUD_OK;
}

const char *outfile_temp_path(const outfile *of)
{
    return of->temp;
}

/* Frees `of` without touching its files. */
static void outfile_free(outfile *of)
{
    if (of->fd >= 0)
        close(of->fd);
    free(of->temp);
    free(of->dest);
    free(of);
}

aloud_status outfile_commit(outfile *of, aloud_error *err)
{
    char brief[OUTFILE_BRIEF];
    if (rename(of->temp, of->dest) != 0) {
        aloud_status st = aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot replace (%s) %s",
                                          strerror(errno),
                                          outfile_brief(of->dest, brief, sizeof brief));
        outfile_discard(of);
        return st;
    }
    outfile_free(of);
    return ALOUD_OK;
}

void outfile_discard(outfile *of)
{
    if (!of)
        return;
    if (of->temp)
        unlink(of->temp);
    outfile_free(of);
}

char *outfile_keep(const char *path)
{
    size_t size = outfile_temp_size(path);
    char *keep = malloc(size);
    if (!keep)
        return NULL;
    for (int i = 0; i < OUTFILE_TRIES; i++) {
        outfile_temp_name(path, outfile_seed(), keep, size);
        if (link(path, keep) == 0)
            return keep;
        if (errno != EEXIST)
            break;
    }
    free(keep);
    return NULL;
}

/*
 * Opens the folder of `path` and the prefix of its temporaries for a sweep;
 * NULL when the folder cannot be read.
 */
static DIR *outfile_sweep_open(const char *path, char *prefix, size_t size, size_t *plen)
{
    char dir[4096];
    size_t dirlen = outfile_dir_len(path);
    *plen = outfile_prefix(path + dirlen, prefix, size);
    if (*plen == 0
        || snprintf(dir, sizeof dir, "%.*s", (int)dirlen, dirlen ? path : "./") >= (int)sizeof dir)
        return NULL;
    return opendir(dir);
}

/* Whether a live process holds the file `name` in folder `dfd` locked
 * (or it cannot tell, which counts as held). */
static bool outfile_held(int dfd, const char *name)
{
    int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return true;
    bool held = flock(fd, LOCK_EX | LOCK_NB) != 0;
    close(fd);
    return held;
}

/* Removes the temporaries of `path` that are regular, this user's, held by
 * no process and, when `since` is not NULL, changed at *since or later. */
static size_t outfile_sweep(const char *path, const time_t *since)
{
    char prefix[OUTFILE_NAME_MAX + 1];
    size_t plen, removed = 0;
    DIR *d = outfile_sweep_open(path, prefix, sizeof prefix, &plen);
    if (!d)
        return 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        struct stat sb;
        if (!outfile_is_temp_name(e->d_name, prefix, plen)
            || fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        if (S_ISREG(sb.st_mode) && sb.st_uid == geteuid() && (!since || sb.st_ctime >= *since)
            && !outfile_held(dirfd(d), e->d_name) && unlinkat(dirfd(d), e->d_name, 0) == 0)
            removed++;
    }
    closedir(d);
    return removed;
}

size_t outfile_sweep_stale(const char *dest)
{
    return outfile_sweep(dest, NULL);
}

size_t aloud_output_sweep(const char *path, time_t since)
{
    return path ? outfile_sweep(path, &since) : 0;
}
