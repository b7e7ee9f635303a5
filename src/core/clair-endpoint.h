/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TRUE when @host names this machine: "localhost" (and names under ".localhost"), an address in
 * 127.0.0.0/8, or ::1 (with or without brackets). */
gboolean clair_endpoint_host_is_loopback (const char *host);

/* TRUE when requests to @url would travel unencrypted over a network: an "http" URL whose host is
 * not loopback. The API key and the dataset would then be readable on the way, so the app and the
 * CLI warn. Also TRUE for a URL that cannot be parsed or has no host (nothing to trust). HTTPS and
 * loopback HTTP (a local vLLM, Ollama or llama.cpp) are not insecure. */
gboolean clair_endpoint_is_insecure      (const char *url);

G_END_DECLS
