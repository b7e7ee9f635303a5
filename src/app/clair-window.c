/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-window"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "clair-diff-view.h"
#include "clair-preferences-window.h"
#include "clair-stats.h"
#include "clair-window-private.h"

/* The main window: a shell that owns the project (open, load, close), the actions and the header
 * bar, and holds the composite panes: the row list (ClairRowListPane) on the left, the row being
 * read (ClairRecordPane) on the right, the run controls (ClairRunBar) in the header bar. Every
 * decision is written to the project the moment it is made (clair-window-actions.c). */

G_DEFINE_FINAL_TYPE (ClairWindow, clair_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_BUSY,
  PROP_CURRENT_ROW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void set_busy (ClairWindow *self, gboolean busy);

/* The row list */

void
_clair_window_refilter (ClairWindow *self)
{
  clair_row_list_pane_refilter (self->row_list_pane);
}

void
_clair_window_set_threshold (ClairWindow *self,
                             double       threshold)
{
  self->threshold = threshold;
  g_settings_set_double (self->settings, "not-minimal-threshold", threshold);
  clair_row_list_pane_set_threshold (self->row_list_pane, threshold);
}

/* The row picked in the list is the one shown. */
static void
selected_index_cb (ClairRowListPane *pane,
                   GParamSpec       *pspec,
                   ClairWindow      *self)
{
  int index = clair_row_list_pane_get_selected_index (pane);

  if (index != self->current_row || index < 0)
    _clair_window_show_record (self, index);
}

/* A project read is loaded once its list is whole. */
static void
list_changed_cb (ClairRowListPane *pane,
                 ClairWindow      *self)
{
  if (self->busy && self->rows != NULL)
    {
      set_busy (self, FALSE);
      _clair_window_update_actions (self);
    }
}

/* A row picked (Enter, double click) from the list laid over a narrow window: the list makes
 * way for the record. */
static void
row_activated_cb (ClairWindow *self)
{
  if (adw_flap_get_folded (self->flap))
    adw_flap_set_reveal_flap (self->flap, FALSE);
}

/* What is searched for is marked in the row being read too. */
static void
search_text_cb (ClairRowListPane *pane,
                GParamSpec       *pspec,
                ClairWindow      *self)
{
  clair_record_pane_set_search (self->record_pane, clair_row_list_pane_get_search_text (pane));
}

static void
search_failed_cb (ClairRowListPane *pane,
                  const GError     *error,
                  ClairWindow      *self)
{
  _clair_window_show_error (self, _("Search Failed"), error);
}

/* Loading a project: open it, read the summaries of every row on its worker, then make the
 * list's items from them on another. */
static void
forget_page_paint (ClairWindow *self)
{
  if (self->page_painted_id != 0)
    {
      GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

      /* Unrealized since, the clock is gone and took the handler with it. */
      if (clock != NULL)
        g_signal_handler_disconnect (clock, self->page_painted_id);
      self->page_painted_id = 0;
    }
  g_clear_handle_id (&self->show_rows_id, g_source_remove);
}

/* @keep_list: another project's rows come next, shown in the same list. */
static void
clear_project (ClairWindow *self,
               gboolean     keep_list)
{
  _clair_window_import_stop (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  /* A bulk change stops after its current chunk; what it wrote stays. */
  g_cancellable_cancel (self->bulk_cancellable);
  g_clear_object (&self->bulk_cancellable);
  _clair_window_leave_edit (self);
  if (keep_list)
    clair_row_list_pane_hold (self->row_list_pane);
  else
    clair_row_list_pane_set_rows (self->row_list_pane, NULL, NULL);
  clair_row_list_unref_in_thread (g_steal_pointer (&self->rows));
  /* The guidelines being edited are saved before the project goes. */
  if (self->guidelines_pane != NULL)
    clair_guidelines_pane_set_project (self->guidelines_pane, NULL);
  if (self->guidelines_button != NULL)
    {
      gtk_toggle_button_set_active (self->guidelines_button, FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->guidelines_button), FALSE);
    }
  g_clear_object (&self->project);
  g_clear_pointer (&self->record, clair_record_free);
  forget_page_paint (self);
  self->current_row = -1;
  g_clear_object (&self->history);
}

void
_clair_window_close_project (ClairWindow *self)
{
  clear_project (self, FALSE);
  adw_window_title_set_subtitle (self->window_title, NULL);
  gtk_stack_set_visible_child_name (self->main_stack, "empty");
  _clair_window_update_actions (self);
}

static void
set_busy (ClairWindow *self,
          gboolean     busy)
{
  if (self->busy == busy)
    return;
  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* Puts the loaded rows in the list, which selects the first. */
static void
show_rows (ClairWindow *self)
{
  clair_row_list_pane_set_rows (self->row_list_pane, self->project, self->rows);
  /* With rows, the list's "changed" says when it is whole (view_changed_cb). */
  if (g_list_model_get_n_items (G_LIST_MODEL (self->rows)) == 0)
    set_busy (self, FALSE);
  /* While a dataset is imported, every count would read the rows again on this thread: the
   * import's reads bring the counts instead. */
  if (!_clair_window_is_importing (self))
    _clair_window_refresh_counts (self);
  clair_row_list_pane_focus_list (self->row_list_pane);
  _clair_window_update_actions (self);
}

static gboolean
show_rows_idle_cb (gpointer user_data)
{
  ClairWindow *self = user_data;

  self->show_rows_id = 0;
  forget_page_paint (self);
  show_rows (self);
  return G_SOURCE_REMOVE;
}

static void
page_painted_cb (ClairWindow *self)
{
  forget_page_paint (self);
  /* In a turn of its own, not in the frame just painted (and not behind the next ones). */
  self->show_rows_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, show_rows_idle_cb, self, NULL);
}

static void
load_failed (ClairWindow  *self,
             const GError *error)
{
  /* A load of a project closed since was cancelled with it. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_busy (self, FALSE);
  _clair_window_show_error (self, _("Could Not Open the Project"), error);
  _clair_window_close_project (self);
}

static void
rows_made_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(ClairWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairRowList) rows = clair_row_list_new_finish (result, &error);
  g_autofree char *basename = NULL;
  g_autofree char *display_name = NULL;
  GdkFrameClock *clock;

  if (rows == NULL)
    {
      load_failed (self, error);
      return;
    }
  /* Decisions made here are under the annotator named in Preferences (else the default name;
   * a shard of a split keeps its own annotator). */
  {
    g_autofree char *annotator = clair_preferences_dup_annotator (self->settings);
    g_autofree char *shard_of = clair_project_get_setting (self->project, CLAIR_TEAM_SHARD_ANNOTATOR_KEY);

    if (shard_of == NULL)
      clair_project_set_annotator (self->project, annotator);
  }
  /* A project with guidelines (a shard of a split, say) shows them beside the record. */
  clair_guidelines_pane_set_project (self->guidelines_pane, self->project);
  gtk_widget_set_sensitive (GTK_WIDGET (self->guidelines_button), TRUE);
  {
    g_autofree char *guidelines = clair_project_get_guidelines (self->project);

    gtk_toggle_button_set_active (self->guidelines_button, guidelines != NULL && *guidelines != '\0');
  }
  self->rows = g_steal_pointer (&rows);

  basename = g_path_get_basename (clair_project_get_path (self->project));
  display_name = clair_escape_controls (basename, CLAIR_ESCAPE_LINE);
  adw_window_title_set_subtitle (self->window_title, display_name);
  gtk_stack_set_visible_child_name (self->detail_stack, "none");
  /* Showing the page (list, detail view, source views) and filling a screenful of row widgets
   * take some 50 ms each on two cores with software rendering; in one turn of the main loop they
   * held it past 100 ms. So the page is painted empty first, and the rows go in after. */
  gtk_stack_set_visible_child_name (self->main_stack, "project");
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));
  if (clock == NULL || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      show_rows (self);
      return;
    }
  self->page_painted_id = g_signal_connect_swapped (clock, "after-paint", G_CALLBACK (page_painted_cb), self);
  /* A window that paints nothing (minimized) gets its rows all the same. */
  self->show_rows_id = g_timeout_add (250, show_rows_idle_cb, self);
}

