/* cli.h - what every part of the desurv command shares: exit codes, the
 * common options, messages, small allocation and string helpers, and a
 * string hash map (sample and gene ids are matched by name). */
#ifndef DESURV_CLI_H
#define DESURV_CLI_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit codes (documented in doc/desurv.1). */
enum {
    CLI_OK = 0,        /* success */
    CLI_INPUT = 1,     /* bad input data or model file */
    CLI_USAGE = 2,     /* bad command line */
    CLI_CANCELLED = 3, /* interrupted (SIGINT / SIGTERM); nothing written */
    CLI_FAILURE = 4    /* I/O error, out of memory, internal error */
};

/* Set by the SIGINT / SIGTERM handler; read by the progress callbacks,
 * which then ask the library to stop.  The only mutable global of the
 * program: a signal handler can do nothing else safely. */
extern volatile sig_atomic_t cli_interrupted;

/* Options every subcommand takes. */
typedef struct cli_common {
    int quiet;     /* no progress, no notes */
    int verbose;   /* list dropped samples / genes */
    int threads;   /* worker threads of the library */
    uint64_t seed; /* random seed */
} cli_common;

/* "desurv: <message>\n" on stderr (errors: always printed). */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A note on stderr unless quiet. */
void cli_note(const cli_common *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Exit code for a library status: bad data -> CLI_INPUT, bad option value
 * -> CLI_USAGE, cancelled -> CLI_CANCELLED, the rest -> CLI_FAILURE. */
int cli_exit_for(int status);

/* Allocation that reports "out of memory" itself; NULL on failure. */
void *cli_alloc(size_t count, size_t size);
char *cli_strdup(const char *s);
void cli_free_strings(char **s, int64_t n);

/* Shortest decimal text that reads back to exactly v ("0.1", not
 * "0.10000000000000001"); NaN -> "NA", +-Inf -> "Inf" / "-Inf".  buf >= 32. */
const char *cli_fmt(char *buf, double v);

/* Monotonic seconds. */
double cli_now(void);
/* Median of v[0..n-1] (not changed); NaN when n < 1 or out of memory. */
double cli_median(const double *v, int64_t n);

/* String -> int64 hash map (open addressing); keys are borrowed. */
typedef struct strmap {
    const char **key;
    int64_t *val;
    int64_t cap, len;
} strmap;

int strmap_init(strmap *m, int64_t expected);
void strmap_free(strmap *m);
/* Inserts key -> val; if the key exists, returns 1 and its value in *old
 * (nothing changes).  0 inserted, -1 out of memory. */
int strmap_put(strmap *m, const char *key, int64_t val, int64_t *old);
/* Value of key, or -1. */
int64_t strmap_get(const strmap *m, const char *key);

#endif
