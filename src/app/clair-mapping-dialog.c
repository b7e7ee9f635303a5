/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-mapping-dialog"

#include "config.h"

#include <errno.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "clair-escape.h"
#include "clair-file-chooser.h"
#include "clair-mapping-dialog.h"
#include "clair-project.h"

#define N_PREVIEW 3

struct _ClairMappingDialog
{
  AdwWindow      parent_instance;

  ClairDataset  *dataset;
  GtkStringList *columns;
  GtkWidget     *task_row;
  GtkWidget     *solution_row;
  GtkWidget     *window_title;
  GtkWidget     *project_row;
  GtkWidget     *preview_box;
  GtkWidget     *import_button;
  GtkWidget     *progress;
  GtkWidget     *stack;
  GPtrArray     *preview_tasks;
  char          *project_path;
  GCancellable  *cancellable;
  guint          progress_id;
  volatile gint  n_done;
  guint          n_total;
  gboolean       importing;
  gboolean       started;         /* the first rows are in: the window shows the import */
  gboolean       indexed;
  gint           preview_shown;
};

enum { IMPORTED, IMPORT_STARTED, IMPORT_FAILED, N_SIGNALS };

/* Rows per commit: once the first batch is in, the window shows the rows while the rest is
 * imported (a 1 GB dataset takes seconds). */
#define IMPORT_BATCH 8192
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (ClairMappingDialog, clair_mapping_dialog, ADW_TYPE_WINDOW)

static char *
shorten (const char *text,
         guint       max_chars)
{
  GString *out = g_string_new (NULL);
  char *escaped;
  guint n = 0;

  for (const char *p = text; *p && n < max_chars; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);
      g_string_append_unichar (out, c == '\n' || c == '\t' ? ' ' : c);
    }
  if (g_utf8_strlen (text, -1) > max_chars)
    g_string_append (out, "…");
  /* Dataset text, shown as it is: a control character in it stays visible as an escape. */
  escaped = clair_escape_controls (out->str, CLAIR_ESCAPE_LINE);
  g_string_free (out, TRUE);
  return escaped;
}

static const char *
selected_column (GtkWidget *combo_row)
{
  GObject *item = adw_combo_row_get_selected_item (ADW_COMBO_ROW (combo_row));

  return item ? gtk_string_object_get_string (GTK_STRING_OBJECT (item)) : NULL;
}

void
clair_mapping_dialog_get_mapping (ClairMappingDialog *self,
                                  ClairMapping       *mapping)
{
  g_return_if_fail (CLAIR_IS_MAPPING_DIALOG (self));

  mapping->task_column = g_strdup (selected_column (self->task_row));
  mapping->solution_column = g_strdup (selected_column (self->solution_row));
}

