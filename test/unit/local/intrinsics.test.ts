import { describe, expect, it } from 'vitest';
import { resolveIntrinsics, UnresolvableIntrinsicError, type LocalResource } from '#local/stack/intrinsics.ts';

const resources = new Map<string, LocalResource>([
  ['Queue1', { ref: 'http://127.0.0.1:9324/123456789012/Queue1', attributes: { Arn: 'arn:aws:sqs:us-east-1:123456789012:Queue1' } }],
  ['Table1', { ref: 'Table1', attributes: { Arn: 'arn:aws:dynamodb:us-east-1:123456789012:table/Table1' } }],
]);

describe('resolveIntrinsics', () => {
  it('resolves Ref, GetAtt, Join, Sub and pseudo parameters inside nested values', () => {
    expect(
      resolveIntrinsics(
        {
          url: { Ref: 'Queue1' },
          arn: { 'Fn::GetAtt': ['Table1', 'Arn'] },
          joined: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':x']] },
          sub: { 'Fn::Sub': 'table ${Table1} in ${AWS::Region}' },
          list: [{ Ref: 'Table1' }, 'plain'],
        },
        resources,
      ),
    ).toEqual({
      url: 'http://127.0.0.1:9324/123456789012/Queue1',
      arn: 'arn:aws:dynamodb:us-east-1:123456789012:table/Table1',
      joined: 'arn:aws:x',
      sub: 'table Table1 in us-east-1',
      list: ['Table1', 'plain'],
    });
  });

  it('fails loudly on a reference it cannot resolve', () => {
    expect(() => resolveIntrinsics({ Ref: 'Nope' }, resources)).toThrow(UnresolvableIntrinsicError);
    expect(() => resolveIntrinsics({ 'Fn::GetAtt': ['Queue1', 'Nope'] }, resources)).toThrow(/Queue1\.Nope/);
  });
});
