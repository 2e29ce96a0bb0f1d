/* cmd_batch.c — `medtone batch`: scores many posts into JSON lines, in input order, on all cores.
 *
 * Input (files or standard input, plain or .gz): one text per line, JSON lines with a "text"
 * member (and an optional "id"), or TSV with a header naming a "text" column (and optionally
 * "id"). The main thread only reads and writes: it reads chunk k+1 while the worker threads
 * score chunk k. A chunk is cut into blocks of lines that the workers take one at a time, so a
 * thread that drew short posts does not sit idle while another finishes long ones; each block has
 * its own output buffer, and the blocks are written in order, so output order is input order
 * whatever the thread count. Numbers are formatted by hand (see sb_put_fixed), as printf's
 * formatting cost as much as a fifth of the scoring. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "flags_out.h"
#include "jsonl.h"
#include "strbuf.h"

enum format { FMT_AUTO, FMT_LINES, FMT_JSONL, FMT_TSV };

#define CHUNK_LINES 8192
#define CHUNK_BYTES (8u << 20)
#define BLOCK_LINES 64 /* a worker's unit of work within a chunk */
#define MAX_THREADS 256

typedef struct line_ref {
    size_t off, len; /* in the chunk's byte store */
    size_t lineno;
} line_ref;

/* The output of BLOCK_LINES consecutive lines of a chunk. */
typedef struct block {
    strbuf out;
    size_t errors;
} block;

typedef struct chunk {
    strbuf bytes;
    line_ref *lines;
    size_t n, cap;
    enum format fmt;      /* how its lines are read (per file) */
    int id_col, text_col; /* TSV columns */
    block *blocks; /* ceil(n / BLOCK_LINES) of them in use; buffers kept from chunk to chunk */
    size_t nblocks, blocks_cap;
} chunk;

/* One worker's state, kept for the whole run. */
typedef struct job {
    const medtone_analyzer *an;
    medtone_result *res;
    strbuf text, id; /* JSONL scratch */
    int explain;
    int only_flagged;          /* write only posts with a fired flag (of the mask, if any) */
    const unsigned char *mask; /* --flag NAME: the flags that count, or NULL for all */
} job;

/* The workers and the chunk they are scoring. */
typedef struct pool {
    pthread_mutex_t mu;
    pthread_cond_t work; /* a chunk was posted, or it is time to quit */
    pthread_cond_t done; /* the last block of the posted chunk was scored */
    chunk *cur;          /* the chunk being scored, or NULL */
    size_t next_block, blocks_done;
    int quit;
    job *jobs;
    pthread_t tid[MAX_THREADS];
    int nworkers; /* threads started; 0: the main thread scores */
} pool;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: medtone batch [options] [FILE...]\n"
            "Scores every post of the FILEs (or standard input; plain or .gz) and writes one JSON\n"
            "object per post, in input order.\n\n"
            "options:\n"
            "      --format F           auto (default) | lines | jsonl | tsv\n"
            "                           lines: one text per line, id = line number;\n"
            "                           jsonl: objects with \"text\" and optional \"id\";\n"
            "                           tsv: a header naming a \"text\" (and \"id\") column\n"
            "  -t, --threads N          worker threads (default: all cores)\n"
            "  -e, --explain            add the terms behind each score\n"
            "      --only-flagged       write only posts that fired a flag\n"
            "      --flag NAME          write only posts that fired this flag (repeatable)\n"
            "      --progress           show progress on stderr (default: when it is a terminal)\n"
            "  -o, --output FILE        write to FILE instead of standard output\n");
    fputs(cli_lexicon_help, out);
    fprintf(out, "  -h, --help               show this help\n"
                 "Malformed rows, and texts over 128 MiB (the limit of the library), produce\n"
                 "{\"id\":..., \"error\":...} and exit status 1; the other rows are scored.\n");
}

