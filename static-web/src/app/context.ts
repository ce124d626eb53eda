import type { Api } from '../api/client';
import type { LoginOptions, Me } from '../api/types';

/** What every page gets: the API, who is signed in, and navigation within the site. */
export interface AppContext {
  api: Api;
  /** The signed-in member; pages with `auth: false` get null. */
  me: Me | null;
  /** The site's login options (providers, site link), or null when they could not be read. */
  options: LoginOptions | null;
  /** A path inside the site ("/rooms/1") to the URL to use ("/s/demo/rooms/1"). */
  href(path: string): string;
  navigate(path: string, replace?: boolean): void;
  signIn(token: string): void;
  signOut(): void;
  /** Reads /api/me again (after a role change). */
  refreshMe(): Promise<void>;
  /** Renders the current page again (after a change the page shows). */
  reload(): Promise<void>;
}

export type SignedIn = AppContext & { me: Me };

export function isSiteAdmin(ctx: AppContext): boolean {
  return ctx.me?.role === 'siteAdmin';
}

/** Site admins, and room admins of this room, edit and delete it (U2). */
export function canAdministerRoom(ctx: AppContext, roomId: string): boolean {
  return isSiteAdmin(ctx) || (ctx.me?.roomAdminOf.includes(roomId) ?? false);
}

export interface Page {
  /** The page's title in the current language (the document title). */
  title: string;
  content: HTMLElement;
  /**
   * Called once when the app replaces this page (navigation, sign-out, a language change), with the
   * content that replaces it: the page stops its timers and connections here (nothing polls the DOM).
   */
  dispose?(next: HTMLElement | null): void;
}

export interface Route {
  /** "/rooms/:id/edit"; ":name" segments become params. */
  pattern: string;
  /** Pages for everyone (login) set false; all others need a signed-in member. */
  auth?: boolean;
  render(ctx: AppContext, params: Record<string, string>): Promise<Page>;
}

export function matchRoute(routes: Route[], path: string): { route: Route; params: Record<string, string> } | null {
  const parts = path.split('/').filter(Boolean);
  for (const route of routes) {
    const pattern = route.pattern.split('/').filter(Boolean);
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < pattern.length; i++) {
      if (pattern[i].startsWith(':')) params[pattern[i].slice(1)] = decodeURIComponent(parts[i]);
      else if (pattern[i] !== parts[i]) { ok = false; break; }
    }
    if (ok) return { route, params };
  }
  return null;
}
