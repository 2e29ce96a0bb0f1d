/* report.h — what `medtone report` (cmd_report.c) hands to its HTML writer (report_html.c). */
#ifndef MEDTONE_CLI_REPORT_H
#define MEDTONE_CLI_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "medtone.h"

/* Why a row was not aggregated. */
enum {
    ROW_OK = 0,    /* aggregated under at least one entity */
    ROW_UNMATCHED, /* read and scored, but it names no tracked entity */
    ROW_NO_TIME,   /* no "created_at", "time" or "timestamp" member */
    ROW_BAD_TIME,  /* a time member that is not ISO 8601 or Unix seconds */
    ROW_MALFORMED, /* not a JSON object, or no "text" string */
    ROW_FAILED,    /* analysis or aggregation failed (out of memory) */
    ROW_KINDS
};

/* The text of a post an alert names, kept for the HTML. */
typedef struct report_post {
    char *id;
    char *text;
    size_t len;
} report_post;

typedef struct report {
    const medtone_entities *ents;
    const medtone_aggregator *agg;
    const medtone_alerts *alerts;
    const medtone_analyzer *an; /* to analyze alert posts again for their evidence */
    char *const *inputs;        /* the input file names */
    size_t ninputs;
    size_t nstates; /* saved states loaded (--load) */
    size_t rows, mentions;
    size_t count[ROW_KINDS];
    char first[ROW_KINDS][300]; /* "file:line" of the first row of each kind ("" if none) */
    report_post *posts;         /* sorted by id */
    size_t nposts;
} report;

/* The kept text of a post, or NULL. */
const report_post *report_find_post(const report *rp, const char *id);

/* "2026-03-02" for a Unix time (UTC) into buf[11+]. */
void report_date(int64_t t, char *buf, size_t cap);

/* Writes the self-contained HTML report. Returns 0, or -1 when writing failed or memory ran out
 * (errno tells which). */
int report_write_html(const report *rp, FILE *out);

#endif
