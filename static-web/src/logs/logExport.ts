import { logsApi, saveFile, type LogExport } from '../api/settings';
import type { Space } from '../api/types';
import type { AppContext } from '../app/context';
import { h } from '../ui/dom';
import { showError } from '../ui/notice';
import { isoDate, isoWithOffset } from '../ui/problems';
import { t } from '../i18n';

export type ExportTarget = { kind: 'site'; spaces: Space[] } | { kind: 'room'; roomId: string };

/** How often the screen asks how far an export has come. */
const pollMs = 800;

/** [from, to) of two local dates picked by a person (both days included). */
export function periodOf(fromDate: string, toDate: string): { from: string; to: string } | null {
  const from = new Date(`${fromDate}T00:00:00`);
  const to = new Date(`${toDate}T00:00:00`);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || to < from) return null;
  to.setDate(to.getDate() + 1);
  return { from: isoWithOffset(from), to: isoWithOffset(to) };
}

/**
 * G2 "ログ出力": a period (and for the site, a space or all), then the export runs on the server;
 * its progress shows here and the CSV is offered as a download when it is done.
 */
export function logExportPanel(ctx: AppContext, target: ExportTarget): HTMLElement {
  const api = logsApi(ctx.api);
  const today = new Date();
  const monthAgo = new Date(today.getFullYear(), today.getMonth() - 1, today.getDate());
  const from = h('input', { type: 'date', name: 'from', value: isoDate(monthAgo) });
  const to = h('input', { type: 'date', name: 'to', value: isoDate(today) });
  const space = target.kind === 'site'
    ? h('select', { name: 'spaceId' }, h('option', { value: '' }, t('logs.allSpaces')), target.spaces.map((s) => h('option', { value: s.id }, s.name)))
    : null;
  const start = h('button', { type: 'submit', class: 'primary', 'data-testid': 'log-export-start' }, t('logs.start'));
  const progress = h('progress', { max: 1, value: 0, hidden: true });
  const status = h('span', { class: 'log-status', 'data-testid': 'log-export-status', 'aria-live': 'polite' });
  const download = h('button', { type: 'button', class: 'secondary', hidden: true, 'data-testid': 'log-export-download' }, t('logs.download'));
  const errors = h('div', { class: 'form-errors' });
  let finished: { id: string; state: LogExport } | null = null;

  download.addEventListener('click', async () => {
    if (!finished) return;
    download.disabled = true;
    try {
      const { blob, fileName } = await api.download(finished.state.downloadUrl ?? `/logs/exports/${encodeURIComponent(finished.id)}/download`);
      saveFile(blob, fileName ?? `zawaroom-log-${from.value}-${to.value}.csv`);
      showError(errors, null);
    } catch (error) {
      showError(errors, error);
    } finally {
      download.disabled = false;
    }
  });

  const form = h('form', { class: 'log-export', novalidate: true },
    h('div', { class: 'inline-form' },
      h('label', { class: 'field' }, h('span', { class: 'field-label' }, t('logs.from')), from),
      h('label', { class: 'field' }, h('span', { class: 'field-label' }, t('logs.to')), to),
      space ? h('label', { class: 'field' }, h('span', { class: 'field-label' }, t('logs.space')), space) : null,
      start),
    h('div', { class: 'log-progress' }, progress, status, download),
    errors);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const period = periodOf(from.value, to.value);
    if (!period) return errors.replaceChildren(h('div', { class: 'error', role: 'alert' }, t('logs.badPeriod')));
    start.disabled = true;
    download.hidden = true;
    finished = null;
    showError(errors, null);
    progress.hidden = false;
    progress.value = 0;
    status.textContent = t('logs.queued');
    try {
      const { id } = target.kind === 'site'
        ? await api.startSite(period.from, period.to, space?.value || undefined)
        : await api.startRoom(target.roomId, period.from, period.to);
      for (;;) {
        const state = await api.status(id);
        progress.value = Math.min(1, Math.max(0, state.progress ?? 0));
        status.textContent = t(`logs.state.${state.state}`, { rows: state.rows ?? 0 });
        status.dataset.state = state.state;
        if (state.state === 'done') {
          finished = { id, state };
          progress.value = 1;
          download.hidden = false;
          break;
        }
        if (state.state === 'failed') {
          errors.replaceChildren(h('div', { class: 'error', role: 'alert' }, t('logs.failed')));
          break;
        }
        if (!form.isConnected) return;
        await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
    } catch (error) {
      progress.hidden = true;
      status.textContent = '';
      showError(errors, error);
    } finally {
      start.disabled = false;
    }
  });
  return form;
}
