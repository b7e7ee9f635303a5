/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-hub"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clair-i18n.h"
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include <libsecret/secret.h>

#include "clair-error.h"
#include "clair-hub.h"
#include "clair-hub-private.h"
#include "clair-json.h"
#include "clair-secret.h"

/* The Hugging Face Hub, spoken to as huggingface_hub does.
 *
 * Every request is made in the calling thread with a session of its own (the _async functions
 * run the synchronous ones in a worker thread): a SoupSession belongs to the thread that uses it.
 * Redirects are followed here, not by libsoup, so that the Authorization header goes only to a
 * URL on the Hub's own scheme, host and port: file downloads are redirected to a CDN, which must
 * never see the token. */

#define MAX_JSON_BODY      (64 * 1024 * 1024)
#define MAX_REDIRECTS      10
#define READ_CHUNK         (64 * 1024)
#define MAX_MESSAGE        300
#define MAX_RECENT         20
#define PROGRESS_EVERY_US  (G_USEC_PER_SEC / 10)
#define CONVERT_REVISION   "refs/convert/parquet"
/* Not named in libsoup 3.2. */
#define STATUS_TOO_MANY_REQUESTS 429

struct _ClairHubListing
{
  gint       ref_count;
  char      *repo_id;
  char      *revision;
  char      *sha;
  char      *files_sha;    /* the conversion branch's commit, for a converted listing */
  gboolean   converted;
  gboolean   offline;
  GPtrArray *splits;       /* of ClairHubSplit */
  GPtrArray *repo_files;   /* of ClairHubFile */
  GStrv      configs;
};

struct _ClairHub
{
  GObject   parent_instance;

  GMutex    lock;           /* the token and settings, read by worker threads */
  char     *endpoint;
  char     *endpoint_shown;  /* without a password, for messages and projects */
  GUri     *endpoint_uri;
  char     *token;
  char     *token_source;
  char     *cache_dir;
  gboolean  offline;
  guint     max_wait_s;
  guint     max_retries;
};

G_DEFINE_FINAL_TYPE (ClairHub, clair_hub, G_TYPE_OBJECT)

/* One operation: its session and a snapshot of the settings, so that a worker thread never reads
 * the object while the main thread changes it. */
typedef struct
{
  SoupSession      *session;
  char             *endpoint;
  char             *endpoint_shown;
  GUri             *endpoint_uri;
  char             *token;
  char             *cache_dir;
  gboolean          offline;
  guint             max_wait_s;
  guint             max_retries;
  const char       *repo_id;
  ClairHubProgress  progress;
  gpointer          progress_data;
  guint64           done;
  gint64            total;
  gint64            last_progress_us;
} Op;

/* Names */

gboolean
clair_hub_is_uri (const char *text)
{
  return text != NULL && g_str_has_prefix (text, "hf://");
}

void
clair_hub_ref_clear (ClairHubRef *ref)
{
  if (ref == NULL)
    return;
  g_clear_pointer (&ref->repo_id, g_free);
  g_clear_pointer (&ref->revision, g_free);
  g_clear_pointer (&ref->path, g_free);
}

/* A name part as the Hub allows it: letters, digits, "-", "_", "."; not starting or ending with
 * "." or "-", at most 96 characters. */
static gboolean
is_name_part (const char *part,
              gsize       len)
{
  if (len == 0 || len > 96 || part[0] == '.' || part[0] == '-' || part[len - 1] == '.' ||
      part[len - 1] == '-')
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (part[i]) && part[i] != '-' && part[i] != '_' && part[i] != '.')
      return FALSE;
  return strstr (part, "..") == NULL || (gsize) (strstr (part, "..") - part) >= len;
}

/* A relative path safe to put under the cache: no empty, "." or ".." part, no NUL or control
 * character, no backslash. */
static gboolean
is_safe_path (const char *path)
{
  g_auto(GStrv) parts = NULL;

  if (path == NULL || path[0] == '\0' || path[0] == '/' || strlen (path) > 4096 ||
      !g_utf8_validate (path, -1, NULL))
    return FALSE;
  for (const char *p = path; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f || *p == '\\')
      return FALSE;
  parts = g_strsplit (path, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (parts[i][0] == '\0' || g_str_equal (parts[i], ".") || g_str_equal (parts[i], ".."))
      return FALSE;
  return TRUE;
}

static gboolean
is_safe_revision (const char *revision)
{
  if (revision == NULL || revision[0] == '\0' || strlen (revision) > 256 ||
      !g_utf8_validate (revision, -1, NULL))
    return FALSE;
  for (const char *p = revision; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f || *p == ' ')
      return FALSE;
  return TRUE;
}

static gboolean
is_sha (const char *text)
{
  if (text == NULL || strlen (text) != 40)
    return FALSE;
  for (guint i = 0; i < 40; i++)
    if (!g_ascii_isxdigit (text[i]) || g_ascii_isupper (text[i]))
      return FALSE;
  return TRUE;
}

/* The length of an unescaped "refs/convert/NAME" or "refs/pr/N" at @p (huggingface_hub's file
 * system reads them so), else 0. */
static gsize
special_ref_length (const char *p)
{
  gsize n;

  if (g_str_has_prefix (p, "refs/convert/"))
    {
      n = strlen ("refs/convert/");
      if (!g_ascii_isalnum (p[n]) && p[n] != '_')
        return 0;
      while (g_ascii_isalnum (p[n]) || p[n] == '_')
        n++;
      return n;
    }
  if (g_str_has_prefix (p, "refs/pr/"))
    {
      n = strlen ("refs/pr/");
      if (!g_ascii_isdigit (p[n]))
        return 0;
      while (g_ascii_isdigit (p[n]))
        n++;
      return n;
    }
  return 0;
}

gboolean
clair_hub_ref_parse (const char   *text,
                     ClairHubRef  *ref,
                     GError      **error)
{
  g_autofree char *revision = NULL;
  g_autofree char *path = NULL;
  g_autofree char *repo_id = NULL;
  const char *rest;
  const char *slash;
  const char *name_end;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (ref != NULL, FALSE);

  memset (ref, 0, sizeof *ref);
  rest = text;
  if (g_str_has_prefix (rest, "hf://"))
    {
      rest += strlen ("hf://");
      if (!g_str_has_prefix (rest, "datasets/"))
        {
          g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_UNSUPPORTED,
                       _("“%s” is not a dataset: write hf://datasets/ORG/NAME"), text);
          return FALSE;
        }
      rest += strlen ("datasets/");
    }

  /* ORG/NAME, then "@REVISION" or "/PATH" or the end. */
  slash = strchr (rest, '/');
  if (slash == NULL || !is_name_part (rest, slash - rest))
    goto bad_name;
  name_end = slash + 1 + strcspn (slash + 1, "@/");
  if (!is_name_part (slash + 1, name_end - (slash + 1)))
    goto bad_name;
  repo_id = g_strndup (rest, name_end - rest);

  rest = name_end;
  if (*rest == '@')
    {
      const char *end = rest + 1 + special_ref_length (rest + 1);
      g_autofree char *escaped = NULL;

      /* A revision ends at the next "/", but for the refs that hold slashes themselves. */
      end = strchr (end, '/');
      escaped = end ? g_strndup (rest + 1, end - (rest + 1)) : g_strdup (rest + 1);

      revision = g_uri_unescape_string (escaped, NULL);
      if (!is_safe_revision (revision))
        {
          g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA,
                       _("“%s” does not name a revision after “@” (write / in it as %%2F)"), text);
          return FALSE;
        }
      rest = end ? end : rest + strlen (rest);
    }
  if (*rest == '/' && rest[1] != '\0')
    {
      path = g_strdup (rest + 1);
      if (!is_safe_path (path))
        {
          g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA,
                       _("“%s” names no file of the dataset (a path without “.” or “..” parts "
                         "is expected after the name)"), text);
          return FALSE;
        }
    }
  else if (*rest != '\0' && !(rest[0] == '/' && rest[1] == '\0'))
    goto bad_name;

  ref->repo_id = g_steal_pointer (&repo_id);
  ref->revision = g_steal_pointer (&revision);
  ref->path = g_steal_pointer (&path);
  return TRUE;

bad_name:
  g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA,
               _("“%s” is not a Hugging Face dataset name: write hf://datasets/ORG/NAME, "
                 "optionally with @REVISION and a file path"), text);
  return FALSE;
}

/* Listings */

static void
hub_file_free (ClairHubFile *file)
{
  g_free (file->path);
  g_free (file->url);
  g_free (file->local);
  g_free (file);
}

static ClairHubFile *
hub_file_new (const char *path,
              gint64      size,
              const char *url,
              const char *local)
{
  ClairHubFile *file = g_new0 (ClairHubFile, 1);

  file->path = g_strdup (path);
  file->size = size;
  file->url = g_strdup (url);
  file->local = g_strdup (local);
  return file;
}

static void
hub_split_free (ClairHubSplit *split)
{
  g_free (split->config);
  g_free (split->split);
  g_ptr_array_unref (split->files);
  g_free (split);
}

static ClairHubSplit *
hub_split_new (const char *config,
               const char *name)
{
  ClairHubSplit *split = g_new0 (ClairHubSplit, 1);

  split->config = g_strdup (config);
  split->split = g_strdup (name);
  split->files = g_ptr_array_new_with_free_func ((GDestroyNotify) hub_file_free);
  return split;
}

static void
split_update_size (ClairHubSplit *split)
{
  split->size = 0;
  for (guint i = 0; i < split->files->len; i++)
    {
      const ClairHubFile *file = g_ptr_array_index (split->files, i);

      if (file->size < 0)
        {
          split->size = -1;
          return;
        }
      split->size += file->size;
    }
}

static ClairHubListing *
listing_new (const char *repo_id,
             const char *revision,
             const char *sha)
{
  ClairHubListing *listing = g_new0 (ClairHubListing, 1);

  listing->ref_count = 1;
  listing->repo_id = g_strdup (repo_id);
  listing->revision = g_strdup (revision);
  listing->sha = g_strdup (sha);
  listing->splits = g_ptr_array_new_with_free_func ((GDestroyNotify) hub_split_free);
  listing->repo_files = g_ptr_array_new_with_free_func ((GDestroyNotify) hub_file_free);
  return listing;
}

ClairHubListing *
clair_hub_listing_ref (ClairHubListing *listing)
{
  g_return_val_if_fail (listing != NULL, NULL);
  g_atomic_int_inc (&listing->ref_count);
  return listing;
}

void
clair_hub_listing_unref (ClairHubListing *listing)
{
  if (listing == NULL || !g_atomic_int_dec_and_test (&listing->ref_count))
    return;
  g_free (listing->repo_id);
  g_free (listing->revision);
  g_free (listing->sha);
  g_free (listing->files_sha);
  g_ptr_array_unref (listing->splits);
  g_ptr_array_unref (listing->repo_files);
  g_strfreev (listing->configs);
  g_free (listing);
}

const char *
clair_hub_listing_get_repo_id (ClairHubListing *listing)
{
  g_return_val_if_fail (listing != NULL, NULL);
  return listing->repo_id;
}

const char *
clair_hub_listing_get_revision (ClairHubListing *listing)
{
  g_return_val_if_fail (listing != NULL, NULL);
  return listing->revision;
}

const char *
clair_hub_listing_get_sha (ClairHubListing *listing)
{
  g_return_val_if_fail (listing != NULL, NULL);
  return listing->sha;
}

const char *
clair_hub_listing_get_files_sha (ClairHubListing *listing)
{
  g_return_val_if_fail (listing != NULL, NULL);
  return listing->files_sha != NULL ? listing->files_sha : listing->sha;
}

