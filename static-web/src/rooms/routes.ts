import type { Route } from '../app/context';
import { roomEditPage } from './roomEdit';
import { roomSelectPage } from './roomSelect';

export const roomRoutes: Route[] = [
  { pattern: '/', render: roomSelectPage },
  { pattern: '/spaces/:spaceId', render: roomSelectPage },
  { pattern: '/rooms/:id/edit', render: roomEditPage },
  { pattern: '/rooms/:id/edit/:tab', render: roomEditPage },
];
