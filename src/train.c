/* train.c — the trainer (include/medtone/train.h): its settings, the rows, and what runs in which
 * pass.
 *
 * Pass 0 counts the candidate terms of every row (train_vocab.c) and, while they fit the memory
 * budget, keeps the texts. fit then freezes the vocabulary and either
 *   - (in memory) turns the kept texts into features once and runs every epoch over them, in a
 *     seeded random order; or
 *   - (streaming) asks for the rows again: for sentiment one pass that measures the hand-written
 *     value of the "not X" terms, then one pass per epoch in file order, then one pass that
 *     scores the held-out rows.
 * Every pass trains the fold models (each on the rows outside its fold) and the final model (on
 * every row) together. A row's fold comes from the seed and its position, never from the clock.
 * With top-K set, each model keeps its K largest weights after half the epochs and trains on
 * with those. At the end the held-out scores give the cross-validated measures; for a flag they
 * also calibrate the final model (Platt scaling of its learned part, each fold's measures using a
 * calibration fitted on the other folds). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "analyzer.h"
#include "flags.h"
#include "train.h"

enum { ST_READ0, ST_STATS, ST_EPOCH, ST_EVAL, ST_DONE, ST_BROKEN };

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
set_error(medtone_trainer *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->error, sizeof t->error, fmt, ap);
    va_end(ap);
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
progress(medtone_trainer *t, const char *fmt, ...)
{
    if (!t->progress) return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    t->progress(msg, t->progress_user);
}

static medtone_status nomem(medtone_trainer *t)
{
    set_error(t, "out of memory");
    return MEDTONE_ERR_NOMEM;
}

/* ----- handle and settings ------------------------------------------------------------------ */

/* The range of each setting (include/medtone/train.h); `whole` ones take integers only. */
static const struct {
    double lo, hi;
    int whole;
} ranges[MT_TRAIN_OPTIONS] = {
    [MEDTONE_TRAIN_L2] = {0, 1e6, 0},
    [MEDTONE_TRAIN_L1] = {0, 1e6, 0},
    [MEDTONE_TRAIN_MIN_COUNT] = {1, 1e9, 1},
    [MEDTONE_TRAIN_TOP_K] = {0, 1e9, 1},
    [MEDTONE_TRAIN_SEED] = {0, 9007199254740992.0, 1},
    [MEDTONE_TRAIN_FOLDS] = {0, MT_MAX_FOLDS, 1}, /* and not 1 */
    [MEDTONE_TRAIN_EPOCHS] = {1, 1000, 1},
    [MEDTONE_TRAIN_LEARNING_RATE] = {1e-12, 10, 0},
    [MEDTONE_TRAIN_MAX_TERMS] = {1000, 67108864, 1},
    [MEDTONE_TRAIN_MEMORY_MB] = {1, 1048576, 1},
    [MEDTONE_TRAIN_DATE] = {-1, 9007199254740992.0, 1},
    [MEDTONE_TRAIN_CLASS_BAND] = {0, 1, 0},
    [MEDTONE_TRAIN_CALIBRATE] = {0, 1, 1},
};

/* The typed settings the trainer reads, from the values as set. */
static void sync_options(medtone_trainer *t)
{
    const double *v = t->value;
    t->o = (mt_train_opts){.l2 = v[MEDTONE_TRAIN_L2],
                           .l1 = v[MEDTONE_TRAIN_L1],
                           .lr = v[MEDTONE_TRAIN_LEARNING_RATE],
                           .band = v[MEDTONE_TRAIN_CLASS_BAND],
                           .date = v[MEDTONE_TRAIN_DATE],
                           .min_count = (size_t)v[MEDTONE_TRAIN_MIN_COUNT],
                           .top_k = (size_t)v[MEDTONE_TRAIN_TOP_K],
                           .max_terms = (size_t)v[MEDTONE_TRAIN_MAX_TERMS],
                           .memory_mb = (size_t)v[MEDTONE_TRAIN_MEMORY_MB],
                           .folds = (unsigned)v[MEDTONE_TRAIN_FOLDS],
                           .epochs = (unsigned)v[MEDTONE_TRAIN_EPOCHS],
                           .seed = (uint64_t)v[MEDTONE_TRAIN_SEED],
                           .calibrate = v[MEDTONE_TRAIN_CALIBRATE] != 0};
}

