/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "clair-dataset.h"

G_BEGIN_DECLS

#define CLAIR_TYPE_MAPPING_DIALOG (clair_mapping_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ClairMappingDialog, clair_mapping_dialog, CLAIR, MAPPING_DIALOG, AdwWindow)

/* The step between choosing a dataset and working on it: which columns hold the task and the
 * answer (guessed), a live preview of the first rows, and where the project goes (next to the
 * dataset by default). Import runs on a worker thread; "imported" carries the project's path.
 * A long import hides the dialog once its first rows are in ("import-started"), so the window
 * can show them while it goes on. */
GtkWidget  *clair_mapping_dialog_new              (GtkWindow          *parent,
                                                   ClairDataset       *dataset);
ClairDataset *clair_mapping_dialog_get_dataset    (ClairMappingDialog *self);
/* The current choice; the caller frees it with clair_mapping_clear(). */
void        clair_mapping_dialog_get_mapping      (ClairMappingDialog *self,
                                                   ClairMapping       *mapping);
gboolean    clair_mapping_dialog_set_columns      (ClairMappingDialog *self,
                                                   const char         *task_column,
                                                   const char         *solution_column);
const char *clair_mapping_dialog_get_project_path (ClairMappingDialog *self);
void        clair_mapping_dialog_set_project_path (ClairMappingDialog *self,
                                                   const char         *path);
/* The number of preview rows shown and the text of one of them (for tests). */
guint       clair_mapping_dialog_get_n_preview    (ClairMappingDialog *self);
const char *clair_mapping_dialog_get_preview_task (ClairMappingDialog *self,
                                                   guint               row);
/* Starts the import, as the Import button does. */
void        clair_mapping_dialog_import           (ClairMappingDialog *self);
/* Stops the import; the project it was making is removed. */
void        clair_mapping_dialog_cancel_import    (ClairMappingDialog *self);
/* Rows of the dataset read so far, and in all (0 until known). */
void        clair_mapping_dialog_get_import_progress (ClairMappingDialog *self,
                                                      guint              *done,
                                                      guint              *total);

G_END_DECLS
