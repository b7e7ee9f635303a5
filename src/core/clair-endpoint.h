/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* TRUE when @host names this machine: "localhost" (and names under ".localhost"), an address in
 * 127.0.0.0/8, or ::1 (with or without brackets). */
gboolean clair_endpoint_host_is_loopback (const char *host);

/* TRUE when requests to @url would travel unencrypted over a network: an "http" URL whose host is
 * not loopback. The API key and the dataset would then be readable on the way, so the app and the
 * CLI warn. Also TRUE for a URL that cannot be parsed or has no host (nothing to trust). HTTPS and
 * loopback HTTP (a local vLLM, Ollama or llama.cpp) are not insecure. */
gboolean clair_endpoint_is_insecure      (const char *url);

/* Refuses a URL with credentials in it ("http://user:pw@host/v1"): addresses are stored in
 * projects and settings and printed in messages, so a password there would leak. The error
 * names the address without them. */
gboolean clair_endpoint_check_url        (const char  *url,
                                          GError     **error);
/* @url without its "user:pw@" part, for messages. */
char    *clair_endpoint_strip_credentials (const char *url);

G_END_DECLS
