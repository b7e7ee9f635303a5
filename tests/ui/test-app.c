/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-app"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <math.h>
#include <signal.h>

#include "clair-application.h"
#include "clair-diff-view.h"
#include "clair-export-dialog.h"
#include "clair-guidelines-pane.h"
#include "clair-histogram.h"
#include "clair-hub.h"
#include "clair-hub-dialog.h"
#include "clair-mapping-dialog.h"
#include "clair-metrics.h"
#include "clair-preferences-window.h"
#include "clair-record-pane.h"
#include "clair-row-item.h"
#include "clair-secrets.h"
#include "clair-split-dialog.h"
#include "clair-stats.h"
#include "ui-test-util.h"

/* The application's windows under Xvfb: every window and dialog instantiates and finalises,
 * the whole workflow runs end to end against the test server, decisions survive kill -9, and
 * screenshots land in the build directory. */

static char *sample_path;

static char *
copy_sample (const char *dir)
{
  g_autofree char *contents = NULL;
  gsize len;
  char *path = g_build_filename (dir, "sample.jsonl", NULL);

  g_assert_true (g_file_get_contents (sample_path, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (path, contents, len, NULL));
  return path;
}

/* A project with the sample's rows, made without the UI. */
static char *
make_project (const char *dir)
{
  g_autofree char *dataset_path = g_build_filename (dir, "sample.jsonl", NULL);
  char *path = g_build_filename (dir, "sample.clair", NULL);
  g_autoptr(ClairProject) project = import_sample (sample_path, dataset_path, path);

  return path;
}

/* Every window and dialog */

static void
test_templates (void)
{
  g_autofree char *dir = make_temp_dir ("clair-ui-XXXXXX");
  g_autofree char *project_path = make_project (dir);
  g_autofree char *dataset_path = g_build_filename (dir, "sample.jsonl", NULL);
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  g_autoptr(ClairProject) project = NULL;
  g_autoptr(ClairDataset) dataset = NULL;
  g_autoptr(GtkBuilder) builder = NULL;
  ClairWindow *window;
  GtkWidget *widget;

  /* The empty window, then one with a project. */
  window = open_window (NULL);
  g_assert_null (clair_window_get_project (window));
  destroy_and_finalize (window);

  /* A window that paints nothing (hidden, still realized) reads its project all the same: its
   * rows wait for a paint only while it paints. */
  window = open_window (NULL);
  gtk_widget_set_visible (GTK_WIDGET (window), FALSE);
  iterate_for (50);
  g_assert_true (gtk_widget_get_realized (GTK_WIDGET (window)));
  clair_window_open_project (window, project_path);
  g_assert_true (wait_until (window_has_rows, window, 10000));
  g_assert_cmpuint (g_list_model_get_n_items (clair_window_get_rows (window)), ==, 20);
  g_assert_cmpint (clair_window_get_current_row (window), ==, 0);
  destroy_and_finalize (window);

  window = open_window (project_path);
  g_assert_cmpuint (g_list_model_get_n_items (clair_window_get_rows (window)), ==, 20);
  g_assert_cmpint (clair_window_get_current_row (window), ==, 0);
  destroy_and_finalize (window);

  project = clair_project_open (project_path, CLAIR_PROJECT_OPEN_DEFAULT, NULL);
  g_assert_nonnull (project);

  widget = clair_preferences_window_new (NULL, settings, project, "A task", "An answer");
  gtk_window_present (GTK_WINDOW (widget));
  iterate_for (50);
  destroy_and_finalize (widget);

  widget = clair_preferences_window_new (NULL, settings, NULL, NULL, NULL);
  gtk_window_present (GTK_WINDOW (widget));
  iterate_for (50);
  destroy_and_finalize (widget);

  widget = clair_export_dialog_new (NULL, project);
  gtk_window_present (GTK_WINDOW (widget));
  iterate_for (50);
  destroy_and_finalize (widget);

  dataset = clair_dataset_open (dataset_path, CLAIR_FORMAT_UNKNOWN, NULL);
  g_assert_nonnull (dataset);
  widget = clair_mapping_dialog_new (NULL, dataset);
  gtk_window_present (GTK_WINDOW (widget));
  iterate_for (200);
  destroy_and_finalize (widget);

  widget = g_object_ref_sink (clair_stats_new ());
  g_assert_finalize_object (widget);
  widget = g_object_ref_sink (clair_histogram_new ());
  g_assert_finalize_object (widget);

  builder = gtk_builder_new_from_resource (RESOURCE_BASE "/gtk/help-overlay.ui");
  widget = GTK_WIDGET (gtk_builder_get_object (builder, "help_overlay"));
  g_assert_true (GTK_IS_SHORTCUTS_WINDOW (widget));
  gtk_window_present (GTK_WINDOW (widget));
  iterate_for (50);
  g_clear_object (&builder);
  destroy_and_finalize (widget);

  remove_tree (dir);
}

/* The mapping step guesses the columns and previews the first rows. */
static void
test_mapping (void)
{
  g_autofree char *dir = make_temp_dir ("clair-ui-XXXXXX");
  g_autofree char *dataset_path = copy_sample (dir);
  g_autoptr(ClairDataset) dataset = clair_dataset_open (dataset_path, CLAIR_FORMAT_UNKNOWN, NULL);
  ClairMappingDialog *dialog = CLAIR_MAPPING_DIALOG (clair_mapping_dialog_new (NULL, dataset));
  ClairMapping mapping = { 0 };
  g_autofree char *expected_path = g_strconcat (dataset_path, ".clair", NULL);

  gtk_window_present (GTK_WINDOW (dialog));
  iterate_for (300);
  clair_mapping_dialog_get_mapping (dialog, &mapping);
  g_assert_cmpstr (mapping.task_column, ==, "task");
  g_assert_cmpstr (mapping.solution_column, ==, "student_solution");
  clair_mapping_clear (&mapping);
  g_assert_cmpuint (clair_mapping_dialog_get_n_preview (dialog), ==, 3);
  g_assert_cmpstr (clair_mapping_dialog_get_preview_task (dialog, 0), ==, "What is the capital of Australia?");
  g_assert_cmpstr (clair_mapping_dialog_get_project_path (dialog), ==, expected_path);

  /* Swapping the columns changes the preview at once. */
  g_assert_true (clair_mapping_dialog_set_columns (dialog, "student_solution", "task"));
  g_assert_true (g_str_has_prefix (clair_mapping_dialog_get_preview_task (dialog, 0), "the capital of Australia is Sydney"));
  destroy_and_finalize (dialog);
  remove_tree (dir);
}

/* The end-to-end test */

static void
append_json_string (GString    *out,
                    const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p; p++)
    {
      switch (*p)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          if ((guchar) *p < 0x20)
            g_string_append_printf (out, "\\u%04x", (guchar) *p);
          else
            g_string_append_c (out, *p);
        }
    }
  g_string_append_c (out, '"');
}

typedef struct
{
  ClairWindow *window;
  guint        n;
} CountCheck;

static gboolean
all_revised (gpointer data)
{
  CountCheck *check = data;
  ClairProjectCounts counts;

  return !clair_run_bar_get_running (run_bar (check->window)) &&
         clair_project_get_counts (clair_window_get_project (check->window), &counts, NULL) &&
         counts.by_status[CLAIR_ROW_REVISED] == check->n;
}

static gboolean
file_exists (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

static void
activate (ClairWindow *window,
          const char  *action)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), action, NULL));
  iterate_for (30);
}

typedef struct
{
  GListModel *model;
  guint       n;
} NItems;

static gboolean
has_n_items (gpointer data)
{
  NItems *check = data;

  return g_list_model_get_n_items (check->model) == check->n;
}

/* Filtering and search settle through timeouts and a thread: wait for the count (a loaded
 * machine may take longer than a fixed pause), then hold it a moment to see it stays. */
static void
expect_n_items (GListModel *model,
                guint       n)
{
  NItems check = { model, n };

  wait_until (has_n_items, &check, 10000);
  iterate_for (50);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n);
}

