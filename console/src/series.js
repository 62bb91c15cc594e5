// Time buckets as the API names them (UTC): days 'YYYY-MM-DD', weeks by their Monday
// 'YYYY-MM-DD', months 'YYYY-MM'. A series gets a bucket for every period of the range, so days
// without sessions show as zero instead of being skipped.

export const PERIODS = {
  day: { attribute: 'session_uploadedon_day', label: 'Day' },
  week: { attribute: 'session_uploaded_week', label: 'Week' },
  month: { attribute: 'session_uploaded_month', label: 'Month' },
};

const DAY = 86400000;

function isoDay(ms) {
  return new Date(ms).toISOString().slice(0, 10);
}

export function bucketOf(period, ms) {
  if (period === 'month') return isoDay(ms).slice(0, 7);
  if (period === 'week') {
    const day = Math.floor(ms / DAY);
    return isoDay((day - ((day + 3) % 7)) * DAY); // 1970-01-01 was a Thursday
  }
  return isoDay(ms);
}

/** Every bucket from the one holding `lower` to the one holding `upper` (UTC dates 'YYYY-MM-DD'). */
export function buckets(period, lower, upper) {
  const start = Date.parse(`${lower}T00:00:00Z`);
  const end = Date.parse(`${upper}T00:00:00Z`);
  if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) return [];
  const found = [];
  for (let ms = start; ms <= end && found.length < 1000; ms += DAY) {
    const bucket = bucketOf(period, ms);
    if (found[found.length - 1] !== bucket) found.push(bucket);
  }
  return found;
}

/**
 * Rows of a time group_by, one per bucket of the range in order, with rows of buckets outside
 * the range (or an 'other' row) appended in order so no count is hidden.
 */
export function timeSeries(rows, attribute, period, lower, upper) {
  const byBucket = new Map(rows.map((row) => [row[attribute], row]));
  const order = buckets(period, lower, upper);
  const inRange = new Set(order);
  const extra = [...byBucket.keys()].filter((key) => !inRange.has(key)).sort();
  return [...order, ...extra].map((bucket) => ({ bucket, row: byBucket.get(bucket) || null }));
}

/** Today and `days` before it, as UTC dates. */
export function lastDays(days, now = Date.now()) {
  return { lower: isoDay(now - (days - 1) * DAY), upper: isoDay(now) };
}
