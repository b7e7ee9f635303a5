/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-dialogs"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "clair-export-dialog.h"
#include "clair-mapping-dialog.h"
#include "clair-preferences-window.h"
#include "clair-team.h"
#include "ui-test-util.h"

/* The preferences, export and mapping dialogs as real windows under Xvfb: what the connection
 * test says and keeps, the annotator setting, the export's annotator columns and its count of
 * unresolved disagreements, and a screenshot of each. */

static char *sample_path;

/* A screenshot once the window has had time to draw its first frames. */
static void
shoot (GtkWidget  *widget,
       const char *name)
{
  iterate_for (300);
  screenshot (widget, name);
}

/* Preferences */

typedef struct
{
  gboolean listed;
  int      n_models;
} Listed;

static void
models_listed_cb (ClairPreferencesWindow *prefs,
                  int                     n_models,
                  Listed                 *listed)
{
  listed->listed = TRUE;
  listed->n_models = n_models;
}

static gboolean
is_listed (gpointer data)
{
  return ((Listed *) data)->listed;
}

/* Runs the connection test and waits for its answer; returns the number of models or -1. */
static int
test_connection (ClairPreferencesWindow *prefs)
{
  Listed listed = { FALSE, 0 };
  gulong id = g_signal_connect (prefs, "models-listed", G_CALLBACK (models_listed_cb), &listed);

  clair_preferences_window_test_connection (prefs);
  g_assert_true (wait_until (is_listed, &listed, 20000));
  g_signal_handler_disconnect (prefs, id);
  iterate_for (20);
  return listed.n_models;
}

static ClairPreferencesWindow *
open_preferences (GSettings    *settings,
                  ClairProject *project)
{
  GtkWidget *prefs = clair_preferences_window_new (NULL, settings, project, NULL, NULL);

  gtk_window_present (GTK_WINDOW (prefs));
  iterate_for (100);
  return CLAIR_PREFERENCES_WINDOW (prefs);
}

static gboolean
entry_has_class (ClairPreferencesWindow *prefs,
                 const char             *css_class)
{
  GtkWidget *entry = clair_preferences_window_get_annotator_entry (prefs);

  return gtk_widget_has_css_class (entry, css_class);
}

/* A result is about the URL it was made for: another URL clears it. */
static void
test_url_clears_result (void)
{
  g_autofree char *url = NULL;
  g_autoptr(GSubprocess) server = start_test_server ("", &url);
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  ClairPreferencesWindow *prefs = open_preferences (settings, NULL);

  g_assert_cmpstr (clair_preferences_window_get_test_result (prefs), ==, "Not tested");

  /* A URL the client refuses gives its error at once; a new URL clears it. */
  clair_preferences_window_set_base_url (prefs, "ftp://example.invalid/v1");
  g_assert_cmpint (test_connection (prefs), ==, -1);
  g_assert_cmpstr (clair_preferences_window_get_test_result (prefs), !=, "Not tested");
  clair_preferences_window_set_base_url (prefs, "http://127.0.0.1:9/v1");
  g_assert_cmpstr (clair_preferences_window_get_test_result (prefs), ==, "Not tested");

  if (server != NULL)
    {
      /* A successful test lists the served models; editing the URL drops them with the result. */
      clair_preferences_window_set_base_url (prefs, url);
      clair_preferences_window_set_model (prefs, "mock");
      g_assert_cmpint (test_connection (prefs), ==, 2);
      g_assert_true (g_str_has_prefix (clair_preferences_window_get_test_result (prefs), "Connected: 2 models"));
      g_assert_cmpuint (clair_preferences_window_get_n_models (prefs), ==, 2);
      clair_preferences_window_set_base_url (prefs, "http://127.0.0.1:9/v1");
      g_assert_cmpstr (clair_preferences_window_get_test_result (prefs), ==, "Not tested");
      g_assert_cmpuint (clair_preferences_window_get_n_models (prefs), ==, 0);
    }
  else
    g_test_message ("CLAIR_TEST_SERVER is not set: the successful test is left out");
  destroy_and_finalize (prefs);
}

