/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-export-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "clair-export-dialog.h"
#include "clair-escape.h"
#include "clair-file-chooser.h"

#include <string.h>

struct _ClairExportDialog
{
  AdwWindow     parent_instance;

  ClairProject *project;
  GtkWidget    *format_row;
  GtkWidget    *selection_row;
  GtkWidget    *rationale_switch;
  GtkWidget    *annotators_switch;
  GtkWidget    *destination_row;
  GtkWidget    *export_button;
  GtkWidget    *stack;
  GtkWidget    *progress;
  GtkWidget    *progress_label;
  GtkWidget    *summary_label;
  GtkWidget    *summary_spinner;
  GtkWidget    *columns_row;
  GPtrArray    *column_checks;   /* of GtkCheckButton, one per source column */
  char        **columns;
  GCancellable *preview_cancellable;
  guint         preview_id;
  double        not_minimal_below;
  char         *destination;
  gboolean      destination_chosen;
  GCancellable *cancellable;
  guint         tick_id;
  gint          n_done;
  gint          n_total;
  gboolean      exporting;
};

enum { EXPORTED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (ClairExportDialog, clair_export_dialog, ADW_TYPE_WINDOW)

static const struct
{
  ClairExportFormat  format;
  const char        *label;
  const char        *suffix;
} formats[] = {
  { CLAIR_EXPORT_TRL, N_("TRL — prompt, chosen, rejected"), "trl" },
  { CLAIR_EXPORT_TRL_CHAT, N_("TRL — conversational"), "trl-chat" },
  { CLAIR_EXPORT_KTO, N_("KTO / APO — unpaired"), "kto" },
  { CLAIR_EXPORT_CONTEXTUAL, N_("ContextualAI — ultrafeedback_clair"), "contextual" },
  { CLAIR_EXPORT_DISTILABEL, N_("distilabel CLAIR rows"), "distilabel" },
  { CLAIR_EXPORT_BATCH_REQUESTS, N_("Batch requests (OpenAI, vLLM)"), "batch" },
};

static const struct
{
  ClairExportSelection  selection;
  const char           *label;
} selections[] = {
  { CLAIR_EXPORT_SELECT_ACCEPTED, N_("Accepted and edited rows") },
  { CLAIR_EXPORT_SELECT_REVISED, N_("Every revised row not rejected") },
  { CLAIR_EXPORT_SELECT_ALL, N_("Every row with a revision") },
};


/* Where the file goes, as the user reads it: never markup, controls visible. */
static void
set_destination_subtitle (ClairExportDialog *self)
{
  g_autofree char *visible = clair_escape_controls (self->destination, CLAIR_ESCAPE_LINE);

  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->destination_row), visible);
}

static void
suggest_destination (ClairExportDialog *self)
{
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *path = NULL;
  guint format = adw_combo_row_get_selected (ADW_COMBO_ROW (self->format_row));

  if (self->destination_chosen)
    return;
  dir = g_path_get_dirname (clair_project_get_path (self->project));
  base = g_path_get_basename (clair_project_get_path (self->project));
  /* sample.jsonl.clair → sample */
  for (guint i = 0; i < 2; i++)
    {
      char *dot = strrchr (base, '.');

      if (dot != NULL && dot != base)
        *dot = '\0';
    }
  path = g_strdup_printf ("%s/%s-%s.jsonl", dir, base, formats[MIN (format, G_N_ELEMENTS (formats) - 1)].suffix);
  g_free (self->destination);
  self->destination = g_steal_pointer (&path);
  set_destination_subtitle (self);
}

/* The options as chosen; the column lists borrow the dialog's strings until the next change. */
static void
get_options (ClairExportDialog  *self,
             ClairExportOptions *options,
             GPtrArray          *dropped)
{
  guint format = adw_combo_row_get_selected (ADW_COMBO_ROW (self->format_row));
  guint selection = adw_combo_row_get_selected (ADW_COMBO_ROW (self->selection_row));

  memset (options, 0, sizeof *options);
  options->format = formats[MIN (format, G_N_ELEMENTS (formats) - 1)].format;
  options->selection = selections[MIN (selection, G_N_ELEMENTS (selections) - 1)].selection;
  options->include_rationale = gtk_switch_get_active (GTK_SWITCH (self->rationale_switch));
  options->annotator_columns = gtk_switch_get_active (GTK_SWITCH (self->annotators_switch));
  options->not_minimal_below = self->not_minimal_below;
  for (guint i = 0; i < self->column_checks->len; i++)
    if (!gtk_check_button_get_active (g_ptr_array_index (self->column_checks, i)))
      g_ptr_array_add (dropped, g_strdup (self->columns[i]));
  g_ptr_array_add (dropped, NULL);
  options->drop_columns = (const char * const *) dropped->pdata;
}

