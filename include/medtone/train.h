/*
 * medtone/train.h — learning a lexicon layer from labeled posts.
 *
 * A team that labels a few thousand of its own posts can teach medtone its vocabulary and keep
 * the explanations: what medtone learns is a LEXICON LAYER (terms and weights, in the same TSV
 * format as every other layer, loaded like any layer), so every learned decision is explained by
 * the terms that fired. The layer CORRECTS the hand-written model rather than replacing it: the
 * analyzer's own output (the sentiment compound, or the flag's score) enters training as a fixed
 * starting point, and the learned weights say how the data disagrees with it.
 *
 * Included by medtone.h; it may also be included on its own. The contract at the top of
 * medtone.h holds here too: opaque handles, `*_free(NULL)` does nothing, status returns with
 * out-parameters last, a failed call leaves its objects as they were, nothing prints or aborts.
 *
 * A typical program (the `medtone train` command does this; see docs/train.md):
 *
 *     medtone_trainer *tr;
 *     medtone_trainer_new(an, MEDTONE_FLAG_MISINFO, &tr);       // or MEDTONE_TRAIN_SENTIMENT
 *     medtone_trainer_set_option(tr, MEDTONE_TRAIN_FOLDS, 5);
 *     int again;
 *     do {
 *         for each labeled row:
 *             medtone_trainer_add(tr, text, len, label);         // flag: 1 or 0
 *     } while (medtone_trainer_fit(tr, &again) == MEDTONE_OK && again);
 *     medtone_trainer_metric(tr, MEDTONE_METRIC_F1, MEDTONE_TRAIN_MEAN);   // cross-validated
 *     medtone_trainer_write_layer(tr, "learned.tsv", "data: posts.tsv");
 *     medtone_analyzer_load_cues(an2, "learned.tsv");           // a sentiment layer: _lexicon
 *
 * What is learned, and how it applies:
 *   - Terms are the analyzer's own: normalized unigrams and bigrams of the tokenizer, hashtags,
 *     emoji, with negation marked ("not effective" is a term of its own; inside the scope of
 *     "not", "effective" is not counted as "effective").
 *   - A FLAG target learns a cue layer: a regularized logistic regression with the flag's current
 *     score as offset. The layer's header says `#@ target NAME` and `#@ bias X`, its lines carry
 *     the tag `learned`. Load it with medtone_analyzer_load_cues; then for a text with learned
 *     terms, score = logistic(logit(module score) + bias + the weights of the distinct learned
 *     terms present), and every term that raised the score is evidence (its cue is the term).
 *     The output is calibrated on held-out folds (Platt scaling of the learned part), so the
 *     flag's threshold means the same probability after training as before.
 *   - The SENTIMENT target learns a sentiment layer: least squares on the compound scale, through
 *     the scorer's own rules (negation, boosters, contrast, ... apply to learned valences as to
 *     any). A term the hand-written lexicon has gets its corrected valence (hand + learned delta,
 *     within -4..4, its tags kept); a new term gets its learned valence; "not effective" becomes
 *     a two-word term. Load it with medtone_analyzer_load_lexicon.
 *
 * Determinism: the same rows in the same order, the same options and the same seed give a
 * byte-identical layer (the date in its header aside: see MEDTONE_TRAIN_DATE). No randomness
 * comes from the clock; folds and the order of training rows come from the seed.
 *
 * Memory: rows are kept (as text, then as features) while they fit MEDTONE_TRAIN_MEMORY_MB;
 * medtone_trainer_fit then trains in one call. Beyond that the trainer streams: fit asks for the
 * rows again (*again = 1), once per pass (counting, then one pass per epoch, then one to measure),
 * and holds only the vocabulary (at most MEDTONE_TRAIN_MAX_TERMS terms), the models, and about 50
 * bytes per row for the cross-validated scores. In streaming the rows train in the order given
 * (in memory, in a seeded random order): shuffle a file sorted by label.
 *
 * Thread safety: a trainer belongs to one thread at a time. It reads its analyzer, which may be
 * shared with other threads as usual; keep the analyzer alive and unchanged while the trainer
 * lives.
 */
#ifndef MEDTONE_TRAIN_H
#define MEDTONE_TRAIN_H

#include <stddef.h>

#include "../medtone.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct medtone_trainer medtone_trainer;

/* The target that is not a flag: learn a sentiment layer. */
#define MEDTONE_TRAIN_SENTIMENT ((size_t)-1)

