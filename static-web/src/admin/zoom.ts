import { zoomApi, type SyncStatus, type ZoomMember, type ZoomSettings, type ZoomSettingsPut } from '../api/zoom';
import type { AppContext } from '../app/context';
import { clear, h } from '../ui/dom';
import { notify, showError } from '../ui/notice';
import { showSaveError } from '../ui/problems';
import { formatDateTime, t } from '../i18n';
import { zoomReason } from '../schedule/zoomReasons';

/**
 * Z1 "Zoom 設定": on/off, the Server-to-Server OAuth app, the webhook secret token, the location that
 * triggers the sync, the timezone, what happens to a meeting whose entry is gone, invitations.
 * The two secrets are write-only: the screen shows only whether each is set ("設定済み").
 */
export async function zoomSettingsSection(ctx: AppContext): Promise<HTMLElement> {
  const api = zoomApi(ctx.api);
  let settings: ZoomSettings = await api.settings();

  const enabled = h('input', { type: 'checkbox', name: 'enabled', checked: settings.enabled });
  const accountId = h('input', { name: 'accountId', value: settings.accountId, maxlength: 100, autocomplete: 'off' });
  const clientId = h('input', { name: 'clientId', value: settings.clientId, maxlength: 100, autocomplete: 'off' });
  const clientSecret = h('input', { name: 'clientSecret', type: 'password', maxlength: 200, autocomplete: 'new-password' });
  const webhookSecret = h('input', { name: 'webhookSecretToken', type: 'password', maxlength: 200, autocomplete: 'new-password' });
  const clearSecret = h('input', { type: 'checkbox', name: 'clearClientSecret' });
  const clearWebhook = h('input', { type: 'checkbox', name: 'clearWebhookSecretToken' });
  const secretState = h('span', { class: 'secret-state', 'data-testid': 'client-secret-state' });
  const webhookState = h('span', { class: 'secret-state', 'data-testid': 'webhook-secret-state' });
  const location = h('input', { name: 'locationName', value: settings.locationName, maxlength: 100 });
  const timeZone = h('input', { name: 'timeZone', value: settings.timeZone, maxlength: 100, list: 'zoom-time-zones' });
  const zones = h('datalist', { id: 'zoom-time-zones' }, ['Asia/Tokyo', 'UTC', 'America/Los_Angeles', 'America/New_York', 'Europe/London', 'Asia/Singapore'].map((z) => h('option', { value: z })));
  const removed = h('select', { name: 'onEntryRemoved' },
    h('option', { value: 'delete', selected: settings.onEntryRemoved === 'delete' }, t('zoom.removed.delete')),
    h('option', { value: 'keep', selected: settings.onEntryRemoved === 'keep' }, t('zoom.removed.keep')));
  const invite = h('input', { type: 'checkbox', name: 'inviteAttendees', checked: settings.inviteAttendees });
  const errors = h('div', { class: 'form-errors' });
  const save = h('button', { type: 'submit', class: 'primary' }, t('app.save'));

  function drawSecrets(): void {
    secretState.textContent = settings.clientSecretSet ? t('zoom.secretSet') : t('zoom.secretNotSet');
    secretState.className = `secret-state ${settings.clientSecretSet ? 'set' : 'unset'}`;
    webhookState.textContent = settings.webhookSecretTokenSet ? t('zoom.secretSet') : t('zoom.secretNotSet');
    webhookState.className = `secret-state ${settings.webhookSecretTokenSet ? 'set' : 'unset'}`;
    clientSecret.placeholder = settings.clientSecretSet ? t('zoom.secretKeep') : '';
    webhookSecret.placeholder = settings.webhookSecretTokenSet ? t('zoom.secretKeep') : '';
  }
  drawSecrets();

  const field = (label: string, input: HTMLElement, hint?: string, extra?: HTMLElement) =>
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, label, extra ? ' ' : null, extra ?? null), input, hint ? h('span', { class: 'field-hint' }, hint) : null);
  const form = h('form', { class: 'settings-form zoom-settings', novalidate: true },
    h('h2', {}, t('admin.zoom')),
    h('p', { class: 'field-hint' }, t('zoom.hint')),
    h('label', { class: 'field checkbox' }, enabled, h('span', {}, t('zoom.enabled'))),
    h('h2', {}, t('zoom.app')),
    field(t('zoom.accountId'), accountId),
    field(t('zoom.clientId'), clientId),
    field(t('zoom.clientSecret'), clientSecret, t('zoom.secretHint'), secretState),
    settings.clientSecretSet ? h('label', { class: 'field checkbox' }, clearSecret, h('span', {}, t('zoom.clearSecret'))) : null,
    field(t('zoom.webhookSecret'), webhookSecret, t('zoom.webhookHint'), webhookState),
    settings.webhookSecretTokenSet ? h('label', { class: 'field checkbox' }, clearWebhook, h('span', {}, t('zoom.clearSecret'))) : null,
    h('h2', {}, t('zoom.syncRules')),
    field(t('zoom.locationName'), location, t('zoom.locationHint')),
    field(t('zoom.timeZone'), timeZone, t('zoom.timeZoneHint')), zones,
    field(t('zoom.onEntryRemoved'), removed),
    h('label', { class: 'field checkbox' }, invite, h('span', {}, t('zoom.inviteAttendees'))),
    errors,
    h('div', { class: 'form-actions' }, save));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (location.value.trim() === '') return errors.replaceChildren(h('div', { class: 'error', role: 'alert' }, t('form.required', { field: t('zoom.locationName') })));
    const body: ZoomSettingsPut = {
      enabled: enabled.checked,
      accountId: accountId.value.trim(),
      clientId: clientId.value.trim(),
      locationName: location.value.trim(),
      timeZone: timeZone.value.trim(),
      onEntryRemoved: removed.value as 'delete' | 'keep',
      inviteAttendees: invite.checked,
    };
    // A secret is sent only when typed (or cleared on purpose); an empty box keeps the stored one.
    if (clientSecret.value.trim() !== '') body.clientSecret = clientSecret.value.trim();
    else if (clearSecret.checked) body.clientSecret = '';
    if (webhookSecret.value.trim() !== '') body.webhookSecretToken = webhookSecret.value.trim();
    else if (clearWebhook.checked) body.webhookSecretToken = '';
    save.disabled = true;
    try {
      settings = await api.putSettings(body);
      clientSecret.value = '';
      webhookSecret.value = '';
      clearSecret.checked = false;
      clearWebhook.checked = false;
      drawSecrets();
      showSaveError(ctx, errors, null);
      notify(t('app.saved'));
    } catch (error) {
      showSaveError(ctx, errors, error);
    } finally {
      save.disabled = false;
    }
  });
  return form;
}

