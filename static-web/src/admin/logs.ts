import type { AppContext } from '../app/context';
import { h } from '../ui/dom';
import { t } from '../i18n';
import { logExportPanel } from '../logs/logExport';

/** G2 "ログ出力": the site's usage log as CSV for a period and a space (or all). */
export async function logsSection(ctx: AppContext): Promise<HTMLElement> {
  const spaces = await ctx.api.spaces();
  return h('section', { class: 'settings-form logs' },
    h('h2', {}, t('admin.logs')),
    h('p', { class: 'field-hint' }, t('logs.hint')),
    logExportPanel(ctx, { kind: 'site', spaces }));
}
