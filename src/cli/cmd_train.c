/* cmd_train.c — `medtone train`: learn a lexicon layer from labeled `id<TAB>label<TAB>text` files
 * (docs/train.md). The files are read once when the rows fit the trainer's memory budget, and
 * again once per pass when they do not (the library asks for it), so a million rows train in
 * bounded memory. Progress goes to stderr, a summary to stdout, the layer to --out. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum label_kind { KIND_AUTO, KIND_SCORE, KIND_3CLASS, KIND_RATING, KIND_FLAG };
static const char *kind_names[] = {"auto", "score", "3-class", "rating", "yes/no"};

typedef struct train_opts {
    size_t target;
    const char *out;
    int quiet, json;
    enum label_kind kind;
    size_t rows_per_file[256];
} train_opts;

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: medtone train --target TARGET --out LAYER.tsv [options] FILE.tsv...\n"
        "Learns a lexicon layer from labeled files with a header and the columns id, label,\n"
        "text (plain or .gz), cross-validating as it trains. TARGET is 'sentiment' (labels:\n"
        "negative/neutral/positive, 1..10 ratings or -4..4 scores) or a flag such as\n"
        "'misinfo' (labels: misinfo/reliable, yes/no, true/false, 1/0). The layer corrects\n"
        "the built-in model: load a flag layer with --cues, a sentiment layer with --lexicon.\n\n"
        "options:\n"
        "  -t, --target TARGET       sentiment or a flag name (required)\n"
        "  -o, --out FILE            where to write the layer (required)\n"
        "      --folds N             cross-validation folds, 0 or 2..20 (default 5)\n"
        "      --seed N              seed of the folds and the row order (default 1)\n"
        "      --l2 X                L2 penalty (default 0.0001; sentiment 0.00001)\n"
        "      --l1 X                L1 penalty, for a shorter layer (default 0)\n"
        "      --min-count N         rows a term must occur in (default 3)\n"
        "      --top-k N             keep the N terms of largest weight, 0 for all\n"
        "                            (default: all; sentiment 2000)\n"
        "      --epochs N            passes of gradient descent (default 10)\n"
        "      --learning-rate X     AdaGrad base rate (default 0.1)\n"
        "      --max-terms N         vocabulary cap (default 1048576)\n"
        "      --memory MB           rows kept in memory before the files are re-read once\n"
        "                            per pass (default 512)\n"
        "      --kind K              sentiment labels: score | 3-class | rating\n"
        "      --no-calibrate        flags: keep the learned part uncalibrated\n"
        "      --json                the summary as one JSON object\n"
        "  -q, --quiet               no progress on stderr\n");
    fputs(cli_lexicon_help, out);
    fprintf(out, "  -h, --help                show this help\n\n"
                 "SOURCE_DATE_EPOCH, when set, fixes the date written in the layer's header.\n");
}

static void on_progress(const char *message, void *user)
{
    (void)user;
    fprintf(stderr, "medtone train: %s\n", message);
}

/* A label for the target: 0/1 for a flag; the compound the text deserves for sentiment. */
static int parse_label(const char *s, int flag, enum label_kind *kind, double *value)
{
    if (flag) {
        static const char *yes[] = {"misinfo", "yes", "true", "1"};
        static const char *no[] = {"reliable", "no", "false", "0"};
        for (int k = 0; k < 4; k++) {
            if (!strcmp(s, yes[k])) return *value = 1, 0;
            if (!strcmp(s, no[k])) return *value = 0, 0;
        }
        return -1;
    }
    static const char *classes[] = {"negative", "neutral", "positive"};
    for (int c = 0; c < 3; c++)
        if (!strcmp(s, classes[c])) {
            if (*kind == KIND_AUTO) *kind = KIND_3CLASS;
            if (*kind != KIND_3CLASS) return -1;
            *value = c - 1;
            return 0;
        }
    double v;
    if (cli_parse_double(s, &v) != 0) return -1;
    if (*kind == KIND_AUTO) *kind = strchr(s, '.') ? KIND_SCORE : KIND_RATING;
    if (*kind == KIND_RATING) {
        if (v < 1 || v > 10) return -1;
        *value = (v - 5.5) / 4.5; /* 1..10 onto -1..1 */
        return 0;
    }
    if (*kind != KIND_SCORE || v < -4 || v > 4) return -1;
    *value = v / 4; /* a -4..4 mean rating onto -1..1 */
    return 0;
}

