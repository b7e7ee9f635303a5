/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-secrets-leak"

#include "config.h"

#include <signal.h>
#include <sys/resource.h>
#include <string.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "clair-client.h"
#include "clair-endpoint.h"
#include "clair-export.h"
#include "clair-project.h"
#include "test-util.h"

/* Secrets and transport safety:
 * - a test API key given through CLAIR_API_KEY or --api-key-file is sent to the server (so the
 *   test means something) but never appears in the project file (and its WAL), any export, the
 *   CLI's stdout and stderr, or /proc/PID/cmdline of a running `clair run`;
 * - HTTPS to a server with a self-signed certificate fails closed, before any request reaches it,
 *   with a message that says what is wrong;
 * - plain HTTP to a host other than this machine is flagged. */

#define TEST_KEY "sk-clair-test-9f3c1b7e5d2a4c68b0e1f7a3d5c9e2b4"

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("clair-test-secrets-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
}

static char *
path_in (Fixture    *fixture,
         const char *name)
{
  return g_build_filename (fixture->dir, name, NULL);
}

/* ------------------------------------------------------------------------------------------------
 * Plain HTTP to a remote host. */

static void
test_endpoint_insecure (void)
{
  static const struct
  {
    const char *url;
    gboolean    insecure;
  } cases[] = {
    { "https://api.openai.com/v1", FALSE },
    { "HTTPS://router.huggingface.co/v1", FALSE },
    { "http://localhost:11434/v1", FALSE },
    { "http://LOCALHOST:8000/v1", FALSE },
    { "http://localhost.:8000/v1", FALSE },
    { "http://vllm.localhost:8000/v1", FALSE },
    { "http://127.0.0.1:8000/v1", FALSE },
    { "http://127.8.9.10/v1", FALSE },
    { "http://[::1]:1234/v1", FALSE },
    { "http://example.com/v1", TRUE },
    { "http://192.168.1.20:8000/v1", TRUE },
    { "http://10.0.0.5/v1", TRUE },
    { "http://[2001:db8::1]:8000/v1", TRUE },
    { "http://localhost.example.com/v1", TRUE },
    { "http://127.0.0.1.nip.io/v1", TRUE },
    { "http://0.0.0.0:8000/v1", TRUE },
    { "ftp://localhost/v1", TRUE },
    { "not a url", TRUE },
    { "http:///v1", TRUE },
    { "", TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s", cases[i].url);
      g_assert_cmpint (clair_endpoint_is_insecure (cases[i].url), ==, cases[i].insecure);
    }
}

/* ------------------------------------------------------------------------------------------------
 * TLS with a self-signed certificate. */

typedef struct
{
  SoupServer *server;
  char       *base_url;
  guint       n_requests;
} TlsServer;

static void
tls_handler_cb (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  TlsServer *tls = user_data;
  static const char body[] = "{\"choices\":[{\"message\":{\"content\":\"x\"}}]}";

  tls->n_requests++;
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, body,
                                    strlen (body));
}

/* The server in @fixture's directory (see clair-test-http.h). FALSE when openssl or TLS support
 * is missing. */
static gboolean
tls_server_start (Fixture   *fixture,
                  TlsServer *tls)
{
  tls->server = clair_test_tls_server_new (fixture->dir, tls_handler_cb, tls, &tls->base_url);
  return tls->server != NULL;
}

static void
tls_server_stop (TlsServer *tls)
{
  g_clear_object (&tls->server);
  g_clear_pointer (&tls->base_url, g_free);
}

static void
chat_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  ClairReply **reply = user_data;

  *reply = clair_client_chat_finish (CLAIR_CLIENT (object), result);
}

static void
models_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GError **error = user_data;
  g_auto(GStrv) models = clair_client_list_models_finish (CLAIR_CLIENT (object), result, error);

  g_assert_null (models);
  g_assert_nonnull (*error);
}

