/**
 * Table-driven tests for the local EventBridge pattern matcher. Patterns and events come from the AWS docs
 * ("Event patterns", "Content filtering in Amazon EventBridge event patterns", "Comparison operators",
 * "Matching events on null values and empty strings") and from the aws/event-ruler README that EventBridge
 * is built on; each group is named after the operator so a failure points straight at it.
 */
import { describe, expect, it } from 'vitest';
import {
  InvalidEventPatternError,
  matchesEventPattern,
  validateEventPattern,
} from '../../../local/eventbridge/pattern-matcher.ts';
import type { EventPattern } from '../../../local/eventbridge/pattern-matcher.ts';

interface MatchCase {
  name: string;
  pattern: EventPattern;
  event: unknown;
  expected: boolean;
}

/** The EC2 state-change event the docs and the event-ruler README use for their content-filtering examples. */
const DOCS_DETAIL = {
  'c-count': 5,
  'd-count': 3,
  'x-limit': 301.8,
  'source-ip': '10.0.0.33',
  'instance-id': 'i-000000aaaaaa00000',
  state: 'running',
};
const DOCS_EVENT = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: DOCS_DETAIL,
};

/** A full event with `detail` replaced and envelope fields optionally overridden. */
function event(detail: Record<string, unknown>, envelope: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...DOCS_EVENT, ...envelope, detail };
}

/** Shorthand for the common case: one field under `detail`. */
function withField(field: string, value: unknown): Record<string, unknown> {
  return event({ [field]: value });
}

const EC2_TERMINATION = {
  source: ['aws.ec2'],
  'detail-type': ['EC2 Instance State-change Notification'],
  detail: { state: ['terminated'] },
};

const exactCases: MatchCase[] = [
  { name: 'docs EC2 termination pattern matches', pattern: EC2_TERMINATION, event: event({ state: 'terminated' }), expected: true },
  { name: 'docs EC2 termination pattern: other state', pattern: EC2_TERMINATION, event: DOCS_EVENT, expected: false },
  {
    name: 'all keys must match (AND): detail-type differs',
    pattern: EC2_TERMINATION,
    event: event({ state: 'terminated' }, { 'detail-type': 'EC2 Spot Instance Interruption Warning' }),
    expected: false,
  },
  { name: 'any value in the list matches (OR)', pattern: { detail: { state: ['initializing', 'running'] } }, event: DOCS_EVENT, expected: true },
  { name: 'nesting must match the event', pattern: { state: ['running'] }, event: DOCS_EVENT, expected: false },
  { name: 'a missing field never matches a value', pattern: { detail: { missing: ['x'] } }, event: DOCS_EVENT, expected: false },
  { name: 'strings are case-sensitive', pattern: { source: ['AWS.EC2'] }, event: DOCS_EVENT, expected: false },
  { name: 'unlisted event fields are ignored', pattern: { source: ['aws.ec2'] }, event: DOCS_EVENT, expected: true },
  { name: 'number matches number', pattern: { detail: { 'x-limit': [301.8] } }, event: DOCS_EVENT, expected: true },
  {
    name: 'numbers compare numerically (300 vs 300.0)',
    pattern: { detail: { price: [300] } },
    event: JSON.parse('{"source":"shop","detail":{"price":300.0}}'),
    expected: true,
  },
  { name: 'exponent form 3.018e2 equals 301.8', pattern: { detail: { 'x-limit': [3.018e2] } }, event: DOCS_EVENT, expected: true },
  { name: 'string "300" does not match number 300', pattern: { detail: { price: [300] } }, event: withField('price', '300'), expected: false },
  { name: 'number 300 does not match string "300"', pattern: { detail: { price: ['300'] } }, event: withField('price', 300), expected: false },
  { name: 'boolean matches boolean', pattern: { detail: { enabled: [true] } }, event: withField('enabled', true), expected: true },
  { name: 'string "true" does not match boolean true', pattern: { detail: { enabled: [true] } }, event: withField('enabled', 'true'), expected: false },
  { name: 'false does not match true', pattern: { detail: { enabled: [false] } }, event: withField('enabled', true), expected: false },
  // docs, "Matching events on null values and empty strings"
  {
    name: 'null matches a JSON null (docs responseElements)',
    pattern: { detail: { responseElements: [null] } },
    event: event({ eventVersion: '', responseElements: null }),
    expected: true,
  },
  { name: 'null does not match a missing field', pattern: { detail: { responseElements: [null] } }, event: event({}), expected: false },
  { name: 'null does not match an empty string', pattern: { detail: { eventVersion: [null] } }, event: withField('eventVersion', ''), expected: false },
  {
    name: 'empty string matches an empty string (docs eventVersion)',
    pattern: { detail: { eventVersion: [''] } },
    event: event({ eventVersion: '', responseElements: null }),
    expected: true,
  },
  { name: 'empty string does not match null', pattern: { detail: { responseElements: [''] } }, event: withField('responseElements', null), expected: false },
  { name: 'empty string does not match a missing field', pattern: { detail: { eventVersion: [''] } }, event: event({}), expected: false },
  { name: 'a value does not match an object', pattern: { detail: [DOCS_DETAIL.state] }, event: DOCS_EVENT, expected: false },
];

