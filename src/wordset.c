/* wordset.c — the flag modules' grammar words as a small hash set (see wordset.h). */
#include "wordset.h"

#include "alloc.h"

int mt_wordset_init(mt_wordset *ws, size_t max)
{
    size_t size = 16;
    while (size / 4 < max)
        size *= 2;
    ws->slots = mt_calloc(size, sizeof *ws->slots);
    if (!ws->slots) return -1;
    ws->mask = size - 1;
    ws->count = 0;
    ws->max = max;
    memset(ws->filter, 0, sizeof ws->filter);
    return 0;
}

int mt_wordset_put(mt_wordset *ws, const char *word, uint32_t bits)
{
    size_t len = strlen(word);
    uint64_t h = mt_lexicon_hash(word, len);
    for (size_t i = (size_t)h & ws->mask;; i = (i + 1) & ws->mask) {
        mt_wordset_slot *s = &ws->slots[i];
        if (!s->word) {
            if (ws->count == ws->max) return -1;
            *s = (mt_wordset_slot){h, word, (uint32_t)len, bits};
            ws->count++;
            uint64_t b = mt_wordset_filter_bit(h);
            ws->filter[b >> 6] |= (uint64_t)1 << (b & 63);
            return 0;
        }
        if (s->hash == h && s->len == len && memcmp(s->word, word, len) == 0) {
            s->bits |= bits;
            return 0;
        }
    }
}

int mt_wordset_put_list(mt_wordset *ws, const char *const *list, size_t n, uint32_t bit)
{
    for (size_t i = 0; i < n; i++)
        if (mt_wordset_put(ws, list[i], bit) != 0) return -1;
    return 0;
}

void mt_wordset_free(mt_wordset *ws)
{
    mt_free(ws->slots);
    ws->slots = NULL;
    ws->mask = ws->count = ws->max = 0;
    memset(ws->filter, 0, sizeof ws->filter);
}
