import type { AuthType, LoginProvider, MemberPage } from '../api/types';
import type { AppContext } from '../app/context';
import { checkField, confirmDialog } from '../ui/dialog';
import { clear, h } from '../ui/dom';
import { notify, showError } from '../ui/notice';
import { t } from '../i18n';

const pageSize = 50;
type MemberAuthType = Exclude<AuthType, 'local'>;

/** U4: the member list with counts, add, bulk delete, grant and revoke site admin. */
export async function membersSection(ctx: AppContext): Promise<HTMLElement> {
  const providers: LoginProvider[] = await ctx.api.loginProviders();
  let query = { search: '', page: 1 };
  let data: MemberPage = await ctx.api.members({ pageSize, page: 1 });
  const selected = new Set<string>();

  const counts = h('p', { class: 'counts', 'data-testid': 'member-counts' });
  const errors = h('div', { class: 'form-errors' });
  const table = h('div', { class: 'members-table' });
  const selection = h('span', { class: 'muted' });
  const bulkButtons = [
    h('button', { type: 'button', class: 'danger', onclick: () => deleteSelected() }, t('members.delete')),
    h('button', { type: 'button', class: 'secondary', onclick: () => bulk('grant') }, t('members.grant')),
    h('button', { type: 'button', class: 'secondary', onclick: () => bulk('revoke') }, t('members.revoke')),
  ];

  async function load(): Promise<void> {
    data = await ctx.api.members({ search: query.search, page: query.page, pageSize });
    for (const email of [...selected]) if (!data.items.some((m) => m.email === email)) selected.delete(email);
    draw();
  }

  function draw(): void {
    counts.textContent = t('members.counts', { registered: data.registered, max: data.maxUsersCount });
    selection.textContent = selected.size > 0 ? t('members.selected', { count: selected.size }) : '';
    for (const button of bulkButtons) button.disabled = selected.size === 0;
    const pages = Math.max(1, Math.ceil(data.total / data.pageSize));
    const all = h('input', {
      type: 'checkbox', 'aria-label': t('members.selectAll'),
      checked: data.items.length > 0 && data.items.every((m) => selected.has(m.email)),
      onchange: (e: Event) => {
        for (const m of data.items) (e.target as HTMLInputElement).checked ? selected.add(m.email) : selected.delete(m.email);
        draw();
      },
    });
    clear(table,
      data.items.length === 0 ? h('p', { class: 'empty' }, t('members.none')) : h('table', { class: 'table' },
        h('thead', {}, h('tr', {},
          h('th', { class: 'center' }, all), h('th', {}, t('members.colEmail')), h('th', {}, t('members.colName')),
          h('th', {}, t('members.colAuth')), h('th', {}, t('members.colRole')))),
        h('tbody', {}, data.items.map((member) => h('tr', { dataset: { email: member.email } },
          h('td', { class: 'center' }, h('input', {
            type: 'checkbox', checked: selected.has(member.email), 'aria-label': member.email,
            onchange: (e: Event) => { (e.target as HTMLInputElement).checked ? selected.add(member.email) : selected.delete(member.email); draw(); },
          })),
          h('td', {}, member.email),
          h('td', {}, member.name),
          h('td', {}, h('code', {}, member.authType)),
          h('td', {}, h('span', { class: `role role-${member.role}` }, t(`members.role.${member.role}`))))))),
      pages > 1 ? h('div', { class: 'pager' },
        h('button', { type: 'button', class: 'secondary', disabled: query.page <= 1, onclick: () => { query = { ...query, page: query.page - 1 }; void load(); } }, t('members.prev')),
        h('span', {}, t('members.page', { page: query.page, pages })),
        h('button', { type: 'button', class: 'secondary', disabled: query.page >= pages, onclick: () => { query = { ...query, page: query.page + 1 }; void load(); } }, t('members.next'))) : null);
  }

  async function run(action: () => Promise<void>): Promise<void> {
    try {
      await action();
      showError(errors, null);
    } catch (error) {
      showError(errors, error);
    }
  }

  async function bulk(kind: 'grant' | 'revoke'): Promise<void> {
    const emails = [...selected];
    await run(async () => {
      await (kind === 'grant' ? ctx.api.grantSiteAdmin(emails) : ctx.api.revokeSiteAdmin(emails));
      notify(t(kind === 'grant' ? 'members.granted' : 'members.revoked', { count: emails.length }));
      selected.clear();
      if (ctx.me && emails.includes(ctx.me.email)) {
        await ctx.refreshMe();
        if (ctx.me.role !== 'siteAdmin') return ctx.navigate('/');
      }
      await load();
    });
  }

  async function deleteSelected(): Promise<void> {
    const emails = [...selected];
    const ok = await confirmDialog({
      title: t('members.deleteTitle'),
      message: t('members.deleteMessage', { count: emails.length }),
      danger: true,
      action: () => ctx.api.deleteMembers(emails),
    });
    if (!ok) return;
    notify(t('members.deletedCount', { count: emails.length }));
    selected.clear();
    await run(load);
  }

  // Adding: the auth method comes from the site's login providers (aad or aad-b2c), as the manual describes.
  const methods = providers.filter((p): p is LoginProvider & { authType: MemberAuthType } => p.authType === 'aad' || p.authType === 'aad-b2c');
  const authType = h('select', { name: 'authType', 'aria-label': t('members.authMethod') },
    methods.map((p) => h('option', { value: p.authType }, `${p.name} (${p.authType})`)));
  const email = h('input', { type: 'email', name: 'email', placeholder: 'name@example.com', 'aria-label': t('members.email') });
  const name = h('input', { name: 'name', maxlength: 100, placeholder: t('members.name'), 'aria-label': t('members.name') });
  const add = h('form', { class: 'inline-form add-member', novalidate: true },
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, t('members.authMethod')), authType),
    h('label', { class: 'field grow' }, h('span', { class: 'field-label' }, t('members.email')), email),
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, t('members.name')), name),
    h('button', { type: 'submit', class: 'primary' }, t('members.add')));
  add.addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = email.value.trim();
    const problem = checkField({ label: t('members.email'), required: true }, value);
    if (problem) return errors.replaceChildren(h('div', { class: 'error', role: 'alert' }, problem));
    await run(async () => {
      const member = await ctx.api.addMember(value, authType.value as MemberAuthType, name.value.trim() || undefined);
      notify(t('members.added', { email: member.email }));
      email.value = '';
      name.value = '';
      await load();
    });
  });

  const search = h('input', { type: 'search', name: 'search', placeholder: t('members.searchPlaceholder'), 'aria-label': t('members.search') });
  const searchForm = h('form', { class: 'inline-form search', role: 'search' }, search, h('button', { type: 'submit', class: 'secondary' }, t('members.search')));
  searchForm.addEventListener('submit', (event) => {
    event.preventDefault();
    query = { search: search.value.trim(), page: 1 };
    void run(load);
  });

  draw();
  return h('section', { class: 'members' },
    h('h2', {}, t('admin.members')),
    counts,
    add,
    errors,
    h('div', { class: 'toolbar' }, searchForm, h('div', { class: 'toolbar-actions' }, selection, bulkButtons)),
    table);
}