static void
summaries_loaded_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(ClairWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) summaries = NULL;

  summaries = clair_project_get_summaries_finish (CLAIR_PROJECT (source), result, NULL, &error);
  if (summaries == NULL)
    load_failed (self, error);
  else
    clair_row_list_new_async (summaries, g_task_get_cancellable (G_TASK (result)), rows_made_cb,
                              g_object_ref (self));
}

void
clair_window_open_project (ClairWindow *self,
                           const char  *path)
{
  g_autoptr(GError) error = NULL;
  ClairProject *project;

  g_return_if_fail (CLAIR_IS_WINDOW (self));
  g_return_if_fail (path != NULL);

  if (_clair_window_run_is_active (self))
    _clair_window_run_stop (self);
  project = clair_project_open (path, CLAIR_PROJECT_OPEN_DEFAULT, &error);
  if (project == NULL)
    {
      _clair_window_show_error (self, _("Could Not Open the Project"), error);
      return;
    }
  /* The list is hidden behind the loading page until the new rows are in it. */
  clear_project (self, TRUE);
  self->project = project;
  self->history = clair_history_new (project);
  _clair_window_add_recent (self, path);
  gtk_label_set_text (self->loading_label, _("Reading rows…"));
  gtk_progress_bar_pulse (self->loading_bar);
  gtk_stack_set_visible_child_name (self->main_stack, "loading");
  set_busy (self, TRUE);
  _clair_window_update_actions (self);

  /* The first count of a big project reads every row (100 ms at 400k): the worker warms the
   * project's cache, so the window's counts come from it. */
  clair_project_get_summaries_async (project, 0, CLAIR_SUMMARY_WARM_COUNTS, self->cancellable,
                                     summaries_loaded_cb, g_object_ref (self));
}

