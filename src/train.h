/* train.h — the trainer's internal view (`medtone train`, include/medtone/train.h). The work is
 * split by job:
 *   train.c           the handle, its settings, rows and passes (what runs when)
 *   train_vocab.c     the capped vocabulary: terms, the rows they occur in, freezing
 *   train_features.c  from a text to features, through the analyzer (n-grams or scorer probes)
 *   train_model.c     the models: predictions, gradient steps, pruning, calibration
 *   train_cv.c        the measures of the cross-validation
 *   train_write.c     the layer as lexicon text */
#ifndef MT_TRAIN_H
#define MT_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "medtone.h"
#include "lexicon.h"

/* The scorer's squashing constant (score.c ALPHA): compound = S / sqrt(S^2 + ALPHA). The tests
 * check that the sentiment model reproduces the scorer's compound, so a change there shows. */
#define MT_TRAIN_ALPHA 15.0

/* ----- vocabulary (train_vocab.c) ------------------------------------------------------------ */

typedef struct mt_vocab mt_vocab;

mt_vocab *mt_vocab_new(size_t max_terms);
void mt_vocab_free(mt_vocab *v);
/* Counts the term once for row `row` (a term seen again in the same row is not counted again).
 * When the vocabulary is full, the rarest terms are dropped to make room (so a count is a lower
 * bound). Returns 0 or -1 when out of memory. */
int mt_vocab_count(mt_vocab *v, const char *key, size_t len, uint32_t row);
/* Takes back the counts of row `row` (the last row counted), after it failed half-way. */
void mt_vocab_uncount(mt_vocab *v, uint32_t row);
/* Keeps the terms counted in at least min_count rows and accepted by keep (may be NULL; it
 * returns 1 to keep a term, 0 to drop it, -1 when out of memory), at most
 * max_terms of them (the most frequent, ties by bytes), renumbered 0..size-1 in byte order.
 * Returns 0 or -1 when out of memory (the vocabulary is then unchanged). */
int mt_vocab_freeze(mt_vocab *v, size_t min_count, size_t max_terms,
                    int (*keep)(void *user, const char *key, size_t len), void *user);
/* The id of a term, or -1. */
long mt_vocab_find(const mt_vocab *v, const char *key, size_t len);
size_t mt_vocab_size(const mt_vocab *v);
const char *mt_vocab_key(const mt_vocab *v, size_t id, size_t *len); /* NUL-terminated */
uint32_t mt_vocab_rows(const mt_vocab *v, size_t id); /* rows the term was counted in */
size_t mt_vocab_bytes(const mt_vocab *v);             /* memory held, for the budget */

/* ----- rows and features --------------------------------------------------------------------- */

/* A vocabulary term in a row: for a flag, present (x = 1); for sentiment, x = the sum over its
 * occurrences of the scorer's multiplier of its valence there (negation, boosters, contrast, ...:
 * its contribution is valence * x). */
typedef struct mt_feat {
    uint32_t id;
    uint32_t n; /* occurrences summed into x (sentiment; 1 for a flag) */
    float x;
} mt_feat;

/* A row as the models see it. */
typedef struct mt_row {
    double label;
    double offset; /* flag: logit of the analyzer's score; sentiment: the sum of the fixed terms */
    double baseline; /* the analyzer's own output: the flag score or the compound */
    uint32_t nfixed; /* sentiment: terms that are not learned (they count in the root of N) */
    uint32_t nfeat;
    size_t feat0; /* first feature in the feature array */
    uint8_t fold;
} mt_row;

/* What the sentiment model knows of one vocabulary term. */
enum { MT_TERM_NEW, MT_TERM_HAND, MT_TERM_NEGATION };
typedef struct mt_term_info {
    const mt_entry *hand; /* the hand-written entry (MT_TERM_HAND), in the analyzer's lexicon */
    double v0;            /* the valence before learning: the hand valence, or for "not X" the
                           * hand-written scorer's value of the phrase (0 for a new term) */
    double lo, hi;        /* bounds of v0 + delta */
    double probe;         /* the valence the probe lexicon gives it (+1, or -1 for a symptom) */
    double v0_num, v0_den;
    int kind;
} mt_term_info;

