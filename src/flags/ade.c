/* ade.c — the adverse-drug-event flag: a drug or treatment named together with a reaction the
 * writer (or someone they care for) had. "started lisinopril and now I can't stop coughing".
 *
 * Where the words come from:
 *   - reactions: cue hits tagged `reaction` with a positive weight (lexicons/cues-reactions.tsv),
 *     and health-layer sentiment items tagged `side-effect` that no drug or reaction cue covers
 *     (so a phrase that is also another flag's cue, "chest pain", still counts); plus one pattern
 *     in code: a weight verb, a number and a unit ("gained 20 lbs");
 *   - drugs: cue hits tagged `drug` (lexicons/cues-drugs.tsv, their weight read as certainty),
 *     health-layer items tagged `drug`, and DOSE tokens ("50mg");
 *   - guards: `reaction` cues of weight 0 ("sick of", "what a headache") hide what they cover;
 *   - frames: `reaction` cues of negative weight ("may include", "can cause", "i heard") mark
 *     their sentence as information, hearsay or hypothesis.
 *
 * How a reaction R scores, in evidence units:
 *     weight of R (0.5..3)
 *   + proximity to the drug D paired with it: same clause, same sentence, next, two away
 *   + the frame around the pair, scaled down for vague reactions: first person ("I", "my"), lived
 *     experience ("been", "feeling", "day"), a causal link ("gave me", "since", "from"), a word
 *     before D saying the writer takes it ("on lexapro", "my gabapentin")
 *   + a worsening or intensity word beside R ("worse", "unbearable")
 *   - a frame cue in R's sentence; a hypothesis ("if I get a rash"); a drug not taken yet
 *     ("scared to start Accutane"); a question without "I"; advice to "you" without "I"
 * R does not count at all when it is negated ("no nausea", "didn't make me dizzy"), when it is
 * the indication ("ibuprofen for my headaches", "nausea meds", "Claritin stopped my itchy eyes"),
 * or when it is relieved ("my headaches are gone since starting propranolol"), unless the writer
 * stopped the drug: then relief is evidence that the drug caused it ("stopped the statin and the
 * muscle pain went away"). The post's evidence is the best reaction's, plus a share of the other
 * reactions paired with a drug (a list of reactions is a stronger report); the score is a
 * logistic of it.
 *
 * No allocation: the walk over mentions merges the cue hits and the items with cursors, and the
 * searches ahead only move forward, so the module is linear in the text; evidence goes through
 * mt_flag_evidence. */
#include <math.h>
#include <string.h>

#include "analyzer.h"
#include "flags.h"
#include "lexicon.h"
#include "result.h"
#include "tokenize.h"

/* Proximity bonus by distance from the reaction to the nearest drug. */
#define PROX_SAME_CLAUSE   1.0
#define PROX_SAME_SENTENCE 0.8
#define PROX_NEXT_SENTENCE 0.6
#define PROX_TWO_SENTENCES (-0.4)
#define MAX_SENTENCE_GAP   2u
/* The writer's frame around the pair. */
#define BONUS_FIRST_PERSON 1.0
#define BONUS_EXPERIENCE   0.6
#define BONUS_CAUSAL       0.6
/* The word before the drug says the writer takes it: "on lexapro", "my gabapentin", "started X". */
#define BONUS_TAKING 0.8
/* The frame bonuses count fully for a reaction of at least this weight and proportionally less
 * for vaguer words: "takes the edge off my anxiety" must not read as a report of anxiety. */
#define FULL_FRAME_WEIGHT 1.5
#define BONUS_WORSE       0.5
/* Stopping the drug and the reaction going away is a classic sign that the drug caused it. */
#define BONUS_DECHALLENGE 0.3
/* A frame cue of weight -3 costs 3 * FRAME_COST: enough to silence "may include nausea". */
#define FRAME_COST 1.2
/* "if I get a rash": a hypothesis in the reaction's clause. */
#define PENALTY_IF 3.0
/* "does lisinopril cause a cough?": the reaction's clause is a question that does not say "I". */
#define PENALTY_QUESTION 1.0
#define QUESTION_REACH   24
/* "Benadryl makes you drowsy", "call your doctor if you notice swelling": addressed to the reader,
 * in a sentence without "I". */
#define PENALTY_YOU 1.5
/* Further reactions paired with a drug add this share of their weight (up to EXTRA_MAX). */
#define EXTRA_SHARE 0.35
#define EXTRA_MAX   4.0
/* score = 1 / (1 + exp(-SLOPE * (evidence - CENTER))): the weight of a clear reaction with a drug
 * in its clause (about 2.2) plus one frame bonus sits just above CENTER. */
#define CENTER 3.3
#define SLOPE  1.5
/* Reactions below this evidence are not listed as evidence (the best one always is). */
#define EVIDENCE_MIN 2.5
#define EVIDENCE_MAX 16
/* Weights for words found outside the cue lexicon. A health-layer `side-effect` item weighs 0.5 +
 * 0.6 |valence|, within these bounds: its valence says how bad the reaction is ("anaphylaxis" -3
 * weighs 2.3, "side effects" -0.6 weighs 1.2). */
#define W_SIDE_EFFECT_MIN 1.2
#define W_SIDE_EFFECT_MAX 2.5
#define W_WEIGHT_GAIN     2.5
#define W_WEIGHT_LOSS     0.8
#define W_DRUG_ITEM       0.8
#define W_DOSE            0.8
/* A drug cue's weight (lexicons/cues-drugs.tsv: 2 a sure name, 1 a class or an ambiguous name,
 * 0.5..1 a generic word like "shot") becomes a certainty 0.55 + 0.25 w in [0.6, 1]; a pairing
 * with an uncertain drug costs (1 - certainty). NAMED_DRUG is the certainty of a real name. */
#define NAMED_DRUG 0.9
/* How far a negation or a relief word reaches, in items (as the scorer's default scope plus one:
 * "never had a single side effect"). */
#define NEGATION_REACH 4
#define RELIEF_REACH   4
/* Praise right after a drug: a relief word of at least PRAISE ("cured it") or any word of at least
 * STRONG_PRAISE ("a lifesaver", "amazing"). */
#define PRAISE        0.5
#define STRONG_PRAISE 2.0
/* How many modifiers may stand between "for" and the indication ("for my chronic headaches"). */
#define INDICATION_GAP 3

static const char CUE_DRUG[] = "drug";
static const char CUE_REACTION[] = "reaction";

/* ---------------------------------------------------------------------------------------------
 * Words that drive the rules. These are grammar, not vocabulary: the reactions and the frames
 * that a reviewer may want to extend live in lexicons/cues-reactions.tsv.
 * ------------------------------------------------------------------------------------------- */

