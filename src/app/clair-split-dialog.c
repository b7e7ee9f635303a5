/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-split-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "clair-escape.h"
#include "clair-split-dialog.h"
#include "clair-team.h"

struct _ClairSplitDialog
{
  AdwWindow        parent_instance;

  GtkButton       *cancel_button;
  GtkButton       *split_button;
  AdwEntryRow     *annotators_row;
  GtkSpinButton   *overlap_spin;
  GtkSwitch       *undecided_switch;
  AdwEntryRow     *seed_row;
  AdwActionRow    *folder_row;
  GtkButton       *folder_button;
  GtkLabel        *status_label;

  ClairProject    *project;
  char            *folder;
  GCancellable    *cancellable;
  gboolean         splitting;
};

G_DEFINE_FINAL_TYPE (ClairSplitDialog, clair_split_dialog, ADW_TYPE_WINDOW)

enum { SPLIT, N_SIGNALS };
static guint signals[N_SIGNALS];

/* The names typed, trimmed, empty ones dropped; NULL when one is not a valid name (@error). */
static GStrv
parse_annotators (ClairSplitDialog  *self,
                  GError           **error)
{
  g_auto(GStrv) parts = g_strsplit (gtk_editable_get_text (GTK_EDITABLE (self->annotators_row)), ",", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *name = g_strstrip (parts[i]);

      if (*name == '\0')
        continue;
      if (!clair_annotator_name_is_valid (name, error))
        return NULL;
      if (!g_hash_table_add (seen, name))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("“%s” is named twice"), name);
          return NULL;
        }
      g_strv_builder_add (builder, name);
    }
  return g_strv_builder_end (builder);
}

static gboolean
parse_seed (ClairSplitDialog *self,
            guint64          *seed)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->seed_row));

  if (text == NULL || *text == '\0')
    {
      *seed = g_random_int () | ((guint64) g_random_int () << 32);
      return TRUE;
    }
  return g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, seed, NULL);
}

static void
set_status (ClairSplitDialog *self,
            const char       *text,
            gboolean          error)
{
  g_autofree char *visible = clair_escape_controls (text, CLAIR_ESCAPE_BLOCK);

  gtk_label_set_text (self->status_label, visible);
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
}

/* Before anything is written: how many rows each annotator gets. */
static void
update_preview (ClairSplitDialog *self)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  g_autoptr(GArray) assignment = NULL;
  g_autofree guint *rows = NULL;
  g_autofree guint *load = NULL;
  g_autoptr(GString) text = NULL;
  ClairProjectCounts counts;
  guint n_rows, n_annotators;
  guint64 seed = 0;

  if (self->splitting)
    return;
  names = parse_annotators (self, &error);
  gtk_widget_set_sensitive (GTK_WIDGET (self->split_button), FALSE);
  if (names == NULL)
    {
      set_status (self, error->message, TRUE);
      return;
    }
  n_annotators = g_strv_length (names);
  if (n_annotators == 0)
    {
      set_status (self, _("Name the annotators, separated by commas"), FALSE);
      return;
    }
  if (!parse_seed (self, &seed))
    {
      set_status (self, _("The seed is a whole number"), TRUE);
      return;
    }
  if (!clair_project_get_counts (self->project, &counts, &error))
    {
      set_status (self, error->message, TRUE);
      return;
    }
  n_rows = gtk_switch_get_active (self->undecided_switch) ? counts.by_decision[CLAIR_DECISION_NONE] : counts.n_rows;
  rows = g_new (guint, MAX (n_rows, 1));
  for (guint i = 0; i < n_rows; i++)
    rows[i] = i;
  assignment = clair_team_assign (rows, n_rows, n_annotators, gtk_spin_button_get_value (self->overlap_spin), seed);
  load = g_new0 (guint, n_annotators);
  for (guint i = 0; i < assignment->len; i++)
    {
      const ClairAssignment *a = &g_array_index (assignment, ClairAssignment, i);

      load[a->first]++;
      if (a->second >= 0)
        load[a->second]++;
    }
  text = g_string_new (NULL);
  for (guint i = 0; i < n_annotators; i++)
    {
      if (i > 0)
        g_string_append (text, ", ");
      /* Translators: an annotator's name and the number of rows they get. */
      g_string_append_printf (text, ngettext ("%s: %u row", "%s: %u rows", load[i]), names[i], load[i]);
    }
  if (self->folder != NULL)
    {
      g_string_append_c (text, '\n');
      /* Translators: the folder the shards are written to. */
      g_string_append_printf (text, _("Written to %s"), self->folder);
    }
  set_status (self, text->str, FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->split_button), n_rows > 0 && self->folder != NULL);
}

static void
split_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(ClairSplitDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) shards = clair_team_split_finish (CLAIR_PROJECT (source), result, &error);

  self->splitting = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->annotators_row), TRUE);
  if (shards == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_status (self, error->message, TRUE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->split_button), TRUE);
      return;
    }
  g_signal_emit (self, signals[SPLIT], 0, self->folder, shards->len);
  gtk_window_destroy (GTK_WINDOW (self));
}

