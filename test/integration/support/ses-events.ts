import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { expect } from 'vitest';
import { LOCAL_REGION } from '#local/emulators/local-aws.ts';
import { uniqueId, type nudgeClient } from './nudge-client.ts';

/**
 * Puts one SES event on the default bus as SES would publish it for a send of Nudge's (its tags name
 * the rule, send and customer), and waits until everything it caused is done.
 */
export async function publishSesEvent(
  nudge: ReturnType<typeof nudgeClient>,
  defaultBus: EventBridgeClient,
  customer: { customerId: string; email: string; sendId: string; ruleId?: string },
  eventType: string,
  detailType: string,
  body: Record<string, unknown>,
  options: { configurationSet?: string } = {},
): Promise<void> {
  const time = await nudge.now();
  const configurationSet = options.configurationSet ?? nudge.output('ConfigurationSetName');
  const response = await defaultBus.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: 'default',
          Source: 'aws.ses',
          DetailType: detailType,
          Resources: [`arn:aws:ses:${LOCAL_REGION}:000000000000:configuration-set/${configurationSet}`],
          Detail: JSON.stringify({
            eventType,
            mail: {
              timestamp: time.toISOString(),
              source: 'Shop <nudge@example.com>',
              sendingAccountId: '000000000000',
              messageId: uniqueId('ses-msg'),
              destination: [customer.email],
              headersTruncated: false,
              tags: {
                'ses:configuration-set': [configurationSet],
                'ses:from-domain': ['example.com'],
                rule: [customer.ruleId ?? 'welcome_new_subscriber'],
                sendId: [customer.sendId],
                category: ['transactional'],
                customer: [Buffer.from(customer.customerId).toString('base64url')],
              },
            },
            ...body,
          }),
        },
      ],
    }),
  );
  expect(response.FailedEntryCount).toBe(0);
  await nudge.waitForIdle();
}
