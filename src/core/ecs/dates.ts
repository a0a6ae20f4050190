// The pipeline's `date` processor with `formats: [ISO8601]`: parse, convert to UTC, print as
// yyyy-MM-dd'T'HH:mm:ss.SSSXXX ("2019-10-02T22:12:29.000Z"). A value it cannot parse leaves the
// target unset (the processors run with ignore_failure), e.g. CloudTrail's old basic-format
// session creationDate "20131102T010628Z".

// Extended ISO 8601 only: date, optional time (to nanoseconds, "." or ","), optional zone.
const ISO =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[Tt](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?)?)?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : DAYS[month - 1];
}

const digit = (s: string, i: number): number => {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -100; // poisons the sum when not a digit
};
const two = (s: string, i: number): number => digit(s, i) * 10 + digit(s, i + 1);

/** Elasticsearch's rendering of an ISO 8601 date string, or undefined when the processor would fail. */
export function esIsoDate(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 64) return undefined;
  // Fast path: CloudTrail's own form, yyyy-MM-ddTHH:mm:ssZ, is already UTC to the second.
  if (value.length === 20 && value[4] === '-' && value[7] === '-' && value[10] === 'T' && value[13] === ':' && value[16] === ':' && value[19] === 'Z') {
    const year = two(value, 0) * 100 + two(value, 2);
    const month = two(value, 5);
    const day = two(value, 8);
    const hour = two(value, 11);
    const minute = two(value, 14);
    const second = two(value, 17);
    if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
      return undefined;
    }
    return day <= daysIn(year, month) ? value.slice(0, 19) + '.000Z' : undefined;
  }
  const m = ISO.exec(value);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = m[2] === undefined ? 1 : Number(m[2]);
  const day = m[3] === undefined ? 1 : Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millis = m[7] === undefined ? 0 : Number(m[7].padEnd(9, '0').slice(0, 3)); // .SSS truncates
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  // A zone without a time ("2019-10-02Z") is not ISO 8601's shape; the time must come first.
  if ((m[8] !== undefined || m[9] !== undefined) && m[4] === undefined) return undefined;
  let offsetMinutes = 0;
  if (m[9] !== undefined) {
    const oh = Number(m[10]);
    const om = m[11] === undefined ? 0 : Number(m[11]);
    if (oh > 18 || om > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute - offsetMinutes, second, millis);
  const t = date.getTime();
  if (!Number.isFinite(t)) return undefined;
  const y = date.getUTCFullYear();
  if (y < 0 || y > 9999) return undefined;
  return (
    `${pad(y, 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}T` +
    `${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}.` +
    `${pad(date.getUTCMilliseconds(), 3)}Z`
  );
}
