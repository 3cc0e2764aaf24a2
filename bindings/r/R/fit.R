## desurv_fit() and the "desurv" model class.

desurv_version <- function() .Call(C_version)

## ---------------------------------------------------------------------
## Input conversion.  The library reads X as a column-major genes x
## samples double matrix with leading dimension p, which is exactly the
## memory of an R double matrix with genes in rows: such an X is handed to
## C as is (no copy).  Everything else is converted once, here:
##   - integer or logical matrices: storage.mode<- "double" (a copy);
##   - data frames: as.matrix() (a copy), which must give numbers;
##   - time: integer -> double (a copy); double is passed as is;
##   - event: integer and logical vectors are passed as is (R's int is the
##     library's int32); a double vector is checked to hold only 0 and 1
##     and converted (a copy).
## ---------------------------------------------------------------------

.as_x <- function(X, what = "X") {
    if (is.data.frame(X)) X <- as.matrix(X)
    if (!is.matrix(X))
        .input_error(sprintf("%s must be a matrix (genes in rows, samples in columns), not %s",
                             what, class(X)[1L]))
    if (!is.double(X)) {
        if (!(is.integer(X) || is.logical(X)))
            .input_error(sprintf("%s must be numeric, not %s", what, typeof(X)))
        storage.mode(X) <- "double"
    }
    X
}

.as_time <- function(time, n = NULL) {
    if (!is.numeric(time) || !is.null(dim(time)))
        .input_error("time must be a numeric vector (or give a survival::Surv object)")
    if (!is.double(time)) time <- as.double(time)
    if (!is.null(n) && length(time) != n)
        .input_error(sprintf("time has length %d, X has %d samples (columns)", length(time), n))
    time
}

.as_event <- function(event, n = NULL) {
    if (is.logical(event) || is.integer(event)) {
        ## passed as is: the library checks 0/1 (NA is neither)
    } else if (is.double(event)) {
        bad <- which(!(event %in% c(0, 1)))
        if (length(bad))
            .input_error(sprintf("event[%d] = %s is not 0 or 1", bad[1L], format(event[bad[1L]])),
                         code = -7L)
        event <- as.integer(event)
    } else {
        .input_error("event must be 0/1 (numeric or logical)", code = -7L)
    }
    if (!is.null(dim(event))) event <- as.vector(event)
    if (!is.null(n) && length(event) != n)
        .input_error(sprintf("event has length %d, X has %d samples (columns)", length(event), n))
    event
}

## (time, event) from a Surv object or two vectors.
.surv_parts <- function(time, event, n) {
    if (inherits(time, "Surv")) {
        type <- attr(time, "type")
        if (!identical(type, "right"))
            .input_error(sprintf("only right-censored Surv objects are supported, not \"%s\"", type))
        st <- unclass(time)
        return(list(time = .as_time(as.double(st[, "time"]), n),
                    event = .as_event(as.double(st[, "status"]), n)))
    }
    if (is.null(event))
        .input_error("event is missing (give time and event, or a survival::Surv object)")
    list(time = .as_time(time, n), event = .as_event(event, n))
}

## ---------------------------------------------------------------------
## Options.  R argument names are the library's option names (desurv.h);
## the choices are the strings the command line accepts.
## ---------------------------------------------------------------------

.choices <- list(
    ties = c(breslow = 0, efron = 1),
    init = c(random = 0, nndsvd = 1),
    init_select = c(loss = 0, cindex = 1),
    offset = c(none = 0, gene = 1),
    hstep = c(exact = 0, hals = 1, mu = 2),
    wstep = c(hals = 0, mu = 1))

.option_defaults <- list(
    alpha = 0.5, lambda = 0.1, nu = 0.5, lambda_w = 0, lambda_h = 0, tol = 1e-6,
    maxit = 1000, ninit = 20, imaxit = 30, tol_init = 1e-4, ties = "breslow",
    init = "random", init_select = "loss", offset = "gene", hstep = "exact",
    wstep = "hals", seed = 1, threads = 1)

