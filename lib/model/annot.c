/* annot.c - model annotations: gene and sample names, key/value metadata.
 *
 * The library stores these for its front ends (the command line tool, the
 * Python binding) so that a saved model carries what is needed to use it
 * again: which gene each row of W is, and how the data were preprocessed.
 * Nothing here is interpreted.
 *
 * Names are one blob of NUL-terminated strings plus offsets, so a set of
 * 20 000 gene ids costs two allocations.  Names belong to a fit; rather
 * than hooking desurv_fit(), their validity is decided when they are read
 * (dsv_names_in_effect): a count that disagrees with the fitted p or n
 * means the names are stale. */
#include <stdlib.h>
#include <string.h>

#include "model/annot.h"

static int names_kind_known(int which)
{
    return which == DESURV_NAMES_GENES || which == DESURV_NAMES_SAMPLES;
}

static void names_clear(desurv_model *m, int which)
{
    free(m->names[which]);
    free(m->name_off[which]);
    m->names[which] = NULL;
    m->name_off[which] = NULL;
    m->name_count[which] = 0;
}

void dsv_names_take(desurv_model *m, int which, char *blob, int64_t *off, int64_t count)
{
    names_clear(m, which);
    m->names[which] = blob;
    m->name_off[which] = off;
    m->name_count[which] = count;
}

int64_t dsv_names_in_effect(const desurv_model *m, int which)
{
    if (!m || !names_kind_known(which) || !m->names[which])
        return 0;
    int64_t count = m->name_count[which];
    if (m->fitted && count != (which == DESURV_NAMES_GENES ? m->p : m->n))
        return 0;
    return count;
}

static void meta_entry_free(dsv_meta *e)
{
    free(e->v);
    free(e->s);
}

void dsv_annot_free(desurv_model *m)
{
    names_clear(m, DESURV_NAMES_GENES);
    names_clear(m, DESURV_NAMES_SAMPLES);
    for (int64_t i = 0; i < m->meta_len; i++)
        meta_entry_free(&m->meta[i]);
    free(m->meta);
    m->meta = NULL;
    m->meta_len = m->meta_cap = 0;
}

/* ---- names ---------------------------------------------------------- */

int desurv_model_set_names(desurv_model *m, int which, const char *const *names, int64_t count)
{
    if (!m)
        return DESURV_E_NULL;
    if (!names_kind_known(which))
        return dsv_fail(m, DESURV_E_OPTION,
                        "unknown kind of names %d (DESURV_NAMES_GENES = 0, "
                        "DESURV_NAMES_SAMPLES = 1)", which);
    if (!names) {
        names_clear(m, which);
        return DESURV_OK;
    }
    const char *what = which == DESURV_NAMES_GENES ? "gene" : "sample";
    if (count < 1)
        return dsv_fail(m, DESURV_E_DIM, "%lld %s names: need at least 1", (long long)count,
                        what);
    if (m->fitted) {
        int64_t want = which == DESURV_NAMES_GENES ? m->p : m->n;
        if (count != want)
            return dsv_fail(m, DESURV_E_MISMATCH, "%lld %s names for a model fitted with %lld %ss",
                            (long long)count, what, (long long)want, what);
    }
    /* count <= SIZE_MAX / 8 keeps the offset array's byte count exact. */
    if ((uint64_t)count > SIZE_MAX / sizeof(int64_t))
        return dsv_fail(m, DESURV_E_NOMEM, "no memory for %lld %s names", (long long)count,
                        what);
    size_t total = 0;
    for (int64_t i = 0; i < count; i++) {
        if (!names[i])
            return dsv_fail(m, DESURV_E_NULL, "%s name %lld is NULL", what, (long long)i);
        size_t len = strlen(names[i]);
        if (len > (size_t)DSV_STRING_MAX)
            return dsv_fail(m, DESURV_E_RANGE, "%s name %lld is longer than 2^31 - 1 bytes", what,
                            (long long)i);
        if (len + 1 > SIZE_MAX - total)
            return dsv_fail(m, DESURV_E_NOMEM, "no memory for the %s names", what);
        total += len + 1;
    }
    char *blob = malloc(total);
    int64_t *off = malloc((size_t)count * sizeof *off);
    if (!blob || !off) {
        free(blob);
        free(off);
        return dsv_fail(m, DESURV_E_NOMEM, "no memory for the %s names", what);
    }
    size_t pos = 0;
    for (int64_t i = 0; i < count; i++) {
        size_t len = strlen(names[i]) + 1;
        memcpy(blob + pos, names[i], len);
        off[i] = (int64_t)pos;
        pos += len;
    }
    dsv_names_take(m, which, blob, off, count);
    return DESURV_OK;
}

