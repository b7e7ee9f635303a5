/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-preferences"

#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>
#include <math.h>
#include <string.h>

#include "clair-client.h"
#include "clair-endpoint.h"
#include "clair-escape.h"
#include "clair-preferences-window.h"
#include "clair-prompt.h"
#include "clair-run-config.h"
#include "clair-secrets.h"
#include "clair-team.h"

struct _ClairPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;
  ClairProject         *project;
  char                 *task;
  char                 *solution;

  GtkWidget            *preset_row;
  GtkWidget            *base_url_row;
  GtkWidget            *key_row;
  GtkWidget            *key_note_row;    /* shown when keys cannot be remembered */
  char                 *key_url;         /* the base URL the typed key belongs to */
  GCancellable         *key_lookup;
  guint                 key_store_id;    /* a typed key waiting to be stored */
  GtkWidget            *test_button;
  GCancellable         *test_cancellable;  /* the connection test under way, for this URL */
  GtkWidget            *test_label;
  GtkWidget            *model_row;
  GtkWidget            *models_row;
  GtkStringList        *models;
  GtkWidget            *field_row;
  GtkWidget            *temperature;
  GtkWidget            *max_tokens;
  GtkWidget            *top_p;
  GtkWidget            *seed;
  GtkWidget            *stop_row;
  GtkWidget            *concurrency;
  GtkWidget            *timeout;
  GtkWidget            *retries;
  GtkWidget            *streaming;
  GtkWidget            *annotator_row;
  GtkWidget            *annotator_entry;
  GtkSourceBuffer      *system_buffer;
  GtkSourceBuffer      *user_buffer;
  GtkTextBuffer        *preview_buffer;
  GCancellable         *cancellable;
  gboolean              filling;
};

enum { MODELS_LISTED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (ClairPreferencesWindow, clair_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static const struct
{
  const char *nick;
  const char *label;
  const char *base_url;
  const char *field;
} presets[] = {
  { "openai", N_("OpenAI"), "https://api.openai.com/v1", "max_completion_tokens" },
  { "hf-router", N_("Hugging Face router"), "https://router.huggingface.co/v1", "max_tokens" },
  { "hf-endpoint", N_("Hugging Face Inference Endpoint"), "https://ENDPOINT.endpoints.huggingface.cloud/v1", "max_tokens" },
  { "vllm", N_("vLLM"), "http://localhost:8000/v1", "max_tokens" },
  { "ollama", N_("Ollama"), "http://localhost:11434/v1", "max_tokens" },
  { "llamacpp", N_("llama.cpp server"), "http://localhost:8080/v1", "max_tokens" },
  { "lmstudio", N_("LM Studio"), "http://localhost:1234/v1", "max_tokens" },
  { "custom", N_("Custom"), NULL, NULL },
};

static const char * const fields[] = { "max_tokens", "max_completion_tokens" };

/* Helpers for rows: libadwaita 1.2 has no spin or switch rows, so these are action rows with
 * a suffix widget. */

static GtkWidget *
spin_row (AdwPreferencesGroup *group,
          const char          *title,
          const char          *subtitle,
          double               min,
          double               max,
          double               step,
          guint                digits)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *spin = gtk_spin_button_new_with_range (min, max, step);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), digits);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), spin);
  adw_preferences_group_add (group, row);
  return spin;
}

static GtkWidget *
switch_row (AdwPreferencesGroup *group,
            const char          *title,
            const char          *subtitle)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *sw = gtk_switch_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (sw), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), sw);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), sw);
  adw_preferences_group_add (group, row);
  return sw;
}

static AdwPreferencesGroup *
add_group (AdwPreferencesPage *page,
           const char         *title,
           const char         *description)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  if (description)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), description);
  adw_preferences_page_add (page, ADW_PREFERENCES_GROUP (group));
  return ADW_PREFERENCES_GROUP (group);
}

static AdwPreferencesPage *
add_page (ClairPreferencesWindow *self,
          const char             *title,
          const char             *icon)
{
  GtkWidget *page = adw_preferences_page_new ();

  adw_preferences_page_set_title (ADW_PREFERENCES_PAGE (page), title);
  adw_preferences_page_set_icon_name (ADW_PREFERENCES_PAGE (page), icon);
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), ADW_PREFERENCES_PAGE (page));
  return ADW_PREFERENCES_PAGE (page);
}

/* The prompt preview: the messages the selected row would send. */

static char *
buffer_text (GtkTextBuffer *buffer)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

char *
clair_preferences_window_get_preview (ClairPreferencesWindow *self)
{
  g_return_val_if_fail (CLAIR_IS_PREFERENCES_WINDOW (self), NULL);
  return buffer_text (self->preview_buffer);
}

