/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "clair-project.h"
#include "clair-prompt.h"
#include "clair-request.h"

G_BEGIN_DECLS

typedef enum
{
  CLAIR_EXPORT_TRL,              /*< nick=trl >*/
  CLAIR_EXPORT_TRL_CHAT,         /*< nick=trl-chat >*/
  CLAIR_EXPORT_KTO,              /*< nick=kto >*/
  CLAIR_EXPORT_CONTEXTUAL,       /*< nick=contextual >*/
  CLAIR_EXPORT_DISTILABEL,       /*< nick=distilabel >*/
  CLAIR_EXPORT_BATCH_REQUESTS,   /*< nick=batch-requests >*/
} ClairExportFormat;

typedef enum
{
  /* Accepted rows; an edited revision counts, with its text. */
  CLAIR_EXPORT_SELECT_ACCEPTED,   /*< nick=accepted >*/
  /* Every successfully revised row not rejected. */
  CLAIR_EXPORT_SELECT_REVISED,    /*< nick=revised >*/
  /* Every row with a revision (batch requests: every row). */
  CLAIR_EXPORT_SELECT_ALL,        /*< nick=all >*/
} ClairExportSelection;

typedef struct
{
  ClairExportFormat     format;
  ClairExportSelection  selection;
  gboolean              include_rationale;   /* adds "rational" to presets that lack it */
  /* For batch requests: */
  ClairPrompt          *prompt;              /* NULL = the project's prompt */
  ClairGenParams       *params;              /* NULL = the project's parameters */
  /* Which source columns pass through (by their names in the dataset). A column named like a key
   * the trainer or the preset reads never passes through under that name: it is written as
   * "source_NAME" (KTO leaves the source's "chosen" and "rejected" out). */
  const char * const   *keep_columns;        /* only these (NULL: every column) */
  const char * const   *drop_columns;        /* never these (NULL: none) */
  /* Pairs whose token Jaccard similarity is below this are counted as not minimal (0: no count). */
  double                not_minimal_below;
  /* Batch requests are split into files of at most this many requests and bytes (0: OpenAI's
   * limits, 50,000 requests and 190 MB). */
  guint                 max_requests_per_file;
  guint64               max_bytes_per_file;
  /* Adds "annotators": {NAME: decision or null, …} with every annotator of the project, and
   * "resolved_by" (the resolution's annotator or null), to each line of a pair or row format. */
  gboolean              annotator_columns;
} ClairExportOptions;

/* What an export wrote, or would write (clair_export_preview()). */
typedef struct
{
  guint64  n_lines;          /* lines written (KTO: two per pair) */
  guint64  n_rows;           /* rows exported */
  guint64  n_edited;         /* of those, with the annotator's edit */
  guint64  n_not_minimal;    /* of those, pairs below options->not_minimal_below */
  guint64  n_newer;          /* of those, rows with a newer revision not reviewed yet (the reviewed
                              * one went out) */
  guint64  n_identical;      /* pairs left out: the revision equals the original */
  guint64  n_rejected;       /* rows left out of a pair format: the annotator rejected them */
  guint64  n_adjacent;       /* KTO lines that could not be kept apart from a line of the same prompt */
  guint64  n_disagreement;   /* rows left out: their annotators disagree and nobody resolved it */
  char   **renamed;          /* source columns written as "source_NAME" */
  char   **left_out;         /* source columns left out */
  char   **files;            /* the files written, in order */
  char    *warning;          /* a problem that did not stop the export, or NULL */
} ClairExportSummary;

void        clair_export_summary_clear         (ClairExportSummary        *summary);

/* Streams the selected rows to @path. A regular file (or a symbolic link's target) is replaced
 * atomically: a failed or cancelled export never leaves a half-written file. A FIFO or a device
 * (and "-", standard output) is written directly. Batch requests larger than the limits go to
 * several files named PATH-00001-of-0000N.jsonl, and the request sent for each row is recorded in
 * the project. Memory use does not grow with the rows. */
gboolean    clair_export_to_file               (ClairProject              *project,
                                                const ClairExportOptions  *options,
                                                const char                *path,
                                                GCancellable              *cancellable,
                                                ClairProgressFunc          progress,
                                                gpointer                   user_data,
                                                ClairExportSummary        *summary,
                                                GError                   **error);
/* Counts what clair_export_to_file() would write, without writing. */
gboolean    clair_export_preview               (ClairProject              *project,
                                                const ClairExportOptions  *options,
                                                GCancellable              *cancellable,
                                                ClairExportSummary        *summary,
                                                GError                   **error);
/* The source columns that can pass through to an export (those of the first rows), in order. */
char      **clair_export_list_columns          (ClairProject              *project,
                                                GError                   **error);

G_END_DECLS