medtone_status medtone_trainer_new(const medtone_analyzer *an, size_t target, medtone_trainer **out)
{
    if (!out) return MEDTONE_ERR_INVALID_ARG;
    *out = NULL;
    if (!an || (target != MEDTONE_TRAIN_SENTIMENT && target >= MT_FLAG_COUNT))
        return MEDTONE_ERR_INVALID_ARG;
    if (target != MEDTONE_TRAIN_SENTIMENT && !an->flags) return MEDTONE_ERR_INVALID_ARG;
    medtone_trainer *t = mt_calloc(1, sizeof *t);
    if (!t) return MEDTONE_ERR_NOMEM;
    t->an = an;
    t->flag = target == MEDTONE_TRAIN_SENTIMENT ? -1 : (int)target;
    double *v = t->value;
    v[MEDTONE_TRAIN_L2] = 1e-4;
    v[MEDTONE_TRAIN_L1] = 0;
    v[MEDTONE_TRAIN_MIN_COUNT] = 3;
    v[MEDTONE_TRAIN_TOP_K] = 0;
    v[MEDTONE_TRAIN_SEED] = 1;
    v[MEDTONE_TRAIN_FOLDS] = 5;
    v[MEDTONE_TRAIN_EPOCHS] = 10;
    v[MEDTONE_TRAIN_LEARNING_RATE] = 0.1;
    v[MEDTONE_TRAIN_MAX_TERMS] = 1 << 20;
    v[MEDTONE_TRAIN_MEMORY_MB] = 512;
    v[MEDTONE_TRAIN_DATE] = -1;
    v[MEDTONE_TRAIN_CLASS_BAND] = 0.2;
    v[MEDTONE_TRAIN_CALIBRATE] = 1;
    if (t->flag < 0) {
        /* Valences learn from smaller gradients (squared error on the compound), and a shorter
         * layer of the terms that matter most generalizes better there (docs/train.md). */
        v[MEDTONE_TRAIN_L2] = 1e-5;
        v[MEDTONE_TRAIN_TOP_K] = 2000;
    }
    sync_options(t);
    t->fx = mt_features_new(an, t->flag);
    t->vocab = mt_vocab_new(t->o.max_terms);
    if (!t->fx || !t->vocab) {
        medtone_trainer_free(t);
        return MEDTONE_ERR_NOMEM;
    }
    t->cached = 1;
    *out = t;
    return MEDTONE_OK;
}

static void free_models(medtone_trainer *t)
{
    if (t->models)
        for (unsigned m = 0; m <= t->nfolds; m++)
            mt_model_free(&t->models[m]);
    mt_free(t->models);
    t->models = NULL;
}

static void free_texts(medtone_trainer *t)
{
    mt_free(t->texts);
    mt_free(t->text_off);
    mt_free(t->text_label);
    t->texts = NULL;
    t->text_off = NULL;
    t->text_label = NULL;
    t->texts_len = t->texts_cap = t->text_off_cap = t->text_label_cap = 0;
}

static void free_features(medtone_trainer *t)
{
    mt_free(t->row);
    mt_free(t->feat);
    t->row = NULL;
    t->feat = NULL;
    t->row_cap = t->nfeat = t->feat_cap = 0;
}

void medtone_trainer_free(medtone_trainer *t)
{
    if (!t) return;
    mt_features_free(t->fx);
    mt_vocab_free(t->vocab);
    mt_free(t->info);
    mt_free(t->df);
    free_texts(t);
    free_features(t);
    mt_free(t->one_feat);
    free_models(t);
    mt_free(t->cv);
    mt_free(t->terms);
    mt_free(t->layer);
    mt_free(t);
}

medtone_status medtone_trainer_set_option(medtone_trainer *t, medtone_train_option option, double v)
{
    if (!t || t->state != ST_READ0 || t->rows > 0 || option <= 0 || option >= MT_TRAIN_OPTIONS)
        return MEDTONE_ERR_INVALID_ARG;
    if (!(v >= ranges[option].lo && v <= ranges[option].hi) ||
        (ranges[option].whole && v != floor(v)) || (option == MEDTONE_TRAIN_FOLDS && v == 1))
        return MEDTONE_ERR_INVALID_ARG;
    if (option == MEDTONE_TRAIN_MAX_TERMS) { /* the vocabulary is made for its cap */
        mt_vocab *nv = mt_vocab_new((size_t)v);
        if (!nv) return MEDTONE_ERR_NOMEM;
        mt_vocab_free(t->vocab);
        t->vocab = nv;
    }
    t->value[option] = v;
    sync_options(t);
    return MEDTONE_OK;
}

medtone_status medtone_trainer_get_option(const medtone_trainer *t, medtone_train_option option,
                                          double *v)
{
    if (!t || !v || option <= 0 || option >= MT_TRAIN_OPTIONS) return MEDTONE_ERR_INVALID_ARG;
    *v = t->value[option];
    return MEDTONE_OK;
}

medtone_status medtone_trainer_set_progress(medtone_trainer *t, medtone_train_progress_fn fn,
                                            void *user)
{
    if (!t) return MEDTONE_ERR_INVALID_ARG;
    t->progress = fn;
    t->progress_user = user;
    return MEDTONE_OK;
}

