/* annot.h - model annotations (gene/sample names, metadata): the internal
 * side used by the model-file reader and writer (modelfile.c). */
#ifndef DESURV_ANNOT_H
#define DESURV_ANNOT_H

#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

/* Longest name or string value, in bytes (the file stores u32 lengths;
 * 2^31 - 1 keeps every length a nonnegative int32 for FFIs). */
#define DSV_STRING_MAX 2147483647LL

/* One metadata entry: a vector of doubles or a string. */
typedef struct dsv_meta {
    char key[DESURV_META_KEY_MAX + 1];
    int is_string;
    int64_t len; /* doubles in v, or bytes of s without its NUL */
    double *v;   /* may be NULL when len = 0 */
    char *s;     /* NUL-terminated */
} dsv_meta;

/* Names of kind `which` in effect: their count, or 0 when absent or stale
 * (a fitted model whose p, or n, differs from the count). */
int64_t dsv_names_in_effect(const desurv_model *m, int which);

/* Replace the names of kind `which` by blob/off/count (ownership taken;
 * off has count entries, name i at blob + off[i]). */
void dsv_names_take(desurv_model *m, int which, char *blob, int64_t *off, int64_t count);

/* NULL when key[0 .. len) is a valid key, else why not. */
const char *dsv_meta_key_problem(const char *key, size_t len);

/* The entry of key, or NULL. */
const dsv_meta *dsv_meta_find(const desurv_model *m, const char *key);

/* Store *e (its v / s owned by m from then on), replacing an entry of the
 * same key.  DESURV_E_NOMEM leaves m unchanged and e's memory with the
 * caller. */
int dsv_meta_put(desurv_model *m, const dsv_meta *e);

#endif