## match.arg() for the choice options, raising desurv_option_error.
.match_choice <- function(value, name, choices = names(.choices[[name]])) {
    ## the formal default c("a", "b", ...) means its first element, as match.arg()
    if (is.character(value) && length(value) > 1L && all(value %in% choices)) return(value[1L])
    if (!is.character(value) || length(value) != 1L || !(value %in% choices))
        .input_error(sprintf("%s = %s: expected one of %s", name, deparse(value),
                             paste(dQuote(choices, FALSE), collapse = ", ")), code = -11L)
    value
}

.encode_option <- function(name, value) {
    if (name == "seed" && is.null(value)) value <- floor(stats::runif(1L, 0, 2^31 - 1))
    if (length(value) != 1L)
        .input_error(sprintf("%s must be a single value", name), code = -11L)
    if (!is.null(.choices[[name]])) {
        tab <- .choices[[name]]
        if (!is.character(value) || !(value %in% names(tab)))
            .input_error(sprintf("%s = %s: expected one of %s", name, deparse(value),
                                 paste(dQuote(names(tab), FALSE), collapse = ", ")),
                         code = -11L)
        return(unname(tab[value]))
    }
    if (is.logical(value) && !is.na(value)) value <- as.double(value)
    if (!is.numeric(value))
        .input_error(sprintf("%s = %s is not a number", name, deparse(value)), code = -11L)
    as.double(value)
}

## Named double vector of model options for the C glue.
.model_options <- function(opts) {
    unknown <- setdiff(names(opts), c("k", names(.option_defaults)))
    if (length(unknown))
        .input_error(sprintf("unknown option %s; the options are k, %s", sQuote(unknown[1L], FALSE),
                             paste(names(.option_defaults), collapse = ", ")), code = -10L)
    vals <- vapply(names(opts), function(nm) .encode_option(nm, opts[[nm]]), 0)
    names(vals) <- names(opts)
    vals
}

.decode_options <- function(v) {
    out <- as.list(v)
    for (nm in names(.choices)) {
        if (!is.null(out[[nm]])) {
            tab <- .choices[[nm]]
            hit <- names(tab)[tab == out[[nm]]]
            out[[nm]] <- if (length(hit)) hit else out[[nm]]
        }
    }
    out
}

## ---------------------------------------------------------------------
## Progress
## ---------------------------------------------------------------------

desurv_text_progress <- function() {
    bar <- NULL
    stage <- ""
    total <- -1
    function(st, step, tot, best) {
        if (!identical(st, stage) || tot != total) {
            if (!is.null(bar)) close(bar)
            cat(sprintf("desurv: %s\n", st))
            bar <<- txtProgressBar(min = 0, max = max(tot, 1), style = 3)
            stage <<- st
            total <<- tot
        }
        setTxtProgressBar(bar, min(step, max(tot, 1)))
        if (step >= tot && !is.null(bar)) {
            close(bar)
            bar <<- NULL
            stage <<- ""
        }
        TRUE
    }
}

.progress_fun <- function(progress) {
    if (is.null(progress) || isFALSE(progress)) return(NULL)
    if (isTRUE(progress)) return(desurv_text_progress())
    if (is.function(progress)) return(progress)
    .input_error("progress must be TRUE, FALSE or a function(stage, step, total, best)",
                 code = -11L)
}

## ---------------------------------------------------------------------
## The model object
## ---------------------------------------------------------------------

