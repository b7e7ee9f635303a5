/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-hub-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "clair-error.h"
#include "clair-escape.h"
#include "clair-hub.h"
#include "clair-hub-dialog.h"

struct _ClairHubDialog
{
  AdwWindow         parent_instance;

  /* Template widgets */
  GtkButton        *cancel_button;
  GtkButton        *open_button;
  GtkStack         *stack;
  AdwEntryRow      *dataset_row;
  AdwEntryRow      *revision_row;
  GtkWidget        *split_group;
  AdwComboRow      *config_row;
  AdwComboRow      *split_row;
  AdwActionRow     *size_row;
  GtkWidget        *token_group;
  AdwPasswordEntryRow *token_row;
  GtkSpinner       *spinner;
  GtkLabel         *status_label;
  GtkWidget        *recent_group;
  GtkListBox       *recent_list;
  GtkLabel         *download_label;
  GtkProgressBar   *progress_bar;

  ClairHub         *hub;
  ClairHubListing  *listing;
  ClairHubRef       ref;          /* what was looked up */
  GCancellable     *cancellable;  /* the lookup or the download under way */
  gboolean          keyring_tried;
  gboolean          filling;      /* the combo rows are being filled, not chosen */
};

G_DEFINE_FINAL_TYPE (ClairHubDialog, clair_hub_dialog, ADW_TYPE_WINDOW)