gboolean
clair_hub_listing_is_converted (ClairHubListing *listing)
{
  g_return_val_if_fail (listing != NULL, FALSE);
  return listing->converted;
}

gboolean
clair_hub_listing_is_offline (ClairHubListing *listing)
{
  g_return_val_if_fail (listing != NULL, FALSE);
  return listing->offline;
}

GPtrArray *
clair_hub_listing_get_repo_files (ClairHubListing *listing)
{
  g_return_val_if_fail (listing != NULL, NULL);
  return listing->repo_files;
}

static int
split_rank (const char *name)
{
  static const char * const order[] = { "train", "validation", "test" };

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    if (g_str_equal (name, order[i]))
      return (int) i;
  return G_N_ELEMENTS (order);
}

static int
compare_splits (gconstpointer a,
                gconstpointer b)
{
  const ClairHubSplit *x = *(ClairHubSplit * const *) a;
  const ClairHubSplit *y = *(ClairHubSplit * const *) b;
  int c;

  if ((c = (g_str_equal (y->config, "default") - g_str_equal (x->config, "default"))) != 0)
    return c;
  if ((c = strcmp (x->config, y->config)) != 0)
    return c;
  if ((c = split_rank (x->split) - split_rank (y->split)) != 0)
    return c;
  return strcmp (x->split, y->split);
}

/* Sorts the splits and collects the configs. */
static void
listing_finish (ClairHubListing *listing)
{
  g_autoptr(GPtrArray) configs = g_ptr_array_new ();

  g_ptr_array_sort (listing->splits, compare_splits);
  for (guint i = 0; i < listing->splits->len; i++)
    {
      ClairHubSplit *split = g_ptr_array_index (listing->splits, i);

      split_update_size (split);
      if (configs->len == 0 || !g_str_equal (g_ptr_array_index (configs, configs->len - 1),
                                             split->config))
        g_ptr_array_add (configs, g_strdup (split->config));
    }
  g_ptr_array_add (configs, NULL);
  g_strfreev (listing->configs);
  listing->configs = (GStrv) g_ptr_array_steal (configs, NULL);
}

const char * const *
clair_hub_listing_get_configs (ClairHubListing *listing)
{
  g_return_val_if_fail (listing != NULL, NULL);
  return (const char * const *) listing->configs;
}

GPtrArray *
clair_hub_listing_get_splits (ClairHubListing *listing,
                              const char      *config)
{
  GPtrArray *splits = NULL;

  g_return_val_if_fail (listing != NULL, NULL);
  g_return_val_if_fail (config != NULL, NULL);

  for (guint i = 0; i < listing->splits->len; i++)
    {
      ClairHubSplit *split = g_ptr_array_index (listing->splits, i);

      if (!g_str_equal (split->config, config))
        continue;
      if (splits == NULL)
        splits = g_ptr_array_new ();
      g_ptr_array_add (splits, split);
    }
  return splits;
}

const ClairHubSplit *
clair_hub_listing_get_split (ClairHubListing *listing,
                             const char      *config,
                             const char      *split)
{
  g_return_val_if_fail (listing != NULL, NULL);

  for (guint i = 0; i < listing->splits->len; i++)
    {
      const ClairHubSplit *s = g_ptr_array_index (listing->splits, i);

      if (g_str_equal (s->config, config) && g_str_equal (s->split, split))
        return s;
    }
  return NULL;
}

static char *
join_split_names (GPtrArray *splits)
{
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; splits != NULL && i < splits->len; i++)
    {
      const ClairHubSplit *s = g_ptr_array_index (splits, i);

      g_string_append_printf (names, "%s%s", i > 0 ? ", " : "", s->split);
    }
  return g_string_free (g_steal_pointer (&names), FALSE);
}

const ClairHubSplit *
clair_hub_listing_choose (ClairHubListing *listing,
                          const char      *config,
                          const char      *split,
                          GError         **error)
{
  g_autoptr(GPtrArray) splits = NULL;
  g_autofree char *config_names = NULL;
  g_autofree char *split_names = NULL;
  const ClairHubSplit *found;

  g_return_val_if_fail (listing != NULL, NULL);

  config_names = g_strjoinv (", ", listing->configs);
  if (listing->configs[0] == NULL)
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND,
                   _("Dataset “%s” has no data files the Hub converted or that CLAIR Studio reads "
                     "(JSONL, JSON, CSV, TSV, Parquet)"), listing->repo_id);
      return NULL;
    }
  if (config == NULL)
    {
      if (g_strv_contains ((const char * const *) listing->configs, "default"))
        config = "default";
      else if (listing->configs[1] == NULL)
        config = listing->configs[0];
      else
        {
          g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND,
                       _("Dataset “%s” has several configs: choose one with --config (%s)"),
                       listing->repo_id, config_names);
          return NULL;
        }
    }
  splits = clair_hub_listing_get_splits (listing, config);
  if (splits == NULL)
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND,
                   _("Dataset “%s” has no config “%s” (configs: %s)"),
                   listing->repo_id, config, config_names);
      return NULL;
    }
  split_names = join_split_names (splits);
  if (split == NULL)
    {
      if ((found = clair_hub_listing_get_split (listing, config, "train")) != NULL)
        return found;
      if (splits->len == 1)
        return g_ptr_array_index (splits, 0);
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND,
                   _("Config “%s” of dataset “%s” has several splits: choose one with --split "
                     "(%s)"),
                   config, listing->repo_id, split_names);
      return NULL;
    }
  found = clair_hub_listing_get_split (listing, config, split);
  if (found == NULL)
    g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND,
                 _("Config “%s” of dataset “%s” has no split “%s” (splits: %s)"),
                 config, listing->repo_id, split, split_names);
  return found;
}

/* The object */

static void
clair_hub_finalize (GObject *object)
{
  ClairHub *self = (ClairHub *)object;

  clair_secret_wipe (self->token);
  g_clear_pointer (&self->token, g_free);
  g_clear_pointer (&self->token_source, g_free);
  g_clear_pointer (&self->endpoint, g_free);
  g_clear_pointer (&self->endpoint_shown, g_free);
  g_clear_pointer (&self->endpoint_uri, g_uri_unref);
  g_clear_pointer (&self->cache_dir, g_free);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (clair_hub_parent_class)->finalize (object);
}

static void
clair_hub_class_init (ClairHubClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = clair_hub_finalize;
}

static void
clair_hub_init (ClairHub *self)
{
  g_mutex_init (&self->lock);
  self->max_wait_s = 60;
  self->max_retries = 4;
}

/* A token as huggingface_hub reads one: surrounding blanks stripped; empty means none. */
static char *
clean_token (const char *text)
{
  char *token;

  if (text == NULL)
    return NULL;
  token = g_strstrip (g_strdup (text));
  if (token[0] == '\0' || strchr (token, '\n') != NULL || strchr (token, '\r') != NULL)
    {
      clair_secret_wipe (token);
      g_free (token);
      return NULL;
    }
  return token;
}

static char *
token_file_path (void)
{
  const char *path = g_getenv ("HF_TOKEN_PATH");
  const char *hf_home = g_getenv ("HF_HOME");
  const char *xdg_cache = g_getenv ("XDG_CACHE_HOME");

  if (path != NULL && path[0] != '\0')
    return g_strdup (path);
  if (hf_home != NULL && hf_home[0] != '\0')
    return g_build_filename (hf_home, "token", NULL);
  if (xdg_cache != NULL && xdg_cache[0] != '\0')
    return g_build_filename (xdg_cache, "huggingface", "token", NULL);
  return g_build_filename (g_get_home_dir (), ".cache", "huggingface", "token", NULL);
}

static void
set_token_locked (ClairHub   *self,
                  char       *token,
                  const char *source)
{
  clair_secret_wipe (self->token);
  g_free (self->token);
  g_free (self->token_source);
  self->token = token;
  self->token_source = token != NULL ? g_strdup (source) : NULL;
  if (token != NULL)
    clair_secret_protect_process ();
}

static void
load_token (ClairHub *self)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  char *token;

  if ((token = clean_token (g_getenv ("HF_TOKEN"))) != NULL)
    {
      set_token_locked (self, token, "HF_TOKEN");
      return;
    }
  if ((token = clean_token (g_getenv ("HUGGING_FACE_HUB_TOKEN"))) != NULL)
    {
      set_token_locked (self, token, "HUGGING_FACE_HUB_TOKEN");
      return;
    }
  path = token_file_path ();
  if (g_file_get_contents (path, &contents, &len, NULL))
    {
      token = clean_token (contents);
      explicit_bzero (contents, len);
      if (token != NULL)
        set_token_locked (self, token, path);
    }
}

static char *
default_cache_dir (void)
{
  const char *xdg_cache = g_getenv ("XDG_CACHE_HOME");

  if (xdg_cache != NULL && g_path_is_absolute (xdg_cache))
    return g_build_filename (xdg_cache, "clair-studio", "hub", NULL);
  return g_build_filename (g_get_home_dir (), ".cache", "clair-studio", "hub", NULL);
}

static gboolean
env_true (const char *name)
{
  const char *value = g_getenv (name);

  return value != NULL && (g_str_equal (value, "1") || g_ascii_strcasecmp (value, "true") == 0 ||
                           g_ascii_strcasecmp (value, "yes") == 0 ||
                           g_ascii_strcasecmp (value, "on") == 0);
}

ClairHub *
clair_hub_new (void)
{
  ClairHub *self = g_object_new (CLAIR_TYPE_HUB, NULL);
  const char *endpoint = g_getenv ("HF_ENDPOINT");

  clair_hub_set_endpoint (self, endpoint != NULL && endpoint[0] != '\0'
                                ? endpoint : CLAIR_HUB_DEFAULT_ENDPOINT);
  self->cache_dir = default_cache_dir ();
  self->offline = env_true ("HF_HUB_OFFLINE");
  if (!env_true ("HF_HUB_DISABLE_IMPLICIT_TOKEN"))
    load_token (self);
  return self;
}

const char *
clair_hub_get_endpoint (ClairHub *self)
{
  g_return_val_if_fail (CLAIR_IS_HUB (self), NULL);
  return self->endpoint_shown;
}

void
clair_hub_set_endpoint (ClairHub   *self,
                        const char *endpoint)
{
  g_autofree char *trimmed = NULL;
  gsize len;

  g_return_if_fail (CLAIR_IS_HUB (self));
  g_return_if_fail (endpoint != NULL);

  trimmed = g_strstrip (g_strdup (endpoint));
  len = strlen (trimmed);
  while (len > 0 && trimmed[len - 1] == '/')
    trimmed[--len] = '\0';

  g_mutex_lock (&self->lock);
  g_free (self->endpoint);
  g_free (self->endpoint_shown);
  g_clear_pointer (&self->endpoint_uri, g_uri_unref);
  self->endpoint = g_steal_pointer (&trimmed);
  self->endpoint_uri = g_uri_parse (self->endpoint, SOUP_HTTP_URI_FLAGS, NULL);
  /* A mirror's address may hold a password: it is not repeated in messages or projects. */
  self->endpoint_shown = self->endpoint_uri != NULL
                         ? g_uri_to_string_partial (self->endpoint_uri, G_URI_HIDE_PASSWORD)
                         : g_strdup (self->endpoint);
  len = strlen (self->endpoint_shown);
  while (len > 0 && self->endpoint_shown[len - 1] == '/')
    self->endpoint_shown[--len] = '\0';
  g_mutex_unlock (&self->lock);
}

void
clair_hub_set_token (ClairHub   *self,
                     const char *token)
{
  g_return_if_fail (CLAIR_IS_HUB (self));

  g_mutex_lock (&self->lock);
  set_token_locked (self, clean_token (token), "set");
  g_mutex_unlock (&self->lock);
}

