/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Datasets on the Hugging Face Hub: names, tokens, listing, cached resumable downloads.
 *
 * A dataset is named as huggingface_hub's file system names it, "hf://datasets/ORG/NAME", with an
 * optional "@REVISION" (a branch, tag or commit; "/" written as %2F, but for refs/convert/NAME and
 * refs/pr/N) and an optional path of one file in the repository after the name; plain "ORG/NAME"
 * works too.
 *
 * The Hub's address is https://huggingface.co, or HF_ENDPOINT. The token is HF_TOKEN, else the
 * token file of huggingface_hub (HF_TOKEN_PATH, else $HF_HOME/token, HF_HOME defaulting to
 * ~/.cache/huggingface; HF_HUB_DISABLE_IMPLICIT_TOKEN=1: none), else the keyring
 * (clair_hub_token_store(), asked only through clair_hub_load_keyring_token()). It is sent to
 * the Hub's own host only: downloads are redirected to a CDN, which never sees it. It never
 * appears in an error message, a project or a log.
 *
 * Files are cached under $XDG_CACHE_HOME/clair-studio/hub/ORG/NAME/SHA/PATH (SHA: the commit the
 * revision resolved to) with the listing of that commit, so opening a dataset again costs one
 * request (the revision lookup), and none when offline (HF_HUB_OFFLINE=1, or the Hub unreachable)
 * once it was opened. Downloads go to PATH.part first, are resumed with a Range request after a
 * cancel or a crash, and become PATH only once their size is verified.
 *
 * Errors are in the CLAIR_ERROR domain, with messages a user can act on:
 *   CLAIR_ERROR_FATAL_HTTP   401/403 from the Hub: gated, private, or a refused token (the message
 *                            says to accept the terms and log in; the app can offer its token
 *                            entry)
 *   CLAIR_ERROR_NOT_FOUND    no such dataset, revision, config, split or file (naming which)
 *   CLAIR_ERROR_HTTP         429 after the bounded retries (with the wait), other statuses
 *   CLAIR_ERROR_UNREACHABLE  network failures, or offline without the files in the cache
 *   CLAIR_ERROR_INTERRUPTED  a body cut short: the .part stays, the next download resumes it
 *   CLAIR_ERROR_PROTOCOL     answers that are not what the Hub sends
 *   CLAIR_ERROR_BUSY         another process is downloading the same file
 *   CLAIR_ERROR_UNSUPPORTED  a split of several files that are not Parquet
 *   G_IO_ERROR_CANCELLED     cancelled (the .part stays for the next time) */

/* The default Hub address. */
#define CLAIR_HUB_DEFAULT_ENDPOINT "https://huggingface.co"

typedef struct
{
  char *repo_id;    /* "ORG/NAME" */
  char *revision;   /* NULL: the default branch */
  char *path;       /* NULL, or one file in the repository */
} ClairHubRef;

/* TRUE when @text starts with "hf://". */
gboolean clair_hub_is_uri     (const char   *text);
/* Parses "hf://datasets/ORG/NAME[@REVISION][/PATH]" or "ORG/NAME[@REVISION]". Refuses names with
 * characters the Hub does not allow and paths with "." or ".." parts. */
gboolean clair_hub_ref_parse  (const char   *text,
                               ClairHubRef  *ref,
                               GError      **error);
void     clair_hub_ref_clear  (ClairHubRef  *ref);

typedef struct
{
  char   *path;       /* in the repository (or in the Parquet conversion) */
  gint64  size;       /* bytes; -1 when the Hub did not say */
  char   *url;        /* where it is downloaded from (the Hub, which may redirect) */
  char   *local;      /* where it is cached, relative to the dataset's cache folder */
} ClairHubFile;

typedef struct
{
  char      *config;
  char      *split;
  GPtrArray *files;   /* of ClairHubFile, in shard order */
  gint64     size;    /* sum of the files' sizes; -1 when one is unknown */
} ClairHubSplit;

typedef struct _ClairHubListing ClairHubListing;