/* ----- rows ---------------------------------------------------------------------------------- */

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

static uint8_t fold_of(const medtone_trainer *t, size_t row)
{
    if (!t->nfolds) return 0;
    return (uint8_t)(splitmix64(t->o.seed * 0x2545F4914F6CDD1Dull + row) % t->nfolds);
}

static size_t budget(const medtone_trainer *t)
{
    return t->o.memory_mb << 20;
}

static size_t cache_bytes(const medtone_trainer *t)
{
    return t->texts_cap + t->text_off_cap * sizeof *t->text_off +
           t->text_label_cap * sizeof *t->text_label + t->row_cap * sizeof *t->row +
           t->feat_cap * sizeof *t->feat;
}

/* Pass 0: count, and keep the text while it fits. */
static medtone_status add_first(medtone_trainer *t, const char *text, size_t len, double label)
{
    if (t->rows >= UINT32_MAX - 1) {
        set_error(t, "too many rows (at most %u)", UINT32_MAX - 1);
        return MEDTONE_ERR_TOO_LARGE;
    }
    /* A row is counted whole or not at all: a failure takes back what it counted, so the row
     * may be added again (or left out) as if it had never been tried. */
    medtone_status st = mt_features_count(t->fx, t->vocab, text, len, (uint32_t)t->rows);
    if (st != MEDTONE_OK) mt_vocab_uncount(t->vocab, (uint32_t)t->rows);
    if (st == MEDTONE_ERR_NOMEM) return nomem(t);
    if (st != MEDTONE_OK) {
        set_error(t, "row %zu: %s", t->rows + 1, medtone_status_str(st));
        return st;
    }
    if (t->cached) {
        if (cache_bytes(t) + len + 64 > budget(t)) {
            free_texts(t); /* the rest streams: fit will ask for the rows again */
            t->cached = 0;
        } else if (mt_reserve((void **)&t->texts, &t->texts_cap, t->texts_len + len, 1) != 0 ||
                   mt_reserve((void **)&t->text_off, &t->text_off_cap, t->rows + 2,
                              sizeof *t->text_off) != 0 ||
                   mt_reserve((void **)&t->text_label, &t->text_label_cap, t->rows + 1,
                              sizeof *t->text_label) != 0) {
            mt_vocab_uncount(t->vocab, (uint32_t)t->rows);
            return nomem(t);
        } else {
            if (t->rows == 0) t->text_off[0] = 0;
            if (len) memcpy(t->texts + t->texts_len, text, len);
            t->texts_len += len;
            t->text_off[t->rows + 1] = t->texts_len;
            t->text_label[t->rows] = label;
        }
    }
    t->classes[mt_label_class(t->flag, t->o.band, label)]++;
    if (t->rows == 0 || label < t->label_min) t->label_min = label;
    if (t->rows == 0 || label > t->label_max) t->label_max = label;
    t->rows++;
    return MEDTONE_OK;
}

static mt_model_opts model_opts(const medtone_trainer *t, unsigned m)
{
    double rows = (double)t->rows;
    if (m < t->nfolds) rows = rows * (t->nfolds - 1) / t->nfolds;
    return (mt_model_opts){t->o.l2, t->o.l1, t->o.lr, rows};
}

/* One row through every model: the fold models whose fold it is not in, and the final one. */
static void train_row(medtone_trainer *t, const mt_row *r, const mt_feat *f)
{
    for (unsigned m = 0; m <= t->nfolds; m++) {
        if (m < t->nfolds && r->fold == m) continue;
        mt_model_opts o = model_opts(t, m);
        mt_model_step(&t->models[m], t->info, t->flag, &o, t->df, r, f);
    }
}

/* The held-out scores of a row, by the model of its fold. */
static void score_row(const medtone_trainer *t, const mt_row *r, const mt_feat *f, mt_cv_row *cv)
{
    const mt_model *m = &t->models[t->nfolds ? r->fold : 0];
    cv->label = r->label;
    cv->baseline = r->baseline;
    cv->offset = r->offset;
    cv->fold = r->fold;
    cv->learned = 0;
    cv->any = 0;
    if (t->flag >= 0) cv->any = (uint8_t)mt_model_flag_learned(m, r, f, &cv->learned);
    cv->pred = mt_model_predict(m, t->info, t->flag, r, f, 1, 0);
}

