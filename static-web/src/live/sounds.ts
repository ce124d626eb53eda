import type { BgmVolume } from './model';

/** How loud a meeting room's BGM plays: normal | lower | much lower (R7). */
export const bgmLevels: Record<BgmVolume, number> = { normal: 0.5, lower: 0.25, 'much-lower': 0.1 };

type Note = { frequency: number; at: number; length: number; type?: OscillatorType; level?: number };

/**
 * The room's sounds, made with Web Audio (nothing to download): the entry chime and the
 * meeting-room door at the room's volumes (R4), the knock, the bell; and the meeting-room BGM.
 * A browser that blocks audio until a click simply stays silent until then.
 */
export class Sounds {
  private context: AudioContext | null = null;
  private bgm: HTMLAudioElement | null = null;
  private bgmKey: string | null = null;
  private bgmUrl: string | null = null;
  private bgmVolume = 0.5;
  muted = false;

  private audio(): AudioContext | null {
    try {
      this.context ??= new AudioContext();
      if (this.context.state === 'suspended') void this.context.resume().catch(() => {});
      return this.context;
    } catch {
      return null;
    }
  }

  private play(notes: Note[], volume: number): void {
    if (this.muted || volume <= 0) return;
    const ctx = this.audio();
    if (!ctx) return;
    const start = ctx.currentTime + 0.01;
    for (const n of notes) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = n.type ?? 'sine';
      osc.frequency.value = n.frequency;
      const peak = Math.max(0.0001, volume * (n.level ?? 0.3));
      gain.gain.setValueAtTime(0.0001, start + n.at);
      gain.gain.exponentialRampToValueAtTime(peak, start + n.at + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + n.at + n.length);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start + n.at);
      osc.stop(start + n.at + n.length + 0.05);
    }
  }

  /** Someone entered the room; volume in percent (R4 entry chime). */
  chime(volumePercent: number): void {
    this.play([
      { frequency: 880, at: 0, length: 0.6 },
      { frequency: 659.25, at: 0.25, length: 0.9 },
    ], volumePercent / 100);
  }

  /** Someone entered or left one's meeting room; volume in percent (R4 door). */
  door(volumePercent: number): void {
    this.play([
      { frequency: 140, at: 0, length: 0.12, type: 'triangle', level: 0.6 },
      { frequency: 110, at: 0.14, length: 0.18, type: 'triangle', level: 0.5 },
    ], volumePercent / 100);
  }

  knock(): void {
    this.play([
      { frequency: 220, at: 0, length: 0.08, type: 'square', level: 0.2 },
      { frequency: 220, at: 0.16, length: 0.08, type: 'square', level: 0.2 },
      { frequency: 220, at: 0.32, length: 0.08, type: 'square', level: 0.2 },
    ], 0.6);
  }

  bell(): void {
    this.play([
      { frequency: 1318.5, at: 0, length: 1.4, level: 0.25 },
      { frequency: 1975.5, at: 0, length: 0.9, level: 0.1 },
      { frequency: 1046.5, at: 0.35, length: 1.6, level: 0.25 },
    ], 0.6);
  }

  message(): void {
    this.play([{ frequency: 1174.7, at: 0, length: 0.15, level: 0.15 }], 0.5);
  }

  /**
   * Plays the BGM of the meeting room one is in (key = meeting room id), or stops it (null).
   * `source` gives the URL to play (a blob URL for uploaded files).
   */
  async setBgm(key: string | null, volume: number, source: (() => Promise<string | null>) | null): Promise<void> {
    this.bgmVolume = volume;
    if (key === this.bgmKey) {
      if (this.bgm) this.bgm.volume = this.muted ? 0 : volume;
      return;
    }
    this.stopBgm();
    this.bgmKey = key;
    if (!key || !source) return;
    let url: string | null = null;
    try {
      url = await source();
    } catch {
      url = null;
    }
    if (!url || this.bgmKey !== key) return;
    const audio = new Audio(url);
    audio.loop = true;
    audio.volume = this.muted ? 0 : volume;
    audio.dataset.bgm = key;
    this.bgm = audio;
    if (url.startsWith('blob:')) this.bgmUrl = url;
    await audio.play().catch(() => {});
  }

  get bgmPlaying(): string | null {
    return this.bgm ? this.bgmKey : null;
  }

  setMuted(muted: boolean): void {
    this.muted = muted;
    if (this.bgm) this.bgm.volume = muted ? 0 : this.bgmVolume;
  }

  private stopBgm(): void {
    this.bgm?.pause();
    this.bgm = null;
    if (this.bgmUrl) URL.revokeObjectURL(this.bgmUrl);
    this.bgmUrl = null;
    this.bgmKey = null;
  }

  dispose(): void {
    this.stopBgm();
    void this.context?.close().catch(() => {});
    this.context = null;
  }
}