/* Settings, through medtone_trainer_set_option. Values are stable; new ones are only appended. */
typedef enum medtone_train_option {
    /* >= 0, default 1e-4 for a flag, 1e-5 for sentiment: L2 penalty per row on each learned
     * weight (pulls it towards the hand-written model). */
    MEDTONE_TRAIN_L2 = 1,
    /* >= 0, default 0: L1 penalty (proximal steps): a larger value zeroes more weights, for a
     * shorter, more readable layer. */
    MEDTONE_TRAIN_L1 = 2,
    /* 1..1e9, default 3: the fewest rows a term must occur in to be learned. */
    MEDTONE_TRAIN_MIN_COUNT = 3,
    /* 0..1e9, default 0 (no limit) for a flag, 2000 for sentiment: keep at most this many
     * terms, those of largest weight (chosen after half the epochs; the rest train on). */
    MEDTONE_TRAIN_TOP_K = 4,
    /* 0..2^53, default 1: the seed of the folds and of the order of training rows. */
    MEDTONE_TRAIN_SEED = 5,
    /* 0 (no cross-validation) or 2..20, default 5: folds of the cross-validation. */
    MEDTONE_TRAIN_FOLDS = 6,
    /* 1..1000, default 10: passes of stochastic gradient descent over the rows. */
    MEDTONE_TRAIN_EPOCHS = 7,
    /* > 0 and <= 10, default 0.1: the base learning rate (AdaGrad). */
    MEDTONE_TRAIN_LEARNING_RATE = 8,
    /* 1000..67108864, default 1048576: the most distinct terms counted at once (the vocabulary is
     * capped: rare terms are dropped when it is full) and learned. */
    MEDTONE_TRAIN_MAX_TERMS = 9,
    /* 1..1048576, default 512: megabytes of rows kept in memory before the trainer streams. */
    MEDTONE_TRAIN_MEMORY_MB = 10,
    /* -1 (default: the time of writing) or 0..2^53: the date written in the layer's header, in
     * seconds since 1970 (UTC). Fix it for reproducible files. */
    MEDTONE_TRAIN_DATE = 11,
    /* 0..1, default 0.2, sentiment only: a label below -band is negative, above +band positive,
     * else neutral (for the class counts and macro-F1). 0 makes the class the label's sign. */
    MEDTONE_TRAIN_CLASS_BAND = 12,
    /* 1 (default) or 0, flags only: calibrate the learned part on held-out folds. */
    MEDTONE_TRAIN_CALIBRATE = 13
} medtone_train_option;

/* Measures of the cross-validation. Values are stable; new ones are only appended. */
typedef enum medtone_train_metric {
    MEDTONE_METRIC_F1 = 1,        /* flags: of the flag firing at its threshold */
    MEDTONE_METRIC_PRECISION = 2, /* flags */
    MEDTONE_METRIC_RECALL = 3,    /* flags */
    MEDTONE_METRIC_AUC = 4,       /* flags: ROC-AUC of the score */
    MEDTONE_METRIC_SPEARMAN = 5,  /* sentiment: Spearman rho of the compound with the label */
    MEDTONE_METRIC_PEARSON = 6,   /* sentiment: Pearson r */
    MEDTONE_METRIC_MACRO_F1 = 7   /* sentiment: macro-F1 of the three classes (compound +-0.05) */
} medtone_train_metric;

/* The fold index that asks for the mean over the folds. */
#define MEDTONE_TRAIN_MEAN ((size_t)-1)

/* Progress as it trains ("epoch 3/10: cross-validated f1 0.921 (hand-written 0.776)"), one line
 * without a newline, for a program to show; never called from another thread. */
typedef void (*medtone_train_progress_fn)(const char *message, void *user);

/* A new trainer for `target` (a flag index, or MEDTONE_TRAIN_SENTIMENT) over `analyzer`
 * (borrowed: see Thread safety) into *out, with the default settings. MEDTONE_ERR_INVALID_ARG for
 * a NULL argument, an unknown flag, or a flag target with an analyzer built with MEDTONE_OPT_FLAGS
 * 0; MEDTONE_ERR_NOMEM. On failure *out is NULL. */
MEDTONE_API medtone_status medtone_trainer_new(const medtone_analyzer *analyzer, size_t target,
                                               medtone_trainer **out);
MEDTONE_API void medtone_trainer_free(medtone_trainer *trainer);

/* Changes a setting (ranges above). Only before the first medtone_trainer_add:
 * MEDTONE_ERR_INVALID_ARG afterwards, for an unknown option or a value out of range. */
MEDTONE_API medtone_status medtone_trainer_set_option(medtone_trainer *trainer,
                                                      medtone_train_option option, double value);
/* The current value of a setting in *value; MEDTONE_ERR_INVALID_ARG for an unknown option. */
MEDTONE_API medtone_status medtone_trainer_get_option(const medtone_trainer *trainer,
                                                      medtone_train_option option, double *value);
/* Sets (or with NULL removes) the progress callback. */
MEDTONE_API medtone_status medtone_trainer_set_progress(medtone_trainer *trainer,
                                                        medtone_train_progress_fn fn, void *user);