/* Streaming passes: the features of one row, then what the pass does with them. */
static medtone_status add_again(medtone_trainer *t, const char *text, size_t len, double label)
{
    if (t->pass_rows >= t->rows) {
        set_error(t, "pass %u has more rows than the first (%zu)", t->pass + 1, t->rows);
        t->state = ST_BROKEN;
        return MEDTONE_ERR_INVALID_ARG;
    }
    mt_row *r = &t->one;
    t->one_nfeat = 0;
    medtone_status st = mt_features_row(t->fx, t->vocab, t->info, t->state == ST_STATS, text, len,
                                        r, &t->one_feat, &t->one_nfeat, &t->one_cap);
    if (st != MEDTONE_OK) {
        t->state = ST_BROKEN;
        if (st == MEDTONE_ERR_NOMEM) return nomem(t);
        set_error(t, "row %zu: %s", t->pass_rows + 1, medtone_status_str(st));
        return st;
    }
    r->label = label;
    r->fold = fold_of(t, t->pass_rows);
    if (t->state == ST_EPOCH) train_row(t, r, t->one_feat);
    if (t->state == ST_EVAL) score_row(t, r, t->one_feat, &t->cv[t->pass_rows]);
    t->pass_rows++;
    return MEDTONE_OK;
}

medtone_status medtone_trainer_add(medtone_trainer *t, const char *text, size_t len, double label)
{
    if (!t) return MEDTONE_ERR_INVALID_ARG;
    t->error[0] = '\0';
    if (!text && len) return MEDTONE_ERR_INVALID_ARG;
    if (t->state == ST_DONE || t->state == ST_BROKEN) {
        set_error(t, t->state == ST_DONE ? "the trainer is already fitted"
                                         : "the training failed earlier");
        return MEDTONE_ERR_INVALID_ARG;
    }
    size_t row = (t->state == ST_READ0 ? t->rows : t->pass_rows) + 1;
    if (len > MEDTONE_ANALYZE_MAX_BYTES) {
        set_error(t, "row %zu: a text of %zu bytes, over the %zu of MEDTONE_ANALYZE_MAX_BYTES", row,
                  len, MEDTONE_ANALYZE_MAX_BYTES);
        return MEDTONE_ERR_TOO_LARGE;
    }
    if (t->flag >= 0 && label != 0 && label != 1) {
        set_error(t, "row %zu: a flag label is 1 or 0", row);
        return MEDTONE_ERR_INVALID_ARG;
    }
    if (t->flag < 0 && !(label >= -1 && label <= 1)) {
        set_error(t, "row %zu: a sentiment label is a number in [-1, 1]", row);
        return MEDTONE_ERR_INVALID_ARG;
    }
    if (t->state == ST_READ0 && t->fitting) {
        set_error(t, "rows cannot be added once fit has started");
        return MEDTONE_ERR_INVALID_ARG;
    }
    if (t->state == ST_READ0) return add_first(t, text ? text : "", len, label);
    return add_again(t, text ? text : "", len, label);
}

/* ----- fitting ------------------------------------------------------------------------------- */

static medtone_status init_models(medtone_trainer *t)
{
    free_models(t);
    t->models = mt_calloc(t->nfolds + 1, sizeof *t->models);
    if (!t->models) return MEDTONE_ERR_NOMEM;
    for (unsigned m = 0; m <= t->nfolds; m++)
        if (mt_model_init(&t->models[m], mt_vocab_size(t->vocab)) != 0) {
            free_models(t);
            return MEDTONE_ERR_NOMEM;
        }
    return MEDTONE_OK;
}

/* Freezes the vocabulary and prepares what the features need. */
static medtone_status freeze(medtone_trainer *t)
{
    size_t counted = mt_vocab_size(t->vocab);
    size_t max = t->o.max_terms;
    if (mt_vocab_freeze(t->vocab, t->o.min_count, max, mt_features_keep, t->fx) != 0)
        return nomem(t);
    size_t n = mt_vocab_size(t->vocab);
    progress(t, "%zu rows, %zu terms counted, %zu in at least %zu rows", t->rows, counted, n,
             t->o.min_count);
    if (n == 0) {
        set_error(t, "no term occurs in %zu or more rows: nothing to learn (lower min-count?)",
                  t->o.min_count);
        return MEDTONE_ERR_INVALID_ARG;
    }
    mt_free(t->df);
    mt_free(t->info);
    t->info = NULL;
    t->df = mt_malloc(n * sizeof *t->df);
    if (!t->df) return nomem(t);
    for (size_t id = 0; id < n; id++)
        t->df[id] = mt_vocab_rows(t->vocab, id);
    if (t->flag < 0) {
        t->info = mt_calloc(n, sizeof *t->info);
        if (!t->info) return nomem(t);
    }
    medtone_status st = mt_features_prepare(t->fx, t->vocab, t->info);
    if (st == MEDTONE_ERR_NOMEM) return nomem(t);
    if (st != MEDTONE_OK) set_error(t, "cannot prepare the features: %s", medtone_status_str(st));
    return st;
}