gboolean
clair_hub_has_token (ClairHub *self)
{
  gboolean has;

  g_return_val_if_fail (CLAIR_IS_HUB (self), FALSE);

  g_mutex_lock (&self->lock);
  has = self->token != NULL;
  g_mutex_unlock (&self->lock);
  return has;
}

const char *
clair_hub_get_token_source (ClairHub *self)
{
  g_return_val_if_fail (CLAIR_IS_HUB (self), NULL);
  return self->token_source;
}

gboolean
clair_hub_load_keyring_token (ClairHub     *self,
                              GCancellable *cancellable)
{
  g_autofree char *endpoint = NULL;
  char *token;

  g_return_val_if_fail (CLAIR_IS_HUB (self), FALSE);

  if (clair_hub_has_token (self))
    return TRUE;
  g_mutex_lock (&self->lock);
  endpoint = g_strdup (self->endpoint);
  g_mutex_unlock (&self->lock);
  token = clair_hub_token_lookup (endpoint, cancellable, NULL);
  if (token == NULL)
    return FALSE;
  g_mutex_lock (&self->lock);
  set_token_locked (self, clean_token (token), "keyring");
  g_mutex_unlock (&self->lock);
  clair_hub_token_free (token);
  return clair_hub_has_token (self);
}

static void
keyring_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  g_task_return_boolean (task, clair_hub_load_keyring_token (source_object, cancellable));
}

void
clair_hub_load_keyring_token_async (ClairHub            *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CLAIR_IS_HUB (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, clair_hub_load_keyring_token_async);
  g_task_run_in_thread (task, keyring_thread);
}

gboolean
clair_hub_load_keyring_token_finish (ClairHub      *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (CLAIR_IS_HUB (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

const char *
clair_hub_get_cache_dir (ClairHub *self)
{
  g_return_val_if_fail (CLAIR_IS_HUB (self), NULL);
  return self->cache_dir;
}

void
clair_hub_set_cache_dir (ClairHub   *self,
                         const char *cache_dir)
{
  g_return_if_fail (CLAIR_IS_HUB (self));
  g_return_if_fail (cache_dir != NULL);

  g_mutex_lock (&self->lock);
  g_free (self->cache_dir);
  self->cache_dir = g_strdup (cache_dir);
  g_mutex_unlock (&self->lock);
}

void
clair_hub_set_offline (ClairHub *self,
                       gboolean  offline)
{
  g_return_if_fail (CLAIR_IS_HUB (self));
  self->offline = !!offline;
}

void
clair_hub_set_retry_limits (ClairHub *self,
                            guint     max_wait_s,
                            guint     max_retries)
{
  g_return_if_fail (CLAIR_IS_HUB (self));
  self->max_wait_s = max_wait_s;
  self->max_retries = max_retries;
}

/* Operations */

static Op *
op_new (ClairHub   *self,
        const char *repo_id)
{
  Op *op = g_new0 (Op, 1);

  g_mutex_lock (&self->lock);
  op->endpoint = g_strdup (self->endpoint);
  op->endpoint_shown = g_strdup (self->endpoint_shown);
  op->endpoint_uri = self->endpoint_uri ? g_uri_ref (self->endpoint_uri) : NULL;
  op->token = g_strdup (self->token);
  op->cache_dir = g_strdup (self->cache_dir);
  g_mutex_unlock (&self->lock);
  op->offline = self->offline;
  op->max_wait_s = self->max_wait_s;
  op->max_retries = self->max_retries;
  op->repo_id = repo_id;
  op->total = -1;
  return op;
}

static void
op_free (Op *op)
{
  g_clear_object (&op->session);
  g_free (op->endpoint);
  g_free (op->endpoint_shown);
  g_clear_pointer (&op->endpoint_uri, g_uri_unref);
  clair_secret_wipe (op->token);
  g_free (op->token);
  g_free (op->cache_dir);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Op, op_free)

static int
uri_port (GUri *uri)
{
  int port = g_uri_get_port (uri);

  if (port > 0)
    return port;
  return g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0 ? 443 : 80;
}

/* TRUE when @uri is on the Hub's own origin: the same scheme, host and port as the endpoint. */
static gboolean
is_hub_origin (Op   *op,
               GUri *uri)
{
  const char *host = g_uri_get_host (uri);
  const char *hub_host;

  if (op->endpoint_uri == NULL || host == NULL)
    return FALSE;
  hub_host = g_uri_get_host (op->endpoint_uri);
  return g_ascii_strcasecmp (g_uri_get_scheme (uri), g_uri_get_scheme (op->endpoint_uri)) == 0 &&
         hub_host != NULL && g_ascii_strcasecmp (host, hub_host) == 0 &&
         uri_port (uri) == uri_port (op->endpoint_uri);
}

/* Text from the server, made safe to show: credentials redacted, one line, cut short. */
static char *
server_text (Op         *op,
             const char *text)
{
  g_autofree char *redacted = NULL;
  g_autofree char *valid = NULL;

  if (text == NULL || text[0] == '\0')
    return NULL;
  valid = g_utf8_make_valid (text, -1);
  redacted = clair_secret_redact (valid, op->token);
  g_strdelimit (redacted, "\r\n\t", ' ');
  if (strlen (redacted) > MAX_MESSAGE)
    {
      const char *end = g_utf8_find_prev_char (redacted, redacted + MAX_MESSAGE);

      g_autofree char *cut = g_strndup (redacted, end - redacted);

      return g_strconcat (cut, "…", NULL);
    }
  return g_steal_pointer (&redacted);
}

/* Seconds a Retry-After header asks to wait (a number or an HTTP date), or -1. */
static gint64
retry_after_seconds (SoupMessage *msg)
{
  const char *value = soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                    "Retry-After");
  g_autofree char *trimmed = NULL;
  guint64 seconds;

  if (value == NULL)
    return -1;
  trimmed = g_strstrip (g_strdup (value));
  if (g_ascii_string_to_unsigned (trimmed, 10, 0, 86400 * 7, &seconds, NULL))
    return (gint64) seconds;
  {
    g_autoptr(GDateTime) when = soup_date_time_new_from_http_string (value);
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

    if (when != NULL)
      return MAX (g_date_time_difference (when, now) / G_USEC_PER_SEC, 0);
  }
  return -1;
}

/* Sleeps @seconds, or until @cancellable is cancelled (then FALSE with the error). */
static gboolean
wait_cancellable (double         seconds,
                  GCancellable  *cancellable,
                  GError       **error)
{
  gint64 until = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < until)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      g_usleep (MIN (50000, MAX (until - g_get_monotonic_time (), 0)));
    }
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

typedef enum
{
  WHAT_DATASET,
  WHAT_REVISION,
  WHAT_FILE,
  WHAT_LISTING,
} What;

/* The error for a final non-2xx status. */
static void
set_status_error (Op          *op,
                  SoupMessage *msg,
                  What         what,
                  const char  *name,
                  const char  *revision,
                  GError     **error)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (msg);
  guint status = soup_message_get_status (msg);
  const char *code = soup_message_headers_get_one (headers, "X-Error-Code");
  g_autofree char *server = server_text (op, soup_message_headers_get_one (headers,
                                                                         "X-Error-Message"));
  g_autofree char *detail = server ? g_strdup_printf (" (%s)", server) : g_strdup ("");
  g_autofree char *page = g_strdup_printf ("%s/datasets/%s", op->endpoint_shown, op->repo_id);

  if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN)
    {
      if (op->token == NULL)
        g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_FATAL_HTTP,
                     _("Dataset “%s” is gated or private, or does not exist (HTTP %u%s): if it is "
                       "gated, accept its terms at %s while logged in; then log in here: set "
                       "HF_TOKEN or run “huggingface-cli login”"),
                     op->repo_id, status, detail, page);
      else if (g_strcmp0 (code, "GatedRepo") == 0 || status == SOUP_STATUS_FORBIDDEN)
        g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_FATAL_HTTP,
                     _("Your Hugging Face account may not read dataset “%s” (HTTP %u%s): accept "
                       "its terms at %s, or use a token with read access"),
                     op->repo_id, status, detail, page);
      else
        g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_FATAL_HTTP,
                     _("The Hub refused the token for dataset “%s” (HTTP %u%s): check HF_TOKEN or "
                       "log in again with “huggingface-cli login”; a private dataset also needs "
                       "read access"),
                     op->repo_id, status, detail);
      return;
    }
  if (status == SOUP_STATUS_NOT_FOUND)
    {
      if (g_strcmp0 (code, "RepoNotFound") == 0 || what == WHAT_DATASET)
        g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND,
                     _("There is no dataset “%s” on %s%s"),
                     op->repo_id, op->endpoint_shown, detail);
      else if (g_strcmp0 (code, "RevisionNotFound") == 0 || what == WHAT_REVISION)
        g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND,
                     _("Dataset “%s” has no revision “%s”%s"), op->repo_id, revision, detail);
      else
        g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND,
                     _("Dataset “%s” has no file “%s” at revision %s%s"),
                     op->repo_id, name, revision, detail);
      return;
    }
  if (status == STATUS_TOO_MANY_REQUESTS)
    {
      gint64 wait = retry_after_seconds (msg);

      if (wait >= 0)
        g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_HTTP,
                     _("The Hub is limiting requests (HTTP 429) and still was after %u retries: "
                       "try again in %lld seconds"),
                     op->max_retries, (long long) wait);
      else
        g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_HTTP,
                     _("The Hub is limiting requests (HTTP 429) and still was after %u retries: "
                       "try again later"), op->max_retries);
      return;
    }
  g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_HTTP,
               _("The Hub answered HTTP %u %s for %s of dataset “%s”%s"),
               status, soup_status_get_phrase (status) ? soup_status_get_phrase (status) : "",
               name, op->repo_id, detail);
}

/* A transport error as a sentence about the Hub (or the CDN it sent us to). */
static void
set_network_error (Op           *op,
                   GUri         *uri,
                   GError       *cause,
                   GError      **error)
{
  g_autofree char *reason = server_text (op, cause->message);

  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_error_copy (cause));
      return;
    }
  g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_UNREACHABLE,
               _("Could not reach %s (for the Hub at %s): %s"),
               g_uri_get_host (uri) ? g_uri_get_host (uri) : "?", op->endpoint_shown,
               reason ? reason : "?");
}