ClairHubListing     *clair_hub_listing_ref          (ClairHubListing *listing);
void                 clair_hub_listing_unref        (ClairHubListing *listing);
const char          *clair_hub_listing_get_repo_id  (ClairHubListing *listing);
/* The revision asked for ("main" when none was). */
const char          *clair_hub_listing_get_revision (ClairHubListing *listing);
/* The commit it resolved to (40 hex digits). */
const char          *clair_hub_listing_get_sha      (ClairHubListing *listing);
/* The commit the splits' files are read at: the conversion branch's (refs/convert/parquet) for a
 * converted listing, else clair_hub_listing_get_sha(). */
const char          *clair_hub_listing_get_files_sha (ClairHubListing *listing);
/* TRUE when the splits are the Hub's Parquet conversion, FALSE when they are the repository's own
 * data files (JSONL, JSON, CSV, TSV, Parquet). */
gboolean             clair_hub_listing_is_converted (ClairHubListing *listing);
/* TRUE when the listing came from the cache because the Hub could not be asked. */
gboolean             clair_hub_listing_is_offline   (ClairHubListing *listing);
/* The configs, sorted, "default" first; NULL-terminated, owned by @listing. */
const char * const  *clair_hub_listing_get_configs  (ClairHubListing *listing);
/* The splits of @config ("train", "validation", "test" first), or NULL for an unknown config.
 * Owned by @listing; free the array with g_ptr_array_unref(). */
GPtrArray           *clair_hub_listing_get_splits   (ClairHubListing *listing,
                                                     const char      *config);
const ClairHubSplit *clair_hub_listing_get_split    (ClairHubListing *listing,
                                                     const char      *config,
                                                     const char      *split);
/* Picks a split the way `clair import` does when none is named: @config or "default" or the only
 * config; @split or "train" or the only split. Fails naming what there is to choose from. */
const ClairHubSplit *clair_hub_listing_choose       (ClairHubListing *listing,
                                                     const char      *config,
                                                     const char      *split,
                                                     GError         **error);
/* The whole repository's files (with sizes), as the revision lookup listed them. */
GPtrArray           *clair_hub_listing_get_repo_files (ClairHubListing *listing);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClairHubListing, clair_hub_listing_unref)

/* Bytes downloaded so far of @total (-1 when unknown), over every file of one download. Called in
 * the thread-default main context of the caller of the _async function, or in the caller's thread
 * for the synchronous one. */
typedef void (*ClairHubProgress) (guint64  done,
                                  gint64   total,
                                  gpointer user_data);

#define CLAIR_TYPE_HUB (clair_hub_get_type ())
G_DECLARE_FINAL_TYPE (ClairHub, clair_hub, CLAIR, HUB, GObject)

/* Endpoint from HF_ENDPOINT, token from HF_TOKEN / the token file (not the keyring: see
 * clair_hub_load_keyring_token()), cache under $XDG_CACHE_HOME/clair-studio/hub. */
ClairHub    *clair_hub_new                (void);
const char  *clair_hub_get_endpoint       (ClairHub            *self);
void         clair_hub_set_endpoint       (ClairHub            *self,
                                           const char          *endpoint);
/* Replaces the token (NULL: none). */
void         clair_hub_set_token          (ClairHub            *self,
                                           const char          *token);
gboolean     clair_hub_has_token          (ClairHub            *self);
/* Where the token came from: "HF_TOKEN", the token file's path, "keyring", "set", or NULL.
 * The setters and this getter are for the thread that owns @self; the list and download calls may
 * run in any thread (each works on a copy of the settings taken when it starts). */
const char  *clair_hub_get_token_source   (ClairHub            *self);
/* Without a token yet, looks in the keyring (blocking; a second or so at most when no keyring
 * answers). Returns TRUE when a token is now set. */
gboolean     clair_hub_load_keyring_token (ClairHub            *self,
                                           GCancellable        *cancellable);