static void write_result(const job *j, strbuf *o, const char *text, size_t len, size_t row_start)
{
    const medtone_result *r = j->res;
    double c = medtone_result_compound(r);
    if (j->only_flagged && !cli_flags_any_fired(r, j->mask)) {
        o->len = row_start; /* drop the row begun for this post */
        return;
    }
    sb_puts(o, ",\"compound\":");
    sb_put_fixed(o, c, 4);
    sb_puts(o, ",\"positive\":");
    sb_put_fixed(o, medtone_result_positive(r), 3);
    sb_puts(o, ",\"neutral\":");
    sb_put_fixed(o, medtone_result_neutral(r), 3);
    sb_puts(o, ",\"negative\":");
    sb_put_fixed(o, medtone_result_negative(r), 3);
    sb_puts(o, c >= 0.05    ? ",\"label\":\"positive\""
               : c <= -0.05 ? ",\"label\":\"negative\""
                            : ",\"label\":\"neutral\"");
    if (j->explain) {
        sb_puts(o, ",\"terms\":[");
        size_t n = medtone_result_term_count(r);
        for (size_t i = 0; i < n; i++) {
            size_t off = medtone_result_term_offset(r, i), tl = medtone_result_term_length(r, i);
            sb_puts(o, i ? ",{\"offset\":" : "{\"offset\":");
            sb_put_uint(o, off);
            sb_puts(o, ",\"length\":");
            sb_put_uint(o, tl);
            sb_puts(o, ",\"text\":");
            sb_json_string(o, text + off, off + tl <= len ? tl : 0);
            sb_puts(o, ",\"entry\":");
            const char *e = medtone_result_term_entry(r, i);
            sb_json_string(o, e, strlen(e));
            sb_puts(o, ",\"layer\":");
            const char *l = medtone_result_term_layer(r, i);
            sb_json_string(o, l, strlen(l));
            sb_puts(o, ",\"contribution\":");
            sb_put_fixed(o, medtone_result_term_contribution(r, i), 4);
            sb_puts(o, "}");
        }
        sb_puts(o, "]");
    }
    cli_flags_json(o, r, text, len);
    sb_puts(o, "}\n");
}

static void error_row(block *bk, const char *msg)
{
    sb_printf(&bk->out, ",\"error\":\"%s\"}\n", msg);
    bk->errors++;
}

/* Scores block k of a chunk into that block's buffer. */
static void run_block(job *j, const chunk *ch, size_t k)
{
    block *bk = &ch->blocks[k];
    size_t from = k * BLOCK_LINES, to = from + BLOCK_LINES < ch->n ? from + BLOCK_LINES : ch->n;
    bk->out.len = 0;
    bk->errors = 0;
    for (size_t i = from; i < to; i++) {
        const line_ref *lr = &ch->lines[i];
        const char *line = ch->bytes.s + lr->off, *text = line;
        size_t len = lr->len, tlen = len, row_start = bk->out.len;
        sb_puts(&bk->out, "{\"id\":");
        if (ch->fmt == FMT_JSONL) {
            j->id.len = 0;
            j->text.len = 0;
            int rc = jsonl_fields(line, len, &j->text, &j->id);
            if (j->id.len)
                sb_append(&bk->out, j->id.s, j->id.len);
            else
                sb_put_uint(&bk->out, lr->lineno);
            if (rc != 0 || j->text.oom) {
                error_row(bk, rc == -2 ? "no \\\"text\\\" string member" : "malformed JSON");
                continue;
            }
            text = j->text.s ? j->text.s : "";
            tlen = j->text.len;
        } else if (ch->fmt == FMT_TSV) {
            const char *id;
            size_t idl;
            if (ch->id_col >= 0 && cli_tsv_column(line, len, ch->id_col, &id, &idl) == 0)
                sb_json_string(&bk->out, id, idl);
            else
                sb_put_uint(&bk->out, lr->lineno);
            if (cli_tsv_column(line, len, ch->text_col, &text, &tlen) != 0) {
                error_row(bk, "missing text column");
                continue;
            }
        } else {
            sb_put_uint(&bk->out, lr->lineno);
        }
        medtone_status st = medtone_analyze(j->an, text, tlen, j->res);
        if (st == MEDTONE_ERR_TOO_LARGE) {
            char msg[128];
            snprintf(msg, sizeof msg, "text too large: %zu bytes, the limit is %zu", tlen,
                     MEDTONE_ANALYZE_MAX_BYTES);
            error_row(bk, msg);
            continue;
        }
        if (st != MEDTONE_OK) {
            error_row(bk, medtone_status_str(st));
            continue;
        }
        write_result(j, &bk->out, text, tlen, row_start);
    }
}