static gboolean
is_redirect (guint status)
{
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* Sends GET @url, following redirects by hand: the token goes only to the Hub's origin. Retries
 * 429 (after Retry-After, bounded) and 5xx. Returns the body stream of a 2xx answer, with @msg
 * set; NULL with @error otherwise. */
static GInputStream *
send_following (Op            *op,
                const char    *url,
                gboolean       raw,
                guint64        range_from,
                What           what,
                const char    *name,
                const char    *revision,
                SoupMessage  **out_msg,
                GCancellable  *cancellable,
                GError       **error)
{
  guint attempt = 0;

  for (;;)
    {
      g_autoptr(GUri) uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
      guint n_redirects = 0;

      if (uri == NULL)
        {
          g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_PROTOCOL,
                       _("The Hub gave an address that is not a URL for %s"), name);
          return NULL;
        }

      for (;;)
        {
          g_autoptr(SoupMessage) msg = soup_message_new_from_uri ("GET", uri);
          g_autoptr(GInputStream) in = NULL;
          g_autoptr(GError) local_error = NULL;
          SoupMessageHeaders *request_headers;
          guint status;
          const char *location;
          GUri *next;

          soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
          request_headers = soup_message_get_request_headers (msg);
          if (op->token != NULL && is_hub_origin (op, uri))
            {
              g_autofree char *value = g_strconcat ("Bearer ", op->token, NULL);

              soup_message_headers_replace (request_headers, "Authorization", value);
              clair_secret_wipe (value);
            }
          if (raw)
            {
              /* Bytes as stored, so sizes and ranges mean what they say. */
              soup_message_disable_feature (msg, SOUP_TYPE_CONTENT_DECODER);
              if (range_from > 0)
                soup_message_headers_set_range (request_headers, (goffset) range_from, -1);
            }

          /* Made at the first request, in the thread that makes them all. Redirects are followed
           * by hand (above), so the session never follows one. */
          if (op->session == NULL)
            op->session = g_object_new (SOUP_TYPE_SESSION,
                                        "user-agent", "clair-studio/" PACKAGE_VERSION " ",
                                        "timeout", 60,
                                        "idle-timeout", 30,
                                        NULL);
          in = soup_session_send (op->session, msg, cancellable, &local_error);
          if (in == NULL)
            {
              set_network_error (op, uri, local_error, error);
              return NULL;
            }
          status = soup_message_get_status (msg);
          location = soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                   "Location");
          if (is_redirect (status) && location != NULL)
            {
              g_input_stream_close (in, NULL, NULL);
              next = g_uri_parse_relative (uri, location, SOUP_HTTP_URI_FLAGS, NULL);
              if (next == NULL || ++n_redirects > MAX_REDIRECTS ||
                  (g_strcmp0 (g_uri_get_scheme (next), "https") != 0 &&
                   g_strcmp0 (g_uri_get_scheme (next), "http") != 0))
                {
                  g_clear_pointer (&next, g_uri_unref);
                  g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_PROTOCOL,
                               _("The Hub redirected the download of %s too often or to an "
                                 "address that is not a web address"), name);
                  return NULL;
                }
              g_uri_unref (uri);
              uri = next;
              continue;
            }

          if (SOUP_STATUS_IS_SUCCESSFUL (status) || (raw && status == 416))
            {
              *out_msg = g_steal_pointer (&msg);
              return g_steal_pointer (&in);
            }

          g_input_stream_close (in, NULL, NULL);
          if ((status == STATUS_TOO_MANY_REQUESTS || status >= 500) &&
              attempt < op->max_retries)
            {
              gint64 wait = retry_after_seconds (msg);
              double seconds = wait >= 0 ? (double) wait : MIN (0.5 * (1 << attempt), 8.0);

              if (wait > (gint64) op->max_wait_s)
                {
                  set_status_error (op, msg, what, name, revision, error);
                  return NULL;
                }
              attempt++;
              g_debug ("HTTP %u for %s; retry %u in %.1f s", status, name, attempt, seconds);
              if (!wait_cancellable (seconds, cancellable, error))
                return NULL;
              break;   /* start again from the first URL */
            }
          if (!is_hub_origin (op, uri) && status != STATUS_TOO_MANY_REQUESTS)
            {
              /* The CDN the Hub sent us to: its links expire, and it knows nothing of tokens. */
              g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_HTTP,
                           _("The download server %s answered HTTP %u for file “%s” of dataset "
                             "“%s”; run the command again for a fresh link"),
                           g_uri_get_host (uri) ? g_uri_get_host (uri) : "?", status, name,
                           op->repo_id);
              return NULL;
            }
          set_status_error (op, msg, what, name, revision, error);
          return NULL;
        }
    }
}

/* One JSON object, or NULL: through the one JSON reader (exactly one value, \u0000 kept). */
static JsonNode *
parse_object (const char *data,
              gsize       len)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (clair_json_load_object (parser, data, len, NULL) == NULL)
    return NULL;
  return json_node_copy (json_parser_get_root (parser));
}

/* Reads a whole JSON body (one JSON object, at most MAX_JSON_BODY bytes). */
static JsonNode *
get_json (Op            *op,
          const char    *url,
          What           what,
          const char    *name,
          const char    *revision,
          GCancellable  *cancellable,
          GError       **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_autofree guint8 *buf = g_malloc (READ_CHUNK);
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  gssize n;

  in = send_following (op, url, FALSE, 0, what, name, revision, &msg, cancellable, error);
  if (in == NULL)
    return NULL;
  while ((n = g_input_stream_read (in, buf, READ_CHUNK, cancellable, &local_error)) > 0)
    {
      if (body->len + n > MAX_JSON_BODY)
        {
          g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_TOO_LARGE,
                       _("The Hub's answer for %s of dataset “%s” is over %d MB"),
                       name, op->repo_id, MAX_JSON_BODY / (1024 * 1024));
          return NULL;
        }
      g_byte_array_append (body, buf, n);
    }
  if (n < 0)
    {
      g_autoptr(GUri) uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);

      set_network_error (op, uri, local_error, error);
      return NULL;
    }
  root = parse_object ((const char *) body->data, body->len);
  if (root == NULL)
    g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_PROTOCOL,
                 _("The Hub's answer for %s of dataset “%s” is not the JSON object expected"),
                 name, op->repo_id);
  return root;
}

/* Listing */

static char *
escape_segment (const char *text)
{
  return g_uri_escape_string (text, NULL, FALSE);
}

static char *
escape_path (const char *path)
{
  return g_uri_escape_string (path, "/", FALSE);
}

static char *
resolve_url (Op         *op,
             const char *revision,
             const char *path)
{
  g_autofree char *rev = escape_segment (revision);
  g_autofree char *escaped = escape_path (path);

  return g_strdup_printf ("%s/datasets/%s/resolve/%s/%s", op->endpoint, op->repo_id, rev, escaped);
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gint64
member_size (JsonObject *object,
             const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE ||
      json_node_get_value_type (node) != G_TYPE_INT64 || json_node_get_int (node) < 0)
    return -1;
  return json_node_get_int (node);
}

/* The siblings of a revision answer: path → size. */
static GHashTable *
read_siblings (JsonObject *root)
{
  GHashTable *files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  JsonNode *node = json_object_get_member (root, "siblings");
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return files;
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *sibling;
      const char *path;
      gint64 size;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      sibling = json_node_get_object (element);
      path = member_string (sibling, "rfilename");
      if (!is_safe_path (path))
        continue;
      size = member_size (sibling, "size");
      if (size < 0 && json_object_has_member (sibling, "lfs") &&
          JSON_NODE_HOLDS_OBJECT (json_object_get_member (sibling, "lfs")))
        size = member_size (json_object_get_object_member (sibling, "lfs"), "size");
      g_hash_table_replace (files, g_strdup (path), g_memdup2 (&size, sizeof size));
    }
  return files;
}

static gint64
sibling_size (GHashTable *siblings,
              const char *path)
{
  const gint64 *size = g_hash_table_lookup (siblings, path);

  return size != NULL ? *size : -1;
}

/* GET /api/datasets/ID/revision/REV?blobs=true: the commit and the files with their sizes. */
static JsonNode *
lookup_revision (Op            *op,
                 const char    *revision,
                 char         **sha,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autofree char *rev = escape_segment (revision);
  g_autofree char *url = g_strdup_printf ("%s/api/datasets/%s/revision/%s?blobs=true",
                                          op->endpoint, op->repo_id, rev);
  g_autoptr(JsonNode) root = NULL;
  const char *found;

  root = get_json (op, url, g_str_equal (revision, "main") ? WHAT_DATASET : WHAT_REVISION,
                   "the revision", revision, cancellable, error);
  if (root == NULL)
    return NULL;
  found = member_string (json_node_get_object (root), "sha");
  if (!is_sha (found))
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_PROTOCOL,
                   _("The Hub did not say which commit revision “%s” of dataset “%s” is"),
                   revision, op->repo_id);
      return NULL;
    }
  *sha = g_strdup (found);
  return g_steal_pointer (&root);
}

static const char * const data_extensions[] = { ".parquet", ".jsonl", ".json", ".csv", ".tsv" };

static int
data_extension (const char *path)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);
  g_autofree char *base = g_path_get_basename (lower);
  static const char * const metadata[] = { "dataset_infos.json", "dataset_info.json",
                                           "dataset_dict.json", "state.json" };

  if (base[0] == '.' || g_str_has_prefix (lower, ".") || strstr (lower, "/.") != NULL)
    return -1;
  for (guint i = 0; i < G_N_ELEMENTS (metadata); i++)
    if (g_str_equal (base, metadata[i]))
      return -1;
  for (guint i = 0; i < G_N_ELEMENTS (data_extensions); i++)
    if (g_str_has_suffix (lower, data_extensions[i]))
      return (int) i;
  return -1;
}

/* The split a data file belongs to by its name or folder, as the datasets library guesses it:
 * a word train/training, validation/valid/val/dev, test/testing/eval/evaluation; else train. */
static const char *
split_of_path (const char *path)
{
  static const struct { const char *word; const char *split; } words[] = {
    { "train", "train" }, { "training", "train" },
    { "validation", "validation" }, { "valid", "validation" }, { "val", "validation" },
    { "dev", "validation" },
    { "test", "test" }, { "testing", "test" }, { "eval", "test" }, { "evaluation", "test" },
  };
  g_autofree char *lower = g_ascii_strdown (path, -1);
  const char *p = lower;

  while (*p != '\0')
    {
      gsize len;

      while (*p != '\0' && !g_ascii_isalpha (*p))
        p++;
      for (len = 0; g_ascii_isalpha (p[len]); len++)
        ;
      for (guint i = 0; len > 0 && i < G_N_ELEMENTS (words); i++)
        if (strlen (words[i].word) == len && strncmp (p, words[i].word, len) == 0)
          return words[i].split;
      p += len;
    }
  return "train";
}

static int
compare_files (gconstpointer a,
               gconstpointer b)
{
  const ClairHubFile *x = *(ClairHubFile * const *) a;
  const ClairHubFile *y = *(ClairHubFile * const *) b;

  return strcmp (x->path, y->path);
}

static void
add_repo_splits (Op              *op,
                 ClairHubListing *listing)
{
  g_autoptr(GHashTable) by_split = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) best = g_hash_table_new (g_str_hash, g_str_equal);

  /* The preferred format of each split (Parquet first), then its files in that format. */
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < listing->repo_files->len; i++)
      {
        const ClairHubFile *file = g_ptr_array_index (listing->repo_files, i);
        int ext = data_extension (file->path);
        const char *name = split_of_path (file->path);
        ClairHubSplit *split;

        if (ext < 0)
          continue;
        if (pass == 0)
          {
            gpointer known;

            if (!g_hash_table_lookup_extended (best, name, NULL, &known) ||
                ext < GPOINTER_TO_INT (known))
              g_hash_table_replace (best, (gpointer) name, GINT_TO_POINTER (ext));
            continue;
          }
        if (GPOINTER_TO_INT (g_hash_table_lookup (best, name)) != ext)
          continue;
        split = g_hash_table_lookup (by_split, name);
        if (split == NULL)
          {
            split = hub_split_new ("default", name);
            g_hash_table_insert (by_split, (gpointer) name, split);
            g_ptr_array_add (listing->splits, split);
          }
        g_ptr_array_add (split->files,
                         hub_file_new (file->path, file->size, file->url, file->local));
      }
  for (guint i = 0; i < listing->splits->len; i++)
    g_ptr_array_sort (((ClairHubSplit *) g_ptr_array_index (listing->splits, i))->files,
                      compare_files);
}

/* The number N of a Parquet API file URL ".../CONFIG/SPLIT/N.parquet", or -1. */
static gint64
shard_number (const char *name)
{
  g_autofree char *base = g_path_get_basename (name);
  guint64 n;

  if (!g_str_has_suffix (base, ".parquet"))
    return -1;
  base[strlen (base) - strlen (".parquet")] = '\0';
  if (!g_ascii_string_to_unsigned (base, 10, 0, G_MAXINT32, &n, NULL))
    return -1;
  return (gint64) n;
}

