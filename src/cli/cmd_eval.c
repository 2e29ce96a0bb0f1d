/* cmd_eval.c — `medtone eval`: accuracy on labeled `id<TAB>label<TAB>text` files, with the
 * metrics the project compares itself by (see docs in the README):
 *   score labels (a human mean rating, sign = class): Pearson r and the support-weighted F1 of
 *     the three classes; 3-class labels (negative/neutral/positive): macro-F1;
 *   rating labels (1..10 stars): Spearman rho and macro-F1 after binning 1-4 / 5-6 / 7-10.
 * A prediction is positive when compound >= the positive threshold (0.05), negative when
 * <= the negative threshold (-0.05), else neutral. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "metrics.h"

enum label_kind { KIND_AUTO, KIND_SCORE, KIND_3CLASS, KIND_RATING, KIND_FLAG };

static const char *kind_names[] = {"auto", "score", "3-class", "rating", "flag"};

typedef struct rows {
    double *gold, *pred;
    int *cls;   /* gold class (3 classes, or 0/1 for a flag) */
    int *fired; /* flag labels: whether the flag fired */
    char **ids;
    size_t n, cap;
} rows;

typedef struct eval_opts {
    double pos, neg;
    long flag;        /* the flag evaluated for yes/no labels; -1: misinfo */
    double threshold; /* the flag's threshold; -1: its default */
    int json;
    enum label_kind kind;
    FILE *predictions;
} eval_opts;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: medtone eval [options] FILE.tsv...\n"
            "Measures accuracy on labeled files with a header and the columns id, label, text\n"
            "(plain or .gz). The label kind is detected from the labels unless --kind is given.\n\n"
            "options:\n"
            "      --kind K              score | 3-class | rating\n"
            "      --flag NAME           evaluate a flag on yes/no (1/0) labels; misinfo/reliable\n"
            "                            labels evaluate the misinfo flag without this option\n"
            "      --threshold X         the flag's threshold (default: the flag's own)\n"
            "      --pos-threshold X     compound >= X predicts positive (default 0.05)\n"
            "      --neg-threshold X     compound <= X predicts negative (default -0.05)\n"
            "      --predictions FILE    also write id, label and compound per row (TSV)\n"
            "      --json                one JSON object per file\n");
    fputs(cli_lexicon_help, out);
    fprintf(out, "  -h, --help                show this help\n");
}

static int class_of(double compound, const eval_opts *o)
{
    return compound >= o->pos ? 2 : compound <= o->neg ? 0 : 1;
}

static int push(rows *r, double gold, int cls, double pred, const char *id, size_t idlen)
{
    if (r->n == r->cap) {
        size_t ncap = r->cap ? r->cap * 2 : 1024;
        double *g = realloc(r->gold, ncap * sizeof *g);
        if (g) r->gold = g;
        double *p = realloc(r->pred, ncap * sizeof *p);
        if (p) r->pred = p;
        int *c = realloc(r->cls, ncap * sizeof *c);
        if (c) r->cls = c;
        char **ids = realloc(r->ids, ncap * sizeof *ids);
        if (ids) r->ids = ids;
        int *f = realloc(r->fired, ncap * sizeof *f);
        if (f) r->fired = f;
        if (!g || !p || !c || !ids || !f) return -1;
        r->cap = ncap;
    }
    r->gold[r->n] = gold;
    r->pred[r->n] = pred;
    r->cls[r->n] = cls;
    r->ids[r->n] = malloc(idlen + 1);
    if (!r->ids[r->n]) return -1;
    memcpy(r->ids[r->n], id, idlen);
    r->ids[r->n][idlen] = '\0';
    r->n++;
    return 0;
}

static void rows_free(rows *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->ids[i]);
    free(r->gold);
    free(r->pred);
    free(r->cls);
    free(r->fired);
    free(r->ids);
}

/* Parses a label; sets *kind on the first row when auto-detecting. Returns 0, or -1 when the
 * label does not fit the kind. */
