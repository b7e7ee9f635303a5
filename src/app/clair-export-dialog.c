/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-export-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "clair-export-dialog.h"

struct _ClairExportDialog
{
  AdwWindow     parent_instance;

  ClairProject *project;
  GtkWidget    *format_row;
  GtkWidget    *selection_row;
  GtkWidget    *rationale_switch;
  GtkWidget    *destination_row;
  GtkWidget    *export_button;
  GtkWidget    *stack;
  GtkWidget    *progress;
  GtkWidget    *progress_label;
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
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->destination_row), self->destination);
}

static void
format_changed_cb (ClairExportDialog *self)
{
  suggest_destination (self);
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

typedef struct
{
  ClairExportOptions options;
  char              *path;
  guint64            n_written;
} ExportData;

static void
export_data_free (ExportData *data)
{
  g_free (data->path);
  g_free (data);
}

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

  /* A reader connection, so decisions made meanwhile in the window never wait for the export. */
  reader = clair_project_open_reader (self->project, &error);
  if (reader == NULL ||
      !clair_export_to_file (reader, &data->options, data->path, cancellable, export_progress_cb,
                             self, &data->n_written, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
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

      gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "options");
      gtk_widget_set_sensitive (self->export_button, TRUE);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Export Failed"), error->message);
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }
  g_signal_emit (self, signals[EXPORTED], 0, data->path, (guint64) data->n_written);
  gtk_window_destroy (GTK_WINDOW (self));
}

void
clair_export_dialog_export (ClairExportDialog *self)
{
  g_autoptr(GTask) task = NULL;
  ExportData *data;
  guint format, selection;

  g_return_if_fail (CLAIR_IS_EXPORT_DIALOG (self));

  if (self->exporting || self->destination == NULL)
    return;
  format = adw_combo_row_get_selected (ADW_COMBO_ROW (self->format_row));
  selection = adw_combo_row_get_selected (ADW_COMBO_ROW (self->selection_row));
  data = g_new0 (ExportData, 1);
  data->options.format = formats[MIN (format, G_N_ELEMENTS (formats) - 1)].format;
  data->options.selection = selections[MIN (selection, G_N_ELEMENTS (selections) - 1)].selection;
  data->options.include_rationale = gtk_switch_get_active (GTK_SWITCH (self->rationale_switch));
  data->path = g_strdup (self->destination);

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
save_response_cb (GtkNativeDialog   *native,
                  int                response,
                  ClairExportDialog *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path)
        {
          clair_export_dialog_set_destination (self, path);
          self->destination_chosen = TRUE;
        }
    }
  g_object_unref (native);
}