/* The same in a worker thread, for the app; finish returns TRUE when a token is now set. */
void         clair_hub_load_keyring_token_async  (ClairHub            *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean     clair_hub_load_keyring_token_finish (ClairHub            *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
const char  *clair_hub_get_cache_dir      (ClairHub            *self);
void         clair_hub_set_cache_dir      (ClairHub            *self,
                                           const char          *cache_dir);
/* Never asks the Hub; uses what the cache holds. Set from HF_HUB_OFFLINE. */
void         clair_hub_set_offline        (ClairHub            *self,
                                           gboolean             offline);
/* Longest wait for one Retry-After (seconds; default 60) and the number of 429/5xx retries
 * (default 4). */
void         clair_hub_set_retry_limits   (ClairHub            *self,
                                           guint                max_wait_s,
                                           guint                max_retries);

/* The revision lookup, then the Parquet conversion's listing, else the repository's data files.
 * Cached by commit: listing the same commit again asks only for the revision. */
ClairHubListing *clair_hub_list           (ClairHub            *self,
                                           const char          *repo_id,
                                           const char          *revision,
                                           GCancellable        *cancellable,
                                           GError             **error);
void         clair_hub_list_async         (ClairHub            *self,
                                           const char          *repo_id,
                                           const char          *revision,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
ClairHubListing *clair_hub_list_finish    (ClairHub            *self,
                                           GAsyncResult        *result,
                                           GError             **error);

/* How many bytes of @split the cache holds already (whole files and resumable parts), to show
 * beside its size before downloading. No request. */
gint64       clair_hub_get_cached_size    (ClairHub            *self,
                                           ClairHubListing     *listing,
                                           const ClairHubSplit *split);
/* Downloads every file of @split (what is cached already is not asked for again) and returns the
 * local path to open with clair_dataset_open(): the file when there is one, else the folder
 * holding the shards (or the first shard when the folder holds other files too). */
char        *clair_hub_download_split     (ClairHub            *self,
                                           ClairHubListing     *listing,
                                           const ClairHubSplit *split,
                                           ClairHubProgress     progress,
                                           gpointer             progress_data,
                                           GCancellable        *cancellable,
                                           GError             **error);
void         clair_hub_download_split_async (ClairHub            *self,
                                             ClairHubListing     *listing,
                                             const ClairHubSplit *split,
                                             ClairHubProgress     progress,
                                             gpointer             progress_data,
                                             GDestroyNotify       progress_notify,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
char        *clair_hub_download_split_finish (ClairHub            *self,
                                              GAsyncResult        *result,
                                              GError             **error);
/* One file of the repository at the listing's commit; returns its local path. */
char        *clair_hub_download_file      (ClairHub            *self,
                                           ClairHubListing     *listing,
                                           const char          *path,
                                           ClairHubProgress     progress,
                                           gpointer             progress_data,
                                           GCancellable        *cancellable,
                                           GError             **error);

/* The token in the keyring (the application's schema, attribute "base-url" = the endpoint), for
 * the Preferences. Lookup returns NULL when there is none; free it with clair_hub_token_free(). */
gboolean     clair_hub_token_store        (const char          *endpoint,
                                           const char          *token,
                                           GCancellable        *cancellable,
                                           GError             **error);
char        *clair_hub_token_lookup       (const char          *endpoint,
                                           GCancellable        *cancellable,
                                           GError             **error);
gboolean     clair_hub_token_clear        (const char          *endpoint,
                                           GCancellable        *cancellable,
                                           GError             **error);
void         clair_hub_token_free         (char                *token);
/* For a program that runs no main loop (the CLI), once it is done with the keyring: drops the
 * Secret Service connection and what it left queued. */
void         clair_hub_keyring_release    (void);

/* Hub datasets opened recently (newest first, at most 20), for the start page: each a
 * "ORG/NAME" with an optional "@REVISION", read from and written to
 * $XDG_DATA_HOME/clair-studio/hub-recent (never a token). */
/* What a project records of where its rows came from, as settings: hub.endpoint, hub.repository,
 * hub.revision, hub.sha, hub.files (a JSON list of paths), and for a split hub.config, hub.split and,
 * for the Hub's Parquet conversion, hub.parquet_sha. @split is the split downloaded, or NULL with
 * @files holding the one file asked for by path. Fills @settings (char* → char*). */
void         clair_hub_describe_source    (ClairHub            *self,
                                           ClairHubListing     *listing,
                                           const ClairHubSplit *split,
                                           GPtrArray           *files,
                                           GHashTable          *settings);
/* The file name a project of @repo_id's @path (or @config and @split) gets by default:
 * NAME[-CONFIG][-SPLIT].clair, or the file's own name. */
char        *clair_hub_default_project_name (const char        *repo_id,
                                             const char        *path,
                                             const char        *config,
                                             const char        *split);

char       **clair_hub_recent_load        (void);
void         clair_hub_recent_add         (const char          *repo_id,
                                           const char          *revision);

G_END_DECLS
