/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-window"

#include "config.h"

#include <glib/gi18n.h>

#include "clair-error.h"
#include "clair-hub.h"
#include "clair-hub-dialog.h"
#include "clair-mapping-dialog.h"
#include "clair-window-private.h"

/* Opening: the file chooser, drag and drop, the mapping step for datasets, recent projects. */

#define MAX_RECENT 8

void
_clair_window_add_recent (ClairWindow *self,
                          const char  *path)
{
  g_auto(GStrv) recent = g_settings_get_strv (self->settings, "recent-projects");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) updated = NULL;
  guint n = 1;

  g_strv_builder_add (builder, path);
  for (guint i = 0; recent[i] && n < MAX_RECENT; i++)
    if (g_strcmp0 (recent[i], path) != 0)
      {
        g_strv_builder_add (builder, recent[i]);
        n++;
      }
  updated = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "recent-projects", (const char * const *) updated);
  g_settings_set_string (self->settings, "last-project", path);
  _clair_window_fill_recent (self);
}

static void
recent_activated_cb (GtkListBox    *list,
                     GtkListBoxRow *row,
                     ClairWindow   *self)
{
  const char *path = g_object_get_data (G_OBJECT (row), "clair-path");

  if (path != NULL)
    clair_window_open_project (self, path);
}

static void
recent_hub_activated_cb (GtkListBox    *list,
                         GtkListBoxRow *row,
                         ClairWindow   *self)
{
  _clair_window_open_hub_dialog (self, g_object_get_data (G_OBJECT (row), "clair-dataset"));
}

void
_clair_window_fill_recent (ClairWindow *self)
{
  g_auto(GStrv) recent = g_settings_get_strv (self->settings, "recent-projects");
  GtkWidget *child;
  guint n = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->recent_list))) != NULL)
    gtk_list_box_remove (self->recent_list, child);
  for (guint i = 0; recent[i]; i++)
    {
      g_autofree char *name = NULL;
      g_autofree char *dir = NULL;
      g_autofree char *dir_display = NULL;
      g_autofree char *visible_name = NULL;
      g_autofree char *visible_dir = NULL;
      GtkWidget *row;

      if (!g_file_test (recent[i], G_FILE_TEST_IS_REGULAR))
        continue;
      name = g_path_get_basename (recent[i]);
      dir = g_path_get_dirname (recent[i]);
      dir_display = g_str_has_prefix (dir, g_get_home_dir ())
                      ? g_strconcat ("~", dir + strlen (g_get_home_dir ()), NULL)
                      : g_strdup (dir);
      row = adw_action_row_new ();
      /* File names are shown as they are, never read as markup, controls made visible. */
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      /* One line each, ellipsised: a long path must not set the window's smallest width. */
      adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 1);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 1);
      visible_name = clair_escape_controls (name, CLAIR_ESCAPE_LINE);
      visible_dir = clair_escape_controls (dir_display, CLAIR_ESCAPE_LINE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), visible_name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), visible_dir);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data_full (G_OBJECT (row), "clair-path", g_strdup (recent[i]), g_free);
      gtk_list_box_append (self->recent_list, row);
      n++;
    }
  if (g_object_get_data (G_OBJECT (self->recent_list), "clair-connected") == NULL)
    {
      g_signal_connect (self->recent_list, "row-activated", G_CALLBACK (recent_activated_cb), self);
      g_object_set_data (G_OBJECT (self->recent_list), "clair-connected", GINT_TO_POINTER (1));
    }
  gtk_widget_set_visible (self->recent_group, n > 0);

  /* The Hub datasets opened lately (huggingface_hub-style ids, newest first). */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->recent_hub_list))) != NULL)
    gtk_list_box_remove (self->recent_hub_list, child);
  {
    g_auto(GStrv) hub = clair_hub_recent_load ();
    guint n_hub = 0;

    for (guint i = 0; hub != NULL && hub[i] != NULL && n_hub < 5; i++, n_hub++)
      {
        GtkWidget *row = adw_action_row_new ();
        g_autofree char *visible = clair_escape_controls (hub[i], CLAIR_ESCAPE_LINE);

        adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
        adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), visible);
        adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 1);
        adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
        gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
        g_object_set_data_full (G_OBJECT (row), "clair-dataset", g_strdup (hub[i]), g_free);
        gtk_list_box_append (self->recent_hub_list, row);
      }
    if (g_object_get_data (G_OBJECT (self->recent_hub_list), "clair-connected") == NULL)
      {
        g_signal_connect (self->recent_hub_list, "row-activated", G_CALLBACK (recent_hub_activated_cb), self);
        g_object_set_data (G_OBJECT (self->recent_hub_list), "clair-connected", GINT_TO_POINTER (1));
      }
    gtk_widget_set_visible (self->recent_hub_group, n_hub > 0);
  }
}