/* A worker: takes the next block of the posted chunk until none is left, then waits. */
static void *worker(void *arg)
{
    void **a = arg;
    pool *p = a[0];
    job *j = a[1];
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->quit && (!p->cur || p->next_block >= p->cur->nblocks))
            pthread_cond_wait(&p->work, &p->mu);
        if (p->quit) break;
        chunk *ch = p->cur;
        size_t k = p->next_block++;
        pthread_mutex_unlock(&p->mu);
        run_block(j, ch, k);
        pthread_mutex_lock(&p->mu);
        if (++p->blocks_done == ch->nblocks) pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Hands a chunk to the workers. Returns -1 when out of memory for its blocks. */
static int post_chunk(pool *p, chunk *ch)
{
    size_t nb = (ch->n + BLOCK_LINES - 1) / BLOCK_LINES;
    if (nb > ch->blocks_cap) {
        block *blocks = realloc(ch->blocks, nb * sizeof *blocks);
        if (!blocks) return -1;
        memset(blocks + ch->blocks_cap, 0, (nb - ch->blocks_cap) * sizeof *blocks);
        ch->blocks = blocks;
        ch->blocks_cap = nb;
    }
    ch->nblocks = nb;
    pthread_mutex_lock(&p->mu);
    p->cur = ch;
    p->next_block = 0;
    p->blocks_done = 0;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    return 0;
}

/* Waits until every block of the posted chunk is scored (scoring them here when no worker thread
 * could be started). */
static void wait_chunk(pool *p, chunk *ch)
{
    if (p->nworkers == 0) {
        for (size_t k = 0; k < ch->nblocks; k++)
            run_block(&p->jobs[0], ch, k);
        p->cur = NULL;
        return;
    }
    pthread_mutex_lock(&p->mu);
    while (p->blocks_done < ch->nblocks)
        pthread_cond_wait(&p->done, &p->mu);
    p->cur = NULL;
    pthread_mutex_unlock(&p->mu);
}

/* Finds the TSV header's id and text columns. */
static int tsv_header(const char *line, size_t len, int *id_col, int *text_col)
{
    *id_col = cli_tsv_find_column(line, len, "id");
    *text_col = cli_tsv_find_column(line, len, "text");
    return *text_col >= 0 ? 0 : -1;
}

typedef struct progress {
    int on;
    size_t texts, bytes;
    struct timespec start;
} progress;

static void show_progress(const progress *p, int final)
{
    if (!p->on) return;
    double s = cli_seconds_since(&p->start);
    fprintf(stderr, "\rmedtone batch: %zu texts, %.1f MB, %.1f MB/s, %.0f texts/s%s", p->texts,
            (double)p->bytes / 1e6, s > 0 ? (double)p->bytes / 1e6 / s : 0,
            s > 0 ? (double)p->texts / s : 0, final ? "\n" : "");
}

typedef struct batch {
    pool pool;
    FILE *out;
    progress prog;
    size_t errors;
    int write_failed;
} batch;