const memberPageSize = 50;

/** Z2 "メンバーの Zoom 設定": a paged list; edit several rows and save them at once. Each Zoom e-mail is verified by Zoom. */
export async function zoomMembersSection(ctx: AppContext): Promise<HTMLElement> {
  const api = zoomApi(ctx.api);
  let page = 1;
  let data = await api.members(page, memberPageSize);
  const edits = new Map<string, { zoomEnabled: boolean; zoomEmail: string }>();
  const table = h('div', { class: 'zoom-members-table' });
  const errors = h('div', { class: 'form-errors' });
  const save = h('button', { type: 'button', class: 'primary', disabled: true, 'data-testid': 'zoom-members-save' }, t('zoom.members.save'));
  const pending = h('span', { class: 'muted' });

  // Unverified says why (the server keeps the reason) and can be asked again.
  function verified(member: ZoomMember): HTMLElement {
    if (!member.zoomEmail) return h('span', { class: 'muted' }, '—');
    if (member.zoomVerified) return h('span', { class: 'badge ok', 'data-verified': 'true' }, t('zoom.members.verified'));
    return h('div', { class: 'verify-state' },
      h('span', { class: 'badge warn', 'data-verified': 'false' }, t('zoom.members.notVerified')),
      h('span', { class: 'verify-reason', 'data-testid': 'verify-reason', title: member.verifyError ?? '' }, verifyReasonText(member)),
      h('button', {
        type: 'button', class: 'secondary small', 'data-testid': 'zoom-recheck', 'aria-label': t('zoom.members.recheckFor', { email: member.email }),
        onclick: (event: Event) => void recheck([member.email], event.currentTarget as HTMLButtonElement),
      }, t('zoom.members.recheck')));
  }

  async function recheck(emails: string[] | null, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
      const result = await api.recheckMembers(emails);
      const ok = result.items.filter((m) => m.zoomVerified).length;
      data = await api.members(page, memberPageSize);
      showError(errors, null);
      draw();
      notify(t('zoom.members.rechecked', { count: result.items.length, verified: ok }));
    } catch (error) {
      showError(errors, error);
      button.disabled = false;
    }
  }

  function draw(): void {
    save.disabled = edits.size === 0;
    pending.textContent = edits.size > 0 ? t('zoom.members.pending', { count: edits.size }) : '';
    const pages = Math.max(1, Math.ceil(data.total / memberPageSize));
    clear(table,
      data.items.length === 0 ? h('p', { class: 'empty' }, t('members.none')) : h('table', { class: 'table' },
        h('thead', {}, h('tr', {},
          h('th', {}, t('members.colEmail')), h('th', {}, t('members.colName')), h('th', { class: 'center' }, t('zoom.members.enabled')),
          h('th', {}, t('zoom.members.zoomEmail')), h('th', {}, t('zoom.members.state')))),
        h('tbody', {}, data.items.map((member) => {
          const edit = edits.get(member.email) ?? { zoomEnabled: member.zoomEnabled, zoomEmail: member.zoomEmail ?? '' };
          const change = (next: Partial<typeof edit>) => {
            const value = { ...edit, ...next };
            Object.assign(edit, value);
            if (value.zoomEnabled === member.zoomEnabled && value.zoomEmail === (member.zoomEmail ?? '')) edits.delete(member.email);
            else edits.set(member.email, value);
            save.disabled = edits.size === 0;
            pending.textContent = edits.size > 0 ? t('zoom.members.pending', { count: edits.size }) : '';
          };
          return h('tr', { dataset: { email: member.email } },
            h('td', {}, member.email),
            h('td', {}, member.name),
            h('td', { class: 'center' }, h('input', { type: 'checkbox', name: 'zoomEnabled', checked: edit.zoomEnabled, 'aria-label': t('zoom.members.enabledFor', { email: member.email }), onchange: (e: Event) => change({ zoomEnabled: (e.target as HTMLInputElement).checked }) })),
            h('td', {}, h('input', { type: 'email', name: 'zoomEmail', value: edit.zoomEmail, placeholder: member.email, 'aria-label': t('zoom.members.zoomEmailFor', { email: member.email }), oninput: (e: Event) => change({ zoomEmail: (e.target as HTMLInputElement).value.trim() }) })),
            h('td', { title: member.verifyError ?? '' }, verified(member)));
        }))),
      pages > 1 ? h('div', { class: 'pager' },
        h('button', { type: 'button', class: 'secondary', disabled: page <= 1, onclick: () => void go(page - 1) }, t('members.prev')),
        h('span', {}, t('members.page', { page, pages })),
        h('button', { type: 'button', class: 'secondary', disabled: page >= pages, onclick: () => void go(page + 1) }, t('members.next'))) : null);
  }

  async function go(next: number): Promise<void> {
    try {
      data = await api.members(next, memberPageSize);
      page = next;
      draw();
    } catch (error) {
      showError(errors, error);
    }
  }

  save.addEventListener('click', async () => {
    save.disabled = true;
    try {
      const result = await api.putMembers([...edits].map(([email, e]) => ({ email, zoomEnabled: e.zoomEnabled, zoomEmail: e.zoomEmail || null })));
      edits.clear();
      const unverified = result.items.filter((m) => m.zoomEmail && !m.zoomVerified).length;
      notify(unverified > 0 ? t('zoom.members.savedUnverified', { count: result.items.length, unverified }) : t('zoom.members.saved', { count: result.items.length }));
      data = await api.members(page, memberPageSize);
      showError(errors, null);
      draw();
    } catch (error) {
      showError(errors, error);
      save.disabled = edits.size === 0;
    }
  });

  draw();
  const recheckAll = h('button', { type: 'button', class: 'secondary', 'data-testid': 'zoom-recheck-all' }, t('zoom.members.recheckAll'));
  recheckAll.addEventListener('click', () => void recheck(null, recheckAll).finally(() => { recheckAll.disabled = false; }));
  return h('section', { class: 'zoom-members' },
    h('div', { class: 'toolbar' }, h('h2', {}, t('admin.zoomMembers')), recheckAll),
    h('p', { class: 'field-hint' }, t('zoom.members.hint')),
    table,
    errors,
    h('div', { class: 'form-actions' }, pending, save));
}

