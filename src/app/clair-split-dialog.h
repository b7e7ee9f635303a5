/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "clair-project.h"

G_BEGIN_DECLS

#define CLAIR_TYPE_SPLIT_DIALOG (clair_split_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ClairSplitDialog, clair_split_dialog, CLAIR, SPLIT_DIALOG, AdwWindow)

/* Split for annotators (clair split): the names, the share of rows two of them decide, the seed,
 * whether decided rows are left out, the folder; it previews each annotator's rows before
 * writing, writes the shards on a worker thread and emits "split" (the folder, the number of
 * shards) before it closes. */
GtkWidget  *clair_split_dialog_new            (GtkWindow        *parent,
                                               ClairProject     *project);
void        clair_split_dialog_set_annotators (ClairSplitDialog *self,
                                               const char       *names);
void        clair_split_dialog_set_folder     (ClairSplitDialog *self,
                                               const char       *folder);
void        clair_split_dialog_set_seed       (ClairSplitDialog *self,
                                               guint64           seed);
/* Writes the shards, as the Split button does. */
void        clair_split_dialog_split          (ClairSplitDialog *self);
/* What the dialog says: the preview, an error (for tests). */
const char *clair_split_dialog_get_status     (ClairSplitDialog *self);

G_END_DECLS