const employees = [
  { firstName: 'John', lastName: 'Doe' },
  { firstName: 'Anna', lastName: 'Smith' },
  { firstName: 'Peter', lastName: 'Jones' },
];

const arrayCases: MatchCase[] = [
  {
    name: 'event array matches if any element matches (docs resources)',
    pattern: { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f'] },
    event: event(DOCS_DETAIL, {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
      ],
    }),
    expected: true,
  },
  {
    name: 'event array with no element in the pattern',
    pattern: { resources: ['arn:aws:ec2:us-east-1:999999999999:instance/i-0'] },
    event: DOCS_EVENT,
    expected: false,
  },
  { name: 'empty event array matches no value', pattern: { resources: ['x'] }, event: event(DOCS_DETAIL, { resources: [] }), expected: false },
  {
    name: 'objects inside an array: field of one element (event-ruler employees)',
    pattern: { detail: { employees: { firstName: ['Anna'] } } },
    event: event({ employees }),
    expected: true,
  },
  {
    name: 'objects inside an array: fields from one element',
    pattern: { detail: { employees: { firstName: ['Anna'], lastName: ['Smith'] } } },
    event: event({ employees }),
    expected: true,
  },
  {
    name: 'objects inside an array: fields from different elements do not combine',
    pattern: { detail: { employees: { firstName: ['Anna'], lastName: ['Jones'] } } },
    event: event({ employees }),
    expected: false,
  },
  {
    name: 'multi-level arrays are flattened',
    pattern: { detail: { employees: { firstName: ['Peter'] } } },
    event: event({ employees: [[employees[0], employees[1]], [employees[2]]] }),
    expected: true,
  },
  {
    name: 'operators apply to each element',
    pattern: { detail: { scores: [{ numeric: ['>', 90] }] } },
    event: withField('scores', [12, 95, 40]),
    expected: true,
  },
];

const prefixCases: MatchCase[] = [
  { name: 'docs time prefix', pattern: { time: [{ prefix: '2017-10-02' }] }, event: DOCS_EVENT, expected: true },
  { name: 'docs time prefix: other day', pattern: { time: [{ prefix: '2017-10-03' }] }, event: DOCS_EVENT, expected: false },
  {
    name: 'docs autoscaling events from European regions',
    pattern: { source: ['aws.autoscaling'], region: [{ prefix: 'eu-' }] },
    event: event({}, { source: 'aws.autoscaling', region: 'eu-west-1' }),
    expected: true,
  },
  { name: 'plain prefix is case-sensitive', pattern: { detail: { service: [{ prefix: 'EventB' }] } }, event: withField('service', 'eventbridge'), expected: false },
  { name: 'prefix only applies to strings', pattern: { detail: { 'c-count': [{ prefix: '5' }] } }, event: DOCS_EVENT, expected: false },
  { name: 'prefix on a missing field', pattern: { detail: { service: [{ prefix: 'a' }] } }, event: DOCS_EVENT, expected: false },
  {
    name: 'docs prefix equals-ignore-case: EVENTBRIDGE',
    pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    event: withField('service', 'EVENTBRIDGE'),
    expected: true,
  },
  {
    name: 'docs prefix equals-ignore-case: eventbridge',
    pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    event: withField('service', 'eventbridge'),
    expected: true,
  },
  {
    name: 'prefix equals-ignore-case: different prefix',
    pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    event: withField('service', 'lambda'),
    expected: false,
  },
];

