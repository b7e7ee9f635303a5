/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-run-config"

#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "clair-run-config.h"

#include "clair-endpoint.h"

static char *
project_setting (ClairProject *project,
                 const char   *key)
{
  return project ? clair_project_get_setting (project, key) : NULL;
}

void
clair_run_config_load (ClairRunConfig *config,
                       GSettings      *settings,
                       ClairProject   *project)
{
  g_autofree char *base_url = project_setting (project, "run.base_url");
  g_autofree char *params = project_setting (project, "run.params");
  g_autofree char *concurrency = project_setting (project, "run.concurrency");
  g_autofree char *timeout = project_setting (project, "run.timeout");
  g_autofree char *retries = project_setting (project, "run.retries");
  g_autofree char *stream = project_setting (project, "run.stream");
  gint64 seed;
  double top_p;

  memset (config, 0, sizeof *config);
  clair_gen_params_init (&config->params);

  config->base_url = base_url && *base_url ? g_steal_pointer (&base_url)
                                           : g_settings_get_string (settings, "base-url");
  if (params == NULL || !clair_gen_params_from_json (&config->params, params, NULL))
    {
      g_auto(GStrv) stop = g_settings_get_strv (settings, "stop");
      g_autofree char *field = g_settings_get_string (settings, "max-tokens-field");

      config->params.model = g_settings_get_string (settings, "model");
      config->params.temperature = g_settings_get_double (settings, "temperature");
      config->params.max_tokens = g_settings_get_int (settings, "max-tokens");
      top_p = g_settings_get_double (settings, "top-p");
      config->params.top_p = top_p >= 1.0 ? NAN : top_p;
      seed = g_settings_get_int64 (settings, "seed");
      config->params.has_seed = seed >= 0;
      config->params.seed = MAX (seed, 0);
      if (g_strcmp0 (field, "max_tokens") != 0)
        config->params.max_tokens_field = g_steal_pointer (&field);
      for (guint i = 0; stop[i]; i++)
        if (*stop[i])
          clair_gen_params_add_stop (&config->params, stop[i]);
    }
  config->concurrency = concurrency ? (guint) CLAMP (g_ascii_strtoull (concurrency, NULL, 10), 1, 512)
                                    : g_settings_get_uint (settings, "concurrency");
  config->timeout = timeout ? g_ascii_strtod (timeout, NULL) : g_settings_get_double (settings, "timeout");
  config->retries = retries ? (guint) g_ascii_strtoull (retries, NULL, 10) : g_settings_get_uint (settings, "retries");
  config->stream = stream ? g_str_equal (stream, "true") : g_settings_get_boolean (settings, "streaming");
}

gboolean
clair_run_config_save (const ClairRunConfig  *config,
                       GSettings             *settings,
                       ClairProject          *project,
                       GError               **error)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  const ClairGenParams *params = &config->params;

  /* Settings are written to disk: an address with a password in it is refused before anything. */
  if (config->base_url != NULL && !clair_endpoint_check_url (config->base_url, error))
    return FALSE;
  g_settings_delay (settings);
  g_settings_set_string (settings, "base-url", config->base_url ? config->base_url : "");
  g_settings_set_string (settings, "model", params->model ? params->model : "");
  if (!isnan (params->temperature))
    g_settings_set_double (settings, "temperature", params->temperature);
  if (params->max_tokens > 0)
    g_settings_set_int (settings, "max-tokens", (int) MIN (params->max_tokens, 1048576));
  g_settings_set_double (settings, "top-p", isnan (params->top_p) ? 1.0 : params->top_p);
  g_settings_set_int64 (settings, "seed", params->has_seed ? params->seed : -1);
  g_settings_set_string (settings, "max-tokens-field", clair_gen_params_get_max_tokens_field (params));
  g_settings_set_strv (settings, "stop", (const char * const *) params->stop);
  g_settings_set_uint (settings, "concurrency", config->concurrency);
  g_settings_set_double (settings, "timeout", config->timeout);
  g_settings_set_uint (settings, "retries", config->retries);
  g_settings_set_boolean (settings, "streaming", config->stream);
  g_settings_apply (settings);

  if (project != NULL)
    {
      g_autofree char *concurrency = g_strdup_printf ("%u", config->concurrency);
      g_autofree char *retries = g_strdup_printf ("%u", config->retries);

      if (!clair_project_set_setting (project, "run.base_url", config->base_url, error) ||
          !clair_project_save_params (project, params, error) ||
          !clair_project_set_setting (project, "run.concurrency", concurrency, error) ||
          !clair_project_set_setting (project, "run.timeout", g_ascii_dtostr (buf, sizeof buf, config->timeout), error) ||
          !clair_project_set_setting (project, "run.retries", retries, error) ||
          !clair_project_set_setting (project, "run.stream", config->stream ? "true" : "false", error))
        return FALSE;
    }
  return TRUE;
}

void
clair_run_config_clear (ClairRunConfig *config)
{
  g_clear_pointer (&config->base_url, g_free);
  clair_gen_params_clear (&config->params);
}