/* The file of the conversion branch that shard @n of CONFIG/SPLIT is: CONFIG/SPLIT/NNNN.parquet,
 * or CONFIG/partial-SPLIT/NNNN.parquet for a split converted in part. */
static const char *
converted_path (GHashTable *siblings,
                const char *config,
                const char *split,
                gint64      n)
{
  GHashTableIter iter;
  gpointer key;
  g_autofree char *full = g_strdup_printf ("%s/%s/", config, split);
  g_autofree char *partial = g_strdup_printf ("%s/partial-%s/", config, split);

  g_hash_table_iter_init (&iter, siblings);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      const char *path = key;
      const char *rest = g_str_has_prefix (path, full) ? path + strlen (full)
                         : g_str_has_prefix (path, partial) ? path + strlen (partial) : NULL;

      if (rest != NULL && strchr (rest, '/') == NULL && shard_number (rest) == n)
        return path;
    }
  return NULL;
}

/* TRUE when @split has shard @n already (an answer listing one twice). */
static gboolean
split_has_shard (const ClairHubSplit *split,
                 gint64               n)
{
  for (guint i = 0; i < split->files->len; i++)
    if (shard_number (((ClairHubFile *) g_ptr_array_index (split->files, i))->path) == n)
      return TRUE;
  return FALSE;
}

/* The splits of a Parquet API answer; @siblings (path → size) are the conversion branch's files at
 * @convert_sha (NULL when it could not be listed). */
static gboolean
add_converted_from (Op              *op,
                    ClairHubListing *listing,
                    JsonObject      *object,
                    const char      *convert_sha,
                    GHashTable      *siblings)
{
  g_autoptr(GList) configs = json_object_get_members (object);

  for (GList *c = configs; c != NULL; c = c->next)
    {
      JsonNode *config_node = json_object_get_member (object, c->data);
      g_autoptr(GList) splits = NULL;

      if (!is_safe_path (c->data) || strchr (c->data, '/') != NULL ||
          !JSON_NODE_HOLDS_OBJECT (config_node))
        continue;
      splits = json_object_get_members (json_node_get_object (config_node));
      for (GList *s = splits; s != NULL; s = s->next)
        {
          JsonNode *urls = json_object_get_member (json_node_get_object (config_node), s->data);
          ClairHubSplit *split;
          JsonArray *array;

          if (!is_safe_path (s->data) || strchr (s->data, '/') != NULL ||
              !JSON_NODE_HOLDS_ARRAY (urls))
            continue;
          array = json_node_get_array (urls);
          split = hub_split_new (c->data, s->data);
          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              JsonNode *element = json_array_get_element (array, i);
              const char *file_url = JSON_NODE_HOLDS_VALUE (element) &&
                                     json_node_get_value_type (element) == G_TYPE_STRING
                                     ? json_node_get_string (element) : NULL;
              gint64 n = file_url ? shard_number (file_url) : -1;
              const char *path = n >= 0 && convert_sha
                                 ? converted_path (siblings, c->data, s->data, n) : NULL;
              g_autofree char *resolved = NULL;
              g_autofree char *local = NULL;
              g_autofree char *api_path = NULL;

              if (n < 0 || split_has_shard (split, n))
                continue;
              /* Only a web address is downloaded from (the token goes to the Hub's own only). */
              if (path == NULL && !g_str_has_prefix (file_url, "https://") &&
                  !g_str_has_prefix (file_url, "http://"))
                continue;
              if (path != NULL)
                {
                  resolved = resolve_url (op, convert_sha, path);
                  local = g_build_filename (convert_sha, path, NULL);
                  g_ptr_array_add (split->files,
                                   hub_file_new (path, sibling_size (siblings, path), resolved,
                                                 local));
                  continue;
                }
              /* The conversion branch did not list it: download the API's URL, and keep it
               * under the dataset's commit. */
              api_path = g_strdup_printf ("%s/%s/%04" G_GINT64_FORMAT ".parquet", (char *) c->data,
                                          (char *) s->data, n);
              local = g_build_filename (listing->sha, "refs%2Fconvert%2Fparquet", api_path, NULL);
              g_ptr_array_add (split->files, hub_file_new (api_path, -1, file_url, local));
            }
          if (split->files->len == 0)
            {
              hub_split_free (split);
              continue;
            }
          g_ptr_array_sort (split->files, compare_files);
          g_ptr_array_add (listing->splits, split);
        }
    }
  listing->converted = listing->splits->len > 0;
  if (listing->converted && convert_sha != NULL)
    listing->files_sha = g_strdup (convert_sha);
  return listing->converted;
}

/* GET /api/datasets/ID/parquet, and the conversion branch's files for their sizes and commit.
 * FALSE without an error when the dataset has no conversion. */
static gboolean
add_converted_splits (Op               *op,
                      ClairHubListing  *listing,
                      GCancellable     *cancellable,
                      GError          **error)
{
  g_autofree char *url = g_strdup_printf ("%s/api/datasets/%s/parquet", op->endpoint, op->repo_id);
  g_autofree char *convert_sha = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) branch = NULL;
  g_autoptr(GHashTable) siblings = NULL;
  g_autoptr(GError) local_error = NULL;

  root = get_json (op, url, WHAT_LISTING, "the Parquet listing", listing->revision, cancellable,
                   &local_error);
  if (root == NULL)
    {
      /* No conversion (yet, or ever): the repository's own files. */
      if (g_error_matches (local_error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND) ||
          g_error_matches (local_error, CLAIR_ERROR, CLAIR_ERROR_PROTOCOL))
        return FALSE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  branch = lookup_revision (op, CONVERT_REVISION, &convert_sha, cancellable, &local_error);
  if (branch == NULL)
    {
      if (!g_error_matches (local_error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_clear_error (&local_error);
    }
  siblings = branch ? read_siblings (json_node_get_object (branch))
                    : g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return add_converted_from (op, listing, json_node_get_object (root), convert_sha, siblings);
}

/* The cache */

static char *
repo_cache_dir (Op *op)
{
  return g_build_filename (op->cache_dir, op->repo_id, NULL);
}

static char *
ref_cache_path (Op         *op,
                const char *revision)
{
  g_autofree char *dir = repo_cache_dir (op);
  g_autofree char *name = escape_segment (revision);

  return g_build_filename (dir, "refs", name, NULL);
}

static char *
listing_cache_path (Op         *op,
                    const char *sha)
{
  g_autofree char *dir = repo_cache_dir (op);
  g_autofree char *name = g_strconcat (sha, ".json", NULL);

  return g_build_filename (dir, "listings", name, NULL);
}

static void
append_file_json (GString            *out,
                  const ClairHubFile *file)
{
  g_string_append_c (out, '{');
  clair_json_append_key (out, "path", TRUE);
  clair_json_append_string (out, file->path, -1);
  clair_json_append_key (out, "size", FALSE);
  clair_json_append_int (out, file->size);
  clair_json_append_key (out, "url", FALSE);
  clair_json_append_string (out, file->url, -1);
  clair_json_append_key (out, "local", FALSE);
  clair_json_append_string (out, file->local, -1);
  g_string_append_c (out, '}');
}

static GString *
listing_to_json (Op              *op,
                 ClairHubListing *listing)
{
  GString *out = g_string_new ("{");

  clair_json_append_key (out, "version", TRUE);
  clair_json_append_int (out, 1);
  clair_json_append_key (out, "endpoint", FALSE);
  clair_json_append_string (out, op->endpoint, -1);
  clair_json_append_key (out, "converted", FALSE);
  g_string_append (out, listing->converted ? "true" : "false");
  if (listing->files_sha != NULL)
    {
      clair_json_append_key (out, "files_sha", FALSE);
      clair_json_append_string (out, listing->files_sha, -1);
    }
  clair_json_append_key (out, "repo_files", FALSE);
  g_string_append_c (out, '[');
  for (guint i = 0; i < listing->repo_files->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      append_file_json (out, g_ptr_array_index (listing->repo_files, i));
    }
  g_string_append (out, "]");
  clair_json_append_key (out, "splits", FALSE);
  g_string_append_c (out, '[');
  for (guint i = 0; i < listing->splits->len; i++)
    {
      const ClairHubSplit *split = g_ptr_array_index (listing->splits, i);

      g_string_append (out, i > 0 ? ",{" : "{");
      clair_json_append_key (out, "config", TRUE);
      clair_json_append_string (out, split->config, -1);
      clair_json_append_key (out, "split", FALSE);
      clair_json_append_string (out, split->split, -1);
      clair_json_append_key (out, "files", FALSE);
      g_string_append_c (out, '[');
      for (guint j = 0; j < split->files->len; j++)
        {
          if (j > 0)
            g_string_append_c (out, ',');
          append_file_json (out, g_ptr_array_index (split->files, j));
        }
      g_string_append (out, "]}");
    }
  g_string_append (out, "]}\n");
  return out;
}

static void
save_listing (Op              *op,
              ClairHubListing *listing)
{
  g_autoptr(GString) out = listing_to_json (op, listing);
  g_autofree char *path = listing_cache_path (op, listing->sha);
  g_autofree char *dir = g_path_get_dirname (path);

  /* A cache that cannot be written only costs requests next time. */
  if (g_mkdir_with_parents (dir, 0700) != 0 ||
      !g_file_set_contents (path, out->str, out->len, NULL))
    g_debug ("Could not cache the listing of %s", op->repo_id);
}

static ClairHubFile *
read_file_json (Op       *op,
                JsonNode *node)
{
  JsonObject *object;
  const char *path;
  const char *url;
  const char *local;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  object = json_node_get_object (node);
  path = member_string (object, "path");
  url = member_string (object, "url");
  local = member_string (object, "local");
  if (!is_safe_path (path) || url == NULL || !is_safe_path (local))
    return NULL;
  return hub_file_new (path, member_size (object, "size"), url, local);
}

/* A listing as listing_to_json() wrote it, or NULL. One made for another endpoint is not used. */
static ClairHubListing *
listing_from_json (Op         *op,
                   const char *revision,
                   const char *sha,
                   const char *text,
                   gsize       len)
{
  g_autoptr(JsonNode) whole = parse_object (text, len);
  g_autoptr(ClairHubListing) listing = NULL;
  JsonObject *root;
  JsonArray *files;
  JsonArray *splits;

  if (whole == NULL)
    return NULL;
  root = json_node_get_object (whole);
  if (g_strcmp0 (member_string (root, "endpoint"), op->endpoint) != 0 ||
      !json_object_has_member (root, "repo_files") || !json_object_has_member (root, "splits") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "repo_files")) ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "splits")))
    return NULL;

  listing = listing_new (op->repo_id, revision, sha);
  listing->converted = json_object_get_boolean_member_with_default (root, "converted", FALSE);
  if (is_sha (member_string (root, "files_sha")))
    listing->files_sha = g_strdup (member_string (root, "files_sha"));
  files = json_object_get_array_member (root, "repo_files");
  for (guint i = 0; i < json_array_get_length (files); i++)
    {
      ClairHubFile *file = read_file_json (op, json_array_get_element (files, i));

      if (file == NULL)
        return NULL;
      g_ptr_array_add (listing->repo_files, file);
    }
  splits = json_object_get_array_member (root, "splits");
  for (guint i = 0; i < json_array_get_length (splits); i++)
    {
      JsonNode *node = json_array_get_element (splits, i);
      JsonObject *object;
      ClairHubSplit *split;
      JsonArray *split_files;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return NULL;
      object = json_node_get_object (node);
      if (member_string (object, "config") == NULL || member_string (object, "split") == NULL ||
          !json_object_has_member (object, "files") ||
          !JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "files")))
        return NULL;
      split = hub_split_new (member_string (object, "config"), member_string (object, "split"));
      g_ptr_array_add (listing->splits, split);
      split_files = json_object_get_array_member (object, "files");
      for (guint j = 0; j < json_array_get_length (split_files); j++)
        {
          ClairHubFile *file = read_file_json (op, json_array_get_element (split_files, j));

          if (file == NULL)
            return NULL;
          g_ptr_array_add (split->files, file);
        }
    }
  listing_finish (listing);
  return g_steal_pointer (&listing);
}