/* ----- features (train_features.c) ----------------------------------------------------------- */

typedef struct mt_features mt_features;

/* `flag` is a flag index, or -1 for sentiment. */
mt_features *mt_features_new(const medtone_analyzer *an, int flag);
void mt_features_free(mt_features *fx);
/* Pass 0: counts the candidate terms of one text in v for row `row`. */
medtone_status mt_features_count(mt_features *fx, mt_vocab *v, const char *text, size_t len,
                                 uint32_t row);
/* Which counted terms may be learned: a term must read back as itself from a lexicon file (the
 * loader normalizes terms as the tokenizer does), and sentiment terms must not drive a rule.
 * 1 keep, 0 drop, -1 out of memory. */
int mt_features_keep(void *fx, const char *key, size_t len);
/* After the vocabulary is frozen: prepares the per-term information (sentiment: the hand
 * entries, bounds, and the probe lexicon that measures multipliers). info has vocab-size slots. */
medtone_status mt_features_prepare(mt_features *fx, const mt_vocab *v, mt_term_info *info);
/* The features of one text into *row and (*feats)[*nfeats...] (grown with mt_reserve), adding to
 * the sentiment statistics of info (v0 of negated terms) when collect is set. */
medtone_status mt_features_row(mt_features *fx, const mt_vocab *v, mt_term_info *info, int collect,
                               const char *text, size_t len, mt_row *row, mt_feat **feats,
                               size_t *nfeats, size_t *cap);
/* Ends the statistics pass: v0 of the negated terms from their sums. */
void mt_features_finish_stats(mt_term_info *info, size_t n);

/* ----- models (train_model.c) ---------------------------------------------------------------- */

typedef struct mt_model_opts {
    double l2, l1, lr;
    double rows; /* rows the model trains on (scales the per-row penalties) */
} mt_model_opts;

typedef struct mt_model {
    size_t n;
    double *w;          /* flag: logit weights; sentiment: deltas of the valences */
    double *g2;         /* AdaGrad: the sum of squared gradients per weight */
    unsigned char *off; /* pruned by top-K: held at 0 */
    double b, gb2;
} mt_model;

int mt_model_init(mt_model *m, size_t n);
void mt_model_free(mt_model *m);
/* The learned part of a flag's logit for a row (bias when a term with a weight is present, plus
 * the weights), in *learned, and whether any such term is present. */
int mt_model_flag_learned(const mt_model *m, const mt_row *r, const mt_feat *f, double *learned);
/* The compound the sentiment layer gives a row. */
double mt_model_compound(const mt_model *m, const mt_term_info *info, const mt_row *r,
                         const mt_feat *f);
/* The model's prediction for a row, on the scale of the analyzer's output: the flag score (with
 * calibration a, c applied to the learned part) or the compound. */
double mt_model_predict(const mt_model *m, const mt_term_info *info, int flag, const mt_row *r,
                        const mt_feat *f, double a, double c);
/* One stochastic gradient step on a row. df holds each term's row count (penalty scaling). */
void mt_model_step(mt_model *m, const mt_term_info *info, int flag, const mt_model_opts *o,
                   const uint32_t *df, const mt_row *r, const mt_feat *f);
/* Keeps the k weights of largest magnitude (ties: lower id) and holds the others at 0. */
int mt_model_prune(mt_model *m, size_t k);
/* Rounds the weights to what the layer file writes, so that the model and the file agree. */
void mt_model_round(mt_model *m, const mt_term_info *info, int flag);

