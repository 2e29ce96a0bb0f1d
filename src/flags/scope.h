/* scope.h — what aspects.c and negative.c share: where a token's item is, how far apart two items
 * are (the strongest clause or sentence boundary between them, with "Dr." not ending a sentence),
 * and how a cue of lexicons/cues-aspects.tsv is weighed. Both modules must read scope and cue
 * weights the same way. */
#ifndef MEDTONE_FLAGS_SCOPE_H
#define MEDTONE_FLAGS_SCOPE_H

#include <stddef.h>
#include <stdint.h>

#include "flags.h"
#include "lexicon.h"
#include "result.h"

/* How far apart two items are, by the strongest boundary between them. */
enum { MT_SAME_STRETCH = 0, MT_ACROSS_TURN = 1, MT_ACROSS_CLAUSE = 2, MT_ACROSS_SENTENCE = 3 };
/* The weight of a term for an anchor that far away: a contrast word turns the opinion ("great
 * nurses but awful food"), a comma keeps more of it, another sentence less. */
extern const double mt_scope_weight[4];

/* The index of the item that holds token `tok` (items are in token order; r->nitems > 0). */
size_t mt_item_of_token(const medtone_result *r, size_t tok);
/* The strongest boundary between items a <= b. */
int mt_scope_level_between(const mt_flag_ctx *ctx, size_t a, size_t b);
/* Where item j stands from the items [a, b]: *level and *dist (0 inside). */
void mt_scope_relation(const mt_flag_ctx *ctx, size_t j, size_t a, size_t b, int *level,
                       size_t *dist);
/* Lexicographic order of (level, distance). */
int mt_scope_closer(int l1, size_t d1, int l2, size_t d2);
/* The first cue hit that ends at or after token `tok` (hits are in token order). */
size_t mt_first_hit_from(const mt_flags_state *f, size_t tok);

/* The cue lexicon merges every cues-*.tsv: a word several files list keeps all their tags but the
 * weight of the file merged last. A weight means what cues-aspects.tsv says only when the line is
 * ours (or a user layer's that uses only our tags); otherwise our tags on the word count at
 * MT_ASPECT_CUE_FOREIGN_WEIGHT ("meds" is weighed by cues-drugs.tsv), and any drug word of another
 * file is a weak medication cue ("metformin made me dizzy" is about medication). */
#define MT_ASPECT_CUE_OWN_LAYER      "cues-aspects"
#define MT_ASPECT_CUE_OWN_TAGS       (MT_TAG_ORG | MT_TAG_ASPECT_ALL)
#define MT_ASPECT_CUE_FOREIGN_WEIGHT 1.5
#define MT_ASPECT_CUE_DRUG_WEIGHT    1.0

/* The index of our layer in the cue lexicon, or (size_t)-1 when it is not loaded. The framework
 * finds it once per text (mt_flag_ctx.aspect_own). */
size_t mt_aspect_cue_own_layer(const mt_flag_ctx *ctx);
int mt_aspect_cue_is_own(size_t own, const mt_entry *e);
/* The weight of a cue in our sense (see MT_ASPECT_CUE_OWN_LAYER). */
double mt_aspect_cue_weight(size_t own, const mt_entry *e);
/* The writer's own state or an event that befell them, not the organization's doing: our org cues
 * below zero ("i'm scared", "worried about", "passed away"), and other flags' cues for a body or
 * an emergency: a diagnosis (privacy's health-info: "miscarriage"), a reaction ("irritable"), a
 * crisis ("heart attack", "shooting"; not the figurative ones, which crisis weighs below zero:
 * "this wait is killing me" stays a complaint). */
int mt_aspect_cue_is_own_state(size_t own, const mt_entry *e);
/* The writer's own state near a term: a symptom or a test item. */
int mt_is_illness_item(const mt_item *it);

/* The few items of a text that a module's search around each term acts on (an @mention, an
 * illness item, a money token...), listed once per text in item order, so the search steps
 * through them instead of testing every item in its reach. Past MT_ITEM_LIST_MAX of them `all`
 * is set and the steps cover every item, as a plain loop would. */
#define MT_ITEM_LIST_MAX 256
typedef struct mt_item_list {
    uint32_t item[MT_ITEM_LIST_MAX];
    size_t n;
    int all;
} mt_item_list;

/* Inline, so that `keep` (a module's small static test) is inlined too. */
static inline void mt_item_list_build(const medtone_result *r,
                                      int (*keep)(const medtone_result *r, size_t k),
                                      mt_item_list *out)
{
    out->n = 0;
    out->all = 0;
    for (size_t k = 0; k < r->nitems; k++) {
        if (!keep(r, k)) continue;
        if (out->n == MT_ITEM_LIST_MAX || k > UINT32_MAX) {
            out->all = 1;
            return;
        }
        out->item[out->n++] = (uint32_t)k;
    }
}

/* The listed items in [lo, hi], in order:
 *     for (size_t c, k = mt_item_list_first(l, lo, &c); k <= hi; k = mt_item_list_next(l, k, &c))
 * (c is the position in the list; past the last item k is SIZE_MAX). */
static inline size_t mt_item_list_first(const mt_item_list *l, size_t lo, size_t *c)
{
    *c = 0;
    if (l->all) return lo;
    size_t m = 0;
    while (m < l->n && l->item[m] < lo)
        m++;
    *c = m + 1;
    return m < l->n ? l->item[m] : SIZE_MAX;
}

static inline size_t mt_item_list_next(const mt_item_list *l, size_t k, size_t *c)
{
    if (l->all) return k + 1;
    return *c < l->n ? l->item[(*c)++] : SIZE_MAX;
}

#endif
