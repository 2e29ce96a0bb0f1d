/* common.c — options every scoring sub-command shares: which lexicons build the analyzer, and
 * how a number is read from the command line or a file; the clock of progress lines. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

int cli_parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return end != s && !*end && !errno && isfinite(*out) ? 0 : -1;
}

int cli_lexicon_option(const char *cmd, int argc, char **argv, int *i, cli_lexicons *lx)
{
    const char *a = argv[*i];
    if (!strcmp(a, "--no-default-lexicons")) {
        lx->embedded = 0;
        return 1;
    }
    if (!strcmp(a, "--no-flags")) {
        lx->no_flags = 1;
        return 1;
    }
    if (!strcmp(a, "--cues")) {
        if (*i + 1 >= argc) {
            cli_error(cmd, "%s needs a file name", a);
            return -1;
        }
        if (lx->cue_count == sizeof lx->cue_paths / sizeof lx->cue_paths[0]) {
            cli_error(cmd, "too many --cues options");
            return -1;
        }
        lx->cue_paths[lx->cue_count++] = argv[++*i];
        return 1;
    }
    if (!strcmp(a, "--lexicon") || !strcmp(a, "-l")) {
        if (*i + 1 >= argc) {
            cli_error(cmd, "%s needs a file name", a);
            return -1;
        }
        if (lx->count == sizeof lx->paths / sizeof lx->paths[0]) {
            cli_error(cmd, "too many --lexicon options (at most %zu)",
                      sizeof lx->paths / sizeof lx->paths[0]);
            return -1;
        }
        lx->paths[lx->count++] = argv[++*i];
        return 1;
    }
    return 0;
}

medtone_analyzer *cli_make_analyzer(const char *cmd, const cli_lexicons *lx)
{
    medtone_options *opt = medtone_options_new();
    medtone_analyzer *an = NULL;
    if (!opt) {
        cli_error(cmd, "out of memory");
        return NULL;
    }
    medtone_options_set_int(opt, MEDTONE_OPT_EMBEDDED_LEXICONS, lx->embedded);
    medtone_options_set_int(opt, MEDTONE_OPT_FLAGS, !lx->no_flags);
    medtone_status st = medtone_analyzer_new(opt, &an);
    medtone_options_free(opt);
    if (st != MEDTONE_OK) {
        cli_error(cmd, "cannot build the analyzer: %s", medtone_status_str(st));
        return NULL;
    }
    for (size_t k = 0; k < lx->count; k++) {
        st = medtone_analyzer_load_lexicon(an, lx->paths[k]);
        if (st != MEDTONE_OK) {
            cli_error(cmd, "%s", medtone_analyzer_last_error(an));
            medtone_analyzer_free(an);
            return NULL;
        }
    }
    for (size_t k = 0; k < lx->cue_count; k++) {
        st = medtone_analyzer_load_cues(an, lx->cue_paths[k]);
        if (st != MEDTONE_OK) {
            cli_error(cmd, "%s", medtone_analyzer_last_error(an));
            medtone_analyzer_free(an);
            return NULL;
        }
    }
    return an;
}

const char *cli_lexicon_help =
    "  -l, --lexicon FILE        add a lexicon layer (TSV, plain or .gz) on top; repeatable\n"
    "      --no-default-lexicons start without the built-in lexicons\n"
    "      --cues FILE           add a layer of flag cues (same format); repeatable\n"
    "      --no-flags            score sentiment only (faster)\n";

double cli_seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}
