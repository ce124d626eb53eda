import type { LoginProvider } from '../api/types';
import type { AppContext } from '../app/context';
import { checkField } from '../ui/dialog';
import { clear, h } from '../ui/dom';
import { notify, showError } from '../ui/notice';
import { t } from '../i18n';

/** S4: rename, enable/disable and reorder the login page's buttons. */
export async function loginProvidersSection(ctx: AppContext): Promise<HTMLElement> {
  let providers: LoginProvider[] = await ctx.api.loginProviders();
  const rows = h('tbody', {});
  const errors = h('div', { class: 'form-errors' });
  const save = h('button', { type: 'submit', class: 'primary' }, t('app.save'));

  function move(index: number, by: number) {
    const target = index + by;
    if (target < 0 || target >= providers.length) return;
    const next = [...providers];
    [next[index], next[target]] = [next[target], next[index]];
    providers = next;
    draw();
  }

  function draw() {
    clear(rows, providers.map((provider, index) => h('tr', { dataset: { providerId: provider.id } },
      h('td', {}, h('input', {
        class: 'provider-name', value: provider.name, maxlength: 40, 'aria-label': t('providers.name'),
        oninput: (e: Event) => { providers[index] = { ...providers[index], name: (e.target as HTMLInputElement).value }; },
      })),
      h('td', { class: 'center' }, h('input', {
        type: 'checkbox', checked: provider.enable, 'aria-label': t('providers.enable'),
        onchange: (e: Event) => { providers[index] = { ...providers[index], enable: (e.target as HTMLInputElement).checked }; },
      })),
      h('td', {}, t(`providers.authType.${provider.authType}`), h('code', { class: 'field-name' }, provider.authType)),
      h('td', { class: 'row-actions' },
        h('button', { type: 'button', class: 'secondary', disabled: index === 0, onclick: () => move(index, -1) }, t('providers.up')),
        h('button', { type: 'button', class: 'secondary', disabled: index === providers.length - 1, onclick: () => move(index, 1) }, t('providers.down'))))));
  }
  draw();

  const form = h('form', { class: 'providers-form', novalidate: true },
    h('h2', {}, t('admin.loginProviders')),
    h('p', { class: 'muted' }, t('providers.hint')),
    h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, h('th', {}, t('providers.name'), h('code', { class: 'field-name' }, 'name')), h('th', {}, t('providers.enable'), h('code', { class: 'field-name' }, 'enable')),
        h('th', {}, t('providers.authType'), h('code', { class: 'field-name' }, 'authType')), h('th', {}))),
      rows),
    errors,
    h('div', { class: 'form-actions' }, save));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    for (const provider of providers) {
      const problem = checkField({ label: t('providers.name'), required: true, maxLength: 40 }, provider.name.trim());
      if (problem) return errors.replaceChildren(h('div', { class: 'error', role: 'alert' }, problem));
    }
    save.disabled = true;
    try {
      providers = await ctx.api.putLoginProviders(providers.map((p) => ({ ...p, name: p.name.trim() })));
      draw();
      showError(errors, null);
      notify(t('app.saved'));
    } catch (error) {
      showError(errors, error);
    } finally {
      save.disabled = false;
    }
  });
  return form;
}