void
clair_split_dialog_split (ClairSplitDialog *self)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  ClairSplitOptions options = { 0 };

  g_return_if_fail (CLAIR_IS_SPLIT_DIALOG (self));

  names = parse_annotators (self, &error);
  if (names == NULL || names[0] == NULL || self->folder == NULL || self->splitting)
    return;
  options.annotators = (const char * const *) names;
  options.overlap = gtk_spin_button_get_value (self->overlap_spin);
  options.undecided_only = gtk_switch_get_active (self->undecided_switch);
  if (!parse_seed (self, &options.seed))
    return;
  self->splitting = TRUE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->split_button), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->annotators_row), FALSE);
  set_status (self, _("Writing the shards…"), FALSE);
  clair_team_split_async (self->project, &options, self->folder, self->cancellable, split_done_cb,
                          g_object_ref (self));
}

void
clair_split_dialog_set_annotators (ClairSplitDialog *self,
                                   const char       *names)
{
  g_return_if_fail (CLAIR_IS_SPLIT_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->annotators_row), names);
}

void
clair_split_dialog_set_folder (ClairSplitDialog *self,
                               const char       *folder)
{
  g_autofree char *visible = NULL;

  g_return_if_fail (CLAIR_IS_SPLIT_DIALOG (self));

  g_free (self->folder);
  self->folder = g_strdup (folder);
  visible = clair_escape_controls (folder, CLAIR_ESCAPE_LINE);
  adw_action_row_set_subtitle (self->folder_row, visible);
  update_preview (self);
}

void
clair_split_dialog_set_seed (ClairSplitDialog *self,
                             guint64           seed)
{
  g_autofree char *text = g_strdup_printf ("%" G_GUINT64_FORMAT, seed);

  g_return_if_fail (CLAIR_IS_SPLIT_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->seed_row), text);
}

const char *
clair_split_dialog_get_status (ClairSplitDialog *self)
{
  g_return_val_if_fail (CLAIR_IS_SPLIT_DIALOG (self), NULL);

  return gtk_label_get_text (self->status_label);
}

static void
folder_chosen_cb (GtkNativeDialog  *native,
                  int               response,
                  ClairSplitDialog *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path != NULL)
        clair_split_dialog_set_folder (self, path);
    }
  g_object_unref (native);
}

static void
choose_folder_cb (ClairSplitDialog *self)
{
  GtkFileChooserNative *native = gtk_file_chooser_native_new (_("Folder for the Shards"), GTK_WINDOW (self),
                                                              GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                                              _("_Select"), _("_Cancel"));

  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect (native, "response", G_CALLBACK (folder_chosen_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
cancel_cb (ClairSplitDialog *self)
{
  g_cancellable_cancel (self->cancellable);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
clair_split_dialog_dispose (GObject *object)
{
  ClairSplitDialog *self = CLAIR_SPLIT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->project);
  g_clear_pointer (&self->folder, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), CLAIR_TYPE_SPLIT_DIALOG);

  G_OBJECT_CLASS (clair_split_dialog_parent_class)->dispose (object);
}

static void
clair_split_dialog_class_init (ClairSplitDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = clair_split_dialog_dispose;

  /* The shards are written: the folder, how many. */
  signals[SPLIT] = g_signal_new ("split", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                 G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_UINT);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/clair-split-dialog.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, ClairSplitDialog, name)
  BIND (cancel_button);
  BIND (split_button);
  BIND (annotators_row);
  BIND (overlap_spin);
  BIND (undecided_switch);
  BIND (seed_row);
  BIND (folder_row);
  BIND (folder_button);
  BIND (status_label);
#undef BIND
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
clair_split_dialog_init (ClairSplitDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  g_signal_connect_swapped (self->annotators_row, "changed", G_CALLBACK (update_preview), self);
  g_signal_connect_swapped (self->seed_row, "changed", G_CALLBACK (update_preview), self);
  g_signal_connect_swapped (self->overlap_spin, "value-changed", G_CALLBACK (update_preview), self);
  g_signal_connect_swapped (self->undecided_switch, "notify::active", G_CALLBACK (update_preview), self);
  g_signal_connect_swapped (self->folder_button, "clicked", G_CALLBACK (choose_folder_cb), self);
  g_signal_connect_swapped (self->split_button, "clicked", G_CALLBACK (clair_split_dialog_split), self);
  g_signal_connect_swapped (self->cancel_button, "clicked", G_CALLBACK (cancel_cb), self);
}

GtkWidget *
clair_split_dialog_new (GtkWindow    *parent,
                        ClairProject *project)
{
  ClairSplitDialog *self;
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *folder = NULL;
  char *dot;

  g_return_val_if_fail (CLAIR_IS_PROJECT (project), NULL);

  self = g_object_new (CLAIR_TYPE_SPLIT_DIALOG, "transient-for", parent, NULL);
  self->project = g_object_ref (project);
  /* Beside the project, in a folder named after it. */
  dir = g_path_get_dirname (clair_project_get_path (project));
  base = g_path_get_basename (clair_project_get_path (project));
  if ((dot = strrchr (base, '.')) != NULL && dot != base)
    *dot = '\0';
  folder = g_strdup_printf ("%s/%s-shards", dir, base);
  clair_split_dialog_set_folder (self, folder);
  return GTK_WIDGET (self);
}
