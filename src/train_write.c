/* train_write.c — the learned layer as lexicon text, and the public calls that hand it out.
 *
 * The header says what the layer is and where it came from, in comments a reviewer reads and in
 * the "#@" headers the loader reads: the layer's name, for a flag its target and bias, the
 * caller's notes (the data files), the rows and classes, the settings, the date, the
 * cross-validated measures next to the hand-written model's on the same folds. Then one line per
 * term, sorted by weight, largest first. Numbers are written without the C locale, so that the
 * loader reads them back in any locale. */
#define _POSIX_C_SOURCE 200809L /* strerror_r */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "alloc.h"
#include "flags.h"
#include "train.h"

typedef struct out {
    medtone_trainer *t;
    int oom;
} out;

static void put(out *o, const char *s, size_t n)
{
    medtone_trainer *t = o->t;
    if (o->oom) return;
    if (mt_reserve((void **)&t->layer, &t->layer_cap, t->layer_len + n + 1, 1) != 0) {
        o->oom = 1;
        return;
    }
    memcpy(t->layer + t->layer_len, s, n);
    t->layer_len += n;
    t->layer[t->layer_len] = '\0';
}

static void puts_(out *o, const char *s)
{
    put(o, s, strlen(s));
}

/* Integers and strings only: %zu, %u, %d and %s do not depend on the locale. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
putf(out *o, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > 0) put(o, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

static void putnum(out *o, double v, unsigned decimals)
{
    char buf[48];
    if (isnan(v)) {
        puts_(o, "-");
        return;
    }
    put(o, buf, mt_format_decimal(v, decimals, buf, sizeof buf));
}

/* A measure with exactly three decimals, right-aligned in 10 columns ("     0.780"). */
static void put_measure(out *o, double v)
{
    char buf[64];
    size_t n;
    if (isnan(v)) {
        buf[0] = '-';
        n = 1;
    } else {
        n = mt_format_decimal(v, 3, buf, 40);
        const char *dot = memchr(buf, '.', n);
        size_t decimals = dot ? n - (size_t)(dot - buf) - 1 : 0;
        if (!dot) buf[n++] = '.';
        while (decimals++ < 3)
            buf[n++] = '0';
    }
    for (size_t pad = n; pad < 10; pad++)
        puts_(o, " ");
    put(o, buf, n);
}

/* YYYY-MM-DD of a time in seconds since 1970 (UTC), by the civil-from-days algorithm. */
static void put_date(out *o, double seconds)
{
    long long days = (long long)floor(seconds / 86400.0);
    long long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
    long long m = mp < 10 ? mp + 3 : mp - 9;
    putf(o, "%04lld-%02lld-%02lld", y + (m <= 2), m, d);
}

/* The caller's notes, each line a comment. */
static void put_notes(out *o, const char *notes)
{
    while (notes && *notes) {
        const char *nl = strchr(notes, '\n');
        size_t n = nl ? (size_t)(nl - notes) : strlen(notes);
        puts_(o, "# ");
        for (size_t i = 0; i < n; i++) {
            char c = notes[i];
            put(o, c == '\t' || c == '\r' ? " " : &c, 1);
        }
        puts_(o, "\n");
        notes += nl ? n + 1 : n;
    }
}

static void put_measures(out *o, const char *label, const double *m, int flag)
{
    static const int fm[] = {MEDTONE_METRIC_F1, MEDTONE_METRIC_PRECISION, MEDTONE_METRIC_RECALL,
                             MEDTONE_METRIC_AUC};
    static const int sm[] = {MEDTONE_METRIC_SPEARMAN, MEDTONE_METRIC_PEARSON,
                             MEDTONE_METRIC_MACRO_F1};
    const int *which = flag >= 0 ? fm : sm;
    int n = flag >= 0 ? 4 : 3;
    putf(o, "#   %-22s", label);
    for (int k = 0; k < n; k++)
        put_measure(o, m[which[k]]);
    puts_(o, "\n");
}

