// The admin HTTP API of a running registry, for `cratekeeper … --server URL`: the token goes in
// the Authorization header as for every admin API client; errors come back as cargo's
// `{"errors":[{"detail"}]}` and are raised with the server's own words.

/** The server refused or did not answer; the incident commands exit 1 on it. */
export class AdminRequestError extends Error {
  override name = 'AdminRequestError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const TIMEOUT_MS = 30_000;

export class AdminClient {
  private readonly base: string;

  constructor(
    server: string,
    private readonly token: string,
  ) {
    let url: URL;
    try {
      url = new URL(server);
    } catch {
      throw new TypeError(
        `--server must be a URL such as http://127.0.0.1:8080, not ${JSON.stringify(server)}`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new TypeError(`--server must be an http or https URL, not ${JSON.stringify(server)}`);
    this.base = url.href.replace(/\/+$/, '');
  }

  get<T>(path: string, query: Record<string, string | undefined> = {}): Promise<T> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, v);
    const qs = q.size ? `?${q.toString()}` : '';
    return this.request<T>('GET', `${path}${qs}`);
  }

  post<T>(path: string, body: Record<string, unknown>): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  delete<T>(path: string, body: Record<string, unknown>): Promise<T> {
    return this.request<T>('DELETE', path, body);
  }

  private async request<T>(method: string, path: string, body?: Record<string, unknown>): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: {
          authorization: this.token,
          accept: 'application/json',
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new AdminRequestError(0, `cannot reach ${this.base}: ${cause}`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      throw new AdminRequestError(
        res.status,
        `${method} ${path}: the server answered ${res.status} with no JSON`,
      );
    }
    if (!res.ok) {
      const detail = (json as { errors?: { detail?: string }[] }).errors?.[0]?.detail;
      throw new AdminRequestError(
        res.status,
        detail ?? `${method} ${path}: the server answered ${res.status}`,
      );
    }
    return json as T;
  }
}

/** Path segments are user input (crate names, logins): encoded so none can change the route. */
export const seg = (s: string) => encodeURIComponent(s);