/* A server that lacks the chosen model keeps it chosen, and says so. */
static void
test_model_kept (void)
{
  g_autofree char *url = NULL;
  g_autoptr(GSubprocess) server = start_test_server ("", &url);
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  ClairPreferencesWindow *prefs;
  const char *result;

  if (server == NULL)
    {
      g_test_skip ("CLAIR_TEST_SERVER is not set");
      return;
    }
  prefs = open_preferences (settings, NULL);
  clair_preferences_window_set_base_url (prefs, url);

  /* The test server serves "gpt-4-0125-preview" and "mock", not this one. */
  clair_preferences_window_set_model (prefs, "my-fine-tune");
  g_assert_cmpint (test_connection (prefs), ==, 2);
  g_assert_cmpstr (clair_preferences_window_get_model (prefs), ==, "my-fine-tune");
  result = clair_preferences_window_get_test_result (prefs);
  g_assert_nonnull (strstr (result, "Connected: 2 models served"));
  g_assert_nonnull (strstr (result, "The server does not serve my-fine-tune; pick one from Served Models"));
  /* Saved as chosen. */
  g_assert_true (clair_preferences_window_save (prefs, NULL));
  {
    g_autofree char *model = g_settings_get_string (settings, "model");

    g_assert_cmpstr (model, ==, "my-fine-tune");
  }
  shoot (GTK_WIDGET (prefs), "screenshot-preferences-model-missing.png");

  /* A served model: kept, no warning. */
  clair_preferences_window_set_model (prefs, "mock");
  g_assert_cmpint (test_connection (prefs), ==, 2);
  g_assert_cmpstr (clair_preferences_window_get_model (prefs), ==, "mock");
  g_assert_cmpstr (clair_preferences_window_get_test_result (prefs), ==, "Connected: 2 models served");
  destroy_and_finalize (prefs);
}

/* An OpenAI-compatible server answers under /v1: a base URL without it gets a hint on 404. */
static void
test_v1_hint (void)
{
  g_autofree char *url = NULL;
  g_autoptr(GSubprocess) server = start_test_server ("", &url);
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  g_autofree char *root = NULL;
  g_autofree char *hint = NULL;
  ClairPreferencesWindow *prefs;
  const char *result;

  if (server == NULL)
    {
      g_test_skip ("CLAIR_TEST_SERVER is not set");
      return;
    }
  g_assert_true (g_str_has_suffix (url, "/v1"));
  root = g_strndup (url, strlen (url) - strlen ("/v1"));
  hint = g_strdup_printf ("try %s/v1", root);
  prefs = open_preferences (settings, NULL);

  clair_preferences_window_set_base_url (prefs, root);
  clair_preferences_window_set_model (prefs, "mock");
  g_assert_cmpint (test_connection (prefs), ==, -1);
  result = clair_preferences_window_get_test_result (prefs);
  g_assert_nonnull (strstr (result, "404"));
  g_assert_nonnull (strstr (result, "/v1"));
  g_assert_nonnull (strstr (result, hint));
  shoot (GTK_WIDGET (prefs), "screenshot-preferences-v1-hint.png");

  /* With a trailing slash too; and the hint follows the advice: the URL it names works. */
  {
    g_autofree char *slash = g_strconcat (root, "/", NULL);

    clair_preferences_window_set_base_url (prefs, slash);
    g_assert_cmpint (test_connection (prefs), ==, -1);
    g_assert_nonnull (strstr (clair_preferences_window_get_test_result (prefs), hint));
  }
  clair_preferences_window_set_base_url (prefs, url);
  g_assert_cmpint (test_connection (prefs), ==, 2);
  g_assert_null (strstr (clair_preferences_window_get_test_result (prefs), "try "));
  destroy_and_finalize (prefs);
}