/* What a word does for the rules, as bits (a word may do several things). */
enum {
    /* "I broke out", "my son got hives": the writer or someone they speak for. */
    W_FIRST_PERSON = 1u << 0,
    /* Lived time and bodily experience: "started X last week", "been on it", "feeling", "day 3". */
    W_EXPERIENCE = 1u << 1,
    /* The writer links the reaction to the drug: "gave me", "since starting", "from the pills". */
    W_CAUSAL = 1u << 2,
    /* The writer stopped the drug: relief that follows is evidence against the drug. */
    W_DISCONTINUE = 1u << 3,
    /* What governs an indication: "for my headaches", "to treat nausea", "prevents migraines". */
    W_INDICATION = 1u << 4,
    /* Relief verbs that take the symptom as object: "Claritin stopped my itchy eyes", "takes the
     * edge off my anxiety". ("killed my appetite" is a reaction phrase of its own, matched
     * whole.) */
    W_RELIEF_VERBS = 1u << 5,
    /* "helps with my nausea", "to deal with the hives": "with" governs only after these. */
    W_WITH_GOVERNORS = 1u << 6,
    /* Words that may stand between a governor and the indication: "for my chronic headaches". */
    W_MODIFIERS = 1u << 7,
    /* "nausea meds", "headache pills": the reaction word names what the drug is for. */
    W_TREATMENT_NOUNS = 1u << 8,
    /* "my headaches are much better", "the swelling went down": improvement after it. */
    W_IMPROVED = 1u << 9,
    /* "less anxiety", "fewer migraines": improvement before it. */
    W_LESSENING = 1u << 10,
    /* "side effects: none". */
    W_NONE = 1u << 11,
    /* Worse or stronger: "made my anxiety worse", "terrible nausea", "were unbearable". */
    W_WORSE = 1u << 12,
    /* "if I get a rash" is a hypothesis ... */
    W_IF = 1u << 13,
    /* ... but "not sure if the rash is from it" is a suspicion, which is still a report. */
    W_IF_REPORTING = 1u << 14,
    /* The word before a drug that says the writer takes it: "on", "my", "started", "new". */
    W_TAKING = 1u << 15,
    /* The reader addressed: "makes you drowsy", "ask your doctor", "if u get a rash". */
    W_SECOND_PERSON = 1u << 16,
    /* A drug not yet taken: "scared to start Accutane", "should I try Lexapro", "before taking
     * it": the verb, the word before "to", and the modal or preposition before the verb. */
    W_START_VERBS = 1u << 17,
    W_PROSPECTIVE_TO = 1u << 18,
    W_PROSPECTIVE_MODAL = 1u << 19,
    /* "gained 20 lbs", "put on 10 kilos", "lost 5 kg". */
    W_GAIN = 1u << 20,
    W_LOSS = 1u << 21,
    W_UNIT = 1u << 22,
    /* "mouth sores and zero appetite": a list goes on, so "zero" is not an absence. */
    W_JOINERS = 1u << 23,
    /* "anyone else get hair loss on it?" asks because the writer has it too. */
    W_ELSE = 1u << 24,
    W_ANYONE = 1u << 25,
};

typedef struct rule_word {
    const char *word; /* normalized */
    uint32_t bits;
} rule_word;

/* Sorted in strcmp (byte) order for the binary search in word_class; mt_flag_ade_selfcheck
 * verifies the order (tests/unit/test_flag_ade.c). Keep it sorted when adding a word. */