static char *
describe_summary (const ClairExportOptions *options,
                  const ClairExportSummary *summary)
{
  g_autoptr(GString) text = g_string_new (NULL);
  gulong n = (gulong) MIN (summary->n_rows, G_MAXULONG);

  switch (options->format)
    {
    case CLAIR_EXPORT_BATCH_REQUESTS:
      g_string_append_printf (text, ngettext ("%lu request", "%lu requests", n), n);
      break;
    case CLAIR_EXPORT_DISTILABEL:
      g_string_append_printf (text, ngettext ("%lu row", "%lu rows", n), n);
      break;
    case CLAIR_EXPORT_TRL:
    case CLAIR_EXPORT_TRL_CHAT:
    case CLAIR_EXPORT_KTO:
    case CLAIR_EXPORT_CONTEXTUAL:
    default:
      /* Translators: "12 pairs (3 edited, 2 dropped as identical, 1 not minimal)". */
      g_string_append_printf (text, ngettext ("%lu pair", "%lu pairs", n), n);
      g_string_append_printf (text, _(" (%lu edited, %lu dropped as identical, %lu not minimal)"),
                              (gulong) summary->n_edited, (gulong) summary->n_identical,
                              (gulong) summary->n_not_minimal);
      break;
    }
  if (summary->n_rejected > 0)
    {
      g_string_append (text, "\n");
      g_string_append_printf (text, ngettext ("%lu rejected row left out", "%lu rejected rows left out",
                                              (gulong) summary->n_rejected),
                              (gulong) summary->n_rejected);
    }
  if (summary->n_disagreement > 0)
    {
      g_string_append (text, "\n");
      /* Translators: rows whose annotators disagree and that nobody resolved. */
      g_string_append_printf (text, ngettext ("%lu row left out: unresolved disagreement",
                                              "%lu rows left out: unresolved disagreement",
                                              (gulong) summary->n_disagreement),
                              (gulong) summary->n_disagreement);
    }
  if (summary->n_newer > 0)
    {
      g_string_append (text, "\n");
      g_string_append_printf (text, ngettext ("%lu row has a newer revision not reviewed yet; the "
                                              "reviewed one goes out",
                                              "%lu rows have a newer revision not reviewed yet; the "
                                              "reviewed ones go out", (gulong) summary->n_newer),
                              (gulong) summary->n_newer);
    }
  if (summary->renamed != NULL && summary->renamed[0] != NULL)
    {
      g_string_append (text, "\n");
      g_string_append (text, _("Renamed so the trainer does not read them:"));
      for (guint i = 0; summary->renamed[i] != NULL; i++)
        g_string_append_printf (text, "%s %s → source_%s", i ? "," : "", summary->renamed[i],
                                summary->renamed[i]);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* One export or one count: the options as chosen, and what came of them. */
typedef struct
{
  ClairExportOptions  options;
  GPtrArray          *dropped;
  char               *path;      /* NULL: count only */
  ClairExportSummary  summary;
} ExportData;

static ExportData *
export_data_new (ClairExportDialog *self,
                 const char        *path)
{
  ExportData *data = g_new0 (ExportData, 1);

  data->dropped = g_ptr_array_new_with_free_func (g_free);
  get_options (self, &data->options, data->dropped);
  data->path = g_strdup (path);
  return data;
}

static void
export_data_free (ExportData *data)
{
  g_ptr_array_unref (data->dropped);
  clair_export_summary_clear (&data->summary);
  g_free (data->path);
  g_free (data);
}

static void
export_progress_cb (guint64  done,
                    guint64  total,
                    gpointer user_data)
{
  ClairExportDialog *self = user_data;

  g_atomic_int_set (&self->n_done, (gint) MIN (done, G_MAXINT));
  g_atomic_int_set (&self->n_total, (gint) MIN (total, G_MAXINT));
}

/* On a reader connection, so decisions made meanwhile in the window never wait for it. */
static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ClairExportDialog *self = source_object;
  ExportData *data = task_data;
  g_autoptr(ClairProject) reader = NULL;
  GError *error = NULL;
  gboolean ok;

  reader = clair_project_open_reader (self->project, &error);
  if (reader == NULL)
    ok = FALSE;
  else if (data->path == NULL)
    ok = clair_export_preview (reader, &data->options, cancellable, &data->summary, &error);
  else
    ok = clair_export_to_file (reader, &data->options, data->path, cancellable, export_progress_cb,
                               self, &data->summary, &error);
  if (!ok)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
preview_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(ClairExportDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  ExportData *data = g_task_get_task_data (G_TASK (result));
  g_autofree char *text = NULL;
  g_autofree char *visible = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      text = g_strdup_printf (_("Could not count the rows: %s"), error->message);
    }
  else
    text = describe_summary (&data->options, &data->summary);
  gtk_spinner_stop (GTK_SPINNER (self->summary_spinner));
  gtk_widget_set_visible (self->summary_spinner, FALSE);
  visible = clair_escape_controls (text, CLAIR_ESCAPE_BLOCK);
  gtk_label_set_text (GTK_LABEL (self->summary_label), visible);
}

static gboolean
preview_cb (gpointer user_data)
{
  ClairExportDialog *self = user_data;
  g_autoptr(GTask) task = NULL;
  ExportData *data = export_data_new (self, NULL);

  self->preview_id = 0;
  task = g_task_new (self, self->preview_cancellable, preview_done_cb, g_object_ref (self));
  g_task_set_source_tag (task, preview_cb);
  g_task_set_task_data (task, data, (GDestroyNotify) export_data_free);
  g_task_run_in_thread (task, export_thread);
  return G_SOURCE_REMOVE;
}

/* Counts again after a change, on a worker; a count still running for older options is dropped. */
static void
schedule_preview (ClairExportDialog *self)
{
  if (self->project == NULL)
    return;
  g_cancellable_cancel (self->preview_cancellable);
  g_clear_object (&self->preview_cancellable);
  self->preview_cancellable = g_cancellable_new ();
  g_clear_handle_id (&self->preview_id, g_source_remove);
  self->preview_id = g_timeout_add (120, preview_cb, self);
  gtk_label_set_text (GTK_LABEL (self->summary_label), _("Counting…"));
  gtk_widget_set_visible (self->summary_spinner, TRUE);
  gtk_spinner_start (GTK_SPINNER (self->summary_spinner));
}

static void
update_columns_subtitle (ClairExportDialog *self)
{
  guint n_on = 0;
  g_autofree char *subtitle = NULL;

  for (guint i = 0; i < self->column_checks->len; i++)
    n_on += gtk_check_button_get_active (g_ptr_array_index (self->column_checks, i));
  subtitle = g_strdup_printf (ngettext ("%u of %u column passes through", "%u of %u columns pass through",
                                        self->column_checks->len),
                              n_on, self->column_checks->len);
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->columns_row), subtitle);
}