/* The cached listing of @sha, or NULL. */
static ClairHubListing *
load_listing (Op         *op,
              const char *revision,
              const char *sha)
{
  g_autofree char *path = listing_cache_path (op, sha);
  g_autofree char *text = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &text, &len, NULL))
    return NULL;
  return listing_from_json (op, revision, sha, text, len);
}

static char *
load_cached_sha (Op         *op,
                 const char *revision)
{
  g_autofree char *path = ref_cache_path (op, revision);
  g_autofree char *text = NULL;

  if (is_sha (revision))
    return g_strdup (revision);
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  g_strstrip (text);
  return is_sha (text) ? g_steal_pointer (&text) : NULL;
}

static void
save_ref (Op         *op,
          const char *revision,
          const char *sha)
{
  g_autofree char *path = ref_cache_path (op, revision);
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0700) != 0 || !g_file_set_contents (path, sha, -1, NULL))
    g_debug ("Could not cache the revision of %s", op->repo_id);
}

static ClairHubListing *
list_offline (Op           *op,
              const char   *revision,
              GError       *cause,
              GError      **error)
{
  g_autofree char *sha = load_cached_sha (op, revision);
  ClairHubListing *listing = sha ? load_listing (op, revision, sha) : NULL;

  if (listing != NULL)
    {
      listing->offline = TRUE;
      return listing;
    }
  if (cause != NULL)
    g_propagate_error (error, g_error_copy (cause));
  else
    g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_UNREACHABLE,
                 _("Dataset “%s” at revision “%s” is not in the cache, and HF_HUB_OFFLINE forbids "
                   "asking the Hub"), op->repo_id, revision);
  return NULL;
}

/* A listing of the default branch made before the Hub had converted it is asked for again once a
 * day: the conversion usually follows a push within minutes. */
static gboolean
conversion_may_be_due (Op              *op,
                       ClairHubListing *listing)
{
  g_autofree char *path = NULL;
  GStatBuf st;

  if (listing->converted || !g_str_equal (listing->revision, "main"))
    return FALSE;
  path = listing_cache_path (op, listing->sha);
  return g_stat (path, &st) != 0 ||
         (gint64) st.st_mtime < g_get_real_time () / G_USEC_PER_SEC - 24 * 3600;
}

/* The repository's files from a revision answer, downloaded at the listing's commit. */
static void
add_repo_files (Op              *op,
                ClairHubListing *listing,
                JsonObject      *revision_root)
{
  g_autoptr(GHashTable) siblings = read_siblings (revision_root);
  g_autoptr(GList) paths = g_hash_table_get_keys (siblings);

  for (GList *l = paths; l != NULL; l = l->next)
    {
      g_autofree char *url = resolve_url (op, listing->sha, l->data);
      g_autofree char *local = g_build_filename (listing->sha, (char *) l->data, NULL);

      g_ptr_array_add (listing->repo_files,
                       hub_file_new (l->data, sibling_size (siblings, l->data), url, local));
    }
  g_ptr_array_sort (listing->repo_files, compare_files);
}

static ClairHubListing *
list_op (Op            *op,
         const char    *revision,
         GCancellable  *cancellable,
         GError       **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ClairHubListing) listing = NULL;
  g_autofree char *sha = NULL;

  if (op->offline)
    return list_offline (op, revision, NULL, error);

  /* A commit named in full whose listing is cached: nothing to ask. */
  if (is_sha (revision) && (listing = load_listing (op, revision, revision)) != NULL)
    return g_steal_pointer (&listing);

  root = lookup_revision (op, revision, &sha, cancellable, &local_error);
  if (root == NULL)
    {
      if (g_error_matches (local_error, CLAIR_ERROR, CLAIR_ERROR_UNREACHABLE))
        return list_offline (op, revision, local_error, error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  save_ref (op, revision, sha);
  if ((listing = load_listing (op, revision, sha)) != NULL && !conversion_may_be_due (op, listing))
    return g_steal_pointer (&listing);
  g_clear_pointer (&listing, clair_hub_listing_unref);

  listing = listing_new (op->repo_id, revision, sha);
  add_repo_files (op, listing, json_node_get_object (root));

  /* The Hub converts the default branch only: another revision is read from its own files. */
  if (g_str_equal (revision, "main") || g_str_equal (revision, sha))
    {
      if (!add_converted_splits (op, listing, cancellable, &local_error) && local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }
  if (!listing->converted)
    add_repo_splits (op, listing);
  listing_finish (listing);
  save_listing (op, listing);
  return g_steal_pointer (&listing);
}

ClairHubListing *
_clair_hub_listing_from_answers (const char  *repo_id,
                                 const char  *revision_json,
                                 gsize        revision_len,
                                 const char  *parquet_json,
                                 gsize        parquet_len,
                                 const char  *convert_json,
                                 gsize        convert_len,
                                 char       **cached)
{
  g_autoptr(Op) op = g_new0 (Op, 1);
  g_autoptr(JsonNode) root = parse_object (revision_json, revision_len);
  g_autoptr(JsonNode) parquet = parse_object (parquet_json, parquet_len);
  g_autoptr(JsonNode) branch = parse_object (convert_json, convert_len);
  g_autoptr(ClairHubListing) listing = NULL;
  g_autoptr(ClairHubListing) again = NULL;
  g_autoptr(GString) first = NULL;
  g_autoptr(GString) second = NULL;
  const char *sha;
  const char *convert_sha;

  op->endpoint = g_strdup ("https://hub.example");
  op->endpoint_shown = g_strdup (op->endpoint);
  op->repo_id = repo_id;
  sha = root ? member_string (json_node_get_object (root), "sha") : NULL;
  if (!is_sha (sha))
    return NULL;
  listing = listing_new (repo_id, "main", sha);
  add_repo_files (op, listing, json_node_get_object (root));
  if (parquet != NULL)
    {
      g_autoptr(GHashTable) siblings = NULL;

      convert_sha = branch ? member_string (json_node_get_object (branch), "sha") : NULL;
      if (!is_sha (convert_sha))
        convert_sha = NULL;
      siblings = convert_sha ? read_siblings (json_node_get_object (branch))
                             : g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      add_converted_from (op, listing, json_node_get_object (parquet), convert_sha, siblings);
    }
  if (!listing->converted)
    add_repo_splits (op, listing);
  listing_finish (listing);

  /* What the cache holds reads back as the same listing. */
  first = listing_to_json (op, listing);
  again = listing_from_json (op, "main", sha, first->str, first->len);
  g_assert (again != NULL);
  second = listing_to_json (op, again);
  g_assert (g_string_equal (first, second));
  if (cached != NULL)
    *cached = g_strdup (first->str);
  return g_steal_pointer (&listing);
}

ClairHubListing *
clair_hub_list (ClairHub      *self,
                const char    *repo_id,
                const char    *revision,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(Op) op = NULL;
  ClairHubRef ref;

  g_return_val_if_fail (CLAIR_IS_HUB (self), NULL);
  g_return_val_if_fail (repo_id != NULL, NULL);

  if (!clair_hub_ref_parse (repo_id, &ref, error))
    return NULL;
  if (ref.revision != NULL || ref.path != NULL)
    {
      clair_hub_ref_clear (&ref);
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA,
                   _("“%s” is not a dataset id of the form ORG/NAME"), repo_id);
      return NULL;
    }
  clair_hub_ref_clear (&ref);
  if (revision != NULL && !is_safe_revision (revision))
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA,
                   _("“%s” is not a revision name"), revision);
      return NULL;
    }
  op = op_new (self, repo_id);
  if (op->endpoint_uri == NULL || (g_strcmp0 (g_uri_get_scheme (op->endpoint_uri), "http") != 0 &&
                                   g_strcmp0 (g_uri_get_scheme (op->endpoint_uri), "https") != 0))
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_FAILED,
                   _("“%s” is not a Hub address: HF_ENDPOINT must be an http:// or https:// URL"),
                   op->endpoint_shown);
      return NULL;
    }
  return list_op (op, revision ? revision : "main", cancellable, error);
}

/* Downloads */

static void
report_progress (Op       *op,
                 gboolean  force)
{
  gint64 now = g_get_monotonic_time ();

  if (op->progress == NULL || (!force && now - op->last_progress_us < PROGRESS_EVERY_US))
    return;
  op->last_progress_us = now;
  op->progress (op->done, op->total, op->progress_data);
}

static gboolean
write_all (int            fd,
           const guint8  *data,
           gsize          len,
           const char    *path,
           GError       **error)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _("Could not write “%s”: %s"), path, g_strerror (saved));
          return FALSE;
        }
      data += n;
      len -= n;
    }
  return TRUE;
}

/* The total length a 200 or 206 answer promises for the whole file, or -1. */
static gint64
answer_total (SoupMessage *msg)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (msg);
  goffset start, end, total;

  if (soup_message_get_status (msg) == SOUP_STATUS_PARTIAL_CONTENT)
    {
      if (soup_message_headers_get_content_range (headers, &start, &end, &total) && total >= 0)
        return total;
      return -1;
    }
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH)
    return soup_message_headers_get_content_length (headers);
  return -1;
}