static void
test_end_to_end (void)
{
  g_autofree char *dir = make_temp_dir ("clair-ui-XXXXXX");
  g_autofree char *dataset_path = copy_sample (dir);
  g_autofree char *project_path = g_strconcat (dataset_path, ".clair", NULL);
  g_autofree char *export_path = g_build_filename (dir, "pairs.jsonl", NULL);
  g_autofree char *url = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GSubprocess) server = start_test_server ("chunk-delay=5", &url);
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  g_autoptr(GFile) file = g_file_new_for_path (dataset_path);
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autoptr(ClairDataset) dataset = NULL;
  ClairMappingDialog *mapping;
  ClairExportDialog *export;
  ClairWindow *window;
  ClairDiffView *diff;
  CountCheck check;
  GtkTextBuffer *revision;
  GtkTextIter end;
  char *edited = NULL;

  if (server == NULL)
    {
      g_test_skip ("CLAIR_TEST_SERVER is not set");
      return;
    }
  g_settings_set_string (settings, "base-url", url);
  g_settings_set_string (settings, "model", "mock");
  g_settings_set_uint (settings, "concurrency", 4);
  g_settings_set_boolean (settings, "streaming", TRUE);

  /* Open the dataset: the mapping step guesses, the import makes the project next to it. */
  window = open_window (NULL);
  clair_window_open_file (window, file);
  mapping = find_window (CLAIR_TYPE_MAPPING_DIALOG, 5000);
  iterate_for (200);
  g_assert_cmpuint (clair_mapping_dialog_get_n_preview (mapping), ==, 3);
  g_assert_cmpstr (clair_mapping_dialog_get_project_path (mapping), ==, project_path);
  clair_mapping_dialog_import (mapping);
  g_assert_true (wait_until (window_has_rows, window, 10000));
  g_assert_true (g_file_test (project_path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (g_list_model_get_n_items (clair_window_get_rows (window)), ==, 20);

  /* Run every row against the test server and watch them become revised. */
  activate (window, "win.run");
  g_assert_true (clair_run_bar_get_running (run_bar (window)));
  check.window = window;
  check.n = 20;
  g_assert_true (wait_until (all_revised, &check, 30000));
  iterate_for (200);
  screenshot (GTK_WIDGET (window), "screenshot-main-light.png");

  /* Accept two, reject one, edit one. */
  g_assert_true (clair_window_select_row (window, 0));
  iterate_for (50);
  g_assert_cmpint (clair_window_get_current_row (window), ==, 0);
  /* Row 0's revision capitalises one letter: each figure takes its own plural. */
  {
    const char *line = clair_record_pane_get_metrics_text (
      CLAIR_RECORD_PANE (clair_window_get_record_pane (window)));

    g_assert_nonnull (strstr (line, "· 1 character changed ("));
    g_assert_true (g_str_has_suffix (line, "· 1 attempt"));
  }
  activate (window, "win.accept");
  g_assert_cmpint (clair_window_get_current_row (window), ==, 1);   /* moved on */
  activate (window, "win.accept");
  activate (window, "win.reject");
  g_assert_cmpint (clair_window_get_current_row (window), ==, 3);
  activate (window, "win.edit");
  diff = CLAIR_DIFF_VIEW (clair_window_get_diff_view (window));
  g_assert_true (clair_diff_view_get_editable (diff));
  revision = GTK_TEXT_BUFFER (clair_diff_view_get_revision_buffer (diff));
  gtk_text_buffer_get_end_iter (revision, &end);
  gtk_text_buffer_insert (revision, &end, " Checked by hand.", -1);
  iterate_for (50);
  activate (window, "win.leave-edit");
  g_assert_false (clair_diff_view_get_editable (diff));

  /* Undo and redo the reject of row 2 on the way. */
  activate (window, "win.undo");
  activate (window, "win.undo");
  {
    g_autoptr(ClairRecord) record = clair_project_get_record (clair_window_get_project (window), 2, NULL);
    g_assert_cmpint (record->decision, ==, CLAIR_DECISION_NONE);
  }
  activate (window, "win.redo");
  activate (window, "win.redo");

  /* Export TRL through the dialog. */
  activate (window, "win.export");
  export = find_window (CLAIR_TYPE_EXPORT_DIALOG, 5000);
  iterate_for (100);
  screenshot (GTK_WIDGET (export), "screenshot-export.png");
  clair_export_dialog_set_format (export, CLAIR_EXPORT_TRL);
  clair_export_dialog_set_selection (export, CLAIR_EXPORT_SELECT_ACCEPTED);
  clair_export_dialog_set_destination (export, export_path);
  g_object_add_weak_pointer (G_OBJECT (export), (gpointer *) &export);
  clair_export_dialog_export (export);
  g_assert_true (wait_until (file_exists, export_path, 10000));
  g_assert_true (wait_until (is_null, &export, 10000));

  dataset = clair_dataset_open (dataset_path, CLAIR_FORMAT_UNKNOWN, NULL);
  g_assert_true (clair_dataset_index (dataset, NULL, NULL));
  {
    ClairMapping m = { (char *) "task", (char *) "student_solution" };
    guint rows[] = { 0, 1, 3 };

    for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
      {
        g_autoptr(ClairRow) row = clair_dataset_read_row (dataset, rows[i], &m, NULL);
        g_autofree char *chosen = server_edit (row->solution);

        if (rows[i] == 3)
          chosen = edited = g_strconcat (chosen, " Checked by hand.", NULL);
        g_string_append (expected, "{\"prompt\":");
        append_json_string (expected, row->task);
        g_string_append (expected, ",\"chosen\":");
        append_json_string (expected, chosen);
        g_string_append (expected, ",\"rejected\":");
        append_json_string (expected, row->solution);
        g_string_append (expected, "}\n");
        if (rows[i] == 3)
          chosen = NULL, g_free (edited);
      }
  }
  g_assert_true (g_file_get_contents (export_path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, expected->str);

  /* Screenshots: dark, preferences, statistics. */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  iterate_for (300);
  screenshot (GTK_WIDGET (window), "screenshot-main-dark.png");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
  iterate_for (100);
  {
    g_autoptr(ClairRecord) record = clair_project_get_record (clair_window_get_project (window), 0, NULL);
    GtkWidget *prefs = clair_preferences_window_new (GTK_WINDOW (window), settings, clair_window_get_project (window),
                                                     record->task, record->solution);
    g_autofree char *preview = NULL;

    gtk_window_present (GTK_WINDOW (prefs));
    iterate_for (300);
    preview = clair_preferences_window_get_preview (CLAIR_PREFERENCES_WINDOW (prefs));
    g_assert_nonnull (strstr (preview, record->task));
    screenshot (prefs, "screenshot-preferences.png");
    destroy_and_finalize (prefs);
  }

  destroy_and_finalize (window);
  g_subprocess_force_exit (server);
  remove_tree (dir);
}

/* Runs that cannot go on stop and say why in a dialog; the rows stay pending. */

static gboolean
run_inactive (gpointer data)
{
  return !clair_run_bar_get_running (run_bar (data));
}

static AdwMessageDialog *
run_and_expect_dialog (ClairWindow *window)
{
  AdwMessageDialog *dialog;
  ClairProjectCounts counts;

  activate (window, "win.run");
  g_assert_true (wait_until (run_inactive, window, 20000));
  dialog = find_window (ADW_TYPE_MESSAGE_DIALOG, 5000);
  g_assert_true (clair_project_get_counts (clair_window_get_project (window), &counts, NULL));
  g_assert_cmpuint (counts.by_status[CLAIR_ROW_PENDING], ==, 20);
  g_test_message ("%s: %s", adw_message_dialog_get_heading (dialog), adw_message_dialog_get_body (dialog));
  return dialog;
}

static void
test_run_refused (void)
{
  g_autofree char *dir = make_temp_dir ("clair-ui-XXXXXX");
  g_autofree char *project_path = make_project (dir);
  g_autofree char *url = NULL;
  g_autoptr(GSubprocess) server = start_test_server ("chunk-delay=5", &url);
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  AdwMessageDialog *dialog;
  ClairWindow *window;

  if (server == NULL)
    {
      g_test_skip ("CLAIR_TEST_SERVER is not set");
      return;
    }
  g_settings_set_string (settings, "base-url", url);
  g_settings_set_string (settings, "model", "mock;status=401;message=Incorrect API key provided");
  window = open_window (project_path);
  dialog = run_and_expect_dialog (window);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "The Server Refused the Run");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "401"));
  gtk_window_destroy (GTK_WINDOW (dialog));
  destroy_and_finalize (window);
  g_subprocess_force_exit (server);
  remove_tree (dir);
}

/* Pause holds new sends, resume goes on, stop leaves unfinished rows pending: nothing runs,
 * nothing is marked running, and what was answered is kept. */

static guint
count_status (ClairWindow    *window,
              ClairRowStatus  status)
{
  ClairProjectCounts counts;

  g_assert_true (clair_project_get_counts (clair_window_get_project (window), &counts, NULL));
  return counts.by_status[status];
}

static gboolean
some_revised (gpointer data)
{
  return count_status (data, CLAIR_ROW_REVISED) >= 2;
}

static void
test_run_pause_stop (void)
{
  g_autofree char *dir = make_temp_dir ("clair-ui-XXXXXX");
  g_autofree char *project_path = make_project (dir);
  g_autofree char *url = NULL;
  g_autoptr(GSubprocess) server = start_test_server ("latency=300", &url);
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  ClairWindow *window;
  GListModel *rows;
  guint revised_at_pause, revised_after;

  if (server == NULL)
    {
      g_test_skip ("CLAIR_TEST_SERVER is not set");
      return;
    }
  g_settings_set_string (settings, "base-url", url);
  g_settings_set_string (settings, "model", "mock");
  g_settings_set_uint (settings, "concurrency", 2);
  g_settings_set_boolean (settings, "streaming", FALSE);
  window = open_window (project_path);
  rows = clair_window_get_rows (window);

  activate (window, "win.run");
  g_assert_true (wait_until (some_revised, window, 20000));

  /* Paused: what is in flight finishes, nothing new is sent. */
  activate (window, "win.run");
  g_assert_true (clair_run_bar_get_paused (run_bar (window)));
  iterate_for (900);
  revised_at_pause = count_status (window, CLAIR_ROW_REVISED);
  iterate_for (900);
  g_assert_cmpuint (count_status (window, CLAIR_ROW_REVISED), ==, revised_at_pause);
  g_assert_cmpuint (revised_at_pause, <, 20);

  /* Resumed, then stopped with rows in flight. */
  activate (window, "win.run");
  g_assert_false (clair_run_bar_get_paused (run_bar (window)));
  iterate_for (350);
  activate (window, "win.stop");
  g_assert_true (wait_until (run_inactive, window, 10000));
  revised_after = count_status (window, CLAIR_ROW_REVISED);
  g_assert_cmpuint (revised_after, >, revised_at_pause);
  g_assert_cmpuint (revised_after, <, 20);
  g_assert_cmpuint (count_status (window, CLAIR_ROW_PENDING), ==, 20 - revised_after);
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(ClairRowItem) item = g_list_model_get_item (rows, i);

      g_assert_false (clair_row_item_get_running (item));
    }
  /* Nothing more arrives after the stop. */
  iterate_for (800);
  g_assert_cmpuint (count_status (window, CLAIR_ROW_REVISED), ==, revised_after);

  destroy_and_finalize (window);
  g_subprocess_force_exit (server);
  remove_tree (dir);
}

static void
test_run_unreachable (void)
{
  g_autofree char *dir = make_temp_dir ("clair-ui-XXXXXX");
  g_autofree char *project_path = make_project (dir);
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  AdwMessageDialog *dialog;
  ClairWindow *window;
  guint16 port;
  gint64 started;

  /* A port that was free a moment ago: nothing listens there. */
  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);
  url = g_strdup_printf ("http://127.0.0.1:%u/v1", port);
  g_settings_set_string (settings, "base-url", url);
  g_settings_set_string (settings, "model", "mock");
  window = open_window (project_path);
  started = g_get_monotonic_time ();
  dialog = run_and_expect_dialog (window);
  g_test_message ("gave up after %.1f s", (g_get_monotonic_time () - started) / 1e6);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Could Not Reach the Endpoint");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), url));
  gtk_window_destroy (GTK_WINDOW (dialog));
  destroy_and_finalize (window);
  remove_tree (dir);
}

