/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "clair-project.h"
#include "clair-request.h"

G_BEGIN_DECLS

/* Everything a run needs apart from the key: the project's own values where it has them,
 * else the defaults from GSettings. Preferences saves into both. */
typedef struct
{
  char           *base_url;
  ClairGenParams  params;
  guint           concurrency;
  double          timeout;
  guint           retries;
  gboolean        stream;
} ClairRunConfig;

void     clair_run_config_load  (ClairRunConfig       *config,
                                 GSettings            *settings,
                                 ClairProject         *project);
/* Writes @config to @settings and, when @project is not NULL, to the project's settings. */
gboolean clair_run_config_save  (const ClairRunConfig *config,
                                 GSettings            *settings,
                                 ClairProject         *project,
                                 GError              **error);
void     clair_run_config_clear (ClairRunConfig       *config);

G_END_DECLS