enum { DOWNLOADED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void start_lookup (ClairHubDialog *self);

static void
set_status (ClairHubDialog *self,
            const char     *text,
            gboolean        busy,
            gboolean        error)
{
  g_autofree char *visible = clair_escape_controls (text ? text : "", CLAIR_ESCAPE_BLOCK);

  gtk_label_set_text (self->status_label, visible);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
}

static const char *
selected_string (AdwComboRow *row)
{
  GObject *item = adw_combo_row_get_selected_item (row);

  return item ? gtk_string_object_get_string (GTK_STRING_OBJECT (item)) : NULL;
}

/* The split chosen in the combo rows, NULL for a file named by path or before a listing. */
static const ClairHubSplit *
chosen_split (ClairHubDialog *self)
{
  if (self->listing == NULL || self->ref.path != NULL)
    return NULL;
  return clair_hub_listing_get_split (self->listing, selected_string (self->config_row),
                                      selected_string (self->split_row));
}

static const ClairHubFile *
chosen_file (ClairHubDialog *self)
{
  GPtrArray *files;

  if (self->listing == NULL || self->ref.path == NULL)
    return NULL;
  files = clair_hub_listing_get_repo_files (self->listing);
  for (guint i = 0; files != NULL && i < files->len; i++)
    {
      const ClairHubFile *file = g_ptr_array_index (files, i);

      if (g_str_equal (file->path, self->ref.path))
        return file;
    }
  return NULL;
}

/* The size before anything is downloaded, and what the cache holds already. */
static void
update_size (ClairHubDialog *self)
{
  const ClairHubSplit *split = chosen_split (self);
  const ClairHubFile *file = chosen_file (self);
  g_autofree char *size = NULL;
  g_autofree char *text = NULL;
  gint64 total = split ? split->size : file ? file->size : -1;
  guint n_files = split ? split->files->len : file ? 1 : 0;

  gtk_widget_set_sensitive (GTK_WIDGET (self->open_button), n_files > 0);
  if (n_files == 0)
    {
      adw_action_row_set_subtitle (self->size_row, "");
      return;
    }
  size = total >= 0 ? g_format_size (total) : g_strdup (_("size unknown"));
  if (split != NULL)
    {
      gint64 cached = clair_hub_get_cached_size (self->hub, self->listing, split);
      g_autofree char *cached_text = g_format_size (MAX (cached, 0));

      if (cached > 0 && cached >= total)
        /* Translators: a size such as "12.3 MB", then a number of files. */
        text = g_strdup_printf (ngettext ("%s in %u file, already downloaded",
                                          "%s in %u files, already downloaded", n_files), size, n_files);
      else if (cached > 0)
        text = g_strdup_printf (ngettext ("%s in %u file (%s already here)",
                                          "%s in %u files (%s already here)", n_files),
                                size, n_files, cached_text);
      else
        text = g_strdup_printf (ngettext ("%s in %u file", "%s in %u files", n_files), size, n_files);
    }
  else
    text = g_strdup_printf (_("%s, one file"), size);
  adw_action_row_set_subtitle (self->size_row, text);
}

static void
fill_splits (ClairHubDialog *self)
{
  g_autoptr(GPtrArray) splits = clair_hub_listing_get_splits (self->listing, selected_string (self->config_row));
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  guint train = 0;

  for (guint i = 0; splits != NULL && i < splits->len; i++)
    {
      const ClairHubSplit *split = g_ptr_array_index (splits, i);

      gtk_string_list_append (names, split->split);
      if (g_str_equal (split->split, "train"))
        train = i;
    }
  self->filling = TRUE;
  adw_combo_row_set_model (self->split_row, G_LIST_MODEL (names));
  adw_combo_row_set_selected (self->split_row, train);
  self->filling = FALSE;
  update_size (self);
}

static void
config_changed_cb (ClairHubDialog *self)
{
  if (!self->filling && self->listing != NULL)
    fill_splits (self);
}

static void
split_changed_cb (ClairHubDialog *self)
{
  if (!self->filling && self->listing != NULL)
    update_size (self);
}

static void
show_listing (ClairHubDialog *self)
{
  const char * const *configs = clair_hub_listing_get_configs (self->listing);
  g_autoptr(GtkStringList) names = gtk_string_list_new (configs);
  g_autofree char *text = NULL;
  guint preferred = 0;

  for (guint i = 0; configs != NULL && configs[i] != NULL; i++)
    if (g_str_equal (configs[i], "default"))
      preferred = i;
  self->filling = TRUE;
  adw_combo_row_set_model (self->config_row, G_LIST_MODEL (names));
  adw_combo_row_set_selected (self->config_row, preferred);
  self->filling = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->config_row), self->ref.path == NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->split_row), self->ref.path == NULL);
  gtk_widget_set_visible (self->split_group, TRUE);
  if (self->ref.path == NULL)
    fill_splits (self);
  else
    update_size (self);

  if (clair_hub_listing_is_offline (self->listing))
    /* Translators: a dataset (ORG/NAME), then a commit hash. */
    text = g_strdup_printf (_("The Hub cannot be reached: the copy of %s cached at %.12s is offered"),
                            clair_hub_listing_get_repo_id (self->listing), clair_hub_listing_get_sha (self->listing));
  else if (self->ref.path != NULL && chosen_file (self) == NULL)
    text = g_strdup_printf (_("%s has no file “%s”"), clair_hub_listing_get_repo_id (self->listing), self->ref.path);
  else
    /* Translators: a dataset (ORG/NAME), then a commit hash. */
    text = g_strdup_printf (clair_hub_listing_is_converted (self->listing)
                              ? _("%s at %.12s, in the Hub's Parquet conversion")
                              : _("%s at %.12s, from the repository's own files"),
                            clair_hub_listing_get_repo_id (self->listing), clair_hub_listing_get_sha (self->listing));
  set_status (self, text, FALSE, FALSE);
}

static void
keyring_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(ClairHubDialog) self = user_data;

  /* Whatever the keyring held (or not), once more: the error then says what to do. */
  clair_hub_load_keyring_token_finish (CLAIR_HUB (source), result, NULL);
  if (!g_cancellable_is_cancelled (self->cancellable))
    start_lookup (self);
}