/* Downloads one file into the cache unless it is there already; returns its local path. */
static char *
download_one (Op                 *op,
              ClairHubListing    *listing,
              const ClairHubFile *file,
              GCancellable       *cancellable,
              GError            **error)
{
  g_autofree char *repo_dir = repo_cache_dir (op);
  g_autofree char *final = g_build_filename (repo_dir, file->local, NULL);
  g_autofree char *part = g_strconcat (final, ".part", NULL);
  g_autofree char *dir = g_path_get_dirname (final);
  g_autofree guint8 *buf = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GError) local_error = NULL;
  GStatBuf st;
  guint64 have = 0;
  guint64 base = op->done;
  gint64 expected = file->size;
  gint64 total;
  guint status;
  gssize n;
  int fd;

  if (g_stat (final, &st) == 0 && S_ISREG (st.st_mode) &&
      (expected < 0 || (guint64) st.st_size == (guint64) expected))
    {
      op->done += st.st_size;
      report_progress (op, FALSE);
      return g_steal_pointer (&final);
    }
  if (op->offline)
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_UNREACHABLE,
                   _("File “%s” of dataset “%s” is not in the cache, and the Hub cannot be asked "
                     "(offline)"), file->path, op->repo_id);
      return NULL;
    }
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not create the cache folder “%s”: %s"), dir, g_strerror (saved));
      return NULL;
    }

  fd = g_open (part, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not write “%s”: %s"), part, g_strerror (saved));
      return NULL;
    }
  /* Two downloads appending to one .part would make garbage of it. */
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      close (fd);
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_BUSY,
                   _("File “%s” of dataset “%s” is being downloaded by another program; try again "
                     "when it is done"), file->path, op->repo_id);
      return NULL;
    }
  if (fstat (fd, &st) == 0)
    have = st.st_size;
  if (expected >= 0 && have > (guint64) expected)
    {
      /* Not a beginning of this file: start again. */
      if (ftruncate (fd, 0) != 0)
        g_debug ("Could not truncate %s", part);
      have = 0;
    }

  if (expected < 0 || have < (guint64) expected)
    {
      in = send_following (op, file->url, TRUE, have, WHAT_FILE, file->path, listing->sha, &msg,
                           cancellable, error);
      if (in == NULL)
        goto fail;
      status = soup_message_get_status (msg);
      if (status == 416)
        {
          /* Nothing past what we have: it is complete if the server's length says so. */
          g_input_stream_close (in, NULL, NULL);
          g_clear_object (&in);
        }
      else if (status != SOUP_STATUS_PARTIAL_CONTENT && have > 0)
        {
          /* The server sent the whole file instead of the rest. */
          if (ftruncate (fd, 0) != 0 || lseek (fd, 0, SEEK_SET) != 0)
            g_debug ("Could not truncate %s", part);
          have = 0;
        }
      if (in != NULL && status == SOUP_STATUS_PARTIAL_CONTENT)
        {
          goffset start = -1, end = -1, length = -1;

          /* The rest from where the part ends, not another piece. */
          if (!soup_message_headers_get_content_range (soup_message_get_response_headers (msg),
                                                       &start, &end, &length) ||
              start != (goffset) have)
            {
              g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_PROTOCOL,
                           _("The download server sent another part of file “%s” of dataset “%s” "
                             "than the one asked for"), file->path, op->repo_id);
              g_unlink (part);
              goto fail;
            }
        }
      if (in != NULL)
        {
          total = answer_total (msg);
          if (expected < 0)
            expected = total;
          if (expected >= 0 && total >= 0 && total != expected)
            {
              g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_PROTOCOL,
                           _("The Hub sent %lld bytes for file “%s” of dataset “%s”, which it "
                             "listed with %lld"),
                           (long long) total, file->path, op->repo_id, (long long) expected);
              g_unlink (part);
              goto fail;
            }
          if (lseek (fd, (off_t) have, SEEK_SET) < 0)
            g_debug ("Could not seek %s", part);
          if (op->total >= 0 && file->size < 0 && expected >= 0)
            op->total += expected;
          op->done = base + have;
          buf = g_malloc (READ_CHUNK);
          while ((n = g_input_stream_read (in, buf, READ_CHUNK, cancellable, &local_error)) > 0)
            {
              if (!write_all (fd, buf, n, part, error))
                goto fail;
              have += n;
              op->done = base + have;
              report_progress (op, FALSE);
              if (expected >= 0 && have > (guint64) expected)
                break;
            }
          if (n < 0)
            {
              if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
                g_propagate_error (error, g_steal_pointer (&local_error));
              else
                {
                  g_autofree char *reason = server_text (op, local_error->message);

                  g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_INTERRUPTED,
                               _("The download of “%s” of dataset “%s” was interrupted (%s); run "
                                 "the same command again to resume it"),
                               file->path, op->repo_id, reason ? reason : "?");
                }
              goto fail;
            }
        }
    }

  if (fsync (fd) != 0)
    g_debug ("Could not sync %s", part);
  if (expected < 0 || have != (guint64) expected)
    {
      g_autofree char *have_text = g_strdup_printf ("%" G_GUINT64_FORMAT, have);

      if (expected >= 0 && have > (guint64) expected)
        {
          g_unlink (part);
          g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_PROTOCOL,
                       _("The Hub sent more than the %lld bytes it listed for file “%s” of "
                         "dataset “%s”"), (long long) expected, file->path, op->repo_id);
        }
      else if (expected >= 0)
        g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_INTERRUPTED,
                     _("The download of “%s” of dataset “%s” ended after %s of %lld bytes; run "
                       "the same command again to resume it"),
                     file->path, op->repo_id, have_text, (long long) expected);
      else
        g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_PROTOCOL,
                     _("The Hub did not say how long file “%s” of dataset “%s” is, so its "
                       "download cannot be checked"), file->path, op->repo_id);
      goto fail;
    }
  if (g_rename (part, final) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not write “%s”: %s"), final, g_strerror (saved));
      goto fail;
    }
  close (fd);
  report_progress (op, FALSE);
  return g_steal_pointer (&final);

fail:
  close (fd);
  return NULL;
}

static const ClairHubFile *
find_repo_file (ClairHubListing *listing,
                const char      *path)
{
  for (guint i = 0; i < listing->repo_files->len; i++)
    {
      const ClairHubFile *file = g_ptr_array_index (listing->repo_files, i);

      if (g_str_equal (file->path, path))
        return file;
    }
  return NULL;
}

/* TRUE when no file of the listing other than @split's lives directly in @dir (a path in the
 * cache relative to the dataset). */
static gboolean
folder_is_split_only (ClairHubListing     *listing,
                      const ClairHubSplit *split,
                      const char          *dir)
{
  GPtrArray *all = listing->converted ? NULL : listing->repo_files;
  g_autoptr(GPtrArray) files = g_ptr_array_new ();

  if (all != NULL)
    g_ptr_array_extend (files, all, NULL, NULL);
  for (guint i = 0; i < listing->splits->len; i++)
    {
      const ClairHubSplit *s = g_ptr_array_index (listing->splits, i);

      if (s != split)
        g_ptr_array_extend (files, s->files, NULL, NULL);
    }
  for (guint i = 0; i < files->len; i++)
    {
      const ClairHubFile *file = g_ptr_array_index (files, i);
      g_autofree char *parent = g_path_get_dirname (file->local);
      gboolean own = FALSE;

      for (guint j = 0; j < split->files->len; j++)
        own |= file == g_ptr_array_index (split->files, j) ||
               g_str_equal (file->local,
                            ((ClairHubFile *) g_ptr_array_index (split->files, j))->local);
      if (!own && g_str_equal (parent, dir))
        return FALSE;
    }
  return TRUE;
}

static char *
download_split_op (Op                  *op,
                   ClairHubListing     *listing,
                   const ClairHubSplit *split,
                   GCancellable        *cancellable,
                   GError             **error)
{
  g_autofree char *first = NULL;
  g_autofree char *first_dir = NULL;
  gboolean same_dir = TRUE;

  if (split->files->len == 0)
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_EMPTY,
                   _("Split “%s” of dataset “%s” has no files"), split->split, op->repo_id);
      return NULL;
    }
  /* Shards open as one dataset only in Parquet: several JSONL or CSV files cannot. */
  if (split->files->len > 1)
    for (guint i = 0; i < split->files->len; i++)
      {
        const ClairHubFile *file = g_ptr_array_index (split->files, i);

        if (!g_str_has_suffix (file->path, ".parquet"))
          {
            g_autoptr(GString) names = g_string_new (NULL);

            for (guint j = 0; j < split->files->len && j < 5; j++)
              g_string_append_printf (names, "%s%s", j > 0 ? ", " : "",
                                      ((ClairHubFile *) g_ptr_array_index (split->files, j))->path);
            g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_UNSUPPORTED,
                         _("Split “%s” of dataset “%s” is made of %u files that are not Parquet; "
                           "open one of them with hf://datasets/%s/PATH (%s%s)"),
                         split->split, op->repo_id, split->files->len, op->repo_id, names->str,
                         split->files->len > 5 ? ", …" : "");
            return NULL;
          }
      }

  op->total = split->size;
  op->done = 0;
  report_progress (op, TRUE);
  for (guint i = 0; i < split->files->len; i++)
    {
      const ClairHubFile *file = g_ptr_array_index (split->files, i);
      g_autofree char *local = download_one (op, listing, file, cancellable, error);
      g_autofree char *dir = NULL;

      if (local == NULL)
        return NULL;
      dir = g_path_get_dirname (file->local);
      if (first == NULL)
        {
          first = g_steal_pointer (&local);
          first_dir = g_steal_pointer (&dir);
        }
      else
        same_dir &= g_str_equal (dir, first_dir);
    }
  if (op->total < 0)
    op->total = op->done;
  report_progress (op, TRUE);

  if (split->files->len > 1 && same_dir && folder_is_split_only (listing, split, first_dir))
    return g_path_get_dirname (first);
  return g_steal_pointer (&first);
}

gint64
clair_hub_get_cached_size (ClairHub            *self,
                           ClairHubListing     *listing,
                           const ClairHubSplit *split)
{
  g_autoptr(Op) op = NULL;
  g_autofree char *repo_dir = NULL;
  gint64 bytes = 0;

  g_return_val_if_fail (CLAIR_IS_HUB (self), 0);
  g_return_val_if_fail (listing != NULL, 0);
  g_return_val_if_fail (split != NULL, 0);

  op = op_new (self, listing->repo_id);
  repo_dir = repo_cache_dir (op);
  for (guint i = 0; i < split->files->len; i++)
    {
      const ClairHubFile *file = g_ptr_array_index (split->files, i);
      g_autofree char *final = g_build_filename (repo_dir, file->local, NULL);
      g_autofree char *part = g_strconcat (final, ".part", NULL);
      GStatBuf st;

      if (g_stat (final, &st) == 0 && S_ISREG (st.st_mode))
        bytes += st.st_size;
      else if (g_stat (part, &st) == 0 && S_ISREG (st.st_mode))
        bytes += file->size >= 0 ? MIN (st.st_size, file->size) : st.st_size;
    }
  return bytes;
}

char *
clair_hub_download_split (ClairHub            *self,
                          ClairHubListing     *listing,
                          const ClairHubSplit *split,
                          ClairHubProgress     progress,
                          gpointer             progress_data,
                          GCancellable        *cancellable,
                          GError             **error)
{
  g_autoptr(Op) op = NULL;

  g_return_val_if_fail (CLAIR_IS_HUB (self), NULL);
  g_return_val_if_fail (listing != NULL, NULL);
  g_return_val_if_fail (split != NULL, NULL);

  op = op_new (self, listing->repo_id);
  op->offline |= listing->offline;
  op->progress = progress;
  op->progress_data = progress_data;
  return download_split_op (op, listing, split, cancellable, error);
}

char *
clair_hub_download_file (ClairHub          *self,
                         ClairHubListing   *listing,
                         const char        *path,
                         ClairHubProgress   progress,
                         gpointer           progress_data,
                         GCancellable      *cancellable,
                         GError           **error)
{
  g_autoptr(Op) op = NULL;
  const ClairHubFile *file;
  char *local;

  g_return_val_if_fail (CLAIR_IS_HUB (self), NULL);
  g_return_val_if_fail (listing != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  op = op_new (self, listing->repo_id);
  op->offline |= listing->offline;
  op->progress = progress;
  op->progress_data = progress_data;
  file = find_repo_file (listing, path);
  if (file == NULL)
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_NOT_FOUND,
                   _("Dataset “%s” has no file “%s” at revision %s"),
                   listing->repo_id, path, listing->sha);
      return NULL;
    }
  op->total = file->size;
  report_progress (op, TRUE);
  local = download_one (op, listing, file, cancellable, error);
  if (local != NULL)
    {
      if (op->total < 0)
        op->total = op->done;
      report_progress (op, TRUE);
    }
  return local;
}

/* Async: the synchronous calls in a worker thread, progress sent back to the caller's context. */

typedef struct
{
  char                *repo_id;
  char                *revision;
  ClairHubListing     *listing;
  const ClairHubSplit *split;
  ClairHubProgress     progress;
  gpointer             progress_data;
  GDestroyNotify       progress_notify;
  GMainContext        *context;
} AsyncData;

typedef struct
{
  ClairHubProgress progress;
  gpointer         progress_data;
  guint64          done;
  gint64           total;
} ProgressCall;

static gboolean
progress_call_cb (gpointer user_data)
{
  ProgressCall *call = user_data;

  call->progress (call->done, call->total, call->progress_data);
  return G_SOURCE_REMOVE;
}