/* The detail view */

/* A revision that came after the row was decided (a rerun, an imported batch) does not replace
 * the one reviewed: the window shows the reviewed one, which exports use, and offers the new one.
 * While the new one is shown, a decision is about it. */
static void
show_newer_banner (ClairWindow *self)
{
  ClairRecord *record = self->record;
  gboolean showing = self->showing_newer == (int) record->index && clair_record_has_newer_revision (record);

  self->newer_shown = showing;
  if (showing)
    {
      /* Swap: the newer attempt is shown (and decided on); the reviewed one waits. */
      ClairAttempt *reviewed = record->attempt;

      record->attempt = record->newer;
      record->newer = reviewed;
    }
}

/* What the pane needs to know beside the record. */
static ClairRecordPaneFlags
record_flags (ClairWindow *self)
{
  ClairRecordPaneFlags flags = 0;

  if (self->record == NULL)
    return 0;
  if (_clair_window_run_is_row_running (self, self->record->index))
    flags |= CLAIR_RECORD_PANE_RUNNING;
  if (self->newer_shown)
    flags |= CLAIR_RECORD_PANE_NEWER_SHOWN;
  else if (clair_record_has_newer_revision (self->record))
    flags |= CLAIR_RECORD_PANE_HAS_NEWER;
  return flags;
}

void
_clair_window_update_record_status (ClairWindow *self)
{
  if (self->record != NULL)
    clair_record_pane_update_status (self->record_pane, self->record, record_flags (self));
}

void
_clair_window_toggle_newer (ClairWindow *self)
{
  if (self->record == NULL)
    return;
  self->showing_newer = self->showing_newer == (int) self->record->index ? -1 : (int) self->record->index;
  _clair_window_show_record (self, self->record->index);
}

void
_clair_window_show_record (ClairWindow *self,
                           int          index)
{
  g_autoptr(GError) error = NULL;
  ClairRecord *record;

  if (self->project == NULL || index < 0)
    {
      g_clear_pointer (&self->record, clair_record_free);
      self->current_row = -1;
      gtk_stack_set_visible_child_name (self->detail_stack, "none");
      _clair_window_update_actions (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_ROW]);
      return;
    }
  record = clair_project_get_record (self->project, index, &error);
  if (record == NULL)
    {
      _clair_window_show_error (self, _("Could Not Read the Row"), error);
      return;
    }
  /* Save a pending edit of the previous row before switching. */
  _clair_window_leave_edit (self);
  g_clear_pointer (&self->record, clair_record_free);
  self->record = record;
  if (self->current_row != index)
    self->showing_newer = -1;
  self->current_row = index;
  show_newer_banner (self);
  self->loading_record = TRUE;
  clair_record_pane_show (self->record_pane, record, record_flags (self),
                          _clair_window_run_get_live_text (self, record->index));
  /* Several annotators: each one's decision beside the others. */
  if (record->team_state != CLAIR_TEAM_SINGLE)
    {
      g_autoptr(GPtrArray) annotations = clair_project_get_annotations (self->project, record->index, NULL);

      clair_record_pane_set_annotations (self->record_pane, annotations, record->team_state);
    }
  else
    clair_record_pane_set_annotations (self->record_pane, NULL, CLAIR_TEAM_SINGLE);
  gtk_stack_set_visible_child_name (self->detail_stack, "row");
  self->loading_record = FALSE;
  _clair_window_update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_ROW]);
}