static void
update_preview (ClairMappingDialog *self)
{
  ClairMapping mapping = { 0 };
  GtkWidget *child;
  guint n_rows = clair_dataset_get_n_rows (self->dataset);
  gboolean same;

  while ((child = gtk_widget_get_first_child (self->preview_box)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->preview_box), child);
  g_ptr_array_set_size (self->preview_tasks, 0);

  clair_mapping_dialog_get_mapping (self, &mapping);
  same = g_strcmp0 (mapping.task_column, mapping.solution_column) == 0;
  for (guint i = 0; i < MIN (n_rows, N_PREVIEW); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ClairRow) row = clair_dataset_read_row (self->dataset, i, &mapping, &error);
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
      GtkWidget *task, *answer, *list_row;

      gtk_widget_set_margin_start (box, 12);
      gtk_widget_set_margin_end (box, 12);
      gtk_widget_set_margin_top (box, 8);
      gtk_widget_set_margin_bottom (box, 8);
      if (row == NULL)
        {
          g_autofree char *message = clair_escape_controls (error->message, CLAIR_ESCAPE_LINE);

          task = gtk_label_new (message);
          gtk_widget_add_css_class (task, "error");
          answer = NULL;
          g_ptr_array_add (self->preview_tasks, g_strdup (""));
        }
      else
        {
          g_autofree char *t = shorten (row->task, 160);
          g_autofree char *a = shorten (row->solution, 240);

          task = gtk_label_new (t);
          gtk_widget_add_css_class (task, "heading");
          answer = gtk_label_new (a);
          gtk_widget_add_css_class (answer, "dim-label");
          g_ptr_array_add (self->preview_tasks, g_strdup (row->task));
        }
      gtk_label_set_wrap (GTK_LABEL (task), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (task), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_lines (GTK_LABEL (task), 2);
      gtk_label_set_ellipsize (GTK_LABEL (task), PANGO_ELLIPSIZE_END);
      gtk_label_set_xalign (GTK_LABEL (task), 0);
      gtk_box_append (GTK_BOX (box), task);
      if (answer)
        {
          gtk_label_set_wrap (GTK_LABEL (answer), TRUE);
          gtk_label_set_wrap_mode (GTK_LABEL (answer), PANGO_WRAP_WORD_CHAR);
          gtk_label_set_lines (GTK_LABEL (answer), 3);
          gtk_label_set_ellipsize (GTK_LABEL (answer), PANGO_ELLIPSIZE_END);
          gtk_label_set_xalign (GTK_LABEL (answer), 0);
          gtk_box_append (GTK_BOX (box), answer);
        }
      /* A row to read, not to activate: named by its texts for a screen reader. */
      list_row = gtk_list_box_row_new ();
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (list_row), FALSE);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (list_row), box);
      gtk_accessible_update_relation (GTK_ACCESSIBLE (list_row), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                      task, answer, NULL, -1);
      gtk_list_box_append (GTK_LIST_BOX (self->preview_box), list_row);
    }
  if (n_rows == 0)
    {
      GtkWidget *label = gtk_label_new (self->indexed ? _("The file holds no rows.") : _("Reading the first rows…"));

      gtk_widget_add_css_class (label, "dim-label");
      gtk_widget_set_margin_top (label, 12);
      gtk_widget_set_margin_bottom (label, 12);
      gtk_list_box_append (GTK_LIST_BOX (self->preview_box), label);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (gtk_widget_get_parent (label)), FALSE);
    }
  /* Import waits for the index: the dataset is indexed by one thread at a time. */
  gtk_widget_set_sensitive (self->import_button,
                            !same && mapping.task_column && mapping.solution_column &&
                            !self->importing && self->indexed);
  clair_mapping_clear (&mapping);
}

static void
column_changed_cb (GObject            *row,
                   GParamSpec         *pspec,
                   ClairMappingDialog *self)
{
  update_preview (self);
}

/* Indexing: the preview shows as soon as the first rows are known. */

static gboolean
preview_idle_cb (gpointer user_data)
{
  ClairMappingDialog *self = user_data;

  if (!self->indexed)
    update_preview (self);
  return G_SOURCE_REMOVE;
}

static void
index_progress (ClairDataset *dataset,
                guint         n_rows,
                guint64       bytes_done,
                gpointer      user_data)
{
  ClairMappingDialog *self = user_data;

  /* Show the first rows while the rest of a large file is still being indexed. */
  if (n_rows >= N_PREVIEW && g_atomic_int_compare_and_exchange (&self->preview_shown, 0, 1))
    g_idle_add_full (G_PRIORITY_DEFAULT, preview_idle_cb, g_object_ref (self), g_object_unref);
}

static void
index_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;

  if (clair_dataset_index_with_progress (source_object, index_progress, task_data, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
index_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(ClairMappingDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *message = clair_escape_controls (error->message, CLAIR_ESCAPE_LINE);

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->project_row), message);
      gtk_widget_set_sensitive (self->import_button, FALSE);
      return;
    }
  self->indexed = TRUE;
  update_preview (self);
}

/* Import */

static void
import_progress_cb (guint64  done,
                    guint64  total,
                    gpointer user_data)
{
  ClairMappingDialog *self = user_data;

  g_atomic_int_set (&self->n_done, (gint) done);
  self->n_total = total;
}

typedef struct
{
  ClairMapping  mapping;
  char         *path;
  gboolean      existed;   /* the project file was there before */
} ImportData;

static void
import_data_free (ImportData *data)
{
  clair_mapping_clear (&data->mapping);
  g_free (data->path);
  g_free (data);
}

