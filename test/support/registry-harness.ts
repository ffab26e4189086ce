// Starts a real registry server on an ephemeral loopback port with a fresh data directory,
// and runs real cargo against it with an isolated CARGO_HOME.
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { defaultRegistryConfig, type RegistryConfigOverrides } from '../../src/registry/config.js';
import { createApp, type App } from '../../src/cli/app.js';
import type { NotificationConfig } from '../../src/jobs/notifications.js';
import { defaultSecurityConfig, type SecurityConfig } from '../../src/jobs/security-pipeline.js';
import { openRegistry, type RegistryServices } from '../../src/registry/services.js';
import type { BlobStore } from '../../src/store/blob-store.js';
import type { DatabaseConfig } from '../../src/store/database.js';
import type { PasswordVerifier } from '../../src/store/sessions.js';
import { DEFAULT_TOKEN_SCOPES, type TokenScope } from '../../src/store/tokens.js';
import { RATE_LIMITED_ACTIONS, type RateLimitSettings } from '../../src/store/rate-limits.js';

const UNLIMITED = Object.fromEntries(
  RATE_LIMITED_ACTIONS.map((a) => [a, { rateMs: 1000, burst: 1_000_000 }]),
) as RateLimitSettings;

export interface Harness {
  dir: string;
  url: string;
  services: RegistryServices;
  app: FastifyInstance;
  pipeline: App['pipeline'];
  worker: App['worker'];
  /** Creates a user (when missing) and a token for it (the registry scopes unless told). */
  token(login: string, scopes?: TokenScope[], cratePatterns?: string[]): Promise<string>;
  close(): Promise<void>;
}

export async function startRegistry(
  opts: {
    config?: RegistryConfigOverrides;
    database?: DatabaseConfig;
    security?: Partial<SecurityConfig>;
    notifications?: NotificationConfig;
    /** Replaces the password check behind console sign-in (tests count its calls). */
    passwordVerifier?: PasswordVerifier;
    /** Log every request (as `serve --log`) to this stream. */
    logStream?: NodeJS.WritableStream;
    /** The blob store (default: the filesystem under the data directory). */
    blobs?: BlobStore;
  } = {},
): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'ck-e2e-'));
  const services = await openRegistry({
    dataDir: join(dir, 'data'),
    config: defaultRegistryConfig({
      ...opts.config,
      // Tests publish and sign in far faster than people do: the real buckets only where a
      // test asks for them (test/e2e/runtime-hardening.test.ts).
      rateLimits: { ...UNLIMITED, ...opts.config?.rateLimits },
    }),
    security: defaultSecurityConfig(opts.security),
    ...(opts.passwordVerifier ? { passwordVerifier: opts.passwordVerifier } : {}),
    ...(opts.notifications ? { notifications: opts.notifications } : {}),
    ...(opts.database ? { database: opts.database } : {}),
    ...(opts.blobs ? { blobs: opts.blobs } : {}),
  });
  const {
    server: app,
    pipeline,
    worker,
  } = createApp(services, opts.logStream ? { logger: true, logStream: opts.logStream } : {});
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  services.config.publicUrl = address;
  return {
    dir,
    url: address,
    services,
    app,
    pipeline,
    worker,
    async token(login, scopes = [...DEFAULT_TOKEN_SCOPES], cratePatterns) {
      const user = (await services.users.findByLogin(login)) ?? (await services.users.create({ login }));
      const { token } = await services.tokens.create({
        userId: user.id,
        name: 'test',
        scopes,
        cratePatterns: cratePatterns ?? null,
      });
      return token;
    },
    async close() {
      await worker.stop();
      await app.close();
      await services.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface CargoResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A cargo workspace dir whose `.cargo/config.toml` names the registry `ck`. */
export class CargoEnv {
  readonly home: string;

  constructor(
    readonly root: string,
    readonly registryUrl: string,
  ) {
    this.home = join(root, 'cargo-home');
  }

  static async create(root: string, registryUrl: string): Promise<CargoEnv> {
    const env = new CargoEnv(root, registryUrl);
    await mkdir(join(root, '.cargo'), { recursive: true });
    await mkdir(env.home, { recursive: true });
    await writeFile(
      join(root, '.cargo', 'config.toml'),
      `[registries.ck]\nindex = "sparse+${registryUrl}/index/"\n\n[net]\nretry = 0\n\n[registry]\nglobal-credential-providers = ["cargo:token"]\n`,
    );
    return env;
  }

  run(args: string[], cwd: string, token?: string | null, timeoutMs = 300_000): Promise<CargoResult> {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      CARGO_HOME: this.home,
      CARGO_TERM_COLOR: 'never',
      CARGO_TERM_PROGRESS_WHEN: 'never',
      CARGO_INCREMENTAL: '0',
      CARGO_TARGET_DIR: join(this.root, 'target'),
    };
    if (process.env.RUSTUP_HOME) env.RUSTUP_HOME = process.env.RUSTUP_HOME;
    if (token) env.CARGO_REGISTRIES_CK_TOKEN = token;
    return new Promise((resolve) => {
      execFile(
        'cargo',
        args,
        { cwd, env, timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024 },
        (err, stdout, stderr) => {
          const code = err
            ? typeof (err as { code?: unknown }).code === 'number'
              ? (err as { code: number }).code
              : 1
            : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }
}

/**
 * Runs cargo until its stderr matches `pattern`, then stops it, as a user presses ctrl-c at
 * cargo's "you may press ctrl-c to skip waiting" once the upload is done.
 */
export function runCargoUntil(
  env: CargoEnv,
  args: string[],
  cwd: string,
  token: string | null,
  pattern: RegExp,
  timeoutMs = 120_000,
): Promise<CargoResult> {
  const childEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CARGO_HOME: env.home,
    CARGO_TERM_COLOR: 'never',
    CARGO_TARGET_DIR: join(env.root, 'target'),
  };
  if (token) childEnv.CARGO_REGISTRIES_CK_TOKEN = token;
  return new Promise((resolve) => {
    const child = spawn('cargo', args, { cwd, env: childEnv });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (pattern.test(stderr)) child.kill('SIGINT');
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: pattern.test(stderr) ? 0 : (code ?? 1), stdout, stderr });
    });
  });
}

/** Writes a small library crate for publishing to `ck`. */
export async function writeCrate(
  dir: string,
  spec: { name: string; version: string; deps?: string; lib?: string; extra?: string },
): Promise<string> {
  const path = join(dir, `${spec.name}-${spec.version}`);
  await mkdir(join(path, 'src'), { recursive: true });
  await writeFile(
    join(path, 'Cargo.toml'),
    `[package]\nname = "${spec.name}"\nversion = "${spec.version}"\nedition = "2021"\n` +
      `description = "test crate ${spec.name}"\nlicense = "MIT OR Apache-2.0"\npublish = ["ck"]\n${spec.extra ?? ''}\n` +
      `[dependencies]\n${spec.deps ?? ''}\n`,
  );
  await writeFile(
    join(path, 'src', 'lib.rs'),
    spec.lib ?? `pub fn name() -> &'static str { "${spec.name}" }\n`,
  );
  return path;
}
