/* header_c99.c - build-only test: the public header is self-contained,
 * valid C99 and warning-free under -std=c99 -pedantic -Wall -Wextra -Werror.
 * It is included first (nothing may be needed before it), twice (include
 * guards), and every public type, constant and function is referenced. */
#include <desurv/desurv.h>
#include <desurv/desurv.h>

#include <stddef.h>

#if !defined(DESURV_VERSION_MAJOR) || !defined(DESURV_VERSION_MINOR) || \
    !defined(DESURV_VERSION_PATCH) || !defined(DESURV_VERSION_NUMBER)
#error "desurv.h must provide the version macros"
#endif
#if DESURV_VERSION_NUMBER != DESURV_VERSION_MAJOR * 10000 + DESURV_VERSION_MINOR * 100 + DESURV_VERSION_PATCH
#error "DESURV_VERSION_NUMBER is inconsistent"
#endif

/* Compile-time checks without C11 _Static_assert. */
typedef char check_ok_is_zero[DESURV_OK == 0 ? 1 : -1];
typedef char check_opt_count[DESURV_OPT_COUNT > 0 ? 1 : -1];
typedef char check_stat_count[DESURV_STAT_COUNT > 0 ? 1 : -1];

int header_c99_uses(void);

int header_c99_uses(void)
{
    desurv_model *m = NULL;
    desurv_option opt = DESURV_OPT_K;
    desurv_stat st = DESURV_STAT_LOSS;
    enum desurv_status s = DESURV_OK;
    const char *v = DESURV_VERSION_STRING;
    /* Function designators: every public function has a usable prototype. */
    int (*f_new)(desurv_model **) = desurv_model_new;
    void (*f_free)(desurv_model *) = desurv_model_free;
    int (*f_set)(desurv_model *, desurv_option, double) = desurv_set_option;
    int (*f_get)(const desurv_model *, desurv_option, double *) = desurv_get_option;
    int (*f_byname)(const char *, desurv_option *) = desurv_option_by_name;
    int (*f_bounds)(desurv_option, double *, double *) = desurv_option_bounds;
    const char *(*f_name)(desurv_option) = desurv_option_name;
    int (*f_init)(desurv_model *, const double *, int64_t, int64_t, int64_t, const double *,
                  int64_t, int64_t, const double *) = desurv_set_init;
    int (*f_fit)(desurv_model *, const double *, int64_t, int64_t, int64_t, const double *,
                 const int32_t *) = desurv_fit;
    int (*f_predict)(const desurv_model *, const double *, int64_t, int64_t, int64_t,
                     double *) = desurv_predict;
    int (*f_cindex)(const double *, const int32_t *, const double *, int64_t, double *) =
        desurv_cindex;
    int (*f_dims)(const desurv_model *, int64_t *, int64_t *, int64_t *) = desurv_model_dims;
    int (*f_W)(const desurv_model *, double *, int64_t) = desurv_model_W;
    int (*f_H)(const desurv_model *, double *, int64_t) = desurv_model_H;
    int (*f_beta)(const desurv_model *, double *) = desurv_model_beta;
    int (*f_stat)(const desurv_model *, desurv_stat, double *) = desurv_model_stat;
    int (*f_trace)(const desurv_model *, double *, int64_t, int64_t *) = desurv_model_trace;
    const char *(*f_strerror)(int) = desurv_strerror;
    const char *(*f_errmsg)(const desurv_model *) = desurv_errmsg;
    const char *(*f_vs)(void) = desurv_version_string;
    int (*f_v)(void) = desurv_version;

    return (m == NULL) + (int)opt + (int)st + (int)s + (v != NULL) + (f_new != NULL) +
           (f_free != NULL) + (f_set != NULL) + (f_get != NULL) + (f_byname != NULL) +
           (f_bounds != NULL) + (f_name != NULL) + (f_init != NULL) + (f_fit != NULL) +
           (f_predict != NULL) + (f_cindex != NULL) + (f_dims != NULL) + (f_W != NULL) +
           (f_H != NULL) + (f_beta != NULL) + (f_stat != NULL) + (f_trace != NULL) +
           (f_strerror != NULL) + (f_errmsg != NULL) + (f_vs != NULL) + (f_v != NULL);
}
