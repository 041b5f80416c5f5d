// Demo data for a newcomer's first `npm start`: the real plans of seeds 000 and 002, confirmed, demo contacts, and a user for each role.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { listAgencies, upsertAgency } from '../db/repositories/agencies.js';
import { appendEvent, listEvents } from '../db/repositories/events.js';
import { confirmPlanCommand } from '../db/commands/plans.js';
import { countPlans, createDraft } from '../db/repositories/plans.js';
import { bindUserToPlan, createUser, generatePassword } from '../db/repositories/users.js';
import { hasErrors, importPlan } from '../domain/import/index.js';
import { buildLivingDemoPlan, type DemoObligation } from '../domain/living-demo.js';
import type { Agency, Plan } from '../domain/plan.js';
import { applyMetadata, type ImportMetadata } from '../domain/import/metadata.js';

interface DemoPlan {
  readonly file: string;
  /** What the published text does not state; for the demo only, and said so in the plan's title note. */
  readonly metadata?: ImportMetadata;
  /**
   * The plan's title in Russian: the seeds carry only the Kazakh text, so without it Russian pages would show the Kazakh title.
   * 000: the official Russian title of decree № 580; 002 (a bare table, no act): a translation made for the demo.
   */
  readonly titleRu: string;
  readonly coordinatorUser: string;
}

// Codes neither plan's glossary nor the directory defines, and bodies that are no agency (NGOs, "religious associations").
// The importer does not guess; the demo answers as a reviewer would, and each answer is an info diagnostic on the plan:
// "ПМ" (31 rows, all on penal-system and police work) is read as the Interior Ministry; the rest owe no report here.
const DEMO_MAP = { ПМ: 'ІІМ' };
const DEMO_000_UNRESOLVED = [
  'ИМ',
  'Қазақстанның Азаматтық альянсы',
  'діни бірлестіктер',
  'Ғылым комитетінің Философия, саясаттану және дінтану институты',
];
const DEMO_002_UNRESOLVED = ['ИМ', 'ПИК', 'көлік ұйымдарымен', '«Бөбек»', 'мүдделі қоғамдық ұйымдар', '«Өрлеу»'];

const DEMO_PLANS: readonly DemoPlan[] = [
  {
    file: '000_154aa3237ae338bf.txt',
    metadata: { map: DEMO_MAP, ignore: DEMO_000_UNRESOLVED },
    titleRu:
      'План мероприятий по реализации Концепции государственной политики в религиозной сфере Республики Казахстан на 2017 – 2020 годы',
    coordinatorUser: 'akdm.coordinator',
  },
  // Seed 002 is a bare table: it names no approving act and no coordinating body. For the demo, the body leading most
  // of its measures (БҒМ, whose committee protects children's rights) coordinates, and the act is marked as not stated.
  {
    file: '002_e7a38657bed497b0.txt',
    metadata: {
      coordinator: 'БҒМ',
      approvedBy: {
        issuer: 'Ведомствоаралық жоспар (демо: бекіткен акт мәтінде көрсетілмеген)',
        number: 'демо-002',
        date: '2019-01-01',
      },
      years: { from: 2019, to: 2023 },
      map: DEMO_MAP,
      ignore: DEMO_002_UNRESOLVED,
    },
    titleRu:
      'Межведомственный план действий по предупреждению и профилактике преступлений против половой неприкосновенности несовершеннолетних, бытового насилия и жестокого обращения с детьми на 2019–2023 годы',
    coordinatorUser: 'bgm.coordinator',
  },
];

const LATIN: Readonly<Record<string, string>> = {
  а: 'a',
  ә: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  ғ: 'g',
  д: 'd',
  е: 'e',
  ё: 'e',
  ж: 'zh',
  з: 'z',
  и: 'i',
  й: 'i',
  к: 'k',
  қ: 'q',
  л: 'l',
  м: 'm',
  н: 'n',
  ң: 'n',
  о: 'o',
  ө: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ұ: 'u',
  ү: 'u',
  ф: 'f',
  х: 'h',
  һ: 'h',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'sh',
  ъ: '',
  ы: 'y',
  і: 'i',
  ь: '',
  э: 'e',
  ю: 'iu',
  я: 'ia',
};

