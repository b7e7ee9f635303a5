/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "clair-project.h"

G_BEGIN_DECLS

/* What came of importing batch output files. */
typedef struct
{
  guint       n_imported;    /* results stored (answers, revised or not, and failed requests) */
  guint       n_revised;     /* of those, with a usable revision */
  guint       n_errors;      /* lines that were not good results: each is in @problems */
  guint       n_kept;        /* results for rows whose decision keeps the reviewed revision */
  guint       n_missing;     /* rows a batch asked for that still have no result */
  GPtrArray  *problems;      /* of char *: "FILE:LINE: reason", one per error */
} ClairImportResultsReport;

void        clair_import_results_report_clear (ClairImportResultsReport *report);

/* Reads OpenAI Batch API or `vllm run-batch` output files, joins each line to its row by
 * custom_id ("row-N"), parses each reply and stores it as an attempt with the hash of the request
 * the batch file recorded for the row. Lines that are not good results (not JSON, an unknown,
 * duplicate or malformed custom_id, a failed request) are reported with their line number and
 * reason; every good line is imported. A result never replaces what an annotator decided on: a
 * decided row keeps its reviewed revision current. Returns FALSE only when nothing could be read
 * or stored (a missing file, a full disk). */
gboolean    clair_import_results_files        (ClairProject              *project,
                                               const char * const        *paths,
                                               ClairImportResultsReport  *report,
                                               GError                   **error);

G_END_DECLS
