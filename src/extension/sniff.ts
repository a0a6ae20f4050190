// The cheap test that decides whether an opened document is worth scanning at all. It reads only
// the first few KB, so opening an unrelated 40 MB JSON file costs next to nothing. Pure.

/** How much of the start of a document the sniff reads (UTF-16 code units). */
export const SNIFF_LENGTH = 16 * 1024;

// Keys that CloudTrail records, lookup-events output, digests and ECS documents carry near their
// start. Quoted, so prose that merely mentions CloudTrail does not qualify.
const MARKERS = [
  '"eventVersion"',
  '"eventSource"',
  '"eventName"',
  '"CloudTrailEvent"',
  '"digestStartTime"',
  '"event.action"',
  '"event.provider"',
  '"event.dataset"',
];

// `"Records"` or `"event"` alone are common words in other JSON; they count together with a
// second hint. `"event":{... "action"` is how ECS documents exported from Elasticsearch nest it.
const NESTED_ECS = /"event"\s*:\s*\{[^]{0,4000}?"(?:action|provider|dataset)"\s*:/;

/** True when the start of a document looks like CloudTrail records or ECS documents made from them. */
export function looksLikeCloudTrail(head: string): boolean {
  const text = head.length > SNIFF_LENGTH ? head.slice(0, SNIFF_LENGTH) : head;
  // JSON, JSON Lines or a lookup-events dump all start with an object or an array.
  const first = /[^\s\uFEFF]/.exec(text);
  if (!first || (first[0] !== '{' && first[0] !== '[')) return false;
  for (const m of MARKERS) if (text.includes(m)) return true;
  return NESTED_ECS.test(text);
}