static void
column_toggled_cb (ClairExportDialog *self)
{
  update_columns_subtitle (self);
  schedule_preview (self);
}

static void
format_changed_cb (ClairExportDialog *self)
{
  suggest_destination (self);
  schedule_preview (self);
}

static void
fill_columns (ClairExportDialog *self)
{
  g_autoptr(GError) error = NULL;

  self->columns = clair_export_list_columns (self->project, &error);
  if (self->columns == NULL)
    {
      g_warning ("Could not list the source columns: %s", error->message);
      self->columns = g_new0 (char *, 1);
    }
  for (guint i = 0; self->columns[i] != NULL; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();
      g_autofree char *visible = clair_escape_controls (self->columns[i], CLAIR_ESCAPE_LINE);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), visible);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      self->columns[i], -1);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      g_signal_connect_swapped (check, "toggled", G_CALLBACK (column_toggled_cb), self);
      g_ptr_array_add (self->column_checks, check);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->columns_row), row);
    }
  gtk_widget_set_visible (self->columns_row, self->column_checks->len > 0);
  update_columns_subtitle (self);
}


static gboolean
tick_cb (gpointer user_data)
{
  ClairExportDialog *self = user_data;
  int done = g_atomic_int_get (&self->n_done);
  int total = g_atomic_int_get (&self->n_total);
  /* Translators: export progress; the plural follows the total. */
  g_autofree char *text = g_strdup_printf (ngettext ("%d of %d row", "%d of %d rows", MAX (total, 0)), done, total);

  if (total > 0)
    gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress), done / (double) total);
  gtk_label_set_text (GTK_LABEL (self->progress_label), text);
  return G_SOURCE_CONTINUE;
}

