/**
 * Key builders for the single table (pk, sk). Everything of one customer shares a partition, so
 * `nudge erase` and exports are one Query, and no item of theirs can be missed.
 */
export const customerPk = (customerId: string): string => `C#${customerId}`;
export const PROFILE_SK = 'PROFILE';
export const cooldownSk = (ruleId: string): string => `COOLDOWN#${ruleId}`;
/** A frequency cap: `rule:<ruleId>` or `global` (the per-customer marketing cap). */
export const capSk = (scope: string): string => `CAP#${scope}`;
export const decisionSk = (occurredAt: string, ruleId: string, eventDigest: string): string => `DEC#${occurredAt}#${ruleId}#${eventDigest}`;
export const sendSk = (sendId: string): string => `SEND#${sendId}`;
/** A conversion a send earned: one item per order (or purchase event) under the customer. */
export const conversionSk = (sendId: string, orderKey: string): string => `CONV#${sendId}#${orderKey}`;

/** The latest run of a nurture sequence for the customer (sequence-runs.ts). */
export const SEQUENCE_RUN_PREFIX = 'SEQRUN#';
export const sequenceRunSk = (sequenceId: string): string => `${SEQUENCE_RUN_PREFIX}${sequenceId}`;

/** The suppression list: one item per hashed address (see suppression-repository.ts). */
export const suppressionPk = (addressHash: string): string => `SUP#${addressHash}`;
export const SUPPRESSION_SK = 'SUPPRESSION';

export type ItemKey = { pk: string; sk: string };
export const profileKey = (customerId: string): ItemKey => ({ pk: customerPk(customerId), sk: PROFILE_SK });
export const sendKey = (customerId: string, sendId: string): ItemKey => ({ pk: customerPk(customerId), sk: sendSk(sendId) });

/** The dispatchers' shared send-slot schedule (send-pacing.ts): one item for the account's SES rate. */
export const SEND_PACING_KEY: ItemKey = { pk: 'PACING#ses-send-rate', sk: 'PACING' };