/** "Ақмола облысы" → "aqmola-oblysy": a mailbox name for the demo sink. */
export function demoMailbox(code: string): string {
  return (
    [...code.toLowerCase()]
      .map((ch) => LATIN[ch] ?? (/[a-z0-9]/.test(ch) ? ch : '-'))
      .join('')
      .replace(/-+/g, '-')
      .replace(/^-|-$/g, '') || 'agency'
  );
}

/** What the living demo is built from once the worker runs: seed 000's plan as imported, and the coordinator who reviews it. */
export interface LivingDemoSeed {
  readonly base: Plan;
  readonly coordinatorUserId: string;
}

/** The living demo's plan, confirmed; worker/living-demo.ts opens its cycle and drives it. */
export interface LivingDemo {
  readonly planId: string;
  readonly period: string;
  readonly noticeAt: string;
  readonly obligations: readonly DemoObligation[];
}

export interface DemoReport {
  readonly plans: readonly { readonly id: string; readonly file: string; readonly measures: number }[];
  readonly usersFile: string | undefined;
  /** Absent when the demo was loaded before, or seed 000 did not load. */
  readonly living?: LivingDemoSeed;
  /** Usernames of the demo users (passwords are in usersFile). */
  readonly users?: readonly string[];
}

export interface DemoOptions {
  readonly seedsDir: string;
  readonly dataDir: string;
  readonly log: (l: string) => void;
}

/** Loads the demo once, on a database without plans; returns what it did (nothing when there are plans or no seeds). */
export async function loadDemoData(db: Kysely<Database>, opts: DemoOptions): Promise<DemoReport> {
  // Once per database, even if a plan failed to load: a restart must not try again over what is there.
  if ((await countPlans(db)) > 0 || (await listEvents(db, { type: 'demo.loaded', limit: 1 })).length > 0)
    return { plans: [], usersFile: undefined };
  if (!DEMO_PLANS.every((p) => existsSync(join(opts.seedsDir, p.file)))) {
    opts.log(`Demo plans not loaded: seed files not found in ${opts.seedsDir}`);
    return { plans: [], usersFile: undefined };
  }
  await giveDemoContacts(db);
  const directory = await listAgencies(db);
  const passwords: string[] = [];
  const plans: { id: string; file: string; measures: number }[] = [];
  const users: string[] = [];
  let living: LivingDemoSeed | undefined;
  for (const demo of DEMO_PLANS) {
    const text = readFileSync(join(opts.seedsDir, demo.file), 'utf8');
    const imported = importPlan({ format: 'adilet', text }, { directory });
    const withMeta = demo.metadata === undefined ? imported : applyMetadata(imported, demo.metadata, directory);
    // The Russian title the Kazakh text does not carry, so that Russian pages name the plan in Russian.
    const result =
      withMeta.plan === null || (withMeta.plan.title.ru ?? '') !== ''
        ? withMeta
        : { ...withMeta, plan: { ...withMeta.plan, title: { ...withMeta.plan.title, ru: demo.titleRu } } };
    if (hasErrors(result)) {
      const errors = result.diagnostics.filter((d) => d.severity === 'error');
      opts.log(
        `Demo plan ${demo.file} not loaded: ${errors.length} import error(s), first: ${errors[0]?.message ?? 'no plan'}`,
      );
      continue;
    }
    const id = await db.transaction().execute(async (trx) => {
      const draft = await createDraft(trx, {
        plan: result.plan!,
        diagnostics: result.diagnostics,
        sourceFormat: 'adilet',
        sourceName: demo.file,
        createdBy: 'demo',
      });
      await confirmPlanCommand(trx, { id: draft, actor: 'demo', payload: { demo: true, file: demo.file } });
      return draft;
    });
    const coordinator = result.plan!.coordinator;
    const password = generatePassword();
    const user = await createUser(db, {
      username: demo.coordinatorUser,
      displayName: `${coordinator} үйлестіруші (демо)`,
      role: 'coordinator',
      agencyCode: coordinator,
      password,
    });
    await bindUserToPlan(db, user.id, id);
    passwords.push(`${demo.coordinatorUser}\tcoordinator of ${demo.file} (${coordinator})\t${password}`);
    users.push(demo.coordinatorUser);
    plans.push({ id, file: demo.file, measures: result.plan!.measures.length });
    // The living demo's plan is built later, when the worker runs (createLivingDemo): its notices are timed from then.
    if (demo === DEMO_PLANS[0]) living = { base: result.plan!, coordinatorUserId: user.id };
  }
  for (const u of [
    {
      username: 'pm.office',
      displayName: 'Премьер-Министрдің Кеңсесі (демо)',
      role: 'pm_office' as const,
      agencyCode: 'ПМК',
    },
    { username: 'bgm.reporter', displayName: 'БҒМ есеп беруші (демо)', role: 'reporter' as const, agencyCode: 'БҒМ' },
    {
      username: 'almaty.reporter',
      displayName: 'Алматы қаласы әкімдігі (демо)',
      role: 'reporter' as const,
      agencyCode: 'Алматы',
    },
  ]) {
    const password = generatePassword();
    await createUser(db, { ...u, lang: 'kk', password });
    passwords.push(`${u.username}\t${u.role} (${u.agencyCode})\t${password}`);
    users.push(u.username);
  }
  await appendEvent(db, {
    idempotencyKey: 'demo.loaded',
    type: 'demo.loaded',
    actor: 'demo',
    payload: { plans, users },
  });
  const usersFile = join(opts.dataDir, 'demo-users.txt');
  writeFileSync(usersFile, `# Demo users (username, role, password). Local demo only.\n${passwords.join('\n')}\n`, {
    mode: 0o600,
  });
  return { plans, usersFile, users, ...(living === undefined ? {} : { living }) };
}

