/* modelfile.c - fit a model, annotate it, save it to a file, load it back
 * and check that the loaded model predicts exactly as the original.
 *
 * The data come from desurv_simulate() (the paper's design, scaled down).
 * The model is saved with its gene ids and a note of the preprocessing, as
 * a front end would store them, so that whoever loads it knows which row of
 * new data is which gene.
 *
 *     modelfile_example [PATH]      (default: desurv_example.model)
 *
 * Build in-tree with meson, or alone against an installed libdesurv:
 *     cc modelfile.c $(pkg-config --cflags --libs desurv) -lm
 */
#include <desurv/desurv.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GENES 300
#define SAMPLES 80
#define K 3

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "desurv_example.model";
    int status = EXIT_FAILURE, rc;
    desurv_sim *sim = NULL;
    desurv_model *m = NULL, *loaded = NULL;
    double *X = malloc(sizeof(double) * GENES * SAMPLES), time[SAMPLES];
    double lp[SAMPLES], lp_loaded[SAMPLES];
    int32_t event[SAMPLES];
    char ids[GENES][16];
    const char *gene_ids[GENES];
    char msg[512];

    if (!X)
        goto done;
    /* 1. data and fit */
    if ((rc = desurv_simulate(DESURV_SCENARIO_R0, GENES, SAMPLES, K, 7, &sim)) != DESURV_OK ||
        (rc = desurv_sim_data(sim, X, GENES, time, event)) != DESURV_OK ||
        (rc = desurv_model_new(&m)) != DESURV_OK) {
        fprintf(stderr, "modelfile: setup: %s\n", desurv_strerror(rc));
        goto done;
    }
    if ((rc = desurv_set_option(m, DESURV_OPT_K, K)) != DESURV_OK ||
        (rc = desurv_set_option(m, DESURV_OPT_NINIT, 5)) != DESURV_OK ||
        (rc = desurv_fit(m, X, GENES, SAMPLES, GENES, time, event)) != DESURV_OK) {
        fprintf(stderr, "modelfile: fit: %s (%s)\n", desurv_strerror(rc), desurv_errmsg(m));
        goto done;
    }

    /* 2. annotations: gene ids and how the data were preprocessed */
    for (int i = 0; i < GENES; i++) {
        snprintf(ids[i], sizeof ids[i], "GENE%04d", i + 1);
        gene_ids[i] = ids[i];
    }
    if ((rc = desurv_model_set_names(m, DESURV_NAMES_GENES, gene_ids, GENES)) != DESURV_OK ||
        (rc = desurv_model_set_meta_string(m, "preprocess.transform", "none")) != DESURV_OK ||
        (rc = desurv_model_set_meta(m, "preprocess.log2p1", (const double[]){0}, 1)) !=
            DESURV_OK) {
        fprintf(stderr, "modelfile: annotate: %s (%s)\n", desurv_strerror(rc),
                desurv_errmsg(m));
        goto done;
    }

    /* 3. save (atomically: an existing file is replaced only on success) */
    if ((rc = desurv_model_save_file(m, path, msg, sizeof msg)) != DESURV_OK) {
        fprintf(stderr, "modelfile: save: %s (%s)\n", desurv_strerror(rc), msg);
        goto done;
    }

    /* 4. load: a new handle; the message explains a failure */
    if ((rc = desurv_model_load_file(&loaded, path, msg, sizeof msg)) != DESURV_OK) {
        fprintf(stderr, "modelfile: load: %s (%s)\n", desurv_strerror(rc), msg);
        goto done;
    }

    /* 5. the loaded model predicts bit for bit as the original */
    if ((rc = desurv_predict(m, X, GENES, SAMPLES, GENES, lp)) != DESURV_OK ||
        (rc = desurv_predict(loaded, X, GENES, SAMPLES, GENES, lp_loaded)) != DESURV_OK) {
        fprintf(stderr, "modelfile: predict: %s\n", desurv_strerror(rc));
        goto done;
    }
    if (memcmp(lp, lp_loaded, sizeof lp) != 0) {
        fprintf(stderr, "modelfile: the loaded model predicts differently\n");
        goto done;
    }
    int64_t p, n, k;
    desurv_model_dims(loaded, &p, &n, &k);
    printf("saved and loaded %s: %lld genes (first %s), %lld samples, rank %lld\n", path,
           (long long)p, desurv_model_name(loaded, DESURV_NAMES_GENES, 0), (long long)n,
           (long long)k);
    printf("transform: %s; lp[0] = %.6f both before and after\n",
           desurv_model_get_meta_string(loaded, "preprocess.transform"), lp_loaded[0]);
    status = EXIT_SUCCESS;
done:
    desurv_model_free(loaded);
    desurv_model_free(m);
    desurv_sim_free(sim);
    free(X);
    return status;
}
