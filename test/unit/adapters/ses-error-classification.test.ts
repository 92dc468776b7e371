import * as sesv2 from '@aws-sdk/client-sesv2';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifySesError, SESV2_ERROR_CLASSES } from '#shared/adapters/ses/ses-error-classes.ts';

const sdkError = (name: string, status: number | undefined, message = `${name} happened`, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { name, ...(status ? { $metadata: { httpStatusCode: status } } : {}), ...extra });

/** Every exception class @aws-sdk/client-sesv2 exports, by the name its errors carry. */
type ExceptionClass = new (options: { message: string; $metadata: object }) => Error;
const sdkExceptionNames = (Object.values(sesv2) as unknown[])
  .filter((value): value is ExceptionClass => typeof value === 'function' && value.prototype instanceof sesv2.SESv2ServiceException)
  .map((Exception) => new Exception({ message: 'x', $metadata: {} }).name);

/** Errors that say nothing about the recipient: the send must be kept, whatever the message says. */
const ACCOUNT_LEVEL = ['AccountSuspendedException', 'SendingPausedException', 'MailFromDomainNotVerifiedException', 'NotFoundException', 'LimitExceededException', 'AccessDeniedException'];

describe('classifySesError', () => {
  it('classifies every exception the SESv2 SDK defines explicitly (a new SDK exception fails here until it is classified)', () => {
    expect(sdkExceptionNames.length).toBeGreaterThanOrEqual(13);
    const unclassified = sdkExceptionNames.filter((name) => !Object.hasOwn(SESV2_ERROR_CLASSES, name));
    expect(unclassified).toEqual([]);
  });

  it('an error that is about the account, the identity or the setup is held, never rejected, whatever its message and status', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ACCOUNT_LEVEL), fc.string(), fc.integer({ min: 400, max: 499 }), (name, message, status) => {
        expect(classifySesError(sdkError(name, status, message)).type).toBe('held');
      }),
    );
  });

  it('the sandbox and unverified identities (MessageRejected "Email address is not verified") hold the send', () => {
    const sandbox = 'Email address is not verified. The following identities failed the check in region EU-WEST-1: someone@example.org';
    expect(classifySesError(sdkError('MessageRejected', 400, sandbox))).toMatchObject({ type: 'held', hold: 'identity_not_verified' });
  });

  it('only an error about this message or recipient is permanent: any other 4xx is held, throttled or retried', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string(), fc.integer({ min: 400, max: 499 }), (name, message, status) => {
        const result = classifySesError(sdkError(name, status, message));
        if (result.type === 'rejected') {
          expect(['BadRequestException', 'MessageRejected']).toContain(name);
          expect(message).not.toMatch(/not verified/i);
        }
      }),
    );
  });

  it('throttling is throttled (paced, not counted as a failure); the daily quota holds the send', () => {
    expect(classifySesError(sdkError('TooManyRequestsException', 429, 'Maximum sending rate exceeded.')).type).toBe('throttled');
    expect(classifySesError(sdkError('Throttling', 400, 'Maximum sending rate exceeded.')).type).toBe('throttled');
    expect(classifySesError(sdkError('TooManyRequestsException', 429, 'Daily message quota exceeded.'))).toMatchObject({ type: 'held', hold: 'daily_quota' });
  });

  it('server faults, network errors and errors the SDK marks $retryable are retried', () => {
    expect(classifySesError(sdkError('InternalServiceErrorException', 500)).type).toBe('retryable');
    expect(classifySesError(sdkError('ServiceUnavailable', 503)).type).toBe('retryable');
    expect(classifySesError(sdkError('Weird', 400, 'x', { $retryable: {} })).type).toBe('retryable');
    expect(classifySesError(sdkError('ECONNRESET', undefined)).type).toBe('retryable');
  });

  it.each([
    ['BadRequestException', 'Missing final \'@domain\''],
    ['MessageRejected', 'Message contains a virus'],
  ])('%s (%s) is a permanent rejection, with the reason', (name, message) => {
    expect(classifySesError(sdkError(name, 400, message))).toEqual({ type: 'rejected', reason: `${name}: ${message}` });
  });
});
