import { roomSettingsApi, type RoomSettings } from '../api/settings';
import type { AppContext } from '../app/context';
import { h, splitList } from '../ui/dom';
import { notify } from '../ui/notice';
import { showSaveError } from '../ui/problems';
import { t } from '../i18n';
import type { RoomBeingEdited } from './roomEdit';

/**
 * R3 "入室許可設定": the site's domains as checkboxes (off by default; a domain the site added later
 * appears unchecked) and registered members by e-mail. Both empty = every member may enter.
 */
export async function entryTab(ctx: AppContext, state: RoomBeingEdited): Promise<HTMLElement> {
  const settings = roomSettingsApi(ctx.api);
  let read = await settings.get(state.room.id);
  const entry = () => (read.value as RoomSettings).entry ?? { domains: [], users: [] };

  const domainList = h('div', { class: 'domain-choices', role: 'group', 'aria-label': t('entry.byDomain') });
  const users = h('textarea', { name: 'users', rows: 4, 'aria-label': t('entry.byUser') });
  const summary = h('p', { class: 'field-hint', 'data-testid': 'entry-summary' });
  const errors = h('div', { class: 'form-errors' });
  const apply = h('button', { type: 'submit', class: 'primary' }, t('roomEdit.apply'));

  function draw(): void {
    const { domains } = entry();
    domainList.replaceChildren(...(domains.length === 0
      ? [h('p', { class: 'muted' }, t('entry.noSiteDomains'))]
      : domains.map((d) => h('label', { class: 'field checkbox' },
        h('input', { type: 'checkbox', name: 'domain', value: d.domain, checked: d.checked }),
        h('span', {}, d.domain),
        d.retired ? h('span', { class: 'muted' }, t('entry.retired')) : null))));
    users.value = entry().users.join('\n');
    const open = entry().users.length === 0 && !domains.some((d) => d.checked);
    summary.textContent = open ? t('entry.everyone') : t('entry.limited');
  }
  draw();

  const form = h('form', { class: 'settings-form entry-form', novalidate: true },
    h('h2', {}, t('entry.byDomain')),
    h('p', { class: 'field-hint' }, t('entry.byDomainHint')),
    domainList,
    h('h2', {}, t('entry.byUser')),
    h('label', { class: 'field' }, users, h('span', { class: 'field-hint' }, t('entry.byUserHint'))),
    summary,
    errors,
    h('div', { class: 'form-actions' }, apply));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const domains = [...domainList.querySelectorAll<HTMLInputElement>('input[name=domain]')].filter((c) => c.checked).map((c) => c.value);
    apply.disabled = true;
    try {
      read = await settings.put(state.room.id, { entry: { domains, users: splitList(users.value) } }, read.etag);
      draw();
      showSaveError(ctx, errors, null);
      notify(t('roomEdit.applied'));
    } catch (error) {
      showSaveError(ctx, errors, error);
    } finally {
      apply.disabled = false;
    }
  });
  return form;
}
