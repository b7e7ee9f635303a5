/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Keys: what never goes to disk or a terminal.
 *
 * What comes back from a server may repeat the request's Authorization header (error messages,
 * proxies' HTML pages, an echoing model). Before such text is stored or shown, the API key and
 * anything shaped like a credential ("Bearer …", "sk-…", "hf_…") are replaced by "[redacted]".
 * Returns a new string, or NULL when @text is NULL. */
char *clair_secret_redact     (const char *text,
                               const char *secret);
/* Only the exact @secret (for model output, which is data: patterns are left alone there).
 * Takes @text; returns it, changed in place or replaced. */
char *clair_secret_redact_key (char       *text,
                               const char *secret);

/* Overwrites a key's bytes (before it is freed), in a way the compiler cannot drop. */
void  clair_secret_wipe       (char       *secret);
/* Marks the process non-dumpable (no core file, no ptrace by other users) for the rest of its
 * life: called as soon as it holds a key, so a crash never writes the key to disk. */
void  clair_secret_protect_process (void);

G_END_DECLS
