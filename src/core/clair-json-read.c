/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-json"

#include "config.h"

#include <string.h>

#include "clair-error.h"
#include "clair-i18n.h"
#include "clair-jscan.h"
#include "clair-json.h"

/* Reading JSON with json-glib, the one way every parse site does it. Kept apart from the writer
 * in clair-json.c so that a program that only writes JSON (the `clair` launcher, which runs
 * `clair diff` itself) does not link json-glib. */

gboolean
clair_json_load (JsonParser  *parser,
                 const char  *data,
                 gssize       len,
                 GError     **error)
{
  g_autofree char *sanitized = NULL;
  g_autoptr(GError) local_error = NULL;
  ClairJscanError jerr;
  gsize sanitized_len = 0;

  g_return_val_if_fail (JSON_IS_PARSER (parser), FALSE);
  g_return_val_if_fail (data != NULL || len <= 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (data == NULL)
    data = "";
  if (len < 0)
    len = strlen (data);
  /* json-glib 1.6 takes a value followed by an object or an array ("0{}", "{}[1]") as a success,
   * keeps the first and leaks the second: the scanner checks first that the text is exactly one
   * value. */
  memset (&jerr, 0, sizeof jerr);
  if (!clair_jscan_validate (data, len, &jerr))
    {
      char found[64] = "";

      if (jerr.show_found && jerr.where != NULL)
        clair_jscan_describe (jerr.where, data + len, found, sizeof found);
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA,
                   _("Not one JSON value: %s%s%s (at byte %zu)"),
                   jerr.message[0] != '\0' ? jerr.message : "invalid JSON",
                   found[0] != '\0' ? ", found " : "", found,
                   jerr.where != NULL ? (gsize) (jerr.where - data) : (gsize) 0);
      return FALSE;
    }
  /* Text from outside is data: \u0000 must not cut a string short (json-glib would), nor a lone
   * surrogate make it invalid text; both become U+FFFD. */
  sanitized = clair_json_sanitize_escapes (data, len, &sanitized_len);
  if (sanitized != NULL)
    {
      data = sanitized;
      len = sanitized_len;
    }
  if (!json_parser_load_from_data (parser, data, len, &local_error))
    {
      g_set_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA, _("Not valid JSON: %s"),
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}

JsonObject *
clair_json_load_object (JsonParser  *parser,
                        const char  *data,
                        gssize       len,
                        GError     **error)
{
  JsonNode *root;

  if (!clair_json_load (parser, data, len, error))
    return NULL;
  /* Only whitespace loads "successfully" into no root at all. */
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA, _("Expected a JSON object"));
      return NULL;
    }
  return json_node_get_object (root);
}

JsonObject *
clair_json_member_object (JsonObject *object,
                          const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

JsonArray *
clair_json_member_array (JsonObject *object,
                         const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

const char *
clair_json_member_string (JsonObject *object,
                          const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

gint64
clair_json_member_int (JsonObject *object,
                       const char *name,
                       gint64      default_value)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return default_value;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    {
      double value = json_node_get_double (node);

      /* 1e999 reads as infinity; converting it (or any double past gint64) is undefined. */
      if (!(value >= 0 && value < 9.0e15))
        return default_value;
      return (gint64) value;
    }
  return default_value;
}

char *
clair_json_member_as_text (JsonObject *object,
                           const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  if (type == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  if (type == G_TYPE_DOUBLE)
    return g_strdup_printf ("%g", json_node_get_double (node));
  if (type == G_TYPE_BOOLEAN)
    return g_strdup (json_node_get_boolean (node) ? "true" : "false");
  return NULL;
}