const suffixCases: MatchCase[] = [
  { name: 'docs FileName .png', pattern: { detail: { FileName: [{ suffix: '.png' }] } }, event: withField('FileName', 'image.png'), expected: true },
  { name: 'docs FileName .png: a .jpg', pattern: { detail: { FileName: [{ suffix: '.png' }] } }, event: withField('FileName', 'image.jpg'), expected: false },
  { name: 'plain suffix is case-sensitive', pattern: { detail: { FileName: [{ suffix: '.png' }] } }, event: withField('FileName', 'IMAGE.PNG'), expected: false },
  {
    name: 'docs suffix equals-ignore-case: .PNG',
    pattern: { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
    event: withField('FileName', 'IMAGE.PNG'),
    expected: true,
  },
  {
    name: 'suffix equals-ignore-case: other extension',
    pattern: { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
    event: withField('FileName', 'image.gif'),
    expected: false,
  },
  { name: 'event-ruler source suffix ec2', pattern: { source: [{ suffix: 'ec2' }] }, event: DOCS_EVENT, expected: true },
  { name: 'suffix only applies to strings', pattern: { detail: { 'c-count': [{ suffix: '5' }] } }, event: DOCS_EVENT, expected: false },
];

const equalsIgnoreCaseCases: MatchCase[] = [
  { name: 'docs Name alice vs Alice', pattern: { detail: { Name: [{ 'equals-ignore-case': 'alice' }] } }, event: withField('Name', 'Alice'), expected: true },
  { name: 'alice vs ALICE', pattern: { detail: { Name: [{ 'equals-ignore-case': 'alice' }] } }, event: withField('Name', 'ALICE'), expected: true },
  { name: 'whole value must match', pattern: { detail: { Name: [{ 'equals-ignore-case': 'alice' }] } }, event: withField('Name', 'Alicia'), expected: false },
  { name: 'event-ruler source EC2', pattern: { source: [{ 'equals-ignore-case': 'AWS.EC2' }] }, event: DOCS_EVENT, expected: true },
  { name: 'only applies to strings', pattern: { detail: { 'c-count': [{ 'equals-ignore-case': '5' }] } }, event: DOCS_EVENT, expected: false },
];

const BUS_ARN_PATTERN = { detail: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] } };
const wildcardCases: MatchCase[] = [
  {
    name: 'docs EventBusArn in any account',
    pattern: BUS_ARN_PATTERN,
    event: withField('EventBusArn', 'arn:aws:events:us-east-1:123456789012:event-bus/myEventBus'),
    expected: true,
  },
  {
    name: 'docs EventBusArn: other region',
    pattern: BUS_ARN_PATTERN,
    event: withField('EventBusArn', 'arn:aws:events:us-west-2:123456789012:event-bus/myEventBus'),
    expected: false,
  },
  { name: 'docs dir/*.png', pattern: { detail: { FileName: [{ wildcard: 'dir/*.png' }] } }, event: withField('FileName', 'dir/image.png'), expected: true },
  { name: 'star spans slashes', pattern: { detail: { FileName: [{ wildcard: 'dir/*.png' }] } }, event: withField('FileName', 'dir/a/b.png'), expected: true },
  { name: 'dir/*.png: other folder', pattern: { detail: { FileName: [{ wildcard: 'dir/*.png' }] } }, event: withField('FileName', 'other/image.png'), expected: false },
  { name: 'star matches zero characters', pattern: { detail: { title: [{ wildcard: '*Title*' }] } }, event: withField('title', 'Title'), expected: true },
  { name: 'several stars', pattern: { detail: { title: [{ wildcard: '*Title*' }] } }, event: withField('title', 'The Title Page'), expected: true },
  { name: 'event-ruler Simple*Service', pattern: { source: [{ wildcard: 'Simple*Service' }] }, event: event({}, { source: 'SimpleNotificationService' }), expected: true },
  { name: 'no star is an exact match', pattern: { source: [{ wildcard: 'aws.ec2' }] }, event: event({}, { source: 'aws.ec2x' }), expected: false },
  { name: 'escaped star is literal: a*b', pattern: { detail: { key: [{ wildcard: 'a\\*b' }] } }, event: withField('key', 'a*b'), expected: true },
  { name: 'escaped star is literal: axb', pattern: { detail: { key: [{ wildcard: 'a\\*b' }] } }, event: withField('key', 'axb'), expected: false },
  { name: 'escaped backslash is literal', pattern: { detail: { key: [{ wildcard: 'a\\\\*' }] } }, event: withField('key', 'a\\b'), expected: true },
  { name: 'regex characters are literal', pattern: { detail: { key: [{ wildcard: 'a.c*' }] } }, event: withField('key', 'abc'), expected: false },
  { name: 'only applies to strings', pattern: { detail: { 'c-count': [{ wildcard: '*' }] } }, event: DOCS_EVENT, expected: false },
];

