/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Generation parameters of a chat-completions request. Unset fields are omitted from the body,
 * never sent as null. */
typedef struct
{
  char      *model;
  double     temperature;         /* NAN = unset */
  double     top_p;               /* NAN = unset */
  double     presence_penalty;    /* NAN = unset */
  double     frequency_penalty;   /* NAN = unset */
  gint64     max_tokens;          /* <= 0 = unset */
  char      *max_tokens_field;    /* "max_tokens" (NULL) or "max_completion_tokens" */
  gboolean   has_seed;
  gint64     seed;
  GStrv      stop;                /* NULL or up to 4 strings; always sent as an array */
} ClairGenParams;

void            clair_gen_params_init  (ClairGenParams       *params);
void            clair_gen_params_clear (ClairGenParams       *params);
/* Fills @dest (uninitialised or cleared) with a deep copy of @src. */
void            clair_gen_params_copy  (const ClairGenParams *src,
                                        ClairGenParams       *dest);
/* "max_tokens" unless max_tokens_field names another field. */
const char     *clair_gen_params_get_max_tokens_field (const ClairGenParams *params);
/* Appends one stop sequence. */
void            clair_gen_params_add_stop  (ClairGenParams       *params,
                                            const char           *stop);
/* Checks what a server would reject before any request is sent: a model is set, sampling values
 * in range, a known max-tokens field name, at most 4 non-empty stop sequences. */
gboolean        clair_gen_params_validate  (const ClairGenParams  *params,
                                            GError               **error);
/* The parameters as a JSON object (for the project's settings) and back. from_json replaces the
 * content of @params, which must be initialised; on error @params is left untouched. */
char           *clair_gen_params_to_json   (const ClairGenParams  *params);
gboolean        clair_gen_params_from_json (ClairGenParams        *params,
                                            const char            *json,
                                            GError               **error);

/* The exact request body. With @stream, adds "stream":true and stream_options.include_usage.
 * A NULL @system_message sends the user message alone. At most the first 4 stop sequences are
 * sent (see clair_gen_params_validate()). */
char           *clair_request_build_body (const ClairGenParams *params,
                                          const char           *system_message,
                                          const char           *user_message,
                                          gboolean              stream);
/* SHA-256 (hex) of everything that decides the answer: model, messages and parameters, but not
 * streaming. A row whose hash did not change is not paid for twice. */
char           *clair_request_hash       (const ClairGenParams *params,
                                          const char           *system_message,
                                          const char           *user_message);

G_END_DECLS
