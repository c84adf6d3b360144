/**
 * A bucket's status and notes. Admins change them (PATCH, the server records the author and
 * re-judges regressions); readers see them.
 */
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import type { BucketStatus, BucketSummary } from '../api-types.js';
import { STATUSES } from '../kinds.js';
import { StatusBadge } from './badges.js';
import { Time } from './time.js';

export function Triage({ bucket, notes, admin, onChanged }: { bucket: BucketSummary; notes: { time: string; author: string; text: string }[]; admin: boolean; onChanged: () => void }) {
  const [status, setStatus] = useState<BucketStatus>(bucket.status);
  const [fixedIn, setFixedIn] = useState(bucket.fixedIn ?? '');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const changed = status !== bucket.status || (status === 'fixed' && fixedIn.trim() !== (bucket.fixedIn ?? '')) || note.trim() !== '';
  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setMessage(undefined);
    try {
      const patch: { status?: BucketStatus; fixedIn?: string; note?: string } = {};
      if (status !== bucket.status || (status === 'fixed' && fixedIn.trim() !== (bucket.fixedIn ?? ''))) patch.status = status;
      if (status === 'fixed' && fixedIn.trim()) patch.fixedIn = fixedIn.trim();
      if (note.trim()) patch.note = note.trim();
      const updated = await api.patchBucket(bucket.id, patch);
      setNote('');
      setMessage({ ok: true, text: `Saved: ${updated.status}${updated.fixedIn ? ` in ${updated.fixedIn}` : ''}.` });
      onChanged();
    } catch (e) {
      setMessage({ ok: false, text: e instanceof Error ? e.message : String(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="panel triage" aria-labelledby="triage-h">
      <h2 id="triage-h">Triage</h2>
      {admin ? (
        <form onSubmit={save} class="triage-form">
          <label class="field">
            <span>Status</span>
            <select id="bucket-status" value={status} onChange={(e) => setStatus(e.currentTarget.value as BucketStatus)}>
              {STATUSES.map((s) => (
                <option value={s}>{s === 'fixed' ? 'fixed in release…' : s}</option>
              ))}
            </select>
          </label>
          {status === 'fixed' && (
            <label class="field">
              <span>Fixed in release</span>
              <input id="bucket-fixed-in" type="text" required value={fixedIn} placeholder="6.1.0-27-amd64" onInput={(e) => setFixedIn(e.currentTarget.value)} />
            </label>
          )}
          <label class="field wide">
            <span>Add a note</span>
            <textarea id="bucket-note" rows={2} value={note} placeholder="What you found, a ticket link…" onInput={(e) => setNote(e.currentTarget.value)} />
          </label>
          <button type="submit" class="primary" disabled={busy || !changed}>
            {busy ? 'Saving…' : 'Save'}
          </button>
          {message && (
            <p class={message.ok ? 'ok' : 'error'} role={message.ok ? 'status' : 'alert'}>
              {message.text}
            </p>
          )}
        </form>
      ) : (
        <p>
          <StatusBadge status={bucket.status} fixedIn={bucket.fixedIn} /> <span class="muted small">Changing the status needs an admin token.</span>
        </p>
      )}
      {notes.length > 0 && (
        <ul class="notes" aria-label="Notes">
          {notes.map((n) => (
            <li>
              <div class="muted small">
                {n.author} · <Time iso={n.time} />
              </div>
              <div class="note-text">{n.text}</div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