static int parse_label(const char *s, enum label_kind *kind, double *value, int *cls)
{
    static const char *classes[] = {"negative", "neutral", "positive"};
    for (int c = 0; c < 3; c++)
        if (!strcmp(s, classes[c])) {
            if (*kind == KIND_AUTO) *kind = KIND_3CLASS;
            if (*kind != KIND_3CLASS) return -1;
            *cls = c;
            *value = c - 1;
            return 0;
        }
    static const char *yes[] = {"misinfo", "yes", "true"}, *no[] = {"reliable", "no", "false"};
    for (int k = 0; k < 3; k++)
        if (!strcmp(s, yes[k]) || !strcmp(s, no[k])) {
            if (*kind == KIND_AUTO) *kind = KIND_FLAG;
            if (*kind != KIND_FLAG) return -1;
            *cls = !strcmp(s, yes[k]);
            *value = *cls;
            return 0;
        }
    if (*kind == KIND_FLAG && (!strcmp(s, "1") || !strcmp(s, "0"))) {
        *cls = s[0] == '1';
        *value = *cls;
        return 0;
    }
    double v; /* a finite number: "nan" or "inf" is no score */
    if (cli_parse_double(s, &v) != 0) return -1;
    if (*kind == KIND_AUTO) *kind = strchr(s, '.') ? KIND_SCORE : KIND_RATING;
    if (*kind == KIND_RATING && (v < 1 || v > 10)) return -1;
    if (*kind != KIND_SCORE && *kind != KIND_RATING) return -1;
    *value = v;
    *cls = *kind == KIND_SCORE ? (v > 0 ? 2 : v < 0 ? 0 : 1) : (v <= 4 ? 0 : v <= 6 ? 1 : 2);
    return 0;
}

static int eval_file(const char *path, const medtone_analyzer *an, medtone_result *res,
                     const eval_opts *o, rows *r, enum label_kind *kind)
{
    cli_reader *in = cli_reader_open(path);
    if (!in) {
        cli_error("eval", "%s: %s", path, strerror(errno ? errno : ENOENT));
        return -1;
    }
    const char *line;
    long n;
    int id_col = 0, label_col = 1, text_col = 2, header = 1, status = 0;
    while ((n = cli_reader_line(in, &line)) >= 0) {
        size_t len = (size_t)n;
        if (header) { /* the header names the columns */
            header = 0;
            const char *names[] = {"id", "label", "text"};
            int *cols[] = {&id_col, &label_col, &text_col};
            for (int k = 0; k < 3; k++) {
                int c = cli_tsv_find_column(line, len, names[k]);
                if (c >= 0) *cols[k] = c;
            }
            continue;
        }
        if (len == 0) continue;
        const char *id, *label, *text;
        size_t idl, labell, textl;
        if (cli_tsv_column(line, len, id_col, &id, &idl) ||
            cli_tsv_column(line, len, label_col, &label, &labell) ||
            cli_tsv_column(line, len, text_col, &text, &textl)) {
            cli_error("eval", "%s:%zu: expected the columns id, label and text", path, in->lineno);
            status = -1;
            break;
        }
        char lab[64];
        double gold;
        int cls;
        if (labell >= sizeof lab) labell = sizeof lab - 1;
        memcpy(lab, label, labell);
        lab[labell] = '\0';
        if (parse_label(lab, kind, &gold, &cls) != 0) {
            cli_error("eval", "%s:%zu: label '%s' is not a %s label", path, in->lineno, lab,
                      kind_names[*kind]);
            status = -1;
            break;
        }
        medtone_status st = medtone_analyze(an, text, textl, res);
        if (st != MEDTONE_OK) {
            cli_error("eval", "%s:%zu: %s", path, in->lineno, medtone_status_str(st));
            status = -1;
            break;
        }
        double c = medtone_result_compound(res);
        size_t flag = o->flag >= 0 ? (size_t)o->flag : MEDTONE_FLAG_MISINFO;
        if (*kind == KIND_FLAG) c = medtone_result_flag_score(res, flag);
        if (push(r, gold, cls, c, id, idl) != 0) {
            cli_error("eval", "out of memory");
            status = -1;
            break;
        }
        r->fired[r->n - 1] =
            *kind == KIND_FLAG &&
            (o->threshold >= 0 ? c >= o->threshold : medtone_result_flag_fired(res, flag));
        if (o->predictions) fprintf(o->predictions, "%.*s\t%s\t%.4f\n", (int)idl, id, lab, c);
    }
    if (n == -2 || n == -3) {
        cli_error("eval", "%s: %s", path, n == -2 ? "out of memory" : "corrupt or truncated input");
        status = -1;
    }
    cli_reader_close(in);
    if (status == 0 && r->n == 0) {
        cli_error("eval", "%s: no labeled rows", path);
        status = -1;
    }
    return status;
}