/* The kept texts become features; 1 when they outgrow the budget (then streaming). */
static medtone_status build_features(medtone_trainer *t, int *outgrown)
{
    *outgrown = 0;
    free_features(t);
    if (mt_reserve((void **)&t->row, &t->row_cap, t->rows, sizeof *t->row) != 0) return nomem(t);
    for (size_t i = 0; i < t->rows; i++) {
        mt_row *r = &t->row[i];
        const char *text = t->texts + t->text_off[i];
        size_t len = t->text_off[i + 1] - t->text_off[i];
        medtone_status st = mt_features_row(t->fx, t->vocab, t->info, 1, text, len, r, &t->feat,
                                            &t->nfeat, &t->feat_cap);
        if (st == MEDTONE_ERR_NOMEM) return nomem(t);
        if (st != MEDTONE_OK) {
            set_error(t, "row %zu: %s", i + 1, medtone_status_str(st));
            return st;
        }
        r->label = t->text_label[i];
        r->fold = fold_of(t, i);
        if (cache_bytes(t) > budget(t)) {
            *outgrown = 1;
            free_features(t);
            return MEDTONE_OK;
        }
    }
    return MEDTONE_OK;
}

/* A kept row's features: NULL when no row had any (then none was allocated, and NULL + 0 is
 * undefined). */
static const mt_feat *row_feats(const medtone_trainer *t, const mt_row *r)
{
    return t->feat ? t->feat + r->feat0 : NULL;
}

/* The measures of the held-out scores so far (uncalibrated), for progress. */
static void epoch_progress(medtone_trainer *t, unsigned epoch)
{
    if (!t->progress || !t->nfolds || !t->cached) {
        progress(t, "epoch %u/%u", epoch, t->o.epochs);
        return;
    }
    double *pred = mt_malloc(t->rows * sizeof *pred), *label = mt_malloc(t->rows * sizeof *label);
    double out[MT_METRICS];
    if (pred && label) {
        for (size_t i = 0; i < t->rows; i++) {
            mt_cv_row cv;
            score_row(t, &t->row[i], row_feats(t, &t->row[i]), &cv);
            pred[i] = cv.pred;
            label[i] = cv.label;
        }
    }
    if (pred && label &&
        mt_cv_measure(t->flag, t->an->threshold[t->flag >= 0 ? t->flag : 0], t->o.band, pred, label,
                      t->rows, out) == 0) {
        if (t->flag >= 0)
            progress(t, "epoch %u/%u: cross-validated f1 %.3f, auc %.3f (before calibration)",
                     epoch, t->o.epochs, out[MEDTONE_METRIC_F1], out[MEDTONE_METRIC_AUC]);
        else
            progress(t, "epoch %u/%u: cross-validated spearman %.3f, pearson %.3f", epoch,
                     t->o.epochs, out[MEDTONE_METRIC_SPEARMAN], out[MEDTONE_METRIC_PEARSON]);
    }
    mt_free(pred);
    mt_free(label);
}

static medtone_status end_epoch(medtone_trainer *t, unsigned epoch)
{
    if (t->o.top_k && epoch == (t->o.epochs + 1) / 2)
        for (unsigned m = 0; m <= t->nfolds; m++)
            if (mt_model_prune(&t->models[m], t->o.top_k) != 0) return nomem(t);
    epoch_progress(t, epoch);
    return MEDTONE_OK;
}

static medtone_status train_in_memory(medtone_trainer *t)
{
    uint32_t *order = mt_malloc(t->rows * sizeof *order);
    if (!order) return nomem(t);
    for (size_t i = 0; i < t->rows; i++)
        order[i] = (uint32_t)i;
    uint64_t rng = splitmix64(t->o.seed ^ 0x5EEDull);
    medtone_status st = MEDTONE_OK;
    for (unsigned epoch = 1; epoch <= t->o.epochs && st == MEDTONE_OK; epoch++) {
        for (size_t i = t->rows; i > 1; i--) { /* Fisher-Yates with the seeded generator */
            rng = splitmix64(rng);
            size_t j = (size_t)(rng % i);
            uint32_t tmp = order[i - 1];
            order[i - 1] = order[j];
            order[j] = tmp;
        }
        for (size_t i = 0; i < t->rows; i++) {
            const mt_row *r = &t->row[order[i]];
            train_row(t, r, row_feats(t, r));
        }
        st = end_epoch(t, epoch);
    }
    mt_free(order);
    if (st != MEDTONE_OK) return st;
    for (size_t i = 0; i < t->rows; i++)
        score_row(t, &t->row[i], row_feats(t, &t->row[i]), &t->cv[i]);
    return MEDTONE_OK;
}

/* Platt calibration over the held-out rows whose fold is not `skip` (-1: all), for the model
 * `m` it will scale (whose weights must stay within -4..4 once scaled). */