static void
test_tls_self_signed_client (Fixture       *fixture,
                             gconstpointer  data)
{
  TlsServer tls = { 0, };
  g_autoptr(ClairClient) client = NULL;
  g_autoptr(ClairReply) reply = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) models_error = NULL;
  static const char request[] = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  if (!tls_server_start (fixture, &tls))
    {
      g_test_skip ("openssl or GLib TLS support (glib-networking) is missing");
      return;
    }

  client = clair_client_new (tls.base_url, 4, &error);
  g_assert_no_error (error);
  clair_client_set_api_key (client, TEST_KEY);
  body = g_bytes_new_static (request, strlen (request));
  clair_client_chat_async (client, body, FALSE, NULL, NULL, NULL, chat_done_cb, &reply);
  while (reply == NULL)
    g_main_context_iteration (NULL, TRUE);

  /* Fails closed: the whole run stops, no retry, and nothing reached the handler (so the key
   * never left the process over an untrusted connection). */
  g_test_message ("%s", reply->error ? reply->error->message : "(no error)");
  g_assert_cmpint (reply->action, ==, CLAIR_REPLY_FATAL);
  g_assert_nonnull (reply->error);
  g_assert_nonnull (strstr (reply->error->message, "certificate"));
  g_assert_nonnull (strstr (reply->error->message, "127.0.0.1"));
  g_assert_null (strstr (reply->error->message, TEST_KEY));
  g_assert_null (reply->content);

  clair_client_list_models_async (client, NULL, models_done_cb, &models_error);
  while (models_error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_test_message ("%s", models_error->message);
  g_assert_nonnull (strstr (models_error->message, "certificate"));

  g_assert_cmpuint (tls.n_requests, ==, 0);
  tls_server_stop (&tls);
}

static void
cli_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  gboolean *done = user_data;

  *done = TRUE;
}

/* `clair run` against the self-signed server: it stops with a message about the certificate,
 * and nothing reached the server. The test's main loop serves TLS while the CLI runs. */
static void
test_tls_self_signed_cli (Fixture       *fixture,
                          gconstpointer  data)
{
  TlsServer tls = { 0, };
  g_autofree char *dataset_path = path_in (fixture, "one.jsonl");
  g_autofree char *project_path = path_in (fixture, "one.clair");
  g_autofree char *url_arg = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GInputStream) err_stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) err_bytes = NULL;
  g_autofree char *err = NULL;
  gboolean done = FALSE;

  if (g_getenv ("CLAIR_CLI") == NULL)
    {
      g_test_skip ("CLAIR_CLI is not set");
      return;
    }
  if (!tls_server_start (fixture, &tls))
    {
      g_test_skip ("openssl or GLib TLS support (glib-networking) is missing");
      return;
    }
  g_file_set_contents (dataset_path, "{\"task\":\"T\",\"student_solution\":\"S\"}\n", -1, &error);
  g_assert_no_error (error);
  url_arg = g_strdup_printf ("--base-url=%s", tls.base_url);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "CLAIR_API_KEY", TEST_KEY, TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("CLAIR_CLI"), "run",
                                         dataset_path, "--project", project_path, url_arg,
                                         "--model=mock", "--timeout=10", NULL);
  g_assert_no_error (error);
  g_subprocess_wait_async (process, NULL, cli_done_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);

  err_stream = g_object_ref (g_subprocess_get_stderr_pipe (process));
  err_bytes = g_input_stream_read_bytes (err_stream, 65536, NULL, &error);
  g_assert_no_error (error);
  err = g_strndup (g_bytes_get_data (err_bytes, NULL), g_bytes_get_size (err_bytes));
  g_test_message ("exit %d: %s", g_subprocess_get_exit_status (process), err);

  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 1);
  g_assert_nonnull (strstr (err, "certificate"));
  g_assert_null (strstr (err, TEST_KEY));
  g_assert_cmpuint (tls.n_requests, ==, 0);
  tls_server_stop (&tls);
}

/* ------------------------------------------------------------------------------------------------
 * The key through `clair run`, and everywhere it must not end up. */

static void
assert_no_key_in (const char *what,
                  const char *data,
                  gsize       len)
{
  if (data != NULL && g_strstr_len (data, len, TEST_KEY) != NULL)
    g_error ("the API key appears in %s", what);
  /* Also no recognisable piece of it (a key cut in a log line still leaks). */
  if (data != NULL && g_strstr_len (data, len, TEST_KEY + 9) != NULL)
    g_error ("part of the API key appears in %s", what);
}

static void
assert_no_key_in_file (const char *path)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return;
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  assert_no_key_in (path, contents, len);
}

typedef struct
{
  int    status;
  char  *out;
  char  *err;
} CliResult;

static void
cli_result_clear (CliResult *result)
{
  g_clear_pointer (&result->out, g_free);
  g_clear_pointer (&result->err, g_free);
}

/* Runs the CLI; while it runs, reads /proc/PID/cmdline (and environ) of the live process
 * (@must_be_alive: the process must still be running 40 ms after its start, so the check ran). */
