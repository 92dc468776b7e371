import { hasSeenEvent, RECENT_EVENT_WINDOW } from '../domain/event-dedupe.ts';
import type { ProfileStore } from '../domain/ports.ts';
import type { Profile } from '../domain/profile.ts';

/**
 * Ingest decides (and queues sends, asks for sequence starts, publishes transitions) before it
 * writes the profile, so that a crash is retried without losing anything. Whoever acts on those
 * decisions may therefore read the profile a moment before that write lands. These helpers wait
 * for it, briefly, before the caller hands the work back to its queue or retry policy.
 */

/** Waits this long at most (in a few reads) for the write. */
export const PROFILE_WAIT_MS = [50, 150, 300, 500];

/** The write a decision expects: the profile version it produces, and whether that write records the triggering event. */
export type DecisionWrite = { profileVersion?: number | undefined; awaitsTriggerEvent?: boolean | undefined; triggerEventId: string };

/** The stored profile is older than the decision's own write. */
export function isBehind(profile: Profile | undefined, write: DecisionWrite): boolean {
  if (write.profileVersion === undefined) return false;
  const version = profile?.version ?? 0;
  if (version < write.profileVersion) return true;
  // The version may be a concurrent writer's; the decision's own write is the one that saw the event
  // (unless so many events followed that it left the dedupe window, which proves it landed long ago).
  return Boolean(write.awaitsTriggerEvent) && !hasSeenEvent(profile!.recentEvents, write.triggerEventId) && version < write.profileVersion + RECENT_EVENT_WINDOW;
}

/**
 * How a wait between two reads passes: real time. The fast replay (local/memory) runs every writer
 * in its own process on a simulated clock and installs a wait that ends once no other invocation is
 * left to land the write (the reads and their number stay the same).
 */
let pause: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function installProfileWait(wait: (ms: number) => Promise<void>): void {
  pause = wait;
}

/** Reads the profile until `ready` holds, or the waits run out: the last read, and whether it was ready. */
export async function readProfileWhen(
  profiles: ProfileStore,
  customerId: string,
  ready: (profile: Profile | undefined) => boolean,
  waitsMs: readonly number[] = PROFILE_WAIT_MS,
): Promise<{ profile: Profile | undefined; ready: boolean }> {
  let profile = await profiles.get(customerId);
  for (const waitMs of waitsMs) {
    if (ready(profile)) return { profile, ready: true };
    await pause(waitMs);
    profile = await profiles.get(customerId);
  }
  return { profile, ready: ready(profile) };
}
