/* args.c - long-option parsing and per-subcommand help. */
#include "args.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int find_opt(const args *a, const char *name, size_t len)
{
    for (int i = 0; i < a->nspec; i++)
        if (strlen(a->spec[i].name) == len && strncmp(a->spec[i].name, name, len) == 0)
            return i;
    return -1;
}

static int usage(const args *a, const char *fmt, const char *what)
{
    fprintf(stderr, "desurv %s: ", a->cmd);
    fprintf(stderr, fmt, what);
    fprintf(stderr, "\n(see 'desurv %s --help')\n", a->cmd);
    return CLI_USAGE;
}

/* One "--name[=value]" word at argv[*i]; consumes the value word too. */
static int parse_one(args *a, int argc, char **argv, int *i)
{
    const char *w = argv[*i];
    if (strncmp(w, "--", 2) != 0 || w[2] == '\0')
        return usage(a, "unexpected argument '%s' (options start with --)", w);
    const char *name = w + 2, *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    int o = find_opt(a, name, len);
    if (o < 0)
        return usage(a, "unknown option '%s'", w);
    a->seen[o] = 1;
    if (!a->spec[o].meta) {
        if (eq)
            return usage(a, "option '%s' takes no value", w);
        a->value[o] = "";
        return CLI_OK;
    }
    if (eq) {
        a->value[o] = eq + 1;
    } else if (*i + 1 < argc) {
        a->value[o] = argv[++*i];
    } else {
        return usage(a, "option '%s' needs a value", w);
    }
    return CLI_OK;
}

static int common_opts(const args *a, cli_common *c)
{
    int64_t threads = 1, seed = 1;
    int rc = arg_int(a, "threads", 1, 256, &threads);
    if (rc == CLI_OK)
        rc = arg_int(a, "seed", 0, (int64_t)1 << 53, &seed);
    c->threads = (int)threads;
    c->seed = (uint64_t)seed;
    c->quiet = arg_given(a, "quiet");
    c->verbose = arg_given(a, "verbose");
    return rc;
}

int args_parse(args *a, const cmd_doc *doc, const opt_spec *spec, int argc, char **argv,
               cli_common *c)
{
    memset(a, 0, sizeof *a);
    a->cmd = doc->name;
    a->spec = spec;
    while (spec[a->nspec].name && a->nspec < ARGS_MAX)
        a->nspec++;
    for (int i = 0; i < argc; i++) {
        int rc = parse_one(a, argc, argv, &i);
        if (rc != CLI_OK)
            return rc;
    }
    if (arg_given(a, "help")) {
        args_help(doc, spec);
        return -1;
    }
    return common_opts(a, c);
}

void args_help(const cmd_doc *doc, const opt_spec *spec)
{
    printf("usage: desurv %s %s\n\n%s\n\noptions:\n", doc->name, doc->synopsis, doc->about);
    for (int i = 0; spec[i].name; i++) {
        char left[64];
        snprintf(left, sizeof left, "--%s%s%s", spec[i].name, spec[i].meta ? " " : "",
                 spec[i].meta ? spec[i].meta : "");
        if (strlen(left) > 22)
            printf("  %s\n  %-22s  %s\n", left, "", spec[i].help);
        else
            printf("  %-22s  %s\n", left, spec[i].help);
    }
    printf("\nexit status: 0 success, 1 bad input, 2 usage, 3 cancelled, "
           "4 I/O or internal error (man desurv)\n");
}

static int index_of(const args *a, const char *name)
{
    return find_opt(a, name, strlen(name));
}

int arg_given(const args *a, const char *name)
{
    int o = index_of(a, name);
    return o >= 0 && a->seen[o];
}

const char *arg_str(const args *a, const char *name, const char *def)
{
    int o = index_of(a, name);
    return o >= 0 && a->value[o] ? a->value[o] : def;
}

const char *arg_need(const args *a, const char *name)
{
    const char *v = arg_str(a, name, NULL);
    if (!v || !*v) {
        char opt[64];
        snprintf(opt, sizeof opt, "--%s", name);
        usage(a, "option '%s' is required", opt);
    }
    return v && *v ? v : NULL;
}

int parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static int bad_value(const args *a, const char *name, const char *val, const char *why)
{
    fprintf(stderr, "desurv %s: --%s %s: %s\n(see 'desurv %s --help')\n", a->cmd, name, val, why,
            a->cmd);
    return CLI_USAGE;
}