static void
run_cli (CliResult          *result,
         const char * const *env,
         gboolean            expect_key_in_environ,
         gboolean            must_be_alive,
         const char * const *argv)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *proc_cmdline = NULL;
  g_autofree char *proc_environ = NULL;
  gboolean seen_alive = FALSE;

  g_ptr_array_add (args, (gpointer) g_getenv ("CLAIR_CLI"));
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer) argv[i]);
  g_ptr_array_add (args, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_unsetenv (launcher, "CLAIR_API_KEY");
  for (guint i = 0; env != NULL && env[i] != NULL; i += 2)
    g_subprocess_launcher_setenv (launcher, env[i], env[i + 1], TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);

  /* The process is alive while it waits for its first answers (the server takes 60 ms). */
  {
    g_autofree char *cmdline_path = g_strdup_printf ("/proc/%s/cmdline",
                                                     g_subprocess_get_identifier (process));
    g_autofree char *environ_path = g_strdup_printf ("/proc/%s/environ",
                                                     g_subprocess_get_identifier (process));
    gsize len = 0, env_len = 0;

    g_usleep (40 * 1000);
    if (g_file_get_contents (cmdline_path, &proc_cmdline, &len, NULL) && len > 0)
      {
        seen_alive = TRUE;
        assert_no_key_in ("/proc/PID/cmdline", proc_cmdline, len);
        if (g_file_get_contents (environ_path, &proc_environ, &env_len, NULL) &&
            !expect_key_in_environ)
          assert_no_key_in ("/proc/PID/environ", proc_environ, env_len);
      }
  }

  g_subprocess_communicate_utf8 (process, NULL, NULL, &result->out, &result->err, &error);
  g_assert_no_error (error);
  result->status = g_subprocess_get_exit_status (process);
  g_assert_true (seen_alive || !must_be_alive);
}

