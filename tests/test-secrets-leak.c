/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-secrets-leak"

#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "clair-client.h"
#include "clair-endpoint.h"
#include "clair-export.h"
#include "clair-project.h"

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

/* A certificate made now with openssl (so it never expires in the repository), for
 * CN=localhost and SAN 127.0.0.1. Returns FALSE when openssl or TLS support is missing. */
static gboolean
tls_server_start (Fixture   *fixture,
                  TlsServer *tls)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autofree char *cert_path = path_in (fixture, "cert.pem");
  g_autofree char *key_path = path_in (fixture, "key.pem");
  g_autofree char *err = NULL;
  GSList *uris;
  int status;

  if (openssl == NULL || !g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    return FALSE;

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
  tls->server = soup_server_new ("tls-certificate", certificate, NULL);
  soup_server_add_handler (tls->server, NULL, tls_handler_cb, tls, NULL);
  soup_server_listen_local (tls->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY | SOUP_SERVER_LISTEN_HTTPS,
                            &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (tls->server);
  g_assert_nonnull (uris);
  tls->base_url = g_strdup_printf ("https://127.0.0.1:%d/v1", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return TRUE;
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

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/secrets/endpoint-insecure", test_endpoint_insecure);
  g_test_add ("/secrets/tls-self-signed/client", Fixture, NULL, fixture_setup,
              test_tls_self_signed_client, fixture_teardown);

  return g_test_run ();
}