const NOT_NUDGE = { source: [{ 'anything-but': { prefix: 'nudge' } }] };
const anythingButCases: MatchCase[] = [
  { name: 'docs single string: running', pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } }, event: DOCS_EVENT, expected: true },
  {
    name: 'docs single string: initializing',
    pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event: withField('state', 'initializing'),
    expected: false,
  },
  { name: 'a missing field does not match', pattern: { detail: { status: [{ 'anything-but': 'initializing' }] } }, event: DOCS_EVENT, expected: false },
  { name: 'docs single number: 301.8', pattern: { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, event: DOCS_EVENT, expected: true },
  { name: 'docs single number: 123', pattern: { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, event: withField('x-limit', 123), expected: false },
  {
    name: 'docs string list: running',
    pattern: { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    event: DOCS_EVENT,
    expected: true,
  },
  {
    name: 'docs string list: stopped',
    pattern: { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    event: withField('state', 'stopped'),
    expected: false,
  },
  { name: 'docs number list: 301.8', pattern: { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } }, event: DOCS_EVENT, expected: true },
  { name: 'docs number list: 200', pattern: { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } }, event: withField('x-limit', 200), expected: false },
  { name: 'a string is not the excluded number', pattern: { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, event: withField('x-limit', '123'), expected: true },
  { name: 'null is a value other than the excluded one', pattern: { detail: { state: [{ 'anything-but': 'x' }] } }, event: withField('state', null), expected: true },
  { name: 'docs prefix init: initializing', pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, event: withField('state', 'initializing'), expected: false },
  { name: 'docs prefix init: running', pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, event: DOCS_EVENT, expected: true },
  { name: 'docs prefix us-: eu-west-1', pattern: { region: [{ 'anything-but': { prefix: 'us-' } }] }, event: event({}, { region: 'eu-west-1' }), expected: true },
  { name: 'product pattern: shop.web', pattern: NOT_NUDGE, event: event({}, { source: 'shop.web' }), expected: true },
  { name: 'product pattern: nudge', pattern: NOT_NUDGE, event: event({}, { source: 'nudge' }), expected: false },
  { name: 'product pattern: nudge.internal', pattern: NOT_NUDGE, event: event({}, { source: 'nudge.internal' }), expected: false },
  { name: 'product pattern: no source', pattern: NOT_NUDGE, event: { 'detail-type': 'x', detail: {} }, expected: false },
  { name: 'prefix list', pattern: { region: [{ 'anything-but': { prefix: ['us-', 'eu-'] } }] }, event: event({}, { region: 'eu-west-1' }), expected: false },
  { name: 'docs suffix .png: a .txt', pattern: { detail: { FileName: [{ 'anything-but': { suffix: '.png' } }] } }, event: withField('FileName', 'a.txt'), expected: true },
  { name: 'docs suffix .png: a .png', pattern: { detail: { FileName: [{ 'anything-but': { suffix: '.png' } }] } }, event: withField('FileName', 'a.png'), expected: false },
  {
    name: 'docs equals-ignore-case: INITIALIZING',
    pattern: { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] } },
    event: withField('state', 'INITIALIZING'),
    expected: false,
  },
  {
    name: 'docs equals-ignore-case: running',
    pattern: { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] } },
    event: DOCS_EVENT,
    expected: true,
  },
  {
    name: 'docs equals-ignore-case list: overloaded',
    pattern: { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }] } },
    event: withField('state', 'overloaded'),
    expected: false,
  },
  {
    name: 'docs equals-ignore-case list: running',
    pattern: { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }] } },
    event: DOCS_EVENT,
    expected: true,
  },
  {
    name: 'docs wildcard */lib/*: inside lib',
    pattern: { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } },
    event: withField('FilePath', '/usr/lib/libc.so'),
    expected: false,
  },
  {
    name: 'docs wildcard */lib/*: outside lib',
    pattern: { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } },
    event: withField('FilePath', '/usr/bin/env'),
    expected: true,
  },
  {
    name: 'docs wildcard list: inside bin',
    pattern: { detail: { FilePath: [{ 'anything-but': { wildcard: ['*/lib/*', '*/bin/*'] } }] } },
    event: withField('FilePath', '/usr/bin/env'),
    expected: false,
  },
  {
    name: 'docs wildcard list: elsewhere',
    pattern: { detail: { FilePath: [{ 'anything-but': { wildcard: ['*/lib/*', '*/bin/*'] } }] } },
    event: withField('FilePath', '/etc/hosts'),
    expected: true,
  },
  { name: 'array: one element is not excluded', pattern: { resources: [{ 'anything-but': 'a' }] }, event: event({}, { resources: ['a', 'b'] }), expected: true },
  { name: 'array: every element excluded', pattern: { resources: [{ 'anything-but': 'a' }] }, event: event({}, { resources: ['a'] }), expected: false },
];

