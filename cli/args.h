/* args.h - long options of a subcommand: "--name value", "--name=value"
 * or "--name" for flags; every subcommand describes its options in a table
 * that also produces its --help text. */
#ifndef DESURV_CLI_ARGS_H
#define DESURV_CLI_ARGS_H

#include <stdint.h>

#include "cli.h"

typedef struct opt_spec {
    const char *name; /* without the dashes: "k", "lambda-w" */
    const char *meta; /* value placeholder ("K", "LO:HI"), NULL for a flag */
    const char *help; /* one line */
} opt_spec;

/* The options every subcommand accepts (help, quiet, verbose, threads,
 * seed); a table ends with these, then a {NULL} entry. */
#define CLI_COMMON_OPTS                                                               \
    {"threads", "N", "worker threads (default 1; sets OPENBLAS_NUM_THREADS=1 when > 1)"}, \
    {"seed", "S", "random seed (default 1)"},                                         \
    {"quiet", NULL, "no progress display and no notes"},                              \
    {"verbose", NULL, "also list dropped samples and genes"},                         \
    {"help", NULL, "show this help and exit"}

#define ARGS_MAX 80

typedef struct args {
    const char *cmd;
    const opt_spec *spec;
    int nspec;
    const char *value[ARGS_MAX]; /* last value given, NULL if absent */
    int seen[ARGS_MAX];
} args;

typedef struct cmd_doc {
    const char *name;     /* "fit" */
    const char *synopsis; /* "--expr FILE --surv FILE --k K [options]" */
    const char *about;    /* a paragraph (may hold newlines) */
} cmd_doc;

/* Parses argv[0 .. argc-1] (the words after the subcommand).  Returns
 * CLI_OK, CLI_USAGE (message printed), or -1 when --help was shown (the
 * caller exits 0).  Also fills c from the common options. */
int args_parse(args *a, const cmd_doc *doc, const opt_spec *spec, int argc, char **argv,
               cli_common *c);
void args_help(const cmd_doc *doc, const opt_spec *spec);

int arg_given(const args *a, const char *name);
const char *arg_str(const args *a, const char *name, const char *def);
/* A required option: the value, or NULL after a usage message. */
const char *arg_need(const args *a, const char *name);

/* Typed values: leave *out unchanged when absent; CLI_USAGE (with a
 * message) when malformed or outside [lo, hi]. */
int arg_int(const args *a, const char *name, int64_t lo, int64_t hi, int64_t *out);
int arg_num(const args *a, const char *name, double lo, double hi, double *out);
/* One of choices[0 .. n-1]; *out receives the index. */
int arg_choice(const args *a, const char *name, const char *const *choices, int n, int *out);
/* "LO:HI" or a single value V (then lo = hi = V); *given = 1 when present. */
int arg_range(const args *a, const char *name, double *lo, double *hi, int *given);
/* "V1,V2,..." (at most cap values); for integer options also "A:B" =
 * A, A+1, ..., B.  *len = 0 when absent. */
int arg_list(const args *a, const char *name, int integral, double *vals, int cap, int *len);

/* Parses a whole string as a finite double; 0 ok, -1 not a number. */
int parse_double(const char *s, double *out);

#endif