/* The run takes the key the preferences stored for the base URL and sends it. */

static void
stored_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  gboolean remembered;

  g_assert_true (clair_secrets_store_finish (CLAIR_SECRETS (source), result, &remembered, NULL));
  *(gboolean *) user_data = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

static char *
server_last_authorization (const char *url)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  g_autoptr(GUri) stats = g_uri_parse_relative (uri, "/stats", G_URI_FLAGS_NONE, NULL);
  g_autoptr(SoupMessage) message = soup_message_new_from_uri ("GET", stats);
  g_autoptr(GBytes) body = soup_session_send_and_read (session, message, NULL, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;

  g_assert_nonnull (body);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL));
  object = json_node_get_object (json_parser_get_root (parser));
  return g_strdup (json_object_get_string_member_with_default (object, "last_authorization", ""));
}

static void
test_run_key (void)
{
  g_autofree char *dir = make_temp_dir ("clair-ui-XXXXXX");
  g_autofree char *project_path = make_project (dir);
  g_autofree char *url = NULL;
  g_autofree char *authorization = NULL;
  g_autoptr(GSubprocess) server = start_test_server ("chunk-delay=5", &url);
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  ClairWindow *window;
  GtkWidget *prefs;
  CountCheck check;
  gboolean stored = FALSE;

  if (server == NULL)
    {
      g_test_skip ("CLAIR_TEST_SERVER is not set");
      return;
    }
  g_unsetenv ("CLAIR_API_KEY");
  g_settings_set_string (settings, "base-url", url);
  g_settings_set_string (settings, "model", "mock");

  /* Typed into Preferences: stored (keyring or session) after a pause, and found again there. */
  window = open_window (project_path);
  prefs = clair_preferences_window_new (GTK_WINDOW (window), settings, clair_window_get_project (window), NULL, NULL);
  gtk_window_present (GTK_WINDOW (prefs));
  g_assert_cmpstr (clair_preferences_window_get_base_url (CLAIR_PREFERENCES_WINDOW (prefs)), ==, url);
  {
    GtkWidget *key_row = clair_preferences_window_get_key_row (CLAIR_PREFERENCES_WINDOW (prefs));

    /* Typed at once, before the keyring has answered the lookup the window started for this
     * URL: the answer ("no key") must not wipe what was typed. */
    g_assert_nonnull (key_row);
    gtk_editable_set_text (GTK_EDITABLE (key_row), "sk-ui-run-key-5150");
    iterate_for (800);
    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (key_row)), ==, "sk-ui-run-key-5150");
  }
  /* No Secret Service on this bus: the window says the key is kept for this session only. */
  g_assert_false (clair_secrets_is_available (clair_secrets_get_default ()));
  g_assert_true (gtk_widget_get_visible (clair_preferences_window_get_key_note_row (CLAIR_PREFERENCES_WINDOW (prefs))));
  destroy_and_finalize (prefs);

  activate (window, "win.run");
  check.window = window;
  check.n = 20;
  g_assert_true (wait_until (all_revised, &check, 30000));
  authorization = server_last_authorization (url);
  g_assert_cmpstr (authorization, ==, "Bearer sk-ui-run-key-5150");

  /* A key replaced in the store is the one the next run sends. */
  clair_secrets_store_async (clair_secrets_get_default (), url, "sk-replaced-key", NULL, stored_cb, &stored);
  g_assert_true (wait_until (is_true, &stored, 10000));
  g_assert_true (clair_window_select_row (window, 4));
  activate (window, "win.rerun");
  g_assert_true (wait_until (run_inactive, window, 20000));
  g_clear_pointer (&authorization, g_free);
  authorization = server_last_authorization (url);
  g_assert_cmpstr (authorization, ==, "Bearer sk-replaced-key");

  destroy_and_finalize (window);
  g_subprocess_force_exit (server);
  remove_tree (dir);
}

/* Bulk decisions over the filter run on a worker thread; undo and redo of them too. */

static gboolean
bulk_idle (gpointer data)
{
  return !clair_window_get_bulk_pending (data);
}

static guint
count_decision (ClairWindow   *window,
                ClairDecision  decision)
{
  ClairProjectCounts counts;

  g_assert_true (clair_project_get_counts (clair_window_get_project (window), &counts, NULL));
  return counts.by_decision[decision];
}

static void
test_bulk (void)
{
  g_autofree char *dir = make_temp_dir ("clair-ui-XXXXXX");
  g_autofree char *dataset_path = g_build_filename (dir, "many.jsonl", NULL);
  g_autofree char *project_path = g_build_filename (dir, "many.clair", NULL);
  g_autoptr(GString) text = g_string_new (NULL);
  ClairWindow *window;

  {
    g_autoptr(ClairDataset) dataset = NULL;
    g_autoptr(ClairProject) project = NULL;
    ClairMapping mapping = { (char *) "task", (char *) "answer" };
    ClairImportReport report = { 0 };

    /* 300 rows, row 5 broken (a gap in the indexes); rows below 250 revised. */
    for (guint i = 0; i < 300; i++)
      if (i == 5)
        g_string_append (text, "not json\n");
      else
        g_string_append_printf (text, "{\"task\":\"Task %u\",\"answer\":\"Answer %u\"}\n", i, i);
    g_assert_true (g_file_set_contents (dataset_path, text->str, -1, NULL));
    dataset = clair_dataset_open (dataset_path, CLAIR_FORMAT_UNKNOWN, NULL);
    g_assert_true (clair_dataset_index (dataset, NULL, NULL));
    project = clair_project_open (project_path, CLAIR_PROJECT_OPEN_CREATE, NULL);
    g_assert_true (clair_project_import_dataset (project, dataset, &mapping, NULL, NULL, NULL, &report, NULL));
    g_assert_cmpuint (report.n_imported, ==, 299);
    clair_import_report_clear (&report);
    for (guint i = 0; i < 250; i++)
      {
        ClairAttempt *attempt;

        if (i == 5)
          continue;
        attempt = clair_attempt_new ();
        attempt->row = i;
        attempt->status = CLAIR_ROW_REVISED;
        attempt->revision = g_strdup_printf ("Better answer %u", i);
        attempt->parse_status = g_strdup ("ok");
        g_assert_true (clair_project_add_attempts (project, &attempt, 1, NULL));
        clair_attempt_free (attempt);
      }
    g_assert_true (clair_project_set_decision (project, 7, CLAIR_DECISION_REJECTED, NULL, "keep this note", NULL));
  }

  window = open_window (project_path);
  g_assert_cmpuint (g_list_model_get_n_items (clair_window_get_rows (window)), ==, 299);

  /* Accept every row shown: only the 249 revised ones can be. */
  activate (window, "win.bulk-accept");
  g_assert_true (wait_until (bulk_idle, window, 20000));
  g_assert_cmpuint (count_decision (window, CLAIR_DECISION_ACCEPTED), ==, 249);
  g_assert_cmpuint (count_decision (window, CLAIR_DECISION_REJECTED), ==, 0);
  g_assert_cmpint (list_decision (window, 8), ==,
                   CLAIR_DECISION_ACCEPTED);
  g_assert_cmpint (list_decision (window, 280), ==,
                   CLAIR_DECISION_NONE);

  /* Undo (on the worker: more than a hundred rows) restores every row as it was, note included. */
  activate (window, "win.undo");
  g_assert_true (wait_until (bulk_idle, window, 20000));
  g_assert_cmpuint (count_decision (window, CLAIR_DECISION_ACCEPTED), ==, 0);
  g_assert_cmpuint (count_decision (window, CLAIR_DECISION_REJECTED), ==, 1);
  {
    g_autoptr(ClairRecord) record = clair_project_get_record (clair_window_get_project (window), 7, NULL);

    g_assert_cmpstr (record->note, ==, "keep this note");
  }
  g_assert_cmpint (list_decision (window, 8), ==,
                   CLAIR_DECISION_NONE);

  activate (window, "win.redo");
  g_assert_true (wait_until (bulk_idle, window, 20000));
  g_assert_cmpuint (count_decision (window, CLAIR_DECISION_ACCEPTED), ==, 249);

  /* Reject the filtered list "Pending": the 50 rows without a revision. */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (get_by_label (window, "Status filter")), CLAIR_FILTER_PENDING);
  expect_n_items (clair_window_get_rows (window), 50);
  activate (window, "win.bulk-reject");
  g_assert_true (wait_until (bulk_idle, window, 20000));
  g_assert_cmpuint (count_decision (window, CLAIR_DECISION_REJECTED), ==, 50);
  g_assert_cmpuint (count_decision (window, CLAIR_DECISION_ACCEPTED), ==, 249);

  destroy_and_finalize (window);
  remove_tree (dir);
}

static void
add_revision_attempt (ClairProject *project,
                      guint         row,
                      const char   *revision)
{
  ClairAttempt *attempt = clair_attempt_new ();

  attempt->row = row;
  attempt->status = CLAIR_ROW_REVISED;
  attempt->revision = g_strdup (revision);
  attempt->parse_status = g_strdup ("ok");
  g_assert_true (clair_project_add_attempts (project, &attempt, 1, NULL));
  clair_attempt_free (attempt);
}

static gboolean
summary_counted (gpointer data)
{
  const char *text = clair_export_dialog_get_summary (data);

  return text != NULL && strstr (text, "pair") != NULL;
}

/* Hostile text stays visible: a server's message with ESC and BEL in it, and a project file
 * whose name holds a control character and markup, show as escapes in the error banner, the
 * window's subtitle and a toast, never as raw control characters or broken markup. */