/* The annotator: stored in GSettings, set on the open project, empty for the default, and a name
 * that cannot be one refused. */
static void
test_annotator (void)
{
  g_autofree char *dir = make_temp_dir ("clair-dialogs-XXXXXX");
  g_autofree char *dataset_path = g_build_filename (dir, "sample.jsonl", NULL);
  g_autofree char *project_path = g_build_filename (dir, "sample.clair", NULL);
  g_autoptr(ClairProject) project = import_sample (sample_path, dataset_path, project_path);
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  g_autofree char *fallback = clair_annotator_default ();
  g_autofree char *stored = NULL;
  g_autofree char *dup = NULL;
  g_autoptr(GError) error = NULL;
  ClairPreferencesWindow *prefs;
  GtkWidget *entry;

  g_settings_reset (settings, "annotator");
  g_assert_null (clair_preferences_dup_annotator (settings));
  prefs = open_preferences (settings, project);
  entry = clair_preferences_window_get_annotator_entry (prefs);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
  g_assert_cmpstr (gtk_entry_get_placeholder_text (GTK_ENTRY (entry)), ==, fallback);

  gtk_editable_set_text (GTK_EDITABLE (entry), "alice");
  g_assert_false (entry_has_class (prefs, "error"));
  g_assert_true (clair_preferences_window_save (prefs, &error));
  g_assert_no_error (error);
  stored = g_settings_get_string (settings, "annotator");
  g_assert_cmpstr (stored, ==, "alice");
  g_assert_cmpstr (clair_project_get_annotator (project), ==, "alice");
  dup = clair_preferences_dup_annotator (settings);
  g_assert_cmpstr (dup, ==, "alice");

  /* A slash would make it a path in a split: refused, shown, nothing saved. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "alice/../bob");
  g_assert_true (entry_has_class (prefs, "error"));
  adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (prefs),
                                           ADW_PREFERENCES_PAGE (gtk_widget_get_ancestor (entry, ADW_TYPE_PREFERENCES_PAGE)));
  shoot (GTK_WIDGET (prefs), "screenshot-preferences-annotator-invalid.png");
  g_assert_false (clair_preferences_window_save (prefs, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_clear_pointer (&stored, g_free);
  stored = g_settings_get_string (settings, "annotator");
  g_assert_cmpstr (stored, ==, "alice");
  g_assert_cmpstr (clair_project_get_annotator (project), ==, "alice");
  /* Closing keeps the name stored before (and does not warn). */
  destroy_and_finalize (prefs);
  g_clear_pointer (&stored, g_free);
  stored = g_settings_get_string (settings, "annotator");
  g_assert_cmpstr (stored, ==, "alice");

  /* Reopened: the name is there; emptied, the default is back. */
  prefs = open_preferences (settings, project);
  entry = clair_preferences_window_get_annotator_entry (prefs);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "alice");
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  g_assert_true (clair_preferences_window_save (prefs, NULL));
  g_clear_pointer (&stored, g_free);
  stored = g_settings_get_string (settings, "annotator");
  g_assert_cmpstr (stored, ==, "");
  g_assert_null (clair_preferences_dup_annotator (settings));
  destroy_and_finalize (prefs);

  g_clear_object (&project);
  remove_tree (dir);
}

