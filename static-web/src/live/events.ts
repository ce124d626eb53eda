// The names the server uses on the hub, so the browser cannot drift from them:
// client methods are functions/Live/LiveCommands.cs ClientMethods, room-wide `event` types are
// functions/Logs/UsageEvent.cs EventTypes (the usage log's operation names).

export const clientMethods = {
  snapshot: 'snapshot',
  entered: 'entered',
  left: 'left',
  moved: 'moved',
  event: 'event',
  knocked: 'knocked',
  signal: 'signal',
  zoom: 'zoom',
} as const;
export type ClientMethod = (typeof clientMethods)[keyof typeof clientMethods];

export const eventTypes = {
  status: 'status',
  userMessage: 'userMessage',
  registerBoard: 'register board',
  updateBoard: 'update board',
  registerImage: 'register image',
  moveImage: 'move image',
  removeImage: 'remove image',
  startShareScreen: 'start share screen',
  stopShareScreen: 'stop share screen',
  audioMuted: 'audioMuted',
  speakerMuted: 'speakerMuted',
  videoMuted: 'videoMuted',
  voiceArea: 'voiceArea',
  ringBell: 'ring bell',
} as const;
export type EventType = (typeof eventTypes)[keyof typeof eventTypes];