static void
test_hostile_text (void)
{
  g_autofree char *dir = make_temp_dir ("clair-ui-XXXXXX");
  g_autofree char *plain_path = make_project (dir);
  g_autofree char *project_path = g_build_filename (dir, "a&b\x1b[2Jc<i>.clair", NULL);
  const char *shown;
  ClairWindow *window;

  g_assert_cmpint (g_rename (plain_path, project_path), ==, 0);
  {
    g_autoptr(ClairProject) project = clair_project_open (project_path, CLAIR_PROJECT_OPEN_DEFAULT, NULL);
    ClairAttempt *attempt = clair_attempt_new ();

    g_assert_nonnull (project);
    attempt->row = 0;
    attempt->status = CLAIR_ROW_FAILED;
    attempt->http_status = 500;
    attempt->error = g_strdup ("upstream said \x1b]0;owned\x07 and \x1b[31mred");
    g_assert_true (clair_project_add_attempts (project, &attempt, 1, NULL));
    clair_attempt_free (attempt);
  }

  window = open_window (project_path);
  g_assert_true (clair_window_select_row (window, 0));
  iterate_for (50);
  shown = clair_record_pane_get_error_text (CLAIR_RECORD_PANE (clair_window_get_record_pane (window)));
  g_assert_nonnull (shown);
  g_test_message ("error banner: %s", shown);
  g_assert_null (strchr (shown, '\x1b'));
  g_assert_null (strchr (shown, '\x07'));
  g_assert_cmpstr (shown, ==, "upstream said \\e]0;owned\\x07 and \\e[31mred");

  shown = adw_window_title_get_subtitle (ADW_WINDOW_TITLE (find_by_type (GTK_WIDGET (window), ADW_TYPE_WINDOW_TITLE)));
  g_assert_cmpstr (shown, ==, "a&b\\e[2Jc<i>.clair");

  /* A toast naming the file: its title is markup, so the name must arrive escaped. */
  clair_window_add_toast (window, "Exported 1 row to a&b\x1b.jsonl");
  iterate_for (50);
  screenshot (GTK_WIDGET (window), "screenshot-hostile-text.png");
  destroy_and_finalize (window);
  remove_tree (dir);
}

/* The diff is what the window is for: on a long revised row, each diff pane's visible height is
 * at least 55 % of a 1280×800 window, and 40 % of an 800×600 one (where the row list folds away),
 * also on a truncated row that shows its error banner. The task and rationale fit their content
 * up to a cap; the metrics take one line. */
typedef struct
{
  ClairWindow *window;
  int          width;
  int          height;
} Sized;

static gboolean
window_is_sized (gpointer data)
{
  Sized *sized = data;

  /* Without a window manager GTK draws its own frame: the window widget is the size asked for
   * less that margin. */
  return ABS (gtk_widget_get_width (GTK_WIDGET (sized->window)) - sized->width) <= 20 &&
         ABS (gtk_widget_get_height (GTK_WIDGET (sized->window)) - sized->height) <= 20;
}

static double
diff_share (ClairWindow *window,
            const char  *what)
{
  ClairDiffView *diff = CLAIR_DIFF_VIEW (clair_window_get_diff_view (window));
  GtkWidget *original = gtk_widget_get_parent (GTK_WIDGET (clair_diff_view_get_original_view (diff)));
  GtkWidget *revision = gtk_widget_get_parent (GTK_WIDGET (clair_diff_view_get_revision_view (diff)));
  int window_height = gtk_widget_get_height (GTK_WIDGET (window));
  int shown = MIN (gtk_widget_get_height (original), gtk_widget_get_height (revision));

  g_test_message ("%s: window %d×%d, diff panes %d px high (%.2f), task part %d px",
                  what, gtk_widget_get_width (GTK_WIDGET (window)), window_height, shown,
                  shown / (double) window_height,
                  gtk_widget_get_height (clair_record_pane_get_task_part (CLAIR_RECORD_PANE (clair_window_get_record_pane (window)))));
  return shown / (double) window_height;
}

/* GTK 4.8 sizes a window once, when it is shown: a window of each size. */
static ClairWindow *
open_window_sized (const char *project_path,
                   int         width,
                   int         height)
{
  ClairWindow *window = clair_window_new (NULL);
  Sized sized = { window, width, height };

  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));
  clair_window_open_project (window, project_path);
  g_assert_true (wait_until (window_has_rows, window, 10000));
  if (!wait_until (window_is_sized, &sized, 5000))
    {
      int min_width, min_height;

      gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
      gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_VERTICAL, -1, &min_height, NULL, NULL, NULL);
      g_error ("asked for %d×%d, got %d×%d (the window needs at least %d×%d)", width, height,
               gtk_widget_get_width (GTK_WIDGET (window)), gtk_widget_get_height (GTK_WIDGET (window)),
               min_width, min_height);
    }
  iterate_for (200);
  return window;
}

static void
test_diff_space (void)
{
  g_autofree char *dir = make_temp_dir ("clair-ui-XXXXXX");
  g_autofree char *project_path = make_project (dir);
  g_autoptr(GString) revision = g_string_new (NULL);
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  ClairRecordPane *pane;
  ClairWindow *window;
  double share;

  for (guint i = 0; i < 120; i++)
    g_string_append_printf (revision, "Sentence %u of a long revised answer, which fills the panes. ", i);
  g_settings_set_boolean (settings, "show-task", TRUE);
  g_settings_set_boolean (settings, "show-rationale", TRUE);
  {
    g_autoptr(ClairProject) project = clair_project_open (project_path, CLAIR_PROJECT_OPEN_DEFAULT, NULL);
    ClairAttempt *attempt = clair_attempt_new ();

    g_autoptr(ClairRecord) row3 = clair_project_get_record (project, 3, NULL);
    ClairAttempt *revised = clair_attempt_new ();

    revised->row = 3;
    revised->status = CLAIR_ROW_REVISED;
    revised->revision = g_strdup (revision->str);
    revised->parse_status = g_strdup ("ok");
    clair_metrics_compute (row3->solution, revised->revision, &revised->metrics);
    revised->has_metrics = TRUE;
    g_assert_true (clair_project_add_attempts (project, &revised, 1, NULL));
    clair_attempt_free (revised);
    /* A truncated answer: its partial revision and its banner. */
    attempt->row = 4;
    attempt->finish_reason = g_strdup ("length");
    g_string_prepend (revision, "{teacher_reasoning}: Several fixes, listed below.\n1. One.\n2. Two.\n\n"
                                "{corrected_student_solution}: ");
    clair_attempt_take_answer (attempt, g_strdup (revision->str), NULL);
    g_assert_cmpint (attempt->status, ==, CLAIR_ROW_PARSE_FAILED);
    g_assert_cmpstr (attempt->parse_status, ==, "truncated");
    g_assert_true (clair_project_add_attempts (project, &attempt, 1, NULL));
    clair_attempt_free (attempt);
  }

  window = open_window_sized (project_path, 1280, 800);
  pane = CLAIR_RECORD_PANE (clair_window_get_record_pane (window));
  g_assert_true (clair_window_select_row (window, 3));
  iterate_for (300);
  share = diff_share (window, "1280×800, revised");
  screenshot (GTK_WIDGET (window), "screenshot-diff-1280x800.png");
  g_assert_cmpfloat (share, >=, 0.55);
  /* The metrics take one line, and name the figures. */
  g_assert_nonnull (strstr (clair_record_pane_get_metrics_text (pane), "Similarity"));

  /* The truncated row: its partial revision can be decided on, under its banner. */
  g_assert_true (clair_window_select_row (window, 4));
  iterate_for (300);
  g_assert_nonnull (clair_record_pane_get_error_text (pane));
  g_assert_cmpstr (clair_record_pane_get_status_text (pane), ==, "Truncated");
  g_assert_true (gtk_widget_get_sensitive (find_actionable (GTK_WIDGET (window), "win.accept")));
  share = diff_share (window, "1280×800, truncated with banner");
  g_assert_cmpfloat (share, >=, 0.45);

  /* A small window: the list folds away, the diff keeps its share. */
  destroy_and_finalize (window);
  window = open_window_sized (project_path, 800, 600);
  pane = CLAIR_RECORD_PANE (clair_window_get_record_pane (window));
  g_assert_true (clair_window_select_row (window, 4));
  iterate_for (300);
  share = diff_share (window, "800×600, truncated with banner");
  screenshot (GTK_WIDGET (window), "screenshot-diff-800x600.png");
  g_assert_cmpfloat (share, >=, 0.40);
  g_assert_true (clair_window_select_row (window, 3));
  iterate_for (300);
  share = diff_share (window, "800×600, revised");
  g_assert_cmpfloat (share, >=, 0.40);

  /* Accepting the truncated row keeps its partial text as the row's edit, which exports carry. */
  g_assert_true (clair_window_select_row (window, 4));
  iterate_for (100);
  activate (window, "win.accept");
  {
    g_autoptr(ClairRecord) record = clair_project_get_record (clair_window_get_project (window), 4, NULL);

    g_assert_cmpint (record->decision, ==, CLAIR_DECISION_ACCEPTED);
    g_assert_nonnull (record->edited_revision);
    g_assert_true (g_str_has_prefix (record->edited_revision, "Sentence 0 of a long revised answer"));
  }
  /* A pending row: nothing to reject. */
  g_assert_true (clair_window_select_row (window, 5));
  iterate_for (100);
  g_assert_false (gtk_widget_get_sensitive (find_actionable (GTK_WIDGET (window), "win.reject")));
  g_assert_cmpint (clair_diff_view_get_n_changes (CLAIR_DIFF_VIEW (clair_window_get_diff_view (window))), ==, 0);

  destroy_and_finalize (window);
  remove_tree (dir);
}

/* Open from Hugging Face, against a stand-in Hub served here (HF_ENDPOINT): the dialog lists the
 * repository's own files as a split with its size, downloads it into the cache, and the mapping
 * step imports it into a project that records where its rows came from. A dataset the Hub does
 * not have says so. */
#define HUB_SHA "0123456789abcdef0123456789abcdef01234567"