/* The pages of a preferences window, in order: AdwPreferencesWindow lists none in 1.2. */
static void
collect_pages (GtkWidget *widget,
               GPtrArray *pages)
{
  if (ADW_IS_PREFERENCES_PAGE (widget) && ADW_IS_VIEW_STACK (gtk_widget_get_parent (widget)))
    {
      g_ptr_array_add (pages, widget);
      return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    collect_pages (child, pages);
}

/* The preferences row titled @title under @widget, or NULL. */
static GtkWidget *
find_row (GtkWidget  *widget,
          const char *title)
{
  if (ADW_IS_PREFERENCES_ROW (widget) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_row (child, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A drop-down's choice is shown whole, as the row's subtitle, not cut off beside its title. */
static void
assert_choice_shown (GtkWidget  *prefs,
                     const char *title,
                     const char *choice)
{
  GtkWidget *row = find_row (prefs, title);

  g_assert_nonnull (row);
  g_assert_true (adw_combo_row_get_use_subtitle (ADW_COMBO_ROW (row)));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, choice);
}

/* Every page at the default size and at 600 px wide, for looking at. */
static void
test_preferences_screenshots (void)
{
  g_autofree char *dir = make_temp_dir ("clair-dialogs-XXXXXX");
  g_autofree char *dataset_path = g_build_filename (dir, "sample.jsonl", NULL);
  g_autofree char *project_path = g_build_filename (dir, "sample.clair", NULL);
  g_autoptr(ClairProject) project = import_sample (sample_path, dataset_path, project_path);
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  g_autoptr(GPtrArray) pages = g_ptr_array_new ();
  GtkWidget *prefs;
  static const int widths[] = { 0, 600 };

  for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
    {
      prefs = clair_preferences_window_new (NULL, settings, project, "A task", "An answer");
      if (widths[w] > 0)
        gtk_window_set_default_size (GTK_WINDOW (prefs), widths[w], 720);
      gtk_window_present (GTK_WINDOW (prefs));
      iterate_for (200);
      g_ptr_array_set_size (pages, 0);
      collect_pages (prefs, pages);
      g_assert_cmpuint (pages->len, >=, 5);
      for (guint i = 0; i < pages->len; i++)
        {
          g_autofree char *name = g_strdup_printf ("screenshot-preferences-%s-%u.png",
                                                   widths[w] ? "600" : "default", i);

          adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (prefs), pages->pdata[i]);
          iterate_for (150);
          shoot (prefs, name);
        }
      if (widths[w] > 0)
        {
          /* The longest choices, where drop-downs were cut off. */
          g_assert_cmpint (gtk_widget_get_width (prefs), <=, widths[w] + 1);
          adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (prefs), pages->pdata[0]);
          clair_preferences_window_set_preset (CLAIR_PREFERENCES_WINDOW (prefs), "hf-endpoint");
          shoot (prefs, "screenshot-preferences-600-hf-endpoint.png");
          assert_choice_shown (prefs, "Preset", "Hugging Face Inference Endpoint");
          assert_choice_shown (prefs, "Max-Tokens Field", "max_tokens");
          clair_preferences_window_set_preset (CLAIR_PREFERENCES_WINDOW (prefs), "openai");
          shoot (prefs, "screenshot-preferences-600-openai.png");
          assert_choice_shown (prefs, "Preset", "OpenAI");
          assert_choice_shown (prefs, "Max-Tokens Field", "max_completion_tokens");
        }
      destroy_and_finalize (prefs);
    }
  g_clear_object (&project);
  remove_tree (dir);
}

/* Export */

static gboolean
summary_counted (gpointer data)
{
  ClairExportDialog *export = data;

  return !g_str_equal (clair_export_dialog_get_summary (export), "Counting…");
}

static void
exported_cb (ClairExportDialog *export,
             const char        *path,
             guint64            n_rows,
             guint64           *written)
{
  *written = n_rows;
}

static gboolean
is_written (gpointer data)
{
  return *(guint64 *) data != G_MAXUINT64;
}

/* The lines of the JSONL file at @path, parsed. */
static GPtrArray *
read_lines (const char *path)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *objects = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      JsonNode *node;

      if (*lines[i] == '\0')
        continue;
      node = json_from_string (lines[i], &error);
      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
      g_ptr_array_add (objects, node);
    }
  return objects;
}

static ClairExportDialog *
open_export (ClairProject *project)
{
  ClairExportDialog *export = CLAIR_EXPORT_DIALOG (clair_export_dialog_new (NULL, project));

  gtk_window_present (GTK_WINDOW (export));
  g_assert_true (wait_until (summary_counted, export, 10000));
  return export;
}