static medtone_status calibrate(medtone_trainer *t, int skip, const mt_model *m, double *a,
                                double *c)
{
    double max = mt_model_max_weight(m), a_max = max > 0 ? 4 / max : 1e6;
    *a = 1 <= a_max ? 1 : a_max;
    *c = 0;
    if (t->flag < 0 || !t->o.calibrate || !t->nfolds) return MEDTONE_OK;
    size_t n = 0;
    double *off = mt_malloc(t->rows * sizeof *off), *learned = mt_malloc(t->rows * sizeof *off);
    double *label = mt_malloc(t->rows * sizeof *off);
    unsigned char *any = mt_malloc(t->rows ? t->rows : 1);
    if (!off || !learned || !label || !any) {
        mt_free(off), mt_free(learned), mt_free(label), mt_free(any);
        return nomem(t);
    }
    for (size_t i = 0; i < t->rows; i++) {
        const mt_cv_row *cv = &t->cv[i];
        if (!cv->any || cv->fold == skip)
            continue; /* rows without a learned term keep their score */
        off[n] = cv->offset;
        learned[n] = cv->learned;
        label[n] = cv->label;
        any[n++] = 1;
    }
    if (n) mt_calibrate(off, learned, any, label, n, a_max, a, c);
    mt_free(off), mt_free(learned), mt_free(label), mt_free(any);
    return MEDTONE_OK;
}

static double logistic(double z)
{
    return z >= 0 ? 1.0 / (1.0 + exp(-z)) : exp(z) / (1.0 + exp(z));
}

/* The measures per fold and their mean, for the layer and for the analyzer alone. */
static medtone_status measure(medtone_trainer *t)
{
    for (int f = 0; f <= MT_MEAN_SLOT; f++)
        for (int k = 0; k < MT_METRICS; k++)
            t->metric[f][k] = t->baseline[f][k] = NAN;
    if (!t->nfolds) return MEDTONE_OK;
    double *pred = mt_malloc(t->rows * sizeof *pred), *base = mt_malloc(t->rows * sizeof *pred);
    double *label = mt_malloc(t->rows * sizeof *pred);
    medtone_status st = pred && base && label ? MEDTONE_OK : nomem(t);
    double threshold = t->flag >= 0 ? t->an->threshold[t->flag] : 0;
    for (unsigned f = 0; f < t->nfolds && st == MEDTONE_OK; f++) {
        double a, c;
        st = calibrate(t, (int)f, &t->models[f], &a, &c);
        size_t n = 0;
        for (size_t i = 0; i < t->rows && st == MEDTONE_OK; i++) {
            const mt_cv_row *cv = &t->cv[i];
            if (cv->fold != f) continue;
            pred[n] =
                t->flag >= 0 && cv->any ? logistic(cv->offset + a * cv->learned + c) : cv->pred;
            base[n] = cv->baseline;
            label[n++] = cv->label;
        }
        if (st == MEDTONE_OK &&
            (mt_cv_measure(t->flag, threshold, t->o.band, pred, label, n, t->metric[f]) != 0 ||
             mt_cv_measure(t->flag, threshold, t->o.band, base, label, n, t->baseline[f]) != 0))
            st = nomem(t);
    }
    mt_free(pred), mt_free(base), mt_free(label);
    if (st != MEDTONE_OK) return st;
    for (int k = 1; k < MT_METRICS; k++) {
        double sm = 0, sb = 0;
        for (unsigned f = 0; f < t->nfolds; f++)
            sm += t->metric[f][k], sb += t->baseline[f][k];
        t->metric[MT_MEAN_SLOT][k] = sm / t->nfolds;
        t->baseline[MT_MEAN_SLOT][k] = sb / t->nfolds;
    }
    return MEDTONE_OK;
}

static int cmp_terms(const void *a, const void *b)
{
    const mt_layer_term *x = a, *y = b;
    if (x->weight != y->weight) return x->weight > y->weight ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id); /* ids are in byte order of the terms */
}

