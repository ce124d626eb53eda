// The reasons the Zoom sync gives (functions/ZoomSync: an entry's error, an audit result, a member check),
// in the person's language where the sync's sentence is a known one; Zoom's own words stay as Zoom said them.
import { t } from '../i18n';

const unreachable = /^Zoom could not be reached:?\s*(.*)$/s;
const ownerUnverified = /^The owner's Zoom e-mail is not verified:\s*(.*)$/s;
const answered = /^Zoom answered (\d{3}):\s*(.*)$/s;

export function zoomReason(text: string | null | undefined): string {
  const reason = (text ?? '').trim();
  let m: RegExpExecArray | null;
  if ((m = ownerUnverified.exec(reason))) return t('zoom.reason.ownerUnverified', { detail: zoomReason(m[1]) });
  if ((m = unreachable.exec(reason))) return m[1] ? t('zoom.reason.unreachable', { detail: m[1] }) : t('zoom.reason.unreachableBare');
  if ((m = answered.exec(reason))) return t('zoom.reason.answered', { status: m[1], detail: m[2] });
  if (reason.startsWith('Zoom credentials are not set')) return t('zoom.reason.noCredentials');
  if (reason === 'Zoom has no user with this e-mail.') return t('zoom.reason.noSuchUser');
  if (reason.startsWith("Zoom's daily limit")) return t('zoom.reason.dailyLimit');
  return reason;
}
