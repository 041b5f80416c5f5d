// Upload limits and formats, and the JSON an import answers with (API and CLI alike).
import type { ImportResult } from '../domain/import/index.js';
import type { UploadFormat } from './import/index.js';

export const UPLOAD_FORMATS: readonly UploadFormat[] = ['yaml', 'json', 'csv', 'adilet', 'xlsx'];
export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

/** The JSON an import answers with (API and CLI alike): the plan's head, each measure in brief, the glossary, the diagnostics. */
export function importSummary(result: ImportResult) {
  return {
    plan:
      result.plan === null
        ? null
        : {
            title: result.plan.title,
            approvedBy: result.plan.approvedBy,
            amendments: result.plan.amendments,
            years: result.plan.years,
            coordinator: result.plan.coordinator,
            policy: result.plan.policy.id,
            sections: result.plan.sections.length,
            ...(result.plan.indicators !== undefined && { indicators: result.plan.indicators }),
          },
    measures: (result.plan?.measures ?? []).map((m) => ({
      number: m.number,
      title: m.title,
      completionForm: m.completionForm,
      recipient: m.recipient,
      executors: m.executors.map((e) => ({ code: e.code, byAgreement: e.byAgreement, lead: e.lead })),
      deadline: { text: m.deadline.text, kind: m.deadline.rule.kind },
      section: m.section,
      // What the reviewer confirms: the columns kept beside the measure, the values inferred, a footnote's reporting.
      ...(m.extra !== undefined && { extra: m.extra }),
      ...(m.inferred !== undefined && { inferred: m.inferred }),
      ...(m.reporting !== undefined && { reporting: m.reporting }),
    })),
    abbreviations: result.abbreviations,
    diagnostics: result.diagnostics,
  };
}
