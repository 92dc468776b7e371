import type { SegmentDriftEventDetail } from './reports/drift.ts';
import type { TriggerRef } from './rule-timer.ts';

/**
 * Events Nudge itself puts on the bus (source `nudge`), so rules, sequences and reports compose
 * through events. `transitionId` is deterministic (the triggering event and the change), so a
 * consumer can drop a redelivered copy: publishing is at-least-once.
 */
export const INTERNAL_SOURCE = 'nudge';

export type ConditionExplanation = { description: string; expected: unknown; actual: unknown; passed: boolean };

export type InternalEvent =
  | {
      detailType: 'SegmentEntered' | 'SegmentExited';
      detail: { customerId: string; segmentId: string; matchScore: number; conditions: ConditionExplanation[]; at: string; transitionId: string };
    }
  | {
      detailType: 'LifecycleStageChanged';
      detail: {
        customerId: string;
        from: string | null;
        /** null: the customer left their stage through one of its exits and qualifies for no other. */
        to: string | null;
        path: string[];
        /** The named exits of the previous stage that held (empty when it was left by a progression). */
        exitedBy: string[];
        conditions: ConditionExplanation[];
        metrics: Record<string, unknown>;
        nurtureSequences: string[];
        at: string;
        transitionId: string;
      };
    }
  | {
      detailType: 'VipEscalation';
      detail: {
        customerId: string;
        orderId: string | null;
        amount: number;
        threshold: number;
        /** After this purchase (the profile write may land after the event is consumed). */
        lifetimeValue: number;
        lifecycleStage: string | null;
        at: string;
        transitionId: string;
      };
    }
  | {
      /** Document 001: a completed purchase enrols the customer in the loyalty programme (once, the first purchase). */
      detailType: 'LoyaltyEnrolled';
      detail: { customerId: string; orderId: string | null; at: string; transitionId: string };
    }
  | {
      /**
       * Document 003's content-interest trigger: the scheduled scoring predicted a content interest at
       * or above the catalog's threshold (0.7) that the customer did not have before.
       */
      detailType: 'ContentInterestPredicted';
      detail: { customerId: string; interests: string[]; newInterests: string[]; at: string; transitionId: string };
    }
  | {
      detailType: 'PromotionalSendsPaused' | 'PromotionalSendsResumed';
      detail: { customerId: string; reason: string; at: string; transitionId: string };
    }
  | {
      /** A rule with `startSequence` matched: the sequence starter starts the run (its name dedups redeliveries). */
      detailType: 'SequenceStartRequested';
      detail: {
        customerId: string;
        sequenceId: string;
        ruleId: string;
        trigger: TriggerRef;
        /** The profile version once the deciding write lands (ingest decides first): the starter waits for it. */
        profileVersion: number;
        awaitsTriggerEvent?: boolean;
        transitionId: string;
      };
    }
  | {
      /** The daily drift check found a segment's composition or performance moved from its baseline. */
      detailType: 'SegmentDriftDetected';
      detail: SegmentDriftEventDetail & { at: string };
    }
  | {
      /** The scheduled scoring found a churn probability that crossed the catalog's threshold upwards. */
      detailType: 'ChurnRiskChanged';
      detail: { customerId: string; probability: number; previousProbability: number | null; modelId: string; at: string; transitionId: string };
    }
  | {
      /** The scheduled scoring found a purchase intent that crossed the catalog's threshold upwards. */
      detailType: 'PurchaseIntentChanged';
      detail: { customerId: string; probability: number; previousProbability: number | null; modelId: string; interests: string[]; at: string; transitionId: string };
    }
  | {
      detailType: 'ConversionAttributed';
      detail: {
        customerId: string;
        sendId: string;
        ruleId: string | null;
        /** The converted send's newest touch: its arrival, or an open or click of it. */
        touch: 'send' | 'open' | 'click';
        touchedAt: string;
        orderId: string | null;
        revenue: number;
        currency: string | null;
        convertedAt: string;
        timeToConvertMs: number;
        transitionId: string;
      };
    };