int64_t desurv_model_names_count(const desurv_model *m, int which)
{
    return dsv_names_in_effect(m, which);
}

const char *desurv_model_name(const desurv_model *m, int which, int64_t i)
{
    int64_t count = dsv_names_in_effect(m, which);
    if (i < 0 || i >= count)
        return NULL;
    return m->names[which] + m->name_off[which][i];
}

/* ---- metadata ------------------------------------------------------- */

const char *dsv_meta_key_problem(const char *key, size_t len)
{
    if (len == 0)
        return "is empty";
    if (len > DESURV_META_KEY_MAX)
        return "is longer than 64 characters";
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)key[i] < 0x20 || (unsigned char)key[i] > 0x7E)
            return "has a character outside printable ASCII (0x20 .. 0x7E)";
    return NULL;
}

/* Index of key, or -(insertion point) - 1 when absent (binary search). */
static int64_t meta_index(const desurv_model *m, const char *key)
{
    int64_t lo = 0, hi = m->meta_len;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        int c = strcmp(m->meta[mid].key, key);
        if (c == 0)
            return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -lo - 1;
}

const dsv_meta *dsv_meta_find(const desurv_model *m, const char *key)
{
    int64_t i = meta_index(m, key);
    return i >= 0 ? &m->meta[i] : NULL;
}

int dsv_meta_put(desurv_model *m, const dsv_meta *e)
{
    int64_t i = meta_index(m, e->key);
    if (i >= 0) {
        meta_entry_free(&m->meta[i]);
        m->meta[i] = *e;
        return DESURV_OK;
    }
    i = -i - 1;
    if (m->meta_len == m->meta_cap) {
        int64_t cap = m->meta_cap ? 2 * m->meta_cap : 8;
        if ((uint64_t)cap > SIZE_MAX / sizeof(dsv_meta))
            return DESURV_E_NOMEM;
        dsv_meta *grown = realloc(m->meta, (size_t)cap * sizeof *grown);
        if (!grown)
            return DESURV_E_NOMEM;
        m->meta = grown;
        m->meta_cap = cap;
    }
    memmove(m->meta + i + 1, m->meta + i, (size_t)(m->meta_len - i) * sizeof *m->meta);
    m->meta[i] = *e;
    m->meta_len++;
    return DESURV_OK;
}

static void meta_remove(desurv_model *m, const char *key)
{
    int64_t i = meta_index(m, key);
    if (i < 0)
        return;
    meta_entry_free(&m->meta[i]);
    memmove(m->meta + i, m->meta + i + 1, (size_t)(m->meta_len - i - 1) * sizeof *m->meta);
    m->meta_len--;
}

/* Common checks of the setters; fills e->key. */
static int check_key(desurv_model *m, const char *key, dsv_meta *e)
{
    /* strnlen is POSIX, not C11: stop counting just past the limit. */
    size_t len = 0;
    while (len <= DESURV_META_KEY_MAX && key[len])
        len++;
    const char *why = dsv_meta_key_problem(key, len);
    if (why)
        return dsv_fail(m, DESURV_E_RANGE, "metadata key \"%.64s%s\" %s", key,
                        len > DESURV_META_KEY_MAX ? "..." : "", why);
    memcpy(e->key, key, len + 1);
    return DESURV_OK;
}

