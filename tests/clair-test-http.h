/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The HTTP servers tests talk to, written once: clair-test-server (tests/clair-test-server.c) run
 * as a child process, its /stats counters, and an HTTPS SoupServer in this process with a
 * self-signed certificate made for the run.
 * Static inline, as test-util.h, so a test that leaves one unused still builds warning-free. */

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

typedef struct
{
  GSubprocess *process;
  char        *url;       /* the base URL it printed, http://127.0.0.1:N/v1 */
} ClairTestServer;

static inline void
clair_test_die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* Starts CLAIR_TEST_SERVER with `--set @directives` (may be NULL) and `--seed @seed` (when not 0).
 * It goes when this process goes, even when a failed assertion kills it: it is killed with its
 * parent and exits when its stdin, a pipe only this process holds, closes. NULL when
 * CLAIR_TEST_SERVER is not set to a program. */
static inline ClairTestServer *
clair_test_server_start_seeded (const char *directives,
                                guint       seed)
{
  const char *binary = g_getenv ("CLAIR_TEST_SERVER");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *set = g_strdup_printf ("--set=%s", directives != NULL ? directives : "");
  g_autofree char *seed_arg = g_strdup_printf ("--seed=%u", seed);
  ClairTestServer *server;

  if (binary == NULL || !g_file_test (binary, G_FILE_TEST_IS_EXECUTABLE))
    return NULL;
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, clair_test_die_with_parent, NULL, NULL);
  server = g_new0 (ClairTestServer, 1);
  server->process = g_subprocess_launcher_spawn (launcher, &error, binary, "--exit-with-stdin",
                                                 set, seed != 0 ? seed_arg : NULL, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  server->url = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (server->url);
  g_assert_true (g_str_has_prefix (server->url, "http://127.0.0.1:"));
  return server;
}

/* The same without a seed; a test that needs the server fails when it cannot start. */
static inline ClairTestServer *
clair_test_server_start (const char *directives)
{
  ClairTestServer *server = clair_test_server_start_seeded (directives, 0);

  if (server == NULL)
    g_error ("CLAIR_TEST_SERVER is not set to the test server");
  return server;
}

static inline void
clair_test_server_stop (ClairTestServer *server)
{
  if (server == NULL)
    return;
  g_subprocess_force_exit (server->process);
  g_subprocess_wait (server->process, NULL, NULL);
  g_object_unref (server->process);
  g_free (server->url);
  g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClairTestServer, clair_test_server_stop)

/* The server's counters (GET /stats beside the /v1 of @base_url) as the JSON text it sent. */
static inline char *
clair_test_server_stats_text (const char *base_url)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  gsize len = strlen (base_url);
  g_autofree char *url = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_str_has_suffix (base_url, "/v1"));
  url = g_strdup_printf ("%.*s/stats", (int) (len - 3), base_url);
  msg = soup_message_new ("GET", url);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  return g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

/* The same as an object (a new reference). */
static inline JsonObject *
clair_test_server_stats (const char *base_url)
{
  g_autofree char *text = clair_test_server_stats_text (base_url);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* An HTTPS server in this process answering every request with @callback, its certificate (for
 * CN=localhost, SAN 127.0.0.1) made now with openssl in @dir, so none expires in the repository.
 * Its base URL, https://127.0.0.1:N/v1, goes to @base_url. NULL when openssl or TLS support
 * (glib-networking) is missing: the caller skips. */
static inline SoupServer *
clair_test_tls_server_new (const char         *dir,
                           SoupServerCallback  callback,
                           gpointer            user_data,
                           char              **base_url)
{
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autofree char *cert_path = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *key_path = g_build_filename (dir, "key.pem", NULL);
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  SoupServer *server;
  GSList *uris;
  int status = 0;

  if (openssl == NULL || !g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    return NULL;

  {
    const char *argv[] = {
      openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
      "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "-keyout", key_path, "-out", cert_path, NULL
    };
    /* openssl is not ours: keep the sanitizer runtime a sanitized test run preloads out of it. */
    g_auto(GStrv) envp = g_environ_unsetenv (g_get_environ (), "LD_PRELOAD");

    g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
                  &status, &error);
    g_assert_no_error (error);
    if (!g_spawn_check_wait_status (status, NULL))
      g_error ("openssl could not make a certificate: %s", err);
  }

  certificate = g_tls_certificate_new_from_files (cert_path, key_path, &error);
  g_assert_no_error (error);
  server = soup_server_new ("tls-certificate", certificate, NULL);
  soup_server_add_handler (server, NULL, callback, user_data, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY | SOUP_SERVER_LISTEN_HTTPS,
                            &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  g_assert_nonnull (uris);
  *base_url = g_strdup_printf ("https://127.0.0.1:%d/v1", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return server;
}