void
_clair_window_refresh_row (ClairWindow *self,
                           guint        index)
{
  g_autoptr(ClairRecord) record = NULL;
  ClairRowItem *item;
  ClairRowSummary summary;

  if (self->project == NULL || self->rows == NULL)
    return;
  item = clair_row_list_lookup (self->rows, index);
  record = clair_project_get_record (self->project, index, NULL);
  if (item == NULL || record == NULL)
    return;
  summary = *clair_row_item_get_summary (item);
  summary.status = clair_record_get_latest (record) ? clair_record_get_latest (record)->status : CLAIR_ROW_PENDING;
  summary.decision = record->decision;
  summary.edited = record->edited_revision != NULL;
  summary.n_attempts = MIN (record->n_attempts, 255);
  summary.team_state = record->team_state;
  summary.jaccard = record->attempt && record->attempt->has_metrics ? record->attempt->metrics.jaccard : NAN;
  summary.levenshtein_norm = record->attempt && record->attempt->has_metrics
                               ? record->attempt->metrics.levenshtein_norm : NAN;
  clair_row_item_set_summary (item, &summary);
  if ((int) index == self->current_row && !clair_diff_view_get_editable (CLAIR_DIFF_VIEW (self->diff_view)))
    _clair_window_show_record (self, index);
}

void
_clair_window_refresh_counts (ClairWindow *self)
{
  ClairProjectCounts counts;

  if (self->project == NULL || !clair_project_get_counts (self->project, &counts, NULL))
    return;
  _clair_window_show_counts (self, &counts);
}

/* Counts made elsewhere (a worker thread while a dataset is imported). */
void
_clair_window_show_counts (ClairWindow              *self,
                           const ClairProjectCounts *counts)
{
  clair_stats_set_counts (CLAIR_STATS (gtk_menu_button_get_popover (self->stats_button)), counts);
}

guint
_clair_window_get_selected_indexes (ClairWindow *self,
                                    GArray      *out)
{
  return clair_row_list_pane_get_selected_indexes (self->row_list_pane, out);
}

void
_clair_window_move (ClairWindow *self,
                    int          delta)
{
  clair_row_list_pane_move (self->row_list_pane, delta);
}

gboolean
clair_window_select_row (ClairWindow *self,
                         guint        index)
{
  g_return_val_if_fail (CLAIR_IS_WINDOW (self), FALSE);

  return clair_row_list_pane_select_index (self->row_list_pane, index);
}

/* Messages */

void
_clair_window_toast (ClairWindow *self,
                     const char  *message)
{
  /* A toast's title is markup, and messages name files and hold servers' words. */
  g_autofree char *title = clair_escape_controls (message, CLAIR_ESCAPE_LINE | CLAIR_ESCAPE_MARKUP);

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (title));
}

void
_clair_window_show_error (ClairWindow  *self,
                          const char   *heading,
                          const GError *error)
{
  g_autofree char *body = error ? clair_escape_controls (error->message, CLAIR_ESCAPE_BLOCK) : NULL;
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
run_error_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       ClairWindow      *self)
{
  if (g_strcmp0 (response, "preferences") == 0)
    gtk_widget_activate_action (GTK_WIDGET (self), "app.preferences", NULL);
}