static void
hub_stand_in_cb (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  const char *rows = user_data;

  if (g_str_equal (path, "/api/datasets/org/tiny/revision/main"))
    {
      g_autofree char *body = g_strdup_printf ("{\"id\":\"org/tiny\",\"sha\":\"" HUB_SHA "\",\"siblings\":"
                                               "[{\"rfilename\":\"README.md\",\"size\":3},"
                                               "{\"rfilename\":\"data/train.jsonl\",\"size\":%" G_GSIZE_FORMAT "}]}",
                                               strlen (rows));

      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
    }
  else if (g_str_equal (path, "/datasets/org/tiny/resolve/" HUB_SHA "/data/train.jsonl"))
    {
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/octet-stream", SOUP_MEMORY_COPY, rows, strlen (rows));
    }
  else
    {
      static const char missing[] = "{\"error\":\"Repository not found\"}";

      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "X-Error-Code",
                                    g_str_has_suffix (path, "/parquet") ? "DatasetNotConverted" : "RepoNotFound");
      soup_server_message_set_status (msg, 404, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, missing, strlen (missing));
    }
}

static gboolean
hub_listed (gpointer data)
{
  return clair_hub_dialog_can_download (data);
}

static gboolean
hub_refused (gpointer data)
{
  return !g_str_has_prefix (clair_hub_dialog_get_status (data), "Looking up");
}

