import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionsOf, functionIdByEntry, resourcesOf, resourcesOfType, statementsOfFunction, removeSynthOutputs, synthTemplate } from './support/synth.ts';

afterAll(removeSynthOutputs);

/**
 * Issue 20 item 9: the daily jobs scanned the whole table with a `kind` filter, so their reads grew
 * with every send, decision and snapshot kept. They read two sparse indexes instead, and their
 * roles may Scan those indexes only (never the table). Names are spelled out here, not imported:
 * the template is the contract a deployed table and its backfill depend on.
 */
const PROFILE_PASS_ENTRIES = [
  'functions/scheduled/sweep-profiles.ts',
  'functions/scheduled/score-profiles.ts',
  'functions/scheduled/score-segment.ts',
  'functions/scheduled/train-models.ts',
  'functions/reports/segment-experiment.ts',
];
const TRAINING_ENTRY = 'functions/scheduled/train-models.ts';

describe('the sparse indexes the jobs read', () => {
  let template: Template;
  let tableId: string;
  beforeAll(() => {
    ({ template } = synthTemplate());
    tableId = Object.keys(resourcesOfType(template, 'AWS::DynamoDB::Table'))[0]!;
  });

  const table = () => resourcesOfType(template, 'AWS::DynamoDB::Table')[tableId]!.Properties!;
  const indexArn = (index: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, `/index/${index}`]] });
  const tableArn = () => ({ 'Fn::GetAtt': [tableId, 'Arn'] });
  const scanResources = (entry: string) =>
    statementsOfFunction(template, functionIdByEntry(template, entry))
      .filter((statement) => statement.Effect === 'Allow' && actionsOf(statement).includes('dynamodb:Scan'))
      .flatMap(resourcesOf);

  it('the table has a KEYS_ONLY `profiles` index keyed by an attribute only profiles carry', () => {
    expect(table().GlobalSecondaryIndexes).toContainEqual({ IndexName: 'profiles', KeySchema: [{ AttributeName: 'profileIndexPk', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } });
    expect(table().AttributeDefinitions).toContainEqual({ AttributeName: 'profileIndexPk', AttributeType: 'S' });
  });

  it('the table has an ALL-projected `labelled-snapshots` index', () => {
    expect(table().GlobalSecondaryIndexes).toContainEqual({ IndexName: 'labelled-snapshots', KeySchema: [{ AttributeName: 'labelledIndexPk', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } });
  });

  it('each job that reads every profile may Scan the `profiles` index only (not the table) and BatchGetItem on the table', () => {
    for (const entry of PROFILE_PASS_ENTRIES) {
      const expected = entry === TRAINING_ENTRY ? [indexArn('profiles'), indexArn('labelled-snapshots')] : [indexArn('profiles')];
      expect(scanResources(entry), entry).toHaveLength(expected.length);
      expect(scanResources(entry), entry).toEqual(expect.arrayContaining(expected));
      const batchGet = statementsOfFunction(template, functionIdByEntry(template, entry)).filter((statement) => actionsOf(statement).includes('dynamodb:BatchGetItem'));
      expect(batchGet.flatMap(resourcesOf), entry).toEqual([tableArn()]);
    }
  });

  it('no function may Scan the table itself, nor any index by wildcard', () => {
    for (const id of Object.keys(resourcesOfType(template, 'AWS::Lambda::Function'))) {
      for (const statement of statementsOfFunction(template, id)) {
        if (!actionsOf(statement).some((action) => action === 'dynamodb:Scan' || action === 'dynamodb:*')) continue;
        for (const resource of resourcesOf(statement)) {
          expect(resource, id).not.toEqual(tableArn());
          expect(JSON.stringify(resource), id).not.toContain('index/*');
        }
      }
    }
  });

  it('sparseIndexes=profiles deploys the profiles index alone (CloudFormation adds one index per update); other values are refused', () => {
    const { template: first } = synthTemplate({ sparseIndexes: 'profiles' });
    const indexes = (Object.values(resourcesOfType(first, 'AWS::DynamoDB::Table'))[0]!.Properties!.GlobalSecondaryIndexes as Array<{ IndexName: string }>).map((index) => index.IndexName);
    expect(indexes).toEqual(['profiles']);
    expect(() => synthTemplate({ sparseIndexes: 'some' })).toThrow(/sparseIndexes/);
  });
});
