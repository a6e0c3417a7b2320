/* outfile.c - temporary output beside the destination, renamed on success. */
#include "outfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct outfile {
    char *dest;
    char *temp;
};

/* mkstemp() creates 0600; give the file what open(..., 0666) would under the umask. */
static mode_t outfile_default_mode(void)
{
    mode_t mask = umask(0);
    umask(mask);
    return (mode_t)(0666 & ~mask);
}

aloud_status outfile_create(const char *dest, outfile **out, aloud_error *err)
{
    *out = NULL;
    outfile *of = calloc(1, sizeof *of);
    if (!of)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    of->dest = strdup(dest);
    /* ".NAME.XXXXXX" in the same folder, so the final rename stays on one filesystem. */
    const char *slash = strrchr(dest, '/');
    size_t dirlen = slash ? (size_t)(slash - dest) + 1 : 0;
    size_t size = strlen(dest) + sizeof ".aloud-XXXXXX" + 1;
    of->temp = malloc(size);
    if (!of->dest || !of->temp) {
        outfile_discard(of);
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    }
    snprintf(of->temp, size, "%.*s.%s.aloud-XXXXXX", (int)dirlen, dest, dest + dirlen);
    int fd = mkstemp(of->temp);
    if (fd < 0) {
        int e = errno;
        free(of->temp);
        of->temp = NULL;
        outfile_discard(of);
        return aloud_error_set(err, ALOUD_ERR_WRITE, 0, 0, "cannot create a file beside %s: %s",
                               dest, strerror(e));
    }
    if (fchmod(fd, outfile_default_mode()) != 0 || close(fd) != 0) {
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
    /* The names outfile_create() gives: ".NAME.aloud-" and mkstemp's six characters. */
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
        if (strncmp(e->d_name, prefix, plen) != 0 || strlen(e->d_name) != plen + 6
            || fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        if (S_ISREG(sb.st_mode) && sb.st_uid == geteuid() && sb.st_ctime >= since
            && unlinkat(dirfd(d), e->d_name, 0) == 0)
            removed++;
    }
    closedir(d);
    return removed;
}
