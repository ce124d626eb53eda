// Entra ID / Azure AD B2C sign-in in the browser: the OAuth 2.0 authorization code flow with PKCE
// (RFC 7636) against the endpoints login-options gives, as a public SPA client. The id token that
// comes back is the bearer token the API validates (audience = the client id).
import type { EntraClient, LoginOption } from '../api/types';

const pendingKey = 'zawaroom.signin';

interface Pending {
  state: string;
  verifier: string;
  tokenUrl: string;
  clientId: string;
  redirectUri: string;
  next: string;
  provider: string;
}

function base64Url(bytes: Uint8Array): string {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomText(bytes = 32): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** The S256 code challenge of a verifier. */
export async function challengeOf(verifier: string): Promise<string> {
  return base64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}

/**
 * Sends the person to the provider (sign-in, or for aad-b2c the first-time sign-up). They come back
 * to {redirectUri} with a code, which {@link completeSignIn} exchanges for the id token.
 */
export async function startSignIn(provider: LoginOption & { client: EntraClient }, redirectUri: string, next: string, signUp = false): Promise<void> {
  const client = provider.client;
  const authorizeUrl = signUp && client.signUpAuthorizeUrl ? client.signUpAuthorizeUrl : client.authorizeUrl;
  const tokenUrl = signUp && client.signUpTokenUrl ? client.signUpTokenUrl : client.tokenUrl;
  const pending: Pending = { state: randomText(16), verifier: randomText(48), tokenUrl, clientId: client.clientId, redirectUri, next, provider: provider.name };
  sessionStorage.setItem(pendingKey, JSON.stringify(pending));
  const url = new URL(authorizeUrl);
  url.searchParams.set('client_id', client.clientId);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('response_mode', 'query');
  url.searchParams.set('scope', client.scope);
  url.searchParams.set('state', pending.state);
  url.searchParams.set('nonce', randomText(16));
  url.searchParams.set('code_challenge', await challengeOf(pending.verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  if (signUp && !client.signUpAuthorizeUrl) url.searchParams.set('prompt', 'login');
  location.assign(url.toString());
}

export type SignInResult =
  | { ok: true; idToken: string; next: string }
  | { ok: false; reason: 'no-pending' | 'state-mismatch' | 'provider-error' | 'token-failed'; detail?: string };

/** The redirect back from the provider: checks the state and exchanges the code for the id token. */
export async function completeSignIn(query: URLSearchParams): Promise<SignInResult> {
  const text = sessionStorage.getItem(pendingKey);
  sessionStorage.removeItem(pendingKey);
  if (!text) return { ok: false, reason: 'no-pending' };
  const pending = JSON.parse(text) as Pending;
  if (query.get('state') !== pending.state) return { ok: false, reason: 'state-mismatch' };
  const error = query.get('error');
  if (error) return { ok: false, reason: 'provider-error', detail: query.get('error_description') ?? error };
  const code = query.get('code');
  if (!code) return { ok: false, reason: 'provider-error', detail: 'no code' };
  try {
    const response = await fetch(pending.tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code', client_id: pending.clientId, code, redirect_uri: pending.redirectUri, code_verifier: pending.verifier,
      }),
    });
    const body = (await response.json().catch(() => ({}))) as { id_token?: string; error_description?: string };
    if (!response.ok || !body.id_token) return { ok: false, reason: 'token-failed', detail: body.error_description };
    return { ok: true, idToken: body.id_token, next: pending.next };
  } catch {
    return { ok: false, reason: 'token-failed' };
  }
}
