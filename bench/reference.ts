// The seed rule's meaning written out by hand, for the peers the engine is compared with
// (JSON.parse + filter, jq). It follows the ECS mapping of DESIGN.md section 3:
//   event.provider  <- eventSource
//   event.action    <- eventName
//   event.outcome   <- "failure" when errorCode or errorMessage holds a non-empty value
// (the integration drops null and empty strings first, so `"errorCode": ""` is still a success).

export const SEED_RULE_ID = 'c1812764-0788-470f-8e74-eb4a14d47573';

export const MIRROR_ACTIONS = [
  'CreateTrafficMirrorFilter',
  'CreateTrafficMirrorFilterRule',
  'CreateTrafficMirrorSession',
  'CreateTrafficMirrorTarget',
] as const;

const ACTIONS = new Set<string>(MIRROR_ACTIONS);

function present(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '';
}

export function referenceMatch(record: unknown): boolean {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return false;
  const r = record as Record<string, unknown>;
  return (
    r.eventSource === 'ec2.amazonaws.com' &&
    typeof r.eventName === 'string' &&
    ACTIONS.has(r.eventName) &&
    !present(r.errorCode) &&
    !present(r.errorMessage)
  );
}

/** The same predicate as a jq `select(...)` body. */
export const JQ_SELECT =
  'select(.eventSource == "ec2.amazonaws.com"' +
  ` and (${MIRROR_ACTIONS.map((a) => `.eventName == "${a}"`).join(' or ')})` +
  ' and ((.errorCode // "") == "") and ((.errorMessage // "") == ""))';
