import type { Principal } from '@llmp/common';
import type { KeyAuthService } from '../keys/key-auth.service';
import { AuthenticateStage } from './authenticate.stage';

describe('AuthenticateStage', () => {
  it('delegates the credentials to KeyAuthService', async () => {
    const principal: Principal = { kind: 'anonymous' };
    const authenticate = jest.fn().mockResolvedValue(principal);
    const stage = new AuthenticateStage({ authenticate } as unknown as KeyAuthService);
    await expect(stage.run(['a', 'b'])).resolves.toBe(principal);
    expect(authenticate).toHaveBeenCalledWith(['a', 'b']);
  });
});
