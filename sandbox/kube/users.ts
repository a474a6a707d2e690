// Bearer token → authenticated user, like the apiserver's static token authenticator.
import { randomBytes } from 'node:crypto';

export interface KubeUser {
  username: string;
  groups: string[];
}

export const ADMIN_USERNAME = 'system:admin';
export const ADMIN_GROUPS = ['system:masters', 'system:authenticated'];

export class UserDirectory {
  readonly adminToken = `admin-${randomBytes(16).toString('hex')}`;
  private readonly byToken = new Map<string, KubeUser>([[this.adminToken, { username: ADMIN_USERNAME, groups: ADMIN_GROUPS }]]);

  add(user: { token: string; username: string; groups?: string[] }): void {
    const groups = [...(user.groups ?? [])];
    const sa = /^system:serviceaccount:([^:]+):[^:]+$/.exec(user.username);
    if (sa?.[1] !== undefined) groups.push('system:serviceaccounts', `system:serviceaccounts:${sa[1]}`);
    if (!groups.includes('system:authenticated')) groups.push('system:authenticated');
    this.byToken.set(user.token, { username: user.username, groups });
  }

  /** The user for an `Authorization` header, or undefined (→ 401). */
  authenticate(authorization: string | undefined): KubeUser | undefined {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    return m?.[1] === undefined ? undefined : this.byToken.get(m[1]);
  }

  tokenFor(username: string): string | undefined {
    for (const [token, user] of this.byToken) if (user.username === username) return token;
    return undefined;
  }
}
