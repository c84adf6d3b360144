import { stripCompilerSuffix } from './frame-names.js';
import { patternsOf, readBundledPatternList, type PatternGroup } from './pattern-list.js';

export { canonicalFunction, demangle, stripCompilerSuffix, stripWrapperPrefix } from './frame-names.js';

/**
 * Frames no crash is blamed on, read from rules/skip-frames.txt: one pattern a line, in groups
 * named for where that code lives in the kernel and why it is never the culprit. `every` groups
 * apply to every culprit search; `fallback` groups only to the search over a whole trace for
 * kinds without a recipe (recipes read waits, dispatchers and syscalls on purpose).
 */
export type SkipGroup = PatternGroup<'every' | 'fallback'>;
export const SKIP_GROUPS: readonly SkipGroup[] = readBundledPatternList('skip-frames.txt', ['every', 'fallback']);
const EVERY = patternsOf(SKIP_GROUPS, 'every');
const FALLBACK = patternsOf(SKIP_GROUPS, 'fallback');

/**
 * Whether a frame is skipped in every culprit search. Answers are kept (bounded): a log's reports
 * name the same functions again and again, and the test runs one regex of ~300 patterns.
 */
export function isSharedFrame(name: string): boolean {
  let skipped = sharedAnswers.get(name);
  if (skipped === undefined) {
    skipped = EVERY.test(stripCompilerSuffix(name));
    if (sharedAnswers.size >= MAX_REMEMBERED_NAMES) sharedAnswers.clear();
    sharedAnswers.set(name, skipped);
  }
  return skipped;
}

const sharedAnswers = new Map<string, boolean>();
const MAX_REMEMBERED_NAMES = 4_000;

/**
 * Whether the search over a whole trace passes over a frame: both scopes of the skip list. A
 * function the header itself names (`data-race in find_next_bit / …`) is what the detector
 * caught in the act: only the whole-name fallback groups apply to it.
 */
export function isSkippedFrame(name: string, namedByHeader = false): boolean {
  let fallback = fallbackAnswers.get(name);
  if (fallback === undefined) {
    const bare = stripCompilerSuffix(name);
    fallback = bare.startsWith('0x') || FALLBACK.test(bare);
    if (fallbackAnswers.size >= MAX_REMEMBERED_NAMES) fallbackAnswers.clear();
    fallbackAnswers.set(name, fallback);
  }
  return fallback || (!namedByHeader && isSharedFrame(name));
}

/** The fallback groups' answers, kept like the shared ones (one regex of ~300 patterns per name). */
const fallbackAnswers = new Map<string, boolean>();

