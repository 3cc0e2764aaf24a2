/* util.c - messages, status mapping, allocation, number text, hash map. */
#include "cli.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <desurv/desurv.h>

volatile sig_atomic_t cli_interrupted = 0;

void cli_err(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("desurv: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void cli_note(const cli_common *c, const char *fmt, ...)
{
    if (c && c->quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("desurv: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int cli_exit_for(int status)
{
    switch (status) {
    case DESURV_OK:
        return CLI_OK;
    case DESURV_E_NONFINITE:
    case DESURV_E_NEGATIVE:
    case DESURV_E_TIME:
    case DESURV_E_EVENT:
    case DESURV_E_NO_EVENTS:
    case DESURV_E_RANK:
    case DESURV_E_DIM:
    case DESURV_E_MISMATCH:
    case DESURV_E_FORMAT:
    case DESURV_E_VERSION:
    case DESURV_E_CHECKSUM:
        return CLI_INPUT;
    case DESURV_E_OPTION:
    case DESURV_E_RANGE:
        return CLI_USAGE;
    case DESURV_E_CANCELLED:
        return CLI_CANCELLED;
    default:
        return CLI_FAILURE;
    }
}

void *cli_alloc(size_t count, size_t size)
{
    if (count == 0)
        count = 1; /* a valid pointer even for empty arrays */
    void *p = calloc(count, size);
    if (!p)
        cli_err("out of memory (%zu x %zu bytes)", count, size);
    return p;
}

char *cli_strdup(const char *s)
{
    size_t len = strlen(s) + 1;
    char *d = malloc(len);
    if (!d) {
        cli_err("out of memory");
        return NULL;
    }
    return memcpy(d, s, len);
}

void cli_free_strings(char **s, int64_t n)
{
    for (int64_t i = 0; s && i < n; i++)
        free(s[i]);
    free(s);
}

const char *cli_fmt(char *buf, double v)
{
    if (isnan(v))
        return strcpy(buf, "NA");
    if (isinf(v))
        return strcpy(buf, v > 0 ? "Inf" : "-Inf");
    /* 15 digits are enough for most values and read well; 17 always round
     * trip.  Output files must read back to the very same doubles. */
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, 32, "%.*g", digits, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return buf;
}

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- string hash map ---- */

/* FNV-1a: simple, and good enough for identifiers. */
static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

int strmap_init(strmap *m, int64_t expected)
{
    int64_t cap = 16;
    while (cap < 2 * expected + 16)
        cap *= 2; /* load factor <= 1/2 keeps probes short */
    m->key = calloc((size_t)cap, sizeof *m->key);
    m->val = calloc((size_t)cap, sizeof *m->val);
    m->cap = cap, m->len = 0;
    if (!m->key || !m->val) {
        strmap_free(m);
        cli_err("out of memory");
        return -1;
    }
    return 0;
}

void strmap_free(strmap *m)
{
    free(m->key);
    free(m->val);
    memset(m, 0, sizeof *m);
}

static int strmap_grow(strmap *m)
{
    strmap bigger;
    if (strmap_init(&bigger, m->cap) != 0)
        return -1;
    for (int64_t i = 0; i < m->cap; i++)
        if (m->key[i])
            strmap_put(&bigger, m->key[i], m->val[i], NULL);
    strmap_free(m);
    *m = bigger;
    return 0;
}

int strmap_put(strmap *m, const char *key, int64_t val, int64_t *old)
{
    if (2 * (m->len + 1) > m->cap && strmap_grow(m) != 0)
        return -1;
    uint64_t mask = (uint64_t)m->cap - 1;
    for (uint64_t i = hash_str(key) & mask;; i = (i + 1) & mask) {
        if (!m->key[i]) {
            m->key[i] = key, m->val[i] = val, m->len++;
            return 0;
        }
        if (strcmp(m->key[i], key) == 0) {
            if (old)
                *old = m->val[i];
            return 1;
        }
    }
}

int64_t strmap_get(const strmap *m, const char *key)
{
    if (m->cap == 0)
        return -1;
    uint64_t mask = (uint64_t)m->cap - 1;
    for (uint64_t i = hash_str(key) & mask; m->key[i]; i = (i + 1) & mask)
        if (strcmp(m->key[i], key) == 0)
            return m->val[i];
    return -1;
}