/** Z9 "同期状況": the last and next run, the counts, "今すぐ同期" and every Zoom call the sync made. */
export async function zoomStatusSection(ctx: AppContext): Promise<HTMLElement> {
  const api = zoomApi(ctx.api);
  let status: SyncStatus = await api.status();
  const body = h('div', { class: 'zoom-status-body' });
  const errors = h('div', { class: 'form-errors' });
  const syncNow = h('button', { type: 'button', class: 'primary', 'data-testid': 'zoom-sync-now' }, t('zoom.status.syncNow'));
  const when = (iso?: string | null) => (iso ? formatDateTime(iso) : t('zoom.status.never'));

  function draw(): void {
    clear(body,
      h('dl', { class: 'readonly' },
        h('dt', {}, t('zoom.status.lastRun')), h('dd', { 'data-testid': 'zoom-last-run' }, when(status.lastRun)),
        h('dt', {}, t('zoom.status.nextRun')), h('dd', {}, when(status.nextRun)),
        status.outcome ? [h('dt', {}, t('zoom.status.outcome')), h('dd', { 'data-testid': 'zoom-outcome' },
          status.outcome === 'done' && status.failed > 0 ? t('zoom.outcome.doneWithFailures', { failed: status.failed }) : outcomeText(status.outcome))] : null),
      h('ul', { class: 'counts-row' },
        (['created', 'updated', 'deleted', 'failed', 'deferred'] as const).map((k) =>
          h('li', { class: `count count-${k}${k === 'failed' && status.failed > 0 ? ' has-failures' : ''}` }, h('span', { class: 'count-value' }, status[k]), h('span', { class: 'count-label' }, t(`zoom.status.${k}`))))),
      h('h3', {}, t('zoom.status.audit')),
      status.audit.length === 0 ? h('p', { class: 'empty' }, t('zoom.status.noAudit')) : h('table', { class: 'table audit' },
        h('thead', {}, h('tr', {}, h('th', {}, t('zoom.status.at')), h('th', {}, t('zoom.status.operation')), h('th', {}, t('zoom.status.entry')),
          h('th', {}, t('zoom.status.meeting')), h('th', {}, t('zoom.status.result')))),
        h('tbody', {}, status.audit.map((a) => h('tr', { dataset: { operation: a.operation } },
          h('td', { class: 'nowrap' }, formatDateTime(a.at)),
          h('td', { title: a.operation, class: 'nowrap' }, operationText(a.operation)),
          h('td', { title: a.entryId }, a.operation === 'verify-member' ? a.entryId : a.entryTitle ?? h('span', { class: 'muted' }, t('zoom.status.entryGone'))),
          h('td', {}, a.meetingId ?? ''),
          h('td', { class: a.result.startsWith('error') ? 'danger-text' : '' }, resultText(a.result)))))));
  }

  syncNow.addEventListener('click', async () => {
    syncNow.disabled = true;
    try {
      const run = await api.syncNow();
      const counts = { created: run.created ?? 0, updated: run.updated ?? 0, deleted: run.deleted ?? 0, failed: run.failed ?? 0 };
      status = await api.status();
      showError(errors, null);
      draw();
      // A run with failures is not reported as a clean one: the reasons are in the record below.
      if (counts.failed > 0) errors.replaceChildren(h('div', { class: 'error', role: 'alert', 'data-testid': 'zoom-run-failed' }, t('zoom.status.ranWithFailures', counts)));
      else if (run.outcome === 'busy') notify(t('zoom.outcome.busy'));
      else notify(t('zoom.status.ran', counts));
    } catch (error) {
      showError(errors, error);
    } finally {
      syncNow.disabled = false;
    }
  });

  draw();
  return h('section', { class: 'zoom-status' },
    h('div', { class: 'toolbar' }, h('h2', {}, t('admin.zoomStatus')), syncNow),
    errors,
    body);
}

