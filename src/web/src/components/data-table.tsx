// A scrollable table with column headers and, when it has no rows, one row saying so.
import type { ReactNode } from 'react';

export interface Column {
  label: ReactNode;
  numeric?: boolean;
}

export function DataTable(props: {
  columns: readonly (string | Column)[];
  /** Shown as the only row when `isEmpty`. */
  empty: ReactNode;
  isEmpty: boolean;
  children: ReactNode;
  className?: string;
  testId?: string;
  bodyTestId?: string;
  /** Announce added rows to screen readers (tables that refresh on their own). */
  live?: boolean;
}) {
  const columns = props.columns.map((c) => (typeof c === 'string' ? { label: c } : c));
  return (
    <div
      className="table-wrap"
      {...(props.live ? { 'aria-live': 'polite' as const, 'aria-relevant': 'additions' as const } : {})}
    >
      <table className={props.className} data-testid={props.testId}>
        <thead>
          <tr>
            {columns.map((c, i) => (
              <th key={i} scope="col" className={c.numeric ? 'num' : undefined}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody data-testid={props.bodyTestId}>
          {props.isEmpty && (
            <tr>
              <td colSpan={columns.length} className="muted">
                {props.empty}
              </td>
            </tr>
          )}
          {props.children}
        </tbody>
      </table>
    </div>
  );
}