/* Platt scaling of the learned part: the a, c of p = logistic(offset + a * learned + c * any)
 * that fit the labels best, with 0 < a <= a_max (so that scaled weights stay within what a layer
 * may write); a = 1, c = 0 when that fails. Arrays of n rows. */
void mt_calibrate(const double *offset, const double *learned, const unsigned char *any,
                  const double *label, size_t n, double a_max, double *a, double *c);
/* The largest weight magnitude of a model (for a_max). */
double mt_model_max_weight(const mt_model *m);

/* ----- cross-validation measures (train_cv.c) ------------------------------------------------ */

#define MT_METRICS   8 /* indexed by medtone_train_metric */
#define MT_MAX_FOLDS 20
#define MT_MEAN_SLOT 20 /* in the per-fold tables, the mean over the folds */

/* The measures of predictions pred[0..n) against labels (flag: 0/1 with the threshold; sentiment:
 * [-1, 1] with the class band) into out[MT_METRICS] (NaN for those of the other target). Returns
 * -1 when out of memory. */
int mt_cv_measure(int flag, double threshold, double band, const double *pred, const double *label,
                  size_t n, double *out);
/* The class of a label (flag: 0/1; sentiment: 0 negative, 1 neutral, 2 positive). */
int mt_label_class(int flag, double band, double label);

/* ----- the trainer (train.c) ----------------------------------------------------------------- */

#define MT_TRAIN_OPTIONS 14 /* medtone_train_option values are below this */

typedef struct mt_train_opts {
    double l2, l1, lr, band, date;
    size_t min_count, top_k, max_terms, memory_mb;
    unsigned folds, epochs;
    uint64_t seed;
    int calibrate;
} mt_train_opts;

/* Per-row results of the cross-validation (one per row of the first pass). */
typedef struct mt_cv_row {
    double label, baseline, offset, learned, pred;
    uint8_t fold, any;
} mt_cv_row;

/* A term of the finished layer. */
typedef struct mt_layer_term {
    uint32_t id;
    double weight; /* what the file writes: the flag weight, or the sentiment valence */
    double delta;  /* sentiment: the learned change of the valence */
} mt_layer_term;

struct medtone_trainer {
    const medtone_analyzer *an;
    int flag;                       /* -1: sentiment */
    double value[MT_TRAIN_OPTIONS]; /* as set, by medtone_train_option */
    mt_train_opts o;                /* the same, typed */
    medtone_train_progress_fn progress;
    void *progress_user;
    char error[512];

    int state;        /* see train.c */
    int fitting;      /* fit has started: no more rows of the first pass */
    unsigned pass;    /* streaming: the pass being read */
    size_t rows;      /* rows of the first pass */
    size_t pass_rows; /* rows read in the current pass */
    size_t classes[3];
    double label_min, label_max;

    mt_features *fx;
    mt_vocab *vocab;
    mt_term_info *info; /* sentiment; NULL for flags */
    uint32_t *df;

    /* Rows kept in memory: texts until the vocabulary is frozen, then features. */
    int cached;
    char *texts;
    size_t texts_len, texts_cap;
    size_t *text_off;
    double *text_label;
    size_t text_off_cap, text_label_cap;
    mt_row *row;
    size_t row_cap;
    mt_feat *feat;
    size_t nfeat, feat_cap;

    /* Streaming scratch: one row. */
    mt_row one;
    mt_feat *one_feat;
    size_t one_nfeat, one_cap;

    unsigned nfolds;
    mt_model *models; /* nfolds fold models, then the final model */
    mt_cv_row *cv;
    size_t cv_cap;
    double cal_a, cal_c;
    double metric[MT_MAX_FOLDS + 1][MT_METRICS], baseline[MT_MAX_FOLDS + 1][MT_METRICS];

    mt_layer_term *terms;
    size_t nterms;
    char *layer;
    size_t layer_len, layer_cap;
};

/* The finished layer's text (train_write.c), into t->layer. */
medtone_status mt_train_write(medtone_trainer *t, const char *notes);

#endif
