/* bench_tokenize.c — tokenizer throughput on real posts.
 *
 *     bench_tokenize [DATA_DIR] [SECONDS]
 *
 * Reads the text column (the third, tab-separated) of every *.tsv file in DATA_DIR whose header
 * names that column "text" (default: ../shared/data next to the repository), repeats the posts
 * up to about 50 MB, then tokenizes them one post at a time with one reused token list for about
 * SECONDS seconds (default 3) and prints MB/s and tokens/s (by the wall clock, and MB/s by CPU
 * time). A benchmark, not a test: it never fails on speed. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "medtone.h"

#define TARGET_BYTES (50u << 20)

typedef struct corpus {
    char *data;
    size_t len, cap;
    size_t *ends; /* end offset of each post in data */
    size_t count, ends_cap;
} corpus;

static void die(const char *what)
{
    fprintf(stderr, "bench_tokenize: %s\n", what);
    exit(1);
}

static void add_post(corpus *c, const char *p, size_t n)
{
    if (c->len + n > c->cap) {
        while (c->len + n > c->cap)
            c->cap = c->cap ? c->cap * 2 : 1u << 20;
        c->data = realloc(c->data, c->cap);
        if (!c->data) die("out of memory");
    }
    if (c->count == c->ends_cap) {
        c->ends_cap = c->ends_cap ? c->ends_cap * 2 : 4096;
        c->ends = realloc(c->ends, c->ends_cap * sizeof *c->ends);
        if (!c->ends) die("out of memory");
    }
    memcpy(c->data + c->len, p, n);
    c->len += n;
    c->ends[c->count++] = c->len;
}

/* The third tab-separated field of line[0..n), or NULL. */
static const char *third_field(const char *line, size_t n, size_t *flen)
{
    const char *t1 = memchr(line, '\t', n);
    if (!t1) return NULL;
    const char *t2 = memchr(t1 + 1, '\t', n - (size_t)(t1 + 1 - line));
    if (!t2) return NULL;
    const char *f = t2 + 1, *end = line + n;
    const char *t3 = memchr(f, '\t', (size_t)(end - f));
    *flen = (size_t)((t3 ? t3 : end) - f);
    return f;
}

static void load_file(corpus *c, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int first = 1, wanted = 0;
    while ((n = getline(&line, &cap, f)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        size_t flen;
        const char *field = third_field(line, (size_t)n, &flen);
        if (first) { /* the header: only files whose third column is the post's text */
            first = 0;
            wanted = field && flen == 4 && memcmp(field, "text", 4) == 0;
            if (!wanted) break;
            continue;
        }
        if (field && flen) add_post(c, field, flen);
    }
    free(line);
    fclose(f);
}

static double seconds_of(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double now(void)
{
    return seconds_of(CLOCK_MONOTONIC);
}

/* ../shared/data beside the repository, found from this file's path (tests/bench/...). */
static char *default_dir(void)
{
    static char buf[4096];
    const char *self = __FILE__;
    const char *cut = strstr(self, "tests/bench/bench_tokenize.c");
    if (!cut || (size_t)(cut - self) + 20 > sizeof buf) return "../shared/data";
    snprintf(buf, sizeof buf, "%.*s../shared/data", (int)(cut - self), self);
    return buf;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : default_dir();
    double seconds = argc > 2 ? atof(argv[2]) : 3.0;
    if (seconds <= 0) seconds = 3.0;

    corpus c = {0};
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "bench_tokenize: cannot open %s\n", dir);
        return 1;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".tsv") != 0) continue;
        char path[8192];
        size_t dn = strlen(dir);
        if (dn + n + 2 > sizeof path) continue;
        memcpy(path, dir, dn);
        path[dn] = '/';
        memcpy(path + dn + 1, e->d_name, n + 1);
        load_file(&c, path);
    }
    closedir(d);
    if (!c.count) die("no posts found (need *.tsv files with a 'text' third column)");

    /* Repeat the posts up to the target size (room made first: add_post copies from data). */
    size_t base_count = c.count, base_len = c.len;
    if (c.cap < TARGET_BYTES + base_len) {
        c.cap = TARGET_BYTES + base_len;
        c.data = realloc(c.data, c.cap);
        if (!c.data) die("out of memory");
    }
    while (c.len < TARGET_BYTES) {
        size_t start = 0;
        for (size_t i = 0; i < base_count && c.len < TARGET_BYTES; i++) {
            add_post(&c, c.data + start, c.ends[i] - start);
            start = c.ends[i];
        }
    }
    printf("corpus: %zu posts (%zu distinct, %.1f MB distinct), %.1f MB\n", c.count, base_count,
           (double)base_len / 1e6, (double)c.len / 1e6);

    medtone_tokens *t = medtone_tokens_new();
    if (!t) die("out of memory");
    double bytes = 0, tokens = 0, t0 = now(), c0 = seconds_of(CLOCK_PROCESS_CPUTIME_ID);
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
        elapsed = now() - t0;
    } while (elapsed < seconds);
    /* CPU time too: on a shared machine the wall clock also counts time spent descheduled. */
    double cpu = seconds_of(CLOCK_PROCESS_CPUTIME_ID) - c0;
    printf("tokenize: %d passes in %.2f s: %.1f MB/s, %.2f M tokens/s (%.1f bytes/token); "
           "%.1f MB/s of CPU time\n",
           passes, elapsed, bytes / elapsed / 1e6, tokens / elapsed / 1e6, bytes / tokens,
           bytes / cpu / 1e6);
    medtone_tokens_free(t);
    free(c.data);
    free(c.ends);
    return 0;
}
