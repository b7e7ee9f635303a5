/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-window"

#include "config.h"

#include <glib/gi18n.h>

#include "clair-error.h"
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
      GtkWidget *row;

      if (!g_file_test (recent[i], G_FILE_TEST_IS_REGULAR))
        continue;
      name = g_path_get_basename (recent[i]);
      dir = g_path_get_dirname (recent[i]);
      dir_display = g_str_has_prefix (dir, g_get_home_dir ())
                      ? g_strconcat ("~", dir + strlen (g_get_home_dir ()), NULL)
                      : g_strdup (dir);
      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), dir_display);
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
}

static void
imported_cb (ClairMappingDialog *dialog,
             const char         *path,
             ClairWindow        *self)
{
  clair_window_open_project (self, path);
}

void
clair_window_open_file (ClairWindow *self,
                        GFile       *file)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairDataset) dataset = NULL;
  g_autofree char *path = NULL;
  g_autofree char *project_path = NULL;
  GtkWidget *dialog;

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

  /* A dataset whose project already exists next to it reopens that project. */
  project_path = g_strconcat (path, ".clair", NULL);
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
  dialog = clair_mapping_dialog_new (GTK_WINDOW (self), dataset);
  g_signal_connect_object (dialog, "imported", G_CALLBACK (imported_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
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
