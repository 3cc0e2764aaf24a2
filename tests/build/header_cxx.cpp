// header_cxx.cpp - build-only test: the public header compiles as C++11
// (-std=c++11 -pedantic -Wall -Wextra -Werror), declares C linkage, and its
// enums and functions are usable from C++ without casts beyond the usual.
// Every DESURV_API function is bound to a pointer of its exact type (C++
// has no "compatible" function types: any difference is an error), every
// enumerator is a case label of a switch without default (-Wswitch), and
// every public macro and typedef is used.
#include <desurv/desurv.h>
#include <desurv/desurv.h>

#include <cstddef>

static_assert(DESURV_OK == 0, "DESURV_OK must be 0");
static_assert(DESURV_OPT_COUNT > 0, "options");
static_assert(DESURV_STAT_COUNT > 0, "statistics");
static_assert(DESURV_PARAM_COUNT > 0, "hyperparameters");
static_assert(DESURV_TOPT_COUNT > 0, "tuner options");
static_assert(DESURV_OPT_COUNT == DESURV_OPT_WSTEP + 1, "options are 0 .. COUNT-1");
static_assert(DESURV_STAT_COUNT == DESURV_STAT_N_EVENTS + 1, "statistics are 0 .. COUNT-1");
static_assert(DESURV_PARAM_COUNT == DESURV_PARAM_NTOP + 1, "hyperparameters are 0 .. COUNT-1");
static_assert(DESURV_TOPT_COUNT == DESURV_TOPT_REFIT + 1, "tuner options are 0 .. COUNT-1");
static_assert(DESURV_NAMES_GENES != DESURV_NAMES_SAMPLES, "names kinds");
static_assert(DESURV_TIES_BRESLOW == 0 && DESURV_TIES_EFRON == 1, "ties = option DESURV_OPT_TIES");
static_assert(DESURV_TRACE_REC == 0 && DESURV_TRACE_LOGLIK == 1 && DESURV_TRACE_PEN_BETA == 2 &&
                  DESURV_TRACE_PEN_H == 3 && DESURV_TRACE_PEN_W == 4 && DESURV_TRACE_TERMS == 5,
              "trace term columns are 0 .. DESURV_TRACE_TERMS - 1");
static_assert(DESURV_META_KEY_MAX >= 1, "metadata key length");
static_assert(DESURV_MODEL_FORMAT >= 1, "model format version");
static_assert(DESURV_VERSION_NUMBER ==
                  DESURV_VERSION_MAJOR * 10000 + DESURV_VERSION_MINOR * 100 + DESURV_VERSION_PATCH,
              "version number");

// The functions must have C linkage: redeclaring a function with
// extern "C" after the header declared it with C++ linkage is an error.
// One function of each part of the header.
extern "C" {
int desurv_model_new(desurv_model **out);
const char *desurv_strerror(int code);
int desurv_version(void);
int desurv_set_progress(desurv_model *m, desurv_progress_fn fn, void *user_data);
int desurv_model_top_genes(const desurv_model *m, int64_t ntop, int64_t *idx_out,
                           double *score_out);
int desurv_model_save(const desurv_model *m, void *buf, int64_t cap, int64_t *len);
int desurv_simulate(desurv_scenario scenario, int64_t genes, int64_t samples, int64_t k,
                    uint64_t seed, desurv_sim **out);
int desurv_log2p1(double *X, int64_t p, int64_t n, int64_t ldx);
int desurv_tune(desurv_tuner *t, desurv_model *m, const double *X, int64_t p, int64_t n,
                int64_t ldx, const double *time, const int32_t *event);
int desurv_km(const double *time, const int32_t *event, int64_t n, double *t_out,
              double *surv_out, double *se_out, double *lower_out, double *upper_out,
              int64_t *n_risk_out, int64_t *n_event_out, int64_t *n_censor_out, int64_t cap,
              int64_t *len);
}

namespace {

int status_known(desurv_status s)
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

int option_known(desurv_option o)
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

int stat_known(desurv_stat s)
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

int stage_known(desurv_stage s)
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

int scenario_known(desurv_scenario s)
{
    switch (s) {
    case DESURV_SCENARIO_R0:
    case DESURV_SCENARIO_NULL:
    case DESURV_SCENARIO_MIXED:
        return 1;
    }
    return 0;
}

int param_known(desurv_param p)
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

int tuner_option_known(desurv_tuner_option o)
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

// A C++ function usable as desurv_progress_fn (the typedef's exact type).
int progress_cb(int stage, int64_t, int64_t, double, void *)
{
    return stage_known(static_cast<desurv_stage>(stage)) ? 0 : 1;
}

} // namespace