static void
list_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(ClairHubDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  ClairHubListing *listing = clair_hub_list_finish (CLAIR_HUB (source), result, &error);

  if (listing == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Refused without a token: the keyring is asked once (D-Bus only when needed). */
      if (g_error_matches (error, CLAIR_ERROR, CLAIR_ERROR_FATAL_HTTP) && !self->keyring_tried)
        {
          self->keyring_tried = TRUE;
          clair_hub_load_keyring_token_async (self->hub, self->cancellable, keyring_cb, g_object_ref (self));
          return;
        }
      gtk_widget_set_visible (self->token_group, g_error_matches (error, CLAIR_ERROR, CLAIR_ERROR_FATAL_HTTP));
      set_status (self, error->message, FALSE, TRUE);
      return;
    }
  g_clear_pointer (&self->listing, clair_hub_listing_unref);
  self->listing = listing;
  show_listing (self);
}

static void
start_lookup (ClairHubDialog *self)
{
  const char *revision = gtk_editable_get_text (GTK_EDITABLE (self->revision_row));
  g_autofree char *text = NULL;

  if (revision == NULL || *revision == '\0')
    revision = self->ref.revision;
  text = g_strdup_printf (_("Looking up %s…"), self->ref.repo_id);
  set_status (self, text, TRUE, FALSE);
  clair_hub_list_async (self->hub, self->ref.repo_id, revision, self->cancellable, list_cb, g_object_ref (self));
}

static void
look_up_entered (ClairHubDialog *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->dataset_row));
  g_autoptr(GError) error = NULL;
  g_autofree char *trimmed = g_strstrip (g_strdup (text));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_pointer (&self->listing, clair_hub_listing_unref);
  clair_hub_ref_clear (&self->ref);
  gtk_widget_set_visible (self->split_group, FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->open_button), FALSE);
  if (!clair_hub_ref_parse (trimmed, &self->ref, &error))
    {
      set_status (self, error->message, FALSE, TRUE);
      return;
    }
  start_lookup (self);
}

void
clair_hub_dialog_look_up (ClairHubDialog *self,
                          const char     *dataset)
{
  g_return_if_fail (CLAIR_IS_HUB_DIALOG (self));
  g_return_if_fail (dataset != NULL);

  gtk_editable_set_text (GTK_EDITABLE (self->dataset_row), dataset);
  look_up_entered (self);
}

/* The token typed in: into the keyring (for next time) and the next lookup. */
static void
token_applied_cb (ClairHubDialog *self)
{
  const char *token = gtk_editable_get_text (GTK_EDITABLE (self->token_row));
  g_autoptr(GError) error = NULL;

  if (token == NULL || *token == '\0')
    return;
  clair_hub_set_token (self->hub, token);
  if (!clair_hub_token_store (clair_hub_get_endpoint (self->hub), token, NULL, &error))
    g_debug ("The token is used for this session only: %s", error->message);
  gtk_editable_set_text (GTK_EDITABLE (self->token_row), "");
  gtk_widget_set_visible (self->token_group, FALSE);
  if (self->ref.repo_id != NULL)
    start_lookup (self);
}

/* Downloading */

static void
progress_cb (guint64  done,
             gint64   total,
             gpointer user_data)
{
  ClairHubDialog *self = user_data;
  g_autofree char *done_text = g_format_size (done);
  g_autofree char *total_text = total > 0 ? g_format_size (total) : NULL;
  g_autofree char *text = NULL;

  if (total > 0)
    {
      /* Translators: two sizes such as "12.3 MB". */
      text = g_strdup_printf (_("%s of %s"), done_text, total_text);
      gtk_progress_bar_set_fraction (self->progress_bar, MIN (1.0, done / (double) total));
    }
  else
    {
      text = g_strdup (done_text);
      gtk_progress_bar_pulse (self->progress_bar);
    }
  gtk_progress_bar_set_text (self->progress_bar, text);
}

typedef struct
{
  ClairHubDialog *self;
  char           *project_name;
  GHashTable     *settings;
  ClairHubSplit   single;   /* one file named by path, as a split of its own (the download reads it) */
} Download;

