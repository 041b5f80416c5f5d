// The working-day calendar: a year's non-working days with reasons and sources, and the entries admins edit.
import { Type, type Static } from '@fastify/type-provider-typebox';
import { CALENDAR_ENTRY_KINDS, type CalendarEntry as DomainCalendarEntry } from '../../domain/calendar.js';
import { IsoDate, List, LocalizedText, StringEnum, nullable, type Same } from './common.js';

const Year = Type.Integer({ minimum: 2000, maximum: 2100 });
const DataStatus = StringEnum(['official', 'provisional']);
const EntryKind = StringEnum(CALENDAR_ENTRY_KINDS as readonly DomainCalendarEntry['kind'][]);
/** Not blank: a name or a source of only spaces says nothing. */
const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: '\\S' });

export const YearQuery = Type.Object({ year: Year }, { additionalProperties: false });
export type YearQuery = Static<typeof YearQuery>;

export const CalendarEntry = Type.Object(
  {
    date: IsoDate,
    kind: EntryKind,
    nameKk: Text(300),
    nameRu: Text(300),
    nameEn: Text(300),
    source: Text(1000),
    relatedDate: Type.Optional(IsoDate),
    movable: Type.Optional(Type.Boolean()),
    status: Type.Optional(DataStatus),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export type CalendarEntry = Static<typeof CalendarEntry>;
export const calendarEntryMatchesDomain: Same<CalendarEntry, DomainCalendarEntry> = true;

export const NonWorkingDay = Type.Object({
  date: IsoDate,
  kind: StringEnum([...CALENDAR_ENTRY_KINDS, 'weekend'] as readonly (DomainCalendarEntry['kind'] | 'weekend')[]),
  reason: LocalizedText,
  source: Type.String(),
  status: DataStatus,
});

export const CalendarYear = Type.Object({
  year: Year,
  status: StringEnum(['official', 'provisional', 'unknown']),
  note: nullable(Type.String()),
  nonWorkingDays: List(NonWorkingDay),
  workingWeekendDays: List(CalendarEntry),
  entries: List(CalendarEntry),
});

export const EntryParams = Type.Object({ date: IsoDate, kind: EntryKind });
export type EntryParams = Static<typeof EntryParams>;
export const YearParams = Type.Object({ year: Year });
export type YearParams = Static<typeof YearParams>;
export const YearBody = Type.Object(
  { status: DataStatus, note: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false },
);
export type YearBody = Static<typeof YearBody>;
