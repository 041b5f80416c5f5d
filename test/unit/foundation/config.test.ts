// Configuration: defaults for the embedded mode, every bad or missing variable named at once, secrets redacted.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactUrl } from '../../../platform/config.js';

describe('loadConfig', () => {
  it('needs nothing in embedded mode and starts its own services', () => {
    const c = loadConfig({}, 'embedded');
    expect(c.temporal.address).toBeUndefined();
    expect(c.databaseUrl).toBeUndefined();
    expect(c.smtpUrl).toBeUndefined();
    expect(c.temporal).toMatchObject({ namespace: 'default', taskQueue: 'reporting', tls: false });
    expect(c.api).toEqual({ host: '127.0.0.1', port: 8080, publicUrl: 'http://127.0.0.1:8080' });
    expect(Object.isFrozen(c.api)).toBe(true);
  });

  it('uses what is configured instead', () => {
    const c = loadConfig(
      {
        TEMPORAL_ADDRESS: 'temporal.gov.kz:7233',
        DATABASE_URL: 'postgres://u:p@db:5432/merzim',
        SMTP_URL: 'smtp://mail:587',
        TEMPORAL_API_KEY: 'k',
      },
      'embedded',
    );
    expect(c.temporal.address).toBe('temporal.gov.kz:7233');
    expect(c.temporal.tls).toBe(true);
    expect(c.databaseUrl).toBe('postgres://u:p@db:5432/merzim');
  });

  it('names every missing variable of a production process', () => {
    try {
      loadConfig({}, 'worker');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems.map((p) => p.split(':')[0])).toEqual([
        'TEMPORAL_ADDRESS',
        'DATABASE_URL',
        'SMTP_URL',
      ]);
    }
    // The API sends no mail, so it does not need SMTP_URL.
    expect(() => loadConfig({ TEMPORAL_ADDRESS: 't:7233', DATABASE_URL: 'postgres://db/m' }, 'api')).not.toThrow();
  });

  it.each([
    ['PORT', '0', 'TCP port'],
    ['PORT', '80a', 'TCP port'],
    ['DATABASE_URL', 'mysql://x/y', 'postgres: or postgresql:'],
    ['DATABASE_URL', 'not a url', 'not a valid URL'],
    ['SMTP_URL', 'http://mail', 'smtp: or smtps:'],
    ['TEMPORAL_ADDRESS', 'no-port', 'host:port'],
    ['TEMPORAL_TLS', 'maybe', 'true or false'],
    ['LOG_LEVEL', 'loud', 'one of'],
    ['MERZIM_NOTICE_TIME', '9:00', 'HH:MM'],
    ['MERZIM_NOTICE_TIME', '24:00', 'HH:MM'],
    ['MERZIM_STICKY_TIMEOUT_S', '0', 'whole seconds 1–3600'],
    ['MERZIM_STICKY_TIMEOUT_S', '1.5', 'whole seconds 1–3600'],
    ['MIGRATION_DATABASE_URL', 'mysql://x/y', 'postgres: or postgresql:'],
  ])('%s=%s is refused with a message naming it', (name, value, expected) => {
    expect(() => loadConfig({ [name]: value }, 'embedded')).toThrow(
      new RegExp(`${name}: .*${expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
    );
  });

  it('reads where evidence files go and their limits (a directory under the data directory, 25 MB and 200 MB)', () => {
    expect(loadConfig({ MERZIM_DATA_DIR: '/srv/merzim' }, 'embedded').evidence).toEqual({
      store: 'dir',
      dir: '/srv/merzim/evidence',
      maxFileBytes: 25 * 1024 * 1024,
      maxReportBytes: 200 * 1024 * 1024,
    });
    const pg = loadConfig(
      { MERZIM_EVIDENCE_STORE: 'pg', MERZIM_EVIDENCE_MAX_FILE_MB: '0.5', MERZIM_EVIDENCE_MAX_REPORT_MB: '10' },
      'embedded',
    );
    expect(pg.evidence).toMatchObject({ store: 'pg', maxFileBytes: 512 * 1024, maxReportBytes: 10 * 1024 * 1024 });
    try {
      loadConfig({ MERZIM_EVIDENCE_STORE: 's3', MERZIM_EVIDENCE_MAX_FILE_MB: '-1' }, 'embedded');
      expect.unreachable();
    } catch (err) {
      expect((err as ConfigError).problems.map((p) => p.split(':')[0])).toEqual([
        'MERZIM_EVIDENCE_STORE',
        'MERZIM_EVIDENCE_MAX_FILE_MB',
      ]);
    }
  });

  it('takes the Temporal web UI to link to from MERZIM_TEMPORAL_UI_URL, none when unset, and refuses a non-HTTP one', () => {
    expect(loadConfig({}, 'cli').temporalUiUrl).toBeUndefined();
    expect(loadConfig({ MERZIM_TEMPORAL_UI_URL: 'https://temporal.gov.kz/ui' }, 'cli').temporalUiUrl).toBe(
      'https://temporal.gov.kz/ui',
    );
    expect(() => loadConfig({ MERZIM_TEMPORAL_UI_URL: 'ftp://x' }, 'cli')).toThrow(/MERZIM_TEMPORAL_UI_URL/);
  });

  it('redacts passwords in URLs and never echoes an unparseable one', () => {
    expect(redactUrl('postgres://merzim:s3cret@db:5432/merzim')).toBe('postgres://merzim:***@db:5432/merzim');
    expect(redactUrl('postgres://db/m')).toBe('postgres://db/m');
    expect(redactUrl('::s3cret::')).not.toContain('s3cret');
  });

  it('does not put a bad URL (which may hold a password) into the error', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres//user:hunter2@db' }, 'embedded')).toThrow(/^(?![\s\S]*hunter2)/);
  });

  it('reads the notice time (09:00 unless MERZIM_NOTICE_TIME says otherwise) and the migration URL', () => {
    expect(loadConfig({}, 'embedded').noticeTime).toEqual({ hour: 9, minute: 0 });
    expect(loadConfig({ MERZIM_NOTICE_TIME: '10:30' }, 'embedded').noticeTime).toEqual({ hour: 10, minute: 30 });
    expect(loadConfig({}, 'embedded').stickyTimeoutSeconds).toBe(30);
    expect(loadConfig({ MERZIM_STICKY_TIMEOUT_S: '300' }, 'embedded').stickyTimeoutSeconds).toBe(300);
    const c = loadConfig(
      { MIGRATION_DATABASE_URL: 'postgres://owner:pw@db/merzim', DATABASE_URL: 'postgres://app:pw@db/merzim' },
      'cli',
    );
    expect([c.migrationDatabaseUrl, c.databaseUrl]).toEqual([
      'postgres://owner:pw@db/merzim',
      'postgres://app:pw@db/merzim',
    ]);
  });

  it('service limits: defaults, read from the environment, and a bad value names its variable', () => {
    expect(loadConfig({}, 'embedded').limits).toEqual({
      ratePerToken: 1200,
      ratePerAddress: 300,
      rateWindowMs: 60_000,
      bodyBytes: 256 * 1024,
      reportBodyBytes: 4096 * 1024,
      planMaxMeasures: 2000,
      planMaxParties: 500,
      backfillMaxPeriods: 10,
    });
    const c = loadConfig(
      { MERZIM_RATE_LIMIT_PER_TOKEN: '0', MERZIM_BODY_LIMIT_KB: '64', MERZIM_BACKFILL_MAX_PERIODS: '4' },
      'embedded',
    );
    expect(c.limits).toMatchObject({ ratePerToken: 0, bodyBytes: 64 * 1024, backfillMaxPeriods: 4 });
    expect(() => loadConfig({ MERZIM_PLAN_MAX_MEASURES: '-1' }, 'embedded')).toThrow(/MERZIM_PLAN_MAX_MEASURES/);
    expect(() => loadConfig({ MERZIM_RATE_LIMIT_WINDOW_S: 'soon' }, 'embedded')).toThrow(/MERZIM_RATE_LIMIT_WINDOW_S/);
  });
});