static void
download_free (Download *download)
{
  g_object_unref (download->self);
  g_free (download->project_name);
  g_hash_table_unref (download->settings);
  g_clear_pointer (&download->single.files, g_ptr_array_unref);
  g_free (download);
}

static void
download_done (Download   *download,
               char       *path,
               GError     *error)
{
  ClairHubDialog *self = download->self;

  gtk_button_set_label (self->cancel_button, _("_Cancel"));
  if (path == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "choose");
      gtk_widget_set_sensitive (GTK_WIDGET (self->open_button), TRUE);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_status (self, _("Download stopped: it goes on from there next time"), FALSE, FALSE);
      else
        {
          gtk_widget_set_visible (self->token_group, g_error_matches (error, CLAIR_ERROR, CLAIR_ERROR_FATAL_HTTP));
          set_status (self, error->message, FALSE, TRUE);
        }
      update_size (self);
      return;
    }
  clair_hub_recent_add (self->ref.repo_id, self->ref.revision);
  g_signal_emit (self, signals[DOWNLOADED], 0, path, download->project_name, download->settings);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
download_split_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Download *download = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = clair_hub_download_split_finish (CLAIR_HUB (source), result, &error);

  download_done (download, path, error);
  download_free (download);
}

void
clair_hub_dialog_download (ClairHubDialog *self)
{
  const ClairHubSplit *split;
  const ClairHubFile *file;
  Download *download;
  g_autofree char *what = NULL;

  g_return_if_fail (CLAIR_IS_HUB_DIALOG (self));

  split = chosen_split (self);
  file = chosen_file (self);
  if (split == NULL && file == NULL)
    return;
  download = g_new0 (Download, 1);
  download->self = g_object_ref (self);
  download->settings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  download->project_name = clair_hub_default_project_name (self->ref.repo_id, self->ref.path,
                                                           split ? split->config : NULL,
                                                           split ? split->split : NULL);
  if (split != NULL)
    clair_hub_describe_source (self->hub, self->listing, split, NULL, download->settings);
  else
    {
      g_autoptr(GPtrArray) files = g_ptr_array_new ();

      g_ptr_array_add (files, (gpointer) file);
      clair_hub_describe_source (self->hub, self->listing, NULL, files, download->settings);
    }

  /* Translators: a dataset (ORG/NAME), then its config and split, or a file. */
  what = split ? g_strdup_printf (_("Downloading %s (%s, %s)"), self->ref.repo_id, split->config, split->split)
               : g_strdup_printf (_("Downloading %s"), self->ref.path);
  gtk_label_set_text (self->download_label, what);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_progress_bar_set_text (self->progress_bar, "");
  gtk_stack_set_visible_child_name (self->stack, "download");
  gtk_widget_set_sensitive (GTK_WIDGET (self->open_button), FALSE);
  gtk_button_set_label (self->cancel_button, _("_Stop"));
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  if (split != NULL)
    clair_hub_download_split_async (self->hub, self->listing, split, progress_cb, g_object_ref (self),
                                    g_object_unref, self->cancellable, download_split_cb, download);
  else
    {
      /* One file named by path: a split of its own, alive as long as the download. */
      download->single.files = g_ptr_array_new ();
      download->single.size = file->size;
      g_ptr_array_add (download->single.files, (gpointer) file);
      clair_hub_download_split_async (self->hub, self->listing, &download->single, progress_cb, g_object_ref (self),
                                      g_object_unref, self->cancellable, download_split_cb, download);
    }
}

const char *
clair_hub_dialog_get_status (ClairHubDialog *self)
{
  g_return_val_if_fail (CLAIR_IS_HUB_DIALOG (self), NULL);

  return gtk_label_get_text (self->status_label);
}

gboolean
clair_hub_dialog_can_download (ClairHubDialog *self)
{
  g_return_val_if_fail (CLAIR_IS_HUB_DIALOG (self), FALSE);

  return gtk_widget_get_sensitive (GTK_WIDGET (self->open_button));
}