static void
test_key_never_leaks (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *dataset_path = path_in (fixture, "rows.jsonl");
  g_autofree char *project_path = path_in (fixture, "rows.clair");
  g_autofree char *key_file = path_in (fixture, "key.txt");
  g_autofree char *base_url = NULL;
  g_autofree char *url_arg = NULL;
  g_autofree char *key_arg = g_strdup_printf ("--api-key-file=%s", key_file);
  g_autofree char *stats = NULL;
  g_autofree char *fail_stats = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  static const char *const presets[] = {
    "trl", "trl-chat", "kto", "contextual", "distilabel", "batch-requests",
  };

  if (g_getenv ("CLAIR_CLI") == NULL || g_getenv ("CLAIR_TEST_SERVER") == NULL)
    {
      g_test_skip ("CLAIR_CLI or CLAIR_TEST_SERVER is not set");
      return;
    }

  for (guint i = 0; i < 40; i++)
    g_string_append_printf (text, "{\"task\":\"Task %u\",\"student_solution\":\"answer  %u\"}\n",
                            i, i);
  g_file_set_contents (dataset_path, text->str, text->len, &error);
  g_assert_no_error (error);
  g_file_set_contents (key_file, TEST_KEY "\n", -1, &error);
  g_assert_no_error (error);
  server = start_test_server ("latency=60", &base_url);
  g_assert_nonnull (server);
  url_arg = g_strdup_printf ("--base-url=%s", base_url);

  /* 1. The key from the environment: a first run over half the rows. */
  {
    const char *env[] = { "CLAIR_API_KEY", TEST_KEY, NULL };
    const char *argv[] = { "run", dataset_path, "--project", project_path, url_arg, "--model=mock",
                           "--concurrency=2", "--limit=20", NULL };
    CliResult result = { 0, };

    run_cli (&result, env, TRUE, TRUE, argv);
    g_test_message ("run (CLAIR_API_KEY): exit %d", result.status);
    g_assert_cmpint (result.status, ==, 0);
    assert_no_key_in ("the output of clair run", result.out, strlen (result.out));
    assert_no_key_in ("the messages of clair run", result.err, strlen (result.err));
    /* Loopback HTTP is not flagged. */
    g_assert_null (strstr (result.err, "plain HTTP"));
    cli_result_clear (&result);
  }
  stats = clair_test_server_stats_text (base_url);
  /* The key did reach the server, so the searches below look for something real. */
  g_assert_nonnull (strstr (stats, "\"last_authorization\":\"Bearer " TEST_KEY "\""));

  /* 2. The key from a file: the rest of the rows; not even the environment holds it. */
  {
    const char *argv[] = { "run", project_path, url_arg, "--model=mock", "--concurrency=2",
                           key_arg, NULL };
    CliResult result = { 0, };

    run_cli (&result, NULL, FALSE, TRUE, argv);
    g_test_message ("run (--api-key-file): exit %d", result.status);
    g_assert_cmpint (result.status, ==, 0);
    assert_no_key_in ("the output of clair run", result.out, strlen (result.out));
    assert_no_key_in ("the messages of clair run", result.err, strlen (result.err));
    cli_result_clear (&result);
  }

  /* 3. A server that refuses the key: the fatal message names the problem, not the key. */
  {
    const char *env[] = { "CLAIR_API_KEY", TEST_KEY, NULL };
    const char *argv[] = { "run", project_path, url_arg, "--model=mock;status=401", "--rerun=all",
                           "--force", "--concurrency=2", NULL };
    CliResult result = { 0, };

    run_cli (&result, env, TRUE, FALSE, argv);
    g_test_message ("run (401): exit %d: %s", result.status, result.err);
    g_assert_cmpint (result.status, ==, 1);
    assert_no_key_in ("the output of clair run", result.out, strlen (result.out));
    assert_no_key_in ("the messages of clair run", result.err, strlen (result.err));
    cli_result_clear (&result);
  }

  /* 4. Every file the project consists of, and every export. */
  {
    g_autofree char *wal = g_strconcat (project_path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (project_path, "-shm", NULL);

    assert_no_key_in_file (project_path);
    assert_no_key_in_file (wal);
    assert_no_key_in_file (shm);
  }
  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    {
      g_autofree char *out_path = path_in (fixture, presets[i]);
      g_autofree char *format_arg = g_strdup_printf ("--format=%s", presets[i]);
      const char *argv[] = { "export", project_path, format_arg, "--select=all", "-o", out_path,
                             "--model=mock", NULL };
      const char *env[] = { "CLAIR_API_KEY", TEST_KEY, NULL };
      CliResult result = { 0, };

      run_cli (&result, env, TRUE, FALSE, argv);
      g_assert_cmpint (result.status, ==, 0);
      g_assert_true (g_file_test (out_path, G_FILE_TEST_EXISTS));
      assert_no_key_in_file (out_path);
      assert_no_key_in ("the messages of clair export", result.err, strlen (result.err));
      cli_result_clear (&result);
    }
  {
    const char *argv[] = { "show", project_path, "--json", NULL };
    const char *env[] = { "CLAIR_API_KEY", TEST_KEY, NULL };
    CliResult result = { 0, };

    run_cli (&result, env, TRUE, FALSE, argv);
    assert_no_key_in ("clair show --json", result.out, strlen (result.out));
    cli_result_clear (&result);
  }

  g_subprocess_force_exit (server);
  g_subprocess_wait (server, NULL, NULL);
}

/* Plain HTTP to another machine: the CLI warns before it sends the key anywhere. */
static void
test_insecure_endpoint_warned (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autofree char *dataset_path = path_in (fixture, "one.jsonl");
  g_autofree char *project_path = path_in (fixture, "one.clair");
  g_autoptr(GError) error = NULL;
  /* TEST-NET-1 (RFC 5737): never routed, so nothing is ever sent anywhere. */
  const char *env[] = { "CLAIR_API_KEY", TEST_KEY, NULL };
  const char *argv[] = { "run", dataset_path, "--project", project_path,
                         "--base-url=http://192.0.2.1:9/v1", "--model=mock", "--timeout=1",
                         "--retries=0", NULL };
  CliResult result = { 0, };

  if (g_getenv ("CLAIR_CLI") == NULL)
    {
      g_test_skip ("CLAIR_CLI is not set");
      return;
    }
  g_file_set_contents (dataset_path, "{\"task\":\"T\",\"student_solution\":\"S\"}\n", -1, &error);
  g_assert_no_error (error);

  run_cli (&result, env, TRUE, FALSE, argv);
  g_test_message ("exit %d: %s", result.status, result.err);
  g_assert_nonnull (strstr (result.err, "plain HTTP"));
  g_assert_nonnull (strstr (result.err, "192.0.2.1"));
  assert_no_key_in ("the messages of clair run", result.err, strlen (result.err));
  g_assert_cmpint (result.status, !=, 0);
  cli_result_clear (&result);
}

/* ------------------------------------------------------------------------------------------------
 * No key in a core file: a real SIGQUIT, with core files allowed (ulimit -c unlimited). */

static void
allow_core_files (gpointer user_data)
{
  struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };

  setrlimit (RLIMIT_CORE, &unlimited);
  /* An ignored SIGQUIT stays ignored across exec: a suite started in the background by a shell
   * without job control would otherwise wait for a process the signal never ends. */
  signal (SIGQUIT, SIG_DFL);
  clair_test_die_with_parent (NULL);
}