static void
update_preview (ClairPreferencesWindow *self)
{
  g_autofree char *system = buffer_text (GTK_TEXT_BUFFER (self->system_buffer));
  g_autofree char *user = buffer_text (GTK_TEXT_BUFFER (self->user_buffer));
  const char *task = self->task ? self->task : _("(the task of the selected row)");
  const char *solution = self->solution ? self->solution : _("(the answer of the selected row)");
  g_autofree char *rendered_system = clair_prompt_render_template (system, task, solution);
  g_autofree char *rendered_user = clair_prompt_render_template (user, task, solution);
  g_autofree char *text = NULL;

  text = g_strdup_printf ("── system ──\n%s\n\n── user ──\n%s", rendered_system, rendered_user);
  gtk_text_buffer_set_text (self->preview_buffer, text, -1);
}

static void
reset_prompt_cb (ClairPreferencesWindow *self)
{
  gtk_text_buffer_set_text (GTK_TEXT_BUFFER (self->system_buffer), clair_prompt_default_system, -1);
  gtk_text_buffer_set_text (GTK_TEXT_BUFFER (self->user_buffer), clair_prompt_default_user, -1);
}

/* Presets and the connection test */

static void
preset_changed_cb (ClairPreferencesWindow *self)
{
  guint i = adw_combo_row_get_selected (ADW_COMBO_ROW (self->preset_row));

  if (self->filling || i >= G_N_ELEMENTS (presets) || presets[i].base_url == NULL)
    return;
  gtk_editable_set_text (GTK_EDITABLE (self->base_url_row), presets[i].base_url);
  for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
    if (g_str_equal (fields[f], presets[i].field))
      adw_combo_row_set_selected (ADW_COMBO_ROW (self->field_row), f);
}

/* The API key: looked up in the keyring whenever the base URL changes, stored there shortly
 * after the user stops typing (or when the URL changes or the window closes). */

static void
show_key_note (ClairPreferencesWindow *self)
{
  ClairSecrets *secrets = clair_secrets_get_default ();
  const char *message = clair_secrets_get_unavailable_message (secrets);

  if (message != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->key_note_row), message);
  gtk_widget_set_visible (self->key_note_row, message != NULL);
}

static void
key_stored_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(ClairPreferencesWindow) self = user_data;
  gboolean remembered = FALSE;

  if (clair_secrets_store_finish (CLAIR_SECRETS (source), result, &remembered, NULL) && !remembered)
    show_key_note (self);
}

static void
key_cleared_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  clair_secrets_clear_finish (CLAIR_SECRETS (source), result, NULL);
}

/* Not cancellable: a key typed just before closing the window is still stored. */
static void
store_key_now (ClairPreferencesWindow *self,
               gboolean                notify)
{
  const char *key = gtk_editable_get_text (GTK_EDITABLE (self->key_row));

  g_clear_handle_id (&self->key_store_id, g_source_remove);
  if (self->key_url == NULL || *self->key_url == '\0')
    return;
  if (*key == '\0')
    clair_secrets_clear_async (clair_secrets_get_default (), self->key_url, NULL, key_cleared_cb, NULL);
  else
    clair_secrets_store_async (clair_secrets_get_default (), self->key_url, key, NULL,
                               notify ? key_stored_cb : NULL, notify ? g_object_ref (self) : NULL);
}

static gboolean
store_key_cb (gpointer user_data)
{
  ClairPreferencesWindow *self = user_data;

  self->key_store_id = 0;
  store_key_now (self, TRUE);
  return G_SOURCE_REMOVE;
}

static void
key_changed_cb (ClairPreferencesWindow *self)
{
  if (self->filling)
    return;
  /* What the user types wins over what the keyring answers after. */
  g_cancellable_cancel (self->key_lookup);
  g_clear_object (&self->key_lookup);
  g_clear_handle_id (&self->key_store_id, g_source_remove);
  self->key_store_id = g_timeout_add (500, store_key_cb, self);
}

static void
key_found_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  ClairPreferencesWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairSecretKey) key = clair_secrets_lookup_finish (CLAIR_SECRETS (source), result, &error);

  /* Cancelled when the URL changed again or the window went away (self may be gone). */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->filling = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->key_row), key ? key : "");
  self->filling = FALSE;
  show_key_note (self);
}

static void
set_test_result (ClairPreferencesWindow *self,
                 const char             *text,
                 const char             *css_class)
{
  static const char * const classes[] = { "success", "warning", "error" };

  gtk_label_set_text (GTK_LABEL (self->test_label), text);
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    if (g_strcmp0 (classes[i], css_class) != 0)
      gtk_widget_remove_css_class (self->test_label, classes[i]);
  /* Nothing to report (not tested, connecting) reads as a note; a result stands out. */
  if (css_class != NULL)
    {
      gtk_widget_remove_css_class (self->test_label, "dim-label");
      gtk_widget_add_css_class (self->test_label, css_class);
    }
  else
    gtk_widget_add_css_class (self->test_label, "dim-label");
}

