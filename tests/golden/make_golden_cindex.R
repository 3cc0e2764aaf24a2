#!/usr/bin/env Rscript
# make_golden_cindex.R - golden values for tests/test_cindex.c.
#
# Run by hand from the project root (the outputs are committed):
#     Rscript tests/golden/make_golden_cindex.R
# Needs R with the 'survival' package (Debian: r-cran-survival).  The
# TCGA-PAAD case reads data/tcga_paad/survival.tsv.gz (bundled copy of the
# ShrinkageTrees 2.0.2 cohort; see data/README.md).
#
# Writes
#   tests/golden/cindex_data.tsv      case, time, event, risk (one row per sample)
#   tests/golden/cindex_expected.tsv  case, n, concordance, concordant,
#                                     discordant, tied_risk
# where concordance = survival::concordance(Surv(time, event) ~ risk,
# reverse = TRUE)$concordance (higher risk = earlier event), and the three
# counts are R's (reverse = TRUE) concordant / discordant / tied.x pair
# counts.  Numbers are printed with 17 significant digits so the C test reads
# back exactly the doubles R used.
suppressPackageStartupMessages(library(survival))

out_dir <- "tests/golden"
cases <- list()
add <- function(time, event, risk) {
  stopifnot(length(time) == length(event), length(time) == length(risk))
  cases[[length(cases) + 1]] <<- list(time = time, event = as.integer(event), risk = risk)
}

set.seed(20260101)

# 1. Hand-checkable: an event and a censoring tied at t = 1, two events tied
#    at t = 2 (not comparable with each other).
add(c(1, 1, 2, 2, 3), c(1, 0, 1, 1, 0), c(2, 1, 3, 3, 0))

# 2. Heavy ties in both time (8 values) and risk (5 values).
n <- 60
add(sample(1:8, n, TRUE), rbinom(n, 1, 0.6), sample(1:5, n, TRUE))

# 3. Events and censorings sharing times, risks tied across the tie groups.
add(rep(c(2, 2, 2, 5, 5, 5, 7, 7), 3), rep(c(1, 0, 1, 0, 1, 1, 0, 1), 3),
    rep(c(0.5, 0.5, 1.5, 1.5, 0.5, 2.5, 2.5, 1.5), 3))

# 4. Deaths (and a censoring) at time 0.
add(c(0, 0, 0, 1, 2, 2, 3, 0.5, 4, 4),
    c(1, 1, 0, 1, 0, 1, 1, 1, 0, 1),
    c(3, 1, 2, 2, 2, 0, 1, 3, 1, 1))

# 5. All censored but one (the event is early, so it has comparable pairs).
add(c(5, 1, 3, 4, 6, 2, 8, 7), c(0, 0, 0, 0, 0, 1, 0, 0),
    c(0.3, 0.1, 0.9, 0.3, 0.2, 0.5, 0.7, 0.5))

# 6. Continuous, no ties at all.
n <- 100
add(rexp(n, 0.1), rbinom(n, 1, 0.7), rnorm(n))

# 7. Negative and mixed-sign risk scores, one large tie block in risk.
n <- 40
add(round(runif(n, 0, 10), 1), rbinom(n, 1, 0.5),
    c(rep(-1.25, 15), round(rnorm(n - 15), 1)))

# 8. Larger, heavy ties everywhere.
n <- 500
add(sample(0:30, n, TRUE), rbinom(n, 1, 0.4), round(rnorm(n), 1))

# 9. Real survival times: TCGA-PAAD (130 patients, 69 deaths, months) with a
#    seeded random risk rounded to one decimal to create risk ties.
surv <- read.delim(gzfile("data/tcga_paad/survival.tsv.gz"), stringsAsFactors = FALSE)
stopifnot(nrow(surv) == 130, sum(surv$event) == 69)
set.seed(42)
add(surv$time, surv$event, round(rnorm(nrow(surv)), 1))

f17 <- function(x) sprintf("%.17g", x)
data_rows <- list()
exp_rows <- list()
for (k in seq_along(cases)) {
  cs <- cases[[k]]
  fit <- concordance(Surv(cs$time, cs$event) ~ cs$risk, reverse = TRUE)
  cnt <- fit$count
  data_rows[[k]] <- data.frame(case = k, time = f17(cs$time), event = cs$event,
                               risk = f17(cs$risk))
  exp_rows[[k]] <- data.frame(case = k, n = length(cs$time),
                              concordance = f17(fit$concordance),
                              concordant = f17(cnt[["concordant"]]),
                              discordant = f17(cnt[["discordant"]]),
                              tied_risk = f17(cnt[["tied.x"]]))
}
write.table(do.call(rbind, data_rows), file.path(out_dir, "cindex_data.tsv"),
            sep = "\t", quote = FALSE, row.names = FALSE)
write.table(do.call(rbind, exp_rows), file.path(out_dir, "cindex_expected.tsv"),
            sep = "\t", quote = FALSE, row.names = FALSE)
cat(sprintf("R %s, survival %s: wrote %d cases\n", getRversion(),
            packageVersion("survival"), length(cases)))
