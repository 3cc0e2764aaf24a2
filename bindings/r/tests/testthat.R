# R CMD check entry point.  In the source tree the tests run through
# scripts/run-r-tests.sh (meson test --suite r), which sets the paths of the
# desurv command and the Python binding they compare with.
library(testthat)
library(desurv)
test_check("desurv")
