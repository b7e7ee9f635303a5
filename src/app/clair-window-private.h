/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtksourceview/gtksource.h>

#include "clair-escape.h"
#include "clair-history.h"
#include "clair-guidelines-pane.h"
#include "clair-record-pane.h"
#include "clair-row-item.h"
#include "clair-row-list-pane.h"
#include "clair-run-bar.h"
#include "clair-window.h"

G_BEGIN_DECLS

/* A run the window follows, known to clair-window-run.c only. */
typedef struct _ClairWindowRun ClairWindowRun;


struct _ClairWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwHeaderBar         *header_bar;
  AdwWindowTitle       *window_title;
  ClairRunBar          *run_bar;
  GtkMenuButton        *stats_button;
  GtkStack             *main_stack;
  AdwStatusPage        *empty_page;
  GtkListBox           *recent_list;
  GtkWidget            *recent_group;
  GtkListBox           *recent_hub_list;
  GtkWidget            *recent_hub_group;
  GtkLabel             *loading_label;
  GtkProgressBar       *loading_bar;
  AdwFlap              *flap;            /* the row list beside the record, or over it */
  ClairRowListPane     *row_list_pane;
  AdwClamp             *sidebar_clamp;   /* the list's width, whatever its tasks' length */
  GtkToggleButton      *sidebar_button;
  GtkWidget            *go_to_popover;   /* G: a row number, made when first asked for */
  GtkStack             *detail_stack;
  ClairRecordPane      *record_pane;
  GtkRevealer          *guidelines_revealer;
  ClairGuidelinesPane  *guidelines_pane;
  GtkToggleButton      *guidelines_button;
  int                   showing_newer;   /* the row whose newer revision was asked for, or -1 */
  gboolean              newer_shown;     /* self->record's attempt and newer are swapped */

  /* Not from the template */
  GtkWidget            *diff_view;       /* the record pane's */
  GSettings            *settings;
  ClairProject         *project;
  ClairRowList         *rows;            /* every row of the project, in index order */
  double                threshold;
  GCancellable         *cancellable;     /* loads and exports of this window */
  ClairRecord          *record;          /* the row in the detail view */
  int                   current_row;
  gboolean              loading_record;  /* TRUE while filling the detail view */
  gboolean              busy;
  gulong                page_painted_id; /* rows wait for the page's first paint */
  guint                 show_rows_id;
  ClairHistory         *history;         /* the project's decisions to undo and redo */
  GCancellable         *bulk_cancellable; /* set while a bulk change runs on a worker */
  AdwToast             *decision_toast;
  ClairDecisionChange  *edit_change;     /* the change an edit session will push */
  guint                 edit_save_id;

  /* A long import whose rows the window shows as they come (clair-window-open.c) */
  GObject              *import_dialog;   /* the ClairMappingDialog running it, hidden */
  GHashTable           *hub_settings;    /* where a Hub dataset being imported came from */
  guint                 import_tick_id;
  gboolean              import_polling;  /* new rows being read */
  gboolean              import_finishing; /* the import is done: one last read */

  /* Run state (clair-window-run.c) */
  ClairWindowRun       *run;
};

void     _clair_window_update_actions      (ClairWindow    *self);
void     _clair_window_install_actions     (GtkWidgetClass *widget_class);
void     _clair_window_setup_shortcuts     (ClairWindow    *self);
void     _clair_window_refresh_row         (ClairWindow    *self,
                                            guint           index);
void     _clair_window_refresh_counts      (ClairWindow    *self);
void     _clair_window_show_counts         (ClairWindow    *self,
                                            const ClairProjectCounts *counts);
void     _clair_window_show_record         (ClairWindow    *self,
                                            int             index);
void     _clair_window_toast               (ClairWindow    *self,
                                            const char     *message);
void     _clair_window_show_error          (ClairWindow    *self,
                                            const char     *heading,
                                            const GError   *error);
/* The same, with a button that opens Preferences (where a run's settings are fixed). */
void     _clair_window_show_run_error      (ClairWindow    *self,
                                            const char     *heading,
                                            const GError   *error);
/* The record pane's status pill again (running, decided, edited). */
void     _clair_window_update_record_status (ClairWindow   *self);
void     _clair_window_set_threshold       (ClairWindow    *self,
                                            double          threshold);
void     _clair_window_refilter            (ClairWindow    *self);
guint    _clair_window_get_selected_indexes (ClairWindow   *self,
                                            GArray         *out);
void     _clair_window_move                (ClairWindow    *self,
                                            int             delta);
void     _clair_window_leave_edit          (ClairWindow    *self);
void     _clair_window_toggle_newer        (ClairWindow    *self);

/* clair-window-open.c */
void     _clair_window_open_dialog         (ClairWindow    *self);
/* "Open from Hugging Face…", with @dataset looked up at once when not NULL. */
void     _clair_window_open_hub_dialog     (ClairWindow    *self,
                                            const char     *dataset);
void     _clair_window_setup_drop          (ClairWindow    *self);
void     _clair_window_fill_recent         (ClairWindow    *self);
gboolean _clair_window_is_importing        (ClairWindow    *self);
/* Closes the project and shows the empty window. */
void     _clair_window_close_project       (ClairWindow    *self);
/* Cancels the import the window shows, if any, and stops following it. */
void     _clair_window_import_stop         (ClairWindow    *self);
void     _clair_window_add_recent          (ClairWindow    *self,
                                            const char     *path);

/* clair-window-run.c */
void     _clair_window_run_init            (ClairWindow    *self);
void     _clair_window_run_dispose         (ClairWindow    *self);
gboolean _clair_window_run_is_active       (ClairWindow    *self);
gboolean _clair_window_run_is_paused       (ClairWindow    *self);
void     _clair_window_run_toggle          (ClairWindow    *self);
void     _clair_window_run_stop            (ClairWindow    *self);
void     _clair_window_run_rows            (ClairWindow    *self,
                                            GArray         *indexes);
gboolean _clair_window_run_is_row_running  (ClairWindow    *self,
                                            guint           index);
const char *_clair_window_run_get_live_text (ClairWindow   *self,
                                            guint           index);

G_END_DECLS