/* One pass over every file: each row to the trainer. Returns 0, or -1 after an error message. */
static int read_pass(medtone_trainer *tr, char **files, int nfiles, train_opts *o, unsigned pass)
{
    int flag = o->target != MEDTONE_TRAIN_SENTIMENT;
    for (int f = 0; f < nfiles; f++) {
        const char *path = files[f];
        cli_reader *in = cli_reader_open(path);
        if (!in) {
            cli_error("train", "%s: %s", path, strerror(errno ? errno : ENOENT));
            return -1;
        }
        const char *line;
        long n;
        int label_col = -1, text_col = -1, status = 0;
        size_t rows = 0;
        while (status == 0 && (n = cli_reader_line(in, &line)) >= 0) {
            size_t len = (size_t)n;
            if (label_col < 0) { /* the header names the columns */
                label_col = cli_tsv_find_column(line, len, "label");
                text_col = cli_tsv_find_column(line, len, "text");
                if (label_col < 0 || text_col < 0) {
                    cli_error("train", "%s:%zu: the header must name the columns label and text",
                              path, in->lineno);
                    status = -1;
                }
                continue;
            }
            if (len == 0) continue;
            const char *label, *text;
            size_t labell, textl;
            if (cli_tsv_column(line, len, label_col, &label, &labell) ||
                cli_tsv_column(line, len, text_col, &text, &textl)) {
                cli_error("train", "%s:%zu: expected the columns id, label and text", path,
                          in->lineno);
                status = -1;
                break;
            }
            char lab[64];
            if (labell >= sizeof lab) labell = sizeof lab - 1;
            memcpy(lab, label, labell);
            lab[labell] = '\0';
            double value;
            if (!labell) {
                cli_error("train", "%s:%zu: missing label", path, in->lineno);
                status = -1;
            } else if (parse_label(lab, flag, &o->kind, &value) != 0) {
                cli_error("train", "%s:%zu: label '%s' is not a %s label", path, in->lineno, lab,
                          flag ? "yes/no" : kind_names[o->kind]);
                status = -1;
            } else {
                if (pass == 0 && medtone_trainer_row_count(tr) == 0 && !flag)
                    /* the classes of macro-F1: 1-4 / 5-6 / 7-10 stars, the three names, or the
                     * sign of a score */
                    medtone_trainer_set_option(tr, MEDTONE_TRAIN_CLASS_BAND,
                                               o->kind == KIND_RATING   ? 0.2
                                               : o->kind == KIND_3CLASS ? 0.5
                                                                        : 0);
                medtone_status st = medtone_trainer_add(tr, text, textl, value);
                if (st != MEDTONE_OK) {
                    cli_error("train", "%s:%zu: %s", path, in->lineno,
                              *medtone_trainer_last_error(tr) ? medtone_trainer_last_error(tr)
                                                              : medtone_status_str(st));
                    status = -1;
                }
                rows++;
            }
        }
        if (status == 0 && (n == -2 || n == -3)) {
            cli_error("train", "%s: %s", path,
                      n == -2 ? "out of memory" : "corrupt or truncated input");
            status = -1;
        }
        if (status == 0 && label_col < 0) {
            cli_error("train", "%s: empty file (no header)", path);
            status = -1;
        }
        cli_reader_close(in);
        if (status != 0) return -1;
        if (pass == 0 && f < 256) o->rows_per_file[f] = rows;
    }
    return 0;
}

/* The notes of the layer's header: the command's data files and labels. */
static char *make_notes(char **files, int nfiles, const train_opts *o)
{
    size_t cap = 256;
    for (int f = 0; f < nfiles; f++)
        cap += strlen(files[f]) + 48;
    char *s = malloc(cap);
    if (!s) return NULL;
    size_t n = (size_t)snprintf(s, cap, "data:");
    for (int f = 0; f < nfiles; f++)
        n += (size_t)snprintf(s + n, cap - n, "%s %s (%zu rows)", f ? "," : "", files[f],
                              f < 256 ? o->rows_per_file[f] : 0);
    if (o->target == MEDTONE_TRAIN_SENTIMENT)
        snprintf(s + n, cap - n, "\nlabels: %s%s", kind_names[o->kind],
                 o->kind == KIND_RATING  ? " (1..10 mapped to -1..1)"
                 : o->kind == KIND_SCORE ? " (-4..4 divided by 4)"
                                         : " (-1, 0, 1)");
    return s;
}

