// Raises alerts for responders. An alert and the notifications it triggers are written in one
// transaction: a crash cannot keep the alert and lose its webhook or e-mail.
import type { Transaction } from 'kysely';
import type { AlertRepository, NewAlert } from '../store/alerts.js';
import type { AlertRow, Database } from '../store/schema.js';

export interface AlertNotifier {
  alertCreated(alert: AlertRow, trx: Transaction<Database>): Promise<void>;
}

export class AlertRaiser {
  constructor(
    private readonly alerts: AlertRepository,
    private readonly notifier: AlertNotifier,
  ) {}

  /** Creates the alert (or refreshes the one with its key) and queues its notifications once. */
  async raise(trx: Transaction<Database>, alert: NewAlert): Promise<AlertRow> {
    const { alert: row, created } = await this.alerts.raise(alert, new Date(), trx);
    if (created) await this.notifier.alertCreated(row, trx);
    return row;
  }
}
