import type { LiveApi } from './liveApi';
import type { RoomSettings } from './model';

/**
 * The default office floor (R5: the background of a room without an uploaded image), drawn by
 * static-web/scripts/office-floor.mjs from the same layout the server makes a new room's meeting
 * rooms from (functions/RoomSettings/DefaultOffice.json).
 */
export const officeFloorUrl = '/office-floor.svg';

/** The room's background as a decoded image: the uploaded one, else the office floor; null when neither loads. */
export async function loadBackground(settings: RoomSettings, api: LiveApi): Promise<HTMLImageElement | null> {
  let url = officeFloorUrl;
  let revoke = false;
  try {
    if (settings.background.uploaded) { url = await api.blobUrl(api.backgroundPath()); revoke = true; }
    const image = new Image();
    image.src = url;
    await image.decode();
    return image;
  } catch {
    return null;
  } finally {
    // The decoded image keeps its pixels; the blob URL is not needed any more.
    if (revoke) setTimeout(() => URL.revokeObjectURL(url), 0);
  }
}

/**
 * The image drawn into a canvas of at most `maxWidth` px: an SVG floor of 4,800 px would otherwise
 * become a 53 MB texture; half of it is sharp at every scale the room allows up to 50 %.
 */
export function rasterize(image: HTMLImageElement, width: number, height: number, maxWidth: number): HTMLCanvasElement {
  const k = Math.min(1, maxWidth / width);
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(width * k));
  canvas.height = Math.max(1, Math.round(height * k));
  canvas.getContext('2d')?.drawImage(image, 0, 0, canvas.width, canvas.height);
  return canvas;
}
