// Schemas every resource shares: the one error shape, "ok", ids, dates and texts; the types come from the same source (Static).
import { Type, type Static, type TSchema } from '@fastify/type-provider-typebox';

/** The one error body of the API (api/errors.ts): a stable machine code and a message naming the field, row or line. */
export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable machine code, e.g. invalid_request, not_found, conflict' }),
      message: Type.String(),
      limit: Type.Optional(
        Type.String({
          description:
            'archive_too_large only: the limit the upload went over (entries, entry_size, total_size, ratio, declared_size, rows, cells)',
        }),
      ),
    }),
  },
  { description: 'What went wrong; 5xx details stay in the log' },
);
export type ErrorBody = Static<typeof ErrorBody>;

/** Statuses every authenticated route may answer: a bad request (schema), no or a bad token, a role that may not, an internal error. */
const AUTHENTICATED_ERRORS = [400, 401, 403, 500] as const;
type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 503;

/** The error responses of a route: the ones every authenticated route has plus the route's own. */
export function errors<S extends ErrorStatus>(
  ...extra: S[]
): Record<(typeof AUTHENTICATED_ERRORS)[number] | S, typeof ErrorBody> {
  const statuses = [...new Set<number>([...AUTHENTICATED_ERRORS, ...extra])].sort();
  return Object.fromEntries(statuses.map((s) => [s, ErrorBody])) as Record<
    (typeof AUTHENTICATED_ERRORS)[number] | S,
    typeof ErrorBody
  >;
}

/** The error responses of a public route (no 401/403). */
export function publicErrors<S extends ErrorStatus>(...extra: S[]): Record<400 | 500 | S, typeof ErrorBody> {
  return Object.fromEntries([...new Set<number>([400, 500, ...extra])].sort().map((s) => [s, ErrorBody])) as Record<
    400 | 500 | S,
    typeof ErrorBody
  >;
}

export const Ok = Type.Object({ ok: Type.Literal(true) });

export const Uuid = Type.String({ format: 'uuid' });
export const IsoDate = Type.String({ format: 'date', description: 'A calendar day, YYYY-MM-DD (Asia/Almaty)' });
/** An instant: handlers may return a Date (serialized as ISO 8601) or the ISO string itself. */
export const DateTime = Type.Unsafe<Date | string>(Type.String({ format: 'date-time' }));
export const NullableDateTime = Type.Unsafe<Date | string | null>(
  Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
);
/** A reporting period: 2019, 2019-H1, 2019-Q3 or 2019-07 (domain/periods.ts PERIOD_KEY). */
export const PeriodKey = Type.String({
  pattern: '^\\d{4}(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?$',
  description: 'A period: 2019, 2019-H1, 2019-Q3, 2019-07',
});

/** One of fixed strings: {type: string, enum} in JSON Schema (clear in OpenAPI and in error messages), the union as its type. */
export const StringEnum = <const T extends readonly string[]>(
  values: T,
  options: { description?: string; default?: T[number] } = {},
) => Type.Unsafe<T[number]>(Type.String({ enum: [...values], ...options }));

export const Lang = StringEnum(['kk', 'ru']);
export const Role = StringEnum(['admin', 'coordinator', 'pm_office', 'reporter']);

export const nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
/** An array whose static type is readonly, as the domain's arrays are (so a domain value is its own response body). */
export const List = <T extends TSchema>(
  items: T,
  options: { minItems?: number; maxItems?: number; description?: string } = {},
) => Type.Immutable(Type.Array(items, options));
/** A compile-time check that a schema's type and a domain type describe the same thing. */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** Kazakh and Russian; null where the source lacks one language (never a guess). */
export const BilingualName = Type.Object({ kk: nullable(Type.String()), ru: nullable(Type.String()) });
/** Kazakh, Russian and English (the calendar's reasons). */
export const LocalizedText = Type.Object({ kk: Type.String(), ru: Type.String(), en: Type.String() });

/** A JSON value whose shape belongs to another module (e.g. a workflow's report); passed through whole, never stripped. */
export const OpenObject = (description: string) => Type.Object({}, { additionalProperties: true, description });

/** A file or message in the body, not JSON (sent as a Buffer or a string). */
export const Binary = (description: string) =>
  Type.Unsafe<Buffer | string>(Type.String({ format: 'binary', description }));

export const UuidParams = Type.Object({ id: Uuid });
export type UuidParams = Static<typeof UuidParams>;
