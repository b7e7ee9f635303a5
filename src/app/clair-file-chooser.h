/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The app's file choosers, in one place: a GtkFileChooserNative (portal-aware, so it works in
 * Flatpak) with the filters the app uses, modal to @parent. @callback gets the chosen path, or is
 * not called at all when the user cancels. */

typedef enum
{
  CLAIR_FILE_FILTER_NONE,       /* every file */
  CLAIR_FILE_FILTER_DATASETS,   /* datasets and projects: .jsonl .json .csv .tsv .clair */
  CLAIR_FILE_FILTER_PROJECTS,   /* projects: .clair */
  CLAIR_FILE_FILTER_JSONL,      /* exports: .jsonl */
} ClairFileFilter;

typedef void (*ClairFileChosenFunc) (const char *path,
                                     gpointer    user_data);

/* Asks for a file to open. */
void clair_file_chooser_open (GtkWindow           *parent,
                              const char          *title,
                              ClairFileFilter      filter,
                              ClairFileChosenFunc  callback,
                              gpointer             user_data);
/* Asks where to save, starting from @suggested_path (its folder and name). With @suffix
 * (".clair"), a chosen name without it gets it. */
void clair_file_chooser_save (GtkWindow           *parent,
                              const char          *title,
                              const char          *suggested_path,
                              ClairFileFilter      filter,
                              const char          *suffix,
                              ClairFileChosenFunc  callback,
                              gpointer             user_data);

G_END_DECLS