static void put_header(out *o, const char *notes)
{
    medtone_trainer *t = o->t;
    const mt_train_opts *op = &t->o;
    const char *target = t->flag >= 0 ? medtone_flag_name((size_t)t->flag) : "sentiment";
    putf(o, "#@ layer learned-%s\n", target);
    if (t->flag >= 0) {
        putf(o, "#@ target %s\n#@ bias ", target);
        putnum(o, t->models[t->nfolds].b, 4);
        puts_(o, "\n");
    }
    if (t->flag >= 0)
        putf(o,
             "# A learned cue layer for the flag '%s', written by medtone train %s. It corrects\n"
             "# the hand-written flag: a text with terms below scores\n"
             "#   logistic(logit(flag score) + bias + the weights of the distinct terms),\n"
             "# and each term that raised it is evidence. Load it with --cues or\n"
             "# medtone_analyzer_load_cues. See docs/train.md.\n",
             target, medtone_version_string());
    else
        putf(
            o,
            "# A learned sentiment layer, written by medtone train %s. Each line gives a term the\n"
            "# valence this layer sets: for a term of the hand-written lexicon its valence plus\n"
            "# the learned change (the tag hand=V, ignored by the loader, says what it was), its\n"
            "# tags kept; \"not X\" terms are tagged negator so that the negation still reaches\n"
            "# the words after them. Load it with --lexicon or medtone_analyzer_load_lexicon.\n"
            "# See docs/train.md.\n",
            medtone_version_string());
    put_notes(o, notes);
    puts_(o, "# date: ");
    put_date(o, op->date >= 0 ? op->date : (double)time(NULL));
    if (t->flag >= 0)
        putf(o, "\n# rows: %zu (%s %zu, not %zu)\n", t->rows, target, t->classes[1], t->classes[0]);
    else
        putf(o, "\n# rows: %zu (negative %zu, neutral %zu, positive %zu; class band ", t->rows,
             t->classes[0], t->classes[1], t->classes[2]);
    if (t->flag < 0) {
        putnum(o, op->band, 3);
        puts_(o, ")\n");
    }
    puts_(o, "# options: l2=");
    putnum(o, op->l2, 9);
    puts_(o, " l1=");
    putnum(o, op->l1, 9);
    putf(o, " min_count=%zu top_k=%zu seed=%llu folds=%u epochs=%u learning_rate=", op->min_count,
         op->top_k, (unsigned long long)op->seed, op->folds, op->epochs);
    putnum(o, op->lr, 6);
    putf(o, " max_terms=%zu\n", op->max_terms);
    putf(o, "# terms: %zu learned from %zu candidates in at least %zu rows\n", t->nterms,
         mt_vocab_size(t->vocab), op->min_count);
    if (t->flag >= 0 && t->nfolds && op->calibrate) {
        puts_(o, "# calibration (Platt, on held-out folds): learned part x ");
        putnum(o, t->cal_a, 4);
        puts_(o, ", plus ");
        putnum(o, t->cal_c, 4);
        puts_(o, "\n");
    }
    if (!t->nfolds) {
        puts_(o, "# cross-validation: none\n");
        return;
    }
    putf(o, "# cross-validation, %u folds (each fold scored by a model trained on the others):\n",
         t->nfolds);
    if (t->flag >= 0)
        putf(o, "#   %-22s%10s%10s%10s%10s\n", "", "f1", "precision", "recall", "auc");
    else
        putf(o, "#   %-22s%10s%10s%10s\n", "", "spearman", "pearson", "macro_f1");
    put_measures(o, "hand-written (mean)", t->baseline[MT_MEAN_SLOT], t->flag);
    put_measures(o, "learned layer (mean)", t->metric[MT_MEAN_SLOT], t->flag);
    for (unsigned f = 0; f < t->nfolds; f++) {
        char label[32];
        snprintf(label, sizeof label, "fold %u", f + 1);
        put_measures(o, label, t->metric[f], t->flag);
    }
}

static void put_terms(out *o)
{
    medtone_trainer *t = o->t;
    char tags[256];
    for (size_t i = 0; i < t->nterms && !o->oom; i++) {
        const mt_layer_term *lt = &t->terms[i];
        size_t len;
        const char *key = mt_vocab_key(t->vocab, lt->id, &len);
        put(o, key, len);
        puts_(o, "\t");
        if (t->flag >= 0) {
            putnum(o, lt->weight, 4);
            puts_(o, "\tlearned\n");
            continue;
        }
        const mt_term_info *info = &t->info[lt->id];
        putnum(o, lt->weight, 3);
        size_t n = 0;
        if (info->hand)
            n = mt_lexicon_format_tags(info->hand->tags, info->hand->booster, info->hand->clinical,
                                       tags, sizeof tags);
        else if (info->kind == MT_TERM_NEGATION)
            n = mt_lexicon_format_tags(MT_TAG_NEGATOR, 0, 0, tags, sizeof tags);
        if (n || info->hand) puts_(o, "\t");
        put(o, tags, n);
        if (info->hand) {
            puts_(o, n ? ",hand=" : "hand=");
            putnum(o, info->v0, 3);
        }
        puts_(o, "\n");
    }
}

medtone_status mt_train_write(medtone_trainer *t, const char *notes)
{
    out o = {t, 0};
    t->layer_len = 0;
    put_header(&o, notes);
    put_terms(&o);
    if (o.oom) {
        t->layer_len = 0;
        snprintf(t->error, sizeof t->error, "out of memory");
        return MEDTONE_ERR_NOMEM;
    }
    return MEDTONE_OK;
}

medtone_status medtone_trainer_layer_data(medtone_trainer *t, const char *notes, const char **data,
                                          size_t *len)
{
    if (!t || !data || !len) return MEDTONE_ERR_INVALID_ARG;
    t->error[0] = '\0';
    if (!t->terms) {
        snprintf(t->error, sizeof t->error, "no layer yet: fit first");
        return MEDTONE_ERR_INVALID_ARG;
    }
    medtone_status st = mt_train_write(t, notes);
    if (st != MEDTONE_OK) return st;
    *data = t->layer;
    *len = t->layer_len;
    return MEDTONE_OK;
}

medtone_status medtone_trainer_write_layer(medtone_trainer *t, const char *path, const char *notes)
{
    if (!t || !path) return MEDTONE_ERR_INVALID_ARG;
    const char *data;
    size_t len;
    medtone_status st = medtone_trainer_layer_data(t, notes, &data, &len);
    if (st != MEDTONE_OK) return st;
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(data, 1, len, f) == len;
    int err = errno;
    if (f && fclose(f) != 0 && ok) {
        ok = 0;
        err = errno;
    }
    if (!ok) {
        char msg[256];
        if (strerror_r(err ? err : EIO, msg, sizeof msg) != 0) snprintf(msg, sizeof msg, "error");
        snprintf(t->error, sizeof t->error, "%s: %s", path, msg);
        return MEDTONE_ERR_IO;
    }
    return MEDTONE_OK;
}
