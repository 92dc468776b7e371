import type { InternalEvent } from '../domain/internal-events.ts';
import type { InternalEventBus, ProfileStore, SaveProfileResult, SegmentMembershipStore } from '../domain/ports.ts';
import type { OutboxEntry, Profile } from '../domain/profile.ts';

/**
 * A profile write and its effects (internal events, segment membership) as one: the effects ride in
 * the profile item's `outbox`, written by the same conditional write, and are done only after that
 * write wins. A write that loses its version check therefore announces nothing (its evaluation is
 * redone from the item that won), and a crash between the write and the effects loses nothing: the
 * next writer of the profile (the next event, a redelivered one, or the daily sweep) finds the outbox
 * and does it. Effects are at least once; consumers drop copies by `transitionId`.
 *
 * Why not EventBridge Pipes or a stream consumer for this: the table's stream already feeds the
 * rollups, and a second consumer per profile change would cost an invocation per event to find the
 * rare write that has effects; the outbox costs one conditional UpdateItem only when there are some.
 */
export type OutboxDeps = { profiles: ProfileStore; bus: InternalEventBus; membership: SegmentMembershipStore };

export type Effects = { events: readonly InternalEvent[]; membership: { entered: Array<{ segmentId: string; matchScore: number }>; exited: string[] }; at: Date };

/** The profile with one more write's effects in its outbox (unchanged when there are none). */
export function withEffects(profile: Profile, effects: Effects): Profile {
  const { events, membership } = effects;
  if (events.length === 0 && membership.entered.length === 0 && membership.exited.length === 0) return profile;
  const entry: OutboxEntry = { at: effects.at.toISOString(), events: events.map((e) => ({ detailType: e.detailType, detail: { ...e.detail } })), entered: membership.entered, exited: membership.exited };
  return { ...profile, outbox: [...(profile.outbox ?? []), entry] };
}

/** Saves the profile under its version check; when the write wins, does its outbox and clears it. */
export async function saveWithEffects(deps: OutboxDeps, profile: Profile, expectedVersion: number | undefined): Promise<SaveProfileResult> {
  const saved = await deps.profiles.save(profile, expectedVersion);
  if (saved.type === 'saved' && profile.outbox?.length) await doOutbox(deps, profile.customerId, profile.outbox, (expectedVersion ?? 0) + 1);
  return saved;
}

/**
 * Does the outbox a stored profile still carries (its writer stopped between the write and the
 * effects) and returns the profile without it, to evaluate and save on from.
 */
export async function flushOutbox(deps: OutboxDeps, stored: Profile): Promise<Profile> {
  if (!stored.outbox?.length) return stored;
  await doOutbox(deps, stored.customerId, stored.outbox, stored.version);
  const { outbox: _done, ...rest } = stored;
  return rest;
}

async function doOutbox(deps: OutboxDeps, customerId: string, outbox: readonly OutboxEntry[], version: number): Promise<void> {
  // In write order, so a segment entered then exited ends exited.
  for (const entry of outbox) {
    // Stored from InternalEvent values by withEffects; the outbox schema keeps the detail open.
    if (entry.events.length > 0) await deps.bus.publish(entry.events as unknown as InternalEvent[]);
    if (entry.entered.length > 0 || entry.exited.length > 0) {
      await deps.membership.apply({ customerId, entered: entry.entered, exited: entry.exited, at: new Date(entry.at) });
    }
  }
  await deps.profiles.clearOutbox(customerId, version);
}

/** The detail types a profile's outbox announces, for logs and reports. */
export function announcedTypes(profile: Profile): string[] {
  return (profile.outbox ?? []).flatMap((entry) => entry.events.map((e) => e.detailType));
}