static const rule_word rule_words[] = {
    {"a", W_MODIFIERS},
    {"about", W_PROSPECTIVE_TO | W_PROSPECTIVE_MODAL},
    {"afraid", W_PROSPECTIVE_TO},
    {"after", W_CAUSAL},
    {"against", W_INDICATION},
    {"an", W_MODIFIERS},
    {"and", W_JOINERS},
    {"any", W_MODIFIERS},
    {"anybody", W_ANYONE},
    {"anyone", W_ANYONE},
    {"ask", W_IF_REPORTING},
    {"asking", W_IF_REPORTING},
    {"assist", W_WITH_GOVERNORS},
    {"away", W_RELIEF_VERBS | W_IMPROVED},
    {"awful", W_MODIFIERS | W_WORSE},
    {"baby's", W_MODIFIERS},
    {"bad", W_MODIFIERS | W_WORSE},
    {"because", W_CAUSAL},
    {"been", W_EXPERIENCE},
    {"before", W_PROSPECTIVE_MODAL},
    {"began", W_EXPERIENCE | W_TAKING},
    {"begin", W_START_VERBS},
    {"beginning", W_START_VERBS},
    {"begun", W_EXPERIENCE},
    {"better", W_IMPROVED},
    {"broke", W_IMPROVED},
    {"brutal", W_WORSE},
    {"but", W_JOINERS},
    {"calmed", W_RELIEF_VERBS},
    {"calms", W_RELIEF_VERBS},
    {"caused", W_CAUSAL},
    {"causing", W_CAUSAL},
    {"chronic", W_MODIFIERS},
    {"cleared", W_RELIEF_VERBS},
    {"clears", W_RELIEF_VERBS},
    {"cluster", W_MODIFIERS},
    {"considering", W_PROSPECTIVE_TO},
    {"constant", W_MODIFIERS | W_WORSE},
    {"constantly", W_WORSE},
    {"cope", W_WITH_GOVERNORS},
    {"coping", W_WITH_GOVERNORS},
    {"could", W_PROSPECTIVE_MODAL},
    {"courtesy", W_CAUSAL},
    {"crazy", W_WORSE},
    {"cream", W_TREATMENT_NOUNS},
    {"crippling", W_MODIFIERS},
    {"cure", W_INDICATION},
    {"cures", W_INDICATION},
    {"curious", W_IF_REPORTING},
    {"dad's", W_MODIFIERS},
    {"daily", W_MODIFIERS},
    {"daughter's", W_MODIFIERS},
    {"day", W_EXPERIENCE},
    {"days", W_EXPERIENCE},
    {"deal", W_WITH_GOVERNORS},
    {"dealing", W_WITH_GOVERNORS},
    {"debating", W_PROSPECTIVE_TO},
    {"debilitating", W_MODIFIERS | W_WORSE},
    {"decide", W_PROSPECTIVE_TO},
    {"deciding", W_PROSPECTIVE_TO},
    {"decreased", W_LESSENING},
    {"developed", W_EXPERIENCE},
    {"discontinued", W_DISCONTINUE},
    {"ditched", W_DISCONTINUE},
    {"dosage", W_EXPERIENCE},
    {"dose", W_EXPERIENCE},
    {"doubled", W_EXPERIENCE | W_TAKING},
    {"down", W_IMPROVED},
    {"dropped", W_DISCONTINUE},
    {"drops", W_TREATMENT_NOUNS},
    {"due", W_CAUSAL},
    {"ease", W_INDICATION},
    {"eased", W_IMPROVED},
    {"eases", W_INDICATION},
    {"easing", W_IMPROVED},
    {"else", W_ELSE},
    {"ended", W_RELIEF_VERBS},
    {"excruciating", W_WORSE},
    {"experienced", W_EXPERIENCE},
    {"feel", W_EXPERIENCE},
    {"feeling", W_EXPERIENCE},
    {"feels", W_EXPERIENCE},
    {"felt", W_EXPERIENCE},
    {"fewer", W_LESSENING},
    {"fixed", W_RELIEF_VERBS},
    {"fixes", W_RELIEF_VERBS},
    {"for", W_INDICATION},
    {"frequent", W_MODIFIERS},
    {"from", W_CAUSAL},
    {"gain", W_GAIN},
    {"gained", W_GAIN},
    {"gaining", W_GAIN},
    {"gave", W_CAUSAL},
    {"generalized", W_MODIFIERS},
    {"getting", W_EXPERIENCE},
    {"given", W_CAUSAL},
    {"gives", W_CAUSAL},
    {"giving", W_CAUSAL},
    {"go", W_START_VERBS},
    {"going", W_PROSPECTIVE_TO},
    {"gonna", W_PROSPECTIVE_MODAL},
    {"got", W_EXPERIENCE},
    {"gotten", W_EXPERIENCE},
    {"had", W_EXPERIENCE},
    {"having", W_EXPERIENCE},
    {"help", W_WITH_GOVERNORS},
    {"helped", W_WITH_GOVERNORS},
    {"helping", W_WITH_GOVERNORS},
    {"helps", W_WITH_GOVERNORS},
    {"her", W_MODIFIERS},
    {"hesitant", W_PROSPECTIVE_TO},
    {"his", W_MODIFIERS},
    {"hoping", W_PROSPECTIVE_TO},
    {"hormonal", W_MODIFIERS},
    {"horrible", W_MODIFIERS | W_WORSE},
    {"husband's", W_MODIFIERS},
    {"i", W_FIRST_PERSON},
    {"i'd", W_FIRST_PERSON},
    {"i'm", W_FIRST_PERSON},
    {"i've", W_FIRST_PERSON},
    {"idea", W_IF_REPORTING},
    {"if", W_IF},
    {"im", W_FIRST_PERSON},
    {"improved", W_IMPROVED},
    {"improves", W_IMPROVED},
    {"improving", W_IMPROVED},
    {"increased", W_EXPERIENCE | W_TAKING},
    {"injection", W_EXPERIENCE},
    {"insane", W_WORSE},
    {"intense", W_WORSE},
    {"its", W_MODIFIERS},
    {"ive", W_FIRST_PERSON},
    {"kg", W_UNIT},
    {"kgs", W_UNIT},
    {"kid's", W_MODIFIERS},
    {"kills", W_RELIEF_VERBS},
    {"kilo", W_UNIT},
    {"kilos", W_UNIT},
    {"know", W_IF_REPORTING},
    {"lb", W_UNIT},
    {"lbs", W_UNIT},
    {"less", W_LESSENING},
    {"lessened", W_IMPROVED},
    {"lose", W_LOSS},
    {"losing", W_LOSS},
    {"lost", W_LOSS},
    {"lower", W_LESSENING},
    {"lowered", W_EXPERIENCE | W_TAKING},
    {"made", W_CAUSAL},
    {"major", W_MODIFIERS},
    {"makes", W_CAUSAL},
    {"making", W_CAUSAL},
    {"manage", W_INDICATION},
    {"manages", W_INDICATION},
    {"managing", W_INDICATION},
    {"me", W_FIRST_PERSON},
    {"med", W_TREATMENT_NOUNS},
    {"medication", W_TREATMENT_NOUNS},
    {"medicine", W_TREATMENT_NOUNS},
    {"meds", W_TREATMENT_NOUNS},
    {"menstrual", W_MODIFIERS},
    {"might", W_PROSPECTIVE_MODAL},
    {"mild", W_MODIFIERS},
    {"mine", W_FIRST_PERSON},
    {"miserable", W_WORSE},
    {"mom's", W_MODIFIERS},
    {"month", W_EXPERIENCE},
    {"months", W_EXPERIENCE},
    {"morning", W_MODIFIERS},
    {"my", W_FIRST_PERSON | W_MODIFIERS | W_TAKING},
    {"myself", W_FIRST_PERSON},
    {"nada", W_NONE},
    {"nervous", W_PROSPECTIVE_TO},
    {"new", W_TAKING},
    {"night", W_MODIFIERS},
    {"nightly", W_MODIFIERS},
    {"nil", W_NONE},
    {"non-existent", W_NONE},
    {"none", W_NONE},
    {"nonexistent", W_NONE},
    {"nonstop", W_WORSE},
    {"nothing", W_NONE},
    {"noticed", W_EXPERIENCE},
    {"noticing", W_EXPERIENCE},
    {"now", W_EXPERIENCE},
    {"occasional", W_MODIFIERS},
    {"of", W_PROSPECTIVE_MODAL},
    {"off", W_DISCONTINUE | W_RELIEF_VERBS},
    {"on", W_TAKING},
    {"or", W_JOINERS},
    {"our", W_FIRST_PERSON | W_MODIFIERS},
    {"packed", W_GAIN},
    {"patch", W_TREATMENT_NOUNS},
    {"period", W_MODIFIERS},
    {"persistent", W_MODIFIERS},
    {"pill", W_TREATMENT_NOUNS},
    {"pills", W_TREATMENT_NOUNS},
    {"plan", W_PROSPECTIVE_TO},
    {"planning", W_PROSPECTIVE_TO},
    {"plus", W_JOINERS},
    {"postpartum", W_MODIFIERS},
    {"pound", W_UNIT},
    {"pounds", W_UNIT},
    {"prescribed", W_TAKING},
    {"prevent", W_INDICATION},
    {"preventing", W_INDICATION},
    {"prevents", W_INDICATION},
    {"put", W_GAIN},
    {"quit", W_DISCONTINUE},
    {"quitting", W_DISCONTINUE},
    {"raised", W_EXPERIENCE},
    {"ready", W_PROSPECTIVE_TO},
    {"recurring", W_MODIFIERS},
    {"reduce", W_INDICATION},
    {"reduced", W_LESSENING},
    {"reduces", W_INDICATION},
    {"reducing", W_INDICATION},
    {"relentless", W_WORSE},
    {"relief", W_TREATMENT_NOUNS},
    {"relieve", W_INDICATION},
    {"reliever", W_TREATMENT_NOUNS},
    {"relievers", W_TREATMENT_NOUNS},
    {"relieves", W_INDICATION},
    {"reluctant", W_PROSPECTIVE_TO},
    {"remedies", W_TREATMENT_NOUNS},
    {"remedy", W_TREATMENT_NOUNS},
    {"resolved", W_IMPROVED},
    {"scared", W_PROSPECTIVE_TO},
    {"seasonal", W_MODIFIERS},
    {"see", W_IF_REPORTING},
    {"settled", W_RELIEF_VERBS},
    {"settles", W_RELIEF_VERBS},
    {"severe", W_MODIFIERS | W_WORSE},
    {"shot", W_EXPERIENCE},
    {"should", W_PROSPECTIVE_MODAL},
    {"since", W_CAUSAL},
    {"sinus", W_MODIFIERS},
    {"social", W_MODIFIERS},
    {"some", W_MODIFIERS},
    {"son's", W_MODIFIERS},
    {"soothe", W_INDICATION},
    {"soothed", W_RELIEF_VERBS},
    {"soothes", W_INDICATION},
    {"spray", W_TREATMENT_NOUNS},
    {"start", W_EXPERIENCE | W_TAKING | W_START_VERBS},
    {"started", W_EXPERIENCE | W_TAKING},
    {"starting", W_EXPERIENCE | W_TAKING | W_START_VERBS},
    {"still", W_EXPERIENCE},
    {"stone", W_UNIT},
    {"stopped", W_DISCONTINUE | W_RELIEF_VERBS},
    {"stopping", W_DISCONTINUE},
    {"stops", W_RELIEF_VERBS},
    {"stress", W_MODIFIERS},
    {"subsided", W_IMPROVED},
    {"supposed", W_PROSPECTIVE_TO},
    {"sure", W_IF_REPORTING},
    {"switch", W_EXPERIENCE},
    {"switched", W_EXPERIENCE | W_TAKING},
    {"tablet", W_TREATMENT_NOUNS},
    {"tablets", W_TREATMENT_NOUNS},
    {"take", W_EXPERIENCE | W_TAKING | W_START_VERBS},
    {"takes", W_EXPERIENCE | W_TAKING},
    {"taking", W_EXPERIENCE | W_TAKING | W_START_VERBS},
    {"tapered", W_DISCONTINUE},
    {"tapering", W_DISCONTINUE},
    {"tell", W_IF_REPORTING},
    {"tension", W_MODIFIERS},
    {"terrible", W_MODIFIERS | W_WORSE},
    {"terrified", W_PROSPECTIVE_TO},
    {"thanks", W_CAUSAL},
    {"that", W_MODIFIERS},
    {"the", W_MODIFIERS},
    {"their", W_MODIFIERS},
    {"these", W_MODIFIERS},
    {"thinking", W_PROSPECTIVE_TO},
    {"this", W_MODIFIERS},
    {"those", W_MODIFIERS},
    {"today", W_EXPERIENCE},
    {"tonight", W_EXPERIENCE},
    {"took", W_EXPERIENCE | W_TAKING},
    {"treat", W_INDICATION},
    {"treated", W_INDICATION},
    {"treating", W_INDICATION},
    {"treats", W_INDICATION},
    {"tried", W_TAKING},
    {"triggered", W_CAUSAL},
    {"try", W_START_VERBS},
    {"trying", W_TAKING | W_START_VERBS},
    {"u", W_SECOND_PERSON},
    {"unbearable", W_WORSE},
    {"unclear", W_IF_REPORTING},
    {"unless", W_IF},
    {"unsure", W_IF_REPORTING},
    {"upped", W_EXPERIENCE | W_TAKING},
    {"ur", W_SECOND_PERSON},
    {"waking", W_EXPERIENCE},
    {"wanna", W_PROSPECTIVE_TO},
    {"want", W_PROSPECTIVE_TO},
    {"we", W_FIRST_PERSON},
    {"weaned", W_DISCONTINUE},
    {"week", W_EXPERIENCE},
    {"weeks", W_EXPERIENCE},
    {"whether", W_IF},
    {"why", W_CAUSAL},
    {"wife's", W_MODIFIERS},
    {"will", W_PROSPECTIVE_MODAL},
    {"with", W_JOINERS},
    {"woke", W_EXPERIENCE},
    {"wonder", W_IF_REPORTING},
    {"wondered", W_IF_REPORTING},
    {"wondering", W_IF_REPORTING},
    {"worried", W_PROSPECTIVE_TO},
    {"worse", W_WORSE},
    {"worsened", W_WORSE},
    {"worsening", W_WORSE},
    {"worst", W_WORSE},
    {"would", W_PROSPECTIVE_MODAL},
    {"y'all", W_SECOND_PERSON},
    {"ya", W_SECOND_PERSON},
    {"yall", W_SECOND_PERSON},
    {"yesterday", W_EXPERIENCE},
    {"you", W_SECOND_PERSON},
    {"you'll", W_SECOND_PERSON},
    {"you're", W_SECOND_PERSON},
    {"you've", W_SECOND_PERSON},
    {"your", W_MODIFIERS | W_SECOND_PERSON},
    {"yourself", W_SECOND_PERSON},
    {"zero", W_NONE},
};