static char *
find_core_file (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    if (g_str_has_prefix (name, "core"))
      return g_build_filename (dir, name, NULL);
  return NULL;
}

/* Runs `clair run` against a server that never answers, quits it with SIGQUIT while it waits and
 * returns the core file it left in @dir, if any. */
static char *
quit_running_cli (Fixture    *fixture,
                  const char *base_url,
                  const char *key)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dataset_path = path_in (fixture, "quit.jsonl");
  g_autofree char *project_path = g_strdup_printf ("%s/quit-%s.clair", fixture->dir, key ? "key" : "nokey");
  g_autofree char *url_arg = g_strdup_printf ("--base-url=%s", base_url);

  g_file_set_contents (dataset_path, "{\"task\":\"T\",\"student_solution\":\"S\"}\n", -1, &error);
  g_assert_no_error (error);
  g_subprocess_launcher_set_cwd (launcher, fixture->dir);
  g_subprocess_launcher_set_child_setup (launcher, allow_core_files, NULL, NULL);
  g_subprocess_launcher_unsetenv (launcher, "CLAIR_API_KEY");
  if (key != NULL)
    g_subprocess_launcher_setenv (launcher, "CLAIR_API_KEY", key, TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("CLAIR_CLI"), "run", dataset_path,
                                         "--project", project_path, url_arg, "--model=mock", NULL);
  g_assert_no_error (error);
  /* Long enough for the request to be in flight (the server holds it). */
  g_usleep (800 * 1000);
  g_subprocess_send_signal (process, SIGQUIT);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (process));
  g_assert_cmpint (g_subprocess_get_term_sig (process), ==, SIGQUIT);
  return find_core_file (fixture->dir);
}

static void
test_no_key_in_core (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GSubprocess) server = NULL;
  g_autofree char *base_url = NULL;
  g_autofree char *pattern = NULL;
  g_autofree char *control = NULL;
  g_autofree char *with_key = NULL;

  if (g_getenv ("CLAIR_CLI") == NULL || g_getenv ("CLAIR_TEST_SERVER") == NULL)
    {
      g_test_skip ("CLAIR_CLI or CLAIR_TEST_SERVER is not set");
      return;
    }
  /* Core files must land in the working directory for this test to see them. */
  if (!g_file_get_contents ("/proc/sys/kernel/core_pattern", &pattern, NULL, NULL) ||
      pattern[0] == '|' || pattern[0] == '/')
    {
      g_test_skip ("core files go elsewhere here (core_pattern)");
      return;
    }
  server = start_test_server ("hang=1", &base_url);
  g_assert_nonnull (server);

  /* Without a key the process dumps core as usual: the test can see a core file. */
  control = quit_running_cli (fixture, base_url, NULL);
  if (control == NULL)
    {
      g_test_skip ("this system writes no core files, even when allowed");
      return;
    }
  g_unlink (control);

  /* Holding a key, it marks itself non-dumpable: no core file, so no key on disk. */
  with_key = quit_running_cli (fixture, base_url, TEST_KEY);
  if (with_key != NULL)
    {
      g_autofree char *contents = NULL;
      gsize len = 0;

      g_file_get_contents (with_key, &contents, &len, NULL);
      g_test_message ("a core file was written (%" G_GSIZE_FORMAT " bytes)", len);
      assert_no_key_in (with_key, contents, len);
    }
  g_assert_null (with_key);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/secrets/endpoint-insecure", test_endpoint_insecure);
  g_test_add ("/secrets/tls-self-signed/client", Fixture, NULL, fixture_setup,
              test_tls_self_signed_client, fixture_teardown);
  g_test_add ("/secrets/tls-self-signed/cli", Fixture, NULL, fixture_setup,
              test_tls_self_signed_cli, fixture_teardown);
  g_test_add ("/secrets/no-key-in-core", Fixture, NULL, fixture_setup, test_no_key_in_core,
              fixture_teardown);
  g_test_add ("/secrets/key-never-leaks", Fixture, NULL, fixture_setup, test_key_never_leaks,
              fixture_teardown);
  g_test_add ("/secrets/insecure-endpoint-warned", Fixture, NULL, fixture_setup,
              test_insecure_endpoint_warned, fixture_teardown);

  return g_test_run ();
}
