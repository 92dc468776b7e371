import * as z from 'zod';
import { CartSnapshot, RecentProduct } from './profile.ts';

/** The message on the send queue: everything the dispatcher needs, so it reads no profile. */
export const SendRequest = z.object({
  sendId: z.string().min(1),
  customerId: z.string().min(1),
  ruleId: z.string().min(1),
  templateId: z.string().min(1),
  category: z.string().min(1),
  email: z.string().min(3),
  decidedAt: z.string(),
  /**
   * The profile version the decision is written in: the dispatcher's re-check waits for it, so a
   * send queued just before its own profile write never reads the customer as missing or unsubscribed.
   */
  profileVersion: z.number().int().nonnegative().optional(),
  /** Decided by ingest: the profile must also have recorded the trigger event (a concurrent write can reach the version first). */
  awaitsTriggerEvent: z.boolean().optional(),
  /** When the email should leave (quiet hours, preferred hour, a delay); absent: at once. */
  sendAt: z.string().optional(),
  trigger: z.object({ eventId: z.string(), type: z.string(), occurredAt: z.string() }),
  /** The experiment of the rule or step and the customer's variant (experiments.ts); the send record keeps both. */
  experimentId: z.string().min(1).optional(),
  variantId: z.string().min(1).optional(),
  /** The variant's subject and preheader (Liquid), fixed at the decision like the template id: they replace the template's. */
  overrides: z.object({ subject: z.string().min(1).optional(), preheader: z.string().optional() }).strict().optional(),
  /** Each condition that fired, with expected and actual values: the audit trail of the send. */
  conditions: z.array(
    z.object({ field: z.string(), op: z.string(), expected: z.unknown(), actual: z.unknown(), passed: z.boolean() }),
  ),
  personalization: z.object({
    firstName: z.string().optional(),
    lastName: z.string().optional(),
    cart: CartSnapshot.optional(),
    eventProperties: z.record(z.string(), z.unknown()),
    lifetimeValue: z.number().optional(),
    engagementLevel: z.string().optional(),
    /** Current segment ids (segment placeholders such as segment_interests). */
    segments: z.array(z.string()).optional(),
    /** The customer's most viewed and bought categories, most first (for recommendations). */
    topCategories: z.array(z.string()).optional(),
    /** Document 000's campaign data: products to recommend (seen, not bought; top categories first). */
    recommendedProducts: z.array(RecentProduct).optional(),
    lastPurchaseAt: z.string().optional(),
    favoriteDevice: z.string().optional(),
    /** Document 003's predicted content interests, strongest first. */
    contentInterests: z.array(z.string()).optional(),
    loyaltyMember: z.boolean().optional(),
  }),
});
export type SendRequest = z.infer<typeof SendRequest>;