static void
test_hub_dialog (void)
{
  g_autofree char *dir = make_temp_dir ("clair-ui-hub-XXXXXX");
  g_autofree char *project_path = g_build_filename (dir, "tiny.clair", NULL);
  g_autofree char *cache = g_build_filename (dir, "cache", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *url = NULL;
  g_autoptr(SoupServer) hub = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;
  g_autoptr(GString) rows = g_string_new (NULL);
  ClairMappingDialog *mapping;
  ClairHubDialog *dialog;
  ClairWindow *window;

  for (guint i = 0; i < 5; i++)
    g_string_append_printf (rows, "{\"prompt\":\"Question %u?\",\"rejected\":\"Answer  %u\"}\n", i, i);
  soup_server_add_handler (hub, NULL, hub_stand_in_cb, rows->str, NULL);
  g_assert_true (soup_server_listen_local (hub, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (hub);
  url = g_uri_to_string (uris->data);
  if (g_str_has_suffix (url, "/"))
    url[strlen (url) - 1] = '\0';
  g_setenv ("HF_ENDPOINT", url, TRUE);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  g_setenv ("XDG_DATA_HOME", data, TRUE);
  g_setenv ("HF_HOME", dir, TRUE);
  g_unsetenv ("HF_TOKEN");

  window = open_window (NULL);
  activate (window, "win.open-hub");
  dialog = find_window (CLAIR_TYPE_HUB_DIALOG, 5000);

  /* A dataset the Hub does not have. */
  clair_hub_dialog_look_up (dialog, "org/nothing");
  g_assert_true (wait_until (hub_refused, dialog, 10000));
  g_test_message ("missing: %s", clair_hub_dialog_get_status (dialog));
  g_assert_nonnull (strstr (clair_hub_dialog_get_status (dialog), "org/nothing"));
  g_assert_false (clair_hub_dialog_can_download (dialog));

  /* The real one: listed from its own files, sized before any download. */
  clair_hub_dialog_look_up (dialog, "hf://datasets/org/tiny");
  g_assert_true (wait_until (hub_listed, dialog, 10000));
  g_test_message ("listed: %s", clair_hub_dialog_get_status (dialog));
  g_assert_nonnull (strstr (clair_hub_dialog_get_status (dialog), "org/tiny"));
  iterate_for (300);
  screenshot (GTK_WIDGET (dialog), "screenshot-hub-dialog.png");
  clair_hub_dialog_download (dialog);

  /* The mapping step, with the project under the dataset's name; saved here for the test. */
  mapping = find_window (CLAIR_TYPE_MAPPING_DIALOG, 10000);
  iterate_for (200);
  g_assert_true (g_str_has_suffix (clair_mapping_dialog_get_project_path (mapping), "tiny-default-train.clair"));
  g_assert_cmpuint (clair_mapping_dialog_get_n_preview (mapping), ==, 3);
  clair_mapping_dialog_set_project_path (mapping, project_path);
  clair_mapping_dialog_import (mapping);
  g_assert_true (wait_until (window_has_rows, window, 10000));
  g_assert_cmpuint (g_list_model_get_n_items (clair_window_get_rows (window)), ==, 5);
  iterate_for (100);
  {
    g_autoptr(ClairProject) project = clair_project_open (project_path, CLAIR_PROJECT_OPEN_READ_ONLY, NULL);
    g_autofree char *repository = clair_project_get_setting (project, "hub.repository");
    g_autofree char *sha = clair_project_get_setting (project, "hub.sha");
    g_autofree char *files = clair_project_get_setting (project, "hub.files");

    g_assert_cmpstr (repository, ==, "org/tiny");
    g_assert_cmpstr (sha, ==, HUB_SHA);
    g_assert_cmpstr (files, ==, "[\"data/train.jsonl\"]");
  }
  /* It joins the recent Hub datasets on the start page. */
  {
    g_auto(GStrv) recent = clair_hub_recent_load ();

    g_assert_nonnull (recent);
    g_assert_cmpstr (recent[0], ==, "org/tiny");
  }

  destroy_and_finalize (window);
  g_unsetenv ("HF_ENDPOINT");
  g_unsetenv ("XDG_CACHE_HOME");
  g_unsetenv ("XDG_DATA_HOME");
  g_unsetenv ("HF_HOME");
  remove_tree (dir);
}

/* Team curation in the window: two annotators apart on a row, agreed on another. The
 * "Disagreements" filter shows the one row; the record pane shows both decisions side by side;
 * Use This resolves the row with one of them (exports then keep it), and undo withdraws the
 * resolution. */
static gboolean
agreement_shown (gpointer data)
{
  return clair_stats_get_alpha_text (CLAIR_STATS (data)) != NULL;
}

/* No text of @root (a popover just opened) is selected. An opening popover focuses its first
 * focusable child, here a figure, and GTK selects the whole text of a selectable label that takes
 * the focus: the figure showed up highlighted. */
static void
assert_no_label_selected (GtkWidget *root)
{
  int start, end;

  if (GTK_IS_LABEL (root) && gtk_label_get_selection_bounds (GTK_LABEL (root), &start, &end))
    g_error ("“%s” is selected", gtk_label_get_text (GTK_LABEL (root)));
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    assert_no_label_selected (child);
}

static void
assert_opens_unselected (GtkWidget *popover)
{
  GtkWidget *focus = gtk_root_get_focus (gtk_widget_get_root (popover));

  /* The case in point: the focus went to one of its figures. */
  g_assert_true (GTK_IS_LABEL (focus) && gtk_widget_is_ancestor (focus, popover));
  g_assert_true (gtk_label_get_selectable (GTK_LABEL (focus)));
  assert_no_label_selected (popover);
}

static void
test_disagreements (void)
{
  g_autofree char *dir = make_temp_dir ("clair-ui-XXXXXX");
  g_autofree char *project_path = make_project (dir);
  ClairExportOptions options = { 0 };
  ClairExportSummary summary = { 0 };
  ClairRecordPane *pane;
  ClairGuidelinesPane *guidelines;
  ClairWindow *window;

  {
    g_autoptr(ClairProject) project = clair_project_open (project_path, CLAIR_PROJECT_OPEN_DEFAULT, NULL);

    add_revision_attempt (project, 0, "Row zero, revised.");
    add_revision_attempt (project, 1, "Row one, revised.");
    g_assert_true (clair_project_decide_as (project, 0, "alice", CLAIR_ATTEMPT_LATEST, CLAIR_DECISION_ACCEPTED,
                                            NULL, "fine as it is", NULL));
    g_assert_true (clair_project_decide_as (project, 0, "bob", CLAIR_ATTEMPT_LATEST, CLAIR_DECISION_REJECTED,
                                            NULL, "still wrong", NULL));
    g_assert_true (clair_project_decide_as (project, 1, "alice", CLAIR_ATTEMPT_LATEST, CLAIR_DECISION_ACCEPTED,
                                            NULL, NULL, NULL));
    g_assert_true (clair_project_decide_as (project, 1, "bob", CLAIR_ATTEMPT_LATEST, CLAIR_DECISION_ACCEPTED,
                                            NULL, NULL, NULL));
    g_assert_true (clair_project_set_guidelines (project, "# Rules\n\nAccept minimal fixes only.\n", NULL));
  }

  window = open_window (project_path);
  pane = CLAIR_RECORD_PANE (clair_window_get_record_pane (window));

  /* The project's guidelines show beside the record; an edit is saved into the project. */
  guidelines = CLAIR_GUIDELINES_PANE (find_by_type (GTK_WIDGET (window), CLAIR_TYPE_GUIDELINES_PANE));
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (gtk_widget_get_ancestor (GTK_WIDGET (guidelines),
                                                                                      GTK_TYPE_REVEALER))));
  {
    g_autofree char *text = clair_guidelines_pane_get_text (guidelines);

    g_assert_cmpstr (text, ==, "# Rules\n\nAccept minimal fixes only.\n");
  }
  clair_guidelines_pane_set_text (guidelines, "# Rules\n\nAccept minimal fixes; reject rewrites.\n");
  clair_guidelines_pane_flush (guidelines);
  {
    g_autofree char *saved = clair_project_get_guidelines (clair_window_get_project (window));

    g_assert_cmpstr (saved, ==, "# Rules\n\nAccept minimal fixes; reject rewrites.\n");
  }

  gtk_drop_down_set_selected (GTK_DROP_DOWN (get_by_label (window, "Status filter")), CLAIR_FILTER_DISAGREED);
  iterate_for (300);
  g_assert_cmpuint (g_list_model_get_n_items (clair_window_get_rows (window)), ==, 1);
  g_assert_true (clair_window_select_row (window, 0));
  iterate_for (100);
  g_assert_cmpuint (clair_record_pane_get_n_annotations (pane), ==, 2);
  g_assert_cmpstr (clair_record_pane_get_annotation (pane, 0)->annotator, ==, "alice");
  g_assert_cmpstr (clair_record_pane_get_annotation (pane, 1)->annotator, ==, "bob");
  /* The row list keeps its width, the record takes the rest. */
  g_assert_cmpint (gtk_widget_get_width (clair_window_get_row_list_pane (window)), <=, 520);
  g_assert_cmpint (gtk_widget_get_width (clair_window_get_record_pane (window)), >, gtk_widget_get_width (clair_window_get_row_list_pane (window)));
  iterate_for (300);
  screenshot (GTK_WIDGET (window), "screenshot-disagreement.png");

  /* The statistics popover measures the agreement: two annotators, two rows in common. */
  gtk_menu_button_popup (stats_button (window));
  g_assert_true (wait_until (agreement_shown, gtk_menu_button_get_popover (stats_button (window)), 10000));
  g_test_message ("%s", clair_stats_get_alpha_text (CLAIR_STATS (gtk_menu_button_get_popover (stats_button (window)))));
  g_assert_nonnull (strstr (clair_stats_get_alpha_text (CLAIR_STATS (gtk_menu_button_get_popover (stats_button (window)))),
                            "α"));
  iterate_for (100);
  assert_opens_unselected (GTK_WIDGET (gtk_menu_button_get_popover (stats_button (window))));
  screenshot (GTK_WIDGET (gtk_menu_button_get_popover (stats_button (window))), "screenshot-agreement.png");
  gtk_menu_button_popdown (stats_button (window));

  /* So does the record's popover of details, whose figures are selectable too. */
  {
    GtkWidget *details = gtk_widget_get_ancestor (get_by_label (pane, "Row details"), GTK_TYPE_POPOVER);

    gtk_popover_popup (GTK_POPOVER (details));
    iterate_for (100);
    assert_opens_unselected (details);
    gtk_popover_popdown (GTK_POPOVER (details));
  }

  /* Bob's decision resolves the row. */
  clair_record_pane_use_annotation (pane, 1);
  iterate_for (100);
  {
    g_autoptr(ClairRecord) record = clair_project_get_record (clair_window_get_project (window), 0, NULL);

    g_assert_cmpint (record->team_state, ==, CLAIR_TEAM_RESOLVED);
    g_assert_cmpint (record->decision, ==, CLAIR_DECISION_REJECTED);
    g_assert_cmpstr (record->note, ==, "still wrong");
  }
  options.format = CLAIR_EXPORT_TRL;
  options.selection = CLAIR_EXPORT_SELECT_ALL;
  g_assert_true (clair_export_preview (clair_window_get_project (window), &options, NULL, &summary, NULL));
  g_assert_cmpuint (summary.n_disagreement, ==, 0);
  clair_export_summary_clear (&summary);

  /* Undo withdraws the resolution: the row is a disagreement again, left out of exports. */
  activate (window, "win.undo");
  iterate_for (100);
  {
    g_autoptr(ClairRecord) record = clair_project_get_record (clair_window_get_project (window), 0, NULL);

    g_assert_cmpint (record->team_state, ==, CLAIR_TEAM_DISAGREED);
    g_assert_cmpint (record->decision, ==, CLAIR_DECISION_NONE);
  }
  g_assert_true (clair_export_preview (clair_window_get_project (window), &options, NULL, &summary, NULL));
  g_assert_cmpuint (summary.n_disagreement, ==, 1);
  clair_export_summary_clear (&summary);

  destroy_and_finalize (window);
  remove_tree (dir);
}

/* Split for annotators and merge back, through the window: the dialog previews each one's rows,
 * writes a file per annotator; decisions made in those files come back per annotator, and a shared
 * row they decided differently becomes a disagreement. */
static gboolean
no_split_dialog (gpointer data)
{
  FindWindow find = { CLAIR_TYPE_SPLIT_DIALOG, NULL };

  return !window_for_type (&find);
}

static gboolean
has_disagreement (gpointer data)
{
  ClairWindow *window = data;
  ClairProjectCounts counts;

  return clair_window_get_project (window) != NULL && !clair_window_get_busy (window) &&
         clair_project_get_counts (clair_window_get_project (window), &counts, NULL) && counts.n_disagreements > 0;
}

static void
test_split_merge (void)
{
  g_autofree char *dir = make_temp_dir ("clair-ui-XXXXXX");
  g_autofree char *project_path = make_project (dir);
  g_autofree char *folder = g_build_filename (dir, "shards", NULL);
  g_autofree char *alice_path = g_build_filename (folder, "alice.clair", NULL);
  g_autofree char *bob_path = g_build_filename (folder, "bob.clair", NULL);
  ClairSplitDialog *dialog;
  ClairWindow *window;
  guint shared = G_MAXUINT;

  {
    g_autoptr(ClairProject) project = clair_project_open (project_path, CLAIR_PROJECT_OPEN_DEFAULT, NULL);

    for (guint i = 0; i < 20; i++)
      add_revision_attempt (project, i, "A revision.");
  }
  window = open_window (project_path);
  activate (window, "win.split");
  dialog = find_window (CLAIR_TYPE_SPLIT_DIALOG, 5000);
  clair_split_dialog_set_annotators (dialog, "alice, bob");
  clair_split_dialog_set_seed (dialog, 7);
  clair_split_dialog_set_folder (dialog, folder);
  g_test_message ("preview: %s", clair_split_dialog_get_status (dialog));
  /* 20 rows, 2 of them shared: 11 each. */
  g_assert_nonnull (strstr (clair_split_dialog_get_status (dialog), "alice: 11 rows"));
  g_assert_nonnull (strstr (clair_split_dialog_get_status (dialog), "bob: 11 rows"));
  iterate_for (300);
  screenshot (GTK_WIDGET (dialog), "screenshot-split.png");
  clair_split_dialog_split (dialog);
  g_assert_true (wait_until (file_exists, bob_path, 10000));
  g_assert_true (wait_until (no_split_dialog, NULL, 10000));

  /* Each decides every row of their file; a row both have is accepted by one, rejected by the
   * other. */
  {
    g_autoptr(ClairProject) alice = clair_project_open (alice_path, CLAIR_PROJECT_OPEN_DEFAULT, NULL);
    g_autoptr(ClairProject) bob = clair_project_open (bob_path, CLAIR_PROJECT_OPEN_DEFAULT, NULL);
    g_autoptr(GArray) alice_rows = clair_project_get_summaries (alice, NULL);
    g_autoptr(GArray) bob_rows = clair_project_get_summaries (bob, NULL);

    for (guint i = 0; i < alice_rows->len; i++)
      {
        guint index = g_array_index (alice_rows, ClairRowSummary, i).index;

        g_assert_true (clair_project_set_decision_on (alice, index, CLAIR_ATTEMPT_LATEST, CLAIR_DECISION_ACCEPTED,
                                                      NULL, NULL, NULL));
      }
    for (guint i = 0; i < bob_rows->len; i++)
      {
        guint index = g_array_index (bob_rows, ClairRowSummary, i).index;
        gboolean in_alice = FALSE;

        for (guint j = 0; j < alice_rows->len; j++)
          in_alice |= g_array_index (alice_rows, ClairRowSummary, j).index == index;
        if (in_alice)
          shared = index;
        g_assert_true (clair_project_set_decision_on (bob, index, CLAIR_ATTEMPT_LATEST,
                                                      in_alice ? CLAIR_DECISION_REJECTED : CLAIR_DECISION_ACCEPTED,
                                                      NULL, NULL, NULL));
      }
  }
  g_assert_cmpuint (shared, !=, G_MAXUINT);

  {
    const char *paths[] = { alice_path, bob_path, NULL };

    clair_window_merge_files (window, paths);
  }
  g_assert_true (wait_until (has_disagreement, window, 10000));
  {
    g_autoptr(ClairRecord) record = clair_project_get_record (clair_window_get_project (window), shared, NULL);
    ClairProjectCounts counts;

    g_assert_cmpint (record->team_state, ==, CLAIR_TEAM_DISAGREED);
    g_assert_true (clair_project_get_counts (clair_window_get_project (window), &counts, NULL));
    g_assert_cmpuint (counts.n_disagreements, ==, 2);
    g_assert_cmpuint (counts.by_decision[CLAIR_DECISION_ACCEPTED], ==, 18);
  }
  destroy_and_finalize (window);
  remove_tree (dir);
}

/* A search marks what it found in the row being read: the task and both diff panes. */
static guint
count_marks (GtkTextBuffer *buffer)
{
  GtkTextTag *tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), "search-match");
  GtkTextIter iter;
  guint n = 0;

  if (tag == NULL)
    return 0;
  gtk_text_buffer_get_start_iter (buffer, &iter);
  while (gtk_text_iter_forward_to_tag_toggle (&iter, tag))
    n += gtk_text_iter_starts_tag (&iter, tag);
  return n;
}

static void
test_search_marks (void)
{
  g_autofree char *dir = make_temp_dir ("clair-ui-XXXXXX");
  g_autofree char *project_path = make_project (dir);
  ClairDiffView *diff;
  ClairWindow *window;

  {
    g_autoptr(ClairProject) project = clair_project_open (project_path, CLAIR_PROJECT_OPEN_DEFAULT, NULL);

    add_revision_attempt (project, 0, "The Capital of Australia is Canberra; the capital is not Sydney.");
  }
  window = open_window (project_path);
  diff = CLAIR_DIFF_VIEW (clair_window_get_diff_view (window));
  g_assert_true (clair_window_select_row (window, 0));
  iterate_for (100);
  g_assert_cmpuint (count_marks (gtk_text_view_get_buffer (GTK_TEXT_VIEW (clair_diff_view_get_revision_view (diff)))), ==, 0);
  gtk_editable_set_text (GTK_EDITABLE (get_by_label (window, "Search rows")), "capital");
  iterate_for (600);
  /* Case aside: two in the revision, one in the original. */
  g_assert_cmpuint (count_marks (gtk_text_view_get_buffer (GTK_TEXT_VIEW (clair_diff_view_get_revision_view (diff)))), ==, 2);
  g_assert_cmpuint (count_marks (gtk_text_view_get_buffer (GTK_TEXT_VIEW (clair_diff_view_get_original_view (diff)))), ==, 1);
  screenshot (GTK_WIDGET (window), "screenshot-search-marks.png");
  gtk_editable_set_text (GTK_EDITABLE (get_by_label (window, "Search rows")), "");
  iterate_for (600);
  g_assert_cmpuint (count_marks (gtk_text_view_get_buffer (GTK_TEXT_VIEW (clair_diff_view_get_revision_view (diff)))), ==, 0);
  destroy_and_finalize (window);
  remove_tree (dir);
}

