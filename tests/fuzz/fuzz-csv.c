/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fuzz-csv"

#include "config.h"

#include "fuzz-dataset.h"

/* The CSV and TSV readers: quotes, embedded newlines, CRLF, BOMs, ragged rows, invalid UTF-8. */

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  if (size > 256 * 1024)
    return 0;

  /* The same bytes as both formats: a file named .csv may well hold tabs. */
  fuzz_dataset (data, size, CLAIR_FORMAT_CSV, "data.csv");
  fuzz_dataset (data, size, CLAIR_FORMAT_TSV, "data.tsv");
  return 0;
}
