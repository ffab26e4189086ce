// The fault benchmark's short form (bench/faults.ts runs it for a minute): SIGKILL of a serve
// and of the worker, a PostgreSQL crash-restart and 5 s without the S3 server during mixed traffic; nothing acknowledged
// is lost, nothing runs twice, clients see only retryable errors.
import { describe, expect, it } from 'vitest';
import { faultFailures, runFaultScenario } from '../../bench/_fault-scenario.js';

describe('faults under load (two serve, one worker, PostgreSQL, blobs on S3)', () => {
  it('loses no acknowledged publish, scans every version once and keeps the audit chain', async () => {
    const report = await runFaultScenario({ seconds: 20, publishesPerSecond: 3, readers: 3, entry: 'dist' });
    expect(report.faults).toHaveLength(6);
    expect(report.acknowledged).toBeGreaterThan(10);
    expect(faultFailures(report)).toEqual([]);
  }, 600_000);
});
