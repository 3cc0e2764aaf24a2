// header_cxx.cpp - build-only test: the public header compiles as C++11
// (-std=c++11 -pedantic -Wall -Wextra -Werror), declares C linkage, and its
// enums and functions are usable from C++ without casts beyond the usual.
#include <desurv/desurv.h>
#include <desurv/desurv.h>

#include <cstddef>

static_assert(DESURV_OK == 0, "DESURV_OK must be 0");
static_assert(DESURV_OPT_COUNT > 0, "options");
static_assert(DESURV_VERSION_NUMBER ==
                  DESURV_VERSION_MAJOR * 10000 + DESURV_VERSION_MINOR * 100 + DESURV_VERSION_PATCH,
              "version number");

// The functions must have C linkage: redeclaring a function with
// extern "C" after the header declared it with C++ linkage is an error.
extern "C" {
int desurv_model_new(desurv_model **out);
const char *desurv_strerror(int code);
int desurv_version(void);
}

int header_cxx_uses();

int header_cxx_uses()
{
    int (*f_new)(desurv_model **) = &desurv_model_new;
    const char *(*f_strerror)(int) = &desurv_strerror;
    desurv_model *m = nullptr;
    desurv_option opt = DESURV_OPT_ALPHA;
    desurv_stat st = DESURV_STAT_CONVERGED;
    int (*f_fit)(desurv_model *, const double *, int64_t, int64_t, int64_t, const double *,
                 const int32_t *) = &desurv_fit;
    int (*f_predict)(const desurv_model *, const double *, int64_t, int64_t, int64_t,
                     double *) = &desurv_predict;
    return (f_new != nullptr) + (f_strerror != nullptr) + (m == nullptr) + static_cast<int>(opt) +
           static_cast<int>(st) + (f_fit != nullptr) + (f_predict != nullptr);
}
