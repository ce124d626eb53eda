import type {
  LocalLoginResult, LoginOptions, LoginProvider, Me, Member, MemberPage, Problem, Room, RoomCard,
  RoomPatch, SiteInfo, SitePatch, Space, TrashedRoom, Versioned, AuthType,
} from './types';

/** An API call that failed; `code` is the problem's stable code (or "network" when nothing answered). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail ?? problem.title ?? problem.code);
    this.name = 'ApiError';
    this.status = problem.status;
    this.code = problem.code;
    this.problem = problem;
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface RequestOptions {
  body?: unknown;
  ifMatch?: string | null;
}

/** The one typed client of the site API. Every method maps to one route of API.md. */
export class Api {
  constructor(
    private readonly base: string,
    private readonly token: () => string | null,
    private readonly onUnauthenticated: () => void = () => {},
  ) {}

  async send<T>(method: Method, path: string, options: RequestOptions = {}): Promise<Versioned<T>> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = this.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    if (options.ifMatch) headers['If-Match'] = options.ifMatch;

    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
    } catch {
      throw new ApiError({ status: 0, code: 'network' });
    }
    if (!response.ok) {
      const problem = await readProblem(response);
      if (problem.status === 401) this.onUnauthenticated();
      throw new ApiError(problem);
    }
    const text = await response.text();
    return { value: (text ? JSON.parse(text) : undefined) as T, etag: response.headers.get('ETag') };
  }

  async get<T>(path: string): Promise<T> {
    return (await this.send<T>('GET', path)).value;
  }

  async call<T>(method: Method, path: string, body?: unknown): Promise<T> {
    return (await this.send<T>(method, path, { body })).value;
  }

  /** A raw body (an image, an mp3, a .zawa or .ics file) with its content type; the answer is JSON. */
  async sendRaw<T>(method: Method, path: string, body: Blob | string, contentType: string, ifMatch?: string | null): Promise<Versioned<T>> {
    const response = await this.fetchRaw(method, path, { 'Content-Type': contentType, ...(ifMatch ? { 'If-Match': ifMatch } : {}) }, body);
    const text = await response.text();
    return { value: (text ? JSON.parse(text) : undefined) as T, etag: response.headers.get('ETag') };
  }

  /** A file the API serves (an export, an uploaded image): its bytes and the name it suggests. */
  async download(path: string): Promise<{ blob: Blob; fileName: string | null }> {
    const response = await this.fetchRaw('GET', path, { Accept: '*/*' });
    return { blob: await response.blob(), fileName: fileNameOf(response.headers.get('Content-Disposition')) };
  }

  private async fetchRaw(method: Method, path: string, headers: Record<string, string>, body?: Blob | string): Promise<Response> {
    // A path the server gave whole ("/s/demo/api/...", "https://...") is used as it is.
    const url = /^https?:\/\//.test(path) || path.includes('/api/') ? path : `${this.base}${path}`;
    // The bearer token goes to this app only, never to another host a download link may name.
    const token = this.token();
    if (token && new URL(url, location.href).origin === location.origin) headers.Authorization = `Bearer ${token}`;
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body });
    } catch {
      throw new ApiError({ status: 0, code: 'network' });
    }
    if (!response.ok) {
      const problem = await readProblem(response);
      if (problem.status === 401) this.onUnauthenticated();
      throw new ApiError(problem);
    }
    return response;
  }

  // Authentication
  loginOptions = () => this.get<LoginOptions>('/login-options');
  localLogin = (email: string) => this.call<LocalLoginResult>('POST', '/auth/local', { email });
  me = () => this.get<Me>('/me');

  // Spaces and room cards
  spaces = () => this.get<Space[]>('/spaces');
  createSpace = (name: string) => this.call<Space>('POST', '/spaces', { name });
  renameSpace = (id: string, name: string) => this.call<Space>('PATCH', `/spaces/${enc(id)}`, { name });
  deleteSpace = (id: string) => this.call<void>('DELETE', `/spaces/${enc(id)}`);
  roomCards = (spaceId: string) => this.get<RoomCard[]>(`/spaces/${enc(spaceId)}/rooms`);
  createRoom = (spaceId: string, name: string, description?: string) =>
    this.call<Room>('POST', `/spaces/${enc(spaceId)}/rooms`, { name, description });

  // Rooms
  room = (id: string) => this.send<Room>('GET', `/rooms/${enc(id)}`);
  patchRoom = async (id: string, patch: RoomPatch, etag: string | null) =>
    this.send<Room>('PATCH', `/rooms/${enc(id)}`, { body: patch, ifMatch: etag });
  deleteRoom = (id: string) => this.call<void>('DELETE', `/rooms/${enc(id)}`);

  // Trash
  trash = () => this.get<TrashedRoom[]>('/trash');
  restoreRoom = (roomId: string, spaceId?: string) =>
    this.call<Room>('POST', `/trash/${enc(roomId)}/restore`, spaceId ? { spaceId } : undefined);
  purgeRoom = (roomId: string) => this.call<void>('DELETE', `/trash/${enc(roomId)}`);
  purgeTrash = () => this.call<void>('DELETE', '/trash');

  // Site administration
  site = () => this.send<SiteInfo>('GET', '/admin/site');
  patchSite = (patch: SitePatch, etag: string | null) =>
    this.send<SiteInfo>('PATCH', '/admin/site', { body: patch, ifMatch: etag });
  loginProviders = () => this.get<LoginProvider[]>('/admin/login-providers');
  putLoginProviders = (providers: LoginProvider[]) => this.call<LoginProvider[]>('PUT', '/admin/login-providers', providers);

  // Members
  members = (query: { search?: string; page?: number; pageSize?: number } = {}) => {
    const params = new URLSearchParams();
    if (query.search) params.set('search', query.search);
    if (query.page) params.set('page', String(query.page));
    if (query.pageSize) params.set('pageSize', String(query.pageSize));
    const qs = params.toString();
    return this.get<MemberPage>(`/admin/members${qs ? `?${qs}` : ''}`);
  };
  addMember = (email: string, authType: Exclude<AuthType, 'local'>, name?: string) =>
    this.call<Member>('POST', '/admin/members', { email, authType, name: name || undefined });
  deleteMembers = (emails: string[]) => this.call<void>('POST', '/admin/members/delete', { emails });
  grantSiteAdmin = (emails: string[]) => this.call<void>('POST', '/admin/members/grant-site-admin', { emails });
  revokeSiteAdmin = (emails: string[]) => this.call<void>('POST', '/admin/members/revoke-site-admin', { emails });
}

const enc = encodeURIComponent;

async function readProblem(response: Response): Promise<Problem> {
  try {
    const body = (await response.json()) as Partial<Problem>;
    if (body && typeof body.code === 'string') return { ...body, status: response.status, code: body.code };
  } catch {
    // Not JSON (a proxy's error page, an empty body): describe it by its status below.
  }
  return { status: response.status, code: codeForStatus(response.status) };
}

function codeForStatus(status: number): string {
  switch (status) {
    case 401: return 'unauthenticated';
    case 403: return 'forbidden';
    case 404: return 'not-found';
    case 409: return 'conflict';
    case 412: return 'conflict';
    case 413: return 'too-large';
    case 429: return 'rate-limited';
    default: return status >= 500 ? 'internal' : 'error';
  }
}

/** The file name of a Content-Disposition header (RFC 6266: filename* first), or null. */
export function fileNameOf(header: string | null): string | null {
  if (!header) return null;
  const star = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  if (star) {
    try { return decodeURIComponent(star[2].trim()); } catch { /* fall through to filename= */ }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(header);
  return plain ? plain[1].trim() : null;
}
