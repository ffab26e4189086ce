// Loading an API answer into a page: data, error, a reload function, and a refresh interval
// that keeps the old data on screen while the new answer is on its way.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, type QueryValue } from './api.js';

export interface Loaded<T> {
  data: T | null;
  error: Error | null;
  loading: boolean;
  /** When the data on screen arrived. */
  loadedAt: Date | null;
  reload(): void;
}

export function useApi<T>(
  path: string | null,
  query: Record<string, QueryValue> = {},
  options: { refreshMs?: number } = {},
): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: Error | null; loadedAt: Date | null }>({
    data: null,
    error: null,
    loadedAt: null,
  });
  const [loading, setLoading] = useState(path !== null);
  const [nonce, setNonce] = useState(0);
  const key = path === null ? null : `${path}?${JSON.stringify(query)}`;
  const lastKey = useRef<string | null>(null);

  useEffect(() => {
    if (key === null || path === null) {
      // Nothing to ask (an empty search): show nothing rather than the last answer.
      lastKey.current = null;
      setState({ data: null, error: null, loadedAt: null });
      setLoading(false);
      return;
    }
    // A different resource: do not show the previous one's data under the new heading.
    if (lastKey.current !== key) setState({ data: null, error: null, loadedAt: null });
    lastKey.current = key;
    const ctrl = new AbortController();
    setLoading(true);
    api
      .get<T>(path, query, ctrl.signal)
      .then((data) => setState({ data, error: null, loadedAt: new Date() }))
      .catch((err: unknown) => {
        if (ctrl.signal.aborted) return;
        setState((s) => ({ ...s, error: err instanceof Error ? err : new Error(String(err)) }));
      })
      .finally(() => {
        if (!ctrl.signal.aborted) setLoading(false);
      });
    return () => ctrl.abort();
    // `query` is part of `key`, so the effect runs again exactly when the request changes.
  }, [key, nonce]);

  useEffect(() => {
    if (!options.refreshMs || key === null) return;
    const t = window.setInterval(() => setNonce((n) => n + 1), options.refreshMs);
    return () => window.clearInterval(t);
  }, [options.refreshMs, key]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { ...state, loading, reload };
}