/* A long import: once its first rows are in, the mapping dialog hides and the window opens the
 * project, reads the rows committed since every half second (the import commits in batches,
 * and WAL lets this read while it writes) and shows the progress in the header. Decisions and
 * runs wait for the end; reading, searching and filtering do not. */

#define IMPORT_TICK_MS 500

gboolean
_clair_window_is_importing (ClairWindow *self)
{
  return self->import_dialog != NULL;
}

static void
forget_import (ClairWindow *self)
{
  if (self->import_dialog != NULL)
    g_signal_handlers_disconnect_by_data (self->import_dialog, self);
  g_clear_object (&self->import_dialog);
  g_clear_handle_id (&self->import_tick_id, g_source_remove);
  self->import_finishing = FALSE;
  /* A read still out finds another list when it is back, and leaves it alone. */
  self->import_polling = FALSE;
  clair_run_bar_hide_progress (self->run_bar);
}

void
_clair_window_import_stop (ClairWindow *self)
{
  g_autoptr(GObject) dialog = NULL;

  if (self->import_dialog == NULL)
    return;
  dialog = g_object_ref (self->import_dialog);
  forget_import (self);
  /* The dialog removes the project it was making once its import has stopped. */
  clair_mapping_dialog_cancel_import (CLAIR_MAPPING_DIALOG (dialog));
}

/* One read of the rows imported so far: their summaries on the project's worker, then their
 * items on another thread. */
typedef struct
{
  ClairWindow        *window;
  ClairRowList       *rows;      /* the list the rows go to */
  gboolean            last;      /* read after the import ended */
  ClairProjectCounts  counts;
} ImportRead;

static void
import_read_free (ImportRead *read)
{
  g_clear_object (&read->window);
  g_clear_object (&read->rows);
  g_free (read);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImportRead, import_read_free)

static void read_new_rows (ClairWindow *self);

static void
finish_import (ClairWindow *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->rows));
  g_autofree char *message = NULL;

  forget_import (self);
  _clair_window_update_actions (self);
  message = g_strdup_printf (ngettext ("Imported %u row", "Imported %u rows", n), n);
  _clair_window_toast (self, message);
}

static void
import_read_done_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(ImportRead) read = user_data;
  ClairWindow *self = read->window;
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairRowList) more = clair_row_list_new_finish (result, &error);

  if (read->rows != self->rows)
    return;
  self->import_polling = FALSE;
  if (more == NULL)
    g_warning ("Could not read the rows imported so far: %s", error->message);
  else
    {
      clair_row_list_append (self->rows, more);
      _clair_window_show_counts (self, &read->counts);
    }
  if (read->last)
    finish_import (self);
  else if (self->import_finishing)
    read_new_rows (self);
}

static void
import_summaries_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(ImportRead) read = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) summaries = NULL;

  summaries = clair_project_get_summaries_finish (CLAIR_PROJECT (source), result, &read->counts, &error);
  if (summaries != NULL)
    {
      clair_row_list_new_async (summaries, g_task_get_cancellable (G_TASK (result)), import_read_done_cb,
                                g_steal_pointer (&read));
      return;
    }
  /* Cancelled: the window let go of the project. */
  if (read->rows != read->window->rows || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  read->window->import_polling = FALSE;
  g_warning ("Could not read the rows imported so far: %s", error->message);
  if (read->last)
    finish_import (read->window);
}

static void
read_new_rows (ClairWindow *self)
{
  ImportRead *read;
  guint last;

  /* Still reading the first rows (the project's load), or the last read is not back. */
  if (self->rows == NULL || self->project == NULL || self->import_polling)
    return;
  read = g_new0 (ImportRead, 1);
  read->window = g_object_ref (self);
  read->rows = g_object_ref (self->rows);
  read->last = self->import_finishing;
  last = clair_row_list_last_index (self->rows);
  self->import_polling = TRUE;
  /* Counting reads every row (100 ms at 400k): on the worker. The last count is made on the
   * window's own connection, so its counts are ready when decisions start. */
  clair_project_get_summaries_async (self->project, last == G_MAXUINT ? 0 : last + 1,
                                     read->last ? CLAIR_SUMMARY_WARM_COUNTS : CLAIR_SUMMARY_COUNT,
                                     self->cancellable, import_summaries_cb, read);
}

