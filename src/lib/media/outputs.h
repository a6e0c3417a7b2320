/*
 * outputs.h - what the render and the sidecars ask of a set of outputs
 * (aloud_outputs, aloud.h) (private to libaloud).
 */
#ifndef ALOUD_OUTPUTS_H
#define ALOUD_OUTPUTS_H

#include <stdbool.h>

#include "aloud.h"

/*
 * Creates the temporary that `dest` is written to in `set`, registering
 * `dest` first (with aloud_outputs_add()'s checks) unless it already is; a
 * temporary `dest` had in the set is replaced. *temp points at its path,
 * owned by the set until outputs_abandon() or the commit. Errors as
 * aloud_outputs_add() and outfile_create().
 */
aloud_status outputs_begin(aloud_outputs *set, const char *dest, const char **temp,
                           aloud_error *err);

/* Whether `dest` is registered in `set` and outputs_begin() would use
 * that entry (a null device's entry already written would not). */
bool outputs_has(const aloud_outputs *set, const char *dest);

/* Removes the temporary `temp` (from outputs_begin()) after a failed
 * write; its destination stays registered. */
void outputs_abandon(aloud_outputs *set, const char *temp);

#endif /* ALOUD_OUTPUTS_H */