/* Yes/no labels: precision, recall and F1 of the flag's decision, ROC-AUC of its score. */
static void report_flag(const char *path, const rows *r, const eval_opts *o)
{
    size_t tp = 0, fp = 0, fn = 0, tn = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (r->cls[i])
            r->fired[i] ? tp++ : fn++;
        else
            r->fired[i] ? fp++ : tn++;
    }
    double prec = tp + fp ? (double)tp / (double)(tp + fp) : 0;
    double rec = tp + fn ? (double)tp / (double)(tp + fn) : 0;
    double f1 = prec + rec > 0 ? 2 * prec * rec / (prec + rec) : 0;
    double auc = metric_roc_auc(r->pred, r->cls, r->n);
    const char *flag = medtone_flag_name(o->flag >= 0 ? (size_t)o->flag : MEDTONE_FLAG_MISINFO);
    if (o->json) {
        printf("{\"file\":");
        json_write_string(stdout, path, strlen(path));
        printf(",\"kind\":\"flag\",\"flag\":\"%s\",\"rows\":%zu,\"precision\":%.4f,"
               "\"recall\":%.4f,\"f1\":%.4f,\"roc_auc\":%.4f,\"confusion\":{\"tp\":%zu,"
               "\"fp\":%zu,\"fn\":%zu,\"tn\":%zu}}\n",
               flag, r->n, prec, rec, f1, auc, tp, fp, fn, tn);
        return;
    }
    printf("%s: %zu rows, flag '%s'\n", path, r->n, flag);
    printf("  %-16s %.3f\n  %-16s %.3f\n  %-16s %.3f\n  %-16s %.3f\n", "precision", prec, "recall",
           rec, "f1", f1, "roc_auc", auc);
    printf("  %-10s %9s %9s\n  %-10s %9zu %9zu\n  %-10s %9zu %9zu\n", "gold\\pred", "fired", "not",
           "yes", tp, fn, "no", fp, tn);
}

static void report(const char *path, const rows *r, enum label_kind kind, const eval_opts *o)
{
    if (kind == KIND_FLAG) {
        report_flag(path, r, o);
        return;
    }
    metric_confusion cm = {{{0}}};
    for (size_t i = 0; i < r->n; i++)
        cm.m[r->cls[i]][class_of(r->pred[i], o)]++;
    double m1 = 0, m2 = 0;
    const char *n1 = "", *n2 = "";
    if (kind == KIND_SCORE) {
        m1 = metric_pearson(r->pred, r->gold, r->n), n1 = "pearson_r";
        m2 = metric_weighted_f1(&cm), n2 = "weighted_f1";
    } else if (kind == KIND_RATING) {
        m1 = metric_spearman(r->pred, r->gold, r->n), n1 = "spearman_rho";
        m2 = metric_macro_f1(&cm), n2 = "binned_macro_f1";
    } else {
        m2 = metric_macro_f1(&cm), n2 = "macro_f1";
    }
    const char *cls[] = {"negative", "neutral", "positive"};
    if (o->json) {
        printf("{\"file\":");
        json_write_string(stdout, path, strlen(path));
        printf(",\"kind\":\"%s\",\"rows\":%zu", kind_names[kind], r->n);
        if (*n1) printf(",\"%s\":%.4f", n1, m1);
        printf(",\"%s\":%.4f,\"confusion\":{", n2, m2);
        for (int g = 0; g < 3; g++)
            printf("%s\"%s\":[%zu,%zu,%zu]", g ? "," : "", cls[g], cm.m[g][0], cm.m[g][1],
                   cm.m[g][2]);
        printf("},\"per_class\":{");
        for (int c = 0; c < 3; c++)
            printf("%s\"%s\":{\"precision\":%.4f,\"recall\":%.4f,\"f1\":%.4f}", c ? "," : "",
                   cls[c], metric_precision_of(&cm, c), metric_recall_of(&cm, c),
                   metric_f1_of(&cm, c));
        printf("}}\n");
        return;
    }
    printf("%s: %zu rows, %s labels\n", path, r->n, kind_names[kind]);
    if (*n1) printf("  %-16s %.3f\n", n1, m1);
    printf("  %-16s %.3f\n", n2, m2);
    printf("  %-10s %9s %9s %9s   %9s %7s %7s\n", "gold\\pred", "negative", "neutral", "positive",
           "precision", "recall", "f1");
    for (int g = 0; g < 3; g++)
        printf("  %-10s %9zu %9zu %9zu   %9.3f %7.3f %7.3f\n", cls[g], cm.m[g][0], cm.m[g][1],
               cm.m[g][2], metric_precision_of(&cm, g), metric_recall_of(&cm, g),
               metric_f1_of(&cm, g));
}

