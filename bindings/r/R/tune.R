## desurv_tune(): cross-validated model selection (desurv_tune in the C
## library), and the "desurv_tune" result class.

.rules <- c("1se" = 1, "max" = 0, "lcb" = 2, "1se-recon" = 3, "1se-parsimony" = 4)
.param_names <- c("k", "alpha", "lambda", "nu", "lambda_w", "lambda_h", "ntop")

.bounds_arg <- function(bounds) {
    if (is.null(bounds)) return(NULL)
    if (!is.list(bounds) || is.null(names(bounds)) || any(names(bounds) == ""))
        .input_error("bounds must be a named list, e.g. list(k = c(2, 6), alpha = c(0.1, 0.9))",
                     code = -11L)
    out <- lapply(names(bounds), function(nm) {
        v <- bounds[[nm]]
        if (length(v) == 1L && is.na(v)) return(c(NaN, NaN))   # not searched
        if (!is.numeric(v) || !(length(v) %in% 1:2))
            .input_error(sprintf("bounds$%s must be c(lo, hi), a single value or NA", nm),
                         code = -11L)
        as.double(rep_len(v, 2L))
    })
    names(out) <- names(bounds)
    out
}

.grid_arg <- function(grid) {
    if (is.null(grid)) return(NULL)
    if (!is.list(grid) || is.null(names(grid)) || any(names(grid) == ""))
        .input_error("grid must be a named list of values, e.g. list(k = 2:5)", code = -11L)
    out <- lapply(grid, function(v) {
        if (!is.numeric(v)) .input_error("grid values must be numeric", code = -11L)
        as.double(v)
    })
    names(out) <- names(grid)
    out
}

desurv_tune <- function(X, time, event = NULL, bounds = NULL, nfolds = 5, starts = 30,
                        init_points = 0, iterations = 20,
                        rule = c("1se", "max", "lcb", "1se-recon", "1se-parsimony"),
                        method = c("bo", "grid"), grid = NULL,
                        start_mode = c("average", "best"), alpha_scale = c("logodds", "linear"),
                        xi = 0, lcb_z = 1.645, pool = 0, batch = 10, seed = 1, threads = 1,
                        foldid = NULL, strata = NULL, progress = FALSE, ...) {
    call <- match.call()
    X <- .as_x(X)
    n <- ncol(X)
    se <- .surv_parts(time, event, n)
    rule <- .match_choice(rule, "rule", names(.rules))
    method <- .match_choice(method, "method", c("bo", "grid"))
    start_mode <- .match_choice(start_mode, "start_mode", c("average", "best"))
    alpha_scale <- .match_choice(alpha_scale, "alpha_scale", c("logodds", "linear"))
    if (is.null(seed)) seed <- floor(stats::runif(1L, 0, 2^31 - 1))
    ## the model supplies every option that is not searched; k = 2 as the
    ## Python binding's default estimator
    mopts <- list(...)
    if (length(mopts) && (is.null(names(mopts)) || any(names(mopts) == "")))
        .input_error("model options in ... must be named (e.g. maxit = 200)", code = -10L)
    if (any(c("seed", "threads") %in% names(mopts)))
        .input_error("give seed and threads as desurv_tune's own arguments", code = -10L)
    if (is.null(mopts$k)) mopts$k <- 2
    mopts$seed <- seed
    mopts$threads <- threads
    topts <- c(folds = nfolds, starts = starts,
               start_mode = if (start_mode == "average") 0 else 1,
               method = if (method == "bo") 0 else 1, init_points = init_points,
               iterations = iterations, rule = .rules[[rule]], xi = xi, lcb_z = lcb_z,
               pool = pool, alpha_scale = if (alpha_scale == "logodds") 0 else 1,
               seed = seed, threads = threads, batch = batch, refit = 1)
    if (!is.numeric(topts))
        .input_error("tuner settings must be numbers", code = -11L)
    topts <- vapply(topts, as.double, 0)
    if (!is.null(foldid)) {
        if (!is.numeric(foldid) || length(foldid) != n || any(foldid != round(foldid)))
            .input_error(sprintf("foldid must hold %d integers 1 .. nfolds (one per sample)", n))
        foldid <- as.integer(foldid) - 1L     # the library's folds are 0-based
    }
    if (!is.null(strata)) {
        if (length(strata) != n)
            .input_error(sprintf("strata must have one label per sample (%d)", n))
        strata <- as.integer(factor(strata)) - 1L
    }
    r <- .Call(C_tune, X, se$time, se$event, .model_options(mopts), topts,
               .bounds_arg(bounds), .grid_arg(grid), foldid, strata,
               .progress_fun(progress), environment())
    ntop <- r$choice[["ntop"]]
    .annotate(r$model, rownames(X), colnames(X), if (is.finite(ntop)) ntop else 0)
    model <- .desurv_from_handle(r$model, call)
    history <- .history_frame(r$history)
    choice <- as.list(r$choice)
    for (nm in c("k", "ntop")) if (is.finite(choice[[nm]])) choice[[nm]] <- as.integer(choice[[nm]])
    surface <- if (is.null(r$surface)) NULL else as.data.frame(r$surface)
    w <- strsplit(r$warnings, "\n", fixed = TRUE)[[1L]]
    structure(list(history = history, choice = choice, best_index = as.integer(r$index),
                   best_score = history$mean[r$index], model = model, surface = surface,
                   foldid = r$folds, iters = r$history$iters,
                   warnings = w[nzchar(trimws(w))], call = call),
              class = "desurv_tune")
}