#define RULE_WORD_COUNT (sizeof rule_words / sizeof rule_words[0])

/* The rule bits of a normalized word (0 for most words): one binary search, no allocation. */
static uint32_t word_class(const char *w)
{
    size_t lo = 0, hi = RULE_WORD_COUNT;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(w, rule_words[mid].word);
        if (c == 0) return rule_words[mid].bits;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return 0;
}

/* Nonzero when rule_words is in strict strcmp order. Not part of the library's API: the unit
 * test declares it, so that a word added out of order fails a test instead of silently never
 * matching. */
int mt_flag_ade_selfcheck(void);
int mt_flag_ade_selfcheck(void)
{
    for (size_t k = 1; k < RULE_WORD_COUNT; k++)
        if (strcmp(rule_words[k - 1].word, rule_words[k].word) >= 0) return 0;
    return 1;
}

int mt_flag_ade_words(mt_wordset *ws)
{
    if (mt_wordset_init(ws, RULE_WORD_COUNT) != 0) return -1;
    for (size_t k = 0; k < RULE_WORD_COUNT; k++)
        if (mt_wordset_put(ws, rule_words[k].word, rule_words[k].bits) != 0) return -1;
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Tokens and items
 * ------------------------------------------------------------------------------------------- */

static const char *norm(const medtone_result *r, size_t tok)
{
    return mt_token_norm(r->tokens, tok);
}

/* The rule bits of token tok: word_class of its normalized form, found with one probe by the
 * token's hash in the analyzer's set of rule words. */
static uint32_t tok_class(const medtone_result *r, size_t tok)
{
    const mt_wordset *ws = &r->analyzer->words[MT_WORDS_ADE];
    if (!ws->slots) return word_class(norm(r, tok));
    return mt_wordset_get(ws, norm(r, tok), r->tokens->tok[tok].norm_len, mt_token_hash(r, tok));
}

static int is_punct(const medtone_result *r, size_t tok)
{
    return r->tokens->tok[tok].kind == MEDTONE_TOKEN_PUNCT;
}

/* The item holding token tok: the last item starting at or before it. */
static size_t item_of(const medtone_result *r, size_t tok)
{
    size_t lo = 0, hi = r->nitems;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->items[mid].tok0 <= tok)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* The first item of sentence s (items are in sentence order). */
static size_t first_item_of_sentence(const medtone_result *r, uint32_t s)
{
    size_t lo = 0, hi = r->nitems;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->items[mid].sentence < s)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static uint32_t item_tags(const mt_item *it)
{
    return it->entry ? it->entry->tags : 0;
}

/* The scorer's notion of a negation word, on the sentiment items. */
static int is_negator(const mt_item *it)
{
    if (item_tags(it) & MT_TAG_NEGATOR) return 1;
    return it->ntok == 1 && (it->flags & MEDTONE_TOKEN_NEGATION) &&
           !(item_tags(it) & (MT_TAG_RELIEF | MT_TAG_BOOSTER));
}

/* An odd number of negations among the items just before item i, in its clause and not past a
 * contrast: "no nausea", "didn't make me dizzy", "haven't noticed any rash". */
static int negated_before(const medtone_result *r, size_t i, size_t reach)
{
    int n = 0;
    for (size_t k = 1; k <= reach && k <= i; k++) {
        const mt_item *p = &r->items[i - k];
        if (p->clause != r->items[i].clause || (item_tags(p) & MT_TAG_CONTRAST)) break;
        if (is_negator(p)) n++;
    }
    return n & 1;
}

/* ---------------------------------------------------------------------------------------------
 * Mentions: drugs, reactions and frames, in text order, from the cue hits and the items.
 * ------------------------------------------------------------------------------------------- */

enum { M_NONE = 0, M_DRUG, M_REACTION, M_GUARD, M_FRAME };

typedef struct mention {
    int kind;
    size_t tok0, ntok; /* tokens */
    size_t off, len;   /* bytes */
    double weight;
    size_t item; /* item holding tok0 */
} mention;

typedef struct walker {
    const medtone_result *r;
    size_t cue;  /* next cue hit */
    size_t item; /* next item */
    /* A cursor for numeric_from: no NUMBER or DOSE token lies in [num_from, num), and token num
     * is one (or num is the token count). Valid when num_ok. */
    size_t num_from, num;
    int num_ok;
} walker;

/* The first NUMBER or DOSE token at or after `from`, or the token count. The items come in token
 * order, so the cursor answers most questions without a look and each token is scanned once. */
static size_t numeric_from(walker *w, size_t from)
{
    if (!(w->num_ok && w->num_from <= from && from <= w->num)) {
        const medtone_tokens *t = w->r->tokens;
        size_t k = from;
        while (k < t->count && t->tok[k].kind != MEDTONE_TOKEN_NUMBER &&
               t->tok[k].kind != MEDTONE_TOKEN_DOSE)
            k++;
        w->num_from = from;
        w->num = k;
        w->num_ok = 1;
    }
    return w->num;
}

static int cue_kind(const mt_cue_hit *h)
{
    uint32_t tags = h->entry->tags;
    if (tags & MT_TAG_DRUG) return M_DRUG;
    if (tags & MT_TAG_REACTION) {
        if (h->entry->valence > 0) return M_REACTION;
        return h->entry->valence < 0 ? M_FRAME : M_GUARD;
    }
    return M_NONE;
}

static double drug_certainty(double w)
{
    double c = 0.55 + 0.25 * w;
    return c < 0.6 ? 0.6 : c > 1.0 ? 1.0 : c;
}

static void set_span(const medtone_result *r, mention *m, size_t tok0, size_t ntok)
{
    const mt_token *a = &r->tokens->tok[tok0], *b = &r->tokens->tok[tok0 + ntok - 1];
    m->tok0 = tok0;
    m->ntok = ntok;
    m->off = a->off;
    m->len = b->off + b->len - a->off;
    m->item = item_of(r, tok0);
}

/* "gained 20 lbs" / "lost 5 kg" at item i: the tokens used (0 when not there) and the weight. */
static size_t weight_change_at(walker *wk, size_t i, double *w)
{
    const medtone_result *r = wk->r;
    const mt_item *it = &r->items[i];
    if (it->ntok != 1) return 0;
    size_t t = it->tok0, n = r->tokens->count;
    /* Most items are not followed by a number within three tokens: look at the kinds first,
     * the words after. */
    size_t first_num = numeric_from(wk, t + 1);
    if (first_num >= n || first_num > t + 3) return 0;
    uint32_t b = tok_class(r, t);
    int gain = (b & W_GAIN) != 0, loss = !gain && (b & W_LOSS) != 0;
    if (!gain && !loss) return 0;
    size_t k = t + 1;
    if (k < n && strcmp(norm(r, k), "on") == 0) k++; /* "put on 15 lbs" */
    if (k < n && (strcmp(norm(r, k), "like") == 0 || strcmp(norm(r, k), "almost") == 0 ||
                  strcmp(norm(r, k), "over") == 0))
        k++;
    if (k >= n) return 0;
    uint16_t kind = r->tokens->tok[k].kind;
    const char *num = norm(r, k);
    size_t nl = strlen(num);
    if (kind == MEDTONE_TOKEN_DOSE && nl >= 2 && strcmp(num + nl - 2, "kg") == 0) {
        *w = gain ? W_WEIGHT_GAIN : W_WEIGHT_LOSS;
        return k + 1 - t;
    }
    if (kind != MEDTONE_TOKEN_NUMBER || k + 1 >= n || !(tok_class(r, k + 1) & W_UNIT))
        return 0;
    *w = gain ? W_WEIGHT_GAIN : W_WEIGHT_LOSS;
    return k + 2 - t;
}

/* A DOSE token names a treatment ("started 50mg"), unless it is body weight ("10 kg"). */
static int is_dose(const medtone_result *r, size_t tok)
{
    if (r->tokens->tok[tok].kind != MEDTONE_TOKEN_DOSE) return 0;
    const char *s = norm(r, tok);
    size_t n = strlen(s);
    return !(n >= 2 && strcmp(s + n - 2, "kg") == 0);
}

/* Does the token span [t0, t1) overlap a drug or reaction cue hit? Cue hits never overlap each
 * other, so their ends are sorted too: find the first one ending after t0. */
static int covered_by_cue(const medtone_result *r, size_t t0, size_t t1)
{
    const mt_flags_state *f = &r->flags;
    size_t lo = 0, hi = f->ncues;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (f->cues[mid].tok0 + f->cues[mid].ntok <= t0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t k = lo; k < f->ncues && f->cues[k].tok0 < t1; k++)
        if (cue_kind(&f->cues[k]) != M_NONE) return 1;
    return 0;
}

/* The next mention in text order, or 0 at the end. Cue hits first; an item or a pattern counts
 * only where no drug or reaction cue covers it. */
static int next_mention(walker *w, mention *m)
{
    const medtone_result *r = w->r;
    const mt_flags_state *f = &r->flags;
    for (;;) {
        while (w->cue < f->ncues && cue_kind(&f->cues[w->cue]) == M_NONE)
            w->cue++;
        size_t cue_tok = w->cue < f->ncues ? f->cues[w->cue].tok0 : (size_t)-1;
        size_t item_tok = w->item < r->nitems ? r->items[w->item].tok0 : (size_t)-1;
        if (cue_tok == (size_t)-1 && item_tok == (size_t)-1) return 0;
        if (cue_tok <= item_tok) {
            const mt_cue_hit *h = &f->cues[w->cue++];
            m->kind = cue_kind(h);
            m->weight = h->entry->valence;
            if (m->kind == M_DRUG) m->weight = drug_certainty(h->entry->valence);
            set_span(r, m, h->tok0, h->ntok);
            m->off = h->off;
            m->len = h->len;
            return 1;
        }
        size_t i = w->item++;
        const mt_item *it = &r->items[i];
        double pw = 0;
        size_t pn = weight_change_at(w, i, &pw);
        size_t ntok = pn ? pn : it->ntok;
        uint32_t tags = item_tags(it);
        /* What the item would be is told first: most items are none of these, and the search
         * for a cue over them (which rules them out as well) is then not needed. */
        if (pn) {
            m->kind = M_REACTION;
            m->weight = pw;
        } else if ((tags & MT_TAG_SIDE_EFFECT) && !(tags & MT_TAG_RELIEF)) {
            m->kind = M_REACTION;
            double v = fabs(it->entry->valence);
            m->weight = 0.5 + 0.6 * v;
            if (m->weight < W_SIDE_EFFECT_MIN) m->weight = W_SIDE_EFFECT_MIN;
            if (m->weight > W_SIDE_EFFECT_MAX) m->weight = W_SIDE_EFFECT_MAX;
        } else if (tags & MT_TAG_DRUG) {
            m->kind = M_DRUG;
            m->weight = W_DRUG_ITEM;
        } else if (it->ntok == 1 && is_dose(r, it->tok0)) {
            m->kind = M_DRUG;
            m->weight = W_DOSE;
        } else {
            continue;
        }
        if (covered_by_cue(r, it->tok0, it->tok0 + ntok)) continue;
        set_span(r, m, it->tok0, ntok);
        return 1;
    }
}

/* ---------------------------------------------------------------------------------------------
 * Sentences: what the writer's frame looks like around a mention.
 * ------------------------------------------------------------------------------------------- */

enum {
    S_FIRST_PERSON = 1u << 0,
    S_EXPERIENCE = 1u << 1,
    S_CAUSAL = 1u << 2,
    S_DISCONTINUE = 1u << 3,
    S_SECOND_PERSON = 1u << 4,
};

typedef struct sentence_info {
    uint32_t sentence;
    unsigned features;
    double frame; /* the most negative frame weight in the sentence, or 0 */
    int valid;
} sentence_info;

#define SENTENCE_CACHE 6

typedef struct scan {
    const medtone_result *r;
    sentence_info cache[SENTENCE_CACHE];
    size_t next_slot;
} scan;

/* Features of sentence s: one pass over its tokens and the cue hits inside it. */
static void sentence_compute(const medtone_result *r, uint32_t s, sentence_info *out)
{
    out->sentence = s;
    out->features = 0;
    out->frame = 0;
    out->valid = 1;
    size_t i0 = first_item_of_sentence(r, s), i1 = i0;
    while (i1 < r->nitems && r->items[i1].sentence == s)
        i1++;
    if (i0 == i1) return;
    size_t t0 = r->items[i0].tok0;
    size_t t1 = i1 < r->nitems ? r->items[i1].tok0 : r->tokens->count;
    uint32_t prev = 0;
    for (size_t t = t0; t < t1; t++) {
        if (is_punct(r, t)) {
            prev = 0;
            continue;
        }
        uint32_t b = tok_class(r, t);
        if (b & W_FIRST_PERSON) out->features |= S_FIRST_PERSON;
        if (b & W_EXPERIENCE) out->features |= S_EXPERIENCE;
        if (b & W_CAUSAL) out->features |= S_CAUSAL;
        if (b & W_DISCONTINUE) out->features |= S_DISCONTINUE;
        if (b & W_SECOND_PERSON) out->features |= S_SECOND_PERSON;
        if ((b & W_ELSE) && (prev & W_ANYONE)) out->features |= S_FIRST_PERSON;
        prev = b;
    }
    const mt_flags_state *f = &r->flags;
    size_t lo = 0, hi = f->ncues;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (f->cues[mid].tok0 < t0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t k = lo; k < f->ncues && f->cues[k].tok0 < t1; k++)
        if (cue_kind(&f->cues[k]) == M_FRAME && f->cues[k].entry->valence < out->frame)
            out->frame = f->cues[k].entry->valence;
}

static const sentence_info *sentence_get(scan *sc, uint32_t s)
{
    for (size_t k = 0; k < SENTENCE_CACHE; k++)
        if (sc->cache[k].valid && sc->cache[k].sentence == s) return &sc->cache[k];
    sentence_info *slot = &sc->cache[sc->next_slot];
    sc->next_slot = (sc->next_slot + 1) % SENTENCE_CACHE;
    sentence_compute(sc->r, s, slot);
    return slot;
}

/* ---------------------------------------------------------------------------------------------
 * The rules on one reaction
 * ------------------------------------------------------------------------------------------- */

/* "side effects: none", "nausea? zero", "side effects so far: none": the absence stated right
 * after, before any other word joins in ("mouth sores and zero appetite" lists two reactions). */
static int negated_after(const medtone_result *r, const mention *m)
{
    size_t n = r->tokens->count, words = 0;
    for (size_t t = m->tok0 + m->ntok; t < n && words < 3; t++) {
        const char *w = norm(r, t);
        if (is_punct(r, t)) {
            if (strpbrk(w, ".!;")) break;
            continue;
        }
        words++;
        if ((tok_class(r, t) & W_JOINERS)) return 0;
        if ((tok_class(r, t) & W_NONE))
            return t + 1 >= n || is_punct(r, t + 1) || strcmp(w, "zero") != 0;
    }
    return 0;
}

/* The reaction is the object of a treatment, not its effect: "ibuprofen for my headaches", "helps
 * with the nausea", "to treat my anxiety", "Claritin stopped my itchy eyes", "nausea meds". */
static int is_indication(const medtone_result *r, const mention *m)
{
    size_t end = m->tok0 + m->ntok;
    if (end < r->tokens->count && !is_punct(r, end) &&
        (tok_class(r, end) & W_TREATMENT_NOUNS))
        return 1;
    size_t gap = 0;
    for (size_t t = m->tok0; t-- > 0;) {
        if (is_punct(r, t)) return 0;
        const char *w = norm(r, t);
        uint32_t b = tok_class(r, t);
        if (b & (W_INDICATION | W_RELIEF_VERBS)) return 1;
        if (strcmp(w, "with") == 0)
            return t > 0 && !is_punct(r, t - 1) &&
                   (tok_class(r, t - 1) & W_WITH_GOVERNORS) != 0;
        if (!(b & W_MODIFIERS) || ++gap > INDICATION_GAP) return 0;
    }
    return 0;
}

/* Relief governs the reaction: the scorer marked it ("no more headaches"), a relief word stands
 * near it in the sentence ("my headaches are gone"), or improvement words do ("much better",
 * "less anxiety"). */
static int is_relieved(const medtone_result *r, const mention *m)
{
    size_t i0 = m->item, i1 = item_of(r, m->tok0 + m->ntok - 1);
    const mt_item *items = r->items;
    for (size_t i = i0; i <= i1; i++)
        if (items[i].term != MT_NO_TERM && (r->terms[items[i].term].rules & MEDTONE_RULE_RELIEF))
            return 1;
    for (size_t k = 1; k <= RELIEF_REACH && k <= i0; k++) {
        const mt_item *p = &items[i0 - k];
        if (p->sentence != items[i0].sentence || (item_tags(p) & MT_TAG_CONTRAST)) break;
        if (item_tags(p) & MT_TAG_RELIEF) return !negated_before(r, i0 - k, 2);
    }
    for (size_t k = 1; k <= RELIEF_REACH && i1 + k < r->nitems; k++) {
        const mt_item *p = &items[i1 + k];
        if (p->sentence != items[i1].sentence || (item_tags(p) & MT_TAG_CONTRAST)) break;
        if (item_tags(p) & MT_TAG_RELIEF) {
            for (size_t j = i1 + 1; j < i1 + k; j++)
                if (is_negator(&items[j])) return 0;
            return !negated_before(r, i1 + k, 1);
        }
    }
    if (m->tok0 > 0 && (tok_class(r, m->tok0 - 1) & W_LESSENING)) return 1;
    size_t words = 0;
    for (size_t t = m->tok0 + m->ntok; t < r->tokens->count && words < 4; t++) {
        if (is_punct(r, t)) break;
        words++;
        const char *w = norm(r, t);
        /* "the nausea won't go away", "still not better": persistence, not relief. */
        if ((r->tokens->tok[t].flags & MEDTONE_TOKEN_NEGATION) || strcmp(w, "still") == 0) return 0;
        if ((tok_class(r, t) & W_IMPROVED)) return 1;
        if ((tok_class(r, t) & W_WORSE)) return 0;
    }
    return 0;
}

/* A worsening or intensity word beside the reaction: "made my anxiety worse", "terrible nausea",
 * "the headaches were unbearable". */
static int has_worse(const medtone_result *r, const mention *m)
{
    if (m->tok0 > 0 && (tok_class(r, m->tok0 - 1) & W_WORSE)) return 1;
    size_t words = 0;
    for (size_t t = m->tok0 + m->ntok; t < r->tokens->count && words < 3; t++) {
        if (is_punct(r, t)) break;
        words++;
        if ((tok_class(r, t) & W_WORSE)) return 1;
    }
    return 0;
}

/* The reaction's clause ends with a question mark: "can statins cause muscle pain?" (but not
 * "diarrhea every morning, is this normal?", where the question is another clause). */
static int in_question(const medtone_result *r, const mention *m)
{
    /* A clause that runs on past QUESTION_REACH tokens is not one question about R (and the
     * bound keeps a text without punctuation linear). */
    size_t end = m->tok0 + m->ntok + QUESTION_REACH;
    if (end > r->tokens->count) end = r->tokens->count;
    for (size_t t = m->tok0 + m->ntok; t < end; t++) {
        if (!is_punct(r, t)) continue;
        const char *w = norm(r, t);
        if (strchr(w, '?')) return 1;
        if (strpbrk(w, ".!;,:")) return 0;
    }
    return 0;
}

/* "if I get a rash, I'll stop": a hypothesis in the reaction's clause before it. */
static int is_hypothetical(const medtone_result *r, const mention *m, const mention *d)
{
    size_t words = 0;
    for (size_t t = m->tok0; t-- > 0 && words < 6;) {
        if (is_punct(r, t)) return 0;
        words++;
        if (!(tok_class(r, t) & W_IF)) continue;
        if (t > 0 && !is_punct(r, t - 1) && (tok_class(r, t - 1) & W_IF_REPORTING)) return 0;
        /* "if I take ibuprofen I get hives": the condition is the drug, the hives are habitual. */
        return !(d->tok0 > t && d->tok0 < m->tok0);
    }
    return 0;
}

/* The drug is only planned or feared: "scared to start Accutane", "should I try Lexapro",
 * "thinking of starting Zoloft", "before taking it". */
static int drug_prospective(const medtone_result *r, const mention *d)
{
    size_t t = d->tok0;
    if (t < 2) return 0;
    t--;
    if (strcmp(norm(r, t), "on") == 0) t--; /* "go on lexapro" */
    if (is_punct(r, t) || !(tok_class(r, t) & W_START_VERBS) || t == 0 || is_punct(r, t - 1))
        return 0;
    const char *w = norm(r, t - 1);
    if ((tok_class(r, t - 1) & W_PROSPECTIVE_MODAL)) return 1;
    if (strcmp(w, "i") == 0 && t >= 2 && !is_punct(r, t - 2)) /* "should i start" */
        return (tok_class(r, t - 2) & W_PROSPECTIVE_MODAL) != 0;
    return strcmp(w, "to") == 0 && t >= 2 && !is_punct(r, t - 2) &&
           (tok_class(r, t - 2) & W_PROSPECTIVE_TO);
}

/* The drug is praised as a fix right after it is named: "I have terrible insomnia and trazodone
 * is a lifesaver". A reaction named before such a drug is what it treats. */
static int drug_praised(const medtone_result *r, const mention *d)
{
    size_t i0 = item_of(r, d->tok0 + d->ntok - 1);
    for (size_t k = 1; k <= RELIEF_REACH && i0 + k < r->nitems; k++) {
        const mt_item *p = &r->items[i0 + k];
        if (p->clause != r->items[i0].clause || (item_tags(p) & MT_TAG_CONTRAST)) break;
        if (p->entry && p->entry->valence >= PRAISE &&
            (p->entry->valence >= STRONG_PRAISE || (item_tags(p) & MT_TAG_RELIEF)))
            return !negated_before(r, i0 + k, 2);
    }
    return 0;
}

/* A drug under negation does not pair: "I'm not on any meds and I still get dizzy". */
static int drug_negated(const medtone_result *r, const mention *d)
{
    return negated_before(r, d->item, NEGATION_REACH);
}

/* Sentence distance of two mentions, and whether they share a clause. */
static uint32_t sentence_gap(const medtone_result *r, const mention *a, const mention *b)
{
    uint32_t sa = r->items[a->item].sentence, sb = r->items[b->item].sentence;
    return sa > sb ? sa - sb : sb - sa;
}

static int same_clause(const medtone_result *r, const mention *a, const mention *b)
{
    return r->items[a->item].clause == r->items[b->item].clause;
}

/* The drug to pair with a reaction, among the nearest ones before and after it, any and named
 * (a cue-lexicon drug rather than "meds" or a dose): the closer sentence first, then the same
 * clause, then a named drug, then the one before (people name the drug first). NULL when none
 * is near enough. */
static const mention *pick_drug(const medtone_result *r, const mention *react,
                                const mention *const *cand, size_t ncand)
{
    const mention *best = NULL;
    unsigned best_rank = 0;
    for (size_t k = 0; k < ncand; k++) {
        const mention *d = cand[k];
        if (!d) continue;
        uint32_t gap = sentence_gap(r, react, d);
        if (gap > MAX_SENTENCE_GAP) continue;
        unsigned rank = gap * 8u + (same_clause(r, react, d) ? 0u : 4u) +
                        (d->weight >= NAMED_DRUG ? 0u : 2u) + (d->tok0 < react->tok0 ? 0u : 1u);
        if (!best || rank < best_rank) {
            best = d;
            best_rank = rank;
        }
    }
    return best;
}

typedef struct judged {
    int counts;      /* 0: negated, indication, relieved, or no drug near */
    double evidence; /* in evidence units */
    int plain;       /* no frame, hypothesis or question penalty: may add to a list */
    mention drug;
} judged;

static void judge(scan *sc, const mention *m, const mention *const *cand, size_t ncand, judged *out)
{
    const medtone_result *r = sc->r;
    out->counts = 0;
    const mention *d = pick_drug(r, m, cand, ncand);
    if (!d) return;
    if (negated_before(r, m->item, NEGATION_REACH) || negated_after(r, m)) return;
    if (is_indication(r, m)) return;

    uint32_t sr = r->items[m->item].sentence, sd = r->items[d->item].sentence;
    const sentence_info *ir = sentence_get(sc, sr);
    unsigned feats = ir->features, ir_feats = ir->features;
    double frame = ir->frame;
    if (sd != sr) feats |= sentence_get(sc, sd)->features;
    int takes =
        d->tok0 > 0 && !is_punct(r, d->tok0 - 1) && (tok_class(r, d->tok0 - 1) & W_TAKING);

    int dechallenge = 0;
    if (is_relieved(r, m) || (m->tok0 < d->tok0 && sr == sd && drug_praised(r, d))) {
        if (!(feats & S_DISCONTINUE)) return;
        dechallenge = 1;
    }
    double e = m->weight;
    uint32_t gap = sentence_gap(r, m, d);
    e += gap == 0   ? (same_clause(r, m, d) ? PROX_SAME_CLAUSE : PROX_SAME_SENTENCE)
         : gap == 1 ? PROX_NEXT_SENTENCE
                    : PROX_TWO_SENTENCES;
    double bonus = 0;
    if (feats & S_FIRST_PERSON) bonus += BONUS_FIRST_PERSON;
    if (feats & S_EXPERIENCE) bonus += BONUS_EXPERIENCE;
    if (feats & S_CAUSAL) bonus += BONUS_CAUSAL;
    if (takes) bonus += BONUS_TAKING;
    e += bonus * (m->weight < FULL_FRAME_WEIGHT ? m->weight / FULL_FRAME_WEIGHT : 1.0);
    if (has_worse(r, m)) e += BONUS_WORSE;
    if (dechallenge) e += BONUS_DECHALLENGE;
    /* frame <= 0. "I was told it may cause dizziness" is still a hypothesis, but "my side effects
     * include dizziness" is a report: a first person in the sentence halves the cost. */
    e += frame * FRAME_COST * ((ir_feats & S_FIRST_PERSON) ? 0.5 : 1.0);
    int hypo = is_hypothetical(r, m, d);
    if (hypo) e -= PENALTY_IF;
    if (drug_prospective(r, d)) {
        e -= PENALTY_IF;
        hypo = 1;
    }
    int question = !(ir_feats & S_FIRST_PERSON) && in_question(r, m);
    if (question) e -= PENALTY_QUESTION;
    int you = (ir_feats & (S_SECOND_PERSON | S_FIRST_PERSON)) == S_SECOND_PERSON;
    if (you) e -= PENALTY_YOU;
    /* A generic drug word ("meds", a dose) makes the pairing less certain. */
    e -= (1.0 - d->weight);

    out->counts = 1;
    out->evidence = e;
    out->plain = frame == 0 && !hypo && !question && !you;
    out->drug = *d;
}

/* A forward-only search for the next drug after a position, any or named only. */
typedef struct ahead {
    walker w;
    mention found;
    int have, done, named_only;
} ahead;

/* `from` is the walk that gave the mention at token tok. Mentions come in text order, so every
 * one it has passed starts at or before tok and is no drug after tok: a search still behind it
 * skips to where it is instead of walking those mentions again. */
static const mention *ahead_after(ahead *a, const medtone_result *r, size_t tok,
                                  const walker *from)
{
    if (!a->done && (!a->have || a->found.tok0 <= tok) && a->w.cue <= from->cue &&
        a->w.item <= from->item) {
        a->w = *from;
        a->have = 0;
    }
    while (!a->done && (!a->have || a->found.tok0 <= tok)) {
        mention x;
        a->have = 0;
        if (!next_mention(&a->w, &x)) {
            a->done = 1;
            break;
        }
        if (x.kind == M_DRUG && x.tok0 > tok && (!a->named_only || x.weight >= NAMED_DRUG) &&
            !drug_negated(r, &x)) {
            a->found = x;
            a->have = 1;
        }
    }
    return a->have ? &a->found : NULL;
}

/* Walks every reaction with the nearest drugs around it, calling `visit` on each one that
 * counts. The searches ahead only move forward, so the walk is linear in the mentions. */
typedef void (*visit_fn)(scan *sc, const mention *m, const judged *j, void *user);

static void walk_reactions(scan *sc, visit_fn visit, void *user)
{
    const medtone_result *r = sc->r;
    walker w = {r, 0, 0, 0, 0, 0};
    ahead any = {{r, 0, 0, 0, 0, 0}, {0}, 0, 0, 0}, named = {{r, 0, 0, 0, 0, 0}, {0}, 0, 0, 1};
    mention m, before, before_named;
    int have_before = 0, have_before_named = 0;
    while (next_mention(&w, &m)) {
        if (m.kind == M_DRUG) {
            if (drug_negated(r, &m)) continue;
            before = m;
            have_before = 1;
            if (m.weight >= NAMED_DRUG) {
                before_named = m;
                have_before_named = 1;
            }
            continue;
        }
        if (m.kind != M_REACTION) continue;
        const mention *cand[4] = {have_before ? &before : NULL,
                                  have_before_named ? &before_named : NULL,
                                  ahead_after(&any, r, m.tok0, &w),
                                  ahead_after(&named, r, m.tok0, &w)};
        judged j;
        judge(sc, &m, cand, 4, &j);
        if (j.counts) visit(sc, &m, &j, user);
    }
}

/* ---------------------------------------------------------------------------------------------
 * The flag
 * ------------------------------------------------------------------------------------------- */

/* What one walk gathers: the best reaction, the weight of the others, and the pairs to show as
 * evidence (those of at least EVIDENCE_MIN, the first EVIDENCE_MAX in text order, plus the best
 * one wherever it is). */
typedef struct pair_span {
    size_t r_off, r_len, d_off, d_len;
} pair_span;

typedef struct tally {
    int any;
    double best, best_weight, plain_sum;
    int best_plain;
    pair_span best_pair;
    pair_span listed[EVIDENCE_MAX];
    size_t nlisted;
} tally;

static void count_one(scan *sc, const mention *m, const judged *j, void *user)
{
    (void)sc;
    tally *t = user;
    pair_span p = {m->off, m->len, j->drug.off, j->drug.len};
    if (j->plain) t->plain_sum += m->weight;
    if (!t->any || j->evidence > t->best) {
        t->any = 1;
        t->best = j->evidence;
        t->best_weight = m->weight;
        t->best_plain = j->plain;
        t->best_pair = p;
    }
    if (j->evidence >= EVIDENCE_MIN && t->nlisted < EVIDENCE_MAX) t->listed[t->nlisted++] = p;
}

static int already_listed(const mt_flags_state *f, size_t from, size_t off, const char *cue)
{
    for (size_t k = from; k < f->nev; k++)
        if (f->ev[k].flag == MT_FLAG_ADE && f->ev[k].off == off && f->ev[k].cue == cue) return 1;
    return 0;
}

/* Records a pair's reaction and drug, each once. Returns -1 when out of memory. */
static int emit_pair(mt_flag_ctx *ctx, size_t from, const pair_span *p)
{
    const mt_flags_state *f = &ctx->r->flags;
    if (!already_listed(f, from, p->r_off, CUE_REACTION) &&
        mt_flag_evidence(ctx, MT_FLAG_ADE, p->r_off, p->r_len, CUE_REACTION) != 0)
        return -1;
    if (!already_listed(f, from, p->d_off, CUE_DRUG) &&
        mt_flag_evidence(ctx, MT_FLAG_ADE, p->d_off, p->d_len, CUE_DRUG) != 0)
        return -1;
    return 0;
}

/* The framework keeps each flag's evidence in insertion order; a drug named after its reaction
 * was inserted after it, so this module's few entries are put back in text order. */
static void sort_own_evidence(mt_flags_state *f, size_t from)
{
    for (size_t k = from + 1; k < f->nev; k++) {
        mt_evidence e = f->ev[k];
        size_t j = k;
        while (j > from && f->ev[j - 1].off > e.off) {
            f->ev[j] = f->ev[j - 1];
            j--;
        }
        f->ev[j] = e;
    }
}

void mt_flag_ade(mt_flag_ctx *ctx)
{
    medtone_result *r = ctx->r;
    if (r->nitems == 0) {
        mt_flag_set(ctx, MT_FLAG_ADE, 0, 0);
        return;
    }
    scan sc;
    memset(&sc, 0, sizeof sc);
    sc.r = r;

    tally t;
    memset(&t, 0, sizeof t);
    walk_reactions(&sc, count_one, &t);
    if (!t.any) {
        mt_flag_set(ctx, MT_FLAG_ADE, 0, 0);
        return;
    }
    /* Other reactions named with the drug strengthen the report: "nausea, headaches and I can't
     * sleep since starting it". */
    double extra = t.plain_sum - (t.best_plain ? t.best_weight : 0);
    if (extra > EXTRA_MAX) extra = EXTRA_MAX;
    double evidence = t.best + EXTRA_SHARE * extra;
    double score = 1.0 / (1.0 + exp(-SLOPE * (evidence - CENTER)));

    size_t first = r->flags.nev;
    for (size_t k = 0; k < t.nlisted; k++)
        if (emit_pair(ctx, first, &t.listed[k]) != 0) return;
    if (emit_pair(ctx, first, &t.best_pair) != 0) return;
    sort_own_evidence(&r->flags, first);
    mt_flag_set(ctx, MT_FLAG_ADE, score, r->compound);
}
