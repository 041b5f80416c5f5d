// `merzim plan`: import a plan from a file (as a draft, or --dry-run), list, show and confirm plans.
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { listAgencies } from '../../db/repositories/agencies.js';
import { appendEvent } from '../../db/repositories/events.js';
import { confirmPlanCommand } from '../../db/commands/plans.js';
import { createDraft, getPlan, listPlanPage, PlanStateError } from '../../db/repositories/plans.js';
import { AGENCIES_SEED } from '../../domain/agencies-seed.js';
import { parseColumnMapping } from '../../domain/import/column-mapping.js';
import { hasErrors } from '../../domain/import/index.js';
import { importUpload, type UploadFormat } from '../import/index.js';
import { applyMetadata } from '../../domain/import/metadata.js';
import { importSummary, MAX_UPLOAD_BYTES, UPLOAD_FORMATS } from '../plan-import.js';
import { json, optionalChoice, parseCommandLine, UsageError, type CliCommand, type CliIO } from './command.js';
import { NoDatabase, openCliDatabase } from './database.js';

const USAGE = `usage:
  merzim plan import <file> [--format yaml|json|xlsx|csv|adilet] [--dry-run] [--json]
        [--coordinator <code>] [--act-number <n> --act-date <YYYY-MM-DD> [--act-issuer <text>]] [--years <from>-<to>]
        [--columns number=1,name=2,form=4,deadline=5,executors=6]
      reads a plan; without --dry-run stores it as a draft (nothing is stored when there are errors);
      --columns says which column is which (1-based) where the header does not, or corrects Merzim's guess
  merzim plan list [--status draft|confirmed|repealed] [--json]
  merzim plan show <id> [--json]
  merzim plan confirm <id>`;

async function withDb<T>(fn: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  const db = await openCliDatabase();
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}

async function importCommand(args: readonly string[], io: CliIO): Promise<number> {
  const { positionals, values } = parseCommandLine(args, {
    format: { type: 'string' },
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
    coordinator: { type: 'string' },
    'act-number': { type: 'string' },
    'act-date': { type: 'string' },
    'act-issuer': { type: 'string' },
    years: { type: 'string' },
    columns: { type: 'string' },
  });
  const file = positionals[0];
  if (file === undefined) throw new UsageError('missing <file>');
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new UsageError(`<file>: cannot read ${JSON.stringify(file)}`);
  }
  if (size > MAX_UPLOAD_BYTES) {
    io.err(`${file}: ${(size / 1024 / 1024).toFixed(1)} MB is over the 50 MB limit; nothing was read\n`);
    return 1;
  }
  const format = optionalChoice(values, 'format', UPLOAD_FORMATS) as UploadFormat | undefined;
  const years = typeof values.years === 'string' ? /^(\d{4})-(\d{4})$/.exec(values.years) : null;
  if (typeof values.years === 'string' && years === null) throw new UsageError('--years must look like 2019-2023');
  const dryRun = values['dry-run'] === true;
  const columns = typeof values.columns === 'string' ? parseColumnMapping(values.columns) : undefined;
  if (columns !== undefined && 'error' in columns) throw new UsageError(`--columns: ${columns.error}`);

  let db: Kysely<Database> | undefined;
  try {
    db = await openCliDatabase();
  } catch (err) {
    if (!(err instanceof NoDatabase) || !dryRun) throw err;
    io.err('note: no database reachable; executor codes are resolved against the built-in agencies directory\n');
  }
  try {
    const directory = db === undefined ? AGENCIES_SEED : await listAgencies(db);
    const imported = await importUpload(
      { data: readFileSync(file), filename: basename(file), ...(format === undefined ? {} : { format }) },
      { directory, ...(columns === undefined ? {} : { columns: columns.mapping }) },
    );
    const result = applyMetadata(
      imported,
      {
        ...(typeof values.coordinator === 'string' ? { coordinator: values.coordinator } : {}),
        ...(typeof values['act-number'] === 'string' && typeof values['act-date'] === 'string'
          ? {
              approvedBy: {
                issuer:
                  typeof values['act-issuer'] === 'string' ? values['act-issuer'] : 'Қазақстан Республикасының Үкіметі',
                number: values['act-number'],
                date: values['act-date'],
              },
            }
          : {}),
        ...(years === null ? {} : { years: { from: Number(years[1]), to: Number(years[2]) } }),
      },
      directory,
    );
    const summary = importSummary(result);
    let id: string | undefined;
    if (!dryRun && !hasErrors(result)) {
      id = await createDraft(db!, {
        plan: result.plan!,
        diagnostics: result.diagnostics,
        sourceFormat: format ?? 'detected',
        sourceName: basename(file),
        createdBy: 'cli',
      });
      await appendEvent(db!, {
        idempotencyKey: `plan.imported:${id}`,
        type: 'plan.imported',
        actor: 'cli',
        subjectType: 'plan',
        subjectId: id,
        payload: { filename: basename(file), measures: summary.measures.length },
      });
    }
    if (values.json === true)
      io.out(json({ ...(id === undefined ? {} : { id }), stored: id !== undefined, ...summary }));
    else {
      io.out(
        `${summary.measures.length} measures, ${result.diagnostics.filter((d) => d.severity === 'error').length} errors, ${result.diagnostics.filter((d) => d.severity === 'warning').length} warnings\n`,
      );
      for (const d of result.diagnostics)
        io.out(`  ${d.severity}\t${d.line === undefined ? '' : `line ${d.line}\t`}${d.field ?? ''}\t${d.message}\n`);
      io.out(
        id !== undefined
          ? `stored as draft ${id}: review, then merzim plan confirm ${id}\n`
          : dryRun
            ? 'dry run: nothing stored\n'
            : 'nothing stored: fix the errors first\n',
      );
    }
    return dryRun || id !== undefined ? 0 : 1;
  } finally {
    await db?.destroy();
  }
}