static void
clear_test_result (ClairPreferencesWindow *self)
{
  g_cancellable_cancel (self->test_cancellable);
  g_clear_object (&self->test_cancellable);
  gtk_widget_set_sensitive (self->test_button, TRUE);
  set_test_result (self, _("Not tested"), NULL);
  self->filling = TRUE;
  gtk_string_list_splice (self->models, 0, g_list_model_get_n_items (G_LIST_MODEL (self->models)), NULL);
  self->filling = FALSE;
  gtk_widget_set_visible (self->models_row, FALSE);
}

static void
base_url_changed_cb (ClairPreferencesWindow *self)
{
  const char *url = gtk_editable_get_text (GTK_EDITABLE (self->base_url_row));

  if (clair_endpoint_is_insecure (url))
    gtk_widget_add_css_class (self->base_url_row, "warning");
  else
    gtk_widget_remove_css_class (self->base_url_row, "warning");
  /* A password in the address would be saved with it: saving refuses, the row shows why. */
  if (!clair_endpoint_check_url (url, NULL))
    gtk_widget_add_css_class (self->base_url_row, "error");
  else
    gtk_widget_remove_css_class (self->base_url_row, "error");

  /* A test result (and the models listed) was about the previous URL. */
  clear_test_result (self);

  /* A key typed for the previous URL belongs to that one. */
  if (self->key_store_id != 0)
    store_key_now (self, TRUE);
  g_free (self->key_url);
  self->key_url = g_strdup (url);
  g_cancellable_cancel (self->key_lookup);
  g_clear_object (&self->key_lookup);
  self->filling = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->key_row), "");
  self->filling = FALSE;
  if (*url == '\0')
    return;
  self->key_lookup = g_cancellable_new ();
  clair_secrets_lookup_async (clair_secrets_get_default (), url, self->key_lookup, key_found_cb, self);
}

static void
probed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  ClairPreferencesWindow *self = user_data;
  g_autoptr(GError) error = NULL;

  /* Cancelled in dispose: self may be gone. */
  clair_secrets_probe_finish (CLAIR_SECRETS (source), result, &error);
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_key_note (self);
}

/* What went wrong, in the server's words where it answered: kept visible, control characters
 * shown as escapes. */
/* An OpenAI-compatible server answers under /v1: a base URL without it gets 404 for /models. */
static gboolean
lacks_v1 (const char   *url,
          const GError *error)
{
  g_autofree char *trimmed = g_strdup (url);
  gsize len;

  if (error == NULL || !g_str_has_prefix (error->message, "HTTP 404 "))
    return FALSE;
  len = strlen (trimmed);
  while (len > 0 && trimmed[len - 1] == '/')
    trimmed[--len] = '\0';
  return !g_str_has_suffix (trimmed, "/v1") && strstr (trimmed, "/v1/") == NULL;
}

/* What went wrong, in the server's words where it answered: kept visible, control characters
 * shown as escapes. */
static void
set_test_error (ClairPreferencesWindow *self,
                const GError           *error)
{
  const char *url = gtk_editable_get_text (GTK_EDITABLE (self->base_url_row));
  g_autofree char *message = clair_escape_controls (error->message, CLAIR_ESCAPE_BLOCK);
  g_autofree char *text = NULL;

  if (lacks_v1 (url, error))
    {
      g_autofree char *base = g_strdup (url);
      gsize len = strlen (base);

      while (len > 0 && base[len - 1] == '/')
        base[--len] = '\0';
      /* Translators: the second %s is the base URL with /v1 added. */
      text = g_strdup_printf (_("%s\nOpenAI-compatible servers answer under /v1: try %s/v1"), message, base);
    }
  set_test_result (self, text ? text : message, "error");
}

static void
models_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(ClairPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) models = clair_client_list_models_finish (CLAIR_CLIENT (source), result, &error);
  g_autofree char *text = NULL;
  const char *current;
  guint n, position = GTK_INVALID_LIST_POSITION;

  if (models == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->test_cancellable);
  gtk_widget_set_sensitive (self->test_button, TRUE);
  if (models == NULL)
    {
      set_test_error (self, error);
      g_signal_emit (self, signals[MODELS_LISTED], 0, -1);
      return;
    }
  n = g_strv_length (models);
  current = gtk_editable_get_text (GTK_EDITABLE (self->model_row));
  /* Nothing chosen yet: the first model served is a choice to offer, not one to override. */
  if (*current == '\0' && n > 0)
    gtk_editable_set_text (GTK_EDITABLE (self->model_row), models[0]);
  current = gtk_editable_get_text (GTK_EDITABLE (self->model_row));
  for (guint i = 0; i < n; i++)
    if (g_str_equal (models[i], current))
      position = i;

  /* Listing the models must not pick one: the model stays the user's choice. */
  self->filling = TRUE;
  gtk_string_list_splice (self->models, 0, g_list_model_get_n_items (G_LIST_MODEL (self->models)),
                          (const char * const *) models);
  adw_combo_row_set_selected (ADW_COMBO_ROW (self->models_row), position);
  self->filling = FALSE;
  gtk_widget_set_visible (self->models_row, n > 0);

  text = g_strdup_printf (ngettext ("Connected: %u model served", "Connected: %u models served", n), n);
  if (n > 0 && position == GTK_INVALID_LIST_POSITION)
    {
      g_autofree char *model = clair_escape_controls (current, CLAIR_ESCAPE_LINE);
      g_autofree char *warning = NULL;
      g_autofree char *full = NULL;

      /* Translators: %s is the model name set in the Model row. */
      warning = g_strdup_printf (_("The server does not serve %s; pick one from Served Models"), model);
      full = g_strdup_printf ("%s\n%s", text, warning);
      set_test_result (self, full, "warning");
    }
  else
    set_test_result (self, text, "success");
  g_signal_emit (self, signals[MODELS_LISTED], 0, (int) n);
}

