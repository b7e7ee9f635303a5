/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-file-chooser"

#include "config.h"

#include <glib/gi18n.h>

#include "clair-file-chooser.h"

/* What one chooser needs once the user answers. The parent is weak: a dialog closed while its
 * chooser is open gets no callback. */
typedef struct
{
  GWeakRef             parent;
  char                *suffix;
  ClairFileChosenFunc  callback;
  gpointer             user_data;
} Request;

static void
request_free (Request *request)
{
  g_weak_ref_clear (&request->parent);
  g_free (request->suffix);
  g_free (request);
}

static void
add_filter (GtkFileChooser     *chooser,
            const char         *name,
            const char * const *suffixes)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  for (guint i = 0; suffixes[i] != NULL; i++)
    gtk_file_filter_add_suffix (filter, suffixes[i]);
  gtk_file_chooser_add_filter (chooser, filter);
}

static void
add_filters (GtkFileChooser  *chooser,
             ClairFileFilter  filter)
{
  static const char * const datasets[] = { "jsonl", "json", "csv", "tsv", "clair", NULL };
  static const char * const projects[] = { "clair", NULL };
  static const char * const jsonl[] = { "jsonl", NULL };
  g_autoptr(GtkFileFilter) all = NULL;

  switch (filter)
    {
    case CLAIR_FILE_FILTER_DATASETS:
      add_filter (chooser, _("Datasets and Projects"), datasets);
      break;
    case CLAIR_FILE_FILTER_PROJECTS:
      add_filter (chooser, _("CLAIR Projects"), projects);
      break;
    case CLAIR_FILE_FILTER_JSONL:
      add_filter (chooser, _("JSON Lines"), jsonl);
      break;
    case CLAIR_FILE_FILTER_NONE:
    default:
      return;
    }
  all = gtk_file_filter_new ();
  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (chooser, all);
}

static void
response_cb (GtkNativeDialog *native,
             int              response,
             gpointer         user_data)
{
  Request *request = user_data;
  g_autoptr(GtkWindow) parent = g_weak_ref_get (&request->parent);
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT && parent != NULL)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      path = file ? g_file_get_path (file) : NULL;
    }
  if (path != NULL && request->suffix != NULL && !g_str_has_suffix (path, request->suffix))
    {
      char *with_suffix = g_strconcat (path, request->suffix, NULL);

      g_free (path);
      path = with_suffix;
    }
  if (path != NULL)
    request->callback (path, request->user_data);
  request_free (request);
  g_object_unref (native);
}

static GtkFileChooserNative *
chooser_new (GtkWindow            *parent,
             const char           *title,
             GtkFileChooserAction  action,
             const char           *accept,
             ClairFileFilter       filter,
             const char           *suffix,
             ClairFileChosenFunc   callback,
             gpointer              user_data)
{
  GtkFileChooserNative *native = gtk_file_chooser_native_new (title, parent, action, accept, _("_Cancel"));
  Request *request = g_new0 (Request, 1);

  g_weak_ref_init (&request->parent, parent);
  request->suffix = g_strdup (suffix);
  request->callback = callback;
  request->user_data = user_data;
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  add_filters (GTK_FILE_CHOOSER (native), filter);
  g_signal_connect (native, "response", G_CALLBACK (response_cb), request);
  return native;
}

void
clair_file_chooser_open (GtkWindow           *parent,
                         const char          *title,
                         ClairFileFilter      filter,
                         ClairFileChosenFunc  callback,
                         gpointer             user_data)
{
  GtkFileChooserNative *native;

  g_return_if_fail (GTK_IS_WINDOW (parent));
  g_return_if_fail (callback != NULL);

  native = chooser_new (parent, title, GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), filter, NULL,
                        callback, user_data);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

void
clair_file_chooser_save (GtkWindow           *parent,
                         const char          *title,
                         const char          *suggested_path,
                         ClairFileFilter      filter,
                         const char          *suffix,
                         ClairFileChosenFunc  callback,
                         gpointer             user_data)
{
  GtkFileChooserNative *native;

  g_return_if_fail (GTK_IS_WINDOW (parent));
  g_return_if_fail (callback != NULL);

  native = chooser_new (parent, title, GTK_FILE_CHOOSER_ACTION_SAVE, _("_Choose"), filter, suffix,
                        callback, user_data);
  if (suggested_path != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (suggested_path);
      g_autofree char *name = g_path_get_basename (suggested_path);
      g_autoptr(GFile) folder = g_file_new_for_path (dir);

      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (native), folder, NULL);
      gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), name);
    }
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}