static void print_summary(medtone_trainer *tr, const train_opts *o)
{
    int flag = o->target != MEDTONE_TRAIN_SENTIMENT;
    static const medtone_train_metric fm[] = {MEDTONE_METRIC_F1, MEDTONE_METRIC_PRECISION,
                                              MEDTONE_METRIC_RECALL, MEDTONE_METRIC_AUC};
    static const medtone_train_metric sm[] = {MEDTONE_METRIC_SPEARMAN, MEDTONE_METRIC_PEARSON,
                                              MEDTONE_METRIC_MACRO_F1};
    const medtone_train_metric *which = flag ? fm : sm;
    int nm = flag ? 4 : 3;
    size_t folds = medtone_trainer_fold_count(tr), terms = medtone_trainer_term_count(tr);
    const char *target = flag ? medtone_flag_name(o->target) : "sentiment";
    if (o->json) {
        printf("{\"target\":\"%s\",\"out\":", target);
        json_write_string(stdout, o->out, strlen(o->out));
        printf(",\"rows\":%zu,\"terms\":%zu,\"folds\":%zu", medtone_trainer_row_count(tr), terms,
               folds);
        for (int pass = 0; pass < 2 && folds; pass++) {
            printf(",\"%s\":{", pass ? "hand_written" : "cross_validated");
            for (int k = 0; k < nm; k++) {
                double v = pass ? medtone_trainer_baseline_metric(tr, which[k], MEDTONE_TRAIN_MEAN)
                                : medtone_trainer_metric(tr, which[k], MEDTONE_TRAIN_MEAN);
                printf("%s\"%s\":%.4f", k ? "," : "", medtone_train_metric_name(which[k]), v);
            }
            printf("}");
        }
        printf("}\n");
        return;
    }
    printf("%s: a %s layer of %zu terms from %zu rows\n", o->out, target, terms,
           medtone_trainer_row_count(tr));
    if (folds) {
        printf("  %-24s", "cross-validated");
        for (int k = 0; k < nm; k++)
            printf(" %9s", medtone_train_metric_name(which[k]));
        printf("\n  %-24s", "hand-written");
        for (int k = 0; k < nm; k++)
            printf(" %9.3f", medtone_trainer_baseline_metric(tr, which[k], MEDTONE_TRAIN_MEAN));
        printf("\n  %-24s", "with the learned layer");
        for (int k = 0; k < nm; k++)
            printf(" %9.3f", medtone_trainer_metric(tr, which[k], MEDTONE_TRAIN_MEAN));
        printf("\n");
    }
    size_t show = terms < 10 ? terms : 10;
    for (int end = 0; end < 2 && show; end++) {
        printf("  %s:", end ? "lowest" : "highest");
        for (size_t k = 0; k < show; k++) {
            size_t i = end ? terms - 1 - k : k;
            printf("%s %s (%.2f)", k ? "," : "", medtone_trainer_term(tr, i),
                   medtone_trainer_term_weight(tr, i));
        }
        printf("\n");
    }
}

/* Reads the options into o and the trainer settings into set[]. */
typedef struct setting {
    medtone_train_option option;
    double value;
} setting;