static gboolean
import_tick_cb (gpointer user_data)
{
  ClairWindow *self = user_data;
  guint done = 0, total = 0;
  g_autofree char *text = NULL;

  clair_mapping_dialog_get_import_progress (CLAIR_MAPPING_DIALOG (self->import_dialog), &done, &total);
  if (self->import_finishing)
    done = total;
  /* Translators: rows of the dataset read so far, of all its rows; the plural follows the total. */
  text = g_strdup_printf (ngettext ("Importing %u of %u row", "Importing %u of %u rows", total), done, total);
  clair_run_bar_show_progress (self->run_bar, text, total > 0 ? done / (double) total : 0);
  read_new_rows (self);
  return G_SOURCE_CONTINUE;
}

static void
import_started_cb (ClairMappingDialog *dialog,
                   const char         *path,
                   ClairWindow        *self)
{
  clair_window_open_project (self, path);
  if (self->project == NULL)
    {
      clair_mapping_dialog_cancel_import (dialog);
      return;
    }
  self->import_dialog = g_object_ref (G_OBJECT (dialog));
  self->import_tick_id = g_timeout_add (IMPORT_TICK_MS, import_tick_cb, self);
  import_tick_cb (self);
  _clair_window_update_actions (self);
}

static void
import_failed_cb (ClairMappingDialog *dialog,
                  const char         *message,
                  ClairWindow        *self)
{
  g_autoptr(GError) error = NULL;

  if (G_OBJECT (dialog) != self->import_dialog)
    return;
  forget_import (self);
  g_clear_pointer (&self->hub_settings, g_hash_table_unref);
  /* The dialog removes the project after this: let go of it first. */
  _clair_window_close_project (self);
  if (message == NULL)
    {
      _clair_window_toast (self, _("Import cancelled"));
      return;
    }
  g_set_error_literal (&error, CLAIR_ERROR, CLAIR_ERROR_FAILED, message);
  _clair_window_show_error (self, _("Could Not Import the Dataset"), error);
}

/* A project made from a Hub dataset records where its rows came from (hub.repository, the
 * commit, the config and split, the files), as `clair import hf://…` does. */
static void
record_hub_source (ClairWindow *self,
                   const char  *project_path)
{
  g_autoptr(GHashTable) settings = g_steal_pointer (&self->hub_settings);
  g_autoptr(ClairProject) project = NULL;
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  gpointer key, value;

  if (settings == NULL)
    return;
  project = clair_project_open (project_path, CLAIR_PROJECT_OPEN_DEFAULT, &error);
  if (project == NULL)
    {
      g_warning ("Could not record the dataset's source: %s", error->message);
      return;
    }
  g_hash_table_iter_init (&iter, settings);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!clair_project_set_setting (project, key, value, &error))
      {
        g_warning ("Could not record the dataset's source: %s", error->message);
        return;
      }
}

static void
imported_cb (ClairMappingDialog *dialog,
             const char         *path,
             ClairWindow        *self)
{
  record_hub_source (self, path);
  /* A long import the window shows: one last read, then it is done. */
  if (G_OBJECT (dialog) == self->import_dialog)
    {
      self->import_finishing = TRUE;
      _clair_window_update_actions (self);
      import_tick_cb (self);
      return;
    }
  clair_window_open_project (self, path);
}

/* A dataset at @path: the project made from it before (@project_path, with rows) opens again;
 * else the mapping step, saving as @project_path. @hub_settings (or NULL) record where a Hub
 * dataset came from, once the import is done. */
static void
open_dataset (ClairWindow *self,
              const char  *path,
              const char  *project_path,
              GHashTable  *hub_settings)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairDataset) dataset = NULL;
  GtkWidget *dialog;

  if (g_file_test (project_path, G_FILE_TEST_IS_REGULAR))
    {
      g_autoptr(ClairProject) existing = clair_project_open (project_path, CLAIR_PROJECT_OPEN_READ_ONLY, NULL);

      if (existing != NULL && clair_project_has_rows (existing))
        {
          g_clear_object (&existing);
          clair_window_open_project (self, project_path);
          _clair_window_toast (self, _("Opened the project made from this dataset"));
          return;
        }
    }
  dataset = clair_dataset_open (path, CLAIR_FORMAT_UNKNOWN, &error);
  if (dataset == NULL)
    {
      _clair_window_show_error (self, _("Could Not Open the Dataset"), error);
      return;
    }
  g_clear_pointer (&self->hub_settings, g_hash_table_unref);
  if (hub_settings != NULL)
    self->hub_settings = g_hash_table_ref (hub_settings);
  dialog = clair_mapping_dialog_new (GTK_WINDOW (self), dataset);
  clair_mapping_dialog_set_project_path (CLAIR_MAPPING_DIALOG (dialog), project_path);
  g_signal_connect_object (dialog, "imported", G_CALLBACK (imported_cb), self, 0);
  g_signal_connect_object (dialog, "import-started", G_CALLBACK (import_started_cb), self, 0);
  g_signal_connect_object (dialog, "import-failed", G_CALLBACK (import_failed_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
clair_window_open_file (ClairWindow *self,
                        GFile       *file)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *project_path = NULL;

  g_return_if_fail (CLAIR_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  path = g_file_get_path (file);
  if (path == NULL)
    {
      g_set_error (&error, CLAIR_ERROR, CLAIR_ERROR_UNSUPPORTED,
                   _("“%s” is not a local file; copy it to this computer first."),
                   g_file_peek_path (file) ? g_file_peek_path (file) : "?");
      _clair_window_show_error (self, _("Could Not Open the File"), error);
      return;
    }
  if (g_str_has_suffix (path, ".clair"))
    {
      clair_window_open_project (self, path);
      return;
    }

  /* Saved beside the dataset (a folder of shards too), or reopened from there. */
  project_path = g_strconcat (path, ".clair", NULL);
  open_dataset (self, path, project_path, NULL);
}

static void
open_response_cb (GtkNativeDialog *native,
                  int              response,
                  ClairWindow     *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));

      if (file != NULL)
        clair_window_open_file (self, file);
    }
  g_object_unref (native);
  g_object_unref (self);
}