/* Writes a scored chunk's blocks in order and empties the chunk. */
static int write_chunk(batch *b, chunk *ch)
{
    int oom = 0;
    for (size_t k = 0; k < ch->nblocks; k++) {
        block *bk = &ch->blocks[k];
        if (bk->out.oom) oom = 1;
        if (oom) continue;
        if (fwrite(bk->out.s, 1, bk->out.len, b->out) != bk->out.len) b->write_failed = 1;
        b->errors += bk->errors;
    }
    if (oom) {
        cli_error("batch", "out of memory");
        return -1;
    }
    b->prog.texts += ch->n;
    b->prog.bytes += ch->bytes.len;
    show_progress(&b->prog, 0);
    ch->n = 0;
    ch->bytes.len = 0;
    ch->nblocks = 0;
    return b->write_failed ? -1 : 0;
}

/* Finishes the chunk in flight (if any), posts `full` (if it has lines), then writes the finished
 * chunk while the workers score the new one; the caller reads the next chunk meanwhile. On
 * failure nothing is left in flight. */
static int rotate(batch *b, chunk **inflight, chunk *full)
{
    chunk *done = *inflight;
    *inflight = NULL;
    if (done) wait_chunk(&b->pool, done);
    if (full && full->n) {
        if (post_chunk(&b->pool, full) != 0) {
            cli_error("batch", "out of memory");
            if (done) write_chunk(b, done);
            return -1;
        }
        *inflight = full;
    }
    if (done && write_chunk(b, done) != 0) {
        if (*inflight) wait_chunk(&b->pool, *inflight); /* nothing more is written */
        *inflight = NULL;
        return -1;
    }
    return 0;
}

static void chunk_free(chunk *ch)
{
    sb_free(&ch->bytes);
    free(ch->lines);
    for (size_t k = 0; k < ch->blocks_cap; k++)
        sb_free(&ch->blocks[k].out);
    free(ch->blocks);
}

static int process_file(batch *b, const char *path, enum format want)
{
    const char *name = path ? path : "<stdin>";
    cli_reader *in = cli_reader_open(path);
    if (!in) {
        cli_error("batch", "%s: %s", name, strerror(errno ? errno : ENOENT));
        return -1;
    }
    chunk two[2];
    memset(two, 0, sizeof two);
    chunk *ch = &two[0], *inflight = NULL;
    enum format fmt = want;
    int id_col = -1, text_col = 0, status = 0, output_failed = 0;
    const char *line;
    long n;
    while ((n = cli_reader_line(in, &line)) >= 0) {
        size_t len = (size_t)n;
        if (fmt == FMT_AUTO) { /* decided by the first line */
            size_t k = 0;
            while (k < len && (line[k] == ' ' || line[k] == '\t'))
                k++;
            if (k < len && line[k] == '{')
                fmt = FMT_JSONL;
            else if (memchr(line, '\t', len) && tsv_header(line, len, &id_col, &text_col) == 0)
                fmt = FMT_TSV;
            else
                fmt = FMT_LINES;
            if (fmt == FMT_TSV) continue; /* that was the header */
        } else if (fmt == FMT_TSV && in->lineno == 1) {
            if (tsv_header(line, len, &id_col, &text_col) != 0) {
                cli_error("batch", "%s:1: the TSV header has no \"text\" column", name);
                status = -1;
                break;
            }
            continue;
        }
        if (fmt == FMT_JSONL && len == 0) continue; /* blank lines between objects */
        if (ch->n == ch->cap) {
            size_t ncap = ch->cap ? ch->cap * 2 : CHUNK_LINES;
            line_ref *nl = realloc(ch->lines, ncap * sizeof *nl);
            if (!nl) {
                cli_error("batch", "out of memory");
                status = -1;
                break;
            }
            ch->lines = nl;
            ch->cap = ncap;
        }
        ch->lines[ch->n].off = ch->bytes.len;
        ch->lines[ch->n].len = len;
        ch->lines[ch->n].lineno = in->lineno;
        ch->n++;
        sb_append(&ch->bytes, line, len);
        sb_append(&ch->bytes, "", 1); /* keep each text NUL-terminated for readers that want it */
        if (ch->bytes.oom) {
            cli_error("batch", "out of memory");
            status = -1;
            break;
        }
        if (ch->n >= CHUNK_LINES || ch->bytes.len >= CHUNK_BYTES) {
            ch->fmt = fmt;
            ch->id_col = id_col;
            ch->text_col = text_col;
            if (rotate(b, &inflight, ch) != 0) {
                status = -1;
                output_failed = 1;
                break;
            }
            ch = ch == &two[0] ? &two[1] : &two[0]; /* read the next chunk meanwhile */
        }
    }
    if (status == 0 && (n == -2 || n == -3)) {
        cli_error("batch", "%s:%zu: %s", name, in->lineno + 1,
                  n == -2 ? "out of memory" : "corrupt or truncated gzip input");
        status = -1;
    }
    /* What was read is scored and written, even after an input error (not after an output one:
     * then nothing is in flight any more). */
    ch->fmt = fmt;
    ch->id_col = id_col;
    ch->text_col = text_col;
    if (!output_failed && (rotate(b, &inflight, ch) != 0 || rotate(b, &inflight, NULL) != 0))
        status = -1;
    chunk_free(&two[0]);
    chunk_free(&two[1]);
    cli_reader_close(in);
    return status;
}