static void
import_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ClairMappingDialog *self = source_object;
  ImportData *data = task_data;
  g_autoptr(ClairProject) project = NULL;
  ClairImportReport report = { 0 };
  GError *error = NULL;
  pid_t tid = (pid_t) syscall (SYS_gettid);
  gboolean niced;
  int priority;

  /* Behind the window on a busy machine: on Linux each thread has a nice value of its own.
   * The thread belongs to GIO's pool, so it gets its own back at the end. */
  errno = 0;
  priority = getpriority (PRIO_PROCESS, tid);
  niced = errno == 0 && setpriority (PRIO_PROCESS, tid, MIN (priority + 10, 19)) == 0;

  if (clair_dataset_index (self->dataset, cancellable, &error) &&
      (project = clair_project_open (data->path, CLAIR_PROJECT_OPEN_CREATE, &error)) != NULL)
    clair_project_set_import_batch (project, IMPORT_BATCH);
  if (project != NULL &&
      !clair_project_import_dataset (project, self->dataset, &data->mapping, cancellable,
                                     import_progress_cb, self, &report, &error))
    g_clear_object (&project);
  clair_import_report_clear (&report);
  g_clear_object (&project);

  /* Lowering is allowed, raising again may not be (without CAP_SYS_NICE): then the pool's
   * thread stays nice, which only makes later background work politer. */
  if (niced)
    setpriority (PRIO_PROCESS, tid, priority);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
progress_tick_cb (gpointer user_data)
{
  ClairMappingDialog *self = user_data;
  guint done = g_atomic_int_get (&self->n_done);

  if (self->n_total > 0)
    gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress), done / (double) self->n_total);
  else
    gtk_progress_bar_pulse (GTK_PROGRESS_BAR (self->progress));
  /* The first batch is committed: the window takes over, showing the rows as they come. */
  if (!self->started && done >= IMPORT_BATCH)
    {
      self->started = TRUE;
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      g_signal_emit (self, signals[IMPORT_STARTED], 0, self->project_path);
    }
  return G_SOURCE_CONTINUE;
}

static void
import_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ClairMappingDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  ImportData *data = g_task_get_task_data (G_TASK (result));

  g_clear_handle_id (&self->progress_id, g_source_remove);
  self->importing = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* The window showing the import lets go of the project first; then it goes. */
      if (self->started)
        g_signal_emit (self, signals[IMPORT_FAILED], 0,
                       g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ? NULL : error->message);
      if (!data->existed)
        for (guint i = 0; i < 3; i++)
          {
            static const char * const suffixes[] = { "", "-wal", "-shm" };
            g_autofree char *file = g_strconcat (data->path, suffixes[i], NULL);
            g_unlink (file);
          }
      if (self->started)
        {
          gtk_window_destroy (GTK_WINDOW (self));
          return;
        }
    }
  if (error != NULL)
    {
      GtkWidget *dialog;
      g_autofree char *message = clair_escape_controls (error->message, CLAIR_ESCAPE_BLOCK);

      gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "mapping");
      update_preview (self);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Could Not Import the Dataset"), message);
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }
  g_signal_emit (self, signals[IMPORTED], 0, self->project_path);
  gtk_window_destroy (GTK_WINDOW (self));
}

void
clair_mapping_dialog_import (ClairMappingDialog *self)
{
  g_autoptr(GTask) task = NULL;
  ImportData *data;

  g_return_if_fail (CLAIR_IS_MAPPING_DIALOG (self));

  if (self->importing)
    return;
  data = g_new0 (ImportData, 1);
  clair_mapping_dialog_get_mapping (self, &data->mapping);
  if (data->mapping.task_column == NULL || data->mapping.solution_column == NULL)
    {
      import_data_free (data);
      return;
    }
  data->path = g_strdup (self->project_path);
  data->existed = g_file_test (data->path, G_FILE_TEST_EXISTS);
  self->importing = TRUE;
  gtk_widget_set_sensitive (self->import_button, FALSE);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "importing");
  self->progress_id = g_timeout_add (100, progress_tick_cb, self);

  task = g_task_new (self, self->cancellable, import_done_cb, g_object_ref (self));
  g_task_set_source_tag (task, clair_mapping_dialog_import);
  g_task_set_task_data (task, data, (GDestroyNotify) import_data_free);
  g_task_run_in_thread (task, import_thread);
}