/* Exports with the dialog as it is set, waiting for the file. */
static void
export_now (ClairExportDialog *export,
            const char        *path,
            guint64            expected_rows)
{
  guint64 written = G_MAXUINT64;

  g_object_ref (export);
  g_signal_connect (export, "exported", G_CALLBACK (exported_cb), &written);
  clair_export_dialog_set_destination (export, path);
  clair_export_dialog_export (export);
  g_assert_true (wait_until (is_written, &written, 20000));
  g_assert_cmpuint (written, ==, expected_rows);
  /* The dialog closes itself once the file is in place. */
  iterate_for (50);
  g_assert_finalize_object (export);
}

static void
decide_as (ClairProject  *project,
           guint          row,
           const char    *annotator,
           ClairDecision  decision)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (clair_project_decide_as (project, row, annotator, CLAIR_ATTEMPT_LATEST, decision, NULL, NULL,
                                          &error));
  g_assert_no_error (error);
}

/* Two annotators: their decisions as columns on request, rows they disagree on left out and
 * counted in the live summary. */
static void
test_export_annotators (void)
{
  g_autofree char *dir = make_temp_dir ("clair-dialogs-XXXXXX");
  g_autofree char *dataset_path = g_build_filename (dir, "sample.jsonl", NULL);
  g_autofree char *project_path = g_build_filename (dir, "sample.clair", NULL);
  g_autofree char *with_path = g_build_filename (dir, "with.jsonl", NULL);
  g_autofree char *without_path = g_build_filename (dir, "without.jsonl", NULL);
  g_autoptr(ClairProject) project = import_sample (sample_path, dataset_path, project_path);
  g_autoptr(GPtrArray) lines = NULL;
  ClairExportDialog *export;
  const char *summary;

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *revision = g_strdup_printf ("A corrected answer number %u.", i);

      add_revision (project, i, revision, "Because.");
    }
  /* Row 0: both accept. Row 1: alice accepts, bob rejects (a disagreement). Row 2: alice alone.
   * Rows 3 and 4: alice and bob disagree the other way round on 3; 4 is bob's alone. */
  decide_as (project, 0, "alice", CLAIR_DECISION_ACCEPTED);
  decide_as (project, 0, "bob", CLAIR_DECISION_ACCEPTED);
  decide_as (project, 1, "alice", CLAIR_DECISION_ACCEPTED);
  decide_as (project, 1, "bob", CLAIR_DECISION_REJECTED);
  decide_as (project, 2, "alice", CLAIR_DECISION_ACCEPTED);
  decide_as (project, 3, "alice", CLAIR_DECISION_REJECTED);
  decide_as (project, 3, "bob", CLAIR_DECISION_ACCEPTED);
  decide_as (project, 4, "bob", CLAIR_DECISION_ACCEPTED);

  /* The summary names the rows left out, counted before anything is written. */
  export = open_export (project);
  clair_export_dialog_set_format (export, CLAIR_EXPORT_TRL);
  clair_export_dialog_set_selection (export, CLAIR_EXPORT_SELECT_ACCEPTED);
  g_assert_true (wait_until (summary_counted, export, 10000));
  summary = clair_export_dialog_get_summary (export);
  g_assert_true (g_str_has_prefix (summary, "3 pairs"));
  g_assert_nonnull (strstr (summary, "2 rows left out: unresolved disagreement"));
  iterate_for (100);
  shoot (GTK_WIDGET (export), "screenshot-export-disagreement.png");

  /* Without the option: no annotator columns. */
  export_now (export, without_path, 3);
  lines = read_lines (without_path);
  g_assert_cmpuint (lines->len, ==, 3);
  for (guint i = 0; i < lines->len; i++)
    g_assert_false (json_object_has_member (json_node_get_object (lines->pdata[i]), "annotators"));
  g_clear_pointer (&lines, g_ptr_array_unref);

  /* With it: every annotator's decision on every line. */
  export = open_export (project);
  clair_export_dialog_set_format (export, CLAIR_EXPORT_TRL);
  clair_export_dialog_set_selection (export, CLAIR_EXPORT_SELECT_ACCEPTED);
  clair_export_dialog_set_annotator_columns (export, TRUE);
  g_assert_true (wait_until (summary_counted, export, 10000));
  iterate_for (100);
  shoot (GTK_WIDGET (export), "screenshot-export-annotators.png");
  export_now (export, with_path, 3);
  lines = read_lines (with_path);
  g_assert_cmpuint (lines->len, ==, 3);
  for (guint i = 0; i < lines->len; i++)
    {
      JsonObject *line = json_node_get_object (lines->pdata[i]);
      JsonObject *annotators;

      g_assert_true (json_object_has_member (line, "annotators"));
      annotators = json_object_get_object_member (line, "annotators");
      g_assert_nonnull (annotators);
      g_assert_true (json_object_has_member (annotators, "alice"));
      g_assert_true (json_object_has_member (annotators, "bob"));
    }
  /* Row 0 (both accepted) goes out first. */
  {
    JsonObject *annotators = json_object_get_object_member (json_node_get_object (lines->pdata[0]), "annotators");

    g_assert_cmpstr (json_object_get_string_member (annotators, "alice"), ==, "accepted");
    g_assert_cmpstr (json_object_get_string_member (annotators, "bob"), ==, "accepted");
  }

  g_clear_pointer (&lines, g_ptr_array_unref);
  g_clear_object (&project);
  remove_tree (dir);
}

