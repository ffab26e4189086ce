// A page's heading: sets the document title and takes focus after client-side navigation,
// so keyboard and screen-reader users land at the top of the new page.
import { useEffect, useRef, type ReactNode } from 'react';

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · cratekeeper`;
  }, [title]);
  useEffect(() => {
    // Only after a navigation inside the app, not on first load (the browser decides then).
    if (document.activeElement && document.activeElement !== document.body) ref.current?.focus();
  }, [title]);
  return (
    <div className="page-header">
      <h1 ref={ref} tabIndex={-1}>
        {title}
      </h1>
      {children && <div className="page-header-extra">{children}</div>}
    </div>
  );
}