void
_clair_window_show_run_error (ClairWindow  *self,
                              const char   *heading,
                              const GError *error)
{
  g_autofree char *body = error ? clair_escape_controls (error->message, CLAIR_ESCAPE_BLOCK) : NULL;
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "close", _("_Close"),
                                    "preferences", _("Open _Preferences"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "preferences",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "preferences");
  g_signal_connect_object (dialog, "response", G_CALLBACK (run_error_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* GObject */

static void
stats_threshold_cb (ClairStats  *stats,
                    GParamSpec  *pspec,
                    ClairWindow *self)
{
  _clair_window_set_threshold (self, clair_stats_get_threshold (stats));
}

static void
agreement_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(ClairStats) stats = user_data;
  g_autoptr(ClairAgreement) agreement = clair_project_compute_agreement_finish (CLAIR_PROJECT (source), result, NULL);

  clair_stats_set_agreement (stats, agreement);
}

static void
stats_show_cb (GtkWidget   *popover,
               ClairWindow *self)
{
  _clair_window_refresh_counts (self);
  if (self->rows != NULL)
    clair_stats_set_rows (CLAIR_STATS (popover), G_LIST_MODEL (self->rows));
  /* Agreement between annotators, worked out on the project's own reader. */
  if (self->project != NULL)
    clair_project_compute_agreement_async (self->project, self->cancellable, agreement_cb, g_object_ref (popover));
}

static void
clair_window_dispose (GObject *object)
{
  ClairWindow *self = CLAIR_WINDOW (object);

  _clair_window_run_dispose (self);
  if (self->row_list_pane != NULL)
    g_signal_handlers_disconnect_by_data (self->row_list_pane, self);
  clear_project (self, FALSE);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->go_to_popover, gtk_widget_unparent);
  g_clear_pointer (&self->hub_settings, g_hash_table_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), CLAIR_TYPE_WINDOW);
  G_OBJECT_CLASS (clair_window_parent_class)->dispose (object);
}

static void
clair_window_finalize (GObject *object)
{
  ClairWindow *self = CLAIR_WINDOW (object);

  g_clear_object (&self->settings);
  G_OBJECT_CLASS (clair_window_parent_class)->finalize (object);
}

static void
clair_window_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  ClairWindow *self = CLAIR_WINDOW (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    case PROP_CURRENT_ROW:
      g_value_set_int (value, self->current_row);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
clair_window_close_request_save (ClairWindow *self)
{
  int width, height;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (GTK_WINDOW (self)));
}

static gboolean
clair_window_close_request (GtkWindow *window)
{
  ClairWindow *self = CLAIR_WINDOW (window);

  clair_window_close_request_save (self);
  _clair_window_leave_edit (self);
  return GTK_WINDOW_CLASS (clair_window_parent_class)->close_request (window);
}

static void
clair_window_class_init (ClairWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = clair_window_dispose;
  object_class->finalize = clair_window_finalize;
  object_class->get_property = clair_window_get_property;
  window_class->close_request = clair_window_close_request;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_CURRENT_ROW] =
    g_param_spec_int ("current-row", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CLAIR_TYPE_RECORD_PANE);
  g_type_ensure (CLAIR_TYPE_ROW_LIST_PANE);
  g_type_ensure (CLAIR_TYPE_RUN_BAR);
  g_type_ensure (CLAIR_TYPE_GUIDELINES_PANE);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/clair-window.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, ClairWindow, name)
  BIND (toast_overlay);
  BIND (header_bar);
  BIND (window_title);
  BIND (run_bar);
  BIND (stats_button);
  BIND (main_stack);
  BIND (empty_page);
  BIND (recent_list);
  BIND (recent_group);
  BIND (recent_hub_list);
  BIND (recent_hub_group);
  BIND (loading_label);
  BIND (loading_bar);
  BIND (flap);
  BIND (row_list_pane);
  BIND (sidebar_clamp);
  BIND (sidebar_button);
  BIND (detail_stack);
  BIND (record_pane);
  BIND (guidelines_revealer);
  BIND (guidelines_pane);
  BIND (guidelines_button);
#undef BIND

  _clair_window_install_actions (widget_class);
}

/* The window's stylesheet, loaded once per display whether or not a ClairApplication runs
 * (AdwApplication would only load a "style.css"). */
