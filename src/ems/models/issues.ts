import type { z } from 'zod';

/** zod's own wording of an issue; a message set in a model never starts like this. */
const ZOD_WORDING = /^(Too small|Too big|Invalid)/;

/**
 * What a request broke, in words: the model's own message where it sets one, else the rule
 * ("must be at least 3", "must have at most 512 items", "must be one of 0, 1", "is required").
 * The gateway (ValidationError fields) and the simulator (EMS.00004000 messages) both use it, so
 * they say the same about one request.
 * @param value the value at the issue's path: absent means the field is missing
 */
export function issueText(issue: z.core.$ZodIssue, value: unknown): string {
  if (!ZOD_WORDING.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type': {
      if (value === undefined) return 'is required';
      const expected = issue.expected === 'int' ? 'integer' : String(issue.expected);
      return `must be ${/^[aeiou]/.test(expected) ? 'an' : 'a'} ${expected}`;
    }
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const bound = small ? issue.minimum : issue.maximum;
      const relation = small ? (issue.inclusive !== false ? 'at least' : 'more than') : issue.inclusive !== false ? 'at most' : 'less than';
      const count = (what: string) => `${String(bound)} ${what}${Number(bound) === 1 ? '' : 's'}`;
      if (issue.origin === 'string') return `must be ${relation} ${count('character')}`;
      if (issue.origin === 'array' || issue.origin === 'set') return `must have ${relation} ${count('item')}`;
      return `must be ${relation} ${String(bound)}`;
    }
    case 'invalid_value':
      return issue.values.length === 1 ? `must be ${JSON.stringify(issue.values[0])}` : `must be one of ${listed(issue.values)}`;
    case 'invalid_union': {
      // A union of literals (e.g. lts_connect_type 0 | 1): name the allowed values.
      const branches = issue.errors.map((branch) => (branch.length === 1 && branch[0]?.code === 'invalid_value' ? branch[0].values : null));
      if (branches.length > 0 && branches.every((values) => values !== null)) return `must be one of ${listed(branches.flat())}`;
      return issue.message;
    }
    default:
      return issue.message;
  }
}

function listed(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}