void
_clair_window_open_dialog (ClairWindow *self)
{
  GtkFileChooserNative *native;
  GtkFileFilter *filter;

  native = gtk_file_chooser_native_new (_("Open a Dataset or Project"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);

  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Datasets and Projects"));
  gtk_file_filter_add_suffix (filter, "jsonl");
  gtk_file_filter_add_suffix (filter, "json");
  gtk_file_filter_add_suffix (filter, "csv");
  gtk_file_filter_add_suffix (filter, "tsv");
  gtk_file_filter_add_suffix (filter, "parquet");
  gtk_file_filter_add_suffix (filter, "clair");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  g_object_unref (filter);
  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("All Files"));
  gtk_file_filter_add_pattern (filter, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  g_object_unref (filter);

  g_signal_connect (native, "response", G_CALLBACK (open_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

/* Drag and drop: a file dropped anywhere on the window opens it. */

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         ClairWindow   *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->empty_page), "drop-highlight");
  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      GSList *files = g_value_get_boxed (value);

      if (files == NULL)
        return FALSE;
      clair_window_open_file (self, files->data);
      return TRUE;
    }
  if (G_VALUE_HOLDS (value, G_TYPE_FILE))
    {
      clair_window_open_file (self, g_value_get_object (value));
      return TRUE;
    }
  return FALSE;
}

static GdkDragAction
drop_enter_cb (GtkDropTarget *target,
               double         x,
               double         y,
               ClairWindow   *self)
{
  gtk_widget_add_css_class (GTK_WIDGET (self->empty_page), "drop-highlight");
  return GDK_ACTION_COPY;
}

static void
drop_leave_cb (GtkDropTarget *target,
               ClairWindow   *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->empty_page), "drop-highlight");
}

void
_clair_window_setup_drop (ClairWindow *self)
{
  GtkDropTarget *target = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  GType types[] = { GDK_TYPE_FILE_LIST, G_TYPE_FILE };

  gtk_drop_target_set_gtypes (target, types, G_N_ELEMENTS (types));
  g_signal_connect (target, "drop", G_CALLBACK (drop_cb), self);
  g_signal_connect (target, "enter", G_CALLBACK (drop_enter_cb), self);
  g_signal_connect (target, "leave", G_CALLBACK (drop_leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));
}

/* Open from Hugging Face */

/* The files are here: the mapping step as for a local file, with the project saved under the
 * dataset's name in the documents folder (not in the cache beside the files), and its source
 * recorded once the import is done. */
static void
hub_downloaded_cb (ClairHubDialog *dialog,
                   const char     *path,
                   const char     *project_name,
                   GHashTable     *settings,
                   ClairWindow    *self)
{
  const char *folder = g_get_user_special_dir (G_USER_DIRECTORY_DOCUMENTS);
  g_autofree char *project_path = g_build_filename (folder && g_file_test (folder, G_FILE_TEST_IS_DIR)
                                                      ? folder : g_get_home_dir (),
                                                    project_name, NULL);

  open_dataset (self, path, project_path, settings);
}

void
_clair_window_open_hub_dialog (ClairWindow *self,
                               const char  *dataset)
{
  GtkWidget *dialog = clair_hub_dialog_new (GTK_WINDOW (self));

  g_signal_connect_object (dialog, "downloaded", G_CALLBACK (hub_downloaded_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  if (dataset != NULL)
    clair_hub_dialog_look_up (CLAIR_HUB_DIALOG (dialog), dataset);
}
