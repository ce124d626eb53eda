// The shapes of the API (API.md, /openapi.json), as the server sends them: camelCase, enums in kebab-case.

export type AuthType = 'aad' | 'aad-b2c' | 'local';
export type Role = 'siteAdmin' | 'user';
export type UserRegisterType = 'full-auto' | 'semi-auto' | 'manual';

/** An RFC 9457 problem with the stable `code` of API.md. */
export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  code: string;
  [extension: string]: unknown;
}

export interface LoginOption {
  name: string;
  authType: AuthType;
  url: string;
  /** Entra ID / B2C: how the browser signs in (authorization code + PKCE); absent when this server has no such provider configured. */
  client?: EntraClient;
}

export interface EntraClient {
  clientId: string;
  authorizeUrl: string;
  tokenUrl: string;
  scope: string;
  /** aad-b2c: the first-time sign-up flow (U5). */
  signUpAuthorizeUrl?: string;
  signUpTokenUrl?: string;
}

export interface LoginOptions {
  providers: LoginOption[];
  showSiteLink: boolean;
  siteLinkName?: string;
  siteLinkUrl?: string;
}

export interface LocalLoginResult {
  token: string;
  email: string;
  name: string;
  role: Role;
}

export interface Me {
  email: string;
  name: string;
  role: Role;
  roomAdminOf: string[];
  siteId: string;
  subdomain: string;
}

export interface Space {
  id: string;
  name: string;
  roomCount: number;
}

export interface Occupant {
  email: string;
  name: string;
}

export interface RoomCard {
  id: string;
  name: string;
  description: string;
  occupancy: number;
  people: Occupant[];
}

export interface Room {
  id: string;
  spaceId: string;
  name: string;
  description: string;
  roomAdmins: string[];
}

export interface RoomPatch {
  name?: string;
  description?: string;
  spaceId?: string;
  roomAdmins?: string[] | string;
}

export interface TrashedRoom {
  id: string;
  spaceId: string;
  name: string;
  description: string;
  trashedAt: string;
}

export interface LoginProvider {
  id: string;
  name: string;
  enable: boolean;
  authType: AuthType;
}

export interface SiteInfo {
  id: string;
  subdomain: string;
  siteUrl: string;
  defaultMediaServerUrl?: string;
  maxUsersCount: number;
  authLoginProviders: LoginProvider[];
  allowDomainNames: string[];
  userRegisterType: UserRegisterType;
  autoRegisterDomainNames: string[];
  showSiteLink: boolean;
  siteLinkName?: string;
  siteLinkUrl?: string;
}

export type SitePatch = Partial<Pick<SiteInfo,
  'allowDomainNames' | 'userRegisterType' | 'autoRegisterDomainNames' | 'showSiteLink'>> & {
  siteLinkName?: string | null;
  siteLinkUrl?: string | null;
};

export interface Member {
  email: string;
  name: string;
  authType: AuthType;
  role: Role;
}

export interface MemberPage {
  items: Member[];
  total: number;
  registered: number;
  maxUsersCount: number;
  page: number;
  pageSize: number;
}

/** A value read with its ETag, to send back as If-Match. */
export interface Versioned<T> {
  value: T;
  etag: string | null;
}
