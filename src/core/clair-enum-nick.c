/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-enum"

#include "config.h"

#include "clair-dataset.h"
#include "clair-enum-nick.h"
#include "clair-project.h"

/* Names accepted on input besides the nicks. Nothing writes them: output always uses the nick. */
static const struct
{
  GType     (*get_type) (void);
  const char *alias;
  int         value;
} aliases[] = {
  /* Dataset formats as other tools and file extensions spell them (".ndjson", ".jsonlines"). */
  { clair_format_get_type, "ndjson", CLAIR_FORMAT_JSONL },
  { clair_format_get_type, "jsonlines", CLAIR_FORMAT_JSONL },
  { clair_format_get_type, "tab", CLAIR_FORMAT_TSV },
  /* The verbs of `clair decide PROJECT accept|reject|skip`, its documented spelling. */
  { clair_decision_get_type, "accept", CLAIR_DECISION_ACCEPTED },
  { clair_decision_get_type, "reject", CLAIR_DECISION_REJECTED },
  { clair_decision_get_type, "skip", CLAIR_DECISION_SKIPPED },
};

/* Classes already looked up, by a hash of their type: one atomic pointer per slot, checked
 * against the type it claims, so no lock is needed. Per-row callers (the project's parse status,
 * the exports' decision column) then pay a load and a compare, not a type-system lookup. */
static GEnumClass *class_cache[16];

/* The class of a static enum type, referenced on first use and kept for the life of the process;
 * NULL (with a critical) when @enum_type is not an enum. */
static GEnumClass *
enum_class (GType enum_type)
{
  guint slot = (guint) ((enum_type >> 2) % G_N_ELEMENTS (class_cache));
  GEnumClass *klass = g_atomic_pointer_get (&class_cache[slot]);

  if (G_LIKELY (klass != NULL && G_TYPE_FROM_CLASS (klass) == enum_type))
    return klass;

  g_return_val_if_fail (G_TYPE_IS_ENUM (enum_type), NULL);
  klass = g_type_class_peek_static (enum_type);
  if (klass == NULL)
    klass = g_type_class_ref (enum_type);
  g_atomic_pointer_set (&class_cache[slot], klass);
  return klass;
}

const char *
clair_enum_to_nick (GType enum_type,
                    int   value)
{
  GEnumClass *klass = enum_class (enum_type);

  if (klass == NULL)
    return "unknown";
  for (guint i = 0; i < klass->n_values; i++)
    {
      if (klass->values[i].value == value)
        return klass->values[i].value_nick;
    }
  return "unknown";
}

gboolean
clair_enum_from_nick (GType       enum_type,
                      const char *nick,
                      int        *value)
{
  GEnumClass *klass = enum_class (enum_type);

  g_return_val_if_fail (klass != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  if (nick == NULL)
    return FALSE;
  for (guint i = 0; i < klass->n_values; i++)
    {
      if (g_ascii_strcasecmp (nick, klass->values[i].value_nick) == 0)
        {
          *value = klass->values[i].value;
          return TRUE;
        }
    }
  for (guint i = 0; i < G_N_ELEMENTS (aliases); i++)
    {
      if (aliases[i].get_type () == enum_type && g_ascii_strcasecmp (nick, aliases[i].alias) == 0)
        {
          *value = aliases[i].value;
          return TRUE;
        }
    }
  return FALSE;
}

char *
clair_enum_list_nicks (GType enum_type)
{
  GEnumClass *klass = enum_class (enum_type);
  GString *list;

  g_return_val_if_fail (klass != NULL, NULL);

  list = g_string_new (NULL);
  for (guint i = 0; i < klass->n_values; i++)
    {
      if (i > 0)
        g_string_append (list, ", ");
      g_string_append (list, klass->values[i].value_nick);
    }
  return g_string_free (list, FALSE);
}
