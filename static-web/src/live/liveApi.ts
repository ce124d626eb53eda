import { ApiError, type Api } from '../api/client';
import { apiBase } from '../api/base';
import type { Problem } from '../api/types';
import { Session } from '../app/session';
import type { MediaAnswer } from './media/sfu';
import { defaultSettings, type EnterResponse, type PlacedImage, type RoomSettings } from './model';

const enc = encodeURIComponent;

/** The live room's HTTP calls: enter, the room's settings, media behind the login, image upload. */
export class LiveApi {
  private readonly session = new Session();
  private readonly base = apiBase();

  constructor(private readonly api: Api, readonly roomId: string) {}

  /** L1: the entry check, then the hub's address, a token for this member and room, and a snapshot. */
  enter(): Promise<EnterResponse> {
    return this.api.call<EnterResponse>('POST', `/rooms/${enc(this.roomId)}/enter`);
  }

  /** L3: fresh media credentials and the SFU pass of one's group now (live/media.ts asks before they expire). */
  media(): Promise<MediaAnswer> {
    return this.api.call<MediaAnswer>('POST', `/rooms/${enc(this.roomId)}/media`);
  }

  /** The layout the room is drawn from; a room whose settings cannot be read uses the defaults (R4-R8). */
  async settings(): Promise<RoomSettings> {
    try {
      const read = await this.api.get<Partial<RoomSettings>>(`/rooms/${enc(this.roomId)}/settings`);
      const base = defaultSettings();
      return {
        sound: { ...base.sound, ...read.sound },
        scale: { ...base.scale, ...read.scale },
        background: { ...base.background, ...read.background },
        meetingRooms: read.meetingRooms ?? [],
        entryPosition: read.entryPosition ?? { x: (read.background?.width ?? 4800) / 2, y: (read.background?.height ?? 2750) / 2 },
      };
    } catch {
      return defaultSettings();
    }
  }

  /** A file behind the login (background, BGM, images) as a blob URL; revoke it when done. */
  async blobUrl(path: string): Promise<string> {
    // Paths come from the server (they carry the site prefix) or from the *Path() helpers.
    const response = await fetch(path, { headers: this.headers() });
    if (!response.ok) throw new ApiError(await problemOf(response));
    return URL.createObjectURL(await response.blob());
  }

  backgroundPath(): string {
    return `${this.base}/rooms/${enc(this.roomId)}/background`;
  }

  bgmPath(meetingRoomId: string): string {
    return `${this.base}/rooms/${enc(this.roomId)}/meeting-rooms/${enc(meetingRoomId)}/bgm`;
  }

  /**
   * L2 image upload, placed in the room (R2) at `place` (its centre) with the picture's pixel size
   * `w` x `h` (the server keeps its proportions); `cid` makes a retry idempotent.
   */
  async uploadImage(file: Blob, cid: string, place?: { x: number; y: number; w: number; h: number }): Promise<{ id: string; url: string; image?: PlacedImage }> {
    let response: Response;
    const at = place ? `&x=${Math.round(place.x)}&y=${Math.round(place.y)}&w=${Math.round(place.w)}&h=${Math.round(place.h)}` : '';
    try {
      response = await fetch(`${this.base}/rooms/${enc(this.roomId)}/images?cid=${enc(cid)}${at}`, {
        method: 'POST',
        headers: { ...this.headers(), 'Content-Type': file.type || 'application/octet-stream' },
        body: file,
      });
    } catch {
      throw new ApiError({ status: 0, code: 'network' });
    }
    if (!response.ok) throw new ApiError(await problemOf(response));
    return (await response.json()) as { id: string; url: string; image?: PlacedImage };
  }

  /** R2: moves a placed image (its author or a room admin). */
  moveImage(imageId: string, x: number, y: number): Promise<PlacedImage> {
    return this.api.call<PlacedImage>('PATCH', `/rooms/${enc(this.roomId)}/images/${enc(imageId)}`, { x: Math.round(x), y: Math.round(y) });
  }

  /** R2: removes a placed image (its author or a room admin). */
  removeImage(imageId: string): Promise<void> {
    return this.api.call<void>('DELETE', `/rooms/${enc(this.roomId)}/images/${enc(imageId)}`);
  }

  private headers(): Record<string, string> {
    const token = this.session.token();
    return token ? { Authorization: `Bearer ${token}` } : {};
  }
}

async function problemOf(response: Response): Promise<Problem> {
  try {
    const body = (await response.json()) as Partial<Problem>;
    if (body && typeof body.code === 'string') return { ...body, status: response.status, code: body.code };
  } catch {
    // Not a problem document.
  }
  const code = response.status === 413 ? 'too-large' : response.status === 415 ? 'file-invalid' : response.status === 404 ? 'not-found'
    : response.status === 403 ? 'forbidden' : response.status === 401 ? 'unauthenticated' : response.status >= 500 ? 'internal' : 'error';
  return { status: response.status, code };
}
