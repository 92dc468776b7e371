import * as z from 'zod';
import { dynamoDocumentClient, scheduler } from '#shared/adapters/aws/clients.ts';
import { DynamoPersonalData } from '#shared/adapters/dynamo/personal-data-repository.ts';
import { EventBridgeCustomerSchedules } from '#shared/adapters/scheduler/customer-schedules.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { readConfig } from '#shared/config.ts';
import { segmentIdsOf } from '#shared/domain/segments.ts';

/** The payload of both privacy Lambdas: `{ "customerId": "c-42" }`. */
export const PrivacyRequest = z.object({ customerId: z.string().min(1, 'customerId is required') }).strict();

export const config = readConfig({ TABLE_NAME: z.string().min(1), SCHEDULE_GROUP_NAME: z.string().min(1) });

export const readDeps = {
  personalData: new DynamoPersonalData(dynamoDocumentClient(), config.TABLE_NAME),
  schedules: new EventBridgeCustomerSchedules(scheduler(), config.SCHEDULE_GROUP_NAME),
  segmentIds: defaultCatalog.segments.flatMap(segmentIdsOf),
};

/** A bad payload answers with the field and why, not a stack trace. */
export function parseRequest(event: unknown): z.infer<typeof PrivacyRequest> {
  const parsed = PrivacyRequest.safeParse(event);
  if (!parsed.success) throw new Error(`bad request: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(payload)'}: ${issue.message}`).join('; ')} (expected {"customerId": "..."})`);
  return parsed.data;
}
