/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "clair-hub.h"

G_BEGIN_DECLS

/* For tests and fuzz-hub: the listing the answers of the Hub make (the revision lookup, the Parquet
 * API and the conversion branch's revision lookup; any may be invalid), without the network,
 * for the endpoint https://hub.example. Checks that the listing's cache form reads back the same
 * (an assertion), and returns that form in @cached. NULL when the revision answer is unusable. */
ClairHubListing *_clair_hub_listing_from_answers (const char  *repo_id,
                                                  const char  *revision_json,
                                                  gsize        revision_len,
                                                  const char  *parquet_json,
                                                  gsize        parquet_len,
                                                  const char  *convert_json,
                                                  gsize        convert_len,
                                                  char       **cached);

G_END_DECLS
