/* options.c - the option table: names, bounds, defaults, set/get.
 *
 * One table drives everything (setter checks, bounds query, by-name lookup,
 * defaults), so adding an option is one line plus one enum value. */
#include <math.h>
#include <string.h>

#include "model/model.h"

/* Largest double below 1: alpha = 1 would drop the reconstruction term and
 * leave W unidentified, yet every alpha short of it is meaningful. */
#define ALPHA_MAX 0x1.fffffffffffffp-1
#define K_MAX 2147483647.0

/* Indexed by desurv_option; the order must follow the enum. */
static const dsv_option_info option_table[DESURV_OPT_COUNT] = {
    [DESURV_OPT_K] = {"k", 1, K_MAX, 0, 1}, /* default 0 means "unset" */
    [DESURV_OPT_ALPHA] = {"alpha", 0, ALPHA_MAX, 0.5, 0},
    [DESURV_OPT_LAMBDA] = {"lambda", 0, 1e12, 0.1, 0},
    [DESURV_OPT_NU] = {"nu", 0, 1, 0.5, 0},
    [DESURV_OPT_LAMBDA_W] = {"lambda_w", 0, 1e12, 0, 0},
    [DESURV_OPT_LAMBDA_H] = {"lambda_h", 0, 1e12, 0, 0},
    [DESURV_OPT_TOL] = {"tol", 0, 1, 1e-6, 0},
    [DESURV_OPT_MAXIT] = {"maxit", 1, 1e9, 1000, 1},
    [DESURV_OPT_NINIT] = {"ninit", 1, 1e6, 20, 1},
    [DESURV_OPT_IMAXIT] = {"imaxit", 0, 1e9, 30, 1},
    [DESURV_OPT_TOL_INIT] = {"tol_init", 0, 1, 1e-4, 0},
    [DESURV_OPT_SEED] = {"seed", 0, DSV_SEED_MAX, 1, 1},
    [DESURV_OPT_THREADS] = {"threads", 1, 256, 1, 1},
    [DESURV_OPT_TIES] = {"ties", 0, 1, 0, 1},
    [DESURV_OPT_INIT] = {"init", 0, 2, 0, 1},
    [DESURV_OPT_INIT_SELECT] = {"init_select", 0, 1, 0, 1},
    [DESURV_OPT_ALPHA_SCALE] = {"alpha_scale", 0, 1, 0, 1},
    [DESURV_OPT_OFFSET] = {"offset", 0, 1, DESURV_OFFSET_GENE, 1},
    [DESURV_OPT_HSTEP] = {"hstep", 0, 2, DESURV_HSTEP_EXACT, 1},
    [DESURV_OPT_WSTEP] = {"wstep", 0, 1, DESURV_WSTEP_HALS, 1},
};

const dsv_option_info *dsv_option_table(void)
{
    return option_table;
}

void dsv_options_default(double *opt)
{
    for (int i = 0; i < DESURV_OPT_COUNT; i++)
        opt[i] = option_table[i].def;
}

/* The enum may be unsigned or signed depending on the compiler; comparing
 * as unsigned rejects negative identifiers too. */
static int option_known(desurv_option opt)
{
    return (unsigned)opt < (unsigned)DESURV_OPT_COUNT;
}

/* Returns a message fragment describing why value is refused, or NULL. */
static const char *value_problem(const dsv_option_info *o, double value)
{
    if (isnan(value))
        return "is NaN";
    if (!(value >= o->lo && value <= o->hi))
        return "is out of bounds";
    if (o->integral && value != floor(value))
        return "is not an integer";
    return NULL;
}

int desurv_set_option(desurv_model *m, desurv_option opt, double value)
{
    if (!m)
        return DESURV_E_NULL;
    if (!option_known(opt))
        return dsv_fail(m, DESURV_E_OPTION, "unknown option identifier %d (valid: 0 .. %d)",
                        (int)opt, DESURV_OPT_COUNT - 1);
    const dsv_option_info *o = &option_table[opt];
    const char *why = value_problem(o, value);
    /* %.17g for the bounds: alpha's upper bound differs from 1 only in the
     * 17th digit. */
    if (why)
        return dsv_fail(m, DESURV_E_RANGE, "option %s = %.15g %s (accepted: %s in [%.17g, %.17g])",
                        o->name, value, why, o->integral ? "integers" : "values", o->lo, o->hi);
    m->opt[opt] = value;
    return DESURV_OK;
}

int desurv_get_option(const desurv_model *m, desurv_option opt, double *value)
{
    if (!m || !value)
        return DESURV_E_NULL;
    if (!option_known(opt))
        return DESURV_E_OPTION;
    *value = m->opt[opt];
    return DESURV_OK;
}

int desurv_option_by_name(const char *name, desurv_option *opt)
{
    if (!name || !opt)
        return DESURV_E_NULL;
    for (int i = 0; i < DESURV_OPT_COUNT; i++) {
        if (strcmp(option_table[i].name, name) == 0) {
            *opt = (desurv_option)i;
            return DESURV_OK;
        }
    }
    return DESURV_E_OPTION;
}

int desurv_option_bounds(desurv_option opt, double *lo, double *hi)
{
    if (!option_known(opt))
        return DESURV_E_OPTION;
    if (lo)
        *lo = option_table[opt].lo;
    if (hi)
        *hi = option_table[opt].hi;
    return DESURV_OK;
}

const char *desurv_option_name(desurv_option opt)
{
    return option_known(opt) ? option_table[opt].name : NULL;
}
