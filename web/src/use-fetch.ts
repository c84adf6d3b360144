import { useEffect, useState } from 'preact/hooks';

export interface Fetched<T> {
  data?: T;
  error?: Error;
  loading: boolean;
  /** Fetches again (after a change the page made). */
  reload: () => void;
}

/** Runs `load` when `key` changes, aborting the previous one; keeps the last data while loading. */
export function useFetch<T>(key: string, load: (signal: AbortSignal) => Promise<T>): Fetched<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    load(controller.signal).then(
      (data) => setState({ data, loading: false }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setState((s) => ({ ...s, error: error instanceof Error ? error : new Error(String(error)), loading: false }));
      },
    );
    return () => controller.abort();
    // `key` names what `load` fetches: a new closure with the same key is the same request.
  }, [key, generation]);
  return { ...state, reload: () => setGeneration((g) => g + 1) };
}
