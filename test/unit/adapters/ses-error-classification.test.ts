import { describe, expect, it } from 'vitest';
import { classifySesError } from '#shared/adapters/ses/ses-email-sender.ts';

const sdkError = (name: string, status: number | undefined, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} happened`), { name, ...(status ? { $metadata: { httpStatusCode: status } } : {}), ...extra });

describe('classifySesError', () => {
  it.each([
    ['TooManyRequestsException', 429],
    ['LimitExceededException', 400],
    ['SendingPausedException', 400],
    ['InternalFailure', 500],
    ['ServiceUnavailable', 503],
  ])('%s (%d) is retried', (name, status) => {
    expect(classifySesError(sdkError(name, status)).type).toBe('retryable');
  });

  it('an error the SDK marks $retryable is retried, and so is a network error without a response', () => {
    expect(classifySesError(sdkError('Weird', 400, { $retryable: {} })).type).toBe('retryable');
    expect(classifySesError(sdkError('ECONNRESET', undefined)).type).toBe('retryable');
  });

  it.each(['MessageRejected', 'MailFromDomainNotVerifiedException', 'BadRequestException', 'NotFoundException'])(
    '%s is a permanent rejection, with the reason',
    (name) => {
      expect(classifySesError(sdkError(name, 400))).toEqual({ type: 'rejected', reason: `${name}: ${name} happened` });
    },
  );
});
