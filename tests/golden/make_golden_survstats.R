#!/usr/bin/env Rscript
# make_golden_survstats.R - golden values for tests/test_survstats.c
# (desurv_km, desurv_logrank, desurv_cox1 against survfit, survdiff, coxph).
#
# Run by hand from the repository root:
#     Rscript tests/golden/make_golden_survstats.R
# It rewrites tests/golden/survstats_*.tsv; the output is committed, so the
# tests need neither R nor the survival package.  The versions of a run are
# written to tests/golden/survstats_versions.tsv.
#
# Data sets (each written to survstats_data_<name>.tsv with the columns the
# test reads: time, event, x, g2, g3 and, for "multi", g6):
#   tied  - 80 simulated samples on integer times 0..12: every time is a
#           large tie group mixing deaths and censorings (Efron differs
#           clearly from Breslow), time 0 included.
#   tcga  - the bundled TCGA-PAAD overall survival (data/tcga_paad, months,
#           130 patients, 69 deaths, some tied times); x is the real log2
#           expression of KRT17, g2 = KRT17 above its median (the
#           "high vs low" use case), g3 its tertiles.
#   multi - 150 simulated samples, 6 groups with very different hazards
#           (logrank p far below 1e-20, df = 5), times rounded to 0.1.
# Group labels are arbitrary int32 values (negative ones included) so that
# the tests exercise the label sorting.
#
# Files written:
#   survstats_km_<name>.tsv       survfit(Surv(time, event) ~ 1): time,
#       n.risk, n.event, n.censor, surv, std.err (log scale, as the survfit
#       object), lower, upper (default log CI, 95%), se_surv (summary()'s
#       std.err of S, with censored = TRUE); NA written as "NA".
#   survstats_logrank_<name>.tsv  survdiff(Surv(time, event) ~ g): one row
#       per group: grouping (2, 3 or 6), label, obs, exp, chisq, df, p.
#   survstats_cox_<name>.tsv      coxph(Surv(time, event) ~ z) with default
#       control: covariate (1 = x, 2 = g2), ties (0 Breslow, 1 Efron),
#       coef, se, hr, lo, hi (summary's 95% CI), p (Wald, two-sided),
#       loglik0, loglik, iter.

suppressPackageStartupMessages(library(survival))

out_dir <- "tests/golden"
data_dir <- "data/tcga_paad"
stopifnot(dir.exists(out_dir), dir.exists(data_dir))

fmt <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))
write_tsv <- function(df, name) {
    m <- vapply(df, fmt, character(nrow(df)))
    if (is.null(dim(m)))
        m <- matrix(m, nrow = 1)
    lines <- c(paste(names(df), collapse = "\t"), apply(m, 1, paste, collapse = "\t"))
    writeLines(lines, file.path(out_dir, name))
}

# survival merges times that agree to ~1e-8 relative (timefix); libdesurv
# compares times exactly.  The data sets must not contain such near-ties.
check_timefix <- function(time, event) {
    y <- aeqSurv(Surv(time, event))
    stopifnot(all(y[, 1] == time))
}

km_table <- function(d) {
    f <- survfit(Surv(time, event) ~ 1, data = d)
    s <- summary(f, censored = TRUE)
    stopifnot(all(s$time == f$time))
    data.frame(time = f$time, n_risk = f$n.risk, n_event = f$n.event,
               n_censor = f$n.censor, surv = f$surv, std_err = f$std.err,
               lower = f$lower, upper = f$upper, se_surv = s$std.err)
}

logrank_table <- function(d, gcols, name) {
    rows <- list()
    for (gc in gcols) {
        g <- d[[gc]]
        sd <- survdiff(Surv(d$time, d$event) ~ g)
        labels <- sort(unique(g))
        df <- sum(sd$exp > 0) - 1
        rows[[gc]] <- data.frame(grouping = length(labels), label = labels,
                                 obs = as.numeric(sd$obs), exp = as.numeric(sd$exp),
                                 chisq = sd$chisq, df = df, p = sd$pvalue)
        cat(sprintf("  %-6s logrank %-3s chisq %-12.6g df %d p %.6g\n",
                    name, gc, sd$chisq, df, sd$pvalue))
    }
    do.call(rbind, rows)
}

