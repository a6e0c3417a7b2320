/* outputs.c - a set of outputs checked before writing and committed together. */
/* realpath() is XSI, beyond the POSIX base the build asks for. */
#define _DEFAULT_SOURCE
#include "outputs.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"
#include "vec.h"

/* Which file a path names: its inode when it exists, else its folder's
 * resolved path and its name. */
typedef struct outputs_id {
    bool inode;
    dev_t dev;
    ino_t ino;
    char *canon;  /* when !inode */
} outputs_id;

typedef struct outputs_entry {
    char *path;     /* as registered */
    char *target;   /* what the commit replaces: path, or the file a link names */
    outputs_id id;
    bool discard;   /* the null device: written to $TMPDIR and removed */
    outfile *of;    /* the temporary; NULL until written and after the commit */
} outputs_entry;

struct aloud_outputs {
    outputs_entry *outs;
    size_t out_count, out_cap;
    outputs_id *ins;
    char **in_paths;
    size_t in_count, in_cap, in_path_cap;
};

/* Fills `id` for `path`; false when out of memory. */
static bool outputs_identify(const char *path, outputs_id *id)
{
    struct stat sb;
    memset(id, 0, sizeof *id);
    if (stat(path, &sb) == 0) {
        id->inode = true;
        id->dev = sb.st_dev;
        id->ino = sb.st_ino;
        return true;
    }
    /* Not there yet: "out/x.json" and "./out/x.json" are still one file. */
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, (size_t)(slash - path) + 1) : strdup(".");
    char *real = dir ? realpath(dir, NULL) : NULL;
    const char *name = slash ? slash + 1 : path;
    if (real) {
        size_t size = strlen(real) + strlen(name) + 2;
        id->canon = malloc(size);
        if (id->canon)
            snprintf(id->canon, size, "%s/%s", real, name);
    } else if (dir) {
        id->canon = strdup(path);
    }
    free(real);
    free(dir);
    return id->canon != NULL;
}

static bool outputs_same(const outputs_id *a, const outputs_id *b)
{
    if (a->inode != b->inode)
        return false;
    return a->inode ? a->dev == b->dev && a->ino == b->ino : strcmp(a->canon, b->canon) == 0;
}

/* Whether `sb` is the null device, by its numbers, not its name. */
static bool outputs_is_null(const struct stat *sb)
{
    struct stat null;
    return S_ISCHR(sb->st_mode) && stat("/dev/null", &null) == 0 && S_ISCHR(null.st_mode)
           && sb->st_rdev == null.st_rdev;
}

/*
 * Checks that `path` may be replaced by a regular file, failing with
 * `status` and a message naming what it is. Sets *discard for the null
 * device and *target (the caller frees it) to what a commit replaces.
 */
static aloud_status outputs_check(const char *path, aloud_status status, bool *discard,
                                  char **target, aloud_error *err)
{
    char brief[OUTFILE_BRIEF];
    struct stat sb, lsb;
    *discard = false;
    *target = NULL;
    int missing = stat(path, &sb) != 0 ? errno : 0;
    if (missing == ENAMETOOLONG) {
        /* Known now, not after the whole render when the rename fails. */
        return aloud_error_set(err, status, 0, 0, "cannot write (%s) %s", strerror(missing),
                               outfile_brief(path, brief, sizeof brief));
    } else if (missing) {
        /* A new file, or a link to nothing: the rename makes the file. */
        *target = strdup(path);
    } else if (S_ISREG(sb.st_mode)) {
        bool link = lstat(path, &lsb) == 0 && S_ISLNK(lsb.st_mode);
        *target = link ? realpath(path, NULL) : strdup(path);
    } else if (outputs_is_null(&sb)) {
        const char *tmp = getenv("TMPDIR");
        size_t size = (tmp && *tmp ? strlen(tmp) : 4) + sizeof "/null";
        *discard = true;
        *target = malloc(size);
        if (*target)
            snprintf(*target, size, "%s/null", tmp && *tmp ? tmp : "/tmp");
    } else {
        const char *what = S_ISDIR(sb.st_mode)    ? "a folder"
                           : S_ISFIFO(sb.st_mode) ? "a FIFO"
                           : S_ISSOCK(sb.st_mode) ? "a socket"
                           : S_ISCHR(sb.st_mode)  ? "a character device"
                           : S_ISBLK(sb.st_mode)  ? "a block device"
                                                  : "something else";
        return aloud_error_set(err, status, 0, 0, "%s is %s, not a regular file",
                               outfile_brief(path, brief, sizeof brief), what);
    }
    return *target ? ALOUD_OK : aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
}

aloud_outputs *aloud_outputs_create(void)
{
    return calloc(1, sizeof(aloud_outputs));
}

