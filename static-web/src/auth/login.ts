import { ApiError } from '../api/client';
import type { EntraClient, LoginOption } from '../api/types';
import { completeSignIn, startSignIn } from './entra';
import type { AppContext, Page, Route } from '../app/context';
import { checkField } from '../ui/dialog';
import { h } from '../ui/dom';
import { errorBox, showError } from '../ui/notice';
import { t } from '../i18n';

/** The login page (S4): the site's enabled providers in their order; the local login form when offered. */
async function loginPage(ctx: AppContext): Promise<Page> {
  const next = safeNext(new URLSearchParams(location.search).get('next'));
  let options = ctx.options;
  if (!options) {
    try {
      options = ctx.options = await ctx.api.loginOptions();
    } catch (error) {
      const message = error instanceof ApiError && error.code === 'not-found' ? h('p', { class: 'error', role: 'alert' }, t('login.siteNotFound')) : errorBox(error);
      return { title: t('login.title'), content: h('div', { class: 'login-page' }, h('div', { class: 'login-card' }, h('h1', {}, t('login.title')), message)) };
    }
  }
  const providers = options.providers;
  return {
    title: t('login.title'),
    content: h('div', { class: 'login-page' },
      h('div', { class: 'login-card' },
        h('h1', {}, t('login.title')),
        providers.length === 0
          ? h('p', { class: 'muted' }, t('login.noProviders'))
          : h('p', { class: 'muted' }, t('login.subtitle')),
        h('ul', { class: 'providers', 'data-testid': 'login-providers' },
          providers.map((provider) => h('li', {}, provider.authType === 'local' ? localLogin(ctx, next) : providerButton(ctx, provider, next)))))),
  };
}

const hasClient = (provider: LoginOption): provider is LoginOption & { client: EntraClient } => provider.client !== undefined;

/** Where the provider sends the person back: this site's "/auth/callback". */
function redirectUri(ctx: AppContext): string {
  return `${location.origin}${ctx.href('/auth/callback')}`;
}

/**
 * An Entra ID / B2C button. With the provider configured on this server, it starts the sign-in
 * (authorization code + PKCE); without, it leads to a page that says so. aad-b2c adds the
 * first-time sign-up (U5): a B2C user registered by the admin sets their password there.
 */
function providerButton(ctx: AppContext, provider: LoginOption, next: string): HTMLElement {
  const go = (signUp: boolean) => (event: Event) => {
    if (!hasClient(provider)) return;
    event.preventDefault();
    void startSignIn(provider, redirectUri(ctx), next, signUp);
  };
  const signIn = h('a', { class: 'button provider', href: provider.url, dataset: { authType: provider.authType }, onclick: go(false) }, provider.name);
  if (provider.authType !== 'aad-b2c') return signIn;
  return h('div', { class: 'provider-group' },
    signIn,
    h('div', { class: 'signup' },
      h('a', { class: 'signup-link', href: `${provider.url}?signup=1`, 'data-testid': 'b2c-signup', onclick: go(true) }, t('login.signUp')),
      h('span', { class: 'field-hint' }, t('login.signUpHint'))));
}

function localLogin(ctx: AppContext, next: string): HTMLElement {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true, placeholder: 'name@example.com' });
  const errors = h('div', { class: 'form-errors' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('login.submit'));
  const form = h('form', { class: 'local-login', novalidate: true, dataset: { authType: 'local' } },
    h('h2', {}, t('login.local')),
    h('p', { class: 'field-hint' }, t('login.localHint')),
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, t('login.email')), email),
    errors,
    submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = email.value.trim();
    const problem = checkField({ label: t('login.email'), required: true }, value);
    if (problem) return errors.replaceChildren(h('div', { class: 'error', role: 'alert' }, problem));
    submit.disabled = true;
    try {
      const result = await ctx.api.localLogin(value);
      ctx.signIn(result.token);
      ctx.navigate(next, true);
    } catch (error) {
      showError(errors, error);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

/** Only a path inside this site; never an absolute URL someone put in the link. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/';
}

/**
 * "/auth/{provider}": the Entra ID / B2C sign-in. The server answers it once a provider is
 * configured; until then the app lands here and says so instead of showing an empty page.
 */
async function externalLoginPage(ctx: AppContext, params: Record<string, string>): Promise<Page> {
  const provider = ctx.options?.providers.find((p) => p.url.endsWith(`/auth/${params.provider}`));
  const signUp = new URLSearchParams(location.search).has('signup');
  if (provider && hasClient(provider)) {
    // A bookmark of the provider's URL: start the sign-in (or sign-up) right away.
    await startSignIn(provider, redirectUri(ctx), '/', signUp);
    return { title: t('login.title'), content: h('div', { class: 'loading' }, t('login.redirecting')) };
  }
  return {
    title: t('login.title'),
    content: h('div', { class: 'login-page' },
      h('div', { class: 'login-card' },
        h('h1', {}, t('login.title')),
        h('p', { class: 'error', role: 'alert', 'data-testid': 'external-unavailable' }, t(signUp ? 'login.signUpUnavailable' : 'login.externalUnavailable', { name: provider?.name ?? params.provider })),
        h('a', { href: ctx.href('/login'), 'data-link': true }, t('login.backToLogin')))),
  };
}

/** "/auth/callback": back from Entra ID / B2C with a code; the id token it is exchanged for signs the person in. */
async function callbackPage(ctx: AppContext): Promise<Page> {
  const result = await completeSignIn(new URLSearchParams(location.search));
  if (result.ok) {
    ctx.signIn(result.idToken);
    ctx.navigate(safeNext(result.next), true);
    return { title: t('login.title'), content: h('div', { class: 'loading' }, t('app.loading')) };
  }
  const message = t(`login.callback.${result.reason}`);
  return {
    title: t('login.title'),
    content: h('div', { class: 'login-page' },
      h('div', { class: 'login-card' },
        h('h1', {}, t('login.title')),
        h('p', { class: 'error', role: 'alert', 'data-testid': 'signin-failed', title: result.detail ?? '' }, message),
        h('a', { href: ctx.href('/login'), 'data-link': true }, t('login.backToLogin')))),
  };
}

export const authRoutes: Route[] = [
  { pattern: '/login', auth: false, render: loginPage },
  { pattern: '/auth/callback', auth: false, render: callbackPage },
  { pattern: '/auth/:provider', auth: false, render: externalLoginPage },
];