/* Calibrates and rounds the final model, and lists the layer's terms. */
static medtone_status finish(medtone_trainer *t)
{
    medtone_status st = measure(t);
    if (st != MEDTONE_OK) return st;
    mt_model *m = &t->models[t->nfolds];
    st = calibrate(t, -1, m, &t->cal_a, &t->cal_c);
    if (st != MEDTONE_OK) return st;
    size_t n = mt_vocab_size(t->vocab), k = 0;
    mt_layer_term *terms = mt_malloc((n ? n : 1) * sizeof *terms);
    if (!terms) return nomem(t);
    if (t->flag >= 0) {
        for (size_t j = 0; j < n; j++)
            m->w[j] *= t->cal_a;
        m->b = t->cal_a * m->b + t->cal_c;
    }
    mt_model_round(m, t->info, t->flag);
    for (size_t j = 0; j < n; j++) {
        if (m->w[j] == 0) continue;
        double v = t->flag >= 0 ? m->w[j] : t->info[j].v0 + m->w[j];
        terms[k++] = (mt_layer_term){(uint32_t)j, v, m->w[j]};
    }
    qsort(terms, k, sizeof *terms, cmp_terms);
    mt_free(t->terms);
    t->terms = terms;
    t->nterms = k;
    t->state = ST_DONE;
    if (t->nfolds && t->flag >= 0)
        progress(t,
                 "cross-validated f1 %.3f, precision %.3f, recall %.3f, auc %.3f "
                 "(hand-written: f1 %.3f, auc %.3f); %zu terms",
                 t->metric[MT_MEAN_SLOT][MEDTONE_METRIC_F1],
                 t->metric[MT_MEAN_SLOT][MEDTONE_METRIC_PRECISION],
                 t->metric[MT_MEAN_SLOT][MEDTONE_METRIC_RECALL],
                 t->metric[MT_MEAN_SLOT][MEDTONE_METRIC_AUC],
                 t->baseline[MT_MEAN_SLOT][MEDTONE_METRIC_F1],
                 t->baseline[MT_MEAN_SLOT][MEDTONE_METRIC_AUC], k);
    else if (t->nfolds)
        progress(t,
                 "cross-validated spearman %.3f, pearson %.3f, macro-f1 %.3f "
                 "(hand-written: spearman %.3f, pearson %.3f, macro-f1 %.3f); %zu terms",
                 t->metric[MT_MEAN_SLOT][MEDTONE_METRIC_SPEARMAN],
                 t->metric[MT_MEAN_SLOT][MEDTONE_METRIC_PEARSON],
                 t->metric[MT_MEAN_SLOT][MEDTONE_METRIC_MACRO_F1],
                 t->baseline[MT_MEAN_SLOT][MEDTONE_METRIC_SPEARMAN],
                 t->baseline[MT_MEAN_SLOT][MEDTONE_METRIC_PEARSON],
                 t->baseline[MT_MEAN_SLOT][MEDTONE_METRIC_MACRO_F1], k);
    else
        progress(t, "%zu terms (no cross-validation)", k);
    return MEDTONE_OK;
}

/* The end of pass 0: check the data, freeze, then train in memory or ask for more passes. */
static medtone_status end_first_pass(medtone_trainer *t, int *again)
{
    if (t->rows == 0) {
        set_error(t, "no rows to learn from");
        return MEDTONE_ERR_INVALID_ARG;
    }
    if (t->flag >= 0 && (!t->classes[0] || !t->classes[1])) {
        set_error(t, "every row has the label %d: a flag needs rows of both labels",
                  t->classes[1] ? 1 : 0);
        return MEDTONE_ERR_INVALID_ARG;
    }
    if (t->flag < 0 && t->label_min == t->label_max) {
        set_error(t, "every row has the same label: nothing to learn");
        return MEDTONE_ERR_INVALID_ARG;
    }
    /* A fit that fails for lack of memory may be called again: everything below starts over
     * from the kept texts (the frozen vocabulary freezes again to the same terms). */
    t->fitting = 1;
    t->nfolds = t->o.folds >= 2 && t->rows >= t->o.folds ? t->o.folds : 0;
    medtone_status st = freeze(t);
    if (st != MEDTONE_OK) return st;
    int outgrown = 0;
    if (t->cached) {
        st = build_features(t, &outgrown);
        if (st != MEDTONE_OK) return st;
        if (outgrown) {
            t->cached = 0;
            free_texts(t);
            for (size_t id = 0; t->info && id < mt_vocab_size(t->vocab); id++)
                t->info[id].v0_num = t->info[id].v0_den = 0; /* the statistics pass redoes them */
        }
    }
    if (t->flag < 0 && t->cached) mt_features_finish_stats(t->info, mt_vocab_size(t->vocab));
    st = init_models(t);
    if (st != MEDTONE_OK) return nomem(t);
    if (mt_reserve((void **)&t->cv, &t->cv_cap, t->rows, sizeof *t->cv) != 0) return nomem(t);
    if (t->cached) {
        progress(t, "training in memory: %u epochs, %u folds", t->o.epochs, t->nfolds);
        st = train_in_memory(t);
        if (st == MEDTONE_OK) st = finish(t);
        if (st == MEDTONE_OK) {
            free_texts(t);
            free_features(t);
        }
        return st;
    }
    if (!again) {
        set_error(t,
                  "the rows exceed the memory budget (%zu MB): they must be read again "
                  "(see medtone_trainer_fit)",
                  t->o.memory_mb);
        t->state = ST_BROKEN;
        return MEDTONE_ERR_TOO_LARGE;
    }
    t->state = t->flag < 0 ? ST_STATS : ST_EPOCH;
    t->pass = 1;
    t->pass_rows = 0;
    progress(t, "streaming: %u more passes over the rows", t->o.epochs + 1 + (t->flag < 0 ? 1 : 0));
    *again = 1;
    return MEDTONE_OK;
}

