// Previous/next over an offset-paged list, with the range shown ("21–40 of 1,234").
import { formatCount } from '../format.js';

export function Pager(props: {
  label: string;
  offset: number;
  perPage: number;
  total: number;
  onOffset: (offset: number) => void;
  /** Button words, e.g. Newer/Older for a log shown newest first. */
  words?: [string, string];
}) {
  const { offset, perPage, total, onOffset } = props;
  const [back, forward] = props.words ?? ['Previous', 'Next'];
  if (total <= perPage) return null;
  return (
    <nav className="pager" aria-label={props.label}>
      <button type="button" disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - perPage))}>
        {back}
      </button>
      <span>
        {offset + 1}–{Math.min(offset + perPage, total)} of {formatCount(total)}
      </span>
      <button type="button" disabled={offset + perPage >= total} onClick={() => onOffset(offset + perPage)}>
        {forward}
      </button>
    </nav>
  );
}
