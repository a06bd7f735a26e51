import { Command } from 'commander';
import { addPolicyOptions, policyBody, policyRows, type PolicyOptions } from './policy.options';

function parse(args: string[]): PolicyOptions {
  const cmd = addPolicyOptions(new Command().exitOverride().configureOutput({ writeErr: () => undefined }));
  cmd.parse(args, { from: 'user' });
  return cmd.opts<PolicyOptions>();
}

describe('policy options', () => {
  it('--max-choices sends maxChoices, within 1..128', () => {
    expect(policyBody(parse(['--max-choices', '4']))).toEqual({ maxChoices: 4 });
    expect(policyBody(parse(['--max-choices', '128']))).toEqual({ maxChoices: 128 });
    expect(() => parse(['--max-choices', '129'])).toThrow(/1 to 128/);
    expect(() => parse(['--max-choices', '0'])).toThrow(/at least 1/);
  });

  it('shows max choices among the policy rows', () => {
    const rows = policyRows({
      allowedModels: [], modelAliases: {}, perModelMaxTokens: {}, rpm: null, tpm: null, maxParallel: null, maxChoices: 4, budgetUsd: null, budgetPeriod: null,
    });
    expect(rows).toContainEqual(['max choices', 4]);
  });
});