typedef struct
{
  GDestroyNotify notify;
  gpointer       data;
} NotifyCall;

static gboolean
notify_call_cb (gpointer user_data)
{
  NotifyCall *call = user_data;

  call->notify (call->data);
  return G_SOURCE_REMOVE;
}

static void
async_data_free (AsyncData *data)
{
  g_free (data->repo_id);
  g_free (data->revision);
  g_clear_pointer (&data->listing, clair_hub_listing_unref);
  /* In the caller's context, after every progress call queued before it. */
  if (data->progress_notify != NULL)
    {
      NotifyCall *call = g_new0 (NotifyCall, 1);

      call->notify = data->progress_notify;
      call->data = data->progress_data;
      g_main_context_invoke_full (data->context, G_PRIORITY_DEFAULT, notify_call_cb, call, g_free);
    }
  g_main_context_unref (data->context);
  g_free (data);
}

static void
forward_progress_cb (guint64  done,
                     gint64   total,
                     gpointer user_data)
{
  AsyncData *data = user_data;
  ProgressCall *call = g_new0 (ProgressCall, 1);

  call->progress = data->progress;
  call->progress_data = data->progress_data;
  call->done = done;
  call->total = total;
  g_main_context_invoke_full (data->context, G_PRIORITY_DEFAULT, progress_call_cb, call, g_free);
}

static void
list_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  AsyncData *data = task_data;
  GError *error = NULL;
  ClairHubListing *listing;

  listing = clair_hub_list (source_object, data->repo_id, data->revision, cancellable, &error);
  if (listing == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, listing, (GDestroyNotify) clair_hub_listing_unref);
}

void
clair_hub_list_async (ClairHub            *self,
                      const char          *repo_id,
                      const char          *revision,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  AsyncData *data;

  g_return_if_fail (CLAIR_IS_HUB (self));
  g_return_if_fail (repo_id != NULL);

  data = g_new0 (AsyncData, 1);
  data->repo_id = g_strdup (repo_id);
  data->revision = g_strdup (revision);
  data->context = g_main_context_ref_thread_default ();
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, clair_hub_list_async);
  g_task_set_task_data (task, data, (GDestroyNotify) async_data_free);
  g_task_run_in_thread (task, list_thread);
}

ClairHubListing *
clair_hub_list_finish (ClairHub      *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (CLAIR_IS_HUB (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
download_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  AsyncData *data = task_data;
  GError *error = NULL;
  char *path;

  path = clair_hub_download_split (source_object, data->listing, data->split,
                                   data->progress ? forward_progress_cb : NULL, data,
                                   cancellable, &error);
  if (path == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, path, g_free);
}

void
clair_hub_download_split_async (ClairHub            *self,
                                ClairHubListing     *listing,
                                const ClairHubSplit *split,
                                ClairHubProgress     progress,
                                gpointer             progress_data,
                                GDestroyNotify       progress_notify,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  AsyncData *data;

  g_return_if_fail (CLAIR_IS_HUB (self));
  g_return_if_fail (listing != NULL);
  g_return_if_fail (split != NULL);

  data = g_new0 (AsyncData, 1);
  data->listing = clair_hub_listing_ref (listing);
  data->split = split;
  data->progress = progress;
  data->progress_data = progress_data;
  data->progress_notify = progress_notify;
  data->context = g_main_context_ref_thread_default ();
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, clair_hub_download_split_async);
  g_task_set_task_data (task, data, (GDestroyNotify) async_data_free);
  g_task_run_in_thread (task, download_thread);
}

char *
clair_hub_download_split_finish (ClairHub      *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (CLAIR_IS_HUB (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The keyring */

/* The schema of the application's API keys (see src/app/clair-secrets.c): the Hub's token is the
 * key of its endpoint. */
static const SecretSchema *
token_schema (void)
{
  static const SecretSchema schema = {
    BASE_APP_ID, SECRET_SCHEMA_NONE,
    {
      { "base-url", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

static GHashTable *
token_attributes (const char *endpoint)
{
  GHashTable *attributes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  char *normalized = g_strstrip (g_strdup (endpoint));
  gsize len = strlen (normalized);

  while (len > 0 && normalized[len - 1] == '/')
    normalized[--len] = '\0';
  g_hash_table_insert (attributes, (gpointer) "base-url", normalized);
  return attributes;
}

gboolean
clair_hub_token_store (const char    *endpoint,
                       const char    *token,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(GHashTable) attributes = NULL;
  g_autofree char *label = NULL;

  g_return_val_if_fail (endpoint != NULL, FALSE);
  g_return_val_if_fail (token != NULL, FALSE);

  attributes = token_attributes (endpoint);
  /* Translators: the label of the token in the keyring (Passwords and Keys); %s is a URL. */
  label = g_strdup_printf (_("CLAIR Studio Hugging Face token for %s"), endpoint);
  return secret_password_storev_sync (token_schema (), attributes, SECRET_COLLECTION_DEFAULT,
                                      label, token, cancellable, error);
}

typedef struct
{
  gboolean  done;
  char     *secret;
  GError   *error;
} Lookup;

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Lookup *lookup = user_data;

  lookup->secret = secret_password_lookup_finish (result, &lookup->error);
  lookup->done = TRUE;
}

char *
clair_hub_token_lookup (const char    *endpoint,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(GHashTable) attributes = NULL;
  g_autoptr(GMainContext) context = g_main_context_new ();
  Lookup lookup = { FALSE, NULL, NULL };
  char *token = NULL;

  g_return_val_if_fail (endpoint != NULL, NULL);

  /* The asynchronous call in a context of our own rather than the synchronous one: what libsecret
   * and GDBus leave queued for the context they were called in can then be dispatched here, not
   * left in a context nobody runs. */
  attributes = token_attributes (endpoint);
  g_main_context_push_thread_default (context);
  secret_password_lookupv (token_schema (), attributes, cancellable, lookup_cb, &lookup);
  while (!lookup.done)
    g_main_context_iteration (context, TRUE);
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);

  if (lookup.error != NULL)
    {
      g_propagate_error (error, lookup.error);
      return NULL;
    }
  if (lookup.secret == NULL)
    return NULL;
  clair_secret_protect_process ();
  token = g_strdup (lookup.secret);
  secret_password_free (lookup.secret);
  return token;
}

gboolean
clair_hub_token_clear (const char    *endpoint,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(GHashTable) attributes = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (endpoint != NULL, FALSE);

  attributes = token_attributes (endpoint);
  if (!secret_password_clearv_sync (token_schema (), attributes, cancellable, &local_error) &&
      local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

void
clair_hub_keyring_release (void)
{
  secret_service_disconnect ();
}

void
clair_hub_token_free (char *token)
{
  clair_secret_wipe (token);
  g_free (token);
}

/* Recent datasets */

static char *
recent_path (void)
{
  const char *data_home = g_getenv ("XDG_DATA_HOME");

  if (data_home != NULL && g_path_is_absolute (data_home))
    return g_build_filename (data_home, "clair-studio", "hub-recent", NULL);
  return g_build_filename (g_get_home_dir (), ".local", "share", "clair-studio", "hub-recent",
                           NULL);
}

char **
clair_hub_recent_load (void)
{
  g_autofree char *path = recent_path ();
  g_autofree char *text = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  if (g_file_get_contents (path, &text, NULL, NULL) && g_utf8_validate (text, -1, NULL))
    {
      lines = g_strsplit (text, "\n", -1);
      for (guint i = 0; lines[i] != NULL && n < MAX_RECENT; i++)
        {
          ClairHubRef ref;

          if (lines[i][0] == '\0' || !clair_hub_ref_parse (lines[i], &ref, NULL))
            continue;
          clair_hub_ref_clear (&ref);
          g_strv_builder_add (builder, lines[i]);
          n++;
        }
    }
  return g_strv_builder_end (builder);
}

void
clair_hub_recent_add (const char *repo_id,
                      const char *revision)
{
  g_autofree char *path = recent_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *entry = NULL;
  g_autofree char *escaped = NULL;
  g_auto(GStrv) old = clair_hub_recent_load ();
  g_autoptr(GString) out = g_string_new (NULL);
  guint n = 1;

  g_return_if_fail (repo_id != NULL);

  escaped = revision ? g_uri_escape_string (revision, NULL, FALSE) : NULL;
  entry = escaped ? g_strdup_printf ("%s@%s", repo_id, escaped) : g_strdup (repo_id);
  g_string_append_printf (out, "%s\n", entry);
  for (guint i = 0; old[i] != NULL && n < MAX_RECENT; i++)
    if (!g_str_equal (old[i], entry))
      {
        g_string_append_printf (out, "%s\n", old[i]);
        n++;
      }
  if (g_mkdir_with_parents (dir, 0700) != 0 ||
      !g_file_set_contents (path, out->str, out->len, NULL))
    g_debug ("Could not remember %s among the recent datasets", repo_id);
}

static char *
files_json (GPtrArray *files)
{
  g_autoptr(GString) out = g_string_new ("[");

  for (guint i = 0; i < files->len; i++)
    {
      const ClairHubFile *file = g_ptr_array_index (files, i);

      if (i > 0)
        g_string_append_c (out, ',');
      clair_json_append_string (out, file->path, -1);
    }
  g_string_append_c (out, ']');
  return g_string_free (g_steal_pointer (&out), FALSE);
}

void
clair_hub_describe_source (ClairHub            *self,
                           ClairHubListing     *listing,
                           const ClairHubSplit *split,
                           GPtrArray           *files,
                           GHashTable          *settings)
{
  g_return_if_fail (CLAIR_IS_HUB (self));
  g_return_if_fail (listing != NULL);
  g_return_if_fail (settings != NULL);

  if (split != NULL)
    {
      files = split->files;
      g_hash_table_replace (settings, g_strdup ("hub.config"), g_strdup (split->config));
      g_hash_table_replace (settings, g_strdup ("hub.split"), g_strdup (split->split));
      /* The Hub's conversion lives on its own branch, refs/convert/parquet, at this commit. */
      if (clair_hub_listing_is_converted (listing))
        g_hash_table_replace (settings, g_strdup ("hub.parquet_sha"),
                              g_strdup (clair_hub_listing_get_files_sha (listing)));
    }
  g_hash_table_replace (settings, g_strdup ("hub.endpoint"), g_strdup (clair_hub_get_endpoint (self)));
  g_hash_table_replace (settings, g_strdup ("hub.repository"),
                        g_strdup (clair_hub_listing_get_repo_id (listing)));
  g_hash_table_replace (settings, g_strdup ("hub.revision"),
                        g_strdup (clair_hub_listing_get_revision (listing)));
  g_hash_table_replace (settings, g_strdup ("hub.sha"), g_strdup (clair_hub_listing_get_sha (listing)));
  if (files != NULL)
    g_hash_table_replace (settings, g_strdup ("hub.files"), files_json (files));
}

char *
clair_hub_default_project_name (const char *repo_id,
                                const char *path,
                                const char *config,
                                const char *split)
{
  g_autoptr(GString) name = NULL;
  const char *slash;

  g_return_val_if_fail (repo_id != NULL, NULL);

  if (path != NULL)
    name = g_string_new ((slash = strrchr (path, '/')) ? slash + 1 : path);
  else
    {
      name = g_string_new ((slash = strchr (repo_id, '/')) ? slash + 1 : repo_id);
      if (config != NULL)
        g_string_append_printf (name, "-%s", config);
      if (split != NULL)
        g_string_append_printf (name, "-%s", split);
    }
  g_string_append (name, ".clair");
  g_strdelimit (name->str, "/\\", '_');
  return g_string_free (g_steal_pointer (&name), FALSE);
}