static void
export_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ClairExportDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  ExportData *data = g_task_get_task_data (G_TASK (result));

  g_clear_handle_id (&self->tick_id, g_source_remove);
  self->exporting = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      GtkWidget *dialog;
      g_autofree char *message = NULL;

      gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "options");
      gtk_widget_set_sensitive (self->export_button, TRUE);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      message = clair_escape_controls (error->message, CLAIR_ESCAPE_BLOCK);
      dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Export Failed"), message);
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }
  g_signal_emit (self, signals[EXPORTED], 0, data->path, (guint64) data->summary.n_rows);
  gtk_window_destroy (GTK_WINDOW (self));
}

void
clair_export_dialog_export (ClairExportDialog *self)
{
  g_autoptr(GTask) task = NULL;
  ExportData *data;

  g_return_if_fail (CLAIR_IS_EXPORT_DIALOG (self));

  if (self->exporting || self->destination == NULL)
    return;
  data = export_data_new (self, self->destination);

  self->exporting = TRUE;
  gtk_widget_set_sensitive (self->export_button, FALSE);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "progress");
  self->tick_id = g_timeout_add (100, tick_cb, self);
  task = g_task_new (self, self->cancellable, export_done_cb, g_object_ref (self));
  g_task_set_source_tag (task, clair_export_dialog_export);
  g_task_set_task_data (task, data, (GDestroyNotify) export_data_free);
  g_task_run_in_thread (task, export_thread);
}

static void
cancel_clicked_cb (ClairExportDialog *self)
{
  if (self->exporting)
    g_cancellable_cancel (self->cancellable);
  else
    gtk_window_destroy (GTK_WINDOW (self));
}

static void
destination_chosen_cb (const char *path,
                       gpointer    user_data)
{
  ClairExportDialog *self = user_data;

  clair_export_dialog_set_destination (self, path);
}

static void
choose_clicked_cb (ClairExportDialog *self)
{
  clair_file_chooser_save (GTK_WINDOW (self), _("Export To"), self->destination, CLAIR_FILE_FILTER_JSONL,
                           NULL, destination_chosen_cb, self);
}

static void
clair_export_dialog_dispose (GObject *object)
{
  ClairExportDialog *self = CLAIR_EXPORT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->preview_cancellable);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_handle_id (&self->preview_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), CLAIR_TYPE_EXPORT_DIALOG);
  G_OBJECT_CLASS (clair_export_dialog_parent_class)->dispose (object);
}

static void
clair_export_dialog_finalize (GObject *object)
{
  ClairExportDialog *self = CLAIR_EXPORT_DIALOG (object);

  g_clear_object (&self->project);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->preview_cancellable);
  g_clear_pointer (&self->column_checks, g_ptr_array_unref);
  g_clear_pointer (&self->columns, g_strfreev);
  g_clear_pointer (&self->destination, g_free);
  G_OBJECT_CLASS (clair_export_dialog_parent_class)->finalize (object);
}

static void
clair_export_dialog_class_init (ClairExportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = clair_export_dialog_dispose;
  object_class->finalize = clair_export_dialog_finalize;
  signals[EXPORTED] = g_signal_new ("exported", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                    NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_UINT64);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/clairstudio/ClairStudio/clair-export-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ClairExportDialog, format_row);
  gtk_widget_class_bind_template_child (widget_class, ClairExportDialog, selection_row);
  gtk_widget_class_bind_template_child (widget_class, ClairExportDialog, rationale_switch);
  gtk_widget_class_bind_template_child (widget_class, ClairExportDialog, annotators_switch);
  gtk_widget_class_bind_template_child (widget_class, ClairExportDialog, destination_row);
  gtk_widget_class_bind_template_child (widget_class, ClairExportDialog, export_button);
  gtk_widget_class_bind_template_child (widget_class, ClairExportDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, ClairExportDialog, progress);
  gtk_widget_class_bind_template_child (widget_class, ClairExportDialog, progress_label);
  gtk_widget_class_bind_template_child (widget_class, ClairExportDialog, summary_label);
  gtk_widget_class_bind_template_child (widget_class, ClairExportDialog, summary_spinner);
  gtk_widget_class_bind_template_child (widget_class, ClairExportDialog, columns_row);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, choose_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, clair_export_dialog_export);
}

static GtkStringList *
labels_model (const char * const *labels,
              guint               n)
{
  GtkStringList *list = gtk_string_list_new (NULL);

  for (guint i = 0; i < n; i++)
    gtk_string_list_append (list, _(labels[i]));
  return list;
}

