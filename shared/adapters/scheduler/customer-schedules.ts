import { DeleteScheduleCommand, GetScheduleCommand, paginateListSchedules, ResourceNotFoundException, type SchedulerClient } from '@aws-sdk/client-scheduler';
import type { CustomerSchedules } from '../../domain/ports.ts';
import { customerSchedulePrefix } from './one-time-schedules.ts';

/**
 * A customer's one-time schedules (held sends, rule timers) in the Nudge group. Their names start
 * with the customer's prefix (scheduleNameFor), so one ListSchedules by `NamePrefix` finds them and
 * only those few are read (GetSchedule) to confirm the target input's `customerId`: the prefix is a
 * 72-bit digest, so another customer's schedule there is possible in principle but never taken.
 */
export class EventBridgeCustomerSchedules implements CustomerSchedules {
  constructor(
    private readonly client: SchedulerClient,
    private readonly groupName: string,
  ) {}

  async list(customerId: string): Promise<Array<{ name: string; input: unknown }>> {
    const found: Array<{ name: string; input: unknown }> = [];
    const pages = paginateListSchedules({ client: this.client }, { GroupName: this.groupName, NamePrefix: customerSchedulePrefix(customerId) });
    for await (const page of pages) {
      for (const { Name } of page.Schedules ?? []) {
        if (!Name) continue;
        try {
          const schedule = await this.client.send(new GetScheduleCommand({ Name, GroupName: this.groupName }));
          const input = parse(schedule.Target?.Input);
          if (input && typeof input === 'object' && (input as { customerId?: unknown }).customerId === customerId) found.push({ name: Name, input });
        } catch (error) {
          if (!(error instanceof ResourceNotFoundException)) throw error; // fired and deleted itself meanwhile
        }
      }
    }
    return found;
  }

  async delete(name: string): Promise<void> {
    try {
      await this.client.send(new DeleteScheduleCommand({ Name: name, GroupName: this.groupName }));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }
}

function parse(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
