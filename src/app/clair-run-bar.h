/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CLAIR_TYPE_RUN_BAR (clair_run_bar_get_type ())
G_DECLARE_FINAL_TYPE (ClairRunBar, clair_run_bar, CLAIR, RUN_BAR, GtkWidget)

/* The run controls of the header bar: run (or pause, or resume) and stop, which activate the
 * window's win.run and win.stop, and the progress of a run or an import with its counts. Shows
 * what the window sets; the window owns the runner and the import. */
GtkWidget  *clair_run_bar_new                   (void);
/* A run is on (TRUE also while it is paused). */
gboolean    clair_run_bar_get_running           (ClairRunBar *self);
void        clair_run_bar_set_running           (ClairRunBar *self,
                                                 gboolean     running);
gboolean    clair_run_bar_get_paused            (ClairRunBar *self);
void        clair_run_bar_set_paused            (ClairRunBar *self,
                                                 gboolean     paused);
/* A dataset is being imported: stop stops the import. */
gboolean    clair_run_bar_get_importing         (ClairRunBar *self);
void        clair_run_bar_set_importing         (ClairRunBar *self,
                                                 gboolean     importing);
/* Shows the progress bar at @fraction (0 to 1), with @text (counts, time left) above it. */
void        clair_run_bar_show_progress         (ClairRunBar *self,
                                                 const char  *text,
                                                 double       fraction);
void        clair_run_bar_hide_progress         (ClairRunBar *self);
gboolean    clair_run_bar_get_progress_visible  (ClairRunBar *self);
const char *clair_run_bar_get_progress_text     (ClairRunBar *self);

G_END_DECLS
