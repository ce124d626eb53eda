import { siteKey } from '../api/base';

/** The login of this browser on this site: the bearer token, kept per site in local storage. */
export class Session {
  private readonly key = `zawaroom.token.${siteKey()}`;

  token(): string | null {
    return localStorage.getItem(this.key);
  }

  signIn(token: string): void {
    localStorage.setItem(this.key, token);
  }

  signOut(): void {
    localStorage.removeItem(this.key);
  }
}
