import type { FrameRecipe, Step } from './frame-recipes.js';
import { isSharedFrame } from './skip-frames.js';

/**
 * Walks a report's text the way a recipe says (frame-recipes.ts) and returns the function to
 * blame, or why none could be found. Pure: text in, name out.
 *
 * A recipe is a list of steps read top to bottom from the header line: a `line` step moves to
 * the next line it matches and may yield the function that line names; a `trace` step yields
 * every frame line that follows, up to the next stack's heading. Frames whose name contains a
 * skipped word are passed over; the recipe's `pick` chooses among what is left.
 */
export type Picked = { function: string } | { corrupted: string };

/**
 * A frame line: optional `[<address>]` pairs, then `name+0x…` or `name.isra…` (`.name` on old
 * ppc64); `?` frames never match. Each run of blanks has one `\s*` to match it: two in a row made
 * a line of spaces quadratic.
 */
const FRAME_LINE = /^\s*(?:\[<?(?:0x)?[0-9a-f]+>?\]\s*){0,2}(?:\d+:)?\.?([A-Za-z0-9_]+)[.+]/;
/** 32-bit ARM prints `[<pc>] (callee) from [<lr>] (caller+0x…)`: both names are frames. */
const ARM_FRAME_LINE = /^\s*\[<[0-9a-f]+>\] \(([A-Za-z0-9_]+)[^)]*\) from \[<[0-9a-f]+>\] \(([A-Za-z0-9_]+)[.+)]/;

/** powerpc marks frames it is not sure of at the end of the line. */
const UNRELIABLE = / \(unreliable\)\s*$/;

/** Headings that start another stack (alloc/free stacks, a second trace): a `trace` step ends there. */
const STACK_HEADING = /Call Trace|Allocated:|Allocated by task \d+:|Freed:|Freed by task \d+:|[^k] backtrace:/;

/** Lines that mean an unrelated stack was printed into the report (fault injection): stop reading. */
const FOREIGN_STACK = /^\s*(?:\[<?(?:0x)?[0-9a-f]+>?\] )?should_fail(?:slab)?(?:\.[a-z0-9.]+)?\+0x/;

/** Whether a recipe passes over a frame name, per recipe, built on first use: the shared skip list (rules/skip-frames.txt) and the recipe's own words. */
const SKIP_TESTS = new WeakMap<FrameRecipe, (name: string) => boolean>();

function skipTest(recipe: FrameRecipe): (name: string) => boolean {
  let test = SKIP_TESTS.get(recipe);
  if (!test) {
    const own = recipe.skip?.length ? new RegExp(recipe.skip.join('|')) : undefined;
    const shared = recipe.skipShared !== false;
    test = (name) => (shared && isSharedFrame(name)) || (own?.test(name) ?? false);
    SKIP_TESTS.set(recipe, test);
  }
  return test;
}

export function pickFrame(lines: readonly string[], recipe: FrameRecipe): Picked {
  const skip = skipTest(recipe);
  // The default pick takes the first frame: the walk stops there instead of reading every stack.
  const wanted = recipe.pick ? Infinity : 1;
  const first = walk(lines, recipe.steps, skip, wanted);
  const frames = first.length > 0 || !recipe.fallback ? first : walk(lines, recipe.fallback, skip, wanted);
  if (frames.length === 0) return { corrupted: 'no frame to blame' };
  return (recipe.pick ?? firstFrame)(frames);
}

/** The frames the steps yield, in order, up to `wanted` of them. */
function walk(lines: readonly string[], steps: readonly Step[], skip: (name: string) => boolean, wanted: number): string[] {
  const frames: string[] = [];
  let i = 0;
  steps: for (const step of steps) {
    if (step === 'trace') {
      for (; i < lines.length; i++) {
        const text = lines[i] ?? '';
        if (FOREIGN_STACK.test(text)) break steps;
        if (STACK_HEADING.test(text)) {
          i++;
          continue steps;
        }
        if (UNRELIABLE.test(text)) continue;
        // Every name a frame line holds counts (an ARM line names two frames).
        const m = FRAME_LINE.exec(text) ?? ARM_FRAME_LINE.exec(text);
        for (const name of m?.slice(1) ?? []) if (name !== undefined && !skip(name)) frames.push(name);
        if (frames.length >= wanted) break steps;
      }
      continue;
    }
    for (; i < lines.length; i++) {
      const text = lines[i] ?? '';
      if (FOREIGN_STACK.test(text)) break steps;
      const m = step.exec(text);
      if (!m) continue;
      i++;
      // The first group that names a function not skipped is the frame (a step may offer several).
      const name = m.slice(1).find((g) => g !== undefined && !skip(g));
      if (name) frames.push(name);
      if (frames.length >= wanted) break steps;
      continue steps;
    }
  }
  return frames;
}

function firstFrame(frames: readonly string[]): Picked {
  return { function: frames[0] ?? '' };
}
