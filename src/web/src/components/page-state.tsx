// What a page shows while its data loads or when loading failed.
import { ApiError } from '../api.js';

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

export function ErrorMessage({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  const status = error instanceof ApiError ? error.status : null;
  return (
    <div className="error-box" role="alert">
      <p>
        {status === 404 ? 'Not found: ' : 'Could not load this: '}
        {error.message}
      </p>
      {onRetry && status !== 404 && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
