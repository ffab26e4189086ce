// One polite live region for the whole console: results of actions are read out by screen
// readers and shown as a short-lived notice.
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';

type Announce = (message: string, tone?: 'ok' | 'error') => void;

const AnnounceContext = createContext<Announce>(() => undefined);

export function AnnounceProvider({ children }: { children: ReactNode }) {
  const [notice, setNotice] = useState<{ message: string; tone: 'ok' | 'error'; n: number } | null>(null);
  const announce = useCallback<Announce>((message, tone = 'ok') => {
    setNotice((prev) => ({ message, tone, n: (prev?.n ?? 0) + 1 }));
  }, []);
  useEffect(() => {
    if (!notice) return;
    const t = window.setTimeout(() => setNotice(null), 8000);
    return () => window.clearTimeout(t);
  }, [notice]);
  return (
    <AnnounceContext.Provider value={announce}>
      {children}
      <div className="notice-region" role="status" aria-live="polite" aria-atomic="true">
        {notice && (
          <p key={notice.n} className={`notice notice-${notice.tone}`}>
            {notice.message}
          </p>
        )}
      </div>
    </AnnounceContext.Provider>
  );
}

export const useAnnounce = (): Announce => useContext(AnnounceContext);
