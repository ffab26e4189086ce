// The signed-in administrator, shared by every page.
import { createContext, useContext } from 'react';
import type { SessionUser } from './api-types.js';

export interface Session {
  user: SessionUser;
  signOut(): Promise<void>;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in console');
  return s;
}
