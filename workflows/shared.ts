// Names shared by workflows, activities, the worker and the API: task queue, failure types, search attributes, input types.
export const DEFAULT_TASK_QUEUE = 'reporting';

/** ApplicationFailure types raised on purpose; tests assert on these, not on messages. */
export const FailureType = {
  InvalidInput: 'InvalidInput',
  MailRejected: 'MailRejected',
} as const;

/** Search attributes registered on the embedded dev server (and documented for production namespaces). */
export const SEARCH_ATTRIBUTES = {
  PlanId: 'Keyword',
  Period: 'Keyword',
  AgencyCode: 'Keyword',
  Stage: 'Keyword',
  Status: 'Keyword',
} as const;

export type Lang = 'kk' | 'ru';

/** Text in both official languages; the recipient's language comes first, the other below it. */
export interface BilingualText {
  readonly kk: string;
  readonly ru: string;
}

export interface ScheduledNotificationInput {
  /** Business key: the notification is sent once per key, ever. */
  readonly key: string;
  /** ISO instant; the workflow sleeps until then (already past → sends at once). */
  readonly sendAt: string;
  readonly to: readonly string[];
  readonly lang: Lang;
  readonly subject: BilingualText;
  readonly body: BilingualText;
  /** Who asked for it (user or token name, or "system"). */
  readonly actor: string;
}

export interface ScheduledNotificationResult {
  readonly messageId: string;
  readonly alreadySent: boolean;
}
