import './styles.css';
import { App } from './app/app';
import { authRoutes } from './auth/login';
import { roomRoutes } from './rooms/routes';
import { liveRoutes } from './live/roomPage';
import { adminRoutes } from './admin/adminMenu';
import { scheduleRoutes } from './schedule/schedulePage';
import { locale } from './i18n';

document.documentElement.lang = locale();
const root = document.getElementById('app')!;
new App(root, [...authRoutes, ...roomRoutes, ...liveRoutes, ...adminRoutes, ...scheduleRoutes]).start();