/**
 * Creates and confirms the living demo's plan (seed 000's measures dated around now, domain/living-demo.ts), bound to the
 * coordinator who reviews it, once per database. Called when the worker is running, so the notices `leadMs` ahead are
 * planned before they fall due.
 */
export async function createLivingDemo(
  db: Kysely<Database>,
  seed: LivingDemoSeed,
  opts: { now?: number; leadMs: number },
): Promise<LivingDemo | undefined> {
  if ((await listEvents(db, { type: 'demo.living.created', limit: 1 })).length > 0) return undefined;
  const built = buildLivingDemoPlan(seed.base, { now: opts.now ?? Date.now(), leadMs: opts.leadMs });
  // One transaction, as the other demo plans are loaded: a start stopped half-way leaves nothing, and the next start tries again.
  const id = await db.transaction().execute(async (trx) => {
    const draft = await createDraft(trx, {
      plan: built.plan,
      diagnostics: [],
      sourceFormat: 'json',
      sourceName: 'living-demo (000)',
      createdBy: 'demo',
    });
    await confirmPlanCommand(trx, {
      id: draft,
      actor: 'demo',
      payload: { demo: true, living: true, period: built.period, noticeAt: built.noticeAt },
    });
    await bindUserToPlan(trx, seed.coordinatorUserId, draft);
    await appendEvent(trx, {
      idempotencyKey: 'demo.living.created',
      type: 'demo.living.created',
      actor: 'demo',
      subjectType: 'plan',
      subjectId: draft,
      payload: { period: built.period },
    });
    return draft;
  });
  return { planId: id, period: built.period, noticeAt: built.noticeAt, obligations: built.obligations };
}

/** Every agency without a contact gets a demo mailbox, so reminders have somewhere to go (the local SMTP sink). */
async function giveDemoContacts(db: Kysely<Database>): Promise<void> {
  for (const agency of await listAgencies(db)) {
    if (agency.contacts.length > 0) continue;
    const box = demoMailbox(agency.code);
    const contacts: Agency['contacts'] = [
      { role: 'reporter', email: `${box}@demo.merzim.kz`, name: 'Есеп беруші / Ответственный за отчёт' },
      { role: 'head', email: `${box}.head@demo.merzim.kz`, name: 'Басшы / Руководитель' },
    ];
    await upsertAgency(db, { ...agency, contacts });
  }
}