/* Mapping */

static void
test_mapping_screenshot (void)
{
  g_autofree char *dir = make_temp_dir ("clair-dialogs-XXXXXX");
  g_autofree char *dataset_path = g_build_filename (dir, "sample.jsonl", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(ClairDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  ClairMappingDialog *mapping;
  gsize len;

  g_assert_true (g_file_get_contents (sample_path, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (dataset_path, contents, len, NULL));
  dataset = clair_dataset_open (dataset_path, CLAIR_FORMAT_UNKNOWN, &error);
  g_assert_no_error (error);
  mapping = CLAIR_MAPPING_DIALOG (clair_mapping_dialog_new (NULL, dataset));
  gtk_window_present (GTK_WINDOW (mapping));
  iterate_for (400);
  expected = g_strconcat (dataset_path, ".clair", NULL);
  g_assert_cmpstr (clair_mapping_dialog_get_project_path (mapping), ==, expected);
  g_assert_cmpuint (clair_mapping_dialog_get_n_preview (mapping), ==, 3);
  shoot (GTK_WIDGET (mapping), "screenshot-mapping.png");
  destroy_and_finalize (mapping);
  remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  GTestDBus *bus;
  int status;

  g_test_init (&argc, &argv, NULL);
  /* No keyring on a private bus: keys are kept for the session (as in test-app). */
  bus = start_private_bus ();
  gtk_init ();
  adw_init ();

  sample_path = g_test_build_filename (G_TEST_DIST, "..", "..", "data", "sample.jsonl", NULL);

  g_test_add_func ("/dialogs/preferences/url-clears-result", test_url_clears_result);
  g_test_add_func ("/dialogs/preferences/model-kept", test_model_kept);
  g_test_add_func ("/dialogs/preferences/v1-hint", test_v1_hint);
  g_test_add_func ("/dialogs/preferences/annotator", test_annotator);
  g_test_add_func ("/dialogs/preferences/screenshots", test_preferences_screenshots);
  g_test_add_func ("/dialogs/export/annotators", test_export_annotators);
  g_test_add_func ("/dialogs/mapping/screenshot", test_mapping_screenshot);
  status = g_test_run ();
  g_test_dbus_stop (bus);
  g_free (sample_path);
  return status;
}
