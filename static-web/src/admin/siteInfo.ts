import type { SiteInfo, UserRegisterType } from '../api/types';
import type { AppContext } from '../app/context';
import { h, splitList } from '../ui/dom';
import { notify, showError } from '../ui/notice';
import { t, type MessageKey } from '../i18n';

const registerTypes: UserRegisterType[] = ['full-auto', 'semi-auto', 'manual'];

/** S3: the site information; the read-only fields are the operator's. */
export async function siteInfoSection(ctx: AppContext): Promise<HTMLElement> {
  const read = await ctx.api.site();
  let site: SiteInfo = read.value;
  let etag = read.etag;

  const allow = h('textarea', { name: 'allowDomainNames', rows: 2, value: site.allowDomainNames.join(', ') });
  const registerType = h('select', { name: 'userRegisterType' },
    registerTypes.map((type) => h('option', { value: type, selected: type === site.userRegisterType }, t(`site.registerType.${type}`))));
  const auto = h('textarea', { name: 'autoRegisterDomainNames', rows: 2, value: site.autoRegisterDomainNames.join(', ') });
  const showLink = h('input', { type: 'checkbox', name: 'showSiteLink', checked: site.showSiteLink });
  const linkName = h('input', { name: 'siteLinkName', maxlength: 40, value: site.siteLinkName ?? '' });
  const linkUrl = h('input', { name: 'siteLinkUrl', type: 'url', value: site.siteLinkUrl ?? '' });
  const errors = h('div', { class: 'form-errors' });
  const save = h('button', { type: 'submit', class: 'primary' }, t('app.save'));

  // Plain words first; the manual's field name after them, for admins who follow the manual.
  const label = (key: MessageKey, name: string) => h('span', { class: 'field-label' }, t(key), h('code', { class: 'field-name' }, name));
  const form = h('form', { class: 'settings-form', novalidate: true },
    h('h2', {}, t('site.info')),
    h('dl', { class: 'readonly' },
      h('dt', {}, label('site.siteUrl', 'siteUrl')), h('dd', {}, site.siteUrl),
      h('dt', {}, label('site.mediaServer', 'defaultMediaServerUrl')), h('dd', {}, site.defaultMediaServerUrl ?? t('site.none')),
      h('dt', {}, label('site.maxUsers', 'maxUsersCount')), h('dd', {}, site.maxUsersCount)),
    h('h2', {}, t('site.loginSettings')),
    h('label', { class: 'field' }, label('site.allowDomains', 'allowDomainNames'), allow, h('span', { class: 'field-hint' }, t('site.allowDomainsHint'))),
    h('label', { class: 'field' }, label('site.registerType', 'userRegisterType'), registerType),
    h('label', { class: 'field' }, label('site.autoDomains', 'autoRegisterDomainNames'), auto),
    h('h2', {}, t('site.linkSettings')),
    h('label', { class: 'field checkbox' }, showLink, h('span', {}, t('site.showLink'), h('code', { class: 'field-name' }, 'showSiteLink'))),
    h('label', { class: 'field' }, label('site.linkName', 'siteLinkName'), linkName),
    h('label', { class: 'field' }, label('site.linkUrl', 'siteLinkUrl'), linkUrl),
    errors,
    h('div', { class: 'form-actions' }, save));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    save.disabled = true;
    try {
      const saved = await ctx.api.patchSite({
        allowDomainNames: splitList(allow.value),
        userRegisterType: registerType.value as UserRegisterType,
        autoRegisterDomainNames: splitList(auto.value),
        showSiteLink: showLink.checked,
        siteLinkName: linkName.value.trim() || null,
        siteLinkUrl: linkUrl.value.trim() || null,
      }, etag);
      site = saved.value;
      etag = saved.etag;
      showError(errors, null);
      notify(t('app.saved'));
      // The header's site link button follows the new settings.
      ctx.options = await ctx.api.loginOptions().catch(() => ctx.options);
      await ctx.reload();
    } catch (error) {
      showError(errors, error);
    } finally {
      save.disabled = false;
    }
  });
  return form;
}
