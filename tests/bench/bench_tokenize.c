/* bench_tokenize.c — tokenizer throughput on real posts.
 *
 *     bench_tokenize [DATA_DIR] [SECONDS]
 *
 * Reads the "text" column of every *.tsv file in DATA_DIR whose header names one (default:
 * ../shared/data next to the repository; a .tsv file or a file of lines also does: the corpus
 * of bench_corpus.h, as bench_all reads it), repeats the posts up to about 50 MB, then tokenizes
 * them one post at a time with one reused token list for about SECONDS seconds (default 3) and
 * prints MB/s and tokens/s (by the wall clock, and MB/s by CPU time). A benchmark, not a test: it
 * never fails on speed. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "medtone.h"

#define BENCH_NAME "bench_tokenize"
#include "bench_corpus.h"

#define TARGET_BYTES (50u << 20)

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : default_dir();
    double seconds = argc > 2 ? atof(argv[2]) : 3.0;
    if (seconds <= 0) seconds = 3.0;

    corpus c = {0};
    size_t base_count, base_len;
    corpus_load(&c, dir, TARGET_BYTES, &base_count, &base_len);
    printf("corpus: %zu posts (%zu distinct, %.1f MB distinct), %.1f MB\n", c.count, base_count,
           (double)base_len / 1e6, (double)c.len / 1e6);

    medtone_tokens *t = medtone_tokens_new();
    if (!t) die("out of memory");
    double bytes = 0, tokens = 0, t0 = clock_s(CLOCK_MONOTONIC),
           c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    double elapsed = 0;
    int passes = 0;
    do {
        size_t start = 0;
        for (size_t i = 0; i < c.count; i++) {
            if (medtone_tokenize(c.data + start, c.ends[i] - start, t) != MEDTONE_OK)
                die("tokenize failed");
            tokens += (double)medtone_tokens_count(t);
            start = c.ends[i];
        }
        bytes += (double)c.len;
        passes++;
        elapsed = clock_s(CLOCK_MONOTONIC) - t0;
    } while (elapsed < seconds);
    /* CPU time too: on a shared machine the wall clock also counts time spent descheduled. */
    double cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
    printf("tokenize: %d passes in %.2f s: %.1f MB/s, %.2f M tokens/s (%.1f bytes/token); "
           "%.1f MB/s of CPU time\n",
           passes, elapsed, bytes / elapsed / 1e6, tokens / elapsed / 1e6, bytes / tokens,
           bytes / cpu / 1e6);
    medtone_tokens_free(t);
    corpus_free(&c);
    return 0;
}