int cmd_batch(int argc, char **argv)
{
    cli_lexicons lx = {.embedded = 1};
    enum format fmt = FMT_AUTO;
    long threads = sysconf(_SC_NPROCESSORS_ONLN);
    int explain = 0, progress_flag = 0, only_flagged = 0, use_mask = 0, i = 1;
    unsigned char mask[64] = {0};
    const char *out_path = NULL;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            i++;
            break;
        }
        int lo = cli_lexicon_option("batch", argc, argv, &i, &lx);
        if (lo < 0) return CLI_USAGE;
        if (lo) continue;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return CLI_OK;
        } else if (!strcmp(a, "-e") || !strcmp(a, "--explain")) {
            explain = 1;
        } else if (!strcmp(a, "--progress")) {
            progress_flag = 1;
        } else if (!strcmp(a, "--only-flagged")) {
            only_flagged = 1;
        } else if (!strcmp(a, "--flag") && i + 1 < argc) {
            size_t idx;
            if (medtone_flag_find(argv[++i], &idx) != MEDTONE_OK || idx >= sizeof mask) {
                cli_error("batch", "unknown flag '%s'", argv[i]);
                return CLI_USAGE;
            }
            mask[idx] = 1;
            use_mask = only_flagged = 1;
        } else if ((!strcmp(a, "--format") || !strcmp(a, "-t") || !strcmp(a, "--threads") ||
                    !strcmp(a, "-o") || !strcmp(a, "--output")) &&
                   i + 1 < argc) {
            const char *v = argv[++i];
            if (!strcmp(a, "--format")) {
                fmt = !strcmp(v, "auto")    ? FMT_AUTO
                      : !strcmp(v, "lines") ? FMT_LINES
                      : !strcmp(v, "jsonl") ? FMT_JSONL
                      : !strcmp(v, "tsv")   ? FMT_TSV
                                            : (enum format) - 1;
                if ((int)fmt < 0) {
                    cli_error("batch", "--format takes auto, lines, jsonl or tsv, not '%s'", v);
                    return CLI_USAGE;
                }
            } else if (a[1] == 't' || a[2] == 't') {
                char *end;
                threads = strtol(v, &end, 10);
                if (*end || end == v || threads < 1 || threads > MAX_THREADS) {
                    cli_error("batch", "--threads takes a number from 1 to %d, not '%s'",
                              MAX_THREADS, v);
                    return CLI_USAGE;
                }
            } else {
                out_path = v;
            }
        } else {
            cli_error("batch", "unknown option '%s' or missing value (see 'medtone batch --help')",
                      a);
            return CLI_USAGE;
        }
    }
    if (threads < 1) threads = 1;
    if (threads > MAX_THREADS) threads = MAX_THREADS;

    batch b = {.out = stdout};
    b.prog.on = progress_flag || isatty(2);
    clock_gettime(CLOCK_MONOTONIC, &b.prog.start);
    if (out_path && !(b.out = fopen(out_path, "w"))) {
        cli_error("batch", "%s: %s", out_path, strerror(errno));
        return CLI_FAIL;
    }
    medtone_analyzer *an = cli_make_analyzer("batch", &lx);
    int status = an ? CLI_OK : CLI_FAIL;
    pool *p = &b.pool;
    p->jobs = calloc((size_t)threads, sizeof *p->jobs);
    for (int k = 0; an && p->jobs && k < threads; k++) {
        p->jobs[k].an = an;
        p->jobs[k].explain = explain;
        p->jobs[k].only_flagged = only_flagged;
        p->jobs[k].mask = use_mask ? mask : NULL;
        if (!(p->jobs[k].res = medtone_result_new())) status = CLI_FAIL;
    }
    if (!p->jobs) status = CLI_FAIL;
    void *args[MAX_THREADS][2];
    int sync_ok = status == CLI_OK && pthread_mutex_init(&p->mu, NULL) == 0;
    if (sync_ok && pthread_cond_init(&p->work, NULL) != 0) {
        pthread_mutex_destroy(&p->mu);
        sync_ok = 0;
    }
    if (sync_ok && pthread_cond_init(&p->done, NULL) != 0) {
        pthread_cond_destroy(&p->work);
        pthread_mutex_destroy(&p->mu);
        sync_ok = 0;
    }
    if (status == CLI_OK && !sync_ok) {
        cli_error("batch", "cannot set up the worker threads");
        status = CLI_FAIL;
    }
    for (int k = 0; sync_ok && k < threads; k++) { /* fewer threads than asked still work */
        args[p->nworkers][0] = p;
        args[p->nworkers][1] = &p->jobs[k];
        if (pthread_create(&p->tid[p->nworkers], NULL, worker, args[p->nworkers]) == 0)
            p->nworkers++;
    }
    if (status == CLI_OK) {
        if (i >= argc) {
            if (process_file(&b, NULL, fmt) != 0) status = CLI_FAIL;
        }
        for (; status == CLI_OK && i < argc; i++)
            if (process_file(&b, !strcmp(argv[i], "-") ? NULL : argv[i], fmt) != 0)
                status = CLI_FAIL;
    }
    if (sync_ok) {
        pthread_mutex_lock(&p->mu);
        p->quit = 1;
        pthread_cond_broadcast(&p->work);
        pthread_mutex_unlock(&p->mu);
        for (int k = 0; k < p->nworkers; k++)
            pthread_join(p->tid[k], NULL);
        pthread_cond_destroy(&p->done);
        pthread_cond_destroy(&p->work);
        pthread_mutex_destroy(&p->mu);
    }
    show_progress(&b.prog, 1);
    if (b.errors) {
        cli_error("batch", "%zu row(s) could not be scored (see their \"error\" members)",
                  b.errors);
        if (status == CLI_OK) status = CLI_FAIL;
    }
    if (fflush(b.out) != 0 || b.write_failed) {
        cli_error("batch", "cannot write the output: %s", strerror(errno));
        status = CLI_FAIL;
    }
    if (out_path) fclose(b.out);
    for (int k = 0; p->jobs && k < threads; k++) {
        medtone_result_free(p->jobs[k].res);
        sb_free(&p->jobs[k].text);
        sb_free(&p->jobs[k].id);
    }
    free(p->jobs);
    medtone_analyzer_free(an);
    return status;
}
