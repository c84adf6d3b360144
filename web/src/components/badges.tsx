import type { BucketStatus } from '../api-types.js';

export function CauseBadge({ cause }: { cause: string }) {
  return <span class={`badge cause cause-${cause}`}>{cause}</span>;
}

export function KindBadge({ kind }: { kind: string }) {
  return <span class="badge kind">{kind}</span>;
}

export function StatusBadge({ status, fixedIn }: { status: BucketStatus; fixedIn?: string | undefined }) {
  return <span class={`badge status status-${status}`}>{status === 'fixed' && fixedIn ? `fixed in ${fixedIn}` : status}</span>;
}

/** New and regressed marks of a bucket; the regression's reason on hover. */
export function Flags({ isNew, regression }: { isNew: boolean; regression?: { reason: string; detail: string } | undefined }) {
  return (
    <>
      {isNew && <span class="badge flag-new">new</span>}
      {regression && (
        <span class="badge flag-regressed" title={regression.detail}>
          regressed
        </span>
      )}
    </>
  );
}
