/* main.c - the desurv command: subcommand dispatch, --version, --help, and
 * the OpenBLAS thread setting. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *about;
} command;

static const command commands[] = {
    {"demo", cmd_demo, "quick tuning on the bundled TCGA-PAAD cohort"},
    {"tune", cmd_tune, "choose k, alpha, ... by CV + Bayesian optimisation, refit, save"},
    {"cv", cmd_cv, "grid search by cross-validation, refit, save"},
    {"fit", cmd_fit, "fit at given hyperparameters, save"},
    {"predict", cmd_predict, "score new samples with a saved model"},
    {"validate", cmd_validate, "C-index, hazard ratios, log-rank and KM of a model on a cohort"},
    {"top-genes", cmd_top_genes, "list each factor's top genes of a saved model"},
    {"info", cmd_info, "describe a saved model"},
    {"simulate", cmd_simulate, "draw a data set of the paper's simulation design"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    fprintf(f, "usage: desurv COMMAND [options]     (desurv COMMAND --help for its options)\n\n"
               "DeSurv: survival-supervised nonnegative matrix factorisation.\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-10s  %s\n", commands[i].name, commands[i].about);
    fprintf(f, "\n  --version   print the version\n  --help      this help\n\n"
               "exit status: 0 success, 1 bad input, 2 usage, 3 cancelled, "
               "4 I/O or internal error\n");
}

static const command *find(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

/* The --threads value on the command line (demo: the number of cores when
 * not given), or 1. */
static long threads_wanted(int argc, char **argv)
{
    long t = strcmp(argv[1], "demo") == 0 ? demo_default_threads() : 1;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0)
            return 1;
        if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            t = strtol(argv[i + 1], NULL, 10);
        else if (strncmp(argv[i], "--threads=", 10) == 0)
            t = strtol(argv[i] + 10, NULL, 10);
    }
    return t;
}

/* With --threads > 1 the library runs starts and folds on its own worker
 * threads; a multithreaded OpenBLAS under each of them oversubscribes the
 * cores (and the library then falls back to one worker).  OpenBLAS reads
 * OPENBLAS_NUM_THREADS once, when it is loaded - before main() - so
 * setting it now is too late: re-execute this program once with the
 * variable set.  A value the user set is respected (and ends the
 * recursion).  If exec fails we carry on; results are the same, only
 * slower. */
static void maybe_reexec(int argc, char **argv)
{
    if (getenv("OPENBLAS_NUM_THREADS") || threads_wanted(argc, argv) <= 1)
        return;
    if (setenv("OPENBLAS_NUM_THREADS", "1", 1) != 0)
        return;
    execv("/proc/self/exe", argv);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    const char *w = argv[1];
    if (strcmp(w, "--version") == 0 || strcmp(w, "version") == 0) {
        printf("desurv %s (libdesurv %s)\n", DESURV_VERSION_STRING, desurv_version_string());
        return CLI_OK;
    }
    if (strcmp(w, "--help") == 0 || strcmp(w, "-h") == 0 || strcmp(w, "help") == 0) {
        const command *c = argc > 2 ? find(argv[2]) : NULL;
        if (c) {
            char *help[] = {"--help", NULL};
            return c->run(1, help);
        }
        usage(stdout);
        return CLI_OK;
    }
    const command *c = find(w);
    if (!c) {
        fprintf(stderr, "desurv: unknown command '%s'\n\n", w);
        usage(stderr);
        return CLI_USAGE;
    }
    maybe_reexec(argc, argv);
    return c->run(argc - 2, argv + 2);
}
