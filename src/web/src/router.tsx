// A small history-API router: the console has a handful of pages, not worth a dependency.
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';
import { href, parseRoute, type Route } from './routes.js';

const listeners = new Set<() => void>();
const notify = () => {
  for (const l of listeners) l();
};
window.addEventListener('popstate', notify);

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const snapshot = () => window.location.pathname + window.location.search;

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  const url = href(path);
  if (url === snapshot()) return;
  if (options.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  notify();
}

/** The current route; re-renders on navigation. */
export function useRoute(): { route: Route; location: string } {
  const location = useSyncExternalStore(subscribe, snapshot);
  const q = location.indexOf('?');
  const route = parseRoute(q < 0 ? location : location.slice(0, q), q < 0 ? '' : location.slice(q));
  return { route, location };
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & { to: string };

/** An ordinary link (so open-in-new-tab works) that navigates in place on a plain click. */
export function Link({ to, onClick, ...rest }: LinkProps) {
  const handle = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return <a href={href(to)} onClick={handle} {...rest} />;
}
