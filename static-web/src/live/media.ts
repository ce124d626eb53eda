import { canHear, voiceGain, type Hearer, type MeetingRoom } from './model';

/** What voice needs of the room: where everyone is, and the signalling channel. */
export interface VoiceRoom {
  self(): (Hearer & { email: string }) | null;
  others(): Iterable<Hearer & { email: string; name: string }>;
  meetingRooms(): readonly MeetingRoom[];
  /** Sends `Signal { to, data }`; rejects with the hub error when refused. */
  signal(to: string, data: unknown): Promise<void>;
  /** The peers changed (for the UI: who one is connected to, remote videos). */
  changed(): void;
}

type SignalData =
  | { type: 'offer' | 'answer'; sdp: string }
  | { type: 'candidate'; candidate: RTCIceCandidateInit }
  | { type: 'candidates'; candidates: RTCIceCandidateInit[] }
  | { type: 'bye' };

interface Peer {
  email: string;
  pc: RTCPeerConnection;
  polite: boolean;
  makingOffer: boolean;
  ignoreOffer: boolean;
  audio: HTMLAudioElement;
  gain: GainNode | null;
  source: MediaStreamAudioSourceNode | null;
  video: MediaStream | null;
  videoLive: boolean;
  /** ICE candidates gathered in the last moment, sent as one signal (the hub rate-limits signalling). */
  candidates: RTCIceCandidateInit[];
  flush: number | undefined;
}

/**
 * L3: voice, camera and screen share over WebRTC, one connection per person one can hear (the
 * hearing rule, the same the server checks on Signal), signalled through the room's hub. The
 * smaller e-mail of a pair calls; audio and video transceivers are set up once, so turning the
 * camera or a screen share on or off only swaps the sent track. The volume follows distance where
 * the meeting room's mode is "by distance". Without a microphone (no device, no permission) the
 * room still works: one hears the others and the mic shows as unavailable.
 */
export class Voice {
  private readonly peers = new Map<string, Peer>();
  private local: MediaStream | null = null;
  private camera: MediaStreamTrack | null = null;
  private screen: MediaStreamTrack | null = null;
  private context: AudioContext | null = null;
  private master: GainNode | null = null;
  private timer: number | undefined;
  micAvailable = false;
  micMuted = false;
  speakerMuted = false;
  private disposed = false;

  constructor(private readonly room: VoiceRoom, private readonly iceServers: RTCIceServer[] = []) {}

