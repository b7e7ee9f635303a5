/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-hub"

#include "config.h"

#include <string.h>
#include <utime.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include <libsecret/secret.h>

#include "clair-error.h"
#include "clair-hub.h"
#include "clair-hub-private.h"
#include "clair-project.h"
#include "test-util.h"

/* The Hugging Face Hub against a stand-in: a SoupServer answering the revision and Parquet APIs
 * and `resolve` downloads, which it redirects to a second SoupServer on another port (the CDN).
 * Both run in a thread of their own, so the synchronous API and the `clair` binary can be tested
 * against them. The CDN counts Authorization headers (there must be none), honours Range, and
 * can cut or stall a body half-way. */

#define SHA_JSONL     "1111111111111111111111111111111111111111"
#define SHA_CONVERTED "2222222222222222222222222222222222222222"
#define SHA_PARQUET   "3333333333333333333333333333333333333333"
#define GOOD_TOKEN    "hf_GoodTokenForTheStandIn0123456789"
#define BAD_TOKEN     "hf_WrongTokenWhichTheHubRefuses987654"

typedef struct
{
  const char *repo;       /* ORG/NAME */
  const char *revision;   /* a sha */
  const char *path;
  GBytes     *bytes;
} Blob;

typedef struct
{
  GMutex        lock;
  GCond         ready;
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  SoupServer   *hub;
  SoupServer   *cdn;
  char         *hub_url;
  char         *cdn_url;
  GPtrArray    *blobs;
  /* What was asked; read and reset by the tests under @lock. */
  guint         hub_requests;
  guint         hub_with_token;
  guint         cdn_requests;
  guint         cdn_with_auth;
  char         *last_range;
  /* Misbehaviour. */
  int           rate_limited;    /* 429s left for org/ratelimited */
  char         *cut_path;        /* the CDN sends half of it once, then cuts the connection */
  char         *stall_path;      /* the CDN sends half of it once, then nothing */
  char         *expired_path;    /* the CDN answers 403, as for an expired signed link */
  gboolean      wrong_ranges;    /* the CDN answers a range request from the file's start */
} Stand;

static Stand stand;
static char *tmpdir;
/* The session bus the `clair` runs see: none, but in the keyring test. */
static const char *cli_bus_address = "unix:path=/nonexistent";

static const char train_jsonl[] =
  "{\"task\":\"What is 2+2?\",\"student_solution\":\"5\",\"id\":1}\n"
  "{\"task\":\"Name a colour.\",\"student_solution\":\"Blau — bleu\",\"id\":2}\n"
  "{\"task\":\"Capital of France?\",\"student_solution\":\"Lyon\",\"id\":3}\n";
static const char test_jsonl[] =
  "{\"task\":\"1+1?\",\"student_solution\":\"3\"}\n";
static const char extra_csv[] = "task,student_solution\nQ,A\n";

static GBytes *
pattern_bytes (gsize  len,
               guint  seed)
{
  guint8 *data = g_malloc (len);

  for (gsize i = 0; i < len; i++)
    data[i] = (guint8) ((i * 31 + seed * 7 + (i >> 8)) & 0xff);
  memcpy (data, "PAR1", MIN (len, 4));
  return g_bytes_new_take (data, len);
}

static GBytes *
text_bytes (const char *text)
{
  return g_bytes_new_static (text, strlen (text));
}

static void
add_blob (const char *repo,
          const char *revision,
          const char *path,
          GBytes     *bytes)
{
  Blob *blob = g_new0 (Blob, 1);

  blob->repo = repo;
  blob->revision = revision;
  blob->path = path;
  blob->bytes = bytes;
  g_ptr_array_add (stand.blobs, blob);
}

static const Blob *
find_blob (const char *repo,
           const char *revision,
           const char *path)
{
  for (guint i = 0; i < stand.blobs->len; i++)
    {
      const Blob *blob = g_ptr_array_index (stand.blobs, i);

      if (g_str_equal (blob->repo, repo) && g_str_equal (blob->revision, revision) &&
          g_str_equal (blob->path, path))
        return blob;
    }
  return NULL;
}

/* The stand-in Hub */

static void
set_json (SoupServerMessage *msg,
          guint              status,
          const char        *json)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json, strlen (json));
}

static void
set_hub_error (SoupServerMessage *msg,
               guint              status,
               const char        *code,
               const char        *message)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autofree char *body = g_strdup_printf ("{\"error\":\"%s\"}", message);

  soup_message_headers_replace (headers, "X-Error-Code", code);
  soup_message_headers_replace (headers, "X-Error-Message", message);
  set_json (msg, status, body);
}

static char *
siblings_json (const char *repo,
               const char *revision)
{
  g_autoptr(GString) out = g_string_new ("[{\"rfilename\":\"README.md\",\"size\":12}");

  for (guint i = 0; i < stand.blobs->len; i++)
    {
      const Blob *blob = g_ptr_array_index (stand.blobs, i);

      if (g_str_equal (blob->repo, repo) && g_str_equal (blob->revision, revision))
        g_string_append_printf (out, ",{\"rfilename\":\"%s\",\"size\":%" G_GSIZE_FORMAT "}",
                                blob->path, g_bytes_get_size (blob->bytes));
    }
  /* Listed, but gone when asked for. */
  if (g_str_equal (repo, "org/jsonl"))
    g_string_append (out, ",{\"rfilename\":\"data/vanished.csv\",\"size\":10}");
  g_string_append_c (out, ']');
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Which repository answers as which: gated and rate-limited ones serve org/jsonl's files. */
static const char *
backing_repo (const char *repo)
{
  if (g_str_equal (repo, "org/gated") || g_str_equal (repo, "org/ratelimited"))
    return "org/jsonl";
  return repo;
}

static void
hub_revision (SoupServerMessage *msg,
              const char        *repo,
              const char        *revision)
{
  g_autofree char *siblings = NULL;
  g_autofree char *body = NULL;
  const char *sha;

  if (g_str_equal (repo, "org/converted") && g_str_equal (revision, "refs/convert/parquet"))
    sha = SHA_PARQUET;
  else if (g_str_equal (repo, "org/converted") &&
           (g_str_equal (revision, "main") || g_str_equal (revision, SHA_CONVERTED)))
    sha = SHA_CONVERTED;
  else if (g_str_equal (backing_repo (repo), "org/jsonl") &&
           (g_str_equal (revision, "main") || g_str_equal (revision, SHA_JSONL)))
    sha = SHA_JSONL;
  else if (g_str_equal (backing_repo (repo), "org/jsonl") || g_str_equal (repo, "org/converted"))
    {
      set_hub_error (msg, 404, "RevisionNotFound", "Invalid rev id");
      return;
    }
  else
    {
      set_hub_error (msg, 404, "RepoNotFound", "Repository not found");
      return;
    }
  siblings = siblings_json (backing_repo (repo), sha);
  body = g_strdup_printf ("{\"id\":\"%s\",\"sha\":\"%s\",\"siblings\":%s}", repo, sha, siblings);
  set_json (msg, 200, body);
}

static void
hub_parquet (SoupServerMessage *msg,
             const char        *repo)
{
  g_autofree char *body = NULL;
  const char *base = stand.hub_url;

  if (!g_str_equal (repo, "org/converted"))
    {
      set_hub_error (msg, 404, "DatasetNotConverted", "No parquet conversion");
      return;
    }
  body = g_strdup_printf ("{\"default\":{"
                          "\"train\":[\"%s/api/datasets/%s/parquet/default/train/0.parquet\","
                          "\"%s/api/datasets/%s/parquet/default/train/1.parquet\"],"
                          "\"test\":[\"%s/api/datasets/%s/parquet/default/test/0.parquet\"]},"
                          "\"extra\":{"
                          "\"train\":[\"%s/api/datasets/%s/parquet/extra/train/0.parquet\"]}}",
                          base, repo, base, repo, base, repo, base, repo);
  set_json (msg, 200, body);
}

static void
hub_resolve (SoupServerMessage *msg,
             const char        *repo,
             const char        *revision,
             const char        *path)
{
  g_autofree char *unescaped_revision = g_uri_unescape_string (revision, NULL);
  g_autofree char *location = NULL;

  if (find_blob (backing_repo (repo), unescaped_revision, path) == NULL)
    {
      set_hub_error (msg, 404, "EntryNotFound", "Entry not found");
      return;
    }
  location = g_strdup_printf ("%s/blob/%s/%s/%s", stand.cdn_url, backing_repo (repo),
                              unescaped_revision, path);
  soup_server_message_set_redirect (msg, 302, location);
}

static void
hub_cb (SoupServer        *server,
        SoupServerMessage *msg,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *auth = soup_message_headers_get_one (headers, "Authorization");
  const char *raw_path = g_uri_get_path (soup_server_message_get_uri (msg));
  g_auto(GStrv) parts = g_strsplit (raw_path, "/", 0);
  guint n = g_strv_length (parts);
  g_autofree char *repo = n > 4 ? g_strdup_printf ("%s/%s", parts[3], parts[4]) : g_strdup ("");
  gboolean good = g_strcmp0 (auth, "Bearer " GOOD_TOKEN) == 0;

  g_mutex_lock (&stand.lock);
  stand.hub_requests++;
  stand.hub_with_token += good;
  g_mutex_unlock (&stand.lock);

  /* parts: "", "api", "datasets", ORG, NAME, …  or  "", "datasets", ORG, NAME, "resolve", … */
  if (n > 3 && g_str_equal (parts[1], "datasets"))
    {
      g_free (repo);
      repo = g_strdup_printf ("%s/%s", parts[2], parts[3]);
    }

  if (g_str_equal (repo, "org/gated") && !good)
    {
      if (auth == NULL)
        set_hub_error (msg, 401, "GatedRepo",
                       "Access to dataset org/gated is restricted. You must be authenticated.");
      else
        {
          /* Echoes the credentials, as some servers do: the client must redact them. */
          g_autofree char *echo = NULL;

          echo = g_strdup_printf ("Invalid credentials in Authorization header: %s", auth);

          set_hub_error (msg, 401, "InvalidCredentials", echo);
        }
      return;
    }
  if (g_str_equal (repo, "org/ratelimited"))
    {
      gboolean limited;

      g_mutex_lock (&stand.lock);
      limited = stand.rate_limited > 0;
      if (limited)
        stand.rate_limited--;
      g_mutex_unlock (&stand.lock);
      if (limited)
        {
          soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                        "Retry-After", "1");
          set_hub_error (msg, 429, "RateLimited", "Too many requests");
          return;
        }
    }

  if (n >= 7 && g_str_equal (parts[1], "api") && g_str_equal (parts[5], "revision"))
    {
      /* The server hands the path over decoded: refs%2Fconvert%2Fparquet comes as three parts. */
      g_autofree char *revision = g_strjoinv ("/", parts + 6);

      hub_revision (msg, repo, revision);
    }
  else if (n == 6 && g_str_equal (parts[1], "api") && g_str_equal (parts[5], "parquet"))
    hub_parquet (msg, repo);
  else if (n >= 7 && g_str_equal (parts[1], "datasets") && g_str_equal (parts[4], "resolve"))
    {
      g_autofree char *file = g_strjoinv ("/", parts + 6);

      hub_resolve (msg, repo, parts[5], file);
    }
  else
    set_hub_error (msg, 404, "RepoNotFound", "Repository not found");
}