/* A revision that arrives after a decision: the window shows the reviewed one with a banner, the
 * new one on request, and a decision made then is about the new one. The export dialog counts the
 * result before anything is written. */
static void
test_newer_revision (void)
{
  g_autofree char *dir = make_temp_dir ("clair-ui-XXXXXX");
  g_autofree char *project_path = make_project (dir);
  g_autofree char *text = NULL;
  ClairExportDialog *export;
  ClairWindow *window;
  ClairDiffView *diff;

  {
    g_autoptr(ClairProject) project = clair_project_open (project_path, CLAIR_PROJECT_OPEN_DEFAULT, NULL);
    g_autoptr(ClairRecord) record = clair_project_get_record (project, 2, NULL);

    add_revision_attempt (project, 0, "The reviewed revision.");
    g_assert_true (clair_project_set_decision (project, 0, CLAIR_DECISION_ACCEPTED, NULL, NULL, NULL));
    add_revision_attempt (project, 0, "A newer revision.");
    add_revision_attempt (project, 1, "Row one, revised.");
    add_revision_attempt (project, 2, record->solution);   /* identical to the original */
    g_assert_true (clair_project_set_decision (project, 1, CLAIR_DECISION_REJECTED, NULL, NULL, NULL));
  }

  window = open_window (project_path);
  diff = CLAIR_DIFF_VIEW (clair_window_get_diff_view (window));
  g_assert_true (clair_window_select_row (window, 0));
  iterate_for (50);
  g_assert_true (clair_record_pane_get_newer_text (CLAIR_RECORD_PANE (clair_window_get_record_pane (window))) != NULL);
  text = clair_diff_view_get_revision_text (diff);
  g_assert_cmpstr (text, ==, "The reviewed revision.");
  g_clear_pointer (&text, g_free);
  screenshot (GTK_WIDGET (window), "screenshot-newer-revision.png");

  /* The export dialog says what would go out, live. */
  activate (window, "win.export");
  export = find_window (CLAIR_TYPE_EXPORT_DIALOG, 5000);
  /* Earlier tests in this process move the window's threshold; count against 0.5. */
  clair_export_dialog_set_not_minimal_below (export, 0.5);
  clair_export_dialog_set_format (export, CLAIR_EXPORT_TRL);
  clair_export_dialog_set_selection (export, CLAIR_EXPORT_SELECT_ALL);
  g_assert_true (wait_until (summary_counted, export, 10000));
  g_test_message ("summary: %s", clair_export_dialog_get_summary (export));
  g_assert_true (g_str_has_prefix (clair_export_dialog_get_summary (export),
                                   "1 pair (0 edited, 1 dropped as identical, 1 not minimal)"));
  g_assert_nonnull (strstr (clair_export_dialog_get_summary (export), "1 rejected row left out"));
  g_assert_nonnull (strstr (clair_export_dialog_get_summary (export), "newer revision"));
  iterate_for (100);
  screenshot (GTK_WIDGET (export), "screenshot-export-summary.png");
  gtk_window_destroy (GTK_WINDOW (export));
  iterate_for (50);

  activate (window, "win.review-newer");
  iterate_for (50);
  text = clair_diff_view_get_revision_text (diff);
  g_assert_cmpstr (text, ==, "A newer revision.");
  g_clear_pointer (&text, g_free);
  g_assert_true (clair_record_pane_get_newer_text (CLAIR_RECORD_PANE (clair_window_get_record_pane (window))) != NULL);

  /* Accepting now is about the new revision: exports use it from here on. */
  activate (window, "win.accept");
  {
    g_autoptr(ClairRecord) record = clair_project_get_record (clair_window_get_project (window), 0, NULL);

    g_assert_cmpstr (clair_record_get_chosen (record), ==, "A newer revision.");
    g_assert_false (clair_record_has_newer_revision (record));
  }
  g_assert_true (clair_window_select_row (window, 0));
  iterate_for (50);
  g_assert_false (clair_record_pane_get_newer_text (CLAIR_RECORD_PANE (clair_window_get_record_pane (window))) != NULL);

  /* Undo ties the decision back to the revision it was made on. */
  activate (window, "win.undo");
  {
    g_autoptr(ClairRecord) record = clair_project_get_record (clair_window_get_project (window), 0, NULL);

    g_assert_cmpstr (clair_record_get_chosen (record), ==, "The reviewed revision.");
    g_assert_true (clair_record_has_newer_revision (record));
  }

  destroy_and_finalize (window);
  remove_tree (dir);
}

/* kill -9 right after deciding: every decision is in the project when it reopens. */
static void
test_kill9 (void)
{
  g_autofree char *dir = make_temp_dir ("clair-ui-XXXXXX");
  g_autofree char *project_path = make_project (dir);
  g_autoptr(ClairProject) project = NULL;
  g_autoptr(ClairRecord) r0 = NULL, r1 = NULL, r2 = NULL, r5 = NULL;

  if (g_test_subprocess ())
    return;
  {
    /* Rows with a revision, which a reject is about. */
    g_autoptr(ClairProject) revised = clair_project_open (project_path, CLAIR_PROJECT_OPEN_DEFAULT, NULL);

    add_revision_attempt (revised, 0, "Row zero, revised.");
    add_revision_attempt (revised, 2, "Row two, revised.");
  }
  g_setenv ("CLAIR_KILL9_PROJECT", project_path, TRUE);
  g_test_trap_subprocess ("/ui/kill9/child", 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_assert_true (g_test_trap_has_passed () == FALSE);

  project = clair_project_open (project_path, CLAIR_PROJECT_OPEN_DEFAULT, NULL);
  g_assert_nonnull (project);
  r0 = clair_project_get_record (project, 0, NULL);
  r1 = clair_project_get_record (project, 1, NULL);
  r2 = clair_project_get_record (project, 2, NULL);
  r5 = clair_project_get_record (project, 5, NULL);
  g_assert_cmpint (r0->decision, ==, CLAIR_DECISION_REJECTED);
  g_assert_cmpint (r1->decision, ==, CLAIR_DECISION_SKIPPED);
  g_assert_cmpint (r2->decision, ==, CLAIR_DECISION_REJECTED);
  g_assert_cmpstr (r2->note, ==, "a note typed just before the crash");
  g_assert_cmpint (r5->decision, ==, CLAIR_DECISION_NONE);
  remove_tree (dir);
}

static void
test_kill9_child (void)
{
  const char *path = g_getenv ("CLAIR_KILL9_PROJECT");
  ClairWindow *window;

  if (!g_test_subprocess () || path == NULL)
    return;
  window = open_window (path);
  activate (window, "win.reject");      /* row 0 */
  activate (window, "win.skip");        /* row 1 */
  activate (window, "win.reject");      /* row 2 */
  activate (window, "win.previous-row");
  clair_record_pane_set_note (CLAIR_RECORD_PANE (clair_window_get_record_pane (window)),
                              "a note typed just before the crash");
  /* No idle, no close, no flush: the process dies here. */
  raise (SIGKILL);
}

/* The statistics popover counts and the threshold drives the "Not minimal" filter. */
static void
test_stats_filter (void)
{
  g_autofree char *dir = make_temp_dir ("clair-ui-XXXXXX");
  g_autofree char *project_path = make_project (dir);
  ClairWindow *window;
  ClairStats *stats;
  GListModel *rows;
  g_autoptr(ClairProject) project = clair_project_open (project_path, CLAIR_PROJECT_OPEN_DEFAULT, NULL);

  /* Two revised rows: one barely changed, one rewritten. */
  add_revision (project, 0, "The capital of Australia is Canberra, not Sydney.", NULL);
  add_revision (project, 1, "Completely different words appear here instead.", NULL);
  g_clear_object (&project);

  window = open_window (project_path);
  rows = clair_window_get_rows (window);
  stats = CLAIR_STATS (gtk_menu_button_get_popover (stats_button (window)));
  gtk_menu_button_popup (stats_button (window));
  iterate_for (200);
  g_assert_cmpstr (clair_stats_get_value (stats, "revised"), ==, "2");
  g_assert_cmpstr (clair_stats_get_value (stats, "pending"), ==, "18");

  gtk_drop_down_set_selected (GTK_DROP_DOWN (get_by_label (window, "Status filter")), CLAIR_FILTER_NOT_MINIMAL);
  clair_stats_set_threshold (stats, 0.3);
  expect_n_items (rows, 1);
  clair_stats_set_threshold (stats, 1.0);
  expect_n_items (rows, 2);
  clair_stats_set_threshold (stats, 0.0);
  expect_n_items (rows, 0);
  gtk_popover_popdown (GTK_POPOVER (stats));

  /* Sorting by a column header: rows without a revision last in both directions. */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (get_by_label (window, "Status filter")), CLAIR_FILTER_ALL);
  expect_n_items (rows, 20);
  clair_row_list_pane_sort_by (row_list (window), CLAIR_SORT_SIMILARITY, GTK_SORT_DESCENDING);
  iterate_for (50);
  {
    g_autoptr(ClairRowItem) first = g_list_model_get_item (rows, 0);
    g_autoptr(ClairRowItem) second = g_list_model_get_item (rows, 1);
    g_autoptr(ClairRowItem) third = g_list_model_get_item (rows, 2);

    g_assert_cmpuint (clair_row_item_get_index (first), ==, 0);    /* barely changed: similar */
    g_assert_cmpuint (clair_row_item_get_index (second), ==, 1);
    g_assert_cmpuint (clair_row_item_get_index (third), ==, 2);    /* then the pending rows, in order */
  }
  clair_row_list_pane_sort_by (row_list (window), CLAIR_SORT_SIMILARITY, GTK_SORT_ASCENDING);
  iterate_for (50);
  {
    g_autoptr(ClairRowItem) first = g_list_model_get_item (rows, 0);
    g_autoptr(ClairRowItem) last = g_list_model_get_item (rows, 19);

    g_assert_cmpuint (clair_row_item_get_index (first), ==, 1);
    g_assert_cmpuint (clair_row_item_get_index (last), ==, 19);
  }
  /* The row being read stays selected through the re-sort. */
  g_assert_true (clair_window_select_row (window, 1));
  iterate_for (50);
  clair_row_list_pane_sort_by (row_list (window), CLAIR_SORT_INDEX, GTK_SORT_DESCENDING);
  iterate_for (50);
  {
    g_autoptr(ClairRowItem) first = g_list_model_get_item (rows, 0);

    g_assert_cmpuint (clair_row_item_get_index (first), ==, 19);
    g_assert_cmpint (clair_window_get_current_row (window), ==, 1);
    g_assert_true (gtk_selection_model_is_selected (GTK_SELECTION_MODEL (rows), 18));
  }
  clair_row_list_pane_sort_by (row_list (window), CLAIR_SORT_NONE, GTK_SORT_ASCENDING);
  iterate_for (50);
  {
    g_autoptr(ClairRowItem) first = g_list_model_get_item (rows, 0);

    g_assert_cmpuint (clair_row_item_get_index (first), ==, 0);
  }

  /* Search narrows the list to matching rows. */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (get_by_label (window, "Status filter")), CLAIR_FILTER_ALL);
  gtk_editable_set_text (GTK_EDITABLE (get_by_label (window, "Search rows")), "fibonacci");
  expect_n_items (rows, 1);
  gtk_editable_set_text (GTK_EDITABLE (get_by_label (window, "Search rows")), "");
  expect_n_items (rows, 20);

  destroy_and_finalize (window);
  remove_tree (dir);
}