void
clair_preferences_window_test_connection (ClairPreferencesWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClairClient) client = NULL;
  const char *url = gtk_editable_get_text (GTK_EDITABLE (self->base_url_row));
  const char *key = gtk_editable_get_text (GTK_EDITABLE (self->key_row));

  g_return_if_fail (CLAIR_IS_PREFERENCES_WINDOW (self));

  /* Scripts and tests pass the key in the environment, as they do for the CLI. */
  if (*key == '\0')
    key = g_getenv ("CLAIR_API_KEY");

  g_cancellable_cancel (self->test_cancellable);
  g_clear_object (&self->test_cancellable);
  client = clair_client_new (url, 2, &error);
  if (client == NULL)
    {
      set_test_error (self, error);
      g_signal_emit (self, signals[MODELS_LISTED], 0, -1);
      return;
    }
  clair_client_set_api_key (client, key);
  clair_client_set_timeout (client, 15);
  set_test_result (self, _("Connecting…"), NULL);
  gtk_widget_set_sensitive (self->test_button, FALSE);
  self->test_cancellable = g_cancellable_new ();
  clair_client_list_models_async (client, self->test_cancellable, models_cb, g_object_ref (self));
}

static void
model_picked_cb (ClairPreferencesWindow *self)
{
  GObject *item = adw_combo_row_get_selected_item (ADW_COMBO_ROW (self->models_row));

  if (item != NULL && !self->filling)
    gtk_editable_set_text (GTK_EDITABLE (self->model_row), gtk_string_object_get_string (GTK_STRING_OBJECT (item)));
}

guint
clair_preferences_window_get_n_models (ClairPreferencesWindow *self)
{
  g_return_val_if_fail (CLAIR_IS_PREFERENCES_WINDOW (self), 0);
  return g_list_model_get_n_items (G_LIST_MODEL (self->models));
}

/* The annotator: empty means the default (shown as the placeholder). */

static const char *
annotator_text (ClairPreferencesWindow *self)
{
  return gtk_editable_get_text (GTK_EDITABLE (self->annotator_entry));
}

static gboolean
check_annotator (ClairPreferencesWindow  *self,
                 GError                 **error)
{
  g_autofree char *name = g_strstrip (g_strdup (annotator_text (self)));

  return *name == '\0' || clair_annotator_name_is_valid (name, error);
}

static void
annotator_changed_cb (ClairPreferencesWindow *self)
{
  g_autoptr(GError) error = NULL;

  if (check_annotator (self, &error))
    {
      gtk_widget_remove_css_class (self->annotator_entry, "error");
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->annotator_row), "");
    }
  else
    {
      g_autofree char *message = clair_escape_controls (error->message, CLAIR_ESCAPE_BLOCK);
      g_autofree char *escaped = g_markup_escape_text (message, -1);

      gtk_widget_add_css_class (self->annotator_entry, "error");
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->annotator_row), escaped);
    }
}

char *
clair_preferences_dup_annotator (GSettings *settings)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  name = g_strstrip (g_settings_get_string (settings, "annotator"));
  if (*name == '\0' || !clair_annotator_name_is_valid (name, NULL))
    return NULL;
  return g_steal_pointer (&name);
}

/* Building */

static GtkWidget *
source_editor (GtkSourceBuffer **buffer,
               const char       *label,
               gboolean          editable)
{
  GtkWidget *frame = gtk_frame_new (NULL);
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *view = gtk_source_view_new ();
  AdwStyleManager *style = adw_style_manager_get_default ();
  GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();

  *buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)));
  gtk_source_buffer_set_style_scheme (*buffer, gtk_source_style_scheme_manager_get_scheme (
                                        schemes, adw_style_manager_get_dark (style) ? "Adwaita-dark" : "Adwaita"));
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
  gtk_text_view_set_editable (GTK_TEXT_VIEW (view), editable);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 8);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroller), editable ? 120 : 220);
  gtk_frame_set_child (GTK_FRAME (frame), scroller);
  return frame;
}