int cmd_eval(int argc, char **argv)
{
    eval_opts o = {.pos = 0.05, .neg = -0.05, .flag = -1, .threshold = -1};
    cli_lexicons lx = {.embedded = 1};
    const char *pred_path = NULL;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            i++;
            break;
        }
        int lo = cli_lexicon_option("eval", argc, argv, &i, &lx);
        if (lo < 0) return CLI_USAGE;
        if (lo) continue;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return CLI_OK;
        }
        if (!strcmp(a, "--json")) {
            o.json = 1;
            continue;
        }
        if (i + 1 >= argc) {
            cli_error("eval", "unknown option '%s' or missing value (see 'medtone eval --help')",
                      a);
            return CLI_USAGE;
        }
        const char *v = argv[++i];
        if (!strcmp(a, "--flag")) {
            size_t idx;
            if (medtone_flag_find(v, &idx) != MEDTONE_OK) {
                cli_error("eval", "unknown flag '%s'", v);
                return CLI_USAGE;
            }
            o.flag = (long)idx;
            o.kind = KIND_FLAG;
        } else if (!strcmp(a, "--threshold")) {
            if (cli_parse_double(v, &o.threshold) != 0 || o.threshold < 0 || o.threshold > 1) {
                cli_error("eval", "--threshold takes a number in [0, 1], not '%s'", v);
                return CLI_USAGE;
            }
        } else if (!strcmp(a, "--kind")) {
            o.kind = !strcmp(v, "score")     ? KIND_SCORE
                     : !strcmp(v, "3-class") ? KIND_3CLASS
                     : !strcmp(v, "rating")  ? KIND_RATING
                                             : KIND_AUTO;
            if (o.kind == KIND_AUTO) {
                cli_error("eval", "--kind takes score, 3-class or rating, not '%s'", v);
                return CLI_USAGE;
            }
        } else if (!strcmp(a, "--pos-threshold") || !strcmp(a, "--neg-threshold")) {
            double x;
            if (cli_parse_double(v, &x) != 0 || x < -1 || x > 1) {
                cli_error("eval", "%s takes a number in [-1, 1], not '%s'", a, v);
                return CLI_USAGE;
            }
            *(a[2] == 'p' ? &o.pos : &o.neg) = x;
        } else if (!strcmp(a, "--predictions")) {
            pred_path = v;
        } else {
            cli_error("eval", "unknown option '%s' (see 'medtone eval --help')", a);
            return CLI_USAGE;
        }
    }
    if (i >= argc) {
        cli_error("eval", "no input file (see 'medtone eval --help')");
        return CLI_USAGE;
    }
    if (o.neg > o.pos) {
        cli_error("eval", "the negative threshold is above the positive one");
        return CLI_USAGE;
    }
    if (pred_path && !(o.predictions = fopen(pred_path, "w"))) {
        cli_error("eval", "%s: %s", pred_path, strerror(errno));
        return CLI_FAIL;
    }
    medtone_analyzer *an = cli_make_analyzer("eval", &lx);
    medtone_result *res = an ? medtone_result_new() : NULL;
    int status = an && res ? CLI_OK : CLI_FAIL;
    for (; status == CLI_OK && i < argc; i++) {
        rows r = {0};
        enum label_kind kind = o.kind;
        if (eval_file(argv[i], an, res, &o, &r, &kind) == 0)
            report(argv[i], &r, kind, &o);
        else
            status = CLI_FAIL;
        rows_free(&r);
    }
    if (o.predictions && fclose(o.predictions) != 0) status = CLI_FAIL;
    medtone_result_free(res);
    medtone_analyzer_free(an);
    return status;
}
