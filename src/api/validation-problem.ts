/** One violation as Ajv reports it (the fields read here). */
interface Violation {
  readonly keyword: string;
  readonly instancePath: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
}

/**
 * What a request that failed its route's schema did wrong: the failing field (`version`,
 * `limit`, `body` for the body as a whole) and a message that says what to send instead.
 */
export function validationProblem(
  violations: readonly Violation[],
  context: string,
): { field: string; message: string } {
  const first = violations[0];
  if (!first) return { field: context, message: `the request ${context} is not valid; fix it and resend` };
  const path = first.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
  if (first.keyword === 'required') path.push(String(first.params.missingProperty));
  if (first.keyword === 'additionalProperties') path.push(String(first.params.additionalProperty));
  const field = path.length === 0 ? context : path.join('.');
  const what = path.length === 0 ? `the ${context}` : `${context} ${field}`;
  return { field, message: `${what} ${expectation(first)}; fix it and resend` };
}

function expectation(violation: Violation): string {
  const { params } = violation;
  switch (violation.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not a known field';
    case 'type':
      return `must be ${article(String(params.type))}`;
    case 'minimum':
      return `must be ≥ ${String(params.limit)}`;
    case 'maximum':
      return `must be ≤ ${String(params.limit)}`;
    case 'exclusiveMinimum':
      return `must be > ${String(params.limit)}`;
    case 'exclusiveMaximum':
      return `must be < ${String(params.limit)}`;
    case 'minLength':
      return params.limit === 1
        ? 'must not be empty'
        : `must have at least ${String(params.limit)} characters`;
    case 'maxLength':
      return `must have at most ${String(params.limit)} characters`;
    case 'pattern':
      return `must match ${String(params.pattern)}`;
    case 'enum':
      return `must be one of ${(params.allowedValues as unknown[]).join(', ')}`;
    default:
      return violation.message ?? 'is not valid';
  }
}

function article(type: string): string {
  if (type === 'integer') return 'a whole number';
  if (type === 'object') return 'a JSON object';
  if (type === 'array') return 'an array';
  return `a ${type}`;
}
