/* smoke.c - build-only test program: links the public API and runs a few
 * calls that need no fitting.  Built in-tree against the shared and the
 * internal static library, and by tests/build/check-install.sh against the
 * installed tree through pkg-config.  Exit status 0 = pass. */
#include <desurv/desurv.h>

#include <stdio.h>
#include <string.h>

static int failures = 0;

#define EXPECT(cond)                                                       \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "smoke: %s:%d: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                    \
        }                                                                  \
    } while (0)

int main(void)
{
    desurv_model *m = NULL;
    const double time[4] = {1.0, 2.0, 3.0, 4.0};
    const int32_t event[4] = {1, 1, 1, 1};
    const double risk[4] = {4.0, 3.0, 2.0, 1.0};
    double c = -1.0, k = -1.0;

    /* The header and the library agree on the version. */
    EXPECT(desurv_version() == DESURV_VERSION_NUMBER);
    EXPECT(desurv_version_string() != NULL &&
           strcmp(desurv_version_string(), DESURV_VERSION_STRING) == 0);
    EXPECT(desurv_strerror(DESURV_OK) != NULL);
    EXPECT(desurv_strerror(DESURV_E_NULL) != NULL);

    /* Handle lifecycle and one option. */
    EXPECT(desurv_model_new(&m) == DESURV_OK && m != NULL);
    EXPECT(desurv_set_option(m, DESURV_OPT_K, 2.0) == DESURV_OK);
    EXPECT(desurv_get_option(m, DESURV_OPT_K, &k) == DESURV_OK && k == 2.0);
    EXPECT(desurv_errmsg(m) != NULL);
    desurv_model_free(m);
    desurv_model_free(NULL);

    /* A computation with a known answer: risk ordered opposite to time,
     * every pair comparable and concordant. */
    EXPECT(desurv_cindex(time, event, risk, 4, &c) == DESURV_OK && c == 1.0);

    if (failures == 0)
        printf("smoke: ok (libdesurv %s)\n", desurv_version_string());
    return failures == 0 ? 0 : 1;
}
