import { isSiteAdmin, type AppContext, type Page, type Route } from '../app/context';
import { h } from '../ui/dom';
import { t, type MessageKey } from '../i18n';
import { trashSection } from '../rooms/trash';
import { siteInfoSection } from './siteInfo';
import { loginProvidersSection } from './loginProviders';
import { membersSection } from './members';
import { logsSection } from './logs';
import { zoomMembersSection, zoomSettingsSection, zoomStatusSection } from './zoom';

/** One entry of the admin menu. Later features (Zoom, log export) add theirs here. */
export interface AdminSection {
  id: string;
  label: MessageKey;
  render(ctx: AppContext): Promise<HTMLElement>;
}

export const adminSections: AdminSection[] = [
  { id: 'site', label: 'admin.site', render: siteInfoSection },
  { id: 'login-providers', label: 'admin.loginProviders', render: loginProvidersSection },
  { id: 'members', label: 'admin.members', render: membersSection },
  { id: 'trash', label: 'admin.trash', render: trashSection },
  { id: 'logs', label: 'admin.logs', render: logsSection },
  { id: 'zoom', label: 'admin.zoom', render: zoomSettingsSection },
  { id: 'zoom-members', label: 'admin.zoomMembers', render: zoomMembersSection },
  { id: 'zoom-status', label: 'admin.zoomStatus', render: zoomStatusSection },
];

/** "/admin/{section}": the admin menu, for site admins only (the API refuses everyone else anyway). */
async function adminPage(ctx: AppContext, params: Record<string, string>): Promise<Page> {
  const title = t('admin.title');
  if (!isSiteAdmin(ctx))
    return { title, content: h('div', { class: 'page narrow' }, h('h1', {}, title), h('p', { class: 'error', role: 'alert', 'data-testid': 'admin-refused' }, t('admin.onlySiteAdmins'))) };
  const section = adminSections.find((s) => s.id === params.section) ?? adminSections[0];
  return {
    title: `${t(section.label)} - ${title}`,
    content: h('div', { class: 'page admin' },
      h('nav', { class: 'admin-nav', 'aria-label': title },
        h('h1', {}, title),
        h('a', { class: 'back', href: ctx.href('/'), 'data-link': true }, `← ${t('app.roomSelect')}`),
        h('ul', {}, adminSections.map((s) => h('li', {},
          h('a', { href: ctx.href(`/admin/${s.id}`), 'data-link': true, class: s.id === section.id ? 'selected' : '', 'aria-current': s.id === section.id ? 'page' : false }, t(s.label)))))),
      h('div', { class: 'admin-content', dataset: { section: section.id } }, await section.render(ctx))),
  };
}

export const adminRoutes: Route[] = [
  { pattern: '/admin', render: adminPage },
  { pattern: '/admin/:section', render: adminPage },
];