## A "desurv" object from a fitted handle.  The object keeps the handle
## (an external pointer, freed by the garbage collector) and the model
## file's bytes, from which the handle is rebuilt after saveRDS()/readRDS()
## or in another session.
.desurv_from_handle <- function(ptr, call = NULL) {
    info <- .Call(C_model_read, ptr)
    k <- ncol(info$W)
    factors <- paste0("factor_", seq_len(k))
    W <- info$W
    dimnames(W) <- list(info$genes, factors)
    H <- info$H
    dimnames(H) <- list(factors, info$samples)
    beta <- stats::setNames(info$beta, factors)
    offset <- info$offset
    names(offset) <- info$genes
    stats <- info$stats
    obj <- list(W = W, H = H, beta = beta, offset = offset, trace = info$trace,
                stats = as.list(stats), options = .decode_options(info$options),
                genes = info$genes, samples = info$samples, ntop = info$ntop,
                dims = c(genes = nrow(W), samples = ncol(H), k = k),
                call = call, handle = ptr, bytes = .Call(C_serialize, ptr))
    class(obj) <- "desurv"
    obj
}

.handle <- function(object) {
    if (!inherits(object, "desurv"))
        .input_error("not a desurv model", code = -12L)
    .Call(C_ensure_handle, object$handle, object$bytes)
}

## After a successful fit: gene and sample names into the handle (so model
## files carry them), and the model's default ntop for predict.
.annotate <- function(ptr, genes, samples, ntop = 0) {
    .Call(C_set_names, ptr, 0L, if (is.null(genes)) NULL else as.character(genes))
    .Call(C_set_names, ptr, 1L, if (is.null(samples)) NULL else as.character(samples))
    .Call(C_set_meta, ptr, "predict.ntop", if (isTRUE(ntop > 0)) as.double(ntop) else NULL)
    invisible(ptr)
}

desurv_fit <- function(X, time, event = NULL, k, alpha = 0.5, lambda = 0.1, nu = 0.5,
                       lambda_w = 0, lambda_h = 0, tol = 1e-6, maxit = 1000, ninit = 20,
                       imaxit = 30, tol_init = 1e-4,
                       ties = c("breslow", "efron"), init = c("random", "nndsvd"),
                       init_select = c("loss", "cindex"), offset = c("gene", "none"),
                       hstep = c("exact", "hals", "mu"), wstep = c("hals", "mu"),
                       seed = 1, threads = 1, progress = FALSE) {
    call <- match.call()
    ## desurv_fit(X, Surv(t, e), 3): the third argument is k
    if (inherits(time, "Surv") && missing(k) && is.numeric(event) && length(event) == 1L) {
        k <- event
        event <- NULL
    }
    if (missing(k)) .input_error("k (the number of factors) is missing", code = -9L)
    X <- .as_x(X)
    se <- .surv_parts(time, event, ncol(X))
    opts <- list(k = k, alpha = alpha, lambda = lambda, nu = nu, lambda_w = lambda_w,
                 lambda_h = lambda_h, tol = tol, maxit = maxit, ninit = ninit,
                 imaxit = imaxit, tol_init = tol_init, ties = .match_choice(ties, "ties"),
                 init = .match_choice(init, "init"),
                 init_select = .match_choice(init_select, "init_select"),
                 offset = .match_choice(offset, "offset"), hstep = .match_choice(hstep, "hstep"),
                 wstep = .match_choice(wstep, "wstep"), seed = seed, threads = threads)
    ptr <- .Call(C_fit, X, se$time, se$event, .model_options(opts), .progress_fun(progress),
                 environment())
    .annotate(ptr, rownames(X), colnames(X))
    .desurv_from_handle(ptr, call)
}

## ---------------------------------------------------------------------
## Methods
## ---------------------------------------------------------------------

W <- function(object, ...) UseMethod("W")
H <- function(object, ...) UseMethod("H")
W.desurv <- function(object, ...) object$W
H.desurv <- function(object, ...) object$H
gene_offset <- function(object) {
    if (inherits(object, "desurv_tune")) object <- object$model
    object$offset
}

coef.desurv <- function(object, ...) object$beta

