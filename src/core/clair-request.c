/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-request"

#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "clair-error.h"
#include "clair-i18n.h"
#include "clair-json.h"
#include "clair-request.h"

#define MAX_STOP 4

void
clair_gen_params_init (ClairGenParams *params)
{
  g_return_if_fail (params != NULL);

  memset (params, 0, sizeof *params);
  params->temperature = NAN;
  params->top_p = NAN;
  params->presence_penalty = NAN;
  params->frequency_penalty = NAN;
}

void
clair_gen_params_clear (ClairGenParams *params)
{
  g_return_if_fail (params != NULL);

  g_clear_pointer (&params->model, g_free);
  g_clear_pointer (&params->max_tokens_field, g_free);
  g_clear_pointer (&params->stop, g_strfreev);
  clair_gen_params_init (params);
}

void
clair_gen_params_copy (const ClairGenParams *src,
                       ClairGenParams       *dest)
{
  g_return_if_fail (src != NULL);
  g_return_if_fail (dest != NULL);
  g_return_if_fail (src != dest);

  *dest = *src;
  dest->model = g_strdup (src->model);
  dest->max_tokens_field = g_strdup (src->max_tokens_field);
  dest->stop = g_strdupv (src->stop);
}

const char *
clair_gen_params_get_max_tokens_field (const ClairGenParams *params)
{
  g_return_val_if_fail (params != NULL, NULL);

  return params->max_tokens_field != NULL && params->max_tokens_field[0] != '\0'
    ? params->max_tokens_field : "max_tokens";
}

void
clair_gen_params_add_stop (ClairGenParams *params,
                           const char     *stop)
{
  guint n;

  g_return_if_fail (params != NULL);
  g_return_if_fail (stop != NULL);

  n = params->stop != NULL ? g_strv_length (params->stop) : 0;
  params->stop = g_renew (char *, params->stop, n + 2);
  params->stop[n] = g_strdup (stop);
  params->stop[n + 1] = NULL;
}

static gboolean
check_range (double      value,
             const char *name,
             double      low,
             double      high,
             GError    **error)
{
  if (isnan (value) || (value >= low && value <= high))
    return TRUE;
  g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_FAILED,
               _("The %s %g is out of range: use a value from %g to %g"), name, value, low, high);
  return FALSE;
}

gboolean
clair_gen_params_validate (const ClairGenParams  *params,
                           GError               **error)
{
  const char *field;

  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (params->model == NULL || params->model[0] == '\0')
    {
      g_set_error_literal (error, CLAIR_ERROR, CLAIR_ERROR_FAILED,
                           _("No model is set: name the model that should write the revisions"));
      return FALSE;
    }
  if (!check_range (params->temperature, "temperature", 0.0, 2.0, error) ||
      !check_range (params->top_p, "top-p", 0.0, 1.0, error) ||
      !check_range (params->presence_penalty, "presence penalty", -2.0, 2.0, error) ||
      !check_range (params->frequency_penalty, "frequency penalty", -2.0, 2.0, error))
    return FALSE;

  field = clair_gen_params_get_max_tokens_field (params);
  if (strcmp (field, "max_tokens") != 0 && strcmp (field, "max_completion_tokens") != 0)
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_FAILED,
                   _("Unknown max-tokens field “%s”: use max_tokens or max_completion_tokens"), field);
      return FALSE;
    }

  if (params->stop != NULL)
    {
      guint n = g_strv_length (params->stop);

      if (n > MAX_STOP)
        {
          g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_FAILED,
                       _("%u stop sequences given, but servers accept at most %d: remove %u"),
                       n, MAX_STOP, n - MAX_STOP);
          return FALSE;
        }
      for (guint i = 0; i < n; i++)
        if (params->stop[i][0] == '\0')
          {
            g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_FAILED,
                         _("Stop sequence %u is empty: remove it or give the text to stop at"), i + 1);
            return FALSE;
          }
    }

  return TRUE;
}

static void
append_double_field (GString    *out,
                     const char *name,
                     double      value)
{
  if (!isfinite (value))
    return;
  clair_json_append_key (out, name, FALSE);
  clair_json_append_double (out, value);
}

/* The fields after "messages", shared by the body and the stored settings. */
static void
append_params (GString              *out,
               const ClairGenParams *params)
{
  append_double_field (out, "temperature", params->temperature);
  append_double_field (out, "top_p", params->top_p);
  if (params->max_tokens > 0)
    {
      clair_json_append_key (out, clair_gen_params_get_max_tokens_field (params), FALSE);
      clair_json_append_int (out, params->max_tokens);
    }
  if (params->has_seed)
    {
      clair_json_append_key (out, "seed", FALSE);
      clair_json_append_int (out, params->seed);
    }
  if (params->stop != NULL && params->stop[0] != NULL)
    {
      clair_json_append_key (out, "stop", FALSE);
      g_string_append_c (out, '[');
      /* Servers reject more than four; clair_gen_params_validate() reports it before a run. */
      for (guint i = 0; i < MAX_STOP && params->stop[i] != NULL; i++)
        {
          if (i > 0)
            g_string_append_c (out, ',');
          clair_json_append_string (out, params->stop[i], -1);
        }
      g_string_append_c (out, ']');
    }
  append_double_field (out, "presence_penalty", params->presence_penalty);
  append_double_field (out, "frequency_penalty", params->frequency_penalty);
}