  /** Asks for the microphone; a refusal leaves the mic unavailable and everything else working. */
  async start(): Promise<void> {
    try {
      if (!navigator.mediaDevices?.getUserMedia) throw new Error('no media devices');
      this.local = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true }, video: false });
      this.micAvailable = this.local.getAudioTracks().length > 0;
    } catch {
      this.local = null;
      this.micAvailable = false;
    }
    if (this.disposed) { this.stopLocal(); return; }
    try {
      this.context = new AudioContext();
      this.master = this.context.createGain();
      this.master.connect(this.context.destination);
    } catch {
      this.context = null;
    }
    this.timer = window.setInterval(() => this.update(), 500);
    this.update();
  }

  get connectedTo(): string[] {
    return [...this.peers.values()].filter((p) => p.pc.connectionState === 'connected').map((p) => p.email);
  }

  get peerEmails(): string[] {
    return [...this.peers.keys()];
  }

  /** Remote cameras and screens to show. */
  get videos(): { email: string; stream: MediaStream }[] {
    return [...this.peers.values()].filter((p) => p.video && p.videoLive).map((p) => ({ email: p.email, stream: p.video! }));
  }

  /** One's own camera or screen, for the preview. */
  get localVideo(): MediaStreamTrack | null {
    return this.screen ?? this.camera;
  }

  get sharing(): boolean {
    return this.screen !== null;
  }

  get cameraOn(): boolean {
    return this.camera !== null;
  }

  /** Connects to whom one can now hear, drops whom one cannot, and sets each volume. */
  update(): void {
    const me = this.room.self();
    if (!me || this.disposed) return;
    const rooms = this.room.meetingRooms();
    const seen = new Set<string>();
    for (const other of this.room.others()) {
      seen.add(other.email);
      const peer = this.peers.get(other.email);
      // Connect within reach; drop a little beyond it, so a border walk does not flap.
      if (!peer && canHear(me, other, rooms) && me.email < other.email) this.call(other.email);
      else if (peer && !canHear(me, other, rooms, 1.15)) this.hangUp(other.email, true);
      const p = this.peers.get(other.email);
      if (p) this.setVolume(p, voiceGain(me, other, rooms));
    }
    for (const email of [...this.peers.keys()]) if (!seen.has(email)) this.hangUp(email, false);
  }

  private setVolume(peer: Peer, gain: number): void {
    if (peer.gain && this.context) peer.gain.gain.setTargetAtTime(gain, this.context.currentTime, 0.1);
    else peer.audio.volume = Math.max(0, Math.min(1, gain));
  }

  private peer(email: string): Peer {
    const existing = this.peers.get(email);
    if (existing) return existing;
    const me = this.room.self();
    const pc = new RTCPeerConnection({ iceServers: this.iceServers });
    const audio = new Audio();
    audio.autoplay = true;
    const peer: Peer = {
      email, pc, polite: (me?.email ?? '') > email, makingOffer: false, ignoreOffer: false,
      audio, gain: null, source: null, video: null, videoLive: false, candidates: [], flush: undefined,
    };
    this.peers.set(email, peer);
    pc.onicecandidate = ({ candidate }) => {
      if (candidate) peer.candidates.push(candidate.toJSON());
      if (peer.flush === undefined && peer.candidates.length > 0)
        peer.flush = window.setTimeout(() => this.flushCandidates(peer), candidate ? 80 : 0);
    };
    pc.onnegotiationneeded = async () => {
      try {
        peer.makingOffer = true;
        await pc.setLocalDescription();
        if (pc.localDescription) this.send(peer, { type: pc.localDescription.type as 'offer', sdp: pc.localDescription.sdp });
      } catch {
        // A closed connection or a glare the polite side resolves.
      } finally {
        peer.makingOffer = false;
      }
    };
    pc.ontrack = ({ track, streams }) => {
      const stream = streams[0] ?? new MediaStream([track]);
      if (track.kind === 'audio') this.playAudio(peer, stream);
      else {
        peer.video = stream;
        peer.videoLive = !track.muted;
        track.onmute = () => { peer.videoLive = false; this.room.changed(); };
        track.onunmute = () => { peer.videoLive = true; this.room.changed(); };
      }
      this.room.changed();
    };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'failed') this.hangUp(email, false);
      this.room.changed();
    };
    return peer;
  }

  private playAudio(peer: Peer, stream: MediaStream): void {
    peer.audio.srcObject = stream;
    if (this.context && this.master) {
      // Chrome feeds a remote stream to Web Audio only while a media element plays it: keep one, muted.
      peer.audio.muted = true;
      peer.source?.disconnect();
      peer.source = this.context.createMediaStreamSource(stream);
      peer.gain ??= this.context.createGain();
      peer.source.connect(peer.gain).connect(this.master);
      if (this.context.state === 'suspended') void this.context.resume().catch(() => {});
    }
    void peer.audio.play().catch(() => {});
  }

  /** The caller's side: both transceivers, one's tracks on them; negotiation follows. */
  private call(email: string): void {
    const peer = this.peer(email);
    const audio = peer.pc.addTransceiver('audio', { direction: 'sendrecv' });
    const video = peer.pc.addTransceiver('video', { direction: 'sendrecv' });
    void audio.sender.replaceTrack(this.local?.getAudioTracks()[0] ?? null);
    void video.sender.replaceTrack(this.localVideo);
    this.room.changed();
  }

  private flushCandidates(peer: Peer): void {
    peer.flush = undefined;
    const candidates = peer.candidates.splice(0);
    if (candidates.length > 0 && this.peers.get(peer.email) === peer) this.send(peer, { type: 'candidates', candidates });
  }

  private send(peer: Peer, data: SignalData): void {
    this.room.signal(peer.email, data).catch((error: unknown) => {
      // Refused (not audible any more, or gone): the connection has no future.
      if (data.type !== 'bye' && /not-audible|not-found|not-in-room/.test(String((error as Error)?.message ?? error))) this.hangUp(peer.email, false);
    });
  }

  /** A signal from another person: offer, answer, ICE candidate, or bye. */
  async receive(from: string, raw: unknown): Promise<void> {
    const data = raw as SignalData;
    if (this.disposed || !data || typeof data !== 'object') return;
    if (data.type === 'bye') { this.hangUp(from, false); return; }
    const peer = this.peer(from);
    const pc = peer.pc;
    try {
      if (data.type === 'offer' || data.type === 'answer') {
        const collision = data.type === 'offer' && (peer.makingOffer || pc.signalingState !== 'stable');
        peer.ignoreOffer = !peer.polite && collision;
        if (peer.ignoreOffer) return;
        await pc.setRemoteDescription({ type: data.type, sdp: data.sdp });
        if (data.type === 'offer') {
          for (const t of pc.getTransceivers()) {
            const kind = t.receiver.track.kind;
            t.direction = 'sendrecv';
            await t.sender.replaceTrack(kind === 'audio' ? this.local?.getAudioTracks()[0] ?? null : this.localVideo);
          }
          await pc.setLocalDescription();
          if (pc.localDescription) this.send(peer, { type: 'answer', sdp: pc.localDescription.sdp });
        }
      } else if (data.type === 'candidate' || data.type === 'candidates') {
        for (const candidate of data.type === 'candidate' ? [data.candidate] : data.candidates ?? []) {
          try {
            await pc.addIceCandidate(candidate);
          } catch (error) {
            if (!peer.ignoreOffer) throw error;
          }
        }
      }
    } catch {
      // A malformed or stale signal: the next offer starts over.
    }
    this.room.changed();
  }

  private hangUp(email: string, tell: boolean): void {
    const peer = this.peers.get(email);
    if (!peer) return;
    this.peers.delete(email);
    if (peer.flush !== undefined) window.clearTimeout(peer.flush);
    if (tell) this.send(peer, { type: 'bye' });
    peer.source?.disconnect();
    peer.gain?.disconnect();
    peer.audio.srcObject = null;
    peer.pc.close();
    this.room.changed();
  }

  setMicMuted(muted: boolean): void {
    this.micMuted = muted;
    for (const track of this.local?.getAudioTracks() ?? []) track.enabled = !muted;
  }

  setSpeakerMuted(muted: boolean): void {
    this.speakerMuted = muted;
    if (this.master && this.context) this.master.gain.setTargetAtTime(muted ? 0 : 1, this.context.currentTime, 0.05);
    for (const peer of this.peers.values()) if (!peer.gain) peer.audio.muted = muted;
  }

  private sendVideo(): void {
    const track = this.localVideo;
    for (const peer of this.peers.values())
      for (const t of peer.pc.getTransceivers())
        if (t.receiver.track.kind === 'video' && t.currentDirection !== 'stopped') void t.sender.replaceTrack(track).catch(() => {});
    this.room.changed();
  }

  /** Turns the camera on (true) or off; rejects when there is no camera or no permission. */
  async setCamera(on: boolean): Promise<void> {
    if (on && !this.camera) {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240 } });
      this.camera = stream.getVideoTracks()[0] ?? null;
    } else if (!on && this.camera) {
      this.camera.stop();
      this.camera = null;
    }
    this.sendVideo();
  }

  /** Starts (true) or stops sharing the screen; the browser's own "stop sharing" stops it too. */
  async setSharing(on: boolean, stopped: () => void): Promise<void> {
    if (on && !this.screen) {
      const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
      this.screen = stream.getVideoTracks()[0] ?? null;
      if (this.screen) this.screen.onended = () => { this.screen = null; this.sendVideo(); stopped(); };
    } else if (!on && this.screen) {
      this.screen.stop();
      this.screen = null;
    }
    this.sendVideo();
  }

  private stopLocal(): void {
    for (const track of this.local?.getTracks() ?? []) track.stop();
    this.camera?.stop();
    this.screen?.stop();
    this.local = null;
    this.camera = null;
    this.screen = null;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) window.clearInterval(this.timer);
    for (const email of [...this.peers.keys()]) this.hangUp(email, true);
    this.stopLocal();
    void this.context?.close().catch(() => {});
    this.context = null;
  }
}
