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
  GtkWidget            *messages_group;
  GtkWidget            *preview_group;
  GtkWidget            *system_view;
  GtkWidget            *user_view;
  GtkWidget            *preview_view;
  GtkWidget            *reset_button;
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

/* What the template cannot say: the choices, the source views' colours, and what depends on
 * an open project and a selected row. */
static void
setup_source_view (GtkWidget  *view,
                   gboolean    editable)
{
  GtkSourceBuffer *buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)));
  GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());

  gtk_source_buffer_set_style_scheme (buffer, gtk_source_style_scheme_manager_get_scheme (
                                        schemes, dark ? "Adwaita-dark" : "Adwaita"));
  gtk_text_view_set_editable (GTK_TEXT_VIEW (view), editable);
}

static void
setup (ClairPreferencesWindow *self)
{
  g_autoptr(GtkStringList) preset_names = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) field_names = gtk_string_list_new (fields);

  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    gtk_string_list_append (preset_names, _(presets[i].label));
  adw_combo_row_set_model (ADW_COMBO_ROW (self->preset_row), G_LIST_MODEL (preset_names));
  adw_combo_row_set_model (ADW_COMBO_ROW (self->field_row), G_LIST_MODEL (field_names));
  adw_combo_row_set_model (ADW_COMBO_ROW (self->models_row), G_LIST_MODEL (self->models));

  setup_source_view (self->system_view, self->project != NULL);
  setup_source_view (self->user_view, self->project != NULL);
  setup_source_view (self->preview_view, FALSE);
  self->system_buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->system_view)));
  self->user_buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->user_view)));
  self->preview_buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->preview_view));
  gtk_widget_set_sensitive (self->reset_button, self->project != NULL);
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->messages_group),
                                         self->project ? _("{{ task }} and {{ student_solution }} are replaced by the row’s values. Saved in the project.")
                                                       : _("Open a project to edit its prompt."));
  if (self->task != NULL)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->preview_group),
                                           _("The messages the selected row sends."));
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
  gtk_widget_dispose_template (GTK_WIDGET (self), CLAIR_TYPE_PREFERENCES_WINDOW);
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
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = clair_preferences_window_dispose;
  object_class->finalize = clair_preferences_window_finalize;
  signals[MODELS_LISTED] = g_signal_new ("models-listed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);

  g_type_ensure (GTK_SOURCE_TYPE_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/clairstudio/ClairStudio/clair-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ClairPreferencesWindow, preset_row);
  gtk_widget_class_bind_template_child (widget_class, ClairPreferencesWindow, base_url_row);
  gtk_widget_class_bind_template_child (widget_class, ClairPreferencesWindow, key_row);
  gtk_widget_class_bind_template_child (widget_class, ClairPreferencesWindow, key_note_row);
  gtk_widget_class_bind_template_child (widget_class, ClairPreferencesWindow, test_button);
  gtk_widget_class_bind_template_child (widget_class, ClairPreferencesWindow, test_label);
  gtk_widget_class_bind_template_child (widget_class, ClairPreferencesWindow, model_row);
  gtk_widget_class_bind_template_child (widget_class, ClairPreferencesWindow, models_row);
  gtk_widget_class_bind_template_child (widget_class, ClairPreferencesWindow, field_row);
  gtk_widget_class_bind_template_child (widget_class, ClairPreferencesWindow, temperature);
  gtk_widget_class_bind_template_child (widget_class, ClairPreferencesWindow, max_tokens);
  gtk_widget_class_bind_template_child (widget_class, ClairPreferencesWindow, top_p);
  gtk_widget_class_bind_template_child (widget_class, ClairPreferencesWindow, seed);
  gtk_widget_class_bind_template_child (widget_class, ClairPreferencesWindow, stop_row);
  gtk_widget_class_bind_template_child (widget_class, ClairPreferencesWindow, concurrency);
  gtk_widget_class_bind_template_child (widget_class, ClairPreferencesWindow, timeout);
  gtk_widget_class_bind_template_child (widget_class, ClairPreferencesWindow, retries);
  gtk_widget_class_bind_template_child (widget_class, ClairPreferencesWindow, streaming);
  gtk_widget_class_bind_template_child (widget_class, ClairPreferencesWindow, messages_group);
  gtk_widget_class_bind_template_child (widget_class, ClairPreferencesWindow, system_view);
  gtk_widget_class_bind_template_child (widget_class, ClairPreferencesWindow, user_view);
  gtk_widget_class_bind_template_child (widget_class, ClairPreferencesWindow, reset_button);
  gtk_widget_class_bind_template_child (widget_class, ClairPreferencesWindow, preview_group);
  gtk_widget_class_bind_template_child (widget_class, ClairPreferencesWindow, preview_view);
  gtk_widget_class_bind_template_child (widget_class, ClairPreferencesWindow, annotator_row);
  gtk_widget_class_bind_template_child (widget_class, ClairPreferencesWindow, annotator_entry);
  gtk_widget_class_bind_template_callback (widget_class, clair_preferences_window_test_connection);
  gtk_widget_class_bind_template_callback (widget_class, reset_prompt_cb);
}

static void
clair_preferences_window_init (ClairPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->models = gtk_string_list_new (NULL);
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
                       NULL);
  self->settings = g_object_ref (settings);
  self->project = project ? g_object_ref (project) : NULL;
  self->task = g_strdup (task);
  self->solution = g_strdup (solution);
  setup (self);
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