void aloud_outputs_free(aloud_outputs *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->out_count; i++) {
        outfile_discard(set->outs[i].of);
        free(set->outs[i].path);
        free(set->outs[i].target);
        free(set->outs[i].id.canon);
    }
    for (size_t i = 0; i < set->in_count; i++) {
        free(set->ins[i].canon);
        free(set->in_paths[i]);
    }
    free(set->outs);
    free(set->ins);
    free(set->in_paths);
    free(set);
}

/* The message for an output that is the input. */
static aloud_status outputs_is_input(const char *path, aloud_error *err)
{
    char brief[OUTFILE_BRIEF];
    return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "the output %s is the input itself",
                           outfile_brief(path, brief, sizeof brief));
}

aloud_status aloud_outputs_add_input(aloud_outputs *set, const char *path, aloud_error *err)
{
    if (!set || !path)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0,
                               "aloud_outputs_add_input: missing argument");
    struct stat sb;
    if (strcmp(path, "-") == 0 || stat(path, &sb) != 0)
        return ALOUD_OK;
    outputs_id id;
    char *copy = strdup(path);
    if (!copy || !outputs_identify(path, &id)) {
        free(copy);
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    }
    for (size_t i = 0; i < set->out_count; i++) {
        if (!set->outs[i].discard && outputs_same(&set->outs[i].id, &id)) {
            free(copy);
            free(id.canon);
            return outputs_is_input(set->outs[i].path, err);
        }
    }
    if (!vec_reserve(&set->ins, &set->in_cap, set->in_count + 1, sizeof *set->ins, 4)
        || !vec_reserve(&set->in_paths, &set->in_path_cap, set->in_count + 1,
                        sizeof *set->in_paths, 4)) {
        free(copy);
        free(id.canon);
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    }
    set->ins[set->in_count] = id;
    set->in_paths[set->in_count++] = copy;
    return ALOUD_OK;
}

/* Checks and appends `path`; *index is its entry. */
static aloud_status outputs_add(aloud_outputs *set, const char *path, size_t *index,
                                aloud_error *err)
{
    char brief[OUTFILE_BRIEF];
    outputs_entry e;
    memset(&e, 0, sizeof e);
    aloud_status st = outputs_check(path, ALOUD_ERR_ARG, &e.discard, &e.target, err);
    if (st != ALOUD_OK)
        return st;
    e.path = strdup(path);
    if (!e.path || !outputs_identify(path, &e.id))
        st = aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    /* Nothing is written to the null device: it may take any number. */
    for (size_t i = 0; st == ALOUD_OK && !e.discard && i < set->in_count; i++)
        if (outputs_same(&set->ins[i], &e.id))
            st = outputs_is_input(path, err);
    for (size_t i = 0; st == ALOUD_OK && !e.discard && i < set->out_count; i++)
        if (outputs_same(&set->outs[i].id, &e.id))
            st = aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "%s is already an output of this run",
                                 outfile_brief(path, brief, sizeof brief));
    if (st == ALOUD_OK
        && !vec_reserve(&set->outs, &set->out_cap, set->out_count + 1, sizeof *set->outs, 4))
        st = aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    if (st != ALOUD_OK) {
        free(e.path);
        free(e.target);
        free(e.id.canon);
        return st;
    }
    *index = set->out_count;
    set->outs[set->out_count++] = e;
    return ALOUD_OK;
}

aloud_status aloud_outputs_add(aloud_outputs *set, const char *path, aloud_error *err)
{
    size_t index;
    if (!set || !path)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "aloud_outputs_add: missing argument");
    return outputs_add(set, path, &index, err);
}

/* The entry registered as `path`; with `unwritten`, a null device entry
 * that already has a temporary does not count (another may be added). */
static outputs_entry *outputs_find(const aloud_outputs *set, const char *path, bool unwritten)
{
    for (size_t i = 0; i < set->out_count; i++) {
        outputs_entry *e = &set->outs[i];
        if (strcmp(e->path, path) == 0 && !(unwritten && e->discard && e->of))
            return e;
    }
    return NULL;
}

bool outputs_has(const aloud_outputs *set, const char *dest)
{
    return outputs_find(set, dest, true) != NULL;
}

int aloud_outputs_discards(const aloud_outputs *set, const char *path)
{
    const outputs_entry *e = set && path ? outputs_find(set, path, false) : NULL;
    return e && e->discard;
}

aloud_status outputs_begin(aloud_outputs *set, const char *dest, const char **temp,
                           aloud_error *err)
{
    outputs_entry *e = outputs_find(set, dest, true);
    if (!e) {
        size_t index;
        aloud_status st = outputs_add(set, dest, &index, err);
        if (st != ALOUD_OK)
            return st;
        e = &set->outs[index];
    }
    outfile_discard(e->of);
    e->of = NULL;
    aloud_status st = outfile_create(e->target, &e->of, err);
    if (st == ALOUD_OK)
        *temp = outfile_temp_path(e->of);
    return st;
}