/* A long import fills the list as it goes: the mapping dialog hides once the first rows are in,
 * the window shows them and the progress, decisions and runs wait for the end. Stopping it
 * removes the project it was making. */

#define IMPORT_ROWS 200000

static gboolean
importing_with_rows (gpointer data)
{
  ClairWindow *window = data;

  return clair_run_bar_get_importing (run_bar (window)) && !clair_window_get_busy (window) &&
         g_list_model_get_n_items (clair_window_get_rows (window)) > 0;
}

static gboolean
row_one_shown (gpointer data)
{
  ClairWindow *window = data;

  return clair_window_get_current_row (window) == 1 && gtk_widget_get_mapped (clair_window_get_record_pane (window));
}

static void
stop_import_cb (ClairMappingDialog *dialog,
                const char         *path,
                ClairWindow        *window)
{
  g_assert_true (clair_run_bar_get_importing (run_bar (window)));
  g_assert_nonnull (clair_window_get_project (window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.stop", NULL));
}

static gboolean
import_over (gpointer data)
{
  return !clair_run_bar_get_importing (run_bar (CLAIR_WINDOW (data)));
}

static gboolean
project_closed (gpointer data)
{
  return clair_window_get_project (CLAIR_WINDOW (data)) == NULL;
}

static char *
write_long_dataset (const char *dir,
                    const char *name)
{
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GString) text = g_string_sized_new (IMPORT_ROWS * 64);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < IMPORT_ROWS; i++)
    g_string_append_printf (text, "{\"task\":\"Add %u and 1.\",\"student_solution\":\"%u\"}\n", i, i);
  g_file_set_contents (path, text->str, text->len, &error);
  g_assert_no_error (error);
  return path;
}

static void
test_import_progressive (void)
{
  g_autofree char *dir = make_temp_dir ("clair-ui-XXXXXX");
  g_autofree char *dataset_path = write_long_dataset (dir, "long.jsonl");
  g_autofree char *project_path = g_strconcat (dataset_path, ".clair", NULL);
  g_autofree char *cancelled_path = write_long_dataset (dir, "cancelled.jsonl");
  g_autofree char *cancelled_project = g_strconcat (cancelled_path, ".clair", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (dataset_path);
  g_autoptr(GFile) cancelled_file = g_file_new_for_path (cancelled_path);
  ClairWindow *window;
  ClairMappingDialog *mapping;
  ClairProjectCounts counts;
  guint n_early;

  window = open_window (NULL);
  clair_window_open_file (window, file);
  mapping = find_window (CLAIR_TYPE_MAPPING_DIALOG, 5000);
  iterate_for (100);
  clair_mapping_dialog_import (mapping);

  /* Early on: some rows shown, not all, the dialog gone, the progress in the header, and
   * nothing that writes to the project. */
  g_assert_true (wait_until (importing_with_rows, window, 20000));
  n_early = g_list_model_get_n_items (clair_window_get_rows (window));
  g_test_message ("%u of %u rows shown when the window took over", n_early, IMPORT_ROWS);
  g_assert_cmpuint (n_early, >=, 1);
  g_assert_cmpuint (n_early, <, IMPORT_ROWS);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (mapping)));
  g_assert_true (clair_run_bar_get_progress_visible (run_bar (window)));
  g_assert_true (g_str_has_prefix (clair_run_bar_get_progress_text (run_bar (window)), "Importing "));
  g_assert_false (gtk_widget_get_sensitive (find_actionable (GTK_WIDGET (window), "win.skip")));
  g_assert_false (gtk_widget_get_sensitive (find_actionable (GTK_WIDGET (window), "win.run")));
  g_assert_true (gtk_widget_get_sensitive (find_actionable (GTK_WIDGET (window), "win.stop")));
  /* The rows shown can be read already. */
  g_assert_true (clair_window_select_row (window, 1));
  g_assert_true (wait_until (row_one_shown, window, 5000));

  /* Then all of them, and the window is whole again. */
  g_assert_true (wait_until (import_over, window, 60000));
  g_assert_cmpuint (g_list_model_get_n_items (clair_window_get_rows (window)), ==, IMPORT_ROWS);
  g_assert_true (clair_project_get_counts (clair_window_get_project (window), &counts, NULL));
  g_assert_cmpuint (counts.n_rows, ==, IMPORT_ROWS);
  g_assert_false (clair_run_bar_get_progress_visible (run_bar (window)));
  g_assert_true (gtk_widget_get_sensitive (find_actionable (GTK_WIDGET (window), "win.skip")));
  g_assert_true (gtk_widget_get_sensitive (find_actionable (GTK_WIDGET (window), "win.run")));
  g_assert_cmpstr (clair_project_get_path (clair_window_get_project (window)), ==, project_path);

  /* Stopped half-way: the window closes the project and the file is gone. */
  clair_window_open_file (window, cancelled_file);
  mapping = find_window (CLAIR_TYPE_MAPPING_DIALOG, 5000);
  iterate_for (100);
  /* At once, as the window takes over: a fast machine imports the rest in a second. */
  g_signal_connect_after (mapping, "import-started", G_CALLBACK (stop_import_cb), window);
  clair_mapping_dialog_import (mapping);
  g_assert_true (wait_until (project_closed, window, 20000));
  g_assert_false (clair_run_bar_get_importing (run_bar (window)));
  iterate_for (200);
  g_assert_false (g_file_test (cancelled_project, G_FILE_TEST_EXISTS));
  {
    g_autofree char *wal = g_strconcat (cancelled_project, "-wal", NULL);
    g_autofree char *shm = g_strconcat (cancelled_project, "-shm", NULL);

    g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
    g_assert_false (g_file_test (shm, G_FILE_TEST_EXISTS));
  }
  g_assert_true (g_file_test (project_path, G_FILE_TEST_IS_REGULAR));

  destroy_and_finalize (window);
  remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  GTestDBus *bus;
  int status;

  g_test_init (&argc, &argv, NULL);
  /* A private session bus without services: no keyring daemon is activated (it would prompt to
   * create a keyring, under Xvfb nobody answers), so keys are kept for the session, as on a
   * machine without a Secret Service. tests/test-secrets.c covers a real keyring. */
  bus = start_private_bus ();
  gtk_init ();
  adw_init ();

  sample_path = g_test_build_filename (G_TEST_DIST, "..", "..", "data", "sample.jsonl", NULL);

  g_test_add_func ("/ui/templates", test_templates);
  g_test_add_func ("/ui/mapping", test_mapping);
  g_test_add_func ("/ui/import-progressive", test_import_progressive);
  g_test_add_func ("/ui/stats-filter", test_stats_filter);
  g_test_add_func ("/ui/end-to-end", test_end_to_end);
  g_test_add_func ("/ui/run/refused", test_run_refused);
  g_test_add_func ("/ui/run/unreachable", test_run_unreachable);
  g_test_add_func ("/ui/run/pause-stop", test_run_pause_stop);
  g_test_add_func ("/ui/run/key", test_run_key);
  g_test_add_func ("/ui/bulk", test_bulk);
  g_test_add_func ("/ui/newer-revision", test_newer_revision);
  g_test_add_func ("/ui/hostile-text", test_hostile_text);
  g_test_add_func ("/ui/diff-space", test_diff_space);
  g_test_add_func ("/ui/hub-dialog", test_hub_dialog);
  g_test_add_func ("/ui/disagreements", test_disagreements);
  g_test_add_func ("/ui/split-merge", test_split_merge);
  g_test_add_func ("/ui/search-marks", test_search_marks);
  g_test_add_func ("/ui/kill9", test_kill9);
  g_test_add_func ("/ui/kill9/child", test_kill9_child);
  status = g_test_run ();
  /* GTK keeps the bus connection to the end: stop the daemon without waiting for it to go. */
  g_test_dbus_stop (bus);
  return status;
}
