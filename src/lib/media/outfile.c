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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct outfile {
    char *dest;
    char *temp;
};

/* Tries for a free temporary name before giving up: a clash needs another
 * process with our pid, counter and clock reading, so one retry is rare. */
#define OUTFILE_TRIES 100

/* The characters after ".NAME.aloud-" in a temporary name. */
#define OUTFILE_SUFFIX_LEN 10u

/*
 * Writes ".NAME.aloud-SUFFIX" beside `dest` into `temp` (`size` bytes), the
 * suffix OUTFILE_SUFFIX_LEN characters from `seed`. Not mkstemp(): it
 * creates the file 0600, and giving it the mode a new file should have
 * means reading the umask, which only umask() can do, and that changes it
 * for every thread of the host for a moment. open(O_CREAT | O_EXCL, 0666) lets the kernel apply the
 * umask (and a default ACL) itself, as for any new file.
 */
static void outfile_temp_name(const char *dest, uint64_t seed, char *temp, size_t size)
{
    static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    char suffix[OUTFILE_SUFFIX_LEN + 1];
    for (size_t i = 0; i < sizeof suffix - 1; i++) {
        suffix[i] = digits[seed % (sizeof digits - 1)];
        seed /= sizeof digits - 1;
    }
    suffix[sizeof suffix - 1] = '\0';
    /* In the folder of dest, so the final rename stays on one filesystem. */
    const char *slash = strrchr(dest, '/');
    size_t dirlen = slash ? (size_t)(slash - dest) + 1 : 0;
    snprintf(temp, size, "%.*s.%s.aloud-%s", (int)dirlen, dest, dest + dirlen, suffix);
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

aloud_status outfile_create(const char *dest, outfile **out, aloud_error *err)
{
    *out = NULL;
    outfile *of = calloc(1, sizeof *of);
    if (!of)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    of->dest = strdup(dest);
    size_t size = strlen(dest) + sizeof "..aloud-" + OUTFILE_SUFFIX_LEN;
    of->temp = malloc(size);
    if (!of->dest || !of->temp) {
        outfile_discard(of);
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    }
    int fd = -1;
    for (int i = 0; i < OUTFILE_TRIES && fd < 0; i++) {
        outfile_temp_name(dest, outfile_seed(), of->temp, size);
        fd = open(of->temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        int e = errno;
        free(of->temp);
        of->temp = NULL;
        outfile_discard(of);
        return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot create a file beside %s: %s",
                               dest, strerror(e));
    }
    if (close(fd) != 0) {
        int e = errno;
        outfile_discard(of);
        return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "%s: %s", dest, strerror(e));
    }
    *out = of;
    return ALOUD_OK;
}

const char *outfile_temp_path(const outfile *of)
{
    return of->temp;
}

aloud_status outfile_commit(outfile *of, aloud_error *err)
{
    aloud_status st = ALOUD_OK;
    if (rename(of->temp, of->dest) != 0) {
        st = aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot rename %s to %s: %s", of->temp,
                             of->dest, strerror(errno));
        outfile_discard(of);
        return st;
    }
    free(of->temp);
    free(of->dest);
    free(of);
    return st;
}

void outfile_discard(outfile *of)
{
    if (!of)
        return;
    if (of->temp)
        unlink(of->temp);
    free(of->temp);
    free(of->dest);
    free(of);
}

size_t aloud_output_sweep(const char *path, time_t since)
{
    if (!path)
        return 0;
    /* The names outfile_create() gives: ".NAME.aloud-" and the suffix. */
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    char dir[4096], prefix[512];
    int dirlen = slash ? (int)(slash - path) + 1 : 0;
    if (snprintf(dir, sizeof dir, "%.*s", dirlen, dirlen ? path : "./") >= (int)sizeof dir
        || snprintf(prefix, sizeof prefix, ".%s.aloud-", base) >= (int)sizeof prefix)
        return 0;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    size_t removed = 0, plen = strlen(prefix);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        struct stat sb;
        if (strncmp(e->d_name, prefix, plen) != 0 || strlen(e->d_name) != plen + OUTFILE_SUFFIX_LEN
            || fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        if (S_ISREG(sb.st_mode) && sb.st_uid == geteuid() && sb.st_ctime >= since
            && unlinkat(dirfd(d), e->d_name, 0) == 0)
            removed++;
    }
    closedir(d);
    return removed;
}
