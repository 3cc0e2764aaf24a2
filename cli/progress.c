/* progress.c - the progress bar / periodic lines. */
#include "progress.h"

#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include <desurv/desurv.h>

#define BAR 24
#define PLAIN_EVERY 10.0 /* seconds between plain lines */
#define TTY_EVERY 0.1    /* seconds between redraws */

static const char *const stage_names[] = {"starts", "fit", "CV design", "BO search", "refit"};

void progress_start(progress *p, const cli_common *c, const char *label)
{
    p->enabled = !c->quiet;
    p->tty = isatty(STDERR_FILENO);
    p->open_line = 0;
    p->stage = -1;
    p->label = label;
    p->t0 = p->stage_t0 = p->last_cb = cli_now();
    p->last = -1e9;
}

/* "m:ss" or "h:mm:ss". */
static void fmt_time(char *buf, size_t cap, double s)
{
    if (!(s >= 0) || s > 360000) {
        snprintf(buf, cap, "?");
        return;
    }
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, cap, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, cap, "%ld:%02ld", t / 60, t % 60);
}

/* The best-so-far value: a loss for fits, a C-index for tuning. */
static void fmt_best(char *buf, size_t cap, int stage, double best)
{
    if (isnan(best))
        buf[0] = '\0';
    else if (stage <= DESURV_STAGE_FIT)
        snprintf(buf, cap, "  loss %.6g", best);
    else
        snprintf(buf, cap, "  best C %.3f", best);
}

static void draw(progress *p, int64_t step, int64_t total, double best, double now)
{
    char el[32], eta[32], bv[48], bar[BAR + 1];
    double frac = total > 0 ? (double)step / (double)total : 0;
    double rate = step > 0 ? (now - p->stage_t0) / (double)step : NAN;
    fmt_time(el, sizeof el, now - p->t0);
    fmt_time(eta, sizeof eta, rate * (double)(total - step));
    fmt_best(bv, sizeof bv, p->stage, best);
    const char *name = p->stage >= 0 && p->stage < 5 ? stage_names[p->stage] : "work";
    if (p->tty) {
        int fill = (int)(frac * BAR);
        for (int i = 0; i < BAR; i++)
            bar[i] = i < fill ? '#' : '-';
        bar[BAR] = '\0';
        fprintf(stderr, "\r\033[K%s %s [%s] %lld/%lld%s  %s elapsed, ETA %s", p->label, name, bar,
                (long long)step, (long long)total, bv, el, step > 0 ? eta : "?");
        p->open_line = 1;
    } else {
        fprintf(stderr, "desurv: %s: %s %lld/%lld%s, elapsed %s, ETA %s\n", p->label, name,
                (long long)step, (long long)total, bv, el, step > 0 ? eta : "?");
    }
    fflush(stderr);
    p->last = now;
}

int progress_cb(int stage, int64_t step, int64_t total, double best, void *user)
{
    progress *p = user;
    if (p->enabled) {
        double now = cli_now();
        int new_stage = stage != p->stage;
        if (new_stage) {
            if (p->tty && p->open_line)
                fputc('\n', stderr); /* keep the finished stage's line */
            p->stage = stage;
            /* The first report of a stage comes after its first unit of
             * work: the stage began at the previous report. */
            p->stage_t0 = p->last_cb;
        }
        double every = p->tty ? TTY_EVERY : PLAIN_EVERY;
        /* The multi-start phase reports every iteration of every start:
         * plain logs show it only by time, never per start. */
        int ends = step == total && !(stage == DESURV_STAGE_STARTS && !p->tty);
        if (new_stage || ends || now - p->last >= every)
            draw(p, step, total, best, now);
        p->last_cb = now;
    }
    return cli_interrupted ? 1 : 0;
}

void progress_finish(progress *p)
{
    if (p->enabled && p->tty && p->open_line)
        fputc('\n', stderr);
    p->open_line = 0;
}
