// Errors the registry reports to cargo. Cargo prints `detail` verbatim after the status,
// so each message says what was wrong and what to do.
export class RegistryError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    /** Extra top-level fields of the error body (e.g. `reauth: true` for the console). */
    readonly extra: Record<string, unknown> = {},
    /** Extra response headers (e.g. Retry-After). */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

export const badRequest = (detail: string) => new RegistryError(400, detail);
export const unauthorized = (detail: string) => new RegistryError(401, detail);
export const forbidden = (detail: string) => new RegistryError(403, detail);
export const notFound = (detail: string) => new RegistryError(404, detail);
export const conflict = (detail: string) => new RegistryError(409, detail);
export const tooLarge = (detail: string) => new RegistryError(413, detail);

/** The body cargo understands: `{"errors":[{"detail":"…"}]}`. */
export function errorBody(
  detail: string,
  extra: Record<string, unknown> = {},
): { errors: { detail: string }[] } {
  return { ...extra, errors: [{ detail }] };
}