int arg_num(const args *a, const char *name, double lo, double hi, double *out)
{
    const char *s = arg_str(a, name, NULL);
    double v;
    if (!s)
        return CLI_OK;
    if (parse_double(s, &v) != 0)
        return bad_value(a, name, s, "not a finite number");
    if (v < lo || v > hi) {
        char why[96];
        snprintf(why, sizeof why, "must be in [%g, %g]", lo, hi);
        return bad_value(a, name, s, why);
    }
    *out = v;
    return CLI_OK;
}

int arg_int(const args *a, const char *name, int64_t lo, int64_t hi, int64_t *out)
{
    const char *s = arg_str(a, name, NULL);
    double v;
    if (!s)
        return CLI_OK;
    if (parse_double(s, &v) != 0 || v != floor(v))
        return bad_value(a, name, s, "not an integer");
    if (v < (double)lo || v > (double)hi) {
        char why[96];
        snprintf(why, sizeof why, "must be in [%lld, %lld]", (long long)lo, (long long)hi);
        return bad_value(a, name, s, why);
    }
    *out = (int64_t)v;
    return CLI_OK;
}

int arg_choice(const args *a, const char *name, const char *const *choices, int n, int *out)
{
    const char *s = arg_str(a, name, NULL);
    if (!s)
        return CLI_OK;
    for (int i = 0; i < n; i++)
        if (strcmp(s, choices[i]) == 0) {
            *out = i;
            return CLI_OK;
        }
    char why[256] = "must be one of";
    for (int i = 0; i < n; i++) {
        strncat(why, i ? ", " : " ", sizeof why - strlen(why) - 1);
        strncat(why, choices[i], sizeof why - strlen(why) - 1);
    }
    return bad_value(a, name, s, why);
}

/* Splits "A:B" at the colon into two numbers; 1 when s is a single value. */
static int split_range(const char *s, double *lo, double *hi)
{
    const char *colon = strchr(s, ':');
    char left[128];
    if (!colon)
        return parse_double(s, lo) == 0 ? (*hi = *lo, 1) : -1;
    size_t len = (size_t)(colon - s);
    if (len >= sizeof left)
        return -1;
    memcpy(left, s, len);
    left[len] = '\0';
    if (parse_double(left, lo) != 0 || parse_double(colon + 1, hi) != 0)
        return -1;
    return 0;
}

int arg_range(const args *a, const char *name, double *lo, double *hi, int *given)
{
    const char *s = arg_str(a, name, NULL);
    *given = 0;
    if (!s)
        return CLI_OK;
    double l, h;
    if (split_range(s, &l, &h) < 0)
        return bad_value(a, name, s, "expected LO:HI or a single value");
    if (l > h)
        return bad_value(a, name, s, "the range is empty (LO > HI)");
    *lo = l, *hi = h, *given = 1;
    return CLI_OK;
}

/* Appends the integers A..B of "A:B" to vals. */
static int int_span(const args *a, const char *name, const char *s, double *vals, int cap,
                    int *len)
{
    double l, h;
    if (split_range(s, &l, &h) < 0 || l != floor(l) || h != floor(h) || l > h)
        return bad_value(a, name, s, "expected integers A:B with A <= B");
    for (double v = l; v <= h; v++) {
        if (*len >= cap)
            return bad_value(a, name, s, "too many values");
        vals[(*len)++] = v;
    }
    return CLI_OK;
}

int arg_list(const args *a, const char *name, int integral, double *vals, int cap, int *len)
{
    const char *s = arg_str(a, name, NULL);
    *len = 0;
    if (!s)
        return CLI_OK;
    char item[128];
    for (const char *p = s; *p;) {
        size_t n = strcspn(p, ",");
        if (n == 0 || n >= sizeof item)
            return bad_value(a, name, s, "expected a comma-separated list of numbers");
        memcpy(item, p, n);
        item[n] = '\0';
        p += n + (p[n] == ',');
        if (integral && strchr(item, ':')) {
            int rc = int_span(a, name, item, vals, cap, len);
            if (rc != CLI_OK)
                return rc;
            continue;
        }
        double v;
        if (parse_double(item, &v) != 0 || (integral && v != floor(v)))
            return bad_value(a, name, s, integral ? "expected integers" : "not a number");
        if (*len >= cap)
            return bad_value(a, name, s, "too many values");
        vals[(*len)++] = v;
    }
    return CLI_OK;
}
