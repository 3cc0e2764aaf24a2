#!/usr/bin/env Rscript
# make_golden_cox.R - golden values for tests/test_cox.c and tests/test_enet.c.
#
# Run by hand from the repository root:
#     Rscript tests/golden/make_golden_cox.R
# It rewrites tests/golden/cox_*.tsv and tests/golden/enet_*.tsv; the output
# is committed, so the tests need neither R nor the packages.  Generated with
# R 4.2.2, survival 3.5-3, glmnet 4.1-6 (Debian packages); the exact versions
# of a run are written to tests/golden/cox_versions.tsv.
#
# Survival times: the real overall-survival times (months) of the TCGA-PAAD
# cohort as curated by pdacR and shipped by the CRAN package ShrinkageTrees
# 2.0.2 (data/pdac.rda, MIT), copied to
# shared/data/tcga_paad_pdac_shrinkagetrees/survival.tsv (130 patients,
# 69 deaths).  Covariates are simulated here.
#
# Mapping of the penalty parameters (verified below, at every glmnet fit).
# libdesurv minimises  -(2/n_e) l(b) + lambda (nu |b|_1 + (1-nu)/2 |b|^2).
# glmnet (family = "cox", unit weights) minimises
#     -(1/n) l(b) + lambda_g (alpha |b|_1 + (1-alpha)/2 |b|^2),
# with l the Breslow log partial likelihood (glmnet normalises the weights to
# sum to 1).  Multiplying ours by n_e / (2 n) gives glmnet's, so
#     alpha = nu,   lambda_g = lambda * n_e / (2 n).
# The script checks this: the KKT residual of OUR objective at glmnet's
# solution, with our lambda, is stored in column kkt and must be tiny; the
# same residual under the alternative scaling -(1/n_e) l is printed and is
# large.

suppressPackageStartupMessages({
    library(survival)
    library(glmnet)
})

out_dir <- "tests/golden"
surv_file <- "../shared/data/tcga_paad_pdac_shrinkagetrees/survival.tsv"
if (!file.exists(surv_file))
    surv_file <- "/work/shared/data/tcga_paad_pdac_shrinkagetrees/survival.tsv"
stopifnot(dir.exists(out_dir), file.exists(surv_file))
tcga <- read.delim(surv_file)

fmt <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))
write_tsv <- function(df, name) {
    m <- vapply(df, fmt, character(nrow(df)))
    if (is.null(dim(m)))
        m <- matrix(m, nrow = 1)
    lines <- c(paste(names(df), collapse = "\t"), apply(m, 1, paste, collapse = "\t"))
    writeLines(lines, file.path(out_dir, name))
}
std_pop <- function(Z) {
    Z <- sweep(Z, 2, colMeans(Z))
    sweep(Z, 2, sqrt(colMeans(Z^2)), "/")
}

# ---- (a) log partial likelihood at fixed beta ------------------------------

coxph_loglik <- function(time, event, Z, beta, ties) {
    fit <- suppressWarnings(coxph(Surv(time, event) ~ Z, init = beta, ties = ties,
                                  control = coxph.control(iter.max = 0)))
    fit$loglik[1]
}

loglik_table <- function(time, event, Z, betas) {
    res <- as.data.frame(betas)
    names(res) <- paste0("b", seq_len(ncol(betas)))
    res$breslow <- apply(betas, 1, function(b) coxph_loglik(time, event, Z, b, "breslow"))
    res$efron <- apply(betas, 1, function(b) coxph_loglik(time, event, Z, b, "efron"))
    res
}

design_frame <- function(time, event, Z) {
    df <- data.frame(time = time, event = event)
    for (r in seq_len(ncol(Z)))
        df[[paste0("z", r)]] <- Z[, r]
    df
}

# Design "tcga": real times rounded to whole months, so many ties, including
# ties between deaths and censorings; times below half a month become 0, and
# two more deaths and a censoring are moved to 0.  Covariates deliberately
# uncentred and of mixed scale.
set.seed(20260101)
n <- nrow(tcga)
time_a <- round(tcga$time)
event_a <- tcga$event
zero <- c(which(event_a == 1)[c(5, 9)], which(event_a == 0)[3])
time_a[zero] <- 0
Z_a <- cbind(rnorm(n), 5 + 2 * rnorm(n), rbinom(n, 1, 0.4))
betas_a <- rbind(c(0, 0, 0), c(0.3, -0.5, 0.1), c(1, -2, 0.5), c(-3, 4, 2), c(8, -6, 10))
stopifnot(sum(time_a == 0 & event_a == 1) >= 2, any(duplicated(time_a[event_a == 1])))
write_tsv(design_frame(time_a, event_a, Z_a), "cox_design_tcga.tsv")
write_tsv(loglik_table(time_a, event_a, Z_a, betas_a), "cox_loglik_tcga.tsv")

# Design "heavy": 60 samples on six distinct times 0..5, so every tie group
# is large (Efron differs strongly from Breslow).
n_b <- 60
time_b <- sample(0:5, n_b, replace = TRUE)
event_b <- rbinom(n_b, 1, 0.7)
Z_b <- cbind(rnorm(n_b), runif(n_b, -2, 2))
betas_b <- rbind(c(0, 0), c(0.7, -0.4), c(-2, 3), c(5, 5))
write_tsv(design_frame(time_b, event_b, Z_b), "cox_design_heavy.tsv")
write_tsv(loglik_table(time_b, event_b, Z_b, betas_b), "cox_loglik_heavy.tsv")

# ---- (b) elastic-net Cox solutions from glmnet ------------------------------

