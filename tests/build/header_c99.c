/* header_c99.c - build-only test: the public header is self-contained,
 * valid C99 and warning-free under -std=c99 -pedantic -Wall -Wextra -Werror.
 * It is included first (nothing may be needed before it), twice (include
 * guards), and every public type, constant and function is referenced:
 *  - every DESURV_API function is assigned to a function pointer of its
 *    exact prototype (a mismatch is -Wincompatible-pointer-types, an error
 *    under -Werror);
 *  - every enumerator of every public enum is a case label of a switch
 *    without default, so an enumerator added to the header but not here
 *    fails -Wswitch (part of -Wall);
 *  - every public macro is checked for presence and, where the header
 *    documents it, for its value; the count macros must equal the last
 *    enumerator + 1. */
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

/* Plain integer macros: usable in #if. */
#if !defined(DESURV_OPT_COUNT) || !defined(DESURV_STAT_COUNT) || \
    !defined(DESURV_PARAM_COUNT) || !defined(DESURV_TOPT_COUNT)
#error "desurv.h must provide the count macros"
#endif
#if !defined(DESURV_NAMES_GENES) || !defined(DESURV_NAMES_SAMPLES) || \
    DESURV_NAMES_GENES == DESURV_NAMES_SAMPLES
#error "DESURV_NAMES_GENES / DESURV_NAMES_SAMPLES missing or equal"
#endif
#if !defined(DESURV_META_KEY_MAX) || DESURV_META_KEY_MAX < 1
#error "DESURV_META_KEY_MAX missing or < 1"
#endif
#if !defined(DESURV_MODEL_FORMAT) || DESURV_MODEL_FORMAT < 1
#error "DESURV_MODEL_FORMAT missing or < 1"
#endif
/* The values of option DESURV_OPT_TIES: 0 Breslow, 1 Efron. */
#if !defined(DESURV_TIES_BRESLOW) || !defined(DESURV_TIES_EFRON) || \
    DESURV_TIES_BRESLOW != 0 || DESURV_TIES_EFRON != 1
#error "DESURV_TIES_BRESLOW / DESURV_TIES_EFRON missing or not 0 / 1"
#endif
/* The columns of desurv_model_trace_terms(): distinct, 0 .. COUNT-1. */
#if !defined(DESURV_TRACE_REC) || !defined(DESURV_TRACE_LOGLIK) || \
    !defined(DESURV_TRACE_PEN_BETA) || !defined(DESURV_TRACE_PEN_H) || \
    !defined(DESURV_TRACE_PEN_W) || !defined(DESURV_TRACE_TERMS) || \
    DESURV_TRACE_REC + DESURV_TRACE_LOGLIK + DESURV_TRACE_PEN_BETA + DESURV_TRACE_PEN_H + \
    DESURV_TRACE_PEN_W != 0 + 1 + 2 + 3 + 4 || DESURV_TRACE_TERMS != 5
#error "DESURV_TRACE_* columns missing or not 0 .. DESURV_TRACE_TERMS - 1"
#endif

/* Compile-time checks without C11 _Static_assert. */
typedef char check_ok_is_zero[DESURV_OK == 0 ? 1 : -1];
typedef char check_opt_count[DESURV_OPT_COUNT > 0 ? 1 : -1];
typedef char check_stat_count[DESURV_STAT_COUNT > 0 ? 1 : -1];
typedef char check_param_count[DESURV_PARAM_COUNT > 0 ? 1 : -1];
typedef char check_topt_count[DESURV_TOPT_COUNT > 0 ? 1 : -1];
/* Identifiers are 0 .. COUNT-1: the count follows the last enumerator. */
typedef char check_opt_last[DESURV_OPT_COUNT == DESURV_OPT_WSTEP + 1 ? 1 : -1];
typedef char check_stat_last[DESURV_STAT_COUNT == DESURV_STAT_N_EVENTS + 1 ? 1 : -1];
typedef char check_param_last[DESURV_PARAM_COUNT == DESURV_PARAM_NTOP + 1 ? 1 : -1];
typedef char check_topt_last[DESURV_TOPT_COUNT == DESURV_TOPT_REFIT + 1 ? 1 : -1];

/* Every enumerator (-Wswitch: a switch on an enum without default must
 * name all of them). */
