/**
 * Least privilege, checked against the reviewed table in infra/permissions.json: each function's role may
 * do exactly what the table lists, on exactly the resources it names. No managed policies, no `dynamodb:*`,
 * no wildcard resource except X-Ray's (which has no resource-level permissions).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/constructs/signpost-function.js';
import { PROD_CONTEXT, resourcesOfType, synthSignpost } from './synth.js';

type PermissionTable = Record<string, Record<string, string[]>>;

const expected: PermissionTable = Object.fromEntries(
  Object.entries(JSON.parse(readFileSync(join(PROJECT_ROOT, 'infra', 'permissions.json'), 'utf8'))).filter(
    ([key]) => !key.startsWith('$'),
  ),
) as PermissionTable;

const synthesized = synthSignpost(PROD_CONTEXT);
afterAll(() => synthesized.cleanup());

/** Names a policy statement's resource the way the permission table does, or fails on anything unknown. */
function resourceLabel(resource: unknown, functionId: string): string {
  if (resource === '*') return '*';
  const text = JSON.stringify(resource);
  const table = /ExportsOutputFnGetAtt(ConfigTable|StatsTable)[0-9A-F]{8}Arn/.exec(text)?.[1];
  if (table) {
    const index = /"\/index\/([\w-]+)"/.exec(text)?.[1];
    return index ? `${table}/index/${index}` : table;
  }
  if (new RegExp(`^\\{"Fn::GetAtt":\\["${functionId}LogGroup[0-9A-F]{8}","Arn"\\]\\}$`).test(text))
    return 'OwnLogGroup';
  if (text.includes(`:parameter${synthesized.config.tokenSecretParameterName}"`))
    return 'TokenSecretParameter';
  if (/^\{"Ref":"OriginVerifySecret[0-9A-F]{8}"\}$/.test(text)) return 'OriginVerifySecret';
  throw new Error(`unknown resource in ${functionId}'s policy: ${text}`);
}

function grantsOf(functionId: string): Record<string, string[]> {
  const api = synthesized.api;
  const roles = resourcesOfType(api, 'AWS::IAM::Role').filter(([id]) => id.startsWith(`${functionId}Role`));
  expect(roles).toHaveLength(1);
  const [roleId, role] = roles[0] as (typeof roles)[number];
  expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  expect(role.Properties.Policies).toBeUndefined();
  expect(role.Properties.AssumeRolePolicyDocument).toMatchObject({
    Statement: [
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
    ],
  });

  const grants: Record<string, Set<string>> = {};
  const policies = resourcesOfType(api, 'AWS::IAM::Policy').filter(([, policy]) =>
    JSON.stringify(policy.Properties.Roles).includes(`"${roleId}"`),
  );
  expect(policies).toHaveLength(1);
  for (const [, policy] of policies) {
    const statements = (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] })
      .Statement;
    for (const statement of statements) {
      expect(statement.Effect).toBe('Allow');
      expect(statement.NotAction).toBeUndefined();
      expect(statement.NotResource).toBeUndefined();
      expect(statement.Condition).toBeUndefined();
      const actions = ([] as string[]).concat(statement.Action as string | string[]);
      const resources = ([] as unknown[]).concat(statement.Resource);
      for (const resource of resources) {
        const label = resourceLabel(resource, functionId);
        grants[label] ??= new Set();
        for (const action of actions) grants[label].add(action);
      }
    }
  }
  return Object.fromEntries(Object.entries(grants).map(([label, actions]) => [label, [...actions].sort()]));
}

describe('function permissions', () => {
  it('lists every function of the stack, and only those', () => {
    const functions = resourcesOfType(synthesized.api, 'AWS::Lambda::Function').map(([id]) =>
      id.replace(/Function[0-9A-F]{8}$/, ''),
    );
    expect(functions.sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.keys(expected))('%s is granted exactly what infra/permissions.json lists', (functionId) => {
    const table = Object.fromEntries(
      Object.entries(expected[functionId] ?? {}).map(([label, actions]) => [label, [...actions].sort()]),
    );
    expect(grantsOf(functionId)).toEqual(table);
  });

  it('grants no service wildcard and no resource wildcard beyond X-Ray', () => {
    for (const functionId of Object.keys(expected)) {
      for (const [label, actions] of Object.entries(grantsOf(functionId))) {
        for (const action of actions) expect(action).not.toMatch(/\*/);
        if (label === '*') expect(actions.every((action) => action.startsWith('xray:'))).toBe(true);
      }
    }
  });

  it('never lets the partner API write or delete configuration', () => {
    const partner = grantsOf('PartnerApi');
    expect(partner.ConfigTable).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
    for (const actions of Object.values(partner)) {
      expect(actions).not.toContain('dynamodb:DeleteItem');
      expect(actions).not.toContain('dynamodb:BatchWriteItem');
      expect(actions).not.toContain('dynamodb:PutItem');
    }
  });

  it('lets only the two functions behind CloudFront read the origin-verify secret', () => {
    const readers = Object.keys(expected).filter((id) => grantsOf(id).OriginVerifySecret !== undefined);
    expect(readers.sort()).toEqual(['AdminApi', 'PartnerApi']);
  });

  it('keeps the token secret away from every function but the partner API', () => {
    for (const functionId of Object.keys(expected).filter((id) => id !== 'PartnerApi')) {
      expect(grantsOf(functionId).TokenSecretParameter).toBeUndefined();
    }
  });
});
