import { h } from '../ui/dom';
import { icon } from '../ui/icons';
import { locale, setLocale, t, type Locale } from '../i18n';
import { isSiteAdmin, type AppContext } from './context';

/** The header of every page: brand, site link button, admin menu (site admins only), user, language. */
export function header(ctx: AppContext): HTMLElement {
  const options = ctx.options;
  const siteLink = ctx.me && options?.showSiteLink && options.siteLinkUrl
    ? h('a', { class: 'button secondary site-link', href: options.siteLinkUrl, target: '_blank', rel: 'noopener' },
      icon('link'), options.siteLinkName ?? options.siteLinkUrl)
    : null;
  const admin = isSiteAdmin(ctx)
    ? h('a', { class: 'button secondary', href: ctx.href('/admin'), 'data-link': true, 'data-testid': 'admin-menu' }, icon('settings'), t('app.adminMenu'))
    : null;
  const schedule = ctx.me
    ? h('a', { class: 'button secondary', href: ctx.href('/schedule'), 'data-link': true, 'data-testid': 'my-schedule' }, t('schedule.title'))
    : null;
  const user = ctx.me
    ? h('div', { class: 'user' },
      h('span', { class: 'user-name', title: ctx.me.email }, ctx.me.name || ctx.me.email),
      h('button', { type: 'button', class: 'link-button', onclick: () => ctx.signOut() }, t('app.logout')))
    : null;
  return h('header', { class: 'app-header' },
    h('a', { class: 'brand', href: ctx.href(ctx.me ? '/' : '/login'), 'data-link': true }, t('app.name')),
    h('div', { class: 'header-actions' }, siteLink, schedule, admin, user, localeSwitch()));
}

function localeSwitch(): HTMLElement {
  const choices: { value: Locale; label: string }[] = [{ value: 'ja', label: '日本語' }, { value: 'en', label: 'English' }];
  const select = h('select', { class: 'locale', 'aria-label': t('app.locale'), onchange: () => setLocale(select.value as Locale) },
    choices.map((c) => h('option', { value: c.value, selected: c.value === locale() }, c.label)));
  return select;
}
