// Tells people about new alerts at or above a severity: a JSON POST to a webhook (signed
// with HMAC-SHA256 when a secret is set) and e-mail over SMTP. Each delivery is its own job,
// so a failing one retries with backoff without re-sending the other.
import { createHmac } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { AlertRepository } from '../store/alerts.js';
import { severityRank } from '../store/alerts.js';
import type { JobQueue } from '../store/jobs.js';
import type { Transaction } from 'kysely';
import type { AlertSeverity, Database } from '../store/schema.js';
import type { Worker } from './worker.js';

export interface NotificationConfig {
  minSeverity: AlertSeverity;
  webhook: { url: string; secret: string | null } | null;
  email: {
    host: string;
    port: number;
    secure: boolean;
    from: string;
    to: string[];
    user: string | null;
    pass: string | null;
  } | null;
  /** Base URL of the console, for links in messages. */
  consoleUrl: () => string;
}

export function defaultNotificationConfig(
  consoleUrl: () => string = () => 'http://127.0.0.1:8080/console',
): NotificationConfig {
  return { minSeverity: 'high', webhook: null, email: null, consoleUrl };
}

const SEVERITIES: readonly AlertSeverity[] = ['info', 'low', 'medium', 'high', 'critical'];

/** Reads `[notifications]` (and `[notifications.email]`) of the config file. */
export function notificationConfigFrom(
  table: Record<string, unknown>,
  consoleUrl: () => string,
): NotificationConfig {
  const n = (table.notifications ?? {}) as Record<string, unknown>;
  if (typeof n !== 'object' || n === null || Array.isArray(n))
    throw new Error('[notifications] must be a table');
  const config = defaultNotificationConfig(consoleUrl);
  if (n.min_severity !== undefined) {
    if (!SEVERITIES.includes(n.min_severity as AlertSeverity))
      throw new Error(
        `[notifications] min_severity must be one of ${SEVERITIES.join(', ')}, not ${JSON.stringify(n.min_severity)}`,
      );
    config.minSeverity = n.min_severity as AlertSeverity;
  }
  if (n.webhook_url !== undefined) {
    if (typeof n.webhook_url !== 'string' || !/^https?:\/\//.test(n.webhook_url))
      throw new Error(`[notifications] webhook_url must be an http(s) URL, not ${JSON.stringify(n.webhook_url)}`);
    config.webhook = {
      url: n.webhook_url,
      secret: typeof n.webhook_secret === 'string' ? n.webhook_secret : null,
    };
  }
  const e = n.email as Record<string, unknown> | undefined;
  if (e !== undefined) {
    const to = Array.isArray(e.to) ? e.to : [e.to];
    if (
      typeof e.host !== 'string' ||
      typeof e.from !== 'string' ||
      to.some((t) => typeof t !== 'string') ||
      to.length === 0
    ) {
      throw new Error('[notifications.email] needs host, from and to');
    }
    config.email = {
      host: e.host,
      port: typeof e.port === 'number' ? e.port : 25,
      secure: e.secure === true,
      from: e.from,
      to: to as string[],
      user: typeof e.user === 'string' ? e.user : null,
      pass: typeof e.password === 'string' ? e.password : null,
    };
  }
  return config;
}

interface NotifyJob {
  alertId: number;
}

export class Notifier {
  constructor(
    private readonly config: NotificationConfig,
    private readonly queue: JobQueue,
    private readonly alerts: AlertRepository,
  ) {}

  /** Queues deliveries for a new alert that is severe enough, in the alert's transaction. */
  async alertCreated(
    alert: { id: number; severity: AlertSeverity },
    trx: Transaction<Database>,
  ): Promise<void> {
    if (severityRank(alert.severity) < severityRank(this.config.minSeverity)) return;
    const job = { alertId: alert.id } satisfies NotifyJob;
    if (this.config.webhook) await this.queue.enqueue('notify-webhook', job, { maxAttempts: 8 }, trx);
    if (this.config.email) await this.queue.enqueue('notify-email', job, { maxAttempts: 8 }, trx);
  }

  register(worker: Worker): void {
    worker.handle('notify-webhook', (p) => this.sendWebhook(p as NotifyJob));
    worker.handle('notify-email', (p) => this.sendEmail(p as NotifyJob));
  }

  private async message(alertId: number) {
    const alert = await this.alerts.get(alertId);
    if (!alert) return null;
    return {
      event: 'alert.created',
      alert: {
        id: alert.id,
        kind: alert.kind,
        severity: alert.severity,
        crate: alert.crate_name,
        version: alert.version,
        title: alert.title,
        score: alert.score,
        created_at: alert.created_at,
        url: `${this.config.consoleUrl()}/alerts/${alert.id}`,
      },
    };
  }

  private async sendWebhook(job: NotifyJob): Promise<void> {
    const hook = this.config.webhook;
    const body = await this.message(job.alertId);
    if (!hook || !body) return;
    const json = JSON.stringify(body);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'cratekeeper',
    };
    if (hook.secret)
      headers['x-cratekeeper-signature'] =
        `sha256=${createHmac('sha256', hook.secret).update(json).digest('hex')}`;
    const res = await fetch(hook.url, {
      method: 'POST',
      headers,
      body: json,
      signal: AbortSignal.timeout(10_000),
      redirect: 'error',
    });
    if (!res.ok) throw new Error(`webhook answered ${res.status}`);
  }

  private async sendEmail(job: NotifyJob): Promise<void> {
    const mail = this.config.email;
    const body = await this.message(job.alertId);
    if (!mail || !body) return;
    const transport = nodemailer.createTransport({
      host: mail.host,
      port: mail.port,
      secure: mail.secure,
      ...(mail.user ? { auth: { user: mail.user, pass: mail.pass ?? '' } } : {}),
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
    const a = body.alert;
    await transport.sendMail({
      from: mail.from,
      to: mail.to,
      subject: `[cratekeeper] ${a.severity.toUpperCase()} ${a.kind} alert: ${a.crate}${a.version ? `@${a.version}` : ''}`,
      text: `${a.title}\n\nSeverity: ${a.severity}\nKind: ${a.kind}\nCrate: ${a.crate}${a.version ? `@${a.version}` : ''}\nRaised: ${a.created_at}\n\nOpen it in the console: ${a.url}\n`,
    });
    transport.close();
  }
}
