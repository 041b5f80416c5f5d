// Deadline instants across Kazakhstan's 1 March 2024 change from UTC+6 to UTC+5, straight from the IANA data.
import { describe, expect, it } from 'vitest';
import { endOfLocalDay, localDateOf, localToInstant, offsetMinutesAt, startOfLocalDay } from '../../../domain/tz.js';

const iso = (ms: number): string => new Date(ms).toISOString();

describe('the 2024 time-zone change', () => {
  it('maps a deadline of 10 January 2024 (UTC+6) and of 10 January 2025 (UTC+5) to the right instants', () => {
    expect(iso(endOfLocalDay('2024-01-10'))).toBe('2024-01-10T17:59:59.999Z');
    expect(iso(endOfLocalDay('2025-01-10'))).toBe('2025-01-10T18:59:59.999Z');
  });

  it('reads the offsets from the IANA database', () => {
    expect(offsetMinutesAt(Date.UTC(2024, 1, 29, 17, 59), 'Asia/Almaty')).toBe(360);
    expect(offsetMinutesAt(Date.UTC(2024, 1, 29, 18, 0), 'Asia/Almaty')).toBe(300);
  });

  it('ends 29 February 2024 after its repeated last hour, and starts 1 March right after', () => {
    // At 00:00 on 1 March (UTC+6) clocks went back to 23:00 on 29 February: its last hour happened twice.
    expect(iso(endOfLocalDay('2024-02-29'))).toBe('2024-02-29T18:59:59.999Z');
    expect(iso(startOfLocalDay('2024-03-01'))).toBe('2024-02-29T19:00:00.000Z');
    const repeated = { year: 2024, month: 2, day: 29, hour: 23, minute: 30 };
    expect(iso(localToInstant(repeated, 'Asia/Almaty', 'earlier'))).toBe('2024-02-29T17:30:00.000Z');
    expect(iso(localToInstant(repeated, 'Asia/Almaty', 'later'))).toBe('2024-02-29T18:30:00.000Z');
  });
});

describe('any zone', () => {
  it('pushes a time inside a spring-forward gap past it', () => {
    const inGap = { year: 2024, month: 3, day: 10, hour: 2, minute: 30 };
    expect(iso(localToInstant(inGap, 'America/New_York'))).toBe('2024-03-10T07:30:00.000Z');
  });

  it('tells the local date of an instant', () => {
    expect(localDateOf(Date.UTC(2024, 0, 9, 18, 0))).toBe('2024-01-10');
    expect(localDateOf(Date.UTC(2024, 0, 9, 17, 59))).toBe('2024-01-09');
  });

  it('names an unknown zone', () => {
    expect(() => endOfLocalDay('2024-01-10', 'Asia/Nowhere')).toThrow('Asia/Nowhere');
  });
});