static void
build (ClairPreferencesWindow *self)
{
  AdwPreferencesPage *page;
  AdwPreferencesGroup *group;
  GtkWidget *row, *button, *box, *editor;
  g_autoptr(GtkStringList) preset_names = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) field_names = gtk_string_list_new (fields);
  GtkSourceBuffer *preview;

  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    gtk_string_list_append (preset_names, _(presets[i].label));

  /* Endpoint */
  page = add_page (self, _("Endpoint"), "network-server-symbolic");
  group = add_group (page, _("Server"), _("Any server that speaks the OpenAI chat-completions protocol."));
  self->preset_row = adw_combo_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->preset_row), _("Preset"));
  adw_combo_row_set_model (ADW_COMBO_ROW (self->preset_row), G_LIST_MODEL (preset_names));
  adw_preferences_group_add (group, self->preset_row);
  self->base_url_row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->base_url_row), _("Base URL"));
  adw_preferences_group_add (group, self->base_url_row);
  self->key_row = adw_password_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->key_row), _("API Key"));
  adw_preferences_group_add (group, self->key_row);
  self->key_note_row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->key_note_row), _("The key cannot be remembered"));
  adw_action_row_add_prefix (ADW_ACTION_ROW (self->key_note_row), gtk_image_new_from_icon_name ("dialog-warning-symbolic"));
  gtk_widget_add_css_class (self->key_note_row, "warning");
  gtk_widget_set_visible (self->key_note_row, FALSE);
  adw_preferences_group_add (group, self->key_note_row);

  /* The result goes under the row, the full width of the group: squeezed beside the title it
   * broke the title ("Connecti-on") and cut long server messages. */
  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Connection"));
  self->test_button = gtk_button_new_with_mnemonic (_("_Test Connection"));
  gtk_widget_set_valign (self->test_button, GTK_ALIGN_CENTER);
  g_signal_connect_swapped (self->test_button, "clicked", G_CALLBACK (clair_preferences_window_test_connection), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), self->test_button);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), self->test_button);
  self->test_label = gtk_label_new (_("Not tested"));
  gtk_widget_add_css_class (self->test_label, "dim-label");
  gtk_label_set_wrap (GTK_LABEL (self->test_label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (self->test_label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (self->test_label), 0);
  gtk_label_set_selectable (GTK_LABEL (self->test_label), TRUE);
  gtk_widget_set_margin_top (self->test_label, 6);
  gtk_widget_set_margin_start (self->test_label, 12);
  gtk_widget_set_margin_end (self->test_label, 12);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->test_label), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Connection test result"), -1);
  adw_preferences_group_add (group, row);
  adw_preferences_group_add (group, self->test_label);

  group = add_group (page, _("Model"), NULL);
  self->model_row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->model_row), _("Model"));
  adw_preferences_group_add (group, self->model_row);
  self->models = gtk_string_list_new (NULL);
  self->models_row = adw_combo_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->models_row), _("Served Models"));
  adw_combo_row_set_model (ADW_COMBO_ROW (self->models_row), G_LIST_MODEL (self->models));
  gtk_widget_set_visible (self->models_row, FALSE);
  adw_preferences_group_add (group, self->models_row);
  self->field_row = adw_combo_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->field_row), _("Max-Tokens Field"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->field_row), _("OpenAI’s reasoning models need max_completion_tokens"));
  adw_combo_row_set_model (ADW_COMBO_ROW (self->field_row), G_LIST_MODEL (field_names));
  adw_preferences_group_add (group, self->field_row);

  /* Generation */
  page = add_page (self, _("Generation"), "preferences-system-symbolic");
  group = add_group (page, _("Sampling"), _("The CLAIR paper samples at temperature 0.7 with up to 4096 new tokens."));
  self->temperature = spin_row (group, _("Temperature"), NULL, 0, 2, 0.05, 2);
  self->max_tokens = spin_row (group, _("Max New Tokens"), NULL, 1, 1048576, 256, 0);
  self->top_p = spin_row (group, _("Top P"), _("1.00 leaves it out of requests"), 0, 1, 0.05, 2);
  self->seed = spin_row (group, _("Seed"), _("−1 leaves it out of requests"), -1, G_MAXINT32, 1, 0);
  self->stop_row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->stop_row), _("Stop Sequences (separated by “|”)"));
  adw_preferences_group_add (group, self->stop_row);

  /* Run */
  page = add_page (self, _("Run"), "media-playback-start-symbolic");
  group = add_group (page, _("Requests"), NULL);
  self->concurrency = spin_row (group, _("Requests in Flight"), _("How many rows are revised at once"), 1, 512, 1, 0);
  self->timeout = spin_row (group, _("Timeout"), _("Seconds before one request is abandoned"), 1, 86400, 10, 0);
  self->retries = spin_row (group, _("Retries"), _("For rate limits, timeouts and server errors"), 0, 20, 1, 0);
  self->streaming = switch_row (group, _("Streaming"), _("Watch the selected row’s revision as it is written"));

  /* Prompt */
  page = add_page (self, _("Prompt"), "document-edit-symbolic");
  group = add_group (page, _("Messages"),
                     self->project ? _("{{ task }} and {{ student_solution }} are replaced by the row’s values. Saved in the project.")
                                   : _("Open a project to edit its prompt."));
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  row = gtk_label_new (_("System"));
  gtk_label_set_xalign (GTK_LABEL (row), 0);
  gtk_widget_add_css_class (row, "heading");
  gtk_box_append (GTK_BOX (box), row);
  editor = source_editor (&self->system_buffer, _("System prompt"), self->project != NULL);
  gtk_box_append (GTK_BOX (box), editor);
  row = gtk_label_new (_("User"));
  gtk_label_set_xalign (GTK_LABEL (row), 0);
  gtk_widget_add_css_class (row, "heading");
  gtk_widget_set_margin_top (row, 6);
  gtk_box_append (GTK_BOX (box), row);
  editor = source_editor (&self->user_buffer, _("User message template"), self->project != NULL);
  gtk_box_append (GTK_BOX (box), editor);
  button = gtk_button_new_with_mnemonic (_("_Reset to the distilabel Default"));
  gtk_widget_set_halign (button, GTK_ALIGN_START);
  gtk_widget_set_margin_top (button, 6);
  gtk_widget_set_sensitive (button, self->project != NULL);
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (reset_prompt_cb), self);
  gtk_box_append (GTK_BOX (box), button);
  adw_preferences_group_add (group, box);

  group = add_group (page, _("Preview"), self->task ? _("The messages the selected row sends.") : NULL);
  editor = source_editor (&preview, _("Rendered messages"), FALSE);
  self->preview_buffer = GTK_TEXT_BUFFER (preview);
  adw_preferences_group_add (group, editor);

  /* Who decides: stored with every decision, edit and note (the project's annotator). */
  page = add_page (self, _("Annotator"), "avatar-default-symbolic");
  group = add_group (page, _("Who Decides"),
                     _("Your name is stored with every decision, edit and note, with its time, so a team’s work can be merged and compared."));
  self->annotator_row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->annotator_row), _("Annotator"));
  self->annotator_entry = gtk_entry_new ();
  gtk_widget_set_valign (self->annotator_entry, GTK_ALIGN_CENTER);
  gtk_widget_set_hexpand (self->annotator_entry, TRUE);
  gtk_editable_set_width_chars (GTK_EDITABLE (self->annotator_entry), 12);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->annotator_entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Annotator"), -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self->annotator_row), self->annotator_entry);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (self->annotator_row), self->annotator_entry);
  adw_preferences_group_add (group, self->annotator_row);
}

