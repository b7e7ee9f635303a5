/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "clair-export.h"

G_BEGIN_DECLS

#define CLAIR_TYPE_EXPORT_DIALOG (clair_export_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ClairExportDialog, clair_export_dialog, CLAIR, EXPORT_DIALOG, AdwWindow)

/* Preset, selection, rationale and destination; the export itself runs on a worker thread with
 * progress, and "exported" (path, rows written) is emitted when the file is in place. */
GtkWidget  *clair_export_dialog_new             (GtkWindow            *parent,
                                                 ClairProject         *project);
void        clair_export_dialog_set_format      (ClairExportDialog    *self,
                                                 ClairExportFormat     format);
void        clair_export_dialog_set_selection   (ClairExportDialog    *self,
                                                 ClairExportSelection  selection);
void        clair_export_dialog_set_include_rationale (ClairExportDialog *self,
                                                 gboolean              include);
/* Adds each annotator's decision (and who resolved a disagreement) to every line. */
void        clair_export_dialog_set_annotator_columns (ClairExportDialog *self,
                                                 gboolean              add);
const char *clair_export_dialog_get_destination (ClairExportDialog    *self);
void        clair_export_dialog_set_destination (ClairExportDialog    *self,
                                                 const char           *path);
/* Pairs below this token similarity are counted as not minimal in the summary. */
void        clair_export_dialog_set_not_minimal_below (ClairExportDialog *self,
                                                 double                threshold);
/* The summary shown ("12 pairs (3 edited, …)"), counted again on a worker after every change. */
const char *clair_export_dialog_get_summary     (ClairExportDialog    *self);
/* Whether a source column passes through, as its check box in the column list says. */
void        clair_export_dialog_set_column_active (ClairExportDialog  *self,
                                                 const char           *column,
                                                 gboolean              active);
/* Starts the export, as the Export button does. */
void        clair_export_dialog_export          (ClairExportDialog    *self);

G_END_DECLS
