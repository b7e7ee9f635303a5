/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "clair-project.h"
#include "clair-prompt.h"
#include "clair-request.h"

G_BEGIN_DECLS

typedef enum
{
  CLAIR_EXPORT_TRL,
  CLAIR_EXPORT_TRL_CHAT,
  CLAIR_EXPORT_KTO,
  CLAIR_EXPORT_CONTEXTUAL,
  CLAIR_EXPORT_DISTILABEL,
  CLAIR_EXPORT_BATCH_REQUESTS,
} ClairExportFormat;

typedef enum
{
  CLAIR_EXPORT_SELECT_ACCEPTED,   /* accepted rows; an edited revision counts, with its text */
  CLAIR_EXPORT_SELECT_REVISED,    /* every successfully revised row not rejected */
  CLAIR_EXPORT_SELECT_ALL,        /* every row with a revision (batch requests: every row) */
} ClairExportSelection;

const char *clair_export_format_to_string      (ClairExportFormat      format);
gboolean    clair_export_format_from_string    (const char            *name,
                                                ClairExportFormat     *format);
const char *clair_export_selection_to_string   (ClairExportSelection   selection);
gboolean    clair_export_selection_from_string (const char            *name,
                                                ClairExportSelection  *selection);

typedef struct
{
  ClairExportFormat     format;
  ClairExportSelection  selection;
  gboolean              include_rationale;   /* adds "rational" to presets that lack it */
  /* For batch requests: */
  ClairPrompt          *prompt;              /* NULL = the project's prompt */
  ClairGenParams       *params;              /* NULL = the project's parameters */
} ClairExportOptions;

/* Streams the selected rows to @path through a temporary file renamed into place, so a failed or
 * cancelled export never leaves a half-written file. Memory use does not grow with the rows. */
gboolean    clair_export_to_file               (ClairProject              *project,
                                                const ClairExportOptions  *options,
                                                const char                *path,
                                                GCancellable              *cancellable,
                                                ClairProgressFunc          progress,
                                                gpointer                   user_data,
                                                guint64                   *n_written,
                                                GError                   **error);

/* Reads an OpenAI Batch API or `vllm run-batch` output file, joins it on custom_id ("row-N"),
 * parses each reply and stores it as an attempt. */
gboolean    clair_import_results               (ClairProject              *project,
                                                const char                *path,
                                                guint                     *n_imported,
                                                guint                     *n_failed,
                                                GError                   **error);

G_END_DECLS