static void
choose_clicked_cb (ClairExportDialog *self)
{
  GtkFileChooserNative *native;
  g_autofree char *dir = g_path_get_dirname (self->destination);
  g_autofree char *name = g_path_get_basename (self->destination);
  g_autoptr(GFile) folder = g_file_new_for_path (dir);

  native = gtk_file_chooser_native_new (_("Export To"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Choose"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (native), folder, NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), name);
  g_signal_connect (native, "response", G_CALLBACK (save_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
clair_export_dialog_dispose (GObject *object)
{
  ClairExportDialog *self = CLAIR_EXPORT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  G_OBJECT_CLASS (clair_export_dialog_parent_class)->dispose (object);
}

static void
clair_export_dialog_finalize (GObject *object)
{
  ClairExportDialog *self = CLAIR_EXPORT_DIALOG (object);

  g_clear_object (&self->project);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->destination, g_free);
  G_OBJECT_CLASS (clair_export_dialog_parent_class)->finalize (object);
}

static void
clair_export_dialog_class_init (ClairExportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = clair_export_dialog_dispose;
  object_class->finalize = clair_export_dialog_finalize;
  signals[EXPORTED] = g_signal_new ("exported", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                    NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_UINT64);
  gtk_widget_class_add_binding_action (GTK_WIDGET_CLASS (klass), GDK_KEY_Escape, 0, "window.close", NULL);
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
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *page = adw_preferences_page_new ();
  GtkWidget *group, *row, *button, *cancel, *progress_box;
  const char *format_labels[G_N_ELEMENTS (formats)];
  const char *selection_labels[G_N_ELEMENTS (selections)];
  g_autoptr(GtkStringList) format_model = NULL;
  g_autoptr(GtkStringList) selection_model = NULL;

  self->cancellable = g_cancellable_new ();
  gtk_window_set_title (GTK_WINDOW (self), _("Export"));
  gtk_window_set_default_size (GTK_WINDOW (self), 640, 500);
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);

  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);
  cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (cancel_clicked_cb), self);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
  self->export_button = gtk_button_new_with_mnemonic (_("_Export"));
  gtk_widget_add_css_class (self->export_button, "suggested-action");
  g_signal_connect_swapped (self->export_button, "clicked", G_CALLBACK (clair_export_dialog_export), self);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), self->export_button);
  gtk_box_append (GTK_BOX (box), header);

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    format_labels[i] = formats[i].label;
  for (guint i = 0; i < G_N_ELEMENTS (selections); i++)
    selection_labels[i] = selections[i].label;
  format_model = labels_model (format_labels, G_N_ELEMENTS (formats));
  selection_model = labels_model (selection_labels, G_N_ELEMENTS (selections));

  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Pairs"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                         _("Chosen is the revision (your edit when you made one), rejected the original answer."));
  self->format_row = adw_combo_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->format_row), _("Format"));
  adw_combo_row_set_model (ADW_COMBO_ROW (self->format_row), G_LIST_MODEL (format_model));
  /* The choices are long ("TRL — prompt, chosen, rejected"): shown whole under the title. */
  adw_combo_row_set_use_subtitle (ADW_COMBO_ROW (self->format_row), TRUE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), self->format_row);
  self->selection_row = adw_combo_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->selection_row), _("Rows"));
  adw_combo_row_set_model (ADW_COMBO_ROW (self->selection_row), G_LIST_MODEL (selection_model));
  adw_combo_row_set_use_subtitle (ADW_COMBO_ROW (self->selection_row), TRUE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), self->selection_row);
  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Include the rationale"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Adds the “rational” field to formats that lack it"));
  self->rationale_switch = gtk_switch_new ();
  gtk_widget_set_valign (self->rationale_switch, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->rationale_switch), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Include the rationale"), -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), self->rationale_switch);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), self->rationale_switch);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));

  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Destination"));
  self->destination_row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->destination_row), _("File"));
  gtk_widget_add_css_class (self->destination_row, "property");
  button = gtk_button_new_with_mnemonic (_("C_hoose…"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Choose the export file"), -1);
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (choose_clicked_cb), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self->destination_row), button);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), self->destination_row);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));

  progress_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_valign (progress_box, GTK_ALIGN_CENTER);
  gtk_widget_set_halign (progress_box, GTK_ALIGN_CENTER);
  row = gtk_label_new (_("Exporting…"));
  gtk_widget_add_css_class (row, "title-4");
  gtk_box_append (GTK_BOX (progress_box), row);
  self->progress = gtk_progress_bar_new ();
  gtk_widget_set_size_request (self->progress, 320, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->progress), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Export progress"), -1);
  gtk_box_append (GTK_BOX (progress_box), self->progress);
  self->progress_label = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->progress_label, "dim-label");
  gtk_widget_add_css_class (self->progress_label, "numeric");
  gtk_box_append (GTK_BOX (progress_box), self->progress_label);

  self->stack = gtk_stack_new ();
  gtk_widget_set_vexpand (self->stack, TRUE);
  gtk_stack_add_named (GTK_STACK (self->stack), page, "options");
  gtk_stack_add_named (GTK_STACK (self->stack), progress_box, "progress");
  gtk_box_append (GTK_BOX (box), self->stack);
  adw_window_set_content (ADW_WINDOW (self), box);

  g_signal_connect_swapped (self->format_row, "notify::selected", G_CALLBACK (format_changed_cb), self);
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
  return GTK_WIDGET (self);
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
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->destination_row), path);
}