static int status_known(enum desurv_status s)
{
    switch (s) {
    case DESURV_OK:
    case DESURV_E_NULL:
    case DESURV_E_DIM:
    case DESURV_E_LD:
    case DESURV_E_NONFINITE:
    case DESURV_E_NEGATIVE:
    case DESURV_E_TIME:
    case DESURV_E_EVENT:
    case DESURV_E_NO_EVENTS:
    case DESURV_E_RANK:
    case DESURV_E_OPTION:
    case DESURV_E_RANGE:
    case DESURV_E_NOT_FITTED:
    case DESURV_E_MISMATCH:
    case DESURV_E_NOMEM:
    case DESURV_E_NUMERIC:
    case DESURV_E_OVERFLOW:
    case DESURV_E_LAPACK:
    case DESURV_E_CANCELLED:
    case DESURV_E_BUFFER:
    case DESURV_E_INIT:
    case DESURV_E_THREAD:
    case DESURV_E_FORMAT:
    case DESURV_E_VERSION:
    case DESURV_E_IO:
    case DESURV_E_CHECKSUM:
        return 1;
    }
    return 0;
}

static int option_known(desurv_option o)
{
    switch (o) {
    case DESURV_OPT_K:
    case DESURV_OPT_ALPHA:
    case DESURV_OPT_LAMBDA:
    case DESURV_OPT_NU:
    case DESURV_OPT_LAMBDA_W:
    case DESURV_OPT_LAMBDA_H:
    case DESURV_OPT_TOL:
    case DESURV_OPT_MAXIT:
    case DESURV_OPT_NINIT:
    case DESURV_OPT_IMAXIT:
    case DESURV_OPT_TOL_INIT:
    case DESURV_OPT_SEED:
    case DESURV_OPT_THREADS:
    case DESURV_OPT_TIES:
    case DESURV_OPT_INIT:
    case DESURV_OPT_INIT_SELECT:
    case DESURV_OPT_ALPHA_SCALE:
    case DESURV_OPT_OFFSET:
    case DESURV_OPT_HSTEP:
    case DESURV_OPT_WSTEP:
        return 1;
    }
    return 0;
}

static int stat_known(desurv_stat s)
{
    switch (s) {
    case DESURV_STAT_LOSS:
    case DESURV_STAT_NMF_LOSS:
    case DESURV_STAT_COX_LOGLIK:
    case DESURV_STAT_PENALTY_BETA:
    case DESURV_STAT_ITERATIONS:
    case DESURV_STAT_CONVERGED:
    case DESURV_STAT_TRAIN_CINDEX:
    case DESURV_STAT_SIGMA2:
    case DESURV_STAT_W_ACCEPT_RATE:
    case DESURV_STAT_BEST_START:
    case DESURV_STAT_N_EVENTS:
        return 1;
    }
    return 0;
}

static int stage_known(desurv_stage s)
{
    switch (s) {
    case DESURV_STAGE_STARTS:
    case DESURV_STAGE_FIT:
    case DESURV_STAGE_DESIGN:
    case DESURV_STAGE_SEARCH:
    case DESURV_STAGE_REFIT:
        return 1;
    }
    return 0;
}

static int scenario_known(desurv_scenario s)
{
    switch (s) {
    case DESURV_SCENARIO_R0:
    case DESURV_SCENARIO_NULL:
    case DESURV_SCENARIO_MIXED:
        return 1;
    }
    return 0;
}

static int param_known(desurv_param p)
{
    switch (p) {
    case DESURV_PARAM_K:
    case DESURV_PARAM_ALPHA:
    case DESURV_PARAM_LAMBDA:
    case DESURV_PARAM_NU:
    case DESURV_PARAM_LAMBDA_W:
    case DESURV_PARAM_LAMBDA_H:
    case DESURV_PARAM_NTOP:
        return 1;
    }
    return 0;
}

static int tuner_option_known(desurv_tuner_option o)
{
    switch (o) {
    case DESURV_TOPT_FOLDS:
    case DESURV_TOPT_STARTS:
    case DESURV_TOPT_START_MODE:
    case DESURV_TOPT_METHOD:
    case DESURV_TOPT_INIT_POINTS:
    case DESURV_TOPT_ITERATIONS:
    case DESURV_TOPT_RULE:
    case DESURV_TOPT_XI:
    case DESURV_TOPT_LCB_Z:
    case DESURV_TOPT_POOL:
    case DESURV_TOPT_ALPHA_SCALE:
    case DESURV_TOPT_SEED:
    case DESURV_TOPT_THREADS:
    case DESURV_TOPT_BATCH:
    case DESURV_TOPT_REFIT:
        return 1;
    }
    return 0;
}

