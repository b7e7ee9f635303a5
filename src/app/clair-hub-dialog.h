/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CLAIR_TYPE_HUB_DIALOG (clair_hub_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ClairHubDialog, clair_hub_dialog, CLAIR, HUB_DIALOG, AdwWindow)

/* "Open from Hugging Face…": looks a dataset up on the Hub (HF_ENDPOINT, HF_TOKEN and the token
 * file as huggingface_hub reads them, then the keyring), offers its configs and splits with their
 * sizes, and downloads the one chosen into the cache (resumable, cancellable). When the files are
 * here it emits "downloaded" (the local path to open, the project's default file name, and a
 * GHashTable of the settings that record the source) and closes. */
GtkWidget  *clair_hub_dialog_new         (GtkWindow      *parent);
/* Fills the dataset field and looks it up, as typing it and pressing Enter does. */
void        clair_hub_dialog_look_up     (ClairHubDialog *self,
                                          const char     *dataset);
/* Downloads the split chosen, as the Download and Open button does. */
void        clair_hub_dialog_download    (ClairHubDialog *self);
/* What the dialog says (an error, the listing, the download), for tests. */
const char *clair_hub_dialog_get_status  (ClairHubDialog *self);
/* TRUE once a listing has arrived and a split can be downloaded. */
gboolean    clair_hub_dialog_can_download (ClairHubDialog *self);

G_END_DECLS