/* Adds one labeled row: text[0..len) (UTF-8, as medtone_analyze takes it) and its label. A flag
 * target takes 1 (the flag should fire) or 0; the sentiment target a number in [-1, 1], the
 * compound the text deserves (a 1..10 rating r maps to (r - 5.5) / 4.5; negative, neutral,
 * positive to -1, 0, 1). MEDTONE_ERR_INVALID_ARG for another label (medtone_trainer_last_error
 * says which row), or when the trainer is not reading rows (after the last pass);
 * MEDTONE_ERR_TOO_LARGE for a text over MEDTONE_ANALYZE_MAX_BYTES (nothing changes); NOMEM. A
 * failure in the first pass leaves the trainer as it was: the row may be added again, or left
 * out. A failure in a later pass (streaming) leaves only _free to do, as for fit. */
MEDTONE_API medtone_status medtone_trainer_add(medtone_trainer *trainer, const char *text,
                                               size_t len, double label);

/* Ends a pass over the rows. When they all fit in memory, this trains (cross-validation, the
 * final model, calibration) and sets *again to 0. When they did not, it sets *again to 1: add the
 * same rows again, in the same order, and call it again, until *again is 0. `again` may be NULL
 * when the caller cannot read its rows twice; a trainer that needs another pass then fails with
 * MEDTONE_ERR_TOO_LARGE. MEDTONE_ERR_INVALID_ARG with a message for data that cannot be learned
 * from: no rows, one class only (every flag label the same, every sentiment label equal), no term
 * seen in MEDTONE_TRAIN_MIN_COUNT rows, or a pass with another number of rows than the first.
 * After MEDTONE_ERR_NOMEM on the first call (rows in memory), fit may simply be called again;
 * after any other failure, and any failure while streaming, only _free is left to do. */
MEDTONE_API medtone_status medtone_trainer_fit(medtone_trainer *trainer, int *again);

/* Rows of the first pass, and how many were of each class: for a flag 0 = no, 1 = yes; for
 * sentiment 0 negative, 1 neutral, 2 positive (MEDTONE_TRAIN_CLASS_BAND). */
MEDTONE_API size_t medtone_trainer_row_count(const medtone_trainer *trainer);
MEDTONE_API size_t medtone_trainer_class_count(const medtone_trainer *trainer, int cls);

/* Cross-validated measures after a successful fit: `fold` is 0..fold_count-1, or
 * MEDTONE_TRAIN_MEAN for the mean over the folds. Each fold's model is trained on the other folds
 * and scored on this one, exactly as the layer would score it. The baseline is the analyzer as it
 * is (without the learned layer) on the same rows. NaN for a measure of the other kind of target,
 * before fit, or without cross-validation. */
MEDTONE_API size_t medtone_trainer_fold_count(const medtone_trainer *trainer);
MEDTONE_API double medtone_trainer_metric(const medtone_trainer *trainer,
                                          medtone_train_metric metric, size_t fold);
MEDTONE_API double medtone_trainer_baseline_metric(const medtone_trainer *trainer,
                                                   medtone_train_metric metric, size_t fold);
/* "f1", "precision", "recall", "auc", "spearman", "pearson", "macro_f1"; "unknown" otherwise. */
MEDTONE_API const char *medtone_train_metric_name(medtone_train_metric metric);

/* The learned layer, after a successful fit: its terms sorted by weight, largest first. For a
 * flag the weight is the term's logit weight; for sentiment it is the valence the layer gives the
 * term. Strings are owned by the trainer, valid until it is freed. The bias (flags) is 0 for
 * sentiment. */
MEDTONE_API size_t medtone_trainer_term_count(const medtone_trainer *trainer);
MEDTONE_API const char *medtone_trainer_term(const medtone_trainer *trainer, size_t i);
MEDTONE_API double medtone_trainer_term_weight(const medtone_trainer *trainer, size_t i);
MEDTONE_API double medtone_trainer_bias(const medtone_trainer *trainer);

/* The layer as lexicon text (UTF-8 TSV with a header naming the data, the rows and classes, the
 * options, the date and the cross-validated measures), in *data and *len: owned by the trainer,
 * valid until the next call of this function or _write_layer, or _free. `notes` (may be NULL) is
 * free text for the header, such as the data's file names; each of its lines becomes a comment.
 * Pass the text to medtone_analyzer_load_cues_data (flag) or _load_lexicon_data (sentiment).
 * MEDTONE_ERR_INVALID_ARG before a successful fit; NOMEM. */
MEDTONE_API medtone_status medtone_trainer_layer_data(medtone_trainer *trainer, const char *notes,
                                                      const char **data, size_t *len);
/* The same text written to a file (replaced if it exists). MEDTONE_ERR_IO when it cannot be
 * written (medtone_trainer_last_error names the file). */
MEDTONE_API medtone_status medtone_trainer_write_layer(medtone_trainer *trainer, const char *path,
                                                       const char *notes);

/* What the last failed call on this trainer was about, or "". Owned by the trainer, valid until
 * its next call. */
MEDTONE_API const char *medtone_trainer_last_error(const medtone_trainer *trainer);

#ifdef __cplusplus
}
#endif

#endif /* MEDTONE_TRAIN_H */