static GString *
build_body (const ClairGenParams *params,
            const char           *system_message,
            const char           *user_message,
            gboolean              stream)
{
  GString *out;

  out = g_string_sized_new ((system_message != NULL ? strlen (system_message) : 0) +
                            (user_message != NULL ? strlen (user_message) : 0) + 256);
  g_string_append (out, "{\"model\":");
  clair_json_append_string (out, params->model != NULL ? params->model : "", -1);
  g_string_append (out, ",\"messages\":[");
  if (system_message != NULL)
    {
      clair_json_append_message (out, "system", system_message);
      g_string_append_c (out, ',');
    }
  clair_json_append_message (out, "user", user_message != NULL ? user_message : "");
  g_string_append_c (out, ']');
  append_params (out, params);
  if (stream)
    g_string_append (out, ",\"stream\":true,\"stream_options\":{\"include_usage\":true}");
  g_string_append_c (out, '}');

  return out;
}

char *
clair_request_build_body (const ClairGenParams *params,
                          const char           *system_message,
                          const char           *user_message,
                          gboolean              stream)
{
  g_return_val_if_fail (params != NULL, NULL);

  return g_string_free (build_body (params, system_message, user_message, stream), FALSE);
}

char *
clair_request_hash (const ClairGenParams *params,
                    const char           *system_message,
                    const char           *user_message)
{
  g_autoptr(GChecksum) checksum = NULL;
  GString *body;
  char *hex;

  g_return_val_if_fail (params != NULL, NULL);

  body = build_body (params, system_message, user_message, FALSE);
  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (checksum, (const guchar *) body->str, body->len);
  hex = g_strdup (g_checksum_get_string (checksum));
  g_string_free (body, TRUE);

  return hex;
}

char *
clair_gen_params_to_json (const ClairGenParams *params)
{
  GString *out;

  g_return_val_if_fail (params != NULL, NULL);

  /* Written with the fast writer rather than json-glib, whose generator turns 1e-08 into the
   * invalid "1e-08.0". The layout is the request's own, so a stored setting reads like a body. */
  out = g_string_new ("{\"model\":");
  clair_json_append_string (out, params->model != NULL ? params->model : "", -1);
  if (params->max_tokens_field != NULL && params->max_tokens_field[0] != '\0')
    {
      clair_json_append_key (out, "max_tokens_field", FALSE);
      clair_json_append_string (out, params->max_tokens_field, -1);
    }
  append_params (out, params);
  g_string_append_c (out, '}');

  return g_string_free (out, FALSE);
}

static gboolean
read_number (JsonObject  *object,
             const char  *name,
             double      *value,
             GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);
  GType type;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
  if (type != G_TYPE_DOUBLE && type != G_TYPE_INT64)
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA,
                   _("The setting “%s” must be a number"), name);
      return FALSE;
    }
  *value = json_node_get_double (node);
  return TRUE;
}

static gboolean
read_int (JsonObject  *object,
          const char  *name,
          gboolean    *present,
          gint64      *value,
          GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA,
                   _("The setting “%s” must be a whole number"), name);
      return FALSE;
    }
  *value = json_node_get_int (node);
  if (present != NULL)
    *present = TRUE;
  return TRUE;
}

static gboolean
read_string (JsonObject  *object,
             const char  *name,
             char       **value,
             GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA,
                   _("The setting “%s” must be a string"), name);
      return FALSE;
    }
  g_free (*value);
  *value = g_strdup (json_node_get_string (node));
  return TRUE;
}

static gboolean
read_stop (JsonObject      *object,
           ClairGenParams  *params,
           GError         **error)
{
  JsonNode *node = json_object_get_member (object, "stop");
  JsonArray *array;
  guint n;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  /* A lone string is what older settings or hand edits may hold; it means one stop sequence. */
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      clair_gen_params_add_stop (params, json_node_get_string (node));
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_ARRAY (node))
    goto bad;
  array = json_node_get_array (node);
  n = json_array_get_length (array);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        goto bad;
      clair_gen_params_add_stop (params, json_node_get_string (element));
    }
  return TRUE;

bad:
  g_set_error_literal (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA,
                       _("The setting “stop” must be a list of strings"));
  return FALSE;
}

gboolean
clair_gen_params_from_json (ClairGenParams  *params,
                            const char      *json,
                            GError         **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  ClairGenParams read;
  JsonObject *object;
  const char *field;
  gboolean ok;

  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (json != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  parser = json_parser_new ();
  object = clair_json_load_object (parser, json, -1, &local_error);
  if (object == NULL)
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA,
                   _("The generation settings are not one JSON object: %s"), local_error->message);
      return FALSE;
    }

  clair_gen_params_init (&read);
  ok = read_string (object, "model", &read.model, error) &&
       read_string (object, "max_tokens_field", &read.max_tokens_field, error) &&
       read_number (object, "temperature", &read.temperature, error) &&
       read_number (object, "top_p", &read.top_p, error) &&
       read_number (object, "presence_penalty", &read.presence_penalty, error) &&
       read_number (object, "frequency_penalty", &read.frequency_penalty, error) &&
       read_int (object, "seed", &read.has_seed, &read.seed, error) &&
       read_stop (object, &read, error);
  if (ok)
    {
      /* The count sits under the field name it is sent as. */
      field = clair_gen_params_get_max_tokens_field (&read);
      if (json_object_has_member (object, field))
        ok = read_int (object, field, NULL, &read.max_tokens, error);
      else if (json_object_has_member (object, "max_tokens"))
        ok = read_int (object, "max_tokens", NULL, &read.max_tokens, error);
    }
  if (ok && read.model != NULL && read.model[0] == '\0')
    g_clear_pointer (&read.model, g_free);

  if (!ok)
    {
      clair_gen_params_clear (&read);
      return FALSE;
    }
  clair_gen_params_clear (params);
  *params = read;
  return TRUE;
}