static void
clair_export_dialog_init (ClairExportDialog *self)
{
  const char *format_labels[G_N_ELEMENTS (formats)];
  const char *selection_labels[G_N_ELEMENTS (selections)];
  g_autoptr(GtkStringList) format_model = NULL;
  g_autoptr(GtkStringList) selection_model = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->preview_cancellable = g_cancellable_new ();
  self->column_checks = g_ptr_array_new ();
  self->not_minimal_below = 0.5;

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    format_labels[i] = formats[i].label;
  for (guint i = 0; i < G_N_ELEMENTS (selections); i++)
    selection_labels[i] = selections[i].label;
  format_model = labels_model (format_labels, G_N_ELEMENTS (formats));
  selection_model = labels_model (selection_labels, G_N_ELEMENTS (selections));
  adw_combo_row_set_model (ADW_COMBO_ROW (self->format_row), G_LIST_MODEL (format_model));
  adw_combo_row_set_model (ADW_COMBO_ROW (self->selection_row), G_LIST_MODEL (selection_model));

  g_signal_connect_swapped (self->format_row, "notify::selected", G_CALLBACK (format_changed_cb), self);
  g_signal_connect_swapped (self->selection_row, "notify::selected", G_CALLBACK (schedule_preview), self);
  g_signal_connect_swapped (self->rationale_switch, "notify::active", G_CALLBACK (schedule_preview), self);
  g_signal_connect_swapped (self->annotators_switch, "notify::active", G_CALLBACK (schedule_preview), self);
}

GtkWidget *
clair_export_dialog_new (GtkWindow    *parent,
                         ClairProject *project)
{
  ClairExportDialog *self;

  g_return_val_if_fail (CLAIR_IS_PROJECT (project), NULL);

  self = g_object_new (CLAIR_TYPE_EXPORT_DIALOG, "transient-for", parent, NULL);
  self->project = g_object_ref (project);
  suggest_destination (self);
  fill_columns (self);
  schedule_preview (self);
  return GTK_WIDGET (self);
}

void
clair_export_dialog_set_not_minimal_below (ClairExportDialog *self,
                                           double             threshold)
{
  g_return_if_fail (CLAIR_IS_EXPORT_DIALOG (self));

  self->not_minimal_below = threshold;
  schedule_preview (self);
}

const char *
clair_export_dialog_get_summary (ClairExportDialog *self)
{
  g_return_val_if_fail (CLAIR_IS_EXPORT_DIALOG (self), NULL);

  return gtk_label_get_text (GTK_LABEL (self->summary_label));
}

void
clair_export_dialog_set_column_active (ClairExportDialog *self,
                                       const char        *column,
                                       gboolean           active)
{
  g_return_if_fail (CLAIR_IS_EXPORT_DIALOG (self));

  for (guint i = 0; i < self->column_checks->len; i++)
    if (g_str_equal (self->columns[i], column))
      gtk_check_button_set_active (g_ptr_array_index (self->column_checks, i), active);
}

void
clair_export_dialog_set_format (ClairExportDialog *self,
                                ClairExportFormat  format)
{
  g_return_if_fail (CLAIR_IS_EXPORT_DIALOG (self));
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    if (formats[i].format == format)
      adw_combo_row_set_selected (ADW_COMBO_ROW (self->format_row), i);
}

void
clair_export_dialog_set_selection (ClairExportDialog    *self,
                                   ClairExportSelection  selection)
{
  g_return_if_fail (CLAIR_IS_EXPORT_DIALOG (self));
  for (guint i = 0; i < G_N_ELEMENTS (selections); i++)
    if (selections[i].selection == selection)
      adw_combo_row_set_selected (ADW_COMBO_ROW (self->selection_row), i);
}

void
clair_export_dialog_set_annotator_columns (ClairExportDialog *self,
                                           gboolean           add)
{
  g_return_if_fail (CLAIR_IS_EXPORT_DIALOG (self));
  gtk_switch_set_active (GTK_SWITCH (self->annotators_switch), add);
}

void
clair_export_dialog_set_include_rationale (ClairExportDialog *self,
                                           gboolean           include)
{
  g_return_if_fail (CLAIR_IS_EXPORT_DIALOG (self));
  gtk_switch_set_active (GTK_SWITCH (self->rationale_switch), include);
}

const char *
clair_export_dialog_get_destination (ClairExportDialog *self)
{
  g_return_val_if_fail (CLAIR_IS_EXPORT_DIALOG (self), NULL);
  return self->destination;
}

void
clair_export_dialog_set_destination (ClairExportDialog *self,
                                     const char        *path)
{
  g_return_if_fail (CLAIR_IS_EXPORT_DIALOG (self));
  g_return_if_fail (path != NULL);

  g_free (self->destination);
  self->destination = g_strdup (path);
  self->destination_chosen = TRUE;
  set_destination_subtitle (self);
}
