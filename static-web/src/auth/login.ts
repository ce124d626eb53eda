import { ApiError } from '../api/client';
import type { LoginOption } from '../api/types';
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
          providers.map((provider) => h('li', {}, provider.authType === 'local' ? localLogin(ctx, next) : providerButton(provider)))))),
  };
}

function providerButton(provider: LoginOption): HTMLElement {
  return h('a', { class: 'button provider', href: provider.url, dataset: { authType: provider.authType } }, provider.name);
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
  return {
    title: t('login.title'),
    content: h('div', { class: 'login-page' },
      h('div', { class: 'login-card' },
        h('h1', {}, t('login.title')),
        h('p', { class: 'error', role: 'alert' }, t('login.externalUnavailable', { name: provider?.name ?? params.provider })),
        h('a', { href: ctx.href('/login'), 'data-link': true }, t('login.backToLogin')))),
  };
}

export const authRoutes: Route[] = [
  { pattern: '/login', auth: false, render: loginPage },
  { pattern: '/auth/:provider', auth: false, render: externalLoginPage },
];