const numericCases: MatchCase[] = [
  { name: 'docs c-count > 0, <= 5: 5', pattern: { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, event: DOCS_EVENT, expected: true },
  { name: 'docs c-count > 0, <= 5: 0', pattern: { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, event: withField('c-count', 0), expected: false },
  { name: 'docs c-count > 0, <= 5: 6', pattern: { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, event: withField('c-count', 6), expected: false },
  { name: 'docs d-count < 10: 3', pattern: { detail: { 'd-count': [{ numeric: ['<', 10] }] } }, event: DOCS_EVENT, expected: true },
  { name: 'docs x-limit = 3.018e2', pattern: { detail: { 'x-limit': [{ numeric: ['=', 3.018e2] }] } }, event: DOCS_EVENT, expected: true },
  { name: 'docs Price = 100: 100', pattern: { detail: { Price: [{ numeric: ['=', 100] }] } }, event: withField('Price', 100), expected: true },
  { name: 'docs Price = 100: 100.5', pattern: { detail: { Price: [{ numeric: ['=', 100] }] } }, event: withField('Price', 100.5), expected: false },
  { name: 'strings never match numeric', pattern: { detail: { Price: [{ numeric: ['=', 100] }] } }, event: withField('Price', '100'), expected: false },
  { name: 'booleans never match numeric', pattern: { detail: { Price: [{ numeric: ['>', 0] }] } }, event: withField('Price', true), expected: false },
  { name: 'docs Price > 10, <= 20: 20', pattern: { detail: { Price: [{ numeric: ['>', 10, '<=', 20] }] } }, event: withField('Price', 20), expected: true },
  { name: 'docs Price > 10, <= 20: 10', pattern: { detail: { Price: [{ numeric: ['>', 10, '<=', 20] }] } }, event: withField('Price', 10), expected: false },
  { name: '>= includes the bound', pattern: { detail: { n: [{ numeric: ['>=', 5] }] } }, event: withField('n', 5), expected: true },
  { name: '> excludes the bound', pattern: { detail: { n: [{ numeric: ['>', 5] }] } }, event: withField('n', 5), expected: false },
  { name: '< excludes the bound', pattern: { detail: { n: [{ numeric: ['<', 10] }] } }, event: withField('n', 10), expected: false },
  { name: '<= includes the bound', pattern: { detail: { n: [{ numeric: ['<=', 10] }] } }, event: withField('n', 10), expected: true },
  { name: 'negative and fractional values', pattern: { detail: { n: [{ numeric: ['>=', -1.5, '<', 0] }] } }, event: withField('n', -0.25), expected: true },
  { name: 'missing field does not match', pattern: { detail: { n: [{ numeric: ['>', 0] }] } }, event: DOCS_EVENT, expected: false },
];

const cidrCases: MatchCase[] = [
  { name: 'docs IPv4 10.0.0.0/24: 10.0.0.33', pattern: { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, event: DOCS_EVENT, expected: true },
  { name: 'docs IPv4 10.0.0.0/24: 10.0.1.33', pattern: { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, event: withField('source-ip', '10.0.1.33'), expected: false },
  { name: 'IPv4 /8', pattern: { detail: { 'source-ip': [{ cidr: '10.0.0.0/8' }] } }, event: withField('source-ip', '10.200.3.4'), expected: true },
  { name: 'IPv4 /32 is one address', pattern: { detail: { 'source-ip': [{ cidr: '10.0.0.33/32' }] } }, event: withField('source-ip', '10.0.0.34'), expected: false },
  { name: 'IPv6 2001:db8::/64: compressed', pattern: { detail: { sourceIPAddress: [{ cidr: '2001:db8::/64' }] } }, event: withField('sourceIPAddress', '2001:db8::1'), expected: true },
  {
    name: 'IPv6 2001:db8::/64: full form',
    pattern: { detail: { sourceIPAddress: [{ cidr: '2001:db8::/64' }] } },
    event: withField('sourceIPAddress', '2001:0db8:0000:0000:ffff:ffff:ffff:ffff'),
    expected: true,
  },
  {
    name: 'IPv6 2001:db8::/64: next /64',
    pattern: { detail: { sourceIPAddress: [{ cidr: '2001:db8::/64' }] } },
    event: withField('sourceIPAddress', '2001:db8:0:1::1'),
    expected: false,
  },
  { name: 'IPv4 address vs IPv6 block', pattern: { detail: { ip: [{ cidr: '2001:db8::/64' }] } }, event: withField('ip', '10.0.0.1'), expected: false },
  { name: 'not an IP address', pattern: { detail: { ip: [{ cidr: '10.0.0.0/8' }] } }, event: withField('ip', '10.0.0.x'), expected: false },
  { name: 'a number is not an IP address', pattern: { detail: { ip: [{ cidr: '10.0.0.0/8' }] } }, event: withField('ip', 10), expected: false },
];

const existsCases: MatchCase[] = [
  { name: 'docs exists true: field present', pattern: { detail: { state: [{ exists: true }] } }, event: DOCS_EVENT, expected: true },
  { name: 'exists true: field missing', pattern: { detail: { state: [{ exists: true }] } }, event: event({ 'c-count': 5 }), expected: false },
  { name: 'docs exists false: field missing', pattern: { detail: { 'c-count': [{ exists: false }] } }, event: event({ state: 'running' }), expected: true },
  { name: 'exists false: field present', pattern: { detail: { 'c-count': [{ exists: false }] } }, event: DOCS_EVENT, expected: false },
  { name: 'exists true: null is a value', pattern: { detail: { state: [{ exists: true }] } }, event: withField('state', null), expected: true },
  { name: 'exists false: null is a value', pattern: { detail: { state: [{ exists: false }] } }, event: withField('state', null), expected: false },
  { name: 'exists true: empty string is a value', pattern: { detail: { state: [{ exists: true }] } }, event: withField('state', ''), expected: true },
  // docs: exists only works on leaf nodes, so an object-valued field counts as absent.
  { name: 'docs exists true: object is not a leaf', pattern: { detail: { 'c-count': [{ exists: true }] } }, event: withField('c-count', { c1: 100 }), expected: false },
  { name: 'docs exists false: object is not a leaf', pattern: { detail: { 'c-count': [{ exists: false }] } }, event: withField('c-count', { c1: 100 }), expected: true },
  { name: 'exists false: whole parent missing', pattern: { detail: { 'c-count': [{ exists: false }] } }, event: { source: 'x' }, expected: true },
  { name: 'exists true: array of values', pattern: { resources: [{ exists: true }] }, event: DOCS_EVENT, expected: true },
  { name: 'exists true: empty array has no leaf values', pattern: { resources: [{ exists: true }] }, event: event({}, { resources: [] }), expected: false },
];

const CLOUDWATCH_OR = {
  source: ['aws.cloudwatch'],
  $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
};
const OR_WITH_AND = {
  source: ['aws.cloudwatch'],
  $or: [
    { metricName: ['CPUUtilization', 'ReadLatency'] },
    { metricType: ['MetricType'], namespace: ['AWS/EC2', 'AWS/ES'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] },
    { scope: ['Service'] },
  ],
};
const DETAIL_OR = {
  detail: {
    $or: [
      { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
      { 'd-count': [{ numeric: ['<', 10] }] },
      { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
    ],
  },
};
const orCases: MatchCase[] = [
  { name: 'top level: first branch', pattern: CLOUDWATCH_OR, event: { source: 'aws.cloudwatch', metricName: 'CPUUtilization' }, expected: true },
  { name: 'top level: second branch', pattern: CLOUDWATCH_OR, event: { source: 'aws.cloudwatch', namespace: 'AWS/ES' }, expected: true },
  { name: 'top level: no branch', pattern: CLOUDWATCH_OR, event: { source: 'aws.cloudwatch', metricName: 'DiskIO' }, expected: false },
  { name: 'top level: sibling key still required', pattern: CLOUDWATCH_OR, event: { source: 'aws.ec2', metricName: 'CPUUtilization' }, expected: false },
  {
    name: 'docs Location or Day: Day matches',
    pattern: { detail: { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] } },
    event: event({ Location: 'Boston', Day: 'Monday' }),
    expected: true,
  },
  {
    name: 'docs Location or Day: neither',
    pattern: { detail: { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] } },
    event: event({ Location: 'Boston', Day: 'Tuesday' }),
    expected: false,
  },
  { name: 'nested in detail: x-limit branch', pattern: DETAIL_OR, event: event({ 'c-count': 10, 'd-count': 20, 'x-limit': 301.8 }), expected: true },
  { name: 'nested in detail: no branch', pattern: DETAIL_OR, event: event({ 'c-count': 10, 'd-count': 20, 'x-limit': 1 }), expected: false },
  {
    name: 'branch with AND and nested $or: all hold',
    pattern: OR_WITH_AND,
    event: { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1000 },
    expected: true,
  },
  {
    name: 'branch with AND: nested $or fails',
    pattern: OR_WITH_AND,
    event: { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1 },
    expected: false,
  },
  { name: 'branch with AND: half of the AND', pattern: OR_WITH_AND, event: { source: 'aws.cloudwatch', metricType: 'MetricType' }, expected: false },
  {
    name: 'parallel $or at two levels: both hold',
    pattern: { $or: [{ source: ['a'] }, { region: ['us-east-1'] }], detail: { $or: [{ state: ['running'] }, { x: ['y'] }] } },
    event: DOCS_EVENT,
    expected: true,
  },
  {
    name: 'parallel $or at two levels: inner fails',
    pattern: { $or: [{ source: ['a'] }, { region: ['us-east-1'] }], detail: { $or: [{ state: ['stopped'] }, { x: ['y'] }] } },
    event: DOCS_EVENT,
    expected: false,
  },
];

/** The event-ruler README's complex example, which the docs event matches in full. */
const COMPLEX_PATTERN = {
  time: [{ prefix: '2017-10-02' }],
  detail: {
    state: [{ 'anything-but': 'initializing' }],
    'c-count': [{ numeric: ['>', 0, '<=', 5] }],
    'd-count': [{ numeric: ['<', 10] }],
    'x-limit': [{ 'anything-but': [100, 200, 300] }],
    'source-ip': [{ cidr: '10.0.0.0/8' }],
  },
};
const MIXED = { detail: { state: ['a', { prefix: 'b' }] } };
const combinationCases: MatchCase[] = [
  { name: 'exact or prefix: exact', pattern: MIXED, event: withField('state', 'a'), expected: true },
  { name: 'exact or prefix: prefix', pattern: MIXED, event: withField('state', 'bcd'), expected: true },
  { name: 'exact or prefix: neither', pattern: MIXED, event: withField('state', 'c'), expected: false },
  { name: 'exists false or value: missing', pattern: { detail: { tier: [{ exists: false }, 'gold'] } }, event: event({}), expected: true },
  { name: 'exists false or value: value', pattern: { detail: { tier: [{ exists: false }, 'gold'] } }, event: withField('tier', 'gold'), expected: true },
  { name: 'exists false or value: other value', pattern: { detail: { tier: [{ exists: false }, 'gold'] } }, event: withField('tier', 'silver'), expected: false },
  { name: 'numeric or exact number', pattern: { detail: { n: [{ numeric: ['>', 100] }, 5] } }, event: withField('n', 5), expected: true },
  { name: 'event-ruler complex example', pattern: COMPLEX_PATTERN, event: DOCS_EVENT, expected: true },
  { name: 'event-ruler complex example: one field off', pattern: COMPLEX_PATTERN, event: event({ ...DOCS_DETAIL, 'source-ip': '192.168.0.1' }), expected: false },
];

const MATCH_CASES: Array<[string, MatchCase[]]> = [
  ['exact values', exactCases],
  ['arrays', arrayCases],
  ['prefix', prefixCases],
  ['suffix', suffixCases],
  ['equals-ignore-case', equalsIgnoreCaseCases],
  ['wildcard', wildcardCases],
  ['anything-but', anythingButCases],
  ['numeric', numericCases],
  ['cidr', cidrCases],
  ['exists', existsCases],
  ['$or', orCases],
  ['combined operators', combinationCases],
];

describe.each(MATCH_CASES)('matchesEventPattern: %s', (_operator, cases) => {
  it.each(cases)('$name', ({ pattern, event: input, expected }) => {
    expect(matchesEventPattern(pattern, input)).toBe(expected);
  });
});

interface InvalidCase {
  name: string;
  pattern: unknown;
  /** Text the error message must contain: the offending key, operator or value. */
  mentions: string[];
}

const invalidCases: InvalidCase[] = [
  { name: 'pattern is not an object', pattern: ['source'], mentions: ['JSON object'] },
  { name: 'pattern is null', pattern: null, mentions: ['JSON object'] },
  { name: 'leaf is not an array', pattern: { source: 'aws.ec2' }, mentions: ['"source"', 'array'] },
  { name: 'empty pattern array', pattern: { source: [] }, mentions: ['"source"', 'empty arrays'] },
  { name: 'empty nested object', pattern: { detail: {} }, mentions: ['"detail"', 'empty objects'] },
  { name: 'nested array as a value', pattern: { detail: { state: [['a']] } }, mentions: ['"detail.state"'] },
  { name: 'unknown operator', pattern: { detail: { state: [{ foo: 1 }] } }, mentions: ['"detail.state"', '"foo"'] },
  { name: 'operator object with two keys', pattern: { state: [{ prefix: 'a', suffix: 'b' }] }, mentions: ['"state"', '"prefix", "suffix"'] },
  { name: 'prefix is not a string', pattern: { state: [{ prefix: 1 }] }, mentions: ['"state"', 'prefix'] },
  { name: 'prefix object other than equals-ignore-case', pattern: { state: [{ prefix: { wildcard: 'a*' } }] }, mentions: ['prefix', '"wildcard"'] },
  { name: 'numeric with a bad operator', pattern: { n: [{ numeric: ['!=', 5] }] }, mentions: ['"n"', '"!="'] },
  { name: 'numeric value is a string', pattern: { n: [{ numeric: ['>', '5'] }] }, mentions: ['"n"', 'must be a number'] },
  { name: 'numeric range upper bound first', pattern: { n: [{ numeric: ['<', 5, '>', 0] }] }, mentions: ['"n"', 'lower bound'] },
  { name: 'numeric range bottom above top', pattern: { n: [{ numeric: ['>', 5, '<', 1] }] }, mentions: ['"n"', 'bottom must be less than top'] },
  { name: 'numeric is not an array', pattern: { n: [{ numeric: 5 }] }, mentions: ['"n"', 'numeric'] },
  { name: 'exists is not a boolean', pattern: { detail: { x: [{ exists: 'yes' }] } }, mentions: ['"detail.x"', 'exists'] },
  { name: '$or is not an array', pattern: { $or: { a: ['b'] } }, mentions: ['"$or"'] },
  { name: '$or holds a non-object', pattern: { $or: [['a'], { b: ['c'] }] }, mentions: ['"$or[0]"', 'only objects'] },
  { name: '$or has one branch', pattern: { detail: { $or: [{ a: ['b'] }] } }, mentions: ['"detail.$or"', 'at least 2'] },
  { name: 'bad leaf inside a $or branch', pattern: { $or: [{ a: ['b'] }, { c: 'd' }] }, mentions: ['"$or[1].c"'] },
  { name: 'operator name as a field inside $or', pattern: { $or: [{ prefix: ['a'] }, { b: ['c'] }] }, mentions: ['"$or[0].prefix"', 'operator name'] },
  { name: 'consecutive wildcards', pattern: { key: [{ wildcard: 'a**b' }] }, mentions: ['"key"', 'consecutive'] },
  { name: 'invalid wildcard escape', pattern: { key: [{ wildcard: 'a\\b' }] }, mentions: ['"key"', 'escape'] },
  { name: 'cidr without a prefix length', pattern: { ip: [{ cidr: '10.0.0.0' }] }, mentions: ['"ip"', '10.0.0.0'] },
  { name: 'cidr prefix too long', pattern: { ip: [{ cidr: '10.0.0.0/33' }] }, mentions: ['"ip"', 'at most 32'] },
  { name: 'cidr with a hostname', pattern: { ip: [{ cidr: 'example.com/8' }] }, mentions: ['"ip"', 'example.com/8'] },
  { name: 'anything-but mixed list', pattern: { s: [{ 'anything-but': ['a', 1] }] }, mentions: ['"s"', 'only strings or only numbers'] },
  { name: 'anything-but unsupported operator', pattern: { s: [{ 'anything-but': { numeric: ['>', 1] } }] }, mentions: ['"s"', '"numeric"'] },
  { name: 'anything-but empty prefix', pattern: { s: [{ 'anything-but': { prefix: '' } }] }, mentions: ['"s"', 'anything-but.prefix'] },
  { name: 'anything-but null', pattern: { s: [{ 'anything-but': null }] }, mentions: ['"s"', 'anything-but'] },
  // Divergence guards: AWS accepts these, but the local matcher would evaluate them differently.
  { name: 'a key written with a dot', pattern: { 'detail.state': ['on'] }, mentions: ['"detail.state"', 'nest it'] },
  { name: 'a dotted key deeper down', pattern: { detail: { 'a.b': ['x'] } }, mentions: ['"detail.a.b"', 'dot'] },
  { name: 'an integer beyond double precision', pattern: { n: [9007199254740993] }, mentions: ['"n"', 'double precision'] },
  { name: 'anything-but an unsafe integer', pattern: { n: [{ 'anything-but': [1, 2 ** 60] }] }, mentions: ['"n"', 'double precision'] },
  { name: 'numeric beyond 5e9', pattern: { n: [{ numeric: ['>', 6e9] }] }, mentions: ['"n"', '-5e9 to 5e9'] },
  { name: 'numeric with seven decimals', pattern: { n: [{ numeric: ['<', 1.2345678] }] }, mentions: ['"n"', 'six decimal places'] },
  { name: 'equals-ignore-case beyond ASCII', pattern: { s: [{ 'equals-ignore-case': 'STRAẞE' }] }, mentions: ['"s"', 'non-ASCII'] },
  { name: 'prefix ignoring case beyond ASCII', pattern: { s: [{ prefix: { 'equals-ignore-case': 'İst' } }] }, mentions: ['"s"', 'non-ASCII'] },
  { name: 'anything-but ignoring case beyond ASCII', pattern: { s: [{ 'anything-but': { 'equals-ignore-case': ['ǅ'] } }] }, mentions: ['"s"', 'non-ASCII'] },
  { name: 'cidr with leading zeros', pattern: { ip: [{ cidr: '010.0.0.0/8' }] }, mentions: ['"ip"', '010.0.0.0/8'] },
  { name: 'cidr with IPv4 inside IPv6', pattern: { ip: [{ cidr: '::ffff:10.0.0.0/104' }] }, mentions: ['"ip"', 'unusual address spelling'] },
];

describe('validateEventPattern', () => {
  it.each(invalidCases)('rejects: $name', ({ pattern, mentions }) => {
    let caught: unknown;
    try {
      validateEventPattern(pattern);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidEventPatternError);
    expect((caught as Error).name).toBe('InvalidEventPatternError');
    for (const text of mentions) expect((caught as Error).message).toContain(text);
  });

  it('returns every valid pattern used above unchanged', () => {
    for (const [, cases] of MATCH_CASES) {
      for (const { pattern } of cases) expect(validateEventPattern(pattern)).toBe(pattern);
    }
  });

  it('matchesEventPattern refuses a malformed pattern instead of silently not matching', () => {
    expect(() => matchesEventPattern({ source: [{ foo: 'bar' }] }, DOCS_EVENT)).toThrow(InvalidEventPatternError);
  });
});
