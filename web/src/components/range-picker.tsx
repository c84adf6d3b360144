import { navigate, withParams, type Location } from '../router.js';
import { RANGES } from '../time.js';

/** The time range of a page, kept in the URL (`range=`). */
export function RangePicker({ location, value, id = 'range' }: { location: Location; value: string; id?: string }) {
  return (
    <label class="field">
      <span>Time range</span>
      <select id={id} value={value} onChange={(e) => navigate(withParams(location, { range: e.currentTarget.value, cursor: undefined }), { replace: true })}>
        {RANGES.map((r) => (
          <option value={r.id}>{r.label}</option>
        ))}
      </select>
    </label>
  );
}