/* The stand-in CDN */

static gboolean
cut_cb (gpointer user_data)
{
  SoupServerMessage *msg = user_data;
  GSocket *socket = soup_server_message_get_socket (msg);

  if (socket != NULL)
    g_socket_shutdown (socket, TRUE, TRUE, NULL);
  soup_message_body_complete (soup_server_message_get_response_body (msg));
  soup_server_message_unpause (msg);
  g_object_unref (msg);
  return G_SOURCE_REMOVE;
}

static void
cdn_cb (SoupServer        *server,
        SoupServerMessage *msg,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response = soup_server_message_get_response_headers (msg);
  const char *raw_path = g_uri_get_path (soup_server_message_get_uri (msg));
  g_auto(GStrv) parts = g_strsplit (raw_path, "/", 0);
  g_autofree char *repo = NULL;
  g_autofree char *file = NULL;
  const Blob *blob;
  gsize len;
  const char *data;
  gboolean cut, stall, expired, wrong_ranges;
  SoupRange *ranges = NULL;
  int n_ranges = 0;

  g_mutex_lock (&stand.lock);
  stand.cdn_requests++;
  stand.cdn_with_auth += soup_message_headers_get_one (request, "Authorization") != NULL;
  g_free (stand.last_range);
  stand.last_range = g_strdup (soup_message_headers_get_one (request, "Range"));
  g_mutex_unlock (&stand.lock);

  /* "", "blob", ORG, NAME, SHA, PATH… */
  if (g_strv_length (parts) < 6)
    {
      soup_server_message_set_status (msg, 404, NULL);
      return;
    }
  repo = g_strdup_printf ("%s/%s", parts[2], parts[3]);
  file = g_strjoinv ("/", parts + 5);
  blob = find_blob (repo, parts[4], file);
  if (blob == NULL)
    {
      soup_server_message_set_status (msg, 404, NULL);
      return;
    }
  data = g_bytes_get_data (blob->bytes, &len);

  g_mutex_lock (&stand.lock);
  cut = g_strcmp0 (stand.cut_path, file) == 0;
  stall = g_strcmp0 (stand.stall_path, file) == 0;
  expired = g_strcmp0 (stand.expired_path, file) == 0;
  wrong_ranges = stand.wrong_ranges;
  if (cut)
    g_clear_pointer (&stand.cut_path, g_free);
  if (stall)
    g_clear_pointer (&stand.stall_path, g_free);
  g_mutex_unlock (&stand.lock);

  if (expired)
    {
      soup_server_message_set_status (msg, 403, NULL);
      soup_server_message_set_response (msg, "text/xml", SOUP_MEMORY_STATIC,
                                        "<Error>Request has expired</Error>", 34);
      return;
    }
  if (cut || stall)
    {
      /* Promise the whole file, send half. */
      soup_server_message_set_status (msg, 200, NULL);
      soup_message_headers_set_content_length (response, len);
      soup_message_body_append (soup_server_message_get_response_body (msg), SOUP_MEMORY_STATIC,
                                data, len / 2);
      soup_server_message_pause (msg);
      soup_server_message_unpause (msg);
      if (cut)
        {
          GSource *source = g_timeout_source_new (100);

          g_source_set_callback (source, cut_cb, g_object_ref (msg), NULL);
          g_source_attach (source, stand.context);
          g_source_unref (source);
        }
      return;
    }

  if (soup_message_headers_get_ranges (request, len, &ranges, &n_ranges) && n_ranges == 1)
    {
      goffset start = wrong_ranges ? 0 : ranges[0].start;
      goffset end = ranges[0].end;

      soup_message_headers_free_ranges (request, ranges);
      if (start >= (goffset) len)
        {
          soup_server_message_set_status (msg, 416, NULL);
          return;
        }
      soup_server_message_set_status (msg, 206, NULL);
      soup_message_headers_set_content_range (response, start, end, len);
      soup_server_message_set_response (msg, "application/octet-stream", SOUP_MEMORY_STATIC,
                                        data + start, end - start + 1);
      return;
    }
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/octet-stream", SOUP_MEMORY_STATIC, data, len);
}

static char *
listen_url (SoupServer *server)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;
  char *url;

  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  /* No trailing slash: the endpoint is written as users write it. */
  if (g_str_has_suffix (url, "/"))
    url[strlen (url) - 1] = '\0';
  return url;
}

static gpointer
stand_thread (gpointer user_data)
{
  g_main_context_push_thread_default (stand.context);
  stand.hub = soup_server_new ("server-header", "hub-stand-in ", NULL);
  stand.cdn = soup_server_new ("server-header", "cdn-stand-in ", NULL);
  soup_server_add_handler (stand.hub, NULL, hub_cb, NULL, NULL);
  soup_server_add_handler (stand.cdn, NULL, cdn_cb, NULL, NULL);

  g_mutex_lock (&stand.lock);
  stand.hub_url = listen_url (stand.hub);
  stand.cdn_url = listen_url (stand.cdn);
  g_cond_signal (&stand.ready);
  g_mutex_unlock (&stand.lock);

  g_main_loop_run (stand.loop);
  g_main_context_pop_thread_default (stand.context);
  return NULL;
}

/* Started by the first test that needs it, after the tests that change the environment: setenv()
 * is not safe once other threads run. */
static void
stand_start (void)
{
  if (stand.thread != NULL)
    return;
  g_mutex_init (&stand.lock);
  g_cond_init (&stand.ready);
  stand.blobs = g_ptr_array_new_with_free_func (g_free);
  add_blob ("org/jsonl", SHA_JSONL, "data/train.jsonl", text_bytes (train_jsonl));
  add_blob ("org/jsonl", SHA_JSONL, "data/test.jsonl", text_bytes (test_jsonl));
  add_blob ("org/jsonl", SHA_JSONL, "extra/other-validation.csv", text_bytes (extra_csv));
  add_blob ("org/converted", SHA_PARQUET, "default/train/0000.parquet", pattern_bytes (300000, 1));
  add_blob ("org/converted", SHA_PARQUET, "default/train/0001.parquet", pattern_bytes (70001, 2));
  add_blob ("org/converted", SHA_PARQUET, "default/test/0000.parquet", pattern_bytes (5000, 3));
  add_blob ("org/converted", SHA_PARQUET, "extra/partial-train/0000.parquet",
            pattern_bytes (4000, 4));
  add_blob ("org/converted", SHA_CONVERTED, "data/train.jsonl", text_bytes (train_jsonl));

  stand.context = g_main_context_new ();
  stand.loop = g_main_loop_new (stand.context, FALSE);
  g_mutex_lock (&stand.lock);
  stand.thread = g_thread_new ("hub-stand-in", stand_thread, NULL);
  while (stand.cdn_url == NULL)
    g_cond_wait (&stand.ready, &stand.lock);
  g_mutex_unlock (&stand.lock);
}

static void
stand_reset_counts (void)
{
  g_mutex_lock (&stand.lock);
  stand.hub_requests = stand.hub_with_token = stand.cdn_requests = stand.cdn_with_auth = 0;
  g_clear_pointer (&stand.last_range, g_free);
  g_mutex_unlock (&stand.lock);
}

static guint
count (guint *counter)
{
  guint value;

  g_mutex_lock (&stand.lock);
  value = *counter;
  g_mutex_unlock (&stand.lock);
  return value;
}

/* A hub on the stand-in with a cache folder of its own. */
static ClairHub *
make_hub (const char *cache_name,
          const char *token)
{
  ClairHub *hub = NULL;
  g_autofree char *cache = g_build_filename (tmpdir, cache_name, NULL);

  stand_start ();
  hub = clair_hub_new ();
  clair_hub_set_endpoint (hub, stand.hub_url);
  clair_hub_set_cache_dir (hub, cache);
  clair_hub_set_token (hub, token);
  clair_hub_set_retry_limits (hub, 5, 3);
  return hub;
}

