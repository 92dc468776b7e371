import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DriftReportStore } from '../../domain/ports.ts';
import type { DriftReport } from '../../domain/reports/drift.ts';
import { expiresAt } from './ttl.ts';

const PK = 'REPORT#drift';
/** A year of daily drift reports is plenty to look back on; DynamoDB's TTL removes older ones. */
const KEEP_DAYS = 366;

/** The daily drift reports (`REPORT#drift` / `DAY#<day>`, expiring after a year) and the latest (`LATEST`). */
export class DynamoDriftReports implements DriftReportStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async save(report: DriftReport, day: string): Promise<void> {
    const ttl = expiresAt(`${day}T00:00:00Z`, KEEP_DAYS);
    for (const sk of [`DAY#${day}`, 'LATEST']) {
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: { pk: PK, sk, kind: 'drift_report', day, report, ...(sk === 'LATEST' ? {} : { ttl }) }, ReturnConsumedCapacity: 'TOTAL' }));
    }
  }

  async latest(): Promise<DriftReport | undefined> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: PK, sk: 'LATEST' }, ReturnConsumedCapacity: 'TOTAL' }));
    return result.Item?.report as DriftReport | undefined;
  }
}