static void
fill (ClairPreferencesWindow *self)
{
  ClairRunConfig config;
  g_autofree char *preset = g_settings_get_string (self->settings, "endpoint-preset");
  g_autofree char *stop = NULL;
  const char *field;

  clair_run_config_load (&config, self->settings, self->project);
  self->filling = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    if (g_str_equal (presets[i].nick, preset))
      adw_combo_row_set_selected (ADW_COMBO_ROW (self->preset_row), i);
  /* A URL that is not the preset's own means a custom endpoint. */
  {
    guint i = adw_combo_row_get_selected (ADW_COMBO_ROW (self->preset_row));

    if (i < G_N_ELEMENTS (presets) && presets[i].base_url && g_strcmp0 (presets[i].base_url, config.base_url) != 0 &&
        !g_str_has_prefix (presets[i].nick, "hf-endpoint"))
      adw_combo_row_set_selected (ADW_COMBO_ROW (self->preset_row), G_N_ELEMENTS (presets) - 1);
  }
  self->filling = FALSE;
  gtk_editable_set_text (GTK_EDITABLE (self->base_url_row), config.base_url);
  gtk_editable_set_text (GTK_EDITABLE (self->model_row), config.params.model ? config.params.model : "");
  field = clair_gen_params_get_max_tokens_field (&config.params);
  adw_combo_row_set_selected (ADW_COMBO_ROW (self->field_row), g_str_equal (field, "max_tokens") ? 0 : 1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->temperature),
                             isnan (config.params.temperature) ? 0.7 : config.params.temperature);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->max_tokens), config.params.max_tokens > 0 ? config.params.max_tokens : 4096);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->top_p), isnan (config.params.top_p) ? 1.0 : config.params.top_p);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->seed), config.params.has_seed ? config.params.seed : -1);
  stop = config.params.stop ? g_strjoinv ("|", config.params.stop) : g_strdup ("");
  gtk_editable_set_text (GTK_EDITABLE (self->stop_row), stop);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->concurrency), config.concurrency);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->timeout), config.timeout);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->retries), config.retries);
  gtk_switch_set_active (GTK_SWITCH (self->streaming), config.stream);
  clair_run_config_clear (&config);

  {
    g_autofree char *annotator = g_settings_get_string (self->settings, "annotator");
    g_autofree char *fallback = clair_annotator_default ();

    gtk_entry_set_placeholder_text (GTK_ENTRY (self->annotator_entry), fallback);
    gtk_editable_set_text (GTK_EDITABLE (self->annotator_entry), annotator);
  }

  {
    g_autoptr(ClairPrompt) prompt = self->project ? clair_project_load_prompt (self->project)
                                                  : clair_prompt_new (NULL, NULL);

    gtk_text_buffer_set_text (GTK_TEXT_BUFFER (self->system_buffer), clair_prompt_get_system (prompt), -1);
    gtk_text_buffer_set_text (GTK_TEXT_BUFFER (self->user_buffer), clair_prompt_get_user (prompt), -1);
  }
  update_preview (self);
}

