import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DynamoPersonalData } from '#shared/adapters/dynamo/personal-data-repository.ts';
import { conversionLogPk, DynamoRollups, WRITES_PER_LOGGED_CONVERSION } from '#shared/adapters/dynamo/rollup-repository.ts';
import { expiresAt } from '#shared/adapters/dynamo/ttl.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { conversionLogEntry } from '#shared/domain/reports/rollups.ts';
import { nudgeClient, uniqueId } from './support/nudge-client.ts';

/**
 * The conversion log (`CONVLOG#<day>`, issue 19 item 5) holds customer ids, revenue and touches:
 * it is kept as long as the conversions it logs, and erase and export find every entry of a
 * customer from their id alone, whatever else of theirs has expired (here: no conversion item at
 * all, as after the conversions' own TTL).
 */
describe('the conversion log and a customer’s privacy', () => {
  const nudge = nudgeClient();
  const table = nudge.output('TableName');
  const retentionDays = defaultCatalog.settings.sendRetentionDays;
  const rollups = new DynamoRollups(nudge.documentClient, table, { conversionRetentionDays: retentionDays });
  const personalData = new DynamoPersonalData(nudge.documentClient, table);

  it('every entry of a customer has the conversions’ retention and is found by their id alone, on any days, among other customers’ entries', async () => {
    const when = fc.date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2027-12-31T23:59:59Z'), noInvalidDate: true });
    await fc.assert(
      fc.asyncProperty(fc.array(when, { minLength: 1, maxLength: 6 }), fc.array(when, { maxLength: 3 }), async (theirs, others) => {
        const customerId = uniqueId('convlog');
        const entry = (customer: string, at: Date, i: number) =>
          conversionLogEntry(undefined, { kind: 'conversion', customerId: customer, sendId: `s-${i}`, ruleId: 'r1', orderId: `o-${i}`, convertedAt: at.toISOString(), revenue: 10, touches: [] })!;
        const mine = theirs.map((at, i) => entry(customerId, at, i));
        const neighbours = others.map((at, i) => entry(uniqueId('other'), at, i));
        await rollups.apply({ increments: [], conversions: [...mine, ...neighbours] });

        const items = await personalData.items(customerId, []);
        const logged = items.filter((item) => item.kind === 'conversion_log');
        expect(logged.map((item) => [item.pk, item.sk]).sort()).toEqual(mine.map((e) => [conversionLogPk(e.day), e.id]).sort());
        for (const item of logged) expect(item.ttl).toBe(expiresAt(String(item.convertedAt), retentionDays));
        // The index items live in the customer's partition (so the erase deletes them with the rest) and outlive their entries.
        const refs = items.filter((item) => item.kind === 'conversion_log_ref');
        expect(refs.every((ref) => ref.pk === `C#${customerId}` && Number(ref.ttl) > Number(logged.find((l) => l.sk === ref.logSk)?.ttl))).toBe(true);
        expect(items).toHaveLength(WRITES_PER_LOGGED_CONVERSION * mine.length);

        await personalData.delete(items.map(({ pk, sk }) => ({ pk, sk })));
        expect(await personalData.items(customerId, [])).toEqual([]);
        for (const e of mine) expect((await rollups.conversions(e.day)).filter((c) => c.customerId === customerId)).toEqual([]);
      }),
      { numRuns: 15 },
    );
  }, 120_000);
});
