import { CreateQueueCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '#local/emulators/ports.ts';
import type { RunningEmulator } from '#local/emulators/dynamodb-local.ts';
import { LOCAL_REGION } from '#local/emulators/local-aws.ts';
import { messageBytes } from '#local/emulators/sqs-message-size.ts';
import { startSqsLocal } from '#local/emulators/sqs-local.ts';

let sqs: RunningEmulator;
let client: SQSClient;
let defaultQueue: string;
let smallQueue: string;

beforeAll(async () => {
  sqs = await startSqsLocal(await freePort());
  client = new SQSClient({ endpoint: sqs.endpoint, region: LOCAL_REGION, credentials: { accessKeyId: 'unit', secretAccessKey: 'unit' }, maxAttempts: 1 });
  // As the stack's queues are provisioned: no MaximumMessageSize (SQS's default, 1 MiB), or one of their own.
  defaultQueue = (await client.send(new CreateQueueCommand({ QueueName: 'sends' }))).QueueUrl!;
  smallQueue = (await client.send(new CreateQueueCommand({ QueueName: 'small', Attributes: { MaximumMessageSize: '1024' } }))).QueueUrl!;
});

afterAll(async () => {
  client?.destroy();
  await sqs?.stop();
});

const send = (QueueUrl: string, MessageBody: string) => client.send(new SendMessageCommand({ QueueUrl, MessageBody }));

describe('the local SQS counts message size in bytes, as SQS does', () => {
  it('takes a message of exactly 1 MiB on a queue without MaximumMessageSize, and delivers it', async () => {
    await send(defaultQueue, 'x'.repeat(1_048_576));
    const received = await client.send(new ReceiveMessageCommand({ QueueUrl: defaultQueue, WaitTimeSeconds: 0 }));
    expect(received.Messages?.[0]?.Body).toHaveLength(1_048_576);
  });

  it('refuses a message over 1 MiB in UTF-8 bytes though under 1 Mi characters (what the emulator alone let through)', async () => {
    const accents = 'é'.repeat(524_289); // 524,289 characters, 1,048,578 bytes
    await expect(send(defaultQueue, accents)).rejects.toMatchObject({
      Code: 'InvalidParameterValue',
      message: 'One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it("holds a queue to its own MaximumMessageSize, attributes included", async () => {
    await send(smallQueue, 'x'.repeat(1024));
    await expect(send(smallQueue, 'x'.repeat(1025))).rejects.toMatchObject({ Code: 'InvalidParameterValue' });
    const withAttribute = new SendMessageCommand({ QueueUrl: smallQueue, MessageBody: 'x'.repeat(1000), MessageAttributes: { kind: { DataType: 'String', StringValue: 'é'.repeat(10) } } });
    await expect(client.send(withAttribute)).rejects.toMatchObject({ message: expect.stringContaining('shorter than 1024 bytes') });
  });

  it('refuses a batch over 1 MiB in all (BatchRequestTooLong)', async () => {
    const entries = [0, 1].map((index) => ({ Id: `m${index}`, MessageBody: 'é'.repeat(300_000) }));
    await expect(client.send(new SendMessageBatchCommand({ QueueUrl: defaultQueue, Entries: entries }))).rejects.toMatchObject({
      message: 'Batch requests cannot be longer than 1048576 bytes. You have sent 1200000 bytes.',
    });
  });
});

describe('messageBytes', () => {
  it('adds the body, and each attribute name, data type and value (binary as its bytes)', () => {
    expect(messageBytes({ MessageBody: 'héllo' })).toBe(6);
    expect(
      messageBytes({
        MessageBody: 'a',
        MessageAttributes: { n: { DataType: 'Number', StringValue: '12' }, b: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]).toString('base64') } },
      }),
    ).toBe(1 + (1 + 6 + 2) + (1 + 6 + 3));
  });
});