# Breslow log partial likelihood and its gradient in b, by definition (O(n^2)).
breslow <- function(time, event, Z, b) {
    eta <- drop(Z %*% b)
    l <- 0
    g <- numeric(length(b))
    for (i in which(event == 1)) {
        R <- time >= time[i]
        w <- exp(eta[R])
        l <- l + eta[i] - log(sum(w))
        g <- g + Z[i, ] - colSums(Z[R, , drop = FALSE] * w) / sum(w)
    }
    list(l = l, g = g)
}

# Largest violation of the optimality conditions of
# -(scale) l + lambda (nu |b|_1 + (1-nu)/2 |b|^2).
kkt_residual <- function(time, event, Z, b, lambda, nu, scale) {
    gr <- -scale * breslow(time, event, Z, b)$g + lambda * (1 - nu) * b
    res <- ifelse(b != 0, abs(gr + lambda * nu * sign(b)), pmax(0, abs(gr) - lambda * nu))
    max(res)
}

enet_table <- function(time, event, Z) {
    n <- nrow(Z)
    k <- ncol(Z)
    ne <- sum(event)
    g0 <- abs(2 / ne * breslow(time, event, Z, rep(0, k))$g)
    rows <- list()
    for (nu in c(1, 0.5, 0)) {
        lambdas <- if (nu > 0) max(g0) / nu * c(0.5, 0.2, 0.05, 0.01) else c(1, 0.1, 0.01, 0.001)
        lam_g <- lambdas * ne / (2 * n)
        fit <- glmnet(Z, Surv(time, event), family = "cox", alpha = nu, lambda = lam_g,
                      standardize = FALSE, thresh = 1e-20, maxit = 1e7)
        for (j in seq_along(lambdas)) {
            b <- as.numeric(fit$beta[, j])
            kkt <- kkt_residual(time, event, Z, b, lambdas[j], nu, 2 / ne)
            alt <- kkt_residual(time, event, Z, b, lambda = lam_g[j], nu, 1 / ne)
            cat(sprintf("  nu %.1f lambda %-10.4g KKT ours %.2e   (if glmnet used 1/n_e: %.2e)\n",
                        nu, lambdas[j], kkt, alt))
            stopifnot(kkt < 1e-8)
            rows[[length(rows) + 1]] <- c(nu = nu, lambda = lambdas[j], alpha_g = nu,
                                          lambda_g = lam_g[j], src = 1, kkt = kkt,
                                          setNames(b, paste0("b", seq_len(k))))
        }
    }
    # lambda = 0: the unpenalised Breslow estimate from coxph.
    cf <- coef(coxph(Surv(time, event) ~ Z, ties = "breslow",
                     control = coxph.control(eps = 1e-13, toler.chol = 1e-15, iter.max = 100)))
    kkt <- kkt_residual(time, event, Z, cf, 0, 1, 2 / ne)
    rows[[length(rows) + 1]] <- c(nu = 1, lambda = 0, alpha_g = 1, lambda_g = 0, src = 2,
                                  kkt = kkt, setNames(cf, paste0("b", seq_len(k))))
    as.data.frame(do.call(rbind, rows))
}

# Design "indep": the real times (6 tied values), five standardised columns,
# two of them related to survival, moderately correlated among themselves.
k <- 5
lt <- as.numeric(scale(log(tcga$time + 0.1)))
Zr <- matrix(rnorm(n * k), n, k)
Zr[, 1] <- -0.6 * lt + 0.8 * Zr[, 1]
Zr[, 2] <- 0.3 * lt + 0.5 * Zr[, 1] + 0.8 * Zr[, 2]
Zr[, 3] <- 0.4 * Zr[, 2] + Zr[, 3]
Z_e <- std_pop(Zr)
cat("design indep\n")
write_tsv(design_frame(tcga$time, tcga$event, Z_e), "enet_design_indep.tsv")
write_tsv(enet_table(tcga$time, tcga$event, Z_e), "enet_fit_indep.tsv")

# Design "corr99": 200 simulated patients, four columns with pairwise
# correlation 0.99 (a shared factor plus 1/99 of its variance as noise),
# times rounded up to half months (ties, all > 0 as glmnet requires).
n_c <- 200
f <- rnorm(n_c)
Zr <- f + matrix(rnorm(n_c * 4), n_c, 4) / sqrt(99)
Z_c <- std_pop(Zr)
lp <- 0.8 * Z_c[, 1] + 2 * (Z_c[, 2] - Z_c[, 3])
t_ev <- rexp(n_c, 0.05 * exp(lp))
t_ce <- rexp(n_c, 0.02)
time_c <- ceiling(2 * pmin(t_ev, t_ce)) / 2
event_c <- as.integer(t_ev <= t_ce)
cat("design corr99 (pairwise correlations", range(cor(Z_c)[upper.tri(diag(4))]), ")\n")
write_tsv(design_frame(time_c, event_c, Z_c), "enet_design_corr99.tsv")
write_tsv(enet_table(time_c, event_c, Z_c), "enet_fit_corr99.tsv")

writeLines(c("item\tvalue",
             paste0("generator\ttests/golden/make_golden_cox.R"),
             paste0("R\t", R.version$version.string),
             paste0("survival\t", packageVersion("survival")),
             paste0("glmnet\t", packageVersion("glmnet")),
             paste0("times\tshared/data/tcga_paad_pdac_shrinkagetrees/survival.tsv ",
                    "(ShrinkageTrees 2.0.2 pdac, TCGA-PAAD overall survival, months)"),
             "note\tprovenance only; not read by the tests"),
           file.path(out_dir, "cox_versions.tsv"))
