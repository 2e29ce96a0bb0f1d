/* bench_corpus.h — the corpus the benchmarks share: posts read from a folder of *.tsv files
 * (every file whose header names a "text" column gives that column, files in name order, so the
 * same corpus every run), from one such file, or from a file of one post per line; then repeated
 * up to a target size. Also the clocks they read.
 *
 * A header of static inline functions: each bench_*.c is a program of its own (tests/bench/
 * CMakeLists.txt). Define BENCH_NAME (the program's name, for messages) before including it. */
#ifndef MEDTONE_BENCH_CORPUS_H
#define MEDTONE_BENCH_CORPUS_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#ifndef BENCH_NAME
#error "define BENCH_NAME before including bench_corpus.h"
#endif

typedef struct corpus {
    char *data;
    size_t len, cap;
    size_t *ends; /* end offset of each post in data */
    size_t count, ends_cap;
} corpus;

static inline void die(const char *what)
{
    fprintf(stderr, BENCH_NAME ": %s\n", what);
    exit(1);
}

static inline void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (!p) die("out of memory");
    return p;
}

/* Room for one more post of n bytes. */
static inline void corpus_reserve(corpus *c, size_t n)
{
    if (c->len + n > c->cap) {
        while (c->len + n > c->cap)
            c->cap = c->cap ? c->cap * 2 : 1u << 20;
        c->data = xrealloc(c->data, c->cap);
    }
    if (c->count == c->ends_cap) {
        c->ends_cap = c->ends_cap ? c->ends_cap * 2 : 4096;
        c->ends = xrealloc(c->ends, c->ends_cap * sizeof *c->ends);
    }
}

static inline void add_post(corpus *c, const char *p, size_t n)
{
    corpus_reserve(c, n);
    memcpy(c->data + c->len, p, n);
    c->len += n;
    c->ends[c->count++] = c->len;
}

/* Appends a copy of data[off, off + n): a post already in the corpus (which may move). */
static inline void repeat_post(corpus *c, size_t off, size_t n)
{
    corpus_reserve(c, n);
    memcpy(c->data + c->len, c->data + off, n);
    c->len += n;
    c->ends[c->count++] = c->len;
}

/* Field `col` of a tab-separated line, or NULL. */
static inline const char *field_at(const char *line, size_t n, int col, size_t *flen)
{
    const char *p = line, *end = line + n;
    for (int k = 0; k < col; k++) {
        p = memchr(p, '\t', (size_t)(end - p));
        if (!p) return NULL;
        p++;
    }
    const char *q = memchr(p, '\t', (size_t)(end - p));
    *flen = (size_t)((q ? q : end) - p);
    return p;
}

/* A .tsv file whose header names a "text" column gives that column; with lines_ok, any other file
 * gives one post per line. */
static inline void load_file(corpus *c, const char *path, int lines_ok)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, BENCH_NAME ": %s: %s\n", path, strerror(errno));
        exit(1);
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int first = 1, col = -1;
    while ((n = getline(&line, &cap, f)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        if (first) {
            first = 0;
            for (int k = 0; k < 64; k++) {
                size_t flen;
                const char *h = field_at(line, (size_t)n, k, &flen);
                if (!h) break;
                if (flen == 4 && !memcmp(h, "text", 4)) col = k;
            }
            if (col >= 0) continue;
            if (!lines_ok) break;
        }
        if (col < 0) {
            if (n) add_post(c, line, (size_t)n);
            continue;
        }
        size_t flen;
        const char *field = field_at(line, (size_t)n, col, &flen);
        if (field && flen) add_post(c, field, flen);
    }
    free(line);
    fclose(f);
}

static inline int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.tsv file of a folder with a "text" column, in name order. */
static inline void load_dir(corpus *c, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    char **names = NULL;
    size_t n = 0, dn = strlen(dir);
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t k = strlen(e->d_name);
        if (k < 5 || strcmp(e->d_name + k - 4, ".tsv") != 0) continue;
        names = xrealloc(names, (n + 1) * sizeof *names);
        names[n] = xrealloc(NULL, dn + k + 2);
        snprintf(names[n++], dn + k + 2, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name); /* the same corpus, in the same order, every run */
    for (size_t i = 0; i < n; i++) {
        load_file(c, names[i], 0);
        free(names[i]);
    }
    free(names);
}

/* The corpus at src (a folder, a .tsv file or a file of lines), repeated up to about `target`
 * bytes; exits with a message when it holds no post. The posts read and their bytes go to
 * *distinct and *distinct_len. */
static inline void corpus_load(corpus *c, const char *src, size_t target, size_t *distinct,
                               size_t *distinct_len)
{
    struct stat st;
    if (stat(src, &st) != 0) die("cannot find the corpus (a folder of .tsv, a .tsv or a file)");
    if (S_ISDIR(st.st_mode))
        load_dir(c, src);
    else
        load_file(c, src, 1);
    if (!c->count) die("no posts found (need *.tsv files with a 'text' column, or lines)");
    size_t base_count = c->count;
    while (c->len < target) {
        size_t start = 0;
        for (size_t i = 0; i < base_count && c->len < target; i++) {
            repeat_post(c, start, c->ends[i] - start);
            start = c->ends[i];
        }
    }
    *distinct = base_count;
    *distinct_len = c->ends[base_count - 1];
}

static inline void corpus_free(corpus *c)
{
    free(c->data);
    free(c->ends);
    memset(c, 0, sizeof *c);
}

/* ../shared/data beside the repository, found from this file's path (tests/bench/...). */
static inline const char *default_dir(void)
{
    static char buf[4096];
    const char *self = __FILE__;
    const char *cut = strstr(self, "tests/bench/");
    if (!cut || (size_t)(cut - self) + 20 > sizeof buf) return "../shared/data";
    snprintf(buf, sizeof buf, "%.*s../shared/data", (int)(cut - self), self);
    return buf;
}

/* Seconds by a clock: CLOCK_MONOTONIC (wall) or CLOCK_PROCESS_CPUTIME_ID (CPU). */
static inline double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#endif
