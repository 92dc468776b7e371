import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PERSONAL_ENVELOPE_FIELDS, PERSONAL_PROPERTY_FIELDS } from '#shared/contract/personal-fields.ts';
import { evaluateConditionGroup, type Condition } from '#shared/domain/conditions.ts';
import { Profile } from '#shared/domain/profile.ts';

/** The profile fields the Profile schema marks personal (`"personal": true` in its metadata). */
const PERSONAL_PROFILE_FIELDS = Object.entries(Profile.shape)
  .filter(([, schema]) => (schema.meta() as { personal?: unknown } | undefined)?.personal === true)
  .map(([name]) => name);

/** Custom events' properties are free-form: names that say they hold personal data count as personal. */
const CUSTOM_PERSONAL_NAMES = ['email', 'billingEmail', 'phone', 'mobile_number', 'firstName', 'last_name', 'fullName', 'postalAddress', 'street', 'birthDate', 'ipAddress'];

/** Every path a rule condition can read a personal value from. */
const PERSONAL_PATHS = [
  ...[...PERSONAL_ENVELOPE_FIELDS].map((name) => ({ path: `event.${name}`, put: (value: string) => ({ event: { [name]: value }, profile: {} }) })),
  ...[...PERSONAL_PROPERTY_FIELDS, ...CUSTOM_PERSONAL_NAMES].map((name) => ({ path: `event.properties.${name}`, put: (value: string) => ({ event: { properties: { [name]: value } }, profile: {} }) })),
  ...PERSONAL_PROFILE_FIELDS.map((name) => ({ path: `profile.${name}`, put: (value: string) => ({ event: {}, profile: { [name]: value } }) })),
];

const conditionFor = (field: string, value: string): fc.Arbitrary<Condition> =>
  fc.constantFrom<Condition>(
    { field, op: 'exists', value: true },
    { field, op: 'equals', value },
    { field, op: 'not_equals', value: 'someone-else' },
    { field, op: 'contains', value: value.slice(0, 2) },
    { field, op: 'in', value: [value] },
    { field, op: 'pattern_match', value: '@' },
  );

describe('personal data in condition results (decision and send records)', () => {
  it('the contract and the profile mark the address and names personal', () => {
    expect(PERSONAL_PROFILE_FIELDS).toEqual(expect.arrayContaining(['email', 'firstName', 'lastName']));
    expect([...PERSONAL_ENVELOPE_FIELDS]).toContain('email');
  });

  it('a condition over any personal field records a marker, never the value, and still decides on the value', () => {
    const value = fc.string({ minLength: 1, maxLength: 20 }).map((s) => `pii-${s}@example.com`);
    const sample = fc.constantFrom(...PERSONAL_PATHS).chain((target) => value.chain((v) => conditionFor(target.path, v).map((condition) => ({ target, v, condition }))));
    fc.assert(
      fc.property(sample, ({ target, v, condition }) => {
        const { results, passed } = evaluateConditionGroup({ all: [condition] }, target.put(v));
        // `expected` is the catalog's own text; what the customer's data contributed is `actual`.
        expect(JSON.stringify(results.map(({ expected: _catalog, ...recorded }) => recorded))).not.toContain(v);
        expect(results[0]!.actual).toBe('[personal]');
        // The comparison itself still sees the value.
        if (condition.op === 'exists' || condition.op === 'equals' || condition.op === 'in') expect(passed).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('an absent personal field is recorded as absent; other fields keep their actual value', () => {
    const absent = evaluateConditionGroup({ all: [{ field: 'profile.email', op: 'exists', value: true }] }, { event: {}, profile: {} });
    expect(absent.results[0]).toMatchObject({ actual: undefined, passed: false });
    const other = evaluateConditionGroup({ all: [{ field: 'profile.emailActivity.sends', op: 'at_least', value: 1 }, { field: 'event.properties.cartValue', op: 'greater_than', value: 50 }] }, { event: { properties: { cartValue: 80 } }, profile: { emailActivity: { sends: 3 } } });
    expect(other.results.map((r) => r.actual)).toEqual([3, 80]);
  });
});