/* Cancel stops a download (kept for next time) and otherwise closes. */
static void
cancel_clicked_cb (ClairHubDialog *self)
{
  if (g_str_equal (gtk_stack_get_visible_child_name (self->stack), "download"))
    g_cancellable_cancel (self->cancellable);
  else
    gtk_window_destroy (GTK_WINDOW (self));
}

static void
recent_activated_cb (GtkListBox     *list,
                     GtkListBoxRow  *row,
                     ClairHubDialog *self)
{
  clair_hub_dialog_look_up (self, adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)));
}

static void
fill_recent (ClairHubDialog *self)
{
  g_auto(GStrv) recent = clair_hub_recent_load ();
  guint n = 0;

  for (guint i = 0; recent != NULL && recent[i] != NULL && n < 8; i++, n++)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), recent[i]);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      gtk_list_box_append (self->recent_list, row);
    }
  gtk_widget_set_visible (self->recent_group, n > 0);
}

static void
clair_hub_dialog_dispose (GObject *object)
{
  ClairHubDialog *self = CLAIR_HUB_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->listing, clair_hub_listing_unref);
  g_clear_object (&self->hub);
  clair_hub_ref_clear (&self->ref);
  gtk_widget_dispose_template (GTK_WIDGET (self), CLAIR_TYPE_HUB_DIALOG);

  G_OBJECT_CLASS (clair_hub_dialog_parent_class)->dispose (object);
}

static void
clair_hub_dialog_class_init (ClairHubDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = clair_hub_dialog_dispose;

  /* The files are here: the path to open, the project's default name, the settings (char* →
   * char*) that record where they came from. */
  signals[DOWNLOADED] = g_signal_new ("downloaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                      NULL, NULL, NULL, G_TYPE_NONE, 3,
                                      G_TYPE_STRING, G_TYPE_STRING, G_TYPE_HASH_TABLE);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/clair-hub-dialog.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, ClairHubDialog, name)
  BIND (cancel_button);
  BIND (open_button);
  BIND (stack);
  BIND (dataset_row);
  BIND (revision_row);
  BIND (split_group);
  BIND (config_row);
  BIND (split_row);
  BIND (size_row);
  BIND (token_group);
  BIND (token_row);
  BIND (spinner);
  BIND (status_label);
  BIND (recent_group);
  BIND (recent_list);
  BIND (download_label);
  BIND (progress_bar);
#undef BIND
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
clair_hub_dialog_init (ClairHubDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->hub = clair_hub_new ();
  self->cancellable = g_cancellable_new ();
  set_status (self, "", FALSE, FALSE);
  g_signal_connect_swapped (self->dataset_row, "apply", G_CALLBACK (look_up_entered), self);
  g_signal_connect_swapped (self->dataset_row, "entry-activated", G_CALLBACK (look_up_entered), self);
  g_signal_connect_swapped (self->revision_row, "entry-activated", G_CALLBACK (look_up_entered), self);
  g_signal_connect_swapped (self->token_row, "apply", G_CALLBACK (token_applied_cb), self);
  g_signal_connect_swapped (self->token_row, "entry-activated", G_CALLBACK (token_applied_cb), self);
  g_signal_connect_swapped (self->config_row, "notify::selected", G_CALLBACK (config_changed_cb), self);
  g_signal_connect_swapped (self->split_row, "notify::selected", G_CALLBACK (split_changed_cb), self);
  g_signal_connect_swapped (self->open_button, "clicked", G_CALLBACK (clair_hub_dialog_download), self);
  g_signal_connect_swapped (self->cancel_button, "clicked", G_CALLBACK (cancel_clicked_cb), self);
  g_signal_connect (self->recent_list, "row-activated", G_CALLBACK (recent_activated_cb), self);
  fill_recent (self);
}

GtkWidget *
clair_hub_dialog_new (GtkWindow *parent)
{
  return g_object_new (CLAIR_TYPE_HUB_DIALOG, "transient-for", parent, NULL);
}