medtone_status medtone_trainer_fit(medtone_trainer *t, int *again)
{
    if (!t) return MEDTONE_ERR_INVALID_ARG;
    t->error[0] = '\0';
    if (again) *again = 0;
    if (t->state == ST_DONE || t->state == ST_BROKEN) {
        set_error(t, t->state == ST_DONE ? "the trainer is already fitted"
                                         : "the training failed earlier");
        return MEDTONE_ERR_INVALID_ARG;
    }
    if (t->state == ST_READ0) return end_first_pass(t, again);
    if (t->pass_rows != t->rows) {
        set_error(t, "pass %u had %zu rows, the first %zu", t->pass + 1, t->pass_rows, t->rows);
        t->state = ST_BROKEN;
        return MEDTONE_ERR_INVALID_ARG;
    }
    medtone_status st = MEDTONE_OK;
    unsigned first_epoch_pass = t->flag < 0 ? 2 : 1;
    if (t->state == ST_STATS) {
        mt_features_finish_stats(t->info, mt_vocab_size(t->vocab));
        t->state = ST_EPOCH;
    } else if (t->state == ST_EPOCH) {
        unsigned epoch = t->pass - first_epoch_pass + 1;
        st = end_epoch(t, epoch);
        if (epoch == t->o.epochs) t->state = ST_EVAL;
    } else if (t->state == ST_EVAL) {
        st = finish(t);
        if (st != MEDTONE_OK) t->state = ST_BROKEN;
        return st;
    }
    if (st != MEDTONE_OK) {
        t->state = ST_BROKEN;
        return st;
    }
    t->pass++;
    t->pass_rows = 0;
    *again = 1;
    return MEDTONE_OK;
}

/* ----- results ------------------------------------------------------------------------------- */

size_t medtone_trainer_row_count(const medtone_trainer *t)
{
    return t ? t->rows : 0;
}

size_t medtone_trainer_class_count(const medtone_trainer *t, int cls)
{
    int n = t && t->flag >= 0 ? 2 : 3;
    return t && cls >= 0 && cls < n ? t->classes[cls] : 0;
}

size_t medtone_trainer_fold_count(const medtone_trainer *t)
{
    return t && t->state == ST_DONE ? t->nfolds : 0;
}

static double metric_of(const medtone_trainer *t, const double (*table)[MT_METRICS], int metric,
                        size_t fold)
{
    if (!t || t->state != ST_DONE || metric < 1 || metric >= MT_METRICS) return NAN;
    if (fold == MEDTONE_TRAIN_MEAN) return table[MT_MEAN_SLOT][metric];
    return fold < t->nfolds ? table[fold][metric] : NAN;
}

double medtone_trainer_metric(const medtone_trainer *t, medtone_train_metric metric, size_t fold)
{
    return t ? metric_of(t, t->metric, (int)metric, fold) : NAN;
}

double medtone_trainer_baseline_metric(const medtone_trainer *t, medtone_train_metric metric,
                                       size_t fold)
{
    return t ? metric_of(t, t->baseline, (int)metric, fold) : NAN;
}

const char *medtone_train_metric_name(medtone_train_metric metric)
{
    static const char *const names[MT_METRICS] = {NULL,  "f1",       "precision", "recall",
                                                  "auc", "spearman", "pearson",   "macro_f1"};
    return metric >= 1 && metric < MT_METRICS ? names[metric] : "unknown";
}

size_t medtone_trainer_term_count(const medtone_trainer *t)
{
    return t && t->state == ST_DONE ? t->nterms : 0;
}

const char *medtone_trainer_term(const medtone_trainer *t, size_t i)
{
    if (!t || t->state != ST_DONE || i >= t->nterms) return "";
    size_t len;
    return mt_vocab_key(t->vocab, t->terms[i].id, &len);
}

double medtone_trainer_term_weight(const medtone_trainer *t, size_t i)
{
    return t && t->state == ST_DONE && i < t->nterms ? t->terms[i].weight : 0;
}

double medtone_trainer_bias(const medtone_trainer *t)
{
    return t && t->state == ST_DONE && t->flag >= 0 ? t->models[t->nfolds].b : 0;
}

const char *medtone_trainer_last_error(const medtone_trainer *t)
{
    return t ? t->error : "";
}