int cmd_train(int argc, char **argv)
{
    train_opts o = {.target = (size_t)-2};
    cli_lexicons lx = {.embedded = 1};
    setting set[32];
    size_t nset = 0;
    int i = 1;
    static const struct {
        const char *name;
        medtone_train_option option;
    } numeric[] = {
        {"--folds", MEDTONE_TRAIN_FOLDS},
        {"--seed", MEDTONE_TRAIN_SEED},
        {"--l2", MEDTONE_TRAIN_L2},
        {"--l1", MEDTONE_TRAIN_L1},
        {"--min-count", MEDTONE_TRAIN_MIN_COUNT},
        {"--top-k", MEDTONE_TRAIN_TOP_K},
        {"--epochs", MEDTONE_TRAIN_EPOCHS},
        {"--learning-rate", MEDTONE_TRAIN_LEARNING_RATE},
        {"--max-terms", MEDTONE_TRAIN_MAX_TERMS},
        {"--memory", MEDTONE_TRAIN_MEMORY_MB},
    };
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            i++;
            break;
        }
        int lo = cli_lexicon_option("train", argc, argv, &i, &lx);
        if (lo < 0) return CLI_USAGE;
        if (lo) continue;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return CLI_OK;
        }
        if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            o.quiet = 1;
            continue;
        }
        if (!strcmp(a, "--json")) {
            o.json = 1;
            continue;
        }
        if (!strcmp(a, "--no-calibrate")) {
            set[nset++] = (setting){MEDTONE_TRAIN_CALIBRATE, 0};
            continue;
        }
        if (i + 1 >= argc) {
            cli_error("train", "unknown option '%s' or missing value (see 'medtone train --help')",
                      a);
            return CLI_USAGE;
        }
        const char *v = argv[++i];
        size_t k = 0;
        while (k < sizeof numeric / sizeof numeric[0] && strcmp(a, numeric[k].name))
            k++;
        if (k < sizeof numeric / sizeof numeric[0]) {
            double x;
            if (cli_parse_double(v, &x) != 0 || nset == sizeof set / sizeof set[0]) {
                cli_error("train", "%s takes a number, not '%s'", a, v);
                return CLI_USAGE;
            }
            set[nset++] = (setting){numeric[k].option, x};
        } else if (!strcmp(a, "--target") || !strcmp(a, "-t")) {
            if (!strcmp(v, "sentiment"))
                o.target = MEDTONE_TRAIN_SENTIMENT;
            else if (medtone_flag_find(v, &o.target) != MEDTONE_OK) {
                cli_error("train", "unknown target '%s': sentiment or a flag name", v);
                return CLI_USAGE;
            }
        } else if (!strcmp(a, "--out") || !strcmp(a, "-o")) {
            o.out = v;
        } else if (!strcmp(a, "--kind")) {
            o.kind = !strcmp(v, "score")     ? KIND_SCORE
                     : !strcmp(v, "3-class") ? KIND_3CLASS
                     : !strcmp(v, "rating")  ? KIND_RATING
                                             : KIND_AUTO;
            if (o.kind == KIND_AUTO) {
                cli_error("train", "--kind takes score, 3-class or rating, not '%s'", v);
                return CLI_USAGE;
            }
        } else {
            cli_error("train", "unknown option '%s' (see 'medtone train --help')", a);
            return CLI_USAGE;
        }
    }
    if (o.target == (size_t)-2 || !o.out) {
        cli_error("train", "%s is required (see 'medtone train --help')",
                  o.out ? "--target" : "--out");
        return CLI_USAGE;
    }
    if (i >= argc) {
        cli_error("train", "no input file (see 'medtone train --help')");
        return CLI_USAGE;
    }
    if (o.kind != KIND_AUTO && o.target != MEDTONE_TRAIN_SENTIMENT) {
        cli_error("train", "--kind is for the sentiment target");
        return CLI_USAGE;
    }
    medtone_analyzer *an = cli_make_analyzer("train", &lx);
    if (!an) return CLI_FAIL;
    medtone_trainer *tr = NULL;
    medtone_status st = medtone_trainer_new(an, o.target, &tr);
    if (st != MEDTONE_OK) {
        cli_error("train", "cannot make a trainer: %s%s", medtone_status_str(st),
                  lx.no_flags ? " (a flag target needs the flags: drop --no-flags)" : "");
        medtone_analyzer_free(an);
        return st == MEDTONE_ERR_INVALID_ARG ? CLI_USAGE : CLI_FAIL;
    }
    for (size_t k = 0; k < nset; k++)
        if (medtone_trainer_set_option(tr, set[k].option, set[k].value) != MEDTONE_OK) {
            cli_error("train", "a setting is out of its range (see 'medtone train --help')");
            medtone_trainer_free(tr);
            medtone_analyzer_free(an);
            return CLI_USAGE;
        }
    const char *epoch = getenv("SOURCE_DATE_EPOCH");
    double date;
    if (epoch && cli_parse_double(epoch, &date) == 0 && date >= 0)
        medtone_trainer_set_option(tr, MEDTONE_TRAIN_DATE, floor(date));
    if (!o.quiet) medtone_trainer_set_progress(tr, on_progress, NULL);

    /* Standard input cannot be read twice: with it, the rows must fit in memory. */
    int status = CLI_OK, again = 0, rereadable = 1;
    for (int f = i; f < argc; f++)
        rereadable &= strcmp(argv[f], "-") != 0;
    unsigned pass = 0;
    do {
        if (pass > 0 && !o.quiet)
            fprintf(stderr, "medtone train: reading the data again (pass %u)\n", pass + 1);
        if (read_pass(tr, argv + i, argc - i, &o, pass) != 0) {
            status = CLI_FAIL;
            break;
        }
        st = medtone_trainer_fit(tr, rereadable ? &again : NULL);
        if (st != MEDTONE_OK) {
            cli_error("train", "%s",
                      *medtone_trainer_last_error(tr) ? medtone_trainer_last_error(tr)
                                                      : medtone_status_str(st));
            status = CLI_FAIL;
        }
        pass++;
    } while (status == CLI_OK && again);
    if (status == CLI_OK) {
        char *notes = make_notes(argv + i, argc - i, &o);
        st = notes ? medtone_trainer_write_layer(tr, o.out, notes) : MEDTONE_ERR_NOMEM;
        free(notes);
        if (st != MEDTONE_OK) {
            cli_error("train", "%s",
                      st == MEDTONE_ERR_NOMEM ? "out of memory" : medtone_trainer_last_error(tr));
            status = CLI_FAIL;
        } else {
            print_summary(tr, &o);
        }
    }
    medtone_trainer_free(tr);
    medtone_analyzer_free(an);
    return status;
}