static void
load_style (void)
{
  static gboolean loaded;
  g_autoptr(GtkCssProvider) provider = NULL;

  if (loaded || gdk_display_get_default () == NULL)
    return;
  loaded = TRUE;
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, RESOURCE_BASE "/clair-style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
clair_window_init (ClairWindow *self)
{
  load_style ();

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (BASE_APP_ID);
  self->current_row = -1;
  self->showing_newer = -1;
  self->cancellable = g_cancellable_new ();
  self->threshold = g_settings_get_double (self->settings, "not-minimal-threshold");

  if (DEVELOPMENT_BUILD)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  /* The row list beside the record while both fit at their smallest, over it (shown on demand)
   * in a narrower window; the record keeps the width. The button shows or hides the list in
   * either case (its visibility never follows the fold: that changes during allocation). */
  {
    /* A fixed width (the flap gets its smallest beside a content that expands). */
    int width = CLAMP (g_settings_get_int (self->settings, "sidebar-width"), 300, 520);

    adw_clamp_set_maximum_size (self->sidebar_clamp, width);
    adw_clamp_set_tightening_threshold (self->sidebar_clamp, width);
    gtk_widget_set_size_request (GTK_WIDGET (self->sidebar_clamp), width, -1);
  }
  g_object_bind_property (self->flap, "reveal-flap", self->sidebar_button, "active",
                          G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);

  /* The guidelines beside the record, shown on demand (and for a project that has some). */
  g_object_bind_property (self->guidelines_button, "active", self->guidelines_revealer, "reveal-child",
                          G_BINDING_SYNC_CREATE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->guidelines_button), FALSE);

  /* The record pane's diff view, which the actions drive. */
  self->diff_view = GTK_WIDGET (clair_record_pane_get_diff_view (self->record_pane));

  /* The row list, whose picked row is the one shown. */
  clair_row_list_pane_set_threshold (self->row_list_pane, self->threshold);
  g_signal_connect (self->row_list_pane, "notify::selected-index", G_CALLBACK (selected_index_cb), self);
  g_signal_connect (self->row_list_pane, "notify::search-text", G_CALLBACK (search_text_cb), self);
  g_signal_connect (self->row_list_pane, "list-changed", G_CALLBACK (list_changed_cb), self);
  g_signal_connect (self->row_list_pane, "search-failed", G_CALLBACK (search_failed_cb), self);
  g_signal_connect_swapped (self->row_list_pane, "row-activated", G_CALLBACK (row_activated_cb), self);

  /* Statistics */
  {
    GtkWidget *stats = clair_stats_new ();

    clair_stats_set_threshold (CLAIR_STATS (stats), self->threshold);
    g_signal_connect (stats, "notify::threshold", G_CALLBACK (stats_threshold_cb), self);
    g_signal_connect (stats, "show", G_CALLBACK (stats_show_cb), self);
    gtk_menu_button_set_popover (self->stats_button, stats);
  }

  _clair_window_setup_shortcuts (self);
  _clair_window_setup_drop (self);
  _clair_window_run_init (self);
  _clair_window_fill_recent (self);
  gtk_stack_set_visible_child_name (self->main_stack, "empty");
  _clair_window_update_actions (self);
}

ClairWindow *
clair_window_new (ClairApplication *application)
{
  return g_object_new (CLAIR_TYPE_WINDOW, "application", application, NULL);
}

ClairProject *
clair_window_get_project (ClairWindow *self)
{
  g_return_val_if_fail (CLAIR_IS_WINDOW (self), NULL);
  return self->project;
}

int
clair_window_get_current_row (ClairWindow *self)
{
  g_return_val_if_fail (CLAIR_IS_WINDOW (self), -1);
  return self->current_row;
}

GtkWidget *
clair_window_get_record_pane (ClairWindow *self)
{
  g_return_val_if_fail (CLAIR_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->record_pane);
}

GtkWidget *
clair_window_get_diff_view (ClairWindow *self)
{
  g_return_val_if_fail (CLAIR_IS_WINDOW (self), NULL);
  return self->diff_view;
}

GListModel *
clair_window_get_rows (ClairWindow *self)
{
  g_return_val_if_fail (CLAIR_IS_WINDOW (self), NULL);
  return clair_row_list_pane_get_model (self->row_list_pane);
}

gboolean
clair_window_get_busy (ClairWindow *self)
{
  g_return_val_if_fail (CLAIR_IS_WINDOW (self), FALSE);
  return self->busy;
}

GtkWidget *
clair_window_get_row_list_pane (ClairWindow *self)
{
  g_return_val_if_fail (CLAIR_IS_WINDOW (self), NULL);
  return GTK_WIDGET (self->row_list_pane);
}

gboolean
clair_window_get_bulk_pending (ClairWindow *self)
{
  g_return_val_if_fail (CLAIR_IS_WINDOW (self), FALSE);
  return self->bulk_cancellable != NULL;
}

void
clair_window_add_toast (ClairWindow *self,
                        const char  *message)
{
  g_return_if_fail (CLAIR_IS_WINDOW (self));
  g_return_if_fail (message != NULL);
  _clair_window_toast (self, message);
}
