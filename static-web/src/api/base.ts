/**
 * Where this site lives. Locally a site is addressed as "/s/{sub}/..." on any host; on Azure by
 * its host "{sub}.zawaroom.com" with no prefix. Everything the app links to or calls is relative
 * to this base.
 */
export function siteBase(pathname: string = location.pathname): string {
  const match = /^\/s\/([^/]+)/.exec(pathname);
  return match ? `/s/${match[1]}` : '';
}

export function apiBase(pathname: string = location.pathname): string {
  return `${siteBase(pathname)}/api`;
}

/** A key that tells sites apart in local storage (several sites can share one local host). */
export function siteKey(pathname: string = location.pathname, host: string = location.host): string {
  const match = /^\/s\/([^/]+)/.exec(pathname);
  return match ? `${host}/s/${match[1]}` : host;
}
