// Where things sit inside the sandbox, and the canary credentials planted in its fake home.
// The runner builds the sandbox from this layout and the trace interpreter judges paths by it,
// so both agree on what is the build's own output and what is not.

export const SANDBOX = {
  /** The crate under analysis (writable: some build scripts touch their own tree). */
  crate: '/sandbox/crate',
  /** The consumer project generated to build the crate (and invoke its macros). */
  project: '/sandbox/project',
  /** Cargo's target directory, scratch. */
  target: '/sandbox/target',
  /** Dependencies as a cargo directory source, read-only. */
  vendor: '/sandbox/vendor',
  /** Where strace writes its log; nothing else is there. */
  trace: '/sandbox/trace',
  /** node and the DNS sinkhole script (dns-sinkhole.ts), read-only; not traced. */
  runtime: '/opt/cratekeeper',
  /** The Rust toolchain (its sysroot), read-only. */
  toolchain: '/opt/rust',
  /** The fake home directory, with canaries. */
  home: '/home/builder',
  /** cargo's home, inside the fake home as on a developer machine. */
  cargoHome: '/home/builder/.cargo',
  user: 'builder',
} as const;

export interface Canary {
  /** Path relative to the fake home. */
  path: string;
  content: (token: string) => string;
}

/** Files a credential stealer looks for; each holds a per-run token so a leak can be recognised. */
export const CANARY_FILES: readonly Canary[] = [
  {
    path: '.ssh/id_rsa',
    content: (t) =>
      `-----BEGIN OPENSSH PRIVATE KEY-----\nCANARY-${t}-ssh\n-----END OPENSSH PRIVATE KEY-----\n`,
  },
  {
    path: '.aws/credentials',
    content: (t) =>
      `[default]\naws_access_key_id = AKIACANARY${t.slice(0, 10).toUpperCase()}\naws_secret_access_key = CANARY-${t}-aws\n`,
  },
  { path: '.cargo/credentials.toml', content: (t) => `[registry]\ntoken = "CANARY-${t}-cargo"\n` },
  { path: '.config/solana/id.json', content: (t) => `["CANARY-${t}-wallet"]\n` },
  { path: '.git-credentials', content: (t) => `https://builder:CANARY-${t}-git@git.example.invalid\n` },
  {
    path: '.docker/config.json',
    content: (t) => `{"auths":{"registry.example.invalid":{"auth":"CANARY-${t}-docker"}}}\n`,
  },
];

/** Secret-looking environment variables set to canary values. */
export const CANARY_ENV: readonly string[] = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'GITHUB_TOKEN',
  'CARGO_REGISTRY_TOKEN',
  'NPM_TOKEN',
];

export function canaryEnvValue(name: string, token: string): string {
  return `CANARY-${token}-${name.toLowerCase()}`;
}

export function isCanaryPath(path: string): boolean {
  return CANARY_FILES.some((c) => path === `${SANDBOX.home}/${c.path}`);
}