export const planCommand: CliCommand = {
  name: 'plan',
  summary: 'import a plan (decree text, YAML, JSON, CSV, XLSX), list, show, confirm',
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub === 'import') return importCommand(rest, io);
    const { positionals, values } = parseCommandLine(rest, { status: { type: 'string' }, json: { type: 'boolean' } });
    if (sub === 'list') {
      const status = optionalChoice(values, 'status', ['draft', 'confirmed', 'repealed'] as const);
      // The summary columns only (as GET /api/v1/plans), every plan but discarded ones: the CLI is the operator's.
      const plans = await withDb((db) =>
        listPlanPage(db, { scope: { kind: 'all' }, ...(status === undefined ? {} : { status }) }),
      );
      const rows = plans.map((p) => ({
        id: p.id,
        status: p.status,
        version: p.version,
        act: p.act,
        coordinator: p.coordinator,
        measures: p.measures,
        title: p.title,
      }));
      io.out(
        values.json === true
          ? json(rows)
          : rows
              .map(
                (r) =>
                  `${r.id}\t${r.status}\tv${r.version}\t№ ${r.act.number}\t${r.coordinator}\t${r.measures} measures\t${r.title.kk ?? r.title.ru ?? ''}\n`,
              )
              .join(''),
      );
      return 0;
    }
    const id = positionals[0];
    if (sub !== 'show' && sub !== 'confirm')
      throw new UsageError(`unknown subcommand ${JSON.stringify(sub ?? '')} (import, list, show, confirm)`);
    if (id === undefined || !/^[0-9a-f-]{36}$/i.test(id))
      throw new UsageError(`${sub} needs a plan <id> (see plan list)`);
    if (sub === 'show') {
      const plan = await withDb((db) => getPlan(db, id));
      if (plan === undefined) {
        io.err(`no plan ${id}\n`);
        return 1;
      }
      io.out(
        values.json === true
          ? json(plan)
          : `${plan.id} ${plan.status} v${plan.version}: ${plan.plan.title.kk ?? plan.plan.title.ru}\n${plan.plan.measures.length} measures; ${plan.diagnostics.length} diagnostics\n`,
      );
      return 0;
    }
    return withDb(async (db) => {
      try {
        // The schedule follows from the API's or the embedded start's reconciliation (reconcileSchedules).
        await db.transaction().execute((trx) => confirmPlanCommand(trx, { id, actor: 'cli' }));
        io.out(`plan ${id} confirmed\n`);
        return 0;
      } catch (err) {
        if (err instanceof PlanStateError) {
          io.err(`${err.message}\n`);
          return 1;
        }
        throw err;
      }
    });
  },
};