static GBytes *
blob_bytes (const char *repo,
            const char *revision,
            const char *path)
{
  const Blob *blob = find_blob (repo, revision, path);

  g_assert_nonnull (blob);
  return blob->bytes;
}

/* Downloads CONFIG/SPLIT of @listing. */
static char *
download (ClairHub         *hub,
          ClairHubListing  *listing,
          const char       *config,
          const char       *split,
          ClairHubProgress  progress,
          gpointer          progress_data,
          GError          **error)
{
  const ClairHubSplit *chosen = clair_hub_listing_get_split (listing, config, split);

  g_assert_nonnull (chosen);
  return clair_hub_download_split (hub, listing, chosen, progress, progress_data, NULL, error);
}

static char *
download_file (ClairHub         *hub,
               ClairHubListing  *listing,
               const char       *path,
               GError          **error)
{
  return clair_hub_download_file (hub, listing, path, NULL, NULL, NULL, error);
}

static void
assert_file_is (const char *local,
                GBytes     *expected)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (local, &contents, &len, NULL));
  g_assert_cmpmem (contents, len, g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));
}

/* Names */

static void
test_parse (void)
{
  static const struct {
    const char *text;
    const char *repo;
    const char *revision;
    const char *path;
  } good[] = {
    { "hf://datasets/org/name", "org/name", NULL, NULL },
    { "hf://datasets/org/name/", "org/name", NULL, NULL },
    { "hf://datasets/Org-1/na.me_2@v1.0", "Org-1/na.me_2", "v1.0", NULL },
    { "hf://datasets/org/name@refs%2Fconvert%2Fparquet/default/train/0000.parquet", "org/name",
      "refs/convert/parquet", "default/train/0000.parquet" },
    { "hf://datasets/org/name@refs/convert/parquet/default/train/0000.parquet", "org/name",
      "refs/convert/parquet", "default/train/0000.parquet" },
    { "hf://datasets/org/name@refs/pr/12", "org/name", "refs/pr/12", NULL },
    { "hf://datasets/org/name@refs/heads/x", "org/name", "refs", "heads/x" },
    { "hf://datasets/org/name/data/train.jsonl", "org/name", NULL, "data/train.jsonl" },
    { "org/name", "org/name", NULL, NULL },
    { "org/name@" SHA_JSONL, "org/name", SHA_JSONL, NULL },
  };
  static const char * const bad[] = {
    "hf://models/org/name", "hf://datasets/org", "hf://datasets/", "hf://datasets/../name",
    "hf://datasets/org/name/../../../etc/passwd", "hf://datasets/org/name/data//x.jsonl",
    "hf://datasets/org/na me", "hf://datasets/org/name@", "hf://datasets/org/.name",
    "org/name/./x", "hf://datasets/org/name@a%0Ab",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      ClairHubRef ref;

      g_assert_true (clair_hub_ref_parse (good[i].text, &ref, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (ref.repo_id, ==, good[i].repo);
      g_assert_cmpstr (ref.revision, ==, good[i].revision);
      g_assert_cmpstr (ref.path, ==, good[i].path);
      clair_hub_ref_clear (&ref);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      ClairHubRef ref;

      g_assert_false (clair_hub_ref_parse (bad[i], &ref, &error));
      g_assert_nonnull (error);
      g_assert_null (ref.repo_id);
    }
  g_assert_true (clair_hub_is_uri ("hf://datasets/a/b"));
  g_assert_false (clair_hub_is_uri ("data/train.jsonl"));
}

/* Tokens: HF_TOKEN, then $HF_HOME/token, then ~/.cache/huggingface/token. */
static void
test_token_order (void)
{
  g_autofree char *home = g_build_filename (tmpdir, "home", NULL);
  g_autofree char *hf_home = g_build_filename (tmpdir, "hf-home", NULL);
  g_autofree char *default_dir = g_build_filename (home, ".cache", "huggingface", NULL);
  g_autofree char *default_file = g_build_filename (default_dir, "token", NULL);
  g_autofree char *hf_home_file = g_build_filename (hf_home, "token", NULL);
  g_autoptr(ClairHub) none = NULL;
  g_autoptr(ClairHub) from_default = NULL;
  g_autoptr(ClairHub) from_hf_home = NULL;
  g_autoptr(ClairHub) from_env = NULL;
  g_autoptr(ClairHub) disabled = NULL;

  g_assert_cmpint (g_mkdir_with_parents (default_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (hf_home, 0700), ==, 0);
  g_unsetenv ("HF_TOKEN");
  g_unsetenv ("HF_HOME");
  g_unsetenv ("XDG_CACHE_HOME");

  none = clair_hub_new ();
  g_assert_false (clair_hub_has_token (none));
  g_assert_cmpstr (clair_hub_get_endpoint (none), ==, CLAIR_HUB_DEFAULT_ENDPOINT);

  g_assert_true (g_file_set_contents (default_file, "  hf_fromdefaultfile0123456789\n", -1, NULL));
  from_default = clair_hub_new ();
  g_assert_true (clair_hub_has_token (from_default));
  g_assert_cmpstr (clair_hub_get_token_source (from_default), ==, default_file);

  g_assert_true (g_file_set_contents (hf_home_file, "hf_fromhfhome0123456789\n", -1, NULL));
  g_setenv ("HF_HOME", hf_home, TRUE);
  from_hf_home = clair_hub_new ();
  g_assert_cmpstr (clair_hub_get_token_source (from_hf_home), ==, hf_home_file);

  g_setenv ("HF_TOKEN", "hf_fromenvironment0123456789", TRUE);
  g_setenv ("HF_ENDPOINT", "http://127.0.0.1:9/", TRUE);
  from_env = clair_hub_new ();
  g_assert_cmpstr (clair_hub_get_token_source (from_env), ==, "HF_TOKEN");
  g_assert_cmpstr (clair_hub_get_endpoint (from_env), ==, "http://127.0.0.1:9");

  /* A mirror's password is not repeated where the endpoint is shown. */
  clair_hub_set_endpoint (from_env, "https://user:secret-pass@mirror.example/hf/");
  g_assert_cmpstr (clair_hub_get_endpoint (from_env), ==, "https://user@mirror.example/hf");

  g_setenv ("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1", TRUE);
  disabled = clair_hub_new ();
  g_assert_false (clair_hub_has_token (disabled));

  g_unsetenv ("HF_HUB_DISABLE_IMPLICIT_TOKEN");
  g_unsetenv ("HF_TOKEN");
  g_unsetenv ("HF_HOME");
  g_unsetenv ("HF_ENDPOINT");
  g_unlink (default_file);
  g_unlink (hf_home_file);
}

/* Listing */

static void
test_list_converted (void)
{
  g_autoptr(ClairHub) hub = make_hub ("cache-list", NULL);
  g_autoptr(ClairHubListing) listing = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) splits = NULL;
  const ClairHubSplit *train;
  const ClairHubFile *file;
  const char * const *configs;

  listing = clair_hub_list (hub, "org/converted", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (clair_hub_listing_is_converted (listing));
  g_assert_cmpstr (clair_hub_listing_get_sha (listing), ==, SHA_CONVERTED);
  g_assert_cmpstr (clair_hub_listing_get_revision (listing), ==, "main");
  g_assert_cmpstr (clair_hub_listing_get_files_sha (listing), ==, SHA_PARQUET);
  configs = clair_hub_listing_get_configs (listing);
  g_assert_cmpstr (configs[0], ==, "default");
  g_assert_cmpstr (configs[1], ==, "extra");
  g_assert_null (configs[2]);

  splits = clair_hub_listing_get_splits (listing, "default");
  g_assert_cmpuint (splits->len, ==, 2);
  train = g_ptr_array_index (splits, 0);
  g_assert_cmpstr (train->split, ==, "train");
  g_assert_cmpstr (((ClairHubSplit *) g_ptr_array_index (splits, 1))->split, ==, "test");
  g_assert_cmpuint (train->files->len, ==, 2);
  g_assert_cmpint (train->size, ==, 300000 + 70001);
  file = g_ptr_array_index (train->files, 1);
  g_assert_cmpstr (file->path, ==, "default/train/0001.parquet");
  g_assert_cmpint (file->size, ==, 70001);
  /* A split converted in part is found under partial-SPLIT. */
  g_assert_nonnull (clair_hub_listing_get_split (listing, "extra", "train"));
  g_assert_cmpint (clair_hub_listing_get_split (listing, "extra", "train")->size, ==, 4000);
  /* The repository's own files are listed too. */
  g_assert_cmpuint (clair_hub_listing_get_repo_files (listing)->len, ==, 2);
}

static void
test_list_repo_files (void)
{
  g_autoptr(ClairHub) hub = make_hub ("cache-list", NULL);
  g_autoptr(ClairHubListing) listing = NULL;
  g_autoptr(GError) error = NULL;
  const ClairHubSplit *split;

  listing = clair_hub_list (hub, "org/jsonl", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (clair_hub_listing_is_converted (listing));
  g_assert_cmpstr (clair_hub_listing_get_files_sha (listing), ==, SHA_JSONL);
  g_assert_cmpstr (clair_hub_listing_get_configs (listing)[0], ==, "default");
  split = clair_hub_listing_get_split (listing, "default", "train");
  g_assert_nonnull (split);
  g_assert_cmpuint (split->files->len, ==, 1);
  g_assert_cmpstr (((ClairHubFile *) g_ptr_array_index (split->files, 0))->path, ==,
                   "data/train.jsonl");
  g_assert_cmpint (split->size, ==, strlen (train_jsonl));
  /* The split comes from the name: "other-validation.csv" is validation, README.md is no data. */
  g_assert_nonnull (clair_hub_listing_get_split (listing, "default", "validation"));
  g_assert_nonnull (clair_hub_listing_get_split (listing, "default", "test"));

  /* Choosing as the CLI does, and saying what there is when the choice is wrong. */
  g_assert_true (clair_hub_listing_choose (listing, NULL, NULL, &error) == split);
  g_assert_null (clair_hub_listing_choose (listing, "nope", NULL, &error));
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "config “nope”"));
  g_assert_nonnull (strstr (error->message, "default"));
  g_clear_error (&error);
  g_assert_null (clair_hub_listing_choose (listing, NULL, "dev", &error));
  g_assert_nonnull (strstr (error->message, "no split “dev”"));
  g_assert_nonnull (strstr (error->message, "train, validation, test"));
}

/* Whatever a Hub or a mirror answers, nothing outside the dataset's cache folder is named, and
 * nothing but a web address is downloaded from. */
static void
test_hostile_answers (void)
{
  static const char revision[] =
    "{\"sha\":\"" SHA_JSONL "\",\"siblings\":["
    "{\"rfilename\":\"../../.bashrc.jsonl\",\"size\":1},{\"rfilename\":\"/etc/x.jsonl\"},"
    "{\"rfilename\":\"a//b.csv\"},{\"rfilename\":\"ok/./x.json\"},{\"rfilename\":\"a\\\\b.csv\"},"
    "{\"rfilename\":\"good.jsonl\",\"size\":-5},{\"rfilename\":7}]}";
  static const char parquet[] =
    "{\"../x\":{\"train\":[\"https://h/0.parquet\"]},"
    "\"c\":{\"../s\":[\"https://h/1.parquet\"],"
    "\"t\":[\"file:///etc/0.parquet\",\"https://h/a/0.parquet\",\"https://h/b/0.parquet\","
    "7,\"x\"]}}";
  static const char branch[] = "{\"sha\":\"../../../../../../tmp\",\"siblings\":[]}";
  g_autoptr(ClairHubListing) listing = NULL;
  g_autofree char *cached = NULL;
  GPtrArray *files;
  const ClairHubSplit *split;
  const ClairHubFile *file;

  listing = _clair_hub_listing_from_answers ("org/name", revision, strlen (revision), parquet,
                                             strlen (parquet), branch, strlen (branch), &cached);
  g_assert_nonnull (listing);
  files = clair_hub_listing_get_repo_files (listing);
  g_assert_cmpuint (files->len, ==, 1);
  file = g_ptr_array_index (files, 0);
  g_assert_cmpstr (file->path, ==, "good.jsonl");
  g_assert_cmpint (file->size, ==, -1);
  g_assert_cmpstr (file->local, ==, SHA_JSONL "/good.jsonl");

  /* One config, "c", with one split, "t", of one shard from a web address (the first one given for
   * shard 0); the conversion branch's bogus commit is not used. */
  g_assert_cmpstr (clair_hub_listing_get_configs (listing)[0], ==, "c");
  g_assert_null (clair_hub_listing_get_configs (listing)[1]);
  split = clair_hub_listing_get_split (listing, "c", "t");
  g_assert_nonnull (split);
  g_assert_cmpuint (split->files->len, ==, 1);
  file = g_ptr_array_index (split->files, 0);
  g_assert_cmpstr (file->url, ==, "https://h/a/0.parquet");
  g_assert_true (g_str_has_prefix (file->local, SHA_JSONL "/"));
  g_assert_null (strstr (file->local, ".."));
  g_assert_cmpstr (clair_hub_listing_get_files_sha (listing), ==, SHA_JSONL);
  g_assert_null (strstr (cached, "/etc"));

  /* An answer without a commit makes no listing. */
  g_assert_null (_clair_hub_listing_from_answers ("org/name", "{\"sha\":\"main\"}", 14, "", 0,
                                                  "", 0, NULL));
  g_assert_null (_clair_hub_listing_from_answers ("org/name", "{}[]", 4, "", 0, "", 0, NULL));
}

/* Downloads */

static void
test_token_to_hub_only (void)
{
  g_autoptr(ClairHub) hub = make_hub ("cache-token", GOOD_TOKEN);
  g_autoptr(ClairHubListing) listing = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *local = NULL;
  g_autofree char *shard = NULL;

  stand_reset_counts ();
  listing = clair_hub_list (hub, "org/converted", NULL, NULL, &error);
  g_assert_no_error (error);
  local = download (hub, listing, "default", "train", NULL, NULL, &error);
  g_assert_no_error (error);

  /* Every Hub request carried the token; the CDN, on another port, got two files and no token. */
  g_assert_cmpuint (count (&stand.hub_requests), ==, 5);
  g_assert_cmpuint (count (&stand.hub_with_token), ==, 5);
  g_assert_cmpuint (count (&stand.cdn_requests), ==, 2);
  g_assert_cmpuint (count (&stand.cdn_with_auth), ==, 0);

  /* Two shards alone in their folder: the folder is what opens. */
  g_assert_true (g_file_test (local, G_FILE_TEST_IS_DIR));
  g_assert_true (g_str_has_suffix (local, "/org/converted/" SHA_PARQUET "/default/train"));
  shard = g_build_filename (local, "0000.parquet", NULL);
  assert_file_is (shard, blob_bytes ("org/converted", SHA_PARQUET, "default/train/0000.parquet"));
  g_free (shard);
  shard = g_build_filename (local, "0001.parquet", NULL);
  assert_file_is (shard, blob_bytes ("org/converted", SHA_PARQUET, "default/train/0001.parquet"));
}

static void
progress_count_cb (guint64  done,
                   gint64   total,
                   gpointer user_data)
{
  guint64 *last = user_data;

  g_assert_cmpuint (done, >=, last[0]);
  last[0] = done;
  last[1] = (guint64) total;
  last[2]++;
}

static void
test_cache_hit (void)
{
  g_autoptr(ClairHub) hub = make_hub ("cache-hit", NULL);
  g_autoptr(GError) error = NULL;
  guint64 progress[3] = { 0 };

  for (guint pass = 0; pass < 2; pass++)
    {
      g_autoptr(ClairHubListing) listing = NULL;
      g_autofree char *local = NULL;

      stand_reset_counts ();
      listing = clair_hub_list (hub, "org/converted", NULL, NULL, &error);
      g_assert_no_error (error);
      memset (progress, 0, sizeof progress);
      local = download (hub, listing, "default", "test", progress_count_cb, progress, &error);
      g_assert_no_error (error);
      assert_file_is (local,
                      blob_bytes ("org/converted", SHA_PARQUET, "default/test/0000.parquet"));
      g_assert_cmpuint (progress[0], ==, 5000);
      g_assert_cmpuint (progress[1], ==, 5000);
      if (pass == 0)
        {
          /* The revision, the Parquet API, the conversion branch, one resolve. */
          g_assert_cmpuint (count (&stand.hub_requests), ==, 4);
          g_assert_cmpuint (count (&stand.cdn_requests), ==, 1);
        }
      else
        {
          /* Only the revision lookup: listing and file come from the cache. */
          g_assert_cmpuint (count (&stand.hub_requests), ==, 1);
          g_assert_cmpstr (clair_hub_listing_get_files_sha (listing), ==, SHA_PARQUET);
          g_assert_true (clair_hub_listing_is_converted (listing));
          g_assert_cmpuint (count (&stand.cdn_requests), ==, 0);
        }
    }

  /* A commit named in full asks nothing at all; so does offline mode. */
  for (guint pass = 0; pass < 2; pass++)
    {
      g_autoptr(ClairHubListing) listing = NULL;
      g_autofree char *local = NULL;

      stand_reset_counts ();
      clair_hub_set_offline (hub, pass == 1);
      listing = clair_hub_list (hub, "org/converted", pass == 0 ? SHA_CONVERTED : NULL, NULL,
                                &error);
      g_assert_no_error (error);
      g_assert_true (clair_hub_listing_is_offline (listing) == (pass == 1));
      local = download (hub, listing, "default", "test", NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (count (&stand.hub_requests), ==, 0);
      g_assert_cmpuint (count (&stand.cdn_requests), ==, 0);
    }

  /* Offline, what was never downloaded cannot be had, and says so. */
  {
    g_autoptr(ClairHubListing) listing = clair_hub_list (hub, "org/converted", NULL, NULL, &error);
    g_autofree char *local = NULL;

    g_assert_no_error (error);
    local = download (hub, listing, "default", "train", NULL, NULL, &error);
    g_assert_null (local);
    g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_UNREACHABLE);
    g_assert_nonnull (strstr (error->message, "not in the cache"));
    g_clear_error (&error);
    g_clear_pointer (&listing, clair_hub_listing_unref);
    g_assert_null (clair_hub_list (hub, "org/jsonl", NULL, NULL, &error));
    g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_UNREACHABLE);
  }
}

/* A listing without the Hub's conversion is asked for again after a day (the conversion may have
 * come since); within the day it is not. */
static void
test_recheck_conversion (void)
{
  g_autoptr(ClairHub) hub = make_hub ("cache-recheck", NULL);
  g_autofree char *cached = g_build_filename (tmpdir, "cache-recheck", "org", "jsonl", "listings",
                                              SHA_JSONL ".json", NULL);
  g_autoptr(GError) error = NULL;
  struct utimbuf old = { 0 };

  for (guint pass = 0; pass < 3; pass++)
    {
      g_autoptr(ClairHubListing) listing = NULL;

      stand_reset_counts ();
      listing = clair_hub_list (hub, "org/jsonl", NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_false (clair_hub_listing_is_converted (listing));
      /* The revision and the Parquet API the first time and after a day; the revision only in
       * between. */
      g_assert_cmpuint (count (&stand.hub_requests), ==, pass == 1 ? 1 : 2);
      if (pass == 1)
        {
          old.actime = old.modtime = g_get_real_time () / G_USEC_PER_SEC - 2 * 24 * 3600;
          g_assert_cmpint (g_utime (cached, &old), ==, 0);
        }
    }
}

static void
test_resume (void)
{
  g_autoptr(ClairHub) hub = make_hub ("cache-resume", NULL);
  g_autoptr(ClairHubListing) listing = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *local = NULL;
  g_autofree char *part = NULL;
  g_autofree char *final = NULL;
  g_autofree char *expected_range = NULL;
  const ClairHubSplit *train;
  GStatBuf st;

  listing = clair_hub_list (hub, "org/converted", NULL, NULL, &error);
  g_assert_no_error (error);
  train = clair_hub_listing_get_split (listing, "default", "train");
  final = g_build_filename (tmpdir, "cache-resume", "org", "converted", SHA_PARQUET,
                            "default", "train", "0000.parquet", NULL);
  part = g_strconcat (final, ".part", NULL);

  g_mutex_lock (&stand.lock);
  stand.cut_path = g_strdup ("default/train/0000.parquet");
  g_mutex_unlock (&stand.lock);
  local = clair_hub_download_split (hub, listing, train, NULL, NULL, NULL, &error);
  g_assert_null (local);
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_INTERRUPTED);
  g_assert_nonnull (strstr (error->message, "default/train/0000.parquet"));
  g_assert_nonnull (strstr (error->message, "resume"));
  g_clear_error (&error);
  /* Half is kept aside; nothing passes for the whole file. */
  g_assert_false (g_file_test (final, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_stat (part, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, 150000);
  g_assert_cmpint (clair_hub_get_cached_size (hub, listing, train), ==, 150000);

  stand_reset_counts ();
  local = clair_hub_download_split (hub, listing, train, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  assert_file_is (final, blob_bytes ("org/converted", SHA_PARQUET, "default/train/0000.parquet"));
  g_assert_cmpint (clair_hub_get_cached_size (hub, listing, train), ==, train->size);
  /* The second shard came whole (no Range); the first was resumed where it stopped. */
  g_assert_cmpuint (count (&stand.cdn_requests), ==, 2);
  g_mutex_lock (&stand.lock);
  g_assert_null (stand.last_range);
  g_mutex_unlock (&stand.lock);

  /* A .part longer than the file is no beginning of it: started again. */
  g_unlink (final);
  {
    g_autoptr(GBytes) junk = pattern_bytes (400000, 9);

    g_assert_true (g_file_set_contents (part, g_bytes_get_data (junk, NULL), 400000, NULL));
  }
  g_free (local);
  local = clair_hub_download_split (hub, listing, train, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_file_is (final, blob_bytes ("org/converted", SHA_PARQUET, "default/train/0000.parquet"));

  /* A .part of the right beginning from a crash is resumed with a Range. */
  g_unlink (final);
  {
    GBytes *whole = blob_bytes ("org/converted", SHA_PARQUET, "default/train/0000.parquet");

    g_assert_true (g_file_set_contents (part, g_bytes_get_data (whole, NULL), 1000, NULL));
  }
  stand_reset_counts ();
  g_free (local);
  local = clair_hub_download_split (hub, listing, train, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_file_is (final, blob_bytes ("org/converted", SHA_PARQUET, "default/train/0000.parquet"));
  g_mutex_lock (&stand.lock);
  expected_range = g_strdup ("bytes=1000-");
  g_assert_cmpuint (stand.cdn_requests, ==, 1);
  g_assert_cmpstr (stand.last_range, ==, expected_range);
  g_mutex_unlock (&stand.lock);
}

static void
test_errors (void)
{
  g_autoptr(ClairHub) anonymous = make_hub ("cache-errors", NULL);
  g_autoptr(ClairHub) wrong = make_hub ("cache-errors", BAD_TOKEN);
  g_autoptr(ClairHub) good = make_hub ("cache-errors", GOOD_TOKEN);
  g_autoptr(ClairHubListing) listing = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  /* Gated without a token: accept the terms, log in. */
  g_assert_null (clair_hub_list (anonymous, "org/gated", NULL, NULL, &error));
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_FATAL_HTTP);
  g_assert_nonnull (strstr (error->message, "accept its terms"));
  g_assert_nonnull (strstr (error->message, "HF_TOKEN"));
  g_assert_nonnull (strstr (error->message, "huggingface-cli login"));
  g_clear_error (&error);

  /* A refused token: said so, and the token the server echoed is not repeated. */
  g_assert_null (clair_hub_list (wrong, "org/gated", NULL, NULL, &error));
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_FATAL_HTTP);
  g_assert_nonnull (strstr (error->message, "refused the token"));
  g_assert_null (strstr (error->message, BAD_TOKEN));
  g_assert_null (strstr (error->message, "WrongToken"));
  g_assert_nonnull (strstr (error->message, "[redacted]"));
  g_clear_error (&error);

  /* The right token opens it. */
  listing = clair_hub_list (good, "org/gated", NULL, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&listing, clair_hub_listing_unref);

  /* Not found: the dataset, the revision, the file. */
  g_assert_null (clair_hub_list (anonymous, "org/missing", NULL, NULL, &error));
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "no dataset “org/missing”"));
  g_clear_error (&error);
  g_assert_null (clair_hub_list (anonymous, "org/jsonl", "v9", NULL, &error));
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "no revision “v9”"));
  g_clear_error (&error);
  listing = clair_hub_list (anonymous, "org/jsonl", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (download_file (anonymous, listing, "data/nothing.jsonl", &error));
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "no file “data/nothing.jsonl”"));
  g_clear_error (&error);
  /* Listed, but the Hub answers 404 when it is asked for. */
  g_assert_null (download_file (anonymous, listing, "data/vanished.csv", &error));
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "no file “data/vanished.csv”"));
  g_clear_error (&error);

  /* The CDN refuses an expired link: said to be the download server, not the dataset's terms. */
  g_mutex_lock (&stand.lock);
  stand.expired_path = g_strdup ("data/test.jsonl");
  g_mutex_unlock (&stand.lock);
  g_assert_null (download_file (anonymous, listing, "data/test.jsonl", &error));
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_HTTP);
  g_assert_nonnull (strstr (error->message, "download server 127.0.0.1 answered HTTP 403"));
  g_assert_null (strstr (error->message, "terms"));
  g_clear_error (&error);
  g_mutex_lock (&stand.lock);
  g_clear_pointer (&stand.expired_path, g_free);
  g_mutex_unlock (&stand.lock);

  /* A server answering a range request with another range: the part is dropped, not spliced. */
  {
    g_autofree char *part = g_build_filename (tmpdir, "cache-errors", "org", "jsonl", SHA_JSONL,
                                              "data", "train.jsonl.part", NULL);
    g_autofree char *part_dir = g_path_get_dirname (part);
    g_autofree char *local = NULL;

    g_assert_cmpint (g_mkdir_with_parents (part_dir, 0700), ==, 0);
    g_assert_true (g_file_set_contents (part, train_jsonl, 10, NULL));
    g_mutex_lock (&stand.lock);
    stand.wrong_ranges = TRUE;
    g_mutex_unlock (&stand.lock);
    g_assert_null (download_file (anonymous, listing, "data/train.jsonl", &error));
    g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_PROTOCOL);
    g_assert_nonnull (strstr (error->message, "another part"));
    g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
    g_clear_error (&error);
    g_mutex_lock (&stand.lock);
    stand.wrong_ranges = FALSE;
    g_mutex_unlock (&stand.lock);
    local = download_file (anonymous, listing, "data/train.jsonl", &error);
    g_assert_no_error (error);
    assert_file_is (local, blob_bytes ("org/jsonl", SHA_JSONL, "data/train.jsonl"));
  }

  /* 429: Retry-After honoured, then it works. */
  g_mutex_lock (&stand.lock);
  stand.rate_limited = 2;
  g_mutex_unlock (&stand.lock);
  start = g_get_monotonic_time ();
  g_clear_pointer (&listing, clair_hub_listing_unref);
  listing = clair_hub_list (anonymous, "org/ratelimited", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 2 * G_USEC_PER_SEC - 100000);
  g_clear_pointer (&listing, clair_hub_listing_unref);

  /* 429 for longer than the retries: a clear message with the wait. */
  g_mutex_lock (&stand.lock);
  stand.rate_limited = 100;
  g_mutex_unlock (&stand.lock);
  clair_hub_set_retry_limits (anonymous, 5, 1);
  g_assert_null (clair_hub_list (anonymous, "org/ratelimited", NULL, NULL, &error));
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_HTTP);
  g_assert_nonnull (strstr (error->message, "limiting requests"));
  g_assert_nonnull (strstr (error->message, "try again in 1 seconds"));
  g_clear_error (&error);
  g_mutex_lock (&stand.lock);
  stand.rate_limited = 0;
  g_mutex_unlock (&stand.lock);

  /* Nothing listening: unreachable, naming the address. */
  {
    g_autoptr(ClairHub) nowhere = make_hub ("cache-nowhere", NULL);

    clair_hub_set_endpoint (nowhere, "http://127.0.0.1:9");
    g_assert_null (clair_hub_list (nowhere, "org/jsonl", NULL, NULL, &error));
    g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_UNREACHABLE);
    g_assert_nonnull (strstr (error->message, "Could not reach 127.0.0.1"));
    g_clear_error (&error);
  }
}