cox_table <- function(d) {
    rows <- list()
    for (cv in 1:2) {
        z <- if (cv == 1) d$x else d$g2
        if (cv == 2)
            z <- as.numeric(z == max(z)) # 0/1 indicator of the larger label
        for (ties in 0:1) {
            fit <- coxph(Surv(d$time, d$event) ~ z,
                         ties = if (ties == 1) "efron" else "breslow")
            s <- summary(fit)
            ci <- s$conf.int
            rows[[length(rows) + 1]] <- data.frame(
                covariate = cv, ties = ties, coef = unname(coef(fit)),
                se = sqrt(fit$var[1, 1]), hr = ci[1, "exp(coef)"],
                lo = ci[1, "lower .95"], hi = ci[1, "upper .95"],
                p = s$coefficients[1, "Pr(>|z|)"], loglik0 = fit$loglik[1],
                loglik = fit$loglik[2], iter = fit$iter)
        }
    }
    do.call(rbind, rows)
}

write_all <- function(d, name, gcols) {
    check_timefix(d$time, d$event)
    write_tsv(d, paste0("survstats_data_", name, ".tsv"))
    write_tsv(km_table(d), paste0("survstats_km_", name, ".tsv"))
    write_tsv(logrank_table(d, gcols, name), paste0("survstats_logrank_", name, ".tsv"))
    write_tsv(cox_table(d), paste0("survstats_cox_", name, ".tsv"))
}

set.seed(20260310)

# ---- tied: integer times, heavy ties ---------------------------------------
n <- 80
x <- rnorm(n)
time <- pmin(12, floor(rexp(n, 0.15 * exp(0.6 * x))))
event <- rbinom(n, 1, 0.65)
g2 <- ifelse(x + rnorm(n, sd = 0.8) > 0, 7L, -3L)
g3 <- sample(c(-5L, 2L, 40L), n, replace = TRUE)
tied <- data.frame(time = time, event = event, x = x, g2 = g2, g3 = g3)
stopifnot(any(time == 0 & event == 1), all(table(time) >= 2))
write_all(tied, "tied", c("g2", "g3"))

# ---- tcga: real survival, real covariate ------------------------------------
surv <- read.delim(gzfile(file.path(data_dir, "survival.tsv.gz")))
expr <- read.delim(gzfile(file.path(data_dir, "expression_log2p1.tsv.gz")), row.names = 1,
                   check.names = FALSE)
stopifnot(identical(colnames(expr), surv$sample))
krt17 <- as.numeric(expr["KRT17", ])
tert <- quantile(krt17, c(1, 2) / 3)
tcga <- data.frame(time = surv$time, event = surv$event, x = krt17,
                   g2 = ifelse(krt17 > median(krt17), 1L, 0L),
                   g3 = ifelse(krt17 <= tert[1], 10L, ifelse(krt17 <= tert[2], 20L, 30L)))
write_all(tcga, "tcga", c("g2", "g3"))

# ---- multi: six groups, very strong differences ------------------------------
n <- 150
g6 <- sample(c(-100L, -1L, 0L, 3L, 9L, 1000000L), n, replace = TRUE)
rate <- c(0.02, 0.05, 0.1, 0.3, 1, 3)[match(g6, sort(unique(g6)))]
tev <- rexp(n, rate)
tce <- rexp(n, 0.03)
time <- round(pmin(tev, tce), 1)
event <- as.integer(tev <= tce)
x <- log(rate) + rnorm(n, sd = 0.5)
multi <- data.frame(time = time, event = event, x = x,
                    g2 = ifelse(g6 >= 3, 1L, 0L), g3 = ifelse(g6 < 0, 1L, ifelse(g6 < 9, 2L, 3L)),
                    g6 = g6)
write_all(multi, "multi", c("g2", "g3", "g6"))

writeLines(c("item\tvalue",
             "generator\ttests/golden/make_golden_survstats.R",
             paste0("R\t", R.version$version.string),
             paste0("survival\t", packageVersion("survival")),
             "tcga\tdata/tcga_paad (ShrinkageTrees 2.0.2 pdac): overall survival, KRT17 log2 expression",
             "note\tprovenance only; not read by the tests"),
           file.path(out_dir, "survstats_versions.tsv"))
