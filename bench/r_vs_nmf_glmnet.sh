#!/bin/sh
# bench/r_vs_nmf_glmnet.sh - time per fit on TCGA-PAAD from R:
#   1. the R package's desurv_fit (this repository's bindings/r),
#   2. the desurv command's fit on the same data (the binding's overhead),
#   3. the paper's own baseline, NMF::nmf then a glmnet Cox model on the
#      factor scores (Debian's r-cran-nmf, r-cran-glmnet).
# The original DeSurv R package cannot be run here: it is not in Debian's
# archive, and this machine installs software only from Debian (see
# bench/README.md, "R package vs NMF + glmnet").
#
# Usage: bench/r_vs_nmf_glmnet.sh [REPS]   (default 5; about 12 minutes on 2 cores,
# almost all of it NMF with nrun = 20)
# Needs a build in build/ (meson setup build && meson compile -C build),
# r-base-dev, r-cran-survival, r-cran-glmnet and r-cran-nmf
# (apt-get install r-cran-nmf; not installed by scripts/setup.sh).
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
reps=${1:-5}
build=$root/build
[ -x "$build/cli/desurv" ] || { echo "build/ has no desurv command: meson compile -C build" >&2; exit 1; }
Rscript -e 'for (p in c("NMF", "glmnet", "survival")) if (!requireNamespace(p, quietly = TRUE)) stop("R package ", p, " missing (apt-get install r-cran-", tolower(p), ")")' ||
    exit 1
lib=$build/r-bench-lib
rm -rf "$lib" "$build/r-bench-pkg"
mkdir -p "$lib"
cp -R "$root/bindings/r" "$build/r-bench-pkg"
DESURV_BUILD_DIR=$build R CMD INSTALL --no-test-load -l "$lib" "$build/r-bench-pkg" >"$build/r-bench-install.log" 2>&1 ||
    { cat "$build/r-bench-install.log"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# One BLAS thread everywhere: NMF's updates and the library's products then
# run on equal terms, and the machine's other work does not skew the pool.
export OPENBLAS_NUM_THREADS=1
export R_LIBS=$lib DESURV_ROOT=$root DESURV_CLI=$build/cli/desurv BENCH_REPS=$reps BENCH_WORK=$work
nice Rscript --vanilla - <<'REOF'
suppressPackageStartupMessages({ library(desurv); library(NMF); library(glmnet); library(survival) })
reps <- as.integer(Sys.getenv("BENCH_REPS")); work <- Sys.getenv("BENCH_WORK")
dir <- file.path(Sys.getenv("DESURV_ROOT"), "data", "tcga_paad")
X <- as.matrix(read.delim(file.path(dir, "expression_log2p1.tsv.gz"), row.names = 1, check.names = FALSE))
s <- read.delim(file.path(dir, "survival.tsv.gz"))
# the vignette's preprocessing: 1000 genes of best mean + variance rank, within-sample ranks
rk <- rank(-rowMeans(X)) + rank(-apply(X, 1, var))
X <- X[sort(order(rk)[1:1000]), ]
X <- apply(X, 2, rank)
k <- 3
cat(sprintf("TCGA-PAAD: %d genes x %d samples, k = %d, %d repetitions (median wall time)\n",
            nrow(X), ncol(X), k, reps))
cat(sprintf("libdesurv %s, R %s, NMF %s, glmnet %s, OPENBLAS_NUM_THREADS=%s\n\n", desurv_version(),
            getRversion(), packageVersion("NMF"), packageVersion("glmnet"), Sys.getenv("OPENBLAS_NUM_THREADS")))
timeit <- function(f) {
    t <- vapply(seq_len(reps), function(i) system.time(f())[["elapsed"]], 0)
    median(t)
}
# the command reads the same doubles (17 significant digits)
expr <- file.path(work, "expr.tsv"); surv <- file.path(work, "surv.tsv")
writeLines(c(paste(c("gene", colnames(X)), collapse = "\t"),
             paste(rownames(X), apply(X, 1, function(r) paste(sprintf("%.17g", r), collapse = "\t")), sep = "\t")), expr)
writeLines(c("sample\ttime\tevent", sprintf("%s\t%.17g\t%d", colnames(X), s$time, s$event)), surv)
cli <- function(starts) system2(Sys.getenv("DESURV_CLI"), c("fit", "--expr", expr, "--surv", surv, "--k", k,
                                "--starts", starts, "--quiet", "--out", file.path(work, "fit")))
rows <- list()
add <- function(what, sec, note = "") rows[[length(rows) + 1L]] <<- data.frame(what = what, seconds = sec, note = note)

for (ninit in c(1, 20)) {
    m <- desurv_fit(X, s$time, s$event, k = k, ninit = ninit)
    add(sprintf("R desurv_fit, ninit = %d", ninit),
        timeit(function() desurv_fit(X, s$time, s$event, k = k, ninit = ninit)),
        sprintf("%d iterations, %s", as.integer(m$stats$iterations),
                if (m$stats$converged == 1) "converged" else "maxit"))
    add(sprintf("desurv fit --starts %d (command)", ninit), timeit(function() cli(ninit)),
        "incl. reading the TSVs, writing outputs")
    cm <- read_desurv(file.path(work, "fit", "model.desurv"))
    stopifnot(identical(unname(cm$W), unname(m$W)))   # the same fit, bit for bit
}
nmf_glmnet <- function(nrun) {
    fit <- nmf(X, rank = k, method = "brunet", nrun = nrun, seed = 123456, .options = "-p")
    Z <- crossprod(X, basis(fit))                       # factor scores, n x k
    cv <- cv.glmnet(Z, Surv(s$time, s$event), family = "cox", alpha = 0.5, nfolds = 5)
    list(fit = fit, cv = cv)
}
for (nrun in c(1, 20)) {
    r <- nmf_glmnet(nrun)
    add(sprintf("NMF::nmf (brunet, nrun = %d) + cv.glmnet", nrun), timeit(function() nmf_glmnet(nrun)),
        sprintf("NMF alone %.2f s", timeit(function() nmf(X, rank = k, method = "brunet", nrun = nrun,
                                                             seed = 123456, .options = "-p"))))
}
tab <- do.call(rbind, rows)
tab$seconds <- sprintf("%.3f", tab$seconds)
print(tab, row.names = FALSE, right = FALSE)
REOF