print.desurv <- function(x, ...) {
    d <- x$dims
    cat(sprintf("DeSurv model: %d genes x %d samples, k = %d\n", d[["genes"]], d[["samples"]],
                d[["k"]]))
    o <- x$options
    cat(sprintf("  alpha = %g, lambda = %g, nu = %g, offset = %s\n", o$alpha, o$lambda, o$nu,
                o$offset))
    s <- x$stats
    cat(sprintf("  loss %.6g after %d iterations (%s), training C-index %.4f\n", s$loss,
                as.integer(s$iterations), if (s$converged == 1) "converged" else "not converged",
                s$train_cindex))
    cat("  beta:", format(signif(x$beta, 4)), "\n")
    invisible(x)
}

summary.desurv <- function(object, ntop = 5, ...) {
    ntop <- min(ntop, object$dims[["genes"]])
    structure(list(dims = object$dims, options = object$options, stats = object$stats,
                   beta = object$beta, top = top_genes(object, ntop), call = object$call),
              class = "summary.desurv")
}

print.summary.desurv <- function(x, ...) {
    if (!is.null(x$call)) {
        cat("Call:\n")
        print(x$call)
    }
    d <- x$dims
    cat(sprintf("\nDeSurv model: %d genes x %d samples, k = %d\n", d[["genes"]], d[["samples"]],
                d[["k"]]))
    o <- x$options
    cat("Options:", paste(sprintf("%s = %s", names(o), vapply(o, format, "")), collapse = ", "),
        "\n")
    s <- x$stats
    cat(sprintf("Loss %.8g (reconstruction %.6g, Cox log-likelihood %.6g), %d iterations, %s\n",
                s$loss, s$nmf_loss, s$cox_loglik, as.integer(s$iterations),
                if (s$converged == 1) "converged" else "not converged"))
    cat(sprintf("Training C-index %.4f, %d events\n\n", s$train_cindex, as.integer(s$n_events)))
    cat("Cox coefficients (beta):\n")
    print(x$beta)
    cat("\nTop genes per factor:\n")
    top <- x$top
    lab <- if (all(is.na(top$name))) as.character(top$gene) else top$name
    tab <- matrix(lab, ncol = length(unique(top$factor)),
                  dimnames = list(NULL, paste0("factor_", unique(top$factor))))
    print(noquote(tab))
    invisible(x)
}

## newdata genes x samples, aligned by rownames when both the model and
## newdata have gene names.
.align <- function(object, newdata) {
    X <- .as_x(newdata, "newdata")
    genes <- object$genes
    rn <- rownames(X)
    if (is.null(genes) || is.null(rn) || identical(rn, genes)) return(X)
    missing <- setdiff(genes, rn)
    if (length(missing))
        .input_error(sprintf("newdata lacks gene %s of the model (%d of its %d genes missing)",
                             sQuote(missing[1L], FALSE), length(missing), length(genes)),
                     code = -13L)
    if (anyDuplicated(genes) || anyDuplicated(rn))
        .input_error(paste("the model's gene names or newdata's rownames are not unique, so",
                           "newdata cannot be aligned by name: pass the model's genes in order"),
                     code = -13L)
    X[match(genes, rn), , drop = FALSE]  # a copy, in the model's gene order
}

predict.desurv <- function(object, newdata, type = c("lp", "risk"), ntop = NULL, ...) {
    type <- match.arg(type)
    if (missing(newdata))
        .input_error(paste("newdata is required: the model does not keep its training data",
                           "(genes in rows, samples in columns)"))
    ptr <- .handle(object)
    X <- .align(object, newdata)
    if (is.null(ntop)) ntop <- object$ntop
    if (!is.numeric(ntop) || length(ntop) != 1L || ntop != round(ntop))
        .input_error("ntop must be a single integer", code = -2L)
    lp <- .Call(C_predict, ptr, X, as.double(ntop))
    names(lp) <- colnames(X)
    if (type == "risk") exp(lp) else lp
}