int desurv_model_set_meta(desurv_model *m, const char *key, const double *values, int64_t len)
{
    if (!m || !key)
        return DESURV_E_NULL;
    dsv_meta e = {0};
    int rc = check_key(m, key, &e);
    if (rc != DESURV_OK)
        return rc;
    if (!values) {
        meta_remove(m, e.key);
        return DESURV_OK;
    }
    if (len < 0)
        return dsv_fail(m, DESURV_E_DIM, "metadata \"%s\": length %lld < 0", e.key,
                        (long long)len);
    if ((uint64_t)len > SIZE_MAX / sizeof(double))
        return dsv_fail(m, DESURV_E_NOMEM, "metadata \"%s\": no memory for %lld values", e.key,
                        (long long)len);
    e.len = len;
    if (len > 0) {
        e.v = malloc((size_t)len * sizeof *e.v);
        if (!e.v)
            return dsv_fail(m, DESURV_E_NOMEM, "metadata \"%s\": no memory for %lld values",
                            e.key, (long long)len);
        memcpy(e.v, values, (size_t)len * sizeof *e.v);
    }
    if (dsv_meta_put(m, &e) != DESURV_OK) {
        free(e.v);
        return dsv_fail(m, DESURV_E_NOMEM, "metadata \"%s\": out of memory", e.key);
    }
    return DESURV_OK;
}

int desurv_model_get_meta(const desurv_model *m, const char *key, double *out, int64_t cap,
                          int64_t *len)
{
    if (!m || !key || !len)
        return DESURV_E_NULL;
    const dsv_meta *e = dsv_meta_find(m, key);
    if (!e)
        return DESURV_E_OPTION;
    if (e->is_string)
        return DESURV_E_MISMATCH;
    *len = e->len;
    if (!out)
        return DESURV_OK;
    int64_t count = cap < e->len ? (cap > 0 ? cap : 0) : e->len;
    if (count > 0)
        memcpy(out, e->v, (size_t)count * sizeof *out);
    return count < e->len ? DESURV_E_BUFFER : DESURV_OK;
}

int desurv_model_set_meta_string(desurv_model *m, const char *key, const char *value)
{
    if (!m || !key)
        return DESURV_E_NULL;
    dsv_meta e = {0};
    int rc = check_key(m, key, &e);
    if (rc != DESURV_OK)
        return rc;
    if (!value) {
        meta_remove(m, e.key);
        return DESURV_OK;
    }
    size_t len = strlen(value);
    if (len > (size_t)DSV_STRING_MAX)
        return dsv_fail(m, DESURV_E_RANGE, "metadata \"%s\": string longer than 2^31 - 1 bytes",
                        e.key);
    e.is_string = 1;
    e.len = (int64_t)len;
    e.s = malloc(len + 1);
    if (!e.s)
        return dsv_fail(m, DESURV_E_NOMEM, "metadata \"%s\": out of memory", e.key);
    memcpy(e.s, value, len + 1);
    if (dsv_meta_put(m, &e) != DESURV_OK) {
        free(e.s);
        return dsv_fail(m, DESURV_E_NOMEM, "metadata \"%s\": out of memory", e.key);
    }
    return DESURV_OK;
}

const char *desurv_model_get_meta_string(const desurv_model *m, const char *key)
{
    if (!m || !key)
        return NULL;
    const dsv_meta *e = dsv_meta_find(m, key);
    return e && e->is_string ? e->s : NULL;
}

int64_t desurv_model_meta_count(const desurv_model *m)
{
    return m ? m->meta_len : 0;
}

const char *desurv_model_meta_key(const desurv_model *m, int64_t i)
{
    if (!m || i < 0 || i >= m->meta_len)
        return NULL;
    return m->meta[i].key;
}
