import { DeleteScheduleCommand, GetScheduleCommand, ListSchedulesCommand, ResourceNotFoundException, type SchedulerClient } from '@aws-sdk/client-scheduler';
import type { CustomerSchedules } from '../../domain/ports.ts';

/**
 * A customer's one-time schedules (held sends, rule timers) in the Nudge group. Their names derive
 * from send and timer ids, not the customer, so the group is listed and each schedule's target
 * input read (its `customerId`): erase is rare, and a group holds only work still pending.
 */
export class EventBridgeCustomerSchedules implements CustomerSchedules {
  constructor(
    private readonly client: SchedulerClient,
    private readonly groupName: string,
  ) {}

  async list(customerId: string): Promise<Array<{ name: string; input: unknown }>> {
    const found: Array<{ name: string; input: unknown }> = [];
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(new ListSchedulesCommand({ GroupName: this.groupName, NextToken: nextToken }));
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
      nextToken = page.NextToken;
    } while (nextToken);
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
