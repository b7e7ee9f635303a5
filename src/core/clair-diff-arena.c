/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-diff"

#include "config.h"

#include <limits.h>
#include <string.h>

#if defined(__linux__)
# include <sys/mman.h>
#endif

#include "clair-diff-private.h"

/* The scratch arena: a bump allocator whose blocks are reused from one stage (and one replaced
 * run) to the next. */

/* Large buffers */

/* A diff of two 300 KB texts touches a few megabytes of fresh memory (tokens, word sequences,
 * code points), and each first touch of a 4 KiB page is a page fault: about 3.7 µs each on a
 * virtual machine, over a thousand of them, a fifth of the diff's time. Buffers from this size
 * get a mapping of their own, aligned to 2 MiB and marked for transparent huge pages, so that a
 * fault brings in 2 MiB at once (seven times cheaper per byte). Where the kernel has no huge
 * page to give, or THP is off, the mapping is served by small pages as before. */
#define BIG_MIN_BYTES (512 * 1024)
#define HUGE_PAGE     ((gsize) 2 << 20)

#if defined(__linux__) && defined(MADV_HUGEPAGE)
static gsize
big_mapped_size (gsize size)
{
  return (size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
}
#endif

/* @size bytes, uninitialised; free with _clair_diff_big_free() and the same size. Aborts when out
 * of memory, as g_malloc() does. */
gpointer
_clair_diff_big_alloc (gsize size)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (size >= BIG_MIN_BYTES)
    {
      gsize mapped = big_mapped_size (size);
      char *raw = mmap (NULL, mapped + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                        -1, 0);
      char *start;

      if (raw == MAP_FAILED)
        g_error ("%s: failed to map %" G_GSIZE_FORMAT " bytes", G_STRLOC, mapped + HUGE_PAGE);
      /* Keep the 2 MiB-aligned part only. */
      start = (char *) (((guintptr) raw + HUGE_PAGE - 1) & ~(guintptr) (HUGE_PAGE - 1));
      if (start > raw)
        munmap (raw, start - raw);
      if (start + mapped < raw + mapped + HUGE_PAGE)
        munmap (start + mapped, raw + HUGE_PAGE - start);
      madvise (start, mapped, MADV_HUGEPAGE);
      return start;
    }
#endif
  return g_malloc (size);
}

void
_clair_diff_big_free (gpointer mem,
                      gsize    size)
{
  if (mem == NULL)
    return;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (size >= BIG_MIN_BYTES)
    {
      munmap (mem, big_mapped_size (size));
      return;
    }
#endif
  g_free (mem);
}

/* The arena */

gpointer
_clair_diff_arena_alloc (Arena *arena,
                         gsize  size)
{
  ArenaBlock *top = arena->top;

  size = (size + 15) & ~(gsize) 15;
  if (top == NULL || top->size - top->used < size)
    {
      gsize block_size = MAX (size, top != NULL ? MIN (top->size * 2, (gsize) 64 << 20) : 16384);

      top = _clair_diff_big_alloc (ARENA_HEADER + block_size);
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
          _clair_diff_big_free (block, ARENA_HEADER + block->size);
        }
      keep->used = 0;
      return;
    }
  while (arena->top != mark.block)
    {
      ArenaBlock *block = arena->top;

      arena->top = block->prev;
      _clair_diff_big_free (block, ARENA_HEADER + block->size);
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
      _clair_diff_big_free (block, ARENA_HEADER + block->size);
    }
}