static void
import_clicked_cb (ClairMappingDialog *self)
{
  clair_mapping_dialog_import (self);
}

void
clair_mapping_dialog_cancel_import (ClairMappingDialog *self)
{
  g_return_if_fail (CLAIR_IS_MAPPING_DIALOG (self));

  g_cancellable_cancel (self->cancellable);
}

void
clair_mapping_dialog_get_import_progress (ClairMappingDialog *self,
                                          guint              *done,
                                          guint              *total)
{
  g_return_if_fail (CLAIR_IS_MAPPING_DIALOG (self));

  *done = (guint) g_atomic_int_get (&self->n_done);
  *total = (guint) self->n_total;
}

static void
cancel_clicked_cb (ClairMappingDialog *self)
{
  g_cancellable_cancel (self->cancellable);
  if (!self->importing)
    gtk_window_destroy (GTK_WINDOW (self));
}

/* Choosing where the project goes */

static void
project_path_chosen_cb (const char *path,
                        gpointer    user_data)
{
  ClairMappingDialog *self = user_data;

  clair_mapping_dialog_set_project_path (self, path);
}

static void
choose_clicked_cb (ClairMappingDialog *self)
{
  clair_file_chooser_save (GTK_WINDOW (self), _("Save the Project As"), self->project_path,
                           CLAIR_FILE_FILTER_PROJECTS, ".clair", project_path_chosen_cb, self);
}

/* GObject */

static void
clair_mapping_dialog_dispose (GObject *object)
{
  ClairMappingDialog *self = CLAIR_MAPPING_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->progress_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), CLAIR_TYPE_MAPPING_DIALOG);
  G_OBJECT_CLASS (clair_mapping_dialog_parent_class)->dispose (object);
}

static void
clair_mapping_dialog_finalize (GObject *object)
{
  ClairMappingDialog *self = CLAIR_MAPPING_DIALOG (object);

  g_clear_object (&self->dataset);
  g_clear_object (&self->columns);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->preview_tasks, g_ptr_array_unref);
  g_clear_pointer (&self->project_path, g_free);
  G_OBJECT_CLASS (clair_mapping_dialog_parent_class)->finalize (object);
}