gboolean
clair_preferences_window_save (ClairPreferencesWindow  *self,
                               GError                 **error)
{
  ClairRunConfig config = { 0 };
  g_auto(GStrv) stop = NULL;
  guint preset;
  double top_p;
  gint64 seed;
  gboolean ok;

  g_return_val_if_fail (CLAIR_IS_PREFERENCES_WINDOW (self), FALSE);

  /* A name that cannot be an annotator is refused before anything is saved. */
  if (!check_annotator (self, error))
    return FALSE;
  {
    g_autofree char *annotator = g_strstrip (g_strdup (annotator_text (self)));

    g_settings_set_string (self->settings, "annotator", annotator);
    if (self->project != NULL)
      clair_project_set_annotator (self->project, *annotator ? annotator : NULL);
  }

  clair_gen_params_init (&config.params);
  config.base_url = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->base_url_row)));
  config.params.model = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->model_row)));
  config.params.temperature = gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->temperature));
  config.params.max_tokens = gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->max_tokens));
  top_p = gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->top_p));
  config.params.top_p = top_p >= 1.0 ? NAN : top_p;
  seed = gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->seed));
  config.params.has_seed = seed >= 0;
  config.params.seed = MAX (seed, 0);
  if (adw_combo_row_get_selected (ADW_COMBO_ROW (self->field_row)) == 1)
    config.params.max_tokens_field = g_strdup ("max_completion_tokens");
  stop = g_strsplit (gtk_editable_get_text (GTK_EDITABLE (self->stop_row)), "|", 5);
  for (guint i = 0; stop[i] && i < 4; i++)
    if (*stop[i])
      clair_gen_params_add_stop (&config.params, stop[i]);
  config.concurrency = gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->concurrency));
  config.timeout = gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->timeout));
  config.retries = gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->retries));
  config.stream = gtk_switch_get_active (GTK_SWITCH (self->streaming));

  preset = adw_combo_row_get_selected (ADW_COMBO_ROW (self->preset_row));
  if (preset < G_N_ELEMENTS (presets))
    g_settings_set_string (self->settings, "endpoint-preset", presets[preset].nick);
  ok = clair_run_config_save (&config, self->settings, self->project, error);
  clair_run_config_clear (&config);

  if (ok && self->project != NULL)
    {
      g_autofree char *system = buffer_text (GTK_TEXT_BUFFER (self->system_buffer));
      g_autofree char *user = buffer_text (GTK_TEXT_BUFFER (self->user_buffer));
      gboolean is_default = g_str_equal (system, clair_prompt_default_system) &&
                            g_str_equal (user, clair_prompt_default_user);

      ok = clair_project_set_setting (self->project, "prompt.system", is_default ? NULL : system, error) &&
           clair_project_set_setting (self->project, "prompt.user", is_default ? NULL : user, error);
    }
  return ok;
}

static gboolean
close_request_cb (GtkWindow *window)
{
  ClairPreferencesWindow *self = CLAIR_PREFERENCES_WINDOW (window);
  g_autoptr(GError) error = NULL;

  /* The row said why the name cannot be used; closing keeps the name stored before. */
  if (!check_annotator (self, NULL))
    {
      g_autofree char *stored = g_settings_get_string (self->settings, "annotator");

      gtk_editable_set_text (GTK_EDITABLE (self->annotator_entry), stored);
    }
  if (!clair_preferences_window_save (self, &error))
    g_warning ("Could not save the preferences: %s", error->message);
  return FALSE;
}

void
clair_preferences_window_set_preset (ClairPreferencesWindow *self,
                                     const char             *nick)
{
  g_return_if_fail (CLAIR_IS_PREFERENCES_WINDOW (self));
  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    if (g_str_equal (presets[i].nick, nick))
      adw_combo_row_set_selected (ADW_COMBO_ROW (self->preset_row), i);
}