void outputs_abandon(aloud_outputs *set, const char *temp)
{
    for (size_t i = 0; temp && i < set->out_count; i++) {
        outputs_entry *e = &set->outs[i];
        if (e->of && outfile_temp_path(e->of) == temp) {
            outfile_discard(e->of);
            e->of = NULL;
        }
    }
}

/* A folder to lock for a commit. */
typedef struct outputs_folder {
    int fd;
    dev_t dev;
    ino_t ino;
} outputs_folder;

static int outputs_folder_order(const void *a, const void *b)
{
    const outputs_folder *x = a, *y = b;
    if (x->dev != y->dev)
        return x->dev < y->dev ? -1 : 1;
    return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/* Opens and locks, in device and inode order, the folder of every written
 * destination. Returns the folders (free with outputs_unlock) or NULL when
 * out of memory; folders that cannot be opened are left out. */
static outputs_folder *outputs_lock(const aloud_outputs *set, size_t *count)
{
    outputs_folder *f = calloc(set->out_count + 1, sizeof *f);
    *count = 0;
    for (size_t i = 0; f && i < set->out_count; i++) {
        struct stat sb;
        int fd = set->outs[i].of ? outfile_folder_open(set->outs[i].target) : -1;
        if (fd < 0)
            continue;
        bool seen = fstat(fd, &sb) != 0;
        for (size_t k = 0; !seen && k < *count; k++)
            seen = f[k].dev == sb.st_dev && f[k].ino == sb.st_ino;
        if (seen) {
            outfile_folder_close(fd);
            continue;
        }
        f[(*count)++] = (outputs_folder){fd, sb.st_dev, sb.st_ino};
    }
    if (f) {
        qsort(f, *count, sizeof *f, outputs_folder_order);
        for (size_t k = 0; k < *count; k++)
            outfile_folder_lock(f[k].fd);
    }
    return f;
}

static void outputs_unlock(outputs_folder *f, size_t count)
{
    for (size_t k = 0; f && k < count; k++)
        outfile_folder_close(f[k].fd);
    free(f);
}

/* Puts back what the renames before `done` replaced: the file kept of each,
 * or no file where there was none. */
static void outputs_undo(const aloud_outputs *set, size_t done, char **kept, const bool *existed)
{
    for (size_t i = 0; i < done; i++) {
        const outputs_entry *e = &set->outs[i];
        if (kept[i] && rename(kept[i], e->target) == 0) {
            free(kept[i]);
            kept[i] = NULL;
        } else if (!existed[i]) {
            unlink(e->target);
        }
    }
}

aloud_status aloud_outputs_commit(aloud_outputs *set, aloud_error *err)
{
    if (!set)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "aloud_outputs_commit: no set");
    size_t n = set->out_count, folders;
    outputs_folder *locked = outputs_lock(set, &folders);
    char **kept = calloc(n + 1, sizeof *kept);
    bool *existed = calloc(n + 1, sizeof *existed);
    aloud_status st = locked && kept && existed
                          ? ALOUD_OK
                          : aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");

    /* Under the locks: what a killed run left goes; the destinations are
     * checked again (one may have become a folder meanwhile), and each
     * existing one is kept under a temporary name until all are in place. */
    for (size_t i = 0; st == ALOUD_OK && i < n; i++) {
        outputs_entry *e = &set->outs[i];
        if (!e->of)
            continue;
        outfile_sweep_stale(e->target);
        if (e->discard)
            continue;
        bool discard;
        char *target = NULL;
        st = outputs_check(e->target, ALOUD_ERR_WRITE, &discard, &target, err);
        free(target);
        struct stat sb;
        existed[i] = lstat(e->target, &sb) == 0;
        if (st == ALOUD_OK && existed[i] && S_ISREG(sb.st_mode))
            kept[i] = outfile_keep(e->target);
    }
    size_t done = 0;
    for (; st == ALOUD_OK && done < n; done++) {
        outputs_entry *e = &set->outs[done];
        if (e->discard) {
            outfile_discard(e->of);
            e->of = NULL;
        } else if (e->of) {
            st = outfile_commit(e->of, err);
            e->of = NULL;
            if (st != ALOUD_OK)
                outputs_undo(set, done, kept, existed);
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (kept && kept[i])
            unlink(kept[i]);
        if (kept)
            free(kept[i]);
        outfile_discard(set->outs[i].of);
        set->outs[i].of = NULL;
    }
    free(kept);
    free(existed);
    outputs_unlock(locked, folders);
    return st;
}
