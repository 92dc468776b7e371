import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { TableChange } from '../../services/update-rollups.ts';
import { readableProfileItem } from './profile-codec.ts';
import { unmarshallRaw } from './raw-items.ts';

// A profile image is unpacked (profile-codec.ts): the aggregates read its segments, scores and last event.
const image = (value: Record<string, unknown> | undefined) => (value ? readableProfileItem(unmarshallRaw(value as Record<string, AttributeValue>)) : undefined);

/** The table's stream records as the rollup service reads them (the handler's and the units bench's one mapping). */
export function tableChangesOf(records: readonly DynamoDBRecord[]): TableChange[] {
  return records.map((record) => ({
    sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
    oldImage: image(record.dynamodb?.OldImage as Record<string, unknown> | undefined),
    newImage: image(record.dynamodb?.NewImage as Record<string, unknown> | undefined),
  }));
}
