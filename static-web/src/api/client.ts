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
