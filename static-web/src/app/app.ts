import { Api, ApiError } from '../api/client';
import { siteBase } from '../api/base';
import type { LoginOptions, Me } from '../api/types';
import { onLocaleChange, t } from '../i18n';
import { clear, h } from '../ui/dom';
import { errorBox } from '../ui/notice';
import { matchRoute, type AppContext, type Page, type Route } from './context';
import { Session } from './session';
import { header } from './shell';

/** The single-page app: a router over the site's paths, a session, and the page shell. */
export class App implements AppContext {
  readonly api: Api;
  me: Me | null = null;
  options: LoginOptions | null = null;
  private readonly session = new Session();
  private readonly base = siteBase();
  private renderCount = 0;
  /** The page on screen, told when another replaces it. */
  private shown: Page | null = null;

  constructor(private readonly root: HTMLElement, private readonly routes: Route[]) {
    this.api = new Api(`${this.base}/api`, () => this.session.token(), () => this.expired());
  }

  start(): void {
    window.addEventListener('popstate', () => void this.render());
    document.addEventListener('click', (event) => this.followLink(event));
    onLocaleChange(() => void this.render());
    void this.render();
  }

  href(path: string): string {
    return `${this.base}${path.startsWith('/') ? path : `/${path}`}`;
  }

  navigate(path: string, replace = false): void {
    const url = this.href(path);
    if (replace) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
    void this.render();
  }

  signIn(token: string): void {
    this.session.signIn(token);
    this.me = null;
  }

  signOut(): void {
    this.session.signOut();
    this.me = null;
    this.navigate('/login');
  }

  async refreshMe(): Promise<void> {
    this.me = await this.api.me();
  }

  reload(): Promise<void> {
    return this.render();
  }

  private expired(): void {
    this.session.signOut();
    this.me = null;
  }

  /** Links marked data-link stay inside the app instead of reloading the page. */
  private followLink(event: MouseEvent): void {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = (event.target as Element).closest?.('a[data-link]');
    if (!(link instanceof HTMLAnchorElement)) return;
    const url = new URL(link.href);
    if (url.origin !== location.origin || !url.pathname.startsWith(this.base)) return;
    event.preventDefault();
    this.navigate(url.pathname.slice(this.base.length) + url.search + url.hash);
  }

  /** The path inside the site, without the "/s/{sub}" base. */
  private path(): string {
    const path = location.pathname.slice(this.base.length);
    return path === '' ? '/' : path;
  }

  async render(): Promise<void> {
    const current = ++this.renderCount;
    const stale = () => current !== this.renderCount;
    const path = this.path();
    const match = matchRoute(this.routes, path);

    if (this.options === null) this.options = await this.api.loginOptions().catch(() => null);
    if (match?.route.auth !== false) {
      if (!this.session.token()) return this.navigate(`/login?next=${encodeURIComponent(path)}`, true);
      if (!this.me) {
        try {
          await this.refreshMe();
        } catch (error) {
          if (error instanceof ApiError && error.status === 401) return this.navigate(`/login?next=${encodeURIComponent(path)}`, true);
          return this.show(t('app.name'), errorBox(error));
        }
      }
    }
    if (stale()) return;

    if (!match) return this.show(t('app.notFoundPage'), h('div', { class: 'page narrow' }, h('h1', {}, t('app.notFoundPage'))));
    this.show(t('app.loading'), h('div', { class: 'loading' }, t('app.loading')), null, true);
    try {
      const page = await match.route.render(this, match.params);
      if (stale()) page.dispose?.(null);
      else this.show(page.title, page.content, page);
    } catch (error) {
      if (stale()) return;
      if (error instanceof ApiError && error.status === 401) return this.navigate(`/login?next=${encodeURIComponent(path)}`, true);
      this.show(t('app.name'), h('div', { class: 'page' }, errorBox(error)));
    }
  }

  /**
   * Puts a page on screen. The page shown before is disposed, except while the next one loads (the
   * loading text is interim: a language change must not end a live visit it then shows again).
   */
  private show(title: string, content: HTMLElement, page: Page | null = null, interim = false): void {
    if (!interim) {
      const previous = this.shown;
      this.shown = page;
      if (previous && previous !== page) previous.dispose?.(content);
    }
    document.title = `${title} - ${t('app.name')}`;
    clear(this.root, header(this), h('main', { class: 'app-main' }, content));
  }
}
