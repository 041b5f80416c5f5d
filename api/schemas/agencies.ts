// The agencies directory: one Agency schema for what an admin sends and what everyone reads (domain/plan.ts Agency).
import { Type, type Static } from '@fastify/type-provider-typebox';
import type { Agency as DomainAgency } from '../../domain/plan.js';
import { IsoDate, Lang, List, StringEnum, type Same } from './common.js';

const Name = Type.Object(
  {
    kk: Type.Union([Type.String({ maxLength: 500 }), Type.Null()]),
    ru: Type.Union([Type.String({ maxLength: 500 }), Type.Null()]),
  },
  { additionalProperties: false },
);

export const AgencyKind = StringEnum([
  'ministry',
  'central_body',
  'presidential_body',
  'regional_akimat',
  'city_akimat',
  'ngo_international',
  'pm_office',
  'presidential_administration',
  'other',
]);

export const Agency = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 40 }),
    name: Name,
    kind: AgencyKind,
    byAgreement: Type.Boolean({ description: 'Reports by agreement: reminded, never escalated past the coordinator' }),
    successor: Type.Optional(
      Type.Object(
        { code: Type.String(), date: IsoDate, act: Type.Optional(Type.String()) },
        { additionalProperties: false },
      ),
    ),
    contacts: List(
      Type.Object(
        {
          role: StringEnum(['reporter', 'head', 'coordinator', 'general']),
          email: Type.String({ format: 'email' }),
          name: Type.Optional(Type.String()),
        },
        { additionalProperties: false },
      ),
      {
        maxItems: 50,
        description: 'Personal data: empty unless the caller is an admin, a coordinator or the agency itself',
      },
    ),
    lang: Lang,
    aliases: Type.Optional(List(Type.String({ maxLength: 200 }), { maxItems: 50 })),
    since: Type.Optional(IsoDate),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export type Agency = Static<typeof Agency>;

// The schema and the domain type must describe the same thing (a compile error here means one of them moved).
export const agencyMatchesDomain: Same<Agency, DomainAgency> = true;

export const AgencyList = Type.Object({ items: List(Agency) });
export const CodeParams = Type.Object({ code: Type.String({ minLength: 1, maxLength: 40 }) });
export type CodeParams = Static<typeof CodeParams>;