/* Async */

typedef struct
{
  GMainLoop    *loop;
  GCancellable *cancellable;
  GAsyncResult *result;
  guint         n_progress;
  guint64       done;
  gboolean      notified;
  guint         cancel_timer;
} AsyncState;

static void
async_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  AsyncState *state = user_data;

  state->result = g_object_ref (result);
  g_main_loop_quit (state->loop);
}

static gboolean
cancel_cb (gpointer user_data)
{
  AsyncState *state = user_data;

  state->cancel_timer = 0;
  g_cancellable_cancel (state->cancellable);
  return G_SOURCE_REMOVE;
}

static void
async_progress_cb (guint64  done,
                   gint64   total,
                   gpointer user_data)
{
  AsyncState *state = user_data;

  /* In the caller's thread. */
  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
  state->n_progress++;
  state->done = done;
  if (state->cancellable != NULL && state->cancel_timer == 0 && state->n_progress == 1)
    state->cancel_timer = g_timeout_add (300, cancel_cb, state);
}

static void
async_notify_cb (gpointer user_data)
{
  AsyncState *state = user_data;

  state->notified = TRUE;
}

static void
test_async_cancel_resume (void)
{
  g_autoptr(ClairHub) hub = make_hub ("cache-async", NULL);
  g_autoptr(ClairHubListing) listing = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autofree char *local = NULL;
  g_autofree char *part = NULL;
  AsyncState state = { loop };
  const ClairHubSplit *train;
  GStatBuf st;

  clair_hub_list_async (hub, "org/converted", NULL, NULL, async_done_cb, &state);
  g_main_loop_run (loop);
  listing = clair_hub_list_finish (hub, state.result, &error);
  g_assert_no_error (error);
  g_clear_object (&state.result);
  train = clair_hub_listing_get_split (listing, "default", "train");

  /* Half the first shard arrives, then the CDN stalls; the user cancels. */
  g_mutex_lock (&stand.lock);
  stand.stall_path = g_strdup ("default/train/0000.parquet");
  g_mutex_unlock (&stand.lock);
  state.cancellable = g_cancellable_new ();
  clair_hub_download_split_async (hub, listing, train, async_progress_cb, &state, async_notify_cb,
                                  state.cancellable, async_done_cb, &state);
  g_main_loop_run (loop);
  local = clair_hub_download_split_finish (hub, state.result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (local);
  g_clear_error (&error);
  g_clear_object (&state.result);
  while (!state.notified)
    g_main_context_iteration (NULL, TRUE);
  part = g_build_filename (tmpdir, "cache-async", "org", "converted", SHA_PARQUET, "default",
                           "train", "0000.parquet.part", NULL);
  g_assert_cmpint (g_stat (part, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, 150000);

  /* Again, to the end: resumed, with progress up to the whole split. */
  g_clear_object (&state.cancellable);
  state.n_progress = 0;
  state.notified = FALSE;
  clair_hub_download_split_async (hub, listing, train, async_progress_cb, &state, async_notify_cb,
                                  NULL, async_done_cb, &state);
  g_main_loop_run (loop);
  local = clair_hub_download_split_finish (hub, state.result, &error);
  g_assert_no_error (error);
  g_clear_object (&state.result);
  while (!state.notified)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (state.n_progress, >=, 2);
  g_assert_cmpuint (state.done, ==, 370001);
  g_assert_true (g_file_test (local, G_FILE_TEST_IS_DIR));
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
}

/* The CLI */

typedef struct
{
  int   status;
  char *out;
  char *err;
} Result;

static void
result_clear (Result *result)
{
  g_free (result->out);
  g_free (result->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

/* Runs `clair ARGS…` in @cwd against the stand-in, with @token as HF_TOKEN (or none), HOME and
 * the caches in the test's folder and no keyring. */
static void
run_clair (Result     *result,
           const char *cwd,
           const char *token,
           gboolean    offline,
           ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *home = g_build_filename (tmpdir, "cli-home", NULL);
  g_autofree char *cache = g_build_filename (tmpdir, "cli-cache", NULL);
  const char *arg;
  va_list ap;

  stand_start ();
  g_ptr_array_add (args, (gpointer) g_getenv ("CLAIR_CLI"));
  va_start (ap, offline);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_cwd (launcher, cwd);
  g_subprocess_launcher_setenv (launcher, "HF_ENDPOINT", stand.hub_url, TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", cache, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", cli_bus_address, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "HF_HOME");
  g_subprocess_launcher_unsetenv (launcher, "HF_TOKEN_PATH");
  if (token != NULL)
    g_subprocess_launcher_setenv (launcher, "HF_TOKEN", token, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "HF_TOKEN");
  if (offline)
    g_subprocess_launcher_setenv (launcher, "HF_HUB_OFFLINE", "1", TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "HF_HUB_OFFLINE");
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &result->out, &result->err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_if_exited (process))
    g_printerr ("clair died; its stderr:\n%s\n", result->err);
  g_assert_true (g_subprocess_get_if_exited (process));
  result->status = g_subprocess_get_exit_status (process);
}

static char *
make_dir (const char *name)
{
  char *dir = g_build_filename (tmpdir, name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  return dir;
}

static void
assert_no_token_in_file (const char *path)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return;
  g_assert_null (g_strstr_len (contents, len, GOOD_TOKEN));
  g_assert_null (g_strstr_len (contents, len, "GoodToken"));
}

static void
test_cli_import (void)
{
  g_autofree char *dir = make_dir ("cli-import");
  g_autofree char *project_path = g_build_filename (dir, "gated.clair", NULL);
  g_autoptr(ClairProject) project = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Result) import = { 0 };
  g_auto(Result) info = { 0 };
  static const char * const tasks[] = { "What is 2+2?", "Name a colour.", "Capital of France?" };
  static const char * const solutions[] = { "5", "Blau — bleu", "Lyon" };

  stand_reset_counts ();
  run_clair (&import, dir, GOOD_TOKEN, FALSE, "import", "hf://datasets/org/gated", NULL);
  g_assert_cmpstr (import.err, ==, "Imported 3 rows into gated.clair\n");
  g_assert_cmpint (import.status, ==, 0);
  g_assert_cmpuint (count (&stand.cdn_with_auth), ==, 0);
  g_assert_cmpuint (count (&stand.hub_with_token), ==, count (&stand.hub_requests));

  project = clair_project_open (project_path, CLAIR_PROJECT_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (clair_project_get_n_rows (project), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(ClairRecord) record = clair_project_get_record (project, i, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (record->task, ==, tasks[i]);
      g_assert_cmpstr (record->solution, ==, solutions[i]);
    }
  {
    static const struct { const char *key; const char *value; } settings[] = {
      { "hub.repository", "org/gated" },
      { "hub.revision", "main" },
      { "hub.sha", SHA_JSONL },
      { "hub.config", "default" },
      { "hub.split", "train" },
      { "hub.files", "[\"data/train.jsonl\"]" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (settings); i++)
      {
        g_autofree char *value = clair_project_get_setting (project, settings[i].key);

        g_assert_cmpstr (value, ==, settings[i].value);
      }
  }
  g_clear_object (&project);

  run_clair (&info, dir, NULL, FALSE, "info", "gated.clair", NULL);
  g_assert_cmpint (info.status, ==, 0);
  g_assert_nonnull (strstr (info.out, "hub.sha   " SHA_JSONL));
  g_assert_nonnull (strstr (info.out, "hub.repository org/gated"));

  /* What a dataset holds, before downloading it. */
  {
    g_auto(Result) listing = { 0 };

    run_clair (&listing, dir, NULL, FALSE, "info", "hf://datasets/org/converted", NULL);
    g_assert_cmpint (listing.status, ==, 0);
    g_assert_nonnull (strstr (listing.out, "Revision: main (" SHA_CONVERTED ")"));
    g_assert_nonnull (strstr (listing.out, "Parquet conversion"));
    /* g_format_size() puts a no-break space before the unit. */
    g_assert_nonnull (strstr (listing.out, "Config default:\n"
                                           "  train        2 files, 370.0\xc2\xa0kB\n"
                                           "  test         1 file, 5.0\xc2\xa0kB\n"));
    g_assert_nonnull (strstr (listing.out, "Config extra:\n"));
  }

  /* The token is nowhere: not in the project, its journal, stdout or stderr. */
  assert_no_token_in_file (project_path);
  {
    g_autofree char *wal = g_strconcat (project_path, "-wal", NULL);

    assert_no_token_in_file (wal);
  }
  g_assert_null (strstr (import.out, "GoodToken"));
  g_assert_null (strstr (import.err, "GoodToken"));

  /* A single file by its path, and a converted split by --config and --split (bytes only: the
   * stand-in's shards are not Parquet, so the import itself fails after the download, leaving
   * no project behind). */
  {
    g_auto(Result) one = { 0 };
    g_autofree char *one_project = g_build_filename (dir, "test.jsonl.clair", NULL);

    run_clair (&one, dir, NULL, FALSE, "import", "hf://datasets/org/jsonl/data/test.jsonl", NULL);
    g_assert_cmpint (one.status, ==, 0);
    g_assert_cmpstr (one.err, ==, "Imported 1 row into test.jsonl.clair\n");
    project = clair_project_open (one_project, CLAIR_PROJECT_OPEN_READ_ONLY, &error);
    g_assert_no_error (error);
    {
      g_autofree char *files = clair_project_get_setting (project, "hub.files");
      g_autofree char *split = clair_project_get_setting (project, "hub.split");

      g_assert_cmpstr (files, ==, "[\"data/test.jsonl\"]");
      g_assert_null (split);
    }
    g_clear_object (&project);
  }

  /* Offline, what was opened once opens again with no request at all. */
  {
    g_auto(Result) again = { 0 };

    stand_reset_counts ();
    run_clair (&again, dir, GOOD_TOKEN, TRUE, "import", "-p", "again.clair",
               "hf://datasets/org/gated", NULL);
    g_assert_cmpint (again.status, ==, 0);
    g_assert_nonnull (strstr (again.err, "cached copy of org/gated"));
    g_assert_cmpuint (count (&stand.hub_requests), ==, 0);
    g_assert_cmpuint (count (&stand.cdn_requests), ==, 0);
  }
}

static void
test_cli_failures (void)
{
  g_autofree char *dir = make_dir ("cli-failures");
  static const struct {
    const char *uri;
    const char *token;
    const char *option;
    const char *message;
  } cases[] = {
    { "hf://datasets/org/gated", NULL, NULL, "accept its terms" },
    { "hf://datasets/org/gated", BAD_TOKEN, NULL, "refused the token" },
    { "hf://datasets/org/missing", NULL, NULL, "no dataset “org/missing”" },
    { "hf://datasets/org/jsonl/data/nothing.jsonl", NULL, NULL, "no file “data/nothing.jsonl”" },
    { "hf://datasets/org/jsonl", NULL, "--split=dev", "no split “dev”" },
    { "hf://datasets/org/converted", NULL, "--config=nope", "no config “nope”" },
    { "hf://datasets/org/jsonl@v9", NULL, NULL, "no revision “v9”" },
    { "hf://models/org/jsonl", NULL, NULL, "not a dataset" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Result) result = { 0 };
      g_autoptr(GDir) listing = NULL;

      if (cases[i].option != NULL)
        run_clair (&result, dir, cases[i].token, FALSE, "import", cases[i].option, "-p", "p.clair",
                   cases[i].uri, NULL);
      else
        run_clair (&result, dir, cases[i].token, FALSE, "import", "-p", "p.clair", cases[i].uri,
                   NULL);
      g_assert_cmpint (result.status, !=, 0);
      g_assert_true (g_str_has_prefix (result.err, "clair"));
      g_assert_nonnull (strstr (result.err, cases[i].message));
      g_assert_null (strstr (result.err, "WrongToken"));
      /* Nothing half-made: the folder stays empty. */
      listing = g_dir_open (dir, 0, NULL);
      g_assert_null (g_dir_read_name (listing));
    }

  /* A converted split is downloaded, then opened as a dataset; the stand-in's shards are bytes,
   * not Parquet, so the import fails after the download, and leaves no project. */
  {
    g_auto(Result) converted = { 0 };
    g_autoptr(GDir) listing = NULL;
    g_autofree char *cached = g_build_filename (tmpdir, "cli-cache", "clair-studio", "hub", "org",
                                                "converted", SHA_PARQUET, "default", "test",
                                                "0000.parquet", NULL);

    run_clair (&converted, dir, NULL, FALSE, "import", "--split", "test",
               "hf://datasets/org/converted", NULL);
    g_assert_cmpint (converted.status, ==, 1);
    g_assert_true (g_str_has_prefix (converted.err, "clair: "));
    assert_file_is (cached, blob_bytes ("org/converted", SHA_PARQUET, "default/test/0000.parquet"));
    listing = g_dir_open (dir, 0, NULL);
    g_assert_null (g_dir_read_name (listing));
  }

  /* A body cut half-way: a message saying to run again, no project; running again resumes. */
  {
    g_auto(Result) cut = { 0 };
    g_auto(Result) again = { 0 };
    g_autoptr(GDir) listing = NULL;
    g_autofree char *project_path = g_build_filename (dir, "test.clair", NULL);
    g_autofree char *cached = g_build_filename (tmpdir, "cli-cache", "clair-studio", "hub", "org",
                                                "jsonl", SHA_JSONL, "data", "test.jsonl", NULL);

    /* test_cli_import downloaded it: gone from the cache, it is asked for again. */
    g_unlink (cached);
    g_mutex_lock (&stand.lock);
    stand.cut_path = g_strdup ("data/test.jsonl");
    g_mutex_unlock (&stand.lock);
    run_clair (&cut, dir, NULL, FALSE, "import", "-p", "test.clair",
               "hf://datasets/org/jsonl@" SHA_JSONL "/data/test.jsonl", NULL);
    g_assert_cmpint (cut.status, ==, 1);
    g_assert_false (g_file_test (cached, G_FILE_TEST_EXISTS));
    g_assert_nonnull (strstr (cut.err, "interrupted"));
    g_assert_nonnull (strstr (cut.err, "run the same command again"));
    listing = g_dir_open (dir, 0, NULL);
    g_assert_null (g_dir_read_name (listing));

    run_clair (&again, dir, NULL, FALSE, "import", "-p", "test.clair",
               "hf://datasets/org/jsonl@" SHA_JSONL "/data/test.jsonl", NULL);
    g_assert_cmpint (again.status, ==, 0);
    g_assert_true (g_file_test (project_path, G_FILE_TEST_EXISTS));
  }
}

/* `huggingface-cli login` wrote a token file: the CLI uses it (HF_HOME unset, so
 * $XDG_CACHE_HOME/huggingface/token, as huggingface_hub reads it). */
static void
test_cli_token_file (void)
{
  g_autofree char *dir = make_dir ("cli-token-file");
  g_autofree char *hf_dir = g_build_filename (tmpdir, "cli-cache", "huggingface", NULL);
  g_autofree char *token_file = g_build_filename (hf_dir, "token", NULL);
  g_autofree char *project_path = g_build_filename (dir, "gated.clair", NULL);
  g_auto(Result) refused = { 0 };
  g_auto(Result) import = { 0 };

  run_clair (&refused, dir, NULL, FALSE, "import", "hf://datasets/org/gated", NULL);
  g_assert_cmpint (refused.status, ==, 1);

  g_assert_cmpint (g_mkdir_with_parents (hf_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (token_file, GOOD_TOKEN "\n", -1, NULL));
  stand_reset_counts ();
  run_clair (&import, dir, NULL, FALSE, "import", "hf://datasets/org/gated", NULL);
  g_assert_cmpint (import.status, ==, 0);
  g_assert_cmpuint (count (&stand.hub_with_token), >, 0);
  g_assert_cmpuint (count (&stand.cdn_with_auth), ==, 0);
  assert_no_token_in_file (project_path);
  g_assert_null (strstr (import.err, "GoodToken"));
  g_unlink (token_file);
}

static void
test_cli_run_and_recent (void)
{
  g_autofree char *dir = make_dir ("cli-run");
  g_auto(Result) run = { 0 };
  g_auto(Result) usage = { 0 };
  g_auto(GStrv) recent = NULL;

  /* `clair run hf://…` imports first, as for a local file, then revises every row. */
  {
    g_autoptr(GSubprocess) server = NULL;
    g_autofree char *url = NULL;
    g_auto(Result) info = { 0 };
    g_auto(Result) again = { 0 };

    server = start_test_server ("", &url);
    if (server == NULL)
      {
        g_test_skip ("CLAIR_TEST_SERVER is not set");
        return;
      }
    run_clair (&run, dir, GOOD_TOKEN, FALSE, "run", "--base-url", url, "--model", "teacher-m",
               "hf://datasets/org/jsonl", NULL);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.err, "Imported 3 rows into jsonl.clair"));
    g_assert_null (strstr (run.err, "GoodToken"));
    g_assert_null (strstr (run.out, "GoodToken"));
    run_clair (&info, dir, NULL, FALSE, "info", "jsonl.clair", NULL);
    g_assert_nonnull (strstr (info.out, "revised 3"));
    g_assert_nonnull (strstr (info.out, "hub.repository org/jsonl"));

    /* Run again: the project is continued, without a request to the Hub. */
    stand_reset_counts ();
    run_clair (&again, dir, NULL, FALSE, "run", "--base-url", url, "--model", "teacher-m",
               "hf://datasets/org/jsonl", NULL);
    g_assert_cmpint (again.status, ==, 0);
    g_assert_null (strstr (again.err, "Imported"));
    g_assert_cmpuint (count (&stand.hub_requests), ==, 0);
    g_subprocess_force_exit (server);
  }

  /* Hub options on a local file are a usage error. */
  run_clair (&usage, dir, NULL, FALSE, "import", "--split", "train", "local.jsonl", NULL);
  g_assert_cmpint (usage.status, ==, 2);
  g_assert_nonnull (strstr (usage.err, "for hf:// datasets"));

  /* The datasets opened are remembered for the start page, newest first (XDG_DATA_HOME is the
   * CLI's, set in main()). */
  recent = clair_hub_recent_load ();
  g_assert_nonnull (recent[0]);
  g_assert_cmpstr (recent[0], ==, "org/jsonl");
  g_clear_pointer (&recent, g_strfreev);

  /* Opening one again moves it to the front, once; a revision is part of the entry. */
  clair_hub_recent_add ("org/b", "refs/pr/1");
  clair_hub_recent_add ("org/jsonl", NULL);
  recent = clair_hub_recent_load ();
  g_assert_cmpstr (recent[0], ==, "org/jsonl");
  g_assert_cmpstr (recent[1], ==, "org/b@refs%2Fpr%2F1");
  for (guint i = 2; recent[i] != NULL; i++)
    g_assert_cmpstr (recent[i], !=, "org/jsonl");
}

/* The keyring, third after HF_TOKEN and the token file: a real gnome-keyring-daemon on a private
 * bus, in a subprocess (the bus address is set in the environment before any thread starts). */
typedef struct
{
  GMainLoop *loop;
  gboolean   exited;
} Daemon;

static void
name_appeared_cb (GDBusConnection *connection,
                  const char      *name,
                  const char      *owner,
                  gpointer         user_data)
{
  Daemon *daemon = user_data;

  g_main_loop_quit (daemon->loop);
}

static void
daemon_exited_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Daemon *daemon = user_data;

  daemon->exited = TRUE;
  g_main_loop_quit (daemon->loop);
}

static void
keyring_scenario (void)
{
  g_autoptr(ClairHub) hub = NULL;
  g_autoptr(ClairHub) with_env = NULL;
  g_autoptr(ClairHubListing) listing = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = make_dir ("cli-keyring");
  g_autofree char *project_path = g_build_filename (dir, "gated.clair", NULL);
  char *token;
  g_auto(Result) import = { 0 };

  stand_start ();
  g_assert_null (clair_hub_token_lookup (stand.hub_url, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (clair_hub_token_store (stand.hub_url, GOOD_TOKEN, NULL, &error));
  g_assert_no_error (error);
  /* The endpoint is the key, written with or without its trailing slash. */
  {
    g_autofree char *slash = g_strconcat (stand.hub_url, "/", NULL);

    token = clair_hub_token_lookup (slash, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (token, ==, GOOD_TOKEN);
    clair_hub_token_free (token);
  }

  /* Nothing in the environment or the token file: the keyring's token, asked for explicitly
   * (as the app does, in a worker thread). */
  hub = make_hub ("cache-keyring", NULL);
  g_assert_false (clair_hub_has_token (hub));
  {
    g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
    AsyncState state = { loop };

    clair_hub_load_keyring_token_async (hub, NULL, async_done_cb, &state);
    g_main_loop_run (loop);
    g_assert_true (clair_hub_load_keyring_token_finish (hub, state.result, &error));
    g_assert_no_error (error);
    g_clear_object (&state.result);
  }
  g_assert_true (clair_hub_has_token (hub));
  g_assert_cmpstr (clair_hub_get_token_source (hub), ==, "keyring");
  listing = clair_hub_list (hub, "org/gated", NULL, NULL, &error);
  g_assert_no_error (error);

  /* The CLI finds it too, and it ends up nowhere. */
  cli_bus_address = g_getenv ("DBUS_SESSION_BUS_ADDRESS");
  run_clair (&import, dir, NULL, FALSE, "import", "hf://datasets/org/gated", NULL);
  g_assert_cmpint (import.status, ==, 0);
  g_assert_null (strstr (import.err, "GoodToken"));
  assert_no_token_in_file (project_path);

  /* HF_TOKEN comes before the keyring. */
  with_env = clair_hub_new ();
  clair_hub_set_token (with_env, BAD_TOKEN);
  g_assert_true (clair_hub_load_keyring_token (with_env, NULL));
  g_assert_cmpstr (clair_hub_get_token_source (with_env), ==, "set");

  g_assert_true (clair_hub_token_clear (stand.hub_url, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (clair_hub_token_lookup (stand.hub_url, NULL, &error));
  g_assert_no_error (error);
}

static void
test_keyring (void)
{
  g_autofree char *daemon = g_find_program_in_path ("gnome-keyring-daemon");

  if (daemon == NULL)
    {
      g_test_skip ("gnome-keyring-daemon is not installed (package gnome-keyring)");
      return;
    }

  if (g_test_subprocess ())
    {
      g_autofree char *run = g_build_filename (tmpdir, "run", NULL);
      GTestDBus *bus = g_test_dbus_new (G_TEST_DBUS_NONE);
      g_autoptr(GSubprocessLauncher) launcher = NULL;
      g_autoptr(GSubprocess) keyring = NULL;
      g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
      g_autoptr(GError) error = NULL;
      Daemon state = { loop, FALSE };
      GOutputStream *input;
      guint watch;

      g_assert_cmpint (g_mkdir_with_parents (run, 0700), ==, 0);
      g_setenv ("XDG_RUNTIME_DIR", run, TRUE);
      g_test_dbus_up (bus);

      launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                            G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
      /* The malloc checks are for our code (gnome-keyring-daemon 42 trips over them). */
      g_subprocess_launcher_unsetenv (launcher, "MALLOC_PERTURB_");
      g_subprocess_launcher_unsetenv (launcher, "MALLOC_CHECK_");
      g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
      keyring = g_subprocess_launcher_spawn (launcher, &error, daemon, "--foreground", "--unlock",
                                             "--components=secrets", NULL);
      g_assert_no_error (error);
      input = g_subprocess_get_stdin_pipe (keyring);
      g_output_stream_write_all (input, "test-password", strlen ("test-password"), NULL, NULL,
                                 &error);
      g_assert_no_error (error);
      g_output_stream_close (input, NULL, &error);
      g_assert_no_error (error);

      g_subprocess_wait_async (keyring, NULL, daemon_exited_cb, &state);
      watch = g_bus_watch_name (G_BUS_TYPE_SESSION, "org.freedesktop.secrets",
                                G_BUS_NAME_WATCHER_FLAGS_NONE, name_appeared_cb, NULL,
                                &state, NULL);
      g_main_loop_run (loop);
      g_bus_unwatch_name (watch);
      g_assert_false (state.exited);

      keyring_scenario ();

      g_subprocess_send_signal (keyring, SIGTERM);
      while (!state.exited)
        g_main_context_iteration (NULL, TRUE);
      /* libsecret holds the bus connection, which g_test_dbus_down() would wait 30 s for. */
      secret_service_disconnect ();
      g_test_dbus_stop (bus);
      return;
    }

  /* Once a process has talked to the keyring, GDBus's shared session connection, its worker
   * thread and the messages it holds live until exit (GIO's design), and the private bus cannot be
   * finalized without waiting 30 s for libsecret to let go of it (see test-secrets.c): under
   * AddressSanitizer this scenario and the `clair` it runs are checked for memory errors, not for
   * leaks. The environment is changed before any thread of this process starts. */
  {
    const char *asan = g_getenv ("ASAN_OPTIONS");
    g_autofree char *saved = g_strdup (asan);
    g_autofree char *options = g_strconcat (asan ? asan : "", asan ? ":" : "", "detect_leaks=0",
                                            NULL);

    g_assert_null (stand.thread);
    g_setenv ("ASAN_OPTIONS", options, TRUE);
    g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
    if (saved != NULL)
      g_setenv ("ASAN_OPTIONS", saved, TRUE);
    else
      g_unsetenv ("ASAN_OPTIONS");
  }
  g_test_trap_assert_passed ();
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *home = NULL;
  int status;

  tmpdir = make_temp_dir ("test-hub-XXXXXX");
  home = g_build_filename (tmpdir, "home", NULL);
  /* Nothing of the user's: HOME, caches and keyring all point into the test's folder. */
  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_CACHE_HOME", tmpdir, TRUE);
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent", TRUE);
  {
    g_autofree char *data_home = g_build_filename (tmpdir, "cli-home", NULL);

    g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  }
  g_unsetenv ("HF_TOKEN");
  g_unsetenv ("HF_ENDPOINT");
  g_unsetenv ("HF_HUB_OFFLINE");
  g_unsetenv ("HUGGING_FACE_HUB_TOKEN");
  g_unsetenv ("HF_TOKEN_PATH");

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hub/parse", test_parse);
  g_test_add_func ("/hub/token-order", test_token_order);
  if (g_getenv ("CLAIR_CLI") != NULL)
    g_test_add_func ("/hub/keyring", test_keyring);

  g_test_add_func ("/hub/list-converted", test_list_converted);
  g_test_add_func ("/hub/list-repo-files", test_list_repo_files);
  g_test_add_func ("/hub/hostile-answers", test_hostile_answers);
  g_test_add_func ("/hub/token-to-hub-only", test_token_to_hub_only);
  g_test_add_func ("/hub/cache-hit", test_cache_hit);
  g_test_add_func ("/hub/recheck-conversion", test_recheck_conversion);
  g_test_add_func ("/hub/resume", test_resume);
  g_test_add_func ("/hub/errors", test_errors);
  g_test_add_func ("/hub/async-cancel-resume", test_async_cancel_resume);
  if (g_getenv ("CLAIR_CLI") != NULL)
    {
      g_test_add_func ("/hub/cli-import", test_cli_import);
      g_test_add_func ("/hub/cli-failures", test_cli_failures);
      g_test_add_func ("/hub/cli-token-file", test_cli_token_file);
      g_test_add_func ("/hub/cli-run-and-recent", test_cli_run_and_recent);
    }

  status = g_test_run ();
  remove_tree (tmpdir);
  return status;
}