function verifyReasonText(member: ZoomMember): string {
  const reasons = ['no-credentials', 'no-such-user', 'unreachable', 'zoom-error'] as const;
  const reason = reasons.find((r) => r === member.verifyReason);
  if (!reason) return member.verifyError ?? '';
  const text = t(`zoom.members.reason.${reason}`);
  // Zoom's own words, when it said something, after ours.
  // Zoom's own words (or what the connection said) after ours.
  const detail = (member.verifyError ?? '').replace(/^Zoom could not be reached:\s*/, '').replace(/^Zoom answered /, '');
  return (reason === 'zoom-error' || reason === 'unreachable') && detail ? t('zoom.members.reasonDetail', { reason: text, detail }) : text;
}

const operations = ['create', 'update', 'delete', 'delete-occurrence', 'update-occurrence', 'recover', 'keep', 'verify-member'] as const;

function operationText(operation: string): string {
  const known = operations.find((o) => o === operation);
  return known ? t(`zoom.op.${known}`) : operation;
}

const results = ['ok', 'error', 'found', 'already-deleted', 'gone', 'unlinked', 'restored'] as const;

/** "ok", "error: why", "restored 1700000000": the word in the person's language, the rest as Zoom or the sync said it. */
function resultText(result: string): string {
  const match = /^([a-z-]+)(?::\s*|\s+|$)(.*)$/s.exec(result);
  const known = match ? results.find((r) => r === match[1]) : undefined;
  if (!match || !known) return result;
  return match[2] ? t('zoom.result.withDetail', { result: t(`zoom.result.${known}`), detail: known === 'error' ? zoomReason(match[2]) : match[2] }) : t(`zoom.result.${known}`);
}

function outcomeText(outcome: string): string {
  const known = ['done', 'disabled', 'not-configured', 'busy'];
  return known.includes(outcome) ? t(`zoom.outcome.${outcome as 'done' | 'disabled' | 'not-configured' | 'busy'}`) : outcome;
}