int header_cxx_uses();

int header_cxx_uses()
{
    int used = 0;

    // Types and constants.
    {
        desurv_model *m = nullptr;
        desurv_sim *sim = nullptr;
        desurv_tuner *tun = nullptr;
        desurv_option opt = DESURV_OPT_ALPHA;
        desurv_stat st = DESURV_STAT_CONVERGED;
        desurv_status s = DESURV_E_CHECKSUM;
        desurv_stage stage = DESURV_STAGE_SEARCH;
        desurv_scenario scen = DESURV_SCENARIO_MIXED;
        desurv_param par = DESURV_PARAM_NTOP;
        desurv_tuner_option topt = DESURV_TOPT_REFIT;
        desurv_progress_fn cb = &progress_cb;
        int (*cb_shape)(int, int64_t, int64_t, double, void *) = cb;
        const char *v = DESURV_VERSION_STRING;
        char key[DESURV_META_KEY_MAX + 1] = {0};
        int which[2] = {DESURV_NAMES_GENES, DESURV_NAMES_SAMPLES};
        int ties[2] = {DESURV_TIES_BRESLOW, DESURV_TIES_EFRON};
        double params[DESURV_PARAM_COUNT] = {0.0};
        double topts[DESURV_TOPT_COUNT] = {0.0};

        used += (m == nullptr) + (sim == nullptr) + (tun == nullptr);
        used += status_known(s) + option_known(opt) + stat_known(st) + stage_known(stage) +
                scenario_known(scen) + param_known(par) + tuner_option_known(topt);
        used += (cb_shape != nullptr) + (v != nullptr) + (key[0] == '\0') + which[1] + ties[1] +
                DESURV_MODEL_FORMAT + (params[0] == 0.0) + (topts[0] == 0.0);
    }

    // Model, options, fitting (0.1).
    {
        int (*f_new)(desurv_model **) = &desurv_model_new;
        void (*f_free)(desurv_model *) = &desurv_model_free;
        int (*f_set)(desurv_model *, desurv_option, double) = &desurv_set_option;
        int (*f_get)(const desurv_model *, desurv_option, double *) = &desurv_get_option;
        int (*f_byname)(const char *, desurv_option *) = &desurv_option_by_name;
        int (*f_bounds)(desurv_option, double *, double *) = &desurv_option_bounds;
        const char *(*f_name)(desurv_option) = &desurv_option_name;
        int (*f_init)(desurv_model *, const double *, int64_t, int64_t, int64_t, const double *,
                      int64_t, int64_t, const double *) = &desurv_set_init;
        int (*f_fit)(desurv_model *, const double *, int64_t, int64_t, int64_t, const double *,
                     const int32_t *) = &desurv_fit;
        int (*f_predict)(const desurv_model *, const double *, int64_t, int64_t, int64_t,
                         double *) = &desurv_predict;
        int (*f_cindex)(const double *, const int32_t *, const double *, int64_t, double *) =
            &desurv_cindex;
        int (*f_dims)(const desurv_model *, int64_t *, int64_t *, int64_t *) = &desurv_model_dims;
        int (*f_W)(const desurv_model *, double *, int64_t) = &desurv_model_W;
        int (*f_H)(const desurv_model *, double *, int64_t) = &desurv_model_H;
        int (*f_beta)(const desurv_model *, double *) = &desurv_model_beta;
        int (*f_stat)(const desurv_model *, desurv_stat, double *) = &desurv_model_stat;
        int (*f_trace)(const desurv_model *, double *, int64_t, int64_t *) = &desurv_model_trace;
        const char *(*f_strerror)(int) = &desurv_strerror;
        const char *(*f_errmsg)(const desurv_model *) = &desurv_errmsg;
        const char *(*f_vs)() = &desurv_version_string;
        int (*f_v)() = &desurv_version;

        used += (f_new != nullptr) + (f_free != nullptr) + (f_set != nullptr) +
                (f_get != nullptr) + (f_byname != nullptr) + (f_bounds != nullptr) +
                (f_name != nullptr) + (f_init != nullptr) + (f_fit != nullptr) +
                (f_predict != nullptr) + (f_cindex != nullptr) + (f_dims != nullptr) +
                (f_W != nullptr) + (f_H != nullptr) + (f_beta != nullptr) + (f_stat != nullptr) +
                (f_trace != nullptr) + (f_strerror != nullptr) + (f_errmsg != nullptr) +
                (f_vs != nullptr) + (f_v != nullptr);
    }

    // Progress and cancellation; top genes (0.2).
    {
        int (*f_set_progress)(desurv_model *, desurv_progress_fn, void *) = &desurv_set_progress;
        int (*f_top_genes)(const desurv_model *, int64_t, int64_t *, double *) =
            &desurv_model_top_genes;
        int (*f_predict_ntop)(const desurv_model *, const double *, int64_t, int64_t, int64_t,
                              int64_t, double *) = &desurv_predict_ntop;
        int (*f_trace_terms)(const desurv_model *, double *, int64_t, int64_t, int64_t *) =
            &desurv_model_trace_terms;

        used += (f_set_progress != nullptr) + (f_top_genes != nullptr) +
                (f_predict_ntop != nullptr) + (f_trace_terms != nullptr);
    }

    // Model annotations and model files (0.2).
    {
        int (*f_set_names)(desurv_model *, int, const char *const *, int64_t) =
            &desurv_model_set_names;
        int64_t (*f_names_count)(const desurv_model *, int) = &desurv_model_names_count;
        const char *(*f_model_name)(const desurv_model *, int, int64_t) = &desurv_model_name;
        int (*f_set_meta)(desurv_model *, const char *, const double *, int64_t) =
            &desurv_model_set_meta;
        int (*f_get_meta)(const desurv_model *, const char *, double *, int64_t, int64_t *) =
            &desurv_model_get_meta;
        int (*f_set_meta_string)(desurv_model *, const char *, const char *) =
            &desurv_model_set_meta_string;
        const char *(*f_get_meta_string)(const desurv_model *, const char *) =
            &desurv_model_get_meta_string;
        int64_t (*f_meta_count)(const desurv_model *) = &desurv_model_meta_count;
        const char *(*f_meta_key)(const desurv_model *, int64_t) = &desurv_model_meta_key;
        int (*f_save)(const desurv_model *, void *, int64_t, int64_t *) = &desurv_model_save;
        int (*f_load)(desurv_model **, const void *, int64_t, char *, int64_t) =
            &desurv_model_load;
        int (*f_save_file)(const desurv_model *, const char *, char *, int64_t) =
            &desurv_model_save_file;
        int (*f_load_file)(desurv_model **, const char *, char *, int64_t) =
            &desurv_model_load_file;

        used += (f_set_names != nullptr) + (f_names_count != nullptr) +
                (f_model_name != nullptr) + (f_set_meta != nullptr) + (f_get_meta != nullptr) +
                (f_set_meta_string != nullptr) + (f_get_meta_string != nullptr) +
                (f_meta_count != nullptr) + (f_meta_key != nullptr) + (f_save != nullptr) +
                (f_load != nullptr) + (f_save_file != nullptr) + (f_load_file != nullptr);
    }

    // Simulation (0.2).
    {
        int (*f_simulate)(desurv_scenario, int64_t, int64_t, int64_t, uint64_t, desurv_sim **) =
            &desurv_simulate;
        void (*f_sim_free)(desurv_sim *) = &desurv_sim_free;
        int (*f_sim_dims)(const desurv_sim *, int64_t *, int64_t *, int64_t *) =
            &desurv_sim_dims;
        int (*f_sim_data)(const desurv_sim *, double *, int64_t, double *, int32_t *) =
            &desurv_sim_data;
        int (*f_sim_truth)(const desurv_sim *, double *, int64_t, double *, int64_t, double *,
                           int32_t *, int32_t *, int64_t) = &desurv_sim_truth;
        int (*f_sim_split)(const desurv_sim *, double, int32_t *) = &desurv_sim_split;

        used += (f_simulate != nullptr) + (f_sim_free != nullptr) + (f_sim_dims != nullptr) +
                (f_sim_data != nullptr) + (f_sim_truth != nullptr) + (f_sim_split != nullptr);
    }

    // Preprocessing (0.2).
    {
        int (*f_log2p1)(double *, int64_t, int64_t, int64_t) = &desurv_log2p1;
        int (*f_gene_filter)(const double *, int64_t, int64_t, int64_t, int64_t, int64_t *) =
            &desurv_gene_filter;
        int (*f_transform_rank)(double *, int64_t, int64_t, int64_t) = &desurv_transform_rank;
        int (*f_quantile_target)(const double *, int64_t, int64_t, int64_t, double *) =
            &desurv_quantile_target;
        int (*f_transform_quantile)(double *, int64_t, int64_t, int64_t, const double *) =
            &desurv_transform_quantile;

        used += (f_log2p1 != nullptr) + (f_gene_filter != nullptr) +
                (f_transform_rank != nullptr) + (f_quantile_target != nullptr) +
                (f_transform_quantile != nullptr);
    }

    // Model selection (0.2).
    {
        int (*f_tuner_new)(desurv_tuner **) = &desurv_tuner_new;
        void (*f_tuner_free)(desurv_tuner *) = &desurv_tuner_free;
        int (*f_tuner_set)(desurv_tuner *, desurv_tuner_option, double) = &desurv_tuner_set;
        int (*f_tuner_get)(const desurv_tuner *, desurv_tuner_option, double *) =
            &desurv_tuner_get;
        int (*f_topt_by_name)(const char *, desurv_tuner_option *) =
            &desurv_tuner_option_by_name;
        const char *(*f_topt_name)(desurv_tuner_option) = &desurv_tuner_option_name;
        int (*f_param_by_name)(const char *, desurv_param *) = &desurv_param_by_name;
        const char *(*f_param_name)(desurv_param) = &desurv_param_name;
        int (*f_set_bounds)(desurv_tuner *, desurv_param, double, double) =
            &desurv_tuner_set_bounds;
        int (*f_get_bounds)(const desurv_tuner *, desurv_param, double *, double *) =
            &desurv_tuner_get_bounds;
        int (*f_set_grid)(desurv_tuner *, desurv_param, const double *, int64_t) =
            &desurv_tuner_set_grid;
        int (*f_set_folds)(desurv_tuner *, const int32_t *, int64_t) = &desurv_tuner_set_folds;
        int (*f_set_strata)(desurv_tuner *, const int32_t *, int64_t) =
            &desurv_tuner_set_strata;
        int (*f_tuner_progress)(desurv_tuner *, desurv_progress_fn, void *) =
            &desurv_tuner_set_progress;
        int (*f_add_history)(desurv_tuner *, const double *, double, double, const double *,
                             int64_t) = &desurv_tuner_add_history;
        int (*f_tune)(desurv_tuner *, desurv_model *, const double *, int64_t, int64_t, int64_t,
                      const double *, const int32_t *) = &desurv_tune;
        int (*f_history_len)(const desurv_tuner *, int64_t *, int64_t *) =
            &desurv_tuner_history_len;
        int (*f_history)(const desurv_tuner *, int64_t, double *, double *, double *, double *,
                         double *) = &desurv_tuner_history;
        int (*f_history_recon)(const desurv_tuner *, int64_t, double *, double *) =
            &desurv_tuner_history_recon;
        int (*f_choice)(const desurv_tuner *, double *, int64_t *) = &desurv_tuner_choice;
        int (*f_surface)(const desurv_tuner *, double *, double *, double *, double *, int64_t,
                         int64_t *) = &desurv_tuner_surface;
        int (*f_folds)(const desurv_tuner *, int32_t *, int64_t) = &desurv_tuner_folds;
        const char *(*f_warnings)(const desurv_tuner *) = &desurv_tuner_warnings;
        const char *(*f_tuner_errmsg)(const desurv_tuner *) = &desurv_tuner_errmsg;

        used += (f_tuner_new != nullptr) + (f_tuner_free != nullptr) +
                (f_tuner_set != nullptr) + (f_tuner_get != nullptr) +
                (f_topt_by_name != nullptr) + (f_topt_name != nullptr) +
                (f_param_by_name != nullptr) + (f_param_name != nullptr) +
                (f_set_bounds != nullptr) + (f_get_bounds != nullptr) + (f_set_grid != nullptr) +
                (f_set_folds != nullptr) + (f_set_strata != nullptr) +
                (f_tuner_progress != nullptr) + (f_add_history != nullptr) +
                (f_tune != nullptr) + (f_history_len != nullptr) + (f_history != nullptr) +
                (f_choice != nullptr) + (f_surface != nullptr) + (f_folds != nullptr) +
                (f_warnings != nullptr) + (f_tuner_errmsg != nullptr) +
                (f_history_recon != nullptr);
    }

    // Survival summaries (0.2).
    {
        int (*f_km)(const double *, const int32_t *, int64_t, double *, double *, double *,
                    double *, double *, int64_t *, int64_t *, int64_t *, int64_t, int64_t *) =
            &desurv_km;
        int (*f_logrank)(const double *, const int32_t *, const int32_t *, int64_t, double *,
                         int64_t *, double *, int32_t *, double *, double *, int64_t,
                         int64_t *) = &desurv_logrank;
        int (*f_cox1)(const double *, const int32_t *, const double *, int64_t, int, double *,
                      double *, double *, double *, double *, double *, double *, double *) =
            &desurv_cox1;

        used += (f_km != nullptr) + (f_logrank != nullptr) + (f_cox1 != nullptr);
    }

    return used;
}
