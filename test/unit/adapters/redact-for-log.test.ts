import { readdirSync, readFileSync, statSync } from 'node:fs';
import { Console } from 'node:console';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nudgeLogger } from '#shared/adapters/logging/nudge-logger.ts';
import { redactForLog } from '#shared/adapters/logging/redact-for-log.ts';
import { PERSONAL_ENVELOPE_FIELDS, PERSONAL_PROPERTY_FIELDS } from '#shared/contract/personal-fields.ts';
import { PROJECT_ROOT } from '#infra/project-paths.ts';

describe('personal fields of the event contract', () => {
  it('are read from the schemas: the address on the envelope, names, free text and addresses in properties', () => {
    expect([...PERSONAL_ENVELOPE_FIELDS]).toEqual(['email']);
    expect([...PERSONAL_PROPERTY_FIELDS].sort()).toEqual(['comment', 'email', 'firstName', 'lastName', 'reason', 'referredEmail', 'subject', 'text']);
  });
});

describe('redactForLog', () => {
  it('masks every *email attribute, takes addresses out of free text, and removes personal fields of raw event data', () => {
    const redacted = redactForLog({
      email: 'tia.berg@example.com',
      reason: 'rejected by SES: Address blocked: tia.berg@example.com',
      detail: { customerId: 'c1', email: 'tia.berg@example.com', properties: { firstName: 'Tia', productId: 'p-9', nested: [{ comment: 'call me on 0171 555' }] } },
      sends: [{ referredEmail: 'friend@example.org' }],
    });
    expect(redacted).toEqual({
      email: 't***@example.com',
      // Operational fields outside raw event data keep their text (addresses aside).
      reason: 'rejected by SES: Address blocked: [address]',
      detail: { customerId: 'c1', email: '[personal]', properties: { firstName: '[personal]', productId: 'p-9', nested: [{ comment: '[personal]' }] } },
      sends: [{ referredEmail: 'f***@example.org' }],
    });
  });

  it('takes every address out of free text: any RFC 5322 address, Unicode local parts and IDN domains (jörg@bücher.de)', () => {
    const char = (pool: string) => fc.constantFrom(...Array.from(pool));
    const run = (pool: string, max: number) => fc.array(char(pool), { minLength: 1, maxLength: max }).map((chars) => chars.join(''));
    // Letters of several scripts, a combining mark, digits: what SMTPUTF8 local parts and IDN labels hold.
    const letters = 'aZäöüßéñøåıçğжщяλωαبשअ中文日本한국' + '\u0301';
    const unicodeAddress = fc
      .tuple(run(letters + '0123456789._+-', 12), fc.array(run(letters + '0123456789-', 10), { minLength: 1, maxLength: 3 }), fc.oneof(run('äöüжрфλωαب中文한국', 6).filter((tld) => [...tld].length >= 2), fc.constantFrom('de', 'com', 'xn--p1ai', 'xn--fiqs8s')))
      .map(([local, labels, tld]) => `${local}@${[...labels, tld].join('.')}`);
    const address = fc.oneof(fc.emailAddress(), unicodeAddress, fc.constantFrom('jörg@bücher.de', 'δοκιμή@παράδειγμα.δοκιμή', '用户@例子.广告', 'Pelé@exemple.com'));
    fc.assert(
      fc.property(address, fc.constantFrom('delivery to <%> failed', 'Address blocked: %', '%: mailbox full', 'recipient % status=bounced'), (email, template) => {
        const text = template.replace('%', () => email);
        const redacted = redactForLog({ message: text }) as { message: string };
        const at = email.lastIndexOf('@');
        // A local part with `/` keeps what precedes it, so stack-trace paths stay readable.
        const kept = email.slice(0, at).includes('/') ? email.slice(0, email.slice(0, at).lastIndexOf('/') + 1) : '';
        expect(redacted.message).toBe(template.replace('%', () => `${kept}[address]`));
        // An `*email` attribute is masked to its first character and domain, still well-formed text.
        const masked = (redactForLog({ email }) as { email: string }).email;
        expect(masked).toBe(`${String.fromCodePoint(email.codePointAt(0)!)}***${email.slice(at)}`);
      }),
      { numRuns: 1_000 },
    );
  });

  it('removes custom events\' properties whose names say they are personal; other properties stay', () => {
    const redacted = redactForLog({ detail: { properties: { billingEmail: 'x', mobile_number: '0171 555', contactName: 'Tia Berg', postalAddress: 'Main St 1', birthDate: '1990-01-01', planName: 'pro', name: 'Spring sale', emailCount: 3 } } });
    expect(redacted).toEqual({ detail: { properties: { billingEmail: '[personal]', mobile_number: '[personal]', contactName: '[personal]', postalAddress: '[personal]', birthDate: '[personal]', planName: 'pro', name: 'Spring sale', emailCount: '[personal]' } } });
  });

  it('keeps an Error readable without the addresses it quotes', () => {
    expect(redactForLog({ cause: new TypeError('cannot mail bob@example.com') })).toMatchObject({ cause: { name: 'TypeError', message: 'cannot mail [address]', stack: expect.not.stringContaining('bob@example.com') } });
  });
});

describe('nudgeLogger', () => {
  it('writes Powertools JSON records with nothing personal in them', async () => {
    const lines: string[] = [];
    const logger = nudgeLogger('nudge-test');
    // Powertools writes through its own node:console instance on stdout: point it at a buffer.
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()) });
    (logger as unknown as { console: Console }).console = new Console({ stdout: sink, stderr: sink });
    logger.warn('event rejected for ana.lopez@example.com', {
      detail: { customerId: 'c7', properties: { email: 'ana.lopez@example.com', firstName: 'Ana', lastName: 'Lopez', amount: 12 } },
      error: new Error('SES: ana.lopez@example.com is on the suppression list'),
    });
    await new Promise((resolve) => setImmediate(resolve));
    const record = lines.join('');
    expect(record).not.toMatch(/ana\.lopez@example\.com|"Ana"|Lopez/);
    expect(record).toContain('redact-for-log.test.ts'); // the stack keeps its paths
    expect(JSON.parse(record)).toMatchObject({
      level: 'WARN',
      service: 'nudge-test',
      message: 'event rejected for [address]',
      detail: { customerId: 'c7', properties: { email: '[personal]', firstName: '[personal]', amount: 12 } },
      error: { message: 'SES: [address] is on the suppression list' },
    });
  });

  it('is the only way functions, shared code and the local runtime make a logger', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith('.ts') && !path.endsWith('nudge-logger.ts') && /new Logger\(/.test(readFileSync(path, 'utf8'))) offenders.push(path);
      }
    };
    for (const dir of ['functions', 'shared', 'local']) walk(join(PROJECT_ROOT, dir));
    expect(offenders).toEqual([]);
  });
});