plot.desurv <- function(x, log = "", ...) {
    tr <- x$trace
    if (!length(tr)) stop("this model has no loss trace")
    plot(seq_along(tr) - 1L, tr, type = "l", xlab = "outer iteration", ylab = "loss L",
         log = log, ...)
    title(main = sprintf("DeSurv loss trace (k = %d)", x$dims[["k"]]))
    invisible(x)
}

top_genes <- function(object, ntop = 20) {
    if (inherits(object, "desurv_tune")) object <- object$model
    if (!is.numeric(ntop) || length(ntop) != 1L || ntop != round(ntop))
        .input_error("ntop must be a single integer", code = -2L)
    tg <- .Call(C_top_genes, .handle(object), as.double(ntop))
    k <- ncol(tg$index)
    idx <- as.vector(tg$index)
    data.frame(factor = rep(seq_len(k), each = ntop), rank = rep(seq_len(ntop), k),
               gene = idx,
               name = if (is.null(object$genes)) NA_character_ else object$genes[idx],
               score = as.vector(tg$score), stringsAsFactors = FALSE)
}

## ---------------------------------------------------------------------
## Model files (the command line's and Python's format)
## ---------------------------------------------------------------------

save_desurv <- function(model, file) {
    if (inherits(model, "desurv_tune")) model <- model$model
    .Call(C_save_file, .handle(model), path.expand(file))
    invisible(file)
}

read_desurv <- function(file) {
    ptr <- .Call(C_load_file, path.expand(file))
    if (!.Call(C_is_fitted, ptr))
        .desurv_stop(-12L, sprintf("%s holds an unfitted model", file))
    .desurv_from_handle(ptr)
}

## ---------------------------------------------------------------------
## C-index and simulation
## ---------------------------------------------------------------------

cindex <- function(time, event, risk) {
    if (inherits(time, "Surv") && missing(risk)) {
        risk <- event
        event <- NULL
    }
    if (!is.numeric(risk)) .input_error("risk must be numeric")
    se <- .surv_parts(time, event, length(risk))
    .Call(C_cindex, se$time, se$event, as.double(risk))
}

desurv_simulate <- function(scenario = c("R0", "null", "mixed"), seed = 1, genes = 3000,
                            samples = 200, k = 3, train_fraction = 0.7) {
    if (is.character(scenario)) {
        sc <- match(toupper(scenario[1L]), c("R0", "NULL", "MIXED"))
        if (is.na(sc))
            .input_error(sprintf("unknown scenario %s; expected R0, null or mixed",
                                 dQuote(scenario[1L], FALSE)), code = -10L)
        scenario <- c("R0", "null", "mixed")[sc]
        code <- sc - 1L
    } else {
        code <- as.integer(scenario)
    }
    s <- .Call(C_simulate, code, as.double(genes), as.double(samples), as.double(k),
               as.double(seed), as.double(train_fraction))
    gn <- sprintf("G%0*d", nchar(nrow(s$X)), seq_len(nrow(s$X)))
    sn <- sprintf("S%0*d", nchar(ncol(s$X)), seq_len(ncol(s$X)))
    factors <- paste0("factor_", seq_len(ncol(s$W)))
    dimnames(s$X) <- list(gn, sn)
    dimnames(s$W) <- list(gn, factors)
    dimnames(s$H) <- list(factors, sn)
    dimnames(s$surv_gene) <- list(gn, factors)
    names(s$time) <- names(s$event) <- names(s$lp) <- names(s$train) <- sn
    names(s$gene_class) <- gn
    s$scenario <- scenario
    s$seed <- seed
    s
}

## Called by the C progress bridge for every report of the library (see
## progress_cb in src/desurv_r.c): runs the user's function and reports
## what happened without ever letting an error or an interrupt unwind
## through the C library.
.call_progress <- function(fun, stage, step, total, best) {
    tryCatch({
        r <- fun(stage, step, total, best)
        if (isFALSE(r)) "cancel" else "go"
    }, error = function(e) c("error", conditionMessage(e)),
    interrupt = function(e) "interrupt")
}
