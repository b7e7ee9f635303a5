/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-diff"

#include "config.h"

#include <limits.h>
#include <string.h>

#include "clair-diff-private.h"

/* The scratch arena: a bump allocator whose blocks are reused from one stage (and one replaced
 * run) to the next. */

gpointer
_clair_diff_arena_alloc (Arena *arena,
                         gsize  size)
{
  ArenaBlock *top = arena->top;

  size = (size + 15) & ~(gsize) 15;
  if (top == NULL || top->size - top->used < size)
    {
      gsize block_size = MAX (size, top != NULL ? MIN (top->size * 2, (gsize) 64 << 20) : 16384);

      top = g_malloc (ARENA_HEADER + block_size);
      top->prev = arena->top;
      top->size = block_size;
      top->used = 0;
      arena->top = top;
    }
  top->used += size;
  return (char *) top + ARENA_HEADER + top->used - size;
}

gpointer
_clair_diff_arena_alloc0 (Arena *arena,
                          gsize  size)
{
  return memset (_clair_diff_arena_alloc (arena, size), 0, size);
}


/* Frees everything allocated since @mark. Released to the empty mark, the arena keeps its newest
 * (largest) block for what comes next. */
void
_clair_diff_arena_release (Arena     *arena,
                           ArenaMark  mark)
{
  if (mark.block == NULL && arena->top != NULL)
    {
      ArenaBlock *keep = arena->top;

      while (keep->prev != NULL)
        {
          ArenaBlock *block = keep->prev;

          keep->prev = block->prev;
          g_free (block);
        }
      keep->used = 0;
      return;
    }
  while (arena->top != mark.block)
    {
      ArenaBlock *block = arena->top;

      arena->top = block->prev;
      g_free (block);
    }
  if (arena->top != NULL)
    arena->top->used = mark.used;
}

void
_clair_diff_arena_clear (Arena *arena)
{
  while (arena->top != NULL)
    {
      ArenaBlock *block = arena->top;

      arena->top = block->prev;
      g_free (block);
    }
}