## The history as a data frame: one row per evaluation, in evaluation order.
.history_frame <- function(h) {
    p <- h$params
    df <- as.data.frame(p)
    names(df) <- .param_names
    for (nm in c("k", "ntop")) if (all(is.finite(df[[nm]]))) df[[nm]] <- as.integer(df[[nm]])
    df$mean <- h$mean
    df$se <- h$se
    df$pooled <- h$pooled
    for (j in seq_len(ncol(h$fold_c))) df[[paste0("fold_", j)]] <- h$fold_c[, j]
    df$recon <- h$recon
    df$recon_se <- h$recon_se
    ## fold fits behind each row, and how many met tol (negative = stopped
    ## at maxit, NaN = failed; see desurv_tuner_history_iters)
    df$fits <- vapply(h$iters, length, 0L)
    df$converged <- vapply(h$iters, function(v) sum(is.finite(v) & v >= 0), 0L)
    df
}

print.desurv_tune <- function(x, ...) {
    h <- x$history
    cat(sprintf("DeSurv tuning: %d evaluations, %d folds\n", nrow(h), length(unique(x$foldid))))
    ch <- x$choice
    cat("Choice:", paste(sprintf("%s = %s", names(ch), vapply(ch, format, "")), collapse = ", "),
        "\n")
    cat(sprintf("Cross-validated C-index at the choice: %.4f (se %.4f), history row %d\n",
                x$best_score, h$se[x$best_index], x$best_index))
    if (length(x$warnings)) cat("Warnings:", paste(x$warnings, collapse = "; "), "\n")
    cat("\nRefitted model:\n")
    print(x$model)
    invisible(x)
}

predict.desurv_tune <- function(object, newdata, type = c("lp", "risk"), ntop = NULL, ...)
    predict(object$model, newdata, type = type, ntop = ntop, ...)

coef.desurv_tune <- function(object, ...) coef(object$model)
W.desurv_tune <- function(object, ...) object$model$W
H.desurv_tune <- function(object, ...) object$model$H

plot.desurv_tune <- function(x, ...) {
    h <- x$history
    ok <- is.finite(h$mean)
    plot(h$k[ok], h$mean[ok], xlab = "k", ylab = "cross-validated C-index",
         ylim = range(c(h$mean[ok] - h$se[ok], h$mean[ok] + h$se[ok]), na.rm = TRUE), ...)
    bar <- ok & is.finite(h$se) & h$se > 0   # zero-length bars cannot be drawn
    if (any(bar))
        arrows(h$k[bar], h$mean[bar] - h$se[bar], h$k[bar], h$mean[bar] + h$se[bar],
               angle = 90, code = 3, length = 0.03, col = "grey50")
    points(h$k[x$best_index], h$mean[x$best_index], pch = 19, col = "red")
    title(main = "DeSurv tuning history (red: the choice)")
    invisible(x)
}