const char *
clair_preferences_window_get_base_url (ClairPreferencesWindow *self)
{
  g_return_val_if_fail (CLAIR_IS_PREFERENCES_WINDOW (self), NULL);
  return gtk_editable_get_text (GTK_EDITABLE (self->base_url_row));
}

GtkWidget *
clair_preferences_window_get_key_row (ClairPreferencesWindow *self)
{
  g_return_val_if_fail (CLAIR_IS_PREFERENCES_WINDOW (self), NULL);
  return self->key_row;
}

void
clair_preferences_window_set_base_url (ClairPreferencesWindow *self,
                                       const char             *url)
{
  g_return_if_fail (CLAIR_IS_PREFERENCES_WINDOW (self));
  g_return_if_fail (url != NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->base_url_row), url);
}

const char *
clair_preferences_window_get_model (ClairPreferencesWindow *self)
{
  g_return_val_if_fail (CLAIR_IS_PREFERENCES_WINDOW (self), NULL);
  return gtk_editable_get_text (GTK_EDITABLE (self->model_row));
}

void
clair_preferences_window_set_model (ClairPreferencesWindow *self,
                                    const char             *model)
{
  g_return_if_fail (CLAIR_IS_PREFERENCES_WINDOW (self));
  g_return_if_fail (model != NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->model_row), model);
}

const char *
clair_preferences_window_get_test_result (ClairPreferencesWindow *self)
{
  g_return_val_if_fail (CLAIR_IS_PREFERENCES_WINDOW (self), NULL);
  return gtk_label_get_text (GTK_LABEL (self->test_label));
}

GtkWidget *
clair_preferences_window_get_annotator_entry (ClairPreferencesWindow *self)
{
  g_return_val_if_fail (CLAIR_IS_PREFERENCES_WINDOW (self), NULL);
  return self->annotator_entry;
}

GtkWidget *
clair_preferences_window_get_key_note_row (ClairPreferencesWindow *self)
{
  g_return_val_if_fail (CLAIR_IS_PREFERENCES_WINDOW (self), NULL);
  return self->key_note_row;
}

static void
clair_preferences_window_dispose (GObject *object)
{
  ClairPreferencesWindow *self = CLAIR_PREFERENCES_WINDOW (object);

  if (self->key_store_id != 0)
    store_key_now (self, FALSE);
  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->test_cancellable);
  g_cancellable_cancel (self->key_lookup);
  G_OBJECT_CLASS (clair_preferences_window_parent_class)->dispose (object);
}

static void
clair_preferences_window_finalize (GObject *object)
{
  ClairPreferencesWindow *self = CLAIR_PREFERENCES_WINDOW (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->project);
  g_clear_object (&self->models);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->test_cancellable);
  g_clear_object (&self->key_lookup);
  g_clear_pointer (&self->key_url, g_free);
  g_clear_pointer (&self->task, g_free);
  g_clear_pointer (&self->solution, g_free);
  G_OBJECT_CLASS (clair_preferences_window_parent_class)->finalize (object);
}

static void
clair_preferences_window_class_init (ClairPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = clair_preferences_window_dispose;
  object_class->finalize = clair_preferences_window_finalize;
  signals[MODELS_LISTED] = g_signal_new ("models-listed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);
}

static void
clair_preferences_window_init (ClairPreferencesWindow *self)
{
  self->cancellable = g_cancellable_new ();
}

GtkWidget *
clair_preferences_window_new (GtkWindow    *parent,
                              GSettings    *settings,
                              ClairProject *project,
                              const char   *task,
                              const char   *solution)
{
  ClairPreferencesWindow *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (CLAIR_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "modal", parent != NULL,
                       "default-width", 640,
                       "default-height", 720,
                       "search-enabled", FALSE,
                       NULL);
  self->settings = g_object_ref (settings);
  self->project = project ? g_object_ref (project) : NULL;
  self->task = g_strdup (task);
  self->solution = g_strdup (solution);
  build (self);
  fill (self);
  g_signal_connect_swapped (self->preset_row, "notify::selected", G_CALLBACK (preset_changed_cb), self);
  g_signal_connect_swapped (self->base_url_row, "changed", G_CALLBACK (base_url_changed_cb), self);
  g_signal_connect_swapped (self->key_row, "changed", G_CALLBACK (key_changed_cb), self);
  g_signal_connect_swapped (self->annotator_entry, "changed", G_CALLBACK (annotator_changed_cb), self);
  g_signal_connect_swapped (self->models_row, "notify::selected", G_CALLBACK (model_picked_cb), self);
  g_signal_connect_swapped (self->system_buffer, "changed", G_CALLBACK (update_preview), self);
  g_signal_connect_swapped (self->user_buffer, "changed", G_CALLBACK (update_preview), self);
  g_signal_connect (self, "close-request", G_CALLBACK (close_request_cb), NULL);
  base_url_changed_cb (self);
  clair_secrets_probe_async (clair_secrets_get_default (), self->cancellable, probed_cb, self);
  return GTK_WIDGET (self);
}
