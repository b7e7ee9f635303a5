/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What comes back from a server may repeat the request's Authorization header (error messages,
 * proxies' HTML pages, an echoing model). Before such text is stored or shown, the API key and
 * anything shaped like a credential ("Bearer …", "sk-…", "hf_…") are replaced by "[redacted]".
 * Returns a new string, or NULL when @text is NULL. */
char *clair_redact          (const char *text,
                             const char *secret);
/* Only the exact @secret (for model output, which is data: patterns are left alone there).
 * Takes @text; returns it, changed in place or replaced. */
char *clair_redact_secret   (char       *text,
                             const char *secret);

G_END_DECLS