static void
clair_mapping_dialog_class_init (ClairMappingDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = clair_mapping_dialog_dispose;
  object_class->finalize = clair_mapping_dialog_finalize;
  signals[IMPORTED] = g_signal_new ("imported", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                    NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* The first rows are in the project (its path): the dialog hides and the import goes on. */
  signals[IMPORT_STARTED] = g_signal_new ("import-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                          NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* After "import-started": the import failed (the message) or was cancelled (NULL), and the
   * project it made is gone. */
  signals[IMPORT_FAILED] = g_signal_new ("import-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/clairstudio/ClairStudio/clair-mapping-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ClairMappingDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, ClairMappingDialog, task_row);
  gtk_widget_class_bind_template_child (widget_class, ClairMappingDialog, solution_row);
  gtk_widget_class_bind_template_child (widget_class, ClairMappingDialog, project_row);
  gtk_widget_class_bind_template_child (widget_class, ClairMappingDialog, preview_box);
  gtk_widget_class_bind_template_child (widget_class, ClairMappingDialog, import_button);
  gtk_widget_class_bind_template_child (widget_class, ClairMappingDialog, progress);
  gtk_widget_class_bind_template_child (widget_class, ClairMappingDialog, stack);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, import_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, choose_clicked_cb);
}

static void
clair_mapping_dialog_init (ClairMappingDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->preview_tasks = g_ptr_array_new_with_free_func (g_free);
  self->columns = gtk_string_list_new (NULL);
  adw_combo_row_set_model (ADW_COMBO_ROW (self->task_row), G_LIST_MODEL (self->columns));
  adw_combo_row_set_model (ADW_COMBO_ROW (self->solution_row), G_LIST_MODEL (self->columns));
}

GtkWidget *
clair_mapping_dialog_new (GtkWindow    *parent,
                          ClairDataset *dataset)
{
  ClairMappingDialog *self;
  const char * const *columns;
  ClairMapping guess = { 0 };
  g_autofree char *path = NULL;
  g_autofree char *basename = NULL;
  g_autoptr(GTask) task = NULL;

  g_return_val_if_fail (CLAIR_IS_DATASET (dataset), NULL);

  self = g_object_new (CLAIR_TYPE_MAPPING_DIALOG, "transient-for", parent, NULL);
  self->dataset = g_object_ref (dataset);
  columns = clair_dataset_get_columns (dataset);
  for (guint i = 0; columns && columns[i]; i++)
    gtk_string_list_append (self->columns, columns[i]);
  basename = g_path_get_basename (clair_dataset_get_path (dataset));
  adw_window_title_set_subtitle (ADW_WINDOW_TITLE (self->window_title), basename);

  if (clair_mapping_guess (columns, &guess))
    clair_mapping_dialog_set_columns (self, guess.task_column, guess.solution_column);
  else if (columns && columns[0] && columns[1])
    clair_mapping_dialog_set_columns (self, columns[0], columns[1]);
  clair_mapping_clear (&guess);

  path = g_strconcat (clair_dataset_get_path (dataset), ".clair", NULL);
  clair_mapping_dialog_set_project_path (self, path);
  g_signal_connect (self->task_row, "notify::selected", G_CALLBACK (column_changed_cb), self);
  g_signal_connect (self->solution_row, "notify::selected", G_CALLBACK (column_changed_cb), self);

  if (clair_dataset_is_indexed (dataset))
    self->indexed = TRUE;
  else
    {
      task = g_task_new (dataset, self->cancellable, index_done_cb, g_object_ref (self));
      g_task_set_source_tag (task, clair_mapping_dialog_new);
      g_task_set_task_data (task, self, NULL);
      g_task_run_in_thread (task, index_thread);
    }
  update_preview (self);
  return GTK_WIDGET (self);
}

ClairDataset *
clair_mapping_dialog_get_dataset (ClairMappingDialog *self)
{
  g_return_val_if_fail (CLAIR_IS_MAPPING_DIALOG (self), NULL);
  return self->dataset;
}

static gboolean
select_column (GtkWidget     *combo_row,
               GtkStringList *columns,
               const char    *name)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (columns)); i++)
    if (g_strcmp0 (gtk_string_list_get_string (columns, i), name) == 0)
      {
        adw_combo_row_set_selected (ADW_COMBO_ROW (combo_row), i);
        return TRUE;
      }
  return FALSE;
}

gboolean
clair_mapping_dialog_set_columns (ClairMappingDialog *self,
                                  const char         *task_column,
                                  const char         *solution_column)
{
  gboolean ok;

  g_return_val_if_fail (CLAIR_IS_MAPPING_DIALOG (self), FALSE);

  ok = select_column (self->task_row, self->columns, task_column);
  ok = select_column (self->solution_row, self->columns, solution_column) && ok;
  update_preview (self);
  return ok;
}

const char *
clair_mapping_dialog_get_project_path (ClairMappingDialog *self)
{
  g_return_val_if_fail (CLAIR_IS_MAPPING_DIALOG (self), NULL);
  return self->project_path;
}

void
clair_mapping_dialog_set_project_path (ClairMappingDialog *self,
                                       const char         *path)
{
  g_autofree char *visible = NULL;

  g_return_if_fail (CLAIR_IS_MAPPING_DIALOG (self));
  g_return_if_fail (path != NULL);

  g_free (self->project_path);
  self->project_path = g_strdup (path);
  visible = clair_escape_controls (path, CLAIR_ESCAPE_LINE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->project_row), visible);
}

guint
clair_mapping_dialog_get_n_preview (ClairMappingDialog *self)
{
  g_return_val_if_fail (CLAIR_IS_MAPPING_DIALOG (self), 0);
  return self->preview_tasks->len;
}

const char *
clair_mapping_dialog_get_preview_task (ClairMappingDialog *self,
                                       guint               row)
{
  g_return_val_if_fail (CLAIR_IS_MAPPING_DIALOG (self), NULL);
  return row < self->preview_tasks->len ? g_ptr_array_index (self->preview_tasks, row) : NULL;
}