/* A function that can be installed as desurv_progress_fn. */
static int progress_cb(int stage, int64_t step, int64_t total, double best, void *user_data)
{
    (void)step;
    (void)total;
    (void)best;
    (void)user_data;
    return stage_known((desurv_stage)stage) ? 0 : 1;
}

int header_c99_uses(void);

int header_c99_uses(void)
{
    int used = 0;

    /* Types and constants. */
    {
        desurv_model *m = NULL;
        struct desurv_model *m_tag = m;
        desurv_sim *sim = NULL;
        struct desurv_sim *sim_tag = sim;
        desurv_tuner *tun = NULL;
        struct desurv_tuner *tun_tag = tun;
        desurv_option opt = DESURV_OPT_K;
        enum desurv_option opt_tag = opt;
        desurv_stat st = DESURV_STAT_LOSS;
        enum desurv_stat st_tag = st;
        enum desurv_status s = DESURV_OK;
        desurv_stage stage = DESURV_STAGE_FIT;
        enum desurv_stage stage_tag = stage;
        desurv_scenario scen = DESURV_SCENARIO_R0;
        enum desurv_scenario scen_tag = scen;
        desurv_param par = DESURV_PARAM_ALPHA;
        enum desurv_param par_tag = par;
        desurv_tuner_option topt = DESURV_TOPT_FOLDS;
        enum desurv_tuner_option topt_tag = topt;
        desurv_progress_fn cb = progress_cb;
        /* The callback type has exactly this shape. */
        int (*cb_shape)(int, int64_t, int64_t, double, void *) = cb;
        const char *v = DESURV_VERSION_STRING;
        char key[DESURV_META_KEY_MAX + 1];
        int which[2] = {DESURV_NAMES_GENES, DESURV_NAMES_SAMPLES};
        int ties[2] = {DESURV_TIES_BRESLOW, DESURV_TIES_EFRON};
        double params[DESURV_PARAM_COUNT];
        double topts[DESURV_TOPT_COUNT];
        double opts[DESURV_OPT_COUNT];
        double stats[DESURV_STAT_COUNT];

        key[0] = '\0';
        params[0] = topts[0] = opts[0] = stats[0] = 0.0;
        used += (m_tag == NULL) + (sim_tag == NULL) + (tun_tag == NULL);
        used += status_known(s) + option_known(opt_tag) + stat_known(st_tag) +
                stage_known(stage_tag) + scenario_known(scen_tag) + param_known(par_tag) +
                tuner_option_known(topt_tag);
        used += (cb_shape != NULL) + (v != NULL) + (key[0] == '\0') + which[1] + ties[1] +
                DESURV_MODEL_FORMAT + (params[0] == 0.0) + (topts[0] == 0.0) +
                (opts[0] == 0.0) + (stats[0] == 0.0);
    }

    /* Function designators: every public function has exactly this
     * prototype.  Model, options, fitting (0.1). */
    {
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
        int (*f_offset)(const desurv_model *, double *) = desurv_model_offset;
        (void)f_offset;
        int (*f_stat)(const desurv_model *, desurv_stat, double *) = desurv_model_stat;
        int (*f_trace)(const desurv_model *, double *, int64_t, int64_t *) = desurv_model_trace;
        const char *(*f_strerror)(int) = desurv_strerror;
        const char *(*f_errmsg)(const desurv_model *) = desurv_errmsg;
        const char *(*f_vs)(void) = desurv_version_string;
        int (*f_v)(void) = desurv_version;

        used += (f_new != NULL) + (f_free != NULL) + (f_set != NULL) + (f_get != NULL) +
                (f_byname != NULL) + (f_bounds != NULL) + (f_name != NULL) + (f_init != NULL) +
                (f_fit != NULL) + (f_predict != NULL) + (f_cindex != NULL) + (f_dims != NULL) +
                (f_W != NULL) + (f_H != NULL) + (f_beta != NULL) + (f_stat != NULL) +
                (f_trace != NULL) + (f_strerror != NULL) + (f_errmsg != NULL) +
                (f_vs != NULL) + (f_v != NULL);
    }

    /* Progress and cancellation; top genes (0.2). */
    {
        int (*f_set_progress)(desurv_model *, desurv_progress_fn, void *) = desurv_set_progress;
        int (*f_top_genes)(const desurv_model *, int64_t, int64_t *, double *) =
            desurv_model_top_genes;
        int (*f_predict_ntop)(const desurv_model *, const double *, int64_t, int64_t, int64_t,
                              int64_t, double *) = desurv_predict_ntop;
        int (*f_trace_terms)(const desurv_model *, double *, int64_t, int64_t, int64_t *) =
            desurv_model_trace_terms;
        double terms[DESURV_TRACE_TERMS] = {0.0};
        int cols[DESURV_TRACE_TERMS] = {DESURV_TRACE_REC, DESURV_TRACE_LOGLIK,
                                        DESURV_TRACE_PEN_BETA, DESURV_TRACE_PEN_H,
                                        DESURV_TRACE_PEN_W};

        used += (f_set_progress != NULL) + (f_top_genes != NULL) + (f_predict_ntop != NULL);
        used += (f_trace_terms != NULL) + (terms[0] == 0.0) + cols[0];
    }

    /* Model annotations and model files (0.2). */
    {
        int (*f_set_names)(desurv_model *, int, const char *const *, int64_t) =
            desurv_model_set_names;
        int64_t (*f_names_count)(const desurv_model *, int) = desurv_model_names_count;
        const char *(*f_model_name)(const desurv_model *, int, int64_t) = desurv_model_name;
        int (*f_set_meta)(desurv_model *, const char *, const double *, int64_t) =
            desurv_model_set_meta;
        int (*f_get_meta)(const desurv_model *, const char *, double *, int64_t, int64_t *) =
            desurv_model_get_meta;
        int (*f_set_meta_string)(desurv_model *, const char *, const char *) =
            desurv_model_set_meta_string;
        const char *(*f_get_meta_string)(const desurv_model *, const char *) =
            desurv_model_get_meta_string;
        int64_t (*f_meta_count)(const desurv_model *) = desurv_model_meta_count;
        const char *(*f_meta_key)(const desurv_model *, int64_t) = desurv_model_meta_key;
        int (*f_save)(const desurv_model *, void *, int64_t, int64_t *) = desurv_model_save;
        int (*f_load)(desurv_model **, const void *, int64_t, char *, int64_t) =
            desurv_model_load;
        int (*f_save_file)(const desurv_model *, const char *, char *, int64_t) =
            desurv_model_save_file;
        int (*f_load_file)(desurv_model **, const char *, char *, int64_t) =
            desurv_model_load_file;

        used += (f_set_names != NULL) + (f_names_count != NULL) + (f_model_name != NULL) +
                (f_set_meta != NULL) + (f_get_meta != NULL) + (f_set_meta_string != NULL) +
                (f_get_meta_string != NULL) + (f_meta_count != NULL) + (f_meta_key != NULL) +
                (f_save != NULL) + (f_load != NULL) + (f_save_file != NULL) +
                (f_load_file != NULL);
    }

    /* Simulation (0.2). */
    {
        int (*f_simulate)(desurv_scenario, int64_t, int64_t, int64_t, uint64_t, desurv_sim **) =
            desurv_simulate;
        void (*f_sim_free)(desurv_sim *) = desurv_sim_free;
        int (*f_sim_dims)(const desurv_sim *, int64_t *, int64_t *, int64_t *) = desurv_sim_dims;
        int (*f_sim_data)(const desurv_sim *, double *, int64_t, double *, int32_t *) =
            desurv_sim_data;
        int (*f_sim_truth)(const desurv_sim *, double *, int64_t, double *, int64_t, double *,
                           int32_t *, int32_t *, int64_t) = desurv_sim_truth;
        int (*f_sim_split)(const desurv_sim *, double, int32_t *) = desurv_sim_split;

        used += (f_simulate != NULL) + (f_sim_free != NULL) + (f_sim_dims != NULL) +
                (f_sim_data != NULL) + (f_sim_truth != NULL) + (f_sim_split != NULL);
    }

    /* Preprocessing (0.2). */
    {
        int (*f_log2p1)(double *, int64_t, int64_t, int64_t) = desurv_log2p1;
        int (*f_gene_filter)(const double *, int64_t, int64_t, int64_t, int64_t, int64_t *) =
            desurv_gene_filter;
        int (*f_transform_rank)(double *, int64_t, int64_t, int64_t) = desurv_transform_rank;
        int (*f_quantile_target)(const double *, int64_t, int64_t, int64_t, double *) =
            desurv_quantile_target;
        int (*f_transform_quantile)(double *, int64_t, int64_t, int64_t, const double *) =
            desurv_transform_quantile;

        used += (f_log2p1 != NULL) + (f_gene_filter != NULL) + (f_transform_rank != NULL) +
                (f_quantile_target != NULL) + (f_transform_quantile != NULL);
    }

    /* Model selection (0.2). */
    {
        int (*f_tuner_new)(desurv_tuner **) = desurv_tuner_new;
        void (*f_tuner_free)(desurv_tuner *) = desurv_tuner_free;
        int (*f_tuner_set)(desurv_tuner *, desurv_tuner_option, double) = desurv_tuner_set;
        int (*f_tuner_get)(const desurv_tuner *, desurv_tuner_option, double *) =
            desurv_tuner_get;
        int (*f_topt_by_name)(const char *, desurv_tuner_option *) = desurv_tuner_option_by_name;
        const char *(*f_topt_name)(desurv_tuner_option) = desurv_tuner_option_name;
        int (*f_param_by_name)(const char *, desurv_param *) = desurv_param_by_name;
        const char *(*f_param_name)(desurv_param) = desurv_param_name;
        int (*f_set_bounds)(desurv_tuner *, desurv_param, double, double) =
            desurv_tuner_set_bounds;
        int (*f_get_bounds)(const desurv_tuner *, desurv_param, double *, double *) =
            desurv_tuner_get_bounds;
        int (*f_set_grid)(desurv_tuner *, desurv_param, const double *, int64_t) =
            desurv_tuner_set_grid;
        int (*f_set_folds)(desurv_tuner *, const int32_t *, int64_t) = desurv_tuner_set_folds;
        int (*f_set_strata)(desurv_tuner *, const int32_t *, int64_t) = desurv_tuner_set_strata;
        int (*f_tuner_progress)(desurv_tuner *, desurv_progress_fn, void *) =
            desurv_tuner_set_progress;
        int (*f_add_history)(desurv_tuner *, const double *, double, double, const double *,
                             int64_t) = desurv_tuner_add_history;
        int (*f_tune)(desurv_tuner *, desurv_model *, const double *, int64_t, int64_t, int64_t,
                      const double *, const int32_t *) = desurv_tune;
        int (*f_history_len)(const desurv_tuner *, int64_t *, int64_t *) =
            desurv_tuner_history_len;
        int (*f_history)(const desurv_tuner *, int64_t, double *, double *, double *, double *,
                         double *) = desurv_tuner_history;
        int (*f_history_recon)(const desurv_tuner *, int64_t, double *, double *) =
            desurv_tuner_history_recon;
        int (*f_choice)(const desurv_tuner *, double *, int64_t *) = desurv_tuner_choice;
        int (*f_surface)(const desurv_tuner *, double *, double *, double *, double *, int64_t,
                         int64_t *) = desurv_tuner_surface;
        int (*f_folds)(const desurv_tuner *, int32_t *, int64_t) = desurv_tuner_folds;
        const char *(*f_warnings)(const desurv_tuner *) = desurv_tuner_warnings;
        const char *(*f_tuner_errmsg)(const desurv_tuner *) = desurv_tuner_errmsg;

        used += (f_tuner_new != NULL) + (f_tuner_free != NULL) + (f_tuner_set != NULL) +
                (f_tuner_get != NULL) + (f_topt_by_name != NULL) + (f_topt_name != NULL) +
                (f_param_by_name != NULL) + (f_param_name != NULL) + (f_set_bounds != NULL) +
                (f_get_bounds != NULL) + (f_set_grid != NULL) + (f_set_folds != NULL) +
                (f_set_strata != NULL) + (f_tuner_progress != NULL) + (f_add_history != NULL) +
                (f_tune != NULL) + (f_history_len != NULL) + (f_history != NULL) +
                (f_choice != NULL) + (f_surface != NULL) + (f_folds != NULL) +
                (f_warnings != NULL) + (f_tuner_errmsg != NULL) +
                (f_history_recon != NULL);
    }

    /* Survival summaries (0.2). */
    {
        int (*f_km)(const double *, const int32_t *, int64_t, double *, double *, double *,
                    double *, double *, int64_t *, int64_t *, int64_t *, int64_t, int64_t *) =
            desurv_km;
        int (*f_logrank)(const double *, const int32_t *, const int32_t *, int64_t, double *,
                         int64_t *, double *, int32_t *, double *, double *, int64_t,
                         int64_t *) = desurv_logrank;
        int (*f_cox1)(const double *, const int32_t *, const double *, int64_t, int, double *,
                      double *, double *, double *, double *, double *, double *, double *) =
            desurv_cox1;

        used += (f_km != NULL) + (f_logrank != NULL) + (f_cox1 != NULL);
    }

    return used;
}
