/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-parquet"

#include "config.h"

#include "clair-parquet-private.h"

/* Values whose logical type gives their physical bits a meaning — dates, times, timestamps and
 * decimals — written as JSON the way people read them: ISO 8601 text for the first three (a
 * timestamp adjusted to UTC ends in Z) and an exact JSON number for decimals, so that a date
 * column passes through to an export as 2024-05-01, not as 19844. */

/* The proleptic Gregorian date of @days since 1970-01-01 (H. Hinnant's civil_from_days). */
static void
civil_from_days (gint64  days,
                 gint64 *year,
                 int    *month,
                 int    *day)
{
  gint64 z = days + 719468;
  gint64 era = (z >= 0 ? z : z - 146096) / 146097;
  gint64 doe = z - era * 146097;
  gint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  gint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  gint64 mp = (5 * doy + 2) / 153;

  *day = (int) (doy - (153 * mp + 2) / 5 + 1);
  *month = (int) (mp < 10 ? mp + 3 : mp - 9);
  *year = yoe + era * 400 + (*month <= 2);
}

static void
append_date_text (GString *out,
                  gint64   days)
{
  gint64 year;
  int month, day;

  civil_from_days (days, &year, &month, &day);
  /* Years outside 0000–9999 take a sign, as ISO 8601's expanded form does. */
  if (year < 0)
    g_string_append_printf (out, "-%04" G_GINT64_FORMAT, -year);
  else if (year > 9999)
    g_string_append_printf (out, "+%" G_GINT64_FORMAT, year);
  else
    g_string_append_printf (out, "%04" G_GINT64_FORMAT, year);
  g_string_append_printf (out, "-%02d-%02d", month, day);
}

static gint64
units_per_second (PqTimeUnit unit)
{
  switch (unit)
    {
    case PQ_UNIT_MILLIS: return 1000;
    case PQ_UNIT_MICROS: return 1000000;
    case PQ_UNIT_NANOS:  return 1000000000;
    default:             return 1;
    }
}

static int
fraction_digits (PqTimeUnit unit)
{
  return unit == PQ_UNIT_MILLIS ? 3 : unit == PQ_UNIT_MICROS ? 6 : unit == PQ_UNIT_NANOS ? 9 : 0;
}

/* hh:mm:ss[.fraction] of @value units since midnight (0 ≤ @value < a day). */
static void
append_time_text (GString    *out,
                  gint64      value,
                  PqTimeUnit  unit)
{
  gint64 per_second = units_per_second (unit);
  gint64 seconds = value / per_second;

  g_string_append_printf (out, "%02d:%02d:%02d", (int) (seconds / 3600), (int) (seconds / 60 % 60),
                          (int) (seconds % 60));
  if (fraction_digits (unit) > 0)
    g_string_append_printf (out, ".%0*" G_GINT64_FORMAT, fraction_digits (unit), value % per_second);
}

void
_pq_append_date (GString *out,
                 gint64   days)
{
  g_string_append_c (out, '"');
  append_date_text (out, days);
  g_string_append_c (out, '"');
}

void
_pq_append_time (GString    *out,
                 gint64      value,
                 PqTimeUnit  unit)
{
  gint64 day = 86400 * units_per_second (unit);

  /* A time of day outside the day is not one: the number as written. */
  if (value < 0 || value >= day)
    {
      g_string_append_printf (out, "%" G_GINT64_FORMAT, value);
      return;
    }
  g_string_append_c (out, '"');
  append_time_text (out, value, unit);
  g_string_append_c (out, '"');
}

/* @days since the epoch and @value units into that day (0 ≤ @value < a day). */
static void
append_date_time (GString    *out,
                  gint64      days,
                  gint64      value,
                  PqTimeUnit  unit,
                  gboolean    utc)
{
  g_string_append_c (out, '"');
  append_date_text (out, days);
  g_string_append_c (out, 'T');
  append_time_text (out, value, unit);
  if (utc)
    g_string_append_c (out, 'Z');
  g_string_append_c (out, '"');
}

void
_pq_append_timestamp (GString    *out,
                      gint64      value,
                      PqTimeUnit  unit,
                      gboolean    utc)
{
  gint64 day = 86400 * units_per_second (unit);
  gint64 days = value / day;
  gint64 rest = value % day;

  /* Floor division: an instant before 1970 lies in an earlier day, at a positive time of it. */
  if (rest < 0)
    {
      rest += day;
      days--;
    }
  append_date_time (out, days, rest, unit, utc);
}

void
_pq_append_int96 (GString      *out,
                  const guint8 *p)
{
  guint64 nanos = 0;
  guint32 julian = 0;

  for (int i = 7; i >= 0; i--)
    nanos = nanos << 8 | p[i];
  for (int i = 11; i >= 8; i--)
    julian = julian << 8 | p[i];
  /* The legacy timestamp of Impala and Spark: nanoseconds into a Julian day (2440588 is
   * 1970-01-01), with no time zone, as Arrow reads it. */
  if (nanos >= G_GUINT64_CONSTANT (86400000000000))
    {
      g_string_append (out, "null");
      return;
    }
  append_date_time (out, (gint64) julian - 2440588, (gint64) nanos, PQ_UNIT_NANOS, FALSE);
}

/* The digits of @unscaled / 10^@scale, exactly. */
static void
append_scaled (GString  *out,
               __int128  unscaled,
               int       scale)
{
  char digits[48];
  int n = 0;
  unsigned __int128 magnitude = unscaled < 0 ? -(unsigned __int128) unscaled : (unsigned __int128) unscaled;

  do
    {
      digits[n++] = (char) ('0' + (int) (magnitude % 10));
      magnitude /= 10;
    }
  while (magnitude != 0);
  while (n <= scale)
    digits[n++] = '0';
  if (unscaled < 0)
    g_string_append_c (out, '-');
  for (int i = n - 1; i >= 0; i--)
    {
      g_string_append_c (out, digits[i]);
      if (i == scale && scale > 0)
        g_string_append_c (out, '.');
    }
}

void
_pq_append_decimal_int (GString *out,
                        gint64   unscaled,
                        int      scale)
{
  append_scaled (out, unscaled, CLAMP (scale, 0, 38));
}

gboolean
_pq_append_decimal_bytes (GString      *out,
                          const guint8 *be,
                          gsize         len,
                          int           scale)
{
  unsigned __int128 bits;

  /* Up to 16 bytes: precision 38, what every writer uses; wider ones stay as they were read. */
  if (len == 0 || len > 16 || scale < 0 || scale > 38)
    return FALSE;
  bits = (be[0] & 0x80) ? ~(unsigned __int128) 0 : 0;
  for (gsize i = 0; i < len; i++)
    bits = bits << 8 | be[i];
  append_scaled (out, (__int128) bits, scale);
  return TRUE;
}
